"""Pages: evaluations (periodic and annual), keberatan, the organisation's predikat and its
curve, the monthly TPP recap and the TPP policy (the attendance import is in
:mod:`skp_app.realization.attendance_views`).

Each view loads, checks permission, calls one operation, commits, then renders or redirects.
Domain errors become: *Forbidden → 403; workflow errors → the page re-rendered with the
message (409); validation errors → the form re-rendered with per-field messages (422).
"""

from __future__ import annotations

import json
from datetime import date

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
from sqlalchemy.orm import selectinload

from skp_app.auth.permissions import require
from skp_app.extensions import db
from skp_app.jobs import enqueue
from skp_app.jobs.models import Job
from skp_app.navigation import register_nav
from skp_app.org.models import UnitOrganisasi
from skp_app.org.queries import opd_list
from skp_app.planning.models import Skp
from skp_app.realization import evaluation as ops
from skp_app.realization import evaluation_permissions as perm
from skp_app.realization import evaluation_queries as q
from skp_app.realization import hukdis
from skp_app.realization import tpp_recap as rc
from skp_app.realization.charts import curve_figure
from skp_app.realization.evaluation_queries import BULAN
from skp_app.realization.models import (
    KEBERATAN_STATUS,
    Evaluasi,
    Keberatan,
    TppPolicyVersion,
    TppRecap,
)
from skp_app.realization.scoring import OrgPredikat, Predikat, Rating
from skp_app.realization.tpp import PRESET_DEFAULT, PRESET_REVERSE, TppPolicy, compute_tpp
from skp_app.timeutil import utcnow

bp = Blueprint("evaluation", __name__)

register_nav(
    "Evaluasi kinerja",
    "evaluation.index",
    {"pegawai"},
    order=14,
    help="Evaluasi periodik dan tahunan bawahan Anda; evaluasi dan keberatan Anda sendiri.",
)
register_nav(
    "Predikat organisasi",
    "evaluation.org_predikat",
    {"admin", "pimpinan"},
    order=40,
    help="Predikat kinerja organisasi per unit dan periode (SE MenPANRB 3/2023).",
)
register_nav(
    "Rekap TPP",
    "evaluation.recap_list",
    {"hr", "admin", "opd_operator"},
    order=45,
    help="Rekap bulanan poin, capaian dan dasar TPP per pegawai.",
)
register_nav(
    "Kebijakan TPP",
    "evaluation.tpp_policy",
    {"admin", "hr"},
    order=46,
    help="Pembagian produktivitas/disiplin, tabel potongan dan pagu per kelas jabatan.",
)

RATING_CHOICES = [(r.siasn_id, r.label) for r in Rating]
ORG_CHOICES = [
    (p.value, p.label)
    for p in (
        OrgPredikat.ISTIMEWA,
        OrgPredikat.BAIK,
        OrgPredikat.BUTUH_PERBAIKAN,
        OrgPredikat.KURANG,
        OrgPredikat.SANGAT_KURANG,
    )
]
EXPORT_MIME = {"csv", "xlsx"}


# --- helpers ---------------------------------------------------------------------------------


def _int_arg(name: str, default: int | None = None) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else default


