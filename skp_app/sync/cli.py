"""``skp sync``: plan, apply, or plan-and-apply a personnel sync from the command line (cron).

Exit codes (for a scheduler):

* 0 — done (plan stored / plan applied) with no quarantined record;
* 1 — error: the source could not be read, the plan could not be applied, or a refusal
  (stale plan, already applied);
* 2 — usage error (unknown source, missing PATH or mapping, ``run`` without ``--yes``);
* 3 — applied, but some records were quarantined (``apply`` and ``run`` only; see the
  run's quarantine). ``plan`` exits 0 even with quarantined records: nothing was applied yet.
"""

from __future__ import annotations

import json
import sys

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from skp_app.extensions import db
from skp_app.sync import operations
from skp_app.sync.adapters import FILE_SOURCES, SOURCES, SyncSourceError
from skp_app.sync.engine import SyncError
from skp_app.sync.models import SyncMapping, SyncRun

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_QUARANTINE = 3

cli = AppGroup(
    "sync",
    help="Sinkronisasi data pegawai dari SIASN/SIMPEG (rencana → terapkan).",
    epilog="Kode keluar: 0 selesai tanpa karantina; 1 galat (sumber tak terbaca, penerapan "
    "gagal/ditolak); 2 salah pemakaian; 3 diterapkan tetapi ada data dikarantina "
    "(apply/run).",
)


def _summary(run: SyncRun) -> str:
    c = run.counts or {}
    lines = [
        f"Sinkronisasi #{run.id} ({run.source}): {run.status_label}",
        f"  dibaca {c.get('records', 0)}, baru {c.get('new', 0)}, berubah {c.get('changed', 0)}, "
        f"keluar {c.get('leaving', 0)}, tidak di sumber {c.get('not_in_source', 0)}, "
        f"tidak berubah {c.get('unchanged', 0)}, karantina {c.get('invalid', 0)}",
        f"  unit baru {c.get('units_new', 0)}, unit berubah {c.get('units_changed', 0)}, "
        f"jabatan baru {c.get('positions_new', 0)}, "
        f"jabatan berubah {c.get('positions_changed', 0)}",
    ]
    if run.applied_counts:
        lines.append(
            "  diterapkan: " + ", ".join(f"{k} {v}" for k, v in run.applied_counts.items())
        )
    lines += [f"  catatan: {w}" for w in run.warnings or []]
    if run.error:
        lines.append(f"  galat: {run.error}")
    return "\n".join(lines)


