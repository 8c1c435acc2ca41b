"""Reads for the cascade: the rows :mod:`skp_app.cascading.graph` needs, loaded set-based.

:func:`load_cascade_rows` turns the planning tables (sasaran with indicators and yearly targets,
the current SKPs of a periode, their RHK and IKI) and the personnel tables (pegawai, jabatan,
the direct superior from :func:`skp_app.org.queries.superior_map`) into the plain dataclasses of
:mod:`~skp_app.cascading.graph`, with one query per table and plain column tuples (no ORM
objects), so that the whole large demo regency loads in a fraction of a second.
:func:`cascade_for` builds and checks the graph; :func:`check_rhk_saved` re-checks one saved RHK
from its neighbourhood only (a handful of small queries).

Scope of one OPD
----------------
With ``opd_id`` the loader reads the OPD's SKPs, RHK, sasaran and employees, plus what the rules
need around them: every regent sasaran, the RHK (and sasaran) outside the OPD that the OPD's RHK
intervene (walked up to the top), the RHK outside the OPD that intervene the OPD's RHK or
sasaran, and the superiors and pejabat penilai of the OPD's employees. The findings of
:func:`cascade_for` for one OPD are the findings of the whole periode whose ``opd_id`` is that
OPD (the tests check this on factory data); the nodes outside the OPD are marked as context
(``context=True``) after the check so that charts grey them out. An :class:`OpdScope` does the
same for several OPDs at once, or for every OPD but some (:func:`checked_scope`); the
whole-periode check on two processes (:mod:`skp_app.cascading.fullcheck`) splits a periode in two
such scopes.

Link flags
----------
The personnel sync sets ``Rhk.link_flag = "parent_not_penilai"`` when the employee's superior
changed and the intervened RHK belongs to someone who is no longer the pejabat penilai. The rule
PARENT_NOT_PENILAI compares the owner of the intervened RHK with the pejabat penilai of the SKP
row; when the SKP still names the old penilai that comparison passes, so a flagged RHK without
such a finding gets one here (:func:`flag_findings`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple

import networkx as nx
from sqlalchemy import String, and_, cast, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.expression import ColumnElement

from skp_app.cascading.graph import (
    CascadeError,
    GoalRow,
    Indicator,
    PersonRow,
    RhkRow,
    build_cascade_graph,
    gc_paused,
    node_id,
    node_sort_key,
)
from skp_app.cascading.rules import (
    FINDING_CODES,
    CascadeConfig,
    Finding,
    check_cascade,
    check_neighbourhood,
    neighbourhood,
    sort_findings,
)
from skp_app.org.models import Jabatan, Pegawai, UnitOrganisasi
from skp_app.org.queries import ACTIVE_KEDUDUKAN, SKP_KEDUDUKAN, direct_superior, superior_map
from skp_app.org.reference import JABATAN_JENIS, level_of_jabatan
from skp_app.planning.models import (
    Iki,
    IndikatorSasaran,
    IndikatorTarget,
    Periode,
    Rhk,
    Sasaran,
    Skp,
)

__all__ = [
    "LINK_FLAG_NOT_PENILAI",
    "CascadeRows",
    "OpdScope",
    "cascade_for",
    "checked_scope",
    "check_rhk_saved",
    "flag_findings",
    "full_name",
    "load_cascade_rows",
    "opd_names",
    "periode_id_of",
]

#: ``Rhk.link_flag`` value the personnel sync sets (see :mod:`skp_app.sync.effects`).
LINK_FLAG_NOT_PENILAI = "parent_not_penilai"

_CASCADING = frozenset({"direct", "non_direct"})
_PENDEKATAN = frozenset({"kuantitatif", "kualitatif"})
_SKP_JENIS = frozenset({"PNS", "PPPK"})
_MUST_HAVE_SKP = frozenset(SKP_KEDUDUKAN)
_MAX_WALK = 60  # rounds of walking up a chain of links outside the loaded set
_CHUNK = 5000  # ids per IN (...) list
_IN_CHUNK = 900  # ids per IN list in the small lookups
_OUTSIDE_SCAN = 20_000  # own RHK from which the links into a scope are matched here
_PEOPLE_SCAN = 2_000  # people of a scope from which every superior is computed in one scan


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


class CascadeRows(NamedTuple):
    """The rows of one periode (or one OPD) for :func:`~.graph.build_cascade_graph`.

    ``flagged`` holds the RHK ids whose ``link_flag`` says the intervened RHK is no longer the
    pejabat penilai's; ``tahun`` is the periode. ``penilai`` is, when the load saw every SKP of
    the periode that has RHK, the set of their pejabat penilai (else ``None``).
    """

    goals: list[GoalRow]
    rhks: list[RhkRow]
    people: list[PersonRow]
    flagged: frozenset[int] = frozenset()
    tahun: int | None = None
    penilai: frozenset[int] | None = None


@dataclass(frozen=True)
class OpdScope:
    """A set of OPDs loaded and judged together, as one OPD is.

    ``opd_ids`` are the OPDs, or with ``others`` every OPD but those; ``without_opd`` adds the
    rows of no OPD (the regent's sasaran, the regional head). One OPD is
    ``OpdScope(frozenset({opd_id}))``; :meth:`complement` holds everything the scope does not.
    """

    opd_ids: frozenset[int]
    without_opd: bool = False
    others: bool = False

    def contains(self, opd_id: int | None) -> bool:
        """Return whether a row of ``opd_id`` (``None``: no OPD) belongs to the scope."""
        if opd_id is None:
            return self.without_opd
        return (opd_id in self.opd_ids) != self.others

    def complement(self) -> OpdScope:
        """Return the scope of every row this one leaves out."""
        return OpdScope(self.opd_ids, not self.without_opd, not self.others)

    def inside(self, column: Any) -> Any:
        """Return the SQL condition "``column`` (an OPD id) is in the scope"."""
        ids = sorted(self.opd_ids)
        cond = column.not_in(ids) if self.others else column.in_(ids)  # NULL: neither
        return or_(cond, column.is_(None)) if self.without_opd else cond

    def outside(self, column: Any) -> Any:
        """Return the SQL condition "``column`` (an OPD id) is outside the scope"."""
        return self.complement().inside(column)


def full_name(depan: str | None, nama: str | None, belakang: str | None) -> str:
    """Return a name with its academic titles, as ``Pegawai.nama_lengkap`` writes it.

    Examples
    --------
    >>> full_name("Dr.", "Hendra Wijaya", "M.Si.")
    'Dr. Hendra Wijaya, M.Si.'
    >>> full_name("", "Dewi Lestari", "")
    'Dewi Lestari'
    """
    depan = (depan or "").strip()
    name = f"{depan} {(nama or '').strip()}" if depan else (nama or "").strip()
    belakang = (belakang or "").strip()
    return f"{name}, {belakang}" if belakang else name


def periode_id_of(session: Session, tahun: int) -> int:
    """Return the id of the periode of ``tahun``.

    Raises
    ------
    CascadeError
        If no periode has that year.
    """
    pid = session.scalar(select(Periode.id).where(Periode.tahun == tahun))
    if pid is None:
        raise CascadeError(f"Periode {tahun} tidak ditemukan.")
    return pid


def opd_names(session: Session, ids: Iterable[int | None] | None = None) -> dict[int, str]:
    """Return ``opd id → name`` for the given OPD ids (every OPD when ``ids`` is None)."""
    stmt = select(UnitOrganisasi.id, UnitOrganisasi.nama).where(UnitOrganisasi.is_opd.is_(True))
    if ids is not None:
        wanted = sorted({i for i in ids if i is not None})
        if not wanted:
            return {}
        stmt = stmt.where(UnitOrganisasi.id.in_(wanted))
    return dict(_execute(session, stmt))


# --------------------------------------------------------------------------- row helpers

_LEVEL = {jenis: level for jenis, (_label, level) in JABATAN_JENIS.items()}


def _level(jenis: str | None, is_jpt: bool) -> int:
    if jenis:
        level = _LEVEL.get(jenis)
        return level if level is not None else level_of_jabatan(jenis)
    return 2 if is_jpt else 5


def _execute(session: Session, stmt, *, bulk: bool = False) -> list[tuple]:
    """Return the rows of a column select, run on the session's own connection.

    Small selects go through SQLAlchemy (its compiled-statement cache matters more than the
    rows). A ``bulk`` select (100,000+ rows) skips SQLAlchemy's result layer and reads plain
    tuples from the DB-API cursor: Row objects and per-value processors cost three times the
    query itself there. Values then come as the driver gives them: :func:`_decimal` and
    ``bool()`` normalise numbers and flags.
    """
    conn = session.connection()
    if not bulk:
        return conn.execute(stmt).fetchall()
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    if compiled.positional:
        args: Any = tuple(params[name] for name in compiled.positiontup)
    else:
        args = params
    cursor = conn.connection.cursor()
    try:
        cursor.execute(str(compiled), args)
        return cursor.fetchall()
    finally:
        cursor.close()


class _Prefetch:
    """A bulk select run on a second PostgreSQL connection while this one goes on.

    The second transaction imports this transaction's snapshot (``pg_export_snapshot`` and
    ``SET TRANSACTION SNAPSHOT``, as ``pg_dump --jobs`` does), so it reads what a next
    statement of the session would read; the database server then works on the other core
    while Python turns the earlier rows into objects. A transaction that has written (its
    changes would be invisible to the other one) and SQLite run the select on the session's
    own connection when the rows are asked for.
    """

    def __init__(self, session: Session, stmt) -> None:
        self._session, self._stmt = session, stmt
        self._rows: list[tuple] | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        conn = session.connection()
        if conn.dialect.name != "postgresql":
            return
        clean, snapshot = conn.exec_driver_sql(
            "SELECT txid_current_if_assigned() IS NULL, pg_export_snapshot()"
        ).one()
        if not clean:
            return
        compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
        sql, params = str(compiled), compiled.construct_params()
        engine = conn.engine
        self._thread = threading.Thread(
            target=self._run, args=(engine, snapshot, sql, params), daemon=True
        )
        self._thread.start()

    def _run(self, engine, snapshot: str, sql: str, params: dict[str, Any]) -> None:
        try:
            import psycopg  # the PostgreSQL driver, present when the dialect is
            import psycopg.sql

            raw = engine.raw_connection()
            try:
                driver = raw.driver_connection
                driver.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
                driver.read_only = True
                with driver.cursor() as cursor:
                    cursor.execute(
                        psycopg.sql.SQL("SET TRANSACTION SNAPSHOT {}").format(
                            psycopg.sql.Literal(snapshot)
                        )
                    )
                    cursor.execute(sql, params)
                    self._rows = cursor.fetchall()
                driver.rollback()
                driver.isolation_level = None
                driver.read_only = None
            finally:
                raw.close()
        except BaseException as exc:  # handed to the caller in rows()
            self._error = exc

    def rows(self) -> list[tuple]:
        """Return the rows (waiting for the other connection if it is still reading)."""
        if self._thread is None:
            return _execute(self._session, self._stmt, bulk=True)
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._rows or []


_DECIMALS: dict[Any, Decimal] = {}


_FOUR_PLACES = Decimal("0.0001")


def _decimal(value: Any) -> Decimal | None:
    """Return a NUMERIC(18, 4) value as a Decimal with four places.

    SQLite hands back floats and ints; the IKI targets are selected as text on both databases
    (``_IKI_COLUMNS``), because making and hashing 300,000 Decimals in the driver costs more
    than the rest of the row.
    """
    if value is None or type(value) is Decimal:
        return value
    found = _DECIMALS.get(value)
    if found is None:
        if type(value) is str:
            found = Decimal(value).quantize(_FOUR_PLACES)
        else:
            found = Decimal(f"{value:.4f}")
        if len(_DECIMALS) < 100_000:
            _DECIMALS[value] = found
    return found


def _first(rows: list):
    return rows[0] if rows else None


@dataclass(slots=True)
class _Skp:
    """What an RHK row needs from its SKP (one per SKP, shared by its RHK)."""

    id: int
    pegawai_id: int
    name: str
    unit_id: int | None
    opd_id: int | None
    level: int
    jenis: str
    status: str
    pendekatan: str
    penilai: int | None
    tahun: int
    live: bool  # current, not closed, in the periode being loaded


def _skp_columns(sj, pj):
    return (
        Skp.id,
        Skp.pegawai_id,
        Skp.penilai_pegawai_id,
        Skp.status,
        Skp.pendekatan,
        Skp.unit_id,
        Skp.opd_id,
        Skp.is_jpt,
        func.coalesce(sj.jenis, pj.jenis),
        Pegawai.gelar_depan,
        Pegawai.nama,
        Pegawai.gelar_belakang,
    )


# The SKP's own jabatan and the employee's current one (named once: a fresh anonymous alias
# per call would defeat SQLAlchemy's statement cache).
_SKP_JABATAN = aliased(Jabatan, name="skp_jabatan")
_PEGAWAI_JABATAN = aliased(Jabatan, name="pegawai_jabatan")


def _skp_select(extra_columns: Sequence[Any] = ()):
    sj, pj = _SKP_JABATAN, _PEGAWAI_JABATAN
    return (
        (
            select(*_skp_columns(sj, pj), *extra_columns)
            .join(Pegawai, Pegawai.id == Skp.pegawai_id)
            .outerjoin(sj, sj.id == Skp.jabatan_id)
            .outerjoin(pj, pj.id == Pegawai.jabatan_id)
        ),
        sj,
        pj,
    )


def _skp_from_row(row, tahun: int, live: bool) -> _Skp:
    sid, pid, penilai, status, pendekatan, unit, opd, is_jpt, jenis, depan, nama, belakang = row[
        :12
    ]
    return _Skp(
        sid,
        pid,
        full_name(depan, nama, belakang),
        unit,
        opd,
        _level(jenis, bool(is_jpt)),
        jenis or ("jpt_pratama" if is_jpt else ""),
        status,
        pendekatan if pendekatan in _PENDEKATAN else "kuantitatif",
        penilai,
        tahun,
        live,
    )


def _live_skp_conditions(periode_id: int) -> list[Any]:
    return [Skp.periode_id == periode_id, Skp.is_current.is_(True), Skp.status != "ditutup"]


_RHK_COLUMNS = (
    Rhk.id,
    Rhk.skp_id,
    Rhk.jenis,
    Rhk.teks,
    Rhk.parent_rhk_id,
    Rhk.parent_sasaran_id,
    Rhk.cascading,
    Rhk.link_flag,
)


class _NumberAsText(ColumnElement[str]):
    """A NUMERIC column read as text on PostgreSQL and as stored on SQLite.

    PostgreSQL's driver would make a Decimal per value; SQLite stores NUMERIC as REAL or
    INTEGER, so a CAST there only adds a string per value (~25 % of the IKI query).
    """

    inherit_cache = True

    def __init__(self, column: Any) -> None:
        self.column = column
        self.type = String()


@compiles(_NumberAsText)
def _number_as_text(element: _NumberAsText, compiler: Any, **kw: Any) -> str:
    return compiler.process(cast(element.column, String), **kw)


@compiles(_NumberAsText, "sqlite")
def _number_as_stored(element: _NumberAsText, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column, **kw)


_IKI_COLUMNS = (
    Iki.rhk_id,
    Iki.aspek,
    Iki.teks,
    _NumberAsText(Iki.target),
    _NumberAsText(Iki.target_max),
    Iki.satuan,
    Iki.lower_is_better,
)


_FIRST = itemgetter(0)


class _IndicatorCache:
    """Share equal :class:`Indicator` objects (IKI texts and targets repeat a lot), and equal
    tuples of them (an RHK's IKI per aspek often repeat as a whole), so that the graph and the
    rules handle each distinct indicator and each distinct set once."""

    __slots__ = ("cache", "sets")

    def __init__(self) -> None:
        self.cache: dict[tuple, Indicator] = {}
        self.sets: dict[tuple[int, ...], tuple[Indicator, ...]] = {}

    def group(self, rows: Iterable[tuple]) -> dict[int, tuple[Indicator, ...]]:
        """Return the indicators of each RHK id from IKI rows that come grouped by RHK id."""
        cache = self.cache
        get = cache.get
        sets = self.sets
        get_set = sets.get
        out: dict[int, tuple[Indicator, ...]] = {}
        for rhk_id, rhk_rows in groupby(rows, _FIRST):
            found = []
            append = found.append
            for row in rhk_rows:
                key = row[1:]
                ind = get(key)
                if ind is None:
                    aspek, teks, target, target_max, satuan, lower = key
                    ind = cache[key] = Indicator(
                        aspek or "",
                        teks or "",
                        _decimal(target),
                        _decimal(target_max),
                        satuan or "",
                        bool(lower),
                    )
                append(ind)
            if rhk_id in out:  # rows not grouped after all: still right, only slower
                found = [*out[rhk_id], *found]
            # The Indicators are shared objects, so their ids identify the set.
            key = tuple(map(id, found))
            shared = get_set(key)
            if shared is None:
                shared = sets[key] = tuple(found)
            out[rhk_id] = shared
        return out


@dataclass
class _Loaded:
    """Accumulates the rows of one load before they become graph rows."""

    tahun: int
    periode_id: int
    skps: dict[int, _Skp] = field(default_factory=dict)
    rhk_rows: list[tuple] = field(default_factory=list)
    rhk_ids: set[int] = field(default_factory=set)
    goal_rows: dict[int, dict[str, Any]] = field(default_factory=dict)
    indicators: dict[int, tuple[Indicator, ...]] = field(default_factory=dict)
    context_rhk: set[int] = field(default_factory=set)
    outside_penilai: set[int] | None = None  # of every live SKP with RHK outside the scope


# --------------------------------------------------------------------------- goals


def _goal_select(tahun: int):
    return (
        select(
            Sasaran.id,
            Sasaran.level,
            Sasaran.jenis,
            Sasaran.parent_id,
            Sasaran.supports_id,
            Sasaran.opd_id,
            Sasaran.teks,
            Sasaran.tahun_awal,
            Sasaran.tahun_akhir,
            IndikatorSasaran.teks,
            IndikatorSasaran.satuan,
            IndikatorSasaran.lower_is_better,
            IndikatorTarget.target,
            IndikatorTarget.target_max,
        )
        .outerjoin(IndikatorSasaran, IndikatorSasaran.sasaran_id == Sasaran.id)
        .outerjoin(
            IndikatorTarget,
            and_(
                IndikatorTarget.indikator_id == IndikatorSasaran.id,
                IndikatorTarget.tahun == tahun,
            ),
        )
        .order_by(Sasaran.id, IndikatorSasaran.id)
    )


def _collect_goals(rows: Iterable[tuple], into: dict[int, dict[str, Any]]) -> None:
    for (
        gid,
        level,
        jenis,
        parent_id,
        supports_id,
        opd_id,
        teks,
        awal,
        akhir,
        i_teks,
        i_satuan,
        i_lower,
        target,
        target_max,
    ) in rows:
        goal = into.get(gid)
        if goal is None:
            goal = into[gid] = {
                "id": gid,
                "level": level,
                "jenis": jenis,
                "parent_id": parent_id,
                "supports_id": supports_id,
                "opd_id": opd_id,
                "text": teks,
                "awal": awal,
                "akhir": akhir,
                "indicators": [],
            }
        if i_teks is not None:
            goal["indicators"].append(
                Indicator(
                    "",
                    i_teks,
                    _decimal(target),
                    _decimal(target_max),
                    i_satuan or "",
                    bool(i_lower),
                )
            )


def _goal_parent(goal: Mapping[str, Any]) -> tuple[int | None, str]:
    """Return ``(parent id, parent level)`` of a goal row for the graph.

    A regent goal hangs under its RPJMD parent (visi → misi → tujuan → sasaran); an OPD goal
    under the regent tujuan/sasaran it supports (its Renstra parent, an OPD tujuan, is not a
    cascade link).
    """
    if goal["level"] == "regent":
        return goal["parent_id"], "regent"
    return goal["supports_id"], "regent"


def _goal_tahun(goal: Mapping[str, Any], tahun: int) -> int:
    if goal["awal"] <= tahun <= goal["akhir"]:
        return tahun
    return goal["akhir"] if goal["akhir"] < tahun else goal["awal"]


# --------------------------------------------------------------------------- the loader


@gc_paused()  # many small objects: no full collections of the heap meanwhile
def load_cascade_rows(
    session: Session,
    tahun: int,
    opd_id: int | None = None,
    *,
    max_level: int | None = None,
    scope: OpdScope | None = None,
) -> CascadeRows:
    """Load the goal, RHK and person rows of a periode (or of one OPD) in a few queries.

    Parameters
    ----------
    session
        The database session.
    tahun
        The periode's year.
    opd_id
        Only this OPD, plus the rows around it the rules need (see the module docstring).
    max_level
        Only the RHK of employees up to this cascade level (2: the JPT), for the overview of
        the whole regency. People are not loaded then.
    scope
        Instead of ``opd_id``: several OPDs (and/or the rows of no OPD), loaded like one OPD.

    Returns
    -------
    CascadeRows
        ``(goals, rhks, people, flagged, tahun)``; only current SKPs that are not closed count.

    Raises
    ------
    CascadeError
        If there is no periode for ``tahun``.
    """
    periode_id = periode_id_of(session, tahun)
    ld = _Loaded(tahun=tahun, periode_id=periode_id)
    if opd_id is not None:
        scope = OpdScope(frozenset({opd_id}))

    # 1. Goals valid in the year (all regent goals; the scope's OPD goals when scoped).
    goal_stmt = _goal_select(tahun).where(Sasaran.tahun_awal <= tahun, Sasaran.tahun_akhir >= tahun)
    if scope is not None:
        goal_stmt = goal_stmt.where(or_(Sasaran.level == "regent", scope.inside(Sasaran.opd_id)))
    _collect_goals(_execute(session, goal_stmt), ld.goal_rows)

    # 2. Current SKPs of the periode.
    conditions = _live_skp_conditions(periode_id)
    if scope is not None:
        conditions.append(scope.inside(Skp.opd_id))
    skp_stmt, sj, pj = _skp_select()
    skp_stmt = skp_stmt.where(*conditions)
    if max_level is not None:
        jenis = [j for j, level in _LEVEL.items() if level <= max_level]
        skp_stmt = skp_stmt.where(
            or_(func.coalesce(sj.jenis, pj.jenis).in_(jenis), Skp.is_jpt.is_(True))
        )
    iki_rows: _Prefetch | None = None
    rhk_order: tuple[Any, ...] = (Rhk.id,)
    if max_level is None:
        # 3. Their RHK and 4. IKI, joined to the same SKP filter (a join plans better than
        #    nested IN subqueries on SQLite); on PostgreSQL the IKI are read meanwhile.
        rhk_stmt = select(*_RHK_COLUMNS).join(Skp, Skp.id == Rhk.skp_id).where(*conditions)
        iki_stmt = (
            select(*_IKI_COLUMNS)
            .join(Rhk, Rhk.id == Iki.rhk_id)
            .join(Skp, Skp.id == Rhk.skp_id)
            .where(*conditions)
        )
        # Only "the IKI of an RHK together, by urutan" matters, and RHK in id order, which
        # this process restores (the rows come nearly sorted). SQLite walks SKP → RHK → IKI
        # along their indexes: in that order its rows need no sort (~50 ms per 180,000 IKI).
        # PostgreSQL merge-joins the IKI index in RHK order, and hash-joins the RHK, which
        # an ORDER BY would turn into a sort on parallel workers (twice the server's CPU).
        iki_order: tuple[Any, ...] = (Iki.rhk_id, Iki.urutan, Iki.id)
        rhk_order = ()
        if session.get_bind().dialect.name == "sqlite":
            iki_order = (Skp.id, Rhk.id, Iki.urutan, Iki.id)
            rhk_order = (Skp.id, Rhk.id)
        iki_rows = _Prefetch(session, iki_stmt.order_by(*iki_order))
    for row in _execute(session, skp_stmt, bulk=True):
        ld.skps[row[0]] = _skp_from_row(row, tahun, True)

    if max_level is not None:
        skp_ids = sorted(ld.skps) or [-1]
        rhk_stmt = select(*_RHK_COLUMNS).where(Rhk.skp_id.in_(skp_ids))
        iki_stmt = select(*_IKI_COLUMNS).where(
            Iki.rhk_id.in_(select(Rhk.id).where(Rhk.skp_id.in_(skp_ids)))
        )
    rhk_rows = _execute(session, rhk_stmt.order_by(*rhk_order), bulk=True)
    if max_level is None:
        rhk_rows.sort(key=_FIRST)  # nearly sorted already: about one pass
    ld.rhk_rows = rhk_rows
    ld.rhk_ids = {r[0] for r in rhk_rows}
    cache = _IndicatorCache()
    ld.indicators = cache.group(
        iki_rows.rows()
        if iki_rows is not None
        else _execute(session, iki_stmt.order_by(Iki.rhk_id, Iki.urutan, Iki.id), bulk=True)
    )

    # 5. Rows around the loaded set: intervened RHK and sasaran outside it (other OPD or
    #    periode), and, for one OPD, the RHK of other OPDs that intervene it.
    extra_rhk: set[int] = set()
    if scope is not None:
        extra_rhk |= _load_outside_children(session, ld, scope, conditions)
    # The pejabat penilai of the periode's live SKPs with RHK: those of the loaded SKPs, and
    # those of every other SKP when their links were read.
    penilai: frozenset[int] | None = None
    if max_level is None and (scope is None or ld.outside_penilai is not None):
        skps = ld.skps
        penilai = frozenset(
            {s.penilai for r in rhk_rows if (s := skps[r[1]]).live and s.penilai is not None}
            | (ld.outside_penilai or set())
        )
    extra_rhk |= _load_ancestors(session, ld, walk=scope is not None)
    _load_missing_goals(session, ld)
    if extra_rhk:
        ld.indicators.update(
            cache.group(
                _execute(
                    session,
                    select(*_IKI_COLUMNS)
                    .where(Iki.rhk_id.in_(sorted(extra_rhk)))
                    .order_by(Iki.rhk_id, Iki.urutan, Iki.id),
                )
            )
        )

    # 6. People: active employees with their level, superior and SKPs of the periode.
    if max_level is None:
        people, heads, regent_owner = _load_people(session, ld, scope)
    else:
        people = []
        heads, regent_owner = _opd_heads(session, None if scope is None else scope.opd_ids)

    goals = _goal_rows(ld, tahun, heads, regent_owner)
    rhks, flagged = _rhk_rows(ld)
    return CascadeRows(goals, rhks, people, frozenset(flagged), tahun, penilai)


def _goal_rows(
    ld: _Loaded, tahun: int, heads: Mapping[int, int], regent_owner: int | None
) -> list[GoalRow]:
    # An OPD tujuan is shown only when an RHK intervenes it (JPT RHK come from OPD sasaran).
    used = {r[5] for r in ld.rhk_rows if r[5] is not None}
    out: list[GoalRow] = []
    for goal in ld.goal_rows.values():
        if goal["level"] == "opd" and goal["jenis"] != "sasaran" and goal["id"] not in used:
            continue
        if goal["awal"] <= tahun <= goal["akhir"]:
            parent_id, parent_level = _goal_parent(goal)
        else:
            parent_id, parent_level = None, "regent"  # context: its own links not followed
        if goal["level"] == "regent":
            owner = regent_owner
        else:
            owner = heads.get(goal["opd_id"]) if goal["opd_id"] is not None else None
        out.append(
            GoalRow(
                goal["id"],
                goal["level"],
                goal["text"],
                _goal_tahun(goal, tahun),
                goal["opd_id"],
                parent_id,
                tuple(goal["indicators"]),
                owner,
                parent_level,
            )
        )
    return out


def _rhk_rows(ld: _Loaded) -> tuple[list[RhkRow], list[int]]:
    skps = ld.skps
    goals = ld.goal_rows
    indicators = ld.indicators
    rhk_ids = ld.rhk_ids
    context = ld.context_rhk
    flagged: list[int] = []
    out: list[RhkRow] = []
    append = out.append
    empty: tuple[Indicator, ...] = ()
    for rid, skp_id, jenis, teks, parent_rhk, parent_sasaran, cascading, flag in ld.rhk_rows:
        s = skps[skp_id]
        if parent_rhk is not None:
            if rid in context and parent_rhk not in rhk_ids:
                parent_kind, parent_id = None, None  # a context row: its own links not followed
            else:
                parent_kind, parent_id = "rhk", parent_rhk
        elif parent_sasaran is not None:
            goal = goals.get(parent_sasaran)
            if goal is None and rid in context:
                parent_kind, parent_id = None, None
            else:
                level = goal["level"] if goal is not None else "opd"
                parent_kind = "regent_goal" if level == "regent" else "opd_goal"
                parent_id = parent_sasaran
        else:
            parent_kind, parent_id = None, None
        if flag == LINK_FLAG_NOT_PENILAI and parent_kind == "rhk":
            flagged.append(rid)
        append(
            RhkRow(
                rid,
                skp_id,
                s.tahun,
                s.pegawai_id,
                s.name,
                s.unit_id,
                s.opd_id,
                s.level,
                s.jenis,
                jenis if jenis in ("utama", "tambahan") else "utama",
                teks or "",
                parent_kind,
                parent_id,
                cascading if cascading in _CASCADING else "non_direct",
                s.status,
                s.pendekatan,
                s.penilai,
                indicators.get(rid, empty),
            )
        )
    return out, flagged


def _load_skps_by_id(session: Session, ld: _Loaded, skp_ids: Iterable[int]) -> None:
    """Load SKP info for ids outside the main filter (other OPD or periode, closed SKPs)."""
    wanted = sorted({s for s in skp_ids if s not in ld.skps})
    if not wanted:
        return
    stmt, _sj, _pj = _skp_select((Periode.tahun, Skp.periode_id, Skp.is_current))
    stmt = stmt.join(Periode, Periode.id == Skp.periode_id).where(Skp.id.in_(wanted))
    for row in _execute(session, stmt):
        tahun, periode_id, is_current = row[12:15]
        live = periode_id == ld.periode_id and bool(is_current) and row[3] != "ditutup"
        ld.skps[row[0]] = _skp_from_row(row, tahun, live)


def _add_rhk_rows(ld: _Loaded, rows: Iterable[tuple]) -> list[tuple]:
    added = []
    for row in rows:
        if row[0] in ld.rhk_ids:
            continue
        s = ld.skps.get(row[1])
        if s is None:
            continue
        if s.tahun == ld.tahun and not s.live:
            continue  # an RHK of a closed SKP of this periode counts as gone
        if s.tahun != ld.tahun:
            ld.context_rhk.add(row[0])
        ld.rhk_ids.add(row[0])
        ld.rhk_rows.append(row)
        added.append(row)
    return added


def _live_rows(session: Session, ld: _Loaded, rows: list[tuple]) -> list[tuple]:
    """Keep the RHK rows whose SKP is current (and not closed) in the loaded periode."""
    _load_skps_by_id(session, ld, (r[1] for r in rows))
    return [r for r in rows if (s := ld.skps.get(r[1])) is not None and s.live]


def _load_ancestors(session: Session, ld: _Loaded, *, walk: bool) -> set[int]:
    """Load intervened RHK outside the loaded set; with ``walk`` up to the top of the chain."""
    loaded: set[int] = set()
    pending = {r[4] for r in ld.rhk_rows if r[4] is not None and r[4] not in ld.rhk_ids}
    for _ in range(_MAX_WALK):
        if not pending:
            break
        rows = _execute(session, select(*_RHK_COLUMNS).where(Rhk.id.in_(sorted(pending))))
        _load_skps_by_id(session, ld, (r[1] for r in rows))
        added = _add_rhk_rows(ld, rows)
        loaded.update(r[0] for r in added)
        if not walk:
            break
        pending = {
            r[4]
            for r in added
            if r[4] is not None and r[4] not in ld.rhk_ids and r[0] not in ld.context_rhk
        }
    return loaded


def _load_outside_children(
    session: Session, ld: _Loaded, scope: OpdScope, conditions: list[Any]
) -> set[int]:
    """Load the RHK outside the scope that intervene the scope's RHK or sasaran.

    For a large scope (half a regency) the links of the RHK outside it are read as plain ids
    and matched here: the database would otherwise test every outside RHK against a subquery
    of the scope's own RHK.
    """
    own_goals = [gid for gid, g in ld.goal_rows.items() if scope.contains(g["opd_id"])]
    live_outside = [*_live_skp_conditions(ld.periode_id), scope.outside(Skp.opd_id)]
    if len(ld.rhk_ids) > _OUTSIDE_SCAN:
        own, goals = ld.rhk_ids, set(own_goals)
        links = _execute(
            session,
            select(Rhk.id, Rhk.parent_rhk_id, Rhk.parent_sasaran_id, Skp.penilai_pegawai_id)
            .join(Skp, Skp.id == Rhk.skp_id)
            .where(*live_outside),
            bulk=True,
        )
        ld.outside_penilai = {row[3] for row in links}
        ld.outside_penilai.discard(None)
        wanted = sorted(r[0] for r in links if r[1] in own or r[2] in goals)
        if not wanted:
            return set()
        rows = []
        for chunk in _chunks(wanted):
            rows += _execute(session, select(*_RHK_COLUMNS).where(Rhk.id.in_(chunk)))
        rows.sort()
    else:
        own_rhk = select(Rhk.id).where(Rhk.skp_id.in_(select(Skp.id).where(*conditions)))
        link = Rhk.parent_rhk_id.in_(own_rhk)
        if own_goals:
            link = or_(link, Rhk.parent_sasaran_id.in_(own_goals))
        others = select(Skp.id).where(*live_outside)
        rows = _execute(
            session, select(*_RHK_COLUMNS).where(link, Rhk.skp_id.in_(others)).order_by(Rhk.id)
        )
    if not rows:
        return set()
    _load_skps_by_id(session, ld, (r[1] for r in rows))
    return {r[0] for r in _add_rhk_rows(ld, rows)}


def _load_missing_goals(session: Session, ld: _Loaded) -> None:
    """Load sasaran that loaded rows point to but the year filter left out."""
    pending = {r[5] for r in ld.rhk_rows if r[5] is not None}
    pending |= {_goal_parent(g)[0] for g in ld.goal_rows.values()}
    pending -= set(ld.goal_rows)
    pending.discard(None)
    for _ in range(_MAX_WALK):
        if not pending:
            return
        before = set(ld.goal_rows)
        _collect_goals(
            _execute(session, _goal_select(ld.tahun).where(Sasaran.id.in_(sorted(pending)))),
            ld.goal_rows,
        )
        new = set(ld.goal_rows) - before
        pending = set()
        for gid in new:
            goal = ld.goal_rows[gid]
            if goal["awal"] <= ld.tahun <= goal["akhir"]:
                parent_id = _goal_parent(goal)[0]
                if parent_id is not None and parent_id not in ld.goal_rows:
                    pending.add(parent_id)


def _load_people(
    session: Session, ld: _Loaded, scope: OpdScope | None
) -> tuple[list[PersonRow], dict[int, int], int | None]:
    """Return the people rows, the head of each OPD and the regional head."""
    stmt = (
        select(
            Pegawai.id,
            Pegawai.gelar_depan,
            Pegawai.nama,
            Pegawai.gelar_belakang,
            Pegawai.unit_id,
            UnitOrganisasi.opd_id,
            Jabatan.jenis,
            Jabatan.unit_id,
            Jabatan.is_kepala_unit,
            Pegawai.kedudukan_hukum_id,
            Pegawai.jenis_asn,
        )
        .outerjoin(UnitOrganisasi, UnitOrganisasi.id == Pegawai.unit_id)
        .outerjoin(Jabatan, Jabatan.id == Pegawai.jabatan_id)
        .where(Pegawai.kedudukan_hukum_id.in_(ACTIVE_KEDUDUKAN))
    )
    if scope is not None:
        stmt = stmt.where(scope.inside(UnitOrganisasi.opd_id))
    rows = _execute(session, stmt, bulk=True)
    own_ids = [r[0] for r in rows]
    if scope is None or len(own_ids) > _PEOPLE_SCAN:
        # Many people: one scan of every employee beats a list of thousands of ids.
        everyone = superior_map(session)
        superior = everyone if scope is None else {pid: everyone.get(pid) for pid in own_ids}
    else:
        superior = superior_map(session, own_ids)

    skp_ids: dict[int, list[int]] = {}
    for s in ld.skps.values():
        if s.live:
            skp_ids.setdefault(s.pegawai_id, []).append(s.id)
    if scope is not None:
        # An employee of the scope whose SKP sits in another OPD (a unit without its OPD set,
        # a transfer) still has one.
        _add_live_skp_ids(session, ld, [pid for pid in own_ids if pid not in skp_ids], skp_ids)

    people: dict[int, PersonRow] = {}
    heads: dict[int, tuple[bool, int, int]] = {}  # opd → rank of its head (kepala unit first)
    regent_owner: int | None = None
    tahun = ld.tahun
    for pid, depan, nama, belakang, unit, p_opd, jenis, jab_unit, kepala, kedudukan, asn in rows:
        level = _LEVEL.get(jenis) if jenis else None
        people[pid] = PersonRow(
            pid,
            full_name(depan, nama, belakang),
            p_opd,
            unit,
            level,
            superior.get(pid),
            kedudukan in _MUST_HAVE_SKP and asn in _SKP_JENIS,
            tuple(sorted(skp_ids.get(pid, ()))),
            tahun,
        )
        if level == 1 and regent_owner is None:
            regent_owner = pid
        if p_opd is not None and jab_unit == p_opd:
            rank = (not kepala, level or 9, pid)
            if p_opd not in heads or rank < heads[p_opd]:
                heads[p_opd] = rank

    if scope is not None:
        # Superiors and pejabat penilai outside the OPD: names, and their SKPs for V2.
        outside = {s for s in superior.values() if s is not None}
        outside |= {s.penilai for s in ld.skps.values() if s.penilai is not None}
        outside -= set(people)
        if outside:
            _load_outside_people(session, ld, people, outside)
    return list(people.values()), {o: rank[-1] for o, rank in heads.items()}, regent_owner


def _opd_heads(
    session: Session, opd_ids: Iterable[int] | None = None
) -> tuple[dict[int, int], int | None]:
    """Return the head of each OPD (the holder of the OPD's *kepala unit* position, else its
    highest position) and the regional head, in one query; only ``opd_ids`` when given."""
    stmt = (
        select(Pegawai.id, Jabatan.unit_id, Jabatan.is_kepala_unit, Jabatan.jenis)
        .join(Jabatan, Jabatan.id == Pegawai.jabatan_id)
        .join(UnitOrganisasi, UnitOrganisasi.id == Jabatan.unit_id)
        .where(
            Pegawai.kedudukan_hukum_id.in_(ACTIVE_KEDUDUKAN),
            or_(UnitOrganisasi.is_opd.is_(True), Jabatan.jenis == "kepala_daerah"),
        )
    )
    if opd_ids is not None:
        wanted = sorted(set(opd_ids)) or [-1]
        stmt = stmt.where(or_(Jabatan.unit_id.in_(wanted), Jabatan.jenis == "kepala_daerah"))
    ranks: dict[int, tuple[bool, int, int]] = {}
    regent: int | None = None
    for pid, unit, kepala, jenis in _execute(session, stmt):
        level = _LEVEL.get(jenis, 9)
        if level == 1:
            regent = pid if regent is None else min(regent, pid)
            continue
        rank = (not kepala, level, pid)
        if unit not in ranks or rank < ranks[unit]:
            ranks[unit] = rank
    return {unit: rank[-1] for unit, rank in ranks.items()}, regent


def _load_outside_people(
    session: Session, ld: _Loaded, people: dict[int, PersonRow], ids: set[int]
) -> None:
    wanted = sorted(ids)
    skp_ids: dict[int, list[int]] = {}
    _add_live_skp_ids(session, ld, wanted, skp_ids)
    people.update(_people_by_id(session, wanted, {}, skp_ids, ld.tahun))


def _add_live_skp_ids(
    session: Session, ld: _Loaded, pegawai_ids: Sequence[int], into: dict[int, list[int]]
) -> None:
    """Add the ids of the live SKPs of the periode held by ``pegawai_ids`` to ``into``."""
    for i in range(0, len(pegawai_ids), _IN_CHUNK):
        for sid, pid in _execute(
            session,
            select(Skp.id, Skp.pegawai_id).where(
                *_live_skp_conditions(ld.periode_id),
                Skp.pegawai_id.in_(pegawai_ids[i : i + _IN_CHUNK]),
            ),
        ):
            into.setdefault(pid, []).append(sid)


def _people_by_id(
    session: Session,
    ids: Iterable[int],
    superiors: Mapping[int, int | None],
    skp_ids: Mapping[int, list[int]],
    tahun: int,
) -> dict[int, PersonRow]:
    """Return the :class:`PersonRow` of some employees (any kedudukan) in one query."""
    rows = _execute(
        session,
        select(
            Pegawai.id,
            Pegawai.gelar_depan,
            Pegawai.nama,
            Pegawai.gelar_belakang,
            Pegawai.unit_id,
            UnitOrganisasi.opd_id,
            Jabatan.jenis,
            Pegawai.kedudukan_hukum_id,
            Pegawai.jenis_asn,
        )
        .outerjoin(UnitOrganisasi, UnitOrganisasi.id == Pegawai.unit_id)
        .outerjoin(Jabatan, Jabatan.id == Pegawai.jabatan_id)
        .where(Pegawai.id.in_(sorted(ids))),
    )
    return {
        pid: PersonRow(
            pid,
            full_name(depan, nama, belakang),
            p_opd,
            unit,
            _LEVEL.get(jenis) if jenis else None,
            superiors.get(pid),
            kedudukan in _MUST_HAVE_SKP and asn in _SKP_JENIS,
            tuple(sorted(skp_ids.get(pid, ()))),
            tahun,
        )
        for pid, depan, nama, belakang, unit, p_opd, jenis, kedudukan, asn in rows
    }


# --------------------------------------------------------------------------- checking


def flag_findings(
    graph: nx.DiGraph, flagged: Iterable[int], findings: list[Finding]
) -> list[Finding]:
    """Add a PARENT_NOT_PENILAI finding for each flagged RHK that has none yet.

    ``flagged`` are RHK ids whose ``link_flag`` is ``"parent_not_penilai"``. When the
    intervened RHK's SKP was closed by the same personnel change, the parent is a missing node
    and this finding replaces its PARENT_MISSING. Returns the findings (a new list when
    something was added, sorted like :func:`check_cascade` output).
    """
    have = {f.nodes[0] for f in findings if f.code == "PARENT_NOT_PENILAI" and f.nodes}
    added: list[Finding] = []
    replaced: set[tuple[str, ...]] = set()
    data = graph.nodes
    people = graph.graph.get("people") or {}
    for rid in flagged:
        node = node_id("rhk", rid)
        if node in have or node not in graph:
            continue
        d = data[node]
        if d.get("context"):
            continue
        parents = [
            p
            for p in graph.pred[node]
            if data[p].get("kind") == "rhk"
            or (data[p].get("kind") == "missing" and data[p].get("missing_kind") == "rhk")
        ]
        if not parents:
            continue
        parent = parents[0]
        pd = data[parent]
        owner = d.get("owner_name") or f"pegawai #{d.get('owner_pegawai_id')}"
        superior = people.get(d.get("owner_pegawai_id"))
        now = ""
        if superior is not None and superior.superior_pegawai_id is not None:
            sup = people.get(superior.superior_pegawai_id)
            if sup is not None and sup.pegawai_id != pd.get("owner_pegawai_id"):
                now = f" Atasan langsung saat ini: {sup.name.rstrip('.')}."
        jenis = "RHK utama" if d.get("jenis") == "utama" else "RHK tambahan"
        text = " ".join((d.get("text") or "").split())
        if len(text) > 80:
            text = text[:79].rstrip() + "…"
        if pd.get("kind") == "missing":
            # The old penilai's SKP was closed by the same personnel change: say why the link
            # broke instead of a bare "parent not found".
            replaced.add((node, parent))
            intervened = (
                "RHK pejabat penilai lama, yang SKP-nya sudah ditutup karena perubahan data "
                "kepegawaian"
            )
        else:
            parent_owner = pd.get("owner_name") or f"pegawai #{pd.get('owner_pegawai_id')}"
            intervened = (
                f"RHK milik {parent_owner}, yang menurut sinkronisasi data kepegawaian bukan "
                "lagi pejabat penilainya"
            )
        added.append(
            Finding(
                code="PARENT_NOT_PENILAI",
                severity="error",
                nodes=(node, parent),
                owner_pegawai_id=d.get("owner_pegawai_id"),
                message=(
                    f"{jenis} \u201c{text}\u201d milik {owner} mengintervensi {intervened}."
                    f"{now} Pilih RHK pejabat penilai (atasan langsung) yang baru pada halaman "
                    "edit SKP."
                ),
                opd_id=d.get("opd_id"),
                rule=FINDING_CODES["PARENT_NOT_PENILAI"].rule,
            )
        )
    if not added:
        return findings
    kept = [f for f in findings if not (f.code == "PARENT_MISSING" and f.nodes in replaced)]
    return sort_findings([*kept, *added])


def cascade_for(
    session: Session,
    tahun: int,
    opd_id: int | None = None,
    *,
    config: CascadeConfig | None = None,
) -> tuple[nx.DiGraph, list[Finding]]:
    """Build and check the cascade of a periode (or of one OPD).

    For one OPD the findings are those of the whole periode that belong to the OPD
    (``finding.opd_id == opd_id``); nodes of other OPDs and the regent sasaran stay in the
    graph as context nodes.

    Raises
    ------
    CascadeError
        If there is no periode for ``tahun``.
    """
    scope = None if opd_id is None else OpdScope(frozenset({opd_id}))
    graph, findings = checked_scope(session, tahun, scope, config=config)
    if opd_id is not None:
        for _node, d in graph.nodes(data=True):
            if d["opd_id"] != opd_id and d["kind"] != "missing":
                d["context"] = True
    return graph, findings


def checked_scope(
    session: Session,
    tahun: int,
    scope: OpdScope | None,
    *,
    config: CascadeConfig | None = None,
) -> tuple[nx.DiGraph, list[Finding]]:
    """Load, build and check a periode (``scope=None``) or a scope of it.

    With a scope, the graph also holds the rows around it the rules need, and the findings are
    those of the whole periode that belong to the scope (``scope.contains(finding.opd_id)``).
    """
    rows = load_cascade_rows(session, tahun, scope=scope)
    graph = build_cascade_graph(rows.goals, rows.rhks, rows.people, tahun=tahun)
    if scope is not None:
        if len(scope.opd_ids) == 1 and not scope.without_opd:
            (graph.graph["opd_id"],) = scope.opd_ids
        # Subordinates outside the loaded rows still make their penilai a supervisor.
        people = {p.pegawai_id for p in rows.people}
        if rows.penilai is not None:
            penilai = rows.penilai & people
        else:
            penilai = _penilai_of_rhk(session, periode_id_of(session, tahun), people)
        graph.graph["supervisor_ids"] = graph.graph["supervisor_ids"] | penilai
    findings = check_cascade(graph, config=config)
    findings = flag_findings(graph, rows.flagged, findings)
    if scope is not None:
        findings = [f for f in findings if scope.contains(f.opd_id)]
    return graph, findings


def _penilai_of_rhk(session: Session, periode_id: int, ids: Iterable[int]) -> frozenset[int]:
    """Return those of ``ids`` who are pejabat penilai of an SKP with RHK in the periode.

    A few ids (a neighbourhood) are looked up in IN lists; many (a large OPD) with one query
    over the periode's live SKPs, intersected here.
    """
    wanted = sorted(set(ids))
    if not wanted:
        return frozenset()
    stmt = select(Skp.penilai_pegawai_id).where(
        *_live_skp_conditions(periode_id),
        Skp.penilai_pegawai_id.is_not(None),
        select(Rhk.id).where(Rhk.skp_id == Skp.id).exists(),
    )
    if len(wanted) > 2 * _IN_CHUNK:
        keep = set(wanted)
        rows = _execute(session, stmt.distinct())
        return frozenset(pid for (pid,) in rows if pid in keep)
    found: set[int] = set()
    for i in range(0, len(wanted), _IN_CHUNK):
        chunk = wanted[i : i + _IN_CHUNK]
        rows = _execute(session, stmt.where(Skp.penilai_pegawai_id.in_(chunk)).distinct())
        found.update(pid for (pid,) in rows)
    return frozenset(found)


# --------------------------------------------------------------------------- incremental


def check_rhk_saved(
    session: Session, rhk_id: int, *, config: CascadeConfig | None = None
) -> list[Finding]:
    """Re-check the cascade around one RHK right after it was saved.

    Loads only the neighbourhood the rules look at (the RHK, its chain of parents up to the
    sasaran, its siblings, its children and their children, the SKPs and pejabat penilai of
    their owners) and returns :func:`~skp_app.cascading.rules.check_neighbourhood` of the RHK,
    plus PARENT_NOT_PENILAI for a flagged link. An RHK of a closed or superseded SKP has no
    findings (it is no longer part of the cascade).

    Raises
    ------
    CascadeError
        If the RHK does not exist.
    """
    graph, flagged = _neighbourhood_graph(session, [rhk_id])
    if graph is None:
        return []
    node = node_id("rhk", rhk_id)
    findings = check_neighbourhood(graph, node, config=config)
    near = neighbourhood(graph, node)
    pred = graph.pred
    touching = [
        r
        for r in flagged
        if node_id("rhk", r) in near or not near.isdisjoint(pred[node_id("rhk", r)])
    ]
    return flag_findings(graph, touching, findings)


@gc_paused()  # many small objects: no full collections of the heap meanwhile
def _neighbourhood_graph(
    session: Session, rhk_ids: Sequence[int], *, for_lineage: bool = False
) -> tuple[nx.DiGraph | None, list[int]]:
    """Load the neighbourhood of some RHK of one periode (see :func:`check_rhk_saved`).

    For each seed: its chain of parents up to the sasaran (and the sasaran above), the children
    of the seed, its parent and grandparent, and the children of those children. RHK of closed
    or superseded SKPs are dropped; returns ``(None, [])`` when no seed is left.
    ``for_lineage`` loads what the findings *about the seeds* need instead (the seeds' own
    children and siblings, not the children of the grandparent or of the siblings, which can
    be thousands under a Kepala Bidang of schools) and the sasaran up to the RPJMD visi.

    Raises
    ------
    CascadeError
        If the first RHK does not exist.
    """
    heads = _execute(
        session,
        select(Rhk.id, Skp.periode_id, Periode.tahun, Skp.is_current, Skp.status)
        .join(Skp, Skp.id == Rhk.skp_id)
        .join(Periode, Periode.id == Skp.periode_id)
        .where(Rhk.id.in_(list(rhk_ids))),
    )
    if not heads:
        raise CascadeError(f"RHK {rhk_ids[0]} tidak ditemukan.")
    live_heads = [h for h in heads if h[3] and h[4] != "ditutup"]
    if not live_heads:
        return None, []
    periode_id, tahun = live_heads[0][1], live_heads[0][2]
    seeds = sorted(h[0] for h in live_heads if h[1] == periode_id)
    ld = _Loaded(tahun=tahun, periode_id=periode_id)

    # The chains of parents: one recursive query (UNION, not UNION ALL, stops at a cycle).
    chain = select(Rhk.id, Rhk.parent_rhk_id).where(Rhk.id.in_(seeds)).cte("chain", recursive=True)
    up = aliased(Rhk)
    chain = chain.union(select(up.id, up.parent_rhk_id).join(chain, up.id == chain.c.parent_rhk_id))
    rows = _execute(session, select(*_RHK_COLUMNS).where(Rhk.id.in_(select(chain.c.id))))
    _load_skps_by_id(session, ld, (r[1] for r in rows))
    by_id = {r[0]: r for r in rows}
    chains: dict[int, list[tuple]] = {}
    for seed in seeds:
        kept: list[tuple] = []  # the RHK, its parent, grandparent … while in the cascade
        current = by_id.get(seed)
        seen: set[int] = set()
        while current is not None and current[0] not in seen:
            seen.add(current[0])
            s = ld.skps.get(current[1])
            if s is None or (s.tahun == tahun and not s.live):
                break
            kept.append(current)
            if s.tahun != tahun or current[4] is None:
                break
            current = by_id.get(current[4])
        _add_rhk_rows(ld, kept)
        chains[seed] = kept

    # The sasaran the top of each chain intervenes, and the sasaran above it.
    tops = {
        seed: kept[-1][5]
        for seed, kept in chains.items()
        if kept and kept[-1][4] is None and kept[-1][0] not in ld.context_rhk and kept[-1][5]
    }
    _load_goals_by_id(session, ld, tops.values())
    _load_goals_by_id(
        session,
        ld,
        [
            p
            for g in tops.values()
            if g in ld.goal_rows and (p := _goal_parent(ld.goal_rows[g])[0]) is not None
        ],
    )

    if for_lineage:
        for _ in range(_MAX_WALK):
            above = {
                p
                for g in ld.goal_rows.values()
                if (p := _goal_parent(g)[0]) is not None and p not in ld.goal_rows
            }
            if not above:
                break
            before = len(ld.goal_rows)
            _load_goals_by_id(session, ld, above)
            if len(ld.goal_rows) == before:
                break

    # Parent (P) and grandparent (GP) of each seed: RHK of the chain first, then sasaran.
    rhk_parents: set[int] = set()
    goal_parents: set[int] = set()
    parent_of: dict[int, tuple[str, int] | None] = {}
    for seed, kept in chains.items():
        chain_ids = [r[0] for r in kept]
        goal_chain: list[int] = []
        top_goal = tops.get(seed)
        if top_goal is not None and top_goal in ld.goal_rows:
            goal_chain.append(top_goal)
            gp = _goal_parent(ld.goal_rows[top_goal])[0]
            if gp is not None and gp in ld.goal_rows:
                goal_chain.append(gp)
        reach = 2 if for_lineage else 3  # the seed and its parent (and its grandparent)
        upper_goals = goal_chain[: max(0, reach - len(chain_ids))]
        rhk_parents.update(chain_ids[:reach])
        goal_parents.update(upper_goals)
        if len(chain_ids) > 1:
            parent_of[seed] = ("rhk", chain_ids[1])
        else:
            parent_of[seed] = ("goal", upper_goals[0]) if upper_goals else None

    # Children of the seeds, P and GP; then children of the siblings and of the seeds' children.
    first, first_goals = _children(session, ld, sorted(rhk_parents), sorted(goal_parents))
    second_rhk: set[int] = set()
    second_goals: set[int] = set()
    seed_set = set(seeds)
    for parent in parent_of.values():
        if parent is not None and parent[0] == "rhk":
            second_rhk.update(r[0] for r in first if r[4] == parent[1])
        elif parent is not None:
            second_rhk.update(r[0] for r in first if r[4] is None and r[5] == parent[1])
            second_goals.update(g for g, p in first_goals if p == parent[1])
    second_rhk.update(r[0] for r in first if r[4] in seed_set)
    if (second_rhk or second_goals) and not for_lineage:
        _children(session, ld, sorted(second_rhk), sorted(second_goals))

    cache = _IndicatorCache()
    ld.indicators = {}
    for chunk in _chunks(sorted(ld.rhk_ids)):
        ld.indicators.update(
            cache.group(
                _execute(
                    session,
                    select(*_IKI_COLUMNS)
                    .where(Iki.rhk_id.in_(chunk))
                    .order_by(Iki.rhk_id, Iki.urutan, Iki.id),
                )
            )
        )
    people = _neighbourhood_people(session, ld)
    heads, regent_owner = _opd_heads(
        session, {g["opd_id"] for g in ld.goal_rows.values() if g["opd_id"] is not None}
    )
    goals = _goal_rows(ld, tahun, heads, regent_owner)
    rhks, flagged = _rhk_rows(ld)
    graph = build_cascade_graph(goals, rhks, people.values(), tahun=tahun)
    owners = {s.pegawai_id for s in ld.skps.values()}
    graph.graph["supervisor_ids"] = graph.graph["supervisor_ids"] | _penilai_of_rhk(
        session, periode_id, owners
    )
    return graph, flagged


def _load_goals_by_id(session: Session, ld: _Loaded, ids: Iterable[int]) -> None:
    wanted = sorted({i for i in ids if i not in ld.goal_rows})
    if wanted:
        _collect_goals(
            _execute(session, _goal_select(ld.tahun).where(Sasaran.id.in_(wanted))), ld.goal_rows
        )


def _children(
    session: Session,
    ld: _Loaded,
    rhk_parents: Sequence[int],
    goal_parents: Sequence[int],
) -> tuple[list[tuple], list[tuple[int, int]]]:
    """Load the RHK (and sasaran) below the given RHK and sasaran.

    Returns the RHK rows and ``(sasaran id, parent sasaran id)`` of the sasaran found.
    """
    link = Rhk.parent_rhk_id.in_(list(rhk_parents) or [-1])
    if goal_parents:
        link = or_(link, Rhk.parent_sasaran_id.in_(list(goal_parents)))
    # Select by the links only (their indexes drive the plan), then keep the RHK of current
    # SKPs of the periode: SQLite without ANALYZE would otherwise start from the SKP table.
    rows = _execute(session, select(*_RHK_COLUMNS).where(link).order_by(Rhk.id))
    rows = _live_rows(session, ld, rows)
    _add_rhk_rows(ld, rows)
    goals: list[tuple[int, int]] = []
    if goal_parents:
        tahun = ld.tahun
        before = set(ld.goal_rows)
        _collect_goals(
            _execute(
                session,
                _goal_select(tahun).where(
                    or_(
                        and_(Sasaran.level == "opd", Sasaran.supports_id.in_(goal_parents)),
                        and_(Sasaran.level == "regent", Sasaran.parent_id.in_(goal_parents)),
                    ),
                    Sasaran.tahun_awal <= tahun,
                    Sasaran.tahun_akhir >= tahun,
                ),
            ),
            ld.goal_rows,
        )
        for gid in set(ld.goal_rows) - before:
            parent = _goal_parent(ld.goal_rows[gid])[0]
            if parent is not None:
                goals.append((gid, parent))
    return rows, goals


def _neighbourhood_people(session: Session, ld: _Loaded) -> dict[int, PersonRow]:
    """Return the people of a neighbourhood (the superior only where the rules need it)."""
    # The superior from the position tree: where an SKP names no penilai (the rules fall back
    # to it) and for the owners of flagged links (the message names the superior now).
    wanted = {s.pegawai_id for s in ld.skps.values() if s.live and s.penilai is None}
    wanted |= {
        ld.skps[r[1]].pegawai_id
        for r in ld.rhk_rows
        if r[7] == LINK_FLAG_NOT_PENILAI and r[4] is not None
    }
    superiors: dict[int, int | None] = {}
    for pid in sorted(wanted):
        pegawai = session.get(Pegawai, pid)
        sup = direct_superior(session, pegawai) if pegawai is not None else None
        superiors[pid] = sup.id if sup is not None else None
    ids = {s.pegawai_id for s in ld.skps.values()}
    ids |= {s.penilai for s in ld.skps.values() if s.penilai is not None}
    ids |= {s for s in superiors.values() if s is not None}
    if not ids:
        return {}
    skp_ids: dict[int, list[int]] = {}
    for s in ld.skps.values():
        if s.live:
            skp_ids.setdefault(s.pegawai_id, []).append(s.id)
    return _people_by_id(session, ids, superiors, skp_ids, ld.tahun)


# --------------------------------------------------------------------------- pages


def _fmt_number(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = f"{Decimal(value).normalize():f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def target_text(ind: Mapping[str, Any] | Indicator) -> str:
    """Return an indicator's target as shown in tables: ``4 Dokumen``, ``80–90 %``.

    Examples
    --------
    >>> target_text(Indicator("kuantitas", "Jumlah dokumen", Decimal("4.0000"), None, "Dokumen"))
    '4 Dokumen'
    """
    get = ind.get if isinstance(ind, Mapping) else lambda k: getattr(ind, k)
    low, high = get("target"), get("target_max")
    if low is None:
        return "–"
    shown = _fmt_number(low)
    if high is not None and high != low:
        shown = f"{shown}–{_fmt_number(high)}"
    return f"{shown} {get('satuan') or ''}".strip()


@dataclass
class MatrixInput:
    """What :func:`skp_app.cascading.matrix.build_matrix` needs for one superior."""

    superior_id: int
    superior_name: str
    opd_id: int | None
    skp_id: int | None
    columns: list[Any]
    members: list[Any]
    member_rhks: list[Any]


def matrix_input(session: Session, superior_pegawai_id: int, tahun: int) -> MatrixInput:
    """Load a superior's RHK utama, team and the team's RHK for the Matriks Peran Hasil.

    The team is the superior's subordinates in the position tree plus everyone whose current
    SKP names the superior as pejabat penilai (Plt/Plh); anyone else whose RHK intervenes the
    superior's RHK appears as a member from another unit.

    Raises
    ------
    CascadeError
        If the periode or the employee does not exist.
    """
    from skp_app.cascading.matrix import MatrixMember, MatrixRhk
    from skp_app.org.queries import subordinates_of

    periode_id = periode_id_of(session, tahun)
    superior = session.get(Pegawai, superior_pegawai_id)
    if superior is None:
        raise CascadeError(f"Pegawai {superior_pegawai_id} tidak ditemukan.")
    live = _live_skp_conditions(periode_id)
    own = _first(
        _execute(session, select(Skp.id, Skp.opd_id).where(*live, Skp.pegawai_id == superior.id))
    )
    skp_id, skp_opd = (own[0], own[1]) if own else (None, None)
    opd_id = skp_opd if skp_opd is not None else (superior.unit.opd_id if superior.unit else None)

    team = {p.id: p for p in subordinates_of(session, superior)}
    by_penilai = [
        pid
        for (pid,) in _execute(
            session, select(Skp.pegawai_id).where(*live, Skp.penilai_pegawai_id == superior.id)
        )
        if pid not in team and pid != superior.id
    ]
    if by_penilai:
        for p in session.scalars(select(Pegawai).where(Pegawai.id.in_(by_penilai))):
            team[p.id] = p

    columns_rows = (
        _execute(
            session,
            select(Rhk.id, Rhk.teks, Rhk.jenis, Rhk.parent_rhk_id, Rhk.cascading)
            .where(Rhk.skp_id == skp_id)
            .order_by(Rhk.jenis.desc(), Rhk.urutan, Rhk.id),
        )
        if skp_id is not None
        else []
    )
    column_ids = [r[0] for r in columns_rows]
    skp_of = {
        pid: sid
        for sid, pid in _execute(
            session,
            select(Skp.id, Skp.pegawai_id).where(*live, Skp.pegawai_id.in_(sorted(team) or [-1])),
        )
    }
    link = Rhk.skp_id.in_(sorted(skp_of.values()) or [-1])
    if column_ids:
        link = or_(link, Rhk.parent_rhk_id.in_(column_ids))
    rhk_rows = _execute(
        session,
        select(
            Rhk.id,
            Rhk.teks,
            Rhk.jenis,
            Rhk.parent_rhk_id,
            Rhk.cascading,
            Skp.id,
            Skp.pegawai_id,
            Pegawai.gelar_depan,
            Pegawai.nama,
            Pegawai.gelar_belakang,
        )
        .join(Skp, Skp.id == Rhk.skp_id)
        .join(Pegawai, Pegawai.id == Skp.pegawai_id)
        .where(link, *live)
        .order_by(Rhk.urutan, Rhk.id),
    )
    ids = column_ids + [r[0] for r in rhk_rows]
    targets: dict[int, str] = {}
    for rid, target, target_max, satuan in _execute(
        session,
        select(Iki.rhk_id, Iki.target, Iki.target_max, Iki.satuan)
        .where(Iki.rhk_id.in_(ids or [-1]), Iki.aspek == "kuantitas")
        .order_by(Iki.rhk_id, Iki.urutan, Iki.id),
    ):
        targets.setdefault(
            rid,
            target_text(
                {"target": _decimal(target), "target_max": _decimal(target_max), "satuan": satuan}
            ),
        )
    name = superior.nama_lengkap
    columns = [
        MatrixRhk(rid, teks, superior.id, name, parent, jenis, casc, targets.get(rid, ""), skp_id)
        for rid, teks, jenis, parent, casc in columns_rows
    ]
    member_rhks = [
        MatrixRhk(
            rid,
            teks,
            pid,
            full_name(depan, nama, belakang),
            parent,
            jenis,
            casc,
            targets.get(rid, ""),
            sid,
        )
        for rid, teks, jenis, parent, casc, sid, pid, depan, nama, belakang in rhk_rows
    ]
    jabatan = dict(
        _execute(
            session,
            select(Pegawai.id, Jabatan.nama)
            .join(Jabatan, Jabatan.id == Pegawai.jabatan_id)
            .where(Pegawai.id.in_(sorted(team) or [-1])),
        )
    )
    members = [
        MatrixMember(
            p.id,
            p.nama_lengkap,
            jabatan.get(p.id, ""),
            has_skp=p.id in skp_of,
            skp_id=skp_of.get(p.id),
            other_unit=p.id in by_penilai,
        )
        for p in sorted(team.values(), key=lambda p: (p.nama, p.id))
        if p.is_active_service
    ]
    return MatrixInput(superior.id, name, opd_id, skp_id, columns, members, member_rhks)


def pegawai_skp(session: Session, pegawai_id: int, tahun: int) -> tuple[int, int | None] | None:
    """Return ``(skp id, opd id)`` of an employee's current SKP in the periode, if any."""
    periode_id = periode_id_of(session, tahun)
    row = _first(
        _execute(
            session,
            select(Skp.id, Skp.opd_id).where(
                *_live_skp_conditions(periode_id), Skp.pegawai_id == pegawai_id
            ),
        )
    )
    return (row[0], row[1]) if row else None


def lineage_for(
    session: Session, tahun: int, pegawai_id: int, *, config: CascadeConfig | None = None
) -> tuple[nx.DiGraph, list[Finding]]:
    """Return the part of the cascade above one employee's RHK, up to the regent's sasaran.

    Loads only the neighbourhood of the employee's RHK (as :func:`check_rhk_saved` does), so
    a teacher in a 30,000-RHK OPD costs a few small queries. The graph holds the employee's
    RHK and every node on their lineages; the findings are those whose first node is one of
    the employee's RHK.

    Raises
    ------
    CascadeError
        If there is no periode for ``tahun``.
    """
    from skp_app.cascading.graph import lineage

    found = pegawai_skp(session, pegawai_id, tahun)
    rhk_ids = (
        [r[0] for r in _execute(session, select(Rhk.id).where(Rhk.skp_id == found[0]))]
        if found
        else []
    )
    if not rhk_ids:
        graph = nx.DiGraph(tahun=tahun, opd_id=None, people={}, supervisor_ids=frozenset())
        graph.graph["missing"] = []
        return graph, []
    full, flagged = _neighbourhood_graph(session, rhk_ids, for_lineage=True)
    if full is None:  # pragma: no cover - pegawai_skp only returns live SKPs
        return nx.DiGraph(tahun=tahun, missing=[]), []
    findings = flag_findings(full, flagged, check_cascade(full, config=config))
    own = [node_id("rhk", r) for r in rhk_ids if node_id("rhk", r) in full]
    keep: set[str] = set()
    for n in own:
        keep.update(lineage(full, n))
    sub = full.subgraph(keep).copy()
    sub.graph["missing"] = [n for n in full.graph.get("missing", ()) if n in keep]
    own_set = set(own)
    mine = [f for f in findings if f.nodes and f.nodes[0] in own_set]
    return sub, mine


def node_opd(session: Session, kind: str, db_id: int) -> tuple[int | None, int | None, int | None]:
    """Return ``(opd id, owner pegawai id, periode year)`` of a graph node's row.

    Raises
    ------
    CascadeError
        If the row does not exist.
    """
    if kind == "rhk":
        row = _first(
            _execute(
                session,
                select(Skp.opd_id, Skp.pegawai_id, Periode.tahun)
                .join(Rhk, Rhk.skp_id == Skp.id)
                .join(Periode, Periode.id == Skp.periode_id)
                .where(Rhk.id == db_id),
            )
        )
    else:
        row = _first(
            _execute(session, select(Sasaran.opd_id, Sasaran.level).where(Sasaran.id == db_id))
        )
        if row is not None:
            if (kind == "regent_goal") != (row[1] == "regent"):
                row = None
            else:
                row = (row[0], None, None)
    if row is None:
        raise CascadeError("Simpul cascading tidak ditemukan.")
    return row[0], row[1], row[2]


@gc_paused()  # many small objects: no full collections of the heap meanwhile
def subtree_for(session: Session, tahun: int, node: str) -> nx.DiGraph:
    """Return the graph of one node and everything below it in the periode (its impact).

    Two recursive queries find the sasaran and the RHK below the node (``UNION`` stops at a
    cycle); one query per table loads them. Indicators are loaded for the root only.

    Raises
    ------
    CascadeError
        If the node id is invalid or its row does not exist.
    """
    from skp_app.cascading.graph import parse_node_id

    kind, db_id = parse_node_id(node)
    periode_id = periode_id_of(session, tahun)
    ld = _Loaded(tahun=tahun, periode_id=periode_id)
    goal_ids: list[int] = []
    if kind != "rhk":
        down = select(Sasaran.id).where(Sasaran.id == db_id).cte("down_goals", recursive=True)
        child = aliased(Sasaran)
        down = down.union(
            select(child.id).where(
                child.tahun_awal <= tahun,
                child.tahun_akhir >= tahun,
                or_(
                    and_(child.level == "regent", child.parent_id == down.c.id),
                    and_(child.level == "opd", child.supports_id == down.c.id),
                ),
            )
        )
        goal_ids = [r[0] for r in _execute(session, select(down.c.id))]
        _load_goals_by_id(session, ld, goal_ids)
        if db_id not in ld.goal_rows:
            raise CascadeError("Simpul cascading tidak ditemukan.")
        base = select(Rhk.id).where(Rhk.parent_sasaran_id.in_(goal_ids))
    else:
        base = select(Rhk.id).where(Rhk.id == db_id)
    tree = base.cte("down_rhk", recursive=True)
    below = aliased(Rhk)
    tree = tree.union(select(below.id).where(below.parent_rhk_id == tree.c.id))
    rows = _execute(
        session, select(*_RHK_COLUMNS).where(Rhk.id.in_(select(tree.c.id))).order_by(Rhk.id)
    )
    if kind == "rhk" and not rows:
        raise CascadeError("Simpul cascading tidak ditemukan.")
    _load_skps_by_id(session, ld, (r[1] for r in rows))
    for r in rows:
        s = ld.skps.get(r[1])
        # The RHK of closed SKPs (and of other periodes) below the root are not impacted.
        if s is not None and (s.live or (kind == "rhk" and r[0] == db_id)):
            ld.rhk_ids.add(r[0])
            ld.rhk_rows.append(r)
    # Indicators only for the root (a subtree can hold thousands of RHK).
    if kind == "rhk":
        ld.indicators = _IndicatorCache().group(
            _execute(
                session,
                select(*_IKI_COLUMNS)
                .where(Iki.rhk_id == db_id)
                .order_by(Iki.rhk_id, Iki.urutan, Iki.id),
            )
        )
    goals = _goal_rows(ld, tahun, {}, None)
    rhks, _flagged = _rhk_rows(ld)
    graph = build_cascade_graph(goals, rhks, (), tahun=tahun)
    # The root's own parent is outside the subtree.
    for parent in list(graph.pred[node]) if node in graph else ():
        if parent not in set(descendants_nodes(graph, node)):
            graph.remove_edge(parent, node)
            if graph.degree(parent) == 0:
                graph.remove_node(parent)
    return graph


def descendants_nodes(graph: nx.DiGraph, node: str) -> list[str]:
    """Return ``node`` and its descendants (see :func:`~.graph.descendants_of`)."""
    from skp_app.cascading.graph import descendants_of

    return [node, *descendants_of(graph, node)] if node in graph else []


# --------------------------------------------------------------------------- reviews


@dataclass
class ReviewRow:
    """A review in a list, with its items counted per status."""

    review: Any
    opd_name: str
    counts: dict[str, int]

    @property
    def pending(self) -> int:
        return self.counts.get("open", 0) + self.counts.get("reopened", 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def list_reviews(
    session: Session,
    scope: set[int] | None,
    *,
    tahun: int | None = None,
    opd_id: int | None = None,
    status: str | None = None,
    limit: int = 500,
) -> list[ReviewRow]:
    """Return the reviews of the OPDs in ``scope`` (None: all), newest first, in two queries."""
    from skp_app.cascading.models import AlignmentReview, ReviewItem

    stmt = select(AlignmentReview, UnitOrganisasi.nama).join(
        UnitOrganisasi, UnitOrganisasi.id == AlignmentReview.opd_id
    )
    if scope is not None:
        stmt = stmt.where(AlignmentReview.opd_id.in_(sorted(scope) or [-1]))
    if tahun is not None:
        stmt = stmt.where(AlignmentReview.tahun == tahun)
    if opd_id is not None:
        stmt = stmt.where(AlignmentReview.opd_id == opd_id)
    if status is not None:
        stmt = stmt.where(AlignmentReview.status == status)
    rows = session.execute(
        stmt.order_by(AlignmentReview.created_at.desc(), AlignmentReview.id.desc()).limit(limit)
    ).all()
    ids = [r.id for r, _name in rows]
    counts: dict[int, dict[str, int]] = {}
    if ids:
        for rid, item_status, n in session.execute(
            select(ReviewItem.review_id, ReviewItem.status, func.count())
            .where(ReviewItem.review_id.in_(ids))
            .group_by(ReviewItem.review_id, ReviewItem.status)
        ):
            counts.setdefault(rid, {})[item_status] = n
    return [ReviewRow(r, name, counts.get(r.id, {})) for r, name in rows]


def review_detail(session: Session, review_id: int):
    """Return one review with its items, their history and what they point to (4 queries)."""
    from sqlalchemy.orm import joinedload, selectinload

    from skp_app.cascading.models import AlignmentReview, ReviewItem

    return session.scalar(
        select(AlignmentReview)
        .where(AlignmentReview.id == review_id)
        .options(
            joinedload(AlignmentReview.opd),
            joinedload(AlignmentReview.evaluator),
            selectinload(AlignmentReview.items).selectinload(ReviewItem.events),
            selectinload(AlignmentReview.items)
            .joinedload(ReviewItem.rhk)
            .joinedload(Rhk.skp)
            .joinedload(Skp.pegawai),
            selectinload(AlignmentReview.items).joinedload(ReviewItem.sasaran),
            selectinload(AlignmentReview.items).joinedload(ReviewItem.pegawai),
        )
    )


# --------------------------------------------------------------------------- the OPD tree page

#: At most this many nodes are drawn on one tree page; deeper levels open by drilling down.
TREE_BUDGET = 1200


@dataclass
class TreeView:
    """What the tree page of an OPD (or of one node in it) draws.

    ``graph`` holds the drawn nodes (the OPD's own, plus context nodes around them);
    ``findings`` are the findings whose first node is drawn; ``hidden`` maps a drawn node to
    the number of the OPD's RHK below it that are not drawn (open them with ``root``);
    ``trail`` is the path above ``root`` as ``(node, kind, text, owner)``, top first.
    """

    graph: nx.DiGraph
    findings: list[Finding]
    hidden: dict[str, int]
    depth: int
    total: int
    shown: int
    free_tambahan: int
    root: str | None
    trail: list[tuple[str, str, str, str]] = field(default_factory=list)


@gc_paused()  # many small objects: no full collections of the heap meanwhile
def tree_view(
    session: Session,
    tahun: int,
    opd_id: int,
    *,
    root: str | None = None,
    budget: int | None = None,
    config: CascadeConfig | None = None,
) -> TreeView:
    """Return the top of an OPD's cascade (or the part below ``root``) within a node budget.

    One query reads the skeleton of the OPD (RHK ids and links); a breadth-first walk from
    the OPD's sasaran (and from RHK whose parent lies outside the OPD, and from cycles) picks
    as many levels as fit in ``budget`` nodes. Only those levels, one level below them (so that
    the rules about children are right), the RHK of other OPDs hanging below them and the
    chain above the roots are loaded and checked. RHK tambahan without a parent are counted,
    not drawn (they need no parent, V4).

    Raises
    ------
    CascadeError
        If there is no periode for ``tahun``, or ``root`` is not a node of the OPD.
    """
    from skp_app.cascading.graph import parse_node_id

    budget = budget or TREE_BUDGET
    periode_id = periode_id_of(session, tahun)
    ld = _Loaded(tahun=tahun, periode_id=periode_id)
    _collect_goals(
        _execute(
            session,
            _goal_select(tahun).where(
                Sasaran.tahun_awal <= tahun,
                Sasaran.tahun_akhir >= tahun,
                or_(Sasaran.level == "regent", Sasaran.opd_id == opd_id),
            ),
        ),
        ld.goal_rows,
    )
    own_live = select(Skp.id).where(*_live_skp_conditions(periode_id), Skp.opd_id == opd_id)
    skeleton = _execute(
        session,
        select(Rhk.id, Rhk.parent_rhk_id, Rhk.parent_sasaran_id, Rhk.jenis)
        .where(Rhk.skp_id.in_(own_live))
        .order_by(Rhk.id),
        bulk=True,
    )
    own_rhk = {r[0] for r in skeleton}
    referenced = {r[2] for r in skeleton if r[2] is not None}
    own_goals = [
        gid
        for gid, g in ld.goal_rows.items()
        if g["opd_id"] == opd_id and (g["jenis"] == "sasaran" or gid in referenced)
    ]
    own_goal_set = set(own_goals)
    kids: dict[str, list[str]] = {}
    rhk_roots: list[str] = []
    free_tambahan = 0
    for rid, parent_rhk, parent_goal, jenis in skeleton:
        node = f"rhk:{rid}"
        if parent_rhk is not None and parent_rhk in own_rhk:
            kids.setdefault(f"rhk:{parent_rhk}", []).append(node)
        elif parent_rhk is None and parent_goal is not None and parent_goal in own_goal_set:
            kids.setdefault(f"og:{parent_goal}", []).append(node)
        elif parent_rhk is None and parent_goal is None and jenis == "tambahan":
            free_tambahan += 1
        else:
            rhk_roots.append(node)

    # Breadth-first depth of every own node from the roots; unreached nodes lie on cycles.
    depth: dict[str, int] = {}
    tree_parent: dict[str, str | None] = {}

    def sweep(starts: list[str], level: int) -> None:
        frontier = [n for n in starts if n not in depth]
        for n in frontier:
            depth[n] = level
            tree_parent.setdefault(n, None)
        while frontier:
            nxt = []
            for n in frontier:
                for c in kids.get(n, ()):
                    if c not in depth:
                        depth[c] = depth[n] + 1
                        tree_parent[c] = n
                        nxt.append(c)
            frontier = nxt

    if root is None:
        sweep([f"og:{g}" for g in own_goals], 0)
        sweep(rhk_roots, 1)
        counted = {f"rhk:{r[0]}" for r in skeleton} - {
            f"rhk:{r[0]}" for r in skeleton if r[1] is None and r[2] is None and r[3] == "tambahan"
        }
        for node in sorted(counted - set(depth), key=node_sort_key):
            sweep([node], 1)  # a cycle (and what hangs below it)
    else:
        kind, db_id = parse_node_id(root)
        if (kind == "rhk" and db_id not in own_rhk) or (
            kind != "rhk" and db_id not in own_goal_set
        ):
            raise CascadeError(f"Simpul {root} bukan bagian dari cascading OPD ini.")
        sweep([root], 0)

    by_depth: dict[int, int] = {}
    for d in depth.values():
        by_depth[d] = by_depth.get(d, 0) + 1
    levels_sorted = sorted(by_depth)
    shown_depth = levels_sorted[0] if levels_sorted else 0
    running = 0
    for d in levels_sorted:
        running += by_depth[d]
        if running > budget and d > shown_depth:
            break
        shown_depth = d
    drawn = {n for n, d in depth.items() if d <= shown_depth}
    below = {n for n, d in depth.items() if d == shown_depth + 1}

    # Hidden RHK under each drawn node of the last level (subtree sizes, bottom-up).
    size: dict[str, int] = {}
    for n in sorted(depth, key=lambda x: depth[x], reverse=True):
        if depth[n] > shown_depth:
            size[n] = size.get(n, 0) + 1
            p = tree_parent.get(n)
            if p is not None:
                size[p] = size.get(p, 0) + size[n]
    hidden = {n: size[n] for n in drawn if size.get(n)}

    # Load the drawn level, the level below, outside children and the chain above the roots.
    load_rhk = sorted(int(n[4:]) for n in drawn | below if n.startswith("rhk:"))
    rows: list[tuple] = []
    for chunk in _chunks(load_rhk):
        rows.extend(_execute(session, select(*_RHK_COLUMNS).where(Rhk.id.in_(chunk))))
    rows.sort(key=lambda r: r[0])
    _load_skps_by_id(session, ld, (r[1] for r in rows))
    _add_rhk_rows(ld, rows)
    drawn_rhk = [int(n[4:]) for n in drawn if n.startswith("rhk:") and depth[n] < shown_depth]
    drawn_goals = [int(n[3:]) for n in drawn if n.startswith("og:") and depth[n] < shown_depth]
    outside: list[tuple] = []
    for chunk in _chunks(drawn_rhk):
        outside.extend(_execute(session, select(*_RHK_COLUMNS).where(Rhk.parent_rhk_id.in_(chunk))))
    if drawn_goals:
        outside.extend(
            _execute(session, select(*_RHK_COLUMNS).where(Rhk.parent_sasaran_id.in_(drawn_goals)))
        )
    outside = [
        r
        for r in _live_rows(session, ld, [r for r in outside if r[0] not in own_rhk])
        if ld.skps[r[1]].opd_id != opd_id
    ]
    outside_ids = {r[0] for r in _add_rhk_rows(ld, sorted(outside, key=lambda r: r[0]))}
    _load_ancestors(session, ld, walk=True)
    _load_missing_goals(session, ld)
    cache = _IndicatorCache()
    for chunk in _chunks(sorted(ld.rhk_ids)):
        ld.indicators.update(
            cache.group(
                _execute(
                    session,
                    select(*_IKI_COLUMNS)
                    .where(Iki.rhk_id.in_(chunk))
                    .order_by(Iki.rhk_id, Iki.urutan, Iki.id),
                )
            )
        )
    people = _neighbourhood_people(session, ld)
    heads, regent_owner = _opd_heads(session, None if opd_id is None else [opd_id])
    goals = _goal_rows(ld, tahun, heads, regent_owner)
    rhks, flagged = _rhk_rows(ld)
    graph = build_cascade_graph(goals, rhks, people.values(), tahun=tahun)
    graph.graph["opd_id"] = opd_id
    owners = {s.pegawai_id for s in ld.skps.values() if s.live}
    graph.graph["supervisor_ids"] = graph.graph["supervisor_ids"] | _penilai_of_rhk(
        session, periode_id, owners
    )
    findings = check_cascade(graph, config=config)
    findings = flag_findings(graph, flagged, findings)
    findings = [f for f in findings if f.nodes and f.nodes[0] in drawn]

    # Draw the chosen levels, the parent of each top node (the path further up becomes the
    # trail above the chart), and the RHK of other OPDs hanging below them; drop what was
    # loaded only for the rules. Nodes outside what was chosen are context.
    pred = graph.pred
    shown_nodes = {n for n in drawn if n in graph}
    keep = set(shown_nodes)
    for n in shown_nodes:
        keep.update(p for p in pred[n] if p not in shown_nodes)
    keep |= {
        n for r in outside_ids if (n := f"rhk:{r}") in graph and not shown_nodes.isdisjoint(pred[n])
    }
    trail: list[str] = []
    if root is not None and root in graph:
        from skp_app.cascading.graph import lineage

        trail = list(reversed(lineage(graph, root)[1:]))
    full_nodes = {n: dict(graph.nodes[n]) for n in trail}
    graph.remove_nodes_from([n for n in list(graph) if n not in keep])
    graph.graph["missing"] = [n for n in graph.graph.get("missing", ()) if n in keep]
    for node, d in graph.nodes(data=True):
        if node not in drawn and d["kind"] != "missing":
            d["context"] = True
    trail_rows = [
        (n, d.get("kind"), d.get("text") or "", d.get("owner_name") or "")
        for n in trail
        if (d := full_nodes.get(n)) is not None
    ]
    shown = sum(1 for n in drawn if n.startswith("rhk:"))
    return TreeView(
        trail=trail_rows,
        graph=graph,
        findings=findings,
        hidden=hidden,
        depth=shown_depth,
        total=len(own_rhk),
        shown=shown,
        free_tambahan=free_tambahan,
        root=root,
    )
