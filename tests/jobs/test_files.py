"""Files written by background jobs: location, who may fetch them, expiry."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from skp_app.jobs import files
from skp_app.jobs.models import Job


@pytest.fixture
def root(app, tmp_path):
    app.config["SKP_JOB_FILES_DIR"] = str(tmp_path / "job-files")
    yield tmp_path / "job-files"
    app.config.pop("SKP_JOB_FILES_DIR", None)


def _done(session, path, user_id=None, **meta) -> Job:
    job = Job(kind="contoh", status="done", created_by_id=user_id)
    session.add(job)
    session.flush()
    target = files.output_path(job.id, "laporan.xlsx")
    target.write_bytes(b"isi")
    job.result = files.file_result(target, download_name="Laporan Maret.xlsx", mimetype="x/y")
    job.result["file"].update(meta)
    session.commit()
    return job


def test_files_live_under_the_instance_folder_by_default(app):
    app.config.pop("SKP_JOB_FILES_DIR", None)
    assert files.files_root() == Path(app.instance_path) / "job-files"


def test_a_finished_job_file_is_found_with_its_name_and_type(app, session, root):
    job = _done(session, root)
    item = files.job_file(job)
    assert item.path == root / str(job.id) / "laporan.xlsx"
    assert (item.download_name, item.mimetype, item.size) == ("Laporan Maret.xlsx", "x/y", 3)
    with app.test_request_context():
        resp = files.send_job_file(item)
        assert resp.headers["Cache-Control"] == "private, no-store"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert "attachment" in resp.headers["Content-Disposition"]


def test_a_stored_name_cannot_leave_the_job_folder(session, root):
    secret = root / "rahasia.txt"
    root.mkdir(parents=True, exist_ok=True)
    secret.write_text("x")
    job = _done(session, root, name="../rahasia.txt")
    assert files.job_file(job) is None
    assert files.output_path(job.id, "../../etc/passwd").parent == root / str(job.id)


def test_no_file_for_unfinished_failed_or_fileless_jobs(session, root):
    job = _done(session, root)
    for status in ("queued", "running", "failed"):
        job.status = status
        assert files.job_file(job) is None
    job.status = "done"
    job.result = {"value": 3}
    assert files.job_file(job) is None


class _User:
    is_authenticated = True

    def __init__(self, uid, roles=()):
        self.id = uid
        self._roles = set(roles)

    def has_role(self, *roles):
        return bool(self._roles & set(roles))


class _Anonymous:
    is_authenticated = False


def test_only_the_starter_or_an_admin_may_download():
    job = Job(kind="contoh", created_by_id=7)
    assert files.can_download_job_file(_User(7), job)
    assert files.can_download_job_file(_User(1, ["admin"]), job)
    assert not files.can_download_job_file(_User(8, ["hr", "pimpinan"]), job)
    assert not files.can_download_job_file(_Anonymous(), job)
    assert not files.can_download_job_file(_User(None), Job(kind="contoh", created_by_id=None))


def test_old_files_are_purged_and_new_ones_kept(session, root, app):
    old, new = _done(session, root), _done(session, root)
    week_ago = time.time() - 8 * 86400
    os.utime(root / str(old.id), (week_ago, week_ago))
    assert files.purge_job_files() == 1
    assert files.job_file(old) is None and files.job_file(new) is not None
    app.config["SKP_JOB_FILES_DAYS"] = 30
    try:
        os.utime(root / str(new.id), (week_ago, week_ago))
        files.output_path(999, "x.xlsx")  # writing a new file purges first
        assert files.job_file(new) is not None
    finally:
        app.config.pop("SKP_JOB_FILES_DAYS", None)
