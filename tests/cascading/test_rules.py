"""Tests for the cascade validity rules (domain.md §3.4 V1–V7 and §3.2)."""

from __future__ import annotations

import dataclasses
import doctest
import json
import random
import sys
from contextlib import contextmanager
from decimal import Decimal

import networkx as nx
import pytest

from skp_app.cascading import rules as rules_module
from skp_app.cascading.graph import (
    CascadeError,
    GoalRow,
    Indicator,
    PersonRow,
    RhkRow,
    build_cascade_graph,
    opd_subgraph,
)
from skp_app.cascading.rules import (
    FINDING_CODES,
    CascadeConfig,
    Finding,
    check_cascade,
    check_neighbourhood,
    neighbourhood,
    summarize,
)

TAHUN = 2025
KEPALA, KABID_A, KABID_B, KASUBBID, STAF = 7, 8, 9, 10, 11
NAMES = {
    KEPALA: "Dr. Hendra Wijaya, M.Si.",
    KABID_A: "Sri Wahyuni, S.E.",
    KABID_B: "Bambang Sutrisno, S.T.",
    KASUBBID: "Andi Pratama, S.Kom.",
    STAF: "Dewi Lestari, A.Md.",
}
LEVELS = {KEPALA: 2, KABID_A: 3, KABID_B: 3, KASUBBID: 4, STAF: 5}
SUPERIOR = {KEPALA: None, KABID_A: KEPALA, KABID_B: KEPALA, KASUBBID: KABID_A, STAF: KASUBBID}


def iki(docs: str | None = "4", satuan: str = "Dokumen", text: str | None = None):
    return (
        Indicator(
            "kuantitas",
            text or "Jumlah dokumen perencanaan yang ditetapkan",
            None if docs is None else Decimal(docs),
            None,
            satuan,
        ),
        Indicator("kualitas", "Persentase dokumen sesuai ketentuan", Decimal("100"), None, "%"),
        Indicator("waktu", "Ketepatan waktu penetapan dokumen", Decimal("12"), None, "Bulan"),
    )


def rhk(id: int, owner: int, parent: int | None, **overrides) -> RhkRow:
    values = dict(
        id=id,
        skp_id=1000 + owner,
        tahun=TAHUN,
        owner_pegawai_id=owner,
        owner_name=NAMES.get(owner, f"Pegawai {owner}"),
        unit_id=40 + LEVELS.get(owner, 5),
        opd_id=4,
        level=LEVELS.get(owner, 5),
        jabatan_jenis="administrator",
        jenis="utama",
        text="Tersusunnya dokumen perencanaan daerah tepat waktu",
        parent_kind="rhk" if parent is not None else None,
        parent_id=parent,
        cascading="non_direct",
        skp_status="disetujui",
        pendekatan="kuantitatif",
        penilai_pegawai_id=SUPERIOR.get(owner),
        indicators=iki(),
    )
    values.update(overrides)
    return RhkRow(**values)


def person(pid: int, *, skp: bool = True, superior: int | None = None, **overrides) -> PersonRow:
    values = dict(
        pegawai_id=pid,
        name=NAMES.get(pid, f"Pegawai {pid}"),
        opd_id=4,
        unit_id=40,
        level=LEVELS.get(pid, 5),
        superior_pegawai_id=superior if superior is not None else SUPERIOR.get(pid),
        must_have_skp=True,
        skp_ids=(1000 + pid,) if skp else (),
        tahun=TAHUN,
    )
    values.update(overrides)
    return PersonRow(**values)


def clean_rows():
    """A small, valid Bappeda cascade: RPJMD → OPD sasaran → Kepala → 2 Kabid → Kasubbid → staf."""
    goals = [
        GoalRow(1, "regent", "Meningkatnya kualitas perencanaan pembangunan daerah", TAHUN),
        GoalRow(
            10,
            "opd",
            "Meningkatnya kualitas dokumen perencanaan daerah",
            TAHUN,
            opd_id=4,
            parent_goal_id=1,
            owner_pegawai_id=KEPALA,
        ),
    ]
    rhks = [
        rhk(
            100,
            KEPALA,
            None,
            parent_kind="opd_goal",
            parent_id=10,
            jabatan_jenis="jpt",
            text="Meningkatnya kualitas perencanaan pembangunan daerah",
        ),
        rhk(
            200,
            KABID_A,
            100,
            cascading="direct",
            indicators=iki("2"),
            text="Tersusunnya dokumen RKPD tepat waktu",
        ),
        rhk(
            201,
            KABID_B,
            100,
            cascading="direct",
            indicators=iki("2"),
            text="Tersusunnya dokumen Renstra perangkat daerah",
        ),
        rhk(300, KASUBBID, 200, text="Tersedianya data perencanaan yang akurat"),
        rhk(400, STAF, 300, text="Terverifikasinya usulan musrenbang kecamatan"),
        rhk(401, STAF, None, jenis="tambahan", text="Terlaksananya tugas sebagai panitia HUT"),
    ]
    people = [person(pid) for pid in NAMES]
    return goals, rhks, people


