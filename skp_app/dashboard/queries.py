"""Set-based loaders of the dashboards and reports, returning plain data.

Every loader runs a fixed number of queries whatever the number of employees or OPD: filters
are SQL subqueries (never one query per row, never chunked id lists), aggregates are computed
by the database (GROUP BY) and the formulas of :mod:`skp_app.realization.scoring` are applied
in Python on the small result. Pages and exports call the same loaders, so a table and its
XLSX always show the same rows within the same scope.

Realisasi count for capaian only once VERIFIED by the pejabat penilai (as on the capaian pages
of the realization domain); activity minutes and points count only once APPROVED.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from skp_app.dashboard.documents import (
    DocPerson,
    EvaluasiDocument,
    IkiLine,
    PerilakuLine,
    RecapDocument,
    RecapLine,
    RhkLine,
    SkpDocument,
)
from skp_app.dashboard.metrics import (
    IkiSeries,
    bidang_of,
    fmt_number,
    iki_capaian_at,
    iki_projection,
    iki_value_at,
    mean_capaian,
    previous_month,
    target_text,
    working_days,
    workload_band,
)
from skp_app.org.models import Instansi, Jabatan, Pegawai, UnitOrganisasi
from skp_app.org.queries import ACTIVE_KEDUDUKAN, SKP_KEDUDUKAN, superior_map
from skp_app.org.reference import JABATAN_JENIS
from skp_app.planning.berakhlak import BERAKHLAK
from skp_app.planning.models import (
    LAMPIRAN_BAGIAN,
    PERSPEKTIF,
    SKP_STATUS,
    Iki,
    Periode,
    Rhk,
    Sasaran,
    Skp,
)
from skp_app.realization.models import (
    REALISASI_STATUS,
    Aktivitas,
    Evaluasi,
    PredikatOrganisasi,
    Realisasi,
    TppRecap,
    TppRecapLine,
)
from skp_app.realization.scoring import (
    DEFAULT_DAILY_POINTS,
    DEFAULT_MONTHLY_POINTS,
    OrgPredikat,
    Predikat,
    Rating,
    ScoringError,
    capaian_iki,
    check_distribution,
    curve_limits,
)
from skp_app.realization.settings import holiday_dates
from skp_app.timeutil import utcnow

__all__ = [
    "BULAN",
    "SKP_ASN",
    "STAGES",
    "DashboardSettings",
    "PeriodChoice",
    "choose_period",
    "dashboard_settings",
    "full_name",
    "hr_data",
    "led_opd_id",
    "opd_data",
    "opd_options",
    "pegawai_data",
    "pengisian_matrix",
    "pengisian_people",
    "pimpinan_data",
    "workload_data",
]

BULAN = (
    *("", "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli"),
    *("Agustus", "September", "Oktober", "November", "Desember"),
)
SKP_ASN = ("PNS", "PPPK")
REALISASI_LABELS = REALISASI_STATUS
VERIFIED = ("terverifikasi",)
# A realisasi "entered" for a month: submitted at least once (a draft is not reported yet).
ENTERED = ("diajukan", "terverifikasi", "ditolak")
SKP_BOARD_STATUS = {"belum": "Belum dibuat", **{k: v for k, v in SKP_STATUS.items()}}
LEADER_JENIS = ("jpt_pratama", "jpt_madya")
#: Predikat by SIASN kuadranNilai id (1 Sangat Baik … 5 Sangat Kurang), as stored.
PREDIKAT_BY_ID: dict[int, Predikat] = {p.siasn_id: p for p in Predikat}


def full_name(depan: str | None, nama: str | None, belakang: str | None) -> str:
    """Return a name with its academic titles (``Dr. Siti Aminah, S.E.``)."""
    name = " ".join(p for p in ((depan or "").strip(), (nama or "").strip()) if p)
    return f"{name}, {belakang.strip()}" if belakang and belakang.strip() else name


def _must_have_skp():
    return and_(Pegawai.kedudukan_hukum_id.in_(SKP_KEDUDUKAN), Pegawai.jenis_asn.in_(SKP_ASN))


def _in_scope(column, scope: set[int] | None):
    """Return a condition restricting ``column`` (an OPD id) to ``scope`` (None = all)."""
    if scope is None:
        return literal(True)
    return column.in_(sorted(scope) or [-1])


def _rows(session: Session, stmt) -> list[Any]:
    """Run a column query on the session's connection (no ORM row processing: faster)."""
    return session.connection().execute(stmt).all()


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


# --- settings and period ---------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardSettings:
    """The instansi settings the dashboards read, with product defaults (domain.md §11.5)."""

    instansi_nama: str = ""
    ibukota: str = ""
    daily_points: int = DEFAULT_DAILY_POINTS
    monthly_points: int = DEFAULT_MONTHLY_POINTS
    daily_minutes: int = 300
    overdue_days: int = 3
    holidays: frozenset[date] = frozenset()


def _positive(raw: Mapping, key: str, default: int) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if number > 0 else default


def dashboard_settings(session: Session) -> DashboardSettings:
    """Read the settings of the deployment's instansi in one query.

    Keys: ``daily_points_target`` (300), ``monthly_points_target`` (6,000),
    ``daily_effective_minutes`` (300), ``approval_overdue_days`` (3), ``hari_libur`` (ISO
    dates). Invalid values fall back to the defaults.
    """
    row = session.execute(
        select(Instansi.nama, Instansi.ibukota, Instansi.settings).order_by(Instansi.id).limit(1)
    ).first()
    if row is None:
        return DashboardSettings()
    raw = dict(row.settings or {})
    holidays = holiday_dates(raw.get("hari_libur"))  # ISO strings or {date, nama} objects
    return DashboardSettings(
        instansi_nama=row.nama or "",
        ibukota=row.ibukota or "",
        daily_points=_positive(raw, "daily_points_target", DEFAULT_DAILY_POINTS),
        monthly_points=_positive(raw, "monthly_points_target", DEFAULT_MONTHLY_POINTS),
        daily_minutes=_positive(raw, "daily_effective_minutes", 300),
        overdue_days=_positive(raw, "approval_overdue_days", 3),
        holidays=holidays,
    )


@dataclass(frozen=True)
class PeriodChoice:
    """The year and month a page shows, with the planning period of that year (if any)."""

    tahun: int
    bulan: int
    periode_id: int | None
    periodik: str
    years: tuple[int, ...]
    today: date

    @property
    def label(self) -> str:
        return f"{BULAN[self.bulan]} {self.tahun}"

    @property
    def is_current_month(self) -> bool:
        return (self.tahun, self.bulan) == (self.today.year, self.today.month)

    @property
    def evaluation_period(self) -> int:
        """The periodic evaluation number covering the month (month, or quarter)."""
        return self.bulan if self.periodik == "bulanan" else (self.bulan - 1) // 3 + 1


def choose_period(
    session: Session, tahun: int | None, bulan: int | None, today: date
) -> PeriodChoice:
    """Pick the year (default: this year if planned, else the latest planned year) and month
    (default: this month in the current year, December for a past year, January ahead)."""
    rows = session.execute(
        select(Periode.id, Periode.tahun, Periode.periodik).order_by(Periode.tahun.desc())
    ).all()
    by_year = {r.tahun: r for r in rows}
    if tahun not in by_year and tahun is not None and not 2000 <= tahun <= 2100:
        tahun = None
    if tahun is None:
        tahun = today.year if today.year in by_year or not rows else rows[0].tahun
    if bulan is None or not 1 <= bulan <= 12:
        if tahun == today.year:
            bulan = today.month
        else:
            bulan = 12 if tahun < today.year else 1
    row = by_year.get(tahun)
    return PeriodChoice(
        tahun=tahun,
        bulan=bulan,
        periode_id=row.id if row else None,
        periodik=(row.periodik if row else "triwulan") or "triwulan",
        years=tuple(sorted(by_year, reverse=True)),
        today=today,
    )


def opd_options(session: Session, scope: set[int] | None) -> list[tuple[int, str]]:
    """Return ``(id, nama)`` of the active OPDs in ``scope``, by name."""
    return [
        (r.id, r.nama)
        for r in session.execute(
            select(UnitOrganisasi.id, UnitOrganisasi.nama)
            .where(
                UnitOrganisasi.is_opd,
                UnitOrganisasi.is_active,
                _in_scope(UnitOrganisasi.id, scope),
            )
            .order_by(UnitOrganisasi.nama)
        )
    ]


def led_opd_id(session: Session, pegawai_id: int | None) -> int | None:
    """Return the OPD the employee leads: a JPT position, or the head position of an OPD."""
    if pegawai_id is None:
        return None
    row = session.execute(
        select(Jabatan.jenis, Jabatan.is_kepala_unit, UnitOrganisasi.opd_id, UnitOrganisasi.is_opd)
        .select_from(Pegawai)
        .join(Jabatan, Pegawai.jabatan_id == Jabatan.id)
        .join(UnitOrganisasi, Jabatan.unit_id == UnitOrganisasi.id)
        .where(Pegawai.id == pegawai_id)
    ).first()
    if row is None or row.opd_id is None:
        return None
    if row.jenis in LEADER_JENIS or (row.is_kepala_unit and row.is_opd):
        return row.opd_id
    return None


# --- IKI and realisasi -----------------------------------------------------------------------


@dataclass
class IkiData:
    """An IKI with its monthly verified realisasi."""

    series: IkiSeries
    rhk_id: int
    teks: str
    satuan: str


def _load_iki(
    session: Session, rhk_ids: Select, tahun: int, bulan: int
) -> dict[int, list[IkiData]]:
    """Load the IKI of the RHK selected by ``rhk_ids`` (a subquery) and their verified
    realisasi of ``tahun`` up to ``bulan``, in two queries."""
    by_id: dict[int, IkiData] = {}
    by_rhk: dict[int, list[IkiData]] = defaultdict(list)
    for r in session.execute(
        select(
            Iki.id,
            Iki.rhk_id,
            Iki.teks,
            Iki.aspek,
            Iki.satuan,
            Iki.target,
            Iki.target_max,
            Iki.lower_is_better,
        )
        .where(Iki.rhk_id.in_(rhk_ids))
        .order_by(Iki.rhk_id, Iki.urutan, Iki.id)
    ):
        data = IkiData(
            IkiSeries(
                r.id,
                r.aspek or "kuantitas",
                _dec(r.target),
                _dec(r.target_max),
                bool(r.lower_is_better),
            ),
            r.rhk_id,
            r.teks,
            r.satuan or "",
        )
        by_id[r.id] = data
        by_rhk[r.rhk_id].append(data)
    if by_id:
        iki_ids = select(Iki.id).where(Iki.rhk_id.in_(rhk_ids))
        for iki_id, month, nilai in _rows(
            session,
            select(Realisasi.iki_id, Realisasi.bulan, Realisasi.nilai).where(
                Realisasi.iki_id.in_(iki_ids),
                Realisasi.tahun == tahun,
                Realisasi.bulan <= bulan,
                Realisasi.status.in_(VERIFIED),
                Realisasi.nilai.is_not(None),
            ),
        ):
            if iki_id in by_id:
                by_id[iki_id].series.monthly[month] = Decimal(str(nilai))
    return by_rhk


def _rhk_capaian(ikis: Iterable[IkiData], month: int) -> Decimal | None:
    return mean_capaian(iki_capaian_at(i.series, month) for i in ikis)


