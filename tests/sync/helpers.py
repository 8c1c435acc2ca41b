"""Builders for the sync tests: SIASN export rows and files, database dumps."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from sqlalchemy import text

from tests.sync.fakes import hex_id

SAMPLES = Path(__file__).parents[2].parent / "shared" / "samples"

SIASN_COLUMNS = (
    "pns_id nip_baru nip_lama nama gelar_depan gelar_belakang tempat_lahir_id tempat_lahir_nama "
    "tanggal_lahir jenis_kelamin agama_id agama_nama jenis_kawin_id jenis_kawin_nama nik "
    "nomor_hp email email_gov alamat npwp_nomor bpjs jenis_pegawai_id jenis_pegawai_nama "
    "kedudukan_hukum_id kedudukan_hukum_nama status_cpns_pns kartu_asn_virtual nomor_sk_cpns "
    "tanggal_sk_cpns tmt_cpns nomor_sk_pns tanggal_sk_pns tmt_pns gol_awal_id gol_awal_nama "
    "gol_akhir_id gol_akhir_nama tmt_golongan mk_tahun mk_bulan jenis_jabatan_id "
    "jenis_jabatan_nama jabatan_id jabatan_nama tmt_jabatan tingkat_pendidikan_id "
    "tingkat_pendidikan_nama pendidikan_id pendidikan_nama tahun_lulus kpkn_id kpkn_nama "
    "lokasi_kerja_id lokasi_kerja_nama unor_id unor_nama instansi_induk_id instansi_induk_nama "
    "instansi_kerja_id instansi_kerja_nama satuan_kerja_induk_id satuan_kerja_induk_nama "
    "satuan_kerja_kerja_id satuan_kerja_kerja_nama is_valid_nik"
).split()
INSTANSI_ID = hex_id("instansi-kab-sampel", upper=True)
GOLONGAN_NAMA = {
    "22": "II/b",
    "31": "III/a",
    "32": "III/b",
    "33": "III/c",
    "34": "III/d",
    "41": "IV/a",
    "42": "IV/b",
}

# Units of the fictional Kabupaten Sampel (32-hex SIASN ids).
DISKOMINFO = (hex_id("diskominfo"), "DINAS KOMUNIKASI DAN INFORMATIKA")
SEKRETARIAT = (hex_id("sekretariat-diskominfo"), "SEKRETARIAT DINAS KOMUNIKASI DAN INFORMATIKA")
BIDANG_APTIKA = (
    hex_id("bidang-aptika"),
    "BIDANG APLIKASI INFORMATIKA DINAS KOMUNIKASI DAN INFORMATIKA",
)
DINKES = (hex_id("dinkes"), "DINAS KESEHATAN")
BAPPEDA = (hex_id("bappeda"), "BADAN PERENCANAAN PEMBANGUNAN DAERAH")


def nip_for(birth: date, tmt: tuple[int, int], gender: int, seq: int) -> str:
    return f"{birth:%Y%m%d}{tmt[0]:04d}{tmt[1]:02d}{gender}{seq:03d}"


def siasn_row(
    nip: str,
    nama: str,
    unit=DISKOMINFO,
    *,
    jabatan="PENGADMINISTRASI UMUM",
    jenis_jabatan="4",
    golongan="32",
    kedudukan="01",
    tmt_jabatan="02-01-2023",
    **overrides,
) -> dict:
    """One row of the SIASN export with realistic values (dates dd-mm-yyyy)."""
    birth = f"{nip[6:8]}-{nip[4:6]}-{nip[0:4]}" if len(nip) == 18 and nip.isdigit() else ""
    row = {c: "" for c in SIASN_COLUMNS}
    row.update(
        pns_id=hex_id("pns-" + nip, upper=True),
        nip_baru=nip,
        nama=nama,
        tanggal_lahir=birth,
        jenis_kelamin=("M" if len(nip) > 14 and nip[14] == "1" else "F"),
        jenis_pegawai_id="15",
        jenis_pegawai_nama="PNS Daerah Kab./Kota yang bekerja pada Kab./Kota",
        kedudukan_hukum_id=kedudukan,
        kedudukan_hukum_nama={"01": "Aktif", "99": "Pensiun", "02": "CLTN"}.get(kedudukan, ""),
        status_cpns_pns="P",
        tmt_cpns=f"01-{nip[12:14]}-{nip[8:12]}" if len(nip) == 18 else "",
        gol_akhir_id=golongan,
        gol_akhir_nama=GOLONGAN_NAMA.get(golongan, ""),
        tmt_golongan="01-04-2021",
        jenis_jabatan_id=jenis_jabatan,
        jenis_jabatan_nama={
            "1": "Jabatan Struktural",
            "2": "Jabatan Fungsional Tertentu",
            "4": "Jabatan Fungsional Umum",
        }.get(jenis_jabatan, ""),
        jabatan_nama=jabatan,
        tmt_jabatan=tmt_jabatan,
        unor_id=unit[0],
        unor_nama=unit[1],
        instansi_induk_id=INSTANSI_ID,
        instansi_induk_nama="Pemerintah Kab. Sampel",
        instansi_kerja_id=INSTANSI_ID,
        instansi_kerja_nama="Pemerintah Kab. Sampel",
        satuan_kerja_induk_id=INSTANSI_ID,
        satuan_kerja_induk_nama="Pemerintah Kab. Sampel",
        satuan_kerja_kerja_id=INSTANSI_ID,
        satuan_kerja_kerja_nama="Pemerintah Kab. Sampel",
        is_valid_nik="1",
    )
    row.update(overrides)
    return row


def csv_text(rows: list[dict], *, delimiter: str = ";", columns=SIASN_COLUMNS) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for r in rows:
        writer.writerow([r.get(c, "") for c in columns])
    return buf.getvalue()


def write_csv(
    path: Path,
    rows: list[dict],
    *,
    delimiter=";",
    encoding="utf-8",
    bom=False,
    columns=SIASN_COLUMNS,
) -> Path:
    data = csv_text(rows, delimiter=delimiter, columns=columns).encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    return path


ORG_TABLES = (
    "instansi",
    "unit_organisasi",
    "jabatan",
    "pegawai",
    "pegawai_external_ids",
    "audit_events",
    "skp",
    "rhk",
    "users",
)


def org_dump(session) -> dict[str, list[tuple]]:
    """Every row of the organisation, personnel, planning and audit tables, in id order."""
    session.expire_all()
    out = {}
    for table in ORG_TABLES:
        rows = session.execute(text(f"SELECT * FROM {table} ORDER BY id")).all()  # noqa: S608
        out[table] = [tuple(r) for r in rows]
    return out
