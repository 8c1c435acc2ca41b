"""Fast multi-row INSERT for the sync's large batches (tens of thousands of rows per run).

SQLAlchemy's executemany processes every parameter of every row in Python (bind processors,
parameter construction), which is most of the time spent writing a 20,000-employee export.
:func:`bulk_insert` hands the rows straight to the driver instead (``executemany`` on SQLite,
``COPY`` on PostgreSQL), after converting each value once to what both databases accept: dates
as ISO text (how SQLAlchemy stores them on SQLite; PostgreSQL parses it), datetimes as
``YYYY-MM-DD HH:MM:SS.ffffff``, JSON as compact JSON text (orjson: ten times faster than
``json.dumps``, the same values for both databases and ``json.loads``). Columns left out get
their model default (scalar or callable), as SQLAlchemy would give them. :func:`select_in` and
:func:`execute_in` do the same for the batches' ``IN (…)`` lookups and stamps; on PostgreSQL the
keys travel as one array parameter (``= ANY(%s)``), so the statement text stays short and is
parsed once instead of carrying hundreds of placeholders. :func:`record_audit` writes the audit
events of a batch the same way (``COPY`` on PostgreSQL). :func:`convert_rows` and
:func:`audit_rows` do the conversion ahead (Python only, no session), so that the thread that
writes a batch while the next one is prepared (skp_app.sync.writer) only sends the rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from operator import itemgetter
from typing import NamedTuple

import orjson
from sqlalchemy import JSON, Date, DateTime, Numeric, Table
from sqlalchemy.orm import Session

from skp_app.timeutil import utcnow

__all__ = [
    "Converted",
    "analyze",
    "audit_rows",
    "bulk_insert",
    "convert_rows",
    "commit_batch",
    "execute_in",
    "execute_many",
    "is_postgres",
    "json_loads",
    "pg_array",
    "record_audit",
    "reserve_ids",
    "select_in",
    "text_time",
    "update_many",
]


def is_postgres(session: Session) -> bool:
    """Return whether the session talks to PostgreSQL."""
    return session.get_bind().dialect.name == "postgresql"


def _defaults(table: Table, given: set[str]) -> dict:
    out = {}
    for col in table.columns:
        if col.name in given or col.primary_key or col.default is None:
            continue
        default = col.default
        if default.is_scalar:
            out[col.name] = default.arg
        elif default.is_callable:
            out[col.name] = default.arg(None)
    return out


def text_time(value: datetime) -> str:
    """Return a naive datetime as the text both databases read as a timestamp."""
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def _to_text(v):
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    return v


def _json_default(v):
    # What skp_app.audit.operations.jsonable turns into JSON values.
    if isinstance(v, datetime | date | time):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, Enum):
        return v.value
    if isinstance(v, set | frozenset | tuple):
        return list(v)
    raise TypeError(f"{type(v).__name__} is not JSON serialisable")


# The fallback for what orjson refuses (integers beyond 64 bits): the standard encoder, built
# once (json.dumps with ``default`` builds a new one per call).
_encode = json.JSONEncoder(default=_json_default).encode
_dumps = orjson.dumps
_OPTIONS = orjson.OPT_NON_STR_KEYS  # int/date keys become text, as json.dumps makes them

#: Parse JSON text (orjson: a quarter of the time of ``json.loads``, same values).
json_loads = orjson.loads


def _to_json(v):
    if v is None:
        return None
    if v == {}:
        return "{}"
    try:
        return _dumps(v, default=_json_default, option=_OPTIONS).decode()
    except TypeError:  # orjson.JSONEncodeError: an integer beyond 64 bits
        return _encode(v)


def _converter(col):
    """Return the conversion a column's values need, or None when they pass as they are."""
    if isinstance(col.type, JSON):
        return _to_json
    if isinstance(col.type, Date | DateTime | Numeric):
        return _to_text
    return None


class Converted(NamedTuple):
    """Rows already converted for :func:`bulk_insert` (see :func:`convert_rows`)."""

    names: list[str]
    values: list[tuple]


