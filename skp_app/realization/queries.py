"""Reads for realizations, activities, evidence and the capaian roll-up (set-based)."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from skp_app.org.models import Instansi, Pegawai, UnitOrganisasi
from skp_app.org.operations import superior_chain
from skp_app.planning.models import Iki, Periode, Rhk, Sasaran, Skp
from skp_app.realization.models import Aktivitas, Bukti, KatalogAktivitas, Realisasi
from skp_app.realization.permissions import PLT_JENIS
from skp_app.realization.rollup import IkiInput, NodeInput
from skp_app.realization.scoring import DEFAULT_DAILY_POINTS, DEFAULT_MONTHLY_POINTS
from skp_app.realization.settings import effective_settings

__all__ = [
    "DEFAULT_DEADLINE_DAYS",
    "DEFAULT_WORKING_MINUTES",
    "IkiRow",
    "PointsSummary",
    "RhkRows",
    "activity_inbox",
    "activity_rhk_choices",
    "current_skp",
    "evidence_context",
    "instansi_settings",
    "katalog_choices",
    "katalog_names",
    "load_rollup_nodes",
    "month_bounds",
    "my_activities",
    "points_summary",
    "realization_sheet",
    "rhk_ancestor_owner_ids",
    "rhk_superior_ids",
    "setting_number",
    "verification_inbox",
]

DEFAULT_DEADLINE_DAYS = 5
DEFAULT_WORKING_MINUTES = 450
_CHUNK = 5000
MAX_DEPTH = 60


def _chunks(ids: Iterable[int], size: int = _CHUNK) -> Iterator[list[int]]:
    items = sorted(set(ids))
    for start in range(0, len(items), size):
        yield items[start : start + size]


def month_bounds(tahun: int, bulan: int) -> tuple[date, date]:
    """Return the first and last day of a month."""
    return date(tahun, bulan, 1), date(tahun, bulan, calendar.monthrange(tahun, bulan)[1])


# --- settings --------------------------------------------------------------------------------


def instansi_settings(session: Session, pegawai: Pegawai | None = None) -> dict:
    """Return the settings of the employee's instansi (or of the only/first instansi).

    The stored JSON form with defaults filled in and invalid values replaced by their default
    (:func:`skp_app.realization.settings.effective_settings`).
    """
    instansi_id = None
    if pegawai is not None and pegawai.unit_id is not None:
        instansi_id = session.scalar(
            select(UnitOrganisasi.instansi_id).where(UnitOrganisasi.id == pegawai.unit_id)
        )
    stmt = select(Instansi.settings)
    stmt = stmt.where(Instansi.id == instansi_id) if instansi_id else stmt.order_by(Instansi.id)
    value = session.scalar(stmt.limit(1))
    return effective_settings(value)


def setting_number(settings: dict, key: str, default: int, *, minimum: int = 0) -> int:
    """Read a whole-number setting, falling back to ``default`` when missing or invalid."""
    value = settings.get(key, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if number >= minimum else default


# --- realizations ----------------------------------------------------------------------------


def current_skp(session: Session, pegawai_id: int, tahun: int | None = None) -> Skp | None:
    """Return the employee's current SKP (of ``tahun`` when given, else the latest period)."""
    stmt = (
        select(Skp)
        .join(Periode, Skp.periode_id == Periode.id)
        .where(Skp.pegawai_id == pegawai_id, Skp.is_current.is_(True))
        .options(contains_eager(Skp.periode))
        .order_by(Periode.tahun.desc(), Skp.id.desc())
    )
    if tahun is not None:
        stmt = stmt.where(Periode.tahun == tahun)
    return session.scalars(stmt.limit(1)).first()


@dataclass
class IkiRow:
    iki: Iki
    realisasi: Realisasi | None
    kumulatif_sebelumnya: Decimal | None


@dataclass
class RhkRows:
    rhk: Rhk
    iki: list[IkiRow] = field(default_factory=list)


