"""Operations on evaluations: ratings and feedback, finalisation with the distribution curve,
objections (keberatan) and the organisation's predikat.

PermenPANRB 6/2022 (periodic and annual evaluation; rating hasil kerja × rating perilaku →
predikat) and SE MenPANRB 3/2023 (organisation predikat → distribution curve), with the
product decisions of domain.md §11.1, §11.2 and §11.8. Every operation checks the actor,
checks the state, writes, records an audit event and ``flush()``-es; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from skp_app.audit.operations import record, snapshot
from skp_app.org.models import UnitOrganisasi
from skp_app.planning.berakhlak import KODE
from skp_app.planning.models import Periode, Skp
from skp_app.realization import evaluation_permissions as perm
from skp_app.realization.evaluation_queries import (
    APPROVED_SKP_STATUS,
    CurveStatus,
    EvalPeriod,
    curve_status,
    eval_period,
    evaluation_context,
    instansi_for_unit,
    instansi_settings,
    keberatan_deadline,
    led_unit_ids,
    period_of,
    skp_for_evaluation,
)
from skp_app.realization.models import Evaluasi, Keberatan, PredikatOrganisasi, UmpanBalik
from skp_app.realization.scoring import (
    CurveViolation,
    OrgPredikat,
    Predikat,
    Rating,
    ScoringError,
    predikat_from_ratings,
)
from skp_app.timeutil import utcnow

__all__ = [
    "CurveBlocked",
    "CurveJustificationRequired",
    "EvaluationError",
    "EvaluationForbidden",
    "EvaluationValidationError",
    "EvaluationWorkflowError",
    "FinalizeResult",
    "decide_keberatan",
    "evaluation_period",
    "explain_keberatan",
    "file_keberatan",
    "finalize_evaluation",
    "open_evaluation",
    "record_evaluation",
    "save_evaluation",
    "set_org_predikat",
]

MAX_TEXT = 4000
MIN_REASON = 10
_EVAL_FIELDS = (
    "status",
    "suggested_rating_hasil",
    "suggested_rating_perilaku",
    "suggestion_basis",
    "rating_hasil",
    "rating_perilaku",
    "override_reason",
    "predikat",
    "curve_justification",
    "catatan",
)


class EvaluationError(Exception):
    """Base class: an evaluation operation was refused (Indonesian message)."""

    status = 400


class EvaluationForbidden(EvaluationError):
    """The actor may not perform the action on this object (HTTP 403)."""

    status = 403


class EvaluationWorkflowError(EvaluationError):
    """The object's state does not allow the action (HTTP 409)."""

    status = 409


class EvaluationValidationError(EvaluationError):
    """Input is invalid; ``fields`` maps a form field to its messages (HTTP 422)."""

    status = 422

    def __init__(self, fields: dict[str, list[str]] | None = None, message: str | None = None):
        self.fields = {k: list(v) for k, v in (fields or {}).items()}
        if message is None:
            first = next(iter(self.fields.values()), ["Isian tidak valid."])
            message = first[0] if first else "Isian tidak valid."
        super().__init__(message)

    def messages(self) -> list[str]:
        return [m for msgs in self.fields.values() for m in msgs] or [str(self)]


def _curve_text(violations: list[CurveViolation]) -> str:
    return " ".join(v.message for v in violations)


class CurveJustificationRequired(EvaluationValidationError):
    """Warn mode: the curve is broken and finalising needs a written justification."""

    def __init__(self, violations: list[CurveViolation]):
        self.violations = violations
        super().__init__(
            {
                "curve_justification": [
                    "Finalisasi ini melanggar kurva distribusi predikat (SE MenPANRB 3/2023); "
                    "tuliskan justifikasi. " + _curve_text(violations)
                ]
            }
        )


class CurveBlocked(EvaluationWorkflowError):
    """Block mode: the curve is broken, finalising is refused."""

    def __init__(self, violations: list[CurveViolation]):
        self.violations = violations
        super().__init__(
            "Finalisasi ditolak karena melanggar kurva distribusi predikat (SE MenPANRB 3/2023, "
            "mode blokir): " + _curve_text(violations)
        )


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise EvaluationForbidden(message)


