"""Benchmark: the role dashboards and the reports on the large demo regency (server-side).

Builds the large demo regency (``skp_app.demo.generator.build_demo(size="large")``, about 20,000
employees) in a fresh SQLite file, or reuses one with ``--db``. When the demo has no
realisations yet it adds, in bulk: verified monthly realisasi January–March 2026 for every IKI of
the approved SKPs, five approved and one pending activity in March for every employee with an
SKP, a final triwulan I evaluation per approved SKP and an organisation predikat per OPD (the
current demo generator builds its own realisations, activities and evaluations). Then it
times every dashboard section and report through the Flask test client (server-side: routing,
queries, figures, template) and prints the wall-clock median and 95th percentile, the median
CPU time of the process (SQLite runs in-process, so this is the server-side work and does not
depend on what else the machine runs) and the query count.

Target (issue "Dashboards and reports"): every ``/beranda`` section under 1 s server-side
(flagged when its median CPU time is above).

Then it times the background jobs of the dashboards (run inline here, ``SKP_JOBS_EAGER``; in
production they run in a thread or an RQ worker while the user watches the progress page): the
talent grid of the peta merit for the whole regency, and the regency-wide XLSX exports (the
monitoring people list, beban kerja and peta merit, about 20,000 rows each), started by their
POST like a user would, with the download of the finished file. Each line gives the wall time,
the CPU time of this process and the rows written; the machine load (``os.getloadavg``, as in
``uptime``) is printed before and after, since the two cores are shared.

Run (``--db`` keeps the database for the next run; building the large demo takes minutes)::

    .venv/bin/python benchmarks/bench_dashboard.py [--size large] [--db PATH] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, func, insert, select  # noqa: E402

from skp_app import create_app  # noqa: E402
from skp_app.auth.models import RoleAssignment, User  # noqa: E402
from skp_app.extensions import db  # noqa: E402
from skp_app.jobs.models import Job  # noqa: E402
from skp_app.org.models import Pegawai, UnitOrganisasi  # noqa: E402
from skp_app.planning.models import Iki, Rhk, Skp  # noqa: E402
from skp_app.realization.models import (  # noqa: E402
    Aktivitas,
    Evaluasi,
    PredikatOrganisasi,
    Realisasi,
)

TAHUN = 2026
BULAN = 3
PASSWORD = "Demo12345"
CHUNK = 20000


def _bulk(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[start : start + CHUNK])


def add_activity_data() -> dict[str, int]:
    """Add realisasi, activities, evaluations and organisation predikat when there are none."""
    if db.session.scalar(select(func.count(Realisasi.id))):
        return {}
    rng = random.Random(7)
    created = datetime(TAHUN, 4, 1, 2, 0)
    iki_rows = db.session.execute(
        select(Iki.id, Iki.target, Iki.aspek, Skp.id)
        .join(Rhk, Iki.rhk_id == Rhk.id)
        .join(Skp, Rhk.skp_id == Skp.id)
        .where(Skp.is_current.is_(True), Skp.status == "disetujui")
    ).all()
    realisasi = []
    for iki_id, target, aspek, skp_id in iki_rows:
        t = float(target or 1)
        for bulan in range(1, BULAN + 1):
            if aspek == "kuantitas":
                value = t / 12 * rng.uniform(0.4, 1.4)
            else:
                value = t * rng.uniform(0.7, 1.05)
            realisasi.append(
                {
                    "iki_id": iki_id,
                    "skp_id": skp_id,
                    "tahun": TAHUN,
                    "bulan": bulan,
                    "nilai": Decimal(f"{value:.2f}"),
                    "status": "terverifikasi"
                    if bulan < BULAN or rng.random() < 0.6
                    else "diajukan",
                    "catatan": "",
                    "created_at": created,
                    "updated_at": created,
                }
            )
    _bulk(Realisasi, realisasi)
    skps = db.session.execute(
        select(Skp.id, Skp.pegawai_id, Skp.penilai_pegawai_id, Skp.opd_id, Skp.status).where(
            Skp.is_current.is_(True)
        )
    ).all()
    activities, evaluations = [], []
    days = [d for d in range(2, 28) if date(TAHUN, BULAN, d).weekday() < 5]
    for skp_id, pid, penilai, opd_id, status in skps:
        for k in range(6):
            menit = rng.choice((60, 90, 120, 180, 240))
            activities.append(
                {
                    "pegawai_id": pid,
                    "tanggal": date(TAHUN, BULAN, rng.choice(days)),
                    "jam_mulai": dtime(8),
                    "jam_selesai": dtime(12),
                    "menit": menit,
                    "uraian": "Kegiatan harian",
                    "poin": Decimal(menit),
                    "status": "diajukan" if k == 5 else "disetujui",
                    "approver_pegawai_id": penilai,
                    "volume": 1,
                    "flags": [],
                    "created_at": created,
                    "updated_at": created,
                }
            )
        if status == "disetujui":
            evaluations.append(
                {
                    "skp_id": skp_id,
                    "jenis": "periodik",
                    "periode_ke": 1,
                    "tahun": TAHUN,
                    "unit_id": opd_id,
                    "evaluator_pegawai_id": penilai,
                    "rating_hasil": rng.choice((1, 2, 2, 2, 3)),
                    "rating_perilaku": 2,
                    "predikat": rng.choice((1, 2, 2, 2, 2, 3, 4)),
                    "status": "final",
                    "catatan": "",
                    "finalized_at": created,
                    "created_at": created,
                    "updated_at": created,
                }
            )
    _bulk(Aktivitas, activities)
    _bulk(Evaluasi, evaluations)
    opds = db.session.scalars(select(UnitOrganisasi.id).where(UnitOrganisasi.is_opd.is_(True)))
    _bulk(
        PredikatOrganisasi,
        [
            {
                "unit_id": u,
                "tahun": TAHUN,
                "periode_ke": 1,
                "predikat": rng.choice(("BAIK", "BAIK", "ISTIMEWA", "BUTUH_PERBAIKAN")),
                "set_at": created,
            }
            for u in opds
        ],
    )
    db.session.commit()
    return {"realisasi": len(realisasi), "aktivitas": len(activities), "evaluasi": len(evaluations)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="large")
    parser.add_argument("--db", default=None, help="reuse (and complete) a demo database file")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--bulan",
        type=int,
        default=None,
        help="month shown (default: the latest month with realisasi)",
    )
    args = parser.parse_args()
    path = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "bench-dashboard.db"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "SECRET_KEY": "b" * 40,
            "WTF_CSRF_ENABLED": False,
            "SKP_JOBS_EAGER": True,
            "SKP_JOB_FILES_DIR": tempfile.mkdtemp(prefix="bench-job-files-"),
        }
    )
    with app.app_context():
        if not path.exists() or not db.session.scalar(select(func.count(Pegawai.id))):
            from skp_app.demo.generator import build_demo

            db.create_all()
            t0 = time.perf_counter()
            build_demo(db.session, size=args.size, seed=1)
            db.session.commit()
            print(f"built demo regency '{args.size}' in {time.perf_counter() - t0:.1f} s ({path})")
        t0 = time.perf_counter()
        added = add_activity_data()
        if added:
            print(f"added {added} in {time.perf_counter() - t0:.1f} s")
        bulan = (
            args.bulan
            or db.session.scalar(select(func.max(Realisasi.bulan)).where(Realisasi.tahun == TAHUN))
            or BULAN
        )
        counts = {
            "pegawai": db.session.scalar(select(func.count(Pegawai.id))),
            "opd": db.session.scalar(
                select(func.count(UnitOrganisasi.id)).where(UnitOrganisasi.is_opd.is_(True))
            ),
            "skp": db.session.scalar(select(func.count(Skp.id))),
            "rhk": db.session.scalar(select(func.count(Rhk.id))),
            "realisasi": db.session.scalar(select(func.count(Realisasi.id))),
            "aktivitas": db.session.scalar(select(func.count(Aktivitas.id))),
        }
        print("data:", ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        biggest = db.session.execute(
            select(UnitOrganisasi.opd_id, func.count(Pegawai.id))
            .join(Pegawai, Pegawai.unit_id == UnitOrganisasi.id)
            .where(UnitOrganisasi.opd_id.is_not(None))
            .group_by(UnitOrganisasi.opd_id)
            .order_by(func.count(Pegawai.id).desc())
            .limit(1)
        ).one()
        operator = db.session.scalar(
            select(User.username)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(RoleAssignment.role == "opd_operator")
            .order_by(User.id)
            .limit(1)
        )
        busiest = db.session.execute(
            select(Skp.penilai_pegawai_id, func.count(Skp.id))
            .where(Skp.penilai_pegawai_id.is_not(None))
            .group_by(Skp.penilai_pegawai_id)
            .order_by(func.count(Skp.id).desc())
            .limit(1)
        ).one()
        penilai = db.session.scalar(select(User.username).where(User.pegawai_id == busiest[0]))
    opd, size = biggest
    q = f"tahun={TAHUN}&bulan={bulan}"
    plan = [
        ("admin", f"/beranda?bagian=pimpinan&{q}"),
        ("admin", f"/beranda?bagian=opd&opd={opd}&{q}"),
        ("bkpsdm", f"/beranda?bagian=hr&{q}"),
        ("evaluator", f"/beranda?bagian=evaluator&{q}"),
        (operator, f"/beranda?bagian=opd&{q}"),
        (penilai, f"/beranda?bagian=pegawai&{q}"),
        ("sekda", f"/beranda?{q}"),
        ("admin", f"/monitoring-pengisian?{q}"),
        ("admin", f"/monitoring-pengisian/daftar?status=belum&tahap=realisasi_terverifikasi&{q}"),
        ("admin", f"/beban-kerja?{q}"),
        ("admin", f"/beban-kerja?opd={opd}&{q}"),
        ("admin", f"/peta-merit?{q}"),
        (operator, f"/peta-merit?{q}"),
        ("admin", f"/peta-merit?q=budi&{q}"),
        ("admin", f"/beranda/ekspor/pimpinan/opd-skp.xlsx?{q}"),
        ("admin", f"/beranda/ekspor/hr/tanpa-skp.xlsx?{q}"),
        (operator, f"/monitoring-pengisian/daftar.xlsx?status=semua&{q}"),
    ]
    jobs = [
        ("talent grid of the peta merit (whole regency)", f"/peta-merit/hitung-ulang?{q}"),
        ("XLSX monitoring people list (regency)", f"/ekspor/monitoring-pegawai?status=semua&{q}"),
        ("XLSX beban kerja (regency)", f"/ekspor/beban-kerja?{q}"),
        ("XLSX peta merit (regency)", f"/ekspor/peta-merit?{q}"),
        (f"XLSX OPD {opd} belum-skp", f"/ekspor/beranda?bagian=opd&tabel=belum-skp&opd={opd}&{q}"),
    ]
    queries = {"n": 0}
    with app.app_context():
        event.listen(
            db.engine,
            "before_cursor_execute",
            lambda *a: queries.__setitem__("n", queries["n"] + 1),
        )
    clients = {}
    print(
        f"biggest OPD {opd} ({size} pegawai); penilai {penilai} ({busiest[1]} SKP); "
        f"operator {operator}"
    )
    evaluator = app.test_client()
    assert (
        evaluator.post("/login", data={"login": "evaluator", "password": PASSWORD}).status_code
        == 302
    )
    clients["evaluator"] = evaluator
    t0 = time.perf_counter()
    resp = evaluator.post(f"/beranda/temuan/hitung?tahun={TAHUN}")
    assert resp.status_code == 302
    print(
        f"background job: findings count of the whole periode (cascade_for) "
        f"{(time.perf_counter() - t0) * 1000:.0f} ms (inline here; a thread or RQ in production)"
    )
    print("load average (1, 5, 15 min) before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    admin = app.test_client()
    assert admin.post("/login", data={"login": "admin", "password": PASSWORD}).status_code == 302
    clients["admin"] = admin
    print(f"{'background job (inline)':48s} {'wall':>9s} {'CPU':>9s} {'rows':>7s} {'file':>9s}")
    for label, url in jobs:
        walls, cpus = [], []
        for _ in range(max(1, min(args.repeat, 3))):
            t0, c0 = time.perf_counter(), time.process_time()
            resp = admin.post(url)
            walls.append((time.perf_counter() - t0) * 1000)
            cpus.append((time.process_time() - c0) * 1000)
            assert resp.status_code in (302, 303), (url, resp.status_code)
        match = re.search(r"/ekspor/proses/(\d+)", resp.headers["Location"])
        rows, size = "", ""
        if match:
            job_id = int(match.group(1))
            with app.app_context():
                job = db.session.get(Job, job_id)
                assert job.status == "done", job.error
                rows = f"{job.result['rows']:7d}"
            t0 = time.perf_counter()
            download = admin.get(f"/ekspor/proses/{job_id}/unduh")
            assert download.status_code == 200
            size = f"{len(download.data) / 1e6:6.1f} MB"
            label += f" (+ download {(time.perf_counter() - t0) * 1000:.0f} ms)"
        print(
            f"{label[:48]:48s} {statistics.median(walls):6.0f} ms "
            f"{statistics.median(cpus):6.0f} ms {rows:>7s} {size:>9s}"
        )
    print(f"{'account':22s} {'page':60s} {'median':>10s} {'p95':>10s} {'CPU':>10s} {'queries':>7s}")
    for username, url in plan:
        client = clients.get(username)
        if client is None:
            client = app.test_client()
            resp = client.post("/login", data={"login": username, "password": PASSWORD})
            assert resp.status_code == 302, f"cannot log in as {username}"
            clients[username] = client
        resp = client.get(url)  # warm-up
        assert resp.status_code == 200, (url, resp.status_code)
        times, cpu = [], []
        for _ in range(args.repeat):
            queries["n"] = 0
            t0, c0 = time.perf_counter(), time.process_time()
            resp = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            assert resp.status_code == 200
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        flag = "" if "/beranda?" not in url or statistics.median(cpu) < 1000 else "  > 1 s!"
        print(
            f"{username[:22]:22s} {url[:60]:60s} {statistics.median(times):7.0f} ms "
            f"{p95:7.0f} ms {statistics.median(cpu):7.0f} ms {queries['n']:7d}{flag}"
        )
    print("load average (1, 5, 15 min) after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
