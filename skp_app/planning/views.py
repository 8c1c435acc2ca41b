"""Planning pages: my SKP, the SKP editor, the penilai inbox, the OPD board, goals, periods.

Each view loads, checks permission, calls one operation, commits, then renders or redirects.
Domain errors become: PlanningForbidden → 403, WorkflowError → 409 (the SKP page re-rendered
with the message), PlanningValidationError → the form re-rendered with per-field messages.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from skp_app.auth.permissions import require
from skp_app.extensions import db
from skp_app.navigation import register_nav
from skp_app.org.models import Instansi, Pegawai, UnitOrganisasi
from skp_app.org.queries import opd_list
from skp_app.planning import operations as ops
from skp_app.planning import permissions as perm
from skp_app.planning import queries as q
from skp_app.planning import xlsx
from skp_app.planning.berakhlak import BERAKHLAK
from skp_app.planning.errors import (
    PlanningError,
    PlanningForbidden,
    PlanningValidationError,
    WorkflowError,
)
from skp_app.planning.forms import (
    CascadeForm,
    GoalsImportForm,
    LampiranForm,
    PerilakuForm,
    PeriodeForm,
    ReturnForm,
    RhkForm,
    SasaranForm,
    SettingsForm,
    choices,
    format_range,
    new_request_key,
    parse_int,
)
from skp_app.planning.models import (
    ASPEK,
    CASCADING,
    LAMPIRAN_BAGIAN,
    PENDEKATAN,
    PERSPEKTIF,
    RHK_JENIS,
    SASARAN_JENIS,
    SASARAN_LEVEL,
    Periode,
    Rhk,
    Sasaran,
    Skp,
)

bp = Blueprint("planning", __name__)

register_nav(
    "SKP saya",
    "planning.my_skp",
    {"pegawai"},
    order=10,
    help="Susun dan ajukan SKP Anda untuk periode berjalan.",
)
register_nav(
    "SKP bawahan",
    "planning.inbox",
    {"pegawai"},
    order=11,
    help="SKP yang menunggu persetujuan Anda sebagai pejabat penilai.",
)
register_nav(
    "Monitoring SKP",
    "planning.monitoring",
    {"opd_operator", "admin", "hr"},
    order=20,
    help="Status pengisian SKP seluruh pegawai OPD.",
)
register_nav(
    "Sasaran daerah",
    "planning.list_sasaran",
    {"admin", "pimpinan", "opd_operator", "evaluator"},
    order=30,
    help="Sasaran RPJMD dan sasaran Renstra/Perjanjian Kinerja OPD.",
)
register_nav(
    "Periode",
    "planning.list_periode",
    {"admin"},
    order=85,
    help="Buka dan tutup periode penilaian.",
)

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- helpers ---------------------------------------------------------------------------------


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _load_skp(skp_id: int) -> Skp:
    skp = q.skp_full(db.session, skp_id)
    if skp is None:
        abort(404)
    return skp


def _periode_from_args() -> Periode | None:
    tahun = _int_arg("tahun")
    if tahun is not None:
        return q.periode_by_tahun(db.session, tahun)
    return q.open_periode(db.session)


def _xlsx(data: bytes, filename: str) -> Response:
    return Response(
        data,
        mimetype=XLSX_MIME,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _forbidden(exc: PlanningForbidden):
    abort(403, description=str(exc))


def _commit(success: str | None = None) -> bool:
    """Commit the unit of work; a concurrent replay of the same request_key is not an error."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash("Permintaan ini sudah diproses sebelumnya.", "info")
        return False
    if success:
        flash(success, "success")
    return True


def _skp_flags(skp: Skp) -> dict:
    editable = skp.is_current and skp.status in ops.EDITABLE_STATUS and skp.periode.is_open
    return {
        "can_edit": perm.can_edit_skp(current_user, skp) and editable,
        "can_submit": perm.can_submit_skp(current_user, skp) and editable,
        "can_approve": perm.can_approve_skp(current_user, skp)
        and skp.status == "diajukan"
        and skp.periode.is_open,
        "can_revise": perm.can_revise_skp(current_user, skp)
        and skp.status == "disetujui"
        and skp.is_current
        and skp.periode.is_open,
        "can_cascade": perm.can_bulk_cascade(current_user, skp)
        and skp.status == "disetujui"
        and skp.is_current
        and skp.periode.is_open,
        "editable": editable,
    }


def _render_skp(
    skp: Skp,
    *,
    status: int = 200,
    errors: list[str] | None = None,
    return_form: ReturnForm | None = None,
):
    transitions, versions = q.skp_history(db.session, skp.id)
    flags = _skp_flags(skp)
    problems = ops.submit_problems(db.session, skp) if flags["can_submit"] else []
    rform = return_form or ReturnForm()
    if not rform.request_key.data:
        rform.request_key.data = new_request_key()
    return (
        render_template(
            "planning/skp_view.html",
            skp=skp,
            flags=flags,
            transitions=transitions,
            versions=versions,
            problems=problems,
            errors=errors or [],
            return_form=rform,
            request_key=new_request_key,
            berakhlak=BERAKHLAK,
            aspek=ASPEK,
            perspektif=PERSPEKTIF,
            lampiran_bagian=LAMPIRAN_BAGIAN,
            fmt_angka=ops.format_angka,
        ),
        status,
    )


