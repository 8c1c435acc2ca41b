"""Peta merit: set-based page queries agree with the full computation; the talent grid of a
large scope comes from a background job, started only by a POST."""

from __future__ import annotations

import pytest

from skp_app.dashboard import merit
from skp_app.dashboard import queries as q
from skp_app.dashboard.jobs import start_merit_grid
from skp_app.jobs.models import Job
from skp_app.realization.scoring import Predikat
from tests.dashboard.conftest import TAHUN, today_wib
from tests.helpers import TEST_PASSWORD, csrf_token_from

Q = "tahun=2026&bulan=3"


def _period(session, bulan=3):
    return q.choose_period(session, TAHUN, bulan, today_wib())


def _text(resp) -> str:
    return resp.get_data(as_text=True)


def _grid_jobs(session) -> int:
    session.expire_all()
    return session.query(Job).filter(Job.kind == merit.MERIT_JOB).count()


@pytest.mark.parametrize("scope", ["all", "a", "b"])
def test_distributions_by_sql_match_the_full_computation(regency, session, scope):
    scope = {"all": None, "a": {regency.opd_a.id}, "b": {regency.opd_b.id}}[scope]
    period = _period(session)
    keys, labels = merit.merit_keys(session, scope)
    full = merit.merit_data(session, period, scope)
    assert keys == full.keys and labels == full.labels
    for key in keys:
        chosen = merit.merit_data(session, period, scope, selected=key.code)
        assert merit.merit_distributions(session, key, scope) == (
            chosen.by_opd,
            chosen.by_level,
            chosen.by_golongan,
        )
    assert merit.merit_distributions(session, None, scope) == ([], [], [])


def test_the_latest_final_evaluation_counts_once_per_employee(regency, session):
    from datetime import date

    from skp_app.planning.models import Skp
    from skp_app.realization.models import Evaluasi

    # Budi moved mid-year: his earlier SKP of 2026 (closed, not current) was also evaluated.
    earlier = Skp(
        periode_id=regency.periode.id,
        pegawai_id=regency.budi.id,
        unit_id=regency.budi.unit_id,
        opd_id=regency.opd_a.id,
        status="ditutup",
        is_current=False,
        tanggal_mulai=date(TAHUN, 1, 1),
        tanggal_selesai=date(TAHUN, 6, 30),
    )
    session.add(earlier)
    session.flush()
    session.add(
        Evaluasi(
            skp_id=earlier.id,
            jenis="tahunan",
            periode_ke=0,
            tahun=TAHUN,
            rating_hasil=1,
            rating_perilaku=1,
            predikat=1,
            status="final",
        )
    )
    session.commit()
    key = merit.EvalKey(TAHUN, True, 0)
    by_opd, _level, _gol = merit.merit_distributions(session, key, None)
    counts = dict(by_opd)["Dinas Komunikasi dan Informatika"]
    assert sum(counts.values()) == 2  # Budi and Siti
    assert counts[Predikat.SANGAT_BAIK] == 1  # Budi's latest evaluation
    full = merit.merit_data(session, _period(session), None, selected=key.code)
    assert dict(full.by_opd) == dict(by_opd)


def test_one_page_of_people_has_the_same_values_as_the_full_list(regency, session):
    period = _period(session)
    full = merit.merit_data(session, period, None).people
    seen = []
    for number in (1, 2, 3):
        page = merit.merit_people_page(session, period, None, page=number, per_page=3)
        assert page.total == 7 and page.pages == 3 and page.page == number
        seen += page.people
    assert [p.pegawai_id for p in seen] == [p.pegawai_id for p in full]
    for mine, theirs in zip(seen, full, strict=True):
        assert (mine.nama, mine.capaian, mine.trend, mine.history, mine.golongan) == (
            theirs.nama,
            theirs.capaian,
            theirs.trend,
            theirs.history,
            theirs.golongan,
        )
    assert merit.merit_people_page(session, period, None, page=99, per_page=3).page == 3


def test_people_search_by_name_title_and_nip_prefix(regency, session):
    period = _period(session)
    by_name = merit.merit_people_page(session, period, None, term="budi")
    assert [p.nama for p in by_name.people] == ["Budi Santoso"]
    by_title = merit.merit_people_page(session, period, None, term="s.kom")
    assert [p.nama for p in by_title.people] == ["Siti Rahmawati, S.Kom."]
    by_nip = merit.merit_people_page(session, period, None, term=regency.budi.nip[:16])
    assert regency.budi.id in {p.pegawai_id for p in by_nip.people}
    assert merit.merit_people_page(session, period, None, term="%").total == 0
    assert merit.merit_people_count(session, {regency.opd_b.id}, "budi") == 0


