"""Realization and daily-activity operations: the business rules and writes.

Every operation checks the object's state and the actor's right to act, writes an audit event,
``flush()``-es and leaves the commit to the caller (view, API, CLI). Refusals raise a
:class:`RealizationError` subclass with an Indonesian message:

* :class:`RealizationForbidden` (HTTP 403) — the actor may not act on this object;
* :class:`RealizationStateError` (HTTP 409) — the object's state (locked, past the deadline, SKP
  not approved) does not allow it;
* :class:`RealizationValidationError` (HTTP 422) — bad input, with per-field messages.

Replayed requests are harmless: verifying a verified realization, approving an approved
activity or re-sending the very same activity changes nothing and returns ``False`` / the
existing row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import event, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from skp_app.audit.operations import record, record_many, snapshot
from skp_app.org.models import Pegawai, UnitOrganisasi
from skp_app.org.queries import direct_superior
from skp_app.planning.models import Iki, Rhk, Skp
from skp_app.realization import permissions as perm
from skp_app.realization.models import Aktivitas, Bukti, KatalogAktivitas, Realisasi
from skp_app.realization.queries import (
    DEFAULT_DEADLINE_DAYS,
    DEFAULT_WORKING_MINUTES,
    current_skp,
    instansi_settings,
    month_bounds,
    setting_number,
)
from skp_app.realization.rollup import BULAN, format_number
from skp_app.realization.scoring import activity_points
from skp_app.realization.settings import holiday_dates, working_days_between
from skp_app.realization.uploads import (
    UploadError,
    UploadLimits,
    evidence_path,
    nearest_office,
    store_upload,
    validate_link,
)
from skp_app.timeutil import WIB, utcnow

__all__ = [
    "MAX_EVIDENCE",
    "BulkResult",
    "RealizationError",
    "RealizationForbidden",
    "RealizationStateError",
    "RealizationValidationError",
    "approve_activities",
    "approve_activity",
    "attach_evidence",
    "compute_activity_minutes",
    "delete_activity",
    "delete_evidence",
    "is_past_deadline",
    "log_activity",
    "parse_nilai",
    "record_realization",
    "reject_activity",
    "reject_realization",
    "reopen_realization",
    "save_realization_entry",
    "submit_activity",
    "today_wib",
    "update_activity",
    "verify_realization",
    "working_days_after",
]

MAX_EVIDENCE = 10
DEFAULT_OFFICE_RADIUS_M = 200
REALISASI_FIELDS = ("nilai", "catatan", "status", "verify_note", "verified_by_pegawai_id")
AKTIVITAS_FIELDS = (
    "tanggal",
    "jam_mulai",
    "jam_selesai",
    "menit",
    "uraian",
    "rhk_id",
    "katalog_id",
    "volume",
    "poin",
    "status",
    "approver_pegawai_id",
    "reject_reason",
    "flags",
)


class RealizationError(Exception):
    """A realization or activity operation was refused; the message is for the user."""

    status_code = 400

    @property
    def message(self) -> str:
        return str(self)


class RealizationForbidden(RealizationError):
    """The actor may not act on this object (HTTP 403)."""

    status_code = 403


class RealizationStateError(RealizationError):
    """The object's state does not allow the action (HTTP 409)."""

    status_code = 409


class RealizationValidationError(RealizationError):
    """Invalid input; ``fields`` maps a form field to its Indonesian messages (HTTP 422)."""

    status_code = 422

    def __init__(self, fields: dict[str, list[str]] | None = None, message: str | None = None):
        self.fields = {k: list(v) for k, v in (fields or {}).items()}
        if message is None:
            first = next(iter(self.fields.values()), ["Isian tidak valid."])
            message = first[0] if first else "Isian tidak valid."
        super().__init__(message)

    def messages(self) -> list[str]:
        return [m for msgs in self.fields.values() for m in msgs] or [str(self)]


# --- helpers ---------------------------------------------------------------------------------


def today_wib() -> date:
    """Return today's date in WIB (the deadline and "not in the future" rules use it)."""
    return datetime.now(WIB).date()


def _tgl(d: date) -> str:
    return f"{d.day} {BULAN[d.month]} {d.year}"


def _jam(t: time) -> str:
    return t.strftime("%H.%M")


def _actor_pid(actor) -> int | None:
    return getattr(actor, "pegawai_id", None)


def parse_nilai(text: str | Decimal | int | float | None) -> Decimal | None:
    """Parse a realisasi value typed the Indonesian way (``1.234,5``) or plainly (``12.5``).

    Returns None for an empty value; raises :class:`RealizationValidationError` otherwise.

    >>> parse_nilai("1.234,5"), parse_nilai("12,5"), parse_nilai("1.500"), parse_nilai("2.5")
    (Decimal('1234.5'), Decimal('12.5'), Decimal('1500'), Decimal('2.5'))
    """
    if text is None:
        return None
    if isinstance(text, Decimal | int | float) and not isinstance(text, bool):
        value = Decimal(str(text))
    else:
        raw = str(text).strip().replace(" ", "")
        if not raw:
            return None
        if "," in raw:
            raw = raw.replace(".", "").replace(",", ".")
        elif re.fullmatch(r"\d{1,3}(\.\d{3})+", raw):
            raw = raw.replace(".", "")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise RealizationValidationError(
                {"nilai": [f"“{text}” bukan angka. Contoh penulisan: 12 atau 12,5."]}
            ) from None
    if not value.is_finite():
        raise RealizationValidationError({"nilai": ["Nilai realisasi harus berupa angka."]})
    if value < 0:
        raise RealizationValidationError({"nilai": ["Nilai realisasi tidak boleh negatif."]})
    if abs(value) >= Decimal("1e14"):
        raise RealizationValidationError({"nilai": ["Nilai realisasi terlalu besar."]})
    return value


# Files written in a transaction are removed if it rolls back; files of deleted evidence are
# removed only once the deletion is committed.
_NEW_FILES = "skp_realization_new_files"
_DELETED_FILES = "skp_realization_deleted_files"


