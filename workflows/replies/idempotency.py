"""Idempotency keys of drafted replies: the same key sent again gets the first reply, never a second."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.orm import Session

from tolk.errors import Conflict
from tolk.models import User
from tolk.queue import redis_connection, redis_key
from workflows.models import Reply

#: How long a claimed idempotency key blocks the same key (a crashed request frees it after this).
CLAIM_SECONDS = 120
log = logging.getLogger(__name__)


def existing_reply(session: Session, agent: User, key: str) -> Reply | None:
    """The reply ``agent`` already drafted with idempotency ``key``, if any."""
    return session.scalar(select(Reply).where(Reply.agent_id == agent.id, Reply.idempotency_key == key))


def in_progress(key: str) -> Conflict:
    """The 409 for a key whose first request is still being drafted."""
    return Conflict(f"a request with idempotency key {key!r} is still being drafted; retry it shortly to get "
                    "its reply", code="idempotency_in_progress", retry_after=1)


def claim(agent: User, key: str) -> Callable[[], None] | None:
    """Claim ``key`` for this request across processes (Redis SET NX); returns its release, or None when
    another request holds it. With Redis down the database's unique constraint is the only guard."""
    name = redis_key("idempotency", agent.id, key)
    try:
        conn = redis_connection()
        if not conn.set(name, "1", nx=True, ex=CLAIM_SECONDS):
            return None
    except RedisError as exc:  # a Redis outage must not stop replies (docs/reliability.md)
        log.warning("idempotency key not claimed in Redis (%s); the unique constraint guards it", type(exc).__name__)
        return lambda: None

    def release() -> None:
        with contextlib.suppress(RedisError):  # the claim expires on its own
            conn.delete(name)

    return release
