"""Tests for the pure TPP basis computation (``skp_app.realization.tpp``)."""

import dataclasses
import doctest
import json
from decimal import Decimal

import pytest

from skp_app.realization import tpp
from skp_app.realization.scoring import Predikat, ScoringError
from skp_app.realization.tpp import (
    DEFAULT_LATENESS_BANDS,
    PRESET_DEFAULT,
    PRESET_REVERSE,
    LatenessBand,
    TppError,
    TppPolicy,
    TppPolicyError,
    compute_tpp,
    format_rupiah,
    formula_safe,
)

D = Decimal
PAGU = 10_000_000


def example(policy=PRESET_DEFAULT, **overrides):
    kwargs = {
        "pagu": PAGU,
        "points": 5400,
        "points_target": 6000,
        "lateness_minutes": [10, 45, 95],
        "early_leave_minutes": [20],
        "absent_days": 1,
    }
    kwargs.update(overrides)
    return compute_tpp(policy, **kwargs)


def by_code(result):
    return {d.code: d for d in result.deductions}


def test_doctests_pass():
    result = doctest.testmod(tpp)
    assert result.attempted >= 3
    assert result.failed == 0


def test_public_names_exist():
    for name in tpp.__all__:
        assert hasattr(tpp, name), name


def test_error_hierarchy():
    assert issubclass(TppPolicyError, TppError)
    assert issubclass(TppError, ScoringError)
    assert issubclass(TppError, ValueError)


# ---------------------------------------------------------------------------
# compute_tpp: worked examples
# ---------------------------------------------------------------------------


def test_default_policy_example():
    result = example()
    assert result.policy_version == "bawaan-60-40"
    assert result.pagu == D(10_000_000)
    assert result.produktivitas_ratio == D(90)
    assert result.produktivitas_part == D(5_400_000)  # 60% x 10 jt x 90%
    assert result.disiplin_part == D(4_000_000)  # 40% x 10 jt
    # TL 0.5 + 1 + 1.5, PSW 0.5, 1 day absent 4 -> 7.5% of 4 jt
    assert result.total_deductions == D(300_000)
    assert result.received == D(9_100_000)
    assert [d.code for d in result.deductions] == ["TL1", "TL2", "TL4", "PSW1", "TK"]
    assert [d.amount for d in result.deductions] == [
        D(20_000),
        D(40_000),
        D(60_000),
        D(20_000),
        D(160_000),
    ]
    assert sum(d.amount for d in result.deductions) == result.total_deductions
    assert all(d.base == "bagian_disiplin" for d in result.deductions)


def test_reverse_preset_example():
    result = example(PRESET_REVERSE)
    assert result.policy_version == "terbalik-40-60"
    assert result.produktivitas_part == D(3_600_000)  # 40% x 10 jt x 90%
    assert result.disiplin_part == D(6_000_000)
    assert result.total_deductions == D(450_000)  # 7.5% x 6 jt
    assert result.received == D(9_150_000)


def test_presets_split():
    assert (PRESET_DEFAULT.produktivitas_pct, PRESET_DEFAULT.disiplin_pct) == (D(60), D(40))
    assert (PRESET_REVERSE.produktivitas_pct, PRESET_REVERSE.disiplin_pct) == (D(40), D(60))
    assert PRESET_DEFAULT == TppPolicy()


def test_perfect_month_receives_the_whole_pagu():
    result = compute_tpp(PRESET_DEFAULT, pagu=PAGU, points=6000, points_target=6000)
    assert result.deductions == ()
    assert result.received == D(PAGU)


def test_points_ratio_is_capped_at_100_percent():
    result = compute_tpp(PRESET_DEFAULT, pagu=PAGU, points=9000, points_target=6000)
    assert result.produktivitas_ratio == D(100)
    assert result.produktivitas_part == D(6_000_000)