def _workflow_failure(skp_id: int, exc: PlanningError):
    db.session.rollback()
    if isinstance(exc, PlanningForbidden):
        _forbidden(exc)
    skp = _load_skp(skp_id)
    problems = getattr(exc, "problems", None)
    if problems:
        return _render_skp(skp, status=409, errors=[str(exc).split(":")[0] + ":", *problems])
    return _render_skp(
        skp,
        status=409 if isinstance(exc, WorkflowError) else 422,
        errors=[str(exc)] if not isinstance(exc, PlanningValidationError) else exc.messages(),
    )


# --- my SKP, view, print, export ---------------------------------------------------------------


def _field_errors(form, exc: PlanningValidationError) -> None:
    """Show a validation error's messages on the form: per field, the rest above the form."""
    for key, messages in exc.fields.items():
        field = getattr(form, key, None)
        if field is not None:
            field.errors = list(messages)
        else:
            form.form_errors.extend(messages)


@bp.route("/skp/saya")
@login_required
def my_skp():
    if current_user.pegawai_id is None:
        flash(
            "Akun ini tidak terhubung dengan data pegawai, sehingga tidak memiliki SKP.", "warning"
        )
        return redirect(url_for("main.index"))
    periode = _periode_from_args()
    pegawai = db.session.get(Pegawai, current_user.pegawai_id)
    skp = q.current_skp(db.session, pegawai.id, periode.id) if periode else None
    history = list(
        db.session.scalars(
            select(Skp).where(Skp.pegawai_id == pegawai.id).order_by(Skp.tanggal_mulai.desc())
        )
    )
    return render_template(
        "planning/skp_mine.html",
        pegawai=pegawai,
        periode=periode,
        skp=skp,
        history=history,
        periodes=q.list_periode(db.session),
    )


@bp.route("/skp/saya", methods=["POST"])
@login_required
def create_my_skp():
    if current_user.pegawai_id is None:
        abort(403)
    pegawai = db.session.get(Pegawai, current_user.pegawai_id)
    return _create_skp_for(pegawai)


@bp.route("/skp/pegawai/<int:pegawai_id>/buat", methods=["POST"])
@login_required
def create_skp_for(pegawai_id: int):
    pegawai = db.get_or_404(Pegawai, pegawai_id)
    return _create_skp_for(pegawai)


def _create_skp_for(pegawai: Pegawai):
    tahun, _ = parse_int(request.form.get("tahun"), "Tahun")
    periode = q.periode_by_tahun(db.session, tahun) if tahun else q.open_periode(db.session)
    if periode is None:
        abort(409, description="Belum ada periode penilaian yang dibuka.")
    opd_id = pegawai.unit.opd_id if pegawai.unit else None
    require(perm.can_create_skp(current_user, pegawai, opd_id))
    try:
        skp, created = ops.ensure_skp(db.session, pegawai, periode, actor=current_user)
    except PlanningForbidden as exc:
        _forbidden(exc)
    except WorkflowError as exc:
        db.session.rollback()
        abort(409, description=str(exc))
    skp_id = skp.id
    if not _commit("Draf SKP dibuat." if created else None):
        existing = q.current_skp(db.session, pegawai.id, periode.id)
        if existing is None:
            abort(409)
        skp_id = existing.id
    return redirect(url_for("planning.edit_skp", skp_id=skp_id))


@bp.route("/skp/<int:skp_id>")
@login_required
def view_skp(skp_id: int):
    skp = _load_skp(skp_id)
    require(perm.can_view_skp(current_user, skp))
    return _render_skp(skp)


def _instansi_nama(skp: Skp) -> str:
    unit = skp.unit
    if unit is None:
        return ""
    row = db.session.get(Instansi, unit.instansi_id)
    return row.nama if row else ""


@bp.route("/skp/<int:skp_id>/cetak")
@login_required
def print_skp(skp_id: int):
    skp = _load_skp(skp_id)
    require(perm.can_view_skp(current_user, skp))
    return render_template(
        "planning/skp_print.html",
        skp=skp,
        me=xlsx.identity_block(skp, "pegawai"),
        pp=xlsx.identity_block(skp, "penilai"),
        instansi=_instansi_nama(skp),
        berakhlak=BERAKHLAK,
        aspek=ASPEK,
        perspektif=PERSPEKTIF,
        lampiran_bagian=LAMPIRAN_BAGIAN,
        target_text=xlsx.target_text,
    )


@bp.route("/skp/<int:skp_id>/unduh.xlsx")
@login_required
def export_skp_xlsx(skp_id: int):
    skp = _load_skp(skp_id)
    require(perm.can_view_skp(current_user, skp))
    data = xlsx.export_skp(skp, _instansi_nama(skp))
    nip = skp.pegawai.nip or skp.pegawai_id
    return _xlsx(data, f"SKP-{skp.periode.tahun}-{nip}.xlsx")


# --- editing ---------------------------------------------------------------------------------


