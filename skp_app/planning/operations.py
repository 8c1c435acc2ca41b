"""Planning operations: periods, regent/OPD goals, SKP drafting, approval workflow, cascading.

Every function takes the SQLAlchemy session first, applies the business rules of PermenPANRB
6/2022 (domain.md §2, §3.4), writes, records an audit event and ``flush()``es; the caller
(view, API, CLI, sync run) commits once. Refusals raise:

* :class:`PlanningForbidden` — the actor may not act on this object (HTTP 403);
* :class:`WorkflowError` — the SKP/period state does not allow it (HTTP 409);
* :class:`PlanningValidationError` — invalid input, with Indonesian messages per field (422).

Nothing is written when one of them is raised (the checks run before the first write).

Workflow (``Skp.status``)::

    draft ──submit──▶ diajukan ──approve──▶ disetujui ──revise──▶ draft …
                         └──return(note)──▶ dikembalikan ──(edit)──submit──▶ diajukan
    any current SKP ──close_and_restart_skp──▶ ditutup (+ a new draft for the new position)

Transitions accept a ``request_key`` (the uuid4 of the form that sent them): a replayed key
returns the earlier outcome without a second transition.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from flask import current_app, has_app_context
from sqlalchemy import func, insert, select, true, update
from sqlalchemy.orm import Session, selectinload

from skp_app.audit.operations import record, record_many, snapshot
from skp_app.org.models import Instansi, Jabatan, Pegawai, UnitOrganisasi
from skp_app.org.queries import SKP_KEDUDUKAN, direct_superior, superior_map
from skp_app.planning import permissions as perm
from skp_app.planning.berakhlak import KODE as BERAKHLAK_KODE
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
    IndikatorTarget,
    PerilakuExpectation,
    Periode,
    PlanningRequest,
    Rhk,
    Sasaran,
    Skp,
    SkpLampiran,
    SkpTransition,
    SkpVersion,
)
from skp_app.planning.signals import rhk_saved
from skp_app.timeutil import utcnow

__all__ = [
    "EDITABLE_STATUS",
    "GoalImportError",
    "ImportIssue",
    "ImportSummary",
    "import_goals",
    "CascadeReport",
    "CopyReport",
    "IkiInput",
    "IndikatorInput",
    "PlanningError",
    "PlanningForbidden",
    "PlanningValidationError",
    "RhkInput",
    "SasaranInput",
    "TransitionResult",
    "WorkflowError",
    "approve_skp",
    "bulk_cascade",
    "close_and_restart_skp",
    "copy_forward_skp",
    "create_periode",
    "delete_rhk",
    "delete_sasaran",
    "ensure_skp",
    "format_angka",
    "parse_angka",
    "person_snapshot",
    "return_skp",
    "revise_skp",
    "save_lampiran",
    "save_perilaku",
    "save_rhk",
    "save_sasaran",
    "set_periode_open",
    "skp_content",
    "submit_problems",
    "submit_skp",
    "update_skp_settings",
]

EDITABLE_STATUS = ("draft", "dikembalikan")
MAX_ANGKA = Decimal("100000000000000")  # Numeric(18, 4)
REQUEST_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
# Within one level, the jenis a goal's parent must have.
PARENT_JENIS = {
    ("regent", "misi"): "visi",
    ("regent", "tujuan"): "misi",
    ("regent", "sasaran"): "tujuan",
    ("opd", "sasaran"): "tujuan",
}
LEVEL_JENIS = {"regent": ("visi", "misi", "tujuan", "sasaran"), "opd": ("tujuan", "sasaran")}
MAX_TEXT = 4000


# --- numbers ---------------------------------------------------------------------------------


def parse_angka(text) -> Decimal | None:
    """Parse a number typed the Indonesian or the international way; blank gives None.

    Raises ValueError with an Indonesian message when ``text`` is not a number.

    >>> parse_angka("2,5"), parse_angka("1.250.000"), parse_angka("1.234,5"), parse_angka(" ")
    (Decimal('2.5'), Decimal('1250000'), Decimal('1234.5'), None)
    """
    if text is None:
        return None
    if isinstance(text, bool):
        raise ValueError("Target harus berupa angka.")
    if isinstance(text, int | float | Decimal):
        value = Decimal(str(text))
    else:
        s = str(text).strip().replace(" ", "").replace("%", "")
        if not s:
            return None
        if "," in s and "." in s:
            s = s.replace(".", "").replace(",", ".")  # 1.234,5
        elif "," in s:
            s = s.replace(",", ".")  # 97,5
        elif s.count(".") > 1:
            s = s.replace(".", "")  # 1.250.000
        if not re.fullmatch(r"-?\d+(\.\d+)?", s):
            raise ValueError("Harus berupa angka (contoh: 12 atau 97,5).")
        value = Decimal(s)
    if not value.is_finite() or abs(value) >= MAX_ANGKA:
        raise ValueError("Angka terlalu besar.")
    if value.as_tuple().exponent < -4:
        raise ValueError("Maksimal 4 angka di belakang koma.")
    return value


def format_angka(value: Decimal | None) -> str:
    """Format a stored target for display: ``97,5``; ``12``; blank for None."""
    if value is None:
        return ""
    d = Decimal(value).normalize()
    text = f"{d:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


# --- helpers ---------------------------------------------------------------------------------


def _user_id(actor) -> int | None:
    return getattr(actor, "id", None) if not isinstance(actor, str) else None


def _check_request_key(key: str | None) -> str | None:
    key = (key or "").strip() or None
    if key is not None and not REQUEST_KEY_RE.match(key):
        raise PlanningValidationError({"request_key": ["Kunci permintaan tidak valid."]})
    return key


def _stored_request(session: Session, key: str | None, kind: str) -> PlanningRequest | None:
    if key is None:
        return None
    row = session.scalar(select(PlanningRequest).where(PlanningRequest.request_key == key))
    if row is not None and row.kind != kind:
        raise WorkflowError(
            "Kunci permintaan ini sudah dipakai untuk aksi lain; muat ulang halaman."
        )
    return row


def _remember_request(session: Session, key: str | None, kind: str, actor, result: dict) -> None:
    if key is not None:
        session.add(
            PlanningRequest(request_key=key, kind=kind, user_id=_user_id(actor), result=result)
        )


def _notify_rhk_saved(rhk_ids: list[int]) -> None:
    """Tell higher layers (cascading re-checks) which RHK rows were written and flushed."""
    if rhk_ids:
        sender = current_app._get_current_object() if has_app_context() else None
        rhk_saved.send(sender, rhk_ids=list(rhk_ids))


def _check_periode_open(periode: Periode) -> None:
    if not periode.is_open:
        raise WorkflowError(f"Periode {periode.tahun} sudah ditutup; SKP tidak dapat diubah.")


NOT_EDITABLE = {
    "diajukan": "SKP sedang diajukan kepada pejabat penilai dan tidak dapat diubah. "
    "Tunggu persetujuan atau pengembalian.",
    "disetujui": "SKP sudah disetujui dan tidak dapat diubah. Gunakan aksi Revisi untuk "
    "membukanya kembali.",
    "ditutup": "SKP ini sudah ditutup karena perpindahan atau promosi jabatan.",
}


def _check_editable(skp: Skp) -> None:
    if not skp.is_current or skp.status not in EDITABLE_STATUS:
        raise WorkflowError(NOT_EDITABLE.get(skp.status, "SKP ini tidak dapat diubah."))
    _check_periode_open(skp.periode)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PlanningForbidden(message)


def _require_editor(actor, skp: Skp) -> None:
    _require(
        perm.can_edit_skp(actor, skp),
        "Hanya pemilik SKP atau operator OPD-nya yang dapat mengubah SKP ini.",
    )


def _nama(p: Pegawai | None) -> str:
    return p.nama_lengkap if p is not None else "-"


def _short(text: str, n: int = 80) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def person_snapshot(session: Session, p: Pegawai | None) -> dict | None:
    """Return the identity block of an SKP header (nama, NIP, pangkat, jabatan, unit, instansi)."""
    if p is None:
        return None
    unit: UnitOrganisasi | None = p.unit
    instansi = session.get(Instansi, unit.instansi_id) if unit is not None else None
    opd = session.get(UnitOrganisasi, unit.opd_id) if unit is not None and unit.opd_id else None
    return {
        "pegawai_id": p.id,
        "nama": p.nama_lengkap,
        "nip": p.nip,
        "pangkat": p.pangkat_golongan,
        "jabatan": p.jabatan.nama if p.jabatan is not None else "",
        "unit": unit.nama if unit is not None else "",
        "opd": opd.nama if opd is not None else "",
        "instansi": instansi.nama if instansi is not None else "",
    }


def skp_content(skp: Skp) -> dict:
    """Return the frozen JSON content of an SKP (stored in SkpVersion at approval)."""
    return {
        "skp_id": skp.id,
        "periode": skp.periode.tahun,
        "pendekatan": skp.pendekatan,
        "is_jpt": skp.is_jpt,
        "tanggal_mulai": skp.tanggal_mulai.isoformat(),
        "tanggal_selesai": skp.tanggal_selesai.isoformat(),
        "pegawai": skp.pegawai_snapshot,
        "penilai": skp.penilai_snapshot,
        "atasan_penilai": skp.atasan_penilai_snapshot,
        "rhk": [
            {
                "id": r.id,
                "jenis": r.jenis,
                "urutan": r.urutan,
                "teks": r.teks,
                "parent_rhk_id": r.parent_rhk_id,
                "parent_rhk_teks": r.parent_rhk.teks if r.parent_rhk is not None else None,
                "parent_sasaran_id": r.parent_sasaran_id,
                "cascading": r.cascading,
                "perspektif": r.perspektif,
                "iki": [
                    {
                        "id": i.id,
                        "aspek": i.aspek,
                        "teks": i.teks,
                        "target": str(i.target) if i.target is not None else None,
                        "target_max": str(i.target_max) if i.target_max is not None else None,
                        "target_teks": i.target_teks,
                        "satuan": i.satuan,
                        "lower_is_better": i.lower_is_better,
                    }
                    for i in r.iki
                ],
            }
            for r in skp.rhk
        ],
        "perilaku": [
            {"nilai_kode": p.nilai_kode, "ekspektasi_khusus": p.ekspektasi_khusus}
            for p in skp.perilaku
        ],
        "lampiran": [{"bagian": lp.bagian, "teks": lp.teks} for lp in skp.lampiran],
    }


# --- periods ---------------------------------------------------------------------------------


def create_periode(
    session: Session, tahun: int, *, actor, periodik: str = "triwulan", nama: str = ""
) -> Periode:
    """Create the planning period of year ``tahun`` (1 January – 31 December), open."""
    _require(perm.can_manage_periode(actor), "Hanya admin yang dapat membuat periode.")
    errors: dict[str, list[str]] = {}
    if not isinstance(tahun, int) or not 2000 <= tahun <= 2100:
        errors["tahun"] = ["Tahun harus antara 2000 dan 2100."]
    elif session.scalar(select(Periode.id).where(Periode.tahun == tahun)) is not None:
        errors["tahun"] = [f"Periode {tahun} sudah ada."]
    if periodik not in ("bulanan", "triwulan"):
        errors["periodik"] = ["Pilih bulanan atau triwulan."]
    if errors:
        raise PlanningValidationError(errors)
    row = Periode(
        tahun=tahun,
        nama=nama or f"Periode Penilaian {tahun}",
        tanggal_mulai=date(tahun, 1, 1),
        tanggal_selesai=date(tahun, 12, 31),
        is_open=True,
        periodik=periodik,
    )
    session.add(row)
    session.flush()
    record(
        session,
        "periode.create",
        "periode",
        row.id,
        actor=actor,
        after={"tahun": tahun},
        summary=f"Membuat periode {tahun}",
    )
    return row


def set_periode_open(session: Session, periode: Periode, is_open: bool, *, actor) -> Periode:
    """Open or close a period; a closed period freezes every SKP in it."""
    _require(perm.can_manage_periode(actor), "Hanya admin yang dapat membuka/menutup periode.")
    if periode.is_open == is_open:
        return periode
    before = {"is_open": periode.is_open}
    periode.is_open = is_open
    session.flush()
    record(
        session,
        "periode.open" if is_open else "periode.close",
        "periode",
        periode.id,
        actor=actor,
        before=before,
        after={"is_open": is_open},
        summary=f"{'Membuka' if is_open else 'Menutup'} periode {periode.tahun}",
    )
    return periode


# --- goals -----------------------------------------------------------------------------------


@dataclass
class IndikatorInput:
    teks: str
    satuan: str = ""
    is_iku: bool = False
    lower_is_better: bool = False
    # tahun -> (target, target_max)
    targets: dict[int, tuple[Decimal | None, Decimal | None]] = field(default_factory=dict)
    id: int | None = None


@dataclass
class SasaranInput:
    level: str
    jenis: str
    teks: str
    tahun_awal: int
    tahun_akhir: int
    kode: str = ""
    parent_id: int | None = None
    supports_id: int | None = None
    opd_id: int | None = None
    indikator: list[IndikatorInput] = field(default_factory=list)


def _validate_sasaran(session: Session, data: SasaranInput, sasaran: Sasaran | None) -> dict:
    errors: dict[str, list[str]] = {}

    def err(key: str, msg: str) -> None:
        errors.setdefault(key, []).append(msg)

    if data.level not in LEVEL_JENIS:
        err("level", "Tingkat sasaran tidak dikenal.")
        return errors
    if data.jenis not in LEVEL_JENIS[data.level]:
        allowed = ", ".join(SASARAN_JENIS[j] for j in LEVEL_JENIS[data.level])
        err("jenis", f"Jenis harus salah satu dari: {allowed}.")
    if not (data.teks or "").strip():
        err("teks", "Uraian wajib diisi.")
    elif len(data.teks) > MAX_TEXT:
        err("teks", f"Uraian maksimal {MAX_TEXT} karakter.")
    if len(data.kode or "") > 30:
        err("kode", "Kode maksimal 30 karakter.")
    if data.level == "opd":
        opd = session.get(UnitOrganisasi, data.opd_id) if data.opd_id else None
        if opd is None or not opd.is_opd:
            err("opd_id", "Pilih perangkat daerah (OPD).")
    ta, tb = data.tahun_awal, data.tahun_akhir
    if not isinstance(ta, int) or not 2000 <= ta <= 2100:
        err("tahun_awal", "Tahun awal harus antara 2000 dan 2100.")
    if not isinstance(tb, int) or not 2000 <= tb <= 2100:
        err("tahun_akhir", "Tahun akhir harus antara 2000 dan 2100.")
    elif isinstance(ta, int) and tb < ta:
        err("tahun_akhir", "Tahun akhir tidak boleh sebelum tahun awal.")
    elif isinstance(ta, int) and tb - ta > 9:
        err("tahun_akhir", "Rentang tahun maksimal 10 tahun.")
    if data.kode:
        dup = select(Sasaran.id).where(
            Sasaran.level == data.level, Sasaran.kode == data.kode.strip()
        )
        if data.level == "opd":
            dup = dup.where(Sasaran.opd_id == data.opd_id)
        if sasaran is not None:
            dup = dup.where(Sasaran.id != sasaran.id)
        if session.scalar(dup.limit(1)) is not None:
            err("kode", f"Kode {data.kode.strip()} sudah dipakai sasaran lain.")
    if data.parent_id is not None:
        parent = session.get(Sasaran, data.parent_id)
        want = PARENT_JENIS.get((data.level, data.jenis))
        if (
            parent is None
            or parent.level != data.level
            or (data.level == "opd" and parent.opd_id != data.opd_id)
            or (sasaran is not None and parent.id == sasaran.id)
        ):
            err("parent_id", "Induk harus sasaran pada tingkat dan OPD yang sama.")
        elif want is None or parent.jenis != want:
            if want is None:
                err(
                    "parent_id",
                    f"{SASARAN_JENIS.get(data.jenis, data.jenis)} tidak memiliki induk.",
                )
            else:
                err(
                    "parent_id",
                    f"Induk {SASARAN_JENIS[data.jenis]} harus berupa {SASARAN_JENIS[want]}.",
                )
    if data.level == "opd":
        if data.supports_id is None:
            if data.jenis == "sasaran":
                err("supports_id", "Pilih sasaran RPJMD yang didukung sasaran OPD ini.")
        else:
            sup = session.get(Sasaran, data.supports_id)
            if sup is None or sup.level != "regent" or sup.jenis not in ("tujuan", "sasaran"):
                err("supports_id", "Yang didukung harus tujuan atau sasaran RPJMD.")
    elif data.supports_id is not None:
        err("supports_id", "Sasaran RPJMD tidak mendukung sasaran lain.")
    own_ids = {i.id for i in sasaran.indikator} if sasaran is not None else set()
    for n, ind in enumerate(data.indikator):
        key = f"indikator-{n}"
        if ind.id is not None and ind.id not in own_ids:
            err(f"{key}-id", "Indikator ini bukan milik sasaran yang diubah.")
        if not (ind.teks or "").strip():
            err(f"{key}-teks", "Uraian indikator wajib diisi.")
        if not (ind.satuan or "").strip():
            err(f"{key}-satuan", "Satuan indikator wajib diisi (misalnya Persen, Dokumen).")
        for tahun, (lo, hi) in sorted(ind.targets.items()):
            if isinstance(ta, int) and isinstance(tb, int) and not ta <= tahun <= tb:
                err(f"{key}-target_{tahun}", f"Tahun {tahun} di luar rentang {ta}–{tb}.")
            if hi is not None and lo is None:
                err(f"{key}-target_{tahun}", "Isi batas bawah target terlebih dahulu.")
            elif lo is not None and hi is not None and lo > hi:
                err(
                    f"{key}-target_{tahun}",
                    "Batas bawah target tidak boleh lebih besar dari batas atas.",
                )
    return errors


def save_sasaran(
    session: Session, data: SasaranInput, *, actor, sasaran: Sasaran | None = None
) -> Sasaran:
    """Create or update a regent or OPD goal with its indicators and yearly targets."""
    if sasaran is not None:
        data.level, data.opd_id = sasaran.level, sasaran.opd_id
    _require(
        perm.can_manage_goals(actor, data.level, data.opd_id),
        "Anda tidak berhak mengubah sasaran OPD ini."
        if data.level == "opd"
        else "Hanya admin dan pimpinan daerah yang dapat mengubah sasaran RPJMD.",
    )
    errors = _validate_sasaran(session, data, sasaran)
    if errors:
        raise PlanningValidationError(errors)
    before = (
        snapshot(sasaran, ("kode", "jenis", "teks", "parent_id", "supports_id"))
        if sasaran
        else None
    )
    if sasaran is None:
        sasaran = Sasaran(level=data.level, opd_id=data.opd_id if data.level == "opd" else None)
        session.add(sasaran)
    sasaran.jenis = data.jenis
    sasaran.kode = (data.kode or "").strip()
    sasaran.teks = data.teks.strip()
    sasaran.parent_id = data.parent_id
    sasaran.supports_id = data.supports_id if data.level == "opd" else None
    sasaran.tahun_awal, sasaran.tahun_akhir = data.tahun_awal, data.tahun_akhir
    _apply_indikator(session, sasaran, data.indikator, replace=True)
    session.flush()
    record(
        session,
        "sasaran.update" if before else "sasaran.create",
        "sasaran",
        sasaran.id,
        actor=actor,
        before=before,
        after=snapshot(sasaran, ("kode", "jenis", "teks", "parent_id", "supports_id")),
        summary=f"{'Mengubah' if before else 'Menambah'} {SASARAN_JENIS[sasaran.jenis]} "
        f"{_short(sasaran.teks)}",
    )
    return sasaran


def _apply_indikator(
    session: Session, sasaran: Sasaran, items: list[IndikatorInput], *, replace: bool
) -> None:
    existing = {i.id: i for i in sasaran.indikator if i.id is not None}
    by_text = {i.teks.strip().lower(): i for i in sasaran.indikator}
    keep: set[int] = set()
    for item in items:
        row = existing.get(item.id) if item.id is not None else None
        if row is None and not replace:
            row = by_text.get(item.teks.strip().lower())
        if row is None:
            row = IndikatorSasaran(teks=item.teks.strip())
            sasaran.indikator.append(row)
        row.teks = item.teks.strip()
        row.satuan = (item.satuan or "").strip()
        row.is_iku = bool(item.is_iku)
        row.lower_is_better = bool(item.lower_is_better)
        targets = {t.tahun: t for t in row.targets}
        for tahun, (lo, hi) in item.targets.items():
            t = targets.get(tahun)
            if lo is None and hi is None:
                if t is not None and replace:
                    row.targets.remove(t)
                continue
            if t is None:
                t = IndikatorTarget(tahun=tahun)
                row.targets.append(t)
            t.target, t.target_max = lo, hi
        if replace:
            for t in list(row.targets):
                if not sasaran.tahun_awal <= t.tahun <= sasaran.tahun_akhir:
                    row.targets.remove(t)
        if row.id is not None:
            keep.add(row.id)
    if replace:
        for row in list(sasaran.indikator):
            if row.id is not None and row.id not in keep:
                sasaran.indikator.remove(row)


def delete_sasaran(session: Session, sasaran: Sasaran, *, actor) -> None:
    """Delete a goal that nothing refers to (no sub-goals, supporting OPD goals or RHK)."""
    _require(
        perm.can_manage_goals(actor, sasaran.level, sasaran.opd_id),
        "Anda tidak berhak menghapus sasaran ini.",
    )
    children = session.scalar(select(func.count()).where(Sasaran.parent_id == sasaran.id))
    supporters = session.scalar(select(func.count()).where(Sasaran.supports_id == sasaran.id))
    rhk = session.scalar(select(func.count()).where(Rhk.parent_sasaran_id == sasaran.id))
    reasons = []
    if children:
        reasons.append(f"{children} sasaran turunan")
    if supporters:
        reasons.append(f"{supporters} sasaran OPD yang mendukungnya")
    if rhk:
        reasons.append(f"{rhk} RHK yang mengacu padanya")
    if reasons:
        raise WorkflowError(
            "Sasaran tidak dapat dihapus karena masih memiliki " + ", ".join(reasons) + "."
        )
    before = snapshot(sasaran, ("level", "opd_id", "kode", "jenis", "teks"))
    sid = sasaran.id
    session.delete(sasaran)
    session.flush()
    record(
        session,
        "sasaran.delete",
        "sasaran",
        sid,
        actor=actor,
        before=before,
        summary=f"Menghapus sasaran {_short(before['teks'])}",
    )


# --- SKP creation and settings -----------------------------------------------------------------


def _opd_id_of(session: Session, pegawai: Pegawai) -> int | None:
    if pegawai.unit_id is None:
        return None
    return session.scalar(select(UnitOrganisasi.opd_id).where(UnitOrganisasi.id == pegawai.unit_id))


def _new_skp(
    session: Session,
    pegawai: Pegawai,
    periode: Periode,
    *,
    tanggal_mulai: date | None = None,
    replaces: Skp | None = None,
) -> Skp:
    penilai = direct_superior(session, pegawai)
    atasan = direct_superior(session, penilai) if penilai is not None else None
    jabatan: Jabatan | None = pegawai.jabatan
    skp = Skp(
        periode_id=periode.id,
        pegawai_id=pegawai.id,
        jabatan_id=pegawai.jabatan_id,
        unit_id=pegawai.unit_id,
        opd_id=_opd_id_of(session, pegawai),
        penilai_pegawai_id=penilai.id if penilai is not None else None,
        atasan_penilai_pegawai_id=atasan.id if atasan is not None else None,
        penilai_is_override=False,
        is_jpt=bool(jabatan is not None and jabatan.level == 2),
        pendekatan="kuantitatif",
        status="draft",
        version=1,
        tanggal_mulai=tanggal_mulai or periode.tanggal_mulai,
        tanggal_selesai=periode.tanggal_selesai,
        replaces_id=replaces.id if replaces is not None else None,
        is_current=True,
    )
    skp.perilaku = [PerilakuExpectation(nilai_kode=k, ekspektasi_khusus="") for k in BERAKHLAK_KODE]
    session.add(skp)
    session.flush()
    return skp


def ensure_skp(session: Session, pegawai: Pegawai, periode: Periode, *, actor) -> tuple[Skp, bool]:
    """Return the employee's current SKP of the period, creating a draft when there is none.

    The draft gets the pejabat penilai and atasan pejabat penilai from the position tree
    (domain.md §11.9) and the seven BerAKHLAK rows. Returns ``(skp, created)``.
    """
    opd_id = _opd_id_of(session, pegawai)
    _require(
        perm.can_create_skp(actor, pegawai, opd_id),
        "Anda hanya dapat membuat SKP untuk diri sendiri atau pegawai OPD Anda.",
    )
    existing = session.scalar(
        select(Skp).where(
            Skp.pegawai_id == pegawai.id, Skp.periode_id == periode.id, Skp.is_current == true()
        )
    )
    if existing is not None:
        return existing, False
    _check_periode_open(periode)
    if pegawai.kedudukan_hukum_id not in SKP_KEDUDUKAN or pegawai.jenis_asn not in ("PNS", "PPPK"):
        label = pegawai.kedudukan.label if pegawai.kedudukan else pegawai.kedudukan_hukum_id
        raise WorkflowError(
            f"{pegawai.nama_lengkap} tidak wajib menyusun SKP "
            f"(kedudukan: {label}, {pegawai.jenis_asn})."
        )
    skp = _new_skp(session, pegawai, periode)
    record(
        session,
        "skp.create",
        "skp",
        skp.id,
        actor=actor,
        after={
            "pegawai_id": pegawai.id,
            "periode": periode.tahun,
            "penilai_pegawai_id": skp.penilai_pegawai_id,
        },
        summary=f"Membuat SKP {periode.tahun} {pegawai.nama_lengkap}",
    )
    return skp, True


def update_skp_settings(
    session: Session,
    skp: Skp,
    *,
    actor,
    pendekatan: str | None = None,
    penilai: Pegawai | None = None,
    atasan_penilai: Pegawai | None = None,
    reset_penilai: bool = False,
) -> Skp:
    """Change the approach and/or set the pejabat penilai by hand (Plt/Plh), or reset it to the
    position tree."""
    _require_editor(actor, skp)
    _check_editable(skp)
    errors: dict[str, list[str]] = {}
    if pendekatan is not None and pendekatan not in PENDEKATAN:
        errors["pendekatan"] = ["Pilih pendekatan kuantitatif atau kualitatif."]
    if penilai is not None:
        if penilai.id == skp.pegawai_id:
            errors["penilai_nip"] = ["Pejabat penilai tidak boleh pegawai yang dinilai sendiri."]
        elif not penilai.is_active_service:
            errors["penilai_nip"] = [f"{penilai.nama_lengkap} tidak dalam status aktif."]
    if atasan_penilai is not None and (
        atasan_penilai.id == skp.pegawai_id
        or (penilai is not None and atasan_penilai.id == penilai.id)
    ):
        errors["atasan_penilai_nip"] = [
            "Atasan pejabat penilai harus orang lain selain pegawai dan pejabat penilainya."
        ]
    if errors:
        raise PlanningValidationError(errors)
    before = snapshot(
        skp,
        ("pendekatan", "penilai_pegawai_id", "atasan_penilai_pegawai_id", "penilai_is_override"),
    )
    if pendekatan is not None:
        skp.pendekatan = pendekatan
    if reset_penilai:
        _apply_default_penilai(session, skp)
    elif penilai is not None:
        skp.penilai_pegawai_id = penilai.id
        chosen = atasan_penilai or direct_superior(session, penilai)
        skp.atasan_penilai_pegawai_id = chosen.id if chosen is not None else None
        skp.penilai_is_override = True
    skp.updated_at = utcnow()
    session.flush()
    record(
        session,
        "skp.settings",
        "skp",
        skp.id,
        actor=actor,
        before=before,
        after=snapshot(
            skp,
            (
                "pendekatan",
                "penilai_pegawai_id",
                "atasan_penilai_pegawai_id",
                "penilai_is_override",
            ),
        ),
        summary="Mengubah pengaturan SKP",
    )
    return skp


def _apply_default_penilai(session: Session, skp: Skp) -> None:
    pegawai = session.get(Pegawai, skp.pegawai_id)
    penilai = direct_superior(session, pegawai) if pegawai is not None else None
    atasan = direct_superior(session, penilai) if penilai is not None else None
    skp.penilai_pegawai_id = penilai.id if penilai is not None else None
    skp.atasan_penilai_pegawai_id = atasan.id if atasan is not None else None
    skp.penilai_is_override = False


# --- RHK, IKI, perilaku, lampiran --------------------------------------------------------------


@dataclass
class IkiInput:
    teks: str
    aspek: str = "kuantitas"
    target: Decimal | None = None
    target_max: Decimal | None = None
    target_teks: str = ""
    satuan: str = ""
    lower_is_better: bool = False
    id: int | None = None


@dataclass
class RhkInput:
    teks: str
    jenis: str = "utama"
    parent_rhk_id: int | None = None
    parent_sasaran_id: int | None = None
    cascading: str = "non_direct"
    perspektif: str | None = None
    iki: list[IkiInput] = field(default_factory=list)


def _validate_rhk(session: Session, skp: Skp, data: RhkInput, rhk: Rhk | None) -> dict:
    errors: dict[str, list[str]] = {}

    def err(key: str, msg: str) -> None:
        errors.setdefault(key, []).append(msg)

    if not (data.teks or "").strip():
        err("teks", "Uraian RHK wajib diisi.")
    elif len(data.teks) > MAX_TEXT:
        err("teks", f"Uraian RHK maksimal {MAX_TEXT} karakter.")
    if data.jenis not in RHK_JENIS:
        err("jenis", "Jenis RHK harus Utama atau Tambahan.")
    if data.cascading not in CASCADING:
        err("cascading", "Pilih metode cascading langsung atau tidak langsung.")
    if skp.is_jpt:
        if data.perspektif not in PERSPEKTIF:
            err("perspektif", "Pilih perspektif RHK (mis. Penerima Layanan).")
        if data.parent_sasaran_id is not None:
            sas = session.get(Sasaran, data.parent_sasaran_id)
            tahun = skp.periode.tahun
            if sas is None or sas.level != "opd" or sas.opd_id != skp.opd_id:
                err(
                    "parent_sasaran_id",
                    "Sasaran yang dipilih bukan sasaran Perjanjian Kinerja OPD sendiri.",
                )
            elif not sas.tahun_awal <= tahun <= sas.tahun_akhir:
                err("parent_sasaran_id", f"Sasaran yang dipilih tidak berlaku pada tahun {tahun}.")
        if data.parent_rhk_id is not None:
            err(
                "parent_rhk_id",
                "RHK JPT diturunkan dari Perjanjian Kinerja, bukan dari RHK atasan.",
            )
    else:
        if data.parent_sasaran_id is not None:
            err("parent_sasaran_id", "Hanya RHK JPT yang mengacu langsung pada sasaran OPD.")
        if data.parent_rhk_id is not None:
            parent = session.get(Rhk, data.parent_rhk_id)
            owner = parent.skp if parent is not None else None
            if skp.penilai_pegawai_id is None:
                err(
                    "parent_rhk_id",
                    "SKP ini belum memiliki pejabat penilai, sehingga RHK atasan "
                    "belum dapat dipilih.",
                )
            elif (
                owner is None
                or owner.pegawai_id != skp.penilai_pegawai_id
                or owner.periode_id != skp.periode_id
                or not owner.is_current
            ):
                err(
                    "parent_rhk_id",
                    "RHK yang diintervensi harus RHK milik pejabat penilai "
                    f"({_nama(skp.penilai)}) pada periode {skp.periode.tahun}.",
                )
    if not data.iki:
        err("iki", "Isi minimal satu Indikator Kinerja Individu (IKI).")
    own_iki = {i.id for i in rhk.iki} if rhk is not None else set()
    kuantitatif = skp.pendekatan == "kuantitatif"
    for n, iki in enumerate(data.iki):
        key = f"iki-{n}"
        if iki.id is not None and iki.id not in own_iki:
            err(f"{key}-id", "IKI ini bukan milik RHK yang diubah.")
        if iki.aspek not in ASPEK:
            err(f"{key}-aspek", "Aspek harus Kuantitas, Kualitas, Waktu atau Biaya.")
        if not (iki.teks or "").strip():
            err(f"{key}-teks", "Uraian IKI wajib diisi.")
        elif len(iki.teks) > MAX_TEXT:
            err(f"{key}-teks", f"Uraian IKI maksimal {MAX_TEXT} karakter.")
        if iki.target is None and iki.target_max is not None:
            err(f"{key}-target", "Isi batas bawah target terlebih dahulu.")
        elif iki.target is None and (kuantitatif or not (iki.target_teks or "").strip()):
            err(
                f"{key}-target",
                "Target wajib diisi dengan angka."
                if kuantitatif
                else "Isi target berupa angka atau uraian target.",
            )
        if iki.target is not None and iki.target < 0:
            err(f"{key}-target", "Target tidak boleh negatif.")
        if iki.target is not None and iki.target_max is not None and iki.target > iki.target_max:
            err(f"{key}-target_max", "Batas bawah target tidak boleh lebih besar dari batas atas.")
        if iki.target is not None and not (iki.satuan or "").strip():
            err(f"{key}-satuan", "Satuan wajib diisi (misalnya Dokumen, Persen, Bulan).")
        if len(iki.satuan or "") > 50:
            err(f"{key}-satuan", "Satuan maksimal 50 karakter.")
        if len(iki.target_teks or "") > 200:
            err(f"{key}-target_teks", "Uraian target maksimal 200 karakter.")
    return errors


def save_rhk(
    session: Session,
    skp: Skp,
    data: RhkInput,
    *,
    actor,
    rhk: Rhk | None = None,
    request_key: str | None = None,
) -> Rhk:
    """Create or update one RHK with its IKI rows (IKI ids stay stable across edits).

    Raises PlanningValidationError with per-field messages (``teks``, ``parent_rhk_id``,
    ``iki-0-target`` …) before anything is written.
    """
    _require_editor(actor, skp)
    if rhk is not None and rhk.skp_id != skp.id:
        raise PlanningForbidden("RHK ini bukan bagian dari SKP tersebut.")
    key = _check_request_key(request_key) if rhk is None else None
    stored = _stored_request(session, key, "rhk.create")
    if stored is not None:
        replay = session.get(Rhk, stored.result.get("rhk_id"))
        if replay is not None:
            return replay
    _check_editable(skp)
    errors = _validate_rhk(session, skp, data, rhk)
    if errors:
        raise PlanningValidationError(errors)
    before = None
    if rhk is None:
        urutan = (
            session.scalar(
                select(func.coalesce(func.max(Rhk.urutan), 0)).where(Rhk.skp_id == skp.id)
            )
            or 0
        )
        rhk = Rhk(urutan=urutan + 1, teks="")
        skp.rhk.append(rhk)
    else:
        before = snapshot(
            rhk, ("jenis", "teks", "parent_rhk_id", "parent_sasaran_id", "perspektif", "cascading")
        )
    rhk.jenis = data.jenis
    rhk.teks = data.teks.strip()
    rhk.cascading = data.cascading
    if skp.is_jpt:
        rhk.parent_sasaran_id, rhk.parent_rhk_id = data.parent_sasaran_id, None
        rhk.perspektif = data.perspektif
    else:
        rhk.parent_rhk_id, rhk.parent_sasaran_id = data.parent_rhk_id, None
        rhk.perspektif = None
    if rhk.link_flag and before and before["parent_rhk_id"] != rhk.parent_rhk_id:
        rhk.link_flag = None
    existing = {i.id: i for i in rhk.iki} if rhk.id is not None else {}
    keep: list[Iki] = []
    for n, item in enumerate(data.iki):
        row = existing.get(item.id) if item.id is not None else None
        if row is None:
            row = Iki(teks="")
        row.urutan = n
        row.aspek = item.aspek
        row.teks = item.teks.strip()
        row.target, row.target_max = item.target, item.target_max
        row.target_teks = (item.target_teks or "").strip()
        row.satuan = (item.satuan or "").strip()
        row.lower_is_better = bool(item.lower_is_better)
        keep.append(row)
    rhk.iki = keep
    skp.updated_at = utcnow()
    session.flush()
    _remember_request(session, key, "rhk.create", actor, {"rhk_id": rhk.id})
    _notify_rhk_saved([rhk.id])
    record(
        session,
        "rhk.update" if before else "rhk.create",
        "rhk",
        rhk.id,
        actor=actor,
        before=before,
        after={
            "skp_id": skp.id,
            "jenis": rhk.jenis,
            "teks": rhk.teks,
            "parent_rhk_id": rhk.parent_rhk_id,
            "parent_sasaran_id": rhk.parent_sasaran_id,
            "iki": len(keep),
        },
        summary=f"{'Mengubah' if before else 'Menambah'} RHK {_short(rhk.teks)}",
    )
    return rhk


def delete_rhk(session: Session, rhk: Rhk, *, actor) -> None:
    """Delete an RHK of an editable SKP, unless subordinates' RHK intervene it."""
    skp = rhk.skp
    _require_editor(actor, skp)
    _check_editable(skp)
    children = list(
        session.execute(
            select(Pegawai.nama)
            .join(Skp, Skp.pegawai_id == Pegawai.id)
            .join(Rhk, Rhk.skp_id == Skp.id)
            .where(Rhk.parent_rhk_id == rhk.id)
            .distinct()
            .limit(5)
        ).scalars()
    )
    if children:
        raise WorkflowError(
            f'RHK "{_short(rhk.teks)}" masih diintervensi RHK bawahan ({", ".join(children)}). '
            "Minta bawahan memilih RHK lain terlebih dahulu."
        )
    before = snapshot(rhk, ("skp_id", "jenis", "teks", "parent_rhk_id"))
    rid = rhk.id
    session.delete(rhk)
    skp.updated_at = utcnow()
    session.flush()
    record(
        session,
        "rhk.delete",
        "rhk",
        rid,
        actor=actor,
        before=before,
        summary=f"Menghapus RHK {_short(before['teks'])}",
    )


