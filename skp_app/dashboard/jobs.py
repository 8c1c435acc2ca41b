"""Background work of the dashboards (:mod:`skp_app.jobs`; each job row holds its state,
progress and result, so a page reload, another worker or the CLI sees it).

- :data:`FINDINGS_JOB` counts the cascade findings of a whole periode. Checking the cascade of
  a large regency (tens of thousands of RHK) takes seconds, too long for a landing page; the
  evaluator dashboard shows the counts stored by the last runs (each run is one point of the
  "findings over time" chart) and offers to start a new run.
- :data:`~skp_app.dashboard.merit.MERIT_JOB` computes the talent grid of the peta merit for the
  whole regency and one month (seconds: the capaian of every employee).
- :data:`~skp_app.dashboard.reports.EXPORT_JOB` writes a long XLSX export to a job file
  (:mod:`skp_app.jobs.files`), streaming the rows with openpyxl's write-only mode.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from skp_app.dashboard import merit as m
from skp_app.dashboard.exports import XLSX_MIME, write_xlsx
from skp_app.dashboard.queries import FINDINGS_JOB, choose_period
from skp_app.dashboard.reports import EXPORT_JOB, ExportSpec, build_export
from skp_app.extensions import db
from skp_app.jobs import Job, enqueue, job
from skp_app.jobs.files import file_result, output_path
from skp_app.timeutil import WIB, utcnow

__all__ = [
    "compute_merit_grid",
    "count_findings",
    "run_export",
    "start_export",
    "start_findings_count",
    "start_merit_grid",
]


def _today() -> date:
    return datetime.now(WIB).date()


@job(FINDINGS_JOB)
def count_findings(ctx, tahun: int) -> dict:
    """Check the cascade of periode ``tahun`` and store the finding counts per OPD."""
    from skp_app.cascading.fullcheck import check_periode

    ctx.progress(0, 2, "Membaca dan memeriksa cascading …")
    findings = check_periode(
        db.session, tahun, workers=current_app.config["SKP_CASCADE_WORKERS"]
    ).findings
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


def _pending(session: Session, kind: str, params: dict) -> Job | None:
    for row in session.scalars(
        select(Job)
        .where(Job.kind == kind, Job.status.in_(("queued", "running")))
        .order_by(Job.id.desc())
        .limit(20)
    ):
        if all((row.params or {}).get(k) == v for k, v in params.items()):
            return row
    return None


def start_findings_count(session: Session, tahun: int, *, user) -> Job:
    """Start a count of the findings of ``tahun``, or return the run already waiting or running
    for that year (a double click starts one run)."""
    return _pending(session, FINDINGS_JOB, {"tahun": tahun}) or enqueue(
        FINDINGS_JOB, {"tahun": tahun}, user=user
    )


@job(m.MERIT_JOB)
def compute_merit_grid(ctx, tahun: int, bulan: int) -> dict:
    """Compute the talent grid of every OPD for one month (capaian and predikat trend of every
    employee owing an SKP) and return it per OPD."""
    ctx.progress(0, 2, "Menghitung capaian dan tren predikat seluruh pegawai …")
    period = choose_period(db.session, tahun, bulan, _today())
    data = m.merit_data(db.session, period, None)
    ctx.progress(1, 2, "Menyusun kotak talenta …")
    return {
        "tahun": tahun,
        "bulan": bulan,
        "computed_at": utcnow().isoformat(),
        "people": len(data.people),
        **m.grid_result(data.people),
    }


def start_merit_grid(session: Session, tahun: int, bulan: int, *, user) -> Job:
    """Start computing the talent grid of a month, or return the run already pending for it."""
    params = {"tahun": tahun, "bulan": bulan}
    return _pending(session, m.MERIT_JOB, params) or enqueue(m.MERIT_JOB, params, user=user)


@job(EXPORT_JOB)
def run_export(ctx, **params) -> dict:
    """Write the export described by ``params`` (an :class:`ExportSpec`) to a job file."""
    spec = ExportSpec.from_params(params)
    ctx.progress(0, None, "Membaca data …")
    export = build_export(db.session, spec, _today())
    total = export.rows
    ctx.progress(0, total, f"Menulis XLSX: 0 dari {total:,} baris".replace(",", "."))
    path = output_path(ctx.job_id, export.filename)

    def report(done: int) -> None:
        ctx.progress(done, total, f"Menulis XLSX: {done:,} dari {total:,} baris".replace(",", "."))

    try:
        write_xlsx(path, export.sheets, notes=export.notes, progress=report)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    ctx.progress(total, total, "Selesai")
    return {
        **file_result(path, download_name=export.filename, mimetype=XLSX_MIME),
        "title": export.title,
        "rows": total,
    }


def start_export(spec: ExportSpec, *, user) -> Job:
    """Start an export job (the caller has checked :func:`~reports.may_export`)."""
    return enqueue(EXPORT_JOB, spec.to_params(), user=user)