def replace_rhk(rhks: list[RhkRow], id: int, **changes) -> list[RhkRow]:
    return [dataclasses.replace(r, **changes) if r.id == id else r for r in rhks]


def check(goals, rhks, people=(), *, tahun=TAHUN, config=None) -> list[Finding]:
    return check_cascade(build_cascade_graph(goals, rhks, people, tahun=tahun), config=config)


def codes(findings) -> list[str]:
    return [f.code for f in findings]


def only(findings, code: str) -> Finding:
    matching = [f for f in findings if f.code == code]
    assert len(matching) == 1, findings
    return matching[0]


@contextmanager
def recursion_limit(limit: int):
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


# --------------------------------------------------------------------------- basics


def test_module_doctests_pass():
    result = doctest.testmod(rules_module)
    assert result.attempted > 3 and result.failed == 0


def test_clean_cascade_has_no_findings():
    assert check(*clean_rows()) == []


def test_every_code_has_a_known_severity_and_rule():
    for code, info in FINDING_CODES.items():
        assert code.isupper()
        assert info.severity in ("error", "warning", "info")
        assert info.rule and info.title


def test_hand_built_graph_without_attributes_is_rejected():
    g = nx.DiGraph([("og:1", "rhk:2")])
    with pytest.raises(CascadeError, match="build_cascade_graph"):
        check_cascade(g)
    with pytest.raises(CascadeError, match="build_cascade_graph"):
        check_neighbourhood(g, "rhk:2")


def test_subgraph_views_can_be_checked():
    goals, rhks, people = clean_rows()
    g = build_cascade_graph(goals, replace_rhk(rhks, 300, parent_id=None, parent_kind=None), people)
    view = g.subgraph(["rhk:300", "rhk:400"])
    assert codes(check_cascade(view)) == ["ORPHAN_RHK"]
    assert codes(check_neighbourhood(view, "rhk:400")) == ["ORPHAN_RHK"]


def test_finding_to_dict_is_json_serialisable():
    goals, rhks, people = clean_rows()
    findings = check(goals, replace_rhk(rhks, 300, parent_id=None, parent_kind=None), people)
    data = json.loads(json.dumps([f.to_dict() for f in findings]))
    assert {
        "code",
        "severity",
        "rule",
        "nodes",
        "path",
        "owner_pegawai_id",
        "opd_id",
        "message",
    } <= set(data[0])


def test_findings_are_deterministic_regardless_of_row_order():
    goals, rhks, people = clean_rows()
    rhks = replace_rhk(rhks, 300, parent_id=None, parent_kind=None)
    rhks = replace_rhk(rhks, 400, text="Menyusun laporan musrenbang")
    rhks.append(rhk(500, STAF, 999))
    first = check(goals, rhks, people)
    shuffled = rhks[:]
    random.Random(3).shuffle(shuffled)
    assert check(list(reversed(goals)), shuffled, list(reversed(people))) == first
    severities = [f.severity for f in first]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)


# --------------------------------------------------------------------------- V1 / V3 / V4


def test_orphan_utama_rhk_of_non_jpt_is_an_error():
    goals, rhks, people = clean_rows()
    found = check(goals, replace_rhk(rhks, 300, parent_id=None, parent_kind=None), people)
    orphan = only(found, "ORPHAN_RHK")
    assert orphan.severity == "error"
    assert orphan.rule == "V1"
    assert orphan.nodes == ("rhk:300",)
    assert orphan.owner_pegawai_id == KASUBBID
    assert orphan.opd_id == 4
    assert "Andi Pratama, S.Kom." in orphan.message
    assert "belum mengintervensi RHK atasan" in orphan.message
    assert "Pilih RHK pejabat penilai" in orphan.message
    # The Kabid's RHK lost its only child while the Kabid has a subordinate with an SKP.
    assert only(found, "UNCOVERED_PARENT").nodes == ("rhk:200",)


def test_orphan_jpt_rhk_must_link_to_an_opd_goal():
    goals, rhks, people = clean_rows()
    found = check(goals, replace_rhk(rhks, 100, parent_id=None, parent_kind=None), people)
    orphan = only(found, "ORPHAN_RHK")
    assert orphan.rule == "V3"
    assert orphan.owner_pegawai_id == KEPALA
    assert "sasaran OPD" in orphan.message
    assert only(found, "UNCOVERED_PARENT").nodes == ("og:10",)


