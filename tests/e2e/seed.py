"""Small, realistic data sets for the browser journeys (Bappeda of Kabupaten Sukamaju)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from skp_app.auth.operations import create_user, hash_password
from skp_app.extensions import db
from skp_app.org.models import Instansi, Jabatan, Pegawai, UnitOrganisasi
from skp_app.planning.berakhlak import BERAKHLAK
from skp_app.planning.models import Iki, PerilakuExpectation, Periode, Rhk, Skp

PASSWORD = "Demo12345"


@dataclass
class Bappeda:
    opd_id: int
    kepala_nip: str
    kabid_nip: str
    staf_nip: str
    staf_id: int
    kabid_rhk: list[str]


def _pegawai(**kw) -> Pegawai:
    p = Pegawai(jenis_asn="PNS", kedudukan_hukum_id="01", **kw)
    db.session.add(p)
    db.session.flush()
    return p


def _add_iki(rhk_id: int, rows) -> None:
    for n, (aspek, teks, target, satuan) in enumerate(rows):
        db.session.add(
            Iki(
                rhk_id=rhk_id,
                aspek=aspek,
                urutan=n,
                teks=teks,
                target=Decimal(target),
                satuan=satuan,
            )
        )


def _add_perilaku(skp_id: int) -> None:
    for value in BERAKHLAK:
        db.session.add(PerilakuExpectation(skp_id=skp_id, nilai_kode=value.kode))


def _staff_skp(data: Bappeda, status: str, **kw) -> Skp:
    staf = db.session.get(Pegawai, data.staf_id)
    kabid = db.session.query(Pegawai).filter_by(nip=data.kabid_nip).one()
    periode = db.session.query(Periode).filter_by(tahun=2026).one()
    skp = Skp(
        periode_id=periode.id,
        pegawai_id=staf.id,
        jabatan_id=staf.jabatan_id,
        unit_id=staf.unit_id,
        opd_id=data.opd_id,
        penilai_pegawai_id=kabid.id,
        status=status,
        tanggal_mulai=periode.tanggal_mulai,
        tanggal_selesai=periode.tanggal_selesai,
        **kw,
    )
    db.session.add(skp)
    db.session.flush()
    _add_perilaku(skp.id)
    return skp


def seed_bappeda(app) -> Bappeda:
    """Kepala Bappeda → Kabid PPEPD (approved SKP with two RHK utama) → a Perencana (no SKP)."""
    with app.app_context():
        inst = Instansi(nama="Pemerintah Kabupaten Sukamaju", settings={})
        db.session.add(inst)
        db.session.flush()
        opd = UnitOrganisasi(
            instansi_id=inst.id,
            nama="Badan Perencanaan Pembangunan Daerah",
            singkatan="Bappeda",
            jenis="opd",
            is_opd=True,
            is_pilot=True,
        )
        db.session.add(opd)
        db.session.flush()
        opd.opd_id = opd.id
        bidang = UnitOrganisasi(
            instansi_id=inst.id,
            parent_id=opd.id,
            opd_id=opd.id,
            nama="Bidang Perencanaan, Pengendalian dan Evaluasi Pembangunan Daerah",
            jenis="bidang",
        )
        db.session.add(bidang)
        db.session.flush()
        j_kepala = Jabatan(
            nama="Kepala Badan Perencanaan Pembangunan Daerah",
            jenis="jpt_pratama",
            eselon_id="22",
            unit_id=opd.id,
            is_kepala_unit=True,
            kelas_jabatan=14,
        )
        db.session.add(j_kepala)
        db.session.flush()
        j_kabid = Jabatan(
            nama="Kepala Bidang PPEPD",
            jenis="administrator",
            eselon_id="32",
            unit_id=bidang.id,
            atasan_id=j_kepala.id,
            is_kepala_unit=True,
            kelas_jabatan=11,
        )
        db.session.add(j_kabid)
        db.session.flush()
        j_staf = Jabatan(
            nama="Perencana Ahli Pertama",
            jenis="fungsional",
            jenjang="PT",
            unit_id=bidang.id,
            atasan_id=j_kabid.id,
            kelas_jabatan=8,
        )
        db.session.add(j_staf)
        db.session.flush()
        kepala = _pegawai(
            nip="197303141997022002",
            nama="Sri Wahyuni",
            gelar_depan="Dr.",
            gelar_belakang="M.Si.",
            jenis_kelamin="P",
            tanggal_lahir=date(1973, 3, 14),
            golongan_id=42,
            jabatan_id=j_kepala.id,
            unit_id=opd.id,
        )
        kabid = _pegawai(
            nip="198004162007021001",
            nama="Bayu Ardiansyah",
            gelar_belakang="S.E., M.E.",
            jenis_kelamin="L",
            tanggal_lahir=date(1980, 4, 16),
            golongan_id=41,
            jabatan_id=j_kabid.id,
            unit_id=bidang.id,
        )
        staf = _pegawai(
            nip="200002082025032001",
            nama="Yeti Ela Rostika",
            gelar_belakang="S.Si.",
            jenis_kelamin="P",
            tanggal_lahir=date(2000, 2, 8),
            golongan_id=31,
            jabatan_id=j_staf.id,
            unit_id=bidang.id,
        )
        periode = Periode(
            tahun=2026,
            nama="Periode 2026",
            tanggal_mulai=date(2026, 1, 1),
            tanggal_selesai=date(2026, 12, 31),
            is_open=True,
            periodik="triwulan",
        )
        db.session.add(periode)
        db.session.flush()
        skp = Skp(
            periode_id=periode.id,
            pegawai_id=kabid.id,
            jabatan_id=j_kabid.id,
            unit_id=bidang.id,
            opd_id=opd.id,
            penilai_pegawai_id=kepala.id,
            status="disetujui",
            tanggal_mulai=periode.tanggal_mulai,
            tanggal_selesai=periode.tanggal_selesai,
        )
        db.session.add(skp)
        db.session.flush()
        texts = [
            "Tersusunnya dokumen RKPD Kabupaten Sukamaju tahun 2027 tepat waktu",
            "Meningkatnya kualitas evaluasi kinerja pembangunan daerah",
        ]
        for n, text in enumerate(texts):
            rhk = Rhk(skp_id=skp.id, jenis="utama", urutan=n, teks=text, cascading="non_direct")
            db.session.add(rhk)
            db.session.flush()
            db.session.add(
                Iki(
                    rhk_id=rhk.id,
                    aspek="kuantitas",
                    teks="Jumlah dokumen yang tersusun",
                    target=Decimal(1),
                    satuan="Dokumen",
                )
            )
        _add_perilaku(skp.id)
        hashed = hash_password(PASSWORD)
        for p in (kepala, kabid, staf):
            create_user(
                db.session,
                p.nip,
                PASSWORD,
                pegawai_id=p.id,
                display_name=p.nama,
                password_hash=hashed,
            )
        db.session.commit()
        return Bappeda(opd.id, kepala.nip, kabid.nip, staf.nip, staf.id, texts)


def approve_staff_skp(app, data: Bappeda) -> int:
    """Give the Perencana an approved SKP (one RHK utama under the Kabid), a TPP policy and HR."""
    from skp_app.realization.tpp import PRESET_DEFAULT
    from skp_app.realization.tpp_recap import save_policy_version

    with app.app_context():
        kabid = db.session.query(Pegawai).filter_by(nip=data.kabid_nip).one()
        parent = (
            db.session.query(Rhk)
            .join(Skp)
            .filter(Skp.pegawai_id == kabid.id)
            .order_by(Rhk.id)
            .first()
        )
        skp = _staff_skp(data, "disetujui", approved_at=datetime(2026, 1, 20, 2, 0))
        rhk = Rhk(
            skp_id=skp.id,
            jenis="utama",
            teks="Tersedianya data capaian indikator kinerja daerah triwulanan",
            parent_rhk_id=parent.id,
            cascading="non_direct",
        )
        db.session.add(rhk)
        db.session.flush()
        _add_iki(
            rhk.id,
            [
                ("kuantitas", "Jumlah laporan capaian indikator", 12, "Laporan"),
                ("kualitas", "Persentase laporan tanpa revisi", 100, "Persen"),
                ("waktu", "Ketepatan waktu penyampaian laporan", 12, "Bulan"),
            ],
        )
        instansi = db.session.query(Instansi).one()
        save_policy_version(
            db.session,
            instansi,
            policy_data=PRESET_DEFAULT.to_dict(),
            pagu_per_kelas={str(k): 2_000_000 + k * 500_000 for k in range(1, 18)},
            berlaku_mulai=date(2026, 1, 1),
            actor="e2e",
        )
        hr_account()
        db.session.commit()
        return skp.id


def hr_account(password: str = PASSWORD):
    """The BKPSDM (HR) account ``bkpsdm`` of the regency (caller commits)."""
    return create_user(
        db.session,
        "bkpsdm",
        password,
        display_name="BKPSDM",
        roles=[("hr", None)],
        password_hash=hash_password(password),
    )


def orphan_staff_rhk(app, data: Bappeda) -> tuple[int, int]:
    """A draft SKP for the Perencana whose RHK utama intervenes nothing; operator + evaluator."""
    with app.app_context():
        skp = _staff_skp(data, "draft")
        rhk = Rhk(
            skp_id=skp.id,
            jenis="utama",
            cascading="non_direct",
            teks="Tersusunnya rekapitulasi capaian kinerja bidang setiap triwulan",
        )
        db.session.add(rhk)
        db.session.flush()
        _add_iki(
            rhk.id,
            [
                ("kuantitas", "Jumlah rekapitulasi capaian", 4, "Dokumen"),
                ("kualitas", "Persentase rekapitulasi tanpa revisi", 100, "Persen"),
                ("waktu", "Ketepatan waktu rekapitulasi", 12, "Bulan"),
            ],
        )
        hashed = hash_password(PASSWORD)
        create_user(
            db.session,
            "operator.bappeda",
            PASSWORD,
            display_name="Operator Bappeda",
            roles=[("opd_operator", data.opd_id)],
            password_hash=hashed,
        )
        create_user(
            db.session,
            "evaluator",
            PASSWORD,
            display_name="Evaluator BKPSDM",
            roles=[("evaluator", None)],
            password_hash=hashed,
        )
        db.session.commit()
        return skp.id, rhk.id


def link_bappeda_to_siasn(app, data: Bappeda) -> dict[str, tuple[str, str]]:
    """Give Bappeda and its Bidang PPEPD their SIASN unor ids (as a first SIASN sync would).

    Returns ``{"opd": (id, name), "bidang": (id, name)}`` with the names as SIASN spells them.
    """
    with app.app_context():
        opd = db.session.get(UnitOrganisasi, data.opd_id)
        bidang = db.session.query(UnitOrganisasi).filter_by(parent_id=opd.id).one()
        opd.siasn_id = "8ae48288597fac65015982a1b3c40d11"
        bidang.siasn_id = "8ae48288597fac65015982a1b3c40e27"
        db.session.commit()
        return {
            "opd": (opd.siasn_id, "BADAN PERENCANAAN PEMBANGUNAN DAERAH"),
            "bidang": (
                bidang.siasn_id,
                "BIDANG PERENCANAAN, PENGENDALIAN DAN EVALUASI PEMBANGUNAN DAERAH",
            ),
        }
