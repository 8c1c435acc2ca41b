"""Monthly realization: who may record and verify it, which months, locks and replays."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from skp_app.audit.models import AuditEvent
from skp_app.realization import operations as ops
from skp_app.realization import permissions as perm
from skp_app.realization.models import Realisasi
from skp_app.realization.queries import realization_sheet, verification_inbox
from tests.realization.realisasi_fixtures import TAHUN, rworld_fixture  # noqa: F401

MARET = date(TAHUN, 3, 20)


def _record(session, w, who="staf", *, iki="staf", bulan=3, nilai="2", today=MARET, **kw):
    return ops.record_realization(
        session,
        w.skp[who if who in w.skp else "staf"],
        w.iki[iki],
        tahun=TAHUN,
        bulan=bulan,
        nilai=nilai,
        actor=w.users[who],
        today=today,
        **kw,
    )


def _actions(session, object_id) -> list[str]:
    return list(
        session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "realisasi", AuditEvent.object_id == str(object_id))
            .order_by(AuditEvent.id)
        )
    )


# --- predicates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "record", "verify", "view"),
    [
        ("staf", True, False, True),  # owner
        ("kasi", False, True, True),  # pejabat penilai
        ("kabid", False, False, True),  # atasan pejabat penilai
        ("staf2", False, False, False),  # colleague
        ("operator", True, False, True),  # operator of the OPD acts for the owner
        ("operator_lain", False, False, False),
        ("admin", False, False, True),
        ("hr", False, False, True),
        ("bappeda", False, False, False),
    ],
)
def test_realization_predicates(rworld, who, record, verify, view):
    skp = rworld.skp["staf"]
    user = rworld.users[who]
    assert perm.can_record_realization(user, skp) is record
    assert perm.can_verify_realization(user, skp) is verify
    assert perm.can_view_realizations(user, skp) is view


def test_penilai_cannot_verify_own_skp(rworld, session):
    skp = rworld.skp["kasi"]
    skp.penilai_pegawai_id = skp.pegawai_id
    assert not perm.can_verify_realization(rworld.users["kasi"], skp)


# --- recording -------------------------------------------------------------------------------


def test_owner_records_and_submits_a_realization_with_audit(rworld, session):
    r = _record(session, rworld, catatan="2 dokumen SRS aplikasi SIMPEG")
    session.commit()
    assert r.status == "diajukan" and r.nilai == Decimal("2")
    assert r.skp_id == rworld.skp["staf"].id
    assert _actions(session, r.id) == ["realisasi.create"]
    rows = realization_sheet(session, rworld.skp["staf"], TAHUN, 3)
    assert rows[0].iki[0].realisasi.id == r.id


def test_operator_records_for_the_owner(rworld, session):
    r = _record(session, rworld, "operator", nilai="1,5")
    assert r.nilai == Decimal("1.5")


@pytest.mark.parametrize("who", ["kasi", "staf2", "operator_lain", "admin"])
def test_others_may_not_record(rworld, session, who):
    with pytest.raises(ops.RealizationForbidden):
        ops.record_realization(
            session,
            rworld.skp["staf"],
            rworld.iki["staf"],
            tahun=TAHUN,
            bulan=3,
            nilai="1",
            actor=rworld.users[who],
            today=MARET,
        )


@pytest.mark.parametrize("status", ["draft", "diajukan", "dikembalikan"])
def test_only_an_approved_skp_takes_realizations(rworld, session, status):
    rworld.skp["staf"].status = status
    with pytest.raises(ops.RealizationStateError, match="sudah disetujui"):
        _record(session, rworld)
    assert session.query(Realisasi).count() == 0


def test_closed_skp_takes_no_realizations(rworld, session):
    rworld.skp["staf"].is_current = False
    with pytest.raises(ops.RealizationStateError, match="Ditutup"):
        _record(session, rworld)


def test_future_month_is_refused(rworld, session):
    with pytest.raises(ops.RealizationValidationError, match="April .* belum berjalan"):
        _record(session, rworld, bulan=4, today=MARET)


def test_month_outside_the_skp_dates_is_refused(rworld, session):
    rworld.skp["staf"].tanggal_mulai = date(TAHUN, 6, 1)
    with pytest.raises(ops.RealizationValidationError, match="di luar masa SKP"):
        _record(session, rworld, bulan=3)


def test_value_rules(rworld, session):
    with pytest.raises(ops.RealizationValidationError, match="wajib diisi"):
        _record(session, rworld, nilai="")
    with pytest.raises(ops.RealizationValidationError, match="bukan angka"):
        _record(session, rworld, nilai="dua")
    with pytest.raises(ops.RealizationValidationError, match="tidak boleh negatif"):
        _record(session, rworld, nilai="-1")
    with pytest.raises(ops.RealizationValidationError, match="IKI kualitatif"):
        _record(session, rworld, iki="staf_kualitatif", nilai="")
    r = _record(session, rworld, iki="staf_kualitatif", nilai="", catatan="Piket 4 kali")
    assert r.nilai is None and r.catatan == "Piket 4 kali"


def test_iki_of_another_skp_is_refused(rworld, session):
    with pytest.raises(ops.RealizationValidationError, match="bukan bagian dari SKP"):
        _record(session, rworld, iki="staf2")


def test_draft_then_submit_and_replay_is_a_no_op(rworld, session):
    r = _record(session, rworld, submit=False)
    assert r.status == "draft"
    r = _record(session, rworld)
    assert r.status == "diajukan"
    again = _record(session, rworld)
    assert again.id == r.id
    assert _actions(session, r.id) == ["realisasi.create", "realisasi.update"]


# --- verification ----------------------------------------------------------------------------


def test_penilai_verifies_then_the_realization_is_locked(rworld, session):
    r = _record(session, rworld)
    assert [x[0].id for x in verification_inbox(session, rworld.p["kasi"].id)] == [r.id]
    assert ops.verify_realization(session, r, note="Sesuai bukti", actor=rworld.users["kasi"])
    assert r.status == "terverifikasi" and r.verified_by_pegawai_id == rworld.p["kasi"].id
    assert verification_inbox(session, rworld.p["kasi"].id) == []
    with pytest.raises(ops.RealizationStateError, match="terkunci"):
        _record(session, rworld, nilai="3")
    with pytest.raises(ops.RealizationStateError, match="terkunci"):
        ops.attach_evidence(
            session, r, url="https://drive.google.com/x", actor=rworld.users["staf"]
        )
    assert r.nilai == Decimal("2")


def test_replayed_verify_and_reject_are_idempotent(rworld, session):
    r = _record(session, rworld)
    kasi = rworld.users["kasi"]
    assert ops.verify_realization(session, r, actor=kasi) is True
    assert ops.verify_realization(session, r, actor=kasi) is False
    with pytest.raises(ops.RealizationStateError, match="Terverifikasi"):
        ops.reject_realization(session, r, note="Bukti kurang", actor=kasi)

    r2 = _record(session, rworld, iki="staf_kualitas", nilai="95")
    assert ops.reject_realization(session, r2, note="Lampirkan notulen", actor=kasi) is True
    assert ops.reject_realization(session, r2, note="Lampirkan notulen", actor=kasi) is False
    assert r2.status == "ditolak" and r2.verify_note == "Lampirkan notulen"
    assert _actions(session, r.id) == ["realisasi.create", "realisasi.verify"]
    assert _actions(session, r2.id) == ["realisasi.create", "realisasi.reject"]


def test_reject_needs_a_note_and_the_owner_may_correct(rworld, session):
    r = _record(session, rworld)
    with pytest.raises(ops.RealizationValidationError, match="Alasan penolakan wajib"):
        ops.reject_realization(session, r, note="  ", actor=rworld.users["kasi"])
    ops.reject_realization(session, r, note="Angka tidak sesuai bukti", actor=rworld.users["kasi"])
    r = _record(session, rworld, nilai="1")
    assert r.status == "diajukan" and r.nilai == Decimal("1")


@pytest.mark.parametrize("who", ["staf", "kabid", "operator", "admin", "staf2"])
def test_only_the_penilai_verifies(rworld, session, who):
    r = _record(session, rworld)
    with pytest.raises(ops.RealizationForbidden):
        ops.verify_realization(session, r, actor=rworld.users[who])
    with pytest.raises(ops.RealizationForbidden):
        ops.reject_realization(session, r, note="x", actor=rworld.users[who])


def test_draft_cannot_be_verified(rworld, session):
    r = _record(session, rworld, submit=False)
    with pytest.raises(ops.RealizationStateError, match="Draf"):
        ops.verify_realization(session, r, actor=rworld.users["kasi"])


def test_penilai_reopens_a_verified_realization_with_a_reason(rworld, session):
    r = _record(session, rworld)
    kasi = rworld.users["kasi"]
    ops.verify_realization(session, r, actor=kasi)
    with pytest.raises(ops.RealizationValidationError, match="Alasan membuka kunci"):
        ops.reopen_realization(session, r, note="", actor=kasi)
    with pytest.raises(ops.RealizationForbidden):
        ops.reopen_realization(session, r, note="Koreksi", actor=rworld.users["staf"])
    assert ops.reopen_realization(session, r, note="Salah input angka", actor=kasi) is True
    assert ops.reopen_realization(session, r, note="Salah input angka", actor=kasi) is False
    r = _record(session, rworld, nilai="3")
    assert r.status == "diajukan" and r.nilai == Decimal("3")
    assert _actions(session, r.id)[-2:] == ["realisasi.reopen", "realisasi.update"]


def test_submitting_needs_a_pejabat_penilai(rworld, session):
    rworld.skp["staf"].penilai_pegawai_id = None
    with pytest.raises(ops.RealizationStateError, match="belum memiliki pejabat penilai"):
        _record(session, rworld)
    assert _record(session, rworld, submit=False).status == "draft"


def test_one_realization_per_iki_and_month(rworld, session):
    a = _record(session, rworld, nilai="1")
    b = _record(session, rworld, nilai="2")
    assert a.id == b.id
    assert session.query(Realisasi).count() == 1


def test_earlier_months_are_summed_in_the_sheet(rworld, session):
    for bulan, nilai in ((1, "1"), (2, "2")):
        _record(session, rworld, bulan=bulan, nilai=nilai)
    rejected = _record(session, rworld, iki="staf", bulan=3, nilai="5")
    ops.reject_realization(session, rejected, note="Tidak sesuai", actor=rworld.users["kasi"])
    session.flush()
    rows = realization_sheet(session, rworld.skp["staf"], TAHUN, 4)
    assert rows[0].iki[0].kumulatif_sebelumnya == Decimal("3")  # the rejected month is left out