def _capaian_values_at(
    session: Session, iki_ids: Select, tahun: int, bulan: int
) -> dict[int, Decimal]:
    """Return the realised value by ``bulan`` of many IKI with two aggregate queries: the sum
    of verified monthly values for kuantitas IKI, the latest verified value for the others."""
    values: dict[int, Decimal] = {}
    base = and_(
        Realisasi.iki_id.in_(iki_ids),
        Realisasi.tahun == tahun,
        Realisasi.bulan <= bulan,
        Realisasi.status.in_(VERIFIED),
        Realisasi.nilai.is_not(None),
    )
    for iki_id, total in _rows(
        session,
        select(Realisasi.iki_id, func.sum(Realisasi.nilai))
        .join(Iki, Realisasi.iki_id == Iki.id)
        .where(base, Iki.aspek == "kuantitas")
        .group_by(Realisasi.iki_id),
    ):
        values[iki_id] = Decimal(str(total))
    latest = (
        select(Realisasi.iki_id.label("iki_id"), func.max(Realisasi.bulan).label("bulan"))
        .join(Iki, Realisasi.iki_id == Iki.id)
        .where(base, Iki.aspek != "kuantitas")
        .group_by(Realisasi.iki_id)
        .subquery()
    )
    for iki_id, nilai in _rows(
        session,
        select(Realisasi.iki_id, Realisasi.nilai).join(
            latest,
            and_(
                Realisasi.iki_id == latest.c.iki_id,
                Realisasi.bulan == latest.c.bulan,
                Realisasi.tahun == tahun,
            ),
        ),
    ):
        values[iki_id] = Decimal(str(nilai))
    return values


def _valued_iki(session: Session, iki_ids: Select, tahun: int, bulan: int) -> list[Any]:
    """Return the IKI of ``iki_ids`` that have a verified value by ``bulan``, with the value
    (sum for kuantitas, latest for the other aspects), their target and their SKP's owner and
    dates, in two queries (IKI without data are not read at all)."""
    base = and_(
        Realisasi.iki_id.in_(iki_ids),
        Realisasi.tahun == tahun,
        Realisasi.bulan <= bulan,
        Realisasi.status.in_(VERIFIED),
        Realisasi.nilai.is_not(None),
    )
    columns = (
        Iki.id,
        Iki.aspek,
        Iki.target,
        Iki.target_max,
        Iki.lower_is_better,
        Skp.pegawai_id,
        Skp.tanggal_mulai,
        Skp.tanggal_selesai,
    )
    sums = (
        select(Realisasi.iki_id.label("iki_id"), func.sum(Realisasi.nilai).label("value"))
        .join(Iki, Realisasi.iki_id == Iki.id)
        .where(base, Iki.aspek == "kuantitas")
        .group_by(Realisasi.iki_id)
        .subquery()
    )
    rows = _rows(
        session,
        select(*columns, sums.c.value)
        .select_from(sums)
        .join(Iki, Iki.id == sums.c.iki_id)
        .join(Rhk, Iki.rhk_id == Rhk.id)
        .join(Skp, Rhk.skp_id == Skp.id),
    )
    latest = (
        select(Realisasi.iki_id.label("iki_id"), func.max(Realisasi.bulan).label("bulan"))
        .join(Iki, Realisasi.iki_id == Iki.id)
        .where(base, Iki.aspek != "kuantitas")
        .group_by(Realisasi.iki_id)
        .subquery()
    )
    rows += _rows(
        session,
        select(*columns, Realisasi.nilai.label("value"))
        .select_from(latest)
        .join(
            Realisasi,
            and_(
                Realisasi.iki_id == latest.c.iki_id,
                Realisasi.bulan == latest.c.bulan,
                Realisasi.tahun == tahun,
            ),
        )
        .join(Iki, Iki.id == Realisasi.iki_id)
        .join(Rhk, Iki.rhk_id == Rhk.id)
        .join(Skp, Rhk.skp_id == Skp.id),
    )
    return rows


# --- pimpinan --------------------------------------------------------------------------------


@dataclass
class RegentGoal:
    id: int
    kode: str
    teks: str
    capaian: Decimal | None
    trend: list[tuple[int, Decimal | None]]
    opd_goals: int
    rhk: int
    rhk_with_data: int


@dataclass
class OpdSummary:
    opd_id: int
    nama: str
    singkatan: str
    wajib_skp: int = 0
    skp_disetujui: int = 0
    capaian: Decimal | None = None
    rhk: int = 0

    @property
    def pct_skp(self) -> Decimal | None:
        if not self.wajib_skp:
            return None
        return Decimal(self.skp_disetujui * 100) / self.wajib_skp


@dataclass
class EarlyWarning:
    opd: str
    pegawai: str
    rhk: str
    iki: str
    satuan: str
    target: Decimal
    realisasi: Decimal | None
    proyeksi: Decimal
    lower_is_better: bool

    @property
    def gap_pct(self) -> Decimal:
        """Projected year-end value as a percent of the target."""
        if not self.target:
            return Decimal(0)
        return self.proyeksi * 100 / self.target


@dataclass
class OpdPredikat:
    opd_id: int
    nama: str
    org_predikat: str | None
    counts: dict[Predikat, int]
    violations: list[str]
    limits: dict[Predikat, tuple[int, int]] | None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class PimpinanData:
    goals: list[RegentGoal]
    opds: list[OpdSummary]
    warnings: list[EarlyWarning]
    predikat: list[OpdPredikat]
    predikat_basis: str


def _opd_rows(session: Session, scope: set[int] | None = None) -> list[Any]:
    return list(
        session.execute(
            select(UnitOrganisasi.id, UnitOrganisasi.nama, UnitOrganisasi.singkatan)
            .where(
                UnitOrganisasi.is_opd,
                UnitOrganisasi.is_active,
                _in_scope(UnitOrganisasi.id, scope),
            )
            .order_by(UnitOrganisasi.nama)
        )
    )


def _skp_completion(
    session: Session, periode_id: int | None, scope: set[int] | None
) -> dict[int, tuple[int, int]]:
    """Return ``opd_id → (employees owing an SKP, whose current SKP is approved)``."""
    approved = case((Skp.status == "disetujui", 1), else_=0)
    stmt = (
        select(UnitOrganisasi.opd_id, func.count(Pegawai.id), func.coalesce(func.sum(approved), 0))
        .select_from(Pegawai)
        .join(UnitOrganisasi, Pegawai.unit_id == UnitOrganisasi.id)
        .outerjoin(
            Skp,
            and_(
                Skp.pegawai_id == Pegawai.id,
                Skp.periode_id == (periode_id or -1),
                Skp.is_current,
            ),
        )
        .where(_must_have_skp(), _in_scope(UnitOrganisasi.opd_id, scope))
        .group_by(UnitOrganisasi.opd_id)
    )
    return {opd: (int(n), int(done)) for opd, n, done in session.execute(stmt) if opd}


def _evaluation_basis(
    session: Session, tahun: int, scope: set[int] | None
) -> tuple[str, int] | None:
    """Return the evaluation shown for a year: the annual one when any is final, else the
    latest periodic evaluation with final results."""
    rows = session.execute(
        select(Evaluasi.jenis, func.max(Evaluasi.periode_ke))
        .join(Skp, Evaluasi.skp_id == Skp.id)
        .where(
            Evaluasi.tahun == tahun,
            Evaluasi.status == "final",
            Evaluasi.predikat.is_not(None),
            _in_scope(Skp.opd_id, scope),
        )
        .group_by(Evaluasi.jenis)
    ).all()
    found = {jenis: ke for jenis, ke in rows}
    if "tahunan" in found:
        return "tahunan", 0
    if "periodik" in found:
        return "periodik", int(found["periodik"])
    return None


def basis_label(basis: tuple[str, int] | None, tahun: int, periodik: str) -> str:
    """Describe an evaluation basis in Indonesian (``Evaluasi tahunan 2026``)."""
    if basis is None:
        return f"Belum ada evaluasi final tahun {tahun}"
    jenis, ke = basis
    if jenis == "tahunan":
        return f"Evaluasi tahunan {tahun}"
    if periodik == "bulanan":
        return f"Evaluasi periodik {BULAN[ke]} {tahun}"
    return f"Evaluasi periodik triwulan {ke} tahun {tahun}"


def _predikat_by_opd(
    session: Session, tahun: int, basis: tuple[str, int] | None, scope: set[int] | None
) -> dict[int, dict[Predikat, int]]:
    out: dict[int, dict[Predikat, int]] = defaultdict(lambda: dict.fromkeys(Predikat, 0))
    if basis is None:
        return out
    for opd_id, predikat, n in session.execute(
        select(Skp.opd_id, Evaluasi.predikat, func.count())
        .join(Skp, Evaluasi.skp_id == Skp.id)
        .where(
            Evaluasi.tahun == tahun,
            Evaluasi.status == "final",
            Evaluasi.jenis == basis[0],
            Evaluasi.periode_ke == basis[1],
            Evaluasi.predikat.is_not(None),
            _in_scope(Skp.opd_id, scope),
        )
        .group_by(Skp.opd_id, Evaluasi.predikat)
    ):
        if opd_id is None:
            continue
        try:
            out[opd_id][Predikat.coerce(int(predikat))] += int(n)
        except ScoringError:
            continue
    return out


def _org_predikat(
    session: Session, tahun: int, periode_ke: int, unit_ids: Iterable[int]
) -> dict[int, str]:
    ids = sorted(set(unit_ids))
    if not ids:
        return {}
    return dict(
        session.execute(
            select(PredikatOrganisasi.unit_id, PredikatOrganisasi.predikat).where(
                PredikatOrganisasi.tahun == tahun,
                PredikatOrganisasi.periode_ke == periode_ke,
                PredikatOrganisasi.unit_id.in_(ids),
            )
        ).all()
    )


def predikat_rows(
    session: Session, period: PeriodChoice, opds: list[Any], scope: set[int] | None
) -> tuple[list[OpdPredikat], str]:
    """Return the predikat distribution per OPD (final evaluations) against its curve."""
    basis = _evaluation_basis(session, period.tahun, scope)
    counts = _predikat_by_opd(session, period.tahun, basis, scope)
    org = _org_predikat(session, period.tahun, basis[1] if basis else 0, [o.id for o in opds])
    rows: list[OpdPredikat] = []
    for o in opds:
        c = counts.get(o.id, dict.fromkeys(Predikat, 0))
        n = sum(c.values())
        label = None
        violations: list[str] = []
        limits = None
        raw = org.get(o.id)
        if raw:
            try:
                op = OrgPredikat.coerce(raw)
                label = op.label
                if n:
                    violations = [v.message for v in check_distribution(op, c)]
                    limits = {p: (lim.min, lim.max) for p, lim in curve_limits(op, n).items()}
            except ScoringError:
                label = str(raw)
        rows.append(OpdPredikat(o.id, o.nama, label, c, violations, limits))
    return rows, basis_label(basis, period.tahun, period.periodik)


def _jpt_rhk(session: Session, periode_id: int | None, scope: set[int] | None) -> Select:
    return (
        select(Rhk.id)
        .join(Skp, Rhk.skp_id == Skp.id)
        .where(
            Skp.periode_id == (periode_id or -1),
            Skp.is_current,
            Skp.is_jpt,
            _in_scope(Skp.opd_id, scope),
        )
    )


