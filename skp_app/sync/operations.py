"""Sync verbs used by the pages, the API and the CLI: start a run, plan it, apply, discard.

Starting a run stores the uploaded file (checked by content, not by name) or the NIP list of an
API pull on a new :class:`SyncRun`; the plan and the apply then run as background jobs (or
inline from the CLI) through :mod:`skp_app.sync.engine`.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from skp_app.audit.operations import record
from skp_app.org.models import Pegawai
from skp_app.org.nip import InvalidNip, normalize_nip
from skp_app.sync import engine
from skp_app.sync.adapters import FILE_SOURCES, SOURCES, SyncSourceError, build_adapter
from skp_app.sync.adapters.mapping import validate_mapping
from skp_app.sync.adapters.tabular import is_xlsx
from skp_app.sync.engine import SyncError
from skp_app.sync.models import SyncMapping, SyncRun

__all__ = [
    "SyncError",
    "UploadRejected",
    "api_nip_list",
    "apply_run",
    "check_upload",
    "discard_run",
    "plan_run",
    "save_mapping",
    "start_run",
]

_SNIFF = 65536


class UploadRejected(SyncError):
    """The uploaded file is not what the chosen source reads."""


def check_upload(head: bytes, source: str) -> str:
    """Return ``"xlsx"`` or ``"csv"`` for the first bytes of an upload, or raise UploadRejected.

    The decision is made on the content: an XLSX is a ZIP holding a workbook; a CSV is text
    (no NUL bytes, decodable as UTF-8 or Windows-1252).
    """
    if not head:
        raise UploadRejected("Berkas kosong.")
    if head.startswith(b"PK\x03\x04"):
        if source != "tabular":
            raise UploadRejected(
                "Berkas ini XLSX/ZIP, bukan CSV. Untuk SIASN unggah berkas CSV hasil ekspor; "
                "untuk XLSX pilih sumber 'Tabel lain (CSV/XLSX)'."
            )
        return "xlsx"
    if b"\x00" in head:
        raise UploadRejected(
            "Berkas bukan teks CSV (berisi data biner atau berformat UTF-16). Simpan ulang "
            "sebagai 'CSV UTF-8'."
        )
    sample = head
    for enc in ("utf-8", "cp1252"):
        try:
            sample.decode(enc)
            break
        except UnicodeDecodeError as exc:
            if enc == "utf-8" and exc.start >= len(sample) - 4:
                break  # a multi-byte character cut by the sample boundary
    else:
        raise UploadRejected("Berkas bukan teks CSV yang terbaca (encoding tidak dikenal).")
    return "csv"


def _store_upload(stream, upload_dir: str, source: str, max_bytes: int) -> tuple[Path, str]:
    head = stream.read(_SNIFF)
    kind = check_upload(head, source)
    folder = Path(upload_dir) / "sync"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.{kind}"
    size = len(head)
    with path.open("wb") as out:
        out.write(head)
        while chunk := stream.read(1 << 20):
            size += len(chunk)
            if size > max_bytes:
                out.close()
                path.unlink(missing_ok=True)
                raise UploadRejected(
                    f"Berkas lebih besar dari batas {max_bytes // (1024 * 1024)} MB."
                )
            out.write(chunk)
    if kind == "xlsx" and not is_xlsx(path):
        path.unlink(missing_ok=True)
        raise UploadRejected("Berkas ZIP ini bukan buku kerja XLSX yang sah.")
    return path, kind


def api_nip_list(session: Session, extra_text: str = "") -> tuple[list[str], list[str]]:
    """Return the NIPs an API pull asks for, and the invalid lines of ``extra_text``.

    The NIPs are those of the employees (PNS and PPPK) already in the database plus the valid
    NIPs written in ``extra_text`` (one per line, or separated by commas or semicolons).
    """
    nips = set(
        session.scalars(
            select(Pegawai.nip).where(
                Pegawai.nip.is_not(None), Pegawai.jenis_asn.in_(["PNS", "PPPK"])
            )
        )
    )
    invalid = []
    for token in re.split(r"[\n,;]+", extra_text or ""):
        token = token.strip()
        if not token:
            continue
        try:
            nips.add(normalize_nip(token))
        except InvalidNip as exc:
            invalid.append(f"{token}: {exc}")
    return sorted(nips), invalid


def start_run(
    session: Session,
    source: str,
    *,
    actor,
    full_export: bool = True,
    upload=None,
    file_name: str = "",
    mapping: SyncMapping | None = None,
    nip_text: str = "",
    local_path: str | None = None,
    config: dict,
) -> SyncRun:
    """Create a queued run for ``source`` (store the upload or the NIP list); flushes only.

    ``upload`` is a binary stream (a file upload or an open file) that is copied to the upload
    folder; ``local_path`` (CLI) names a file on the server that is read where it is and never
    deleted. Raises SyncError or UploadRejected with a message for the user.
    """
    if source not in SOURCES:
        raise SyncError("Pilih sumber data yang dikenal.")
    params: dict = {}
    if source == "tabular" and mapping is None:
        raise SyncError("Pilih pemetaan kolom untuk berkas tabel.")
    if source in FILE_SOURCES:
        if local_path:
            path = Path(local_path).resolve()
            if not path.is_file():
                raise SyncError(f"Berkas {local_path} tidak ditemukan.")
            with path.open("rb") as fh:
                params["kind"] = check_upload(fh.read(_SNIFF), source)
            params["path"] = str(path)
            file_name = file_name or path.name
        elif upload is None:
            raise SyncError("Pilih berkas yang akan diunggah.")
        else:
            max_mb = int(config.get("SKP_SYNC_MAX_UPLOAD_MB", 50))
            path, kind = _store_upload(upload, config["SKP_UPLOAD_DIR"], source, max_mb << 20)
            params.update(path=str(path), kind=kind, owned_file=True)
    if source == "tabular":
        params.update(
            mapping=mapping.mapping,
            mapping_name=mapping.name,
            mapping_id=mapping.id,
            external_source=mapping.external_source,
        )
    if source == "siasn-api":
        nips, invalid = api_nip_list(session, nip_text)
        if invalid:
            raise SyncError("NIP tambahan tidak valid: " + "; ".join(invalid[:5]))
        if not nips:
            raise SyncError(
                "Belum ada pegawai di aplikasi dan tidak ada NIP tambahan: isi daftar NIP yang "
                "akan ditarik dari SIASN."
            )
        params["nips"] = nips
    run = SyncRun(
        source=source,
        status="queued",
        full_export=full_export,
        params=params,
        file_name=(file_name or "")[:255],
        created_by_id=getattr(actor, "id", None),
        progress_message="Menunggu giliran…",
    )
    session.add(run)
    session.flush()
    return run


def plan_run(
    session: Session,
    run: SyncRun,
    *,
    actor,
    config: dict,
    progress=None,
    batch_size: int | None = None,
) -> SyncRun:
    """Build the run's adapter and plan it (commits per batch; see ``engine.plan``).

    Raises SyncSourceError (the run is then ``plan_failed`` with the message) when the source
    cannot be read.
    """
    if run.status not in {"queued", "plan_failed"} and not (
        run.status == "planning" and run.is_stalled
    ):
        raise SyncError(f"Sinkronisasi berstatus '{run.status_label}' tidak dapat dibaca ulang.")
    try:
        adapter = build_adapter(run.source, run.params or {}, config)
    except SyncSourceError as exc:
        run.status = "plan_failed"
        run.error = str(exc)
        run.progress_message = "Gagal membaca sumber."
        session.commit()
        raise
    return engine.plan(
        session,
        adapter,
        full_export=run.full_export,
        actor=actor,
        run=run,
        batch_size=batch_size or int(config.get("SKP_SYNC_BATCH_SIZE", engine.DEFAULT_BATCH)),
        progress=progress,
    )


def _remove_upload(run: SyncRun) -> None:
    params = run.params or {}
    if params.get("path") and params.get("owned_file"):
        Path(params["path"]).unlink(missing_ok=True)


def apply_run(
    session: Session,
    run: SyncRun,
    *,
    actor,
    config: dict | None = None,
    progress=None,
    batch_size: int | None = None,
) -> SyncRun:
    """Apply a planned run (commits per batch) and delete its uploaded file afterwards."""
    size = batch_size or int((config or {}).get("SKP_SYNC_BATCH_SIZE", engine.DEFAULT_BATCH))
    run = engine.apply(session, run, actor=actor, batch_size=size, progress=progress)
    _remove_upload(run)
    return run


def discard_run(session: Session, run: SyncRun, *, actor) -> SyncRun:
    """Discard a plan that was not applied and delete its uploaded file; flushes only."""
    engine.discard(session, run, actor=actor)
    _remove_upload(run)
    return run


def save_mapping(
    session: Session,
    *,
    name: str,
    mapping: dict,
    actor,
    description: str = "",
    external_source: str = "tabular",
    existing: SyncMapping | None = None,
) -> SyncMapping:
    """Create or update a saved column mapping; flushes only. Raises SyncError when invalid."""
    name = (name or "").strip()
    if not name:
        raise SyncError("Nama pemetaan wajib diisi.")
    cleaned = {}
    for field, value in (mapping or {}).items():
        if isinstance(value, list):
            value = [str(v).strip() for v in value if str(v).strip()]
            if value:
                cleaned[field] = value if len(value) > 1 else value[0]
        elif value is not None and str(value).strip():
            cleaned[field] = str(value).strip()
    errors = validate_mapping(cleaned)
    if errors:
        raise SyncError(" ".join(errors))
    external_source = re.sub(r"[^a-z0-9_-]", "", (external_source or "tabular").lower())[:30]
    clash = session.scalar(select(SyncMapping).where(SyncMapping.name == name))
    if clash is not None and clash is not existing:
        raise SyncError(f"Pemetaan bernama '{name}' sudah ada.")
    row = existing or SyncMapping(created_by_id=getattr(actor, "id", None))
    before = {"name": row.name, "mapping": row.mapping} if existing else None
    row.name = name[:100]
    row.description = (description or "")[:300]
    row.mapping = cleaned
    row.external_source = external_source or "tabular"
    session.add(row)
    session.flush()
    record(
        session,
        "sync.mapping_save",
        "sync_mapping",
        row.id,
        actor=actor,
        before=before,
        after={"name": row.name, "mapping": cleaned},
        summary=f"Pemetaan kolom '{row.name}' disimpan",
    )
    return row
