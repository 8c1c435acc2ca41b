"""The demo regency's realization stages: realisasi, evaluations, attendance, activities and the
October TPP recap (built at the reduced "tiny" size)."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from skp_app.auth.models import User
from skp_app.auth.operations import hash_password
from skp_app.demo.generator import build_demo
from skp_app.demo.realization import (
    DEMO_TODAY,
    OFFICE_LOCATIONS,
    PAGU_PER_KELAS,
    REALIZATION_SETTINGS,
)
from skp_app.org.models import Instansi, Jabatan, Pegawai, UnitOrganisasi
from skp_app.org.queries import SKP_KEDUDUKAN, superior_map
from skp_app.planning.models import Iki, Rhk, Skp
from skp_app.realization.evaluation_queries import (
    evaluation_context,
    period_of,
    skp_for_evaluation,
)
from skp_app.realization.models import (
    Aktivitas,
    Bukti,
    Evaluasi,
    HukumanDisiplin,
    KatalogAktivitas,
    Keberatan,
    Kehadiran,
    PredikatOrganisasi,
    Realisasi,
    TppPolicyVersion,
    TppRecap,
    TppRecapLine,
    UmpanBalik,
)
from skp_app.realization.scoring import (
    OrgPredikat,
    Predikat,
    activity_points,
    check_distribution,
    predikat_from_ratings,
    project_year_end,
)
from skp_app.realization.tpp import PRESET_DEFAULT, TppPolicy, compute_tpp
from tests.helpers import TEST_PASSWORD

SEED = 7
_HASH = hash_password(TEST_PASSWORD)  # the login fixture's password, hashed once
REALIZATION_STAGES = ("pengaturan", "realisasi", "evaluasi", "kehadiran", "aktivitas", "tpp")


@pytest.fixture
def demo(session):
    summary = build_demo(session, size="tiny", seed=SEED, password_hash=_HASH)
    session.commit()
    return summary


def _example(summary, role: str) -> str:
    return next(e.nip for e in summary.examples if e.role == role)


def _pilot_opd_ids(session) -> list[int]:
    return list(
        session.scalars(
            select(UnitOrganisasi.id).where(
                UnitOrganisasi.is_opd.is_(True), UnitOrganisasi.is_pilot.is_(True)
            )
        )
    )


def test_realisasi_cover_every_iki_of_approved_skps_once_per_month(demo, session):
    assert set(REALIZATION_STAGES) <= set(demo.timings)
    for key in ("realisasi", "aktivitas", "evaluasi", "kehadiran", "tpp_recap_line"):
        assert demo.counts[key] > 0, key
    duplicates = session.execute(
        select(Realisasi.iki_id, Realisasi.tahun, Realisasi.bulan)
        .group_by(Realisasi.iki_id, Realisasi.tahun, Realisasi.bulan)
        .having(func.count() > 1)
    ).all()
    assert duplicates == []
    approved_iki = session.scalar(
        select(func.count(Iki.id))
        .join(Rhk, Rhk.id == Iki.rhk_id)
        .join(Skp, Skp.id == Rhk.skp_id)
        .where(Skp.status == "disetujui")
    )
    assert session.scalar(select(func.count(Realisasi.id))) == approved_iki * 10
    rows = session.execute(
        select(
            Realisasi.bulan,
            Realisasi.status,
            Realisasi.verified_by_pegawai_id,
            Realisasi.verify_note,
            Skp.penilai_pegawai_id,
            Skp.status,
        ).join(Skp, Skp.id == Realisasi.skp_id)
    ).all()
    assert {r.bulan for r in rows} == set(range(1, 11))
    assert {r[5] for r in rows} == {"disetujui"}
    early = Counter(r.status for r in rows if r.bulan <= 9)
    assert early["terverifikasi"] / sum(early.values()) > 0.98
    assert set(early) <= {"terverifikasi", "ditolak"}
    october = Counter(r.status for r in rows if r.bulan == 10)
    assert {"diajukan", "draft", "terverifikasi"} <= set(october)
    for r in rows:
        if r.status in ("terverifikasi", "ditolak"):
            assert r.verified_by_pegawai_id == r.penilai_pegawai_id
        else:
            assert r.verified_by_pegawai_id is None
        assert (r.verify_note is not None) == (r.status == "ditolak")


def test_kuantitas_realisasi_put_some_employees_ahead_and_some_behind(demo, session):
    """Cumulative kuantitas follow target × month/12 × a personal factor: most IKI stay on
    course to the year-end target, some are projected to miss it (the early warning)."""
    series: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    targets: dict[int, Decimal] = {}
    for iki_id, target, bulan, nilai in session.execute(
        select(Iki.id, Iki.target, Realisasi.bulan, Realisasi.nilai)
        .join(Realisasi, Realisasi.iki_id == Iki.id)
        .where(Iki.aspek == "kuantitas", Iki.lower_is_better.is_(False), Iki.target >= 12)
        .order_by(Iki.id, Realisasi.bulan)
    ):
        running = series[iki_id][-1][1] if series[iki_id] else Decimal(0)
        series[iki_id].append((bulan, running + Decimal(str(nilai))))
        targets[iki_id] = Decimal(str(target))
    misses = [project_year_end(s, targets[i]).will_miss for i, s in series.items()]
    share = sum(misses) / len(misses)
    assert 0.05 < share < 0.5
    ratios = [s[-1][1] / (targets[i] * 10 / 12) for i, s in series.items()]
    assert any(r > Decimal("1.1") for r in ratios)
    assert any(r < Decimal("0.75") for r in ratios)


def test_activities_are_approved_by_the_direct_superior_within_working_hours(demo, session):
    superiors = superior_map(session)
    acts = session.scalars(select(Aktivitas)).all()
    assert acts
    opd_of = dict(
        session.execute(
            select(Pegawai.id, UnitOrganisasi.opd_id).join(
                UnitOrganisasi, UnitOrganisasi.id == Pegawai.unit_id
            )
        ).all()
    )
    opd_weight = {
        uid: Decimal(str(w))
        for uid, w in session.execute(
            select(UnitOrganisasi.id, UnitOrganisasi.workload_multiplier).where(
                UnitOrganisasi.is_opd.is_(True)
            )
        )
    }
    rhk_owner = dict(
        session.execute(select(Rhk.id, Skp.pegawai_id).join(Skp, Skp.id == Rhk.skp_id)).all()
    )
    katalog = {k.id: k for k in session.scalars(select(KatalogAktivitas))}
    days: dict[tuple[int, date], list[Aktivitas]] = defaultdict(list)
    statuses = Counter()
    for a in acts:
        statuses[a.status] += 1
        assert a.approver_pegawai_id == superiors[a.pegawai_id]
        assert rhk_owner[a.rhk_id] == a.pegawai_id
        assert a.tanggal.weekday() < 5 and a.tanggal < DEMO_TODAY
        assert time(7, 30) <= a.jam_mulai < a.jam_selesai <= time(16, 30)
        assert a.poin == activity_points(a.menit, opd_weight[opd_of[a.pegawai_id]]).quantize(
            Decimal("0.01")
        )
        if a.katalog_id is not None:
            k = katalog[a.katalog_id]
            assert a.menit <= k.menit_standar * a.volume
        if a.status == "disetujui":
            assert a.decided_at is not None and a.decided_at.date() > a.tanggal
        if a.status == "ditolak":
            assert a.reject_reason and a.decided_at is not None
        if a.status != "ditolak":
            days[(a.pegawai_id, a.tanggal)].append(a)
    assert statuses["disetujui"] > statuses["diajukan"] > 0 and statuses["ditolak"] > 0
    assert any(a.katalog_id is not None for a in acts)
    for group in days.values():
        assert 1 <= len(group) <= 6
        assert sum(a.menit for a in group) <= REALIZATION_SETTINGS["working_minutes_per_day"]
        ordered = sorted(group, key=lambda a: a.jam_mulai)
        for before, after in zip(ordered, ordered[1:], strict=False):
            assert before.jam_selesai <= after.jam_mulai  # no overlap
    last_day = max(a.tanggal for a in acts)
    assert {a.status for a in acts if a.tanggal == last_day} == {"diajukan"}


def test_padding_attempts_are_flagged_on_their_photo_evidence(demo, session):
    photos = session.scalars(select(Bukti).where(Bukti.kind == "image")).all()
    by_sha: dict[str, list[Bukti]] = defaultdict(list)
    for b in photos:
        by_sha[b.sha256].append(b)
    reused = [b for b in photos if "reused_photo" in b.flags]
    assert reused
    for b in reused:
        twins = [o for o in by_sha[b.sha256] if o.id != b.id]
        assert any(
            o.owner_pegawai_id == b.owner_pegawai_id and o.aktivitas_id != b.aktivitas_id
            for o in twins
        )
        assert b.flag_detail["reused_photo"]["bukti_id"] in {o.id for o in twins}
    mismatched = [b for b in photos if "date_mismatch" in b.flags]
    assert mismatched
    for b in mismatched:
        act = session.get(Aktivitas, b.aktivitas_id)
        assert b.captured_at.date() != act.tanggal
        assert b.flag_detail["date_mismatch"]["kegiatan"] == act.tanggal.isoformat()
    assert any("far_from_office" in b.flags for b in photos)
    flagged = session.scalars(
        select(Aktivitas).where(Aktivitas.id.in_({b.aktivitas_id for b in photos}))
    ).all()
    for act in flagged:
        union = sorted({f for b in photos if b.aktivitas_id == act.id for f in b.flags})
        assert act.flags == union
    assert any(a.status == "ditolak" and "reused_photo" in a.flags for a in flagged)
    assert any(a.status == "diajukan" and "reused_photo" in a.flags for a in flagged)
    assert demo.counts["aktivitas_bertanda"] >= 3


def test_evaluations_follow_the_kuadran_and_the_suggestion_of_the_evaluation_page(demo, session):
    evals = session.scalars(select(Evaluasi)).all()
    skps = {s.id: s for s in session.scalars(select(Skp))}
    assert {e.periode_ke for e in evals} == {1, 2, 3}
    by_quarter = defaultdict(Counter)
    for e in evals:
        skp = skps[e.skp_id]
        assert skp.status == "disetujui" and e.jenis == "periodik" and e.tahun == 2026
        assert e.evaluator_pegawai_id == skp.penilai_pegawai_id
        assert e.unit_id == skp.unit_id
        by_quarter[e.periode_ke][e.status] += 1
        if e.rating_hasil is not None:
            assert e.predikat == predikat_from_ratings(e.rating_hasil, e.rating_perilaku).siasn_id
            overridden = e.suggested_rating_hasil not in (None, e.rating_hasil)
            assert (e.override_reason is not None) == overridden
        else:
            assert e.predikat is None and e.status == "draft"
        assert (e.finalized_at is not None) == (e.status == "final")
    assert set(by_quarter[1]) == {"final"} and set(by_quarter[2]) == {"final"}
    assert by_quarter[3]["final"] > 0 and by_quarter[3]["draft"] > 0
    assert any(e.override_reason for e in evals)
    assert {e.suggestion_basis for e in evals} >= {"capaian", "organisasi"}

    # The stored suggestion is what the evaluation page computes from the realisasi.
    for e in random.Random(SEED).sample(evals, 15):
        skp = skp_for_evaluation(session, e.skp_id)
        ctx = evaluation_context(session, skp, period_of(skp, "periodik", e.periode_ke), e)
        rating = ctx.suggestion.rating_hasil
        assert (rating.siasn_id if rating else None) == e.suggested_rating_hasil, e.id
        assert ctx.suggestion.basis == e.suggestion_basis

    feedback = session.scalars(select(UmpanBalik)).all()
    rated = {e.id for e in evals if e.rating_hasil is not None}
    assert {u.evaluasi_id for u in feedback if u.rhk_id} == rated
    assert {u.evaluasi_id for u in feedback if u.nilai_kode} == rated
    rhk_skp = dict(session.execute(select(Rhk.id, Rhk.skp_id)).all())
    eval_skp = {e.id: e.skp_id for e in evals}
    for u in feedback:
        if u.rhk_id is not None:
            assert rhk_skp[u.rhk_id] == eval_skp[u.evaluasi_id]
        else:
            assert 1 <= u.nilai_kode <= 7
        assert len(u.teks) > 20


def test_org_predikat_curve_and_objections(demo, session):
    opds = session.scalars(select(UnitOrganisasi.id).where(UnitOrganisasi.is_opd.is_(True))).all()
    rows = session.scalars(select(PredikatOrganisasi)).all()
    assert {(r.unit_id, r.periode_ke) for r in rows} == {(o, q) for o in opds for q in (1, 2, 3)}
    values = Counter(r.predikat for r in rows)
    assert values["BAIK"] > values["ISTIMEWA"] > 0 and values["BUTUH_PERBAIKAN"] > 0
    assert set(values) == {"BAIK", "ISTIMEWA", "BUTUH_PERBAIKAN"}

    # Wherever the final evaluations of an OPD break the curve, a justification was recorded.
    org = {(r.unit_id, r.periode_ke): r.predikat for r in rows}
    groups: dict[tuple[int, int], list[Evaluasi]] = defaultdict(list)
    for e, opd_id in session.execute(
        select(Evaluasi, UnitOrganisasi.opd_id)
        .join(UnitOrganisasi, UnitOrganisasi.id == Evaluasi.unit_id)
        .where(Evaluasi.status == "final")
    ):
        groups[(opd_id, e.periode_ke)].append(e)
    for key, group in groups.items():
        counts = Counter(Predikat.from_siasn_id(e.predikat) for e in group)
        if check_distribution(OrgPredikat.coerce(org[key]), counts):
            assert any(e.curve_justification for e in group), key

    objections = session.scalars(select(Keberatan)).all()
    statuses = Counter(k.status for k in objections)
    assert statuses["diajukan"] >= 1 and statuses["ditolak"] + statuses["diterima"] >= 1
    for k in objections:
        ev = session.get(Evaluasi, k.evaluasi_id)
        skp = session.get(Skp, ev.skp_id)
        assert k.pegawai_id == skp.pegawai_id and len(k.alasan) >= 10
        if k.status == "diajukan":
            assert ev.status == "final" and k.decided_at is None
            assert timedelta(0) < k.created_at - ev.finalized_at <= timedelta(days=14)
        else:
            assert k.decided_by_pegawai_id == skp.atasan_penilai_pegawai_id
            assert k.keputusan and k.decided_at > k.created_at
            assert ev.status == ("draft" if k.status == "diterima" else "final")
    pending = next(k for k in objections if k.status == "diajukan")
    pending_skp = session.get(Skp, session.get(Evaluasi, pending.evaluasi_id).skp_id)
    assert pending_skp.opd_id in _pilot_opd_ids(session)


def test_attendance_settings_and_the_october_tpp_recap(demo, session):
    settings = session.scalar(select(Instansi.settings))
    assert settings["office_locations"] == OFFICE_LOCATIONS and 2 <= len(OFFICE_LOCATIONS) <= 3
    assert settings["demo"]["size"] == "tiny"  # the organisation stage's keys are kept
    for key in ("working_minutes_per_day", "activity_deadline_days", "monthly_points_target"):
        assert settings[key] == REALIZATION_SETTINGS[key]

    att = session.scalars(select(Kehadiran)).all()
    assert all(
        d.weekday() < 5 and date(2026, 10, 1) <= d <= date(2026, 11, 25)
        for d in {a.tanggal for a in att}
    )
    kinds = Counter(a.keterangan for a in att)
    assert kinds["hadir"] > 0.9 * len(att) and kinds["alpa"] > 0
    assert any(a.jam_masuk and a.jam_masuk > time(7, 30) for a in att)
    assert any(
        a.jam_pulang and a.jam_pulang < (time(16, 30) if a.tanggal.weekday() == 4 else time(16))
        for a in att
    )
    pilots = _pilot_opd_ids(session)
    pilot_staff = set(
        session.scalars(
            select(Pegawai.id)
            .join(UnitOrganisasi, UnitOrganisasi.id == Pegawai.unit_id)
            .where(
                UnitOrganisasi.opd_id.in_(pilots),
                Pegawai.kedudukan_hukum_id.in_(SKP_KEDUDUKAN),
                Pegawai.jenis_asn.in_(("PNS", "PPPK")),
            )
        )
    )
    assert pilot_staff <= {a.pegawai_id for a in att}

    assert (
        session.scalar(
            select(func.count(Jabatan.id)).where(
                Jabatan.kelas_jabatan.is_(None), Jabatan.jenis != "kepala_daerah"
            )
        )
        == 0
    )
    policy_row = session.scalar(select(TppPolicyVersion))
    assert policy_row.version == 1 and policy_row.policy == PRESET_DEFAULT.to_dict()
    assert policy_row.pagu_per_kelas == PAGU_PER_KELAS
    assert (
        policy_row.pagu_per_kelas["5"] == 2_600_000
        and policy_row.pagu_per_kelas["15"] == 18_000_000
    )

    recaps = session.scalars(select(TppRecap)).all()
    assert sorted(r.opd_id for r in recaps) == sorted(pilots)
    assert all(
        r.tahun == 2026 and r.bulan == 10 and r.policy_version_id == policy_row.id for r in recaps
    )
    assert (
        session.scalar(select(User.username).where(User.id == recaps[0].created_by_user_id))
        == "bkpsdm"
    )
    lines = session.scalars(select(TppRecapLine)).all()
    assert {ln.pegawai_id for ln in lines} == pilot_staff
    assert all(ln.lineage["steps"] for ln in lines)

    # Spot check: recompute each line's TPP from the raw October data.
    policy = TppPolicy.from_dict(policy_row.policy)
    kelas = dict(
        session.execute(
            select(Pegawai.id, Jabatan.kelas_jabatan).join(
                Jabatan, Jabatan.id == Pegawai.jabatan_id
            )
        ).all()
    )
    october = [d for d in (date(2026, 10, day) for day in range(1, 32)) if d.weekday() < 5]
    # Hukuman disiplin in force on 1 October (not annulled) cut the pagu.
    sentences = {
        h.pegawai_id: h
        for h in session.scalars(select(HukumanDisiplin)).all()
        if not h.is_annulled
        and h.tmt_mulai <= date(2026, 10, 1)
        and (h.tmt_selesai is None or h.tmt_selesai >= date(2026, 10, 1))
    }
    cut = [ln for ln in lines if ln.pegawai_id in sentences]
    assert cut and all(
        ln.lineage["hukuman_disiplin"]["id"] == sentences[ln.pegawai_id].id for ln in cut
    )
    for line in random.Random(SEED).sample(lines, 12) + cut:
        pid = line.pegawai_id
        points = session.scalar(
            select(func.coalesce(func.sum(Aktivitas.poin), 0)).where(
                Aktivitas.pegawai_id == pid,
                Aktivitas.status == "disetujui",
                Aktivitas.tanggal.between(date(2026, 10, 1), date(2026, 10, 31)),
            )
        )
        records = {a.tanggal: a for a in att if a.pegawai_id == pid and a.tanggal.month == 10}
        late, early, present = [], [], 0
        for day in october:
            a = records.get(day)
            if a is None or a.keterangan == "alpa":
                continue
            present += 1
            if a.keterangan != "hadir":
                continue
            if a.jam_masuk is None:
                late.append(None)
            elif a.jam_masuk > time(7, 30):
                late.append(a.jam_masuk.hour * 60 + a.jam_masuk.minute - 450)
            end = 990 if day.weekday() == 4 else 960
            if a.jam_pulang is None:
                early.append(None)
            elif a.jam_pulang.hour * 60 + a.jam_pulang.minute < end:
                early.append(end - a.jam_pulang.hour * 60 - a.jam_pulang.minute)
        expected = compute_tpp(
            policy,
            pagu=PAGU_PER_KELAS[str(kelas[pid])],
            points=Decimal(str(points)),
            points_target=settings["monthly_points_target"],
            lateness_minutes=late,
            early_leave_minutes=early,
            absent_days=len(october) - present,
            hukdis_kind=sentences[pid].jenis if pid in sentences else None,
        )
        assert Decimal(str(line.poin)) == Decimal(str(points))
        assert line.diterima == expected.received, pid
    assert any(ln.potongan > 0 for ln in lines) and any(ln.produktivitas > 0 for ln in lines)


def test_realization_and_evaluation_pages_render_for_demo_users(demo, session, app, login):
    staf_nip = _example(demo, "Staf (pelaksana/fungsional)")
    atasan_nip = _example(demo, "Atasan langsung (Kasubbid)")
    kabid_nip = _example(demo, "Atasan dari atasan (Kabid)")
    staf = session.scalar(select(Pegawai).where(Pegawai.nip == staf_nip))
    atasan = session.scalar(select(Pegawai).where(Pegawai.nip == atasan_nip))
    # A colleague of the example staff member whose SKP is approved (the example's own SKP
    # waits for approval in the demo).
    skp = session.scalar(
        select(Skp)
        .where(Skp.penilai_pegawai_id == atasan.id, Skp.status == "disetujui")
        .order_by(Skp.id)
        .limit(1)
    )
    colleague = session.get(Pegawai, skp.pegawai_id)
    rhk = session.scalar(select(Rhk).where(Rhk.skp_id == skp.id, Rhk.jenis == "utama").limit(1))
    evaluasi = session.scalar(
        select(Evaluasi).where(Evaluasi.skp_id == skp.id, Evaluasi.periode_ke == 1)
    )
    recap = session.scalar(select(TppRecap).order_by(TppRecap.id).limit(1))
    pages = {
        staf.nip: ["/realisasi", "/aktivitas", "/evaluasi"],
        colleague.nip: [
            "/realisasi?bulan=10",
            "/aktivitas",
            "/evaluasi",
            f"/evaluasi/{evaluasi.id}",
            f"/capaian/rhk/{rhk.id}?bulan=10",
        ],
        atasan_nip: [
            "/aktivitas/persetujuan",
            "/realisasi/verifikasi",
            "/evaluasi",
            f"/evaluasi/skp/{skp.id}/periodik/3",
            f"/evaluasi/{evaluasi.id}/dokumen",
        ],
        kabid_nip: ["/evaluasi"],
        "bkpsdm": ["/tpp/rekap", f"/tpp/rekap/{recap.id}", "/tpp/kebijakan"],
        "admin": ["/predikat-organisasi", f"/evaluasi/unit/{recap.opd_id}"],
    }
    clients = {}
    for username, urls in pages.items():
        client = clients[username] = login(username, c=app.test_client())
        for url in urls:
            resp = client.get(url, follow_redirects=True)
            assert resp.status_code == 200, (username, url, resp.status_code)
    inbox = clients[atasan_nip].get("/aktivitas/persetujuan").get_data(as_text=True)
    assert "Foto dipakai ulang" in inbox


def _digest(session) -> dict[str, int]:
    import hashlib

    queries = {
        "realisasi": select(
            Realisasi.iki_id, Realisasi.bulan, Realisasi.nilai, Realisasi.status
        ).order_by(Realisasi.id),
        "aktivitas": select(
            Aktivitas.pegawai_id,
            Aktivitas.tanggal,
            Aktivitas.jam_mulai,
            Aktivitas.menit,
            Aktivitas.status,
            Aktivitas.uraian,
        ).order_by(Aktivitas.id),
        "evaluasi": select(
            Evaluasi.skp_id, Evaluasi.periode_ke, Evaluasi.rating_hasil, Evaluasi.predikat
        ).order_by(Evaluasi.id),
        "kehadiran": select(
            Kehadiran.pegawai_id, Kehadiran.tanggal, Kehadiran.jam_masuk, Kehadiran.keterangan
        ).order_by(Kehadiran.id),
        "rekap": select(TppRecapLine.pegawai_id, TppRecapLine.diterima).order_by(
            TppRecapLine.pegawai_id
        ),
    }
    out = {}
    for name, stmt in queries.items():
        rows = [
            tuple(
                str(Decimal(str(v)).normalize()) if isinstance(v, float | Decimal) else str(v)
                for v in row
            )
            for row in session.execute(stmt)
        ]
        out[name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return out


def test_the_same_seed_builds_the_same_realization_data(demo, session, db):
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    engine = create_engine("sqlite://")
    db.metadata.create_all(engine)
    with Session(engine) as other:
        build_demo(other, size="tiny", seed=SEED, password_hash=_HASH)
        other.flush()
        assert _digest(other) == _digest(session)
    engine.dispose()