def realization_sheet(session: Session, skp: Skp, tahun: int, bulan: int) -> list[RhkRows]:
    """Return the SKP's RHK and IKI with this month's realization, its evidence, and the sum
    of earlier months (not rejected), in four queries."""
    rhks = list(
        session.scalars(
            select(Rhk)
            .where(Rhk.skp_id == skp.id)
            .options(selectinload(Rhk.iki))
            .order_by(Rhk.jenis.desc(), Rhk.urutan, Rhk.id)
        )
    )
    this_month = {
        r.iki_id: r
        for r in session.scalars(
            select(Realisasi)
            .where(Realisasi.skp_id == skp.id, Realisasi.tahun == tahun, Realisasi.bulan == bulan)
            .options(selectinload(Realisasi.bukti))
        )
    }
    before = dict(
        session.execute(
            select(Realisasi.iki_id, func.sum(Realisasi.nilai))
            .where(
                Realisasi.skp_id == skp.id,
                Realisasi.tahun == tahun,
                Realisasi.bulan < bulan,
                Realisasi.status != "ditolak",
            )
            .group_by(Realisasi.iki_id)
        ).all()
    )
    return [
        RhkRows(rhk, [IkiRow(i, this_month.get(i.id), before.get(i.id)) for i in rhk.iki])
        for rhk in rhks
    ]


def verification_inbox(
    session: Session, penilai_pegawai_id: int
) -> list[tuple[Realisasi, Skp, Pegawai]]:
    """Return the submitted realizations waiting for this pejabat penilai as
    ``(realisasi, skp, owner)``, with IKI, RHK and evidence loaded (two queries)."""
    rows = session.execute(
        select(Realisasi, Skp, Pegawai)
        .join(Skp, Realisasi.skp_id == Skp.id)
        .join(Pegawai, Skp.pegawai_id == Pegawai.id)
        .where(
            Realisasi.status == "diajukan",
            Skp.penilai_pegawai_id == penilai_pegawai_id,
            Skp.pegawai_id != penilai_pegawai_id,
        )
        .options(
            joinedload(Realisasi.iki).joinedload(Iki.rhk),
            selectinload(Realisasi.bukti),
        )
        .order_by(Pegawai.nama, Pegawai.id, Realisasi.tahun, Realisasi.bulan, Realisasi.iki_id)
    ).all()
    return [tuple(r) for r in rows]


# --- activities ------------------------------------------------------------------------------


def activity_inbox(session: Session, approver_pegawai_id: int) -> list[Aktivitas]:
    """Return the activities waiting for this superior's decision (as recorded approver, or
    as the Plt/Plh now set over the employee), with owner, RHK and evidence loaded.

    Four queries whatever the number of activities (one more per table for every 500
    activities, the IN-list size of ``selectinload``).
    """
    me = approver_pegawai_id
    stmt = (
        select(Aktivitas)
        .join(Pegawai, Aktivitas.pegawai_id == Pegawai.id)
        .where(
            Aktivitas.status == "diajukan",
            Aktivitas.pegawai_id != me,
            or_(
                Aktivitas.approver_pegawai_id == me,
                and_(
                    Pegawai.atasan_override_id == me,
                    Pegawai.atasan_override_jenis.in_(sorted(PLT_JENIS)),
                ),
            ),
        )
        .options(
            selectinload(Aktivitas.pegawai),
            selectinload(Aktivitas.rhk),
            selectinload(Aktivitas.bukti),
        )
        .order_by(Pegawai.nama, Pegawai.id, Aktivitas.tanggal, Aktivitas.jam_mulai, Aktivitas.id)
    )
    return list(session.scalars(stmt))


def my_activities(session: Session, pegawai_id: int, tahun: int, bulan: int) -> list[Aktivitas]:
    """Return one employee's activities of a month, newest first, with RHK and evidence."""
    first, last = month_bounds(tahun, bulan)
    return list(
        session.scalars(
            select(Aktivitas)
            .where(Aktivitas.pegawai_id == pegawai_id, Aktivitas.tanggal.between(first, last))
            .options(joinedload(Aktivitas.rhk), selectinload(Aktivitas.bukti))
            .order_by(Aktivitas.tanggal.desc(), Aktivitas.jam_mulai.desc(), Aktivitas.id.desc())
        ).unique()
    )