def _conversion(table: Table, rows: list[dict], each: Callable[[int], None] | None = None):
    """Return the column names and a generator of the rows' converted values."""
    given = list(rows[0])
    defaults = _defaults(table, set(given))
    names = given + list(defaults)
    converters = [_converter(table.c[name]) for name in names]
    fill = [defaults[name] for name in defaults]
    fill_values = [c(v) if c else v for c, v in zip(converters[len(given) :], fill, strict=True)]
    # Date/time columns whose value is text already (or None) pass as they are.
    own = list(enumerate(converters[: len(given)]))
    as_text = [j for j, c in own if c is _to_text]
    convert = [(j, c) for j, c in own if c is not None and c is not _to_text]
    get = itemgetter(*given)
    extra = tuple(fill_values)
    single = len(given) == 1

    def converted():
        for i, row in enumerate(rows):
            if each is not None:
                each(i)
            values = get(row)
            if single:
                values = (values,)
            if convert or as_text:
                values = list(values)
                for j in as_text:
                    v = values[j]
                    if v is not None and v.__class__ is not str:
                        values[j] = _to_text(v)
                for j, c in convert:
                    values[j] = c(values[j])
                values.extend(extra)
                yield tuple(values)  # SQLAlchemy's executemany takes tuples
            else:
                yield values + extra

    return names, converted()


def convert_rows(table: Table, rows: list[dict]) -> Converted:
    """Convert ``rows`` for :func:`bulk_insert` now (Python work only, no session): done
    while another thread writes the previous batch, the writing thread only sends them."""
    if not rows:
        return Converted([], [])
    names, values = _conversion(table, rows)
    return Converted(names, list(values))


def bulk_insert(
    session: Session,
    table: Table,
    rows: list[dict] | Converted,
    *,
    each: Callable[[int], None] | None = None,
) -> int:
    """Insert ``rows`` (dicts of column → value, same keys in every row; or rows converted
    by :func:`convert_rows`) in one command.

    SQLite gets one ``executemany``; PostgreSQL a ``COPY … FROM STDIN``. ``each(i)`` is called
    just before row ``i`` is converted: work done there for the row (it must not use the
    session) runs on PostgreSQL while the server is still inserting the rows sent before.
    """
    if isinstance(rows, Converted):
        names, values = rows
        count = len(values)
    else:
        count = len(rows)
        if count:
            names, values = _conversion(table, rows, each)
    if not count:
        return 0
    conn = session.connection()
    prep = conn.dialect.identifier_preparer
    if conn.dialect.name == "postgresql":
        # COPY streams the rows in one command: many times faster than row-by-row INSERTs.
        # Each row is converted as it is written, so the server inserts the rows already sent
        # while this process converts the next ones (the two work on different cores).
        columns = ", ".join(prep.quote(n) for n in names)
        with conn.connection.dbapi_connection.cursor() as cursor:
            with cursor.copy(f"COPY {prep.format_table(table)} ({columns}) FROM STDIN") as copy:
                write = copy.write_row
                for row in values:
                    write(row)
        return count
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    # Names come from the table metadata (quoted by the dialect), values are parameters.
    sql = (
        f"INSERT INTO {prep.format_table(table)} "  # noqa: S608
        f"({', '.join(prep.quote(n) for n in names)}) "
        f"VALUES ({', '.join([mark] * len(names))})"
    )
    conn.exec_driver_sql(sql, list(values))
    return count


def commit_batch(session: Session) -> None:
    """Commit one batch of a long run; on PostgreSQL without waiting for its WAL to reach disk.

    The batch stays atomic (a batch and its mark commit together or not at all). Only the
    moment it is durable moves: a server crash can lose the last fraction of a second of
    batches, as if the run had stopped slightly earlier, and the rerun redoes them. The run's
    last commit (planned, applied) is an ordinary one and makes every batch before it durable,
    since the log is flushed in order.
    """
    if is_postgres(session):
        session.connection().exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
    session.commit()


