"""Realization and evaluation: monthly realizations with evidence, daily activities, periodic
and annual evaluations with objections, the organisation's predikat, attendance and TPP recaps.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skp_app.extensions import db
from skp_app.timeutil import utcnow

REALISASI_STATUS = {
    "draft": "Draf",
    "diajukan": "Menunggu verifikasi",
    "terverifikasi": "Terverifikasi",
    "ditolak": "Ditolak",
}
AKTIVITAS_STATUS = {
    "diajukan": "Menunggu persetujuan",
    "disetujui": "Disetujui",
    "ditolak": "Ditolak",
}
EVALUASI_STATUS = {"draft": "Draf", "final": "Final"}
KEBERATAN_STATUS = {"diajukan": "Diajukan", "diterima": "Diterima", "ditolak": "Ditolak"}
KEHADIRAN = {
    "hadir": "Hadir",
    "izin": "Izin",
    "sakit": "Sakit",
    "cuti": "Cuti",
    "dinas_luar": "Dinas luar",
    "alpa": "Tanpa keterangan",
}


class Realisasi(db.Model):
    """The value of one IKI in one month (unique per IKI × month)."""

    __tablename__ = "realisasi"
    __table_args__ = (
        UniqueConstraint("iki_id", "tahun", "bulan", name="uq_realisasi_iki_bulan"),
        Index("ix_realisasi_skp_bulan", "skp_id", "tahun", "bulan"),
        # Covering indexes of the monthly recap's capaian aggregate (tpp_recap._capaian):
        # PostgreSQL reads the months ≤ M range of the first and hashes per IKI; SQLite reads
        # the year from the second in IKI order, so its sum per IKI streams without a sort
        # (twice as fast as sorting for a recap late in the year).
        Index("ix_realisasi_recap", "tahun", "bulan", "iki_id", "status", "nilai"),
        Index("ix_realisasi_capaian", "tahun", "iki_id", "bulan", "status", "nilai"),
        CheckConstraint("bulan between 1 and 12", name="ck_realisasi_bulan"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    iki_id: Mapped[int] = mapped_column(ForeignKey("iki.id", ondelete="CASCADE"))
    skp_id: Mapped[int] = mapped_column(ForeignKey("skp.id", ondelete="CASCADE"))
    tahun: Mapped[int]
    bulan: Mapped[int]
    nilai: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    catatan: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(14), default="draft", index=True)
    verified_by_pegawai_id: Mapped[int | None] = mapped_column(ForeignKey("pegawai.id"))
    verified_at: Mapped[datetime | None]
    verify_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    iki = relationship("Iki")
    bukti: Mapped[list[Bukti]] = relationship(back_populates="realisasi")


class Bukti(db.Model):
    """Evidence: a stored (re-encoded, EXIF-free) image or PDF, or a link."""

    __tablename__ = "bukti"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_pegawai_id: Mapped[int] = mapped_column(ForeignKey("pegawai.id"), index=True)
    realisasi_id: Mapped[int | None] = mapped_column(
        ForeignKey("realisasi.id", ondelete="SET NULL"), index=True
    )
    aktivitas_id: Mapped[int | None] = mapped_column(
        ForeignKey("aktivitas.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # image / pdf / link
    nama: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str | None] = mapped_column(String(1000))
    stored_name: Mapped[str | None] = mapped_column(String(100))  # random name on disk
    mime: Mapped[str | None] = mapped_column(String(50))
    size: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)  # of the stored copy
    source_sha256: Mapped[str | None] = mapped_column(String(64), index=True)  # of the upload
    captured_at: Mapped[datetime | None]  # EXIF DateTimeOriginal (local time as written)
    gps_lat: Mapped[Decimal | None] = mapped_column(Numeric(10, 7))
    gps_lon: Mapped[Decimal | None] = mapped_column(Numeric(10, 7))
    # Mismatch flags for the superior: date_mismatch, far_from_office, reused_photo, no_exif …
    flags: Mapped[list] = mapped_column(JSON, default=list)
    # What each flag found, for the superior: {"date_mismatch": {"foto": "2026-03-01", …}, …}
    flag_detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    realisasi: Mapped[Realisasi | None] = relationship(back_populates="bukti")


class KatalogAktivitas(db.Model):
    """A catalogue activity with standard minutes, optionally for one position."""

    __tablename__ = "katalog_aktivitas"

    id: Mapped[int] = mapped_column(primary_key=True)
    nama: Mapped[str] = mapped_column(String(255))
    menit_standar: Mapped[int]
    satuan: Mapped[str] = mapped_column(String(50), default="kegiatan")
    jabatan_id: Mapped[int | None] = mapped_column(ForeignKey("jabatan.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)


class Aktivitas(db.Model):
    """A daily activity; its points count only once the direct superior approves it."""

    __tablename__ = "aktivitas"
    __table_args__ = (
        Index("ix_aktivitas_pegawai_tanggal", "pegawai_id", "tanggal"),
        # Covering index of the monthly recap's points aggregate (tpp_recap._points).
        Index("ix_aktivitas_recap", "pegawai_id", "tanggal", "status", "poin"),
        Index("ix_aktivitas_approver_status", "approver_pegawai_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pegawai_id: Mapped[int] = mapped_column(ForeignKey("pegawai.id"))
    tanggal: Mapped[date]
    jam_mulai: Mapped[time]
    jam_selesai: Mapped[time]
    menit: Mapped[int]  # effective minutes
    uraian: Mapped[str] = mapped_column(Text)
    rhk_id: Mapped[int | None] = mapped_column(
        ForeignKey("rhk.id", ondelete="SET NULL"), index=True
    )
    katalog_id: Mapped[int | None] = mapped_column(ForeignKey("katalog_aktivitas.id"))
    volume: Mapped[int] = mapped_column(default=1)
    poin: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0"))
    status: Mapped[str] = mapped_column(String(10), default="diajukan", index=True)
    approver_pegawai_id: Mapped[int | None] = mapped_column(ForeignKey("pegawai.id"))
    decided_at: Mapped[datetime | None]
    reject_reason: Mapped[str | None] = mapped_column(Text)
    flags: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    pegawai = relationship("Pegawai", foreign_keys=[pegawai_id])
    rhk = relationship("Rhk")
    bukti: Mapped[list[Bukti]] = relationship(foreign_keys=[Bukti.aktivitas_id])


class Evaluasi(db.Model):
    """A periodic (month or quarter) or annual evaluation of one SKP (PermenPANRB 6/2022)."""

    __tablename__ = "evaluasi"
    __table_args__ = (
        UniqueConstraint("skp_id", "jenis", "periode_ke", name="uq_evaluasi_skp_periode"),
        Index("ix_evaluasi_evaluator", "evaluator_pegawai_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    skp_id: Mapped[int] = mapped_column(ForeignKey("skp.id", ondelete="CASCADE"))
    jenis: Mapped[str] = mapped_column(String(10))  # periodik / tahunan
    # Month (1-12) or quarter (1-4) per the periode's rhythm; 0 for the annual evaluation.
    periode_ke: Mapped[int] = mapped_column(default=0)
    tahun: Mapped[int]
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit_organisasi.id"), index=True)
    evaluator_pegawai_id: Mapped[int | None] = mapped_column(ForeignKey("pegawai.id"))
    suggested_rating_hasil: Mapped[int | None]  # SIASN perilakuDanKinerja id 1..3
    rating_hasil: Mapped[int | None]
    rating_perilaku: Mapped[int | None]
    override_reason: Mapped[str | None] = mapped_column(Text)
    # Where the suggestion came from: capaian (§11.1), organisasi (leader, §4.5) or periodik
    # (annual: the last periodic result, §11.8); the annual proposal also suggests perilaku.
    suggestion_basis: Mapped[str | None] = mapped_column(String(12))
    suggested_rating_perilaku: Mapped[int | None]
    proposed_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("evaluasi.id", ondelete="SET NULL")
    )
    predikat: Mapped[int | None]  # SIASN kuadranNilai id 1..5
    curve_justification: Mapped[str | None] = mapped_column(Text)
    catatan: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(8), default="draft", index=True)
    finalized_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    skp = relationship("Skp")
    umpan_balik: Mapped[list[UmpanBalik]] = relationship(
        back_populates="evaluasi", cascade="all, delete-orphan"
    )
    keberatan: Mapped[list[Keberatan]] = relationship(
        back_populates="evaluasi", cascade="all, delete-orphan"
    )


class UmpanBalik(db.Model):
    """Feedback of the pejabat penilai on one RHK or one BerAKHLAK value."""

    __tablename__ = "umpan_balik"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluasi_id: Mapped[int] = mapped_column(
        ForeignKey("evaluasi.id", ondelete="CASCADE"), index=True
    )
    rhk_id: Mapped[int | None] = mapped_column(ForeignKey("rhk.id", ondelete="SET NULL"))
    nilai_kode: Mapped[int | None]  # BerAKHLAK 1..7
    teks: Mapped[str] = mapped_column(Text)

    evaluasi: Mapped[Evaluasi] = relationship(back_populates="umpan_balik")


class Keberatan(db.Model):
    """An employee's objection to an evaluation, decided by the atasan pejabat penilai."""

    __tablename__ = "keberatan"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluasi_id: Mapped[int] = mapped_column(
        ForeignKey("evaluasi.id", ondelete="CASCADE"), index=True
    )
    pegawai_id: Mapped[int] = mapped_column(ForeignKey("pegawai.id"))
    alasan: Mapped[str] = mapped_column(Text)
    penjelasan_penilai: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="diajukan")
    keputusan: Mapped[str | None] = mapped_column(Text)
    decided_by_pegawai_id: Mapped[int | None] = mapped_column(ForeignKey("pegawai.id"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    evaluasi: Mapped[Evaluasi] = relationship(back_populates="keberatan")


class PredikatOrganisasi(db.Model):
    """The organisation's predikat for a unit and period (SE MenPANRB 3/2023)."""

    __tablename__ = "predikat_organisasi"
    __table_args__ = (
        UniqueConstraint("unit_id", "tahun", "periode_ke", name="uq_predikat_org_periode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit_organisasi.id"))
    tahun: Mapped[int]
    periode_ke: Mapped[int] = mapped_column(default=0)  # 0 = annual
    predikat: Mapped[str] = mapped_column(String(20))  # OrgPredikat name
    set_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


class Kehadiran(db.Model):
    """One attendance day imported from the fingerprint machine export."""

    __tablename__ = "kehadiran"
    __table_args__ = (
        UniqueConstraint("pegawai_id", "tanggal", name="uq_kehadiran_hari"),
        # Covering index of the monthly recap's attendance aggregate (tpp_recap._attendance).
        Index(
            "ix_kehadiran_recap", "tanggal", "pegawai_id", "keterangan", "jam_masuk", "jam_pulang"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pegawai_id: Mapped[int] = mapped_column(ForeignKey("pegawai.id"), index=True)
    tanggal: Mapped[date] = mapped_column(index=True)
    jam_masuk: Mapped[time | None]
    jam_pulang: Mapped[time | None]
    keterangan: Mapped[str] = mapped_column(String(12), default="hadir")
    import_job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))


class TppPolicyVersion(db.Model):
    """A version of the instansi's TPP policy (domain.md §11.6), never edited in place."""

    __tablename__ = "tpp_policy_version"
    __table_args__ = (UniqueConstraint("instansi_id", "version", name="uq_tpp_policy_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instansi_id: Mapped[int] = mapped_column(ForeignKey("instansi.id"))
    version: Mapped[int]
    policy: Mapped[dict] = mapped_column(JSON)
    # Monthly TPP ceiling (Rupiah) per kelas jabatan: {"7": 4500000, …}
    pagu_per_kelas: Mapped[dict] = mapped_column(JSON, default=dict)
    berlaku_mulai: Mapped[date]
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TppRecap(db.Model):
    """A monthly recap run (capaian, points, TPP basis) for an OPD or the whole regency."""

    __tablename__ = "tpp_recap"

    id: Mapped[int] = mapped_column(primary_key=True)
    tahun: Mapped[int]
    bulan: Mapped[int]
    opd_id: Mapped[int | None] = mapped_column(ForeignKey("unit_organisasi.id"))
    policy_version_id: Mapped[int | None] = mapped_column(ForeignKey("tpp_policy_version.id"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    line_count: Mapped[int] = mapped_column(default=0)
    # Recap-wide lineage: policy (as applied), formula, settings, calendar, totals.
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TppRecapLine(db.Model):
    """One employee's line of a recap, with the lineage that explains every number."""

    __tablename__ = "tpp_recap_line"
    __table_args__ = (UniqueConstraint("recap_id", "pegawai_id", name="uq_recap_pegawai"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recap_id: Mapped[int] = mapped_column(
        ForeignKey("tpp_recap.id", ondelete="CASCADE"), index=True
    )
    pegawai_id: Mapped[int] = mapped_column(ForeignKey("pegawai.id"), index=True)
    opd_id: Mapped[int | None] = mapped_column(ForeignKey("unit_organisasi.id"))
    poin: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    capaian: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    pagu: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    produktivitas: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    disiplin: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    potongan: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    diterima: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    lineage: Mapped[dict] = mapped_column(JSON, default=dict)


class HukumanDisiplin(db.Model):
    """A disciplinary sentence (hukuman disiplin, PP 94/2021) from an SK, feeding the TPP cut.

    ``jenis`` is a key of the TPP policy's ``hukdis_cuts`` (domain.md §5.3, §11.6). A record
    is never deleted: a wrong or revoked SK is annulled (``is_annulled``) with a reason.
    """

    __tablename__ = "hukuman_disiplin"
    __table_args__ = (
        # The recap's "active in month M" query reads the open records by TMT.
        Index("ix_hukuman_disiplin_aktif", "is_annulled", "tmt_mulai"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pegawai_id: Mapped[int] = mapped_column(ForeignKey("pegawai.id"), index=True)
    jenis: Mapped[str] = mapped_column(String(40))
    nomor_sk: Mapped[str] = mapped_column(String(100))
    tanggal_sk: Mapped[date]
    tmt_mulai: Mapped[date]
    tmt_selesai: Mapped[date | None]  # None = open-ended (e.g. pemberhentian)
    keterangan: Mapped[str] = mapped_column(Text, default="")
    is_annulled: Mapped[bool] = mapped_column(default=False)
    annul_reason: Mapped[str | None] = mapped_column(Text)
    annulled_at: Mapped[datetime | None]
    annulled_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    pegawai = relationship("Pegawai")


class RekapBulananPegawai(db.Model):
    """Monthly totals of one employee that the TPP recap reads, maintained on every write.

    Kept equal to an aggregation of the raw rows by :mod:`skp_app.realization.totals` in the
    same transaction as each write of :class:`Aktivitas` or :class:`Kehadiran` (rebuild:
    ``skp recap rebuild-totals``). Attendance is kept per day and independent of the
    instansi settings (office hours, holidays, the recap's cut-off day), which the recap
    applies when it reads the row:

    * ``hari``: one character per day of the month (``H`` hadir, ``A`` alpa, ``K`` another
      keterangan such as izin/cuti, ``.`` no record);
    * ``masuk`` / ``pulang``: six digits per day, the clock-in / clock-out time in half
      seconds since midnight (``2 × seconds``, +1 when there is a fraction of a second), so
      that a fixed-width text comparison is a time comparison; ``~~~~~~`` (clock-in) and
      ``------`` (clock-out) mean no time recorded on a hadir day, ``......`` a day that is
      not hadir.
    """

    __tablename__ = "rekap_bulanan_pegawai"

    tahun: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    bulan: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    pegawai_id: Mapped[int] = mapped_column(
        ForeignKey("pegawai.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # Sum of the points of the APPROVED activities dated in the month.
    poin: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    hari: Mapped[str] = mapped_column(String(31), default="")
    masuk: Mapped[str] = mapped_column(String(186), default="")
    pulang: Mapped[str] = mapped_column(String(186), default="")


class RealisasiKumulatif(db.Model):
    """Cumulative realisasi of one IKI in one year, maintained on every write of a realisasi.

    ``total_m`` / ``n_m``: the sum and the number of the counted realisasi (status diajukan or
    terverifikasi, with a value) of months 1..m, read by the recap's capaian instead of the
    monthly rows. Kept equal to an aggregation of :class:`Realisasi` by
    :mod:`skp_app.realization.totals` in the same transaction as each write.
    """

    __tablename__ = "realisasi_kumulatif"

    tahun: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    iki_id: Mapped[int] = mapped_column(
        ForeignKey("iki.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    total_1: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    total_2: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    total_3: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    total_4: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    total_5: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    total_6: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    total_7: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    total_8: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    total_9: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    total_10: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    total_11: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    total_12: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    n_1: Mapped[int] = mapped_column(default=0)
    n_2: Mapped[int] = mapped_column(default=0)
    n_3: Mapped[int] = mapped_column(default=0)
    n_4: Mapped[int] = mapped_column(default=0)
    n_5: Mapped[int] = mapped_column(default=0)
    n_6: Mapped[int] = mapped_column(default=0)
    n_7: Mapped[int] = mapped_column(default=0)
    n_8: Mapped[int] = mapped_column(default=0)
    n_9: Mapped[int] = mapped_column(default=0)
    n_10: Mapped[int] = mapped_column(default=0)
    n_11: Mapped[int] = mapped_column(default=0)
    n_12: Mapped[int] = mapped_column(default=0)


# Registers the flush hooks that keep the two tables above equal to the raw rows.
from skp_app.realization import totals as _totals  # noqa: E402, F401