@event.listens_for(Session, "after_commit")
def _after_commit(session) -> None:
    session.info.pop(_NEW_FILES, None)
    for path in session.info.pop(_DELETED_FILES, []):
        Path(path).unlink(missing_ok=True)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session) -> None:
    session.info.pop(_DELETED_FILES, None)
    for path in session.info.pop(_NEW_FILES, []):
        Path(path).unlink(missing_ok=True)


# --- realizations ----------------------------------------------------------------------------


def _month_label(tahun: int, bulan: int) -> str:
    return f"{BULAN[bulan]} {tahun}"


def _check_realization_month(skp: Skp, tahun: int, bulan: int, today: date) -> None:
    if not (isinstance(bulan, int) and 1 <= bulan <= 12):
        raise RealizationValidationError({"bulan": ["Bulan harus 1–12."]})
    first, last = month_bounds(tahun, bulan)
    if last < skp.tanggal_mulai or first > skp.tanggal_selesai:
        raise RealizationValidationError(
            {
                "bulan": [
                    f"Bulan {_month_label(tahun, bulan)} berada di luar masa SKP "
                    f"({_tgl(skp.tanggal_mulai)} – {_tgl(skp.tanggal_selesai)})."
                ]
            }
        )
    if (tahun, bulan) > (today.year, today.month):
        raise RealizationValidationError(
            {
                "bulan": [
                    f"Realisasi bulan {_month_label(tahun, bulan)} belum dapat diisi karena "
                    "bulan tersebut belum berjalan."
                ]
            }
        )


def _check_skp_recordable(skp: Skp) -> None:
    if not skp.is_current or skp.status != "disetujui":
        label = "Ditutup" if not skp.is_current else skp.status_label
        raise RealizationStateError(
            "Realisasi hanya dapat dicatat pada SKP yang berlaku dan sudah disetujui "
            f"(status SKP ini: {label})."
        )


def _locked_message(iki: Iki, r: Realisasi) -> str:
    return (
        f"Realisasi IKI “{iki.teks}” bulan {_month_label(r.tahun, r.bulan)} sudah diverifikasi "
        "dan terkunci. Minta pejabat penilai membukanya kembali bila perlu diubah."
    )


def record_realization(
    session: Session,
    skp: Skp,
    iki: Iki,
    *,
    tahun: int,
    bulan: int,
    nilai: Decimal | str | None,
    catatan: str = "",
    submit: bool = True,
    actor,
    today: date | None = None,
) -> Realisasi:
    """Create or update the realization of one IKI in one month, as draft or submitted.

    Only on the approved current SKP, for a month inside the SKP's dates that has started.
    A verified realization is locked. Re-sending the same submitted values is a no-op.

    Raises
    ------
    RealizationForbidden, RealizationStateError, RealizationValidationError
    """
    today = today or today_wib()
    if not perm.can_record_realization(actor, skp):
        raise RealizationForbidden("Anda tidak berhak mencatat realisasi SKP ini.")
    rhk = session.get(Rhk, iki.rhk_id)
    if rhk is None or rhk.skp_id != skp.id:
        raise RealizationValidationError({"iki_id": ["IKI ini bukan bagian dari SKP tersebut."]})
    _check_skp_recordable(skp)
    _check_realization_month(skp, tahun, bulan, today)
    value = parse_nilai(nilai)
    catatan = (catatan or "").strip()
    errors: dict[str, list[str]] = {}
    if iki.target is not None and value is None:
        errors["nilai"] = ["Nilai realisasi wajib diisi."]
    if iki.target is None and value is None and not catatan:
        errors["catatan"] = ["Untuk IKI kualitatif, uraikan realisasinya pada catatan."]
    if len(catatan) > 4000:
        errors["catatan"] = ["Catatan terlalu panjang (maksimal 4.000 karakter)."]
    if errors:
        raise RealizationValidationError(errors)
    if submit and skp.penilai_pegawai_id is None:
        raise RealizationStateError(
            "SKP ini belum memiliki pejabat penilai, sehingga realisasi belum dapat diajukan."
        )

    existing = session.scalar(
        select(Realisasi).where(
            Realisasi.iki_id == iki.id, Realisasi.tahun == tahun, Realisasi.bulan == bulan
        )
    )
    if existing is None:
        realisasi = Realisasi(
            iki_id=iki.id,
            skp_id=skp.id,
            tahun=tahun,
            bulan=bulan,
            nilai=value,
            catatan=catatan,
            status="diajukan" if submit else "draft",
        )
        session.add(realisasi)
        try:
            session.flush()
        except IntegrityError:
            # Another request created the same IKI × month meanwhile (unique constraint). No
            # savepoint here: SQLite's driver would commit it; the caller rolls back instead.
            raise RealizationStateError(
                "Realisasi bulan ini baru saja dicatat dari sesi lain. Muat ulang halaman lalu "
                "ulangi bila perlu."
            ) from None
        record(
            session,
            "realisasi.create",
            "realisasi",
            realisasi.id,
            actor=actor,
            after=snapshot(realisasi, REALISASI_FIELDS),
            summary=f"Realisasi {iki.teks} {_month_label(tahun, bulan)} dicatat",
        )
        return realisasi

    realisasi = existing
    if realisasi.status == "terverifikasi":
        raise RealizationStateError(_locked_message(iki, realisasi))
    new_status = "diajukan" if submit else "draft"
    same_value = (realisasi.nilai is None and value is None) or (
        realisasi.nilai is not None and value is not None and Decimal(realisasi.nilai) == value
    )
    if same_value and realisasi.catatan == catatan and realisasi.status == new_status:
        return realisasi
    before = snapshot(realisasi, REALISASI_FIELDS)
    realisasi.nilai = value
    realisasi.catatan = catatan
    realisasi.status = new_status
    realisasi.verify_note = realisasi.verify_note if new_status == "draft" else None
    realisasi.updated_at = utcnow()
    session.flush()
    record(
        session,
        "realisasi.update",
        "realisasi",
        realisasi.id,
        actor=actor,
        before=before,
        after=snapshot(realisasi, REALISASI_FIELDS),
        summary=f"Realisasi {iki.teks} {_month_label(tahun, bulan)} diubah",
    )
    return realisasi


