"""Capaian roll-up along the cascade: pure computation over plain data.

Each node is an RHK or a goal (OPD/regent sasaran) with its IKI and their monthly realisasi.
The roll-up works bottom-up, level by level in reverse breadth-first order (no recursion, so a
deep chain cannot hit Python's recursion limit), and explains every number in Indonesian:

* **IKI capaian** (PermenPANRB 8/2021, see :func:`skp_app.realization.scoring.capaian_iki`):
  for a *kuantitas* IKI the realisasi is the sum of the monthly values up to month M; for the
  other aspects (kualitas, waktu, biaya) it is the latest value up to month M.
* **Own capaian** of a node: the plain mean of its IKI capaian.
* **Direct cascading** (PermenPANRB 8/2021, §3.2 of the domain notes): the results of the RHK
  cascaded directly *represent* the superior RHK, so its capaian is the weighted mean of those
  children. Children cascaded non-directly are shown as contributors but not counted.
* **Non-direct cascading** (or no direct child): the node's own IKI realisasi is used and every
  child is shown as a contributor.
* **Goals** (sasaran) have no realisasi of their own in SKP Cascade: their capaian is the
  weighted mean of everything beneath them (sub-goals, supporting OPD goals, JPT RHK).
* **Early warning**: a least-squares projection of the monthly series to year end
  (:func:`skp_app.realization.scoring.project_year_end`); a node warns when one of the IKI it
  counts, or one of the children it counts, is projected to miss its target.

Weights default to 1; ``weights`` maps a node key (``"rhk:12"``, ``"sasaran:3"``) or an RHK
jenis (``"utama"``, ``"tambahan"``) to a non-negative weight (Instansi.settings["rollup_weights"]).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from skp_app.realization.scoring import (
    ScoringError,
    capaian_iki,
    project_year_end,
    rollup_capaian,
)

__all__ = [
    "Contribution",
    "IkiInput",
    "IkiResult",
    "NodeInput",
    "NodeResult",
    "format_number",
    "node_weight",
    "rollup_tree",
]

BULAN = (
    "",
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
CASCADING_LABEL = {"direct": "langsung (direct)", "non_direct": "tidak langsung (non-direct)"}
KIND_LABEL = {"rhk": "RHK", "sasaran": "sasaran"}
_ONE = Decimal(1)


@dataclass(frozen=True)
class IkiInput:
    """One indicator with its monthly realisasi (month → value of that month)."""

    id: int
    teks: str
    target: Decimal | None
    aspek: str = "kuantitas"
    satuan: str = ""
    target_max: Decimal | None = None
    lower_is_better: bool = False
    monthly: Mapping[int, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class NodeInput:
    """An RHK or a goal in the cascade, with the link type to its parent."""

    key: str
    kind: str  # rhk / sasaran
    label: str
    parent_key: str | None = None
    cascading: str | None = None  # direct / non_direct (RHK only: how it links to the parent)
    owner: str = ""
    jenis: str = "utama"
    iki: tuple[IkiInput, ...] = ()
    year_end_month: int = 12


@dataclass(frozen=True)
class IkiResult:
    """Capaian and projection of one IKI up to month M."""

    id: int
    teks: str
    aspek: str
    satuan: str
    target: Decimal | None
    target_max: Decimal | None
    lower_is_better: bool
    realisasi: Decimal | None
    basis: str  # kumulatif / terakhir
    capaian: Decimal | None
    projection: Decimal | None
    will_miss: bool
    note: str = ""


@dataclass(frozen=True)
class Contribution:
    """A child of a node and what it adds to the node's capaian."""

    key: str
    kind: str
    label: str
    owner: str
    cascading: str | None
    capaian: Decimal | None
    weight: Decimal
    counted: bool
    share: Decimal | None = None  # weight / total weight of the counted children with data
    points: Decimal | None = None  # capaian × share (percentage points)
    warning: bool = False


