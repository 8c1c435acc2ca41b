"""A small regency with two OPDs for the dashboard tests.

Dinas Komunikasi dan Informatika (OPD A)
    Kepala Dinas (JPT, head)                 → Ir. Hendra Gunawan   (SKP 2026 approved)
      Kepala Bidang Aplikasi (head)          → Siti Rahmawati       (SKP approved)
        Pranata Komputer Ahli Pertama (JF)   → Budi Santoso         (SKP approved, realisasi
                                               diajukan long ago, activities)
                                             → Dewi Lestari         (no SKP)
                                             → =HYPERLINK("http://x") (a hostile name)
Badan Perencanaan Pembangunan Daerah (OPD B)
    Kepala Badan (JPT, head)                 → Agus Salim           (SKP approved)
      Kepala Bidang Ekonomi (head)           → (vacant)
        Perencana Ahli Pertama (JF)          → Rina <script>alert(1)</script> (SKP draft)

Regent sasaran R1 is supported by one sasaran of each OPD; each JPT RHK links to its OPD's
sasaran. Final evaluations, an organisation predikat, two TPP recaps, a sync run with a
quarantined record and one account per role complete it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from skp_app.planning.models import Iki, PerilakuExpectation, Periode, Rhk, Sasaran, Skp
from skp_app.realization.models import (
    Aktivitas,
    Evaluasi,
    PredikatOrganisasi,
    Realisasi,
    TppRecap,
    TppRecapLine,
    UmpanBalik,
)
from skp_app.sync.models import QuarantinedRecord, SyncRun
from skp_app.timeutil import WIB, utcnow

TAHUN = 2026


def today_wib() -> date:
    return datetime.now(WIB).date()


def _skp(
    session, periode, pegawai, penilai, *, status="disetujui", atasan=None, jpt=False, tahun=TAHUN
):
    skp = Skp(
        periode_id=periode.id,
        pegawai_id=pegawai.id,
        jabatan_id=pegawai.jabatan_id,
        unit_id=pegawai.unit_id,
        opd_id=pegawai.unit.opd_id,
        penilai_pegawai_id=penilai.id if penilai else None,
        atasan_penilai_pegawai_id=atasan.id if atasan else None,
        status=status,
        is_jpt=jpt,
        tanggal_mulai=date(tahun, 1, 1),
        tanggal_selesai=date(tahun, 12, 31),
        approved_at=utcnow() if status == "disetujui" else None,
    )
    session.add(skp)
    session.flush()
    return skp


def _rhk(session, skp, teks, *, target=12, aspek="kuantitas", satuan="Dokumen", **links):
    rhk = Rhk(skp_id=skp.id, jenis="utama", teks=teks, **links)
    session.add(rhk)
    session.flush()
    iki = Iki(
        rhk_id=rhk.id,
        aspek=aspek,
        teks=f"Jumlah {teks.lower()}",
        target=Decimal(target),
        satuan=satuan,
    )
    session.add(iki)
    session.flush()
    return rhk, iki


def _realisasi(session, skp, iki, values: dict[int, int | str], status="terverifikasi"):
    for bulan, nilai in values.items():
        session.add(
            Realisasi(
                iki_id=iki.id,
                skp_id=skp.id,
                tahun=TAHUN,
                bulan=bulan,
                nilai=Decimal(str(nilai)),
                status=status,
            )
        )
    session.flush()


@pytest.fixture
def regency(session, instansi, make_unit, make_jabatan, make_pegawai, make_user):
    instansi.settings = {"monthly_points_target": 6000, "daily_points_target": 300}
    opd_a = make_unit("Dinas Komunikasi dan Informatika", singkatan="Diskominfo")
    bidang_a = make_unit("Bidang Aplikasi Informatika", parent=opd_a)
    opd_b = make_unit("Badan Perencanaan Pembangunan Daerah", singkatan="Bappeda")
    bidang_b = make_unit("Bidang Perencanaan Ekonomi", parent=opd_b)

    kadis = make_jabatan(
        "Kepala Dinas Komunikasi dan Informatika",
        unit=opd_a,
        jenis="jpt_pratama",
        eselon_id="22",
        is_kepala_unit=True,
    )
    kabid = make_jabatan(
        "Kepala Bidang Aplikasi Informatika",
        unit=bidang_a,
        jenis="administrator",
        atasan=kadis,
        is_kepala_unit=True,
    )
    prakom = make_jabatan("Pranata Komputer Ahli Pertama", unit=bidang_a, atasan=kabid, kebutuhan=4)
    kaban = make_jabatan(
        "Kepala Badan Perencanaan Pembangunan Daerah",
        unit=opd_b,
        jenis="jpt_pratama",
        is_kepala_unit=True,
    )
    kabid_b = make_jabatan(
        "Kepala Bidang Perencanaan Ekonomi",
        unit=bidang_b,
        jenis="administrator",
        atasan=kaban,
        is_kepala_unit=True,
    )
    perencana = make_jabatan("Perencana Ahli Pertama", unit=bidang_b, atasan=kabid_b)

    hendra = make_pegawai(nama="Hendra Gunawan", gelar_depan="Ir.", jabatan=kadis, golongan_id=42)
    siti = make_pegawai(
        nama="Siti Rahmawati", gelar_belakang="S.Kom.", jabatan=kabid, golongan_id=34, gender=2
    )
    budi = make_pegawai(nama="Budi Santoso", jabatan=prakom, golongan_id=32)
    dewi = make_pegawai(nama="Dewi Lestari", jabatan=prakom, golongan_id=31, gender=2)
    hostile = make_pegawai(
        nama='=HYPERLINK("http://x.test","klik")', jabatan=prakom, golongan_id=31
    )
    agus = make_pegawai(nama="Agus Salim", jabatan=kaban, golongan_id=42)
    rina = make_pegawai(
        nama="Rina <script>alert(1)</script>",
        jabatan=perencana,
        golongan_id=None,
        golongan_pppk="IX",
        gender=2,
        jenis_asn="PPPK",
    )
    session.flush()

    periode_lalu = Periode(
        tahun=TAHUN - 1,
        tanggal_mulai=date(TAHUN - 1, 1, 1),
        tanggal_selesai=date(TAHUN - 1, 12, 31),
        periodik="triwulan",
    )
    periode = Periode(
        tahun=TAHUN,
        tanggal_mulai=date(TAHUN, 1, 1),
        tanggal_selesai=date(TAHUN, 12, 31),
        periodik="triwulan",
    )
    session.add_all([periode_lalu, periode])
    session.flush()

    r1 = Sasaran(
        level="regent",
        jenis="sasaran",
        kode="1.1",
        tahun_awal=2025,
        tahun_akhir=2029,
        teks="Meningkatnya kualitas tata kelola pemerintahan berbasis elektronik",
    )
    session.add(r1)
    session.flush()
    oa1 = Sasaran(
        level="opd",
        jenis="sasaran",
        kode="A.1",
        opd_id=opd_a.id,
        supports_id=r1.id,
        tahun_awal=2025,
        tahun_akhir=2029,
        teks="Meningkatnya kematangan SPBE perangkat daerah",
    )
    ob1 = Sasaran(
        level="opd",
        jenis="sasaran",
        kode="B.1",
        opd_id=opd_b.id,
        supports_id=r1.id,
        tahun_awal=2025,
        tahun_akhir=2029,
        teks="Meningkatnya kualitas dokumen perencanaan daerah",
    )
    session.add_all([oa1, ob1])
    session.flush()

    skp_hendra = _skp(session, periode, hendra, None, jpt=True)
    rhk_hendra, iki_hendra = _rhk(
        session, skp_hendra, "Dokumen arsitektur SPBE", parent_sasaran_id=oa1.id
    )
    # 0.5 a month: 1.5 by March of 12 → projected far below target (early warning).
    _realisasi(session, skp_hendra, iki_hendra, {1: "0.5", 2: "0.5", 3: "0.5"})
    skp_siti = _skp(session, periode, siti, hendra)
    rhk_siti, iki_siti = _rhk(
        session, skp_siti, "Aplikasi layanan publik terintegrasi", parent_rhk_id=rhk_hendra.id
    )
    _realisasi(session, skp_siti, iki_siti, {1: 1, 2: 1, 3: 1})
    skp_budi = _skp(session, periode, budi, siti, atasan=hendra)
    rhk_budi, iki_budi = _rhk(
        session, skp_budi, "Laporan pemeliharaan aplikasi", parent_rhk_id=rhk_siti.id
    )
    _realisasi(session, skp_budi, iki_budi, {1: 1, 2: 1})
    session.add(
        PerilakuExpectation(
            skp_id=skp_budi.id,
            nilai_kode=1,
            ekspektasi_khusus="Responsif melayani pengguna aplikasi",
        )
    )
    waiting = Realisasi(
        iki_id=iki_budi.id,
        skp_id=skp_budi.id,
        tahun=TAHUN,
        bulan=3,
        nilai=Decimal(1),
        status="diajukan",
    )
    session.add(waiting)
    skp_hostile = _skp(session, periode, hostile, siti)
    skp_agus = _skp(session, periode, agus, None, jpt=True)
    rhk_agus, iki_agus = _rhk(session, skp_agus, "Dokumen RKPD", target=1, parent_sasaran_id=ob1.id)
    _realisasi(session, skp_agus, iki_agus, {3: 1})
    skp_rina = _skp(session, periode, rina, agus, status="draft")
    _rhk(session, skp_rina, "Kajian ekonomi daerah", parent_rhk_id=rhk_agus.id)

    skp_budi_lalu = _skp(session, periode_lalu, budi, siti, tahun=TAHUN - 1)
    session.flush()
    old = utcnow() - timedelta(days=10)
    waiting.updated_at = old

    today = today_wib()
    monday = date(TAHUN, 3, 2)  # a Monday in March 2026
    acts = [
        Aktivitas(
            pegawai_id=budi.id,
            tanggal=monday,
            jam_mulai=time(8),
            jam_selesai=time(13),
            menit=300,
            uraian="Memperbarui server aplikasi",
            poin=Decimal(300),
            status="disetujui",
            approver_pegawai_id=siti.id,
        ),
        Aktivitas(
            pegawai_id=budi.id,
            tanggal=monday + timedelta(days=1),
            jam_mulai=time(8),
            jam_selesai=time(10),
            menit=120,
            uraian="Rapat koordinasi",
            poin=Decimal(120),
            status="diajukan",
            approver_pegawai_id=siti.id,
        ),
        Aktivitas(
            pegawai_id=budi.id,
            tanggal=today,
            jam_mulai=time(8),
            jam_selesai=time(10),
            menit=120,
            uraian="Menyusun laporan harian",
            poin=Decimal(120),
            status="disetujui",
            approver_pegawai_id=siti.id,
        ),
        Aktivitas(
            pegawai_id=budi.id,
            tanggal=today,
            jam_mulai=time(10),
            jam_selesai=time(11),
            menit=60,
            uraian="Membalas tiket helpdesk",
            poin=Decimal(60),
            status="diajukan",
            approver_pegawai_id=siti.id,
        ),
    ]
    session.add_all(acts)
    session.flush()
    for a in acts:
        a.updated_at = old
        a.created_at = old

    ev_budi = Evaluasi(
        skp_id=skp_budi.id,
        jenis="tahunan",
        periode_ke=0,
        tahun=TAHUN,
        unit_id=opd_a.id,
        evaluator_pegawai_id=siti.id,
        rating_hasil=2,
        rating_perilaku=2,
        predikat=2,
        status="final",
        finalized_at=utcnow(),
        catatan="Pertahankan ketepatan waktu laporan.",
    )
    ev_budi_q1 = Evaluasi(
        skp_id=skp_budi.id,
        jenis="periodik",
        periode_ke=1,
        tahun=TAHUN,
        unit_id=opd_a.id,
        rating_hasil=2,
        rating_perilaku=2,
        predikat=2,
        status="final",
        finalized_at=utcnow(),
    )
    ev_budi_lalu = Evaluasi(
        skp_id=skp_budi_lalu.id,
        jenis="tahunan",
        periode_ke=0,
        tahun=TAHUN - 1,
        rating_hasil=3,
        rating_perilaku=2,
        predikat=3,
        status="final",
        finalized_at=utcnow(),
    )
    ev_siti = Evaluasi(
        skp_id=skp_siti.id,
        jenis="tahunan",
        periode_ke=0,
        tahun=TAHUN,
        unit_id=opd_a.id,
        rating_hasil=1,
        rating_perilaku=2,
        predikat=2,
        status="final",
        finalized_at=utcnow(),
    )
    session.add_all([ev_budi, ev_budi_q1, ev_budi_lalu, ev_siti])
    session.flush()
    session.add_all(
        [
            UmpanBalik(evaluasi_id=ev_budi.id, rhk_id=rhk_budi.id, teks="Laporan lengkap."),
            UmpanBalik(evaluasi_id=ev_budi.id, nilai_kode=1, teks="Sigap membantu pengguna."),
            PredikatOrganisasi(unit_id=opd_a.id, tahun=TAHUN, periode_ke=0, predikat="BAIK"),
        ]
    )

    recap_a = TppRecap(tahun=TAHUN, bulan=3, opd_id=opd_a.id, line_count=2)
    recap_b = TppRecap(tahun=TAHUN, bulan=3, opd_id=opd_b.id, line_count=1)
    session.add_all([recap_a, recap_b])
    session.flush()
    line = dict(
        poin=Decimal(6000),
        capaian=Decimal("95.5"),
        pagu=Decimal(5000000),
        produktivitas=Decimal(3000000),
        disiplin=Decimal(2000000),
        potongan=Decimal(0),
        diterima=Decimal(5000000),
    )
    session.add_all(
        [
            TppRecapLine(recap_id=recap_a.id, pegawai_id=budi.id, opd_id=opd_a.id, **line),
            TppRecapLine(recap_id=recap_a.id, pegawai_id=siti.id, opd_id=opd_a.id, **line),
            TppRecapLine(recap_id=recap_b.id, pegawai_id=agus.id, opd_id=opd_b.id, **line),
        ]
    )
    run = SyncRun(source="siasn-csv", status="planned", counts={"changed": 3, "invalid": 1})
    session.add(run)
    session.flush()
    session.add(
        QuarantinedRecord(
            run_id=run.id,
            row_number=7,
            nip="19860216ABC",
            nama="Data Rusak",
            reason_code="nip_invalid",
            message="NIP tidak valid",
        )
    )
    session.flush()

    users = SimpleNamespace(
        admin=make_user("admin1", roles=[("admin", None)]),
        hr=make_user("bkpsdm", roles=[("hr", None)]),
        pimpinan=make_user("sekda", roles=[("pimpinan", None)]),
        op_a=make_user("operator.kominfo", roles=[("opd_operator", opd_a.id)]),
        op_b=make_user("operator.bappeda", roles=[("opd_operator", opd_b.id)]),
        eval_a=make_user("evaluator.kominfo", roles=[("evaluator", opd_a.id)]),
        budi=make_user("budi", pegawai=budi),
        siti=make_user("siti", pegawai=siti),
        hendra=make_user("hendra", pegawai=hendra),
        plain=make_user("tamu"),
    )
    session.commit()
    return SimpleNamespace(
        instansi=instansi,
        opd_a=opd_a,
        opd_b=opd_b,
        bidang_a=bidang_a,
        bidang_b=bidang_b,
        periode=periode,
        r1=r1,
        oa1=oa1,
        ob1=ob1,
        hendra=hendra,
        siti=siti,
        budi=budi,
        dewi=dewi,
        hostile=hostile,
        agus=agus,
        rina=rina,
        skp_hendra=skp_hendra,
        skp_siti=skp_siti,
        skp_budi=skp_budi,
        skp_agus=skp_agus,
        skp_rina=skp_rina,
        skp_hostile=skp_hostile,
        ev_budi=ev_budi,
        recap_a=recap_a,
        recap_b=recap_b,
        users=users,
        kabid_b=kabid_b,
    )


@pytest.fixture(autouse=True)
def job_files(app, tmp_path):
    """Export jobs write their files under the test's temporary folder."""
    app.config["SKP_JOB_FILES_DIR"] = str(tmp_path / "job-files")
    yield tmp_path / "job-files"
    app.config.pop("SKP_JOB_FILES_DIR", None)
