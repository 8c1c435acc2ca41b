"""The whole-periode check split over two processes equals the check of one graph."""

from __future__ import annotations

import itertools
import os

import pytest

from skp_app.cascading import fullcheck
from skp_app.cascading import queries as cascade_queries
from skp_app.cascading.graph import CascadeError
from skp_app.cascading.queries import OpdScope, cascade_for, checked_scope
from skp_app.cascading.rules import sort_findings
from skp_app.planning.models import Iki, Rhk, Skp

TAHUN = 2026


def _cross_opd_duplicate(session, w) -> int:
    """A Diskominfo staff RHK worded like the Camat's, under the same Kepala Dinas RHK."""
    rhk = Rhk(
        skp_id=w.skp["kabid_a"],
        jenis="utama",
        teks="Meningkatnya pemanfaatan layanan SPBE di kecamatan",
        parent_rhk_id=w.rhk["kadis_spbe"],
        cascading="non_direct",
    )
    session.add(rhk)
    session.flush()
    session.add(
        Iki(rhk_id=rhk.id, aspek="kuantitas", urutan=0, teks="Jumlah kecamatan", satuan="Kecamatan")
    )
    session.commit()
    return rhk.id


def test_scope_membership_and_its_complement():
    scope = OpdScope(frozenset({12, 40}))
    rest = scope.complement()
    assert scope.contains(12) and not scope.contains(13) and not scope.contains(None)
    assert rest.contains(13) and rest.contains(None) and not rest.contains(40)
    assert rest.complement() == scope


@pytest.mark.parametrize("links_matched_in_python", [False, True])
def test_every_split_of_the_opds_gives_the_findings_of_the_whole_periode(
    cascade_world, session, monkeypatch, links_matched_in_python
):
    # A large scope matches the links into it from plain ids; a small one in SQL.
    monkeypatch.setattr(cascade_queries, "_OUTSIDE_SCAN", 0 if links_matched_in_python else 10**9)
    w = cascade_world
    dup = _cross_opd_duplicate(session, w)
    _graph, whole = cascade_for(session, TAHUN)
    duplicate = [f for f in whole if f.code == "DUPLICATE_RHK"]
    # Members in two OPDs: the finding belongs to the OPD of the RHK they intervene.
    crossing = [f for f in duplicate if f"rhk:{dup}" in f.nodes]
    assert [f.opd_id for f in crossing] == [w.unit["kominfo"]]

    opds = [w.unit["bappeda"], w.unit["kominfo"], w.unit["kecamatan"]]
    for n in range(len(opds) + 1):
        for part in itertools.combinations(opds, n):
            scope = OpdScope(frozenset(part))
            _g, mine = checked_scope(session, TAHUN, scope)
            _g, theirs = checked_scope(session, TAHUN, scope.complement())
            assert all(scope.contains(f.opd_id) for f in mine)
            assert sort_findings([*mine, *theirs]) == whole, part


def test_periode_check_on_two_processes_equals_the_check_of_one_graph(cascade_world, session):
    _cross_opd_duplicate(session, cascade_world)
    graph, whole = cascade_for(session, TAHUN)
    result = fullcheck.check_periode(session, TAHUN, workers=2)
    assert result.workers == 2
    assert result.findings == whole
    people = graph.graph["people"]
    owners = {f.owner_pegawai_id for f in whole if f.owner_pegawai_id in people}
    assert result.names == {pid: people[pid].name for pid in owners}
    single = fullcheck.check_periode(session, TAHUN, workers=1)
    assert single.workers == 1 and single.findings == whole and single.names == result.names


def test_writes_not_yet_committed_are_checked_in_this_process(cascade_world, session):
    w = cascade_world
    rhk = session.get(Rhk, w.rhk["kabid_rkpd"])
    rhk.parent_rhk_id = None  # now an orphan, flushed but not committed
    session.flush()
    result = fullcheck.check_periode(session, TAHUN, workers=2)
    assert result.workers == 1
    assert any(f.code == "ORPHAN_RHK" and f.nodes == (f"rhk:{rhk.id}",) for f in result.findings)
    session.rollback()


def test_unknown_periode_is_refused_before_any_process_starts(cascade_world, session):
    with pytest.raises(CascadeError, match="2031"):
        fullcheck.check_periode(session, 2031, workers=2)


def test_a_failing_half_is_reported_not_dropped(cascade_world, session, monkeypatch):
    parent = os.getpid()
    real = fullcheck.checked_scope

    def failing_in_the_child(*args, **kwargs):
        if os.getpid() != parent:
            raise RuntimeError("disk I/O error")
        return real(*args, **kwargs)

    monkeypatch.setattr(fullcheck, "checked_scope", failing_in_the_child)
    with pytest.raises(CascadeError, match="paruh kedua gagal: RuntimeError: disk I/O error"):
        fullcheck.check_periode(session, TAHUN, workers=2)


def test_the_split_weighs_opds_by_their_skps(cascade_world, session):
    mine, theirs = fullcheck._split(session, cascade_world.periode_id)
    assert mine == theirs.complement() and mine.without_opd and not theirs.without_opd
    counts = {}
    for skp in session.query(Skp).filter(Skp.periode_id == cascade_world.periode_id):
        counts[skp.opd_id] = counts.get(skp.opd_id, 0) + 1
    # The largest OPD goes to this process, the next ones to the lighter side.
    largest = max((o for o in counts if o is not None), key=lambda o: (counts[o], -o))
    assert mine.contains(largest)
    assert theirs.opd_ids and all(counts.get(o) for o in theirs.opd_ids)
