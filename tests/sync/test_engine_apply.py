"""The engine's apply: batches, crash safety, refusals, and what personnel changes do to SKPs."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from skp_app.audit.models import AuditEvent
from skp_app.org.models import Pegawai, PegawaiExternalId
from skp_app.planning.models import Periode, Rhk, Skp
from skp_app.sync import engine
from skp_app.sync.adapters.tabular import TabularAdapter
from skp_app.sync.engine import SyncError
from skp_app.sync.models import SyncChange, SyncRun
from skp_app.timeutil import WIB
from tests.sync.helpers import BIDANG_APTIKA, DINKES, SEKRETARIAT, nip_for, siasn_row
from tests.sync.test_engine_plan import (
    NIP_KADIS,
    NIP_SEKRETARIS,
    NIP_STAF,
    base_rows,
    plan_csv,
    sync_csv,
)


def count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def many_rows(n):
    return [
        siasn_row(
            nip_for(date(1985, 1, 1) + timedelta(days=i), (2010, 1), 1 + i % 2, 1),
            f"PEGAWAI NOMOR {i}",
            DINKES,
            golongan="32",
        )
        for i in range(n)
    ]


# --- batches and crash safety ------------------------------------------------------------------


def test_a_crash_between_batches_leaves_whole_batches_and_a_rerun_converges(
    session, csv_file, monkeypatch
):
    run = plan_csv(session, csv_file(many_rows(12)), batch_size=5)
    seen = []

    def power_cut(run_, batch_no):
        seen.append(batch_no)
        if batch_no == 1:
            raise RuntimeError("listrik padam")

    monkeypatch.setattr(engine, "after_batch", power_cut)
    with pytest.raises(RuntimeError):
        engine.apply(session, run, actor="tester", batch_size=5)
    run = session.get(SyncRun, run.id)
    assert run.status == "apply_failed" and "listrik padam" in run.error
    assert count(session, Pegawai) == 5
    # The committed batch left its mark: its five changes count as applied, the rest not.
    assert len(run.applied_marks) == 1
    changes = session.scalars(
        select(SyncChange).where(SyncChange.run_id == run.id, SyncChange.entity == "pegawai")
    ).all()
    assert sum(run.change_applied_at(c) is not None for c in changes) == 5

    monkeypatch.setattr(engine, "after_batch", lambda run_, batch_no: None)
    run = engine.apply(session, run, actor="tester", batch_size=5)
    assert run.status == "applied" and run.applied_counts == {"new": 12}
    assert count(session, Pegawai) == 12
    assert session.scalar(select(func.count(func.distinct(Pegawai.nip)))) == 12
    assert count(session, PegawaiExternalId) == 12
    assert count(session, AuditEvent, AuditEvent.action == "pegawai.sync_create") == 12
    changes = session.scalars(select(SyncChange).where(SyncChange.run_id == run.id)).all()
    assert all(run.change_applied_at(c) is not None for c in changes)
    with pytest.raises(SyncError, match="sudah diterapkan"):
        engine.apply(session, run, actor="tester")


def test_batches_read_while_others_are_written_see_every_employee_and_leave_no_connection(
    session, csv_file, db
):
    # On PostgreSQL plan and apply read the next batch through a second connection while the
    # previous batch is written; the outcome must be that of reading one batch at a time.
    rows = many_rows(12)
    sync_csv(session, csv_file(rows), batch_size=5)
    rows[1]["nama"] = "PEGAWAI NOMOR 1 DIGANTI"
    rows[7]["gol_akhir_id"], rows[7]["gol_akhir_nama"] = "33", "III/c"
    rows[11]["kedudukan_hukum_id"], rows[11]["kedudukan_hukum_nama"] = "99", "Pensiun"
    session.commit()
    in_use = db.engine.pool.checkedout()
    run = plan_csv(session, csv_file(rows), batch_size=5)
    assert run.counts["unchanged"] == 9
    assert (run.counts["changed"], run.counts["leaving"], run.counts["new"]) == (2, 1, 0)
    run = engine.apply(session, run, actor="tester", batch_size=5)
    assert run.applied_counts == {"changed": 2, "leaving": 1}
    assert session.scalar(select(Pegawai.nama).where(Pegawai.nip == rows[1]["nip_baru"])) == (
        "PEGAWAI NOMOR 1 DIGANTI"
    )
    assert count(session, AuditEvent, AuditEvent.action.like("pegawai.sync_%")) == 15
    session.rollback()  # the test's own connection back to the pool
    assert db.engine.pool.checkedout() == in_use
    again = plan_csv(session, csv_file(rows), batch_size=5)
    assert again.counts["unchanged"] == 12 and again.pending_changes == 0


def test_a_failure_inside_a_batch_rolls_that_whole_batch_back(session, csv_file, monkeypatch):
    run = plan_csv(session, csv_file(many_rows(12)), batch_size=5)
    real = engine.record_audit
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:  # 1: units and positions, 2: batch 1, 3: batch 2
            raise ConnectionError("koneksi basis data terputus")
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "record_audit", flaky)
    with pytest.raises(ConnectionError):
        engine.apply(session, run, actor="tester", batch_size=5)
    assert count(session, Pegawai) == 5
    assert count(session, AuditEvent, AuditEvent.action == "pegawai.sync_create") == 5
    monkeypatch.setattr(engine, "record_audit", real)
    engine.apply(session, run, actor="tester", batch_size=5)
    assert count(session, Pegawai) == 12
    assert count(session, AuditEvent, AuditEvent.action == "pegawai.sync_create") == 12


def test_a_stale_plan_is_refused(session, csv_file):
    first = plan_csv(session, csv_file(base_rows()))
    second = plan_csv(session, csv_file(base_rows()))
    engine.apply(session, first, actor="tester")
    with pytest.raises(SyncError, match="usang"):
        engine.apply(session, second, actor="tester")
    engine.discard(session, second, actor="tester")
    session.commit()
    assert second.status == "discarded"
    with pytest.raises(SyncError):
        engine.apply(session, second, actor="tester")


# --- effects on planning -----------------------------------------------------------------------


def _today():
    return datetime.now(WIB).date()


def _periode(session):
    year = _today().year
    p = Periode(
        tahun=year,
        nama=f"Periode {year}",
        tanggal_mulai=date(year, 1, 1),
        tanggal_selesai=date(year, 12, 31),
        is_open=True,
    )
    session.add(p)
    session.flush()
    return p


def _skp(session, periode, pegawai, penilai, status="disetujui"):
    skp = Skp(
        periode_id=periode.id,
        pegawai_id=pegawai.id,
        jabatan_id=pegawai.jabatan_id,
        unit_id=pegawai.unit_id,
        penilai_pegawai_id=penilai.id if penilai else None,
        status=status,
        tanggal_mulai=periode.tanggal_mulai,
        tanggal_selesai=periode.tanggal_selesai,
        is_current=True,
    )
    session.add(skp)
    session.flush()
    return skp


def _pegawai(session, nip):
    return session.scalar(select(Pegawai).where(Pegawai.nip == nip))


def test_a_move_to_another_unit_closes_the_skp_and_opens_a_new_draft(session, csv_file):
    sync_csv(session, csv_file(base_rows()))
    periode = _periode(session)
    staf, sekretaris = _pegawai(session, NIP_STAF), _pegawai(session, NIP_SEKRETARIS)
    old = _skp(session, periode, staf, sekretaris)
    session.commit()
    moved = base_rows()
    moved[2] = siasn_row(
        NIP_STAF,
        "AGUS PRASETYO",
        BIDANG_APTIKA,
        golongan="31",
        tmt_jabatan=_today().strftime("%d-%m-%Y"),
    )
    run = sync_csv(session, csv_file(moved))
    session.expire_all()
    old = session.get(Skp, old.id)
    assert old.status == "ditutup" and not old.is_current
    assert old.tanggal_selesai == _today()
    new = session.scalar(select(Skp).where(Skp.replaces_id == old.id))
    assert new.status == "draft" and new.is_current
    assert new.unit_id == _pegawai(session, NIP_STAF).unit_id != old.unit_id
    change = session.scalar(
        select(SyncChange).where(SyncChange.run_id == run.id, SyncChange.nip == NIP_STAF)
    )
    assert change.effects["closed"] == [old.id] and change.effects["opened"] == [new.id]
    assert count(session, AuditEvent, AuditEvent.action == "skp.close") == 1
    # Rerunning the same input does nothing more.
    again = sync_csv(session, csv_file(moved))
    assert again.pending_changes == 0
    assert count(session, Skp) == 2


def test_when_the_superior_leaves_the_subordinates_links_are_flagged(session, csv_file):
    sync_csv(session, csv_file(base_rows()))
    periode = _periode(session)
    kadis = _pegawai(session, NIP_KADIS)
    sekretaris = _pegawai(session, NIP_SEKRETARIS)
    staf = _pegawai(session, NIP_STAF)
    skp_sek = _skp(session, periode, sekretaris, kadis)
    rhk_sek = Rhk(skp_id=skp_sek.id, teks="Terselenggaranya layanan kesekretariatan")
    session.add(rhk_sek)
    session.flush()
    skp_staf = _skp(session, periode, staf, sekretaris)
    linked = Rhk(
        skp_id=skp_staf.id, teks="Tersusunnya laporan administrasi umum", parent_rhk_id=rhk_sek.id
    )
    session.add(linked)
    session.commit()
    rows = base_rows()
    rows[1]["kedudukan_hukum_id"] = "99"  # the sekretaris retires
    run = sync_csv(session, csv_file(rows))
    assert run.counts["leaving"] == 1
    session.expire_all()
    assert session.get(Rhk, linked.id).link_flag == "parent_not_penilai"
    assert run.checkpoint["effects"] == {"superior_changed": 1, "rhk_flagged": 1}
    assert session.get(Skp, skp_staf.id).status == "disetujui"  # flagged, not deleted
    assert count(session, Pegawai) == 5


def test_when_the_superior_moves_the_subordinates_links_get_the_precise_flag(session, csv_file):
    sync_csv(session, csv_file(base_rows()))
    periode = _periode(session)
    kadis = _pegawai(session, NIP_KADIS)
    sekretaris = _pegawai(session, NIP_SEKRETARIS)
    staf = _pegawai(session, NIP_STAF)
    skp_sek = _skp(session, periode, sekretaris, kadis)
    rhk_sek = Rhk(skp_id=skp_sek.id, teks="Terselenggaranya layanan kesekretariatan")
    session.add(rhk_sek)
    session.flush()
    skp_staf = _skp(session, periode, staf, sekretaris)
    linked = Rhk(
        skp_id=skp_staf.id, teks="Tersusunnya laporan administrasi umum", parent_rhk_id=rhk_sek.id
    )
    session.add(linked)
    session.commit()
    # The sekretaris is rotated to head the Bidang Aptika; a new sekretaris takes her place.
    rows = base_rows()
    rows[1] = siasn_row(
        NIP_SEKRETARIS,
        "RINA MARLINA",
        BIDANG_APTIKA,
        jabatan="KEPALA BIDANG APLIKASI INFORMATIKA",
        jenis_jabatan="1",
        golongan="41",
        tmt_jabatan=_today().strftime("%d-%m-%Y"),
    )
    new_sek = nip_for(date(1978, 9, 9), (2002, 3), 1, 1)
    rows.append(
        siasn_row(
            new_sek,
            "BUDI SETIAWAN",
            SEKRETARIAT,
            jabatan="SEKRETARIS DINAS KOMUNIKASI DAN INFORMATIKA",
            jenis_jabatan="1",
            golongan="41",
        )
    )
    run = sync_csv(session, csv_file(rows))
    session.expire_all()
    # Her SKP was closed by the move (planning marks the links into it "atasan_berganti");
    # the staff's superior is now someone else, so the link gets the precise flag.
    assert session.get(Skp, skp_sek.id).status == "ditutup"
    assert session.get(Rhk, linked.id).link_flag == "parent_not_penilai"
    assert run.checkpoint["effects"] == {"superior_changed": 1, "rhk_flagged": 1}
    event = session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "rhk.link_flag", AuditEvent.object_id == str(linked.id)
        )
    )
    assert event.before == {"link_flag": "atasan_berganti"}
    assert session.get(Skp, skp_staf.id).status == "disetujui"


def test_a_superior_named_by_the_source_restarts_the_skp(session, tmp_path, make_unit):
    make_unit("Dinas Kesehatan")
    session.commit()
    a = nip_for(date(1970, 2, 2), (1996, 1), 1, 1)
    b = nip_for(date(1972, 3, 3), (1998, 1), 2, 1)
    s = nip_for(date(1990, 4, 4), (2015, 1), 1, 2)
    mapping = {
        "nip": "NIP",
        "nama": "Nama",
        "unit_nama": "Unit",
        "jabatan_nama": "Jabatan",
        "atasan_nip": "NIP Atasan",
    }

    def file(name, atasan_s):
        path = tmp_path / name
        path.write_text(
            "NIP;Nama;Unit;Jabatan;NIP Atasan\n"
            f"{a};Kepala A;Dinas Kesehatan;Kepala Bidang Pelayanan;\n"
            f"{b};Kepala B;Dinas Kesehatan;Kepala Bidang Sumber Daya;\n"
            f"{s};Staf;Dinas Kesehatan;Pengadministrasi Umum;{atasan_s}\n",
            encoding="utf-8",
        )
        return TabularAdapter(path, mapping)

    run = engine.plan(session, file("satu.csv", a), full_export=False, actor="tester")
    engine.apply(session, run, actor="tester")
    periode = _periode(session)
    staf, kepala_a = _pegawai(session, s), _pegawai(session, a)
    old = _skp(session, periode, staf, kepala_a)
    session.commit()
    run = engine.plan(session, file("dua.csv", b), full_export=False, actor="tester")
    (c,) = session.scalars(select(SyncChange).where(SyncChange.run_id == run.id))
    assert c.diff == {"atasan": [a, b]}
    engine.apply(session, run, actor="tester")
    session.expire_all()
    assert session.get(Skp, old.id).status == "ditutup"
    new = session.scalar(select(Skp).where(Skp.replaces_id == old.id))
    assert new.penilai_pegawai_id == _pegawai(session, b).id


def test_a_hand_set_plt_superior_is_never_overwritten(session, tmp_path, make_unit):
    make_unit("Dinas Kesehatan")
    session.commit()
    a = nip_for(date(1970, 2, 2), (1996, 1), 1, 1)
    s = nip_for(date(1990, 4, 4), (2015, 1), 1, 2)
    path = tmp_path / "plt.csv"
    path.write_text(
        f"NIP;Nama;Unit;NIP Atasan\n{a};A;Dinas Kesehatan;\n{s};S;Dinas Kesehatan;{a}\n",
        encoding="utf-8",
    )
    mapping = {"nip": "NIP", "nama": "Nama", "unit_nama": "Unit", "atasan_nip": "NIP Atasan"}
    engine.apply(
        session,
        engine.plan(session, TabularAdapter(path, mapping), full_export=False, actor="t"),
        actor="t",
    )
    staf = _pegawai(session, s)
    plt = Pegawai(nip=nip_for(date(1975, 1, 1), (2000, 1), 2, 3), nama="Plt", unit_id=staf.unit_id)
    session.add(plt)
    session.flush()
    staf.atasan_override_id, staf.atasan_override_jenis = plt.id, "plt"
    session.commit()
    run = engine.plan(session, TabularAdapter(path, mapping), full_export=False, actor="t")
    assert run.pending_changes == 0
    engine.apply(session, run, actor="t")
    assert _pegawai(session, s).atasan_override_id == plt.id


def test_an_employee_who_leaves_service_loses_access_at_the_next_request(
    session, csv_file, client, login, make_user
):
    sync_csv(session, csv_file(base_rows()))
    staf = _pegawai(session, NIP_STAF)
    user = make_user(pegawai=staf)
    login(user)
    assert client.get(f"/pegawai/{staf.id}").status_code == 200
    rows = base_rows()
    rows[2]["kedudukan_hukum_id"] = "99"
    sync_csv(session, csv_file(rows))
    resp = client.get(f"/pegawai/{staf.id}")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    session.expire_all()
    assert session.get(Pegawai, staf.id) is not None  # nothing deleted
    assert not _pegawai(session, NIP_STAF).must_have_skp


def test_units_are_created_from_the_export_in_tree_order(session, csv_file):
    rows = [siasn_row(NIP_STAF, "AGUS", SEKRETARIAT)]
    run = plan_csv(session, csv_file(rows))
    # Only the sekretariat is in the file: it has no parent to infer and stays without one.
    assert run.counts["units_new"] == 1
    engine.apply(session, run, actor="t")
    staf = _pegawai(session, NIP_STAF)
    assert staf.unit.jenis == "sekretariat" and staf.unit.parent_id is None


def test_two_simultaneous_applies_do_not_both_run(session, csv_file, db):
    run = plan_csv(session, csv_file(base_rows()))
    assert run.status == "planned"
    with db.engine.begin() as other:  # another worker claims the run first
        other.execute(
            SyncRun.__table__.update()
            .where(SyncRun.__table__.c.id == run.id)
            .values(status="applying")
        )
    with pytest.raises(SyncError, match="sedang diterapkan oleh proses lain"):
        engine.apply(session, run, actor="tester")
    assert count(session, Pegawai) == 0


def test_a_run_cut_off_while_applying_can_be_continued_from_the_page(
    session, csv_file, client, login, make_user, monkeypatch
):
    run = plan_csv(session, csv_file(many_rows(12)), batch_size=5)

    def killed(run_, batch_no):
        raise SystemExit("proses dihentikan")  # not an Exception: no bookkeeping happens

    monkeypatch.setattr(engine, "after_batch", killed)
    with pytest.raises(SystemExit):
        engine.apply(session, run, actor="tester", batch_size=5)
    session.rollback()
    run = session.get(SyncRun, run.id)
    assert run.status == "applying" and count(session, Pegawai) == 5
    assert not run.is_stalled
    run.heartbeat_at = datetime(2020, 1, 1)
    session.commit()
    monkeypatch.setattr(engine, "after_batch", lambda run_, batch_no: None)
    login(make_user("bkpsdm2", roles=[("hr", None)]))
    html = client.get(f"/sinkronisasi/{run.id}").get_data(as_text=True)
    assert "tidak menunjukkan kemajuan" in html and "Lanjutkan penerapan" in html
    assert client.get(f"/sinkronisasi/{run.id}/status").get_json()["running"] is False
    client.post(f"/sinkronisasi/{run.id}/terapkan")
    session.expire_all()
    assert session.get(SyncRun, run.id).status == "applied"
    assert count(session, Pegawai) == 12