def test_zero_points_gives_no_produktivitas():
    result = compute_tpp(PRESET_DEFAULT, pagu=PAGU, points=0, points_target=6000)
    assert result.produktivitas_part == D(0)
    assert result.received == D(4_000_000)


def test_inputs_may_be_float_str_or_decimal():
    a = example(pagu=10_000_000.0, points="5400", points_target=D(6000))
    b = example()
    assert (a.received, a.total_deductions) == (b.received, b.total_deductions)


# ---------------------------------------------------------------------------
# Produktivitas from the predikat table
# ---------------------------------------------------------------------------

PREDIKAT_POLICY = TppPolicy(version="predikat-1", produktivitas_source="predikat_table")


@pytest.mark.parametrize(
    ("predikat", "ratio", "part"),
    [
        (Predikat.SANGAT_BAIK, 100, 6_000_000),
        (Predikat.BAIK, 100, 6_000_000),
        (Predikat.BUTUH_PERBAIKAN, 80, 4_800_000),
        (Predikat.KURANG, 70, 4_200_000),
        (Predikat.SANGAT_KURANG, 60, 3_600_000),
    ],
)
def test_predikat_table_source(predikat, ratio, part):
    result = compute_tpp(PREDIKAT_POLICY, pagu=PAGU, predikat=predikat)
    assert result.produktivitas_ratio == D(ratio)
    assert result.produktivitas_part == D(part)
    assert compute_tpp(PREDIKAT_POLICY, pagu=PAGU, predikat=predikat.siasn_id) == result
    assert result.lineage["inputs"]["predikat"] == predikat.value
    assert predikat.label in result.lineage["steps"][0]


def test_predikat_table_uses_the_policy_map():
    policy = TppPolicy(
        version="x",
        produktivitas_source="predikat_table",
        predikat_percent={"SANGAT_BAIK": 100, "BAIK": 95, 3: 50, "Kurang/Misconduct": 25, 5: 0},
    )
    assert compute_tpp(policy, pagu=PAGU, predikat="BAIK").produktivitas_part == D(5_700_000)
    assert compute_tpp(policy, pagu=PAGU, predikat=5).produktivitas_part == D(0)


def test_predikat_table_requires_predikat():
    with pytest.raises(TppError, match="Predikat wajib"):
        compute_tpp(PREDIKAT_POLICY, pagu=PAGU, points=6000, points_target=6000)


def test_predikat_table_rejects_unknown_predikat():
    with pytest.raises(TppError, match="tidak dikenal untuk Predikat"):
        compute_tpp(PREDIKAT_POLICY, pagu=PAGU, predikat=9)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"points": None}, "Poin dan target poin wajib"),
        ({"points_target": None}, "Poin dan target poin wajib"),
        ({"points_target": 0}, "Target poin harus lebih besar dari 0"),
        ({"points": -1}, "Poin tidak boleh negatif"),
        ({"pagu": -1}, "Pagu TPP tidak boleh negatif"),
        ({"pagu": "abc"}, "bukan angka"),
        ({"pagu": True}, "bukan angka"),
        ({"absent_days": -1}, "tanpa keterangan"),
        ({"absent_days": 1.5}, "tanpa keterangan"),
        ({"lateness_minutes": [-5]}, "Menit terlambat"),
        ({"lateness_minutes": [2.5]}, "Menit terlambat"),
        ({"lateness_minutes": "10"}, "daftar menit"),
        ({"early_leave_minutes": [True]}, "Menit pulang cepat"),
        ({"hukdis_percent": 101}, "paling besar 100"),
        ({"hukdis_percent": -1}, "tidak boleh negatif"),
    ],
)
def test_compute_tpp_rejects_invalid_inputs(kwargs, message):
    with pytest.raises(TppError, match=message):
        example(**kwargs)


def test_compute_tpp_requires_a_policy_object():
    with pytest.raises(TppError, match="TppPolicy"):
        compute_tpp(PRESET_DEFAULT.to_dict(), pagu=PAGU, points=1, points_target=1)


