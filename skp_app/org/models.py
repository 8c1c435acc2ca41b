"""Organisation and personnel: instansi, the unit tree, positions and employees."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skp_app.extensions import db
from skp_app.org.nip import format_nip
from skp_app.org.reference import ESELON, GOLONGAN, JABATAN_JENIS, JENJANG_JF, KEDUDUKAN_HUKUM
from skp_app.timeutil import utcnow

UNIT_JENIS = {
    "pemda": "Pemerintah Daerah",
    "opd": "Perangkat Daerah",
    "sekretariat": "Sekretariat",
    "asisten": "Asisten",
    "bagian": "Bagian",
    "bidang": "Bidang",
    "subbagian": "Sub Bagian",
    "subbidang": "Sub Bidang",
    "seksi": "Seksi",
    "upt": "UPT",
    "kecamatan": "Kecamatan",
    "kelurahan": "Kelurahan",
}


class Instansi(db.Model):
    __tablename__ = "instansi"

    id: Mapped[int] = mapped_column(primary_key=True)
    nama: Mapped[str] = mapped_column(String(200))
    jenis: Mapped[str] = mapped_column(String(20), default="kabupaten")  # kabupaten/kota
    ibukota: Mapped[str] = mapped_column(String(100), default="")
    siasn_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Instansi-level settings (deadlines, office locations, curve mode, …) as JSON.
    settings: Mapped[dict] = mapped_column(JSON, default=dict)


class UnitOrganisasi(db.Model):
    __tablename__ = "unit_organisasi"
    __table_args__ = (Index("ix_unit_parent", "parent_id"), Index("ix_unit_opd", "opd_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    instansi_id: Mapped[int] = mapped_column(ForeignKey("instansi.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit_organisasi.id"))
    # The OPD this unit belongs to (itself for an OPD); None above the OPD level.
    opd_id: Mapped[int | None] = mapped_column(ForeignKey("unit_organisasi.id"))
    nama: Mapped[str] = mapped_column(String(255))
    singkatan: Mapped[str] = mapped_column(String(50), default="")
    jenis: Mapped[str] = mapped_column(String(20), default="opd")
    kode: Mapped[str] = mapped_column(String(50), default="")
    eselon_id: Mapped[str] = mapped_column(String(2), default="00")
    is_opd: Mapped[bool] = mapped_column(default=False)
    is_pilot: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Workload multiplier for activity points (domain.md §11.5).
    workload_multiplier: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("1.00"))
    siasn_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[UnitOrganisasi | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    opd: Mapped[UnitOrganisasi | None] = relationship(remote_side=[id], foreign_keys=[opd_id])

    @property
    def jenis_label(self) -> str:
        return UNIT_JENIS.get(self.jenis, self.jenis)


class Jabatan(db.Model):
    __tablename__ = "jabatan"
    __table_args__ = (Index("ix_jabatan_unit", "unit_id"), Index("ix_jabatan_atasan", "atasan_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    nama: Mapped[str] = mapped_column(String(255))
    jenis: Mapped[str] = mapped_column(String(20))  # key of reference.JABATAN_JENIS
    eselon_id: Mapped[str] = mapped_column(String(2), default="00")
    jenjang: Mapped[str | None] = mapped_column(String(2))  # JF jenjang code
    kelas_jabatan: Mapped[int | None]
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit_organisasi.id"))
    # The position directly above (the superior's position).
    atasan_id: Mapped[int | None] = mapped_column(ForeignKey("jabatan.id"))
    is_kepala_unit: Mapped[bool] = mapped_column(default=False)
    kebutuhan: Mapped[int] = mapped_column(default=1)  # formasi: how many holders it plans for
    siasn_id: Mapped[str | None] = mapped_column(String(64), index=True)

    unit: Mapped[UnitOrganisasi] = relationship()
    atasan: Mapped[Jabatan | None] = relationship(remote_side=[id])

    @property
    def level(self) -> int:
        return JABATAN_JENIS.get(self.jenis, ("", 5))[1]

    @property
    def jenis_label(self) -> str:
        return JABATAN_JENIS.get(self.jenis, (self.jenis, 5))[0]

    @property
    def eselon_label(self) -> str:
        return ESELON.get(self.eselon_id, ("-", ""))[0]

    @property
    def jenjang_label(self) -> str:
        return JENJANG_JF[self.jenjang][0] if self.jenjang in JENJANG_JF else ""


class Pegawai(db.Model):
    __tablename__ = "pegawai"
    __table_args__ = (
        Index("ix_pegawai_unit", "unit_id"),
        Index("ix_pegawai_jabatan", "jabatan_id"),
        Index("ix_pegawai_nama", "nama"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # 18-digit NIP (PNS) or NI PPPK; None only for the regional head (not an ASN).
    nip: Mapped[str | None] = mapped_column(String(18), unique=True)
    nip_lama: Mapped[str | None] = mapped_column(String(20))
    nama: Mapped[str] = mapped_column(String(200))
    gelar_depan: Mapped[str] = mapped_column(String(50), default="")
    gelar_belakang: Mapped[str] = mapped_column(String(80), default="")
    jenis_kelamin: Mapped[str] = mapped_column(String(1), default="L")  # L/P
    tempat_lahir: Mapped[str] = mapped_column(String(100), default="")
    tanggal_lahir: Mapped[date | None]
    jenis_asn: Mapped[str] = mapped_column(String(16), default="PNS")  # PNS / PPPK / PEJABAT
    golongan_id: Mapped[int | None]  # SIASN golonganPns id (PNS)
    golongan_pppk: Mapped[str | None] = mapped_column(String(5))  # I..XVII (PPPK)
    tmt_golongan: Mapped[date | None]
    tmt_cpns: Mapped[date | None]
    tmt_pns: Mapped[date | None]
    tmt_jabatan: Mapped[date | None]
    jabatan_id: Mapped[int | None] = mapped_column(ForeignKey("jabatan.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit_organisasi.id"))
    kedudukan_hukum_id: Mapped[str] = mapped_column(String(2), default="01", index=True)
    # Plt/Plh or a data correction: the superior chosen by hand over the position tree.
    atasan_override_id: Mapped[int | None] = mapped_column(ForeignKey("pegawai.id"))
    atasan_override_jenis: Mapped[str | None] = mapped_column(String(10))  # plt / plh / koreksi
    email: Mapped[str] = mapped_column(String(200), default="")
    no_hp: Mapped[str] = mapped_column(String(30), default="")
    # Personnel sync: last source that saw the record; set when a full export misses it.
    not_in_source_since: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    jabatan: Mapped[Jabatan | None] = relationship()
    unit: Mapped[UnitOrganisasi | None] = relationship()
    atasan_override: Mapped[Pegawai | None] = relationship(remote_side=[id])
    external_ids: Mapped[list[PegawaiExternalId]] = relationship(
        back_populates="pegawai", cascade="all, delete-orphan"
    )

    @property
    def nama_lengkap(self) -> str:
        parts = [self.gelar_depan.strip(), self.nama.strip()]
        name = " ".join(p for p in parts if p)
        if self.gelar_belakang.strip():
            name = f"{name}, {self.gelar_belakang.strip()}"
        return name

    @property
    def nip_display(self) -> str:
        return format_nip(self.nip) if self.nip else "-"

    @property
    def golongan_label(self) -> str:
        if self.golongan_id in GOLONGAN:
            return GOLONGAN[self.golongan_id].label
        return self.golongan_pppk or "-"

    @property
    def pangkat_golongan(self) -> str:
        if self.golongan_id in GOLONGAN:
            g = GOLONGAN[self.golongan_id]
            return f"{g.pangkat}, {g.label}"
        if self.golongan_pppk:
            return f"PPPK golongan {self.golongan_pppk}"
        return "-"

    @property
    def kedudukan(self):
        return KEDUDUKAN_HUKUM.get(self.kedudukan_hukum_id)

    @property
    def is_active_service(self) -> bool:
        k = self.kedudukan
        return bool(k and k.is_active_service)

    @property
    def must_have_skp(self) -> bool:
        k = self.kedudukan
        return bool(k and k.must_have_skp) and self.jenis_asn in {"PNS", "PPPK"}


class PegawaiExternalId(db.Model):
    """An employee's id in one sync source (SIASN pns_id, SIMPEG id_pegawai, …)."""

    __tablename__ = "pegawai_external_ids"
    __table_args__ = (UniqueConstraint("source", "external_id", name="uq_external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pegawai_id: Mapped[int] = mapped_column(
        ForeignKey("pegawai.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(30))
    external_id: Mapped[str] = mapped_column(String(64))

    pegawai: Mapped[Pegawai] = relationship(back_populates="external_ids")
