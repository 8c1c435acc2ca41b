"""HR pages: permissions, upload checks, the plan → review → apply journey with CSRF, exports."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from skp_app.org.models import Pegawai
from skp_app.sync import engine
from skp_app.sync.adapters.siasn_csv import SiasnCsvAdapter
from skp_app.sync.models import SyncMapping, SyncRun
from tests.helpers import TEST_PASSWORD, csrf_token_from
from tests.sync.helpers import DINKES, csv_text, nip_for, siasn_row


def _rows():
    return [
        siasn_row(nip_for(date(1985, 1, 1), (2010, 1), 1, 1), "BUDI SANTOSO", DINKES),
        siasn_row(nip_for(date(1987, 2, 2), (2011, 2), 2, 1), "SITI AMINAH", DINKES),
        siasn_row("1.98602E+17", '=HYPERLINK("http://contoh.invalid","klik")', DINKES),
    ]


@pytest.fixture
def planned_run(session, tmp_path):
    path = tmp_path / "ekspor.csv"
    path.write_text(csv_text(_rows()), encoding="utf-8")
    run = engine.plan(session, SiasnCsvAdapter(path), full_export=True, actor="tester")
    session.commit()
    return run


@pytest.fixture
def users(make_user, make_pegawai, make_unit):
    opd = make_unit("Dinas Pendidikan dan Kebudayaan")
    return {
        "admin": make_user("admin1", roles=[("admin", None)]),
        "hr": make_user("bkpsdm1", roles=[("hr", None)]),
        "opd_operator": make_user("operator1", roles=[("opd_operator", opd.id)]),
        "evaluator": make_user("evaluator1", roles=[("evaluator", None)]),
        "pegawai": make_user(pegawai=make_pegawai(nama="Pegawai Biasa")),
    }


READ_ROUTES = [
    "/sinkronisasi/",
    "/sinkronisasi/{run}",
    "/sinkronisasi/{run}?tab=karantina",
    "/sinkronisasi/{run}/status",
    "/sinkronisasi/{run}/rencana.xlsx",
    "/sinkronisasi/pemetaan",
    "/api/v1/sync/runs",
    "/api/v1/sync/runs/{run}",
    "/api/v1/sync/runs/{run}/changes",
    "/api/v1/sync/runs/{run}/quarantine",
]


@pytest.mark.parametrize("route", READ_ROUTES)
@pytest.mark.parametrize(
    "role,expected",
    [
        ("admin", 200),
        ("hr", 200),
        ("opd_operator", 403),
        ("evaluator", 403),
        ("pegawai", 403),
        (None, None),
    ],
)
def test_only_hr_and_admin_can_open_sync_pages(
    client, login, users, planned_run, route, role, expected
):
    url = route.format(run=planned_run.id)
    if role is not None:
        login(users[role])
    resp = client.get(url)
    if role is None:
        assert resp.status_code == (401 if url.startswith("/api/") else 302)
    else:
        assert resp.status_code == expected


@pytest.mark.parametrize("action", ["terapkan", "batalkan", "lanjutkan"])
@pytest.mark.parametrize("role", ["opd_operator", "evaluator", "pegawai"])
def test_others_cannot_apply_or_discard(client, login, users, planned_run, session, action, role):
    login(users[role])
    assert client.post(f"/sinkronisasi/{planned_run.id}/{action}").status_code == 403
    session.expire_all()
    assert session.get(SyncRun, planned_run.id).status == "planned"
    assert session.scalar(select(func.count()).select_from(Pegawai)) == 1  # the fixture's own


def test_nav_shows_sinkronisasi_to_hr_only(client, login, users):
    login(users["hr"])
    assert "Sinkronisasi" in client.get("/", follow_redirects=True).get_data(as_text=True)
    client.post("/logout")
    login(users["evaluator"])
    assert "Sinkronisasi" not in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_upload_review_and_apply_with_csrf(csrf_app, client, users, session):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    assert (
        client.post(
            "/login", data={"login": "bkpsdm1", "password": TEST_PASSWORD, "csrf_token": token}
        ).status_code
        == 302
    )
    page = client.get("/sinkronisasi/").get_data(as_text=True)
    token = csrf_token_from(page)
    data = {
        "csrf_token": token,
        "source": "siasn-csv",
        "cakupan": "sebagian",
        "berkas": (io.BytesIO(csv_text(_rows()).encode()), "Ekspor Data ASN.csv"),
    }
    # Without the token nothing happens.
    no_token = {k: v for k, v in data.items() if k != "csrf_token"}
    no_token["berkas"] = (io.BytesIO(csv_text(_rows()).encode()), "x.csv")
    assert client.post("/sinkronisasi/mulai", data=no_token).status_code == 400
    resp = client.post("/sinkronisasi/mulai", data=data, content_type="multipart/form-data")
    assert resp.status_code == 302
    run = session.scalar(select(SyncRun).order_by(SyncRun.id.desc()))
    assert run.status == "planned" and run.file_name == "Ekspor Data ASN.csv"
    assert run.counts["new"] == 2 and run.counts["invalid"] == 1 and not run.full_export
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Rencana siap ditinjau" in html and "BUDI SANTOSO" in html
    assert "Terapkan rencana" in html
    html = client.get(f"/sinkronisasi/{run.id}?tab=karantina").get_data(as_text=True)
    assert "nip_invalid" in html and "notasi ilmiah" in html
    assert "&lt;" not in html or "=HYPERLINK" in html  # escaped, shown as text
    status = client.get(f"/sinkronisasi/{run.id}/status").get_json()
    assert status["status"] == "planned" and status["progress"]["percent"] == 100
    assert status["running"] is False

    token = csrf_token_from(html)
    resp = client.post(f"/sinkronisasi/{run.id}/terapkan", data={"csrf_token": token})
    assert resp.status_code == 303
    session.expire_all()
    run = session.get(SyncRun, run.id)
    assert run.status == "applied"
    assert session.scalar(select(func.count()).select_from(Pegawai)) == 3  # + the fixture's
    history = client.get("/sinkronisasi/").get_data(as_text=True)
    assert f"#{run.id}" in history and "Diterapkan" in history


def test_a_running_run_page_polls_its_status(client, login, users, session):
    run = SyncRun(
        source="siasn-csv",
        status="planning",
        progress_done=500,
        progress_total=2000,
        progress_message="500 data dibaca",
    )
    session.add(run)
    session.commit()
    login(users["hr"])
    html = client.get(f"/sinkronisasi/{run.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in html and "data-job-status-url" in html
    assert "width: 25%" in html
    data = client.get(f"/sinkronisasi/{run.id}/status").get_json()
    assert data["running"] is True and data["progress"]["percent"] == 25


@pytest.mark.parametrize(
    "content,name,message",
    [
        (b"\x00\x01binary\x00garbage" * 10, "ekspor.csv", "bukan teks CSV"),
        (None, "ekspor.csv", "XLSX/ZIP, bukan CSV"),
        (b"", "kosong.csv", "Berkas kosong."),
    ],
)
def test_uploads_are_checked_by_content(client, login, users, session, content, name, message):
    if content is None:
        buf = io.BytesIO()
        wb = Workbook()
        wb.active.append(["nip_baru", "nama"])
        wb.save(buf)
        content = buf.getvalue()
    login(users["hr"])
    resp = client.post(
        "/sinkronisasi/mulai",
        data={"source": "siasn-csv", "berkas": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422
    assert message in resp.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(SyncRun)) == 0


def test_uploads_over_the_size_limit_are_refused(app, client, login, users, session):
    app.config["SKP_SYNC_MAX_UPLOAD_MB"] = 0  # 64 KiB of slack only
    login(users["hr"])
    big = csv_text(_rows() * 200).encode()
    assert len(big) > 200_000
    resp = client.post(
        "/sinkronisasi/mulai",
        data={"source": "siasn-csv", "berkas": (io.BytesIO(big), "besar.csv")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 413
    assert session.scalar(select(func.count()).select_from(SyncRun)) == 0
    app.config["SKP_SYNC_MAX_UPLOAD_MB"] = 50


def test_an_unreadable_source_shows_its_error(client, login, users, session):
    login(users["hr"])
    resp = client.post(
        "/sinkronisasi/mulai",
        data={
            "source": "siasn-csv",
            "berkas": (io.BytesIO(b"nomor;nama lengkap\n1;Budi\n"), "salah.csv"),
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    run = session.scalar(select(SyncRun))
    assert run.status == "plan_failed"
    html = client.get(f"/sinkronisasi/{run.id}").get_data(as_text=True)
    assert "kolom wajib tidak ada: nip_baru" in html
    assert "Batalkan rencana" in html


def test_the_plan_xlsx_is_safe_against_formula_injection(client, login, users, planned_run):
    login(users["hr"])
    resp = client.get(f"/sinkronisasi/{planned_run.id}/rencana.xlsx")
    assert resp.status_code == 200
    assert resp.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames == ["Ringkasan", "Perubahan", "Karantina"]
    q = list(wb["Karantina"].iter_rows(values_only=True))
    assert q[0][:6] == ("Baris", "Kunci sumber", "NIP", "Nama", "Kode alasan", "Alasan")
    assert q[1][3] == '\'=HYPERLINK("http://contoh.invalid","klik")'
    assert q[1][4] == "nip_invalid"
    changes = list(wb["Perubahan"].iter_rows(values_only=True))
    nips = {row[3] for row in changes[1:]}
    assert nip_for(date(1985, 1, 1), (2010, 1), 1, 1) in nips  # NIPs stay text, 18 digits
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f"


def test_discard_keeps_personnel_unchanged(client, login, users, planned_run, session):
    login(users["hr"])
    resp = client.post(f"/sinkronisasi/{planned_run.id}/batalkan")
    assert resp.status_code == 303
    session.expire_all()
    assert session.get(SyncRun, planned_run.id).status == "discarded"
    assert session.scalar(select(func.count()).select_from(Pegawai)) == 1
    resp = client.post(f"/sinkronisasi/{planned_run.id}/terapkan")
    assert resp.status_code == 303
    assert session.get(SyncRun, planned_run.id).status == "discarded"


def test_mappings_are_saved_and_used_for_tabular_uploads(client, login, users, session, make_unit):
    make_unit("Dinas Kesehatan")
    session.commit()
    login(users["hr"])
    resp = client.post("/sinkronisasi/pemetaan", data={"name": "Tanpa NIP", "map_nama": "Nama"})
    assert resp.status_code == 422 and "wajib" in resp.get_data(as_text=True)
    resp = client.post(
        "/sinkronisasi/pemetaan",
        data={
            "name": "Daftar Dinkes",
            "map_nip": "NIP|NIP Baru",
            "map_nama": "Nama Lengkap",
            "map_unit_nama": "Unit Kerja",
            "external_source": "simpeg",
        },
    )
    assert resp.status_code == 303
    mapping = session.scalar(select(SyncMapping))
    assert mapping.mapping == {
        "nip": ["NIP", "NIP Baru"],
        "nama": "Nama Lengkap",
        "unit_nama": "Unit Kerja",
    }
    buf = io.BytesIO()
    wb = Workbook()
    wb.active.append(["NIP Baru", "Nama Lengkap", "Unit Kerja"])
    wb.active.append([nip_for(date(1988, 8, 8), (2012, 1), 2, 1), "Rahmawati", "DINAS KESEHATAN"])
    wb.save(buf)
    resp = client.post(
        "/sinkronisasi/mulai",
        data={
            "source": "tabular",
            "mapping_id": str(mapping.id),
            "cakupan": "sebagian",
            "berkas": (io.BytesIO(buf.getvalue()), "dinkes.xlsx"),
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    run = session.scalar(select(SyncRun))
    assert run.status == "planned" and run.counts["new"] == 1
    assert run.params["kind"] == "xlsx"


def test_the_api_lists_runs_changes_and_quarantine(client, login, users, planned_run):
    login(users["admin"])
    runs = client.get("/api/v1/sync/runs").get_json()
    assert runs["total"] == 1 and runs["items"][0]["counts"]["new"] == 2
    changes = client.get(
        f"/api/v1/sync/runs/{planned_run.id}/changes?kind=new&entity=pegawai"
    ).get_json()
    assert changes["total"] == 2 and changes["items"][0]["diff"]["nama"][0] is None
    q = client.get(f"/api/v1/sync/runs/{planned_run.id}/quarantine").get_json()
    assert q["items"][0]["reason_code"] == "nip_invalid"
    bad = client.get(f"/api/v1/sync/runs/{planned_run.id}/changes?kind=hapus")
    assert bad.status_code == 422 and set(bad.get_json()) == {"error", "message", "fields"}
    assert client.get("/api/v1/sync/runs/999").status_code == 404
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/sync/runs/{run_id}/quarantine" in spec["paths"]


@pytest.mark.parametrize("role", ["opd_operator", "evaluator", "pegawai"])
def test_others_cannot_start_a_sync(client, login, users, session, role):
    login(users[role])
    resp = client.post(
        "/sinkronisasi/mulai",
        data={"source": "siasn-csv", "berkas": (io.BytesIO(csv_text(_rows()).encode()), "x.csv")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 403
    assert session.scalar(select(func.count()).select_from(SyncRun)) == 0


def test_an_api_pull_started_from_the_page_can_be_resumed(
    client, login, users, session, siasn_config
):
    from tests.sync.fakes import serve
    from tests.sync.test_siasn_api import NIPS, make_fake

    fake = make_fake()
    with serve(fake) as base:
        siasn_config(base, SKP_SYNC_BATCH_SIZE=2)
        fake.down_after = 3
        login(users["hr"])
        resp = client.post(
            "/sinkronisasi/mulai",
            data={"source": "siasn-api", "cakupan": "sebagian", "nip": "\n".join(NIPS)},
        )
        assert resp.status_code == 302
        run = session.scalar(select(SyncRun))
        assert run.status == "plan_failed" and run.checkpoint["done"] == 3
        html = client.get(f"/sinkronisasi/{run.id}").get_data(as_text=True)
        assert "HTTP 503" in html and "Lanjutkan pembacaan" in html
        assert "3 data pertama sudah terbaca dan tersimpan" in html
        fake.down_after = None
        resp = client.post(f"/sinkronisasi/{run.id}/lanjutkan")
        assert resp.status_code == 303
        session.expire_all()
        run = session.get(SyncRun, run.id)
        assert run.status == "planned" and run.counts["new"] == 5
        # The NIPs pulled: the employees already in the app plus the extra NIPs; SIASN does
        # not know the app's own test employee, who is marked "not in source".
        own = session.get(Pegawai, users["pegawai"].pegawai_id).nip
        assert set(run.params["nips"]) == set(NIPS) | {own}
        assert run.counts["not_in_source"] == 1


def test_a_partly_applied_plan_cannot_be_discarded(
    client, login, users, session, planned_run, monkeypatch
):
    from skp_app.sync import engine as sync_engine

    def power_cut(run, batch_no):
        raise RuntimeError("listrik padam")

    monkeypatch.setattr(sync_engine, "after_batch", power_cut)
    login(users["hr"])
    client.post(f"/sinkronisasi/{planned_run.id}/terapkan")
    session.expire_all()
    assert session.get(SyncRun, planned_run.id).status == "apply_failed"
    html = client.post(f"/sinkronisasi/{planned_run.id}/batalkan", follow_redirects=True).get_data(
        as_text=True
    )
    assert "Sebagian rencana ini sudah diterapkan" in html
    monkeypatch.setattr(sync_engine, "after_batch", lambda run, batch_no: None)
    client.post(f"/sinkronisasi/{planned_run.id}/terapkan")
    session.expire_all()
    assert session.get(SyncRun, planned_run.id).status == "applied"


def test_the_review_says_which_changes_a_cut_off_apply_applied(
    client, login, users, session, tmp_path, monkeypatch
):
    from skp_app.sync import engine as sync_engine

    rows = [
        siasn_row(
            nip_for(date(1980 + i, 1 + i, 3), (2005 + i, 1 + i), 1 + i % 2, 1), f"PEGAWAI {i}"
        )
        for i in range(6)
    ]
    path = tmp_path / "ekspor.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    run = engine.plan(session, SiasnCsvAdapter(path), full_export=False, actor="tester")

    def power_cut(run_, batch_no):
        raise RuntimeError("listrik padam")

    monkeypatch.setattr(sync_engine, "after_batch", power_cut)
    with pytest.raises(RuntimeError):
        engine.apply(session, run, actor="tester", batch_size=4)
    first = session.scalar(select(Pegawai).where(Pegawai.nama == "PEGAWAI 0"))
    assert session.scalar(select(Pegawai).where(Pegawai.nama == "PEGAWAI 5")) is None

    login(users["hr"])
    html = client.get(f"/sinkronisasi/{run.id}?data=pegawai").get_data(as_text=True)
    # The four employees of the committed batch link to their page; the other two not yet.
    assert f'href="/pegawai/{first.id}"' in html
    assert html.count('<td class="nowrap">belum</td>') == 2
    api = client.get(f"/api/v1/sync/runs/{run.id}/changes?entity=pegawai").get_json()
    applied = [c for c in api["items"] if c["applied_at"]]
    assert len(applied) == 4 and all(c["pegawai_id"] for c in applied)
    assert all(c["pegawai_id"] is None for c in api["items"] if not c["applied_at"])
    sheet = load_workbook(io.BytesIO(client.get(f"/sinkronisasi/{run.id}/rencana.xlsx").data))
    stamps = [r[6] for r in sheet["Perubahan"].iter_rows(min_row=2, values_only=True)]
    assert sum(1 for s in stamps if s) == 4 + run.counts["units_new"] + run.counts["positions_new"]
