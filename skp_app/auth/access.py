"""Session loading, bearer tokens, CSRF enforcement and the per-request access checks."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, g, request
from flask_login import current_user
from sqlalchemy import select

from skp_app.auth.models import ApiToken, User
from skp_app.extensions import csrf, db, login_manager
from skp_app.timeutil import utcnow

__all__ = ["init_auth", "passes_access_checks", "register_access_check"]

# Functions ``fn(user) -> bool`` that must all allow a user at every request (for example,
# org registers "the employee is still in active service").
_ACCESS_CHECKS: list[Callable[[User], bool]] = []
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def register_access_check(fn: Callable[[User], bool]) -> Callable[[User], bool]:
    """Add a check that every authenticated request must pass."""
    _ACCESS_CHECKS.append(fn)
    return fn


def passes_access_checks(user: User) -> bool:
    """Return whether every registered access check allows ``user``."""
    return all(check(user) for check in _ACCESS_CHECKS)


def _allowed(user: User | None) -> User | None:
    if user is None or not user.is_enabled or not passes_access_checks(user):
        return None
    return user


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        uid, version = (int(x) for x in user_id.split(":", 1))
    except ValueError:
        return None
    user = db.session.get(User, uid)
    if user is None or user.session_version != version:
        return None
    return _allowed(user)


@login_manager.request_loader
def load_user_from_bearer(req) -> User | None:
    header = req.headers.get("Authorization", "")
    if not header.lower().startswith("bearer ") or not req.path.startswith("/api/"):
        return None
    token = header.split(None, 1)[1].strip()
    row = db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == ApiToken.hash(token), ApiToken.revoked_at.is_(None)
        )
    )
    if row is None:
        return None
    row.last_used_at = utcnow()
    g.bearer_auth = True
    return _allowed(row.user)


def init_auth(app: Flask) -> None:
    """Bind Flask-Login and enforce CSRF on every state-changing request."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Silakan masuk untuk membuka halaman ini."
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import abort, flash, redirect, url_for

        if request.path.startswith("/api/"):
            abort(401)
        flash(login_manager.login_message, "warning")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @app.before_request
    def _csrf_and_identity():
        if request.method in SAFE_METHODS or not app.config.get("WTF_CSRF_ENABLED", True):
            return
        # API clients authenticated with a bearer token carry no cookie, hence no CSRF risk.
        if request.path.startswith("/api/") and request.headers.get(
            "Authorization", ""
        ).lower().startswith("bearer "):
            return
        csrf.protect()

    @app.context_processor
    def _inject_user():
        return {"current_user": current_user}
