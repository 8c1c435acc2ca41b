"""JSON API under /api/v1/: evaluations, keberatan, the organisation's predikat, TPP recaps.

Same permissions (:mod:`evaluation_permissions`) and operations as the pages. Errors use the
one shape ``{"error", "message", "fields"}``: 401 not logged in, 403 forbidden, 404 not found,
409 state conflict (a final evaluation is locked; the curve blocks — the violated clauses are
in ``fields.kurva``), 422 invalid input with Indonesian messages per field (a curve that needs
a justification reports ``fields.curve_justification``).
"""

from __future__ import annotations

from flask import abort, url_for
from flask_login import current_user, login_required
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from skp_app.apidocs import api_error
from skp_app.auth.permissions import require
from skp_app.extensions import db
from skp_app.jobs import enqueue
from skp_app.jobs.models import Job
from skp_app.org.models import UnitOrganisasi
from skp_app.planning.models import Skp
from skp_app.realization import evaluation as ops
from skp_app.realization import evaluation_permissions as perm
from skp_app.realization import evaluation_queries as q
from skp_app.realization import tpp_recap as rc
from skp_app.realization.models import Evaluasi, Keberatan, TppRecap
from skp_app.realization.scoring import OrgPredikat, Predikat, Rating

blp = Blueprint(
    "evaluation_api",
    __name__,
    url_prefix="/api/v1",
    description="Evaluasi kinerja (periodik dan tahunan), keberatan, predikat organisasi dan "
    "rekap TPP bulanan.",
)


@blp.errorhandler(ops.EvaluationError)
def _evaluation_error(exc: ops.EvaluationError):
    db.session.rollback()
    if isinstance(exc, ops.EvaluationForbidden):
        return api_error(403, str(exc))
    if isinstance(exc, ops.EvaluationValidationError):
        return api_error(
            422, str(exc), fields={k.replace("-", "."): v for k, v in exc.fields.items()}
        )
    violations = getattr(exc, "violations", None)
    return api_error(
        409, str(exc), fields={"kurva": [v.message for v in violations]} if violations else None
    )


@blp.errorhandler(rc.RecapError)
def _recap_error(exc: rc.RecapError):
    db.session.rollback()
    if isinstance(exc, rc.RecapValidationError):
        return api_error(422, str(exc), fields=exc.fields)
    return api_error(409, str(exc))


# --- schemas ---------------------------------------------------------------------------------

_MSG = {
    "required": "Wajib diisi.",
    "null": "Tidak boleh kosong.",
    "invalid": "Format tidak valid.",
}


def _f(field_cls, **kw):
    messages = dict(_MSG)
    messages.update(kw.pop("error_messages", {}))
    return field_cls(error_messages=messages, **kw)


class BaseSchema(Schema):
    class Meta:
        unknown = EXCLUDE


def _label(enum, value):
    return enum.from_siasn_id(value).label if value else None


class UmpanBalikSchema(BaseSchema):
    rhk_id = fields.Int(allow_none=True)
    nilai_kode = fields.Int(allow_none=True, metadata={"description": "BerAKHLAK 1–7"})
    teks = fields.Str()


class KeberatanSchema(BaseSchema):
    id = fields.Int()
    evaluasi_id = fields.Int()
    status = fields.Str(metadata={"description": "diajukan / diterima / ditolak"})
    alasan = fields.Str()
    penjelasan_penilai = fields.Str(allow_none=True)
    keputusan = fields.Str(allow_none=True)
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)


class EvaluasiSchema(BaseSchema):
    id = fields.Int()
    skp_id = fields.Int()
    pegawai_id = fields.Method("_pegawai_id")
    pegawai_nama = fields.Method("_pegawai_nama")
    jenis = fields.Str(metadata={"description": "periodik / tahunan"})
    periode_ke = fields.Int(metadata={"description": "bulan 1–12 atau triwulan 1–4; 0 tahunan"})
    tahun = fields.Int()
    status = fields.Str(metadata={"description": "draft / final"})
    rating_hasil = fields.Int(allow_none=True, metadata={"description": "SIASN 1/2/3"})
    rating_hasil_label = fields.Method("_rating_hasil")
    rating_perilaku = fields.Int(allow_none=True)
    rating_perilaku_label = fields.Method("_rating_perilaku")
    predikat = fields.Int(allow_none=True, metadata={"description": "SIASN kuadranNilai 1–5"})
    predikat_label = fields.Method("_predikat")
    suggested_rating_hasil = fields.Int(allow_none=True)
    suggested_rating_perilaku = fields.Int(allow_none=True)
    suggestion_basis = fields.Str(allow_none=True)
    override_reason = fields.Str(allow_none=True)
    curve_justification = fields.Str(allow_none=True)
    catatan = fields.Str()
    finalized_at = fields.DateTime(allow_none=True)
    umpan_balik = fields.List(fields.Nested(UmpanBalikSchema))
    keberatan = fields.List(fields.Nested(KeberatanSchema))

    def _pegawai_id(self, obj):
        return obj.skp.pegawai_id

    def _pegawai_nama(self, obj):
        return obj.skp.pegawai.nama_lengkap if obj.skp.pegawai is not None else None

    def _rating_hasil(self, obj):
        return _label(Rating, obj.rating_hasil)

    def _rating_perilaku(self, obj):
        return _label(Rating, obj.rating_perilaku)

    def _predikat(self, obj):
        return _label(Predikat, obj.predikat)