# ---------------------------------------------------------------------------
# Disiplin deductions
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "code", "percent"),
    [
        (1, "TL1", "0.5"),
        (30, "TL1", "0.5"),
        (31, "TL2", "1"),
        (60, "TL2", "1"),
        (61, "TL3", "1.25"),
        (90, "TL3", "1.25"),
        (91, "TL4", "1.5"),
        (480, "TL4", "1.5"),
        (None, "TL_TANPA_REKAM", "1.5"),
    ],
)
def test_lateness_bands(minutes, code, percent):
    result = example(lateness_minutes=[minutes], early_leave_minutes=[], absent_days=0)
    (deduction,) = result.deductions
    assert deduction.code == code
    assert deduction.percent == D(percent)
    assert deduction.count == 1
    assert deduction.amount == D(4_000_000) * D(percent) / 100


@pytest.mark.parametrize(
    ("minutes", "code", "percent"),
    [(15, "PSW1", "0.5"), (45, "PSW2", "1"), (75, "PSW3", "1.25"), (120, "PSW4", "1.5")],
)
def test_early_leave_bands(minutes, code, percent):
    result = example(lateness_minutes=[], early_leave_minutes=[minutes], absent_days=0)
    (deduction,) = result.deductions
    assert (deduction.code, deduction.percent) == (code, D(percent))
    assert "Pulang sebelum waktunya" in deduction.reason


def test_zero_minutes_is_on_time():
    result = example(lateness_minutes=[0, 0], early_leave_minutes=[0], absent_days=0)
    assert result.deductions == ()


def test_occurrences_in_the_same_band_are_itemised_together():
    result = example(lateness_minutes=[10, 20, 45], early_leave_minutes=[], absent_days=0)
    tl1 = by_code(result)["TL1"]
    assert (tl1.count, tl1.percent, tl1.amount) == (2, D(1), D(40_000))
    assert tl1.reason == (
        "Terlambat masuk (TL1, 1–30 menit): 2 kali × 0,5% = 1% dari bagian disiplin"
    )


def test_absence_without_leave_is_4_percent_per_day():
    result = example(lateness_minutes=[], early_leave_minutes=[], absent_days=2)
    (deduction,) = result.deductions
    assert (deduction.code, deduction.count, deduction.percent) == ("TK", 2, D(8))
    assert deduction.amount == D(320_000)
    assert deduction.reason == (
        "Tidak masuk tanpa keterangan: 2 hari × 4% = 8% dari bagian disiplin"
    )


def test_disiplin_deduction_is_capped_at_the_disiplin_part():
    result = example(absent_days=30)  # TL/PSW 3.5% + 30 x 4% = 123.5% of 4 jt = 4.94 jt
    items = by_code(result)
    assert items["BATAS_DISIPLIN"].amount == D(4_000_000) - D(4_940_000)
    assert "123,5%" in items["BATAS_DISIPLIN"].reason
    assert "dibatasi" in items["BATAS_DISIPLIN"].reason
    assert result.total_deductions == D(4_000_000)
    assert sum(d.amount for d in result.deductions) == result.total_deductions
    assert result.received == D(5_400_000)  # produktivitas untouched
    assert "(dibatasi 100%)" in result.lineage["steps"][2]


def test_deduction_exactly_equal_to_disiplin_part_needs_no_cap():
    result = example(lateness_minutes=[], early_leave_minutes=[], absent_days=25)  # 100%
    assert "BATAS_DISIPLIN" not in by_code(result)
    assert result.received == D(5_400_000)


def test_uncapped_policy_lets_deductions_reach_produktivitas_but_never_below_zero():
    policy = TppPolicy(version="tanpa-batas", cap_disiplin_deduction=False)
    result = example(policy, absent_days=30)  # 123.5% of 4 jt = 4.94 jt
    assert result.received == D(9_400_000) - D(4_940_000)
    assert "BATAS_DISIPLIN" not in by_code(result)
    far = example(policy, absent_days=100)  # 403.5% of 4 jt > 9.4 jt
    assert far.received == D(0)
    assert by_code(far)["BATAS_NOL"].amount < 0
    assert sum(d.amount for d in far.deductions) == far.total_deductions == D(9_400_000)


