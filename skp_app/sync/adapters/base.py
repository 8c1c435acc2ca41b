"""The one interface every personnel source implements, and the records it yields.

An adapter turns its source (a file, a web service) into :class:`NormalizedUnit` and
:class:`NormalizedPegawai` records. It parses what is source-specific (date formats, gender
letters, column names) and notes what it could not parse as ``problems`` on the record; the
engine then validates what is common to every source (NIP, golongan, unit, superior, duplicates)
and compares with the database. A new source is one new module with one subclass of
:class:`SourceAdapter`.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from hashlib import blake2b

__all__ = [
    "PEGAWAI_FIELDS",
    "LazyRecord",
    "NormalizedPegawai",
    "NormalizedUnit",
    "RecordError",
    "RowRaw",
    "SourceAdapter",
    "SourceMissing",
    "SyncSourceError",
    "clean",
    "digest",
    "parse_date",
    "prefixed_digest",
    "raw_dict",
]

# Fields of NormalizedPegawai an adapter may provide (a source that lacks a field leaves the
# database value alone).
PEGAWAI_FIELDS = (
    "nip",
    "external_id",
    "nama",
    "gelar_depan",
    "gelar_belakang",
    "nip_lama",
    "jenis_kelamin",
    "tempat_lahir",
    "tanggal_lahir",
    "jenis_asn",
    "golongan",
    "tmt_golongan",
    "tmt_cpns",
    "tmt_pns",
    "tmt_jabatan",
    "kedudukan_hukum_id",
    "unit",
    "jabatan",
    "atasan_nip",
    "email",
    "no_hp",
)


class SyncSourceError(Exception):
    """The source as a whole cannot be read (wrong encoding, missing columns, server down)."""


class RowRaw:
    """A delimited row's cells with their header, turned into a dict only when needed."""

    __slots__ = ("cells", "keys")

    def __init__(self, keys: list[str], cells: list[str]):
        self.keys = keys
        self.cells = cells

    def as_dict(self) -> dict:
        return {k: v for k, v in zip(self.keys, self.cells, strict=False) if k}


def raw_dict(raw) -> dict:
    """Return a record's source row as a dict (see :class:`RowRaw`)."""
    return raw.as_dict() if isinstance(raw, RowRaw) else (raw or {})


@dataclass(slots=True)
class NormalizedUnit:
    """A unit of the organisation as the source describes it."""

    key: str  # SIASN unor id when the source has one, else the normalised name
    nama: str
    siasn_id: str | None = None
    parent_key: str | None = None
    opd_key: str | None = None  # the OPD (unor induk) the unit belongs to
    is_opd: bool | None = None  # None: the source does not say
    eselon_id: str | None = None
    head_external_id: str | None = None  # SIASN PemimpinPnsId


@dataclass(slots=True)
class NormalizedPegawai:
    """One employee as the source describes it; ``None`` means "the source left it empty"."""

    row_number: int
    source_key: str
    raw: dict | RowRaw  # the source row, for the quarantine (see raw_dict)
    nip: str | None = None
    external_id: str | None = None
    nama: str | None = None
    gelar_depan: str | None = None
    gelar_belakang: str | None = None
    nip_lama: str | None = None
    jenis_kelamin: str | None = None  # L / P
    tempat_lahir: str | None = None
    tanggal_lahir: date | None = None
    jenis_asn: str | None = None  # PNS / PPPK
    golongan_id: int | None = None
    golongan_text: str | None = None  # as written, when it is not a known id (validated later)
    golongan_pppk: str | None = None
    tmt_golongan: date | None = None
    tmt_cpns: date | None = None
    tmt_pns: date | None = None
    tmt_jabatan: date | None = None
    kedudukan_hukum_id: str | None = None
    unit_key: str | None = None  # SIASN unor id (when the source has one)
    unit_nama: str | None = None
    parent_unit_key: str | None = None  # a unit above (satuan kerja), when the row names one
    parent_unit_nama: str | None = None
    opd_key: str | None = None
    opd_nama: str | None = None
    jabatan_nama: str | None = None
    jenis_jabatan_id: str | None = None  # SIASN jenisJabatan 1..4
    jabatan_external_id: str | None = None
    eselon_id: str | None = None
    atasan_nip: str | None = None
    email: str | None = None
    no_hp: str | None = None
    # (reason_code, Indonesian message) found while parsing the source row.
    problems: list[tuple[str, str]] = field(default_factory=list)
    # Fingerprint of the source row (see LazyRecord), None when the source gives none.
    digest: int | None = None


