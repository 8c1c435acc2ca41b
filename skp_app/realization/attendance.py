"""Import of the attendance machine export (CSV or XLSX) into :class:`Kehadiran`.

Columns (header names are case-insensitive; common aliases accepted): ``NIP``, ``tanggal``
(``dd-mm-yyyy`` or ``yyyy-mm-dd``), ``jam_masuk``, ``jam_pulang`` (``HH:MM``), optional
``keterangan`` (hadir, izin, sakit, cuti, dinas luar, alpa; empty = hadir when a time is
present, else alpa). Every row with a problem (unknown NIP, bad date or time, duplicate day)
is reported with its row number and skipped; valid rows are upserted on (pegawai, tanggal) so
importing the same file again changes nothing. The caller commits once (all valid rows or,
on an unexpected error, nothing).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from openpyxl import load_workbook
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from skp_app.audit.operations import record
from skp_app.org.models import Pegawai
from skp_app.realization.models import KEHADIRAN, Kehadiran

__all__ = [
    "AttendanceError",
    "ImportResult",
    "RowError",
    "import_attendance",
    "read_attendance_file",
]

MAX_ROWS = 500_000
_ALIASES = {
    "nip": "nip",
    "nip_baru": "nip",
    "nip_pegawai": "nip",
    "tanggal": "tanggal",
    "tgl": "tanggal",
    "date": "tanggal",
    "tanggal_absen": "tanggal",
    "jam_masuk": "jam_masuk",
    "masuk": "jam_masuk",
    "scan_masuk": "jam_masuk",
    "jam_datang": "jam_masuk",
    "jam_pulang": "jam_pulang",
    "pulang": "jam_pulang",
    "scan_pulang": "jam_pulang",
    "jam_keluar": "jam_pulang",
    "keterangan": "keterangan",
    "ket": "keterangan",
    "status": "keterangan",
}
REQUIRED = ("nip", "tanggal", "jam_masuk", "jam_pulang")
_KETERANGAN = {
    "hadir": "hadir",
    "h": "hadir",
    "izin": "izin",
    "ijin": "izin",
    "i": "izin",
    "sakit": "sakit",
    "s": "sakit",
    "cuti": "cuti",
    "c": "cuti",
    "dinas luar": "dinas_luar",
    "dinas_luar": "dinas_luar",
    "dl": "dinas_luar",
    "tugas luar": "dinas_luar",
    "alpa": "alpa",
    "alpha": "alpa",
    "a": "alpa",
    "tk": "alpa",
    "tanpa keterangan": "alpa",
    "mangkir": "alpa",
}
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_HM = re.compile(r"^(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?$")


class AttendanceError(ValueError):
    """The file cannot be read as an attendance export (Indonesian message)."""


@dataclass(frozen=True)
class RowError:
    """A skipped row: its number in the file (the header is row 1), NIP and the reason."""

    row: int
    nip: str
    message: str


@dataclass
class ImportResult:
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def valid(self) -> int:
        return self.inserted + self.updated + self.unchanged


def _header_key(value) -> str:
    text = str(value or "").strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def _rows_from_csv(data: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text), dialect))


def _rows_from_xlsx(data: bytes) -> list[list]:
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any parse failure means "not a readable XLSX"
        raise AttendanceError(f"Berkas XLSX tidak dapat dibaca: {exc}.") from None
    try:
        ws = wb.worksheets[0]
        return [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def read_attendance_file(
    filename: str, data: bytes
) -> tuple[dict[str, int], list[tuple[int, list]]]:
    """Read the file into ``(column index by field, [(row number, cells), …])``.

    The header is the first row (within the first 10) that has a NIP column.

    Raises
    ------
    AttendanceError
        For an unsupported or unreadable file or missing columns.
    """
    name = (filename or "").lower()
    if not data:
        raise AttendanceError("Berkas kosong.")
    if name.endswith(".xlsx"):
        table = _rows_from_xlsx(data)
    elif name.endswith((".csv", ".txt")):
        table = _rows_from_csv(data)
    else:
        raise AttendanceError("Format berkas tidak didukung: unggah .csv atau .xlsx.")
    for index, cells in enumerate(table[:10]):
        keys = [_ALIASES.get(_header_key(c)) for c in cells]
        if "nip" in keys:
            columns: dict[str, int] = {}
            for position, key in enumerate(keys):
                if key and key not in columns:
                    columns[key] = position
            missing = [c for c in REQUIRED if c not in columns]
            if missing:
                raise AttendanceError(
                    "Kolom wajib tidak ada: " + ", ".join(missing) + ". Kolom yang dibutuhkan: "
                    "NIP, tanggal, jam_masuk, jam_pulang (keterangan opsional)."
                )
            body = [
                (number, row)
                for number, row in enumerate(table[index + 1 :], start=index + 2)
                if any(c not in (None, "") for c in row)
            ]
            if len(body) > MAX_ROWS:
                raise AttendanceError(
                    f"Berkas berisi {len(body)} baris; paling banyak {MAX_ROWS} per impor."
                )
            return columns, body
    raise AttendanceError(
        "Baris judul dengan kolom NIP tidak ditemukan pada 10 baris pertama berkas."
    )


def _cell(row: list, columns: dict[str, int], key: str):
    position = columns.get(key)
    if position is None or position >= len(row):
        return None
    value = row[position]
    return value.strip() if isinstance(value, str) else value


def _nip(value) -> str:
    if isinstance(value, float):
        raise ValueError(
            "NIP terbaca sebagai angka sehingga digit terakhirnya hilang; format kolom NIP "
            "sebagai Teks di Excel"
        )
    text = str(value or "").replace(" ", "").replace("'", "")
    if not re.fullmatch(r"\d{18}", text):
        raise ValueError(f"NIP {text or '(kosong)'} harus 18 digit angka")
    return text


def _date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    try:
        if match := _DMY.match(text):
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        if match := _YMD.match(text):
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise ValueError(f"tanggal {text} tidak ada di kalender") from None
    raise ValueError(f"tanggal {text or '(kosong)'} tidak sah: gunakan dd-mm-yyyy atau yyyy-mm-dd")


def _time(value, label: str) -> time | None:
    if value is None or value == "" or value == "-":
        return None
    if isinstance(value, datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, float | int) and not isinstance(value, bool) and 0 <= value < 1:
        minutes = round(float(value) * 24 * 60)
        return time(minutes // 60, minutes % 60)
    text = str(value).strip()
    match = _HM.match(text)
    if not match or int(match.group(1)) > 23:
        raise ValueError(f"{label} {text} tidak sah: gunakan JJ:MM, misalnya 07:30")
    return time(int(match.group(1)), int(match.group(2)))


def _keterangan(value, has_time: bool) -> str:
    text = re.sub(r"\s+", " ", str(value or "").strip().lower())
    if not text:
        return "hadir" if has_time else "alpa"
    if text in _KETERANGAN:
        return _KETERANGAN[text]
    allowed = ", ".join(KEHADIRAN[k].lower() for k in KEHADIRAN)
    raise ValueError(f"keterangan {value!r} tidak dikenal (pilih: {allowed})")


def _pegawai_ids(session: Session, nips: set[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    items = sorted(nips)
    for start in range(0, len(items), 5000):
        chunk = items[start : start + 5000]
        rows = session.execute(select(Pegawai.nip, Pegawai.id).where(Pegawai.nip.in_(chunk)))
        out.update(rows.all())
    return out


def import_attendance(session: Session, filename: str, data: bytes, *, actor) -> ImportResult:
    """Validate every row and upsert the valid ones; return counts and the per-row errors.

    Raises
    ------
    AttendanceError
        When the file itself cannot be read (nothing is written).
    """
    columns, body = read_attendance_file(filename, data)
    result = ImportResult(rows=len(body))
    parsed: list[tuple[int, str, date, time | None, time | None, str]] = []
    for number, row in body:
        raw_nip = _cell(row, columns, "nip")
        shown = str(raw_nip if raw_nip is not None else "")
        try:
            nip = _nip(raw_nip)
            tanggal = _date(_cell(row, columns, "tanggal"))
            masuk = _time(_cell(row, columns, "jam_masuk"), "jam masuk")
            pulang = _time(_cell(row, columns, "jam_pulang"), "jam pulang")
            ket = _keterangan(
                _cell(row, columns, "keterangan"), masuk is not None or pulang is not None
            )
            if masuk is not None and pulang is not None and pulang < masuk:
                raise ValueError(
                    f"jam pulang {pulang:%H:%M} lebih awal dari jam masuk {masuk:%H:%M}"
                )
        except ValueError as exc:
            result.errors.append(RowError(number, shown, str(exc)[:1].upper() + str(exc)[1:] + "."))
            continue
        parsed.append((number, nip, tanggal, masuk, pulang, ket))

    known = _pegawai_ids(session, {p[1] for p in parsed})
    seen: dict[tuple[int, date], int] = {}
    wanted: dict[tuple[int, date], tuple[time | None, time | None, str]] = {}
    for number, nip, tanggal, masuk, pulang, ket in parsed:
        pid = known.get(nip)
        if pid is None:
            result.errors.append(
                RowError(number, nip, f"NIP {nip} tidak terdaftar sebagai pegawai.")
            )
            continue
        key = (pid, tanggal)
        if key in seen:
            result.errors.append(
                RowError(
                    number,
                    nip,
                    f"Duplikat: NIP {nip} tanggal {tanggal:%d-%m-%Y} sudah ada di baris "
                    f"{seen[key]}.",
                )
            )
            continue
        seen[key] = number
        wanted[key] = (masuk, pulang, ket)
    result.errors.sort(key=lambda e: e.row)

    if wanted:
        days = [k[1] for k in wanted]
        pids = sorted({k[0] for k in wanted})
        existing: dict[tuple[int, date], tuple[int, time | None, time | None, str]] = {}
        for start in range(0, len(pids), 5000):
            chunk = pids[start : start + 5000]
            for row_id, pid, tanggal, masuk, pulang, ket in session.execute(
                select(
                    Kehadiran.id,
                    Kehadiran.pegawai_id,
                    Kehadiran.tanggal,
                    Kehadiran.jam_masuk,
                    Kehadiran.jam_pulang,
                    Kehadiran.keterangan,
                ).where(
                    Kehadiran.pegawai_id.in_(chunk),
                    Kehadiran.tanggal >= min(days),
                    Kehadiran.tanggal <= max(days),
                )
            ):
                existing[(pid, tanggal)] = (row_id, masuk, pulang, ket)
        inserts, updates = [], []
        for (pid, tanggal), (masuk, pulang, ket) in wanted.items():
            current = existing.get((pid, tanggal))
            if current is None:
                inserts.append(
                    {
                        "pegawai_id": pid,
                        "tanggal": tanggal,
                        "jam_masuk": masuk,
                        "jam_pulang": pulang,
                        "keterangan": ket,
                    }
                )
            elif current[1:] != (masuk, pulang, ket):
                updates.append(
                    {"id": current[0], "jam_masuk": masuk, "jam_pulang": pulang, "keterangan": ket}
                )
            else:
                result.unchanged += 1
        if inserts:
            session.execute(insert(Kehadiran), inserts)
        if updates:
            session.execute(update(Kehadiran), updates)
        result.inserted, result.updated = len(inserts), len(updates)
    session.flush()
    record(
        session,
        "kehadiran.import",
        "kehadiran",
        filename or "-",
        actor=actor,
        after={
            "baris": result.rows,
            "baru": result.inserted,
            "diperbarui": result.updated,
            "tetap": result.unchanged,
            "ditolak": len(result.errors),
        },
        summary=(
            f"Impor kehadiran {filename}: {result.inserted} baru, {result.updated} diperbarui, "
            f"{len(result.errors)} baris ditolak"
        ),
    )
    return result
