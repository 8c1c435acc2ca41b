"""The instansi settings (``Instansi.settings``, JSON): every key, its default, its validation.

One table, :data:`SETTINGS`, names each key the realization, evaluation, TPP recap and
dashboard code reads, with its Indonesian label, its product default (domain.md §11) and the
function that checks a stored or submitted value. Everything else reads the settings through
this module:

* :func:`parse_settings` turns the stored JSON into an :class:`InstansiSettings` (strict: the
  first invalid key raises :class:`SettingsError` naming it; lenient: an invalid key falls back
  to its default, as the activity pages and dashboards always did);
* :func:`effective_settings` returns the stored JSON form with defaults filled in (the dict the
  activity pages pass around);
* :func:`validate_settings` checks a whole submission and returns the clean JSON or the
  messages per key; :func:`save_settings` writes it in the caller's transaction with an audit
  event (before/after);
* :func:`holiday_dates`, :func:`parse_holiday_lines` and :func:`working_days_between` handle
  the holiday list (``hari_libur``).

``hari_libur`` holds the national holidays and *cuti bersama* set each year by the SKB of the
Minister of Religious Affairs, the Minister of Manpower and the Minister of PANRB (SKB 3
Menteri). Older data stores plain ISO dates (``"2026-03-20"``); the settings page stores
``{"date": "2026-03-20", "nama": "Cuti Bersama Idul Fitri 1447 H"}``. Both are read.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = [
    "CURVE_MODES",
    "DEFAULT_SETTINGS",
    "SETTINGS",
    "STRICT_KEYS",
    "Holiday",
    "InstansiSettings",
    "OfficeLocation",
    "Setting",
    "SettingsError",
    "SettingsValidationError",
    "effective_settings",
    "holiday_dates",
    "holidays_by_year",
    "parse_holiday_lines",
    "parse_holidays",
    "parse_settings",
    "save_settings",
    "settings_for",
    "validate_settings",
    "working_days_between",
]

CURVE_MODES = {
    "warn": "Peringatkan (finalisasi butuh justifikasi tertulis)",
    "block": "Blokir (finalisasi ditolak)",
}
HARI = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
BULAN_NAMA = {
    "januari": 1,
    "jan": 1,
    "februari": 2,
    "feb": 2,
    "pebruari": 2,
    "maret": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "agustus": 8,
    "agu": 8,
    "agt": 8,
    "ags": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "nopember": 11,
    "desember": 12,
    "des": 12,
}
MAX_HOLIDAYS = 1000
MAX_OFFICES = 50
MAX_NAME = 120
_HHMM = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


class SettingsError(ValueError):
    """A stored instansi setting is invalid (Indonesian message naming the key)."""


class SettingsValidationError(SettingsError):
    """A submission of the settings has invalid values; ``fields`` maps key → messages."""

    def __init__(self, fields: dict[str, list[str]]):
        self.fields = fields
        first = next(iter(fields.values()), ["Pengaturan tidak sah."])
        super().__init__(first[0])


# --- value types -----------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Holiday:
    """A day off for the whole instansi: a national holiday or a *cuti bersama* day."""

    tanggal: date
    nama: str = ""

    @property
    def hari(self) -> str:
        return HARI[self.tanggal.weekday()]

    @property
    def is_weekend(self) -> bool:
        return self.tanggal.weekday() >= 5

    def to_json(self) -> dict:
        return {"date": self.tanggal.isoformat(), "nama": self.nama}

    def line(self) -> str:
        return f"{self.tanggal.isoformat()} {self.nama}".rstrip()


@dataclass(frozen=True)
class OfficeLocation:
    """An office whose distance to a photo's GPS position is checked (radius in metres)."""

    nama: str
    lat: float
    lon: float
    radius_m: int

    def to_json(self) -> dict:
        return {"nama": self.nama, "lat": self.lat, "lon": self.lon, "radius_m": self.radius_m}


# --- validators: stored/submitted value → Python value; ValueError(message) when invalid ----


