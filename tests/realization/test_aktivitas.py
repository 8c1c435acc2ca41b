"""Daily activities: minutes and points, the rules against padding, and the approval flow."""

from __future__ import annotations

import io
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from skp_app.audit.models import AuditEvent
from skp_app.realization import operations as ops
from skp_app.realization import permissions as perm
from skp_app.realization.models import Aktivitas, KatalogAktivitas
from skp_app.realization.queries import activity_inbox, points_summary
from skp_app.realization.uploads import UploadLimits
from tests.realization.realisasi_fixtures import TAHUN, jpeg_bytes, rworld_fixture  # noqa: F401


def _wednesday() -> date:
    d = date(TAHUN, 3, 1)
    while d.weekday() != 2:
        d += timedelta(days=1)
    return d + timedelta(days=7)


HARI_INI = _wednesday()  # a Wednesday in March of the current year


def _submit(
    session,
    w,
    *,
    who="staf",
    tanggal=HARI_INI,
    mulai=(8, 0),
    selesai=(9, 0),
    uraian="Menyusun dokumen kebutuhan aplikasi SIMPEG",
    rhk="staf",
    today=HARI_INI,
    **kw,
):
    return ops.submit_activity(
        session,
        w.p[who],
        tanggal=tanggal,
        jam_mulai=time(*mulai),
        jam_selesai=time(*selesai),
        uraian=uraian,
        rhk_id=w.rhk[rhk].id,
        actor=w.users[who],
        today=today,
        **kw,
    )


@pytest.fixture
def limits(tmp_path):
    return UploadLimits(upload_dir=tmp_path)


# --- minutes, points, approver ---------------------------------------------------------------


def test_activity_points_use_the_opd_multiplier_and_go_to_the_direct_superior(rworld, session):
    a = _submit(session, rworld, mulai=(8, 0), selesai=(9, 30))
    assert a.menit == 90
    assert a.poin == Decimal("112.50")  # 90 minutes × 1,25 (Diskominfo)
    assert a.status == "diajukan"
    assert a.approver_pegawai_id == rworld.p["kasi"].id
    events = session.scalar(select(func.count()).where(AuditEvent.action == "aktivitas.create"))
    assert events == 1


def test_catalogue_minutes_are_capped_by_the_time_span(rworld, session):
    k = KatalogAktivitas(nama="Menyusun notula rapat", menit_standar=30, satuan="notula")
    session.add(k)
    session.flush()
    a = _submit(session, rworld, mulai=(8, 0), selesai=(8, 45), katalog_id=k.id, volume=2)
    assert a.menit == 45  # 2 × 30 = 60, capped by the 45-minute span
    b = _submit(session, rworld, mulai=(9, 0), selesai=(10, 0), katalog_id=k.id, volume=1)
    assert b.menit == 30


def test_catalogue_of_another_position_is_refused(rworld, session):
    k = KatalogAktivitas(
        nama="Menyusun RKPD", menit_standar=60, jabatan_id=rworld.p["bappeda"].jabatan_id
    )
    session.add(k)
    session.flush()
    with pytest.raises(ops.RealizationValidationError, match="tidak tersedia untuk jabatan"):
        _submit(session, rworld, katalog_id=k.id)


# --- padding rules ---------------------------------------------------------------------------


def test_overlapping_times_are_refused_naming_the_other_activity(rworld, session):
    _submit(session, rworld, mulai=(8, 0), selesai=(10, 0), uraian="Rapat koordinasi SPBE")
    with pytest.raises(ops.RealizationValidationError) as info:
        _submit(session, rworld, mulai=(9, 30), selesai=(11, 0), uraian="Uji coba aplikasi")
    message = str(info.value)
    assert "bertumpang tindih" in message and "Rapat koordinasi SPBE" in message
    assert "08.00–10.00" in message
    # touching intervals are fine
    assert _submit(session, rworld, mulai=(10, 0), selesai=(11, 0), uraian="Uji coba").menit == 60


