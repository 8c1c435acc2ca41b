"""Planning: periods, regent and OPD goals, the SKP with its RHK, IKI, perilaku and lampiran.

An SKP keeps stable row ids across revisions: approving stores a frozen JSON snapshot of the
whole SKP in :class:`SkpVersion`, and a "revisi" reopens the live rows for editing. That way the
RHK that subordinates intervene keep their ids (and their links) through revisions.
"""

from __future__ import annotations

from datetime import date, datetime
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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skp_app.extensions import db
from skp_app.timeutil import utcnow

SKP_STATUS = {
    "draft": "Draf",
    "diajukan": "Diajukan",
    "disetujui": "Disetujui",
    "dikembalikan": "Dikembalikan",
    "ditutup": "Ditutup",  # closed by a transfer/promotion; a newer SKP replaces it
}
PENDEKATAN = {"kuantitatif": "Kuantitatif", "kualitatif": "Kualitatif"}
RHK_JENIS = {"utama": "Utama", "tambahan": "Tambahan"}
CASCADING = {"direct": "Langsung (direct)", "non_direct": "Tidak langsung (non-direct)"}
ASPEK = {"kuantitas": "Kuantitas", "kualitas": "Kualitas", "waktu": "Waktu", "biaya": "Biaya"}
PERSPEKTIF = {
    "penerima_layanan": "Penerima Layanan",
    "proses_bisnis": "Proses Bisnis",
    "penguatan_internal": "Penguatan Internal",
    "anggaran": "Anggaran",
}
LAMPIRAN_BAGIAN = {
    "dukungan_sumber_daya": "Dukungan Sumber Daya",
    "skema_pertanggungjawaban": "Skema Pertanggungjawaban",
    "konsekuensi": "Konsekuensi",
}
SASARAN_JENIS = {"visi": "Visi", "misi": "Misi", "tujuan": "Tujuan", "sasaran": "Sasaran"}
SASARAN_LEVEL = {"regent": "RPJMD (Kepala Daerah)", "opd": "Renstra/PK OPD"}


