"""Capaian roll-up along the cascade: literal trees, explanations, early warnings, the loader."""

from __future__ import annotations

import doctest
from datetime import date
from decimal import Decimal

import pytest

from skp_app.planning.models import IndikatorSasaran, Sasaran
from skp_app.realization import operations as ops
from skp_app.realization import rollup as rollup_module
from skp_app.realization.queries import load_rollup_nodes
from skp_app.realization.rollup import IkiInput, NodeInput, node_weight, rollup_tree
from tests.realization.realisasi_fixtures import TAHUN, _rhk, _skp, rworld_fixture  # noqa: F401

D = Decimal


def iki(i: int, target, monthly: dict, **kw) -> tuple[IkiInput, ...]:
    return (
        IkiInput(
            i,
            kw.pop("teks", "Jumlah dokumen yang tersusun"),
            D(str(target)) if target is not None else None,
            satuan=kw.pop("satuan", "Dokumen"),
            monthly={m: D(str(v)) for m, v in monthly.items()},
            **kw,
        ),
    )


def test_module_doctests_pass():
    assert doctest.testmod(rollup_module).failed == 0


def test_direct_parent_is_the_weighted_mean_of_its_direct_children():
    tree = [
        NodeInput("rhk:1", "rhk", "Meningkatnya layanan aplikasi", owner="Dewi Lestari"),
        NodeInput("rhk:2", "rhk", "Aplikasi A", "rhk:1", "direct", "Rina", iki=iki(2, 10, {1: 9})),
        NodeInput("rhk:3", "rhk", "Aplikasi B", "rhk:1", "direct", "Budi", iki=iki(3, 10, {1: 6})),
        NodeInput("rhk:4", "rhk", "Server", "rhk:1", "non_direct", "Sari", iki=iki(4, 10, {1: 1})),
    ]
    result = rollup_tree(tree, bulan=1)["rhk:1"]
    assert result.method == "direct_children"
    assert result.capaian == D(75)
    counted = {c.key: c for c in result.contributions}
    assert counted["rhk:2"].counted and counted["rhk:2"].share == D("0.5")
    assert counted["rhk:2"].points == D(45)
    assert not counted["rhk:4"].counted and counted["rhk:4"].points is None
    text = result.explanation
    assert "rata-rata tertimbang capaian 2 RHK bawahan yang di-cascade langsung" in text
    assert "Rina: “Aplikasi A” 90% × bobot 1" in text
    assert "dibagi jumlah bobot 2" in text
    assert "PermenPANRB 8/2021" in text
    assert "1 RHK bawahan lain (non-direct) ditampilkan sebagai kontributor" in text


def test_non_direct_parent_uses_its_own_realization_and_lists_children():
    tree = [
        NodeInput(
            "rhk:1",
            "rhk",
            "Tersusunnya laporan kinerja",
            owner="Dewi",
            iki=iki(1, 12, {1: 1, 2: 2, 3: 3}, teks="Jumlah laporan", satuan="Laporan"),
        ),
        NodeInput(
            "rhk:2", "rhk", "Data kinerja", "rhk:1", "non_direct", "Rina", iki=iki(2, 4, {1: 4})
        ),
    ]
    result = rollup_tree(tree, bulan=3)["rhk:1"]
    assert result.method == "own"
    assert result.capaian == D(50)  # (1 + 2 + 3) / 12
    assert result.contributions[0].capaian == D(100)
    assert not result.contributions[0].counted
    text = result.explanation
    assert "berasal dari realisasi IKI RHK ini sendiri" in text
    assert "realisasi kumulatif s.d. Maret 6 Laporan dari target 12 Laporan" in text
    assert "1 RHK bawahan (cascading tidak langsung/non-direct)" in text


