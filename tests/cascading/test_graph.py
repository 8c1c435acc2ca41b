"""Tests for the pure cascade graph: rows in, networkx graph and JSON out."""

from __future__ import annotations

import ast
import dataclasses
import doctest
import json
import sys
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import networkx as nx
import pytest

from skp_app.cascading import graph as graph_module
from skp_app.cascading.graph import (
    NODE_ATTRIBUTES,
    CascadeError,
    GoalRow,
    Indicator,
    PersonRow,
    RhkRow,
    build_cascade_graph,
    descendants_of,
    graph_to_json,
    levels,
    lineage,
    node_id,
    node_sort_key,
    opd_subgraph,
    parse_node_id,
)

TAHUN = 2025


def iki(docs: str = "4", satuan: str = "Dokumen") -> tuple[Indicator, ...]:
    return (
        Indicator(
            "kuantitas", "Jumlah dokumen perencanaan yang ditetapkan", Decimal(docs), None, satuan
        ),
        Indicator("kualitas", "Persentase dokumen sesuai ketentuan", Decimal("100"), None, "%"),
        Indicator("waktu", "Ketepatan waktu penetapan dokumen", Decimal("12"), None, "Bulan"),
    )


def make_rhk(id: int, **overrides) -> RhkRow:
    values = dict(
        id=id,
        skp_id=id + 1000,
        tahun=TAHUN,
        owner_pegawai_id=8,
        owner_name="Sri Wahyuni, S.E.",
        unit_id=41,
        opd_id=4,
        level=3,
        jabatan_jenis="administrator",
        jenis="utama",
        text="Tersusunnya dokumen RKPD tepat waktu",
        parent_kind="rhk",
        parent_id=100,
        cascading="non_direct",
        skp_status="disetujui",
        pendekatan="kuantitatif",
        penilai_pegawai_id=7,
        indicators=iki(),
    )
    values.update(overrides)
    return RhkRow(**values)


def small_rows():
    goals = [
        GoalRow(
            1,
            "regent",
            "Meningkatnya kualitas perencanaan pembangunan daerah",
            TAHUN,
            indicators=(Indicator("", "Indeks kualitas perencanaan", Decimal("61.95"), None, "%"),),
        ),
        GoalRow(
            10,
            "opd",
            "Meningkatnya kualitas dokumen perencanaan daerah",
            TAHUN,
            opd_id=4,
            parent_goal_id=1,
            owner_pegawai_id=7,
        ),
    ]
    rhks = [
        make_rhk(
            100,
            owner_pegawai_id=7,
            owner_name="Dr. Hendra Wijaya, M.Si.",
            level=2,
            jabatan_jenis="jpt",
            parent_kind="opd_goal",
            parent_id=10,
            penilai_pegawai_id=None,
            text="Meningkatnya kualitas perencanaan pembangunan daerah",
        ),
        make_rhk(200),
        make_rhk(
            300,
            owner_pegawai_id=10,
            owner_name="Andi Pratama, S.T.",
            level=4,
            parent_id=200,
            penilai_pegawai_id=8,
            cascading="direct",
        ),
    ]
    people = [
        PersonRow(7, "Dr. Hendra Wijaya, M.Si.", 4, 40, 2, None, True, (1100,), TAHUN),
        PersonRow(8, "Sri Wahyuni, S.E.", 4, 41, 3, 7, True, (1200,), TAHUN),
        PersonRow(10, "Andi Pratama, S.T.", 4, 41, 4, 8, True, (1300,), TAHUN),
    ]
    return goals, rhks, people


@contextmanager
def recursion_limit(limit: int):
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def test_module_doctests_pass():
    result = doctest.testmod(graph_module)
    assert result.attempted > 5 and result.failed == 0


def test_node_id_round_trip():
    assert node_id("rhk", 5) == "rhk:5"
    assert node_id("opd_goal", 3) == "og:3"
    assert node_id("rg", 1) == "rg:1"
    assert parse_node_id("og:3") == ("opd_goal", 3)
    assert parse_node_id(node_id("regent_goal", 42)) == ("regent_goal", 42)


@pytest.mark.parametrize("bad", ["rhk", "xx:1", "rhk:abc", "", "og:"])
def test_parse_node_id_rejects_malformed_ids(bad):
    with pytest.raises(CascadeError):
        parse_node_id(bad)


def test_node_id_rejects_unknown_kind():
    with pytest.raises(CascadeError):
        node_id("skp", 1)


