"""Who may read and keep the hukuman disiplin register: HR and admin only, deny by default.

An HR or admin role scoped to OPDs covers the employees of those OPDs only; every other
role (OPD operators included, whatever their OPD) is refused. The employee's OPD is checked
on every read and write of a record, whether its id comes from the URL or the form.
"""

from __future__ import annotations

from skp_app.auth.permissions import covers_opd, has_any_role

__all__ = ["can_manage_hukdis", "can_open_hukdis_register", "hukdis_opd_scope"]

_ROLES = ("admin", "hr")


def can_open_hukdis_register(user) -> bool:
    """The register pages and API at all: HR and admin."""
    return has_any_role(user, *_ROLES)


def hukdis_opd_scope(user) -> set[int] | None:
    """Return the OPD ids whose employees' records ``user`` may see; None = every OPD."""
    if not can_open_hukdis_register(user):
        return set()
    scope: set[int] = set()
    for role in _ROLES:
        if user.has_role(role):
            units = user.scope_units(role)
            if units is None:
                return None
            scope |= units
    return scope


def can_manage_hukdis(user, opd_id: int | None) -> bool:
    """Read, record, correct or annul a record of an employee of OPD ``opd_id``.

    ``opd_id`` None (an employee outside every OPD) needs an unscoped HR or admin role.
    """
    return any(covers_opd(user, role, opd_id) for role in _ROLES)
