"""Permission primitives: deny by default, roles with OPD scope.

Each domain has its own ``permissions.py`` with ``can_<verb>_<thing>(user, obj)`` built on these.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

__all__ = [
    "covers_opd",
    "has_any_role",
    "is_authenticated",
    "require",
    "roles_required",
]


def is_authenticated(user) -> bool:
    """Return whether ``user`` is a logged-in, enabled account."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def has_any_role(user, *roles: str) -> bool:
    """Return whether an authenticated ``user`` holds one of ``roles``."""
    return is_authenticated(user) and user.has_role(*roles)


def covers_opd(user, role: str, opd_id: int | None) -> bool:
    """Return whether ``user`` holds ``role`` with a scope that includes OPD ``opd_id``."""
    if not is_authenticated(user) or not user.has_role(role):
        return False
    scope = user.scope_units(role)
    if scope is None:
        return True
    return opd_id is not None and opd_id in scope


def require(allowed: bool, message: str | None = None) -> None:
    """Abort with 403 unless ``allowed``."""
    if not allowed:
        abort(403, description=message) if message else abort(403)


def roles_required(*roles: str) -> Callable:
    """View decorator: only authenticated users holding one of ``roles`` get through."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not is_authenticated(current_user):
                abort(401)
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
