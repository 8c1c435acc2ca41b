"""``skp user``: manage accounts and API tokens from the command line."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from skp_app.auth.models import ROLES, User
from skp_app.auth.operations import (
    AuthError,
    create_api_token,
    create_user,
    grant_role,
    validate_password,
)
from skp_app.extensions import db


@click.group("user", help="Kelola akun pengguna dan token API.")
def cli() -> None:
    pass


@cli.command("create")
@click.argument("username")
@click.option("--role", "roles", multiple=True, type=click.Choice(sorted(set(ROLES) - {"pegawai"})))
@click.option(
    "--opd",
    "opd_id",
    type=int,
    default=None,
    help="Batasi peran opd_operator/evaluator pada OPD ini.",
)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create(username: str, roles: tuple[str, ...], opd_id: int | None, password: str) -> None:
    """Create an account (technical or staff) with roles."""
    try:
        validate_password(password)
        if db.session.scalar(select(User).where(User.username == username.lower())):
            raise AuthError(f"Nama pengguna {username} sudah dipakai.")
        create_user(db.session, username, password, roles=[(r, opd_id) for r in roles], actor="cli")
    except AuthError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Akun {username} dibuat.")


@cli.command("grant")
@click.argument("username")
@click.argument("role", type=click.Choice(sorted(set(ROLES) - {"pegawai"})))
@click.option("--opd", "opd_id", type=int, default=None)
@with_appcontext
def grant(username: str, role: str, opd_id: int | None) -> None:
    """Give an existing account a role."""
    user = db.session.scalar(select(User).where(User.username == username.lower()))
    if user is None:
        raise click.ClickException(f"Akun {username} tidak ditemukan.")
    try:
        grant_role(db.session, user, role, opd_id, actor="cli")
    except AuthError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Peran {role} diberikan kepada {username}.")


@cli.command("token")
@click.argument("username")
@click.option("--name", default="cli", help="Nama token (mis. nama aplikasi klien).")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def token(username: str, name: str, as_json: bool) -> None:
    """Create an API bearer token for an account (shown once)."""
    user = db.session.scalar(select(User).where(User.username == username.lower()))
    if user is None:
        raise click.ClickException(f"Akun {username} tidak ditemukan.")
    value = create_api_token(db.session, user, name)
    db.session.commit()
    click.echo(json.dumps({"username": user.username, "token": value}) if as_json else value)
