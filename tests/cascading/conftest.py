"""Factories for the cascading tests: a small regency with one clean OPD and one full of defects.

``cascade_world`` builds (periode 2026, with a 2025 periode for cross-period links):

* Kabupaten Sukamaju with its Bupati (kepala daerah, not an ASN) and an RPJMD
  (visi → misi → tujuan → two sasaran, each with an IKU and a 2026 target).
* **Bappeda** (pilot, clean): Kepala → Kabid Perencanaan → Kasubbid → two staff; every RHK
  intervenes the pejabat penilai's RHK, written as results, with IKI and targets.
* **Diskominfo** (deliberate defects): an RHK utama without parent (ORPHAN_RHK), an IKI
  without target (IKI_NO_TARGET), activity language (ACTIVITY_LANGUAGE), an RHK utama without
  IKI (NO_IKI), two staff with the same RHK under one parent (DUPLICATE_RHK), a link to the
  Kepala Dinas instead of the penilai (PARENT_NOT_PENILAI + LEVEL_SKIPPED), a link flagged by the
  personnel sync (``link_flag``), a link to an RHK of a closed SKP (PARENT_MISSING), a link into
  the 2025 periode (PARENT_OTHER_PERIODE), a two-RHK cycle (CYCLE), an OPD sasaran that supports
  no RPJMD sasaran (OPD_GOAL_UNLINKED, UNCOVERED_PARENT) and an employee without SKP (NO_SKP).
* **Kecamatan Sukamaju**: a Camat (administrator, head of the OPD) who carries the
  kecamatan's sasaran himself, and whose other RHK intervenes an RHK of the Kepala Diskominfo (a
  link across OPDs, with the Kepala Diskominfo set by hand as pejabat penilai).

Every object is committed; the namespace holds ids (``w.rhk["kadis_spbe"]``) and the users.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from skp_app.planning.models import (
    Iki,
    IndikatorSasaran,
    IndikatorTarget,
    Periode,
    Rhk,
    Sasaran,
    Skp,
)

TAHUN = 2026


def _iki(target: str | None = "4", satuan: str = "Dokumen", teks: str | None = None):
    return [
        (
            "kuantitas",
            teks or "Jumlah dokumen yang ditetapkan",
            None if target is None else Decimal(target),
            satuan,
        ),
        ("kualitas", "Persentase dokumen sesuai ketentuan", Decimal("100"), "%"),
        ("waktu", "Ketepatan waktu penyelesaian", Decimal("12"), "Bulan"),
    ]


@pytest.fixture
def cascade_world(session, make_unit, make_jabatan, make_pegawai, make_user):
    w = SimpleNamespace(tahun=TAHUN, unit={}, peg={}, skp={}, rhk={}, goal={}, user={})

    p2026 = Periode(
        tahun=TAHUN,
        nama="Periode 2026",
        tanggal_mulai=date(2026, 1, 1),
        tanggal_selesai=date(2026, 12, 31),
    )
    p2025 = Periode(
        tahun=2025,
        nama="Periode 2025",
        tanggal_mulai=date(2025, 1, 1),
        tanggal_selesai=date(2025, 12, 31),
        is_open=False,
    )
    session.add_all([p2026, p2025])
    session.flush()
    w.periode_id = p2026.id

    pemda = make_unit("Pemerintah Kabupaten Sukamaju", is_opd=False, jenis="pemda")
    bappeda = make_unit("Badan Perencanaan Pembangunan Daerah", singkatan="Bappeda", is_pilot=True)
    kominfo = make_unit("Dinas Komunikasi dan Informatika", singkatan="Diskominfo")
    kecamatan = make_unit("Kecamatan Sukamaju", jenis="kecamatan")
    b_bidang = make_unit("Bidang Perencanaan dan Pendanaan", parent=bappeda)
    b_sub = make_unit("Sub Bidang Perencanaan Makro", parent=b_bidang, jenis="subbidang")
    k_aptika = make_unit("Bidang Aplikasi Informatika", parent=kominfo)
    k_seksi = make_unit("Seksi Infrastruktur TIK", parent=k_aptika, jenis="seksi")
    k_ikp = make_unit("Bidang Informasi dan Komunikasi Publik", parent=kominfo)
    w.unit.update(bappeda=bappeda.id, kominfo=kominfo.id, kecamatan=kecamatan.id, pemda=pemda.id)

    j_bupati = make_jabatan("Bupati Sukamaju", unit=pemda, jenis="kepala_daerah")
    j_kaban = make_jabatan(
        "Kepala Bappeda", unit=bappeda, jenis="jpt_pratama", atasan=j_bupati, is_kepala_unit=True
    )
    j_kabid_b = make_jabatan(
        "Kepala Bidang Perencanaan dan Pendanaan",
        unit=b_bidang,
        jenis="administrator",
        atasan=j_kaban,
    )
    j_kasubbid = make_jabatan(
        "Kepala Sub Bidang Perencanaan Makro", unit=b_sub, jenis="pengawas", atasan=j_kabid_b
    )
    j_perencana = make_jabatan(
        "Perencana Ahli Pertama", unit=b_sub, jenis="fungsional", atasan=j_kasubbid
    )
    j_kadis = make_jabatan(
        "Kepala Dinas Komunikasi dan Informatika",
        unit=kominfo,
        jenis="jpt_pratama",
        atasan=j_bupati,
        is_kepala_unit=True,
    )
    j_kabid_a = make_jabatan(
        "Kepala Bidang Aplikasi Informatika", unit=k_aptika, jenis="administrator", atasan=j_kadis
    )
    j_kasi = make_jabatan(
        "Kepala Seksi Infrastruktur TIK", unit=k_seksi, jenis="pengawas", atasan=j_kabid_a
    )
    j_pranata = make_jabatan(
        "Pranata Komputer Ahli Pertama", unit=k_seksi, jenis="fungsional", atasan=j_kasi
    )
    j_kabid_ikp = make_jabatan(
        "Kepala Bidang Informasi dan Komunikasi Publik",
        unit=k_ikp,
        jenis="administrator",
        atasan=j_kadis,
    )
    j_pengelola = make_jabatan(
        "Pengelola Informasi Publik", unit=k_ikp, jenis="pelaksana", atasan=j_kabid_ikp
    )
    j_camat = make_jabatan("Camat Sukamaju", unit=kecamatan, jenis="administrator", atasan=j_bupati)

    peg = w.peg
    peg["bupati"] = make_pegawai(
        nama="Ahmad Fauzi", gelar_depan="H.", jabatan=j_bupati, jenis_asn="PEJABAT", nip=None
    ).id
    peg["kaban"] = make_pegawai(
        nama="Hendra Wijaya", gelar_depan="Dr.", gelar_belakang="M.Si.", jabatan=j_kaban
    ).id
    peg["kabid_b"] = make_pegawai(
        nama="Sri Wahyuni", gelar_belakang="S.E., M.M.", jabatan=j_kabid_b, gender=2
    ).id
    peg["kasubbid"] = make_pegawai(
        nama="Andi Pratama", gelar_belakang="S.Kom.", jabatan=j_kasubbid
    ).id
    peg["perencana1"] = make_pegawai(
        nama="Putri Ayu Lestari", gelar_belakang="S.P.", jabatan=j_perencana, gender=2
    ).id
    peg["perencana2"] = make_pegawai(nama="Yusuf Hidayat", jabatan=j_perencana).id
    peg["kadis"] = make_pegawai(nama="Agus Salim", gelar_belakang="S.T., M.T.", jabatan=j_kadis).id
    peg["kabid_a"] = make_pegawai(nama="Dewi Lestari", jabatan=j_kabid_a, gender=2).id
    peg["kasi"] = make_pegawai(nama="I Made Sudana", jabatan=j_kasi).id
    peg["rina"] = make_pegawai(nama="Rina Marlina", jabatan=j_pranata, gender=2).id
    # Since a reorganisation Agus reports to the Kabid (set by hand), but his SKP still names
    # the Kasi as penilai: the personnel sync flagged his link (link_flag below).
    peg["agus"] = make_pegawai(nama="Agus Setiawan", jabatan=j_pranata).id
    peg["yoga"] = make_pegawai(nama="Yoga Pratama", jabatan=j_pranata).id  # no SKP
    peg["sari"] = make_pegawai(nama="Sari Indah", jabatan=j_kabid_ikp, gender=2).id
    peg["fajar"] = make_pegawai(nama="Fajar Nugroho", jabatan=j_pengelola).id
    peg["camat"] = make_pegawai(nama="Bambang Sutrisno", gelar_belakang="S.IP.", jabatan=j_camat).id
    peg["pensiun"] = make_pegawai(
        nama="Slamet Riyadi", jabatan=j_pranata, kedudukan_hukum_id="99"
    ).id  # retired: no SKP needed

    from skp_app.org.models import Pegawai

    agus = session.get(Pegawai, peg["agus"])
    agus.atasan_override_id = peg["kabid_a"]
    agus.atasan_override_jenis = "koreksi"
    session.flush()

    # ---- goals
    def goal(level, jenis, teks, *, parent=None, supports=None, opd=None, iku=None, awal=2025):
        row = Sasaran(
            level=level,
            jenis=jenis,
            teks=teks,
            parent_id=parent,
            supports_id=supports,
            opd_id=opd,
            tahun_awal=awal,
            tahun_akhir=2029 if awal == 2025 else awal,
        )
        session.add(row)
        session.flush()
        if iku is not None:
            ind = IndikatorSasaran(
                sasaran_id=row.id, teks=iku[0], satuan=iku[1], is_iku=level == "regent"
            )
            session.add(ind)
            session.flush()
            session.add(IndikatorTarget(indikator_id=ind.id, tahun=TAHUN, target=Decimal(iku[2])))
        return row.id

    g = w.goal
    g["visi"] = goal("regent", "visi", "Sukamaju yang maju, sejahtera dan berdaya saing")
    g["misi"] = goal(
        "regent", "misi", "Mewujudkan tata kelola pemerintahan yang baik", parent=g["visi"]
    )
    g["tujuan"] = goal("regent", "tujuan", "Meningkatnya akuntabilitas kinerja", parent=g["misi"])
    g["rg_tatakelola"] = goal(
        "regent",
        "sasaran",
        "Meningkatnya kualitas tata kelola pemerintahan berbasis elektronik",
        parent=g["tujuan"],
        iku=("Indeks SPBE", "Indeks", "3.5"),
    )
    g["rg_perencanaan"] = goal(
        "regent",
        "sasaran",
        "Meningkatnya kualitas perencanaan pembangunan daerah",
        parent=g["tujuan"],
        iku=("Nilai evaluasi dokumen perencanaan", "Nilai", "85"),
    )
    g["og_bappeda"] = goal(
        "opd",
        "sasaran",
        "Meningkatnya kualitas dokumen perencanaan daerah",
        supports=g["rg_perencanaan"],
        opd=bappeda.id,
        iku=("Persentase dokumen perencanaan tepat waktu", "%", "100"),
    )
    g["og_spbe"] = goal(
        "opd",
        "sasaran",
        "Meningkatnya kualitas layanan SPBE",
        supports=g["rg_tatakelola"],
        opd=kominfo.id,
        iku=("Indeks layanan SPBE", "Indeks", "3"),
    )
    g["og_kecamatan"] = goal(
        "opd",
        "sasaran",
        "Meningkatnya kualitas pelayanan publik kecamatan",
        supports=g["rg_tatakelola"],
        opd=kecamatan.id,
        iku=("Indeks kepuasan masyarakat", "Indeks", "82"),
    )
    g["og_unlinked"] = goal(
        "opd",
        "sasaran",
        "Meningkatnya keterbukaan informasi publik",
        opd=kominfo.id,
        iku=("Indeks keterbukaan informasi publik", "Indeks", "80"),
    )

    # ---- SKPs and RHK
    def skp(who, penilai=None, *, periode=p2026, status="disetujui", current=True, override=False):
        pegawai = session.get(Pegawai, peg[who])
        row = Skp(
            periode_id=periode.id,
            pegawai_id=pegawai.id,
            jabatan_id=pegawai.jabatan_id,
            unit_id=pegawai.unit_id,
            opd_id=pegawai.unit.opd_id,
            penilai_pegawai_id=peg[penilai] if penilai else None,
            penilai_is_override=override,
            is_jpt=pegawai.jabatan.jenis.startswith("jpt"),
            status=status,
            is_current=current,
            tanggal_mulai=periode.tanggal_mulai,
            tanggal_selesai=periode.tanggal_selesai,
        )
        session.add(row)
        session.flush()
        return row.id

    def rhk(key, skp_id, teks, *, parent=None, sasaran=None, jenis="utama", iki=None,
            cascading="non_direct", link_flag=None):  # fmt: skip
        row = Rhk(
            skp_id=skp_id,
            jenis=jenis,
            teks=teks,
            parent_rhk_id=w.rhk[parent] if parent else None,
            parent_sasaran_id=g[sasaran] if sasaran else None,
            cascading=cascading,
            link_flag=link_flag,
        )
        session.add(row)
        session.flush()
        for n, (aspek, iteks, target, satuan) in enumerate(_iki() if iki is None else iki):
            session.add(
                Iki(rhk_id=row.id, aspek=aspek, urutan=n, teks=iteks, target=target, satuan=satuan)
            )
        w.rhk[key] = row.id
        return row.id

    s = w.skp
    # Bappeda: clean.
    s["kaban"] = skp("kaban", "bupati")
    s["kabid_b"] = skp("kabid_b", "kaban")
    s["kasubbid"] = skp("kasubbid", "kabid_b")
    s["perencana1"] = skp("perencana1", "kasubbid")
    s["perencana2"] = skp("perencana2", "kasubbid", status="draft")
    rhk(
        "kaban_dok",
        s["kaban"],
        "Tersusunnya dokumen perencanaan pembangunan daerah yang berkualitas",
        sasaran="og_bappeda",
    )
    rhk("kabid_rkpd", s["kabid_b"], "Tersusunnya dokumen RKPD tepat waktu", parent="kaban_dok")
    rhk(
        "kasubbid_rancangan",
        s["kasubbid"],
        "Tersedianya rancangan awal RKPD",
        parent="kabid_rkpd",
    )
    rhk(
        "perencana1_data",
        s["perencana1"],
        "Tersedianya data capaian indikator kinerja daerah",
        parent="kasubbid_rancangan",
    )
    rhk(
        "perencana2_kajian",
        s["perencana2"],
        "Tersedianya kajian usulan program prioritas",
        parent="kasubbid_rancangan",
    )

    # Diskominfo: defects.
    s["kadis"] = skp("kadis", "bupati")
    s["kabid_a"] = skp("kabid_a", "kadis")
    s["kasi"] = skp("kasi", "kabid_a")
    s["kasi_old"] = skp("kasi", "kabid_a", status="ditutup", current=False)
    s["rina"] = skp("rina", "kasi", status="draft")
    s["agus"] = skp("agus", "kasi", status="diajukan")
    s["sari"] = skp("sari", "kadis")
    s["fajar"] = skp("fajar", "sari", status="draft")
    s["kadis_2025"] = skp("kadis", "bupati", periode=p2025)
    rhk("kadis_spbe", s["kadis"], "Meningkatnya kualitas layanan SPBE", sasaran="og_spbe")
    rhk("kadis_orphan", s["kadis"], "Terselenggaranya layanan informasi publik")
    rhk(
        "kabid_infra",
        s["kabid_a"],
        "Tersedianya infrastruktur TIK yang andal",
        parent="kadis_spbe",
        iki=_iki(target=None, teks="Jumlah layanan infrastruktur yang tersedia"),
    )
    rhk("kabid_laporan", s["kabid_a"], "Menyusun laporan SPBE", parent="kadis_spbe")
    rhk(
        "kabid_noiki",
        s["kabid_a"],
        "Terlaksananya pengembangan aplikasi",
        parent="kadis_spbe",
        iki=[],
    )
    rhk("kasi_jaringan", s["kasi"], "Terpeliharanya perangkat jaringan", parent="kabid_infra")
    rhk("kasi_pusat_data", s["kasi"], "Tersedianya pusat data", parent="kabid_infra")
    rhk("kasi_old_rhk", s["kasi_old"], "Tersedianya jaringan lama", parent="kabid_infra")
    rhk("kadis_2025_rhk", s["kadis_2025"], "Meningkatnya layanan SPBE tahun 2025")
    rhk(
        "kasi_2025_link",
        s["kasi"],
        "Tersedianya layanan aplikasi umum",
        parent="kadis_2025_rhk",
    )
    rhk("rina_dup", s["rina"], "Terpeliharanya perangkat jaringan kantor", parent="kasi_jaringan")
    rhk("agus_dup", s["agus"], "Terpeliharanya perangkat  jaringan kantor.", parent="kasi_jaringan")
    rhk("rina_skip", s["rina"], "Tersedianya data layanan SPBE", parent="kadis_spbe")
    rhk(
        "agus_flag",
        s["agus"],
        "Tersedianya pusat data yang aman",
        parent="kasi_pusat_data",
        link_flag="parent_not_penilai",
    )
    rhk("rina_missing", s["rina"], "Tersedianya jaringan cadangan", parent="kasi_old_rhk")
    rhk("rina_tambahan", s["rina"], "Terlaksananya piket layanan", jenis="tambahan")
    rhk("sari_cycle", s["sari"], "Meningkatnya layanan informasi publik")
    rhk("fajar_cycle", s["fajar"], "Tersedianya konten informasi publik", parent="sari_cycle")
    session.flush()
    session.get(Rhk, w.rhk["sari_cycle"]).parent_rhk_id = w.rhk["fajar_cycle"]

    # Kecamatan: a Camat intervening the Kepala Diskominfo's RHK (penilai set by hand).
    s["camat"] = skp("camat", "kadis", override=True)
    # A Camat (administrator) leads a unit kerja mandiri: he carries his OPD's sasaran himself.
    rhk(
        "camat_layanan",
        s["camat"],
        "Meningkatnya kualitas pelayanan publik di Kecamatan Sukamaju",
        sasaran="og_kecamatan",
    )
    rhk(
        "camat_spbe",
        s["camat"],
        "Meningkatnya pemanfaatan layanan SPBE di kecamatan",
        parent="kadis_spbe",
    )
    session.commit()

    u = w.user
    u["admin"] = make_user("admin", roles=[("admin", None)])
    u["pimpinan"] = make_user("pimpinan", roles=[("pimpinan", None)])
    u["hr"] = make_user("bkpsdm", roles=[("hr", None)])
    u["op_kominfo"] = make_user("op_kominfo", roles=[("opd_operator", kominfo.id)])
    u["op_bappeda"] = make_user("op_bappeda", roles=[("opd_operator", bappeda.id)])
    u["eval_kominfo"] = make_user("eval_kominfo", roles=[("evaluator", kominfo.id)])
    u["eval_bappeda"] = make_user("eval_bappeda", roles=[("evaluator", bappeda.id)])
    u["eval_all"] = make_user("eval_all", roles=[("evaluator", None)])
    u["rina"] = make_user("rina", pegawai=session.get(Pegawai, peg["rina"]))
    u["kasi"] = make_user("kasi", pegawai=session.get(Pegawai, peg["kasi"]))
    u["kaban"] = make_user("kaban", pegawai=session.get(Pegawai, peg["kaban"]))
    session.commit()
    return w
