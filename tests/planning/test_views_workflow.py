"""The SKP pages through the client: route × role matrix, 403/409, CSRF, replays, errors."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from skp_app.planning import operations as ops
from skp_app.planning.models import Rhk, Skp, SkpTransition
from tests.helpers import TEST_PASSWORD, csrf_token_from
from tests.planning.conftest import iki_set

KEY = "0d9b8c71-5a2e-4f3b-9c6d-7e8f9a0b1c2d"


def _count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def staf_skp(session, world, build):
    """Approved chain kadis → kabid → kasi, and the staf's SKP with one valid RHK (draft)."""
    _k, _kb, ks = build.chain()
    skp = build.skp("staf")
    ops.save_rhk(
        session,
        skp,
        ops.RhkInput(
            teks="Tersedianya modul perizinan daring", parent_rhk_id=ks.rhk[0].id, iki=iki_set()
        ),
        actor=world.users["staf"],
    )
    session.commit()
    return skp


def _set_status(session, skp, status):
    if status in ("diajukan", "disetujui", "dikembalikan"):
        ops.submit_skp(session, skp, actor=skp_owner(session, skp))
    if status == "disetujui":
        ops.approve_skp(session, skp, actor=penilai_user(session, skp))
    if status == "dikembalikan":
        ops.return_skp(session, skp, actor=penilai_user(session, skp), note="Perbaiki IKI.")
    session.commit()


def skp_owner(session, skp):
    from skp_app.auth.models import User

    return session.scalar(select(User).where(User.pegawai_id == skp.pegawai_id))


def penilai_user(session, skp):
    from skp_app.auth.models import User

    return session.scalar(select(User).where(User.pegawai_id == skp.penilai_pegawai_id))


ROUTES = {
    "view": ("get", "/skp/{id}", "draft"),
    "print": ("get", "/skp/{id}/cetak", "draft"),
    "xlsx": ("get", "/skp/{id}/unduh.xlsx", "draft"),
    "edit": ("get", "/skp/{id}/ubah", "draft"),
    "submit": ("post", "/skp/{id}/ajukan", "draft"),
    "approve": ("post", "/skp/{id}/setujui", "diajukan"),
    "return": ("post", "/skp/{id}/kembalikan", "diajukan"),
    "revise": ("post", "/skp/{id}/revisi", "disetujui"),
    "perilaku": ("post", "/skp/{id}/perilaku", "draft"),
}
# Expected status per route and actor (302 = the action was done and redirected).
MATRIX = {
    "view": {
        "staf": 200,
        "kasi": 200,
        "kabid": 200,
        "operator": 200,
        "admin": 200,
        "hr": 200,
        "evaluator": 200,
        "staf2": 403,
        "operator_lain": 403,
        "kadis": 403,
    },
    "print": {"staf": 200, "kasi": 200, "operator": 200, "staf2": 403, "operator_lain": 403},
    "xlsx": {"staf": 200, "kasi": 200, "staf2": 403, "operator_lain": 403},
    "edit": {
        "staf": 200,
        "operator": 200,
        "kasi": 403,
        "admin": 403,
        "staf2": 403,
        "operator_lain": 403,
    },
    "submit": {
        "staf": 302,
        "operator": 302,
        "kasi": 403,
        "kabid": 403,
        "admin": 403,
        "staf2": 403,
        "operator_lain": 403,
    },
    "approve": {
        "kasi": 302,
        "staf": 403,
        "operator": 403,
        "kabid": 403,
        "admin": 403,
        "hr": 403,
        "staf2": 403,
    },
    "return": {"kasi": 302, "staf": 403, "operator": 403, "kabid": 403, "admin": 403},
    "revise": {
        "staf": 302,
        "operator": 302,
        "kasi": 403,
        "admin": 403,
        "staf2": 403,
        "operator_lain": 403,
    },
    "perilaku": {"staf": 302, "operator": 302, "kasi": 403, "admin": 403, "operator_lain": 403},
}
CASES = [(r, who, code) for r, actors in MATRIX.items() for who, code in actors.items()]


