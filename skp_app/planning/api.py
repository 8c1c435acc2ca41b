"""JSON API of planning under /api/v1/: periods, goals, SKPs, RHK and IKI.

Same permissions (planning.permissions) and operations as the pages. Every error has the one
shape ``{"error", "message", "fields"}``: 403 forbidden, 404 not found, 409 workflow/state
conflict (with the reasons in ``fields.skp``), 422 invalid input with Indonesian messages per
field (``teks``, ``iki.0.target`` …). Transitions and bulk actions take an optional
``request_key`` (or an ``Idempotency-Key`` header): a replayed key returns the same outcome.
"""

from __future__ import annotations

from decimal import Decimal

from flask import abort, request
from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy import select, true
from sqlalchemy.orm import selectinload

from skp_app.apidocs import api_error
from skp_app.auth.permissions import require
from skp_app.extensions import db
from skp_app.org.models import Pegawai, UnitOrganisasi
from skp_app.planning import operations as ops
from skp_app.planning import permissions as perm
from skp_app.planning import queries as q
from skp_app.planning.berakhlak import nilai
from skp_app.planning.errors import (
    PlanningError,
    PlanningForbidden,
    PlanningValidationError,
    WorkflowError,
)
from skp_app.planning.models import (
    ASPEK,
    CASCADING,
    LAMPIRAN_BAGIAN,
    PENDEKATAN,
    PERSPEKTIF,
    RHK_JENIS,
    SASARAN_JENIS,
    SKP_STATUS,
    Iki,
    IndikatorSasaran,
    Periode,
    Rhk,
    Sasaran,
    Skp,
)

blp = Blueprint(
    "planning_api",
    __name__,
    url_prefix="/api/v1",
    description="Perencanaan kinerja: periode, sasaran RPJMD/OPD, SKP, RHK dan IKI, alur "
    "pengajuan dan persetujuan SKP.",
)


@blp.errorhandler(PlanningError)
def _planning_error(exc: PlanningError):
    db.session.rollback()
    if isinstance(exc, PlanningForbidden):
        return api_error(403, str(exc))
    if isinstance(exc, PlanningValidationError):
        return api_error(422, str(exc), fields=_api_fields(exc.fields))
    problems = getattr(exc, "problems", None)
    return api_error(409, str(exc), fields={"skp": problems} if problems else None)


def _api_fields(fields_: dict[str, list[str]]) -> dict[str, list[str]]:
    """``iki-0-target`` (form names) → ``iki.0.target`` (JSON paths)."""
    return {k.replace("-", "."): v for k, v in fields_.items()}


# --- schemas ---------------------------------------------------------------------------------

_MSG = {
    "required": "Wajib diisi.",
    "null": "Tidak boleh kosong.",
    "invalid": "Format tidak valid.",
    "validator_failed": "Nilai tidak valid.",
}


def _f(field_cls, **kw):
    """A marshmallow field with Indonesian error messages."""
    messages = dict(_MSG)
    messages.update(kw.pop("error_messages", {}))
    return field_cls(error_messages=messages, **kw)


def _choice(options) -> validate.OneOf:
    return validate.OneOf(list(options), error="Pilih salah satu dari: {choices}.")


class BaseSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    error_messages = {"type": "Data harus berupa objek JSON."}


class PeriodeSchema(BaseSchema):
    id = fields.Int()
    tahun = fields.Int()
    nama = fields.Str()
    tanggal_mulai = fields.Date()
    tanggal_selesai = fields.Date()
    is_open = fields.Bool()
    periodik = fields.Str()


class PeriodeInput(BaseSchema):
    tahun = _f(
        fields.Int,
        required=True,
        validate=validate.Range(2000, 2100, error="Tahun harus antara 2000 dan 2100."),
    )
    periodik = _f(fields.Str, load_default="triwulan", validate=_choice(("bulanan", "triwulan")))


class PeriodePatch(BaseSchema):
    is_open = _f(fields.Bool, required=True)


class TargetSchema(BaseSchema):
    tahun = fields.Int()
    target = fields.Decimal(as_string=True, allow_none=True)
    target_max = fields.Decimal(as_string=True, allow_none=True)


class IndikatorSchema(BaseSchema):
    id = fields.Int()
    teks = fields.Str()
    satuan = fields.Str()
    is_iku = fields.Bool()
    lower_is_better = fields.Bool()
    targets = fields.List(fields.Nested(TargetSchema))


class SasaranSchema(BaseSchema):
    id = fields.Int()
    level = fields.Str(metadata={"description": "regent (RPJMD) / opd (Renstra/PK)"})
    jenis = fields.Str(metadata={"description": "visi / misi / tujuan / sasaran"})
    kode = fields.Str()
    teks = fields.Str()
    parent_id = fields.Int(allow_none=True)
    supports_id = fields.Int(allow_none=True, metadata={"description": "Sasaran RPJMD didukung"})
    opd_id = fields.Int(allow_none=True)
    tahun_awal = fields.Int()
    tahun_akhir = fields.Int()
    indikator = fields.List(fields.Nested(IndikatorSchema))