def katalog_names(session: Session, ids: Iterable[int | None]) -> dict[int, KatalogAktivitas]:
    """Map catalogue id → row for the given ids (one query)."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {
        k.id: k
        for k in session.scalars(select(KatalogAktivitas).where(KatalogAktivitas.id.in_(wanted)))
    }


def activity_rhk_choices(session: Session, pegawai_id: int) -> list[Rhk]:
    """Return the RHK of the employee's current (not closed) SKP of the latest period."""
    skp = current_skp(session, pegawai_id)
    if skp is None or skp.status == "ditutup":
        return []
    return list(
        session.scalars(
            select(Rhk).where(Rhk.skp_id == skp.id).order_by(Rhk.jenis.desc(), Rhk.urutan, Rhk.id)
        )
    )


def katalog_choices(session: Session, jabatan_id: int | None) -> list[KatalogAktivitas]:
    """Return the active catalogue activities for a position plus the general ones."""
    cond = KatalogAktivitas.jabatan_id.is_(None)
    if jabatan_id is not None:
        cond = or_(cond, KatalogAktivitas.jabatan_id == jabatan_id)
    return list(
        session.scalars(
            select(KatalogAktivitas)
            .where(KatalogAktivitas.is_active.is_(True), cond)
            .order_by(KatalogAktivitas.nama)
        )
    )


@dataclass(frozen=True)
class PointsSummary:
    """Approved and pending points of one employee, today and this month, against targets."""

    today_approved: Decimal
    today_pending: Decimal
    month_approved: Decimal
    month_pending: Decimal
    daily_target: int
    monthly_target: int

    @staticmethod
    def _pct(value: Decimal, target: int) -> int:
        return 0 if target <= 0 else min(100, int(value * 100 / target))

    @property
    def today_pct(self) -> int:
        return self._pct(self.today_approved, self.daily_target)

    @property
    def month_pct(self) -> int:
        return self._pct(self.month_approved, self.monthly_target)


def points_summary(
    session: Session, pegawai_id: int, today: date, settings: dict | None = None
) -> PointsSummary:
    """Return today's and this month's points (approved and pending) in one query.

    Targets: ``daily_points_target`` / ``monthly_points_target`` of the instansi settings,
    default 300 / 6,000 (SKP Cascade §11.5).
    """
    settings = settings or {}
    first, last = month_bounds(today.year, today.month)
    is_today = case((Aktivitas.tanggal == today, 1), else_=0).label("is_today")
    rows = session.execute(
        select(is_today, Aktivitas.status, func.coalesce(func.sum(Aktivitas.poin), 0))
        .where(
            Aktivitas.pegawai_id == pegawai_id,
            Aktivitas.tanggal.between(first, last),
            Aktivitas.status.in_(("diajukan", "disetujui")),
        )
        .group_by(is_today, Aktivitas.status)
    ).all()
    totals = {(bool(t), s): Decimal(str(v)) for t, s, v in rows}
    zero = Decimal(0)

    def total(today_only: bool, status: str) -> Decimal:
        value = totals.get((True, status), zero)
        if not today_only:
            value += totals.get((False, status), zero)
        return value

    return PointsSummary(
        today_approved=total(True, "disetujui"),
        today_pending=total(True, "diajukan"),
        month_approved=total(False, "disetujui"),
        month_pending=total(False, "diajukan"),
        daily_target=setting_number(settings, "daily_points_target", DEFAULT_DAILY_POINTS),
        monthly_target=setting_number(settings, "monthly_points_target", DEFAULT_MONTHLY_POINTS),
    )


# --- evidence --------------------------------------------------------------------------------


def evidence_context(session: Session, bukti: Bukti) -> tuple[Pegawai | None, int | None, set[int]]:
    """Return the evidence owner, the owner's OPD and who stands above them for this evidence:
    the superior chain, the activity's recorded approver, the SKP's penilai and atasan."""
    owner = session.get(Pegawai, bukti.owner_pegawai_id)
    if owner is None:
        return None, None, set()
    opd_id = owner.unit.opd_id if owner.unit is not None else None
    above = {p.id for p in superior_chain(session, owner)}
    if bukti.aktivitas_id is not None:
        approver = session.scalar(
            select(Aktivitas.approver_pegawai_id).where(Aktivitas.id == bukti.aktivitas_id)
        )
        if approver:
            above.add(approver)
    if bukti.realisasi_id is not None:
        row = session.execute(
            select(Skp.penilai_pegawai_id, Skp.atasan_penilai_pegawai_id, Skp.opd_id)
            .join(Realisasi, Realisasi.skp_id == Skp.id)
            .where(Realisasi.id == bukti.realisasi_id)
        ).first()
        if row is not None:
            above.update(x for x in row[:2] if x)
            opd_id = opd_id or row[2]
    return owner, opd_id, above