def save_perilaku(session: Session, skp: Skp, ekspektasi: dict[int, str], *, actor) -> Skp:
    """Set the optional "ekspektasi khusus pimpinan" of the BerAKHLAK values (keys 1..7)."""
    _require_editor(actor, skp)
    _check_editable(skp)
    errors = {}
    for kode, text in ekspektasi.items():
        if kode not in BERAKHLAK_KODE:
            errors[f"ekspektasi_{kode}"] = ["Nilai BerAKHLAK tidak dikenal."]
        elif len(text or "") > MAX_TEXT:
            errors[f"ekspektasi_{kode}"] = [f"Ekspektasi maksimal {MAX_TEXT} karakter."]
    if errors:
        raise PlanningValidationError(errors)
    rows = {p.nilai_kode: p for p in skp.perilaku}
    before = {k: rows[k].ekspektasi_khusus for k in rows}
    for kode in BERAKHLAK_KODE:
        if kode not in rows:
            rows[kode] = PerilakuExpectation(nilai_kode=kode, ekspektasi_khusus="")
            skp.perilaku.append(rows[kode])
        if kode in ekspektasi:
            rows[kode].ekspektasi_khusus = (ekspektasi[kode] or "").strip()
    skp.updated_at = utcnow()
    session.flush()
    record(
        session,
        "skp.perilaku",
        "skp",
        skp.id,
        actor=actor,
        before=before,
        after={k: rows[k].ekspektasi_khusus for k in rows},
        summary="Mengubah ekspektasi perilaku kerja",
    )
    return skp


