"""Plotly figures of the realization and evaluation pages (pure: plain data in, Figure out)."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

from skp_app.realization.scoring import CurveLimit, Predikat

__all__ = ["curve_figure"]

# The x-axis of the "kurva distribusi" in the PermenPANRB 6/2022 annex, worst to best.
_ORDER = (
    Predikat.SANGAT_KURANG,
    Predikat.KURANG,
    Predikat.BUTUH_PERBAIKAN,
    Predikat.BAIK,
    Predikat.SANGAT_BAIK,
)
_OK = "#0b5cad"
_OUT = "#b3261e"


def curve_figure(
    limits: Mapping[Predikat, CurveLimit], counts: Mapping[Predikat, int]
) -> go.Figure:
    """Draw the allowed head-count range of each predikat against the actual counts.

    The pola distribusi of SE MenPANRB 3/2023: a light bar spans each predikat's allowed
    ``[min, max]`` (from :func:`skp_app.realization.scoring.curve_limits`), the dark bar is the
    number of employees with that predikat, red when outside the range.

    Examples
    --------
    >>> from skp_app.realization.scoring import curve_limits
    >>> fig = curve_figure(curve_limits("BAIK", 4), {Predikat.BAIK: 3})
    >>> [t.name for t in fig.data]
    ['Batas (min–maks)', 'Jumlah pegawai']
    >>> fig.data[1].y
    (0, 0, 0, 3, 0)
    """
    labels = [p.label for p in _ORDER]
    actual = [int(counts.get(p, 0)) for p in _ORDER]
    lows = [limits[p].min if p in limits else 0 for p in _ORDER]
    highs = [limits[p].max if p in limits else 0 for p in _ORDER]
    colours = [
        _OK if p not in limits or lows[i] <= actual[i] <= highs[i] else _OUT
        for i, p in enumerate(_ORDER)
    ]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            name="Batas (min–maks)",
            x=labels,
            y=[max(h - lo, 0) for lo, h in zip(lows, highs, strict=True)],
            base=lows,
            marker={"color": "rgba(11,92,173,0.15)", "line": {"color": _OK, "width": 1}},
            width=0.8,
            customdata=list(zip(lows, highs, strict=True)),
            hovertemplate="%{x}<br>boleh %{customdata[0]}–%{customdata[1]} orang<extra></extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            name="Jumlah pegawai",
            x=labels,
            y=actual,
            marker={"color": colours},
            width=0.4,
            hovertemplate="%{x}<br>%{y} orang<extra></extra>",
        )
    )
    top = max([*highs, *actual, 1])
    fig.update_layout(
        barmode="overlay",
        height=240,
        margin={"l": 40, "r": 10, "t": 10, "b": 40},
        legend={"orientation": "h", "y": -0.25},
        yaxis={
            "title": "pegawai",
            "rangemode": "tozero",
            "range": [0, top + 0.5],
            "dtick": 1 if top <= 10 else None,
        },
        plot_bgcolor="#fff",
        paper_bgcolor="#fff",
        font={"size": 11},
    )
    return fig
