"""Attendance import as a background job: upload checks, streaming parse, batched upsert,
rejected rows with reasons (and their formula-safe download), OPD scope, audit."""

from __future__ import annotations

import csv
import inspect
import io
import itertools
import re
import tracemalloc
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from skp_app.audit.models import AuditEvent
from skp_app.jobs import enqueue
from skp_app.jobs.models import Job
from skp_app.realization import attendance as att
from skp_app.realization.models import Kehadiran
from tests.helpers import TEST_PASSWORD, csrf_token_from
from tests.realization import evaluasi_fixtures

kominfo = evaluasi_fixtures.kominfo
TODAY = date(2026, 4, 10)
N = "199001012015031001"  # a valid NIP nobody holds
D = "02-03-2026"
_SEQ = itertools.count(1)
URL = "/kehadiran/impor"


def _csv(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def _xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _file(tmp_path: Path, content: bytes, kind: str = "csv") -> Path:
    path = tmp_path / f"absen-{next(_SEQ)}.{kind}"
    path.write_bytes(content)
    return path


def _no_files(tmp_path: Path) -> bool:
    folder = tmp_path / "kehadiran"
    return not folder.exists() or not any(folder.iterdir())


def _rows(session) -> dict:
    return {
        (r.pegawai_id, r.tanggal): (r.jam_masuk, r.jam_pulang, r.keterangan)
        for r in session.scalars(select(Kehadiran))
    }


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(Kehadiran))


def _import(session, k, path: Path, kind="csv", **kw):
    kw.setdefault("today", TODAY)
    kw.setdefault("actor", k.users.hr)
    return att.import_attendance_file(session, path, kind, **kw)


def _report(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


# --- upload checks (pure) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "message"),
    [
        (b"", "Berkas kosong"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "format Excel lama (.xls)"),
        (b"%PDF-1.4\n", "Berkas PDF tidak dapat diimpor"),
        (b"\x89PNG\r\n\x1a\n", "Berkas ini gambar"),
        (b"\xff\xfeN\x00I\x00P\x00", "UTF-16"),
        (b"NIP,tanggal\x00\x01\x02", "berisi data biner"),
    ],
)
def test_the_file_type_is_decided_by_content(head, message):
    with pytest.raises(att.AttendanceError, match=re.escape(message)):
        att.sniff_kind(head)


def test_csv_and_xlsx_are_recognised_whatever_their_name():
    assert att.sniff_kind(b"NIP;Tanggal;Jam Masuk;Jam Pulang\r\n") == "csv"
    assert att.sniff_kind("NIP,tanggal,keterangan\n,,Dinas luar – Kecamatan".encode("cp1252")) == (
        "csv"
    )
    assert att.sniff_kind(_xlsx([["NIP"]])[:100]) == "xlsx"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"nama,tanggal\nBudi,02-03-2026\n", "Baris judul dengan kolom NIP tidak ditemukan"),
        (b"NIP,tanggal\n1,02-03-2026\n", "Kolom wajib tidak ada pada baris judul (baris 1): jam_m"),
        (b"NIP,tanggal,jam_masuk,jam_pulang\n\n", "hanya berisi baris judul"),
        (b"PK\x03\x04 potongan arsip", "Berkas XLSX rusak atau terpotong"),
        (b"%PDF-1.7 laporan", "Berkas PDF"),
    ],
)
def test_store_upload_refuses_unreadable_files_and_leaves_nothing(tmp_path, content, message):
    with pytest.raises(att.AttendanceError, match=re.escape(message)):
        att.store_upload(io.BytesIO(content), "absen.csv", upload_dir=tmp_path, max_bytes=1 << 20)
    assert _no_files(tmp_path)


def test_store_upload_refuses_a_file_over_the_limit(tmp_path):
    big = b"NIP,tanggal,jam_masuk,jam_pulang\n" + b"199001012015031001,02-03-2026,07:30,16:00\n" * (
        30_000
    )
    with pytest.raises(att.AttendanceError, match="lebih besar dari batas 1 MB"):
        att.store_upload(io.BytesIO(big), "besar.csv", upload_dir=tmp_path, max_bytes=1 << 20)
    assert _no_files(tmp_path)


