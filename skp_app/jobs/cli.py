"""``skp worker``: an RQ worker for background jobs (when REDIS_URL is set)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("worker", help="Jalankan worker RQ untuk pekerjaan latar (butuh REDIS_URL).")
@with_appcontext
def cli() -> None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException(
            "REDIS_URL belum diatur; tanpa Redis pekerjaan berjalan di thread."
        )
    from redis import Redis
    from rq import Queue, Worker

    conn = Redis.from_url(url)
    Worker([Queue("skp", connection=conn)], connection=conn).work()