def _emit(run: SyncRun, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(run.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(_summary(run))


def _fail(message: str, run: SyncRun | None, as_json: bool) -> None:
    if as_json:
        payload = run.to_dict() if run is not None else {}
        payload["error"] = message
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    click.echo(f"Gagal: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _create(
    source: str, path: str | None, full: bool, mapping_name: str | None, nip_file: str | None
) -> SyncRun:
    if source not in SOURCES:
        raise click.UsageError(
            f"Sumber '{source}' tidak dikenal; pilih salah satu: {', '.join(SOURCES)}."
        )
    if source in FILE_SOURCES and not path:
        raise click.UsageError(f"Sumber {source} membutuhkan PATH berkas.")
    mapping = None
    if source == "tabular":
        if not mapping_name:
            raise click.UsageError("Sumber tabular membutuhkan --mapping NAMA.")
        mapping = db.session.scalar(select(SyncMapping).where(SyncMapping.name == mapping_name))
        if mapping is None:
            raise click.UsageError(f"Pemetaan '{mapping_name}' tidak ada.")
    nip_text = ""
    if nip_file:
        with open(nip_file, encoding="utf-8") as fh:
            nip_text = fh.read()
    run = operations.start_run(
        db.session,
        source,
        actor="cli",
        full_export=full,
        local_path=path,
        mapping=mapping,
        nip_text=nip_text,
        config=current_app.config,
    )
    db.session.commit()
    return run


def _plan(run: SyncRun, as_json: bool) -> SyncRun:
    try:
        return operations.plan_run(db.session, run, actor="cli", config=current_app.config)
    except (SyncSourceError, SyncError) as exc:
        db.session.rollback()
        _fail(str(exc), db.session.get(SyncRun, run.id), as_json)


def _apply(run: SyncRun, as_json: bool) -> SyncRun:
    try:
        return operations.apply_run(db.session, run, actor="cli", config=current_app.config)
    except SyncError as exc:
        db.session.rollback()
        _fail(str(exc), db.session.get(SyncRun, run.id), as_json)
    except Exception as exc:  # noqa: BLE001 — the run is apply_failed; report and exit 1
        db.session.rollback()
        _fail(f"{type(exc).__name__}: {exc}", db.session.get(SyncRun, run.id), as_json)


_source_arg = click.argument("source", metavar="SOURCE")
_path_arg = click.argument("path", required=False, type=click.Path(dir_okay=False))
_full_opt = click.option(
    "--full/--partial",
    "full",
    default=True,
    help="Ekspor lengkap (tandai yang tidak ada di sumber) atau sebagian.",
)
_json_opt = click.option("--json", "as_json", is_flag=True, help="Cetak hasil sebagai JSON.")
_mapping_opt = click.option("--mapping", "mapping_name", help="Nama pemetaan kolom (tabular).")
_nips_opt = click.option(
    "--nip-file",
    type=click.Path(exists=True, dir_okay=False),
    help="Berkas NIP tambahan untuk siasn-api (satu per baris).",
)


@cli.command(
    "plan",
    help="Baca SOURCE (siasn-csv PATH, tabular PATH, siasn-api, simpeg-api) "
    "dan simpan rencananya tanpa mengubah data pegawai.",
)
@_source_arg
@_path_arg
@_full_opt
@_json_opt
@_mapping_opt
@_nips_opt
@click.option(
    "--resume",
    "resume_id",
    type=int,
    help="Lanjutkan pembacaan RUN_ID yang gagal atau terputus (siasn-api, simpeg-api: dari "
    "data/halaman sesudah yang terakhir tersimpan).",
)
def plan_command(source, path, full, as_json, mapping_name, nip_file, resume_id):
    if resume_id:
        run = db.session.get(SyncRun, resume_id)
        if run is None:
            raise click.UsageError(f"Sinkronisasi #{resume_id} tidak ada.")
        if run.source != source:
            raise click.UsageError(
                f"Sinkronisasi #{resume_id} membaca sumber {run.source}, bukan {source}."
            )
    else:
        try:
            run = _create(source, path, full, mapping_name, nip_file)
        except SyncError as exc:
            db.session.rollback()
            _fail(str(exc), None, as_json)
    run = _plan(run, as_json)
    _emit(run, as_json)
    sys.exit(EXIT_OK)


@cli.command("apply", help="Terapkan rencana RUN_ID (dilanjutkan bila sebelumnya terputus).")
@click.argument("run_id", type=int)
@_json_opt
def apply_command(run_id, as_json):
    run = db.session.get(SyncRun, run_id)
    if run is None:
        raise click.UsageError(f"Sinkronisasi #{run_id} tidak ada.")
    run = _apply(run, as_json)
    _emit(run, as_json)
    sys.exit(EXIT_QUARANTINE if run.quarantined else EXIT_OK)


@cli.command("run", help="Baca SOURCE lalu langsung terapkan (untuk cron; butuh --yes).")
@_source_arg
@_path_arg
@_full_opt
@_json_opt
@_mapping_opt
@_nips_opt
@click.option("--yes", is_flag=True, help="Terapkan tanpa tinjauan.")
def run_command(source, path, full, as_json, mapping_name, nip_file, yes):
    if not yes:
        raise click.UsageError("'skp sync run' menerapkan tanpa tinjauan: tambahkan --yes.")
    try:
        run = _create(source, path, full, mapping_name, nip_file)
    except SyncError as exc:
        db.session.rollback()
        _fail(str(exc), None, as_json)
    run = _plan(run, as_json)
    run = _apply(run, as_json)
    _emit(run, as_json)
    sys.exit(EXIT_QUARANTINE if run.quarantined else EXIT_OK)


@cli.command("list", help="Daftar sinkronisasi terakhir.")
@click.option("--limit", default=20, show_default=True)
@_json_opt
def list_command(limit, as_json):
    runs = list(db.session.scalars(select(SyncRun).order_by(SyncRun.id.desc()).limit(limit)))
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in runs], ensure_ascii=False, indent=2))
        return
    for r in runs:
        c = r.counts or {}
        click.echo(
            f"#{r.id}\t{r.source}\t{r.status}\tbaru {c.get('new', 0)}\tberubah "
            f"{c.get('changed', 0)}\tkarantina {c.get('invalid', 0)}"
        )
