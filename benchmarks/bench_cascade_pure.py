"""Micro benchmark of the pure cascade core (graph build, full check, neighbourhood check).

Builds a synthetic regency of ~40 OPD with ~120,000 RHK over 6 levels (regent sasaran → OPD
sasaran → JPT → administrator → pengawas → pelaksana/fungsional), with a sprinkling of defects,
and prints timings. Not a test; run it with::

    .venv/bin/python benchmarks/bench_cascade_pure.py [--opd 40] [--repeat 3]

Target: build + full check under 1.5 s for 120k RHK on a 2-core machine.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from skp_app.cascading.graph import (  # noqa: E402
    GoalRow,
    Indicator,
    PersonRow,
    RhkRow,
    build_cascade_graph,
    descendants_of,
    lineage,
)
from skp_app.cascading.rules import check_cascade, check_neighbourhood, summarize  # noqa: E402

TAHUN = 2025
RESULTS = [
    "Tersusunnya dokumen {} tepat waktu",
    "Meningkatnya kualitas layanan {}",
    "Terlaksananya pembinaan {}",
    "Tersedianya data {} yang akurat",
    "Tercapainya target {}",
]
TOPICS = [
    "perencanaan",
    "keuangan",
    "kepegawaian",
    "pengadaan barang dan jasa",
    "pelayanan kesehatan dasar",
    "administrasi kependudukan",
    "pengelolaan arsip",
    "pemeliharaan jalan kabupaten",
    "penyuluhan pertanian",
    "pendidikan anak usia dini",
]


def _indicators(rng: random.Random, docs: int) -> tuple[Indicator, ...]:
    return (
        Indicator("kuantitas", "Jumlah dokumen yang diselesaikan", Decimal(docs), None, "Dokumen"),
        Indicator("kualitas", "Persentase dokumen sesuai standar", Decimal(100), None, "%"),
        Indicator("waktu", "Ketepatan waktu penyelesaian", Decimal(12), None, "Bulan"),
    )


def make_dataset(n_opd: int = 40, seed: int = 2025):
    """Return (goals, rhks, people) of a synthetic regency."""
    rng = random.Random(seed)
    goals: list[GoalRow] = []
    rhks: list[RhkRow] = []
    people: list[PersonRow] = []
    n_regent = 20
    for i in range(1, n_regent + 1):
        goals.append(
            GoalRow(i, "regent", f"Meningkatnya kinerja daerah bidang {TOPICS[i % 10]}", TAHUN)
        )
    ids = {"goal": 1000, "rhk": 0, "skp": 0, "peg": 0}

    def next_id(kind: str) -> int:
        ids[kind] += 1
        return ids[kind]

    def person(opd: int, unit: int, level: int, superior: int | None) -> tuple[int, int]:
        pid = next_id("peg")
        skp = next_id("skp")
        people.append(
            PersonRow(pid, f"Pegawai {pid}", opd, unit, level, superior, True, (skp,), TAHUN)
        )
        return pid, skp

    def add_rhk(owner, skp, opd, unit, level, parent_kind, parent_id, penilai, cascading, docs):
        rid = next_id("rhk")
        text = rng.choice(RESULTS).format(rng.choice(TOPICS)) + f" {rid}"
        if rng.random() < 0.01:
            text = "Menyusun laporan " + rng.choice(TOPICS)
        jenis = "utama" if rng.random() > 0.05 else "tambahan"
        if rng.random() < 0.002:
            parent_kind, parent_id = None, None
        rhks.append(
            RhkRow(
                rid,
                skp,
                TAHUN,
                owner,
                f"Pegawai {owner}",
                unit,
                opd,
                level,
                ["jpt", "administrator", "pengawas", "pelaksana"][min(level, 5) - 2],
                jenis,
                text,
                parent_kind,
                parent_id,
                cascading,
                "disetujui",
                "kuantitatif",
                penilai,
                _indicators(rng, docs),
            )
        )
        return rid

    for opd in range(1, n_opd + 1):
        unit = opd * 100
        kepala, kepala_skp = person(opd, unit, 2, None)
        opd_goals = []
        for _ in range(5):
            gid = next_id("goal")
            goals.append(
                GoalRow(
                    gid,
                    "opd",
                    f"Meningkatnya kualitas {rng.choice(TOPICS)} OPD {opd}",
                    TAHUN,
                    opd,
                    rng.randint(1, n_regent),
                    (Indicator("", "Indeks kepuasan masyarakat", Decimal("82.5"), None, "indeks"),),
                    kepala,
                )
            )
            opd_goals.append(gid)
        jpt_rhks = [
            add_rhk(kepala, kepala_skp, opd, unit, 2, "opd_goal", g, None, "non_direct", 24)
            for g in opd_goals
        ]
        for a in range(5):
            admin, admin_skp = person(opd, unit + a + 1, 3, kepala)
            admin_rhks = [
                add_rhk(
                    admin,
                    admin_skp,
                    opd,
                    unit + a + 1,
                    3,
                    "rhk",
                    rng.choice(jpt_rhks),
                    kepala,
                    "non_direct",
                    24,
                )
                for _ in range(6)
            ]
            for _p in range(4):
                peng, peng_skp = person(opd, unit + a + 1, 4, admin)
                n_staff = rng.randint(22, 26)
                # Direct cascading: each staff member takes 2 of the pengawas' documents.
                peng_rhks = [
                    add_rhk(
                        peng,
                        peng_skp,
                        opd,
                        unit + a + 1,
                        4,
                        "rhk",
                        rng.choice(admin_rhks),
                        admin,
                        "non_direct",
                        2 * n_staff,
                    )
                    for _ in range(6)
                ]
                for _s in range(n_staff):
                    staff, staff_skp = person(opd, unit + a + 1, 5, peng)
                    for parent in peng_rhks:
                        add_rhk(
                            staff, staff_skp, opd, unit + a + 1, 5, "rhk", parent, peng, "direct", 2
                        )
    # A few structural defects: a dangling link, a cycle, someone without SKP.
    last = rhks[-1]
    rhks[-1] = RhkRow(**{**{f: getattr(last, f) for f in last.__slots__}, "parent_id": 10**9})
    a, b = rhks[-2], rhks[-3]
    rhks[-2] = RhkRow(**{**{f: getattr(a, f) for f in a.__slots__}, "parent_id": b.id})
    rhks[-3] = RhkRow(**{**{f: getattr(b, f) for f in b.__slots__}, "parent_id": a.id})
    people.append(PersonRow(next_id("peg"), "Pegawai Tanpa SKP", 1, 101, 5, 2, True, (), TAHUN))
    return goals, rhks, people


def _time(fn, repeat: int, collect: bool = True):
    times = []
    result = None
    for _ in range(repeat):
        if collect:
            gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opd", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    t0 = time.perf_counter()
    goals, rhks, people = make_dataset(args.opd)
    print(
        f"dataset: {len(goals)} sasaran, {len(rhks)} RHK, {len(people)} pegawai "
        f"(generated in {time.perf_counter() - t0:.2f} s)"
    )

    graph, b_min, b_med = _time(
        lambda: build_cascade_graph(goals, rhks, people, tahun=TAHUN), args.repeat
    )
    print(
        f"build_cascade_graph : min {b_min * 1000:7.1f} ms  median {b_med * 1000:7.1f} ms  "
        f"({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)"
    )
    findings, c_min, c_med = _time(lambda: check_cascade(graph), args.repeat)
    print(
        f"check_cascade       : min {c_min * 1000:7.1f} ms  median {c_med * 1000:7.1f} ms  "
        f"({len(findings)} findings)"
    )
    print(
        f"build + check       : min {(b_min + c_min) * 1000:7.1f} ms  "
        f"median {(b_med + c_med) * 1000:7.1f} ms"
    )

    probes = {
        "pelaksana RHK": f"rhk:{rhks[len(rhks) // 2].id}",
        "pengawas RHK": next(f"rhk:{r.id}" for r in rhks if r.level == 4),
        "JPT RHK": next(f"rhk:{r.id}" for r in rhks if r.level == 2),
        "OPD sasaran": next(f"og:{g.id}" for g in goals if g.level == "opd"),
    }
    for label, node in probes.items():
        local, n_min, n_med = _time(lambda node=node: check_neighbourhood(graph, node), 20, False)
        print(
            f"check_neighbourhood : min {n_min * 1000:7.2f} ms  median {n_med * 1000:7.2f} ms  "
            f"({label} {node}, {len(local)} findings)"
        )
    deep = f"rhk:{rhks[-5].id}"
    _, l_min, _ = _time(lambda: lineage(graph, deep), 20, False)
    _, d_min, _ = _time(lambda: descendants_of(graph, "rg:1"), 5, False)
    print(
        f"lineage             : min {l_min * 1000:7.3f} ms;  descendants_of(rg:1): "
        f"min {d_min * 1000:7.1f} ms"
    )
    summary = summarize(findings)
    print("findings by code    :", summary["by_code"])


if __name__ == "__main__":
    main()
