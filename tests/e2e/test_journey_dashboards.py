"""Screenshots of each role's dashboard on the demo regency (issue 7), checked for content."""

from __future__ import annotations

import pytest

from skp_app.demo.generator import build_demo
from skp_app.extensions import db
from tests.e2e.conftest import login_as, shot

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo(live_server):
    with live_server.app.app_context():
        summary = build_demo(db.session, size="tiny", seed=1)
        db.session.commit()
    return summary


def _dashboard(page, base, login, password, section, name):
    login_as(page, base, login, password)
    page.goto(f"{base}/beranda")
    page.wait_for_load_state("networkidle")
    assert page.locator(f"#{section}").count() == 1, section
    body = page.inner_text("main")
    assert "Traceback" not in body
    shot(page, name)
    page.click("button:has-text('Keluar')")
    page.wait_for_load_state("networkidle")
    return body


def test_each_role_lands_on_its_dashboard(live_server, page, demo):
    base = live_server.url
    pw = demo.password
    _dashboard(page, base, "sekda", pw, "dash-pimpinan", "dashboard-pimpinan")
    _dashboard(page, base, "operator.bappeda", pw, "dash-opd", "dashboard-opd")
    _dashboard(page, base, "evaluator", pw, "dash-evaluator", "dashboard-evaluator")
    _dashboard(page, base, "bkpsdm", pw, "dash-hr", "dashboard-hr")
    staff = demo.examples[0]
    _dashboard(page, base, staff.username, pw, "dash-pegawai", "dashboard-pegawai")
    login_as(page, base, "bkpsdm", pw)
    for url, name in [
        ("/monitoring-pengisian", "monitoring-pengisian"),
        ("/beban-kerja", "beban-kerja"),
        ("/peta-merit", "peta-merit"),
    ]:
        page.goto(f"{base}{url}")
        page.wait_for_load_state("networkidle")
        assert page.locator("main h1").count() >= 1
        shot(page, name)
