"""Realization pages: monthly realizations and their verification, daily activities and their
approval, evidence files, and the capaian roll-up of an RHK or a goal.

Each view loads, checks permission, calls one operation, commits, then renders or redirects.
RealizationForbidden → 403; state and input errors → a flash (or the form re-rendered with
per-field messages) and nothing written.
"""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from skp_app.auth.permissions import require
from skp_app.extensions import db
from skp_app.navigation import register_nav
from skp_app.org.models import Pegawai
from skp_app.planning.models import CASCADING, Iki, Rhk, Sasaran, Skp
from skp_app.realization import operations as ops
from skp_app.realization import permissions as perm
from skp_app.realization import queries as q
from skp_app.realization.attendance_views import bp as attendance_bp
from skp_app.realization.forms import parse_activity_form, parse_bulan, parse_ids, parse_int
from skp_app.realization.models import (
    AKTIVITAS_STATUS,
    REALISASI_STATUS,
    Aktivitas,
    Bukti,
    Realisasi,
)
from skp_app.realization.rollup import BULAN, format_number, rollup_tree
from skp_app.realization.settings_views import bp as settings_bp
from skp_app.realization.uploads import UploadError, evidence_path, limits_from_config

bp = Blueprint("realization", __name__)
bp.register_blueprint(attendance_bp)  # /kehadiran/impor (a background job)
bp.register_blueprint(settings_bp)  # /pengaturan/instansi

register_nav(
    "Realisasi bulanan",
    "realization.my_realizations",
    {"pegawai"},
    order=40,
    help="Catat realisasi IKI tiap bulan beserta bukti dukungnya.",
)
register_nav(
    "Verifikasi realisasi",
    "realization.verification_inbox",
    {"pegawai"},
    order=41,
    help="Realisasi bawahan yang menunggu verifikasi Anda sebagai pejabat penilai.",
)
register_nav(
    "Aktivitas harian",
    "realization.my_activities",
    {"pegawai"},
    order=42,
    help="Catat kegiatan harian; poin dihitung setelah disetujui atasan langsung.",
)
register_nav(
    "Persetujuan aktivitas",
    "realization.activity_inbox",
    {"pegawai"},
    order=43,
    help="Setujui atau tolak kegiatan harian bawahan langsung Anda.",
)

BADGE = {
    "draft": "draft",
    "diajukan": "submitted",
    "terverifikasi": "approved",
    "disetujui": "approved",
    "ditolak": "returned",
}
FLAG_LABEL = {
    "date_mismatch": "Tanggal foto berbeda",
    "far_from_office": "Jauh dari kantor",
    "reused_photo": "Foto dipakai ulang",
    "no_exif": "Tanpa waktu pengambilan",
}
FLAG_BADGE = {"no_exif": "info"}


def _tgl(value: str | date | None) -> str:
    if not value:
        return "-"
    d = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{d.day} {BULAN[d.month]} {d.year}"


def flag_detail_text(flag: str, detail: dict | None) -> str:
    """Explain one evidence flag in Indonesian for the superior."""
    info = (detail or {}).get(flag) or {}
    if flag == "date_mismatch":
        if "kegiatan" in info:
            return (
                f"Foto diambil {_tgl(info.get('foto'))}, sedangkan kegiatan bertanggal "
                f"{_tgl(info.get('kegiatan'))}."
            )
        if "bulan" in info:
            tahun, bulan = (int(x) for x in info["bulan"].split("-"))
            return f"Foto diambil {_tgl(info.get('foto'))}, di luar bulan {BULAN[bulan]} {tahun}."
        return "Tanggal pengambilan foto berbeda dari tanggal kegiatan."
    if flag == "far_from_office":
        if not info:
            return "Lokasi foto berada di luar radius kantor yang ditetapkan."
        return (
            f"Lokasi foto ± {format_number(info.get('jarak_m'), 0)} m dari "
            f"{info.get('kantor', 'kantor')} (radius {format_number(info.get('radius_m'), 0)} m)."
        )
    if flag == "reused_photo":
        return "Foto yang sama sudah dipakai sebagai bukti isian lain pegawai ini."
    if flag == "no_exif":
        return "Foto tidak memuat waktu pengambilan (EXIF), misalnya tangkapan layar."
    return FLAG_LABEL.get(flag, flag)