# --- roll-up ---------------------------------------------------------------------------------


def rhk_ancestor_owner_ids(session: Session, rhk: Rhk) -> set[int]:
    """Return the owners of the RHK that ``rhk`` contributes to, up the cascade."""
    owners: set[int] = set()
    seen = {rhk.id}
    parent_id = rhk.parent_rhk_id
    for _ in range(MAX_DEPTH):
        if parent_id is None or parent_id in seen:
            break
        seen.add(parent_id)
        row = session.execute(
            select(Rhk.parent_rhk_id, Skp.pegawai_id)
            .join(Skp, Rhk.skp_id == Skp.id)
            .where(Rhk.id == parent_id)
        ).first()
        if row is None:
            break
        owners.add(row[1])
        parent_id = row[0]
    return owners


def rhk_superior_ids(session: Session, rhk: Rhk) -> set[int]:
    """Return who stands above an RHK: the owners of the RHK it contributes to and the SKP
    owner's superior chain (direct superior upwards)."""
    ids = rhk_ancestor_owner_ids(session, rhk)
    owner_id = session.scalar(select(Skp.pegawai_id).where(Skp.id == rhk.skp_id))
    owner = session.get(Pegawai, owner_id) if owner_id else None
    if owner is not None:
        ids.update(p.id for p in superior_chain(session, owner))
    return ids


def _nama(gelar_depan: str, nama: str, gelar_belakang: str) -> str:
    name = " ".join(p for p in ((gelar_depan or "").strip(), (nama or "").strip()) if p)
    return f"{name}, {gelar_belakang.strip()}" if (gelar_belakang or "").strip() else name


_RHK_COLUMNS = (
    Rhk.id,
    Rhk.teks,
    Rhk.jenis,
    Rhk.cascading,
    Rhk.parent_rhk_id,
    Rhk.parent_sasaran_id,
    Pegawai.gelar_depan,
    Pegawai.nama,
    Pegawai.gelar_belakang,
    Skp.tanggal_selesai,
    Periode.tahun,
)


def _rhk_select():
    return (
        select(*_RHK_COLUMNS)
        .join(Skp, Rhk.skp_id == Skp.id)
        .join(Pegawai, Skp.pegawai_id == Pegawai.id)
        .join(Periode, Skp.periode_id == Periode.id)
    )