class EvaluasiListQuery(BaseSchema):
    peran = _f(
        fields.Str,
        load_default="pegawai",
        validate=validate.OneOf(["penilai", "pegawai"], error="Pilih penilai atau pegawai."),
        metadata={"description": "penilai: evaluasi yang saya nilai; pegawai: evaluasi saya"},
    )
    tahun = _f(fields.Int, load_default=None)


class EvaluasiOpenInput(BaseSchema):
    skp_id = _f(fields.Int, required=True)
    jenis = _f(
        fields.Str,
        required=True,
        validate=validate.OneOf(["periodik", "tahunan"], error="Pilih periodik atau tahunan."),
    )
    periode_ke = _f(fields.Int, required=True)


class RatingInput(BaseSchema):
    rating_hasil = fields.Raw(
        load_default=None, metadata={"description": "1/2/3 atau DI_ATAS/SESUAI/DI_BAWAH"}
    )
    rating_perilaku = fields.Raw(load_default=None)
    override_reason = _f(fields.Str, load_default=None, allow_none=True)
    catatan = _f(fields.Str, load_default=None, allow_none=True)
    umpan_balik_rhk = fields.Dict(
        keys=fields.Str(),
        values=fields.Str(),
        load_default=None,
        metadata={"description": "{rhk_id: teks}; teks kosong menghapus"},
    )
    umpan_balik_perilaku = fields.Dict(
        keys=fields.Str(),
        values=fields.Str(),
        load_default=None,
        metadata={"description": "{nilai BerAKHLAK 1–7: teks}"},
    )


class FinalInput(BaseSchema):
    curve_justification = _f(fields.Str, load_default=None, allow_none=True)


class FinalResult(BaseSchema):
    replayed = fields.Bool(metadata={"description": "true bila evaluasi sudah final sebelumnya"})
    evaluasi = fields.Nested(EvaluasiSchema)


class KeberatanInput(BaseSchema):
    alasan = _f(fields.Str, required=True)


class PenjelasanInput(BaseSchema):
    penjelasan = _f(fields.Str, required=True)


class KeputusanInput(BaseSchema):
    status = _f(
        fields.Str,
        required=True,
        validate=validate.OneOf(["diterima", "ditolak"], error="Pilih diterima atau ditolak."),
    )
    keputusan = _f(fields.Str, required=True)


class OrgPredikatSchema(BaseSchema):
    unit_id = fields.Int()
    unit_nama = fields.Str()
    tahun = fields.Int()
    periode_ke = fields.Int()
    predikat = fields.Str(allow_none=True)
    predikat_label = fields.Str(allow_none=True)


class OrgPredikatQuery(BaseSchema):
    tahun = _f(fields.Int, required=True)
    periode_ke = _f(fields.Int, load_default=0)


class OrgPredikatInput(BaseSchema):
    unit_id = _f(fields.Int, required=True)
    tahun = _f(fields.Int, required=True)
    periode_ke = _f(fields.Int, required=True, metadata={"description": "0 = tahunan"})
    predikat = _f(
        fields.Str,
        required=True,
        metadata={"description": "ISTIMEWA / BAIK / BUTUH_PERBAIKAN / KURANG / SANGAT_KURANG"},
    )


class RecapInput(BaseSchema):
    bulan = _f(fields.Str, required=True, metadata={"description": "YYYY-MM, mis. 2026-03"})
    opd_id = _f(fields.Int, load_default=None, allow_none=True)


