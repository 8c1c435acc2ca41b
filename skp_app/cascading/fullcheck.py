"""The whole-periode cascade check on two cores: the periode split into two OPD scopes.

Checking a whole periode of a large regency (~20,000 employees, ~120,000 RHK) means creating
Python objects for half a million rows and running every rule over them: CPU work that one
process does on one core. :func:`check_periode` splits the OPDs into two scopes of about the
same size (by number of SKPs), checks one in a forked child process while this process checks
the other, and merges the findings.

The result is the same as checking the periode as one graph
(:func:`~skp_app.cascading.queries.cascade_for`; the tests compare both on the same data):
each scope loads, besides its own rows, the rows around them that the rules look at (the RHK
they intervene up to the top, the RHK of other OPDs that intervene them, the superiors and
pejabat penilai of its employees; see "Scope of one OPD" in :mod:`~skp_app.cascading.queries`)
and keeps the findings of its own OPDs. The rows of no OPD (the regent's sasaran, the regional
head) belong to the first scope.

Consistency: on PostgreSQL the child reads in this transaction's snapshot (exported here and
imported read-only there, as ``pg_dump --jobs`` does). SQLite cannot share a snapshot: the
child reads what is committed when it starts, a few milliseconds after this process, so a
save committed exactly in between may show in one half only; the next check is exact. The
check runs in this process, on one graph, when ``workers`` is 1, when the session has writes
the child could not see (unflushed, or flushed but not committed), for an in-memory SQLite
database and where ``fork`` does not exist.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import threading
from dataclasses import dataclass
from typing import Any

import networkx as nx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from skp_app.cascading.queries import (
    OpdScope,
    _live_skp_conditions,
    checked_scope,
    periode_id_of,
)
from skp_app.cascading.rules import CascadeConfig, CascadeError, Finding, sort_findings
from skp_app.planning.models import Skp

__all__ = ["PeriodeCheck", "check_periode", "default_workers"]

_SNAPSHOT = re.compile(r"[0-9A-Fa-f]+(-[0-9A-Fa-f]+)+")
_CHILD_SHARE = 0.5  # of the SKPs, checked by the child
_CHILD_TIMEOUT = 600  # seconds a child may take after this process has finished its half


@dataclass
class PeriodeCheck:
    """The findings of a periode, the names of their owners and how many processes ran."""

    findings: list[Finding]
    names: dict[int, str]
    workers: int


def default_workers() -> int:
    """Return 2 on a machine with two or more cores, else 1 (``SKP_CASCADE_WORKERS``)."""
    return 2 if (os.cpu_count() or 1) >= 2 else 1


def check_periode(
    session: Session,
    tahun: int,
    *,
    config: CascadeConfig | None = None,
    workers: int | None = None,
) -> PeriodeCheck:
    """Check the cascade of a whole periode, on two processes where it can.

    Parameters
    ----------
    session
        The database session (read only here).
    tahun
        The periode's year.
    config
        Rule settings.
    workers
        1 for one process; 2 (the default on a machine with two cores or more) to split.

    Returns
    -------
    PeriodeCheck
        The findings sorted as :func:`~skp_app.cascading.rules.check_cascade` sorts them, and
        the name of every finding's owner that is known.

    Raises
    ------
    CascadeError
        If there is no periode for ``tahun``, or if the child process failed (its error is in
        the message).
    """
    periode_id = periode_id_of(session, tahun)
    workers = default_workers() if workers is None else workers
    snapshot = _split_snapshot(session) if workers > 1 else None
    if snapshot is None:
        graph, findings = checked_scope(session, tahun, None, config=config)
        return PeriodeCheck(findings, _owner_names(graph, findings), 1)

    mine, theirs = _split(session, periode_id)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=_child,
        args=(send, session.get_bind(), snapshot or None, tahun, theirs, config),
        name="skp-cascade-check",
        daemon=True,
    )
    child.start()
    send.close()
    try:
        graph, findings = checked_scope(session, tahun, mine, config=config)
        names = _owner_names(graph, findings)
        del graph
        if not receive.poll(_CHILD_TIMEOUT):
            raise CascadeError("Pemeriksaan cascading paruh kedua tidak selesai tepat waktu.")
        try:
            status, payload, their_names = receive.recv()
        except EOFError:
            raise CascadeError(
                f"Proses pemeriksaan cascading paruh kedua berhenti (kode {child.exitcode})."
            ) from None
    finally:
        receive.close()
        _reap(child)
    if status != "ok":
        raise CascadeError(f"Pemeriksaan cascading paruh kedua gagal: {payload}")
    names.update(their_names)
    return PeriodeCheck(sort_findings([*findings, *payload]), names, 2)


def _reap(child: Any) -> None:
    """Wait for the child's end on a daemon thread, killing it if it is still there after 5 s.

    The result has arrived (or will not): the few milliseconds the kernel takes to tear down a
    large child need not be waited for here.
    """

    def reap() -> None:
        child.join(5)
        if child.is_alive():
            child.kill()
            child.join()

    threading.Thread(target=reap, name="skp-cascade-reap", daemon=True).start()


def _split_snapshot(session: Session) -> str | None:
    """Return what the child needs to read as this session reads, or ``None`` not to split.

    PostgreSQL: the id of this transaction's exported snapshot. SQLite: ``""`` (nothing to
    share) when the database is a file and this session has not written.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    if session.new or session.dirty or session.deleted:
        return None
    conn = session.connection()
    dialect = conn.dialect.name
    if dialect == "postgresql":
        clean, snapshot = conn.exec_driver_sql(
            "SELECT txid_current_if_assigned() IS NULL, pg_export_snapshot()"
        ).one()
        return snapshot if clean and _SNAPSHOT.fullmatch(snapshot) else None
    if dialect == "sqlite":
        database = conn.engine.url.database or ""
        if database in ("", ":memory:") or "mode=memory" in str(conn.engine.url):
            return None
        return None if conn.connection.driver_connection.in_transaction else ""
    return None


