"""The cascade JSON API: graph and findings shapes, reviews, permissions, one error shape."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from skp_app.auth.operations import create_api_token

TAHUN = 2026


def _bearer(session, user) -> dict[str, str]:
    token = create_api_token(session, user, "uji")
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def _error(resp, status: int) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    body = resp.get_json()
    assert set(body) == {"error", "message", "fields"}
    return body


def test_graph_of_an_opd_as_json(cascade_world, client, session):
    w = cascade_world
    headers = _bearer(session, w.user["op_kominfo"])
    resp = client.get(
        f"/api/v1/cascade/graph?tahun={TAHUN}&opd_id={w.unit['kominfo']}", headers=headers
    )
    assert resp.status_code == 200
    data = resp.get_json()
    assert set(data) == {"tahun", "opd_id", "nodes", "edges", "findings", "summary"}
    nodes = {n["id"]: n for n in data["nodes"]}
    node = nodes[f"rhk:{w.rhk['kabid_infra']}"]
    assert node["kind"] == "rhk" and node["owner_name"] == "Dewi Lestari"
    assert node["indicators"][1] == {
        "aspek": "kualitas",
        "text": "Persentase dokumen sesuai ketentuan",
        "target": "100.0000",
        "target_max": None,
        "satuan": "%",
        "lower_is_better": False,
    }
    assert nodes[f"rhk:{w.rhk['camat_spbe']}"]["context"] is True
    assert {
        "source": f"rhk:{w.rhk['kadis_spbe']}",
        "target": node["id"],
        "cascading": "non_direct",
    } in data["edges"]
    orphan = next(f for f in data["findings"] if f["code"] == "ORPHAN_RHK")
    assert orphan["nodes"] == [f"rhk:{w.rhk['kadis_orphan']}"] and orphan["severity"] == "error"
    assert data["summary"]["by_code"]["PARENT_NOT_PENILAI"] == 4


@pytest.mark.parametrize(
    ("role", "opd", "status"),
    [
        ("admin", None, 200),
        ("pimpinan", None, 200),
        ("eval_all", None, 200),
        ("op_kominfo", None, 403),
        ("op_kominfo", "bappeda", 403),
        ("eval_kominfo", "kominfo", 200),
        ("hr", "kominfo", 403),
        ("rina", "kominfo", 403),
    ],
)
def test_graph_permissions(cascade_world, client, session, role, opd, status):
    w = cascade_world
    url = f"/api/v1/cascade/graph?tahun={TAHUN}"
    if opd:
        url += f"&opd_id={w.unit[opd]}"
    resp = client.get(url, headers=_bearer(session, w.user[role]))
    if status == 200:
        assert resp.status_code == 200
    else:
        assert _error(resp, status)["error"] == "forbidden"


def test_api_needs_a_login(cascade_world, client):
    body = _error(client.get(f"/api/v1/cascade/findings?tahun={TAHUN}"), 401)
    assert body["error"] == "unauthorized"


def test_unknown_periode_and_opd_use_the_error_shape(cascade_world, client, session):
    headers = _bearer(session, cascade_world.user["admin"])
    body = _error(client.get("/api/v1/cascade/graph?tahun=2031", headers=headers), 404)
    assert body["message"] == "Periode 2031 tidak ditemukan."
    body = _error(
        client.get(f"/api/v1/cascade/findings?tahun={TAHUN}&opd_id=999999", headers=headers), 404
    )
    assert body["message"] == "OPD dengan id 999999 tidak ditemukan."
    body = _error(client.get("/api/v1/cascade/findings?tahun=abc", headers=headers), 422)
    assert "tahun" in body["fields"]


def test_findings_filters_and_shape(cascade_world, client, session):
    w = cascade_world
    headers = _bearer(session, w.user["hr"])
    base = f"/api/v1/cascade/findings?tahun={TAHUN}&opd_id={w.unit['kominfo']}"
    data = client.get(base + "&code=NO_IKI", headers=headers).get_json()
    assert data["total"] > 1 and len(data["findings"]) == 1
    finding = data["findings"][0]
    assert finding["title"] == "RHK utama tanpa IKI"
    assert finding["owner_name"] == "Dewi Lestari"
    assert finding["fix_url"] == f"/skp/{w.skp['kabid_a']}/ubah"
    assert finding["key"] == f"NO_IKI|rhk:{w.rhk['kabid_noiki']}|{w.peg['kabid_a']}"
    rina = client.get(base + f"&owner={w.peg['rina']}&severity=warning", headers=headers)
    assert [f["code"] for f in rina.get_json()["findings"]] == ["LEVEL_SKIPPED"]
    body = _error(client.get(base + "&severity=fatal", headers=headers), 422)
    assert "severity" in body["fields"]
    # The whole periode: only for roles that see every OPD.
    assert client.get(f"/api/v1/cascade/findings?tahun={TAHUN}", headers=headers).status_code == 200
    op = _bearer(session, w.user["op_kominfo"])
    assert client.get(f"/api/v1/cascade/findings?tahun={TAHUN}", headers=op).status_code == 403


def _review_body(w, **extra) -> dict:
    body = {
        "opd_id": w.unit["kominfo"],
        "tahun": TAHUN,
        "verdict": "perlu_perbaikan",
        "due_date": (date.today() + timedelta(days=30)).isoformat(),
        "summary": "Perbaiki tautan RHK bidang aplikasi.",
        "checklist": {f"V{n}": {"passed": True} for n in range(1, 8)},
        "rhk_notes": [
            {"rhk_id": w.rhk["rina_skip"], "rule": "V1", "note": "Pilih RHK Kepala Seksi."}
        ],
        "findings": [f"NO_IKI|rhk:{w.rhk['kabid_noiki']}|{w.peg['kabid_a']}"],
        "request_key": "9d2f0c6e-reviu-1",
    }
    body.update(extra)
    return body


def test_review_workflow_through_the_api(cascade_world, client, session):
    w = cascade_world
    evaluator = _bearer(session, w.user["eval_kominfo"])
    operator = _bearer(session, w.user["op_kominfo"])
    resp = client.post("/api/v1/cascade/reviews", json=_review_body(w), headers=evaluator)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    review = resp.get_json()
    assert review["verdict"] == "perlu_perbaikan" and review["status"] == "open"
    assert resp.headers["Location"].endswith(f"/api/v1/cascade/reviews/{review['id']}")
    assert [(i["rule"], i["rhk_id"], i["finding_code"]) for i in review["items"]] == [
        ("V1", w.rhk["rina_skip"], None),
        ("", w.rhk["kabid_noiki"], "NO_IKI"),
    ]
    assert review["items"][0]["events"][0]["to_status"] == "open"
    # Replaying the same request_key returns the same review.
    again = client.post("/api/v1/cascade/reviews", json=_review_body(w), headers=evaluator)
    assert again.status_code == 200 and again.get_json()["id"] == review["id"]

    listing = client.get(f"/api/v1/cascade/reviews?tahun={TAHUN}", headers=operator).get_json()
    assert [r["id"] for r in listing] == [review["id"]]
    assert listing[0]["item_counts"] == {"open": 2}

    item = review["items"][0]["id"]
    base = f"/api/v1/cascade/reviews/{review['id']}/items/{item}"
    body = _error(client.post(base + "/fix", json={"note": "x"}, headers=evaluator), 403)
    assert "operator OPD" in body["message"]
    body = _error(client.post(base + "/fix", json={"note": ""}, headers=operator), 422)
    assert "note" in body["fields"]
    fixed = client.post(base + "/fix", json={"note": "Sudah dipilih ulang."}, headers=operator)
    assert fixed.status_code == 200
    assert fixed.get_json()["items"][0]["status"] == "fixed"
    body = _error(
        client.post(f"/api/v1/cascade/reviews/{review['id']}/close", json={}, headers=evaluator),
        409,
    )
    assert "belum dapat ditutup" in body["message"]
    reopened = client.post(base + "/reopen", json={"note": "Belum benar."}, headers=evaluator)
    assert reopened.get_json()["items"][0]["status"] == "reopened"
    for i in review["items"]:
        url = f"/api/v1/cascade/reviews/{review['id']}/items/{i['id']}/close"
        assert client.post(url, json={}, headers=evaluator).status_code == 200
    closed = client.post(
        f"/api/v1/cascade/reviews/{review['id']}/close", json={}, headers=evaluator
    )
    assert closed.get_json()["status"] == "closed"
    detail = client.get(f"/api/v1/cascade/reviews/{review['id']}", headers=operator).get_json()
    assert [e["to_status"] for e in detail["items"][0]["events"]] == [
        "open",
        "fixed",
        "reopened",
        "closed",
    ]
    other = _bearer(session, w.user["op_bappeda"])
    _error(client.get(f"/api/v1/cascade/reviews/{review['id']}", headers=other), 403)
    _error(client.get("/api/v1/cascade/reviews/999999", headers=operator), 404)


def test_invalid_review_bodies_name_the_fields(cascade_world, client, session):
    w = cascade_world
    evaluator = _bearer(session, w.user["eval_kominfo"])
    checklist = {f"V{n}": {"passed": True} for n in range(1, 8)}
    checklist["V3"] = {"passed": False, "note": ""}
    body = _error(
        client.post(
            "/api/v1/cascade/reviews",
            json=_review_body(w, checklist=checklist, request_key=None),
            headers=evaluator,
        ),
        422,
    )
    assert body["fields"]["checklist.V3.note"] == ["Jelaskan ketidaksesuaian V3 pada catatan."]
    body = _error(
        client.post(
            "/api/v1/cascade/reviews", json={"opd_id": w.unit["kominfo"]}, headers=evaluator
        ),
        422,
    )
    assert {"tahun", "verdict", "due_date", "checklist"} <= set(body["fields"])
    op = _bearer(session, w.user["op_kominfo"])
    _error(client.post("/api/v1/cascade/reviews", json=_review_body(w), headers=op), 403)


def test_browser_api_calls_need_the_csrf_header(cascade_world, csrf_app, session):
    from tests.helpers import TEST_PASSWORD, csrf_token_from

    w = cascade_world
    session.commit()
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post(
        "/login",
        data={"login": "eval_kominfo", "password": TEST_PASSWORD, "csrf_token": token},
    )
    resp = client.post("/api/v1/cascade/reviews", json=_review_body(w))
    assert resp.status_code == 400
    page = client.get("/cascading/reviu").get_data(as_text=True)
    resp = client.post(
        "/api/v1/cascade/reviews",
        json=_review_body(w),
        headers={"X-CSRFToken": csrf_token_from(page)},
    )
    assert resp.status_code == 201


def test_openapi_document_lists_the_cascade_endpoints(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path in (
        "/api/v1/cascade/graph",
        "/api/v1/cascade/findings",
        "/api/v1/cascade/reviews",
        "/api/v1/cascade/reviews/{review_id}",
        "/api/v1/cascade/reviews/{review_id}/items/{item_id}/fix",
        "/api/v1/cascade/reviews/{review_id}/items/{item_id}/close",
        "/api/v1/cascade/reviews/{review_id}/items/{item_id}/reopen",
        "/api/v1/cascade/reviews/{review_id}/close",
    ):
        assert path in doc["paths"], path
    post = doc["paths"]["/api/v1/cascade/reviews"]["post"]
    assert "201" in post["responses"] and "200" in post["responses"]