def test_rejected_activity_does_not_block_the_time_slot(rworld, session):
    a = _submit(session, rworld, mulai=(8, 0), selesai=(10, 0))
    ops.reject_activity(session, a, reason="Bukan tugas jabatan", actor=rworld.users["kasi"])
    assert _submit(session, rworld, mulai=(8, 0), selesai=(10, 0), uraian="Lain").id != a.id


def test_day_total_is_capped_with_the_remaining_minutes_shown(rworld, session):
    _submit(session, rworld, mulai=(7, 0), selesai=(11, 0), uraian="Pagi")  # 240
    _submit(session, rworld, mulai=(12, 0), selesai=(15, 0), uraian="Siang")  # 180 → 420
    with pytest.raises(ops.RealizationValidationError) as info:
        _submit(session, rworld, mulai=(15, 0), selesai=(16, 0), uraian="Sore")
    assert "melebihi batas 450 menit" in str(info.value)
    assert "Sisa yang masih dapat dicatat: 30 menit" in str(info.value)
    assert _submit(session, rworld, mulai=(15, 0), selesai=(15, 30), uraian="Sore").menit == 30


def test_day_cap_follows_the_instansi_setting(rworld, session, instansi):
    instansi.settings = {"working_minutes_per_day": 300}
    session.flush()
    _submit(session, rworld, mulai=(7, 0), selesai=(11, 0))
    with pytest.raises(ops.RealizationValidationError, match="batas 300 menit.*60 menit"):
        _submit(session, rworld, mulai=(12, 0), selesai=(14, 0), uraian="Lain")


def test_end_must_be_after_start_and_date_not_in_the_future(rworld, session):
    with pytest.raises(ops.RealizationValidationError, match="Jam selesai harus setelah"):
        _submit(session, rworld, mulai=(10, 0), selesai=(10, 0))
    with pytest.raises(ops.RealizationValidationError, match="tidak boleh di masa depan"):
        _submit(session, rworld, tanggal=HARI_INI + timedelta(days=1))


def test_rhk_must_belong_to_the_current_skp(rworld, session):
    with pytest.raises(ops.RealizationValidationError, match="bukan bagian dari SKP Anda"):
        _submit(session, rworld, rhk="bappeda")
    assert _submit(session, rworld, rhk="staf_tambahan").rhk_id == rworld.rhk["staf_tambahan"].id


def test_only_the_employee_logs_their_activities(rworld, session):
    for who in ("kasi", "operator", "admin"):
        with pytest.raises(ops.RealizationForbidden):
            ops.submit_activity(
                session,
                rworld.p["staf"],
                tanggal=HARI_INI,
                jam_mulai=time(8),
                jam_selesai=time(9),
                uraian="x",
                rhk_id=rworld.rhk["staf"].id,
                actor=rworld.users[who],
                today=HARI_INI,
            )


def test_working_days_are_counted_monday_to_friday():
    monday = HARI_INI - timedelta(days=2)
    friday_before = monday - timedelta(days=3)
    assert ops.working_days_after(friday_before, monday) == 1
    assert ops.working_days_after(HARI_INI - timedelta(days=7), HARI_INI) == 5
    assert ops.working_days_after(HARI_INI - timedelta(days=8), HARI_INI) == 6
    assert ops.working_days_after(HARI_INI, HARI_INI) == 0


def test_entries_older_than_the_deadline_are_locked(rworld, session):
    last_allowed = HARI_INI - timedelta(days=7)  # Wednesday a week ago: 5 working days
    assert _submit(session, rworld, tanggal=last_allowed).tanggal == last_allowed
    with pytest.raises(ops.RealizationStateError) as info:
        _submit(session, rworld, tanggal=HARI_INI - timedelta(days=8))
    assert "melewati batas pelaporan 5 hari kerja" in str(info.value)
    assert "tidak dapat ditambah, diubah atau dihapus" in str(info.value)


