"""Journey (issue 6): HR uploads a SIASN export, reviews the plan with its quarantined rows and
applies it; the employees appear with their units."""

from __future__ import annotations

from pathlib import Path

import pytest

from skp_app.auth.operations import create_user, hash_password
from skp_app.extensions import db
from skp_app.org.models import Instansi
from tests.e2e.conftest import login_as, shot

pytestmark = pytest.mark.e2e
SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "samples" / "siasn_export_sample.csv"


def test_hr_uploads_reviews_and_applies_a_siasn_export(live_server, page):
    if not SAMPLE.exists():
        pytest.skip(f"Contoh ekspor SIASN tidak ada di {SAMPLE}")
    with live_server.app.app_context():
        db.session.add(Instansi(nama="Pemerintah Kabupaten Sampel"))
        create_user(
            db.session,
            "bkpsdm",
            "Demo12345",
            display_name="BKPSDM",
            roles=[("hr", None)],
            password_hash=hash_password("Demo12345"),
        )
        db.session.commit()
    page.on("dialog", lambda d: d.accept())
    base = live_server.url
    login_as(page, base, "bkpsdm", "Demo12345")
    page.click("nav >> text=Sinkronisasi")
    page.check("input[name=source][value='siasn-csv']")
    page.set_input_files("#berkas", str(SAMPLE))
    page.click("button:has-text('Baca sumber dan buat rencana')")
    page.wait_for_load_state("networkidle")
    for _ in range(30):  # the plan runs in the background; the page polls its status
        if page.locator("text=Terapkan rencana").count():
            break
        page.wait_for_timeout(500)
        page.reload()
    body = page.inner_text("main")
    assert "karantina" in body.lower()
    run_url = page.url
    page.goto(f"{run_url}?tab=karantina")
    quarantine = page.inner_text("main")
    assert "digit 15" in quarantine  # gender digit 3 in the NIP
    assert "kosong" in quarantine.lower()  # empty NIP
    shot(page, "sinkronisasi-karantina")
    page.goto(run_url)
    page.click("button:has-text('Terapkan rencana')")
    page.wait_for_load_state("networkidle")
    for _ in range(30):
        if "Diterapkan" in page.inner_text("main"):
            break
        page.wait_for_timeout(500)
        page.reload()
    assert "Diterapkan" in page.inner_text("main")
    page.goto(f"{base}/pegawai?q=arif")
    assert "ARIF BUDIMAN" in page.inner_text("main").upper()
    shot(page, "sinkronisasi-diterapkan")