def _text(value: str | None) -> str:
    return (value or "").strip()


def _rating(value, field: str, errors: dict[str, list[str]]) -> Rating | None:
    if value is None or value == "":
        return None
    try:
        return Rating.coerce(value)
    except ScoringError:
        errors.setdefault(field, []).append(
            "Pilih salah satu: Di Atas, Sesuai, atau Di Bawah Ekspektasi."
        )
        return None


def evaluation_period(skp: Skp, jenis: str, periode_ke: int) -> EvalPeriod:
    """Return the evaluation period of the SKP's year, or raise a validation error."""
    period = period_of(skp, jenis, periode_ke)
    if period is None:
        rhythm = skp.periode.periodik if skp.periode is not None else "triwulan"
        raise EvaluationValidationError(
            {
                "periode_ke": [
                    f"Periode evaluasi {jenis} ke-{periode_ke} tidak ada untuk SKP ini "
                    f"(ritme {rhythm}, masa SKP {skp.tanggal_mulai:%d-%m-%Y} s.d. "
                    f"{skp.tanggal_selesai:%d-%m-%Y})."
                ]
            }
        )
    return period


def _check_skp_evaluable(skp: Skp) -> None:
    if skp.status not in APPROVED_SKP_STATUS or skp.approved_at is None:
        raise EvaluationWorkflowError(
            f"SKP berstatus {skp.status_label}; evaluasi hanya untuk SKP yang telah disetujui."
        )


def _load_skp(session: Session, skp_id: int) -> Skp:
    skp = skp_for_evaluation(session, skp_id)
    if skp is None:
        raise EvaluationValidationError({"skp_id": ["SKP tidak ditemukan."]})
    return skp


def _apply_suggestion(evaluasi: Evaluasi, ctx) -> None:
    s = ctx.suggestion
    evaluasi.suggested_rating_hasil = s.rating_hasil.siasn_id if s.rating_hasil else None
    evaluasi.suggested_rating_perilaku = s.rating_perilaku.siasn_id if s.rating_perilaku else None
    evaluasi.suggestion_basis = s.basis if s.rating_hasil else None
    evaluasi.proposed_from_id = s.proposed_from.id if s.proposed_from is not None else None


def open_evaluation(session: Session, skp: Skp, jenis: str, periode_ke: int, *, actor) -> Evaluasi:
    """Return the draft evaluation of ``skp`` for the period, creating it (pejabat penilai only).

    Opening again returns the same record.

    Raises
    ------
    EvaluationForbidden
        When the actor is not the SKP's pejabat penilai (no self-evaluation).
    EvaluationWorkflowError
        When the SKP is not approved.
    EvaluationValidationError
        When the period does not exist for the SKP.
    """
    _require(
        perm.can_evaluate_skp(actor, skp),
        "Hanya pejabat penilai SKP ini yang dapat mengevaluasi; pegawai tidak menilai dirinya "
        "sendiri.",
    )
    period = evaluation_period(skp, jenis, periode_ke)
    existing = _find(session, skp.id, jenis, periode_ke)
    if existing is not None:
        return existing
    _check_skp_evaluable(skp)
    skp = _load_skp(session, skp.id)
    evaluasi = Evaluasi(
        skp_id=skp.id,
        jenis=jenis,
        periode_ke=periode_ke,
        tahun=period.tahun,
        unit_id=skp.unit_id,
        evaluator_pegawai_id=skp.penilai_pegawai_id,
        status="draft",
        catatan="",
    )
    ctx = evaluation_context(session, skp, period, evaluasi=None)
    _apply_suggestion(evaluasi, ctx)
    session.add(evaluasi)
    try:
        session.flush()
    except IntegrityError:
        # Another request created it between our read and this insert (unique per period).
        raise EvaluationWorkflowError(
            "Evaluasi periode ini baru saja dibuka oleh permintaan lain; muat ulang halaman."
        ) from None
    record(
        session,
        "evaluasi.create",
        "evaluasi",
        evaluasi.id,
        actor=actor,
        after=snapshot(evaluasi, _EVAL_FIELDS),
        summary=f"Evaluasi {period.label} untuk SKP #{skp.id} dibuka",
    )
    return evaluasi