def _int_between(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool):
            raise ValueError(f"harus bilangan bulat {low}–{high}")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str) and re.fullmatch(r"\s*\d{1,9}\s*", value):
            value = int(value)
        if not isinstance(value, int):
            raise ValueError(f"harus bilangan bulat {low}–{high} (diberikan {value!r})")
        if not low <= value <= high:
            raise ValueError(f"harus antara {low} dan {high} (diberikan {value})")
        return value

    return check


def _hhmm(value: Any) -> time:
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    match = _HHMM.match(str(value).strip()) if value not in (None, "") else None
    if not match:
        raise ValueError(f"harus berformat JJ:MM, misalnya 07:30 (diberikan {value!r})")
    return time(int(match.group(1)), int(match.group(2)))


def _optional_hhmm(value: Any) -> time | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _hhmm(value)


def _curve_mode(value: Any) -> str:
    mode = str(value or "").strip().lower()
    if mode not in CURVE_MODES:
        raise ValueError(f"harus warn atau block (diberikan {value!r})")
    return mode


def _text(value: Any, what: str) -> str:
    text = re.sub(r"\s+", " ", str(value or "")).strip()
    if len(text) > MAX_NAME:
        raise ValueError(f"{what} paling panjang {MAX_NAME} karakter")
    return text


def _holiday_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        day = date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"berisi tanggal tidak sah {value!r} (format YYYY-MM-DD)") from None
    if not 2000 <= day.year <= 2100:
        raise ValueError(f"berisi tanggal {day.isoformat()} di luar tahun 2000–2100")
    return day


def parse_holidays(value: Any) -> tuple[Holiday, ...]:
    """Read a holiday list: ISO strings and/or ``{"date"|"tanggal", "nama"}`` objects.

    Raises
    ------
    ValueError
        For an entry that is not a date, a date given twice, or too many entries.

    Examples
    --------
    >>> [h.line() for h in parse_holidays(["2026-08-17", {"date": "2026-03-20", "nama": "Cuti"}])]
    ['2026-03-20 Cuti', '2026-08-17']
    """
    if value in (None, ""):
        return ()
    if not isinstance(value, list | tuple):
        raise ValueError("harus berupa daftar tanggal")
    if len(value) > MAX_HOLIDAYS:
        raise ValueError(f"paling banyak {MAX_HOLIDAYS} tanggal")
    out: dict[date, Holiday] = {}
    for item in value:
        if isinstance(item, Mapping):
            day = _holiday_date(item.get("date", item.get("tanggal")))
            nama = _text(item.get("nama", ""), "nama hari libur")
        else:
            day, nama = _holiday_date(item), ""
        if day in out:
            raise ValueError(f"memuat tanggal {day.isoformat()} lebih dari sekali")
        out[day] = Holiday(day, nama)
    return tuple(sorted(out.values()))


def _float_between(value: Any, low: float, high: float, what: str) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{what} harus angka")
    try:
        number = float(str(value).strip().replace(",", "."))
    except (TypeError, ValueError):
        raise ValueError(f"{what} harus angka (diberikan {value!r})") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise ValueError(f"{what} harus antara {low:g} dan {high:g} (diberikan {value})")
    return number


def _offices(value: Any) -> tuple[OfficeLocation, ...]:
    if value in (None, ""):
        return ()
    if not isinstance(value, list | tuple):
        raise ValueError("harus berupa daftar kantor")
    if len(value) > MAX_OFFICES:
        raise ValueError(f"paling banyak {MAX_OFFICES} kantor")
    out = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, Mapping):
            raise ValueError(f"kantor ke-{number} harus berisi nama, lat, lon dan radius_m")
        try:
            nama = _text(item.get("nama"), "nama kantor")
            if not nama:
                raise ValueError("nama kantor wajib diisi")
            lat = _float_between(item.get("lat"), -90, 90, "lintang (lat)")
            lon = _float_between(item.get("lon"), -180, 180, "bujur (lon)")
            radius = _int_between(1, 50_000)(item.get("radius_m", 200))
        except ValueError as exc:
            raise ValueError(f"kantor ke-{number}: {exc}") from None
        out.append(OfficeLocation(nama, lat, lon, radius))
    return tuple(out)


