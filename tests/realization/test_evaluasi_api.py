"""The JSON API of evaluations, keberatan, org predikat and TPP recaps (/api/v1/)."""

from __future__ import annotations

from datetime import date

import pytest

from skp_app.realization import evaluation as ops
from skp_app.realization import tpp_recap as rc
from skp_app.realization.tpp import PRESET_DEFAULT
from tests.realization import evaluasi_fixtures
from tests.realization.evaluasi_fixtures import TAHUN, add_realisasi

kominfo = evaluasi_fixtures.kominfo


def _open(client, k, periode_ke=1, jenis="periodik"):
    return client.post(
        "/api/v1/evaluasi",
        json={"skp_id": k.skp_budi.skp.id, "jenis": jenis, "periode_ke": periode_ke},
    )


def test_api_requires_login_with_the_json_error_shape(client, kominfo):
    resp = client.get("/api/v1/evaluasi")
    assert resp.status_code == 401
    assert set(resp.get_json()) == {"error", "message", "fields"}


def test_penilai_opens_rates_and_finalises_through_the_api(client, login, session, kominfo):
    k = kominfo
    for bulan in (1, 2, 3):
        add_realisasi(session, k.skp_budi, bulan, dokumen=1, persen=100)
    session.commit()
    login(k.users.kabid)
    resp = _open(client, k)
    assert resp.status_code == 201
    ev = resp.get_json()
    assert ev["status"] == "draft" and ev["suggested_rating_hasil"] == 2
    assert ev["suggestion_basis"] == "capaian" and ev["pegawai_nama"] == "Budi Santoso"

    resp = client.put(
        f"/api/v1/evaluasi/{ev['id']}/rating", json={"rating_hasil": 1, "rating_perilaku": 2}
    )
    assert resp.status_code == 422
    assert "override_reason" in resp.get_json()["fields"]

    rhk_id = k.skp_budi.rhk_utama.id
    resp = client.put(
        f"/api/v1/evaluasi/{ev['id']}/rating",
        json={
            "rating_hasil": "DI_ATAS",
            "rating_perilaku": 2,
            "override_reason": "Menangani migrasi server di luar target.",
            "umpan_balik_rhk": {str(rhk_id): "Dokumen tepat waktu"},
            "umpan_balik_perilaku": {"1": "Responsif"},
        },
    )
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["predikat"] == 2 and body["predikat_label"] == "Baik"
    assert {(u["rhk_id"], u["nilai_kode"]) for u in body["umpan_balik"]} == {
        (rhk_id, None),
        (None, 1),
    }

    resp = client.post(f"/api/v1/evaluasi/{ev['id']}/final", json={})
    assert resp.status_code == 200 and resp.get_json()["replayed"] is False
    resp = client.post(f"/api/v1/evaluasi/{ev['id']}/final", json={})
    assert resp.status_code == 200 and resp.get_json()["replayed"] is True
    resp = client.put(f"/api/v1/evaluasi/{ev['id']}/rating", json={"rating_hasil": 3})
    assert resp.status_code == 409 and "terkunci" in resp.get_json()["message"]


@pytest.mark.parametrize("who", ["budi", "kadis", "admin", "outsider"])
def test_only_the_penilai_opens_through_the_api(client, login, kominfo, who):
    login(getattr(kominfo.users, who))
    resp = _open(client, kominfo)
    assert resp.status_code == 403
    assert resp.get_json()["error"] == "forbidden"


def test_api_validation_errors_are_indonesian(client, login, kominfo):
    login(kominfo.users.kabid)
    resp = client.post("/api/v1/evaluasi", json={"jenis": "bulanan"})
    assert resp.status_code == 422
    fields = resp.get_json()["fields"]
    assert fields["skp_id"] == ["Wajib diisi."]
    assert fields["jenis"] == ["Pilih periodik atau tahunan."]
    resp = _open(client, kominfo, periode_ke=7)
    assert resp.status_code == 422 and "periode_ke" in resp.get_json()["fields"]


def test_curve_errors_through_the_api(client, login, session, kominfo):
    k = kominfo
    ops.set_org_predikat(session, k.dinas, TAHUN, 1, "BAIK", actor=k.users.admin)
    ev = ops.record_evaluation(
        session,
        k.skp_budi.skp,
        "periodik",
        1,
        actor=k.users.kabid,
        rating_hasil="2",
        rating_perilaku="2",
    )
    session.commit()
    login(k.users.kabid)
    resp = client.post(f"/api/v1/evaluasi/{ev.id}/final", json={})
    assert resp.status_code == 422
    assert "curve_justification" in resp.get_json()["fields"]
    k.instansi.settings = {"curve_mode": "block"}
    session.commit()
    resp = client.post(f"/api/v1/evaluasi/{ev.id}/final", json={"curve_justification": "x" * 20})
    assert resp.status_code == 409
    assert len(resp.get_json()["fields"]["kurva"]) == 2


