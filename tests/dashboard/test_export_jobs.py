"""Long exports run as background jobs: start (POST), progress, download, scope checks.

The jobs run inline here (``SKP_JOBS_EAGER``); :data:`SYNC_EXPORT_MAX_ROWS` is lowered so the
small test regency has "long" lists.
"""

from __future__ import annotations

import io
import re
import time

import pytest
from openpyxl import load_workbook

from skp_app.auth.models import RoleAssignment
from skp_app.dashboard import reports as rp
from skp_app.jobs.files import purge_job_files
from skp_app.jobs.models import Job
from tests.helpers import TEST_PASSWORD, csrf_token_from

Q = "tahun=2026&bulan=3"
ROLES = ["admin", "hr", "pimpinan", "op_a", "op_b", "eval_a", "budi", "siti", "hendra", "plain"]

# export started by POST → roles that may start it (every other role gets 403)
STARTS = {
    f"/ekspor/monitoring-pegawai?status=semua&{Q}": {
        "admin",
        "hr",
        "pimpinan",
        "op_a",
        "op_b",
        "eval_a",
    },
    f"/ekspor/beban-kerja?{Q}": {"admin", "hr", "pimpinan", "op_a", "op_b"},
    f"/ekspor/peta-merit?{Q}": {"admin", "hr", "pimpinan", "op_a", "op_b"},
    f"/ekspor/beranda?bagian=hr&tabel=tanpa-skp&{Q}": {"admin", "hr"},
    f"/ekspor/beranda?bagian=opd&tabel=belum-skp&{Q}": {
        "admin",
        "hr",
        "pimpinan",
        "op_a",
        "op_b",
        "hendra",
    },
    f"/ekspor/beranda?bagian=pimpinan&tabel=peringatan&{Q}": {"admin", "pimpinan"},
}


@pytest.fixture
def long_lists(monkeypatch):
    """Every list of more than zero rows counts as long."""
    monkeypatch.setattr(rp, "SYNC_EXPORT_MAX_ROWS", 0)


def _text(resp) -> str:
    return resp.get_data(as_text=True)


def _job_id(resp) -> int:
    assert resp.status_code == 303, (resp.status_code, _text(resp)[:300])
    match = re.search(r"/ekspor/proses/(\d+)$", resp.headers["Location"])
    assert match, resp.headers["Location"]
    return int(match.group(1))


def _workbook(data: bytes):
    return load_workbook(io.BytesIO(data))


def _cells(wb) -> list:
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def _jobs(session) -> int:
    session.expire_all()
    return session.query(Job).filter(Job.kind == rp.EXPORT_JOB).count()


# --- the whole path ------------------------------------------------------------------------------


