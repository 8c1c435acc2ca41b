"""SIASN web service over real HTTP: tokens, expiry, retries, timeouts, rate limit, resume."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from skp_app.org.models import Jabatan, Pegawai, UnitOrganisasi
from skp_app.org.queries import superior_map
from skp_app.sync import engine, operations
from skp_app.sync.adapters import SyncSourceError
from skp_app.sync.adapters.siasn_api import SiasnApiAdapter
from skp_app.sync.models import SyncRun
from tests.sync.fakes import FakeSiasn, data_utama, hex_id, ref_unor, serve
from tests.sync.helpers import BIDANG_APTIKA, DISKOMINFO, SEKRETARIAT, nip_for

U_ROOT = hex_id("pemkab-sampel", upper=True)
U_DIS, U_SEK, U_APT = DISKOMINFO[0], SEKRETARIAT[0], BIDANG_APTIKA[0]
U_SUB = hex_id("subbag-umum-diskominfo")
SUB_NAMA = "SUB BAGIAN UMUM DAN PERENCANAAN DINAS KOMUNIKASI DAN INFORMATIKA"

KADIS = nip_for(date(1975, 5, 12), (1999, 3), 1, 1)
SEK = nip_for(date(1979, 8, 1), (2003, 1), 2, 2)
KASUBBAG = nip_for(date(1984, 2, 14), (2009, 4), 1, 1)
STAF = nip_for(date(1990, 11, 23), (2015, 3), 1, 3)
PRANATA = nip_for(date(1993, 10, 12), (2019, 3), 1, 1)
UNKNOWN = nip_for(date(1991, 6, 6), (2016, 6), 2, 9)
NIPS = [KADIS, SEK, KASUBBAG, STAF, PRANATA]


def _pns(nip):
    return hex_id("pns-" + nip, upper=True)


def make_fake() -> FakeSiasn:
    units = [
        ref_unor(U_ROOT, "PEMERINTAH KABUPATEN SAMPEL", None, None),
        ref_unor(
            U_DIS,
            DISKOMINFO[1],
            U_ROOT,
            U_DIS,
            "22",
            _pns(KADIS),
            "KEPALA DINAS KOMUNIKASI DAN INFORMATIKA",
        ),
        ref_unor(U_SEK, SEKRETARIAT[1], U_DIS, U_DIS, "31", _pns(SEK)),
        ref_unor(U_SUB, SUB_NAMA, U_SEK, U_DIS, "41", _pns(KASUBBAG)),
        ref_unor(U_APT, BIDANG_APTIKA[1], U_DIS, U_DIS, "31"),
    ]
    common = {"induk_id": U_DIS, "induk_nama": DISKOMINFO[1]}
    pegawai = {
        KADIS: data_utama(
            KADIS,
            "HENDRA WIJAYA",
            unor_id=U_DIS,
            unor_nama=DISKOMINFO[1],
            jabatan="KEPALA DINAS KOMUNIKASI DAN INFORMATIKA",
            jenis_jabatan="1",
            eselon_id="22",
            golongan_id="42",
            golongan="IV/b",
            gelar_depan="Dr.",
            gelar_belakang="M.T.",
            **common,
        ),
        SEK: data_utama(
            SEK,
            "RINA MARLINA",
            unor_id=U_SEK,
            unor_nama=SEKRETARIAT[1],
            jabatan="SEKRETARIS DINAS KOMUNIKASI DAN INFORMATIKA",
            jenis_jabatan="1",
            eselon_id="31",
            golongan_id="41",
            golongan="IV/a",
            gender="F",
            **common,
        ),
        KASUBBAG: data_utama(
            KASUBBAG,
            "BAMBANG SUPRIYADI",
            unor_id=U_SUB,
            unor_nama=SUB_NAMA,
            jabatan="KEPALA SUB BAGIAN UMUM DAN PERENCANAAN",
            jenis_jabatan="1",
            eselon_id="41",
            golongan_id="34",
            golongan="III/d",
            **common,
        ),
        STAF: data_utama(
            STAF,
            "AGUS PRASETYO",
            unor_id=U_SUB,
            unor_nama=SUB_NAMA,
            jabatan="PENGADMINISTRASI UMUM",
            jenis_jabatan="4",
            golongan_id="31",
            golongan="III/a",
            tmt_jabatan="01-01-0001",
            **common,
        ),
        PRANATA: data_utama(
            PRANATA,
            "NURUL HIDAYAH",
            unor_id=U_APT,
            unor_nama=BIDANG_APTIKA[1],
            jabatan="PRANATA KOMPUTER AHLI PERTAMA",
            jenis_jabatan="2",
            golongan_id="31",
            golongan="III/a",
            **common,
        ),
    }
    return FakeSiasn(units, pegawai)


@pytest.fixture
def fake_siasn(siasn_config):
    fake = make_fake()
    with serve(fake) as base:
        siasn_config(base)
        yield fake


def api_plan(session, app, nips=NIPS, **kw):
    return engine.plan(
        session, SiasnApiAdapter(app.config, nips), full_export=False, actor="tester", **kw
    )


def test_pull_plans_the_unit_tree_and_employees_with_both_tokens(session, app, fake_siasn):
    run = api_plan(session, app, [*NIPS, UNKNOWN])
    assert run.status == "planned"
    assert run.counts["new"] == 5 and run.counts["units_new"] == 5
    assert run.counts["missing"] == 1 and run.counts["invalid"] == 0
    assert fake_siasn.wso_issued == 1 and fake_siasn.sso_issued == 1
    api_calls = [e for e in fake_siasn.log if e["path"].startswith("/apisiasn/")]
    assert len(api_calls) == 7  # ref-unor + 6 data-utama
    for e in api_calls:
        assert e["authorization"].startswith("Bearer wso-")
        assert e["auth"].startswith("bearer sso-")

    engine.apply(session, run, actor="tester")
    units = {u.siasn_id: u for u in session.scalars(select(UnitOrganisasi))}
    assert units[U_ROOT].jenis == "pemda" and not units[U_ROOT].is_opd
    assert units[U_DIS].is_opd and units[U_DIS].parent_id == units[U_ROOT].id
    assert units[U_SUB].parent_id == units[U_SEK].id
    assert units[U_SUB].opd_id == units[U_SEK].opd_id == units[U_DIS].id
    assert units[U_SUB].eselon_id == "41"
    by_nip = {p.nip: p for p in session.scalars(select(Pegawai))}
    assert by_nip[KADIS].gelar_depan == "Dr." and by_nip[KADIS].golongan_id == 42
    assert by_nip[KADIS].jabatan.jenis == "jpt_pratama" and by_nip[KADIS].jabatan.is_kepala_unit
    assert by_nip[PRANATA].jabatan.jenis == "fungsional"
    assert by_nip[PRANATA].jabatan.jenjang == "PT"
    assert by_nip[STAF].tmt_jabatan is None  # 01-01-0001 is SIASN's empty date
    assert by_nip[SEK].jenis_kelamin == "P"
    sup = superior_map(session)
    assert sup[by_nip[STAF].id] == by_nip[KASUBBAG].id
    assert sup[by_nip[KASUBBAG].id] == by_nip[SEK].id
    assert sup[by_nip[SEK].id] == by_nip[KADIS].id
    assert sup[by_nip[PRANATA].id] == by_nip[KADIS].id  # the bidang has no head yet
    head = session.scalar(
        select(Jabatan).where(Jabatan.unit_id == units[U_SUB].id, Jabatan.is_kepala_unit.is_(True))
    )
    assert head.jenis == "pengawas"


def test_an_expired_token_is_refreshed_after_a_401(session, app, fake_siasn):
    fake_siasn.expire_wso_after = 3
    run = api_plan(session, app)
    assert run.counts["new"] == 5
    assert fake_siasn.wso_issued == 2
    assert sum(1 for e in fake_siasn.log if e["path"] == "/oauth2/token") == 2


def test_a_server_error_mid_run_is_retried_then_succeeds(session, app, fake_siasn):
    path = f"/apisiasn/1.0/pns/data-utama/{KASUBBAG}"
    fake_siasn.fail[path] = [500, 502]
    run = api_plan(session, app)
    assert run.counts["new"] == 5
    assert sum(1 for e in fake_siasn.log if e["path"] == path) == 3


def test_a_timeout_is_retried(session, app, fake_siasn, siasn_config):
    app.config["SKP_SYNC_HTTP_TIMEOUT"] = 0.4
    path = f"/apisiasn/1.0/pns/data-utama/{STAF}"
    fake_siasn.delay[path] = [1.5]
    run = api_plan(session, app)
    assert run.counts["new"] == 5
    assert sum(1 for e in fake_siasn.log if e["path"] == path) == 2


def test_the_rate_limit_spaces_the_requests(session, app, fake_siasn):
    app.config["SKP_SYNC_RATE_LIMIT"] = 20
    api_plan(session, app)
    times = [e["at"] for e in fake_siasn.log]
    # 20 requests/s: eight requests cannot arrive in less than 7 × 50 ms (a lower bound only,
    # so a busy machine cannot make it fail).
    assert len(times) == 8
    assert times[-1] - times[0] >= 7 * 0.05 * 0.9


def test_a_failed_pull_resumes_from_its_checkpoint(session, app, fake_siasn):
    fake_siasn.down_after = 3  # the 4th data-utama call and later: 503
    run = operations.start_run(
        session,
        "siasn-api",
        actor="tester",
        full_export=False,
        nip_text="\n".join(NIPS),
        config=app.config,
    )
    session.commit()
    with pytest.raises(SyncSourceError, match="HTTP 503"):
        operations.plan_run(session, run, actor="tester", config=app.config, batch_size=2)
    run = session.get(SyncRun, run.id)
    # One batch of two committed, then the third record read before the outage is kept too.
    assert run.status == "plan_failed" and run.checkpoint["done"] == 3
    assert run.resume_point == {"done": 3, "page": None, "total_pages": None}
    first_attempt = [e["path"] for e in fake_siasn.log if "data-utama" in e["path"]]

    fake_siasn.down_after = None
    fake_siasn.log.clear()
    run = operations.plan_run(session, run, actor="tester", config=app.config, batch_size=2)
    assert run.status == "planned" and run.counts["new"] == 5
    fetched = [e["path"].rsplit("/", 1)[1] for e in fake_siasn.log if "data-utama" in e["path"]]
    nips = run.params["nips"]
    assert fetched == nips[3:]  # the three stored records were not fetched again
    assert len(first_attempt) > 3


def test_an_employee_siasn_does_not_know_is_marked_not_in_source(
    session, app, fake_siasn, make_pegawai
):
    ghost = make_pegawai(nip=UNKNOWN, nama="Pegawai Hantu")
    session.commit()
    nips, invalid = operations.api_nip_list(session, "\n".join(NIPS) + "\nbukan-nip")
    assert UNKNOWN in nips and invalid and "bukan-nip" in invalid[0]
    run = api_plan(session, app, nips)
    assert run.counts["not_in_source"] == 1
    engine.apply(session, run, actor="tester")
    session.refresh(ghost)
    assert ghost.not_in_source_since is not None and ghost.kedudukan_hukum_id == "01"


def test_wrong_credentials_fail_with_a_clear_message(session, app, fake_siasn):
    app.config["SKP_SYNC_SIASN_CLIENT_SECRET"] = "salah"
    with pytest.raises(SyncSourceError, match=r"gateway \(WSO2\) SIASN ditolak \(HTTP 401\)"):
        api_plan(session, app)


def test_missing_settings_are_named(app):
    app.config["SKP_SYNC_SIASN_API_URL"] = ""
    with pytest.raises(SyncSourceError, match="SKP_SYNC_SIASN_API_URL"):
        SiasnApiAdapter(app.config, NIPS)


def test_an_issued_sso_token_skips_the_password_grant(session, app, fake_siasn):
    fake_siasn.valid_sso.add("sso-terbit-bkn")
    app.config.update(SKP_SYNC_SIASN_SSO_TOKEN="sso-terbit-bkn", SKP_SYNC_SIASN_PASSWORD="")
    run = api_plan(session, app)
    assert run.counts["new"] == 5 and fake_siasn.sso_issued == 0
