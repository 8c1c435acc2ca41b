"""Journey (issue 5): two activities with a photo, one approved and one rejected; a monthly
realization; the superior evaluates the quarter and the predikat shows; the TPP recap shows the
employee's line with its explanation."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image

from tests.e2e.conftest import login_as, shot
from tests.e2e.seed import PASSWORD, approve_staff_skp, seed_bappeda

pytestmark = pytest.mark.e2e


def _photo(tmp_path, name: str, colour) -> str:
    path = tmp_path / name
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(buf, "JPEG")
    path.write_bytes(buf.getvalue())
    return str(path)


def _logout(page):
    page.click("button:has-text('Keluar')")
    page.wait_for_load_state("networkidle")


def _log_activity(page, base, start, end, uraian, photo):
    page.goto(f"{base}/aktivitas")
    page.fill("#tanggal", date.today().isoformat())
    page.fill("#jam_mulai", start)
    page.fill("#jam_selesai", end)
    page.fill("#uraian", uraian)
    value = page.locator("#rhk_id option:not([value=''])").first.get_attribute("value")
    page.select_option("#rhk_id", value=value)
    page.set_input_files("#foto", photo)
    page.click("button:has-text('Kirim ke atasan')")
    page.wait_for_load_state("networkidle")
    assert uraian in page.inner_text("main")


def test_activity_realization_evaluation_and_tpp(live_server, page, tmp_path):
    if date.today().weekday() >= 5:
        pytest.skip("Aktivitas harian hanya dapat dicatat pada hari kerja.")
    data = seed_bappeda(live_server.app)
    skp_id = approve_staff_skp(live_server.app, data)
    page.on("dialog", lambda d: d.accept())
    base = live_server.url
    kuartal = (date.today().month - 1) // 3 + 1

    login_as(page, base, data.staf_nip, PASSWORD)
    _log_activity(
        page,
        base,
        "08:00",
        "09:30",
        "Menghimpun data capaian IKU dari OPD",
        _photo(tmp_path, "rapat.jpg", (30, 120, 200)),
    )
    _log_activity(
        page,
        base,
        "10:00",
        "11:00",
        "Menyusun tabel capaian triwulan",
        _photo(tmp_path, "tabel.jpg", (200, 120, 30)),
    )
    page.goto(f"{base}/realisasi")
    page.locator("form.realisasi-form").first.locator("input[name=nilai]").fill("1")
    page.locator("form.realisasi-form").first.locator("button[value=ajukan]").click()
    page.wait_for_load_state("networkidle")
    _logout(page)

    login_as(page, base, data.kabid_nip, PASSWORD)
    page.goto(f"{base}/aktivitas/persetujuan")
    rows = page.locator("input.pilih")
    assert rows.count() == 2
    first_id = rows.nth(0).get_attribute("value")
    second_id = rows.nth(1).get_attribute("value")
    rows.nth(0).check()
    page.click("button:has-text('Setujui yang dipilih')")
    page.wait_for_load_state("networkidle")
    page.fill(
        f"input[name='alasan-{second_id}']", "Foto tidak menunjukkan kegiatan yang dilaporkan"
    )
    page.locator(f"button[formaction$='/{second_id}/tolak']").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("input.pilih").count() == 0
    page.goto(f"{base}/evaluasi/skp/{skp_id}/periodik/{kuartal}")
    page.select_option("#rating_hasil", value="2")
    page.select_option("#rating_perilaku", value="2")
    # One month of data suggests "Di Bawah"; the Kabid judges the quarter as on track.
    page.fill("#override_reason", "Laporan bulan berjalan sesuai jadwal; target dihitung setahun.")
    page.click("button:has-text('Simpan draf')")
    page.wait_for_load_state("networkidle")
    page.click("button:has-text('Finalkan evaluasi')")
    page.wait_for_load_state("networkidle")
    body = page.inner_text("main")
    assert "Baik" in body and "Final" in body
    shot(page, "evaluasi-final")
    _logout(page)

    login_as(page, base, data.staf_nip, PASSWORD)
    page.goto(f"{base}/aktivitas")
    mine = page.inner_text("main")
    assert "Disetujui" in mine and "Ditolak" in mine
    assert first_id and second_id
    _logout(page)

    login_as(page, base, "bkpsdm", PASSWORD)
    page.goto(f"{base}/tpp/rekap")
    page.fill("#bulan", date.today().strftime("%Y-%m"))
    page.click("button:has-text('Jalankan rekap')")
    page.wait_for_load_state("networkidle")
    if "Yeti Ela Rostika" not in page.inner_text("main"):
        page.locator("a[href*='/tpp/rekap/']").first.click()
        page.wait_for_load_state("networkidle")
    recap = page.inner_text("main")
    assert "Yeti Ela Rostika" in recap
    row = page.locator("tr", has_text="Yeti Ela Rostika")
    row.locator("summary").first.click()
    explanation = row.inner_text().lower()
    assert "produktivitas" in explanation and "disiplin" in explanation
    shot(page, "tpp-rekap")
