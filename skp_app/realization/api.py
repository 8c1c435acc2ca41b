"""JSON API for monthly realizations, daily activities and the capaian roll-up (/api/v1/).

Same permissions and operations as the pages. Every error has the one shape
``{"error", "message", "fields"}``: 403 forbidden, 404 not found, 409 state conflict (locked,
past the deadline, SKP not approved), 422 invalid input with per-field messages.
"""

from __future__ import annotations

from flask import abort, current_app, url_for
from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from skp_app.apidocs import api_error
from skp_app.auth.permissions import require
from skp_app.extensions import db
from skp_app.org.models import Pegawai
from skp_app.planning.models import Iki, Rhk, Sasaran, Skp
from skp_app.realization import operations as ops
from skp_app.realization import permissions as perm
from skp_app.realization import queries as q
from skp_app.realization.models import Aktivitas, Realisasi
from skp_app.realization.rollup import NodeResult, rollup_tree
from skp_app.realization.uploads import limits_from_config

blp = Blueprint(
    "realization_api",
    __name__,
    url_prefix="/api/v1",
    description="Realisasi bulanan, aktivitas harian dan capaian berjenjang.",
)


@blp.errorhandler(ops.RealizationError)
def _domain_error(exc: ops.RealizationError):
    db.session.rollback()
    fields_ = getattr(exc, "fields", None)
    return api_error(exc.status_code, str(exc), fields=fields_)


# --- schemas ---------------------------------------------------------------------------------


class BuktiSchema(Schema):
    id = fields.Int()
    kind = fields.Str(metadata={"description": "image / pdf / link"})
    nama = fields.Str()
    url = fields.Method("_url", metadata={"description": "Tautan, atau alamat unduh berkas"})
    mime = fields.Str(allow_none=True)
    size = fields.Int(allow_none=True)
    captured_at = fields.DateTime(allow_none=True)
    gps_lat = fields.Decimal(as_string=True, allow_none=True)
    gps_lon = fields.Decimal(as_string=True, allow_none=True)
    flags = fields.List(fields.Str())
    flag_detail = fields.Dict()

    def _url(self, obj):
        if obj.kind == "link":
            return obj.url
        return url_for("realization.view_evidence", bukti_id=obj.id)


class RealisasiSchema(Schema):
    id = fields.Int()
    iki_id = fields.Int()
    skp_id = fields.Int()
    tahun = fields.Int()
    bulan = fields.Int()
    nilai = fields.Decimal(as_string=True, allow_none=True)
    catatan = fields.Str()
    status = fields.Str(metadata={"description": "draft / diajukan / terverifikasi / ditolak"})
    verify_note = fields.Str(allow_none=True)
    verified_by_pegawai_id = fields.Int(allow_none=True)
    verified_at = fields.DateTime(allow_none=True)
    bukti = fields.List(fields.Nested(BuktiSchema))


class RealisasiQuery(Schema):
    skp_id = fields.Int(load_default=None)
    bulan = fields.Int(load_default=None, validate=validate.Range(1, 12))


class RealisasiInput(Schema):
    iki_id = fields.Int(required=True)
    tahun = fields.Int(required=True)
    bulan = fields.Int(required=True, validate=validate.Range(1, 12))
    nilai = fields.Raw(
        load_default=None, metadata={"description": 'Angka, atau teks seperti "12,5"'}
    )
    catatan = fields.Str(load_default="")
    ajukan = fields.Bool(load_default=True, metadata={"description": "False = simpan draf"})
    tautan = fields.List(fields.Str(), load_default=list)


class DecisionInput(Schema):
    catatan = fields.Str(load_default="")


class PegawaiRef(Schema):
    id = fields.Int()
    nama = fields.Str(attribute="nama_lengkap")