@dataclass(frozen=True)
class NodeResult:
    """The capaian of one node, how it was made, and its early warnings."""

    key: str
    kind: str
    label: str
    owner: str
    capaian: Decimal | None
    method: str  # direct_children / own / children / cycle
    own_capaian: Decimal | None
    iki: tuple[IkiResult, ...]
    contributions: tuple[Contribution, ...]
    explanation: str
    warnings: tuple[str, ...] = ()

    @property
    def warning(self) -> bool:
        return bool(self.warnings)


def format_number(value: Decimal | int | float | None, places: int = 2) -> str:
    """Format a number the Indonesian way (``1.234,50``), dropping needless zeros.

    >>> format_number(Decimal("1234.5")), format_number(Decimal("85")), format_number(None)
    ('1.234,5', '85', '-')
    """
    if value is None:
        return "-"
    quantum = Decimal(1).scaleb(-places)
    number = Decimal(str(value)).quantize(quantum)
    text = f"{number:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def _pct(value: Decimal | None) -> str:
    return "-" if value is None else f"{format_number(value)}%"


def node_weight(node: NodeInput, weights: Mapping[str, object] | None) -> Decimal:
    """Return the weight of ``node`` inside its parent (node key, then RHK jenis, then 1).

    >>> n = NodeInput("rhk:7", "rhk", "Tersusunnya laporan", jenis="tambahan")
    >>> node_weight(n, {"tambahan": "0.5"}), node_weight(n, {"rhk:7": 2, "tambahan": 0})
    (Decimal('0.5'), Decimal('2'))
    """
    for key in (node.key, node.jenis):
        if weights and key in weights:
            try:
                value = Decimal(str(weights[key]))
            except ArithmeticError:
                continue
            if value.is_finite() and value >= 0:
                return value
    return _ONE


def _iki_result(iki: IkiInput, bulan: int, year_end_month: int) -> IkiResult:
    # Percentages are levels (the latest month counts); every other unit (Dokumen, Laporan,
    # Bulan, Indeks …) is reported month by month and adds up, as on the evaluation page and in
    # the TPP recap.
    satuan = (iki.satuan or "").strip().lower()
    cumulative = not ("%" in satuan or satuan.startswith("persen"))
    basis = "kumulatif" if cumulative else "terakhir"
    months = sorted(m for m in iki.monthly if 1 <= m <= bulan and iki.monthly[m] is not None)
    common = dict(
        id=iki.id,
        teks=iki.teks,
        aspek=iki.aspek,
        satuan=iki.satuan,
        target=iki.target,
        target_max=iki.target_max,
        lower_is_better=iki.lower_is_better,
        basis=basis,
    )
    if iki.target is None:
        return IkiResult(
            **common,
            realisasi=None,
            capaian=None,
            projection=None,
            will_miss=False,
            note="IKI tanpa target angka (kualitatif) tidak dihitung.",
        )
    if not months:
        return IkiResult(
            **common,
            realisasi=None,
            capaian=None,
            projection=None,
            will_miss=False,
            note=f"Belum ada realisasi sampai {BULAN[bulan]}.",
        )
    series: list[tuple[int, Decimal]] = []
    running = Decimal(0)
    for m in months:
        value = Decimal(str(iki.monthly[m]))
        running = running + value if cumulative else value
        series.append((m, running))
    realisasi = series[-1][1]
    note = ""
    try:
        capaian = capaian_iki(
            realisasi, iki.target, target_max=iki.target_max, lower_is_better=iki.lower_is_better
        )
    except ScoringError as exc:
        capaian, note = None, str(exc)
    projection, will_miss = None, False
    goal = iki.target_max if (iki.lower_is_better and iki.target_max is not None) else iki.target
    if months[-1] <= year_end_month:
        try:
            projected = project_year_end(
                series, goal, lower_is_better=iki.lower_is_better, year_end_month=year_end_month
            )
            projection, will_miss = projected.value, projected.will_miss
        except ScoringError:
            projection, will_miss = None, False
    return IkiResult(
        **common,
        realisasi=realisasi,
        capaian=capaian,
        projection=projection,
        will_miss=will_miss,
        note=note,
    )