class LazyRecord:
    """A well-formed source row whose record is built only when the engine needs it.

    ``digest`` fingerprints the row (with its header and the adapter's mapping): when the
    fingerprint and the employee's database row are those of a row found unchanged before,
    the engine counts it unchanged without building, validating and comparing it again.
    """

    __slots__ = ("builder", "cells", "digest", "keys", "nip_index", "row_number")

    def __init__(self, row_number, keys, cells, builder, digest: int, nip_index: int):
        self.row_number = row_number
        self.keys = keys
        self.cells = cells
        self.builder = builder
        self.digest = digest
        self.nip_index = nip_index

    @property
    def nip_text(self) -> str:
        return self.cells[self.nip_index]

    def build(self) -> NormalizedPegawai:
        rec = self.builder.build(
            self.row_number, f"baris {self.row_number}", RowRaw(self.keys, self.cells), self.cells
        )
        rec.digest = self.digest
        return rec


@dataclass(slots=True)
class SourceMissing:
    """The source says it does not know this NIP (SIASN answers 404 for data-utama)."""

    row_number: int
    nip: str


@dataclass(slots=True)
class RecordError:
    """A source row that could not be turned into a record at all (truncated, malformed)."""

    row_number: int
    source_key: str
    raw: dict
    code: str
    message: str
    nip: str = ""
    nama: str = ""


class SourceAdapter(abc.ABC):
    """A personnel source. Subclasses set ``source`` and implement the two iterators."""

    #: Name of the source as chosen by the user (``siasn-csv``, ``siasn-api``, …).
    source: str = ""
    #: Label shown to HR.
    label: str = ""
    #: Which external-id space ``NormalizedPegawai.external_id`` belongs to.
    external_source: str = ""
    #: Fields of :data:`PEGAWAI_FIELDS` this source provides.
    fields: frozenset[str] = frozenset()
    #: Units may be created from a record's own unit key and name (SIASN CSV).
    units_from_records: bool = False
    #: Unit keys are SIASN unor ids (stored in ``UnitOrganisasi.siasn_id``).
    unit_keys_are_siasn: bool = True
    #: ``iter_records(start=n)`` skips the first n records without fetching them.
    resumable: bool = False
    #: ``iter_records(lazy=True)`` yields fingerprinted :class:`LazyRecord` rows (the engine
    #: may then skip rows it found unchanged before).
    fingerprints: bool = False
    #: ``keys_before`` lists the NIPs of the first records without fetching them (the SIASN
    #: pull knows its NIP list); otherwise a resumable run keeps them in its checkpoint.
    keys_known: bool = False

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.instansi: tuple[str | None, str] | None = None  # (siasn id, name) if the source says
        self.total: int | None = None  # number of records when known in advance

    def iter_units(self) -> Iterator[NormalizedUnit]:
        """Yield the units the source describes on its own (not only through employees)."""
        return iter(())

    @abc.abstractmethod
    def iter_records(
        self, start: int = 0
    ) -> Iterator[NormalizedPegawai | LazyRecord | RecordError | SourceMissing]:
        """Yield every employee record (or the reason a row could not be read), in order."""

    def keys_before(self, start: int) -> Iterable[tuple[int, str]]:
        """Return ``(row_number, nip)`` of the first ``start`` records (to resume a run).

        Only resumable adapters implement it; they must not derive units from records or name
        superiors, since a resumed run does not see the records before ``start`` again.
        """
        return ()

    def reread(self, row_numbers: set[int]) -> dict[int, dict]:
        """Return the raw rows with these numbers again (to quarantine an earlier duplicate)."""
        return {}

    def align_batch(self, size: int) -> int:
        """Return the batch size to use for ``size`` (a paged source rounds it to whole pages)."""
        return size

    def resume_state(self) -> dict:
        """Return, as JSON, where a resumable source stands after the records handed out."""
        return {}

    def restore(self, state: dict) -> None:  # noqa: B027 — optional hook
        """Continue after ``resume_state()`` of an earlier, interrupted run."""

    def close(self) -> None:  # noqa: B027 — optional hook, most adapters hold nothing
        """Release files and connections."""