class SasaranQuery(BaseSchema):
    level = _f(fields.Str, load_default="regent", validate=_choice(("regent", "opd")))
    opd_id = _f(fields.Int, load_default=None)


class TargetInput(BaseSchema):
    tahun = _f(fields.Int, required=True)
    target = fields.Raw(load_default=None, metadata={"description": 'Angka atau teks "97,5"'})
    target_max = fields.Raw(load_default=None)


class IndikatorInputSchema(BaseSchema):
    id = _f(fields.Int, load_default=None, allow_none=True)
    teks = _f(fields.Str, required=True)
    satuan = _f(fields.Str, load_default="")
    is_iku = _f(fields.Bool, load_default=False)
    lower_is_better = _f(fields.Bool, load_default=False)
    targets = fields.List(fields.Nested(TargetInput), load_default=list)


class SasaranInputSchema(BaseSchema):
    level = _f(fields.Str, required=True, validate=_choice(("regent", "opd")))
    jenis = _f(fields.Str, required=True, validate=_choice(SASARAN_JENIS))
    teks = _f(fields.Str, required=True)
    kode = _f(fields.Str, load_default="")
    parent_id = _f(fields.Int, load_default=None, allow_none=True)
    supports_id = _f(fields.Int, load_default=None, allow_none=True)
    opd_id = _f(fields.Int, load_default=None, allow_none=True)
    tahun_awal = _f(fields.Int, required=True)
    tahun_akhir = _f(fields.Int, required=True)
    indikator = fields.List(fields.Nested(IndikatorInputSchema), load_default=list)


class SasaranPatch(BaseSchema):
    jenis = _f(fields.Str, validate=_choice(SASARAN_JENIS))
    teks = _f(fields.Str)
    kode = _f(fields.Str)
    parent_id = _f(fields.Int, allow_none=True)
    supports_id = _f(fields.Int, allow_none=True)
    tahun_awal = _f(fields.Int)
    tahun_akhir = _f(fields.Int)
    indikator = fields.List(fields.Nested(IndikatorInputSchema))


class IkiSchema(BaseSchema):
    id = fields.Int()
    rhk_id = fields.Int()
    aspek = fields.Str(metadata={"description": "kuantitas / kualitas / waktu / biaya"})
    urutan = fields.Int()
    teks = fields.Str()
    target = fields.Decimal(as_string=True, allow_none=True)
    target_max = fields.Decimal(
        as_string=True,
        allow_none=True,
        metadata={"description": "Batas atas bila target berupa rentang"},
    )
    target_teks = fields.Str()
    satuan = fields.Str()
    lower_is_better = fields.Bool()


class RhkSchema(BaseSchema):
    id = fields.Int()
    skp_id = fields.Int()
    jenis = fields.Str(metadata={"description": "utama / tambahan"})
    urutan = fields.Int()
    teks = fields.Str()
    parent_rhk_id = fields.Int(
        allow_none=True, metadata={"description": "RHK pejabat penilai yang diintervensi (non-JPT)"}
    )
    parent_sasaran_id = fields.Int(
        allow_none=True, metadata={"description": "Sasaran Perjanjian Kinerja OPD (JPT)"}
    )
    cascading = fields.Str()
    perspektif = fields.Str(allow_none=True)
    link_flag = fields.Str(allow_none=True)
    drafted_from_rhk_id = fields.Int(allow_none=True)
    copied_from_rhk_id = fields.Int(allow_none=True)
    iki = fields.List(fields.Nested(IkiSchema))


class PerilakuSchema(BaseSchema):
    nilai_kode = fields.Int()
    nama = fields.Method("_nama")
    panduan = fields.Method("_panduan")
    ekspektasi_khusus = fields.Str()

    def _nama(self, obj):
        return nilai(obj.nilai_kode).nama

    def _panduan(self, obj):
        return list(nilai(obj.nilai_kode).perilaku)


class LampiranSchema(BaseSchema):
    bagian = fields.Str()
    urutan = fields.Int()
    teks = fields.Str()


class SkpSchema(BaseSchema):
    id = fields.Int()
    periode_id = fields.Int()
    tahun = fields.Function(lambda s: s.periode.tahun)
    pegawai_id = fields.Int()
    pegawai_nama = fields.Function(lambda s: s.pegawai.nama_lengkap)
    jabatan_id = fields.Int(allow_none=True)
    unit_id = fields.Int(allow_none=True)
    opd_id = fields.Int(allow_none=True)
    penilai_pegawai_id = fields.Int(allow_none=True)
    atasan_penilai_pegawai_id = fields.Int(allow_none=True)
    penilai_is_override = fields.Bool()
    is_jpt = fields.Bool()
    pendekatan = fields.Str()
    status = fields.Str(metadata={"description": ", ".join(SKP_STATUS)})
    version = fields.Int()
    tanggal_mulai = fields.Date()
    tanggal_selesai = fields.Date()
    is_current = fields.Bool()
    replaces_id = fields.Int(allow_none=True)
    return_note = fields.Str(allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)


