"""Tests for the cascade figures: the icicle tree and the findings bar chart."""

from __future__ import annotations

import doctest
import json
from decimal import Decimal

import networkx as nx
import pytest

from skp_app.cascading import charts as charts_module
from skp_app.cascading.charts import (
    SEVERITY_COLORS,
    cascade_tree_figure,
    findings_by_code_figure,
)
from skp_app.cascading.graph import (
    CascadeError,
    GoalRow,
    Indicator,
    PersonRow,
    RhkRow,
    build_cascade_graph,
)
from skp_app.cascading.rules import Finding, check_cascade, summarize

TAHUN = 2025


def rhk(
    id: int,
    owner: int,
    name: str,
    level: int,
    parent_kind: str | None,
    parent_id: int | None,
    text: str,
    **overrides,
) -> RhkRow:
    values = dict(
        id=id,
        skp_id=1000 + owner,
        tahun=TAHUN,
        owner_pegawai_id=owner,
        owner_name=name,
        unit_id=40,
        opd_id=4,
        level=level,
        jabatan_jenis="administrator",
        jenis="utama",
        text=text,
        parent_kind=parent_kind,
        parent_id=parent_id,
        cascading="non_direct",
        skp_status="disetujui",
        pendekatan="kuantitatif",
        penilai_pegawai_id={2: None, 3: 7, 4: 8}[level],
        indicators=(
            Indicator(
                "kuantitas", "Jumlah dokumen RKPD yang ditetapkan", Decimal("4"), None, "Dokumen"
            ),
            Indicator(
                "kualitas", "Persentase kesesuaian dokumen", Decimal("61.95"), Decimal("80"), "%"
            ),
        ),
    )
    values.update(overrides)
    return RhkRow(**values)


def small_graph(
    text_300: str = "Tersedianya data perencanaan yang akurat", extra: list[RhkRow] = ()
) -> nx.DiGraph:
    goals = [
        GoalRow(1, "regent", "Meningkatnya kualitas perencanaan pembangunan daerah", TAHUN),
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
        rhk(
            100,
            7,
            "Dr. Hendra Wijaya, M.Si.",
            2,
            "opd_goal",
            10,
            "Meningkatnya kualitas perencanaan pembangunan daerah",
            jabatan_jenis="jpt",
        ),
        rhk(200, 8, "Sri Wahyuni, S.E.", 3, "rhk", 100, "Tersusunnya dokumen RKPD tepat waktu"),
        rhk(300, 10, "Andi Pratama, S.Kom.", 4, "rhk", 200, text_300),
        *extra,
    ]
    people = [
        PersonRow(7, "Dr. Hendra Wijaya, M.Si.", 4, 40, 2, None, True, (1007,), TAHUN),
        PersonRow(8, "Sri Wahyuni, S.E.", 4, 40, 3, 7, True, (1008,), TAHUN),
        PersonRow(10, "Andi Pratama, S.Kom.", 4, 40, 4, 8, True, (1010,), TAHUN),
    ]
    return build_cascade_graph(goals, rhks, people, tahun=TAHUN)


def trace_of(fig):
    assert len(fig.data) == 1
    return fig.data[0]


def hover_of(trace, node: str) -> str:
    return trace.hovertext[list(trace.ids).index(node)]


def assert_valid_tree(trace):
    ids = list(trace.ids)
    assert len(ids) == len(set(ids))
    assert sum(1 for p in trace.parents if p == "") == 1
    for parent in trace.parents:
        assert parent == "" or parent in ids


def test_module_doctests_pass():
    result = doctest.testmod(charts_module)
    assert result.attempted >= 4 and result.failed == 0


def test_empty_graph_gives_a_clear_message():
    fig = cascade_tree_figure(nx.DiGraph())
    assert len(fig.data) == 0
    assert "Belum ada data" in fig.layout.annotations[0].text
    json.loads(fig.to_json())


def test_small_tree_has_one_block_per_node():
    g = small_graph()
    trace = trace_of(cascade_tree_figure(g))
    assert trace.type == "icicle"
    assert list(trace.ids) == ["rg:1", "og:10", "rhk:100", "rhk:200", "rhk:300"]
    assert list(trace.parents) == ["", "rg:1", "og:10", "rhk:100", "rhk:200"]
    assert list(trace.labels)[-1] == "Tersedianya data perencanaan yang akurat"
    assert [list(c) for c in trace.customdata][2] == ["rhk", 100, "rhk:100"]
    assert_valid_tree(trace)
    json.loads(cascade_tree_figure(g).to_json())


def test_hover_shows_owner_indicator_and_target():
    trace = trace_of(cascade_tree_figure(small_graph()))
    hover = hover_of(trace, "rhk:200")
    assert "RHK utama" in hover
    assert "Sri Wahyuni, S.E." in hover and "administrator" in hover
    assert "Jumlah dokumen RKPD yang ditetapkan — target 4 Dokumen" in hover
    assert "target 61,95–80 %" in hover
    assert "Status SKP: disetujui" in hover


