"""Journeys (issue 6): HR uploads a SIASN export, reviews the plan with its quarantined rows and
applies it; the employees appear with their units. When the export gives an employee a new
superior, her page names the new superior and the cascade findings show her RHK that still
intervenes the old superior's RHK."""

from __future__ import annotations

from pathlib import Path

import pytest

from skp_app.extensions import db
from skp_app.org.models import Instansi
from tests.e2e.conftest import login_as, shot
from tests.e2e.seed import hr_account

pytestmark = pytest.mark.e2e
SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "samples" / "siasn_export_sample.csv"
NEW_KABID = "198507212010012003"  # Dewi Kartikasari, the new Kabid PPEPD of Bappeda


def test_hr_uploads_reviews_and_applies_a_siasn_export(live_server, page):
    if not SAMPLE.exists():
        pytest.skip(f"Contoh ekspor SIASN tidak ada di {SAMPLE}")
    with live_server.app.app_context():
        db.session.add(Instansi(nama="Pemerintah Kabupaten Sampel"))
        hr_account()
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


def _export_with_a_new_superior(tmp_path, data, units) -> Path:
    """The Bappeda rows of a SIASN export: the Kabid PPEPD takes unpaid leave (CLTN), Dewi
    Kartikasari heads the bidang now, and two rows a spreadsheet or a typist broke."""
    from tests.sync.helpers import csv_text, siasn_row

    opd, bidang = units["opd"], units["bidang"]
    below_opd = {"satuan_kerja_kerja_id": opd[0], "satuan_kerja_kerja_nama": opd[1]}
    kept = {"tmt_golongan": "", "tmt_cpns": "", "tmt_jabatan": ""}  # as in the application
    rows = [
        siasn_row(
            data.kepala_nip,
            "Sri Wahyuni",
            opd,
            jabatan="Kepala Badan Perencanaan Pembangunan Daerah",
            jenis_jabatan="1",
            golongan="42",
            gelar_depan="Dr.",
            gelar_belakang="M.Si.",
            **kept,
        ),
        siasn_row(
            data.kabid_nip,
            "Bayu Ardiansyah",
            bidang,
            jabatan="Kepala Bidang PPEPD",
            jenis_jabatan="1",
            golongan="41",
            gelar_belakang="S.E., M.E.",
            kedudukan="02",  # Cuti di Luar Tanggungan Negara
            kedudukan_hukum_nama="CLTN",
            **kept,
            **below_opd,
        ),
        siasn_row(
            NEW_KABID,
            "Dewi Kartikasari",
            bidang,
            jabatan="Kepala Bidang PPEPD",
            jenis_jabatan="1",
            golongan="41",
            gelar_belakang="S.T., M.T.",
            tmt_jabatan="02-03-2026",
            **below_opd,
        ),
        siasn_row(
            data.staf_nip,
            "Yeti Ela Rostika",
            bidang,
            jabatan="Perencana Ahli Pertama",
            jenis_jabatan="2",
            golongan="31",
            gelar_belakang="S.Si.",
            **kept,
            **below_opd,
        ),
        # Excel turned this NIP into a number; the other row has a golongan SIASN does not know.
        siasn_row("1.99103E+17", "Rizky Maulana", bidang, golongan="31", **below_opd),
        siasn_row("199406152019031004", "Andi Saputra", bidang, golongan="35", **below_opd),
    ]
    path = tmp_path / "ekspor_data_asn_bappeda.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    return path


def _wait_for(page, text: str, tries: int = 40) -> None:
    for _ in range(tries):  # the run works in the background; reload until it is done
        if text in page.inner_text("main"):
            return
        page.wait_for_timeout(500)
        page.reload()
    raise AssertionError(f"'{text}' did not appear on {page.url}")


def test_a_new_superior_from_the_export_shows_on_the_employee_and_in_the_findings(
    live_server, page, tmp_path
):
    from tests.e2e.seed import approve_staff_skp, link_bappeda_to_siasn, seed_bappeda

    app = live_server.app
    data = seed_bappeda(app)
    approve_staff_skp(app, data)  # Yeti's approved SKP intervenes an RHK of Bayu, her Kabid
    units = link_bappeda_to_siasn(app, data)
    export = _export_with_a_new_superior(tmp_path, data, units)
    page.on("dialog", lambda d: d.accept())
    base = live_server.url
    login_as(page, base, "bkpsdm", "Demo12345")

    page.goto(f"{base}/sinkronisasi/")
    page.check("input[name=source][value='siasn-csv']")
    page.set_input_files("#berkas", str(export))
    page.click("button:has-text('Baca sumber dan buat rencana')")
    page.wait_for_load_state("networkidle")
    _wait_for(page, "Terapkan rencana")
    plan = page.inner_text("main")
    assert "Dewi Kartikasari" in plan and "Bayu Ardiansyah" in plan
    run_url = page.url.split("?")[0]
    page.goto(f"{run_url}?tab=karantina")
    quarantine = page.inner_text("main")
    assert "Rizky Maulana" in quarantine and "Andi Saputra" in quarantine
    assert "tidak ada dalam tabel golongan" in quarantine

    page.goto(run_url)
    page.click("button:has-text('Terapkan rencana')")
    page.wait_for_load_state("networkidle")
    _wait_for(page, "Diterapkan")
    assert "Atasan berubah: 1 pegawai; tautan RHK ditandai: 1" in page.inner_text("main")
    shot(page, "sinkronisasi-atasan-baru-diterapkan")

    # Yeti's page names her new superior.
    page.goto(f"{base}/pegawai/{data.staf_id}")
    superiors = page.locator("ol.chain li").all_inner_texts()
    assert superiors and "Dewi Kartikasari" in superiors[0]
    assert not any("Bayu" in s for s in superiors)
    shot(page, "sinkronisasi-atasan-baru")

    # The cascade findings of Bappeda show her RHK still intervening Bayu's.
    page.goto(f"{base}/cascading/temuan?opd={data.opd_id}&code=PARENT_NOT_PENILAI")
    row = page.locator("tr.temuan[data-code='PARENT_NOT_PENILAI']")
    assert row.count() == 1
    text = row.inner_text()
    assert "Induk bukan milik pejabat penilai" in text
    assert "Tersedianya data capaian indikator kinerja daerah triwulanan" in text
    assert "Bayu Ardiansyah" in text and "bukan lagi pejabat penilai" in text
    shot(page, "sinkronisasi-temuan-atasan-baru")
