"""Journey: an employee logs in with the NIP and opens the own profile."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login_as, shot
from tests.e2e.seed import PASSWORD, seed_bappeda

pytestmark = pytest.mark.e2e


def test_employee_logs_in_with_nip_and_opens_own_profile(live_server, page):
    seed_bappeda(live_server.app)
    login_as(page, live_server.url, "20000208 202503 2 001", PASSWORD)
    page.click("text=Profil saya")
    page.wait_for_load_state("networkidle")
    body = page.inner_text("main")
    assert "Yeti Ela Rostika, S.Si." in body
    assert "20000208 202503 2 001" in body  # own NIP is visible to the owner
    assert "Bayu Ardiansyah, S.E., M.E." in body  # superior from the position tree
    shot(page, "profil-pegawai")
