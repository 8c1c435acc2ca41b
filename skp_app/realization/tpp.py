"""Pure computation of the TPP basis (Tambahan Penghasilan Pegawai) of one employee.

PP 12/2019 Pasal 58 lets a region pay TPP by *Peraturan Kepala Daerah* under Kepmendagri
900-4700/2020. Regions split the TPP ceiling (*pagu*) into a *produktivitas kerja* part and a
*disiplin kerja* part and cut the disiplin part for lateness (TL), early leave (PSW) and
absence; the split and the tables vary by region (``domain.md`` §5.2, §5.3, §11.6). A
:class:`TppPolicy` holds one region's rules; :func:`compute_tpp` applies it and returns a
:class:`TppResult` whose ``lineage`` lets a payroll officer explain every number.

SKP Cascade produces and exports this basis; it is not a payroll system (no BPJS, no tax).
No Flask, no database: Decimal arithmetic throughout, Rupiah rounded half-up to whole rupiah
only at the end.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Literal, NamedTuple, TypeVar

from skp_app.realization.scoring import Number, Predikat, ScoringError, to_decimal

__all__ = [
    "DEFAULT_HUKDIS_CUTS",
    "DEFAULT_LATENESS_BANDS",
    "HUKDIS_LABELS",
    "DEFAULT_PREDIKAT_PERCENT",
    "PRESET_DEFAULT",
    "PRESET_REVERSE",
    "PRODUKTIVITAS_SOURCES",
    "LatenessBand",
    "TppDeduction",
    "TppError",
    "TppPolicy",
    "TppPolicyError",
    "TppResult",
    "compute_tpp",
    "format_rupiah",
    "formula_safe",
    "hukdis_label",
]

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)

ProduktivitasSource = Literal["points_ratio", "predikat_table"]
PRODUKTIVITAS_SOURCES: tuple[str, ...] = ("points_ratio", "predikat_table")


class TppError(ScoringError):
    """A TPP input is invalid."""


class TppPolicyError(TppError):
    """A TPP policy is invalid."""


class LatenessBand(NamedTuple):
    """Deduction for one TL/PSW occurrence whose minutes fall in ``[min, max]``.

    ``percent`` is a percentage of the disiplin part; ``max_minutes`` ``None`` is open-ended.
    """

    min_minutes: int
    max_minutes: int | None
    percent: Decimal


DEFAULT_LATENESS_BANDS: tuple[LatenessBand, ...] = (
    LatenessBand(1, 30, Decimal("0.5")),
    LatenessBand(31, 60, Decimal("1")),
    LatenessBand(61, 90, Decimal("1.25")),
    LatenessBand(91, None, Decimal("1.5")),
)
"""TL/PSW bands of the common tukin template and SIAP TUBA (domain.md §5.3)."""

DEFAULT_PREDIKAT_PERCENT: Mapping[Predikat, Decimal] = MappingProxyType(
    {
        Predikat.SANGAT_BAIK: Decimal(100),
        Predikat.BAIK: Decimal(100),
        Predikat.BUTUH_PERBAIKAN: Decimal(80),
        Predikat.KURANG: Decimal(70),
        Predikat.SANGAT_KURANG: Decimal(60),
    }
)
"""[U] Produktivitas percentage per predikat, after the 100/90/80/70/60 steps of
papamas/ekinerja with Baik at 100%; only used by the ``predikat_table`` source."""

DEFAULT_HUKDIS_CUTS: Mapping[str, Decimal] = MappingProxyType(
    {"teguran_lisan": Decimal(20), "pemberhentian": Decimal(100)}
)
"""Cut of the pagu per hukuman disiplin kind; the two examples of domain.md §5.3 [S]."""

HUKDIS_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "teguran_lisan": "Teguran lisan",
        "teguran_tertulis": "Teguran tertulis",
        "pernyataan_tidak_puas": "Pernyataan tidak puas secara tertulis",
        "pemotongan_tukin_6_bulan": "Pemotongan tunjangan kinerja 25% selama 6 bulan",
        "pemotongan_tukin_9_bulan": "Pemotongan tunjangan kinerja 25% selama 9 bulan",
        "pemotongan_tukin_12_bulan": "Pemotongan tunjangan kinerja 25% selama 12 bulan",
        "penurunan_jabatan": "Penurunan jabatan setingkat lebih rendah selama 12 bulan",
        "pembebasan_jabatan": "Pembebasan dari jabatan menjadi jabatan pelaksana selama 12 bulan",
        "pemberhentian": "Pemberhentian dengan hormat tidak atas permintaan sendiri",
    }
)
"""Names of the hukuman disiplin kinds of PP 94/2021 Pasal 8, for keys a policy may use.

