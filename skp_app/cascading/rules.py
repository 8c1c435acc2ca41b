"""Validity rules for a cascade: turn a cascade graph into findings users can act on.

The rules follow ``domain.md`` §3.4 (V1–V7) and the product decisions of §11: every *RHK
utama* of a non-JPT employee intervenes an RHK of the pejabat penilai of the same periode (V1,
V7), a subordinate needs the superior's SKP first (V2), JPT RHK come from the OPD sasaran (V3),
*RHK tambahan* need no parent (V4, §11.11), indicators are written as results, not activities
(V5), and roles under one superior RHK do not overlap (V6). Direct cascading (PermenPANRB
8/2021, §3.2) splits the superior's target, so the children's targets should add up.

Each :class:`Finding` has a stable ``code`` (see :data:`FINDING_CODES`), a severity, the nodes
involved (the node to fix first), the employee who must act and an Indonesian message that says
what is wrong and what to do. Everything is pure (no Flask, no database) and iterative: a chain
5,000 deep is checked without recursion, and :func:`check_neighbourhood` re-checks one saved
RHK without a whole-graph pass.
"""

from __future__ import annotations

import re
import string
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, NamedTuple

import networkx as nx

from skp_app.cascading.graph import CascadeError, PersonRow, gc_paused, node_sort_key

__all__ = [
    "DEFAULT_ACTIVITY_VERBS",
    "DEFAULT_RESULT_PREFIXES",
    "FINDING_CODES",
    "SEVERITIES",
    "CascadeConfig",
    "CascadeError",
    "CodeInfo",
    "Finding",
    "check_cascade",
    "check_neighbourhood",
    "neighbourhood",
    "sort_findings",
    "summarize",
]

Severity = Literal["error", "warning", "info"]

#: Severities from the most to the least serious.
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}


class CodeInfo(NamedTuple):
    """What a finding code means: its usual severity, the rule it implements, a short title."""

    severity: str
    rule: str
    title: str


#: Every finding code, with its usual severity, rule (``domain.md``) and Indonesian title.
FINDING_CODES: Mapping[str, CodeInfo] = {
    "CYCLE": CodeInfo("error", "§3.1", "Cascading melingkar"),
    "PARENT_MISSING": CodeInfo("error", "V1", "Induk tidak ditemukan"),
    "PARENT_OTHER_PERIODE": CodeInfo("error", "V1", "Induk dari periode lain"),
    "PARENT_NOT_PENILAI": CodeInfo("error", "V1", "Induk bukan milik pejabat penilai"),
    "ORPHAN_RHK": CodeInfo("error", "V1", "RHK utama tanpa induk"),
    "NO_IKI": CodeInfo("error", "§2.2", "RHK utama tanpa IKI"),
    "IKI_NO_TARGET": CodeInfo("error", "§2.4", "IKI tanpa target angka"),
    "LEVEL_SKIPPED": CodeInfo("warning", "V1", "Melompati jenjang atasan"),
    "PARENT_KIND_INVALID": CodeInfo("warning", "V1", "Langsung mengintervensi sasaran"),
    "UNCOVERED_PARENT": CodeInfo("warning", "§3.3", "Belum diintervensi bawahan"),
    "OPD_GOAL_UNLINKED": CodeInfo("warning", "§3.1", "Sasaran OPD tanpa sasaran RPJMD"),
    "DUPLICATE_RHK": CodeInfo("warning", "V6", "RHK kembar di bawah satu induk"),
    "TARGET_SUM_MISMATCH": CodeInfo("warning", "§3.2", "Jumlah target tidak sesuai"),
    "ACTIVITY_LANGUAGE": CodeInfo("warning", "V5", "Bahasa kegiatan, bukan hasil"),
    "NO_SKP": CodeInfo("warning", "§1.5", "Pegawai belum memiliki SKP"),
    "SUPERIOR_NO_SKP": CodeInfo("warning", "V2", "Atasan belum memiliki SKP"),
}

#: Activity verbs that should not open an RHK or IKI (V5).
DEFAULT_ACTIVITY_VERBS: tuple[str, ...] = (
    "melaksanakan",
    "mengikuti",
    "membuat",
    "menyusun",
    "melakukan",
    "menghadiri",
    "mengerjakan",
    "menyiapkan",
    "mengumpulkan",
    "menginput",
    "mengentri",
    "mengolah",
    "mengelola",
    "memfasilitasi",
    "mengoordinasikan",
    "mengkoordinasikan",
    "menyampaikan",
    "membantu",
    "mendampingi",
    "memantau",
    "memeriksa",
    "merekap",
    "mencatat",
    "menyelenggarakan",
    "menerima",
    "mengirim",
    "mengirimkan",
    "mengetik",
    "menyelesaikan",
    "melayani",
)

#: Result forms that open a well written RHK or IKI (V5); matched as word prefixes.
DEFAULT_RESULT_PREFIXES: tuple[str, ...] = (
    "tersusunnya",
    "meningkatnya",
    "menurunnya",
    "terlaksananya",
    "tersedianya",
    "tercapainya",
    "terwujudnya",
    "terpenuhinya",
    "terselenggaranya",
    "terkelolanya",
    "terfasilitasinya",
    "terkendalinya",
    "persentase",
    "prosentase",
    "jumlah",
    "indeks",
    "rasio",
    "nilai",
    "tingkat",
    "angka",
    "cakupan",
    "proporsi",
    "rata",
    "ketepatan",
    "kualitas",
    "dokumen",
    "laporan",
)

