"""Fixtures of the planning tests: a small Diskominfo with a four-level position tree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest

from skp_app.planning import operations as ops
from skp_app.planning.models import Periode, Sasaran


@dataclass
class World:
    periode: Periode
    opd: object
    bidang: object
    other_opd: object
    sekda: object
    kadis: object
    kabid: object
    kasi: object
    staf: object
    staf2: object
    users: dict = field(default_factory=dict)
    sasaran_regent: Sasaran | None = None
    sasaran_opd: Sasaran | None = None


def iki_set(prefix: str = "Dokumen") -> list[ops.IkiInput]:
    """The three aspects of a non-JPT quantitative RHK."""
    return [
        ops.IkiInput(
            aspek="kuantitas",
            teks=f"Jumlah {prefix.lower()} yang tersusun",
            target=Decimal("2"),
            satuan=prefix,
        ),
        ops.IkiInput(
            aspek="kualitas",
            teks=f"Persentase {prefix.lower()} tanpa revisi",
            target=Decimal("90"),
            target_max=Decimal("100"),
            satuan="Persen",
        ),
        ops.IkiInput(
            aspek="waktu", teks="Ketepatan waktu penyelesaian", target=Decimal("12"), satuan="Bulan"
        ),
    ]


@pytest.fixture
def world(session, make_unit, make_jabatan, make_pegawai, make_user) -> World:
    periode = Periode(
        tahun=2025,
        nama="Periode Penilaian 2025",
        tanggal_mulai=date(2025, 1, 1),
        tanggal_selesai=date(2025, 12, 31),
        is_open=True,
    )
    session.add(periode)
    opd = make_unit("Dinas Komunikasi dan Informatika", singkatan="Diskominfo")
    bidang = make_unit("Bidang Aplikasi Informatika", parent=opd)
    other = make_unit("Dinas Kesehatan", singkatan="Dinkes")
    setda = make_unit("Sekretariat Daerah", singkatan="Setda")
    j_sekda = make_jabatan("Sekretaris Daerah", unit=setda, jenis="jpt_pratama", eselon_id="21")
    j_kadis = make_jabatan(
        "Kepala Dinas Komunikasi dan Informatika",
        unit=opd,
        jenis="jpt_pratama",
        eselon_id="22",
        atasan=j_sekda,
    )
    j_kabid = make_jabatan(
        "Kepala Bidang Aplikasi Informatika",
        unit=bidang,
        jenis="administrator",
        eselon_id="31",
        atasan=j_kadis,
    )
    j_kasi = make_jabatan(
        "Kepala Seksi Pengembangan Aplikasi",
        unit=bidang,
        jenis="pengawas",
        eselon_id="41",
        atasan=j_kabid,
    )
    j_staf = make_jabatan(
        "Pranata Komputer Ahli Pertama",
        unit=bidang,
        jenis="fungsional",
        jenjang="PT",
        atasan=j_kasi,
    )
    sekda = make_pegawai(
        nama="Hendra Gunawan",
        gelar_depan="Drs.",
        gelar_belakang="M.Si.",
        jabatan=j_sekda,
        golongan_id=44,
    )
    kadis = make_pegawai(
        nama="Ahmad Fauzi", gelar_belakang="S.Kom., M.T.", jabatan=j_kadis, golongan_id=42
    )
    kabid = make_pegawai(
        nama="Sri Wahyuni", gelar_belakang="S.T.", jabatan=j_kabid, golongan_id=34, gender=2
    )
    kasi = make_pegawai(
        nama="Dedi Kurniawan", gelar_belakang="S.Kom.", jabatan=j_kasi, golongan_id=33
    )
    staf = make_pegawai(
        nama="Rina Marlina", gelar_belakang="S.Kom.", jabatan=j_staf, golongan_id=32, gender=2
    )
    staf2 = make_pegawai(
        nama="Budi Santoso", gelar_belakang="A.Md.", jabatan=j_staf, golongan_id=31
    )
    session.flush()
    users = {
        "sekda": make_user(pegawai=sekda),
        "kadis": make_user(pegawai=kadis),
        "kabid": make_user(pegawai=kabid),
        "kasi": make_user(pegawai=kasi),
        "staf": make_user(pegawai=staf),
        "staf2": make_user(pegawai=staf2),
        "operator": make_user("operator.kominfo", roles=[("opd_operator", opd.id)]),
        "operator_lain": make_user("operator.dinkes", roles=[("opd_operator", other.id)]),
        "admin": make_user("admin", roles=[("admin", None)]),
        "hr": make_user("bkpsdm", roles=[("hr", None)]),
        "pimpinan": make_user("bappeda", roles=[("pimpinan", None)]),
        "evaluator": make_user("inspektorat", roles=[("evaluator", None)]),
    }
    w = World(
        periode=periode,
        opd=opd,
        bidang=bidang,
        other_opd=other,
        sekda=sekda,
        kadis=kadis,
        kabid=kabid,
        kasi=kasi,
        staf=staf,
        staf2=staf2,
        users=users,
    )
    regent = Sasaran(
        level="regent",
        jenis="sasaran",
        kode="1.1.1.1",
        teks="Meningkatnya kualitas pelayanan publik berbasis elektronik",
        tahun_awal=2025,
        tahun_akhir=2029,
    )
    session.add(regent)
    session.flush()
    w.sasaran_regent = regent
    w.sasaran_opd = Sasaran(
        level="opd",
        jenis="sasaran",
        kode="S1",
        opd_id=opd.id,
        supports_id=regent.id,
        teks="Meningkatnya layanan SPBE yang terintegrasi",
        tahun_awal=2025,
        tahun_akhir=2029,
    )
    session.add(w.sasaran_opd)
    session.commit()
    return w


@pytest.fixture
def build(session, world):
    """Helpers that push SKPs through the workflow at the operation level."""

    class Build:
        def skp(self, who: str):
            pegawai = getattr(world, who)
            skp, _ = ops.ensure_skp(session, pegawai, world.periode, actor=world.users[who])
            return skp

        def jpt_approved(self):
            skp = self.skp("kadis")
            ops.save_rhk(
                session,
                skp,
                ops.RhkInput(
                    teks="Meningkatnya layanan SPBE yang terintegrasi di seluruh perangkat daerah",
                    parent_sasaran_id=world.sasaran_opd.id,
                    perspektif="penerima_layanan",
                    iki=[
                        ops.IkiInput(
                            teks="Indeks SPBE Kabupaten", target=Decimal("3.1"), satuan="Indeks"
                        )
                    ],
                ),
                actor=world.users["kadis"],
            )
            self._approve(skp, "kadis")
            return skp

        def nonjpt_approved(self, who: str, parent_rhk, teks: str):
            skp = self.skp(who)
            rhk = ops.save_rhk(
                session,
                skp,
                ops.RhkInput(teks=teks, parent_rhk_id=parent_rhk.id, iki=iki_set()),
                actor=world.users[who],
            )
            self._approve(skp, who)
            return skp, rhk

        def _approve(self, skp, who):
            if skp.penilai_pegawai_id is None:
                raise AssertionError("no penilai")
            ops.submit_skp(session, skp, actor=world.users[who])
            penilai_user = next(
                u for u in world.users.values() if u.pegawai_id == skp.penilai_pegawai_id
            )
            ops.approve_skp(session, skp, actor=penilai_user)
            session.commit()

        def chain(self):
            """Approved SKPs for kadis → kabid → kasi; returns (kadis_skp, kabid_skp, kasi_skp)."""
            k = self.jpt_approved()
            kb, kb_rhk = self.nonjpt_approved(
                "kabid", k.rhk[0], "Tersedianya aplikasi layanan publik terintegrasi"
            )
            ks, ks_rhk = self.nonjpt_approved(
                "kasi", kb_rhk, "Terbangunnya aplikasi pelayanan perizinan"
            )
            return k, kb, ks

    return Build()
