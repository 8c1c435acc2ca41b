"""Import of the attendance machine export (CSV or XLSX) into :class:`Kehadiran`, as a job.

A regency-wide month is about 440,000 rows, so the import runs outside the request:

1. :func:`store_upload` (in the request) copies the upload to the upload folder while checking
   it: type by content (an XLSX is a ZIP workbook, a CSV is text; an old ``.xls``, a PDF or an
   image is refused), the size limit, and a header row with the required columns followed by
   at least one row. Problems raise :class:`AttendanceError` with an Indonesian message.
2. The ``kehadiran.import`` job (:func:`import_job`) streams the stored file
   (:func:`iter_table`: ``csv.reader`` or openpyxl ``read_only``; a generator, never a list),
   checks each row (:func:`parse_row`), and writes :class:`Kehadiran` in batches of
   :data:`BATCH_SIZE`, each batch its own transaction. Rows are upserted on (pegawai, tanggal)
   so importing the same file again changes nothing; ``Kehadiran.import_job_id`` names the job
   that last wrote a row.
3. Bad rows are not written: an unknown or malformed NIP, an impossible date or time, a
   check-out before the check-in, an unknown keterangan, a duplicate (pegawai, tanggal) in the
   file, a truncated row, and — for an OPD operator — an employee of another OPD. Each is kept
   with its row number, code and reason in a report file next to the upload
   (:func:`report_rows`), offered as CSV/XLSX with formula-safe cells (:func:`export_report`).
4. One audit event per import with the counts.

Columns (header names are case-insensitive; common aliases accepted): ``NIP``, ``tanggal``
(``dd-mm-yyyy`` or ``yyyy-mm-dd``), ``jam_masuk``, ``jam_pulang`` (``HH:MM``), optional
``keterangan`` (hadir, izin, sakit, cuti, dinas luar, alpa; empty = hadir when a time is
present, else alpa).

Memory stays bounded: the rows are streamed; what grows is the NIP → employee cache (at most
the number of employees) and one bit per (employee, day) seen to find duplicates.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import islice
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from skp_app.audit.operations import record
from skp_app.auth.permissions import has_any_role
from skp_app.jobs import JobContext, job
from skp_app.org.models import Pegawai, UnitOrganisasi
from skp_app.realization.models import KEHADIRAN, Kehadiran
from skp_app.realization.totals import apply_attendance_days
from skp_app.realization.tpp import formula_safe
from skp_app.timeutil import WIB

__all__ = [
    "BATCH_SIZE",
    "JOB_KIND",
    "REASONS",
    "AttendanceError",
    "AttendanceRow",
    "ImportResult",
    "RowError",
    "StoredUpload",
    "attendance_scope",
    "can_upload_attendance",
    "can_view_attendance_import",
    "export_report",
    "find_header",
    "import_attendance_file",
    "import_job",
    "iter_table",
    "parse_row",
    "report_rows",
    "sniff_kind",
    "store_upload",
]

JOB_KIND = "kehadiran.import"
BATCH_SIZE = 5_000
MAX_ROWS = 1_000_000
SAMPLE_ERRORS = 200
HEADER_SEARCH_ROWS = 10
MAX_UNCOMPRESSED = 1 << 30  # an XLSX that inflates beyond 1 GiB is refused (ZIP bomb)
KEEP_FILES_DAYS = 30
_SNIFF = 65_536
_FOLDER = "kehadiran"

REASONS = {
    "nip_tidak_sah": "NIP tidak sah",
    "nip_tidak_terdaftar": "NIP tidak terdaftar",
    "opd_lain": "Pegawai OPD lain",
    "tanggal_tidak_sah": "Tanggal tidak sah",
    "jam_tidak_sah": "Jam tidak sah",
    "pulang_sebelum_masuk": "Jam pulang sebelum jam masuk",
    "keterangan_tidak_dikenal": "Keterangan tidak dikenal",
    "duplikat": "Baris ganda",
    "baris_tidak_lengkap": "Baris tidak lengkap",
}
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
_HM = re.compile(r"^(?:\d{4}-\d{2}-\d{2}[ T])?(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?$")
_SHEET = re.compile(r"^xl/worksheets/sheet1\.xml$")
_DIMENSION = re.compile(r'<dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')
_BINARY_MAGIC = (
    (
        b"\xd0\xcf\x11\xe0",
        "Berkas ini format Excel lama (.xls); simpan ulang sebagai .xlsx atau CSV.",
    ),
    (b"%PDF", "Berkas PDF tidak dapat diimpor; unggah ekspor CSV atau XLSX dari mesin presensi."),
    (b"\x89PNG", "Berkas ini gambar, bukan CSV atau XLSX."),
    (b"\xff\xd8\xff", "Berkas ini gambar, bukan CSV atau XLSX."),
    (b"GIF8", "Berkas ini gambar, bukan CSV atau XLSX."),
    (b"\x1f\x8b", "Berkas ini arsip terkompresi; ekstrak dahulu lalu unggah CSV atau XLSX-nya."),
    (b"Rar!", "Berkas ini arsip terkompresi; ekstrak dahulu lalu unggah CSV atau XLSX-nya."),
    (b"7z\xbc\xaf", "Berkas ini arsip terkompresi; ekstrak dahulu lalu unggah CSV atau XLSX-nya."),
    (b"\xff\xfe", "Berkas CSV berformat UTF-16; simpan ulang sebagai 'CSV UTF-8'."),
    (b"\xfe\xff", "Berkas CSV berformat UTF-16; simpan ulang sebagai 'CSV UTF-8'."),
)


class AttendanceError(ValueError):
    """The file cannot be read as an attendance export (Indonesian message)."""


@dataclass(frozen=True)
class RowError:
    """A rejected row: its number in the file (the first row is 1), NIP, reason code, message."""

    row: int
    nip: str
    code: str
    message: str
    tanggal: str = ""


@dataclass(frozen=True)
class AttendanceRow:
    """One valid row of the file (not yet matched to an employee)."""

    row: int
    nip: str
    tanggal: date
    jam_masuk: time | None
    jam_pulang: time | None
    keterangan: str


@dataclass
class ImportResult:
    """Counts of one import; ``sample`` holds the first rejected rows (the report has all)."""

    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    by_reason: Counter = field(default_factory=Counter)
    sample: list[RowError] = field(default_factory=list)
    fatal: str | None = None

    @property
    def valid(self) -> int:
        return self.inserted + self.updated + self.unchanged

    def to_dict(self) -> dict:
        return {
            "rows": self.rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "by_reason": dict(self.by_reason),
            "sample": [[e.row, e.nip, e.tanggal, e.code, e.message] for e in self.sample],
            "fatal": self.fatal,
        }


# --- who may import --------------------------------------------------------------------------


def can_upload_attendance(user) -> bool:
    """HR and admin import for every OPD; an OPD operator imports the rows of their OPD."""
    return has_any_role(user, "admin", "hr", "opd_operator")


def attendance_scope(user) -> set[int] | None:
    """Return the OPD ids whose employees ``user`` may import (None = every OPD)."""
    if has_any_role(user, "admin", "hr"):
        return None
    if has_any_role(user, "opd_operator"):
        return user.scope_units("opd_operator")
    return set()


def can_view_attendance_import(user, job) -> bool:
    """The uploader, HR and admin see an import's progress, result and rejected rows."""
    if job is None or job.kind != JOB_KIND or not can_upload_attendance(user):
        return False
    return job.created_by_id == user.id or has_any_role(user, "admin", "hr")