def test_tambahan_rhk_needs_no_parent():
    goals, rhks, people = clean_rows()
    assert rhks[-1].jenis == "tambahan" and rhks[-1].parent_id is None
    assert "ORPHAN_RHK" not in codes(check(goals, rhks, people))


def test_parent_not_owned_by_penilai_is_an_error():
    goals, rhks, people = clean_rows()
    # The Kasubbid's SKP names Kabid B as penilai, but the RHK intervenes Kabid A's RHK.
    found = check(goals, replace_rhk(rhks, 300, penilai_pegawai_id=KABID_B), people)
    finding = only(found, "PARENT_NOT_PENILAI")
    assert finding.severity == "error"
    assert finding.nodes == ("rhk:300", "rhk:200")
    assert finding.owner_pegawai_id == KASUBBID
    assert "Sri Wahyuni" in finding.message and "Bambang Sutrisno" in finding.message


def test_parent_not_penilai_falls_back_to_the_superior_in_people():
    goals, rhks, people = clean_rows()
    rhks = replace_rhk(rhks, 300, penilai_pegawai_id=None)
    assert "PARENT_NOT_PENILAI" not in codes(check(goals, rhks, people))
    people = [
        dataclasses.replace(p, superior_pegawai_id=KABID_B) if p.pegawai_id == KASUBBID else p
        for p in people
    ]
    assert "PARENT_NOT_PENILAI" in codes(check(goals, rhks, people))


def test_parent_from_another_periode_is_an_error():
    goals, rhks, people = clean_rows()
    rhks = replace_rhk(rhks, 300, tahun=2024)
    found = check(goals, rhks, people)
    finding = only(found, "PARENT_OTHER_PERIODE")
    assert finding.nodes == ("rhk:400", "rhk:300")
    assert "2024" in finding.message and "2025" in finding.message
    # The 2024 RHK is context: not judged itself.
    assert all(f.nodes[0] != "rhk:300" for f in found)


def test_dangling_parent_is_reported_as_missing():
    goals, rhks, people = clean_rows()
    found = check(goals, replace_rhk(rhks, 400, parent_id=999), people)
    finding = only(found, "PARENT_MISSING")
    assert finding.severity == "error"
    assert finding.nodes == ("rhk:400", "rhk:999")
    assert finding.owner_pegawai_id == STAF
    assert "tidak ditemukan" in finding.message


def test_dangling_regent_goal_of_an_opd_goal_is_reported():
    goals, rhks, people = clean_rows()
    goals[1] = dataclasses.replace(goals[1], parent_goal_id=55)
    finding = only(check(goals, rhks, people), "PARENT_MISSING")
    assert finding.nodes == ("og:10", "rg:55")


def test_level_skipped_is_a_warning_unless_allowed():
    goals, rhks, people = clean_rows()
    # A pelaksana intervenes the Kepala OPD's RHK directly (5 under 2).
    rhks = replace_rhk(rhks, 400, parent_id=100, penilai_pegawai_id=KEPALA)
    found = check(goals, rhks, people)
    finding = only(found, "LEVEL_SKIPPED")
    assert finding.severity == "warning"
    assert finding.nodes == ("rhk:400", "rhk:100")
    assert "melompati 2 jenjang" in finding.message
    allowed = check(goals, rhks, people, config=CascadeConfig(allow_level_skip=True))
    assert "LEVEL_SKIPPED" not in codes(allowed)


def test_non_jpt_linking_straight_to_an_opd_goal_is_a_warning():
    goals, rhks, people = clean_rows()
    rhks = replace_rhk(rhks, 300, parent_kind="opd_goal", parent_id=10)
    finding = only(check(goals, rhks, people), "PARENT_KIND_INVALID")
    assert finding.severity == "warning"
    assert finding.nodes == ("rhk:300", "og:10")


def test_jpt_linking_straight_to_a_regent_goal_is_a_warning():
    goals, rhks, people = clean_rows()
    rhks = replace_rhk(rhks, 100, parent_kind="regent_goal", parent_id=1)
    found = check(goals, rhks, people)
    finding = only(found, "PARENT_KIND_INVALID")
    assert finding.rule == "V3"
    assert finding.nodes == ("rhk:100", "rg:1")
    assert "sasaran OPD" in finding.message


def test_staff_linking_to_a_goal_without_owner_is_a_warning():
    goals, rhks, people = clean_rows()
    rhks = replace_rhk(rhks, 400, parent_kind="regent_goal", parent_id=1)
    assert "PARENT_KIND_INVALID" in codes(check(goals, rhks, people))