def _weights(value: Any) -> dict[str, int | float]:
    if value in (None, ""):
        return {}
    if not isinstance(value, Mapping):
        raise ValueError('harus berupa objek {"utama": 1, "tambahan": 1}')
    out: dict[str, int | float] = {}
    for key, raw in value.items():
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            raise ValueError(f"bobot {key} harus angka (diberikan {raw!r})") from None
        if not number.is_finite() or number < 0 or number > 1000:
            raise ValueError(f"bobot {key} harus antara 0 dan 1000 (diberikan {raw})")
        out[str(key)] = int(number) if number == number.to_integral_value() else float(number)
    return out


# --- the table of settings -------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """One key of ``Instansi.settings``: label, default (JSON form), parse and dump."""

    key: str
    label: str
    default: Any
    parse: Callable[[Any], Any]
    dump: Callable[[Any], Any] = field(default=lambda v: v)
    help: str = ""


def _dump_time(value: time | None) -> str | None:
    return None if value is None else f"{value:%H:%M}"


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "jam_masuk",
        "Jam masuk",
        "07:30",
        _hhmm,
        _dump_time,
        "Keterlambatan (TL) dihitung dari jam ini.",
    ),
    Setting(
        "jam_pulang",
        "Jam pulang",
        "16:00",
        _hhmm,
        _dump_time,
        "Pulang sebelum jam ini dihitung pulang sebelum waktunya (PSW).",
    ),
    Setting(
        "jam_pulang_jumat",
        "Jam pulang hari Jumat",
        None,
        _optional_hhmm,
        _dump_time,
        "Kosongkan bila sama dengan jam pulang hari lain.",
    ),
    Setting(
        "working_minutes_per_day",
        "Batas menit aktivitas per hari",
        450,
        _int_between(1, 1440),
        help="Jumlah menit kegiatan harian seorang pegawai dalam sehari tidak boleh melebihinya.",
    ),
    Setting(
        "daily_effective_minutes",
        "Menit kerja efektif per hari",
        300,
        _int_between(1, 1440),
        help="Kapasitas harian pada peta beban kerja (DKI, Gowa: 300 menit).",
    ),
    Setting(
        "daily_points_target",
        "Target poin per hari",
        300,
        _int_between(1, 100_000),
        help="SKP Cascade §11.5: 300 poin per hari kerja.",
    ),
    Setting(
        "monthly_points_target",
        "Target poin per bulan",
        6000,
        _int_between(1, 1_000_000),
        help="SKP Cascade §11.5: 6.000 poin per bulan (Bangli: 10.000); dasar produktivitas TPP.",
    ),
    Setting(
        "activity_deadline_days",
        "Batas pelaporan aktivitas (hari kerja)",
        5,
        _int_between(0, 60),
        help="Kegiatan lebih lama dari ini (hari kerja, tanpa hari libur) terkunci.",
    ),
    Setting(
        "approval_overdue_days",
        "Persetujuan dianggap terlambat setelah (hari)",
        3,
        _int_between(1, 60),
        help="Dasbor menandai kegiatan yang belum disetujui atasan selama ini.",
    ),
    Setting(
        "keberatan_days",
        "Batas waktu keberatan (hari)",
        14,
        _int_between(1, 365),
        help="Hari setelah finalisasi evaluasi; ketentuan bawaan aplikasi (domain.md §9).",
    ),
    Setting(
        "curve_mode",
        "Kurva distribusi predikat",
        "warn",
        _curve_mode,
        help="SE MenPANRB 3/2023: peringatkan (dengan justifikasi) atau blokir finalisasi.",
    ),
    Setting(
        "rollup_weights",
        "Bobot capaian berjenjang",
        {"utama": 1, "tambahan": 1},
        _weights,
        help="Bobot RHK utama dan tambahan saat capaian dijumlahkan ke atas (bawaan sama).",
    ),
    Setting(
        "office_locations",
        "Lokasi kantor",
        [],
        _offices,
        lambda offices: [o.to_json() for o in offices],
        help="Foto bukti dukung di luar radius semua kantor ditandai untuk atasan.",
    ),
    Setting(
        "hari_libur",
        "Hari libur nasional dan cuti bersama",
        [],
        parse_holidays,
        lambda holidays: [h.to_json() for h in holidays],
        help="Ditetapkan setiap tahun dengan SKB 3 Menteri; tidak dihitung sebagai hari kerja.",
    ),
)
_BY_KEY = {s.key: s for s in SETTINGS}
DEFAULT_SETTINGS: dict[str, Any] = {s.key: s.default for s in SETTINGS}


