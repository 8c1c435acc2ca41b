"""The monthly totals the TPP recap reads stay equal to an aggregation of the raw rows after
every kind of write (ORM flushes, the operations, the attendance import, rollbacks), can be
rebuilt from the CLI, and give the recap exactly the lines of the raw aggregation."""

from __future__ import annotations

import copy
import json
import random
from datetime import date, time
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from skp_app.realization import attendance as att
from skp_app.realization import operations as ops
from skp_app.realization import totals
from skp_app.realization import tpp_recap as rc
from skp_app.realization.evaluation_queries import COUNTED_REALISASI
from skp_app.realization.models import (
    Aktivitas,
    Kehadiran,
    Realisasi,
    RealisasiKumulatif,
    RekapBulananPegawai,
    TppRecapLine,
)
from tests.realization import evaluasi_fixtures, recap_raw_reference
from tests.realization.realisasi_fixtures import TAHUN, rworld_fixture  # noqa: F401

kominfo = evaluasi_fixtures.kominfo


def _snapshot(session) -> tuple[dict, dict]:
    session.flush()
    pegawai = {
        (r.tahun, r.bulan, r.pegawai_id): (Decimal(r.poin).normalize(), r.hari, r.masuk, r.pulang)
        for r in session.execute(select(RekapBulananPegawai.__table__))
    }
    kumulatif = {}
    for r in session.execute(select(RealisasiKumulatif.__table__)).mappings():
        kumulatif[(r["tahun"], r["iki_id"])] = tuple(
            (
                None if r[f"total_{m}"] is None else Decimal(r[f"total_{m}"]).normalize(),
                r[f"n_{m}"],
            )
            for m in totals.MONTHS
        )
    return pegawai, kumulatif


def assert_totals_match_a_rebuild(session) -> None:
    """The maintained totals equal a from-scratch rebuild (which is then rolled back)."""
    maintained = _snapshot(session)
    nested = session.begin_nested()
    result = totals.rebuild_monthly_totals(session)
    rebuilt = _snapshot(session)
    nested.rollback()
    assert (result.pegawai_rows, result.realisasi_rows) == (len(rebuilt[0]), len(rebuilt[1]))
    assert maintained[0] == rebuilt[0]
    assert maintained[1] == rebuilt[1]
    assert _snapshot(session) == maintained


def _fresh(session, model, key):
    """The row as now in the database (totals are written with Core statements)."""
    return session.get(model, key, populate_existing=True)


def test_counted_statuses_are_those_of_the_evaluation():
    assert totals.COUNTED_REALISASI == COUNTED_REALISASI


