"""Who may run personnel sync: HR (BKPSDM) and administrators, for the whole instansi."""

from __future__ import annotations

from skp_app.auth.permissions import has_any_role

__all__ = ["can_manage_mappings", "can_manage_sync", "can_view_sync_run"]

SYNC_ROLES = ("hr", "admin")


def can_manage_sync(user) -> bool:
    """Return whether ``user`` may start, apply and discard sync runs."""
    return has_any_role(user, *SYNC_ROLES)


def can_view_sync_run(user, run) -> bool:
    """Return whether ``user`` may read a run, its changes and its quarantine (personal data)."""
    return run is not None and has_any_role(user, *SYNC_ROLES)


def can_manage_mappings(user) -> bool:
    """Return whether ``user`` may create and edit the column mappings of tabular files."""
    return has_any_role(user, *SYNC_ROLES)
