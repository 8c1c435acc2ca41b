"""Pure calculations behind the dashboards: IKI capaian over months, projections, working days,
workload bands and the talent grid.

No Flask, no database: plain values in, plain values out. The regulation formulas themselves
live in :mod:`skp_app.realization.scoring`; this module only decides which numbers to feed them.

Conventions (the same as the capaian roll-up of the realization pages):

* a *kuantitas* IKI is measured by the **sum** of its monthly realisasi up to a month, against
  its (annual) target, so its capaian grows through the year;
* the other aspects (kualitas, waktu, biaya) are measured by their **latest** monthly value up
  to that month.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from skp_app.realization.scoring import (
    ScoringError,
    YearEndProjection,
    capaian_iki,
    project_year_end,
    rollup_capaian,
)

__all__ = [
    "BAND_LABELS",
    "CAPAIAN_BANDS",
    "TREND_LABELS",
    "IkiSeries",
    "bidang_of",
    "fmt_number",
    "target_text",
    "capaian_band",
    "iki_capaian_at",
    "iki_projection",
    "iki_value_at",
    "mean_capaian",
    "previous_month",
    "talent_cell",
    "predikat_trend",
    "prorate_factor",
    "workload_band",
    "working_days",
]

#: Workload ratio bands: (key, label, lower bound inclusive). Ratio = reported minutes /
#: available minutes.
WORKLOAD_LOW = Decimal("0.8")
WORKLOAD_HIGH = Decimal("1.2")
BAND_LABELS: Mapping[str, str] = {
    "kurang": "Kurang beban (< 0,8)",
    "sesuai": "Sesuai (0,8–1,2)",
    "lebih": "Lebih beban (> 1,2)",
    "nihil": "Tidak ada laporan",
}
#: Capaian bands of the talent grid, after the suggested rating of SKP Cascade §11.1.
CAPAIAN_BANDS: Mapping[str, str] = {
    "bawah": "Capaian < 80%",
    "sesuai": "Capaian 80–100%",
    "atas": "Capaian ≥ 101%",
}
TREND_LABELS: Mapping[str, str] = {
    "naik": "Predikat meningkat",
    "stabil": "Predikat stabil",
    "turun": "Predikat menurun",
}


@dataclass
class IkiSeries:
    """One IKI with its target and its monthly realisasi (month → value)."""

    iki_id: int
    aspek: str
    target: Decimal | None
    target_max: Decimal | None = None
    lower_is_better: bool = False
    monthly: dict[int, Decimal] = field(default_factory=dict)

    @property
    def is_cumulative(self) -> bool:
        return (self.aspek or "kuantitas").lower() == "kuantitas"


def iki_value_at(series: IkiSeries, month: int) -> Decimal | None:
    """Return the realised value of an IKI by ``month`` (sum for kuantitas, else latest).

    Examples
    --------
    >>> s = IkiSeries(1, "kuantitas", Decimal(12), monthly={1: Decimal(2), 3: Decimal(4)})
    >>> iki_value_at(s, 2), iki_value_at(s, 3)
    (Decimal('2'), Decimal('6'))
    >>> iki_value_at(IkiSeries(2, "kualitas", Decimal(100), monthly={1: Decimal(90)}), 5)
    Decimal('90')
    """
    months = [m for m in series.monthly if m <= month]
    if not months:
        return None
    if series.is_cumulative:
        return sum((series.monthly[m] for m in months), Decimal(0))
    return series.monthly[max(months)]


def iki_capaian_at(series: IkiSeries, month: int) -> Decimal | None:
    """Return the capaian (percent) of an IKI by ``month``, or None without data or target.

    Uses :func:`skp_app.realization.scoring.capaian_iki` (PermenPANRB 8/2021); an IKI whose
    formula is undefined (a zero target with a non-zero realisasi) has no capaian.

    Examples
    --------
    >>> s = IkiSeries(1, "kuantitas", Decimal(12), monthly={1: Decimal(3), 2: Decimal(3)})
    >>> iki_capaian_at(s, 2)
    Decimal('50')
    """
    if series.target is None:
        return None
    value = iki_value_at(series, month)
    if value is None:
        return None
    try:
        return capaian_iki(
            value,
            series.target,
            target_max=series.target_max,
            lower_is_better=series.lower_is_better,
        )
    except ScoringError:
        return None


def iki_projection(series: IkiSeries, month: int) -> YearEndProjection | None:
    """Project an IKI to year end from its data up to ``month`` (None without data or target).

    Kuantitas IKI are projected on their cumulative sum, the others on their monthly values
    (:func:`skp_app.realization.scoring.project_year_end`).

    Examples
    --------
    >>> s = IkiSeries(1, "kuantitas", Decimal(12), monthly={1: Decimal(1), 2: Decimal(1)})
    >>> iki_projection(s, 2)
    YearEndProjection(value=Decimal('12.0'), will_miss=False)
    """
    if series.target is None:
        return None
    months = sorted(m for m in series.monthly if m <= month)
    if not months:
        return None
    points: list[tuple[int, Decimal]] = []
    running = Decimal(0)
    for m in months:
        if series.is_cumulative:
            running += series.monthly[m]
            points.append((m, running))
        else:
            points.append((m, series.monthly[m]))
    goal = series.target
    if series.target_max is not None and series.lower_is_better:
        goal = series.target_max
    try:
        return project_year_end(points, goal, lower_is_better=series.lower_is_better)
    except ScoringError:
        return None


def mean_capaian(values: Iterable[Decimal | None]) -> Decimal | None:
    """Return the plain mean of the capaian that have data (None when none has).

    Examples
    --------
    >>> mean_capaian([Decimal(100), None, Decimal(80)])
    Decimal('90')
    """
    return rollup_capaian((v, 1) for v in values)


def previous_month(tahun: int, bulan: int) -> tuple[int, int]:
    """Return the month before ``(tahun, bulan)``.

    Examples
    --------
    >>> previous_month(2026, 1), previous_month(2026, 7)
    ((2025, 12), (2026, 6))
    """
    return (tahun - 1, 12) if bulan == 1 else (tahun, bulan - 1)


def working_days(
    tahun: int, bulan: int, holidays: Iterable[date] = (), *, until: date | None = None
) -> int:
    """Count Monday–Friday days of a month that are not holidays, up to ``until`` if given.

    Examples
    --------
    >>> working_days(2026, 2)
    20
    >>> working_days(2026, 2, [date(2026, 2, 17)], until=date(2026, 2, 18))
    12
    """
    off = set(holidays)
    last = calendar.monthrange(tahun, bulan)[1]
    count = 0
    for day in range(1, last + 1):
        d = date(tahun, bulan, day)
        if until is not None and d > until:
            break
        if d.weekday() < 5 and d not in off:
            count += 1
    return count


def workload_band(ratio: Decimal | float | None) -> str:
    """Return the workload band of a ratio of reported to available minutes.

    ``nihil`` when nothing was reported, ``kurang`` below 0.8, ``lebih`` above 1.2, else
    ``sesuai`` (bounds included in ``sesuai``).

    Examples
    --------
    >>> [workload_band(x) for x in (None, 0, 0.5, 0.8, 1.2, 1.3)]
    ['nihil', 'nihil', 'kurang', 'sesuai', 'sesuai', 'lebih']
    """
    if ratio is None or ratio == 0:
        return "nihil"
    r = Decimal(str(ratio))
    if r < WORKLOAD_LOW:
        return "kurang"
    if r > WORKLOAD_HIGH:
        return "lebih"
    return "sesuai"


def capaian_band(capaian: Decimal | float | None) -> str | None:
    """Return the capaian band of the talent grid (SKP Cascade §11.1 thresholds 80 / 101).

    Examples
    --------
    >>> [capaian_band(x) for x in (None, 79.9, 80, 100.5, 101)]
    [None, 'bawah', 'sesuai', 'sesuai', 'atas']
    """
    if capaian is None:
        return None
    c = Decimal(str(capaian))
    if c >= 101:
        return "atas"
    if c >= 80:
        return "sesuai"
    return "bawah"


def predikat_trend(history: Sequence[int]) -> str | None:
    """Return the trend of chronological predikat ids (1 Sangat Baik … 5 Sangat Kurang).

    Compares the last two; a single predikat is ``stabil``; no predikat gives None.

    Examples
    --------
    >>> predikat_trend([3, 2]), predikat_trend([2, 2]), predikat_trend([1, 4]), predikat_trend([2])
    ('naik', 'stabil', 'turun', 'stabil')
    """
    values = [p for p in history if p is not None]
    if not values:
        return None
    if len(values) == 1:
        return "stabil"
    before, last = values[-2], values[-1]
    if last < before:
        return "naik"
    if last > before:
        return "turun"
    return "stabil"


def talent_cell(trend: str | None, band: str | None) -> tuple[str, str] | None:
    """Return the (trend, capaian band) cell of the 3×3 grid, or None when one is unknown."""
    if trend not in TREND_LABELS or band not in CAPAIAN_BANDS:
        return None
    return trend, band


def bidang_of(parent_of: Mapping[int, int | None], opd_id: int, unit_id: int | None) -> int:
    """Return the unit directly below the OPD that contains ``unit_id`` (the OPD itself for its
    own staff or an unknown unit). Walks up iteratively; a loop in the data stops the walk.

    Examples
    --------
    >>> tree = {1: None, 2: 1, 3: 2, 4: 1}
    >>> bidang_of(tree, 1, 3), bidang_of(tree, 1, 4), bidang_of(tree, 1, 1), bidang_of(tree, 1, 9)
    (2, 4, 1, 1)
    """
    if unit_id is None or unit_id == opd_id or unit_id not in parent_of:
        return opd_id
    current = unit_id
    seen: set[int] = set()
    while current not in seen:
        seen.add(current)
        parent = parent_of.get(current)
        if parent == opd_id:
            return current
        if parent is None:
            return opd_id
        current = parent
    return opd_id


def fmt_number(value: Decimal | float | int | None, digits: int | None = None) -> str:
    """Format a number the Indonesian way; ``digits`` None drops trailing zeros.

    Examples
    --------
    >>> fmt_number(Decimal("1234.50")), fmt_number(Decimal("97.5"), 1), fmt_number(None)
    ('1.234,5', '97,5', '-')
    """
    if value is None:
        return "-"
    d = Decimal(str(value))
    if digits is None:
        text = f"{d.normalize():,f}" if d == d.normalize() else f"{d:,f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    else:
        text = f"{d:,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def target_text(
    target: Decimal | None, target_max: Decimal | None, satuan: str, target_teks: str = ""
) -> str:
    """Return an IKI target as printed: ``2 Dokumen``, ``80 – 90 Persen`` or the text target.

    Examples
    --------
    >>> target_text(Decimal("2"), None, "Dokumen"), target_text(Decimal(80), Decimal(90), "%")
    ('2 Dokumen', '80 – 90 %')
    """
    if target is None:
        return target_teks or ""
    text = fmt_number(target)
    if target_max is not None:
        text = f"{text} – {fmt_number(target_max)}"
    return f"{text} {satuan or ''}".strip()


def prorate_factor(start_month: int, end_month: int, month: int) -> Decimal | None:
    """Return the share of an SKP's months elapsed by ``month`` (None before it starts).

    An additive (kuantitas) target of a whole SKP is pro-rated by this share when capaian is
    compared with rating thresholds in the middle of the year, as the evaluation suggestion
    does (SKP Cascade §11.1).

    Examples
    --------
    >>> prorate_factor(1, 12, 3), prorate_factor(7, 12, 9), prorate_factor(7, 12, 3)
    (Decimal('0.25'), Decimal('0.5'), None)
    """
    total = end_month - start_month + 1
    elapsed = min(month, end_month) - start_month + 1
    if total <= 0 or elapsed <= 0:
        return None
    return Decimal(elapsed) / Decimal(total)
