"""The hukuman disiplin register: operations and their messages, the month rule, the recap's
cut with its SK in the lineage, permissions (pure and route × role), the JSON API and a
workflow with CSRF on."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from skp_app.audit.models import AuditEvent
from skp_app.auth.models import RoleAssignment
from skp_app.realization import hukdis as hk
from skp_app.realization import tpp_recap as rc
from skp_app.realization.hukdis_permissions import (
    can_manage_hukdis,
    can_open_hukdis_register,
    hukdis_opd_scope,
)
from skp_app.realization.models import HukumanDisiplin, TppRecapLine
from skp_app.realization.tpp import PRESET_DEFAULT, compute_tpp
from tests.helpers import TEST_PASSWORD, csrf_token_from
from tests.realization import evaluasi_fixtures
from tests.realization.evaluasi_fixtures import TAHUN

kominfo = evaluasi_fixtures.kominfo
TODAY = date(TAHUN, 11, 26)
PAGU = {"8": 4_500_000, "11": 7_000_000, "14": 12_000_000}


def _data(**overrides) -> dict:
    data = {
        "jenis": "teguran_lisan",
        "nomor_sk": "800/112/BKPSDM/2026",
        "tanggal_sk": "2026-09-28",
        "tmt_mulai": "2026-10-01",
        "tmt_selesai": "2026-10-31",
        "keterangan": "Tidak masuk kerja 3 hari tanpa keterangan (PP 94/2021 Pasal 4).",
    }
    data.update(overrides)
    return data


def _create(session, k, pegawai=None, **overrides) -> HukumanDisiplin:
    row = hk.create_hukdis(
        session, pegawai or k.budi, _data(**overrides), actor=k.users.hr, today=TODAY
    )
    session.commit()
    return row


def _policy(session, k, policy=PRESET_DEFAULT, berlaku=date(TAHUN, 1, 1)):
    row = rc.save_policy_version(
        session,
        k.instansi,
        policy_data=policy.to_dict() if not isinstance(policy, dict) else policy,
        pagu_per_kelas=PAGU,
        berlaku_mulai=berlaku,
        actor=k.users.hr,
    )
    session.commit()
    return row


def _line(session, recap, pegawai) -> TppRecapLine:
    return session.scalar(
        select(TppRecapLine).where(
            TppRecapLine.recap_id == recap.id, TppRecapLine.pegawai_id == pegawai.id
        )
    )


# --- operations ------------------------------------------------------------------------------


def test_create_records_the_sk_and_an_audit_event(session, kominfo):
    k = kominfo
    row = _create(session, k)
    assert (row.pegawai_id, row.jenis, row.nomor_sk) == (
        k.budi.id,
        "teguran_lisan",
        "800/112/BKPSDM/2026",
    )
    assert (row.tanggal_sk, row.tmt_mulai, row.tmt_selesai) == (
        date(2026, 9, 28),
        date(2026, 10, 1),
        date(2026, 10, 31),
    )
    assert row.is_annulled is False and row.created_by_user_id == k.users.hr.id
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "hukdis.create"))
    assert event.object_id == str(row.id) and event.actor_user_id == k.users.hr.id
    assert event.after["nomor_sk"] == "800/112/BKPSDM/2026"
    assert "Teguran lisan, SK 800/112/BKPSDM/2026 tanggal 28-09-2026" in event.summary


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"jenis": ""}, "jenis", "Jenis hukuman disiplin wajib dipilih."),
        (
            {"jenis": "penurunan_pangkat"},
            "jenis",
            "Jenis hukuman disiplin 'penurunan_pangkat' tidak ada di kebijakan TPP (tersedia: "
            "teguran_lisan, pemberhentian).",
        ),
        ({"nomor_sk": "  "}, "nomor_sk", "Nomor SK wajib diisi."),
        ({"nomor_sk": "8" * 101}, "nomor_sk", "Nomor SK paling panjang 100 karakter (101)."),
        ({"tanggal_sk": ""}, "tanggal_sk", "Tanggal SK wajib diisi (format YYYY-MM-DD)."),
        (
            {"tanggal_sk": "28/09/2026"},
            "tanggal_sk",
            "Tanggal SK '28/09/2026' tidak sah: gunakan tanggal dengan format YYYY-MM-DD, "
            "misalnya 2026-10-01.",
        ),
        (
            {"tanggal_sk": "2026-02-30"},
            "tanggal_sk",
            "Tanggal SK '2026-02-30' tidak sah",
        ),
        (
            {"tanggal_sk": "2026-12-01", "tmt_mulai": "2026-12-01", "tmt_selesai": ""},
            "tanggal_sk",
            "Tanggal SK (01-12-2026) tidak boleh setelah hari ini (26-11-2026).",
        ),
        (
            {"tmt_mulai": "2026-09-01"},
            "tmt_mulai",
            "TMT mulai (01-09-2026) tidak boleh sebelum tanggal SK (28-09-2026)",
        ),
        (
            {"tmt_selesai": "2026-09-30"},
            "tmt_selesai",
            "TMT selesai (30-09-2026) tidak boleh sebelum TMT mulai (01-10-2026).",
        ),
        ({"keterangan": "x" * 2001}, "keterangan", "Keterangan paling panjang 2000 karakter."),
    ],
)
def test_create_refuses_bad_input_with_precise_messages_and_writes_nothing(
    session, kominfo, overrides, field, message
):
    k = kominfo
    with pytest.raises(hk.HukdisValidationError) as exc:
        hk.create_hukdis(session, k.budi, _data(**overrides), actor=k.users.hr, today=TODAY)
    assert any(m.startswith(message) for m in exc.value.fields[field]), exc.value.fields
    session.rollback()
    assert session.scalar(select(func.count()).select_from(HukumanDisiplin)) == 0
    assert not session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "hukuman_disiplin")
    ).all()


def test_every_bad_field_is_reported_at_once(session, kominfo):
    with pytest.raises(hk.HukdisValidationError) as exc:
        hk.create_hukdis(session, kominfo.budi, {}, actor=None, today=TODAY)
    assert set(exc.value.fields) == {"jenis", "nomor_sk", "tanggal_sk", "tmt_mulai"}


def test_same_sk_twice_for_one_employee_is_refused_unless_the_first_is_annulled(session, kominfo):
    k = kominfo
    first = _create(session, k)
    with pytest.raises(hk.HukdisValidationError, match="sudah tercatat untuk pegawai ini"):
        _create(session, k, nomor_sk="800/112/bkpsdm/2026 ")
    session.rollback()
    _create(session, k, pegawai=k.dewi)  # the same SK may name several employees
    hk.annul_hukdis(session, first, "Salah pegawai.", actor=k.users.hr)
    session.commit()
    again = _create(session, k)
    assert again.id != first.id


def test_update_corrects_fields_and_audits_before_and_after(session, kominfo):
    k = kominfo
    row = _create(session, k)
    hk.update_hukdis(
        session,
        row,
        _data(tmt_selesai="2026-11-30", nomor_sk="800/113/BKPSDM/2026"),
        actor=k.users.admin,
        today=TODAY,
    )
    session.commit()
    assert row.tmt_selesai == date(2026, 11, 30) and row.nomor_sk == "800/113/BKPSDM/2026"
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "hukdis.update"))
    assert (
        event.before["tmt_selesai"] == "2026-10-31" and event.after["tmt_selesai"] == "2026-11-30"
    )
    assert "nomor_sk, tmt_selesai" in event.summary
    same = _data(tmt_selesai="2026-11-30", nomor_sk="800/113/BKPSDM/2026")
    hk.update_hukdis(session, row, same, actor=k.users.admin, today=TODAY)
    session.commit()
    updates = (
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "hukdis.update")
    )
    assert session.scalar(updates) == 1  # no change, no event


def test_annul_needs_a_reason_locks_the_record_and_is_not_repeated(session, kominfo):
    k = kominfo
    row = _create(session, k)
    with pytest.raises(hk.HukdisValidationError, match="Alasan pembatalan wajib diisi."):
        hk.annul_hukdis(session, row, "   ", actor=k.users.hr)
    hk.annul_hukdis(session, row, "SK dicabut dengan SK 800/140/BKPSDM/2026.", actor=k.users.hr)
    session.commit()
    assert row.is_annulled and row.annulled_by_user_id == k.users.hr.id
    assert row.annul_reason == "SK dicabut dengan SK 800/140/BKPSDM/2026."
    with pytest.raises(hk.HukdisError, match=f"#{row.id} sudah dibatalkan pada"):
        hk.annul_hukdis(session, row, "Lagi.", actor=k.users.hr)
    with pytest.raises(hk.HukdisError, match="sudah dibatalkan tidak dapat diubah"):
        hk.update_hukdis(session, row, _data(), actor=k.users.hr, today=TODAY)
    assert session.get(HukumanDisiplin, row.id) is not None  # never deleted


def test_kinds_come_from_the_newest_policy_or_the_defaults(session, kominfo):
    k = kominfo
    assert {kd.key: kd.percent for kd in hk.hukdis_kinds(session).values()} == {
        "teguran_lisan": Decimal(20),
        "pemberhentian": Decimal(100),
    }
    policy = PRESET_DEFAULT.to_dict() | {
        "hukdis_cuts": {"teguran_tertulis": "25", "pemotongan_tukin_6_bulan": "25"}
    }
    _policy(session, k, policy=policy)
    kinds = hk.hukdis_kinds(session)
    assert list(kinds) == ["teguran_tertulis", "pemotongan_tukin_6_bulan"]
    assert kinds["pemotongan_tukin_6_bulan"].label == (
        "Pemotongan tunjangan kinerja 25% selama 6 bulan"
    )
    with pytest.raises(hk.HukdisValidationError, match="tidak ada di kebijakan TPP"):
        _create(session, k)  # teguran_lisan is no longer a kind of the policy


# --- the month rule --------------------------------------------------------------------------


def test_a_sentence_cuts_the_months_whose_first_day_it_covers(session, kominfo):
    k = kominfo
    mid = _create(
        session, k, tanggal_sk="2026-10-10", tmt_mulai="2026-10-15", tmt_selesai="2026-11-14"
    )
    open_ended = _create(
        session,
        k,
        pegawai=k.dewi,
        jenis="pemberhentian",
        nomor_sk="800/150/BKPSDM/2026",
        tmt_selesai="",
    )
    annulled = _create(session, k, pegawai=k.kabid, nomor_sk="800/151/BKPSDM/2026")
    hk.annul_hukdis(session, annulled, "Keliru.", actor=k.users.hr)
    session.commit()

    def active(bulan, **kw):
        rows = hk.active_hukdis(session, TAHUN, bulan, **kw)
        return {pid: [r.id for r in found] for pid, found in rows.items()}

    assert active(9) == {}
    assert active(10) == {k.dewi.id: [open_ended.id]}
    assert active(11) == {k.budi.id: [mid.id], k.dewi.id: [open_ended.id]}
    assert active(12) == {k.dewi.id: [open_ended.id]}
    assert active(11, opd_id=k.other_opd.id) == {}
    assert active(11, pegawai_ids=[k.budi.id]) == {k.budi.id: [mid.id]}


def test_register_list_filters_by_opd_month_kind_and_status(session, kominfo):
    k = kominfo
    a = _create(session, k)
    b = _create(session, k, pegawai=k.outsider, jenis="pemberhentian", tmt_selesai="")
    c = _create(session, k, pegawai=k.dewi, nomor_sk="800/160/BKPSDM/2026")
    hk.annul_hukdis(session, c, "Keliru.", actor=k.users.hr)
    session.commit()

    def ids(**kw):
        return [r.hukdis.id for r in hk.list_hukdis(session, **kw).items]

    assert sorted(ids()) == sorted([a.id, b.id])
    assert sorted(ids(include_annulled=True)) == sorted([a.id, b.id, c.id])
    assert ids(opd_id=k.other_opd.id) == [b.id]
    assert ids(opd_ids={k.dinas.id}) == [a.id]
    assert ids(jenis="pemberhentian") == [b.id]
    assert sorted(ids(bulan=(TAHUN, 10))) == sorted([a.id, b.id])
    assert ids(bulan=(TAHUN, 11)) == [b.id]
    assert ids(q="budi") == [a.id] and ids(q=k.outsider.nip) == [b.id]
    page = hk.list_hukdis(session, opd_ids={k.dinas.id})
    assert page.items[0].opd == "Dinas Komunikasi dan Informatika"
    assert page.items[0].label == "Teguran lisan"


# --- the recap -------------------------------------------------------------------------------


def test_recap_cuts_the_pagu_and_names_the_sk_in_the_line(session, kominfo):
    k = kominfo
    _policy(session, k)
    row = _create(session, k)
    recap = rc.run_recap(session, TAHUN, 10, actor=k.users.hr, today=TODAY)
    session.commit()
    line = _line(session, recap, k.budi)
    expected = compute_tpp(
        PRESET_DEFAULT,
        pagu=4_500_000,
        points=0,
        points_target=6000,
        absent_days=22,
        hukdis_kind="teguran_lisan",
        hukdis_reference="SK 800/112/BKPSDM/2026 tanggal 28-09-2026",
    )
    assert (line.potongan, line.diterima) == (expected.total_deductions, expected.received)
    hukdis_cut = next(p for p in line.lineage["potongan"] if p["kode"] == "HUKDIS")
    # 20% × 4,500,000 = 900,000, but no more than what is left after 22 absent days (88%).
    assert hukdis_cut["jumlah"] == "216000"
    assert "teguran_lisan; SK 800/112/BKPSDM/2026 tanggal 28-09-2026" in hukdis_cut["uraian"]
    assert line.lineage["steps"][3].endswith("(SK 800/112/BKPSDM/2026 tanggal 28-09-2026)")
    assert line.lineage["hukuman_disiplin"] == {
        "id": row.id,
        "jenis": "teguran_lisan",
        "label": "Teguran lisan",
        "nomor_sk": "800/112/BKPSDM/2026",
        "tanggal_sk": "2026-09-28",
        "tmt_mulai": "2026-10-01",
        "tmt_selesai": "2026-10-31",
        "persen": "20",
        "uraian": "Teguran lisan, SK 800/112/BKPSDM/2026 tanggal 28-09-2026, TMT 01-10-2026 "
        "s.d. 31-10-2026",
        "lainnya": [],
    }
    dewi = _line(session, recap, k.dewi)
    assert "hukuman_disiplin" not in dewi.lineage
    assert not any(p["kode"] == "HUKDIS" for p in dewi.lineage["potongan"])
    assert recap.summary["hukuman_disiplin"] == 1
    assert "01-10-2026" in recap.summary["sumber"]["hukuman_disiplin"]
    november = rc.run_recap(session, TAHUN, 11, today=TODAY)
    assert "hukuman_disiplin" not in _line(session, november, k.budi).lineage
    content, _, _ = rc.export_recap(session, recap, "csv")
    assert "Teguran lisan, SK 800/112/BKPSDM/2026" in content.decode("utf-8-sig")


def test_recap_applies_the_largest_cut_and_notes_the_others(session, kominfo):
    k = kominfo
    _policy(session, k)
    small = _create(session, k)
    big = _create(session, k, jenis="pemberhentian", nomor_sk="800/170/BKPSDM/2026", tmt_selesai="")
    recap = rc.run_recap(session, TAHUN, 10, today=TODAY)
    line = _line(session, recap, k.budi)
    hd = line.lineage["hukuman_disiplin"]
    assert hd["id"] == big.id and [o["id"] for o in hd["lainnya"]] == [small.id]
    assert line.diterima == 0  # 100% of the pagu, capped at what is left
    assert any("yang dipotong hanya yang terbesar" in n for n in line.lineage["catatan"])


def test_recap_does_not_apply_a_kind_the_policy_in_force_does_not_know(session, kominfo):
    k = kominfo
    _create(session, k)  # teguran_lisan under the default kinds
    _policy(session, k, policy=PRESET_DEFAULT.to_dict() | {"hukdis_cuts": {"pemberhentian": 100}})
    recap = rc.run_recap(session, TAHUN, 10, today=TODAY)
    line = _line(session, recap, k.budi)
    assert "hukuman_disiplin" not in line.lineage
    assert not any(p["kode"] == "HUKDIS" for p in line.lineage["potongan"])
    assert any(
        "jenis 'teguran_lisan' tidak ada di kebijakan TPP versi 1, tidak dipotong" in n
        for n in line.lineage["catatan"]
    )


def test_recap_line_page_shows_the_sentence(client, login, session, kominfo):
    k = kominfo
    _policy(session, k)
    row = _create(session, k)
    recap = rc.run_recap(session, TAHUN, 10, actor=k.users.hr, today=TODAY)
    session.commit()
    login(k.users.hr)
    html = client.get(f"/tpp/rekap/{recap.id}?q=Budi").get_data(as_text=True)
    assert "Teguran lisan, SK 800/112/BKPSDM/2026 tanggal 28-09-2026" in html
    assert f"/hukuman-disiplin/{row.id}/ubah" in html
    assert "pegawai dipotong hukuman disiplin" in html


def test_recap_page_warns_when_the_register_changed_after_the_recap(
    client, login, session, kominfo
):
    k = kominfo
    _policy(session, k)
    recap = rc.run_recap(session, TAHUN, 10, actor=k.users.hr, today=TODAY)
    session.commit()
    login(k.users.hr)
    warning = "Register hukuman disiplin berubah setelah rekap ini dihitung"
    assert warning not in client.get(f"/tpp/rekap/{recap.id}").get_data(as_text=True)

    october = _create(session, k)  # recorded after the recap, in force on 1 October
    _create(session, k, nomor_sk="800/140/BKPSDM/2026", tmt_mulai="2026-11-01", tmt_selesai="")
    html = client.get(f"/tpp/rekap/{recap.id}").get_data(as_text=True)
    assert warning in html
    assert "Teguran lisan, SK 800/112/BKPSDM/2026" in html
    assert "800/140/BKPSDM/2026" not in html  # November on: not this month's cut
    assert hk.changed_since(session, TAHUN, 10, recap.created_at) == [
        f"{k.budi.nama_lengkap}: {hk.describe(october)}"
    ]

    rerun = rc.run_recap(session, TAHUN, 10, actor=k.users.hr, today=TODAY)
    session.commit()
    assert warning not in client.get(f"/tpp/rekap/{rerun.id}").get_data(as_text=True)
    hk.annul_hukdis(session, october, "SK dicabut oleh PPK", actor=k.users.hr)
    session.commit()
    assert hk.changed_since(session, TAHUN, 10, rerun.created_at) == [
        f"{k.budi.nama_lengkap}: {hk.describe(october)} (dibatalkan)"
    ]


# --- permissions -----------------------------------------------------------------------------


def _hr_of(session, make_user, opd):
    """An HR account whose role row is limited to one OPD (HR is regency-wide by default)."""
    user = make_user(f"hr_opd{opd.id}")
    session.add(RoleAssignment(user_id=user.id, role="hr", unit_id=opd.id))
    session.commit()
    return user


def test_permission_predicates(session, kominfo, make_user):
    k = kominfo
    u = k.users
    hr_dinas = _hr_of(session, make_user, k.dinas)
    assert can_open_hukdis_register(u.hr) and can_open_hukdis_register(u.admin)
    assert can_manage_hukdis(u.hr, k.dinas.id) and can_manage_hukdis(u.admin, None)
    assert can_manage_hukdis(hr_dinas, k.dinas.id)
    assert not can_manage_hukdis(hr_dinas, k.other_opd.id)
    assert not can_manage_hukdis(hr_dinas, None)
    assert hukdis_opd_scope(hr_dinas) == {k.dinas.id} and hukdis_opd_scope(u.hr) is None
    for user in (u.operator, u.operator_lain, u.pimpinan, u.budi, u.kadis, None):
        assert not can_open_hukdis_register(user)
        assert not can_manage_hukdis(user, k.dinas.id)
        assert hukdis_opd_scope(user) == set()


ALLOWED = {"hr": True, "admin": True}
ROLES = ("hr", "admin", "operator", "operator_lain", "pimpinan", "kabid", "budi")


def _routes(k, row):
    return [
        ("get", "/hukuman-disiplin", None, 200),
        ("get", "/hukuman-disiplin/baru", None, 200),
        ("get", f"/hukuman-disiplin/baru?pegawai_id={k.dewi.id}", None, 200),
        ("get", f"/hukuman-disiplin/{row.id}/ubah", None, 200),
        ("post", "/hukuman-disiplin/baru", {"nip": k.dewi.nip, **_data()}, 302),
        ("post", f"/hukuman-disiplin/{row.id}/ubah", _data(keterangan="Koreksi."), 302),
        ("post", f"/hukuman-disiplin/{row.id}/batal", {"alasan": "SK dicabut."}, 302),
        ("get", "/api/v1/hukuman-disiplin", None, 200),
        ("get", f"/api/v1/hukuman-disiplin/{row.id}", None, 200),
    ]


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("index", range(9))
def test_route_role_matrix(client, login, session, kominfo, who, index):
    k = kominfo
    row = _create(session, k)
    method, url, data, ok = _routes(k, row)[index]
    login(getattr(k.users, who))
    resp = getattr(client, method)(url, data=data) if data else getattr(client, method)(url)
    assert resp.status_code == (ok if ALLOWED.get(who) else 403), resp.get_data(as_text=True)
    count = session.scalar(select(func.count()).select_from(HukumanDisiplin))
    assert count == (2 if ALLOWED.get(who) and index == 4 else 1)
    assert session.get(HukumanDisiplin, row.id).is_annulled is (
        bool(ALLOWED.get(who)) and index == 6
    )


def test_pages_and_api_require_login(client, session, kominfo):
    row = _create(session, kominfo)
    assert client.get("/hukuman-disiplin").status_code in (302, 401)
    assert client.post(f"/hukuman-disiplin/{row.id}/batal", data={"alasan": "x"}).status_code in (
        302,
        401,
    )
    resp = client.get("/api/v1/hukuman-disiplin")
    assert resp.status_code == 401 and set(resp.get_json()) == {"error", "message", "fields"}
    assert not session.get(HukumanDisiplin, row.id).is_annulled


def test_navigation_shows_the_register_to_hr_and_admin_only(client, login, kominfo):
    k = kominfo
    for user, shown in ((k.users.hr, True), (k.users.admin, True), (k.users.operator, False)):
        login(user)
        nav = client.get("/tpp/rekap" if shown else "/evaluasi").get_data(as_text=True)
        assert ('href="/hukuman-disiplin"' in nav.split("<main")[0]) is shown
        client.post("/logout")


def test_ids_in_url_and_form_are_checked(client, login, session, kominfo, make_user):
    k = kominfo
    foreign = _create(session, k, pegawai=k.outsider)
    own = _create(session, k)
    hr_dinas = _hr_of(session, make_user, k.dinas)
    login(hr_dinas)
    assert client.get(f"/hukuman-disiplin/{foreign.id}/ubah").status_code == 403
    assert client.get(f"/hukuman-disiplin/{own.id}/ubah").status_code == 200
    assert client.get("/hukuman-disiplin/99999/ubah").status_code == 404
    assert client.get(f"/hukuman-disiplin?opd_id={k.other_opd.id}").status_code == 403
    listed = client.get("/hukuman-disiplin").get_data(as_text=True)
    assert k.budi.nama in listed and k.outsider.nama not in listed
    resp = client.post(
        "/hukuman-disiplin/baru",
        data={"pegawai_id": str(k.outsider.id), **_data(nomor_sk="800/200/BKPSDM/2026")},
    )
    assert resp.status_code == 403
    resp = client.post(
        "/hukuman-disiplin/baru", data={"nip": k.outsider.nip, **_data(nomor_sk="800/201/X")}
    )
    assert resp.status_code == 403
    resp = client.post(f"/hukuman-disiplin/{foreign.id}/batal", data={"alasan": "Coba."})
    assert resp.status_code == 403
    assert client.get(f"/api/v1/hukuman-disiplin/{foreign.id}").status_code == 403
    resp = client.post(
        "/api/v1/hukuman-disiplin",
        json={"pegawai_id": k.outsider.id, **_data(nomor_sk="800/202/X")},
    )
    assert resp.status_code == 403
    assert session.scalar(select(func.count()).select_from(HukumanDisiplin)) == 2
    assert not session.get(HukumanDisiplin, foreign.id).is_annulled


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"nip": ""}, "NIP pegawai wajib diisi."),
        ({"nip": "199001012015031999"}, "Pegawai dengan NIP 199001012015031999 tidak ditemukan."),
        ({"pegawai_id": "99999"}, "Pegawai dengan id &#39;99999&#39; tidak ditemukan."),
        ({"tmt_selesai": "2026-09-01"}, "TMT selesai (01-09-2026) tidak boleh sebelum TMT mulai"),
        ({"jenis": "skorsing"}, "Jenis hukuman disiplin &#39;skorsing&#39; tidak ada"),
    ],
)
def test_create_page_rerenders_bad_input_with_the_message(
    client, login, session, kominfo, form, message
):
    k = kominfo
    login(k.users.hr)
    data = {"nip": k.budi.nip, **_data(), **form}
    resp = client.post("/hukuman-disiplin/baru", data=data)
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert message in html and "belum disimpan" in html
    assert session.scalar(select(func.count()).select_from(HukumanDisiplin)) == 0


def test_edit_and_annul_pages_report_state_errors(client, login, session, kominfo):
    k = kominfo
    row = _create(session, k)
    login(k.users.admin)
    resp = client.post(f"/hukuman-disiplin/{row.id}/batal", data={"alasan": " "})
    assert resp.status_code == 302
    assert "Alasan pembatalan wajib diisi." in client.get(resp.location).get_data(as_text=True)
    client.post(f"/hukuman-disiplin/{row.id}/batal", data={"alasan": "SK dicabut."})
    resp = client.post(f"/hukuman-disiplin/{row.id}/ubah", data=_data())
    assert resp.status_code == 302
    html = client.get(resp.location).get_data(as_text=True)
    assert "tidak dapat diubah" in html and "SK dicabut." in html
    resp = client.post(f"/hukuman-disiplin/{row.id}/ubah", data=_data(tmt_mulai="x"))
    assert resp.status_code == 302  # still locked: no form is processed


# --- API -------------------------------------------------------------------------------------


def test_api_create_list_and_annul(client, login, session, kominfo):
    k = kominfo
    login(k.users.hr)
    resp = client.post("/api/v1/hukuman-disiplin", json={"pegawai_id": k.budi.id, **_data()})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["jenis_label"] == "Teguran lisan" and body["opd_id"] == k.dinas.id
    assert body["tmt_selesai"] == "2026-10-31" and body["pegawai_nip"] == k.budi.nip
    listed = client.get("/api/v1/hukuman-disiplin?bulan=2026-10").get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == body["id"]
    assert client.get("/api/v1/hukuman-disiplin?bulan=2026-11").get_json()["total"] == 0
    resp = client.post(f"/api/v1/hukuman-disiplin/{body['id']}/batal", json={"alasan": "Keliru."})
    assert resp.status_code == 200 and resp.get_json()["is_annulled"] is True
    resp = client.post(f"/api/v1/hukuman-disiplin/{body['id']}/batal", json={"alasan": "Lagi."})
    assert resp.status_code == 409 and "sudah dibatalkan" in resp.get_json()["message"]
    assert client.get("/api/v1/hukuman-disiplin").get_json()["total"] == 0
    assert client.get("/api/v1/hukuman-disiplin?termasuk_batal=true").get_json()["total"] == 1


def test_api_reports_invalid_input_per_field(client, login, session, kominfo):
    k = kominfo
    login(k.users.hr)
    resp = client.post(
        "/api/v1/hukuman-disiplin",
        json={"pegawai_id": k.budi.id, **_data(tanggal_sk="kemarin", tmt_mulai="")},
    )
    assert resp.status_code == 422
    fields = resp.get_json()["fields"]
    assert fields["tanggal_sk"][0].startswith("Tanggal SK 'kemarin' tidak sah")
    assert fields["tmt_mulai"] == ["TMT mulai wajib diisi (format YYYY-MM-DD)."]
    resp = client.post("/api/v1/hukuman-disiplin", json={"pegawai_id": 99999, **_data()})
    assert resp.status_code == 422 and "pegawai_id" in resp.get_json()["fields"]
    resp = client.post("/api/v1/hukuman-disiplin", json={"jenis": "teguran_lisan"})
    assert resp.status_code == 422
    resp = client.get("/api/v1/hukuman-disiplin?bulan=2026-13")
    assert resp.status_code == 422 and "bulan harus 01–12" in resp.get_json()["message"]
    resp = client.post("/api/v1/hukuman-disiplin/99999/batal", json={"alasan": "x"})
    assert resp.status_code == 404
    assert session.scalar(select(func.count()).select_from(HukumanDisiplin)) == 0


def test_api_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/hukuman-disiplin"])
    assert "post" in paths["/api/v1/hukuman-disiplin/{hukdis_id}/batal"]


# --- workflow with CSRF on -------------------------------------------------------------------


def _csrf_login(client, user) -> str:
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    resp = client.post(
        "/login", data={"login": user.username, "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert resp.status_code == 302
    return token


def test_hr_records_corrects_and_annuls_with_csrf_on(csrf_app, client, session, kominfo):
    k = kominfo
    _policy(session, k)
    _csrf_login(client, k.users.hr)
    page = client.get("/hukuman-disiplin/baru").get_data(as_text=True)
    token = csrf_token_from(page)
    assert "Teguran lisan (potongan 20% pagu)" in page
    data = {"nip": k.budi.nip, **_data(tanggal_sk="2026-09-28")}
    assert client.post("/hukuman-disiplin/baru", data=data).status_code == 400  # no token
    assert session.scalar(select(func.count()).select_from(HukumanDisiplin)) == 0
    resp = client.post("/hukuman-disiplin/baru", data={**data, "csrf_token": token})
    assert resp.status_code == 302
    row = session.scalar(select(HukumanDisiplin))
    listing = client.get("/hukuman-disiplin?bulan=2026-10").get_data(as_text=True)
    assert "800/112/BKPSDM/2026" in listing and "Budi Santoso" in listing

    edit = client.get(f"/hukuman-disiplin/{row.id}/ubah").get_data(as_text=True)
    token = csrf_token_from(edit)
    resp = client.post(
        f"/hukuman-disiplin/{row.id}/ubah",
        data={**_data(tmt_selesai="2026-11-30"), "csrf_token": token},
    )
    assert resp.status_code == 302
    assert session.get(HukumanDisiplin, row.id).tmt_selesai == date(2026, 11, 30)

    recap = rc.run_recap(session, TAHUN, 11, actor=k.users.hr, today=TODAY)
    session.commit()
    assert _line(session, recap, k.budi).lineage["hukuman_disiplin"]["id"] == row.id

    resp = client.post(f"/hukuman-disiplin/{row.id}/batal", data={"alasan": "SK dicabut."})
    assert resp.status_code == 400 and not session.get(HukumanDisiplin, row.id).is_annulled
    resp = client.post(
        f"/hukuman-disiplin/{row.id}/batal", data={"alasan": "SK dicabut.", "csrf_token": token}
    )
    assert resp.status_code == 302 and session.get(HukumanDisiplin, row.id).is_annulled
    again = rc.run_recap(session, TAHUN, 11, actor=k.users.hr, today=TODAY)
    assert "hukuman_disiplin" not in _line(session, again, k.budi).lineage
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "hukuman_disiplin")
    ).all()
    assert sorted(actions) == ["hukdis.annul", "hukdis.create", "hukdis.update"]