def _find(session: Session, skp_id: int, jenis: str, periode_ke: int) -> Evaluasi | None:
    return session.scalar(
        select(Evaluasi)
        .where(
            Evaluasi.skp_id == skp_id, Evaluasi.jenis == jenis, Evaluasi.periode_ke == periode_ke
        )
        .options(selectinload(Evaluasi.umpan_balik), selectinload(Evaluasi.keberatan))
    )


def _check_draft(evaluasi: Evaluasi) -> None:
    if evaluasi.status != "draft":
        raise EvaluationWorkflowError(
            "Evaluasi sudah final dan terkunci; perubahan hanya mungkin bila keberatan pegawai "
            "diterima oleh atasan pejabat penilai."
        )


def _save_feedback(
    session: Session,
    evaluasi: Evaluasi,
    skp: Skp,
    rhk_texts: dict | None,
    nilai_texts: dict | None,
    errors: dict[str, list[str]],
) -> int:
    rhk_ids = {r.id for r in skp.rhk}
    existing_rhk = {u.rhk_id: u for u in evaluasi.umpan_balik if u.rhk_id is not None}
    existing_nilai = {u.nilai_kode: u for u in evaluasi.umpan_balik if u.nilai_kode is not None}
    changes = 0
    wanted: list[tuple[str, int, str, dict]] = []
    for key, value in (rhk_texts or {}).items():
        try:
            rhk_id = int(key)
        except (TypeError, ValueError):
            rhk_id = -1
        if rhk_id not in rhk_ids:
            errors.setdefault(f"umpan_balik_rhk-{key}", []).append(
                "RHK ini bukan bagian dari SKP yang dievaluasi."
            )
            continue
        wanted.append(("rhk", rhk_id, _text(value), existing_rhk))
    for key, value in (nilai_texts or {}).items():
        try:
            kode = int(key)
        except (TypeError, ValueError):
            kode = -1
        if kode not in KODE:
            errors.setdefault(f"umpan_balik_perilaku-{key}", []).append(
                "Nilai BerAKHLAK harus bernomor 1–7."
            )
            continue
        wanted.append(("nilai", kode, _text(value), existing_nilai))
    for kind, key, teks, _ in wanted:
        if len(teks) > MAX_TEXT:
            field = f"umpan_balik_{'rhk' if kind == 'rhk' else 'perilaku'}-{key}"
            errors.setdefault(field, []).append(f"Umpan balik paling banyak {MAX_TEXT} karakter.")
    if errors:
        return 0
    for kind, key, teks, existing in wanted:
        row = existing.get(key)
        if not teks:
            if row is not None:
                evaluasi.umpan_balik.remove(row)
                changes += 1
            continue
        if row is None:
            evaluasi.umpan_balik.append(
                UmpanBalik(
                    rhk_id=key if kind == "rhk" else None,
                    nilai_kode=key if kind == "nilai" else None,
                    teks=teks,
                )
            )
            changes += 1
        elif row.teks != teks:
            row.teks = teks
            changes += 1
    return changes