def test_weights_come_from_the_node_key_then_the_jenis():
    tree = [
        NodeInput("rhk:1", "rhk", "Induk"),
        NodeInput("rhk:2", "rhk", "A", "rhk:1", "direct", iki=iki(2, 10, {1: 10})),
        NodeInput("rhk:3", "rhk", "B", "rhk:1", "direct", jenis="tambahan", iki=iki(3, 10, {1: 4})),
    ]
    assert rollup_tree(tree, bulan=1)["rhk:1"].capaian == D(70)
    weighted = rollup_tree(tree, bulan=1, weights={"rhk:2": 3})["rhk:1"]
    assert weighted.capaian == D(85)  # (100 × 3 + 40 × 1) / 4
    assert "dibagi jumlah bobot 4" in weighted.explanation
    assert rollup_tree(tree, bulan=1, weights={"tambahan": 0})["rhk:1"].capaian == D(100)
    zero = rollup_tree(tree, bulan=1, weights={"utama": 0, "tambahan": 0})["rhk:1"]
    assert zero.capaian == D(70) and "rata-rata biasa" in zero.explanation
    bad = NodeInput("rhk:9", "rhk", "x")
    assert node_weight(bad, {"rhk:9": "-2"}) == 1 and node_weight(bad, {"rhk:9": "abc"}) == 1


def test_goal_is_the_mean_of_everything_beneath_it():
    tree = [
        NodeInput("sasaran:1", "sasaran", "Meningkatnya kualitas pelayanan publik"),
        NodeInput("sasaran:2", "sasaran", "Indeks SPBE meningkat", "sasaran:1"),
        NodeInput(
            "rhk:5",
            "rhk",
            "Kadis: layanan aplikasi",
            "sasaran:2",
            "non_direct",
            iki=iki(5, 4, {2: 4}),
        ),
        NodeInput(
            "rhk:6",
            "rhk",
            "Kadis: integrasi data",
            "sasaran:2",
            "non_direct",
            iki=iki(6, 4, {2: 2}),
        ),
    ]
    results = rollup_tree(tree, bulan=2)
    assert results["sasaran:2"].capaian == D(75)
    assert results["sasaran:2"].method == "children"
    assert results["sasaran:1"].capaian == D(75)
    assert "Sasaran tidak memiliki realisasi sendiri" in results["sasaran:1"].explanation


def test_kuantitas_is_summed_and_other_aspects_take_the_latest_value():
    tree = [
        NodeInput(
            "rhk:1",
            "rhk",
            "Dokumen",
            iki=iki(1, 12, {1: 2, 2: 2})
            + iki(
                2,
                90,
                {1: 80, 2: 95},
                aspek="kualitas",
                target_max=D(100),
                satuan="Persen",
                teks="Mutu",
            ),
        )
    ]
    result = rollup_tree(tree, bulan=2)["rhk:1"]
    kuantitas, kualitas = result.iki
    assert kuantitas.realisasi == D(4) and kuantitas.basis == "kumulatif"
    assert kualitas.realisasi == D(95) and kualitas.basis == "terakhir"
    assert kualitas.capaian == D(100)  # inside the 90–100 range
    assert result.capaian == rollup_module.rollup_capaian([(kuantitas.capaian, 1), (D(100), 1)])
    assert "rata-rata capaian 2 IKI" in result.explanation


def test_lower_is_better_iki_uses_the_special_formula():
    tree = [NodeInput("rhk:1", "rhk", "Temuan", iki=iki(1, 10, {1: 8}, lower_is_better=True))]
    result = rollup_tree(tree, bulan=1)["rhk:1"]
    assert result.capaian == D(120)
    assert "(1 + (1 − realisasi/target)) × 100%" in result.explanation


def test_months_after_the_period_are_not_counted():
    tree = [NodeInput("rhk:1", "rhk", "Dokumen", iki=iki(1, 12, {1: 3, 2: 3, 3: 3}))]
    assert rollup_tree(tree, bulan=2)["rhk:1"].iki[0].realisasi == D(6)


def test_early_warning_when_the_year_end_projection_misses():
    slow = NodeInput(
        "rhk:2", "rhk", "Lambat", "rhk:1", "direct", "Rina", iki=iki(2, 24, {1: 1, 2: 1, 3: 1})
    )
    fast = NodeInput(
        "rhk:3", "rhk", "Cepat", "rhk:1", "direct", "Budi", iki=iki(3, 12, {1: 1, 2: 1, 3: 1})
    )
    results = rollup_tree([NodeInput("rhk:1", "rhk", "Induk"), slow, fast], bulan=3)
    assert results["rhk:2"].warning and not results["rhk:3"].warning
    projected = results["rhk:2"].iki[0].projection
    assert projected == D(12)
    assert (
        "diproyeksikan 12 Dokumen pada akhir tahun, sedangkan target 24 Dokumen"
        in (results["rhk:2"].warnings[0])
    )
    parent = results["rhk:1"]
    assert parent.warning
    assert "1 dari 2 RHK bawahan yang dihitung diproyeksikan tidak mencapai" in parent.warnings[0]
    assert "Rina: “Lambat”" in parent.warnings[0]


