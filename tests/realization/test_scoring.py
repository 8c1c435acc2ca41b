"""Tests for the pure scoring formulas (``skp_app.realization.scoring``)."""

import ast
import doctest
import json
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from skp_app.realization import scoring
from skp_app.realization.scoring import (
    AK_PERSENTASE,
    DEFAULT_DAILY_POINTS,
    DEFAULT_MONTHLY_POINTS,
    JENJANG_KOEFISIEN,
    PREDIKAT_MATRIX,
    CurveLimit,
    OrgPredikat,
    Predikat,
    Rating,
    ScoringError,
    YearEndProjection,
    activity_points,
    angka_kredit,
    biaya,
    capaian_category,
    capaian_iki,
    capaian_kegiatan,
    check_distribution,
    curve_limits,
    curve_rules,
    kualitas,
    kuantitas,
    nilai_capaian_iki,
    nilai_capaian_kegiatan,
    nilai_capaian_skp,
    nilai_kinerja_pp30,
    nilai_prestasi_kerja,
    nilai_tugas_tambahan,
    predikat_from_ratings,
    predikat_pp30,
    predikat_pp46,
    project_year_end,
    rollup_capaian,
    round_score,
    suggest_rating_hasil_kerja,
    to_decimal,
    waktu,
)

D = Decimal
SB, B, BP, K, SK = (
    Predikat.SANGAT_BAIK,
    Predikat.BAIK,
    Predikat.BUTUH_PERBAIKAN,
    Predikat.KURANG,
    Predikat.SANGAT_KURANG,
)


# ---------------------------------------------------------------------------
# Module hygiene
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("module_name", ["scoring", "tpp"])
def test_pure_module_imports_only_stdlib(module_name):
    path = Path(scoring.__file__).with_name(f"{module_name}.py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    allowed_local = {"skp_app.realization.scoring"}
    foreign = {
        name
        for name in imported
        if name.split(".")[0] not in sys.stdlib_module_names and name not in allowed_local
    }
    assert foreign == set()


def test_doctests_pass():
    result = doctest.testmod(scoring, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 30
    assert result.failed == 0


def test_public_names_exist():
    for name in scoring.__all__:
        assert hasattr(scoring, name), name


# ---------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (9.12, D("9.12")),
        ("9.12", D("9.12")),
        (D("9.12"), D("9.12")),
        (12, D("12")),
        (0.1, D("0.1")),
    ],
)
def test_to_decimal_goes_through_str(value, expected):
    result = to_decimal(value)
    assert result == expected
    assert str(result) == str(expected)


@pytest.mark.parametrize("value", [True, None, "abc", "1,5", "NaN", "Infinity", float("nan")])
def test_to_decimal_rejects_non_numbers(value):
    with pytest.raises(ScoringError):
        to_decimal(value)


def test_scoring_error_is_value_error():
    assert issubclass(ScoringError, ValueError)


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [("85.5", 2, "85.50"), ("2.8125", 3, "2.813"), ("0.9375", 3, "0.938"), ("2.5", 0, "3")],
)
def test_round_score_rounds_half_up(value, places, expected):
    assert str(round_score(value, places)) == expected


# ---------------------------------------------------------------------------
# Enumerations
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("member", "siasn_id", "label"),
    [
        (Rating.DI_ATAS, 1, "Di Atas Ekspektasi"),
        (Rating.SESUAI, 2, "Sesuai Ekspektasi"),
        (Rating.DI_BAWAH, 3, "Di Bawah Ekspektasi"),
        (Predikat.SANGAT_BAIK, 1, "Sangat Baik"),
        (Predikat.BAIK, 2, "Baik"),
        (Predikat.BUTUH_PERBAIKAN, 3, "Butuh Perbaikan"),
        (Predikat.KURANG, 4, "Kurang/Misconduct"),
        (Predikat.SANGAT_KURANG, 5, "Sangat Kurang"),
    ],
)
def test_enum_members_carry_siasn_id_and_label(member, siasn_id, label):
    assert member.siasn_id == siasn_id
    assert member.label == label
    assert type(member).from_siasn_id(siasn_id) is member
    assert type(member).coerce(siasn_id) is member
    assert type(member).coerce(str(siasn_id)) is member
    assert type(member).coerce(member.value.lower()) is member
    assert type(member).coerce(label) is member
    assert isinstance(member, str)


def test_enums_serialise_as_their_value():
    assert json.dumps({"rating": Rating.SESUAI}) == '{"rating": "SESUAI"}'
    assert Rating("DI_ATAS") is Rating.DI_ATAS


def test_org_predikat_has_five_members_and_cukup_alias():
    assert [p.value for p in OrgPredikat] == [
        "ISTIMEWA",
        "BAIK",
        "BUTUH_PERBAIKAN",
        "KURANG",
        "SANGAT_KURANG",
    ]
    assert OrgPredikat.CUKUP is OrgPredikat.BUTUH_PERBAIKAN
    assert OrgPredikat.coerce("Cukup") is OrgPredikat.BUTUH_PERBAIKAN
    assert OrgPredikat.BUTUH_PERBAIKAN.label == "Butuh Perbaikan"
    assert OrgPredikat.ISTIMEWA.siasn_id is None


@pytest.mark.parametrize("value", [0, 4, "9", "X", True, None, 1.0])
def test_rating_coerce_rejects_unknown_values(value):
    with pytest.raises(ScoringError):
        Rating.coerce(value)


def test_org_predikat_has_no_siasn_ids():
    with pytest.raises(ScoringError, match="tidak dikenal"):
        OrgPredikat.coerce(1)


