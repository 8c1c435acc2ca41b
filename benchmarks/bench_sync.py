"""Benchmark: personnel sync of a 20,000-employee SIASN export (plan + apply, then a rerun).

Targets (sync issue): ≥ 5,000 records/s end to end for plan+apply on SQLite and PostgreSQL;
the unchanged rerun ≥ 3× faster than the first run; memory bounded — a 10× larger file must not
need 10× the memory (measured with tracemalloc).

Run: .venv/bin/python benchmarks/bench_sync.py [--rows 20000] [--no-10x]
     SKP_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/skp_bench_sync … also
     runs the timing on PostgreSQL (the database is emptied first).
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import random
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select, text

from skp_app import create_app
from skp_app.extensions import db
from skp_app.org.models import Pegawai
from skp_app.sync import engine
from skp_app.sync.adapters.siasn_csv import SiasnCsvAdapter

COLUMNS = (
    "pns_id nip_baru nip_lama nama gelar_depan gelar_belakang tempat_lahir_id tempat_lahir_nama "
    "tanggal_lahir jenis_kelamin agama_id agama_nama jenis_kawin_id jenis_kawin_nama nik "
    "nomor_hp email email_gov alamat npwp_nomor bpjs jenis_pegawai_id jenis_pegawai_nama "
    "kedudukan_hukum_id kedudukan_hukum_nama status_cpns_pns kartu_asn_virtual nomor_sk_cpns "
    "tanggal_sk_cpns tmt_cpns nomor_sk_pns tanggal_sk_pns tmt_pns gol_awal_id gol_awal_nama "
    "gol_akhir_id gol_akhir_nama tmt_golongan mk_tahun mk_bulan jenis_jabatan_id "
    "jenis_jabatan_nama jabatan_id jabatan_nama tmt_jabatan tingkat_pendidikan_id "
    "tingkat_pendidikan_nama pendidikan_id pendidikan_nama tahun_lulus kpkn_id kpkn_nama "
    "lokasi_kerja_id lokasi_kerja_nama unor_id unor_nama instansi_induk_id instansi_induk_nama "
    "instansi_kerja_id instansi_kerja_nama satuan_kerja_induk_id satuan_kerja_induk_nama "
    "satuan_kerja_kerja_id satuan_kerja_kerja_nama is_valid_nik"
).split()
OPD = [
    "DINAS PENDIDIKAN DAN KEBUDAYAAN",
    "DINAS KESEHATAN",
    "DINAS PEKERJAAN UMUM DAN PENATAAN RUANG",
    "DINAS PERUMAHAN DAN KAWASAN PERMUKIMAN",
    "DINAS SOSIAL",
    "DINAS TENAGA KERJA",
    "DINAS PEMBERDAYAAN PEREMPUAN DAN PERLINDUNGAN ANAK",
    "DINAS KETAHANAN PANGAN",
    "DINAS LINGKUNGAN HIDUP",
    "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL",
    "DINAS PEMBERDAYAAN MASYARAKAT DAN DESA",
    "DINAS PERHUBUNGAN",
    "DINAS KOMUNIKASI DAN INFORMATIKA",
    "DINAS KOPERASI DAN USAHA MIKRO",
    "DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU PINTU",
    "DINAS KEPEMUDAAN DAN OLAHRAGA",
    "DINAS PARIWISATA",
    "DINAS PERPUSTAKAAN DAN KEARSIPAN",
    "DINAS PERIKANAN",
    "DINAS PERTANIAN",
    "DINAS PERDAGANGAN DAN PERINDUSTRIAN",
    "SATUAN POLISI PAMONG PRAJA",
    "BADAN PERENCANAAN PEMBANGUNAN DAERAH",
    "BADAN KEUANGAN DAN ASET DAERAH",
    "BADAN KEPEGAWAIAN DAN PENGEMBANGAN SUMBER DAYA MANUSIA",
    "BADAN PENANGGULANGAN BENCANA DAERAH",
    "BADAN KESATUAN BANGSA DAN POLITIK",
    "INSPEKTORAT DAERAH",
    "SEKRETARIAT DPRD",
    "BADAN PENDAPATAN DAERAH",
    "RUMAH SAKIT UMUM DAERAH SUKAMAJU",
    "KECAMATAN SUKAMAJU",
    "KECAMATAN MEKARSARI",
    "KECAMATAN TANJUNG BARU",
    "KECAMATAN SUKADAMAI",
    "KECAMATAN LEMBAH HIJAU",
    "DINAS PEMADAM KEBAKARAN",
    "DINAS PETERNAKAN",
    "DINAS PERKEBUNAN",
    "DINAS KELAUTAN",
]
BIDANG = ["PROGRAM DAN EVALUASI", "PELAYANAN", "PENGEMBANGAN", "PENGENDALIAN"]
SEKSI = ["PERENCANAAN", "PELAKSANAAN", "PEMANTAUAN"]
SUBBAG = ["UMUM DAN KEPEGAWAIAN", "KEUANGAN", "PERENCANAAN"]
FIRST = [
    "AGUS",
    "BUDI",
    "SITI",
    "DEWI",
    "RINA",
    "HENDRA",
    "YULIANA",
    "I WAYAN",
    "NI LUH",
    "MARIA",
    "YOHANES",
    "ANDI",
    "MUHAMMAD",
    "NURUL",
    "EKO",
    "SRI",
    "RUDI",
    "FITRIANI",
    "BAMBANG",
    "WULAN",
    "DEDI",
    "RATNA",
    "SAMUEL",
    "FRANSISKA",
    "ARIF",
    "NOVITA",
    "HERU",
    "INDAH",
]
LAST = [
    "SANTOSO",
    "WIJAYA",
    "LESTARI",
    "HARTONO",
    "SAPUTRA",
    "RAHAYU",
    "KURNIAWAN",
    "HIDAYAT",
    "PRATAMA",
    "SUDARMA",
    "ARYANI",
    "TUMBELAKA",
    "WOWOR",
    "LUMINTANG",
    "SIREGAR",
    "NASUTION",
    "PANGKEY",
    "LAOH",
    "RUNTU",
    "SALIM",
    "SETIAWAN",
    "PURNOMO",
    "MARLINA",
    "HALIM",
]
STAFF_JOBS = [
    ("4", "PENGADMINISTRASI UMUM"),
    ("4", "PENGELOLA KEUANGAN"),
    ("4", "PENGELOLA DATA"),
    ("4", "ANALIS KEBIJAKAN"),
    ("2", "ANALIS KEBIJAKAN AHLI PERTAMA"),
    ("2", "PRANATA KOMPUTER AHLI PERTAMA"),
    ("2", "PERENCANA AHLI MUDA"),
    ("2", "GURU AHLI PERTAMA"),
    ("2", "PERAWAT TERAMPIL"),
    ("2", "BIDAN AHLI PERTAMA"),
    ("2", "ARSIPARIS AHLI PERTAMA"),
    ("2", "AUDITOR AHLI MUDA"),
]
GOLONGAN = {
    "11": "I/a",
    "21": "II/a",
    "22": "II/b",
    "23": "II/c",
    "31": "III/a",
    "32": "III/b",
    "33": "III/c",
    "34": "III/d",
    "41": "IV/a",
    "42": "IV/b",
    "43": "IV/c",
}
INSTANSI = "A5EB03E23C37F6A0E040640A040252AD"


def _units():
    """The regency's unit tree as (id, name, head title) with SIASN-style suffixed names."""
    rnd = random.Random(7)
    out = []

    def uid():
        return f"{rnd.getrandbits(128):032x}"

    for opd in OPD:
        head = "CAMAT" if opd.startswith("KECAMATAN") else f"KEPALA {opd}"
        out.append((uid(), opd, head))
        sek = f"SEKRETARIAT {opd}"
        out.append((uid(), sek, f"SEKRETARIS {opd}"))
        for sb in SUBBAG:
            out.append((uid(), f"SUB BAGIAN {sb} {sek}", f"KEPALA SUB BAGIAN {sb}"))
        for b in BIDANG:
            bidang = f"BIDANG {b} {opd}"
            out.append((uid(), bidang, f"KEPALA BIDANG {b}"))
            for s in SEKSI:
                out.append((uid(), f"SEKSI {s} {bidang}", f"KEPALA SEKSI {s}"))
    return out


