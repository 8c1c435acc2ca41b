"""The pure parts of the dashboards: metrics, XLSX writer, PDF builders and their doctests."""

from __future__ import annotations

import doctest
import importlib
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from skp_app.dashboard import documents, metrics
from skp_app.dashboard.documents import (
    DocPerson,
    EvaluasiDocument,
    IkiLine,
    PerilakuLine,
    RecapDocument,
    RecapLine,
    RhkLine,
    SkpDocument,
)
from skp_app.dashboard.exports import Sheet, write_xlsx, xlsx_bytes
from skp_app.dashboard.metrics import IkiSeries


@pytest.mark.parametrize(
    "name",
    [
        "skp_app.dashboard.metrics",
        "skp_app.dashboard.charts",
        "skp_app.dashboard.exports",
        "skp_app.dashboard.documents",
        "skp_app.dashboard.merit",
    ],
)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


# --- metrics ---------------------------------------------------------------------------------


def test_kuantitas_iki_is_cumulated_and_other_aspects_take_the_latest_value():
    dokumen = IkiSeries(1, "kuantitas", Decimal(12), monthly={1: Decimal(2), 2: Decimal(4)})
    kualitas = IkiSeries(2, "kualitas", Decimal(100), monthly={1: Decimal(80), 2: Decimal(95)})
    assert metrics.iki_capaian_at(dokumen, 2) == Decimal(50)
    assert metrics.iki_capaian_at(kualitas, 2) == Decimal(95)
    assert metrics.iki_capaian_at(kualitas, 1) == Decimal(80)


def test_iki_without_target_or_data_has_no_capaian():
    assert metrics.iki_capaian_at(IkiSeries(1, "kuantitas", None, monthly={1: 1}), 1) is None
    assert metrics.iki_capaian_at(IkiSeries(1, "kuantitas", Decimal(5)), 3) is None
    # A zero target with a non-zero realisasi has no defined capaian (no crash).
    zero = IkiSeries(1, "kuantitas", Decimal(0), monthly={1: Decimal(2)})
    assert metrics.iki_capaian_at(zero, 1) is None


def test_projection_warns_for_a_slow_cumulative_series_and_not_for_a_fast_one():
    slow = IkiSeries(1, "kuantitas", Decimal(12), monthly={1: Decimal("0.5"), 2: Decimal("0.5")})
    fast = IkiSeries(2, "kuantitas", Decimal(12), monthly={1: Decimal(2), 2: Decimal(2)})
    assert metrics.iki_projection(slow, 2).will_miss is True
    assert metrics.iki_projection(fast, 2).will_miss is False
    assert metrics.iki_projection(IkiSeries(3, "kuantitas", Decimal(12)), 2) is None


def test_lower_is_better_projection_warns_when_rising_above_target():
    temuan = IkiSeries(
        1,
        "kualitas",
        Decimal(5),
        lower_is_better=True,
        monthly={1: Decimal(4), 2: Decimal(6), 3: Decimal(8)},
    )
    assert metrics.iki_projection(temuan, 3).will_miss is True


def test_working_days_skip_weekends_holidays_and_days_after_until():
    assert metrics.working_days(2026, 3) == 22
    assert metrics.working_days(2026, 3, [date(2026, 3, 19), date(2026, 3, 20)]) == 20
    assert metrics.working_days(2026, 3, until=date(2026, 3, 6)) == 5


def test_bidang_of_survives_a_loop_in_the_unit_tree():
    assert metrics.bidang_of({2: 3, 3: 2}, 1, 2) == 1


# --- XLSX ------------------------------------------------------------------------------------


def test_xlsx_neutralises_formula_cells_and_keeps_numbers():
    data = xlsx_bytes(
        [
            Sheet(
                "Pegawai: daftar/2026",
                ["Nama", "Poin"],
                [
                    ['=HYPERLINK("http://x")', Decimal("12.5")],
                    ["+SUM(A1)", 3],
                    ["@cmd", None],
                    ["-2+3", -2],
                ],
            )
        ],
        notes=["=1+1 dalam catatan"],
    )
    wb = load_workbook(io.BytesIO(data))
    ws = wb[wb.sheetnames[0]]
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert values[0] == ['\'=HYPERLINK("http://x")', 12.5]
    assert values[1] == ["'+SUM(A1)", 3]
    assert values[2][0] == "'@cmd"
    assert values[3] == ["'-2+3", -2]
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
    assert wb["Keterangan"]["A1"].value == "'=1+1 dalam catatan"
    assert ws.freeze_panes == "A2"


def test_write_xlsx_streams_rows_from_a_generator_to_a_file_and_reports_progress(tmp_path):
    seen: list[int] = []
    rows = ([f"Pegawai {i}", i] for i in range(2500))  # never held as a list
    path = tmp_path / "besar.xlsx"
    written = write_xlsx(
        path,
        [Sheet("Daftar", ["Nama", "No"], rows), Sheet("Kecil", ["Nama"], [["@SUM(A1)"]])],
        notes=["Catatan"],
        progress=seen.append,
        every=1000,
    )
    assert written == 2501
    assert seen == [1000, 2000]
    wb = load_workbook(path, read_only=True)
    assert wb.sheetnames == ["Daftar", "Kecil", "Keterangan"]
    assert [r for r in wb["Daftar"].iter_rows(min_row=2501, values_only=True)] == [
        ("Pegawai 2499", 2499)
    ]
    assert next(wb["Kecil"].iter_rows(min_row=2, values_only=True)) == ("'@SUM(A1)",)