# --- the upload ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredUpload:
    """An upload copied to the upload folder, checked, waiting for its job."""

    path: Path
    kind: str  # "csv" or "xlsx"
    size: int
    filename: str

    def job_params(self) -> dict:
        return {"path": str(self.path), "kind": self.kind, "filename": self.filename}


def sniff_kind(head: bytes) -> str:
    """Return ``"xlsx"`` or ``"csv"`` from the first bytes of a file, or raise AttendanceError.

    >>> sniff_kind(b"NIP;tanggal;jam_masuk;jam_pulang\\r\\n"), sniff_kind(b"PK\\x03\\x04...")
    ('csv', 'xlsx')
    """
    if not head:
        raise AttendanceError("Berkas kosong.")
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    for magic, message in _BINARY_MAGIC:
        if head.startswith(magic):
            raise AttendanceError(message)
    if b"\x00" in head:
        raise AttendanceError(
            "Berkas bukan teks CSV (berisi data biner). Unggah ekspor CSV atau XLSX dari mesin "
            "presensi."
        )
    if _encoding(head) is None:
        raise AttendanceError("Berkas bukan teks CSV yang terbaca (encoding tidak dikenal).")
    return "csv"


def _encoding(head: bytes) -> str | None:
    try:
        head.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4 and len(head) >= _SNIFF:
            return "utf-8-sig"  # a multi-byte character cut by the sample boundary
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return None


