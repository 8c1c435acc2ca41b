"""The set-based loaders: the numbers they compute and the bounded number of queries they run."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

import pytest

from skp_app.dashboard import merit
from skp_app.dashboard import queries as q
from skp_app.planning.models import Iki, Rhk, Skp
from skp_app.realization.models import Aktivitas, Evaluasi, Realisasi
from skp_app.realization.scoring import Predikat
from tests.dashboard.conftest import TAHUN, today_wib


def _period(session, bulan=3):
    return q.choose_period(session, TAHUN, bulan, today_wib())


def test_period_defaults_to_this_year_and_month_or_the_latest_planned_year(regency, session):
    today = date(TAHUN, 5, 17)
    p = q.choose_period(session, None, None, today)
    assert (p.tahun, p.bulan, p.periode_id) == (TAHUN, 5, regency.periode.id)
    assert p.evaluation_period == 2  # triwulan II
    later = q.choose_period(session, None, None, date(TAHUN + 3, 2, 1))
    assert (later.tahun, later.bulan) == (TAHUN, 12)  # no period planned for that year
    assert q.choose_period(session, TAHUN, 13, today).bulan == 5


def test_regent_goal_capaian_rolls_up_jpt_rhk_through_opd_goals(regency, session):
    data = q.pimpinan_data(session, _period(session))
    (goal,) = data.goals
    # OPD A: 1.5 of 12 documents = 12.5 %; OPD B: 1 of 1 = 100 %; mean of the two OPD goals.
    assert goal.capaian == Decimal("56.25")
    trend = dict(goal.trend)
    assert round(trend[1], 2) == Decimal("4.17") and round(trend[2], 2) == Decimal("8.33")
    assert (goal.opd_goals, goal.rhk, goal.rhk_with_data) == (2, 2, 2)


def test_opd_ranking_skp_completion_and_early_warnings(regency, session):
    data = q.pimpinan_data(session, _period(session))
    by_id = {o.opd_id: o for o in data.opds}
    a, b = by_id[regency.opd_a.id], by_id[regency.opd_b.id]
    assert (a.capaian, b.capaian) == (Decimal("12.5"), Decimal(100))
    assert (a.wajib_skp, a.skp_disetujui) == (5, 4)
    assert (b.wajib_skp, b.skp_disetujui) == (2, 1)
    (warning,) = data.warnings
    assert warning.pegawai == "Ir. Hendra Gunawan"
    assert warning.proyeksi == Decimal(6)
    assert warning.target == Decimal(12)


def test_predikat_distribution_is_checked_against_the_organisation_curve(regency, session):
    data = q.pimpinan_data(session, _period(session))
    rows = {r.opd_id: r for r in data.predikat}
    a = rows[regency.opd_a.id]
    assert a.org_predikat == "Baik"
    assert a.counts[Predikat.BAIK] == 2 and a.total == 2
    assert len(a.violations) == 2  # maks 70% Baik; harus ada Butuh Perbaikan/Kurang
    assert a.limits[Predikat.BAIK] == (0, 1)
    assert rows[regency.opd_b.id].org_predikat is None
    assert data.predikat_basis == f"Evaluasi tahunan {TAHUN}"


def test_opd_data_counts_statuses_late_people_overdue_and_points(regency, session):
    settings = q.dashboard_settings(session)
    data = q.opd_data(session, _period(session), regency.opd_a.id, settings)
    assert data.status_counts["disetujui"] == 4 and data.status_counts["belum"] == 1
    assert [p.nama for p in data.no_skp] == ["Dewi Lestari"]
    assert (data.report_tahun, data.report_bulan) == (TAHUN, 3)
    assert [p.pegawai_id for p in data.late] == [regency.hostile.id]
    (siti,) = data.overdue
    assert siti.nama == "Siti Rahmawati, S.Kom." and siti.realisasi == 1
    assert siti.aktivitas == 2
    units = {u.unit_id: u for u in data.units}
    bidang = units[regency.bidang_a.id]
    assert bidang.pegawai == 4
    assert bidang.approved == Decimal(300) and bidang.pending == Decimal(120)
    kinds = {n["id"]: n for n in data.tree}
    assert kinds[f"og:{regency.oa1.id}"]["capaian"] == Decimal("12.5")
    assert (data.rhk_total, data.rhk_with_data) == (3, 3)


def test_report_month_is_the_previous_month_while_the_month_runs(regency, session):
    today = today_wib()
    period = q.choose_period(session, today.year, today.month, today)
    assert q.report_month(period) == q.previous_month(today.year, today.month)


def test_pegawai_data_targets_points_inbox_and_history(regency, session):
    settings = q.dashboard_settings(session)
    budi = q.pegawai_data(session, _period(session), regency.budi.id, settings)
    (target,) = budi.targets
    assert target.target == "12 Dokumen"
    assert (target.bulan_nilai, target.bulan_status) == (Decimal(1), "diajukan")
    assert target.kumulatif == Decimal(2)  # only verified months count
    assert round(target.capaian, 2) == Decimal("16.67")
    assert (budi.today_approved, budi.today_pending) == (Decimal(120), Decimal(60))
    assert budi.daily_target == 300 and budi.monthly_target == 6000
    assert ("Tahunan 2025", "Butuh Perbaikan") in budi.history
    siti = q.pegawai_data(session, _period(session), regency.siti.id, settings)
    assert siti.inbox == {"skp": 0, "realisasi": 1, "aktivitas": 2}


def test_hr_data_finds_missing_skp_blocked_cascades_and_data_gaps(regency, session):
    data = q.hr_data(session, _period(session))
    assert [p.nama for p in data.without_skp] == ["Dewi Lestari"]
    assert {p.pegawai_id for p in data.blocked} == {regency.hendra.id, regency.agus.id}
    assert {p.pegawai_id for p in data.no_superior} == {regency.hendra.id, regency.agus.id}
    assert [u.unit_id for u in data.units_without_head] == [regency.bidang_b.id]
    assert [v.jabatan_id for v in data.vacant] == [regency.kabid_b.id]
    (run,) = data.runs
    assert (run.changes, run.quarantined) == (3, 1)


def test_flagged_rhk_link_blocks_the_cascade(regency, session):
    rhk = session.query(Rhk).filter_by(skp_id=regency.skp_budi.id).first()
    rhk.link_flag = "parent_not_penilai"
    session.commit()
    data = q.hr_data(session, _period(session))
    budi = next(p for p in data.blocked if p.pegawai_id == regency.budi.id)
    assert "Tautan RHK" in budi.detail


def test_pengisian_stages_per_person_and_matrix(regency, session):
    people = q.pengisian_people(session, _period(session), None)
    by_id = {p.pegawai_id: p for p in people}
    budi = by_id[regency.budi.id]
    assert budi.stages == {
        "skp_disusun": True,
        "skp_diajukan": True,
        "skp_disetujui": True,
        "realisasi_diisi": True,
        "realisasi_terverifikasi": False,  # March is submitted, not yet verified
        "dievaluasi": True,  # triwulan I final
    }
    assert by_id[regency.rina.id].stages["skp_diajukan"] is False
    matrix = {m.opd_id: m for m in q.pengisian_matrix(people, q.opd_options(session, None))}
    a = matrix[regency.opd_a.id]
    assert a.total == 5
    assert a.done["skp_disetujui"] == 4 and a.done["realisasi_terverifikasi"] == 2


def test_pengisian_scope_keeps_other_opds_out(regency, session):
    people = q.pengisian_people(session, _period(session), {regency.opd_a.id})
    assert {p.opd_id for p in people} == {regency.opd_a.id}


def test_workload_compares_approved_minutes_with_available_minutes(regency, session):
    settings = q.dashboard_settings(session)
    period = _period(session)
    data = q.workload_data(session, period, settings, None, opd_id=regency.opd_a.id)
    assert data.level == "unit" and data.hari_kerja == 22
    budi = next(p for p in data.people if p.pegawai_id == regency.budi.id)
    assert (budi.menit, budi.kapasitas) == (300, 6600)
    assert budi.band == "kurang"
    assert next(p for p in data.people if p.pegawai_id == regency.dewi.id).band == "nihil"
    by_opd = q.workload_data(session, period, settings, None)
    assert by_opd.level == "opd"
    assert {r.key for r in by_opd.rows} == {regency.opd_a.id, regency.opd_b.id}


def test_workload_respects_holidays_and_the_daily_minutes_setting(regency, session):
    regency.instansi.settings = {"daily_effective_minutes": 330, "hari_libur": ["2026-03-19"]}
    session.commit()
    settings = q.dashboard_settings(session)
    data = q.workload_data(session, _period(session), settings, {regency.opd_a.id})
    assert data.hari_kerja == 21 and data.kapasitas_per_pegawai == 21 * 330


def test_merit_history_trend_grid_and_distributions(regency, session):
    data = merit.merit_data(session, _period(session), None)
    budi = next(p for p in data.people if p.pegawai_id == regency.budi.id)
    assert [data.labels[k] for k in data.keys] == [
        "Tahunan 2025",
        "Triwulan I 2026",
        "Tahunan 2026",
    ]
    assert budi.trend == "naik"  # Butuh Perbaikan 2025 → Baik 2026
    assert budi.band == "bawah"
    assert "Budi Santoso" in data.grid[("naik", "bawah")]
    assert data.selected.annual and data.selected.tahun == TAHUN
    assert dict(data.by_golongan)["Golongan III"][Predikat.BAIK] == 2
    assert {name for name, _ in data.by_level} == {"Jabatan Administrator", "Jabatan Fungsional"}
    chosen = merit.merit_data(session, _period(session), None, selected=data.keys[0].code)
    assert chosen.selected == data.keys[0]
    assert merit.merit_data(session, _period(session), {regency.opd_b.id}).by_opd == []


# --- bounded queries ---------------------------------------------------------------------------

ROUTES = [
    "/beranda?bagian=pimpinan&tahun=2026&bulan=3",
    "/beranda?bagian=opd&tahun=2026&bulan=3&opd={a}",
    "/beranda?bagian=hr&tahun=2026&bulan=3",
    "/beranda?bagian=evaluator&tahun=2026&bulan=3",
    "/beranda?bagian=pegawai&tahun=2026&bulan=3",
    "/monitoring-pengisian?tahun=2026&bulan=3",
    "/monitoring-pengisian/daftar?status=semua&tahun=2026&bulan=3",
    "/beban-kerja?tahun=2026&bulan=3",
    "/beban-kerja?tahun=2026&bulan=3&opd={a}",
    "/peta-merit?tahun=2026&bulan=3",
]


def _grow(session, regency, make_unit, make_jabatan, make_pegawai, n: int) -> None:
    """Add a third OPD and ``n`` more employees with SKPs, realisasi, activities, evaluations."""
    opd = make_unit("Dinas Pendidikan dan Kebudayaan", singkatan="Disdikbud")
    bidang = make_unit("Bidang Pembinaan SMP", parent=opd)
    head = make_jabatan(
        "Kepala Dinas Pendidikan", unit=opd, jenis="jpt_pratama", is_kepala_unit=True
    )
    staff = make_jabatan("Analis Kurikulum", unit=bidang, atasan=head, kebutuhan=n)
    kadis = make_pegawai(nama="Wahyu Hidayat", jabatan=head)
    for i in range(n):
        owner_unit = (bidang, regency.bidang_a)[i % 2]
        jab = staff if owner_unit is bidang else None
        p = make_pegawai(
            nama=f"Pegawai Tambahan {i}", unit=owner_unit, **({"jabatan": jab} if jab else {})
        )
        skp = Skp(
            periode_id=regency.periode.id,
            pegawai_id=p.id,
            unit_id=p.unit_id,
            opd_id=owner_unit.opd_id,
            penilai_pegawai_id=kadis.id,
            status="disetujui",
            tanggal_mulai=date(TAHUN, 1, 1),
            tanggal_selesai=date(TAHUN, 12, 31),
        )
        session.add(skp)
        session.flush()
        rhk = Rhk(skp_id=skp.id, jenis="utama", teks=f"Hasil kerja {i}")
        session.add(rhk)
        session.flush()
        iki = Iki(rhk_id=rhk.id, aspek="kuantitas", teks="Jumlah", target=Decimal(12))
        session.add(iki)
        session.flush()
        session.add_all(
            [
                Realisasi(
                    iki_id=iki.id,
                    skp_id=skp.id,
                    tahun=TAHUN,
                    bulan=m,
                    nilai=Decimal(1),
                    status="terverifikasi" if m < 3 else "diajukan",
                )
                for m in (1, 2, 3)
            ]
        )
        session.add(
            Aktivitas(
                pegawai_id=p.id,
                tanggal=date(TAHUN, 3, 4),
                jam_mulai=time(8),
                jam_selesai=time(12),
                menit=240,
                uraian="Kerja",
                poin=Decimal(240),
                status="disetujui",
                approver_pegawai_id=kadis.id,
            )
        )
        session.add(
            Evaluasi(
                skp_id=skp.id,
                jenis="tahunan",
                periode_ke=0,
                tahun=TAHUN,
                predikat=(i % 5) + 1,
                rating_hasil=2,
                rating_perilaku=2,
                status="final",
            )
        )
    session.flush()
    for a in session.query(Aktivitas).all():
        a.updated_at = a.created_at - timedelta(days=20)
    session.commit()


@pytest.mark.parametrize("who", ["admin", "budi", "eval_a"])
def test_query_count_does_not_grow_with_employees_or_opds(
    regency, client, login, count_queries, session, make_unit, make_jabatan, make_pegawai, who
):
    user = getattr(regency.users, who)
    login(user)
    allowed = {
        "admin": [r for r in ROUTES if "evaluator" not in r and "pegawai&" not in r],
        "budi": [r for r in ROUTES if "bagian=pegawai" in r],
        "eval_a": [r for r in ROUTES if "evaluator" in r or "monitoring" in r],
    }[who]

    def counts():
        res = {}
        for route in allowed:
            url = route.format(a=regency.opd_a.id)
            client.get(url)
            with count_queries() as counter:
                resp = client.get(url)
            assert resp.status_code == 200, url
            res[route] = counter.count
        return res

    if who == "eval_a":
        assert client.post("/beranda/temuan/hitung?tahun=2026").status_code == 302
    before = counts()
    _grow(session, regency, make_unit, make_jabatan, make_pegawai, 12)
    after = counts()
    assert after == before
    assert max(before.values()) <= 40, before


def test_big_pohon_draws_top_levels_only_and_survives_link_loops(regency, session, monkeypatch):
    # A loop of links: Budi's RHK intervenes Siti's, Siti's intervenes Budi's.
    rhk_siti = session.query(Rhk).filter_by(skp_id=regency.skp_siti.id).one()
    rhk_budi = session.query(Rhk).filter_by(skp_id=regency.skp_budi.id).one()
    rhk_siti.parent_rhk_id = rhk_budi.id
    session.commit()
    tree = q._tree_nodes(session, _period(session), regency.opd_a.id)
    ids = [n["id"] for n in tree.nodes]
    assert len(ids) == len(set(ids))
    assert tree.rhk_total == tree.rhk_drawn == 3
    parents = {n["id"]: n["parent"] for n in tree.nodes}
    assert parents["lepas"] is None
    assert all(p is None or p in parents for p in parents.values())
    monkeypatch.setattr(q, "TREE_MAX_NODES", 2)
    small = q._tree_nodes(session, _period(session), regency.opd_a.id)
    assert len(small.nodes) <= 3 and small.rhk_drawn < small.rhk_total


def test_merit_capaian_prorates_kuantitas_targets_to_the_months_elapsed(regency, session):
    data = merit.merit_data(session, _period(session), {regency.opd_a.id})
    by_id = {p.pegawai_id: p for p in data.people}
    # Siti: 3 documents by March of 12 a year = 3 of the pro-rated 3 → 100 %.
    assert by_id[regency.siti.id].capaian == Decimal(100)
    assert by_id[regency.siti.id].band == "sesuai"
    # Budi: 2 verified of the pro-rated 3.
    assert round(by_id[regency.budi.id].capaian, 2) == Decimal("66.67")


def test_monitoring_defaults_to_the_month_whose_realisasi_are_due(regency, client, login):
    login(regency.users.hr)
    today = today_wib()
    html = client.get(f"/monitoring-pengisian?tahun={today.year}").get_data(as_text=True)
    tahun, bulan = q.previous_month(today.year, today.month)
    assert f"Monitoring pengisian {q.BULAN[bulan]} {tahun}" in html
