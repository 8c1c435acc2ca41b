"""Any CSV or XLSX file with a saved column mapping (a :class:`SyncMapping` row).

The mapping says which header feeds which of our fields (``{"nip": "NIP Baru", "nama":
"Nama Lengkap", …}``); headers are compared case-insensitively. In an XLSX the header row is
looked for in the first 20 rows of the first sheet (exports often start with a title block).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from skp_app.sync.adapters.base import (
    NormalizedPegawai,
    RecordError,
    SourceAdapter,
    SyncSourceError,
)
from skp_app.sync.adapters.mapping import RecordBuilder, provided_fields, validate_mapping
from skp_app.sync.adapters.siasn_csv import rows_to_records
from skp_app.sync.adapters.textfile import header_key, open_text_table

__all__ = ["TabularAdapter", "is_xlsx"]

HEADER_SEARCH_ROWS = 20


def is_xlsx(path: str | Path) -> bool:
    """Return whether the file is a real XLSX workbook (by content, not by its name)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError):
        return False
    return "[Content_Types].xml" in names and "xl/workbook.xml" in names


def _names(value) -> list[str]:
    return value if isinstance(value, list) else [value]


def _jsonable_cell(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class TabularAdapter(SourceAdapter):
    """A CSV/XLSX file read through a saved column mapping."""

    source = "tabular"
    label = "Tabel (CSV/XLSX) dengan pemetaan kolom"

    def __init__(
        self,
        path: str | Path,
        mapping: dict,
        *,
        external_source: str = "tabular",
        mapping_name: str = "",
    ):
        super().__init__()
        errors = validate_mapping(mapping)
        if errors:
            raise SyncSourceError(" ".join(errors))
        self.path = Path(path)
        self.mapping_name = mapping_name
        self.external_source = external_source or "tabular"
        self.xlsx = is_xlsx(self.path)
        if self.xlsx:
            self._keys, self._header_row = self._xlsx_header(mapping)
        else:
            self.table = open_text_table(self.path)
            self.warnings.extend(self.table.warnings)
            self._keys = [header_key(h) for h in self.table.header]
            self._header_row = 1
            self.total = self.table.estimate_rows()
        present = set(self._keys)
        # Our field -> the header key(s) present in this file.
        self.mapping: dict[str, str | list[str]] = {}
        missing = []
        for field, names in mapping.items():
            found = [header_key(n) for n in _names(names) if header_key(n) in present]
            if found:
                self.mapping[field] = found if len(found) > 1 else found[0]
            elif names:
                missing.append(f"{field} ← '{', '.join(_names(names))}'")
        for required in ("nip", "nama"):
            if required not in self.mapping:
                raise SyncSourceError(
                    "Kolom yang dipetakan tidak ditemukan di berkas: " + "; ".join(missing) + "."
                )
        if missing:
            self.warnings.append(
                "Kolom yang dipetakan tetapi tidak ada di berkas (diabaikan): "
                + "; ".join(missing)
                + "."
            )
        self.fields = provided_fields(self.mapping)
        self.units_from_records = "unit_id" in self.mapping and "unit_nama" in self.mapping
        self.unit_keys_are_siasn = True

    # --- XLSX ---------------------------------------------------------------------------------

    def _workbook(self):
        from openpyxl import load_workbook

        try:
            return load_workbook(self.path, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 — any parse failure means "not a usable XLSX"
            raise SyncSourceError(f"Berkas XLSX tidak dapat dibaca: {exc}") from None

    def _xlsx_header(self, mapping: dict) -> tuple[list[str], int]:
        wanted = {header_key(n) for n in _names(mapping.get("nip", []))}
        wb = self._workbook()
        try:
            ws = wb.worksheets[0]
            for number, row in enumerate(
                ws.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), start=1
            ):
                keys = [header_key(str(c)) if c is not None else "" for c in row]
                if wanted & set(keys):
                    return keys, number
        finally:
            wb.close()
        raise SyncSourceError(
            f"Judul kolom NIP ('{', '.join(_names(mapping.get('nip', [])))}') tidak ditemukan "
            f"pada {HEADER_SEARCH_ROWS} baris pertama lembar kerja."
        )

    def _xlsx_rows(self, start: int = 0) -> Iterator[tuple[int, list]]:
        wb = self._workbook()
        try:
            ws = wb.worksheets[0]
            index = 0
            for number, row in enumerate(
                ws.iter_rows(min_row=self._header_row + 1, values_only=True),
                start=self._header_row + 1,
            ):
                if not any(c not in (None, "") and str(c).strip() for c in row):
                    continue
                index += 1
                if index <= start:
                    continue
                yield number, list(row)
        finally:
            wb.close()

    # --- records ------------------------------------------------------------------------------

    def iter_records(self, start: int = 0) -> Iterator[NormalizedPegawai | RecordError]:
        if not self.xlsx:
            index = {k: i for i, k in reversed(list(enumerate(self._keys))) if k}
            yield from rows_to_records(self.table, self.mapping, index, self._keys, start)
            return
        keys = self._keys
        builder = RecordBuilder(self.mapping)
        for number, cells in self._xlsx_rows(start):
            values = dict(zip(keys, cells, strict=False))
            raw = {k: _jsonable_cell(v) for k, v in values.items() if k and v not in (None, "")}
            yield builder.build(number, f"baris {number}", raw, get=values.get)

    def _all_rows(self):
        if self.xlsx:
            yield from self._xlsx_rows()
        else:
            yield from self.table.rows()

    def reread(self, row_numbers: set[int]) -> dict[int, dict]:
        out: dict[int, dict] = {}
        if not row_numbers:
            return out
        last = max(row_numbers)
        for number, cells in self._all_rows():
            if number in row_numbers:
                out[number] = {
                    k: _jsonable_cell(v)
                    for k, v in zip(self._keys, cells, strict=False)
                    if k and v not in (None, "")
                }
            if number >= last:
                break
        return out