class JobSchema(BaseSchema):
    id = fields.Int()
    status = fields.Str(metadata={"description": "queued / running / done / failed"})
    progress = fields.Int()
    total = fields.Int()
    percent = fields.Int()
    message = fields.Str()
    error = fields.Str(allow_none=True)
    recap_id = fields.Method("_recap_id")
    status_url = fields.Method("_status_url")

    def _recap_id(self, obj):
        return (obj.result or {}).get("recap_id") if obj.status == "done" else None

    def _status_url(self, obj):
        return url_for("evaluation_api.recap_job_status", job_id=obj.id)


class RecapSchema(BaseSchema):
    id = fields.Int()
    tahun = fields.Int()
    bulan = fields.Int()
    opd_id = fields.Int(allow_none=True)
    line_count = fields.Int()
    policy_version_id = fields.Int(allow_none=True)
    created_at = fields.DateTime()
    summary = fields.Dict()


class RecapLineSchema(BaseSchema):
    pegawai_id = fields.Method("_pegawai_id")
    nip = fields.Str(allow_none=True)
    nama = fields.Str()
    opd = fields.Str()
    kelas_jabatan = fields.Int(attribute="kelas", allow_none=True)
    poin = fields.Method("_poin")
    capaian = fields.Method("_capaian")
    pagu = fields.Method("_pagu")
    produktivitas = fields.Method("_produktivitas")
    disiplin = fields.Method("_disiplin")
    potongan = fields.Method("_potongan")
    diterima = fields.Method("_diterima")
    lineage = fields.Method("_lineage")

    def _pegawai_id(self, obj):
        return obj.line.pegawai_id

    def _poin(self, obj):
        return str(obj.line.poin)

    def _capaian(self, obj):
        return None if obj.line.capaian is None else str(obj.line.capaian)

    def _pagu(self, obj):
        return str(obj.line.pagu)

    def _produktivitas(self, obj):
        return str(obj.line.produktivitas)

    def _disiplin(self, obj):
        return str(obj.line.disiplin)

    def _potongan(self, obj):
        return str(obj.line.potongan)

    def _diterima(self, obj):
        return str(obj.line.diterima)

    def _lineage(self, obj):
        return obj.line.lineage


class RecapLinesQuery(BaseSchema):
    page = _f(fields.Int, load_default=1, validate=validate.Range(min=1))
    per_page = _f(fields.Int, load_default=100, validate=validate.Range(min=1, max=1000))
    q = _f(fields.Str, load_default="")


class RecapLinesPage(BaseSchema):
    total = fields.Int()
    page = fields.Int()
    per_page = fields.Int()
    items = fields.List(fields.Nested(RecapLineSchema))


# --- helpers ---------------------------------------------------------------------------------


def _evaluasi(evaluasi_id: int) -> Evaluasi:
    row = db.session.scalar(
        select(Evaluasi)
        .where(Evaluasi.id == evaluasi_id)
        .options(
            joinedload(Evaluasi.skp).joinedload(Skp.pegawai),
            selectinload(Evaluasi.umpan_balik),
            selectinload(Evaluasi.keberatan),
        )
    )
    if row is None:
        abort(404)
    return row


def _skp(skp_id: int) -> Skp:
    skp = q.skp_for_evaluation(db.session, skp_id)
    if skp is None:
        abort(404)
    return skp


def _visible(evaluasi: Evaluasi) -> Evaluasi:
    """The employee sees ratings of their own evaluation only once final."""
    if evaluasi.status != "final" and current_user.pegawai_id == evaluasi.skp.pegawai_id:
        db.session.expunge(evaluasi)
        for name in ("rating_hasil", "rating_perilaku", "predikat", "override_reason"):
            setattr(evaluasi, name, None)
    return evaluasi


# --- evaluations -----------------------------------------------------------------------------


@blp.route("/evaluasi")
@login_required
@blp.arguments(EvaluasiListQuery, location="query")
@blp.response(200, EvaluasiSchema(many=True))
def list_evaluasi(args):
    """Evaluasi yang saya nilai (peran=penilai) atau evaluasi saya (peran=pegawai)."""
    pid = current_user.pegawai_id
    if pid is None:
        return []
    column = Skp.penilai_pegawai_id if args["peran"] == "penilai" else Skp.pegawai_id
    stmt = (
        select(Evaluasi)
        .join(Skp, Skp.id == Evaluasi.skp_id)
        .where(column == pid)
        .options(
            joinedload(Evaluasi.skp).joinedload(Skp.pegawai),
            selectinload(Evaluasi.umpan_balik),
            selectinload(Evaluasi.keberatan),
        )
        .order_by(Evaluasi.tahun.desc(), Evaluasi.jenis, Evaluasi.periode_ke, Evaluasi.id)
    )
    if args["tahun"]:
        stmt = stmt.where(Evaluasi.tahun == args["tahun"])
    rows = list(db.session.scalars(stmt))
    return [_visible(r) for r in rows] if args["peran"] == "pegawai" else rows