def _load_editable(skp_id: int) -> Skp:
    skp = _load_skp(skp_id)
    require(perm.can_edit_skp(current_user, skp))
    return skp


@bp.route("/skp/<int:skp_id>/ubah")
@login_required
def edit_skp(skp_id: int):
    skp = _load_editable(skp_id)
    flags = _skp_flags(skp)
    if not flags["editable"]:
        flash(
            ops.NOT_EDITABLE.get(skp.status, "SKP ini tidak dapat diubah.")
            if skp.periode.is_open
            else f"Periode {skp.periode.tahun} sudah ditutup.",
            "warning",
        )
        return redirect(url_for("planning.view_skp", skp_id=skp.id))
    return _render_edit(skp)


def _render_edit(
    skp: Skp, *, settings_form=None, perilaku_form=None, lampiran_form=None, status: int = 200
):
    settings_form = settings_form or SettingsForm(formdata=None, pendekatan=skp.pendekatan)
    if perilaku_form is None:
        perilaku_form = PerilakuForm(formdata=None)
        for p in skp.perilaku:
            field = getattr(perilaku_form, f"ekspektasi_{p.nilai_kode}", None)
            if field is not None:
                field.data = p.ekspektasi_khusus
    if lampiran_form is None:
        lampiran_form = LampiranForm(formdata=None)
        for bagian in LAMPIRAN_BAGIAN:
            getattr(lampiran_form, bagian).data = "\n".join(
                lp.teks for lp in skp.lampiran if lp.bagian == bagian
            )
    source, _ = q.penilai_rhk_options(db.session, skp)
    previous = q.previous_skp(db.session, skp.pegawai_id, skp.periode.tahun - 1)
    return (
        render_template(
            "planning/skp_edit.html",
            skp=skp,
            flags=_skp_flags(skp),
            settings_form=settings_form,
            perilaku_form=perilaku_form,
            lampiran_form=lampiran_form,
            penilai_skp=source,
            previous=previous,
            problems=ops.submit_problems(db.session, skp),
            berakhlak=BERAKHLAK,
            aspek=ASPEK,
            perspektif=PERSPEKTIF,
            pendekatan=PENDEKATAN,
            lampiran_bagian=LAMPIRAN_BAGIAN,
            request_key=new_request_key,
            fmt_angka=ops.format_angka,
        ),
        status,
    )


def _find_pegawai_by_nip(text: str) -> tuple[Pegawai | None, str | None]:
    nip = "".join(ch for ch in (text or "") if ch.isdigit())
    if not nip:
        return None, None
    row = db.session.scalar(select(Pegawai).where(Pegawai.nip == nip))
    if row is None:
        return None, f"Pegawai dengan NIP {nip} tidak ditemukan."
    return row, None


@bp.route("/skp/<int:skp_id>/pengaturan", methods=["POST"])
@login_required
def update_settings(skp_id: int):
    skp = _load_editable(skp_id)
    form = SettingsForm()
    penilai, e1 = _find_pegawai_by_nip(form.penilai_nip.data)
    atasan, e2 = _find_pegawai_by_nip(form.atasan_penilai_nip.data)
    errors = {k: [v] for k, v in (("penilai_nip", e1), ("atasan_penilai_nip", e2)) if v}
    try:
        if errors:
            raise PlanningValidationError(errors)
        ops.update_skp_settings(
            db.session,
            skp,
            actor=current_user,
            pendekatan=form.pendekatan.data,
            penilai=penilai,
            atasan_penilai=atasan,
            reset_penilai=bool(form.reset_penilai.data),
        )
    except PlanningForbidden as exc:
        _forbidden(exc)
    except WorkflowError as exc:
        return _workflow_failure(skp_id, exc)
    except PlanningValidationError as exc:
        db.session.rollback()
        skp = _load_skp(skp_id)
        _field_errors(form, exc)
        return _render_edit(skp, settings_form=form, status=422)
    _commit("Pengaturan SKP disimpan.")
    return redirect(url_for("planning.edit_skp", skp_id=skp_id))


def _rhk_form_choices(form: RhkForm, skp: Skp) -> tuple[Skp | None, list]:
    source, options = q.penilai_rhk_options(db.session, skp)
    form.parent_rhk_id.choices = choices(
        [("", "— pilih RHK pejabat penilai —")]
        + [(r.id, f"[{RHK_JENIS[r.jenis]}] {r.teks}") for r in options]
    )
    sasaran = q.opd_sasaran_options(db.session, skp.opd_id, skp.periode.tahun)
    form.parent_sasaran_id.choices = choices(
        [("", "— pilih sasaran Perjanjian Kinerja —")]
        + [(s.id, f"{s.kode + ' · ' if s.kode else ''}{s.teks}") for s in sasaran]
    )
    return source, sasaran


def _render_rhk_form(skp: Skp, form: RhkForm, rhk: Rhk | None, status: int = 200):
    source, sasaran = _rhk_form_choices(form, skp)
    if not form.request_key.data:
        form.request_key.data = new_request_key()
    return (
        render_template(
            "planning/rhk_form.html",
            skp=skp,
            form=form,
            rhk=rhk,
            penilai_skp=source,
            sasaran_options=sasaran,
            invalid=status == 422,
        ),
        status,
    )


