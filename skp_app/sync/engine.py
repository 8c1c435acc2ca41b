"""The sync engine: ``plan`` (read, validate, match, diff, quarantine) and ``apply`` (write).

``plan`` streams the adapter's records in batches. For each batch it validates every record,
loads the matching employees in one query (by NIP, and by the source's external id), compares
field by field and stores what differs as :class:`SyncChange` rows and what is refused as
:class:`QuarantinedRecord` rows. It never writes to the organisation or personnel tables; it
commits the sync rows batch by batch so progress is visible and an API pull can resume.
Checks that need the whole source (duplicate NIPs, superiors that do not exist or form a cycle,
employees missing from a full export) run at the end.

``apply`` writes an approved plan: units and positions first (one transaction, each change
stamped ``SyncChange.applied_at``), then employees in batches of ``batch_size`` in the order
(depth, id), each batch one transaction that also appends its mark — the last change it
applied and when — to ``SyncRun.applied_marks``. A crash therefore leaves every batch applied
whole or not at all and a rerun continues after the last mark, never applying a change twice;
the employee change rows written by ``plan`` are not rewritten one by one to say so (only the
few that restarted SKPs get their ``effects`` and stamp). Every applied change writes an audit
event; structural changes close and restart SKPs (see :mod:`skp_app.sync.effects`).

Both commit (at batch granularity): they are the outermost unit of work of a sync run.

On PostgreSQL a batch's writes and commit run in a background thread
(:class:`~skp_app.sync.writer.BatchWriter`) while this thread prepares the next batch, so the
server inserts one batch while Python builds the next. Each batch is still one transaction
written by one thread at a time, in order; a failing batch raises its error here, and no thread
outlives the run. What a batch is prepared from is read before the previous batch is written:

* ``plan`` reads, validates and compares a batch's records while the previous batch's
  changes are written; the comparison reads employees through a second session (the
  ``reading_session`` of :mod:`~skp_app.sync.writer`): the plan never writes what it compares.
* ``apply`` reads a batch's changes, the ids reserved for its new employees and the rows it
  updates (:func:`_read_pegawai_batch`, through the second session) while the batch two before
  it is written, and prepares it in Python (:func:`_prepare_pegawai_batch`: rows, audit
  events, fingerprints) during the write of the batch before it. Nothing it reads can be
  changed by those writes (one change per NIP and per employee in
  a run; the unique NIP index refuses a batch whole otherwise). What does depend on earlier
  batches (superiors named by the source, SKP restarts, fingerprints read back) is read by
  :func:`_write_pegawai_batch`, in the batch's own transaction.

On SQLite the same steps run one after the other in this thread.
"""

from __future__ import annotations

import gc
import logging
from array import array
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date, datetime
from operator import attrgetter, itemgetter
from typing import NamedTuple

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from skp_app.audit.operations import jsonable, record
from skp_app.org.models import Instansi, Jabatan, Pegawai, PegawaiExternalId, UnitOrganisasi
from skp_app.org.nip import InvalidNip, normalize_nip, parse_nip
from skp_app.org.queries import superior_map
from skp_app.org.reference import GOLONGAN, KEDUDUKAN_HUKUM
from skp_app.sync.adapters.base import (
    LazyRecord,
    NormalizedPegawai,
    NormalizedUnit,
    RecordError,
    SourceAdapter,
    SourceMissing,
    SyncSourceError,
    digest,
    raw_dict,
)
from skp_app.sync.bulk import (
    Converted,
    analyze,
    audit_rows,
    bulk_insert,
    commit_batch,
    convert_rows,
    execute_in,
    is_postgres,
    json_loads,
    pg_array,
    record_audit,
    reserve_ids,
    select_in,
    text_time,
    update_many,
)
from skp_app.sync.effects import Restart, flag_parent_links, restart_skps
from skp_app.sync.models import QuarantinedRecord, SyncChange, SyncFingerprint, SyncRun
from skp_app.sync.normalize import SUB_UNIT_JENIS, classify_jabatan, name_key, unit_jenis
from skp_app.sync.writer import BatchWriter, reading_session
from skp_app.timeutil import WIB, utcnow

__all__ = ["SyncError", "after_batch", "apply", "discard", "new_employee_summary", "plan"]

log = logging.getLogger(__name__)

# Records per batch: each batch is one transaction. Fewer, larger batches cost fewer round trips
# and commits (a 20,000-row export: 2,000 per batch is ~25% faster than 500 on PostgreSQL) and
# still hold a SQLite write lock for well under a second; a web-service pull checkpoints more
# often (SourceAdapter.align_batch).
DEFAULT_BATCH = 2000
SYNC_OVERRIDE = "sinkron"  # atasan_override_jenis for a superior named by the source
HAND_OVERRIDES = {"plt", "plh", "koreksi"}
DATE_COLUMNS = {"tanggal_lahir", "tmt_golongan", "tmt_cpns", "tmt_pns", "tmt_jabatan"}
# Fields whose empty source value never clears what the database has.
SOFT_FIELDS = (
    "gelar_depan",
    "gelar_belakang",
    "nip_lama",
    "tempat_lahir",
    "tanggal_lahir",
    "tmt_golongan",
    "tmt_cpns",
    "tmt_pns",
    "tmt_jabatan",
    "email",
    "no_hp",
)
FIELD_LABELS = {
    "nip": "NIP",
    "nama": "Nama",
    "gelar_depan": "Gelar depan",
    "gelar_belakang": "Gelar belakang",
    "nip_lama": "NIP lama",
    "jenis_kelamin": "Jenis kelamin",
    "tempat_lahir": "Tempat lahir",
    "tanggal_lahir": "Tanggal lahir",
    "jenis_asn": "Jenis ASN",
    "golongan_id": "Golongan",
    "golongan_pppk": "Golongan PPPK",
    "tmt_golongan": "TMT golongan",
    "tmt_cpns": "TMT CPNS",
    "tmt_pns": "TMT PNS",
    "tmt_jabatan": "TMT jabatan",
    "kedudukan_hukum_id": "Kedudukan hukum",
    "unit": "Unit kerja",
    "jabatan": "Jabatan",
    "atasan": "Atasan langsung",
    "email": "Email",
    "no_hp": "Nomor HP",
    "external_id": "ID di sumber",
    "not_in_source_since": "Tidak ada di sumber sejak",
    "nama_unit": "Nama unit",
    "induk": "Unit induk",
    "eselon_id": "Eselon",
}
STRUCTURAL_FIELDS = {"unit", "jabatan", "atasan"}
_COMPARED = tuple(
    (f, f in DATE_COLUMNS) for f in ("nama", *SOFT_FIELDS, "jenis_kelamin", "jenis_asn")
)

_P = Pegawai.__table__.c


_PT = Pegawai.__table__
_XT = PegawaiExternalId.__table__
# Columns compared by the plan; read as driver values (dates are ISO text on SQLite).
_EXISTING_NAMES = [
    "id",
    "nip",
    "nip_lama",
    "nama",
    "gelar_depan",
    "gelar_belakang",
    "jenis_kelamin",
    "tempat_lahir",
    "tanggal_lahir",
    "jenis_asn",
    "golongan_id",
    "golongan_pppk",
    "tmt_golongan",
    "tmt_cpns",
    "tmt_pns",
    "tmt_jabatan",
    "jabatan_id",
    "unit_id",
    "kedudukan_hukum_id",
    "atasan_override_id",
    "atasan_override_jenis",
    "email",
    "no_hp",
    "not_in_source_since",
]


# The compared fields of a record and of a database row, fetched in one C call each.
_REC_VALUES = attrgetter(*(f for f, _ in _COMPARED))
_ROW_VALUES = itemgetter(*(_EXISTING_NAMES.index(f) for f, _ in _COMPARED))


_FP_SEPARATOR = "\x1f"


class _FpRow(NamedTuple):
    id: int
    nip: str
    unit_id: int | None
    jabatan_id: int | None
    fp: str


def _fp_of(values: dict) -> str:
    """Write an employee row given as ``{column: value}`` (text, ints, ISO date text; missing
    columns are NULL) as _fingerprint_sql's SQL does: decimal ints, NULL as \\x01."""
    return _FP_SEPARATOR.join(
        [
            "\x01" if v is None else v if v.__class__ is str else str(v)
            for v in map(values.get, _EXISTING_NAMES)
        ]
    )


def _fingerprint_sql(session: Session) -> dict[str, str]:
    """Return the SQL expression that writes an employee's compared columns as one text
    (``{"fp": …}`` for select_in): cheaper than turning two dozen columns into Python values."""
    if is_postgres(session):
        parts = ", ".join(f"coalesce({c}::text, chr(1))" for c in _EXISTING_NAMES)
        return {"fp": f"concat_ws(chr(31), {parts})"}
    return {
        "fp": " || char(31) || ".join(
            f"coalesce(CAST({c} AS TEXT), char(1))" for c in _EXISTING_NAMES
        )
    }


def _db_digest(row, external_id: str | None, org) -> int:
    """Fingerprint what the comparison reads of an employee: the compared columns (``row.fp``,
    see _fingerprint_sql), the external id, and the unit and position rows the employee is in."""
    return _place_digest(row.fp, external_id, row.unit_id, row.jabatan_id, org)


def _place_digest(fp: str, external_id: str | None, unit_id, jabatan_id, org) -> int:
    return digest("\x1e".join((fp, external_id or "\x00", org.place_text(unit_id, jabatan_id))))


def store_fingerprints(session: Session, source: str, rows: list[dict]) -> None:
    """Replace the fingerprints of these NIPs (``rows``: nip, row_digest, db_digest)."""
    if not rows:
        return
    latest = {r["nip"]: r for r in rows}
    execute_in(
        session,
        "DELETE FROM sync_fingerprints WHERE source = ? AND nip IN",
        (source,),
        list(latest),
    )
    bulk_insert(session, SyncFingerprint.__table__, list(latest.values()))


class SyncError(Exception):
    """A sync action was refused (stale plan, wrong state); the message is for the user."""


def after_batch(run: SyncRun, batch_no: int) -> None:
    """Called after each committed employee batch of ``apply`` (a seam for tests)."""


@contextmanager
def _fewer_gc_pauses():
    """Collect garbage less often while a run creates many short-lived objects (~15% CPU)."""
    saved = gc.get_threshold()
    gc.set_threshold(max(saved[0], 50_000), saved[1], saved[2])
    try:
        yield
    finally:
        gc.set_threshold(*saved)


def _today() -> date:
    return datetime.now(WIB).date()