def test_node_sort_key_orders_naturally():
    nodes = ["rhk:10", "og:2", "rhk:9", "rg:1", "weird"]
    assert sorted(nodes, key=node_sort_key) == ["rg:1", "og:2", "rhk:9", "rhk:10", "weird"]


def test_build_links_parent_to_child_with_cascading():
    g = build_cascade_graph(*small_rows(), tahun=TAHUN)
    assert list(g.nodes) == ["rg:1", "og:10", "rhk:100", "rhk:200", "rhk:300"]
    assert set(g.edges) == {
        ("rg:1", "og:10"),
        ("og:10", "rhk:100"),
        ("rhk:100", "rhk:200"),
        ("rhk:200", "rhk:300"),
    }
    assert g.edges["rhk:200", "rhk:300"]["cascading"] == "direct"
    assert g.edges["rg:1", "og:10"]["cascading"] is None


def test_build_copies_row_attributes_to_nodes():
    g = build_cascade_graph(*small_rows(), tahun=TAHUN)
    for _, data in g.nodes(data=True):
        assert set(data) == set(NODE_ATTRIBUTES)
    rhk = g.nodes["rhk:300"]
    assert rhk["kind"] == "rhk"
    assert rhk["db_id"] == 300
    assert rhk["owner_pegawai_id"] == 10
    assert rhk["owner_name"] == "Andi Pratama, S.T."
    assert rhk["level"] == 4
    assert rhk["penilai_pegawai_id"] == 8
    assert rhk["status"] == "disetujui"
    assert rhk["indicators"][0] == {
        "aspek": "kuantitas",
        "text": "Jumlah dokumen perencanaan yang ditetapkan",
        "target": Decimal("4"),
        "target_max": None,
        "satuan": "Dokumen",
        "lower_is_better": False,
    }
    goal = g.nodes["og:10"]
    assert goal["kind"] == "opd_goal"
    assert goal["owner_name"] == "Dr. Hendra Wijaya, M.Si."  # taken from the people rows
    assert goal["level"] is None


def test_build_normalises_aspek_case():
    row = make_rhk(200, indicators=(Indicator(" Kuantitas", "Jumlah dokumen", Decimal(1)),))
    g = build_cascade_graph([], [row])
    assert g.nodes["rhk:200"]["indicators"][0]["aspek"] == "kuantitas"


def test_build_stores_people_and_supervisors():
    goals, rhks, people = small_rows()
    g = build_cascade_graph(goals, rhks, people, tahun=TAHUN)
    assert set(g.graph["people"]) == {7, 8, 10}
    # 7 and 8 have a subordinate with an SKP (from people and from penilai of RHK rows).
    assert g.graph["supervisor_ids"] == frozenset({7, 8})
    assert g.graph["tahun"] == TAHUN
    assert g.graph["opd_id"] is None


def test_build_ignores_people_of_another_year():
    goals, rhks, people = small_rows()
    people.append(PersonRow(99, "Pegawai Lama", 4, 41, 5, 8, True, (), 2024))
    g = build_cascade_graph(goals, rhks, people, tahun=TAHUN)
    assert 99 not in g.graph["people"]


def test_missing_parent_becomes_missing_node():
    goals, rhks, people = small_rows()
    rhks.append(make_rhk(400, parent_id=999, level=4, penilai_pegawai_id=8))
    goals.append(
        GoalRow(11, "opd", "Meningkatnya akuntabilitas kinerja", TAHUN, opd_id=4, parent_goal_id=77)
    )
    g = build_cascade_graph(goals, rhks, people)
    assert g.nodes["rhk:999"]["kind"] == "missing"
    assert g.nodes["rhk:999"]["missing_kind"] == "rhk"
    assert g.nodes["rg:77"]["missing_kind"] == "regent_goal"
    assert g.has_edge("rhk:999", "rhk:400")
    assert g.graph["missing"] == ["rg:77", "rhk:999"]
    assert set(g.nodes["rhk:999"]) == set(NODE_ATTRIBUTES)


def test_rows_of_another_year_are_context_nodes():
    goals, rhks, people = small_rows()
    rhks[1] = dataclasses.replace(rhks[1], tahun=2024)
    g = build_cascade_graph(goals, rhks, people, tahun=TAHUN)
    assert g.nodes["rhk:200"]["context"] is True
    assert g.nodes["rhk:300"]["context"] is False
    assert build_cascade_graph(goals, rhks, people).nodes["rhk:200"]["context"] is False


