"""Realization and activity pages and API: who may do what (route × role), the forms, CSRF,
the bounded query count of the approval inbox, and the one JSON error shape."""

from __future__ import annotations

import io
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from skp_app.auth.operations import create_api_token
from skp_app.planning.models import Sasaran
from skp_app.realization import operations as ops
from skp_app.realization.models import Aktivitas, Realisasi
from tests.helpers import TEST_PASSWORD, csrf_token_from
from tests.realization.realisasi_fixtures import (
    TAHUN,
    jpeg_bytes,
    rworld_fixture,  # noqa: F401
)

TODAY = ops.today_wib()


def _activity(session, w, who="staf", *, start=7, minutes=60, uraian="Menyusun dokumen SRS"):
    begin = time(start)
    end_total = start * 60 + minutes
    return ops.submit_activity(
        session,
        w.p[who],
        tanggal=TODAY,
        jam_mulai=begin,
        jam_selesai=time(end_total // 60, end_total % 60),
        uraian=uraian,
        rhk_id=w.rhk[who].id,
        actor=w.users[who],
        today=TODAY,
    )


def _realisasi(session, w, status="diajukan"):
    r = ops.record_realization(
        session,
        w.skp["staf"],
        w.iki["staf"],
        tahun=TAHUN,
        bulan=TODAY.month,
        nilai="2",
        actor=w.users["staf"],
        today=TODAY,
    )
    if status == "terverifikasi":
        ops.verify_realization(session, r, actor=w.users["kasi"])
    session.commit()
    return r


# --- pages -----------------------------------------------------------------------------------


def test_monthly_realization_page_lists_rhk_iki_and_the_input_form(rworld, client, login):
    login(rworld.users["staf"])
    html = client.get("/realisasi").get_data(as_text=True)
    assert "Realisasi bulanan" in html
    assert "Tersusunnya dokumen pengembangan aplikasi" in html
    assert "Jumlah dokumen pengembangan yang tersusun" in html
    assert 'name="nilai"' in html and 'name="berkas"' in html and 'name="tautan"' in html
    assert "Simpan &amp; ajukan" in html
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Realisasi bulanan" in home and "Persetujuan aktivitas" in home  # navigation


def test_saving_a_realization_through_the_page(rworld, session, client, login):
    login(rworld.users["staf"])
    url = (
        f"/realisasi/skp/{rworld.skp['staf'].id}/iki/{rworld.iki['staf'].id}/{TAHUN}/{TODAY.month}"
    )
    resp = client.post(
        url,
        data={
            "nilai": "1,5",
            "catatan": "Dokumen SRS modul cuti",
            "tautan": "https://drive.google.com/file/d/srs",
            "berkas": (io.BytesIO(jpeg_bytes()), "rapat.jpg"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "diajukan untuk diverifikasi" in resp.get_data(as_text=True)
    r = session.scalar(select(Realisasi))
    assert str(r.nilai) == "1.5000" and r.status == "diajukan"
    assert sorted(b.kind for b in r.bukti) == ["image", "link"]


def test_bad_link_refuses_the_whole_entry(rworld, session, client, login):
    login(rworld.users["staf"])
    url = (
        f"/realisasi/skp/{rworld.skp['staf'].id}/iki/{rworld.iki['staf'].id}/{TAHUN}/{TODAY.month}"
    )
    resp = client.post(
        url, data={"nilai": "2", "tautan": "javascript:alert(1)"}, follow_redirects=True
    )
    assert "harus diawali http:// atau https://" in resp.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Realisasi)) == 0


def test_activity_page_has_a_mobile_camera_input_and_points_against_targets(
    rworld, session, client, login
):
    a = _activity(session, rworld, minutes=120)
    ops.approve_activity(session, a, actor=rworld.users["kasi"])
    _activity(session, rworld, start=10, minutes=60, uraian="Uji coba aplikasi")
    session.commit()
    login(rworld.users["staf"])
    html = client.get("/aktivitas").get_data(as_text=True)
    assert 'accept="image/*" capture="environment"' in html
    assert "Poin hari ini" in html and "/ 300" in html and "/ 6.000" in html
    assert "Menunggu persetujuan: 75 poin" in html  # 60 minutes × 1,25 pending
    assert "150" in html  # 120 minutes × 1,25 approved
    assert "Menyusun dokumen SRS" in html and "Uji coba aplikasi" in html


def test_activity_form_errors_are_shown_with_the_entered_values(rworld, session, client, login):
    _activity(session, rworld, start=8, minutes=60, uraian="Rapat koordinasi SPBE")
    session.commit()
    login(rworld.users["staf"])
    resp = client.post(
        "/aktivitas",
        data={
            "tanggal": TODAY.isoformat(),
            "jam_mulai": "08:30",
            "jam_selesai": "09:30",
            "uraian": "Menguji aplikasi antrean",
            "rhk_id": str(rworld.rhk["staf"].id),
        },
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "bertumpang tindih" in html and "Rapat koordinasi SPBE" in html
    assert "Menguji aplikasi antrean" in html
    bad = client.post("/aktivitas", data={"tanggal": "kemarin", "jam_mulai": "25:00"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "bukan tanggal yang sah" in text and "bukan jam yang sah" in text


def test_activity_past_the_deadline_is_refused_on_the_page(rworld, session, client, login):
    login(rworld.users["staf"])
    resp = client.post(
        "/aktivitas",
        data={
            "tanggal": (TODAY - timedelta(days=30)).isoformat(),
            "jam_mulai": "08:00",
            "jam_selesai": "09:00",
            "uraian": "Kegiatan lama",
            "rhk_id": str(rworld.rhk["staf"].id),
        },
    )
    assert resp.status_code == 409
    assert "melewati batas pelaporan 5 hari kerja" in resp.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Aktivitas)) == 0


def test_inbox_shows_flags_and_bulk_approves(rworld, session, client, login, app):
    a = _activity(session, rworld, start=8)
    b = _activity(session, rworld, start=10, uraian="Uji beban server")
    other_day = TODAY - timedelta(days=3)
    ops.attach_evidence(
        session,
        a,
        stream=io.BytesIO(jpeg_bytes(taken=f"{other_day:%Y:%m:%d} 09:00:00")),
        filename="rapat.jpg",
        limits=ops.UploadLimits(upload_dir=app.config["SKP_UPLOAD_DIR"]),
        actor=rworld.users["staf"],
        today=TODAY,
    )
    session.commit()
    login(rworld.users["kasi"])
    html = client.get("/aktivitas/persetujuan").get_data(as_text=True)
    assert "Rina Marlina, S.Kom." in html and "2 kegiatan" in html
    assert "Tanggal foto berbeda" in html and "Foto diambil" in html
    resp = client.post(
        "/aktivitas/setujui", data={"ids": [str(a.id), str(b.id)]}, follow_redirects=True
    )
    assert "2 kegiatan disetujui." in resp.get_data(as_text=True)
    replay = client.post("/aktivitas/setujui", data={"ids": [str(a.id)]}, follow_redirects=True)
    assert "dilewati karena sudah diputuskan" in replay.get_data(as_text=True)


def test_reject_on_the_page_needs_a_reason(rworld, session, client, login):
    a = _activity(session, rworld)
    session.commit()
    login(rworld.users["kasi"])
    resp = client.post(f"/aktivitas/{a.id}/tolak", data={"alasan": ""}, follow_redirects=True)
    assert "Alasan penolakan wajib diisi." in resp.get_data(as_text=True)
    assert session.get(Aktivitas, a.id).status == "diajukan"
    client.post(f"/aktivitas/{a.id}/tolak", data={"alasan": "Uraian terlalu umum"})
    assert session.get(Aktivitas, a.id).status == "ditolak"


def test_verification_inbox_and_capaian_page(rworld, session, client, login):
    r = _realisasi(session, rworld)
    login(rworld.users["kasi"])
    html = client.get("/realisasi/verifikasi").get_data(as_text=True)
    assert "Rina Marlina, S.Kom." in html and "Jumlah dokumen pengembangan" in html
    client.post(f"/realisasi/{r.id}/verifikasi", data={"catatan": "Sesuai"})
    assert session.get(Realisasi, r.id).status == "terverifikasi"
    sheet = client.get(f"/realisasi?skp={rworld.skp['staf'].id}").get_data(as_text=True)
    assert "Terkunci" in sheet and "Buka kunci" in sheet and 'name="nilai"' not in sheet
    page = client.get(f"/capaian/rhk/{rworld.rhk['kasi'].id}?bulan={TODAY.month}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Cara perhitungan" in text and "rata-rata tertimbang" in text
    assert "Tersusunnya dokumen pengembangan aplikasi" in text  # the direct child
    assert "Kontributor" in text  # Budi's non-direct RHK


# --- route × role ----------------------------------------------------------------------------

ROUTES = {
    "realisasi_skp": ("GET", lambda w, s: f"/realisasi?skp={w.skp['staf'].id}"),
    "save_realisasi": (
        "POST",
        lambda w, s: (
            f"/realisasi/skp/{w.skp['staf'].id}/iki/{w.iki['staf'].id}/{TAHUN}/{TODAY.month}"
        ),
    ),
    "verify": ("POST", lambda w, s: f"/realisasi/{_realisasi(s, w).id}/verifikasi"),
    "reopen": (
        "POST",
        lambda w, s: f"/realisasi/{_realisasi(s, w, 'terverifikasi').id}/buka-kunci",
    ),
    "approve_activity": ("POST", lambda w, s: f"/aktivitas/{_committed(s, w).id}/setujui"),
    "edit_activity": ("GET", lambda w, s: f"/aktivitas/{_committed(s, w).id}/ubah"),
    "capaian_rhk": ("GET", lambda w, s: f"/capaian/rhk/{w.rhk['staf'].id}"),
    "capaian_sasaran": ("GET", lambda w, s: f"/capaian/sasaran/{_goal(s, w).id}"),
}


def _committed(session, w):
    a = _activity(session, w)
    session.commit()
    return a


def _goal(session, w):
    goal = Sasaran(
        level="opd",
        jenis="sasaran",
        teks="Meningkatnya indeks SPBE",
        opd_id=w.opd.id,
        tahun_awal=TAHUN - 1,
        tahun_akhir=TAHUN + 3,
    )
    session.add(goal)
    session.commit()
    return goal


MATRIX = [
    ("realisasi_skp", "staf", 200),
    ("realisasi_skp", "kasi", 200),
    ("realisasi_skp", "kabid", 200),
    ("realisasi_skp", "operator", 200),
    ("realisasi_skp", "hr", 200),
    ("realisasi_skp", "staf2", 403),
    ("realisasi_skp", "operator_lain", 403),
    ("realisasi_skp", "anon", 302),
    ("save_realisasi", "staf", 302),
    ("save_realisasi", "operator", 302),
    ("save_realisasi", "kasi", 403),
    ("save_realisasi", "staf2", 403),
    ("save_realisasi", "operator_lain", 403),
    ("save_realisasi", "admin", 403),
    ("save_realisasi", "anon", 302),
    ("verify", "kasi", 302),
    ("verify", "staf", 403),
    ("verify", "kabid", 403),
    ("verify", "operator", 403),
    ("verify", "admin", 403),
    ("reopen", "kasi", 302),
    ("reopen", "staf", 403),
    ("approve_activity", "kasi", 302),
    ("approve_activity", "staf", 403),
    ("approve_activity", "kabid", 403),
    ("approve_activity", "staf2", 403),
    ("approve_activity", "admin", 403),
    ("edit_activity", "staf", 200),
    ("edit_activity", "kasi", 403),
    ("edit_activity", "operator", 403),
    ("capaian_rhk", "staf", 200),
    ("capaian_rhk", "kasi", 200),
    ("capaian_rhk", "kadis", 200),  # superior chain
    ("capaian_rhk", "operator", 200),
    ("capaian_rhk", "staf2", 403),
    ("capaian_rhk", "bappeda", 403),
    ("capaian_rhk", "operator_lain", 403),
    ("capaian_sasaran", "admin", 200),
    ("capaian_sasaran", "operator", 200),
    ("capaian_sasaran", "operator_lain", 403),
    ("capaian_sasaran", "staf", 403),
]


@pytest.mark.parametrize(("route", "who", "status"), MATRIX)
def test_route_role_matrix(rworld, session, client, login, route, who, status):
    method, make_url = ROUTES[route]
    url = make_url(rworld, session)
    if who != "anon":
        login(rworld.users[who])
    data = {"nilai": "1", "catatan": "Alasan koreksi"} if method == "POST" else None
    resp = client.open(url, method=method, data=data)
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    if route == "save_realisasi":
        written = session.scalar(select(func.count()).select_from(Realisasi))
        assert written == (1 if status == 302 and who != "anon" else 0)


# --- CSRF ------------------------------------------------------------------------------------


def _csrf_login(client, username: str) -> None:
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    resp = client.post(
        "/login", data={"login": username, "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert resp.status_code == 302


def test_activity_workflow_with_csrf_on(csrf_app, rworld, session):
    staf = csrf_app.test_client()
    _csrf_login(staf, rworld.users["staf"].username)
    form = {
        "tanggal": TODAY.isoformat(),
        "jam_mulai": "07:30",
        "jam_selesai": "09:00",
        "uraian": "Menyusun rancangan basis data SIMPEG",
        "rhk_id": str(rworld.rhk["staf"].id),
    }
    assert staf.post("/aktivitas", data=form).status_code == 400  # no token
    assert session.scalar(select(func.count()).select_from(Aktivitas)) == 0
    token = csrf_token_from(staf.get("/aktivitas").get_data(as_text=True))
    assert staf.post("/aktivitas", data={**form, "csrf_token": token}).status_code == 302
    a = session.scalar(select(Aktivitas))
    assert a.status == "diajukan" and a.menit == 90

    kasi = csrf_app.test_client()
    _csrf_login(kasi, rworld.users["kasi"].username)
    page = kasi.get("/aktivitas/persetujuan").get_data(as_text=True)
    assert kasi.post("/aktivitas/setujui", data={"ids": [str(a.id)]}).status_code == 400
    resp = kasi.post(
        "/aktivitas/setujui", data={"ids": [str(a.id)], "csrf_token": csrf_token_from(page)}
    )
    assert resp.status_code == 302
    assert session.get(Aktivitas, a.id).status == "disetujui"


# --- performance guard -----------------------------------------------------------------------


def _subordinates(make_pegawai, rworld, n):
    jabatan = rworld.p["staf"].jabatan
    return [
        make_pegawai(nama=f"Staf Uji {i:02d}", jabatan=jabatan, golongan_id=31) for i in range(n)
    ]


def _fill(session, rworld, make_pegawai, people: int, per_person: int):
    from tests.realization.realisasi_fixtures import _rhk, _skp

    for p in _subordinates(make_pegawai, rworld, people):
        skp = _skp(session, rworld.periode, p, rworld.p["kasi"])
        rhk = _rhk(session, skp, "Tersusunnya dokumen uji", parent=rworld.rhk["kasi"])
        for i in range(per_person):
            session.add(
                Aktivitas(
                    pegawai_id=p.id,
                    tanggal=TODAY,
                    jam_mulai=time(7 + i // 2, 30 * (i % 2)),
                    jam_selesai=time(7 + i // 2, 30 * (i % 2) + 29),
                    menit=29,
                    uraian=f"Kegiatan uji {i}",
                    rhk_id=rhk.id,
                    poin=36,
                    approver_pegawai_id=rworld.p["kasi"].id,
                    flags=["date_mismatch"] if i % 3 == 0 else [],
                )
            )
    session.commit()


def test_approval_inbox_query_count_does_not_grow_with_items(
    rworld, session, client, login, make_pegawai, count_queries
):
    login(rworld.users["kasi"])
    _fill(session, rworld, make_pegawai, 2, 2)
    with count_queries() as small:
        assert client.get("/aktivitas/persetujuan").status_code == 200
    _fill(session, rworld, make_pegawai, 10, 10)
    with count_queries() as large:
        html = client.get("/aktivitas/persetujuan").get_data(as_text=True)
    assert html.count('name="ids"') == 2 * 2 + 10 * 10
    assert large.count == small.count, large.statements
    assert large.count <= 10


# --- API -------------------------------------------------------------------------------------


def _bearer(session, user) -> dict:
    token = create_api_token(session, user, "aplikasi seluler")
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_api_activity_create_error_shape_and_bulk_approve(rworld, session, client):
    staf = _bearer(session, rworld.users["staf"])
    body = {
        "tanggal": TODAY.isoformat(),
        "jam_mulai": "08:00",
        "jam_selesai": "09:00",
        "uraian": "Menyusun dokumen uji",
        "rhk_id": rworld.rhk["staf"].id,
    }
    created = client.post("/api/v1/aktivitas", json=body, headers=staf)
    assert created.status_code == 201, created.json
    assert created.json["menit"] == 60 and created.json["poin"] == "75.00"
    overlap = client.post(
        "/api/v1/aktivitas",
        json={**body, "jam_mulai": "08:30", "jam_selesai": "09:30"},
        headers=staf,
    )
    assert overlap.status_code == 422
    assert overlap.json["error"] == "invalid"
    assert "bertumpang tindih" in overlap.json["message"]
    assert "bertumpang tindih" in overlap.json["fields"]["jam_mulai"][0]
    unknown = client.post("/api/v1/aktivitas", json={**body, "poin": 9999}, headers=staf)
    assert unknown.status_code == 422 and "poin" in unknown.json["fields"]

    mine = client.get("/api/v1/aktivitas", headers=staf).json
    assert len(mine["items"]) == 1 and mine["poin"]["today_pending"] == "75.00"

    kasi = _bearer(session, rworld.users["kasi"])
    inbox = client.get("/api/v1/aktivitas/persetujuan", headers=kasi).json
    assert [a["id"] for a in inbox] == [created.json["id"]]
    self_approve = client.post(f"/api/v1/aktivitas/{created.json['id']}/setujui", headers=staf)
    assert self_approve.status_code == 403 and self_approve.json["error"] == "forbidden"
    bulk = client.post(
        "/api/v1/aktivitas/setujui", json={"ids": [created.json["id"]]}, headers=kasi
    )
    assert bulk.status_code == 200 and bulk.json["approved"] == 1
    replay = client.post(f"/api/v1/aktivitas/{created.json['id']}/setujui", headers=kasi)
    assert replay.json == {"changed": False}


def test_api_realization_verify_replay_and_capaian(rworld, session, client):
    staf = _bearer(session, rworld.users["staf"])
    kasi = _bearer(session, rworld.users["kasi"])
    body = {"iki_id": rworld.iki["staf"].id, "tahun": TAHUN, "bulan": TODAY.month, "nilai": "3"}
    saved = client.post("/api/v1/realisasi", json=body, headers=staf)
    assert saved.status_code == 200 and saved.json["status"] == "diajukan"
    rid = saved.json["id"]
    assert (
        client.post(f"/api/v1/realisasi/{rid}/verifikasi", json={}, headers=staf).status_code == 403
    )
    first = client.post(f"/api/v1/realisasi/{rid}/verifikasi", json={}, headers=kasi)
    again = client.post(f"/api/v1/realisasi/{rid}/verifikasi", json={}, headers=kasi)
    assert first.json == {"changed": True} and again.json == {"changed": False}
    locked = client.post("/api/v1/realisasi", json={**body, "nilai": "4"}, headers=staf)
    assert locked.status_code == 409 and locked.json["error"] == "conflict"
    assert "terkunci" in locked.json["message"]
    listed = client.get(f"/api/v1/realisasi?bulan={TODAY.month}", headers=staf).json
    assert [r["id"] for r in listed] == [rid]

    capaian = client.get(
        f"/api/v1/capaian/rhk/{rworld.rhk['kasi'].id}?bulan={TODAY.month}", headers=kasi
    )
    assert capaian.status_code == 200
    data = capaian.json
    assert data["method"] == "direct_children" and data["capaian"] == "25"
    assert "rata-rata tertimbang" in data["explanation"]
    keys = {c["key"]: c for c in data["contributions"]}
    assert keys[f"rhk:{rworld.rhk['staf'].id}"]["counted"] is True
    assert keys[f"rhk:{rworld.rhk['staf2'].id}"]["counted"] is False
    outsider = _bearer(session, rworld.users["bappeda"])
    denied = client.get(f"/api/v1/capaian/rhk/{rworld.rhk['kasi'].id}", headers=outsider)
    assert denied.status_code == 403 and set(denied.json) == {"error", "message", "fields"}


def test_api_is_described_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/realisasi",
        "/api/v1/realisasi/{realisasi_id}/verifikasi",
        "/api/v1/aktivitas",
        "/api/v1/aktivitas/setujui",
        "/api/v1/capaian/rhk/{rhk_id}",
    ):
        assert path in paths


def test_activity_refused_after_its_photo_was_stored_leaves_no_file(
    rworld, session, client, login, app
):
    from pathlib import Path

    upload_dir = Path(app.config["SKP_UPLOAD_DIR"])
    before = {p for p in upload_dir.rglob("*") if p.is_file()}
    login(rworld.users["staf"])
    resp = client.post(
        "/aktivitas",
        data={
            "tanggal": TODAY.isoformat(),
            "jam_mulai": "08:00",
            "jam_selesai": "09:00",
            "uraian": "Rapat koordinasi",
            "rhk_id": str(rworld.rhk["staf"].id),
            "foto": (io.BytesIO(jpeg_bytes()), "rapat.jpg"),
            "tautan": "ftp://server/berkas",
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422
    assert "harus diawali http:// atau https://" in resp.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Aktivitas)) == 0
    assert {p for p in upload_dir.rglob("*") if p.is_file()} == before


def test_api_evidence_upload_is_checked_like_the_pages(rworld, session, client):
    staf = _bearer(session, rworld.users["staf"])
    a = _committed(session, rworld)
    ok = client.post(
        f"/api/v1/aktivitas/{a.id}/bukti",
        data={"berkas": (io.BytesIO(jpeg_bytes(taken=f"{TODAY:%Y:%m:%d} 08:10:00")), "a.jpg")},
        content_type="multipart/form-data",
        headers=staf,
    )
    assert ok.status_code == 201 and ok.json["kind"] == "image" and ok.json["flags"] == []
    assert ok.json["url"] == f"/bukti/{ok.json['id']}"
    svg = client.post(
        f"/api/v1/aktivitas/{a.id}/bukti",
        data={"berkas": (io.BytesIO(b"<svg><script>x()</script></svg>"), "b.jpg")},
        content_type="multipart/form-data",
        headers=staf,
    )
    assert svg.status_code == 422 and "SVG" in svg.json["fields"]["berkas"][0]
    link = client.post(
        f"/api/v1/aktivitas/{a.id}/bukti", data={"tautan": "javascript:x"}, headers=staf
    )
    assert link.status_code == 422 and "tautan" in link.json["fields"]
    kasi = _bearer(session, rworld.users["kasi"])
    denied = client.post(
        f"/api/v1/aktivitas/{a.id}/bukti", data={"tautan": "https://x.id/a"}, headers=kasi
    )
    assert denied.status_code == 403