def test_unit_leader_may_link_to_the_goal_they_own():
    # A Camat (administrator) leads a kecamatan OPD and owns its sasaran.
    goals = [
        GoalRow(
            20,
            "opd",
            "Meningkatnya kualitas pelayanan kecamatan",
            TAHUN,
            opd_id=9,
            parent_goal_id=None,
            owner_pegawai_id=50,
        )
    ]
    rows = [
        rhk(
            600,
            50,
            None,
            parent_kind="opd_goal",
            parent_id=20,
            level=3,
            opd_id=9,
            penilai_pegawai_id=None,
            text="Meningkatnya kualitas pelayanan kecamatan",
        )
    ]
    assert "PARENT_KIND_INVALID" not in codes(check(goals, rows))


# --------------------------------------------------------------------------- coverage / goals


def test_uncovered_superior_rhk_is_a_warning():
    goals, rhks, people = clean_rows()
    rhks.append(rhk(202, KABID_A, 100, text="Terlaksananya evaluasi RKPD tahun berjalan"))
    finding = only(check(goals, rhks, people), "UNCOVERED_PARENT")
    assert finding.severity == "warning"
    assert finding.nodes == ("rhk:202",)
    assert finding.owner_pegawai_id == KABID_A
    assert "Matriks Peran Hasil" in finding.message


def test_rhk_of_owner_without_subordinates_is_not_uncovered():
    goals, rhks, people = clean_rows()
    # Kabid B and the staff member have no subordinate with an SKP.
    found = check(goals, rhks, people)
    assert "UNCOVERED_PARENT" not in codes(found)


def test_uncovered_opd_goal_is_a_warning():
    goals, rhks, people = clean_rows()
    goals.append(
        GoalRow(
            11,
            "opd",
            "Meningkatnya akuntabilitas kinerja perangkat daerah",
            TAHUN,
            opd_id=4,
            parent_goal_id=1,
            owner_pegawai_id=KEPALA,
        )
    )
    finding = only(check(goals, rhks, people), "UNCOVERED_PARENT")
    assert finding.nodes == ("og:11",)
    assert finding.owner_pegawai_id == KEPALA


def test_opd_goal_without_regent_goal_is_a_warning():
    goals, rhks, people = clean_rows()
    goals[1] = dataclasses.replace(goals[1], parent_goal_id=None)
    finding = only(check(goals, rhks, people), "OPD_GOAL_UNLINKED")
    assert finding.severity == "warning"
    assert finding.nodes == ("og:10",)
    assert "sasaran RPJMD" in finding.message


# --------------------------------------------------------------------------- V2: people


def test_person_without_skp_is_reported():
    goals, rhks, people = clean_rows()
    people.append(person(12, skp=False, superior=KASUBBID, name="Rudi Hartono"))
    finding = only(check(goals, rhks, people), "NO_SKP")
    assert finding.nodes == ()
    assert finding.owner_pegawai_id == 12
    assert "Rudi Hartono belum memiliki SKP periode 2025" in finding.message


def test_superior_without_skp_blocks_subordinates():
    goals, rhks, people = clean_rows()
    people.append(person(14, skp=False, superior=KEPALA, name="Yusuf Maulana, S.E."))
    people.append(person(13, skp=False, superior=14, name="Lina Marlina"))
    found = check(goals, rhks, people)
    blocked = only(found, "SUPERIOR_NO_SKP")
    assert blocked.owner_pegawai_id == 14
    assert blocked.rule == "V2"
    assert "Lina Marlina" in blocked.message and "Yusuf Maulana" in blocked.message
    assert only(found, "NO_SKP").owner_pegawai_id == 14


def test_people_who_need_no_skp_are_not_reported():
    goals, rhks, people = clean_rows()
    people.append(person(15, skp=False, must_have_skp=False))
    assert check(goals, rhks, people) == []


def test_opd_subgraph_reports_only_its_own_people():
    goals, rhks, people = clean_rows()
    people.append(person(16, skp=False, opd_id=5, superior=KEPALA))
    g = build_cascade_graph(goals, rhks, people, tahun=TAHUN)
    assert codes(check_cascade(g)) == ["NO_SKP"]
    assert check_cascade(opd_subgraph(g, 4)) == []
    assert codes(check_cascade(opd_subgraph(g, 5))) == ["NO_SKP"]


# --------------------------------------------------------------------------- IKI and targets


def test_utama_rhk_without_iki_is_an_error():
    goals, rhks, people = clean_rows()
    finding = only(check(goals, replace_rhk(rhks, 400, indicators=()), people), "NO_IKI")
    assert finding.severity == "error"
    assert finding.nodes == ("rhk:400",)
    assert "Tambahkan IKI" in finding.message


def test_tambahan_rhk_without_iki_is_fine():
    goals, rhks, people = clean_rows()
    assert check(goals, replace_rhk(rhks, 401, indicators=()), people) == []