def test_node_without_realization_says_so():
    result = rollup_tree([NodeInput("rhk:1", "rhk", "Baru", iki=iki(1, 5, {}))], bulan=4)["rhk:1"]
    assert result.capaian is None
    assert "belum ada realisasi s.d. April" in result.explanation


def test_deep_chain_is_computed_without_recursion():
    depth = 5000
    nodes = [NodeInput("rhk:0", "rhk", "Akar")]
    for i in range(1, depth):
        nodes.append(NodeInput(f"rhk:{i}", "rhk", f"Level {i}", f"rhk:{i - 1}", "direct"))
    nodes.append(
        NodeInput(
            f"rhk:{depth}", "rhk", "Daun", f"rhk:{depth - 1}", "direct", iki=iki(depth, 10, {1: 7})
        )
    )
    assert rollup_tree(nodes, bulan=1)["rhk:0"].capaian == D(70)


def test_cycle_is_reported_not_computed():
    nodes = [
        NodeInput("rhk:1", "rhk", "A", "rhk:2", "direct"),
        NodeInput("rhk:2", "rhk", "B", "rhk:1", "direct"),
        NodeInput("rhk:3", "rhk", "C"),
    ]
    results = rollup_tree(nodes, bulan=1)
    assert results["rhk:1"].method == "cycle" and "siklus" in results["rhk:1"].explanation
    assert results["rhk:3"].method == "own"


def test_invalid_month_is_refused():
    with pytest.raises(ValueError, match="Bulan harus"):
        rollup_tree([], bulan=13)


# --- loader ----------------------------------------------------------------------------------


def _verified(session, w, who, iki_name, bulan, nilai):
    r = ops.record_realization(
        session,
        w.skp[who],
        w.iki[iki_name],
        tahun=TAHUN,
        bulan=bulan,
        nilai=str(nilai),
        actor=w.users[who],
        today=date(TAHUN, 12, 31),
    )
    penilai = {"staf": "kasi", "staf2": "kasi", "kasi": "kabid", "kabid": "kadis"}[who]
    ops.verify_realization(session, r, actor=w.users[penilai])
    return r


def test_loader_builds_the_subtree_and_counts_verified_values_only(rworld, session, count_queries):
    _verified(session, rworld, "staf", "staf", 1, 3)
    _verified(session, rworld, "staf", "staf", 2, 3)
    _verified(session, rworld, "staf2", "staf2", 1, 6)
    ops.record_realization(  # submitted, not verified
        session,
        rworld.skp["kasi"],
        rworld.iki["kasi"],
        tahun=TAHUN,
        bulan=1,
        nilai="12",
        actor=rworld.users["kasi"],
        today=date(TAHUN, 12, 31),
    )
    session.commit()
    with count_queries() as counter:
        nodes = load_rollup_nodes(session, tahun=TAHUN, bulan=2, rhk_id=rworld.rhk["kabid"].id)
    assert counter.count <= 10
    keys = {n.key for n in nodes}
    assert keys == {f"rhk:{rworld.rhk[k].id}" for k in ("kabid", "kasi", "staf", "staf2")}
    by_key = {n.key: n for n in nodes}
    staf = by_key[f"rhk:{rworld.rhk['staf'].id}"]
    assert staf.owner == "Rina Marlina, S.Kom." and staf.cascading == "direct"
    assert staf.iki[0].monthly == {1: D(3), 2: D(3)}
    assert by_key[f"rhk:{rworld.rhk['kasi'].id}"].iki[0].monthly == {}

    results = rollup_tree(nodes, bulan=2)
    kasi = results[f"rhk:{rworld.rhk['kasi'].id}"]
    # Kasi's only direct child is Rina (6/12 = 50%, kualitas IKI without data); Budi is
    # non-direct and only listed.
    assert kasi.method == "direct_children" and kasi.capaian == D(50)
    assert results[f"rhk:{rworld.rhk['kabid'].id}"].capaian == D(50)

    with_pending = load_rollup_nodes(
        session, tahun=TAHUN, bulan=2, rhk_id=rworld.rhk["kasi"].id, include_unverified=True
    )
    kasi_node = next(n for n in with_pending if n.key == f"rhk:{rworld.rhk['kasi'].id}")
    assert kasi_node.iki[0].monthly == {1: D(12)}
    assert kasi_node.parent_key is None  # the requested node is the root of the computation


