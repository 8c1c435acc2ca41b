"""Pages of the hukuman disiplin register (HR and admin): list with filters, record, correct,
annul. Routes live on the realization blueprint (imported by :mod:`.views`).

Each view loads, checks permission (the employee's OPD, whether the id comes from the URL or
the form), calls one operation, commits, then redirects; invalid input re-renders the form
with per-field messages (422) and writes nothing.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from skp_app.auth.permissions import require
from skp_app.extensions import db
from skp_app.navigation import register_nav
from skp_app.org.models import Pegawai
from skp_app.org.queries import opd_list
from skp_app.realization import hukdis as ops
from skp_app.realization.hukdis_permissions import (
    can_manage_hukdis,
    can_open_hukdis_register,
    hukdis_opd_scope,
)
from skp_app.realization.models import HukumanDisiplin
from skp_app.realization.tpp_recap import RecapValidationError, parse_bulan
from skp_app.realization.views import bp

register_nav(
    "Hukuman disiplin",
    "realization.hukdis_list",
    {"hr", "admin"},
    order=48,
    help="Register SK hukuman disiplin yang memotong TPP.",
)

_FORM_FIELDS = ("jenis", "nomor_sk", "tanggal_sk", "tmt_mulai", "tmt_selesai", "keterangan")


def _int(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def _opd_of(pegawai: Pegawai) -> int | None:
    return pegawai.unit.opd_id if pegawai.unit is not None else None


def _record_or_404(hukdis_id: int) -> HukumanDisiplin:
    row = db.session.get(HukumanDisiplin, hukdis_id)
    if row is None:
        abort(404)
    require(can_manage_hukdis(current_user, _opd_of(row.pegawai)))
    return row


@bp.route("/hukuman-disiplin")
@login_required
def hukdis_list():
    require(can_open_hukdis_register(current_user))
    scope = hukdis_opd_scope(current_user)
    opds = opd_list(db.session, unit_ids=scope)
    opd_id = _int(request.args.get("opd_id"))
    if opd_id is not None and opd_id not in {o.id for o in opds}:
        abort(403)
    bulan_text = (request.args.get("bulan") or "").strip()
    bulan = None
    if bulan_text:
        try:
            bulan = parse_bulan(bulan_text)
        except RecapValidationError as exc:
            flash(str(exc), "danger")
    kinds = ops.hukdis_kinds(db.session)
    jenis = (request.args.get("jenis") or "").strip()
    include_annulled = request.args.get("batal") == "1"
    search = (request.args.get("q") or "")[:100]
    page = ops.list_hukdis(
        db.session,
        opd_ids=scope,
        opd_id=opd_id,
        bulan=bulan,
        jenis=jenis or None,
        include_annulled=include_annulled,
        q=search,
        page=_int(request.args.get("page")) or 1,
    )
    return render_template(
        "realization/hukdis_list.html",
        page=page,
        opds=opds,
        kinds=kinds,
        filters={
            "opd_id": opd_id,
            "bulan": bulan_text,
            "jenis": jenis,
            "batal": include_annulled,
            "q": search,
        },
        bulan=bulan,
    )


def _form_page(status: int, *, row=None, pegawai=None, form=None, errors=None):
    kinds = ops.hukdis_kinds(db.session)
    if form is None:
        form = {f: "" for f in _FORM_FIELDS}
        if row is not None:
            form.update(
                jenis=row.jenis,
                nomor_sk=row.nomor_sk,
                tanggal_sk=row.tanggal_sk.isoformat(),
                tmt_mulai=row.tmt_mulai.isoformat(),
                tmt_selesai=row.tmt_selesai.isoformat() if row.tmt_selesai else "",
                keterangan=row.keterangan or "",
            )
        if pegawai is not None:
            form["nip"] = pegawai.nip or ""
    return (
        render_template(
            "realization/hukdis_form.html",
            row=row,
            pegawai=pegawai if row is None else row.pegawai,
            form=form,
            errors=errors or {},
            kinds=kinds,
            unknown_kind=row is not None and row.jenis not in kinds,
        ),
        status,
    )


def _pegawai_from_form() -> Pegawai:
    """The employee named by the form: ``pegawai_id`` when given, else ``nip``.

    Raises HukdisValidationError when neither names an existing employee.
    """
    raw_id = (request.form.get("pegawai_id") or "").strip()
    if raw_id:
        pegawai = db.session.get(Pegawai, _int(raw_id)) if _int(raw_id) else None
        if pegawai is None:
            raise ops.HukdisValidationError(
                {"nip": [f"Pegawai dengan id {raw_id!r} tidak ditemukan."]}
            )
        return pegawai
    nip = "".join((request.form.get("nip") or "").split())
    if not nip:
        raise ops.HukdisValidationError({"nip": ["NIP pegawai wajib diisi."]})
    pegawai = db.session.scalar(select(Pegawai).where(Pegawai.nip == nip))
    if pegawai is None:
        raise ops.HukdisValidationError({"nip": [f"Pegawai dengan NIP {nip} tidak ditemukan."]})
    return pegawai


@bp.route("/hukuman-disiplin/baru", methods=["GET", "POST"])
@login_required
def hukdis_create():
    require(can_open_hukdis_register(current_user))
    if request.method == "GET":
        pegawai = None
        pegawai_id = _int(request.args.get("pegawai_id"))
        if pegawai_id is not None:
            pegawai = db.session.get(Pegawai, pegawai_id)
            if pegawai is None:
                abort(404)
            require(can_manage_hukdis(current_user, _opd_of(pegawai)))
        return _form_page(200, pegawai=pegawai)
    form = request.form.to_dict()
    try:
        pegawai = _pegawai_from_form()
    except ops.HukdisValidationError as exc:
        return _form_page(422, form=form, errors=exc.fields)
    require(can_manage_hukdis(current_user, _opd_of(pegawai)))
    try:
        row = ops.create_hukdis(db.session, pegawai, form, actor=current_user)
    except ops.HukdisValidationError as exc:
        db.session.rollback()
        return _form_page(422, pegawai=pegawai, form=form, errors=exc.fields)
    db.session.commit()
    flash(
        f"Hukuman disiplin {pegawai.nama_lengkap} dicatat: {ops.describe(row)}. Jalankan ulang "
        "rekap TPP bulan yang terdampak agar potongannya tercantum.",
        "success",
    )
    return redirect(url_for(".hukdis_list"))


@bp.route("/hukuman-disiplin/<int:hukdis_id>/ubah", methods=["GET", "POST"])
@login_required
def hukdis_edit(hukdis_id: int):
    row = _record_or_404(hukdis_id)
    if request.method == "GET":
        return _form_page(200, row=row)
    form = request.form.to_dict()
    try:
        ops.update_hukdis(db.session, row, form, actor=current_user)
    except ops.HukdisValidationError as exc:
        db.session.rollback()
        row = db.session.get(HukumanDisiplin, hukdis_id)
        return _form_page(422, row=row, form=form, errors=exc.fields)
    except ops.HukdisError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for(".hukdis_edit", hukdis_id=hukdis_id))
    db.session.commit()
    flash(
        f"Hukuman disiplin #{row.id} diperbarui. Jalankan ulang rekap TPP bulan yang terdampak.",
        "success",
    )
    return redirect(url_for(".hukdis_list"))


@bp.route("/hukuman-disiplin/<int:hukdis_id>/batal", methods=["POST"])
@login_required
def hukdis_annul(hukdis_id: int):
    row = _record_or_404(hukdis_id)
    try:
        ops.annul_hukdis(db.session, row, request.form.get("alasan", ""), actor=current_user)
    except ops.HukdisError as exc:
        db.session.rollback()
        messages = exc.messages() if isinstance(exc, ops.HukdisValidationError) else [str(exc)]
        for message in messages:
            flash(message, "danger")
        return redirect(url_for(".hukdis_edit", hukdis_id=hukdis_id))
    db.session.commit()
    flash(
        f"Hukuman disiplin #{row.id} dibatalkan; potongannya tidak lagi dihitung pada rekap "
        "berikutnya.",
        "success",
    )
    return redirect(url_for(".hukdis_list"))