class Periode(db.Model):
    """A planning year (``tahun``) with its evaluation rhythm."""

    __tablename__ = "periode"

    id: Mapped[int] = mapped_column(primary_key=True)
    tahun: Mapped[int] = mapped_column(unique=True)
    nama: Mapped[str] = mapped_column(String(100), default="")
    tanggal_mulai: Mapped[date]
    tanggal_selesai: Mapped[date]
    is_open: Mapped[bool] = mapped_column(default=True)
    periodik: Mapped[str] = mapped_column(String(10), default="triwulan")  # bulanan / triwulan
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Sasaran(db.Model):
    """A goal above the individual: RPJMD visi/misi/tujuan/sasaran or an OPD tujuan/sasaran."""

    __tablename__ = "sasaran"
    __table_args__ = (
        Index("ix_sasaran_level_opd", "level", "opd_id"),
        Index("ix_sasaran_parent", "parent_id"),
        Index("ix_sasaran_supports", "supports_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[str] = mapped_column(String(10))  # regent / opd
    jenis: Mapped[str] = mapped_column(String(10))  # visi / misi / tujuan / sasaran
    # Hierarchy inside one level: visi → misi → tujuan → sasaran (OPD: tujuan → sasaran).
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("sasaran.id"))
    # OPD sasaran → the regent sasaran it supports.
    supports_id: Mapped[int | None] = mapped_column(ForeignKey("sasaran.id"))
    opd_id: Mapped[int | None] = mapped_column(ForeignKey("unit_organisasi.id"))
    kode: Mapped[str] = mapped_column(String(30), default="")
    teks: Mapped[str] = mapped_column(Text)
    tahun_awal: Mapped[int]
    tahun_akhir: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Sasaran | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    supports: Mapped[Sasaran | None] = relationship(remote_side=[id], foreign_keys=[supports_id])
    indikator: Mapped[list[IndikatorSasaran]] = relationship(
        back_populates="sasaran", cascade="all, delete-orphan", order_by="IndikatorSasaran.id"
    )


class IndikatorSasaran(db.Model):
    """An indicator (IKU for the regent level) of a goal, with a target per year."""

    __tablename__ = "indikator_sasaran"

    id: Mapped[int] = mapped_column(primary_key=True)
    sasaran_id: Mapped[int] = mapped_column(
        ForeignKey("sasaran.id", ondelete="CASCADE"), index=True
    )
    teks: Mapped[str] = mapped_column(Text)
    satuan: Mapped[str] = mapped_column(String(50), default="")
    is_iku: Mapped[bool] = mapped_column(default=False)
    lower_is_better: Mapped[bool] = mapped_column(default=False)

    sasaran: Mapped[Sasaran] = relationship(back_populates="indikator")
    targets: Mapped[list[IndikatorTarget]] = relationship(
        back_populates="indikator", cascade="all, delete-orphan", order_by="IndikatorTarget.tahun"
    )


class IndikatorTarget(db.Model):
    __tablename__ = "indikator_target"
    __table_args__ = (UniqueConstraint("indikator_id", "tahun", name="uq_indikator_tahun"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indikator_id: Mapped[int] = mapped_column(
        ForeignKey("indikator_sasaran.id", ondelete="CASCADE"), index=True
    )
    tahun: Mapped[int]
    target: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    target_max: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))

    indikator: Mapped[IndikatorSasaran] = relationship(back_populates="targets")


class Skp(db.Model):
    """One employee's SKP for one period (a transfer closes it and opens a new one)."""

    __tablename__ = "skp"
    __table_args__ = (
        Index("ix_skp_periode_pegawai", "periode_id", "pegawai_id"),
        Index("ix_skp_penilai", "penilai_pegawai_id"),
        Index("ix_skp_unit", "unit_id"),
        # One current SKP per employee per period (a closed one stays as history).
        Index(
            "uq_skp_current",
            "periode_id",
            "pegawai_id",
            unique=True,
            sqlite_where=text("is_current = 1"),
            postgresql_where=text("is_current"),
        ),
        CheckConstraint(
            "status in ('draft','diajukan','disetujui','dikembalikan','ditutup')",
            name="ck_skp_status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    periode_id: Mapped[int] = mapped_column(ForeignKey("periode.id"))
    pegawai_id: Mapped[int] = mapped_column(ForeignKey("pegawai.id"))
    # Position and unit the SKP was made for (a change of either starts a new SKP).
    jabatan_id: Mapped[int | None] = mapped_column(ForeignKey("jabatan.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit_organisasi.id"))
    opd_id: Mapped[int | None] = mapped_column(ForeignKey("unit_organisasi.id"), index=True)
    penilai_pegawai_id: Mapped[int | None] = mapped_column(ForeignKey("pegawai.id"))
    atasan_penilai_pegawai_id: Mapped[int | None] = mapped_column(ForeignKey("pegawai.id"))
    penilai_is_override: Mapped[bool] = mapped_column(default=False)  # Plt/Plh chosen by hand
    is_jpt: Mapped[bool] = mapped_column(default=False)
    pendekatan: Mapped[str] = mapped_column(String(12), default="kuantitatif")
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    version: Mapped[int] = mapped_column(default=1)  # bumped by every approved revision
    tanggal_mulai: Mapped[date]
    tanggal_selesai: Mapped[date]
    # Identity snapshots (nama, nip, pangkat, jabatan, unit) taken at approval.
    pegawai_snapshot: Mapped[dict | None] = mapped_column(JSON)
    penilai_snapshot: Mapped[dict | None] = mapped_column(JSON)
    atasan_penilai_snapshot: Mapped[dict | None] = mapped_column(JSON)
    return_note: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    close_reason: Mapped[str | None] = mapped_column(String(200))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("skp.id"))
    is_current: Mapped[bool] = mapped_column(default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    periode: Mapped[Periode] = relationship()
    pegawai = relationship("Pegawai", foreign_keys=[pegawai_id])
    penilai = relationship("Pegawai", foreign_keys=[penilai_pegawai_id])
    atasan_penilai = relationship("Pegawai", foreign_keys=[atasan_penilai_pegawai_id])
    jabatan = relationship("Jabatan")
    unit = relationship("UnitOrganisasi", foreign_keys=[unit_id])
    rhk: Mapped[list[Rhk]] = relationship(
        back_populates="skp",
        cascade="all, delete-orphan",
        order_by="(Rhk.jenis.desc(), Rhk.urutan, Rhk.id)",
    )
    perilaku: Mapped[list[PerilakuExpectation]] = relationship(
        back_populates="skp",
        cascade="all, delete-orphan",
        order_by="PerilakuExpectation.nilai_kode",
    )
    lampiran: Mapped[list[SkpLampiran]] = relationship(
        back_populates="skp",
        cascade="all, delete-orphan",
        order_by="(SkpLampiran.bagian, SkpLampiran.urutan)",
    )

    @property
    def status_label(self) -> str:
        return SKP_STATUS.get(self.status, self.status)


class Rhk(db.Model):
    """Rencana Hasil Kerja: a result the employee commits to, linked to what it intervenes."""

    __tablename__ = "rhk"
    __table_args__ = (
        Index("ix_rhk_skp", "skp_id"),
        Index("ix_rhk_parent_rhk", "parent_rhk_id"),
        Index("ix_rhk_parent_sasaran", "parent_sasaran_id"),
        CheckConstraint("jenis in ('utama','tambahan')", name="ck_rhk_jenis"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    skp_id: Mapped[int] = mapped_column(ForeignKey("skp.id", ondelete="CASCADE"))
    jenis: Mapped[str] = mapped_column(String(10), default="utama")
    urutan: Mapped[int] = mapped_column(default=0)
    teks: Mapped[str] = mapped_column(Text)
    # Non-JPT: the RHK of the pejabat penilai this RHK intervenes (V1).
    parent_rhk_id: Mapped[int | None] = mapped_column(ForeignKey("rhk.id", ondelete="SET NULL"))
    # JPT: the OPD (PK/Renstra) or regent sasaran it comes from (V3).
    parent_sasaran_id: Mapped[int | None] = mapped_column(
        ForeignKey("sasaran.id", ondelete="SET NULL")
    )
    cascading: Mapped[str] = mapped_column(String(10), default="non_direct")
    perspektif: Mapped[str | None] = mapped_column(String(30))  # JPT only
    # Set by personnel sync when the superior changed and the link now points at a non-superior.
    link_flag: Mapped[str | None] = mapped_column(String(40))
    # The superior RHK a bulk cascade drafted this from (provenance).
    drafted_from_rhk_id: Mapped[int | None] = mapped_column(
        ForeignKey("rhk.id", ondelete="SET NULL")
    )
    # The RHK of an earlier period's SKP this one was copied forward from.
    copied_from_rhk_id: Mapped[int | None] = mapped_column(
        ForeignKey("rhk.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    skp: Mapped[Skp] = relationship(back_populates="rhk")
    parent_rhk: Mapped[Rhk | None] = relationship(remote_side=[id], foreign_keys=[parent_rhk_id])
    parent_sasaran: Mapped[Sasaran | None] = relationship(foreign_keys=[parent_sasaran_id])
    iki: Mapped[list[Iki]] = relationship(
        back_populates="rhk", cascade="all, delete-orphan", order_by="(Iki.urutan, Iki.id)"
    )


class Iki(db.Model):
    """Indikator Kinerja Individu of an RHK, per aspek, with a numeric or range target."""

    __tablename__ = "iki"
    # The IKI of an RHK in their order: the cascade reads them sorted without a sort step.
    __table_args__ = (Index("ix_iki_rhk_urutan", "rhk_id", "urutan", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rhk_id: Mapped[int] = mapped_column(ForeignKey("rhk.id", ondelete="CASCADE"))
    aspek: Mapped[str] = mapped_column(String(10), default="kuantitas")
    urutan: Mapped[int] = mapped_column(default=0)
    teks: Mapped[str] = mapped_column(Text)
    target: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    target_max: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))  # range upper bound
    target_teks: Mapped[str] = mapped_column(String(200), default="")  # kualitatif wording
    satuan: Mapped[str] = mapped_column(String(50), default="")
    lower_is_better: Mapped[bool] = mapped_column(default=False)

    rhk: Mapped[Rhk] = relationship(back_populates="iki")


class PerilakuExpectation(db.Model):
    """One BerAKHLAK core value in an SKP with the leader's specific expectation."""

    __tablename__ = "perilaku_expectation"
    __table_args__ = (UniqueConstraint("skp_id", "nilai_kode", name="uq_perilaku_skp_nilai"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    skp_id: Mapped[int] = mapped_column(ForeignKey("skp.id", ondelete="CASCADE"), index=True)
    nilai_kode: Mapped[int]  # 1..7, see planning.berakhlak
    ekspektasi_khusus: Mapped[str] = mapped_column(Text, default="")

    skp: Mapped[Skp] = relationship(back_populates="perilaku")


class SkpLampiran(db.Model):
    """An item of the SKP annex (dukungan sumber daya, skema pertanggungjawaban, konsekuensi)."""

    __tablename__ = "skp_lampiran"

    id: Mapped[int] = mapped_column(primary_key=True)
    skp_id: Mapped[int] = mapped_column(ForeignKey("skp.id", ondelete="CASCADE"), index=True)
    bagian: Mapped[str] = mapped_column(String(30))
    urutan: Mapped[int] = mapped_column(default=0)
    teks: Mapped[str] = mapped_column(Text)

    skp: Mapped[Skp] = relationship(back_populates="lampiran")


class SkpVersion(db.Model):
    """The frozen content of an SKP as approved (version n)."""

    __tablename__ = "skp_version"
    __table_args__ = (UniqueConstraint("skp_id", "version", name="uq_skp_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    skp_id: Mapped[int] = mapped_column(ForeignKey("skp.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    content: Mapped[dict] = mapped_column(JSON)
    approved_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )


class SkpTransition(db.Model):
    """Workflow history of an SKP; ``request_key`` makes a replayed request a no-op."""

    __tablename__ = "skp_transition"

    id: Mapped[int] = mapped_column(primary_key=True)
    skp_id: Mapped[int] = mapped_column(ForeignKey("skp.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)
    request_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class PlanningRequest(db.Model):
    """A processed non-transition request (bulk cascade, copy-forward, new RHK, import).

    ``request_key`` is the hidden uuid4 of the form; a replayed key returns ``result``.
    """

    __tablename__ = "planning_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