def _check_xlsx(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            inflated = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError):
        raise AttendanceError(
            "Berkas XLSX rusak atau terpotong (arsip tidak utuh). Unduh ulang ekspor dari mesin "
            "presensi lalu unggah lagi."
        ) from None
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise AttendanceError("Berkas ZIP ini bukan buku kerja XLSX yang sah.")
    if inflated > MAX_UNCOMPRESSED:
        raise AttendanceError("Isi berkas XLSX terlalu besar setelah diekstrak.")


def _purge_old_files(folder: Path, days: int = KEEP_FILES_DAYS) -> None:
    cutoff = datetime.now().timestamp() - days * 86400
    for item in folder.iterdir():
        try:
            if item.is_file() and item.stat().st_mtime < cutoff:
                item.unlink(missing_ok=True)
        except OSError:
            continue


def store_upload(
    stream: BinaryIO, filename: str, *, upload_dir: str | Path, max_bytes: int
) -> StoredUpload:
    """Copy an upload to ``<upload_dir>/kehadiran/`` after checking it; flushes nothing.

    Checks: not empty, not larger than ``max_bytes``, CSV or XLSX by content, a readable
    header row with the columns NIP, tanggal, jam_masuk and jam_pulang within the first
    :data:`HEADER_SEARCH_ROWS` rows, and at least one row after it.

    Raises
    ------
    AttendanceError
        With an Indonesian message; no file is left behind.
    """
    head = stream.read(_SNIFF)
    kind = sniff_kind(head)
    folder = Path(upload_dir) / _FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    _purge_old_files(folder)
    path = folder / f"{uuid.uuid4().hex}.{kind}"
    size = len(head)
    try:
        with path.open("wb") as out:
            out.write(head)
            while chunk := stream.read(1 << 20):
                size += len(chunk)
                if size > max_bytes:
                    raise AttendanceError(
                        f"Berkas lebih besar dari batas {max_bytes // (1 << 20)} MB. Pecah "
                        "ekspor per OPD atau per pekan."
                    )
                out.write(chunk)
        if kind == "xlsx":
            _check_xlsx(path)
        table = iter_table(path, kind)
        try:
            find_header(table)
            if next(_data_rows(table), None) is None:
                raise AttendanceError("Berkas hanya berisi baris judul; tidak ada data kehadiran.")
        finally:
            table.close()
    except AttendanceError:
        path.unlink(missing_ok=True)
        raise
    clean_name = Path(filename or "").name[:200] or f"kehadiran.{kind}"
    return StoredUpload(path, kind, size, clean_name)


# --- streaming the table ---------------------------------------------------------------------


_DELIMITERS = ",;\t|"


def _csv_dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    """Return the CSV dialect: the delimiter is the one the header line uses most.

    The header's column names hold no delimiter, so its line decides even when the rows below
    are mostly empty fields (``…;;;izin``), where ``csv.Sniffer`` gives up.

    >>> _csv_dialect("NIP;tanggal;jam_masuk;jam_pulang\\r\\n1;2;;\\r\\n").delimiter
    ';'
    """
    first = next((line for line in sample.splitlines() if line.strip()), "")
    best = max(_DELIMITERS, key=first.count)
    if first.count(best):
        return type("HeaderDialect", (csv.excel,), {"delimiter": best})
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS)
    except csv.Error:
        return csv.excel