def pimpinan_data(session: Session, period: PeriodChoice) -> PimpinanData:
    """Load the regent's view: RPJMD sasaran capaian and trend, the OPD ranking, early
    warnings and the predikat distribution per OPD, in a fixed number of queries.

    Capaian method: the capaian of each JPT RHK is the mean of its IKI capaian (verified
    realisasi, kuantitas cumulated through the year against the annual target); an OPD sasaran
    takes the mean of the JPT RHK linked to it (``parent_sasaran_id``); a regent sasaran takes
    the mean of the OPD sasaran supporting it plus JPT RHK linked to it directly.
    """
    tahun, bulan = period.tahun, period.bulan
    opds = _opd_rows(session)
    rhk_ids = _jpt_rhk(session, period.periode_id, None)
    rhk_rows = session.execute(
        select(
            Rhk.id,
            Rhk.teks,
            Rhk.parent_sasaran_id,
            Skp.opd_id,
            Pegawai.gelar_depan,
            Pegawai.nama,
            Pegawai.gelar_belakang,
        )
        .join(Skp, Rhk.skp_id == Skp.id)
        .join(Pegawai, Skp.pegawai_id == Pegawai.id)
        .where(Rhk.id.in_(rhk_ids))
        .order_by(Rhk.id)
    ).all()
    ikis = _load_iki(session, rhk_ids, tahun, bulan)
    regents = session.execute(
        select(Sasaran.id, Sasaran.kode, Sasaran.teks)
        .where(
            Sasaran.level == "regent",
            Sasaran.jenis == "sasaran",
            Sasaran.tahun_awal <= tahun,
            Sasaran.tahun_akhir >= tahun,
        )
        .order_by(Sasaran.kode, Sasaran.id)
    ).all()
    opd_goals = session.execute(
        select(Sasaran.id, Sasaran.parent_id, Sasaran.supports_id).where(
            Sasaran.level == "opd", Sasaran.tahun_awal <= tahun, Sasaran.tahun_akhir >= tahun
        )
    ).all()
    regent_ids = {r.id for r in regents}
    supports = {g.id: g.supports_id for g in opd_goals}
    parent = {g.id: g.parent_id for g in opd_goals}

    def regent_of_opd_goal(goal_id: int) -> int | None:
        target = supports.get(goal_id)
        if target in regent_ids:
            return target
        up = parent.get(goal_id)
        return supports.get(up) if up is not None and supports.get(up) in regent_ids else None

    goals_of_regent: dict[int, set[int]] = defaultdict(set)
    for g in opd_goals:
        r = regent_of_opd_goal(g.id)
        if r is not None:
            goals_of_regent[r].add(g.id)
    rhk_of_goal: dict[int, list[int]] = defaultdict(list)
    for r in rhk_rows:
        if r.parent_sasaran_id is not None:
            rhk_of_goal[r.parent_sasaran_id].append(r.id)

    def capaian_at(rhk_id: int, month: int) -> Decimal | None:
        return _rhk_capaian(ikis.get(rhk_id, ()), month)

    goals: list[RegentGoal] = []
    for reg in regents:
        direct = rhk_of_goal.get(reg.id, [])
        members = sorted(goals_of_regent.get(reg.id, ()))
        all_rhk = direct + [rid for g in members for rid in rhk_of_goal.get(g, [])]
        trend: list[tuple[int, Decimal | None]] = []
        for month in range(1, bulan + 1):
            parts = [
                mean_capaian(capaian_at(rid, month) for rid in rhk_of_goal.get(g, []))
                for g in members
            ]
            parts += [capaian_at(rid, month) for rid in direct]
            trend.append((month, mean_capaian(parts)))
        with_data = sum(1 for rid in all_rhk if capaian_at(rid, bulan) is not None)
        goals.append(
            RegentGoal(
                id=reg.id,
                kode=reg.kode or "",
                teks=reg.teks,
                capaian=trend[-1][1] if trend else None,
                trend=trend,
                opd_goals=len(members),
                rhk=len(all_rhk),
                rhk_with_data=with_data,
            )
        )

    completion = _skp_completion(session, period.periode_id, None)
    rhk_by_opd: dict[int, list[int]] = defaultdict(list)
    for r in rhk_rows:
        if r.opd_id is not None:
            rhk_by_opd[r.opd_id].append(r.id)
    summaries = []
    for o in opds:
        n, done = completion.get(o.id, (0, 0))
        rids = rhk_by_opd.get(o.id, [])
        summaries.append(
            OpdSummary(
                opd_id=o.id,
                nama=o.nama,
                singkatan=o.singkatan or "",
                wajib_skp=n,
                skp_disetujui=done,
                capaian=mean_capaian(capaian_at(rid, bulan) for rid in rids),
                rhk=len(rids),
            )
        )

    opd_name = {o.id: o.nama for o in opds}
    warnings: list[EarlyWarning] = []
    for r in rhk_rows:
        for data in ikis.get(r.id, ()):
            proj = iki_projection(data.series, bulan)
            if proj is None or not proj.will_miss:
                continue
            warnings.append(
                EarlyWarning(
                    opd=opd_name.get(r.opd_id, "-"),
                    pegawai=full_name(r.gelar_depan, r.nama, r.gelar_belakang),
                    rhk=r.teks,
                    iki=data.teks,
                    satuan=data.satuan,
                    target=data.series.target,
                    realisasi=iki_value_at(data.series, bulan),
                    proyeksi=proj.value,
                    lower_is_better=data.series.lower_is_better,
                )
            )
    warnings.sort(key=lambda w: (w.gap_pct if not w.lower_is_better else -w.gap_pct, w.opd))
    predikat, basis = predikat_rows(session, period, opds, None)
    return PimpinanData(goals, summaries, warnings, predikat, basis)


# --- OPD -------------------------------------------------------------------------------------


@dataclass
class PersonRow:
    """An employee in a list (late, without SKP, without superior …) with one detail."""

    pegawai_id: int
    nama: str
    nip: str | None
    unit: str
    jabatan: str = ""
    detail: str = ""
    opd: str = ""


@dataclass
class OverdueRow:
    superior_id: int | None
    nama: str
    realisasi: int = 0
    aktivitas: int = 0
    oldest: datetime | None = None


@dataclass
class UnitPoints:
    unit_id: int
    nama: str
    pegawai: int = 0
    approved: Decimal = Decimal(0)
    pending: Decimal = Decimal(0)

    @property
    def average(self) -> Decimal:
        return self.approved / self.pegawai if self.pegawai else Decimal(0)


@dataclass
class OpdData:
    opd_id: int
    nama: str
    tree: list[dict]
    rhk_total: int
    rhk_drawn: int
    rhk_with_data: int
    status_counts: dict[str, int]
    wajib: int
    no_skp: list[PersonRow]
    report_tahun: int
    report_bulan: int
    late: list[PersonRow]
    overdue: list[OverdueRow]
    units: list[UnitPoints]
    monthly_target: int
    overdue_days: int

    @property
    def report_label(self) -> str:
        return f"{BULAN[self.report_bulan]} {self.report_tahun}"


def report_month(period: PeriodChoice) -> tuple[int, int]:
    """The month whose realisasi are due: the previous month while the chosen month runs."""
    if period.is_current_month:
        return previous_month(period.tahun, period.bulan)
    return period.tahun, period.bulan


def _month_bounds(tahun: int, bulan: int) -> tuple[date, date]:
    first = date(tahun, bulan, 1)
    nxt = date(tahun + 1, 1, 1) if bulan == 12 else date(tahun, bulan + 1, 1)
    return first, nxt - timedelta(days=1)


TREE_MAX_NODES = 1200  # nodes drawn in a pohon kinerja; deeper levels go to the XLSX


@dataclass
class TreeData:
    nodes: list[dict]
    rhk_total: int
    rhk_drawn: int
    rhk_with_data: int


def _iki_capaian(row: Any, value: Decimal | None) -> Decimal | None:
    if value is None or row.target is None:
        return None
    try:
        return capaian_iki(
            value,
            _dec(row.target),
            target_max=_dec(row.target_max),
            lower_is_better=bool(row.lower_is_better),
        )
    except ScoringError:
        return None


def _rhk_capaian_at(
    session: Session, rhk_ids: list[int], tahun: int, bulan: int
) -> dict[int, Decimal | None]:
    """Return the capaian by ``bulan`` of a bounded list of RHK (three queries)."""
    if not rhk_ids:
        return {}
    iki_rows = _rows(
        session,
        select(Iki.id, Iki.rhk_id, Iki.target, Iki.target_max, Iki.lower_is_better).where(
            Iki.rhk_id.in_(rhk_ids)
        ),
    )
    values = _capaian_values_at(
        session, select(Iki.id).where(Iki.rhk_id.in_(rhk_ids)), tahun, bulan
    )
    per_rhk: dict[int, list[Decimal | None]] = defaultdict(list)
    for r in iki_rows:
        per_rhk[r.rhk_id].append(_iki_capaian(r, values.get(r.id)))
    return {rid: mean_capaian(per_rhk.get(rid, ())) for rid in rhk_ids}


