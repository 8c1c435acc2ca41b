"""Cascading pages: who sees what (route × role), and what the pages show."""

from __future__ import annotations

import json
import re

import pytest

from skp_app.planning.models import Rhk

ROLES = [
    "admin",
    "pimpinan",
    "hr",
    "op_kominfo",
    "op_bappeda",
    "eval_kominfo",
    "eval_all",
    "rina",
    "kasi",
    "anon",
]


def _url(w, key: str) -> str:
    return {
        "tree": "/cascading/pohon?tahun=2026",
        "tree_kominfo": f"/cascading/pohon/opd/{w.unit['kominfo']}?tahun=2026",
        "lineage_rina": f"/cascading/pohon/pegawai/{w.peg['rina']}?tahun=2026",
        "matrix_kasi": f"/cascading/matriks/{w.peg['kasi']}?tahun=2026",
        "findings_kominfo": f"/cascading/temuan?opd={w.unit['kominfo']}&tahun=2026",
        "impact_kasi": f"/cascading/dampak/rhk/{w.rhk['kasi_jaringan']}",
        "impact_regent": f"/cascading/dampak/rg/{w.goal['rg_tatakelola']}?tahun=2026",
        "reviews": "/cascading/reviu",
        "new_review_kominfo": f"/cascading/reviu/baru?opd={w.unit['kominfo']}&tahun=2026",
    }[key]


# Expected status per route and role (302: a redirect to the login page or to a narrower page).
MATRIX = {
    "tree": dict(
        admin=200, pimpinan=200, hr=403, op_kominfo=302, op_bappeda=302, eval_kominfo=302,
        eval_all=200, rina=302, kasi=302, anon=302,
    ),
    "tree_kominfo": dict(
        admin=200, pimpinan=200, hr=403, op_kominfo=200, op_bappeda=403, eval_kominfo=200,
        eval_all=200, rina=403, kasi=403, anon=302,
    ),
    "lineage_rina": dict(
        admin=200, pimpinan=200, hr=403, op_kominfo=200, op_bappeda=403, eval_kominfo=200,
        eval_all=200, rina=200, kasi=403, anon=302,
    ),
    "matrix_kasi": dict(
        admin=200, pimpinan=403, hr=403, op_kominfo=200, op_bappeda=403, eval_kominfo=200,
        eval_all=200, rina=403, kasi=200, anon=302,
    ),
    "findings_kominfo": dict(
        admin=200, pimpinan=403, hr=200, op_kominfo=200, op_bappeda=403, eval_kominfo=200,
        eval_all=200, rina=403, kasi=403, anon=302,
    ),
    "impact_kasi": dict(
        admin=200, pimpinan=200, hr=403, op_kominfo=200, op_bappeda=403, eval_kominfo=200,
        eval_all=200, rina=403, kasi=200, anon=302,
    ),
    "impact_regent": dict(
        admin=200, pimpinan=200, hr=403, op_kominfo=403, op_bappeda=403, eval_kominfo=403,
        eval_all=200, rina=403, kasi=403, anon=302,
    ),
    "reviews": dict(
        admin=200, pimpinan=403, hr=403, op_kominfo=200, op_bappeda=200, eval_kominfo=200,
        eval_all=200, rina=403, kasi=403, anon=302,
    ),
    "new_review_kominfo": dict(
        admin=403, pimpinan=403, hr=403, op_kominfo=403, op_bappeda=403, eval_kominfo=200,
        eval_all=200, rina=403, kasi=403, anon=302,
    ),
}  # fmt: skip
CASES = [(route, role, status) for route, row in MATRIX.items() for role, status in row.items()]


@pytest.mark.parametrize(("route", "role", "status"), CASES)
def test_route_role_matrix(cascade_world, client, login, route, role, status):
    if role != "anon":
        login(cascade_world.user[role])
    resp = client.get(_url(cascade_world, route))
    assert resp.status_code == status, resp.get_data(as_text=True)[:400]
    if role == "anon":
        assert "/login" in resp.headers["Location"]


def test_entry_page_sends_each_role_to_its_view(cascade_world, app, client, login):
    w = cascade_world
    login(w.user["rina"])
    resp = client.get("/cascading/pohon?tahun=2026")
    assert resp.headers["Location"].endswith(f"/cascading/pohon/pegawai/{w.peg['rina']}?tahun=2026")
    other = login(w.user["op_kominfo"], c=app.test_client())
    resp = other.get("/cascading/pohon?tahun=2026")
    assert f"/cascading/pohon/opd/{w.unit['kominfo']}" in resp.headers["Location"]


