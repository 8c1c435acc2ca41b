"""The engine's plan: classification, diffs, quarantine, dry run, idempotency."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from skp_app.audit.models import AuditEvent
from skp_app.org.models import Jabatan, Pegawai, PegawaiExternalId, UnitOrganisasi
from skp_app.sync import engine
from skp_app.sync.adapters.siasn_csv import SiasnCsvAdapter
from skp_app.sync.adapters.tabular import TabularAdapter
from skp_app.sync.models import QuarantinedRecord, SyncChange
from tests.sync.helpers import (
    BAPPEDA,
    BIDANG_APTIKA,
    DINKES,
    DISKOMINFO,
    SEKRETARIAT,
    hex_id,
    nip_for,
    org_dump,
    siasn_row,
)

NIP_KADIS = nip_for(date(1975, 5, 12), (1999, 3), 1, 1)
NIP_SEKRETARIS = nip_for(date(1979, 8, 1), (2003, 1), 2, 2)
NIP_STAF = nip_for(date(1990, 11, 23), (2015, 3), 1, 3)
NIP_PRANATA = nip_for(date(1992, 1, 30), (2019, 2), 2, 1)
NIP_DOKTER = nip_for(date(1988, 6, 5), (2014, 12), 1, 4)


def base_rows():
    return [
        siasn_row(
            NIP_KADIS,
            "DR. HENDRA WIJAYA",
            DISKOMINFO,
            jabatan="KEPALA DINAS KOMUNIKASI DAN INFORMATIKA",
            jenis_jabatan="1",
            golongan="42",
            gelar_belakang="M.T.",
        ),
        siasn_row(
            NIP_SEKRETARIS,
            "RINA MARLINA",
            SEKRETARIAT,
            jabatan="SEKRETARIS DINAS KOMUNIKASI DAN INFORMATIKA",
            jenis_jabatan="1",
            golongan="41",
        ),
        siasn_row(NIP_STAF, "AGUS PRASETYO", SEKRETARIAT, golongan="31"),
        siasn_row(
            NIP_PRANATA,
            "NURUL HIDAYAH",
            BIDANG_APTIKA,
            jabatan="PRANATA KOMPUTER AHLI PERTAMA",
            jenis_jabatan="2",
            golongan="31",
        ),
        siasn_row(
            NIP_DOKTER,
            "DR. YUSUF HALIM",
            DINKES,
            jabatan="DOKTER AHLI MUDA",
            jenis_jabatan="2",
            golongan="33",
        ),
    ]


def plan_csv(session, path, full=True, batch_size=500):
    return engine.plan(
        session, SiasnCsvAdapter(path), full_export=full, actor="tester", batch_size=batch_size
    )


def sync_csv(session, path, full=True, batch_size=500):
    run = plan_csv(session, path, full, batch_size)
    return engine.apply(session, run, actor="tester", batch_size=batch_size)


def changes(session, run, **filters):
    stmt = select(SyncChange).where(SyncChange.run_id == run.id)
    for k, v in filters.items():
        stmt = stmt.where(getattr(SyncChange, k) == v)
    return list(session.scalars(stmt.order_by(SyncChange.id)))


def quarantine(session, run):
    return list(
        session.scalars(
            select(QuarantinedRecord)
            .where(QuarantinedRecord.run_id == run.id)
            .order_by(QuarantinedRecord.row_number)
        )
    )


def audit_count(session):
    return session.scalar(select(func.count()).select_from(AuditEvent))


# --- the shared sample file ---------------------------------------------------------------------


def test_sample_export_plans_18_employees_and_quarantines_2(session, sample_csv):
    run = plan_csv(session, sample_csv)
    assert run.status == "planned"
    assert run.counts["records"] == 20
    assert run.counts["new"] == 18
    assert run.counts["invalid"] == 2
    assert run.counts["units_new"] == 4
    q = quarantine(session, run)
    assert [(x.row_number, x.reason_code) for x in q] == [(20, "nip_invalid"), (21, "nip_invalid")]
    assert "digit 15: 3" in q[0].message and q[0].nama == "KODE KELAMIN SALAH"
    assert q[1].message == "NIP tidak valid: NIP kosong."
    assert q[0].raw["pns_id"] == "6DBF9AC2DA09EE1D3DEBF5A51873EC6D"

    run = engine.apply(session, run, actor="tester")
    assert run.status == "applied" and run.applied_counts == {"new": 18}
    assert session.scalar(select(func.count()).select_from(Pegawai)) == 18
    retired = session.scalar(select(Pegawai).where(Pegawai.nama == "SAMUEL RUNTU"))
    assert retired.kedudukan_hukum_id == "99"
    assert not retired.is_active_service and not retired.must_have_skp
    siti = session.scalar(select(Pegawai).where(Pegawai.nip == "198812162015031005"))
    assert siti.unit.nama == "BIDANG PEREKONOMIAN DAN SUMBER DAYA ALAM"
    assert siti.jabatan.nama == "PENGADMINISTRASI UMUM" and siti.jabatan.jenis == "pelaksana"
    assert siti.golongan_id == 34 and siti.tmt_cpns == date(2015, 3, 1)
    sekretariat = session.scalar(
        select(UnitOrganisasi).where(UnitOrganisasi.nama == "SEKRETARIAT INSPEKTORAT DAERAH")
    )
    assert sekretariat.parent.nama == "INSPEKTORAT DAERAH"
    assert sekretariat.opd_id == sekretariat.parent_id
    ext = session.scalar(select(PegawaiExternalId).where(PegawaiExternalId.pegawai_id == siti.id))
    assert (ext.source, ext.external_id) == ("siasn", "D273FCCCF234344648312A74EC403E69")


def test_second_run_on_the_same_input_changes_nothing_and_writes_no_audit(session, sample_csv):
    sync_csv(session, sample_csv)
    before = org_dump(session)
    events = audit_count(session)
    run = plan_csv(session, sample_csv)
    assert run.counts["unchanged"] == 18
    assert run.pending_changes == 0
    assert changes(session, run) == []
    run = engine.apply(session, run, actor="tester")
    assert run.status == "applied"
    assert audit_count(session) == events
    assert org_dump(session) == before


# --- dry run -----------------------------------------------------------------------------------


def test_plan_leaves_organisation_and_personnel_tables_byte_for_byte_unchanged(
    session, csv_file, make_pegawai
):
    sync_csv(session, csv_file(base_rows()))
    make_pegawai(nama="Pegawai Manual")  # an active employee the next full export misses
    session.commit()
    rows = base_rows()
    rows[2] = siasn_row(NIP_STAF, "AGUS PRASETYO, S.KOM", BIDANG_APTIKA, golongan="32")
    rows[4]["kedudukan_hukum_id"] = "99"
    rows.append(
        siasn_row(
            nip_for(date(1995, 3, 3), (2020, 1), 2, 9),
            "DEWI LESTARI",
            BAPPEDA,
            jabatan="ANALIS KEBIJAKAN AHLI PERTAMA",
            jenis_jabatan="2",
        )
    )
    rows.append(siasn_row("1.98602E+17", "RUSAK"))
    before = org_dump(session)
    run = plan_csv(session, csv_file(rows))
    c = run.counts
    assert (c["new"], c["changed"], c["leaving"], c["not_in_source"], c["invalid"]) == (
        1,
        1,
        1,
        1,
        1,
    )
    assert c["units_new"] == 1 and c["positions_new"] >= 2
    assert org_dump(session) == before


# --- diffs and kinds ---------------------------------------------------------------------------


def test_changes_are_diffed_field_by_field(session, csv_file):
    sync_csv(session, csv_file(base_rows()))
    rows = base_rows()
    rows[2] = siasn_row(
        NIP_STAF,
        "AGUS PRASETYO",
        BIDANG_APTIKA,
        golongan="32",
        jabatan="PRANATA KOMPUTER AHLI PERTAMA",
        jenis_jabatan="2",
        tmt_jabatan="01-02-2026",
    )
    run = plan_csv(session, csv_file(rows))
    (c,) = changes(session, run, entity="pegawai")
    assert c.kind == "changed" and c.nip == NIP_STAF
    assert c.diff["golongan_id"] == ["III/a", "III/b"]
    assert c.diff["unit"] == [SEKRETARIAT[1], BIDANG_APTIKA[1]]
    assert c.diff["jabatan"] == ["PENGADMINISTRASI UMUM", "PRANATA KOMPUTER AHLI PERTAMA"]
    assert c.diff["tmt_jabatan"] == ["2023-01-02", "2026-02-01"]
    assert set(c.diff) == {"golongan_id", "unit", "jabatan", "tmt_jabatan"}
    engine.apply(session, run, actor="tester")
    staf = session.scalar(select(Pegawai).where(Pegawai.nip == NIP_STAF))
    assert staf.unit.nama == BIDANG_APTIKA[1]
    assert staf.jabatan.nama == "PRANATA KOMPUTER AHLI PERTAMA"
    assert staf.jabatan.unit_id == staf.unit_id
    event = session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "pegawai.sync_update", AuditEvent.object_id == str(staf.id)
        )
    )
    assert event.before["golongan_id"] == "III/a" and event.after["golongan_id"] == "III/b"


def test_empty_source_values_never_clear_what_hr_entered(session, csv_file):
    sync_csv(session, csv_file(base_rows()))
    staf = session.scalar(select(Pegawai).where(Pegawai.nip == NIP_STAF))
    staf.email = "agus@sampelkab.go.id"
    staf.no_hp = "0812000111"
    session.commit()
    run = plan_csv(session, csv_file(base_rows()))
    assert run.counts["unchanged"] == 5 and run.pending_changes == 0


def test_leaving_active_service_is_its_own_kind_and_deletes_nothing(session, csv_file):
    sync_csv(session, csv_file(base_rows()))
    rows = base_rows()
    rows[4]["kedudukan_hukum_id"] = "99"
    run = plan_csv(session, csv_file(rows))
    (c,) = changes(session, run, entity="pegawai")
    assert c.kind == "leaving" and c.diff["kedudukan_hukum_id"] == ["01 Aktif", "99 Pensiun"]
    engine.apply(session, run, actor="tester")
    dokter = session.scalar(select(Pegawai).where(Pegawai.nip == NIP_DOKTER))
    assert dokter.kedudukan_hukum_id == "99" and not dokter.must_have_skp
    assert session.scalar(select(func.count()).select_from(Pegawai)) == 5


def test_full_export_marks_missing_employees_and_partial_does_not(session, csv_file):
    sync_csv(session, csv_file(base_rows()))
    partial = plan_csv(session, csv_file(base_rows()[:2]), full=False)
    assert partial.counts["not_in_source"] == 0
    engine.discard(session, partial, actor="tester")
    session.commit()
    run = sync_csv(session, csv_file(base_rows()[:2]))
    assert run.counts["not_in_source"] == 3
    missing = session.scalars(select(Pegawai).where(Pegawai.not_in_source_since.is_not(None)))
    assert {p.nip for p in missing} == {NIP_STAF, NIP_PRANATA, NIP_DOKTER}
    # Nothing deleted, status untouched: HR decides (retired, transferred out).
    assert session.scalar(select(func.count()).select_from(Pegawai)) == 5
    # Marking again is not a change; reappearing clears the mark.
    again = plan_csv(session, csv_file(base_rows()[:2]))
    assert again.counts["not_in_source"] == 0
    engine.discard(session, again, actor="tester")
    session.commit()
    back = sync_csv(session, csv_file(base_rows()))
    assert back.counts["changed"] == 3
    assert (
        session.scalar(
            select(func.count())
            .select_from(Pegawai)
            .where(Pegawai.not_in_source_since.is_not(None))
        )
        == 0
    )


def test_nip_corrected_at_source_is_matched_by_the_siasn_id(session, csv_file):
    sync_csv(session, csv_file(base_rows()))
    wrong = session.scalar(select(Pegawai).where(Pegawai.nip == NIP_STAF))
    fixed = nip_for(date(1990, 11, 23), (2015, 3), 1, 7)
    rows = base_rows()
    rows[2] = siasn_row(
        fixed,
        "AGUS PRASETYO",
        SEKRETARIAT,
        golongan="31",
        pns_id=hex_id("pns-" + NIP_STAF, upper=True),
    )
    run = sync_csv(session, csv_file(rows))
    assert run.counts["changed"] == 1 and run.counts["new"] == 0
    session.refresh(wrong)
    assert wrong.nip == fixed


# --- quarantine --------------------------------------------------------------------------------


def test_duplicate_nips_quarantine_both_rows(session, csv_file):
    sync_csv(session, csv_file(base_rows()))
    rows = base_rows()  # rows 2..6; NIP_STAF is unchanged in row 4
    rows.append(siasn_row(NIP_STAF, "AGUS PRASETYO KEMBAR", DINKES))
    new_nip = nip_for(date(1996, 7, 7), (2021, 4), 2, 1)
    rows.insert(0, siasn_row(new_nip, "BARU SATU", DINKES))
    rows.append(siasn_row(new_nip, "BARU DUA", DINKES))
    run = plan_csv(session, csv_file(rows))
    q = quarantine(session, run)
    assert [(x.row_number, x.reason_code) for x in q] == [
        (2, "nip_duplicate"),
        (5, "nip_duplicate"),
        (8, "nip_duplicate"),
        (9, "nip_duplicate"),
    ]
    assert "baris 5, 8" in q[1].message
    assert q[1].raw["nama"] == "AGUS PRASETYO" and q[2].raw["nama"] == "AGUS PRASETYO KEMBAR"
    assert run.counts["new"] == 0 and run.counts["unchanged"] == 4
    assert changes(session, run, entity="pegawai") == []


def test_invalid_records_are_quarantined_with_reasons_and_never_block_valid_ones(session, csv_file):
    rows = base_rows()
    rows += [
        siasn_row("1.98602E+17", "NIP NOTASI ILMIAH"),
        siasn_row(
            nip_for(date(1991, 1, 1), (2016, 1), 1, 11), "TANGGAL SALAH", tanggal_lahir="31-02-1990"
        ),
        siasn_row(nip_for(date(1991, 1, 1), (2016, 1), 1, 12), "GOLONGAN ANEH", golongan="35"),
        siasn_row(nip_for(date(1991, 1, 1), (2016, 1), 1, 13), ""),
        siasn_row(
            nip_for(date(1991, 1, 1), (2016, 1), 1, 14),
            "UNIT ASING",
            unit=(hex_id("unit-asing"), ""),
        ),
    ]
    run = plan_csv(session, csv_file(rows))
    reasons = {x.row_number: (x.reason_code, x.message) for x in quarantine(session, run)}
    assert reasons[7][0] == "nip_invalid" and "notasi ilmiah" in reasons[7][1]
    assert reasons[8] == ("date_invalid", "Tanggal lahir '31-02-1990' bukan tanggal yang valid.")
    assert reasons[9][0] == "golongan_unknown" and "'35'" in reasons[9][1]
    assert reasons[10] == ("nama_missing", "Nama pegawai kosong.")
    assert reasons[11][0] == "unit_unknown" and hex_id("unit-asing") in reasons[11][1]
    assert run.counts["new"] == 5
    engine.apply(session, run, actor="tester")
    assert session.scalar(select(func.count()).select_from(Pegawai)) == 5


def test_a_quarantined_record_fixed_at_the_source_is_picked_up_next_run(session, csv_file):
    rows = base_rows()
    late = nip_for(date(1993, 9, 9), (2018, 6), 2, 5)
    rows.append(siasn_row(late, "SRI WAHYUNI", DINKES, golongan="39"))
    run = sync_csv(session, csv_file(rows))
    assert run.counts["invalid"] == 1
    rows[-1]["gol_akhir_id"] = "32"
    rows[-1]["gol_akhir_nama"] = "III/b"
    run = sync_csv(session, csv_file(rows))
    assert run.counts["new"] == 1 and run.counts["invalid"] == 0
    assert session.scalar(select(Pegawai.golongan_id).where(Pegawai.nip == late)) == 32


def test_an_external_id_held_by_another_employee_is_quarantined(session, csv_file):
    sync_csv(session, csv_file(base_rows()))
    rows = base_rows()
    other = nip_for(date(1994, 4, 4), (2019, 1), 1, 8)
    rows.append(
        siasn_row(other, "PENYUSUP ID", DINKES, pns_id=hex_id("pns-" + NIP_DOKTER, upper=True))
    )
    run = plan_csv(session, csv_file(rows))
    (q,) = quarantine(session, run)
    assert q.reason_code == "external_id_conflict"


# --- superiors named by the source (tabular / SIMPEG) -------------------------------------------

ATASAN_MAPPING = {
    "nip": "NIP",
    "nama": "Nama",
    "unit_nama": "Unit",
    "jabatan_nama": "Jabatan",
    "atasan_nip": "NIP Atasan",
}


def _tabular(tmp_path, lines, name="atasan.csv"):
    path = tmp_path / name
    path.write_text(
        "NIP;Nama;Unit;Jabatan;NIP Atasan\n" + "\n".join(";".join(x) for x in lines) + "\n",
        encoding="utf-8",
    )
    return TabularAdapter(path, ATASAN_MAPPING)


def test_superior_cycles_and_missing_superiors_are_quarantined(session, tmp_path, make_unit):
    make_unit("Dinas Kesehatan")
    session.commit()
    a, b, c, d, e = (nip_for(date(1980 + i, 1, 1), (2005, 1), 1, i + 1) for i in range(5))
    ghost = nip_for(date(1970, 1, 1), (1995, 1), 1, 99)
    adapter = _tabular(
        tmp_path,
        [
            (a, "Satu", "Dinas Kesehatan", "Perawat", b),
            (b, "Dua", "Dinas Kesehatan", "Perawat", a),
            (c, "Tiga", "Dinas Kesehatan", "Perawat", ghost),
            (d, "Empat", "Dinas Kesehatan", "Perawat", c),
            (e, "Lima", "Dinas Kesehatan", "Perawat", e),
        ],
    )
    run = engine.plan(session, adapter, full_export=False, actor="tester")
    reasons = {x.nip: (x.reason_code, x.message) for x in quarantine(session, run)}
    assert reasons[a][0] == reasons[b][0] == "superior_cycle"
    assert f"{a} → {b} → {a}" in reasons[a][1] or f"{b} → {a} → {b}" in reasons[a][1]
    assert reasons[c] == (
        "superior_not_found",
        f"Atasan langsung (NIP {ghost}) tidak ada di sumber maupun di aplikasi.",
    )
    assert reasons[d][0] == "superior_not_found" and "dikarantina" in reasons[d][1]
    assert reasons[e][0] == "superior_cycle"
    assert run.counts["new"] == 0


def test_source_superiors_are_applied_after_their_own_records(session, tmp_path, make_unit):
    make_unit("Dinas Kesehatan")
    session.commit()
    kadis = nip_for(date(1970, 2, 2), (1996, 1), 1, 1)
    kabid = nip_for(date(1978, 3, 3), (2002, 1), 2, 1)
    staf = nip_for(date(1990, 4, 4), (2015, 1), 1, 2)
    adapter = _tabular(
        tmp_path,
        [
            (staf, "Staf", "Dinas Kesehatan", "Pengadministrasi Umum", kabid),
            (kabid, "Kabid", "Dinas Kesehatan", "Kepala Bidang Pelayanan", kadis),
            (kadis, "Kadis", "Dinas Kesehatan", "Kepala Dinas Kesehatan", ""),
        ],
    )
    run = engine.plan(session, adapter, full_export=False, actor="tester", batch_size=1)
    depth = {c.nip: c.depth for c in changes(session, run, entity="pegawai")}
    assert depth == {kadis: 0, kabid: 1, staf: 2}
    engine.apply(session, run, actor="tester", batch_size=1)
    by_nip = {p.nip: p for p in session.scalars(select(Pegawai))}
    assert by_nip[staf].atasan_override_id == by_nip[kabid].id
    assert by_nip[staf].atasan_override_jenis == "sinkron"
    assert by_nip[kabid].atasan_override_id == by_nip[kadis].id
    assert by_nip[kadis].atasan_override_id is None
    assert (
        session.scalar(select(Jabatan.jenis).where(Jabatan.nama == "Kepala Dinas Kesehatan"))
        == "jpt_pratama"
    )
    # Same file again: nothing to do.
    again = engine.plan(
        session,
        _tabular(
            tmp_path,
            [
                (staf, "Staf", "Dinas Kesehatan", "Pengadministrasi Umum", kabid),
                (kabid, "Kabid", "Dinas Kesehatan", "Kepala Bidang Pelayanan", kadis),
                (kadis, "Kadis", "Dinas Kesehatan", "Kepala Dinas Kesehatan", ""),
            ],
            "lagi.csv",
        ),
        full_export=False,
        actor="tester",
    )
    assert again.pending_changes == 0 and again.counts["unchanged"] == 3


def test_name_only_sources_quarantine_units_the_app_does_not_know(session, tmp_path, make_unit):
    make_unit("Dinas Kesehatan")
    session.commit()
    adapter = _tabular(
        tmp_path,
        [
            (NIP_STAF, "Staf", "Dinas Kesehatan", "Perawat", ""),
            (NIP_DOKTER, "Dokter", "Dinas Pariwisata", "Dokter", ""),
        ],
    )
    run = engine.plan(session, adapter, full_export=False, actor="tester")
    (q,) = quarantine(session, run)
    assert q.reason_code == "unit_unknown" and "Dinas Pariwisata" in q.message
    assert run.counts["new"] == 1 and run.counts["units_new"] == 0


def test_one_external_id_on_two_nips_in_the_same_file_is_quarantined(session, csv_file):
    rows = base_rows()
    twin = nip_for(date(1994, 4, 4), (2019, 1), 1, 8)
    rows.append(
        siasn_row(twin, "NIP LAIN ID SAMA", DINKES, pns_id=hex_id("pns-" + NIP_DOKTER, upper=True))
    )
    run = plan_csv(session, csv_file(rows))
    (q,) = quarantine(session, run)
    assert q.reason_code == "external_id_conflict" and q.nip == twin
    assert NIP_DOKTER in q.message
    assert run.counts["new"] == 5


def test_pppk_rows_use_the_ni_pppk_rule_and_pppk_golongan(session, csv_file):
    ni_pppk = "199001012021151001"  # digits 13-14: 15 contracts, not a month
    row = siasn_row(
        ni_pppk,
        "RAHMAT HIDAYAT",
        DINKES,
        jabatan="PERAWAT TERAMPIL",
        jenis_jabatan="2",
        golongan="",
        gol_akhir_nama="VII",
        jenis_pegawai_nama="PPPK Daerah Kab./Kota",
        status_cpns_pns="",
        tmt_cpns="",
    )
    run = sync_csv(session, csv_file([*base_rows(), row]))
    assert run.counts["new"] == 6 and run.counts["invalid"] == 0
    p = session.scalar(select(Pegawai).where(Pegawai.nip == ni_pppk))
    assert (p.jenis_asn, p.golongan_pppk, p.golongan_id) == ("PPPK", "VII", None)
    assert p.tmt_cpns is None  # an NI PPPK holds no TMT CPNS
