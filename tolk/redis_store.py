"""The app's Redis connection and its key names, apart from RQ (``tolk.queue``), for modules that only keep
values in Redis and may be imported while the ``tolk`` package itself is (``glossaries.compiled``)."""

from __future__ import annotations

from flask import Flask, current_app
from redis import Redis


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
