"""XLSX files of the planning domain (openpyxl): the goals template, import parsing and exports.

Goals workbook (sheet "Sasaran"; one row per indicator, a goal without indicator takes one row;
header names are matched case-insensitively, column order is free):

=====================  ==========================================================================
kode                   Wajib. Kode unik sasaran dalam berkas (mis. ``1``, ``1.2``, ``1.2.3``).
                       Baris dengan kode sama = indikator lain dari sasaran yang sama.
jenis                  Wajib. RPJMD: ``visi``/``misi``/``tujuan``/``sasaran``; OPD: ``tujuan``/
                       ``sasaran``.
kode_induk             Kode induk (misi → visi, tujuan → misi, sasaran → tujuan), di berkas atau
                       yang sudah tersimpan. Kosong untuk tingkat teratas.
uraian                 Wajib. Uraian tujuan/sasaran (sama pada setiap baris kode yang sama).
kode_sasaran_rpjmd     Hanya berkas OPD; wajib untuk jenis ``sasaran``: kode tujuan/sasaran RPJMD
                       yang didukung.
indikator              Uraian indikator (IKU untuk RPJMD). Kosong bila sasaran tanpa indikator.
satuan                 Wajib bila indikator diisi (Persen, Dokumen, Indeks …).
iku                    ``Ya``/``Tidak`` (kosong = Tidak): indikator kinerja utama.
semakin_kecil_semakin_baik  ``Ya``/``Tidak`` (kosong = Tidak), mis. angka kemiskinan.
target_<tahun>         Satu kolom per tahun (mis. ``target_2025`` … ``target_2029``); rentang tahun
                       sasaran = tahun terkecil s.d. terbesar. Isi angka (``75``, ``97,5``) atau
                       rentang (``70 - 80``).
=====================  ==========================================================================

All text cells written by this module go through :func:`safe_cell`, which neutralises
spreadsheet formula injection.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from skp_app.planning.berakhlak import BERAKHLAK
from skp_app.planning.models import ASPEK, LAMPIRAN_BAGIAN, PERSPEKTIF, SASARAN_JENIS, Skp
from skp_app.planning.operations import format_angka

__all__ = [
    "GOAL_COLUMNS",
    "GoalSheet",
    "export_goals",
    "export_skp",
    "export_skp_list",
    "goals_template",
    "identity_block",
    "target_text",
    "parse_goals_workbook",
    "safe_cell",
]

GOAL_COLUMNS: dict[str, str] = {
    "kode": "Wajib. Kode unik sasaran dalam berkas (mis. 1, 1.2, 1.2.3). Baris dengan kode sama "
    "adalah indikator lain dari sasaran yang sama.",
    "jenis": "Wajib. RPJMD: visi/misi/tujuan/sasaran. OPD: tujuan/sasaran.",
    "kode_induk": "Kode induk (misi→visi, tujuan→misi, sasaran→tujuan), di berkas ini atau yang "
    "sudah tersimpan. Kosongkan untuk tingkat teratas.",
    "uraian": "Wajib. Uraian visi/misi/tujuan/sasaran (sama pada setiap baris berkode sama).",
    "kode_sasaran_rpjmd": "Hanya berkas OPD; wajib untuk jenis sasaran: kode tujuan/sasaran "
    "RPJMD yang didukung.",
    "indikator": "Uraian indikator (IKU untuk RPJMD). Kosongkan bila tanpa indikator.",
    "satuan": "Wajib bila indikator diisi (Persen, Dokumen, Indeks, …).",
    "iku": "Ya/Tidak (kosong = Tidak): indikator kinerja utama.",
    "semakin_kecil_semakin_baik": "Ya/Tidak (kosong = Tidak), mis. angka kemiskinan.",
    "target_<tahun>": "Satu kolom per tahun (target_2025 … target_2029). Rentang tahun sasaran = "
    "tahun terkecil s.d. terbesar. Isi angka (75 atau 97,5) atau rentang (70 - 80).",
}
_FORMULA_PREFIX = ("=", "+", "-", "@", "\t", "\r")
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
_BOLD = Font(bold=True)
_THIN = Side(style="thin", color="888888")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
MAX_IMPORT_ROWS = 5000


def safe_cell(value):
    """Return ``value`` safe to put in a cell: text starting with = + - @ gets a leading quote.

    >>> safe_cell("=HYPERLINK(\\"http://x\\")"), safe_cell("-5 hari"), safe_cell(12)
    ('\\'=HYPERLINK("http://x")', "'-5 hari", 12)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIX):
        return "'" + value
    return value


def _to_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _header(ws, row: int, names: list[str]) -> None:
    for col, name in enumerate(names, start=1):
        cell = ws.cell(row=row, column=col, value=safe_cell(name))
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.border = _BOX
        cell.alignment = _WRAP


def _put(ws, row: int, col: int, value, *, wrap: bool = True, text: bool = False):
    cell = ws.cell(row=row, column=col, value=safe_cell(value))
    cell.border = _BOX
    if wrap:
        cell.alignment = _WRAP
    if text:
        cell.number_format = "@"
    return cell


def _widths(ws, widths: list[int]) -> None:
    for n, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(n)].width = w


# --- goals -----------------------------------------------------------------------------------


def _goal_headers(level: str, years: list[int]) -> list[str]:
    names = ["kode", "jenis", "kode_induk", "uraian"]
    if level == "opd":
        names.append("kode_sasaran_rpjmd")
    names += ["indikator", "satuan", "iku", "semakin_kecil_semakin_baik"]
    return names + [f"target_{y}" for y in years]


def _petunjuk(wb: Workbook, level: str) -> None:
    ws = wb.create_sheet("Petunjuk")
    title = "Templat sasaran RPJMD" if level == "regent" else "Templat sasaran OPD (Renstra/PK)"
    ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=13)
    ws.cell(
        row=2,
        column=1,
        value='Isi lembar "Sasaran": satu baris per indikator. Baris 1 '
        "adalah nama kolom (jangan diubah).",
    )
    _header(ws, 4, ["Kolom", "Isi"])
    r = 5
    for name, text in GOAL_COLUMNS.items():
        if level == "regent" and name == "kode_sasaran_rpjmd":
            continue
        _put(ws, r, 1, name)
        _put(ws, r, 2, text)
        r += 1
    _widths(ws, [30, 100])


