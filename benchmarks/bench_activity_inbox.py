"""Benchmark of the superior's activity approval inbox ("Persetujuan aktivitas").

A Kepala Seksi with 40 direct subordinates, each with 20 pending activities (800 rows, a third
of them flagged, a photo on every fourth), on a fresh SQLite database (or ``--database-url``).
The page is rendered through the Flask test client as the logged-in superior; the script prints
the median and worst render time and the number of SQL statements per request.

    .venv/bin/python benchmarks/bench_activity_inbox.py [--subordinates 40] [--per-person 20]

Target: under 200 ms per render, and a query count that does not grow with the rows.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event  # noqa: E402

from skp_app import create_app  # noqa: E402
from skp_app.auth.operations import create_user, hash_password  # noqa: E402
from skp_app.extensions import db  # noqa: E402
from skp_app.org.models import Instansi, Jabatan, Pegawai, UnitOrganisasi  # noqa: E402
from skp_app.planning.models import Periode, Rhk, Skp  # noqa: E402
from skp_app.realization.models import Aktivitas, Bukti  # noqa: E402
from skp_app.realization.operations import today_wib  # noqa: E402

PASSWORD = "Rahasia123"


def nip(i: int) -> str:
    return f"19860216201003{1 + i % 2}{i % 999 + 1:03d}"[:18]


def build(subordinates: int, per_person: int) -> None:
    today = today_wib()
    tahun = today.year
    instansi = Instansi(nama="Pemerintah Kabupaten Sukamaju", settings={})
    db.session.add(instansi)
    db.session.flush()
    opd = UnitOrganisasi(
        instansi_id=instansi.id,
        nama="Dinas Komunikasi dan Informatika",
        singkatan="Diskominfo",
        is_opd=True,
        workload_multiplier=Decimal("1.25"),
    )
    db.session.add(opd)
    db.session.flush()
    opd.opd_id = opd.id
    periode = Periode(
        tahun=tahun,
        nama=f"Periode {tahun}",
        tanggal_mulai=date(tahun, 1, 1),
        tanggal_selesai=date(tahun, 12, 31),
    )
    db.session.add(periode)
    j_kasi = Jabatan(nama="Kepala Seksi Pengembangan Aplikasi", jenis="pengawas", unit_id=opd.id)
    db.session.add(j_kasi)
    db.session.flush()
    j_staf = Jabatan(
        nama="Pranata Komputer Ahli Pertama",
        jenis="fungsional",
        unit_id=opd.id,
        atasan_id=j_kasi.id,
        kebutuhan=subordinates,
    )
    db.session.add(j_staf)
    db.session.flush()
    kasi = Pegawai(
        nip=nip(0), nama="I Made Sudana", jabatan_id=j_kasi.id, unit_id=opd.id, golongan_id=34
    )
    db.session.add(kasi)
    db.session.flush()
    staff = [
        Pegawai(
            nip=f"{19900101 + i % 28:08d}{2015:04d}{3:02d}{1 + i % 2}{i + 1:03d}",
            nama=f"Pegawai Uji {i + 1:02d}",
            jabatan_id=j_staf.id,
            unit_id=opd.id,
            golongan_id=31,
        )
        for i in range(subordinates)
    ]
    db.session.add_all(staff)
    db.session.flush()
    activities = []
    for n, p in enumerate(staff):
        skp = Skp(
            periode_id=periode.id,
            pegawai_id=p.id,
            opd_id=opd.id,
            unit_id=opd.id,
            penilai_pegawai_id=kasi.id,
            status="disetujui",
            tanggal_mulai=date(tahun, 1, 1),
            tanggal_selesai=date(tahun, 12, 31),
        )
        db.session.add(skp)
        db.session.flush()
        rhk = Rhk(skp_id=skp.id, teks=f"Tersusunnya dokumen pengembangan aplikasi {n + 1}")
        db.session.add(rhk)
        db.session.flush()
        for i in range(per_person):
            start = 7 * 60 + i * 20
            activities.append(
                Aktivitas(
                    pegawai_id=p.id,
                    tanggal=today,
                    jam_mulai=dtime(start // 60, start % 60),
                    jam_selesai=dtime((start + 19) // 60, (start + 19) % 60),
                    menit=19,
                    uraian=f"Menyusun bagian {i + 1} dokumen kebutuhan aplikasi layanan publik",
                    rhk_id=rhk.id,
                    poin=Decimal("23.75"),
                    approver_pegawai_id=kasi.id,
                    flags=["date_mismatch"] if i % 3 == 0 else [],
                )
            )
    db.session.add_all(activities)
    db.session.flush()
    db.session.add_all(
        Bukti(
            owner_pegawai_id=a.pegawai_id,
            aktivitas_id=a.id,
            kind="image",
            nama="foto-kegiatan.jpg",
            stored_name=f"ab/{a.id:032x}.jpg",
            mime="image/jpeg",
            flags=list(a.flags),
            flag_detail={},
        )
        for a in activities[::4]
    )
    create_user(
        db.session,
        "kasi",
        PASSWORD,
        pegawai_id=kasi.id,
        display_name=kasi.nama,
        password_hash=hash_password(PASSWORD),
    )
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subordinates", type=int, default=40)
    parser.add_argument("--per-person", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-inbox-")
    url = args.database_url or f"sqlite:///{tmp}/bench.db"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench-" + "x" * 40,
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "SKP_UPLOAD_DIR": f"{tmp}/uploads",
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        t0 = time.perf_counter()
        build(args.subordinates, args.per_person)
        built = time.perf_counter() - t0
        engine = db.engine

    client = app.test_client()
    resp = client.post("/login", data={"login": "kasi", "password": PASSWORD})
    assert resp.status_code == 302, resp.status_code

    counts: list[int] = []

    def on_execute(*_a, **_k):
        counts[-1] += 1

    event.listen(engine, "before_cursor_execute", on_execute)
    timings = []
    cpu = []
    for i in range(args.repeat + 2):
        counts.append(0)
        start = time.perf_counter()
        cpu_start = time.process_time()
        resp = client.get("/aktivitas/persetujuan")
        elapsed = (time.perf_counter() - start) * 1000
        cpu_ms = (time.process_time() - cpu_start) * 1000
        assert resp.status_code == 200
        if i >= 2:  # warm-up runs are not counted
            timings.append(elapsed)
            cpu.append(cpu_ms)
    event.remove(engine, "before_cursor_execute", on_execute)
    rows = resp.get_data(as_text=True).count('name="ids"')
    total = args.subordinates * args.per_person
    assert rows == total, (rows, total)

    print(
        f"Persetujuan aktivitas: {args.subordinates} bawahan × {args.per_person} kegiatan = "
        f"{total} baris ({engine.dialect.name}; data dibuat dalam {built:.1f} s)"
    )
    ordered = sorted(timings)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    print(
        f"  render median {statistics.median(timings):.1f} ms, p90 {p90:.1f} ms, "
        f"terlama {max(timings):.1f} ms, {len(timings)} kali"
    )
    print(
        f"  waktu CPU proses per render: median {statistics.median(cpu):.1f} ms "
        "(tidak terpengaruh beban mesin lain)"
    )
    print(f"  query per permintaan: {counts[-1]} (min {min(counts)}, maks {max(counts)})")
    print(f"  ukuran halaman: {len(resp.data) / 1024:.0f} KB")
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


if __name__ == "__main__":
    main()
