"""`tolk worker`: an RQ worker for Tolk's queue that survives Redis going away (registered lazily: only this
command loads RQ and Redis)."""

from __future__ import annotations

import contextlib
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from redis.exceptions import RedisError

from tolk import create_app
from tolk.queue import redis_connection
from tolk.queue import worker as make_worker


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run queued jobs, then exit.")
@with_appcontext
def worker(burst: bool) -> None:
    """Run an RQ worker for Tolk's queue."""
    # Jobs run in the whole app (the one `tolk serve` builds), not in the command line's lighter one.
    if not current_app.extensions["tolk.web"]:
        with create_app().app_context():
            _work(burst)
    else:
        _work(burst)


def _work(burst: bool) -> None:
    # Packages schedule their recurring jobs here (the retention purge), so a bare worker runs them.
    for started in current_app.extensions.get("tolk.worker_started", []):
        started()
    click.echo(f"worker listening on queue {current_app.config['QUEUE_NAME']}")
    current = make_worker()
    while True:
        try:
            current.work(burst=burst, with_scheduler=True)
            return
        except RedisError as exc:
            if burst:
                raise
            # RQ quits when Redis goes away in the middle of a job. A new worker takes over once Redis answers
            # again; the interrupted job is re-queued as abandoned, and the old scheduler's lock (kept by a
            # persistent Redis) is released so the new scheduler need not wait for it to expire.
            click.echo(f"worker: Redis connection lost ({type(exc).__name__}); starting again", err=True)
            _wait_for_redis()
            if current.scheduler is not None:
                with contextlib.suppress(RedisError):
                    current.scheduler.release_locks()
            current = make_worker()


def _wait_for_redis() -> None:
    """Block until the app's Redis answers a ping, checking every second."""
    while True:
        try:
            redis_connection().ping()
            return
        except RedisError:
            time.sleep(1)