def test_loader_walks_goals_down_to_rhk(rworld, session):
    regent = Sasaran(
        level="regent",
        jenis="sasaran",
        teks="Meningkatnya kualitas tata kelola",
        tahun_awal=TAHUN - 1,
        tahun_akhir=TAHUN + 3,
        kode="S1",
    )
    session.add(regent)
    session.flush()
    opd_goal = Sasaran(
        level="opd",
        jenis="sasaran",
        teks="Meningkatnya indeks SPBE",
        opd_id=rworld.opd.id,
        supports_id=regent.id,
        tahun_awal=TAHUN - 1,
        tahun_akhir=TAHUN + 3,
    )
    old_goal = Sasaran(
        level="opd",
        jenis="sasaran",
        teks="Sasaran periode lalu",
        opd_id=rworld.opd.id,
        supports_id=regent.id,
        tahun_awal=TAHUN - 6,
        tahun_akhir=TAHUN - 2,
    )
    session.add_all([opd_goal, old_goal])
    session.flush()
    session.add(IndikatorSasaran(sasaran_id=opd_goal.id, teks="Indeks SPBE", satuan="Indeks"))
    kadis_skp = _skp(session, rworld.periode, rworld.p["kadis"], None)
    kadis_rhk = _rhk(session, kadis_skp, "Meningkatnya layanan SPBE", cascading="non_direct")
    kadis_rhk.parent_sasaran_id = opd_goal.id
    rworld.rhk["kabid"].parent_rhk_id = kadis_rhk.id
    session.flush()
    _verified(session, rworld, "staf", "staf", 1, 6)
    session.commit()

    nodes = load_rollup_nodes(session, tahun=TAHUN, bulan=1, sasaran_id=regent.id)
    keys = {n.key for n in nodes}
    assert f"sasaran:{opd_goal.id}" in keys and f"sasaran:{old_goal.id}" not in keys
    assert f"rhk:{kadis_rhk.id}" in keys and f"rhk:{rworld.rhk['staf'].id}" in keys
    results = rollup_tree(nodes, bulan=1)
    # Kadis RHK ← Kabid (direct) ← Kasi (direct) ← Rina: 6 of 12 documents = 50%.
    assert results[f"rhk:{rworld.rhk['kabid'].id}"].capaian == D(50)
    assert results[f"sasaran:{opd_goal.id}"].method == "children"
    assert rworld.rhk["kabid"].cascading == "direct"
    assert results[f"rhk:{kadis_rhk.id}"].capaian == D(50)
    assert results[f"sasaran:{regent.id}"].capaian == D(50)
    assert results[f"sasaran:{regent.id}"].contributions[0].label.startswith("Meningkatnya")


def test_loader_returns_nothing_for_unknown_ids(session):
    assert load_rollup_nodes(session, tahun=TAHUN, bulan=1, rhk_id=999) == []
    with pytest.raises(ValueError):
        load_rollup_nodes(session, tahun=TAHUN, bulan=1)


def test_waktu_in_months_adds_up_like_the_evaluation_page():
    monthly = {1: 1, 2: 1, 3: 1}
    waktu_iki = iki(1, 12, monthly, aspek="waktu", satuan="Bulan", teks="Ketepatan waktu")
    tree = [NodeInput("rhk:1", "rhk", "Tersusunnya laporan", owner="Rina", iki=waktu_iki)]
    waktu = rollup_tree(tree, bulan=3)["rhk:1"].iki[0]
    assert waktu.basis == "kumulatif" and waktu.realisasi == D(3)
    assert not waktu.will_miss