def test_edit_and_delete_are_locked_after_the_deadline(rworld, session, limits):
    start = HARI_INI - timedelta(days=7)
    a = _submit(session, rworld, tanggal=start, today=start)
    later = HARI_INI + timedelta(days=1)  # Thursday: now 6 working days after
    with pytest.raises(ops.RealizationStateError, match="terkunci"):
        ops.update_activity(
            session,
            a,
            tanggal=start,
            jam_mulai=time(8),
            jam_selesai=time(9, 30),
            uraian="ubah",
            rhk_id=rworld.rhk["staf"].id,
            actor=rworld.users["staf"],
            today=later,
        )
    with pytest.raises(ops.RealizationStateError, match="terkunci"):
        ops.delete_activity(session, a, limits=limits, actor=rworld.users["staf"], today=later)
    with pytest.raises(ops.RealizationStateError, match="terkunci"):
        ops.attach_evidence(
            session, a, url="https://drive.google.com/x", actor=rworld.users["staf"], today=later
        )
    assert session.get(Aktivitas, a.id).menit == 60


def test_deadline_follows_the_instansi_setting(rworld, session, instansi):
    instansi.settings = {"activity_deadline_days": 1}
    session.flush()
    with pytest.raises(ops.RealizationStateError, match="batas pelaporan 1 hari kerja"):
        _submit(session, rworld, tanggal=HARI_INI - timedelta(days=2))
    assert _submit(session, rworld, tanggal=HARI_INI - timedelta(days=1)).id


def test_replayed_submission_returns_the_same_activity(rworld, session):
    a = _submit(session, rworld)
    b = _submit(session, rworld)
    assert a.id == b.id
    assert session.scalar(select(func.count()).select_from(Aktivitas)) == 1


def test_nothing_is_written_when_a_rule_refuses(rworld, session):
    with pytest.raises(ops.RealizationValidationError):
        _submit(session, rworld, mulai=(9, 0), selesai=(8, 0))
    assert session.scalar(select(func.count()).select_from(Aktivitas)) == 0
    audit = select(func.count()).where(AuditEvent.object_type == "aktivitas")
    assert session.scalar(audit) == 0


# --- approval --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("kasi", True), ("kabid", False), ("staf", False), ("staf2", False), ("admin", False)],
)
def test_only_the_recorded_approver_decides(rworld, session, who, allowed):
    a = _submit(session, rworld)
    assert perm.can_decide_activity(rworld.users[who], a) is allowed
    if not allowed:
        with pytest.raises(ops.RealizationForbidden):
            ops.approve_activity(session, a, actor=rworld.users[who])


def test_no_self_approval_even_as_recorded_approver(rworld, session):
    a = _submit(session, rworld)
    a.approver_pegawai_id = rworld.p["staf"].id
    with pytest.raises(ops.RealizationForbidden, match="sendiri"):
        ops.approve_activity(session, a, actor=rworld.users["staf"])


@pytest.mark.parametrize(("jenis", "allowed"), [("plt", True), ("plh", True), ("koreksi", False)])
def test_the_plt_of_the_approver_may_decide(rworld, session, jenis, allowed):
    a = _submit(session, rworld)  # recorded approver: the Kasi
    staf = rworld.p["staf"]
    staf.atasan_override_id = rworld.p["kabid"].id
    staf.atasan_override_jenis = jenis
    session.flush()
    assert perm.can_decide_activity(rworld.users["kabid"], a) is allowed
    inbox = activity_inbox(session, rworld.p["kabid"].id)
    assert (a in inbox) is allowed
    if allowed:
        assert ops.approve_activity(session, a, actor=rworld.users["kabid"])
        assert a.approver_pegawai_id == rworld.p["kabid"].id


def test_approval_counts_the_points_and_replays_are_idempotent(rworld, session):
    a = _submit(session, rworld, mulai=(8, 0), selesai=(10, 0))
    summary = points_summary(session, rworld.p["staf"].id, HARI_INI)
    assert summary.today_approved == 0 and summary.today_pending == Decimal("150")
    assert ops.approve_activity(session, a, actor=rworld.users["kasi"]) is True
    assert ops.approve_activity(session, a, actor=rworld.users["kasi"]) is False
    summary = points_summary(session, rworld.p["staf"].id, HARI_INI)
    assert summary.today_approved == Decimal("150") and summary.month_approved == Decimal("150")
    assert (summary.daily_target, summary.monthly_target) == (300, 6000)
    assert summary.today_pct == 50
    with pytest.raises(ops.RealizationStateError, match="sudah disetujui"):
        ops.reject_activity(session, a, reason="x", actor=rworld.users["kasi"])
    with pytest.raises(ops.RealizationStateError, match="disetujui terkunci"):
        ops.update_activity(
            session,
            a,
            tanggal=HARI_INI,
            jam_mulai=time(8),
            jam_selesai=time(9),
            uraian="x",
            rhk_id=rworld.rhk["staf"].id,
            actor=rworld.users["staf"],
            today=HARI_INI,
        )