@bp.route("/skp/<int:skp_id>/rhk/baru", methods=["GET", "POST"])
@bp.route("/skp/<int:skp_id>/rhk/<int:rhk_id>/ubah", methods=["GET", "POST"])
@login_required
def edit_rhk(skp_id: int, rhk_id: int | None = None):
    skp = _load_editable(skp_id)
    rhk = None
    if rhk_id is not None:
        rhk = db.session.get(Rhk, rhk_id)
        if rhk is None or rhk.skp_id != skp.id:
            abort(404)
    if request.method == "GET":
        if not _skp_flags(skp)["editable"]:
            return redirect(url_for("planning.edit_skp", skp_id=skp.id))
        form = RhkForm(formdata=None)
        if rhk is not None:
            form.load(rhk)
        else:
            form.jenis.data = (
                request.args.get("jenis") if request.args.get("jenis") in RHK_JENIS else "utama"
            )
            form.cascading.data = "non_direct"
            form.prefill_aspek()
        return _render_rhk_form(skp, form, rhk)
    form = RhkForm()
    _rhk_form_choices(form, skp)
    data, shape_errors, rows = form.to_input()
    try:
        if shape_errors:
            raise PlanningValidationError(shape_errors)
        saved = ops.save_rhk(
            db.session,
            skp,
            data,
            actor=current_user,
            rhk=rhk,
            request_key=form.request_key.data if rhk is None else None,
        )
    except PlanningForbidden as exc:
        _forbidden(exc)
    except WorkflowError as exc:
        return _workflow_failure(skp_id, exc)
    except PlanningValidationError as exc:
        db.session.rollback()
        skp = _load_skp(skp_id)
        rhk = db.session.get(Rhk, rhk_id) if rhk_id else None
        form.apply_errors(exc.fields, rows)
        return _render_rhk_form(skp, form, rhk, status=422)
    _commit("RHK disimpan.")
    return redirect(url_for("planning.edit_skp", skp_id=skp_id, _anchor=f"rhk-{saved.id}"))


@bp.route("/skp/<int:skp_id>/rhk/<int:rhk_id>/hapus", methods=["POST"])
@login_required
def delete_rhk(skp_id: int, rhk_id: int):
    skp = _load_editable(skp_id)
    rhk = db.session.get(Rhk, rhk_id)
    if rhk is None or rhk.skp_id != skp.id:
        # Replayed delete: the row is already gone.
        flash("RHK sudah tidak ada.", "info")
        return redirect(url_for("planning.edit_skp", skp_id=skp_id))
    try:
        ops.delete_rhk(db.session, rhk, actor=current_user)
    except PlanningForbidden as exc:
        _forbidden(exc)
    except WorkflowError as exc:
        return _workflow_failure(skp_id, exc)
    _commit("RHK dihapus.")
    return redirect(url_for("planning.edit_skp", skp_id=skp_id))


@bp.route("/skp/<int:skp_id>/perilaku", methods=["POST"])
@login_required
def update_perilaku(skp_id: int):
    skp = _load_editable(skp_id)
    form = PerilakuForm()
    values = {v.kode: getattr(form, f"ekspektasi_{v.kode}").data or "" for v in BERAKHLAK}
    try:
        ops.save_perilaku(db.session, skp, values, actor=current_user)
    except PlanningForbidden as exc:
        _forbidden(exc)
    except WorkflowError as exc:
        return _workflow_failure(skp_id, exc)
    except PlanningValidationError as exc:
        db.session.rollback()
        _field_errors(form, exc)
        return _render_edit(_load_skp(skp_id), perilaku_form=form, status=422)
    _commit("Ekspektasi perilaku kerja disimpan.")
    return redirect(url_for("planning.edit_skp", skp_id=skp_id, _anchor="perilaku"))


@bp.route("/skp/<int:skp_id>/lampiran", methods=["POST"])
@login_required
def update_lampiran(skp_id: int):
    skp = _load_editable(skp_id)
    form = LampiranForm()
    items = {
        bagian: [line for line in (getattr(form, bagian).data or "").splitlines() if line.strip()]
        for bagian in LAMPIRAN_BAGIAN
    }
    try:
        ops.save_lampiran(db.session, skp, items, actor=current_user)
    except PlanningForbidden as exc:
        _forbidden(exc)
    except WorkflowError as exc:
        return _workflow_failure(skp_id, exc)
    except PlanningValidationError as exc:
        db.session.rollback()
        _field_errors(form, exc)
        return _render_edit(_load_skp(skp_id), lampiran_form=form, status=422)
    _commit("Lampiran SKP disimpan.")
    return redirect(url_for("planning.edit_skp", skp_id=skp_id, _anchor="lampiran"))


