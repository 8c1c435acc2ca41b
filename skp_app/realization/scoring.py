"""Pure scoring formulas for realization and evaluation of ASN performance.

This module turns realised numbers into the scores, ratings and predikat defined by the
regulations SKP Cascade supports (see ``domain.md`` §1, §4, §8 and §11):

* PermenPANRB 8/2021 -- capaian IKI (normal, range and lower-is-better targets) and the
  conversion of capaian into a 0-120 *nilai*;
* PP 46/2011 with Perka BKN 1/2013 -- kuantitas / kualitas / waktu / biaya aspects, nilai
  capaian SKP and nilai prestasi kerja (legacy data);
* PP 30/2019 Pasal 41 -- weighted nilai kinerja and its predikat bands;
* PermenPANRB 6/2022 -- the 3x3 matrix from rating hasil kerja and rating perilaku to predikat,
  plus SKP Cascade's suggested rating (§11.1);
* SE MenPANRB 3/2023 -- the distribution curve of employee predikat allowed by the predikat of
  the organisation;
* Peraturan BKN 3/2023 / PermenPANRB 1/2023 -- predikat to angka kredit for JF;
* activity points, capaian roll-up and a year-end projection.

Everything here is pure: plain values in, plain values out, no Flask and no database. All
arithmetic uses :class:`decimal.Decimal`; inputs may be ``int``, ``float``, ``str`` or
``Decimal`` and are converted with ``Decimal(str(x))`` so that ``9.12`` means exactly 9.12.
Results are not rounded unless the rule says so; use :func:`round_score` for display.
Errors are raised as :class:`ScoringError` (a ``ValueError``) with an Indonesian message that
can be shown to the user.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from types import MappingProxyType
from typing import Literal, NamedTuple, Self

__all__ = [
    "AK_PERSENTASE",
    "DEFAULT_DAILY_POINTS",
    "DEFAULT_MONTHLY_POINTS",
    "JENJANG_KOEFISIEN",
    "PREDIKAT_MATRIX",
    "CurveLimit",
    "CurveRule",
    "CurveViolation",
    "KegiatanCapaian",
    "Number",
    "OrgPredikat",
    "Predikat",
    "Rating",
    "ScoringError",
    "YearEndProjection",
    "activity_points",
    "angka_kredit",
    "biaya",
    "capaian_category",
    "capaian_iki",
    "capaian_kegiatan",
    "check_distribution",
    "curve_limits",
    "curve_rules",
    "kualitas",
    "kuantitas",
    "nilai_capaian_iki",
    "nilai_capaian_kegiatan",
    "nilai_capaian_skp",
    "nilai_kinerja_pp30",
    "nilai_prestasi_kerja",
    "nilai_tugas_tambahan",
    "predikat_from_ratings",
    "predikat_pp30",
    "predikat_pp46",
    "project_year_end",
    "rollup_capaian",
    "round_score",
    "suggest_rating_hasil_kerja",
    "to_decimal",
    "waktu",
]

Number = Decimal | int | float | str

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


class ScoringError(ValueError):
    """A scoring input is invalid or a formula is undefined for it."""


# ---------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------


def to_decimal(value: Number, name: str = "nilai") -> Decimal:
    """Convert a number to a finite Decimal via ``Decimal(str(value))``.

    Parameters
    ----------
    value
        ``Decimal``, ``int``, ``float`` or numeric ``str``. ``bool`` is refused.
    name
        Name of the quantity, used in the error message.

    Raises
    ------
    ScoringError
        If the value is not a finite number.

    Examples
    --------
    >>> to_decimal(9.12)
    Decimal('9.12')
    >>> to_decimal("1,5")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ScoringError: 1,5 bukan angka yang sah untuk nilai.
    """
    if isinstance(value, bool) or value is None:
        raise ScoringError(f"{value!r} bukan angka yang sah untuk {name}.")
    if isinstance(value, Decimal):
        result = value
    else:
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            raise ScoringError(f"{value} bukan angka yang sah untuk {name}.") from None
    if not result.is_finite():
        raise ScoringError(f"{value} bukan angka yang sah untuk {name}.")
    return result


def round_score(value: Number, places: int = 2) -> Decimal:
    """Round a score half-up to ``places`` decimals for display or storage.

    Examples
    --------
    >>> round_score(Decimal("85.5"))
    Decimal('85.50')
    >>> round_score("2.8125", 3)
    Decimal('2.813')
    """
    exponent = Decimal(1).scaleb(-places)
    return to_decimal(value).quantize(exponent, rounding=ROUND_HALF_UP)


def _positive(value: Number, name: str) -> Decimal:
    result = to_decimal(value, name)
    if result <= 0:
        raise ScoringError(f"{name} harus lebih besar dari 0 (diberikan {value}).")
    return result


def _non_negative(value: Number, name: str) -> Decimal:
    result = to_decimal(value, name)
    if result < 0:
        raise ScoringError(f"{name} tidak boleh negatif (diberikan {value}).")
    return result


def _count(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScoringError(f"{name} harus bilangan bulat (diberikan {value!r}).")
    if value < 0:
        raise ScoringError(f"{name} tidak boleh negatif (diberikan {value}).")
    return value


# ---------------------------------------------------------------------------
# Enumerations (SIASN reference ids, domain.md §4.3)
# ---------------------------------------------------------------------------


class _CodedEnum(StrEnum):
    """A string enum whose members carry an Indonesian label and an optional SIASN id."""

    label: str
    siasn_id: int | None

    def __new__(cls, value: str, label: str, siasn_id: int | None = None) -> _CodedEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.siasn_id = siasn_id
        return member

    @classmethod
    def from_siasn_id(cls, siasn_id: int | str) -> Self:
        """Return the member with this SIASN reference id."""
        for member in cls:
            if member.siasn_id is not None and str(member.siasn_id) == str(siasn_id).strip():
                return member
        raise ScoringError(f"Id SIASN {siasn_id!r} tidak dikenal untuk {cls.__name__}.")

    @classmethod
    def coerce(cls, value: object) -> Self:
        """Return the member for a member, a SIASN id (``1`` or ``"1"``), a name or a label."""
        if isinstance(value, cls):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return cls.from_siasn_id(value)
        if isinstance(value, str):
            text = value.strip()
            if text.isdigit():
                return cls.from_siasn_id(text)
            key = text.upper().replace(" ", "_").replace("/", "_")
            if key in cls.__members__:
                return cls.__members__[key]
            for member in cls:
                if member.label.casefold() == text.casefold():
                    return member
        raise ScoringError(f"{value!r} bukan {cls.__name__} yang dikenal.")


class Rating(_CodedEnum):
    """Rating hasil kerja / perilaku kerja (PermenPANRB 6/2022; SIASN ``perilakuDanKinerja``)."""

    DI_ATAS = ("DI_ATAS", "Di Atas Ekspektasi", 1)
    SESUAI = ("SESUAI", "Sesuai Ekspektasi", 2)
    DI_BAWAH = ("DI_BAWAH", "Di Bawah Ekspektasi", 3)


class Predikat(_CodedEnum):
    """Predikat kinerja pegawai (PermenPANRB 6/2022; SIASN ``kuadranNilai``)."""

    SANGAT_BAIK = ("SANGAT_BAIK", "Sangat Baik", 1)
    BAIK = ("BAIK", "Baik", 2)
    BUTUH_PERBAIKAN = ("BUTUH_PERBAIKAN", "Butuh Perbaikan", 3)
    KURANG = ("KURANG", "Kurang/Misconduct", 4)
    SANGAT_KURANG = ("SANGAT_KURANG", "Sangat Kurang", 5)


class OrgPredikat(_CodedEnum):
    """Predikat kinerja organisasi (SE MenPANRB 3/2023); ``CUKUP`` aliases Butuh Perbaikan."""

    ISTIMEWA = ("ISTIMEWA", "Istimewa")
    BAIK = ("BAIK", "Baik")
    BUTUH_PERBAIKAN = ("BUTUH_PERBAIKAN", "Butuh Perbaikan")
    CUKUP = ("BUTUH_PERBAIKAN", "Butuh Perbaikan")
    KURANG = ("KURANG", "Kurang")
    SANGAT_KURANG = ("SANGAT_KURANG", "Sangat Kurang")


# ---------------------------------------------------------------------------
# PermenPANRB 8/2021: capaian IKI and nilai capaian IKI (domain.md §1.4)
# ---------------------------------------------------------------------------


def _ratio_capaian(realisasi: Decimal, target: Decimal, lower_is_better: bool) -> Decimal:
    if target == 0:
        if realisasi == 0:
            # [U] Convention: realising exactly a zero target is full achievement.
            return _HUNDRED
        raise ScoringError(
            "Target IKI bernilai 0 sehingga capaian (Realisasi/Target × 100%) tidak "
            f"terdefinisi untuk realisasi {realisasi}. Gunakan target bukan nol, target "
            "rentang, atau pendekatan kualitatif."
        )
    # Multiply before dividing so exact results keep a clean exponent (90, not 90.0).
    percent = realisasi * _HUNDRED / target
    return 2 * _HUNDRED - percent if lower_is_better else percent


def capaian_iki(
    realisasi: Number,
    target: Number,
    *,
    target_max: Number | None = None,
    lower_is_better: bool = False,
) -> Decimal:
    """Compute capaian IKI in percent (PermenPANRB 8/2021, Lampiran).

    Normal IKI: ``Realisasi / Target × 100``. Lower-is-better IKI:
    ``(1 + (1 − Realisasi / Target)) × 100``. For a range target ``[target, target_max]`` a
    realisasi inside the range scores 100; above the range it is measured against the upper
    bound, below the range against the lower bound, with the same two formulas.

    The result is not capped (a realisasi above target gives more than 100) and, for
    lower-is-better IKI, it becomes negative when the realisasi exceeds twice the target;
    :func:`nilai_capaian_iki` floors the nilai at 0.

    Parameters
    ----------
    realisasi, target
        Realised value and target (lower bound when ``target_max`` is given).
    target_max
        Upper bound of a range target, ``>= target``.
    lower_is_better
        True for IKI where a smaller realisasi is better (e.g. jumlah temuan).

    Raises
    ------
    ScoringError
        If the target is negative, the range is inverted, or the formula would divide by a
        zero target. ``realisasi == target == 0`` is read as 100% (documented convention).

    Examples
    --------
    >>> capaian_iki(45, 50)
    Decimal('90')
    >>> capaian_iki(8, 10, lower_is_better=True)
    Decimal('120')
    >>> capaian_iki(85, 80, target_max=90)
    Decimal('100')
    >>> capaian_iki(99, 80, target_max=90)
    Decimal('110')
    """
    r = to_decimal(realisasi, "realisasi")
    low = to_decimal(target, "target")
    if low < 0:
        raise ScoringError(f"Target IKI tidak boleh negatif (diberikan {target}).")
    if target_max is None:
        return _ratio_capaian(r, low, lower_is_better)
    high = to_decimal(target_max, "target maksimum")
    if high < low:
        raise ScoringError(
            f"Target rentang tidak sah: batas atas {target_max} lebih kecil dari batas bawah "
            f"{target}."
        )
    if r > high:
        return _ratio_capaian(r, high, lower_is_better)
    if r < low:
        return _ratio_capaian(r, low, lower_is_better)
    return _HUNDRED


IkiCategory = Literal["Sangat Baik", "Baik", "Cukup", "Kurang", "Sangat Kurang"]


def capaian_category(capaian: Number, *, target_is_maximum: bool = False) -> IkiCategory:
    """Return the PermenPANRB 8/2021 category of a capaian IKI in percent.

    Bands: Sangat Baik ≥ 101 (or ≥ 100 when the target is the maximum possible), Baik
    100 ≤ c < 101, Cukup 80 ≤ c < 100, Kurang 60 ≤ c < 80, Sangat Kurang < 60. The source
    names the bands 80–99%, 60–79% and ≤ 59%; the half-open bounds here close its gaps. [U]

    Examples
    --------
    >>> capaian_category(100), capaian_category("99.5"), capaian_category(59)
    ('Baik', 'Cukup', 'Sangat Kurang')
    """
    c = to_decimal(capaian, "capaian")
    if c >= 101 or (target_is_maximum and c >= 100):
        return "Sangat Baik"
    if c >= 100:
        return "Baik"
    if c >= 80:
        return "Cukup"
    if c >= 60:
        return "Kurang"
    return "Sangat Kurang"


def nilai_capaian_iki(
    capaian: Number, *, target_is_maximum: bool = False
) -> tuple[Decimal, IkiCategory]:
    """Convert a capaian IKI (percent) into its nilai and category (PermenPANRB 8/2021).

    Published formulas (category bands as in :func:`capaian_category`):

    * Cukup: ``70 + (89 − 70) / (99 − 80) × (capaian − 80)``;
    * Kurang: ``50 + (69 − 50) / (79 − 60) × (capaian − 60)``;
    * Sangat Kurang: ``capaian / 59 × 49`` (floored at 0);
    * capaian > 110 → 120; capaian ≥ 100 on a target that is the maximum possible → 120.

    The Sangat Baik and Baik formulas were not retrieved [U]. SKP Cascade interpolates
    Sangat Baik ``101–110% → 110–120`` as ``110 + (120 − 110) / (110 − 101) × (capaian − 101)``
    and Baik ``100 ≤ capaian < 101`` as ``109 + (capaian − 100)``, which gives 109 for 100% as
    in the published JPT example and joins Sangat Baik continuously at 101%.

    Returns
    -------
    (nilai, category)
        Unrounded nilai in 0–120 and the category label.

    Examples
    --------
    >>> nilai_capaian_iki(100)
    (Decimal('109'), 'Baik')
    >>> nilai_capaian_iki(90)
    (Decimal('80'), 'Cukup')
    >>> nilai_capaian_iki(115)
    (Decimal('120'), 'Sangat Baik')
    >>> nilai_capaian_iki(100, target_is_maximum=True)
    (Decimal('120'), 'Sangat Baik')
    """
    c = to_decimal(capaian, "capaian")
    category = capaian_category(c, target_is_maximum=target_is_maximum)
    if category == "Sangat Baik":
        if c > 110 or target_is_maximum:
            return Decimal(120), category
        return Decimal(110) + (Decimal(120) - 110) / (Decimal(110) - 101) * (c - 101), category
    if category == "Baik":
        return Decimal(109) + (c - 100), category
    if category == "Cukup":
        return Decimal(70) + (Decimal(89) - 70) / (Decimal(99) - 80) * (c - 80), category
    if category == "Kurang":
        return Decimal(50) + (Decimal(69) - 50) / (Decimal(79) - 60) * (c - 60), category
    return max(_ZERO, c / 59 * 49), category


# ---------------------------------------------------------------------------
# PP 46/2011 + Perka BKN 1/2013 (domain.md §1.2, §8.1)
# ---------------------------------------------------------------------------

_EFFICIENCY_THRESHOLD = Decimal(24)
_EFFICIENCY_FACTOR = Decimal("1.76")


def kuantitas(ro: Number, to: Number) -> Decimal:
    """Compute the kuantitas aspect ``RO / TO × 100`` (PP 46/2011, Perka BKN 1/2013).

    Examples
    --------
    >>> kuantitas(1, 1)
    Decimal('100')
    """
    return to_decimal(ro, "realisasi output") * _HUNDRED / _positive(to, "Target output")


def kualitas(rk: Number, tk: Number = 100) -> Decimal:
    """Compute the kualitas aspect ``RK / TK × 100`` (PP 46/2011, Perka BKN 1/2013).

    Examples
    --------
    >>> kualitas(90)
    Decimal('90')
    """
    return to_decimal(rk, "realisasi kualitas") * _HUNDRED / _positive(tk, "Target kualitas")


def _efficiency_aspect(realisasi: Decimal, target: Decimal) -> Decimal:
    # Exact Decimal comparison: an efficiency of exactly 24% must take the <= 24 branch,
    # which binary floats get wrong (100 - 9.12 / 12 * 100 == 24.000000000000014).
    efisiensi = _HUNDRED - realisasi / target * _HUNDRED
    base = (_EFFICIENCY_FACTOR * target - realisasi) / target * _HUNDRED
    if efisiensi <= _EFFICIENCY_THRESHOLD:
        return base
    return Decimal(76) - (base - _HUNDRED)


def waktu(rw: Number, tw: Number) -> Decimal:
    """Compute the waktu aspect with the 1.76 efficiency rule (PP 46/2011, Perka BKN 1/2013).

    ``efisiensi = 100 − RW / TW × 100``; if ``efisiensi ≤ 24`` then
    ``((1.76 × TW − RW) / TW) × 100``, else ``76 − ((((1.76 × TW − RW) / TW) × 100) − 100)``.
    The branch is decided in exact Decimal arithmetic. The result is not clamped: a
    realisasi above 1.76 × target gives a negative score, as the published formula does.

    Examples
    --------
    >>> waktu(12, 12)
    Decimal('76.00')
    >>> waktu(9.12, 12)  # efisiensi exactly 24% takes the <= 24 branch
    Decimal('100.00')
    >>> round_score(waktu("9.1188", 12))  # efisiensi 24.01%
    Decimal('75.99')
    """
    return _efficiency_aspect(to_decimal(rw, "realisasi waktu"), _positive(tw, "Target waktu"))


def biaya(rb: Number, tb: Number) -> Decimal:
    """Compute the biaya aspect with the 1.76 efficiency rule (PP 46/2011, Perka BKN 1/2013).

    Same two branches as :func:`waktu`, with TB/RB.

    Examples
    --------
    >>> biaya(170_395_000, 170_395_000)
    Decimal('76.00')
    """
    return _efficiency_aspect(to_decimal(rb, "realisasi biaya"), _positive(tb, "Target biaya"))


@dataclass(frozen=True)
class KegiatanCapaian:
    """Aspect scores of one SKP kegiatan under PP 46/2011."""

    kuantitas: Decimal
    kualitas: Decimal
    waktu: Decimal
    biaya: Decimal | None
    perhitungan: Decimal
    nilai_capaian: Decimal


def capaian_kegiatan(
    *,
    ro: Number,
    to: Number,
    rk: Number,
    rw: Number,
    tw: Number,
    tk: Number = 100,
    rb: Number | None = None,
    tb: Number | None = None,
) -> KegiatanCapaian:
    """Score one kegiatan tugas jabatan aspect by aspect (PP 46/2011, Perka BKN 1/2013).

    ``Perhitungan = Kuantitas + Kualitas + Waktu [+ Biaya]``; nilai capaian is Perhitungan
    divided by 3, or by 4 when the kegiatan has a biaya target (``tb`` given and non-zero).
    Biaya is added to the sum in that case (the papamas/ekinerja bug that divides by 4
    without adding biaya is not copied).

    Raises
    ------
    ScoringError
        If a target is not positive, or ``tb`` is given without ``rb``.

    Examples
    --------
    >>> c = capaian_kegiatan(ro=1, to=1, rk=90, rw=12, tw=12, rb=170_395_000, tb=170_395_000)
    >>> c.perhitungan, round_score(c.nilai_capaian)
    (Decimal('342.00'), Decimal('85.50'))
    """
    aspects = [kuantitas(ro, to), kualitas(rk, tk), waktu(rw, tw)]
    biaya_value: Decimal | None = None
    if tb is not None and to_decimal(tb, "Target biaya") != 0:
        if rb is None:
            raise ScoringError("Realisasi biaya wajib diisi karena kegiatan memiliki target biaya.")
        biaya_value = biaya(rb, tb)
        aspects.append(biaya_value)
    perhitungan = sum(aspects, _ZERO)
    return KegiatanCapaian(
        kuantitas=aspects[0],
        kualitas=aspects[1],
        waktu=aspects[2],
        biaya=biaya_value,
        perhitungan=perhitungan,
        nilai_capaian=perhitungan / len(aspects),
    )


def nilai_capaian_kegiatan(
    *,
    ro: Number,
    to: Number,
    rk: Number,
    rw: Number,
    tw: Number,
    tk: Number = 100,
    rb: Number | None = None,
    tb: Number | None = None,
) -> Decimal:
    """Return the nilai capaian of one kegiatan (PP 46/2011, Perka BKN 1/2013).

    See :func:`capaian_kegiatan` for the rule.

    Examples
    --------
    >>> nilai_capaian_kegiatan(ro=1, to=1, rk=90, rw=12, tw=12, rb=170_395_000, tb=170_395_000)
    Decimal('85.50')
    """
    return capaian_kegiatan(ro=ro, to=to, rk=rk, rw=rw, tw=tw, tk=tk, rb=rb, tb=tb).nilai_capaian


def nilai_tugas_tambahan(count: int) -> int:
    """Return the tugas tambahan score for a number of additional duties (Perka BKN 1/2013).

    0 → 0, 1–3 → 1, 4–6 → 2, ≥ 7 → 3, as implemented in papamas/ekinerja ``c_pdf.php`` [S].
    """
    n = _count(count, "Jumlah tugas tambahan")
    if n == 0:
        return 0
    if n <= 3:
        return 1
    if n <= 6:
        return 2
    return 3


def nilai_capaian_skp(
    kegiatan_values: Iterable[Number],
    tugas_tambahan_count: int = 0,
    kreativitas: Number = 0,
) -> Decimal:
    """Average the kegiatan values and add tugas tambahan and kreativitas (PP 46/2011).

    Kreativitas is taken as given (Perka BKN 1/2013 suggests 3 / 6 / 12 for recognition at
    unit-kerja / PPK / President level [U]).

    Raises
    ------
    ScoringError
        If there is no kegiatan or kreativitas is negative.

    Examples
    --------
    >>> nilai_capaian_skp([80, 90], tugas_tambahan_count=2, kreativitas=3)
    Decimal('89')
    """
    values = [to_decimal(v, "nilai capaian kegiatan") for v in kegiatan_values]
    if not values:
        raise ScoringError("Nilai capaian SKP membutuhkan paling sedikit satu kegiatan.")
    extra = nilai_tugas_tambahan(tugas_tambahan_count) + _non_negative(kreativitas, "Kreativitas")
    return sum(values, _ZERO) / len(values) + extra


def nilai_prestasi_kerja(nilai_skp: Number, nilai_perilaku: Number) -> Decimal:
    """Weigh nilai SKP 60% and nilai perilaku kerja 40% (PP 46/2011 Pasal 20).

    Examples
    --------
    >>> nilai_prestasi_kerja(85.5, 80)
    Decimal('83.3')
    """
    skp = to_decimal(nilai_skp, "nilai SKP")
    perilaku = to_decimal(nilai_perilaku, "nilai perilaku")
    return (skp * 60 + perilaku * 40) / _HUNDRED


Pp46Predikat = Literal["Sangat Baik", "Baik", "Cukup", "Kurang", "Buruk"]


def predikat_pp46(nilai: Number) -> Pp46Predikat:
    """Return the PP 46/2011 predikat of a nilai (Perka BKN 1/2013).

    Sangat Baik 91–100 (> 90), Baik 76–90, Cukup 61–75, Kurang 51–60, Buruk ≤ 50; a
    fractional nilai falls in the band above the integer bound it exceeds, as in
    papamas/ekinerja ``ket_nilai()``.

    Examples
    --------
    >>> predikat_pp46(85.5), predikat_pp46(90), predikat_pp46("90.01"), predikat_pp46(50)
    ('Baik', 'Baik', 'Sangat Baik', 'Buruk')
    """
    x = to_decimal(nilai, "nilai")
    if x <= 50:
        return "Buruk"
    if x <= 60:
        return "Kurang"
    if x <= 75:
        return "Cukup"
    if x <= 90:
        return "Baik"
    return "Sangat Baik"


# ---------------------------------------------------------------------------
# PP 30/2019 Pasal 41 (domain.md §1.3, §11.3)
# ---------------------------------------------------------------------------


def nilai_kinerja_pp30(
    nilai_skp: Number, nilai_perilaku: Number, *, uses_360: bool = False
) -> Decimal:
    """Weigh SKP and perilaku 70/30, or 60/40 with 360° input (PP 30/2019 Pasal 41).

    Examples
    --------
    >>> nilai_kinerja_pp30(100, 90)
    Decimal('97')
    >>> nilai_kinerja_pp30(100, 90, uses_360=True)
    Decimal('96')
    """
    skp = to_decimal(nilai_skp, "nilai SKP")
    perilaku = to_decimal(nilai_perilaku, "nilai perilaku")
    weight = 60 if uses_360 else 70
    return (skp * weight + perilaku * (100 - weight)) / _HUNDRED


Pp30Predikat = Literal["Sangat Baik", "Baik", "Cukup", "Kurang", "Sangat Kurang"]


def predikat_pp30(
    nilai: Number,
    has_innovation: bool = False,
    *,
    sangat_baik_min: Number = 110,
    baik_min: Number = 90,
    cukup_min: Number = 70,
    kurang_min: Number = 50,
) -> Pp30Predikat:
    """Return the PP 30/2019 Pasal 41 predikat of a nilai kinerja (0–120).

    Sangat Baik: ``110 ≤ x ≤ 120`` and the PNS produced a useful new idea or method
    (``has_innovation``); Baik: ``90 ≤ x ≤ 120``; Cukup: ``70 ≤ x < 90``. Kurang
    ``50 ≤ x < 70`` and Sangat Kurang ``x < 50`` are inferred [U]; every threshold is a keyword.

    Raises
    ------
    ScoringError
        If the nilai is outside 0–120 or the thresholds are not strictly descending.

    Examples
    --------
    >>> predikat_pp30(115), predikat_pp30(115, has_innovation=True), predikat_pp30(69.99)
    ('Baik', 'Sangat Baik', 'Kurang')
    """
    x = to_decimal(nilai, "nilai kinerja")
    if not 0 <= x <= 120:
        raise ScoringError(f"Nilai kinerja PP 30/2019 harus 0–120 (diberikan {nilai}).")
    sb, b, c, k = (
        to_decimal(sangat_baik_min, "batas Sangat Baik"),
        to_decimal(baik_min, "batas Baik"),
        to_decimal(cukup_min, "batas Cukup"),
        to_decimal(kurang_min, "batas Kurang"),
    )
    if not sb > b > c > k:
        raise ScoringError(
            "Batas predikat harus menurun: Sangat Baik > Baik > Cukup > Kurang "
            f"(diberikan {sangat_baik_min}, {baik_min}, {cukup_min}, {kurang_min})."
        )
    if x >= sb and has_innovation:
        return "Sangat Baik"
    if x >= b:
        return "Baik"
    if x >= c:
        return "Cukup"
    if x >= k:
        return "Kurang"
    return "Sangat Kurang"


# ---------------------------------------------------------------------------
# PermenPANRB 6/2022: ratings and predikat (domain.md §4.4, §8.5, §11.1)
# ---------------------------------------------------------------------------

PREDIKAT_MATRIX: Mapping[tuple[Rating, Rating], Predikat] = MappingProxyType(
    {
        (Rating.DI_ATAS, Rating.DI_ATAS): Predikat.SANGAT_BAIK,
        (Rating.DI_ATAS, Rating.SESUAI): Predikat.BAIK,
        (Rating.DI_ATAS, Rating.DI_BAWAH): Predikat.KURANG,
        (Rating.SESUAI, Rating.DI_ATAS): Predikat.BAIK,
        (Rating.SESUAI, Rating.SESUAI): Predikat.BAIK,
        (Rating.SESUAI, Rating.DI_BAWAH): Predikat.KURANG,
        (Rating.DI_BAWAH, Rating.DI_ATAS): Predikat.BUTUH_PERBAIKAN,
        (Rating.DI_BAWAH, Rating.SESUAI): Predikat.BUTUH_PERBAIKAN,
        (Rating.DI_BAWAH, Rating.DI_BAWAH): Predikat.SANGAT_KURANG,
    }
)
"""(rating hasil kerja, rating perilaku) → predikat; SE MenPANRB 3/2023 kuadran."""


def predikat_from_ratings(hasil: Rating | int | str, perilaku: Rating | int | str) -> Predikat:
    """Read the predikat from the kuadran of the two ratings (PermenPANRB 6/2022).

    Ratings may be :class:`Rating` members or SIASN ids 1/2/3 (Di Atas/Sesuai/Di Bawah).
    Perilaku Di Bawah always gives Kurang/Misconduct, or Sangat Kurang when hasil is also
    Di Bawah.

    Examples
    --------
    >>> predikat_from_ratings(1, 2).siasn_id, predikat_from_ratings(2, 3).siasn_id
    (2, 4)
    >>> predikat_from_ratings(Rating.DI_BAWAH, Rating.DI_BAWAH).label
    'Sangat Kurang'
    """
    return PREDIKAT_MATRIX[(Rating.coerce(hasil), Rating.coerce(perilaku))]


def suggest_rating_hasil_kerja(
    capaians: Iterable[Number | None],
    *,
    di_atas_min: Number = 101,
    sesuai_min: Number = 80,
) -> Rating | None:
    """Suggest a rating hasil kerja from the capaian of the RHK utama (SKP Cascade §11.1).

    PermenPANRB 6/2022 leaves the rating to the pejabat penilai; the suggestion uses the
    average capaian IKI (PermenPANRB 8/2021 formula): ≥ 101 → Di Atas, 80 up to below 101 →
    Sesuai, < 80 → Di Bawah. ``None`` capaian (no data) are ignored; no data gives ``None``.

    Examples
    --------
    >>> suggest_rating_hasil_kerja([100, 104]).label
    'Di Atas Ekspektasi'
    >>> suggest_rating_hasil_kerja([]) is None
    True
    """
    upper = to_decimal(di_atas_min, "batas Di Atas")
    lower = to_decimal(sesuai_min, "batas Sesuai")
    if not upper > lower:
        raise ScoringError(
            f"Batas Di Atas ({di_atas_min}) harus lebih besar dari batas Sesuai ({sesuai_min})."
        )
    values = [to_decimal(c, "capaian") for c in capaians if c is not None]
    if not values:
        return None
    average = sum(values, _ZERO) / len(values)
    if average >= upper:
        return Rating.DI_ATAS
    if average >= lower:
        return Rating.SESUAI
    return Rating.DI_BAWAH


# ---------------------------------------------------------------------------
# SE MenPANRB 3/2023: distribution curve (domain.md §4.5, §11.2)
# ---------------------------------------------------------------------------

CurveKind = Literal["max_pct", "min_pct", "at_least_one", "none"]


@dataclass(frozen=True)
class CurveRule:
    """One clause of the SE MenPANRB 3/2023 distribution table."""

    code: str
    clause: str
    predikat: tuple[Predikat, ...]
    kind: CurveKind
    percent: int = 0

    @property
    def bound(self) -> Literal["min", "max"]:
        """Whether the clause sets a minimum or a maximum number of employees."""
        return "max" if self.kind in ("max_pct", "none") else "min"

    def required(self, n: int) -> int:
        """Return the number of employees the clause allows (max) or requires (min) of ``n``.

        "maks p%" → ``floor(p·n/100)``, "minimal p%" → ``ceil(p·n/100)``, "harus ada" → 1,
        "tidak boleh ada" → 0 (SKP Cascade §11.2).
        """
        if self.kind == "max_pct":
            return self.percent * n // 100
        if self.kind == "min_pct":
            return -(-self.percent * n // 100)
        if self.kind == "at_least_one":
            return 1 if n > 0 else 0
        return 0


@dataclass(frozen=True)
class CurveViolation:
    """A clause of the distribution curve that the counted predikat break."""

    code: str
    clause: str
    predikat: tuple[Predikat, ...]
    bound: Literal["min", "max"]
    required: int
    actual: int
    total: int

    @property
    def message(self) -> str:
        """Explain the violation in Indonesian."""
        if self.bound == "min":
            need = f"paling sedikit {self.required}"
        else:
            need = f"paling banyak {self.required}"
        names = " + ".join(p.label for p in self.predikat)
        return (
            f"{self.clause} Dari {self.total} pegawai, {names} harus {need} orang; "
            f"saat ini {self.actual} orang."
        )


_P = Predikat


def _org(label: str) -> str:
    return f"Predikat kinerja organisasi {label}:"


_CURVE_RULES: Mapping[OrgPredikat, tuple[CurveRule, ...]] = MappingProxyType(
    {
        OrgPredikat.ISTIMEWA: (
            CurveRule(
                "ISTIMEWA_SANGAT_BAIK_MAKS_70",
                f"{_org('Istimewa')} sebagian besar (maksimal 70%) pegawai berpredikat "
                "Sangat Baik.",
                (_P.SANGAT_BAIK,),
                "max_pct",
                70,
            ),
        ),
        OrgPredikat.BAIK: (
            CurveRule(
                "BAIK_BAIK_MAKS_70",
                f"{_org('Baik')} sebagian besar (maksimal 70%) pegawai berpredikat Baik.",
                (_P.BAIK,),
                "max_pct",
                70,
            ),
            CurveRule(
                "BAIK_BUTUH_PERBAIKAN_ATAU_KURANG_HARUS_ADA",
                f"{_org('Baik')} harus ada pegawai berpredikat Butuh Perbaikan dan/atau "
                "Kurang/Misconduct.",
                (_P.BUTUH_PERBAIKAN, _P.KURANG),
                "at_least_one",
            ),
        ),
        OrgPredikat.BUTUH_PERBAIKAN: (
            CurveRule(
                "BUTUH_PERBAIKAN_BUTUH_PERBAIKAN_MIN_60",
                f"{_org('Butuh Perbaikan/Cukup')} paling sedikit 60% pegawai berpredikat "
                "Butuh Perbaikan.",
                (_P.BUTUH_PERBAIKAN,),
                "min_pct",
                60,
            ),
            CurveRule(
                "BUTUH_PERBAIKAN_SANGAT_BAIK_MAKS_10",
                f"{_org('Butuh Perbaikan/Cukup')} pegawai berpredikat Sangat Baik maksimal 10%.",
                (_P.SANGAT_BAIK,),
                "max_pct",
                10,
            ),
        ),
        OrgPredikat.KURANG: (
            CurveRule(
                "KURANG_KURANG_MIN_60",
                f"{_org('Kurang')} paling sedikit 60% pegawai berpredikat Kurang/Misconduct.",
                (_P.KURANG,),
                "min_pct",
                60,
            ),
            CurveRule(
                "KURANG_BUTUH_PERBAIKAN_MIN_10",
                f"{_org('Kurang')} paling sedikit 10% pegawai berpredikat Butuh Perbaikan.",
                (_P.BUTUH_PERBAIKAN,),
                "min_pct",
                10,
            ),
            CurveRule(
                "KURANG_SANGAT_BAIK_MAKS_10",
                f"{_org('Kurang')} pegawai berpredikat Sangat Baik maksimal 10%.",
                (_P.SANGAT_BAIK,),
                "max_pct",
                10,
            ),
        ),
        OrgPredikat.SANGAT_KURANG: (
            CurveRule(
                "SANGAT_KURANG_SANGAT_KURANG_MIN_60",
                f"{_org('Sangat Kurang')} paling sedikit 60% pegawai berpredikat Sangat Kurang.",
                (_P.SANGAT_KURANG,),
                "min_pct",
                60,
            ),
            CurveRule(
                "SANGAT_KURANG_KURANG_ATAU_BUTUH_PERBAIKAN_MIN_10",
                f"{_org('Sangat Kurang')} paling sedikit 10% pegawai berpredikat "
                "Kurang/Misconduct dan/atau Butuh Perbaikan.",
                (_P.KURANG, _P.BUTUH_PERBAIKAN),
                "min_pct",
                10,
            ),
            CurveRule(
                "SANGAT_KURANG_SANGAT_BAIK_TIDAK_BOLEH",
                f"{_org('Sangat Kurang')} tidak boleh ada pegawai berpredikat Sangat Baik.",
                (_P.SANGAT_BAIK,),
                "none",
            ),
        ),
    }
)


def curve_rules(org_predikat: OrgPredikat | str) -> tuple[CurveRule, ...]:
    """Return the clauses of the distribution table for an org predikat (SE MenPANRB 3/2023)."""
    return _CURVE_RULES[OrgPredikat.coerce(org_predikat)]


def _normalise_counts(counts: Mapping[Predikat | int | str, int]) -> dict[Predikat, int]:
    result = dict.fromkeys(Predikat, 0)
    for key, value in counts.items():
        predikat = Predikat.coerce(key)
        result[predikat] += _count(value, f"Jumlah pegawai {predikat.label}")
    return result


def check_distribution(
    org_predikat: OrgPredikat | str,
    counts: Mapping[Predikat | int | str, int],
) -> list[CurveViolation]:
    """List the clauses of the SE MenPANRB 3/2023 distribution curve that ``counts`` break.

    ``counts`` maps each employee predikat (member, SIASN id or name) to the number of
    employees of the organisation with it; missing predikat count 0. Percentages become
    head-counts per SKP Cascade §11.2: "maks p%" → ``floor(p·n/100)``, "minimal p%" →
    ``ceil(p·n/100)``, "harus ada" → ≥ 1; "sebagian besar" does not require a plurality. An
    organisation without employees has no violation. Small units may be unable to satisfy
    every clause (e.g. Kurang with n = 1); the violation is still reported, and whether it
    warns or blocks is the caller's policy.

    Examples
    --------
    >>> check_distribution(OrgPredikat.BAIK, {Predikat.BAIK: 2, Predikat.BUTUH_PERBAIKAN: 1})
    []
    >>> [v.code for v in check_distribution("BAIK", {Predikat.BAIK: 3})]
    ['BAIK_BAIK_MAKS_70', 'BAIK_BUTUH_PERBAIKAN_ATAU_KURANG_HARUS_ADA']
    """
    rules = curve_rules(org_predikat)
    normalised = _normalise_counts(counts)
    n = sum(normalised.values())
    if n == 0:
        return []
    violations = []
    for rule in rules:
        actual = sum(normalised[p] for p in rule.predikat)
        required = rule.required(n)
        broken = actual > required if rule.bound == "max" else actual < required
        if broken:
            violations.append(
                CurveViolation(
                    code=rule.code,
                    clause=rule.clause,
                    predikat=rule.predikat,
                    bound=rule.bound,
                    required=required,
                    actual=actual,
                    total=n,
                )
            )
    return violations


class CurveLimit(NamedTuple):
    """Minimum and maximum head-count of one predikat."""

    min: int
    max: int


def curve_limits(org_predikat: OrgPredikat | str, n: int) -> dict[Predikat, CurveLimit]:
    """Return the allowed head-count range of each predikat for display (SE MenPANRB 3/2023).

    Only clauses naming a single predikat narrow its range; clauses on a group (e.g.
    "Butuh Perbaikan dan/atau Kurang") are in :func:`curve_rules`.

    Examples
    --------
    >>> limits = curve_limits(OrgPredikat.KURANG, 7)
    >>> limits[Predikat.KURANG], limits[Predikat.SANGAT_BAIK], limits[Predikat.BAIK]
    (CurveLimit(min=5, max=7), CurveLimit(min=0, max=0), CurveLimit(min=0, max=7))
    """
    total = _count(n, "Jumlah pegawai")
    limits = {p: CurveLimit(0, total) for p in Predikat}
    for rule in curve_rules(org_predikat):
        if len(rule.predikat) != 1:
            continue
        (predikat,) = rule.predikat
        low, high = limits[predikat]
        if rule.bound == "max":
            limits[predikat] = CurveLimit(low, min(high, rule.required(total)))
        else:
            limits[predikat] = CurveLimit(max(low, rule.required(total)), high)
    return limits


# ---------------------------------------------------------------------------
# Angka kredit (domain.md §4.6, §11.7)
# ---------------------------------------------------------------------------

JENJANG_KOEFISIEN: Mapping[str, Decimal] = MappingProxyType(
    {
        "PT": Decimal("12.5"),  # Ahli Pertama
        "MU": Decimal("25"),  # Ahli Muda
        "MA": Decimal("37.5"),  # Ahli Madya
        "UT": Decimal("50"),  # Ahli Utama
        "PM": Decimal("3.75"),  # Pemula
        "TR": Decimal("5"),  # Terampil
        "MH": Decimal("12.5"),  # Mahir
        "PY": Decimal("25"),  # Penyelia
    }
)
"""Annual koefisien per jenjang JF code (SIASN reference ``koefisien``)."""

AK_PERSENTASE: Mapping[Predikat, Decimal] = MappingProxyType(
    {
        Predikat.SANGAT_BAIK: Decimal(150),
        Predikat.BAIK: Decimal(100),
        Predikat.BUTUH_PERBAIKAN: Decimal(75),
        Predikat.KURANG: Decimal(50),
        Predikat.SANGAT_KURANG: Decimal(25),
    }
)
"""Percentage of the koefisien earned per predikat (Peraturan BKN 3/2023)."""


def angka_kredit(predikat: Predikat | int | str, jenjang_code: str, months: int = 12) -> Decimal:
    """Convert a predikat into angka kredit for a JF jenjang (Peraturan BKN 3/2023).

    ``AK = koefisien tahunan × persentase predikat × months / 12``, rounded half-up to 3
    decimals (SKP Cascade §11.7).

    Raises
    ------
    ScoringError
        For an unknown jenjang code or months outside 1–12.

    Examples
    --------
    >>> angka_kredit(Predikat.BUTUH_PERBAIKAN, "PM")
    Decimal('2.813')
    >>> angka_kredit(Predikat.BAIK, "PT", months=6)
    Decimal('6.250')
    """
    code = str(jenjang_code).strip().upper()
    if code not in JENJANG_KOEFISIEN:
        known = ", ".join(JENJANG_KOEFISIEN)
        raise ScoringError(f"Kode jenjang JF {jenjang_code!r} tidak dikenal (dikenal: {known}).")
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 12:
        raise ScoringError(f"Jumlah bulan harus bilangan bulat 1–12 (diberikan {months!r}).")
    percent = AK_PERSENTASE[Predikat.coerce(predikat)]
    value = JENJANG_KOEFISIEN[code] * percent / _HUNDRED * months / 12
    return round_score(value, 3)


# ---------------------------------------------------------------------------
# Activity points (domain.md §5.1, §11.5)
# ---------------------------------------------------------------------------

DEFAULT_DAILY_POINTS = 300
"""Minimum points per working day (Minahasa Tenggara rule; one point = one minute)."""

DEFAULT_MONTHLY_POINTS = 6000
"""Minimum points per month (Minahasa Tenggara rule)."""


def activity_points(minutes: Number, multiplier: Number = 1) -> Decimal:
    """Convert effective minutes of an approved activity into points (SKP Cascade §11.5).

    One point is one effective minute, times the workload multiplier of the OPD.

    Examples
    --------
    >>> activity_points(90, "1.25")
    Decimal('112.50')
    """
    return _non_negative(minutes, "Menit kegiatan") * _positive(multiplier, "Pengali beban kerja")


# ---------------------------------------------------------------------------
# Roll-up and projection
# ---------------------------------------------------------------------------


def rollup_capaian(
    children: Iterable[tuple[Number | None, Number]],
) -> Decimal | None:
    """Return the weighted mean capaian of child indicators, ignoring those without data.

    Each child is ``(capaian or None, weight)``. Weights must not be negative. When every
    child with data weighs 0 the plain mean of their capaian is returned; when no child has
    data the result is ``None``.

    Examples
    --------
    >>> rollup_capaian([(Decimal(100), 2), (Decimal(70), 1), (None, 5)])
    Decimal('90')
    >>> rollup_capaian([(None, 1)]) is None
    True
    """
    pairs = []
    for capaian, weight in children:
        w = _non_negative(weight, "Bobot")
        if capaian is not None:
            pairs.append((to_decimal(capaian, "capaian"), w))
    if not pairs:
        return None
    total_weight = sum((w for _, w in pairs), _ZERO)
    if total_weight == 0:
        return sum((c for c, _ in pairs), _ZERO) / len(pairs)
    return sum((c * w for c, w in pairs), _ZERO) / total_weight


class YearEndProjection(NamedTuple):
    """Projected year-end cumulative value and whether it misses the target."""

    value: Decimal
    will_miss: bool


def project_year_end(
    monthly_values: Sequence[tuple[int, Number]],
    target: Number,
    *,
    lower_is_better: bool = False,
    year_end_month: int = 12,
) -> YearEndProjection:
    """Project the cumulative realisasi at year end with a least-squares linear trend.

    ``monthly_values`` are ``(month 1–12, cumulative value)`` pairs. With two or more
    distinct months the fitted line ``a + b·month`` is evaluated at ``year_end_month``; with
    a single month the run rate ``value × year_end_month / month`` is used. ``will_miss``
    is ``projection < target`` (``>`` when lower is better).

    Raises
    ------
    ScoringError
        With no data or a month outside 1–12.

    Examples
    --------
    >>> project_year_end([(1, 10), (2, 20), (3, 30)], 100)
    YearEndProjection(value=Decimal('120'), will_miss=False)
    >>> project_year_end([(6, 40)], 100)
    YearEndProjection(value=Decimal('80'), will_miss=True)
    """
    end = _month(year_end_month)
    points = [(_month(m), to_decimal(v, "realisasi")) for m, v in monthly_values]
    if not points:
        raise ScoringError("Proyeksi akhir tahun membutuhkan paling sedikit satu realisasi.")
    goal = to_decimal(target, "target")
    xs = [Decimal(m) for m, _ in points]
    ys = [v for _, v in points]
    mean_x = sum(xs, _ZERO) / len(xs)
    mean_y = sum(ys, _ZERO) / len(ys)
    sxx = sum(((x - mean_x) ** 2 for x in xs), _ZERO)
    if sxx == 0:
        value = mean_y * end / mean_x
    else:
        sxy = sum(((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)), _ZERO)
        slope = sxy / sxx
        value = mean_y + slope * (end - mean_x)
    will_miss = value > goal if lower_is_better else value < goal
    return YearEndProjection(value, will_miss)


def _month(month: int) -> int:
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise ScoringError(f"Bulan harus bilangan bulat 1–12 (diberikan {month!r}).")
    return month
