"""Who may see and act on periods, goals and SKPs (deny by default).

The predicates answer "may this actor act on this object at all" (HTTP 403 when not). Whether
the object's *state* allows the action (an approved SKP cannot be edited, only a submitted one
can be approved) is checked by the operations, which raise ``WorkflowError`` (HTTP 409).
"""

from __future__ import annotations

from skp_app.auth.permissions import covers_opd, has_any_role, is_authenticated

__all__ = [
    "can_act_for_opd",
    "can_approve_skp",
    "can_bulk_cascade",
    "can_create_skp",
    "can_edit_skp",
    "can_manage_goals",
    "can_manage_periode",
    "can_monitor_opd",
    "can_return_skp",
    "can_revise_skp",
    "can_submit_skp",
    "can_view_goals",
    "can_view_skp",
    "goals_opd_scope",
    "is_skp_owner",
    "monitor_scope",
]


def _pegawai_id(user) -> int | None:
    return getattr(user, "pegawai_id", None) if is_authenticated(user) else None


def is_skp_owner(user, skp) -> bool:
    """Return whether ``skp`` is the SKP of the employee behind ``user``."""
    pid = _pegawai_id(user)
    return pid is not None and pid == skp.pegawai_id


def _operator_of(user, opd_id: int | None) -> bool:
    return covers_opd(user, "opd_operator", opd_id)


def can_view_skp(user, skp) -> bool:
    """Owner, pejabat penilai, atasan pejabat penilai, the OPD's operator/evaluator, HR, admin,
    pimpinan."""
    if not is_authenticated(user):
        return False
    pid = _pegawai_id(user)
    if pid is not None and pid in {
        skp.pegawai_id,
        skp.penilai_pegawai_id,
        skp.atasan_penilai_pegawai_id,
    }:
        return True
    if has_any_role(user, "admin", "hr", "pimpinan"):
        return True
    return _operator_of(user, skp.opd_id) or covers_opd(user, "evaluator", skp.opd_id)


def can_create_skp(user, pegawai, opd_id: int | None) -> bool:
    """The employee for themself, or an operator of the employee's OPD acting for them."""
    pid = _pegawai_id(user)
    if pid is not None and pid == pegawai.id:
        return True
    return _operator_of(user, opd_id)


def can_act_for_opd(user, opd_id: int | None) -> bool:
    """An operator of the OPD, who may create and edit SKPs on behalf of its employees."""
    return _operator_of(user, opd_id)


def can_edit_skp(user, skp) -> bool:
    """The owner, or an operator of the SKP's OPD acting for them (never the penilai as such)."""
    return is_skp_owner(user, skp) or _operator_of(user, skp.opd_id)


def can_submit_skp(user, skp) -> bool:
    """Same actors as editing: the owner or an operator of the OPD."""
    return can_edit_skp(user, skp)


def can_revise_skp(user, skp) -> bool:
    """Reopening an approved SKP ("revisi"): the owner or an operator of the OPD."""
    return can_edit_skp(user, skp)


def can_approve_skp(user, skp) -> bool:
    """Only the pejabat penilai of the SKP, and never on their own SKP."""
    pid = _pegawai_id(user)
    return (
        pid is not None
        and skp.penilai_pegawai_id is not None
        and pid == skp.penilai_pegawai_id
        and pid != skp.pegawai_id
    )


def can_return_skp(user, skp) -> bool:
    """Returning for correction: the same actor as approving."""
    return can_approve_skp(user, skp)


def can_bulk_cascade(user, source_skp) -> bool:
    """The owner of the superior SKP, or an operator of its OPD."""
    return is_skp_owner(user, source_skp) or _operator_of(user, source_skp.opd_id)


def can_manage_goals(user, level: str, opd_id: int | None = None) -> bool:
    """Regent goals: admin and pimpinan; OPD goals: admin and that OPD's operator."""
    if not is_authenticated(user):
        return False
    if level == "regent":
        return has_any_role(user, "admin", "pimpinan")
    if level == "opd":
        return has_any_role(user, "admin") or (opd_id is not None and _operator_of(user, opd_id))
    return False


def can_view_goals(user) -> bool:
    """Reading the goal trees (RPJMD and OPD)."""
    return has_any_role(user, "admin", "hr", "pimpinan", "opd_operator", "evaluator")


def goals_opd_scope(user) -> set[int] | None:
    """Return the OPD ids whose goals ``user`` may manage; None means all."""
    if has_any_role(user, "admin"):
        return None
    if has_any_role(user, "opd_operator"):
        return user.scope_units("opd_operator")
    return set()


def monitor_scope(user) -> set[int] | None:
    """Return the OPD ids whose SKP board ``user`` may open; None means all, empty none."""
    if has_any_role(user, "admin", "hr"):
        return None
    if has_any_role(user, "opd_operator"):
        return user.scope_units("opd_operator")
    return set()


def can_monitor_opd(user, opd_id: int) -> bool:
    """The monitoring board of one OPD: admin, HR, or that OPD's operator."""
    scope = monitor_scope(user) if is_authenticated(user) else set()
    return scope is None or opd_id in scope


def can_manage_periode(user) -> bool:
    """Opening, closing and creating planning periods: admin only."""
    return has_any_role(user, "admin")