def save_evaluation(
    session: Session,
    evaluasi: Evaluasi,
    *,
    actor,
    rating_hasil=None,
    rating_perilaku=None,
    override_reason: str | None = None,
    catatan: str | None = None,
    umpan_balik_rhk: dict | None = None,
    umpan_balik_perilaku: dict | None = None,
) -> Evaluasi:
    """Store the penilai's feedback and ratings on a draft evaluation.

    The suggestion (§11.1 capaian, the organisation's predikat for a unit leader, or the last
    periodic result for the annual evaluation) is refreshed; a rating that differs from it
    needs ``override_reason``. The predikat follows from the two ratings (PermenPANRB 6/2022
    kuadran). Ratings may be left empty while drafting.

    Raises
    ------
    EvaluationForbidden, EvaluationWorkflowError, EvaluationValidationError
    """
    skp = _load_skp(session, evaluasi.skp_id)
    _require(perm.can_evaluate_skp(actor, skp), "Hanya pejabat penilai SKP ini yang mengevaluasi.")
    _check_draft(evaluasi)
    errors: dict[str, list[str]] = {}
    hasil = _rating(rating_hasil, "rating_hasil", errors)
    perilaku = _rating(rating_perilaku, "rating_perilaku", errors)
    reason = _text(override_reason)
    note = _text(catatan) if catatan is not None else evaluasi.catatan
    if len(reason) > MAX_TEXT:
        errors.setdefault("override_reason", []).append(
            f"Alasan paling banyak {MAX_TEXT} karakter."
        )
    if len(note) > MAX_TEXT:
        errors.setdefault("catatan", []).append(f"Catatan paling banyak {MAX_TEXT} karakter.")

    period = evaluation_period(skp, evaluasi.jenis, evaluasi.periode_ke)
    ctx = evaluation_context(session, skp, period, evaluasi=evaluasi)
    suggestion = ctx.suggestion
    differs = []
    if (
        hasil is not None
        and suggestion.rating_hasil is not None
        and hasil != suggestion.rating_hasil
    ):
        differs.append(f"rating hasil kerja (saran: {suggestion.rating_hasil.label})")
    if (
        perilaku is not None
        and suggestion.rating_perilaku is not None
        and perilaku != suggestion.rating_perilaku
    ):
        differs.append(f"rating perilaku (usulan: {suggestion.rating_perilaku.label})")
    if differs and len(reason) < MIN_REASON:
        errors.setdefault("override_reason", []).append(
            f"Pilihan Anda berbeda dari {' dan '.join(differs)}; tuliskan alasannya "
            f"(paling sedikit {MIN_REASON} karakter)."
        )
    before = snapshot(evaluasi, _EVAL_FIELDS)
    feedback_changes = _save_feedback(
        session, evaluasi, skp, umpan_balik_rhk, umpan_balik_perilaku, errors
    )
    if errors:
        raise EvaluationValidationError(errors)

    _apply_suggestion(evaluasi, ctx)
    evaluasi.rating_hasil = hasil.siasn_id if hasil else None
    evaluasi.rating_perilaku = perilaku.siasn_id if perilaku else None
    evaluasi.override_reason = reason if differs else None
    evaluasi.catatan = note
    evaluasi.predikat = (
        predikat_from_ratings(hasil, perilaku).siasn_id if hasil and perilaku else None
    )
    session.flush()
    after = snapshot(evaluasi, _EVAL_FIELDS)
    if after != before or feedback_changes:
        record(
            session,
            "evaluasi.update",
            "evaluasi",
            evaluasi.id,
            actor=actor,
            before=before,
            after={**after, "umpan_balik_diubah": feedback_changes},
            summary=f"Evaluasi #{evaluasi.id} diperbarui",
        )
    return evaluasi


def record_evaluation(
    session: Session, skp: Skp, jenis: str, periode_ke: int, *, actor, **values
) -> Evaluasi:
    """Open (or reuse) the period's draft and store the penilai's input in one unit of work.

    ``values`` are the keyword arguments of :func:`save_evaluation`.
    """
    evaluasi = open_evaluation(session, skp, jenis, periode_ke, actor=actor)
    return save_evaluation(session, evaluasi, actor=actor, **values)


@dataclass
class FinalizeResult:
    evaluasi: Evaluasi
    replayed: bool
    curve: CurveStatus | None = None