# ---------------------------------------------------------------------------
# PermenPANRB 8/2021: capaian IKI
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("realisasi", "target", "expected"),
    [(45, 50, "90"), (50, 50, "100"), (60, 50, "120"), (0, 50, "0"), ("7.5", 10, "75")],
)
def test_capaian_iki_normal_is_realisasi_over_target(realisasi, target, expected):
    assert capaian_iki(realisasi, target) == D(expected)


@pytest.mark.parametrize(
    ("realisasi", "target", "expected"),
    [(8, 10, "120"), (10, 10, "100"), (12, 10, "80"), (0, 10, "200"), (25, 10, "-50")],
)
def test_capaian_iki_lower_is_better_uses_two_minus_ratio(realisasi, target, expected):
    assert capaian_iki(realisasi, target, lower_is_better=True) == D(expected)


@pytest.mark.parametrize(
    ("realisasi", "lower_is_better", "expected"),
    [
        (80, False, "100"),  # lower bound is inside
        (85, False, "100"),
        (90, False, "100"),  # upper bound is inside
        (99, False, "110"),  # above: against upper bound 90
        (72, False, "90"),  # below: against lower bound 80
        (80, True, "100"),
        (90, True, "100"),
        (99, True, "90"),  # above (worse): 200 - 99/90*100
        (72, True, "110"),  # below (better): 200 - 72/80*100
    ],
)
def test_capaian_iki_range_target(realisasi, lower_is_better, expected):
    result = capaian_iki(realisasi, 80, target_max=90, lower_is_better=lower_is_better)
    assert result == D(expected)


def test_capaian_iki_range_with_equal_bounds_is_a_single_target():
    assert capaian_iki(45, 50, target_max=50) == capaian_iki(45, 50) == D(90)


def test_capaian_iki_float_inputs_match_decimal_inputs():
    assert capaian_iki(0.1, 0.3) == capaian_iki(D("0.1"), D("0.3"))
    assert round_score(capaian_iki(0.1, 0.3)) == D("33.33")
    assert capaian_iki(9.12, 12) == D(76)


def test_capaian_iki_zero_target_raises_precise_error():
    with pytest.raises(ScoringError, match="Target IKI bernilai 0"):
        capaian_iki(3, 0)
    with pytest.raises(ScoringError, match="Target IKI bernilai 0"):
        capaian_iki(3, 0, lower_is_better=True)


def test_capaian_iki_zero_realisasi_of_zero_target_is_full_achievement():
    assert capaian_iki(0, 0) == D(100)
    assert capaian_iki(0, 0, lower_is_better=True) == D(100)


def test_capaian_iki_range_from_zero_only_divides_when_needed():
    assert capaian_iki(0, 0, target_max=5, lower_is_better=True) == D(100)
    assert capaian_iki(3, 0, target_max=5, lower_is_better=True) == D(100)
    assert capaian_iki(10, 0, target_max=5, lower_is_better=True) == D(0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"realisasi": 1, "target": -5}, "tidak boleh negatif"),
        ({"realisasi": 1, "target": 90, "target_max": 80}, "Target rentang tidak sah"),
        ({"realisasi": "x", "target": 5}, "bukan angka"),
    ],
)
def test_capaian_iki_rejects_invalid_targets(kwargs, message):
    with pytest.raises(ScoringError, match=message):
        capaian_iki(**kwargs)


@pytest.mark.parametrize(
    ("capaian", "nilai", "category"),
    [
        ("150", "120", "Sangat Baik"),
        ("110.01", "120", "Sangat Baik"),
        ("110", "120", "Sangat Baik"),
        ("105.5", "115", "Sangat Baik"),
        ("101", "110", "Sangat Baik"),
        ("100.5", "109.5", "Baik"),
        ("100", "109", "Baik"),
        ("99.5", "89.5", "Cukup"),
        ("99", "89", "Cukup"),
        ("90", "80", "Cukup"),
        ("80", "70", "Cukup"),
        ("79.5", "69.5", "Kurang"),
        ("79", "69", "Kurang"),
        ("70", "60", "Kurang"),
        ("60", "50", "Kurang"),
        ("59", "49", "Sangat Kurang"),
        ("29.5", "24.5", "Sangat Kurang"),
        ("0", "0", "Sangat Kurang"),
        ("-50", "0", "Sangat Kurang"),
    ],
)
def test_nilai_capaian_iki_bands(capaian, nilai, category):
    result, result_category = nilai_capaian_iki(D(capaian))
    assert round_score(result) == round_score(nilai)
    assert result_category == category
    assert capaian_category(capaian) == category


def test_nilai_capaian_iki_published_jpt_example_gives_109_for_100_percent():
    assert nilai_capaian_iki(capaian_iki(50, 50)) == (D(109), "Baik")


def test_nilai_capaian_iki_is_continuous_into_sangat_baik():
    below, _ = nilai_capaian_iki(D("100.999"))
    at, _ = nilai_capaian_iki(D(101))
    assert at - below < D("0.01")


@pytest.mark.parametrize(
    ("capaian", "expected"),
    [(100, (D(120), "Sangat Baik")), (105, (D(120), "Sangat Baik")), (99, (D(89), "Cukup"))],
)
def test_nilai_capaian_iki_for_maximum_possible_target(capaian, expected):
    assert nilai_capaian_iki(capaian, target_is_maximum=True) == expected


def test_nilai_capaian_iki_accepts_float():
    assert nilai_capaian_iki(99.5)[0] == D("89.5")


# ---------------------------------------------------------------------------
# PP 46/2011: aspects, kegiatan, SKP, prestasi kerja, predikat
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ro", "to", "expected"), [(1, 1, 100), (3, 4, 75), (5, 4, 125), (0.5, 2, 25)]
)
def test_kuantitas(ro, to, expected):
    assert kuantitas(ro, to) == D(expected)


