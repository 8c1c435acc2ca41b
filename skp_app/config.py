"""Settings read from the environment (documented in ``.env.example``)."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
INSECURE_SECRETS = {"", "dev", "change-me", "changeme", "secret"}


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _default_database_url() -> str:
    return f"sqlite:///{BASE_DIR / 'instance' / 'skp.db'}"


def load_config() -> dict:
    """Return the settings of this process, read from the environment."""
    env = os.environ.get("SKP_ENV", "development")
    return {
        "SKP_ENV": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY", ""),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL") or _default_database_url(),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "SKP_INSTANSI_NAMA": os.environ.get("SKP_INSTANSI_NAMA", ""),
        "SKP_UPLOAD_DIR": os.environ.get("SKP_UPLOAD_DIR", str(BASE_DIR / "instance" / "uploads")),
        "SKP_MAX_UPLOAD_MB": int(os.environ.get("SKP_MAX_UPLOAD_MB", "10")),
        "SKP_MAX_IMAGE_PIXELS": int(os.environ.get("SKP_MAX_IMAGE_PIXELS", "40000000")),
        "SKP_JOBS_EAGER": _bool("SKP_JOBS_EAGER", False),
        "SKP_JOB_STALE_MINUTES": int(os.environ.get("SKP_JOB_STALE_MINUTES", "30")),
        # Files written by background jobs (exports); empty = instance/job-files.
        "SKP_JOB_FILES_DIR": os.environ.get("SKP_JOB_FILES_DIR", ""),
        "SKP_JOB_FILES_DAYS": int(os.environ.get("SKP_JOB_FILES_DAYS", "7")),
        "SKP_PAGE_SIZE": int(os.environ.get("SKP_PAGE_SIZE", "50")),
        # Processes for a whole-periode cascade check; 0 = 2 on a machine with 2+ cores.
        "SKP_CASCADE_WORKERS": int(os.environ.get("SKP_CASCADE_WORKERS", "0")) or None,
        "SKP_SYNC_SIASN_SSO_URL": os.environ.get("SKP_SYNC_SIASN_SSO_URL", ""),
        "SKP_SYNC_SIASN_TOKEN_URL": os.environ.get("SKP_SYNC_SIASN_TOKEN_URL", ""),
        "SKP_SYNC_SIASN_API_URL": os.environ.get("SKP_SYNC_SIASN_API_URL", ""),
        "SKP_SYNC_SIASN_CLIENT_ID": os.environ.get("SKP_SYNC_SIASN_CLIENT_ID", ""),
        "SKP_SYNC_SIASN_CLIENT_SECRET": os.environ.get("SKP_SYNC_SIASN_CLIENT_SECRET", ""),
        "SKP_SYNC_SIASN_USERNAME": os.environ.get("SKP_SYNC_SIASN_USERNAME", ""),
        "SKP_SYNC_SIASN_PASSWORD": os.environ.get("SKP_SYNC_SIASN_PASSWORD", ""),
        "SKP_SYNC_SIMPEG_URL": os.environ.get("SKP_SYNC_SIMPEG_URL", ""),
        "SKP_SYNC_SIMPEG_TOKEN": os.environ.get("SKP_SYNC_SIMPEG_TOKEN", ""),
        "SKP_SYNC_SIASN_SSO_CLIENT_ID": os.environ.get("SKP_SYNC_SIASN_SSO_CLIENT_ID", ""),
        "SKP_SYNC_SIASN_SSO_TOKEN": os.environ.get("SKP_SYNC_SIASN_SSO_TOKEN", ""),
        "SKP_SYNC_SIMPEG_MAPPING": os.environ.get("SKP_SYNC_SIMPEG_MAPPING", ""),
        "SKP_SYNC_SIMPEG_PER_PAGE": int(os.environ.get("SKP_SYNC_SIMPEG_PER_PAGE", "100")),
        "SKP_SYNC_HTTP_TIMEOUT": float(os.environ.get("SKP_SYNC_HTTP_TIMEOUT", "30")),
        "SKP_SYNC_HTTP_RETRIES": int(os.environ.get("SKP_SYNC_HTTP_RETRIES", "3")),
        "SKP_SYNC_HTTP_BACKOFF": float(os.environ.get("SKP_SYNC_HTTP_BACKOFF", "0.5")),
        "SKP_SYNC_RATE_LIMIT": float(os.environ.get("SKP_SYNC_RATE_LIMIT", "5")),
        "SKP_SYNC_BATCH_SIZE": int(os.environ.get("SKP_SYNC_BATCH_SIZE", "2000")),
        "SKP_SYNC_MAX_UPLOAD_MB": int(os.environ.get("SKP_SYNC_MAX_UPLOAD_MB", "50")),
        "SKP_ATTENDANCE_MAX_UPLOAD_MB": int(os.environ.get("SKP_ATTENDANCE_MAX_UPLOAD_MB", "50")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SKP_SECURE_COOKIES", env == "production"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": int(os.environ.get("SKP_SESSION_HOURS", "12")) * 3600,
        "WTF_CSRF_CHECK_DEFAULT": False,  # enforced in a before_request hook (see auth)
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": (int(os.environ.get("SKP_MAX_UPLOAD_MB", "10")) + 1) * 1024 * 1024,
        "API_TITLE": "SKP Cascade API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
    }


class ConfigError(RuntimeError):
    """The settings are not safe to run with."""


def check_config(config: dict) -> None:
    """Refuse to start in production without a real secret key."""
    secret = config.get("SECRET_KEY") or ""
    if config.get("SKP_ENV") == "production" and (secret in INSECURE_SECRETS or len(secret) < 32):
        raise ConfigError(
            "SECRET_KEY must be set to a random value of at least 32 characters in production "
            "(python -c 'import secrets; print(secrets.token_hex(32))')."
        )
