"""The cascade loader on factory data: rows, findings, OPD scope, incremental checks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from skp_app.cascading import queries as cascade_queries
from skp_app.cascading.graph import CascadeError, build_cascade_graph, descendants_of
from skp_app.cascading.matrix import build_matrix
from skp_app.cascading.queries import (
    _IndicatorCache,
    cascade_for,
    check_rhk_saved,
    lineage_for,
    load_cascade_rows,
    matrix_input,
    subtree_for,
)
from skp_app.cascading.rules import check_cascade, neighbourhood
from skp_app.planning.models import Iki, Rhk, Skp

TAHUN = 2026


def _codes(findings, node):
    return sorted({f.code for f in findings if f.nodes and f.nodes[0] == node})


def test_loader_returns_plain_rows_of_current_skps_only(cascade_world, session):
    w = cascade_world
    rows = load_cascade_rows(session, TAHUN)
    rhk_ids = {r.id for r in rows.rhks}
    assert w.rhk["kaban_dok"] in rhk_ids
    # The RHK of the closed SKP is gone; the 2025 RHK stays as context for the 2026 link.
    assert w.rhk["kasi_old_rhk"] not in rhk_ids
    by_id = {r.id: r for r in rows.rhks}
    assert by_id[w.rhk["kadis_2025_rhk"]].tahun == 2025
    staff = by_id[w.rhk["rina_dup"]]
    assert staff.owner_name == "Rina Marlina"
    assert staff.level == 5 and staff.jabatan_jenis == "fungsional"
    assert staff.penilai_pegawai_id == w.peg["kasi"]  # from the SKP row
    assert staff.parent_kind == "rhk" and staff.parent_id == w.rhk["kasi_jaringan"]
    assert staff.skp_status == "draft" and staff.opd_id == w.unit["kominfo"]
    assert [i.aspek for i in staff.indicators] == ["kuantitas", "kualitas", "waktu"]
    assert staff.indicators[0].target == Decimal("4")
    assert by_id[w.rhk["kaban_dok"]].parent_kind == "opd_goal"
    assert by_id[w.rhk["kaban_dok"]].owner_name == "Dr. Hendra Wijaya, M.Si."
    assert rows.flagged == frozenset({w.rhk["agus_flag"]})


def test_loader_builds_people_from_position_tree_and_kedudukan(cascade_world, session):
    w = cascade_world
    people = {p.pegawai_id: p for p in load_cascade_rows(session, TAHUN).people}
    assert people[w.peg["rina"]].superior_pegawai_id == w.peg["kasi"]
    assert people[w.peg["agus"]].superior_pegawai_id == w.peg["kabid_a"]  # hand-set superior
    assert people[w.peg["yoga"]].skp_ids == () and people[w.peg["yoga"]].must_have_skp
    assert not people[w.peg["bupati"]].must_have_skp  # the Bupati is not an ASN
    assert w.peg["pensiun"] not in people  # retired: not in active service
    assert people[w.peg["kasi"]].skp_ids == (w.skp["kasi"],)  # the closed SKP does not count
    assert people[w.peg["kadis"]].level == 2


def test_loader_links_goals_and_names_their_owners(cascade_world, session):
    w = cascade_world
    goals = {g.id: g for g in load_cascade_rows(session, TAHUN).goals}
    assert goals[w.goal["og_spbe"]].parent_goal_id == w.goal["rg_tatakelola"]
    assert goals[w.goal["og_spbe"]].owner_pegawai_id == w.peg["kadis"]
    assert goals[w.goal["rg_tatakelola"]].parent_goal_id == w.goal["tujuan"]
    assert goals[w.goal["rg_tatakelola"]].owner_pegawai_id == w.peg["bupati"]
    assert goals[w.goal["og_unlinked"]].parent_goal_id is None
    target = goals[w.goal["rg_tatakelola"]].indicators[0]
    assert (target.text, target.target, target.satuan) == ("Indeks SPBE", Decimal("3.5"), "Indeks")


def test_loader_runs_a_handful_of_queries(cascade_world, session, count_queries):
    with count_queries() as counter:
        load_cascade_rows(session, TAHUN)
    assert counter.count <= 12, counter.statements
    with count_queries() as counter:
        load_cascade_rows(session, TAHUN, cascade_world.unit["kominfo"])
    assert counter.count <= 16, counter.statements


def test_unknown_periode_is_refused_with_a_clear_message(cascade_world, session):
    with pytest.raises(CascadeError, match="Periode 2031 tidak ditemukan"):
        cascade_for(session, 2031)


def test_each_planted_defect_is_found(cascade_world, session):
    w = cascade_world
    _graph, findings = cascade_for(session, TAHUN)
    node = {k: f"rhk:{v}" for k, v in w.rhk.items()}
    assert _codes(findings, node["kadis_orphan"]) == ["ORPHAN_RHK", "UNCOVERED_PARENT"]
    assert "IKI_NO_TARGET" in _codes(findings, node["kabid_infra"])
    assert "ACTIVITY_LANGUAGE" in _codes(findings, node["kabid_laporan"])
    assert "NO_IKI" in _codes(findings, node["kabid_noiki"])
    assert _codes(findings, node["rina_skip"]) == ["LEVEL_SKIPPED", "PARENT_NOT_PENILAI"]
    assert _codes(findings, node["rina_missing"]) == ["PARENT_MISSING"]
    assert "PARENT_OTHER_PERIODE" in _codes(findings, node["kasi_2025_link"])
    dup = [f for f in findings if f.code == "DUPLICATE_RHK"]
    assert [f.nodes for f in dup] == [(node["rina_dup"], node["agus_dup"])]
    cycle = [f for f in findings if f.code == "CYCLE"]
    assert len(cycle) == 1 and set(cycle[0].path) == {node["sari_cycle"], node["fajar_cycle"]}
    og = f"og:{w.goal['og_unlinked']}"
    assert _codes(findings, og) == ["OPD_GOAL_UNLINKED", "UNCOVERED_PARENT"]
    no_skp = [f for f in findings if f.code == "NO_SKP"]
    assert [f.owner_pegawai_id for f in no_skp] == [w.peg["yoga"]]
    # RHK tambahan need no parent (V4).
    assert _codes(findings, node["rina_tambahan"]) == []


def test_link_flag_of_the_personnel_sync_surfaces_as_parent_not_penilai(cascade_world, session):
    w = cascade_world
    _graph, findings = cascade_for(session, TAHUN)
    node = f"rhk:{w.rhk['agus_flag']}"
    found = [f for f in findings if f.code == "PARENT_NOT_PENILAI" and f.nodes[0] == node]
    assert len(found) == 1
    assert found[0].severity == "error"
    assert found[0].nodes == (node, f"rhk:{w.rhk['kasi_pusat_data']}")
    assert "sinkronisasi data kepegawaian" in found[0].message
    assert "Atasan langsung saat ini: Dewi Lestari" in found[0].message


def test_a_flagged_link_into_a_closed_skp_names_the_personnel_change(cascade_world, session):
    # The sync closed the old penilai's SKP in the same run that flagged the link: the link
    # points at an RHK that no longer counts, but the owner must hear why, not "not found".
    w = cascade_world
    session.get(Rhk, w.rhk["rina_missing"]).link_flag = "parent_not_penilai"
    session.commit()
    node = f"rhk:{w.rhk['rina_missing']}"
    parent = f"rhk:{w.rhk['kasi_old_rhk']}"
    _graph, findings = cascade_for(session, TAHUN)
    mine = [f for f in findings if f.nodes[:1] == (node,)]
    assert [(f.code, f.nodes) for f in mine] == [("PARENT_NOT_PENILAI", (node, parent))]
    assert "SKP-nya sudah ditutup karena perubahan data kepegawaian" in mine[0].message
    saved = [f for f in check_rhk_saved(session, w.rhk["rina_missing"]) if f.nodes[:1] == (node,)]
    assert saved == mine


def _indicator_texts(rows, rhk_id):
    return [i.text for r in rows.rhks if r.id == rhk_id for i in r.indicators]


def test_iki_read_beside_the_session_equal_its_own_and_unsaved_changes_are_seen(
    cascade_world, session, monkeypatch
):
    # On PostgreSQL the IKI are read on a second connection in the session's snapshot; a
    # transaction that has written reads them itself (the other one could not see the write).
    runs = []
    run = cascade_queries._Prefetch._run
    monkeypatch.setattr(
        cascade_queries._Prefetch, "_run", lambda self, *a: (runs.append(a), run(self, *a))
    )
    w = cascade_world
    committed = cascade_queries.load_cascade_rows(session, TAHUN)
    session.rollback()
    rid = w.rhk["kasi_jaringan"]
    before = _indicator_texts(committed, rid)
    assert before
    session.add(Iki(rhk_id=rid, aspek="kualitas", urutan=9, teks="Persentase jaringan aktif"))
    session.flush()
    unsaved = cascade_queries.load_cascade_rows(session, TAHUN)
    assert _indicator_texts(unsaved, rid) == [*before, "Persentase jaringan aktif"]
    assert len(runs) == (1 if session.get_bind().dialect.name == "postgresql" else 0)
    assert [r.id for r in unsaved.rhks] == [r.id for r in committed.rhks]
    session.rollback()


def test_penilai_is_read_from_the_skp_row(cascade_world, session):
    w = cascade_world
    skp = session.get(Skp, w.skp["rina"])
    skp.penilai_pegawai_id = w.peg["kabid_a"]  # a Plt penilai set on the SKP
    session.commit()
    _graph, findings = cascade_for(session, TAHUN)
    node = f"rhk:{w.rhk['rina_dup']}"
    found = [f for f in findings if f.code == "PARENT_NOT_PENILAI" and f.nodes[0] == node]
    assert found and "pejabat penilai SKP-nya adalah Dewi Lestari" in found[0].message
    # …and the link to the Kepala Dinas is still not the penilai's.
    assert "PARENT_NOT_PENILAI" in _codes(findings, f"rhk:{w.rhk['rina_skip']}")


def test_clean_pilot_opd_has_no_findings(cascade_world, session):
    graph, findings = cascade_for(session, TAHUN, cascade_world.unit["bappeda"])
    assert findings == []
    own = [n for n, d in graph.nodes(data=True) if not d["context"]]
    assert len(own) == 6  # one OPD sasaran and five RHK
    assert graph.nodes[f"rg:{cascade_world.goal['rg_perencanaan']}"]["context"]


@pytest.mark.parametrize("opd", ["bappeda", "kominfo", "kecamatan"])
def test_opd_findings_are_the_periode_findings_of_that_opd(cascade_world, session, opd):
    opd_id = cascade_world.unit[opd]
    _full, everything = cascade_for(session, TAHUN)
    graph, findings = cascade_for(session, TAHUN, opd_id)
    assert findings == [f for f in everything if f.opd_id == opd_id]
    # Nodes of other OPDs are shown as context.
    for _n, d in graph.nodes(data=True):
        if d["kind"] in ("rhk", "opd_goal") and d["opd_id"] != opd_id:
            assert d["context"]


def test_a_unit_leader_below_jpt_may_carry_the_goal_of_his_opd(cascade_world, session):
    w = cascade_world
    _graph, findings = cascade_for(session, TAHUN)
    assert _codes(findings, f"rhk:{w.rhk['camat_layanan']}") == []
    assert check_rhk_saved(session, w.rhk["camat_layanan"]) == []
    goals = {g.id: g for g in load_cascade_rows(session, TAHUN, max_level=2).goals}
    assert goals[w.goal["og_kecamatan"]].owner_pegawai_id == w.peg["camat"]


def test_opd_scope_reaches_links_across_opds(cascade_world, session):
    w = cascade_world
    kec, _ = cascade_for(session, TAHUN, w.unit["kecamatan"])
    # The Camat's RHK hangs under the Kepala Diskominfo's RHK, up to the RPJMD.
    assert kec.has_edge(f"rhk:{w.rhk['kadis_spbe']}", f"rhk:{w.rhk['camat_spbe']}")
    assert kec.has_edge(f"og:{w.goal['og_spbe']}", f"rhk:{w.rhk['kadis_spbe']}")
    kominfo, _ = cascade_for(session, TAHUN, w.unit["kominfo"])
    assert kominfo.nodes[f"rhk:{w.rhk['camat_spbe']}"]["context"]


def test_incremental_check_equals_the_full_check_around_every_rhk(cascade_world, session):
    w = cascade_world
    graph, findings = cascade_for(session, TAHUN)
    checked = 0
    for key, rid in w.rhk.items():
        node = f"rhk:{rid}"
        if node not in graph or graph.nodes[node]["kind"] == "missing":
            continue
        if graph.nodes[node]["context"]:
            continue
        near = neighbourhood(graph, node)
        expected = [f for f in findings if not near.isdisjoint(f.nodes)]
        assert check_rhk_saved(session, rid) == expected, key
        checked += 1
    assert checked == 23  # every RHK but the closed and the 2025 one


def test_incremental_check_reads_only_a_few_small_queries(cascade_world, session, count_queries):
    with count_queries() as counter:
        found = check_rhk_saved(session, cascade_world.rhk["rina_dup"])
    assert counter.count <= 16
    assert {f.code for f in found} == {"DUPLICATE_RHK"}


def test_incremental_check_of_a_closed_skp_and_an_unknown_rhk(cascade_world, session):
    assert check_rhk_saved(session, cascade_world.rhk["kasi_old_rhk"]) == []
    with pytest.raises(CascadeError, match="tidak ditemukan"):
        check_rhk_saved(session, 999_999)


def test_incremental_check_sees_unsaved_but_flushed_changes(cascade_world, session):
    w = cascade_world
    rhk = session.get(Rhk, w.rhk["rina_missing"])
    rhk.parent_rhk_id = w.rhk["kasi_pusat_data"]
    session.flush()
    node = f"rhk:{rhk.id}"
    assert [f for f in check_rhk_saved(session, rhk.id) if node in f.nodes] == []
    session.rollback()


def test_lineage_runs_from_the_employee_up_to_the_rpjmd(cascade_world, session):
    w = cascade_world
    graph, findings = lineage_for(session, TAHUN, w.peg["perencana1"])
    assert set(graph) == {
        f"rhk:{w.rhk['perencana1_data']}",
        f"rhk:{w.rhk['kasubbid_rancangan']}",
        f"rhk:{w.rhk['kabid_rkpd']}",
        f"rhk:{w.rhk['kaban_dok']}",
        f"og:{w.goal['og_bappeda']}",
        f"rg:{w.goal['rg_perencanaan']}",
        f"rg:{w.goal['tujuan']}",
        f"rg:{w.goal['misi']}",
        f"rg:{w.goal['visi']}",
    }
    assert findings == []
    _g, rina = lineage_for(session, TAHUN, w.peg["rina"])
    own = {f"rhk:{w.rhk[k]}" for k in ("rina_dup", "rina_skip", "rina_missing", "rina_tambahan")}
    assert {f.code for f in rina} == {
        "DUPLICATE_RHK",
        "PARENT_NOT_PENILAI",
        "LEVEL_SKIPPED",
        "PARENT_MISSING",
    }
    assert all(f.nodes[0] in own for f in rina)
    empty, none = lineage_for(session, TAHUN, w.peg["yoga"])
    assert empty.number_of_nodes() == 0 and none == []


def test_subtree_holds_everything_below_a_node_across_opds(cascade_world, session):
    w = cascade_world
    node = f"rhk:{w.rhk['kadis_spbe']}"
    graph = subtree_for(session, TAHUN, node)
    below = set(descendants_of(graph, node))
    assert f"rhk:{w.rhk['camat_spbe']}" in below
    assert f"rhk:{w.rhk['agus_dup']}" in below
    assert f"rhk:{w.rhk['kadis_orphan']}" not in below
    assert list(graph.pred[node]) == []
    goal = f"rg:{w.goal['misi']}"
    from_goal = set(descendants_of(subtree_for(session, TAHUN, goal), goal))
    assert f"og:{w.goal['og_bappeda']}" in from_goal
    assert f"rhk:{w.rhk['perencana2_kajian']}" in from_goal


def test_matrix_input_of_a_superior(cascade_world, session):
    w = cascade_world
    data = matrix_input(session, w.peg["kasi"], TAHUN)
    assert data.skp_id == w.skp["kasi"] and data.opd_id == w.unit["kominfo"]
    assert [c.id for c in data.columns] == [
        w.rhk["kasi_jaringan"],
        w.rhk["kasi_pusat_data"],
        w.rhk["kasi_2025_link"],
    ]
    assert data.columns[0].target == "4 Dokumen"
    members = {m.pegawai_id: m for m in data.members}
    assert set(members) == {w.peg["rina"], w.peg["yoga"], w.peg["agus"]}
    assert not members[w.peg["yoga"]].has_skp
    assert members[w.peg["agus"]].other_unit  # reports to the Kabid, penilai still the Kasi
    m = build_matrix(data.columns, data.members, data.member_rhks)
    assert [r.id for r in m.cell(w.peg["rina"], w.rhk["kasi_jaringan"])] == [w.rhk["rina_dup"]]
    assert m.gap_columns == [w.rhk["kasi_2025_link"]]
    assert m.idle_members == [w.peg["yoga"]]
    assert [o.rhk_ids for o in m.overlaps] == [(w.rhk["rina_dup"], w.rhk["agus_dup"])]


def test_regency_overview_loads_goals_and_jpt_only(cascade_world, session, count_queries):
    w = cascade_world
    with count_queries() as counter:
        rows = load_cascade_rows(session, TAHUN, max_level=2)
    assert counter.count <= 8
    assert {r.owner_pegawai_id for r in rows.rhks} == {w.peg["kaban"], w.peg["kadis"]}
    assert rows.people == []
    graph = build_cascade_graph(rows.goals, rows.rhks, tahun=TAHUN)
    assert {f.code for f in check_cascade(graph)} >= {"ORPHAN_RHK", "OPD_GOAL_UNLINKED"}


def test_docstring_examples_of_the_loader_and_operations_run():
    import doctest

    from skp_app.cascading import operations, queries

    for module in (queries, operations):
        assert doctest.testmod(module).failed == 0, module.__name__


def test_equal_iki_sets_come_back_as_one_shared_tuple():
    qty = ("kuantitas", "Jumlah dokumen perencanaan", "4.0000", None, "Dokumen", 0)
    waktu = ("waktu", "Ketepatan waktu penetapan", "12.0000", None, "Bulan", 0)
    rows = [(1, *qty), (1, *waktu), (2, *qty), (2, *waktu), (3, *waktu), (4, *qty), (4, *waktu)]
    grouped = _IndicatorCache().group(rows)
    assert grouped[1] is grouped[2] is grouped[4]
    assert [i.aspek for i in grouped[1]] == ["kuantitas", "waktu"]
    assert grouped[1][0].target == Decimal("4.0000")
    assert grouped[3] == (grouped[1][1],) and grouped[3][0] is grouped[1][1]
    # Rows of one RHK that are not together still end up in one set, in the order read.
    split = _IndicatorCache().group([(5, *qty), (6, *waktu), (5, *waktu)])
    assert [i.aspek for i in split[5]] == ["kuantitas", "waktu"]