@bp.context_processor
def _helpers():
    return {
        "status_badge": lambda s: BADGE.get(s, "draft"),
        "realisasi_label": lambda s: REALISASI_STATUS.get(s, s),
        "aktivitas_label": lambda s: AKTIVITAS_STATUS.get(s, s),
        "flag_label": lambda f: FLAG_LABEL.get(f, f),
        "flag_badge": lambda f: FLAG_BADGE.get(f, "warning"),
        "flag_detail_text": flag_detail_text,
        "nama_bulan": BULAN,
        "format_number": format_number,
        "cascading_label": lambda c: CASCADING.get(c, c or "-"),
        "node_url": node_url,
    }


def node_url(key: str, bulan: int) -> str:
    """Return the capaian page of a roll-up node key (``rhk:12`` / ``sasaran:3``)."""
    kind, _, ident = key.partition(":")
    if kind == "rhk":
        return url_for("realization.rhk_capaian", rhk_id=int(ident), bulan=bulan)
    return url_for("realization.sasaran_capaian", sasaran_id=int(ident), bulan=bulan)


# --- helpers ---------------------------------------------------------------------------------


def _limits():
    return limits_from_config(current_app.config)


def _today() -> date:
    return ops.today_wib()


def _files(name: str):
    return [(f.stream, f.filename) for f in request.files.getlist(name) if f and f.filename]


def _fail(exc: ops.RealizationError):
    """Roll back and turn a refusal into 403 or a flash."""
    db.session.rollback()
    if isinstance(exc, ops.RealizationForbidden):
        abort(403, description=str(exc))
    messages = exc.messages() if isinstance(exc, ops.RealizationValidationError) else [str(exc)]
    for message in messages:
        flash(message, "danger")


def _back(default: str):
    target = request.form.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return redirect(target)
    return redirect(default)


def _skp_for_page() -> Skp | None:
    skp_id = parse_int_arg("skp")
    pegawai_id = parse_int_arg("pegawai")
    if skp_id is not None:
        skp = db.get_or_404(Skp, skp_id)
    elif pegawai_id is not None:
        skp = q.current_skp(db.session, pegawai_id)
        if skp is None:
            abort(404)
    elif current_user.pegawai_id is not None:
        return q.current_skp(db.session, current_user.pegawai_id)
    else:
        return None
    require(perm.can_view_realizations(current_user, skp))
    return skp


def parse_int_arg(name: str) -> int | None:
    try:
        value = parse_int(request.args.get(name))
    except ValueError:
        return None
    return value if value is not None and value > 0 else None


def _default_month(tahun: int, skp: Skp | None = None) -> int:
    today = _today()
    month = today.month if tahun == today.year else 12
    if skp is not None and tahun == skp.tanggal_selesai.year:
        month = min(month, skp.tanggal_selesai.month)
    return month


# --- monthly realizations --------------------------------------------------------------------


