"""Alignment review workflow: record, mark fixed, reopen, close — with history and CSRF."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from skp_app.audit.models import AuditEvent
from skp_app.cascading import operations as ops
from skp_app.cascading.models import AlignmentReview, ReviewItem, ReviewItemEvent
from skp_app.cascading.queries import cascade_for
from tests.helpers import TEST_PASSWORD, csrf_token_from

TAHUN = 2026


def _checklist(failed: dict[str, str] | None = None) -> dict[str, str]:
    data = {}
    for n in range(1, 8):
        rule = f"V{n}"
        if failed and rule in failed:
            data[f"check-{rule}"] = "tidak"
            data[f"note-{rule}"] = failed[rule]
        else:
            data[f"check-{rule}"] = "sesuai"
    return data


def _review_form(html: str, **extra) -> dict:
    key = re.search(r'name="request_key" type="hidden" value="([^"]+)"', html)
    data = {"csrf_token": csrf_token_from(html), "request_key": key.group(1) if key else ""}
    data.update(extra)
    return data


def _csrf_client(app, user):
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    resp = client.post(
        "/login", data={"login": user.username, "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert resp.status_code == 302
    return client


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _new_review_url(w) -> str:
    return f"/cascading/reviu/baru?opd={w.unit['kominfo']}&tahun={TAHUN}"


def test_review_workflow_end_to_end_with_csrf(cascade_world, csrf_app, session):
    w = cascade_world
    session.commit()
    evaluator = _csrf_client(csrf_app, w.user["eval_kominfo"])
    operator = _csrf_client(csrf_app, w.user["op_kominfo"])

    page = evaluator.get(_new_review_url(w)).get_data(as_text=True)
    assert 'id="daftar-periksa"' in page and 'name="check-V1"' in page
    no_iki = re.search(r'name="finding" value="(NO_IKI\|[^"]+)"', page).group(1)
    due = (date.today() + timedelta(days=30)).isoformat()
    form = _review_form(
        page,
        verdict="perlu_perbaikan",
        due_date=due,
        summary="Cascading Diskominfo belum selaras pada bidang aplikasi informatika.",
        finding=no_iki,
        **{
            f"note-rhk-{w.rhk['rina_skip']}": "Pilih RHK Kepala Seksi, bukan RHK Kepala Dinas.",
            f"rule-rhk-{w.rhk['rina_skip']}": "V1",
        },
        **_checklist({"V5": "Beberapa IKI masih memakai bahasa kegiatan."}),
    )
    resp = evaluator.post(_new_review_url(w), data=form)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    review_url = resp.headers["Location"]
    review = session.scalar(select(AlignmentReview))
    assert review_url.endswith(f"/cascading/reviu/{review.id}")
    assert (review.verdict, review.status, review.due_date.isoformat()) == (
        "perlu_perbaikan",
        "open",
        due,
    )
    assert review.checklist["V5"] == {
        "passed": False,
        "note": "Beberapa IKI masih memakai bahasa kegiatan.",
    }
    assert review.findings_snapshot["total"] > 0
    items = {(i.rule, i.rhk_id, i.finding_code) for i in review.items}
    assert items == {
        ("V5", None, None),
        ("V1", w.rhk["rina_skip"], None),
        ("", w.rhk["kabid_noiki"], "NO_IKI"),
    }
    assert _count(session, ReviewItemEvent) == 3
    assert session.scalar(select(func.count()).where(AuditEvent.action == "review.create")) == 1

    # A replay of the same form records nothing new.
    again = evaluator.post(_new_review_url(w), data=form)
    assert again.headers["Location"] == review_url
    assert _count(session, AlignmentReview) == 1

    # The operator sees the open items with the fix form and marks one fixed.
    item = next(i for i in review.items if i.rhk_id == w.rhk["rina_skip"])
    view = operator.get(review_url).get_data(as_text=True)
    assert "Tandai sudah diperbaiki" in view and f'id="form-perbaiki-{item.id}"' in view
    assert ">Tutup</button>" not in view  # only the evaluator closes
    fix_url = f"{review_url}/butir/{item.id}/diperbaiki"
    op_token = csrf_token_from(view)
    resp = operator.post(fix_url, data={"csrf_token": op_token, "note": "RHK sudah dipilih ulang."})
    assert resp.status_code == 302
    session.refresh(item)
    assert (item.status, item.fixed_note) == ("fixed", "RHK sudah dipilih ulang.")
    assert item.fixed_by_user_id == w.user["op_kominfo"].id
    # A replayed "fixed" is a no-op: no second event.
    operator.post(fix_url, data={"csrf_token": op_token, "note": "lagi"})
    assert (
        len(
            session.scalars(select(ReviewItemEvent).where(ReviewItemEvent.item_id == item.id)).all()
        )
        == 2
    )

    # The evaluator is not satisfied and reopens it, saying why.
    view = evaluator.get(review_url).get_data(as_text=True)
    assert "Buka kembali" in view and ">Tutup</button>" in view
    token = csrf_token_from(view)
    resp = evaluator.post(
        f"{review_url}/butir/{item.id}/buka-kembali",
        data={"csrf_token": token, "note": "Target belum disesuaikan."},
    )
    session.refresh(item)
    assert item.status == "reopened"
    # Fixed again, then closed; the other items are closed directly.
    resp = operator.post(fix_url, data={"csrf_token": op_token, "note": "Target disesuaikan."})
    assert resp.status_code == 302
    for other in review.items:
        evaluator.post(
            f"{review_url}/butir/{other.id}/tutup", data={"csrf_token": token, "note": ""}
        )
    resp = evaluator.post(f"{review_url}/tutup", data={"csrf_token": token, "note": "Selesai."})
    session.refresh(review)
    assert review.status == "closed" and review.closed_at is not None
    history = [
        (e.from_status, e.to_status)
        for e in session.scalars(
            select(ReviewItemEvent)
            .where(ReviewItemEvent.item_id == item.id)
            .order_by(ReviewItemEvent.id)
        )
    ]
    assert history == [
        (None, "open"),
        ("open", "fixed"),
        ("fixed", "reopened"),
        ("reopened", "fixed"),
        ("fixed", "closed"),
    ]
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"review_item.fix", "review_item.reopen", "review_item.close", "review.close"} <= actions
    html = evaluator.get(review_url).get_data(as_text=True)
    assert "Ditutup" in html and "Target belum disesuaikan." in html


def test_posts_without_csrf_token_are_refused(cascade_world, csrf_app, session):
    w = cascade_world
    session.commit()
    evaluator = _csrf_client(csrf_app, w.user["eval_kominfo"])
    resp = evaluator.post(
        _new_review_url(w),
        data={"verdict": "selaras", "due_date": date.today().isoformat(), **_checklist()},
    )
    assert resp.status_code == 400
    assert _count(session, AlignmentReview) == 0


def _make_review(session, w, **kw):
    _graph, found = cascade_for(session, TAHUN, w.unit["kominfo"])
    data = ops.ReviewInput(
        opd_id=w.unit["kominfo"],
        tahun=TAHUN,
        verdict=kw.pop("verdict", "perlu_perbaikan"),
        due_date=kw.pop("due_date", date.today() + timedelta(days=14)),
        checklist=kw.pop(
            "checklist",
            {f"V{n}": (n != 6, "Peran tumpang tindih." if n == 6 else "") for n in range(1, 8)},
        ),
        **kw,
    )
    review, created = ops.create_review(session, data, actor=w.user["eval_kominfo"], findings=found)
    session.commit()
    return review


def test_get_never_changes_state(cascade_world, client, login, session):
    w = cascade_world
    review = _make_review(session, w)
    item = review.items[0]
    login(w.user["op_kominfo"])
    assert client.get(f"/cascading/reviu/{review.id}/butir/{item.id}/diperbaiki").status_code == 405
    assert client.get(f"/cascading/reviu/{review.id}/tutup").status_code == 405
    session.refresh(item)
    assert item.status == "open"


@pytest.mark.parametrize(
    ("role", "action", "status"),
    [
        ("op_kominfo", "diperbaiki", 302),
        ("op_bappeda", "diperbaiki", 403),
        ("eval_kominfo", "diperbaiki", 403),
        ("admin", "diperbaiki", 403),
        ("rina", "diperbaiki", 403),
        ("eval_kominfo", "tutup", 302),
        ("eval_all", "tutup", 302),
        ("eval_bappeda", "tutup", 403),
        ("op_kominfo", "tutup", 403),
        ("admin", "buka-kembali", 403),
    ],
)
def test_item_actions_by_role(cascade_world, client, login, session, role, action, status):
    w = cascade_world
    review = _make_review(session, w)
    item = review.items[0]
    login(w.user[role])
    resp = client.post(
        f"/cascading/reviu/{review.id}/butir/{item.id}/{action}", data={"note": "Sudah."}
    )
    assert resp.status_code == status


def test_review_pages_by_role(cascade_world, client, login, session, app):
    w = cascade_world
    review = _make_review(session, w)
    for role, status in [
        ("eval_kominfo", 200),
        ("op_kominfo", 200),
        ("admin", 200),
        ("op_bappeda", 403),
        ("eval_bappeda", 403),
        ("hr", 403),
        ("rina", 403),
    ]:
        c = login(w.user[role], c=app.test_client())
        assert c.get(f"/cascading/reviu/{review.id}").status_code == status, role
    c = login(w.user["op_kominfo"], c=app.test_client())
    listing = c.get("/cascading/reviu").get_data(as_text=True)
    assert f'id="reviu-{review.id}"' in listing and "Perlu perbaikan" in listing
    c = login(w.user["op_bappeda"], c=app.test_client())
    assert f'id="reviu-{review.id}"' not in c.get("/cascading/reviu").get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"verdict": "selaras", **_checklist({"V2": "Atasan belum ber-SKP."})}, "selaras"),
        ({"verdict": "perlu_perbaikan", **_checklist()}, "minimal satu butir"),
        (
            {
                "verdict": "perlu_perbaikan",
                "due_date": (date.today() - timedelta(days=1)).isoformat(),
                **_checklist({"V1": "x"}),
            },
            "tidak boleh sebelum hari ini",
        ),
        ({"verdict": "selaras", "check-V1": "sesuai"}, "Tentukan hasil pemeriksaan V2"),
        ({"verdict": "perlu_perbaikan", **_checklist({"V3": ""})}, "Jelaskan ketidaksesuaian V3"),
        ({"due_date": date.today().isoformat(), **_checklist()}, "Pilih verdikt"),
        (
            {"verdict": "perlu_perbaikan", "finding": "NO_IKI|rhk:999999|1", **_checklist()},
            "tidak lagi ada",
        ),
    ],
)
def test_invalid_reviews_are_refused_and_nothing_is_written(
    cascade_world, client, login, session, fields, message
):
    w = cascade_world
    login(w.user["eval_kominfo"])
    data = {"due_date": (date.today() + timedelta(days=7)).isoformat(), "request_key": "k1"}
    data.update(fields)
    resp = client.post(_new_review_url(w), data=data)
    assert resp.status_code == 422
    assert message in resp.get_data(as_text=True)
    assert _count(session, AlignmentReview) == 0 and _count(session, ReviewItem) == 0


def test_a_note_on_an_rhk_of_another_opd_is_refused(cascade_world, client, login, session):
    w = cascade_world
    login(w.user["eval_kominfo"])
    data = {
        "verdict": "perlu_perbaikan",
        "due_date": (date.today() + timedelta(days=7)).isoformat(),
        f"note-rhk-{w.rhk['kaban_dok']}": "Bukan urusan Diskominfo.",
        **_checklist(),
    }
    resp = client.post(_new_review_url(w), data=data)
    assert resp.status_code == 422
    assert "bukan bagian dari cascading OPD ini" in resp.get_data(as_text=True)
    assert _count(session, AlignmentReview) == 0


def test_a_review_cannot_be_closed_while_items_wait(cascade_world, client, login, session):
    w = cascade_world
    review = _make_review(session, w)
    login(w.user["eval_kominfo"])
    resp = client.post(f"/cascading/reviu/{review.id}/tutup", data={}, follow_redirects=True)
    assert "belum dapat ditutup: 1 butir belum ditutup" in resp.get_data(as_text=True)
    session.refresh(review)
    assert review.status == "open"


def test_state_rules_of_the_operations(cascade_world, session):
    w = cascade_world
    review = _make_review(session, w)
    item = review.items[0]
    operator, evaluator = w.user["op_kominfo"], w.user["eval_kominfo"]
    assert ops.reopen_item(session, item, actor=evaluator, note="x") is False  # still open
    with pytest.raises(ops.ReviewValidationError, match="Isi catatan perbaikan"):
        ops.mark_item_fixed(session, item, actor=operator, note="  ")
    assert ops.close_item(session, item, actor=evaluator) is True
    assert ops.close_item(session, item, actor=evaluator) is False
    with pytest.raises(ops.ReviewStateError, match="sudah ditutup oleh evaluator"):
        ops.mark_item_fixed(session, item, actor=operator, note="Sudah.")
    assert ops.close_review(session, review, actor=evaluator) is True
    assert ops.close_review(session, review, actor=evaluator) is False
    with pytest.raises(ops.ReviewStateError, match="Reviu ini sudah ditutup"):
        ops.reopen_item(session, item, actor=evaluator, note="Buka lagi.")
    with pytest.raises(ops.ReviewForbidden):
        ops.close_review(session, review, actor=w.user["admin"])


def test_only_an_evaluator_of_the_opd_records_a_review(cascade_world, session):
    w = cascade_world
    data = ops.ReviewInput(
        opd_id=w.unit["kominfo"],
        tahun=TAHUN,
        verdict="selaras",
        due_date=date.today(),
        checklist={f"V{n}": (True, "") for n in range(1, 8)},
    )
    for user in ("eval_bappeda", "op_kominfo", "admin", "rina"):
        with pytest.raises(ops.ReviewForbidden):
            ops.create_review(session, data, actor=w.user[user])
    review, created = ops.create_review(session, data, actor=w.user["eval_all"])
    assert created and review.items == []