def save_lampiran(session: Session, skp: Skp, items: dict[str, list[str]], *, actor) -> Skp:
    """Replace the SKP annex lists (dukungan sumber daya, skema pertanggungjawaban, konsekuensi)."""
    _require_editor(actor, skp)
    _check_editable(skp)
    errors = {}
    for bagian, texts in items.items():
        if bagian not in LAMPIRAN_BAGIAN:
            errors[bagian] = ["Bagian lampiran tidak dikenal."]
        elif any(len(t) > 1000 for t in texts):
            errors[bagian] = ["Setiap butir lampiran maksimal 1000 karakter."]
        elif len(texts) > 50:
            errors[bagian] = ["Maksimal 50 butir per bagian."]
    if errors:
        raise PlanningValidationError(errors)
    before = [(lp.bagian, lp.teks) for lp in skp.lampiran]
    keep = [lp for lp in skp.lampiran if lp.bagian not in items]
    for bagian, texts in items.items():
        for n, t in enumerate(x.strip() for x in texts if x and x.strip()):
            keep.append(SkpLampiran(bagian=bagian, urutan=n, teks=t))
    skp.lampiran = keep
    skp.updated_at = utcnow()
    session.flush()
    record(
        session,
        "skp.lampiran",
        "skp",
        skp.id,
        actor=actor,
        before={"items": before},
        after={"items": [(lp.bagian, lp.teks) for lp in keep]},
        summary="Mengubah lampiran SKP",
    )
    return skp


