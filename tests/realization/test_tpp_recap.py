"""The monthly TPP recap: lines equal compute_tpp on the same inputs, scope, policy versions,
calendar rules, the background job and formula-safe exports."""

from __future__ import annotations

import csv
import io
from datetime import date, time
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from skp_app.jobs import enqueue
from skp_app.jobs.models import Job
from skp_app.realization import tpp_recap as rc
from skp_app.realization.models import Aktivitas, Kehadiran, TppPolicyVersion, TppRecapLine
from skp_app.realization.tpp import PRESET_DEFAULT, PRESET_REVERSE, compute_tpp
from tests.realization import evaluasi_fixtures
from tests.realization.evaluasi_fixtures import TAHUN, add_realisasi

kominfo = evaluasi_fixtures.kominfo
AFTER_MARCH = date(TAHUN, 4, 10)
PAGU = {"8": 4_500_000, "11": 7_000_000, "14": 12_000_000}


def _policy(session, k, policy=PRESET_DEFAULT, pagu=None, berlaku=date(TAHUN, 1, 1)):
    row = rc.save_policy_version(
        session,
        k.instansi,
        policy_data=policy.to_dict(),
        pagu_per_kelas=PAGU if pagu is None else pagu,
        berlaku_mulai=berlaku,
        actor=k.users.hr,
    )
    session.commit()
    return row


def _march_working_days(holidays=()):
    return [
        date(TAHUN, 3, d)
        for d in range(1, 32)
        if date(TAHUN, 3, d).weekday() < 5 and date(TAHUN, 3, d) not in holidays
    ]


def _attend(session, pegawai, days, exceptions=None):
    """On-time attendance 07:25–16:05 on ``days``; ``exceptions`` map a day to a row or None."""
    exceptions = exceptions or {}
    for d in days:
        values = exceptions.get(d.day, (time(7, 25), time(16, 5), "hadir"))
        if values is None:
            continue
        masuk, pulang, ket = values
        session.add(
            Kehadiran(
                pegawai_id=pegawai.id, tanggal=d, jam_masuk=masuk, jam_pulang=pulang, keterangan=ket
            )
        )
    session.flush()


def _activity(session, pegawai, day, poin, status="disetujui"):
    session.add(
        Aktivitas(
            pegawai_id=pegawai.id,
            tanggal=day,
            jam_mulai=time(8),
            jam_selesai=time(16),
            menit=int(poin),
            uraian="Menyusun dokumen layanan aplikasi",
            poin=Decimal(poin),
            status=status,
        )
    )


BUDI_EXCEPTIONS = {
    3: (time(7, 45), time(16, 5), "hadir"),  # 15 min late → TL1
    4: (time(8, 50), time(16, 5), "hadir"),  # 80 min late → TL3
    5: (time(7, 20), time(15, 0), "hadir"),  # 60 min early → PSW2
    10: (None, None, "sakit"),
    11: None,  # no record → absent
    12: (None, None, "alpa"),  # absent
    13: (time(7, 30), None, "hadir"),  # no leave record → PSW without record
}


def _setup_march(session, k):
    _attend(session, k.budi, _march_working_days(), BUDI_EXCEPTIONS)
    _attend(session, k.dewi, _march_working_days())
    for day in range(2, 20):
        _activity(session, k.budi, date(TAHUN, 3, day), 300)  # 18 × 300 = 5,400 approved
    _activity(session, k.budi, date(TAHUN, 3, 20), 600, status="diajukan")
    _activity(session, k.budi, date(TAHUN, 4, 1), 600)
    _activity(session, k.dewi, date(TAHUN, 3, 2), 7000)
    session.commit()


def _line(session, recap, pegawai) -> TppRecapLine:
    return session.scalar(
        select(TppRecapLine).where(
            TppRecapLine.recap_id == recap.id, TppRecapLine.pegawai_id == pegawai.id
        )
    )


def test_recap_line_equals_compute_tpp_on_the_aggregated_inputs(session, kominfo):
    k = kominfo
    _policy(session, k)
    _setup_march(session, k)
    recap = rc.run_recap(session, TAHUN, 3, actor=k.users.hr, today=AFTER_MARCH)
    session.commit()
    expected = compute_tpp(
        PRESET_DEFAULT,
        pagu=4_500_000,
        points=5400,
        points_target=6000,
        lateness_minutes=[15, 80],
        early_leave_minutes=[60, None],
        absent_days=2,
    )
    line = _line(session, recap, k.budi)
    assert line.poin == Decimal(5400)
    assert (line.pagu, line.produktivitas, line.disiplin, line.potongan, line.diterima) == (
        expected.pagu,
        expected.produktivitas_part,
        expected.disiplin_part,
        expected.total_deductions,
        expected.received,
    )
    assert sorted(line.lineage["inputs"]["lateness_minutes"]) == [15, 80]
    assert line.lineage["inputs"]["absent_days"] == 2
    assert line.lineage["steps"] == expected.lineage["steps"]
    assert line.lineage["kehadiran"] == {
        "hari_kerja": 22,
        "hari_rekam": 20,
        "alpa": 1,
        "tanpa_rekam": 1,
    }
    assert "22 hari kerja" in recap.summary["sumber"]["kehadiran"]
    dewi = _line(session, recap, k.dewi)
    assert dewi.potongan == 0 and dewi.produktivitas == Decimal(2_700_000)  # 7000 pts capped
    assert recap.summary["policy_version"] == 1
    assert "Bagian produktivitas" in recap.summary["formula"]


