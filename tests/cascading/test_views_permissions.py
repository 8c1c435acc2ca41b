"""The cascading permissions as pure predicates (deny by default, OPD scope)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from skp_app.cascading import permissions as perm


def test_anonymous_and_roleless_users_are_denied(cascade_world):
    w = cascade_world
    anon = SimpleNamespace(is_authenticated=False, is_active=False)
    opd = w.unit["kominfo"]
    for check in (
        perm.can_view_tree(anon, opd),
        perm.can_view_findings(anon, opd),
        perm.can_view_matrix(anon, w.peg["kasi"], opd),
        perm.can_view_lineage(anon, w.peg["rina"], opd),
        perm.can_view_impact(anon, w.peg["kasi"], opd),
        perm.can_create_review(anon, opd),
        perm.can_view_regency(anon),
    ):
        assert check is False
    assert perm.tree_scope(anon) == set() and perm.findings_scope(anon) == set()


@pytest.mark.parametrize(
    ("user", "tree", "findings", "review"),
    [
        ("admin", None, None, None),
        ("pimpinan", None, set(), set()),
        ("hr", set(), None, set()),
        ("op_kominfo", {"kominfo"}, {"kominfo"}, {"kominfo"}),
        ("eval_kominfo", {"kominfo"}, {"kominfo"}, {"kominfo"}),
        ("eval_all", None, None, None),
        ("rina", set(), set(), set()),
    ],
)
def test_scopes_by_role(cascade_world, user, tree, findings, review):
    w = cascade_world
    u = w.user[user]

    def ids(names):
        return None if names is None else {w.unit[n] for n in names}

    assert perm.tree_scope(u) == ids(tree)
    assert perm.findings_scope(u) == ids(findings)
    assert perm.review_scope(u) == ids(review)


def test_employees_see_their_own_lineage_and_matrix_only(cascade_world):
    w = cascade_world
    opd = w.unit["kominfo"]
    rina, kasi = w.user["rina"], w.user["kasi"]
    assert perm.can_view_lineage(rina, w.peg["rina"], opd)
    assert not perm.can_view_lineage(rina, w.peg["agus"], opd)
    assert not perm.can_view_lineage(kasi, w.peg["rina"], opd)  # not even the superior
    assert perm.can_view_matrix(kasi, w.peg["kasi"], opd)
    assert not perm.can_view_matrix(rina, w.peg["kasi"], opd)
    assert perm.can_view_impact(kasi, w.peg["kasi"], opd)
    assert not perm.can_view_impact(rina, w.peg["kasi"], opd)
    assert not perm.can_view_tree(rina, opd)


def test_review_actions_are_split_between_evaluator_and_operator(cascade_world, session):
    from datetime import date

    from skp_app.cascading.models import AlignmentReview, ReviewItem

    w = cascade_world
    review = AlignmentReview(
        opd_id=w.unit["kominfo"], tahun=2026, verdict="selaras", due_date=date(2026, 12, 1)
    )
    item = ReviewItem(review=review, rule="V1", note="x")
    session.add(review)
    session.flush()
    assert perm.can_mark_review_item_fixed(w.user["op_kominfo"], item)
    assert not perm.can_mark_review_item_fixed(w.user["eval_kominfo"], item)
    assert not perm.can_mark_review_item_fixed(w.user["admin"], item)
    assert not perm.can_mark_review_item_fixed(w.user["op_bappeda"], item)
    assert perm.can_close_review_item(w.user["eval_kominfo"], item)
    assert perm.can_close_review_item(w.user["eval_all"], item)
    assert not perm.can_close_review_item(w.user["eval_bappeda"], item)
    assert not perm.can_close_review_item(w.user["op_kominfo"], item)
    assert perm.can_view_review(w.user["admin"], review)
    assert not perm.can_view_review(w.user["hr"], review)
    assert perm.evaluator_scope(w.user["op_kominfo"]) == set()
    assert perm.evaluator_scope(w.user["eval_all"]) is None
    session.rollback()