def _tree_nodes(session: Session, period: PeriodChoice, opd_id: int) -> TreeData:
    """Return the OPD's pohon kinerja as plain nodes with capaian.

    Sasaran OPD → RHK linked to them (JPT) → RHK intervening those, level by level. Only the
    top levels are drawn when the OPD has more than :data:`TREE_MAX_NODES` nodes (a school
    office has thousands of teachers); the capaian of a drawn RHK is its own, a goal takes the
    mean of its drawn children.
    """
    tahun, bulan = period.tahun, period.bulan
    goals = _rows(
        session,
        select(Sasaran.id, Sasaran.kode, Sasaran.teks, Sasaran.parent_id, Sasaran.jenis)
        .where(
            Sasaran.level == "opd",
            Sasaran.opd_id == opd_id,
            Sasaran.tahun_awal <= tahun,
            Sasaran.tahun_akhir >= tahun,
        )
        .order_by(Sasaran.kode, Sasaran.id),
    )
    # The structure first (ids only); texts and owners for the drawn nodes afterwards.
    rows = _rows(
        session,
        select(Rhk.id, Rhk.parent_rhk_id, Rhk.parent_sasaran_id)
        .join(Skp, Rhk.skp_id == Skp.id)
        .where(
            Skp.periode_id == (period.periode_id or -1),
            Skp.is_current,
            Skp.opd_id == opd_id,
        )
        .order_by(Rhk.id),
    )
    goal_ids = {g.id for g in goals}
    rhk_set = {r.id for r in rows}
    nodes: dict[str, dict] = {}
    for g in goals:
        parent = f"og:{g.parent_id}" if g.parent_id in goal_ids and g.parent_id != g.id else None
        nodes[f"og:{g.id}"] = {
            "id": f"og:{g.id}",
            "parent": parent,
            "label": f"{g.kode} {g.teks}".strip(),
            "capaian": None,
            "kind": "Sasaran OPD" if g.jenis == "sasaran" else "Tujuan OPD",
            "owner": "",
        }
    for r in rows:
        if r.parent_rhk_id in rhk_set and r.parent_rhk_id != r.id:
            parent = f"rhk:{r.parent_rhk_id}"
        elif r.parent_sasaran_id in goal_ids:
            parent = f"og:{r.parent_sasaran_id}"
        else:
            parent = "lepas"
        nodes[f"rhk:{r.id}"] = {
            "id": f"rhk:{r.id}",
            "parent": parent,
            "label": "",
            "capaian": None,
            "kind": "RHK",
            "owner": "",
        }
    group = {
        "id": "lepas",
        "parent": None,
        "label": "RHK belum terhubung ke sasaran OPD",
        "capaian": None,
        "kind": "Kelompok",
        "owner": "",
    }
    children: dict[str, list[str]] = defaultdict(list)
    for node in nodes.values():
        if node["parent"]:
            children[node["parent"]].append(node["id"])
    # Breadth-first levels. Unlinked RHK (and the first node of a loop of links) hang under
    # the "lepas" group, so every node is reached exactly once.
    levels: list[list[str]] = [[n for n, v in nodes.items() if not v["parent"]]]
    seen = set(levels[0])
    while True:
        nxt = [c for n in levels[-1] for c in children.get(n, ()) if c not in seen]
        if not nxt:
            unreached = [n for n in nodes if n not in seen]
            if not unreached:
                break
            heads = [n for n in unreached if nodes[n]["parent"] not in nodes] or unreached[:1]
            for n in heads:
                nodes[n]["parent"] = "lepas"
            if "lepas" not in nodes:
                nodes["lepas"] = group
                levels[0].append("lepas")
                seen.add("lepas")
            children["lepas"] = list(dict.fromkeys([*children.get("lepas", []), *heads]))
            nxt = heads
        seen.update(nxt)
        levels.append(nxt)
    drawn: list[str] = []
    for depth, level in enumerate(levels):
        room = TREE_MAX_NODES - len(drawn)
        if len(level) <= room:
            drawn.extend(level)
        else:
            if depth <= 1:
                drawn.extend(level[:room])
            break
    shown = set(drawn)
    rhk_drawn = [int(n[4:]) for n in drawn if n.startswith("rhk:")]
    if rhk_drawn:
        for r in _rows(
            session,
            select(
                Rhk.id,
                Rhk.teks,
                Rhk.jenis,
                Pegawai.gelar_depan,
                Pegawai.nama,
                Pegawai.gelar_belakang,
            )
            .join(Skp, Rhk.skp_id == Skp.id)
            .join(Pegawai, Skp.pegawai_id == Pegawai.id)
            .where(Rhk.id.in_(rhk_drawn)),
        ):
            node = nodes[f"rhk:{r.id}"]
            node["label"] = r.teks
            node["kind"] = "RHK utama" if r.jenis == "utama" else "RHK tambahan"
            node["owner"] = full_name(r.gelar_depan, r.nama, r.gelar_belakang)
    capaian = _rhk_capaian_at(session, rhk_drawn, tahun, bulan)
    for rid, value in capaian.items():
        nodes[f"rhk:{rid}"]["capaian"] = value
    for node_id in reversed(drawn):
        if not node_id.startswith("rhk:"):
            nodes[node_id]["capaian"] = mean_capaian(
                nodes[c]["capaian"] for c in children.get(node_id, []) if c in shown
            )
    with_data = sum(1 for v in capaian.values() if v is not None)
    return TreeData([nodes[n] for n in drawn], len(rows), len(rhk_drawn), with_data)


def opd_data(
    session: Session, period: PeriodChoice, opd_id: int, settings: DashboardSettings
) -> OpdData | None:
    """Load the dashboard of one OPD: pohon kinerja by capaian, SKP completion, late
    realisasi, overdue approvals per superior and activity points per bidang."""
    opd = session.execute(
        select(UnitOrganisasi.id, UnitOrganisasi.nama).where(
            UnitOrganisasi.id == opd_id, UnitOrganisasi.is_opd
        )
    ).first()
    if opd is None:
        return None
    tree = _tree_nodes(session, period, opd_id)

    current_skp = and_(
        Skp.pegawai_id == Pegawai.id,
        Skp.periode_id == (period.periode_id or -1),
        Skp.is_current,
    )
    in_opd = and_(_must_have_skp(), UnitOrganisasi.opd_id == opd_id)
    # Counts by SKP status and by unit are aggregated by the database; only the people without
    # an SKP are listed (an education office has thousands of employees).
    status_counts = dict.fromkeys(SKP_BOARD_STATUS, 0)
    per_unit: dict[int | None, int] = defaultdict(int)
    for unit_id, status, n in _rows(
        session,
        select(Pegawai.unit_id, Skp.status, func.count(Pegawai.id))
        .join(UnitOrganisasi, Pegawai.unit_id == UnitOrganisasi.id)
        .outerjoin(Skp, current_skp)
        .where(in_opd)
        .group_by(Pegawai.unit_id, Skp.status),
    ):
        key = status or "belum"
        status_counts[key] = status_counts.get(key, 0) + int(n)
        per_unit[unit_id] += int(n)
    no_skp = [
        PersonRow(
            p.id,
            full_name(p.gelar_depan, p.nama, p.gelar_belakang),
            p.nip,
            p.unit,
            p.jabatan or "",
            "Belum membuat SKP",
        )
        for p in _rows(
            session,
            select(
                Pegawai.id,
                Pegawai.gelar_depan,
                Pegawai.nama,
                Pegawai.gelar_belakang,
                Pegawai.nip,
                UnitOrganisasi.nama.label("unit"),
                Jabatan.nama.label("jabatan"),
            )
            .join(UnitOrganisasi, Pegawai.unit_id == UnitOrganisasi.id)
            .outerjoin(Jabatan, Pegawai.jabatan_id == Jabatan.id)
            .outerjoin(Skp, current_skp)
            .where(in_opd, Skp.id.is_(None))
            .order_by(UnitOrganisasi.nama, Pegawai.nama, Pegawai.id),
        )
    ]

    rt, rb = report_month(period)
    first, last = _month_bounds(rt, rb)
    penilai = aliased(Pegawai)
    entered = func.count(Realisasi.id)
    late_rows = _rows(
        session,
        select(
            Pegawai.id,
            Pegawai.gelar_depan,
            Pegawai.nama,
            Pegawai.gelar_belakang,
            Pegawai.nip,
            UnitOrganisasi.nama.label("unit"),
            penilai.gelar_depan.label("p_depan"),
            penilai.nama.label("p_nama"),
            penilai.gelar_belakang.label("p_belakang"),
        )
        .select_from(Skp)
        .join(Periode, Skp.periode_id == Periode.id)
        .join(Pegawai, Skp.pegawai_id == Pegawai.id)
        .outerjoin(UnitOrganisasi, Pegawai.unit_id == UnitOrganisasi.id)
        .outerjoin(penilai, Skp.penilai_pegawai_id == penilai.id)
        .outerjoin(
            Realisasi,
            and_(
                Realisasi.skp_id == Skp.id,
                Realisasi.tahun == rt,
                Realisasi.bulan == rb,
                Realisasi.status.in_(ENTERED),
            ),
        )
        .where(
            Periode.tahun == rt,
            Skp.is_current,
            Skp.status == "disetujui",
            Skp.opd_id == opd_id,
            Skp.tanggal_mulai <= last,
            Skp.tanggal_selesai >= first,
            _must_have_skp(),
        )
        .group_by(
            Pegawai.id,
            Pegawai.gelar_depan,
            Pegawai.nama,
            Pegawai.gelar_belakang,
            Pegawai.nip,
            UnitOrganisasi.nama,
            penilai.gelar_depan,
            penilai.nama,
            penilai.gelar_belakang,
        )
        .having(entered == 0)
        .order_by(Pegawai.nama, Pegawai.id),
    )
    late = [
        PersonRow(
            r.id,
            full_name(r.gelar_depan, r.nama, r.gelar_belakang),
            r.nip,
            r.unit or "",
            detail=full_name(r.p_depan, r.p_nama, r.p_belakang) if r.p_nama else "-",
        )
        for r in late_rows
    ]

    cutoff = utcnow() - timedelta(days=settings.overdue_days)
    overdue: dict[int | None, OverdueRow] = {}
    for sup, n, oldest in session.execute(
        select(Skp.penilai_pegawai_id, func.count(Realisasi.id), func.min(Realisasi.updated_at))
        .join(Skp, Realisasi.skp_id == Skp.id)
        .where(
            Skp.opd_id == opd_id,
            Realisasi.status == "diajukan",
            Realisasi.updated_at < cutoff,
        )
        .group_by(Skp.penilai_pegawai_id)
    ):
        row = overdue.setdefault(sup, OverdueRow(sup, ""))
        row.realisasi += int(n)
        row.oldest = oldest if row.oldest is None else min(row.oldest, oldest)
    owner = aliased(Pegawai)
    owner_unit = aliased(UnitOrganisasi)
    for sup, n, oldest in session.execute(
        select(
            Aktivitas.approver_pegawai_id, func.count(Aktivitas.id), func.min(Aktivitas.updated_at)
        )
        .join(owner, Aktivitas.pegawai_id == owner.id)
        .join(owner_unit, owner.unit_id == owner_unit.id)
        .where(
            owner_unit.opd_id == opd_id,
            Aktivitas.status == "diajukan",
            Aktivitas.updated_at < cutoff,
        )
        .group_by(Aktivitas.approver_pegawai_id)
    ):
        row = overdue.setdefault(sup, OverdueRow(sup, ""))
        row.aktivitas += int(n)
        row.oldest = oldest if row.oldest is None else min(row.oldest, oldest)
    sup_ids = [k for k in overdue if k is not None]
    if sup_ids:
        for pid, depan, nama, belakang in session.execute(
            select(Pegawai.id, Pegawai.gelar_depan, Pegawai.nama, Pegawai.gelar_belakang).where(
                Pegawai.id.in_(sup_ids)
            )
        ):
            overdue[pid].nama = full_name(depan, nama, belakang)
    for row in overdue.values():
        if not row.nama:
            row.nama = "Atasan belum ditetapkan"
    overdue_rows = sorted(overdue.values(), key=lambda r: (-(r.realisasi + r.aktivitas), r.nama))

    units = session.execute(
        select(UnitOrganisasi.id, UnitOrganisasi.nama, UnitOrganisasi.parent_id).where(
            UnitOrganisasi.opd_id == opd_id
        )
    ).all()
    parent_of = {u.id: u.parent_id for u in units}
    unit_name = {u.id: u.nama for u in units}
    unit_name[opd_id] = f"{opd.nama} (pimpinan dan staf langsung)"
    points: dict[int, UnitPoints] = {}

    def bucket(unit_id: int | None) -> UnitPoints:
        key = bidang_of(parent_of, opd_id, unit_id)
        return points.setdefault(key, UnitPoints(key, unit_name.get(key, "-")))

    for unit_id, n in per_unit.items():
        bucket(unit_id).pegawai += n
    first_m, last_m = _month_bounds(period.tahun, period.bulan)
    for unit_id, status, total in session.execute(
        select(Pegawai.unit_id, Aktivitas.status, func.coalesce(func.sum(Aktivitas.poin), 0))
        .join(Pegawai, Aktivitas.pegawai_id == Pegawai.id)
        .join(UnitOrganisasi, Pegawai.unit_id == UnitOrganisasi.id)
        .where(
            UnitOrganisasi.opd_id == opd_id,
            _must_have_skp(),
            Aktivitas.tanggal.between(first_m, last_m),
            Aktivitas.status.in_(("diajukan", "disetujui")),
        )
        .group_by(Pegawai.unit_id, Aktivitas.status)
    ):
        b = bucket(unit_id)
        if status == "disetujui":
            b.approved += Decimal(str(total))
        else:
            b.pending += Decimal(str(total))
    unit_rows = sorted(
        (u for u in points.values() if u.pegawai), key=lambda u: (u.unit_id != opd_id, u.nama)
    )
    return OpdData(
        opd_id=opd.id,
        nama=opd.nama,
        tree=tree.nodes,
        rhk_total=tree.rhk_total,
        rhk_drawn=tree.rhk_drawn,
        rhk_with_data=tree.rhk_with_data,
        status_counts=status_counts,
        wajib=sum(status_counts.values()),
        no_skp=no_skp,
        report_tahun=rt,
        report_bulan=rb,
        late=late,
        overdue=overdue_rows,
        units=unit_rows,
        monthly_target=settings.monthly_points,
        overdue_days=settings.overdue_days,
    )