def test_quantitative_iki_without_target_is_an_error():
    goals, rhks, people = clean_rows()
    found = check(goals, replace_rhk(rhks, 400, indicators=iki(None)), people)
    finding = only(found, "IKI_NO_TARGET")
    assert finding.severity == "error"
    assert "Jumlah dokumen perencanaan yang ditetapkan" in finding.message


def test_qualitative_iki_needs_no_numeric_target():
    goals, rhks, people = clean_rows()
    rhks = replace_rhk(rhks, 400, indicators=iki(None), pendekatan="kualitatif")
    assert check(goals, rhks, people) == []


def test_direct_targets_below_parent_target_warn_with_numbers():
    goals, rhks, people = clean_rows()
    found = check(goals, replace_rhk(rhks, 201, indicators=iki("1")), people)
    finding = only(found, "TARGET_SUM_MISMATCH")
    assert finding.severity == "warning"
    assert finding.nodes == ("rhk:100", "rhk:200", "rhk:201")
    assert finding.owner_pegawai_id == KEPALA
    assert "adalah 4 Dokumen" in finding.message
    assert "adalah 3 Dokumen" in finding.message
    assert "selisih 1" in finding.message


def test_direct_targets_above_parent_target_are_info():
    goals, rhks, people = clean_rows()
    finding = only(
        check(goals, replace_rhk(rhks, 201, indicators=iki("2.5")), people), "TARGET_SUM_MISMATCH"
    )
    assert finding.severity == "info"
    assert "4,5 Dokumen" in finding.message and "selisih 0,5" in finding.message


def test_target_sum_respects_tolerance_range_units_and_cascading_type():
    goals, rhks, people = clean_rows()
    short = replace_rhk(rhks, 201, indicators=iki("1"))
    config = CascadeConfig(sum_tolerance=Decimal("1"))
    assert check(goals, short, people, config=config) == []
    # Non-direct children are not expected to add up.
    non_direct = replace_rhk(
        replace_rhk(short, 201, cascading="non_direct"), 200, cascading="non_direct"
    )
    assert check(goals, non_direct, people) == []
    # Another unit of measure is not comparable.
    other_unit = replace_rhk(
        replace_rhk(short, 201, indicators=iki("1", "Laporan")), 200, indicators=iki("2", "Laporan")
    )
    assert check(goals, other_unit, people) == []
    # A range target accepts any sum inside the range.
    ranged = (Indicator("kuantitas", "Jumlah dokumen", Decimal("3"), Decimal("6"), "Dokumen"),)
    assert check(goals, replace_rhk(short, 100, indicators=ranged), people) == []


@pytest.mark.parametrize("docs", ["1", None])
def test_rows_sharing_one_indicator_tuple_are_judged_each_on_its_own(docs):
    # The loader hands equal IKI sets over as one tuple; the graph then shares one list and
    # the rules work out its facts once. Every node must still get its own findings.
    goals, rhks, people = clean_rows()
    shared = iki(docs, text="Menyusun dokumen perencanaan")
    one_tuple = [dataclasses.replace(r, indicators=shared) for r in rhks]
    own_tuples = [
        dataclasses.replace(r, indicators=iki(docs, text="Menyusun dokumen perencanaan"))
        for r in rhks
    ]
    graph = build_cascade_graph(goals, one_tuple, people, tahun=TAHUN)
    assert graph.nodes["rhk:200"]["indicators"] is graph.nodes["rhk:400"]["indicators"]
    findings = check_cascade(graph)
    assert findings == check(goals, own_tuples, people)
    per_node = {f.nodes[0] for f in findings if f.code == "ACTIVITY_LANGUAGE"}
    assert per_node == {f"rhk:{r.id}" for r in rhks}
    if docs is None:
        assert len([f for f in findings if f.code == "IKI_NO_TARGET"]) == len(rhks)
    else:
        assert "TARGET_SUM_MISMATCH" in codes(findings)


def test_percentages_are_never_summed():
    goals, rhks, people = clean_rows()
    pct = (Indicator("kuantitas", "Persentase OPD yang dibina", Decimal("100"), None, "%"),)
    rhks = replace_rhk(rhks, 100, indicators=pct)
    rhks = replace_rhk(rhks, 200, indicators=pct)
    rhks = replace_rhk(rhks, 201, indicators=pct)
    assert check(goals, rhks, people) == []


# --------------------------------------------------------------------------- V5 / V6


def test_duplicate_rhk_under_one_parent_is_a_warning():
    goals, rhks, people = clean_rows()
    rhks = replace_rhk(rhks, 201, text="tersusunnya  Dokumen RKPD, tepat waktu.")
    finding = only(check(goals, rhks, people), "DUPLICATE_RHK")
    assert finding.severity == "warning"
    assert finding.nodes == ("rhk:200", "rhk:201")
    assert finding.owner_pegawai_id == KEPALA  # different owners: the parent's owner divides
    assert "Matriks Peran Hasil" in finding.message


