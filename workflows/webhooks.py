"""Signed webhooks (Standard Webhooks) so a helpdesk can pick up released and approved texts.

An event becomes one ``WebhookDelivery`` row per endpoint in the same transaction as the change it
reports, so it is durable even when Redis is down; the row's unique event id makes a retried job a
no-op once delivered. Delivery jobs are enqueued after that transaction commits (a session event), run
on RQ with retries; ``tolk webhooks redeliver`` re-enqueues rows still pending.

Redirects are never followed: the signed payload goes to the configured URL or nowhere. A 3xx answer
is a failed delivery like a 5xx (retried, then ``failed``), and each row keeps the status it last got.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import logging
import time
import uuid
from typing import Any

import requests
from flask import current_app
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from tolk.config import mask_url
from tolk.db import after_commit, db, utcnow
from tolk.queue import enqueue_each, task
from workflows.models import DeliveryStatus, WebhookDelivery

log = logging.getLogger(__name__)

EVENTS = ("reply.released", "reply.approved", "reply.rejected", "article.published", "engine.budget_warning",
          "engine.budget_exhausted", "review.assigned", "review.sla_at_risk", "review.escalated", "reply.awaiting_agent")


class DeliveryFailed(Exception):
    """The endpoint did not accept the delivery (a redirect or an error status): RQ retries the job."""


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value: ``v1,`` + base64 HMAC-SHA256 of ``id.timestamp.body``."""
    key = base64.b64decode(secret.removeprefix("whsec_")) if secret.startswith("whsec_") else secret.encode()
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(secret: str, headers: dict[str, str], body: bytes, *, tolerance: int = 300) -> bool:
    """Check a received webhook's signature and timestamp (what a helpdesk does on its side)."""
    try:
        ts = int(headers["webhook-timestamp"])
        expected = sign(secret, headers["webhook-id"], ts, body)
    except (KeyError, ValueError):
        return False
    if abs(time.time() - ts) > tolerance:
        return False
    return any(hmac.compare_digest(expected, s) for s in headers.get("webhook-signature", "").split())


def emit(session: Session, event_type: str, data: dict[str, Any], *, event_id: str | None = None) -> None:
    """Record the event for every configured endpoint; it is sent once the transaction commits.

    With no endpoint configured nothing is read or written. A fresh event (no ``event_id``) cannot exist yet,
    so only an event named by the caller is looked up first; the rows are written by the commit's flush.
    """
    assert event_type in EVENTS, event_type
    urls = current_app.config["WEBHOOK_URLS"]
    if not urls:
        return
    named = event_id is not None
    event_id = event_id or f"evt_{uuid.uuid4().hex}"
    payload = {"type": event_type, "timestamp": utcnow().isoformat(), "data": data}
    for url in urls:
        if named and session.scalar(select(WebhookDelivery.id).where(WebhookDelivery.event_id == event_id,
                                                                     WebhookDelivery.url == url)) is not None:
            continue
        row = WebhookDelivery(event_id=event_id, event_type=event_type, url=url, payload=payload)
        session.add(row)
        after_commit(session, functools.partial(_dispatch_committed, row))


def budget_notice(session: Session, notice: dict[str, Any]) -> None:
    """Tell the helpdesk an engine crossed 80% (warning) or 100% (exhausted) of its monthly budget."""
    kind = "engine.budget_exhausted" if notice["threshold"] >= 100 else "engine.budget_warning"
    emit(session, kind, notice, event_id=f"evt_budget_{notice['engine']}_{notice['month']}_{notice['threshold']}")


def _dispatch_committed(row: WebhookDelivery) -> None:
    # The primary key from the identity: no query, even where the commit expired the row. None when the row
    # was added inside a savepoint that rolled back.
    identity = inspect(row).identity
    if identity:
        dispatch([identity[0]])


def dispatch(delivery_ids: list[int]) -> None:
    """Enqueue delivery jobs; if Redis is unreachable the rows stay pending for `redeliver`."""
    enqueue_each(deliver, delivery_ids, prefix="webhook")


@task
def deliver(delivery_id: int) -> str:
    """Send one delivery; raise on failure so RQ retries it with backoff."""
    row = db.session.get(WebhookDelivery, delivery_id)
    if row is None or row.status == DeliveryStatus.DELIVERED:
        return "skipped"
    secret = current_app.config["WEBHOOK_SECRET"] or ""
    body = json.dumps(row.payload, separators=(",", ":"), ensure_ascii=False).encode()
    ts = int(time.time())
    headers = {"content-type": "application/json", "webhook-id": row.event_id, "webhook-timestamp": str(ts)}
    if secret:
        headers["webhook-signature"] = sign(secret, row.event_id, ts, body)
    row.attempts += 1
    failure = None
    try:
        # Never follow a redirect: it would send the signed payload to a URL nobody configured.
        response = requests.post(row.url, data=body, headers=headers, timeout=10, allow_redirects=False)
    except requests.RequestException as exc:
        row.last_status = None
        failure = f"{type(exc).__name__}: {mask_url(str(exc))[:300]}"
    else:
        row.last_status = response.status_code
        if 300 <= response.status_code < 400:
            where = mask_url(response.headers.get("Location") or "nowhere")[:300]
            failure = f"HTTP {response.status_code}: redirect to {where} not followed (webhooks never follow redirects)"
        elif response.status_code >= 400:
            failure = f"HTTP {response.status_code} {response.reason or ''}".strip()
    if failure is not None:
        row.last_error = failure
        row.status = DeliveryStatus.FAILED if row.attempts >= 4 else DeliveryStatus.PENDING
        db.session.commit()
        log.warning("webhook %s to %s failed (attempt %s): %s", row.id, mask_url(row.url), row.attempts, failure)
        raise DeliveryFailed(failure)
    row.status, row.delivered_at, row.last_error = DeliveryStatus.DELIVERED, utcnow(), None
    db.session.commit()
    return "delivered"


def redeliver(session: Session) -> int:
    """Re-enqueue every pending delivery (after Redis was down, or on worker start)."""
    ids = list(session.scalars(select(WebhookDelivery.id).where(WebhookDelivery.status == DeliveryStatus.PENDING)))
    dispatch(ids)
    return len(ids)