# --- workflow --------------------------------------------------------------------------------


@dataclass
class TransitionResult:
    skp: Skp
    transition: SkpTransition | None
    replayed: bool
    message: str


def _replayed(session: Session, skp: Skp, key: str | None) -> SkpTransition | None:
    if key is None:
        return None
    row = session.scalar(select(SkpTransition).where(SkpTransition.request_key == key))
    if row is not None and row.skp_id != skp.id:
        raise WorkflowError(
            "Kunci permintaan ini sudah dipakai untuk SKP lain; muat ulang halaman."
        )
    return row


def _transition(
    session: Session,
    skp: Skp,
    to_status: str,
    actor,
    *,
    action: str,
    summary: str,
    note: str | None = None,
    request_key: str | None = None,
) -> SkpTransition:
    before = {"status": skp.status, "version": skp.version}
    row = SkpTransition(
        skp_id=skp.id,
        from_status=skp.status,
        to_status=to_status,
        actor_user_id=_user_id(actor),
        note=note,
        request_key=request_key,
        at=utcnow(),
    )
    skp.status = to_status
    skp.updated_at = utcnow()
    session.add(row)
    session.flush()
    record(
        session,
        action,
        "skp",
        skp.id,
        actor=actor,
        before=before,
        after={"status": to_status, "version": skp.version, "note": note},
        summary=summary,
    )
    return row