def _skp_of(session: Session, realisasi: Realisasi) -> Skp:
    skp = session.get(Skp, realisasi.skp_id)
    if skp is None:  # pragma: no cover - FK guarantees it
        raise RealizationStateError("SKP realisasi ini tidak ditemukan.")
    return skp


def verify_realization(session: Session, realisasi: Realisasi, *, note: str = "", actor) -> bool:
    """Verify a submitted realization (pejabat penilai only); it is then locked.

    Returns False when it was already verified (a replayed request).
    """
    skp = _skp_of(session, realisasi)
    if not perm.can_verify_realization(actor, skp):
        raise RealizationForbidden("Hanya pejabat penilai SKP ini yang dapat memverifikasi.")
    if realisasi.status == "terverifikasi":
        return False
    if realisasi.status != "diajukan":
        raise RealizationStateError(
            "Hanya realisasi yang sudah diajukan yang dapat diverifikasi "
            f"(status saat ini: {_realisasi_label(realisasi.status)})."
        )
    before = snapshot(realisasi, REALISASI_FIELDS)
    realisasi.status = "terverifikasi"
    realisasi.verified_by_pegawai_id = _actor_pid(actor)
    realisasi.verified_at = utcnow()
    realisasi.verify_note = (note or "").strip()[:2000] or None
    session.flush()
    record(
        session,
        "realisasi.verify",
        "realisasi",
        realisasi.id,
        actor=actor,
        before=before,
        after=snapshot(realisasi, REALISASI_FIELDS),
        summary=f"Realisasi {_month_label(realisasi.tahun, realisasi.bulan)} diverifikasi",
    )
    return True


def reject_realization(session: Session, realisasi: Realisasi, *, note: str, actor) -> bool:
    """Reject a submitted realization with a required note; the owner may then correct it.

    Returns False when it was already rejected (a replayed request).
    """
    skp = _skp_of(session, realisasi)
    if not perm.can_verify_realization(actor, skp):
        raise RealizationForbidden("Hanya pejabat penilai SKP ini yang dapat menolak realisasi.")
    note = (note or "").strip()
    if not note:
        raise RealizationValidationError({"catatan": ["Alasan penolakan wajib diisi."]})
    if realisasi.status == "ditolak":
        return False
    if realisasi.status != "diajukan":
        raise RealizationStateError(
            "Hanya realisasi yang sudah diajukan yang dapat ditolak "
            f"(status saat ini: {_realisasi_label(realisasi.status)})."
        )
    before = snapshot(realisasi, REALISASI_FIELDS)
    realisasi.status = "ditolak"
    realisasi.verified_by_pegawai_id = _actor_pid(actor)
    realisasi.verified_at = utcnow()
    realisasi.verify_note = note[:2000]
    session.flush()
    record(
        session,
        "realisasi.reject",
        "realisasi",
        realisasi.id,
        actor=actor,
        before=before,
        after=snapshot(realisasi, REALISASI_FIELDS),
        summary=f"Realisasi {_month_label(realisasi.tahun, realisasi.bulan)} ditolak",
    )
    return True


def reopen_realization(session: Session, realisasi: Realisasi, *, note: str, actor) -> bool:
    """Unlock a verified realization (pejabat penilai, with a reason) so the owner can edit it.

    Returns False when it is not verified any more (a replayed request).
    """
    skp = _skp_of(session, realisasi)
    if not perm.can_reopen_realization(actor, skp):
        raise RealizationForbidden("Hanya pejabat penilai SKP ini yang dapat membuka kunci.")
    note = (note or "").strip()
    if not note:
        raise RealizationValidationError({"catatan": ["Alasan membuka kunci wajib diisi."]})
    if realisasi.status != "terverifikasi":
        return False
    before = snapshot(realisasi, REALISASI_FIELDS)
    realisasi.status = "draft"
    realisasi.verify_note = note[:2000]
    realisasi.verified_at = None
    session.flush()
    record(
        session,
        "realisasi.reopen",
        "realisasi",
        realisasi.id,
        actor=actor,
        before=before,
        after=snapshot(realisasi, REALISASI_FIELDS),
        summary=f"Kunci realisasi {_month_label(realisasi.tahun, realisasi.bulan)} dibuka",
    )
    return True


def _realisasi_label(status: str) -> str:
    from skp_app.realization.models import REALISASI_STATUS

    return REALISASI_STATUS.get(status, status)


# --- evidence --------------------------------------------------------------------------------


def _reference_date(target) -> tuple[str, date | tuple[int, int]]:
    if isinstance(target, Aktivitas):
        return "aktivitas", target.tanggal
    return "realisasi", (target.tahun, target.bulan)


def _date_flag(bukti: Bukti, target) -> None:
    flags = [f for f in (bukti.flags or []) if f != "date_mismatch"]
    detail = {k: v for k, v in (bukti.flag_detail or {}).items() if k != "date_mismatch"}
    if bukti.kind == "image" and bukti.captured_at is not None:
        kind, ref = _reference_date(target)
        shot = bukti.captured_at.date()
        if kind == "aktivitas" and shot != ref:
            flags.append("date_mismatch")
            detail["date_mismatch"] = {"foto": shot.isoformat(), "kegiatan": ref.isoformat()}
        elif kind == "realisasi" and (shot.year, shot.month) != ref:
            flags.append("date_mismatch")
            detail["date_mismatch"] = {
                "foto": shot.isoformat(),
                "bulan": f"{ref[0]:04d}-{ref[1]:02d}",
            }
    bukti.flags = sorted(set(flags))
    bukti.flag_detail = detail