class SkpDetailSchema(SkpSchema):
    pegawai_snapshot = fields.Dict(allow_none=True)
    penilai_snapshot = fields.Dict(allow_none=True)
    atasan_penilai_snapshot = fields.Dict(allow_none=True)
    rhk = fields.List(fields.Nested(RhkSchema))
    perilaku = fields.List(fields.Nested(PerilakuSchema))
    lampiran = fields.List(fields.Nested(LampiranSchema))


class SkpQuery(BaseSchema):
    periode_id = _f(fields.Int, load_default=None)
    pegawai_id = _f(fields.Int, load_default=None)
    opd_id = _f(fields.Int, load_default=None)
    penilai = _f(
        fields.Bool,
        load_default=False,
        metadata={"description": "true: SKP yang pejabat penilainya saya (diajukan lebih dulu)"},
    )
    status = _f(fields.Str, load_default=None, validate=_choice(SKP_STATUS))


class SkpCreate(BaseSchema):
    pegawai_id = _f(fields.Int, load_default=None, metadata={"description": "Default: saya"})
    periode_id = _f(
        fields.Int,
        load_default=None,
        metadata={"description": "Default: periode yang sedang dibuka"},
    )


class SkpPatch(BaseSchema):
    pendekatan = _f(fields.Str, validate=_choice(PENDEKATAN))
    penilai_pegawai_id = _f(
        fields.Int, allow_none=True, metadata={"description": "Pejabat penilai Plt/Plh"}
    )
    atasan_penilai_pegawai_id = _f(fields.Int, allow_none=True)
    reset_penilai = _f(fields.Bool, load_default=False)


class PerilakuInput(BaseSchema):
    ekspektasi = fields.Dict(
        keys=fields.Str(),
        values=fields.Str(),
        required=True,
        error_messages=_MSG,
        metadata={"description": '{"1": "…", …, "7": "…"}'},
    )


class LampiranInput(BaseSchema):
    dukungan_sumber_daya = fields.List(fields.Str())
    skema_pertanggungjawaban = fields.List(fields.Str())
    konsekuensi = fields.List(fields.Str())


class TransitionInput(BaseSchema):
    request_key = _f(fields.Str, load_default=None, allow_none=True)
    catatan = _f(fields.Str, load_default="", metadata={"description": "Wajib untuk pengembalian"})


class TransitionResultSchema(BaseSchema):
    skp = fields.Nested(SkpSchema)
    replayed = fields.Bool(metadata={"description": "Permintaan sudah diproses / tanpa perubahan"})
    message = fields.Str()
    transition_id = fields.Int(allow_none=True)


class IkiInputSchema(BaseSchema):
    id = _f(fields.Int, load_default=None, allow_none=True)
    aspek = _f(fields.Str, load_default="kuantitas", validate=_choice(ASPEK))
    teks = _f(fields.Str, required=True)
    target = fields.Raw(load_default=None, metadata={"description": 'Angka, atau teks "97,5"'})
    target_max = fields.Raw(load_default=None)
    target_teks = _f(fields.Str, load_default="")
    satuan = _f(fields.Str, load_default="")
    lower_is_better = _f(fields.Bool, load_default=False)


class RhkInputSchema(BaseSchema):
    jenis = _f(fields.Str, load_default="utama", validate=_choice(RHK_JENIS))
    teks = _f(fields.Str, required=True)
    parent_rhk_id = _f(fields.Int, load_default=None, allow_none=True)
    parent_sasaran_id = _f(fields.Int, load_default=None, allow_none=True)
    cascading = _f(fields.Str, load_default="non_direct", validate=_choice(CASCADING))
    perspektif = _f(fields.Str, load_default=None, allow_none=True, validate=_choice(PERSPEKTIF))
    iki = fields.List(fields.Nested(IkiInputSchema), load_default=list)
    request_key = _f(fields.Str, load_default=None, allow_none=True)


class RhkPatch(BaseSchema):
    jenis = _f(fields.Str, validate=_choice(RHK_JENIS))
    teks = _f(fields.Str)
    parent_rhk_id = _f(fields.Int, allow_none=True)
    parent_sasaran_id = _f(fields.Int, allow_none=True)
    cascading = _f(fields.Str, validate=_choice(CASCADING))
    perspektif = _f(fields.Str, allow_none=True, validate=_choice(PERSPEKTIF))
    iki = fields.List(fields.Nested(IkiInputSchema))


