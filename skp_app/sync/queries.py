"""Reads of sync runs: history, a run's changes by kind, its quarantine, saved mappings."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from skp_app.org.models import Pegawai
from skp_app.org.queries import Page
from skp_app.sync.models import QuarantinedRecord, SyncChange, SyncMapping, SyncRun

__all__ = ["change_page", "list_mappings", "quarantine_page", "run_page", "with_apply_state"]

KIND_FILTERS = ("new", "changed", "leaving", "not_in_source")
ENTITY_FILTERS = ("pegawai", "unit", "jabatan")


def run_page(
    session: Session, *, page: int = 1, per_page: int = 25, source: str | None = None
) -> Page:
    """Return one page of runs, newest first."""
    stmt = select(SyncRun)
    if source:
        stmt = stmt.where(SyncRun.source == source)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = max(1, page)
    items = list(
        session.scalars(
            stmt.order_by(SyncRun.id.desc()).limit(per_page).offset((page - 1) * per_page)
        )
    )
    return Page(items=items, total=total, page=page, per_page=per_page)


def change_page(
    session: Session,
    run_id: int,
    *,
    kind: str | None = None,
    entity: str | None = None,
    q: str = "",
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """Return one page of a run's changes, filtered by kind, entity and name/NIP text."""
    stmt = select(SyncChange).where(SyncChange.run_id == run_id)
    if kind in KIND_FILTERS:
        stmt = stmt.where(SyncChange.kind == kind)
    if entity in ENTITY_FILTERS:
        stmt = stmt.where(SyncChange.entity == entity)
    if q:
        term = q.strip().lower()
        stmt = stmt.where(
            func.lower(SyncChange.label).contains(term) | SyncChange.nip.startswith(term)
        )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = max(1, page)
    items = list(
        session.scalars(
            stmt.order_by(SyncChange.entity.desc(), SyncChange.row_number, SyncChange.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return Page(items=items, total=total, page=page, per_page=per_page)


def with_apply_state(session: Session, run: SyncRun, changes: list[SyncChange]) -> list:
    """Set ``applied_when`` and ``linked_pegawai_id`` on ``changes`` for display; return them.

    A new employee's change row does not hold the id the employee got: it is found by NIP
    (one query for the page) once the change is applied.
    """
    for c in changes:
        c.applied_when = run.change_applied_at(c)
        c.linked_pegawai_id = c.pegawai_id
    nips = {c.nip for c in changes if c.entity == "pegawai" and not c.pegawai_id and c.nip}
    if nips:
        rows = session.execute(select(Pegawai.nip, Pegawai.id).where(Pegawai.nip.in_(nips)))
        ids = dict(rows.all())
        for c in changes:
            if c.linked_pegawai_id is None and c.applied_when is not None:
                c.linked_pegawai_id = ids.get(c.nip)
    return changes


def quarantine_page(
    session: Session, run_id: int, *, reason: str | None = None, page: int = 1, per_page: int = 50
) -> Page:
    """Return one page of a run's quarantined records, in source order."""
    stmt = select(QuarantinedRecord).where(QuarantinedRecord.run_id == run_id)
    if reason:
        stmt = stmt.where(QuarantinedRecord.reason_code == reason)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = max(1, page)
    items = list(
        session.scalars(
            stmt.order_by(QuarantinedRecord.row_number, QuarantinedRecord.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return Page(items=items, total=total, page=page, per_page=per_page)


def quarantine_reasons(session: Session, run_id: int) -> list[tuple[str, int]]:
    """Return ``(reason_code, count)`` of a run's quarantine, most frequent first."""
    return [
        (code, n)
        for code, n in session.execute(
            select(QuarantinedRecord.reason_code, func.count())
            .where(QuarantinedRecord.run_id == run_id)
            .group_by(QuarantinedRecord.reason_code)
            .order_by(func.count().desc())
        )
    ]


def list_mappings(session: Session) -> list[SyncMapping]:
    """Return the saved column mappings by name."""
    return list(session.scalars(select(SyncMapping).order_by(SyncMapping.name)))