def test_point_targets_follow_the_instansi_settings(rworld, session, instansi):
    instansi.settings = {"daily_points_target": 420, "monthly_points_target": 10000}
    session.flush()
    from skp_app.realization.queries import instansi_settings

    settings = instansi_settings(session, rworld.p["staf"])
    summary = points_summary(session, rworld.p["staf"].id, HARI_INI, settings)
    assert (summary.daily_target, summary.monthly_target) == (420, 10000)


def test_reject_needs_a_reason_then_the_owner_corrects_and_resubmits(rworld, session):
    a = _submit(session, rworld)
    kasi = rworld.users["kasi"]
    with pytest.raises(ops.RealizationValidationError, match="Alasan penolakan wajib"):
        ops.reject_activity(session, a, reason=" ", actor=kasi)
    assert ops.reject_activity(session, a, reason="Uraian terlalu umum", actor=kasi) is True
    assert ops.reject_activity(session, a, reason="Uraian terlalu umum", actor=kasi) is False
    with pytest.raises(ops.RealizationStateError, match="sudah ditolak"):
        ops.approve_activity(session, a, actor=kasi)
    ops.update_activity(
        session,
        a,
        tanggal=HARI_INI,
        jam_mulai=time(8),
        jam_selesai=time(9),
        uraian="Menyusun SRS modul cuti SIMPEG",
        rhk_id=rworld.rhk["staf"].id,
        actor=rworld.users["staf"],
        today=HARI_INI,
    )
    assert a.status == "diajukan" and a.reject_reason is None


def test_bulk_approve_skips_decided_items_and_refuses_foreign_ids(rworld, session):
    items = [
        _submit(session, rworld, mulai=(8 + i, 0), selesai=(9 + i, 0), uraian=f"Kegiatan {i}")
        for i in range(3)
    ]
    other = _submit(session, rworld, who="bappeda", rhk="bappeda")  # not the Kasi's subordinate
    kasi = rworld.users["kasi"]
    ops.approve_activity(session, items[0], actor=kasi)
    with pytest.raises(ops.RealizationForbidden):
        ops.approve_activities(session, [items[1].id, other.id], actor=kasi)
    assert items[1].status == "diajukan"
    result = ops.approve_activities(session, [a.id for a in items], actor=kasi)
    assert (result.approved, result.unchanged) == (2, 1)
    replay = ops.approve_activities(session, [a.id for a in items], actor=kasi)
    assert (replay.approved, replay.unchanged) == (0, 3)
    approvals = session.scalar(select(func.count()).where(AuditEvent.action == "aktivitas.approve"))
    assert approvals == 3
    with pytest.raises(ops.RealizationValidationError, match="Pilih paling sedikit"):
        ops.approve_activities(session, [], actor=kasi)


# --- photo flags -----------------------------------------------------------------------------


def _photo(session, w, a, data, limits, name="foto.jpg", today=HARI_INI):
    return ops.attach_evidence(
        session,
        a,
        stream=io.BytesIO(data),
        filename=name,
        limits=limits,
        actor=w.users["staf"],
        today=today,
    )


def test_photo_taken_on_another_day_is_flagged_not_refused(rworld, session, limits):
    a = _submit(session, rworld)
    other_day = HARI_INI - timedelta(days=3)
    b = _photo(session, rworld, a, jpeg_bytes(taken=f"{other_day:%Y:%m:%d} 10:00:00"), limits)
    assert "date_mismatch" in b.flags
    assert b.flag_detail["date_mismatch"] == {
        "foto": other_day.isoformat(),
        "kegiatan": HARI_INI.isoformat(),
    }
    assert a.flags == ["date_mismatch"]
    inbox = activity_inbox(session, rworld.p["kasi"].id)
    assert inbox[0].flags == ["date_mismatch"]
    # moving the activity to the photo's date clears the flag
    ops.update_activity(
        session,
        a,
        tanggal=other_day,
        jam_mulai=time(8),
        jam_selesai=time(9),
        uraian=a.uraian,
        rhk_id=a.rhk_id,
        actor=rworld.users["staf"],
        today=HARI_INI,
    )
    assert a.flags == []


