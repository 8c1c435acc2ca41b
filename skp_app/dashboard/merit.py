"""Peta merit: final predikat per evaluation period, their distribution, and the talent grid.

The page reads what it shows with set-based queries whose cost does not grow with the number of
people on screen: the evaluation periods (one ``DISTINCT``), the distribution of the chosen
period by OPD, jabatan level and golongan (one ``GROUP BY`` over the latest final evaluation
per employee), one page of the employee list (``LIMIT``/``OFFSET`` in SQL, then the history and
the capaian of those employees only).

The talent grid (predikat trend × capaian band) needs the capaian of every employee in scope:
the verified realisasi of every IKI of their RHK utama. Regency-wide this reads ~700,000
realisasi and takes seconds, so for a scope above :data:`LIVE_GRID_MAX` employees it comes from
the last run of the :data:`MERIT_JOB` background job (per OPD counts, the page adds up the OPDs
of the user's scope); smaller scopes compute it while the page loads. Both use
:func:`grid_result`, so they agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from skp_app.dashboard.metrics import (
    CAPAIAN_BANDS,
    TREND_LABELS,
    capaian_band,
    mean_capaian,
    predikat_trend,
    prorate_factor,
    talent_cell,
)
from skp_app.dashboard.queries import (
    PREDIKAT_BY_ID,
    VERIFIED,
    PendingJob,
    PeriodChoice,
    _dec,
    _in_scope,
    _must_have_skp,
    _periodik_by_year,
    _predikat_label,
    _rows,
    _valued_iki,
    evaluation_label,
    full_name,
)
from skp_app.org.models import Jabatan, Pegawai, UnitOrganisasi
from skp_app.org.reference import GOLONGAN, JABATAN_JENIS
from skp_app.planning.models import Iki, Rhk, Skp
from skp_app.realization.models import Evaluasi, Realisasi
from skp_app.realization.scoring import Predikat, ScoringError, capaian_iki

__all__ = [
    "LIVE_GRID_MAX",
    "MERIT_JOB",
    "EvalKey",
    "MeritData",
    "MeritPage",
    "MeritPerson",
    "TalentGrid",
    "choose_key",
    "grid_result",
    "merit_data",
    "merit_distributions",
    "merit_keys",
    "merit_people_count",
    "merit_people_page",
    "predikat_label",
    "talent_grid",
]

#: Job kind that computes the talent grid of the whole regency for one month.
MERIT_JOB = "dashboard.peta_merit"
#: Up to this many employees in scope the page computes the talent grid itself (~0.26 s of
#: CPU for 1,000 on the benchmark machine; 2,000 would take the page to ~0.8 s).
LIVE_GRID_MAX = 1000
#: Up to this many employees their capaian is read from their SKPs down (index lookups);
#: above it the aggregate over the year's realisasi is cheaper (crossover ~5,000).
FEW_PEOPLE = 3000
NILAI_PLACES = Decimal("0.0001")
#: Names listed per grid cell on the page (the XLSX lists every employee with their cell).
GRID_NAMES = 12
LEVEL_ORDER = [v[0] for v in sorted(JABATAN_JENIS.values(), key=lambda v: v[1])] + ["Tanpa jabatan"]
GOLONGAN_ORDER = [
    "Golongan I",
    "Golongan II",
    "Golongan III",
    "Golongan IV",
    "PPPK",
    "Tidak diketahui",
]


@dataclass(frozen=True, order=True)
class EvalKey:
    """An evaluation period, ordered chronologically (periodic ones before the annual one)."""

    tahun: int
    annual: bool
    periode_ke: int

    @property
    def code(self) -> str:
        return f"{'tahunan' if self.annual else 'periodik'}-{self.tahun}-{self.periode_ke}"

    @classmethod
    def parse(cls, code: str | None) -> EvalKey | None:
        """Read a key from its :attr:`code` (None when malformed).

        Examples
        --------
        >>> EvalKey.parse("periodik-2026-1"), EvalKey.parse("x")
        (EvalKey(tahun=2026, annual=False, periode_ke=1), None)
        """
        try:
            jenis, tahun, ke = (code or "").split("-")
            return cls(int(tahun), jenis == "tahunan", int(ke))
        except ValueError:
            return None

    @classmethod
    def of(cls, tahun: int, jenis: str, periode_ke: int | None) -> EvalKey:
        annual = jenis == "tahunan"
        return cls(int(tahun), annual, 0 if annual else int(periode_ke or 0))


@dataclass
class MeritPerson:
    pegawai_id: int
    nama: str
    nip: str | None
    opd_id: int | None
    opd: str
    unit: str
    jabatan: str
    level: int
    level_label: str
    golongan: str
    history: dict[EvalKey, int]
    capaian: Decimal | None = None
    trend: str | None = None

    @property
    def band(self) -> str | None:
        return capaian_band(self.capaian)

    @property
    def cell(self) -> tuple[str, str] | None:
        return talent_cell(self.trend, self.band)


Distribution = list[tuple[str, dict[Predikat, int]]]


@dataclass
class MeritData:
    """Everything about every employee in scope (the XLSX and the background job)."""

    keys: list[EvalKey]
    labels: dict[EvalKey, str]
    selected: EvalKey | None
    people: list[MeritPerson]
    by_opd: Distribution
    by_level: Distribution
    by_golongan: Distribution
    grid: dict[tuple[str, str], list[str]]
    unplaced: int


predikat_label = _predikat_label  # the label of a predikat id ("-" when none)


def _golongan_group(golongan_id: int | None, jenis_asn: str | None) -> str:
    if jenis_asn == "PPPK":
        return "PPPK"
    if golongan_id in GOLONGAN:
        return f"Golongan {GOLONGAN[golongan_id].label.split('/')[0]}"
    return "Tidak diketahui"


def _level(jenis: str | None) -> tuple[str, int]:
    return JABATAN_JENIS.get(jenis or "", ("Tanpa jabatan", 6))


def _in_scope_people(scope: set[int] | None):
    """Return the ids of the employees owing an SKP in ``scope`` (a subquery)."""
    return (
        select(Pegawai.id)
        .join(UnitOrganisasi, Pegawai.unit_id == UnitOrganisasi.id)
        .where(_must_have_skp(), _in_scope(UnitOrganisasi.opd_id, scope))
    )


def _person_stmt(scope: set[int] | None):
    opd_unit = aliased(UnitOrganisasi)
    return (
        select(
            Pegawai.id,
            Pegawai.gelar_depan,
            Pegawai.nama,
            Pegawai.gelar_belakang,
            Pegawai.nip,
            Pegawai.golongan_id,
            Pegawai.jenis_asn,
            UnitOrganisasi.opd_id,
            opd_unit.nama.label("opd"),
            UnitOrganisasi.nama.label("unit"),
            Jabatan.nama.label("jabatan"),
            Jabatan.jenis.label("jabatan_jenis"),
        )
        .select_from(Pegawai)
        .join(UnitOrganisasi, Pegawai.unit_id == UnitOrganisasi.id)
        .outerjoin(opd_unit, UnitOrganisasi.opd_id == opd_unit.id)
        .outerjoin(Jabatan, Pegawai.jabatan_id == Jabatan.id)
        .where(_must_have_skp(), _in_scope(UnitOrganisasi.opd_id, scope))
        .order_by(opd_unit.nama, Pegawai.nama, Pegawai.id)
    )


def _person(r: Any) -> MeritPerson:
    label, level = _level(r.jabatan_jenis)
    return MeritPerson(
        pegawai_id=r.id,
        nama=full_name(r.gelar_depan, r.nama, r.gelar_belakang),
        nip=r.nip,
        opd_id=r.opd_id,
        opd=r.opd or "",
        unit=r.unit or "",
        jabatan=r.jabatan or "",
        level=level,
        level_label=label,
        golongan=_golongan_group(r.golongan_id, r.jenis_asn),
        history={},
    )


def _labels(session: Session, keys: Iterable[EvalKey]) -> dict[EvalKey, str]:
    periodik = _periodik_by_year(session)
    return {
        k: evaluation_label(
            k.tahun,
            "tahunan" if k.annual else "periodik",
            k.periode_ke,
            periodik.get(k.tahun, "triwulan"),
        )
        for k in keys
    }


def choose_key(keys: list[EvalKey], selected: str | None) -> EvalKey | None:
    """Return the period asked for, else the latest annual one, else the latest one."""
    chosen = EvalKey.parse(selected)
    if chosen in keys:
        return chosen
    annual = [k for k in keys if k.annual]
    return annual[-1] if annual else (keys[-1] if keys else None)


def _final_evaluations():
    return and_(Evaluasi.status == "final", Evaluasi.predikat.is_not(None))


def merit_keys(session: Session, scope: set[int] | None) -> tuple[list[EvalKey], dict]:
    """Return the evaluation periods with a final predikat in scope (oldest first) and their
    labels, in one query plus the periode settings."""
    keys = {
        EvalKey.of(tahun, jenis, ke)
        for tahun, jenis, ke in _rows(
            session,
            select(Evaluasi.tahun, Evaluasi.jenis, Evaluasi.periode_ke)
            .join(Skp, Evaluasi.skp_id == Skp.id)
            .where(_final_evaluations(), Skp.pegawai_id.in_(_in_scope_people(scope)))
            .distinct(),
        )
    }
    ordered = sorted(keys)
    return ordered, _labels(session, ordered)


def _key_condition(key: EvalKey):
    if key.annual:
        return and_(Evaluasi.tahun == key.tahun, Evaluasi.jenis == "tahunan")
    return and_(
        Evaluasi.tahun == key.tahun,
        Evaluasi.jenis != "tahunan",
        Evaluasi.periode_ke == key.periode_ke,
    )


def merit_distributions(
    session: Session, key: EvalKey | None, scope: set[int] | None
) -> tuple[Distribution, Distribution, Distribution]:
    """Return the predikat distribution of period ``key`` by OPD, by jabatan level and by
    golongan: one ``GROUP BY`` over the latest final evaluation of each employee in scope."""
    if key is None:
        return [], [], []
    latest = (
        select(Skp.pegawai_id.label("pid"), func.max(Evaluasi.id).label("eid"))
        .join(Skp, Evaluasi.skp_id == Skp.id)
        .where(
            _final_evaluations(),
            _key_condition(key),
            Skp.pegawai_id.in_(_in_scope_people(scope)),
        )
        .group_by(Skp.pegawai_id)
        .subquery()
    )
    opd_unit = aliased(UnitOrganisasi)
    group = (opd_unit.nama, Jabatan.jenis, Pegawai.golongan_id, Pegawai.jenis_asn)
    rows = _rows(
        session,
        select(*group, Evaluasi.predikat, func.count())
        .select_from(latest)
        .join(Evaluasi, Evaluasi.id == latest.c.eid)
        .join(Pegawai, Pegawai.id == latest.c.pid)
        .join(UnitOrganisasi, Pegawai.unit_id == UnitOrganisasi.id)
        .outerjoin(opd_unit, UnitOrganisasi.opd_id == opd_unit.id)
        .outerjoin(Jabatan, Pegawai.jabatan_id == Jabatan.id)
        .group_by(*group, Evaluasi.predikat),
    )
    by: tuple[dict, dict, dict] = ({}, {}, {})
    for opd, jenis, golongan_id, jenis_asn, predikat_id, n in rows:
        predikat = PREDIKAT_BY_ID.get(int(predikat_id))
        if predikat is None:
            continue
        names = (opd or "-", _level(jenis)[0], _golongan_group(golongan_id, jenis_asn))
        for groups, name in zip(by, names, strict=True):
            groups.setdefault(name, dict.fromkeys(Predikat, 0))[predikat] += int(n)
    by_opd, by_level, by_gol = by
    return (
        [(name, by_opd[name]) for name in sorted(by_opd)],
        [(name, by_level[name]) for name in LEVEL_ORDER if name in by_level],
        [(name, by_gol[name]) for name in GOLONGAN_ORDER if name in by_gol],
    )


def _history(session: Session, people_filter) -> list[tuple[int, EvalKey, int]]:
    return [
        (pid, EvalKey.of(tahun, jenis, ke), int(predikat))
        for pid, tahun, jenis, ke, predikat in _rows(
            session,
            select(
                Skp.pegawai_id,
                Evaluasi.tahun,
                Evaluasi.jenis,
                Evaluasi.periode_ke,
                Evaluasi.predikat,
            )
            .join(Skp, Evaluasi.skp_id == Skp.id)
            .where(_final_evaluations(), Skp.pegawai_id.in_(people_filter))
            .order_by(Evaluasi.id),
        )
    ]


def _valued_iki_of(session: Session, period: PeriodChoice, ids: list[int]) -> list[Any]:
    """The rows of :func:`~skp_app.dashboard.queries._valued_iki` for a list of employees,
    read from their SKP down to the realisasi by index lookups: per IKI the sum of the verified
    values and the last verified month (one aggregate), then the value of that month for the
    IKI that are not kuantitas (one more query).

    ``tahun + 0`` and the status test inside the aggregate keep SQLite's planner (no ANALYZE
    statistics) from walking the year's index of every realisasi of the regency instead of
    the few rows of these employees' IKI (0.5 s against a few ms on the large demo).
    """
    verified = and_(Realisasi.status.in_(VERIFIED), Realisasi.nilai.is_not(None))
    per_iki = (
        select(
            Iki.id.label("iki_id"),
            Iki.aspek,
            Iki.target,
            Iki.target_max,
            Iki.lower_is_better,
            Skp.pegawai_id,
            Skp.tanggal_mulai,
            Skp.tanggal_selesai,
            func.sum(case((verified, Realisasi.nilai))).label("total"),
            func.max(case((verified, Realisasi.bulan))).label("last"),
        )
        .select_from(Skp)
        .join(Rhk, Rhk.skp_id == Skp.id)
        .join(Iki, Iki.rhk_id == Rhk.id)
        .join(Realisasi, Realisasi.iki_id == Iki.id)
        .where(
            Skp.periode_id == (period.periode_id or -1),
            Skp.is_current,
            Skp.pegawai_id.in_(ids),
            Rhk.jenis == "utama",
            Realisasi.tahun + 0 == period.tahun,
            Realisasi.bulan <= period.bulan,
        )
        .group_by(Iki.id, Skp.id)
    )
    rows = [r for r in _rows(session, per_iki) if r.last is not None]
    latest = {r.iki_id: r.last for r in rows if (r.aspek or "kuantitas") != "kuantitas"}
    values: dict[int, Any] = {}
    if latest:
        last = per_iki.subquery()
        values = dict(
            _rows(
                session,
                select(Realisasi.iki_id, Realisasi.nilai)
                .select_from(last)
                .join(
                    Realisasi,
                    and_(
                        Realisasi.iki_id == last.c.iki_id,
                        Realisasi.tahun == period.tahun,
                        Realisasi.bulan == last.c.last,
                    ),
                )
                .where(last.c.aspek != "kuantitas"),
            )
        )
    return [
        SimpleNamespace(
            id=r.iki_id,
            aspek=r.aspek,
            target=r.target,
            target_max=r.target_max,
            lower_is_better=r.lower_is_better,
            pegawai_id=r.pegawai_id,
            tanggal_mulai=r.tanggal_mulai,
            tanggal_selesai=r.tanggal_selesai,
            value=values.get(r.iki_id) if r.iki_id in latest else r.total,
        )
        for r in rows
    ]


def _capaian(
    session: Session, period: PeriodChoice, people_filter: Select | list[int]
) -> dict[int, Decimal | None]:
    """Return the capaian of the year up to the chosen month of the employees selected by
    ``people_filter`` (a subquery, or a list of a few ids): the mean capaian of the IKI of the
    RHK utama of their current SKP, verified realisasi only, kuantitas targets pro-rated by
    the SKP months elapsed (as the evaluation suggestion, SKP Cascade §11.1)."""
    if isinstance(people_filter, list):
        rows = _valued_iki_of(session, period, people_filter)
    else:
        utama = (
            select(Iki.id)
            .join(Rhk, Iki.rhk_id == Rhk.id)
            .join(Skp, Rhk.skp_id == Skp.id)
            .where(
                Skp.periode_id == (period.periode_id or -1),
                Skp.is_current,
                Rhk.jenis == "utama",
                Skp.pegawai_id.in_(people_filter),
            )
        )
        rows = _valued_iki(session, utama, period.tahun, period.bulan)
    per_person: dict[int, list[Decimal]] = defaultdict(list)
    for r in rows:
        value = _dec(r.value)
        if value is None or r.target is None:
            continue
        # Realisasi are stored with 4 decimals; rounding there drops the float noise of an SQL
        # SUM on SQLite, so both ways of reading give the same capaian.
        value = value.quantize(NILAI_PLACES)
        factor = Decimal(1)
        if (r.aspek or "kuantitas") == "kuantitas":
            start = r.tanggal_mulai.month if r.tanggal_mulai.year == period.tahun else 1
            end = r.tanggal_selesai.month if r.tanggal_selesai.year == period.tahun else 12
            factor = prorate_factor(start, end, period.bulan)
            if factor is None:
                continue
        try:
            per_person[r.pegawai_id].append(
                capaian_iki(
                    value,
                    _dec(r.target) * factor,
                    target_max=_dec(r.target_max) * factor if r.target_max is not None else None,
                    lower_is_better=bool(r.lower_is_better),
                )
            )
        except ScoringError:
            continue
    # Sorted: a Decimal sum rounds at its 28th digit depending on the order of its terms.
    return {pid: mean_capaian(sorted(values)) for pid, values in per_person.items()}


def _trend(history: Mapping[EvalKey, int]) -> str | None:
    """The trend of the last two annual predikat, else of the last two periodic ones."""
    ordered = sorted(history)
    annual = [history[k] for k in ordered if k.annual]
    periodic = [history[k] for k in ordered if not k.annual]
    return predikat_trend(annual if len(annual) >= 2 else periodic or annual)


def merit_data(
    session: Session,
    period: PeriodChoice,
    scope: set[int] | None,
    *,
    selected: str | None = None,
) -> MeritData:
    """Load the merit map of every employee owing an SKP in scope: their final predikat per
    evaluation period, capaian, trend and talent-grid cell, and the distributions of one
    period (the XLSX and the background job; the page reads less, see the module doc)."""
    people = {r.id: _person(r) for r in _rows(session, _person_stmt(scope))}
    keys: set[EvalKey] = set()
    for pid, key, predikat in _history(session, _in_scope_people(scope)):
        keys.add(key)
        if pid in people:
            people[pid].history[key] = predikat
    ordered = sorted(keys)
    chosen = choose_key(ordered, selected)
    few = len(people) <= FEW_PEOPLE
    capaian = _capaian(session, period, list(people) if few else _in_scope_people(scope))
    grid: dict[tuple[str, str], list[str]] = defaultdict(list)
    unplaced = 0
    for p in people.values():
        p.capaian = capaian.get(p.pegawai_id)
        p.trend = _trend(p.history)
        cell = p.cell
        if cell is None:
            unplaced += 1
        else:
            grid[cell].append(p.nama)
    plist = list(people.values())
    by_opd, by_level, by_gol = _distributions(plist, chosen)
    return MeritData(
        ordered,
        _labels(session, ordered),
        chosen,
        plist,
        by_opd,
        by_level,
        by_gol,
        dict(grid),
        unplaced,
    )


def _distributions(
    people: list[MeritPerson], key: EvalKey | None
) -> tuple[Distribution, Distribution, Distribution]:
    if key is None:
        return [], [], []
    groups: tuple[dict, dict, dict] = ({}, {}, {})
    for p in people:
        predikat = PREDIKAT_BY_ID.get(p.history.get(key, 0))
        if predikat is None:
            continue
        for by, name in zip(groups, (p.opd or "-", p.level_label, p.golongan), strict=True):
            by.setdefault(name, dict.fromkeys(Predikat, 0))[predikat] += 1
    by_opd, by_level, by_gol = groups
    return (
        [(name, by_opd[name]) for name in sorted(by_opd)],
        [(name, by_level[name]) for name in LEVEL_ORDER if name in by_level],
        [(name, by_gol[name]) for name in GOLONGAN_ORDER if name in by_gol],
    )


# --- the employee list, one page at a time ----------------------------------------------------


@dataclass
class MeritPage:
    people: list[MeritPerson]
    total: int
    page: int
    pages: int


def _search(term: str):
    term = term.strip().lower()
    if not term:
        return None
    digits = term.replace(" ", "")
    conditions = [
        func.lower(Pegawai.nama).contains(term, autoescape=True),
        func.lower(Pegawai.gelar_depan).contains(term, autoescape=True),
        func.lower(Pegawai.gelar_belakang).contains(term, autoescape=True),
    ]
    if digits.isdigit():
        conditions.append(Pegawai.nip.startswith(digits, autoescape=True))
    return or_(*conditions)


def merit_people_count(session: Session, scope: set[int] | None, term: str = "") -> int:
    """Return how many employees owing an SKP are in scope (matching ``term``)."""
    stmt = (
        select(func.count(Pegawai.id))
        .join(UnitOrganisasi, Pegawai.unit_id == UnitOrganisasi.id)
        .where(_must_have_skp(), _in_scope(UnitOrganisasi.opd_id, scope))
    )
    condition = _search(term)
    if condition is not None:
        stmt = stmt.where(condition)
    return int(session.scalar(stmt) or 0)


def merit_people_page(
    session: Session,
    period: PeriodChoice,
    scope: set[int] | None,
    *,
    term: str = "",
    page: int = 1,
    per_page: int = 50,
) -> MeritPage:
    """Return one page of the employees in scope (by OPD and name) with their predikat
    history, capaian and trend: a count, the page, its history and its capaian (4 queries)."""
    total = merit_people_count(session, scope, term)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    stmt = _person_stmt(scope)
    condition = _search(term)
    if condition is not None:
        stmt = stmt.where(condition)
    people = [
        _person(r) for r in _rows(session, stmt.limit(per_page).offset((page - 1) * per_page))
    ]
    if people:
        ids = [p.pegawai_id for p in people]
        by_id = {p.pegawai_id: p for p in people}
        for pid, key, predikat in _history(session, ids):
            by_id[pid].history[key] = predikat
        capaian = _capaian(session, period, ids)
        for p in people:
            p.capaian = capaian.get(p.pegawai_id)
            p.trend = _trend(p.history)
    return MeritPage(people, total, page, pages)


# --- the talent grid ----------------------------------------------------------------------------


def _cell_code(cell: tuple[str, str]) -> str:
    return f"{cell[0]}|{cell[1]}"


def grid_result(people: Iterable[MeritPerson]) -> dict:
    """Return the talent grid per OPD as JSON-ready data: for each OPD id (``"0"`` for none)
    the count per cell, the first names per cell and the employees that cannot be placed."""
    per_opd: dict[str, dict] = {}
    for p in people:
        entry = per_opd.setdefault(str(p.opd_id or 0), {"cells": {}, "names": {}, "unplaced": 0})
        cell = p.cell
        if cell is None:
            entry["unplaced"] += 1
            continue
        code = _cell_code(cell)
        entry["cells"][code] = entry["cells"].get(code, 0) + 1
        names = entry["names"].setdefault(code, [])
        if len(names) < GRID_NAMES:
            names.append(p.nama)
    return {"opd": per_opd}


@dataclass
class TalentGrid:
    """The 3×3 grid of one scope: counts and a few names per cell."""

    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    names: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    unplaced: int = 0
    computed_at: datetime | None = None  # None: computed for this page view
    job_id: int | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _merge(result: Mapping, scope: set[int] | None) -> TalentGrid:
    grid = TalentGrid()
    names: dict[tuple[str, str], list[str]] = defaultdict(list)
    for key, entry in (result.get("opd") or {}).items():
        try:
            opd_id = int(key)
        except (TypeError, ValueError):
            continue
        if scope is not None and opd_id not in scope:
            continue
        grid.unplaced += int(entry.get("unplaced", 0))
        for code, n in (entry.get("cells") or {}).items():
            trend, _, band = str(code).partition("|")
            if trend in TREND_LABELS and band in CAPAIAN_BANDS:
                grid.counts[(trend, band)] = grid.counts.get((trend, band), 0) + int(n)
                shown = (entry.get("names") or {}).get(code, [])
                names[(trend, band)].extend(str(x) for x in shown)
    grid.names = {cell: sorted(v)[:GRID_NAMES] for cell, v in names.items()}
    return grid


def latest_grid_job(session: Session, tahun: int, bulan: int) -> tuple[Any, PendingJob | None]:
    """Return the last finished run of :data:`MERIT_JOB` for the month (or None) and the run
    waiting or running for it, if any (one query)."""
    from skp_app.jobs.models import Job

    done = pending = None
    for row in session.scalars(
        select(Job).where(Job.kind == MERIT_JOB).order_by(Job.id.desc()).limit(50)
    ):
        params = row.params or {}
        if (params.get("tahun"), params.get("bulan")) != (tahun, bulan):
            continue
        if row.status in ("queued", "running"):
            if pending is None:
                pending = PendingJob(row.id, row.status_label, row.percent, row.message or "")
        elif row.status == "done" and row.result and done is None:
            done = row
        if done is not None:
            break
    return done, pending


def talent_grid(
    session: Session, period: PeriodChoice, scope: set[int] | None, people: int
) -> tuple[TalentGrid | None, PendingJob | None]:
    """Return the talent grid of ``scope`` (``people`` employees owe an SKP there): computed
    now up to :data:`LIVE_GRID_MAX` employees, else from the last run of :data:`MERIT_JOB` for
    the month (None when it never ran), with the run still pending, if any."""
    if people <= LIVE_GRID_MAX:
        data = merit_data(session, period, scope)
        return _merge(grid_result(data.people), None), None
    done, pending = latest_grid_job(session, period.tahun, period.bulan)
    if done is None:
        return None, pending
    grid = _merge(done.result, scope)
    grid.job_id = done.id
    grid.computed_at = done.finished_at or done.created_at
    return grid, pending
