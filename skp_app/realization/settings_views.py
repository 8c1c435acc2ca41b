"""The "Pengaturan instansi" page: working hours, targets, deadlines, curve mode, office
locations and the holiday list (national holidays and cuti bersama of the SKB 3 Menteri).

Admin edits; HR reads (the TPP recap and the attendance import depend on these values). The
form (WTForms, CSRF) only carries the input; :func:`skp_app.realization.settings.save_settings`
validates everything and writes it in one transaction with an audit event.

A nested blueprint of ``realization`` (registered in :mod:`skp_app.realization.views`), so its
endpoints are ``realization.pengaturan.*``.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from skp_app.auth.permissions import has_any_role, require
from skp_app.extensions import db
from skp_app.navigation import register_nav
from skp_app.realization import settings as st
from skp_app.realization.evaluation_queries import default_instansi
from skp_app.realization.operations import today_wib

__all__ = [
    "InstansiSettingsForm",
    "bp",
    "can_edit_instansi_settings",
    "can_view_instansi_settings",
    "submission_from_form",
]

bp = Blueprint("pengaturan", __name__)

register_nav(
    "Pengaturan instansi",
    "realization.pengaturan.edit_settings",
    {"admin", "hr"},
    order=90,
    help="Jam kerja, target poin, batas waktu, lokasi kantor dan hari libur (SKB 3 Menteri).",
)

BLANK_OFFICE_ROWS = 2
EXPIRED = {"form": ["Formulir kedaluwarsa atau tidak sah; muat ulang halaman lalu simpan lagi."]}
#: Form field → settings key, for the single-value fields.
SCALAR_FIELDS = (
    "jam_masuk",
    "jam_pulang",
    "jam_pulang_jumat",
    "working_minutes_per_day",
    "daily_effective_minutes",
    "daily_points_target",
    "monthly_points_target",
    "activity_deadline_days",
    "approval_overdue_days",
    "keberatan_days",
    "curve_mode",
)


# --- permissions -----------------------------------------------------------------------------


def can_view_instansi_settings(user) -> bool:
    """Admin and HR may read the instansi settings (HR runs recaps and imports from them)."""
    return has_any_role(user, "admin", "hr")


def can_edit_instansi_settings(user) -> bool:
    """Only the admin changes the instansi settings."""
    return has_any_role(user, "admin")


# --- form ------------------------------------------------------------------------------------


class OfficeForm(Form):
    """One office location (a row of the table; an empty row is ignored)."""

    nama = StringField("Nama kantor")
    lat = StringField("Lintang (lat)")
    lon = StringField("Bujur (lon)")
    radius_m = StringField("Radius (m)")


def _label(key: str) -> str:
    return next(s.label for s in st.SETTINGS if s.key == key)


class InstansiSettingsForm(FlaskForm):
    """The settings page's input; values are checked by :func:`st.validate_settings`."""

    jam_masuk = StringField(_label("jam_masuk"))
    jam_pulang = StringField(_label("jam_pulang"))
    jam_pulang_jumat = StringField(_label("jam_pulang_jumat"))
    working_minutes_per_day = StringField(_label("working_minutes_per_day"))
    daily_effective_minutes = StringField(_label("daily_effective_minutes"))
    daily_points_target = StringField(_label("daily_points_target"))
    monthly_points_target = StringField(_label("monthly_points_target"))
    activity_deadline_days = StringField(_label("activity_deadline_days"))
    approval_overdue_days = StringField(_label("approval_overdue_days"))
    keberatan_days = StringField(_label("keberatan_days"))
    # validate_choice off: WTForms' own message is English; settings.py checks the value.
    curve_mode = SelectField(
        _label("curve_mode"),
        choices=[SelectChoice(k, v) for k, v in st.CURVE_MODES.items()],
        validate_choice=False,
    )
    bobot_utama = StringField("Bobot RHK utama")
    bobot_tambahan = StringField("Bobot RHK tambahan")
    kantor = FieldList(FormField(OfficeForm), max_entries=st.MAX_OFFICES + BLANK_OFFICE_ROWS)
    hapus_libur = SelectMultipleField("Hapus", choices=[], validate_choice=False)
    libur_baru = TextAreaField("Tambah hari libur")


