"""Fixtures of the sync tests: SIASN export files, fake web-service settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sync.fakes import (
    CONSUMER_KEY,
    CONSUMER_SECRET,
    SIMPEG_TOKEN,
    SSO_CLIENT_ID,
    SSO_PASSWORD,
    SSO_USER,
)
from tests.sync.helpers import SAMPLES, write_csv


@pytest.fixture
def sample_csv() -> Path:
    path = SAMPLES / "siasn_export_sample.csv"
    if not path.exists():
        pytest.skip(f"sample file {path} is absent (../shared/samples beside the repository)")
    return path


@pytest.fixture
def csv_file(tmp_path):
    """``csv_file(rows, **options)`` writes a SIASN export and returns its path."""
    counter = iter(range(1, 1000))

    def _write(rows, name=None, **options):
        return write_csv(tmp_path / (name or f"export_{next(counter)}.csv"), rows, **options)

    return _write


@pytest.fixture
def siasn_config(app):
    """Point the SIASN settings at a fake server: ``siasn_config(base_url)``."""
    saved = dict(app.config)

    def _set(base, **extra):
        app.config.update(
            SKP_SYNC_SIASN_TOKEN_URL=f"{base}/oauth2/token",
            SKP_SYNC_SIASN_SSO_URL=f"{base}/sso/token",
            SKP_SYNC_SIASN_API_URL=f"{base}/apisiasn/1.0/",
            SKP_SYNC_SIASN_CLIENT_ID=CONSUMER_KEY,
            SKP_SYNC_SIASN_CLIENT_SECRET=CONSUMER_SECRET,
            SKP_SYNC_SIASN_SSO_CLIENT_ID=SSO_CLIENT_ID,
            SKP_SYNC_SIASN_USERNAME=SSO_USER,
            SKP_SYNC_SIASN_PASSWORD=SSO_PASSWORD,
            SKP_SYNC_SIASN_SSO_TOKEN="",
            SKP_SYNC_HTTP_TIMEOUT=2.0,
            SKP_SYNC_HTTP_RETRIES=3,
            SKP_SYNC_HTTP_BACKOFF=0.01,
            SKP_SYNC_RATE_LIMIT=0,
            **extra,
        )
        return app.config

    yield _set
    app.config.clear()
    app.config.update(saved)


@pytest.fixture
def simpeg_config(app):
    saved = dict(app.config)

    def _set(base, **extra):
        app.config.update(
            SKP_SYNC_SIMPEG_URL=f"{base}/api/v5.0/pegawai/",
            SKP_SYNC_SIMPEG_TOKEN=SIMPEG_TOKEN,
            SKP_SYNC_SIMPEG_PER_PAGE=3,
            SKP_SYNC_SIMPEG_MAPPING="",
            SKP_SYNC_HTTP_TIMEOUT=2.0,
            SKP_SYNC_HTTP_RETRIES=3,
            SKP_SYNC_HTTP_BACKOFF=0.01,
            SKP_SYNC_RATE_LIMIT=0,
            **extra,
        )
        return app.config

    yield _set
    app.config.clear()
    app.config.update(saved)
