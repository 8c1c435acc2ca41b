"""The tree page loader: levels within a node budget, drill-down, the same findings."""

from __future__ import annotations

import pytest

from skp_app.cascading import queries
from skp_app.cascading.graph import CascadeError, descendants_of
from skp_app.cascading.queries import cascade_for, tree_view

TAHUN = 2026


def test_a_small_opd_is_drawn_whole_with_the_findings_of_the_full_check(cascade_world, session):
    w = cascade_world
    opd = w.unit["kominfo"]
    view = tree_view(session, TAHUN, opd)
    _graph, full = cascade_for(session, TAHUN, opd)
    own = {n for n, d in view.graph.nodes(data=True) if not d["context"] and d["kind"] != "missing"}
    assert view.hidden == {} and view.shown == view.total - 1  # the free RHK tambahan
    assert view.free_tambahan == 1 and f"rhk:{w.rhk['rina_tambahan']}" not in view.graph
    assert view.findings == [f for f in full if f.nodes and f.nodes[0] in own]
    # The cycle, the orphan and the links out of the OPD are all drawn.
    for key in ("sari_cycle", "fajar_cycle", "kadis_orphan", "kasi_2025_link", "rina_missing"):
        assert f"rhk:{w.rhk[key]}" in own, key
    assert view.graph.nodes[f"rhk:{w.rhk['camat_spbe']}"]["context"]  # another OPD, below
    assert view.graph.nodes[f"rhk:{w.rhk['kadis_2025_rhk']}"]["context"]  # another periode
    # Only the RPJMD sasaran right above the OPD's sasaran are drawn, as context.
    assert view.graph.nodes[f"rg:{w.goal['rg_tatakelola']}"]["context"]
    assert f"rg:{w.goal['visi']}" not in view.graph


def test_a_large_opd_shows_its_top_levels_and_counts_what_is_below(cascade_world, session):
    w = cascade_world
    view = tree_view(session, TAHUN, w.unit["kominfo"], budget=3)
    assert view.depth == 0
    drawn = {n for n, d in view.graph.nodes(data=True) if not d["context"]}
    assert drawn == {f"og:{w.goal['og_spbe']}", f"og:{w.goal['og_unlinked']}"}
    og = f"og:{w.goal['og_spbe']}"
    assert view.hidden == {og: 10}  # the Kepala Dinas' RHK and everything under it in the OPD
    codes = {(f.code, f.nodes[0]) for f in view.findings}
    # The rules about children still see the level below: og_spbe is covered.
    assert ("UNCOVERED_PARENT", og) not in codes
    assert ("UNCOVERED_PARENT", f"og:{w.goal['og_unlinked']}") in codes


def test_drilling_down_opens_the_part_below_a_node(cascade_world, session):
    w = cascade_world
    root = f"rhk:{w.rhk['kabid_infra']}"
    view = tree_view(session, TAHUN, w.unit["kominfo"], root=root)
    drawn = {n for n, d in view.graph.nodes(data=True) if not d["context"]}
    expected = {root, *descendants_of(cascade_for(session, TAHUN)[0], root)}
    assert drawn == expected
    # The parent of the root is drawn as context; the path further up is the trail.
    assert view.graph.nodes[f"rhk:{w.rhk['kadis_spbe']}"]["context"]
    assert [t[0] for t in view.trail] == [
        f"rg:{w.goal['visi']}",
        f"rg:{w.goal['misi']}",
        f"rg:{w.goal['tujuan']}",
        f"rg:{w.goal['rg_tatakelola']}",
        f"og:{w.goal['og_spbe']}",
        f"rhk:{w.rhk['kadis_spbe']}",
    ]
    assert {f.code for f in view.findings} >= {"IKI_NO_TARGET", "DUPLICATE_RHK"}


def test_a_root_outside_the_opd_is_refused(cascade_world, session):
    w = cascade_world
    with pytest.raises(CascadeError, match="bukan bagian dari cascading OPD ini"):
        tree_view(session, TAHUN, w.unit["kominfo"], root=f"rhk:{w.rhk['kaban_dok']}")


def test_the_tree_page_offers_drill_down_links_when_levels_are_hidden(
    cascade_world, client, login, monkeypatch
):
    w = cascade_world
    monkeypatch.setattr(queries, "TREE_BUDGET", 3)
    login(w.user["op_kominfo"])
    html = client.get(f"/cascading/pohon/opd/{w.unit['kominfo']}?tahun=2026").get_data(as_text=True)
    og = f"og:{w.goal['og_spbe']}"
    assert "Buka 10 RHK di bawahnya" in html
    assert f"root={og}" in html
    from tests.cascading.test_views import _figure

    labels = _figure(html)["data"][0]["labels"]
    assert "Meningkatnya kualitas layanan SPBE ▸ +10" in labels
    page = client.get(f"/cascading/pohon/opd/{w.unit['kominfo']}?tahun=2026&root={og}")
    assert page.status_code == 200
    assert "Kembali ke puncak pohon OPD" in page.get_data(as_text=True)
    bad = client.get(f"/cascading/pohon/opd/{w.unit['kominfo']}?tahun=2026&root=rhk:999999")
    assert bad.status_code == 404
    assert (
        client.get(f"/cascading/pohon/opd/{w.unit['kominfo']}?tahun=2026&root=nonsense").status_code
        == 404
    )


def test_tree_view_reads_a_bounded_number_of_queries(cascade_world, session, count_queries):
    with count_queries() as counter:
        tree_view(session, TAHUN, cascade_world.unit["kominfo"])
    assert counter.count <= 20, counter.statements
