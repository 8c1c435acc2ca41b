"""Pages, exports and documents through the client: who reaches what, and what they see."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from skp_app.navigation import nav_items
from tests.helpers import TEST_PASSWORD, csrf_token_from

Q = "tahun=2026&bulan=3"
ROLES = ["admin", "hr", "pimpinan", "op_a", "op_b", "eval_a", "budi", "siti", "hendra", "plain"]

# route → roles that get 200 (every other role gets 403)
ALLOWED = {
    f"/beranda?bagian=pimpinan&{Q}": {"admin", "pimpinan"},
    f"/beranda?bagian=opd&{Q}": {"admin", "hr", "pimpinan", "op_a", "op_b", "hendra"},
    f"/beranda?bagian=evaluator&{Q}": {"eval_a"},
    f"/beranda?bagian=hr&{Q}": {"admin", "hr"},
    f"/beranda?bagian=pegawai&{Q}": {"budi", "siti", "hendra"},
    f"/monitoring-pengisian?{Q}": {"admin", "hr", "pimpinan", "op_a", "op_b", "eval_a"},
    f"/monitoring-pengisian.xlsx?{Q}": {"admin", "hr", "pimpinan", "op_a", "op_b", "eval_a"},
    f"/monitoring-pengisian/daftar?status=semua&{Q}": {
        "admin",
        "hr",
        "pimpinan",
        "op_a",
        "op_b",
        "eval_a",
    },
    f"/beban-kerja?{Q}": {"admin", "hr", "pimpinan", "op_a", "op_b"},
    f"/beban-kerja.xlsx?{Q}": {"admin", "hr", "pimpinan", "op_a", "op_b"},
    f"/peta-merit?{Q}": {"admin", "hr", "pimpinan", "op_a", "op_b"},
    f"/peta-merit.xlsx?{Q}": {"admin", "hr", "pimpinan", "op_a", "op_b"},
}

# Which first section each role lands on (stable ids for the e2e screenshots).
LANDING = {
    "admin": "dash-pimpinan",
    "pimpinan": "dash-pimpinan",
    "hr": "dash-hr",
    "op_a": "dash-opd",
    "op_b": "dash-opd",
    "eval_a": "dash-evaluator",
    "budi": "dash-pegawai",
    "siti": "dash-pegawai",
    "hendra": "dash-opd",
}

NAV = {
    "/monitoring-pengisian": {"admin", "hr", "pimpinan", "op_a", "op_b", "eval_a"},
    "/beban-kerja": {"admin", "hr", "pimpinan", "op_a", "op_b"},
    "/peta-merit": {"admin", "hr", "pimpinan", "op_a", "op_b"},
}


def _text(resp) -> str:
    return resp.get_data(as_text=True)


def _cells(data: bytes) -> list[str]:
    wb = load_workbook(io.BytesIO(data))
    return [
        str(c.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    ]


@pytest.mark.parametrize("route", sorted(ALLOWED))
@pytest.mark.parametrize("who", ROLES)
def test_route_role_matrix(regency, client, login, route, who):
    login(getattr(regency.users, who))
    resp = client.get(route)
    expected = 200 if who in ALLOWED[route] else 403
    assert resp.status_code == expected, (route, who, _text(resp)[:300])


def test_anonymous_users_are_sent_to_login(regency, client):
    for route in [
        "/beranda",
        "/monitoring-pengisian",
        "/beban-kerja",
        "/peta-merit",
        f"/dokumen/skp/{regency.skp_budi.id}.pdf",
    ]:
        resp = client.get(route)
        assert resp.status_code == 302
        assert "/login" in resp.headers["Location"]


def test_index_redirects_to_the_dashboard(regency, client, login):
    login(regency.users.budi)
    resp = client.get("/")
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith("/beranda")


@pytest.mark.parametrize("who", sorted(LANDING))
def test_landing_section_matches_the_role(regency, client, login, who):
    login(getattr(regency.users, who))
    html = _text(client.get("/beranda"))
    assert f'id="{LANDING[who]}"' in html
    # Exactly one section is rendered per page (tabs for the others).
    assert len(re.findall(r'<section id="dash-', html)) == 1


def test_user_with_several_roles_gets_tabs_for_each(regency, client, login):
    login(regency.users.admin)
    html = _text(client.get("/beranda"))
    for bagian in ("pimpinan", "opd", "hr"):
        assert f"bagian={bagian}" in html
    assert "bagian=pegawai" not in html  # the admin account has no employee


def test_account_without_role_or_employee_sees_an_explanation(regency, client, login):
    login(regency.users.plain)
    html = _text(client.get("/beranda"))
    assert 'id="dash-kosong"' in html


def test_unknown_section_is_404(regency, client, login):
    login(regency.users.admin)
    assert client.get("/beranda?bagian=rahasia").status_code == 404


@pytest.mark.parametrize("who", ROLES)
def test_navigation_shows_the_reports_of_the_role(regency, app, client, login, who):
    user = getattr(regency.users, who)
    login(user)
    html = _text(client.get("/beranda"))
    for path, roles in NAV.items():
        link = f'href="{path}"'
        assert (link in html) is (who in roles), (who, path)
    with app.test_request_context():
        labels = [i.label for i in nav_items(user.role_names())]
    assert ("Monitoring pengisian" in labels) is (who in NAV["/monitoring-pengisian"])


def test_pages_load_plotly_locally_and_embed_figures(regency, client, login):
    login(regency.users.admin)
    html = _text(client.get(f"/beranda?bagian=pimpinan&{Q}"))
    assert re.search(r'<script src="/vendor/plotly-[\d.]+\.min\.js"></script>', html)
    assert "cdn" not in html.lower()
    assert html.count('type="application/json"') >= 5
    assert "Unduh XLSX" in html


# --- scope: an operator of OPD A never sees OPD B --------------------------------------------

OPERATOR_A_PAGES = [
    f"/beranda?bagian=opd&{Q}",
    f"/monitoring-pengisian?{Q}",
    f"/monitoring-pengisian/daftar?status=semua&{Q}",
    f"/beban-kerja?{Q}",
    f"/peta-merit?{Q}",
]
OPERATOR_A_EXPORTS = [
    f"/monitoring-pengisian.xlsx?{Q}",
    f"/monitoring-pengisian/daftar.xlsx?status=semua&{Q}",
    f"/beban-kerja.xlsx?{Q}",
    f"/peta-merit.xlsx?{Q}",
    f"/beranda/ekspor/opd/belum-skp.xlsx?{Q}",
    f"/beranda/ekspor/opd/pohon.xlsx?{Q}",
    f"/beranda/ekspor/opd/poin.xlsx?{Q}",
]


@pytest.mark.parametrize("route", OPERATOR_A_PAGES)
def test_operator_pages_show_only_their_opd(regency, client, login, route):
    login(regency.users.op_a)
    html = _text(client.get(route))
    assert "Agus Salim" not in html
    assert "Rina" not in html
    assert "Badan Perencanaan" not in html
    if "daftar" in route or "beban" in route or "merit" in route:
        assert "Dewi Lestari" in html


@pytest.mark.parametrize("route", OPERATOR_A_EXPORTS)
def test_operator_exports_show_only_their_opd(regency, client, login, route):
    login(regency.users.op_a)
    resp = client.get(route)
    assert resp.status_code == 200
    assert resp.mimetype.endswith("spreadsheetml.sheet")
    text = " ".join(_cells(resp.data))
    assert "Agus Salim" not in text
    assert "Rina" not in text
    assert "Badan Perencanaan" not in text


@pytest.mark.parametrize(
    "route",
    [
        "/beranda?bagian=opd&opd={b}",
        "/beranda/ekspor/opd/belum-skp.xlsx?opd={b}",
        "/monitoring-pengisian?opd={b}",
        "/monitoring-pengisian/daftar?opd={b}",
        "/monitoring-pengisian/daftar.xlsx?opd={b}",
        "/beban-kerja?opd={b}",
        "/beban-kerja.xlsx?opd={b}",
        "/peta-merit?opd={b}",
        "/peta-merit.xlsx?opd={b}",
    ],
)
def test_operator_cannot_ask_for_another_opd(regency, client, login, route):
    login(regency.users.op_a)
    assert client.get(route.format(b=regency.opd_b.id)).status_code == 403


def test_jpt_head_opens_their_own_opd_dashboard_only(regency, client, login):
    login(regency.users.hendra)
    html = _text(client.get(f"/beranda?{Q}"))
    assert 'id="dash-opd"' in html and "Dinas Komunikasi dan Informatika" in html
    assert client.get(f"/beranda?bagian=opd&opd={regency.opd_b.id}").status_code == 403


def test_evaluator_counts_findings_in_the_background_and_sees_their_opd_only(
    regency, client, login
):
    login(regency.users.eval_a)
    html = _text(client.get(f"/beranda?bagian=evaluator&{Q}"))
    assert "belum pernah dihitung" in html
    assert 'id="dash-evaluator-temuan"' not in html
    resp = client.post("/beranda/temuan/hitung?tahun=2026")
    assert resp.status_code == 302  # jobs run inline in the tests
    html = _text(client.get(f"/beranda?bagian=evaluator&{Q}"))
    card = html.split('id="dash-evaluator-temuan"', 1)[1].split("</article>", 1)[0]
    assert "Dinas Komunikasi dan Informatika" in card
    assert "Badan Perencanaan" not in html
    assert 'id="dash-evaluator-tren"' in html
    belum = html.split('id="dash-evaluator-belum"', 1)[1].split("</article>", 1)[0]
    assert "Dinas Komunikasi dan Informatika" in belum


def test_evaluator_sees_open_reviews_and_review_history(regency, client, login, session):
    from datetime import date, timedelta

    from skp_app.cascading.models import AlignmentReview, ReviewItem

    review = AlignmentReview(
        opd_id=regency.opd_a.id,
        tahun=2026,
        verdict="perlu_perbaikan",
        due_date=date.today() - timedelta(days=2),
        findings_snapshot={"total": 4, "error": 1},
        evaluator_user_id=regency.users.eval_a.id,
    )
    session.add(review)
    session.flush()
    session.add(ReviewItem(review_id=review.id, rule="V1", note="RHK Budi belum menautkan"))
    session.commit()
    login(regency.users.eval_a)
    html = _text(client.get(f"/beranda?bagian=evaluator&{Q}"))
    card = html.split('id="dash-evaluator-reviu"', 1)[1].split("</article>", 1)[0]
    assert "Perlu perbaikan" in card and "Ya" in card  # overdue
    belum = html.split('id="dash-evaluator-belum"', 1)[1].split("</article>", 1)[0]
    assert "Dinas Komunikasi" not in belum
    trend = html.split('id="dash-evaluator-tren"', 1)[1].split("</article>", 1)[0]
    assert "Dinas Komunikasi dan Informatika" in trend


@pytest.mark.parametrize(
    "who,status", [("eval_a", 302), ("admin", 302), ("budi", 403), ("op_a", 403), ("hr", 403)]
)
def test_only_evaluators_and_admin_start_a_findings_count(regency, client, login, who, status):
    login(getattr(regency.users, who))
    assert client.post("/beranda/temuan/hitung?tahun=2026").status_code == status


def test_a_second_count_while_one_waits_reuses_it(regency, session):
    from skp_app.dashboard.jobs import start_findings_count
    from skp_app.jobs.models import Job

    waiting = Job(kind="dashboard.temuan_cascading", params={"tahun": 2026}, status="queued")
    session.add(waiting)
    session.commit()
    assert start_findings_count(session, 2026, user=None).id == waiting.id


# --- content -----------------------------------------------------------------------------------


def test_hostile_names_are_escaped_in_pages(regency, client, login):
    login(regency.users.admin)
    for route in [
        f"/beranda?bagian=opd&opd={regency.opd_b.id}&{Q}",
        f"/monitoring-pengisian/daftar?status=semua&{Q}",
        f"/peta-merit?{Q}",
        f"/beban-kerja?opd={regency.opd_b.id}&{Q}",
    ]:
        html = _text(client.get(route))
        assert "<script>alert(1)" not in html, route
        assert "Rina &lt;script&gt;" in html, route


def test_exports_neutralise_formula_names(regency, client, login):
    login(regency.users.op_a)
    for route in [
        f"/monitoring-pengisian/daftar.xlsx?status=semua&{Q}",
        f"/peta-merit.xlsx?{Q}",
        f"/beban-kerja.xlsx?{Q}",
    ]:
        wb = load_workbook(io.BytesIO(client.get(route).data))
        names = [
            c.value
            for ws in wb.worksheets
            for row in ws.iter_rows()
            for c in row
            if isinstance(c.value, str) and "HYPERLINK" in c.value
        ]
        assert names, route
        assert all(n.startswith("'=") for n in names), names
        assert all(
            c.data_type != "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row
        )


def test_every_home_card_export_opens(regency, client, login):
    login(regency.users.admin)
    for bagian in ("pimpinan", "opd", "hr"):
        html = _text(client.get(f"/beranda?bagian={bagian}&{Q}"))
        links = re.findall(r'href="(/beranda/ekspor/[^"]+)"', html)
        assert links, bagian
        for link in sorted(set(links)):
            resp = client.get(link.replace("&amp;", "&"))
            assert resp.status_code == 200, link
            load_workbook(io.BytesIO(resp.data))


def test_unknown_export_table_is_404(regency, client, login):
    login(regency.users.admin)
    assert client.get(f"/beranda/ekspor/pimpinan/rahasia.xlsx?{Q}").status_code == 404
    assert client.get(f"/beranda/ekspor/rahasia/x.xlsx?{Q}").status_code == 404


def test_pimpinan_dashboard_shows_rollup_ranking_and_warnings(regency, client, login):
    login(regency.users.pimpinan)
    html = _text(client.get(f"/beranda?{Q}"))
    assert "Meningkatnya kualitas tata kelola pemerintahan berbasis elektronik" in html
    assert "56,2" in html  # (12,5 + 100) / 2
    assert "Dokumen arsitektur SPBE" in html  # early warning for the Kadis
    assert "⚠" in html  # OPD A breaks the curve of its organisation predikat Baik


def test_opd_dashboard_lists_late_people_and_overdue_superiors(regency, client, login):
    login(regency.users.op_a)
    html = _text(client.get(f"/beranda?{Q}"))
    late = html.split('id="dash-opd-terlambat"', 1)[1].split("</article>", 1)[0]
    assert "HYPERLINK" in late  # approved SKP without any realisasi for March
    assert "Budi Santoso" not in late
    overdue = html.split('id="dash-opd-persetujuan"', 1)[1].split("</article>", 1)[0]
    assert "Siti Rahmawati" in overdue


def test_pegawai_dashboard_shows_targets_points_and_inbox(regency, client, login):
    login(regency.users.siti)
    html = _text(client.get(f"/beranda?{Q}"))
    assert "Realisasi menunggu verifikasi" in html
    assert re.search(r"Realisasi menunggu verifikasi</span>\s*<span class=\"kpi\">1<", html)
    assert re.search(r"Aktivitas menunggu persetujuan</span>\s*<span class=\"kpi\">2<", html)
    assert "/aktivitas/persetujuan" in html  # link to the realization domain's inbox


def test_monitoring_drill_down_lists_the_people_behind_a_cell(regency, client, login):
    login(regency.users.hr)
    html = _text(client.get(f"/monitoring-pengisian?{Q}"))
    link = re.search(
        r'href="(/monitoring-pengisian/daftar\?[^"]*tahap=skp_disusun[^"]*opd='
        + str(regency.opd_a.id)
        + r'[^"]*)"',
        html,
    ) or re.search(
        r'href="(/monitoring-pengisian/daftar\?[^"]*opd='
        + str(regency.opd_a.id)
        + r'[^"]*tahap=skp_disusun[^"]*)"',
        html,
    )
    assert link
    people = _text(client.get(link.group(1).replace("&amp;", "&")))
    assert "Dewi Lestari" in people
    assert "Budi Santoso" not in people


def test_monitoring_people_filters_by_name(regency, client, login):
    login(regency.users.hr)
    html = _text(client.get(f"/monitoring-pengisian/daftar?status=semua&q=budi&{Q}"))
    assert "Budi Santoso" in html and "Dewi Lestari" not in html


def test_workload_page_shows_the_caveat_and_ratios(regency, client, login):
    login(regency.users.op_a)
    html = _text(client.get(f"/beban-kerja?{Q}"))
    assert 'id="dash-beban-kerja-catatan"' in html
    assert "PermenPANRB Nomor 1 Tahun 2020" in html
    assert "Kurang beban" in html


# --- documents ---------------------------------------------------------------------------------


def _title(pdf: bytes) -> str:
    match = re.search(rb"/Title \((.*?)\)", pdf)
    assert match
    return match.group(1).decode("latin-1")


@pytest.mark.parametrize(
    "who,status",
    [
        ("budi", 200),
        ("siti", 200),
        ("hendra", 200),
        ("op_a", 200),
        ("admin", 200),
        ("hr", 200),
        ("pimpinan", 200),
        ("eval_a", 200),
        ("op_b", 403),
        ("plain", 403),
    ],
)
def test_skp_pdf_permissions(regency, client, login, who, status):
    login(getattr(regency.users, who))
    resp = client.get(f"/dokumen/skp/{regency.skp_budi.id}.pdf")
    assert resp.status_code == status
    if status == 200:
        assert resp.data.startswith(b"%PDF")
        assert resp.mimetype == "application/pdf"
        assert "Budi Santoso" in _title(resp.data)


@pytest.mark.parametrize(
    "who,status",
    [
        ("budi", 200),
        ("siti", 200),
        ("hendra", 200),
        ("op_a", 200),
        ("admin", 200),
        ("hr", 200),
        ("pimpinan", 200),
        ("eval_a", 403),
        ("op_b", 403),
        ("plain", 403),
    ],
)
def test_evaluasi_pdf_permissions(regency, client, login, who, status):
    login(getattr(regency.users, who))
    resp = client.get(f"/dokumen/evaluasi/{regency.ev_budi.id}.pdf")
    assert resp.status_code == status
    if status == 200:
        assert resp.data.startswith(b"%PDF")
        assert "Budi Santoso" in _title(resp.data)


@pytest.mark.parametrize(
    "who,status",
    [
        ("admin", 200),
        ("hr", 200),
        ("op_a", 200),
        ("op_b", 403),
        ("pimpinan", 403),
        ("budi", 403),
        ("plain", 403),
    ],
)
def test_recap_pdf_permissions(regency, client, login, who, status):
    login(getattr(regency.users, who))
    resp = client.get(f"/dokumen/rekap/{regency.recap_a.id}.pdf")
    assert resp.status_code == status
    if status == 200:
        assert resp.data.startswith(b"%PDF")
        assert b"Budi Santoso" in resp.data.split(b"/Subject", 1)[1][:300]


def test_documents_of_missing_objects_are_404(regency, client, login):
    login(regency.users.admin)
    for route in [
        "/dokumen/skp/999999.pdf",
        "/dokumen/evaluasi/999999.pdf",
        "/dokumen/rekap/999999.pdf",
    ]:
        assert client.get(route).status_code == 404


def test_pages_never_change_state_and_refuse_posts(regency, csrf_app):
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    resp = client.post(
        "/login",
        data={
            "login": regency.users.admin.username,
            "password": TEST_PASSWORD,
            "csrf_token": token,
        },
    )
    assert resp.status_code == 302
    html = _text(client.get(f"/beranda?{Q}"))
    assert 'id="dash-pimpinan"' in html
    token = csrf_token_from(html)  # the logout form, as on every page
    for route in [
        "/beranda",
        "/monitoring-pengisian",
        "/beban-kerja",
        "/peta-merit",
        f"/dokumen/skp/{regency.skp_budi.id}.pdf",
    ]:
        assert client.post(route, data={}).status_code == 400  # no token
        assert client.post(route, data={"csrf_token": token}).status_code == 405


def test_recap_documents_are_reachable_from_the_dashboards_within_scope(regency, app, login):
    hr = login(regency.users.hr, c=app.test_client())
    html = _text(hr.get(f"/beranda?bagian=hr&{Q}"))
    for recap in (regency.recap_a, regency.recap_b):
        assert f'href="/dokumen/rekap/{recap.id}.pdf"' in html
    op_a = login(regency.users.op_a, c=app.test_client())
    html = _text(op_a.get(f"/beranda?{Q}"))
    assert f'href="/dokumen/rekap/{regency.recap_a.id}.pdf"' in html
    assert f"/dokumen/rekap/{regency.recap_b.id}.pdf" not in html
    pimpinan = login(regency.users.pimpinan, c=app.test_client())
    html = _text(pimpinan.get(f"/beranda?bagian=opd&opd={regency.opd_a.id}&{Q}"))
    assert 'id="dash-opd"' in html
    assert 'id="dash-opd-rekap"' not in html  # the recap page is HR's and the operator's


def test_curve_limits_are_listed_next_to_the_distribution(regency, client, login):
    login(regency.users.pimpinan)
    resp = client.get(f"/beranda/ekspor/pimpinan/predikat.xlsx?{Q}")
    cells = _cells(resp.data)
    assert any("Baik 0–1" in c for c in cells)


@pytest.mark.parametrize("who", ["hendra", "op_a", "admin", "pimpinan"])
def test_every_link_on_the_opd_dashboard_opens(regency, client, login, who):
    login(getattr(regency.users, who))
    html = _text(client.get(f"/beranda?bagian=opd&opd={regency.opd_a.id}&{Q}"))
    links = set(re.findall(r'href="(/(?:monitoring|beban|peta|dokumen|beranda)[^"#]*)"', html))
    assert links
    for link in sorted(links):
        resp = client.get(link.replace("&amp;", "&"))
        assert resp.status_code == 200, (who, link, resp.status_code)


@pytest.mark.parametrize("who", ROLES)
def test_every_dashboard_link_of_a_role_opens(regency, client, login, who):
    login(getattr(regency.users, who))
    pages = [f"/beranda?{Q}"]
    first = _text(client.get(pages[0]))
    pages += [f"/beranda?bagian={b}&{Q}" for b in set(re.findall(r"bagian=(\w+)", first))]
    mine = r'href="(/(?:monitoring-pengisian|beban-kerja|peta-merit|dokumen|beranda)[^"#]*)"'
    links: set[str] = set()
    for page in pages:
        links |= set(re.findall(mine, _text(client.get(page))))
    for link in sorted(links):
        resp = client.get(link.replace("&amp;", "&"))
        assert resp.status_code == 200, (who, link, resp.status_code)
