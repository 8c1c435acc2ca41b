"""JSON API of the cascade under /api/v1/cascade: the graph, its findings, alignment reviews.

Same permissions (:mod:`skp_app.cascading.permissions`) and operations as the pages. Every
error has the one shape ``{"error", "message", "fields"}``: 401 not logged in, 403 forbidden,
404 unknown periode/OPD/review, 409 a review or item not in a state for the action, 422 invalid
input with Indonesian messages per field (``verdict``, ``checklist.V3.note``,
``rhk_notes.12`` …). Creating a review takes a ``request_key`` (or an ``Idempotency-Key``
header): a replayed key returns the review already recorded (200 instead of 201).
"""

from __future__ import annotations

from flask import abort, request, url_for
from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, fields, validate

from skp_app.apidocs import api_error
from skp_app.auth.permissions import require
from skp_app.cascading import operations as ops
from skp_app.cascading import permissions as perm
from skp_app.cascading import queries as q
from skp_app.cascading.forms import FindingFilters
from skp_app.cascading.graph import CascadeError, graph_to_json
from skp_app.cascading.links import fix_url
from skp_app.cascading.models import ITEM_STATUS, REVIEW_STATUS, V_RULES, VERDICTS
from skp_app.cascading.rules import FINDING_CODES, SEVERITIES, summarize
from skp_app.extensions import db
from skp_app.org.models import UnitOrganisasi

blp = Blueprint(
    "cascade_api",
    __name__,
    url_prefix="/api/v1/cascade",
    description="Cascading kinerja: graf pohon kinerja, temuan pemeriksaan keselarasan "
    "(domain §3.4 V1–V7) dan reviu keselarasan oleh evaluator.",
)

_MSG = {
    "required": "Wajib diisi.",
    "null": "Tidak boleh kosong.",
    "invalid": "Format tidak valid.",
    "validator_failed": "Nilai tidak valid.",
}


def _f(field_cls, *args, **kw):
    messages = dict(_MSG)
    messages.update(kw.pop("error_messages", {}))
    return field_cls(*args, error_messages=messages, **kw)


def _choice(options) -> validate.OneOf:
    return validate.OneOf(list(options), error="Pilih salah satu dari: {choices}.")


class BaseSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    error_messages = {"type": "Data harus berupa objek JSON."}


# --------------------------------------------------------------------------- schemas


class GraphQuery(BaseSchema):
    tahun = _f(fields.Int, required=True, metadata={"description": "Tahun periode."})
    opd_id = _f(
        fields.Int,
        load_default=None,
        metadata={"description": "Hanya satu OPD (tanpa ini: seluruh kabupaten)."},
    )


class GraphSchema(BaseSchema):
    tahun = fields.Int()
    opd_id = fields.Int(allow_none=True)
    nodes = fields.List(
        fields.Dict(),
        metadata={"description": "Simpul: id (rg:/og:/rhk:<id>), kind, text, owner, indikator…"},
    )
    edges = fields.List(
        fields.Dict(), metadata={"description": "Tautan induk → anak: source, target, cascading."}
    )
    findings = fields.List(fields.Dict(), metadata={"description": "Temuan (lihat /findings)."})
    summary = fields.Dict(metadata={"description": "Jumlah temuan per tingkat dan per jenis."})


class FindingsQuery(GraphQuery):
    severity = _f(fields.Str, load_default=None, validate=_choice(SEVERITIES))
    code = _f(fields.Str, load_default=None, validate=_choice(FINDING_CODES))
    owner = _f(fields.Int, load_default=None, metadata={"description": "Id pegawai pemilik."})


class FindingSchema(BaseSchema):
    code = fields.Str()
    title = fields.Str()
    severity = fields.Str()
    rule = fields.Str()
    nodes = fields.List(fields.Str())
    path = fields.List(fields.Str())
    owner_pegawai_id = fields.Int(allow_none=True)
    owner_name = fields.Str(allow_none=True)
    opd_id = fields.Int(allow_none=True)
    message = fields.Str()
    key = fields.Str(metadata={"description": "Kunci temuan untuk membuat butir reviu."})
    fix_url = fields.Str(allow_none=True, metadata={"description": "Halaman perbaikan."})


class FindingsSchema(BaseSchema):
    tahun = fields.Int()
    opd_id = fields.Int(allow_none=True)
    total = fields.Int(metadata={"description": "Jumlah temuan sebelum disaring."})
    summary = fields.Dict()
    findings = fields.List(fields.Nested(FindingSchema))


