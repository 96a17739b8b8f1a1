"""Redis connection and the RQ queue; jobs take ids and run inside an app context."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app, has_app_context
from rq import Queue, Retry, SimpleWorker, Worker
from rq.exceptions import AbandonedJobError
from rq.executions import Execution
from rq.job import Job
from rq.worker import BaseWorker, WorkerStatus

from tolk import create_app
from tolk.redis_store import redis_connection
from tolk.redis_store import redis_key as redis_key  # callers import it from here too

#: Engine errors and lost workers are retried with backoff; RQ re-queues jobs of dead workers.
DEFAULT_RETRY = Retry(max=3, interval=[10, 30, 60])

_worker_app: Flask | None = None
log = logging.getLogger(__name__)


class _ShortHeartbeat:
    """RQ's job heartbeat, short, so a job whose worker died is found in seconds.

    RQ keeps a running job's heartbeat for the monitoring interval plus 60 s, and a worker looks for
    abandoned jobs every 10 minutes, while blocked on the queue for 405 s: a killed worker's job was
    picked up again after about 10 minutes. Here the heartbeat lasts three monitoring intervals and
    maintenance (abandoned jobs, restarting a scheduler that died with a Redis restart) runs every
    ``2 * heartbeat`` seconds.
    """

    job_monitoring_interval: int

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        return int(self.job_monitoring_interval) * 3


class TolkWorker(_ShortHeartbeat, SimpleWorker):
    """Runs each job in the worker process itself, so what a job builds (the engines, Apertium's pipelines,
    the glossary's matchers, the TM index maps) serves the next job too: RQ's default worker forks a process
    per job, which built them all again each time (an unchanged KB re-run took 1.2-4.3 s instead of 0.4 s).

    The job's heartbeat is kept by a thread while the job runs (RQ's forking worker keeps it from the parent),
    so a killed worker's job is still found in seconds; ``job_timeout`` is enforced by SIGALRM as before.
    A crash of the process ends only this worker: ``tolk worker`` starts another (``TOLK_WORKER_PROCESSES``).
    """

    def execute_job(self, job: Job, queue: Queue) -> None:
        execution = self.prepare_execution(job)
        done = threading.Event()
        beat = threading.Thread(target=self._beat, args=(job, execution, done), name="rq-heartbeat", daemon=True)
        beat.start()
        try:
            self.perform_job(job, queue, execution)
        finally:
            done.set()
            beat.join()
        self.set_state(WorkerStatus.IDLE)

    def _beat(self, job: Job, execution: Execution, done: threading.Event) -> None:
        while not done.wait(self.job_monitoring_interval):
            try:
                self.maintain_heartbeats(job, execution)
            except Exception as exc:  # noqa: BLE001 - Redis away: the main loop notices; keep beating after
                log.warning("worker heartbeat failed (%s)", type(exc).__name__)


class ForkingTolkWorker(_ShortHeartbeat, Worker):
    """RQ's default worker: a process forked per job (``TOLK_WORKER_FORK_PER_JOB``), which isolates jobs from
    each other at the cost of building every service again in each one."""


def requeue_abandoned_at_once(job: Job, exc_type: type, exc_value: BaseException, traceback: Any) -> bool:
    """RQ exception handler: a job abandoned by a dead worker is retried now, not after its retry interval.

    The intervals spare a failing vendor; a dead machine needs no such pause, and a delayed retry also waits
    for the dead worker's scheduler lock to expire (61 s). Only this retry's interval becomes 0.
    """
    if exc_type is AbandonedJobError and job.retry_intervals and job.retries_left:
        index = max(len(job.retry_intervals) - job.retries_left, 0)
        job.retry_intervals = [0 if i == index else v for i, v in enumerate(job.retry_intervals)]
    return True


def worker(app: Flask | None = None) -> BaseWorker:
    """A worker for the app's queue, with the heartbeat of ``TOLK_WORKER_HEARTBEAT``."""
    app = app or current_app
    beat = max(1, int(app.config["WORKER_HEARTBEAT"]))
    kind = ForkingTolkWorker if app.config["WORKER_FORK_PER_JOB"] else TolkWorker
    return kind([queue(app)], connection=redis_connection(app), job_monitoring_interval=beat,
                      maintenance_interval=2 * beat, worker_ttl=2 * beat + 15,
                      exception_handlers=[requeue_abandoned_at_once])


def queue(app: Flask | None = None) -> Queue:
    """The RQ queue shared by web processes and workers."""
    app = app or current_app
    return Queue(app.config["QUEUE_NAME"], connection=redis_connection(app))


def task(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run an RQ job function inside an app context (the worker builds one app per process)."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        # A fresh app context per job: a worker runs job after job in one process, and no job may inherit
        # another's session (a failed job's open transaction) or ``g``.
        global _worker_app
        if has_app_context():
            context = current_app.app_context()  # the proxy's method: a context of the app itself
        else:
            if _worker_app is None:
                _worker_app = create_app()
            context = _worker_app.app_context()
        with context:
            return fn(*args, **kwargs)

    return run


def enqueue_each(job: Callable[[int], Any], row_ids: Iterable[int], *, prefix: str) -> None:
    """Enqueue ``job(row_id)`` (retried with backoff) for rows already committed; with Redis down the rows
    stay pending, logged, for the sweep that enqueues them again (the durable row is the source of truth)."""
    for row_id in row_ids:
        try:
            queue().enqueue(job, row_id, retry=DEFAULT_RETRY, job_id=f"{prefix}-{row_id}")
        except Exception as exc:  # noqa: BLE001 - any Redis failure: the row waits for the sweep
            log.warning("%s %s not enqueued (%s); it stays pending", prefix, row_id, type(exc).__name__)