def goals_template(level: str, tahun_awal: int, tahun_akhir: int) -> bytes:
    """Return an empty goals workbook with the header row and an instructions sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Sasaran"
    years = list(range(tahun_awal, tahun_akhir + 1))
    _header(ws, 1, _goal_headers(level, years))
    example = (
        [
            ["1", "visi", "", "Terwujudnya masyarakat yang sejahtera", "", "", "", ""],
            ["1.1", "misi", "1", "Meningkatkan kualitas sumber daya manusia", "", "", "", ""],
            ["1.1.1", "tujuan", "1.1", "Meningkatnya derajat kesehatan masyarakat", "", "", "", ""],
            [
                "1.1.1.1",
                "sasaran",
                "1.1.1",
                "Meningkatnya kualitas layanan kesehatan",
                "Indeks Kepuasan Masyarakat layanan kesehatan",
                "Indeks",
                "Ya",
                "Tidak",
            ],
        ]
        if level == "regent"
        else [
            ["T1", "tujuan", "", "Meningkatnya derajat kesehatan masyarakat", "", "", "", "", ""],
            [
                "S1",
                "sasaran",
                "T1",
                "Meningkatnya mutu layanan puskesmas",
                "1.1.1.1",
                "Persentase puskesmas terakreditasi paripurna",
                "Persen",
                "Ya",
                "Tidak",
            ],
        ]
    )
    for r, values in enumerate(example, start=2):
        for c, v in enumerate(values, start=1):
            _put(ws, r, c, v or None, text=True)
    _widths(
        ws,
        [10, 10, 12, 50] + ([14] if level == "opd" else []) + [50, 12, 6, 12] + [12] * len(years),
    )
    ws.freeze_panes = "A2"
    _petunjuk(wb, level)
    return _to_bytes(wb)


def export_goals(session: Session, level: str, opd_id: int | None = None) -> bytes:
    """Return the stored goals of one level (one OPD) in the import format."""
    from skp_app.planning.queries import goals_tree

    tree = goals_tree(session, level, opd_id)
    years = sorted({y for s, _ in tree for y in range(s.tahun_awal, s.tahun_akhir + 1)})
    wb = Workbook()
    ws = wb.active
    ws.title = "Sasaran"
    headers = _goal_headers(level, years)
    _header(ws, 1, headers)
    ids = {s.id: s for s, _ in tree}
    r = 2
    for s, _depth in tree:
        parent = ids.get(s.parent_id)
        base = {
            "kode": s.kode or f"ID{s.id}",
            "jenis": s.jenis,
            "kode_induk": (parent.kode or f"ID{parent.id}") if parent else "",
            "uraian": s.teks,
            "kode_sasaran_rpjmd": s.supports.kode if s.supports is not None else "",
        }
        indikator = list(s.indikator) or [None]
        for ind in indikator:
            values = dict(base)
            if ind is not None:
                values.update(
                    indikator=ind.teks,
                    satuan=ind.satuan,
                    iku="Ya" if ind.is_iku else "Tidak",
                    semakin_kecil_semakin_baik="Ya" if ind.lower_is_better else "Tidak",
                )
                for t in ind.targets:
                    if t.target is None:
                        continue
                    values[f"target_{t.tahun}"] = (
                        f"{format_angka(t.target)} - {format_angka(t.target_max)}"
                        if t.target_max is not None
                        else float(t.target)
                    )
            for c, name in enumerate(headers, start=1):
                v = values.get(name)
                _put(
                    ws,
                    r,
                    c,
                    v if v not in ("", None) else None,
                    text=name in ("kode", "kode_induk", "kode_sasaran_rpjmd"),
                )
            r += 1
    _widths(
        ws,
        [10, 10, 12, 50] + ([14] if level == "opd" else []) + [50, 12, 6, 12] + [12] * len(years),
    )
    ws.freeze_panes = "A2"
    _petunjuk(wb, level)
    return _to_bytes(wb)


@dataclass
class GoalSheet:
    """A parsed goals sheet: ``rows`` are dicts of header → cell value plus ``_row``."""

    rows: list[dict] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, message)


def _norm_header(value) -> str:
    text = str(value or "").strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def parse_goals_workbook(stream) -> GoalSheet:
    """Read the "Sasaran" sheet (or the first sheet) of an uploaded goals workbook."""
    out = GoalSheet()
    try:
        wb = load_workbook(stream, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable upload is the same user error
        out.errors.append((0, "-", "Berkas bukan XLSX yang valid. Unduh templat lalu isi ulang."))
        return out
    ws = wb["Sasaran"] if "Sasaran" in wb.sheetnames else wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if not header:
        out.errors.append((1, "-", 'Lembar "Sasaran" kosong; baris 1 harus berisi nama kolom.'))
        return out
    names = [_norm_header(h) for h in header]
    for required in ("kode", "jenis", "uraian"):
        if required not in names:
            out.errors.append((1, required, f'Kolom "{required}" tidak ada di baris 1.'))
    for n in names:
        m = re.fullmatch(r"target_(\d{4})", n)
        if m:
            out.years.append(int(m.group(1)))
    if not out.years:
        out.errors.append(
            (
                1,
                "target_<tahun>",
                "Berkas harus memuat minimal satu kolom target_<tahun>, mis. target_2025.",
            )
        )
    if out.errors:
        return out
    for number, values in enumerate(rows, start=2):
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        if len(out.rows) >= MAX_IMPORT_ROWS:
            out.errors.append((number, "-", f"Berkas melebihi {MAX_IMPORT_ROWS} baris."))
            break
        row = {"_row": number}
        for name, v in zip(names, values, strict=False):
            if not name:
                continue
            if isinstance(v, float) and v.is_integer() and not name.startswith("target_"):
                v = int(v)
            if isinstance(v, float):
                v = Decimal(str(v))
            row[name] = v.strip() if isinstance(v, str) else v
        out.rows.append(row)
    wb.close()
    return out


# --- SKP exports -----------------------------------------------------------------------------


def target_text(iki) -> str:
    """Return an IKI target as printed: ``2 Dokumen``, ``80 – 90 Persen`` or the text target."""
    if iki.target is None:
        return iki.target_teks or ""
    text = format_angka(iki.target)
    if iki.target_max is not None:
        text = f"{text} – {format_angka(iki.target_max)}"
    return f"{text} {iki.satuan}".strip()


def identity_block(skp: Skp, who: str) -> dict:
    """Return the header block of ``who`` (pegawai/penilai/atasan_penilai): the approval
    snapshot when there is one, else the live data."""
    snap = getattr(skp, f"{who}_snapshot")
    if snap:
        return snap
    person = {"pegawai": skp.pegawai, "penilai": skp.penilai, "atasan_penilai": skp.atasan_penilai}[
        who
    ]
    if person is None:
        return {}
    return {
        "nama": person.nama_lengkap,
        "nip": person.nip,
        "pangkat": person.pangkat_golongan,
        "jabatan": person.jabatan.nama if person.jabatan else "",
        "unit": person.unit.nama if person.unit else "",
    }


def export_skp(skp: Skp, instansi: str = "") -> bytes:
    """Return one SKP as a workbook: sheet SKP (header + RHK/IKI), Perilaku, Lampiran."""
    wb = Workbook()
    ws = wb.active
    ws.title = "SKP"
    title = (
        "SASARAN KINERJA PEGAWAI — PEJABAT PIMPINAN TINGGI"
        if skp.is_jpt
        else "SASARAN KINERJA PEGAWAI"
    )
    ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=13)
    ws.cell(
        row=2,
        column=1,
        value=f"PENDEKATAN HASIL KERJA {skp.pendekatan.upper()}"
        + ("" if skp.is_jpt else " — BAGI PEJABAT ADMINISTRASI DAN PEJABAT FUNGSIONAL"),
    )
    ws.cell(row=3, column=1, value=safe_cell(instansi.upper()) if instansi else None)
    ws.cell(
        row=4,
        column=1,
        value=f"PERIODE PENILAIAN: {skp.tanggal_mulai:%d-%m-%Y} s.d. "
        f"{skp.tanggal_selesai:%d-%m-%Y}",
    )
    ws.cell(row=5, column=1, value=f"Status: {skp.status_label} · versi {skp.version}")
    r = 7
    _header(ws, r, ["NO", "PEGAWAI YANG DINILAI", "", "NO", "PEJABAT PENILAI KINERJA", ""])
    me, pp = identity_block(skp, "pegawai"), identity_block(skp, "penilai")
    labels = [
        ("NAMA", "nama"),
        ("NIP", "nip"),
        ("PANGKAT/GOL RUANG", "pangkat"),
        ("JABATAN", "jabatan"),
        ("UNIT KERJA", "unit"),
    ]
    for n, (label, key) in enumerate(labels, start=1):
        r += 1
        _put(ws, r, 1, n)
        _put(ws, r, 2, label)
        _put(ws, r, 3, me.get(key) or "", text=key == "nip")
        _put(ws, r, 4, n)
        _put(ws, r, 5, "INSTANSI" if skp.is_jpt and key == "unit" else label)
        value = pp.get("instansi") if skp.is_jpt and key == "unit" else pp.get(key)
        _put(ws, r, 6, value or "", text=key == "nip")
    r += 2
    if skp.is_jpt:
        _header(
            ws,
            r,
            [
                "NO",
                "RENCANA HASIL KERJA",
                "INDIKATOR KINERJA INDIVIDU",
                "TARGET",
                "PERSPEKTIF",
                "SASARAN PK",
            ],
        )
    else:
        _header(
            ws,
            r,
            [
                "NO",
                "RENCANA HASIL KERJA PIMPINAN YANG DIINTERVENSI",
                "RENCANA HASIL KERJA",
                "ASPEK",
                "INDIKATOR KINERJA INDIVIDU",
                "TARGET",
            ],
        )
    for jenis, group in (("utama", "A. UTAMA"), ("tambahan", "B. TAMBAHAN")):
        r += 1
        ws.cell(row=r, column=1, value=group).font = _BOLD
        rhks = [x for x in skp.rhk if x.jenis == jenis]
        for n, rhk in enumerate(rhks, start=1):
            ikis = list(rhk.iki) or [None]
            for k, iki in enumerate(ikis):
                r += 1
                _put(ws, r, 1, n if k == 0 else None)
                if skp.is_jpt:
                    _put(ws, r, 2, rhk.teks if k == 0 else None)
                    _put(ws, r, 3, iki.teks if iki else "")
                    _put(ws, r, 4, target_text(iki) if iki else "")
                    _put(ws, r, 5, PERSPEKTIF.get(rhk.perspektif or "", "") if k == 0 else None)
                    _put(
                        ws, r, 6, rhk.parent_sasaran.teks if k == 0 and rhk.parent_sasaran else None
                    )
                else:
                    parent = rhk.parent_rhk.teks if rhk.parent_rhk is not None else ""
                    _put(ws, r, 2, parent if k == 0 else None)
                    _put(ws, r, 3, rhk.teks if k == 0 else None)
                    _put(ws, r, 4, ASPEK.get(iki.aspek, "") if iki else "")
                    _put(ws, r, 5, iki.teks if iki else "")
                    _put(ws, r, 6, target_text(iki) if iki else "")
        if not rhks:
            r += 1
            _put(ws, r, 2, "-")
    _widths(ws, [6, 40, 40, 14, 40, 20])

    wp = wb.create_sheet("Perilaku")
    _header(wp, 1, ["NO", "PERILAKU KERJA", "PANDUAN PERILAKU", "EKSPEKTASI KHUSUS PIMPINAN"])
    exp = {p.nilai_kode: p.ekspektasi_khusus for p in skp.perilaku}
    for n, v in enumerate(BERAKHLAK, start=1):
        _put(wp, n + 1, 1, n)
        _put(wp, n + 1, 2, v.nama)
        _put(wp, n + 1, 3, "\n".join(f"- {b}" for b in v.perilaku))
        _put(wp, n + 1, 4, exp.get(v.kode, "") or "")
    _widths(wp, [6, 26, 70, 50])

    wl = wb.create_sheet("Lampiran")
    _header(wl, 1, ["BAGIAN", "NO", "URAIAN"])
    r = 1
    for bagian, label in LAMPIRAN_BAGIAN.items():
        items = [lp for lp in skp.lampiran if lp.bagian == bagian]
        for n, lp in enumerate(items, start=1):
            r += 1
            _put(wl, r, 1, label)
            _put(wl, r, 2, n)
            _put(wl, r, 3, lp.teks)
    _widths(wl, [28, 6, 90])
    return _to_bytes(wb)


def export_skp_list(rows, *, opd_nama: str, tahun: int) -> bytes:
    """Return the OPD SKP monitoring list (board rows) as a workbook (streamed, write-only)."""
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("SKP OPD")
    for n, w in enumerate([6, 22, 36, 36, 36, 16, 36, 20], start=1):
        ws.column_dimensions[get_column_letter(n)].width = w
    ws.freeze_panes = "A4"
    title = WriteOnlyCell(ws, value=safe_cell(f"Monitoring pengisian SKP {tahun} — {opd_nama}"))
    title.font = Font(bold=True, size=13)
    ws.append([title])
    ws.append([])
    header = []
    for name in (
        "NO",
        "NIP",
        "NAMA",
        "JABATAN",
        "UNIT KERJA",
        "STATUS SKP",
        "PEJABAT PENILAI",
        "TERAKHIR DIUBAH (UTC)",
    ):
        cell = WriteOnlyCell(ws, value=name)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        header.append(cell)
    ws.append(header)
    for n, row in enumerate(rows, start=1):
        nip = WriteOnlyCell(ws, value=row.nip or "")
        nip.number_format = "@"
        ws.append(
            [
                n,
                nip,
                safe_cell(row.nama),
                safe_cell(row.jabatan),
                safe_cell(row.unit),
                row.status_label,
                safe_cell(row.penilai),
                row.updated_at.strftime("%Y-%m-%d %H:%M") if row.updated_at else "",
            ]
        )
    return _to_bytes(wb)


def goal_sheet_jenis_label(jenis: str) -> str:
    return SASARAN_JENIS.get(jenis, jenis)