def _iso(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _label_golongan(gid) -> str | None:
    return GOLONGAN[gid].label if gid in GOLONGAN else (str(gid) if gid is not None else None)


def _label_kedudukan(code) -> str | None:
    k = KEDUDUKAN_HUKUM.get(code or "")
    return f"{code} {k.label}" if k else code


def new_employee_summary(record: dict) -> dict:
    """Return the review/audit view of a planned new employee: ``{field: value}``."""
    values = record.get("values", {})
    out = {"nip": values.get("nip"), "nama": values.get("nama")}
    if values.get("golongan_id") is not None:
        out["golongan_id"] = _label_golongan(values["golongan_id"])
    if values.get("golongan_pppk"):
        out["golongan_pppk"] = values["golongan_pppk"]
    out["kedudukan_hukum_id"] = _label_kedudukan(values.get("kedudukan_hukum_id"))
    if record.get("unit_label"):
        out["unit"] = record["unit_label"]
    if record.get("jabatan_label"):
        out["jabatan"] = record["jabatan_label"]
    if record.get("atasan_nip"):
        out["atasan"] = record["atasan_nip"]
    return out


def _is_active(code) -> bool:
    k = KEDUDUKAN_HUKUM.get(code or "")
    return bool(k and k.is_active_service)


# =============================================================================================
# Indexes of what the database already holds (few rows: units and positions)
# =============================================================================================


class _OrgIndex:
    """Units and positions of the database, loaded once per plan."""

    def __init__(self, session: Session):
        self.units: dict[int, tuple] = {}
        self.by_siasn: dict[str, int] = {}
        self.by_name: dict[str, int | None] = {}  # None: the name is not unique
        for uid, siasn_id, nama, parent_id, opd_id, is_opd, eselon in session.execute(
            select(
                UnitOrganisasi.id,
                UnitOrganisasi.siasn_id,
                UnitOrganisasi.nama,
                UnitOrganisasi.parent_id,
                UnitOrganisasi.opd_id,
                UnitOrganisasi.is_opd,
                UnitOrganisasi.eselon_id,
            )
        ):
            self.units[uid] = (siasn_id, nama, parent_id, opd_id, is_opd, eselon)
            if siasn_id:
                self.by_siasn[siasn_id] = uid
            key = name_key(nama)
            self.by_name[key] = None if key in self.by_name else uid
        self.positions: dict[tuple[int, str], int] = {}
        self.position_rows: dict[int, tuple] = {}
        self.heads: dict[int, int] = {}  # unit id -> head position id
        for jid, unit_id, nama, is_head, atasan_id in session.execute(
            select(
                Jabatan.id, Jabatan.unit_id, Jabatan.nama, Jabatan.is_kepala_unit, Jabatan.atasan_id
            ).order_by(Jabatan.id)
        ):
            self.positions.setdefault((unit_id, name_key(nama)), jid)
            self.position_rows[jid] = (unit_id, nama, is_head, atasan_id)
            if is_head:
                self.heads.setdefault(unit_id, jid)
        self._places: dict[tuple, str] = {}

    def place_text(self, unit_id: int | None, jabatan_id: int | None) -> str:
        """Return the unit and position rows of an employee as text (for _db_digest)."""
        key = (unit_id, jabatan_id)
        text = self._places.get(key)
        if text is None:
            text = self._places[key] = (
                f"{self.units.get(unit_id)!r}\x1e{self.position_rows.get(jabatan_id)!r}"
            )
        return text

    def unit_name(self, uid: int | None) -> str | None:
        return self.units[uid][1] if uid in self.units else None

    def position_name(self, jid: int | None) -> str | None:
        return self.position_rows[jid][1] if jid in self.position_rows else None


def _below_opd(unit: NormalizedUnit, units: dict[str, NormalizedUnit]) -> str:
    """Return the jenis of a unit the source places below an OPD without a telling name."""
    if unit.parent_key is None and any(u.parent_key == unit.key for u in units.values()):
        return "pemda"  # the top of the source's tree (Pemerintah Kabupaten …)
    return "bidang"


def _ref_key(ref: dict) -> tuple:
    if "id" in ref:
        return ("id", ref["id"])
    return ("siasn", ref["siasn_id"])


# =============================================================================================
# plan
# =============================================================================================


class _Planner:
    def __init__(
        self,
        session: Session,
        adapter: SourceAdapter,
        run: SyncRun,
        *,
        full_export: bool,
        batch_size: int,
        progress,
        track_keys: bool = False,
    ):
        self.session = session
        # What a batch reads (employees, external ids, fingerprints): on PostgreSQL a session
        # of its own (see plan), so that it does not wait for the previous batch's write.
        self.reader = session
        self.adapter = adapter
        self.run = run
        # Read once: the batches use it while the writer commits (and expires) the run.
        self.run_id = run.id
        self.full_export = full_export
        self.batch_size = max(1, batch_size)
        self.progress = progress
        self.org = _OrgIndex(session)
        self.source_units: dict[str, NormalizedUnit] = {}
        # NIP (as an int: half the memory of the text) -> first row number. With the external
        # ids below, this is the only state that grows with the source; the rest is per batch.
        self.seen: dict[int, int] = {}
        self.dups: dict[str, list[int]] = {}
        self.dup_raw: dict[int, tuple] = {}  # later occurrences: row -> (raw, source_key, nama)
        self.bad_nips: set[str] = set()  # NIPs whose record is quarantined
        # hash of an external id -> NIP (int); the id itself when the keys are tracked.
        self.ext_seen: dict = {}
        # A resumable source that cannot list the records before a checkpoint again: what the
        # whole-source checks need of them goes into the checkpoint (key_state).
        self.track_keys = track_keys
        self._ext_key = str if track_keys else hash
        # Fingerprints of rows found unchanged (see SyncFingerprint); a source that names
        # superiors is always compared in full (a superior can change without its row).
        self.fingerprints = adapter.fingerprints and "atasan_nip" not in adapter.fields
        # Nothing to look up while the source has no fingerprint at all (its first run): a
        # fingerprint stored by this run is of a NIP it has seen, whose repeats are compared.
        self.lookup = self.fingerprints and (
            session.scalar(
                select(SyncFingerprint.nip).where(SyncFingerprint.source == adapter.source).limit(1)
            )
            is not None
        )
        self.pending_fingerprints: list[dict] = []
        self.atasan: dict[str, tuple[int, str]] = {}  # NIP -> (row, superior NIP)
        self.missing: dict[str, int] = {}  # NIPs the source says it does not know
        self.positions: dict[tuple, dict] = {}  # new positions needed
        self.unchanged = 0
        self.records = 0
        self.pending_changes: list[dict] = []
        self.pending_quarantine: list[dict] = []
        self._superiors: dict[int, int | None] | None = None
        self._nip_of: dict[int, str] | None = None
        self.fields = adapter.fields
        self.ext_source = adapter.external_source

    # --- source units ------------------------------------------------------------------------

    def load_source_units(self) -> None:
        for unit in self.adapter.iter_units():
            self.source_units.setdefault(unit.key, unit)

    def _resolve_unit(self, rec: NormalizedPegawai):
        """Return ``(ref, label, problem)`` for the record's unit (ref None: not provided)."""
        a = self.adapter
        if rec.unit_key and a.unit_keys_are_siasn:
            key = rec.unit_key
            if key in self.org.by_siasn:
                uid = self.org.by_siasn[key]
                return {"id": uid}, self.org.unit_name(uid), None
            if key in self.source_units:
                return {"siasn_id": key}, self.source_units[key].nama, None
            if a.units_from_records and rec.unit_nama:
                parent = rec.parent_unit_key
                if parent and rec.parent_unit_nama and parent not in self.org.by_siasn:
                    self.source_units.setdefault(
                        parent, NormalizedUnit(parent, rec.parent_unit_nama, siasn_id=parent)
                    )
                self.source_units[key] = NormalizedUnit(
                    key, rec.unit_nama, siasn_id=key, parent_key=parent, opd_key=rec.opd_key
                )
                return {"siasn_id": key}, rec.unit_nama, None
            label = f"'{rec.unit_nama}' ({key})" if rec.unit_nama else f"dengan ID {key}"
            return (
                None,
                None,
                (
                    "unit_unknown",
                    f"Unit kerja {label} tidak dikenal: tidak ada di aplikasi maupun di referensi "
                    "unit sumber.",
                ),
            )
        name = rec.unit_nama or rec.opd_nama
        if name:
            uid = self.org.by_name.get(name_key(name), 0)
            if uid:
                return {"id": uid}, self.org.unit_name(uid), None
            if uid is None:
                return (
                    None,
                    None,
                    (
                        "unit_unknown",
                        f"Nama unit kerja '{name}' dipakai lebih dari satu unit di aplikasi; "
                        "gunakan ID unor SIASN.",
                    ),
                )
            return (
                None,
                None,
                (
                    "unit_unknown",
                    f"Unit kerja '{name}' tidak ditemukan di aplikasi; tambahkan unitnya atau "
                    "perbaiki namanya di sumber.",
                ),
            )
        if "unit" in self.fields:
            return None, None, ("unit_missing", "Unit kerja kosong.")
        return None, None, None

    def _resolve_position(self, rec: NormalizedPegawai, unit_ref: dict | None):
        """Return ``(ref, label)`` of the record's position (None: not given)."""
        if not rec.jabatan_nama or unit_ref is None:
            return None, None
        nk = name_key(rec.jabatan_nama)
        if "id" in unit_ref:
            jid = self.org.positions.get((unit_ref["id"], nk))
            if jid is not None:
                return {"id": jid}, self.org.position_name(jid)
        key = (_ref_key(unit_ref), nk)
        if key not in self.positions:
            jenis, eselon, jenjang, is_head = classify_jabatan(
                rec.jenis_jabatan_id, rec.jabatan_nama, rec.eselon_id
            )
            unit = self.source_units.get(unit_ref.get("siasn_id") or "")
            if unit is not None and unit.head_external_id and rec.external_id:
                is_head = is_head or unit.head_external_id == rec.external_id
            self.positions[key] = {
                "unit": unit_ref,
                "nama": rec.jabatan_nama,
                "name_key": nk,
                "jenis": jenis,
                "eselon_id": eselon,
                "jenjang": jenjang,
                "is_head": is_head,
                "siasn_id": rec.jabatan_external_id,
            }
        return {"unit": unit_ref, "name": nk}, rec.jabatan_nama

    # --- validation --------------------------------------------------------------------------

    def _validate(self, rec: NormalizedPegawai):
        problems = list(rec.problems)
        info = None
        try:
            info = parse_nip(rec.nip, pppk=rec.jenis_asn == "PPPK")
            rec.nip = info.nip
        except InvalidNip as exc:
            problems.insert(0, ("nip_invalid", f"NIP tidak valid: {exc}"))
        if not rec.nama:
            problems.append(("nama_missing", "Nama pegawai kosong."))
        if rec.golongan_text:
            table = "PPPK (I-XVII)" if rec.jenis_asn == "PPPK" else "PNS (I/a-IV/e, ID 11-45)"
            problems.append(
                (
                    "golongan_unknown",
                    f"Golongan '{rec.golongan_text}' tidak ada dalam tabel golongan {table}.",
                )
            )
        if rec.atasan_nip:
            try:
                rec.atasan_nip = normalize_nip(rec.atasan_nip)
            except InvalidNip as exc:
                problems.append(("superior_not_found", f"NIP atasan tidak valid: {exc}"))
        return info, problems

    def _quarantine(self, row_number, source_key, raw, problems, nip="", nama=""):
        code = problems[0][0]
        message = " ".join(m for _c, m in problems)
        self.pending_quarantine.append(
            {
                "run_id": self.run_id,
                "row_number": row_number,
                "source_key": str(source_key)[:100],
                "nip": (nip or "")[:40],
                "nama": (nama or "")[:200],
                "reason_code": code,
                "message": message,
                "raw": jsonable(raw_dict(raw)),
            }
        )

    # --- fingerprints ------------------------------------------------------------------------

    def _fingerprint_hits(self, items: list) -> dict[int, tuple[str, str | None]]:
        """Return ``{row number: (nip, external id)}`` of the rows of ``items`` that are, and
        whose employee's database row is, exactly as when they were last found unchanged."""
        by_nip: dict[str, list[LazyRecord]] = {}
        for item in items:
            if isinstance(item, LazyRecord):
                nip = item.nip_text
                if len(nip) != 18 or not nip.isdigit():  # as written by SIASN: nothing to do
                    try:
                        nip = normalize_nip(nip)
                    except InvalidNip:
                        continue
                by_nip.setdefault(nip, []).append(item)
        if not by_nip:
            return {}
        known = {
            nip: (row_digest, db_digest)
            for nip, row_digest, db_digest in select_in(
                self.reader,
                SyncFingerprint.__table__,
                ["nip", "row_digest", "db_digest"],
                "nip",
                by_nip,
                where={"source": self.adapter.source},
            )
        }
        wanted = [
            nip
            for nip, found in by_nip.items()
            if nip in known and any(i.digest == known[nip][0] for i in found)
        ]
        if not wanted:
            return {}
        rows = select_in(
            self.reader,
            _PT,
            ["id", "nip", "unit_id", "jabatan_id"],
            "nip",
            wanted,
            extra=_fingerprint_sql(self.reader),
        )
        ext_of = self._external_ids([row.id for row in rows])
        hits: dict[int, tuple[str, str | None]] = {}
        for row in rows:
            row_digest, db_digest = known[row.nip]
            ext = ext_of.get(row.id)
            if _db_digest(row, ext, self.org) != db_digest:
                continue  # changed in the application since: compare it in full
            for item in by_nip[row.nip]:
                if item.digest == row_digest:
                    hits[item.row_number] = (row.nip, ext)
        return hits

    def _external_ids(self, pegawai_ids: list[int]) -> dict[int, str]:
        if not self.ext_source or not pegawai_ids:
            return {}
        return {
            pid: ext
            for pid, src, ext in select_in(
                self.reader,
                _XT,
                ["pegawai_id", "source", "external_id"],
                "pegawai_id",
                pegawai_ids,
            )
            if src == self.ext_source
        }

    def _unchanged_as_before(self, item: LazyRecord, nip: str, ext: str | None) -> bool:
        """Count a fingerprinted row unchanged; False when it needs the full path after all
        (a duplicate NIP, or an external id another row of the source already used)."""
        key = int(nip)
        if key in self.seen:
            return False
        if ext:
            other = self.ext_seen.get(self._ext_key(ext))
            if other is not None and other != key:
                return False
            self.ext_seen[self._ext_key(ext)] = key
        self.seen[key] = item.row_number
        self.unchanged += 1
        return True

    def _remember(self, rec: NormalizedPegawai, row, ext: str | None) -> None:
        """Store the fingerprint of a row the comparison found unchanged."""
        if self.fingerprints and rec.digest is not None:
            self.pending_fingerprints.append(
                {
                    "source": self.adapter.source,
                    "nip": rec.nip,
                    "row_digest": rec.digest,
                    "db_digest": _db_digest(row, ext, self.org),
                }
            )

    # --- resuming ----------------------------------------------------------------------------

    def key_state(self) -> dict:
        """Return, as JSON, what the whole-source checks need of the records read so far."""
        return {
            "seen": [[row, nip] for nip, row in self.seen.items()],
            "bad": sorted(self.bad_nips),
            "dups": self.dups,
            "ext": [[ext, nip] for ext, nip in self.ext_seen.items()],
            "atasan": [[nip, row, sup] for nip, (row, sup) in self.atasan.items()],
        }

    def restore_keys(self, state: dict) -> None:
        """Take back :meth:`key_state` of an interrupted run."""
        self.seen.update((int(nip), int(row)) for row, nip in state.get("seen", ()))
        self.bad_nips.update(state.get("bad", ()))
        for nip, rows in (state.get("dups") or {}).items():
            self.dups[nip] = [int(r) for r in rows]
        self.ext_seen.update((ext, int(nip)) for ext, nip in state.get("ext", ()))
        self.atasan.update((nip, (int(row), sup)) for nip, row, sup in state.get("atasan", ()))

    # --- superiors ---------------------------------------------------------------------------

    def _superior_state(self):
        if self._superiors is None:
            self._superiors = superior_map(self.reader)
            self._nip_of = dict(
                self.reader.execute(
                    select(Pegawai.id, Pegawai.nip).where(Pegawai.nip.is_not(None))
                ).all()
            )
        return self._superiors, self._nip_of

    # --- one batch ---------------------------------------------------------------------------

    def process(self, items: list, before_reading: Callable[[], object] = lambda: None) -> None:
        """Validate and compare a batch, staging its rows (see :meth:`take_pending`).

        The database is read (through ``self.reader``) only after ``before_reading()``
        (which waits for the batch still being written when the reader is the writing session,
        see BatchWriter): validating the records needs no database.
        """
        valid: list[tuple[NormalizedPegawai, object]] = []
        hits = {}
        if self.lookup:
            before_reading()
            hits = self._fingerprint_hits(items)
        for item in items:
            self.records += 1
            if isinstance(item, LazyRecord):
                hit = hits.get(item.row_number)
                if hit is not None and self._unchanged_as_before(item, *hit):
                    continue
                item = item.build()
            if isinstance(item, SourceMissing):
                self.records -= 1
                self.missing.setdefault(item.nip, item.row_number)
                continue
            if isinstance(item, RecordError):
                try:
                    nip = normalize_nip(item.nip)
                    self.seen.setdefault(int(nip), item.row_number)
                    self.bad_nips.add(nip)
                except InvalidNip:
                    pass
                self._quarantine(
                    item.row_number,
                    item.source_key,
                    item.raw,
                    [(item.code, item.message)],
                    item.nip,
                    item.nama,
                )
                continue
            rec = item
            info, problems = self._validate(rec)
            if info is not None:
                nip = info.nip
                key = int(nip)
                if key in self.seen:
                    self.dups.setdefault(nip, [self.seen[key]]).append(rec.row_number)
                    self.dup_raw[rec.row_number] = (rec.raw, rec.source_key, rec.nama or "")
                    continue
                self.seen[key] = rec.row_number
            if rec.external_id and info is not None:
                other = self.ext_seen.get(self._ext_key(rec.external_id))
                if other is not None and other != int(info.nip):
                    problems.append(
                        (
                            "external_id_conflict",
                            f"ID sumber {rec.external_id} juga dipakai NIP {other} di sumber "
                            "yang sama.",
                        )
                    )
                else:
                    self.ext_seen[self._ext_key(rec.external_id)] = int(info.nip)
            unit_ref = unit_label = None
            if not problems:
                unit_ref, unit_label, unit_problem = self._resolve_unit(rec)
                if unit_problem:
                    problems.append(unit_problem)
            if problems:
                if info is not None:
                    self.bad_nips.add(info.nip)
                self._quarantine(
                    rec.row_number, rec.source_key, rec.raw, problems, rec.nip or "", rec.nama or ""
                )
                continue
            valid.append((rec, info, unit_ref, unit_label))
        if valid:
            before_reading()
            self._diff_batch(valid)

    def _load_existing(self, recs):
        session = self.reader
        nips = [r.nip for r, *_ in recs]
        # Unit and position names come from the in-memory index (a join costs 3×).
        fp = _fingerprint_sql(session) if self.fingerprints else None
        rows = {
            row.nip: row for row in select_in(session, _PT, _EXISTING_NAMES, "nip", nips, extra=fp)
        }
        ext_of: dict[int, str] = {}
        by_ext: dict[str, int] = {}
        if self.ext_source:
            ext_ids = [r.external_id for r, *_ in recs if r.external_id]
            found = [
                tuple(r)
                for r in select_in(
                    session,
                    _XT,
                    ["pegawai_id", "external_id"],
                    "external_id",
                    ext_ids,
                    where={"source": self.ext_source},
                )
            ]
            # Only employees whose current id was not among the source's ids need a lookup
            # (on the pegawai_id index; the source is checked here, not in SQL).
            known = {pid for pid, _ext in found}
            ids = [row.id for row in rows.values() if row.id not in known]
            found += [
                (pid, ext)
                for pid, src, ext in select_in(
                    session, _XT, ["pegawai_id", "source", "external_id"], "pegawai_id", ids
                )
                if src == self.ext_source
            ]
            for pid, ext in found:
                ext_of[pid] = ext
                by_ext[ext] = pid
        # Employees found only through their external id (the NIP was corrected at the source).
        by_id = {row.id: row for row in rows.values()}
        wanted = {
            by_ext[r.external_id] for r, *_ in recs if r.external_id in by_ext and r.nip not in rows
        }
        wanted -= set(by_id)
        for row in select_in(session, _PT, _EXISTING_NAMES, "id", wanted, extra=fp):
            by_id[row.id] = row
        return rows, by_id, ext_of, by_ext

    def _diff_batch(self, recs) -> None:
        rows, by_id, ext_of, by_ext = self._load_existing(recs)
        fields = self.fields
        for rec, info, unit_ref, unit_label in recs:
            row = rows.get(rec.nip)
            if rec.external_id and rec.external_id in by_ext:
                holder = by_ext[rec.external_id]
                if row is None:
                    row = by_id.get(holder)
                elif holder != row.id:
                    self.bad_nips.add(rec.nip)
                    self._quarantine(
                        rec.row_number,
                        rec.source_key,
                        rec.raw,
                        [
                            (
                                "external_id_conflict",
                                f"ID sumber {rec.external_id} sudah tercatat untuk pegawai lain di "
                                "aplikasi (bukan pemilik NIP ini).",
                            )
                        ],
                        rec.nip,
                        rec.nama or "",
                    )
                    continue
            jab_ref, jab_label = self._resolve_position(rec, unit_ref)
            values: dict = {}
            diff: dict = {}
            if row is None:
                self._new_record(rec, info, unit_ref, unit_label, jab_ref, jab_label)
                continue
            if row.nip != rec.nip:
                values["nip"] = rec.nip
                diff["nip"] = [row.nip, rec.nip]
            # Empty source values are None (build_record's clean), so "not None" is enough for
            # the soft fields too: an empty cell never clears what the database has.
            for (f, is_date), new, old in zip(
                _COMPARED, _REC_VALUES(rec), _ROW_VALUES(row), strict=True
            ):
                if new is not None:
                    if is_date:
                        shown = new.isoformat()
                        if old is not None and not isinstance(old, str):
                            old = old.isoformat()
                    else:
                        shown = new
                    if shown != old:
                        values[f] = new
                        diff[f] = [old, shown]
            if "golongan" in fields:
                if rec.golongan_id is not None and rec.golongan_id != row.golongan_id:
                    values["golongan_id"] = rec.golongan_id
                    diff["golongan_id"] = [
                        _label_golongan(row.golongan_id),
                        _label_golongan(rec.golongan_id),
                    ]
                if rec.golongan_pppk is not None and rec.golongan_pppk != row.golongan_pppk:
                    values["golongan_pppk"] = rec.golongan_pppk
                    diff["golongan_pppk"] = [row.golongan_pppk, rec.golongan_pppk]
            kh = rec.kedudukan_hukum_id
            if kh is not None and kh != row.kedudukan_hukum_id:
                values["kedudukan_hukum_id"] = kh
                diff["kedudukan_hukum_id"] = [
                    _label_kedudukan(row.kedudukan_hukum_id),
                    _label_kedudukan(kh),
                ]
            record: dict = {}
            if unit_ref is not None and unit_ref.get("id") != row.unit_id:
                record["unit"] = unit_ref
                diff["unit"] = [self.org.unit_name(row.unit_id), unit_label]
            if jab_ref is not None and jab_ref.get("id", -1) != row.jabatan_id:
                record["jabatan"] = jab_ref
                old_jabatan = self.org.position_name(row.jabatan_id)
                if name_key(old_jabatan) != name_key(jab_label) or "unit" not in diff:
                    diff["jabatan"] = [old_jabatan, jab_label]
            elif jab_ref is None and "unit" in record and row.jabatan_id is not None:
                # The old position belongs to the old unit; the source names no new one.
                record["jabatan"] = None
                diff["jabatan"] = [self.org.position_name(row.jabatan_id), None]
            if rec.atasan_nip and "atasan_nip" in fields:
                self.atasan[rec.nip] = (rec.row_number, rec.atasan_nip)
                if row.atasan_override_jenis not in HAND_OVERRIDES:
                    superiors, nip_of = self._superior_state()
                    current = nip_of.get(superiors.get(row.id))
                    if current != rec.atasan_nip:
                        record["atasan_nip"] = rec.atasan_nip
                        diff["atasan"] = [current, rec.atasan_nip]
            if row.not_in_source_since is not None:
                values["not_in_source_since"] = None
                diff["not_in_source_since"] = [_iso(row.not_in_source_since), None]
            if self.ext_source and rec.external_id and ext_of.get(row.id) != rec.external_id:
                record["external_id"] = rec.external_id
                diff["external_id"] = [ext_of.get(row.id), rec.external_id]
            if not diff:
                self.unchanged += 1
                self._remember(rec, row, ext_of.get(row.id))
                continue
            kind = "changed"
            new_status = values.get("kedudukan_hukum_id")
            if (
                new_status is not None
                and _is_active(row.kedudukan_hukum_id)
                and not _is_active(new_status)
            ):
                kind = "leaving"
            record["values"] = {k: _iso(v) for k, v in values.items()}
            record["external_source"] = self.ext_source
            if self.fingerprints and rec.digest is not None:
                record["digest"] = rec.digest
            if "tmt_jabatan" in values:
                record["tmt_jabatan"] = _iso(values["tmt_jabatan"])
            elif rec.tmt_jabatan is not None:
                record["tmt_jabatan"] = _iso(rec.tmt_jabatan)
            self._stage(
                "pegawai",
                kind,
                rec.row_number,
                pegawai_id=row.id,
                nip=rec.nip,
                key=rec.external_id or "",
                label=rec.nama or row.nama,
                diff=diff,
                record=record,
            )

    def _new_record(self, rec, info, unit_ref, unit_label, jab_ref, jab_label) -> None:
        # Only what is given (no None, no empty text); dates as ISO text. The defaults are
        # filled in when the employee is inserted (_PEGAWAI_DEFAULTS).
        stored = {"nip": rec.nip}
        if rec.nama:
            stored["nama"] = rec.nama
        for name, value in (
            ("gelar_depan", rec.gelar_depan),
            ("gelar_belakang", rec.gelar_belakang),
            ("nip_lama", rec.nip_lama),
            ("jenis_kelamin", rec.jenis_kelamin or info.gender),
            ("tempat_lahir", rec.tempat_lahir),
            ("tanggal_lahir", (rec.tanggal_lahir or info.birth_date).isoformat()),
            ("jenis_asn", rec.jenis_asn or "PNS"),
            ("golongan_id", rec.golongan_id),
            ("golongan_pppk", rec.golongan_pppk),
            ("tmt_golongan", rec.tmt_golongan and rec.tmt_golongan.isoformat()),
            ("tmt_cpns", _iso(rec.tmt_cpns or (info.tmt_cpns if not info.is_pppk else None))),
            ("tmt_pns", rec.tmt_pns and rec.tmt_pns.isoformat()),
            ("tmt_jabatan", rec.tmt_jabatan and rec.tmt_jabatan.isoformat()),
            ("kedudukan_hukum_id", rec.kedudukan_hukum_id or "01"),
            ("email", rec.email),
            ("no_hp", rec.no_hp),
        ):
            if value is not None and value != "":
                stored[name] = value
        # A new employee's review line is derived from ``record`` (SyncChange.display_diff):
        # storing it twice would double the JSON written and read for every new employee.
        record = {"values": stored, "external_source": self.ext_source}
        if unit_ref is not None:
            record["unit"] = unit_ref
            record["unit_label"] = unit_label
        if jab_ref is not None:
            record["jabatan"] = jab_ref
            record["jabatan_label"] = jab_label
        if rec.atasan_nip and "atasan_nip" in self.fields:
            self.atasan[rec.nip] = (rec.row_number, rec.atasan_nip)
            record["atasan_nip"] = rec.atasan_nip
        if self.ext_source and rec.external_id:
            record["external_id"] = rec.external_id
        if self.fingerprints and rec.digest is not None:
            record["digest"] = rec.digest
        diff: dict = {}
        self._stage(
            "pegawai",
            "new",
            rec.row_number,
            pegawai_id=None,
            nip=rec.nip,
            key=rec.external_id or "",
            label=rec.nama,
            diff=diff,
            record=record,
        )

    def _stage(
        self,
        entity,
        kind,
        row_number,
        *,
        pegawai_id=None,
        object_id=None,
        nip=None,
        key="",
        label="",
        diff=None,
        record=None,
        depth=0,
    ) -> None:
        self.pending_changes.append(
            {
                "run_id": self.run_id,
                "entity": entity,
                "kind": kind,
                "row_number": row_number,
                "depth": depth,
                "pegawai_id": pegawai_id,
                "object_id": object_id,
                "nip": nip,
                "key": (key or "")[:300],
                "label": (label or "")[:300],
                "diff": diff or {},
                "record": record or {},
            }
        )

    def take_pending(self) -> tuple[list[dict], list[dict], list[dict]]:
        """Return the staged changes, quarantined records and fingerprints, and forget them."""
        pending = (self.pending_changes, self.pending_quarantine, self.pending_fingerprints)
        self.pending_changes, self.pending_quarantine, self.pending_fingerprints = [], [], []
        return pending

    def flush(self, pending: tuple | None = None) -> None:
        """Write ``pending`` (from :meth:`take_pending`; by default what is staged now)."""
        changes, quarantine, fingerprints = pending or self.take_pending()
        if changes:
            bulk_insert(self.session, SyncChange.__table__, changes)
        if quarantine:
            bulk_insert(self.session, QuarantinedRecord.__table__, quarantine)
        if fingerprints:
            store_fingerprints(self.session, self.adapter.source, fingerprints)

    # --- whole-source checks -----------------------------------------------------------------

    def _retract(self, problems: dict[int, tuple[str, str, str]]) -> None:
        """Move records already planned (or counted unchanged) to the quarantine."""
        if not problems:
            return
        rows = sorted(problems)
        staged: dict[int, dict] = {}
        quarantined: set[int] = set()
        for i in range(0, len(rows), 500):
            chunk = rows[i : i + 500]
            for number, rec, label in self.session.execute(
                select(SyncChange.row_number, SyncChange.record, SyncChange.label).where(
                    SyncChange.run_id == self.run.id,
                    SyncChange.entity == "pegawai",
                    SyncChange.row_number.in_(chunk),
                )
            ):
                staged[number] = {"record": rec, "label": label}
            quarantined.update(
                self.session.scalars(
                    select(QuarantinedRecord.row_number).where(
                        QuarantinedRecord.run_id == self.run.id,
                        QuarantinedRecord.row_number.in_(chunk),
                    )
                )
            )
        need_raw = {r for r in rows if r not in self.dup_raw and r not in quarantined}
        raws = self.adapter.reread(need_raw) if need_raw else {}
        for number in rows:
            if number in quarantined:
                continue
            code, message, nip = problems[number]
            if number in self.dup_raw:
                raw, source_key, nama = self.dup_raw[number]
            else:
                raw = raws.get(number) or (staged.get(number) or {}).get("record") or {"nip": nip}
                source_key = f"baris {number}"
                nama = (staged.get(number) or {}).get("label", "")
                if number not in staged:
                    self.unchanged -= 1
            self._quarantine(number, source_key, raw, [(code, message)], nip, nama)
        if staged:
            for i in range(0, len(rows), 500):
                self.session.execute(
                    delete(SyncChange).where(
                        SyncChange.run_id == self.run.id,
                        SyncChange.entity == "pegawai",
                        SyncChange.row_number.in_(rows[i : i + 500]),
                    )
                )

    def check_duplicates(self) -> None:
        problems: dict[int, tuple[str, str, str]] = {}
        for nip, numbers in self.dups.items():
            listed = ", ".join(str(n) for n in numbers)
            for n in numbers:
                problems[n] = (
                    "nip_duplicate",
                    f"NIP {nip} muncul lebih dari sekali di sumber (baris {listed}); "
                    "semua baris dikarantina sampai sumbernya diperbaiki.",
                    nip,
                )
            self.bad_nips.add(nip)
        self._retract(problems)

    def check_superiors(self) -> None:
        if not self.atasan:
            return
        edges = {nip: sup for nip, (_row, sup) in self.atasan.items() if nip not in self.bad_nips}
        t = sorted(set(edges.values()))
        in_db: set[str] = set()
        for i in range(0, len(t), 500):
            in_db.update(
                self.session.scalars(select(Pegawai.nip).where(Pegawai.nip.in_(t[i : i + 500])))
            )
        problems: dict[int, tuple[str, str, str]] = {}
        # Cycles: every node has at most one superior, so each chain is walked once.
        state: dict[str, int] = {}
        for start in edges:
            if start in state:
                continue
            path: list[str] = []
            on_path: set[str] = set()
            node = start
            while node in edges and node not in state:
                state[node] = 1
                path.append(node)
                on_path.add(node)
                node = edges[node]
            if node in on_path:
                cycle = path[path.index(node) :]
                text = " → ".join([*cycle, node])
                for member in cycle:
                    problems[self.atasan[member][0]] = (
                        "superior_cycle",
                        f"Atasan langsung membentuk siklus: {text}.",
                        member,
                    )
            for member in path:
                state[member] = 2
        bad = {nip for nip in edges if self.atasan[nip][0] in problems}
        # Superiors that exist neither in the source nor in the database, or whose own record
        # is refused (repeated until nothing changes: a refusal can refuse a subordinate).
        changed = True
        while changed:
            changed = False
            for nip, sup in edges.items():
                if nip in bad:
                    continue
                in_file = int(sup) in self.seen and sup not in self.bad_nips and sup not in bad
                if in_file or sup in in_db:
                    continue
                why = (
                    "datanya sendiri dikarantina"
                    if int(sup) in self.seen
                    else "tidak ada di sumber maupun di aplikasi"
                )
                problems[self.atasan[nip][0]] = (
                    "superior_not_found",
                    f"Atasan langsung (NIP {sup}) {why}.",
                    nip,
                )
                bad.add(nip)
                changed = True
        self.bad_nips |= bad
        self._retract(problems)
        # Apply order: a superior created in this run comes before its subordinates.
        depth: dict[str, int] = {}
        for nip in edges:
            chain: list[str] = []
            node = nip
            while node in edges and node not in depth and node not in bad:
                chain.append(node)
                node = edges[node]
            for member in reversed(chain):
                sup = edges[member]
                depth[member] = depth.get(sup, 0) + 1 if int(sup) in self.seen else 0
        update_many(
            self.session,
            SyncChange.__table__,
            "row_number",
            [{"row_number": self.atasan[n][0], "depth": d} for n, d in depth.items() if d > 0],
            where={"run_id": self.run.id, "entity": "pegawai"},
        )

    def _add_candidates(self, nips: list[str], candidates: dict[str, tuple]) -> None:
        """Read id, name, not-in-source date and kedudukan of these NIPs into ``candidates``."""
        for i in range(0, len(nips), 500):
            for pid, nip, nama, since, kh in self.session.execute(
                select(
                    Pegawai.id,
                    Pegawai.nip,
                    Pegawai.nama,
                    Pegawai.not_in_source_since,
                    Pegawai.kedudukan_hukum_id,
                ).where(Pegawai.nip.in_(nips[i : i + 500]))
            ):
                candidates[nip] = (pid, nama, since, kh)

    def check_not_in_source(self) -> None:
        candidates: dict[str, tuple] = {}
        if self.full_export:
            # The NIPs alone first (plain text, no ORM rows): usually nearly all are seen.
            seen = self.seen
            absent = [
                nip
                for (nip,) in self.session.connection().exec_driver_sql(
                    "SELECT nip FROM pegawai WHERE nip IS NOT NULL"
                )
                if not nip.isdigit() or int(nip) not in seen
            ]
            self._add_candidates(absent, candidates)
            active = sum(1 for *_x, kh in candidates.values() if _is_active(kh))
            total_active = (
                self.session.scalar(
                    select(func.count())
                    .select_from(Pegawai)
                    .where(
                        Pegawai.kedudukan_hukum_id.in_(
                            [k for k, v in KEDUDUKAN_HUKUM.items() if v.is_active_service]
                        )
                    )
                )
                or 0
            )
            if active > 10 and active * 2 > total_active:
                self.run.warnings = [
                    *self.run.warnings,
                    (
                        f"{active} dari {total_active} pegawai aktif tidak ada di sumber. Pastikan "
                        "ini ekspor lengkap; jika bukan, buang rencana ini dan pilih 'sebagian'."
                    ),
                ]
        if self.missing:
            self._add_candidates(sorted(set(self.missing) - set(candidates)), candidates)
        for nip, (pid, nama, since, kh) in sorted(candidates.items()):
            if since is not None or not _is_active(kh):
                continue
            self._stage(
                "pegawai",
                "not_in_source",
                0,
                pegawai_id=pid,
                nip=nip,
                label=nama,
                diff={"not_in_source_since": [None, "sejak sinkronisasi ini"]},
                record={"values": {}},
            )
            if len(self.pending_changes) >= self.batch_size:
                self.flush()

    # --- units and positions -----------------------------------------------------------------

    def plan_structure(self) -> None:
        org = self.org
        units = self.source_units
        # Which source units exist already, which are new.
        new_keys = [k for k in units if k not in org.by_siasn]
        names = {name_key(u.nama): ("siasn", k) for k, u in units.items()}
        for uid, (_sid, nama, *_rest) in org.units.items():
            names.setdefault(name_key(nama), ("id", uid))

        def ref_of(key: str | None) -> dict | None:
            if not key:
                return None
            if key in org.by_siasn:
                return {"id": org.by_siasn[key]}
            if key in units:
                return {"siasn_id": key}
            return None

        plans: dict[str, dict] = {}
        for key in new_keys:
            u = units[key]
            jenis = unit_jenis(u.nama)
            parent = ref_of(u.parent_key)
            if parent is None and u.parent_key is None and u.is_opd is None:
                # No structure from the source: the longest other unit name that ends this one.
                # ("SUB BAGIAN UMUM DINAS KESEHATAN" → "DINAS KESEHATAN"), word by word.
                words = name_key(u.nama).split(" ")
                for i in range(1, len(words)):
                    ref = names.get(" ".join(words[i:]))
                    if ref is not None:
                        parent = {"id": ref[1]} if ref[0] == "id" else {"siasn_id": ref[1]}
                        break
            if u.is_opd is not None:
                is_opd = u.is_opd
            elif parent is None:
                is_opd = jenis not in SUB_UNIT_JENIS and jenis != "pemda"
                if jenis in SUB_UNIT_JENIS:
                    self.run.warnings = [
                        *self.run.warnings,
                        (
                            f"Unit '{u.nama}' dibuat tanpa unit induk (sumber tidak menyebutnya); "
                            "tetapkan induk dan OPD-nya di halaman OPD."
                        ),
                    ]
            else:
                is_opd = False
            plans[key] = {
                "siasn_id": key,
                "nama": u.nama,
                "jenis": "opd" if is_opd else (jenis if jenis != "opd" else _below_opd(u, units)),
                "is_opd": is_opd,
                "parent": parent,
                "opd": ref_of(u.opd_key) if u.opd_key and u.opd_key != key else None,
                "eselon_id": u.eselon_id if u.eselon_id else "00",
            }
        # Depth among new units so parents are created first.
        depth: dict[str, int] = {}
        for key in plans:
            chain, node = [], key
            while node in plans and node not in depth and len(chain) < 100:
                chain.append(node)
                parent = plans[node]["parent"]
                node = parent.get("siasn_id") if parent else None
            base = depth.get(node, -1) if node in plans else -1
            for member in reversed(chain):
                base += 1
                depth[member] = base
        for key, p in plans.items():
            self._stage(
                "unit",
                "new",
                0,
                key=key,
                label=p["nama"],
                diff={"nama_unit": [None, p["nama"]]},
                record=p,
                depth=depth.get(key, 0),
            )
        # Existing units whose name or parent the source changed.
        for key, u in units.items():
            uid = org.by_siasn.get(key)
            if uid is None:
                continue
            _sid, nama, parent_id, _opd, _is_opd, current_eselon = org.units[uid]
            diff, rec = {}, {}
            if name_key(nama) != name_key(u.nama):
                diff["nama_unit"] = [nama, u.nama]
                rec["nama"] = u.nama
            if u.parent_key:
                parent = ref_of(u.parent_key)
                if parent is not None and parent.get("id") != parent_id:
                    old = org.unit_name(parent_id)
                    new = org.unit_name(parent.get("id")) or units[u.parent_key].nama
                    diff["induk"] = [old, new]
                    rec["parent"] = parent
            if u.eselon_id and u.eselon_id != "00" and u.eselon_id != current_eselon:
                diff["eselon_id"] = [current_eselon, u.eselon_id]
                rec["eselon_id"] = u.eselon_id
            if diff:
                self._stage(
                    "unit",
                    "changed",
                    0,
                    object_id=uid,
                    key=key,
                    label=u.nama,
                    diff=diff,
                    record=rec,
                )
        self._plan_positions(plans)

    def _plan_positions(self, unit_plans: dict[str, dict]) -> None:
        org = self.org
        if not self.positions:
            return

        # Parent of a unit, as a ref key, across existing and new units.
        def parent_of(ref_key: tuple) -> tuple | None:
            if ref_key[0] == "id":
                parent_id = org.units.get(ref_key[1], (None, None, None))[2]
                return ("id", parent_id) if parent_id else None
            plan = unit_plans.get(ref_key[1])
            if plan is None or plan["parent"] is None:
                return None
            return _ref_key(plan["parent"])

        heads: dict[tuple, dict] = {("id", uid): {"id": jid} for uid, jid in org.heads.items()}
        for (uref, nk), p in self.positions.items():
            if p["is_head"]:
                heads.setdefault(uref, {"unit": p["unit"], "name": nk})

        def head_above(ref_key: tuple | None, own: dict | None) -> dict | None:
            seen = 0
            while ref_key is not None and seen < 50:
                head = heads.get(ref_key)
                if head is not None and head != own:
                    return head
                ref_key = parent_of(ref_key)
                seen += 1
            return None

        for (uref, nk), p in self.positions.items():
            own = {"unit": p["unit"], "name": nk}
            if p["is_head"]:
                atasan = head_above(parent_of(uref), own)
            else:
                atasan = head_above(uref, own)
            record = dict(p, atasan=atasan)
            self._stage(
                "jabatan",
                "new",
                0,
                key=f"{p['nama']}"[:300],
                label=p["nama"],
                diff={"jabatan": [None, p["nama"]]},
                record=record,
                depth=0 if p["is_head"] else 1,
            )
        # Existing positions without a superior position in units that gain a head now.
        new_heads = {uref: h for uref, h in heads.items() if "id" not in h}
        if not new_heads:
            return
        for jid, (unit_id, nama, is_head, atasan_id) in org.position_rows.items():
            if atasan_id is not None:
                continue
            uref = ("id", unit_id)
            own = {"id": jid}
            atasan = head_above(parent_of(uref), own) if is_head else head_above(uref, own)
            if atasan is None or "id" in atasan:
                continue
            self._stage(
                "jabatan",
                "changed",
                0,
                object_id=jid,
                key=nama[:300],
                label=nama,
                diff={"atasan": [None, atasan["name"]]},
                record={"atasan": atasan},
                depth=2,
            )

    # --- counts ------------------------------------------------------------------------------

    def counts(self) -> dict:
        c = Counter()
        for entity, kind, n in self.session.execute(
            select(SyncChange.entity, SyncChange.kind, func.count())
            .where(SyncChange.run_id == self.run.id)
            .group_by(SyncChange.entity, SyncChange.kind)
        ):
            if entity == "pegawai":
                c[kind] += n
            elif entity == "unit":
                c[f"units_{kind}"] += n
            else:
                c[f"positions_{kind}"] += n
        c["invalid"] = (
            self.session.scalar(
                select(func.count())
                .select_from(QuarantinedRecord)
                .where(QuarantinedRecord.run_id == self.run.id)
            )
            or 0
        )
        c["unchanged"] = self.unchanged
        c["records"] = self.records
        c["missing"] = len(self.missing)
        out = {
            k: int(c.get(k, 0))
            for k in (
                "records",
                "new",
                "changed",
                "leaving",
                "unchanged",
                "not_in_source",
                "invalid",
                "missing",
                "units_new",
                "units_changed",
                "positions_new",
                "positions_changed",
            )
        }
        return out


def plan(
    session: Session,
    adapter: SourceAdapter,
    *,
    full_export: bool,
    actor,
    run: SyncRun | None = None,
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[int, int, str], None] | None = None,
) -> SyncRun:
    """Read the source, validate and compare every record, and store the plan on a SyncRun.

    The organisation and personnel tables are only read. Sync rows are committed per batch.
    With a ``run`` that failed while reading a resumable source (SIASN API) the pull continues
    after the last committed batch; otherwise the run's earlier rows are discarded first.

    Raises SyncSourceError when the source cannot be read; the run is then ``plan_failed``
    with the message in ``run.error``.
    """
    with _fewer_gc_pauses():
        return _plan(
            session,
            adapter,
            full_export=full_export,
            actor=actor,
            run=run,
            batch_size=batch_size,
            progress=progress,
        )


