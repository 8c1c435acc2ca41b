"""HR pages of the personnel sync: start a run, watch it, review the plan, apply or discard."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from skp_app.auth.permissions import require
from skp_app.extensions import db
from skp_app.jobs import Job, enqueue
from skp_app.navigation import register_nav
from skp_app.sync import jobs as _jobs  # noqa: F401 — registers the sync job kinds
from skp_app.sync import operations
from skp_app.sync import permissions as perm
from skp_app.sync.adapters import FILE_SOURCES, SOURCES
from skp_app.sync.adapters.mapping import MAPPABLE_FIELDS
from skp_app.sync.engine import FIELD_LABELS, SyncError
from skp_app.sync.export import plan_workbook
from skp_app.sync.models import CHANGE_KIND, ENTITY, SyncMapping, SyncRun
from skp_app.sync.queries import (
    change_page,
    list_mappings,
    quarantine_page,
    quarantine_reasons,
    run_page,
    with_apply_state,
)

bp = Blueprint("sync", __name__, url_prefix="/sinkronisasi")

register_nav(
    "Sinkronisasi",
    "sync.index",
    {"hr", "admin"},
    order=85,
    help="Tarik data pegawai dari SIASN/SIMPEG: tinjau rencana, karantina, lalu terapkan.",
)

RUNNING = {"queued", "planning", "applying"}


def _running(run: SyncRun) -> bool:
    return run.status in RUNNING and not run.is_stalled


@bp.url_value_preprocessor
def _upload_limit(endpoint, values):  # noqa: ARG001
    # Runs before the app's CSRF hook parses the form, so the larger sync limit applies.
    if endpoint == "sync.start_run":
        request.max_content_length = (
            int(current_app.config.get("SKP_SYNC_MAX_UPLOAD_MB", 50)) * 1024 * 1024 + 65536
        )


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() else None


def _load_run(run_id: int) -> SyncRun:
    run = db.get_or_404(SyncRun, run_id)
    require(perm.can_view_sync_run(current_user, run))
    return run


def _index_context(**extra):
    return dict(
        sources=SOURCES,
        file_sources=FILE_SOURCES,
        mappings=list_mappings(db.session),
        runs=run_page(db.session, page=_int_arg("page") or 1),
        form=request.form,
        **extra,
    )


@bp.route("/")
@login_required
def index():
    require(perm.can_manage_sync(current_user))
    return render_template("sync/run_list.html", **_index_context())


@bp.route("/mulai", methods=["POST"])
@login_required
def start_run():
    require(perm.can_manage_sync(current_user))
    source = request.form.get("source", "")
    mapping = None
    if source == "tabular":
        mapping_id = request.form.get("mapping_id", "")
        mapping = db.session.get(SyncMapping, int(mapping_id)) if mapping_id.isdigit() else None
    upload = request.files.get("berkas")
    has_file = upload is not None and bool(upload.filename)
    try:
        run = operations.start_run(
            db.session,
            source,
            actor=current_user,
            full_export=request.form.get("cakupan", "lengkap") != "sebagian",
            upload=upload.stream if has_file else None,
            file_name=upload.filename if has_file else "",
            mapping=mapping,
            nip_text=request.form.get("nip", "")[:200_000],
            config=current_app.config,
        )
        db.session.commit()
    except SyncError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return render_template("sync/run_list.html", **_index_context()), 422
    job = enqueue("sync.plan", {"run_id": run.id, "user_id": current_user.id}, user=current_user)
    run = db.session.get(SyncRun, run.id)
    run.job_id = job.id
    db.session.commit()
    return redirect(url_for("sync.view_run", run_id=run.id))


@bp.route("/<int:run_id>")
@login_required
def view_run(run_id: int):
    run = _load_run(run_id)
    kind = request.args.get("jenis") or None
    entity = request.args.get("data") or None
    tab = request.args.get("tab", "perubahan")
    changes = quarantine = None
    if not _running(run):
        if tab == "karantina":
            quarantine = quarantine_page(
                db.session,
                run.id,
                reason=request.args.get("alasan") or None,
                page=_int_arg("page") or 1,
            )
        else:
            changes = change_page(
                db.session,
                run.id,
                kind=kind,
                entity=entity,
                q=request.args.get("q", "")[:100],
                page=_int_arg("page") or 1,
            )
            with_apply_state(db.session, run, changes.items)
    job = db.session.get(Job, run.job_id) if run.job_id else None
    return render_template(
        "sync/run_view.html",
        run=run,
        job=job,
        running=_running(run),
        changes=changes,
        quarantine=quarantine,
        reasons=quarantine_reasons(db.session, run.id),
        tab=tab,
        kind=kind,
        entity=entity,
        kinds=CHANGE_KIND,
        entities=ENTITY,
        field_labels=FIELD_LABELS,
        sources=SOURCES,
        can_manage=perm.can_manage_sync(current_user),
    )


@bp.route("/<int:run_id>/status")
@login_required
def run_status(run_id: int):
    run = _load_run(run_id)
    job = db.session.get(Job, run.job_id) if run.job_id else None
    data = run.to_dict()
    data["running"] = _running(run)
    data["job"] = job.to_dict() if job is not None else None
    if job is not None and job.status == "failed" and run.status in RUNNING:
        data["running"] = False
        data["error"] = job.message or job.error
    return jsonify(data)


def _enqueue(kind: str, run: SyncRun) -> None:
    job = enqueue(kind, {"run_id": run.id, "user_id": current_user.id}, user=current_user)
    run = db.session.get(SyncRun, run.id)
    run.job_id = job.id
    db.session.commit()


@bp.route("/<int:run_id>/terapkan", methods=["POST"])
@login_required
def apply_run(run_id: int):
    run = _load_run(run_id)
    require(perm.can_manage_sync(current_user))
    if run.status not in {"planned", "apply_failed"} and not (
        run.status == "applying" and run.is_stalled
    ):
        flash(f"Sinkronisasi berstatus '{run.status_label}' tidak dapat diterapkan.", "danger")
        return redirect(url_for("sync.view_run", run_id=run.id), 303)
    _enqueue("sync.apply", run)
    run = db.session.get(SyncRun, run_id)
    if run.status == "applied":
        flash("Perubahan diterapkan.", "success")
    elif run.status == "apply_failed":
        flash(f"Penerapan gagal: {run.error}", "danger")
    else:
        flash("Penerapan dimulai; halaman ini memperbarui kemajuannya.", "info")
    return redirect(url_for("sync.view_run", run_id=run.id), 303)


@bp.route("/<int:run_id>/lanjutkan", methods=["POST"])
@login_required
def resume_run(run_id: int):
    run = _load_run(run_id)
    require(perm.can_manage_sync(current_user))
    if run.status != "plan_failed" and not (run.status == "planning" and run.is_stalled):
        flash("Hanya pembacaan sumber yang gagal yang dapat dilanjutkan.", "danger")
        return redirect(url_for("sync.view_run", run_id=run.id), 303)
    _enqueue("sync.plan", run)
    return redirect(url_for("sync.view_run", run_id=run.id), 303)


@bp.route("/<int:run_id>/batalkan", methods=["POST"])
@login_required
def discard_run(run_id: int):
    run = _load_run(run_id)
    require(perm.can_manage_sync(current_user))
    try:
        operations.discard_run(db.session, run, actor=current_user)
        db.session.commit()
        flash("Rencana sinkronisasi dibatalkan; data pegawai tidak berubah.", "success")
    except SyncError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    return redirect(url_for("sync.view_run", run_id=run_id), 303)


@bp.route("/<int:run_id>/rencana.xlsx")
@login_required
def export_run(run_id: int):
    run = _load_run(run_id)
    if _running(run):
        abort(409, description="Tunggu sampai pembacaan sumber selesai.")
    data = plan_workbook(db.session, run)
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f'attachment; filename="sinkronisasi-{run.id}.xlsx"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@bp.route("/pemetaan", methods=["GET", "POST"])
@login_required
def mappings():
    require(perm.can_manage_mappings(current_user))
    edit_id = _int_arg("id") or (
        int(request.form["id"]) if request.form.get("id", "").isdigit() else None
    )
    editing = db.session.get(SyncMapping, edit_id) if edit_id else None
    status = 200
    if request.method == "POST":
        mapping = {
            field: [v.strip() for v in request.form.get(f"map_{field}", "").split("|") if v.strip()]
            for field in MAPPABLE_FIELDS
        }
        raw_json = request.form.get("mapping_json", "").strip()
        try:
            if raw_json:
                try:
                    parsed = json.loads(raw_json)
                except ValueError as exc:
                    raise SyncError(f"JSON pemetaan tidak valid: {exc}") from None
                if not isinstance(parsed, dict):
                    raise SyncError("JSON pemetaan harus berupa objek {kolom_kita: judul_kolom}.")
                mapping = parsed
            row = operations.save_mapping(
                db.session,
                name=request.form.get("name", ""),
                mapping=mapping,
                description=request.form.get("description", ""),
                external_source=request.form.get("external_source", "tabular"),
                actor=current_user,
                existing=editing,
            )
            db.session.commit()
            flash(f"Pemetaan '{row.name}' disimpan.", "success")
            return redirect(url_for("sync.mappings"), 303)
        except SyncError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            status = 422
    return render_template(
        "sync/mapping_list.html",
        mappings=list_mappings(db.session),
        editing=editing,
        fields=MAPPABLE_FIELDS,
        form=request.form,
    ), status