def test_store_upload_keeps_a_checked_copy_named_by_content(tmp_path):
    content = _xlsx([["Rekap mesin"], ["NIP", "Tanggal", "Jam Masuk", "Jam Pulang"], ["1", "x"]])
    stored = att.store_upload(
        io.BytesIO(content), "../../etc/absen.csv", upload_dir=tmp_path, max_bytes=1 << 20
    )
    assert stored.kind == "xlsx" and stored.path.suffix == ".xlsx"
    assert stored.path.parent == tmp_path / "kehadiran" and stored.filename == "absen.csv"
    assert stored.path.read_bytes() == content and stored.size == len(content)


# --- streaming -------------------------------------------------------------------------------


def test_rows_are_streamed_by_a_generator_with_bounded_memory(tmp_path):
    line = "199001012015031001,{d:02d}-03-2026,07:30,16:00,hadir,Dinas Komunikasi dan Informatika\n"
    path = tmp_path / "besar.csv"
    with path.open("w") as fh:
        fh.write("NIP,tanggal,jam_masuk,jam_pulang,keterangan,unit\n")
        for i in range(120_000):
            fh.write(line.format(d=i % 28 + 1))
    assert path.stat().st_size > 8_000_000
    table = att.iter_table(path, "csv")
    assert inspect.isgenerator(table)
    columns, header = att.find_header(table)
    assert header == 1 and columns["jam_pulang"] == 3
    tracemalloc.start()
    try:
        count = sum(1 for _ in table)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 120_000
    assert peak < 2_000_000  # a list of the rows would hold tens of megabytes


def test_xlsx_rows_are_streamed_read_only(tmp_path):
    path = _file(
        tmp_path, _xlsx([["NIP", "tanggal", "jam_masuk", "jam_pulang"]] + [["1"]] * 5), "xlsx"
    )
    table = att.iter_table(path, "xlsx")
    assert inspect.isgenerator(table)
    assert [n for n, _ in table] == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("cells", "code", "message"),
    [
        ([N, "31-02-2026", "07:30", "16:00"], "tanggal_tidak_sah", "tidak ada di kalender"),
        ([N, "2026/03/02", "07:30", "16:00"], "tanggal_tidak_sah", "gunakan dd-mm-yyyy"),
        ([N, "02-05-2026", "07:30", "16:00"], "tanggal_tidak_sah", "belum terjadi"),
        ([N, D, "25:00", "16:00"], "jam_tidak_sah", "Jam masuk 25:00 tidak sah"),
        ([N, D, "07:30", "16:75"], "jam_tidak_sah", "Jam pulang 16:75 tidak sah"),
        ([N, D, "16:00", "07:30"], "pulang_sebelum_masuk", "07:30 lebih awal dari jam masuk 16:00"),
        (["1990010120150310", D, "07:30", "16:00"], "nip_tidak_sah", "harus 18 digit"),
        ([1.9900101201503101e17, D, "07:30", "16:00"], "nip_tidak_sah", "sebagai Teks"),
        ([N, D, "07:30"], "baris_tidak_lengkap", "kolom jam_pulang tidak ada"),
    ],
)  # fmt: skip
def test_parse_row_gives_a_code_and_an_indonesian_reason(cells, code, message):
    columns = {"nip": 0, "tanggal": 1, "jam_masuk": 2, "jam_pulang": 3}
    error = att.parse_row(7, cells, columns, today=TODAY)
    assert isinstance(error, att.RowError)
    assert (error.row, error.code) == (7, code)
    assert message in error.message