@blp.route("/evaluasi", methods=["POST"])
@login_required
@blp.arguments(EvaluasiOpenInput)
@blp.response(201, EvaluasiSchema)
def open_evaluasi(data):
    """Buka (atau ambil) draf evaluasi SKP untuk satu periode — hanya pejabat penilai."""
    skp = _skp(data["skp_id"])
    require(perm.can_evaluate_skp(current_user, skp))
    row = ops.open_evaluation(
        db.session, skp, data["jenis"], data["periode_ke"], actor=current_user
    )
    db.session.commit()
    return _evaluasi(row.id)


@blp.route("/evaluasi/<int:evaluasi_id>")
@login_required
@blp.response(200, EvaluasiSchema)
def get_evaluasi(evaluasi_id: int):
    """Satu evaluasi dengan umpan balik dan keberatannya."""
    row = _evaluasi(evaluasi_id)
    require(perm.can_view_evaluasi(current_user, row.skp))
    return _visible(row)


@blp.route("/evaluasi/<int:evaluasi_id>/rating", methods=["PUT"])
@login_required
@blp.arguments(RatingInput)
@blp.response(200, EvaluasiSchema)
def set_rating(data, evaluasi_id: int):
    """Simpan umpan balik dan rating (draf); rating yang berbeda dari saran perlu alasan."""
    row = _evaluasi(evaluasi_id)
    require(perm.can_evaluate_skp(current_user, row.skp))
    ops.save_evaluation(db.session, row, actor=current_user, **data)
    db.session.commit()
    return _evaluasi(evaluasi_id)


@blp.route("/evaluasi/<int:evaluasi_id>/final", methods=["POST"])
@login_required
@blp.arguments(FinalInput)
@blp.response(200, FinalResult)
def finalize_evaluasi(data, evaluasi_id: int):
    """Finalkan evaluasi (kurva distribusi diperiksa); final ulang tidak mengubah apa pun."""
    row = _evaluasi(evaluasi_id)
    require(perm.can_evaluate_skp(current_user, row.skp))
    result = ops.finalize_evaluation(
        db.session, row, actor=current_user, curve_justification=data["curve_justification"]
    )
    db.session.commit()
    return {"replayed": result.replayed, "evaluasi": _evaluasi(evaluasi_id)}


# --- keberatan -------------------------------------------------------------------------------


@blp.route("/evaluasi/<int:evaluasi_id>/keberatan", methods=["POST"])
@login_required
@blp.arguments(KeberatanInput)
@blp.response(201, KeberatanSchema)
def file_keberatan(data, evaluasi_id: int):
    """Ajukan keberatan atas evaluasi final (pegawai yang dinilai)."""
    row = _evaluasi(evaluasi_id)
    require(perm.can_file_keberatan(current_user, row.skp))
    keberatan = ops.file_keberatan(db.session, row, data["alasan"], actor=current_user)
    db.session.commit()
    return keberatan


def _keberatan(keberatan_id: int) -> Keberatan:
    row = db.session.get(Keberatan, keberatan_id)
    if row is None:
        abort(404)
    return row


@blp.route("/keberatan/<int:keberatan_id>/penjelasan", methods=["POST"])
@login_required
@blp.arguments(PenjelasanInput)
@blp.response(200, KeberatanSchema)
def explain_keberatan(data, keberatan_id: int):
    """Penjelasan pejabat penilai atas keberatan."""
    row = _keberatan(keberatan_id)
    require(perm.can_explain_keberatan(current_user, row.evaluasi.skp))
    ops.explain_keberatan(db.session, row, data["penjelasan"], actor=current_user)
    db.session.commit()
    return row


@blp.route("/keberatan/<int:keberatan_id>/keputusan", methods=["POST"])
@login_required
@blp.arguments(KeputusanInput)
@blp.response(200, KeberatanSchema)
def decide_keberatan(data, keberatan_id: int):
    """Keputusan atasan pejabat penilai: diterima membuka kembali evaluasi."""
    row = _keberatan(keberatan_id)
    require(perm.can_decide_keberatan(current_user, row.evaluasi.skp))
    ops.decide_keberatan(db.session, row, data["status"], data["keputusan"], actor=current_user)
    db.session.commit()
    return row


# --- organisation predikat -------------------------------------------------------------------