def load_rollup_nodes(
    session: Session,
    *,
    tahun: int,
    bulan: int,
    rhk_id: int | None = None,
    sasaran_id: int | None = None,
    include_unverified: bool = False,
) -> list[NodeInput]:
    """Load the subtree under one RHK or one goal as plain roll-up nodes.

    Walks down level by level with one query per table per level (goals: sub-goals, OPD goals
    supporting them, JPT RHK; RHK: the RHK intervening them), then loads every IKI and the
    realizations of ``tahun`` up to ``bulan`` in one query each. Only verified realizations
    count unless ``include_unverified`` (then submitted ones count too).
    """
    if (rhk_id is None) == (sasaran_id is None):
        raise ValueError("give exactly one of rhk_id or sasaran_id")
    statuses = ("terverifikasi", "diajukan") if include_unverified else ("terverifikasi",)
    rhk_rows: dict[int, tuple] = {}
    rhk_parent: dict[int, str | None] = {}
    sasaran_rows: dict[int, tuple] = {}
    sasaran_parent: dict[int, str | None] = {}

    if rhk_id is not None:
        row = session.execute(_rhk_select().where(Rhk.id == rhk_id)).first()
        if row is None:
            return []
        rhk_rows[row.id] = row
        rhk_parent[row.id] = None
        frontier_rhk, frontier_sasaran = {row.id}, set()
    else:
        row = session.execute(
            select(Sasaran.id, Sasaran.teks, Sasaran.kode, Sasaran.level).where(
                Sasaran.id == sasaran_id
            )
        ).first()
        if row is None:
            return []
        sasaran_rows[row.id] = row
        sasaran_parent[row.id] = None
        frontier_rhk, frontier_sasaran = set(), {row.id}

    for _ in range(MAX_DEPTH):
        if not frontier_rhk and not frontier_sasaran:
            break
        next_rhk: set[int] = set()
        next_sasaran: set[int] = set()
        for chunk in _chunks(frontier_sasaran):
            for s in session.execute(
                select(
                    Sasaran.id,
                    Sasaran.teks,
                    Sasaran.kode,
                    Sasaran.level,
                    Sasaran.parent_id,
                    Sasaran.supports_id,
                ).where(
                    or_(Sasaran.parent_id.in_(chunk), Sasaran.supports_id.in_(chunk)),
                    Sasaran.tahun_awal <= tahun,
                    Sasaran.tahun_akhir >= tahun,
                )
            ):
                if s.id in sasaran_rows:
                    continue
                via = s.parent_id if s.parent_id in frontier_sasaran else s.supports_id
                sasaran_rows[s.id] = s
                sasaran_parent[s.id] = f"sasaran:{via}"
                next_sasaran.add(s.id)
            for r in session.execute(
                _rhk_select().where(Rhk.parent_sasaran_id.in_(chunk), Periode.tahun == tahun)
            ):
                if r.id in rhk_rows:
                    continue
                rhk_rows[r.id] = r
                rhk_parent[r.id] = f"sasaran:{r.parent_sasaran_id}"
                next_rhk.add(r.id)
        for chunk in _chunks(frontier_rhk):
            for r in session.execute(_rhk_select().where(Rhk.parent_rhk_id.in_(chunk))):
                if r.id in rhk_rows:
                    continue
                rhk_rows[r.id] = r
                rhk_parent[r.id] = f"rhk:{r.parent_rhk_id}"
                next_rhk.add(r.id)
        frontier_rhk, frontier_sasaran = next_rhk, next_sasaran

    iki_by_rhk: dict[int, list] = {}
    iki_ids: list[int] = []
    for chunk in _chunks(rhk_rows):
        for i in session.execute(
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
            .where(Iki.rhk_id.in_(chunk))
            .order_by(Iki.urutan, Iki.id)
        ):
            iki_by_rhk.setdefault(i.rhk_id, []).append(i)
            iki_ids.append(i.id)
    monthly: dict[int, dict[int, Decimal]] = {}
    for chunk in _chunks(iki_ids):
        for iki_id, month, nilai in session.execute(
            select(Realisasi.iki_id, Realisasi.bulan, Realisasi.nilai).where(
                Realisasi.iki_id.in_(chunk),
                Realisasi.tahun == tahun,
                Realisasi.bulan <= bulan,
                Realisasi.status.in_(statuses),
                Realisasi.nilai.is_not(None),
            )
        ):
            monthly.setdefault(iki_id, {})[month] = Decimal(str(nilai))

    nodes: list[NodeInput] = []
    for sid, s in sasaran_rows.items():
        label = f"{s.kode} {s.teks}".strip() if s.kode else s.teks
        owner = "Kepala Daerah (RPJMD)" if s.level == "regent" else "Perangkat Daerah (Renstra/PK)"
        nodes.append(
            NodeInput(f"sasaran:{sid}", "sasaran", label, sasaran_parent[sid], None, owner)
        )
    for rid, r in rhk_rows.items():
        end_month = r.tanggal_selesai.month if r.tanggal_selesai.year == r.tahun else 12
        iki = tuple(
            IkiInput(
                id=i.id,
                teks=i.teks,
                target=i.target,
                aspek=i.aspek,
                satuan=i.satuan,
                target_max=i.target_max,
                lower_is_better=bool(i.lower_is_better),
                monthly=monthly.get(i.id, {}),
            )
            for i in iki_by_rhk.get(rid, [])
        )
        nodes.append(
            NodeInput(
                key=f"rhk:{rid}",
                kind="rhk",
                label=r.teks,
                parent_key=rhk_parent[rid],
                cascading=r.cascading,
                owner=_nama(r.gelar_depan, r.nama, r.gelar_belakang),
                jenis=r.jenis,
                iki=iki,
                year_end_month=end_month,
            )
        )
    return nodes
