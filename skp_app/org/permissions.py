"""Who may see and change organisation and personnel data."""

from __future__ import annotations

from skp_app.auth.permissions import covers_opd, has_any_role, is_authenticated
from skp_app.org.models import Pegawai, UnitOrganisasi

__all__ = [
    "can_browse_pegawai",
    "can_edit_pegawai",
    "can_view_pegawai",
    "can_view_personal_data",
    "opd_scope",
]


def _opd_of(pegawai: Pegawai) -> int | None:
    unit: UnitOrganisasi | None = pegawai.unit
    return unit.opd_id if unit is not None else None


def opd_scope(user) -> set[int] | None:
    """Return the OPD ids whose employees ``user`` may list; None means all, empty means none."""
    if has_any_role(user, "admin", "hr", "pimpinan"):
        return None
    scope: set[int] = set()
    for role in ("opd_operator", "evaluator"):
        if user.has_role(role):
            units = user.scope_units(role)
            if units is None:
                return None
            scope |= units
    return scope


def can_browse_pegawai(user) -> bool:
    """Return whether ``user`` may open the employee list at all."""
    return has_any_role(user, "admin", "hr", "pimpinan", "opd_operator", "evaluator")


def can_view_pegawai(user, pegawai: Pegawai, *, superior_ids: set[int] = frozenset()) -> bool:
    """Return whether ``user`` may open the profile of ``pegawai``.

    ``superior_ids`` are the pegawai ids above ``pegawai`` (its superiors' chain) when known.
    """
    if not is_authenticated(user):
        return False
    if user.pegawai_id is not None and (
        user.pegawai_id == pegawai.id or user.pegawai_id in superior_ids
    ):
        return True
    if has_any_role(user, "admin", "hr", "pimpinan"):
        return True
    opd = _opd_of(pegawai)
    return covers_opd(user, "opd_operator", opd) or covers_opd(user, "evaluator", opd)


def can_view_personal_data(user, pegawai: Pegawai, *, superior_ids: set[int] = frozenset()) -> bool:
    """Return whether ``user`` may see the NIP, birth date and contacts of ``pegawai``."""
    if not is_authenticated(user):
        return False
    if user.pegawai_id is not None and (
        user.pegawai_id == pegawai.id or user.pegawai_id in superior_ids
    ):
        return True
    if has_any_role(user, "admin", "hr"):
        return True
    return covers_opd(user, "opd_operator", _opd_of(pegawai))


def can_edit_pegawai(user, pegawai: Pegawai | None = None) -> bool:
    """Return whether ``user`` may change personnel data (HR and admin only)."""
    return has_any_role(user, "admin", "hr")
