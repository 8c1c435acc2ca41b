"""Benchmark of the monthly TPP recap (capaian, activity points, TPP basis) of a large regency.

Builds, with direct bulk inserts on a fresh database, a regency of ``--pegawai`` employees
(default 20,000) in 40 OPD, each with an approved 2026 SKP (3 RHK utama × 2 IKI), a year of
monthly realisasi (``--realisasi-months``, default 12: about 1.44 million rows), two daily
activities per working day in March 2026 (about 0.9 million rows, mostly approved) and the
fingerprint attendance of March (about 0.4 million rows, with lateness, early leave, leave
and absence), plus a TPP policy with a pagu per kelas jabatan. It then times
``skp_app.realization.tpp_recap.run_recap`` for March (all OPDs) including the commit, and
reports the total and the SQL aggregation part (``summary["timing"]``).

    .venv/bin/python benchmarks/bench_recap.py [--pegawai 20000] [--repeat 3]
    SKP_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/skp_bench \\
        .venv/bin/python benchmarks/bench_recap.py      # SQLite, then PostgreSQL

The PostgreSQL database named by SKP_BENCH_DATABASE_URL is emptied (drop_all/create_all).
Targets (issue): full monthly recap < 10 s and its SQL part < 1 s, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from skp_app import create_app  # noqa: E402
from skp_app.extensions import db  # noqa: E402
from skp_app.org.models import Instansi, Jabatan, Pegawai, UnitOrganisasi  # noqa: E402
from skp_app.planning.models import Iki, Periode, Rhk, Skp  # noqa: E402
from skp_app.realization.models import (  # noqa: E402
    Aktivitas,
    Kehadiran,
    Realisasi,
    TppPolicyVersion,
    TppRecap,
)
from skp_app.realization.tpp import PRESET_DEFAULT  # noqa: E402
from skp_app.realization.tpp_recap import run_recap  # noqa: E402

TAHUN, BULAN = 2026, 3
HOLIDAYS = (date(2026, 3, 19), date(2026, 3, 20))  # Nyepi and cuti bersama Idul Fitri
CHUNK = 50_000
PAGU = {
    "6": 3_000_000,
    "7": 3_400_000,
    "8": 4_000_000,
    "9": 4_800_000,
    "11": 7_000_000,
    "14": 12_000_000,
}
NAMES = ("Budi", "Siti", "Agus", "Dewi", "Made", "Wayan", "Rina", "Hendra", "Yusuf", "Ani")
SURNAMES = ("Santoso", "Rahmawati", "Saputra", "Lestari", "Gunawan", "Wijaya", "Hidayat")


def _fill(table) -> dict:
    """Column defaults of ``table`` (scalar or callable) and None for the other columns."""
    values = {}
    for column in table.columns:
        default = column.default
        if default is None:
            values[column.name] = None
        elif default.is_scalar:
            values[column.name] = default.arg
        elif default.is_callable:
            values[column.name] = default.arg(None)
    return values


def _bulk(model, rows) -> int:
    """Insert an iterable of dicts in chunks with Core executemany (defaults filled in)."""
    table = model.__table__
    fill = _fill(table)
    total = 0
    chunk: list[dict] = []
    conn = db.session.connection()
    for row in rows:
        chunk.append({**fill, **row})
        if len(chunk) >= CHUNK:
            conn.execute(table.insert(), chunk)
            total += len(chunk)
            chunk = []
    if chunk:
        conn.execute(table.insert(), chunk)
        total += len(chunk)
    return total


def _working_days() -> list[date]:
    days = [date(TAHUN, BULAN, d) for d in range(1, 32)]
    return [d for d in days if d.weekday() < 5 and d not in HOLIDAYS]


def build(n_pegawai: int, n_opd: int, realisasi_months: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    now = datetime(2026, 1, 5, 1, 0)
    counts: dict[str, int] = {}
    _bulk(
        Instansi,
        [
            {
                "id": 1,
                "nama": "Pemerintah Kabupaten Sukamaju",
                "jenis": "kabupaten",
                "settings": {"hari_libur": [d.isoformat() for d in HOLIDAYS]},
            }
        ],
    )
    units, jabatan = [], []
    unit_id = jab_id = 0
    staff_jabatan: dict[int, list[tuple[int, int]]] = {}  # opd → [(jabatan id, unit id)]
    heads: dict[int, tuple[int, int]] = {}
    for o in range(n_opd):
        unit_id += 1
        opd = unit_id
        units.append(
            {
                "id": opd,
                "instansi_id": 1,
                "opd_id": opd,
                "nama": f"Dinas {o + 1:02d}",
                "jenis": "opd",
                "is_opd": True,
                "created_at": now,
            }
        )
        jab_id += 1
        jabatan.append(
            {
                "id": jab_id,
                "nama": f"Kepala Dinas {o + 1:02d}",
                "jenis": "jpt_pratama",
                "eselon_id": "22",
                "kelas_jabatan": 14,
                "unit_id": opd,
                "is_kepala_unit": True,
            }
        )
        heads[opd] = (jab_id, opd)
        staff_jabatan[opd] = []
        for b in range(5):
            unit_id += 1
            jabatan_rows = [
                ("Kepala Bidang", "administrator", 11, True),
                ("Kepala Seksi", "pengawas", 9, False),
                ("Pranata Komputer Ahli Pertama", "fungsional", 8, False),
                ("Analis Kebijakan", "pelaksana", 7, False),
                ("Pengadministrasi Umum", "pelaksana", 6, False),
            ]
            units.append(
                {
                    "id": unit_id,
                    "instansi_id": 1,
                    "parent_id": opd,
                    "opd_id": opd,
                    "nama": f"Bidang {b + 1} Dinas {o + 1:02d}",
                    "jenis": "bidang",
                    "created_at": now,
                }
            )
            for nama, jenis, kelas, head in jabatan_rows:
                jab_id += 1
                jabatan.append(
                    {
                        "id": jab_id,
                        "nama": nama,
                        "jenis": jenis,
                        "kelas_jabatan": kelas,
                        "unit_id": unit_id,
                        "atasan_id": heads[opd][0],
                        "is_kepala_unit": head,
                        "jenjang": "PT" if jenis == "fungsional" else None,
                    }
                )
                staff_jabatan[opd].append((jab_id, unit_id))
    counts["unit"] = _bulk(UnitOrganisasi, units)
    counts["jabatan"] = _bulk(Jabatan, jabatan)
    _bulk(
        Periode,
        [
            {
                "id": 1,
                "tahun": TAHUN,
                "nama": "Periode 2026",
                "tanggal_mulai": date(TAHUN, 1, 1),
                "tanggal_selesai": date(TAHUN, 12, 31),
                "periodik": "triwulan",
                "created_at": now,
            }
        ],
    )

    def pegawai_rows():
        for i in range(n_pegawai):
            opd = (i % n_opd) * 6 + 1
            if i < n_opd:
                jab, unit = heads[opd]
            else:
                jab, unit = staff_jabatan[opd][rng.randrange(len(staff_jabatan[opd]))]
            birth = date(1970, 1, 1) + timedelta(days=i // 999)
            yield {
                "id": i + 1,
                "nip": f"{birth:%Y%m%d}201003{1 + i % 2}{i % 999 + 1:03d}",
                "nama": f"{NAMES[i % len(NAMES)]} {SURNAMES[(i // 7) % len(SURNAMES)]}",
                "jenis_kelamin": "L" if i % 2 == 0 else "P",
                "tanggal_lahir": birth,
                "jenis_asn": "PNS",
                "golongan_id": rng.choice((31, 32, 33, 34, 41)),
                "jabatan_id": jab,
                "unit_id": unit,
                "kedudukan_hukum_id": "01",
                "created_at": now,
                "updated_at": now,
            }

    counts["pegawai"] = _bulk(Pegawai, pegawai_rows())
    opd_of = {i + 1: (i % n_opd) * 6 + 1 for i in range(n_pegawai)}
    counts["skp"] = _bulk(
        Skp,
        (
            {
                "id": pid,
                "periode_id": 1,
                "pegawai_id": pid,
                "unit_id": None,
                "opd_id": opd_of[pid],
                "status": "disetujui",
                "tanggal_mulai": date(TAHUN, 1, 2),
                "tanggal_selesai": date(TAHUN, 12, 31),
                "approved_at": now,
                "is_current": True,
                "created_at": now,
                "updated_at": now,
            }
            for pid in range(1, n_pegawai + 1)
        ),
    )
    counts["rhk"] = _bulk(
        Rhk,
        (
            {
                "id": (pid - 1) * 3 + r + 1,
                "skp_id": pid,
                "jenis": "utama",
                "urutan": r,
                "teks": f"Tersusunnya dokumen layanan {r + 1}",
                "created_at": now,
                "updated_at": now,
            }
            for pid in range(1, n_pegawai + 1)
            for r in range(3)
        ),
    )

    def iki_rows():
        for rhk_id in range(1, n_pegawai * 3 + 1):
            yield {
                "id": rhk_id * 2 - 1,
                "rhk_id": rhk_id,
                "aspek": "kuantitas",
                "teks": "Jumlah dokumen",
                "target": Decimal(12),
                "satuan": "Dokumen",
            }
            ranged = rhk_id % 5 == 0
            yield {
                "id": rhk_id * 2,
                "rhk_id": rhk_id,
                "aspek": "kualitas",
                "urutan": 1,
                "teks": "Persentase dokumen tanpa revisi",
                "target": Decimal(90),
                "target_max": Decimal(100) if ranged else None,
                "satuan": "%",
            }

    counts["iki"] = _bulk(Iki, iki_rows())

    def realisasi_rows():
        rid = 0
        for iki_id in range(1, n_pegawai * 6 + 1):
            rhk_id = (iki_id + 1) // 2
            skp_id = (rhk_id - 1) // 3 + 1
            percent = iki_id % 2 == 0
            for bulan in range(1, realisasi_months + 1):
                rid += 1
                value = rng.choice((85, 90, 95, 100)) if percent else rng.choice((0, 1, 1, 1, 2))
                yield {
                    "id": rid,
                    "iki_id": iki_id,
                    "skp_id": skp_id,
                    "tahun": TAHUN,
                    "bulan": bulan,
                    "nilai": Decimal(value),
                    "catatan": "",
                    "status": "terverifikasi" if rid % 10 else "diajukan",
                    "created_at": now,
                    "updated_at": now,
                }

    counts["realisasi"] = _bulk(Realisasi, realisasi_rows())
    working = _working_days()

    def activity_rows():
        aid = 0
        for pid in range(1, n_pegawai + 1):
            for day in working:
                for slot in range(2):
                    aid += 1
                    menit = rng.choice((120, 150, 180, 210, 240))
                    start = dtime(8 if slot == 0 else 13, 0)
                    roll = rng.random()
                    yield {
                        "id": aid,
                        "pegawai_id": pid,
                        "tanggal": day,
                        "jam_mulai": start,
                        "jam_selesai": dtime(start.hour + menit // 60, menit % 60),
                        "menit": menit,
                        "uraian": "Menyusun dokumen layanan",
                        "rhk_id": (pid - 1) * 3 + 1 + slot,
                        "volume": 1,
                        "poin": Decimal(menit),
                        "status": "disetujui"
                        if roll < 0.9
                        else ("diajukan" if roll < 0.97 else "ditolak"),
                        "flags": [],
                        "created_at": now,
                        "updated_at": now,
                    }

    counts["aktivitas"] = _bulk(Aktivitas, activity_rows())

    def attendance_rows():
        kid = 0
        for pid in range(1, n_pegawai + 1):
            for day in working:
                roll = rng.random()
                if roll < 0.01:
                    continue  # no record at all → absent
                kid += 1
                if roll < 0.02:
                    yield {"id": kid, "pegawai_id": pid, "tanggal": day, "keterangan": "alpa"}
                    continue
                if roll < 0.04:
                    yield {
                        "id": kid,
                        "pegawai_id": pid,
                        "tanggal": day,
                        "keterangan": rng.choice(("izin", "sakit", "cuti", "dinas_luar")),
                    }
                    continue
                late = rng.random()
                masuk = 7 * 60 + (
                    rng.randint(-20, 0)
                    if late < 0.8
                    else rng.randint(1, 60)
                    if late < 0.95
                    else rng.randint(61, 150)
                )
                pulang = 16 * 60 + (
                    rng.randint(0, 30) if rng.random() < 0.9 else -rng.randint(1, 120)
                )
                yield {
                    "id": kid,
                    "pegawai_id": pid,
                    "tanggal": day,
                    "jam_masuk": dtime(masuk // 60, masuk % 60) if roll > 0.045 else None,
                    "jam_pulang": dtime(pulang // 60, pulang % 60),
                    "keterangan": "hadir",
                }

    counts["kehadiran"] = _bulk(Kehadiran, attendance_rows())
    _bulk(
        TppPolicyVersion,
        [
            {
                "id": 1,
                "instansi_id": 1,
                "version": 1,
                "policy": PRESET_DEFAULT.to_dict(),
                "pagu_per_kelas": PAGU,
                "berlaku_mulai": date(TAHUN, 1, 1),
                "created_at": now,
            }
        ],
    )
    db.session.commit()
    return counts


def _analyze() -> None:
    """Refresh planner statistics (PostgreSQL: VACUUM too, as autovacuum would after a load)."""
    db.session.commit()
    if db.engine.dialect.name == "sqlite":
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")


def run(url: str, args) -> dict:
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + "x" * 40, "SKP_JOBS_EAGER": True}
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        t0 = time.perf_counter()
        counts = build(args.pegawai, args.opd, args.realisasi_months)
        _analyze()
        build_s = time.perf_counter() - t0
        print(
            f"  dataset built in {build_s:.1f} s: "
            + ", ".join(f"{k} {v:,}" for k, v in counts.items())
        )
        totals, sqls, pythons, inserts = [], [], [], []
        for _ in range(args.repeat):
            db.session.expire_all()
            load = os.getloadavg()[0]
            t0, c0 = time.perf_counter(), time.process_time()
            recap = run_recap(db.session, TAHUN, BULAN, actor="bench", today=date(TAHUN, 4, 6))
            db.session.commit()
            total = time.perf_counter() - t0
            cpu = time.process_time() - c0
            timing = recap.summary["timing"]
            totals.append(total)
            sqls.append(timing["sql"])
            pythons.append(timing["python"])
            inserts.append(timing["insert"])
            print(
                f"  recap {recap.line_count:,} lines: total {total:.2f} s "
                f"(SQL {timing['sql']:.2f} s, Python {timing['python']:.2f} s, "
                f"insert {timing['insert']:.2f} s); this process's CPU {cpu:.2f} s; "
                f"load average {load:.1f} on {os.cpu_count()} CPUs"
            )
        lines = db.session.scalar(select(func.count()).select_from(TppRecap))
        assert lines == args.repeat
        db.session.remove()
    return {
        "total": statistics.median(totals),
        "sql": statistics.median(sqls),
        "python": statistics.median(pythons),
        "insert": statistics.median(inserts),
        "counts": counts,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pegawai", type=int, default=20_000)
    parser.add_argument("--opd", type=int, default=40)
    parser.add_argument("--realisasi-months", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    targets = []
    with tempfile.TemporaryDirectory() as tmp:
        targets.append(("SQLite", f"sqlite:///{Path(tmp) / 'bench_recap.db'}"))
        pg = os.environ.get("SKP_BENCH_DATABASE_URL")
        if pg:
            targets.append(("PostgreSQL", pg))
        ok = True
        for name, url in targets:
            print(f"== {name}")
            result = run(url, args)
            verdict = result["total"] < 10 and result["sql"] < 1
            ok = ok and verdict
            print(
                f"  median: total {result['total']:.2f} s (target < 10), SQL "
                f"{result['sql']:.2f} s (target < 1) → {'OK' if verdict else 'MISSED'}"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
