"""Jobs whose process died: the heartbeat and the reaper that marks them failed."""

from __future__ import annotations

from datetime import timedelta

from skp_app.jobs import JobContext, enqueue, job, reap_stale, run_job
from skp_app.jobs.models import Job
from skp_app.timeutil import utcnow


@job("uji.hitung")
def _count(ctx: JobContext, n: int = 3) -> dict:
    for i in range(n):
        ctx.progress(i + 1, n, f"langkah {i + 1}")
    return {"n": n}


def _running(session, *, minutes_ago: int, heartbeat: bool = True) -> Job:
    then = utcnow() - timedelta(minutes=minutes_ago)
    row = Job(
        kind="uji.hitung",
        status="running",
        created_at=then,
        started_at=then,
        heartbeat_at=then if heartbeat else None,
    )
    session.add(row)
    session.commit()
    return row


def test_a_running_job_silent_past_the_limit_is_marked_failed_with_a_reason(session):
    dead = _running(session, minutes_ago=45)
    alive = _running(session, minutes_ago=5)
    assert reap_stale(session, minutes=30) == 1
    session.commit()
    session.refresh(dead)
    session.refresh(alive)
    assert dead.status == "failed"
    assert "tidak memberi kabar selama 30 menit" in dead.message
    assert dead.finished_at is not None
    assert alive.status == "running"


def test_the_start_time_counts_when_no_progress_was_ever_reported(session):
    dead = _running(session, minutes_ago=90, heartbeat=False)
    assert reap_stale(session, minutes=60) == 1
    session.commit()
    session.refresh(dead)
    assert dead.status == "failed"


def test_queued_and_finished_jobs_are_left_alone(session):
    old = utcnow() - timedelta(days=2)
    queued = Job(kind="uji.hitung", status="queued", created_at=old)
    done = Job(kind="uji.hitung", status="done", created_at=old, started_at=old)
    session.add_all([queued, done])
    session.commit()
    assert reap_stale(session, minutes=1) == 0


def test_progress_reports_keep_a_job_alive_and_a_reaped_job_never_runs_late(app, session):
    row = enqueue("uji.hitung", {"n": 2})
    assert row.status == "done" and row.heartbeat_at is not None
    assert row.progress == 2

    dead = _running(session, minutes_ago=120)
    reap_stale(session, minutes=30)
    session.commit()
    run_job(dead.id)  # a worker that wakes up late must not run a job marked failed
    session.refresh(dead)
    assert dead.status == "failed" and dead.result is None


def test_enqueue_reaps_dead_jobs_first(app, session):
    dead = _running(session, minutes_ago=31)
    enqueue("uji.hitung", {"n": 1})
    session.refresh(dead)
    assert dead.status == "failed"


def test_cli_reap_reports_the_count(app, session):
    _running(session, minutes_ago=200)
    result = app.test_cli_runner().invoke(args=["jobs", "reap", "--minutes", "60"])
    assert result.exit_code == 0, result.output
    assert "1 pekerjaan terhenti ditandai gagal." in result.output
    result = app.test_cli_runner().invoke(args=["jobs", "reap", "--minutes", "0"])
    assert result.exit_code != 0