def finalize_evaluation(
    session: Session, evaluasi: Evaluasi, *, actor, curve_justification: str | None = None
) -> FinalizeResult:
    """Finalise (lock) an evaluation after checking the distribution curve.

    The curve (SE MenPANRB 3/2023) counts the predikat of the FINAL evaluations of the
    governing unit in the period plus this one. Mode ``warn`` (default) needs a written
    justification, stored and audited; mode ``block`` refuses with the violated clauses.
    Finalising an already final evaluation changes nothing (``replayed=True``).

    Raises
    ------
    EvaluationForbidden
    EvaluationValidationError
        When a rating is missing or the curve needs a justification
        (:class:`CurveJustificationRequired`).
    EvaluationWorkflowError
        When the SKP is no longer approved or the curve blocks (:class:`CurveBlocked`).
    """
    skp = _load_skp(session, evaluasi.skp_id)
    _require(perm.can_evaluate_skp(actor, skp), "Hanya pejabat penilai SKP ini yang memfinalkan.")
    if evaluasi.status == "final":
        return FinalizeResult(evaluasi, replayed=True)
    _check_skp_evaluable(skp)
    errors: dict[str, list[str]] = {}
    if not evaluasi.rating_hasil:
        errors["rating_hasil"] = ["Rating hasil kerja wajib diisi sebelum finalisasi."]
    if not evaluasi.rating_perilaku:
        errors["rating_perilaku"] = ["Rating perilaku kerja wajib diisi sebelum finalisasi."]
    if errors:
        raise EvaluationValidationError(errors)
    predikat = predikat_from_ratings(evaluasi.rating_hasil, evaluasi.rating_perilaku)
    period = evaluation_period(skp, evaluasi.jenis, evaluasi.periode_ke)
    curve = curve_status(
        session, evaluasi.unit_id, period, extra=predikat, exclude_evaluasi_id=evaluasi.id
    )
    justification = _text(curve_justification)
    if curve.violations:
        if curve.mode == "block":
            raise CurveBlocked(curve.violations)
        if len(justification) < MIN_REASON:
            raise CurveJustificationRequired(curve.violations)
        if len(justification) > MAX_TEXT:
            raise EvaluationValidationError(
                {"curve_justification": [f"Justifikasi paling banyak {MAX_TEXT} karakter."]}
            )
    before = snapshot(evaluasi, _EVAL_FIELDS)
    evaluasi.predikat = predikat.siasn_id
    evaluasi.curve_justification = justification if curve.violations else None
    evaluasi.status = "final"
    evaluasi.finalized_at = utcnow()
    session.flush()
    record(
        session,
        "evaluasi.finalize",
        "evaluasi",
        evaluasi.id,
        actor=actor,
        before=before,
        after={
            **snapshot(evaluasi, _EVAL_FIELDS),
            "kurva_unit_id": curve.unit.id if curve.unit is not None else None,
            "kurva_predikat_organisasi": curve.org_predikat.value if curve.org_predikat else None,
            "kurva_pelanggaran": [v.code for v in curve.violations],
        },
        summary=(
            f"Evaluasi #{evaluasi.id} difinalkan: {predikat.label}"
            + (" (melanggar kurva, dengan justifikasi)" if curve.violations else "")
        ),
    )
    return FinalizeResult(evaluasi, replayed=False, curve=curve)


# --- keberatan -------------------------------------------------------------------------------

_KEBERATAN_FIELDS = ("status", "alasan", "penjelasan_penilai", "keputusan")


def file_keberatan(
    session: Session, evaluasi: Evaluasi, alasan: str, *, actor, now: datetime | None = None
) -> Keberatan:
    """File the employee's objection to a final evaluation (to the atasan pejabat penilai).

    Allowed until ``Instansi.settings["keberatan_days"]`` (product default 14) days after
    finalisation, once per finalisation.
    """
    skp = _load_skp(session, evaluasi.skp_id)
    _require(
        perm.can_file_keberatan(actor, skp),
        "Hanya pegawai yang dinilai dapat mengajukan keberatan.",
    )
    if evaluasi.status != "final":
        raise EvaluationWorkflowError(
            "Keberatan hanya dapat diajukan atas evaluasi yang sudah final."
        )
    if skp.atasan_penilai_pegawai_id is None:
        raise EvaluationWorkflowError(
            "SKP ini tidak memiliki atasan pejabat penilai yang dapat memutus keberatan; "
            "hubungi BKPSDM."
        )
    settings = instansi_settings(instansi_for_unit(session, skp.unit_id))
    deadline = keberatan_deadline(evaluasi, settings)
    now = now or utcnow()
    if deadline is not None and now > deadline:
        raise EvaluationWorkflowError(
            f"Batas waktu keberatan ({settings.keberatan_days} hari setelah finalisasi) sudah "
            "lewat."
        )
    for k in evaluasi.keberatan:
        if k.status == "diajukan":
            raise EvaluationWorkflowError("Keberatan atas evaluasi ini masih diproses.")
        if evaluasi.finalized_at is not None and k.created_at >= evaluasi.finalized_at:
            raise EvaluationWorkflowError(
                "Keberatan atas hasil evaluasi ini sudah pernah diajukan dan diputus."
            )
    text = _text(alasan)
    if len(text) < MIN_REASON:
        raise EvaluationValidationError(
            {"alasan": [f"Alasan keberatan wajib diisi (paling sedikit {MIN_REASON} karakter)."]}
        )
    if len(text) > MAX_TEXT:
        raise EvaluationValidationError(
            {"alasan": [f"Alasan keberatan paling banyak {MAX_TEXT} karakter."]}
        )
    row = Keberatan(
        evaluasi_id=evaluasi.id,
        pegawai_id=skp.pegawai_id,
        alasan=text,
        status="diajukan",
        created_at=now,
    )
    evaluasi.keberatan.append(row)
    session.flush()
    record(
        session,
        "keberatan.create",
        "keberatan",
        row.id,
        actor=actor,
        after=snapshot(row, _KEBERATAN_FIELDS),
        summary=f"Keberatan atas evaluasi #{evaluasi.id} diajukan",
    )
    return row


