"""Parsing of the realization and activity forms (HTML and JSON) with Indonesian messages.

The pages post plain HTML forms (one small form per IKI row, a mobile activity form), so the
parsing is done here by hand rather than with WTForms, whose built-in messages are English.
Business rules (deadlines, overlaps, locks) stay in :mod:`skp_app.realization.operations`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time

__all__ = [
    "ActivityInput",
    "FormErrors",
    "parse_activity_form",
    "parse_bulan",
    "parse_date",
    "parse_ids",
    "parse_int",
    "parse_time",
]

FormErrors = dict[str, list[str]]


def _get(form: Mapping, name: str) -> str:
    value = form.get(name)
    if value is None:
        return ""
    return str(value).strip()


def parse_date(text: str | None) -> date | None:
    """Parse ``YYYY-MM-DD`` (HTML date input) or ``DD/MM/YYYY``; None when empty.

    >>> parse_date("2026-03-05"), parse_date("05/03/2026"), parse_date("")
    (datetime.date(2026, 3, 5), datetime.date(2026, 3, 5), None)
    """
    text = (text or "").strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"“{text}” bukan tanggal yang sah (contoh: 2026-03-05).")


def parse_time(text: str | None) -> time | None:
    """Parse ``HH:MM`` or ``HH.MM`` (24 hours); None when empty.

    >>> parse_time("07:30"), parse_time("16.05"), parse_time("08:00:00")
    (datetime.time(7, 30), datetime.time(16, 5), datetime.time(8, 0))
    """
    text = (text or "").strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})(?:[:.]\d{2})?", text)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError(f"“{text}” bukan jam yang sah (contoh: 07:30).")
    return time(int(match.group(1)), int(match.group(2)))


def parse_int(text, *, default: int | None = None) -> int | None:
    """Parse a whole number; ``default`` when empty; ValueError when not a number."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return default
    if isinstance(text, bool):
        raise ValueError("bukan bilangan bulat")
    if isinstance(text, int):
        return text
    raw = str(text).strip()
    if not re.fullmatch(r"-?\d{1,9}", raw):
        raise ValueError(f"“{raw}” bukan bilangan bulat.")
    return int(raw)


def parse_bulan(text, default: int) -> int:
    """Parse a month 1–12 from a query argument, falling back to ``default``."""
    try:
        value = parse_int(text, default=default)
    except ValueError:
        return default
    return value if value is not None and 1 <= value <= 12 else default


def parse_ids(values) -> list[int]:
    """Parse the checked ids of a bulk form (``ids`` repeated); ValueError on a non-number."""
    out = []
    for v in values or []:
        number = parse_int(v)
        if number is None:
            continue
        if number <= 0:
            raise ValueError("Id tidak sah.")
        out.append(number)
    return out


@dataclass
class ActivityInput:
    """The fields of the activity form, parsed (None where empty or invalid)."""

    tanggal: date | None = None
    jam_mulai: time | None = None
    jam_selesai: time | None = None
    uraian: str = ""
    rhk_id: int | None = None
    katalog_id: int | None = None
    volume: int | None = 1
    tautan: str = ""
    raw: dict = field(default_factory=dict)

    def as_kwargs(self) -> dict:
        return {
            "tanggal": self.tanggal,
            "jam_mulai": self.jam_mulai,
            "jam_selesai": self.jam_selesai,
            "uraian": self.uraian,
            "rhk_id": self.rhk_id,
            "katalog_id": self.katalog_id,
            "volume": self.volume,
        }


def parse_activity_form(form: Mapping) -> tuple[ActivityInput, FormErrors]:
    """Parse the activity form; return the values and the format errors per field."""
    errors: FormErrors = {}
    data = ActivityInput(raw={k: _get(form, k) for k in form})
    try:
        data.tanggal = parse_date(_get(form, "tanggal"))
    except ValueError as exc:
        errors["tanggal"] = [str(exc)]
    for name in ("jam_mulai", "jam_selesai"):
        try:
            setattr(data, name, parse_time(_get(form, name)))
        except ValueError as exc:
            errors[name] = [str(exc)]
    data.uraian = _get(form, "uraian")
    for name, label in (("rhk_id", "RHK"), ("katalog_id", "Kegiatan katalog")):
        try:
            value = parse_int(_get(form, name))
            setattr(data, name, value if value else None)
        except ValueError:
            errors[name] = [f"{label} yang dipilih tidak sah."]
    try:
        data.volume = parse_int(_get(form, "volume"), default=1)
    except ValueError:
        errors["volume"] = ["Volume harus bilangan bulat."]
    data.tautan = _get(form, "tautan")
    return data, errors