_LEVEL_NAMES = {
    1: "kepala daerah",
    2: "pejabat pimpinan tinggi",
    3: "administrator",
    4: "pengawas",
    5: "pelaksana/fungsional",
}
_PERCENT_UNITS = frozenset({"%", "persen", "persentase", "prosentase"})
# meN- / me- prefixes of Indonesian active verbs (menyusun, memfasilitasi, melayani ...).
_ME_PREFIXES = ("mem", "men", "mel", "mer", "mew", "mey")
_FIRST_WORD = re.compile(r"[^\W\d_]+")
# Punctuation and every ASCII whitespace that bytes.split() splits on become a plain space.
_ASCII_SEPARATORS = string.punctuation.encode() + b"\t\n\r\x0b\x0c"
_ASCII_PUNCTUATION = bytes.maketrans(_ASCII_SEPARATORS, b" " * len(_ASCII_SEPARATORS))
_UNICODE_PUNCTUATION = str.maketrans(
    dict.fromkeys("\u201c\u201d\u2018\u2019\u2013\u2014\u2026", " ")
)


@dataclass(frozen=True, slots=True)
class CascadeConfig:
    """Settings of the rules; an instansi may change them (``domain.md`` §11).

    ``allow_level_skip`` silences LEVEL_SKIPPED (flat structures after *penyederhanaan
    birokrasi*). ``detect_me_verbs`` also flags other *meN-…kan/-i* verbs as activity language.
    ``sum_tolerance`` is the allowed gap between a parent's target and the sum of its
    direct-cascading children.
    """

    allow_level_skip: bool = False
    activity_verbs: tuple[str, ...] = DEFAULT_ACTIVITY_VERBS
    result_prefixes: tuple[str, ...] = DEFAULT_RESULT_PREFIXES
    sum_tolerance: Decimal = Decimal("0")
    detect_me_verbs: bool = True


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in the cascade.

    ``nodes[0]`` is the node to fix (the child of a bad link, the parent of a bad split); the
    other nodes are involved. Findings about people (NO_SKP, SUPERIOR_NO_SKP) have no nodes.
    ``owner_pegawai_id`` is the employee who must act; ``path`` is the cycle for CYCLE, closed
    (first node repeated at the end).
    """

    code: str
    severity: Severity
    nodes: tuple[str, ...]
    owner_pegawai_id: int | None
    message: str
    path: tuple[str, ...] = ()
    opd_id: int | None = None
    rule: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the finding as JSON-serialisable data."""
        return {
            "code": self.code,
            "severity": self.severity,
            "rule": self.rule,
            "nodes": list(self.nodes),
            "path": list(self.path),
            "owner_pegawai_id": self.owner_pegawai_id,
            "opd_id": self.opd_id,
            "message": self.message,
        }


# --------------------------------------------------------------------------- text helpers