def _refresh_activity_flags(aktivitas: Aktivitas) -> None:
    flags: set[str] = set()
    for b in aktivitas.bukti:
        _date_flag(b, aktivitas)
        flags.update(b.flags or [])
    aktivitas.flags = sorted(flags)


def _check_evidence_target(session: Session, target, actor, today: date, settings: dict):
    """Return (owner pegawai id, existing evidence) after checking that evidence may change."""
    if isinstance(target, Aktivitas):
        if not perm.can_record_activity(actor, target.pegawai):
            raise RealizationForbidden(
                "Hanya pemilik kegiatan yang dapat mengubah bukti dukungnya."
            )
        if target.status == "disetujui":
            raise RealizationStateError(
                "Kegiatan yang sudah disetujui terkunci; bukti dukungnya tidak dapat diubah."
            )
        _check_deadline(target.tanggal, today, settings)
        return target.pegawai_id, list(target.bukti)
    skp = _skp_of(session, target)
    if not perm.can_record_realization(actor, skp):
        raise RealizationForbidden("Anda tidak berhak mengubah bukti dukung realisasi ini.")
    if target.status == "terverifikasi":
        iki = session.get(Iki, target.iki_id)
        raise RealizationStateError(_locked_message(iki, target))
    _check_skp_recordable(skp)
    return skp.pegawai_id, list(target.bukti)


def attach_evidence(
    session: Session,
    target: Realisasi | Aktivitas,
    *,
    stream: BinaryIO | None = None,
    filename: str | None = None,
    url: str | None = None,
    nama: str = "",
    limits: UploadLimits | None = None,
    actor,
    today: date | None = None,
) -> Bukti:
    """Attach one piece of evidence (an uploaded file or a link) to a realization or activity.

    Files are checked by content and stored by :func:`skp_app.realization.uploads.store_upload`.
    A photo is *flagged* (never refused) for the superior when its capture date differs from the
    activity's date (or the realization's month) — ``date_mismatch`` —, when it was taken
    farther from every configured office than its radius — ``far_from_office`` —, when the same
    photo is already evidence of another activity or realization of the employee —
    ``reused_photo`` —, or when it carries no capture time — ``no_exif``.
    """
    today = today or today_wib()
    owner_id = target.pegawai_id if isinstance(target, Aktivitas) else None
    if owner_id is None and isinstance(target, Realisasi):
        owner_id = _skp_of(session, target).pegawai_id
    owner = session.get(Pegawai, owner_id)
    settings = instansi_settings(session, owner)
    owner_id, existing = _check_evidence_target(session, target, actor, today, settings)
    if len(existing) >= MAX_EVIDENCE:
        raise RealizationValidationError(
            {"berkas": [f"Paling banyak {MAX_EVIDENCE} bukti dukung untuk satu isian."]}
        )
    link_field = "tautan"
    bukti = Bukti(owner_pegawai_id=owner_id, flags=[], flag_detail={})
    if isinstance(target, Aktivitas):
        bukti.aktivitas_id = target.id
    else:
        bukti.realisasi_id = target.id

    if stream is None:
        try:
            bukti.url = validate_link(url)
        except UploadError as exc:
            raise RealizationValidationError({link_field: [str(exc)]}) from None
        if any(b.kind == "link" and b.url == bukti.url for b in existing):
            raise RealizationValidationError(
                {link_field: ["Tautan yang sama sudah dilampirkan pada isian ini."]}
            )
        bukti.kind = "link"
        bukti.nama = (nama or "").strip()[:200] or bukti.url[:200]
    else:
        if limits is None:
            raise ValueError("limits are required to store an upload")
        try:
            stored = store_upload(stream, filename, limits)
        except UploadError as exc:
            raise RealizationValidationError({"berkas": [str(exc)]}) from None
        path = evidence_path(limits.upload_dir, stored.stored_name)
        session.info.setdefault(_NEW_FILES, []).append(str(path))
        if any(
            b.sha256 == stored.sha256 or b.source_sha256 == stored.source_sha256
            for b in existing
            if b.kind != "link"
        ):
            path.unlink(missing_ok=True)
            raise RealizationValidationError(
                {"berkas": [f"Berkas “{stored.nama}” sudah dilampirkan pada isian ini."]}
            )
        bukti.kind = stored.kind
        bukti.nama = ((nama or "").strip() or stored.nama)[:200]
        bukti.stored_name = stored.stored_name
        bukti.mime = stored.mime
        bukti.size = stored.size
        bukti.sha256 = stored.sha256
        bukti.source_sha256 = stored.source_sha256
        bukti.captured_at = stored.captured_at
        bukti.gps_lat = stored.gps_lat
        bukti.gps_lon = stored.gps_lon
        if stored.kind == "image":
            _image_flags(session, bukti, target, settings)

    session.add(bukti)
    session.flush()
    if isinstance(target, Aktivitas):
        session.refresh(target, ["bukti"])
        _refresh_activity_flags(target)
    session.flush()
    record(
        session,
        "bukti.create",
        "bukti",
        bukti.id,
        actor=actor,
        after=snapshot(
            bukti,
            [
                "kind",
                "nama",
                "url",
                "stored_name",
                "sha256",
                "realisasi_id",
                "aktivitas_id",
                "captured_at",
                "gps_lat",
                "gps_lon",
                "flags",
            ],
        ),
        summary=f"Bukti dukung “{bukti.nama}” dilampirkan",
    )
    return bukti