@pytest.mark.parametrize(("rk", "tk", "expected"), [(90, 100, 90), (90, 90, 100), (45, 50, 90)])
def test_kualitas(rk, tk, expected):
    assert kualitas(rk, tk) == D(expected)


def test_kualitas_target_defaults_to_100():
    assert kualitas(90) == D(90)


def test_float_arithmetic_would_take_the_wrong_branch_at_24_percent():
    # Why the module uses Decimal: the binary-float efficiency is just above 24.
    assert 100 - 9.12 / 12 * 100 > 24


@pytest.mark.parametrize(
    ("rw", "tw"),
    [(D("9.12"), D(12)), (9.12, 12), (9.12, 12.0), ("9.12", "12"), (D("9.120"), 12)],
)
def test_waktu_efficiency_exactly_24_percent_takes_the_first_branch(rw, tw):
    assert waktu(rw, tw) == D(100)


@pytest.mark.parametrize("rw", [D("9.1188"), 9.1188, "9.1188"])
def test_waktu_efficiency_just_above_24_percent_drops_to_about_76(rw):
    assert round_score(waktu(rw, 12)) == D("75.99")


@pytest.mark.parametrize(
    ("rw", "tw", "expected"),
    [
        (12, 12, "76"),  # on time: efficiency 0%
        (6, 12, "50"),  # efficiency 50%: 76 - (126 - 100)
        (0, 12, "0"),  # efficiency 100%
        (13, 12, "67.67"),  # late: negative efficiency stays in the first branch
        (21.12, 12, "0"),  # 1.76 x target
        (24, 12, "-24"),  # not clamped
    ],
)
def test_waktu_branches(rw, tw, expected):
    assert round_score(waktu(rw, tw)) == round_score(expected)


@pytest.mark.parametrize(
    ("rb", "tb", "expected"),
    [
        (76, 100, "100"),  # efficiency exactly 24%
        (76.0, 100.0, "100"),
        ("75.99", 100, "75.99"),  # efficiency 24.01%
        (100, 100, "76"),
        (170_395_000, 170_395_000, "76"),
        (50, 100, "50"),
    ],
)
def test_biaya_branches(rb, tb, expected):
    assert round_score(biaya(rb, tb)) == round_score(expected)


@pytest.mark.parametrize(
    ("func", "args"),
    [(kuantitas, (1, 0)), (kualitas, (90, 0)), (waktu, (12, 0)), (biaya, (1, 0)), (waktu, (1, -1))],
)
def test_pp46_aspects_reject_non_positive_targets(func, args):
    with pytest.raises(ScoringError, match="harus lebih besar dari 0"):
        func(*args)


def test_pp46_published_worked_example_gives_85_50():
    result = capaian_kegiatan(ro=1, to=1, rk=90, rw=12, tw=12, rb=170_395_000, tb=170_395_000)
    assert result.kuantitas == D(100)
    assert result.kualitas == D(90)
    assert result.waktu == D(76)
    assert result.biaya == D(76)
    assert result.perhitungan == D(342)
    assert result.nilai_capaian == D("85.50")
    assert str(round_score(result.nilai_capaian)) == "85.50"


def test_pp46_worked_example_with_float_and_string_inputs():
    nilai = nilai_capaian_kegiatan(
        ro=1.0, to="1", rk=90.0, tk=100.0, rw=12.0, tw="12", rb=170395000.0, tb="170395000"
    )
    assert str(round_score(nilai)) == "85.50"


def test_nilai_capaian_kegiatan_without_biaya_divides_by_three():
    nilai = nilai_capaian_kegiatan(ro=1, to=1, rk=90, rw=12, tw=12)
    assert nilai == (D(100) + D(90) + D(76)) / 3
    assert round_score(nilai) == D("88.67")


def test_nilai_capaian_kegiatan_with_zero_biaya_target_divides_by_three():
    assert capaian_kegiatan(ro=1, to=1, rk=90, rw=12, tw=12, rb=0, tb=0).biaya is None


def test_nilai_capaian_kegiatan_adds_biaya_when_dividing_by_four():
    # papamas/ekinerja divides (kuantitas + kualitas + waktu) by 4 and forgets biaya.
    nilai = nilai_capaian_kegiatan(ro=1, to=1, rk=90, rw=12, tw=12, rb=76, tb=100)
    assert nilai == (D(100) + D(90) + D(76) + D(100)) / 4
    assert nilai != (D(100) + D(90) + D(76)) / 4


def test_nilai_capaian_kegiatan_requires_realisasi_biaya_when_targeted():
    with pytest.raises(ScoringError, match="Realisasi biaya wajib"):
        nilai_capaian_kegiatan(ro=1, to=1, rk=90, rw=12, tw=12, tb=100)


@pytest.mark.parametrize(
    ("count", "expected"), [(0, 0), (1, 1), (3, 1), (4, 2), (6, 2), (7, 3), (20, 3)]
)
def test_nilai_tugas_tambahan(count, expected):
    assert nilai_tugas_tambahan(count) == expected


@pytest.mark.parametrize("count", [-1, 1.5, True, "3"])
def test_nilai_tugas_tambahan_rejects_invalid_counts(count):
    with pytest.raises(ScoringError):
        nilai_tugas_tambahan(count)


