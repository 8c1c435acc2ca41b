"""Personnel sync: every run, what it planned and changed, what it refused, and saved mappings.

A :class:`SyncRun` is created for each pull from a source. ``plan`` fills it with
:class:`SyncChange` rows (one per unit, position or employee that differs from the database) and
:class:`QuarantinedRecord` rows (records refused with a reason). ``apply`` writes the changes in
batches; each committed batch of employee changes appends its mark to
``SyncRun.applied_marks`` (unit and position changes are stamped ``SyncChange.applied_at``), so
a rerun after a crash continues where it stopped. :meth:`SyncRun.change_applied_at` says when
any change was applied.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import datetime, timedelta

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from skp_app.extensions import db
from skp_app.timeutil import utcnow

RUN_STATUS = {
    "queued": "Menunggu",
    "planning": "Membaca sumber",
    "planned": "Rencana siap ditinjau",
    "plan_failed": "Gagal membaca sumber",
    "applying": "Sedang diterapkan",
    "apply_failed": "Gagal diterapkan",
    "applied": "Diterapkan",
    "discarded": "Dibatalkan",
}
RUN_STATUS_BADGE = {
    "queued": "info",
    "planning": "info",
    "planned": "submitted",
    "plan_failed": "failed",
    "applying": "info",
    "apply_failed": "failed",
    "applied": "done",
    "discarded": "draft",
}
CHANGE_KIND = {
    "new": "Baru",
    "changed": "Berubah",
    "leaving": "Keluar dari dinas aktif",
    "not_in_source": "Tidak ada di sumber",
    "unchanged": "Tidak berubah",
    "invalid": "Dikarantina",
}
ENTITY = {"pegawai": "Pegawai", "unit": "Unit organisasi", "jabatan": "Jabatan"}
STALLED_AFTER = timedelta(minutes=15)


class SyncRun(db.Model):
    """One pull from one source: its plan, its counts, its progress and its outcome."""

    __tablename__ = "sync_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(30), index=True)  # siasn-csv, siasn-api, …
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    full_export: Mapped[bool] = mapped_column(default=True)
    # How to rebuild the adapter: file path and name, mapping id, NIP list for an API pull, …
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    file_name: Mapped[str] = mapped_column(String(255), default="")
    # {"new": n, "changed": n, "unchanged": n, "leaving": n, "not_in_source": n, "invalid": n,
    #  "units_new": n, …, "records": n}
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    applied_counts: Mapped[dict] = mapped_column(JSON, default=dict)
    # One mark per committed batch of employee changes, in apply order:
    # [[depth, id of the batch's last change, applied at (ISO, UTC)], …]. The employee
    # changes up to the last mark are applied (see change_applied_at).
    applied_marks: Mapped[list] = mapped_column(JSON, default=list)
    # Non-fatal remarks for HR (encoding fallback, units created without a parent, …).
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    # Resumable progress: records done, superior snapshot taken before apply, …
    checkpoint: Mapped[dict] = mapped_column(JSON, default=dict)
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    progress_message: Mapped[str] = mapped_column(String(300), default="")
    # Stamped at every committed batch: a reading/applying run without a recent one was cut off
    # (process killed, server restarted) and may be continued.
    heartbeat_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    planned_at: Mapped[datetime | None]
    applied_at: Mapped[datetime | None]
    discarded_at: Mapped[datetime | None]

    @property
    def status_label(self) -> str:
        return RUN_STATUS.get(self.status, self.status)

    @property
    def status_badge(self) -> str:
        return RUN_STATUS_BADGE.get(self.status, "info")

    @property
    def is_stalled(self) -> bool:
        """Return whether a running plan/apply has shown no progress for STALLED_AFTER."""
        if self.status not in {"planning", "applying"}:
            return False
        last = self.heartbeat_at or self.created_at
        return last is not None and utcnow() - last > STALLED_AFTER

    def change_applied_at(self, change: SyncChange) -> datetime | None:
        """Return when ``change`` was applied (None: not applied).

        Unit and position changes, and employee changes that restarted SKPs, carry their own
        stamp; the other employee changes were applied by the batch whose mark is the first
        at or after them in apply order (depth, id).
        """
        if change.applied_at is not None:
            return change.applied_at
        marks = self.applied_marks or []
        if change.entity != "pegawai" or not marks:
            return None
        i = bisect_left([(m[0], m[1]) for m in marks], (change.depth, change.id))
        return datetime.fromisoformat(marks[i][2]) if i < len(marks) else None

    @property
    def resume_point(self) -> dict | None:
        """Return where a failed or cut-off pull continues (``None``: it starts over).

        ``{"done": records planned and stored, "page": last page read whole, "total_pages"}``;
        the pages are given for a paged source (SIMPEG API).
        """
        if self.status != "plan_failed" and not (self.status == "planning" and self.is_stalled):
            return None
        checkpoint = self.checkpoint or {}
        if not checkpoint.get("done") or "source" not in checkpoint:
            return None
        source = checkpoint.get("source") or {}
        return {
            "done": int(checkpoint["done"]),
            "page": source.get("page"),
            "total_pages": source.get("total_pages"),
        }

    @property
    def resume_label(self) -> str:
        """Return the resume point in words for HR, or an empty string."""
        point = self.resume_point
        if point is None:
            return ""
        if point["page"]:
            total = f" dari {point['total_pages']}" if point["total_pages"] else ""
            return (
                f"Halaman 1–{point['page']}{total} ({point['done']} data) sudah terbaca dan "
                f"tersimpan; pembacaan dilanjutkan dari halaman {point['page'] + 1}."
            )
        return (
            f"{point['done']} data pertama sudah terbaca dan tersimpan; pembacaan dilanjutkan "
            "sesudahnya."
        )

    @property
    def percent(self) -> int:
        if self.status in {"planned", "applied"}:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(self.progress_done * 100 / self.progress_total))

    @property
    def quarantined(self) -> int:
        return int((self.counts or {}).get("invalid", 0))

    @property
    def pending_changes(self) -> int:
        c = self.counts or {}
        keys = (
            "new",
            "changed",
            "leaving",
            "not_in_source",
            "units_new",
            "units_changed",
            "positions_new",
            "positions_changed",
        )
        return sum(int(c.get(k, 0)) for k in keys)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "source": self.source,
            "status": self.status,
            "status_label": self.status_label,
            "full_export": self.full_export,
            "file_name": self.file_name,
            "counts": self.counts or {},
            "applied_counts": self.applied_counts or {},
            "warnings": self.warnings or [],
            "progress": {
                "done": self.progress_done,
                "total": self.progress_total,
                "percent": self.percent,
                "message": self.progress_message,
            },
            "error": self.error,
            "stalled": self.is_stalled,
            "resume": self.resume_point,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "planned_at": self.planned_at.isoformat() if self.planned_at else None,
            "applied_at": self.applied_at.isoformat() if self.applied_at else None,
            "discarded_at": self.discarded_at.isoformat() if self.discarded_at else None,
        }


class SyncChange(db.Model):
    """One planned change: a unit, position or employee that is new or differs from the source."""

    __tablename__ = "sync_changes"
    # Few indexes: every row of a plan is written in bulk and each index costs as much as the
    # row. (run_id, entity) leads every read of a run's changes (review, pending ones, counts).
    __table_args__ = (
        Index("ix_sync_change_run_kind", "run_id", "entity", "kind"),
        Index("ix_sync_change_pegawai", "pegawai_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("sync_runs.id", ondelete="CASCADE"))
    entity: Mapped[str] = mapped_column(String(10), default="pegawai")  # pegawai / unit / jabatan
    kind: Mapped[str] = mapped_column(String(16))  # new / changed / leaving / not_in_source
    # Row number in the file (or position in the API pull); 0 for derived changes.
    row_number: Mapped[int] = mapped_column(default=0)
    # Apply order: a superior named by the source is created before its subordinates.
    depth: Mapped[int] = mapped_column(default=0)
    pegawai_id: Mapped[int | None] = mapped_column(ForeignKey("pegawai.id", ondelete="SET NULL"))
    object_id: Mapped[int | None]  # unit / jabatan id when it exists
    nip: Mapped[str | None] = mapped_column(String(18))
    key: Mapped[str] = mapped_column(String(300), default="")  # siasn id / name of a unit, …
    label: Mapped[str] = mapped_column(String(300), default="")  # name shown in the review
    # {"field": [old, new]} in display-friendly JSON values.
    diff: Mapped[dict] = mapped_column(JSON, default=dict)
    # The target values needed to apply the change (resolved again at apply time).
    record: Mapped[dict] = mapped_column(JSON, default=dict)
    # What applying it did beyond the row itself (SKP closed and restarted, links flagged, …).
    effects: Mapped[dict | None] = mapped_column(JSON)
    # Set on unit and position changes and on employee changes with effects; for the other
    # employee changes the run's batch marks say it (SyncRun.change_applied_at).
    applied_at: Mapped[datetime | None]

    # Filled for display by skp_app.sync.queries.with_apply_state (not stored): when the change
    # was applied, and the employee it concerns (a new employee's id is found by NIP).
    applied_when = None
    linked_pegawai_id = None

    @property
    def kind_label(self) -> str:
        return CHANGE_KIND.get(self.kind, self.kind)

    @property
    def display_diff(self) -> dict:
        """``{field: [old, new]}`` for the review; a new employee's is read from its record."""
        if self.entity == "pegawai" and self.kind == "new" and not self.diff:
            from skp_app.sync.engine import new_employee_summary

            summary = new_employee_summary(self.record or {})
            return {k: [None, v] for k, v in summary.items() if k != "nip"}  # NIP has a column
        return self.diff or {}

    @property
    def entity_label(self) -> str:
        return ENTITY.get(self.entity, self.entity)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "entity": self.entity,
            "kind": self.kind,
            "row_number": self.row_number,
            "pegawai_id": self.linked_pegawai_id or self.pegawai_id,
            "nip": self.nip,
            "key": self.key,
            "label": self.label,
            "diff": self.display_diff,
            "effects": self.effects or {},
            "applied_at": when.isoformat()
            if (when := self.applied_when or self.applied_at)
            else None,
        }