def test_both_ways_of_reading_capaian_agree_to_the_last_digit(regency, session):
    from decimal import Decimal

    from skp_app.planning.models import Iki, Rhk
    from skp_app.realization.models import Realisasi

    iki = session.query(Iki).join(Rhk).filter(Rhk.skp_id == regency.skp_agus.id).one()
    for bulan, nilai in ((1, "0.1"), (2, "0.2")):  # an inexact float sum on SQLite
        session.add(
            Realisasi(
                iki_id=iki.id,
                skp_id=regency.skp_agus.id,
                tahun=TAHUN,
                bulan=bulan,
                nilai=Decimal(nilai),
                status="terverifikasi",
            )
        )
    # Siti's and Budi's IKI measure quality: the latest VERIFIED month counts, not the sum.
    for skp, march in ((regency.skp_siti, "2"), (regency.skp_budi, None)):
        other = session.query(Iki).join(Rhk).filter(Rhk.skp_id == skp.id).one()
        other.aspek = "kualitas"
        if march:
            session.query(Realisasi).filter_by(iki_id=other.id, bulan=3).one().nilai = march
    session.commit()
    period = _period(session)
    everyone = [p.pegawai_id for p in merit.merit_data(session, period, None).people]
    by_ids = merit._capaian(session, period, everyone)
    by_subquery = merit._capaian(session, period, merit._in_scope_people(None))
    assert by_ids == by_subquery
    assert by_ids[regency.agus.id] == Decimal("1.3") * 100 / Decimal("0.25")  # 1.3 of ¼ of 1
    assert by_ids[regency.siti.id] == Decimal(2) * 100 / 12  # March, not 1 + 1 + 2
    assert by_ids[regency.budi.id] == Decimal(1) * 100 / 12  # February: March is not verified


def test_small_scope_computes_the_grid_while_the_page_loads(regency, client, login, session):
    login(regency.users.op_a)
    html = _text(client.get(f"/peta-merit?{Q}"))
    assert 'id="dash-merit-talenta-data"' in html
    assert "Hitung ulang" not in html and "dash-merit-dihitung" not in html
    assert _grid_jobs(session) == 0


def test_large_scope_grid_comes_from_the_background_job(
    regency, client, login, session, monkeypatch
):
    monkeypatch.setattr(merit, "LIVE_GRID_MAX", 0)
    login(regency.users.hr)
    html = _text(client.get(f"/peta-merit?{Q}"))
    assert 'id="dash-merit-belum"' in html and "Hitung sekarang" in html
    assert 'id="dash-merit-talenta-data"' not in html
    assert "Budi Santoso" in html  # the rest of the page does not wait for the grid
    assert _grid_jobs(session) == 0  # a GET never starts the job

    resp = client.post(f"/peta-merit/hitung-ulang?{Q}&opd=")
    assert resp.status_code == 303 and "/peta-merit?" in resp.headers["Location"]
    job = session.query(Job).filter(Job.kind == merit.MERIT_JOB).one()
    assert job.status == "done" and job.params == {"tahun": 2026, "bulan": 3}
    assert job.result["people"] == 7

    html = _text(client.get(f"/peta-merit?{Q}"))
    assert 'id="dash-merit-dihitung"' in html and "Hitung ulang" in html
    assert 'id="dash-merit-talenta-data"' in html
    talenta = html.split('id="dash-merit-talenta"', 1)[1].split("</article>", 1)[0]
    assert "Budi Santoso" in talenta
    assert _text(client.get("/peta-merit?tahun=2026&bulan=2")).count("Hitung sekarang") == 1


def test_precomputed_grid_equals_the_live_one_for_every_scope(regency, session, monkeypatch):
    period = _period(session)
    start_merit_grid(session, TAHUN, 3, user=regency.users.hr)
    for scope in (None, {regency.opd_a.id}, {regency.opd_b.id}):
        live, _ = merit.talent_grid(session, period, scope, people=1)
        stored, pending = merit.talent_grid(session, period, scope, people=10**6)
        assert pending is None and stored.computed_at is not None and live.computed_at is None
        assert stored.counts == live.counts and stored.names == live.names
        assert stored.unplaced == live.unplaced
    everyone, _ = merit.talent_grid(session, period, None, people=1)
    assert everyone.total + everyone.unplaced == 7


def test_a_second_recompute_while_one_waits_reuses_it(regency, session):
    waiting = Job(kind=merit.MERIT_JOB, params={"tahun": 2026, "bulan": 3}, status="queued")
    session.add(waiting)
    session.commit()
    assert start_merit_grid(session, 2026, 3, user=None).id == waiting.id
    assert start_merit_grid(session, 2026, 4, user=None).id != waiting.id
    _grid, pending = merit.talent_grid(session, _period(session), None, people=10**6)
    assert pending is not None and pending.job_id == waiting.id


@pytest.mark.parametrize(
    "who,status",
    [("hr", 303), ("op_a", 303), ("pimpinan", 303), ("eval_a", 403), ("budi", 403), ("plain", 403)],
)
def test_only_merit_readers_recompute_the_grid(regency, client, login, session, who, status):
    login(getattr(regency.users, who))
    assert client.post(f"/peta-merit/hitung-ulang?{Q}").status_code == status
    assert _grid_jobs(session) == (1 if status == 303 else 0)
    assert client.get(f"/peta-merit/hitung-ulang?{Q}").status_code == 405


def test_recompute_with_csrf_on(regency, csrf_app, session, monkeypatch):
    monkeypatch.setattr(merit, "LIVE_GRID_MAX", 0)
    client = csrf_app.test_client()
    token = csrf_token_from(_text(client.get("/login")))
    client.post(
        "/login",
        data={"login": regency.users.hr.username, "password": TEST_PASSWORD, "csrf_token": token},
    )
    html = _text(client.get(f"/peta-merit?{Q}"))
    assert client.post(f"/peta-merit/hitung-ulang?{Q}").status_code == 400
    assert _grid_jobs(session) == 0
    resp = client.post(f"/peta-merit/hitung-ulang?{Q}", data={"csrf_token": csrf_token_from(html)})
    assert resp.status_code == 303
    assert "dash-merit-dihitung" in _text(client.get(f"/peta-merit?{Q}"))
