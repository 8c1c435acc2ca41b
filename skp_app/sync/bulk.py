"""Fast multi-row INSERT for the sync's large batches (tens of thousands of rows per run).

SQLAlchemy's executemany processes every parameter of every row in Python (bind processors,
parameter construction), which is most of the time spent writing a 20,000-employee export.
:func:`bulk_insert` hands the rows straight to the driver instead (``executemany`` on SQLite,
``COPY`` on PostgreSQL), after converting each value once to what both databases accept: dates
as ISO text (how SQLAlchemy stores them on SQLite; PostgreSQL parses it), datetimes as
``YYYY-MM-DD HH:MM:SS.ffffff``, JSON as ``json.dumps``. Columns left out get their model
default (scalar or callable), as SQLAlchemy would give them. :func:`select_in` and
:func:`execute_in` do the same for the batches' ``IN (…)`` lookups and stamps.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter

from sqlalchemy import JSON, Date, DateTime, Numeric, Table
from sqlalchemy.orm import Session

__all__ = ["analyze", "bulk_insert", "execute_in", "execute_many", "select_in", "text_time"]


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


def _to_json(v):
    return None if v is None else json.dumps(v)


def _converter(col):
    """Return the conversion a column's values need, or None when they pass as they are."""
    if isinstance(col.type, JSON):
        return _to_json
    if isinstance(col.type, Date | DateTime | Numeric):
        return _to_text
    return None


def bulk_insert(session: Session, table: Table, rows: list[dict]) -> int:
    """Insert ``rows`` (dicts of column → value, same keys in every row) in one command.

    SQLite gets one ``executemany``; PostgreSQL a ``COPY … FROM STDIN``.
    """
    if not rows:
        return 0
    given = list(rows[0])
    defaults = _defaults(table, set(given))
    names = given + list(defaults)
    converters = [_converter(table.c[name]) for name in names]
    fill = [defaults[name] for name in defaults]
    conn = session.connection()
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    prep = conn.dialect.identifier_preparer
    # Names come from the table metadata (quoted by the dialect), values are parameters.
    sql = (
        f"INSERT INTO {prep.format_table(table)} "  # noqa: S608
        f"({', '.join(prep.quote(n) for n in names)}) "
        f"VALUES ({', '.join([mark] * len(names))})"
    )
    fill_values = [c(v) if c else v for c, v in zip(converters[len(given) :], fill, strict=True)]
    convert = [(i, c) for i, c in enumerate(converters[: len(given)]) if c is not None]
    get = itemgetter(*given)
    extra = tuple(fill_values)
    params = []
    for row in rows:
        values = get(row)
        if len(given) == 1:
            values = (values,)
        if convert:
            values = list(values)
            for i, c in convert:
                values[i] = c(values[i])
            values = tuple(values)
        params.append(values + extra)
    if conn.dialect.name == "postgresql":
        # COPY streams the rows in one command: many times faster than row-by-row INSERTs.
        columns = ", ".join(prep.quote(n) for n in names)
        with conn.connection.dbapi_connection.cursor() as cursor:
            with cursor.copy(f"COPY {prep.format_table(table)} ({columns}) FROM STDIN") as copy:
                for values in params:
                    copy.write_row(values)
        return len(params)
    conn.exec_driver_sql(sql, params)
    return len(params)


def _marks(session: Session, n: int) -> str:
    mark = "?" if session.connection().dialect.paramstyle == "qmark" else "%s"
    return ", ".join([mark] * n)


def select_in(
    session: Session, table: Table, columns: list[str], key: str, values, where: dict | None = None
) -> list:
    """Return ``columns`` of the rows whose ``key`` is in ``values`` (and ``where`` equals).

    A hand-built ``IN (?, ?, …)``: SQLAlchemy renders an expanding IN list anew on every
    execution, which costs more than the query itself for the 500-key batches of a sync.
    Rows are returned as driver values (dates are ISO text on SQLite).
    """
    values = list(values)
    if not values:
        return []
    prep = session.connection().dialect.identifier_preparer
    mark = "?" if session.connection().dialect.paramstyle == "qmark" else "%s"
    conditions = [f"{prep.quote(k)} = {mark}" for k in (where or {})]
    conditions.append(f"{prep.quote(key)} IN ({_marks(session, len(values))})")
    sql = (
        f"SELECT {', '.join(prep.quote(c) for c in columns)} "  # noqa: S608 — metadata names
        f"FROM {prep.format_table(table)} WHERE {' AND '.join(conditions)}"
    )
    params = (*(where or {}).values(), *values)
    return session.connection().exec_driver_sql(sql, params).fetchall()


def execute_in(session: Session, sql: str, params: tuple, values) -> None:
    """Run ``sql`` (ending in ``IN``) with ``(?, ?, …)`` for ``values`` appended; ``?`` marks
    in ``sql`` stand for ``params`` and are adapted to the driver's parameter style."""
    values = list(values)
    if not values:
        return
    if session.connection().dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    session.connection().exec_driver_sql(
        f"{sql} ({_marks(session, len(values))})", (*params, *values)
    )


def execute_many(session: Session, sql: str, params: list[tuple]) -> None:
    """Run ``sql`` once per parameter tuple in one driver ``executemany`` (``?`` marks)."""
    if not params:
        return
    if session.connection().dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    session.connection().exec_driver_sql(sql, params)


def analyze(session: Session, *tables: str) -> None:
    """Refresh PostgreSQL's planner statistics after a bulk load (no-op on SQLite).

    Right after tens of thousands of rows arrive in a table that was empty, the planner still
    believes it is empty and picks sequential scans for the sync's ``IN (…)`` lookups, which
    then take seconds instead of milliseconds.
    """
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return
    prep = conn.dialect.identifier_preparer
    for table in tables:
        conn.exec_driver_sql(f"ANALYZE {prep.quote(table)}")