def test_recap_without_attendance_counts_every_working_day_absent(session, kominfo):
    k = kominfo
    _policy(session, k)
    recap = rc.run_recap(session, TAHUN, 3, today=AFTER_MARCH)
    line = _line(session, recap, k.budi)
    assert line.lineage["inputs"]["absent_days"] == 22
    assert line.potongan == line.disiplin * Decimal("0.88")  # 22 days × 4 %
    assert recap.summary["ada_kehadiran"] is False


def test_holidays_and_friday_hours_come_from_instansi_settings(session, kominfo):
    k = kominfo
    k.instansi.settings = {
        "hari_libur": ["2026-03-19"],
        "jam_pulang_jumat": "16:30",
        "monthly_points_target": 10000,
    }
    _policy(session, k)
    _attend(session, k.budi, _march_working_days(holidays=[date(TAHUN, 3, 19)]))
    session.commit()
    recap = rc.run_recap(session, TAHUN, 3, today=AFTER_MARCH)
    line = _line(session, recap, k.budi)
    fridays = [d for d in _march_working_days() if d.weekday() == 4]
    assert line.lineage["inputs"]["early_leave_minutes"] == [25] * len(fridays)
    assert line.lineage["inputs"]["absent_days"] == 0
    assert line.lineage["inputs"]["points_target"] == "10000"


def test_recap_of_the_running_month_prorates_target_and_counts_past_days_only(session, kominfo):
    k = kominfo
    _policy(session, k)
    _attend(session, k.budi, [d for d in _march_working_days() if d.day <= 13])
    session.commit()
    recap = rc.run_recap(session, TAHUN, 3, today=date(TAHUN, 3, 13))
    line = _line(session, recap, k.budi)
    assert line.lineage["inputs"]["absent_days"] == 0
    assert Decimal(line.lineage["inputs"]["points_target"]) == Decimal("2727.27")  # 6000×10/22
    assert recap.summary["kalender"] == {
        "hari_kerja": 22,
        "hari_kerja_berjalan": 10,
        "sampai": "2026-03-13",
        "lengkap": False,
    }


def test_recap_capaian_is_the_cumulative_capaian_of_rhk_utama(session, kominfo):
    k = kominfo
    _policy(session, k)
    for bulan in (1, 2, 3):
        add_realisasi(session, k.skp_budi, bulan, dokumen=1, persen=90)
    add_realisasi(session, k.skp_dewi, 1, dokumen=6, persen=100)
    session.commit()
    recap = rc.run_recap(session, TAHUN, 3, today=AFTER_MARCH)
    # Budi: documents 3 of 3 (pro-rated) = 100 %, quality 90 % → RHK mean 95 %.
    assert _line(session, recap, k.budi).capaian == Decimal("95.00")
    # Dewi: 6 documents against 3 → 200 %, quality 100 % → 150 %.
    assert _line(session, recap, k.dewi).capaian == Decimal("150.00")
    assert _line(session, recap, k.kadis).capaian is None


def test_employee_whose_kelas_is_missing_gets_zero_pagu_and_a_note(session, kominfo):
    k = kominfo
    _policy(session, k, pagu={"8": 4_500_000})
    recap = rc.run_recap(session, TAHUN, 3, today=AFTER_MARCH)
    line = _line(session, recap, k.kabid)
    assert line.pagu == 0 and line.diterima == 0
    assert "Kelas jabatan 11 tidak ada di kebijakan" in line.lineage["catatan"][0]
    assert recap.summary["bertanda"] >= 1


def test_recap_for_one_opd_only_contains_its_employees(session, kominfo):
    k = kominfo
    _policy(session, k)
    recap = rc.run_recap(session, TAHUN, 3, opd_id=k.dinas.id, today=AFTER_MARCH)
    ids = set(
        session.scalars(select(TppRecapLine.pegawai_id).where(TppRecapLine.recap_id == recap.id))
    )
    assert ids == {k.kadis.id, k.kabid.id, k.budi.id, k.dewi.id}
    everyone = rc.run_recap(session, TAHUN, 3, today=AFTER_MARCH)
    assert everyone.line_count == 5 and everyone.opd_id is None