@bp.route("/realisasi")
@login_required
def my_realizations():
    skp = _skp_for_page()
    if skp is None:
        return render_template("realization/realisasi_bulanan.html", skp=None)
    tahun = skp.periode.tahun
    bulan = parse_bulan(request.args.get("bulan"), _default_month(tahun, skp))
    rows = q.realization_sheet(db.session, skp, tahun, bulan)
    first_month = skp.tanggal_mulai.month if skp.tanggal_mulai.year == tahun else 1
    today = _today()
    last_month = skp.tanggal_selesai.month if skp.tanggal_selesai.year == tahun else 12
    if tahun == today.year:
        last_month = min(last_month, today.month)
    can_edit = (
        perm.can_record_realization(current_user, skp)
        and skp.status == "disetujui"
        and skp.is_current
        and first_month <= bulan <= last_month
        and tahun <= today.year
    )
    owner = db.session.get(Pegawai, skp.pegawai_id)
    return render_template(
        "realization/realisasi_bulanan.html",
        skp=skp,
        owner=owner,
        rows=rows,
        tahun=tahun,
        bulan=bulan,
        months=range(first_month, max(first_month, last_month) + 1),
        can_edit=can_edit,
        is_owner=current_user.pegawai_id == skp.pegawai_id,
        can_verify=perm.can_verify_realization(current_user, skp),
        max_mb=_limits().max_mb_label,
    )


@bp.route("/realisasi/skp/<int:skp_id>/iki/<int:iki_id>/<int:tahun>/<int:bulan>", methods=["POST"])
@login_required
def save_realization(skp_id: int, iki_id: int, tahun: int, bulan: int):
    skp = db.get_or_404(Skp, skp_id)
    iki = db.get_or_404(Iki, iki_id)
    require(perm.can_record_realization(current_user, skp))
    back = url_for("realization.my_realizations", skp=skp.id, bulan=bulan)
    try:
        ops.save_realization_entry(
            db.session,
            skp,
            iki,
            tahun=tahun,
            bulan=bulan,
            nilai=request.form.get("nilai"),
            catatan=request.form.get("catatan", ""),
            submit=request.form.get("aksi", "ajukan") != "draft",
            files=_files("berkas"),
            links=[request.form.get("tautan", "")],
            limits=_limits(),
            actor=current_user,
        )
    except ops.RealizationError as exc:
        _fail(exc)
        return redirect(back)
    db.session.commit()
    if request.form.get("aksi") == "draft":
        flash("Realisasi disimpan sebagai draf.", "success")
    else:
        flash("Realisasi disimpan dan diajukan untuk diverifikasi.", "success")
    return redirect(back)


@bp.route("/realisasi/<int:realisasi_id>/bukti", methods=["POST"])
@login_required
def add_realization_evidence(realisasi_id: int):
    realisasi = db.get_or_404(Realisasi, realisasi_id)
    skp = db.get_or_404(Skp, realisasi.skp_id)
    require(perm.can_record_realization(current_user, skp))
    back = url_for("realization.my_realizations", skp=skp.id, bulan=realisasi.bulan)
    files = _files("berkas")
    try:
        if files:
            for stream, filename in files:
                ops.attach_evidence(
                    db.session,
                    realisasi,
                    stream=stream,
                    filename=filename,
                    nama=request.form.get("nama", ""),
                    limits=_limits(),
                    actor=current_user,
                )
        else:
            ops.attach_evidence(
                db.session,
                realisasi,
                url=request.form.get("tautan"),
                nama=request.form.get("nama", ""),
                actor=current_user,
            )
    except ops.RealizationError as exc:
        _fail(exc)
        return redirect(back)
    db.session.commit()
    flash("Bukti dukung dilampirkan.", "success")
    return redirect(back)


@bp.route("/realisasi/verifikasi")
@login_required
def verification_inbox():
    if current_user.pegawai_id is None:
        abort(403)
    items = q.verification_inbox(db.session, current_user.pegawai_id)
    return render_template("realization/realisasi_verifikasi.html", items=items)