def generate(path: Path, rows: int, seed: int = 1) -> int:
    """Write a SIASN export of ``rows`` employees (valid NIPs consistent with birth dates)."""
    rnd = random.Random(seed)
    units = _units()
    used: dict[str, int] = {}
    unit_jobs: dict[str, list] = {}
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        w.writerow(COLUMNS)
        for i in range(rows):
            unit_id, unit_nama, head = units[i % len(units)]
            if i < len(units):
                jenis, jabatan, gol = "1", head, rnd.choice(["34", "41", "42"])
            else:
                # Each unit employs a handful of the position names, as real units do.
                jobs = unit_jobs.setdefault(unit_id, rnd.sample(STAFF_JOBS, 4))
                jenis, jabatan = rnd.choice(jobs)
                gol = rnd.choice(["22", "23", "31", "32", "33"])
            birth = date(1962, 1, 1) + timedelta(days=rnd.randrange(0, 365 * 38))
            tmt_year = min(2024, birth.year + rnd.randint(20, 32))
            tmt_month = rnd.randint(1, 12)
            gender = rnd.choice("12")
            prefix = f"{birth:%Y%m%d}{tmt_year:04d}{tmt_month:02d}{gender}"
            seq = used.get(prefix, 0) + 1
            used[prefix] = seq
            nip = f"{prefix}{seq:03d}"
            kedudukan = "99" if rnd.random() < 0.005 else "01"
            row = dict.fromkeys(COLUMNS, "")
            row.update(
                pns_id=f"{rnd.getrandbits(128):032X}",
                nip_baru=nip,
                nama=f"{rnd.choice(FIRST)} {rnd.choice(LAST)}",
                gelar_belakang=rnd.choice(["", "", "S.KOM", "S.E.", "S.H.", "S.PD", "M.SI"]),
                tempat_lahir_nama="SUKAMAJU",
                tanggal_lahir=f"{birth:%d-%m-%Y}",
                jenis_kelamin="M" if gender == "1" else "F",
                jenis_pegawai_id="15",
                jenis_pegawai_nama="PNS Daerah Kab./Kota yang bekerja pada Kab./Kota",
                kedudukan_hukum_id=kedudukan,
                kedudukan_hukum_nama="Aktif" if kedudukan == "01" else "Pensiun",
                status_cpns_pns="P",
                tmt_cpns=f"01-{tmt_month:02d}-{tmt_year}",
                tmt_pns=f"01-{tmt_month:02d}-{tmt_year + 1}",
                gol_akhir_id=gol,
                gol_akhir_nama=GOLONGAN[gol],
                tmt_golongan=f"01-04-{min(2025, tmt_year + 4)}",
                jenis_jabatan_id=jenis,
                jenis_jabatan_nama={
                    "1": "Jabatan Struktural",
                    "2": "Jabatan Fungsional Tertentu",
                    "4": "Jabatan Fungsional Umum",
                }[jenis],
                jabatan_nama=jabatan,
                tmt_jabatan=f"02-01-{min(2025, tmt_year + 5)}",
                nomor_hp=f"08{rnd.randrange(10**9, 10**10)}",
                email_gov=f"{nip}@sukamajukab.go.id",
                unor_id=unit_id,
                unor_nama=unit_nama,
                instansi_induk_id=INSTANSI,
                instansi_induk_nama="Pemerintah Kab. Sukamaju",
                instansi_kerja_id=INSTANSI,
                instansi_kerja_nama="Pemerintah Kab. Sukamaju",
                satuan_kerja_induk_id=INSTANSI,
                satuan_kerja_induk_nama="Pemerintah Kab. Sukamaju",
                satuan_kerja_kerja_id=INSTANSI,
                satuan_kerja_kerja_nama="Pemerintah Kab. Sukamaju",
                is_valid_nik="1",
            )
            w.writerow(row.values())
    return path.stat().st_size