def iter_table(path: str | Path, kind: str) -> Iterator[tuple[int, Sequence]]:
    """Yield ``(row number, cells)`` of the first sheet (XLSX) or the file (CSV), streaming.

    A generator: the file is read row by row (openpyxl ``read_only``, ``csv.reader``) and
    closed when the generator is exhausted or closed.

    Raises
    ------
    AttendanceError
        When the file cannot be opened, or breaks off in the middle (truncated, corrupt).
    """
    number = 0
    if kind == "csv":
        with Path(path).open("rb") as raw:
            head = raw.read(_SNIFF)
        encoding = _encoding(head) or "cp1252"
        dialect = _csv_dialect(head[:8192].decode(encoding, errors="replace"))
        with Path(path).open(encoding=encoding, errors="replace", newline="") as fh:
            reader = csv.reader(fh, dialect)
            try:
                for number, row in enumerate(reader, start=1):
                    yield number, row
            except csv.Error as exc:
                raise AttendanceError(
                    f"Berkas CSV rusak setelah baris {number}: {exc}. Baris sesudahnya tidak "
                    "dibaca."
                ) from None
        return
    if kind != "xlsx":
        raise AttendanceError("Format berkas tidak didukung: unggah .csv atau .xlsx.")
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any failure to open means "not a readable workbook"
        raise AttendanceError(
            "Berkas XLSX tidak dapat dibaca; simpan ulang dari Excel lalu unggah lagi."
        ) from None
    try:
        if not wb.worksheets:
            raise AttendanceError("Berkas XLSX tidak berisi lembar kerja.")
        rows = wb.worksheets[0].iter_rows(values_only=True)
        while True:
            try:
                cells = next(rows)
            except StopIteration:
                break
            except Exception:  # noqa: BLE001 - corrupt sheet XML or a cut-off ZIP member
                raise AttendanceError(
                    f"Berkas XLSX rusak atau terpotong setelah baris {number}; baris sesudahnya "
                    "tidak dibaca."
                ) from None
            number += 1
            yield number, cells
    finally:
        wb.close()


def _header_key(value) -> str:
    text = str(value or "").strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def find_header(table: Iterator[tuple[int, Sequence]]) -> tuple[dict[str, int], int]:
    """Consume rows up to the header (a row with a NIP column, within the first 10 rows).

    Returns ``(column position by field, header row number)``; the iterator continues with
    the row after the header.

    Raises
    ------
    AttendanceError
        When no header is found or a required column is missing.
    """
    for number, cells in islice(table, HEADER_SEARCH_ROWS):
        keys = [_ALIASES.get(_header_key(c)) for c in cells]
        if "nip" not in keys:
            continue
        columns: dict[str, int] = {}
        for position, key in enumerate(keys):
            if key and key not in columns:
                columns[key] = position
        missing = [c for c in REQUIRED if c not in columns]
        if missing:
            raise AttendanceError(
                f"Kolom wajib tidak ada pada baris judul (baris {number}): "
                + ", ".join(missing)
                + ". Kolom yang dibutuhkan: NIP, tanggal, jam_masuk, jam_pulang (keterangan "
                "opsional)."
            )
        return columns, number
    raise AttendanceError(
        f"Baris judul dengan kolom NIP tidak ditemukan pada {HEADER_SEARCH_ROWS} baris pertama "
        "berkas."
    )


def _data_rows(table: Iterator[tuple[int, Sequence]]) -> Iterator[tuple[int, Sequence]]:
    for number, cells in table:
        if any(c not in (None, "") and not (isinstance(c, str) and not c.strip()) for c in cells):
            yield number, cells


# --- one row ---------------------------------------------------------------------------------


def _cell(row: Sequence, position: int | None):
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
    text = str(value if value is not None else "").replace(" ", "").replace("'", "")
    if not re.fullmatch(r"\d{18}", text):
        shown = text[:30] or "(kosong)"
        raise ValueError(f"NIP {shown} harus 18 digit angka")
    return text


def _date(value, today: date) -> date:
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        text = str(value or "").strip()
        if match := _DMY.match(text):
            parts = (match.group(3), match.group(2), match.group(1))
        elif match := _YMD.match(text):
            parts = (match.group(1), match.group(2), match.group(3))
        else:
            raise ValueError(
                f"tanggal {text[:30] or '(kosong)'} tidak sah: gunakan dd-mm-yyyy atau yyyy-mm-dd"
            )
        try:
            day = date(*(int(x) for x in parts))
        except ValueError:
            raise ValueError(f"tanggal {text} tidak ada di kalender") from None
    if day > today:
        raise ValueError(f"tanggal {day:%d-%m-%Y} belum terjadi")
    if day.year < 2000:
        raise ValueError(f"tanggal {day:%d-%m-%Y} terlalu lama (sebelum tahun 2000)")
    return day