def _levels(nodes: Mapping[str, NodeInput], children: Mapping[str, list[str]]) -> list[str]:
    """Return the keys reachable from the roots in breadth-first order."""
    roots = [k for k, n in nodes.items() if n.parent_key is None or n.parent_key not in nodes]
    order: list[str] = []
    seen: set[str] = set()
    queue = deque(sorted(roots))
    while queue:
        key = queue.popleft()
        if key in seen:
            continue
        seen.add(key)
        order.append(key)
        queue.extend(children.get(key, ()))
    return order


def rollup_tree(
    nodes: Iterable[NodeInput],
    *,
    bulan: int,
    weights: Mapping[str, object] | None = None,
) -> dict[str, NodeResult]:
    """Compute the capaian of every node up to month ``bulan``, bottom-up.

    Parameters
    ----------
    nodes
        RHK and goals with ``parent_key`` pointing at the node they intervene (parent → child
        edges). A parent outside the set makes the node a root of the computation.
    bulan
        The last month (1–12) counted (cumulative "s.d. bulan").
    weights
        Optional weights by node key or RHK jenis (see :func:`node_weight`).

    Returns
    -------
    dict
        ``key → NodeResult``; nodes caught in a cycle get ``method="cycle"`` and no capaian.

    Examples
    --------
    >>> iki = lambda i, v: (IkiInput(i, "Jumlah dokumen", Decimal(10), monthly={1: Decimal(v)}),)
    >>> tree = [
    ...     NodeInput("rhk:1", "rhk", "Kabid"),
    ...     NodeInput("rhk:2", "rhk", "Kasi A", "rhk:1", "direct", iki=iki(2, 8)),
    ...     NodeInput("rhk:3", "rhk", "Kasi B", "rhk:1", "direct", iki=iki(3, 6)),
    ... ]
    >>> result = rollup_tree(tree, bulan=1)
    >>> result["rhk:1"].capaian, result["rhk:1"].method
    (Decimal('70'), 'direct_children')
    """
    if isinstance(bulan, bool) or not isinstance(bulan, int) or not 1 <= bulan <= 12:
        raise ScoringError(f"Bulan harus bilangan bulat 1–12 (diberikan {bulan!r}).")
    by_key: dict[str, NodeInput] = {}
    for node in nodes:
        by_key[node.key] = node
    children: dict[str, list[str]] = {}
    for node in by_key.values():
        if node.parent_key is not None and node.parent_key in by_key:
            children.setdefault(node.parent_key, []).append(node.key)
    for keys in children.values():
        keys.sort(key=lambda k: (by_key[k].owner, by_key[k].label, k))
    order = _levels(by_key, children)
    results: dict[str, NodeResult] = {}
    for key in reversed(order):
        results[key] = _compute(by_key[key], bulan, children.get(key, []), by_key, results, weights)
    for key, node in by_key.items():
        if key not in results:
            results[key] = NodeResult(
                key=key,
                kind=node.kind,
                label=node.label,
                owner=node.owner,
                capaian=None,
                method="cycle",
                own_capaian=None,
                iki=(),
                contributions=(),
                explanation=(
                    f"{KIND_LABEL.get(node.kind, node.kind).capitalize()} ini berada dalam "
                    "siklus cascading (menginduk pada dirinya sendiri melalui RHK lain), sehingga "
                    "capaiannya tidak dapat dihitung. Perbaiki tautan intervensinya."
                ),
            )
    return results


