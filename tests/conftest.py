"""Shared fixtures: the app on a fresh database, clients, logins and factories.

The suite runs on SQLite always; with ``SKP_TEST_DATABASE_URL`` set (CI does, on PostgreSQL)
``pytest --db=postgres`` or ``SKP_TEST_DB=postgres`` runs it on that server instead.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, text

from skp_app import create_app
from skp_app.auth.operations import create_user, hash_password
from skp_app.extensions import db as _db
from skp_app.org.models import Instansi, Jabatan, Pegawai, UnitOrganisasi
from tests.helpers import TEST_PASSWORD, _seq, csrf_token_from, make_nip  # noqa: F401

_PASSWORD_HASH = hash_password(TEST_PASSWORD)


def _database_url(tmp_path_factory) -> str:
    if os.environ.get("SKP_TEST_DB") == "postgres":
        url = os.environ.get("SKP_TEST_DATABASE_URL")
        if not url:
            pytest.exit("SKP_TEST_DB=postgres needs SKP_TEST_DATABASE_URL", returncode=2)
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        return _worker_database(url, worker) if worker else url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


class FreshContextClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    Each request therefore gets its own database session and its own ``g`` (Flask-Login caches
    the user there). Commit test data before a request; the test's session is expired after
    each request so it re-reads what the request wrote.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        _db.session.expire_all()
        return response


def _worker_database(url: str, worker: str) -> str:
    """Give each xdist worker its own PostgreSQL database next to the configured one."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists.scalar() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    return _database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def _app_session(database_url, tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-" + "x" * 32,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SKP_JOBS_EAGER": True,
            "WTF_CSRF_ENABLED": False,
            "SKP_UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
            "SERVER_NAME": None,
        }
    )
    app.test_client_class = FreshContextClient
    with app.app_context():
        _db.drop_all()
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


def _truncate_all() -> None:
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    if _db.engine.dialect.name == "postgresql":
        # DELETE with the FK triggers off is ~50x cheaper than TRUNCATE on near-empty tables
        # (TRUNCATE makes new files for every table); only used sequences are restarted.
        _db.session.execute(text("SET LOCAL session_replication_role = replica"))
        _db.session.execute(text("; ".join(f"DELETE FROM {t}" for t in tables)))  # noqa: S608
        used = (
            _db.session.execute(
                text(
                    "SELECT sequencename FROM pg_sequences"
                    " WHERE schemaname = current_schema() AND last_value IS NOT NULL"
                )
            )
            .scalars()
            .all()
        )
        if used:
            _db.session.execute(text("; ".join(f"ALTER SEQUENCE {s} RESTART" for s in used)))
    else:
        _db.session.execute(text("PRAGMA foreign_keys=OFF"))
        for t in tables:
            _db.session.execute(text(f"DELETE FROM {t}"))  # noqa: S608
        _db.session.execute(text("PRAGMA foreign_keys=ON"))
    _db.session.commit()


@pytest.fixture
def app(_app_session):
    """The application with an empty database (tables emptied after each test)."""
    _app_session.config["WTF_CSRF_ENABLED"] = False
    ctx = _app_session.app_context()
    ctx.push()
    yield _app_session
    _db.session.rollback()
    _db.session.remove()
    _truncate_all()
    ctx.pop()


@pytest.fixture
def csrf_app(app):
    """The application with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def session(app):
    return _db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def login(client):
    """``login(user_or_username)`` logs the test client in as that account."""

    def _login(user, password: str = TEST_PASSWORD, c=None):
        _db.session.commit()
        target = c or client
        username = user if isinstance(user, str) else user.username
        resp = target.post("/login", data={"login": username, "password": password})
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
        return target

    return _login


# --- factories -------------------------------------------------------------------------------


@pytest.fixture
def instansi(session):
    row = Instansi(nama="Pemerintah Kabupaten Sukamaju", jenis="kabupaten", ibukota="Sukamaju")
    session.add(row)
    session.flush()
    return row


@pytest.fixture
def make_unit(session, instansi):
    def _make(
        nama: str = "Dinas Komunikasi dan Informatika",
        *,
        parent=None,
        is_opd=None,
        jenis=None,
        **kw,
    ) -> UnitOrganisasi:
        opd = is_opd if is_opd is not None else parent is None
        unit = UnitOrganisasi(
            instansi_id=instansi.id,
            parent_id=parent.id if parent else None,
            nama=nama,
            jenis=jenis or ("opd" if opd else "bidang"),
            is_opd=opd,
            **kw,
        )
        session.add(unit)
        session.flush()
        unit.opd_id = unit.id if opd else (parent.opd_id if parent else None)
        session.flush()
        return unit

    return _make


@pytest.fixture
def make_jabatan(session):
    def _make(
        nama: str = "Pranata Komputer Ahli Pertama", *, unit, jenis="fungsional", atasan=None, **kw
    ) -> Jabatan:
        row = Jabatan(
            nama=nama, jenis=jenis, unit_id=unit.id, atasan_id=atasan.id if atasan else None, **kw
        )
        session.add(row)
        session.flush()
        return row

    return _make


@pytest.fixture
def make_pegawai(session, make_unit):
    """``make_pegawai(**overrides)``: an active PNS with a valid NIP."""

    def _make(**overrides) -> Pegawai:
        if "unit" in overrides:
            overrides["unit_id"] = overrides.pop("unit").id
        if "jabatan" in overrides:
            jab = overrides.pop("jabatan")
            overrides["jabatan_id"] = jab.id
            overrides.setdefault("unit_id", jab.unit_id)
        if "unit_id" not in overrides:
            overrides["unit_id"] = make_unit().id
        gender = overrides.pop("gender", 1)
        values = dict(
            nip=make_nip(gender=gender),
            nama="Budi Santoso",
            jenis_kelamin="L" if gender == 1 else "P",
            tanggal_lahir=date(1986, 2, 16),
            tempat_lahir="Sukamaju",
            jenis_asn="PNS",
            golongan_id=32,
            tmt_cpns=date(2010, 3, 1),
            kedudukan_hukum_id="01",
        )
        values.update(overrides)
        row = Pegawai(**values)
        session.add(row)
        session.flush()
        return row

    return _make


@pytest.fixture
def make_user(session):
    """``make_user(username, roles=[(role, unit_id)], pegawai=None)``; password TEST_PASSWORD."""

    def _make(username: str | None = None, *, roles=(), pegawai: Pegawai | None = None):
        name = username or (pegawai.nip if pegawai is not None else f"user{next(_seq)}")
        user = create_user(
            session,
            name,
            TEST_PASSWORD,
            pegawai_id=pegawai.id if pegawai else None,
            display_name=pegawai.nama if pegawai else name,
            roles=list(roles),
            password_hash=_PASSWORD_HASH,
        )
        session.commit()
        return user

    return _make


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counter: ...`` then ``counter.count`` statements run."""

    @contextmanager
    def _count():
        class Counter:
            count = 0
            statements: list[str] = []

        counter = Counter()
        counter.statements = []

        def _on_execute(conn, cursor, statement, *args):  # noqa: ARG001
            counter.count += 1
            counter.statements.append(statement)

        engine = _db.engine
        event.listen(engine, "before_cursor_execute", _on_execute)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", _on_execute)

    return _count
