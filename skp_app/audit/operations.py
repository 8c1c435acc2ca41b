"""Write audit events; every operation that changes data calls :func:`record`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Any

from flask import g, has_request_context, request
from sqlalchemy.orm import Session

from skp_app.audit.models import AuditEvent
from skp_app.timeutil import utcnow

__all__ = ["jsonable", "record", "record_many", "snapshot"]


def jsonable(value: Any) -> Any:
    """Return ``value`` with dates, decimals and enums turned into JSON-friendly values."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def snapshot(obj: Any, fields: list[str] | tuple[str, ...]) -> dict:
    """Return the named attributes of ``obj`` as a JSON-friendly dict."""
    return {f: jsonable(getattr(obj, f, None)) for f in fields}


def _actor(actor) -> tuple[int | None, str]:
    if actor is None and has_request_context():
        from flask_login import current_user

        actor = current_user if getattr(current_user, "is_authenticated", False) else None
    if actor is None:
        return None, "sistem"
    if isinstance(actor, str):
        return None, actor
    label = getattr(actor, "display_name", "") or getattr(actor, "username", "")
    return getattr(actor, "id", None), label


def _context() -> tuple[str, str]:
    if not has_request_context():
        return "cli", ""
    source = "api" if request.path.startswith("/api/") else "web"
    return g.get("audit_source", source), (request.remote_addr or "")[:64]


def record(
    session: Session,
    action: str,
    object_type: str,
    object_id: Any,
    *,
    actor=None,
    before: dict | None = None,
    after: dict | None = None,
    summary: str = "",
    source: str | None = None,
) -> AuditEvent:
    """Append one audit event to the session (the caller commits with its unit of work)."""
    actor_id, label = _actor(actor)
    ctx_source, ip = _context()
    event = AuditEvent(
        occurred_at=utcnow(),
        actor_user_id=actor_id,
        actor_label=label[:200],
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        summary=summary[:500],
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        source=source or ctx_source,
        ip=ip,
    )
    session.add(event)
    return event


def record_many(session: Session, rows: list[dict], *, actor=None, source: str = "job") -> int:
    """Append many audit events in one statement (for bulk operations such as sync)."""
    if not rows:
        return 0
    actor_id, label = _actor(actor)
    now = utcnow()
    payload = [
        {
            "occurred_at": now,
            "actor_user_id": actor_id,
            "actor_label": label[:200],
            "action": r["action"],
            "object_type": r["object_type"],
            "object_id": str(r["object_id"]),
            "summary": (r.get("summary") or "")[:500],
            "before": jsonable(r.get("before")),
            "after": jsonable(r.get("after")),
            "source": source,
            "ip": "",
        }
        for r in rows
    ]
    # Core insert: same rows as the ORM bulk path without its per-row bookkeeping (sync speed).
    session.execute(AuditEvent.__table__.insert(), payload)
    return len(payload)