def test_same_text_under_different_parents_is_not_a_duplicate():
    goals, rhks, people = clean_rows()
    rhks = replace_rhk(rhks, 400, text="Tersedianya data perencanaan yang akurat")
    assert "DUPLICATE_RHK" not in codes(check(goals, rhks, people))


@pytest.mark.parametrize(
    "text",
    [
        "Menyusun dokumen RKPD",
        "Melaksanakan rapat koordinasi perencanaan",
        "mengikuti bimbingan teknis SIPD",
        "1. Membuat laporan bulanan",
        "Memfasilitasi musrenbang kecamatan",
    ],
)
def test_activity_language_in_rhk_is_a_warning(text):
    goals, rhks, people = clean_rows()
    finding = only(check(goals, replace_rhk(rhks, 400, text=text), people), "ACTIVITY_LANGUAGE")
    assert finding.severity == "warning"
    assert finding.rule == "V5"
    assert finding.nodes == ("rhk:400",)
    assert "Tersusunnya" in finding.message


def test_activity_language_in_iki_is_a_warning():
    goals, rhks, people = clean_rows()
    rhks = replace_rhk(rhks, 400, indicators=iki(text="Melakukan verifikasi usulan"))
    finding = only(check(goals, rhks, people), "ACTIVITY_LANGUAGE")
    assert "Melakukan verifikasi usulan" in finding.message


@pytest.mark.parametrize(
    "text",
    [
        "Tersusunnya dokumen RKPD tepat waktu",
        "Meningkatnya kualitas perencanaan pembangunan daerah",
        "Persentase usulan musrenbang yang terverifikasi",
        "Jumlah dokumen perencanaan",
        "Indeks kepuasan masyarakat",
        "Menurunnya angka stunting",
    ],
)
def test_result_language_is_not_flagged(text):
    goals, rhks, people = clean_rows()
    assert check(goals, replace_rhk(rhks, 400, text=text), people) == []


def test_activity_word_lists_are_configurable():
    goals, rhks, people = clean_rows()
    rhks = replace_rhk(rhks, 400, text="Terverifikasinya usulan musrenbang")
    config = CascadeConfig(activity_verbs=("terverifikasinya",), result_prefixes=())
    assert codes(check(goals, rhks, people, config=config)) == ["ACTIVITY_LANGUAGE"]
    rhks = replace_rhk(rhks, 400, text="Mengoptimalkan pelaksanaan musrenbang")
    assert codes(check(goals, rhks, people)) == ["ACTIVITY_LANGUAGE"]
    assert check(goals, rhks, people, config=CascadeConfig(detect_me_verbs=False)) == []


def test_activity_language_is_never_an_error():
    goals, rhks, people = clean_rows()
    rows = [dataclasses.replace(r, text="Melaksanakan kegiatan " + r.text) for r in rhks]
    found = [f for f in check(goals, rows, people) if f.code == "ACTIVITY_LANGUAGE"]
    assert len(found) == len(rows)
    assert {f.severity for f in found} == {"warning"}


# --------------------------------------------------------------------------- cycles


def test_cycle_reports_the_full_path():
    goals, rhks, people = clean_rows()
    rhks += [
        rhk(500, KABID_A, 502, text="Terkoordinasinya penyusunan RKPD"),
        rhk(501, KASUBBID, 500, text="Tersedianya bahan penyusunan RKPD"),
        rhk(502, STAF, 501, text="Terhimpunnya data usulan RKPD"),
    ]
    found = check(goals, rhks, people)
    cycle = only(found, "CYCLE")
    assert cycle.severity == "error"
    assert cycle.nodes == ("rhk:500", "rhk:501", "rhk:502")
    assert cycle.path == ("rhk:500", "rhk:501", "rhk:502", "rhk:500")
    # The most junior member (the staff member) is asked to act.
    assert cycle.owner_pegawai_id == STAF
    assert "Cascading melingkar (3 simpul)" in cycle.message
    assert "Terkoordinasinya penyusunan RKPD" in cycle.message


def test_self_loop_is_a_cycle():
    goals, rhks, people = clean_rows()
    rhks.append(rhk(503, KASUBBID, 503, text="Tersedianya data perencanaan"))
    cycle = only(check(goals, rhks, people), "CYCLE")
    assert cycle.path == ("rhk:503", "rhk:503")


def test_nodes_below_a_cycle_are_not_part_of_it():
    goals, rhks, people = clean_rows()
    rhks += [rhk(500, KABID_A, 501), rhk(501, KABID_A, 500), rhk(502, KABID_A, 501)]
    g = build_cascade_graph(goals, rhks, people)
    cycle = only(check_cascade(g), "CYCLE")
    assert cycle.nodes == ("rhk:500", "rhk:501")