class AktivitasSchema(Schema):
    id = fields.Int()
    pegawai_id = fields.Int()
    pegawai = fields.Nested(PegawaiRef)
    tanggal = fields.Date()
    jam_mulai = fields.Time(format="%H:%M")
    jam_selesai = fields.Time(format="%H:%M")
    menit = fields.Int()
    uraian = fields.Str()
    rhk_id = fields.Int(allow_none=True)
    katalog_id = fields.Int(allow_none=True)
    volume = fields.Int()
    poin = fields.Decimal(as_string=True)
    status = fields.Str(metadata={"description": "diajukan / disetujui / ditolak"})
    approver_pegawai_id = fields.Int(allow_none=True)
    reject_reason = fields.Str(allow_none=True)
    flags = fields.List(fields.Str())
    bukti = fields.List(fields.Nested(BuktiSchema))


class PointsSchema(Schema):
    today_approved = fields.Decimal(as_string=True)
    today_pending = fields.Decimal(as_string=True)
    month_approved = fields.Decimal(as_string=True)
    month_pending = fields.Decimal(as_string=True)
    daily_target = fields.Int()
    monthly_target = fields.Int()


class AktivitasListSchema(Schema):
    items = fields.List(fields.Nested(AktivitasSchema))
    poin = fields.Nested(PointsSchema)


class AktivitasQuery(Schema):
    tahun = fields.Int(load_default=None, validate=validate.Range(2000, 2100))
    bulan = fields.Int(load_default=None, validate=validate.Range(1, 12))


class AktivitasInput(Schema):
    tanggal = fields.Date(required=True)
    jam_mulai = fields.Time(required=True)
    jam_selesai = fields.Time(required=True)
    uraian = fields.Str(required=True)
    rhk_id = fields.Int(required=True)
    katalog_id = fields.Int(load_default=None, allow_none=True)
    volume = fields.Int(load_default=1)
    tautan = fields.List(fields.Str(), load_default=list)


class RejectInput(Schema):
    alasan = fields.Str(required=True)


class BulkInput(Schema):
    ids = fields.List(fields.Int(), required=True, validate=validate.Length(min=1, max=2000))


class BulkResultSchema(Schema):
    approved = fields.Int()
    unchanged = fields.Int()
    message = fields.Str()


class DecisionResult(Schema):
    changed = fields.Bool()


class EvidenceFiles(Schema):
    berkas = Upload(metadata={"description": "Foto JPEG/PNG/WebP atau PDF"})


class EvidenceForm(Schema):
    tautan = fields.Str(load_default="", metadata={"description": "Tautan http/https"})
    nama = fields.Str(load_default="")


class CapaianQuery(Schema):
    bulan = fields.Int(load_default=None, validate=validate.Range(1, 12))
    tahun = fields.Int(load_default=None)
    semua = fields.Bool(load_default=False, metadata={"description": "Ikutkan yang diajukan"})


# --- helpers ---------------------------------------------------------------------------------


def _me() -> Pegawai:
    if current_user.pegawai_id is None:
        abort(403, description="Akun ini tidak terhubung dengan data pegawai.")
    return db.get_or_404(Pegawai, current_user.pegawai_id)


def _limits():
    return limits_from_config(current_app.config)


def _node_dict(node: NodeResult) -> dict:
    def num(value):
        return None if value is None else str(value)

    return {
        "key": node.key,
        "kind": node.kind,
        "label": node.label,
        "owner": node.owner,
        "capaian": num(node.capaian),
        "method": node.method,
        "own_capaian": num(node.own_capaian),
        "explanation": node.explanation,
        "warnings": list(node.warnings),
        "iki": [
            {
                "id": i.id,
                "teks": i.teks,
                "aspek": i.aspek,
                "satuan": i.satuan,
                "target": num(i.target),
                "target_max": num(i.target_max),
                "lower_is_better": i.lower_is_better,
                "realisasi": num(i.realisasi),
                "basis": i.basis,
                "capaian": num(i.capaian),
                "projection": num(i.projection),
                "will_miss": i.will_miss,
                "note": i.note,
            }
            for i in node.iki
        ],
        "contributions": [
            {
                "key": c.key,
                "kind": c.kind,
                "label": c.label,
                "owner": c.owner,
                "cascading": c.cascading,
                "capaian": num(c.capaian),
                "weight": num(c.weight),
                "counted": c.counted,
                "share": num(c.share),
                "points": num(c.points),
                "warning": c.warning,
            }
            for c in node.contributions
        ],
    }


