"""Benchmark: the employee list of the biggest OPD on the large demo regency (SQLite).

Target (issue 2): under 150 ms server-side with a bounded number of queries.
Run: .venv/bin/python benchmarks/bench_org_pages.py [--size large] [--db PATH]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import event, func, select

from skp_app import create_app
from skp_app.auth.models import User
from skp_app.extensions import db
from skp_app.org.models import Pegawai, UnitOrganisasi


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="large")
    parser.add_argument("--db", default=None, help="reuse an existing demo database file")
    args = parser.parse_args()
    path = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "bench-org.db"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "SECRET_KEY": "b" * 40,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        if not args.db:
            from skp_app.demo.generator import build_demo

            db.create_all()
            t0 = time.perf_counter()
            build_demo(db.session, size=args.size, seed=1)
            db.session.commit()
            print(f"built demo regency '{args.size}' in {time.perf_counter() - t0:.1f} s")
        opd_id, count = db.session.execute(
            select(UnitOrganisasi.opd_id, func.count(Pegawai.id))
            .join(Pegawai, Pegawai.unit_id == UnitOrganisasi.id)
            .group_by(UnitOrganisasi.opd_id)
            .order_by(func.count(Pegawai.id).desc())
            .limit(1)
        ).one()
        admin = db.session.scalar(select(User).where(User.username == "bkpsdm"))
        username = admin.username
    client = app.test_client()
    resp = client.post("/login", data={"login": username, "password": "Demo12345"})
    assert resp.status_code == 302, "demo account bkpsdm/Demo12345 not found"
    queries = {"n": 0}
    with app.app_context():
        event.listen(
            db.engine,
            "before_cursor_execute",
            lambda *a: queries.__setitem__("n", queries["n"] + 1),
        )
    for url in (f"/pegawai?opd={opd_id}", f"/pegawai?opd={opd_id}&page=5", f"/opd/{opd_id}"):
        client.get(url)  # warm up
        times = []
        for _ in range(20):
            queries["n"] = 0
            t0 = time.perf_counter()
            r = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200
        print(
            f"{url:40s} OPD {opd_id} ({count} pegawai): median {statistics.median(times):.1f} ms, "
            f"p95 {sorted(times)[18]:.1f} ms, {queries['n']} queries"
        )


if __name__ == "__main__":
    main()
