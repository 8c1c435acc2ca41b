"""Plotly figures of the dashboards and reports (pure: plain data in, a Figure out).

Every builder takes plain values (labels, numbers, mappings) and returns a
:class:`plotly.graph_objects.Figure`. Empty input gives a figure that says "Belum ada data" in
an annotation instead of a broken chart. Every piece of user text (names of OPD, people,
goals) goes through :func:`html.escape` because plotly renders HTML tags in labels and hover
text. Fonts and bar heights are sized to stay readable on a projector and on a phone; the
pages show the same numbers in a table and an XLSX export next to each chart.
"""

from __future__ import annotations

import html
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go

from skp_app.dashboard.metrics import BAND_LABELS, CAPAIAN_BANDS, TREND_LABELS, workload_band
from skp_app.realization.scoring import Predikat, capaian_category

__all__ = [
    "BAND_COLORS",
    "CAPAIAN_COLORS",
    "NO_DATA",
    "PREDIKAT_COLORS",
    "capaian_bar_figure",
    "capaian_trend_figure",
    "capaian_tree_figure",
    "completion_figure",
    "count_bar_figure",
    "empty_figure",
    "overdue_figure",
    "pengisian_matrix_figure",
    "points_by_unit_figure",
    "points_progress_figure",
    "predikat_stack_figure",
    "series_figure",
    "stacked_bar_figure",
    "sync_runs_figure",
    "talent_grid_figure",
    "workload_figure",
]

