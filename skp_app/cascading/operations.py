"""Alignment review operations: record a review, mark items fixed, close and reopen them.

Each function checks the actor's permission and the state, writes the rows (with a
:class:`~skp_app.cascading.models.ReviewItemEvent` for every status change and an audit
event), and flushes; the caller commits once. Replays are harmless: a form submitted twice
(same ``request_key``) returns the review already recorded, and an action on an item that is
already in the target state changes nothing and returns ``False``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from skp_app.audit.operations import record
from skp_app.cascading import permissions as perm
from skp_app.cascading.graph import parse_node_id
from skp_app.cascading.models import (
    ITEM_STATUS,
    V_RULES,
    VERDICTS,
    AlignmentReview,
    ReviewItem,
    ReviewItemEvent,
)
from skp_app.cascading.rules import FINDING_CODES, Finding, summarize
from skp_app.org.models import UnitOrganisasi
from skp_app.planning.models import Periode, Rhk, Skp
from skp_app.timeutil import utcnow

__all__ = [
    "MAX_NOTE",
    "ReviewError",
    "ReviewForbidden",
    "ReviewInput",
    "ReviewStateError",
    "ReviewValidationError",
    "close_item",
    "close_review",
    "create_review",
    "finding_key",
    "mark_item_fixed",
    "reopen_item",
]

MAX_NOTE = 2000
MAX_SUMMARY = 5000
MAX_DUE_DAYS = 366


class ReviewError(Exception):
    """A review operation was refused; the message is Indonesian and shown as it is."""


class ReviewForbidden(ReviewError):
    """The actor may not do this (HTTP 403)."""


class ReviewStateError(ReviewError):
    """The review or item is not in a state that allows the action (HTTP 409)."""


class ReviewValidationError(ReviewError):
    """Invalid input; ``fields`` maps a form field name to its messages (HTTP 422)."""

    def __init__(self, fields: Mapping[str, list[str]]):
        self.fields = {k: list(v) for k, v in fields.items()}
        first = next(iter(self.fields.values()), ["Isian tidak valid."])
        super().__init__(first[0] if first else "Isian tidak valid.")

    def messages(self) -> list[str]:
        """Return every message."""
        return [m for msgs in self.fields.values() for m in msgs]


def finding_key(f: Finding) -> str:
    """Return a stable key of a finding, to pick it in a form (code, nodes and owner).

    Examples
    --------
    >>> finding_key(Finding("NO_IKI", "error", ("rhk:7",), 12, "…"))
    'NO_IKI|rhk:7|12'
    """
    owner = "" if f.owner_pegawai_id is None else str(f.owner_pegawai_id)
    return f"{f.code}|{'/'.join(f.nodes)}|{owner}"


@dataclass
class ReviewInput:
    """What an evaluator records about one OPD's cascade.

    ``checklist`` maps ``"V1"``…``"V7"`` to ``(passed, note)`` (``passed`` None when not
    answered); ``rhk_notes`` are ``(rhk id, rule, note)``; ``finding_keys`` pick findings of
    the automatic check (:func:`finding_key`) to track as items.
    """

    opd_id: int
    tahun: int
    verdict: str
    due_date: date | None
    summary: str = ""
    checklist: dict[str, tuple[bool | None, str]] = field(default_factory=dict)
    rhk_notes: list[tuple[int, str, str]] = field(default_factory=list)
    finding_keys: list[str] = field(default_factory=list)
    request_key: str | None = None


def _actor_label(actor) -> str:
    return (getattr(actor, "display_name", "") or getattr(actor, "username", "") or "")[:200]


def _event(item: ReviewItem, from_status: str | None, to_status: str, actor, note: str) -> None:
    item.events.append(
        ReviewItemEvent(
            from_status=from_status,
            to_status=to_status,
            actor_user_id=getattr(actor, "id", None),
            actor_label=_actor_label(actor),
            note=note,
            at=utcnow(),
        )
    )


def _validate(
    session: Session,
    data: ReviewInput,
    findings: Iterable[Finding],
    today: date,
) -> tuple[dict[str, list[str]], list[Finding]]:
    errors: dict[str, list[str]] = {}

    def err(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    if data.verdict not in VERDICTS:
        err("verdict", "Pilih verdikt: selaras atau perlu perbaikan.")
    if data.due_date is None:
        err("due_date", "Isi tenggat perbaikan (tanggal).")
    elif data.due_date < today:
        err("due_date", "Tenggat perbaikan tidak boleh sebelum hari ini.")
    elif data.due_date > today + timedelta(days=MAX_DUE_DAYS):
        err("due_date", "Tenggat perbaikan paling lama satu tahun dari hari ini.")
    if len(data.summary or "") > MAX_SUMMARY:
        err("summary", f"Ringkasan maksimal {MAX_SUMMARY} karakter.")
    failed = []
    for rule in V_RULES:
        passed, note = data.checklist.get(rule, (None, ""))
        if passed is None:
            err(f"check-{rule}", f"Tentukan hasil pemeriksaan {rule} (sesuai atau tidak sesuai).")
        elif not passed:
            failed.append(rule)
            if not (note or "").strip():
                err(f"note-{rule}", f"Jelaskan ketidaksesuaian {rule} pada catatan.")
        if len(note or "") > MAX_NOTE:
            err(f"note-{rule}", f"Catatan {rule} maksimal {MAX_NOTE} karakter.")
    unknown = set(data.checklist) - set(V_RULES)
    if unknown:
        err("checklist", f"Aturan tidak dikenal: {', '.join(sorted(unknown))}.")

    rhk_ids = sorted({rid for rid, _rule, _note in data.rhk_notes})
    if rhk_ids:
        own = set(
            session.scalars(
                select(Rhk.id)
                .join(Skp, Skp.id == Rhk.skp_id)
                .join(Periode, Periode.id == Skp.periode_id)
                .where(
                    Rhk.id.in_(rhk_ids),
                    Skp.opd_id == data.opd_id,
                    Periode.tahun == data.tahun,
                    Skp.is_current.is_(True),
                )
            )
        )
        for rid, rule, note in data.rhk_notes:
            if rid not in own:
                err(
                    f"rhk-{rid}",
                    f"RHK #{rid} bukan bagian dari cascading OPD ini pada periode ini.",
                )
            if rule and rule not in V_RULES:
                err(f"rule-rhk-{rid}", f"Aturan {rule} tidak dikenal.")
            if not (note or "").strip():
                err(f"rhk-{rid}", "Catatan RHK tidak boleh kosong.")
            elif len(note) > MAX_NOTE:
                err(f"rhk-{rid}", f"Catatan RHK maksimal {MAX_NOTE} karakter.")

    by_key = {finding_key(f): f for f in findings}
    picked: list[Finding] = []
    for key in dict.fromkeys(data.finding_keys):
        f = by_key.get(key)
        if f is None:
            err(
                "finding",
                "Sebagian temuan yang dipilih tidak lagi ada (data sudah berubah). Muat ulang "
                "halaman lalu pilih kembali.",
            )
        else:
            picked.append(f)

    if data.verdict == "selaras" and failed:
        err(
            "verdict",
            f"Verdikt selaras tidak dapat dipilih bila ada aturan yang tidak sesuai "
            f"({', '.join(failed)}).",
        )
    if data.verdict == "perlu_perbaikan" and not (failed or data.rhk_notes or picked):
        err(
            "verdict",
            "Verdikt perlu perbaikan memerlukan minimal satu butir: aturan yang tidak sesuai, "
            "catatan pada RHK, atau temuan yang dipilih.",
        )
    return errors, picked


def create_review(
    session: Session,
    data: ReviewInput,
    *,
    actor,
    findings: Iterable[Finding] = (),
    today: date | None = None,
) -> tuple[AlignmentReview, bool]:
    """Record an evaluator's review of an OPD's cascade with its items.

    ``findings`` are the OPD's current findings (from
    :func:`~skp_app.cascading.queries.cascade_for`); the ones picked by key become items, and
    their counts are kept on the review. Returns ``(review, created)``; ``created`` is False
    when the same ``request_key`` was already recorded (a replayed form).

    Raises
    ------
    ReviewForbidden
        If ``actor`` is not an evaluator covering the OPD.
    ReviewValidationError
        If the input is invalid (nothing is written).
    """
    if data.request_key:
        existing = session.scalar(
            select(AlignmentReview).where(AlignmentReview.request_key == data.request_key)
        )
        if existing is not None:
            if existing.opd_id != data.opd_id or not perm.can_view_review(actor, existing):
                raise ReviewForbidden("Permintaan ini sudah dipakai untuk reviu lain.")
            return existing, False
    opd = session.get(UnitOrganisasi, data.opd_id)
    if opd is None or not opd.is_opd:
        raise ReviewValidationError({"opd_id": ["OPD tidak ditemukan."]})
    if not perm.can_create_review(actor, data.opd_id):
        raise ReviewForbidden("Hanya evaluator yang ditugaskan pada OPD ini yang dapat mereviu.")
    if session.scalar(select(Periode.id).where(Periode.tahun == data.tahun)) is None:
        raise ReviewValidationError({"tahun": [f"Periode {data.tahun} tidak ditemukan."]})
    findings = list(findings)
    errors, picked = _validate(session, data, findings, today or date.today())
    if errors:
        raise ReviewValidationError(errors)

    counts = summarize(findings)
    review = AlignmentReview(
        opd_id=data.opd_id,
        tahun=data.tahun,
        evaluator_user_id=getattr(actor, "id", None),
        verdict=data.verdict,
        due_date=data.due_date,
        summary=(data.summary or "").strip(),
        checklist={
            rule: {"passed": bool(passed), "note": (note or "").strip()}
            for rule, (passed, note) in ((r, data.checklist[r]) for r in V_RULES)
        },
        findings_snapshot={"total": counts["total"], **counts["by_severity"]},
        status="open",
        request_key=data.request_key or None,
        created_at=utcnow(),
    )
    items: list[ReviewItem] = []
    for rule in V_RULES:
        passed, note = data.checklist[rule]
        if not passed:
            items.append(ReviewItem(rule=rule, note=(note or "").strip()))
    for rid, rule, note in data.rhk_notes:
        items.append(ReviewItem(rhk_id=rid, rule=rule or "", note=note.strip()))
    for f in picked:
        item = ReviewItem(
            finding_code=f.code,
            rule=f.rule if f.rule.startswith("V") else "",
            note=f.message,
            pegawai_id=f.owner_pegawai_id,
        )
        if f.nodes:
            kind, db_id = parse_node_id(f.nodes[0])
            if kind == "rhk":
                item.rhk_id = db_id
            else:
                item.sasaran_id = db_id
        items.append(item)
    for item in items:
        item.status = "open"
        item.created_at = utcnow()
        review.items.append(item)
        _event(item, None, "open", actor, "")
    session.add(review)
    session.flush()
    record(
        session,
        "review.create",
        "alignment_review",
        review.id,
        actor=actor,
        after={
            "opd_id": review.opd_id,
            "tahun": review.tahun,
            "verdict": review.verdict,
            "due_date": review.due_date,
            "items": len(items),
        },
        summary=f"Reviu keselarasan cascading {opd.nama} {review.tahun}: "
        f"{VERDICTS[review.verdict].lower()}, {len(items)} butir",
    )
    return review, True


def _check_open(review: AlignmentReview) -> None:
    if review.status != "open":
        raise ReviewStateError("Reviu ini sudah ditutup; butirnya tidak dapat diubah lagi.")


def _clean_note(note: str | None, *, required: bool, what: str) -> str:
    text = (note or "").strip()
    if required and not text:
        raise ReviewValidationError({"note": [f"Isi catatan {what}."]})
    if len(text) > MAX_NOTE:
        raise ReviewValidationError({"note": [f"Catatan maksimal {MAX_NOTE} karakter."]})
    return text


def _transition(
    session: Session, item: ReviewItem, to_status: str, actor, note: str, action: str
) -> None:
    before = item.status
    item.status = to_status
    now = utcnow()
    if to_status == "fixed":
        item.fixed_by_user_id = getattr(actor, "id", None)
        item.fixed_at = now
        item.fixed_note = note
    elif to_status == "closed":
        item.closed_at = now
    elif to_status == "reopened":
        item.closed_at = None
    _event(item, before, to_status, actor, note)
    session.flush()
    record(
        session,
        action,
        "review_item",
        item.id,
        actor=actor,
        before={"status": before},
        after={"status": to_status, "note": note, "review_id": item.review_id},
        summary=f"Butir reviu #{item.id}: {ITEM_STATUS[before]} → {ITEM_STATUS[to_status]}",
    )


def mark_item_fixed(session: Session, item: ReviewItem, *, actor, note: str) -> bool:
    """Mark a review item fixed (the OPD operator), with a note on what was changed.

    Returns False (and changes nothing) when the item is already marked fixed.

    Raises
    ------
    ReviewForbidden
        If ``actor`` is not an operator of the review's OPD.
    ReviewStateError
        If the review is closed or the evaluator already closed the item.
    ReviewValidationError
        If the note is empty or too long.
    """
    if not perm.can_mark_review_item_fixed(actor, item):
        raise ReviewForbidden("Hanya operator OPD ini yang dapat menandai butir sudah diperbaiki.")
    _check_open(item.review)
    if item.status == "fixed":
        return False
    if item.status == "closed":
        raise ReviewStateError("Butir ini sudah ditutup oleh evaluator.")
    text = _clean_note(note, required=True, what="perbaikan (apa yang sudah diubah)")
    _transition(session, item, "fixed", actor, text, "review_item.fix")
    return True


def close_item(session: Session, item: ReviewItem, *, actor, note: str = "") -> bool:
    """Close a review item (the evaluator accepts the fix, or finds nothing to do).

    Returns False when the item is already closed.

    Raises
    ------
    ReviewForbidden
        If ``actor`` is not an evaluator covering the review's OPD.
    ReviewStateError
        If the review is closed.
    """
    if not perm.can_close_review_item(actor, item):
        raise ReviewForbidden("Hanya evaluator OPD ini yang dapat menutup butir reviu.")
    _check_open(item.review)
    if item.status == "closed":
        return False
    text = _clean_note(note, required=False, what="penutupan")
    _transition(session, item, "closed", actor, text, "review_item.close")
    return True


def reopen_item(session: Session, item: ReviewItem, *, actor, note: str) -> bool:
    """Reopen a fixed or closed item (the evaluator is not satisfied), saying why.

    Returns False when the item is still waiting for the OPD (open or reopened).

    Raises
    ------
    ReviewForbidden
        If ``actor`` is not an evaluator covering the review's OPD.
    ReviewStateError
        If the review is closed.
    ReviewValidationError
        If the note is empty or too long.
    """
    if not perm.can_close_review_item(actor, item):
        raise ReviewForbidden("Hanya evaluator OPD ini yang dapat membuka kembali butir reviu.")
    _check_open(item.review)
    if item.is_pending:
        return False
    text = _clean_note(note, required=True, what="alasan membuka kembali")
    _transition(session, item, "reopened", actor, text, "review_item.reopen")
    return True


def close_review(session: Session, review: AlignmentReview, *, actor, note: str = "") -> bool:
    """Close a review once every item is closed. Returns False when it is already closed.

    Raises
    ------
    ReviewForbidden
        If ``actor`` is not an evaluator covering the review's OPD.
    ReviewStateError
        If some items are not closed yet.
    """
    if not perm.can_act_on_review(actor, review):
        raise ReviewForbidden("Hanya evaluator OPD ini yang dapat menutup reviu.")
    if review.status == "closed":
        return False
    waiting = [i for i in review.items if i.status != "closed"]
    if waiting:
        raise ReviewStateError(
            f"Reviu belum dapat ditutup: {len(waiting)} butir belum ditutup. Tutup atau buka "
            "kembali setiap butir terlebih dahulu."
        )
    text = _clean_note(note, required=False, what="penutupan")
    review.status = "closed"
    review.closed_at = utcnow()
    if text:
        review.summary = f"{review.summary}\n\nCatatan penutupan: {text}".strip()
    session.flush()
    record(
        session,
        "review.close",
        "alignment_review",
        review.id,
        actor=actor,
        before={"status": "open"},
        after={"status": "closed"},
        summary=f"Reviu keselarasan #{review.id} ditutup",
    )
    return True


def finding_title(code: str) -> str:
    """Return the Indonesian title of a finding code (the code itself when unknown)."""
    info = FINDING_CODES.get(code)
    return info.title if info else code