def submit_problems(session: Session, skp: Skp) -> list[str]:
    """Return why ``skp`` cannot be submitted/approved yet (empty when it can).

    Implements V1/V3/V7 of domain.md §3.4: a non-JPT RHK utama must intervene an RHK of the
    pejabat penilai's *approved* SKP of the same period; a JPT RHK utama must come from a
    Perjanjian Kinerja sasaran of the own OPD.
    """
    problems: list[str] = []
    rhks = list(
        session.scalars(
            select(Rhk)
            .where(Rhk.skp_id == skp.id)
            .options(
                selectinload(Rhk.iki),
                selectinload(Rhk.parent_rhk).selectinload(Rhk.skp),
                selectinload(Rhk.parent_sasaran),
            )
            .order_by(Rhk.jenis.desc(), Rhk.urutan, Rhk.id)
        )
    )
    penilai = session.get(Pegawai, skp.penilai_pegawai_id) if skp.penilai_pegawai_id else None
    if penilai is None:
        problems.append(
            "SKP belum memiliki pejabat penilai. Minta operator OPD menetapkan atasan "
            "langsung atau pilih pejabat penilai (Plt/Plh)."
        )
    elif penilai.id == skp.pegawai_id:
        problems.append("Pejabat penilai tidak boleh pegawai yang dinilai sendiri.")
    if not any(r.jenis == "utama" for r in rhks):
        problems.append("SKP belum memiliki RHK utama.")
    for r in rhks:
        label = f'RHK {r.jenis} "{_short(r.teks)}"'
        if not r.iki:
            problems.append(f"{label} belum memiliki IKI.")
        elif skp.pendekatan == "kuantitatif" and not skp.is_jpt:
            have = {i.aspek for i in r.iki}
            for aspek in ("kuantitas", "kualitas", "waktu"):
                if aspek not in have:
                    problems.append(f"{label} belum memiliki IKI aspek {ASPEK[aspek]}.")
        if skp.is_jpt:
            if r.jenis == "utama":
                sas = r.parent_sasaran
                if sas is None:
                    problems.append(
                        f"{label} belum memilih sasaran Perjanjian Kinerja yang diturunkan."
                    )
                elif sas.level != "opd" or sas.opd_id != skp.opd_id:
                    problems.append(
                        f"{label} mengacu pada sasaran yang bukan sasaran Perjanjian "
                        "Kinerja OPD sendiri."
                    )
            if not r.perspektif:
                problems.append(f"{label} belum memilih perspektif.")
            continue
        parent = r.parent_rhk
        if parent is None:
            if r.jenis == "utama":
                problems.append(
                    f'RHK utama "{_short(r.teks)}" belum memilih RHK atasan yang diintervensi.'
                )
            continue
        owner = parent.skp
        if (
            penilai is None
            or owner.pegawai_id != penilai.id
            or owner.periode_id != skp.periode_id
            or not owner.is_current
        ):
            problems.append(
                f"{label} mengintervensi RHK yang bukan milik pejabat penilai "
                f"({_nama(penilai)}) pada periode ini."
            )
        elif r.jenis == "utama" and owner.status != "disetujui":
            problems.append(
                f'RHK utama "{_short(r.teks)}" mengintervensi RHK milik '
                f"{penilai.nama_lengkap} yang SKP-nya belum disetujui."
            )
    return problems


def _workflow_refusal(problems: list[str], what: str) -> WorkflowError:
    error = WorkflowError(f"SKP belum dapat {what}: " + " ".join(problems))
    error.problems = problems  # type: ignore[attr-defined]
    return error


def submit_skp(
    session: Session, skp: Skp, *, actor, request_key: str | None = None
) -> TransitionResult:
    """Submit a draft or returned SKP to the pejabat penilai (draft/dikembalikan → diajukan)."""
    _require(
        perm.can_submit_skp(actor, skp),
        "Hanya pemilik SKP atau operator OPD-nya yang dapat mengajukan SKP ini.",
    )
    key = _check_request_key(request_key)
    done = _replayed(session, skp, key)
    if done is not None:
        return TransitionResult(skp, done, True, "Permintaan ini sudah diproses sebelumnya.")
    if skp.status == "diajukan" and skp.is_current:
        return TransitionResult(skp, None, True, "SKP sudah diajukan.")
    _check_editable(skp)
    if not skp.penilai_is_override:
        _apply_default_penilai(session, skp)
        session.flush()
    problems = submit_problems(session, skp)
    if problems:
        raise _workflow_refusal(problems, "diajukan")
    skp.submitted_at = utcnow()
    skp.return_note = None
    row = _transition(
        session,
        skp,
        "diajukan",
        actor,
        action="skp.submit",
        request_key=key,
        summary="Mengajukan SKP kepada pejabat penilai",
    )
    return TransitionResult(skp, row, False, "SKP diajukan kepada pejabat penilai.")


def _require_penilai(actor, skp: Skp, verb: str) -> None:
    if getattr(actor, "pegawai_id", None) is not None and actor.pegawai_id == skp.pegawai_id:
        raise PlanningForbidden(f"Anda tidak dapat {verb} SKP Anda sendiri.")
    _require(
        perm.can_approve_skp(actor, skp), f"Hanya pejabat penilai SKP ini yang dapat {verb}nya."
    )


def approve_skp(
    session: Session, skp: Skp, *, actor, request_key: str | None = None
) -> TransitionResult:
    """Approve a submitted SKP: snapshot identities, store the version, diajukan → disetujui.

    Approving an already approved SKP is a no-op (``replayed=True``), not an error.
    """
    _require_penilai(actor, skp, "menyetujui")
    key = _check_request_key(request_key)
    done = _replayed(session, skp, key)
    if done is not None:
        return TransitionResult(skp, done, True, "Permintaan ini sudah diproses sebelumnya.")
    if skp.status == "disetujui" and skp.is_current:
        return TransitionResult(skp, None, True, "SKP sudah disetujui.")
    if skp.status != "diajukan" or not skp.is_current:
        raise WorkflowError(
            f"SKP berstatus {skp.status_label}; hanya SKP yang diajukan yang dapat disetujui."
        )
    _check_periode_open(skp.periode)
    problems = submit_problems(session, skp)
    if problems:
        raise _workflow_refusal(problems, "disetujui")
    if (
        session.scalar(
            select(SkpVersion.id).where(
                SkpVersion.skp_id == skp.id, SkpVersion.version == skp.version
            )
        )
        is not None
    ):
        skp.version += 1
    skp.pegawai_snapshot = person_snapshot(session, skp.pegawai)
    skp.penilai_snapshot = person_snapshot(session, skp.penilai)
    skp.atasan_penilai_snapshot = person_snapshot(session, skp.atasan_penilai)
    skp.approved_at = utcnow()
    row = _transition(
        session,
        skp,
        "disetujui",
        actor,
        action="skp.approve",
        request_key=key,
        summary=f"Menyetujui SKP (versi {skp.version})",
    )
    session.refresh(skp, ["rhk", "perilaku", "lampiran"])
    session.add(
        SkpVersion(
            skp_id=skp.id,
            version=skp.version,
            content=skp_content(skp),
            approved_at=skp.approved_at,
            approved_by_user_id=_user_id(actor),
        )
    )
    session.flush()
    return TransitionResult(skp, row, False, f"SKP disetujui (versi {skp.version}).")


def return_skp(
    session: Session, skp: Skp, *, actor, note: str, request_key: str | None = None
) -> TransitionResult:
    """Return a submitted SKP for correction with a required note (diajukan → dikembalikan)."""
    _require_penilai(actor, skp, "mengembalikan")
    key = _check_request_key(request_key)
    done = _replayed(session, skp, key)
    if done is not None:
        return TransitionResult(skp, done, True, "Permintaan ini sudah diproses sebelumnya.")
    note = (note or "").strip()
    if not note:
        raise PlanningValidationError({"catatan": ["Catatan pengembalian wajib diisi."]})
    if len(note) > MAX_TEXT:
        raise PlanningValidationError({"catatan": [f"Catatan maksimal {MAX_TEXT} karakter."]})
    if skp.status != "diajukan" or not skp.is_current:
        raise WorkflowError(
            f"SKP berstatus {skp.status_label}; hanya SKP yang diajukan yang dapat dikembalikan."
        )
    _check_periode_open(skp.periode)
    skp.return_note = note
    row = _transition(
        session,
        skp,
        "dikembalikan",
        actor,
        action="skp.return",
        note=note,
        request_key=key,
        summary="Mengembalikan SKP untuk diperbaiki",
    )
    return TransitionResult(skp, row, False, "SKP dikembalikan kepada pegawai untuk diperbaiki.")


def revise_skp(
    session: Session, skp: Skp, *, actor, request_key: str | None = None, note: str | None = None
) -> TransitionResult:
    """Reopen an approved SKP for revision (disetujui → draft); its approved version stays
    stored and the next approval bumps the version."""
    _require(
        perm.can_revise_skp(actor, skp),
        "Hanya pemilik SKP atau operator OPD-nya yang dapat merevisi SKP ini.",
    )
    key = _check_request_key(request_key)
    done = _replayed(session, skp, key)
    if done is not None:
        return TransitionResult(skp, done, True, "Permintaan ini sudah diproses sebelumnya.")
    if skp.status != "disetujui" or not skp.is_current:
        raise WorkflowError(
            f"SKP berstatus {skp.status_label}; revisi hanya untuk SKP yang sudah disetujui."
        )
    _check_periode_open(skp.periode)
    row = _transition(
        session,
        skp,
        "draft",
        actor,
        action="skp.revise",
        request_key=key,
        note=(note or "").strip() or None,
        summary=f"Membuka revisi SKP versi {skp.version}",
    )
    return TransitionResult(
        skp, row, False, "SKP dibuka kembali untuk revisi. Ajukan lagi setelah selesai."
    )