class QuarantinedRecord(db.Model):
    """A source record that was refused, with the reason; fixed at the source, next run takes it."""

    __tablename__ = "sync_quarantine"
    __table_args__ = (Index("ix_sync_quarantine_run", "run_id", "reason_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("sync_runs.id", ondelete="CASCADE"))
    row_number: Mapped[int] = mapped_column(default=0)
    source_key: Mapped[str] = mapped_column(String(100), default="")
    nip: Mapped[str] = mapped_column(String(40), default="")  # as written in the source
    nama: Mapped[str] = mapped_column(String(200), default="")
    reason_code: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    raw: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "row_number": self.row_number,
            "source_key": self.source_key,
            "nip": self.nip,
            "nama": self.nama,
            "reason_code": self.reason_code,
            "message": self.message,
            "raw": self.raw or {},
        }


class SyncFingerprint(db.Model):
    """A source row that matched its employee, so that an unchanged rerun can skip it.

    ``row_digest`` fingerprints the source row (with its header and mapping), ``db_digest``
    the employee's database row (compared columns, external id, unit and position) at that
    moment. A later plan that reads the same row for an employee whose database row still has
    the same digest knows the comparison's outcome — unchanged — without redoing it.
    """

    __tablename__ = "sync_fingerprints"

    source: Mapped[str] = mapped_column(String(30), primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    row_digest: Mapped[int] = mapped_column(BigInteger)
    db_digest: Mapped[int] = mapped_column(BigInteger)


class SyncMapping(db.Model):
    """A saved column mapping for the ``tabular`` source: our field name → the file's header."""

    __tablename__ = "sync_mappings"
    __table_args__ = (UniqueConstraint("name", name="uq_sync_mapping_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(300), default="")
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    # Which external-id space the mapped ``external_id`` column belongs to (e.g. "simpeg").
    external_source: Mapped[str] = mapped_column(String(30), default="tabular")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
