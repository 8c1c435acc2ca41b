"""Plotly figures of a cascade: the performance tree (*pohon kinerja*) and the findings.

Pure figure builders: a cascade graph (and findings) in, a :class:`plotly.graph_objects.Figure`
out; no Flask. The tree is an icicle read top-down (RPJMD sasaran → OPD sasaran → JPT →
administrator → pengawas → pelaksana), which keeps 5–6 levels and hundreds of nodes legible and
lets the reader click a block to zoom into it. Every node's ``customdata`` is
``[kind, db_id, node_id]`` so a page can open the RHK (``kind == "rhk"``) on click.

All user text is passed through :func:`html.escape` because plotly renders HTML tags in labels
and hover text. Nothing recurses; a graph with a cycle or with a node that has several parents
still gives a valid tree (each node appears once, under the parent that reaches it first).
"""

from __future__ import annotations

import html
from collections import deque
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import networkx as nx
import plotly.graph_objects as go

from skp_app.cascading.graph import CascadeError, node_sort_key
from skp_app.cascading.rules import FINDING_CODES, SEVERITIES, Finding

__all__ = [
    "SEVERITY_COLORS",
    "SEVERITY_LABELS",
    "cascade_tree_figure",
    "findings_by_code_figure",
]

#: Indonesian names of the severities, as shown in figures.
SEVERITY_LABELS: Mapping[str, str] = {"error": "Galat", "warning": "Peringatan", "info": "Info"}
#: Colour of a node (or bar) per worst severity.
SEVERITY_COLORS: Mapping[str, str] = {"error": "#c62828", "warning": "#ef6c00", "info": "#1565c0"}
_KIND_COLORS = {
    "regent_goal": "#37474f",
    "opd_goal": "#546e7a",
    "rhk": "#2e7d32",
    "missing": "#9e9e9e",
    "root": "#eceff1",
}
_CONTEXT_COLOR = "#b0bec5"
# A clean RHK: dark green once its SKP is approved, light green while it is still a draft.
_STATUS_COLORS = {"disetujui": _KIND_COLORS["rhk"], "ditutup": _CONTEXT_COLOR}
_DRAFT_COLOR = "#81c784"
_KIND_TITLES = {
    "regent_goal": "Sasaran RPJMD",
    "opd_goal": "Sasaran OPD",
    "missing": "Induk tidak ditemukan",
}
_LEVEL_NAMES = {
    1: "kepala daerah",
    2: "pejabat pimpinan tinggi",
    3: "administrator",
    4: "pengawas",
    5: "pelaksana/fungsional",
}
_CASCADING = {"direct": "langsung (direct)", "non_direct": "tidak langsung (non-direct)"}
_ROOT_ID = "__root__"
_BIG_TREE = 200  # above this many nodes, show four levels at a time


def _esc(text: object) -> str:
    return html.escape(str(text if text is not None else ""), quote=True)


def _clip(text: str | None, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _wrap(text: str | None, width: int = 60, max_lines: int = 4) -> str:
    """Return escaped ``text`` broken into ``<br>``-separated lines (escape first, never split)."""
    lines: list[str] = []
    current = ""
    for word in (text or "").split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1] + " …"]
    return "<br>".join(_esc(line) for line in lines)


def _number(value: Decimal | None) -> str:
    if value is None:
        return "–"
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    else:
        value = value.normalize()
    return format(value, ",f").replace(",", "\0").replace(".", ",").replace("\0", ".")


def _empty_figure(message: str, title: str | None = None) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(
        title=title,
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
        plot_bgcolor="white",
        height=320,
    )
    return fig