def _compute(
    node: NodeInput,
    bulan: int,
    child_keys: list[str],
    by_key: Mapping[str, NodeInput],
    results: Mapping[str, NodeResult],
    weights: Mapping[str, object] | None,
) -> NodeResult:
    iki_results = tuple(_iki_result(i, bulan, node.year_end_month) for i in node.iki)
    with_data = [r for r in iki_results if r.capaian is not None]
    own = rollup_capaian([(r.capaian, 1) for r in with_data])
    kids = [by_key[k] for k in child_keys]
    if node.kind == "sasaran":
        counted_keys = {k.key for k in kids}
        method = "children"
    else:
        counted_keys = {k.key for k in kids if k.cascading == "direct"}
        method = "direct_children" if counted_keys else "own"

    weight_of = {k.key: node_weight(k, weights) for k in kids}
    counted_with_data = [
        k for k in kids if k.key in counted_keys and results[k.key].capaian is not None
    ]
    total_weight = sum((weight_of[k.key] for k in counted_with_data), Decimal(0))
    contributions = []
    for kid in kids:
        res = results[kid.key]
        counted = kid.key in counted_keys
        share = points = None
        if counted and res.capaian is not None:
            if total_weight > 0:
                share = weight_of[kid.key] / total_weight
            else:
                share = _ONE / len(counted_with_data)
            points = res.capaian * share
        contributions.append(
            Contribution(
                key=kid.key,
                kind=kid.kind,
                label=kid.label,
                owner=kid.owner,
                cascading=kid.cascading,
                capaian=res.capaian,
                weight=weight_of[kid.key],
                counted=counted,
                share=share,
                points=points,
                warning=res.warning,
            )
        )

    if method == "own":
        capaian = own
    else:
        capaian = rollup_capaian(
            [(results[k.key].capaian, weight_of[k.key]) for k in kids if k.key in counted_keys]
        )

    warnings = _warnings(node, method, iki_results, contributions)
    explanation = _explain(node, method, capaian, own, iki_results, contributions, bulan)
    return NodeResult(
        key=node.key,
        kind=node.kind,
        label=node.label,
        owner=node.owner,
        capaian=capaian,
        method=method,
        own_capaian=own,
        iki=iki_results,
        contributions=tuple(contributions),
        explanation=explanation,
        warnings=tuple(warnings),
    )


def _warnings(node, method, iki_results, contributions) -> list[str]:
    out = []
    if method == "own":
        for r in iki_results:
            if r.will_miss:
                target = (
                    r.target_max if (r.lower_is_better and r.target_max is not None) else (r.target)
                )
                arah = "paling banyak" if r.lower_is_better else ""
                out.append(
                    f"Peringatan dini: IKI “{r.teks}” diproyeksikan {format_number(r.projection)}"
                    f"{' ' + r.satuan if r.satuan else ''} pada akhir tahun, sedangkan target "
                    f"{(arah + ' ') if arah else ''}{format_number(target)}"
                    f"{' ' + r.satuan if r.satuan else ''}."
                )
    else:
        counted = [c for c in contributions if c.counted]
        missing = [c for c in counted if c.warning]
        if missing:
            names = "; ".join(_child_name(c) for c in missing)
            out.append(
                f"Peringatan dini: {len(missing)} dari {len(counted)} "
                f"{'bagian' if node.kind == 'sasaran' else 'RHK bawahan'} yang dihitung "
                f"diproyeksikan tidak mencapai target akhir tahun ({names})."
            )
    return out


def _child_name(c: Contribution) -> str:
    owner = f"{c.owner}: " if c.owner else ""
    return f"{owner}“{c.label}”"


def _iki_sentence(r: IkiResult, bulan: int) -> str:
    satuan = f" {r.satuan}" if r.satuan else ""
    if r.capaian is None:
        return f"IKI “{r.teks}”: {r.note}"
    if r.target_max is not None:
        target = f"{format_number(r.target)}–{format_number(r.target_max)}{satuan}"
    else:
        target = f"{format_number(r.target)}{satuan}"
    if r.basis == "kumulatif":
        real = f"realisasi kumulatif s.d. {BULAN[bulan]} {format_number(r.realisasi)}{satuan}"
    else:
        real = f"realisasi terakhir s.d. {BULAN[bulan]} {format_number(r.realisasi)}{satuan}"
    rumus = (
        "(1 + (1 − realisasi/target)) × 100%" if r.lower_is_better else "realisasi/target × 100%"
    )
    return f"IKI “{r.teks}”: {real} dari target {target}, capaian {rumus} = {_pct(r.capaian)}"