def _plan(
    session: Session,
    adapter: SourceAdapter,
    *,
    full_export: bool,
    actor,
    run: SyncRun | None = None,
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[int, int, str], None] | None = None,
) -> SyncRun:
    """See :func:`plan`."""
    if run is None:
        run = SyncRun(
            source=adapter.source,
            full_export=full_export,
            params={},
            created_by_id=getattr(actor, "id", None),
        )
        session.add(run)
    run.full_export = full_export
    resume_from = 0
    checkpoint = dict(run.checkpoint or {})
    if run.id is not None and checkpoint.get("done") and adapter.resumable:
        resume_from = int(checkpoint["done"])
        adapter.restore(checkpoint.get("source") or {})
    elif run.id is not None:
        session.execute(delete(SyncChange).where(SyncChange.run_id == run.id))
        session.execute(delete(QuarantinedRecord).where(QuarantinedRecord.run_id == run.id))
        checkpoint = {}
    run.status = "planning"
    run.error = None
    run.warnings = list(dict.fromkeys([*(run.warnings or []), *adapter.warnings]))
    run.progress_total = int(adapter.total or 0)
    run.progress_message = "Membaca sumber…"
    session.commit()
    run_id = run.id
    analyze(session, "pegawai", "pegawai_external_ids")
    planner = _Planner(
        session,
        adapter,
        run,
        full_export=full_export,
        batch_size=adapter.align_batch(max(1, batch_size)),
        progress=progress,
        track_keys=adapter.resumable and not adapter.keys_known,
    )
    try:
        planner.load_source_units()
        if resume_from:
            planner.unchanged = int(checkpoint.get("unchanged", 0))
            planner.records = int(checkpoint.get("records", 0))
            if planner.track_keys:
                planner.restore_keys(checkpoint.get("keys") or {})
            else:
                for number, nip in adapter.keys_before(resume_from):
                    planner.seen.setdefault(int(nip), number)
            planner.missing.update({n: 0 for n in checkpoint.get("missing", [])})
            _restore_positions(session, planner)
        done = resume_from
        total = run.progress_total
        batch: list = []
        if planner.fingerprints:
            records = iter(adapter.iter_records(start=resume_from, lazy=True))
        else:
            records = iter(adapter.iter_records(start=resume_from))
        # A batch's rows are written and committed (BatchWriter) while the next batch is read,
        # validated and compared. On PostgreSQL the comparison reads through a session of its
        # own: the plan writes only sync rows, never what it compares (employees, external
        # ids), so it needs not wait for the write; the fingerprints it reads are of this
        # batch's NIPs, and one seen in an earlier batch is a duplicate whatever they say.
        # Elsewhere it reads once the previous batch is committed.
        pg = is_postgres(session)
        with BatchWriter(background=pg) as writer, reading_session(session, pg) as reader:
            planner.reader = reader

            def plan_batch(items: list) -> None:
                nonlocal done, total
                done += len(items)
                if reader is session:
                    planner.process(items, before_reading=writer.wait)
                else:
                    planner.process(items)
                    reader.rollback()  # end the read transaction (a snapshot held for nothing)
                if adapter.total and not total:
                    total = int(adapter.total)
                writer.submit(
                    _write_plan_batch,
                    session,
                    run,
                    planner,
                    planner.take_pending(),
                    done,
                    total,
                    _checkpoint(planner, done, adapter),
                )

            while True:
                try:
                    item = next(records)
                except StopIteration:
                    break
                except SyncSourceError:
                    if batch and adapter.resumable:
                        # Keep what was read before the source failed: continuing the run
                        # starts right after it instead of fetching it again.
                        plan_batch(batch)
                    raise
                batch.append(item)
                if len(batch) >= planner.batch_size:
                    plan_batch(batch)
                    batch = []
                    if progress:
                        progress(done, total, f"{done} data dibaca")
            if batch:
                plan_batch(batch)
        planner.reader = session
        if planner.records == 0 and not planner.missing:
            raise SyncSourceError(
                "Sumber tidak berisi satu pun data pegawai; rencana tidak dibuat."
            )
        if not planner.seen and full_export:
            planner.full_export = False
            run.warnings = [
                *(run.warnings or []),
                (
                    "Tidak satu pun NIP di sumber yang terbaca; pegawai yang tidak ada di sumber "
                    "tidak ditandai pada rencana ini."
                ),
            ]
        run.warnings = list(dict.fromkeys([*(run.warnings or []), *adapter.warnings]))
        run.progress_message = "Memeriksa NIP ganda, atasan dan pegawai yang tidak ada di sumber…"
        planner.check_duplicates()
        planner.check_superiors()
        planner.check_not_in_source()
        planner.plan_structure()
        planner.flush()
        params = dict(run.params or {})
        if adapter.instansi:
            params["instansi"] = {"siasn_id": adapter.instansi[0], "nama": adapter.instansi[1]}
        run.params = params
        run.counts = planner.counts()
        run.checkpoint = {k: v for k, v in (run.checkpoint or {}).items() if k == "done"}
        run.status = "planned"
        run.planned_at = utcnow()
        run.progress_done = done
        run.progress_total = max(done, run.progress_total)
        run.progress_message = "Rencana siap ditinjau."
        session.commit()
    except Exception as exc:
        session.rollback()
        run = session.get(SyncRun, run_id)
        run.status = "plan_failed"
        run.error = str(exc) if isinstance(exc, SyncSourceError) else f"{type(exc).__name__}: {exc}"
        run.progress_message = "Gagal membaca sumber."
        session.commit()
        raise
    finally:
        adapter.close()
    return run