def _decide_realization(realisasi_id: int, action: str):
    realisasi = db.get_or_404(Realisasi, realisasi_id)
    skp = db.get_or_404(Skp, realisasi.skp_id)
    require(perm.can_verify_realization(current_user, skp))
    note = request.form.get("catatan", "")
    try:
        if action == "verify":
            changed = ops.verify_realization(db.session, realisasi, note=note, actor=current_user)
            message = "Realisasi diverifikasi dan dikunci."
        elif action == "reject":
            changed = ops.reject_realization(db.session, realisasi, note=note, actor=current_user)
            message = "Realisasi ditolak; pegawai dapat memperbaikinya."
        else:
            changed = ops.reopen_realization(db.session, realisasi, note=note, actor=current_user)
            message = "Kunci realisasi dibuka; pegawai dapat mengubahnya."
    except ops.RealizationError as exc:
        _fail(exc)
        return _back(url_for("realization.verification_inbox"))
    db.session.commit()
    flash(message if changed else "Tidak ada perubahan: keputusan ini sudah tercatat.", "success")
    return _back(url_for("realization.verification_inbox"))


@bp.route("/realisasi/<int:realisasi_id>/verifikasi", methods=["POST"])
@login_required
def verify_realization(realisasi_id: int):
    return _decide_realization(realisasi_id, "verify")


@bp.route("/realisasi/<int:realisasi_id>/tolak", methods=["POST"])
@login_required
def reject_realization(realisasi_id: int):
    return _decide_realization(realisasi_id, "reject")


@bp.route("/realisasi/<int:realisasi_id>/buka-kunci", methods=["POST"])
@login_required
def reopen_realization(realisasi_id: int):
    return _decide_realization(realisasi_id, "reopen")


# --- evidence --------------------------------------------------------------------------------


@bp.route("/bukti/<int:bukti_id>")
@login_required
def view_evidence(bukti_id: int):
    bukti = db.get_or_404(Bukti, bukti_id)
    owner, opd_id, above = q.evidence_context(db.session, bukti)
    require(
        owner is not None
        and perm.can_view_evidence(current_user, owner.id, opd_id, superior_ids=above)
    )
    if bukti.kind == "link":
        return redirect(bukti.url)
    try:
        path = evidence_path(_limits().upload_dir, bukti.stored_name or "")
    except UploadError:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=bukti.mime or "application/octet-stream",
        as_attachment=bukti.kind == "pdf",
        download_name=bukti.nama or ("bukti.pdf" if bukti.kind == "pdf" else "bukti.jpg"),
        conditional=True,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/bukti/<int:bukti_id>/hapus", methods=["POST"])
@login_required
def delete_evidence(bukti_id: int):
    bukti = db.get_or_404(Bukti, bukti_id)
    if bukti.aktivitas_id is not None:
        back = url_for("realization.edit_activity", aktivitas_id=bukti.aktivitas_id)
    else:
        back = url_for("realization.my_realizations")
    try:
        ops.delete_evidence(db.session, bukti, limits=_limits(), actor=current_user)
    except ops.RealizationError as exc:
        _fail(exc)
        return _back(back)
    db.session.commit()
    flash("Bukti dukung dihapus.", "success")
    return _back(back)


# --- daily activities ------------------------------------------------------------------------


def _my_pegawai() -> Pegawai:
    if current_user.pegawai_id is None:
        abort(403, description="Akun ini tidak terhubung dengan data pegawai.")
    return db.get_or_404(Pegawai, current_user.pegawai_id)


def _activities_page(pegawai: Pegawai, *, form=None, errors=None, status: int = 200):
    today = _today()
    tahun = parse_int_arg("tahun") or today.year
    bulan = parse_bulan(request.args.get("bulan"), today.month if tahun == today.year else 12)
    if not 2000 <= tahun <= 2100:
        tahun = today.year
    settings = q.instansi_settings(db.session, pegawai)
    items = q.my_activities(db.session, pegawai.id, tahun, bulan)
    katalog = q.katalog_choices(db.session, pegawai.jabatan_id)
    return (
        render_template(
            "realization/aktivitas_harian.html",
            pegawai=pegawai,
            today=today,
            tahun=tahun,
            bulan=bulan,
            items=items,
            katalog=katalog,
            katalog_by_id={k.id: k for k in katalog},
            rhks=q.activity_rhk_choices(db.session, pegawai.id),
            points=q.points_summary(db.session, pegawai.id, today, settings),
            form=form or {"tanggal": today.isoformat(), "volume": "1"},
            errors=errors or {},
            deadline_days=q.setting_number(
                settings, "activity_deadline_days", q.DEFAULT_DEADLINE_DAYS
            ),
            cap=q.setting_number(settings, "working_minutes_per_day", q.DEFAULT_WORKING_MINUTES),
            max_mb=_limits().max_mb_label,
        ),
        status,
    )