def _default_month(tahun: int, skp: Skp | None = None) -> int:
    today = ops.today_wib()
    month = today.month if tahun == today.year else 12
    if skp is not None and tahun == skp.tanggal_selesai.year:
        month = min(month, skp.tanggal_selesai.month)
    return month


def _weights(pegawai: Pegawai | None) -> dict:
    weights = q.instansi_settings(db.session, pegawai).get("rollup_weights") or {}
    return weights if isinstance(weights, dict) else {}


# --- realizations ----------------------------------------------------------------------------


@blp.route("/realisasi")
class RealisasiCollection(MethodView):
    @login_required
    @blp.arguments(RealisasiQuery, location="query")
    @blp.response(200, RealisasiSchema(many=True))
    def get(self, args):
        """Realisasi satu bulan dari SKP saya (atau SKP lain yang boleh saya lihat)."""
        if args["skp_id"] is not None:
            skp = db.get_or_404(Skp, args["skp_id"])
            require(perm.can_view_realizations(current_user, skp))
        else:
            skp = q.current_skp(db.session, _me().id)
            if skp is None:
                return []
        tahun = skp.periode.tahun
        bulan = args["bulan"] or _default_month(tahun, skp)
        rows = q.realization_sheet(db.session, skp, tahun, bulan)
        return [r.realisasi for group in rows for r in group.iki if r.realisasi is not None]

    @login_required
    @blp.arguments(RealisasiInput)
    @blp.response(200, RealisasiSchema)
    def post(self, data):
        """Catat atau ubah realisasi satu IKI pada satu bulan (diajukan, atau draf)."""
        iki = db.get_or_404(Iki, data["iki_id"])
        rhk = db.get_or_404(Rhk, iki.rhk_id)
        skp = db.get_or_404(Skp, rhk.skp_id)
        require(perm.can_record_realization(current_user, skp))
        realisasi = ops.save_realization_entry(
            db.session,
            skp,
            iki,
            tahun=data["tahun"],
            bulan=data["bulan"],
            nilai=data["nilai"],
            catatan=data["catatan"],
            submit=data["ajukan"],
            links=data["tautan"],
            limits=_limits(),
            actor=current_user,
        )
        db.session.commit()
        return realisasi


@blp.route("/realisasi/verifikasi")
class RealisasiInbox(MethodView):
    @login_required
    @blp.response(200, RealisasiSchema(many=True))
    def get(self):
        """Realisasi bawahan yang menunggu verifikasi saya sebagai pejabat penilai."""
        return [r for r, _skp, _owner in q.verification_inbox(db.session, _me().id)]


def _realisasi_for_decision(realisasi_id: int) -> Realisasi:
    realisasi = db.get_or_404(Realisasi, realisasi_id)
    skp = db.get_or_404(Skp, realisasi.skp_id)
    require(perm.can_verify_realization(current_user, skp))
    return realisasi


@blp.route("/realisasi/<int:realisasi_id>/verifikasi", methods=["POST"])
@login_required
@blp.arguments(DecisionInput)
@blp.response(200, DecisionResult)
def verify_realization(data, realisasi_id: int):
    """Verifikasi realisasi (pejabat penilai); pengiriman ulang tidak mengubah apa pun."""
    realisasi = _realisasi_for_decision(realisasi_id)
    changed = ops.verify_realization(
        db.session, realisasi, note=data["catatan"], actor=current_user
    )
    db.session.commit()
    return {"changed": changed}


@blp.route("/realisasi/<int:realisasi_id>/tolak", methods=["POST"])
@login_required
@blp.arguments(DecisionInput)
@blp.response(200, DecisionResult)
def reject_realization(data, realisasi_id: int):
    """Tolak realisasi dengan alasan (wajib)."""
    realisasi = _realisasi_for_decision(realisasi_id)
    changed = ops.reject_realization(
        db.session, realisasi, note=data["catatan"], actor=current_user
    )
    db.session.commit()
    return {"changed": changed}


