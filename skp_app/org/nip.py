"""Parse and validate the 18-digit NIP of a PNS and the NI PPPK.

Perka BKN 22/2007 and 43/2007 (domain.md §6.1): ``YYYYMMDD`` birth date, ``YYYYMM`` TMT CPNS,
one gender digit (1 male, 2 female) and a three-digit sequence. The NI PPPK (§6.1, §11.10) has
the same length but digits 9–12 are the year of the first PPPK appointment and digits 13–14 the
number of contracts, so they are not a month.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = ["InvalidNip", "NipInfo", "format_nip", "is_valid_nip", "normalize_nip", "parse_nip"]

MIN_BIRTH_YEAR = 1940
MIN_AGE_AT_PARSE = 17
MIN_TMT_YEAR = 1960
_SEPARATORS = re.compile(r"[\s.\-_]")


class InvalidNip(ValueError):
    """The text is not a valid NIP or NI PPPK; the message says which rule failed."""


@dataclass(frozen=True, slots=True)
class NipInfo:
    """The facts encoded in a NIP."""

    nip: str
    birth_date: date
    tmt_year: int
    tmt_month: int | None
    gender: str  # "L" (laki-laki) or "P" (perempuan)
    sequence: int
    is_pppk: bool = False
    contract_count: int | None = None

    @property
    def display(self) -> str:
        """Return the 8-6-1-3 display form, e.g. ``19860216 200803 1 001``."""
        return format_nip(self.nip)

    @property
    def tmt_cpns(self) -> date | None:
        """Return the TMT CPNS as the first day of its month (PNS only)."""
        if self.tmt_month is None:
            return None
        return date(self.tmt_year, self.tmt_month, 1)


def normalize_nip(text: object) -> str:
    """Return the NIP as 18 digits, accepting spaces, dots and hyphens between the groups.

    A value that a spreadsheet turned into a float (``1.98602E+17``) has lost its last digits
    and is refused rather than guessed.
    """
    if text is None:
        raise InvalidNip("NIP kosong.")
    raw = str(text).strip()
    if not raw:
        raise InvalidNip("NIP kosong.")
    if re.fullmatch(r"\d(\.\d+)?[eE]\+?\d+", raw):
        raise InvalidNip(
            f"NIP '{raw}' tertulis dalam notasi ilmiah (kolom dibaca sebagai angka); "
            "digit terakhir sudah hilang. Simpan kolom NIP sebagai teks."
        )
    digits = _SEPARATORS.sub("", raw)
    if not digits.isdigit():
        raise InvalidNip(f"NIP '{raw}' mengandung karakter selain angka.")
    if len(digits) != 18:
        raise InvalidNip(f"NIP harus 18 digit, '{raw}' berisi {len(digits)} digit.")
    return digits


def parse_nip(text: object, *, pppk: bool = False, today: date | None = None) -> NipInfo:
    """Parse a NIP (or, with ``pppk=True``, an NI PPPK) and validate every rule of §6.1.

    Parameters
    ----------
    text
        The number, with or without the display spaces.
    pppk
        Apply the relaxed NI PPPK rule: digits 9–12 are a year, 13–14 a contract count.
    today
        Reference date for the plausible-age rule (defaults to today).

    Raises
    ------
    InvalidNip
        With an Indonesian message naming the failed rule.

    Examples
    --------
    >>> info = parse_nip("19860216 200803 1 001")
    >>> info.birth_date, info.tmt_year, info.tmt_month, info.gender, info.sequence
    (datetime.date(1986, 2, 16), 2008, 3, 'L', 1)
    >>> info.display
    '19860216 200803 1 001'
    >>> parse_nip("198613262008031001")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    skp_app.org.nip.InvalidNip: Tanggal lahir pada NIP (digit 1-8: 19861326) bukan ...
    """
    nip = normalize_nip(text)
    today = today or date.today()
    try:
        birth = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise InvalidNip(
            f"Tanggal lahir pada NIP (digit 1-8: {nip[0:8]}) bukan tanggal yang valid."
        ) from None
    latest_birth_year = today.year - MIN_AGE_AT_PARSE
    if not MIN_BIRTH_YEAR <= birth.year <= latest_birth_year:
        raise InvalidNip(
            f"Tahun lahir pada NIP ({birth.year}) di luar rentang yang wajar "
            f"({MIN_BIRTH_YEAR}-{latest_birth_year})."
        )
    tmt_year = int(nip[8:12])
    if tmt_year < MIN_TMT_YEAR or tmt_year > today.year + 1:
        raise InvalidNip(f"Tahun TMT pada NIP (digit 9-12: {tmt_year}) tidak wajar.")
    if tmt_year < birth.year + 17:
        raise InvalidNip(
            f"TMT pada NIP ({tmt_year}) terlalu dekat dengan tahun lahir ({birth.year}): "
            "pegawai belum berusia 17 tahun."
        )
    tmt_month: int | None = None
    contract_count: int | None = None
    if pppk:
        contract_count = int(nip[12:14])
    else:
        tmt_month = int(nip[12:14])
        if not 1 <= tmt_month <= 12:
            raise InvalidNip(f"Bulan TMT CPNS pada NIP (digit 13-14: {nip[12:14]}) harus 01-12.")
    gender_digit = nip[14]
    if gender_digit not in "12":
        raise InvalidNip(
            f"Digit jenis kelamin pada NIP (digit 15: {gender_digit}) harus 1 (laki-laki) "
            "atau 2 (perempuan)."
        )
    sequence = int(nip[15:18])
    if sequence == 0:
        raise InvalidNip("Nomor urut pada NIP (digit 16-18) tidak boleh 000.")
    return NipInfo(
        nip=nip,
        birth_date=birth,
        tmt_year=tmt_year,
        tmt_month=tmt_month,
        gender="L" if gender_digit == "1" else "P",
        sequence=sequence,
        is_pppk=pppk,
        contract_count=contract_count,
    )


def is_valid_nip(text: object, *, pppk: bool = False) -> bool:
    """Return whether ``text`` parses as a NIP (or NI PPPK)."""
    try:
        parse_nip(text, pppk=pppk)
    except InvalidNip:
        return False
    return True


def format_nip(nip: str) -> str:
    """Return the 8-6-1-3 display form of an 18-digit number (unchanged if not 18 digits)."""
    digits = _SEPARATORS.sub("", nip or "")
    if len(digits) != 18:
        return nip
    return f"{digits[0:8]} {digits[8:14]} {digits[14]} {digits[15:18]}"