class ReviewQuery(BaseSchema):
    tahun = _f(fields.Int, load_default=None)
    opd_id = _f(fields.Int, load_default=None)
    status = _f(fields.Str, load_default=None, validate=_choice(REVIEW_STATUS))


class ReviewEventSchema(BaseSchema):
    id = fields.Int()
    from_status = fields.Str(allow_none=True)
    to_status = fields.Str()
    actor_user_id = fields.Int(allow_none=True)
    actor_label = fields.Str()
    note = fields.Str()
    at = fields.DateTime()


class ReviewItemSchema(BaseSchema):
    id = fields.Int()
    rhk_id = fields.Int(allow_none=True)
    sasaran_id = fields.Int(allow_none=True)
    pegawai_id = fields.Int(allow_none=True)
    finding_code = fields.Str(allow_none=True)
    rule = fields.Str()
    note = fields.Str()
    status = fields.Str(metadata={"description": ", ".join(ITEM_STATUS)})
    fixed_by_user_id = fields.Int(allow_none=True)
    fixed_at = fields.DateTime(allow_none=True)
    fixed_note = fields.Str(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    events = fields.List(fields.Nested(ReviewEventSchema))


class ReviewSchema(BaseSchema):
    id = fields.Int()
    opd_id = fields.Int()
    opd_nama = fields.Str()
    tahun = fields.Int()
    evaluator_user_id = fields.Int(allow_none=True)
    verdict = fields.Str(metadata={"description": ", ".join(VERDICTS)})
    due_date = fields.Date()
    summary = fields.Str()
    checklist = fields.Dict()
    findings_snapshot = fields.Dict()
    status = fields.Str()
    created_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    item_counts = fields.Dict(metadata={"description": "Jumlah butir per status."})
    items = fields.List(fields.Nested(ReviewItemSchema))


class ReviewListSchema(ReviewSchema):
    """A review in a list: without its items (counted in ``item_counts``)."""

    class Meta(BaseSchema.Meta):
        exclude = ("items",)


class ChecklistAnswer(BaseSchema):
    passed = _f(fields.Bool, required=True)
    note = _f(fields.Str, load_default="", validate=validate.Length(max=ops.MAX_NOTE))


class RhkNote(BaseSchema):
    rhk_id = _f(fields.Int, required=True)
    rule = _f(fields.Str, load_default="", validate=_choice(("", *V_RULES)))
    note = _f(fields.Str, required=True, validate=validate.Length(min=1, max=ops.MAX_NOTE))


class ReviewCreate(BaseSchema):
    opd_id = _f(fields.Int, required=True)
    tahun = _f(fields.Int, required=True)
    verdict = _f(fields.Str, required=True, validate=_choice(VERDICTS))
    due_date = _f(fields.Date, required=True)
    summary = _f(fields.Str, load_default="", validate=validate.Length(max=ops.MAX_SUMMARY))
    checklist = _f(
        fields.Dict,
        keys=fields.Str(validate=_choice(V_RULES)),
        values=fields.Nested(ChecklistAnswer),
        required=True,
        metadata={"description": 'Jawaban V1–V7: {"V1": {"passed": true, "note": ""}}'},
    )
    rhk_notes = _f(fields.List, fields.Nested(RhkNote), load_default=list)
    findings = _f(
        fields.List,
        fields.Str(),
        load_default=list,
        metadata={"description": "Kunci temuan (FindingSchema.key) yang dijadikan butir."},
    )
    request_key = _f(fields.Str, load_default=None, validate=validate.Length(max=64))


class NoteInput(BaseSchema):
    note = _f(fields.Str, load_default="", validate=validate.Length(max=ops.MAX_NOTE))


# --------------------------------------------------------------------------- helpers


@blp.errorhandler(ops.ReviewError)
def _review_error(exc: ops.ReviewError):
    db.session.rollback()
    if isinstance(exc, ops.ReviewForbidden):
        return api_error(403, str(exc))
    if isinstance(exc, ops.ReviewValidationError):
        return api_error(422, str(exc), fields=_api_fields(exc.fields))
    return api_error(409, str(exc))


def _api_fields(form_fields: dict[str, list[str]]) -> dict[str, list[str]]:
    """Form field names of the operations → JSON paths of this API."""
    out: dict[str, list[str]] = {}
    for key, msgs in form_fields.items():
        if key.startswith("check-"):
            path = f"checklist.{key[6:]}.passed"
        elif key.startswith("note-"):
            path = f"checklist.{key[5:]}.note"
        elif key.startswith("rule-rhk-"):
            path = f"rhk_notes.{key[9:]}.rule"
        elif key.startswith("rhk-"):
            path = f"rhk_notes.{key[4:]}"
        elif key == "finding":
            path = "findings"
        else:
            path = key
        out.setdefault(path, []).extend(msgs)
    return out


def _cascade(tahun: int, opd_id: int | None):
    try:
        return q.cascade_for(db.session, tahun, opd_id)
    except CascadeError as exc:
        abort(404, description=str(exc))


def _check_opd(opd_id: int | None) -> None:
    if opd_id is not None:
        opd = db.session.get(UnitOrganisasi, opd_id)
        if opd is None or not opd.is_opd:
            abort(404, description=f"OPD dengan id {opd_id} tidak ditemukan.")


def _finding_dict(f, graph) -> dict:
    people = graph.graph.get("people") or {}
    owner = people.get(f.owner_pegawai_id)
    data = graph.nodes
    return {
        **f.to_dict(),
        "title": FINDING_CODES[f.code].title if f.code in FINDING_CODES else f.code,
        "owner_name": owner.name if owner else None,
        "key": ops.finding_key(f),
        "fix_url": fix_url(f, data, graph.graph.get("tahun")),
    }


def _review_dict(review, *, detail: bool) -> dict:
    counts: dict[str, int] = {}
    for item in review.items:
        counts[item.status] = counts.get(item.status, 0) + 1
    out = {
        "id": review.id,
        "opd_id": review.opd_id,
        "opd_nama": review.opd.nama if review.opd else "",
        "tahun": review.tahun,
        "evaluator_user_id": review.evaluator_user_id,
        "verdict": review.verdict,
        "due_date": review.due_date,
        "summary": review.summary,
        "checklist": review.checklist,
        "findings_snapshot": review.findings_snapshot,
        "status": review.status,
        "created_at": review.created_at,
        "closed_at": review.closed_at,
        "item_counts": counts,
    }
    if detail:
        out["items"] = review.items
    return out


def _load_review(review_id: int):
    review = q.review_detail(db.session, review_id)
    if review is None:
        abort(404, description="Reviu tidak ditemukan.")
    require(perm.can_view_review(current_user, review))
    return review


# --------------------------------------------------------------------------- graph, findings


@blp.route("/graph")
class CascadeGraph(MethodView):
    @login_required
    @blp.arguments(GraphQuery, location="query")
    @blp.response(200, GraphSchema)
    def get(self, args):
        """Return the cascade graph (nodes, edges) of a periode or one OPD, with findings.

        Without ``opd_id`` only users who see every OPD (admin, pimpinan, unscoped evaluator
        or operator) may ask; the whole regency is large (one node per RHK).
        """
        opd_id = args["opd_id"]
        _check_opd(opd_id)
        if opd_id is None:
            require(perm.can_view_regency(current_user))
        else:
            require(perm.can_view_tree(current_user, opd_id))
        graph, found = _cascade(args["tahun"], opd_id)
        data = graph_to_json(graph, found)
        return {
            "tahun": args["tahun"],
            "opd_id": opd_id,
            **data,
            "summary": summarize(found),
        }


@blp.route("/findings")
class CascadeFindings(MethodView):
    @login_required
    @blp.arguments(FindingsQuery, location="query")
    @blp.response(200, FindingsSchema)
    def get(self, args):
        """Return the findings of a periode or one OPD, filtered by severity, code, owner."""
        opd_id = args["opd_id"]
        _check_opd(opd_id)
        scope = perm.findings_scope(current_user)
        if opd_id is None:
            require(scope is None)
        else:
            require(perm.can_view_findings(current_user, opd_id))
        graph, found = _cascade(args["tahun"], opd_id)
        shown = FindingFilters(args["severity"], args["code"], args["owner"]).apply(found)
        return {
            "tahun": args["tahun"],
            "opd_id": opd_id,
            "total": len(found),
            "summary": summarize(found),
            "findings": [_finding_dict(f, graph) for f in shown],
        }


# --------------------------------------------------------------------------- reviews


@blp.route("/reviews")
class ReviewCollection(MethodView):
    @login_required
    @blp.arguments(ReviewQuery, location="query")
    @blp.response(200, ReviewListSchema(many=True))
    def get(self, args):
        """List the alignment reviews of the OPDs in the caller's scope (newest first)."""
        scope = perm.review_scope(current_user)
        require(scope is None or bool(scope))
        if args["opd_id"] is not None and scope is not None and args["opd_id"] not in scope:
            abort(403)
        rows = q.list_reviews(
            db.session, scope, tahun=args["tahun"], opd_id=args["opd_id"], status=args["status"]
        )
        out = []
        for row in rows:
            d = _review_dict(row.review, detail=False)
            d["opd_nama"] = row.opd_name
            d["item_counts"] = row.counts
            out.append(d)
        return out

    @login_required
    @blp.arguments(ReviewCreate)
    @blp.response(201, ReviewSchema)
    @blp.alt_response(200, schema=ReviewSchema, description="Permintaan yang sama diulang.")
    def post(self, data):
        """Record an evaluator's review of an OPD's cascade (V1–V7 checklist, items, verdict)."""
        _check_opd(data["opd_id"])
        require(perm.can_create_review(current_user, data["opd_id"]))
        _graph, found = _cascade(data["tahun"], data["opd_id"])
        key = data["request_key"] or (request.headers.get("Idempotency-Key") or "")[:64] or None
        review_input = ops.ReviewInput(
            opd_id=data["opd_id"],
            tahun=data["tahun"],
            verdict=data["verdict"],
            due_date=data["due_date"],
            summary=data["summary"],
            checklist={
                rule: (answer["passed"], answer.get("note") or "")
                for rule, answer in data["checklist"].items()
            },
            rhk_notes=[(n["rhk_id"], n["rule"], n["note"]) for n in data["rhk_notes"]],
            finding_keys=list(data["findings"]),
            request_key=key,
        )
        review, created = ops.create_review(
            db.session, review_input, actor=current_user, findings=found
        )
        db.session.commit()
        review = q.review_detail(db.session, review.id)
        headers = {"Location": url_for("cascade_api.ReviewItemView", review_id=review.id)}
        return _review_dict(review, detail=True), (201 if created else 200), headers


@blp.route("/reviews/<int:review_id>", endpoint="ReviewItemView")
class ReviewDetail(MethodView):
    @login_required
    @blp.response(200, ReviewSchema)
    def get(self, review_id: int):
        """Return one review with its items and their history."""
        return _review_dict(_load_review(review_id), detail=True)


def _item_action(review_id: int, item_id: int, note: str, handler):
    review = _load_review(review_id)
    item = next((i for i in review.items if i.id == item_id), None)
    if item is None:
        abort(404, description="Butir reviu tidak ditemukan.")
    handler(db.session, item, actor=current_user, note=note)
    db.session.commit()
    return _review_dict(q.review_detail(db.session, review_id), detail=True)


@blp.route("/reviews/<int:review_id>/items/<int:item_id>/fix", methods=["POST"])
@login_required
@blp.arguments(NoteInput)
@blp.response(200, ReviewSchema)
def fix_item(data, review_id: int, item_id: int):
    """Mark an item fixed (an operator of the OPD), with a note on what changed."""
    return _item_action(review_id, item_id, data["note"], ops.mark_item_fixed)


@blp.route("/reviews/<int:review_id>/items/<int:item_id>/close", methods=["POST"])
@login_required
@blp.arguments(NoteInput)
@blp.response(200, ReviewSchema)
def close_item(data, review_id: int, item_id: int):
    """Close an item (an evaluator of the OPD)."""
    return _item_action(review_id, item_id, data["note"], ops.close_item)


@blp.route("/reviews/<int:review_id>/items/<int:item_id>/reopen", methods=["POST"])
@login_required
@blp.arguments(NoteInput)
@blp.response(200, ReviewSchema)
def reopen_item(data, review_id: int, item_id: int):
    """Reopen a fixed or closed item (an evaluator of the OPD), saying why."""
    return _item_action(review_id, item_id, data["note"], ops.reopen_item)


@blp.route("/reviews/<int:review_id>/close", methods=["POST"])
@login_required
@blp.arguments(NoteInput)
@blp.response(200, ReviewSchema)
def close_review(data, review_id: int):
    """Close a review once all its items are closed (an evaluator of the OPD)."""
    review = _load_review(review_id)
    ops.close_review(db.session, review, actor=current_user, note=data["note"])
    db.session.commit()
    return _review_dict(q.review_detail(db.session, review_id), detail=True)