def _image_flags(session: Session, bukti: Bukti, target, settings: dict) -> None:
    flags: list[str] = []
    detail: dict = {}
    if bukti.captured_at is None:
        flags.append("no_exif")
    offices = settings.get("office_locations") or []
    if bukti.gps_lat is not None and bukti.gps_lon is not None and offices:
        found = nearest_office(float(bukti.gps_lat), float(bukti.gps_lon), offices)
        if found is not None:
            office, distance = found
            try:
                radius = float(office.get("radius_m") or DEFAULT_OFFICE_RADIUS_M)
            except (TypeError, ValueError):
                radius = DEFAULT_OFFICE_RADIUS_M
            if distance > radius:
                flags.append("far_from_office")
                detail["far_from_office"] = {
                    "kantor": str(office.get("nama") or "kantor"),
                    "jarak_m": round(distance),
                    "radius_m": round(radius),
                }
    same_target = (
        Bukti.aktivitas_id == target.id
        if isinstance(target, Aktivitas)
        else Bukti.realisasi_id == target.id
    )
    reused = session.execute(
        select(Bukti.id, Bukti.aktivitas_id, Bukti.realisasi_id)
        .where(
            Bukti.owner_pegawai_id == bukti.owner_pegawai_id,
            Bukti.kind == "image",
            or_(Bukti.source_sha256 == bukti.source_sha256, Bukti.sha256 == bukti.sha256),
            or_(Bukti.aktivitas_id.is_not(None), Bukti.realisasi_id.is_not(None)),
            ~same_target,
        )
        .order_by(Bukti.id)
        .limit(1)
    ).first()
    if reused is not None:
        flags.append("reused_photo")
        detail["reused_photo"] = {
            "bukti_id": reused.id,
            "aktivitas_id": reused.aktivitas_id,
            "realisasi_id": reused.realisasi_id,
        }
    bukti.flags = flags
    bukti.flag_detail = detail
    _date_flag(bukti, target)


def delete_evidence(
    session: Session,
    bukti: Bukti,
    *,
    limits: UploadLimits | None = None,
    actor,
    today: date | None = None,
) -> None:
    """Remove one piece of evidence (its file is deleted once the removal is committed)."""
    today = today or today_wib()
    target = None
    if bukti.aktivitas_id is not None:
        target = session.get(Aktivitas, bukti.aktivitas_id)
    elif bukti.realisasi_id is not None:
        target = session.get(Realisasi, bukti.realisasi_id)
    if target is None:
        raise RealizationStateError("Bukti dukung ini tidak terkait dengan isian mana pun.")
    owner = session.get(Pegawai, bukti.owner_pegawai_id)
    _check_evidence_target(session, target, actor, today, instansi_settings(session, owner))
    bukti_id = bukti.id
    before = snapshot(bukti, ["kind", "nama", "url", "stored_name", "realisasi_id", "aktivitas_id"])
    if bukti.stored_name and limits is not None:
        try:
            path = evidence_path(limits.upload_dir, bukti.stored_name)
        except UploadError:
            path = None
        if path is not None:
            session.info.setdefault(_DELETED_FILES, []).append(str(path))
    session.delete(bukti)
    session.flush()
    if isinstance(target, Aktivitas):
        session.refresh(target, ["bukti"])
        _refresh_activity_flags(target)
        session.flush()
    record(
        session,
        "bukti.delete",
        "bukti",
        bukti_id,
        actor=actor,
        before=before,
        summary=f"Bukti dukung “{before['nama']}” dihapus",
    )


# --- daily activities ------------------------------------------------------------------------


def working_days_after(day: date, today: date, holidays: Iterable[date] = ()) -> int:
    """Count the working days (Monday–Friday, not a holiday) after ``day`` up to ``today``.

    >>> working_days_after(date(2026, 3, 6), date(2026, 3, 9))  # Friday → Monday
    1
    """
    return working_days_between(day, today, holidays)


def is_past_deadline(
    day: date, today: date, deadline_days: int, holidays: Iterable[date] = ()
) -> bool:
    """Whether an activity of ``day`` is locked: more than ``deadline_days`` working days ago."""
    return working_days_after(day, today, holidays) > deadline_days


def _check_deadline(day: date, today: date, settings: dict) -> None:
    days = setting_number(settings, "activity_deadline_days", DEFAULT_DEADLINE_DAYS)
    if is_past_deadline(day, today, days, holiday_dates(settings.get("hari_libur"))):
        raise RealizationStateError(
            f"Kegiatan tanggal {_tgl(day)} sudah melewati batas pelaporan {days} hari kerja dan "
            "terkunci: tidak dapat ditambah, diubah atau dihapus."
        )


def compute_activity_minutes(
    jam_mulai: time, jam_selesai: time, menit_standar: int | None = None, volume: int = 1
) -> int:
    """Return the effective minutes: the time span, or standard minutes × volume capped by it.

    >>> compute_activity_minutes(time(8), time(10), 30, 3)
    90
    >>> compute_activity_minutes(time(8), time(10), 30, 5)
    120
    """
    span = (jam_selesai.hour * 60 + jam_selesai.minute) - (jam_mulai.hour * 60 + jam_mulai.minute)
    if menit_standar is None:
        return span
    return min(span, menit_standar * volume)


@dataclass
class _ActivityInput:
    tanggal: date
    jam_mulai: time
    jam_selesai: time
    uraian: str
    rhk: Rhk
    katalog: KatalogAktivitas | None
    volume: int
    menit: int


