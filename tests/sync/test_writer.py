"""BatchWriter: a batch's writes run after the previous one, errors reach the caller, no
thread outlives the block."""

from __future__ import annotations

import contextvars
import sys
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from skp_app.sync.writer import BatchWriter, reading_session

ACTOR = contextvars.ContextVar("actor", default="sistem")


def _writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("sync-writer")]


@pytest.mark.parametrize("background", [False, True])
def test_jobs_run_one_after_the_other_and_wait_returns_the_last_result(background):
    done: list[int] = []

    def job(n: int) -> int:
        time.sleep(0.01 * (3 - n))  # a later job is quicker, it must still come after
        done.append(n)
        return n * 10

    with BatchWriter(background=background) as writer:
        for n in range(3):
            writer.submit(job, n)
        assert writer.wait() == 20
        assert writer.wait() is None  # nothing pending
    assert done == [0, 1, 2]
    assert _writer_threads() == []


def test_a_job_runs_in_the_background_with_the_callers_context():
    seen = {}

    def job() -> None:
        seen["thread"] = threading.current_thread().name
        seen["actor"] = ACTOR.get()

    token = ACTOR.set("bkpsdm")
    try:
        with BatchWriter(background=True) as writer:
            writer.submit(job)
            writer.wait()
    finally:
        ACTOR.reset(token)
    assert seen["thread"].startswith("sync-writer") and seen["actor"] == "bkpsdm"


@pytest.mark.parametrize("background", [False, True])
def test_a_failing_job_raises_in_the_callers_thread_and_leaves_no_thread(background):
    def failing() -> None:
        raise ConnectionError("koneksi basis data terputus")

    with pytest.raises(ConnectionError, match="terputus"):
        with BatchWriter(background=background) as writer:
            writer.submit(failing)
            writer.wait()
    assert _writer_threads() == []


def test_the_error_of_a_job_not_yet_waited_for_surfaces_when_the_block_ends():
    def failing() -> None:
        raise ValueError("baris rusak")

    with pytest.raises(ValueError, match="baris rusak"):
        with BatchWriter(background=True) as writer:
            writer.submit(failing)
    assert _writer_threads() == []


def test_when_the_caller_fails_the_batch_being_written_finishes_first():
    finished = threading.Event()

    def slow() -> None:
        time.sleep(0.05)
        finished.set()

    with pytest.raises(RuntimeError, match="listrik padam"):
        with BatchWriter(background=True) as writer:
            writer.submit(slow)
            raise RuntimeError("listrik padam")
    # The caller's error propagates only after the job ended: its rollback never races it.
    assert finished.is_set()
    assert _writer_threads() == []


def test_the_switch_interval_is_lowered_during_the_block_and_restored_after():
    before = sys.getswitchinterval()
    with BatchWriter(background=True):
        assert sys.getswitchinterval() <= BatchWriter.SWITCH_INTERVAL
    assert sys.getswitchinterval() == before
    with BatchWriter(background=False):
        assert sys.getswitchinterval() == before


def test_without_a_separate_connection_the_reads_use_the_writing_session(session):
    with reading_session(session, separate=False) as reader:
        assert reader is session


def test_a_separate_reading_session_reads_what_is_committed_on_its_own_connection(
    session, make_unit
):
    unit = make_unit(nama="Dinas Kesehatan")
    session.commit()
    sql = text("SELECT nama FROM unit_organisasi WHERE id = :id")
    with reading_session(session, separate=True) as reader:
        assert reader is not session
        session.execute(
            text("UPDATE unit_organisasi SET nama = 'Dinas Sosial' WHERE id = :id"),
            {"id": unit.id},
        )
        # The batch being written is not visible until it commits.
        assert reader.execute(sql, {"id": unit.id}).scalar() == "Dinas Kesehatan"
        reader.rollback()
        session.commit()
        assert reader.execute(sql, {"id": unit.id}).scalar() == "Dinas Sosial"
        reader.rollback()
    # The reading session's connection went back to the pool: nothing is left open.
    assert not reader.in_transaction()


def test_a_reading_session_never_shares_the_connection_of_a_connection_bound_session(db):
    with db.engine.connect() as conn:
        bound = Session(bind=conn)
        with reading_session(bound, separate=True) as reader:
            # On the engine, so its rollback() cannot end the transaction on ``conn``.
            assert reader.get_bind() is db.engine
        bound.close()