@pytest.mark.usefixtures("long_lists")
def test_long_people_list_is_exported_by_a_job_and_downloaded(regency, client, login, session):
    login(regency.users.admin)
    page = _text(client.get(f"/monitoring-pengisian/daftar?status=semua&{Q}"))
    action = re.search(r'<form method="post" action="(/ekspor/monitoring-pegawai[^"]*)"', page)
    assert action, "the page offers a POST button for the long list"
    job_id = _job_id(client.post(action.group(1).replace("&amp;", "&")))

    job = session.get(Job, job_id)
    assert job.status == "done" and job.created_by_id == regency.users.admin.id
    assert job.params["laporan"] == "monitoring-pegawai" and job.params["scope"] is None
    assert job.result["rows"] == 7 and job.progress == job.total == 7

    progress = _text(client.get(f"/ekspor/proses/{job_id}"))
    assert "Selesai" in progress and f"/ekspor/proses/{job_id}/unduh" in progress
    status = client.get(f"/ekspor/proses/{job_id}/status").get_json()
    assert status["status"] == "done" and status["percent"] == 100 and not status["running"]
    assert status["download_url"].endswith(f"/ekspor/proses/{job_id}/unduh")

    resp = client.get(f"/ekspor/proses/{job_id}/unduh")
    assert resp.status_code == 200
    assert resp.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in resp.headers["Content-Disposition"]
    assert "monitoring-pegawai-2026-03.xlsx" in resp.headers["Content-Disposition"]
    assert "no-store" in resp.headers["Cache-Control"]
    wb = _workbook(resp.data)
    sheet = wb["Daftar pegawai"]
    assert sheet["A1"].value == "Nama" and sheet["B1"].value == "NIP"
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]
    assert "Budi Santoso" in names and "Agus Salim" in names and len(names) == 7
    nip = next(r[1] for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "Budi Santoso")
    assert nip == regency.budi.nip  # 18 plain digits, re-importable
    hostile = [c.value for c in _cells(wb) if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert hostile and all(v.startswith("'=") for v in hostile)
    assert all(c.data_type != "f" for c in _cells(wb))
    assert "Keterangan" in wb.sheetnames


@pytest.mark.usefixtures("long_lists")
@pytest.mark.parametrize(
    "start,sheet,expected",
    [
        (f"/ekspor/beban-kerja?{Q}", "Beban kerja per pegawai", "Budi Santoso"),
        (f"/ekspor/peta-merit?{Q}", "Riwayat predikat", "Budi Santoso"),
        (f"/ekspor/beranda?bagian=hr&tabel=tanpa-skp&{Q}", "Tanpa SKP", "Dewi Lestari"),
        (f"/ekspor/beranda?bagian=opd&tabel=belum-skp&opd={{a}}&{Q}", "Belum membuat SKP", "Dewi"),
        (f"/ekspor/beranda?bagian=pimpinan&tabel=peringatan&{Q}", "Peringatan dini", "Hendra"),
    ],
)
def test_every_job_export_writes_its_table(regency, client, login, session, start, sheet, expected):
    login(regency.users.admin)
    job_id = _job_id(client.post(start.format(a=regency.opd_a.id)))
    assert session.get(Job, job_id).status == "done", session.get(Job, job_id).error
    wb = _workbook(client.get(f"/ekspor/proses/{job_id}/unduh").data)
    assert sheet in wb.sheetnames
    text = " ".join(str(c.value) for c in _cells(wb))
    assert expected in text
    assert all(c.data_type != "f" for c in _cells(wb))


def test_merit_export_lists_every_employee_with_their_talent_cell(
    regency, client, login, session, long_lists
):
    login(regency.users.hr)
    job_id = _job_id(client.post(f"/ekspor/peta-merit?{Q}"))
    wb = _workbook(client.get(f"/ekspor/proses/{job_id}/unduh").data)
    rows = list(wb["Riwayat predikat"].iter_rows(values_only=True))
    header = rows[0]
    budi = next(r for r in rows if r[0] == "Budi Santoso")
    assert budi[header.index("Kotak talenta")] == "Predikat meningkat · Capaian < 80%"
    assert budi[header.index("Tahunan 2025")] == "Butuh Perbaikan"
    grid = {(r[0], r[1]): r[2] for r in wb["Kotak talenta"].iter_rows(min_row=2, values_only=True)}
    assert grid[("Predikat meningkat", "Capaian < 80%")] == 1


# --- GET never starts a job ---------------------------------------------------------------------


@pytest.mark.usefixtures("long_lists")
@pytest.mark.parametrize(
    "route,laporan",
    [
        (f"/monitoring-pengisian/daftar.xlsx?status=semua&{Q}", "monitoring-pegawai"),
        (f"/beban-kerja.xlsx?{Q}", "beban-kerja"),
        (f"/peta-merit.xlsx?{Q}", "peta-merit"),
        (f"/beranda/ekspor/hr/tanpa-skp.xlsx?{Q}", "beranda"),
    ],
)
def test_a_long_export_asked_by_get_leads_to_a_start_page_without_starting(
    regency, client, login, session, route, laporan
):
    login(regency.users.admin)
    resp = client.get(route)
    assert resp.status_code == 303
    assert f"/ekspor/{laporan}?" in resp.headers["Location"]
    page = client.get(resp.headers["Location"])
    assert page.status_code == 200
    assert 'method="post"' in _text(page) and "Susun berkas XLSX" in _text(page)
    assert _jobs(session) == 0


@pytest.mark.usefixtures("long_lists")
def test_export_urls_carry_only_the_report_filters(regency, client, login, session):
    login(regency.users.admin)
    resp = client.get(f"/peta-merit.xlsx?{Q}&periode=tahunan-2026-0&laporan=x&_external=1")
    assert resp.status_code == 303
    location = resp.headers["Location"]
    assert location.startswith("/ekspor/peta-merit?") and "periode=tahunan-2026-0" in location
    assert "laporan=" not in location and "_external" not in location
    page = _text(client.get(f"/ekspor/peta-merit?{Q}&laporan=x&_anchor=y"))
    assert 'action="/ekspor/peta-merit?' in page and "_anchor" not in page
    assert _jobs(session) == 0


def test_short_exports_stay_immediate_downloads(regency, client, login, session):
    login(regency.users.admin)
    for route in [
        f"/monitoring-pengisian/daftar.xlsx?status=semua&{Q}",
        f"/beban-kerja.xlsx?{Q}",
        f"/peta-merit.xlsx?{Q}",
        f"/monitoring-pengisian.xlsx?{Q}",
        f"/beranda/ekspor/hr/tanpa-skp.xlsx?{Q}",
    ]:
        resp = client.get(route)
        assert resp.status_code == 200, route
        assert resp.mimetype.endswith("spreadsheetml.sheet")
    page = _text(client.get(f"/beban-kerja?{Q}"))
    assert 'href="/beban-kerja.xlsx?' in page and "/ekspor/beban-kerja" not in page
    assert _jobs(session) == 0


@pytest.mark.usefixtures("long_lists")
def test_home_card_offers_a_job_for_a_long_table_only(regency, client, login, session):
    login(regency.users.hr)
    html = _text(client.get(f"/beranda?bagian=hr&{Q}"))
    card = html.split('id="dash-hr-tanpa-skp"', 1)[1].split("</article>", 1)[0]
    assert 'method="post" action="/ekspor/beranda?' in card and "tabel=tanpa-skp" in card
    assert "/beranda/ekspor/hr/tanpa-skp.xlsx" not in card
    quality = html.split('id="dash-hr-kualitas"', 1)[1].split("</article>", 1)[0]
    assert 'href="/beranda/ekspor/hr/kualitas.xlsx?' in quality  # one row per issue type
    assert _jobs(session) == 0


# --- who may start, follow and download ----------------------------------------------------------


@pytest.mark.parametrize("route", sorted(STARTS))
@pytest.mark.parametrize("who", ROLES)
def test_export_start_route_role_matrix(regency, client, login, session, route, who):
    login(getattr(regency.users, who))
    resp = client.post(route)
    if who in STARTS[route]:
        job_id = _job_id(resp)
        assert client.get(f"/ekspor/proses/{job_id}").status_code == 200
        assert client.get(f"/ekspor/proses/{job_id}/unduh").status_code == 200
    else:
        assert resp.status_code == 403, (route, who, resp.status_code)
        assert client.get(route).status_code == 403
        assert _jobs(session) == 0


def test_unknown_reports_and_cards_are_404(regency, client, login, session):
    login(regency.users.admin)
    for route in [
        f"/ekspor/rahasia?{Q}",
        f"/ekspor/beranda?bagian=hr&tabel=kualitas&{Q}",  # a short table: never a job
        f"/ekspor/beranda?bagian=rahasia&tabel=x&{Q}",
        f"/ekspor/monitoring-pegawai?tahap=rahasia&{Q}",
    ]:
        assert client.post(route).status_code == 404, route
    assert _jobs(session) == 0


def test_someone_elses_export_is_not_found(regency, app, login, session):
    op_a = login(regency.users.op_a, c=app.test_client())
    job_id = _job_id(op_a.post(f"/ekspor/monitoring-pegawai?status=semua&{Q}"))
    for who in ("op_b", "hr", "pimpinan", "budi"):
        other = login(getattr(regency.users, who), c=app.test_client())
        for suffix in ("", "/status", "/unduh"):
            assert other.get(f"/ekspor/proses/{job_id}{suffix}").status_code == 404, (who, suffix)
        assert f"/ekspor/proses/{job_id}" not in _text(other.get("/ekspor"))
    admin = login(regency.users.admin, c=app.test_client())
    assert admin.get(f"/ekspor/proses/{job_id}/unduh").status_code == 200
    assert op_a.get("/ekspor/proses/999999").status_code == 404
    findings = Job(kind="dashboard.temuan_cascading", params={"tahun": 2026}, status="done")
    findings.created_by_id = regency.users.op_a.id
    session.add(findings)
    session.commit()
    assert op_a.get(f"/ekspor/proses/{findings.id}/unduh").status_code == 404


def test_operator_exports_their_opd_only_and_the_scope_comes_from_the_server(
    regency, client, login, session
):
    login(regency.users.op_a)
    resp = client.post(
        f"/ekspor/monitoring-pegawai?status=semua&{Q}",
        data={"scope": "", "opd_id": str(regency.opd_b.id), "laporan": "peta-merit"},
    )
    job = session.get(Job, _job_id(resp))
    assert job.params["scope"] == [regency.opd_a.id]
    assert job.params["laporan"] == "monitoring-pegawai" and job.params["opd_id"] is None
    text = " ".join(
        str(c.value) for c in _cells(_workbook(client.get(f"/ekspor/proses/{job.id}/unduh").data))
    )
    assert "Budi Santoso" in text
    assert "Agus Salim" not in text and "Rina" not in text and "Badan Perencanaan" not in text
    assert client.post(f"/ekspor/monitoring-pegawai?opd={regency.opd_b.id}&{Q}").status_code == 403
    assert client.post(f"/ekspor/peta-merit?opd={regency.opd_b.id}&{Q}").status_code == 403
    assert (
        client.post(
            f"/ekspor/beranda?bagian=opd&tabel=belum-skp&opd={regency.opd_b.id}&{Q}"
        ).status_code
        == 403
    )
    assert _jobs(session) == 1


def test_download_checks_the_scope_again(regency, client, login, session):
    login(regency.users.op_a)
    job_id = _job_id(client.post(f"/ekspor/beban-kerja?{Q}"))
    assert client.get(f"/ekspor/proses/{job_id}/unduh").status_code == 200
    # The operator moves to Bappeda: the Diskominfo file is no longer theirs to read.
    role = session.query(RoleAssignment).filter_by(user_id=regency.users.op_a.id).one()
    role.unit_id = regency.opd_b.id
    session.commit()
    for suffix in ("", "/status", "/unduh"):
        assert client.get(f"/ekspor/proses/{job_id}{suffix}").status_code == 403, suffix


# --- progress, failure, expiry ------------------------------------------------------------------


def _waiting_job(session, user, **values) -> Job:
    job = Job(
        kind=rp.EXPORT_JOB,
        params={"laporan": "beban-kerja", "tahun": 2026, "bulan": 3, "opd_id": None, "scope": None},
        created_by_id=user.id,
        **values,
    )
    session.add(job)
    session.commit()
    return job


def test_progress_page_polls_while_the_job_runs_and_survives_a_reload(
    regency, client, login, session
):
    job = _waiting_job(
        session, regency.users.hr, status="running", progress=500, total=1000, message="Menulis"
    )
    login(regency.users.hr)
    for _reload in range(2):
        html = _text(client.get(f"/ekspor/proses/{job.id}"))
        assert "50%" in html and "Berjalan" in html
        assert f'data-job-status-url="/ekspor/proses/{job.id}/status"' in html
        assert 'http-equiv="refresh"' in html  # without JavaScript
        assert "/unduh" not in html
    status = client.get(f"/ekspor/proses/{job.id}/status").get_json()
    assert status == {
        "id": job.id,
        "status": "running",
        "status_label": "Berjalan",
        "percent": 50,
        "progress": 500,
        "total": 1000,
        "message": "Menulis",
        "running": True,
        "download_url": None,
    }
    assert client.get(f"/ekspor/proses/{job.id}/unduh").status_code == 404
    assert f"/ekspor/proses/{job.id}" in _text(client.get("/ekspor"))


def test_a_failed_export_says_so_without_the_traceback(regency, client, login, session):
    job = _waiting_job(
        session,
        regency.users.hr,
        status="failed",
        message="Gagal: disk penuh",
        error="OSError: disk penuh",
        result={"traceback": "Traceback (most recent call last): rahasia"},
    )
    login(regency.users.hr)
    html = _text(client.get(f"/ekspor/proses/{job.id}"))
    assert "Ekspor gagal" in html and "rahasia" not in html
    assert "rahasia" not in _text(client.get(f"/ekspor/proses/{job.id}/status"))
    assert client.get(f"/ekspor/proses/{job.id}/unduh").status_code == 404


def test_export_files_are_removed_after_the_keeping_period(
    regency, client, login, session, job_files, long_lists
):
    login(regency.users.hr)
    job_id = _job_id(client.post(f"/ekspor/beban-kerja?{Q}"))
    assert (job_files / str(job_id)).is_dir()
    assert purge_job_files(now=time.time() + 8 * 86400) == 1
    assert not (job_files / str(job_id)).exists()
    assert "sudah dihapus" in _text(client.get(f"/ekspor/proses/{job_id}"))
    assert client.get(f"/ekspor/proses/{job_id}/unduh").status_code == 404


# --- CSRF ---------------------------------------------------------------------------------------


def test_export_workflow_with_csrf_on(regency, csrf_app, session, monkeypatch):
    monkeypatch.setattr(rp, "SYNC_EXPORT_MAX_ROWS", 0)
    client = csrf_app.test_client()
    token = csrf_token_from(_text(client.get("/login")))
    resp = client.post(
        "/login",
        data={"login": regency.users.op_a.username, "password": TEST_PASSWORD, "csrf_token": token},
    )
    assert resp.status_code == 302
    page = _text(client.get(f"/peta-merit?{Q}"))
    action = re.search(r'<form method="post" action="(/ekspor/peta-merit[^"]*)"', page).group(1)
    action = action.replace("&amp;", "&")
    assert client.post(action).status_code == 400  # no token
    assert client.post(action, data={"csrf_token": "palsu"}).status_code == 400
    assert _jobs(session) == 0
    job_id = _job_id(client.post(action, data={"csrf_token": csrf_token_from(page)}))
    html = _text(client.get(f"/ekspor/proses/{job_id}"))
    link = re.search(r'href="(/ekspor/proses/\d+/unduh)"', html).group(1)
    wb = _workbook(client.get(link).data)
    text = " ".join(str(c.value) for c in _cells(wb))
    assert "Budi Santoso" in text and "Agus Salim" not in text
