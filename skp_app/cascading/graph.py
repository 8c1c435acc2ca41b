"""The cascade graph of one periode: from the regent's sasaran down to every RHK.

PermenPANRB 6/2022 (with the direct/non-direct cascading text of PermenPANRB 8/2021) asks
that every *RHK utama* of a non-JPT employee intervenes one RHK of the direct superior, that the
RHK of a JPT come from the OPD's Perjanjian Kinerja / Renstra, and that the OPD sasaran support
the RPJMD sasaran of the regent (``domain.md`` §3). This module turns the rows that describe
those links into a :class:`networkx.DiGraph` that :mod:`skp_app.cascading.rules` validates and
:mod:`skp_app.cascading.charts` draws.

Everything here is pure: plain dataclasses in (filled by the database layer with a handful of
set-based queries; treat them as read-only), a graph out. No Flask, no database, and nothing
recurses, so a chain thousands of levels deep (bad data) never hits Python's recursion limit.

Conventions
-----------
* Node ids are strings: ``"rg:<id>"`` (regent sasaran), ``"og:<id>"`` (OPD sasaran) and
  ``"rhk:<id>"``; see :func:`node_id` and :func:`parse_node_id`.
* Edges run from the goal intervened (parent) to the goal that contributes (child) and carry
  ``cascading`` (``"direct"``/``"non_direct"`` for an RHK, ``None`` between sasaran).
* Every node has the same attribute keys (:data:`NODE_ATTRIBUTES`); ``kind`` is
  ``"regent_goal"``, ``"opd_goal"``, ``"rhk"`` or ``"missing"``; ``indicators`` is a list of
  dicts (:attr:`Indicator.mapping`, Decimals kept, ``aspek`` lower-cased). Equal indicators
  share one dict, and RHK rows given the same tuple of indicators share one list, so node
  data is read-only: copy before changing it.
* **Missing parents become nodes.** A row that points to a parent absent from the input gets an
  edge from a node of kind ``"missing"`` (``missing_kind`` says what was expected) whose id is the
  id the parent would have had. Rules report it as ``PARENT_MISSING`` and charts still show
  where the child hangs; ``graph.graph["missing"]`` lists those nodes.
* **Context nodes** (``context=True``) are shown and followed but not judged: rows of another
  year when ``tahun`` is given, and the ancestors outside the OPD in :func:`opd_subgraph`.
* ``graph.graph`` holds ``tahun``, ``opd_id`` (``None`` for the whole instansi), ``people``
  (``dict`` pegawai id → :class:`PersonRow`), ``supervisor_ids`` (``frozenset`` of pegawai ids
  who have at least one subordinate with an SKP in the periode) and ``missing``.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

import networkx as nx

__all__ = [
    "KIND_PREFIX",
    "NODE_ATTRIBUTES",
    "CascadeError",
    "GoalRow",
    "Indicator",
    "PersonRow",
    "RhkRow",
    "build_cascade_graph",
    "descendants_of",
    "gc_paused",
    "graph_to_json",
    "levels",
    "lineage",
    "node_id",
    "node_sort_key",
    "opd_subgraph",
    "parse_node_id",
]

Kind = Literal["regent_goal", "opd_goal", "rhk"]

#: Node id prefix of each node kind.
KIND_PREFIX: Mapping[str, str] = {"regent_goal": "rg", "opd_goal": "og", "rhk": "rhk"}
_PREFIX_KIND = {prefix: kind for kind, prefix in KIND_PREFIX.items()}
_PREFIX_RANK = {"rg": 0, "og": 1, "rhk": 2}

#: Attribute keys present on every node of a graph built by :func:`build_cascade_graph`.
NODE_ATTRIBUTES: tuple[str, ...] = (
    "kind",
    "db_id",
    "text",
    "owner_pegawai_id",
    "owner_name",
    "unit_id",
    "opd_id",
    "level",
    "jabatan_jenis",
    "jenis",
    "tahun",
    "status",
    "pendekatan",
    "penilai_pegawai_id",
    "skp_id",
    "cascading",
    "indicators",
    "context",
    "missing_kind",
)

_JENIS = frozenset({"utama", "tambahan"})
_CASCADING = frozenset({"direct", "non_direct"})
_PENDEKATAN = frozenset({"kuantitatif", "kualitatif"})
_PARENT_KINDS = frozenset({"rhk", "opd_goal", "regent_goal"})
_GOAL_LEVELS = {"regent": "regent_goal", "opd": "opd_goal"}


def _norm_aspek(aspek: str | None) -> str:
    return (aspek or "").strip().lower()


class CascadeError(ValueError):
    """Invalid input for the cascade graph (bad row, unknown node); the message is Indonesian."""


@dataclass(frozen=True, slots=True)
class Indicator:
    """One indicator: an IKI row of an RHK (per *aspek*) or an indicator of a sasaran.

    ``aspek`` is ``"kuantitas"``, ``"kualitas"``, ``"waktu"``, ``"biaya"`` or ``""`` for the
    indicators of a sasaran. ``target_max`` is set for a range target.

    Examples
    --------
    >>> iki = Indicator("kuantitas", "Jumlah dokumen RKPD", Decimal("1"), satuan="Dokumen")
    >>> iki.as_dict()["target"], iki.as_dict()["satuan"]
    (Decimal('1'), 'Dokumen')
    """

    aspek: str
    text: str
    target: Decimal | None = None
    target_max: Decimal | None = None
    satuan: str = ""
    lower_is_better: bool = False
    _mapping: dict[str, Any] | None = field(
        default=None, init=False, repr=False, compare=False, hash=False
    )

    @property
    def mapping(self) -> dict[str, Any]:
        """The indicator as a ``dict`` (Decimals kept), made once and shared: do not change it.

        The graph stores this dict in every node that has the indicator, so that a loader that
        reuses equal :class:`Indicator` objects builds a large graph without a dict per IKI.
        """
        mapping = self._mapping
        if mapping is None:
            mapping = {
                "aspek": _norm_aspek(self.aspek),
                "text": self.text,
                "target": self.target,
                "target_max": self.target_max,
                "satuan": self.satuan,
                "lower_is_better": self.lower_is_better,
            }
            object.__setattr__(self, "_mapping", mapping)
        return mapping

    def as_dict(self) -> dict[str, Any]:
        """Return the indicator as a new plain ``dict`` (Decimals kept)."""
        return dict(self.mapping)


@dataclass(slots=True)
class GoalRow:
    """A sasaran above the individual: RPJMD (``level="regent"``) or OPD (``level="opd"``).

    ``parent_goal_id`` points to the regent sasaran that an OPD sasaran supports (or, for a
    regent sasaran, to a higher regent goal such as an RPJMD *tujuan*). ``parent_level`` says
    where the parent lives; ``"opd"`` links an OPD sasaran to an OPD *tujuan* when the database
    layer prefers to show that hierarchy. ``tahun`` is the periode the row is loaded for (a
    five-year RPJMD sasaran is loaded with the periode's year). ``owner_pegawai_id`` is the
    official who answers for the goal (the Kepala OPD for an OPD sasaran).
    """

    id: int
    level: Literal["regent", "opd"]
    text: str
    tahun: int
    opd_id: int | None = None
    parent_goal_id: int | None = None
    indicators: tuple[Indicator, ...] = ()
    owner_pegawai_id: int | None = None
    parent_level: Literal["regent", "opd"] = "regent"


@dataclass(slots=True)
class RhkRow:
    """One RHK of one SKP with the link to the goal it intervenes.

    ``level`` is 1 kepala daerah, 2 JPT, 3 administrator, 4 pengawas, 5 pelaksana/fungsional.
    ``parent_kind``/``parent_id`` name the RHK of the pejabat penilai (or, for a JPT, the OPD
    sasaran) that this RHK intervenes; ``penilai_pegawai_id`` is the pejabat penilai of the SKP
    that holds this RHK.
    """

    id: int
    skp_id: int
    tahun: int
    owner_pegawai_id: int
    owner_name: str
    unit_id: int | None
    opd_id: int | None
    level: int
    jabatan_jenis: str
    jenis: Literal["utama", "tambahan"]
    text: str
    parent_kind: Literal["rhk", "opd_goal", "regent_goal"] | None = None
    parent_id: int | None = None
    cascading: Literal["direct", "non_direct"] = "non_direct"
    skp_status: str = "draft"
    pendekatan: Literal["kuantitatif", "kualitatif"] = "kuantitatif"
    penilai_pegawai_id: int | None = None
    indicators: tuple[Indicator, ...] = ()


@dataclass(slots=True)
class PersonRow:
    """An employee of the periode, for the rules about who has (or blocks) an SKP (V2)."""

    pegawai_id: int
    name: str
    opd_id: int | None
    unit_id: int | None
    level: int | None
    superior_pegawai_id: int | None = None
    must_have_skp: bool = True
    skp_ids: tuple[int, ...] = ()
    tahun: int | None = None


def node_id(kind: str, db_id: int) -> str:
    """Return the node id of a row.

    ``kind`` is a node kind (``"rhk"``, ``"opd_goal"``, ``"regent_goal"``) or its prefix
    (``"rhk"``, ``"og"``, ``"rg"``).

    Examples
    --------
    >>> node_id("opd_goal", 12)
    'og:12'
    >>> node_id("rhk", 7)
    'rhk:7'
    """
    prefix = KIND_PREFIX.get(kind) or (kind if kind in _PREFIX_KIND else None)
    if prefix is None:
        raise CascadeError(f"Jenis simpul tidak dikenal: {kind!r}.")
    return f"{prefix}:{int(db_id)}"


def parse_node_id(node: str) -> tuple[str, int]:
    """Split a node id into ``(kind, db_id)``.

    Examples
    --------
    >>> parse_node_id("rg:3")
    ('regent_goal', 3)

    Raises
    ------
    CascadeError
        If ``node`` is not of the form ``<prefix>:<integer>``.
    """
    prefix, sep, rest = str(node).partition(":")
    kind = _PREFIX_KIND.get(prefix)
    if not sep or kind is None:
        raise CascadeError(f"Id simpul tidak valid: {node!r}.")
    try:
        return kind, int(rest)
    except ValueError:
        raise CascadeError(f"Id simpul tidak valid: {node!r}.") from None


def node_sort_key(node: Hashable) -> tuple[int, int, str]:
    """Return a key that orders node ids naturally (sasaran first, ``rhk:9`` before ``rhk:10``).

    Examples
    --------
    >>> sorted(["rhk:10", "og:2", "rhk:9", "rg:1"], key=node_sort_key)
    ['rg:1', 'og:2', 'rhk:9', 'rhk:10']
    """
    text = str(node)
    prefix, _, rest = text.partition(":")
    rank = _PREFIX_RANK.get(prefix)
    if rank is not None and rest.isdigit():
        return rank, int(rest), ""
    return 9, 0, text


def _check_row(ok: bool, what: str, row_label: str, value: object) -> None:
    if not ok:
        raise CascadeError(f"{row_label}: nilai {what} tidak valid ({value!r}).")


def build_cascade_graph(
    goals: Iterable[GoalRow],
    rhks: Iterable[RhkRow],
    people: Iterable[PersonRow] = (),
    *,
    tahun: int | None = None,
) -> nx.DiGraph:
    """Build the cascade graph of a periode from goal, RHK and person rows.

    Parameters
    ----------
    goals
        Regent and OPD sasaran.
    rhks
        RHK of every SKP of the periode, each with the link to the goal it intervenes.
    people
        Employees with their direct superior and SKP ids, for the NO_SKP/SUPERIOR_NO_SKP rules
        and for owner names of sasaran. Rows of another ``tahun`` are ignored.
    tahun
        The periode. Rows of another year stay in the graph as context nodes (so that a link
        into another periode is reported as such, not as a missing parent).

    Returns
    -------
    networkx.DiGraph
        Nodes in input order (regent sasaran, OPD sasaran, RHK, then missing parents); see the
        module docstring for attributes and ``graph.graph`` keys.

    Raises
    ------
    CascadeError
        On a duplicate id or an invalid enumeration value in a row.

    Examples
    --------
    >>> rg = GoalRow(1, "regent", "Meningkatnya kualitas perencanaan pembangunan daerah", 2025)
    >>> og = GoalRow(10, "opd", "Meningkatnya kualitas dokumen perencanaan", 2025, opd_id=4,
    ...              parent_goal_id=1)
    >>> jpt = RhkRow(100, 50, 2025, 7, "Ir. Budi Santoso", 40, 4, 2, "jpt", "utama",
    ...              "Tersusunnya dokumen RKPD tepat waktu", "opd_goal", 10)
    >>> g = build_cascade_graph([rg, og], [jpt])
    >>> list(g.edges)
    [('rg:1', 'og:10'), ('og:10', 'rhk:100')]
    >>> g.nodes["rhk:100"]["owner_name"]
    'Ir. Budi Santoso'
    """
    with gc_paused():
        return _build(goals, rhks, people, tahun)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector during a bulk build or check.

    Building 120,000 nodes allocates about a million containers, which would trigger several
    full collections of the whole heap; the code inside creates no reference cycles, so plain
    reference counting frees everything. The previous state is restored on exit.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # Move what was allocated meanwhile straight to the oldest generation: otherwise the
            # first young collection after enable() scans all of it (~0.3 s at 120k nodes).
            # Objects still alive there are scanned again only by the next full collection.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def _build(
    goals: Iterable[GoalRow],
    rhks: Iterable[RhkRow],
    people: Iterable[PersonRow],
    tahun: int | None,
) -> nx.DiGraph:
    people_map: dict[int, PersonRow] = {}
    for person in people:
        if tahun is None or person.tahun is None or person.tahun == tahun:
            people_map[person.pegawai_id] = person
    supervisors: set[int] = {
        p.superior_pegawai_id
        for p in people_map.values()
        if p.skp_ids and p.superior_pegawai_id is not None
    }
    graph = nx.DiGraph(tahun=tahun, opd_id=None, people=people_map)
    # Bulk fill of the documented dict-of-dicts storage of a fresh DiGraph (what
    # add_nodes_from/add_edges_from do, minus their per-item checks): ~3x faster at 120k nodes.
    # tests/cascading/test_graph.py checks the result equals the one built with the public API.
    store, succ, pred = graph._node, graph._succ, graph._pred
    links: list[tuple[str, str, str | None, str]] = []  # parent, child, cascading, parent kind

    goal_rows = sorted(goals, key=lambda g: 0 if g.level == "regent" else 1)
    for g in goal_rows:
        kind = _GOAL_LEVELS.get(g.level, "")
        _check_row(bool(kind), "level", f"Sasaran {g.id}", g.level)
        nid = f"{KIND_PREFIX[kind]}:{g.id}"
        if nid in store:
            raise CascadeError(f"Sasaran {g.id} muncul lebih dari sekali.")
        owner = people_map.get(g.owner_pegawai_id) if g.owner_pegawai_id is not None else None
        store[nid] = {
            "kind": kind,
            "db_id": g.id,
            "text": g.text,
            "owner_pegawai_id": g.owner_pegawai_id,
            "owner_name": owner.name if owner else None,
            "unit_id": None,
            "opd_id": g.opd_id,
            "level": None,
            "jabatan_jenis": None,
            "jenis": None,
            "tahun": g.tahun,
            "status": None,
            "pendekatan": None,
            "penilai_pegawai_id": None,
            "skp_id": None,
            "cascading": None,
            "indicators": [i.mapping for i in g.indicators],
            "context": tahun is not None and g.tahun != tahun,
            "missing_kind": None,
        }
        succ[nid] = {}
        pred[nid] = {}
        if g.parent_goal_id is not None:
            parent_kind = _GOAL_LEVELS.get(g.parent_level, "")
            _check_row(bool(parent_kind), "parent_level", f"Sasaran {g.id}", g.parent_level)
            links.append((f"{KIND_PREFIX[parent_kind]}:{g.parent_goal_id}", nid, None, parent_kind))

    append_link = links.append
    add_supervisor = supervisors.add
    # RHK rows that share one tuple of indicators (the loader shares equal sets) share one
    # list of mappings; the tuple is kept with it so that its id is not reused meanwhile.
    indicator_lists: dict[int, tuple[tuple[Indicator, ...], list[dict[str, Any]]]] = {}
    get_list = indicator_lists.get
    for r in rhks:
        nid = f"rhk:{r.id}"
        if nid in store:
            raise CascadeError(f"RHK {r.id} muncul lebih dari sekali.")
        if r.jenis not in _JENIS:
            _check_row(False, "jenis", f"RHK {r.id}", r.jenis)
        if r.cascading not in _CASCADING:
            _check_row(False, "cascading", f"RHK {r.id}", r.cascading)
        if r.pendekatan not in _PENDEKATAN:
            _check_row(False, "pendekatan", f"RHK {r.id}", r.pendekatan)
        parent_kind = r.parent_kind
        if parent_kind is not None or r.parent_id is not None:
            if parent_kind not in _PARENT_KINDS or r.parent_id is None:
                raise CascadeError(
                    f"RHK {r.id}: tautan induk tidak lengkap "
                    f"(parent_kind={parent_kind!r}, parent_id={r.parent_id!r})."
                )
            append_link(
                (f"{KIND_PREFIX[parent_kind]}:{r.parent_id}", nid, r.cascading, parent_kind)
            )
        if r.penilai_pegawai_id is not None:
            add_supervisor(r.penilai_pegawai_id)
        inds = r.indicators
        entry = get_list(id(inds))
        if entry is None:
            entry = indicator_lists[id(inds)] = (inds, [i.mapping for i in inds])
        store[nid] = {
            "kind": "rhk",
            "db_id": r.id,
            "text": r.text,
            "owner_pegawai_id": r.owner_pegawai_id,
            "owner_name": r.owner_name,
            "unit_id": r.unit_id,
            "opd_id": r.opd_id,
            "level": r.level,
            "jabatan_jenis": r.jabatan_jenis,
            "jenis": r.jenis,
            "tahun": r.tahun,
            "status": r.skp_status,
            "pendekatan": r.pendekatan,
            "penilai_pegawai_id": r.penilai_pegawai_id,
            "skp_id": r.skp_id,
            "cascading": r.cascading if parent_kind is not None else None,
            "indicators": entry[1],
            "context": tahun is not None and r.tahun != tahun,
            "missing_kind": None,
        }
        succ[nid] = {}
        pred[nid] = {}

    missing: list[str] = []
    for parent, child, casc, parent_kind in links:
        if parent not in store:
            missing.append(parent)
            store[parent] = _missing_attrs(parent, parent_kind)
            succ[parent] = {}
            pred[parent] = {}
        edge = {"cascading": casc}
        succ[parent][child] = edge
        pred[child][parent] = edge
    graph.graph["supervisor_ids"] = frozenset(supervisors)
    graph.graph["missing"] = missing
    return graph


def _missing_attrs(node: str, kind: str) -> dict[str, Any]:
    attrs: dict[str, Any] = dict.fromkeys(NODE_ATTRIBUTES)
    attrs.update(
        kind="missing",
        db_id=parse_node_id(node)[1],
        text="",
        indicators=[],
        context=False,
        missing_kind=kind,
    )
    return attrs


def _require_node(graph: nx.DiGraph, node: str) -> None:
    if node not in graph:
        raise CascadeError(f"Simpul {node!r} tidak ada dalam graf cascading.")


def lineage(graph: nx.DiGraph, node: str) -> list[str]:
    """Return the chain from ``node`` up to its root, ``node`` first.

    Where a node has several parents (which :func:`build_cascade_graph` never produces) the
    first in :func:`node_sort_key` order is followed. A cycle stops the walk just before a node
    would repeat, so the result is finite.

    Examples
    --------
    >>> g = nx.DiGraph([("rg:1", "og:2"), ("og:2", "rhk:3"), ("rhk:3", "rhk:4")])
    >>> lineage(g, "rhk:4")
    ['rhk:4', 'rhk:3', 'og:2', 'rg:1']
    >>> lineage(nx.DiGraph([("rhk:1", "rhk:2"), ("rhk:2", "rhk:1")]), "rhk:1")
    ['rhk:1', 'rhk:2']
    """
    _require_node(graph, node)
    pred = graph.pred
    chain = [node]
    visited = {node}
    current = node
    while True:
        parents = pred[current]
        if not parents:
            break
        nxt = next(iter(parents)) if len(parents) == 1 else min(parents, key=node_sort_key)
        if nxt in visited:
            break
        visited.add(nxt)
        chain.append(nxt)
        current = nxt
    return chain


def descendants_of(graph: nx.DiGraph, node: str) -> list[str]:
    """Return every node below ``node`` (breadth-first, nearest first), excluding ``node``.

    This is the impact of changing ``node``: every RHK that intervenes it directly or
    indirectly. Cycles are visited once.

    Examples
    --------
    >>> g = nx.DiGraph([("og:1", "rhk:2"), ("rhk:2", "rhk:3"), ("og:1", "rhk:4")])
    >>> descendants_of(g, "og:1")
    ['rhk:2', 'rhk:4', 'rhk:3']
    """
    _require_node(graph, node)
    succ = graph.succ
    visited = {node}
    order: list[str] = []
    queue = deque([node])
    while queue:
        for child in succ[queue.popleft()]:
            if child not in visited:
                visited.add(child)
                order.append(child)
                queue.append(child)
    return order


def levels(graph: nx.DiGraph) -> dict[str, int]:
    """Return the depth of every node: 0 for roots, 1 for their children, and so on.

    Depth is the shortest distance from any root (a node without parents). Nodes that no root
    reaches (a cycle and what hangs below it) are measured from the cycle node that comes first
    in :func:`node_sort_key` order.

    Examples
    --------
    >>> g = nx.DiGraph([("rg:1", "og:2"), ("og:2", "rhk:3"), ("rhk:8", "rhk:9"),
    ...                 ("rhk:9", "rhk:8")])
    >>> levels(g)
    {'rg:1': 0, 'og:2': 1, 'rhk:3': 2, 'rhk:8': 0, 'rhk:9': 1}
    """
    depth: dict[str, int] = {}
    succ = graph.succ
    roots = [n for n, d in graph.in_degree() if d == 0]

    def sweep(sources: list[str]) -> None:
        for source in sources:
            depth[source] = 0
        queue = deque(sources)
        while queue:
            current = queue.popleft()
            next_depth = depth[current] + 1
            for child in succ[current]:
                if child not in depth:
                    depth[child] = next_depth
                    queue.append(child)

    sweep(roots)
    if len(depth) < graph.number_of_nodes():
        for node in sorted((n for n in graph if n not in depth), key=node_sort_key):
            if node not in depth:
                sweep([node])
    return {n: depth[n] for n in graph}


def opd_subgraph(graph: nx.DiGraph, opd_id: int) -> nx.DiGraph:
    """Return a copy of the part of the cascade that belongs to one OPD.

    The result holds the OPD's sasaran and RHK plus, as context nodes (``context=True``: shown
    but not judged), their ancestors outside the OPD: the regent sasaran they support, a
    superior RHK in another OPD, a missing parent. ``graph.graph["people"]`` keeps the OPD's
    employees and their direct superiors; ``graph.graph["opd_id"]`` is set so that the person
    rules only report the OPD's own employees.

    Examples
    --------
    >>> rg = GoalRow(1, "regent", "Meningkatnya kualitas perencanaan pembangunan daerah", 2025)
    >>> og = GoalRow(10, "opd", "Meningkatnya kualitas dokumen perencanaan", 2025, opd_id=4,
    ...              parent_goal_id=1)
    >>> other = GoalRow(11, "opd", "Meningkatnya cakupan layanan kesehatan", 2025, opd_id=5,
    ...                 parent_goal_id=1)
    >>> sub = opd_subgraph(build_cascade_graph([rg, og, other], []), 4)
    >>> sorted(sub.nodes(data="context"))
    [('og:10', False), ('rg:1', True)]
    """
    own = [n for n, d in graph.nodes(data=True) if d.get("opd_id") == opd_id]
    keep = set(own)
    pred = graph.pred
    context: list[str] = []
    queue = deque(own)
    while queue:
        for parent in pred[queue.popleft()]:
            if parent not in keep:
                keep.add(parent)
                context.append(parent)
                queue.append(parent)
    sub = graph.subgraph(keep).copy()
    for node in context:
        sub.nodes[node]["context"] = True
    people: Mapping[int, PersonRow] = graph.graph.get("people") or {}
    own_people = {pid: p for pid, p in people.items() if p.opd_id == opd_id}
    for p in list(own_people.values()):
        sup = people.get(p.superior_pegawai_id) if p.superior_pegawai_id is not None else None
        if sup is not None:
            own_people.setdefault(sup.pegawai_id, sup)
    sub.graph["people"] = own_people
    sub.graph["opd_id"] = opd_id
    sub.graph["missing"] = [n for n in graph.graph.get("missing", ()) if n in keep]
    return sub


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_jsonable(v) for v in value), key=str)
    return value


def graph_to_json(graph: nx.DiGraph, findings: Iterable[Any] = ()) -> dict[str, list[Any]]:
    """Return the graph (and optional findings) as JSON-serialisable data.

    Decimals become strings in plain notation (``"61.95"``, never ``"6.195E+1"``). ``findings``
    are :class:`~skp_app.cascading.rules.Finding` objects (anything with ``to_dict()``) or dicts.

    Examples
    --------
    >>> rg = GoalRow(1, "regent", "Meningkatnya kualitas perencanaan pembangunan daerah", 2025,
    ...              indicators=(Indicator("", "Indeks kualitas perencanaan", Decimal("3.5"),
    ...                                    None, "indeks"),))
    >>> data = graph_to_json(build_cascade_graph([rg], []))
    >>> data["nodes"][0]["indicators"][0]["target"], data["edges"], data["findings"]
    ('3.5', [], [])
    """
    nodes = [{"id": n, **_jsonable(d)} for n, d in graph.nodes(data=True)]
    edges = [
        {"source": u, "target": v, "cascading": casc}
        for u, v, casc in graph.edges(data="cascading")
    ]
    out_findings = [_jsonable(f.to_dict() if hasattr(f, "to_dict") else dict(f)) for f in findings]
    return {"nodes": nodes, "edges": edges, "findings": out_findings}