def _split(session: Session, periode_id: int) -> tuple[OpdScope, OpdScope]:
    """Split the periode into two scopes of about the same number of SKPs.

    The second scope is a set of OPDs; the first is everything else, the rows of no OPD and
    the OPDs without SKPs included, so that nothing is left out.
    """
    counts = (
        select(Skp.opd_id, func.count())
        .where(*_live_skp_conditions(periode_id), Skp.opd_id.is_not(None))
        .group_by(Skp.opd_id)
    )
    weight = dict(session.execute(counts).all())
    theirs: set[int] = set()
    mine_load = their_load = 0.0
    for opd_id in sorted(weight, key=lambda o: (-weight[o], o)):
        # Compare the shares each side should get: this process also splits, merges and
        # frees its graph, and its scope holds the rows of no OPD.
        if their_load / _CHILD_SHARE < mine_load / (1 - _CHILD_SHARE):
            theirs.add(opd_id)
            their_load += weight[opd_id]
        else:
            mine_load += weight[opd_id]
    scope = OpdScope(frozenset(theirs))
    return scope.complement(), scope


def _owner_names(graph: nx.DiGraph, findings: list[Finding]) -> dict[int, str]:
    people = graph.graph.get("people") or {}
    return {
        f.owner_pegawai_id: people[f.owner_pegawai_id].name
        for f in findings
        if f.owner_pegawai_id in people
    }


def _child(send: Any, engine: Any, snapshot: str | None, tahun: int, scope, config) -> None:
    """Check ``scope`` in the forked child and send the findings back through ``send``."""
    try:
        # A new pool: the connections inherited from the parent stay untouched (SQLAlchemy's
        # advice for a forked process), this process opens its own.
        engine.dispose(close=False)
        with engine.connect() as conn:
            if snapshot is not None:
                conn = conn.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                )
                conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            with Session(bind=conn) as session:
                graph, findings = checked_scope(session, tahun, scope, config=config)
                result = ("ok", findings, _owner_names(graph, findings))
    except BaseException as exc:  # reported by the parent
        result = ("error", f"{type(exc).__name__}: {exc}", {})
    send.send(result)
    send.close()
    # Leave at once: freeing the graph object by object would only keep the parent waiting.
    os._exit(0)
