"""Read-only JSON API of the personnel sync (/api/v1/sync): runs, their changes, quarantine.

Only HR and administrators may read it (personal data). Starting and applying runs is done on
the pages or with ``skp sync``. Errors have the one shape ``{"error", "message", "fields"}``.
"""

from __future__ import annotations

from flask_login import current_user, login_required
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from skp_app.auth.permissions import require
from skp_app.extensions import db
from skp_app.sync import permissions as perm
from skp_app.sync.models import SyncRun
from skp_app.sync.queries import (
    ENTITY_FILTERS,
    KIND_FILTERS,
    change_page,
    quarantine_page,
    run_page,
    with_apply_state,
)

blp = Blueprint(
    "sync_api",
    __name__,
    url_prefix="/api/v1/sync",
    description="Sinkronisasi kepegawaian: riwayat tarikan, rencana perubahan dan karantina.",
)


class ProgressSchema(Schema):
    done = fields.Int()
    total = fields.Int()
    percent = fields.Int()
    message = fields.Str()


class RunSchema(Schema):
    id = fields.Int()
    source = fields.Str(metadata={"description": "siasn-csv / siasn-api / simpeg-api / tabular"})
    status = fields.Str(
        metadata={
            "description": "queued / planning / planned / plan_failed / applying / "
            "apply_failed / applied / discarded"
        }
    )
    status_label = fields.Str()
    full_export = fields.Bool()
    file_name = fields.Str()
    counts = fields.Dict(
        metadata={
            "description": "new, changed, unchanged, leaving, not_in_source, invalid, units_new, …"
        }
    )
    applied_counts = fields.Dict()
    warnings = fields.List(fields.Str())
    progress = fields.Nested(ProgressSchema)
    error = fields.Str(allow_none=True)
    resume = fields.Dict(
        allow_none=True,
        metadata={
            "description": "Where a failed pull continues: {done, page, total_pages} "
            "(null: it starts over)"
        },
    )
    created_at = fields.Str(allow_none=True)
    planned_at = fields.Str(allow_none=True)
    applied_at = fields.Str(allow_none=True)
    discarded_at = fields.Str(allow_none=True)


class ChangeSchema(Schema):
    id = fields.Int()
    entity = fields.Str(metadata={"description": "pegawai / unit / jabatan"})
    kind = fields.Str(metadata={"description": "new / changed / leaving / not_in_source"})
    row_number = fields.Int()
    pegawai_id = fields.Int(allow_none=True)
    nip = fields.Str(allow_none=True)
    key = fields.Str()
    label = fields.Str()
    diff = fields.Dict(metadata={"description": "{field: [lama, baru]}"})
    effects = fields.Dict()
    applied_at = fields.Str(allow_none=True)


class QuarantineSchema(Schema):
    id = fields.Int()
    row_number = fields.Int()
    source_key = fields.Str()
    nip = fields.Str()
    nama = fields.Str()
    reason_code = fields.Str(
        metadata={
            "description": "nip_invalid, nip_duplicate, nama_missing, unit_unknown, "
            "unit_missing, superior_not_found, superior_cycle, "
            "golongan_unknown, date_invalid, kedudukan_unknown, "
            "row_malformed, external_id_conflict"
        }
    )
    message = fields.Str()
    raw = fields.Dict()


def _page_schema(item_schema, name):
    return type(
        name,
        (Schema,),
        {
            "items": fields.List(fields.Nested(item_schema)),
            "total": fields.Int(),
            "page": fields.Int(),
            "per_page": fields.Int(),
        },
    )


RunPage = _page_schema(RunSchema, "SyncRunPage")
ChangePage = _page_schema(ChangeSchema, "SyncChangePage")
QuarantinePage = _page_schema(QuarantineSchema, "SyncQuarantinePage")


class PageQuery(Schema):
    page = fields.Int(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Int(load_default=50, validate=validate.Range(1, 500))


class RunQuery(PageQuery):
    source = fields.Str(load_default=None)


class ChangeQuery(PageQuery):
    kind = fields.Str(load_default=None, validate=validate.OneOf(KIND_FILTERS))
    entity = fields.Str(load_default=None, validate=validate.OneOf(ENTITY_FILTERS))
    q = fields.Str(load_default="")


class QuarantineQuery(PageQuery):
    reason = fields.Str(load_default=None)


def _paged(page, convert):
    return {
        "items": [convert(i) for i in page.items],
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
    }


def _run(run_id: int) -> SyncRun:
    run = db.get_or_404(SyncRun, run_id)
    require(perm.can_view_sync_run(current_user, run))
    return run


@blp.route("/runs")
@login_required
@blp.arguments(RunQuery, location="query")
@blp.response(200, RunPage)
def list_runs(args):
    """Riwayat sinkronisasi, terbaru lebih dulu."""
    require(perm.can_manage_sync(current_user))
    page = run_page(db.session, page=args["page"], per_page=args["per_page"], source=args["source"])
    return _paged(page, lambda r: r.to_dict())


@blp.route("/runs/<int:run_id>")
@login_required
@blp.response(200, RunSchema)
def get_run(run_id: int):
    """Satu sinkronisasi: status, kemajuan, hitungan dan catatan."""
    return _run(run_id).to_dict()


@blp.route("/runs/<int:run_id>/changes")
@login_required
@blp.arguments(ChangeQuery, location="query")
@blp.response(200, ChangePage)
def list_changes(args, run_id: int):
    """Perubahan yang direncanakan/diterapkan, dengan rincian per kolom."""
    run = _run(run_id)
    page = change_page(
        db.session,
        run.id,
        kind=args["kind"],
        entity=args["entity"],
        q=args["q"][:100],
        page=args["page"],
        per_page=args["per_page"],
    )
    with_apply_state(db.session, run, page.items)
    return _paged(page, lambda c: c.to_dict())


@blp.route("/runs/<int:run_id>/quarantine")
@login_required
@blp.arguments(QuarantineQuery, location="query")
@blp.response(200, QuarantinePage)
def list_quarantine(args, run_id: int):
    """Data yang dikarantina beserta alasannya."""
    run = _run(run_id)
    page = quarantine_page(
        db.session, run.id, reason=args["reason"], page=args["page"], per_page=args["per_page"]
    )
    return _paged(page, lambda q: q.to_dict())
