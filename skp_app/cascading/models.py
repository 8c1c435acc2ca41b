"""Alignment reviews: an evaluator's review of one OPD's cascade, its items and their history.

An evaluator opens an OPD's cascade for a periode, checks it against the validity rules V1–V7
(``domain.md`` §3.4), and records an :class:`AlignmentReview` with a verdict (*selaras* or
*perlu perbaikan*), a due date and :class:`ReviewItem` rows: a failed V-rule, a note on one RHK
or sasaran, or a finding of the automatic check. The OPD operator marks items fixed; the
evaluator closes or reopens them. Every change of an item's status is a
:class:`ReviewItemEvent` (and an audit event).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skp_app.extensions import db
from skp_app.timeutil import utcnow

__all__ = [
    "ITEM_STATUS",
    "REVIEW_STATUS",
    "V_RULES",
    "VERDICTS",
    "AlignmentReview",
    "ReviewItem",
    "ReviewItemEvent",
]

VERDICTS = {"selaras": "Selaras", "perlu_perbaikan": "Perlu perbaikan"}
REVIEW_STATUS = {"open": "Terbuka", "closed": "Ditutup"}
ITEM_STATUS = {
    "open": "Terbuka",
    "fixed": "Sudah diperbaiki",
    "closed": "Ditutup",
    "reopened": "Dibuka kembali",
}
#: The validity rules of a cascade (domain.md §3.4), as the review checklist shows them.
V_RULES = {
    "V1": "RHK utama non-JPT mengintervensi satu RHK atasan langsung pada periode yang sama",
    "V2": "Bawahan menyusun SKP setelah SKP (dan Matriks Peran Hasil) atasan tersedia",
    "V3": "RHK JPT diturunkan dari sasaran Renstra/Perjanjian Kinerja OPD",
    "V4": "RHK tambahan tidak wajib mengintervensi RHK atasan",
    "V5": "IKI dirumuskan dalam bahasa hasil (output), bukan bahasa kegiatan",
    "V6": "Seluruh anggota tim tercantum dalam Matriks Peran Hasil tanpa peran tumpang tindih",
    "V7": "Pejabat penilai adalah atasan langsung sesuai data SIASN",
}


class AlignmentReview(db.Model):
    """An evaluator's review of one OPD's cascade for one periode."""

    __tablename__ = "alignment_reviews"
    __table_args__ = (
        Index("ix_alignment_reviews_opd_tahun", "opd_id", "tahun"),
        CheckConstraint("verdict in ('selaras','perlu_perbaikan')", name="ck_review_verdict"),
        CheckConstraint("status in ('open','closed')", name="ck_review_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opd_id: Mapped[int] = mapped_column(ForeignKey("unit_organisasi.id"))
    tahun: Mapped[int]
    evaluator_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    verdict: Mapped[str] = mapped_column(String(20))
    due_date: Mapped[date]
    summary: Mapped[str] = mapped_column(Text, default="")
    # {"V1": {"passed": true, "note": "…"}, …} — the answers of the V1–V7 checklist.
    checklist: Mapped[dict] = mapped_column(JSON, default=dict)
    # Counts of the automatic findings when the review was recorded: {"error": n, …}.
    findings_snapshot: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    # The hidden uuid4 of the form: a replayed submission returns the review already made.
    request_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    opd = relationship("UnitOrganisasi")
    evaluator = relationship("User")
    items: Mapped[list[ReviewItem]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewItem.id"
    )

    @property
    def verdict_label(self) -> str:
        return VERDICTS.get(self.verdict, self.verdict)

    @property
    def status_label(self) -> str:
        return REVIEW_STATUS.get(self.status, self.status)


class ReviewItem(db.Model):
    """One point of a review: a failed V-rule, a note on an RHK or sasaran, or a finding."""

    __tablename__ = "review_items"
    __table_args__ = (
        CheckConstraint(
            "status in ('open','fixed','closed','reopened')", name="ck_review_item_status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("alignment_reviews.id", ondelete="CASCADE"), index=True
    )
    rhk_id: Mapped[int | None] = mapped_column(ForeignKey("rhk.id", ondelete="SET NULL"))
    sasaran_id: Mapped[int | None] = mapped_column(ForeignKey("sasaran.id", ondelete="SET NULL"))
    pegawai_id: Mapped[int | None] = mapped_column(ForeignKey("pegawai.id", ondelete="SET NULL"))
    finding_code: Mapped[str | None] = mapped_column(String(40))
    rule: Mapped[str] = mapped_column(String(10), default="")  # V1..V7, or "" for other notes
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    fixed_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    fixed_at: Mapped[datetime | None]
    fixed_note: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    review: Mapped[AlignmentReview] = relationship(back_populates="items")
    rhk = relationship("Rhk")
    sasaran = relationship("Sasaran")
    pegawai = relationship("Pegawai")
    fixed_by = relationship("User")
    events: Mapped[list[ReviewItemEvent]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="ReviewItemEvent.id"
    )

    @property
    def status_label(self) -> str:
        return ITEM_STATUS.get(self.status, self.status)

    @property
    def is_pending(self) -> bool:
        """Whether the OPD still has to act (open or reopened)."""
        return self.status in ("open", "reopened")


class ReviewItemEvent(db.Model):
    """A change of a review item's status: who, when, from what to what, and why."""

    __tablename__ = "review_item_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("review_items.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(10))
    to_status: Mapped[str] = mapped_column(String(10))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[ReviewItem] = relationship(back_populates="events")
    actor = relationship("User")

    @property
    def to_label(self) -> str:
        return ITEM_STATUS.get(self.to_status, self.to_status)