def test_nodes_take_the_colour_of_their_worst_finding():
    g = small_graph()
    findings = [
        Finding("ACTIVITY_LANGUAGE", "warning", ("rhk:300",), 10, "Bahasa kegiatan."),
        Finding("NO_IKI", "error", ("rhk:300",), 10, "RHK utama belum memiliki IKI."),
        Finding("TARGET_SUM_MISMATCH", "info", ("rhk:200", "rhk:300"), 8, "Selisih target."),
    ]
    trace = trace_of(cascade_tree_figure(g, findings))
    colors = dict(zip(trace.ids, trace.marker.colors, strict=True))
    assert colors["rhk:300"] == SEVERITY_COLORS["error"]
    assert colors["rhk:200"] == SEVERITY_COLORS["info"]
    assert colors["rhk:100"] not in SEVERITY_COLORS.values()
    g.nodes["rhk:100"]["status"] = "draft"
    draft = trace_of(cascade_tree_figure(g, findings))
    assert dict(zip(draft.ids, draft.marker.colors, strict=True))["rhk:100"] != colors["rhk:100"]
    assert "NO_IKI" in hover_of(trace, "rhk:300")


def test_user_text_is_escaped_in_labels_and_hover():
    g = small_graph(text_300="<script>alert('x')</script> Tersedianya data <b>akurat</b>")
    g.nodes["rhk:300"]["owner_name"] = "<img src=x onerror=alert(1)>"
    finding = Finding("ACTIVITY_LANGUAGE", "warning", ("rhk:300",), 10, "<script>pesan</script>")
    trace = trace_of(cascade_tree_figure(g, [finding]))
    hover = hover_of(trace, "rhk:300")
    label = list(trace.labels)[list(trace.ids).index("rhk:300")]
    for text in (hover, label):
        assert "<script>" not in text
        assert "<img" not in text
        assert "<b>akurat" not in text
    assert "&lt;script&gt;" in hover and "&lt;script&gt;" in label
    assert "&lt;img src=x onerror=alert(1)&gt;" in hover


def test_several_roots_hang_under_one_synthetic_root():
    g = small_graph()
    g.add_node("og:11", kind="opd_goal", db_id=11, text="Meningkatnya akuntabilitas kinerja")
    trace = trace_of(cascade_tree_figure(g))
    assert list(trace.ids)[0] == "__root__"
    assert list(trace.parents)[list(trace.ids).index("og:11")] == "__root__"
    assert list(trace.parents)[list(trace.ids).index("rg:1")] == "__root__"
    assert_valid_tree(trace)


def test_cycles_and_multiple_parents_do_not_break_the_tree():
    g = small_graph(
        extra=[
            # A cycle no root reaches.
            rhk(501, 8, "Sri Wahyuni, S.E.", 3, "rhk", 502, "Tersusunnya laporan evaluasi RKPD"),
            rhk(502, 10, "Andi Pratama, S.Kom.", 4, "rhk", 501, "Tersedianya bahan evaluasi"),
        ]
    )
    g.add_edge("rhk:300", "rhk:200")  # a cycle 200 → 300 → 200 below the root
    g.add_edge("og:10", "rhk:300")  # a second parent
    findings = check_cascade(g)
    assert "CYCLE" in {f.code for f in findings}
    trace = trace_of(cascade_tree_figure(g, findings))
    assert_valid_tree(trace)
    assert set(trace.ids) == set(g.nodes) | {"__root__"}
    labels = dict(zip(trace.ids, trace.labels, strict=True))
    assert labels["rhk:501"].startswith("⟳")
    assert "beberapa induk" in hover_of(trace, "rhk:300")


def test_root_and_max_depth_limit_the_tree():
    g = small_graph()
    trace = trace_of(cascade_tree_figure(g, root="rhk:100"))
    assert list(trace.ids) == ["rhk:100", "rhk:200", "rhk:300"]
    assert list(trace.parents)[0] == ""
    trace = trace_of(cascade_tree_figure(g, max_depth=2))
    assert list(trace.ids) == ["rg:1", "og:10", "rhk:100"]
    with pytest.raises(CascadeError):
        cascade_tree_figure(g, root="rhk:999")


def test_large_tree_shows_four_levels_at_a_time():
    g = nx.DiGraph()
    for i in range(1, 400):
        g.add_edge(f"rhk:{(i - 1) // 3}", f"rhk:{i}")
    assert trace_of(cascade_tree_figure(g)).maxdepth == 4
    assert trace_of(cascade_tree_figure(small_graph())).maxdepth == -1


def test_findings_by_code_figure_stacks_severities():
    findings = [
        Finding("NO_IKI", "error", ("rhk:1",), 1, "RHK utama belum memiliki IKI."),
        Finding("NO_IKI", "error", ("rhk:2",), 2, "RHK utama belum memiliki IKI."),
        Finding("TARGET_SUM_MISMATCH", "warning", ("rhk:3",), 3, "Kurang."),
        Finding("TARGET_SUM_MISMATCH", "info", ("rhk:4",), 4, "Lebih."),
    ]
    fig = findings_by_code_figure(summarize(findings))
    by_name = {t.name: t for t in fig.data}
    assert set(by_name) == {"Galat", "Peringatan", "Info"}
    assert list(by_name["Galat"].y) == [
        "RHK utama tanpa IKI (NO_IKI)",
        "Jumlah target tidak sesuai (TARGET_SUM_MISMATCH)",
    ]
    assert list(by_name["Galat"].x) == [2, 0]
    assert list(by_name["Peringatan"].x) == [0, 1]
    assert list(by_name["Info"].x) == [0, 1]
    assert fig.layout.barmode == "stack"
    assert fig.layout.xaxis.title.text == "Jumlah temuan"
    json.loads(fig.to_json())


def test_findings_by_code_figure_without_findings():
    fig = findings_by_code_figure(summarize([]))
    assert len(fig.data) == 0
    assert "Belum ada temuan" in fig.layout.annotations[0].text