# --- pegawai ---------------------------------------------------------------------------------


@dataclass
class TargetRow:
    rhk: str
    jenis: str
    iki: str
    aspek: str
    target: str
    bulan_nilai: Decimal | None
    bulan_status: str | None
    kumulatif: Decimal | None
    capaian: Decimal | None


@dataclass
class PegawaiData:
    skp_id: int | None
    skp_status: str | None
    targets: list[TargetRow]
    today_approved: Decimal
    today_pending: Decimal
    month_approved: Decimal
    month_pending: Decimal
    daily_target: int
    monthly_target: int
    inbox: dict[str, int]
    history: list[tuple[str, str]]

    @property
    def skp_status_label(self) -> str:
        return SKP_BOARD_STATUS.get(self.skp_status or "belum", self.skp_status or "")


def evaluation_label(tahun: int, jenis: str, periode_ke: int, periodik: str) -> str:
    """Name an evaluation period: ``Tahunan 2026``, ``Triwulan II 2026``, ``Maret 2026``."""
    if jenis == "tahunan":
        return f"Tahunan {tahun}"
    if periodik == "bulanan" and 1 <= periode_ke <= 12:
        return f"{BULAN[periode_ke]} {tahun}"
    roman = {1: "I", 2: "II", 3: "III", 4: "IV"}.get(periode_ke, str(periode_ke))
    return f"Triwulan {roman} {tahun}"


def _periodik_by_year(session: Session) -> dict[int, str]:
    return {t: p or "triwulan" for t, p in session.execute(select(Periode.tahun, Periode.periodik))}


def pegawai_data(
    session: Session, period: PeriodChoice, pegawai_id: int, settings: DashboardSettings
) -> PegawaiData:
    """Load an employee's own view: targets and progress this month, points today and this
    month against the targets, what waits for their decision, and their predikat history."""
    skp = session.execute(
        select(Skp.id, Skp.status).where(
            Skp.pegawai_id == pegawai_id,
            Skp.periode_id == (period.periode_id or -1),
            Skp.is_current,
        )
    ).first()
    targets: list[TargetRow] = []
    if skp is not None:
        rows = session.execute(
            select(
                Rhk.teks,
                Rhk.jenis,
                Iki.id,
                Iki.teks.label("iki"),
                Iki.aspek,
                Iki.satuan,
                Iki.target,
                Iki.target_max,
                Iki.target_teks,
                Iki.lower_is_better,
            )
            .join(Iki, Iki.rhk_id == Rhk.id)
            .where(Rhk.skp_id == skp.id)
            .order_by(Rhk.jenis.desc(), Rhk.urutan, Rhk.id, Iki.urutan, Iki.id)
        ).all()
        real: dict[int, dict[int, tuple[Decimal | None, str]]] = defaultdict(dict)
        for iki_id, month, nilai, status in session.execute(
            select(Realisasi.iki_id, Realisasi.bulan, Realisasi.nilai, Realisasi.status).where(
                Realisasi.skp_id == skp.id,
                Realisasi.tahun == period.tahun,
                Realisasi.bulan <= period.bulan,
            )
        ):
            real[iki_id][month] = (_dec(nilai), status)
        for r in rows:
            entries = real.get(r.id, {})
            series = IkiSeries(
                r.id,
                r.aspek or "kuantitas",
                _dec(r.target),
                _dec(r.target_max),
                bool(r.lower_is_better),
                {m: v for m, (v, s) in entries.items() if s in VERIFIED and v is not None},
            )
            now = entries.get(period.bulan)
            targets.append(
                TargetRow(
                    rhk=r.teks,
                    jenis=r.jenis,
                    iki=r.iki,
                    aspek=r.aspek or "",
                    target=target_text_of(r),
                    bulan_nilai=now[0] if now else None,
                    bulan_status=now[1] if now else None,
                    kumulatif=iki_value_at(series, period.bulan),
                    capaian=iki_capaian_at(series, period.bulan),
                )
            )

    today = period.today
    first, last = _month_bounds(today.year, today.month)
    is_today = case((Aktivitas.tanggal == today, 1), else_=0)
    totals: dict[tuple[int, str], Decimal] = {}
    for flag, status, total in session.execute(
        select(is_today, Aktivitas.status, func.coalesce(func.sum(Aktivitas.poin), 0))
        .where(
            Aktivitas.pegawai_id == pegawai_id,
            Aktivitas.tanggal.between(first, last),
            Aktivitas.status.in_(("diajukan", "disetujui")),
        )
        .group_by(is_today, Aktivitas.status)
    ):
        totals[(int(flag), status)] = Decimal(str(total))
    zero = Decimal(0)

    def pts(today_only: bool, status: str) -> Decimal:
        value = totals.get((1, status), zero)
        return value if today_only else value + totals.get((0, status), zero)

    owner = aliased(Pegawai)
    skp_inbox = (
        select(func.count(Skp.id))
        .where(
            Skp.penilai_pegawai_id == pegawai_id,
            Skp.status == "diajukan",
            Skp.is_current,
            Skp.pegawai_id != pegawai_id,
        )
        .scalar_subquery()
    )
    realisasi_inbox = (
        select(func.count(Realisasi.id))
        .join(Skp, Realisasi.skp_id == Skp.id)
        .where(
            Skp.penilai_pegawai_id == pegawai_id,
            Realisasi.status == "diajukan",
            Skp.pegawai_id != pegawai_id,
        )
        .scalar_subquery()
    )
    aktivitas_inbox = (
        select(func.count(Aktivitas.id))
        .join(owner, Aktivitas.pegawai_id == owner.id)
        .where(
            Aktivitas.status == "diajukan",
            Aktivitas.pegawai_id != pegawai_id,
            or_(
                Aktivitas.approver_pegawai_id == pegawai_id,
                and_(
                    owner.atasan_override_id == pegawai_id,
                    owner.atasan_override_jenis.in_(("plt", "plh")),
                ),
            ),
        )
        .scalar_subquery()
    )
    counts = session.execute(select(skp_inbox, realisasi_inbox, aktivitas_inbox)).one()
    periodik = _periodik_by_year(session)
    history = [
        (
            evaluation_label(t, jenis, ke, periodik.get(t, "triwulan")),
            _predikat_label(predikat),
        )
        for t, jenis, ke, predikat in session.execute(
            select(Evaluasi.tahun, Evaluasi.jenis, Evaluasi.periode_ke, Evaluasi.predikat)
            .join(Skp, Evaluasi.skp_id == Skp.id)
            .where(Skp.pegawai_id == pegawai_id, Evaluasi.status == "final")
            .order_by(Evaluasi.tahun, Evaluasi.jenis.desc(), Evaluasi.periode_ke)
        )
    ]
    return PegawaiData(
        skp_id=skp.id if skp else None,
        skp_status=skp.status if skp else None,
        targets=targets,
        today_approved=pts(True, "disetujui"),
        today_pending=pts(True, "diajukan"),
        month_approved=pts(False, "disetujui"),
        month_pending=pts(False, "diajukan"),
        daily_target=settings.daily_points,
        monthly_target=settings.monthly_points,
        inbox={"skp": int(counts[0]), "realisasi": int(counts[1]), "aktivitas": int(counts[2])},
        history=history,
    )


def target_text_of(row: Any) -> str:
    return target_text(_dec(row.target), _dec(row.target_max), row.satuan or "", row.target_teks)


def _predikat_label(value: int | None) -> str:
    if value is None:
        return "-"
    predikat = PREDIKAT_BY_ID.get(value)
    return predikat.label if predikat is not None else str(value)


# --- HR --------------------------------------------------------------------------------------


@dataclass
class SyncRunRow:
    id: int
    source: str
    status: str
    status_label: str
    created_at: datetime | None
    changes: int
    quarantined: int


@dataclass
class UnitIssue:
    unit_id: int
    nama: str
    opd: str
    detail: str


@dataclass
class PositionIssue:
    jabatan_id: int
    nama: str
    jenis: str
    unit: str
    opd: str
    kebutuhan: int


@dataclass
class HrData:
    runs: list[SyncRunRow]
    sync_available: bool
    without_skp: list[PersonRow]
    blocked: list[PersonRow]
    no_superior: list[PersonRow]
    units_without_head: list[UnitIssue]
    vacant: list[PositionIssue]

    @property
    def latest_quarantine(self) -> int:
        return self.runs[0].quarantined if self.runs else 0


def _sync_models():
    try:
        from skp_app.sync.models import QuarantinedRecord, SyncRun
    except ImportError:  # the sync domain is optional
        return None
    return SyncRun, QuarantinedRecord


def _sync_runs(session: Session, limit: int = 10) -> tuple[list[SyncRunRow], bool]:
    models = _sync_models()
    if models is None:
        return [], False
    SyncRun, QuarantinedRecord = models  # noqa: N806
    runs = list(session.scalars(select(SyncRun).order_by(SyncRun.id.desc()).limit(limit)))
    quarantined: dict[int, int] = {}
    if runs:
        quarantined = dict(
            session.execute(
                select(QuarantinedRecord.run_id, func.count())
                .where(QuarantinedRecord.run_id.in_([r.id for r in runs]))
                .group_by(QuarantinedRecord.run_id)
            ).all()
        )
    rows = [
        SyncRunRow(
            id=r.id,
            source=r.source,
            status=r.status,
            status_label=r.status_label,
            created_at=r.created_at,
            changes=r.pending_changes,
            quarantined=int(quarantined.get(r.id, r.quarantined)),
        )
        for r in runs
    ]
    return rows, True


def _person_columns(opd_unit):
    return (
        Pegawai.id,
        Pegawai.gelar_depan,
        Pegawai.nama,
        Pegawai.gelar_belakang,
        Pegawai.nip,
        UnitOrganisasi.nama.label("unit"),
        Jabatan.nama.label("jabatan"),
        opd_unit.nama.label("opd"),
    )


def _person(r: Any, detail: str = "") -> PersonRow:
    return PersonRow(
        r.id,
        full_name(r.gelar_depan, r.nama, r.gelar_belakang),
        r.nip,
        r.unit or "",
        r.jabatan or "",
        detail,
        r.opd or "",
    )


