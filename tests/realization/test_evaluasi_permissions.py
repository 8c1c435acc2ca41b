"""Evaluation and TPP permissions as pure predicates, and the monthly evaluation rhythm."""

from __future__ import annotations

from decimal import Decimal

import pytest

from skp_app.realization import evaluation as ops
from skp_app.realization import evaluation_permissions as perm
from skp_app.realization.evaluation_queries import (
    eval_period,
    evaluation_context,
    evaluation_periods,
    led_unit_ids,
    skp_for_evaluation,
    unit_subtree_ids,
)
from tests.realization import evaluasi_fixtures
from tests.realization.evaluasi_fixtures import TAHUN, add_realisasi

kominfo = evaluasi_fixtures.kominfo
EVERYONE = (
    "kadis",
    "kabid",
    "budi",
    "dewi",
    "outsider",
    "admin",
    "hr",
    "pimpinan",
    "operator",
    "operator_lain",
)


def _who(k, allowed, predicate):
    return {name for name in EVERYONE if predicate(getattr(k.users, name))} == set(allowed)


def test_evaluation_predicates(kominfo):
    k = kominfo
    skp = k.skp_budi.skp
    assert _who(k, {"kabid"}, lambda u: perm.can_evaluate_skp(u, skp))
    assert _who(
        k,
        {"kabid", "budi", "kadis", "admin", "hr", "pimpinan", "operator"},
        lambda u: perm.can_view_evaluasi(u, skp),
    )
    assert _who(k, {"budi"}, lambda u: perm.can_file_keberatan(u, skp))
    assert _who(k, {"kabid"}, lambda u: perm.can_explain_keberatan(u, skp))
    assert _who(k, {"kadis"}, lambda u: perm.can_decide_keberatan(u, skp))


def test_predicates_deny_anonymous_and_disabled_accounts(session, kominfo):
    from flask_login import AnonymousUserMixin

    k = kominfo
    skp = k.skp_budi.skp
    anonymous = AnonymousUserMixin()
    assert not perm.can_view_evaluasi(anonymous, skp)
    assert not perm.can_view_recap(anonymous, None)
    k.users.kabid.is_enabled = False
    assert not perm.can_evaluate_skp(k.users.kabid, skp)


def test_org_predikat_and_curve_predicates(session, kominfo):
    k = kominfo
    led = {name: led_unit_ids(session, getattr(k.users, name).pegawai_id) for name in EVERYONE}
    assert led["kadis"] == {k.dinas.id} and led["kabid"] == {k.bidang.id} and not led["budi"]
    assert _who(
        k,
        {"kadis", "admin", "pimpinan"},
        lambda u: perm.can_set_org_predikat(u, k.bidang, led_unit_ids=led[_name(k, u)]),
    )
    assert _who(
        k,
        {"admin", "pimpinan"},
        lambda u: perm.can_set_org_predikat(u, k.dinas, led_unit_ids=led[_name(k, u)]),
    )
    subtree = unit_subtree_ids(session, k.dinas.id)
    assert subtree == {k.dinas.id, k.bidang.id}
    assert _who(
        k,
        {"kadis", "kabid", "admin", "hr", "pimpinan", "operator"},
        lambda u: perm.can_view_unit_curve(
            u, k.dinas, led_unit_ids=led[_name(k, u)], subtree_ids=subtree
        ),
    )


def _name(k, user):
    return next(n for n in EVERYONE if getattr(k.users, n) is user)


def test_recap_and_policy_predicates(kominfo):
    k = kominfo
    assert perm.recap_opd_scope(k.users.hr) is None
    assert perm.recap_opd_scope(k.users.operator) == {k.dinas.id}
    assert perm.recap_opd_scope(k.users.budi) == set()
    assert _who(k, {"admin", "hr"}, lambda u: perm.can_run_recap(u, None))
    assert _who(k, {"admin", "hr", "operator"}, lambda u: perm.can_view_recap(u, k.dinas.id))
    assert _who(k, {"admin", "hr"}, perm.can_manage_tpp_policy)


def test_monthly_rhythm_evaluates_one_month(session, kominfo):
    k = kominfo
    k.periode.periodik = "bulanan"
    add_realisasi(session, k.skp_budi, 1, dokumen=3, persen=80)
    add_realisasi(session, k.skp_budi, 2, dokumen=1, persen=100)
    session.commit()
    periods = evaluation_periods(k.periode)
    assert len(periods) == 13 and periods[1].label == "Februari 2026"
    assert periods[-1].jenis == "tahunan"
    february = eval_period(TAHUN, "bulanan", "periodik", 2)
    assert february.document_label == "BULANAN: FEBRUARI 2026"
    ctx = evaluation_context(session, skp_for_evaluation(session, k.skp_budi.skp.id), february)
    dokumen, persen = ctx.utama[0].iki_rows
    assert (dokumen.realisasi, dokumen.target_period) == (Decimal(1), Decimal(1))
    assert persen.realisasi == Decimal(100)
    ev = ops.open_evaluation(session, k.skp_budi.skp, "periodik", 12, actor=k.users.kabid)
    assert ev.periode_ke == 12
    with pytest.raises(ops.EvaluationValidationError):
        ops.open_evaluation(session, k.skp_budi.skp, "periodik", 13, actor=k.users.kabid)