def test_navigation_offers_the_cascading_pages_by_role(cascade_world, app, login):
    c = login(cascade_world.user["eval_kominfo"], c=app.test_client())
    html = c.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Pohon kinerja" in html and "Temuan cascading" in html and "Reviu keselarasan" in html
    c = login(cascade_world.user["hr"], c=app.test_client())
    html = c.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Temuan cascading" in html and "Pohon kinerja" not in html
    c = login(cascade_world.user["rina"], c=app.test_client())
    html = c.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Pohon kinerja" in html and "Reviu keselarasan" not in html


def _figure(html: str, element: str = "cascade-tree") -> dict:
    match = re.search(r"var fig = JSON\.parse\((.+?)\);\n", html)
    assert match, "no figure"
    return json.loads(json.loads(match.group(1)))


def test_opd_tree_page_embeds_the_figure_and_its_table_twin(cascade_world, client, login):
    w = cascade_world
    login(w.user["op_kominfo"])
    html = client.get(_url(w, "tree_kominfo")).get_data(as_text=True)
    assert '<script src="/vendor/plotly-' in html
    fig = _figure(html)
    trace = fig["data"][0]
    assert trace["type"] == "icicle"
    node = f"rhk:{w.rhk['kabid_noiki']}"
    index = trace["ids"].index(node)
    assert trace["customdata"][index] == ["rhk", w.rhk["kabid_noiki"], node]
    assert trace["marker"]["colors"][index] == "#c62828"  # an error: NO_IKI
    assert "plotly_click" in html and '"/cascading/rhk/0"' in html
    # The table twin lists the same node with its owner, indicators and findings.
    row = html.split(f'id="simpul-rhk-{w.rhk["kabid_infra"]}"')[1].split("</tr>")[0]
    assert "Tersedianya infrastruktur TIK yang andal" in row
    assert "Dewi Lestari" in row and "IKI_NO_TARGET" in row
    assert "Kuantitas: Jumlah layanan infrastruktur yang tersedia — target –" in row
    assert f"/cascading/matriks/{w.peg['kasi']}" in html  # matrix links per superior


def test_opd_tree_page_loads_in_a_bounded_number_of_queries(
    cascade_world, client, login, count_queries
):
    login(cascade_world.user["admin"])
    with count_queries() as counter:
        resp = client.get(_url(cascade_world, "tree_kominfo"))
    assert resp.status_code == 200
    assert counter.count <= 30, counter.statements


def test_regency_tree_shows_goals_and_jpt_rhk(cascade_world, client, login):
    w = cascade_world
    login(w.user["pimpinan"])
    html = client.get(_url(w, "tree")).get_data(as_text=True)
    ids = _figure(html)["data"][0]["ids"]
    assert f"rg:{w.goal['visi']}" in ids and f"rhk:{w.rhk['kaban_dok']}" in ids
    assert f"rhk:{w.rhk['kabid_rkpd']}" not in ids
    assert f"/cascading/pohon/opd/{w.unit['bappeda']}" in html


def test_lineage_page_shows_only_the_path_to_the_regent(cascade_world, client, login):
    w = cascade_world
    login(w.user["rina"])
    html = client.get(_url(w, "lineage_rina")).get_data(as_text=True)
    ids = set(_figure(html)["data"][0]["ids"])
    assert f"rhk:{w.rhk['rina_dup']}" in ids and f"rg:{w.goal['visi']}" in ids
    assert f"rhk:{w.rhk['agus_dup']}" not in ids
    assert "DUPLICATE_RHK" in html


def test_click_target_opens_the_skp_page_at_the_rhk(cascade_world, client, login):
    w = cascade_world
    login(w.user["admin"])
    resp = client.get(f"/cascading/rhk/{w.rhk['rina_dup']}")
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/skp/{w.skp['rina']}#rhk-{w.rhk['rina_dup']}")
    assert client.get("/cascading/rhk/999999").status_code == 404