def hr_data(session: Session, period: PeriodChoice, scope: set[int] | None = None) -> HrData:
    """Load the HR view: recent sync runs with quarantine counts, employees without an SKP or
    with a blocked cascade, and data quality (no superior, units without a head, vacant
    positions)."""
    runs, available = _sync_runs(session)
    opd_unit = aliased(UnitOrganisasi)
    base = (
        select(*_person_columns(opd_unit))
        .select_from(Pegawai)
        .join(UnitOrganisasi, Pegawai.unit_id == UnitOrganisasi.id)
        .outerjoin(opd_unit, UnitOrganisasi.opd_id == opd_unit.id)
        .outerjoin(Jabatan, Pegawai.jabatan_id == Jabatan.id)
    )
    without = _rows(
        session,
        base.outerjoin(
            Skp,
            and_(
                Skp.pegawai_id == Pegawai.id,
                Skp.periode_id == (period.periode_id or -1),
                Skp.is_current,
            ),
        )
        .where(_must_have_skp(), Skp.id.is_(None), _in_scope(UnitOrganisasi.opd_id, scope))
        .order_by(opd_unit.nama, Pegawai.nama, Pegawai.id),
    )
    without_skp = [_person(r, "Belum membuat SKP") for r in without]

    flagged = select(Rhk.id).where(Rhk.skp_id == Skp.id, Rhk.link_flag.is_not(None)).exists()
    blocked_rows = _rows(
        session,
        base.add_columns(flagged.label("flagged"), Skp.penilai_pegawai_id)
        .join(Skp, Skp.pegawai_id == Pegawai.id)
        .where(
            Skp.periode_id == (period.periode_id or -1),
            Skp.is_current,
            or_(flagged, Skp.penilai_pegawai_id.is_(None)),
            _in_scope(UnitOrganisasi.opd_id, scope),
        )
        .order_by(opd_unit.nama, Pegawai.nama, Pegawai.id),
    )
    blocked = []
    for r in blocked_rows:
        reasons = []
        if r.flagged:
            reasons.append("Tautan RHK perlu diperbaiki setelah perubahan atasan")
        if r.penilai_pegawai_id is None:
            reasons.append("Pejabat penilai belum ditetapkan")
        blocked.append(_person(r, "; ".join(reasons)))

    active = _rows(
        session,
        base.add_columns(Jabatan.jenis.label("jabatan_jenis"))
        .where(
            Pegawai.kedudukan_hukum_id.in_(ACTIVE_KEDUDUKAN),
            Pegawai.jenis_asn.in_(SKP_ASN),
            _in_scope(UnitOrganisasi.opd_id, scope),
        )
        .order_by(opd_unit.nama, Pegawai.nama, Pegawai.id),
    )
    sup = superior_map(session)
    no_superior = [
        _person(r, "Atasan langsung tidak ditemukan di pohon jabatan")
        for r in active
        if sup.get(r.id) is None and r.jabatan_jenis != "kepala_daerah"
    ]

    units = session.execute(
        select(UnitOrganisasi.id, UnitOrganisasi.nama, opd_unit.nama.label("opd"))
        .outerjoin(opd_unit, UnitOrganisasi.opd_id == opd_unit.id)
        .where(UnitOrganisasi.is_active, _in_scope(UnitOrganisasi.opd_id, scope))
        .order_by(opd_unit.nama, UnitOrganisasi.nama)
    ).all()
    holder = and_(
        Pegawai.jabatan_id == Jabatan.id, Pegawai.kedudukan_hukum_id.in_(ACTIVE_KEDUDUKAN)
    )
    heads = dict(
        session.execute(
            select(Jabatan.unit_id, func.count(Pegawai.id))
            .outerjoin(Pegawai, holder)
            .where(Jabatan.is_kepala_unit)
            .group_by(Jabatan.unit_id)
        ).all()
    )
    units_without_head = [
        UnitIssue(
            u.id,
            u.nama,
            u.opd or "",
            "Belum ada jabatan kepala unit" if u.id not in heads else "Jabatan kepala unit kosong",
        )
        for u in units
        if not heads.get(u.id)
    ]
    vacant_rows = session.execute(
        select(
            Jabatan.id,
            Jabatan.nama,
            Jabatan.jenis,
            Jabatan.kebutuhan,
            UnitOrganisasi.nama.label("unit"),
            opd_unit.nama.label("opd"),
        )
        .join(UnitOrganisasi, Jabatan.unit_id == UnitOrganisasi.id)
        .outerjoin(opd_unit, UnitOrganisasi.opd_id == opd_unit.id)
        .outerjoin(Pegawai, holder)
        .where(UnitOrganisasi.is_active, _in_scope(UnitOrganisasi.opd_id, scope))
        .group_by(
            Jabatan.id,
            Jabatan.nama,
            Jabatan.jenis,
            Jabatan.kebutuhan,
            UnitOrganisasi.nama,
            opd_unit.nama,
        )
        .having(func.count(Pegawai.id) == 0)
        .order_by(opd_unit.nama, UnitOrganisasi.nama, Jabatan.nama)
    ).all()
    vacant = [
        PositionIssue(
            r.id,
            r.nama,
            JABATAN_JENIS.get(r.jenis, (r.jenis, 5))[0],
            r.unit,
            r.opd or "",
            r.kebutuhan or 1,
        )
        for r in vacant_rows
    ]
    return HrData(runs, available, without_skp, blocked, no_superior, units_without_head, vacant)


# --- monitoring pengisian --------------------------------------------------------------------

STAGES: dict[str, str] = {
    "skp_disusun": "SKP disusun",
    "skp_diajukan": "SKP diajukan",
    "skp_disetujui": "SKP disetujui",
    "realisasi_diisi": "Realisasi bulan diisi",
    "realisasi_terverifikasi": "Realisasi bulan terverifikasi",
    "dievaluasi": "Evaluasi periodik final",
}


@dataclass
class PengisianPerson:
    pegawai_id: int
    nama: str
    nip: str | None
    opd_id: int | None
    opd: str
    unit_id: int | None
    unit: str
    jabatan: str
    skp_id: int | None
    skp_status: str | None
    realisasi_diisi: int
    realisasi_terverifikasi: int
    evaluasi_id: int | None
    predikat: int | None
    stages: dict[str, bool]

    @property
    def skp_status_label(self) -> str:
        return SKP_BOARD_STATUS.get(self.skp_status or "belum", self.skp_status or "")

    @property
    def predikat_label(self) -> str:
        return _predikat_label(self.predikat) if self.predikat is not None else "-"


@dataclass
class MatrixRow:
    opd_id: int
    nama: str
    total: int
    done: dict[str, int]

    def pct(self, stage: str) -> Decimal | None:
        return Decimal(self.done[stage] * 100) / self.total if self.total else None


def pengisian_people(
    session: Session,
    period: PeriodChoice,
    scope: set[int] | None,
    *,
    opd_id: int | None = None,
) -> list[PengisianPerson]:
    """Return every employee owing an SKP in scope with the stages they have reached for the
    chosen month, in three queries."""
    opd_unit = aliased(UnitOrganisasi)
    cond = [_must_have_skp(), _in_scope(UnitOrganisasi.opd_id, scope)]
    if opd_id is not None:
        cond.append(UnitOrganisasi.opd_id == opd_id)
    rows = _rows(
        session,
        select(
            Pegawai.id,
            Pegawai.gelar_depan,
            Pegawai.nama,
            Pegawai.gelar_belakang,
            Pegawai.nip,
            UnitOrganisasi.opd_id,
            opd_unit.nama.label("opd"),
            UnitOrganisasi.id.label("unit_id"),
            UnitOrganisasi.nama.label("unit"),
            Jabatan.nama.label("jabatan"),
            Skp.id.label("skp_id"),
            Skp.status,
        )
        .select_from(Pegawai)
        .join(UnitOrganisasi, Pegawai.unit_id == UnitOrganisasi.id)
        .outerjoin(opd_unit, UnitOrganisasi.opd_id == opd_unit.id)
        .outerjoin(Jabatan, Pegawai.jabatan_id == Jabatan.id)
        .outerjoin(
            Skp,
            and_(
                Skp.pegawai_id == Pegawai.id,
                Skp.periode_id == (period.periode_id or -1),
                Skp.is_current,
            ),
        )
        .where(*cond)
        .order_by(opd_unit.nama, UnitOrganisasi.nama, Pegawai.nama, Pegawai.id),
    )
    skp_ids = (
        select(Skp.id)
        .join(Pegawai, Skp.pegawai_id == Pegawai.id)
        .join(UnitOrganisasi, Pegawai.unit_id == UnitOrganisasi.id)
        .where(
            Skp.periode_id == (period.periode_id or -1),
            Skp.is_current,
            *cond,
        )
    )
    verified = case((Realisasi.status == "terverifikasi", 1), else_=0)
    real = {
        skp_id: (int(n), int(v))
        for skp_id, n, v in _rows(
            session,
            select(Realisasi.skp_id, func.count(Realisasi.id), func.coalesce(func.sum(verified), 0))
            .where(
                Realisasi.skp_id.in_(skp_ids),
                Realisasi.tahun == period.tahun,
                Realisasi.bulan == period.bulan,
                Realisasi.status.in_(ENTERED),
            )
            .group_by(Realisasi.skp_id),
        )
    }
    evals = {
        skp_id: (eid, predikat)
        for skp_id, eid, predikat in _rows(
            session,
            select(Evaluasi.skp_id, Evaluasi.id, Evaluasi.predikat).where(
                Evaluasi.skp_id.in_(skp_ids),
                Evaluasi.tahun == period.tahun,
                Evaluasi.jenis == "periodik",
                Evaluasi.periode_ke == period.evaluation_period,
                Evaluasi.status == "final",
            ),
        )
    }
    out: list[PengisianPerson] = []
    for r in rows:
        n, v = real.get(r.skp_id, (0, 0)) if r.skp_id else (0, 0)
        ev = evals.get(r.skp_id) if r.skp_id else None
        status = r.status
        stages = {
            "skp_disusun": r.skp_id is not None,
            "skp_diajukan": status in ("diajukan", "disetujui"),
            "skp_disetujui": status == "disetujui",
            "realisasi_diisi": n > 0,
            "realisasi_terverifikasi": n > 0 and v == n,
            "dievaluasi": ev is not None,
        }
        out.append(
            PengisianPerson(
                pegawai_id=r.id,
                nama=full_name(r.gelar_depan, r.nama, r.gelar_belakang),
                nip=r.nip,
                opd_id=r.opd_id,
                opd=r.opd or "",
                unit_id=r.unit_id,
                unit=r.unit or "",
                jabatan=r.jabatan or "",
                skp_id=r.skp_id,
                skp_status=status,
                realisasi_diisi=n,
                realisasi_terverifikasi=v,
                evaluasi_id=ev[0] if ev else None,
                predikat=ev[1] if ev else None,
                stages=stages,
            )
        )
    return out


def pengisian_matrix(
    people: Iterable[PengisianPerson], opds: Iterable[tuple[int, str]]
) -> list[MatrixRow]:
    """Aggregate the people into the OPD × stage matrix (every OPD in ``opds`` gets a row)."""
    rows = {oid: MatrixRow(oid, nama, 0, dict.fromkeys(STAGES, 0)) for oid, nama in opds}
    for p in people:
        row = rows.get(p.opd_id)
        if row is None:
            continue
        row.total += 1
        for stage, ok in p.stages.items():
            row.done[stage] += ok
    return list(rows.values())


# --- workload --------------------------------------------------------------------------------


@dataclass
class WorkloadRow:
    key: int
    label: str
    parent: str
    pegawai: int = 0
    melapor: int = 0
    menit: int = 0
    kapasitas: int = 0

    @property
    def ratio(self) -> Decimal | None:
        return Decimal(self.menit) / self.kapasitas if self.kapasitas else None

    @property
    def band(self) -> str:
        return workload_band(self.ratio)


@dataclass
class WorkloadPerson:
    pegawai_id: int
    nama: str
    nip: str | None
    opd: str
    unit: str
    jabatan: str
    menit: int
    aktivitas: int
    kapasitas: int

    @property
    def ratio(self) -> Decimal | None:
        return Decimal(self.menit) / self.kapasitas if self.kapasitas else None

    @property
    def band(self) -> str:
        return workload_band(self.ratio)