@blp.route("/realisasi/<int:realisasi_id>/buka-kunci", methods=["POST"])
@login_required
@blp.arguments(DecisionInput)
@blp.response(200, DecisionResult)
def reopen_realization(data, realisasi_id: int):
    """Buka kunci realisasi terverifikasi agar dapat diubah (alasan wajib)."""
    realisasi = _realisasi_for_decision(realisasi_id)
    changed = ops.reopen_realization(
        db.session, realisasi, note=data["catatan"], actor=current_user
    )
    db.session.commit()
    return {"changed": changed}


def _attach(target, files, form):
    upload = files.get("berkas")
    if upload is not None and upload.filename:
        return ops.attach_evidence(
            db.session,
            target,
            stream=upload.stream,
            filename=upload.filename,
            nama=form["nama"],
            limits=_limits(),
            actor=current_user,
        )
    return ops.attach_evidence(
        db.session, target, url=form["tautan"], nama=form["nama"], actor=current_user
    )


@blp.route("/realisasi/<int:realisasi_id>/bukti", methods=["POST"])
@login_required
@blp.arguments(EvidenceFiles, location="files")
@blp.arguments(EvidenceForm, location="form")
@blp.response(201, BuktiSchema)
def add_realization_evidence(files, form, realisasi_id: int):
    """Lampirkan bukti dukung (berkas multipart ``berkas`` atau ``tautan``) pada realisasi."""
    realisasi = db.get_or_404(Realisasi, realisasi_id)
    skp = db.get_or_404(Skp, realisasi.skp_id)
    require(perm.can_record_realization(current_user, skp))
    bukti = _attach(realisasi, files, form)
    db.session.commit()
    return bukti


# --- activities ------------------------------------------------------------------------------


@blp.route("/aktivitas")
class AktivitasCollection(MethodView):
    @login_required
    @blp.arguments(AktivitasQuery, location="query")
    @blp.response(200, AktivitasListSchema)
    def get(self, args):
        """Kegiatan saya pada satu bulan beserta poin hari ini dan bulan ini."""
        me = _me()
        today = ops.today_wib()
        tahun = args["tahun"] or today.year
        bulan = args["bulan"] or (today.month if tahun == today.year else 12)
        settings = q.instansi_settings(db.session, me)
        return {
            "items": q.my_activities(db.session, me.id, tahun, bulan),
            "poin": q.points_summary(db.session, me.id, today, settings),
        }

    @login_required
    @blp.arguments(AktivitasInput)
    @blp.response(201, AktivitasSchema)
    def post(self, data):
        """Catat kegiatan harian dan kirim ke atasan langsung."""
        me = _me()
        links = data.pop("tautan")
        aktivitas = ops.log_activity(
            db.session, me, links=links, limits=_limits(), actor=current_user, **data
        )
        db.session.commit()
        return aktivitas


@blp.route("/aktivitas/<int:aktivitas_id>/bukti", methods=["POST"])
@login_required
@blp.arguments(EvidenceFiles, location="files")
@blp.arguments(EvidenceForm, location="form")
@blp.response(201, BuktiSchema)
def add_activity_evidence(files, form, aktivitas_id: int):
    """Lampirkan foto (multipart ``berkas``) atau ``tautan`` pada kegiatan saya."""
    aktivitas = db.get_or_404(Aktivitas, aktivitas_id)
    require(perm.can_record_activity(current_user, aktivitas.pegawai))
    bukti = _attach(aktivitas, files, form)
    db.session.commit()
    return bukti


@blp.route("/aktivitas/persetujuan")
class AktivitasInbox(MethodView):
    @login_required
    @blp.response(200, AktivitasSchema(many=True))
    def get(self):
        """Kegiatan bawahan yang menunggu persetujuan saya."""
        return q.activity_inbox(db.session, _me().id)


