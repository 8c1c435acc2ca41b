"""Journey: the progress page of a background job follows the job in the browser.

The page polls the job's status (static/js/app.js, ``data-job-status-url``): the bar and the
message move without a reload, and the page reloads itself once the job has ended.
"""

from __future__ import annotations

import pytest

from skp_app.dashboard import reports as rp
from skp_app.extensions import db
from skp_app.jobs.models import Job
from skp_app.org.models import Instansi
from tests.e2e.conftest import login_as
from tests.e2e.seed import hr_account

pytestmark = pytest.mark.e2e


def _update_job(app, job_id: int, **values) -> None:
    with app.app_context():
        job = db.session.get(Job, job_id)
        for key, value in values.items():
            setattr(job, key, value)
        db.session.commit()


def test_export_progress_moves_and_the_page_reloads_when_the_job_ends(live_server, page):
    app = live_server.app
    with app.app_context():
        db.session.add(Instansi(nama="Pemerintah Kabupaten Sukamaju"))
        user = hr_account()
        job = Job(
            kind=rp.EXPORT_JOB,
            params={"laporan": "beban-kerja", "tahun": 2026, "bulan": 3, "opd_id": None},
            created_by_id=user.id,
            status="running",
            progress=250,
            total=1000,
            message="Menulis baris",
        )
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    base = live_server.url
    login_as(page, base, "bkpsdm", "Demo12345")
    page.goto(f"{base}/ekspor/proses/{job_id}")
    assert page.get_attribute("#dash-ekspor-bar", "style") == "width: 25%"

    _update_job(app, job_id, progress=750, message="Menulis baris 750")
    page.wait_for_function(
        "document.getElementById('dash-ekspor-pesan').textContent.startsWith('75% · Menulis')"
    )
    assert page.get_attribute("#dash-ekspor-bar", "style") == "width: 75%;"
    assert page.get_attribute("[role=progressbar]", "aria-valuenow") == "75"

    _update_job(app, job_id, status="failed", message="Disk penuh")
    page.wait_for_selector("text=Ekspor gagal: Disk penuh")
    assert page.locator("[data-job-status-url]").count() == 0  # no more polling
