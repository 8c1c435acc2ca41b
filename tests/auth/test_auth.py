import pytest

from skp_app.audit.models import AuditEvent
from skp_app.auth.models import User
from skp_app.auth.operations import AuthError, authenticate
from tests.helpers import TEST_PASSWORD, csrf_token_from


def test_login_by_nip_with_display_spaces_and_logout(client, make_pegawai, make_user, session):
    pegawai = make_pegawai(nama="Siti Rahmawati", gender=2)
    make_user(pegawai=pegawai)
    nip = pegawai.nip
    spaced = f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    resp = client.post("/login", data={"login": spaced, "password": TEST_PASSWORD})
    assert resp.status_code == 302
    assert client.get("/saya").status_code == 302  # redirects to the own profile
    profile = client.get(f"/pegawai/{pegawai.id}")
    assert profile.status_code == 200
    assert "Siti Rahmawati" in profile.get_data(as_text=True)
    assert client.get("/logout").status_code == 405  # no state change on GET
    assert client.post("/logout").status_code == 302
    assert client.get(f"/pegawai/{pegawai.id}").status_code == 302  # back to login


def test_wrong_password_is_refused_with_indonesian_message(client, make_user):
    make_user("bkpsdm", roles=[("hr", None)])
    resp = client.post("/login", data={"login": "bkpsdm", "password": "salah-sekali1"})
    assert resp.status_code == 200
    assert "kata sandi salah" in resp.get_data(as_text=True)


def test_account_locks_after_repeated_failures(session, make_user):
    make_user("operator.bappeda")
    for _ in range(5):
        with pytest.raises(AuthError):
            authenticate(session, "operator.bappeda", "keliru12345")
    with pytest.raises(AuthError, match="dikunci"):
        authenticate(session, "operator.bappeda", TEST_PASSWORD)


def test_login_form_requires_csrf_token(csrf_app, make_user):
    make_user("admin", roles=[("admin", None)])
    client = csrf_app.test_client()
    assert (
        client.post("/login", data={"login": "admin", "password": TEST_PASSWORD}).status_code == 400
    )
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    resp = client.post(
        "/login", data={"login": "admin", "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert resp.status_code == 302


def test_change_password_revokes_other_sessions(app, login, make_user, session):
    user = make_user("bkpsdm", roles=[("hr", None)])
    other = login(user, c=app.test_client())
    mine = login(user, c=app.test_client())
    resp = mine.post(
        "/akun/kata-sandi",
        data={"current": TEST_PASSWORD, "new": "BaruSekali2026", "confirm": "BaruSekali2026"},
    )
    assert resp.status_code == 302
    assert mine.get("/pegawai").status_code == 200
    assert other.get("/pegawai").status_code == 302  # old session no longer valid
    assert session.query(AuditEvent).filter_by(action="auth.password_changed").count() == 1


def test_change_password_rejects_weak_password(login, make_user):
    user = make_user("bkpsdm", roles=[("hr", None)])
    client = login(user)
    resp = client.post(
        "/akun/kata-sandi",
        data={"current": TEST_PASSWORD, "new": "12345678", "confirm": "12345678"},
    )
    assert "huruf dan angka" in resp.get_data(as_text=True)


def test_employee_who_retires_loses_access_at_next_request(login, make_pegawai, make_user, session):
    pegawai = make_pegawai()
    client = login(make_user(pegawai=pegawai))
    assert client.get(f"/pegawai/{pegawai.id}").status_code == 200
    pegawai.kedudukan_hukum_id = "99"  # Pensiun
    session.commit()
    assert client.get(f"/pegawai/{pegawai.id}").status_code == 302
    resp = client.post("/login", data={"login": pegawai.nip, "password": TEST_PASSWORD})
    assert resp.status_code == 200  # cannot log in again either


def test_open_redirect_after_login_is_refused(client, make_user):
    make_user("admin", roles=[("admin", None)])
    resp = client.post(
        "/login?next=https://evil.example/", data={"login": "admin", "password": TEST_PASSWORD}
    )
    assert resp.headers["Location"] == "/"


def test_disabled_account_cannot_log_in(client, make_user, session):
    user = make_user("evaluator", roles=[("evaluator", None)])
    session.get(User, user.id).is_enabled = False
    session.commit()
    resp = client.post("/login", data={"login": "evaluator", "password": TEST_PASSWORD})
    assert resp.status_code == 200


def test_session_cookie_is_httponly_and_samesite(client, make_user):
    make_user("admin", roles=[("admin", None)])
    resp = client.post("/login", data={"login": "admin", "password": TEST_PASSWORD})
    cookie = resp.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