@pytest.mark.parametrize(
    ("values", "tugas", "kreativitas", "expected"),
    [
        ([D("85.5")], 0, 0, "85.5"),
        ([80, 90], 0, 0, "85"),
        ([80, 90], 2, 0, "86"),
        ([80, 90], 5, 6, "93"),
        ([80, 90], 7, 12, "100"),
        ([80.5, 90.25], 0, 0, "85.375"),
    ],
)
def test_nilai_capaian_skp_averages_and_adds_extras(values, tugas, kreativitas, expected):
    assert nilai_capaian_skp(values, tugas, kreativitas) == D(expected)


def test_nilai_capaian_skp_requires_a_kegiatan():
    with pytest.raises(ScoringError, match="paling sedikit satu kegiatan"):
        nilai_capaian_skp([])


def test_nilai_capaian_skp_rejects_negative_kreativitas():
    with pytest.raises(ScoringError, match="Kreativitas"):
        nilai_capaian_skp([80], kreativitas=-3)


@pytest.mark.parametrize(
    ("skp", "perilaku", "expected"),
    [(100, 100, "100"), (85.5, 80, "83.3"), (100, 0, "60"), (0, 100, "40")],
)
def test_nilai_prestasi_kerja_is_60_40(skp, perilaku, expected):
    assert nilai_prestasi_kerja(skp, perilaku) == D(expected)


@pytest.mark.parametrize(
    ("nilai", "expected"),
    [
        (110, "Sangat Baik"),
        (100, "Sangat Baik"),
        (91, "Sangat Baik"),
        ("90.01", "Sangat Baik"),
        (90, "Baik"),
        (85.5, "Baik"),
        (76, "Baik"),
        ("75.5", "Baik"),
        (75, "Cukup"),
        (61, "Cukup"),
        (60, "Kurang"),
        (51, "Kurang"),
        ("50.5", "Kurang"),
        (50, "Buruk"),
        (0, "Buruk"),
    ],
)
def test_predikat_pp46_bands(nilai, expected):
    assert predikat_pp46(nilai) == expected


# ---------------------------------------------------------------------------
# PP 30/2019
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("skp", "perilaku", "uses_360", "expected"),
    [
        (100, 90, False, "97"),
        (100, 90, True, "96"),
        (120, 100, False, "114"),
        (120, 100, True, "112"),
        (109.5, 80, False, "100.65"),
    ],
)
def test_nilai_kinerja_pp30_weights(skp, perilaku, uses_360, expected):
    assert nilai_kinerja_pp30(skp, perilaku, uses_360=uses_360) == D(expected)


@pytest.mark.parametrize(
    ("nilai", "innovation", "expected"),
    [
        (120, True, "Sangat Baik"),
        (110, True, "Sangat Baik"),
        ("109.99", True, "Baik"),
        (120, False, "Baik"),
        (115, False, "Baik"),
        (90, False, "Baik"),
        ("89.99", True, "Cukup"),
        (70, False, "Cukup"),
        ("69.99", False, "Kurang"),
        (50, False, "Kurang"),
        ("49.99", False, "Sangat Kurang"),
        (0, False, "Sangat Kurang"),
    ],
)
def test_predikat_pp30_bands(nilai, innovation, expected):
    assert predikat_pp30(nilai, has_innovation=innovation) == expected


def test_predikat_pp30_uncertain_bands_are_configurable():
    assert predikat_pp30(55) == "Kurang"
    assert predikat_pp30(55, kurang_min=60) == "Sangat Kurang"
    assert predikat_pp30(65, cukup_min=60) == "Cukup"


@pytest.mark.parametrize("nilai", [-1, "120.01", 200])
def test_predikat_pp30_rejects_out_of_range(nilai):
    with pytest.raises(ScoringError, match="0–120"):
        predikat_pp30(nilai)


def test_predikat_pp30_rejects_non_descending_thresholds():
    with pytest.raises(ScoringError, match="harus menurun"):
        predikat_pp30(80, cukup_min=95)


# ---------------------------------------------------------------------------
# PermenPANRB 6/2022: predikat matrix and suggested rating
# ---------------------------------------------------------------------------

MATRIX_CASES = [
    (Rating.DI_ATAS, Rating.DI_ATAS, Predikat.SANGAT_BAIK),
    (Rating.DI_ATAS, Rating.SESUAI, Predikat.BAIK),
    (Rating.DI_ATAS, Rating.DI_BAWAH, Predikat.KURANG),
    (Rating.SESUAI, Rating.DI_ATAS, Predikat.BAIK),
    (Rating.SESUAI, Rating.SESUAI, Predikat.BAIK),
    (Rating.SESUAI, Rating.DI_BAWAH, Predikat.KURANG),
    (Rating.DI_BAWAH, Rating.DI_ATAS, Predikat.BUTUH_PERBAIKAN),
    (Rating.DI_BAWAH, Rating.SESUAI, Predikat.BUTUH_PERBAIKAN),
    (Rating.DI_BAWAH, Rating.DI_BAWAH, Predikat.SANGAT_KURANG),
]


@pytest.mark.parametrize(("hasil", "perilaku", "expected"), MATRIX_CASES)
def test_predikat_from_ratings_matrix(hasil, perilaku, expected):
    assert predikat_from_ratings(hasil, perilaku) is expected
    assert predikat_from_ratings(hasil.siasn_id, perilaku.siasn_id) is expected
    assert predikat_from_ratings(str(hasil.siasn_id), perilaku.value) is expected


def test_predikat_matrix_covers_every_pair_exactly_once():
    assert len(PREDIKAT_MATRIX) == 9
    assert dict(PREDIKAT_MATRIX) == {(h, p): e for h, p, e in MATRIX_CASES}