def _app(url: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "b" * 40, "TESTING": True})


def _reset(app) -> None:
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        db.drop_all()
        db.create_all()


def _sync(path: Path, batch: int):
    c0, t0 = time.process_time(), time.perf_counter()
    run = engine.plan(
        db.session, SiasnCsvAdapter(path), full_export=True, actor="bench", batch_size=batch
    )
    t1 = time.perf_counter()
    run = engine.apply(db.session, run, actor="bench", batch_size=batch)
    t2 = time.perf_counter()
    return run, t1 - t0, t2 - t1, time.process_time() - c0


def _load() -> str:
    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "?"


def _server_cpu() -> float | None:
    """CPU seconds used so far by the PostgreSQL backends of this database (same host only)."""
    if db.engine.dialect.name != "postgresql":
        return None
    pids = db.session.scalars(
        text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
    ).all()
    db.session.commit()
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _server(before: float | None) -> str:
    after = _server_cpu()
    if before is None or after is None:
        return ""
    return f", database server {after - before:.2f} s CPU"


def timing(label: str, url: str, path: Path, rows: int, batch: int) -> None:
    app = _app(url)
    _reset(app)
    with app.app_context():
        gc.collect()
        load0, server0 = _load(), _server_cpu()
        run, tp, ta, cpu = _sync(path, batch)
        first = tp + ta
        c = run.counts
        print(
            f"[{label}] first run : plan {tp:6.2f} s + apply {ta:6.2f} s = {first:6.2f} s "
            f"→ {rows / first:7.0f} records/s wall, {rows / cpu:7.0f} records/s per CPU-second "
            f"of this process ({cpu:.2f} s{_server(server0)}; load {load0} → {_load()})  "
            f"[new {c['new']}, units {c['units_new']}, positions {c['positions_new']}, "
            f"quarantined {c['invalid']}]"
        )
        assert db.session.scalar(select(func.count()).select_from(Pegawai)) == c["new"]
        load0, server0 = _load(), _server_cpu()
        run, tp2, ta2, cpu2 = _sync(path, batch)
        rerun = tp2 + ta2
        print(
            f"[{label}] rerun     : plan {tp2:6.2f} s + apply {ta2:6.2f} s = {rerun:6.2f} s "
            f"→ {rows / rerun:7.0f} records/s wall ({cpu2:.2f} s CPU{_server(server0)}; load "
            f"{load0} → {_load()})  [unchanged {run.counts['unchanged']}, changes "
            f"{run.pending_changes}]; {first / rerun:4.1f}× faster than the first run "
            f"(CPU {cpu / cpu2:4.1f}×)"
        )
        ok = rows / first >= 5000 and first / rerun >= 3
        print(
            f"[{label}] target ≥ 5,000 records/s and rerun ≥ 3× faster (wall): "
            f"{'OK' if ok else 'NOT MET'}"
        )
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def memory(path: Path, rows: int, batch: int, tmp: Path) -> float:
    url = f"sqlite:///{tmp / f'mem-{rows}.db'}"
    app = _app(url)
    _reset(app)
    with app.app_context():
        gc.collect()
        tracemalloc.start()
        t0 = time.perf_counter()
        run = engine.plan(
            db.session, SiasnCsvAdapter(path), full_export=True, actor="bench", batch_size=batch
        )
        _cur, plan_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        engine.apply(db.session, run, actor="bench", batch_size=batch)
        _cur, apply_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        elapsed = time.perf_counter() - t0
        size = path.stat().st_size
        print(
            f"[memory] {rows:>7} rows, file {size / 2**20:6.1f} MiB: peak plan "
            f"{plan_peak / 2**20:6.1f} MiB, peak apply {apply_peak / 2**20:6.1f} MiB "
            f"(tracemalloc, {elapsed:5.1f} s traced)"
        )
        db.session.remove()
        db.engine.dispose()
    return max(plan_peak, apply_peak)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=engine.DEFAULT_BATCH)
    parser.add_argument(
        "--no-10x", dest="tenx", action="store_false", help="skip the 10× file memory check"
    )
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"machine: {os.cpu_count()} CPUs, load average {load:.1f} (wall figures include "
        "waiting for other processes)"
    )
    tmp = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    path = tmp / "ekspor_data_asn.csv"
    t0 = time.perf_counter()
    size = generate(path, args.rows)
    print(
        f"generated {args.rows} employees ({size / 2**20:.1f} MiB) in "
        f"{time.perf_counter() - t0:.1f} s"
    )
    timing("sqlite", f"sqlite:///{tmp / 'bench.db'}", path, args.rows, args.batch)
    pg = os.environ.get("SKP_BENCH_DATABASE_URL")
    if pg:
        timing("postgresql", pg, path, args.rows, args.batch)
    else:
        print("[postgresql] skipped (set SKP_BENCH_DATABASE_URL to run it)")
    if args.tenx:
        peak1 = memory(path, args.rows, args.batch, tmp)
        big = tmp / "ekspor_data_asn_10x.csv"
        generate(big, args.rows * 10, seed=2)
        peak10 = memory(big, args.rows * 10, args.batch, tmp)
        print(
            f"[memory] 10× the rows → {peak10 / peak1:.1f}× the peak memory "
            f"({'bounded' if peak10 / peak1 < 5 else 'NOT bounded'})"
        )


if __name__ == "__main__":
    main()
