"""Evaluation operations: who may act, state rules, suggestions, the curve and keberatan."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from skp_app.audit.models import AuditEvent
from skp_app.realization import evaluation as ops
from skp_app.realization.evaluation_queries import (
    curve_status,
    eval_period,
    evaluation_context,
    skp_for_evaluation,
)
from skp_app.realization.models import Aktivitas, Evaluasi
from skp_app.realization.scoring import Predikat, Rating
from tests.realization import evaluasi_fixtures
from tests.realization.evaluasi_fixtures import TAHUN, add_realisasi

kominfo = evaluasi_fixtures.kominfo

Q1 = eval_period(TAHUN, "triwulan", "periodik", 1)


def _audit_count(session, action: str) -> int:
    return session.scalar(select(func.count()).where(AuditEvent.action == action))


def _evaluate(session, k, bundle, hasil, perilaku, *, periode_ke=1, jenis="periodik", **kw):
    ev = ops.open_evaluation(session, bundle.skp, jenis, periode_ke, actor=k.users.kabid)
    ops.save_evaluation(
        session, ev, actor=k.users.kabid, rating_hasil=hasil, rating_perilaku=perilaku, **kw
    )
    return ev


def test_context_sums_realisasi_and_suggests_from_capaian_of_rhk_utama(session, kominfo):
    k = kominfo
    for bulan in (1, 2, 3):
        add_realisasi(session, k.skp_budi, bulan, dokumen=1, persen=90 + bulan)
    add_realisasi(session, k.skp_budi, 4, dokumen=5, persen=50)  # outside Q1
    session.commit()
    skp = skp_for_evaluation(session, k.skp_budi.skp.id)
    ctx = evaluation_context(session, skp, Q1)
    utama = ctx.utama[0]
    dokumen, persen = utama.iki_rows
    assert dokumen.realisasi == Decimal(3)
    assert dokumen.target_period == Decimal(3)  # 12 a year, 3 of 12 months
    assert dokumen.capaian == Decimal(100)
    assert persen.aggregate == "rata-rata"
    assert persen.realisasi == Decimal(92)  # (91 + 92 + 93) / 3
    assert persen.capaian == Decimal(92)
    assert utama.capaian == Decimal(96)
    assert ctx.suggestion.rating_hasil is Rating.SESUAI
    assert ctx.suggestion.basis == "capaian"


def test_draft_and_rejected_realisasi_do_not_count(session, kominfo):
    k = kominfo
    add_realisasi(session, k.skp_budi, 1, dokumen=4, persen=100, status="draft")
    add_realisasi(session, k.skp_budi, 2, dokumen=4, persen=100, status="ditolak")
    session.commit()
    ctx = evaluation_context(session, skp_for_evaluation(session, k.skp_budi.skp.id), Q1)
    assert ctx.utama[0].iki_rows[0].realisasi is None
    assert ctx.suggestion.rating_hasil is None


def test_approved_activities_are_totalled_per_rhk_in_the_period(session, kominfo):
    from datetime import date, time

    k = kominfo
    rhk = k.skp_budi.rhk_utama
    for day, status in ((5, "disetujui"), (6, "disetujui"), (7, "diajukan")):
        session.add(
            Aktivitas(
                pegawai_id=k.budi.id,
                tanggal=date(TAHUN, 2, day),
                jam_mulai=time(8),
                jam_selesai=time(10),
                menit=120,
                uraian="Menyusun dokumen layanan",
                rhk_id=rhk.id,
                poin=Decimal(120),
                status=status,
            )
        )
    session.add(
        Aktivitas(
            pegawai_id=k.budi.id,
            tanggal=date(TAHUN, 4, 1),
            jam_mulai=time(8),
            jam_selesai=time(9),
            menit=60,
            uraian="Di luar triwulan I",
            rhk_id=rhk.id,
            poin=Decimal(60),
            status="disetujui",
        )
    )
    session.commit()
    ctx = evaluation_context(session, skp_for_evaluation(session, k.skp_budi.skp.id), Q1)
    assert (ctx.utama[0].aktivitas_count, ctx.utama[0].aktivitas_menit) == (2, 240)
    assert ctx.aktivitas_total_poin == Decimal(240)


@pytest.mark.parametrize("who", ["budi", "kadis", "outsider", "admin", "hr", "operator"])
def test_only_the_pejabat_penilai_may_open_an_evaluation(session, kominfo, who):
    k = kominfo
    with pytest.raises(ops.EvaluationForbidden):
        ops.open_evaluation(session, k.skp_budi.skp, "periodik", 1, actor=getattr(k.users, who))


def test_penilai_cannot_evaluate_own_skp_even_when_recorded_as_penilai(session, kominfo):
    k = kominfo
    k.skp_kabid.skp.penilai_pegawai_id = k.kabid.id
    session.commit()
    with pytest.raises(ops.EvaluationForbidden):
        ops.open_evaluation(session, k.skp_kabid.skp, "periodik", 1, actor=k.users.kabid)


def test_open_evaluation_refuses_an_skp_that_is_not_approved(session, kominfo):
    k = kominfo
    k.skp_budi.skp.status = "diajukan"
    session.commit()
    with pytest.raises(ops.EvaluationWorkflowError, match="telah disetujui"):
        ops.open_evaluation(session, k.skp_budi.skp, "periodik", 1, actor=k.users.kabid)
    assert session.scalar(select(func.count()).select_from(Evaluasi)) == 0


def test_open_evaluation_refuses_a_period_outside_the_rhythm(session, kominfo):
    k = kominfo
    with pytest.raises(ops.EvaluationValidationError) as exc:
        ops.open_evaluation(session, k.skp_budi.skp, "periodik", 5, actor=k.users.kabid)
    assert "periode_ke" in exc.value.fields


def test_opening_twice_returns_the_same_draft(session, kominfo):
    k = kominfo
    first = ops.open_evaluation(session, k.skp_budi.skp, "periodik", 1, actor=k.users.kabid)
    session.commit()
    again = ops.open_evaluation(session, k.skp_budi.skp, "periodik", 1, actor=k.users.kabid)
    assert first.id == again.id
    assert _audit_count(session, "evaluasi.create") == 1


def test_predikat_follows_the_two_ratings(session, kominfo):
    k = kominfo
    ev = _evaluate(session, k, k.skp_budi, "2", "3")
    assert ev.predikat == Predikat.KURANG.siasn_id


def test_override_of_the_suggestion_needs_a_reason_and_stores_it(session, kominfo):
    k = kominfo
    for bulan in (1, 2, 3):
        add_realisasi(session, k.skp_budi, bulan, dokumen=1, persen=100)
    session.commit()
    ev = ops.open_evaluation(session, k.skp_budi.skp, "periodik", 1, actor=k.users.kabid)
    session.commit()
    assert ev.suggested_rating_hasil == Rating.SESUAI.siasn_id
    with pytest.raises(ops.EvaluationValidationError) as exc:
        ops.save_evaluation(session, ev, actor=k.users.kabid, rating_hasil="1", rating_perilaku="2")
    assert "override_reason" in exc.value.fields
    assert "Sesuai Ekspektasi" in exc.value.fields["override_reason"][0]
    session.rollback()
    ev = session.get(Evaluasi, ev.id)
    ops.save_evaluation(
        session,
        ev,
        actor=k.users.kabid,
        rating_hasil="1",
        rating_perilaku="2",
        override_reason="Menyelesaikan migrasi server di luar target triwulan.",
    )
    session.commit()
    ev = session.get(Evaluasi, ev.id)
    assert ev.rating_hasil == 1 and ev.override_reason.startswith("Menyelesaikan")
    # Back to the suggestion: the reason is no longer an override and is cleared.
    ops.save_evaluation(session, ev, actor=k.users.kabid, rating_hasil="2", rating_perilaku="2")
    assert ev.override_reason is None


def test_invalid_rating_and_foreign_rhk_are_reported_and_nothing_is_written(session, kominfo):
    k = kominfo
    ev = ops.open_evaluation(session, k.skp_budi.skp, "periodik", 1, actor=k.users.kabid)
    session.commit()
    with pytest.raises(ops.EvaluationValidationError) as exc:
        ops.save_evaluation(
            session,
            ev,
            actor=k.users.kabid,
            rating_hasil="7",
            umpan_balik_rhk={k.skp_dewi.rhk_utama.id: "Bukan RHK Budi"},
        )
    assert set(exc.value.fields) == {"rating_hasil", f"umpan_balik_rhk-{k.skp_dewi.rhk_utama.id}"}
    session.rollback()
    assert session.get(Evaluasi, ev.id).umpan_balik == []


def test_feedback_per_rhk_and_per_berakhlak_value_is_upserted(session, kominfo):
    k = kominfo
    ev = ops.open_evaluation(session, k.skp_budi.skp, "periodik", 1, actor=k.users.kabid)
    rhk_id = k.skp_budi.rhk_utama.id
    ops.save_evaluation(
        session,
        ev,
        actor=k.users.kabid,
        umpan_balik_rhk={rhk_id: "Dokumen rapi"},
        umpan_balik_perilaku={1: "Cepat menanggapi"},
    )
    ops.save_evaluation(
        session,
        ev,
        actor=k.users.kabid,
        umpan_balik_rhk={rhk_id: "Dokumen rapi dan tepat waktu"},
        umpan_balik_perilaku={1: ""},
    )
    session.commit()
    texts = {(u.rhk_id, u.nilai_kode): u.teks for u in session.get(Evaluasi, ev.id).umpan_balik}
    assert texts == {(rhk_id, None): "Dokumen rapi dan tepat waktu"}


def test_finalise_requires_both_ratings(session, kominfo):
    k = kominfo
    ev = _evaluate(session, k, k.skp_budi, "2", None)
    with pytest.raises(ops.EvaluationValidationError) as exc:
        ops.finalize_evaluation(session, ev, actor=k.users.kabid)
    assert list(exc.value.fields) == ["rating_perilaku"]


def test_finalise_locks_the_evaluation_and_a_replay_changes_nothing(session, kominfo):
    k = kominfo
    ev = _evaluate(session, k, k.skp_budi, "2", "2")
    result = ops.finalize_evaluation(session, ev, actor=k.users.kabid)
    session.commit()
    assert not result.replayed and ev.status == "final" and ev.finalized_at is not None
    finalized_at = ev.finalized_at
    replay = ops.finalize_evaluation(session, ev, actor=k.users.kabid)
    session.commit()
    assert replay.replayed and ev.finalized_at == finalized_at
    assert _audit_count(session, "evaluasi.finalize") == 1
    with pytest.raises(ops.EvaluationWorkflowError, match="terkunci"):
        ops.save_evaluation(session, ev, actor=k.users.kabid, rating_hasil="1")


def test_only_the_penilai_may_finalise(session, kominfo):
    k = kominfo
    ev = _evaluate(session, k, k.skp_budi, "2", "2")
    session.commit()
    for who in ("budi", "kadis", "admin"):
        with pytest.raises(ops.EvaluationForbidden):
            ops.finalize_evaluation(session, ev, actor=getattr(k.users, who))
    assert ev.status == "draft"


def _set_org(session, k, unit, predikat, periode_ke=1):
    ops.set_org_predikat(session, unit, TAHUN, periode_ke, predikat, actor=k.users.admin)
    session.commit()


def test_curve_in_warn_mode_needs_a_justification_that_is_stored_and_audited(session, kominfo):
    k = kominfo
    _set_org(session, k, k.dinas, "BAIK")
    ev = _evaluate(session, k, k.skp_budi, "2", "2")
    with pytest.raises(ops.CurveJustificationRequired) as exc:
        ops.finalize_evaluation(session, ev, actor=k.users.kabid)
    codes = {v.code for v in exc.value.violations}
    assert codes == {"BAIK_BAIK_MAKS_70", "BAIK_BUTUH_PERBAIKAN_ATAU_KURANG_HARUS_ADA"}
    assert ev.status == "draft"
    ops.finalize_evaluation(
        session,
        ev,
        actor=k.users.kabid,
        curve_justification="Unit baru, baru satu pegawai dinilai.",
    )
    session.commit()
    assert ev.status == "final"
    assert ev.curve_justification == "Unit baru, baru satu pegawai dinilai."
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "evaluasi.finalize"))
    assert set(event.after["kurva_pelanggaran"]) == codes


def test_curve_in_block_mode_refuses_with_the_violated_clauses(session, kominfo):
    k = kominfo
    k.instansi.settings = {"curve_mode": "block"}
    _set_org(session, k, k.dinas, "BAIK")
    ev = _evaluate(session, k, k.skp_budi, "2", "2")
    with pytest.raises(ops.CurveBlocked) as exc:
        ops.finalize_evaluation(session, ev, actor=k.users.kabid, curve_justification="x" * 20)
    assert "maksimal 70%" in str(exc.value)
    assert "harus ada pegawai berpredikat Butuh Perbaikan" in str(exc.value)
    # A distribution that respects the curve passes: Butuh Perbaikan first, then Baik.
    ev_dewi = _evaluate(session, k, k.skp_dewi, "3", "2")
    ops.finalize_evaluation(session, ev_dewi, actor=k.users.kabid)
    ops.finalize_evaluation(session, ev, actor=k.users.kabid)
    session.commit()
    assert (ev.status, ev_dewi.status) == ("final", "final")
    assert ev.curve_justification is None


def test_curve_counts_final_evaluations_of_the_governed_units_only(session, kominfo):
    k = kominfo
    _set_org(session, k, k.dinas, "BAIK")
    ev_dewi = _evaluate(session, k, k.skp_dewi, "3", "2")
    ops.finalize_evaluation(session, ev_dewi, actor=k.users.kabid)
    _evaluate(session, k, k.skp_budi, "1", "1")  # draft: not counted
    session.commit()
    curve = curve_status(session, k.bidang.id, Q1)
    assert curve.unit.id == k.dinas.id
    assert curve.counts[Predikat.BUTUH_PERBAIKAN] == 1 and curve.total == 1
    # A sub-unit with its own predikat is governed by that predikat instead.
    _set_org(session, k, k.bidang, "ISTIMEWA")
    curve = curve_status(session, k.bidang.id, Q1)
    assert curve.unit.id == k.bidang.id and curve.org_predikat.value == "ISTIMEWA"
    assert curve_status(session, k.dinas.id, Q1).total == 0


def test_unit_leader_gets_the_organisation_predikat_as_suggestion(session, kominfo):
    k = kominfo
    ops.set_org_predikat(session, k.bidang, TAHUN, 1, "ISTIMEWA", actor=k.users.kadis)
    ev = ops.open_evaluation(session, k.skp_kabid.skp, "periodik", 1, actor=k.users.kadis)
    assert ev.suggested_rating_hasil == Rating.DI_ATAS.siasn_id
    assert ev.suggestion_basis == "organisasi"
    ctx = evaluation_context(session, skp_for_evaluation(session, k.skp_kabid.skp.id), Q1, ev)
    assert "SE MenPANRB 3/2023" in ctx.suggestion.note
    assert k.bidang.nama in ctx.suggestion.note


def test_annual_evaluation_proposes_the_last_periodic_result(session, kominfo):
    k = kominfo
    for periode_ke, hasil in ((1, "2"), (2, "1")):
        ev = _evaluate(
            session,
            k,
            k.skp_budi,
            hasil,
            "2",
            periode_ke=periode_ke,
            override_reason="Penilaian berdasarkan bukti dukung triwulan.",
        )
        ops.finalize_evaluation(session, ev, actor=k.users.kabid)
    session.commit()
    annual = ops.open_evaluation(session, k.skp_budi.skp, "tahunan", 0, actor=k.users.kabid)
    assert annual.jenis == "tahunan" and annual.periode_ke == 0
    assert (annual.suggested_rating_hasil, annual.suggested_rating_perilaku) == (1, 2)
    assert annual.suggestion_basis == "periodik"
    with pytest.raises(ops.EvaluationValidationError) as exc:
        ops.save_evaluation(
            session, annual, actor=k.users.kabid, rating_hasil="1", rating_perilaku="1"
        )
    assert "rating perilaku" in exc.value.fields["override_reason"][0]
    ops.save_evaluation(session, annual, actor=k.users.kabid, rating_hasil="1", rating_perilaku="2")
    ops.finalize_evaluation(session, annual, actor=k.users.kabid)
    session.commit()
    assert annual.predikat == Predikat.BAIK.siasn_id


def test_annual_evaluation_of_a_jf_shows_angka_kredit(session, kominfo):
    k = kominfo
    annual = _evaluate(session, k, k.skp_budi, "1", "1", jenis="tahunan", periode_ke=0)
    ops.finalize_evaluation(session, annual, actor=k.users.kabid)
    session.commit()
    period = eval_period(TAHUN, "triwulan", "tahunan", 0)
    ctx = evaluation_context(session, skp_for_evaluation(session, k.skp_budi.skp.id), period)
    # Ahli Pertama: koefisien 12.5 × 150% (Sangat Baik) × 12/12.
    assert ctx.angka_kredit == Decimal("18.750")


# --- keberatan -------------------------------------------------------------------------------


def _final(session, k, bundle=None):
    ev = _evaluate(session, k, bundle or k.skp_budi, "3", "2")
    ops.finalize_evaluation(session, ev, actor=k.users.kabid)
    session.commit()
    return ev


def test_keberatan_accepted_reopens_the_evaluation_for_the_penilai(session, kominfo):
    k = kominfo
    ev = _final(session, k)
    keberatan = ops.file_keberatan(
        session, ev, "Bukti dukung triwulan I belum dipertimbangkan.", actor=k.users.budi
    )
    ops.explain_keberatan(
        session, keberatan, "Bukti diunggah setelah tenggat verifikasi.", actor=k.users.kabid
    )
    ops.decide_keberatan(
        session, keberatan, "diterima", "Bukti sah; nilai ulang triwulan I.", actor=k.users.kadis
    )
    session.commit()
    assert keberatan.status == "diterima" and keberatan.decided_by_pegawai_id == k.kadis.id
    assert ev.status == "draft" and ev.finalized_at is None
    ops.save_evaluation(
        session,
        ev,
        actor=k.users.kabid,
        rating_hasil="2",
        rating_perilaku="2",
        override_reason="Keberatan diterima, bukti dukung dipertimbangkan.",
    )
    assert ev.predikat == Predikat.BAIK.siasn_id
    assert _audit_count(session, "evaluasi.reopen") == 1


def test_keberatan_rejected_keeps_the_evaluation_final_and_replay_is_a_no_op(session, kominfo):
    k = kominfo
    ev = _final(session, k)
    keberatan = ops.file_keberatan(
        session, ev, "Saya tidak setuju dengan rating.", actor=k.users.budi
    )
    ops.decide_keberatan(
        session, keberatan, "ditolak", "Rating sesuai bukti dukung.", actor=k.users.kadis
    )
    session.commit()
    ops.decide_keberatan(
        session, keberatan, "ditolak", "Rating sesuai bukti dukung.", actor=k.users.kadis
    )
    with pytest.raises(ops.EvaluationWorkflowError, match="sudah diputus"):
        ops.decide_keberatan(
            session, keberatan, "diterima", "Berubah pikiran tanpa dasar.", actor=k.users.kadis
        )
    assert ev.status == "final" and keberatan.status == "ditolak"
    assert _audit_count(session, "keberatan.decide") == 1
    with pytest.raises(ops.EvaluationWorkflowError, match="sudah pernah diajukan"):
        ops.file_keberatan(session, ev, "Mengajukan lagi keberatan yang sama.", actor=k.users.budi)


@pytest.mark.parametrize("who", ["kabid", "kadis", "dewi", "admin"])
def test_only_the_evaluated_employee_files_a_keberatan(session, kominfo, who):
    k = kominfo
    ev = _final(session, k)
    with pytest.raises(ops.EvaluationForbidden):
        ops.file_keberatan(session, ev, "Alasan yang cukup panjang.", actor=getattr(k.users, who))


@pytest.mark.parametrize("who", ["budi", "kabid", "admin", "pimpinan"])
def test_only_the_atasan_pejabat_penilai_decides(session, kominfo, who):
    k = kominfo
    ev = _final(session, k)
    keberatan = ops.file_keberatan(session, ev, "Alasan yang cukup panjang.", actor=k.users.budi)
    with pytest.raises(ops.EvaluationForbidden):
        ops.decide_keberatan(
            session,
            keberatan,
            "diterima",
            "Keputusan yang cukup panjang.",
            actor=getattr(k.users, who),
        )


def test_keberatan_after_the_deadline_is_refused(session, kominfo):
    k = kominfo
    ev = _final(session, k)
    late = ev.finalized_at + timedelta(days=14, minutes=1)
    with pytest.raises(ops.EvaluationWorkflowError, match="14 hari"):
        ops.file_keberatan(
            session, ev, "Terlambat mengajukan keberatan.", actor=k.users.budi, now=late
        )
    k.instansi.settings = {"keberatan_days": 30}
    session.commit()
    row = ops.file_keberatan(
        session, ev, "Masih dalam batas 30 hari.", actor=k.users.budi, now=late
    )
    assert row.status == "diajukan"


def test_keberatan_on_a_draft_or_without_reason_is_refused(session, kominfo):
    k = kominfo
    ev = _evaluate(session, k, k.skp_budi, "2", "2")
    with pytest.raises(ops.EvaluationWorkflowError, match="sudah final"):
        ops.file_keberatan(session, ev, "Belum final tetapi keberatan.", actor=k.users.budi)
    ops.finalize_evaluation(session, ev, actor=k.users.kabid)
    with pytest.raises(ops.EvaluationValidationError) as exc:
        ops.file_keberatan(session, ev, "  ", actor=k.users.budi)
    assert "alasan" in exc.value.fields


# --- organisation predikat -------------------------------------------------------------------


def test_org_predikat_is_set_by_the_leader_above_admin_or_pimpinan(session, kominfo):
    k = kominfo
    row = ops.set_org_predikat(session, k.bidang, TAHUN, 1, "Baik", actor=k.users.kadis)
    assert row.predikat == "BAIK"
    ops.set_org_predikat(session, k.dinas, TAHUN, 0, "ISTIMEWA", actor=k.users.pimpinan)
    ops.set_org_predikat(session, k.dinas, TAHUN, 2, "cukup", actor=k.users.admin)
    session.commit()
    for who, unit in (("kabid", k.bidang), ("kadis", k.dinas), ("hr", k.dinas), ("budi", k.bidang)):
        with pytest.raises(ops.EvaluationForbidden):
            ops.set_org_predikat(session, unit, TAHUN, 1, "BAIK", actor=getattr(k.users, who))


def test_org_predikat_rejects_unknown_values_and_periods(session, kominfo):
    k = kominfo
    with pytest.raises(ops.EvaluationValidationError) as exc:
        ops.set_org_predikat(session, k.dinas, TAHUN, 5, "Luar Biasa", actor=k.users.admin)
    assert set(exc.value.fields) == {"predikat", "periode_ke"}
    with pytest.raises(ops.EvaluationValidationError) as exc:
        ops.set_org_predikat(session, k.dinas, 2031, 1, "BAIK", actor=k.users.admin)
    assert "2031" in exc.value.fields["tahun"][0]


def test_setting_the_same_org_predikat_twice_is_audited_once(session, kominfo):
    k = kominfo
    ops.set_org_predikat(session, k.dinas, TAHUN, 1, "BAIK", actor=k.users.admin)
    ops.set_org_predikat(session, k.dinas, TAHUN, 1, "Baik", actor=k.users.admin)
    ops.set_org_predikat(session, k.dinas, TAHUN, 1, "KURANG", actor=k.users.admin)
    session.commit()
    assert _audit_count(session, "predikat_organisasi.set") == 2
