"""JSON API of the hukuman disiplin register under /api/v1/ (on the realization blueprint).

Same permissions (:mod:`.hukdis_permissions`: HR and admin, scoped to the employee's OPD)
and operations (:mod:`.hukdis`) as the pages. Errors use the one shape
``{"error", "message", "fields"}``: 403 forbidden, 404 not found, 409 already annulled,
422 invalid input with Indonesian messages per field.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user, login_required
from marshmallow import EXCLUDE, Schema, fields, validate

from skp_app.apidocs import api_error
from skp_app.auth.permissions import require
from skp_app.extensions import db
from skp_app.org.models import Pegawai
from skp_app.realization import hukdis as ops
from skp_app.realization.api import blp
from skp_app.realization.hukdis_permissions import (
    can_manage_hukdis,
    can_open_hukdis_register,
    hukdis_opd_scope,
)
from skp_app.realization.models import HukumanDisiplin
from skp_app.realization.tpp import hukdis_label
from skp_app.realization.tpp_recap import RecapValidationError, parse_bulan

_MSG = {"required": "Wajib diisi.", "null": "Tidak boleh kosong.", "invalid": "Format tidak valid."}


def _f(field_cls, **kw):
    return field_cls(error_messages=dict(_MSG), **kw)


@blp.errorhandler(ops.HukdisError)
def _hukdis_error(exc: ops.HukdisError):
    db.session.rollback()
    return api_error(exc.status_code, str(exc), fields=getattr(exc, "fields", None))


class _Base(Schema):
    class Meta:
        unknown = EXCLUDE


class HukdisSchema(_Base):
    id = fields.Int()
    pegawai_id = fields.Int()
    pegawai_nama = fields.Function(lambda r: r.pegawai.nama_lengkap if r.pegawai else None)
    pegawai_nip = fields.Function(lambda r: r.pegawai.nip if r.pegawai else None)
    opd_id = fields.Function(
        lambda r: r.pegawai.unit.opd_id if r.pegawai and r.pegawai.unit else None
    )
    jenis = fields.Str(metadata={"description": "Kunci hukdis_cuts kebijakan TPP"})
    jenis_label = fields.Function(lambda r: hukdis_label(r.jenis))
    nomor_sk = fields.Str()
    tanggal_sk = fields.Date()
    tmt_mulai = fields.Date()
    tmt_selesai = fields.Date(allow_none=True, metadata={"description": "null = tanpa batas"})
    keterangan = fields.Str()
    is_annulled = fields.Bool()
    annul_reason = fields.Str(allow_none=True)
    annulled_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class HukdisPage(_Base):
    total = fields.Int()
    page = fields.Int()
    per_page = fields.Int()
    items = fields.List(fields.Nested(HukdisSchema))


class HukdisQuery(_Base):
    opd_id = _f(fields.Int, load_default=None)
    bulan = _f(
        fields.Str,
        load_default=None,
        metadata={"description": "YYYY-MM: hanya yang berlaku pada tanggal 1 bulan itu"},
    )
    jenis = _f(fields.Str, load_default=None)
    termasuk_batal = _f(fields.Bool, load_default=False)
    q = _f(fields.Str, load_default="", metadata={"description": "Nama atau awal NIP"})
    page = _f(fields.Int, load_default=1, validate=validate.Range(min=1))
    per_page = _f(fields.Int, load_default=50, validate=validate.Range(min=1, max=500))


class HukdisInput(_Base):
    pegawai_id = _f(fields.Int, required=True)
    jenis = _f(fields.Str, required=True, metadata={"description": "Kunci hukdis_cuts"})
    nomor_sk = _f(fields.Str, required=True)
    tanggal_sk = _f(fields.Str, required=True, metadata={"description": "YYYY-MM-DD"})
    tmt_mulai = _f(fields.Str, required=True, metadata={"description": "YYYY-MM-DD"})
    tmt_selesai = _f(
        fields.Str, load_default=None, allow_none=True, metadata={"description": "YYYY-MM-DD"}
    )
    keterangan = _f(fields.Str, load_default="")


class AnnulInput(_Base):
    alasan = _f(fields.Str, required=True)


def _opd_of(pegawai: Pegawai | None) -> int | None:
    return pegawai.unit.opd_id if pegawai is not None and pegawai.unit is not None else None


@blp.route("/hukuman-disiplin")
@login_required
@blp.arguments(HukdisQuery, location="query")
@blp.response(200, HukdisPage)
def list_hukdis(args):
    """Register hukuman disiplin (HR/admin), terbaru dulu, dengan filter OPD, bulan dan jenis."""
    require(can_open_hukdis_register(current_user))
    scope = hukdis_opd_scope(current_user)
    if args["opd_id"] is not None and scope is not None and args["opd_id"] not in scope:
        abort(403)
    bulan = None
    if args["bulan"]:
        try:
            bulan = parse_bulan(args["bulan"])
        except RecapValidationError as exc:
            return api_error(422, str(exc), fields=exc.fields)
    page = ops.list_hukdis(
        db.session,
        opd_ids=scope,
        opd_id=args["opd_id"],
        bulan=bulan,
        jenis=args["jenis"],
        include_annulled=args["termasuk_batal"],
        q=args["q"][:100],
        page=args["page"],
        per_page=args["per_page"],
    )
    return {
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "items": [r.hukdis for r in page.items],
    }


@blp.route("/hukuman-disiplin", methods=["POST"])
@login_required
@blp.arguments(HukdisInput)
@blp.response(201, HukdisSchema)
def create_hukdis(data):
    """Catat hukuman disiplin dari SK; jenisnya harus ada di kebijakan TPP terbaru."""
    require(can_open_hukdis_register(current_user))
    pegawai = db.session.get(Pegawai, data["pegawai_id"])
    if pegawai is None:
        return api_error(
            422,
            f"Pegawai dengan id {data['pegawai_id']} tidak ditemukan.",
            fields={"pegawai_id": [f"Pegawai dengan id {data['pegawai_id']} tidak ditemukan."]},
        )
    require(can_manage_hukdis(current_user, _opd_of(pegawai)))
    row = ops.create_hukdis(db.session, pegawai, data, actor=current_user)
    db.session.commit()
    return row


def _record(hukdis_id: int) -> HukumanDisiplin:
    require(can_open_hukdis_register(current_user))
    row = db.session.get(HukumanDisiplin, hukdis_id)
    if row is None:
        abort(404)
    require(can_manage_hukdis(current_user, _opd_of(row.pegawai)))
    return row


@blp.route("/hukuman-disiplin/<int:hukdis_id>")
@login_required
@blp.response(200, HukdisSchema)
def get_hukdis(hukdis_id: int):
    """Satu catatan hukuman disiplin."""
    return _record(hukdis_id)


@blp.route("/hukuman-disiplin/<int:hukdis_id>/batal", methods=["POST"])
@login_required
@blp.arguments(AnnulInput)
@blp.response(200, HukdisSchema)
def annul_hukdis(data, hukdis_id: int):
    """Batalkan catatan (SK keliru atau dicabut) dengan alasan; tidak lagi memotong TPP."""
    row = _record(hukdis_id)
    ops.annul_hukdis(db.session, row, data["alasan"], actor=current_user)
    db.session.commit()
    return row