def test_build_rejects_duplicate_ids():
    with pytest.raises(CascadeError, match="lebih dari sekali"):
        build_cascade_graph([], [make_rhk(200), make_rhk(200)])
    goal = GoalRow(1, "regent", "Meningkatnya kualitas perencanaan", TAHUN)
    with pytest.raises(CascadeError):
        build_cascade_graph([goal, goal], [])


@pytest.mark.parametrize(
    "overrides",
    [
        {"jenis": "pokok"},
        {"cascading": "langsung"},
        {"pendekatan": "campuran"},
        {"parent_kind": "skp"},
        {"parent_kind": "rhk", "parent_id": None},
        {"parent_kind": None, "parent_id": 100},
    ],
)
def test_build_rejects_invalid_rows(overrides):
    with pytest.raises(CascadeError):
        build_cascade_graph([], [make_rhk(200, **overrides)])


def test_opd_goal_may_hang_under_an_opd_tujuan():
    tujuan = GoalRow(
        30, "opd", "Meningkatnya kualitas perencanaan daerah", TAHUN, opd_id=4, parent_goal_id=1
    )
    sasaran = GoalRow(
        31,
        "opd",
        "Meningkatnya kualitas dokumen RKPD",
        TAHUN,
        opd_id=4,
        parent_goal_id=30,
        parent_level="opd",
    )
    rg = GoalRow(1, "regent", "Meningkatnya kualitas perencanaan pembangunan daerah", TAHUN)
    g = build_cascade_graph([sasaran, tujuan, rg], [])
    assert list(g.edges) == [("rg:1", "og:30"), ("og:30", "og:31")]
    with pytest.raises(CascadeError):
        build_cascade_graph([dataclasses.replace(sasaran, parent_level="pusat")], [])


def test_build_rejects_unknown_goal_level():
    with pytest.raises(CascadeError):
        build_cascade_graph([GoalRow(1, "provinsi", "Sasaran", TAHUN)], [])  # type: ignore[arg-type]


def test_bulk_build_equals_public_networkx_construction():
    goals, rhks, people = small_rows()
    rhks.append(make_rhk(400, parent_id=999))
    g = build_cascade_graph(goals, rhks, people, tahun=TAHUN)
    reference = nx.DiGraph(**g.graph)
    reference.add_nodes_from((n, dict(d)) for n, d in g.nodes(data=True))
    reference.add_edges_from((u, v, dict(d)) for u, v, d in g.edges(data=True))
    assert nx.utils.graphs_equal(g, reference)
    # The views and algorithms see the bulk-filled storage.
    assert g.number_of_edges() == 5
    assert list(g.predecessors("rhk:400")) == ["rhk:999"]
    assert nx.is_directed_acyclic_graph(g)
    g.add_edge("rhk:300", "rhk:100")
    assert not nx.is_directed_acyclic_graph(g)


def test_lineage_walks_up_to_the_root():
    g = build_cascade_graph(*small_rows())
    assert lineage(g, "rhk:300") == ["rhk:300", "rhk:200", "rhk:100", "og:10", "rg:1"]
    assert lineage(g, "rg:1") == ["rg:1"]


def test_lineage_stops_on_a_cycle():
    g = nx.DiGraph([("rhk:1", "rhk:2"), ("rhk:2", "rhk:3"), ("rhk:3", "rhk:1"), ("rhk:3", "rhk:4")])
    assert lineage(g, "rhk:4") == ["rhk:4", "rhk:3", "rhk:2", "rhk:1"]


def test_lineage_rejects_unknown_node():
    with pytest.raises(CascadeError):
        lineage(build_cascade_graph(*small_rows()), "rhk:12345")


def test_descendants_of_lists_the_impact_nearest_first():
    g = build_cascade_graph(*small_rows())
    assert descendants_of(g, "og:10") == ["rhk:100", "rhk:200", "rhk:300"]
    assert descendants_of(g, "rhk:300") == []
    cyclic = nx.DiGraph([("rhk:1", "rhk:2"), ("rhk:2", "rhk:1")])
    assert descendants_of(cyclic, "rhk:1") == ["rhk:2"]


def test_levels_measure_depth_from_roots():
    g = build_cascade_graph(*small_rows())
    assert levels(g) == {"rg:1": 0, "og:10": 1, "rhk:100": 2, "rhk:200": 3, "rhk:300": 4}


def test_levels_cover_cycles_no_root_reaches():
    g = nx.DiGraph([("rhk:5", "rhk:6"), ("rhk:6", "rhk:5"), ("rhk:6", "rhk:7")])
    g.add_node("rg:1")
    assert levels(g) == {"rhk:5": 0, "rhk:6": 1, "rhk:7": 2, "rg:1": 0}