def reserve_ids(session: Session, table: Table, n: int) -> list[int]:
    """Return ``n`` new primary keys for ``table`` (inserted with explicit ids afterwards).

    PostgreSQL takes them from the column's sequence; SQLite continues after the largest id,
    which is safe inside the writing transaction (SQLite has one writer at a time).
    """
    if n <= 0:
        return []
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        # One row holding an array: cheaper to fetch than n rows of one value. The sequence is
        # looked up once (an uncorrelated subquery: an InitPlan): pg_get_serial_sequence per
        # row costs five times the nextval it feeds.
        return conn.exec_driver_sql(
            "SELECT array_agg(nextval((SELECT pg_get_serial_sequence(%s, 'id')::regclass))) "
            "FROM generate_series(1, %s)",
            (table.name, n),
        ).scalar()
    prep = conn.dialect.identifier_preparer
    top = conn.exec_driver_sql(
        f"SELECT COALESCE(MAX(id), 0) FROM {prep.format_table(table)}"  # noqa: S608
    ).scalar()
    return list(range(top + 1, top + n + 1))


def _pg_array(values: list) -> tuple[str, object]:
    """Return ``(cast, parameter)`` for ``= ANY(%s<cast>)``: a list of ints or of texts as
    one array literal (psycopg adapts a list element by element in Python, which costs more
    than the lookup it feeds); any other list as it is."""
    first = values[0].__class__
    if first is int and all(v.__class__ is int for v in values):
        return "::bigint[]", "{" + ",".join(map(str, values)) + "}"
    if first is str and all(v.__class__ is str for v in values):
        quoted = (
            '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
            if "\\" in v or '"' in v
            else f'"{v}"'
            for v in values
        )
        return "::text[]", "{" + ",".join(quoted) + "}"
    return "", values


def _array_param(values: list):
    """Return a list of ints and texts (None: NULL) as one array literal for a ``%s::type[]``
    parameter (psycopg adapts a list element by element, several times slower); any other
    list as it is."""
    parts = []
    for v in values:
        kind = v.__class__
        if v is None:
            parts.append("NULL")
        elif kind is int:
            parts.append(str(v))
        elif kind is str:
            parts.append('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"')
        else:
            return values
    return "{" + ",".join(parts) + "}"


def pg_array(values: list, empty_cast: str) -> tuple[str, object]:
    """Return ``(cast, parameter)`` of ``values`` for ``= ANY(%s<cast>)`` on PostgreSQL
    (:func:`_pg_array`); an empty list as the empty array of ``empty_cast``."""
    return _pg_array(values) if values else (empty_cast, "{}")


def _marks(session: Session, n: int) -> str:
    mark = "?" if session.connection().dialect.paramstyle == "qmark" else "%s"
    return ", ".join([mark] * n)


def select_in(
    session: Session,
    table: Table,
    columns: list[str],
    key: str,
    values,
    where: dict | None = None,
    *,
    extra: dict[str, str] | None = None,
) -> list:
    """Return ``columns`` of the rows whose ``key`` is in ``values`` (and ``where`` equals;
    a ``None`` there means ``IS NULL``). ``extra`` adds SQL expressions written by the caller
    (never user input) as ``{label: expression}``.

    A hand-built ``IN (?, ?, …)`` (``= ANY(%s)`` with one array on PostgreSQL): SQLAlchemy
    renders an expanding IN list anew on every execution, which costs more than the query
    itself for the batches of a sync. Rows are returned as driver values (dates are ISO text
    on SQLite).
    """
    values = list(values)
    if not values:
        return []
    conn = session.connection()
    prep = conn.dialect.identifier_preparer
    pg = conn.dialect.name == "postgresql"
    mark = "%s" if pg or conn.dialect.paramstyle != "qmark" else "?"
    where = where or {}
    conditions = [
        f"{prep.quote(k)} IS NULL" if v is None else f"{prep.quote(k)} = {mark}"
        for k, v in where.items()
    ]
    given = tuple(v for v in where.values() if v is not None)
    if pg:
        cast, array = _pg_array(values)
        conditions.append(f"{prep.quote(key)} = ANY(%s{cast})")
        params = (*given, array)
    else:
        conditions.append(f"{prep.quote(key)} IN ({_marks(session, len(values))})")
        params = (*given, *values)
    selected = [prep.quote(c) for c in columns]
    selected += [f"{expr} AS {label}" for label, expr in (extra or {}).items()]
    sql = (
        f"SELECT {', '.join(selected)} "  # noqa: S608 — metadata names, code expressions
        f"FROM {prep.format_table(table)} WHERE {' AND '.join(conditions)}"
    )
    return conn.exec_driver_sql(sql, params).fetchall()