@pytest.mark.parametrize(
    ("hasil", "perilaku", "kuadran"), [(1, 2, 2), (2, 3, 4), (3, 3, 5), (1, 1, 1), (3, 1, 3)]
)
def test_predikat_from_siasn_ids_gives_siasn_kuadran(hasil, perilaku, kuadran):
    assert predikat_from_ratings(hasil, perilaku).siasn_id == kuadran


@pytest.mark.parametrize(("hasil", "perilaku"), [(0, 1), (1, 4), (True, 1), ("ATAS", 1)])
def test_predikat_from_ratings_rejects_unknown_ratings(hasil, perilaku):
    with pytest.raises(ScoringError):
        predikat_from_ratings(hasil, perilaku)


@pytest.mark.parametrize(
    ("capaians", "expected"),
    [
        ([101], Rating.DI_ATAS),
        ([120, 90], Rating.DI_ATAS),  # average 105
        ([D("100.99")], Rating.SESUAI),
        ([100], Rating.SESUAI),
        ([120, 80], Rating.SESUAI),  # average 100
        ([80], Rating.SESUAI),
        ([79.99], Rating.DI_BAWAH),
        ([50, 100], Rating.DI_BAWAH),  # average 75
        ([None, 110], Rating.DI_ATAS),  # no data is ignored
        ([], None),
        ([None, None], None),
    ],
)
def test_suggest_rating_hasil_kerja(capaians, expected):
    assert suggest_rating_hasil_kerja(capaians) is expected


def test_suggest_rating_hasil_kerja_thresholds_are_keywords():
    assert suggest_rating_hasil_kerja([100], di_atas_min=100) is Rating.DI_ATAS
    assert suggest_rating_hasil_kerja([85], sesuai_min=90) is Rating.DI_BAWAH


def test_suggest_rating_hasil_kerja_rejects_crossed_thresholds():
    with pytest.raises(ScoringError, match="harus lebih besar"):
        suggest_rating_hasil_kerja([90], di_atas_min=80, sesuai_min=90)


# ---------------------------------------------------------------------------
# SE MenPANRB 3/2023: distribution curve
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "max70", "min60", "min10", "max10"),
    [
        (1, 0, 1, 1, 0),
        (3, 2, 2, 1, 0),
        (5, 3, 3, 1, 0),
        (7, 4, 5, 1, 0),
        (10, 7, 6, 1, 1),
        (11, 7, 7, 2, 1),
        (20, 14, 12, 2, 2),
        (0, 0, 0, 0, 0),
    ],
)
def test_curve_rounding_floor_for_maximum_and_ceil_for_minimum(n, max70, min60, min10, max10):
    by_code = {rule.code: rule.required(n) for org in OrgPredikat for rule in curve_rules(org)}
    assert by_code["ISTIMEWA_SANGAT_BAIK_MAKS_70"] == max70
    assert by_code["BAIK_BAIK_MAKS_70"] == max70
    assert by_code["BUTUH_PERBAIKAN_BUTUH_PERBAIKAN_MIN_60"] == min60
    assert by_code["KURANG_KURANG_MIN_60"] == min60
    assert by_code["SANGAT_KURANG_SANGAT_KURANG_MIN_60"] == min60
    assert by_code["KURANG_BUTUH_PERBAIKAN_MIN_10"] == min10
    assert by_code["SANGAT_KURANG_KURANG_ATAU_BUTUH_PERBAIKAN_MIN_10"] == min10
    assert by_code["BUTUH_PERBAIKAN_SANGAT_BAIK_MAKS_10"] == max10
    assert by_code["KURANG_SANGAT_BAIK_MAKS_10"] == max10
    assert by_code["SANGAT_KURANG_SANGAT_BAIK_TIDAK_BOLEH"] == 0
    assert by_code["BAIK_BUTUH_PERBAIKAN_ATAU_KURANG_HARUS_ADA"] == (1 if n else 0)


def test_curve_rules_cover_every_clause_of_the_table():
    codes = {org: [rule.code for rule in curve_rules(org)] for org in OrgPredikat}
    assert codes == {
        OrgPredikat.ISTIMEWA: ["ISTIMEWA_SANGAT_BAIK_MAKS_70"],
        OrgPredikat.BAIK: ["BAIK_BAIK_MAKS_70", "BAIK_BUTUH_PERBAIKAN_ATAU_KURANG_HARUS_ADA"],
        OrgPredikat.BUTUH_PERBAIKAN: [
            "BUTUH_PERBAIKAN_BUTUH_PERBAIKAN_MIN_60",
            "BUTUH_PERBAIKAN_SANGAT_BAIK_MAKS_10",
        ],
        OrgPredikat.KURANG: [
            "KURANG_KURANG_MIN_60",
            "KURANG_BUTUH_PERBAIKAN_MIN_10",
            "KURANG_SANGAT_BAIK_MAKS_10",
        ],
        OrgPredikat.SANGAT_KURANG: [
            "SANGAT_KURANG_SANGAT_KURANG_MIN_60",
            "SANGAT_KURANG_KURANG_ATAU_BUTUH_PERBAIKAN_MIN_10",
            "SANGAT_KURANG_SANGAT_BAIK_TIDAK_BOLEH",
        ],
    }