def _validate_activity(
    session: Session,
    pegawai: Pegawai,
    *,
    tanggal: date | None,
    jam_mulai: time | None,
    jam_selesai: time | None,
    uraian: str,
    rhk_id: int | None,
    katalog_id: int | None,
    volume: int | None,
    today: date,
    settings: dict,
    exclude_id: int | None = None,
) -> _ActivityInput:
    errors: dict[str, list[str]] = {}
    uraian = (uraian or "").strip()
    if not uraian:
        errors["uraian"] = ["Uraian kegiatan wajib diisi."]
    elif len(uraian) > 2000:
        errors["uraian"] = ["Uraian kegiatan terlalu panjang (maksimal 2.000 karakter)."]
    if tanggal is None:
        errors["tanggal"] = ["Tanggal kegiatan wajib diisi."]
    elif tanggal > today:
        errors["tanggal"] = ["Tanggal kegiatan tidak boleh di masa depan."]
    if jam_mulai is None:
        errors["jam_mulai"] = ["Jam mulai wajib diisi."]
    if jam_selesai is None:
        errors["jam_selesai"] = ["Jam selesai wajib diisi."]
    if jam_mulai is not None and jam_selesai is not None and jam_selesai <= jam_mulai:
        errors["jam_selesai"] = ["Jam selesai harus setelah jam mulai."]
    volume = 1 if volume is None else volume
    if not isinstance(volume, int) or volume < 1 or volume > 1000:
        errors["volume"] = ["Volume harus bilangan bulat 1–1.000."]

    rhk = None
    if rhk_id is None:
        errors["rhk_id"] = ["Pilih RHK yang didukung kegiatan ini."]
    else:
        skp = current_skp(session, pegawai.id)
        rhk = session.get(Rhk, rhk_id)
        if rhk is None or skp is None or rhk.skp_id != skp.id or skp.status == "ditutup":
            errors["rhk_id"] = ["RHK yang dipilih bukan bagian dari SKP Anda yang berlaku."]
    katalog = None
    if katalog_id:
        katalog = session.get(KatalogAktivitas, katalog_id)
        if (
            katalog is None
            or not katalog.is_active
            or (katalog.jabatan_id is not None and katalog.jabatan_id != pegawai.jabatan_id)
        ):
            errors["katalog_id"] = ["Kegiatan katalog tidak tersedia untuk jabatan Anda."]
            katalog = None
    if errors:
        raise RealizationValidationError(errors)

    _check_deadline(tanggal, today, settings)
    menit = compute_activity_minutes(
        jam_mulai, jam_selesai, katalog.menit_standar if katalog else None, volume
    )
    same_day = list(
        session.scalars(
            select(Aktivitas)
            .where(
                Aktivitas.pegawai_id == pegawai.id,
                Aktivitas.tanggal == tanggal,
                Aktivitas.status != "ditolak",
            )
            .order_by(Aktivitas.jam_mulai)
        )
    )
    if exclude_id is not None:
        same_day = [a for a in same_day if a.id != exclude_id]
    for other in same_day:
        if jam_mulai < other.jam_selesai and other.jam_mulai < jam_selesai:
            raise RealizationValidationError(
                {
                    "jam_mulai": [
                        f"Waktu kegiatan ({_jam(jam_mulai)}–{_jam(jam_selesai)}) bertumpang "
                        f"tindih dengan kegiatan “{_short(other.uraian)}” "
                        f"({_jam(other.jam_mulai)}–{_jam(other.jam_selesai)}) pada tanggal "
                        "yang sama."
                    ]
                }
            )
    cap = setting_number(settings, "working_minutes_per_day", DEFAULT_WORKING_MINUTES, minimum=1)
    used = sum(a.menit for a in same_day)
    if used + menit > cap:
        remaining = max(0, cap - used)
        raise RealizationValidationError(
            {
                "jam_selesai": [
                    f"Total menit kegiatan pada {_tgl(tanggal)} akan menjadi {used + menit} menit, "
                    f"melebihi batas {cap} menit kerja per hari. Sisa yang masih dapat dicatat: "
                    f"{remaining} menit."
                ]
            }
        )
    return _ActivityInput(tanggal, jam_mulai, jam_selesai, uraian, rhk, katalog, volume, menit)


