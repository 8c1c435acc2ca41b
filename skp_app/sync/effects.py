"""What a personnel change does to SKPs (called by ``engine.apply`` inside its batches).

* A change of unit, position or (source-given) superior closes the employee's current SKP at
  the change date and opens a new draft: :func:`restart_skps` calls the planning operation
  ``close_and_restart_skp`` for each current SKP of an open period that no longer matches the
  employee's position.
* When an employee's superior changed (directly, or because the superior moved or left), the
  RHK of the employee's current SKP that intervene an RHK owned by someone who is no longer the
  pejabat penilai get ``link_flag = "parent_not_penilai"`` (:func:`flag_parent_links`); the
  cascade findings show them. A link that planning marked ``"atasan_berganti"`` when the same
  sync closed the old superior's SKP gets the more precise flag too.
* Leaving active service needs nothing here: access is refused at the next request
  (``skp_app.org.access``) and ``Pegawai.must_have_skp`` turns false. Nothing is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, aliased

from skp_app.planning.models import Periode, Rhk, Skp
from skp_app.sync.bulk import record_audit

__all__ = ["LINK_FLAG", "Restart", "flag_parent_links", "restart_skps"]

LINK_FLAG = "parent_not_penilai"
# Set by skp_app.planning.operations.close_and_restart_skp on the links into a closed SKP.
SUPERIOR_SKP_CLOSED = "atasan_berganti"


@dataclass
class Restart:
    """One employee's structural change: why, and from when."""

    reason: str
    change_date: date
    superior_changed: bool = False


def restart_skps(session: Session, restarts: dict[int, Restart], *, actor) -> dict[int, dict]:
    """Close and restart the current SKPs of employees whose position, unit or superior changed.

    Only SKPs of open periods that still describe the old situation are restarted (so running
    it twice does nothing the second time). Returns ``{pegawai_id: {"closed": [...],
    "opened": [...], "skipped": [reason, …]}}``.
    """
    from skp_app.org.models import Pegawai
    from skp_app.planning.errors import PlanningError
    from skp_app.planning.operations import close_and_restart_skp

    out: dict[int, dict] = {}
    if not restarts:
        return out
    ids = sorted(restarts)
    rows = session.execute(
        select(Skp, Periode)
        .join(Periode, Skp.periode_id == Periode.id)
        .where(
            Skp.pegawai_id.in_(ids),
            Skp.is_current.is_(True),
            Skp.status != "ditutup",
            Periode.is_open.is_(True),
        )
        .order_by(Skp.pegawai_id, Skp.id)
    ).all()
    if not rows:
        return out
    now_state = {
        pid: (jab, unit, override)
        for pid, jab, unit, override in session.execute(
            select(
                Pegawai.id, Pegawai.jabatan_id, Pegawai.unit_id, Pegawai.atasan_override_id
            ).where(Pegawai.id.in_([s.pegawai_id for s, _ in rows]))
        )
    }
    for skp, periode in rows:
        change = restarts[skp.pegawai_id]
        jab, unit, _override = now_state.get(skp.pegawai_id, (None, None, None))
        stale = skp.jabatan_id != jab or skp.unit_id != unit or change.superior_changed
        if not stale:
            continue
        entry = out.setdefault(skp.pegawai_id, {"closed": [], "opened": [], "skipped": []})
        when = min(max(change.change_date, skp.tanggal_mulai), periode.tanggal_selesai)
        try:
            with session.begin_nested():
                new = close_and_restart_skp(session, skp, change.reason, when, actor)
        except PlanningError as exc:
            entry["skipped"].append(f"SKP #{skp.id}: {exc}")
            continue
        entry["closed"].append(skp.id)
        entry["opened"].append(getattr(new, "id", None))
    return out


def flag_parent_links(
    session: Session, superior: dict[int, int | None], pegawai_ids: set[int], *, actor
) -> dict[int, list[int]]:
    """Flag the RHK of ``pegawai_ids`` whose intervened RHK is not owned by their penilai.

    The expected owner is the SKP's pejabat penilai when it was set by hand (Plt/Plh), else
    the employee's superior now (``superior``). Returns ``{pegawai_id: [rhk ids flagged]}``.
    """
    if not pegawai_ids:
        return {}
    parent = aliased(Rhk)
    parent_skp = aliased(Skp)
    flagged: dict[int, list[int]] = {}
    before: dict[int, str | None] = {}
    ids = sorted(pegawai_ids)
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        rows = session.execute(
            select(
                Rhk.id,
                Skp.pegawai_id,
                Skp.penilai_pegawai_id,
                Skp.penilai_is_override,
                parent_skp.pegawai_id,
                Rhk.link_flag,
            )
            .join(Skp, Rhk.skp_id == Skp.id)
            .join(parent, Rhk.parent_rhk_id == parent.id)
            .join(parent_skp, parent.skp_id == parent_skp.id)
            .where(
                Skp.pegawai_id.in_(chunk),
                Skp.is_current.is_(True),
                Skp.status != "ditutup",
                or_(Rhk.link_flag.is_(None), Rhk.link_flag == SUPERIOR_SKP_CLOSED),
            )
        ).all()
        for rhk_id, pid, penilai, is_override, owner, flag in rows:
            expected = penilai if is_override else superior.get(pid)
            if owner != expected:
                flagged.setdefault(pid, []).append(rhk_id)
                before[rhk_id] = flag
    rhk_ids = [r for ids_ in flagged.values() for r in ids_]
    if rhk_ids:
        session.execute(
            update(Rhk)
            .where(Rhk.id.in_(rhk_ids))
            .values(link_flag=LINK_FLAG)
            .execution_options(synchronize_session=False)
        )
        record_audit(
            session,
            [
                {
                    "action": "rhk.link_flag",
                    "object_type": "rhk",
                    "object_id": rid,
                    "before": {"link_flag": before[rid]},
                    "after": {"link_flag": LINK_FLAG, "pegawai_id": pid},
                    "summary": "RHK mengintervensi RHK pegawai yang bukan lagi pejabat penilai",
                }
                for pid, rids in flagged.items()
                for rid in rids
            ],
            actor=actor,
            source="sync",
        )
    return flagged