@pytest.mark.parametrize(
    ("code", "quote"),
    [
        ("ISTIMEWA_SANGAT_BAIK_MAKS_70", "sebagian besar (maksimal 70%)"),
        ("BAIK_BAIK_MAKS_70", "sebagian besar (maksimal 70%)"),
        ("BAIK_BUTUH_PERBAIKAN_ATAU_KURANG_HARUS_ADA", "harus ada"),
        ("BUTUH_PERBAIKAN_BUTUH_PERBAIKAN_MIN_60", "paling sedikit 60%"),
        ("BUTUH_PERBAIKAN_SANGAT_BAIK_MAKS_10", "maksimal 10%"),
        ("KURANG_KURANG_MIN_60", "paling sedikit 60%"),
        ("KURANG_BUTUH_PERBAIKAN_MIN_10", "paling sedikit 10%"),
        ("KURANG_SANGAT_BAIK_MAKS_10", "maksimal 10%"),
        ("SANGAT_KURANG_SANGAT_KURANG_MIN_60", "paling sedikit 60%"),
        ("SANGAT_KURANG_KURANG_ATAU_BUTUH_PERBAIKAN_MIN_10", "paling sedikit 10%"),
        ("SANGAT_KURANG_SANGAT_BAIK_TIDAK_BOLEH", "tidak boleh ada"),
    ],
)
def test_curve_clause_quotes_the_rule_in_indonesian(code, quote):
    (rule,) = [r for org in OrgPredikat for r in curve_rules(org) if r.code == code]
    assert quote in rule.clause
    assert rule.clause.startswith("Predikat kinerja organisasi")


CURVE_CASES = [
    # (org, counts, expected violation codes)
    # Istimewa: max 70% Sangat Baik.
    (OrgPredikat.ISTIMEWA, {SB: 7, B: 3}, []),
    (OrgPredikat.ISTIMEWA, {SB: 8, B: 2}, ["ISTIMEWA_SANGAT_BAIK_MAKS_70"]),
    (OrgPredikat.ISTIMEWA, {SB: 2, BP: 1}, []),  # n=3: floor(2.1) = 2
    (OrgPredikat.ISTIMEWA, {SB: 3}, ["ISTIMEWA_SANGAT_BAIK_MAKS_70"]),
    (OrgPredikat.ISTIMEWA, {B: 5, SK: 5}, []),  # the rest may be anything
    # Baik: max 70% Baik; Butuh Perbaikan and/or Kurang must exist.
    (OrgPredikat.BAIK, {B: 7, BP: 1, SB: 2}, []),
    (OrgPredikat.BAIK, {B: 7, K: 1, SK: 2}, []),
    (OrgPredikat.BAIK, {B: 8, K: 2}, ["BAIK_BAIK_MAKS_70"]),
    (OrgPredikat.BAIK, {B: 7, SB: 3}, ["BAIK_BUTUH_PERBAIKAN_ATAU_KURANG_HARUS_ADA"]),
    (OrgPredikat.BAIK, {B: 2, K: 1}, []),  # n=3
    (
        OrgPredikat.BAIK,
        {B: 3},
        ["BAIK_BAIK_MAKS_70", "BAIK_BUTUH_PERBAIKAN_ATAU_KURANG_HARUS_ADA"],
    ),
    (OrgPredikat.BAIK, {B: 4, BP: 3}, []),  # n=7: floor(4.9) = 4
    (OrgPredikat.BAIK, {B: 5, BP: 2}, ["BAIK_BAIK_MAKS_70"]),
    # Butuh Perbaikan: min 60% Butuh Perbaikan; max 10% Sangat Baik.
    (OrgPredikat.BUTUH_PERBAIKAN, {BP: 6, SB: 1, B: 3}, []),
    (OrgPredikat.BUTUH_PERBAIKAN, {BP: 5, B: 5}, ["BUTUH_PERBAIKAN_BUTUH_PERBAIKAN_MIN_60"]),
    (OrgPredikat.BUTUH_PERBAIKAN, {BP: 6, SB: 2, B: 2}, ["BUTUH_PERBAIKAN_SANGAT_BAIK_MAKS_10"]),
    (OrgPredikat.BUTUH_PERBAIKAN, {BP: 5, B: 1, K: 1}, []),  # n=7: ceil(4.2) = 5
    (OrgPredikat.BUTUH_PERBAIKAN, {BP: 4, B: 3}, ["BUTUH_PERBAIKAN_BUTUH_PERBAIKAN_MIN_60"]),
    (
        OrgPredikat.BUTUH_PERBAIKAN,
        {BP: 5, SB: 1, B: 1},
        ["BUTUH_PERBAIKAN_SANGAT_BAIK_MAKS_10"],  # n=7: floor(0.7) = 0
    ),
    (OrgPredikat.BUTUH_PERBAIKAN, {BP: 2, SK: 1}, []),  # n=3
    # Kurang: min 60% Kurang; min 10% Butuh Perbaikan; max 10% Sangat Baik.
    (OrgPredikat.KURANG, {K: 6, BP: 1, SB: 1, B: 2}, []),
    (OrgPredikat.KURANG, {K: 5, BP: 1, B: 4}, ["KURANG_KURANG_MIN_60"]),
    (OrgPredikat.KURANG, {K: 6, B: 4}, ["KURANG_BUTUH_PERBAIKAN_MIN_10"]),
    (OrgPredikat.KURANG, {K: 6, BP: 1, SB: 2, B: 1}, ["KURANG_SANGAT_BAIK_MAKS_10"]),
    (OrgPredikat.KURANG, {K: 2, BP: 1}, []),  # n=3
    (OrgPredikat.KURANG, {K: 5, BP: 1, SK: 1}, []),  # n=7
    (OrgPredikat.KURANG, {K: 4, BP: 2, SK: 1}, ["KURANG_KURANG_MIN_60"]),
    (OrgPredikat.KURANG, {K: 1}, ["KURANG_BUTUH_PERBAIKAN_MIN_10"]),  # n=1 cannot comply
    # Sangat Kurang: min 60% SK; min 10% Kurang and/or BP; no Sangat Baik.
    (OrgPredikat.SANGAT_KURANG, {SK: 6, K: 1, B: 3}, []),
    (OrgPredikat.SANGAT_KURANG, {SK: 6, BP: 1, B: 3}, []),
    (OrgPredikat.SANGAT_KURANG, {SK: 5, K: 1, B: 4}, ["SANGAT_KURANG_SANGAT_KURANG_MIN_60"]),
    (
        OrgPredikat.SANGAT_KURANG,
        {SK: 6, B: 4},
        ["SANGAT_KURANG_KURANG_ATAU_BUTUH_PERBAIKAN_MIN_10"],
    ),
    (
        OrgPredikat.SANGAT_KURANG,
        {SK: 6, K: 1, B: 2, SB: 1},
        ["SANGAT_KURANG_SANGAT_BAIK_TIDAK_BOLEH"],
    ),
    (OrgPredikat.SANGAT_KURANG, {SK: 2, BP: 1}, []),  # n=3
    (OrgPredikat.SANGAT_KURANG, {SK: 5, K: 1, B: 1}, []),  # n=7
    (
        OrgPredikat.SANGAT_KURANG,
        {SB: 1, B: 2},
        [
            "SANGAT_KURANG_SANGAT_KURANG_MIN_60",
            "SANGAT_KURANG_KURANG_ATAU_BUTUH_PERBAIKAN_MIN_10",
            "SANGAT_KURANG_SANGAT_BAIK_TIDAK_BOLEH",
        ],
    ),
]