def test_time_encoding_sorts_like_the_clock():
    times = [time(7, 29, 59), time(7, 30), time(7, 30, 0, 500), time(7, 30, 1), time(16, 0)]
    codes = [totals.encode_time(t, totals.NO_MASUK) for t in times]
    assert codes == sorted(codes) and len(set(codes)) == len(codes)
    assert [int(c) // 120 for c in codes] == [449, 450, 450, 450, 960]
    assert totals.NO_MASUK > max(codes) and totals.NO_PULANG < min(codes)


# --- property: random ORM writes -------------------------------------------------------------


def _random_time(rng: random.Random) -> time | None:
    roll = rng.random()
    if roll < 0.1:
        return None
    micro = 500_000 if roll < 0.15 else 0
    return time(rng.randint(6, 17), rng.randint(0, 59), rng.choice((0, 0, 30)), micro)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_writes_keep_the_totals_equal_to_a_rebuild(rworld, session, seed):
    rng = random.Random(seed)
    people = [rworld.p[k] for k in ("staf", "staf2", "kasi", "bappeda") if k in rworld.p]
    ikis = list(rworld.iki.values())
    skp_of_iki = {i.id: i.rhk.skp_id for i in ikis}
    days = [date(TAHUN, m, d) for m in (2, 3, 4) for d in (1, 2, 13, 27, 28)]
    for step in range(120):
        kind = rng.choice(("aktivitas", "kehadiran", "realisasi"))
        if kind == "aktivitas":
            rows = list(session.scalars(select(Aktivitas)))
            if not rows or rng.random() < 0.4:
                session.add(
                    Aktivitas(
                        pegawai_id=rng.choice(people).id,
                        tanggal=rng.choice(days),
                        jam_mulai=time(8),
                        jam_selesai=time(10),
                        menit=120,
                        uraian=f"Menyusun laporan layanan {step}",
                        poin=Decimal(rng.choice(("150", "87.5", "0.01", "240.25"))),
                        status=rng.choice(("diajukan", "disetujui", "ditolak")),
                    )
                )
            else:
                a = rng.choice(rows)
                change = rng.choice(("status", "poin", "tanggal", "pegawai", "delete"))
                if change == "status":
                    a.status = rng.choice(("diajukan", "disetujui", "ditolak"))
                elif change == "poin":
                    a.poin = Decimal(rng.choice(("30", "99.99", "300")))
                elif change == "tanggal":
                    a.tanggal = rng.choice(days)
                elif change == "pegawai":
                    a.pegawai_id = rng.choice(people).id
                else:
                    session.delete(a)
        elif kind == "kehadiran":
            rows = list(session.scalars(select(Kehadiran)))
            taken = {(r.pegawai_id, r.tanggal) for r in rows}
            free = [(p.id, d) for p in people for d in days if (p.id, d) not in taken]
            if free and (not rows or rng.random() < 0.5):
                pid, day = rng.choice(free)
                session.add(
                    Kehadiran(
                        pegawai_id=pid,
                        tanggal=day,
                        jam_masuk=_random_time(rng),
                        jam_pulang=_random_time(rng),
                        keterangan=rng.choice(("hadir", "hadir", "alpa", "izin", "cuti")),
                    )
                )
            elif rows:
                k = rng.choice(rows)
                change = rng.choice(("keterangan", "masuk", "pulang", "tanggal", "delete"))
                if change == "keterangan":
                    k.keterangan = rng.choice(("hadir", "alpa", "sakit", "dinas_luar"))
                elif change == "masuk":
                    k.jam_masuk = _random_time(rng)
                elif change == "pulang":
                    k.jam_pulang = _random_time(rng)
                elif change == "tanggal":
                    day = rng.choice(days)
                    if (k.pegawai_id, day) not in taken:
                        k.tanggal = day
                else:
                    session.delete(k)
        else:
            rows = list(session.scalars(select(Realisasi)))
            taken = {(r.iki_id, r.tahun, r.bulan) for r in rows}
            free = [
                (i.id, t, m)
                for i in ikis
                for t in (TAHUN, TAHUN + 1)
                for m in (1, 3, 7, 12)
                if (i.id, t, m) not in taken
            ]
            if free and (not rows or rng.random() < 0.5):
                iki_id, tahun, bulan = rng.choice(free)
                session.add(
                    Realisasi(
                        iki_id=iki_id,
                        skp_id=skp_of_iki[iki_id],
                        tahun=tahun,
                        bulan=bulan,
                        nilai=rng.choice((None, Decimal("2"), Decimal("87.5"), Decimal("0.0001"))),
                        status=rng.choice(("draft", "diajukan", "terverifikasi", "ditolak")),
                    )
                )
            elif rows:
                r = rng.choice(rows)
                change = rng.choice(("status", "nilai", "bulan", "delete"))
                if change == "status":
                    r.status = rng.choice(("draft", "diajukan", "terverifikasi", "ditolak"))
                elif change == "nilai":
                    r.nilai = rng.choice((None, Decimal("1"), Decimal("95.25")))
                elif change == "bulan":
                    month = rng.choice((2, 5, 11))
                    if (r.iki_id, r.tahun, month) not in taken:
                        r.bulan = month
                else:
                    session.delete(r)
        roll = rng.random()
        if roll < 0.25:
            session.flush()
        elif roll < 0.35:
            session.commit()
        elif roll < 0.40:
            session.rollback()  # the totals written by the flushes roll back with the rows
    assert session.scalar(select(func.count()).select_from(RekapBulananPegawai)) > 0
    assert_totals_match_a_rebuild(session)
    session.commit()
    assert_totals_match_a_rebuild(session)


# --- the operations --------------------------------------------------------------------------


def _wednesday_in_march() -> date:
    day = date(TAHUN, 3, 8)
    while day.weekday() != 2:
        day = date(TAHUN, 3, day.day + 1)
    return day


def test_every_activity_and_realisasi_operation_keeps_the_totals(rworld, session):
    w = rworld
    today = _wednesday_in_march()

    def submit(hour, uraian):
        return ops.submit_activity(
            session,
            w.p["staf"],
            tanggal=today,
            jam_mulai=time(hour),
            jam_selesai=time(hour + 1),
            uraian=uraian,
            rhk_id=w.rhk["staf"].id,
            actor=w.users["staf"],
            today=today,
        )

    kasi = w.users["kasi"]
    a = submit(8, "Menyusun dokumen kebutuhan aplikasi")
    assert_totals_match_a_rebuild(session)
    assert ops.approve_activity(session, a, actor=kasi)
    assert_totals_match_a_rebuild(session)
    month = _fresh(session, RekapBulananPegawai, (TAHUN, 3, w.p["staf"].id))
    assert month.poin == a.poin > 0
    b = submit(10, "Rapat koordinasi pengembangan aplikasi")
    assert ops.reject_activity(session, b, reason="Uraian terlalu umum", actor=kasi)
    assert_totals_match_a_rebuild(session)
    ops.update_activity(
        session,
        b,
        tanggal=today,
        jam_mulai=time(10),
        jam_selesai=time(12),
        uraian="Rapat koordinasi modul cuti SIMPEG",
        rhk_id=w.rhk["staf"].id,
        actor=w.users["staf"],
        today=today,
    )
    c = submit(13, "Uji coba modul cuti")
    d = submit(14, "Dokumentasi modul cuti")
    ops.delete_activity(session, d, actor=w.users["staf"], today=today)
    assert_totals_match_a_rebuild(session)
    result = ops.approve_activities(session, [b.id, c.id], actor=kasi)
    assert result.approved == 2
    assert_totals_match_a_rebuild(session)
    session.commit()
    month = _fresh(session, RekapBulananPegawai, (TAHUN, 3, w.p["staf"].id))
    assert month.poin == a.poin + b.poin + c.poin

    def record(bulan, nilai):
        return ops.record_realization(
            session,
            w.skp["staf"],
            w.iki["staf"],
            tahun=TAHUN,
            bulan=bulan,
            nilai=nilai,
            actor=w.users["staf"],
            today=date(TAHUN, 3, 20),
        )

    feb = record(2, "2")
    mar = record(3, "3")
    assert_totals_match_a_rebuild(session)
    row = _fresh(session, RealisasiKumulatif, (TAHUN, w.iki["staf"].id))
    assert (row.n_1, row.n_2, row.n_3, row.n_12) == (0, 1, 2, 2)
    assert (row.total_2, row.total_3) == (Decimal(2), Decimal(5))
    penilai = w.users["kasi"]
    assert ops.verify_realization(session, feb, actor=penilai)
    assert ops.reject_realization(session, mar, note="Bukti belum lengkap", actor=penilai)
    assert_totals_match_a_rebuild(session)
    row = _fresh(session, RealisasiKumulatif, (TAHUN, w.iki["staf"].id))
    assert (row.n_3, row.total_3) == (1, Decimal(2))
    mar = record(3, "4")  # corrected and submitted again
    assert ops.reopen_realization(session, feb, note="Salah hitung", actor=penilai)
    assert_totals_match_a_rebuild(session)
    session.commit()
    assert_totals_match_a_rebuild(session)


# --- the attendance import (Core executemany, committed per batch) ---------------------------


def test_attendance_import_keeps_the_totals_in_every_batch(session, kominfo, tmp_path):
    k = kominfo
    people = (k.budi, k.dewi)
    lines = ["NIP;Tanggal;Jam Masuk;Jam Pulang;Keterangan"]
    for day in (2, 3, 4, 5, 6, 9):  # sorted by date: each batch touches every employee
        for p in people:
            lines.append(f"{p.nip};2026-03-{day:02d};07:{20 + day};16:0{day % 3};hadir")
    lines.append(f"{k.budi.nip};2026-04-01;07:45;-;hadir")
    path = tmp_path / "absen.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = att.import_attendance_file(
        session, path, "csv", actor=k.users.hr, today=date(2026, 4, 10), batch_size=3
    )
    assert result.inserted == 13
    assert_totals_match_a_rebuild(session)
    budi = _fresh(session, RekapBulananPegawai, (2026, 3, k.budi.id))
    assert budi.hari[:9] == ".HHHHH..H"
    # A second file changes two days (one becomes izin) and adds one: patched in place.
    lines = [
        "NIP;Tanggal;Jam Masuk;Jam Pulang;Keterangan",
        f"{k.budi.nip};2026-03-03;-;-;izin",
        f"{k.dewi.nip};2026-03-04;08:10;16:00;hadir",
        f"{k.dewi.nip};2026-03-10;07:00;16:00;hadir",
        f"{k.budi.nip};2026-03-05;07:25;16:05;hadir",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    att.import_attendance_file(
        session, path, "csv", actor=k.users.hr, today=date(2026, 4, 10), batch_size=2
    )
    assert_totals_match_a_rebuild(session)
    budi = _fresh(session, RekapBulananPegawai, (2026, 3, k.budi.id))
    assert budi.hari[:9] == ".HKHHH..H"


# --- rebuild from the CLI --------------------------------------------------------------------


def test_rebuild_totals_cli_repairs_totals_after_a_manual_fix(runner, rworld, session):
    staf = rworld.p["staf"]
    session.add(
        Aktivitas(
            pegawai_id=staf.id,
            tanggal=date(TAHUN, 3, 4),
            jam_mulai=time(8),
            jam_selesai=time(10),
            menit=120,
            uraian="Menyusun laporan",
            poin=Decimal("150"),
            status="disetujui",
        )
    )
    session.commit()
    # A manual fix straight in the database bypasses the application.
    session.execute(update(Aktivitas).values(poin=Decimal("90")))
    session.commit()
    assert _fresh(session, RekapBulananPegawai, (TAHUN, 3, staf.id)).poin == Decimal("150")
    result = runner.invoke(args=["recap", "rebuild-totals", "--bulan", f"{TAHUN}-03", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["bulan"] == [f"{TAHUN}-03"] and payload["rekap_bulanan_pegawai"] >= 1
    session.expire_all()
    assert _fresh(session, RekapBulananPegawai, (TAHUN, 3, staf.id)).poin == Decimal("90")
    result = runner.invoke(args=["recap", "rebuild-totals"])
    assert result.exit_code == 0, result.output
    assert "Total bulanan dihitung ulang" in result.output
    result = runner.invoke(args=["recap", "rebuild-totals", "--bulan", "2026-13"])
    assert result.exit_code == 2 and "bulan harus 01–12" in result.output


def test_rebuild_for_some_employees_leaves_the_others(rworld, session):
    staf, kasi = rworld.p["staf"], rworld.p["kasi"]
    for p in (staf, kasi):
        session.add(Kehadiran(pegawai_id=p.id, tanggal=date(TAHUN, 3, 2), keterangan="alpa"))
    session.commit()
    session.execute(update(Kehadiran).values(keterangan="izin"))
    totals.rebuild_monthly_totals(session, (TAHUN, 3), pegawai_ids=[staf.id])
    session.commit()
    assert _fresh(session, RekapBulananPegawai, (TAHUN, 3, staf.id)).hari[1] == "K"
    assert _fresh(session, RekapBulananPegawai, (TAHUN, 3, kasi.id)).hari[1] == "A"


# --- the recap's lines: maintained totals vs the raw aggregation ----------------------------


def _in_any_order(lineage: dict) -> dict:
    """The raw aggregation listed TL/PSW minutes in the rows' physical order (string_agg
    without ORDER BY: after an UPDATE, PostgreSQL returns the row last); the totals list them
    in day order. Same occurrences, same amounts: compare the lists as multisets."""
    inputs = lineage.get("inputs")
    if inputs:
        for key in ("lateness_minutes", "early_leave_minutes"):
            inputs[key] = sorted(inputs[key], key=lambda m: (m is None, m or 0))
    return lineage


def _lines(session, recap) -> dict:
    return {
        line.pegawai_id: (
            line.poin,
            line.capaian,
            line.pagu,
            line.produktivitas,
            line.disiplin,
            line.potongan,
            line.diterima,
            json.dumps(_in_any_order(copy.deepcopy(line.lineage)), sort_keys=True),
        )
        for line in session.scalars(select(TppRecapLine).where(TppRecapLine.recap_id == recap.id))
    }


@pytest.mark.parametrize(("today", "opd"), [(date(2026, 4, 6), None), (date(2026, 3, 18), 7)])
def test_recap_lines_equal_the_raw_aggregation_on_benchmark_data(
    app, session, monkeypatch, today, opd
):
    bench = pytest.importorskip("benchmarks.bench_recap")
    bench.build(240, 4, 12)
    bench._hukdis(240)
    # Some odd rows: seconds, no clock-in on a Friday, a later status change through the ORM.
    session.execute(
        update(Kehadiran)
        .where(Kehadiran.id % 7 == 0, Kehadiran.keterangan == "hadir")
        .values(jam_masuk=time(7, 30, 0, 500_000))
    )
    totals.rebuild_monthly_totals(session)
    session.commit()
    for a in session.scalars(select(Aktivitas).where(Aktivitas.id % 13 == 0)):
        a.status = "disetujui" if a.status != "disetujui" else "ditolak"
    for r in session.scalars(select(Realisasi).where(Realisasi.id % 11 == 0)):
        r.status = "draft" if r.status in COUNTED_REALISASI else "terverifikasi"
    session.commit()
    assert_totals_match_a_rebuild(session)

    with_totals = rc.run_recap(session, 2026, 3, opd_id=opd, actor="test", today=today)
    monkeypatch.setattr(rc, "_monthly", recap_raw_reference.raw_monthly)
    monkeypatch.setattr(rc, "_capaian", recap_raw_reference._capaian)
    raw = rc.run_recap(session, 2026, 3, opd_id=opd, actor="test", today=today)
    session.commit()
    new, old = _lines(session, with_totals), _lines(session, raw)
    assert len(new) == with_totals.line_count > 0
    assert new == old
    lineage = [json.loads(v[-1]) for v in new.values()]
    assert any(entry["inputs"]["lateness_minutes"] for entry in lineage if "inputs" in entry)
    summary_new = {k: v for k, v in with_totals.summary.items() if k != "timing"}
    summary_old = {k: v for k, v in raw.summary.items() if k != "timing"}
    assert summary_new == summary_old


# --- concurrency (PostgreSQL: READ COMMITTED, several workers) -------------------------------


def test_concurrent_writes_to_one_employee_month_both_count(app, db, rworld, session):
    """Two transactions approve activities of the same employee and month at the same time:
    the second recompute waits for the first commit and sees it (parent row lock)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serializes writers with its database lock")
    import threading

    from sqlalchemy.orm import Session

    staf_id = rworld.p["staf"].id
    session.commit()

    def activity(poin: str) -> Aktivitas:
        return Aktivitas(
            pegawai_id=staf_id,
            tanggal=date(TAHUN, 3, 4),
            jam_mulai=time(8),
            jam_selesai=time(9),
            menit=60,
            uraian="Menyusun laporan",
            poin=Decimal(poin),
            status="disetujui",
        )

    first, second = Session(db.engine), Session(db.engine)
    errors: list[BaseException] = []
    try:
        first.add(activity("100"))
        first.flush()  # holds the lock of the employee until it commits

        def other() -> None:
            try:
                second.add(activity("50"))
                second.flush()
                second.commit()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
                second.rollback()

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(0.5)
        assert thread.is_alive(), "the second writer should wait for the first one's commit"
        first.commit()
        thread.join(10)
    finally:
        first.close()
        second.close()
    assert not errors
    session.expire_all()
    assert _fresh(session, RekapBulananPegawai, (TAHUN, 3, staf_id)).poin == Decimal("150")
    assert_totals_match_a_rebuild(session)