# ---------------------------------------------------------------------------
# Hukuman disiplin
# ---------------------------------------------------------------------------


def test_hukdis_percent_is_taken_from_the_pagu():
    result = example(hukdis_percent=20)
    hukdis = by_code(result)["HUKDIS"]
    assert (hukdis.amount, hukdis.base, hukdis.percent) == (D(2_000_000), "pagu", D(20))
    assert result.received == D(7_100_000)


def test_hukdis_kind_looks_up_the_policy():
    result = example(hukdis_kind="teguran_lisan")
    hukdis = by_code(result)["HUKDIS"]
    assert hukdis.amount == D(2_000_000)
    assert "teguran_lisan" in hukdis.reason
    assert result.lineage["inputs"]["hukdis_percent"] == "20"
    assert result.lineage["inputs"]["hukdis_kind"] == "teguran_lisan"


def test_hukdis_reference_names_the_sk_in_the_reason_step_and_inputs():
    result = example(
        hukdis_kind="teguran_lisan", hukdis_reference="SK 800/1/2026 tanggal 01-10-2026"
    )
    hukdis = by_code(result)["HUKDIS"]
    assert hukdis.reason == (
        "Hukuman disiplin (teguran_lisan; SK 800/1/2026 tanggal 01-10-2026): 20% dari pagu"
    )
    assert result.lineage["steps"][3] == (
        "Potongan hukuman disiplin = 20% × Rp 10.000.000 = Rp 2.000.000 "
        "(SK 800/1/2026 tanggal 01-10-2026)"
    )
    assert result.lineage["inputs"]["hukdis_reference"] == "SK 800/1/2026 tanggal 01-10-2026"
    assert result.received == example(hukdis_kind="teguran_lisan").received
    assert "hukdis_reference" not in example().lineage["inputs"]


def test_hukdis_labels_name_pp_94_kinds_and_humanise_others():
    assert tpp.hukdis_label("teguran_lisan") == "Teguran lisan"
    assert tpp.hukdis_label("pemberhentian").startswith("Pemberhentian dengan hormat")
    assert tpp.hukdis_label("skorsing_adat_desa") == "Skorsing adat desa"
    assert set(tpp.DEFAULT_HUKDIS_CUTS) <= set(tpp.HUKDIS_LABELS)


def test_formatting_caches_give_the_uncached_text():
    values = [D("1234567.50"), D("1234567.5"), D("0.0"), D("-0"), D("1E+3"), D("12.3456789")]
    for value in values:
        assert tpp._num(value) == tpp._num_text(value)
        assert tpp._num(value) == tpp._num_text(value)  # second call from the cache
        assert format_rupiah(value) == tpp._rupiah_text(value)
        assert format_rupiah(value) == tpp._rupiah_text(value)
    assert tpp._num(D("-0")) == "-0" and tpp._num(D("0")) == "0"
    assert tpp._pct(D("7.25")) == "7,25%" and tpp._pct(D("0.50000")) == "0,5%"


def test_band_lookup_matches_the_band_bounds():
    policy = TppPolicy(lateness_bands=((1, 5, 1), (6, 6, 2), (7, None, 3)))
    result = example(policy, lateness_minutes=[1, 5, 6, 7, 500, 0, None], early_leave_minutes=[])
    assert {k: v.count for k, v in by_code(result).items() if k.startswith("TL")} == {
        "TL1": 2,
        "TL2": 1,
        "TL3": 2,
        "TL_TANPA_REKAM": 1,
    }


def test_hukdis_never_takes_more_than_what_is_left():
    result = example(hukdis_kind="pemberhentian")
    hukdis = by_code(result)["HUKDIS"]
    assert hukdis.amount == D(9_100_000)
    assert "dibatasi sisa TPP" in hukdis.reason
    assert result.received == D(0)