class IkiPatch(BaseSchema):
    aspek = _f(fields.Str, validate=_choice(ASPEK))
    teks = _f(fields.Str)
    target = fields.Raw()
    target_max = fields.Raw()
    target_teks = _f(fields.Str)
    satuan = _f(fields.Str)
    lower_is_better = _f(fields.Bool)


class CascadeInput(BaseSchema):
    rhk_ids = fields.List(_f(fields.Int), required=True, error_messages=_MSG)
    pegawai_ids = fields.List(_f(fields.Int), load_default=list)
    jabatan_ids = fields.List(_f(fields.Int), load_default=list)
    cascading = _f(fields.Str, load_default="direct", validate=_choice(CASCADING))
    request_key = _f(fields.Str, load_default=None, allow_none=True)


class SkippedSchema(BaseSchema):
    pegawai_id = fields.Int()
    nama = fields.Str()
    alasan = fields.Str()


class CascadeReportSchema(BaseSchema):
    created_skp = fields.List(fields.Int(), metadata={"description": "Pegawai yang dibuatkan SKP"})
    drafted = fields.Dict(keys=fields.Str(), values=fields.Int())
    skipped = fields.List(fields.Nested(SkippedSchema))
    rhk_count = fields.Int()
    replayed = fields.Bool()


class CopyInput(BaseSchema):
    request_key = _f(fields.Str, load_default=None, allow_none=True)


class CopyReportSchema(BaseSchema):
    source_skp_id = fields.Int()
    rhk_count = fields.Int()
    iki_count = fields.Int()
    lampiran_count = fields.Int()
    unlinked = fields.List(fields.Str())
    replayed = fields.Bool()


# --- helpers ---------------------------------------------------------------------------------


def _request_key(data: dict) -> str | None:
    return data.get("request_key") or request.headers.get("Idempotency-Key") or None


def _skp(skp_id: int) -> Skp:
    skp = q.skp_full(db.session, skp_id)
    if skp is None:
        abort(404)
    require(perm.can_view_skp(current_user, skp))
    return skp


def _number(value, key: str, label: str, errors: dict) -> Decimal | None:
    try:
        return ops.parse_angka(value)
    except ValueError:
        errors[key] = [f"{label} harus berupa angka (contoh: 12 atau 97,5)."]
        return None


def _iki_inputs(items: list[dict], errors: dict) -> list[ops.IkiInput]:
    out = []
    for n, item in enumerate(items):
        out.append(
            ops.IkiInput(
                id=item.get("id"),
                aspek=item.get("aspek", "kuantitas"),
                teks=item.get("teks", ""),
                target=_number(item.get("target"), f"iki-{n}-target", "Target", errors),
                target_max=_number(
                    item.get("target_max"), f"iki-{n}-target_max", "Batas atas target", errors
                ),
                target_teks=item.get("target_teks", ""),
                satuan=item.get("satuan", ""),
                lower_is_better=bool(item.get("lower_is_better", False)),
            )
        )
    return out


def _iki_dict(i: Iki) -> dict:
    return {
        "id": i.id,
        "aspek": i.aspek,
        "teks": i.teks,
        "target": i.target,
        "target_max": i.target_max,
        "target_teks": i.target_teks,
        "satuan": i.satuan,
        "lower_is_better": i.lower_is_better,
    }


def _rhk_input(data: dict, base: Rhk | None = None) -> ops.RhkInput:
    """Build the operation input from JSON (``base`` fills fields a PATCH leaves out)."""
    errors: dict[str, list[str]] = {}
    if "iki" in data:
        iki = _iki_inputs(data["iki"], errors)
    elif base is not None:
        iki = [ops.IkiInput(**_iki_dict(i)) for i in base.iki]
    else:
        iki = []
    if errors:
        raise PlanningValidationError(errors)

    def pick(name, default=None):
        if name in data:
            return data[name]
        return getattr(base, name) if base is not None else default

    return ops.RhkInput(
        teks=pick("teks", ""),
        jenis=pick("jenis", "utama"),
        parent_rhk_id=pick("parent_rhk_id"),
        parent_sasaran_id=pick("parent_sasaran_id"),
        cascading=pick("cascading", "non_direct"),
        perspektif=pick("perspektif"),
        iki=iki,
    )