def _message(setting: Setting, problem: str) -> str:
    return f"Pengaturan instansi {setting.key} ({setting.label}) {problem}."


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class InstansiSettings:
    """The instansi settings with product defaults filled in (Python values)."""

    curve_mode: str = "warn"
    keberatan_days: int = 14
    monthly_points_target: int = 6000
    jam_masuk: time = time(7, 30)
    jam_pulang: time = time(16, 0)
    jam_pulang_jumat: time | None = None
    hari_libur: frozenset[date] = frozenset()
    libur: tuple[Holiday, ...] = ()
    daily_points_target: int = 300
    working_minutes_per_day: int = 450
    daily_effective_minutes: int = 300
    activity_deadline_days: int = 5
    approval_overdue_days: int = 3
    rollup_weights: Mapping[str, int | float] = field(
        default_factory=lambda: {"utama": 1, "tambahan": 1}
    )
    office_locations: tuple[OfficeLocation, ...] = ()

    @property
    def friday_end(self) -> time:
        return self.jam_pulang_jumat or self.jam_pulang

    def to_json(self) -> dict:
        """Return the stored JSON form of every known key."""
        values = self._values()
        return {s.key: s.dump(values[s.key]) for s in SETTINGS}

    def _values(self) -> dict[str, Any]:
        values = {s.key: getattr(self, s.key) for s in SETTINGS if s.key != "hari_libur"}
        values["hari_libur"] = self.libur
        return values


#: The keys a TPP recap, an evaluation or a keberatan deadline cannot do without: read strictly
#: by :func:`settings_for` (an invalid value stops the computation with a message naming it)
#: while an invalid value of another key falls back to its default.
STRICT_KEYS = frozenset(
    {
        "curve_mode",
        "keberatan_days",
        "monthly_points_target",
        "jam_masuk",
        "jam_pulang",
        "jam_pulang_jumat",
        "hari_libur",
    }
)


def _parsed_values(raw: Mapping | None, *, strict: bool | Iterable[str]) -> dict[str, Any]:
    raw = raw or {}
    if strict is True:
        strict_keys = set(_BY_KEY)
    elif strict is False:
        strict_keys = set()
    else:
        strict_keys = set(strict)
    values: dict[str, Any] = {}
    for s in SETTINGS:
        value = raw.get(s.key, s.default) if isinstance(raw, Mapping) else s.default
        try:
            values[s.key] = s.parse(value)
        except ValueError as exc:
            if s.key in strict_keys:
                raise SettingsError(_message(s, str(exc))) from None
            values[s.key] = s.parse(s.default)
    return values


def _from_values(values: dict[str, Any]) -> InstansiSettings:
    holidays = values.pop("hari_libur")
    return InstansiSettings(
        **values, hari_libur=frozenset(h.tanggal for h in holidays), libur=holidays
    )


def parse_settings(raw: Mapping | None, *, strict: bool | Iterable[str] = True) -> InstansiSettings:
    """Read stored settings (missing keys take their default).

    ``strict`` is True (every key), False (none) or the keys read strictly.

    Raises
    ------
    SettingsError
        When a strictly read stored value is invalid (the message names the key); any other
        invalid value is replaced by its default.

    Examples
    --------
    >>> parse_settings({"jam_pulang_jumat": "16:30"}).friday_end
    datetime.time(16, 30)
    >>> parse_settings({"keberatan_days": 0}, strict=False).keberatan_days
    14
    """
    return _from_values(_parsed_values(raw, strict=strict))


def settings_for(instansi, *, strict: bool | Iterable[str] = STRICT_KEYS) -> InstansiSettings:
    """Read the settings of an :class:`~skp_app.org.models.Instansi` (defaults when None).

    By default the :data:`STRICT_KEYS` are read strictly and the others leniently.
    """
    return parse_settings(getattr(instansi, "settings", None) or {}, strict=strict)