def test_photo_on_the_activity_day_without_gps_is_not_flagged(rworld, session, limits):
    a = _submit(session, rworld)
    b = _photo(session, rworld, a, jpeg_bytes(taken=f"{HARI_INI:%Y:%m:%d} 08:30:00"), limits)
    assert b.flags == [] and a.flags == []


def test_photo_far_from_every_office_is_flagged(rworld, session, limits, instansi):
    instansi.settings = {
        "office_locations": [
            {"nama": "Kantor Diskominfo", "lat": -6.9175, "lon": 107.6191, "radius_m": 100},
            {"nama": "Mal Pelayanan Publik", "lat": -6.9217, "lon": 107.6071, "radius_m": 150},
        ]
    }
    session.flush()
    a = _submit(session, rworld)
    near = _photo(
        session,
        rworld,
        a,
        jpeg_bytes(taken=f"{HARI_INI:%Y:%m:%d} 08:30:00", gps=(-6.9176, 107.6192)),
        limits,
        name="kantor.jpg",
    )
    assert near.flags == []
    far = _photo(
        session,
        rworld,
        a,
        jpeg_bytes((70, 50), taken=f"{HARI_INI:%Y:%m:%d} 09:00:00", gps=(-7.2504, 112.7688)),
        limits,
        name="surabaya.jpg",
    )
    assert far.flags == ["far_from_office"]
    detail = far.flag_detail["far_from_office"]
    assert detail["kantor"] in {"Kantor Diskominfo", "Mal Pelayanan Publik"}
    assert detail["jarak_m"] > 500_000 and detail["radius_m"] in {100, 150}
    assert "far_from_office" in a.flags


def test_same_photo_on_another_activity_is_flagged_as_reused(rworld, session, limits):
    photo = jpeg_bytes(taken=f"{HARI_INI:%Y:%m:%d} 08:30:00")
    first = _submit(session, rworld, mulai=(8, 0), selesai=(9, 0), uraian="Rapat")
    second = _submit(session, rworld, mulai=(9, 0), selesai=(10, 0), uraian="Rapat lanjutan")
    assert _photo(session, rworld, first, photo, limits).flags == []
    reused = _photo(session, rworld, second, photo, limits, name="salinan.jpg")
    assert "reused_photo" in reused.flags
    assert reused.flag_detail["reused_photo"]["aktivitas_id"] == first.id
    assert "reused_photo" in second.flags
    with pytest.raises(ops.RealizationValidationError, match="sudah dilampirkan"):
        _photo(session, rworld, second, photo, limits)


def test_photo_without_capture_time_is_marked(rworld, session, limits):
    a = _submit(session, rworld)
    assert _photo(session, rworld, a, jpeg_bytes(), limits).flags == ["no_exif"]


def test_deleting_an_activity_removes_its_evidence_files_after_commit(rworld, session, limits):
    a = _submit(session, rworld)
    b = _photo(session, rworld, a, jpeg_bytes(), limits)
    session.commit()
    path = limits.upload_dir / b.stored_name
    assert path.is_file()
    ops.delete_activity(session, a, limits=limits, actor=rworld.users["staf"], today=HARI_INI)
    assert path.is_file()  # not before the commit
    session.commit()
    assert not path.exists()
    assert session.scalar(select(func.count()).select_from(Aktivitas)) == 0


def test_files_of_a_rolled_back_upload_are_removed(rworld, session, limits):
    a = _submit(session, rworld)
    b = _photo(session, rworld, a, jpeg_bytes(), limits)
    path = limits.upload_dir / b.stored_name
    assert path.is_file()
    session.rollback()
    assert not path.exists()
