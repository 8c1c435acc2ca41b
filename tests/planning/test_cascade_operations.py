"""Bulk cascade drafting and copy-forward from last year's SKP."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from skp_app.planning import operations as ops
from skp_app.planning.errors import PlanningForbidden, PlanningValidationError, WorkflowError
from skp_app.planning.models import Iki, PerilakuExpectation, Periode, Rhk, Skp
from tests.planning.conftest import iki_set


def _count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def kasi_approved(session, world, build):
    _k, _kb, ks = build.chain()
    return ks


def test_bulk_cascade_drafts_rhk_with_links_and_iki_for_subordinates(session, world, kasi_approved):
    ks = kasi_approved
    parent = ks.rhk[0]
    report = ops.bulk_cascade(
        session,
        ks,
        [parent.id],
        actor=world.users["kasi"],
        pegawai_ids=[world.staf.id, world.staf2.id],
        cascading="direct",
    )
    session.commit()
    assert sorted(report.created_skp) == sorted([world.staf.id, world.staf2.id])
    assert report.drafted == {world.staf.id: 1, world.staf2.id: 1} and report.rhk_count == 2
    for pegawai in (world.staf, world.staf2):
        skp = session.scalar(select(Skp).where(Skp.pegawai_id == pegawai.id))
        assert skp.status == "draft" and skp.penilai_pegawai_id == world.kasi.id
        assert skp.atasan_penilai_pegawai_id == world.kabid.id and skp.opd_id == world.opd.id
        assert _count(session, PerilakuExpectation, PerilakuExpectation.skp_id == skp.id) == 7
        (rhk,) = skp.rhk
        assert rhk.parent_rhk_id == parent.id and rhk.drafted_from_rhk_id == parent.id
        assert rhk.jenis == "utama" and rhk.cascading == "direct" and rhk.teks == parent.teks
        assert [(i.aspek, i.target, i.satuan) for i in rhk.iki] == [
            (i.aspek, i.target, i.satuan) for i in parent.iki
        ]


def test_bulk_cascade_by_position_skips_and_reports_non_editable_and_non_subordinates(
    session, world, kasi_approved
):
    ks = kasi_approved
    # staf2 already submitted: not editable.
    skp2, _ = ops.ensure_skp(session, world.staf2, world.periode, actor=world.users["staf2"])
    skp2.status = "diajukan"
    session.commit()
    report = ops.bulk_cascade(
        session,
        ks,
        [ks.rhk[0].id],
        actor=world.users["operator"],
        jabatan_ids=[world.staf.jabatan_id],
        pegawai_ids=[world.kabid.id],
    )
    session.commit()
    assert report.drafted == {world.staf.id: 1}
    reasons = {pid: reason for pid, _nama, reason in report.skipped}
    assert reasons[world.staf2.id] == "SKP-nya berstatus Diajukan sehingga tidak dapat diubah."
    assert reasons[world.kabid.id] == "Bukan bawahan langsung Dedi Kurniawan, S.Kom.."
    assert _count(session, Rhk, Rhk.skp_id == skp2.id) == 0


def test_bulk_cascade_is_idempotent_on_replay_and_on_rerun(session, world, kasi_approved):
    ks = kasi_approved
    key = "2b0e4a6c-8f55-4d7a-a1c4-8e3d2f9b7c01"
    first = ops.bulk_cascade(
        session,
        ks,
        [ks.rhk[0].id],
        actor=world.users["kasi"],
        pegawai_ids=[world.staf.id],
        request_key=key,
    )
    session.commit()
    replay = ops.bulk_cascade(
        session,
        ks,
        [ks.rhk[0].id],
        actor=world.users["kasi"],
        pegawai_ids=[world.staf.id],
        request_key=key,
    )
    assert replay.replayed and replay.drafted == first.drafted
    rerun = ops.bulk_cascade(
        session, ks, [ks.rhk[0].id], actor=world.users["kasi"], pegawai_ids=[world.staf.id]
    )
    session.commit()
    assert (
        rerun.drafted == {} and rerun.skipped[0][2] == "RHK yang dipilih sudah pernah diturunkan."
    )
    assert _count(session, Rhk, Rhk.drafted_from_rhk_id == ks.rhk[0].id) == 1


def test_bulk_cascade_requires_an_approved_source_and_the_right_actor(session, world, build):
    skp = build.skp("kasi")
    with pytest.raises(PlanningForbidden):
        ops.bulk_cascade(session, skp, [], actor=world.users["staf"], pegawai_ids=[world.staf.id])
    with pytest.raises(PlanningForbidden):
        ops.bulk_cascade(
            session, skp, [], actor=world.users["operator_lain"], pegawai_ids=[world.staf.id]
        )
    with pytest.raises(WorkflowError, match="sudah disetujui"):
        ops.bulk_cascade(session, skp, [], actor=world.users["kasi"], pegawai_ids=[world.staf.id])


def test_bulk_cascade_validates_the_chosen_rhk_and_recipients(session, world, build, kasi_approved):
    ks = kasi_approved
    kb = session.scalar(select(Skp).where(Skp.pegawai_id == world.kabid.id))
    with pytest.raises(PlanningValidationError) as exc:
        ops.bulk_cascade(session, ks, [kb.rhk[0].id], actor=world.users["kasi"])
    assert exc.value.fields == {
        "rhk_ids": ["RHK yang dipilih harus RHK pada SKP ini."],
        "penerima": ["Pilih minimal satu bawahan atau jabatan penerima."],
    }


def test_bulk_cascade_statement_count_does_not_grow_with_recipients(
    session, world, kasi_approved, make_pegawai, count_queries
):
    ks = kasi_approved
    jabatan = world.staf.jabatan
    for n in range(40):
        make_pegawai(nama=f"Pegawai Uji {n:02d}", jabatan=jabatan)
    session.commit()
    with count_queries() as counter:
        report = ops.bulk_cascade(
            session, ks, [r.id for r in ks.rhk], actor=world.users["kasi"], jabatan_ids=[jabatan.id]
        )
        session.flush()
    assert len(report.drafted) == 42
    assert counter.count <= 25, counter.statements
    assert (
        _count(
            session,
            Iki,
            Iki.rhk_id.in_(select(Rhk.id).where(Rhk.drafted_from_rhk_id == ks.rhk[0].id)),
        )
        == 42 * 3
    )


def _next_year(session):
    periode = Periode(
        tahun=2026,
        nama="Periode Penilaian 2026",
        tanggal_mulai=date(2026, 1, 1),
        tanggal_selesai=date(2026, 12, 31),
        is_open=True,
    )
    session.add(periode)
    session.flush()
    return periode


def test_copy_forward_repoints_links_only_when_still_valid(session, world, build):
    k, kb, ks = build.chain()
    staf_skp = build.skp("staf")
    ops.save_rhk(
        session,
        staf_skp,
        ops.RhkInput(teks="Tersedianya modul perizinan", parent_rhk_id=ks.rhk[0].id, iki=iki_set()),
        actor=world.users["staf"],
    )
    ops.save_rhk(
        session,
        staf_skp,
        ops.RhkInput(teks="Terdokumentasinya kode sumber", jenis="tambahan", iki=iki_set()),
        actor=world.users["staf"],
    )
    ops.save_lampiran(
        session, staf_skp, {"konsekuensi": ["Teguran tertulis"]}, actor=world.users["staf"]
    )
    session.commit()
    p2026 = _next_year(session)
    kasi_2026, _ = ops.ensure_skp(session, world.kasi, p2026, actor=world.users["kasi"])
    ops.copy_forward_skp(session, kasi_2026, actor=world.users["kasi"])
    staf_2026, _ = ops.ensure_skp(session, world.staf, p2026, actor=world.users["staf"])
    report = ops.copy_forward_skp(session, staf_2026, actor=world.users["staf"])
    session.commit()
    assert (report.rhk_count, report.iki_count, report.lampiran_count) == (2, 6, 1)
    assert report.unlinked == []
    utama = next(r for r in staf_2026.rhk if r.jenis == "utama")
    assert utama.parent_rhk.skp_id == kasi_2026.id
    assert utama.parent_rhk.copied_from_rhk_id == ks.rhk[0].id
    # Kasi's own 2026 link to kabid cannot be re-pointed: kabid has no 2026 SKP yet.
    kasi_report_rhk = kasi_2026.rhk[0]
    assert kasi_report_rhk.parent_rhk_id is None


def test_copy_forward_reports_links_left_empty_and_refuses_a_filled_skp(session, world, build):
    k, kb, ks = build.chain()
    p2026 = _next_year(session)
    kasi_2026, _ = ops.ensure_skp(session, world.kasi, p2026, actor=world.users["kasi"])
    report = ops.copy_forward_skp(session, kasi_2026, actor=world.users["kasi"])
    assert report.unlinked == [
        'RHK "Terbangunnya aplikasi pelayanan perizinan": RHK atasan yang diintervensi tidak '
        "ditemukan di SKP pejabat penilai tahun 2026; pilih ulang."
    ]
    with pytest.raises(WorkflowError, match="sudah berisi RHK"):
        ops.copy_forward_skp(session, kasi_2026, actor=world.users["kasi"])
    k_2026, _ = ops.ensure_skp(session, world.kadis, p2026, actor=world.users["kadis"])
    jpt = ops.copy_forward_skp(session, k_2026, actor=world.users["kadis"])
    assert jpt.unlinked == []  # the OPD sasaran runs 2025–2029
    assert k_2026.rhk[0].parent_sasaran_id == world.sasaran_opd.id
    assert Decimal(k_2026.rhk[0].iki[0].target) == Decimal("3.1")


def test_bulk_cascade_adds_only_the_new_rhk_to_a_subordinate_who_has_some(
    session, world, kasi_approved
):
    ks = kasi_approved
    ops.revise_skp(session, ks, actor=world.users["kasi"])
    ops.save_rhk(
        session,
        ks,
        ops.RhkInput(
            teks="Terdokumentasinya arsitektur aplikasi",
            parent_rhk_id=ks.rhk[0].parent_rhk_id,
            iki=iki_set(),
        ),
        actor=world.users["kasi"],
    )
    ops.submit_skp(session, ks, actor=world.users["kasi"])
    ops.approve_skp(session, ks, actor=world.users["kabid"])
    first, second = ks.rhk
    ops.bulk_cascade(
        session, ks, [first.id], actor=world.users["kasi"], pegawai_ids=[world.staf.id]
    )
    report = ops.bulk_cascade(
        session, ks, [first.id, second.id], actor=world.users["kasi"], pegawai_ids=[world.staf.id]
    )
    session.commit()
    assert report.drafted == {world.staf.id: 1}
    skp = session.scalar(select(Skp).where(Skp.pegawai_id == world.staf.id))
    assert [(r.drafted_from_rhk_id, len(r.iki), r.urutan) for r in skp.rhk] == [
        (first.id, 3, 1),
        (second.id, 3, 2),
    ]