@pytest.mark.parametrize(("route", "who", "expected"), CASES)
def test_route_role_matrix(session, world, staf_skp, client, login, route, who, expected):
    method, url, status = ROUTES[route]
    _set_status(session, staf_skp, status)
    transitions = _count(session, SkpTransition)
    login(world.users[who])
    data = {
        "request_key": KEY,
        "catatan": "Target kualitas perlu dinaikkan.",
        "ekspektasi_1": "Responsif terhadap keluhan",
    }
    resp = getattr(client, method)(
        url.format(id=staf_skp.id), **({"data": data} if method == "post" else {})
    )
    assert resp.status_code == expected, resp.get_data(as_text=True)[:400]
    session.expire_all()
    skp = session.get(Skp, staf_skp.id)
    if expected == 403:
        assert skp.status == status
        assert _count(session, SkpTransition) == transitions
        assert "Akses ditolak" in resp.get_data(as_text=True)
        if route == "perilaku":
            assert all(p.ekspektasi_khusus == "" for p in skp.perilaku)
    elif method == "post" and route != "perilaku":
        assert _count(session, SkpTransition) == transitions + 1


def test_anonymous_is_sent_to_login(world, staf_skp, client):
    resp = client.post(f"/skp/{staf_skp.id}/ajukan", data={"request_key": KEY})
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


@pytest.mark.parametrize(
    ("status", "route", "who", "message"),
    [
        ("draft", "setujui", "kasi", "hanya SKP yang diajukan yang dapat disetujui."),
        ("draft", "kembalikan", "kasi", "hanya SKP yang diajukan yang dapat dikembalikan."),
        ("draft", "revisi", "staf", "revisi hanya untuk SKP yang sudah disetujui."),
        ("diajukan", "revisi", "staf", "revisi hanya untuk SKP yang sudah disetujui."),
        ("disetujui", "ajukan", "staf", "SKP sudah disetujui dan tidak dapat diubah."),
        ("disetujui", "kembalikan", "kasi", "hanya SKP yang diajukan yang dapat dikembalikan."),
        ("dikembalikan", "setujui", "kasi", "hanya SKP yang diajukan yang dapat disetujui."),
    ],
)
def test_illegal_transitions_get_409_with_a_clear_message(
    session, world, staf_skp, client, login, status, route, who, message
):
    _set_status(session, staf_skp, status)
    transitions = _count(session, SkpTransition)
    login(world.users[who])
    resp = client.post(
        f"/skp/{staf_skp.id}/{route}", data={"request_key": KEY, "catatan": "Perbaiki."}
    )
    assert resp.status_code == 409
    assert message in resp.get_data(as_text=True)
    session.expire_all()
    assert session.get(Skp, staf_skp.id).status == status
    assert _count(session, SkpTransition) == transitions


def test_editing_an_approved_skp_is_409_and_changes_nothing(
    session, world, staf_skp, client, login
):
    _set_status(session, staf_skp, "disetujui")
    rhk = staf_skp.rhk[0]
    login(world.users["staf"])
    resp = client.post(
        f"/skp/{staf_skp.id}/rhk/{rhk.id}/ubah",
        data={
            "jenis": "utama",
            "teks": "Teks baru",
            "cascading": "direct",
            "parent_rhk_id": str(rhk.parent_rhk_id),
            "iki-0-aspek": "kuantitas",
            "iki-0-teks": "Jumlah modul",
            "iki-0-target": "3",
            "iki-0-satuan": "Modul",
        },
    )
    assert resp.status_code == 409
    assert "Gunakan aksi Revisi" in resp.get_data(as_text=True)
    session.expire_all()
    assert session.get(Rhk, rhk.id).teks == "Tersedianya modul perizinan daring"


def test_reapproving_an_approved_skp_redirects_without_a_second_transition(
    session, world, staf_skp, client, login
):
    _set_status(session, staf_skp, "diajukan")
    login(world.users["kasi"])
    first = client.post(f"/skp/{staf_skp.id}/setujui", data={"request_key": KEY})
    again = client.post(f"/skp/{staf_skp.id}/setujui", data={"request_key": KEY})
    fresh = client.post(
        f"/skp/{staf_skp.id}/setujui", data={"request_key": "11111111-2222-4333-8444-555555555555"}
    )
    assert (first.status_code, again.status_code, fresh.status_code) == (302, 302, 302)
    assert _count(session, SkpTransition, SkpTransition.skp_id == staf_skp.id) == 2
    page = client.get(f"/skp/{staf_skp.id}").get_data(as_text=True)
    assert "sudah disetujui" in page or "sudah diproses" in page