def _sasaran_input(data: dict, base: Sasaran | None = None) -> ops.SasaranInput:
    errors: dict[str, list[str]] = {}
    items = []
    if "indikator" in data:
        for n, ind in enumerate(data["indikator"]):
            targets = {}
            for t in ind.get("targets", []):
                key = f"indikator-{n}-target_{t['tahun']}"
                lo = _number(t.get("target"), key, f"Target {t['tahun']}", errors)
                hi = _number(t.get("target_max"), key, f"Target {t['tahun']}", errors)
                targets[t["tahun"]] = (lo, hi)
            items.append(
                ops.IndikatorInput(
                    id=ind.get("id"),
                    teks=ind.get("teks", ""),
                    satuan=ind.get("satuan", ""),
                    is_iku=ind.get("is_iku", False),
                    lower_is_better=ind.get("lower_is_better", False),
                    targets=targets,
                )
            )
    elif base is not None:
        for ind in base.indikator:
            items.append(
                ops.IndikatorInput(
                    id=ind.id,
                    teks=ind.teks,
                    satuan=ind.satuan,
                    is_iku=ind.is_iku,
                    lower_is_better=ind.lower_is_better,
                    targets={t.tahun: (t.target, t.target_max) for t in ind.targets},
                )
            )
    if errors:
        raise PlanningValidationError(errors)

    def pick(name, default=None):
        if name in data:
            return data[name]
        return getattr(base, name) if base is not None else default

    return ops.SasaranInput(
        level=pick("level", "regent"),
        jenis=pick("jenis", ""),
        teks=pick("teks", ""),
        kode=pick("kode", "") or "",
        parent_id=pick("parent_id"),
        supports_id=pick("supports_id"),
        opd_id=pick("opd_id"),
        tahun_awal=pick("tahun_awal", 0),
        tahun_akhir=pick("tahun_akhir", 0),
        indikator=items,
    )


def _result(result: ops.TransitionResult) -> dict:
    return {
        "skp": result.skp,
        "replayed": result.replayed,
        "message": result.message,
        "transition_id": result.transition.id if result.transition is not None else None,
    }


def _cascade_dict(report: ops.CascadeReport) -> dict:
    return {
        "created_skp": report.created_skp,
        "drafted": {str(k): v for k, v in report.drafted.items()},
        "skipped": [{"pegawai_id": p, "nama": n, "alasan": a} for p, n, a in report.skipped],
        "rhk_count": report.rhk_count,
        "replayed": report.replayed,
    }


# --- periods ---------------------------------------------------------------------------------


@blp.route("/periode")
class PeriodeCollection(MethodView):
    @login_required
    @blp.response(200, PeriodeSchema(many=True))
    def get(self):
        """Daftar periode penilaian (terbaru lebih dulu)."""
        return q.list_periode(db.session)

    @login_required
    @blp.arguments(PeriodeInput)
    @blp.response(201, PeriodeSchema)
    def post(self, data):
        """Buat periode penilaian satu tahun (admin)."""
        require(perm.can_manage_periode(current_user))
        row = ops.create_periode(
            db.session, data["tahun"], actor=current_user, periodik=data["periodik"]
        )
        db.session.commit()
        return row


@blp.route("/periode/<int:periode_id>", methods=["PATCH"])
@login_required
@blp.arguments(PeriodePatch)
@blp.response(200, PeriodeSchema)
def patch_periode(data, periode_id: int):
    """Buka atau tutup periode (admin); periode tertutup membekukan semua SKP di dalamnya."""
    require(perm.can_manage_periode(current_user))
    periode = db.get_or_404(Periode, periode_id)
    ops.set_periode_open(db.session, periode, data["is_open"], actor=current_user)
    db.session.commit()
    return periode


# --- goals -----------------------------------------------------------------------------------


def _sasaran_query():
    return select(Sasaran).options(
        selectinload(Sasaran.indikator).selectinload(IndikatorSasaran.targets)
    )


@blp.route("/sasaran")
class SasaranCollection(MethodView):
    @login_required
    @blp.arguments(SasaranQuery, location="query")
    @blp.response(200, SasaranSchema(many=True))
    def get(self, args):
        """Sasaran RPJMD (level=regent) atau sasaran Renstra/PK satu OPD (level=opd)."""
        require(perm.can_view_goals(current_user))
        if args["level"] == "opd" and args["opd_id"] is None:
            raise PlanningValidationError({"opd_id": ["Wajib diisi untuk level opd."]})
        return [s for s, _depth in q.goals_tree(db.session, args["level"], args["opd_id"])]

    @login_required
    @blp.arguments(SasaranInputSchema)
    @blp.response(201, SasaranSchema)
    def post(self, data):
        """Tambah tujuan/sasaran beserta indikator dan target tahunannya."""
        require(perm.can_manage_goals(current_user, data["level"], data["opd_id"]))
        row = ops.save_sasaran(db.session, _sasaran_input(data), actor=current_user)
        db.session.commit()
        return db.session.scalar(_sasaran_query().where(Sasaran.id == row.id))