@pytest.mark.parametrize(("org", "counts", "codes"), CURVE_CASES)
def test_check_distribution(org, counts, codes):
    assert [v.code for v in check_distribution(org, counts)] == codes


@pytest.mark.parametrize("org", list(OrgPredikat))
def test_check_distribution_empty_organisation_has_no_violation(org):
    assert check_distribution(org, {}) == []
    assert check_distribution(org, dict.fromkeys(Predikat, 0)) == []


def test_check_distribution_violation_carries_numbers_and_message():
    (violation,) = check_distribution(OrgPredikat.KURANG, {K: 4, BP: 2, SK: 1})
    assert violation.code == "KURANG_KURANG_MIN_60"
    assert violation.bound == "min"
    assert violation.required == 5
    assert violation.actual == 4
    assert violation.total == 7
    assert violation.predikat == (Predikat.KURANG,)
    assert "paling sedikit 5" in violation.message
    assert "saat ini 4" in violation.message
    assert "Dari 7 pegawai" in violation.message


def test_check_distribution_group_clause_counts_both_predikat():
    (violation,) = check_distribution(OrgPredikat.SANGAT_KURANG, {SK: 18, B: 2})
    assert violation.predikat == (Predikat.KURANG, Predikat.BUTUH_PERBAIKAN)
    assert (violation.required, violation.actual, violation.bound) == (2, 0, "min")
    assert "Kurang/Misconduct + Butuh Perbaikan" in violation.message


def test_check_distribution_max_violation_message():
    (violation,) = check_distribution(OrgPredikat.ISTIMEWA, {SB: 3})
    assert (violation.bound, violation.required, violation.actual) == ("max", 2, 3)
    assert "paling banyak 2" in violation.message


def test_check_distribution_accepts_siasn_ids_names_and_alias():
    by_member = check_distribution(OrgPredikat.BUTUH_PERBAIKAN, {BP: 5, B: 5})
    by_ids = check_distribution("CUKUP", {3: 5, 2: 5})
    by_names = check_distribution("Butuh Perbaikan", {"BUTUH_PERBAIKAN": 5, "Baik": 5})
    assert by_member == by_ids == by_names


@pytest.mark.parametrize("counts", [{SB: -1}, {SB: 1.5}, {"X": 1}])
def test_check_distribution_rejects_invalid_counts(counts):
    with pytest.raises(ScoringError):
        check_distribution(OrgPredikat.ISTIMEWA, counts)


def test_curve_limits_for_small_kurang_unit():
    limits = curve_limits(OrgPredikat.KURANG, 7)
    assert limits == {
        SB: CurveLimit(0, 0),
        B: CurveLimit(0, 7),
        BP: CurveLimit(1, 7),
        K: CurveLimit(5, 7),
        SK: CurveLimit(0, 7),
    }


@pytest.mark.parametrize(
    ("org", "n", "expected"),
    [
        (OrgPredikat.ISTIMEWA, 10, {SB: (0, 7)}),
        (OrgPredikat.BAIK, 10, {B: (0, 7), BP: (0, 10), K: (0, 10)}),
        (OrgPredikat.BUTUH_PERBAIKAN, 10, {BP: (6, 10), SB: (0, 1)}),
        (OrgPredikat.SANGAT_KURANG, 3, {SK: (2, 3), SB: (0, 0), K: (0, 3), BP: (0, 3)}),
        (OrgPredikat.KURANG, 0, {K: (0, 0), BP: (0, 0), SB: (0, 0)}),
    ],
)
def test_curve_limits(org, n, expected):
    limits = curve_limits(org, n)
    for predikat, bounds in expected.items():
        assert tuple(limits[predikat]) == bounds


# ---------------------------------------------------------------------------
# Angka kredit
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("predikat", "expected"),
    [
        (Predikat.SANGAT_BAIK, "5.625"),
        (Predikat.BAIK, "3.750"),
        (Predikat.BUTUH_PERBAIKAN, "2.813"),  # 2.8125 rounded half up
        (Predikat.KURANG, "1.875"),
        (Predikat.SANGAT_KURANG, "0.938"),  # 0.9375 rounded half up
    ],
)
def test_angka_kredit_pemula(predikat, expected):
    assert str(angka_kredit(predikat, "PM")) == expected
    assert str(angka_kredit(predikat.siasn_id, "pm")) == expected