@bp.route("/aktivitas")
@login_required
def my_activities():
    return _activities_page(_my_pegawai())


@bp.route("/aktivitas", methods=["POST"])
@login_required
def create_activity():
    pegawai = _my_pegawai()
    require(perm.can_record_activity(current_user, pegawai))
    data, errors = parse_activity_form(request.form)
    if errors:
        return _activities_page(pegawai, form=data.raw, errors=errors, status=422)
    try:
        ops.log_activity(
            db.session,
            pegawai,
            files=_files("foto"),
            links=[data.tautan] if data.tautan else [],
            limits=_limits(),
            actor=current_user,
            **data.as_kwargs(),
        )
    except ops.RealizationForbidden as exc:
        _fail(exc)
    except ops.RealizationValidationError as exc:
        db.session.rollback()
        return _activities_page(pegawai, form=data.raw, errors=exc.fields, status=422)
    except ops.RealizationError as exc:
        db.session.rollback()
        return _activities_page(pegawai, form=data.raw, errors={"_": [str(exc)]}, status=409)
    db.session.commit()
    flash("Kegiatan dicatat dan dikirim ke atasan langsung untuk disetujui.", "success")
    return redirect(url_for("realization.my_activities"))


def _own_activity(aktivitas_id: int) -> Aktivitas:
    aktivitas = db.get_or_404(Aktivitas, aktivitas_id)
    require(perm.can_record_activity(current_user, aktivitas.pegawai))
    return aktivitas


@bp.route("/aktivitas/<int:aktivitas_id>/ubah", methods=["GET", "POST"])
@login_required
def edit_activity(aktivitas_id: int):
    aktivitas = _own_activity(aktivitas_id)
    pegawai = aktivitas.pegawai
    errors: dict = {}
    form = {
        "tanggal": aktivitas.tanggal.isoformat(),
        "jam_mulai": aktivitas.jam_mulai.strftime("%H:%M"),
        "jam_selesai": aktivitas.jam_selesai.strftime("%H:%M"),
        "uraian": aktivitas.uraian,
        "rhk_id": str(aktivitas.rhk_id or ""),
        "katalog_id": str(aktivitas.katalog_id or ""),
        "volume": str(aktivitas.volume),
    }
    status = 200
    if request.method == "POST":
        data, errors = parse_activity_form(request.form)
        form = data.raw
        if not errors:
            try:
                ops.update_activity(db.session, aktivitas, actor=current_user, **data.as_kwargs())
            except ops.RealizationForbidden as exc:
                _fail(exc)
            except ops.RealizationValidationError as exc:
                db.session.rollback()
                errors = exc.fields
            except ops.RealizationError as exc:
                db.session.rollback()
                errors = {"_": [str(exc)]}
            else:
                db.session.commit()
                flash("Kegiatan diubah dan dikirim ulang ke atasan langsung.", "success")
                return redirect(url_for("realization.my_activities"))
        status = 422 if errors else 200
        aktivitas = db.get_or_404(Aktivitas, aktivitas_id)
    katalog = q.katalog_choices(db.session, pegawai.jabatan_id)
    return (
        render_template(
            "realization/aktivitas_ubah.html",
            aktivitas=aktivitas,
            form=form,
            errors=errors,
            rhks=q.activity_rhk_choices(db.session, aktivitas.pegawai_id),
            katalog=katalog,
            max_mb=_limits().max_mb_label,
        ),
        status,
    )


