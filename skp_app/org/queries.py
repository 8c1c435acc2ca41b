"""Reads of the organisation: unit tree, employees, and who is whose direct superior."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from skp_app.org.models import Jabatan, Pegawai, UnitOrganisasi
from skp_app.org.reference import KEDUDUKAN_HUKUM

__all__ = [
    "ACTIVE_KEDUDUKAN",
    "SKP_KEDUDUKAN",
    "Page",
    "direct_superior",
    "opd_list",
    "search_pegawai",
    "subordinates_of",
    "superior_map",
    "unit_tree",
]

ACTIVE_KEDUDUKAN = tuple(k for k, v in KEDUDUKAN_HUKUM.items() if v.is_active_service)
SKP_KEDUDUKAN = tuple(k for k, v in KEDUDUKAN_HUKUM.items() if v.must_have_skp)
MAX_CHAIN = 50  # positions above one another; a longer chain is a data loop


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def opd_list(session: Session, *, unit_ids: set[int] | None = None) -> list[UnitOrganisasi]:
    """Return the OPDs (optionally only those in ``unit_ids``) ordered by name."""
    stmt = select(UnitOrganisasi).where(UnitOrganisasi.is_opd.is_(True))
    if unit_ids is not None:
        stmt = stmt.where(UnitOrganisasi.id.in_(unit_ids or {-1}))
    return list(session.scalars(stmt.order_by(UnitOrganisasi.nama)))


def unit_tree(session: Session, opd_id: int) -> list[tuple[UnitOrganisasi, int, int]]:
    """Return the units of one OPD depth-first as ``(unit, depth, pegawai_count)``."""
    units = list(session.scalars(select(UnitOrganisasi).where(UnitOrganisasi.opd_id == opd_id)))
    counts = dict(
        session.execute(
            select(Pegawai.unit_id, func.count())
            .where(
                Pegawai.unit_id.in_([u.id for u in units] or [-1]),
                Pegawai.kedudukan_hukum_id.in_(ACTIVE_KEDUDUKAN),
            )
            .group_by(Pegawai.unit_id)
        ).all()
    )
    children: dict[int | None, list[UnitOrganisasi]] = {}
    for u in units:
        parent = u.parent_id if u.id != opd_id else None
        children.setdefault(parent, []).append(u)
    out: list[tuple[UnitOrganisasi, int, int]] = []
    stack = [(u, 0) for u in sorted(children.get(None, []), key=lambda u: u.nama, reverse=True)]
    seen: set[int] = set()
    while stack:
        unit, depth = stack.pop()
        if unit.id in seen:
            continue
        seen.add(unit.id)
        out.append((unit, depth, counts.get(unit.id, 0)))
        for child in sorted(children.get(unit.id, []), key=lambda u: u.nama, reverse=True):
            stack.append((child, depth + 1))
    return out


def search_pegawai(
    session: Session,
    *,
    q: str = "",
    opd_id: int | None = None,
    unit_id: int | None = None,
    opd_scope: set[int] | None = None,
    include_inactive: bool = False,
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """Return one page of employees matching a name/NIP query and filters."""
    stmt = select(Pegawai).join(UnitOrganisasi, Pegawai.unit_id == UnitOrganisasi.id, isouter=True)
    if q:
        term = q.strip()
        digits = "".join(ch for ch in term if ch.isdigit())
        conds = [func.lower(Pegawai.nama).contains(term.lower())]
        if len(digits) >= 4 and len(digits) == len(term.replace(" ", "")):
            conds.append(Pegawai.nip.startswith(digits))
        stmt = stmt.where(or_(*conds))
    if opd_id is not None:
        stmt = stmt.where(UnitOrganisasi.opd_id == opd_id)
    if unit_id is not None:
        stmt = stmt.where(Pegawai.unit_id == unit_id)
    if opd_scope is not None:
        stmt = stmt.where(UnitOrganisasi.opd_id.in_(opd_scope or {-1}))
    if not include_inactive:
        stmt = stmt.where(Pegawai.kedudukan_hukum_id.in_(ACTIVE_KEDUDUKAN))
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    page = max(1, page)
    items = list(
        session.scalars(
            stmt.options(joinedload(Pegawai.jabatan), joinedload(Pegawai.unit))
            .order_by(Pegawai.nama, Pegawai.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return Page(items=items, total=total or 0, page=page, per_page=per_page)


def _holders(session: Session, jabatan_ids: set[int] | None = None) -> dict[int, int]:
    """Map jabatan id → the active holder (lowest pegawai id when several)."""
    stmt = (
        select(Pegawai.jabatan_id, func.min(Pegawai.id))
        .where(Pegawai.jabatan_id.is_not(None), Pegawai.kedudukan_hukum_id.in_(ACTIVE_KEDUDUKAN))
        .group_by(Pegawai.jabatan_id)
    )
    if jabatan_ids is not None:
        stmt = stmt.where(Pegawai.jabatan_id.in_(jabatan_ids or {-1}))
    return dict(session.execute(stmt).all())


def superior_map(session: Session, pegawai_ids: list[int] | None = None) -> dict[int, int | None]:
    """Return ``pegawai_id → direct superior pegawai_id`` for many employees in four queries.

    The superior is the hand-set override (Plt/Plh) if any, else the active holder of the
    nearest position above the employee's position (domain.md §11.9).
    """
    stmt = select(Pegawai.id, Pegawai.jabatan_id, Pegawai.atasan_override_id)
    if pegawai_ids is not None:
        stmt = stmt.where(Pegawai.id.in_(pegawai_ids or [-1]))
    rows = session.execute(stmt).all()
    atasan_of = dict(session.execute(select(Jabatan.id, Jabatan.atasan_id)).all())
    holders = _holders(session)
    out: dict[int, int | None] = {}
    for pid, jabatan_id, override in rows:
        if override:
            out[pid] = override
            continue
        out[pid] = _walk_up(pid, jabatan_id, atasan_of, holders)
    return out


def _walk_up(pid: int, jabatan_id, atasan_of: dict, holders: dict) -> int | None:
    current = atasan_of.get(jabatan_id)
    for _ in range(MAX_CHAIN):
        if current is None:
            return None
        holder = holders.get(current)
        if holder is not None and holder != pid:
            return holder
        current = atasan_of.get(current)
    return None


def direct_superior(session: Session, pegawai: Pegawai) -> Pegawai | None:
    """Return the direct superior of one employee (a few queries, walking up the positions)."""
    if pegawai.atasan_override_id:
        return session.get(Pegawai, pegawai.atasan_override_id)
    jabatan_id = pegawai.jabatan_id
    seen: set[int] = set()
    for _ in range(MAX_CHAIN):
        if jabatan_id is None or jabatan_id in seen:
            return None
        seen.add(jabatan_id)
        atasan_id = session.scalar(select(Jabatan.atasan_id).where(Jabatan.id == jabatan_id))
        if atasan_id is None:
            return None
        holder = session.scalar(
            select(Pegawai)
            .where(
                Pegawai.jabatan_id == atasan_id,
                Pegawai.kedudukan_hukum_id.in_(ACTIVE_KEDUDUKAN),
                Pegawai.id != pegawai.id,
            )
            .order_by(Pegawai.id)
            .limit(1)
        )
        if holder is not None:
            return holder
        jabatan_id = atasan_id
    return None


def subordinates_of(session: Session, pegawai: Pegawai) -> list[Pegawai]:
    """Return the employees whose direct superior is ``pegawai``."""
    candidates: set[int] = set()
    # Holders of positions directly below, plus overrides pointing at this person.
    if pegawai.jabatan_id:
        below = select(Jabatan.id).where(Jabatan.atasan_id == pegawai.jabatan_id)
        candidates.update(
            session.scalars(
                select(Pegawai.id).where(
                    Pegawai.jabatan_id.in_(below),
                    Pegawai.kedudukan_hukum_id.in_(ACTIVE_KEDUDUKAN),
                )
            )
        )
    candidates.update(
        session.scalars(select(Pegawai.id).where(Pegawai.atasan_override_id == pegawai.id))
    )
    if not candidates:
        return []
    sup = superior_map(session, sorted(candidates))
    ids = [pid for pid, s in sup.items() if s == pegawai.id]
    return list(
        session.scalars(
            select(Pegawai)
            .where(Pegawai.id.in_(ids or [-1]))
            .options(joinedload(Pegawai.jabatan))
            .order_by(Pegawai.nama)
        )
    )