def explain_keberatan(
    session: Session, keberatan: Keberatan, penjelasan: str, *, actor
) -> Keberatan:
    """Store the pejabat penilai's explanation on an open objection."""
    evaluasi = keberatan.evaluasi
    skp = _load_skp(session, evaluasi.skp_id)
    _require(
        perm.can_explain_keberatan(actor, skp),
        "Hanya pejabat penilai yang memberi penjelasan atas keberatan.",
    )
    if keberatan.status != "diajukan":
        raise EvaluationWorkflowError("Keberatan sudah diputus; penjelasan tidak dapat diubah.")
    text = _text(penjelasan)
    if len(text) < MIN_REASON or len(text) > MAX_TEXT:
        raise EvaluationValidationError(
            {"penjelasan": [f"Penjelasan wajib diisi, {MIN_REASON}–{MAX_TEXT} karakter."]}
        )
    if keberatan.penjelasan_penilai == text:
        return keberatan
    before = snapshot(keberatan, _KEBERATAN_FIELDS)
    keberatan.penjelasan_penilai = text
    session.flush()
    record(
        session,
        "keberatan.explain",
        "keberatan",
        keberatan.id,
        actor=actor,
        before=before,
        after=snapshot(keberatan, _KEBERATAN_FIELDS),
        summary=f"Penjelasan pejabat penilai atas keberatan #{keberatan.id}",
    )
    return keberatan


def decide_keberatan(
    session: Session, keberatan: Keberatan, status: str, keputusan: str, *, actor
) -> Keberatan:
    """Decide an objection as the atasan pejabat penilai.

    ``diterima`` reopens the evaluation to draft for the penilai (with the decision note);
    ``ditolak`` leaves it final. Repeating the same decision changes nothing.
    """
    evaluasi = keberatan.evaluasi
    skp = _load_skp(session, evaluasi.skp_id)
    _require(
        perm.can_decide_keberatan(actor, skp),
        "Hanya atasan pejabat penilai yang memutus keberatan.",
    )
    if status not in {"diterima", "ditolak"}:
        raise EvaluationValidationError({"status": ["Pilih keputusan: diterima atau ditolak."]})
    text = _text(keputusan)
    if keberatan.status != "diajukan":
        if keberatan.status == status and keberatan.keputusan == text:
            return keberatan
        raise EvaluationWorkflowError("Keberatan ini sudah diputus.")
    if len(text) < MIN_REASON or len(text) > MAX_TEXT:
        raise EvaluationValidationError(
            {"keputusan": [f"Catatan keputusan wajib diisi, {MIN_REASON}–{MAX_TEXT} karakter."]}
        )
    before = snapshot(keberatan, _KEBERATAN_FIELDS)
    keberatan.status = status
    keberatan.keputusan = text
    keberatan.decided_by_pegawai_id = actor.pegawai_id
    keberatan.decided_at = utcnow()
    if status == "diterima":
        eval_before = snapshot(evaluasi, _EVAL_FIELDS)
        evaluasi.status = "draft"
        evaluasi.finalized_at = None
        evaluasi.curve_justification = None
        record(
            session,
            "evaluasi.reopen",
            "evaluasi",
            evaluasi.id,
            actor=actor,
            before=eval_before,
            after=snapshot(evaluasi, _EVAL_FIELDS),
            summary=f"Evaluasi #{evaluasi.id} dibuka kembali karena keberatan diterima",
        )
    session.flush()
    record(
        session,
        "keberatan.decide",
        "keberatan",
        keberatan.id,
        actor=actor,
        before=before,
        after=snapshot(keberatan, _KEBERATAN_FIELDS),
        summary=f"Keberatan #{keberatan.id} {status}",
    )
    return keberatan