def _checkpoint(planner: _Planner, done: int, adapter: SourceAdapter) -> dict | None:
    """Return where a resumable source continues after the records read so far."""
    if not adapter.resumable:
        return None
    checkpoint = {
        "done": done,
        "unchanged": planner.unchanged,
        "records": planner.records,
        "missing": sorted(planner.missing),
        "source": adapter.resume_state(),
    }
    if planner.track_keys:
        checkpoint["keys"] = planner.key_state()
    return checkpoint


def _write_plan_batch(
    session: Session,
    run: SyncRun,
    planner: _Planner,
    pending: tuple,
    done: int,
    total: int,
    checkpoint: dict | None,
) -> None:
    """Write a planned batch's rows and commit them with the run's progress."""
    planner.flush(pending)
    run.progress_done = done
    run.heartbeat_at = utcnow()
    run.progress_message = f"{done} data dibaca"
    if checkpoint is not None:
        run.checkpoint = checkpoint
    if total and not run.progress_total:
        run.progress_total = total
    commit_batch(session)


def _restore_positions(session: Session, planner: _Planner) -> None:
    """On resume, collect the new positions the records planned before the checkpoint need."""
    for (rec,) in session.execute(
        select(SyncChange.record).where(
            SyncChange.run_id == planner.run.id, SyncChange.entity == "pegawai"
        )
    ):
        ref = (rec or {}).get("jabatan")
        if ref and "unit" in ref:
            key = (_ref_key(ref["unit"]), ref["name"])
            if key not in planner.positions:
                jenis, eselon, jenjang, is_head = classify_jabatan(None, ref["name"], None)
                planner.positions[key] = {
                    "unit": ref["unit"],
                    "nama": ref["name"],
                    "name_key": ref["name"],
                    "jenis": jenis,
                    "eselon_id": eselon,
                    "jenjang": jenjang,
                    "is_head": is_head,
                    "siasn_id": None,
                }


