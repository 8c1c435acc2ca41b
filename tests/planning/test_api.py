"""The planning JSON API: reads, writes, transitions, one error shape, OpenAPI."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from skp_app.auth.operations import create_api_token
from skp_app.planning import operations as ops
from skp_app.planning.models import Rhk, Skp, SkpTransition
from tests.planning.conftest import iki_set

KEY = "3a4b5c6d-7e8f-4a0b-9c1d-2e3f4a5b6c7d"


def _count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def token(session, world):
    def _token(who: str) -> dict:
        raw = create_api_token(session, world.users[who], "uji")
        session.commit()
        return {"Authorization": f"Bearer {raw}"}

    return _token


def _iki_json():
    return [
        {"aspek": "kuantitas", "teks": "Jumlah modul yang selesai", "target": 3, "satuan": "Modul"},
        {
            "aspek": "kualitas",
            "teks": "Persentase modul lolos uji",
            "target": "90",
            "target_max": 100,
            "satuan": "Persen",
        },
        {"aspek": "waktu", "teks": "Ketepatan waktu", "target": 12, "satuan": "Bulan"},
    ]


def test_full_workflow_through_the_api(session, world, build, client, token):
    _k, _kb, ks = build.chain()
    staf, kasi = token("staf"), token("kasi")
    created = client.post("/api/v1/skp", json={}, headers=staf)
    assert created.status_code == 201, created.json
    skp_id = created.json["id"]
    assert created.json["penilai_pegawai_id"] == world.kasi.id and created.json["status"] == "draft"
    rhk = client.post(
        f"/api/v1/skp/{skp_id}/rhk",
        headers=staf,
        json={
            "teks": "Tersedianya modul perizinan daring",
            "parent_rhk_id": ks.rhk[0].id,
            "iki": _iki_json(),
        },
    )
    assert rhk.status_code == 201, rhk.json
    assert [float(i["target"]) for i in rhk.json["iki"]] == [3, 90, 12]
    sub = client.post(f"/api/v1/skp/{skp_id}/submit", headers=staf, json={"request_key": KEY})
    assert sub.status_code == 200 and sub.json["skp"]["status"] == "diajukan"
    replay = client.post(f"/api/v1/skp/{skp_id}/submit", headers=staf, json={"request_key": KEY})
    assert replay.json["replayed"] and replay.json["transition_id"] == sub.json["transition_id"]
    inbox = client.get("/api/v1/skp?penilai=true", headers=kasi)
    assert [s["id"] for s in inbox.json] == [skp_id]
    ok = client.post(f"/api/v1/skp/{skp_id}/approve", headers=kasi, json={})
    assert ok.status_code == 200 and ok.json["skp"]["status"] == "disetujui"
    again = client.post(f"/api/v1/skp/{skp_id}/approve", headers=kasi, json={})
    assert again.status_code == 200 and again.json["replayed"]
    detail = client.get(f"/api/v1/skp/{skp_id}", headers=staf).json
    assert detail["pegawai_snapshot"]["nama"] == "Rina Marlina, S.Kom."
    assert [p["nama"] for p in detail["perilaku"]][0] == "Berorientasi Pelayanan"
    assert _count(session, SkpTransition, SkpTransition.skp_id == skp_id) == 2


def test_api_errors_have_one_shape_403_409_422_404(session, world, build, client, token):
    skp = build.skp("staf")
    session.commit()
    staf, kasi, other = token("staf"), token("kasi"), token("operator_lain")
    forbidden = client.post(f"/api/v1/skp/{skp.id}/approve", headers=staf, json={})
    assert forbidden.status_code == 403
    assert set(forbidden.json) == {"error", "message", "fields"}
    assert forbidden.json["error"] == "forbidden"
    assert client.get(f"/api/v1/skp/{skp.id}", headers=other).status_code == 403
    conflict = client.post(f"/api/v1/skp/{skp.id}/approve", headers=kasi, json={})
    assert conflict.status_code == 409 and conflict.json["error"] == "conflict"
    assert "hanya SKP yang diajukan yang dapat disetujui" in conflict.json["message"]
    blocked = client.post(f"/api/v1/skp/{skp.id}/submit", headers=staf, json={})
    assert blocked.status_code == 409 and blocked.json["fields"]["skp"] == [
        "SKP belum memiliki RHK utama."
    ]
    bad = client.post(
        f"/api/v1/skp/{skp.id}/rhk",
        headers=staf,
        json={
            "teks": "",
            "iki": [
                {"teks": "Jumlah modul", "target": "tiga", "satuan": "Modul"},
                {"teks": "Persentase", "target": 100, "target_max": 90, "satuan": "Persen"},
            ],
        },
    )
    assert bad.status_code == 422 and bad.json["error"] == "invalid"
    assert bad.json["fields"] == {
        "iki.0.target": ["Target harus berupa angka (contoh: 12 atau 97,5)."]
    }
    bad2 = client.post(
        f"/api/v1/skp/{skp.id}/rhk",
        headers=staf,
        json={
            "teks": " ",
            "iki": [{"teks": "Persentase", "target": 100, "target_max": 90, "satuan": "Persen"}],
        },
    )
    assert bad2.json["fields"] == {
        "teks": ["Uraian RHK wajib diisi."],
        "iki.0.target_max": ["Batas bawah target tidak boleh lebih besar dari batas atas."],
    }
    schema = client.post(f"/api/v1/skp/{skp.id}/rhk", headers=staf, json={"jenis": "lain"})
    assert schema.status_code == 422
    assert schema.json["fields"]["teks"] == ["Wajib diisi."]
    assert schema.json["fields"]["jenis"] == ["Pilih salah satu dari: utama, tambahan."]
    returned = client.post(f"/api/v1/skp/{skp.id}/return", headers=kasi, json={"catatan": ""})
    assert returned.status_code == 422 and returned.json["fields"] == {
        "catatan": ["Catatan pengembalian wajib diisi."]
    }
    assert client.get("/api/v1/skp/999999", headers=staf).status_code == 404
    assert _count(session, Rhk) == 0
    assert client.get(f"/api/v1/skp/{skp.id}").status_code == 401


def test_rhk_and_iki_endpoints_update_in_place(session, world, build, client, token):
    _k, _kb, ks = build.chain()
    skp = build.skp("staf")
    rhk = ops.save_rhk(
        session,
        skp,
        ops.RhkInput(teks="Tersedianya modul", parent_rhk_id=ks.rhk[0].id, iki=iki_set()),
        actor=world.users["staf"],
    )
    session.commit()
    op = token("operator")
    ids = [i.id for i in rhk.iki]
    resp = client.patch(f"/api/v1/iki/{ids[0]}", headers=op, json={"target": "4,5"})
    assert resp.status_code == 200 and float(resp.json["target"]) == 4.5
    added = client.post(
        f"/api/v1/rhk/{rhk.id}/iki",
        headers=op,
        json={"aspek": "biaya", "teks": "Anggaran terserap", "target": 95, "satuan": "Persen"},
    )
    assert added.status_code == 201 and added.json["aspek"] == "biaya"
    patched = client.patch(
        f"/api/v1/rhk/{rhk.id}", headers=op, json={"teks": "Tersedianya modul perizinan"}
    )
    assert patched.json["teks"] == "Tersedianya modul perizinan"
    assert [i["id"] for i in patched.json["iki"]][:3] == ids
    assert client.delete(f"/api/v1/iki/{added.json['id']}", headers=op).status_code == 204
    other = token("operator_lain")
    assert (
        client.patch(f"/api/v1/rhk/{rhk.id}", headers=other, json={"teks": "x"}).status_code == 403
    )
    assert client.delete(f"/api/v1/rhk/{ks.rhk[0].id}", headers=op).status_code == 409


def test_goals_and_periods_api(session, world, client, token):
    admin, pimpinan, operator = token("admin"), token("pimpinan"), token("operator")
    assert client.post("/api/v1/periode", headers=operator, json={"tahun": 2026}).status_code == 403
    created = client.post("/api/v1/periode", headers=admin, json={"tahun": 2026})
    assert created.status_code == 201 and created.json["is_open"]
    dup = client.post("/api/v1/periode", headers=admin, json={"tahun": 2026})
    assert dup.status_code == 422 and dup.json["fields"] == {"tahun": ["Periode 2026 sudah ada."]}
    new = client.post(
        "/api/v1/sasaran",
        headers=pimpinan,
        json={
            "level": "regent",
            "jenis": "tujuan",
            "kode": "1.1.2",
            "teks": "Meningkatnya kualitas tata kelola pemerintahan",
            "tahun_awal": 2025,
            "tahun_akhir": 2029,
            "indikator": [
                {
                    "teks": "Nilai SAKIP",
                    "satuan": "Nilai",
                    "is_iku": True,
                    "targets": [{"tahun": 2025, "target": "70,5"}],
                }
            ],
        },
    )
    assert new.status_code == 201, new.json
    assert new.json["indikator"][0]["targets"][0]["target"].startswith("70.5")
    listing = client.get("/api/v1/sasaran?level=opd", headers=operator)
    assert listing.status_code == 422 and "opd_id" in listing.json["fields"]
    opd = client.get(f"/api/v1/sasaran?level=opd&opd_id={world.opd.id}", headers=operator)
    assert [s["kode"] for s in opd.json] == ["S1"]
    patched = client.patch(
        f"/api/v1/sasaran/{world.sasaran_opd.id}",
        headers=operator,
        json={"teks": "Meningkatnya layanan SPBE terpadu"},
    )
    assert patched.status_code == 200 and patched.json["supports_id"] == world.sasaran_regent.id
    assert (
        client.patch(
            f"/api/v1/sasaran/{world.sasaran_regent.id}", headers=operator, json={"teks": "x"}
        ).status_code
        == 403
    )
    assert (
        client.patch(
            f"/api/v1/periode/{world.periode.id}", headers=admin, json={"is_open": False}
        ).json["is_open"]
        is False
    )


def test_bulk_cascade_api_reports_recipients(session, world, build, client, token):
    _k, _kb, ks = build.chain()
    resp = client.post(
        f"/api/v1/skp/{ks.id}/cascade",
        headers=token("kasi"),
        json={
            "rhk_ids": [ks.rhk[0].id],
            "pegawai_ids": [world.staf.id, world.kabid.id],
            "request_key": KEY,
        },
    )
    assert resp.status_code == 200
    assert resp.json["drafted"] == {str(world.staf.id): 1}
    assert resp.json["skipped"][0]["pegawai_id"] == world.kabid.id
    assert _count(session, Skp, Skp.pegawai_id == world.staf.id) == 1


def test_openapi_documents_planning_operations_with_summaries(client):
    doc = client.get("/api/v1/openapi.json").json
    for path, method in [
        ("/api/v1/skp/{skp_id}/approve", "post"),
        ("/api/v1/skp/{skp_id}/rhk", "post"),
        ("/api/v1/iki/{iki_id}", "patch"),
        ("/api/v1/sasaran", "get"),
        ("/api/v1/periode", "get"),
    ]:
        assert doc["paths"][path][method]["summary"], path