def _short(text: str, n: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _multiplier(session: Session, pegawai: Pegawai) -> Decimal:
    """Return the workload multiplier of the employee's OPD (1 when unset)."""
    if pegawai.unit_id is None:
        return Decimal(1)
    unit = session.get(UnitOrganisasi, pegawai.unit_id)
    opd = session.get(UnitOrganisasi, unit.opd_id) if unit is not None and unit.opd_id else unit
    value = Decimal(str(opd.workload_multiplier)) if opd and opd.workload_multiplier else None
    return value if value is not None and value > 0 else Decimal(1)


def _approver(session: Session, pegawai: Pegawai) -> Pegawai:
    superior = direct_superior(session, pegawai)
    if superior is None:
        raise RealizationStateError(
            "Atasan langsung Anda belum tercatat, sehingga kegiatan belum dapat diajukan. "
            "Hubungi operator OPD atau BKPSDM."
        )
    return superior


def submit_activity(
    session: Session,
    pegawai: Pegawai,
    *,
    tanggal: date | None,
    jam_mulai: time | None,
    jam_selesai: time | None,
    uraian: str,
    rhk_id: int | None,
    katalog_id: int | None = None,
    volume: int | None = 1,
    actor,
    today: date | None = None,
) -> Aktivitas:
    """Log a daily activity and send it to the direct superior for approval.

    Points (SKP Cascade §11.5) = effective minutes × the OPD's workload multiplier; effective
    minutes are the time span, or the catalogue's standard minutes × volume capped by the span.
    Refused: a future date, a date past the instansi's deadline (``activity_deadline_days``
    working days, default 5), end not after start, a time overlapping another activity of the
    day, or a day total above ``working_minutes_per_day`` (default 450). Re-sending the same
    activity returns the existing one.
    """
    today = today or today_wib()
    if not perm.can_record_activity(actor, pegawai):
        raise RealizationForbidden("Kegiatan harian hanya dapat dicatat oleh pegawai sendiri.")
    if tanggal is not None and jam_mulai is not None and jam_selesai is not None:
        replay = session.scalar(
            select(Aktivitas).where(
                Aktivitas.pegawai_id == pegawai.id,
                Aktivitas.tanggal == tanggal,
                Aktivitas.jam_mulai == jam_mulai,
                Aktivitas.jam_selesai == jam_selesai,
                Aktivitas.status != "ditolak",
            )
        )
        if (
            replay is not None
            and replay.uraian == (uraian or "").strip()
            and (replay.rhk_id == rhk_id)
        ):
            return replay
    settings = instansi_settings(session, pegawai)
    data = _validate_activity(
        session,
        pegawai,
        tanggal=tanggal,
        jam_mulai=jam_mulai,
        jam_selesai=jam_selesai,
        uraian=uraian,
        rhk_id=rhk_id,
        katalog_id=katalog_id,
        volume=volume,
        today=today,
        settings=settings,
    )
    approver = _approver(session, pegawai)
    aktivitas = Aktivitas(
        pegawai_id=pegawai.id,
        tanggal=data.tanggal,
        jam_mulai=data.jam_mulai,
        jam_selesai=data.jam_selesai,
        menit=data.menit,
        uraian=data.uraian,
        rhk_id=data.rhk.id,
        katalog_id=data.katalog.id if data.katalog else None,
        volume=data.volume,
        poin=_points(data.menit, _multiplier(session, pegawai)),
        status="diajukan",
        approver_pegawai_id=approver.id,
        flags=[],
    )
    session.add(aktivitas)
    session.flush()
    record(
        session,
        "aktivitas.create",
        "aktivitas",
        aktivitas.id,
        actor=actor,
        after=snapshot(aktivitas, AKTIVITAS_FIELDS),
        summary=f"Kegiatan {_tgl(data.tanggal)} {_jam(data.jam_mulai)} dicatat",
    )
    return aktivitas


def _points(menit: int, multiplier: Decimal) -> Decimal:
    return activity_points(menit, multiplier).quantize(Decimal("0.01"))


def update_activity(
    session: Session,
    aktivitas: Aktivitas,
    *,
    tanggal: date | None,
    jam_mulai: time | None,
    jam_selesai: time | None,
    uraian: str,
    rhk_id: int | None,
    katalog_id: int | None = None,
    volume: int | None = 1,
    actor,
    today: date | None = None,
) -> Aktivitas:
    """Change a pending or rejected activity (it goes back to the superior); approved and
    past-deadline activities are locked."""
    today = today or today_wib()
    pegawai = aktivitas.pegawai
    if not perm.can_record_activity(actor, pegawai):
        raise RealizationForbidden("Hanya pemilik kegiatan yang dapat mengubahnya.")
    if aktivitas.status == "disetujui":
        raise RealizationStateError(
            "Kegiatan yang sudah disetujui terkunci dan tidak dapat diubah."
        )
    settings = instansi_settings(session, pegawai)
    _check_deadline(aktivitas.tanggal, today, settings)
    data = _validate_activity(
        session,
        pegawai,
        tanggal=tanggal,
        jam_mulai=jam_mulai,
        jam_selesai=jam_selesai,
        uraian=uraian,
        rhk_id=rhk_id,
        katalog_id=katalog_id,
        volume=volume,
        today=today,
        settings=settings,
        exclude_id=aktivitas.id,
    )
    approver = _approver(session, pegawai)
    before = snapshot(aktivitas, AKTIVITAS_FIELDS)
    aktivitas.tanggal = data.tanggal
    aktivitas.jam_mulai = data.jam_mulai
    aktivitas.jam_selesai = data.jam_selesai
    aktivitas.menit = data.menit
    aktivitas.uraian = data.uraian
    aktivitas.rhk_id = data.rhk.id
    aktivitas.katalog_id = data.katalog.id if data.katalog else None
    aktivitas.volume = data.volume
    aktivitas.poin = _points(data.menit, _multiplier(session, pegawai))
    aktivitas.status = "diajukan"
    aktivitas.approver_pegawai_id = approver.id
    aktivitas.decided_at = None
    aktivitas.reject_reason = None
    _refresh_activity_flags(aktivitas)
    aktivitas.updated_at = utcnow()
    session.flush()
    record(
        session,
        "aktivitas.update",
        "aktivitas",
        aktivitas.id,
        actor=actor,
        before=before,
        after=snapshot(aktivitas, AKTIVITAS_FIELDS),
        summary=f"Kegiatan {_tgl(data.tanggal)} {_jam(data.jam_mulai)} diubah",
    )
    return aktivitas


def delete_activity(
    session: Session,
    aktivitas: Aktivitas,
    *,
    limits: UploadLimits | None = None,
    actor,
    today: date | None = None,
) -> None:
    """Delete a pending or rejected activity and its evidence (not past the deadline)."""
    today = today or today_wib()
    if not perm.can_record_activity(actor, aktivitas.pegawai):
        raise RealizationForbidden("Hanya pemilik kegiatan yang dapat menghapusnya.")
    if aktivitas.status == "disetujui":
        raise RealizationStateError(
            "Kegiatan yang sudah disetujui terkunci dan tidak dapat dihapus."
        )
    _check_deadline(aktivitas.tanggal, today, instansi_settings(session, aktivitas.pegawai))
    before = snapshot(aktivitas, AKTIVITAS_FIELDS)
    for b in list(aktivitas.bukti):
        if b.stored_name and limits is not None:
            session.info.setdefault(_DELETED_FILES, []).append(
                str(evidence_path(limits.upload_dir, b.stored_name))
            )
        session.delete(b)
    activity_id = aktivitas.id
    session.delete(aktivitas)
    session.flush()
    record(
        session,
        "aktivitas.delete",
        "aktivitas",
        activity_id,
        actor=actor,
        before=before,
        summary=f"Kegiatan {_tgl(date.fromisoformat(before['tanggal']))} dihapus",
    )


def _decide_check(actor, aktivitas: Aktivitas) -> None:
    if not perm.can_decide_activity(actor, aktivitas, aktivitas.pegawai):
        if _actor_pid(actor) == aktivitas.pegawai_id:
            raise RealizationForbidden("Anda tidak dapat menyetujui kegiatan Anda sendiri.")
        raise RealizationForbidden(
            "Anda bukan atasan yang tercatat (atau Plt/Plh-nya) untuk kegiatan ini."
        )


def approve_activity(session: Session, aktivitas: Aktivitas, *, actor) -> bool:
    """Approve a pending activity (its points then count). Returns False on a replay."""
    _decide_check(actor, aktivitas)
    if aktivitas.status == "disetujui":
        return False
    if aktivitas.status != "diajukan":
        raise RealizationStateError(
            "Kegiatan ini sudah ditolak; pegawai perlu memperbaikinya dan mengajukan ulang."
        )
    _decide(session, aktivitas, "disetujui", None, actor=actor)
    return True


def reject_activity(session: Session, aktivitas: Aktivitas, *, reason: str, actor) -> bool:
    """Reject a pending activity with a required reason. Returns False on a replay."""
    _decide_check(actor, aktivitas)
    reason = (reason or "").strip()
    if not reason:
        raise RealizationValidationError({"alasan": ["Alasan penolakan wajib diisi."]})
    if len(reason) > 1000:
        raise RealizationValidationError({"alasan": ["Alasan terlalu panjang (maks. 1.000)."]})
    if aktivitas.status == "ditolak":
        return False
    if aktivitas.status != "diajukan":
        raise RealizationStateError("Kegiatan yang sudah disetujui tidak dapat ditolak lagi.")
    _decide(session, aktivitas, "ditolak", reason, actor=actor)
    return True


def _decide(session: Session, aktivitas: Aktivitas, status: str, reason: str | None, *, actor):
    """Record the superior's decision on an activity, with its audit event."""
    fields = ("status", "approver_pegawai_id", "reject_reason", "poin")
    before = snapshot(aktivitas, fields)
    aktivitas.status = status
    aktivitas.approver_pegawai_id = _actor_pid(actor)
    aktivitas.decided_at = utcnow()
    aktivitas.reject_reason = reason
    session.flush()
    approved = status == "disetujui"
    record(
        session,
        "aktivitas.approve" if approved else "aktivitas.reject",
        "aktivitas",
        aktivitas.id,
        actor=actor,
        before=before,
        after=snapshot(aktivitas, fields),
        summary=f"Kegiatan {_tgl(aktivitas.tanggal)} {'disetujui' if approved else 'ditolak'}",
    )


@dataclass(frozen=True)
class BulkResult:
    approved: int
    unchanged: int

    @property
    def message(self) -> str:
        text = f"{self.approved} kegiatan disetujui."
        if self.unchanged:
            text += f" {self.unchanged} kegiatan dilewati karena sudah diputuskan sebelumnya."
        return text


def approve_activities(
    session: Session, ids: Sequence[int] | Iterable[int], *, actor
) -> BulkResult:
    """Approve many pending activities in one unit of work (one audit statement).

    Every id must be an activity the actor may decide, else nothing is approved
    (:class:`RealizationForbidden`); activities already decided are skipped (replays).
    """
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        raise RealizationValidationError({"ids": ["Pilih paling sedikit satu kegiatan."]})
    if len(wanted) > 2000:
        raise RealizationValidationError({"ids": ["Paling banyak 2.000 kegiatan sekaligus."]})
    rows = list(
        session.scalars(
            select(Aktivitas).where(Aktivitas.id.in_(wanted)).options(joinedload(Aktivitas.pegawai))
        ).unique()
    )
    if len(rows) != len(wanted):
        raise RealizationForbidden("Sebagian kegiatan yang dipilih tidak ditemukan.")
    for a in rows:
        _decide_check(actor, a)
    now = utcnow()
    me = _actor_pid(actor)
    audit_rows = []
    approved = 0
    for a in rows:
        if a.status != "diajukan":
            continue
        audit_rows.append(
            {
                "action": "aktivitas.approve",
                "object_type": "aktivitas",
                "object_id": a.id,
                "before": {"status": a.status, "approver_pegawai_id": a.approver_pegawai_id},
                "after": {"status": "disetujui", "approver_pegawai_id": me, "poin": a.poin},
                "summary": f"Kegiatan {_tgl(a.tanggal)} disetujui (massal)",
            }
        )
        a.status = "disetujui"
        a.approver_pegawai_id = me
        a.decided_at = now
        a.reject_reason = None
        approved += 1
    session.flush()
    record_many(session, audit_rows, actor=actor, source=_source())
    return BulkResult(approved=approved, unchanged=len(rows) - approved)


def _source() -> str:
    from flask import has_request_context, request

    if not has_request_context():
        return "cli"
    return "api" if request.path.startswith("/api/") else "web"


def format_points(value: Decimal) -> str:
    """Format points for messages (``1.234,5``)."""
    return format_number(value)


# --- composite entries (one form, one unit of work) ------------------------------------------

Upload = tuple[BinaryIO, str | None]


def _attach_all(session, target, files, links, limits, actor, today) -> list[Bukti]:
    out = []
    for stream, filename in files or ():
        out.append(
            attach_evidence(
                session,
                target,
                stream=stream,
                filename=filename,
                limits=limits,
                actor=actor,
                today=today,
            )
        )
    for url in links or ():
        if url and url.strip():
            out.append(attach_evidence(session, target, url=url, actor=actor, today=today))
    return out


def save_realization_entry(
    session: Session,
    skp: Skp,
    iki: Iki,
    *,
    tahun: int,
    bulan: int,
    nilai,
    catatan: str = "",
    submit: bool = True,
    files: Sequence[Upload] = (),
    links: Sequence[str] = (),
    limits: UploadLimits | None = None,
    actor,
    today: date | None = None,
) -> Realisasi:
    """Record a realization and attach the evidence sent with it, all or nothing."""
    realisasi = record_realization(
        session,
        skp,
        iki,
        tahun=tahun,
        bulan=bulan,
        nilai=nilai,
        catatan=catatan,
        submit=submit,
        actor=actor,
        today=today,
    )
    _attach_all(session, realisasi, files, links, limits, actor, today)
    return realisasi


def log_activity(
    session: Session,
    pegawai: Pegawai,
    *,
    files: Sequence[Upload] = (),
    links: Sequence[str] = (),
    limits: UploadLimits | None = None,
    actor,
    today: date | None = None,
    **fields,
) -> Aktivitas:
    """Submit an activity and attach the photos/links sent with it, all or nothing."""
    aktivitas = submit_activity(session, pegawai, actor=actor, today=today, **fields)
    if aktivitas.bukti and (files or links):
        return aktivitas  # a replayed submission: evidence was attached the first time
    _attach_all(session, aktivitas, files, links, limits, actor, today)
    return aktivitas