def chain_rows(depth: int) -> list[RhkRow]:
    rows = [
        rhk(
            1,
            1,
            None,
            level=3,
            penilai_pegawai_id=None,
            jenis="tambahan",
            text="Tersusunnya dokumen perencanaan",
        )
    ]
    for i in range(2, depth + 1):
        rows.append(
            rhk(
                i,
                i,
                i - 1,
                level=3,
                penilai_pegawai_id=i - 1,
                text=f"Tersusunnya dokumen perencanaan bagian {i}",
            )
        )
    return rows


def test_five_thousand_deep_chain_checks_without_recursion():
    rows = chain_rows(5000)
    with recursion_limit(200):
        g = build_cascade_graph([], rows)
        assert check_cascade(g) == []
        assert check_neighbourhood(g, "rhk:4000") == []
    rows[0] = dataclasses.replace(rows[0], parent_kind="rhk", parent_id=5000)
    with recursion_limit(200):
        g = build_cascade_graph([], rows)
        cycle = only(check_cascade(g), "CYCLE")
        local = check_neighbourhood(g, "rhk:2500")
    assert len(cycle.path) == 5001
    assert cycle.path[0] == cycle.path[-1] == "rhk:1"
    assert cycle.path[1] == "rhk:2"
    assert "… (4994 lainnya)" in cycle.message
    assert local == [cycle]


# --------------------------------------------------------------------------- neighbourhood


def messy_graph(seed: int, n_people: int = 60) -> nx.DiGraph:
    """A random cascade with every kind of defect, for comparing full and local checks."""
    rng = random.Random(seed)
    goals = [GoalRow(1, "regent", "Meningkatnya kualitas perencanaan pembangunan daerah", TAHUN)]
    for g in range(10, 14):
        goals.append(
            GoalRow(
                g,
                "opd",
                f"Meningkatnya kinerja bidang {g}",
                TAHUN,
                opd_id=4,
                parent_goal_id=rng.choice([1, 1, 1, None, 99]),
                owner_pegawai_id=1,
            )
        )
    rows: list[RhkRow] = []
    owners: dict[int, int] = {}
    texts = [
        "Tersusunnya dokumen RKPD",
        "Menyusun laporan",
        "Tersedianya data perencanaan",
        "Meningkatnya kualitas layanan",
        "tersusunnya dokumen RKPD.",
    ]
    next_id = 1
    for pid in range(1, n_people + 1):
        level = 2 if pid == 1 else min(5, 3 + (pid % 3))
        superior = None if pid == 1 else rng.randint(1, max(1, pid - 1))
        for _ in range(rng.randint(1, 3)):
            rid = next_id
            next_id += 1
            owners[rid] = pid
            if level == 2:
                parent_kind, parent_id = "opd_goal", rng.choice([10, 11, 12, 13])
            elif rows and rng.random() < 0.9:
                parent_kind, parent_id = "rhk", rng.choice(rows).id
            else:
                parent_kind, parent_id = rng.choice([(None, None), ("rhk", 9999)])
            docs = rng.choice(["1", "2", "4", None])
            rows.append(
                RhkRow(
                    rid,
                    1000 + pid,
                    rng.choice([TAHUN, TAHUN, TAHUN, 2024]),
                    pid,
                    f"Pegawai {pid}",
                    40,
                    4,
                    level,
                    "administrator",
                    rng.choice(["utama", "utama", "tambahan"]),
                    rng.choice(texts),
                    parent_kind,
                    parent_id,
                    rng.choice(["direct", "non_direct"]),
                    "disetujui",
                    rng.choice(["kuantitatif", "kualitatif"]),
                    superior,
                    iki(docs) if rng.random() < 0.9 else (),
                )
            )
    # Close a few cycles: point an ancestor of some RHK (1–3 levels up) at that RHK, and add
    # a self-loop.
    index = {r.id: i for i, r in enumerate(rows)}
    closed = 0
    for i in rng.sample(range(len(rows)), len(rows)):
        ancestor, steps = rows[i], rng.randint(1, 3)
        while steps and ancestor.parent_kind == "rhk" and ancestor.parent_id in index:
            ancestor, steps = rows[index[ancestor.parent_id]], steps - 1
        if ancestor.id != rows[i].id and not steps:
            rows[index[ancestor.id]] = dataclasses.replace(
                ancestor, parent_kind="rhk", parent_id=rows[i].id
            )
            closed += 1
            if closed == 3:
                break
    loop = rng.randrange(len(rows))
    rows[loop] = dataclasses.replace(rows[loop], parent_kind="rhk", parent_id=rows[loop].id)
    people = [
        PersonRow(
            pid,
            f"Pegawai {pid}",
            4,
            40,
            3,
            None if pid == 1 else pid - 1,
            True,
            (1000 + pid,) if rng.random() < 0.9 else (),
            TAHUN,
        )
        for pid in range(1, n_people + 1)
    ]
    return build_cascade_graph(goals, rows, people, tahun=TAHUN)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_check_neighbourhood_equals_full_check_restricted(seed):
    g = messy_graph(seed)
    full = check_cascade(g)
    assert {f.code for f in full} >= {
        "CYCLE",
        "DUPLICATE_RHK",
        "PARENT_MISSING",
        "PARENT_NOT_PENILAI",
        "TARGET_SUM_MISMATCH",
        "UNCOVERED_PARENT",
    }
    for node in g.nodes:
        near = neighbourhood(g, node)
        expected = [f for f in full if near.intersection(f.nodes)]
        assert check_neighbourhood(g, node) == expected, node