@blp.route("/sasaran/<int:sasaran_id>")
class SasaranItem(MethodView):
    @login_required
    @blp.response(200, SasaranSchema)
    def get(self, sasaran_id: int):
        """Satu sasaran dengan indikator dan targetnya."""
        require(perm.can_view_goals(current_user))
        row = db.session.scalar(_sasaran_query().where(Sasaran.id == sasaran_id))
        if row is None:
            abort(404)
        return row

    @login_required
    @blp.arguments(SasaranPatch)
    @blp.response(200, SasaranSchema)
    def patch(self, data, sasaran_id: int):
        """Ubah sasaran; bila ``indikator`` dikirim, daftar indikator diganti (id dipertahankan)."""
        row = db.get_or_404(Sasaran, sasaran_id)
        require(perm.can_manage_goals(current_user, row.level, row.opd_id))
        ops.save_sasaran(db.session, _sasaran_input(data, row), actor=current_user, sasaran=row)
        db.session.commit()
        return db.session.scalar(_sasaran_query().where(Sasaran.id == sasaran_id))


# --- SKP -------------------------------------------------------------------------------------


@blp.route("/skp")
class SkpCollection(MethodView):
    @login_required
    @blp.arguments(SkpQuery, location="query")
    @blp.response(200, SkpSchema(many=True))
    def get(self, args):
        """SKP saya; atau SKP satu pegawai/OPD yang boleh saya lihat; atau SKP yang saya nilai."""
        periode = (
            db.session.get(Periode, args["periode_id"])
            if args["periode_id"]
            else q.open_periode(db.session)
        )
        stmt = select(Skp).options(selectinload(Skp.periode), selectinload(Skp.pegawai))
        if periode is not None:
            stmt = stmt.where(Skp.periode_id == periode.id)
        if args["opd_id"] is not None:
            require(perm.can_monitor_opd(current_user, args["opd_id"]))
            stmt = stmt.where(Skp.opd_id == args["opd_id"], Skp.is_current == true())
        elif args["penilai"]:
            if current_user.pegawai_id is None:
                return []
            stmt = stmt.where(
                Skp.penilai_pegawai_id == current_user.pegawai_id, Skp.is_current == true()
            )
        else:
            pid = args["pegawai_id"] or current_user.pegawai_id
            if pid is None:
                return []
            stmt = stmt.where(Skp.pegawai_id == pid)
        if args["status"]:
            stmt = stmt.where(Skp.status == args["status"])
        rows = list(db.session.scalars(stmt.order_by(q.skp_order_case(), Skp.id)))
        return [s for s in rows if perm.can_view_skp(current_user, s)]

    @login_required
    @blp.arguments(SkpCreate)
    @blp.response(201, SkpSchema)
    def post(self, data):
        """Buat draf SKP untuk saya atau pegawai OPD saya; bila sudah ada, kembalikan yang ada."""
        pid = data["pegawai_id"] or current_user.pegawai_id
        if pid is None:
            raise PlanningValidationError(
                {"pegawai_id": ["Wajib diisi (akun ini tidak terhubung dengan data pegawai)."]}
            )
        pegawai = db.get_or_404(Pegawai, pid)
        periode = (
            db.get_or_404(Periode, data["periode_id"])
            if data["periode_id"]
            else q.open_periode(db.session)
        )
        if periode is None:
            raise WorkflowError("Belum ada periode penilaian yang dibuka.")
        opd_id = db.session.scalar(
            select(UnitOrganisasi.opd_id).where(UnitOrganisasi.id == pegawai.unit_id)
        )
        require(perm.can_create_skp(current_user, pegawai, opd_id))
        skp, _created = ops.ensure_skp(db.session, pegawai, periode, actor=current_user)
        db.session.commit()
        return skp


@blp.route("/skp/<int:skp_id>")
class SkpItem(MethodView):
    @login_required
    @blp.response(200, SkpDetailSchema)
    def get(self, skp_id: int):
        """Satu SKP lengkap: RHK dengan IKI, perilaku kerja, lampiran."""
        return _skp(skp_id)

    @login_required
    @blp.arguments(SkpPatch)
    @blp.response(200, SkpSchema)
    def patch(self, data, skp_id: int):
        """Ubah pendekatan atau tetapkan pejabat penilai Plt/Plh (pemilik atau operator OPD)."""
        skp = _skp(skp_id)
        require(perm.can_edit_skp(current_user, skp))
        penilai = atasan = None
        if data.get("penilai_pegawai_id"):
            penilai = db.get_or_404(Pegawai, data["penilai_pegawai_id"])
        if data.get("atasan_penilai_pegawai_id"):
            atasan = db.get_or_404(Pegawai, data["atasan_penilai_pegawai_id"])
        ops.update_skp_settings(
            db.session,
            skp,
            actor=current_user,
            pendekatan=data.get("pendekatan"),
            penilai=penilai,
            atasan_penilai=atasan,
            reset_penilai=data["reset_penilai"],
        )
        db.session.commit()
        return skp