@bp.route("/skp/<int:skp_id>/salin-tahun-lalu", methods=["POST"])
@login_required
def copy_forward(skp_id: int):
    skp = _load_editable(skp_id)
    try:
        report = ops.copy_forward_skp(
            db.session, skp, actor=current_user, request_key=request.form.get("request_key")
        )
    except PlanningForbidden as exc:
        _forbidden(exc)
    except (WorkflowError, PlanningValidationError) as exc:
        return _workflow_failure(skp_id, exc)
    if _commit():
        flash(
            f"{report.rhk_count} RHK, {report.iki_count} IKI dan {report.lampiran_count} butir "
            "lampiran disalin dari SKP tahun lalu.",
            "success",
        )
        for msg in report.unlinked:
            flash(msg, "warning")
    return redirect(url_for("planning.edit_skp", skp_id=skp_id))


# --- workflow --------------------------------------------------------------------------------


def _transition_view(skp_id: int, action: str):
    skp = _load_skp(skp_id)
    key = request.form.get("request_key")
    try:
        if action == "submit":
            require(perm.can_submit_skp(current_user, skp))
            result = ops.submit_skp(db.session, skp, actor=current_user, request_key=key)
        elif action == "approve":
            require(perm.can_approve_skp(current_user, skp))
            result = ops.approve_skp(db.session, skp, actor=current_user, request_key=key)
        elif action == "revise":
            require(perm.can_revise_skp(current_user, skp))
            result = ops.revise_skp(db.session, skp, actor=current_user, request_key=key)
        else:
            require(perm.can_return_skp(current_user, skp))
            form = ReturnForm()
            try:
                result = ops.return_skp(
                    db.session,
                    skp,
                    actor=current_user,
                    note=form.catatan.data or "",
                    request_key=key,
                )
            except PlanningValidationError as exc:
                db.session.rollback()
                form.catatan.errors = exc.fields.get("catatan", [str(exc)])
                return _render_skp(_load_skp(skp_id), status=422, return_form=form)
    except PlanningError as exc:
        return _workflow_failure(skp_id, exc)
    if _commit():
        flash(result.message, "info" if result.replayed else "success")
    if action == "approve" or action == "return":
        return redirect(
            url_for("planning.inbox", tahun=skp.periode.tahun)
            if request.form.get("next") == "inbox"
            else url_for("planning.view_skp", skp_id=skp_id)
        )
    return redirect(url_for("planning.view_skp", skp_id=skp_id))


@bp.route("/skp/<int:skp_id>/ajukan", methods=["POST"])
@login_required
def submit_skp(skp_id: int):
    return _transition_view(skp_id, "submit")


@bp.route("/skp/<int:skp_id>/setujui", methods=["POST"])
@login_required
def approve_skp(skp_id: int):
    return _transition_view(skp_id, "approve")


@bp.route("/skp/<int:skp_id>/kembalikan", methods=["POST"])
@login_required
def return_skp(skp_id: int):
    return _transition_view(skp_id, "return")


@bp.route("/skp/<int:skp_id>/revisi", methods=["POST"])
@login_required
def revise_skp(skp_id: int):
    return _transition_view(skp_id, "revise")


# --- inbox, cascade, monitoring --------------------------------------------------------------


@bp.route("/skp/bawahan")
@login_required
def inbox():
    if current_user.pegawai_id is None:
        flash("Akun ini tidak terhubung dengan data pegawai.", "warning")
        return redirect(url_for("main.index"))
    periode = _periode_from_args()
    me = db.session.get(Pegawai, current_user.pegawai_id)
    rows = q.inbox(db.session, me, periode.id) if periode else []
    my = q.current_skp(db.session, me.id, periode.id) if periode else None
    return render_template(
        "planning/skp_inbox.html",
        periode=periode,
        periodes=q.list_periode(db.session),
        rows=rows,
        my_skp=my,
        waiting=sum(1 for r in rows if r.status == "diajukan"),
        request_key=new_request_key,
    )


@bp.route("/skp/<int:skp_id>/turunkan", methods=["GET", "POST"])
@login_required
def cascade(skp_id: int):
    skp = _load_skp(skp_id)
    require(perm.can_bulk_cascade(current_user, skp))
    form = CascadeForm() if request.method == "POST" else CascadeForm(formdata=None)
    report = None
    status = 200
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        rhk_ids, e1 = form.ids("rhk_ids")
        pegawai_ids, e2 = form.ids("pegawai_ids")
        jabatan_ids, e3 = form.ids("jabatan_ids")
        try:
            if e1 or e2 or e3:
                raise PlanningValidationError({"penerima": [e1 or e2 or e3]})
            report = ops.bulk_cascade(
                db.session,
                skp,
                rhk_ids,
                actor=current_user,
                pegawai_ids=pegawai_ids,
                jabatan_ids=jabatan_ids,
                cascading=form.cascading.data or "direct",
                request_key=form.request_key.data,
            )
        except PlanningForbidden as exc:
            _forbidden(exc)
        except WorkflowError as exc:
            db.session.rollback()
            errors = {"skp": [str(exc)]}
            status = 409
        except PlanningValidationError as exc:
            db.session.rollback()
            errors = exc.fields
            status = 422
        else:
            if not _commit():
                report = None
        skp = _load_skp(skp_id)
    # Loaded after the commit so the page does not re-read expired rows one by one.
    subs, positions = q.cascade_recipients(db.session, skp.pegawai)
    form.rhk_ids.choices = choices((r.id, r.teks) for r in skp.rhk)
    form.pegawai_ids.choices = choices((p.id, p.nama_lengkap) for p in subs)
    form.jabatan_ids.choices = choices((j.id, j.nama) for j in positions)
    if report is None and status == 200 or errors:
        form.request_key.data = new_request_key()
    names = {}
    if report is not None:
        names = dict(
            db.session.execute(
                select(Pegawai.id, Pegawai.nama).where(Pegawai.id.in_(list(report.drafted) or [-1]))
            ).all()
        )
    return (
        render_template(
            "planning/skp_cascade.html",
            skp=skp,
            form=form,
            subs=subs,
            positions=positions,
            report=report,
            names=names,
            errors=errors,
            aspek=ASPEK,
            cascading=CASCADING,
            fmt_angka=ops.format_angka,
        ),
        status,
    )