# --- shared parsing helpers --------------------------------------------------------------------

#: Bump when validation or comparison rules change: every stored fingerprint then misses once.
FINGERPRINT_VERSION = "1"


def digest(text: str) -> int:
    """Return a stable signed 64-bit fingerprint of ``text`` (fits a BIGINT column)."""
    return int.from_bytes(blake2b(text.encode(), digest_size=8).digest(), "big", signed=True)


def prefixed_digest(prefix: str) -> Callable[[str], int]:
    """Return ``f`` with ``f(text) == digest(prefix + text)``, hashing ``prefix`` only once
    (a row's fingerprint starts with a long text naming the source, header and mapping)."""
    start = blake2b(prefix.encode(), digest_size=8)
    from_bytes = int.from_bytes

    def digest_after(text: str) -> int:
        h = start.copy()
        h.update(text.encode())
        return from_bytes(h.digest(), "big", signed=True)

    return digest_after


_SPACES = re.compile(r"\s+")
NULL_DATES = {"01-01-0001", "0001-01-01", "00-00-0000", "0000-00-00", "01/01/0001"}
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


def clean(value) -> str | None:
    """Return ``value`` as stripped text with inner whitespace collapsed, or None when empty."""
    if value is None:
        return None
    text = (value if isinstance(value, str) else str(value)).strip()
    if not text:
        return None
    if "  " in text or "\t" in text or "\n" in text or "\r" in text or "\xa0" in text:
        text = _SPACES.sub(" ", text)
    return text


def parse_date(value, label: str) -> date | None:
    """Parse a source date: ``dd-mm-yyyy`` (SIASN), ``dd/mm/yyyy`` or ``yyyy-mm-dd``.

    ``01-01-0001`` is SIASN's empty date and gives None. Raises ValueError with an Indonesian
    message naming ``label`` for text that is not a real calendar date (``31-02-1990``).

    >>> parse_date("16-02-1986", "Tanggal lahir")
    datetime.date(1986, 2, 16)
    >>> parse_date("01-01-0001", "TMT") is None
    True
    """
    if value is None:
        return None
    if isinstance(value, str) and len(value) == 10 and value[2] == "-" and value[5] == "-":
        # Fast path for SIASN's dd-mm-yyyy; anything odd falls through to the full parser.
        try:
            y = int(value[6:])
            return date(y, int(value[3:5]), int(value[0:2])) if y > 1 else None
        except ValueError:
            pass
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text or text in NULL_DATES:
        return None
    m = _DMY.match(text)
    if m:
        d, mth, y = (int(x) for x in m.groups())
    else:
        m = _YMD.match(text)
        if not m:
            raise ValueError(f"{label} '{text}' bukan tanggal (format yang diterima: dd-mm-yyyy).")
        y, mth, d = (int(x) for x in m.groups())
    if y <= 1:
        return None
    try:
        return date(y, mth, d)
    except ValueError:
        raise ValueError(f"{label} '{text}' bukan tanggal yang valid.") from None