def effective_settings(raw: Mapping | None) -> dict:
    """Return the stored JSON form with defaults filled in and invalid values replaced.

    Keys this module does not know are kept as they are.

    >>> effective_settings({"activity_deadline_days": "x", "demo": 1})["activity_deadline_days"]
    5
    """
    known = parse_settings(raw, strict=False).to_json()
    extra = {k: v for k, v in (raw or {}).items() if k not in _BY_KEY}
    return {**extra, **known}


def holiday_dates(value: Any) -> frozenset[date]:
    """Return the dates of a stored ``hari_libur`` list, skipping entries that are not dates.

    >>> sorted(holiday_dates(["2026-03-19", {"date": "2026-03-20", "nama": "Cuti"}, "x"]))
    [datetime.date(2026, 3, 19), datetime.date(2026, 3, 20)]
    """
    out: set[date] = set()
    for item in value if isinstance(value, list | tuple) else ():
        raw = item.get("date", item.get("tanggal")) if isinstance(item, Mapping) else item
        try:
            out.add(_holiday_date(raw))
        except ValueError:
            continue
    return frozenset(out)


def holidays_by_year(holidays: Iterable[Holiday]) -> list[tuple[int, list[Holiday]]]:
    """Group holidays by year, newest year first, dates ascending within a year."""
    years: dict[int, list[Holiday]] = {}
    for h in sorted(holidays):
        years.setdefault(h.tanggal.year, []).append(h)
    return sorted(years.items(), reverse=True)


def working_days_between(day: date, today: date, holidays: Iterable[date] = ()) -> int:
    """Count the working days after ``day`` up to and including ``today``.

    Working days are Monday–Friday that are not in ``holidays`` (national holidays and cuti
    bersama of the SKB 3 Menteri).

    Examples
    --------
    >>> working_days_between(date(2026, 3, 17), date(2026, 3, 25))  # no holidays
    6
    >>> idul_fitri = [date(2026, 3, d) for d in (18, 19, 20, 23, 24)]
    >>> working_days_between(date(2026, 3, 17), date(2026, 3, 25), idul_fitri)
    1
    """
    if today <= day:
        return 0
    off = {h for h in holidays if day < h <= today and h.weekday() < 5}
    days = (today - day).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for i in range(1, rest + 1):
        if (day + timedelta(days=weeks * 7 + i)).weekday() < 5:
            count += 1
    return count - len(off)


# --- the holiday paste box -------------------------------------------------------------------

_ISO_LINE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[\s,;|\t]+(.*))?$")
_DMY_LINE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[\s,;|\t]+(.*))?$")
_TEXT_LINE = re.compile(
    r"^(?:(?:senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|ahad)\s*,?\s*)?"
    r"(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})(?:\s*[:,;|\t\-–]\s*|\s+)?(.*)$",
    re.IGNORECASE,
)


