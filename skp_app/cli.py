"""The ``skp`` console script: Flask's CLI bound to this application."""

from __future__ import annotations

from flask.cli import FlaskGroup


def _create_app():
    from skp_app import create_app

    return create_app()


cli = FlaskGroup(create_app=_create_app, help="SKP Cascade: perintah administrasi.")


def main() -> None:
    cli(prog_name="skp")