def execute_in(session: Session, sql: str, params: tuple, values) -> None:
    """Run ``sql`` (ending in ``IN``) for ``values``: ``(?, ?, …)`` appended, or ``= ANY(%s)``
    with one array on PostgreSQL. ``?`` marks in ``sql`` stand for ``params`` and are adapted
    to the driver's parameter style."""
    values = list(values)
    if not values:
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        sql = sql.replace("?", "%s")
        assert sql.endswith(" IN")  # noqa: S101 — a programming error, not input
        cast, array = _pg_array(values)
        conn.exec_driver_sql(f"{sql[:-3]} = ANY(%s{cast})", (*params, array))
        return
    if conn.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    conn.exec_driver_sql(f"{sql} ({_marks(session, len(values))})", (*params, *values))


def update_many(
    session: Session,
    table: Table,
    key: str,
    rows: list[dict],
    *,
    where: dict | None = None,
    condition: str = "",
) -> None:
    """Set the other columns of each row (dicts with the same keys) where ``key`` matches.

    ``where`` adds equalities and ``condition`` an SQL condition on the table's own columns.
    PostgreSQL gets one ``UPDATE … FROM unnest(<one array per column>)``, SQLite one
    ``executemany``: never one statement per row sent and planned on its own.
    """
    if not rows:
        return
    names = [n for n in rows[0] if n != key]
    conn = session.connection()
    prep = conn.dialect.identifier_preparer
    target = prep.format_table(table)
    where = where or {}
    converters = [_converter(table.c[n]) for n in names]
    extra = [f"{target}.{prep.quote(k)} = %s" for k in where]
    if condition:
        extra.append(f"({condition})")
    if conn.dialect.name == "postgresql":
        columns = [_array_param([row[key] for row in rows])]
        for name, conv in zip(names, converters, strict=True):
            columns.append(_array_param([conv(row[name]) if conv else row[name] for row in rows]))
        types = [table.c[key].type, *(table.c[n].type for n in names)]
        arrays = ", ".join(f"%s::{t.compile(dialect=conn.dialect)}[]" for t in types)
        alias = ", ".join(["_k", *(f"_c{i}" for i in range(len(names)))])
        sets = ", ".join(f"{prep.quote(n)} = v._c{i}" for i, n in enumerate(names))
        conditions = " AND ".join([f"{target}.{prep.quote(key)} = v._k", *extra])
        sql = (
            f"UPDATE {target} SET {sets} FROM unnest({arrays}) AS v({alias}) "  # noqa: S608
            f"WHERE {conditions}"
        )
        conn.exec_driver_sql(sql, (*columns, *where.values()))
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sets = ", ".join(f"{prep.quote(n)} = {mark}" for n in names)
    conditions = " AND ".join(
        [f"{target}.{prep.quote(key)} = {mark}", *(c.replace("%s", mark) for c in extra)]
    )
    sql = f"UPDATE {target} SET {sets} WHERE {conditions}"  # noqa: S608 — metadata names
    fixed = tuple(where.values())
    params = [
        (
            *(conv(row[n]) if conv else row[n] for n, conv in zip(names, converters, strict=True)),
            row[key],
            *fixed,
        )
        for row in rows
    ]
    conn.exec_driver_sql(sql, params)


