"""Regent (RPJMD) and OPD goals: forms' operation, XLSX template, import and export."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from skp_app.planning import operations as ops
from skp_app.planning import xlsx
from skp_app.planning.errors import PlanningForbidden, PlanningValidationError, WorkflowError
from skp_app.planning.models import IndikatorSasaran, IndikatorTarget, Sasaran


def _count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def _sheet(rows: list[list], header: list[str]) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.title = "Sasaran"
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


REGENT_HEADER = [
    "kode",
    "jenis",
    "kode_induk",
    "uraian",
    "indikator",
    "satuan",
    "iku",
    "semakin_kecil_semakin_baik",
    "target_2025",
    "target_2026",
]
OPD_HEADER = [
    "kode",
    "jenis",
    "kode_induk",
    "uraian",
    "kode_sasaran_rpjmd",
    "indikator",
    "satuan",
    "iku",
    "semakin_kecil_semakin_baik",
    "target_2025",
    "target_2026",
]


def test_save_sasaran_with_indicator_targets_and_ranges(session, world):
    data = ops.SasaranInput(
        level="opd",
        jenis="sasaran",
        kode="S2",
        opd_id=world.opd.id,
        teks="Meningkatnya keamanan informasi pemerintah daerah",
        supports_id=world.sasaran_regent.id,
        tahun_awal=2025,
        tahun_akhir=2026,
        indikator=[
            ops.IndikatorInput(
                teks="Indeks KAMI",
                satuan="Indeks",
                is_iku=True,
                targets={2025: (Decimal("300"), None), 2026: (Decimal("350"), Decimal("400"))},
            )
        ],
    )
    row = ops.save_sasaran(session, data, actor=world.users["operator"])
    session.commit()
    (ind,) = row.indikator
    assert [(t.tahun, t.target, t.target_max) for t in ind.targets] == [
        (2025, Decimal("300"), None),
        (2026, Decimal("350"), Decimal("400")),
    ]


def test_save_sasaran_gives_per_field_messages_and_writes_nothing(session, world):
    data = ops.SasaranInput(
        level="opd",
        jenis="misi",
        kode="S1",
        opd_id=world.opd.id,
        teks="",
        tahun_awal=2026,
        tahun_akhir=2025,
        indikator=[
            ops.IndikatorInput(
                teks="Indeks KAMI", satuan="", targets={2026: (Decimal("9"), Decimal("5"))}
            )
        ],
    )
    with pytest.raises(PlanningValidationError) as exc:
        ops.save_sasaran(session, data, actor=world.users["operator"])
    assert exc.value.fields == {
        "jenis": ["Jenis harus salah satu dari: Tujuan, Sasaran."],
        "teks": ["Uraian wajib diisi."],
        "tahun_akhir": ["Tahun akhir tidak boleh sebelum tahun awal."],
        "kode": ["Kode S1 sudah dipakai sasaran lain."],
        "indikator-0-satuan": ["Satuan indikator wajib diisi (misalnya Persen, Dokumen)."],
        "indikator-0-target_2026": [
            "Tahun 2026 di luar rentang 2026–2025.",
            "Batas bawah target tidak boleh lebih besar dari batas atas.",
        ],
    }
    session.rollback()
    assert _count(session, Sasaran) == 2


def test_opd_sasaran_must_support_a_regent_goal(session, world):
    data = ops.SasaranInput(
        level="opd",
        jenis="sasaran",
        opd_id=world.opd.id,
        teks="Meningkatnya literasi digital",
        tahun_awal=2025,
        tahun_akhir=2029,
    )
    with pytest.raises(PlanningValidationError) as exc:
        ops.save_sasaran(session, data, actor=world.users["operator"])
    assert exc.value.fields == {
        "supports_id": ["Pilih sasaran RPJMD yang didukung sasaran OPD ini."]
    }


@pytest.mark.parametrize(
    ("who", "level", "allowed"),
    [
        ("admin", "regent", True),
        ("pimpinan", "regent", True),
        ("operator", "regent", False),
        ("evaluator", "regent", False),
        ("operator", "opd", True),
        ("operator_lain", "opd", False),
        ("pimpinan", "opd", False),
        ("staf", "opd", False),
    ],
)
def test_who_may_manage_goals(session, world, who, level, allowed):
    data = ops.SasaranInput(
        level=level,
        jenis="tujuan",
        teks="Meningkatnya tata kelola SPBE",
        opd_id=world.opd.id if level == "opd" else None,
        tahun_awal=2025,
        tahun_akhir=2029,
    )
    if allowed:
        assert ops.save_sasaran(session, data, actor=world.users[who]).id
    else:
        with pytest.raises(PlanningForbidden):
            ops.save_sasaran(session, data, actor=world.users[who])


def test_delete_sasaran_refuses_while_referenced(session, world):
    with pytest.raises(WorkflowError, match="1 sasaran OPD yang mendukungnya"):
        ops.delete_sasaran(session, world.sasaran_regent, actor=world.users["admin"])
    ops.delete_sasaran(session, world.sasaran_opd, actor=world.users["operator"])
    session.commit()
    assert _count(session, Sasaran) == 1


def test_import_regent_goals_creates_tree_with_targets(session, world):
    sheet = xlsx.parse_goals_workbook(
        _sheet(
            [
                [
                    "1",
                    "visi",
                    None,
                    "Sukamaju sejahtera dan berdaya saing",
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                ],
                [
                    "1.1",
                    "misi",
                    "1",
                    "Meningkatkan kualitas SDM",
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                ],
                [
                    "1.1.1",
                    "tujuan",
                    "1.1",
                    "Meningkatnya derajat kesehatan",
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                ],
                [
                    "1.1.1.1",
                    "sasaran",
                    "1.1.1",
                    "Menurunnya angka stunting",
                    "Prevalensi stunting",
                    "Persen",
                    "Ya",
                    "Ya",
                    18.5,
                    "14 - 16",
                ],
                [
                    "1.1.1.1",
                    "sasaran",
                    "1.1.1",
                    "Menurunnya angka stunting",
                    "Angka kematian bayi",
                    "per 1.000 KH",
                    "Tidak",
                    "Ya",
                    "7,2",
                    6,
                ],
            ],
            REGENT_HEADER,
        )
    )
    assert sheet.errors == [] and sheet.years == [2025, 2026]
    summary = ops.import_goals(
        session, sheet.rows, sheet.years, level="regent", opd_id=None, actor=world.users["pimpinan"]
    )
    session.commit()
    # 1.1.1.1 already exists (world fixture): it is updated in place, keeping its id.
    assert (summary.created, summary.updated, summary.indikator, summary.targets) == (3, 1, 2, 4)
    s = session.scalar(select(Sasaran).where(Sasaran.kode == "1.1.1.1"))
    assert s.id == world.sasaran_regent.id and s.teks == "Menurunnya angka stunting"
    assert s.parent.kode == "1.1.1" and s.parent.parent.parent.jenis == "visi"
    stunting = next(i for i in s.indikator if i.teks == "Prevalensi stunting")
    assert stunting.is_iku and stunting.lower_is_better
    assert [(t.tahun, t.target, t.target_max) for t in stunting.targets] == [
        (2025, Decimal("18.5"), None),
        (2026, Decimal("14"), Decimal("16")),
    ]


def test_import_reports_every_bad_row_and_writes_nothing(session, world):
    before = (
        _count(session, Sasaran),
        _count(session, IndikatorSasaran),
        _count(session, IndikatorTarget),
    )
    sheet = xlsx.parse_goals_workbook(
        _sheet(
            [
                [
                    "T1",
                    "tujuan",
                    None,
                    "Meningkatnya tata kelola SPBE",
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                ],
                [
                    "S9",
                    "sasaran",
                    "T1",
                    "Meningkatnya layanan daring",
                    "9.9",
                    "Jumlah layanan daring",
                    "Layanan",
                    "Ya",
                    None,
                    10,
                    12,
                ],
                [
                    "S10",
                    "sasaran",
                    "X",
                    "",
                    "1.1.1.1",
                    "Indeks SPBE",
                    None,
                    "mungkin",
                    None,
                    "tinggi",
                    "5 - 3",
                ],
                [
                    None,
                    "sasaran",
                    "T1",
                    "Tanpa kode",
                    "1.1.1.1",
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                ],
                ["S11", "misi", "T1", "Jenis salah", "1.1.1.1", None, None, None, None, None, None],
                [
                    "S12",
                    "sasaran",
                    "T1",
                    "Tanpa dukungan RPJMD",
                    None,
                    None,
                    "Persen",
                    None,
                    None,
                    5,
                    None,
                ],
            ],
            OPD_HEADER,
        )
    )
    with pytest.raises(ops.GoalImportError) as exc:
        ops.import_goals(
            session,
            sheet.rows,
            sheet.years,
            level="opd",
            opd_id=world.opd.id,
            actor=world.users["operator"],
        )
    got = [(i.row, i.column, i.message) for i in exc.value.issues]
    assert got == [
        (3, "kode_sasaran_rpjmd", "Tujuan/sasaran RPJMD dengan kode 9.9 tidak ditemukan."),
        (4, "iku", "Isi Ya atau Tidak."),
        (
            4,
            "kode_induk",
            "Induk dengan kode X tidak ditemukan di berkas maupun di data tersimpan.",
        ),
        (4, "satuan", "Satuan wajib diisi bila indikator diisi."),
        (4, "target_2025", "Target harus berupa angka atau rentang (contoh: 75 atau 70 - 80)."),
        (4, "target_2026", "Batas bawah target lebih besar dari batas atas."),
        (4, "uraian", "Uraian wajib diisi."),
        (5, "kode", "Kode wajib diisi."),
        (6, "jenis", "Jenis harus salah satu dari: tujuan, sasaran."),
        (7, "indikator", "Satuan/target diisi tetapi indikator kosong."),
        (7, "kode_sasaran_rpjmd", "Wajib diisi: kode sasaran RPJMD yang didukung."),
    ]
    assert str(exc.value.issues[0]) == (
        'Baris 3, kolom "kode_sasaran_rpjmd": Tujuan/sasaran RPJMD dengan kode 9.9 tidak ditemukan.'
    )
    session.rollback()
    assert (
        _count(session, Sasaran),
        _count(session, IndikatorSasaran),
        _count(session, IndikatorTarget),
    ) == before


def test_goals_export_round_trips_through_import(session, world):
    ind = IndikatorSasaran(teks="Indeks SPBE", satuan="Indeks", is_iku=True)
    ind.targets = [
        IndikatorTarget(tahun=2025, target=Decimal("2.6")),
        IndikatorTarget(tahun=2026, target=Decimal("2.8"), target_max=Decimal("3")),
    ]
    world.sasaran_opd.indikator.append(ind)
    tujuan = Sasaran(
        level="opd",
        jenis="tujuan",
        kode="T1",
        opd_id=world.opd.id,
        teks="Terwujudnya pemerintahan digital",
        tahun_awal=2025,
        tahun_akhir=2029,
    )
    session.add(tujuan)
    session.flush()
    world.sasaran_opd.parent_id = tujuan.id
    session.commit()
    data = xlsx.export_goals(session, "opd", world.opd.id)
    sheet = xlsx.parse_goals_workbook(io.BytesIO(data))
    assert sheet.errors == []
    summary = ops.import_goals(
        session,
        sheet.rows,
        sheet.years,
        level="opd",
        opd_id=world.opd.id,
        actor=world.users["operator"],
    )
    session.commit()
    assert (summary.created, summary.updated) == (0, 2)
    session.refresh(ind)
    assert [(t.tahun, t.target, t.target_max) for t in ind.targets][:2] == [
        (2025, Decimal("2.6"), None),
        (2026, Decimal("2.8"), Decimal("3")),
    ]
    assert _count(session, IndikatorSasaran) == 1


def test_parse_rejects_a_file_that_is_not_xlsx_or_misses_columns():
    assert xlsx.parse_goals_workbook(io.BytesIO(b"kode,jenis\n1,visi")).errors == [
        (0, "-", "Berkas bukan XLSX yang valid. Unduh templat lalu isi ulang.")
    ]
    errors = xlsx.parse_goals_workbook(_sheet([], ["kode", "uraian"])).errors
    assert (1, "jenis", 'Kolom "jenis" tidak ada di baris 1.') in errors
    assert (
        1,
        "target_<tahun>",
        "Berkas harus memuat minimal satu kolom target_<tahun>, mis. target_2025.",
    ) in errors


def test_template_documents_every_column(session):
    wb = load_workbook(io.BytesIO(xlsx.goals_template("opd", 2025, 2029)))
    header = [c.value for c in wb["Sasaran"][1]]
    assert header == OPD_HEADER[:9] + [f"target_{y}" for y in range(2025, 2030)]
    documented = {row[0].value for row in wb["Petunjuk"].iter_rows(min_row=5)}
    assert set(xlsx.GOAL_COLUMNS) <= documented


def test_exports_neutralise_formula_injection(session, world, build):
    world.sasaran_opd.teks = '=HYPERLINK("http://contoh.test","klik")'
    session.commit()
    wb = load_workbook(io.BytesIO(xlsx.export_goals(session, "opd", world.opd.id)))
    values = [c.value for row in wb["Sasaran"].iter_rows() for c in row if c.value]
    assert '\'=HYPERLINK("http://contoh.test","klik")' in values
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "@")) for v in values)
    skp = build.skp("staf")
    ops.save_lampiran(
        session,
        skp,
        {"konsekuensi": ["+62 812 teguran", "@admin", "-1 poin"]},
        actor=world.users["staf"],
    )
    session.commit()
    wb = load_workbook(io.BytesIO(xlsx.export_skp(skp, "Pemerintah Kabupaten Sukamaju")))
    texts = [c.value for c in wb["Lampiran"]["C"] if c.value]
    assert texts[1:] == ["'+62 812 teguran", "'@admin", "'-1 poin"]