def test_hukdis_unknown_kind_lists_the_known_ones():
    with pytest.raises(TppError, match="teguran_lisan, pemberhentian"):
        example(hukdis_kind="penurunan_pangkat")


def test_hukdis_kind_and_percent_are_exclusive():
    with pytest.raises(TppError, match="tidak keduanya"):
        example(hukdis_kind="teguran_lisan", hukdis_percent=20)


# ---------------------------------------------------------------------------
# Rounding and lineage
# ---------------------------------------------------------------------------


def test_rupiah_is_rounded_half_up_at_the_end_only():
    # produktivitas 1.5 and disiplin 1.5 both display as 2, yet the exact total 3 is paid.
    result = compute_tpp(PRESET_DEFAULT, pagu="3.75", points=2, points_target=3)
    assert result.produktivitas_part == D(2)
    assert result.disiplin_part == D(2)
    assert result.received == D(3)


def test_rupiah_amounts_are_whole():
    result = example(pagu=1_234_567, points=1, points_target=3)
    assert result.produktivitas_part == D(246_913)  # 246,913.4
    assert result.disiplin_part == D(493_827)  # 493,826.8
    for amount in (
        result.received,
        result.total_deductions,
        *(d.amount for d in result.deductions),
    ):
        assert amount == amount.to_integral_value()
        assert amount.as_tuple().exponent == 0


def test_lineage_explains_the_computation():
    result = example()
    lineage = result.lineage
    assert lineage["policy_version"] == "bawaan-60-40"
    assert lineage["policy"] == PRESET_DEFAULT.to_dict()
    assert lineage["inputs"] == {
        "pagu": "10000000",
        "points": "5400",
        "points_target": "6000",
        "predikat": None,
        "lateness_minutes": [10, 45, 95],
        "early_leave_minutes": [20],
        "absent_days": 1,
        "hukdis_percent": "0",
        "hukdis_kind": None,
    }
    formula = lineage["formula"]
    assert "TPP diterima = Bagian produktivitas + Bagian disiplin − Potongan disiplin" in formula
    assert "Bagian produktivitas = Pagu × 60% × min(Poin ÷ Target poin, 100%)" in formula
    assert "Bagian disiplin = Pagu × 40%" in formula
    assert "1–30 menit 0,5%; 31–60 menit 1%; 61–90 menit 1,25%; ≥ 91 menit 1,5%" in formula
    assert "tanpa keterangan × 4%" in formula
    assert lineage["steps"] == [
        "Bagian produktivitas = 60% × Rp 10.000.000 × 90% (5.400 dari 6.000 poin, maks. 100%)"
        " = Rp 5.400.000",
        "Bagian disiplin = 40% × Rp 10.000.000 = Rp 4.000.000",
        "Potongan disiplin = 7,5% × Rp 4.000.000 = Rp 300.000",
        "Potongan hukuman disiplin = 0% × Rp 10.000.000 = Rp 0",
        "TPP diterima = Rp 5.400.000 + Rp 4.000.000 − Rp 300.000 = Rp 9.100.000",
    ]
    assert "dibulatkan" in lineage["rounding"]
    json.dumps(lineage)  # storable as-is


def test_lineage_follows_the_policy():
    result = example(PRESET_REVERSE)
    assert result.lineage["policy_version"] == "terbalik-40-60"
    assert "Bagian produktivitas = Pagu × 40%" in result.lineage["formula"]
    assert "Bagian disiplin = Pagu × 60%" in result.lineage["formula"]
    predikat_result = compute_tpp(PREDIKAT_POLICY, pagu=PAGU, predikat=2)
    assert "persentase predikat kinerja" in predikat_result.lineage["formula"]
    assert "Butuh Perbaikan 80%" in predikat_result.lineage["formula"]


