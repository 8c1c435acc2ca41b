"""Official documents as PDF (fpdf2): the SKP, the dokumen evaluasi and the monthly recap.

Pure builders: a plain dataclass in (filled by :mod:`skp_app.dashboard.queries`), PDF bytes
out; no Flask, no database. Pages are A4 with a header block, tables through fpdf2's table API
(rows are never split across pages, headings repeat on every page) and signature blocks for
the pejabat penilai and the employee (PermenPANRB 6/2022 layouts, domain.md §2.1–2.3).

Text is Unicode through the DejaVu Sans TTF when the system has it
(``/usr/share/fonts/truetype/dejavu``); otherwise fpdf2's core Helvetica is used and the text
is reduced to latin-1. The document's metadata (title, subject, author) name the employee, so
a reader can identify a file without opening it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from skp_app.dashboard.metrics import fmt_number

__all__ = [
    "DocPerson",
    "EvaluasiDocument",
    "IkiLine",
    "PerilakuLine",
    "RecapDocument",
    "RecapLine",
    "RhkLine",
    "SkpDocument",
    "evaluasi_pdf",
    "recap_pdf",
    "skp_pdf",
]

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_BULAN = (
    *("", "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli"),
    *("Agustus", "September", "Oktober", "November", "Desember"),
)
_LATIN1 = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "…": "...",
        "≥": ">=",
        "≤": "<=",
        "•": "-",
        "×": "x",
    }
)
_GREY = (235, 239, 244)


@dataclass
class DocPerson:
    nama: str = ""
    nip: str | None = None
    pangkat: str = ""
    jabatan: str = ""
    unit: str = ""


@dataclass
class IkiLine:
    aspek: str
    teks: str
    target: str
    realisasi: str = ""


@dataclass
class RhkLine:
    jenis: str
    teks: str
    intervensi: str = ""
    perspektif: str = ""
    iki: list[IkiLine] = field(default_factory=list)
    umpan_balik: str = ""


@dataclass
class PerilakuLine:
    nama: str
    perilaku: Sequence[str]
    ekspektasi: str = ""
    umpan_balik: str = ""


@dataclass
class SkpDocument:
    instansi: str
    ibukota: str
    tahun: int
    tanggal_mulai: date
    tanggal_selesai: date
    pendekatan: str
    is_jpt: bool
    status: str
    pegawai: DocPerson
    penilai: DocPerson | None
    rhk: list[RhkLine]
    perilaku: list[PerilakuLine]
    lampiran: list[tuple[str, list[str]]]
    tanggal: date
    version: int = 1


@dataclass
class EvaluasiDocument:
    instansi: str
    ibukota: str
    tahun: int
    periode: str
    status: str
    pegawai: DocPerson
    penilai: DocPerson | None
    capaian_organisasi: str
    rhk: list[RhkLine]
    perilaku: list[PerilakuLine]
    rating_hasil: str
    rating_perilaku: str
    predikat: str
    catatan: str
    tanggal: date
    is_jpt: bool = False


@dataclass
class RecapLine:
    nama: str
    nip: str | None
    opd: str
    poin: Decimal
    capaian: Decimal | None
    pagu: Decimal
    produktivitas: Decimal
    disiplin: Decimal
    potongan: Decimal
    diterima: Decimal


@dataclass
class RecapDocument:
    instansi: str
    ibukota: str
    tahun: int
    bulan: int
    cakupan: str
    lines: list[RecapLine]
    dibuat: date
    catatan: list[str] = field(default_factory=list)


# --- the PDF shell ---------------------------------------------------------------------------


def _tanggal(d: date | None) -> str:
    return f"{d.day} {_BULAN[d.month]} {d.year}" if d else "-"


def _nip(nip: str | None) -> str:
    if not nip:
        return "-"
    if len(nip) == 18 and nip.isdigit():
        return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    return nip


class _Doc(FPDF):
    """A4 document with a running header, page numbers and Unicode when available."""

    def __init__(self, *, title: str, subject: str, author: str, landscape: bool = False):
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        self.unicode = (FONT_DIR / "DejaVuSans.ttf").exists() and (
            FONT_DIR / "DejaVuSans-Bold.ttf"
        ).exists()
        if self.unicode:
            self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
            self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
            self.family = "DejaVu"
        else:
            self.family = "Helvetica"
        self.doc_title = title
        self.set_title(self.t(title))
        self.set_subject(self.t(subject))
        self.set_author(self.t(author))
        self.set_creator("SKP Cascade")
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)
        self.alias_nb_pages()
        self.add_page()

    def t(self, text: object) -> str:
        """Return ``text`` printable in the current font (latin-1 with the core font)."""
        value = "" if text is None else str(text)
        if self.unicode:
            return value
        return value.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")

    def font(self, size: float = 9, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)

    def header(self) -> None:
        if self.page_no() > 1:
            self.font(7)
            self.set_text_color(96, 107, 122)
            self.cell(0, 5, self.t(self.doc_title), new_x="LMARGIN", new_y="NEXT")
            self.set_text_color(0, 0, 0)
            self.ln(1)

    def footer(self) -> None:
        self.set_y(-12)
        self.font(7)
        self.set_text_color(96, 107, 122)
        self.cell(0, 5, self.t(f"Halaman {self.page_no()}/{{nb}} · SKP Cascade"), align="R")
        self.set_text_color(0, 0, 0)

    def title_block(self, lines: Sequence[str], sub: Sequence[str] = ()) -> None:
        self.font(12, bold=True)
        for line in lines:
            self.multi_cell(0, 6, self.t(line), align="C", new_x="LMARGIN", new_y="NEXT")
        self.font(9)
        for line in sub:
            self.multi_cell(0, 5, self.t(line), align="C", new_x="LMARGIN", new_y="NEXT")
        self.ln(3)

    def heading(self, text: str) -> None:
        if self.will_page_break(20):
            self.add_page()
        self.ln(2)
        self.font(10, bold=True)
        self.multi_cell(0, 6, self.t(text), new_x="LMARGIN", new_y="NEXT")
        self.font(9)

    def paragraph(self, text: str, size: float = 9) -> None:
        self.font(size)
        self.multi_cell(0, 5, self.t(text), new_x="LMARGIN", new_y="NEXT")

    def table(self, **kwargs):  # noqa: D102 - fpdf2's table with the house style
        kwargs.setdefault("text_align", "LEFT")
        kwargs.setdefault("line_height", 4.6)
        kwargs.setdefault("repeat_headings", 1)
        kwargs.setdefault("headings_style", FontFace(emphasis="BOLD", fill_color=_GREY))
        kwargs.setdefault("padding", 1.2)
        kwargs.setdefault("v_align", "TOP")
        return super().table(**kwargs)

    def identity(self, pegawai: DocPerson, penilai: DocPerson | None, instansi: str) -> None:
        """The two-column identity block: PEGAWAI YANG DINILAI / PEJABAT PENILAI KINERJA."""
        self.font(8.5)
        fields = (
            ("NAMA", "nama"),
            ("NIP", "nip"),
            ("PANGKAT/GOL. RUANG", "pangkat"),
            ("JABATAN", "jabatan"),
            ("UNIT KERJA", "unit"),
        )
        with self.table(col_widths=(9, 32, 49, 9, 32, 49), first_row_as_headings=True) as table:
            head = table.row()
            head.cell(self.t("NO"))
            head.cell(self.t("PEGAWAI YANG DINILAI"), colspan=2)
            head.cell(self.t("NO"))
            head.cell(self.t("PEJABAT PENILAI KINERJA"), colspan=2)
            for i, (label, attr) in enumerate(fields, start=1):
                row = table.row()
                mine = getattr(pegawai, attr)
                theirs = getattr(penilai, attr) if penilai is not None else ""
                if attr == "nip":
                    mine, theirs = _nip(mine), (_nip(theirs) if penilai is not None else "-")
                if attr == "unit" and penilai is not None and not theirs:
                    theirs = instansi
                row.cell(str(i))
                row.cell(self.t(label))
                row.cell(self.t(mine or "-"))
                row.cell(str(i))
                row.cell(self.t(label))
                row.cell(self.t(theirs or "-"))

    def signatures(
        self, ibukota: str, tanggal: date, penilai: DocPerson | None, pegawai: DocPerson
    ) -> None:
        """Signature blocks: pejabat penilai on the left, the employee on the right."""
        if self.will_page_break(48):
            self.add_page()
        self.ln(6)
        width = (self.w - self.l_margin - self.r_margin) / 2
        x0 = self.l_margin
        self.font(9)
        self.set_x(x0 + width)
        place = f"{ibukota}, {_tanggal(tanggal)}" if ibukota else _tanggal(tanggal)
        self.cell(width, 5, self.t(place), align="C", new_x="LMARGIN", new_y="NEXT")
        y = self.get_y()
        blocks = (("Pejabat Penilai Kinerja", penilai), ("Pegawai yang Dinilai", pegawai))
        for i, (role, person) in enumerate(blocks):
            self.set_xy(x0 + i * width, y)
            self.font(9)
            self.cell(width, 5, self.t(role), align="C")
            self.set_xy(x0 + i * width, y + 24)
            self.font(9, bold=True)
            name = person.nama if person is not None and person.nama else "(belum ditetapkan)"
            self.cell(width, 5, self.t(name), align="C")
            self.set_xy(x0 + i * width, y + 29)
            self.font(9)
            nip = person.nip if person is not None else None
            self.cell(width, 5, self.t(f"NIP. {_nip(nip)}" if nip else ""), align="C")
        self.set_xy(x0, y + 36)

    def bytes(self) -> bytes:
        return bytes(self.output())


def _period_line(mulai: date, selesai: date) -> str:
    return f"PERIODE PENILAIAN: {_tanggal(mulai).upper()} SD {_tanggal(selesai).upper()}"


def _rhk_table(pdf: _Doc, rhk: Sequence[RhkLine], *, is_jpt: bool, evaluasi: bool) -> None:
    """Print the RHK/IKI table; an RHK spans its IKI rows (kept together on one page)."""
    if not rhk:
        pdf.paragraph("Belum ada rencana hasil kerja.")
        return
    if evaluasi:
        headers = [
            "NO",
            "RENCANA HASIL KERJA",
            "ASPEK",
            "INDIKATOR KINERJA INDIVIDU",
            "TARGET",
            "REALISASI",
            "UMPAN BALIK",
        ]
        widths = (9, 38, 17, 38, 22, 22, 34)
    elif is_jpt:
        headers = [
            "NO",
            "RENCANA HASIL KERJA",
            "PERSPEKTIF",
            "ASPEK",
            "INDIKATOR KINERJA INDIVIDU",
            "TARGET",
        ]
        widths = (9, 50, 22, 17, 55, 27)
    else:
        headers = [
            "NO",
            "RENCANA HASIL KERJA PIMPINAN YANG DIINTERVENSI",
            "RENCANA HASIL KERJA",
            "ASPEK",
            "INDIKATOR KINERJA INDIVIDU",
            "TARGET",
        ]
        widths = (9, 40, 40, 17, 50, 24)
    pdf.font(8)
    for jenis, title in (("utama", "A. UTAMA"), ("tambahan", "B. TAMBAHAN")):
        rows = [r for r in rhk if r.jenis == jenis]
        if not rows:
            continue
        if pdf.will_page_break(30):  # keep the heading with the first rows of its table
            pdf.add_page()
        pdf.font(9, bold=True)
        pdf.cell(0, 6, pdf.t(title), new_x="LMARGIN", new_y="NEXT")
        pdf.font(8)
        with pdf.table(col_widths=widths) as table:
            head = table.row()
            for h in headers:
                head.cell(pdf.t(h))
            for no, r in enumerate(rows, start=1):
                ikis = r.iki or [IkiLine("", "-", "-")]
                span = len(ikis)
                for k, iki in enumerate(ikis):
                    row = table.row()
                    if k == 0:
                        row.cell(str(no), rowspan=span)
                        if not evaluasi and not is_jpt:
                            row.cell(pdf.t(r.intervensi or "-"), rowspan=span)
                        row.cell(pdf.t(r.teks), rowspan=span)
                        if not evaluasi and is_jpt:
                            row.cell(pdf.t(r.perspektif or "-"), rowspan=span)
                    row.cell(pdf.t(iki.aspek.capitalize() if iki.aspek else "-"))
                    row.cell(pdf.t(iki.teks))
                    row.cell(pdf.t(iki.target or "-"))
                    if evaluasi:
                        row.cell(pdf.t(iki.realisasi or "-"))
                        if k == 0:
                            row.cell(pdf.t(r.umpan_balik or "-"), rowspan=span)


def _perilaku_table(pdf: _Doc, perilaku: Sequence[PerilakuLine], *, evaluasi: bool) -> None:
    pdf.font(8)
    third = "UMPAN BALIK" if evaluasi else "EKSPEKTASI KHUSUS PIMPINAN"
    with pdf.table(col_widths=(9, 45, 76, 50)) as table:
        head = table.row()
        for h in ("NO", "PERILAKU KERJA (BerAKHLAK)", "PANDUAN PERILAKU", third):
            head.cell(pdf.t(h))
        for no, p in enumerate(perilaku, start=1):
            row = table.row()
            row.cell(str(no))
            row.cell(pdf.t(p.nama))
            row.cell(pdf.t("\n".join(f"- {item}" for item in p.perilaku)))
            row.cell(pdf.t((p.umpan_balik if evaluasi else p.ekspektasi) or "-"))


def skp_pdf(doc: SkpDocument, *, compress: bool = True) -> bytes:
    """Print an SKP (PermenPANRB 6/2022 layout: identity, RHK/IKI, perilaku, lampiran).

    Examples
    --------
    >>> d = SkpDocument("Pemerintah Kabupaten Sukamaju", "Sukamaju", 2026, date(2026, 1, 1),
    ...     date(2026, 12, 31), "kuantitatif", False, "Disetujui", DocPerson("Budi Santoso"),
    ...     None, [], [], [], date(2026, 2, 16))
    >>> skp_pdf(d)[:5]
    b'%PDF-'
    """
    title = f"SKP {doc.pegawai.nama} {doc.tahun}"
    pdf = _Doc(
        title=title,
        subject=f"Sasaran Kinerja Pegawai {doc.pegawai.nama}",
        author=doc.instansi or "SKP Cascade",
    )
    pdf.set_compression(compress)
    kind = (
        "PEJABAT PIMPINAN TINGGI" if doc.is_jpt else "PEJABAT ADMINISTRASI DAN PEJABAT FUNGSIONAL"
    )
    pdf.title_block(
        [
            "SASARAN KINERJA PEGAWAI",
            f"PENDEKATAN HASIL KERJA {doc.pendekatan.upper()}",
            f"BAGI {kind}",
        ],
        [
            doc.instansi.upper(),
            _period_line(doc.tanggal_mulai, doc.tanggal_selesai),
            f"Status: {doc.status} · versi {doc.version}",
        ],
    )
    pdf.identity(doc.pegawai, doc.penilai, doc.instansi)
    pdf.heading("HASIL KERJA")
    _rhk_table(pdf, doc.rhk, is_jpt=doc.is_jpt, evaluasi=False)
    pdf.heading("PERILAKU KERJA")
    _perilaku_table(pdf, doc.perilaku, evaluasi=False)
    if any(items for _, items in doc.lampiran):
        pdf.heading("LAMPIRAN SASARAN KINERJA PEGAWAI")
        for bagian, items in doc.lampiran:
            pdf.font(9, bold=True)
            pdf.multi_cell(0, 5, pdf.t(bagian), new_x="LMARGIN", new_y="NEXT")
            pdf.font(9)
            for i, item in enumerate(items or ["-"], start=1):
                pdf.multi_cell(0, 5, pdf.t(f"{i}. {item}"), new_x="LMARGIN", new_y="NEXT")
    pdf.signatures(doc.ibukota, doc.tanggal, doc.penilai, doc.pegawai)
    return pdf.bytes()


def evaluasi_pdf(doc: EvaluasiDocument, *, compress: bool = True) -> bytes:
    """Print the dokumen evaluasi kinerja pegawai (PermenPANRB 6/2022 annex layout).

    Examples
    --------
    >>> d = EvaluasiDocument("Pemkab Sukamaju", "Sukamaju", 2026, "Triwulan I 2026", "Final",
    ...     DocPerson("Budi Santoso"), None, "Baik", [], [], "Sesuai Ekspektasi",
    ...     "Sesuai Ekspektasi", "Baik", "", date(2026, 4, 5))
    >>> evaluasi_pdf(d)[:5]
    b'%PDF-'
    """
    title = f"Evaluasi kinerja {doc.pegawai.nama} {doc.periode}"
    pdf = _Doc(
        title=title,
        subject=f"Dokumen evaluasi kinerja {doc.pegawai.nama}",
        author=doc.instansi or "SKP Cascade",
    )
    pdf.set_compression(compress)
    pdf.title_block(
        ["EVALUASI KINERJA PEGAWAI", "PENDEKATAN HASIL KERJA KUANTITATIF"],
        [doc.instansi.upper(), f"PERIODE: {doc.periode.upper()}", f"Status: {doc.status}"],
    )
    pdf.identity(doc.pegawai, doc.penilai, doc.instansi)
    pdf.ln(2)
    pdf.paragraph(f"CAPAIAN KINERJA ORGANISASI: {doc.capaian_organisasi or '-'}")
    pdf.heading("HASIL KERJA")
    _rhk_table(pdf, doc.rhk, is_jpt=doc.is_jpt, evaluasi=True)
    pdf.font(9)
    pdf.heading(f"RATING HASIL KERJA: {doc.rating_hasil or '-'}")
    pdf.heading("PERILAKU KERJA")
    _perilaku_table(pdf, doc.perilaku, evaluasi=True)
    pdf.heading(f"RATING PERILAKU KERJA: {doc.rating_perilaku or '-'}")
    pdf.heading(f"PREDIKAT KINERJA PEGAWAI: {(doc.predikat or '-').upper()}")
    if doc.catatan:
        pdf.paragraph(f"Catatan dan rekomendasi: {doc.catatan}")
    pdf.signatures(doc.ibukota, doc.tanggal, doc.penilai, doc.pegawai)
    return pdf.bytes()


def recap_pdf(doc: RecapDocument, *, compress: bool = True) -> bytes:
    """Print the monthly recap (points, capaian and TPP basis per employee), landscape.

    Examples
    --------
    >>> line = RecapLine("Budi Santoso", None, "Diskominfo", Decimal(6000), Decimal(95),
    ...     Decimal(5000000), Decimal(3000000), Decimal(2000000), Decimal(0), Decimal(5000000))
    >>> recap_pdf(RecapDocument("Pemkab", "Sukamaju", 2026, 1, "Diskominfo", [line],
    ...     date(2026, 2, 2)))[:5]
    b'%PDF-'
    """
    bulan = f"{_BULAN[doc.bulan]} {doc.tahun}" if 1 <= doc.bulan <= 12 else str(doc.tahun)
    title = f"Rekap kinerja dan basis TPP {bulan} - {doc.cakupan}"
    names = ", ".join(line.nama for line in doc.lines[:3])
    pdf = _Doc(
        title=title,
        subject=f"Rekap {bulan}: {names}",
        author=doc.instansi or "SKP Cascade",
        landscape=True,
    )
    pdf.set_compression(compress)
    pdf.title_block(
        ["REKAPITULASI KINERJA DAN BASIS TAMBAHAN PENGHASILAN PEGAWAI"],
        [
            doc.instansi.upper(),
            f"BULAN {bulan.upper()} · {doc.cakupan.upper()}",
            f"Dibuat {_tanggal(doc.dibuat)}",
        ],
    )
    pdf.font(7.5)
    headers = (
        "NO",
        "NAMA / NIP",
        "OPD",
        "POIN",
        "CAPAIAN (%)",
        "PAGU (Rp)",
        "PRODUKTIVITAS (Rp)",
        "DISIPLIN (Rp)",
        "POTONGAN (Rp)",
        "DITERIMA (Rp)",
    )
    totals = [Decimal(0)] * 6
    with pdf.table(col_widths=(9, 52, 46, 18, 18, 26, 28, 26, 24, 26)) as table:
        head = table.row()
        for h in headers:
            head.cell(pdf.t(h))
        for no, line in enumerate(doc.lines, start=1):
            row = table.row()
            row.cell(str(no))
            row.cell(pdf.t(f"{line.nama}\nNIP. {_nip(line.nip)}"))
            row.cell(pdf.t(line.opd))
            for value, digits, align in (
                (line.poin, 0, "RIGHT"),
                (line.capaian, 1, "RIGHT"),
                (line.pagu, 0, "RIGHT"),
                (line.produktivitas, 0, "RIGHT"),
                (line.disiplin, 0, "RIGHT"),
                (line.potongan, 0, "RIGHT"),
                (line.diterima, 0, "RIGHT"),
            ):
                row.cell(pdf.t(fmt_number(value, digits)), align=align)
            for i, value in enumerate(
                (
                    line.pagu,
                    line.produktivitas,
                    line.disiplin,
                    line.potongan,
                    line.diterima,
                    line.poin,
                )
            ):
                totals[i] += value or 0
        row = table.row()
        row.cell(pdf.t("JUMLAH"), colspan=3)
        row.cell(pdf.t(fmt_number(totals[5], 0)), align="RIGHT")
        row.cell("")
        for value in totals[:5]:
            row.cell(pdf.t(fmt_number(value, 0)), align="RIGHT")
    for note in doc.catatan:
        pdf.paragraph(note, size=7.5)
    return pdf.bytes()
