"""Matriks Peran Hasil (pure): cells, gaps, idle members, overlaps (domain.md §3.3, V6)."""

from __future__ import annotations

import doctest

from skp_app.cascading import matrix as matrix_module
from skp_app.cascading.matrix import MatrixMember, MatrixRhk, build_matrix, normalize_text

KABID = 8
RINA, AGUS, YOGA, CAMAT = 20, 21, 22, 30

COLUMNS = [
    MatrixRhk(1, "Tersedianya infrastruktur TIK yang andal", KABID, "Dewi Lestari"),
    MatrixRhk(2, "Terlaksananya pengembangan aplikasi", KABID, "Dewi Lestari"),
    MatrixRhk(3, "Terlaksananya piket layanan", KABID, "Dewi Lestari", jenis="tambahan"),
]
TEAM = [
    MatrixMember(RINA, "Rina Marlina", "Pranata Komputer Ahli Pertama", skp_id=40),
    MatrixMember(AGUS, "Agus Setiawan", "Pranata Komputer Ahli Pertama", skp_id=41),
    MatrixMember(YOGA, "Yoga Pratama", "Pranata Komputer Ahli Pertama", has_skp=False),
]


def rhk(rid, text, owner, parent, **kw):
    return MatrixRhk(rid, text, owner, kw.pop("owner_name", ""), parent, **kw)


def test_docstring_examples_run():
    assert doctest.testmod(matrix_module).failed == 0


def test_cells_hold_the_rhk_that_intervene_each_superior_rhk():
    m = build_matrix(
        COLUMNS,
        TEAM,
        [
            rhk(50, "Terpeliharanya perangkat jaringan", RINA, 1),
            rhk(51, "Tersedianya aplikasi layanan publik", AGUS, 2),
            rhk(52, "Tersedianya pusat data", RINA, 1),
        ],
    )
    assert [c.id for c in m.columns] == [1, 2]  # RHK tambahan are not columns
    assert [r.id for r in m.cell(RINA, 1)] == [50, 52]
    assert [r.id for r in m.cell(AGUS, 2)] == [51]
    assert m.cell(AGUS, 1) == []
    assert m.gap_columns == []
    assert m.idle_members == [YOGA]
    assert m.overlaps == []
    assert not m.is_complete


def test_a_superior_rhk_nobody_intervenes_is_a_gap():
    m = build_matrix(COLUMNS, TEAM[:1], [rhk(50, "Terpeliharanya perangkat jaringan", RINA, 1)])
    assert m.gap_columns == [2]
    assert m.idle_members == []


def test_same_wording_under_one_superior_rhk_is_an_overlap():
    m = build_matrix(
        COLUMNS,
        TEAM,
        [
            rhk(61, "Terpeliharanya perangkat  jaringan kantor.", AGUS, 1),
            rhk(60, "Terpeliharanya perangkat jaringan kantor", RINA, 1),
            rhk(62, "Terpeliharanya perangkat jaringan kantor", RINA, 2),  # other column
        ],
    )
    assert len(m.overlaps) == 1
    overlap = m.overlaps[0]
    assert overlap.column_rhk_id == 1
    assert overlap.rhk_ids == (60, 61)
    assert overlap.pegawai_ids == (RINA, AGUS)
    assert m.overlapping_rhk_ids() == frozenset({60, 61})


def test_the_same_member_twice_with_one_wording_is_not_an_overlap():
    m = build_matrix(
        COLUMNS,
        TEAM[:1],
        [rhk(60, "Tersedianya pusat data", RINA, 1), rhk(61, "Tersedianya pusat data.", RINA, 1)],
    )
    assert m.overlaps == []


def test_someone_from_another_unit_who_intervenes_becomes_a_member():
    m = build_matrix(
        COLUMNS,
        TEAM,
        [rhk(70, "Meningkatnya pemanfaatan SPBE di kecamatan", CAMAT, 2, owner_name="Bambang")],
    )
    assert m.rows[-1].pegawai_id == CAMAT
    assert m.rows[-1].other_unit and m.rows[-1].name == "Bambang"
    assert m.gap_columns == [1]


def test_rhk_that_intervene_something_else_are_listed_apart_and_leave_the_member_idle():
    m = build_matrix(
        COLUMNS,
        TEAM[:2],
        [
            rhk(80, "Tersedianya data layanan SPBE", RINA, 999),
            rhk(81, "Terlaksananya piket layanan", RINA, None, jenis="tambahan"),
            rhk(82, "Tersedianya aplikasi layanan publik", AGUS, 2),
        ],
    )
    assert [r.id for r in m.elsewhere[RINA]] == [80]
    assert m.idle_members == [RINA]


def test_a_complete_matrix():
    m = build_matrix(
        COLUMNS[:2],
        TEAM[:2],
        [rhk(90, "Terpeliharanya jaringan", RINA, 1), rhk(91, "Tersedianya aplikasi", AGUS, 2)],
    )
    assert m.is_complete


def test_no_columns_without_an_skp():
    m = build_matrix([], TEAM, [])
    assert m.columns == [] and m.gap_columns == []
    assert m.idle_members == [RINA, AGUS, YOGA]


def test_normalize_text_ignores_case_punctuation_and_spaces():
    assert normalize_text("  “Tersusunnya”  Dokumen, RKPD!  ") == "tersusunnya dokumen rkpd"
    assert normalize_text(None) == ""