@blp.route("/skp/<int:skp_id>/perilaku", methods=["PUT"])
@login_required
@blp.arguments(PerilakuInput)
@blp.response(200, SkpDetailSchema)
def put_perilaku(data, skp_id: int):
    """Isi ekspektasi khusus pimpinan per nilai BerAKHLAK (kunci "1".."7")."""
    skp = _skp(skp_id)
    require(perm.can_edit_skp(current_user, skp))
    values, errors = {}, {}
    for key, text in data["ekspektasi"].items():
        if not str(key).isdigit():
            errors[f"ekspektasi.{key}"] = ["Kunci harus nomor nilai BerAKHLAK 1..7."]
        else:
            values[int(key)] = text
    if errors:
        raise PlanningValidationError(errors)
    ops.save_perilaku(db.session, skp, values, actor=current_user)
    db.session.commit()
    return _skp(skp_id)


@blp.route("/skp/<int:skp_id>/lampiran", methods=["PUT"])
@login_required
@blp.arguments(LampiranInput)
@blp.response(200, SkpDetailSchema)
def put_lampiran(data, skp_id: int):
    """Ganti butir lampiran SKP per bagian (bagian yang tidak dikirim tetap)."""
    skp = _skp(skp_id)
    require(perm.can_edit_skp(current_user, skp))
    ops.save_lampiran(
        db.session, skp, {k: v for k, v in data.items() if k in LAMPIRAN_BAGIAN}, actor=current_user
    )
    db.session.commit()
    return _skp(skp_id)


def _transition(skp_id: int, data: dict, action: str) -> dict:
    skp = _skp(skp_id)
    key = _request_key(data)
    if action == "submit":
        require(perm.can_submit_skp(current_user, skp))
        result = ops.submit_skp(db.session, skp, actor=current_user, request_key=key)
    elif action == "approve":
        require(perm.can_approve_skp(current_user, skp))
        result = ops.approve_skp(db.session, skp, actor=current_user, request_key=key)
    elif action == "return":
        require(perm.can_return_skp(current_user, skp))
        result = ops.return_skp(
            db.session, skp, actor=current_user, note=data["catatan"], request_key=key
        )
    else:
        require(perm.can_revise_skp(current_user, skp))
        result = ops.revise_skp(
            db.session, skp, actor=current_user, request_key=key, note=data["catatan"]
        )
    db.session.commit()
    return _result(result)


@blp.route("/skp/<int:skp_id>/submit", methods=["POST"])
@login_required
@blp.arguments(TransitionInput)
@blp.response(200, TransitionResultSchema)
def submit(data, skp_id: int):
    """Ajukan SKP kepada pejabat penilai (draf/dikembalikan → diajukan)."""
    return _transition(skp_id, data, "submit")


@blp.route("/skp/<int:skp_id>/approve", methods=["POST"])
@login_required
@blp.arguments(TransitionInput)
@blp.response(200, TransitionResultSchema)
def approve(data, skp_id: int):
    """Setujui SKP yang diajukan (pejabat penilai); menyetujui ulang tidak mengubah apa pun."""
    return _transition(skp_id, data, "approve")


@blp.route("/skp/<int:skp_id>/return", methods=["POST"])
@login_required
@blp.arguments(TransitionInput)
@blp.response(200, TransitionResultSchema)
def return_(data, skp_id: int):
    """Kembalikan SKP yang diajukan untuk diperbaiki, dengan catatan wajib (pejabat penilai)."""
    return _transition(skp_id, data, "return")


@blp.route("/skp/<int:skp_id>/revise", methods=["POST"])
@login_required
@blp.arguments(TransitionInput)
@blp.response(200, TransitionResultSchema)
def revise(data, skp_id: int):
    """Buka kembali SKP yang sudah disetujui untuk revisi (disetujui → draf)."""
    return _transition(skp_id, data, "revise")


@blp.route("/skp/<int:skp_id>/cascade", methods=["POST"])
@login_required
@blp.arguments(CascadeInput)
@blp.response(200, CascadeReportSchema)
def cascade(data, skp_id: int):
    """Turunkan RHK terpilih dari SKP yang disetujui ke bawahan langsung (draf, massal)."""
    skp = _skp(skp_id)
    require(perm.can_bulk_cascade(current_user, skp))
    report = ops.bulk_cascade(
        db.session,
        skp,
        data["rhk_ids"],
        actor=current_user,
        pegawai_ids=data["pegawai_ids"],
        jabatan_ids=data["jabatan_ids"],
        cascading=data["cascading"],
        request_key=_request_key(data),
    )
    db.session.commit()
    return _cascade_dict(report)


@blp.route("/skp/<int:skp_id>/copy-forward", methods=["POST"])
@login_required
@blp.arguments(CopyInput)
@blp.response(200, CopyReportSchema)
def copy_forward(data, skp_id: int):
    """Salin RHK, IKI dan lampiran dari SKP tahun lalu ke SKP yang masih kosong."""
    skp = _skp(skp_id)
    require(perm.can_edit_skp(current_user, skp))
    report = ops.copy_forward_skp(
        db.session, skp, actor=current_user, request_key=_request_key(data)
    )
    db.session.commit()
    return report


