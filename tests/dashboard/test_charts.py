"""Chart builders on plain data: values, empty data and escaping of user text."""

from __future__ import annotations

import json
from decimal import Decimal

import plotly.graph_objects as go
import pytest

from skp_app.dashboard import charts
from skp_app.realization.scoring import Predikat

EVIL = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;"

# Every builder with empty data, and with data carrying a hostile label.
BUILDERS = {
    "capaian_bar": (
        lambda: charts.capaian_bar_figure([]),
        lambda: charts.capaian_bar_figure([(EVIL, Decimal("87.5"))], hover=[EVIL]),
    ),
    "capaian_trend": (
        lambda: charts.capaian_trend_figure([("Sasaran", [(1, None)])]),
        lambda: charts.capaian_trend_figure([(EVIL, [(1, Decimal(10)), (2, Decimal(20))])]),
    ),
    "completion": (
        lambda: charts.completion_figure([("Dinas A", 0, 0)]),
        lambda: charts.completion_figure([(EVIL, 3, 4)]),
    ),
    "predikat_stack": (
        lambda: charts.predikat_stack_figure([("Dinas A", {})]),
        lambda: charts.predikat_stack_figure([(EVIL, {Predikat.BAIK: 2})], flagged={EVIL}),
    ),
    "capaian_tree": (
        lambda: charts.capaian_tree_figure([]),
        lambda: charts.capaian_tree_figure(
            [{"id": "og:1", "parent": None, "label": EVIL, "capaian": None, "owner": EVIL}]
        ),
    ),
    "count_bar": (
        lambda: charts.count_bar_figure([]),
        lambda: charts.count_bar_figure([(EVIL, 3)], hover=[EVIL]),
    ),
    "overdue": (
        lambda: charts.overdue_figure([("Siti", 0, 0)]),
        lambda: charts.overdue_figure([(EVIL, 2, 1)]),
    ),
    "points_by_unit": (
        lambda: charts.points_by_unit_figure([], 6000),
        lambda: charts.points_by_unit_figure([(EVIL, Decimal(5000), 3)], 6000),
    ),
    "workload": (
        lambda: charts.workload_figure([]),
        lambda: charts.workload_figure([(EVIL, Decimal("0.5"), 3000, 6000)]),
    ),
    "talent_grid": (
        lambda: charts.talent_grid_figure({}),
        lambda: charts.talent_grid_figure({("naik", "atas"): [EVIL]}),
    ),
    "pengisian_matrix": (
        lambda: charts.pengisian_matrix_figure([], ["SKP"]),
        lambda: charts.pengisian_matrix_figure([(EVIL, [(1, 2)])], ["SKP"]),
    ),
    "sync_runs": (
        lambda: charts.sync_runs_figure([]),
        lambda: charts.sync_runs_figure([(EVIL, 4, 1)]),
    ),
    "series": (
        lambda: charts.series_figure([("Dinas A", [])]),
        lambda: charts.series_figure([(EVIL, [("2026-01", 3)])]),
    ),
    "stacked_bar": (
        lambda: charts.stacked_bar_figure([], []),
        lambda: charts.stacked_bar_figure([EVIL], [("Galat", [2], "#c62828")]),
    ),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_empty_data_gives_the_belum_ada_data_state(name):
    fig = BUILDERS[name][0]()
    assert isinstance(fig, go.Figure)
    assert not fig.data
    texts = [a.text for a in fig.layout.annotations]
    assert any("Belum ada" in t or "Tidak ada" in t for t in texts)
    json.loads(fig.to_json())  # serialisable for the page


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_user_text_is_escaped_in_labels_and_hover(name):
    fig = BUILDERS[name][1]()
    assert fig.data, "a figure with data has traces"
    text = fig.to_json()
    assert "<script>" not in text
    assert ESCAPED in text


def test_capaian_bar_colours_by_category_and_counts_missing_items():
    fig = charts.capaian_bar_figure(
        [("Dinas A", Decimal(105)), ("Dinas B", Decimal(50)), ("Dinas C", None)]
    )
    bar = fig.data[0]
    assert bar.x == (105.0, 50.0)
    assert bar.marker.color == (
        charts.CAPAIAN_COLORS["Sangat Baik"],
        charts.CAPAIAN_COLORS["Sangat Kurang"],
    )
    assert any("1 butir belum memiliki data" in a.text for a in fig.layout.annotations)


def test_duplicate_labels_stay_separate_bars():
    fig = charts.count_bar_figure([("Bidang Umum", 1), ("Bidang Umum", 2)])
    assert fig.data[0].y == ("Bidang Umum", "Bidang Umum (2)")


def test_completion_figure_uses_percent_of_total():
    fig = charts.completion_figure([("Dinas A", 1, 3)])
    assert fig.data[0].x == (33.3,)
    assert list(fig.data[0].customdata[0]) == [1, 3]


def test_predikat_stack_percentages_per_group():
    fig = charts.predikat_stack_figure(
        [("Dinas A", {1: 1, 2: 3}), ("Dinas B", {"BAIK": 2})], flagged={"Dinas B"}
    )
    by_name = {t.name: t for t in fig.data}
    assert by_name["Sangat Baik"].x == (25.0, 0.0)
    assert by_name["Baik"].x == (75.0, 100.0)
    assert by_name["Baik"].y == ("Dinas A", "⚠ Dinas B")


def test_tree_colours_nodes_by_capaian_and_greys_missing_data():
    fig = charts.capaian_tree_figure(
        [
            {"id": "og:1", "parent": None, "label": "Sasaran", "capaian": Decimal(90)},
            {"id": "rhk:2", "parent": "og:1", "label": "RHK", "capaian": None},
            {"id": "rhk:3", "parent": "rhk:99", "label": "Yatim", "capaian": Decimal(100)},
        ]
    )
    icicle = fig.data[0]
    assert icicle.parents == ("", "og:1", "")
    assert icicle.marker.colors == (
        charts.CAPAIAN_COLORS["Cukup"],
        charts.CAPAIAN_COLORS[None],
        charts.CAPAIAN_COLORS["Baik"],
    )


def test_workload_figure_marks_bands_and_thresholds():
    fig = charts.workload_figure(
        [("A", Decimal("0.5"), 1, 2), ("B", Decimal("1"), 2, 2), ("C", None, 0, 2)]
    )
    assert fig.data[0].marker.color == (
        charts.BAND_COLORS["kurang"],
        charts.BAND_COLORS["sesuai"],
        charts.BAND_COLORS["nihil"],
    )
    assert sorted(s.x0 for s in fig.layout.shapes) == [0.8, 1.2]


def test_talent_grid_counts_people_per_cell():
    fig = charts.talent_grid_figure({("naik", "atas"): ["A", "B"], ("turun", "bawah"): ["C"]})
    z = [list(row) for row in fig.data[0].z]
    assert z == [[0, 0, 2], [0, 0, 0], [1, 0, 0]]


def test_points_progress_stacks_approved_and_pending_against_targets():
    fig = charts.points_progress_figure(
        Decimal(150), Decimal(30), 300, Decimal(3000), Decimal(600), 6000
    )
    approved, pending = fig.data
    assert approved.x == (50.0, 50.0)
    assert pending.x == (10.0, 10.0)
