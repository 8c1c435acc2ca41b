"""Files produced by background jobs (exports): where they are written, who may fetch them and
when they are removed.

A job writes its file to :func:`output_path` (``<instance>/job-files/<job id>/<name>``, or
``SKP_JOB_FILES_DIR``) and returns :func:`file_result` as (part of) its result, so the job row
records the name, type and size. The domain that started the job serves it with
:func:`send_job_file` after its own scope check and :func:`can_download_job_file` (the user who
started the job, or an admin). Files older than ``SKP_JOB_FILES_DAYS`` (default 7) are removed
whenever a job writes a new file; the job row stays, :func:`job_file` then returns None.

With RQ workers on other hosts, ``SKP_JOB_FILES_DIR`` must be storage shared with the web
processes (the job row is in the database, the file is not).
"""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Response, current_app, send_file

from skp_app.jobs.models import Job

__all__ = [
    "JobFile",
    "can_download_job_file",
    "file_result",
    "files_root",
    "job_file",
    "output_path",
    "purge_job_files",
    "send_job_file",
]

DEFAULT_KEEP_DAYS = 7
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class JobFile:
    """A job's file that is still on disk."""

    path: Path
    download_name: str
    mimetype: str
    size: int


def files_root() -> Path:
    """Return the folder holding the job files of this app."""
    configured = current_app.config.get("SKP_JOB_FILES_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "job-files"


def keep_days() -> int:
    """Return how many days a job file is kept."""
    return int(current_app.config.get("SKP_JOB_FILES_DAYS") or DEFAULT_KEEP_DAYS)


def _safe_name(name: str) -> str:
    clean = _UNSAFE.sub("-", Path(name or "").name).strip(".-")
    return clean[:120] or "hasil"


def output_path(job_id: int, filename: str) -> Path:
    """Return the path a job writes ``filename`` to (its folder created, old files purged)."""
    purge_job_files()
    folder = files_root() / str(int(job_id))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / _safe_name(filename)


def file_result(path: Path, *, download_name: str, mimetype: str) -> dict:
    """Return the ``{"file": ...}`` part of a job result describing the file at ``path``."""
    return {
        "file": {
            "name": path.name,
            "download_name": download_name,
            "mimetype": mimetype,
            "size": path.stat().st_size,
        }
    }


def job_file(job: Job) -> JobFile | None:
    """Return the file of a finished job, or None (no file, failed job or already removed)."""
    meta = (job.result or {}).get("file") if job.status == "done" else None
    if not isinstance(meta, dict) or not meta.get("name"):
        return None
    path = files_root() / str(int(job.id)) / _safe_name(str(meta["name"]))
    if not path.is_file():
        return None
    return JobFile(
        path,
        str(meta.get("download_name") or path.name),
        str(meta.get("mimetype") or "application/octet-stream"),
        path.stat().st_size,
    )


def can_download_job_file(user, job: Job) -> bool:
    """The user who started the job, or an admin (the domain checks its own scope as well)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if job.created_by_id is not None and job.created_by_id == user.id:
        return True
    return user.has_role("admin")


def send_job_file(item: JobFile) -> Response:
    """Send a job file as a download that no cache keeps."""
    response = send_file(
        item.path,
        mimetype=item.mimetype,
        as_attachment=True,
        download_name=item.download_name,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def purge_job_files(days: int | None = None, *, now: float | None = None) -> int:
    """Remove the job folders last written more than ``days`` ago; return how many."""
    root = files_root()
    if not root.is_dir():
        return 0
    cutoff = (now if now is not None else time.time()) - (days or keep_days()) * 86400
    removed = 0
    for folder in root.iterdir():
        if folder.is_dir() and folder.name.isdigit() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
