"""XLSX exports of the dashboard tables (openpyxl, write-only for large lists).

Every text cell goes through :func:`skp_app.realization.tpp.formula_safe`, so a name such as
``=HYPERLINK(...)`` arrives in the spreadsheet as text, never as a formula (OWASP CSV/formula
injection), and characters that XLSX cannot store are removed. The first sheet holds the table
with its header on row 1 (easy to re-import); an "Keterangan" sheet explains scope and method.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from skp_app.realization.tpp import formula_safe

__all__ = ["XLSX_MIME", "Sheet", "safe_value", "sheet_title", "write_xlsx", "xlsx_bytes"]

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="0F2F52")


@dataclass
class Sheet:
    """One worksheet: a title, column headers and rows of plain values."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[int] | None = None
    notes: Sequence[str] = field(default_factory=tuple)
    # Pages only: a URL per row for its first cell (ignored in the workbook).
    links: Sequence[str | None] | None = None


def safe_value(value: Any) -> Any:
    """Return a value openpyxl can store that a spreadsheet will never run as a formula.

    Examples
    --------
    >>> safe_value("=1+1"), safe_value("Budi\\x07"), safe_value(True), safe_value(Decimal("1.5"))
    ("'=1+1", 'Budi', 'Ya', Decimal('1.5'))
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return value
    text = _ILLEGAL.sub("", str(value))
    return formula_safe(text)


def sheet_title(text: str) -> str:
    """Return a valid worksheet title (31 characters, without ``[]:*?/\\``).

    Examples
    --------
    >>> sheet_title("Beban kerja: unit/bidang [2026]")
    'Beban kerja unitbidang 2026'
    """
    clean = " ".join(_TITLE_BAD.sub("", text or "").split())
    return (clean or "Data")[:31]


def _header_cell(ws, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=safe_value(text))
    cell.font = _HEADER_FONT
    cell.fill = _HEADER_FILL
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def write_xlsx(
    target: Any,
    sheets: Sequence[Sheet],
    *,
    notes: Sequence[str] = (),
    progress: Callable[[int], None] | None = None,
    every: int = 2000,
) -> int:
    """Write ``sheets`` (and an optional "Keterangan" sheet with ``notes``) as XLSX to
    ``target`` (a path or a binary file) and return the number of data rows written.

    The workbook is write-only: openpyxl streams each row to a temporary file, so memory does
    not grow with the row count. ``progress(rows_done)`` is called every ``every`` rows.
    """
    wb = Workbook(write_only=True)
    used: set[str] = set()
    done = 0
    for sheet in sheets:
        title = sheet_title(sheet.title)
        base, n = title, 2
        while title.lower() in used:
            suffix = f" ({n})"
            title = base[: 31 - len(suffix)] + suffix
            n += 1
        used.add(title.lower())
        ws = wb.create_sheet(title)
        widths = list(sheet.widths or [])
        for i, header in enumerate(sheet.headers):
            width = widths[i] if i < len(widths) else max(12, min(len(str(header)) + 4, 40))
            ws.column_dimensions[get_column_letter(i + 1)].width = width
        ws.freeze_panes = "A2"
        ws.append([_header_cell(ws, h) for h in sheet.headers])
        for row in sheet.rows:
            ws.append([safe_value(v) for v in row])
            done += 1
            if progress is not None and done % every == 0:
                progress(done)
        all_notes = list(sheet.notes)
        if all_notes:
            ws.append([])
            for note in all_notes:
                ws.append([safe_value(note)])
    if notes:
        ws = wb.create_sheet("Keterangan")
        ws.column_dimensions["A"].width = 120
        for note in notes:
            ws.append([safe_value(note)])
    wb.save(target)
    return done


def xlsx_bytes(sheets: Sequence[Sheet], *, notes: Sequence[str] = ()) -> bytes:
    """Write ``sheets`` (and an optional "Keterangan" sheet with ``notes``) to XLSX bytes.

    Examples
    --------
    >>> from openpyxl import load_workbook
    >>> data = xlsx_bytes([Sheet("Pegawai", ["Nama"], [["=cmd()"]])])
    >>> load_workbook(io.BytesIO(data))["Pegawai"]["A2"].value
    "'=cmd()"
    """
    out = io.BytesIO()
    write_xlsx(out, sheets, notes=notes)
    return out.getvalue()