def test_findings_page_shows_every_planted_defect_with_a_fix_link(cascade_world, client, login):
    w = cascade_world
    login(w.user["op_kominfo"])
    html = client.get(_url(w, "findings_kominfo")).get_data(as_text=True)
    for code in (
        "ORPHAN_RHK",
        "IKI_NO_TARGET",
        "NO_IKI",
        "ACTIVITY_LANGUAGE",
        "DUPLICATE_RHK",
        "PARENT_NOT_PENILAI",
        "PARENT_MISSING",
        "PARENT_OTHER_PERIODE",
        "CYCLE",
        "LEVEL_SKIPPED",
        "OPD_GOAL_UNLINKED",
        "UNCOVERED_PARENT",
        "NO_SKP",
    ):
        assert f'data-code="{code}"' in html, code
    assert f'href="/skp/{w.skp["kabid_a"]}/ubah"' in html  # the owner's SKP editor
    assert f'href="/sasaran/{w.goal["og_unlinked"]}/ubah"' in html  # the goal page
    assert "/skp/monitoring?opd=" in html  # an employee without SKP
    assert 'id="tabel-jenis"' in html and 'id="findings-chart"' in html


def test_findings_filters_by_severity_code_and_owner(cascade_world, client, login):
    w = cascade_world
    login(w.user["eval_kominfo"])
    base = _url(w, "findings_kominfo")
    html = client.get(base + "&severity=info").get_data(as_text=True)
    assert 'class="temuan"' not in html and "Tidak ada temuan yang cocok" in html
    html = client.get(base + "&code=NO_IKI").get_data(as_text=True)
    assert html.count('class="temuan"') == 1
    html = client.get(base + f"&owner={w.peg['rina']}").get_data(as_text=True)
    codes = set(re.findall(r'data-code="(\w+)"', html))
    assert codes == {"PARENT_NOT_PENILAI", "LEVEL_SKIPPED", "PARENT_MISSING"}
    # Unknown filter values are ignored, not errors.
    assert client.get(base + "&severity=fatal&code=X&owner=abc").status_code == 200


def test_findings_of_the_clean_pilot_opd(cascade_world, client, login):
    w = cascade_world
    login(w.user["op_bappeda"])
    html = client.get("/cascading/temuan?tahun=2026").get_data(as_text=True)
    assert "Badan Perencanaan Pembangunan Daerah" in html  # the only OPD in scope is chosen
    assert "Cascading OPD ini selaras dengan aturan" in html


def test_matrix_page_marks_gaps_idle_members_and_overlaps(cascade_world, client, login):
    w = cascade_world
    login(w.user["kasi"])
    html = client.get(_url(w, "matrix_kasi")).get_data(as_text=True)
    assert "Matriks Peran Hasil 2026" in html
    header = html.split(f'id="kolom-{w.rhk["kasi_2025_link"]}"')[1].split("</th>")[0]
    assert "Belum diintervensi" in header
    yoga = html.split(f'id="anggota-{w.peg["yoga"]}"')[1].split("</th>")[0]
    assert "Belum ada SKP" in yoga and "Tanpa peran" in yoga
    assert html.count('badge-error">Tumpang tindih<') == 2
    assert "dari unit lain" in html  # Agus reports to the Kabid now


def test_matrix_of_someone_without_skp_says_so(cascade_world, client, login):
    login(cascade_world.user["admin"])
    html = client.get(f"/cascading/matriks/{cascade_world.peg['yoga']}?tahun=2026").get_data(
        as_text=True
    )
    assert "belum memiliki SKP periode 2026" in html


def test_impact_page_groups_everything_below_by_level(cascade_world, client, login):
    w = cascade_world
    login(w.user["admin"])
    html = client.get(f"/cascading/dampak/rhk/{w.rhk['kadis_spbe']}").get_data(as_text=True)
    assert "Meningkatnya pemanfaatan layanan SPBE di kecamatan" in html  # across OPDs
    assert "Administrator" in html and "Pengawas" in html and "Pelaksana/fungsional" in html
    assert "Terselenggaranya layanan informasi publik" not in html  # a sibling, not below
    assert client.get("/cascading/dampak/xx/1").status_code == 404
    assert client.get("/cascading/dampak/rhk/999999").status_code == 404


def test_user_text_is_escaped_in_the_tree(cascade_world, client, login, session):
    w = cascade_world
    rhk = session.get(Rhk, w.rhk["perencana2_kajian"])
    rhk.teks = 'Tersedianya kajian <script>alert("x")</script>'
    session.commit()
    login(w.user["admin"])
    html = client.get(f"/cascading/pohon/opd/{w.unit['bappeda']}?tahun=2026").get_data(as_text=True)
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html


def test_unknown_periode_and_opd_are_404(cascade_world, client, login):
    login(cascade_world.user["admin"])
    assert client.get("/cascading/pohon?tahun=2031").status_code == 404
    assert client.get("/cascading/pohon/opd/999999").status_code == 404
    pemda = cascade_world.unit["pemda"]
    assert client.get(f"/cascading/pohon/opd/{pemda}").status_code == 404