# =============================================================================================
# apply
# =============================================================================================


def _check_can_apply(session: Session, run: SyncRun) -> None:
    if run.status == "applied":
        raise SyncError("Rencana ini sudah diterapkan.")
    if run.status not in {"planned", "applying", "apply_failed"}:
        raise SyncError(f"Rencana berstatus '{run.status_label}' tidak dapat diterapkan.")
    newer = session.scalar(
        select(SyncRun.id)
        .where(
            SyncRun.id != run.id,
            SyncRun.applied_at.is_not(None),
            SyncRun.applied_at > run.planned_at,
        )
        .limit(1)
    )
    if newer is not None and run.status == "planned":
        raise SyncError(
            f"Rencana ini sudah usang: sinkronisasi #{newer} diterapkan setelah rencana ini "
            "dibuat. "
            "Buat rencana baru dari sumber yang sama."
        )
    busy = session.scalar(
        select(SyncRun.id).where(SyncRun.id != run.id, SyncRun.status == "applying").limit(1)
    )
    if busy is not None:
        raise SyncError(f"Sinkronisasi #{busy} sedang diterapkan; tunggu sampai selesai.")


def _ensure_instansi(session: Session, run: SyncRun) -> int:
    instansi_id = session.scalar(select(Instansi.id).order_by(Instansi.id).limit(1))
    if instansi_id is not None:
        return instansi_id
    from flask import current_app, has_app_context

    info = (run.params or {}).get("instansi") or {}
    nama = (
        info.get("nama")
        or (current_app.config.get("SKP_INSTANSI_NAMA") if has_app_context() else "")
        or "Pemerintah Daerah"
    )
    row = Instansi(nama=nama, siasn_id=info.get("siasn_id"))
    session.add(row)
    session.flush()
    record(
        session,
        "instansi.sync_create",
        "instansi",
        row.id,
        after={"nama": nama},
        summary=f"Instansi {nama} dibuat oleh sinkronisasi #{run.id}",
        source="sync",
    )
    return row.id


