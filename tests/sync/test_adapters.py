"""Adapters on realistic and broken files: encodings, BOM, delimiters, floats, truncation."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import Workbook

from skp_app.sync.adapters import RecordError, SyncSourceError
from skp_app.sync.adapters.base import NormalizedPegawai, parse_date
from skp_app.sync.adapters.siasn_csv import SiasnCsvAdapter
from skp_app.sync.adapters.tabular import TabularAdapter
from skp_app.sync.normalize import classify_jabatan, golongan, unit_jenis
from tests.sync.helpers import BAPPEDA, DISKOMINFO, csv_text, siasn_row

NIP_A = "198602162008031001"
NIP_B = "199310122019032002"


def _records(adapter):
    return list(adapter.iter_records())


@pytest.mark.parametrize("delimiter", [";", ","])
@pytest.mark.parametrize("bom", [False, True])
def test_siasn_csv_reads_semicolons_or_commas_with_or_without_bom(csv_file, delimiter, bom):
    path = csv_file(
        [siasn_row(NIP_A, "BUDI SANTOSO, S.KOM"), siasn_row(NIP_B, "SITI AMINAH")],
        delimiter=delimiter,
        bom=bom,
    )
    adapter = SiasnCsvAdapter(path)
    recs = _records(adapter)
    assert adapter.table.delimiter == delimiter
    assert adapter.table.encoding == ("utf-8-sig" if bom else "utf-8")
    assert [r.nip for r in recs] == [NIP_A, NIP_B]
    assert recs[0].nama == "BUDI SANTOSO, S.KOM"  # the comma inside quotes survives
    assert recs[0].unit_key == DISKOMINFO[0]
    assert recs[0].tanggal_lahir == date(1986, 2, 16)
    assert recs[0].jenis_kelamin == "L" and recs[1].jenis_kelamin == "P"
    assert recs[0].golongan_id == 32
    assert adapter.warnings == []


def test_siasn_csv_reads_windows_1252_with_a_clear_warning(csv_file):
    path = csv_file([siasn_row(NIP_A, "ANDRÉ SIAHAAN")], encoding="cp1252")
    adapter = SiasnCsvAdapter(path)
    (rec,) = _records(adapter)
    assert rec.nama == "ANDRÉ SIAHAAN"
    assert adapter.table.encoding == "cp1252"
    assert "Windows-1252" in adapter.warnings[0]


def test_siasn_csv_refuses_utf16_with_a_clear_encoding_error(tmp_path):
    path = tmp_path / "ekspor.csv"
    path.write_bytes(csv_text([siasn_row(NIP_A, "BUDI")]).encode("utf-16"))
    with pytest.raises(SyncSourceError, match="Encoding berkas salah"):
        SiasnCsvAdapter(path)


def test_siasn_csv_refuses_an_xlsx_disguised_as_csv(tmp_path):
    wb = Workbook()
    wb.active.append(["nip_baru", "nama"])
    path = tmp_path / "ekspor.csv"
    wb.save(path)
    with pytest.raises(SyncSourceError, match="XLSX"):
        SiasnCsvAdapter(path)


def test_siasn_csv_names_the_missing_required_columns(tmp_path):
    path = tmp_path / "lain.csv"
    path.write_text("nip;nama_lengkap\n198602162008031001;BUDI\n", encoding="utf-8")
    with pytest.raises(SyncSourceError, match="nip_baru.*unor_id"):
        SiasnCsvAdapter(path)


def test_float_nip_is_kept_as_text_for_the_nip_message(csv_file):
    path = csv_file([siasn_row("1.98602E+17", "NIP RUSAK EXCEL")])
    (rec,) = _records(SiasnCsvAdapter(path))
    assert rec.nip == "1.98602E+17"


def test_truncated_file_reports_the_short_last_row(csv_file, tmp_path):
    path = csv_file([siasn_row(NIP_A, "BUDI"), siasn_row(NIP_B, "SITI AMINAH")])
    data = path.read_bytes()
    cut = data[: data.rindex(b"SITI AMINAH") + 6]  # the file ends in the middle of row 3
    path.write_bytes(cut)
    recs = _records(SiasnCsvAdapter(path))
    assert isinstance(recs[0], NormalizedPegawai)
    assert isinstance(recs[1], RecordError)
    assert recs[1].code == "row_malformed"
    assert recs[1].row_number == 3
    assert "terpotong" in recs[1].message
    assert recs[1].nip == NIP_B


def test_impossible_and_null_dates(csv_file):
    path = csv_file(
        [siasn_row(NIP_A, "BUDI", tanggal_lahir="31-02-1990", tmt_jabatan="01-01-0001")]
    )
    (rec,) = _records(SiasnCsvAdapter(path))
    assert rec.tanggal_lahir is None and rec.tmt_jabatan is None
    assert rec.problems == [
        ("date_invalid", "Tanggal lahir '31-02-1990' bukan tanggal yang valid.")
    ]


def test_parse_date_accepts_the_usual_formats():
    assert parse_date("16-02-1986", "x") == date(1986, 2, 16)
    assert parse_date("16/02/1986", "x") == date(1986, 2, 16)
    assert parse_date("1986-02-16", "x") == date(1986, 2, 16)
    assert parse_date("1986-02-16 00:00:00", "x") == date(1986, 2, 16)
    assert parse_date("01-01-0001", "x") is None
    with pytest.raises(ValueError, match="bukan tanggal"):
        parse_date("kemarin", "TMT")


def test_unknown_golongan_and_kedudukan_are_flagged(csv_file):
    path = csv_file(
        [siasn_row(NIP_A, "BUDI", golongan="35", gol_akhir_nama="III/f", kedudukan="57")]
    )
    (rec,) = _records(SiasnCsvAdapter(path))
    assert rec.golongan_id is None and rec.golongan_text == "35"
    assert rec.problems[0][0] == "kedudukan_unknown"


def test_pppk_rows_get_the_pppk_golongan():
    assert golongan(None, "IX", pppk=True) == (None, "IX", None)
    assert golongan(None, "XX", pppk=True) == (None, None, "XX")
    assert golongan(None, "Penata Muda TK I") == (32, None, None)


def test_position_kinds_follow_siasn_jenis_jabatan_and_titles():
    assert classify_jabatan("1", "KEPALA DINAS KESEHATAN", None)[:2] == ("jpt_pratama", "22")
    assert classify_jabatan("1", "SEKRETARIS DAERAH", None)[:2] == ("jpt_pratama", "21")
    assert classify_jabatan("1", "KEPALA SUB BAGIAN UMUM", None)[0] == "pengawas"
    assert classify_jabatan("1", "CAMAT SUKAMAJU", "32")[:2] == ("administrator", "32")
    assert classify_jabatan("2", "PERENCANA AHLI MUDA", None)[2] == "MU"
    assert classify_jabatan(None, "PRANATA KOMPUTER TERAMPIL", None)[0] == "fungsional"
    assert unit_jenis("SEKRETARIAT DAERAH") == "opd"
    assert unit_jenis("SEKRETARIAT INSPEKTORAT DAERAH") == "sekretariat"


def test_the_shared_sample_file_reads_twenty_rows(sample_csv):
    adapter = SiasnCsvAdapter(sample_csv)
    recs = _records(adapter)
    assert len(recs) == 20
    assert adapter.instansi[1] == "Pemerintah Kab. Sampel"
    assert {r.unit_nama for r in recs} >= {"INSPEKTORAT DAERAH", BAPPEDA[1]}


# --- tabular -----------------------------------------------------------------------------------

MAPPING = {
    "nip": "NIP Baru",
    "nama": "Nama Lengkap",
    "unit_nama": "Unit Kerja",
    "jabatan_nama": "Jabatan",
    "golongan": "Gol",
    "tanggal_lahir": "Tgl Lahir",
    "atasan_nip": "NIP Atasan",
}


def test_tabular_xlsx_finds_the_header_below_a_title_block(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["DAFTAR PEGAWAI PEMERINTAH KABUPATEN SAMPEL"])
    ws.append(["Dicetak 01-03-2026"])
    ws.append([])
    ws.append(
        [
            "No",
            "NIP Baru",
            "Nama Lengkap",
            "Unit Kerja",
            "Jabatan",
            "Gol",
            "Tgl Lahir",
            "NIP Atasan",
        ]
    )
    ws.append(
        [
            1,
            NIP_A,
            "Budi Santoso",
            "Dinas Kesehatan",
            "Perawat Ahli Muda",
            "III/c",
            date(1986, 2, 16),
            "",
        ]
    )
    ws.append([2, 198602162008031001, "Angka Excel", "Dinas Kesehatan", "", "III/b", None, ""])
    ws.append([3, '=HYPERLINK("x")', "Formula", "Dinas Kesehatan", "", "III/b", None, NIP_A])
    path = tmp_path / "pegawai.xlsx"
    wb.save(path)
    adapter = TabularAdapter(path, MAPPING)
    recs = _records(adapter)
    assert adapter.xlsx and [r.row_number for r in recs] == [5, 6, 7]
    assert recs[0].nip == NIP_A and recs[0].golongan_id == 33
    assert recs[0].tanggal_lahir == date(1986, 2, 16)
    assert "E+17" in recs[1].nip  # a numeric cell lost digits: refused as scientific notation
    assert recs[2].atasan_nip == NIP_A
    assert "atasan_nip" in adapter.fields and "unit" in adapter.fields


def test_tabular_csv_matches_headers_without_case(tmp_path):
    path = tmp_path / "pegawai.csv"
    path.write_text(
        "nip baru,NAMA LENGKAP,unit kerja\n" + NIP_A + ",Budi,Dinas Kesehatan\n", encoding="utf-8"
    )
    (rec,) = _records(TabularAdapter(path, MAPPING))
    assert (rec.nip, rec.nama, rec.unit_nama) == (NIP_A, "Budi", "Dinas Kesehatan")


def test_tabular_refuses_a_file_without_the_mapped_nip_column(tmp_path):
    path = tmp_path / "pegawai.csv"
    path.write_text("nomor;nama lengkap\n1;Budi\n", encoding="utf-8")
    with pytest.raises(SyncSourceError, match="NIP Baru"):
        TabularAdapter(path, MAPPING)


def test_tabular_refuses_a_mapping_without_nip():
    with pytest.raises(SyncSourceError, match="NIP"):
        TabularAdapter("/nonexistent.csv", {"nama": "Nama"})