@pytest.mark.parametrize(
    ("code", "koefisien"),
    [
        ("PT", "12.5"),
        ("MU", "25"),
        ("MA", "37.5"),
        ("UT", "50"),
        ("PM", "3.75"),
        ("TR", "5"),
        ("MH", "12.5"),
        ("PY", "25"),
    ],
)
def test_angka_kredit_baik_equals_koefisien(code, koefisien):
    assert JENJANG_KOEFISIEN[code] == D(koefisien)
    assert angka_kredit(Predikat.BAIK, code) == D(koefisien)
    assert angka_kredit(Predikat.SANGAT_BAIK, code) == D(koefisien) * D("1.5")


def test_angka_kredit_percentages():
    assert [AK_PERSENTASE[p] for p in Predikat] == [D(150), D(100), D(75), D(50), D(25)]


@pytest.mark.parametrize(
    ("predikat", "code", "months", "expected"),
    [
        (Predikat.BAIK, "PT", 6, "6.250"),
        (Predikat.BAIK, "PT", 1, "1.042"),  # 12.5 / 12 = 1.04166...
        (Predikat.SANGAT_BAIK, "MA", 3, "14.063"),  # 37.5 x 1.5 / 4 = 14.0625
        (Predikat.SANGAT_KURANG, "PM", 1, "0.078"),  # 3.75 x 0.25 / 12 = 0.078125
        (Predikat.KURANG, "UT", 12, "25.000"),
    ],
)
def test_angka_kredit_is_prorated_by_month(predikat, code, months, expected):
    assert str(angka_kredit(predikat, code, months=months)) == expected


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"predikat": 2, "jenjang_code": "XX"}, "tidak dikenal"),
        ({"predikat": 2, "jenjang_code": "PM", "months": 0}, "1–12"),
        ({"predikat": 2, "jenjang_code": "PM", "months": 13}, "1–12"),
        ({"predikat": 2, "jenjang_code": "PM", "months": 6.5}, "1–12"),
        ({"predikat": 9, "jenjang_code": "PM"}, "tidak dikenal"),
    ],
)
def test_angka_kredit_rejects_invalid_input(kwargs, message):
    with pytest.raises(ScoringError, match=message):
        angka_kredit(**kwargs)


# ---------------------------------------------------------------------------
# Activity points
# ---------------------------------------------------------------------------


def test_activity_point_defaults():
    assert DEFAULT_DAILY_POINTS == 300
    assert DEFAULT_MONTHLY_POINTS == 6000


@pytest.mark.parametrize(
    ("minutes", "multiplier", "expected"),
    [(300, 1, "300"), (300, "1.5", "450"), (90, 1.25, "112.5"), (0, 2, "0")],
)
def test_activity_points(minutes, multiplier, expected):
    assert activity_points(minutes, multiplier) == D(expected)


def test_activity_points_default_multiplier_is_one():
    assert activity_points(45) == D(45)


@pytest.mark.parametrize(("minutes", "multiplier"), [(-1, 1), (10, 0), (10, -1), ("x", 1)])
def test_activity_points_rejects_invalid_input(minutes, multiplier):
    with pytest.raises(ScoringError):
        activity_points(minutes, multiplier)


# ---------------------------------------------------------------------------
# Roll-up and projection
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("children", "expected"),
    [
        ([(D(100), D(2)), (D(70), D(1))], D(90)),
        ([(D(100), 1), (None, 5), (D(50), 1)], D(75)),
        ([(80, 0), (100, 0)], D(90)),  # all weights zero: plain mean
        ([(80, 0), (100, 1)], D(100)),
        ([(None, 1), (None, 2)], None),
        ([], None),
    ],
)
def test_rollup_capaian(children, expected):
    assert rollup_capaian(children) == expected


def test_rollup_capaian_rejects_negative_weight():
    with pytest.raises(ScoringError, match="Bobot"):
        rollup_capaian([(D(100), -1)])


def test_project_year_end_exact_linear_trend():
    assert project_year_end([(1, 10), (2, 20), (3, 30)], 100) == YearEndProjection(D(120), False)


def test_project_year_end_least_squares_on_noisy_data():
    # mean month 2, mean value 21, slope (-1*-11 + 1*7) / 2 = 9 -> 21 + 9 * 10 = 111
    result = project_year_end([(1, 10), (2, 25), (3, 28)], 120)
    assert result.value == D(111)
    assert result.will_miss is True


def test_project_year_end_single_month_uses_run_rate():
    assert project_year_end([(6, 40)], 100) == (D(80), True)
    assert project_year_end([(3, 30), (3, 30)], 100) == (D(120), False)


def test_project_year_end_reaching_target_exactly_is_not_a_miss():
    assert project_year_end([(6, 50)], 100).will_miss is False


def test_project_year_end_lower_is_better():
    assert project_year_end([(6, 3)], 5, lower_is_better=True) == (D(6), True)
    assert project_year_end([(6, 2)], 5, lower_is_better=True) == (D(4), False)


def test_project_year_end_custom_end_month():
    assert project_year_end([(1, 10), (2, 20)], 50, year_end_month=6).value == D(60)


@pytest.mark.parametrize(
    ("values", "message"),
    [([], "paling sedikit satu"), ([(13, 1)], "1–12"), ([(0, 1)], "1–12"), ([(1, "x")], "angka")],
)
def test_project_year_end_rejects_invalid_input(values, message):
    with pytest.raises(ScoringError, match=message):
        project_year_end(values, 100)
