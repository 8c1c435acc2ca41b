"""Journey (issue 4): an evaluator opens an OPD, sees a finding and records a review item; the
OPD operator fixes the RHK link; the finding disappears and the evaluator closes the item."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login_as, shot
from tests.e2e.seed import PASSWORD, orphan_staff_rhk, seed_bappeda

pytestmark = pytest.mark.e2e
ORPHAN = "Tersusunnya rekapitulasi capaian kinerja bidang setiap triwulan"


def _logout(page):
    page.click("button:has-text('Keluar')")
    page.wait_for_load_state("networkidle")


def test_review_item_is_fixed_and_closed(live_server, page):
    data = seed_bappeda(live_server.app)
    skp_id, rhk_id = orphan_staff_rhk(live_server.app, data)
    page.on("dialog", lambda d: d.accept())
    base = live_server.url

    login_as(page, base, "evaluator", PASSWORD)
    page.goto(f"{base}/cascading/temuan?opd={data.opd_id}&tahun=2026")
    assert "ORPHAN_RHK" in page.content() or "belum mengintervensi" in page.inner_text("main")
    page.goto(f"{base}/cascading/reviu/baru?opd={data.opd_id}&tahun=2026")
    for radio in page.locator("input[type=radio][value=sesuai]").all():
        radio.check()
    page.check("input[name='check-V1'][value=tidak]")
    page.fill(
        "textarea[name='note-V1']", "Ada RHK utama staf yang belum mengintervensi RHK atasan."
    )
    page.locator("#temuan-otomatis tr", has_text=ORPHAN[:30]).locator("input[name=finding]").check()
    page.locator("#verdikt input[type=radio]").last.check()
    page.fill("input[name=due_date]", "2026-12-15")
    page.fill(
        "textarea[name=summary]", "Cascading Bappeda hampir selaras; satu RHK staf belum tertaut."
    )
    page.click("#simpan-reviu")
    page.wait_for_load_state("networkidle")
    review_url = page.url
    assert "/cascading/reviu/" in review_url and ORPHAN[:30] in page.inner_text("main")
    shot(page, "reviu-keselarasan")
    _logout(page)

    login_as(page, base, "operator.bappeda", PASSWORD)
    page.goto(f"{base}/skp/{skp_id}/rhk/{rhk_id}/ubah")
    option = page.locator("select[name=parent_rhk_id] option", has_text=data.kabid_rhk[1][:40])
    page.select_option("select[name=parent_rhk_id]", value=option.first.get_attribute("value"))
    page.click("button:has-text('Simpan RHK')")
    page.wait_for_load_state("networkidle")
    page.goto(review_url)
    page.fill("textarea[name=note]", "RHK sudah ditautkan ke RHK Kabid tentang evaluasi kinerja.")
    page.click("button:has-text('Tandai sudah diperbaiki')")
    page.wait_for_load_state("networkidle")
    _logout(page)

    login_as(page, base, "evaluator", PASSWORD)
    page.goto(f"{base}/cascading/temuan?opd={data.opd_id}&tahun=2026")
    assert ORPHAN not in page.inner_text("main")
    page.goto(review_url)
    page.click("button:has-text('Tutup'):not(:has-text('reviu'))")
    page.wait_for_load_state("networkidle")
    body = page.inner_text("main")
    assert "Ditutup" in body or "ditutup" in body
    shot(page, "reviu-ditutup")
