"""``skp cascade``: check the cascade of a periode from the command line.

``skp cascade check --periode 2026 [--opd ID] [--json]`` prints the findings (a table grouped
by OPD and code, or JSON) and exits with 1 when there are errors, 0 when there are none, and
2 for bad input (unknown periode or OPD), so that a scheduled job or CI can act on it. The
whole periode is checked on two processes on a machine with two cores or more
(``SKP_CASCADE_WORKERS``; see :mod:`skp_app.cascading.fullcheck`).
"""

from __future__ import annotations

import json
from collections import defaultdict

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from skp_app.cascading.charts import SEVERITY_LABELS
from skp_app.cascading.fullcheck import check_periode
from skp_app.cascading.queries import cascade_for, opd_names
from skp_app.cascading.rules import FINDING_CODES, SEVERITIES, summarize
from skp_app.extensions import db

EXIT_OK, EXIT_ERRORS, EXIT_BAD_INPUT = 0, 1, 2


@click.group("cascade", help="Pemeriksaan cascading kinerja (RPJMD → OPD → SKP).")
def cli() -> None:
    pass


def _bad_input(message: str, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"error": "invalid_input", "message": message}, ensure_ascii=False))
    click.echo(f"Kesalahan: {message}", err=True)
    click.get_current_context().exit(EXIT_BAD_INPUT)


@cli.command("check")
@click.option("--periode", "tahun", type=int, required=True, help="Tahun periode, mis. 2026.")
@click.option("--opd", "opd_id", type=int, default=None, help="Hanya OPD dengan id ini.")
@click.option("--json", "as_json", is_flag=True, help="Cetak hasil sebagai JSON.")
@with_appcontext
def check(tahun: int, opd_id: int | None, as_json: bool) -> None:
    """Check the cascade of a periode (or one OPD) and print the findings.

    Exit status: 0 no errors (warnings allowed), 1 errors found, 2 bad input.
    """
    from skp_app.org.models import UnitOrganisasi
    from skp_app.planning.models import Periode

    session = db.session
    known = list(session.scalars(select(Periode.tahun).order_by(Periode.tahun)))
    if tahun not in known:
        others = ", ".join(str(t) for t in known) or "belum ada"
        _bad_input(f"Periode {tahun} tidak ditemukan (periode yang ada: {others}).", as_json)
    if opd_id is not None:
        unit = session.get(UnitOrganisasi, opd_id)
        if unit is None:
            _bad_input(f"OPD dengan id {opd_id} tidak ditemukan.", as_json)
        if not unit.is_opd:
            _bad_input(
                f"Unit {opd_id} ({unit.nama}) bukan OPD; gunakan id perangkat daerah.", as_json
            )

    if opd_id is None:
        result = check_periode(session, tahun, workers=current_app.config["SKP_CASCADE_WORKERS"])
        findings, owner_names = result.findings, result.names
    else:
        graph, findings = cascade_for(session, tahun, opd_id)
        people = graph.graph.get("people") or {}
        owner_names = {p.pegawai_id: p.name for p in people.values()}
    names = opd_names(session, [f.opd_id for f in findings] + [opd_id])
    summary = summarize(findings)
    errors = summary["by_severity"].get("error", 0)

    if as_json:
        payload = {
            "periode": tahun,
            "opd_id": opd_id,
            "opd_nama": names.get(opd_id) if opd_id is not None else None,
            "summary": summary,
            "errors": errors,
            "findings": [
                {
                    **f.to_dict(),
                    "title": FINDING_CODES[f.code].title if f.code in FINDING_CODES else f.code,
                    "owner_name": owner_names.get(f.owner_pegawai_id),
                    "opd_nama": names.get(f.opd_id),
                }
                for f in findings
            ],
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        _print_table(tahun, opd_id, findings, summary, names, owner_names)
    click.get_current_context().exit(EXIT_ERRORS if errors else EXIT_OK)


def _print_table(tahun, opd_id, findings, summary, names, owner_names) -> None:
    scope = f" {names.get(opd_id, f'OPD {opd_id}')}" if opd_id is not None else ""
    counts = ", ".join(
        f"{summary['by_severity'][s]} {SEVERITY_LABELS[s].lower()}" for s in SEVERITIES
    )
    click.echo(
        f"Pemeriksaan cascading{scope} periode {tahun}: {summary['total']} temuan ({counts})."
    )
    if not findings:
        click.echo("Cascading selaras: tidak ada temuan.")
        return
    by_opd: dict[int | None, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for f in findings:
        by_opd[f.opd_id][f.code].append(f)
    order = sorted(by_opd, key=lambda o: (o is None, names.get(o, ""), o or 0))
    for opd in order:
        codes = by_opd[opd]
        total = sum(len(v) for v in codes.values())
        title = names.get(opd, "Tanpa OPD") if opd is not None else "Tanpa OPD"
        click.echo("")
        click.echo(f"== {title}" + (f" (id {opd})" if opd is not None else "") + f": {total}")
        for code in sorted(codes, key=lambda c: (SEVERITIES.index(codes[c][0].severity), c)):
            items = codes[code]
            info = FINDING_CODES.get(code)
            title = info.title if info else code
            rule = f" [{info.rule}]" if info else ""
            click.echo(f"  {code} · {title}{rule}: {len(items)}")
            for f in items:
                sev = SEVERITY_LABELS.get(f.severity, f.severity)
                owner = owner_names.get(f.owner_pegawai_id, "-")
                where = ", ".join(f.nodes) if f.nodes else "-"
                click.echo(f"    - [{sev}] {where} · {owner}: {f.message}")