@dataclass
class WorkloadData:
    level: str  # "opd" (one row per OPD) or "unit" (bidang of one OPD)
    rows: list[WorkloadRow]
    people: list[WorkloadPerson]
    hari_kerja: int
    menit_harian: int
    until: date | None

    @property
    def kapasitas_per_pegawai(self) -> int:
        return self.hari_kerja * self.menit_harian


def workload_data(
    session: Session,
    period: PeriodChoice,
    settings: DashboardSettings,
    scope: set[int] | None,
    *,
    opd_id: int | None = None,
) -> WorkloadData:
    """Compare APPROVED activity minutes with the working minutes available in the month,
    per OPD (or per bidang of one OPD) and per employee, in three or four queries.

    Available minutes per employee = working days (Monday–Friday minus ``hari_libur``; up to
    today in the running month) × ``daily_effective_minutes`` (default 300).
    """
    today = period.today
    first, last = _month_bounds(period.tahun, period.bulan)
    until = today if first <= today <= last else None
    if first > today:
        days = 0
    else:
        days = working_days(period.tahun, period.bulan, settings.holidays, until=until)
    capacity = days * settings.daily_minutes
    opd_unit = aliased(UnitOrganisasi)
    cond = [
        Pegawai.kedudukan_hukum_id.in_(ACTIVE_KEDUDUKAN),
        Pegawai.jenis_asn.in_(SKP_ASN),
        _in_scope(UnitOrganisasi.opd_id, scope),
    ]
    if opd_id is not None:
        cond.append(UnitOrganisasi.opd_id == opd_id)
    minutes = (
        select(
            Aktivitas.pegawai_id.label("pid"),
            func.sum(Aktivitas.menit).label("menit"),
            func.count(Aktivitas.id).label("n"),
        )
        .where(Aktivitas.status == "disetujui", Aktivitas.tanggal.between(first, last))
        .group_by(Aktivitas.pegawai_id)
        .subquery()
    )
    rows = _rows(
        session,
        select(
            Pegawai.id,
            Pegawai.gelar_depan,
            Pegawai.nama,
            Pegawai.gelar_belakang,
            Pegawai.nip,
            UnitOrganisasi.id.label("unit_id"),
            UnitOrganisasi.nama.label("unit"),
            UnitOrganisasi.opd_id,
            opd_unit.nama.label("opd"),
            Jabatan.nama.label("jabatan"),
            func.coalesce(minutes.c.menit, 0).label("menit"),
            func.coalesce(minutes.c.n, 0).label("n"),
        )
        .select_from(Pegawai)
        .join(UnitOrganisasi, Pegawai.unit_id == UnitOrganisasi.id)
        .outerjoin(opd_unit, UnitOrganisasi.opd_id == opd_unit.id)
        .outerjoin(Jabatan, Pegawai.jabatan_id == Jabatan.id)
        .outerjoin(minutes, minutes.c.pid == Pegawai.id)
        .where(*cond)
        .order_by(opd_unit.nama, UnitOrganisasi.nama, Pegawai.nama, Pegawai.id),
    )
    people = [
        WorkloadPerson(
            r.id,
            full_name(r.gelar_depan, r.nama, r.gelar_belakang),
            r.nip,
            r.opd or "",
            r.unit or "",
            r.jabatan or "",
            int(r.menit),
            int(r.n),
            capacity,
        )
        for r in rows
    ]
    groups: dict[int, WorkloadRow] = {}
    if opd_id is None:
        for r, p in zip(rows, people, strict=True):
            if r.opd_id is None:
                continue
            g = groups.setdefault(r.opd_id, WorkloadRow(r.opd_id, r.opd or "-", ""))
            _add(g, p)
        level = "opd"
    else:
        units = session.execute(
            select(UnitOrganisasi.id, UnitOrganisasi.nama, UnitOrganisasi.parent_id).where(
                UnitOrganisasi.opd_id == opd_id
            )
        ).all()
        parent_of = {u.id: u.parent_id for u in units}
        names = {u.id: u.nama for u in units}
        for r, p in zip(rows, people, strict=True):
            key = bidang_of(parent_of, opd_id, r.unit_id)
            label = names.get(key, "-")
            if key == opd_id:
                label = f"{label} (pimpinan dan staf langsung)"
            g = groups.setdefault(key, WorkloadRow(key, label, r.opd or ""))
            _add(g, p)
        level = "unit"
    ordered = sorted(groups.values(), key=lambda g: (-(g.ratio or 0), g.label))
    return WorkloadData(level, ordered, people, days, settings.daily_minutes, until)


def _add(group: WorkloadRow, person: WorkloadPerson) -> None:
    group.pegawai += 1
    group.melapor += person.menit > 0
    group.menit += person.menit
    group.kapasitas += person.kapasitas


# --- official documents ----------------------------------------------------------------------


def load_skp_for_document(session: Session, skp_id: int) -> Skp | None:
    """Load an SKP with everything its PDF prints (a fixed handful of queries)."""
    return session.scalar(
        select(Skp)
        .where(Skp.id == skp_id)
        .options(
            joinedload(Skp.periode),
            joinedload(Skp.pegawai).joinedload(Pegawai.jabatan),
            joinedload(Skp.pegawai).joinedload(Pegawai.unit),
            joinedload(Skp.penilai).joinedload(Pegawai.jabatan),
            joinedload(Skp.penilai).joinedload(Pegawai.unit),
            selectinload(Skp.rhk).selectinload(Rhk.iki),
            selectinload(Skp.rhk).joinedload(Rhk.parent_rhk),
            selectinload(Skp.rhk).joinedload(Rhk.parent_sasaran),
            selectinload(Skp.perilaku),
            selectinload(Skp.lampiran),
        )
    )


def _doc_person(snapshot: dict | None, person: Pegawai | None) -> DocPerson | None:
    if snapshot:
        return DocPerson(
            nama=snapshot.get("nama", ""),
            nip=snapshot.get("nip"),
            pangkat=snapshot.get("pangkat", ""),
            jabatan=snapshot.get("jabatan", ""),
            unit=snapshot.get("unit", ""),
        )
    if person is None:
        return None
    return DocPerson(
        nama=person.nama_lengkap,
        nip=person.nip,
        pangkat=person.pangkat_golongan,
        jabatan=person.jabatan.nama if person.jabatan else "",
        unit=person.unit.nama if person.unit else "",
    )


def _rhk_lines(skp: Skp, realised: Mapping[int, str] | None = None) -> list[RhkLine]:
    lines = []
    for r in skp.rhk:
        if r.parent_rhk is not None:
            intervensi = r.parent_rhk.teks
        elif r.parent_sasaran is not None:
            intervensi = r.parent_sasaran.teks
        else:
            intervensi = ""
        lines.append(
            RhkLine(
                jenis=r.jenis,
                teks=r.teks,
                intervensi=intervensi,
                perspektif=PERSPEKTIF.get(r.perspektif or "", r.perspektif or ""),
                iki=[
                    IkiLine(
                        aspek=i.aspek or "",
                        teks=i.teks,
                        target=target_text_of(i),
                        realisasi=(realised or {}).get(i.id, ""),
                    )
                    for i in r.iki
                ],
            )
        )
    return lines


def _perilaku_lines(skp: Skp, feedback: Mapping[int, str] | None = None) -> list[PerilakuLine]:
    expectations = {p.nilai_kode: p.ekspektasi_khusus for p in skp.perilaku}
    return [
        PerilakuLine(
            nama=v.nama,
            perilaku=v.perilaku,
            ekspektasi=expectations.get(v.kode, ""),
            umpan_balik=(feedback or {}).get(v.kode, ""),
        )
        for v in BERAKHLAK
    ]


def skp_document(skp: Skp, settings: DashboardSettings, today: date) -> SkpDocument:
    """Turn a loaded SKP into the plain data of its PDF (approval snapshots when approved)."""
    pegawai = _doc_person(skp.pegawai_snapshot, skp.pegawai) or DocPerson()
    penilai = _doc_person(skp.penilai_snapshot, skp.penilai)
    lampiran = [
        (label, [item.teks for item in skp.lampiran if item.bagian == key])
        for key, label in LAMPIRAN_BAGIAN.items()
    ]
    approved = skp.approved_at.date() if skp.approved_at else None
    return SkpDocument(
        instansi=settings.instansi_nama,
        ibukota=settings.ibukota,
        tahun=skp.periode.tahun,
        tanggal_mulai=skp.tanggal_mulai,
        tanggal_selesai=skp.tanggal_selesai,
        pendekatan=skp.pendekatan or "kuantitatif",
        is_jpt=bool(skp.is_jpt),
        status=skp.status_label,
        pegawai=pegawai,
        penilai=penilai,
        rhk=_rhk_lines(skp),
        perilaku=_perilaku_lines(skp),
        lampiran=lampiran,
        tanggal=approved or today,
        version=skp.version or 1,
    )


def load_evaluasi_for_document(session: Session, evaluasi_id: int) -> Evaluasi | None:
    """Load an evaluation with its feedback (its SKP is loaded by
    :func:`load_skp_for_document`)."""
    return session.scalar(
        select(Evaluasi)
        .where(Evaluasi.id == evaluasi_id)
        .options(selectinload(Evaluasi.umpan_balik))
    )


def _evaluation_months(tahun_periodik: str, jenis: str, periode_ke: int) -> tuple[int, ...]:
    if jenis == "tahunan":
        return tuple(range(1, 13))
    if tahun_periodik == "bulanan":
        return (periode_ke,)
    return tuple(range(3 * periode_ke - 2, 3 * periode_ke + 1))


def evaluasi_document(
    session: Session,
    evaluasi: Evaluasi,
    skp: Skp,
    settings: DashboardSettings,
    today: date,
) -> EvaluasiDocument:
    """Turn an evaluation into the plain data of its PDF: realisasi up to the end of the
    period (submitted or verified, as the pejabat penilai saw them), feedback per RHK and per
    BerAKHLAK value, the ratings, the predikat and the organisation's predikat."""
    periodik = skp.periode.periodik or "triwulan"
    months = _evaluation_months(periodik, evaluasi.jenis, evaluasi.periode_ke)
    end = max(months)
    series: dict[int, IkiSeries] = {}
    satuan: dict[int, str] = {}
    for r in skp.rhk:
        for i in r.iki:
            series[i.id] = IkiSeries(i.id, i.aspek or "kuantitas", _dec(i.target))
            satuan[i.id] = i.satuan or ""
    for iki_id, month, nilai in session.execute(
        select(Realisasi.iki_id, Realisasi.bulan, Realisasi.nilai).where(
            Realisasi.skp_id == skp.id,
            Realisasi.tahun == evaluasi.tahun,
            Realisasi.bulan <= end,
            Realisasi.status.in_(("diajukan", "terverifikasi")),
            Realisasi.nilai.is_not(None),
        )
    ):
        if iki_id in series:
            series[iki_id].monthly[month] = Decimal(str(nilai))
    realised = {}
    for iki_id, s in series.items():
        value = iki_value_at(s, end)
        if value is not None:
            realised[iki_id] = f"{fmt_number(value)} {satuan[iki_id]}".strip()
    rhk_feedback = {u.rhk_id: u.teks for u in evaluasi.umpan_balik if u.rhk_id is not None}
    value_feedback = {
        u.nilai_kode: u.teks for u in evaluasi.umpan_balik if u.nilai_kode is not None
    }
    lines = _rhk_lines(skp, realised)
    for line, r in zip(lines, skp.rhk, strict=True):
        line.umpan_balik = rhk_feedback.get(r.id, "")
    unit_ids = [u for u in (evaluasi.unit_id, skp.opd_id) if u is not None]
    org = None
    if unit_ids:
        rows = dict(
            session.execute(
                select(PredikatOrganisasi.unit_id, PredikatOrganisasi.predikat).where(
                    PredikatOrganisasi.unit_id.in_(unit_ids),
                    PredikatOrganisasi.tahun == evaluasi.tahun,
                    PredikatOrganisasi.periode_ke == evaluasi.periode_ke,
                )
            ).all()
        )
        org = next((rows[u] for u in unit_ids if u in rows), None)
    org_label = "-"
    if org:
        try:
            org_label = OrgPredikat.coerce(org).label
        except ScoringError:
            org_label = str(org)
    penilai = _doc_person(skp.penilai_snapshot, skp.penilai)
    return EvaluasiDocument(
        instansi=settings.instansi_nama,
        ibukota=settings.ibukota,
        tahun=evaluasi.tahun,
        periode=evaluation_label(evaluasi.tahun, evaluasi.jenis, evaluasi.periode_ke, periodik),
        status="Final" if evaluasi.status == "final" else "Draf",
        pegawai=_doc_person(skp.pegawai_snapshot, skp.pegawai) or DocPerson(),
        penilai=penilai,
        capaian_organisasi=org_label,
        rhk=lines,
        perilaku=_perilaku_lines(skp, value_feedback),
        rating_hasil=_rating_label(evaluasi.rating_hasil),
        rating_perilaku=_rating_label(evaluasi.rating_perilaku),
        predikat=_predikat_label(evaluasi.predikat) if evaluasi.predikat else "-",
        catatan=evaluasi.catatan or "",
        tanggal=evaluasi.finalized_at.date() if evaluasi.finalized_at else today,
        is_jpt=bool(skp.is_jpt),
    )


