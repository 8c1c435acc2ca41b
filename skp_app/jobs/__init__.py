"""Run long work outside the request: RQ on Redis when ``REDIS_URL`` is set, else a thread.

A job kind is a function registered with :func:`job`; it receives a :class:`JobContext` and
the job's params. State, progress and result are rows of ``jobs`` so any worker, page reload or
the CLI sees them. ``SKP_JOBS_EAGER`` runs jobs inline (tests).
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import func, update
from sqlalchemy.orm import Session

from skp_app.extensions import db
from skp_app.jobs.models import Job
from skp_app.timeutil import utcnow

__all__ = ["STALE_MESSAGE", "Job", "JobContext", "enqueue", "job", "reap_stale", "run_job"]

log = logging.getLogger(__name__)
_REGISTRY: dict[str, Callable] = {}


def job(kind: str):
    """Register ``fn(ctx, **params)`` as the handler of job ``kind``."""

    def decorator(fn: Callable) -> Callable:
        _REGISTRY[kind] = fn
        return fn

    return decorator


class JobContext:
    """What a running job uses to report progress; each report is committed on its own."""

    def __init__(self, job_id: int):
        self.job_id = job_id

    def progress(self, done: int, total: int | None = None, message: str | None = None) -> None:
        values: dict = {"progress": done, "heartbeat_at": utcnow()}
        if total is not None:
            values["total"] = total
        if message is not None:
            values["message"] = message[:500]
        # A separate connection so progress is visible while the job's own transaction runs.
        with db.engine.begin() as conn:
            conn.execute(Job.__table__.update().where(Job.id == self.job_id).values(**values))


def enqueue(kind: str, params: dict | None = None, *, user=None) -> Job:
    """Create a job row, commit it, and start it in the configured runner."""
    if kind not in _REGISTRY:
        raise KeyError(f"unknown job kind {kind!r}")
    reap_stale(db.session)
    row = Job(kind=kind, params=params or {}, created_by_id=getattr(user, "id", None))
    db.session.add(row)
    db.session.commit()
    app = current_app._get_current_object()
    if app.config.get("SKP_JOBS_EAGER"):
        run_job(row.id)
        db.session.refresh(row)
    elif app.config.get("REDIS_URL"):
        from redis import Redis
        from rq import Queue

        queue = Queue("skp", connection=Redis.from_url(app.config["REDIS_URL"]))
        queue.enqueue("skp_app.jobs.rq_entry", row.id, job_timeout=3600)
    else:
        threading.Thread(target=_thread_entry, args=(app, row.id), daemon=True).start()
    return row


def _thread_entry(app: Flask, job_id: int) -> None:
    with app.app_context():
        run_job(job_id)


def rq_entry(job_id: int) -> None:
    """Entry point for an RQ worker (``skp jobs worker``): builds an app and runs the job."""
    from skp_app import create_app

    app = create_app()
    with app.app_context():
        run_job(job_id)


def run_job(job_id: int) -> None:
    """Run one job to completion, recording its outcome; never raises."""
    row = db.session.get(Job, job_id)
    if row is None or row.status not in {"queued", "running"}:
        return
    row.status = "running"
    row.started_at = row.heartbeat_at = utcnow()
    db.session.commit()
    handler = _REGISTRY[row.kind]
    params = dict(row.params or {})
    try:
        result = handler(JobContext(job_id), **params)
        db.session.commit()
        row = db.session.get(Job, job_id)
        row.status = "done"
        row.result = result if isinstance(result, dict) else {"value": result}
    except Exception as exc:  # noqa: BLE001 — the failure is recorded on the job row
        db.session.rollback()
        log.exception("job %s failed", job_id)
        row = db.session.get(Job, job_id)
        row.status = "failed"
        row.error = f"{type(exc).__name__}: {exc}"
        row.message = "Gagal: " + str(exc)[:480]
        row.result = {"traceback": traceback.format_exc()[-4000:]}
    row.finished_at = utcnow()
    db.session.commit()


STALE_MESSAGE = (
    "Terhenti: proses yang menjalankan pekerjaan ini tidak memberi kabar selama {minutes} menit "
    "(server dimulai ulang atau worker berhenti). Jalankan ulang pekerjaan ini; pekerjaan yang "
    "ditulis per batch melanjutkan dengan aman."
)


def reap_stale(session: Session, *, minutes: int | None = None, now: datetime | None = None) -> int:
    """Mark running jobs without a sign of life for ``minutes`` as failed; return how many.

    A job's process reports at its start and with every progress report (``heartbeat_at``).
    Queued jobs are left alone (they may wait behind long ones in the RQ queue). A thread dies
    with its gunicorn worker and an RQ job with its worker, leaving the row "Berjalan" for
    ever; this turns such rows into a failure that says what happened. Runs with every
    :func:`enqueue` and from ``skp jobs reap`` (cron).
    The caller commits.
    """
    if minutes is None:
        minutes = int(current_app.config.get("SKP_JOB_STALE_MINUTES", 30))
    cutoff = (now or utcnow()) - timedelta(minutes=minutes)
    last_sign = func.coalesce(Job.heartbeat_at, Job.started_at, Job.created_at)
    result = session.execute(
        update(Job)
        .where(Job.status == "running", last_sign < cutoff)
        .values(
            status="failed",
            error="stale",
            message=STALE_MESSAGE.format(minutes=minutes)[:500],
            finished_at=now or utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    count = result.rowcount or 0
    if count:
        log.warning("marked %d stale job(s) as failed", count)
    return count