def _form_int(name: str) -> int | None:
    value = (request.form.get(name) or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _led() -> set[int]:
    return q.led_unit_ids(db.session, current_user.pegawai_id)


def _rating_label(value: int | None) -> str:
    return Rating.from_siasn_id(value).label if value else "-"


def _predikat_label(value: int | None) -> str:
    return Predikat.from_siasn_id(value).label if value else "-"


def _org_label(value: str | None) -> str:
    return OrgPredikat.coerce(value).label if value else "Belum ditetapkan"


@bp.app_context_processor
def _labels():
    return {
        "rating_label": _rating_label,
        "predikat_label": _predikat_label,
        "org_label": _org_label,
        "nama_bulan_eval": BULAN,
    }


def _skp_or_404(skp_id: int) -> Skp:
    skp = q.skp_for_evaluation(db.session, skp_id)
    if skp is None:
        abort(404)
    return skp


def _evaluasi_or_404(evaluasi_id: int) -> Evaluasi:
    row = db.session.scalar(
        select(Evaluasi)
        .where(Evaluasi.id == evaluasi_id)
        .options(selectinload(Evaluasi.umpan_balik), selectinload(Evaluasi.keberatan))
    )
    if row is None:
        abort(404)
    return row


def _period_or_404(skp: Skp, jenis: str, periode_ke: int) -> q.EvalPeriod:
    period = q.period_of(skp, jenis, periode_ke)
    if period is None:
        abort(404)
    return period


def _figure_json(curve: q.CurveStatus) -> str:
    """The curve figure as JSON safe to embed in a <script type="application/json">."""
    return curve_figure(curve.limits, curve.counts).to_json().replace("</", "<\\/")


def _owner_sees_draft(skp: Skp, evaluasi: Evaluasi | None) -> bool:
    """The employee sees ratings only once final (feedback stays visible)."""
    return not (
        evaluasi is not None
        and evaluasi.status != "final"
        and current_user.pegawai_id == skp.pegawai_id
    )


# --- evaluation overview ---------------------------------------------------------------------


def _curve_opds() -> list[UnitOrganisasi]:
    """OPDs whose evaluation page (curve) the user opens from the overview."""
    if current_user.has_role("admin", "hr", "pimpinan"):
        return opd_list(db.session)
    if current_user.has_role("opd_operator"):
        return opd_list(db.session, unit_ids=current_user.scope_units("opd_operator") or set())
    return []


@bp.route("/evaluasi")
@login_required
def index():
    periode = q.periode_for_tahun(db.session, _int_arg("tahun"))
    pid = current_user.pegawai_id
    periods, rows = q.penilai_overview(db.session, pid, periode) if pid and periode else ([], [])
    led = _led()
    return render_template(
        "realization/evaluasi_index.html",
        periode=periode,
        periods=periods,
        rows=rows,
        mine=q.employee_evaluations(db.session, pid) if pid else [],
        inbox=q.keberatan_inbox(db.session, pid) if pid else None,
        led_units=list(
            db.session.scalars(select(UnitOrganisasi).where(UnitOrganisasi.id.in_(led or {-1})))
        ),
        can_org=perm.can_view_org_predikat(current_user, led_unit_ids=led),
        opds=_curve_opds(),
    )


# --- one evaluation --------------------------------------------------------------------------


def _render_evaluation(
    skp: Skp,
    period: q.EvalPeriod,
    evaluasi: Evaluasi | None,
    *,
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    message: str | None = None,
    violations=None,
):
    ctx = q.evaluation_context(db.session, skp, period, evaluasi)
    evaluasi = ctx.evaluasi
    can_evaluate = perm.can_evaluate_skp(current_user, skp)
    approved = skp.status in q.APPROVED_SKP_STATUS and skp.approved_at is not None
    editable = can_evaluate and approved and (evaluasi is None or evaluasi.status == "draft")
    if can_evaluate and not approved and message is None:
        message = (
            f"SKP berstatus {skp.status_label}; evaluasi hanya untuk SKP yang telah disetujui."
        )
    preview = None
    if editable and evaluasi is not None and evaluasi.predikat:
        preview = q.curve_status(
            db.session,
            evaluasi.unit_id,
            period,
            extra=Predikat.from_siasn_id(evaluasi.predikat),
            exclude_evaluasi_id=evaluasi.id,
        )
    settings = q.instansi_settings(q.instansi_for_unit(db.session, skp.unit_id))
    deadline = q.keberatan_deadline(evaluasi, settings) if evaluasi is not None else None
    open_keberatan = [k for k in ctx.keberatan if k.status == "diajukan"]
    can_file = (
        evaluasi is not None
        and evaluasi.status == "final"
        and perm.can_file_keberatan(current_user, skp)
        and deadline is not None
        and utcnow() <= deadline
        and not open_keberatan
        and not any(k.created_at >= evaluasi.finalized_at for k in ctx.keberatan)
    )
    reopened = (
        next((k for k in reversed(ctx.keberatan) if k.status == "diterima"), None)
        if evaluasi is not None and evaluasi.status == "draft"
        else None
    )
    return (
        render_template(
            "realization/evaluasi_form.html",
            ctx=ctx,
            skp=skp,
            period=period,
            evaluasi=evaluasi,
            periods=[
                p
                for p in q.evaluation_periods(skp.periode)
                if q.period_of(skp, p.jenis, p.periode_ke)
            ],
            can_evaluate=can_evaluate,
            editable=editable,
            show_ratings=_owner_sees_draft(skp, evaluasi),
            preview=preview,
            errors=errors or {},
            message=message,
            violations=violations or [],
            form=request.form if request.method == "POST" else None,
            rating_choices=RATING_CHOICES,
            deadline=deadline,
            keberatan_days=settings.keberatan_days,
            can_file=can_file,
            can_explain=perm.can_explain_keberatan(current_user, skp),
            can_decide=perm.can_decide_keberatan(current_user, skp),
            keberatan_status=KEBERATAN_STATUS,
            reopened=reopened,
        ),
        status,
    )


@bp.route("/evaluasi/skp/<int:skp_id>/<any(periodik, tahunan):jenis>/<int:periode_ke>")
@login_required
def evaluate(skp_id: int, jenis: str, periode_ke: int):
    skp = _skp_or_404(skp_id)
    require(perm.can_view_evaluasi(current_user, skp))
    period = _period_or_404(skp, jenis, periode_ke)
    return _render_evaluation(skp, period, None)


def _feedback_from_form(prefix: str) -> dict[str, str]:
    return {
        key[len(prefix) :]: value for key, value in request.form.items() if key.startswith(prefix)
    }


@bp.route(
    "/evaluasi/skp/<int:skp_id>/<any(periodik, tahunan):jenis>/<int:periode_ke>",
    methods=["POST"],
)
@login_required
def save_evaluation(skp_id: int, jenis: str, periode_ke: int):
    skp = _skp_or_404(skp_id)
    require(perm.can_evaluate_skp(current_user, skp))
    period = _period_or_404(skp, jenis, periode_ke)
    try:
        ops.record_evaluation(
            db.session,
            skp,
            jenis,
            periode_ke,
            actor=current_user,
            rating_hasil=request.form.get("rating_hasil") or None,
            rating_perilaku=request.form.get("rating_perilaku") or None,
            override_reason=request.form.get("override_reason"),
            catatan=request.form.get("catatan"),
            umpan_balik_rhk=_feedback_from_form("umpan_balik_rhk-"),
            umpan_balik_perilaku=_feedback_from_form("umpan_balik_perilaku-"),
        )
    except ops.EvaluationForbidden as exc:
        db.session.rollback()
        abort(403, description=str(exc))
    except ops.EvaluationValidationError as exc:
        db.session.rollback()
        return _render_evaluation(_skp_or_404(skp_id), period, None, status=422, errors=exc.fields)
    except ops.EvaluationError as exc:
        db.session.rollback()
        return _render_evaluation(_skp_or_404(skp_id), period, None, status=409, message=str(exc))
    db.session.commit()
    flash("Evaluasi disimpan sebagai draf.", "success")
    return redirect(url_for(".evaluate", skp_id=skp_id, jenis=jenis, periode_ke=periode_ke))


@bp.route("/evaluasi/<int:evaluasi_id>")
@login_required
def view_evaluasi(evaluasi_id: int):
    evaluasi = _evaluasi_or_404(evaluasi_id)
    skp = _skp_or_404(evaluasi.skp_id)
    require(perm.can_view_evaluasi(current_user, skp))
    return redirect(
        url_for(".evaluate", skp_id=skp.id, jenis=evaluasi.jenis, periode_ke=evaluasi.periode_ke)
    )


@bp.route("/evaluasi/<int:evaluasi_id>/final", methods=["POST"])
@login_required
def finalize(evaluasi_id: int):
    evaluasi = _evaluasi_or_404(evaluasi_id)
    skp = _skp_or_404(evaluasi.skp_id)
    require(perm.can_evaluate_skp(current_user, skp))
    period = _period_or_404(skp, evaluasi.jenis, evaluasi.periode_ke)
    try:
        result = ops.finalize_evaluation(
            db.session,
            evaluasi,
            actor=current_user,
            curve_justification=request.form.get("curve_justification"),
        )
    except ops.EvaluationForbidden as exc:
        db.session.rollback()
        abort(403, description=str(exc))
    except ops.CurveJustificationRequired as exc:
        db.session.rollback()
        return _render_evaluation(
            _skp_or_404(skp.id),
            period,
            _evaluasi_or_404(evaluasi_id),
            status=422,
            errors=exc.fields,
            violations=exc.violations,
        )
    except ops.EvaluationValidationError as exc:
        db.session.rollback()
        return _render_evaluation(
            _skp_or_404(skp.id),
            period,
            _evaluasi_or_404(evaluasi_id),
            status=422,
            errors=exc.fields,
        )
    except ops.CurveBlocked as exc:
        db.session.rollback()
        return _render_evaluation(
            _skp_or_404(skp.id),
            period,
            _evaluasi_or_404(evaluasi_id),
            status=409,
            message="Finalisasi ditolak: kurva distribusi predikat dilanggar (mode blokir).",
            violations=exc.violations,
        )
    except ops.EvaluationError as exc:
        db.session.rollback()
        return _render_evaluation(
            _skp_or_404(skp.id),
            period,
            _evaluasi_or_404(evaluasi_id),
            status=409,
            message=str(exc),
        )
    db.session.commit()
    if result.replayed:
        flash("Evaluasi ini sudah final sebelumnya; tidak ada yang diubah.", "info")
    else:
        flash(
            f"Evaluasi difinalkan: predikat {_predikat_label(result.evaluasi.predikat)}.",
            "success",
        )
    return redirect(
        url_for(".evaluate", skp_id=skp.id, jenis=evaluasi.jenis, periode_ke=evaluasi.periode_ke)
    )


@bp.route("/evaluasi/<int:evaluasi_id>/dokumen")
@login_required
def document(evaluasi_id: int):
    evaluasi = _evaluasi_or_404(evaluasi_id)
    skp = _skp_or_404(evaluasi.skp_id)
    require(perm.can_view_evaluasi(current_user, skp))
    if not _owner_sees_draft(skp, evaluasi):
        abort(403, description="Dokumen evaluasi tersedia setelah evaluasi difinalkan.")
    period = _period_or_404(skp, evaluasi.jenis, evaluasi.periode_ke)
    ctx = q.evaluation_context(db.session, skp, period, evaluasi)
    curve = ctx.curve
    figure = None
    if curve.org_predikat is not None:
        figure = _figure_json(curve)
    instansi = q.instansi_for_unit(db.session, skp.unit_id)
    return render_template(
        "realization/evaluasi_dokumen.html",
        ctx=ctx,
        skp=skp,
        evaluasi=evaluasi,
        period=period,
        figure=figure,
        org_choices=ORG_CHOICES,
        instansi=instansi.nama if instansi is not None else "",
        me=q.identity(skp.pegawai_snapshot, skp.pegawai),
        pp=q.identity(skp.penilai_snapshot, skp.penilai),
        app=q.identity(skp.atasan_penilai_snapshot, skp.atasan_penilai),
    )


# --- keberatan -------------------------------------------------------------------------------


def _after_keberatan(evaluasi: Evaluasi):
    return redirect(url_for(".view_evaluasi", evaluasi_id=evaluasi.id) + "#keberatan")


def _keberatan_failure(exc: ops.EvaluationError, evaluasi_id: int):
    db.session.rollback()
    if isinstance(exc, ops.EvaluationForbidden):
        abort(403, description=str(exc))
    evaluasi = _evaluasi_or_404(evaluasi_id)
    skp = _skp_or_404(evaluasi.skp_id)
    period = _period_or_404(skp, evaluasi.jenis, evaluasi.periode_ke)
    if isinstance(exc, ops.EvaluationValidationError):
        return _render_evaluation(skp, period, evaluasi, status=422, errors=exc.fields)
    return _render_evaluation(skp, period, evaluasi, status=409, message=str(exc))


@bp.route("/evaluasi/<int:evaluasi_id>/keberatan", methods=["POST"])
@login_required
def file_keberatan(evaluasi_id: int):
    evaluasi = _evaluasi_or_404(evaluasi_id)
    skp = _skp_or_404(evaluasi.skp_id)
    require(perm.can_file_keberatan(current_user, skp))
    try:
        ops.file_keberatan(db.session, evaluasi, request.form.get("alasan", ""), actor=current_user)
    except ops.EvaluationError as exc:
        return _keberatan_failure(exc, evaluasi_id)
    db.session.commit()
    flash("Keberatan diajukan kepada atasan pejabat penilai.", "success")
    return _after_keberatan(evaluasi)


def _keberatan_or_404(keberatan_id: int) -> Keberatan:
    row = db.session.get(Keberatan, keberatan_id)
    if row is None:
        abort(404)
    return row


@bp.route("/keberatan/<int:keberatan_id>/penjelasan", methods=["POST"])
@login_required
def explain_keberatan(keberatan_id: int):
    keberatan = _keberatan_or_404(keberatan_id)
    evaluasi = keberatan.evaluasi
    skp = _skp_or_404(evaluasi.skp_id)
    require(perm.can_explain_keberatan(current_user, skp))
    try:
        ops.explain_keberatan(
            db.session, keberatan, request.form.get("penjelasan", ""), actor=current_user
        )
    except ops.EvaluationError as exc:
        return _keberatan_failure(exc, evaluasi.id)
    db.session.commit()
    flash("Penjelasan pejabat penilai disimpan.", "success")
    return _after_keberatan(evaluasi)


@bp.route("/keberatan/<int:keberatan_id>/keputusan", methods=["POST"])
@login_required
def decide_keberatan(keberatan_id: int):
    keberatan = _keberatan_or_404(keberatan_id)
    evaluasi = keberatan.evaluasi
    skp = _skp_or_404(evaluasi.skp_id)
    require(perm.can_decide_keberatan(current_user, skp))
    decision = request.form.get("status", "")
    try:
        ops.decide_keberatan(
            db.session, keberatan, decision, request.form.get("keputusan", ""), actor=current_user
        )
    except ops.EvaluationError as exc:
        return _keberatan_failure(exc, evaluasi.id)
    db.session.commit()
    flash(
        "Keberatan diterima; evaluasi dibuka kembali untuk pejabat penilai."
        if decision == "diterima"
        else "Keberatan ditolak; evaluasi tetap final.",
        "success",
    )
    return _after_keberatan(evaluasi)


# --- organisation predikat and the unit's curve ----------------------------------------------


def _periode_ke_arg(periode) -> int:
    value = _int_arg("periode_ke", 0)
    limit = 12 if periode is not None and periode.periodik == "bulanan" else 4
    return value if 0 <= value <= limit else 0


def _period_choices(periode) -> list[q.EvalPeriod]:
    if periode is None:
        return []
    periods = q.evaluation_periods(periode)
    return [periods[-1], *periods[:-1]]  # annual first


@bp.route("/evaluasi/unit/<int:unit_id>")
@login_required
def unit_curve(unit_id: int):
    unit = db.get_or_404(UnitOrganisasi, unit_id)
    led = _led()
    require(
        perm.can_view_unit_curve(
            current_user,
            unit,
            led_unit_ids=led,
            subtree_ids=q.unit_subtree_ids(db.session, unit.id) if led else (),
        )
    )
    periode = q.periode_for_tahun(db.session, _int_arg("tahun"))
    if periode is None:
        abort(404, description="Belum ada periode penilaian.")
    periode_ke = _periode_ke_arg(periode)
    rhythm = periode.periodik if periode.periodik in {"bulanan", "triwulan"} else "triwulan"
    period = q.eval_period(
        periode.tahun, rhythm, "tahunan" if periode_ke == 0 else "periodik", periode_ke
    )
    curve = q.curve_status(db.session, unit.id, period)
    governed = curve.governed_unit_ids if curve.unit is not None else {unit.id}
    skps, evals = q.unit_evaluations(db.session, governed, period)
    figure = _figure_json(curve) if curve.org_predikat else None
    return render_template(
        "realization/evaluasi_unit.html",
        unit=unit,
        periode=periode,
        period=period,
        periods=_period_choices(periode),
        curve=curve,
        skps=skps,
        evals=evals,
        figure=figure,
        can_set=perm.can_set_org_predikat(current_user, unit, led_unit_ids=led),
    )


@bp.route("/predikat-organisasi")
@login_required
def org_predikat():
    led = _led()
    require(perm.can_view_org_predikat(current_user, led_unit_ids=led))
    periode = q.periode_for_tahun(db.session, _int_arg("tahun"))
    if periode is None:
        abort(404, description="Belum ada periode penilaian.")
    periode_ke = _periode_ke_arg(periode)
    if current_user.has_role("admin", "pimpinan", "hr"):
        scope = None
    else:
        scope = (
            set(
                db.session.scalars(
                    select(UnitOrganisasi.id).where(UnitOrganisasi.parent_id.in_(led or {-1}))
                )
            )
            | led
        )
    rows = q.org_predikat_rows(db.session, periode.tahun, periode_ke, scope)
    return render_template(
        "realization/evaluasi_predikat_organisasi.html",
        periode=periode,
        periode_ke=periode_ke,
        periods=_period_choices(periode),
        rows=[
            (u, row, perm.can_set_org_predikat(current_user, u, led_unit_ids=led))
            for u, row in rows
        ],
        org_choices=ORG_CHOICES,
        errors={},
    )


@bp.route("/predikat-organisasi", methods=["POST"])
@login_required
def set_org_predikat():
    unit = db.session.get(UnitOrganisasi, _form_int("unit_id") or 0)
    if unit is None:
        abort(404)
    led = _led()
    require(perm.can_set_org_predikat(current_user, unit, led_unit_ids=led))
    tahun = _form_int("tahun") or 0
    periode_ke = _form_int("periode_ke")
    try:
        ops.set_org_predikat(
            db.session,
            unit,
            tahun,
            periode_ke if periode_ke is not None else -1,
            request.form.get("predikat", ""),
            actor=current_user,
        )
    except ops.EvaluationForbidden as exc:
        db.session.rollback()
        abort(403, description=str(exc))
    except ops.EvaluationError as exc:
        db.session.rollback()
        messages = exc.messages() if isinstance(exc, ops.EvaluationValidationError) else [str(exc)]
        for m in messages:
            flash(m, "danger")
        return redirect(url_for(".org_predikat", tahun=tahun or None, periode_ke=periode_ke))
    db.session.commit()
    flash(f"Predikat organisasi {unit.nama} disimpan.", "success")
    return redirect(url_for(".org_predikat", tahun=tahun, periode_ke=periode_ke))


# --- TPP recap -------------------------------------------------------------------------------


def _recap_scope_opds():
    scope = perm.recap_opd_scope(current_user)
    return opd_list(db.session, unit_ids=scope)


@bp.route("/tpp/rekap")
@login_required
def recap_list():
    require(current_user.has_role("hr", "admin", "opd_operator"))
    scope = perm.recap_opd_scope(current_user)
    stmt = select(TppRecap).order_by(TppRecap.created_at.desc(), TppRecap.id.desc()).limit(50)
    if scope is not None:
        stmt = stmt.where(TppRecap.opd_id.in_(scope or {-1}))
    recaps = list(db.session.scalars(stmt))
    opds = {u.id: u for u in opd_list(db.session)}
    today = date.today()
    return render_template(
        "realization/tpp_rekap_list.html",
        recaps=recaps,
        opds=opds,
        scope_opds=_recap_scope_opds(),
        can_all=scope is None,
        default_bulan=f"{today:%Y-%m}",
        errors={},
    )


@bp.route("/tpp/rekap", methods=["POST"])
@login_required
def start_recap():
    require(current_user.has_role("hr", "admin", "opd_operator"))
    opd_id = _form_int("opd_id")
    require(perm.can_run_recap(current_user, opd_id))
    try:
        tahun, bulan = rc.parse_bulan(request.form.get("bulan"))
        rc.check_recap_request(db.session, tahun, bulan, opd_id)
    except rc.RecapError as exc:
        db.session.rollback()
        messages = exc.messages() if isinstance(exc, rc.RecapValidationError) else [str(exc)]
        for m in messages:
            flash(m, "danger")
        return redirect(url_for(".recap_list"))
    job = enqueue(
        "tpp_recap",
        {"tahun": tahun, "bulan": bulan, "opd_id": opd_id, "user_id": current_user.id},
        user=current_user,
    )
    return redirect(url_for(".recap_job", job_id=job.id))


def _job_or_404(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None or job.kind != "tpp_recap":
        abort(404)
    require(
        job.created_by_id == current_user.id
        or perm.can_view_recap(current_user, (job.params or {}).get("opd_id"))
    )
    return job


@bp.route("/tpp/rekap/proses/<int:job_id>")
@login_required
def recap_job(job_id: int):
    job = _job_or_404(job_id)
    recap_id = (job.result or {}).get("recap_id") if job.status == "done" else None
    if recap_id:
        return redirect(url_for(".recap_view", recap_id=recap_id))
    params = job.params or {}
    return render_template(
        "realization/tpp_rekap_proses.html",
        job=job,
        label=f"{BULAN[params.get('bulan', 0) or 0]} {params.get('tahun', '')}",
    )


def _recap_or_404(recap_id: int) -> TppRecap:
    recap = db.session.get(TppRecap, recap_id)
    if recap is None:
        abort(404)
    require(perm.can_view_recap(current_user, recap.opd_id))
    return recap


@bp.route("/tpp/rekap/<int:recap_id>")
@login_required
def recap_view(recap_id: int):
    recap = _recap_or_404(recap_id)
    search = request.args.get("q", "")[:100]
    page = rc.recap_lines(db.session, recap, q=search, page=_int_arg("page", 1) or 1)
    opd = db.session.get(UnitOrganisasi, recap.opd_id) if recap.opd_id else None
    return render_template(
        "realization/tpp_rekap_view.html",
        recap=recap,
        page=page,
        opd=opd,
        q=search,
        summary=recap.summary or {},
        hukdis_changed=hukdis.changed_since(
            db.session, recap.tahun, recap.bulan, recap.created_at, opd_id=recap.opd_id
        ),
    )


@bp.route("/tpp/rekap/<int:recap_id>/ekspor")
@login_required
def recap_export(recap_id: int):
    recap = _recap_or_404(recap_id)
    fmt = request.args.get("format", "xlsx")
    if fmt not in EXPORT_MIME:
        abort(404)
    content, mimetype, filename = rc.export_recap(db.session, recap, fmt)
    return Response(
        content,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


# --- TPP policy ------------------------------------------------------------------------------


def _policy_page(status: int = 200, *, errors=None, form=None):
    instansi = q.default_instansi(db.session)
    current = rc.current_policy(db.session, instansi.id) if instansi is not None else None
    versions = (
        list(
            db.session.scalars(
                select(TppPolicyVersion)
                .where(TppPolicyVersion.instansi_id == instansi.id)
                .order_by(TppPolicyVersion.version.desc())
            )
        )
        if instansi is not None
        else []
    )
    preset = {"bawaan": PRESET_DEFAULT, "terbalik": PRESET_REVERSE}.get(request.args.get("preset"))
    if form is not None:
        policy_text = form.get("policy_json", "")
        pagu = {k: form.get(f"pagu-{k}", "") for k in rc.KELAS_JABATAN}
        berlaku = form.get("berlaku_mulai", "")
    else:
        policy = (
            preset.to_dict()
            if preset
            else (current.policy if current else PRESET_DEFAULT.to_dict())
        )
        policy_text = json.dumps(policy, ensure_ascii=False, indent=2)
        stored = current.pagu_per_kelas if current else {}
        pagu = {k: stored.get(str(k), "") for k in rc.KELAS_JABATAN}
        berlaku = date.today().replace(day=1).isoformat()
    formula = None
    if current is not None:
        try:
            formula = compute_tpp(
                TppPolicy.from_dict(current.policy),
                pagu=0,
                points=0,
                points_target=1,
                predikat=Predikat.BAIK,
            ).lineage["formula"]
        except Exception:  # noqa: BLE001 - an old stored version that no longer validates
            formula = None
    return (
        render_template(
            "realization/tpp_kebijakan.html",
            instansi=instansi,
            current=current,
            versions=versions,
            policy_text=policy_text,
            pagu=pagu,
            berlaku=berlaku,
            formula=formula,
            errors=errors or {},
            can_edit=perm.can_manage_tpp_policy(current_user),
        ),
        status,
    )


@bp.route("/tpp/kebijakan")
@login_required
def tpp_policy():
    require(perm.can_view_tpp_policy(current_user))
    return _policy_page()


@bp.route("/tpp/kebijakan", methods=["POST"])
@login_required
def save_tpp_policy():
    require(perm.can_manage_tpp_policy(current_user))
    instansi = q.default_instansi(db.session)
    if instansi is None:
        abort(409, description="Data instansi belum ada.")
    errors: dict[str, list[str]] = {}
    text = request.form.get("policy_json", "")
    policy_data: dict = {}
    try:
        policy_data = json.loads(text) if text.strip() else {}
        if not isinstance(policy_data, dict):
            errors["policy"] = ['Kebijakan harus berupa objek JSON {"kunci": nilai}.']
    except json.JSONDecodeError as exc:
        errors["policy"] = [f"JSON tidak sah pada baris {exc.lineno} kolom {exc.colno}: {exc.msg}."]
    berlaku = None
    try:
        berlaku = date.fromisoformat(request.form.get("berlaku_mulai", "").strip())
    except ValueError:
        errors["berlaku_mulai"] = ["Tanggal mulai berlaku tidak sah (format YYYY-MM-DD)."]
    if errors:
        return _policy_page(422, errors=errors, form=request.form)
    try:
        row = rc.save_policy_version(
            db.session,
            instansi,
            policy_data=policy_data,
            pagu_per_kelas={k: request.form.get(f"pagu-{k}", "") for k in rc.KELAS_JABATAN},
            berlaku_mulai=berlaku,
            actor=current_user,
        )
    except rc.RecapValidationError as exc:
        db.session.rollback()
        return _policy_page(422, errors=exc.fields, form=request.form)
    db.session.commit()
    flash(f"Kebijakan TPP versi {row.version} disimpan.", "success")
    return redirect(url_for(".tpp_policy"))