def test_parse_row_reads_machine_formats():
    columns = {"nip": 0, "tanggal": 1, "jam_masuk": 2, "jam_pulang": 3, "keterangan": 4}
    row = att.parse_row(
        2, ["199001012015031001", "2026-03-02", "2026-03-02 07:25:59", "16.05", "DL"], columns,
        today=TODAY,
    )  # fmt: skip
    assert row == att.AttendanceRow(
        2, "199001012015031001", date(2026, 3, 2), time(7, 25), time(16, 5), "dinas_luar"
    )
    row = att.parse_row(
        3, ["'199001012015031001", datetime(2026, 3, 3), time(7, 40), 0.6875, ""], columns,
        today=TODAY,
    )  # fmt: skip
    assert row == att.AttendanceRow(
        3, "199001012015031001", date(2026, 3, 3), time(7, 40), time(16, 30), "hadir"
    )
    empty = att.parse_row(
        4, ["199001012015031001", "04-03-2026", "-", "", None], columns, today=TODAY
    )
    assert (empty.jam_masuk, empty.jam_pulang, empty.keterangan) == (None, None, "alpa")


# --- the import ------------------------------------------------------------------------------


def test_csv_import_saves_valid_rows_and_reports_each_bad_row(session, kominfo, tmp_path):
    k = kominfo
    path = _file(
        tmp_path,
        _csv(
            [
                "NIP,tanggal,jam_masuk,jam_pulang,keterangan",
                f"{k.budi.nip},02-03-2026,07:25,16:05,",
                f"{k.budi.nip},2026-03-03,07.45,16:00,hadir",
                f"{k.dewi.nip},02-03-2026,,,Sakit",
                "199001012015031999,02-03-2026,07:30,16:00,",
                f"{k.dewi.nip},31-02-2026,07:30,16:00,",
                f"{k.dewi.nip},03-03-2026,25:00,16:00,",
                f"{k.dewi.nip},04-03-2026,16:00,07:30,",
                f"{k.dewi.nip},05-03-2026,07:30,16:00,libur",
                f"{k.budi.nip},02-03-2026,07:20,16:00,",
                f"{k.dewi.nip},06-03-2026,,,",
                "12345,06-03-2026,07:30,16:00,",
            ]
        ),
    )
    report = tmp_path / "ditolak.csv"
    result = _import(session, k, path, filename="mesin-maret.csv", report=report)
    assert (result.rows, result.inserted, result.updated, result.unchanged) == (11, 4, 0, 0)
    assert result.rejected == 7
    assert result.by_reason == {
        "nip_tidak_terdaftar": 1,
        "tanggal_tidak_sah": 1,
        "jam_tidak_sah": 1,
        "pulang_sebelum_masuk": 1,
        "keterangan_tidak_dikenal": 1,
        "duplikat": 1,
        "nip_tidak_sah": 1,
    }
    lines = _report(report)
    assert [int(r[0]) for r in lines] == [5, 6, 7, 8, 9, 10, 12]  # in file order
    messages = {int(r[0]): r[4] for r in lines}
    assert messages[5] == "NIP 199001012015031999 tidak terdaftar sebagai pegawai."
    assert "Keterangan 'libur' tidak dikenal" in messages[9]
    assert messages[10].startswith("Baris ganda") and "02-03-2026" in messages[10]
    assert lines[0][:4] == ["5", "199001012015031999", "2026-03-02", "nip_tidak_terdaftar"]
    dates = {int(r[0]): r[2] for r in lines}
    assert (dates[6], dates[7]) == ("31-02-2026", "2026-03-03")  # as written when unreadable
    rows = _rows(session)
    assert rows[(k.budi.id, date(2026, 3, 2))] == (time(7, 25), time(16, 5), "hadir")
    assert rows[(k.dewi.id, date(2026, 3, 2))] == (None, None, "sakit")
    assert rows[(k.dewi.id, date(2026, 3, 6))] == (None, None, "alpa")
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "kehadiran.import"))
    assert event.after["baru"] == 4 and event.after["ditolak"] == 7
    assert event.after["alasan"]["duplikat"] == 1 and event.after["cakupan_opd"] == "semua"