def close_and_restart_skp(session: Session, skp: Skp, reason: str, change_date: date, actor) -> Skp:
    """Close an SKP at a transfer/promotion and open a draft for the new position.

    The closed SKP gets status ``ditutup``, ``is_current=False`` and ``tanggal_selesai =
    change_date``; the new draft starts on ``change_date`` with the employee's current
    jabatan/unit and the default pejabat penilai, and ``replaces_id`` pointing back.
    Subordinate RHK that intervened the closed SKP get ``link_flag = "atasan_berganti"``.
    Calling it again for an already closed SKP returns its successor (idempotent). The
    personnel sync calls it after updating the employee's position. ``actor`` may be a user or
    a label such as ``"sync"``.
    """
    if skp.status == "ditutup":
        successor = session.scalar(select(Skp).where(Skp.replaces_id == skp.id))
        if successor is not None:
            return successor
        raise WorkflowError("SKP ini sudah ditutup.")
    if not skp.is_current:
        raise WorkflowError("Hanya SKP terkini yang dapat ditutup.")
    periode = skp.periode
    _check_periode_open(periode)
    if not skp.tanggal_mulai <= change_date <= periode.tanggal_selesai:
        raise PlanningValidationError(
            {
                "tanggal": [
                    f"Tanggal perubahan harus antara {skp.tanggal_mulai:%d-%m-%Y} dan "
                    f"{periode.tanggal_selesai:%d-%m-%Y}."
                ]
            }
        )
    reason = (reason or "").strip()[:200] or "Perubahan jabatan"
    pegawai = session.get(Pegawai, skp.pegawai_id)
    before = {
        "status": skp.status,
        "is_current": True,
        "tanggal_selesai": skp.tanggal_selesai.isoformat(),
    }
    session.add(
        SkpTransition(
            skp_id=skp.id,
            from_status=skp.status,
            to_status="ditutup",
            actor_user_id=_user_id(actor),
            note=reason,
            at=utcnow(),
        )
    )
    skp.status = "ditutup"
    skp.is_current = False
    skp.tanggal_selesai = change_date
    skp.closed_at = utcnow()
    skp.close_reason = reason
    session.flush()
    new = _new_skp(session, pegawai, periode, tanggal_mulai=change_date, replaces=skp)
    own_rhk = select(Rhk.id).where(Rhk.skp_id == skp.id)
    session.execute(
        update(Rhk)
        .where(Rhk.parent_rhk_id.in_(own_rhk))
        .values(link_flag="atasan_berganti")
        .execution_options(synchronize_session=False)
    )
    record(
        session,
        "skp.close",
        "skp",
        skp.id,
        actor=actor,
        before=before,
        after={
            "status": "ditutup",
            "is_current": False,
            "tanggal_selesai": change_date.isoformat(),
            "replaced_by": new.id,
        },
        summary=f"Menutup SKP ({reason}) dan membuka SKP baru #{new.id}",
    )
    record(
        session,
        "skp.create",
        "skp",
        new.id,
        actor=actor,
        after={
            "pegawai_id": new.pegawai_id,
            "replaces_id": skp.id,
            "tanggal_mulai": change_date.isoformat(),
        },
        summary=f"SKP baru setelah {reason}",
    )
    session.flush()
    return new


# --- bulk cascade drafting and copy-forward ------------------------------------------------------


@dataclass
class CascadeReport:
    """Outcome of :func:`bulk_cascade`; ``skipped`` holds ``(pegawai_id, nama, alasan)``."""

    created_skp: list[int] = field(default_factory=list)  # pegawai ids given a new draft SKP
    drafted: dict[int, int] = field(default_factory=dict)  # pegawai id -> RHK drafted
    skipped: list[tuple[int, str, str]] = field(default_factory=list)
    rhk_count: int = 0
    replayed: bool = False

    def as_dict(self) -> dict:
        d = asdict(self)
        d["drafted"] = {str(k): v for k, v in self.drafted.items()}
        d["skipped"] = [list(s) for s in self.skipped]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> CascadeReport:
        return cls(
            created_skp=list(d.get("created_skp", [])),
            drafted={int(k): v for k, v in d.get("drafted", {}).items()},
            skipped=[tuple(s) for s in d.get("skipped", [])],
            rhk_count=d.get("rhk_count", 0),
            replayed=True,
        )