_C = SyncChange.__table__.c
_CHANGE_COLUMNS = (
    _C.id,
    _C.entity,
    _C.kind,
    _C.depth,
    _C.pegawai_id,
    _C.object_id,
    _C.nip,
    _C.key,
    _C.label,
    _C.diff,
    _C.record,
)


_PENDING_STRUCTURE_SQL = (
    "SELECT id, entity, kind, depth, pegawai_id, object_id, nip, key, label, "
    "CAST(diff AS TEXT), CAST(record AS TEXT) "
    "FROM sync_changes WHERE run_id = ? AND entity IN ('unit', 'jabatan') "
    "AND applied_at IS NULL ORDER BY entity DESC, depth, id"
)


def _pending_structure(session: Session, run: SyncRun) -> list[dict]:
    """Return the unit and position changes still to apply, units first, parents first."""
    conn = session.connection()
    sql = _PENDING_STRUCTURE_SQL
    if conn.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    return _change_dicts(conn.exec_driver_sql(sql, (run.id,)).fetchall())


def _pending_pegawai_ids(session: Session, run: SyncRun) -> array:
    """Return the ids of the employee changes still to apply, in apply order (depth, id).

    The changes up to the run's last batch mark are applied. Read once per apply (8 bytes per
    change), so that each batch then loads its rows by id instead of sorting every pending
    change of the run again.
    """
    stmt = select(_C.id).where(_C.run_id == run.id, _C.entity == "pegawai", _C.applied_at.is_(None))
    marks = run.applied_marks or []
    if marks:
        depth, last = marks[-1][0], marks[-1][1]
        stmt = stmt.where(or_(_C.depth > depth, and_(_C.depth == depth, _C.id > last)))
    return array("q", session.scalars(stmt.order_by(_C.depth, _C.id)))


_CHANGE_NAMES = [c.name for c in _CHANGE_COLUMNS]
_PLAIN_NAMES = _CHANGE_NAMES[:-2]
# diff and record (the last two) are read as text on both databases and parsed here (orjson),
# instead of by psycopg's json.loads.
_JSON_AS_TEXT = {"diff": "CAST(diff AS TEXT)", "record": "CAST(record AS TEXT)"}


def _change_dicts(rows) -> list[dict]:
    loads = json_loads
    names = _PLAIN_NAMES
    out = []
    for row in rows:
        c = dict(zip(names, row, strict=False))  # the row ends in diff, record
        diff, record = row[-2], row[-1]
        c["diff"] = ({} if diff == "{}" else loads(diff)) if diff is not None else None
        c["record"] = loads(record) if record is not None else None
        out.append(c)
    return out


_MARK_SQL = "UPDATE sync_changes SET applied_at = ? WHERE id IN"


def _mark_applied(session: Session, rows: list[dict], now: datetime) -> None:
    """Stamp unit and position changes as applied, with the ids they got (few statements)."""
    if not rows:
        return
    plain = [r["id"] for r in rows if r["kind"] != "new"]
    stamp = text_time(now)  # formatted once, not once per row
    update_many(
        session,
        SyncChange.__table__,
        "id",
        [
            {"id": r["id"], "applied_at": stamp, "object_id": r.get("object_id")}
            for r in rows
            if r["kind"] == "new"
        ],
    )
    execute_in(session, _MARK_SQL, (stamp,), plain)


class _Refs:
    """Unit and position ids by the keys the plan used, loaded once per apply."""

    def __init__(self, session: Session):
        self.session = session
        self.org: _OrgIndex | None = None  # loaded when the first employee batch needs it
        self.reload()

    def reload(self) -> None:
        self.units = dict(
            self.session.execute(
                select(UnitOrganisasi.siasn_id, UnitOrganisasi.id).where(
                    UnitOrganisasi.siasn_id.is_not(None)
                )
            ).all()
        )
        self.positions: dict[tuple[int, str], int] = {}
        for jid, uid, nama in self.session.execute(
            select(Jabatan.id, Jabatan.unit_id, Jabatan.nama).order_by(Jabatan.id)
        ):
            self.positions.setdefault((uid, name_key(nama)), jid)

    def unit_id(self, ref: dict | None) -> int | None:
        if not ref:
            return None
        return ref["id"] if "id" in ref else self.units.get(ref["siasn_id"])

    def jabatan_id(self, ref: dict | None) -> int | None:
        if not ref:
            return None
        if "id" in ref:
            return ref["id"]
        return self.positions.get((self.unit_id(ref["unit"]), ref["name"]))


def _apply_structure(session: Session, run: SyncRun, actor, refs: _Refs) -> int:
    """Create/update the planned units and positions (set-based, one transaction)."""
    changes = _pending_structure(session, run)
    if not changes:
        return 0
    now = utcnow()
    audit: list[dict] = []
    units = [c for c in changes if c["entity"] == "unit"]
    table = UnitOrganisasi.__table__
    # New units level by level (parents first), each level one multi-row INSERT.
    new_units = [c for c in units if c["kind"] == "new"]
    for c in new_units:
        if c["record"]["siasn_id"] in refs.units:  # created by an interrupted earlier attempt
            c["object_id"] = refs.units[c["record"]["siasn_id"]]
    todo = [c for c in new_units if c.get("object_id") is None]
    instansi_id = _ensure_instansi(session, run) if todo else None
    for depth in sorted({c["depth"] for c in todo}):
        level = [c for c in todo if c["depth"] == depth]
        rows = []
        for c in level:
            rec = c["record"]
            rows.append(
                {
                    "instansi_id": instansi_id,
                    "parent_id": refs.unit_id(rec.get("parent")),
                    "nama": rec["nama"][:255],
                    "jenis": rec["jenis"],
                    "is_opd": rec["is_opd"],
                    "eselon_id": rec.get("eselon_id") or "00",
                    "siasn_id": rec["siasn_id"],
                    "created_at": now,
                }
            )
        if is_postgres(session):  # ids from the sequence, rows by COPY
            for row, uid in zip(rows, reserve_ids(session, table, len(rows)), strict=True):
                row["id"] = refs.units[row["siasn_id"]] = uid
            bulk_insert(session, table, rows)
        else:
            for uid, siasn_id in session.execute(
                table.insert().returning(table.c.id, table.c.siasn_id), rows
            ):
                refs.units[siasn_id] = uid
        opd_rows = []
        parents = {r["parent_id"] for r in rows if r["parent_id"]}
        parent_opd = (
            dict(
                session.execute(
                    select(table.c.id, table.c.opd_id).where(table.c.id.in_(parents))
                ).all()
            )
            if parents
            else {}
        )
        for c, row in zip(level, rows, strict=True):
            rec = c["record"]
            uid = refs.units[rec["siasn_id"]]
            c["object_id"] = uid
            opd = (
                uid
                if rec["is_opd"]
                else (refs.unit_id(rec.get("opd")) or parent_opd.get(row["parent_id"]))
            )
            opd_rows.append({"id": uid, "opd_id": opd})
            audit.append(
                {
                    "action": "unit.sync_create",
                    "object_type": "unit",
                    "object_id": uid,
                    "after": {
                        "nama": rec["nama"],
                        "jenis": rec["jenis"],
                        "is_opd": rec["is_opd"],
                        "siasn_id": rec["siasn_id"],
                    },
                    "summary": f"Unit {rec['nama']} dibuat (sinkronisasi #{run.id})",
                }
            )
        update_many(session, table, "id", opd_rows)
    for c in units:
        if c["kind"] != "changed":
            continue
        unit = session.get(UnitOrganisasi, c["object_id"])
        if unit is None:
            continue
        rec = c["record"]
        before = {"nama": unit.nama, "parent_id": unit.parent_id, "eselon_id": unit.eselon_id}
        if "nama" in rec:
            unit.nama = rec["nama"][:255]
        if "parent" in rec:
            unit.parent_id = refs.unit_id(rec["parent"])
        if "eselon_id" in rec:
            unit.eselon_id = rec["eselon_id"]
        audit.append(
            {
                "action": "unit.sync_update",
                "object_type": "unit",
                "object_id": unit.id,
                "before": before,
                "after": {
                    "nama": unit.nama,
                    "parent_id": unit.parent_id,
                    "eselon_id": unit.eselon_id,
                },
                "summary": f"Unit {unit.nama} diperbarui (sinkronisasi #{run.id})",
            }
        )
    session.flush()
    # Positions: one INSERT for the new ones, each already pointing at the position above it
    # (their ids are reserved first); existing positions without one are linked afterwards.
    positions = [c for c in changes if c["entity"] == "jabatan"]
    jtable = Jabatan.__table__
    rows, created = [], []
    for c in positions:
        if c["kind"] != "new":
            continue
        rec = c["record"]
        uid = refs.unit_id(rec["unit"])
        if uid is None:
            raise SyncError(f"Unit untuk jabatan {rec['nama']} tidak ditemukan saat diterapkan.")
        existing = refs.positions.get((uid, rec["name_key"]))
        if existing is not None:
            c["object_id"] = existing
            continue
        rows.append(
            {
                "id": None,
                "nama": rec["nama"][:255],
                "jenis": rec["jenis"],
                "eselon_id": rec["eselon_id"],
                "jenjang": rec.get("jenjang"),
                "unit_id": uid,
                "is_kepala_unit": bool(rec["is_head"]),
                "atasan_id": None,
                "siasn_id": rec.get("siasn_id"),
                "kebutuhan": 1,
            }
        )
        created.append(c)
        c["_created"] = True
        refs.positions[(uid, rec["name_key"])] = -1  # key taken; the reserved id replaces -1 below
    if rows:
        for c, row, jid in zip(created, rows, reserve_ids(session, jtable, len(rows)), strict=True):
            row["id"] = c["object_id"] = jid
            refs.positions[(row["unit_id"], c["record"]["name_key"])] = jid
        for c, row in zip(created, rows, strict=True):
            atasan = refs.jabatan_id(c["record"].get("atasan"))
            row["atasan_id"] = atasan if atasan != row["id"] else None
        bulk_insert(session, jtable, _superiors_first(rows))
    rows_by_id = {row["id"]: row for row in rows}
    links = []
    linked = [c["object_id"] for c in positions if c.get("object_id") and not c.get("_created")]
    current_atasan = dict(select_in(session, jtable, ["id", "atasan_id"], "id", linked))
    for c in positions:
        jid = c.get("object_id")
        if jid is None:
            continue
        if c.get("_created"):
            rec = c["record"]
            audit.append(
                {
                    "action": "jabatan.sync_create",
                    "object_type": "jabatan",
                    "object_id": jid,
                    "after": {
                        "nama": rec["nama"],
                        "jenis": rec["jenis"],
                        "unit_id": refs.unit_id(rec["unit"]),
                        "atasan_id": rows_by_id[jid]["atasan_id"],
                    },
                    "summary": f"Jabatan {rec['nama']} dibuat (sinkronisasi #{run.id})",
                }
            )
            continue
        atasan = refs.jabatan_id(c["record"].get("atasan"))
        ok = atasan is not None and atasan != jid and current_atasan.get(jid) is None
        if ok:
            links.append({"id": jid, "atasan_id": atasan})
        if c["kind"] == "changed" and ok:
            audit.append(
                {
                    "action": "jabatan.sync_update",
                    "object_type": "jabatan",
                    "object_id": jid,
                    "before": {"atasan_id": None},
                    "after": {"atasan_id": atasan},
                    "summary": f"Atasan jabatan {c['label']} ditetapkan (sinkronisasi #{run.id})",
                }
            )
    update_many(session, jtable, "id", links)
    record_audit(session, audit, actor=actor, source="sync")
    _mark_applied(session, changes, now)
    session.flush()
    return len(changes)