def _rating_label(value: int | None) -> str:
    if value is None:
        return "-"
    try:
        return Rating.coerce(int(value)).label
    except ScoringError:
        return str(value)


def recap_document(session: Session, recap: TppRecap, settings: DashboardSettings) -> RecapDocument:
    """Turn a monthly recap and its lines (two queries) into the plain data of its PDF."""
    opd_unit = aliased(UnitOrganisasi)
    rows = session.execute(
        select(
            TppRecapLine.poin,
            TppRecapLine.capaian,
            TppRecapLine.pagu,
            TppRecapLine.produktivitas,
            TppRecapLine.disiplin,
            TppRecapLine.potongan,
            TppRecapLine.diterima,
            Pegawai.gelar_depan,
            Pegawai.nama,
            Pegawai.gelar_belakang,
            Pegawai.nip,
            opd_unit.nama.label("opd"),
        )
        .join(Pegawai, TppRecapLine.pegawai_id == Pegawai.id)
        .outerjoin(opd_unit, TppRecapLine.opd_id == opd_unit.id)
        .where(TppRecapLine.recap_id == recap.id)
        .order_by(opd_unit.nama, Pegawai.nama, Pegawai.id)
    ).all()
    cakupan = "Seluruh perangkat daerah"
    if recap.opd_id is not None:
        cakupan = (
            session.scalar(select(UnitOrganisasi.nama).where(UnitOrganisasi.id == recap.opd_id))
            or cakupan
        )
    zero = Decimal(0)
    lines = [
        RecapLine(
            nama=full_name(r.gelar_depan, r.nama, r.gelar_belakang),
            nip=r.nip,
            opd=r.opd or "",
            poin=_dec(r.poin) or zero,
            capaian=_dec(r.capaian),
            pagu=_dec(r.pagu) or zero,
            produktivitas=_dec(r.produktivitas) or zero,
            disiplin=_dec(r.disiplin) or zero,
            potongan=_dec(r.potongan) or zero,
            diterima=_dec(r.diterima) or zero,
        )
        for r in rows
    ]
    notes = [
        "Basis TPP dihitung SKP Cascade dari poin aktivitas yang disetujui, capaian RHK utama "
        "dan kehadiran sesuai kebijakan TPP instansi yang berlaku pada bulan tersebut "
        "(PP 12/2019 Pasal 58; Kepmendagri 900-4700/2020). Dokumen ini bukan daftar gaji.",
    ]
    return RecapDocument(
        instansi=settings.instansi_nama,
        ibukota=settings.ibukota,
        tahun=recap.tahun,
        bulan=recap.bulan,
        cakupan=cakupan,
        lines=lines,
        dibuat=recap.created_at.date() if recap.created_at else date.today(),
        catatan=notes,
    )


# --- evaluator -------------------------------------------------------------------------------

#: Job kind that counts the cascade findings of a whole periode (skp_app.dashboard.jobs).
FINDINGS_JOB = "dashboard.temuan_cascading"
SNAPSHOTS_KEPT = 12


@dataclass
class FindingsSnapshot:
    """Cascade finding counts per OPD computed by one job run."""

    job_id: int
    at: datetime
    per_opd: dict[int, dict[str, int]]
    per_opd_code: dict[int, dict[str, int]]

    def total(self, opd_id: int) -> int:
        return sum(self.per_opd.get(opd_id, {}).values())


@dataclass
class PendingJob:
    job_id: int
    status: str
    percent: int
    message: str


@dataclass
class ReviewRow:
    id: int
    opd_id: int
    opd: str
    verdict: str
    due_date: date
    created_at: datetime
    open_items: int
    findings_total: int | None
    overdue: bool


@dataclass
class EvaluatorData:
    opds: list[tuple[int, str]]
    snapshots: list[FindingsSnapshot]
    pending: PendingJob | None
    reviews_available: bool
    open_reviews: list[ReviewRow]
    reviewed: set[int]
    review_history: dict[int, list[tuple[datetime, int]]]

    @property
    def latest(self) -> FindingsSnapshot | None:
        return self.snapshots[-1] if self.snapshots else None

    @property
    def not_reviewed(self) -> list[tuple[int, str]]:
        return [(oid, nama) for oid, nama in self.opds if oid not in self.reviewed]


def _int_keys(raw: Mapping | None) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    for key, value in (raw or {}).items():
        try:
            out[int(key)] = {str(k): int(v) for k, v in (value or {}).items()}
        except (TypeError, ValueError):
            continue
    return out


def findings_snapshots(
    session: Session, tahun: int
) -> tuple[list[FindingsSnapshot], PendingJob | None]:
    """Return the finding counts stored by the last runs of :data:`FINDINGS_JOB` for a year
    (oldest first) and the run still queued or running, if any (one query)."""
    from skp_app.jobs.models import Job

    rows = session.scalars(
        select(Job).where(Job.kind == FINDINGS_JOB).order_by(Job.id.desc()).limit(50)
    ).all()
    snapshots: list[FindingsSnapshot] = []
    pending = None
    for job in rows:
        if (job.params or {}).get("tahun") != tahun:
            continue
        if job.status in ("queued", "running"):
            if pending is None:
                pending = PendingJob(job.id, job.status_label, job.percent, job.message or "")
            continue
        if job.status != "done" or not job.result:
            continue
        snapshots.append(
            FindingsSnapshot(
                job.id,
                job.finished_at or job.created_at,
                _int_keys(job.result.get("per_opd")),
                _int_keys(job.result.get("per_opd_code")),
            )
        )
        if len(snapshots) == SNAPSHOTS_KEPT:
            break
    snapshots.reverse()
    return snapshots, pending


def _review_models():
    try:
        from skp_app.cascading.models import AlignmentReview, ReviewItem
    except ImportError:  # the review workflow is optional
        return None
    return AlignmentReview, ReviewItem


def evaluator_data(session: Session, period: PeriodChoice, scope: set[int] | None) -> EvaluatorData:
    """Load the evaluator's view: finding counts per OPD over time (stored runs of the cascade
    check and the counts recorded with each review), open reviews and OPDs not yet reviewed,
    in a fixed number of queries."""
    opds = opd_options(session, scope)
    snapshots, pending = findings_snapshots(session, period.tahun)
    models = _review_models()
    if models is None:
        return EvaluatorData(opds, snapshots, pending, False, [], set(), {})
    AlignmentReview, ReviewItem = models  # noqa: N806
    rows = _rows(
        session,
        select(
            AlignmentReview.id,
            AlignmentReview.opd_id,
            AlignmentReview.verdict,
            AlignmentReview.due_date,
            AlignmentReview.status,
            AlignmentReview.created_at,
            AlignmentReview.findings_snapshot,
            UnitOrganisasi.nama,
        )
        .join(UnitOrganisasi, AlignmentReview.opd_id == UnitOrganisasi.id)
        .where(AlignmentReview.tahun == period.tahun, _in_scope(AlignmentReview.opd_id, scope))
        .order_by(AlignmentReview.created_at, AlignmentReview.id),
    )
    open_items = dict(
        _rows(
            session,
            select(ReviewItem.review_id, func.count(ReviewItem.id))
            .join(AlignmentReview, ReviewItem.review_id == AlignmentReview.id)
            .where(
                AlignmentReview.tahun == period.tahun,
                _in_scope(AlignmentReview.opd_id, scope),
                ReviewItem.status.in_(("open", "reopened")),
            )
            .group_by(ReviewItem.review_id),
        )
    )
    verdicts = {"selaras": "Selaras", "perlu_perbaikan": "Perlu perbaikan"}
    history: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    open_reviews: list[ReviewRow] = []
    for r in rows:
        snap = r.findings_snapshot or {}
        total = snap.get("total")
        if isinstance(total, int):
            history[r.opd_id].append((r.created_at, total))
        if r.status == "open":
            open_reviews.append(
                ReviewRow(
                    r.id,
                    r.opd_id,
                    r.nama,
                    verdicts.get(r.verdict, r.verdict),
                    r.due_date,
                    r.created_at,
                    int(open_items.get(r.id, 0)),
                    total if isinstance(total, int) else None,
                    r.due_date < period.today,
                )
            )
    open_reviews.sort(key=lambda r: (r.due_date, r.opd))
    return EvaluatorData(
        opds, snapshots, pending, True, open_reviews, {r.opd_id for r in rows}, dict(history)
    )


# --- monthly recaps --------------------------------------------------------------------------


@dataclass
class RecapRow:
    id: int
    tahun: int
    bulan: int
    opd_id: int | None
    cakupan: str
    lines: int
    created_at: datetime | None

    @property
    def label(self) -> str:
        return f"{BULAN[self.bulan]} {self.tahun}" if 1 <= self.bulan <= 12 else str(self.tahun)


def recent_recaps(
    session: Session, *, opd_id: int | None = None, limit: int = 12
) -> list[RecapRow]:
    """Return the latest monthly recaps (of one OPD when ``opd_id`` is given), newest first."""
    stmt = (
        select(
            TppRecap.id,
            TppRecap.tahun,
            TppRecap.bulan,
            TppRecap.opd_id,
            TppRecap.line_count,
            TppRecap.created_at,
            UnitOrganisasi.nama,
        )
        .outerjoin(UnitOrganisasi, TppRecap.opd_id == UnitOrganisasi.id)
        .order_by(TppRecap.tahun.desc(), TppRecap.bulan.desc(), TppRecap.id.desc())
        .limit(limit)
    )
    if opd_id is not None:
        stmt = stmt.where(TppRecap.opd_id == opd_id)
    return [
        RecapRow(
            r.id,
            r.tahun,
            r.bulan,
            r.opd_id,
            r.nama or "Seluruh perangkat daerah",
            int(r.line_count or 0),
            r.created_at,
        )
        for r in _rows(session, stmt)
    ]
