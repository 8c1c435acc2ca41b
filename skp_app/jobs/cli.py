"""``skp jobs``: the RQ worker for background jobs and the clean-up of dead ones."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from skp_app.extensions import db


@click.group("jobs", help="Pekerjaan latar: worker RQ dan pembersihan pekerjaan yang terhenti.")
def cli() -> None:
    pass


@cli.command("worker", help="Jalankan worker RQ untuk pekerjaan latar (butuh REDIS_URL).")
@with_appcontext
def worker() -> None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException(
            "REDIS_URL belum diatur; tanpa Redis pekerjaan berjalan di thread."
        )
    from redis import Redis
    from rq import Queue, Worker

    conn = Redis.from_url(url)
    Worker([Queue("skp", connection=conn)], connection=conn).work()


@cli.command("reap", help="Tandai gagal pekerjaan yang tidak memberi kabar (untuk cron).")
@click.option(
    "--minutes",
    type=click.IntRange(min=1),
    default=None,
    help="Batas menit tanpa kabar (bawaan: SKP_JOB_STALE_MINUTES, 30).",
)
@with_appcontext
def reap(minutes: int | None) -> None:
    from skp_app.jobs import reap_stale

    count = reap_stale(db.session, minutes=minutes)
    db.session.commit()
    click.echo(f"{count} pekerjaan terhenti ditandai gagal.")