def _delete_external_ids(session: Session, source: str, external_ids: list, pegawai_ids: list):
    """Delete the ``source`` ids that are one of ``external_ids`` or belong to ``pegawai_ids``."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        # Each list as one array literal (psycopg adapts a list element by element).
        ext_cast, ext_array = pg_array(external_ids, "::text[]")
        id_cast, id_array = pg_array(pegawai_ids, "::bigint[]")
        conn.exec_driver_sql(
            "DELETE FROM pegawai_external_ids WHERE source = %s "  # noqa: S608 — casts only
            f"AND (external_id = ANY(%s{ext_cast}) OR pegawai_id = ANY(%s{id_cast}))",
            (source, ext_array, id_array),
        )
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    conditions = []
    if external_ids:
        conditions.append(f"external_id IN ({', '.join([mark] * len(external_ids))})")
    if pegawai_ids:
        conditions.append(f"pegawai_id IN ({', '.join([mark] * len(pegawai_ids))})")
    if conditions:
        conn.exec_driver_sql(
            f"DELETE FROM pegawai_external_ids WHERE source = {mark} "  # noqa: S608
            f"AND ({' OR '.join(conditions)})",
            (source, *external_ids, *pegawai_ids),
        )


def _superiors_first(rows: list[dict]) -> list[dict]:
    """Order new positions so that a position comes after the new position above it.

    The rows reference each other through ``atasan_id`` (a foreign key checked row by row);
    a chain that would loop (impossible from a sane unit tree) loses its last link.
    """
    by_id = {row["id"]: row for row in rows}
    level: dict[int, int] = {}
    for row in rows:
        chain: list[int] = []
        node = row["id"]
        while node in by_id and node not in level:
            if node in chain:
                by_id[chain[-1]]["atasan_id"] = None
                break
            chain.append(node)
            node = by_id[node]["atasan_id"]
        base = level.get(node, -1) if node in by_id else -1
        for member in reversed(chain):
            if by_id[member]["atasan_id"] not in by_id:
                base = -1
            base += 1
            level[member] = base
    return sorted(rows, key=lambda r: level[r["id"]])


def _typed(values: dict) -> dict:
    out = {}
    for k, v in values.items():
        if k in DATE_COLUMNS and isinstance(v, str):
            v = date.fromisoformat(v)
        elif k == "not_in_source_since" and isinstance(v, str):
            v = datetime.fromisoformat(v)
        out[k] = v
    return out


_PEGAWAI_DEFAULTS = {
    "nip_lama": None,
    "gelar_depan": "",
    "gelar_belakang": "",
    "tempat_lahir": "",
    "tanggal_lahir": None,
    "golongan_id": None,
    "golongan_pppk": None,
    "tmt_golongan": None,
    "tmt_cpns": None,
    "tmt_pns": None,
    "tmt_jabatan": None,
    "email": "",
    "no_hp": "",
    "jenis_kelamin": "L",
    "jenis_asn": "PNS",
    "kedudukan_hukum_id": "01",
}


class _BatchInput(NamedTuple):
    """What one batch of employee changes needs from the database (read before it is applied;
    nothing in it depends on the batches applied in between, see :func:`_read_pegawai_batch`)."""

    rows: list  # the pending changes as driver rows (diff and record as JSON text), in order
    already: dict[str, int]  # NIP -> id of the "new" employees that exist already
    ids: list[int]  # ids reserved for the others (PostgreSQL; SQLite reads them back)
    current: dict[int, object]  # id -> (id, not_in_source_since) of the employees to update


def _read_pegawai_batch(session: Session, ids, pg: bool) -> _BatchInput:
    """Read what the batch of changes ``ids`` needs, ahead of applying it (on PostgreSQL
    through a session of its own while the batch two before it is being written).

    None of it can be changed by the batches applied before this one, committed or not: the
    changes are the plan's; each NIP and each employee has one change per run, so an earlier
    batch neither inserts these new NIPs nor updates these employees (and the unique NIP index
    would refuse the batch whole if it did); ids come from the sequence.
    """
    rows = select_in(
        session,
        SyncChange.__table__,
        _PLAIN_NAMES,
        "id",
        ids,
        where={"applied_at": None},
        extra=_JSON_AS_TEXT,
    )
    order = {pk: n for n, pk in enumerate(ids)}
    rows.sort(key=lambda r: order[r.id])
    nips = [r.nip for r in rows if r.kind == "new"]
    already = dict(select_in(session, _PT, ["nip", "id"], "nip", nips)) if nips else {}
    reserved = reserve_ids(session, Pegawai.__table__, len(nips) - len(already)) if pg else []
    upd = [r.pegawai_id for r in rows if r.kind != "new" and r.pegawai_id is not None]
    current = {r.id: r for r in select_in(session, _PT, ["id", "not_in_source_since"], "id", upd)}
    return _BatchInput(rows, already, list(reserved), current)


class _Batch:
    """One batch of employee changes prepared in Python, ready to be written."""

    def __init__(self, changes: list[dict], now: datetime):
        self.changes = changes
        self.now = now
        self.rows: list[dict] = []  # new employees to insert
        self.fresh: list[dict] = []  # their changes, row for row
        self.booked: list[dict] = []  # audit events of the new employees (once ids are known)
        self.audit: list[dict] = []  # audit events of the other changes
        self.groups: dict[tuple, list[dict]] = {}  # updates, by the columns they set
        self.ext_replace: dict[int, tuple[str, str]] = {}
        self.atasan_wanted: dict[int, str] = {}
        self.restarts: dict[int, Restart] = {}
        self.created: set[int] = set()  # employees inserted by this batch
        # On PostgreSQL (ids known up front) the rows and events are converted here already.
        self.insert: Converted | None = None
        self.events: Converted | None = None
        self.counts: dict = {}  # the run's applied counts once this batch is applied
        self.marks: list = []  # the run's batch marks once this batch is applied
        self.done = 0  # changes applied once this batch is applied
        self.batch_no = 0


def _book_new(batch: _Batch, i: int, pid: int, org: _OrgIndex | None, run_id: int) -> None:
    """Book the new employee of row ``i`` once its id is known: audit event, fingerprint."""
    c, values = batch.fresh[i], batch.rows[i]
    values["id"] = c["pegawai_id"] = pid
    batch.created.add(pid)
    rec = c["record"]
    if rec.get("digest") is not None and org is not None:
        # What the database holds for the row inserted (_fingerprint_sql), as _db_digest.
        c["_db_digest"] = _place_digest(
            _fp_of(values), rec.get("external_id"), values["unit_id"], values["jabatan_id"], org
        )
    batch.booked.append(
        {
            "action": "pegawai.sync_create",
            "object_type": "pegawai",
            "object_id": pid,
            "after": new_employee_summary(rec),
            "summary": f"Pegawai {c['label']} ditambahkan (sinkronisasi #{run_id})",
        }
    )


def _prepare_pegawai_batch(inp: _BatchInput, run_id: int, refs: _Refs, actor) -> _Batch | None:
    """Turn a batch of changes into the rows and events to write; Python only (no session:
    on PostgreSQL this runs while the previous batch is being written)."""
    changes = _change_dicts(inp.rows)
    if not changes:
        return None
    batch = _Batch(changes, utcnow())
    now = batch.now
    today = _today()

    # --- new employees -------------------------------------------------------------------------
    now_text = text_time(now)
    for c in changes:
        if c["kind"] != "new":
            continue
        if c["nip"] in inp.already:  # written by an earlier attempt outside this bookkeeping
            c["pegawai_id"] = inp.already[c["nip"]]
            continue
        rec = c["record"]
        # Dates stay ISO text (bulk_insert).
        values = {**_PEGAWAI_DEFAULTS, **rec.get("values", {})}
        values["unit_id"] = refs.unit_id(rec.get("unit"))
        values["jabatan_id"] = refs.jabatan_id(rec.get("jabatan"))
        values["created_at"] = values["updated_at"] = now_text
        batch.rows.append(values)
        batch.fresh.append(c)
    for i, pid in enumerate(inp.ids):  # PostgreSQL: ids reserved up front
        _book_new(batch, i, pid, refs.org, run_id)

    # --- changed employees ---------------------------------------------------------------------
    for c in changes:
        if c["kind"] == "new" or c["pegawai_id"] is None:
            continue
        cur = inp.current.get(c["pegawai_id"])
        if cur is None:  # deleted by hand since the plan
            continue
        rec, diff, kind = c["record"], c["diff"], c["kind"]
        values = _typed(rec.get("values", {}))
        if kind == "not_in_source":
            if cur.not_in_source_since is not None:
                continue
            values["not_in_source_since"] = now
        if "unit" in rec:
            values["unit_id"] = refs.unit_id(rec["unit"])
        if "jabatan" in rec:
            values["jabatan_id"] = refs.jabatan_id(rec["jabatan"])
        if values:
            values["updated_at"] = now
            batch.groups.setdefault(tuple(sorted(values)), []).append(
                {"id": c["pegawai_id"], **values}
            )
        structural = STRUCTURAL_FIELDS & set(diff)
        if structural and kind == "changed":
            tmt = rec.get("tmt_jabatan")
            when = min(date.fromisoformat(tmt), today) if tmt else today
            reasons = {
                "unit": "pindah unit kerja",
                "jabatan": "ganti jabatan",
                "atasan": "ganti atasan langsung",
            }
            batch.restarts[c["pegawai_id"]] = Restart(
                reason="Sinkronisasi kepegawaian: "
                + ", ".join(reasons[f] for f in sorted(structural)),
                change_date=when,
                superior_changed="atasan" in structural,
            )
        if rec.get("external_id"):
            batch.ext_replace[c["pegawai_id"]] = (rec.get("external_source"), rec["external_id"])
        if rec.get("atasan_nip"):
            batch.atasan_wanted[c["pegawai_id"]] = rec["atasan_nip"]
        batch.audit.append(
            {
                "action": {
                    "changed": "pegawai.sync_update",
                    "leaving": "pegawai.sync_leave",
                    "not_in_source": "pegawai.not_in_source",
                }[kind],
                "object_type": "pegawai",
                "object_id": c["pegawai_id"],
                "before": {k: v[0] for k, v in diff.items()},
                "after": {k: v[1] for k, v in diff.items()},
                "summary": {
                    "changed": f"Data {c['label']} diperbarui",
                    "leaving": f"{c['label']} keluar dari dinas aktif",
                    "not_in_source": f"{c['label']} tidak ada di sumber",
                }[kind]
                + f" (sinkronisasi #{run_id})",
            }
        )
    if len(batch.booked) == len(batch.rows):  # every id known: convert for the writer now
        batch.insert = convert_rows(Pegawai.__table__, batch.rows)
        batch.events = audit_rows(batch.booked + batch.audit, actor=actor, source="sync")
    return batch


def _write_pegawai_batch(
    session: Session, run: SyncRun, batch: _Batch, actor, refs: _Refs, pending: int
) -> _Batch:
    """Write a prepared batch and commit it with its mark (one transaction)."""
    table = Pegawai.__table__
    if batch.rows:
        bulk_insert(session, table, batch.rows if batch.insert is None else batch.insert)
        if not batch.booked:  # SQLite: the ids the rows got
            ids = dict(
                select_in(session, _PT, ["nip", "id"], "nip", [c["nip"] for c in batch.fresh])
            )
            for i, c in enumerate(batch.fresh):
                _book_new(batch, i, ids[c["nip"]], refs.org, run.id)
    ext_replace = {}
    atasan_wanted = {}
    for c in batch.changes:
        if c["kind"] != "new":
            continue
        ext = c["record"].get("external_id")
        if ext:
            ext_replace[c["pegawai_id"]] = (c["record"].get("external_source"), ext)
        if c["record"].get("atasan_nip"):
            atasan_wanted[c["pegawai_id"]] = c["record"]["atasan_nip"]
    ext_replace.update(batch.ext_replace)
    atasan_wanted.update(batch.atasan_wanted)
    for rows in batch.groups.values():
        update_many(session, table, "id", rows)

    # --- external ids and source-given superiors -------------------------------------------
    if ext_replace:
        by_source: dict[str, list[int]] = {}
        for pid, (src, _ext) in ext_replace.items():
            by_source.setdefault(src, []).append(pid)
        for src, pids in by_source.items():
            # Rows that would clash: this employee's old id, or this id held by someone else
            # (an employee inserted by this batch has no old id to look for).
            _delete_external_ids(
                session,
                src,
                [ext_replace[p][1] for p in pids],
                [p for p in pids if p not in batch.created],
            )
        bulk_insert(
            session,
            PegawaiExternalId.__table__,
            [
                {"pegawai_id": pid, "source": src, "external_id": ext}
                for pid, (src, ext) in ext_replace.items()
            ],
        )
    if atasan_wanted:
        # Superiors inserted by earlier batches (parents come first) are committed by now.
        ids = dict(select_in(session, _PT, ["nip", "id"], "nip", set(atasan_wanted.values())))
        update_many(
            session,
            table,
            "id",
            [
                {"id": pid, "atasan_override_id": ids[nip], "atasan_override_jenis": SYNC_OVERRIDE}
                for pid, nip in atasan_wanted.items()
                if nip in ids
            ],
            # A Plt/Plh or a correction set by hand is kept.
            condition=f"atasan_override_jenis IS NULL OR atasan_override_jenis = '{SYNC_OVERRIDE}'",
        )

    # --- what it does to SKPs ------------------------------------------------------------------
    changes = batch.changes
    if batch.restarts:
        for obj in list(session.identity_map.values()):
            if isinstance(obj, Pegawai):
                session.expire(obj)
        effects = restart_skps(session, batch.restarts, actor=actor)
        for c in changes:
            if c["pegawai_id"] in effects:
                c["effects"] = effects[c["pegawai_id"]]
    events = batch.booked + batch.audit if batch.events is None else batch.events
    record_audit(session, events, actor=actor, source="sync")
    _remember_applied(session, run, changes, refs)
    # The batch mark says these changes are applied; only those that restarted SKPs are
    # written again, with what they did.
    update_many(
        session,
        SyncChange.__table__,
        "id",
        [
            {"id": c["id"], "applied_at": batch.now, "effects": c["effects"]}
            for c in changes
            if c.get("effects")
        ],
    )
    # The batch's mark commits with its changes: where a rerun continues.
    run.applied_marks = batch.marks
    run.applied_counts = batch.counts
    run.progress_done = batch.done
    run.heartbeat_at = utcnow()
    run.progress_message = f"{batch.done} dari {pending} perubahan diterapkan"
    commit_batch(session)
    if batch.batch_no == 1:
        analyze(session, "pegawai", "pegawai_external_ids")
        commit_batch(session)
    return batch


def _remember_applied(session: Session, run: SyncRun, changes: list[dict], refs: _Refs) -> None:
    """Fingerprint the source rows just applied: their employees are now as the rows say."""
    marked = [c for c in changes if c["record"].get("digest") is not None and c["pegawai_id"]]
    if not marked:
        return
    if refs.org is None:  # the units and positions as the structure apply left them
        refs.org = _OrgIndex(session)
    # A new employee's digest is known from the row inserted; the others are read back.
    done = [
        {
            "source": run.source,
            "nip": c["nip"],
            "row_digest": c["record"]["digest"],
            "db_digest": c["_db_digest"],
        }
        for c in marked
        if "_db_digest" in c
    ]
    marked = [c for c in marked if "_db_digest" not in c]
    rows: dict[int, _FpRow] = {}
    ids = [c["pegawai_id"] for c in marked]
    for row in select_in(
        session,
        _PT,
        ["id", "nip", "unit_id", "jabatan_id"],
        "id",
        ids,
        extra=_fingerprint_sql(session),
    ):
        rows[row.id] = row
    source = marked[0]["record"].get("external_source") if marked else None
    ext_of = {}
    for c in marked:
        if c["record"].get("external_id") and c["pegawai_id"] in rows:
            ext_of[c["pegawai_id"]] = c["record"]["external_id"]  # just written
    missing = [pid for pid in rows if pid not in ext_of]
    for pid, src, ext in select_in(
        session, _XT, ["pegawai_id", "source", "external_id"], "pegawai_id", missing
    ):
        if src == source:
            ext_of[pid] = ext
    store_fingerprints(
        session,
        run.source,
        done
        + [
            {
                "source": run.source,
                "nip": row.nip,
                "row_digest": c["record"]["digest"],
                "db_digest": _db_digest(row, ext_of.get(row.id), refs.org),
            }
            for c in marked
            if (row := rows.get(c["pegawai_id"])) is not None and row.nip
        ],
    )


def _apply_superior_effects(session: Session, run: SyncRun, actor) -> dict:
    before = (run.checkpoint or {}).get("superior_before")
    if before is None:
        return {}
    if not before:  # nobody was there before this run: nobody's superior changed
        return {"superior_changed": 0, "rhk_flagged": 0}
    now = superior_map(session)
    changed = {pid for pid, sup in now.items() if str(pid) in before and before[str(pid)] != sup}
    flagged = flag_parent_links(session, now, changed, actor=actor)
    return {"superior_changed": len(changed), "rhk_flagged": sum(len(v) for v in flagged.values())}


def apply(
    session: Session,
    run: SyncRun,
    *,
    actor,
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[int, int, str], None] | None = None,
) -> SyncRun:
    """Apply a planned run in batches (each batch one committed transaction); rerun to resume.

    Raises SyncError when the run cannot be applied (already applied, discarded, stale, or
    another run is being applied). Any other failure leaves the run ``apply_failed``; the
    batches committed before it stay applied and a rerun continues with the rest.
    """
    with _fewer_gc_pauses():
        return _apply(session, run, actor=actor, batch_size=batch_size, progress=progress)


def _apply(
    session: Session,
    run: SyncRun,
    *,
    actor,
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[int, int, str], None] | None = None,
) -> SyncRun:
    """See :func:`apply`."""
    _check_can_apply(session, run)
    run_id = run.id
    if run.status != "applying":
        # Claim the run: of two requests to apply it at the same moment, one wins.
        claimed = session.execute(
            update(SyncRun)
            .where(SyncRun.id == run_id, SyncRun.status == run.status)
            .values(status="applying", heartbeat_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            session.rollback()
            raise SyncError("Sinkronisasi ini sedang diterapkan oleh proses lain.")
        session.expire(run, ["status"])
    run.status = "applying"
    run.heartbeat_at = utcnow()
    run.error = None
    run.applied_by_id = getattr(actor, "id", None)
    todo = _pending_pegawai_ids(session, run)
    pending = len(todo) + (
        session.scalar(
            select(func.count())
            .select_from(SyncChange)
            .where(
                SyncChange.run_id == run.id,
                SyncChange.entity != "pegawai",
                SyncChange.applied_at.is_(None),
            )
        )
        or 0
    )
    checkpoint = dict(run.checkpoint or {})
    if pending and "superior_before" not in checkpoint:
        checkpoint["superior_before"] = {str(k): v for k, v in superior_map(session).items()}
        run.checkpoint = checkpoint
    run.progress_done = 0
    run.progress_total = pending
    run.progress_message = "Menerapkan perubahan…"
    session.commit()
    try:
        refs = _Refs(session)
        done = _apply_structure(session, run, actor, refs)
        if done:
            analyze(session, "unit_organisasi", "jabatan")
        run.progress_done = done
        commit_batch(session)
        applied = Counter(run.applied_counts or {})
        marks = list(run.applied_marks or [])
        batch_no = 0
        size = max(1, batch_size)
        pg = is_postgres(session)
        if todo and refs.org is None:  # the units and positions as the structure left them
            refs.org = _OrgIndex(session)

        def committed(batch: _Batch | None) -> None:
            """What follows a committed batch (in this thread, the writer idle)."""
            if batch is not None:
                after_batch(run, batch.batch_no)
                if progress:
                    progress(
                        batch.done, pending, f"{batch.done} dari {pending} perubahan diterapkan"
                    )

        # Batch k is prepared in Python while batch k - 1 is written (BatchWriter); what it
        # needs from the database was read before that write started. On PostgreSQL batch
        # k + 1 is read during that write too, through a session of its own (nothing it reads
        # is written by the batches before it, see _read_pegawai_batch).
        with BatchWriter(background=pg) as writer, reading_session(session, pg) as reader:

            def read(start: int) -> _BatchInput | None:
                if start >= len(todo):
                    return None
                inp = _read_pegawai_batch(reader, todo[start : start + size], pg)
                if reader is not session:
                    reader.rollback()  # end the read transaction
                return inp

            start = 0
            ahead = read(0)
            while ahead is not None:
                batch = _prepare_pegawai_batch(ahead, run_id, refs, actor)
                if batch is not None:
                    last = batch.changes[-1]
                    marks.append([last["depth"], last["id"], batch.now.isoformat()])
                    applied.update(c["kind"] for c in batch.changes)
                    done += len(batch.changes)
                    batch_no += 1
                    batch.marks, batch.counts = list(marks), dict(applied)
                    batch.done, batch.batch_no = done, batch_no
                start += size
                if reader is not session:
                    ahead = read(start)
                    committed(writer.wait())
                else:
                    committed(writer.wait())
                    ahead = read(start)
                if batch is not None:
                    writer.submit(_write_pegawai_batch, session, run, batch, actor, refs, pending)
            committed(writer.wait())
        if batch_no > 1:
            analyze(session, "pegawai", "pegawai_external_ids")
        summary = _apply_superior_effects(session, run, actor) if pending else {}
        total_applied = sum((run.applied_counts or {}).values())
        if pending:
            record(
                session,
                "sync.apply",
                "sync_run",
                run.id,
                actor=actor,
                after={"counts": run.counts, "applied": run.applied_counts, **summary},
                summary=f"Sinkronisasi #{run.id} ({run.source}) diterapkan: "
                f"{total_applied} perubahan pegawai",
                source="sync",
            )
        checkpoint = dict(run.checkpoint or {})
        checkpoint.pop("superior_before", None)
        if summary:
            checkpoint["effects"] = summary
        run.checkpoint = checkpoint
        run.status = "applied"
        run.applied_at = utcnow()
        run.progress_done = pending
        run.progress_message = "Selesai diterapkan."
        session.commit()
    except Exception as exc:
        session.rollback()
        run = session.get(SyncRun, run_id)
        run.status = "apply_failed"
        run.error = str(exc) if isinstance(exc, SyncError) else f"{type(exc).__name__}: {exc}"
        run.progress_message = "Gagal diterapkan; jalankan lagi untuk melanjutkan."
        session.commit()
        raise
    return run


def discard(session: Session, run: SyncRun, *, actor) -> SyncRun:
    """Discard a plan that was not applied (its rows stay as history); flushes only."""
    if run.status not in {"planned", "plan_failed", "queued", "apply_failed"}:
        raise SyncError(f"Sinkronisasi berstatus '{run.status_label}' tidak dapat dibatalkan.")
    if run.status == "apply_failed" and (
        run.applied_marks
        or session.scalar(
            select(func.count())
            .select_from(SyncChange)
            .where(SyncChange.run_id == run.id, SyncChange.applied_at.is_not(None))
        )
    ):
        raise SyncError(
            "Sebagian rencana ini sudah diterapkan; jalankan 'Terapkan' lagi untuk "
            "menyelesaikannya."
        )
    run.status = "discarded"
    run.discarded_at = utcnow()
    record(
        session,
        "sync.discard",
        "sync_run",
        run.id,
        actor=actor,
        summary=f"Rencana sinkronisasi #{run.id} dibatalkan",
    )
    session.flush()
    return run
