"""Attendance import: per-row errors, idempotent upsert, CSV and XLSX formats."""

from __future__ import annotations

import io
from datetime import date, datetime, time

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from skp_app.audit.models import AuditEvent
from skp_app.realization.attendance import AttendanceError, import_attendance
from skp_app.realization.models import Kehadiran
from tests.realization import evaluasi_fixtures

kominfo = evaluasi_fixtures.kominfo


def _csv(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def _rows(session):
    return {
        (r.pegawai_id, r.tanggal): (r.jam_masuk, r.jam_pulang, r.keterangan)
        for r in session.scalars(select(Kehadiran))
    }


def test_csv_import_reports_bad_rows_and_saves_the_valid_ones(session, kominfo):
    k = kominfo
    content = _csv(
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
    )
    result = import_attendance(session, "mesin-maret.csv", content, actor=k.users.hr)
    session.commit()
    assert (result.rows, result.inserted, result.updated, result.unchanged) == (11, 4, 0, 0)
    messages = {e.row: e.message for e in result.errors}
    assert messages[5] == "NIP 199001012015031999 tidak terdaftar sebagai pegawai."
    assert "tidak ada di kalender" in messages[6]
    assert "Jam masuk 25:00 tidak sah" in messages[7]
    assert "Jam pulang 07:30 lebih awal dari jam masuk 16:00" in messages[8]
    assert "Keterangan 'libur' tidak dikenal" in messages[9]
    assert messages[10].startswith("Duplikat") and "baris 2" in messages[10]
    assert "harus 18 digit" in messages[12]
    assert list(messages) == sorted(messages)
    rows = _rows(session)
    assert rows[(k.budi.id, date(2026, 3, 2))] == (time(7, 25), time(16, 5), "hadir")
    assert rows[(k.budi.id, date(2026, 3, 3))] == (time(7, 45), time(16, 0), "hadir")
    assert rows[(k.dewi.id, date(2026, 3, 2))] == (None, None, "sakit")
    assert rows[(k.dewi.id, date(2026, 3, 6))] == (None, None, "alpa")
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "kehadiran.import"))
    assert event.after["ditolak"] == 7


def test_reimporting_the_same_file_changes_nothing_and_a_changed_time_updates(session, kominfo):
    k = kominfo
    lines = [
        "NIP;Tanggal;Jam Masuk;Jam Pulang",
        f"{k.budi.nip};2026-03-02;07:25;16:05",
        f"{k.dewi.nip};2026-03-02;07:31;16:02",
    ]
    first = import_attendance(session, "a.csv", _csv(lines), actor=k.users.hr)
    session.commit()
    again = import_attendance(session, "a.csv", _csv(lines), actor=k.users.hr)
    session.commit()
    assert (first.inserted, again.inserted, again.updated, again.unchanged) == (2, 0, 0, 2)
    lines[2] = f"{k.dewi.nip};2026-03-02;07:29;16:02"
    changed = import_attendance(session, "a.csv", _csv(lines), actor=k.users.hr)
    session.commit()
    assert (changed.inserted, changed.updated, changed.unchanged) == (0, 1, 1)
    assert _rows(session)[(k.dewi.id, date(2026, 3, 2))][0] == time(7, 29)
    assert session.scalar(select(func.count()).select_from(Kehadiran)) == 2


def test_xlsx_import_reads_date_and_time_cells_and_refuses_numeric_nip(session, kominfo):
    k = kominfo
    wb = Workbook()
    ws = wb.active
    ws.append(["Rekap mesin absensi Diskominfo"])
    ws.append(["NIP", "Tanggal", "Jam Masuk", "Jam Pulang", "Keterangan"])
    ws.append([k.budi.nip, datetime(2026, 3, 2), time(7, 40), time(16, 0), "Hadir"])
    ws.append([k.dewi.nip, "02-03-2026", "07:30", "16:00", "DL"])
    ws.append([float(k.budi.nip), datetime(2026, 3, 3), time(7, 30), time(16, 0), None])
    buffer = io.BytesIO()
    wb.save(buffer)
    result = import_attendance(session, "absensi.XLSX", buffer.getvalue(), actor=k.users.hr)
    session.commit()
    assert result.inserted == 2
    assert [e.row for e in result.errors] == [5]
    assert "format kolom NIP sebagai Teks" in result.errors[0].message
    rows = _rows(session)
    assert rows[(k.budi.id, date(2026, 3, 2))] == (time(7, 40), time(16, 0), "hadir")
    assert rows[(k.dewi.id, date(2026, 3, 2))][2] == "dinas_luar"


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("absen.pdf", b"%PDF-1.4", "Format berkas tidak didukung"),
        ("absen.csv", b"", "Berkas kosong"),
        ("absen.csv", b"nama,tanggal\nBudi,02-03-2026\n", "Baris judul dengan kolom NIP"),
        (
            "absen.csv",
            b"NIP,tanggal\n1,02-03-2026\n",
            "Kolom wajib tidak ada: jam_masuk, jam_pulang",
        ),
        ("absen.xlsx", b"bukan xlsx", "Berkas XLSX tidak dapat dibaca"),
    ],
)
def test_unreadable_files_are_refused_and_nothing_is_written(
    session, kominfo, filename, content, message
):
    with pytest.raises(AttendanceError, match=message):
        import_attendance(session, filename, content, actor=kominfo.users.hr)
    assert session.scalar(select(func.count()).select_from(Kehadiran)) == 0