def _explain(node, method, capaian, own, iki_results, contributions, bulan) -> str:
    parts: list[str] = []
    counted = [c for c in contributions if c.counted]
    shown = [c for c in contributions if not c.counted]
    if method == "cycle":  # pragma: no cover - handled by the caller
        return ""
    if method in {"direct_children", "children"}:
        with_data = [c for c in counted if c.capaian is not None]
        without = [c for c in counted if c.capaian is None]
        what = (
            "RHK bawahan yang di-cascade langsung (direct)"
            if method == "direct_children"
            else "unsur di bawahnya (sub-sasaran, sasaran OPD pendukung dan RHK)"
        )
        if capaian is None:
            parts.append(
                f"Capaian belum dapat dihitung: dari {len(counted)} {what}, belum ada yang "
                f"memiliki realisasi s.d. {BULAN[bulan]}."
            )
        else:
            terms = ", ".join(
                f"{_child_name(c)} {_pct(c.capaian)} × bobot {format_number(c.weight)}"
                for c in with_data
            )
            total = sum((c.weight for c in with_data), Decimal(0))
            if total > 0:
                rumus = f"dibagi jumlah bobot {format_number(total)}"
            else:
                rumus = "semua bobot 0 sehingga dipakai rata-rata biasa"
            parts.append(
                f"Capaian {_pct(capaian)} adalah rata-rata tertimbang capaian {len(with_data)} "
                f"{what}: {terms}; {rumus}."
            )
            if without:
                parts.append(
                    f"{len(without)} lainnya belum memiliki realisasi dan tidak ikut dihitung: "
                    + "; ".join(_child_name(c) for c in without)
                    + "."
                )
        if method == "direct_children":
            parts.append(
                "Menurut PermenPANRB 8/2021, hasil kerja yang di-cascade langsung mewakili "
                "capaian RHK atasannya."
            )
            if own is not None:
                parts.append(
                    f"Sebagai pembanding, realisasi IKI RHK ini sendiri memberi capaian "
                    f"{_pct(own)} (tidak dipakai)."
                )
        else:
            parts.append(
                "Sasaran tidak memiliki realisasi sendiri di SKP Cascade, sehingga capaiannya "
                "dibentuk dari unsur di bawahnya."
            )
    else:
        with_data = [r for r in iki_results if r.capaian is not None]
        if capaian is None:
            if node.iki:
                parts.append(
                    f"Capaian belum dapat dihitung: belum ada realisasi s.d. {BULAN[bulan]}."
                )
            else:
                parts.append("Capaian belum dapat dihitung: RHK ini tidak memiliki IKI.")
        else:
            if len(with_data) == 1:
                parts.append(f"Capaian {_pct(capaian)} berasal dari realisasi IKI RHK ini sendiri.")
            else:
                parts.append(
                    f"Capaian {_pct(capaian)} adalah rata-rata capaian {len(with_data)} IKI "
                    "RHK ini sendiri."
                )
        for r in iki_results:
            parts.append(_iki_sentence(r, bulan))
        if shown:
            parts.append(
                f"{len(shown)} RHK bawahan (cascading tidak langsung/non-direct) ditampilkan "
                "sebagai kontributor dan tidak dihitung ke dalam angka ini."
            )
    if method == "direct_children" and shown:
        parts.append(
            f"{len(shown)} RHK bawahan lain (non-direct) ditampilkan sebagai kontributor "
            "tanpa dihitung."
        )
    return " ".join(_sentence(p) for p in parts if p)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith(".") else text + "."