# --- the organisation's predikat -------------------------------------------------------------


def set_org_predikat(
    session: Session,
    unit: UnitOrganisasi,
    tahun: int,
    periode_ke: int,
    predikat: str,
    *,
    actor,
) -> PredikatOrganisasi:
    """Set the organisation's predikat of a unit for a period (SE MenPANRB 3/2023 stage 1).

    Set by the leader of the unit above, admin or pimpinan. ``periode_ke`` 0 is the year;
    otherwise a month or quarter per the period's rhythm. Setting the same value again is a
    no-op.
    """
    led = led_unit_ids(session, getattr(actor, "pegawai_id", None))
    _require(
        perm.can_set_org_predikat(actor, unit, led_unit_ids=led),
        "Predikat organisasi ditetapkan oleh pimpinan unit di atasnya, admin, atau pimpinan "
        "daerah.",
    )
    errors: dict[str, list[str]] = {}
    try:
        org = OrgPredikat.coerce(predikat)
    except ScoringError:
        org = None
        errors["predikat"] = [
            "Pilih predikat: Istimewa, Baik, Butuh Perbaikan, Kurang, atau Sangat Kurang."
        ]
    periode = session.scalar(select(Periode).where(Periode.tahun == tahun))
    if periode is None:
        errors["tahun"] = [f"Periode tahun {tahun} belum dibuat."]
    else:
        rhythm = periode.periodik if periode.periodik in {"bulanan", "triwulan"} else "triwulan"
        jenis = "tahunan" if periode_ke == 0 else "periodik"
        if eval_period(tahun, rhythm, jenis, periode_ke) is None:
            limit = 12 if rhythm == "bulanan" else 4
            errors["periode_ke"] = [
                f"Periode ke-{periode_ke} tidak ada; ritme {rhythm}: 0 (tahunan) atau 1–{limit}."
            ]
    if errors:
        raise EvaluationValidationError(errors)
    row = session.scalar(
        select(PredikatOrganisasi).where(
            PredikatOrganisasi.unit_id == unit.id,
            PredikatOrganisasi.tahun == tahun,
            PredikatOrganisasi.periode_ke == periode_ke,
        )
    )
    value = org.value
    if row is not None and row.predikat == value:
        return row
    before = {"predikat": row.predikat} if row is not None else None
    if row is None:
        row = PredikatOrganisasi(unit_id=unit.id, tahun=tahun, periode_ke=periode_ke)
        session.add(row)
    row.predikat = value
    row.set_by_user_id = getattr(actor, "id", None)
    row.set_at = utcnow()
    session.flush()
    record(
        session,
        "predikat_organisasi.set",
        "predikat_organisasi",
        row.id,
        actor=actor,
        before=before,
        after={"unit_id": unit.id, "tahun": tahun, "periode_ke": periode_ke, "predikat": value},
        summary=f"Predikat organisasi {unit.nama} {tahun}/{periode_ke}: {org.label}",
    )
    return row


def predikat_label(predikat_id: int | None) -> str:
    """Return the label of a stored predikat id (SIASN kuadranNilai), or '-'."""
    return Predikat.from_siasn_id(predikat_id).label if predikat_id else "-"
