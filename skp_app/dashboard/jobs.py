"""Background work of the dashboards: counting the cascade findings of a whole periode.

Checking the cascade of a large regency (tens of thousands of RHK) takes seconds, too long for
a landing page. The evaluator dashboard therefore shows the counts stored by the last runs of
this job (each run is one point of the "findings over time" chart) and offers to start a new
run; the job's row holds its state, progress and result (:mod:`skp_app.jobs`).
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from skp_app.dashboard.queries import FINDINGS_JOB
from skp_app.extensions import db
from skp_app.jobs import Job, enqueue, job
from skp_app.timeutil import utcnow

__all__ = ["count_findings", "start_findings_count"]


@job(FINDINGS_JOB)
def count_findings(ctx, tahun: int) -> dict:
    """Check the cascade of periode ``tahun`` and store the finding counts per OPD."""
    from skp_app.cascading.queries import cascade_for

    ctx.progress(0, 2, "Membaca dan memeriksa cascading …")
    _graph, findings = cascade_for(db.session, tahun)
    per_opd: dict[str, Counter] = {}
    per_code: dict[str, Counter] = {}
    for f in findings:
        key = str(f.opd_id) if f.opd_id is not None else "none"
        per_opd.setdefault(key, Counter())[f.severity] += 1
        per_code.setdefault(key, Counter())[f.code] += 1
    ctx.progress(2, 2, "Selesai")
    return {
        "tahun": tahun,
        "computed_at": utcnow().isoformat(),
        "total": len(findings),
        "per_opd": {k: dict(v) for k, v in per_opd.items()},
        "per_opd_code": {k: dict(v) for k, v in per_code.items()},
    }


def start_findings_count(session: Session, tahun: int, *, user) -> Job:
    """Start a count of the findings of ``tahun``, or return the run already waiting or running
    for that year (a double click starts one run)."""
    for row in session.scalars(
        select(Job)
        .where(Job.kind == FINDINGS_JOB, Job.status.in_(("queued", "running")))
        .order_by(Job.id.desc())
        .limit(20)
    ):
        if (row.params or {}).get("tahun") == tahun:
            return row
    return enqueue(FINDINGS_JOB, {"tahun": tahun}, user=user)