def test_submit_blocked_by_an_unapproved_superior_lists_the_reason(
    session, world, build, client, login
):
    kabid = build.skp("kabid")
    parent = ops.save_rhk(
        session,
        kabid,
        ops.RhkInput(teks="Tersedianya aplikasi terintegrasi", iki=iki_set()),
        actor=world.users["kabid"],
    )
    kasi = build.skp("kasi")
    ops.save_rhk(
        session,
        kasi,
        ops.RhkInput(
            teks="Terbangunnya aplikasi perizinan", parent_rhk_id=parent.id, iki=iki_set()
        ),
        actor=world.users["kasi"],
    )
    session.commit()
    login(world.users["kasi"])
    resp = client.post(f"/skp/{kasi.id}/ajukan", data={"request_key": KEY})
    assert resp.status_code == 409
    html = resp.get_data(as_text=True)
    assert (
        "RHK utama &#34;Terbangunnya aplikasi perizinan&#34; mengintervensi RHK milik "
        "Sri Wahyuni, S.T. yang SKP-nya belum disetujui."
    ) in html
    assert session.get(Skp, kasi.id).status == "draft"


def test_workflow_with_csrf_protection_on(csrf_app, session, world, staf_skp):
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    assert (
        client.post(
            "/login",
            data={
                "login": world.users["staf"].username,
                "password": TEST_PASSWORD,
                "csrf_token": token,
            },
        ).status_code
        == 302
    )
    page = client.get(f"/skp/{staf_skp.id}").get_data(as_text=True)
    token = csrf_token_from(page)
    key = re.search(
        r'action="/skp/\d+/ajukan".*?name="request_key" value="([^"]+)"', page, re.S
    ).group(1)
    # Without the token the request is refused and nothing changes.
    assert client.post(f"/skp/{staf_skp.id}/ajukan", data={"request_key": key}).status_code == 400
    session.expire_all()
    assert session.get(Skp, staf_skp.id).status == "draft"
    resp = client.post(f"/skp/{staf_skp.id}/ajukan", data={"request_key": key, "csrf_token": token})
    assert resp.status_code == 302
    replay = client.post(
        f"/skp/{staf_skp.id}/ajukan", data={"request_key": key, "csrf_token": token}
    )
    assert replay.status_code == 302
    session.expire_all()
    assert session.get(Skp, staf_skp.id).status == "diajukan"
    assert _count(session, SkpTransition, SkpTransition.skp_id == staf_skp.id) == 1


def test_return_without_note_rerenders_with_the_field_error(
    session, world, staf_skp, client, login
):
    _set_status(session, staf_skp, "diajukan")
    login(world.users["kasi"])
    resp = client.post(f"/skp/{staf_skp.id}/kembalikan", data={"request_key": KEY, "catatan": "  "})
    assert resp.status_code == 422
    assert "Catatan pengembalian wajib diisi." in resp.get_data(as_text=True)
    session.expire_all()
    assert session.get(Skp, staf_skp.id).status == "diajukan"


def test_inbox_lists_submitted_first_and_subordinates_without_skp(
    session, world, staf_skp, client, login
):
    _set_status(session, staf_skp, "diajukan")
    login(world.users["kasi"])
    html = client.get("/skp/bawahan?tahun=2025").get_data(as_text=True)
    assert html.index("Rina Marlina") < html.index("Budi Santoso")
    assert "Belum membuat SKP" in html and "<strong>1</strong> SKP menunggu" in html


def test_my_skp_page_creates_a_draft_once(session, world, client, login):
    login(world.users["staf2"])
    page = client.get("/skp/saya?tahun=2025").get_data(as_text=True)
    assert "Anda belum memiliki SKP 2025" in page
    first = client.post("/skp/saya", data={"tahun": "2025"})
    second = client.post("/skp/saya", data={"tahun": "2025"})
    assert first.status_code == second.status_code == 302
    assert _count(session, Skp, Skp.pegawai_id == world.staf2.id) == 1
    assert "SKP 2025" in client.get("/skp/saya?tahun=2025").get_data(as_text=True)
