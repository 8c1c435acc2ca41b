"""Journey (issue 3): draft an SKP with two RHK utama linked to the superior's RHK, submit it;
the superior returns it with a note; the employee revises and resubmits; the superior approves;
the print view shows the approved SKP."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import login_as, shot
from tests.e2e.seed import PASSWORD, seed_bappeda

pytestmark = pytest.mark.e2e


def _logout(page):
    page.click("button:has-text('Keluar')")
    page.wait_for_load_state("networkidle")


def _add_rhk(page, teks: str, parent_label: str, target: str):
    page.click("text=Tambah RHK utama")
    page.wait_for_load_state("networkidle")
    option = page.locator("select[name=parent_rhk_id] option", has_text=parent_label[:40])
    page.select_option("select[name=parent_rhk_id]", value=option.first.get_attribute("value"))
    page.fill("textarea[name=teks]", teks)
    page.fill("textarea[name='iki-0-teks']", "Jumlah bahan rancangan yang tersusun")
    page.fill("input[name='iki-0-target']", target)
    page.fill("input[name='iki-0-satuan']", "Dokumen")
    page.fill(
        "textarea[name='iki-1-teks']", "Persentase bahan rancangan yang diterima tanpa revisi"
    )
    page.fill("input[name='iki-1-target']", "100")
    page.fill("input[name='iki-1-satuan']", "Persen")
    page.fill("textarea[name='iki-2-teks']", "Ketepatan waktu penyampaian bahan rancangan")
    page.fill("input[name='iki-2-target']", "12")
    page.fill("input[name='iki-2-satuan']", "Bulan")
    page.click("button:has-text('Simpan RHK')")
    page.wait_for_load_state("networkidle")
    assert teks in page.inner_text("main")


def test_skp_is_drafted_returned_revised_and_approved(live_server, page):
    data = seed_bappeda(live_server.app)
    page.on("dialog", lambda d: d.accept())
    base = live_server.url

    # The employee drafts an SKP with two RHK utama that intervene the Kabid's RHK.
    login_as(page, base, data.staf_nip, PASSWORD)
    page.click("nav >> text=SKP saya")
    page.click("button:has-text('Buat SKP 2026')")
    page.wait_for_load_state("networkidle")
    if "Tambah RHK utama" not in page.content():
        page.click("text=Ubah")
    _add_rhk(page, "Tersusunnya bahan rancangan awal RKPD bidang ekonomi", data.kabid_rhk[0], "4")
    _add_rhk(
        page, "Tersedianya data capaian indikator kinerja daerah triwulanan", data.kabid_rhk[1], "4"
    )
    page.click("button:has-text('Ajukan ke pejabat penilai')")
    page.wait_for_load_state("networkidle")
    assert "Diajukan" in page.inner_text("main")
    skp_id = re.search(r"/skp/(\d+)", page.url).group(1)
    _logout(page)

    # The Kabid returns it with a note.
    login_as(page, base, data.kabid_nip, PASSWORD)
    page.click("nav >> text=SKP bawahan")
    page.click("text=Periksa")
    page.wait_for_load_state("networkidle")
    page.fill(
        "textarea[name=catatan]", "Target kuantitas terlalu rendah; sesuaikan dengan jadwal RKPD."
    )
    page.click("button:has-text('Kembalikan')")
    page.wait_for_load_state("networkidle")
    assert "Dikembalikan" in page.inner_text("main")
    _logout(page)

    # The employee revises an RHK and resubmits.
    login_as(page, base, data.staf_nip, PASSWORD)
    page.click("nav >> text=SKP saya")
    body = page.inner_text("main")
    assert "Target kuantitas terlalu rendah" in body
    page.goto(f"{base}/skp/{skp_id}/ubah")
    page.locator(f"a[href^='/skp/{skp_id}/rhk/'][href$='/ubah']").first.click()
    page.wait_for_load_state("networkidle")
    page.fill("input[name='iki-0-target']", "6")
    page.click("button:has-text('Simpan RHK')")
    page.wait_for_load_state("networkidle")
    page.click("button:has-text('Ajukan ke pejabat penilai')")
    page.wait_for_load_state("networkidle")
    assert "Diajukan" in page.inner_text("main")
    _logout(page)

    # The Kabid approves; the print view shows the approved SKP.
    login_as(page, base, data.kabid_nip, PASSWORD)
    page.goto(f"{base}/skp/{skp_id}")
    page.click("button:has-text('Setujui SKP')")
    page.wait_for_load_state("networkidle")
    assert "Disetujui" in page.inner_text("main")
    page.goto(f"{base}/skp/{skp_id}/cetak")
    printed = page.inner_text("body")
    assert "SASARAN KINERJA PEGAWAI" in printed.upper()
    assert "Yeti Ela Rostika" in printed
    assert data.kabid_rhk[0] in printed
    assert "Tersusunnya bahan rancangan awal RKPD bidang ekonomi" in printed
    shot(page, "skp-cetak")
