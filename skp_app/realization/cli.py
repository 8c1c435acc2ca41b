"""``skp recap``: run the monthly TPP recap synchronously and print or write its export.

Exit codes: 0 done; 1 the recap was refused (no TPP policy in force, invalid instansi
settings, no instansi); 2 bad arguments (``--bulan`` missing, not ``YYYY-MM`` or a future
month, an unknown ``--opd``, ``--format xlsx`` without ``--output``).

``skp recap rebuild-totals [--bulan YYYY-MM] [--json]`` recomputes the monthly totals the
recap reads (:mod:`skp_app.realization.totals`) from the raw rows, after a manual fix in the
database; every write of the application keeps them up to date by itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from skp_app.extensions import db
from skp_app.realization import tpp_recap as rc


def _bulan(ctx, param, value):  # noqa: ARG001 - click callback signature
    if value is None:
        return None
    try:
        return rc.parse_bulan(value)
    except rc.RecapValidationError as exc:
        raise click.BadParameter(str(exc)) from None


@click.group(
    "recap",
    invoke_without_command=True,
    help="Rekap TPP bulanan (poin, capaian, dasar TPP) untuk seluruh OPD atau satu OPD.",
)
@click.option(
    "--bulan",
    callback=_bulan,
    metavar="YYYY-MM",
    help="Bulan rekap, misalnya 2026-03.",
)
@click.option("--opd", "opd_id", type=int, default=None, metavar="ID", help="Id OPD (unit).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "csv", "json"]),
    default="csv",
    show_default=True,
    help="Format ekspor.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Tulis ekspor ke berkas ini (wajib untuk xlsx); tanpa ini dicetak ke layar.",
)
@click.pass_context
@with_appcontext
def cli(
    ctx: click.Context,
    bulan: tuple[int, int] | None,
    opd_id: int | None,
    fmt: str,
    output: Path | None,
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    if bulan is None:
        raise click.UsageError("Missing option '--bulan' (format YYYY-MM, misalnya 2026-03).")
    tahun, nomor_bulan = bulan
    if fmt == "xlsx" and output is None:
        raise click.UsageError("Format xlsx memerlukan --output PATH (berkas biner).")
    try:
        recap = rc.run_recap(db.session, tahun, nomor_bulan, opd_id=opd_id, actor="cli")
    except rc.RecapValidationError as exc:
        db.session.rollback()
        field = next(iter(exc.fields), "")
        option = {"opd_id": "--opd", "bulan": "--bulan"}.get(field, "")
        raise click.BadParameter(str(exc), param_hint=option or None) from None
    except rc.RecapError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    content, _, filename = rc.export_recap(db.session, recap, fmt)
    if output is not None:
        output.write_bytes(content)
        click.echo(rc.recap_summary_line(recap), err=True)
        click.echo(f"Ekspor {fmt} ditulis ke {output}", err=True)
        return
    click.echo(rc.recap_summary_line(recap), err=True)
    click.echo(content.decode("utf-8-sig"), nl=False)


@cli.command(
    "rebuild-totals",
    help=(
        "Hitung ulang total bulanan yang dibaca rekap (poin, kehadiran, realisasi kumulatif) "
        "dari data mentah, misalnya setelah perbaikan manual di basis data."
    ),
)
@click.option(
    "--bulan",
    callback=_bulan,
    metavar="YYYY-MM",
    help="Hanya bulan ini (realisasi kumulatif: tahunnya); tanpa ini semua bulan.",
)
@click.option("--json", "as_json", is_flag=True, help="Cetak hasil sebagai JSON.")
@with_appcontext
def rebuild_totals(bulan: tuple[int, int] | None, as_json: bool) -> None:
    from skp_app.realization.totals import rebuild_monthly_totals

    result = rebuild_monthly_totals(db.session, bulan)
    db.session.commit()
    if as_json:
        click.echo(json.dumps(result.to_dict()))
        return
    months = ", ".join(result.to_dict()["bulan"]) or "-"
    click.echo(
        f"Total bulanan dihitung ulang: {result.pegawai_rows} baris pegawai × bulan "
        f"({months}), {result.realisasi_rows} baris realisasi kumulatif IKI × tahun "
        f"({', '.join(map(str, result.tahun)) or '-'})."
    )