def test_rerunning_the_same_file_changes_nothing_and_a_changed_time_updates(
    session, kominfo, tmp_path
):
    k = kominfo
    lines = [
        "NIP;Tanggal;Jam Masuk;Jam Pulang",
        f"{k.budi.nip};2026-03-02;07:25;16:05",
        f"{k.dewi.nip};2026-03-02;07:31;16:02",
    ]
    first = enqueue(att.JOB_KIND, _params(_file(tmp_path, _csv(lines)), k.users.hr))
    again = enqueue(att.JOB_KIND, _params(_file(tmp_path, _csv(lines)), k.users.hr))
    assert first.status == again.status == "done"
    assert (first.result["inserted"], again.result["inserted"]) == (2, 0)
    assert (again.result["updated"], again.result["unchanged"]) == (0, 2)
    assert {r.import_job_id for r in session.scalars(select(Kehadiran))} == {first.id}
    lines[2] = f"{k.dewi.nip};2026-03-02;07:29;16:02"
    changed = enqueue(att.JOB_KIND, _params(_file(tmp_path, _csv(lines)), k.users.hr))
    assert (changed.result["inserted"], changed.result["updated"]) == (0, 1)
    dewi = session.scalar(select(Kehadiran).where(Kehadiran.pegawai_id == k.dewi.id))
    assert dewi.jam_masuk == time(7, 29) and dewi.import_job_id == changed.id
    assert _count(session) == 2


def _params(path: Path, user, kind: str = "csv") -> dict:
    return {"path": str(path), "kind": kind, "filename": path.name, "user_id": user.id}


def test_batches_are_committed_one_by_one_with_progress(session, kominfo, tmp_path):
    k = kominfo
    days = [date(2026, 3, d) for d in (2, 3, 4, 5, 6)]
    path = _file(
        tmp_path,
        _csv(
            ["NIP,tanggal,jam_masuk,jam_pulang"] + [f"{k.budi.nip},{d},07:30,16:00" for d in days]
        ),
    )
    seen = []

    def progress(done, total, message):
        seen.append((done, total, _count(session), message))

    result = _import(session, k, path, batch_size=2, progress=progress)
    assert result.inserted == 5
    assert [(done, stored) for done, _, stored, _ in seen] == [(3, 2), (5, 4), (6, 5)]
    assert seen[-1][1] == 6 and seen[-1][3] == "5 baris diproses: 5 tersimpan, 0 ditolak"


def test_duplicates_are_found_across_batches(session, kominfo, tmp_path):
    k = kominfo
    path = _file(
        tmp_path,
        _csv(
            [
                "NIP,tanggal,jam_masuk,jam_pulang",
                f"{k.budi.nip},02-03-2026,07:30,16:00",
                f"{k.dewi.nip},02-03-2026,07:30,16:00",
                f"{k.budi.nip},2026-03-02,07:45,16:00",
            ]
        ),
    )
    result = _import(session, k, path, batch_size=1)
    assert (result.inserted, result.rejected, dict(result.by_reason)) == (2, 1, {"duplikat": 1})
    assert _rows(session)[(k.budi.id, date(2026, 3, 2))][0] == time(7, 30)  # the first one wins


def test_an_operator_imports_only_the_rows_of_their_opd(session, kominfo, tmp_path):
    k = kominfo
    content = _csv(
        [
            "NIP,tanggal,jam_masuk,jam_pulang",
            f"{k.budi.nip},02-03-2026,07:30,16:00",
            f"{k.outsider.nip},02-03-2026,07:30,16:00",
            f"{k.dewi.nip},02-03-2026,07:35,16:00",
        ]
    )
    path = _file(tmp_path, content)
    job = enqueue(att.JOB_KIND, _params(path, k.users.operator), user=k.users.operator)
    assert not path.exists()  # the stored upload is removed once its rows are in the database
    result = job.result
    assert (result["inserted"], result["rejected"]) == (2, 1)
    assert result["by_reason"] == {"opd_lain": 1} and result["scope"] == [k.dinas.id]
    row, nip, _tanggal, code, message = result["sample"][0]
    assert (row, nip, code) == (3, k.outsider.nip, "opd_lain")
    assert message == (
        f"NIP {k.outsider.nip} adalah pegawai Dinas Kesehatan, bukan OPD Anda; kehadiran OPD "
        "lain diimpor oleh OPD itu atau BKPSDM."
    )
    assert {pid for pid, _ in _rows(session)} == {k.budi.id, k.dewi.id}
    other = enqueue(att.JOB_KIND, _params(_file(tmp_path, content), k.users.hr))
    assert other.result["inserted"] == 1  # BKPSDM imports the Dinas Kesehatan row


