"""Background jobs of the sync: plan a run, apply a run (progress mirrored on the job row)."""

from __future__ import annotations

from flask import current_app

from skp_app.auth.models import User
from skp_app.extensions import db
from skp_app.jobs import JobContext, job
from skp_app.sync import operations
from skp_app.sync.models import SyncRun

__all__ = ["apply_job", "plan_job"]


def _load(run_id: int, user_id: int | None):
    run = db.session.get(SyncRun, run_id)
    if run is None:
        raise LookupError(f"sync run {run_id} not found")
    actor = db.session.get(User, user_id) if user_id else None
    return run, actor


@job("sync.plan")
def plan_job(ctx: JobContext, run_id: int, user_id: int | None = None) -> dict:
    """Read the run's source and store its plan."""
    run, actor = _load(run_id, user_id)
    run = operations.plan_run(
        db.session,
        run,
        actor=actor,
        config=current_app.config,
        progress=lambda done, total, message: ctx.progress(done, total, message),
    )
    return {"run_id": run.id, "status": run.status, "counts": run.counts}


@job("sync.apply")
def apply_job(ctx: JobContext, run_id: int, user_id: int | None = None) -> dict:
    """Apply the run's approved plan."""
    run, actor = _load(run_id, user_id)
    run = operations.apply_run(
        db.session,
        run,
        actor=actor,
        config=current_app.config,
        progress=lambda done, total, message: ctx.progress(done, total, message),
    )
    return {"run_id": run.id, "status": run.status, "applied": run.applied_counts}
