"""Who may see and act on evaluations, objections, the organisation's predikat and TPP recaps.

Deny by default. The predicates answer "may this actor act on this object at all" (HTTP 403
when not); whether the object's *state* allows the action (a final evaluation is locked, a
keberatan past its deadline is refused) is checked by the operations in
:mod:`skp_app.realization.evaluation`, which raise ``EvaluationWorkflowError`` (HTTP 409).
"""

from __future__ import annotations

from collections.abc import Iterable

from skp_app.auth.permissions import covers_opd, has_any_role, is_authenticated

__all__ = [
    "can_decide_keberatan",
    "can_evaluate_skp",
    "can_explain_keberatan",
    "can_file_keberatan",
    "can_manage_tpp_policy",
    "can_run_recap",
    "can_set_org_predikat",
    "can_view_evaluasi",
    "can_view_org_predikat",
    "can_view_recap",
    "can_view_tpp_policy",
    "can_view_unit_curve",
    "recap_opd_scope",
]


def _pegawai_id(user) -> int | None:
    return getattr(user, "pegawai_id", None) if is_authenticated(user) else None


def can_evaluate_skp(user, skp) -> bool:
    """Only the pejabat penilai of the SKP evaluates it, and never their own SKP."""
    pid = _pegawai_id(user)
    return (
        pid is not None
        and skp.penilai_pegawai_id is not None
        and pid == skp.penilai_pegawai_id
        and pid != skp.pegawai_id
    )


def can_view_evaluasi(user, skp) -> bool:
    """The employee, the penilai, the atasan penilai, admin, HR, pimpinan and the OPD operator."""
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
    return covers_opd(user, "opd_operator", skp.opd_id)


def can_file_keberatan(user, skp) -> bool:
    """Only the evaluated employee objects to their own evaluation."""
    pid = _pegawai_id(user)
    return pid is not None and pid == skp.pegawai_id


def can_explain_keberatan(user, skp) -> bool:
    """The pejabat penilai answers an objection to their evaluation."""
    return can_evaluate_skp(user, skp)


def can_decide_keberatan(user, skp) -> bool:
    """The atasan pejabat penilai decides, never the employee or the penilai themself."""
    pid = _pegawai_id(user)
    return (
        pid is not None
        and skp.atasan_penilai_pegawai_id is not None
        and pid == skp.atasan_penilai_pegawai_id
        and pid not in {skp.pegawai_id, skp.penilai_pegawai_id}
    )


def can_set_org_predikat(user, unit, *, led_unit_ids: Iterable[int] = ()) -> bool:
    """Admin, pimpinan, or the leader of the unit directly above ``unit`` (SE MenPANRB 3/2023).

    ``led_unit_ids`` are the units whose head position the user's employee holds
    (:func:`skp_app.realization.evaluation_queries.led_unit_ids`).
    """
    if not is_authenticated(user):
        return False
    if has_any_role(user, "admin", "pimpinan"):
        return True
    return unit.parent_id is not None and unit.parent_id in set(led_unit_ids)


def can_view_org_predikat(user, *, led_unit_ids: Iterable[int] = ()) -> bool:
    """The page of organisation predikat: admin, pimpinan, HR and unit leaders."""
    if has_any_role(user, "admin", "pimpinan", "hr"):
        return True
    return is_authenticated(user) and bool(set(led_unit_ids))


def can_view_unit_curve(
    user, unit, *, led_unit_ids: Iterable[int] = (), subtree_ids: Iterable[int] = ()
) -> bool:
    """A unit's evaluation page with its curve: admin, HR, pimpinan, the OPD operator, the
    leader above the unit and every leader of a unit inside it (they evaluate its staff).

    ``subtree_ids`` are the unit and the units below it.
    """
    if not is_authenticated(user):
        return False
    if has_any_role(user, "admin", "hr", "pimpinan"):
        return True
    led = set(led_unit_ids)
    if unit.id in led or (unit.parent_id is not None and unit.parent_id in led):
        return True
    if led & set(subtree_ids):
        return True
    return covers_opd(user, "opd_operator", unit.opd_id)


def recap_opd_scope(user) -> set[int] | None:
    """Return the OPD ids whose TPP recaps ``user`` may run and read; None = every OPD."""
    if has_any_role(user, "admin", "hr"):
        return None
    if has_any_role(user, "opd_operator"):
        return user.scope_units("opd_operator") or set()
    return set()


def can_view_recap(user, opd_id: int | None) -> bool:
    """HR and admin see every recap; an OPD operator only the recaps of their OPDs.

    ``opd_id`` None is the regency-wide recap (HR and admin only).
    """
    if not is_authenticated(user):
        return False
    scope = recap_opd_scope(user)
    if scope is None:
        return True
    return opd_id is not None and opd_id in scope


def can_run_recap(user, opd_id: int | None) -> bool:
    """Running a recap: the same actors and scope as reading it."""
    return can_view_recap(user, opd_id)


def can_view_tpp_policy(user) -> bool:
    """The TPP policy page: admin and HR."""
    return has_any_role(user, "admin", "hr")


def can_manage_tpp_policy(user) -> bool:
    """Saving a new TPP policy version: admin and HR."""
    return has_any_role(user, "admin", "hr")