def _short(text: str | None, limit: int = 80) -> str:
    text = " ".join((text or "").split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return f"\u201c{text}\u201d"


def _fmt_number(value: Decimal) -> str:
    """Format a Decimal the Indonesian way: ``1.234,5``."""
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    else:
        value = value.normalize()
    text = format(value, ",f")
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _norm_text(text: str | None) -> bytes:
    """Return a comparison key: case, punctuation and spacing ignored."""
    text = (text or "").casefold()
    if not text.isascii():
        text = text.translate(_UNICODE_PUNCTUATION)
    # bytes.translate is several times faster than str.translate on 120k texts.
    key = text.encode().translate(_ASCII_PUNCTUATION)
    if b"  " in key or key[:1] == b" " or key[-1:] == b" ":
        return b" ".join(key.split())
    return key  # already single-spaced: no list of words to build


# --------------------------------------------------------------------------- rule context


@dataclass
class _Ctx:
    """Read access shared by the rules: the graph's own node and adjacency dicts."""

    graph: nx.DiGraph
    config: CascadeConfig
    data: Mapping[str, dict[str, Any]] = field(init=False)
    pred: Mapping[str, Mapping[str, Any]] = field(init=False)
    succ: Mapping[str, Mapping[str, dict[str, Any]]] = field(init=False)
    people: Mapping[int, PersonRow] = field(init=False)
    supervisors: frozenset[int] = field(init=False)
    verbs: frozenset[str] = field(init=False)
    results: tuple[str, ...] = field(init=False)
    activity_cache: dict[str, str] = field(default_factory=dict)
    facts_cache: dict[int, _Facts] = field(default_factory=dict)
    out: list[Finding] = field(default_factory=list)

    def __post_init__(self) -> None:
        graph = self.graph
        # The dict-of-dicts storage networkx's own algorithms read: no view object per lookup.
        self.data, self.pred, self.succ = graph._node, graph._pred, graph._succ
        self.people = graph.graph.get("people") or {}
        self.supervisors = frozenset(graph.graph.get("supervisor_ids") or ())
        self.verbs = frozenset(v.casefold() for v in self.config.activity_verbs)
        self.results = tuple(p.casefold() for p in self.config.result_prefixes)

    def owner(self, d: Mapping[str, Any]) -> str:
        if d.get("owner_name"):
            return str(d["owner_name"])
        return self.person_name(d.get("owner_pegawai_id"))

    def person_name(self, pegawai_id: int | None) -> str:
        if pegawai_id is None:
            return "(pemilik belum ditetapkan)"
        person = self.people.get(pegawai_id)
        return person.name if person else f"pegawai #{pegawai_id}"

    def add(
        self,
        code: str,
        nodes: tuple[str, ...],
        owner: int | None,
        message: str,
        *,
        opd_id: int | None,
        severity: str | None = None,
        rule: str | None = None,
        path: tuple[str, ...] = (),
    ) -> None:
        info = FINDING_CODES[code]
        self.out.append(
            Finding(
                code=code,
                severity=severity or info.severity,  # type: ignore[arg-type]
                nodes=nodes,
                owner_pegawai_id=owner,
                message=message,
                path=path,
                opd_id=opd_id,
                rule=rule or info.rule,
            )
        )


# --------------------------------------------------------------------------- child-side rules

_KIND_LABEL = {
    "rhk": "RHK",
    "opd_goal": "sasaran OPD",
    "regent_goal": "sasaran RPJMD",
}


def _child_rules(ctx: _Ctx, node: str, d: Mapping[str, Any]) -> None:
    """Rules about ``node`` itself and the link to its parent(s)."""
    kind = d["kind"]
    if kind == "missing" or d["context"]:
        return
    parents = ctx.pred[node]
    data = ctx.data
    if kind != "rhk":
        if kind == "opd_goal" and not parents:
            ctx.add(
                "OPD_GOAL_UNLINKED",
                (node,),
                d["owner_pegawai_id"],
                f"Sasaran OPD {_short(d['text'])} belum dikaitkan dengan sasaran RPJMD. "
                "Pilih sasaran daerah (RPJMD) yang didukung pada halaman sasaran OPD "
                "(Renstra/Perjanjian Kinerja).",
                opd_id=d["opd_id"],
            )
        for parent in parents:
            if data[parent]["kind"] == "missing":
                ctx.add(
                    "PARENT_MISSING",
                    (node, parent),
                    d["owner_pegawai_id"],
                    f"Sasaran {_short(d['text'])} mendukung sasaran yang tidak ditemukan "
                    f"({parent}); mungkin sudah dihapus. Pilih ulang sasaran RPJMD yang didukung.",
                    opd_id=d["opd_id"],
                )
        return

    if parents:
        for parent in parents:
            _link_rules(ctx, node, d, parent, data[parent])
    elif d["jenis"] == "utama":
        _orphan(ctx, node, d)

    indicators = d["indicators"]
    if not indicators:
        if d["jenis"] == "utama":
            ctx.add(
                "NO_IKI",
                (node,),
                d["owner_pegawai_id"],
                f"RHK utama {_short(d['text'])} milik {ctx.owner(d)} belum memiliki indikator "
                "kinerja individu (IKI). Tambahkan IKI beserta target per aspek (kuantitas, "
                "kualitas, waktu) pada halaman edit SKP.",
                opd_id=d["opd_id"],
            )
        flagged = bool(_activity_word(ctx, d["text"]))
    else:
        facts = _facts(ctx, indicators)
        if facts.no_target and d["pendekatan"] == "kuantitatif":
            _no_target(ctx, node, d, indicators)
        flagged = facts.activity or bool(_activity_word(ctx, d["text"]))
    if flagged:
        _activity_finding(ctx, node, d)


class _Facts(NamedTuple):
    """What the rules ask of a list of indicators, worked out once per list (equal lists are
    shared by the graph's nodes)."""

    indicators: Sequence[Mapping[str, Any]]  # kept, so that its id stays taken
    no_target: bool  # an indicator without a target
    activity: bool  # an indicator worded as an activity (V5)
    quantities: tuple[tuple[str, Decimal], ...]  # (normalised satuan, target) of kuantitas


def _facts(ctx: _Ctx, indicators: Sequence[Mapping[str, Any]]) -> _Facts:
    facts = ctx.facts_cache.get(id(indicators))
    if facts is None:
        cache = ctx.activity_cache
        no_target = activity = False
        quantities = []
        for i in indicators:
            target = i["target"]
            if target is None:
                no_target = True
            elif i["aspek"] == "kuantitas":
                quantities.append((_unit(i["satuan"]), target))
            if not activity:
                text = i["text"]
                word = cache.get(text)
                if word is None:
                    word = cache[text] = _activity_word(ctx, text)
                activity = bool(word)
        facts = ctx.facts_cache[id(indicators)] = _Facts(
            indicators, no_target, activity, tuple(quantities)
        )
    return facts


def _jenis_label(d: Mapping[str, Any]) -> str:
    return "RHK utama" if d["jenis"] == "utama" else "RHK tambahan"


def _link_rules(
    ctx: _Ctx, node: str, d: Mapping[str, Any], parent: str, pd: Mapping[str, Any]
) -> None:
    """Rules about the link from RHK ``node`` to one parent."""
    pkind = pd["kind"]
    owner_id = d["owner_pegawai_id"]
    opd_id = d["opd_id"]
    if pkind == "missing":
        ctx.add(
            "PARENT_MISSING",
            (node, parent),
            owner_id,
            f"{_jenis_label(d)} {_short(d['text'])} milik {ctx.owner(d)} mengintervensi "
            f"{_KIND_LABEL.get(pd['missing_kind'], 'induk')} yang tidak ditemukan "
            f"({parent}); mungkin sudah dihapus atau SKP atasan direvisi. Pilih ulang yang "
            "diintervensi pada halaman edit SKP.",
            opd_id=opd_id,
        )
        return
    if pd["tahun"] != d["tahun"] and pd["tahun"] is not None and d["tahun"] is not None:
        ctx.add(
            "PARENT_OTHER_PERIODE",
            (node, parent),
            owner_id,
            f"{_jenis_label(d)} {_short(d['text'])} (periode {d['tahun']}) milik "
            f"{ctx.owner(d)} mengintervensi {_KIND_LABEL[pkind]} {_short(pd['text'])} dari "
            f"periode {pd['tahun']}. Pilih yang diintervensi dari periode {d['tahun']} pada "
            "halaman edit SKP.",
            opd_id=opd_id,
        )
    level = d["level"]
    if pkind != "rhk":
        # A unit leader below JPT (a Camat, a Kepala UPT) may carry the goal they own.
        if level is not None and level >= 3 and pd["owner_pegawai_id"] != owner_id:
            ctx.add(
                "PARENT_KIND_INVALID",
                (node, parent),
                owner_id,
                f"{_jenis_label(d)} {_short(d['text'])} milik {ctx.owner(d)} "
                f"({_LEVEL_NAMES.get(level, f'level {level}')}) langsung mengintervensi "
                f"{_KIND_LABEL[pkind]} {_short(pd['text'])}. Pejabat administrator, pengawas, "
                "pelaksana dan fungsional mengintervensi RHK atasan langsung; pilih RHK "
                "pejabat penilai pada halaman edit SKP.",
                opd_id=opd_id,
            )
        elif level == 2 and pkind == "regent_goal":
            ctx.add(
                "PARENT_KIND_INVALID",
                (node, parent),
                owner_id,
                f"{_jenis_label(d)} {_short(d['text'])} milik {ctx.owner(d)} (pejabat pimpinan "
                f"tinggi) langsung mengintervensi sasaran RPJMD {_short(pd['text'])}. RHK JPT "
                "diturunkan dari sasaran OPD (Renstra/Perjanjian Kinerja); pilih sasaran OPD "
                "yang mendukung sasaran RPJMD tersebut pada halaman edit SKP.",
                opd_id=opd_id,
                rule="V3",
            )
        return

    penilai = d["penilai_pegawai_id"]
    if penilai is None:
        person = ctx.people.get(owner_id)
        penilai = person.superior_pegawai_id if person is not None else None
    if penilai is not None and pd["owner_pegawai_id"] != penilai:
        ctx.add(
            "PARENT_NOT_PENILAI",
            (node, parent),
            owner_id,
            f"{_jenis_label(d)} {_short(d['text'])} milik {ctx.owner(d)} mengintervensi RHK "
            f"milik {ctx.owner(pd)}, padahal pejabat penilai SKP-nya adalah "
            f"{ctx.person_name(penilai)}. Pilih RHK milik pejabat penilai (atasan langsung), "
            "atau perbaiki pejabat penilai pada SKP bila data atasan keliru.",
            opd_id=opd_id,
        )
    parent_level = pd["level"]
    # A pejabat fungsional sits directly under an administrator or JPT (PermenPANRB 1/2023):
    # intervening the own penilai's RHK is no skipped level for them.
    fungsional_under_penilai = (
        d.get("jabatan_jenis") == "fungsional" and pd["owner_pegawai_id"] == penilai
    )
    if (
        level is not None
        and parent_level is not None
        and level - parent_level > 1
        and not ctx.config.allow_level_skip
        and not fungsional_under_penilai
    ):
        ctx.add(
            "LEVEL_SKIPPED",
            (node, parent),
            owner_id,
            f"{_jenis_label(d)} {_short(d['text'])} milik {ctx.owner(d)} "
            f"({_LEVEL_NAMES.get(level, f'level {level}')}) langsung mengintervensi RHK milik "
            f"{ctx.owner(pd)} ({_LEVEL_NAMES.get(parent_level, f'level {parent_level}')}) dan "
            f"melompati {level - parent_level - 1} jenjang. Pastikan yang diintervensi adalah "
            "RHK atasan langsung; bila struktur unit memang datar, izinkan lompat jenjang pada "
            "pengaturan.",
            opd_id=opd_id,
        )


def _orphan(ctx: _Ctx, node: str, d: Mapping[str, Any]) -> None:
    level = d["level"]
    who = ctx.owner(d)
    text = _short(d["text"])
    if level == 1:
        rule = "V3"
        message = (
            f"RHK utama {text} milik {who} (kepala daerah) belum dikaitkan dengan sasaran "
            "RPJMD. Pilih sasaran daerah yang didukung pada halaman edit SKP."
        )
    elif level == 2:
        rule = "V3"
        message = (
            f"RHK utama {text} milik {who} (pejabat pimpinan tinggi) belum dikaitkan dengan "
            "sasaran OPD (Renstra/Perjanjian Kinerja). Pilih sasaran OPD yang diturunkan pada "
            "halaman edit SKP."
        )
    else:
        rule = "V1"
        message = (
            f"RHK utama {text} milik {who} belum mengintervensi RHK atasan. Pilih RHK pejabat "
            "penilai yang diintervensi pada halaman edit SKP."
        )
    ctx.add("ORPHAN_RHK", (node,), d["owner_pegawai_id"], message, opd_id=d["opd_id"], rule=rule)


def _no_target(
    ctx: _Ctx, node: str, d: Mapping[str, Any], indicators: Sequence[Mapping[str, Any]]
) -> None:
    no_target = [i for i in indicators if i["target"] is None]
    names = ", ".join(_short(i["text"], 50) for i in no_target[:3])
    more = f" dan {len(no_target) - 3} lainnya" if len(no_target) > 3 else ""
    ctx.add(
        "IKI_NO_TARGET",
        (node,),
        d["owner_pegawai_id"],
        f"{_jenis_label(d)} {_short(d['text'])} milik {ctx.owner(d)} memakai pendekatan "
        f"kuantitatif, tetapi IKI {names}{more} belum memiliki target angka. Isi target (dan "
        "satuannya) pada halaman edit SKP.",
        opd_id=d["opd_id"],
    )


def _activity_word(ctx: _Ctx, text: str | None) -> str:
    """Return the first word of ``text`` when it is an activity verb (V5), else ``""``."""
    head = (text or "")[:48].lstrip().casefold()
    if head.startswith(ctx.results):
        return ""
    match = _FIRST_WORD.search(head)
    if match is None:
        return ""
    word = match.group(0)
    if word.startswith(ctx.results):
        return ""
    if word in ctx.verbs:
        return word
    if (
        ctx.config.detect_me_verbs
        and len(word) > 6
        and word.startswith(_ME_PREFIXES)
        and not word.endswith("nya")
        and (word.endswith("kan") or word.endswith("i"))
    ):
        return word
    return ""


def _activity_finding(ctx: _Ctx, node: str, d: Mapping[str, Any]) -> None:
    parts: list[str] = []
    word = _activity_word(ctx, d["text"])
    if word:
        parts.append(f"rumusan RHK diawali \u201c{word}\u201d")
    bad_iki = [i for i in d["indicators"] if _activity_word(ctx, i["text"])]
    if bad_iki:
        names = ", ".join(_short(i["text"], 50) for i in bad_iki[:3])
        parts.append(f"IKI {names} ditulis sebagai kegiatan")
    ctx.add(
        "ACTIVITY_LANGUAGE",
        (node,),
        d["owner_pegawai_id"],
        f"{_jenis_label(d)} {_short(d['text'])} milik {ctx.owner(d)} memakai bahasa kegiatan "
        f"({'; '.join(parts)}). Rumuskan sebagai hasil, misalnya \u201cTersusunnya …\u201d, "
        "\u201cTerlaksananya …\u201d, \u201cMeningkatnya …\u201d; untuk IKI "
        "\u201cJumlah …\u201d atau \u201cPersentase …\u201d.",
        opd_id=d["opd_id"],
    )


# --------------------------------------------------------------------------- parent-side rules


def _parent_rules(ctx: _Ctx, node: str, d: Mapping[str, Any]) -> None:
    """Rules about how ``node`` is divided among the goals that intervene it."""
    kind = d["kind"]
    if kind == "missing" or d["context"]:
        return
    kids = ctx.succ[node]
    if not kids:
        if kind == "opd_goal":
            ctx.add(
                "UNCOVERED_PARENT",
                (node,),
                d["owner_pegawai_id"],
                f"Sasaran OPD {_short(d['text'])} belum diturunkan ke RHK pejabat pimpinan "
                f"tinggi mana pun{_owner_suffix(ctx, d)}. Kepala OPD perlu memilih sasaran ini "
                "pada RHK utama di SKP-nya.",
                opd_id=d["opd_id"],
            )
        elif kind == "rhk" and d["jenis"] == "utama" and d["owner_pegawai_id"] in ctx.supervisors:
            ctx.add(
                "UNCOVERED_PARENT",
                (node,),
                d["owner_pegawai_id"],
                f"RHK utama {_short(d['text'])} milik {ctx.owner(d)} belum diintervensi oleh "
                "RHK bawahan mana pun. Bagi peran dan hasilnya kepada bawahan melalui Matriks "
                "Peran Hasil, lalu minta bawahan memilih RHK ini di SKP masing-masing.",
                opd_id=d["opd_id"],
            )
        return
    if kind == "rhk" and d["indicators"]:
        _target_sum(ctx, node, d, kids)
    if len(kids) > 1:
        _duplicates(ctx, node, d, kids)


def _owner_suffix(ctx: _Ctx, d: Mapping[str, Any]) -> str:
    if d["owner_pegawai_id"] is None:
        return ""
    return f" (penanggung jawab: {ctx.owner(d)})"


def _unit(satuan: str | None) -> str:
    return (satuan or "").strip().casefold()


def _target_sum(
    ctx: _Ctx, node: str, d: Mapping[str, Any], kids: Mapping[str, Mapping[str, Any]]
) -> None:
    """TARGET_SUM_MISMATCH: direct cascading splits the parent's kuantitas target (§3.2)."""
    wanted: dict[str, Mapping[str, Any]] = {}
    for i in d["indicators"]:
        if i["aspek"] == "kuantitas" and i["target"] is not None:
            unit = _unit(i["satuan"])
            if unit not in _PERCENT_UNITS:
                wanted.setdefault(unit, i)
    if not wanted:
        return
    data = ctx.data
    totals: dict[str, Decimal] = {}
    contributors: dict[str, list[str]] = {}
    for child, edge in kids.items():
        if edge.get("cascading") != "direct":
            continue
        cd = data[child]
        if cd["kind"] != "rhk" or cd["context"]:
            continue
        indicators = cd["indicators"]
        if not indicators:
            continue
        for unit, target in _facts(ctx, indicators).quantities:
            if unit in wanted:
                if unit in totals:
                    totals[unit] += target
                    names = contributors[unit]
                    if names[-1] != child:
                        names.append(child)
                else:
                    totals[unit] = target
                    contributors[unit] = [child]
    tolerance = ctx.config.sum_tolerance
    for unit, total in totals.items():
        ind = wanted[unit]
        low = ind["target"]
        high = ind["target_max"] if ind["target_max"] is not None else low
        if low - tolerance <= total <= high + tolerance:
            continue
        members = sorted(contributors[unit], key=node_sort_key)
        satuan = ind["satuan"] or ""
        shown = _fmt_number(low) if high == low else f"{_fmt_number(low)}–{_fmt_number(high)}"
        if total < low:
            severity, gap, advice = "warning", low - total, "Target atasan belum terbagi habis"
        else:
            severity, gap, advice = "info", total - high, "Target bawahan melebihi target atasan"
        ctx.add(
            "TARGET_SUM_MISMATCH",
            (node, *members),
            d["owner_pegawai_id"],
            f"Target kuantitas RHK {_short(d['text'])} milik {ctx.owner(d)} adalah {shown} "
            f"{satuan}, tetapi jumlah target {len(members)} RHK bawahan dengan cascading "
            f"langsung (direct) adalah {_fmt_number(total)} {satuan} (selisih "
            f"{_fmt_number(gap)}). {advice}; sesuaikan pembagian target pada Matriks Peran "
            "Hasil atau ubah jenis cascading menjadi tidak langsung (non-direct).",
            opd_id=d["opd_id"],
            severity=severity,
        )


def _duplicates(
    ctx: _Ctx, node: str, d: Mapping[str, Any], kids: Mapping[str, Mapping[str, Any]]
) -> None:
    """DUPLICATE_RHK: two children with the same wording overlap in role (V6)."""
    data = ctx.data
    groups: dict[bytes, list[str]] = {}
    duplicated = False
    for child in kids:
        cd = data[child]
        if cd["kind"] != "rhk" or cd["context"]:
            continue
        key = _norm_text(cd["text"])
        if not key:
            continue
        if key in groups:
            groups[key].append(child)
            duplicated = True
        else:
            groups[key] = [child]
    if not duplicated:
        return
    for members in groups.values():
        if len(members) < 2:
            continue
        members.sort(key=node_sort_key)
        datas = [data[m] for m in members]
        owners = {md["owner_pegawai_id"] for md in datas}
        owner = next(iter(owners)) if len(owners) == 1 else d["owner_pegawai_id"]
        names = ", ".join(sorted({ctx.owner(md) for md in datas}))
        # Members of several OPDs: the OPD of the goal they intervene sorts it out.
        opds = {md["opd_id"] for md in datas}
        opd_id = opds.pop() if len(opds) == 1 else d["opd_id"]
        ctx.add(
            "DUPLICATE_RHK",
            tuple(members),
            owner,
            f"{len(members)} RHK di bawah {_KIND_LABEL.get(d['kind'], 'induk')} "
            f"{_short(d['text'], 60)} memiliki rumusan yang sama: {_short(datas[0]['text'])} "
            f"(milik {names}). Bedakan peran dan hasil masing-masing dalam Matriks Peran Hasil "
            "agar tidak tumpang tindih, atau hapus RHK yang kembar.",
            opd_id=opd_id,
        )


# --------------------------------------------------------------------------- cycles


def _cycle_rules(ctx: _Ctx, candidates: Iterable[str] | None) -> None:
    """Report every cycle among ``candidates`` (all nodes when ``None``).

    Nodes that cannot lie on a cycle are peeled off first (no parent left, then no child left,
    as in Kahn's topological sort), so the strongly connected components (networkx's
    non-recursive Tarjan) are computed on a tiny remainder.
    """
    pred, succ = ctx.pred, ctx.succ
    if candidates is None:
        indeg = {n: len(p) for n, p in pred.items()}
    else:
        pool = set(candidates)
        indeg = {n: sum(1 for p in pred[n] if p in pool) for n in pool}
    stack = [n for n, k in indeg.items() if not k]
    pop, push = stack.pop, stack.append
    while stack:
        for child in succ[pop()]:
            k = indeg.get(child)
            if k is not None:
                indeg[child] = k - 1
                if k == 1:
                    push(child)
    rest = {n for n, k in indeg.items() if k}
    if not rest:
        return
    outdeg = {n: sum(1 for c in succ[n] if c in rest) for n in rest}
    stack = [n for n, k in outdeg.items() if not k]
    while stack:
        for parent in pred[stack.pop()]:
            k = outdeg.get(parent)
            if k is not None:
                outdeg[parent] = k - 1
                if k == 1:
                    stack.append(parent)
    core = [n for n, k in outdeg.items() if k]
    if not core:
        return
    for component in nx.strongly_connected_components(ctx.graph.subgraph(core)):
        if len(component) == 1:
            (only,) = component
            if only not in succ[only]:
                continue
        _report_cycle(ctx, component)


def _cycle_path(ctx: _Ctx, component: set[str]) -> list[str]:
    """Return the shortest closed path through the first node of ``component`` (iterative BFS)."""
    start = min(component, key=node_sort_key)
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        current = queue.popleft()
        for child in sorted(ctx.succ[current], key=node_sort_key):
            if child not in component:
                continue
            if child == start:
                path = [start]
                while current != start:
                    path.append(current)
                    current = came_from[current]
                path.append(start)
                path.reverse()
                return path
            if child not in came_from:
                came_from[child] = current
                queue.append(child)
    return [start, start]  # unreachable for a strongly connected component


def _report_cycle(ctx: _Ctx, component: set[str]) -> None:
    data = ctx.data
    path = _cycle_path(ctx, component)
    ring = path[:-1]
    # The most junior member most likely picked the wrong RHK to intervene.
    position = {n: i for i, n in enumerate(ring)}
    culprit = max(ring, key=lambda n: (data[n]["level"] or 0, -position[n]))
    cd = data[culprit]
    shown = [
        f"{_KIND_LABEL.get(data[n]['kind'], n)} {_short(data[n]['text'], 40)}"
        + (f" ({ctx.owner(data[n])})" if data[n]["kind"] == "rhk" else "")
        for n in ring[:6]
    ]
    if len(ring) > 6:
        shown.append(f"… ({len(ring) - 6} lainnya)")
        shown.append("kembali ke awal")
    else:
        shown.append(shown[0])
    ctx.add(
        "CYCLE",
        tuple(sorted(component, key=node_sort_key)),
        cd["owner_pegawai_id"],
        f"Cascading melingkar ({len(ring)} simpul): {' → '.join(shown)}. Suatu RHK tidak "
        f"boleh (secara tidak langsung) mengintervensi dirinya sendiri; {ctx.owner(cd)} perlu "
        "memilih ulang RHK atasan yang diintervensi agar lingkaran terputus.",
        opd_id=cd["opd_id"],
        path=tuple(path),
    )


# --------------------------------------------------------------------------- people


def _people_rules(ctx: _Ctx) -> None:
    graph_opd = ctx.graph.graph.get("opd_id")
    tahun = ctx.graph.graph.get("tahun")
    periode = f" periode {tahun}" if tahun is not None else " periode ini"
    for pid in sorted(ctx.people):
        person = ctx.people[pid]
        if graph_opd is not None and person.opd_id != graph_opd:
            continue
        if not person.must_have_skp or person.skp_ids:
            continue
        sup_id = person.superior_pegawai_id
        superior = ctx.people.get(sup_id) if sup_id is not None else None
        if superior is not None and superior.must_have_skp and not superior.skp_ids:
            ctx.add(
                "SUPERIOR_NO_SKP",
                (),
                superior.pegawai_id,
                f"{person.name} belum dapat menyusun SKP{periode} karena atasan langsungnya, "
                f"{superior.name}, belum memiliki SKP. {superior.name} perlu menyusun SKP "
                "(dan Matriks Peran Hasil) terlebih dahulu.",
                opd_id=person.opd_id,
            )
        else:
            ctx.add(
                "NO_SKP",
                (),
                person.pegawai_id,
                f"{person.name} belum memiliki SKP{periode}. Susun SKP dan pilih RHK atasan "
                "yang diintervensi pada menu SKP.",
                opd_id=person.opd_id,
            )


# --------------------------------------------------------------------------- public API


def _sort_key(f: Finding) -> tuple[Any, ...]:
    return (
        _SEVERITY_RANK.get(f.severity, 9),
        f.code,
        [node_sort_key(n) for n in f.nodes],
        f.owner_pegawai_id is None,
        f.owner_pegawai_id or 0,
        f.message,
    )


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Return ``findings`` in the order :func:`check_cascade` gives: errors first, then by
    code, nodes in natural order and owner."""
    return sorted(findings, key=_sort_key)


def check_cascade(graph: nx.DiGraph, *, config: CascadeConfig | None = None) -> list[Finding]:
    """Check a whole cascade graph and return its findings.

    Parameters
    ----------
    graph
        A graph from :func:`~skp_app.cascading.graph.build_cascade_graph` (or
        :func:`~skp_app.cascading.graph.opd_subgraph`).
    config
        Rule settings; defaults to :class:`CascadeConfig`.

    Returns
    -------
    list of Finding
        Sorted by severity (errors first), code, then nodes in natural order.

    Examples
    --------
    >>> from skp_app.cascading.graph import GoalRow, Indicator, RhkRow, build_cascade_graph
    >>> og = GoalRow(10, "opd", "Meningkatnya kualitas dokumen perencanaan", 2025, opd_id=4)
    >>> iki = (Indicator("kuantitas", "Jumlah dokumen RKPD", Decimal(1), None, "Dokumen"),)
    >>> jpt = RhkRow(100, 50, 2025, 7, "Budi", 40, 4, 2, "jpt", "utama",
    ...              "Tersusunnya dokumen RKPD tepat waktu", "opd_goal", 10, indicators=iki)
    >>> kabid = RhkRow(101, 51, 2025, 8, "Sari", 41, 4, 3, "administrator", "utama",
    ...                "Menyusun rancangan RKPD", None, None, indicators=iki)
    >>> for f in check_cascade(build_cascade_graph([og], [jpt, kabid])):
    ...     print(f.code, f.severity, f.nodes, f.owner_pegawai_id)
    ORPHAN_RHK error ('rhk:101',) 8
    ACTIVITY_LANGUAGE warning ('rhk:101',) 8
    OPD_GOAL_UNLINKED warning ('og:10',) None

    Raises
    ------
    CascadeError
        If a node lacks the attributes :func:`~skp_app.cascading.graph.build_cascade_graph`
        sets.
    """
    ctx = _Ctx(graph, config or CascadeConfig())
    with gc_paused(), _complete_graph():
        # Insertion order keeps memory access sequential (measurably faster than graph order).
        for node, d in ctx.data.items():
            _child_rules(ctx, node, d)
            _parent_rules(ctx, node, d)
        _cycle_rules(ctx, None)
        _people_rules(ctx)
    ctx.out.sort(key=_sort_key)
    return ctx.out


@contextmanager
def _complete_graph() -> Iterator[None]:
    """Turn a missing node attribute (a graph not built by build_cascade_graph) into an error."""
    try:
        yield
    except KeyError as exc:
        raise CascadeError(
            f"Graf cascading tidak lengkap: atribut {exc.args[0]!r} tidak ada. Bangun graf "
            "dengan build_cascade_graph()."
        ) from exc


def neighbourhood(graph: nx.DiGraph, node: str) -> set[str]:
    """Return ``node`` with its parent(s), siblings and children.

    Examples
    --------
    >>> g = nx.DiGraph([("og:1", "rhk:2"), ("og:1", "rhk:3"), ("rhk:2", "rhk:4"),
    ...                 ("rhk:4", "rhk:5")])
    >>> sorted(neighbourhood(g, "rhk:2"), key=node_sort_key)
    ['og:1', 'rhk:2', 'rhk:3', 'rhk:4']
    """
    if node not in graph:
        raise CascadeError(f"Simpul {node!r} tidak ada dalam graf cascading.")
    pred, succ = graph.pred, graph.succ
    near = {node}
    near.update(succ[node])
    for parent in pred[node]:
        near.add(parent)
        near.update(succ[parent])
    return near


def check_neighbourhood(
    graph: nx.DiGraph, node: str, *, config: CascadeConfig | None = None
) -> list[Finding]:
    """Re-check the cascade around one node, e.g. right after an RHK is saved.

    Returns exactly the findings of :func:`check_cascade` whose nodes meet
    :func:`neighbourhood` (``node``, its parent, its siblings and its children), in the same
    order, without a whole-graph pass: only the nodes near ``node`` are examined and cycle
    detection is limited to the chain of ancestors of ``node``. Findings about people have no
    nodes and are never part of a neighbourhood. Exactness relies on every node having at most
    one parent, which :func:`~skp_app.cascading.graph.build_cascade_graph` guarantees.

    Examples
    --------
    >>> from skp_app.cascading.graph import RhkRow, build_cascade_graph
    >>> a = RhkRow(1, 9, 2025, 7, "Budi", 40, 4, 3, "administrator", "utama",
    ...            "Meningkatnya kualitas perencanaan", "rhk", 2)
    >>> b = RhkRow(2, 8, 2025, 8, "Sari", 41, 4, 4, "pengawas", "utama",
    ...            "Tersusunnya dokumen RKPD tepat waktu", "rhk", 1)
    >>> [(f.code, f.path) for f in check_neighbourhood(build_cascade_graph([], [a, b]), "rhk:1")
    ...  if f.code == "CYCLE"]
    [('CYCLE', ('rhk:1', 'rhk:2', 'rhk:1'))]
    """
    near = neighbourhood(graph, node)
    ctx = _Ctx(graph, config or CascadeConfig())
    data, pred, succ = ctx.data, ctx.pred, ctx.succ

    # Child-side findings name (child, parent): evaluate every child of a near node too.
    child_scope = set(near)
    for n in near:
        child_scope.update(succ[n])
    # Parent-side findings name the parent and its children: evaluate every parent of a
    # near node too.
    parent_scope = set(near)
    for n in near:
        parent_scope.update(pred[n])
    ancestors = {node}
    queue = deque([node])
    while queue:
        for parent in pred[queue.popleft()]:
            if parent not in ancestors:
                ancestors.add(parent)
                queue.append(parent)
    with _complete_graph():
        for n in child_scope:
            _child_rules(ctx, n, data[n])
        for n in parent_scope:
            _parent_rules(ctx, n, data[n])
        _cycle_rules(ctx, ancestors)

    found = [f for f in ctx.out if not near.isdisjoint(f.nodes)]
    found.sort(key=_sort_key)
    return found


def summarize(findings: Iterable[Finding]) -> dict[str, Any]:
    """Count findings per severity and per code.

    Returns
    -------
    dict
        ``total``; ``by_severity`` (every severity, zeros included); ``by_code`` (most frequent
        first); ``by_code_severity`` (``{code: {severity: count}}``).

    Examples
    --------
    >>> f = Finding("NO_IKI", "error", ("rhk:1",), 7, "…")
    >>> summarize([f, f])["by_code"], summarize([f])["by_severity"]
    ({'NO_IKI': 2}, {'error': 1, 'warning': 0, 'info': 0})
    """
    by_severity = dict.fromkeys(SEVERITIES, 0)
    by_code: Counter[str] = Counter()
    by_code_severity: dict[str, dict[str, int]] = {}
    total = 0
    for f in findings:
        total += 1
        by_severity[f.severity] = by_severity.get(f.severity, 0) + 1
        by_code[f.code] += 1
        per = by_code_severity.setdefault(f.code, {})
        per[f.severity] = per.get(f.severity, 0) + 1
    ordered = dict(sorted(by_code.items(), key=lambda kv: (-kv[1], kv[0])))
    return {
        "total": total,
        "by_severity": by_severity,
        "by_code": ordered,
        "by_code_severity": {code: by_code_severity[code] for code in ordered},
    }