@bp.route("/aktivitas/<int:aktivitas_id>/hapus", methods=["POST"])
@login_required
def delete_activity(aktivitas_id: int):
    aktivitas = _own_activity(aktivitas_id)
    try:
        ops.delete_activity(db.session, aktivitas, limits=_limits(), actor=current_user)
    except ops.RealizationError as exc:
        _fail(exc)
        return redirect(url_for("realization.my_activities"))
    db.session.commit()
    flash("Kegiatan dihapus.", "success")
    return redirect(url_for("realization.my_activities"))


@bp.route("/aktivitas/<int:aktivitas_id>/bukti", methods=["POST"])
@login_required
def add_activity_evidence(aktivitas_id: int):
    aktivitas = _own_activity(aktivitas_id)
    back = url_for("realization.edit_activity", aktivitas_id=aktivitas.id)
    files = _files("foto")
    try:
        if files:
            for stream, filename in files:
                ops.attach_evidence(
                    db.session,
                    aktivitas,
                    stream=stream,
                    filename=filename,
                    limits=_limits(),
                    actor=current_user,
                )
        else:
            ops.attach_evidence(
                db.session, aktivitas, url=request.form.get("tautan"), actor=current_user
            )
    except ops.RealizationError as exc:
        _fail(exc)
        return _back(back)
    db.session.commit()
    flash("Bukti dukung dilampirkan.", "success")
    return _back(back)


@bp.route("/aktivitas/persetujuan")
@login_required
def activity_inbox():
    if current_user.pegawai_id is None:
        abort(403)
    items = q.activity_inbox(db.session, current_user.pegawai_id)
    groups: list[tuple[Pegawai, list[Aktivitas]]] = []
    for a in items:
        if not groups or groups[-1][0].id != a.pegawai_id:
            groups.append((a.pegawai, []))
        groups[-1][1].append(a)
    katalog = q.katalog_names(db.session, (a.katalog_id for a in items))
    return render_template(
        "realization/aktivitas_persetujuan.html",
        groups=groups,
        total=len(items),
        katalog=katalog,
        # URL prefixes built once (800 rows × url_for is measurable on this hot page).
        reject_base=url_for("realization.reject_activity", aktivitas_id=0)[: -len("0/tolak")],
        evidence_base=url_for("realization.view_evidence", bukti_id=0)[:-1],
    )


@bp.route("/aktivitas/setujui", methods=["POST"])
@login_required
def approve_activities():
    if current_user.pegawai_id is None:
        abort(403)
    try:
        ids = parse_ids(request.form.getlist("ids"))
    except ValueError:
        abort(400)
    try:
        result = ops.approve_activities(db.session, ids, actor=current_user)
    except ops.RealizationError as exc:
        _fail(exc)
        return redirect(url_for("realization.activity_inbox"))
    db.session.commit()
    flash(result.message, "success")
    return redirect(url_for("realization.activity_inbox"))


def _decidable(aktivitas_id: int) -> Aktivitas:
    aktivitas = db.get_or_404(Aktivitas, aktivitas_id)
    require(perm.can_decide_activity(current_user, aktivitas, aktivitas.pegawai))
    return aktivitas


@bp.route("/aktivitas/<int:aktivitas_id>/setujui", methods=["POST"])
@login_required
def approve_activity(aktivitas_id: int):
    aktivitas = _decidable(aktivitas_id)
    try:
        changed = ops.approve_activity(db.session, aktivitas, actor=current_user)
    except ops.RealizationError as exc:
        _fail(exc)
        return redirect(url_for("realization.activity_inbox"))
    db.session.commit()
    flash("Kegiatan disetujui." if changed else "Kegiatan ini sudah disetujui.", "success")
    return redirect(url_for("realization.activity_inbox"))


