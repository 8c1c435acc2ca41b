"""Run a batch's database writes while the caller prepares the next batch (PostgreSQL).

The sync's batches alternate between Python work (parsing, comparing, building rows) and
waiting for PostgreSQL (``COPY``, index and foreign-key work, commit). Done one after the
other, the process and the server each sit idle half of the time. :class:`BatchWriter` hands
one batch's writes and commit to a single background thread, so that the server works on batch
*k* while the caller prepares batch *k + 1* (psycopg releases the GIL while it waits on the
socket, and the server runs on another core).

The rules that keep this as safe as the sequential code:

* One job at a time, in order: :meth:`submit` waits for the previous job first. A job is a
  whole batch's transaction (writes, then its commit), so a batch is still applied whole or
  not at all.
* The session belongs to whoever holds it: the job between :meth:`submit` and :meth:`wait`,
  the caller otherwise. The caller prepares the next batch from data it read earlier and
  touches neither the session nor its ORM objects (an expired attribute would load) until
  :meth:`wait` returned.
* A job's exception is raised by the next :meth:`wait` (or :meth:`submit`) in the caller's
  thread; leaving the ``with`` block, normally or by an exception, waits for the job still
  running (it commits or fails whole) and stops the thread. No thread outlives the block, and
  the caller's error handling (rollback, marking the run failed) runs after the job ended.
* The job runs in a copy of the caller's context (Flask application and request contexts,
  the audit actor), so it writes exactly what the caller would have written.

Without a background thread (SQLite: one writer at a time, and its writes are cheap) a job
runs at once inside :meth:`submit`: the same code in the same order as before.

:func:`reading_session` gives the caller a session of its own for what it reads while a job
holds the main one (PostgreSQL: a second connection, each read its own short transaction), so
that reading the next batch does not wait for the batch being written either. It reads only
what is committed: the caller uses it for rows that the jobs in flight do not write.
"""

from __future__ import annotations

import contextvars
import logging
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

from sqlalchemy.orm import Session

__all__ = ["BatchWriter", "reading_session"]

log = logging.getLogger(__name__)


class BatchWriter:
    """Run jobs (a batch's writes and commit) one at a time, in the background or inline."""

    #: How long a thread may hold the GIL while another wants it, during a run (seconds).
    SWITCH_INTERVAL = 0.0005

    def __init__(self, background: bool):
        self._pool = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-writer")
            if background
            else None
        )
        self._job: Future | None = None
        self._switch: float | None = None

    def submit(self, fn: Callable, *args):
        """Run ``fn(*args)`` after the previous job (whose result is dropped); inline without
        a background thread. The next :meth:`wait` returns its result."""
        self.wait()
        if self._pool is None:
            done: Future = Future()
            done.set_result(fn(*args))
            self._job = done
            return
        self._job = self._pool.submit(contextvars.copy_context().run, fn, *args)

    def wait(self):
        """Wait for the job submitted last and return its result (None without a job);
        raise its exception here, in the caller's thread."""
        job, self._job = self._job, None
        return None if job is None else job.result()

    def __enter__(self) -> BatchWriter:
        if self._pool is not None:
            # The writer wakes up whenever the server answers; it would otherwise wait up to
            # 5 ms (Python's default) for the preparing thread to hand over the GIL.
            self._switch = sys.getswitchinterval()
            sys.setswitchinterval(min(self._switch, self.SWITCH_INTERVAL))
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.wait()
            elif self._job is not None:
                # The caller failed while a batch was being written: let that batch finish
                # (whole or not at all) before the caller rolls back; the caller's error is
                # the one that propagates.
                job, self._job = self._job, None
                error = job.exception()
                if error is not None:
                    log.warning("sync batch written while the run failed: %r", error)
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
            if self._switch is not None:
                sys.setswitchinterval(self._switch)


@contextmanager
def reading_session(session: Session, separate: bool) -> Iterator[Session]:
    """Yield the session to read with while :class:`BatchWriter` jobs use ``session``.

    With ``separate`` a new session on the same engine (its own connection, closed at the end
    of the block; call ``rollback()`` after each read to end its transaction), else ``session``
    itself (no background thread: the reads and writes already take turns). A ``session`` bound
    to a connection still gets a reader on a connection of its own: sharing one, the reader's
    rollback would end the writer's transaction.
    """
    if not separate:
        yield session
        return
    reader = Session(bind=session.get_bind().engine)  # an Engine's .engine is itself
    try:
        yield reader
    finally:
        reader.close()