def parse_holiday_lines(text: str) -> tuple[list[Holiday], list[str]]:
    """Read pasted lines ``<tanggal> <nama>``; return the holidays and the problems per line.

    A date is ``YYYY-MM-DD``, ``DD-MM-YYYY`` / ``DD/MM/YYYY`` or written out
    (``Jumat, 20 Maret 2026``). Empty lines and lines starting with ``#`` are skipped.

    Examples
    --------
    >>> days, problems = parse_holiday_lines(
    ...     "2026-03-20 Cuti Bersama Idul Fitri\\n27 Mei 2026 Idul Adha 1447 H\\n2026-02-30 x"
    ... )
    >>> [d.line() for d in days]
    ['2026-03-20 Cuti Bersama Idul Fitri', '2026-05-27 Idul Adha 1447 H']
    >>> problems
    ['Baris 3 (2026-02-30 x): tanggal 2026-02-30 tidak ada di kalender.']
    """
    holidays: list[Holiday] = []
    problems: list[str] = []
    seen: dict[date, int] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        shown = line if len(line) <= 60 else line[:57] + "…"
        parts = None
        if match := _ISO_LINE.match(line):
            parts = (match.group(1), match.group(2), match.group(3), match.group(4))
        elif match := _DMY_LINE.match(line):
            parts = (match.group(3), match.group(2), match.group(1), match.group(4))
        elif (match := _TEXT_LINE.match(line)) and match.group(2).lower() in BULAN_NAMA:
            month = BULAN_NAMA[match.group(2).lower()]
            parts = (match.group(3), str(month), match.group(1), match.group(4))
        if parts is None:
            problems.append(
                f"Baris {number} ({shown}): tanggal tidak dikenali; tulis seperti "
                "2026-03-20 Hari Raya Idul Fitri 1447 H."
            )
            continue
        year, month, day_text, nama = parts
        try:
            day = date(int(year), int(month), int(day_text))
        except ValueError:
            problems.append(
                f"Baris {number} ({shown}): tanggal {year}-{int(month):02d}-{int(day_text):02d} "
                "tidak ada di kalender."
            )
            continue
        if not 2000 <= day.year <= 2100:
            problems.append(f"Baris {number} ({shown}): tahun harus 2000–2100.")
            continue
        nama = re.sub(r"\s+", " ", (nama or "").strip(" -–:;,|\t"))
        if len(nama) > MAX_NAME:
            problems.append(
                f"Baris {number} ({shown}): nama hari libur paling panjang {MAX_NAME} karakter."
            )
            continue
        if day in seen:
            problems.append(
                f"Baris {number} ({shown}): tanggal {day.isoformat()} sudah ada di baris "
                f"{seen[day]}."
            )
            continue
        seen[day] = number
        holidays.append(Holiday(day, nama))
    return holidays, problems


# --- validation and saving -------------------------------------------------------------------


def validate_settings(submitted: Mapping[str, Any]) -> tuple[dict, dict[str, list[str]]]:
    """Check every known key of ``submitted``; return ``(clean JSON, errors by key)``.

    Keys missing from ``submitted`` take their default. Cross-key rules: the end of the day
    (and the Friday end) must be after the start.

    Examples
    --------
    >>> clean, errors = validate_settings({"jam_masuk": "08:00", "jam_pulang": "07:00"})
    >>> errors["jam_pulang"]
    ['Pengaturan instansi jam_pulang (Jam pulang) harus setelah jam masuk 08:00.']
    """
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for s in SETTINGS:
        value = submitted.get(s.key, s.default)
        try:
            values[s.key] = s.parse(value)
        except ValueError as exc:
            errors[s.key] = [_message(s, str(exc))]
    start = values.get("jam_masuk")
    if start is not None:
        for key in ("jam_pulang", "jam_pulang_jumat"):
            end = values.get(key)
            if end is not None and end <= start:
                errors.setdefault(key, []).append(
                    _message(_BY_KEY[key], f"harus setelah jam masuk {start:%H:%M}")
                )
    if errors:
        return {}, errors
    return {s.key: s.dump(values[s.key]) for s in SETTINGS}, {}


def save_settings(session, instansi, submitted: Mapping[str, Any], *, actor) -> dict:
    """Validate and store the settings of ``instansi`` with an audit event; flush only.

    Keys this module does not know (e.g. ``demo``) are kept. Returns the changed keys as
    ``{key: (before, after)}`` (empty when nothing changed: no write, no audit event).

    Raises
    ------
    SettingsValidationError
        With the messages per key; nothing is written.
    """
    from skp_app.audit.operations import record

    clean, errors = validate_settings(submitted)
    if errors:
        raise SettingsValidationError(errors)
    stored = dict(instansi.settings or {})
    before_all = effective_settings(stored)
    changed = {
        key: (before_all.get(key), value)
        for key, value in clean.items()
        if stored.get(key) != value or key not in stored
    }
    # A key absent before but equal to its default is a real (if invisible) change only in
    # storage; report only what a reader would see differently.
    visible = {k: v for k, v in changed.items() if v[0] != v[1]}
    if not changed:
        return {}
    instansi.settings = {**stored, **clean}
    session.flush()
    if visible:
        record(
            session,
            "instansi.settings",
            "instansi",
            instansi.id,
            actor=actor,
            before={k: v[0] for k, v in visible.items()},
            after={k: v[1] for k, v in visible.items()},
            summary="Pengaturan instansi diubah: "
            + ", ".join(_BY_KEY[k].label.lower() for k in visible),
        )
    return visible
