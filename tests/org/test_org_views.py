import pytest

from skp_app.audit.models import AuditEvent
from skp_app.org.queries import direct_superior, subordinates_of, superior_map


@pytest.fixture
def kominfo(make_unit, make_jabatan, make_pegawai):
    """Diskominfo: Kepala Dinas → Kabid Aptika → Kasi Infrastruktur → Pranata Komputer."""
    opd = make_unit("Dinas Komunikasi dan Informatika", singkatan="Diskominfo")
    bidang = make_unit("Bidang Aplikasi Informatika", parent=opd)
    seksi = make_unit("Seksi Infrastruktur TIK", parent=bidang, jenis="seksi")
    j_kadis = make_jabatan(
        "Kepala Dinas Komunikasi dan Informatika", unit=opd, jenis="jpt_pratama", eselon_id="22"
    )
    j_kabid = make_jabatan(
        "Kepala Bidang Aplikasi Informatika",
        unit=bidang,
        jenis="administrator",
        eselon_id="32",
        atasan=j_kadis,
    )
    j_kasi = make_jabatan(
        "Kepala Seksi Infrastruktur TIK",
        unit=seksi,
        jenis="pengawas",
        eselon_id="41",
        atasan=j_kabid,
    )
    j_pranata = make_jabatan(
        "Pranata Komputer Ahli Pertama", unit=seksi, jenis="fungsional", jenjang="PT", atasan=j_kasi
    )
    other = make_unit("Badan Perencanaan Pembangunan Daerah", singkatan="Bappeda")
    return {
        "opd": opd,
        "other": other,
        "kadis": make_pegawai(nama="Agus Salim", jabatan=j_kadis, golongan_id=42),
        "kabid": make_pegawai(nama="Dewi Lestari", jabatan=j_kabid, golongan_id=41, gender=2),
        "kasi": make_pegawai(nama="I Made Sudana", jabatan=j_kasi, golongan_id=34),
        "staf": make_pegawai(nama="Rina Marlina", jabatan=j_pranata, golongan_id=31, gender=2),
        "staf_bappeda": make_pegawai(nama="Hendra Gunawan", unit=other),
    }


def test_superior_follows_the_position_tree_and_skips_vacancies(kominfo, session):
    assert direct_superior(session, kominfo["staf"]).id == kominfo["kasi"].id
    kominfo["kasi"].kedudukan_hukum_id = "99"  # the Kasi retired: the Kabid takes over
    session.flush()
    assert direct_superior(session, kominfo["staf"]).id == kominfo["kabid"].id
    sup = superior_map(session)
    assert sup[kominfo["staf"].id] == kominfo["kabid"].id
    assert sup[kominfo["kadis"].id] is None


def test_override_for_plt_wins_over_the_tree(kominfo, session):
    kominfo["staf"].atasan_override_id = kominfo["kadis"].id
    kominfo["staf"].atasan_override_jenis = "plt"
    session.flush()
    assert direct_superior(session, kominfo["staf"]).id == kominfo["kadis"].id
    assert [p.id for p in subordinates_of(session, kominfo["kadis"])] == sorted(
        [kominfo["kabid"].id, kominfo["staf"].id],
        key=lambda i: {kominfo["kabid"].id: "Dewi", kominfo["staf"].id: "Rina"}[i],
    )


ROLE_CASES = [
    # (role spec, url key, expected status)
    ("admin", "list", 200),
    ("hr", "list", 200),
    ("opd_operator_own", "list", 200),
    ("evaluator_all", "list", 200),
    ("pegawai", "list", 403),
    ("anon", "list", 302),
    ("admin", "profile_staf", 200),
    ("opd_operator_own", "profile_staf", 200),
    ("opd_operator_other", "profile_staf", 403),
    ("pegawai", "profile_staf", 200),  # the staff member's own superior chain
    ("pegawai_other", "profile_staf", 403),
    ("anon", "profile_staf", 302),
    ("opd_operator_own", "opd_other", 403),
    ("opd_operator_own", "opd_own", 200),
    ("hr", "audit", 403),
    ("admin", "audit", 200),
]


