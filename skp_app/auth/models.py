"""Accounts, roles with their OPD scope, and API tokens."""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skp_app.extensions import db
from skp_app.timeutil import utcnow

ROLES = {
    "admin": "Administrator",
    "hr": "BKPSDM (Kepegawaian)",
    "opd_operator": "Operator OPD",
    "evaluator": "Evaluator",
    "pimpinan": "Pimpinan Daerah",
    "pegawai": "Pegawai",
}
SCOPED_ROLES = {"opd_operator", "evaluator"}


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # The employee this account belongs to (None for technical accounts such as admin).
    pegawai_id: Mapped[int | None] = mapped_column(
        ForeignKey("pegawai.id", ondelete="SET NULL"), unique=True, index=True
    )
    display_name: Mapped[str] = mapped_column(String(200), default="")
    is_enabled: Mapped[bool] = mapped_column(default=True)
    # Bumped to revoke every session of the account (password change, disable).
    session_version: Mapped[int] = mapped_column(default=1)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return bool(self.is_enabled)

    def role_names(self) -> set[str]:
        names = {r.role for r in self.roles}
        if self.pegawai_id is not None:
            names.add("pegawai")
        return names

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names() & set(roles))

    def scope_units(self, role: str) -> set[int] | None:
        """Return the OPD unit ids a scoped role covers; None means all units."""
        units: set[int] = set()
        for r in self.roles:
            if r.role != role:
                continue
            if r.unit_id is None:
                return None
            units.add(r.unit_id)
        return units

    @property
    def is_admin(self) -> bool:
        return self.has_role("admin")


class RoleAssignment(db.Model):
    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "role", "unit_id", name="uq_role_scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    # OPD scope for opd_operator / evaluator; None = every OPD.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit_organisasi.id"), index=True)

    user: Mapped[User] = relationship(back_populates="roles")


class ApiToken(db.Model):
    """A bearer token for API clients; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