def _spanning_tree(
    graph: nx.DiGraph, root: str | None, max_depth: int | None
) -> tuple[dict[str, str | None], set[str]]:
    """Return ``{node: tree parent}`` in breadth-first order, plus the nodes that start a cycle.

    Each node keeps the first parent that reaches it, so several parents or a cycle still give
    a tree. Without ``root`` every root (and, after them, every cycle nobody reaches) starts a
    branch; their tree parent is ``None``.
    """
    succ = graph.succ
    tree: dict[str, str | None] = {}
    depth: dict[str, int] = {}
    cycle_starts: set[str] = set()

    def sweep(start: str) -> None:
        tree[start] = None
        depth[start] = 0
        queue = deque([start])
        while queue:
            current = queue.popleft()
            if max_depth is not None and depth[current] >= max_depth:
                continue
            for child in sorted(succ[current], key=node_sort_key):
                if child not in tree:
                    tree[child] = current
                    depth[child] = depth[current] + 1
                    queue.append(child)

    if root is not None:
        sweep(root)
        return tree, cycle_starts
    starts = sorted((n for n, k in graph.in_degree() if k == 0), key=node_sort_key)
    reached = _reach(graph, starts)
    if len(reached) < graph.number_of_nodes():
        for node in sorted((n for n in graph if n not in reached), key=node_sort_key):
            if node not in reached:
                cycle_starts.add(node)
                starts.append(node)
                reached |= _reach(graph, [node])
    for node in starts:
        if node not in tree:
            sweep(node)
    return tree, cycle_starts


def _reach(graph: nx.DiGraph, sources: list[str]) -> set[str]:
    """Return every node reachable from ``sources`` (iterative, no depth limit)."""
    succ = graph.succ
    seen = set(sources)
    stack = list(sources)
    while stack:
        for child in succ[stack.pop()]:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


