import pytest

from skp_app import create_app
from skp_app.audit.models import AuditEvent, AuditLogIsAppendOnly
from skp_app.audit.operations import record
from skp_app.config import ConfigError


def test_production_refuses_to_start_without_a_real_secret(monkeypatch):
    monkeypatch.setenv("SKP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    monkeypatch.setenv("SECRET_KEY", "change-me")
    with pytest.raises(ConfigError):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_unknown_page_gets_indonesian_404(client):
    resp = client.get("/tidak-ada")
    assert resp.status_code == 404
    assert "Halaman tidak ditemukan" in resp.get_data(as_text=True)


def test_api_errors_use_the_json_shape(client):
    resp = client.get("/api/v1/tidak-ada")
    assert resp.status_code == 404
    assert set(resp.get_json()) == {"error", "message", "fields"}


def test_openapi_document_is_served(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    assert resp.get_json()["openapi"].startswith("3.")


def test_plotly_is_served_locally_with_long_cache(app, client):
    from flask import url_for

    with app.test_request_context():
        url = url_for("assets.plotly_js")
    resp = client.get(url)
    assert resp.status_code == 200
    assert "max-age=31536000" in resp.headers["Cache-Control"]
    assert b"plotly" in resp.data[:2000].lower()


def test_audit_events_cannot_be_changed_or_deleted(session):
    event = record(session, "test.action", "thing", 1, actor="sistem", after={"a": 1})
    session.commit()
    event.summary = "diubah"
    with pytest.raises(AuditLogIsAppendOnly):
        session.flush()
    session.rollback()
    session.delete(session.get(AuditEvent, event.id))
    with pytest.raises(AuditLogIsAppendOnly):
        session.flush()
    session.rollback()


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