def _board_opd(scope: set[int] | None) -> tuple[UnitOrganisasi | None, list[UnitOrganisasi]]:
    opds = opd_list(db.session, unit_ids=scope)
    chosen = _int_arg("opd")
    if chosen is not None:
        if scope is not None and chosen not in scope:
            abort(403)
        opd = db.session.get(UnitOrganisasi, chosen)
        if opd is None or not opd.is_opd:
            abort(404)
        return opd, opds
    return (opds[0] if opds else None), opds


@bp.route("/skp/monitoring")
@login_required
def monitoring():
    scope = perm.monitor_scope(current_user)
    require(scope is None or bool(scope))
    opd, opds = _board_opd(scope)
    periode = _periode_from_args()
    status = request.args.get("status") or None
    if status not in q.BOARD_STATUS:
        status = None
    board = None
    if opd is not None and periode is not None:
        board = q.monitoring_board(
            db.session,
            opd.id,
            periode.id,
            status=status,
            unit_id=_int_arg("unit"),
            q=request.args.get("q", "")[:100],
        )
    return render_template(
        "planning/skp_monitoring.html",
        opd=opd,
        opds=opds,
        periode=periode,
        periodes=q.list_periode(db.session),
        board=board,
        status=status,
        statuses=q.BOARD_STATUS,
        can_create=opd is not None and perm.can_act_for_opd(current_user, opd.id),
    )


@bp.route("/skp/monitoring.xlsx")
@login_required
def monitoring_xlsx():
    scope = perm.monitor_scope(current_user)
    require(scope is None or bool(scope))
    opd, _ = _board_opd(scope)
    periode = _periode_from_args()
    if opd is None or periode is None:
        abort(404)
    board = q.monitoring_board(
        db.session,
        opd.id,
        periode.id,
        status=request.args.get("status") or None,
        unit_id=_int_arg("unit"),
        q=request.args.get("q", "")[:100],
    )
    data = xlsx.export_skp_list(board.rows, opd_nama=opd.nama, tahun=periode.tahun)
    return _xlsx(data, f"SKP-{periode.tahun}-{opd.singkatan or opd.id}.xlsx")


# --- goals -----------------------------------------------------------------------------------


def _goal_level() -> tuple[str, int | None]:
    level = request.args.get("level", "regent")
    if level not in SASARAN_LEVEL:
        abort(404)
    return level, _int_arg("opd") if level == "opd" else None


@bp.route("/sasaran")
@login_required
def list_sasaran():
    require(perm.can_view_goals(current_user))
    level, opd_id = _goal_level()
    opds = opd_list(db.session)
    if level == "opd" and opd_id is None:
        scope = perm.goals_opd_scope(current_user)
        mine = [o for o in opds if scope is None or o.id in scope] if scope != set() else []
        opd_id = (mine or opds or [None])[0]
        opd_id = opd_id.id if opd_id is not None else None
    opd = db.session.get(UnitOrganisasi, opd_id) if opd_id else None
    tree = q.goals_tree(db.session, level, opd_id) if level == "regent" or opd else []
    years = sorted({y for s, _ in tree for y in range(s.tahun_awal, s.tahun_akhir + 1)})
    return render_template(
        "planning/sasaran_list.html",
        level=level,
        opd=opd,
        opds=opds,
        tree=tree,
        years=years,
        can_manage=perm.can_manage_goals(current_user, level, opd_id),
        jenis_label=SASARAN_JENIS,
        level_label=SASARAN_LEVEL,
        format_range=format_range,
    )


def _sasaran_choices(form: SasaranForm, level: str, opd_id: int | None, exclude: int | None):
    stmt = select(Sasaran).where(Sasaran.level == level)
    if level == "opd":
        stmt = stmt.where(Sasaran.opd_id == opd_id)
    rows = [
        s for s in db.session.scalars(stmt.order_by(Sasaran.kode, Sasaran.id)) if s.id != exclude
    ]
    form.parent_id.choices = choices(
        [("", "— tanpa induk —")]
        + [
            (s.id, f"{SASARAN_JENIS[s.jenis]} {s.kode} · {s.teks}")
            for s in rows
            if s.jenis != "sasaran"
        ]
    )
    form.supports_id.choices = choices(
        [("", "— pilih —")]
        + [
            (s.id, f"{SASARAN_JENIS[s.jenis]} {s.kode} · {s.teks}")
            for s in q.regent_sasaran_options(db.session)
        ]
    )
    form.jenis.choices = choices((j, SASARAN_JENIS[j]) for j in ops.LEVEL_JENIS[level])