A region's ``hukdis_cuts`` may use other keys; :func:`hukdis_label` humanises those."""


def hukdis_label(kind: str) -> str:
    """Return the Indonesian name of a hukuman disiplin kind key.

    Examples
    --------
    >>> hukdis_label("teguran_lisan"), hukdis_label("skorsing_adat")
    ('Teguran lisan', 'Skorsing adat')
    """
    return HUKDIS_LABELS.get(kind) or kind.replace("_", " ").strip().capitalize()


def _policy_number(value: object, name: str, *, low: int = 0, high: int = 100) -> Decimal:
    try:
        result = to_decimal(value, name)  # type: ignore[arg-type]
    except ScoringError as exc:
        raise TppPolicyError(str(exc)) from None
    if not low <= result <= high:
        raise TppPolicyError(f"{name} harus antara {low} dan {high} (diberikan {value}).")
    return result


def _policy_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TppPolicyError(f"{name} harus bilangan bulat (diberikan {value!r}).")
    return value


def _bands(value: object, name: str) -> tuple[LatenessBand, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise TppPolicyError(f"{name} harus daftar (menit_min, menit_maks, persen).")
    bands: list[LatenessBand] = []
    for index, item in enumerate(value):
        where = f"{name}[{index}]"
        if isinstance(item, str | bytes) or not isinstance(item, Sequence) or len(item) != 3:
            raise TppPolicyError(
                f"{where} harus berisi tiga nilai (menit_min, menit_maks, persen)."
            )
        low = _policy_int(item[0], f"{where} menit_min")
        high = None if item[1] is None else _policy_int(item[1], f"{where} menit_maks")
        percent = _policy_number(item[2], f"{where} persen")
        expected = 1 if not bands else (bands[-1].max_minutes or 0) + 1
        if bands and bands[-1].max_minutes is None:
            raise TppPolicyError(f"{name}: hanya rentang terakhir yang boleh tanpa batas atas.")
        if low != expected:
            raise TppPolicyError(
                f"{where}: rentang harus bersambung, menit_min seharusnya {expected} "
                f"(diberikan {low})."
            )
        if high is not None and high < low:
            raise TppPolicyError(f"{where}: menit_maks {high} lebih kecil dari menit_min {low}.")
        bands.append(LatenessBand(low, high, percent))
    if not bands:
        raise TppPolicyError(f"{name} tidak boleh kosong.")
    if bands[-1].max_minutes is not None:
        raise TppPolicyError(
            f"{name}: rentang terakhir harus tanpa batas atas (menit_maks kosong) agar setiap "
            "keterlambatan tercakup."
        )
    return tuple(bands)


def _predikat_percent(value: object) -> Mapping[Predikat, Decimal]:
    if not isinstance(value, Mapping):
        raise TppPolicyError("predikat_percent harus pemetaan predikat → persen.")
    result: dict[Predikat, Decimal] = {}
    for key, percent in value.items():
        try:
            predikat = Predikat.coerce(key)
        except ScoringError:
            raise TppPolicyError(f"predikat_percent: predikat {key!r} tidak dikenal.") from None
        result[predikat] = _policy_number(percent, f"predikat_percent[{predikat.value}]")
    missing = [p.label for p in Predikat if p not in result]
    if missing:
        raise TppPolicyError(
            f"predikat_percent harus memuat semua predikat; belum ada: {', '.join(missing)}."
        )
    return MappingProxyType({p: result[p] for p in Predikat})


def _hukdis_cuts(value: object) -> Mapping[str, Decimal]:
    if not isinstance(value, Mapping):
        raise TppPolicyError("hukdis_cuts harus pemetaan jenis hukuman disiplin → persen.")
    result: dict[str, Decimal] = {}
    for key, percent in value.items():
        if not isinstance(key, str) or not key.strip():
            raise TppPolicyError(f"hukdis_cuts: jenis hukuman disiplin {key!r} tidak sah.")
        result[key.strip()] = _policy_number(percent, f"hukdis_cuts[{key.strip()}]")
    return MappingProxyType(result)


@dataclass(frozen=True)
class TppPolicy:
    """One region's rules for the TPP basis (SKP Cascade §11.6; Kepmendagri 900-4700/2020).

    Percentages are numbers 0–100. ``produktivitas_pct + disiplin_pct`` must be 100. TL/PSW
    band percentages, ``no_record_percent`` and ``absent_percent_per_day`` are percentages of
    the disiplin part; ``hukdis_cuts`` are percentages of the pagu. With
    ``cap_disiplin_deduction`` the attendance deductions never exceed the disiplin part.
    Values are validated and normalised to Decimal/tuples on construction; invalid values
    raise :class:`TppPolicyError` with an Indonesian message naming the field.
    """

    version: str = "bawaan-60-40"
    name: str = "Bawaan: 60% produktivitas kerja / 40% disiplin kerja"
    produktivitas_pct: Decimal = Decimal(60)
    disiplin_pct: Decimal = Decimal(40)
    produktivitas_source: ProduktivitasSource = "points_ratio"
    predikat_percent: Mapping[Predikat, Decimal] = field(
        default_factory=lambda: DEFAULT_PREDIKAT_PERCENT, hash=False
    )
    lateness_bands: tuple[LatenessBand, ...] = DEFAULT_LATENESS_BANDS
    early_leave_bands: tuple[LatenessBand, ...] = DEFAULT_LATENESS_BANDS
    no_record_percent: Decimal = Decimal("1.5")
    absent_percent_per_day: Decimal = Decimal(4)
    hukdis_cuts: Mapping[str, Decimal] = field(
        default_factory=lambda: DEFAULT_HUKDIS_CUTS, hash=False
    )
    cap_disiplin_deduction: bool = True

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if not isinstance(self.version, str) or not self.version.strip():
            raise TppPolicyError("version kebijakan TPP wajib diisi.")
        if not isinstance(self.name, str):
            raise TppPolicyError("name kebijakan TPP harus teks.")
        produktivitas = _policy_number(self.produktivitas_pct, "produktivitas_pct")
        disiplin = _policy_number(self.disiplin_pct, "disiplin_pct")
        if produktivitas + disiplin != _HUNDRED:
            raise TppPolicyError(
                "produktivitas_pct + disiplin_pct harus berjumlah 100 (diberikan "
                f"{_num(produktivitas)} + {_num(disiplin)} = {_num(produktivitas + disiplin)})."
            )
        if self.produktivitas_source not in PRODUKTIVITAS_SOURCES:
            raise TppPolicyError(
                f"produktivitas_source {self.produktivitas_source!r} tidak dikenal; pilih salah "
                f"satu dari {', '.join(PRODUKTIVITAS_SOURCES)}."
            )
        if not isinstance(self.cap_disiplin_deduction, bool):
            raise TppPolicyError("cap_disiplin_deduction harus true atau false.")
        set_(self, "version", self.version.strip())
        set_(self, "produktivitas_pct", produktivitas)
        set_(self, "disiplin_pct", disiplin)
        set_(self, "predikat_percent", _predikat_percent(self.predikat_percent))
        set_(self, "lateness_bands", _bands(self.lateness_bands, "lateness_bands"))
        set_(self, "early_leave_bands", _bands(self.early_leave_bands, "early_leave_bands"))
        set_(self, "no_record_percent", _policy_number(self.no_record_percent, "no_record_percent"))
        set_(
            self,
            "absent_percent_per_day",
            _policy_number(self.absent_percent_per_day, "absent_percent_per_day"),
        )
        set_(self, "hukdis_cuts", _hukdis_cuts(self.hukdis_cuts))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TppPolicy:
        """Build a policy from a JSON-like mapping; absent keys take the defaults.

        Raises
        ------
        TppPolicyError
            For an unknown key or an invalid value.
        """
        if not isinstance(data, Mapping):
            raise TppPolicyError("Kebijakan TPP harus berupa pemetaan kunci → nilai.")
        known = {f.name for f in fields(cls)}
        unknown = sorted(str(key) for key in data if key not in known)
        if unknown:
            raise TppPolicyError(f"Kunci kebijakan TPP tidak dikenal: {', '.join(unknown)}.")
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable mapping that :meth:`from_dict` reads back."""
        return {
            "version": self.version,
            "name": self.name,
            "produktivitas_pct": _dec_str(self.produktivitas_pct),
            "disiplin_pct": _dec_str(self.disiplin_pct),
            "produktivitas_source": self.produktivitas_source,
            "predikat_percent": {p.value: _dec_str(v) for p, v in self.predikat_percent.items()},
            "lateness_bands": [_band_list(b) for b in self.lateness_bands],
            "early_leave_bands": [_band_list(b) for b in self.early_leave_bands],
            "no_record_percent": _dec_str(self.no_record_percent),
            "absent_percent_per_day": _dec_str(self.absent_percent_per_day),
            "hukdis_cuts": {k: _dec_str(v) for k, v in self.hukdis_cuts.items()},
            "cap_disiplin_deduction": self.cap_disiplin_deduction,
        }


PRESET_DEFAULT = TppPolicy()
"""60% produktivitas / 40% disiplin: the split most regional code implements [C]."""

PRESET_REVERSE = TppPolicy(
    version="terbalik-40-60",
    name="40% kinerja / 60% kehadiran (contoh Jawa Timur)",
    produktivitas_pct=Decimal(40),
    disiplin_pct=Decimal(60),
)
"""40% kinerja / 60% kehadiran, as in the Jatim deck and papamas/ekinerja [S]."""


DeductionBase = Literal["bagian_disiplin", "pagu"]


@dataclass(frozen=True)
class TppDeduction:
    """One itemised deduction; ``percent`` is the total percentage of ``base`` it takes."""

    code: str
    reason: str
    amount: Decimal
    count: int = 0
    percent: Decimal | None = None
    base: DeductionBase | None = None


@dataclass(frozen=True)
class TppResult:
    """The TPP basis of one employee for one period, in whole rupiah, with its lineage."""

    policy_version: str
    pagu: Decimal
    produktivitas_ratio: Decimal
    produktivitas_part: Decimal
    disiplin_part: Decimal
    deductions: tuple[TppDeduction, ...]
    total_deductions: Decimal
    received: Decimal
    lineage: dict[str, Any]


def compute_tpp(
    policy: TppPolicy,
    *,
    pagu: Number,
    points: Number | None = None,
    points_target: Number | None = None,
    predikat: Predikat | int | str | None = None,
    lateness_minutes: Iterable[int | None] = (),
    early_leave_minutes: Iterable[int | None] = (),
    absent_days: int = 0,
    hukdis_percent: Number = 0,
    hukdis_kind: str | None = None,
    hukdis_reference: str | None = None,
) -> TppResult:
    """Compute the TPP basis from the pagu and the period's records (SKP Cascade §11.6).

    ``received = bagian produktivitas + bagian disiplin − potongan disiplin − potongan hukdis``:

    * bagian produktivitas = pagu × produktivitas_pct × rasio, where rasio is
      ``min(points / points_target, 100%)`` (``points_ratio``) or the policy's percentage for
      the predikat (``predikat_table``);
    * bagian disiplin = pagu × disiplin_pct;
    * potongan disiplin = bagian disiplin × Σ percentages of each TL and PSW occurrence (by
      band; ``None`` minutes = no attendance record) and of each day absent without leave,
      capped at the bagian disiplin when the policy says so; 0 minutes is on time;
    * potongan hukdis = pagu × ``hukdis_percent`` (or the policy's cut for ``hukdis_kind``),
      never more than what is left; ``hukdis_reference`` (e.g. the SK number and date) is
      quoted in its explanation.

    Amounts are exact until the end, then rounded half-up to whole rupiah.

    Raises
    ------
    TppError
        For missing or invalid inputs.

    Examples
    --------
    >>> r = compute_tpp(PRESET_DEFAULT, pagu=10_000_000, points=5400, points_target=6000,
    ...                 lateness_minutes=[10, 45, 95], early_leave_minutes=[20], absent_days=1)
    >>> r.produktivitas_part, r.disiplin_part, r.total_deductions, r.received
    (Decimal('5400000'), Decimal('4000000'), Decimal('300000'), Decimal('9100000'))
    """
    if not isinstance(policy, TppPolicy):
        raise TppError("policy harus berupa TppPolicy.")
    pagu_d = _input_number(pagu, "Pagu TPP")
    steps: list[str] = []

    # Produktivitas kerja.
    produktivitas_ceiling = pagu_d * policy.produktivitas_pct / _HUNDRED
    predikat_member: Predikat | None = None
    if policy.produktivitas_source == "points_ratio":
        if points is None or points_target is None:
            raise TppError("Poin dan target poin wajib diisi untuk sumber produktivitas poin.")
        points_d = _input_number(points, "Poin")
        target_d = _input_number(points_target, "Target poin")
        if target_d == 0:
            raise TppError("Target poin harus lebih besar dari 0.")
        ratio = min(points_d * _HUNDRED / target_d, _HUNDRED)
        ratio_text = f"{_pct(ratio)} ({_num(points_d)} dari {_num(target_d)} poin, maks. 100%)"
    else:
        if predikat is None:
            raise TppError("Predikat wajib diisi untuk sumber produktivitas tabel predikat.")
        try:
            predikat_member = Predikat.coerce(predikat)
        except ScoringError as exc:
            raise TppError(str(exc)) from None
        ratio = policy.predikat_percent[predikat_member]
        ratio_text = f"{_pct(ratio)} (predikat {predikat_member.label})"
    produktivitas_part = produktivitas_ceiling * ratio / _HUNDRED
    pagu_text = format_rupiah(pagu_d)
    produktivitas_text = format_rupiah(produktivitas_part)
    steps.append(
        f"Bagian produktivitas = {_pct(policy.produktivitas_pct)} × {pagu_text} × "
        f"{ratio_text} = {produktivitas_text}"
    )

    # Disiplin kerja.
    disiplin_part = pagu_d * policy.disiplin_pct / _HUNDRED
    disiplin_text = format_rupiah(disiplin_part)
    steps.append(f"Bagian disiplin = {_pct(policy.disiplin_pct)} × {pagu_text} = {disiplin_text}")
    lateness = _minutes_list(lateness_minutes, "Menit terlambat")
    early_leave = _minutes_list(early_leave_minutes, "Menit pulang cepat")
    absent = _input_count(absent_days, "Hari tidak masuk tanpa keterangan")
    exact_items: list[tuple[TppDeduction, Decimal]] = []
    attendance_items, attendance_percent = _attendance_items(
        policy,
        _band_counts(lateness, policy.lateness_bands),
        _band_counts(early_leave, policy.early_leave_bands),
        absent,
    )
    attendance_total = _ZERO
    for item in attendance_items:
        deduction, amount = _attendance_deduction(item, disiplin_part)
        attendance_total += amount
        exact_items.append((deduction, amount))
    disiplin_deduction = attendance_total
    if policy.cap_disiplin_deduction and attendance_total > disiplin_part:
        adjustment = disiplin_part - attendance_total
        disiplin_deduction = disiplin_part
        exact_items.append(
            (
                TppDeduction(
                    code="BATAS_DISIPLIN",
                    reason=(
                        f"Batas potongan: potongan disiplin {_pct(attendance_percent)} dibatasi "
                        "sebesar bagian disiplin (100%)"
                    ),
                    amount=_rupiah(adjustment),
                ),
                adjustment,
            )
        )
    steps.append(
        f"Potongan disiplin = {_pct(attendance_percent)} × {disiplin_text}"
        + (" (dibatasi 100%)" if disiplin_deduction != attendance_total else "")
        + f" = {format_rupiah(disiplin_deduction)}"
    )

    # Hukuman disiplin.
    hukdis_pct = _hukdis_percent(policy, hukdis_percent, hukdis_kind)
    remaining = produktivitas_part + disiplin_part - disiplin_deduction
    hukdis_amount = _ZERO
    if hukdis_pct:
        hukdis_amount = min(pagu_d * hukdis_pct / _HUNDRED, max(remaining, _ZERO))
        named = "; ".join(t for t in (hukdis_kind, hukdis_reference) if t)
        kind_text = f" ({named})" if named else ""
        limited = hukdis_amount != pagu_d * hukdis_pct / _HUNDRED
        exact_items.append(
            (
                TppDeduction(
                    code="HUKDIS",
                    reason=(
                        f"Hukuman disiplin{kind_text}: {_pct(hukdis_pct)} dari pagu"
                        + (", dibatasi sisa TPP" if limited else "")
                    ),
                    amount=_rupiah(hukdis_amount),
                    count=1,
                    percent=hukdis_pct,
                    base="pagu",
                ),
                hukdis_amount,
            )
        )
    steps.append(
        f"Potongan hukuman disiplin = {_pct(hukdis_pct)} × {pagu_text} = "
        f"{format_rupiah(hukdis_amount)}"
        + (f" ({hukdis_reference})" if hukdis_pct and hukdis_reference else "")
    )
    received = remaining - hukdis_amount
    if received < 0:
        # Only reachable when the disiplin cap is switched off: TPP is never negative.
        exact_items.append(
            (
                TppDeduction(
                    code="BATAS_NOL",
                    reason="Batas potongan: TPP diterima tidak kurang dari Rp 0",
                    amount=_rupiah(received),
                ),
                received,
            )
        )
        received = _ZERO
    total_deductions = sum((amount for _, amount in exact_items), _ZERO)
    steps.append(
        f"TPP diterima = {produktivitas_text} + {disiplin_text} − "
        f"{format_rupiah(total_deductions)} = {format_rupiah(received)}"
    )

    lineage = {
        "policy_version": policy.version,
        "policy_name": policy.name,
        "policy": _policy_dict(policy),
        "inputs": {
            "pagu": _dec_str(pagu_d),
            "points": None if points is None else _dec_str(to_decimal(points)),
            "points_target": None if points_target is None else _dec_str(to_decimal(points_target)),
            "predikat": None if predikat_member is None else predikat_member.value,
            "lateness_minutes": lateness,
            "early_leave_minutes": early_leave,
            "absent_days": absent,
            "hukdis_percent": _dec_str(hukdis_pct),
            "hukdis_kind": hukdis_kind,
            **({"hukdis_reference": hukdis_reference} if hukdis_reference else {}),
        },
        "formula": _formula_text(policy),
        "steps": steps,
        "rounding": (
            "Perhitungan memakai nilai tepat; setiap jumlah rupiah dibulatkan ke rupiah terdekat "
            "(setengah ke atas) hanya pada hasil akhir."
        ),
    }
    return TppResult(
        policy_version=policy.version,
        pagu=_rupiah(pagu_d),
        produktivitas_ratio=ratio,
        produktivitas_part=_rupiah(produktivitas_part),
        disiplin_part=_rupiah(disiplin_part),
        deductions=tuple(item for item, _ in exact_items),
        total_deductions=_rupiah(total_deductions),
        received=_rupiah(received),
        lineage=lineage,
    )


def _band_counts(minutes: list[int | None], bands: tuple[LatenessBand, ...]) -> tuple[int, ...]:
    """Occurrences per band, then those without a record (``None``); 0 minutes is on time."""
    counts = [0] * (len(bands) + 1)
    starts = _band_starts(bands)
    for value in minutes:
        if value is None:
            counts[-1] += 1
        elif value > 0:
            # Bands are contiguous from 1 minute and the last is open-ended (checked by
            # TppPolicy), so the band of a value is the last one starting at or before it.
            counts[bisect_right(starts, value) - 1] += 1
    return tuple(counts)


_AttendanceItem = tuple[str, str, int, Decimal]  # code, reason, count, percent


@lru_cache(maxsize=4096)
def _attendance_items(
    policy: TppPolicy, late: tuple[int, ...], early: tuple[int, ...], absent: int
) -> tuple[tuple[_AttendanceItem, ...], Decimal]:
    """The TL, PSW and absence items for these counts, and their total percentage.

    A recap has few distinct count patterns, so the texts are built once per pattern.
    """
    items = [
        *_band_items("TL", "Terlambat masuk", late, policy.lateness_bands, policy),
        *_band_items("PSW", "Pulang sebelum waktunya", early, policy.early_leave_bands, policy),
    ]
    if absent:
        items.append(
            (
                "TK",
                f"Tidak masuk tanpa keterangan: {absent} hari × "
                f"{_pct(policy.absent_percent_per_day)}",
                absent,
                policy.absent_percent_per_day * absent,
            )
        )
    total = sum((item[3] for item in items), _ZERO)
    return tuple(items), total


_DEDUCTION_CACHE: dict[tuple[_AttendanceItem, Decimal], tuple[TppDeduction, Decimal]] = {}


def _attendance_deduction(
    item: _AttendanceItem, disiplin_part: Decimal
) -> tuple[TppDeduction, Decimal]:
    """The deduction of one attendance item on a disiplin part (immutable, so shared)."""
    key = (item, disiplin_part)
    cached = _DEDUCTION_CACHE.get(key)
    if cached is not None:
        return cached
    code, reason, count, percent = item
    amount = disiplin_part * percent / _HUNDRED
    deduction = TppDeduction(
        code=code,
        reason=f"{reason} = {_pct(percent)} dari bagian disiplin",
        amount=_rupiah(amount),
        count=count,
        percent=percent,
        base="bagian_disiplin",
    )
    if len(_DEDUCTION_CACHE) >= _TEXT_CACHE_LIMIT:
        _DEDUCTION_CACHE.clear()
    _DEDUCTION_CACHE[key] = (deduction, amount)
    return deduction, amount


def _band_items(
    prefix: str,
    label: str,
    counts: tuple[int, ...],
    bands: tuple[LatenessBand, ...],
    policy: TppPolicy,
) -> list[_AttendanceItem]:
    items = []
    for index, (band, count) in enumerate(zip(bands, counts, strict=False), start=1):
        if count:
            items.append(
                (
                    f"{prefix}{index}",
                    f"{label} ({prefix}{index}, {_band_text(band)}): {count} kali × "
                    f"{_pct(band.percent)}",
                    count,
                    band.percent * count,
                )
            )
    no_record = counts[-1]
    if no_record:
        items.append(
            (
                f"{prefix}_TANPA_REKAM",
                f"{label} tanpa rekam kehadiran: {no_record} kali × "
                f"{_pct(policy.no_record_percent)}",
                no_record,
                policy.no_record_percent * no_record,
            )
        )
    return items


@lru_cache(maxsize=64)
def _band_starts(bands: tuple[LatenessBand, ...]) -> tuple[int, ...]:
    return tuple(band.min_minutes for band in bands)


def _hukdis_percent(policy: TppPolicy, percent: Number, kind: str | None) -> Decimal:
    value = _input_number(percent, "Persentase hukuman disiplin")
    if value > _HUNDRED:
        raise TppError(f"Persentase hukuman disiplin paling besar 100 (diberikan {percent}).")
    if kind is None:
        return value
    if value:
        raise TppError("Isi jenis hukuman disiplin atau persentasenya, tidak keduanya.")
    if kind not in policy.hukdis_cuts:
        known = ", ".join(policy.hukdis_cuts) or "-"
        raise TppError(
            f"Jenis hukuman disiplin {kind!r} tidak ada dalam kebijakan {policy.version} "
            f"(tersedia: {known})."
        )
    return policy.hukdis_cuts[kind]


@lru_cache(maxsize=64)
def _policy_dict_cached(policy: TppPolicy) -> dict[str, Any]:
    return policy.to_dict()


def _policy_dict(policy: TppPolicy) -> dict[str, Any]:
    """``policy.to_dict()``, computed once per policy (a monthly recap calls this 20,000×)."""
    return dict(_policy_dict_cached(policy))


@lru_cache(maxsize=64)
def _formula_text(policy: TppPolicy) -> str:
    if policy.produktivitas_source == "points_ratio":
        ratio = "min(Poin ÷ Target poin, 100%)"
    else:
        ratio = (
            "persentase predikat kinerja ("
            + ", ".join(f"{p.label} {_pct(v)}" for p, v in policy.predikat_percent.items())
            + ")"
        )
    bands = "; ".join(f"{_band_text(b)} {_pct(b.percent)}" for b in policy.lateness_bands)
    psw = "; ".join(f"{_band_text(b)} {_pct(b.percent)}" for b in policy.early_leave_bands)
    cap = (
        ", paling banyak sebesar Bagian disiplin"
        if policy.cap_disiplin_deduction
        else ", tanpa batas"
    )
    return "\n".join(
        [
            "TPP diterima = Bagian produktivitas + Bagian disiplin − Potongan disiplin − "
            "Potongan hukuman disiplin (tidak kurang dari Rp 0)",
            f"Bagian produktivitas = Pagu × {_pct(policy.produktivitas_pct)} × {ratio}",
            f"Bagian disiplin = Pagu × {_pct(policy.disiplin_pct)}",
            "Potongan disiplin = Bagian disiplin × (Σ persentase terlambat masuk + Σ persentase "
            f"pulang sebelum waktunya + hari tanpa keterangan × "
            f"{_pct(policy.absent_percent_per_day)}){cap}",
            f"Terlambat masuk (TL) per kejadian: {bands}; tanpa rekam kehadiran "
            f"{_pct(policy.no_record_percent)}",
            f"Pulang sebelum waktunya (PSW) per kejadian: {psw}; tanpa rekam kehadiran "
            f"{_pct(policy.no_record_percent)}",
            "Potongan hukuman disiplin = Pagu × persentase hukuman disiplin",
        ]
    )


# ---------------------------------------------------------------------------
# Input checks and formatting
# ---------------------------------------------------------------------------


def _input_number(value: Number, name: str) -> Decimal:
    if type(value) is Decimal and value.is_finite() and value >= 0:
        return value  # the common case, checked without the generic conversion
    try:
        result = to_decimal(value, name)
    except ScoringError as exc:
        raise TppError(str(exc)) from None
    if result < 0:
        raise TppError(f"{name} tidak boleh negatif (diberikan {value}).")
    return result


def _input_count(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TppError(f"{name} harus bilangan bulat tidak negatif (diberikan {value!r}).")
    return value


def _minutes_list(values: Iterable[int | None], name: str) -> list[int | None]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise TppError(f"{name} harus daftar menit per kejadian.")
    result = list(values)
    if not result:
        return result
    # Fast path for the common case (plain non-negative ints or None); bool is not an int here.
    if all(v is None or (type(v) is int and v >= 0) for v in result):
        return result
    return [None if v is None else _input_count(v, name) for v in result]


def _rupiah(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def _dec_str(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _band_list(band: LatenessBand) -> list[Any]:
    return [band.min_minutes, band.max_minutes, _dec_str(band.percent)]


def _band_text(band: LatenessBand) -> str:
    if band.max_minutes is None:
        return f"≥ {band.min_minutes} menit"
    return f"{band.min_minutes}–{band.max_minutes} menit"


# A monthly recap formats ~25 numbers for each of 20,000 employees, mostly the same few
# values (pagu, parts, percentages). Equal Decimals format identically (trailing zeros are
# stripped), except the sign of zero, so non-zero values are memoised; each cache is cleared
# when it grows past the limit.
_TEXT_CACHE_LIMIT = 50_000
_NUM_CACHE: dict[Decimal, str] = {}
_PCT_CACHE: dict[Decimal, str] = {}
_RUPIAH_CACHE: dict[Decimal, str] = {}


def _remember(cache: dict[Decimal, str], value: Decimal, text: str) -> str:
    if len(cache) >= _TEXT_CACHE_LIMIT:
        cache.clear()
    cache[value] = text
    return text


def _num_text(value: Decimal) -> str:
    text = _dec_str(value)
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def _num(value: Decimal) -> str:
    """Format a number the Indonesian way: ``1234567.5`` → ``1.234.567,5``."""
    if not value:
        return _num_text(value)
    text = _NUM_CACHE.get(value)
    return text if text is not None else _remember(_NUM_CACHE, value, _num_text(value))


def _pct(value: Decimal) -> str:
    if not value:
        return f"{_num(round(value, 4))}%"
    text = _PCT_CACHE.get(value)
    if text is None:
        text = _remember(_PCT_CACHE, value, f"{_num(round(value, 4))}%")
    return text


def format_rupiah(amount: Number) -> str:
    """Format an amount as whole Indonesian rupiah, e.g. ``Rp 9.100.000``.

    Examples
    --------
    >>> format_rupiah(9_100_000), format_rupiah("1234.5"), format_rupiah(-300)
    ('Rp 9.100.000', 'Rp 1.235', '-Rp 300')
    """
    if type(amount) is Decimal and amount.is_finite() and amount:
        text = _RUPIAH_CACHE.get(amount)
        if text is None:
            text = _remember(_RUPIAH_CACHE, amount, _rupiah_text(amount))
        return text
    return _rupiah_text(amount)


def _rupiah_text(amount: Number) -> str:
    value = _rupiah(to_decimal(amount, "jumlah rupiah"))
    text = f"Rp {_num(abs(value))}"
    return f"-{text}" if value < 0 else text


_T = TypeVar("_T")
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: _T) -> _T | str:
    """Prefix a text cell that a spreadsheet would read as a formula with a single quote.

    Strings starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return get a leading
    ``'`` (CSV/formula injection, OWASP); other values are returned unchanged.

    Examples
    --------
    >>> formula_safe("=HYPERLINK(1)"), formula_safe("Budi"), formula_safe(-5)
    ("'=HYPERLINK(1)", 'Budi', -5)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value
