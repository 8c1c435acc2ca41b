"""XLSX downloads of a sync plan: summary, changes and quarantine, safe against formula injection.

Every text cell that a spreadsheet would read as a formula (it starts with ``=``, ``+``, ``-``,
``@``, a tab or a line break) is written with a leading apostrophe, and every value is written
as text, so a hostile name or NIP in a source file cannot run in HR's spreadsheet.
"""

from __future__ import annotations

import io
import json

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from skp_app.sync.models import CHANGE_KIND, ENTITY, QuarantinedRecord, SyncChange, SyncRun

__all__ = ["plan_workbook", "safe_text"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d")
_COUNT_LABELS = {
    "records": "Data dibaca",
    "new": "Pegawai baru",
    "changed": "Pegawai berubah",
    "leaving": "Keluar dari dinas aktif",
    "unchanged": "Tidak berubah",
    "not_in_source": "Tidak ada di sumber",
    "invalid": "Dikarantina",
    "missing": "NIP tidak dikenal sumber",
    "units_new": "Unit baru",
    "units_changed": "Unit berubah",
    "positions_new": "Jabatan baru",
    "positions_changed": "Jabatan berubah",
}


def safe_text(value) -> str:
    """Return ``value`` as cell text that no spreadsheet evaluates.

    >>> safe_text("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> safe_text("198602162008031001")
    '198602162008031001'
    """
    if value is None:
        return ""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, default=str)
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _row(ws, values, bold: bool = False):
    cells = []
    for v in values:
        cell = WriteOnlyCell(ws, value=safe_text(v))
        cell.number_format = "@"
        if bold:
            cell.font = Font(bold=True)
        cells.append(cell)
    ws.append(cells)


def _diff_text(diff: dict) -> str:
    parts = []
    for field, pair in (diff or {}).items():
        old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        parts.append(
            f"{field}: {old if old not in (None, '') else '-'} → "
            f"{new if new not in (None, '') else '-'}"
        )
    return "; ".join(parts)


def plan_workbook(session: Session, run: SyncRun) -> bytes:
    """Return the XLSX of a run: summary, every change with its diff, and the quarantine."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Ringkasan")
    _row(ws, ["Sinkronisasi", f"#{run.id}"], bold=True)
    _row(ws, ["Sumber", run.source])
    _row(ws, ["Berkas", run.file_name or "-"])
    _row(ws, ["Status", run.status_label])
    _row(ws, ["Ekspor lengkap", "ya" if run.full_export else "tidak (sebagian)"])
    for key, label in _COUNT_LABELS.items():
        _row(ws, [label, (run.counts or {}).get(key, 0)])
    for w in run.warnings or []:
        _row(ws, ["Catatan", w])

    ws = wb.create_sheet("Perubahan")
    _row(
        ws,
        ["Jenis data", "Jenis perubahan", "Baris", "NIP", "Nama", "Perubahan", "Diterapkan"],
        bold=True,
    )
    stmt = (
        select(SyncChange)
        .where(SyncChange.run_id == run.id)
        .order_by(SyncChange.entity.desc(), SyncChange.row_number, SyncChange.id)
        .execution_options(yield_per=1000)
    )
    for c in session.scalars(stmt):
        _row(
            ws,
            [
                ENTITY.get(c.entity, c.entity),
                CHANGE_KIND.get(c.kind, c.kind),
                c.row_number or "",
                c.nip or "",
                c.label,
                _diff_text(c.display_diff),
                when.isoformat(sep=" ", timespec="seconds")
                if (when := run.change_applied_at(c))
                else "",
            ],
        )

    ws = wb.create_sheet("Karantina")
    _row(
        ws,
        ["Baris", "Kunci sumber", "NIP", "Nama", "Kode alasan", "Alasan", "Data sumber"],
        bold=True,
    )
    stmt = (
        select(QuarantinedRecord)
        .where(QuarantinedRecord.run_id == run.id)
        .order_by(QuarantinedRecord.row_number, QuarantinedRecord.id)
        .execution_options(yield_per=1000)
    )
    for q in session.scalars(stmt):
        raw = {k: v for k, v in (q.raw or {}).items() if v not in (None, "")}
        _row(ws, [q.row_number or "", q.source_key, q.nip, q.nama, q.reason_code, q.message, raw])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