def bulk_cascade(
    session: Session,
    source: Skp,
    rhk_ids: list[int],
    *,
    actor,
    pegawai_ids: list[int] | tuple[int, ...] = (),
    jabatan_ids: list[int] | tuple[int, ...] = (),
    cascading: str = "direct",
    request_key: str | None = None,
) -> CascadeReport:
    """Push draft RHK from an approved superior SKP to direct subordinates in one step.

    Recipients are ``pegawai_ids`` plus every holder of ``jabatan_ids``; only direct
    subordinates of the source SKP's owner receive RHK. For each recipient a draft SKP is
    created when missing (with the seven BerAKHLAK rows); each chosen superior RHK becomes an
    RHK utama with ``parent_rhk_id`` and ``drafted_from_rhk_id`` set and the parent's IKI copied
    as a suggestion. Recipients whose SKP is not editable, who are not direct subordinates, who
    are JPT, or who already got that RHK are skipped and reported. Writes are set-based bulk
    inserts (a fixed number of statements whatever the number of recipients).
    """
    _require(
        perm.can_bulk_cascade(actor, source),
        "Hanya pemilik SKP atau operator OPD-nya yang dapat menurunkan RHK dari SKP ini.",
    )
    key = _check_request_key(request_key)
    stored = _stored_request(session, key, "skp.cascade")
    if stored is not None:
        return CascadeReport.from_dict(stored.result)
    if source.status != "disetujui" or not source.is_current:
        raise WorkflowError("RHK hanya dapat diturunkan dari SKP terkini yang sudah disetujui.")
    periode = source.periode
    _check_periode_open(periode)
    errors: dict[str, list[str]] = {}
    rhk_ids = list(dict.fromkeys(int(r) for r in rhk_ids))
    parents = list(
        session.scalars(
            select(Rhk)
            .where(Rhk.id.in_(rhk_ids or [-1]))
            .options(selectinload(Rhk.iki))
            .order_by(Rhk.jenis.desc(), Rhk.urutan, Rhk.id)
        )
    )
    if not rhk_ids:
        errors["rhk_ids"] = ["Pilih minimal satu RHK yang akan diturunkan."]
    elif len(parents) != len(rhk_ids) or any(p.skp_id != source.id for p in parents):
        errors["rhk_ids"] = ["RHK yang dipilih harus RHK pada SKP ini."]
    if cascading not in CASCADING:
        errors["cascading"] = ["Pilih metode cascading langsung atau tidak langsung."]
    candidates = set(int(p) for p in pegawai_ids)
    if jabatan_ids:
        candidates.update(
            session.scalars(
                select(Pegawai.id).where(
                    Pegawai.jabatan_id.in_([int(j) for j in jabatan_ids]),
                    Pegawai.kedudukan_hukum_id.in_(SKP_KEDUDUKAN),
                    Pegawai.jenis_asn.in_(("PNS", "PPPK")),
                )
            )
        )
    if not pegawai_ids and not jabatan_ids:
        errors["penerima"] = ["Pilih minimal satu bawahan atau jabatan penerima."]
    if errors:
        raise PlanningValidationError(errors)

    report = CascadeReport()
    owner = session.get(Pegawai, source.pegawai_id)
    people = {
        r.id: r
        for r in session.execute(
            select(
                Pegawai.id,
                Pegawai.nama,
                Pegawai.gelar_depan,
                Pegawai.gelar_belakang,
                Pegawai.jabatan_id,
                Pegawai.unit_id,
                Pegawai.kedudukan_hukum_id,
                Pegawai.jenis_asn,
                Jabatan.jenis.label("jabatan_jenis"),
                UnitOrganisasi.opd_id,
            )
            .outerjoin(Jabatan, Pegawai.jabatan_id == Jabatan.id)
            .outerjoin(UnitOrganisasi, Pegawai.unit_id == UnitOrganisasi.id)
            .where(Pegawai.id.in_(candidates or {-1}))
        )
    }

    def label(pid: int) -> str:
        r = people.get(pid)
        if r is None:
            return f"#{pid}"
        name = " ".join(x for x in (r.gelar_depan.strip(), r.nama.strip()) if x)
        return f"{name}, {r.gelar_belakang.strip()}" if r.gelar_belakang.strip() else name

    sup = superior_map(session, sorted(people))
    recipients: list[int] = []
    for pid in sorted(candidates):
        r = people.get(pid)
        if r is None:
            report.skipped.append((pid, label(pid), "Pegawai tidak ditemukan."))
        elif r.kedudukan_hukum_id not in SKP_KEDUDUKAN or r.jenis_asn not in ("PNS", "PPPK"):
            report.skipped.append((pid, label(pid), "Tidak wajib menyusun SKP."))
        elif sup.get(pid) != source.pegawai_id:
            report.skipped.append(
                (pid, label(pid), f"Bukan bawahan langsung {owner.nama_lengkap}.")
            )
        elif r.jabatan_jenis in ("jpt_pratama", "jpt_madya"):
            report.skipped.append(
                (pid, label(pid), "Pejabat JPT menurunkan RHK dari Perjanjian Kinerja.")
            )
        else:
            recipients.append(pid)

    existing = {
        row.pegawai_id: row
        for row in session.execute(
            select(Skp.id, Skp.pegawai_id, Skp.status, Skp.penilai_pegawai_id).where(
                Skp.periode_id == periode.id,
                Skp.is_current == true(),
                Skp.pegawai_id.in_(recipients or [-1]),
            )
        )
    }
    targets: dict[int, int] = {}  # pegawai id -> skp id
    to_create: list[int] = []
    for pid in recipients:
        row = existing.get(pid)
        if row is None:
            to_create.append(pid)
        elif row.status not in EDITABLE_STATUS:
            report.skipped.append(
                (
                    pid,
                    label(pid),
                    f"SKP-nya berstatus {SKP_STATUS.get(row.status, row.status)} "
                    "sehingga tidak dapat diubah.",
                )
            )
        elif row.penilai_pegawai_id != source.pegawai_id:
            report.skipped.append(
                (pid, label(pid), f"Pejabat penilai pada SKP-nya bukan {owner.nama_lengkap}.")
            )
        else:
            targets[pid] = row.id

    already: set[tuple[int, int]] = set()
    if targets:
        already = {
            (s, d)
            for s, d in session.execute(
                select(Rhk.skp_id, Rhk.drafted_from_rhk_id).where(
                    Rhk.skp_id.in_(list(targets.values())),
                    Rhk.drafted_from_rhk_id.in_([p.id for p in parents]),
                )
            )
        }
    now = utcnow()
    if to_create:
        skp_rows = [
            {
                "periode_id": periode.id,
                "pegawai_id": pid,
                "jabatan_id": people[pid].jabatan_id,
                "unit_id": people[pid].unit_id,
                "opd_id": people[pid].opd_id,
                "penilai_pegawai_id": source.pegawai_id,
                "atasan_penilai_pegawai_id": source.penilai_pegawai_id,
                "penilai_is_override": False,
                "is_jpt": False,
                "pendekatan": "kuantitatif",
                "status": "draft",
                "version": 1,
                "tanggal_mulai": periode.tanggal_mulai,
                "tanggal_selesai": periode.tanggal_selesai,
                "is_current": True,
                "created_at": now,
                "updated_at": now,
            }
            for pid in to_create
        ]
        # Core executemany (one statement per table, any dialect); ids are read back by key.
        session.execute(insert(Skp.__table__), skp_rows)
        created = session.execute(
            select(Skp.id, Skp.pegawai_id).where(
                Skp.periode_id == periode.id,
                Skp.is_current == true(),
                Skp.pegawai_id.in_(to_create),
            )
        ).all()
        for skp_id, pid in created:
            targets[pid] = skp_id
        report.created_skp = sorted(pid for _, pid in created)
        session.execute(
            insert(PerilakuExpectation.__table__),
            [
                {"skp_id": skp_id, "nilai_kode": k, "ekspektasi_khusus": ""}
                for skp_id, _ in created
                for k in BERAKHLAK_KODE
            ],
        )
    max_urutan = dict(
        session.execute(
            select(Rhk.skp_id, func.max(Rhk.urutan))
            .where(Rhk.skp_id.in_(list(targets.values()) or [-1]))
            .group_by(Rhk.skp_id)
        ).all()
    )
    rhk_rows: list[dict] = []
    for pid in sorted(targets):
        skp_id = targets[pid]
        n = max_urutan.get(skp_id) or 0
        count = 0
        for parent in parents:
            if (skp_id, parent.id) in already:
                continue
            n += 1
            count += 1
            rhk_rows.append(
                {
                    "skp_id": skp_id,
                    "jenis": "utama",
                    "urutan": n,
                    "teks": parent.teks,
                    "parent_rhk_id": parent.id,
                    "drafted_from_rhk_id": parent.id,
                    "cascading": cascading,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        if count:
            report.drafted[pid] = count
        else:
            report.skipped.append((pid, label(pid), "RHK yang dipilih sudah pernah diturunkan."))
    if rhk_rows:
        session.execute(insert(Rhk.__table__), rhk_rows)
        # (skp, drafted_from) pairs are new by construction, so they identify the new rows.
        new_rhk = [
            (rid, parent_id)
            for rid, skp_id, parent_id in session.execute(
                select(Rhk.id, Rhk.skp_id, Rhk.drafted_from_rhk_id).where(
                    Rhk.skp_id.in_([targets[p] for p in report.drafted]),
                    Rhk.drafted_from_rhk_id.in_([p.id for p in parents]),
                )
            )
            if (skp_id, parent_id) not in already
        ]
        by_parent = {p.id: p for p in parents}
        iki_rows = [
            {
                "rhk_id": rid,
                "aspek": i.aspek,
                "urutan": i.urutan,
                "teks": i.teks,
                "target": i.target,
                "target_max": i.target_max,
                "target_teks": i.target_teks,
                "satuan": i.satuan,
                "lower_is_better": i.lower_is_better,
            }
            for rid, parent_id in new_rhk
            for i in by_parent[parent_id].iki
        ]
        if iki_rows:
            session.execute(insert(Iki.__table__), iki_rows)
        # No rhk_saved signal here: the drafted RHK intervene the source SKP's own RHK (valid by
        # construction), and a per-RHK re-check of hundreds of rows would defeat the bulk path.
        touched = [targets[p] for p in report.drafted if p in existing]
        if touched:
            session.execute(
                update(Skp)
                .where(Skp.id.in_(touched))
                .values(updated_at=now)
                .execution_options(synchronize_session=False)
            )
    report.rhk_count = len(rhk_rows)
    record_many(
        session,
        [
            {
                "action": "skp.cascade_draft",
                "object_type": "skp",
                "object_id": targets[pid],
                "summary": f"{report.drafted[pid]} RHK diturunkan dari SKP #{source.id}",
                "after": {
                    "source_skp_id": source.id,
                    "rhk_ids": [p.id for p in parents],
                    "created": pid in report.created_skp,
                },
            }
            for pid in report.drafted
        ],
        actor=actor,
        source="web",
    )
    record(
        session,
        "skp.cascade",
        "skp",
        source.id,
        actor=actor,
        after={
            "rhk_ids": [p.id for p in parents],
            "recipients": len(report.drafted),
            "rhk_count": report.rhk_count,
            "skipped": len(report.skipped),
        },
        summary=f"Menurunkan {len(parents)} RHK ke {len(report.drafted)} bawahan",
    )
    _remember_request(session, key, "skp.cascade", actor, report.as_dict())
    session.flush()
    return report


@dataclass
class CopyReport:
    source_skp_id: int
    rhk_count: int = 0
    iki_count: int = 0
    lampiran_count: int = 0
    unlinked: list[str] = field(default_factory=list)  # messages about links left empty
    replayed: bool = False


def copy_forward_skp(
    session: Session,
    skp: Skp,
    *,
    actor,
    source: Skp | None = None,
    request_key: str | None = None,
) -> CopyReport:
    """Copy RHK, IKI and lampiran from last year's SKP into an empty draft SKP.

    A link is re-pointed only when it is still valid this year: a non-JPT RHK's superior RHK is
    re-pointed to the RHK the penilai copied forward from it into this year's SKP; a JPT RHK's
    sasaran is kept when it is an OPD sasaran of the own OPD valid this year. Otherwise the
    link is left empty and reported.
    """
    _require_editor(actor, skp)
    key = _check_request_key(request_key)
    stored = _stored_request(session, key, "skp.copy_forward")
    if stored is not None:
        return CopyReport(**{**stored.result, "replayed": True})
    _check_editable(skp)
    tahun = skp.periode.tahun
    if source is None:
        source = session.scalar(
            select(Skp)
            .join(Periode, Skp.periode_id == Periode.id)
            .where(Skp.pegawai_id == skp.pegawai_id, Periode.tahun == tahun - 1)
            .order_by(Skp.is_current.desc(), Skp.tanggal_selesai.desc(), Skp.id.desc())
            .limit(1)
        )
    if source is None:
        raise WorkflowError(f"Tidak ada SKP tahun {tahun - 1} untuk disalin.")
    if source.pegawai_id != skp.pegawai_id or source.id == skp.id:
        raise PlanningForbidden("Hanya SKP milik pegawai yang sama yang dapat disalin.")
    if session.scalar(select(func.count()).where(Rhk.skp_id == skp.id)):
        raise WorkflowError(
            "SKP ini sudah berisi RHK. Salin dari tahun lalu hanya untuk SKP yang masih kosong."
        )
    src_rhk = list(
        session.scalars(
            select(Rhk)
            .where(Rhk.skp_id == source.id)
            .options(selectinload(Rhk.iki))
            .order_by(Rhk.jenis.desc(), Rhk.urutan, Rhk.id)
        )
    )
    repoint: dict[int, int] = {}
    if not skp.is_jpt and skp.penilai_pegawai_id is not None:
        parent_ids = [r.parent_rhk_id for r in src_rhk if r.parent_rhk_id]
        if parent_ids:
            repoint = dict(
                session.execute(
                    select(Rhk.copied_from_rhk_id, Rhk.id)
                    .join(Skp, Rhk.skp_id == Skp.id)
                    .where(
                        Skp.pegawai_id == skp.penilai_pegawai_id,
                        Skp.periode_id == skp.periode_id,
                        Skp.is_current == true(),
                        Rhk.copied_from_rhk_id.in_(parent_ids),
                    )
                ).all()
            )
    sasaran_ok: set[int] = set()
    if skp.is_jpt:
        ids = [r.parent_sasaran_id for r in src_rhk if r.parent_sasaran_id]
        sasaran_ok = set(
            session.scalars(
                select(Sasaran.id).where(
                    Sasaran.id.in_(ids or [-1]),
                    Sasaran.level == "opd",
                    Sasaran.opd_id == skp.opd_id,
                    Sasaran.tahun_awal <= tahun,
                    Sasaran.tahun_akhir >= tahun,
                )
            )
        )
    report = CopyReport(source_skp_id=source.id)
    for r in src_rhk:
        new = Rhk(
            skp_id=skp.id,
            jenis=r.jenis,
            urutan=r.urutan,
            teks=r.teks,
            cascading=r.cascading,
            copied_from_rhk_id=r.id,
        )
        if skp.is_jpt:
            new.perspektif = r.perspektif
            if r.parent_sasaran_id in sasaran_ok:
                new.parent_sasaran_id = r.parent_sasaran_id
            elif r.parent_sasaran_id or r.jenis == "utama":
                report.unlinked.append(
                    f'RHK "{_short(r.teks)}": sasaran Perjanjian Kinerja tahun lalu tidak '
                    f"berlaku lagi untuk OPD ini pada {tahun}; pilih ulang."
                )
        else:
            if r.parent_rhk_id and r.parent_rhk_id in repoint:
                new.parent_rhk_id = repoint[r.parent_rhk_id]
            elif r.parent_rhk_id or r.jenis == "utama":
                report.unlinked.append(
                    f'RHK "{_short(r.teks)}": RHK atasan yang diintervensi tidak ditemukan di '
                    f"SKP pejabat penilai tahun {tahun}; pilih ulang."
                )
        new.iki = [
            Iki(
                aspek=i.aspek,
                urutan=i.urutan,
                teks=i.teks,
                target=i.target,
                target_max=i.target_max,
                target_teks=i.target_teks,
                satuan=i.satuan,
                lower_is_better=i.lower_is_better,
            )
            for i in r.iki
        ]
        report.iki_count += len(new.iki)
        session.add(new)
        report.rhk_count += 1
    for lp in source.lampiran:
        session.add(SkpLampiran(skp_id=skp.id, bagian=lp.bagian, urutan=lp.urutan, teks=lp.teks))
        report.lampiran_count += 1
    skp.updated_at = utcnow()
    session.flush()
    session.expire(skp, ["rhk", "lampiran"])
    _notify_rhk_saved(
        list(
            session.scalars(
                select(Rhk.id).where(Rhk.skp_id == skp.id, Rhk.copied_from_rhk_id.is_not(None))
            )
        )
    )
    result = asdict(report)
    result.pop("replayed")
    _remember_request(session, key, "skp.copy_forward", actor, result)
    record(
        session,
        "skp.copy_forward",
        "skp",
        skp.id,
        actor=actor,
        after={
            "source_skp_id": source.id,
            "rhk": report.rhk_count,
            "unlinked": len(report.unlinked),
        },
        summary=f"Menyalin {report.rhk_count} RHK dari SKP {tahun - 1}",
    )
    session.flush()
    return report


# --- goals import ----------------------------------------------------------------------------


@dataclass
class ImportIssue:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Baris {self.row}" if self.row else "Berkas"
        return f'{where}, kolom "{self.column}": {self.message}'


class GoalImportError(PlanningError):
    """The import file has invalid rows; ``issues`` lists each (row, column, message)."""

    def __init__(self, issues: list[ImportIssue]):
        self.issues = issues
        super().__init__(f"{len(issues)} kesalahan pada berkas; tidak ada data yang disimpan.")


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    indikator: int = 0
    targets: int = 0
    replayed: bool = False


_YA = {
    "ya": True,
    "y": True,
    "yes": True,
    "1": True,
    "true": True,
    "tidak": False,
    "t": False,
    "no": False,
    "0": False,
    "false": False,
    "": False,
}
_RANGE_RE = re.compile(r"^\s*(-?[\d.,]+)\s*(?:-|–|—|s\.?\s?d\.?|sampai)\s*(-?[\d.,]+)\s*$", re.I)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value).strip()


def _cell_range(value) -> tuple[Decimal | None, Decimal | None]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, str):
        m = _RANGE_RE.match(value)
        if m:
            return parse_angka(m.group(1)), parse_angka(m.group(2))
    return parse_angka(value), None


