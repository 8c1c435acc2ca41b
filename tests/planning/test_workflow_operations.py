"""The SKP workflow at the operation level (PermenPANRB 6/2022; domain.md §3.4 V1/V3/V7)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from skp_app.audit.models import AuditEvent
from skp_app.planning import operations as ops
from skp_app.planning.errors import PlanningForbidden, PlanningValidationError, WorkflowError
from skp_app.planning.models import Rhk, Skp, SkpTransition, SkpVersion
from tests.planning.conftest import iki_set


def _count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_ensure_skp_creates_draft_with_penilai_from_position_tree(session, world):
    skp, created = ops.ensure_skp(session, world.staf, world.periode, actor=world.users["staf"])
    assert created
    assert skp.status == "draft" and skp.is_current and skp.version == 1
    assert skp.penilai_pegawai_id == world.kasi.id
    assert skp.atasan_penilai_pegawai_id == world.kabid.id
    assert skp.opd_id == world.opd.id and not skp.is_jpt
    assert sorted(p.nilai_kode for p in skp.perilaku) == [1, 2, 3, 4, 5, 6, 7]
    assert (skp.tanggal_mulai, skp.tanggal_selesai) == (date(2025, 1, 1), date(2025, 12, 31))


def test_ensure_skp_marks_jpt_and_returns_existing_on_second_call(session, world):
    skp, _ = ops.ensure_skp(session, world.kadis, world.periode, actor=world.users["kadis"])
    again, created = ops.ensure_skp(session, world.kadis, world.periode, actor=world.users["kadis"])
    assert skp.is_jpt and skp.penilai_pegawai_id == world.sekda.id
    assert again.id == skp.id and not created
    assert _count(session, Skp) == 1


def test_ensure_skp_refuses_another_opds_operator_and_closed_period(session, world):
    with pytest.raises(PlanningForbidden):
        ops.ensure_skp(session, world.staf, world.periode, actor=world.users["operator_lain"])
    world.periode.is_open = False
    with pytest.raises(WorkflowError, match="Periode 2025 sudah ditutup"):
        ops.ensure_skp(session, world.staf, world.periode, actor=world.users["operator"])
    assert _count(session, Skp) == 0


def test_subordinate_may_draft_before_superior_approval_but_not_submit(session, world, build):
    kabid_skp = build.skp("kabid")
    parent = ops.save_rhk(
        session,
        kabid_skp,
        ops.RhkInput(teks="Tersedianya aplikasi layanan publik terintegrasi", iki=iki_set()),
        actor=world.users["kabid"],
    )
    kasi_skp = build.skp("kasi")
    ops.save_rhk(
        session,
        kasi_skp,
        ops.RhkInput(
            teks="Terbangunnya aplikasi perizinan daring", parent_rhk_id=parent.id, iki=iki_set()
        ),
        actor=world.users["kasi"],
    )
    session.commit()
    with pytest.raises(WorkflowError) as exc:
        ops.submit_skp(session, kasi_skp, actor=world.users["kasi"])
    assert exc.value.problems == [
        'RHK utama "Terbangunnya aplikasi perizinan daring" mengintervensi RHK milik '
        "Sri Wahyuni, S.T. yang SKP-nya belum disetujui."
    ]
    session.rollback()
    assert session.get(Skp, kasi_skp.id).status == "draft"
    assert _count(session, SkpTransition) == 0


def test_submit_names_an_utama_rhk_without_intervened_rhk(session, world, build):
    skp = build.skp("staf")
    ops.save_rhk(
        session,
        skp,
        ops.RhkInput(teks="Terpeliharanya server aplikasi", iki=iki_set()),
        actor=world.users["staf"],
    )
    with pytest.raises(WorkflowError) as exc:
        ops.submit_skp(session, skp, actor=world.users["staf"])
    assert (
        'RHK utama "Terpeliharanya server aplikasi" belum memilih RHK atasan yang diintervensi.'
    ) in exc.value.problems


def test_submit_requires_the_three_aspects_for_quantitative_non_jpt(session, world, build):
    k, kb, ks = build.chain()
    skp = build.skp("staf")
    ops.save_rhk(
        session,
        skp,
        ops.RhkInput(
            teks="Tersedianya modul aplikasi", parent_rhk_id=ks.rhk[0].id, iki=iki_set()[:1]
        ),
        actor=world.users["staf"],
    )
    with pytest.raises(WorkflowError) as exc:
        ops.submit_skp(session, skp, actor=world.users["staf"])
    assert exc.value.problems == [
        'RHK utama "Tersedianya modul aplikasi" belum memiliki IKI aspek Kualitas.',
        'RHK utama "Tersedianya modul aplikasi" belum memiliki IKI aspek Waktu.',
    ]


def test_save_rhk_rejects_intervened_rhk_of_someone_who_is_not_the_penilai(session, world, build):
    k, kb, ks = build.chain()
    skp = build.skp("staf")  # penilai = kasi; kabid's RHK is not the penilai's
    with pytest.raises(PlanningValidationError) as exc:
        ops.save_rhk(
            session,
            skp,
            ops.RhkInput(
                teks="Tersedianya modul aplikasi", parent_rhk_id=kb.rhk[0].id, iki=iki_set()
            ),
            actor=world.users["staf"],
        )
    assert exc.value.fields == {
        "parent_rhk_id": [
            "RHK yang diintervensi harus RHK milik pejabat penilai (Dedi Kurniawan, S.Kom.) pada "
            "periode 2025."
        ]
    }
    session.rollback()
    assert _count(session, Rhk, Rhk.skp_id == skp.id) == 0


def test_save_rhk_reports_every_bad_field_and_writes_nothing(session, world, build):
    skp = build.skp("staf")
    session.commit()
    with pytest.raises(PlanningValidationError) as exc:
        ops.save_rhk(
            session,
            skp,
            ops.RhkInput(
                teks="  ",
                iki=[
                    ops.IkiInput(aspek="kuantitas", teks="", target=None, satuan="Dokumen"),
                    ops.IkiInput(
                        aspek="kualitas",
                        teks="Persentase dokumen tanpa revisi",
                        target=Decimal("100"),
                        target_max=Decimal("90"),
                        satuan="Persen",
                    ),
                ],
            ),
            actor=world.users["staf"],
        )
    assert exc.value.fields == {
        "teks": ["Uraian RHK wajib diisi."],
        "iki-0-teks": ["Uraian IKI wajib diisi."],
        "iki-0-target": ["Target wajib diisi dengan angka."],
        "iki-1-target_max": ["Batas bawah target tidak boleh lebih besar dari batas atas."],
    }
    session.rollback()
    assert _count(session, Rhk) == 0


def test_jpt_rhk_must_come_from_own_opd_perjanjian_kinerja(session, world, build):
    skp = build.skp("kadis")
    with pytest.raises(PlanningValidationError) as exc:
        ops.save_rhk(
            session,
            skp,
            ops.RhkInput(
                teks="Meningkatnya kualitas layanan publik",
                perspektif="penerima_layanan",
                parent_sasaran_id=world.sasaran_regent.id,
                iki=[ops.IkiInput(teks="Indeks kepuasan", target=Decimal("80"), satuan="Indeks")],
            ),
            actor=world.users["kadis"],
        )
    assert exc.value.fields["parent_sasaran_id"] == [
        "Sasaran yang dipilih bukan sasaran Perjanjian Kinerja OPD sendiri."
    ]


def test_approval_snapshots_identities_and_stores_version(session, world, build):
    k = build.jpt_approved()
    assert k.status == "disetujui" and k.version == 1 and k.approved_at is not None
    assert k.pegawai_snapshot["nama"] == "Ahmad Fauzi, S.Kom., M.T."
    assert k.pegawai_snapshot["pangkat"] == "Pembina Tingkat I, IV/b"
    assert k.penilai_snapshot["nama"] == "Drs. Hendra Gunawan, M.Si."
    assert k.penilai_snapshot["jabatan"] == "Sekretaris Daerah"
    version = session.scalar(select(SkpVersion).where(SkpVersion.skp_id == k.id))
    assert version.version == 1
    assert Decimal(version.content["rhk"][0]["iki"][0]["target"]) == Decimal("3.1")
    statuses = session.execute(
        select(SkpTransition.from_status, SkpTransition.to_status).order_by(SkpTransition.id)
    ).all()
    assert statuses == [("draft", "diajukan"), ("diajukan", "disetujui")]


@pytest.mark.parametrize("who", ["kadis", "operator", "admin", "hr", "kabid"])
def test_only_the_pejabat_penilai_approves_or_returns(session, world, build, who):
    skp = build.skp("kadis")
    ops.save_rhk(
        session,
        skp,
        ops.RhkInput(
            teks="Meningkatnya layanan SPBE",
            parent_sasaran_id=world.sasaran_opd.id,
            perspektif="proses_bisnis",
            iki=[ops.IkiInput(teks="Indeks SPBE", target=Decimal("3"), satuan="Indeks")],
        ),
        actor=world.users["kadis"],
    )
    ops.submit_skp(session, skp, actor=world.users["kadis"])
    session.commit()
    with pytest.raises(PlanningForbidden):
        ops.approve_skp(session, skp, actor=world.users[who])
    with pytest.raises(PlanningForbidden):
        ops.return_skp(session, skp, actor=world.users[who], note="Perbaiki target.")
    session.rollback()
    assert session.get(Skp, skp.id).status == "diajukan"


def test_self_approval_is_refused_with_a_clear_message(session, world, build):
    skp = build.skp("staf")
    skp.penilai_pegawai_id = world.staf.id  # corrupted data must still not allow it
    with pytest.raises(PlanningForbidden, match="tidak dapat menyetujui SKP Anda sendiri"):
        ops.approve_skp(session, skp, actor=world.users["staf"])


def test_return_requires_a_note_and_then_edit_and_resubmit(session, world, build):
    k = build.jpt_approved()
    kb = build.skp("kabid")
    ops.save_rhk(
        session,
        kb,
        ops.RhkInput(
            teks="Tersedianya aplikasi terintegrasi", parent_rhk_id=k.rhk[0].id, iki=iki_set()
        ),
        actor=world.users["kabid"],
    )
    ops.submit_skp(session, kb, actor=world.users["kabid"])
    with pytest.raises(PlanningValidationError) as exc:
        ops.return_skp(session, kb, actor=world.users["kadis"], note="   ")
    assert exc.value.fields == {"catatan": ["Catatan pengembalian wajib diisi."]}
    assert kb.status == "diajukan"
    ops.return_skp(session, kb, actor=world.users["kadis"], note="Target kualitas terlalu rendah.")
    assert kb.status == "dikembalikan" and kb.return_note == "Target kualitas terlalu rendah."
    rhk = kb.rhk[0]
    ops.save_rhk(
        session,
        kb,
        ops.RhkInput(teks=rhk.teks, parent_rhk_id=rhk.parent_rhk_id, iki=iki_set("Laporan")),
        actor=world.users["kabid"],
        rhk=rhk,
    )
    result = ops.submit_skp(session, kb, actor=world.users["kabid"])
    assert result.skp.status == "diajukan" and kb.return_note is None


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        ("draft", "approve", "SKP berstatus Draf; hanya SKP yang diajukan yang dapat disetujui."),
        ("draft", "return", "hanya SKP yang diajukan yang dapat dikembalikan."),
        ("draft", "revise", "revisi hanya untuk SKP yang sudah disetujui."),
        ("dikembalikan", "approve", "hanya SKP yang diajukan yang dapat disetujui."),
        ("diajukan", "revise", "revisi hanya untuk SKP yang sudah disetujui."),
        ("disetujui", "submit", "SKP sudah disetujui dan tidak dapat diubah."),
        ("disetujui", "return", "hanya SKP yang diajukan yang dapat dikembalikan."),
    ],
)
def test_illegal_transitions_raise_workflow_error_and_change_nothing(
    session, world, build, status, action, message
):
    skp = build.skp("staf")
    skp.status = status
    session.commit()
    actor = world.users["kasi"] if action in ("approve", "return") else world.users["staf"]
    call = {
        "submit": lambda: ops.submit_skp(session, skp, actor=actor),
        "approve": lambda: ops.approve_skp(session, skp, actor=actor),
        "return": lambda: ops.return_skp(session, skp, actor=actor, note="Perbaiki."),
        "revise": lambda: ops.revise_skp(session, skp, actor=actor),
    }[action]
    with pytest.raises(WorkflowError, match=message.replace("(", r"\(")):
        call()
    session.rollback()
    assert session.get(Skp, skp.id).status == status
    assert _count(session, SkpTransition) == 0


def test_reapproving_an_approved_skp_is_a_no_op(session, world, build):
    k = build.jpt_approved()
    result = ops.approve_skp(session, k, actor=world.users["sekda"])
    assert (
        result.replayed and result.transition is None and result.message == "SKP sudah disetujui."
    )
    assert _count(session, SkpTransition, SkpTransition.skp_id == k.id) == 2
    assert _count(session, SkpVersion) == 1


def test_replayed_request_key_returns_the_same_outcome_without_a_second_transition(
    session, world, build
):
    skp = build.skp("kadis")
    ops.save_rhk(
        session,
        skp,
        ops.RhkInput(
            teks="Meningkatnya layanan SPBE",
            parent_sasaran_id=world.sasaran_opd.id,
            perspektif="proses_bisnis",
            iki=[ops.IkiInput(teks="Indeks SPBE", target=Decimal("3"), satuan="Indeks")],
        ),
        actor=world.users["kadis"],
    )
    key = "6f1f7a52-3c1e-4c9b-9d7e-1f6f4f3a2b10"
    first = ops.submit_skp(session, skp, actor=world.users["kadis"], request_key=key)
    session.commit()
    again = ops.submit_skp(session, skp, actor=world.users["kadis"], request_key=key)
    assert again.replayed and again.transition.id == first.transition.id
    ops.approve_skp(session, skp, actor=world.users["sekda"])
    session.commit()
    # The same submit arriving late (after approval) is still the same outcome, not an error.
    late = ops.submit_skp(session, skp, actor=world.users["kadis"], request_key=key)
    assert late.replayed and skp.status == "disetujui"
    assert _count(session, SkpTransition) == 2
    other = build.skp("staf")
    with pytest.raises(WorkflowError, match="sudah dipakai untuk SKP lain"):
        ops.submit_skp(session, other, actor=world.users["staf"], request_key=key)


def test_edits_after_approval_need_revisi_which_keeps_the_approved_version(session, world, build):
    k = build.jpt_approved()
    rhk = k.rhk[0]
    data = ops.RhkInput(
        teks="Meningkatnya indeks SPBE",
        parent_sasaran_id=world.sasaran_opd.id,
        perspektif="proses_bisnis",
        iki=[ops.IkiInput(teks="Indeks SPBE", target=Decimal("3.5"), satuan="Indeks")],
    )
    with pytest.raises(WorkflowError, match="Gunakan aksi Revisi"):
        ops.save_rhk(session, k, data, actor=world.users["kadis"], rhk=rhk)
    ops.revise_skp(session, k, actor=world.users["kadis"])
    assert k.status == "draft" and k.version == 1
    ops.save_rhk(session, k, data, actor=world.users["kadis"], rhk=rhk)
    assert rhk.id == k.rhk[0].id  # RHK ids stay stable through a revision
    ops.submit_skp(session, k, actor=world.users["kadis"])
    ops.approve_skp(session, k, actor=world.users["sekda"])
    session.commit()
    versions = session.scalars(
        select(SkpVersion).where(SkpVersion.skp_id == k.id).order_by(SkpVersion.version)
    ).all()
    assert [v.version for v in versions] == [1, 2] and k.version == 2
    assert versions[0].content["rhk"][0]["teks"].startswith("Meningkatnya layanan SPBE")
    assert versions[1].content["rhk"][0]["teks"] == "Meningkatnya indeks SPBE"


def test_closed_period_blocks_edit_submit_and_approval(session, world, build):
    skp = build.skp("kadis")
    ops.save_rhk(
        session,
        skp,
        ops.RhkInput(
            teks="Meningkatnya layanan SPBE",
            parent_sasaran_id=world.sasaran_opd.id,
            perspektif="proses_bisnis",
            iki=[ops.IkiInput(teks="Indeks SPBE", target=Decimal("3"), satuan="Indeks")],
        ),
        actor=world.users["kadis"],
    )
    ops.submit_skp(session, skp, actor=world.users["kadis"])
    world.periode.is_open = False
    session.commit()
    with pytest.raises(WorkflowError, match="Periode 2025 sudah ditutup"):
        ops.approve_skp(session, skp, actor=world.users["sekda"])
    skp.status = "draft"
    with pytest.raises(WorkflowError, match="Periode 2025 sudah ditutup"):
        ops.save_perilaku(session, skp, {1: "Responsif"}, actor=world.users["kadis"])
    with pytest.raises(WorkflowError, match="Periode 2025 sudah ditutup"):
        ops.submit_skp(session, skp, actor=world.users["kadis"])


def test_each_transition_writes_an_audit_event(session, world, build):
    build.jpt_approved()
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.in_(("skp.submit", "skp.approve")))
    ).all()
    assert sorted(actions) == ["skp.approve", "skp.submit"]


def test_operator_acts_for_the_owner_but_not_for_another_opd(session, world, build):
    skp = build.skp("staf")
    ops.save_lampiran(
        session,
        skp,
        {"dukungan_sumber_daya": ["Laptop", "Akses server"]},
        actor=world.users["operator"],
    )
    assert [lp.teks for lp in skp.lampiran] == ["Laptop", "Akses server"]
    with pytest.raises(PlanningForbidden):
        ops.save_lampiran(
            session, skp, {"konsekuensi": ["Teguran"]}, actor=world.users["operator_lain"]
        )
    with pytest.raises(PlanningForbidden):
        ops.save_perilaku(session, skp, {1: "x"}, actor=world.users["kasi"])


def test_close_and_restart_skp_closes_and_opens_a_draft_for_the_new_position(
    session, world, build, make_jabatan
):
    k, kb, ks = build.chain()
    staf = build.skp("staf")
    ops.save_rhk(
        session,
        staf,
        ops.RhkInput(teks="Tersedianya modul perizinan", parent_rhk_id=ks.rhk[0].id, iki=iki_set()),
        actor=world.users["staf"],
    )
    session.commit()
    # Promotion: the Kasi becomes Kabid elsewhere; sync updates the position, then calls us.
    world.kasi.jabatan_id = make_jabatan(
        "Kepala Bidang Infrastruktur TIK", unit=world.bidang, jenis="administrator", atasan=None
    ).id
    session.flush()
    new = ops.close_and_restart_skp(session, ks, "Promosi jabatan", date(2025, 7, 1), "sync")
    session.commit()
    assert ks.status == "ditutup" and not ks.is_current
    assert ks.tanggal_selesai == date(2025, 7, 1) and ks.close_reason == "Promosi jabatan"
    assert new.status == "draft" and new.is_current and new.replaces_id == ks.id
    assert new.tanggal_mulai == date(2025, 7, 1) and new.tanggal_selesai == date(2025, 12, 31)
    assert new.jabatan_id == world.kasi.jabatan_id and len(new.perilaku) == 7
    assert session.get(Rhk, staf.rhk[0].id).link_flag == "atasan_berganti"
    again = ops.close_and_restart_skp(session, ks, "Promosi jabatan", date(2025, 7, 1), "sync")
    assert again.id == new.id
    assert _count(session, Skp, Skp.pegawai_id == world.kasi.id) == 2
    last = session.scalar(
        select(SkpTransition).where(SkpTransition.skp_id == ks.id).order_by(SkpTransition.id.desc())
    )
    assert (last.from_status, last.to_status) == ("disetujui", "ditutup")


def test_close_and_restart_rejects_a_date_outside_the_skp(session, world, build):
    skp = build.skp("staf")
    with pytest.raises(PlanningValidationError, match="Tanggal perubahan harus antara"):
        ops.close_and_restart_skp(session, skp, "Mutasi", date(2026, 2, 1), "sync")
    assert skp.is_current and skp.status == "draft"
