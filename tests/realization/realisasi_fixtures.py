"""A small Dinas Kominfo with approved SKPs of the current year, for the realization, activity,
upload and roll-up tests.

Import into a test module: ``from tests.realization.realisasi_fixtures import rworld_fixture``
(registered under the name ``rworld``).

Positions → holders (all in Diskominfo, workload multiplier 1,25):
    Kepala Dinas (JPT pratama)                          → Ir. Agus Salim, M.T.
      Kepala Bidang Aplikasi Informatika (administrator) → Dewi Lestari, S.T.
        Kepala Seksi Pengembangan Aplikasi (pengawas)    → I Made Sudana, S.Kom.
          Pranata Komputer Ahli Pertama (JF) ×2          → Rina Marlina, S.Kom.; Budi Santoso, A.Md.
Plus Hendra Gunawan in Bappeda (another OPD) under its head Yusuf Hidayat.
Cascade of the current year:
    Kabid RHK ← Kasi RHK (direct) ← Rina's RHK (direct), Budi's RHK (non-direct).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest
from PIL import Image
from PIL.TiffImagePlugin import IFDRational

from skp_app.planning.models import Iki, Periode, Rhk, Skp
from skp_app.realization.operations import today_wib
from skp_app.timeutil import utcnow

TAHUN = today_wib().year


@dataclass
class RWorld:
    periode: Periode
    opd: object
    bidang: object
    other_opd: object
    p: dict = field(default_factory=dict)  # pegawai by short name
    users: dict = field(default_factory=dict)
    skp: dict = field(default_factory=dict)
    rhk: dict = field(default_factory=dict)
    iki: dict = field(default_factory=dict)


def _skp(session, periode, pegawai, penilai, atasan=None, *, status="disetujui") -> Skp:
    skp = Skp(
        periode_id=periode.id,
        pegawai_id=pegawai.id,
        jabatan_id=pegawai.jabatan_id,
        unit_id=pegawai.unit_id,
        opd_id=pegawai.unit.opd_id if pegawai.unit else None,
        penilai_pegawai_id=penilai.id if penilai else None,
        atasan_penilai_pegawai_id=atasan.id if atasan else None,
        status=status,
        tanggal_mulai=date(TAHUN, 1, 1),
        tanggal_selesai=date(TAHUN, 12, 31),
        approved_at=utcnow() if status == "disetujui" else None,
    )
    session.add(skp)
    session.flush()
    return skp


def _rhk(session, skp, teks, *, parent=None, cascading="direct", jenis="utama") -> Rhk:
    rhk = Rhk(
        skp_id=skp.id,
        jenis=jenis,
        teks=teks,
        parent_rhk_id=parent.id if parent else None,
        cascading=cascading,
    )
    session.add(rhk)
    session.flush()
    return rhk


def _iki(session, rhk, teks, target, satuan, *, aspek="kuantitas", target_max=None) -> Iki:
    iki = Iki(
        rhk_id=rhk.id,
        aspek=aspek,
        teks=teks,
        target=Decimal(str(target)) if target is not None else None,
        target_max=Decimal(str(target_max)) if target_max is not None else None,
        satuan=satuan,
        target_teks="" if target is not None else "Laporan diterima tanpa catatan",
    )
    session.add(iki)
    session.flush()
    return iki


@pytest.fixture(name="rworld")
def rworld_fixture(session, instansi, make_unit, make_jabatan, make_pegawai, make_user) -> RWorld:
    periode = Periode(
        tahun=TAHUN,
        nama=f"Periode Penilaian {TAHUN}",
        tanggal_mulai=date(TAHUN, 1, 1),
        tanggal_selesai=date(TAHUN, 12, 31),
        is_open=True,
        periodik="bulanan",
    )
    session.add(periode)
    opd = make_unit(
        "Dinas Komunikasi dan Informatika",
        singkatan="Diskominfo",
        workload_multiplier=Decimal("1.25"),
    )
    bidang = make_unit("Bidang Aplikasi Informatika", parent=opd)
    other = make_unit("Badan Perencanaan Pembangunan Daerah", singkatan="Bappeda")
    j_kadis = make_jabatan(
        "Kepala Dinas Komunikasi dan Informatika", unit=opd, jenis="jpt_pratama", eselon_id="22"
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
    j_kabappeda = make_jabatan(
        "Kepala Badan Perencanaan Pembangunan Daerah",
        unit=other,
        jenis="jpt_pratama",
        eselon_id="22",
    )
    j_bappeda = make_jabatan(
        "Perencana Ahli Pertama", unit=other, jenis="fungsional", jenjang="PT", atasan=j_kabappeda
    )
    p = {
        "kadis": make_pegawai(
            nama="Agus Salim",
            gelar_depan="Ir.",
            gelar_belakang="M.T.",
            jabatan=j_kadis,
            golongan_id=42,
        ),
        "kabid": make_pegawai(
            nama="Dewi Lestari", gelar_belakang="S.T.", jabatan=j_kabid, golongan_id=41, gender=2
        ),
        "kasi": make_pegawai(
            nama="I Made Sudana", gelar_belakang="S.Kom.", jabatan=j_kasi, golongan_id=34
        ),
        "staf": make_pegawai(
            nama="Rina Marlina", gelar_belakang="S.Kom.", jabatan=j_staf, golongan_id=32, gender=2
        ),
        "staf2": make_pegawai(
            nama="Budi Santoso", gelar_belakang="A.Md.", jabatan=j_staf, golongan_id=31
        ),
        "bappeda": make_pegawai(nama="Hendra Gunawan", jabatan=j_bappeda, golongan_id=33),
        "kabappeda": make_pegawai(
            nama="Yusuf Hidayat", gelar_belakang="S.E., M.Si.", jabatan=j_kabappeda, golongan_id=42
        ),
    }
    session.flush()
    w = RWorld(periode=periode, opd=opd, bidang=bidang, other_opd=other, p=p)
    w.skp["kabid"] = _skp(session, periode, p["kabid"], p["kadis"])
    w.skp["kasi"] = _skp(session, periode, p["kasi"], p["kabid"], p["kadis"])
    w.skp["staf"] = _skp(session, periode, p["staf"], p["kasi"], p["kabid"])
    w.skp["staf2"] = _skp(session, periode, p["staf2"], p["kasi"], p["kabid"])
    w.skp["bappeda"] = _skp(session, periode, p["bappeda"], p["kabappeda"])
    w.rhk["kabid"] = _rhk(session, w.skp["kabid"], "Meningkatnya layanan aplikasi pemerintahan")
    w.rhk["kasi"] = _rhk(
        session, w.skp["kasi"], "Tersedianya aplikasi layanan publik", parent=w.rhk["kabid"]
    )
    w.rhk["staf"] = _rhk(
        session, w.skp["staf"], "Tersusunnya dokumen pengembangan aplikasi", parent=w.rhk["kasi"]
    )
    w.rhk["staf_tambahan"] = _rhk(
        session, w.skp["staf"], "Terlaksananya piket layanan helpdesk", jenis="tambahan"
    )
    w.rhk["staf2"] = _rhk(
        session,
        w.skp["staf2"],
        "Terlaksananya pemeliharaan server aplikasi",
        parent=w.rhk["kasi"],
        cascading="non_direct",
    )
    w.rhk["bappeda"] = _rhk(session, w.skp["bappeda"], "Tersusunnya dokumen RKPD")
    w.iki["kabid"] = _iki(
        session, w.rhk["kabid"], "Jumlah aplikasi yang dikembangkan", 4, "Aplikasi"
    )
    w.iki["kasi"] = _iki(session, w.rhk["kasi"], "Jumlah aplikasi yang dirilis", 12, "Aplikasi")
    w.iki["staf"] = _iki(
        session, w.rhk["staf"], "Jumlah dokumen pengembangan yang tersusun", 12, "Dokumen"
    )
    w.iki["staf_kualitas"] = _iki(
        session,
        w.rhk["staf"],
        "Persentase dokumen tanpa revisi",
        90,
        "Persen",
        aspek="kualitas",
        target_max=100,
    )
    w.iki["staf_kualitatif"] = _iki(
        session, w.rhk["staf_tambahan"], "Laporan piket helpdesk", None, ""
    )
    w.iki["staf2"] = _iki(session, w.rhk["staf2"], "Jumlah laporan pemeliharaan", 24, "Laporan")
    w.iki["bappeda"] = _iki(session, w.rhk["bappeda"], "Jumlah dokumen RKPD", 1, "Dokumen")
    session.flush()
    for name in p:
        w.users[name] = make_user(pegawai=p[name])
    w.users["operator"] = make_user("operator.kominfo", roles=[("opd_operator", opd.id)])
    w.users["operator_lain"] = make_user("operator.bappeda", roles=[("opd_operator", other.id)])
    w.users["admin"] = make_user("admin", roles=[("admin", None)])
    w.users["hr"] = make_user("bkpsdm", roles=[("hr", None)])
    session.commit()
    return w


# --- files -----------------------------------------------------------------------------------


def jpeg_bytes(
    size=(64, 48),
    color=(30, 120, 200),
    *,
    taken: str | None = None,
    gps: tuple[float, float] | None = None,
) -> bytes:
    """A JPEG, optionally with EXIF DateTimeOriginal ("YYYY:MM:DD HH:MM:SS") and GPS."""
    img = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "Kamera Uji"  # Make
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken  # DateTimeOriginal
    if gps:
        lat, lon = gps

        def dms(value: float):
            value = abs(value)
            deg = int(value)
            minutes_full = (value - deg) * 60
            minutes = int(minutes_full)
            seconds = round((minutes_full - minutes) * 60 * 100)
            return (IFDRational(deg, 1), IFDRational(minutes, 1), IFDRational(seconds, 100))

        exif.get_ifd(0x8825).update(
            {1: "S" if lat < 0 else "N", 2: dms(lat), 3: "W" if lon < 0 else "E", 4: dms(lon)}
        )
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def png_bytes(size=(40, 30), mode="RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 200, 40, 128) if mode == "RGBA" else 0).save(out, "PNG")
    return out.getvalue()


def pdf_bytes(extra: bytes = b"") -> bytes:
    """A minimal well-formed one-page PDF (optionally with an extra object)."""
    objects = [
        b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R" + extra + b" >>\nendobj\n",
        b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n",
        b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>\nendobj\n",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for obj in objects:
        offsets.append(len(body))
        body += obj
    xref = len(body)
    body += b"xref\n0 4\n0000000000 65535 f \n"
    for off in offsets:
        body += f"{off:010d} 00000 n \n".encode()
    body += b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n" + str(xref).encode() + b"\n%%EOF\n"
    return body