@bp.route("/aktivitas/<int:aktivitas_id>/tolak", methods=["POST"])
@login_required
def reject_activity(aktivitas_id: int):
    aktivitas = _decidable(aktivitas_id)
    # The inbox posts every row's reason in one form; a single-row form posts "alasan".
    reason = request.form.get(f"alasan-{aktivitas_id}") or request.form.get("alasan", "")
    try:
        changed = ops.reject_activity(db.session, aktivitas, reason=reason, actor=current_user)
    except ops.RealizationError as exc:
        _fail(exc)
        return redirect(url_for("realization.activity_inbox"))
    db.session.commit()
    flash("Kegiatan ditolak." if changed else "Kegiatan ini sudah ditolak.", "success")
    return redirect(url_for("realization.activity_inbox"))


# --- capaian roll-up -------------------------------------------------------------------------


def _rollup_period(default_tahun: int, skp: Skp | None = None) -> tuple[int, int, bool]:
    bulan = parse_bulan(request.args.get("bulan"), _default_month(default_tahun, skp))
    return default_tahun, bulan, request.args.get("semua") == "1"


def _weights(pegawai: Pegawai | None) -> dict:
    weights = q.instansi_settings(db.session, pegawai).get("rollup_weights") or {}
    return weights if isinstance(weights, dict) else {}


@bp.route("/capaian/rhk/<int:rhk_id>")
@login_required
def rhk_capaian(rhk_id: int):
    rhk = db.get_or_404(Rhk, rhk_id)
    skp = rhk.skp
    ancestors = q.rhk_superior_ids(db.session, rhk)
    require(perm.can_view_capaian(current_user, skp, ancestors))
    tahun, bulan, semua = _rollup_period(skp.periode.tahun, skp)
    nodes = q.load_rollup_nodes(
        db.session, tahun=tahun, bulan=bulan, rhk_id=rhk.id, include_unverified=semua
    )
    owner = db.session.get(Pegawai, skp.pegawai_id)
    results = rollup_tree(nodes, bulan=bulan, weights=_weights(owner))
    parent = None
    if rhk.parent_rhk_id:
        parent = ("rhk", rhk.parent_rhk_id, db.session.get(Rhk, rhk.parent_rhk_id))
    elif rhk.parent_sasaran_id:
        parent = ("sasaran", rhk.parent_sasaran_id, db.session.get(Sasaran, rhk.parent_sasaran_id))
    return render_template(
        "realization/capaian.html",
        node=results[f"rhk:{rhk.id}"],
        rhk=rhk,
        sasaran=None,
        owner=owner,
        parent=parent,
        tahun=tahun,
        bulan=bulan,
        semua=semua,
    )


@bp.route("/capaian/sasaran/<int:sasaran_id>")
@login_required
def sasaran_capaian(sasaran_id: int):
    sasaran = db.get_or_404(Sasaran, sasaran_id)
    require(perm.can_view_sasaran_capaian(current_user, sasaran.opd_id))
    today = _today()
    tahun = parse_int_arg("tahun") or min(max(today.year, sasaran.tahun_awal), sasaran.tahun_akhir)
    if not sasaran.tahun_awal <= tahun <= sasaran.tahun_akhir:
        abort(404)
    tahun, bulan, semua = _rollup_period(tahun)
    nodes = q.load_rollup_nodes(
        db.session, tahun=tahun, bulan=bulan, sasaran_id=sasaran.id, include_unverified=semua
    )
    results = rollup_tree(nodes, bulan=bulan, weights=_weights(None))
    parent = None
    parent_id = sasaran.parent_id or sasaran.supports_id
    if parent_id:
        parent = ("sasaran", parent_id, db.session.get(Sasaran, parent_id))
    return render_template(
        "realization/capaian.html",
        node=results[f"sasaran:{sasaran.id}"],
        rhk=None,
        sasaran=sasaran,
        owner=None,
        parent=parent,
        tahun=tahun,
        bulan=bulan,
        semua=semua,
    )


from skp_app.realization import hukdis_views  # noqa: E402,F401  (routes on this blueprint)