def import_goals(
    session: Session,
    rows: list[dict],
    years: list[int],
    *,
    level: str,
    opd_id: int | None,
    actor,
    request_key: str | None = None,
) -> ImportSummary:
    """Import goals rows (parsed from the XLSX template) all-or-nothing.

    Every row is validated first; any invalid row raises :class:`GoalImportError` listing
    each problem as (row number, column, Indonesian message) and nothing is written. Goals are
    matched by ``kode`` within the level (and OPD): existing ones are updated, new ones created;
    indicators are matched by their text; nothing is deleted.
    """
    _require(
        perm.can_manage_goals(actor, level, opd_id),
        "Anda tidak berhak mengimpor sasaran untuk tingkat/OPD ini.",
    )
    key = _check_request_key(request_key)
    stored = _stored_request(session, key, "sasaran.import")
    if stored is not None:
        return ImportSummary(**{**stored.result, "replayed": True})
    issues: list[ImportIssue] = []

    def bad(row: int, column: str, message: str) -> None:
        issues.append(ImportIssue(row, column, message))

    if level not in LEVEL_JENIS:
        raise PlanningValidationError({"level": ["Tingkat sasaran tidak dikenal."]})
    if level == "opd":
        opd = session.get(UnitOrganisasi, opd_id) if opd_id else None
        if opd is None or not opd.is_opd:
            raise PlanningValidationError({"opd_id": ["Pilih perangkat daerah (OPD)."]})
    if not rows:
        raise GoalImportError([ImportIssue(0, "-", "Berkas tidak berisi baris data.")])
    tahun_awal, tahun_akhir = min(years), max(years)
    if tahun_akhir - tahun_awal > 9 or tahun_awal < 2000 or tahun_akhir > 2100:
        raise GoalImportError(
            [
                ImportIssue(
                    1, "target_<tahun>", "Kolom target harus dalam rentang 10 tahun (2000–2100)."
                )
            ]
        )
    scope = select(Sasaran).where(Sasaran.level == level)
    if level == "opd":
        scope = scope.where(Sasaran.opd_id == opd_id)
    stored_goals = {
        s.kode: s
        for s in session.scalars(
            scope.options(selectinload(Sasaran.indikator).selectinload(IndikatorSasaran.targets))
        )
        if s.kode
    }
    regent = {}
    if level == "opd":
        regent = {
            s.kode: s
            for s in session.scalars(
                select(Sasaran).where(
                    Sasaran.level == "regent", Sasaran.jenis.in_(("tujuan", "sasaran"))
                )
            )
            if s.kode
        }
    goals: dict[str, dict] = {}  # kode -> first row's values
    seen_ind: dict[tuple[str, str], int] = {}
    allowed = LEVEL_JENIS[level]
    for row in rows:
        n = row.get("_row", 0)
        kode = _cell_text(row.get("kode"))
        jenis = _cell_text(row.get("jenis")).lower()
        induk = _cell_text(row.get("kode_induk"))
        uraian = _cell_text(row.get("uraian"))
        if not kode:
            bad(n, "kode", "Kode wajib diisi.")
            continue
        if len(kode) > 30:
            bad(n, "kode", "Kode maksimal 30 karakter.")
        if jenis not in allowed:
            bad(n, "jenis", f"Jenis harus salah satu dari: {', '.join(allowed)}.")
        if not uraian:
            bad(n, "uraian", "Uraian wajib diisi.")
        elif len(uraian) > MAX_TEXT:
            bad(n, "uraian", f"Uraian maksimal {MAX_TEXT} karakter.")
        first = goals.get(kode)
        if first is None:
            goals[kode] = {
                "row": n,
                "jenis": jenis,
                "induk": induk,
                "uraian": uraian,
                "support": _cell_text(row.get("kode_sasaran_rpjmd")),
                "indikator": [],
            }
            first = goals[kode]
        else:
            if uraian and uraian != first["uraian"]:
                bad(n, "uraian", f"Uraian berbeda dengan baris {first['row']} untuk kode {kode}.")
            if jenis != first["jenis"]:
                bad(n, "jenis", f"Jenis berbeda dengan baris {first['row']} untuk kode {kode}.")
            if induk != first["induk"]:
                bad(
                    n,
                    "kode_induk",
                    f"Kode induk berbeda dengan baris {first['row']} untuk kode {kode}.",
                )
        if level == "regent" and _cell_text(row.get("kode_sasaran_rpjmd")):
            bad(n, "kode_sasaran_rpjmd", "Kolom ini hanya untuk sasaran OPD; kosongkan.")
        teks = _cell_text(row.get("indikator"))
        satuan = _cell_text(row.get("satuan"))
        flags = {}
        for col in ("iku", "semakin_kecil_semakin_baik"):
            v = _cell_text(row.get(col)).lower()
            if v not in _YA:
                bad(n, col, "Isi Ya atau Tidak.")
            flags[col] = _YA.get(v, False)
        targets: dict[int, tuple[Decimal | None, Decimal | None]] = {}
        for tahun in years:
            col = f"target_{tahun}"
            try:
                lo, hi = _cell_range(row.get(col))
            except ValueError:
                bad(n, col, "Target harus berupa angka atau rentang (contoh: 75 atau 70 - 80).")
                continue
            if lo is not None and hi is not None and lo > hi:
                bad(n, col, "Batas bawah target lebih besar dari batas atas.")
            if lo is not None or hi is not None:
                targets[tahun] = (lo, hi)
        if teks:
            if not satuan:
                bad(n, "satuan", "Satuan wajib diisi bila indikator diisi.")
            if len(satuan) > 50:
                bad(n, "satuan", "Satuan maksimal 50 karakter.")
            dup = seen_ind.get((kode, teks.lower()))
            if dup is not None:
                bad(
                    n,
                    "indikator",
                    f"Indikator yang sama sudah ada di baris {dup} untuk kode {kode}.",
                )
            seen_ind[(kode, teks.lower())] = n
            first["indikator"].append(
                IndikatorInput(
                    teks=teks,
                    satuan=satuan,
                    is_iku=flags["iku"],
                    lower_is_better=flags["semakin_kecil_semakin_baik"],
                    targets=targets,
                )
            )
        elif targets or satuan:
            bad(n, "indikator", "Satuan/target diisi tetapi indikator kosong.")
    # Cross-row checks: parents and supported regent goals.
    for kode, g in goals.items():
        n = g["row"]
        if g["jenis"] not in allowed:
            continue  # already reported; parent rules depend on a valid jenis
        if g["induk"]:
            if g["induk"] == kode:
                bad(n, "kode_induk", "Kode induk tidak boleh sama dengan kode sendiri.")
            else:
                pj = (
                    goals[g["induk"]]["jenis"]
                    if g["induk"] in goals
                    else (stored_goals[g["induk"]].jenis if g["induk"] in stored_goals else None)
                )
                want = PARENT_JENIS.get((level, g["jenis"]))
                if pj is None:
                    bad(
                        n,
                        "kode_induk",
                        f"Induk dengan kode {g['induk']} tidak ditemukan di "
                        "berkas maupun di data tersimpan.",
                    )
                elif want is None:
                    bad(
                        n,
                        "kode_induk",
                        f"{SASARAN_JENIS.get(g['jenis'], g['jenis'])} tidak "
                        "memiliki induk; kosongkan kolom ini.",
                    )
                elif pj != want:
                    bad(
                        n,
                        "kode_induk",
                        f"Induk {g['jenis']} harus berupa {want} (kode {g['induk']} adalah {pj}).",
                    )
        if level == "opd":
            if g["support"]:
                if g["support"] not in regent:
                    bad(
                        n,
                        "kode_sasaran_rpjmd",
                        f"Tujuan/sasaran RPJMD dengan kode {g['support']} tidak ditemukan.",
                    )
            elif g["jenis"] == "sasaran":
                bad(n, "kode_sasaran_rpjmd", "Wajib diisi: kode sasaran RPJMD yang didukung.")
    if issues:
        issues.sort(key=lambda i: (i.row, i.column))
        raise GoalImportError(issues)

    summary = ImportSummary()
    rank = {j: i for i, j in enumerate(allowed)}
    by_kode: dict[str, Sasaran] = dict(stored_goals)
    for kode, g in sorted(goals.items(), key=lambda kv: (rank[kv[1]["jenis"]], kv[1]["row"])):
        s = stored_goals.get(kode)
        if s is None:
            s = Sasaran(level=level, opd_id=opd_id if level == "opd" else None, kode=kode)
            session.add(s)
            summary.created += 1
        else:
            summary.updated += 1
        s.jenis, s.teks = g["jenis"], g["uraian"]
        s.tahun_awal, s.tahun_akhir = tahun_awal, tahun_akhir
        s.parent = by_kode[g["induk"]] if g["induk"] else None
        s.supports = regent.get(g["support"]) if level == "opd" and g["support"] else None
        _apply_indikator(session, s, g["indikator"], replace=False)
        summary.indikator += len(g["indikator"])
        summary.targets += sum(
            1 for i in g["indikator"] for lo, hi in i.targets.values() if lo is not None
        )
        by_kode[kode] = s
        session.flush()
    result = asdict(summary)
    result.pop("replayed")
    _remember_request(session, key, "sasaran.import", actor, result)
    record(
        session,
        "sasaran.import",
        "sasaran",
        opd_id or 0,
        actor=actor,
        after=result,
        summary=f"Impor sasaran {'RPJMD' if level == 'regent' else 'OPD'}: "
        f"{summary.created} baru, {summary.updated} diperbarui",
    )
    session.flush()
    return summary
