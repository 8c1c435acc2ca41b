"""The admin page of the audit log (read only: no route edits or deletes an event)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import login_required
from sqlalchemy import func, select

from skp_app.audit.models import AuditEvent
from skp_app.auth.permissions import roles_required
from skp_app.extensions import db
from skp_app.org.queries import Page

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.route("/")
@login_required
@roles_required("admin")
def list_events():
    stmt = select(AuditEvent)
    filters = {
        "action": request.args.get("action", "").strip(),
        "object_type": request.args.get("object_type", "").strip(),
        "object_id": request.args.get("object_id", "").strip(),
        "actor": request.args.get("actor", "").strip(),
    }
    if filters["action"]:
        stmt = stmt.where(AuditEvent.action.startswith(filters["action"]))
    if filters["object_type"]:
        stmt = stmt.where(AuditEvent.object_type == filters["object_type"])
    if filters["object_id"]:
        stmt = stmt.where(AuditEvent.object_id == filters["object_id"])
    if filters["actor"]:
        stmt = stmt.where(func.lower(AuditEvent.actor_label).contains(filters["actor"].lower()))
    page_no = max(1, request.args.get("page", 1, type=int))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    items = list(
        db.session.scalars(stmt.order_by(AuditEvent.id.desc()).limit(50).offset((page_no - 1) * 50))
    )
    return render_template(
        "audit/list.html",
        page=Page(items=items, total=total, page=page_no, per_page=50),
        filters=filters,
    )