def test_xlsx_sheet_titles_are_valid_and_unique():
    data = xlsx_bytes([Sheet("A" * 40, ["x"], []), Sheet("A" * 40, ["x"], [])])
    names = load_workbook(io.BytesIO(data)).sheetnames
    assert len(names) == 2 and len(set(names)) == 2
    assert all(len(n) <= 31 for n in names)


# --- PDF -------------------------------------------------------------------------------------


def _person(nama: str, nip: str | None = "198602162010031001") -> DocPerson:
    return DocPerson(
        nama, nip, "Penata Muda Tingkat I, III/b", "Pranata Komputer", "Bidang Aplikasi Informatika"
    )


def _skp_doc(rhk_count: int = 3) -> SkpDocument:
    rhk = [
        RhkLine(
            "utama" if i % 3 else "tambahan",
            f"Tersusunnya dokumen layanan aplikasi nomor {i} — ≥ 95% tepat waktu",
            intervensi="Terwujudnya layanan SPBE terintegrasi",
            iki=[
                IkiLine("kuantitas", "Jumlah dokumen", "12 Dokumen"),
                IkiLine("kualitas", "Persentase dokumen tanpa revisi", "100 %"),
                IkiLine("waktu", "Ketepatan waktu", "12 Bulan"),
            ],
        )
        for i in range(rhk_count)
    ]
    return SkpDocument(
        "Pemerintah Kabupaten Sukamaju",
        "Sukamaju",
        2026,
        date(2026, 1, 1),
        date(2026, 12, 31),
        "kuantitatif",
        False,
        "Disetujui",
        _person("Budi Santoso"),
        _person("Siti Rahmawati"),
        rhk,
        [PerilakuLine("Berorientasi Pelayanan", ("Ramah", "Cekatan", "Solutif"), "Cepat")],
        [("Dukungan Sumber Daya", ["Laptop"]), ("Konsekuensi", [])],
        date(2026, 1, 20),
    )


def _title(pdf: bytes) -> str:
    match = re.search(rb"/Title \((.*?)\)", pdf)
    assert match, "PDF has a literal /Title"
    return match.group(1).decode("latin-1")


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def test_skp_pdf_is_a4_with_the_employee_in_its_metadata():
    pdf = documents.skp_pdf(_skp_doc(), compress=False)
    assert pdf.startswith(b"%PDF")
    assert "Budi Santoso" in _title(pdf)
    assert b"/MediaBox [0 0 595.28 841.89]" in pdf


def test_long_skp_breaks_pages_between_rows():
    short = documents.skp_pdf(_skp_doc(1), compress=False)
    long = documents.skp_pdf(_skp_doc(60), compress=False)
    assert _pages(short) == 1
    assert _pages(long) >= 4


def test_evaluasi_and_recap_pdfs_render():
    ev = EvaluasiDocument(
        "Pemerintah Kabupaten Sukamaju",
        "Sukamaju",
        2026,
        "Triwulan I 2026",
        "Final",
        _person("Budi Santoso"),
        None,
        "Baik",
        [
            RhkLine(
                "utama",
                "Laporan",
                iki=[IkiLine("kuantitas", "Jumlah", "12", "3 Dokumen")],
                umpan_balik="Baik",
            )
        ],
        [PerilakuLine("Akuntabel", ("Jujur",), umpan_balik="Konsisten")],
        "Sesuai Ekspektasi",
        "Sesuai Ekspektasi",
        "Baik",
        "Pertahankan.",
        date(2026, 4, 3),
    )
    assert "Budi Santoso" in _title(documents.evaluasi_pdf(ev, compress=False))
    line = RecapLine(
        "Budi Santoso",
        "198602162010031001",
        "Diskominfo",
        Decimal(6000),
        None,
        Decimal(1),
        Decimal(1),
        Decimal(0),
        Decimal(0),
        Decimal(1),
    )
    recap = documents.recap_pdf(
        RecapDocument(
            "Pemkab", "Sukamaju", 2026, 3, "Diskominfo", [line] * 80, date(2026, 4, 1), ["Catatan"]
        ),
        compress=False,
    )
    assert recap.startswith(b"%PDF")
    assert b"Budi Santoso" in recap.split(b"/Subject", 1)[1][:200]


def test_pdf_falls_back_to_latin1_core_font_without_dejavu(monkeypatch, tmp_path):
    monkeypatch.setattr(documents, "FONT_DIR", tmp_path)
    doc = _skp_doc()
    doc.pegawai = _person("Budi Santoso – ≥ ✓ 漢")
    pdf = documents.skp_pdf(doc, compress=False)
    assert pdf.startswith(b"%PDF")
    assert b"/Helvetica" in pdf