@pytest.mark.parametrize(("role", "target", "status"), ROLE_CASES)
def test_route_role_matrix(role, target, status, kominfo, client, login, make_user):
    users = {
        "admin": lambda: make_user("admin", roles=[("admin", None)]),
        "hr": lambda: make_user("bkpsdm", roles=[("hr", None)]),
        "opd_operator_own": lambda: make_user("op1", roles=[("opd_operator", kominfo["opd"].id)]),
        "opd_operator_other": lambda: make_user(
            "op2", roles=[("opd_operator", kominfo["other"].id)]
        ),
        "evaluator_all": lambda: make_user("evaluator", roles=[("evaluator", None)]),
        "pegawai": lambda: make_user(pegawai=kominfo["kasi"]),
        "pegawai_other": lambda: make_user(pegawai=kominfo["staf_bappeda"]),
    }
    urls = {
        "list": "/pegawai",
        "profile_staf": f"/pegawai/{kominfo['staf'].id}",
        "opd_other": f"/opd/{kominfo['other'].id}",
        "opd_own": f"/opd/{kominfo['opd'].id}",
        "audit": "/audit/",
    }
    if role != "anon":
        login(users[role]())
    assert client.get(urls[target]).status_code == status


def test_nip_is_hidden_from_colleagues_without_need(kominfo, client, login, make_user):
    login(make_user("evaluator", roles=[("evaluator", None)]))
    html = client.get(f"/pegawai/{kominfo['staf'].id}").get_data(as_text=True)
    assert kominfo["staf"].nip_display not in html
    assert "Rina Marlina" in html


def test_superior_sees_subordinate_nip(kominfo, client, login, make_user):
    login(make_user(pegawai=kominfo["kasi"]))
    html = client.get(f"/pegawai/{kominfo['staf'].id}").get_data(as_text=True)
    assert kominfo["staf"].nip_display in html


def test_search_by_name_and_nip_with_opd_filter(kominfo, client, login, make_user):
    login(make_user("bkpsdm", roles=[("hr", None)]))
    html = client.get("/pegawai?q=rina").get_data(as_text=True)
    assert "Rina Marlina" in html and "Hendra Gunawan" not in html
    html = client.get(f"/pegawai?q={kominfo['staf_bappeda'].nip[:10]}").get_data(as_text=True)
    assert "Hendra Gunawan" in html
    html = client.get(f"/pegawai?opd={kominfo['other'].id}").get_data(as_text=True)
    assert "Hendra Gunawan" in html and "Rina Marlina" not in html


def test_hr_sets_plt_superior_with_audit(kominfo, client, login, make_user, session):
    login(make_user("bkpsdm", roles=[("hr", None)]))
    resp = client.post(
        f"/pegawai/{kominfo['staf'].id}/atasan",
        data={"atasan_nip": kominfo["kabid"].nip, "jenis": "plt"},
    )
    assert resp.status_code == 302
    assert (
        session.get(type(kominfo["staf"]), kominfo["staf"].id).atasan_override_id
        == kominfo["kabid"].id
    )
    assert session.query(AuditEvent).filter_by(action="pegawai.superior_override").count() == 1


def test_superior_override_refuses_a_cycle(kominfo, client, login, make_user, session):
    login(make_user("bkpsdm", roles=[("hr", None)]))
    client.post(
        f"/pegawai/{kominfo['kabid'].id}/atasan",
        data={"atasan_nip": kominfo["staf"].nip, "jenis": "koreksi"},
    )
    assert session.get(type(kominfo["kabid"]), kominfo["kabid"].id).atasan_override_id is None


def test_pegawai_cannot_set_superiors(kominfo, client, login, make_user):
    login(make_user(pegawai=kominfo["staf"]))
    resp = client.post(
        f"/pegawai/{kominfo['staf'].id}/atasan", data={"atasan_nip": "", "jenis": "plt"}
    )
    assert resp.status_code == 403


def test_employee_list_query_count_is_bounded(
    kominfo, client, login, make_user, make_pegawai, count_queries, session
):
    login(make_user("bkpsdm", roles=[("hr", None)]))
    client.get("/pegawai")
    with count_queries() as few:
        client.get("/pegawai")
    for i in range(30):
        make_pegawai(nama=f"Pegawai Tambahan {i}", unit=kominfo["opd"])
    session.commit()
    with count_queries() as many:
        client.get("/pegawai")
    assert many.count == few.count
