"""A small Dinas Kominfo with approved 2026 SKPs, for the evaluation and TPP tests.

Import the fixtures into a test module: ``from tests.realization.evaluasi_fixtures import kominfo``.

Structure (positions → holders):
    Kepala Dinas (JPT pratama, head of the OPD)       → Ir. Hendra Gunawan
      Kepala Bidang Aplikasi Informatika (head)        → Siti Rahmawati
        Pranata Komputer Ahli Pertama (JF, kelas 8)    → Budi Santoso, Dewi Lestari
The staff are evaluated by the Kabid (penilai) with the Kadis as atasan penilai; the Kabid is
evaluated by the Kadis. The period is 2026 with quarterly (triwulan) evaluations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from skp_app.planning.models import Iki, PerilakuExpectation, Periode, Rhk, Skp
from skp_app.realization.models import Realisasi
from skp_app.timeutil import utcnow

TAHUN = 2026


@dataclass
class SkpBundle:
    skp: Skp
    rhk_utama: Rhk
    rhk_tambahan: Rhk
    iki_dokumen: Iki  # kuantitas, 12 Dokumen a year (summed, pro-rated)
    iki_persen: Iki  # kualitas, 100 % (averaged)


def make_skp(session, periode, pegawai, penilai, atasan, *, status="disetujui") -> SkpBundle:
    skp = Skp(
        periode_id=periode.id,
        pegawai_id=pegawai.id,
        jabatan_id=pegawai.jabatan_id,
        unit_id=pegawai.unit_id,
        opd_id=pegawai.unit.opd_id if pegawai.unit else None,
        penilai_pegawai_id=penilai.id if penilai else None,
        atasan_penilai_pegawai_id=atasan.id if atasan else None,
        status=status,
        tanggal_mulai=date(TAHUN, 1, 2),
        tanggal_selesai=date(TAHUN, 12, 31),
        approved_at=utcnow() if status == "disetujui" else None,
        is_jpt=pegawai.jabatan is not None and pegawai.jabatan.jenis == "jpt_pratama",
    )
    session.add(skp)
    session.flush()
    utama = Rhk(skp_id=skp.id, jenis="utama", urutan=1, teks="Tersusunnya dokumen layanan aplikasi")
    tambahan = Rhk(skp_id=skp.id, jenis="tambahan", urutan=1, teks="Terlaksananya piket helpdesk")
    session.add_all([utama, tambahan])
    session.flush()
    dokumen = Iki(
        rhk_id=utama.id,
        aspek="kuantitas",
        teks="Jumlah dokumen layanan aplikasi",
        target=Decimal(12),
        satuan="Dokumen",
    )
    persen = Iki(
        rhk_id=utama.id,
        aspek="kualitas",
        urutan=1,
        teks="Persentase dokumen tanpa revisi",
        target=Decimal(100),
        satuan="%",
    )
    session.add_all([dokumen, persen])
    session.add(
        PerilakuExpectation(skp_id=skp.id, nilai_kode=1, ekspektasi_khusus="Responsif melayani OPD")
    )
    session.flush()
    return SkpBundle(skp, utama, tambahan, dokumen, persen)


def add_realisasi(session, bundle: SkpBundle, bulan: int, dokumen, persen, status="terverifikasi"):
    for iki, value in ((bundle.iki_dokumen, dokumen), (bundle.iki_persen, persen)):
        session.add(
            Realisasi(
                iki_id=iki.id,
                skp_id=bundle.skp.id,
                tahun=TAHUN,
                bulan=bulan,
                nilai=Decimal(str(value)),
                status=status,
            )
        )
    session.flush()


@pytest.fixture
def kominfo(session, instansi, make_unit, make_jabatan, make_pegawai, make_user):
    dinas = make_unit("Dinas Komunikasi dan Informatika", singkatan="Diskominfo")
    bidang = make_unit("Bidang Aplikasi Informatika", parent=dinas)
    other_opd = make_unit("Dinas Kesehatan")
    kadis_jab = make_jabatan(
        "Kepala Dinas Komunikasi dan Informatika",
        unit=dinas,
        jenis="jpt_pratama",
        eselon_id="22",
        is_kepala_unit=True,
        kelas_jabatan=14,
    )
    kabid_jab = make_jabatan(
        "Kepala Bidang Aplikasi Informatika",
        unit=bidang,
        jenis="administrator",
        eselon_id="31",
        atasan=kadis_jab,
        is_kepala_unit=True,
        kelas_jabatan=11,
    )
    staf_jab = make_jabatan(
        "Pranata Komputer Ahli Pertama",
        unit=bidang,
        jenis="fungsional",
        jenjang="PT",
        atasan=kabid_jab,
        kelas_jabatan=8,
        kebutuhan=3,
    )
    kadis = make_pegawai(
        nama="Hendra Gunawan", gelar_depan="Ir.", jabatan=kadis_jab, golongan_id=42
    )
    kabid = make_pegawai(nama="Siti Rahmawati", jabatan=kabid_jab, golongan_id=41, gender=2)
    budi = make_pegawai(nama="Budi Santoso", jabatan=staf_jab, golongan_id=32)
    dewi = make_pegawai(nama="Dewi Lestari", jabatan=staf_jab, golongan_id=33, gender=2)
    outsider = make_pegawai(nama="Agus Salim", unit=other_opd, golongan_id=32)
    periode = Periode(
        tahun=TAHUN,
        nama="Periode 2026",
        tanggal_mulai=date(TAHUN, 1, 1),
        tanggal_selesai=date(TAHUN, 12, 31),
        periodik="triwulan",
    )
    session.add(periode)
    session.flush()
    skp_budi = make_skp(session, periode, budi, kabid, kadis)
    skp_dewi = make_skp(session, periode, dewi, kabid, kadis)
    skp_kabid = make_skp(session, periode, kabid, kadis, None)
    users = SimpleNamespace(
        kadis=make_user("kadis", pegawai=kadis),
        kabid=make_user("kabid", pegawai=kabid),
        budi=make_user("budi", pegawai=budi),
        dewi=make_user("dewi", pegawai=dewi),
        outsider=make_user("agus", pegawai=outsider),
        admin=make_user("admin", roles=[("admin", None)]),
        hr=make_user("bkpsdm", roles=[("hr", None)]),
        pimpinan=make_user("sekda", roles=[("pimpinan", None)]),
        operator=make_user("operator", roles=[("opd_operator", dinas.id)]),
        operator_lain=make_user("operator_dinkes", roles=[("opd_operator", other_opd.id)]),
    )
    session.commit()
    return SimpleNamespace(
        instansi=instansi,
        dinas=dinas,
        bidang=bidang,
        other_opd=other_opd,
        periode=periode,
        kadis=kadis,
        kabid=kabid,
        budi=budi,
        dewi=dewi,
        outsider=outsider,
        skp_budi=skp_budi,
        skp_dewi=skp_dewi,
        skp_kabid=skp_kabid,
        users=users,
        jabatan=SimpleNamespace(kadis=kadis_jab, kabid=kabid_jab, staf=staf_jab),
    )