def test_employee_lists_own_evaluations_without_draft_ratings(client, login, session, kominfo):
    k = kominfo
    ops.record_evaluation(
        session,
        k.skp_budi.skp,
        "periodik",
        1,
        actor=k.users.kabid,
        rating_hasil="3",
        rating_perilaku="3",
    )
    session.commit()
    login(k.users.budi)
    rows = client.get("/api/v1/evaluasi?peran=pegawai").get_json()
    assert len(rows) == 1 and rows[0]["rating_hasil"] is None and rows[0]["predikat"] is None
    single = client.get(f"/api/v1/evaluasi/{rows[0]['id']}").get_json()
    assert single["predikat"] is None
    assert client.get("/api/v1/evaluasi?peran=penilai").get_json() == []
    client.post("/logout")
    login(k.users.kabid)
    rows = client.get("/api/v1/evaluasi?peran=penilai").get_json()
    assert rows[0]["predikat"] == 5
    client.post("/logout")
    login(k.users.dewi)
    assert client.get(f"/api/v1/evaluasi/{rows[0]['id']}").status_code == 403


def test_keberatan_through_the_api(client, login, session, kominfo):
    k = kominfo
    ev = ops.record_evaluation(
        session,
        k.skp_budi.skp,
        "periodik",
        1,
        actor=k.users.kabid,
        rating_hasil="3",
        rating_perilaku="2",
    )
    ops.finalize_evaluation(session, ev, actor=k.users.kabid)
    session.commit()
    login(k.users.budi)
    resp = client.post(
        f"/api/v1/evaluasi/{ev.id}/keberatan", json={"alasan": "Bukti belum dinilai."}
    )
    assert resp.status_code == 201
    keberatan_id = resp.get_json()["id"]
    assert (
        client.post(
            f"/api/v1/keberatan/{keberatan_id}/keputusan",
            json={"status": "diterima", "keputusan": "Tidak berhak memutus."},
        ).status_code
        == 403
    )
    client.post("/logout")
    login(k.users.kabid)
    resp = client.post(
        f"/api/v1/keberatan/{keberatan_id}/penjelasan", json={"penjelasan": "Bukti terlambat."}
    )
    assert resp.status_code == 200
    client.post("/logout")
    login(k.users.kadis)
    resp = client.post(
        f"/api/v1/keberatan/{keberatan_id}/keputusan",
        json={"status": "ditolak", "keputusan": "Rating sesuai bukti dukung."},
    )
    assert resp.status_code == 200 and resp.get_json()["status"] == "ditolak"
    resp = client.post(
        f"/api/v1/keberatan/{keberatan_id}/keputusan",
        json={"status": "diterima", "keputusan": "Berubah pikiran sekarang."},
    )
    assert resp.status_code == 409


def test_org_predikat_through_the_api(client, login, session, kominfo):
    k = kominfo
    login(k.users.kadis)
    resp = client.put(
        "/api/v1/predikat-organisasi",
        json={"unit_id": k.bidang.id, "tahun": TAHUN, "periode_ke": 1, "predikat": "ISTIMEWA"},
    )
    assert resp.status_code == 200 and resp.get_json()["predikat_label"] == "Istimewa"
    rows = client.get(f"/api/v1/predikat-organisasi?tahun={TAHUN}&periode_ke=1").get_json()
    assert {r["unit_id"]: r["predikat"] for r in rows}[k.bidang.id] == "ISTIMEWA"
    resp = client.put(
        "/api/v1/predikat-organisasi",
        json={"unit_id": k.dinas.id, "tahun": TAHUN, "periode_ke": 1, "predikat": "BAIK"},
    )
    assert resp.status_code == 403


def test_recap_through_the_api(client, login, session, kominfo):
    k = kominfo
    rc.save_policy_version(
        session,
        k.instansi,
        policy_data=PRESET_DEFAULT.to_dict(),
        pagu_per_kelas={"8": 4_500_000},
        berlaku_mulai=date(TAHUN, 1, 1),
        actor=k.users.hr,
    )
    session.commit()
    login(k.users.operator)
    assert client.post("/api/v1/tpp/rekap", json={"bulan": f"{TAHUN}-03"}).status_code == 403
    resp = client.post("/api/v1/tpp/rekap", json={"bulan": f"{TAHUN}-13", "opd_id": k.dinas.id})
    assert resp.status_code == 422 and "bulan harus 01–12" in resp.get_json()["fields"]["bulan"][0]
    resp = client.post("/api/v1/tpp/rekap", json={"bulan": f"{TAHUN}-03", "opd_id": k.dinas.id})
    assert resp.status_code == 202
    job = resp.get_json()
    status = client.get(job["status_url"]).get_json()
    assert status["status"] == "done" and status["recap_id"]
    recap = client.get(f"/api/v1/tpp/rekap/{status['recap_id']}").get_json()
    assert recap["line_count"] == 4 and recap["summary"]["policy_version"] == 1
    page = client.get(f"/api/v1/tpp/rekap/{status['recap_id']}/baris?per_page=2").get_json()
    assert page["total"] == 4 and len(page["items"]) == 2
    assert "steps" in page["items"][0]["lineage"]
    client.post("/logout")
    login(k.users.operator_lain)
    assert client.get(f"/api/v1/tpp/rekap/{status['recap_id']}").status_code == 403
    assert client.get(job["status_url"]).status_code == 403


def test_openapi_documents_the_evaluation_api(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/evaluasi",
        "/api/v1/evaluasi/{evaluasi_id}/final",
        "/api/v1/predikat-organisasi",
        "/api/v1/keberatan/{keberatan_id}/keputusan",
        "/api/v1/tpp/rekap",
        "/api/v1/tpp/rekap/{recap_id}/baris",
    ):
        assert path in paths, path
