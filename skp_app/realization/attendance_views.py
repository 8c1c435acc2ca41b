"""Pages of the attendance import: upload, the job's progress and result, the rejected rows.

The upload is checked and stored in the request (:func:`attendance.store_upload`); the import
itself is the background job ``kehadiran.import`` whose state lives in the ``jobs`` table, so
the progress page survives a reload and shows the same on every worker.

A nested blueprint of ``realization`` (registered in :mod:`skp_app.realization.views`), so its
endpoints are ``realization.kehadiran.*``.
"""

from __future__ import annotations

import tempfile

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from skp_app.auth.models import User
from skp_app.auth.permissions import has_any_role, require
from skp_app.extensions import db
from skp_app.jobs import Job, enqueue
from skp_app.navigation import register_nav
from skp_app.org.models import UnitOrganisasi
from skp_app.org.queries import Page
from skp_app.realization import attendance as att

bp = Blueprint("kehadiran", __name__)

register_nav(
    "Impor kehadiran",
    "realization.kehadiran.import_form",
    {"hr", "admin", "opd_operator"},
    order=47,
    help="Unggah ekspor mesin presensi (CSV/XLSX); diproses di latar belakang.",
)

PER_PAGE = 100
DEFAULT_MAX_MB = 50


def _max_bytes() -> int:
    return int(current_app.config.get("SKP_ATTENDANCE_MAX_UPLOAD_MB", DEFAULT_MAX_MB)) << 20


@bp.url_value_preprocessor
def _upload_limit(endpoint, values):  # noqa: ARG001
    # Runs before the app's CSRF hook reads the form, so the larger import limit applies.
    if endpoint == "realization.kehadiran.upload_attendance":
        request.max_content_length = _max_bytes() + 65_536


def _form_page(error: str | None = None, status: int = 200):
    stmt = select(Job).where(Job.kind == att.JOB_KIND).order_by(Job.id.desc()).limit(10)
    if not has_any_role(current_user, "admin", "hr"):
        stmt = stmt.where(Job.created_by_id == current_user.id)
    scope = att.attendance_scope(current_user)
    opds = (
        list(db.session.scalars(select(UnitOrganisasi.nama).where(UnitOrganisasi.id.in_(scope))))
        if scope
        else []
    )
    return (
        render_template(
            "realization/kehadiran_impor.html",
            error=error,
            jobs=list(db.session.scalars(stmt)),
            scope=scope,
            scope_names=sorted(opds),
            max_mb=_max_bytes() >> 20,
        ),
        status,
    )


@bp.route("/kehadiran/impor")
@login_required
def import_form():
    require(att.can_upload_attendance(current_user))
    return _form_page()


@bp.route("/kehadiran/impor", methods=["POST"])
@login_required
def upload_attendance():
    require(att.can_upload_attendance(current_user))
    upload = request.files.get("berkas")
    if upload is None or not upload.filename:
        return _form_page("Pilih berkas CSV atau XLSX ekspor mesin presensi.", 422)
    try:
        stored = att.store_upload(
            upload.stream,
            upload.filename,
            upload_dir=current_app.config["SKP_UPLOAD_DIR"],
            max_bytes=_max_bytes(),
        )
    except att.AttendanceError as exc:
        return _form_page(str(exc), 422)
    job = enqueue(
        att.JOB_KIND, {**stored.job_params(), "user_id": current_user.id}, user=current_user
    )
    return redirect(url_for(".view_import", job_id=job.id), 303)


def _load_job(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None or job.kind != att.JOB_KIND:
        abort(404)
    require(att.can_view_attendance_import(current_user, job))
    return job


def _running(job: Job) -> bool:
    return job.status in {"queued", "running"}


@bp.route("/kehadiran/impor/<int:job_id>")
@login_required
def view_import(job_id: int):
    job = _load_job(job_id)
    result = job.result if job.status == "done" else None
    page = None
    report_missing = False
    if result is not None and result.get("rejected"):
        number = max(1, request.args.get("page", 1, type=int) or 1)
        rows = att.report_rows(
            current_app.config["SKP_UPLOAD_DIR"],
            job.id,
            offset=(number - 1) * PER_PAGE,
            limit=PER_PAGE,
        )
        if rows is None:
            report_missing = True
        else:
            page = Page(list(rows), int(result["rejected"]), number, PER_PAGE)
    scope_ids = (result or {}).get("scope")
    scope_names = (
        sorted(
            db.session.scalars(select(UnitOrganisasi.nama).where(UnitOrganisasi.id.in_(scope_ids)))
        )
        if scope_ids
        else []
    )
    return render_template(
        "realization/kehadiran_proses.html",
        job=job,
        running=_running(job),
        result=result,
        page=page,
        report_missing=report_missing,
        reasons=att.REASONS,
        uploader=db.session.get(User, job.created_by_id) if job.created_by_id else None,
        scope_names=scope_names,
    )


@bp.route("/kehadiran/impor/<int:job_id>/status")
@login_required
def import_status(job_id: int):
    job = _load_job(job_id)
    return jsonify(
        {
            "status": job.status,
            "status_label": job.status_label,
            "running": _running(job),
            "percent": job.percent,
            "progress": job.progress,
            "total": job.total,
            "message": job.message,
        }
    )


@bp.route("/kehadiran/impor/<int:job_id>/ditolak.<fmt>")
@login_required
def export_rejected(job_id: int, fmt: str):
    job = _load_job(job_id)
    if fmt not in {"csv", "xlsx"}:
        abort(404)
    if job.status != "done":
        abort(409, description="Impor belum selesai.")
    rows = att.report_rows(current_app.config["SKP_UPLOAD_DIR"], job.id)
    if rows is None:
        abort(
            410,
            description="Daftar baris ditolak sudah tidak tersimpan; impor ulang berkas yang "
            "sama untuk membuatnya lagi (data yang sudah tersimpan tidak berubah).",
        )
    filename = (job.result or {}).get("filename") or "kehadiran"
    out = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - sent, then closed
    mimetype = att.export_report(
        rows, fmt, out, title=f"Baris ditolak impor kehadiran #{job.id} ({filename})"
    )
    out.seek(0)
    response = send_file(
        out,
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"kehadiran-ditolak-{job.id}.{fmt}",
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