def form_for(current: st.InstansiSettings) -> InstansiSettingsForm:
    """Return the form filled with the current settings (plus blank office rows)."""
    stored = current.to_json()
    data = {key: stored[key] or "" for key in SCALAR_FIELDS}
    weights = current.rollup_weights
    data["bobot_utama"] = str(weights.get("utama", 1))
    data["bobot_tambahan"] = str(weights.get("tambahan", 1))
    data["kantor"] = [
        {"nama": o.nama, "lat": str(o.lat), "lon": str(o.lon), "radius_m": str(o.radius_m)}
        for o in current.office_locations
    ]
    form = InstansiSettingsForm(formdata=None, data=data)
    for _ in range(BLANK_OFFICE_ROWS):
        form.kantor.append_entry()
    return form


def submission_from_form(
    form: InstansiSettingsForm, current: st.InstansiSettings
) -> tuple[dict, dict[str, list[str]]]:
    """Turn the posted form into a settings dict; return it and the problems of the paste box.

    Holidays: the current list minus the ticked ones plus the pasted lines (a pasted date that
    is already listed gets the pasted name). Office rows left empty are ignored. Weights of
    single RHK or goals (``"rhk:12"``) stored by other means are kept.
    """
    submitted: dict = {key: (getattr(form, key).data or "").strip() for key in SCALAR_FIELDS}
    weights = dict(current.rollup_weights)
    weights["utama"] = (form.bobot_utama.data or "").strip()
    weights["tambahan"] = (form.bobot_tambahan.data or "").strip()
    submitted["rollup_weights"] = weights
    offices = []
    for row in form.kantor.entries:
        values = {k: (row.form[k].data or "").strip() for k in ("nama", "lat", "lon", "radius_m")}
        if values["nama"] or values["lat"] or values["lon"]:  # a radius alone is a cleared row
            offices.append(values)
    submitted["office_locations"] = offices
    removed = set(form.hapus_libur.data or [])
    holidays = {h.tanggal: h for h in current.libur if h.tanggal.isoformat() not in removed}
    added, problems = st.parse_holiday_lines(form.libur_baru.data or "")
    for h in added:
        holidays[h.tanggal] = h
    submitted["hari_libur"] = [h.to_json() for h in sorted(holidays.values())]
    return submitted, ({"libur_baru": problems} if problems else {})


# --- views -----------------------------------------------------------------------------------

#: Where each settings key's messages are shown on the page.
ERROR_FIELD = {key: key for key in SCALAR_FIELDS} | {
    "rollup_weights": "bobot_utama",
    "hari_libur": "libur_baru",
    "office_locations": "kantor",
}


def _page(instansi, current: st.InstansiSettings, form, *, errors=None, status: int = 200):
    errors = errors or {}
    for key, messages in errors.items():
        name = ERROR_FIELD.get(key, key)
        if name in form and name != "kantor":
            form[name].errors = list(messages)
    today_year = today_wib().year
    by_year = st.holidays_by_year(current.libur)
    years = {y for y, _ in by_year}
    missing = [y for y in (today_year, today_year + 1) if y not in years]
    return (
        render_template(
            "realization/pengaturan_instansi.html",
            instansi=instansi,
            current=current,
            form=form,
            errors=errors,
            by_year=by_year,
            help={s.key: s.help for s in st.SETTINGS},
            can_edit=can_edit_instansi_settings(current_user),
            missing_years=missing,
            today_year=today_year,
        ),
        status,
    )


def _instansi():
    instansi = default_instansi(db.session)
    if instansi is None:
        abort(409, description="Data instansi belum ada; impor struktur organisasi dahulu.")
    return instansi


@bp.route("/pengaturan/instansi")
@login_required
def edit_settings():
    require(can_view_instansi_settings(current_user))
    instansi = _instansi()
    current = st.settings_for(instansi, strict=False)
    return _page(instansi, current, form_for(current))


@bp.route("/pengaturan/instansi", methods=["POST"])
@login_required
def save_settings():
    require(can_edit_instansi_settings(current_user))
    instansi = _instansi()
    current = st.settings_for(instansi, strict=False)
    form = InstansiSettingsForm()
    if not form.validate():
        return _page(instansi, current, form, errors=EXPIRED, status=400)
    submitted, problems = submission_from_form(form, current)
    if problems:
        return _page(instansi, current, form, errors=problems, status=422)
    try:
        changed = st.save_settings(db.session, instansi, submitted, actor=current_user)
    except st.SettingsValidationError as exc:
        db.session.rollback()
        return _page(instansi, current, form, errors=exc.fields, status=422)
    db.session.commit()
    if changed:
        flash(f"Pengaturan instansi disimpan ({len(changed)} pengaturan berubah).", "success")
    else:
        flash("Tidak ada pengaturan yang berubah.", "info")
    return redirect(url_for(".edit_settings"), 303)
