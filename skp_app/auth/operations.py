"""Account operations: authenticate, change password, roles, API tokens."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from skp_app.audit.operations import record
from skp_app.auth.models import ROLES, SCOPED_ROLES, ApiToken, RoleAssignment, User
from skp_app.timeutil import utcnow

__all__ = [
    "AuthError",
    "authenticate",
    "change_password",
    "create_api_token",
    "create_user",
    "grant_role",
    "hash_password",
    "validate_password",
]

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 8
# A fixed hash so that unknown usernames cost the same time as known ones.
_DUMMY_HASH = generate_password_hash("dummy-password-for-timing")


class AuthError(Exception):
    """An account operation was refused; the message is for the user."""


def hash_password(password: str) -> str:
    """Return the scrypt hash of ``password``."""
    return generate_password_hash(password)


def validate_password(password: str) -> None:
    """Raise AuthError unless ``password`` is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"Kata sandi minimal {MIN_PASSWORD_LENGTH} karakter.")
    if password.isdigit() or password.isalpha():
        raise AuthError("Kata sandi harus memuat huruf dan angka.")


def normalize_login(text: str) -> str:
    """Return the login name: a NIP typed with spaces becomes 18 digits."""
    value = (text or "").strip()
    compact = re.sub(r"[\s.\-]", "", value)
    if compact.isdigit():
        return compact
    return value.lower()


def authenticate(session: Session, login: str, password: str) -> User:
    """Return the user for ``login`` (username or NIP) and ``password`` or raise AuthError."""
    name = normalize_login(login)
    user = session.scalar(select(User).where(func.lower(User.username) == name))
    now = utcnow()
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        raise AuthError("NIP/nama pengguna atau kata sandi salah.")
    if user.locked_until and user.locked_until > now:
        raise AuthError("Akun dikunci sementara karena terlalu banyak percobaan. Coba lagi nanti.")
    if not check_password_hash(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
        raise AuthError("NIP/nama pengguna atau kata sandi salah.")
    if not user.is_enabled:
        raise AuthError("Akun ini dinonaktifkan. Hubungi admin BKPSDM.")
    from skp_app.auth.access import passes_access_checks

    if not passes_access_checks(user):
        raise AuthError(
            "Status kepegawaian Anda tidak aktif sehingga akun tidak dapat digunakan. "
            "Hubungi BKPSDM."
        )
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Change the password after checking the current one; revokes the other sessions."""
    if not check_password_hash(user.password_hash, current):
        raise AuthError("Kata sandi lama salah.")
    if current == new:
        raise AuthError("Kata sandi baru harus berbeda dari yang lama.")
    validate_password(new)
    user.password_hash = hash_password(new)
    user.session_version += 1
    record(
        session, "auth.password_changed", "user", user.id, actor=user, summary="Ganti kata sandi"
    )
    session.flush()


def create_user(
    session: Session,
    username: str,
    password: str,
    *,
    pegawai_id: int | None = None,
    display_name: str = "",
    roles: list[tuple[str, int | None]] | None = None,
    actor=None,
    password_hash: str | None = None,
) -> User:
    """Create an account with optional roles ``[(role, opd_unit_id | None), …]``."""
    user = User(
        username=normalize_login(username),
        password_hash=password_hash or hash_password(password),
        pegawai_id=pegawai_id,
        display_name=display_name or username,
    )
    session.add(user)
    session.flush()
    for role, unit_id in roles or []:
        grant_role(session, user, role, unit_id, actor=actor, audit=False)
    record(
        session,
        "auth.user_created",
        "user",
        user.id,
        actor=actor,
        after={"username": user.username, "roles": roles or []},
    )
    return user


def grant_role(
    session: Session,
    user: User,
    role: str,
    unit_id: int | None = None,
    *,
    actor=None,
    audit: bool = True,
) -> RoleAssignment:
    """Give ``user`` a role, scoped to an OPD for opd_operator/evaluator."""
    if role not in ROLES or role == "pegawai":
        raise AuthError(f"Peran tidak dikenal: {role}")
    if role == "opd_operator" and unit_id is None:
        raise AuthError("Operator OPD harus dibatasi pada satu OPD.")
    if role not in SCOPED_ROLES:
        unit_id = None
    assignment = RoleAssignment(user_id=user.id, role=role, unit_id=unit_id)
    session.add(assignment)
    user.roles.append(assignment)
    if audit:
        record(
            session,
            "auth.role_granted",
            "user",
            user.id,
            actor=actor,
            after={"role": role, "unit_id": unit_id},
        )
    session.flush()
    return assignment


def create_api_token(session: Session, user: User, name: str) -> str:
    """Create an API token for ``user`` and return it (shown once; only its hash is kept)."""
    token = "skp_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, name=name, token_hash=ApiToken.hash(token)))
    record(session, "auth.api_token_created", "user", user.id, actor=user, after={"name": name})
    session.flush()
    return token