def _render_sasaran_form(form, *, level, opd, sasaran, rows, row_errors, status=200):
    years = form.years()
    return (
        render_template(
            "planning/sasaran_form.html",
            form=form,
            level=level,
            opd=opd,
            sasaran=sasaran,
            rows=rows,
            row_errors=row_errors,
            years=years,
            level_label=SASARAN_LEVEL,
        ),
        status,
    )


def _rows_from(sasaran: Sasaran | None, years: list[int]) -> list[dict]:
    rows = []
    if sasaran is not None:
        for n, ind in enumerate(sasaran.indikator):
            targets = {t.tahun: format_range(t.target, t.target_max) for t in ind.targets}
            rows.append(
                {
                    "n": n,
                    "id": str(ind.id),
                    "teks": ind.teks,
                    "satuan": ind.satuan,
                    "is_iku": ind.is_iku,
                    "lower_is_better": ind.lower_is_better,
                    "targets": targets,
                }
            )
    for _ in range(max(SasaranForm.INDIKATOR_ROWS - len(rows), 1)):
        rows.append(
            {
                "n": len(rows),
                "id": "",
                "teks": "",
                "satuan": "",
                "is_iku": False,
                "lower_is_better": False,
                "targets": {},
            }
        )
    return rows


@bp.route("/sasaran/baru", methods=["GET", "POST"])
@bp.route("/sasaran/<int:sasaran_id>/ubah", methods=["GET", "POST"])
@login_required
def edit_sasaran(sasaran_id: int | None = None):
    sasaran = db.get_or_404(Sasaran, sasaran_id) if sasaran_id else None
    if sasaran is not None:
        level, opd_id = sasaran.level, sasaran.opd_id
    else:
        level, opd_id = _goal_level()
    require(perm.can_manage_goals(current_user, level, opd_id))
    opd = db.session.get(UnitOrganisasi, opd_id) if opd_id else None
    if level == "opd" and (opd is None or not opd.is_opd):
        abort(404)
    if request.method == "GET":
        form = SasaranForm(formdata=None)
        if sasaran is not None:
            form.jenis.data, form.kode.data, form.teks.data = (
                sasaran.jenis,
                sasaran.kode,
                sasaran.teks,
            )
            form.parent_id.data = str(sasaran.parent_id or "")
            form.supports_id.data = str(sasaran.supports_id or "")
            form.tahun_awal.data = str(sasaran.tahun_awal)
            form.tahun_akhir.data = str(sasaran.tahun_akhir)
        else:
            periode = q.open_periode(db.session)
            start = periode.tahun if periode else 2025
            form.tahun_awal.data, form.tahun_akhir.data = str(start), str(start + 4)
            form.jenis.data = "sasaran"
        _sasaran_choices(form, level, opd_id, sasaran_id)
        return _render_sasaran_form(
            form,
            level=level,
            opd=opd,
            sasaran=sasaran,
            rows=_rows_from(sasaran, form.years()),
            row_errors={},
        )
    form = SasaranForm()
    _sasaran_choices(form, level, opd_id, sasaran_id)
    data, shape_errors, rows = form.to_input(request.form, level=level, opd_id=opd_id)
    try:
        if shape_errors:
            raise PlanningValidationError(shape_errors)
        saved = ops.save_sasaran(db.session, data, actor=current_user, sasaran=sasaran)
    except PlanningForbidden as exc:
        _forbidden(exc)
    except PlanningValidationError as exc:
        db.session.rollback()
        row_errors = form.apply_errors(exc.fields, rows)
        rows.append(
            {
                "n": len(rows) and rows[-1]["n"] + 1,
                "id": "",
                "teks": "",
                "satuan": "",
                "is_iku": False,
                "lower_is_better": False,
                "targets": {},
            }
        )
        return _render_sasaran_form(
            form,
            level=level,
            opd=opd,
            sasaran=db.session.get(Sasaran, sasaran_id) if sasaran_id else None,
            rows=rows,
            row_errors=row_errors,
            status=422,
        )
    _commit("Sasaran disimpan.")
    return redirect(
        url_for(
            "planning.list_sasaran",
            level=saved.level,
            opd=saved.opd_id,
            _anchor=f"sasaran-{saved.id}",
        )
    )


@bp.route("/sasaran/<int:sasaran_id>/hapus", methods=["POST"])
@login_required
def delete_sasaran(sasaran_id: int):
    sasaran = db.session.get(Sasaran, sasaran_id)
    if sasaran is None:
        flash("Sasaran sudah tidak ada.", "info")
        return redirect(url_for("planning.list_sasaran"))
    level, opd_id = sasaran.level, sasaran.opd_id
    require(perm.can_manage_goals(current_user, level, opd_id))
    try:
        ops.delete_sasaran(db.session, sasaran, actor=current_user)
    except PlanningForbidden as exc:
        _forbidden(exc)
    except WorkflowError as exc:
        db.session.rollback()
        abort(409, description=str(exc))
    _commit("Sasaran dihapus.")
    return redirect(url_for("planning.list_sasaran", level=level, opd=opd_id))


