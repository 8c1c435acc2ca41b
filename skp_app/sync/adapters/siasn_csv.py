"""SIASN "Export Data ASN" CSV (domain.md §6.6): semicolon or comma, UTF-8 with or without BOM.

Units come from the rows themselves (``unor_id``/``unor_nama``, with the satuan kerja as the
unit above when it differs from the instansi); positions from ``jabatan_nama`` and
``jenis_jabatan_id``. NIPs are read as text: a NIP that a spreadsheet turned into
``1.98602E+17`` is quarantined with the NIP message.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from skp_app.sync.adapters.base import (
    FINGERPRINT_VERSION,
    LazyRecord,
    NormalizedPegawai,
    RecordError,
    RowRaw,
    SourceAdapter,
    SyncSourceError,
    clean,
    prefixed_digest,
    raw_dict,
)
from skp_app.sync.adapters.mapping import SIASN_CSV_MAPPING, RecordBuilder, provided_fields
from skp_app.sync.adapters.textfile import TextTable, header_key, open_text_table

__all__ = ["SiasnCsvAdapter", "rows_to_records"]

REQUIRED_COLUMNS = ("nip_baru", "nama", "unor_id")


def _names(value) -> list[str]:
    return value if isinstance(value, list) else [value]


def rows_to_records(
    table: TextTable,
    mapping: dict,
    index: dict[str, int],
    keys: list[str],
    start: int = 0,
    *,
    fingerprint: str | None = None,
) -> Iterator[NormalizedPegawai | LazyRecord | RecordError]:
    """Turn the data rows of a delimited table into records, refusing short or long rows.

    With ``fingerprint`` (a text naming the source, its header and mapping) well-formed rows
    are yielded as :class:`LazyRecord` carrying a fingerprint of the row.
    """
    ncols = len(keys)
    nip_names = _names(mapping.get("nip", []))
    nama_names = _names(mapping.get("nama", []))
    builder = RecordBuilder(mapping, index)
    nip_index = next((index[n] for n in nip_names if n in index), None)
    if nip_index is None:
        fingerprint = None
    row_digest = prefixed_digest(fingerprint) if fingerprint is not None else None

    for number, cells in table.rows(start):
        if len(cells) != ncols:
            raw = {k: v for k, v in zip(keys, cells, strict=False) if k}
            extra = cells[ncols:]
            if len(cells) > ncols and not any(c.strip() for c in extra):
                cells = cells[:ncols]
            else:
                nip = next((raw.get(n, "") for n in nip_names if raw.get(n)), "")
                nama = next((raw.get(n, "") for n in nama_names if raw.get(n)), "")
                if len(cells) < ncols:
                    message = (
                        f"Baris {number} hanya berisi {len(cells)} dari {ncols} kolom; berkas "
                        "mungkin terpotong atau ada baris baru di dalam isian."
                    )
                else:
                    raw["_kolom_lebih"] = extra
                    message = (
                        f"Baris {number} berisi {len(cells)} kolom, lebih banyak dari {ncols} "
                        "judul kolom; mungkin ada pemisah di dalam isian tanpa tanda kutip."
                    )
                yield RecordError(
                    number,
                    f"baris {number}",
                    raw,
                    "row_malformed",
                    message,
                    nip=nip[:40],
                    nama=nama[:200],
                )
                continue
        if row_digest is not None:
            yield LazyRecord(
                number, keys, cells, builder, row_digest("\x1f".join(cells)), nip_index
            )
            continue
        yield builder.build(number, f"baris {number}", RowRaw(keys, cells), cells)


class SiasnCsvAdapter(SourceAdapter):
    """The SIASN bulk export file."""

    source = "siasn-csv"
    label = "SIASN — berkas Ekspor Data ASN (CSV)"
    external_source = "siasn"
    units_from_records = True
    unit_keys_are_siasn = True
    fingerprints = True

    def __init__(self, path: str | Path):
        super().__init__()
        self.table = open_text_table(path)
        self.warnings.extend(self.table.warnings)
        self.keys = [header_key(h) for h in self.table.header]
        self.index: dict[str, int] = {}
        for i, k in enumerate(self.keys):
            if k and k not in self.index:
                self.index[k] = i
        missing = [c for c in REQUIRED_COLUMNS if c not in self.index]
        if missing:
            raise SyncSourceError(
                "Bukan berkas Ekspor Data ASN SIASN: kolom wajib tidak ada: "
                + ", ".join(missing)
                + f". Pemisah terbaca: '{self.table.delimiter}'."
            )
        self.mapping = {
            field: names
            for field, names in SIASN_CSV_MAPPING.items()
            if any(n in self.index for n in _names(names))
        }
        self.fields = provided_fields(self.mapping)
        self.total = self.table.estimate_rows()

    def iter_records(
        self, start: int = 0, *, lazy: bool = False
    ) -> Iterator[NormalizedPegawai | LazyRecord | RecordError]:
        """Yield the rows' records; with ``lazy``, well-formed rows as fingerprinted
        :class:`LazyRecord` (the fingerprint covers the header and mapping too: a row read
        through other columns is another row)."""
        context = None
        if lazy:
            context = "\x1e".join(
                [FINGERPRINT_VERSION, self.source, *self.keys, repr(sorted(self.mapping.items()))]
            )
            context += "\x1d"
        for item in rows_to_records(
            self.table, self.mapping, self.index, self.keys, start, fingerprint=context
        ):
            if self.instansi is None and isinstance(item, NormalizedPegawai | LazyRecord):
                raw = (
                    RowRaw(item.keys, item.cells).as_dict()
                    if isinstance(item, LazyRecord)
                    else raw_dict(item.raw)
                )
                nama = clean(raw.get("instansi_kerja_nama"))
                if nama:
                    self.instansi = (clean(raw.get("instansi_kerja_id")), nama)
            yield item

    def reread(self, row_numbers: set[int]) -> dict[int, dict]:
        out: dict[int, dict] = {}
        if not row_numbers:
            return out
        last = max(row_numbers)
        for number, cells in self.table.rows():
            if number in row_numbers:
                out[number] = {k: v for k, v in zip(self.keys, cells, strict=False) if k}
            if number >= last:
                break
        return out