@blp.route("/aktivitas/setujui", methods=["POST"])
@login_required
@blp.arguments(BulkInput)
@blp.response(200, BulkResultSchema)
def approve_activities(data):
    """Setujui banyak kegiatan sekaligus; semua id harus boleh saya putuskan."""
    _me()
    result = ops.approve_activities(db.session, data["ids"], actor=current_user)
    db.session.commit()
    return {"approved": result.approved, "unchanged": result.unchanged, "message": result.message}


def _decidable(aktivitas_id: int) -> Aktivitas:
    aktivitas = db.get_or_404(Aktivitas, aktivitas_id)
    require(perm.can_decide_activity(current_user, aktivitas, aktivitas.pegawai))
    return aktivitas


@blp.route("/aktivitas/<int:aktivitas_id>/setujui", methods=["POST"])
@login_required
@blp.response(200, DecisionResult)
def approve_activity(aktivitas_id: int):
    """Setujui satu kegiatan; pengiriman ulang tidak mengubah apa pun."""
    aktivitas = _decidable(aktivitas_id)
    changed = ops.approve_activity(db.session, aktivitas, actor=current_user)
    db.session.commit()
    return {"changed": changed}


@blp.route("/aktivitas/<int:aktivitas_id>/tolak", methods=["POST"])
@login_required
@blp.arguments(RejectInput)
@blp.response(200, DecisionResult)
def reject_activity(data, aktivitas_id: int):
    """Tolak satu kegiatan dengan alasan (wajib)."""
    aktivitas = _decidable(aktivitas_id)
    changed = ops.reject_activity(db.session, aktivitas, reason=data["alasan"], actor=current_user)
    db.session.commit()
    return {"changed": changed}


# --- capaian ---------------------------------------------------------------------------------


@blp.route("/capaian/rhk/<int:rhk_id>")
@login_required
@blp.arguments(CapaianQuery, location="query")
@blp.response(200)
def rhk_capaian(args, rhk_id: int):
    """Capaian satu RHK s.d. bulan tertentu, kontribusi RHK di bawahnya, dan penjelasannya."""
    rhk = db.get_or_404(Rhk, rhk_id)
    skp = rhk.skp
    require(perm.can_view_capaian(current_user, skp, q.rhk_superior_ids(db.session, rhk)))
    tahun = skp.periode.tahun
    bulan = args["bulan"] or _default_month(tahun, skp)
    nodes = q.load_rollup_nodes(
        db.session, tahun=tahun, bulan=bulan, rhk_id=rhk.id, include_unverified=args["semua"]
    )
    owner = db.session.get(Pegawai, skp.pegawai_id)
    result = rollup_tree(nodes, bulan=bulan, weights=_weights(owner))[f"rhk:{rhk.id}"]
    return {"tahun": tahun, "bulan": bulan, **_node_dict(result)}


@blp.route("/capaian/sasaran/<int:sasaran_id>")
@login_required
@blp.arguments(CapaianQuery, location="query")
@blp.response(200)
def sasaran_capaian(args, sasaran_id: int):
    """Capaian satu sasaran daerah/OPD dari unsur di bawahnya, dengan penjelasan."""
    sasaran = db.get_or_404(Sasaran, sasaran_id)
    require(perm.can_view_sasaran_capaian(current_user, sasaran.opd_id))
    today = ops.today_wib()
    tahun = args["tahun"] or min(max(today.year, sasaran.tahun_awal), sasaran.tahun_akhir)
    if not sasaran.tahun_awal <= tahun <= sasaran.tahun_akhir:
        abort(404)
    bulan = args["bulan"] or _default_month(tahun)
    nodes = q.load_rollup_nodes(
        db.session,
        tahun=tahun,
        bulan=bulan,
        sasaran_id=sasaran.id,
        include_unverified=args["semua"],
    )
    result = rollup_tree(nodes, bulan=bulan, weights=_weights(None))[f"sasaran:{sasaran.id}"]
    return {"tahun": tahun, "bulan": bulan, **_node_dict(result)}


from skp_app.realization import hukdis_api  # noqa: E402,F401  (routes on this blueprint)