def _time(value, label: str) -> time | None:
    if value is None or value == "" or value == "-":
        return None
    if isinstance(value, datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, float | int) and not isinstance(value, bool) and 0 <= value < 1:
        minutes = round(float(value) * 24 * 60)
        if minutes >= 24 * 60:
            raise ValueError(f"{label} {value} tidak sah: gunakan JJ:MM, misalnya 07:30")
        return time(minutes // 60, minutes % 60)
    text = str(value).strip()
    match = _HM.match(text)
    if (
        not match
        or int(match.group(1)) > 23
        or int(match.group(2)) > 59
        or int(match.group(3) or 0) > 59
    ):
        raise ValueError(f"{label} {text[:30]} tidak sah: gunakan JJ:MM, misalnya 07:30")
    return time(int(match.group(1)), int(match.group(2)))


def _keterangan(value, has_time: bool) -> str:
    text = re.sub(r"\s+", " ", str(value or "").strip().lower())
    if not text:
        return "hadir" if has_time else "alpa"
    if text in _KETERANGAN:
        return _KETERANGAN[text]
    allowed = ", ".join(KEHADIRAN[k].lower() for k in KEHADIRAN)
    raise ValueError(f"keterangan {str(value)[:30]!r} tidak dikenal (pilih: {allowed})")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def parse_row(
    number: int, cells: Sequence, columns: dict[str, int], *, today: date
) -> AttendanceRow | RowError:
    """Check one row of the file; return the valid row or the reason it is rejected."""
    raw_nip = _cell(cells, columns["nip"])
    shown = str(raw_nip if raw_nip is not None else "")[:30]
    raw_date = _cell(cells, columns["tanggal"])
    shown_date = f"{raw_date:%Y-%m-%d}" if isinstance(raw_date, date) else str(raw_date or "")[:30]
    needed = max(columns[c] for c in REQUIRED)
    if len(cells) <= needed:
        missing = [c for c in REQUIRED if columns[c] >= len(cells)]
        return RowError(
            number,
            shown,
            "baris_tidak_lengkap",
            f"Baris tidak lengkap: hanya {len(cells)} kolom, kolom {', '.join(missing)} tidak "
            "ada (berkas terpotong atau pemisah kolom salah?).",
            shown_date,
        )
    step = "nip_tidak_sah"
    tanggal: date | None = None
    try:
        nip = _nip(raw_nip)
        step = "tanggal_tidak_sah"
        tanggal = _date(raw_date, today)
        step = "jam_tidak_sah"
        masuk = _time(_cell(cells, columns["jam_masuk"]), "jam masuk")
        pulang = _time(_cell(cells, columns["jam_pulang"]), "jam pulang")
        step = "keterangan_tidak_dikenal"
        ket = _keterangan(
            _cell(cells, columns.get("keterangan")), masuk is not None or pulang is not None
        )
        if masuk is not None and pulang is not None and pulang < masuk:
            step = "pulang_sebelum_masuk"
            raise ValueError(f"jam pulang {pulang:%H:%M} lebih awal dari jam masuk {masuk:%H:%M}")
    except ValueError as exc:
        day = tanggal.isoformat() if tanggal is not None else shown_date
        return RowError(number, shown, step, _sentence(str(exc)), day)
    return AttendanceRow(number, nip, tanggal, masuk, pulang, ket)


# --- the import ------------------------------------------------------------------------------


class _Seen:
    """One bit per (employee id, day): whether the file already had a valid row for it."""

    def __init__(self) -> None:
        self._days: dict[int, bytearray] = {}

    def add(self, pegawai_id: int, day: date) -> bool:
        """Mark the pair; return False when it was already marked."""
        bits = self._days.setdefault(day.toordinal(), bytearray())
        index, mask = pegawai_id >> 3, 1 << (pegawai_id & 7)
        if index >= len(bits):
            bits.extend(b"\x00" * (index + 1 - len(bits)))
        if bits[index] & mask:
            return False
        bits[index] |= mask
        return True


class _Employees:
    """NIP → (pegawai id, OPD id), looked up per batch and cached (bounded by the staff)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.by_nip: dict[str, tuple[int, int | None] | None] = {}
        self.opd_names: dict[int, str] = {}

    def load(self, nips: set[str]) -> None:
        todo = sorted(n for n in nips if n not in self.by_nip)
        for start in range(0, len(todo), 1000):
            chunk = todo[start : start + 1000]
            rows = self.session.execute(
                select(Pegawai.nip, Pegawai.id, UnitOrganisasi.opd_id)
                .outerjoin(UnitOrganisasi, UnitOrganisasi.id == Pegawai.unit_id)
                .where(Pegawai.nip.in_(chunk))
            )
            found = {nip: (pid, opd_id) for nip, pid, opd_id in rows}
            for nip in chunk:
                self.by_nip[nip] = found.get(nip)

    def opd_name(self, opd_id: int | None) -> str:
        if opd_id is None:
            return "tanpa OPD"
        if opd_id not in self.opd_names:
            name = self.session.scalar(
                select(UnitOrganisasi.nama).where(UnitOrganisasi.id == opd_id)
            )
            self.opd_names[opd_id] = name or f"OPD {opd_id}"
        return self.opd_names[opd_id]


_TABLE = Kehadiran.__table__
# Core statements (executemany) rather than ORM bulk operations: the import writes up to a
# million rows and needs no ORM objects.
_UPDATE = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("row_id"))
    .values(
        jam_masuk=bindparam("jam_masuk"),
        jam_pulang=bindparam("jam_pulang"),
        keterangan=bindparam("keterangan"),
        import_job_id=bindparam("import_job_id"),
    )
)


def _upsert(session: Session):
    """INSERT … ON CONFLICT (pegawai, tanggal) DO UPDATE, run as an executemany."""
    dialect = session.get_bind().dialect.name
    module = {"postgresql": postgresql, "sqlite": sqlite}.get(dialect)
    if module is None:
        return insert(_TABLE)
    stmt = module.insert(_TABLE)
    return stmt.on_conflict_do_update(
        index_elements=["pegawai_id", "tanggal"],
        set_={
            "jam_masuk": stmt.excluded.jam_masuk,
            "jam_pulang": stmt.excluded.jam_pulang,
            "keterangan": stmt.excluded.keterangan,
            "import_job_id": stmt.excluded.import_job_id,
        },
    )


class _Importer:
    def __init__(self, session, *, scope, job_id, report, result, today):
        self.session = session
        self.scope = scope
        self.job_id = job_id
        self.report = report
        self.result = result
        self.today = today
        self.employees = _Employees(session)
        self.seen = _Seen()

    def reject(self, error: RowError) -> None:
        self.result.rejected += 1
        self.result.by_reason[error.code] += 1
        if len(self.result.sample) < SAMPLE_ERRORS:
            self.result.sample.append(error)
        if self.report is not None:
            self.report.writerow([error.row, error.nip, error.tanggal, error.code, error.message])

    def batch(self, items: list[AttendanceRow | RowError]) -> None:
        self.employees.load({i.nip for i in items if isinstance(i, AttendanceRow)})
        wanted: dict[tuple[int, date], tuple[time | None, time | None, str]] = {}
        for item in items:
            if isinstance(item, RowError):
                self.reject(item)
                continue
            error = self._match(item)
            if error is not None:
                self.reject(error)
                continue
            wanted[(self.employees.by_nip[item.nip][0], item.tanggal)] = (
                item.jam_masuk,
                item.jam_pulang,
                item.keterangan,
            )
        if wanted:
            self._write(wanted)

    def _match(self, item: AttendanceRow) -> RowError | None:
        day = f"{item.tanggal:%Y-%m-%d}"
        found = self.employees.by_nip.get(item.nip)
        if found is None:
            return RowError(
                item.row,
                item.nip,
                "nip_tidak_terdaftar",
                f"NIP {item.nip} tidak terdaftar sebagai pegawai.",
                day,
            )
        pid, opd_id = found
        if self.scope is not None and opd_id not in self.scope:
            return RowError(
                item.row,
                item.nip,
                "opd_lain",
                f"NIP {item.nip} adalah pegawai {self.employees.opd_name(opd_id)}, bukan OPD "
                "Anda; kehadiran OPD lain diimpor oleh OPD itu atau BKPSDM.",
                day,
            )
        if not self.seen.add(pid, item.tanggal):
            return RowError(
                item.row,
                item.nip,
                "duplikat",
                f"Baris ganda: NIP {item.nip} tanggal {item.tanggal:%d-%m-%Y} sudah muncul di "
                "baris sebelumnya; baris pertama yang dipakai.",
                day,
            )
        return None

    def _write(self, wanted: dict) -> None:
        pids = sorted({k[0] for k in wanted})
        days = [k[1] for k in wanted]
        existing: dict[tuple[int, date], tuple[int, time | None, time | None, str]] = {}
        for start in range(0, len(pids), 1000):
            chunk = pids[start : start + 1000]
            for row_id, pid, tanggal, masuk, pulang, ket in self.session.execute(
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
        changed: dict[tuple[int, date], tuple[str, time | None, time | None]] = {}
        for (pid, tanggal), (masuk, pulang, ket) in wanted.items():
            current = existing.get((pid, tanggal))
            if current is None or current[1:] != (masuk, pulang, ket):
                changed[(pid, tanggal)] = (ket, masuk, pulang)
            if current is None:
                inserts.append(
                    {
                        "pegawai_id": pid,
                        "tanggal": tanggal,
                        "jam_masuk": masuk,
                        "jam_pulang": pulang,
                        "keterangan": ket,
                        "import_job_id": self.job_id,
                    }
                )
            elif current[1:] != (masuk, pulang, ket):
                updates.append(
                    {
                        "row_id": current[0],
                        "jam_masuk": masuk,
                        "jam_pulang": pulang,
                        "keterangan": ket,
                        "import_job_id": self.job_id,
                    }
                )
            else:
                self.result.unchanged += 1
        if inserts:
            # An upsert: a row written by a concurrent import in between is updated, not a
            # unique-constraint failure.
            self.session.execute(_upsert(self.session), inserts)
        if updates:
            self.session.execute(_UPDATE, updates)
        if changed:
            # Core writes bypass the ORM flush hook: keep the recap's monthly totals in step,
            # in this batch's transaction.
            apply_attendance_days(self.session, changed)
        self.result.inserted += len(inserts)
        self.result.updated += len(updates)


def import_attendance_file(
    session: Session,
    path: str | Path,
    kind: str,
    *,
    actor,
    filename: str = "",
    scope: set[int] | None = None,
    job_id: int | None = None,
    today: date | None = None,
    report: Path | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int, int, str], None] | None = None,
) -> ImportResult:
    """Import a stored attendance file in batches; return the counts and the first errors.

    Each batch of ``batch_size`` rows is one transaction: this function **commits** after
    every batch (it is the outermost unit of work of an import, like a sync run). A rerun
    with the same file converges: rows are upserted on (pegawai, tanggal). When the file
    breaks off in the middle, the batches read so far stay written and ``result.fatal``
    says where it stopped. ``scope`` limits the employees to those OPD ids (an operator);
    rows of other employees are rejected with a reason. Rejected rows are appended to the
    CSV ``report`` (row, NIP, tanggal, code, message) when given. One audit event records the
    counts.

    Raises
    ------
    AttendanceError
        When the header cannot be read (nothing is written).
    """
    today = today or datetime.now(WIB).date()
    result = ImportResult()
    total = _count_rows(path, kind)
    table = iter_table(path, kind)
    report_file = report.open("w", encoding="utf-8", newline="") if report else None
    writer = csv.writer(report_file) if report_file else None
    importer = _Importer(
        session, scope=scope, job_id=job_id, report=writer, result=result, today=today
    )
    try:
        columns, header_row = find_header(table)
        batch: list[AttendanceRow | RowError] = []
        try:
            for number, cells in _data_rows(table):
                result.rows += 1
                if result.rows > MAX_ROWS:
                    result.rows -= 1
                    result.fatal = (
                        f"Berkas berisi lebih dari {_n(MAX_ROWS)} baris; baris {_n(number)} dan "
                        "sesudahnya tidak dibaca. Pecah berkas per OPD."
                    )
                    break
                batch.append(parse_row(number, cells, columns, today=today))
                if len(batch) >= batch_size:
                    _flush(session, importer, batch, result, total, progress, header_row)
                    batch = []
        except AttendanceError as exc:
            result.fatal = str(exc)
        if batch:
            _flush(session, importer, batch, result, total, progress, header_row)
    finally:
        table.close()
        if report_file:
            report_file.close()
    record(
        session,
        "kehadiran.import",
        "kehadiran_impor",
        job_id if job_id is not None else (filename or "-"),
        actor=actor,
        after={
            "berkas": filename,
            "baris": result.rows,
            "baru": result.inserted,
            "diperbarui": result.updated,
            "tetap": result.unchanged,
            "ditolak": result.rejected,
            "alasan": dict(result.by_reason),
            "cakupan_opd": sorted(scope) if scope is not None else "semua",
            "terhenti": result.fatal,
        },
        summary=(
            f"Impor kehadiran {filename}: {result.inserted} baru, {result.updated} diperbarui, "
            f"{result.unchanged} tetap, {result.rejected} baris ditolak"
            + (" (terhenti: berkas rusak)" if result.fatal else "")
        ),
    )
    session.commit()
    return result


def _n(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _flush(session, importer, batch, result, total, progress, header_row) -> None:
    importer.batch(batch)
    session.commit()
    if progress is not None:
        done = result.rows + header_row
        progress(
            done,
            max(total, done),
            f"{_n(result.rows)} baris diproses: {_n(result.valid)} tersimpan, "
            f"{_n(result.rejected)} ditolak",
        )


def _count_rows(path: str | Path, kind: str) -> int:
    """Estimate the number of rows for the progress bar (newlines, or the sheet dimension)."""
    if kind == "csv":
        count = 0
        with Path(path).open("rb") as fh:
            while chunk := fh.read(1 << 20):
                count += chunk.count(b"\n")
        return count
    try:
        with zipfile.ZipFile(path) as zf:
            sheets = sorted(n for n in zf.namelist() if _SHEET.match(n))
            if not sheets:
                return 0
            with zf.open(sheets[0]) as fh:
                head = fh.read(4096).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, OSError, KeyError):
        return 0
    match = _DIMENSION.search(head)
    return int(match.group(1)) if match else 0


# --- the job and its report ------------------------------------------------------------------


def report_path(upload_dir: str | Path, job_id: int) -> Path:
    """Return where the rejected rows of import job ``job_id`` are kept."""
    return Path(upload_dir) / _FOLDER / f"ditolak-{int(job_id)}.csv"


@job(JOB_KIND)
def import_job(
    ctx: JobContext, path: str, kind: str, filename: str = "", user_id: int | None = None
) -> dict:
    """Import a stored attendance file for the user who uploaded it (their OPD scope)."""
    from flask import current_app

    from skp_app.auth.models import User
    from skp_app.extensions import db

    actor = db.session.get(User, user_id) if user_id else None
    if actor is None or not can_upload_attendance(actor):
        raise AttendanceError("Pengunggah tidak lagi berhak mengimpor kehadiran.")
    scope = attendance_scope(actor)
    report = report_path(current_app.config["SKP_UPLOAD_DIR"], ctx.job_id)
    report.parent.mkdir(parents=True, exist_ok=True)
    ctx.progress(0, None, "Membaca berkas…")
    result = import_attendance_file(
        db.session,
        path,
        kind,
        actor=actor,
        filename=filename,
        scope=scope,
        job_id=ctx.job_id,
        report=report,
        progress=lambda done, total, message: ctx.progress(done, total, message),
    )
    Path(path).unlink(missing_ok=True)  # the data is in the database now
    return {
        **result.to_dict(),
        "filename": filename,
        "scope": sorted(scope) if scope is not None else None,
        "report": report.name,
    }


def report_rows(
    upload_dir: str | Path, job_id: int, *, offset: int = 0, limit: int | None = None
) -> Iterator[list[str]] | None:
    """Return the rejected rows of an import ``[row, NIP, tanggal, code, message]``, or None
    when the report file is gone (a generator over the file)."""
    path = report_path(upload_dir, job_id)
    if not path.is_file():
        return None

    def rows() -> Iterator[list[str]]:
        with path.open(encoding="utf-8", newline="") as fh:
            stop = None if limit is None else offset + limit
            yield from islice(csv.reader(fh), offset, stop)

    return rows()


REPORT_COLUMNS = ("Baris", "NIP", "Tanggal", "Kode alasan", "Alasan")


def export_report(rows: Iterator[list[str]], fmt: str, out: BinaryIO, *, title: str) -> str:
    """Write the rejected rows to ``out`` as ``csv`` or ``xlsx``; return the mimetype.

    Every text cell passes :func:`skp_app.realization.tpp.formula_safe` (a leading ``=``,
    ``+``, ``-`` or ``@`` gets a quote) so a spreadsheet never evaluates it. The rows are
    streamed; ``out`` may be a spooled temporary file.
    """

    def values(row: list[str]) -> list:
        number = int(row[0]) if row and row[0].isdigit() else formula_safe(row[0])
        return [number, *(formula_safe(v) for v in row[1:5])]

    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
        writer = csv.writer(text)
        writer.writerow(REPORT_COLUMNS)
        for row in rows:
            writer.writerow(values(row))
        text.flush()
        text.detach()
        return "text/csv; charset=utf-8"
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Baris ditolak")
        ws.append([formula_safe(title)])
        ws.append(list(REPORT_COLUMNS))
        for row in rows:
            ws.append(values(row))
        wb.save(out)
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    raise AttendanceError(f"Format {fmt!r} tidak dikenal: pilih csv atau xlsx.")
