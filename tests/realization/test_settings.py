"""Instansi settings: parsing and validation (pure), the admin page, holidays in working days."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from skp_app.realization import operations as ops
from skp_app.realization import settings as st
from skp_app.realization.evaluation_queries import instansi_settings as eval_settings
from skp_app.realization.operations import is_past_deadline, working_days_after
from skp_app.realization.queries import instansi_settings as activity_settings
from tests.helpers import TEST_PASSWORD, csrf_token_from
from tests.realization.realisasi_fixtures import TAHUN, rworld_fixture  # noqa: F401

# SKB 3 Menteri 2026: Nyepi and the Idul Fitri 1447 H holidays and cuti bersama in March.
MARET_2026 = [
    {"date": "2026-03-18", "nama": "Cuti Bersama Hari Suci Nyepi"},
    {"date": "2026-03-19", "nama": "Hari Suci Nyepi (Tahun Baru Saka 1948)"},
    {"date": "2026-03-20", "nama": "Cuti Bersama Idul Fitri 1447 H"},
    {"date": "2026-03-21", "nama": "Hari Raya Idul Fitri 1447 H"},
    {"date": "2026-03-22", "nama": "Hari Raya Idul Fitri 1447 H"},
    {"date": "2026-03-23", "nama": "Cuti Bersama Idul Fitri 1447 H"},
    {"date": "2026-03-24", "nama": "Cuti Bersama Idul Fitri 1447 H"},
]


# --- parsing (pure) --------------------------------------------------------------------------


def test_empty_settings_give_the_product_defaults():
    s = st.parse_settings({})
    assert (s.curve_mode, s.keberatan_days, s.monthly_points_target, s.daily_points_target) == (
        "warn",
        14,
        6000,
        300,
    )
    assert (s.jam_masuk, s.jam_pulang, s.jam_pulang_jumat, s.friday_end) == (
        time(7, 30),
        time(16, 0),
        None,
        time(16, 0),
    )
    assert (s.activity_deadline_days, s.working_minutes_per_day) == (5, 450)
    assert (s.daily_effective_minutes, s.approval_overdue_days) == (300, 3)
    assert s.hari_libur == frozenset() and s.office_locations == ()
    assert dict(s.rollup_weights) == {"utama": 1, "tambahan": 1}
    assert st.parse_settings(None) == s


def test_holidays_are_read_from_plain_iso_strings_and_named_objects():
    s = st.parse_settings(
        {
            "hari_libur": [
                "2026-08-17",
                {"date": "2026-03-20", "nama": "Cuti Bersama Idul Fitri 1447 H"},
                {"tanggal": "2026-05-27", "nama": "Hari Raya Idul Adha 1447 H"},
            ]
        }
    )
    assert s.hari_libur == {date(2026, 8, 17), date(2026, 3, 20), date(2026, 5, 27)}
    assert [h.line() for h in s.libur] == [
        "2026-03-20 Cuti Bersama Idul Fitri 1447 H",
        "2026-05-27 Hari Raya Idul Adha 1447 H",
        "2026-08-17",
    ]
    assert s.libur[0].hari == "Jumat"
    assert st.holiday_dates(["2026-08-17", {"date": "2026-03-20"}, "bukan tanggal", 5]) == {
        date(2026, 8, 17),
        date(2026, 3, 20),
    }


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"curve_mode": "tegas"}, "curve_mode (Kurva distribusi predikat) harus warn atau block"),
        ({"keberatan_days": 0}, "keberatan_days (Batas waktu keberatan (hari)) harus antara 1"),
        ({"monthly_points_target": "enam ribu"}, "monthly_points_target"),
        ({"monthly_points_target": True}, "monthly_points_target"),
        ({"jam_masuk": "7.75"}, "jam_masuk (Jam masuk) harus berformat JJ:MM"),
        ({"jam_pulang_jumat": "25:00"}, "jam_pulang_jumat"),
        ({"hari_libur": ["2026-02-30"]}, "hari_libur (Hari libur nasional dan cuti bersama)"),
        ({"hari_libur": ["2026-03-20", {"date": "2026-03-20"}]}, "lebih dari sekali"),
        ({"hari_libur": "2026-03-20"}, "harus berupa daftar tanggal"),
        (
            {"office_locations": [{"nama": "Kantor Bupati", "lat": 120, "lon": 107.6}]},
            "kantor ke-1: lintang (lat) harus antara -90 dan 90",
        ),
        ({"office_locations": [{"lat": -6.9, "lon": 107.6}]}, "nama kantor wajib diisi"),
        ({"rollup_weights": {"utama": -1}}, "bobot utama harus antara 0 dan 1000"),
    ],
)
def test_invalid_stored_values_are_refused_naming_the_key(raw, message):
    with pytest.raises(st.SettingsError, match=r"^Pengaturan instansi ") as info:
        st.parse_settings(raw)
    assert message in str(info.value)


def test_lenient_reading_falls_back_to_the_default_of_each_bad_key_only():
    raw = {"keberatan_days": "x", "monthly_points_target": 10000, "demo": {"size": "tiny"}}
    s = st.parse_settings(raw, strict=False)
    assert (s.keberatan_days, s.monthly_points_target) == (14, 10000)
    effective = st.effective_settings(raw)
    assert effective["keberatan_days"] == 14 and effective["demo"] == {"size": "tiny"}
    assert effective["hari_libur"] == [] and effective["jam_pulang_jumat"] is None


def test_numbers_given_as_text_are_accepted():
    s = st.parse_settings({"keberatan_days": "30", "activity_deadline_days": 0})
    assert (s.keberatan_days, s.activity_deadline_days) == (30, 0)


def test_validate_settings_collects_every_problem_and_checks_the_working_hours():
    clean, errors = st.validate_settings(
        {
            "jam_masuk": "08:00",
            "jam_pulang": "07:30",
            "jam_pulang_jumat": "08:00",
            "keberatan_days": 400,
            "curve_mode": "warn",
        }
    )
    assert clean == {}
    assert set(errors) == {"jam_pulang", "jam_pulang_jumat", "keberatan_days"}
    assert errors["jam_pulang"] == [
        "Pengaturan instansi jam_pulang (Jam pulang) harus setelah jam masuk 08:00."
    ]
    assert "harus antara 1 dan 365 (diberikan 400)" in errors["keberatan_days"][0]


def test_validate_settings_returns_the_stored_json_form():
    clean, errors = st.validate_settings(
        {
            "jam_masuk": "7.30",
            "jam_pulang_jumat": "",
            "hari_libur": [{"date": "2026-03-20", "nama": "Cuti Bersama Idul Fitri 1447 H"}],
            "office_locations": [
                {"nama": "Kantor Bupati", "lat": "-6,9175", "lon": 107.6191, "radius_m": "150"}
            ],
            "rollup_weights": {"utama": "2", "tambahan": 0.5},
        }
    )
    assert errors == {}
    assert clean["jam_masuk"] == "07:30" and clean["jam_pulang_jumat"] is None
    assert clean["hari_libur"] == [{"date": "2026-03-20", "nama": "Cuti Bersama Idul Fitri 1447 H"}]
    assert clean["office_locations"] == [
        {"nama": "Kantor Bupati", "lat": -6.9175, "lon": 107.6191, "radius_m": 150}
    ]
    assert clean["rollup_weights"] == {"utama": 2, "tambahan": 0.5}
    assert set(clean) == {s.key for s in st.SETTINGS}


def test_pasted_holiday_lines_accept_iso_local_and_written_dates():
    text = """# SKB 3 Menteri 2026