# ---------------------------------------------------------------------------
# TppPolicy
# ---------------------------------------------------------------------------


def test_default_policy_values():
    policy = TppPolicy()
    assert policy.produktivitas_source == "points_ratio"
    assert policy.lateness_bands == DEFAULT_LATENESS_BANDS
    assert policy.early_leave_bands == DEFAULT_LATENESS_BANDS
    assert DEFAULT_LATENESS_BANDS == (
        LatenessBand(1, 30, D("0.5")),
        LatenessBand(31, 60, D(1)),
        LatenessBand(61, 90, D("1.25")),
        LatenessBand(91, None, D("1.5")),
    )
    assert policy.no_record_percent == D("1.5")
    assert policy.absent_percent_per_day == D(4)
    assert policy.cap_disiplin_deduction is True


def test_policy_is_frozen_and_read_only():
    with pytest.raises(dataclasses.FrozenInstanceError):
        PRESET_DEFAULT.disiplin_pct = D(50)
    with pytest.raises(TypeError):
        PRESET_DEFAULT.predikat_percent[Predikat.BAIK] = D(1)
    with pytest.raises(TypeError):
        PRESET_DEFAULT.hukdis_cuts["x"] = D(1)
    assert isinstance(hash(PRESET_DEFAULT), int)


@pytest.mark.parametrize(
    "policy",
    [
        PRESET_DEFAULT,
        PRESET_REVERSE,
        TppPolicy(
            version="kab-x-2025",
            name="Kab. X",
            produktivitas_pct="55.5",
            disiplin_pct="44.5",
            produktivitas_source="predikat_table",
            lateness_bands=[(1, 15, "0.25"), (16, None, 2)],
            early_leave_bands=[[1, None, 1]],
            no_record_percent=3,
            absent_percent_per_day="2.5",
            hukdis_cuts={"teguran_tertulis": 30},
            cap_disiplin_deduction=False,
        ),
    ],
)
def test_policy_round_trips_through_dict_and_json(policy):
    data = policy.to_dict()
    assert TppPolicy.from_dict(data) == policy
    assert TppPolicy.from_dict(json.loads(json.dumps(data))) == policy


def test_policy_from_dict_fills_defaults_and_converts_numbers():
    policy = TppPolicy.from_dict({"version": "v2", "produktivitas_pct": 70, "disiplin_pct": 30})
    assert policy.produktivitas_pct == D(70)
    assert isinstance(policy.disiplin_pct, Decimal)
    assert policy.lateness_bands == DEFAULT_LATENESS_BANDS
    assert policy.version == "v2"


def test_policy_to_dict_shape():
    data = PRESET_DEFAULT.to_dict()
    assert data["produktivitas_pct"] == "60"
    assert data["lateness_bands"][0] == [1, 30, "0.5"]
    assert data["lateness_bands"][-1] == [91, None, "1.5"]
    assert data["predikat_percent"]["BUTUH_PERBAIKAN"] == "80"


