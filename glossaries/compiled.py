"""Compiled term matchers shared by every process: kept in Redis by glossary version.

Compiling a glossary's matchers analyses every term (lemmas, stems); at 10,000 terms that took 15 s under
load, inside the first request after the glossary changed, and again in every web and worker process.
A matcher built from a stored glossary version (``Termbase.revision``: database, id, version, last
change) is the same in every process, so whoever builds it first keeps it here (pickled, as RQ keeps its
jobs in the same Redis) and the others load it. ``glossaries.checkers`` builds them when a glossary is
saved. Redis being away only means building in the process, as before.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import time
from collections.abc import Hashable
from typing import Any

from flask import has_app_context
from redis.exceptions import RedisError

from tolk.redis_store import redis_connection, redis_key

log = logging.getLogger(__name__)

#: Bump when the classes pickled here change shape: older entries are then not read.
FORMAT = 2
#: Seconds a compiled matcher is kept (a version not used for a week is built again when needed).
TTL = 7 * 86400
#: After a Redis failure, seconds during which the store is not asked again (each try could wait).
_PAUSE = 30.0
_paused_until = 0.0


def shareable(key: Hashable) -> bool:
    """Whether ``key`` names a stored glossary version (its last part is ``("revision", ...)``)."""
    last = key[-1] if isinstance(key, tuple) and key else None
    return isinstance(last, tuple) and len(last) == 2 and last[0] == "revision" and has_app_context()


def _redis_key(key: Hashable) -> str:
    return redis_key("glossary-compiled", FORMAT, hashlib.sha256(repr(key).encode()).hexdigest())


def _failed(exc: Exception) -> None:
    global _paused_until  # noqa: PLW0603 - one pause for the process
    _paused_until = time.monotonic() + _PAUSE
    log.warning("compiled glossary matchers not shared (%s: %s)", type(exc).__name__, exc)


def fetch(key: Hashable) -> Any | None:
    """The value kept for ``key``, or None (none kept, or Redis unavailable)."""
    if time.monotonic() < _paused_until:
        return None
    try:
        data = redis_connection().get(_redis_key(key))
        if not isinstance(data, bytes):
            return None
        return pickle.loads(data)  # noqa: S301 - written by this code into our own Redis, as RQ's jobs are
    except (RedisError, pickle.UnpicklingError, AttributeError, ImportError, EOFError) as exc:
        _failed(exc)
        return None


def keep(key: Hashable, value: Any) -> None:
    """Keep ``value`` for other processes (best effort)."""
    if time.monotonic() < _paused_until:
        return
    try:
        redis_connection().set(_redis_key(key), pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), ex=TTL)
    except (RedisError, pickle.PicklingError, TypeError, RecursionError) as exc:
        _failed(exc)


def kept(key: Hashable) -> bool:
    """Whether a value is kept for ``key`` (False when Redis is unavailable)."""
    try:
        return bool(redis_connection().exists(_redis_key(key)))
    except RedisError:
        return False