def test_xlsx_import_reads_date_and_time_cells_and_refuses_numeric_nip(session, kominfo, tmp_path):
    k = kominfo
    content = _xlsx(
        [
            ["Rekap mesin absensi Diskominfo"],
            ["NIP", "Tanggal", "Jam Masuk", "Jam Pulang", "Keterangan"],
            [k.budi.nip, datetime(2026, 3, 2), time(7, 40), time(16, 0), "Hadir"],
            [k.dewi.nip, "02-03-2026", "07:30", "16:00", "DL"],
            [float(k.budi.nip), datetime(2026, 3, 3), time(7, 30), time(16, 0), None],
        ]
    )
    result = _import(session, k, _file(tmp_path, content, "xlsx"), "xlsx")
    assert result.inserted == 2
    assert [e.row for e in result.sample] == [5]
    assert "format kolom NIP sebagai Teks" in result.sample[0].message
    rows = _rows(session)
    assert rows[(k.budi.id, date(2026, 3, 2))] == (time(7, 40), time(16, 0), "hadir")
    assert rows[(k.dewi.id, date(2026, 3, 2))][2] == "dinas_luar"


def _cut_sheet(content: bytes, keep: float) -> bytes:
    """Return the workbook with its sheet XML cut off (a corrupted export)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: int(len(data) * keep)]
            target.writestr(item, data)
    return out.getvalue()


def test_a_workbook_cut_off_in_the_middle_keeps_the_batches_read_before(session, kominfo, tmp_path):
    k = kominfo
    days = [date(2026, 3, d) for d in range(2, 28) if date(2026, 3, d).weekday() < 5]
    rows = [["NIP", "tanggal", "jam_masuk", "jam_pulang"]]
    rows += [[p.nip, d, "07:30", "16:00"] for d in days for p in (k.budi, k.dewi)]
    broken = _cut_sheet(_xlsx(rows), 0.6)
    result = _import(session, k, _file(tmp_path, broken, "xlsx"), "xlsx", batch_size=5)
    assert result.fatal.startswith("Berkas XLSX rusak atau terpotong setelah baris ")
    assert 0 < result.inserted < len(rows) - 1 and _count(session) == result.inserted
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "kehadiran.import"))
    assert event.after["terhenti"] == result.fatal
    again = _import(session, k, _file(tmp_path, _xlsx(rows), "xlsx"), "xlsx")
    assert (again.inserted, again.unchanged) == (len(rows) - 1 - result.inserted, result.inserted)


def test_a_garbled_csv_stops_where_it_breaks(session, kominfo, tmp_path):
    k = kominfo
    garbage = '"' + "x" * 200_000  # an unterminated quote swallowing the rest of the file
    path = _file(
        tmp_path,
        _csv(
            [
                "NIP,tanggal,jam_masuk,jam_pulang",
                f"{k.budi.nip},02-03-2026,07:30,16:00",
                f"{k.dewi.nip},02-03-2026,07:30,{garbage}",
                f"{k.dewi.nip},03-03-2026,07:30,16:00",
            ]
        ),
    )
    result = _import(session, k, path)
    assert result.fatal.startswith("Berkas CSV rusak setelah baris 2")
    assert result.inserted == 1 and _count(session) == 1


def test_a_truncated_last_line_is_reported_not_guessed(session, kominfo, tmp_path):
    k = kominfo
    content = _csv(["NIP,tanggal,jam_masuk,jam_pulang", f"{k.budi.nip},02-03-2026,07:30,16:00"])
    content += f"{k.dewi.nip},02-03-2026,07:3".encode()
    result = _import(session, k, _file(tmp_path, content))
    assert result.inserted == 1 and dict(result.by_reason) == {"baris_tidak_lengkap": 1}
    assert "kolom jam_pulang tidak ada" in result.sample[0].message


# --- permissions (pure) ----------------------------------------------------------------------


def test_who_may_import_and_for_which_opd(kominfo):
    k = kominfo
    users = vars(k.users)
    assert {n for n, u in users.items() if att.can_upload_attendance(u)} == {
        "admin",
        "hr",
        "operator",
        "operator_lain",
    }
    assert att.attendance_scope(k.users.hr) is None and att.attendance_scope(k.users.admin) is None
    assert att.attendance_scope(k.users.operator) == {k.dinas.id}
    assert att.attendance_scope(k.users.budi) == set()


def test_an_import_is_seen_by_its_uploader_hr_and_admin(session, kominfo, tmp_path):
    k = kominfo
    path = _file(tmp_path, _csv(["NIP,tanggal,jam_masuk,jam_pulang", f"{k.budi.nip},02-03-2026,,"]))
    job = enqueue(att.JOB_KIND, _params(path, k.users.operator), user=k.users.operator)
    users = vars(k.users)
    assert {n for n, u in users.items() if att.can_view_attendance_import(u, job)} == {
        "admin",
        "hr",
        "operator",
    }
    other = Job(kind="tpp_recap", created_by_id=k.users.operator.id)
    assert not att.can_view_attendance_import(k.users.operator, other)


# --- pages -----------------------------------------------------------------------------------


def _csrf_login(client, user) -> None:
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    resp = client.post(
        "/login", data={"login": user.username, "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert resp.status_code == 302


def test_upload_workflow_with_csrf_runs_the_job_and_offers_the_rejected_rows(
    csrf_app, client, session, kominfo
):
    k = kominfo
    content = _csv(
        [
            "NIP,tanggal,jam_masuk,jam_pulang,keterangan",
            f"{k.budi.nip},02-03-2026,07:35,16:00,",
            "199001012015031999,02-03-2026,07:30,16:00,",
            f'{k.dewi.nip},02-03-2026,07:30,16:00,=HYPERLINK("http://contoh.invalid")',
            f"{k.dewi.nip},03-03-2026,07:30,16:00,",
        ]
    )
    _csrf_login(client, k.users.hr)
    token = csrf_token_from(client.get(URL).get_data(as_text=True))
    refused = client.post(
        URL, data={"berkas": (io.BytesIO(content), "mesin.csv")}, content_type="multipart/form-data"
    )
    assert refused.status_code == 400 and _count(session) == 0
    resp = client.post(
        URL,
        data={"berkas": (io.BytesIO(content), "mesin.csv"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 303
    job = session.scalar(select(Job).where(Job.kind == att.JOB_KIND))
    assert resp.headers["Location"].endswith(f"/kehadiran/impor/{job.id}")
    assert job.status == "done" and job.created_by_id == k.users.hr.id
    assert _count(session) == 2
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "tidak terdaftar sebagai pegawai" in html and "Keterangan tidak dikenal" in html
    assert "Unduh baris ditolak (XLSX)" in html
    status = client.get(f"{URL}/{job.id}/status").get_json()
    assert status["status"] == "done" and status["running"] is False and status["percent"] == 100

    download = client.get(f"{URL}/{job.id}/ditolak.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    lines = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines[0] == ["Baris", "NIP", "Tanggal", "Kode alasan", "Alasan"]
    assert [line[0] for line in lines[1:]] == ["3", "4"]
    assert lines[2][4].startswith("Keterangan '=HYPERLINK(")  # text, not a formula
    xlsx = client.get(f"{URL}/{job.id}/ditolak.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1] == ["Baris", "NIP", "Tanggal", "Kode alasan", "Alasan"]
    assert values[2][:4] == [3, "199001012015031999", "2026-03-02", "nip_tidak_terdaftar"]
    assert client.get(f"{URL}/{job.id}/ditolak.pdf").status_code == 404

    again = client.post(
        URL,
        data={"berkas": (io.BytesIO(content), "mesin.csv"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    rerun = db_job(session, again)
    assert (rerun.result["inserted"], rerun.result["updated"], rerun.result["unchanged"]) == (
        0,
        0,
        2,
    )
    assert _count(session) == 2
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "kehadiran.import").order_by(AuditEvent.id)
    ).all()
    assert [e.after["baru"] for e in events] == [2, 0] and events[0].actor_user_id == k.users.hr.id


def db_job(session, response) -> Job:
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return session.get(Job, job_id)


def test_a_job_file_csv_with_formula_text_stays_text(tmp_path):
    out = io.BytesIO()
    rows = iter([["4", "=cmd|' /C calc'!A0", "2026-03-02", "nip_tidak_sah", "@SUM(A1)"]])
    assert att.export_report(rows, "csv", out, title="x").startswith("text/csv")
    text = out.getvalue().decode("utf-8-sig")
    assert "'=cmd|" in text and "'@SUM(A1)" in text


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("absen.pdf", b"%PDF-1.4 ...", "Berkas PDF tidak dapat diimpor"),
        ("absen.csv", b"", "Berkas kosong"),
        ("absen.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "format Excel lama"),
        ("absen.csv", b"nama,tanggal\nBudi,02-03-2026\n", "Baris judul dengan kolom NIP"),
        ("absen.xlsx", b"PK\x03\x04 bukan xlsx", "Berkas XLSX rusak atau terpotong"),
    ],
)
def test_a_bad_upload_is_refused_with_a_clear_message_and_no_job(
    client, login, session, kominfo, filename, content, message
):
    login(kominfo.users.hr)
    resp = client.post(
        URL, data={"berkas": (io.BytesIO(content), filename)}, content_type="multipart/form-data"
    )
    assert resp.status_code == 422
    assert message in resp.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Job)) == 0


def test_an_upload_without_a_file_is_refused(client, login, kominfo):
    login(kominfo.users.hr)
    resp = client.post(URL, data={}, content_type="multipart/form-data")
    assert resp.status_code == 422
    assert "Pilih berkas CSV atau XLSX" in resp.get_data(as_text=True)


def test_an_upload_over_the_configured_size_is_refused(app, client, login, kominfo):
    before = app.config.get("SKP_ATTENDANCE_MAX_UPLOAD_MB")
    app.config["SKP_ATTENDANCE_MAX_UPLOAD_MB"] = 1
    try:
        login(kominfo.users.hr)
        row = f"{kominfo.budi.nip},02-03-2026,07:30,16:00\n".encode()
        content = b"NIP,tanggal,jam_masuk,jam_pulang\n" + row * 30_000
        resp = client.post(
            URL, data={"berkas": (io.BytesIO(content[: (1 << 20) + 30_000]), "a.csv")},
            content_type="multipart/form-data",
        )  # fmt: skip
        assert resp.status_code == 422
        assert "lebih besar dari batas 1 MB" in resp.get_data(as_text=True)
        huge = client.post(
            URL, data={"berkas": (io.BytesIO(content * 3), "a.csv")},
            content_type="multipart/form-data",
        )  # fmt: skip
        assert huge.status_code == 413
    finally:
        app.config["SKP_ATTENDANCE_MAX_UPLOAD_MB"] = before


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("hr", 200),
        ("operator", 200),
        ("operator_lain", 200),
        ("pimpinan", 403),
        ("kadis", 403),
        ("budi", 403),
    ],
)
def test_upload_page_matrix(client, login, kominfo, who, status):
    login(getattr(kominfo.users, who))
    assert client.get(URL).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("operator", 200),
        ("hr", 200),
        ("admin", 200),
        ("operator_lain", 403),
        ("pimpinan", 403),
        ("budi", 403),
    ],
)
def test_import_result_page_matrix(client, login, session, kominfo, tmp_path, who, status):
    k = kominfo
    path = _file(tmp_path, _csv(["NIP,tanggal,jam_masuk,jam_pulang", f"{k.budi.nip},02-03-2026,,"]))
    job = enqueue(att.JOB_KIND, _params(path, k.users.operator), user=k.users.operator)
    login(getattr(k.users, who))
    for url in (f"{URL}/{job.id}", f"{URL}/{job.id}/status", f"{URL}/{job.id}/ditolak.csv"):
        assert client.get(url).status_code == status, url


def test_a_job_of_another_kind_is_not_an_import(client, login, session, kominfo):
    job = Job(kind="tpp_recap", created_by_id=kominfo.users.hr.id, status="done")
    session.add(job)
    session.commit()
    login(kominfo.users.hr)
    assert client.get(f"{URL}/{job.id}").status_code == 404
    assert client.get(f"{URL}/99999").status_code == 404


def test_a_running_import_shows_its_progress_and_polls(client, login, session, kominfo):
    job = Job(
        kind=att.JOB_KIND,
        status="running",
        params={"filename": "mesin-oktober.xlsx"},
        progress=150_000,
        total=440_000,
        message="150.000 baris diproses: 149.100 tersimpan, 900 ditolak",
        created_by_id=kominfo.users.hr.id,
    )
    session.add(job)
    session.commit()
    login(kominfo.users.hr)
    html = client.get(f"{URL}/{job.id}").get_data(as_text=True)
    assert "150.000 baris diproses" in html and 'aria-valuenow="34"' in html
    assert f"/kehadiran/impor/{job.id}/status" in html
    assert "Halaman ini boleh dimuat ulang" in html
    assert client.get(f"{URL}/{job.id}/ditolak.csv").status_code == 409
    status = client.get(f"{URL}/{job.id}/status").get_json()
    assert status["running"] is True and status["percent"] == 34


def test_the_upload_page_lists_recent_imports_in_scope(client, login, session, kominfo, tmp_path):
    k = kominfo
    path = _file(tmp_path, _csv(["NIP,tanggal,jam_masuk,jam_pulang", f"{k.budi.nip},02-03-2026,,"]))
    mine = enqueue(att.JOB_KIND, _params(path, k.users.operator), user=k.users.operator)
    login(k.users.operator_lain)
    assert f"{URL}/{mine.id}" not in client.get(URL).get_data(as_text=True)
    client.post("/logout")
    login(k.users.hr)
    html = client.get(URL).get_data(as_text=True)
    assert f"{URL}/{mine.id}" in html and "semua OPD" in html


@pytest.mark.parametrize("sep", [";", ",", "\t", "|"])
def test_a_small_csv_of_mostly_empty_fields_is_read_with_the_header_delimiter(tmp_path, sep):
    # csv.Sniffer cannot decide on rows like "…;;;izin": the header line decides.
    text = sep.join(["NIP", "Tanggal", "Jam Masuk", "Jam Pulang", "Keterangan"]) + "\r\n"
    text += sep.join(["198503152010011004", "2026-03-02", "", "", "izin"]) + "\r\n"
    text += sep.join(["198503152010011004", "2026-03-03", "", "", f'"dinas{sep} luar"']) + "\r\n"
    path = tmp_path / "absen.csv"
    path.write_text(text, encoding="utf-8")
    rows = list(att.iter_table(path, "csv"))
    assert rows[1:] == [
        (2, ["198503152010011004", "2026-03-02", "", "", "izin"]),
        (3, ["198503152010011004", "2026-03-03", "", "", f"dinas{sep} luar"]),
    ]
