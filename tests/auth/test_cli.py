import json

from skp_app.auth.models import User


def test_user_create_grant_and_token_for_api(runner, client, session):
    result = runner.invoke(
        args=["user", "create", "bkpsdm", "--role", "hr", "--password", "Kepegawaian2026"]
    )
    assert result.exit_code == 0, result.output
    assert session.query(User).filter_by(username="bkpsdm").one().has_role("hr")
    result = runner.invoke(args=["user", "token", "bkpsdm", "--name", "simpeg", "--json"])
    token = json.loads(result.output)["token"]
    resp = client.get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200


def test_user_create_rejects_weak_password(runner):
    result = runner.invoke(
        args=["user", "create", "admin2", "--role", "admin", "--password", "abc"]
    )
    assert result.exit_code != 0
    assert "minimal 8 karakter" in result.output


def test_opd_operator_needs_an_opd(runner):
    result = runner.invoke(
        args=["user", "create", "op", "--role", "opd_operator", "--password", "Operator2026"]
    )
    assert result.exit_code != 0
    assert "dibatasi pada satu OPD" in result.output


def test_bad_bearer_token_gets_401_json(client):
    resp = client.post("/api/v1/tidak-ada", headers={"Authorization": "Bearer salah"})
    assert resp.status_code in (401, 404)
    assert set(resp.get_json()) == {"error", "message", "fields"}
