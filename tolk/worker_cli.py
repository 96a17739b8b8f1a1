"""`tolk worker`: an RQ worker for Tolk's queue that survives Redis going away (registered lazily: only this
command loads RQ and Redis)."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from types import FrameType

import click
from flask import current_app, g
from flask.cli import with_appcontext
from redis.exceptions import RedisError

from tolk import create_app
from tolk.queue import redis_connection
from tolk.queue import worker as make_worker


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run queued jobs, then exit (one process).")
@click.option("--processes", type=click.IntRange(min=1), help="Worker processes (default TOLK_WORKER_PROCESSES).")
@with_appcontext
def worker(burst: bool, processes: int | None) -> None:
    """Run Tolk's RQ workers: one process each, restarted when one dies."""
    # Jobs run in the whole app (the one `tolk serve` builds), not in the command line's lighter one.
    if not current_app.extensions["tolk.web"]:
        with create_app().app_context():
            _start(burst, processes)
    else:
        _start(burst, processes)


def _start(burst: bool, processes: int | None) -> None:
    # Packages schedule their recurring jobs here (the retention purge), so a bare worker runs them.
    for started in current_app.extensions.get("tolk.worker_started", []):
        started()
    count = 1 if burst else processes or int(current_app.config["WORKER_PROCESSES"])
    click.echo(f"worker listening on queue {current_app.config['QUEUE_NAME']} ({count} process(es))")
    if count == 1:
        _work(burst)
    else:
        _supervise(count)


def _supervise(count: int) -> None:
    """Fork ``count`` workers and keep that many running until SIGTERM or SIGINT, which are passed on (each
    worker finishes its job first, as RQ's warm shutdown does). Each fork opens its own database connections
    and Apertium pipelines, and keeps them from job to job."""
    # The start-up hooks may have used this context's session: no fork may share its connection.
    session = g.pop("_tolk_session", None)
    if session is not None:
        session.close()
    current_app.extensions["tolk.db"][0].dispose()
    children: dict[int, int] = {}
    stopping: list[int] = []

    def stop(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)

    def spawn(slot: int) -> None:
        pid = os.fork()
        if pid == 0:  # the worker: default signals again (RQ installs its own), its own work loop
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            code = 0
            threading.Thread(target=_watch_supervisor, args=(supervisor,), name="supervisor-watch", daemon=True).start()
            try:
                _work(burst=False, supervisor=supervisor)
            except BaseException:  # noqa: BLE001 - the supervisor sees the exit code and starts another
                code = 1
            finally:
                os._exit(code)
        children[pid] = slot

    supervisor = os.getpid()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for slot in range(count):
        spawn(slot)
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if pid not in children or stopping:
            children.pop(pid, None)
            continue
        slot = children.pop(pid)
        click.echo(f"worker: process {pid} ended ({_describe(status)}); starting another", err=True)
        time.sleep(1)
        spawn(slot)


def _watch_supervisor(supervisor: int) -> None:
    """End this worker process once its supervisor is gone (killed): RQ retries a lost Redis in its own loop, so
    an orphaned process would otherwise run on for good, holding its Apertium pipelines."""
    while os.getppid() == supervisor:
        time.sleep(1)
    os._exit(1)


def _describe(status: int) -> str:
    return f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit {os.WEXITSTATUS(status)}"


def _prepare_process() -> None:
    """Run the packages' per-process start-up hooks (``tolk.worker_process_started``: start Apertium's pipelines)
    in a long-lived job process, before its first job. A hook that fails is reported and skipped: what it would
    have prepared is built by the first job that needs it."""
    if current_app.config["WORKER_FORK_PER_JOB"]:
        return  # each job runs in a fresh fork: what this process prepared would not reach it
    for prepare in current_app.extensions.get("tolk.worker_process_started", []):
        try:
            prepare(current_app)
        except Exception as exc:  # noqa: BLE001 - a start-up step must never keep the worker from its queue
            click.echo(f"worker: start-up step {getattr(prepare, '__name__', prepare)} failed "
                       f"({type(exc).__name__}: {exc}); continuing", err=True)


def _work(burst: bool, supervisor: int | None = None) -> None:
    if not burst:
        _prepare_process()
    current = make_worker()
    while True:
        try:
            current.work(burst=burst, with_scheduler=True)
            return
        except RedisError as exc:
            if burst:
                raise
            if getattr(current, "_shutdown_requested_date", None) is not None:
                # Asked to stop (RQ notes the request there) and Redis went away while it shut down: a process
                # that waited for Redis here outlived its supervisor, holding its pipelines, for good.
                click.echo(f"worker: Redis connection lost ({type(exc).__name__}) while stopping; stopped", err=True)
                return
            # RQ quits when Redis goes away in the middle of a job. A new worker takes over once Redis answers
            # again; the interrupted job is re-queued as abandoned, and the old scheduler's lock (kept by a
            # persistent Redis) is released so the new scheduler need not wait for it to expire.
            click.echo(f"worker: Redis connection lost ({type(exc).__name__}); starting again", err=True)
            _wait_for_redis(supervisor)
            if current.scheduler is not None:
                with contextlib.suppress(RedisError):
                    current.scheduler.release_locks()
            current = make_worker()


def _wait_for_redis(supervisor: int | None = None) -> None:
    """Block until the app's Redis answers a ping, checking every second; a worker process whose supervisor
    (``supervisor``, its parent) has gone stops waiting and exits."""
    while True:
        try:
            redis_connection().ping()
            return
        except RedisError:
            if supervisor is not None and os.getppid() != supervisor:
                raise SystemExit(1) from None
            time.sleep(1)
