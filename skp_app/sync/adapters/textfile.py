"""Reading delimited text exports robustly: encoding, BOM, delimiter, truncated rows.

Files are streamed row by row; nothing holds the whole file in memory. The encoding is checked
over the whole file first (in chunks) so a bad byte in row 19,000 is found before row 1 is
planned.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from skp_app.sync.adapters.base import SyncSourceError

__all__ = ["TextTable", "header_key", "open_text_table"]

_CHUNK = 1 << 20
_SPACES = re.compile(r"\s+")


def header_key(text: str | None) -> str:
    """Return the comparison key of a column header (lower case, ``_`` for spaces, no BOM)."""
    t = (text or "").replace("\ufeff", "").strip().lower()
    return _SPACES.sub("_", t)


def _valid_in(path: Path, encoding: str, skip: int = 0) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with path.open("rb") as fh:
        fh.seek(skip)
        try:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def detect_encoding(path: Path) -> tuple[str, list[str]]:
    """Return ``(encoding, warnings)`` for a text export, or raise SyncSourceError."""
    with path.open("rb") as fh:
        head = fh.read(65536)
    if not head.strip():
        raise SyncSourceError("Berkas kosong.")
    if head.startswith(b"PK\x03\x04"):
        raise SyncSourceError(
            "Berkas ini adalah XLSX/ZIP, bukan CSV. Pilih sumber 'Tabel (CSV/XLSX)' atau simpan "
            "ulang sebagai CSV."
        )
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head:
        raise SyncSourceError(
            "Encoding berkas salah: berkas berformat UTF-16/biner, bukan teks CSV. Simpan ulang "
            "dari Excel sebagai 'CSV UTF-8 (Comma delimited)'."
        )
    if head.startswith(codecs.BOM_UTF8):
        if _valid_in(path, "utf-8", skip=3):
            return "utf-8-sig", []
        raise SyncSourceError(
            "Encoding berkas salah: berkas diawali penanda UTF-8 (BOM) tetapi berisi byte yang "
            "bukan UTF-8. Simpan ulang sebagai 'CSV UTF-8'."
        )
    if _valid_in(path, "utf-8"):
        return "utf-8", []
    if _valid_in(path, "cp1252"):
        return "cp1252", [
            "Berkas tidak ber-encoding UTF-8; dibaca sebagai Windows-1252 (cp1252). Periksa nama "
            "yang memuat huruf khusus; sebaiknya ekspor ulang sebagai 'CSV UTF-8'."
        ]
    return "latin-1", [
        "Berkas tidak ber-encoding UTF-8 maupun Windows-1252; dibaca sebagai Latin-1. Huruf khusus "
        "mungkin salah; sebaiknya ekspor ulang sebagai 'CSV UTF-8'."
    ]


def _sniff_delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        raise SyncSourceError(
            "Baris judul kolom tidak memuat pemisah (titik koma atau koma); berkas bukan CSV."
        )
    return best


@dataclass
class TextTable:
    """A delimited text file ready to stream: its encoding, delimiter and header."""

    path: Path
    encoding: str
    delimiter: str
    header: list[str]
    warnings: list[str] = field(default_factory=list)

    def _open(self):
        return io.open(self.path, encoding=self.encoding, newline="")  # noqa: UP020

    def estimate_rows(self) -> int:
        """Return the number of data lines (a fast estimate for progress bars)."""
        lines = 0
        last = b"\n"
        with self.path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
        if last != b"\n":
            lines += 1
        return max(0, lines - 1)

    def rows(self, start: int = 0) -> Iterator[tuple[int, list[str]]]:
        """Yield ``(row_number, cells)`` for each data row; row 1 is the header.

        Blank rows are skipped. ``start`` skips that many data rows without yielding them.
        """
        with self._open() as fh:
            reader = csv.reader(fh, delimiter=self.delimiter)
            number = 0
            for cells in reader:  # the header is the first non-blank row
                number += 1
                if any(c.strip() for c in cells):
                    break
            else:
                return
            index = 0
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise SyncSourceError(
                        f"Berkas rusak setelah baris {number}: {exc}. Berkas mungkin terpotong."
                    ) from None
                number += 1
                # Cheap test first: real rows start with an id; blank ones are [] or all empty.
                if not (cells and cells[0]) and not any(c.strip() for c in cells):
                    continue
                index += 1
                if index <= start:
                    continue
                yield number, cells


def open_text_table(path: str | Path) -> TextTable:
    """Inspect a CSV export: encoding (UTF-8 with/without BOM, cp1252), delimiter, header."""
    path = Path(path)
    if not path.exists():
        raise SyncSourceError(f"Berkas {path.name} tidak ditemukan.")
    encoding, warnings = detect_encoding(path)
    with io.open(path, encoding=encoding, newline="") as fh:  # noqa: UP020
        first = ""
        for line in fh:
            if line.strip():
                first = line
                break
    delimiter = _sniff_delimiter(first)
    header = next(csv.reader([first], delimiter=delimiter))
    if len([h for h in header if h.strip()]) < 2:
        raise SyncSourceError("Baris judul kolom tidak terbaca; berkas bukan CSV.")
    return TextTable(path, encoding, delimiter, header, warnings)
