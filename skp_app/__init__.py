"""SKP Cascade: performance planning, cascading and evaluation for regional governments."""

from __future__ import annotations

import logging
import secrets
from importlib import import_module
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from skp_app.config import BASE_DIR, check_config, load_config

__all__ = ["create_app"]

# Domain packages with an HTML blueprint ``views.bp`` and/or an API blueprint ``api.blp``.
# A package that does not (yet) have one is skipped.
DOMAINS = ("auth", "org", "audit", "planning", "cascading", "realization", "sync", "dashboard")
# Further modules exposing an HTML ``bp`` and/or an API ``blp`` (imported optionally).
EXTRA_BLUEPRINTS = ("skp_app.realization.evaluation_views", "skp_app.realization.evaluation_api")


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, error handlers, commands."""
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder="static",
        instance_path=str(BASE_DIR / "instance"),
    )
    app.config.update(load_config())
    if test_config:
        app.config.update(test_config)
    _ensure_secret(app)
    check_config(app.config)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_template_helpers(app)
    return app


def _ensure_secret(app: Flask) -> None:
    """Outside production, keep a generated secret in ``instance/secret_key``."""
    if app.config.get("SECRET_KEY") or app.config.get("SKP_ENV") == "production":
        return
    path = Path(app.instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    app.config["SECRET_KEY"] = path.read_text().strip()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):  # noqa: ARG001
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def register_extensions(app: Flask) -> None:
    from skp_app.auth.access import init_auth
    from skp_app.extensions import api, csrf, db, migrate

    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and ":memory:" not in uri:
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if uri.startswith("postgresql://"):
        app.config["SQLALCHEMY_DATABASE_URI"] = uri.replace(
            "postgresql://", "postgresql+psycopg://", 1
        )
    if uri.startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 10}}
    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    init_auth(app)
    api.init_app(app)
    import_module("skp_app.org.access")
    _import_models()


def _import_models() -> None:
    for name in DOMAINS + ("jobs",):
        _optional(f"skp_app.{name}.models")


def _optional(module: str):
    """Import ``module`` if it exists (a domain may not have views, api or cli yet)."""
    try:
        return import_module(module)
    except ModuleNotFoundError as exc:
        # Only a missing module (or its missing package) is optional; a broken import is not.
        if exc.name is None or not module.startswith(exc.name):
            raise
        return None


def register_blueprints(app: Flask) -> None:
    from skp_app.extensions import api
    from skp_app.main import bp as main_bp
    from skp_app.static_assets import bp as assets_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(assets_bp)
    for name in DOMAINS:
        views = _optional(f"skp_app.{name}.views")
        if views is not None and hasattr(views, "bp"):
            app.register_blueprint(views.bp)
        api_mod = _optional(f"skp_app.{name}.api")
        if api_mod is not None and hasattr(api_mod, "blp"):
            api.register_blueprint(api_mod.blp)
    for module in EXTRA_BLUEPRINTS:
        extra = _optional(module)
        if extra is not None and hasattr(extra, "bp"):
            app.register_blueprint(extra.bp)
        if extra is not None and hasattr(extra, "blp"):
            api.register_blueprint(extra.blp)


def register_errorhandlers(app: Flask) -> None:
    from skp_app.apidocs import api_error, is_api_request, render_error

    @app.errorhandler(Exception)
    def _unhandled(error: Exception):
        from werkzeug.exceptions import HTTPException

        if isinstance(error, HTTPException):
            from skp_app.extensions import api

            return api.handle_http_exception(error)
        logging.getLogger("skp_app").exception("unhandled error")
        from skp_app.extensions import db

        db.session.rollback()
        if app.config.get("PROPAGATE_EXCEPTIONS"):
            raise error
        return api_error(500) if is_api_request() else render_error(500)


def register_commands(app: Flask) -> None:
    for name in DOMAINS + ("demo", "jobs"):
        cli = _optional(f"skp_app.{name}.cli")
        if cli is not None and hasattr(cli, "cli"):
            app.cli.add_command(cli.cli)


def register_template_helpers(app: Flask) -> None:
    from skp_app.templating import init_templating

    init_templating(app)