def test_recap_uses_the_policy_version_in_force_for_the_month(session, kominfo):
    k = kominfo
    first = _policy(session, k)
    second = _policy(session, k, policy=PRESET_REVERSE, berlaku=date(TAHUN, 4, 1))
    assert (first.version, second.version) == (1, 2)
    march = rc.run_recap(session, TAHUN, 3, today=date(TAHUN, 5, 2))
    april = rc.run_recap(session, TAHUN, 4, today=date(TAHUN, 5, 2))
    assert march.policy_version_id == first.id and april.policy_version_id == second.id
    assert session.get(TppPolicyVersion, first.id).policy["produktivitas_pct"] == "60"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"opd_id": 999}, "OPD dengan id 999 tidak ditemukan"),
        ({"today": date(TAHUN, 2, 20)}, "Maret 2026 belum dimulai"),
    ],
)
def test_recap_refuses_bad_requests(session, kominfo, kwargs, message):
    _policy(session, kominfo)
    kwargs.setdefault("today", AFTER_MARCH)
    with pytest.raises(rc.RecapError, match=message):
        rc.run_recap(session, TAHUN, 3, **kwargs)


def test_recap_without_policy_is_refused_and_writes_nothing(session, kominfo):
    with pytest.raises(rc.RecapError, match="Belum ada kebijakan TPP"):
        rc.run_recap(session, TAHUN, 3, today=AFTER_MARCH)
    assert session.scalar(select(func.count()).select_from(TppRecapLine)) == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "wajib diisi"),
        ("2026/03", "gunakan format YYYY-MM"),
        ("2026-13", "bulan harus 01–12"),
        ("maret", "gunakan format YYYY-MM"),
        ("1999-01", "tahun harus 2000–2100"),
    ],
)
def test_parse_bulan_gives_precise_messages(text, message):
    with pytest.raises(rc.RecapValidationError, match=message):
        rc.parse_bulan(text)


def test_policy_versions_validate_and_never_change_in_place(session, kominfo):
    k = kominfo
    with pytest.raises(rc.RecapValidationError) as exc:
        rc.save_policy_version(
            session,
            k.instansi,
            policy_data={"produktivitas_pct": 70, "disiplin_pct": 40, "bonus": 1},
            pagu_per_kelas={"8": "empat juta", "20": 1},
            berlaku_mulai=None,
            actor=k.users.hr,
        )
    fields = exc.value.fields
    assert "Kunci kebijakan TPP tidak dikenal: bonus" in fields["policy"][0]
    assert "Pagu kelas 8 harus rupiah bulat" in fields["pagu-8"][0]
    assert "Kelas jabatan '20' tidak sah" in fields["pagu_per_kelas"][0]
    assert "berlaku_mulai" in fields
    row = rc.save_policy_version(
        session,
        k.instansi,
        policy_data={"produktivitas_pct": 70, "disiplin_pct": 30},
        pagu_per_kelas={"8": "4.500.000"},
        berlaku_mulai=date(TAHUN, 1, 1),
        actor=k.users.hr,
    )
    assert row.pagu_per_kelas == {"8": 4500000} and row.policy["produktivitas_pct"] == "70"


def test_recap_job_reports_progress_and_result(session, kominfo, monkeypatch):
    k = kominfo
    _policy(session, k)
    row = enqueue(
        "tpp_recap", {"tahun": TAHUN, "bulan": 3, "user_id": k.users.hr.id}, user=k.users.hr
    )
    job = session.get(Job, row.id)
    assert job.status == "done", job.error
    assert job.result["line_count"] == 5
    assert job.progress == job.total == 5 and job.message.startswith("Selesai")


def test_exports_are_formula_safe(session, kominfo):
    k = kominfo
    k.budi.nama = '=HYPERLINK("http://contoh.invalid","klik")'
    k.dewi.nama = "@SUM(A1:A2)"
    _policy(session, k)
    recap = rc.run_recap(session, TAHUN, 3, today=AFTER_MARCH)
    session.commit()

    content, mimetype, filename = rc.export_recap(session, recap, "csv")
    assert filename == "rekap-tpp-2026-03.csv" and mimetype.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][0] == "NIP"
    names = {r[1] for r in rows[1:]}
    assert '\'=HYPERLINK("http://contoh.invalid","klik")' in names and "'@SUM(A1:A2)" in names
    assert all(not r[1].startswith(("=", "+", "-", "@")) for r in rows[1:])
    assert {r[0] for r in rows[1:]} == {
        p.nip for p in (k.kadis, k.kabid, k.budi, k.dewi, k.outsider)
    }

    content, _, filename = rc.export_recap(session, recap, "xlsx")
    ws = load_workbook(io.BytesIO(content)).active
    cells = [c.value for row in ws.iter_rows(min_row=4) for c in row]
    assert "'@SUM(A1:A2)" in cells
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "@")) for v in cells)
    nips = [row[0].value for row in ws.iter_rows(min_row=4)]
    assert all(isinstance(n, str) and len(n) == 18 for n in nips)  # text, not a float

    with pytest.raises(rc.RecapValidationError, match="xlsx, csv atau json"):
        rc.export_recap(session, recap, "pdf")