2026-03-20 Cuti Bersama Idul Fitri 1447 H
23/03/2026\tCuti Bersama Idul Fitri 1447 H
Rabu, 27 Mei 2026 Hari Raya Idul Adha 1447 H

31 Mei 2026: Hari Raya Waisak 2570 BE
2026-06-16
"""
    days, problems = st.parse_holiday_lines(text)
    assert problems == []
    assert [d.line() for d in days] == [
        "2026-03-20 Cuti Bersama Idul Fitri 1447 H",
        "2026-03-23 Cuti Bersama Idul Fitri 1447 H",
        "2026-05-27 Hari Raya Idul Adha 1447 H",
        "2026-05-31 Hari Raya Waisak 2570 BE",
        "2026-06-16",
    ]


def test_pasted_holiday_lines_report_each_bad_line_with_its_number():
    days, problems = st.parse_holiday_lines(
        "2026-03-20 Cuti Bersama\nlibur lebaran\n2026-02-29 Tidak ada\n20-03-2026 Lagi\n"
    )
    assert [d.line() for d in days] == ["2026-03-20 Cuti Bersama"]
    assert problems == [
        "Baris 2 (libur lebaran): tanggal tidak dikenali; tulis seperti 2026-03-20 Hari Raya "
        "Idul Fitri 1447 H.",
        "Baris 3 (2026-02-29 Tidak ada): tanggal 2026-02-29 tidak ada di kalender.",
        "Baris 4 (20-03-2026 Lagi): tanggal 2026-03-20 sudah ada di baris 1.",
    ]


def test_holidays_are_grouped_per_year_newest_first():
    holidays = st.parse_holidays(["2027-01-01", "2026-12-25", "2026-01-01"])
    grouped = st.holidays_by_year(holidays)
    assert [(y, [h.tanggal.month for h in items]) for y, items in grouped] == [
        (2027, [1]),
        (2026, [1, 12]),
    ]


# --- holidays in the working-day counts ------------------------------------------------------


def test_working_days_skip_the_idul_fitri_holidays():
    holidays = st.holiday_dates(MARET_2026)
    # Tuesday 17 March → Wednesday 25 March 2026: six weekdays, five of them days off.
    assert working_days_after(date(2026, 3, 17), date(2026, 3, 25)) == 6
    assert working_days_after(date(2026, 3, 17), date(2026, 3, 25), holidays) == 1
    assert is_past_deadline(date(2026, 3, 17), date(2026, 3, 25), 5) is True
    assert is_past_deadline(date(2026, 3, 17), date(2026, 3, 25), 5, holidays) is False


def test_the_readers_share_one_parser(session, instansi):
    instansi.settings = {
        "hari_libur": ["2026-08-17", *MARET_2026],
        "keberatan_days": "tiga puluh",
        "activity_deadline_days": 3,
    }
    session.flush()
    with pytest.raises(st.SettingsError, match="keberatan_days"):
        eval_settings(instansi)  # a deadline the evaluation needs: no silent fallback
    instansi.settings = {**instansi.settings, "keberatan_days": 30, "office_locations": "x"}
    session.flush()
    strict = eval_settings(instansi)  # an unusable office list does not stop an evaluation
    assert strict.keberatan_days == 30 and date(2026, 3, 20) in strict.hari_libur
    assert strict.office_locations == ()
    as_dict = activity_settings(session)
    assert as_dict["activity_deadline_days"] == 3 and as_dict["office_locations"] == []
    assert as_dict["hari_libur"][0] == MARET_2026[0]
    assert as_dict["hari_libur"][-1] == {"date": "2026-08-17", "nama": ""}


def test_strictness_can_be_chosen_per_key():
    raw = {"keberatan_days": 0, "approval_overdue_days": 0}
    with pytest.raises(st.SettingsError, match="approval_overdue_days"):
        st.parse_settings(raw, strict={"approval_overdue_days"})
    assert st.parse_settings(raw, strict={"curve_mode"}).keberatan_days == 14
    assert st.STRICT_KEYS <= {s.key for s in st.SETTINGS}


def test_named_holidays_reach_the_tpp_calendar_and_the_dashboards(session, instansi):
    from skp_app.dashboard.queries import dashboard_settings
    from skp_app.realization.tpp_recap import month_calendar

    instansi.settings = {"hari_libur": MARET_2026}
    session.commit()
    cal = month_calendar(2026, 3, eval_settings(instansi), today=date(2026, 4, 30))
    assert len(cal.working_days) == 22 - 5  # 18, 19, 20, 23 and 24 March are weekdays off
    assert date(2026, 3, 20) not in cal.working_days
    assert st.holiday_dates(MARET_2026) <= dashboard_settings(session).holidays


def _tuesday_in_march() -> date:
    d = date(TAHUN, 3, 10)
    while d.weekday() != 1:
        d += timedelta(days=1)
    return d


def test_the_activity_deadline_does_not_count_holidays(rworld, session, instansi):
    tuesday = _tuesday_in_march()
    next_wednesday = tuesday + timedelta(days=8)
    cuti = [tuesday + timedelta(days=n) for n in (1, 2, 3, 6, 7)]  # Wed–Fri, Mon–Tue
    instansi.settings = {"activity_deadline_days": 5}
    session.flush()
    with pytest.raises(ops.RealizationStateError, match="batas pelaporan 5 hari kerja"):
        _submit_on(session, rworld, tuesday, today=next_wednesday)
    instansi.settings = {
        "activity_deadline_days": 5,
        "hari_libur": [{"date": d.isoformat(), "nama": "Cuti Bersama Idul Fitri"} for d in cuti],
    }
    session.flush()
    assert _submit_on(session, rworld, tuesday, today=next_wednesday).id


def _submit_on(session, w, tanggal: date, *, today: date):
    return ops.submit_activity(
        session,
        w.p["staf"],
        tanggal=tanggal,
        jam_mulai=time(8, 0),
        jam_selesai=time(9, 0),
        uraian="Menyusun laporan layanan aplikasi",
        rhk_id=w.rhk["staf"].id,
        actor=w.users["staf"],
        today=today,
    )


# --- the page --------------------------------------------------------------------------------

URL = "/pengaturan/instansi"


@pytest.fixture
def people(make_user, make_unit):
    opd = make_unit("Dinas Komunikasi dan Informatika")
    return {
        "admin": make_user("admin", roles=[("admin", None)]),
        "hr": make_user("bkpsdm", roles=[("hr", None)]),
        "operator": make_user("operator", roles=[("opd_operator", opd.id)]),
        "pimpinan": make_user("sekda", roles=[("pimpinan", None)]),
        "evaluator": make_user("inspektorat", roles=[("evaluator", None)]),
    }


def _form(**overrides) -> dict:
    data = {
        "jam_masuk": "07:30",
        "jam_pulang": "16:00",
        "jam_pulang_jumat": "16:30",
        "working_minutes_per_day": "450",
        "daily_effective_minutes": "300",
        "daily_points_target": "300",
        "monthly_points_target": "6000",
        "activity_deadline_days": "5",
        "approval_overdue_days": "3",
        "keberatan_days": "14",
        "curve_mode": "warn",
        "bobot_utama": "1",
        "bobot_tambahan": "1",
        "kantor-0-nama": "Kantor Bupati Sukamaju",
        "kantor-0-lat": "-6,9175",
        "kantor-0-lon": "107.6191",
        "kantor-0-radius_m": "150",
        "kantor-1-nama": "",
        "kantor-1-lat": "",
        "kantor-1-lon": "",
        "kantor-1-radius_m": "",
        "libur_baru": "",
    }
    data.update(overrides)
    return data


def test_can_view_and_edit_predicates(people):
    from skp_app.realization.settings_views import (
        can_edit_instansi_settings,
        can_view_instansi_settings,
    )

    assert {k for k, u in people.items() if can_view_instansi_settings(u)} == {"admin", "hr"}
    assert {k for k, u in people.items() if can_edit_instansi_settings(u)} == {"admin"}
    assert not can_view_instansi_settings(None)


@pytest.mark.parametrize(
    ("who", "get_status", "post_status"),
    [
        ("admin", 200, 303),
        ("hr", 200, 403),
        ("operator", 403, 403),
        ("pimpinan", 403, 403),
        ("evaluator", 403, 403),
    ],
)
def test_settings_page_matrix(
    client, login, session, instansi, people, who, get_status, post_status
):
    session.commit()
    login(people[who])
    page = client.get(URL)
    assert page.status_code == get_status
    if get_status == 200:
        html = page.get_data(as_text=True)
        assert "Pengaturan instansi" in html
        assert ("Simpan pengaturan" in html) is (who == "admin")
    resp = client.post(URL, data=_form(keberatan_days="30"))
    assert resp.status_code == post_status
    stored = session.get(type(instansi), instansi.id).settings or {}
    assert stored.get("keberatan_days") == (30 if who == "admin" else None)


def test_anonymous_visitor_is_sent_to_login(client, instansi, session):
    session.commit()
    resp = client.get(URL)
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def _csrf_login(client, user) -> None:
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    resp = client.post(
        "/login", data={"login": user.username, "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert resp.status_code == 302


def test_admin_saves_settings_with_csrf_and_the_change_is_audited(
    csrf_app, client, session, instansi, people
):
    from skp_app.audit.models import AuditEvent

    instansi.settings = {"hari_libur": ["2026-08-17"], "demo": {"size": "tiny"}}
    session.commit()
    _csrf_login(client, people["admin"])
    html = client.get(URL).get_data(as_text=True)
    assert "2026-08-17" in html
    token = csrf_token_from(html)
    refused = client.post(URL, data=_form(keberatan_days="30"))
    assert refused.status_code == 400
    assert "keberatan_days" not in session.get(type(instansi), instansi.id).settings
    pasted = (
        "2026-03-20 Cuti Bersama Idul Fitri 1447 H\n"
        "Sabtu, 21 Maret 2026 Hari Raya Idul Fitri 1447 H\n"
        "2026-08-17 Proklamasi Kemerdekaan\n"
    )
    resp = client.post(
        URL,
        data=_form(csrf_token=token, keberatan_days="30", curve_mode="block", libur_baru=pasted),
    )
    assert resp.status_code == 303
    stored = session.get(type(instansi), instansi.id).settings
    assert stored["keberatan_days"] == 30 and stored["curve_mode"] == "block"
    assert stored["demo"] == {"size": "tiny"}
    assert stored["hari_libur"] == [
        {"date": "2026-03-20", "nama": "Cuti Bersama Idul Fitri 1447 H"},
        {"date": "2026-03-21", "nama": "Hari Raya Idul Fitri 1447 H"},
        {"date": "2026-08-17", "nama": "Proklamasi Kemerdekaan"},
    ]
    assert stored["office_locations"] == [
        {"nama": "Kantor Bupati Sukamaju", "lat": -6.9175, "lon": 107.6191, "radius_m": 150}
    ]
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "instansi.settings")
    ).one()
    assert event.before["keberatan_days"] == 14 and event.after["keberatan_days"] == 30
    assert event.before["hari_libur"] == [{"date": "2026-08-17", "nama": ""}]
    assert "jam_masuk" not in event.after  # unchanged keys are not in the event
    page = client.get(URL).get_data(as_text=True)
    assert "Cuti Bersama Idul Fitri 1447 H" in page and "Pengaturan instansi disimpan" in page


def test_ticked_holidays_are_removed(client, login, session, instansi, people):
    instansi.settings = {"hari_libur": ["2026-03-19", "2026-03-20", "2026-08-17"]}
    session.commit()
    login(people["admin"])
    data = _form()
    data["hapus_libur"] = ["2026-03-19", "2026-08-17"]
    assert client.post(URL, data=data).status_code == 303
    stored = session.get(type(instansi), instansi.id).settings
    assert stored["hari_libur"] == [{"date": "2026-03-20", "nama": ""}]


def test_an_office_row_cleared_except_its_radius_is_removed(
    client, login, session, instansi, people
):
    login(people["admin"])
    data = _form(**{"kantor-0-nama": "", "kantor-0-lat": "", "kantor-0-lon": ""})
    assert client.post(URL, data=data).status_code == 303
    assert session.get(type(instansi), instansi.id).settings["office_locations"] == []


@pytest.mark.parametrize(
    ("overrides", "messages"),
    [
        (
            {"jam_masuk": "08:00", "jam_pulang": "07:30"},
            ["Pengaturan instansi jam_pulang (Jam pulang) harus setelah jam masuk 08:00."],
        ),
        (
            {"monthly_points_target": "enam ribu"},
            ["Pengaturan instansi monthly_points_target (Target poin per bulan) harus bilangan"],
        ),
        (
            {"libur_baru": "2026-03-20 Cuti Bersama\nlebaran hari kedua\n2026-02-30 Salah"},
            [
                "Baris 2 (lebaran hari kedua): tanggal tidak dikenali",
                "Baris 3 (2026-02-30 Salah): tanggal 2026-02-30 tidak ada di kalender.",
            ],
        ),
        (
            {"kantor-1-nama": "Mal Pelayanan Publik", "kantor-1-lat": "utara"},
            ["kantor ke-2: lintang (lat) harus angka"],
        ),
        ({"bobot_tambahan": "-1"}, ["bobot tambahan harus antara 0 dan 1000"]),
        ({"curve_mode": "keras"}, ["curve_mode (Kurva distribusi predikat) harus warn atau block"]),
    ],
)
def test_bad_input_shows_indonesian_errors_and_changes_nothing(
    client, login, session, instansi, people, overrides, messages
):
    from skp_app.audit.models import AuditEvent

    instansi.settings = {"keberatan_days": 21, "hari_libur": ["2026-08-17"]}
    session.commit()
    login(people["admin"])
    resp = client.post(URL, data=_form(keberatan_days="30", **overrides))
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "Pengaturan belum disimpan; tidak ada yang berubah." in html
    for message in messages:
        assert message in html.replace("&#39;", "'")
    assert session.get(type(instansi), instansi.id).settings == {
        "keberatan_days": 21,
        "hari_libur": ["2026-08-17"],
    }
    assert session.scalar(select(func.count()).where(AuditEvent.action == "instansi.settings")) == 0


def test_saving_unchanged_settings_writes_no_audit_event(client, login, session, instansi, people):
    from skp_app.audit.models import AuditEvent

    login(people["admin"])
    assert client.post(URL, data=_form()).status_code == 303
    assert session.scalar(select(func.count()).where(AuditEvent.action == "instansi.settings")) == 1
    assert client.post(URL, data=_form()).status_code == 303
    assert session.scalar(select(func.count()).where(AuditEvent.action == "instansi.settings")) == 1
    html = client.get(URL).get_data(as_text=True)
    assert "Tidak ada pengaturan yang berubah." in html


def test_page_warns_when_the_coming_year_has_no_holidays(client, login, session, instansi, people):
    from skp_app.realization.operations import today_wib

    year = today_wib().year
    instansi.settings = {"hari_libur": [f"{year}-08-17"]}
    session.commit()
    login(people["hr"])
    html = client.get(URL).get_data(as_text=True)
    assert f"Belum ada hari libur untuk tahun {year + 1}." in html
    assert f"Belum ada hari libur untuk tahun {year}." not in html
    assert "Anda melihatnya sebagai pembaca" in html and 'name="libur_baru"' not in html


def test_node_weights_stored_elsewhere_survive_a_save(client, login, session, instansi, people):
    instansi.settings = {"rollup_weights": {"utama": 1, "tambahan": 1, "rhk:12": 3}}
    session.commit()
    login(people["admin"])
    assert client.post(URL, data=_form(bobot_utama="2")).status_code == 303
    stored = session.get(type(instansi), instansi.id).settings
    assert stored["rollup_weights"] == {"utama": 2, "tambahan": 1, "rhk:12": 3}


def test_the_form_shows_office_coordinates_in_full(client, login, session, instansi, people):
    office = {"nama": "Kompleks Perkantoran", "lat": -7.041234, "lon": 108.2183456, "radius_m": 250}
    instansi.settings = {"office_locations": [office]}
    session.commit()
    login(people["admin"])
    html = client.get(URL).get_data(as_text=True)
    assert 'value="-7.041234"' in html and 'value="108.2183456"' in html


def test_the_docstring_examples_of_the_settings_module_hold():
    import doctest

    result = doctest.testmod(st, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted >= 10