def execute_many(session: Session, sql: str, params: list[tuple]) -> None:
    """Run ``sql`` once per parameter tuple in one driver ``executemany`` (``?`` marks)."""
    if not params:
        return
    if session.connection().dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    session.connection().exec_driver_sql(sql, params)


def analyze(session: Session, *tables: str) -> None:
    """Take PostgreSQL's planner statistics of tables that never had any (no-op on SQLite).

    Right after tens of thousands of rows arrive in a table created empty, the planner still
    believes it holds a few pages and picks sequential scans for the sync's lookups, which then
    take seconds instead of milliseconds. Once a table has statistics the planner scales them
    to the table's current size by itself, so a table is analysed only while ``pg_class``
    says it has no pages although it has some now (an ANALYZE of a large table costs more
    than the lookups it would help).
    """
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return
    prep = conn.dialect.identifier_preparer
    stale = conn.exec_driver_sql(
        "SELECT c.relname FROM pg_class c WHERE c.relname = ANY(%s) "
        "AND c.relkind = 'r' AND c.relpages = 0 AND pg_relation_size(c.oid) > 0 "
        "AND pg_table_is_visible(c.oid)",
        (list(tables),),
    ).scalars()
    for table in stale:
        conn.exec_driver_sql(f"ANALYZE {prep.quote(table)}")


def _actor(actor) -> tuple[int | None, str]:
    """Return ``(user id, label)`` of an audit actor, as ``skp_app.audit.operations`` does."""
    if actor is None:
        from flask import has_request_context

        if has_request_context():
            from flask_login import current_user

            if getattr(current_user, "is_authenticated", False):
                actor = current_user
    if actor is None:
        return None, "sistem"
    if isinstance(actor, str):
        return None, actor
    label = getattr(actor, "display_name", "") or getattr(actor, "username", "")
    return getattr(actor, "id", None), label


def audit_rows(rows: list[dict], *, actor, source: str = "sync") -> Converted:
    """Return the audit events ``rows`` (``action``, ``object_type``, ``object_id``,
    ``summary``, ``before``, ``after``) converted for :func:`record_audit` (no session)."""
    if not rows:
        return Converted([], [])
    actor_id, label = _actor(actor)
    label = label[:200]
    now = text_time(utcnow())  # one timestamp for the batch, formatted once
    # Each event straight to its row of values (the columns of _AUDIT_NAMES): no dict per
    # event to convert afterwards.
    to_json = _to_json
    values = [
        (
            now,
            actor_id,
            label,
            r["action"],
            r["object_type"],
            str(r["object_id"]),
            (r.get("summary") or "")[:500],
            to_json(r.get("before")),
            to_json(r.get("after")),
            source,
            "",
        )
        for r in rows
    ]
    names, extra = _audit_columns()
    if extra:
        values = [v + extra for v in values]
    return Converted(names, values)


_AUDIT_NAMES = (
    "occurred_at",
    "actor_user_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "summary",
    "before",
    "after",
    "source",
    "ip",
)


def _audit_columns() -> tuple[list[str], tuple]:
    """Return the audit columns :func:`audit_rows` writes and the converted defaults of the
    others (none today; a column added with a default gets it, as with bulk_insert)."""
    from skp_app.audit.models import AuditEvent

    table = AuditEvent.__table__
    defaults = _defaults(table, set(_AUDIT_NAMES))
    extra = tuple((conv(v) if (conv := _converter(table.c[n])) else v) for n, v in defaults.items())
    return [*_AUDIT_NAMES, *defaults], extra


def record_audit(
    session: Session, rows: list[dict] | Converted, *, actor, source: str = "sync"
) -> int:
    """Append the audit events ``rows`` (as for :func:`audit_rows`, or its result) in one
    command; the same rows as ``skp_app.audit.operations.record_many``, written with
    :func:`bulk_insert` (``COPY`` on PostgreSQL) instead of one INSERT per event.
    """
    from skp_app.audit.models import AuditEvent

    if not isinstance(rows, Converted):
        rows = audit_rows(rows, actor=actor, source=source)
    return bulk_insert(session, AuditEvent.__table__, rows)