# --- RHK and IKI -----------------------------------------------------------------------------


@blp.route("/skp/<int:skp_id>/rhk")
class RhkCollection(MethodView):
    @login_required
    @blp.response(200, RhkSchema(many=True))
    def get(self, skp_id: int):
        """RHK satu SKP dengan IKI-nya."""
        return list(_skp(skp_id).rhk)

    @login_required
    @blp.arguments(RhkInputSchema)
    @blp.response(201, RhkSchema)
    def post(self, data, skp_id: int):
        """Tambah RHK beserta IKI-nya (pemilik atau operator OPD; SKP draf/dikembalikan)."""
        skp = _skp(skp_id)
        require(perm.can_edit_skp(current_user, skp))
        rhk = ops.save_rhk(
            db.session, skp, _rhk_input(data), actor=current_user, request_key=_request_key(data)
        )
        db.session.commit()
        return db.session.get(Rhk, rhk.id)


def _rhk(rhk_id: int) -> tuple[Rhk, Skp]:
    rhk = db.get_or_404(Rhk, rhk_id)
    return rhk, _skp(rhk.skp_id)


@blp.route("/rhk/<int:rhk_id>")
class RhkItem(MethodView):
    @login_required
    @blp.response(200, RhkSchema)
    def get(self, rhk_id: int):
        """Satu RHK dengan IKI-nya."""
        return _rhk(rhk_id)[0]

    @login_required
    @blp.arguments(RhkPatch)
    @blp.response(200, RhkSchema)
    def patch(self, data, rhk_id: int):
        """Ubah RHK; bila ``iki`` dikirim, daftar IKI diganti (IKI dengan id dipertahankan)."""
        rhk, skp = _rhk(rhk_id)
        require(perm.can_edit_skp(current_user, skp))
        ops.save_rhk(db.session, skp, _rhk_input(data, rhk), actor=current_user, rhk=rhk)
        db.session.commit()
        return db.session.get(Rhk, rhk_id)

    @login_required
    @blp.response(204)
    def delete(self, rhk_id: int):
        """Hapus RHK (tidak boleh bila masih diintervensi RHK bawahan)."""
        rhk, skp = _rhk(rhk_id)
        require(perm.can_edit_skp(current_user, skp))
        ops.delete_rhk(db.session, rhk, actor=current_user)
        db.session.commit()


@blp.route("/rhk/<int:rhk_id>/iki")
class IkiCollection(MethodView):
    @login_required
    @blp.response(200, IkiSchema(many=True))
    def get(self, rhk_id: int):
        """IKI satu RHK."""
        return list(_rhk(rhk_id)[0].iki)

    @login_required
    @blp.arguments(IkiInputSchema)
    @blp.response(201, IkiSchema)
    def post(self, data, rhk_id: int):
        """Tambah satu IKI pada RHK."""
        rhk, skp = _rhk(rhk_id)
        require(perm.can_edit_skp(current_user, skp))
        current = [_iki_dict(i) for i in rhk.iki]
        data = {**data, "id": None}
        base = _rhk_input({"iki": [*current, data]}, rhk)
        saved = ops.save_rhk(db.session, skp, base, actor=current_user, rhk=rhk)
        db.session.commit()
        return db.session.get(Rhk, saved.id).iki[-1]


def _iki(iki_id: int) -> tuple[Iki, Rhk, Skp]:
    iki = db.get_or_404(Iki, iki_id)
    rhk, skp = _rhk(iki.rhk_id)
    return iki, rhk, skp


@blp.route("/iki/<int:iki_id>")
class IkiItem(MethodView):
    @login_required
    @blp.response(200, IkiSchema)
    def get(self, iki_id: int):
        """Satu IKI."""
        return _iki(iki_id)[0]

    @login_required
    @blp.arguments(IkiPatch)
    @blp.response(200, IkiSchema)
    def patch(self, data, iki_id: int):
        """Ubah satu IKI (target angka atau rentang, satuan, aspek …)."""
        iki, rhk, skp = _iki(iki_id)
        require(perm.can_edit_skp(current_user, skp))
        items = [_iki_dict(i) if i.id != iki_id else {**_iki_dict(i), **data} for i in rhk.iki]
        ops.save_rhk(db.session, skp, _rhk_input({"iki": items}, rhk), actor=current_user, rhk=rhk)
        db.session.commit()
        return db.session.get(Iki, iki_id)

    @login_required
    @blp.response(204)
    def delete(self, iki_id: int):
        """Hapus satu IKI (RHK harus tetap memiliki minimal satu IKI)."""
        iki, rhk, skp = _iki(iki_id)
        require(perm.can_edit_skp(current_user, skp))
        items = [_iki_dict(i) for i in rhk.iki if i.id != iki_id]
        ops.save_rhk(db.session, skp, _rhk_input({"iki": items}, rhk), actor=current_user, rhk=rhk)
        db.session.commit()
