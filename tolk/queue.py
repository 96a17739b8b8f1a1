"""Redis connection and the RQ queue; jobs take ids and run inside an app context."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from redis import Redis
from rq import Queue, Retry

#: Engine errors and lost workers are retried with backoff; RQ re-queues jobs of dead workers.
DEFAULT_RETRY = Retry(max=3, interval=[10, 30, 60])

_worker_app: Flask | None = None


def redis_connection(app: Flask | None = None) -> Redis:
    """The app's Redis client (one connection pool per app)."""
    app = app or current_app
    conn = app.extensions.get("tolk.redis")
    if conn is None:
        conn = Redis.from_url(app.config["REDIS_URL"], socket_timeout=5, socket_connect_timeout=2)
        app.extensions["tolk.redis"] = conn
    return conn


def redis_key(*parts: object, app: Flask | None = None) -> str:
    """A Redis key of this installation (namespaced by the queue name, so installations sharing a Redis,
    and tests, never see each other's keys)."""
    app = app or current_app
    return ":".join(["tolk", app.config["QUEUE_NAME"], *map(str, parts)])


def queue(app: Flask | None = None) -> Queue:
    """The RQ queue shared by web processes and workers."""
    app = app or current_app
    return Queue(app.config["QUEUE_NAME"], connection=redis_connection(app))


def task(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run an RQ job function inside an app context (the worker builds one app per process)."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        from flask import has_app_context

        if has_app_context():
            return fn(*args, **kwargs)
        global _worker_app
        if _worker_app is None:
            from tolk import create_app

            _worker_app = create_app()
        with _worker_app.app_context():
            return fn(*args, **kwargs)

    return run