@bp.route("/sasaran/templat.xlsx")
@login_required
def goals_template_xlsx():
    require(perm.can_view_goals(current_user))
    level, _ = _goal_level()
    periode = q.open_periode(db.session)
    start = _int_arg("tahun_awal") or (periode.tahun if periode else 2025)
    end = _int_arg("tahun_akhir") or start + 4
    if not 2000 <= start <= end <= start + 9:
        abort(400)
    return _xlsx(xlsx.goals_template(level, start, end), f"templat-sasaran-{level}.xlsx")


@bp.route("/sasaran/ekspor.xlsx")
@login_required
def export_goals_xlsx():
    require(perm.can_view_goals(current_user))
    level, opd_id = _goal_level()
    if level == "opd" and opd_id is None:
        abort(404)
    suffix = f"-opd{opd_id}" if opd_id else ""
    return _xlsx(xlsx.export_goals(db.session, level, opd_id), f"sasaran-{level}{suffix}.xlsx")


@bp.route("/sasaran/impor", methods=["GET", "POST"])
@login_required
def import_goals():
    level, opd_id = _goal_level()
    require(perm.can_manage_goals(current_user, level, opd_id))
    opd = db.session.get(UnitOrganisasi, opd_id) if opd_id else None
    if level == "opd" and (opd is None or not opd.is_opd):
        abort(404)
    form = GoalsImportForm() if request.method == "POST" else GoalsImportForm(formdata=None)
    issues: list = []
    summary = None
    status = 200
    if request.method == "POST":
        upload = form.berkas.data
        if upload is None or not getattr(upload, "filename", ""):
            form.berkas.errors = ["Pilih berkas XLSX yang akan diimpor."]
            status = 422
        else:
            sheet = xlsx.parse_goals_workbook(upload.stream)
            try:
                if sheet.errors:
                    raise ops.GoalImportError(
                        [ops.ImportIssue(r, c, m) for r, c, m in sheet.errors]
                    )
                summary = ops.import_goals(
                    db.session,
                    sheet.rows,
                    sheet.years,
                    level=level,
                    opd_id=opd_id,
                    actor=current_user,
                    request_key=form.request_key.data,
                )
            except PlanningForbidden as exc:
                _forbidden(exc)
            except ops.GoalImportError as exc:
                db.session.rollback()
                issues = exc.issues
                status = 422
            except PlanningValidationError as exc:
                db.session.rollback()
                issues = [ops.ImportIssue(0, k, m) for k, ms in exc.fields.items() for m in ms]
                status = 422
            else:
                if _commit():
                    flash(
                        f"Impor selesai: {summary.created} sasaran baru, {summary.updated} "
                        f"diperbarui, {summary.indikator} indikator.",
                        "success",
                    )
                return redirect(url_for("planning.list_sasaran", level=level, opd=opd_id))
    form.request_key.data = new_request_key()
    return (
        render_template(
            "planning/sasaran_import.html",
            form=form,
            level=level,
            opd=opd,
            issues=issues,
            columns=xlsx.GOAL_COLUMNS,
            level_label=SASARAN_LEVEL,
        ),
        status,
    )


# --- periods ---------------------------------------------------------------------------------


@bp.route("/periode", methods=["GET", "POST"])
@login_required
def list_periode():
    require(perm.can_manage_periode(current_user))
    form = PeriodeForm() if request.method == "POST" else PeriodeForm(formdata=None)
    status = 200
    if request.method == "POST":
        tahun, err = parse_int(form.tahun.data, "Tahun")
        try:
            if err or tahun is None:
                raise PlanningValidationError({"tahun": [err or "Tahun wajib diisi."]})
            ops.create_periode(
                db.session, tahun, actor=current_user, periodik=form.periodik.data or "triwulan"
            )
        except PlanningForbidden as exc:
            _forbidden(exc)
        except PlanningValidationError as exc:
            db.session.rollback()
            _field_errors(form, exc)
            status = 422
        else:
            _commit(f"Periode {tahun} dibuat.")
            return redirect(url_for("planning.list_periode"))
    return (
        render_template(
            "planning/periode_list.html", form=form, periodes=q.list_periode(db.session)
        ),
        status,
    )


@bp.route("/periode/<int:periode_id>/status", methods=["POST"])
@login_required
def set_periode_status(periode_id: int):
    require(perm.can_manage_periode(current_user))
    periode = db.get_or_404(Periode, periode_id)
    is_open = request.form.get("is_open") == "1"
    try:
        ops.set_periode_open(db.session, periode, is_open, actor=current_user)
    except PlanningForbidden as exc:
        _forbidden(exc)
    _commit(f"Periode {periode.tahun} {'dibuka' if is_open else 'ditutup'}.")
    return redirect(url_for("planning.list_periode"))