FULL_PREDIKAT = {"SANGAT_BAIK": 100, "BAIK": 100, "BUTUH_PERBAIKAN": 80, "KURANG": 70}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"produktivitas_pct": 60, "disiplin_pct": 30}, "harus berjumlah 100.*60 \\+ 30 = 90"),
        ({"produktivitas_pct": 110, "disiplin_pct": -10}, "antara 0 dan 100"),
        ({"produktivitas_pct": "x"}, "bukan angka"),
        ({"produktivitas_source": "absensi"}, "produktivitas_source 'absensi' tidak dikenal"),
        ({"version": ""}, "version kebijakan TPP wajib"),
        ({"version": None}, "version kebijakan TPP wajib"),
        ({"name": 5}, "name"),
        ({"foo": 1, "bar": 2}, "Kunci kebijakan TPP tidak dikenal: bar, foo"),
        ({"predikat_percent": {"BAIK": 100}}, "belum ada: Sangat Baik, Butuh Perbaikan"),
        ({"predikat_percent": {**FULL_PREDIKAT, "X": 1}}, "predikat 'X' tidak dikenal"),
        ({"predikat_percent": {**FULL_PREDIKAT, "SANGAT_KURANG": 120}}, "antara 0 dan 100"),
        ({"predikat_percent": [1, 2]}, "pemetaan"),
        ({"lateness_bands": []}, "lateness_bands tidak boleh kosong"),
        ({"lateness_bands": "1-30"}, "harus daftar"),
        ({"lateness_bands": [[2, None, 1]]}, "menit_min seharusnya 1"),
        ({"lateness_bands": [[1, 30, 0.5], [40, None, 1]]}, "bersambung.*seharusnya 31"),
        ({"lateness_bands": [[1, 30, 0.5]]}, "rentang terakhir harus tanpa batas atas"),
        ({"lateness_bands": [[1, None, 0.5], [2, None, 1]]}, "hanya rentang terakhir"),
        ({"lateness_bands": [[1, 30]]}, "tiga nilai"),
        ({"lateness_bands": [[1, 0, 1], [1, None, 1]]}, "lebih kecil dari menit_min"),
        ({"lateness_bands": [[1, None, "abc"]]}, "bukan angka"),
        ({"lateness_bands": [[1.5, None, 1]]}, "menit_min harus bilangan bulat"),
        ({"early_leave_bands": [[1, None, 101]]}, "early_leave_bands\\[0\\] persen"),
        ({"no_record_percent": 101}, "no_record_percent harus antara 0 dan 100"),
        ({"absent_percent_per_day": -1}, "absent_percent_per_day harus antara 0 dan 100"),
        ({"hukdis_cuts": {"": 10}}, "tidak sah"),
        ({"hukdis_cuts": {"x": 120}}, "hukdis_cuts\\[x\\] harus antara 0 dan 100"),
        ({"hukdis_cuts": ["x"]}, "pemetaan"),
        ({"cap_disiplin_deduction": "yes"}, "true atau false"),
    ],
)
def test_policy_validation_errors(data, message):
    with pytest.raises(TppPolicyError, match=message):
        TppPolicy.from_dict({"version": "uji", **data} if "version" not in data else data)


def test_policy_from_dict_requires_a_mapping():
    with pytest.raises(TppPolicyError, match="pemetaan"):
        TppPolicy.from_dict([("version", "x")])


def test_policy_constructor_validates_too():
    with pytest.raises(TppPolicyError, match="berjumlah 100"):
        TppPolicy(produktivitas_pct=D(50))


def test_custom_bands_are_applied():
    policy = TppPolicy(version="ketat", lateness_bands=[(1, 15, "0.25"), (16, None, 2)])
    result = compute_tpp(
        policy, pagu=PAGU, points=1, points_target=1, lateness_minutes=[15, 16, None]
    )
    items = by_code(result)
    assert items["TL1"].percent == D("0.25")
    assert items["TL2"].percent == D(2)
    assert items["TL_TANPA_REKAM"].percent == D("1.5")
    assert "16 menit" in items["TL2"].reason


# ---------------------------------------------------------------------------
# Formatting helpers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (9_100_000, "Rp 9.100.000"),
        (0, "Rp 0"),
        ("999.5", "Rp 1.000"),
        (D("1234567.49"), "Rp 1.234.567"),
        (-300, "-Rp 300"),
    ],
)
def test_format_rupiah(amount, expected):
    assert format_rupiah(amount) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+6281234", "'+6281234"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("Budi Santoso", "Budi Santoso"),
        ("a=b", "a=b"),
        ("", ""),
        (" =1", " =1"),
    ],
)
def test_formula_safe_prefixes_formula_like_text(value, expected):
    assert formula_safe(value) == expected


@pytest.mark.parametrize("value", [5, -5, D("-1.5"), None, 2.5])
def test_formula_safe_leaves_non_text_unchanged(value):
    assert formula_safe(value) is value
