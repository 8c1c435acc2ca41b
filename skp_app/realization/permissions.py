"""Who may record, verify, approve and see realizations, activities, evidence and capaian.

Deny by default. The predicates answer "may this actor act on this object at all" (HTTP 403);
whether the object's *state* allows it (a verified realization is locked, an activity past the
deadline cannot change) is checked by the operations (HTTP 409).
"""

from __future__ import annotations

from collections.abc import Collection

from skp_app.auth.permissions import covers_opd, has_any_role, is_authenticated

__all__ = [
    "PLT_JENIS",
    "can_decide_activity",
    "can_record_activity",
    "can_record_realization",
    "can_reopen_realization",
    "can_view_activity",
    "can_view_capaian",
    "can_view_evidence",
    "can_view_realizations",
    "can_view_sasaran_capaian",
    "can_verify_realization",
    "is_plt_for",
]

PLT_JENIS = {"plt", "plh"}


def _pid(user) -> int | None:
    return getattr(user, "pegawai_id", None) if is_authenticated(user) else None


def can_record_realization(user, skp) -> bool:
    """The SKP owner, or an operator of the SKP's OPD acting for them."""
    pid = _pid(user)
    if pid is not None and pid == skp.pegawai_id:
        return True
    return covers_opd(user, "opd_operator", skp.opd_id)


def can_verify_realization(user, skp) -> bool:
    """Only the pejabat penilai of the SKP, never on their own SKP."""
    pid = _pid(user)
    return (
        pid is not None
        and skp.penilai_pegawai_id is not None
        and pid == skp.penilai_pegawai_id
        and pid != skp.pegawai_id
    )


def can_reopen_realization(user, skp) -> bool:
    """Unlocking a verified realization: the same actor as verifying."""
    return can_verify_realization(user, skp)


def can_view_realizations(user, skp) -> bool:
    """Owner, pejabat penilai and atasan penilai, the OPD's operator or evaluator, HR, admin,
    pimpinan."""
    if not is_authenticated(user):
        return False
    pid = _pid(user)
    if pid is not None and pid in {
        skp.pegawai_id,
        skp.penilai_pegawai_id,
        skp.atasan_penilai_pegawai_id,
    }:
        return True
    if has_any_role(user, "admin", "hr", "pimpinan"):
        return True
    return covers_opd(user, "opd_operator", skp.opd_id) or covers_opd(user, "evaluator", skp.opd_id)


def can_record_activity(user, pegawai) -> bool:
    """Daily activities are logged by the employee themself only."""
    pid = _pid(user)
    return pid is not None and pid == pegawai.id


def is_plt_for(user, owner) -> bool:
    """Whether ``user`` is the Plt/Plh set as the superior of ``owner`` (the activity's owner)."""
    pid = _pid(user)
    return (
        pid is not None
        and owner is not None
        and owner.atasan_override_id == pid
        and (owner.atasan_override_jenis or "") in PLT_JENIS
    )


def can_decide_activity(user, aktivitas, owner=None) -> bool:
    """The approver recorded at submission, or the owner's current Plt/Plh; never the owner."""
    pid = _pid(user)
    if pid is None or pid == aktivitas.pegawai_id:
        return False
    if aktivitas.approver_pegawai_id is not None and pid == aktivitas.approver_pegawai_id:
        return True
    return is_plt_for(user, owner if owner is not None else aktivitas.pegawai)


def can_view_activity(user, aktivitas, owner_opd_id: int | None = None) -> bool:
    """The owner, the deciders, the OPD's operator, admin."""
    if not is_authenticated(user):
        return False
    if _pid(user) == aktivitas.pegawai_id or can_decide_activity(user, aktivitas):
        return True
    return has_any_role(user, "admin") or covers_opd(user, "opd_operator", owner_opd_id)


def can_view_evidence(
    user, owner_pegawai_id: int, owner_opd_id: int | None, superior_ids: Collection[int] = ()
) -> bool:
    """The owner, anyone in the owner's superior chain, the OPD's operator, admin.

    ``superior_ids`` are the pegawai ids above the owner (direct superior upwards), plus the
    recorded approver / pejabat penilai of the object the evidence belongs to.
    """
    if not is_authenticated(user):
        return False
    pid = _pid(user)
    if pid is not None and (pid == owner_pegawai_id or pid in superior_ids):
        return True
    return has_any_role(user, "admin") or covers_opd(user, "opd_operator", owner_opd_id)


def can_view_capaian(user, skp, superior_ids: Collection[int] = ()) -> bool:
    """Who may see an RHK's capaian: whoever may see the SKP's realizations, plus the superiors
    (``superior_ids``: owners of the RHK it contributes to and the owner's superior chain)."""
    if can_view_realizations(user, skp):
        return True
    pid = _pid(user)
    return pid is not None and pid in superior_ids


def can_view_sasaran_capaian(user, opd_id: int | None) -> bool:
    """Goal capaian: admin, HR, pimpinan; an OPD's operator/evaluator for its goals and for the
    regent goals (``opd_id`` None)."""
    if has_any_role(user, "admin", "hr", "pimpinan"):
        return True
    if opd_id is None:
        return has_any_role(user, "opd_operator", "evaluator")
    return covers_opd(user, "opd_operator", opd_id) or covers_opd(user, "evaluator", opd_id)