def _finding_marks(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """Map each node to the findings it should be coloured for."""
    marks: dict[str, list[Finding]] = {}
    for f in findings:
        if not f.nodes:
            continue
        targets = f.nodes if f.code in ("CYCLE", "DUPLICATE_RHK") else f.nodes[:1]
        for node in targets:
            marks.setdefault(node, []).append(f)
    return marks


def _worst(found: list[Finding]) -> str | None:
    ranks = [SEVERITIES.index(f.severity) for f in found if f.severity in SEVERITIES]
    return SEVERITIES[min(ranks)] if ranks else None


def _hover(graph: nx.DiGraph, node: str, d: Mapping[str, Any], found: list[Finding]) -> str:
    kind = d.get("kind")
    if kind == "rhk":
        title = "RHK utama" if d.get("jenis") == "utama" else "RHK tambahan"
    else:
        title = _KIND_TITLES.get(kind, "Simpul")
    lines = [f"<b>{_esc(title)}</b> <span style='color:#78909c'>{_esc(node)}</span>"]
    if d.get("text"):
        lines.append(_wrap(d["text"]))
    if kind == "missing":
        lines.append("Tautan induk menunjuk data yang tidak ada (mungkin sudah dihapus).")
    owner = d.get("owner_name")
    if owner or d.get("owner_pegawai_id") is not None:
        level = _LEVEL_NAMES.get(d.get("level"))
        who = _esc(owner or f"pegawai #{d.get('owner_pegawai_id')}")
        lines.append(f"Pemilik: {who}" + (f" ({_esc(level)})" if level else ""))
    if kind == "rhk":
        if d.get("status"):
            lines.append(f"Status SKP: {_esc(d['status'])}")
        if d.get("cascading"):
            lines.append(f"Cascading: {_esc(_CASCADING.get(d['cascading'], d['cascading']))}")
    indicators = d.get("indicators") or []
    for ind in indicators[:4]:
        target = _number(ind.get("target"))
        if ind.get("target_max") is not None:
            target = f"{target}–{_number(ind['target_max'])}"
        aspek = f"{ind['aspek'].capitalize()}: " if ind.get("aspek") else ""
        lines.append(
            f"• {_esc(aspek)}{_esc(_clip(ind.get('text'), 60))} — target {_esc(target)} "
            f"{_esc(ind.get('satuan') or '')}".rstrip()
        )
    if len(indicators) > 4:
        lines.append(f"• … {len(indicators) - 4} indikator lain")
    if d.get("context"):
        lines.append("<i>Konteks (di luar cakupan pemeriksaan)</i>")
    parents = list(graph.pred[node])
    if len(parents) > 1:
        others = ", ".join(_esc(p) for p in sorted(parents, key=node_sort_key))
        lines.append(f"Terhubung ke beberapa induk: {others}")
    for f in found[:5]:
        lines.append(
            f"<b>{_esc(SEVERITY_LABELS.get(f.severity, f.severity))}</b> "
            f"{_esc(f.code)}: {_wrap(f.message, 70, 3)}"
        )
    if len(found) > 5:
        lines.append(f"… {len(found) - 5} temuan lain")
    return "<br>".join(lines)


def cascade_tree_figure(
    graph: nx.DiGraph,
    findings: Iterable[Finding] = (),
    *,
    root: str | None = None,
    max_depth: int | None = None,
) -> go.Figure:
    """Draw the cascade as an icicle tree coloured by each node's worst finding.

    Parameters
    ----------
    graph
        A cascade graph (whole instansi, or :func:`~skp_app.cascading.graph.opd_subgraph`).
    findings
        Findings from :func:`~skp_app.cascading.rules.check_cascade`; a node takes the colour of
        its worst finding (red error, orange warning, blue info); otherwise a clean RHK is
        dark green once its SKP is approved and light green before, a sasaran is slate, and
        context and missing nodes are grey.
    root
        Draw only the subtree below this node.
    max_depth
        Draw at most this many levels below the root(s).

    Returns
    -------
    plotly.graph_objects.Figure
        One ``icicle`` trace with ``ids``/``parents``; ``customdata`` per node is
        ``[kind, db_id, node_id]``. An empty graph gives a figure that says "Belum ada data".

    Raises
    ------
    CascadeError
        If ``root`` is not in the graph.

    Examples
    --------
    >>> g = nx.DiGraph()
    >>> g.add_node("og:1", kind="opd_goal", db_id=1, text="Meningkatnya kualitas perencanaan")
    >>> g.add_node("rhk:2", kind="rhk", db_id=2, text="Tersusunnya dokumen RKPD tepat waktu")
    >>> g.add_edge("og:1", "rhk:2", cascading="non_direct")
    >>> fig = cascade_tree_figure(g)
    >>> fig.data[0].ids, fig.data[0].parents
    (('og:1', 'rhk:2'), ('', 'og:1'))
    """
    tahun = graph.graph.get("tahun")
    title = "Pohon cascading kinerja" + (f" tahun {tahun}" if tahun is not None else "")
    if graph.number_of_nodes() == 0:
        return _empty_figure("Belum ada data cascading untuk ditampilkan.", title)
    if root is not None and root not in graph:
        raise CascadeError(f"Simpul {root!r} tidak ada dalam graf cascading.")
    if max_depth is not None and max_depth < 0:
        raise CascadeError("Kedalaman maksimum tidak boleh negatif.")

    tree, cycle_starts = _spanning_tree(graph, root, max_depth)
    marks = _finding_marks(findings)
    tops = [n for n, p in tree.items() if p is None]
    synthetic = len(tops) > 1

    ids: list[str] = []
    labels: list[str] = []
    parents: list[str] = []
    colors: list[str] = []
    hovers: list[str] = []
    customdata: list[list[Any]] = []
    if synthetic:
        ids.append(_ROOT_ID)
        labels.append(_esc("Seluruh cascading" + (f" {tahun}" if tahun is not None else "")))
        parents.append("")
        colors.append(_KIND_COLORS["root"])
        hovers.append(f"<b>Seluruh cascading</b><br>{len(tree)} simpul")
        customdata.append(["root", None, ""])
    nodes = graph.nodes
    for node, tree_parent in tree.items():
        d = nodes[node]
        found = marks.get(node, [])
        kind = d.get("kind")
        label = _clip(d.get("text") or node, 40)
        if node in cycle_starts:
            label = "⟳ " + label
        ids.append(node)
        labels.append(_esc(label))
        parents.append(tree_parent if tree_parent is not None else (_ROOT_ID if synthetic else ""))
        worst = _worst(found)
        if worst is not None:
            colors.append(SEVERITY_COLORS[worst])
        elif d.get("context"):
            colors.append(_CONTEXT_COLOR)
        elif kind == "rhk":
            colors.append(_STATUS_COLORS.get(d.get("status"), _DRAFT_COLOR))
        else:
            colors.append(_KIND_COLORS.get(kind, _KIND_COLORS["missing"]))
        hovers.append(_hover(graph, node, d, found))
        customdata.append([kind, d.get("db_id"), node])

    fig = go.Figure(
        go.Icicle(
            ids=ids,
            labels=labels,
            parents=parents,
            hovertext=hovers,
            hoverinfo="text",
            customdata=customdata,
            marker={"colors": colors, "line": {"color": "white", "width": 1}},
            textinfo="label",
            tiling={"orientation": "v"},
            maxdepth=4 if len(ids) > _BIG_TREE else -1,
            sort=False,
        )
    )
    fig.update_layout(
        title=title,
        margin={"t": 50, "l": 10, "r": 10, "b": 60},
        height=640,
        annotations=[
            {
                "text": "Merah: galat · Oranye: peringatan · Biru: info · Hijau tua: RHK "
                "sesuai, SKP disetujui · Hijau muda: RHK sesuai, SKP belum disetujui · "
                "Abu-abu: sasaran, konteks atau induk tidak ditemukan · Klik blok untuk "
                "memperbesar",
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": -0.06,
                "showarrow": False,
                "font": {"size": 11, "color": "#546e7a"},
                "xanchor": "left",
            }
        ],
    )
    return fig


def findings_by_code_figure(summary: Mapping[str, Any]) -> go.Figure:
    """Draw a horizontal bar chart of findings per code, stacked by severity.

    ``summary`` is the result of :func:`~skp_app.cascading.rules.summarize`.

    Examples
    --------
    >>> from skp_app.cascading.rules import summarize
    >>> f = Finding("NO_IKI", "error", ("rhk:1",), 7, "RHK utama belum memiliki IKI.")
    >>> fig = findings_by_code_figure(summarize([f, f]))
    >>> [(t.name, t.x) for t in fig.data]
    [('Galat', (2,))]
    """
    title = "Temuan cascading per jenis"
    by_code: Mapping[str, int] = summary.get("by_code") or {}
    if not by_code:
        return _empty_figure("Belum ada temuan.", title)
    per_code: Mapping[str, Mapping[str, int]] = summary.get("by_code_severity") or {
        code: {FINDING_CODES[code].severity if code in FINDING_CODES else "info": count}
        for code, count in by_code.items()
    }
    codes = list(by_code)
    labels = [_esc(f"{FINDING_CODES[c].title} ({c})" if c in FINDING_CODES else c) for c in codes]
    fig = go.Figure()
    for severity in SEVERITIES:
        counts = [per_code.get(code, {}).get(severity, 0) for code in codes]
        if not any(counts):
            continue
        fig.add_trace(
            go.Bar(
                x=counts,
                y=labels,
                orientation="h",
                name=SEVERITY_LABELS[severity],
                marker_color=SEVERITY_COLORS[severity],
                customdata=codes,
                hovertemplate="%{y}<br>%{x} temuan<extra>" + SEVERITY_LABELS[severity] + "</extra>",
            )
        )
    fig.update_layout(
        title=title,
        barmode="stack",
        xaxis={"title": {"text": "Jumlah temuan"}, "rangemode": "tozero"},
        yaxis={"title": {"text": "Jenis temuan"}, "autorange": "reversed"},
        legend={"title": {"text": "Tingkat"}},
        margin={"l": 10, "r": 10, "t": 50, "b": 40},
        height=max(280, 60 + 32 * len(codes)),
    )
    return fig
