"""Benchmark of the demo regency build (``skp demo``): time per stage and in total.

Builds the regency of ``--size`` (default ``large``: about 20,000 employees, 19,000 SKPs,
56,000 RHK and 170,000 IKI) into a fresh SQLite file with
:func:`skp_app.demo.generator.build_demo` and prints the time of each stage, the personnel part
(organisation + employees + accounts), the planning part (and, inside it, the pure planning of
the SKPs versus the inserts) and the commit. With ``--database-url`` (a PostgreSQL database that
may be emptied: drop_all/create_all) it builds there instead.

    .venv/bin/python benchmarks/bench_demo.py [--size large] [--seed 1] [--keep]

Targets: the large regency's personnel in under 60 s on SQLite on a 2-core machine, and the
whole build (planning and realization data included) in under 90 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from skp_app import create_app  # noqa: E402
from skp_app.demo.generator import STAGES, DemoContext, build_demo  # noqa: E402
from skp_app.extensions import db  # noqa: E402

PERSONNEL = ("organisasi", "pegawai", "akun")
TARGET_SECONDS = 60.0  # issue 2: personnel of the large regency
TOTAL_TARGET_SECONDS = 90.0  # with planning and a year of realization data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="large", choices=("tiny", "small", "median", "large"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file")
    parser.add_argument("--database-url", default=os.environ.get("SKP_BENCH_DATABASE_URL", ""))
    args = parser.parse_args()

    tmp = None
    url = args.database_url
    if not url:
        tmp = Path(tempfile.mkdtemp(prefix="skp-bench-demo-")) / "demo.db"
        url = f"sqlite:///{tmp}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + "x" * 40})
    planning_detail: dict[str, float] = {}
    with app.app_context():
        db.drop_all()
        db.create_all()
        # Record the pure-planning time the planning stage leaves in the context.
        original = {s.name: s.run for s in STAGES}

        def planning_probe(ctx: DemoContext) -> None:
            original["perencanaan"](ctx)
            planning_detail["plan"] = ctx.extra.get("skp_plan_seconds", 0.0)

        stages = [
            s if s.name != "perencanaan" else type(s)(s.name, planning_probe, s.description)
            for s in STAGES
        ]
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        summary = build_demo(db.session, size=args.size, seed=args.seed, stages=stages)
        t1 = time.perf_counter()
        db.session.commit()
        commit = time.perf_counter() - t1
        total = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        db.session.remove()
        db.engine.dispose()

    c = summary.counts
    dialect = url.split(":", 1)[0]
    print(f"Demo build, size {args.size}, seed {args.seed}, {dialect}")
    print(
        f"  {c['pegawai']:,} pegawai · {c['users']:,} akun · {c['skp']:,} SKP · "
        f"{c['rhk']:,} RHK · {c['iki']:,} IKI · {c['perilaku_expectation']:,} perilaku"
    )
    for name, seconds in summary.timings.items():
        if name != "total":
            print(f"  stage {name:<12} {seconds:7.2f} s")
    personnel = sum(summary.timings.get(n, 0.0) for n in PERSONNEL)
    planning = summary.timings.get("perencanaan", 0.0)
    print(
        f"  personnel (organisasi+pegawai+akun) {personnel:7.2f} s   target < {TARGET_SECONDS:.0f} s"
    )
    print(
        f"  planning                            {planning:7.2f} s   "
        f"(SKP planning in memory {planning_detail.get('plan', 0.0):.2f} s, "
        f"inserts {planning - planning_detail.get('plan', 0.0):.2f} s)"
    )
    print(f"  commit                              {commit:7.2f} s")
    print(
        f"  total                               {total:7.2f} s   target < {TOTAL_TARGET_SECONDS:.0f} s"
    )
    print(
        f"  CPU time of this process            {cpu:7.2f} s   (wall time suffers on a busy host)"
    )
    if tmp is not None:
        if args.keep:
            print(f"  database kept at {tmp}")
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{tmp}{suffix}").unlink(missing_ok=True)
            tmp.parent.rmdir()
    return 0 if personnel < TARGET_SECONDS and total < TOTAL_TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