def test_opd_subgraph_keeps_ancestors_as_context():
    goals, rhks, people = small_rows()
    goals.append(
        GoalRow(
            20,
            "opd",
            "Meningkatnya derajat kesehatan masyarakat",
            TAHUN,
            opd_id=5,
            parent_goal_id=1,
        )
    )
    rhks.append(
        make_rhk(
            500,
            opd_id=5,
            owner_pegawai_id=30,
            parent_kind="opd_goal",
            parent_id=20,
            level=2,
            penilai_pegawai_id=None,
        )
    )
    people.append(PersonRow(30, "dr. Rina Kusuma", 5, 50, 2, 7, True, (1500,), TAHUN))
    g = build_cascade_graph(goals, rhks, people, tahun=TAHUN)

    sub = opd_subgraph(g, 5)
    assert set(sub.nodes) == {"rg:1", "og:20", "rhk:500"}
    assert sub.nodes["rg:1"]["context"] is True
    assert sub.nodes["og:20"]["context"] is False
    assert sub.graph["opd_id"] == 5
    # The OPD's employee and her direct superior (outside the OPD) are kept.
    assert set(sub.graph["people"]) == {30, 7}
    # The original graph is not touched.
    assert g.nodes["rg:1"]["context"] is False
    assert set(opd_subgraph(g, 4).nodes) == {"rg:1", "og:10", "rhk:100", "rhk:200", "rhk:300"}


def test_graph_to_json_is_serialisable_with_decimal_strings():
    goals, rhks, people = small_rows()
    rhks.append(
        make_rhk(
            400,
            parent_id=999,
            indicators=(Indicator("kuantitas", "Jumlah desa", Decimal("1E+1"), None, "Desa"),),
        )
    )
    g = build_cascade_graph(goals, rhks, people)

    class FakeFinding:
        def to_dict(self):
            return {"code": "NO_IKI", "nodes": ("rhk:400",), "target": Decimal("2.50")}

    data = json.loads(json.dumps(graph_to_json(g, [FakeFinding(), {"code": "CYCLE"}])))
    assert set(data) == {"nodes", "edges", "findings"}
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["rg:1"]["indicators"][0]["target"] == "61.95"
    assert nodes["rhk:400"]["indicators"][0]["target"] == "10"
    assert nodes["rhk:999"]["kind"] == "missing"
    assert {"source": "rhk:200", "target": "rhk:300", "cascading": "direct"} in data["edges"]
    assert data["findings"] == [
        {"code": "NO_IKI", "nodes": ["rhk:400"], "target": "2.50"},
        {"code": "CYCLE"},
    ]


def chain_rows(depth: int) -> list[RhkRow]:
    rows = [
        make_rhk(
            1,
            owner_pegawai_id=1,
            parent_kind=None,
            parent_id=None,
            level=3,
            penilai_pegawai_id=None,
        )
    ]
    for i in range(2, depth + 1):
        rows.append(
            make_rhk(i, owner_pegawai_id=i, parent_id=i - 1, level=3, penilai_pegawai_id=i - 1)
        )
    return rows


def test_five_thousand_deep_chain_needs_no_recursion():
    rows = chain_rows(5000)
    with recursion_limit(200):
        g = build_cascade_graph([], rows)
        chain = lineage(g, "rhk:5000")
        below = descendants_of(g, "rhk:1")
        depth = levels(g)
        data = graph_to_json(g)
    assert len(chain) == 5000 and chain[-1] == "rhk:1"
    assert len(below) == 4999 and below[-1] == "rhk:5000"
    assert depth["rhk:5000"] == 4999
    assert len(data["edges"]) == 4999


def test_deep_cycle_lineage_terminates():
    rows = chain_rows(5000)
    rows[0] = dataclasses.replace(rows[0], parent_kind="rhk", parent_id=5000)
    with recursion_limit(200):
        g = build_cascade_graph([], rows)
        assert len(lineage(g, "rhk:1")) == 5000
        assert len(descendants_of(g, "rhk:1")) == 4999
        assert len(levels(g)) == 5000


@pytest.mark.parametrize("module", ["graph", "rules", "charts"])
def test_pure_core_imports_no_flask_or_database(module):
    path = Path(graph_module.__file__).with_name(f"{module}.py")
    imported: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    allowed_roots = set(sys.stdlib_module_names) | {"networkx", "plotly", "__future__"}
    for name in imported:
        assert name.split(".")[0] in allowed_roots or name.startswith("skp_app.cascading."), name
    assert not {"skp_app.extensions", "flask", "sqlalchemy"} & imported
