"""Dashboard permission predicates as pure functions (deny by default, scope by OPD)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from skp_app.dashboard import permissions as perm


class FakeUser:
    """An authenticated account with roles ``{role: [unit ids or None]}``."""

    is_authenticated = True
    is_active = True

    def __init__(self, roles: dict[str, list[int | None]] | None = None, pegawai_id=None):
        self.roles = [
            SimpleNamespace(role=r, unit_id=u) for r, us in (roles or {}).items() for u in us
        ]
        self.pegawai_id = pegawai_id

    def role_names(self):
        names = {r.role for r in self.roles}
        if self.pegawai_id is not None:
            names.add("pegawai")
        return names

    def has_role(self, *roles):
        return bool(self.role_names() & set(roles))

    def scope_units(self, role):
        units = set()
        for r in self.roles:
            if r.role == role:
                if r.unit_id is None:
                    return None
                units.add(r.unit_id)
        return units


class Anonymous:
    is_authenticated = False
    is_active = False
    pegawai_id = None


SKP = SimpleNamespace(pegawai_id=10, penilai_pegawai_id=20, atasan_penilai_pegawai_id=30, opd_id=1)


@pytest.mark.parametrize(
    "user,expected",
    [
        (FakeUser({"admin": [None]}), ["pimpinan", "hr", "opd"]),
        (FakeUser({"pimpinan": [None]}, pegawai_id=5), ["pimpinan", "opd", "pegawai"]),
        (FakeUser({"hr": [None]}), ["hr", "opd"]),
        (FakeUser({"opd_operator": [1]}), ["opd"]),
        (FakeUser({"evaluator": [1]}), ["evaluator"]),
        (FakeUser(pegawai_id=5), ["pegawai"]),
        (
            FakeUser({"opd_operator": [1], "evaluator": [2]}, pegawai_id=5),
            ["opd", "evaluator", "pegawai"],
        ),
        (FakeUser(), []),
        (Anonymous(), []),
    ],
)
def test_sections_follow_the_roles(user, expected):
    assert perm.dashboard_sections(user) == expected


def test_opd_head_gets_the_opd_section_first():
    assert perm.dashboard_sections(FakeUser(pegawai_id=5), led_opd_id=3) == ["opd", "pegawai"]


def test_opd_dashboard_scope():
    assert perm.opd_dashboard_scope(FakeUser({"hr": [None]})) is None
    assert perm.opd_dashboard_scope(FakeUser({"opd_operator": [1, 2]})) == {1, 2}
    assert perm.opd_dashboard_scope(FakeUser(pegawai_id=5), led_opd_id=3) == {3}
    assert perm.opd_dashboard_scope(FakeUser({"evaluator": [1]})) == set()
    assert perm.opd_dashboard_scope(Anonymous()) == set()
    assert perm.can_view_opd_dashboard(FakeUser({"opd_operator": [1]}), 1)
    assert not perm.can_view_opd_dashboard(FakeUser({"opd_operator": [1]}), 2)


@pytest.mark.parametrize("fn", [perm.monitoring_scope, perm.workload_scope, perm.merit_scope])
def test_report_scopes_deny_by_default(fn):
    assert fn(Anonymous()) == set()
    assert fn(FakeUser(pegawai_id=5)) == set()
    assert fn(FakeUser({"pimpinan": [None]})) is None
    assert fn(FakeUser({"opd_operator": [4]})) == {4}


def test_monitoring_includes_evaluators_but_workload_does_not():
    evaluator = FakeUser({"evaluator": [7]})
    assert perm.monitoring_scope(evaluator) == {7}
    assert perm.workload_scope(evaluator) == set()
    assert perm.monitoring_scope(FakeUser({"evaluator": [None]})) is None


@pytest.mark.parametrize(
    "user,skp_ok,evaluasi_ok",
    [
        (FakeUser(pegawai_id=10), True, True),  # owner
        (FakeUser(pegawai_id=20), True, True),  # pejabat penilai
        (FakeUser(pegawai_id=30), True, True),  # atasan pejabat penilai
        (FakeUser(pegawai_id=99), False, False),
        (FakeUser({"opd_operator": [1]}), True, True),
        (FakeUser({"opd_operator": [2]}), False, False),
        (FakeUser({"evaluator": [1]}), True, False),
        (FakeUser({"hr": [None]}), True, True),
        (FakeUser({"admin": [None]}), True, True),
        (FakeUser({"pimpinan": [None]}), True, True),
        (Anonymous(), False, False),
    ],
)
def test_document_predicates(user, skp_ok, evaluasi_ok):
    assert perm.can_print_skp(user, SKP) is skp_ok
    assert perm.can_print_evaluasi(user, SKP) is evaluasi_ok


def test_recap_predicate():
    assert perm.can_print_recap(FakeUser({"hr": [None]}), None)
    assert perm.can_print_recap(FakeUser({"opd_operator": [1]}), 1)
    assert not perm.can_print_recap(FakeUser({"opd_operator": [1]}), None)
    assert not perm.can_print_recap(FakeUser({"opd_operator": [1]}), 2)
    assert not perm.can_print_recap(FakeUser({"pimpinan": [None]}), 1)
    assert not perm.can_print_recap(Anonymous(), 1)


def test_document_predicates_agree_with_the_pages_of_the_other_domains():
    planning = pytest.importorskip("skp_app.planning.permissions")
    evaluation = pytest.importorskip("skp_app.realization.evaluation_permissions")
    users = (
        [FakeUser(pegawai_id=p) for p in (10, 20, 30, 99)]
        + [FakeUser({r: [u]}) for r in ("opd_operator", "evaluator") for u in (1, 2)]
        + [FakeUser({r: [None]}) for r in ("hr", "admin", "pimpinan")]
        + [Anonymous()]
    )
    for user in users:
        assert perm.can_print_skp(user, SKP) == planning.can_view_skp(user, SKP)
        assert perm.can_print_evaluasi(user, SKP) == evaluation.can_view_evaluasi(user, SKP)
        for opd in (None, 1, 2):
            assert perm.can_print_recap(user, opd) == evaluation.can_view_recap(user, opd)
