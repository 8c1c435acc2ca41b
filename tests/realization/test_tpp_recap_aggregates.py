"""The monthly recap's SQL aggregates pinned on a small literal dataset (SQLite and PostgreSQL):
approved points of the month, attendance with holidays, Friday hours and missing records, and
the cumulative capaian of the RHK utama with pro-rating, ranges, lower-is-better, percentage
units, zero targets and the statuses that do not count."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest
from sqlalchemy import select

from skp_app.planning.models import Iki, Rhk
from skp_app.realization import tpp_recap as rc
from skp_app.realization.models import Aktivitas, Kehadiran, Realisasi, TppRecapLine
from skp_app.realization.tpp import PRESET_DEFAULT
from tests.realization import evaluasi_fixtures
from tests.realization.evaluasi_fixtures import TAHUN

kominfo = evaluasi_fixtures.kominfo
AFTER_MARCH = date(TAHUN, 4, 10)


def _iki(session, rhk, teks, target, satuan, *, target_max=None, lower=False) -> Iki:
    iki = Iki(
        rhk_id=rhk.id,
        aspek="kuantitas",
        teks=teks,
        target=Decimal(str(target)),
        target_max=None if target_max is None else Decimal(str(target_max)),
        satuan=satuan,
        lower_is_better=lower,
    )
    session.add(iki)
    session.flush()
    return iki


def _real(session, iki, skp, values: dict[int, tuple]) -> None:
    for bulan, (nilai, status) in values.items():
        session.add(
            Realisasi(
                iki_id=iki.id,
                skp_id=skp.id,
                tahun=TAHUN,
                bulan=bulan,
                nilai=None if nilai is None else Decimal(str(nilai)),
                status=status,
            )
        )


OK, SENT, DRAFT, REJECTED = "terverifikasi", "diajukan", "draft", "ditolak"


def _capaian_data(session, k) -> None:
    budi = k.skp_budi
    # Budi, SKP January–December: March is 3/12 of a summed target.
    _real(session, budi.iki_dokumen, budi.skp, {1: (1, OK), 2: (1, OK), 3: (2, SENT), 4: (5, OK)})
    _real(session, budi.iki_persen, budi.skp, {1: (90, OK), 2: (100, OK), 3: (80, REJECTED)})
    laporan = _iki(session, budi.rhk_utama, "Jumlah laporan", 10, "Laporan", target_max=14)
    _real(session, laporan, budi.skp, {1: (1, OK), 2: (2, OK), 3: (5, DRAFT)})
    keluhan = _iki(session, budi.rhk_utama, "Jumlah keluhan", 12, "Keluhan", lower=True)
    _real(session, keluhan, budi.skp, {1: (2, OK), 2: (1, OK), 3: (1, SENT)})
    piket = _iki(session, budi.rhk_tambahan, "Jumlah piket", 4, "Kegiatan")
    _real(session, piket, budi.skp, {1: (4, OK)})  # RHK tambahan: not in the capaian

    dewi = k.skp_dewi
    _real(session, dewi.iki_dokumen, dewi.skp, {1: (6, OK)})
    _real(session, dewi.iki_persen, dewi.skp, {1: (100, OK)})
    layanan = Rhk(skp_id=dewi.skp.id, jenis="utama", urutan=2, teks="Terlayaninya pengaduan")
    session.add(layanan)
    session.flush()
    tepat = _iki(session, layanan, "Persentase tepat waktu", 80, "Persen", target_max=90)
    _real(session, tepat, dewi.skp, {1: (95, OK), 2: (96, OK), 3: (94, OK)})
    temuan = _iki(session, layanan, "Jumlah temuan", 0, "Temuan")
    _real(session, temuan, dewi.skp, {1: (1, OK)})  # a zero target has no capaian

    kabid = k.skp_kabid
    kabid.skp.tanggal_mulai = date(TAHUN, 2, 2)  # February–December: March is 2/11
    _real(session, kabid.iki_dokumen, kabid.skp, {2: (1, OK), 3: (1, OK)})
    _real(session, kabid.iki_persen, kabid.skp, {3: (90, SENT)})


def _activity(session, pegawai, day, poin, status="disetujui") -> None:
    session.add(
        Aktivitas(
            pegawai_id=pegawai.id,
            tanggal=day,
            jam_mulai=time(8),
            jam_selesai=time(10),
            menit=120,
            uraian="Menyusun laporan layanan aplikasi",
            poin=Decimal(str(poin)),
            status=status,
        )
    )


def _points_data(session, k) -> None:
    for day, poin, status in (
        (2, "120.5", "disetujui"),
        (3, "90.25", "disetujui"),
        (31, "300", "disetujui"),
        (4, "100", "ditolak"),
        (5, "50", "diajukan"),
    ):
        _activity(session, k.budi, date(TAHUN, 3, day), poin, status)
    _activity(session, k.budi, date(TAHUN, 4, 1), 200)
    _activity(session, k.budi, date(TAHUN, 2, 27), 10)


def _attendance_data(session, k) -> None:
    k.instansi.settings = {"hari_libur": ["2026-03-19"], "jam_pulang_jumat": "16:30"}
    special = {
        2: (time(7, 31), time(16, 0), "hadir"),  # 1 minute late
        3: (time(8, 45), time(15, 59), "hadir"),  # 75 late, 1 early
        6: (time(7, 30), time(16, 15), "hadir"),  # Friday: 15 early (16:30)
        9: (None, time(16, 0), "hadir"),  # no clock-in
        10: (None, None, "alpa"),
        11: (None, None, "izin"),
        12: (time(7, 0), None, "hadir"),  # no clock-out
        13: None,  # no record at all
        14: (time(8, 0), time(12, 0), "hadir"),  # Saturday: not a working day
        19: (time(9, 0), time(16, 0), "hadir"),  # holiday: not counted
    }
    for day in range(1, 32):
        d = date(TAHUN, 3, day)
        if day in special:
            values = special[day]
        elif d.weekday() < 5:
            values = (time(7, 20), time(16, 40), "hadir")
        else:
            continue
        if values is None:
            continue
        masuk, pulang, ket = values
        session.add(
            Kehadiran(
                pegawai_id=k.budi.id, tanggal=d, jam_masuk=masuk, jam_pulang=pulang, keterangan=ket
            )
        )


def _line(session, recap, pegawai) -> TppRecapLine:
    return session.scalar(
        select(TppRecapLine).where(
            TppRecapLine.recap_id == recap.id, TppRecapLine.pegawai_id == pegawai.id
        )
    )


@pytest.fixture
def march(session, kominfo):
    k = kominfo
    rc.save_policy_version(
        session,
        k.instansi,
        policy_data=PRESET_DEFAULT.to_dict(),
        pagu_per_kelas={"8": 4_500_000, "11": 7_000_000, "14": 12_000_000},
        berlaku_mulai=date(TAHUN, 1, 1),
        actor=k.users.hr,
    )
    _capaian_data(session, k)
    _points_data(session, k)
    _attendance_data(session, k)
    session.commit()
    return k


def test_capaian_is_pinned_per_employee(session, march):
    k = march
    recap = rc.run_recap(session, TAHUN, 3, today=AFTER_MARCH)
    # Budi: dokumen 4 of 3 = 133.33; persen avg(90, 100) = 95; laporan 3 in 2.5–3.5 = 100;
    # keluhan 4 against 3, lower is better = 66.67 → (133.33 + 95 + 100 + 66.67) / 4.
    assert _line(session, recap, k.budi).capaian == Decimal("98.75")
    # Dewi: RHK 1 (200 + 100) / 2 = 150; RHK 2: avg 95 above the 80–90 range = 105.56 (the
    # zero target has none) → (150 + 105.56) / 2.
    assert _line(session, recap, k.dewi).capaian == Decimal("127.78")
    # Kabid, SKP from February: dokumen 2 of 12 × 2/11 = 91.67; persen 90 → 90.83.
    assert _line(session, recap, k.kabid).capaian == Decimal("90.83")
    assert _line(session, recap, k.kadis).capaian is None
    one_opd = rc.run_recap(session, TAHUN, 3, opd_id=k.dinas.id, today=AFTER_MARCH)
    assert _line(session, one_opd, k.dewi).capaian == Decimal("127.78")


def test_points_are_the_approved_activities_of_the_month(session, march):
    k = march
    recap = rc.run_recap(session, TAHUN, 3, today=AFTER_MARCH)
    line = _line(session, recap, k.budi)
    assert line.poin == Decimal("510.75")
    assert line.lineage["inputs"]["points"] == "510.75"
    assert _line(session, recap, k.dewi).poin == 0


def test_attendance_is_pinned_with_holidays_fridays_and_missing_records(session, march):
    k = march
    recap = rc.run_recap(session, TAHUN, 3, today=AFTER_MARCH)
    lineage = _line(session, recap, k.budi).lineage

    def ordered(values):
        return sorted(values, key=lambda m: -1 if m is None else m)

    assert ordered(lineage["inputs"]["lateness_minutes"]) == [None, 1, 75]
    assert ordered(lineage["inputs"]["early_leave_minutes"]) == [None, 1, 15]
    assert lineage["inputs"]["absent_days"] == 2  # 13 March (no record) and 10 March (alpa)
    assert lineage["kehadiran"] == {"hari_kerja": 21, "hari_rekam": 19, "alpa": 1, "tanpa_rekam": 1}
    dewi = _line(session, recap, k.dewi).lineage
    assert dewi["inputs"]["absent_days"] == 21 and dewi["inputs"]["lateness_minutes"] == []