def test_check_neighbourhood_covers_cycles_through_the_node():
    goals, rhks, people = clean_rows()
    rhks += [rhk(500, KABID_A, 502), rhk(501, KASUBBID, 500), rhk(502, STAF, 501)]
    g = build_cascade_graph(goals, rhks, people)
    for node in ("rhk:500", "rhk:501", "rhk:502"):
        assert "CYCLE" in codes(check_neighbourhood(g, node))
    assert "CYCLE" not in codes(check_neighbourhood(g, "rhk:400"))


def test_neighbourhood_is_node_parent_siblings_and_children():
    g = build_cascade_graph(*clean_rows())
    assert neighbourhood(g, "rhk:200") == {"rhk:100", "rhk:200", "rhk:201", "rhk:300"}
    with pytest.raises(CascadeError):
        neighbourhood(g, "rhk:9999")
    with pytest.raises(CascadeError):
        check_neighbourhood(g, "rhk:9999")


def test_check_neighbourhood_on_a_large_graph_matches_the_full_check():
    goals = [GoalRow(10, "opd", "Meningkatnya kualitas perencanaan", TAHUN, opd_id=4)]
    rows = [rhk(1, 1, None, level=2, parent_kind="opd_goal", parent_id=10, penilai_pegawai_id=None)]
    # 1 → 40 → 1,600 → 32,000 RHK
    frontier, next_id = [1], 2
    for fan, level in ((40, 3), (40, 4), (20, 5)):
        new_frontier = []
        for parent in frontier:
            for _ in range(fan):
                rows.append(
                    rhk(
                        next_id,
                        next_id,
                        parent,
                        level=level,
                        penilai_pegawai_id=parent,
                        text=f"Tersusunnya dokumen {next_id}",
                    )
                )
                new_frontier.append(next_id)
                next_id += 1
        frontier = new_frontier
    g = build_cascade_graph(goals, rows)
    # Speed is measured in benchmarks/bench_cascade_pure.py; here: the local check of a node in
    # a 32,000-node tree agrees with the full check restricted to that node's neighbourhood.
    full = check_cascade(g)
    for node in ("rhk:1", "rhk:2", "rhk:100", f"rhk:{next_id - 1}"):
        local = check_neighbourhood(g, node)
        scope = set(neighbourhood(g, node))
        assert {f.to_dict()["code"] for f in local} == {
            f.to_dict()["code"] for f in full if scope & set(f.nodes)
        }


# --------------------------------------------------------------------------- summary


def test_summarize_counts_per_code_and_severity():
    goals, rhks, people = clean_rows()
    rhks = replace_rhk(rhks, 300, parent_id=None, parent_kind=None)
    rhks = replace_rhk(rhks, 400, text="Menyusun laporan", indicators=())
    summary = summarize(check(goals, rhks, people))
    assert summary["total"] == 4
    assert summary["by_severity"] == {"error": 2, "warning": 2, "info": 0}
    assert summary["by_code"] == {
        "ACTIVITY_LANGUAGE": 1,
        "NO_IKI": 1,
        "ORPHAN_RHK": 1,
        "UNCOVERED_PARENT": 1,
    }
    assert summary["by_code_severity"]["NO_IKI"] == {"error": 1}
    assert summarize([]) == {
        "total": 0,
        "by_severity": {"error": 0, "warning": 0, "info": 0},
        "by_code": {},
        "by_code_severity": {},
    }


def test_fungsional_under_own_penilai_is_no_level_skip():
    goals, rhks, people = clean_rows()
    # A pejabat fungsional whose penilai is the Kepala OPD intervenes the Kepala's RHK.
    rhks = replace_rhk(
        rhks, 400, parent_id=100, penilai_pegawai_id=KEPALA, jabatan_jenis="fungsional"
    )
    assert "LEVEL_SKIPPED" not in codes(check(goals, rhks, people))