NO_DATA = "Belum ada data"
BULAN_PENDEK = (
    *("", "Jan", "Feb", "Mar", "Apr", "Mei", "Jun"),
    *("Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
)
_FONT = {
    "size": 14,
    "family": 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif',
}
#: Colour per PermenPANRB 8/2021 capaian category (scoring.capaian_category).
CAPAIAN_COLORS: Mapping[str, str] = {
    "Sangat Baik": "#1b5e20",
    "Baik": "#2e7d32",
    "Cukup": "#f9a825",
    "Kurang": "#ef6c00",
    "Sangat Kurang": "#c62828",
    None: "#b0bec5",
}
#: Colour per predikat kinerja pegawai, best to worst.
PREDIKAT_COLORS: Mapping[Predikat, str] = {
    Predikat.SANGAT_BAIK: "#1b5e20",
    Predikat.BAIK: "#43a047",
    Predikat.BUTUH_PERBAIKAN: "#f9a825",
    Predikat.KURANG: "#ef6c00",
    Predikat.SANGAT_KURANG: "#c62828",
}
BAND_COLORS = {"kurang": "#ef6c00", "sesuai": "#2e7d32", "lebih": "#c62828", "nihil": "#90a4ae"}
_PRIMARY = "#0b5cad"
_PENDING = "#9cc8f5"


def _esc(text: object) -> str:
    return html.escape(str(text if text is not None else ""), quote=True)


def _clip(text: object, limit: int = 48) -> str:
    words = " ".join(str(text if text is not None else "").split())
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"


def _labels(texts: Sequence[object], limit: int = 48) -> list[str]:
    """Escape and shorten category labels, keeping them unique (plotly merges equal ones)."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for text in texts:
        label = _esc(_clip(text, limit))
        n = seen.get(label, 0) + 1
        seen[label] = n
        out.append(label if n == 1 else f"{label} ({n})")
    return out


def _num(value: Decimal | float | int | None, digits: int = 1) -> str:
    """Format a number the Indonesian way (``1.234,5``)."""
    if value is None:
        return "–"
    text = f"{float(value):,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def _f(value: Decimal | float | int | None) -> float | None:
    return None if value is None else float(value)


def _style(fig: go.Figure, *, title: str | None, height: int, **layout: Any) -> go.Figure:
    fig.update_layout(
        title={"text": _esc(title), "x": 0, "xanchor": "left", "font": {"size": 17}}
        if title
        else None,
        font=_FONT,
        height=height,
        margin={"l": 10, "r": 20, "t": 50 if title else 20, "b": 40},
        plot_bgcolor="#fff",
        paper_bgcolor="#fff",
        hoverlabel={"font": {"size": 14}, "align": "left"},
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        separators=",.",
        **layout,
    )
    fig.update_xaxes(automargin=True, gridcolor="#e4e8ee", zerolinecolor="#b0bec5")
    fig.update_yaxes(automargin=True, gridcolor="#e4e8ee", zerolinecolor="#b0bec5")
    return fig


def empty_figure(message: str = NO_DATA, *, title: str | None = None, height: int = 260):
    """Return a blank figure that says ``message`` (the "Belum ada data" state).

    Examples
    --------
    >>> empty_figure().layout.annotations[0].text
    'Belum ada data'
    """
    fig = go.Figure()
    _style(fig, title=title, height=height)
    fig.update_layout(
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[
            {
                "text": _esc(message),
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "showarrow": False,
                "font": {"size": 18, "color": "#607d8b"},
            }
        ],
    )
    return fig


def _bar_height(n: int, per: int = 34, base: int = 120) -> int:
    return max(240, min(base + per * n, 2400))


def capaian_bar_figure(
    items: Sequence[tuple[str, Decimal | float | None]],
    *,
    title: str | None = None,
    hover: Sequence[str] | None = None,
) -> go.Figure:
    """Draw horizontal capaian bars (percent) coloured by PermenPANRB 8/2021 category.

    ``items`` are ``(label, capaian or None)`` in display order; items without capaian are
    left out and counted in a note. ``hover`` gives an optional extra (plain) text per item.

    Examples
    --------
    >>> fig = capaian_bar_figure([("Dinas <b>X</b>", Decimal("95.5")), ("Dinas Y", None)])
    >>> fig.data[0].y, fig.data[0].x
    (('Dinas &lt;b&gt;X&lt;/b&gt;',), (95.5,))
    """
    extra = list(hover) if hover is not None else [""] * len(items)
    rows = [(label, value, extra[i]) for i, (label, value) in enumerate(items) if value is not None]
    missing = len(items) - len(rows)
    if not rows:
        return empty_figure(title=title)
    labels = _labels([r[0] for r in rows])
    values = [_f(r[1]) for r in rows]
    colors = [CAPAIAN_COLORS[capaian_category(r[1])] for r in rows]
    hovers = [
        f"<b>{_esc(r[0])}</b><br>Capaian {_num(r[1])}% ({_esc(capaian_category(r[1]))})"
        + (f"<br>{_esc(r[2])}" if r[2] else "")
        for r in rows
    ]
    fig = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            marker={"color": colors},
            text=[f"{_num(v)}%" for v in values],
            textposition="auto",
            hovertext=hovers,
            hoverinfo="text",
        )
    )
    top = max([*values, 100.0])
    _style(fig, title=title, height=_bar_height(len(rows)))
    fig.update_layout(
        xaxis={"title": {"text": "Capaian (%)"}, "range": [0, top * 1.08], "rangemode": "tozero"},
        yaxis={"autorange": "reversed"},
        shapes=[_vline(100, "#1b5e20")],
    )
    if missing:
        _note(fig, f"{missing} butir belum memiliki data realisasi.")
    return fig


def _vline(x: float, color: str, dash: str = "dash") -> dict:
    return {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": x,
        "x1": x,
        "y0": 0,
        "y1": 1,
        "line": {"color": color, "width": 2, "dash": dash},
    }


def _hline(y: float, color: str, dash: str = "dash") -> dict:
    return {
        "type": "line",
        "xref": "paper",
        "yref": "y",
        "x0": 0,
        "x1": 1,
        "y0": y,
        "y1": y,
        "line": {"color": color, "width": 2, "dash": dash},
    }


def _note(fig: go.Figure, text: str) -> None:
    fig.add_annotation(
        text=_esc(text),
        xref="paper",
        yref="paper",
        x=0,
        y=1.0,
        yanchor="bottom",
        xanchor="left",
        showarrow=False,
        font={"size": 12, "color": "#5f6b7a"},
    )


def capaian_trend_figure(
    series: Sequence[tuple[str, Sequence[tuple[int, Decimal | float | None]]]],
    *,
    title: str | None = None,
) -> go.Figure:
    """Draw one line per item of capaian (percent) by month (1–12).

    Examples
    --------
    >>> fig = capaian_trend_figure([("Sasaran 1", [(1, 10), (2, None), (3, 30)])])
    >>> fig.data[0].x, fig.data[0].y
    (('Jan', 'Mar'), (10.0, 30.0))
    """
    traces = []
    names = _labels([name for name, _ in series], 40)
    for name, (full, points) in zip(names, series, strict=True):
        pts = [(m, v) for m, v in points if v is not None and 1 <= m <= 12]
        if not pts:
            continue
        traces.append(
            go.Scatter(
                x=[BULAN_PENDEK[m] for m, _ in pts],
                y=[_f(v) for _, v in pts],
                name=name,
                mode="lines+markers",
                line={"width": 3},
                marker={"size": 8},
                hovertemplate=f"<b>{_esc(_clip(full, 80))}</b><br>"
                "%{x}: %{y:.1f}%<extra></extra>",
            )
        )
    if not traces:
        return empty_figure(title=title)
    fig = go.Figure(traces)
    _style(fig, title=title, height=320 + 26 * len(traces))
    fig.update_layout(
        xaxis={"categoryorder": "array", "categoryarray": list(BULAN_PENDEK[1:])},
        legend={"orientation": "h", "yanchor": "top", "y": -0.08, "x": 0},
        yaxis={"title": {"text": "Capaian kumulatif (%)"}, "rangemode": "tozero"},
        shapes=[_hline(100, "#1b5e20")],
    )
    return fig


def completion_figure(
    items: Sequence[tuple[str, int, int]],
    *,
    title: str | None = None,
    done_label: str = "selesai",
) -> go.Figure:
    """Draw the share of ``done`` out of ``total`` per label as horizontal percent bars.

    Examples
    --------
    >>> fig = completion_figure([("Dinas A", 3, 4), ("Dinas B", 0, 0)])
    >>> fig.data[0].x
    (75.0,)
    """
    rows = [(label, done, total) for label, done, total in items if total > 0]
    if not rows:
        return empty_figure(title=title)
    labels = _labels([r[0] for r in rows])
    pct = [round(done * 100 / total, 1) for _, done, total in rows]
    colors = ["#2e7d32" if p >= 90 else "#f9a825" if p >= 60 else "#c62828" for p in pct]
    fig = go.Figure(
        go.Bar(
            x=pct,
            y=labels,
            orientation="h",
            marker={"color": colors},
            text=[f"{_num(p)}%" for p in pct],
            textposition="auto",
            customdata=[[d, t] for _, d, t in rows],
            hovertemplate="%{y}<br>%{customdata[0]} dari %{customdata[1]} pegawai "
            + _esc(done_label)
            + " (%{x:.1f}%)<extra></extra>",
        )
    )
    _style(fig, title=title, height=_bar_height(len(rows)))
    fig.update_layout(
        xaxis={"title": {"text": "% pegawai"}, "range": [0, 105]},
        yaxis={"autorange": "reversed"},
    )
    return fig


def predikat_stack_figure(
    groups: Sequence[tuple[str, Mapping[Any, int]]],
    *,
    title: str | None = None,
    percent: bool = True,
    flagged: Collection[str] = (),
) -> go.Figure:
    """Draw stacked bars of predikat counts per group (OPD, jabatan level, golongan).

    ``groups`` are ``(label, {predikat: count})``; predikat keys may be :class:`Predikat`
    members, SIASN ids 1–5 or names. Labels in ``flagged`` (e.g. OPD whose distribution breaks
    the SE MenPANRB 3/2023 curve) are marked with "⚠".

    Examples
    --------
    >>> fig = predikat_stack_figure([("Dinas A", {2: 3, 3: 1})], percent=False)
    >>> [(t.name, t.x) for t in fig.data]
    [('Baik', (3,)), ('Butuh Perbaikan', (1,))]
    """
    rows: list[tuple[str, dict[Predikat, int]]] = []
    for label, counts in groups:
        norm = dict.fromkeys(Predikat, 0)
        for key, n in counts.items():
            norm[Predikat.coerce(key)] += int(n)
        if sum(norm.values()):
            rows.append((label, norm))
    if not rows:
        return empty_figure(title=title)
    flagged_set = set(flagged)
    labels = _labels([("⚠ " if r[0] in flagged_set else "") + str(r[0]) for r in rows])
    fig = go.Figure()
    for p in Predikat:
        counts = [r[1][p] for r in rows]
        if not any(counts):
            continue
        totals = [sum(r[1].values()) for r in rows]
        shares = [round(c * 100 / t, 1) for c, t in zip(counts, totals, strict=True)]
        x = shares if percent else counts
        fig.add_trace(
            go.Bar(
                x=x,
                y=labels,
                orientation="h",
                name=p.label,
                marker={"color": PREDIKAT_COLORS[p]},
                customdata=[[c, t] for c, t in zip(counts, totals, strict=True)],
                hovertemplate="%{y}<br>"
                + _esc(p.label)
                + ": %{customdata[0]} dari %{customdata[1]} pegawai<extra></extra>",
            )
        )
    _style(fig, title=title, height=_bar_height(len(rows)), barmode="stack")
    fig.update_layout(
        xaxis={"title": {"text": "% pegawai" if percent else "Jumlah pegawai"}},
        yaxis={"autorange": "reversed"},
    )
    return fig


def capaian_tree_figure(nodes: Sequence[Mapping[str, Any]], *, title: str | None = None):
    """Draw a pohon kinerja as an icicle coloured by each node's capaian category.

    ``nodes`` are mappings with ``id``, ``parent`` (None or "" at the top), ``label``,
    ``capaian`` (percent or None) and optional ``owner`` and ``kind`` (plain text). A node whose
    parent is not in the list hangs at the top. Grey means no realisasi yet.

    Examples
    --------
    >>> fig = capaian_tree_figure([
    ...     {"id": "og:1", "parent": None, "label": "Sasaran", "capaian": None},
    ...     {"id": "rhk:2", "parent": "og:1", "label": "RHK <i>", "capaian": Decimal(85)},
    ... ])
    >>> fig.data[0].labels
    ('Sasaran', 'RHK &lt;i&gt;')
    """
    if not nodes:
        return empty_figure("Belum ada pohon kinerja untuk ditampilkan.", title=title)
    known = {str(n["id"]) for n in nodes}
    ids, labels, parents, colors, hovers = [], [], [], [], []
    seen: set[str] = set()
    for n in nodes:
        node_id = str(n["id"])
        if node_id in seen:
            continue
        seen.add(node_id)
        parent = str(n.get("parent") or "")
        if parent not in known or parent == node_id:
            parent = ""
        capaian = n.get("capaian")
        category = capaian_category(capaian) if capaian is not None else None
        ids.append(node_id)
        labels.append(_esc(_clip(n.get("label"), 40)))
        parents.append(parent)
        colors.append(CAPAIAN_COLORS[category])
        lines = [f"<b>{_esc(n.get('kind') or '')}</b>", _esc(_clip(n.get("label"), 120))]
        if n.get("owner"):
            lines.append(f"Pemilik: {_esc(n['owner'])}")
        lines.append(
            f"Capaian: {_num(capaian)}% ({_esc(category)})"
            if capaian is not None
            else "Capaian: belum ada realisasi terverifikasi"
        )
        hovers.append("<br>".join(line for line in lines if line and line != "<b></b>"))
    fig = go.Figure(
        go.Icicle(
            ids=ids,
            labels=labels,
            parents=parents,
            marker={"colors": colors, "line": {"color": "white", "width": 1}},
            hovertext=hovers,
            hoverinfo="text",
            textinfo="label",
            tiling={"orientation": "v"},
            maxdepth=4 if len(ids) > 150 else -1,
            sort=False,
        )
    )
    _style(fig, title=title, height=560)
    _note(
        fig,
        "Hijau: capaian ≥ 100% · Kuning: 80–99% · Oranye: 60–79% · Merah: < 60% · "
        "Abu-abu: belum ada data · Klik blok untuk memperbesar",
    )
    return fig


def count_bar_figure(
    items: Sequence[tuple[str, int | float | Decimal]],
    *,
    title: str | None = None,
    x_title: str = "Jumlah",
    color: str | Sequence[str] = _PRIMARY,
    hover: Sequence[str] | None = None,
) -> go.Figure:
    """Draw horizontal bars of counts per label (zero counts are kept).

    Examples
    --------
    >>> count_bar_figure([("Tanpa atasan", 3), ("Unit tanpa kepala", 0)]).data[0].x
    (3, 0)
    >>> count_bar_figure([]).layout.annotations[0].text
    'Belum ada data'
    """
    if not items:
        return empty_figure(title=title)
    labels = _labels([label for label, _ in items])
    values = [float(v) if isinstance(v, Decimal) else v for _, v in items]
    extra = list(hover) if hover is not None else None
    fig = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            marker={"color": list(color) if not isinstance(color, str) else color},
            text=[_num(v, 0) for v in values],
            textposition="auto",
            hovertext=[
                f"{lab}<br>{_num(v, 0)}" + (f"<br>{_esc(extra[i])}" if extra and extra[i] else "")
                for i, (lab, v) in enumerate(zip(labels, values, strict=True))
            ],
            hoverinfo="text",
        )
    )
    _style(fig, title=title, height=_bar_height(len(items)))
    fig.update_layout(
        xaxis={"title": {"text": _esc(x_title)}, "rangemode": "tozero"},
        yaxis={"autorange": "reversed"},
    )
    return fig


def overdue_figure(items: Sequence[tuple[str, int, int]], *, title: str | None = None):
    """Draw, per superior, the realisasi and activities waiting longer than the limit.

    ``items`` are ``(superior name, realisasi waiting, activities waiting)``.

    Examples
    --------
    >>> [t.name for t in overdue_figure([("Ir. Sri", 2, 5)]).data]
    ['Realisasi menunggu verifikasi', 'Aktivitas menunggu persetujuan']
    """
    rows = [r for r in items if r[1] or r[2]]
    if not rows:
        return empty_figure("Tidak ada persetujuan yang terlambat.", title=title)
    labels = _labels([r[0] for r in rows])
    fig = go.Figure(
        [
            go.Bar(
                x=[r[1] for r in rows],
                y=labels,
                orientation="h",
                name="Realisasi menunggu verifikasi",
                marker={"color": "#ef6c00"},
                hovertemplate="%{y}<br>%{x} realisasi<extra></extra>",
            ),
            go.Bar(
                x=[r[2] for r in rows],
                y=labels,
                orientation="h",
                name="Aktivitas menunggu persetujuan",
                marker={"color": "#f9a825"},
                hovertemplate="%{y}<br>%{x} aktivitas<extra></extra>",
            ),
        ]
    )
    _style(fig, title=title, height=_bar_height(len(rows)), barmode="stack")
    fig.update_layout(
        xaxis={"title": {"text": "Jumlah menunggu"}, "rangemode": "tozero"},
        yaxis={"autorange": "reversed"},
    )
    return fig


def points_by_unit_figure(
    items: Sequence[tuple[str, Decimal | float, int]],
    target: int | float,
    *,
    title: str | None = None,
) -> go.Figure:
    """Draw the average approved points per employee of each unit against the monthly target.

    ``items`` are ``(unit name, average points per employee, employees)``.

    Examples
    --------
    >>> fig = points_by_unit_figure([("Bidang A", 5400, 4)], 6000)
    >>> fig.data[0].x, fig.layout.shapes[0].x0
    ((5400.0,), 6000)
    """
    if not items:
        return empty_figure(title=title)
    labels = _labels([r[0] for r in items])
    values = [float(r[1]) for r in items]
    colors = ["#2e7d32" if v >= target else "#ef6c00" for v in values]
    fig = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            marker={"color": colors},
            text=[_num(v, 0) for v in values],
            textposition="auto",
            customdata=[[r[2]] for r in items],
            hovertemplate="%{y}<br>rata-rata %{x:,.0f} poin disetujui per pegawai"
            "<br>%{customdata[0]} pegawai<extra></extra>",
        )
    )
    _style(fig, title=title, height=_bar_height(len(items)))
    fig.update_layout(
        xaxis={
            "title": {"text": "Poin disetujui per pegawai"},
            "range": [0, max([*values, float(target)]) * 1.1],
        },
        yaxis={"autorange": "reversed"},
        shapes=[_vline(target, "#1b5e20")],
    )
    return fig


def points_progress_figure(
    today_approved: Decimal | float,
    today_pending: Decimal | float,
    daily_target: int,
    month_approved: Decimal | float,
    month_pending: Decimal | float,
    monthly_target: int,
) -> go.Figure:
    """Draw today's and this month's points (approved, then pending) as a share of the target.

    Examples
    --------
    >>> fig = points_progress_figure(150, 60, 300, 3000, 0, 6000)
    >>> fig.data[0].x, fig.data[1].x
    ((50.0, 50.0), (20.0, 0.0))
    """
    rows = [
        ("Hari ini", float(today_approved), float(today_pending), daily_target),
        ("Bulan ini", float(month_approved), float(month_pending), monthly_target),
    ]

    def pct(v: float, t: int) -> float:
        return round(v * 100 / t, 1) if t else 0.0

    labels = [r[0] for r in rows]
    fig = go.Figure(
        [
            go.Bar(
                x=[pct(r[1], r[3]) for r in rows],
                y=labels,
                orientation="h",
                name="Disetujui",
                marker={"color": "#2e7d32"},
                customdata=[[_num(r[1], 0), _num(r[3], 0)] for r in rows],
                hovertemplate="%{y}: %{customdata[0]} poin disetujui dari target "
                "%{customdata[1]}<extra></extra>",
            ),
            go.Bar(
                x=[pct(r[2], r[3]) for r in rows],
                y=labels,
                orientation="h",
                name="Menunggu persetujuan",
                marker={"color": _PENDING},
                customdata=[[_num(r[2], 0)] for r in rows],
                hovertemplate="%{y}: %{customdata[0]} poin menunggu persetujuan<extra></extra>",
            ),
        ]
    )
    top = max(120.0, *(pct(r[1] + r[2], r[3]) for r in rows))
    _style(fig, title=None, height=220, barmode="stack")
    fig.update_layout(
        xaxis={"title": {"text": "% dari target"}, "range": [0, top]},
        yaxis={"autorange": "reversed"},
        shapes=[_vline(100, "#1b5e20")],
    )
    return fig


def workload_figure(
    items: Sequence[tuple[str, Decimal | float | None, int, int]],
    *,
    title: str | None = None,
) -> go.Figure:
    """Draw the ratio of reported to available minutes per unit, coloured by band.

    ``items`` are ``(label, ratio or None, reported minutes, available minutes)``; dashed lines
    mark 0.8 and 1.2 (kurang beban / sesuai / lebih beban).

    Examples
    --------
    >>> fig = workload_figure([("Bidang A", Decimal("1.3"), 7800, 6000)])
    >>> fig.data[0].marker.color
    ('#c62828',)
    """
    if not items:
        return empty_figure(title=title)
    labels = _labels([r[0] for r in items])
    ratios = [float(r[1]) if r[1] is not None else 0.0 for r in items]
    bands = [workload_band(r[1]) for r in items]
    fig = go.Figure(
        go.Bar(
            x=ratios,
            y=labels,
            orientation="h",
            marker={"color": [BAND_COLORS[b] for b in bands]},
            text=[_num(r, 2) for r in ratios],
            textposition="auto",
            customdata=[
                [_num(r[2], 0), _num(r[3], 0), BAND_LABELS[b]]
                for r, b in zip(items, bands, strict=True)
            ],
            hovertemplate="%{y}<br>Rasio %{x:.2f}: %{customdata[2]}<br>%{customdata[0]} menit "
            "dilaporkan dari %{customdata[1]} menit tersedia<extra></extra>",
        )
    )
    _style(fig, title=title, height=_bar_height(len(items)))
    fig.update_layout(
        xaxis={
            "title": {"text": "Rasio menit efektif / menit tersedia"},
            "range": [0, max([*ratios, 1.5]) * 1.08],
        },
        yaxis={"autorange": "reversed"},
        shapes=[_vline(0.8, "#ef6c00"), _vline(1.2, "#c62828")],
    )
    return fig


def talent_grid_figure(
    cells: Mapping[tuple[str, str], Sequence[str]],
    *,
    counts: Mapping[tuple[str, str], int] | None = None,
    title: str | None = None,
) -> go.Figure:
    """Draw the 3×3 talent grid: predikat trend (rows) × capaian band (columns).

    ``cells`` maps ``(trend, band)`` (keys of :data:`~skp_app.dashboard.metrics.TREND_LABELS`
    and :data:`~skp_app.dashboard.metrics.CAPAIAN_BANDS`) to the names in that cell; the hover
    lists up to 12 of them. ``counts`` gives the size of each cell when ``cells`` only holds
    the first names (a precomputed grid).

    Examples
    --------
    >>> fig = talent_grid_figure({("naik", "atas"): ["Siti <script>"]})
    >>> fig.data[0].z[0][2], "&lt;script&gt;" in fig.data[0].customdata[0][2]
    (1, True)
    >>> fig = talent_grid_figure({("naik", "atas"): ["Siti"]}, counts={("naik", "atas"): 40})
    >>> list(fig.data[0].z[0])
    [0, 0, 40]
    """
    sizes = dict(counts) if counts is not None else {k: len(v) for k, v in cells.items()}
    total = sum(sizes.values())
    if total == 0:
        return empty_figure(title=title)
    trends = ["naik", "stabil", "turun"]
    bands = list(CAPAIAN_BANDS)
    z, text, names = [], [], []
    for trend in trends:
        z_row, t_row, n_row = [], [], []
        for band in bands:
            people = list(cells.get((trend, band), ()))
            n = sizes.get((trend, band), 0)
            z_row.append(n)
            t_row.append(f"{n}")
            shown = "<br>".join(_esc(_clip(p, 50)) for p in people[:12])
            if n > min(len(people), 12):
                shown += f"<br>… {n - min(len(people), 12)} lainnya"
            n_row.append(shown or "–")
        z.append(z_row)
        text.append(t_row)
        names.append(n_row)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[CAPAIAN_BANDS[b] for b in bands],
            y=[TREND_LABELS[t] for t in trends],
            text=text,
            texttemplate="%{text}",
            textfont={"size": 22},
            customdata=names,
            colorscale=[[0, "#eef2f7"], [1, "#0b5cad"]],
            showscale=False,
            hovertemplate="%{y} · %{x}<br>%{z} pegawai<br>%{customdata}<extra></extra>",
            xgap=4,
            ygap=4,
        )
    )
    _style(fig, title=title, height=420)
    fig.update_layout(xaxis={"side": "bottom"}, yaxis={"autorange": "reversed"})
    return fig


def pengisian_matrix_figure(
    rows: Sequence[tuple[str, Sequence[tuple[int, int]]]],
    stages: Sequence[str],
    *,
    title: str | None = None,
) -> go.Figure:
    """Draw the monitoring matrix OPD × stage as a heatmap of percentages.

    ``rows`` are ``(OPD name, [(done, total) per stage])``.

    Examples
    --------
    >>> fig = pengisian_matrix_figure([("Dinas A", [(1, 2), (0, 2)])], ["SKP", "Realisasi"])
    >>> [list(row) for row in fig.data[0].z]
    [[50.0, 0.0]]
    """
    if not rows or not stages:
        return empty_figure(title=title)
    labels = _labels([r[0] for r in rows], 40)
    z, text = [], []
    for _, cells in rows:
        z.append([round(d * 100 / t, 1) if t else None for d, t in cells])
        text.append([f"{_num(d * 100 / t, 0)}%" if t else "–" for d, t in cells])
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[_esc(s) for s in stages],
            y=labels,
            text=text,
            texttemplate="%{text}",
            customdata=[[f"{d} dari {t}" for d, t in cells] for _, cells in rows],
            colorscale=[[0, "#c62828"], [0.6, "#f9a825"], [0.9, "#7cb342"], [1, "#1b5e20"]],
            zmin=0,
            zmax=100,
            colorbar={"title": {"text": "%"}, "thickness": 12},
            hovertemplate="%{y}<br>%{x}: %{z:.1f}% (%{customdata} pegawai)<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    _style(fig, title=title, height=_bar_height(len(rows), per=30))
    fig.update_layout(xaxis={"side": "top"}, yaxis={"autorange": "reversed"})
    return fig


def sync_runs_figure(
    runs: Sequence[tuple[str, int, int]], *, title: str | None = None
) -> go.Figure:
    """Draw the changes and quarantined records of recent sync runs (oldest first).

    ``runs`` are ``(label, changes, quarantined)``.

    Examples
    --------
    >>> [t.name for t in sync_runs_figure([("#1 siasn-csv", 10, 2)]).data]
    ['Perubahan', 'Dikarantina']
    """
    if not runs:
        return empty_figure("Belum ada sinkronisasi.", title=title)
    labels = _labels([r[0] for r in runs], 30)
    fig = go.Figure(
        [
            go.Bar(x=labels, y=[r[1] for r in runs], name="Perubahan", marker={"color": _PRIMARY}),
            go.Bar(
                x=labels, y=[r[2] for r in runs], name="Dikarantina", marker={"color": "#c62828"}
            ),
        ]
    )
    _style(fig, title=title, height=320, barmode="group")
    fig.update_layout(yaxis={"title": {"text": "Jumlah rekaman"}, "rangemode": "tozero"})
    return fig


def series_figure(
    series: Sequence[tuple[str, Sequence[tuple[str, int | float]]]],
    *,
    title: str | None = None,
    y_title: str = "Jumlah",
) -> go.Figure:
    """Draw one line per label over ordered x values (e.g. findings per OPD over time).

    Examples
    --------
    >>> series_figure([("Dinas A", [("2026-01", 4), ("2026-02", 2)])]).data[0].y
    (4, 2)
    """
    names = _labels([s[0] for s in series], 40)
    traces = [
        go.Scatter(
            x=[_esc(x) for x, _ in points],
            y=[y for _, y in points],
            name=label,
            mode="lines+markers",
        )
        for label, (_, points) in zip(names, series, strict=True)
        if points
    ]
    if not traces:
        return empty_figure(title=title)
    fig = go.Figure(traces)
    _style(fig, title=title, height=360)
    fig.update_layout(yaxis={"title": {"text": _esc(y_title)}, "rangemode": "tozero"})
    return fig


def stacked_bar_figure(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int | float], str]],
    *,
    title: str | None = None,
    x_title: str = "Jumlah",
) -> go.Figure:
    """Draw horizontal bars per label stacked by series ``(name, values, colour)``.

    Examples
    --------
    >>> fig = stacked_bar_figure(["Dinas A"], [("Galat", [2], "#c62828"), ("Info", [0], "#1565c0")])
    >>> [t.name for t in fig.data]
    ['Galat']
    """
    if not labels:
        return empty_figure(title=title)
    shown = _labels(labels)
    fig = go.Figure()
    for name, values, color in series:
        if not any(values):
            continue
        fig.add_trace(
            go.Bar(
                x=list(values),
                y=shown,
                orientation="h",
                name=_esc(name),
                marker={"color": color},
                hovertemplate="%{y}<br>" + _esc(name) + ": %{x}<extra></extra>",
            )
        )
    if not fig.data:
        return empty_figure(title=title)
    _style(fig, title=title, height=_bar_height(len(labels)), barmode="stack")
    fig.update_layout(
        xaxis={"title": {"text": _esc(x_title)}, "rangemode": "tozero"},
        yaxis={"autorange": "reversed"},
    )
    return fig
