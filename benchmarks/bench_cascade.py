"""Benchmark of the cascade on a database: load + build + check, the incremental check, pages.

Builds the large demo regency (about 20,000 employees; the demo generator gives ~58,000 RHK,
the synthetic fallback ~120,000) in a fresh SQLite file with the demo generator
(``skp_app.demo.generator.build_demo``) when it is available, else with a synthetic regency of
the same shape inserted in bulk; with ``SKP_BENCH_DATABASE_URL`` set (a PostgreSQL database
that may be emptied) it does the same there. Then it times:

* ``load_cascade_rows`` (the set-based loader), ``build_cascade_graph`` and ``check_cascade``
  for the whole periode, ``cascade_for`` of the periode (the same in one call) and
  ``check_periode`` (the same findings, the periode split over two processes; target: under
  1.5 s) in this process and in a fresh one (as ``skp cascade check`` runs it), and
  ``cascade_for`` of the largest OPD;
* ``check_rhk_saved`` for an RHK at each level (target: under 50 ms);
* through the test client: the tree page of the largest OPD (target: under 500 ms; it draws the
  levels that fit in ``TREE_BUDGET`` nodes), an employee's lineage page and the OPD's findings.

Run it with::

    .venv/bin/python benchmarks/bench_cascade.py [--repeat 3] [--keep]
    .venv/bin/python benchmarks/bench_cascade.py --db /tmp/skp-bench-…/bench.db  # reuse a kept file
    SKP_BENCH_DATABASE_URL=postgresql+psycopg://… .venv/bin/python benchmarks/bench_cascade.py \
        [--reuse-pg]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select, update  # noqa: E402

TAHUN = 2026
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
QUALITY = [
    "Persentase dokumen sesuai standar",
    "Persentase dokumen yang diterima tanpa revisi",
    "Tingkat kepuasan pengguna layanan",
    "Persentase laporan yang lengkap dan akurat",
]
OPD_NAMES = [
    "Dinas Pendidikan dan Kebudayaan",
    "Dinas Kesehatan",
    "Badan Perencanaan Pembangunan Daerah",
    "Dinas Komunikasi dan Informatika",
    "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
    "Dinas Pekerjaan Umum dan Penataan Ruang",
    "Dinas Sosial",
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Badan Pengelolaan Keuangan dan Aset Daerah",
    "Inspektorat Daerah",
]


# --------------------------------------------------------------------------- synthetic regency


def build_synthetic(session, n_opd: int = 40, seed: int = 2026) -> dict[str, int]:
    """Insert a synthetic regency in bulk (Core inserts, no ORM objects); return counts.

    Shape per OPD: a Kepala (JPT, 5 RHK on 5 OPD sasaran), 5 Kabid (6 RHK each), 4 Kasi per
    bidang (6 RHK each) and 22–26 staff per Kasi (one RHK per Kasi RHK, direct cascading);
    the first OPD (Dinas Pendidikan) has twice as many bidang. 3 IKI per RHK, varied as in the demo regency. A sprinkling of
    defects: activity language, orphans, a dangling link, a cycle, an employee without SKP.
    """
    from skp_app.org.models import Instansi, Jabatan, Pegawai, UnitOrganisasi
    from skp_app.planning.models import (
        Iki,
        IndikatorSasaran,
        IndikatorTarget,
        Periode,
        Rhk,
        Sasaran,
        Skp,
    )

    rng = random.Random(seed)
    now = datetime(2026, 1, 5, 8, 0)
    conn = session.connection()
    conn.execute(insert(Instansi), [{"id": 1, "nama": "Pemerintah Kabupaten Sukamaju"}])
    units: list[dict] = [
        {
            "id": 1,
            "instansi_id": 1,
            # Every row needs every key: an executemany takes its columns from the first row.
            "parent_id": None,
            "opd_id": None,
            "nama": "Pemerintah Kabupaten Sukamaju",
            "jenis": "pemda",
            "is_opd": False,
            "created_at": now,
        }
    ]
    jabatan: list[dict] = [
        {
            "id": 1,
            "nama": "Bupati Sukamaju",
            "jenis": "kepala_daerah",
            "unit_id": 1,
            "atasan_id": None,
            "is_kepala_unit": True,
        }
    ]
    pegawai: list[dict] = []
    skps: list[dict] = []
    rhks: list[dict] = []
    ikis: list[dict] = []
    goals: list[dict] = []
    indikators: list[dict] = []
    targets: list[dict] = []
    ids = {"unit": 1, "jab": 1, "peg": 0, "skp": 0, "rhk": 0, "iki": 0, "goal": 0, "ind": 0}

    def nid(kind: str) -> int:
        ids[kind] += 1
        return ids[kind]

    nip_seq = iter(range(1, 10**6))

    def person(nama: str, jab_id: int, unit_id: int, asn: str = "PNS") -> int:
        pid = nid("peg")
        n = next(nip_seq)
        pegawai.append(
            {
                "id": pid,
                "nip": None if asn == "PEJABAT" else str(198000000000000000 + n),
                "nama": nama,
                "jabatan_id": jab_id,
                "unit_id": unit_id,
                "jenis_asn": asn,
                "kedudukan_hukum_id": "01",
                "golongan_id": 32,
                "created_at": now,
                "updated_at": now,
            }
        )
        return pid

    def skp(pid: int, penilai: int | None, unit_id: int, opd_id: int, jab_id: int, jpt=False):
        sid = nid("skp")
        skps.append(
            {
                "id": sid,
                "periode_id": 1,
                "pegawai_id": pid,
                "jabatan_id": jab_id,
                "unit_id": unit_id,
                "opd_id": opd_id,
                "penilai_pegawai_id": penilai,
                "is_jpt": jpt,
                "pendekatan": "kuantitatif",
                "status": "disetujui",
                "version": 1,
                "tanggal_mulai": date(2026, 1, 1),
                "tanggal_selesai": date(2026, 12, 31),
                "is_current": True,
                "penilai_is_override": False,
                "created_at": now,
                "updated_at": now,
            }
        )
        return sid

    def rhk(sid, parent_rhk=None, parent_goal=None, cascading="non_direct", docs=None):
        rid = nid("rhk")
        topic = rng.choice(TOPICS)
        text = rng.choice(RESULTS).format(topic) + f" {rid}"
        if rng.random() < 0.01:
            text = "Menyusun laporan " + rng.choice(TOPICS)
        jenis = "utama" if rng.random() > 0.05 else "tambahan"
        if rng.random() < 0.002:
            parent_rhk = parent_goal = None
        rhks.append(
            {
                "id": rid,
                "skp_id": sid,
                "jenis": jenis,
                "urutan": 0,
                "teks": text,
                "parent_rhk_id": parent_rhk,
                "parent_sasaran_id": parent_goal,
                "cascading": cascading,
                "created_at": now,
                "updated_at": now,
            }
        )
        # IKI vary as in the demo regency (about half the RHK have a set of their own): the
        # kuantitas names the topic and, outside direct cascading, has a target of its own;
        # kualitas and waktu come from a few usual wordings and targets.
        for n, (aspek, teks, target, satuan) in enumerate(
            (
                (
                    "kuantitas",
                    f"Jumlah dokumen {topic} yang diselesaikan",
                    docs if docs is not None else rng.randint(2, 60),
                    "Dokumen",
                ),
                ("kualitas", rng.choice(QUALITY), rng.choice((90, 95, 100, 100)), "%"),
                ("waktu", "Ketepatan waktu penyelesaian", rng.choice((3, 6, 12, 12, 12)), "Bulan"),
            )
        ):
            ikis.append(
                {
                    "id": nid("iki"),
                    "rhk_id": rid,
                    "aspek": aspek,
                    "urutan": n,
                    "teks": teks,
                    "target": Decimal(target),
                    "target_teks": "",
                    "satuan": satuan,
                    "lower_is_better": False,
                }
            )
        return rid

    def goal(level, jenis, teks, parent=None, supports=None, opd=None, target=None):
        gid = nid("goal")
        goals.append(
            {
                "id": gid,
                "level": level,
                "jenis": jenis,
                "parent_id": parent,
                "supports_id": supports,
                "opd_id": opd,
                "kode": "",
                "teks": teks,
                "tahun_awal": 2025,
                "tahun_akhir": 2029,
                "created_at": now,
            }
        )
        if target is not None:
            iid = nid("ind")
            indikators.append(
                {
                    "id": iid,
                    "sasaran_id": gid,
                    "teks": "Indeks kepuasan masyarakat",
                    "satuan": "indeks",
                    "is_iku": level == "regent",
                    "lower_is_better": False,
                }
            )
            targets.append(
                {"id": iid, "indikator_id": iid, "tahun": TAHUN, "target": Decimal(target)}
            )
        return gid

    bupati = person("H. Ahmad Fauzi", 1, 1, "PEJABAT")
    visi = goal("regent", "visi", "Sukamaju maju, sejahtera dan berdaya saing")
    misi = goal("regent", "misi", "Mewujudkan tata kelola pemerintahan yang baik", parent=visi)
    tujuan = goal("regent", "tujuan", "Meningkatnya kinerja pembangunan daerah", parent=misi)
    regent_goals = [
        goal(
            "regent",
            "sasaran",
            f"Meningkatnya kinerja daerah bidang {TOPICS[i % 10]} ({i})",
            parent=tujuan,
            target="80",
        )
        for i in range(20)
    ]
    for o in range(n_opd):
        opd = nid("unit")
        name = OPD_NAMES[o] if o < len(OPD_NAMES) else f"Dinas Urusan Daerah {o + 1}"
        units.append(
            {
                "id": opd,
                "instansi_id": 1,
                "parent_id": 1,
                "opd_id": opd,
                "nama": name,
                "jenis": "opd",
                "is_opd": True,
                "created_at": now,
            }
        )
        j_kepala = nid("jab")
        jabatan.append(
            {
                "id": j_kepala,
                "nama": f"Kepala {name}",
                "jenis": "jpt_pratama",
                "unit_id": opd,
                "atasan_id": 1,
                "is_kepala_unit": True,
            }
        )
        kepala = person(f"Kepala OPD {o + 1}", j_kepala, opd)
        kepala_skp = skp(kepala, bupati, opd, opd, j_kepala, jpt=True)
        opd_goals = [
            goal(
                "opd",
                "sasaran",
                f"Meningkatnya kualitas {rng.choice(TOPICS)} OPD {o + 1} ({k})",
                supports=rng.choice(regent_goals),
                opd=opd,
                target="82.5",
            )
            for k in range(5)
        ]
        jpt_rhks = [rhk(kepala_skp, parent_goal=g) for g in opd_goals]
        for b in range(10 if o == 0 else 5):
            bidang = nid("unit")
            units.append(
                {
                    "id": bidang,
                    "instansi_id": 1,
                    "parent_id": opd,
                    "opd_id": opd,
                    "nama": f"Bidang {b + 1} {name}",
                    "jenis": "bidang",
                    "is_opd": False,
                    "created_at": now,
                }
            )
            j_kabid = nid("jab")
            jabatan.append(
                {
                    "id": j_kabid,
                    "nama": f"Kepala Bidang {b + 1}",
                    "jenis": "administrator",
                    "unit_id": bidang,
                    "atasan_id": j_kepala,
                    "is_kepala_unit": True,
                }
            )
            kabid = person(f"Kabid {o + 1}.{b + 1}", j_kabid, bidang)
            kabid_skp = skp(kabid, kepala, bidang, opd, j_kabid)
            kabid_rhks = [rhk(kabid_skp, parent_rhk=rng.choice(jpt_rhks)) for _ in range(6)]
            for s in range(4):
                seksi = nid("unit")
                units.append(
                    {
                        "id": seksi,
                        "instansi_id": 1,
                        "parent_id": bidang,
                        "opd_id": opd,
                        "nama": f"Seksi {b + 1}.{s + 1} {name}",
                        "jenis": "seksi",
                        "is_opd": False,
                        "created_at": now,
                    }
                )
                j_kasi = nid("jab")
                j_staf = nid("jab")
                jabatan.append(
                    {
                        "id": j_kasi,
                        "nama": f"Kepala Seksi {b + 1}.{s + 1}",
                        "jenis": "pengawas",
                        "unit_id": seksi,
                        "atasan_id": j_kabid,
                        "is_kepala_unit": True,
                    }
                )
                jabatan.append(
                    {
                        "id": j_staf,
                        "nama": "Pengelola Data",
                        "jenis": "pelaksana",
                        "unit_id": seksi,
                        "atasan_id": j_kasi,
                        "is_kepala_unit": False,
                    }
                )
                kasi = person(f"Kasi {o + 1}.{b + 1}.{s + 1}", j_kasi, seksi)
                kasi_skp = skp(kasi, kabid, seksi, opd, j_kasi)
                n_staff = rng.randint(22, 26)
                kasi_rhks = [
                    rhk(kasi_skp, parent_rhk=rng.choice(kabid_rhks), docs=2 * n_staff)
                    for _ in range(6)
                ]
                for t in range(n_staff):
                    staf = person(f"Staf {o + 1}.{b + 1}.{s + 1}.{t + 1}", j_staf, seksi)
                    if rng.random() < 0.002:
                        continue  # no SKP yet
                    staf_skp = skp(staf, kasi, seksi, opd, j_staf)
                    for parent in kasi_rhks:
                        rhk(staf_skp, parent_rhk=parent, cascading="direct", docs=2)
    # A dangling link: a staff RHK intervenes an RHK of an SKP that was closed (transfer).
    closed = skps[-5]
    closed["is_current"] = False
    closed["status"] = "ditutup"
    closed_rhk = next(r["id"] for r in rhks if r["skp_id"] == closed["id"])
    rhks[-1]["parent_rhk_id"] = closed_rhk
    # A cycle between two RHK (set after the insert: the foreign key is checked per row).
    cycle = (rhks[-2]["id"], rhks[-3]["id"])

    conn.execute(insert(UnitOrganisasi), units)
    conn.execute(insert(Jabatan), jabatan)
    conn.execute(insert(Pegawai), pegawai)
    conn.execute(
        insert(Periode),
        [
            {
                "id": 1,
                "tahun": TAHUN,
                "nama": "Periode 2026",
                "tanggal_mulai": date(2026, 1, 1),
                "tanggal_selesai": date(2026, 12, 31),
                "is_open": True,
                "periodik": "triwulan",
                "created_at": now,
            }
        ],
    )
    conn.execute(insert(Sasaran), goals)
    if indikators:
        conn.execute(insert(IndikatorSasaran), indikators)
        conn.execute(insert(IndikatorTarget), targets)
    conn.execute(insert(Skp), skps)
    # Parents have smaller ids than their children, so id order satisfies the foreign key.
    for i in range(0, len(rhks), 20000):
        conn.execute(insert(Rhk), rhks[i : i + 20000])
    for i in range(0, len(ikis), 50000):
        conn.execute(insert(Iki), ikis[i : i + 50000])
    conn.execute(update(Rhk).where(Rhk.id == cycle[0]).values(parent_rhk_id=cycle[1]))
    conn.execute(update(Rhk).where(Rhk.id == cycle[1]).values(parent_rhk_id=cycle[0]))
    session.commit()
    return {
        "unit": len(units),
        "pegawai": len(pegawai),
        "skp": len(skps),
        "rhk": len(rhks),
        "iki": len(ikis),
        "sasaran": len(goals),
    }


def _build_demo(session) -> dict[str, int] | None:
    """Build the large demo regency with the demo generator, when it exists."""
    try:
        from skp_app.demo.generator import build_demo
    except ImportError:
        return None
    build_demo(session, size="large", seed=1)
    session.commit()
    return None


# --------------------------------------------------------------------------- timing


def _time(fn, repeat: int, cpu: list[float] | None = None):
    """Run ``fn`` ``repeat`` times; return (last result, min wall, median wall).

    With ``cpu`` given, the process CPU time of each run is appended to it (the figure that
    does not depend on what else the machine runs, minus the database server's share).
    """
    times = []
    result = None
    for _ in range(repeat):
        result = None  # free the previous run's result outside the timed part
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        if cpu is not None:
            cpu.append(time.process_time() - start_cpu)
    return result, min(times), statistics.median(times)


def _fresh_split(url: str, repeat: int) -> None:
    """Time ``check_periode`` in a new process, as ``skp cascade check`` and an RQ job run it.

    A process that has just built and freed several whole-periode graphs (this one) has a
    fragmented heap: after the fork both processes then allocate into pages they still share,
    and every first write to such a page is a copy (~15-25 % slower here).
    """
    import subprocess

    subprocess.run(
        [sys.executable, __file__, "--split-only", url, "--repeat", str(repeat)], check=True
    )


def split_only(url: str, repeat: int) -> None:
    """The body of :func:`_fresh_split` (``--split-only``)."""
    from skp_app import create_app
    from skp_app.cascading.fullcheck import check_periode
    from skp_app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + "x" * 40})
    with app.app_context():
        check_periode(db.session, TAHUN, workers=1)  # warm-up: mappers, compiled statements
        db.session.rollback()
        cpu: list[float] = []

        def once():
            db.session.rollback()
            return check_periode(db.session, TAHUN, workers=2)

        split, s_min, s_med = _time(once, repeat, cpu)
        print(
            f"check_periode (x{split.workers}) : min {_ms(s_min)}  median {_ms(s_med)}  "
            f"(this process CPU min {_ms(min(cpu))}; {len(split.findings)} findings; "
            f"load {os.getloadavg()[0]:.1f}) — in a fresh process"
        )


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def run(
    url: str, label: str, n_opd: int, repeat: int, reuse: bool = False, synthetic: bool = False
) -> None:
    from skp_app import create_app
    from skp_app.auth.operations import create_user
    from skp_app.cascading.fullcheck import check_periode
    from skp_app.cascading.graph import build_cascade_graph
    from skp_app.cascading.queries import cascade_for, check_rhk_saved, load_cascade_rows
    from skp_app.cascading.rules import check_cascade
    from skp_app.extensions import db
    from skp_app.planning.models import Rhk, Skp

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench-" + "x" * 40,
            "WTF_CSRF_ENABLED": False,
            "SKP_JOBS_EAGER": True,
        }
    )
    print(f"\n== {label}: {url.split('@')[-1]}")
    with app.app_context():
        t0 = time.perf_counter()
        counts = None
        if reuse:
            source = "existing database"
        else:
            db.drop_all()
            db.create_all()
            source = "demo generator (large)"
            if not synthetic:
                _build_demo(db.session)
            if db.session.scalar(select(func.count(Rhk.id))) == 0:
                counts = build_synthetic(db.session, n_opd)
                source = "synthetic regency"
        n_rhk = db.session.scalar(select(func.count(Rhk.id)))
        n_skp = db.session.scalar(select(func.count(Skp.id)))
        print(f"dataset: {source}, {n_skp} SKP, {n_rhk} RHK ({time.perf_counter() - t0:.1f} s)")
        if counts:
            print("   ", ", ".join(f"{k} {v}" for k, v in counts.items()))
        from skp_app.auth.models import User

        if db.session.scalar(select(User.id).where(User.username == "bench-admin")) is None:
            create_user(
                db.session, "bench-admin", "Rahasia123", roles=[("admin", None)], actor="bench"
            )
            db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # A database in use has been vacuumed by autovacuum: set the hint bits and the
            # visibility map of the freshly written rows now, as it would have (otherwise the
            # first reads dirty and write back every page they touch).
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")

        def load():
            db.session.expire_all()
            return load_cascade_rows(db.session, TAHUN)

        rows, l_min, l_med = _time(load, repeat)
        graph, b_min, b_med = _time(
            lambda: build_cascade_graph(rows.goals, rows.rhks, rows.people, tahun=TAHUN), repeat
        )
        findings, c_min, c_med = _time(lambda: check_cascade(graph), repeat)
        print(
            f"load_cascade_rows   : min {_ms(l_min)}  median {_ms(l_med)}  "
            f"({len(rows.goals)} sasaran, {len(rows.rhks)} RHK, {len(rows.people)} pegawai)"
        )
        print(f"build_cascade_graph : min {_ms(b_min)}  median {_ms(b_med)}")
        print(
            f"check_cascade       : min {_ms(c_min)}  median {_ms(c_med)}  "
            f"({len(findings)} findings)"
        )
        print(
            f"load + build + check: min {_ms(l_min + b_min + c_min)}  "
            f"median {_ms(l_med + b_med + c_med)}"
        )
        cpu: list[float] = []
        (_g, whole), w_min, w_med = _time(lambda: cascade_for(db.session, TAHUN), repeat, cpu)
        _g = None
        print(
            f"cascade_for(periode): min {_ms(w_min)}  median {_ms(w_med)}  "
            f"(process CPU min {_ms(min(cpu))}; load {os.getloadavg()[0]:.1f})"
        )
        cpu = []
        split, s_min, s_med = _time(
            lambda: check_periode(db.session, TAHUN, workers=2), repeat, cpu
        )
        assert split.findings == whole, "the split check differs from the one-graph check"
        print(
            f"check_periode (x{split.workers}) : min {_ms(s_min)}  median {_ms(s_med)}  "
            f"(this process CPU min {_ms(min(cpu))}; {len(split.findings)} findings, equal to "
            f"cascade_for; load {os.getloadavg()[0]:.1f}) — in this process, after the runs above"
        )
        split = whole = None
        _fresh_split(url, repeat)

        by_level: dict[int, str] = {}
        for r in rows.rhks:
            by_level.setdefault(r.level, r.id)
        for level, rid in sorted(by_level.items()):
            found, n_min, n_med = _time(lambda rid=rid: check_rhk_saved(db.session, rid), 10)
            print(
                f"check_rhk_saved     : min {_ms(n_min)}  median {_ms(n_med)}  "
                f"(level {level}, rhk {rid}, {len(found)} findings)"
            )

        sizes: dict[int, int] = {}
        for r in rows.rhks:
            sizes[r.opd_id] = sizes.get(r.opd_id, 0) + 1
        largest = max(sizes, key=sizes.get)
        staff = next(r.owner_pegawai_id for r in rows.rhks if r.opd_id == largest and r.level == 5)
        (_g, opd_findings), o_min, o_med = _time(
            lambda: cascade_for(db.session, TAHUN, largest), repeat
        )
        print(
            f"cascade_for(OPD)    : min {_ms(o_min)}  median {_ms(o_med)}  "
            f"(OPD {largest}, {sizes[largest]} RHK, {len(opd_findings)} findings)"
        )
    rows = graph = findings = None  # free the memory before the page timings

    client = app.test_client()
    resp = client.post("/login", data={"login": "bench-admin", "password": "Rahasia123"})
    assert resp.status_code == 302, resp.status_code
    url_tree = f"/cascading/pohon/opd/{largest}?tahun={TAHUN}"

    def page():
        r = client.get(url_tree)
        assert r.status_code == 200, r.status_code
        return r

    page()  # warm-up (template compilation)
    resp, p_min, p_med = _time(page, repeat)
    print(
        f"OPD tree page       : min {_ms(p_min)}  median {_ms(p_med)}  "
        f"(OPD {largest}, {sizes[largest]} RHK, {len(resp.data) // 1024} KiB)"
    )
    url_lineage = f"/cascading/pohon/pegawai/{staff}?tahun={TAHUN}"
    client.get(url_lineage)
    _, g_min, g_med = _time(lambda: client.get(url_lineage), repeat)
    print(f"lineage page        : min {_ms(g_min)}  median {_ms(g_med)}  (pegawai {staff})")
    url_findings = f"/cascading/temuan?tahun={TAHUN}&opd={largest}"
    client.get(url_findings)
    _, f_min, f_med = _time(lambda: client.get(url_findings), repeat)
    print(f"OPD findings page   : min {_ms(f_min)}  median {_ms(f_med)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opd", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file")
    parser.add_argument(
        "--synthetic",
        action="store_true",
        help="use the synthetic regency (~120,000 RHK with --opd 40) instead of the demo",
    )
    parser.add_argument("--db", help="reuse this SQLite file (built by an earlier --keep run)")
    parser.add_argument(
        "--reuse-pg", action="store_true", help="reuse the data already in SKP_BENCH_DATABASE_URL"
    )
    parser.add_argument(
        "--no-sqlite",
        action="store_true",
        help="only PostgreSQL (a fresh process: no leftovers of the SQLite run in the heap)",
    )
    parser.add_argument("--split-only", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.split_only:
        split_only(args.split_only, args.repeat)
        return
    pg = os.environ.get("SKP_BENCH_DATABASE_URL")
    if args.no_sqlite:
        if not pg:
            parser.error("--no-sqlite needs SKP_BENCH_DATABASE_URL")
        run(pg, "PostgreSQL", args.opd, args.repeat, reuse=args.reuse_pg, synthetic=args.synthetic)
        return
    if args.db:
        run(f"sqlite:///{Path(args.db).resolve()}", "SQLite", args.opd, args.repeat, reuse=True)
        if pg:
            run(
                pg,
                "PostgreSQL",
                args.opd,
                args.repeat,
                reuse=args.reuse_pg,
                synthetic=args.synthetic,
            )
        return
    tmp = Path(tempfile.mkdtemp(prefix="skp-bench-"))
    path = tmp / "bench.db"
    try:
        run(f"sqlite:///{path}", "SQLite", args.opd, args.repeat, synthetic=args.synthetic)
    finally:
        if not args.keep:
            for p in tmp.glob("bench.db*"):
                p.unlink()
            tmp.rmdir()
        else:
            print(f"kept {path}")
    if pg:
        run(pg, "PostgreSQL", args.opd, args.repeat, reuse=args.reuse_pg, synthetic=args.synthetic)


if __name__ == "__main__":
    main()