@blp.route("/predikat-organisasi")
@login_required
@blp.arguments(OrgPredikatQuery, location="query")
@blp.response(200, OrgPredikatSchema(many=True))
def list_org_predikat(args):
    """Predikat organisasi per unit untuk satu periode (0 = tahunan)."""
    led = q.led_unit_ids(db.session, current_user.pegawai_id)
    require(perm.can_view_org_predikat(current_user, led_unit_ids=led))
    scope = None
    if not current_user.has_role("admin", "pimpinan", "hr"):
        scope = (
            set(
                db.session.scalars(
                    select(UnitOrganisasi.id).where(UnitOrganisasi.parent_id.in_(led or {-1}))
                )
            )
            | led
        )
    rows = q.org_predikat_rows(db.session, args["tahun"], args["periode_ke"], scope)
    return [
        {
            "unit_id": u.id,
            "unit_nama": u.nama,
            "tahun": args["tahun"],
            "periode_ke": args["periode_ke"],
            "predikat": r.predikat if r else None,
            "predikat_label": OrgPredikat.coerce(r.predikat).label if r else None,
        }
        for u, r in rows
    ]


@blp.route("/predikat-organisasi", methods=["PUT"])
@login_required
@blp.arguments(OrgPredikatInput)
@blp.response(200, OrgPredikatSchema)
def set_org_predikat(data):
    """Tetapkan predikat organisasi (pimpinan unit di atasnya, admin, pimpinan daerah)."""
    unit = db.session.get(UnitOrganisasi, data["unit_id"])
    if unit is None:
        abort(404)
    led = q.led_unit_ids(db.session, current_user.pegawai_id)
    require(perm.can_set_org_predikat(current_user, unit, led_unit_ids=led))
    row = ops.set_org_predikat(
        db.session, unit, data["tahun"], data["periode_ke"], data["predikat"], actor=current_user
    )
    db.session.commit()
    return {
        "unit_id": unit.id,
        "unit_nama": unit.nama,
        "tahun": row.tahun,
        "periode_ke": row.periode_ke,
        "predikat": row.predikat,
        "predikat_label": OrgPredikat.coerce(row.predikat).label,
    }


# --- TPP recaps ------------------------------------------------------------------------------


@blp.route("/tpp/rekap", methods=["POST"])
@login_required
@blp.arguments(RecapInput)
@blp.response(202, JobSchema)
def create_recap(data):
    """Mulai rekap TPP bulanan sebagai pekerjaan latar; pantau lewat ``status_url``."""
    require(perm.can_run_recap(current_user, data["opd_id"]))
    tahun, bulan = rc.parse_bulan(data["bulan"])
    rc.check_recap_request(db.session, tahun, bulan, data["opd_id"])
    job = enqueue(
        "tpp_recap",
        {"tahun": tahun, "bulan": bulan, "opd_id": data["opd_id"], "user_id": current_user.id},
        user=current_user,
    )
    return db.session.get(Job, job.id)


@blp.route("/tpp/rekap/jobs/<int:job_id>")
@login_required
@blp.response(200, JobSchema)
def recap_job_status(job_id: int):
    """Status dan kemajuan pekerjaan rekap; ``recap_id`` terisi setelah selesai."""
    job = db.session.get(Job, job_id)
    if job is None or job.kind != "tpp_recap":
        abort(404)
    require(
        job.created_by_id == current_user.id
        or perm.can_view_recap(current_user, (job.params or {}).get("opd_id"))
    )
    return job


def _recap(recap_id: int) -> TppRecap:
    recap = db.session.get(TppRecap, recap_id)
    if recap is None:
        abort(404)
    require(perm.can_view_recap(current_user, recap.opd_id))
    return recap


@blp.route("/tpp/rekap/<int:recap_id>")
@login_required
@blp.response(200, RecapSchema)
def get_recap(recap_id: int):
    """Ringkasan rekap: kebijakan, rumus, kalender kerja, jumlah dan waktu hitung."""
    return _recap(recap_id)


@blp.route("/tpp/rekap/<int:recap_id>/baris")
@login_required
@blp.arguments(RecapLinesQuery, location="query")
@blp.response(200, RecapLinesPage)
def recap_lines(args, recap_id: int):
    """Baris rekap per pegawai dengan lineage setiap angka."""
    recap = _recap(recap_id)
    page = rc.recap_lines(
        db.session, recap, q=args["q"][:100], page=args["page"], per_page=args["per_page"]
    )
    return {"total": page.total, "page": page.page, "per_page": page.per_page, "items": page.items}
