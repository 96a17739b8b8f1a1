"""Customer data over time: retention (purge texts older than the configured limits), erasure and access
requests per customer or ticket, and the egress audit.

Redacting keeps every row that carries a figure (routing decisions, engines, review outcomes, MQM
annotations, words, SLA times, engine costs) and removes only the texts and what identifies the customer,
so quality and cost reports over the past stay what they were; post-edit distance is computed over the
records that still have their texts.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from flask import current_app
from sqlalchemy import Delete, Update, delete, func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from lqa.models import CustomerFeedback, QualityRecord
from machinery.models import EngineCall, TmSegment
from machinery.pii import customer_key
from machinery.service import services
from machinery.translator import ticket_key
from tolk.auth import audit
from tolk.db import db, utcnow
from tolk.errors import NotFound, ValidationError
from tolk.models import AuditEvent
from tolk.queue import queue, task
from workflows.models import Reply, ReviewItem, WebhookDelivery

log = logging.getLogger(__name__)

#: What stands in for a removed ticket reference.
ERASED = "[erased]"
PURGE_JOB_ID = "privacy-purge"


@dataclass
class Redacted:
    """How many rows of each kind lost their texts (or were deleted) in one purge or erasure."""

    replies: int = 0
    review_items: int = 0
    quality_records: int = 0
    feedback: int = 0
    webhook_deliveries: int = 0
    webhooks_cancelled: int = 0
    tm_segments: int = 0
    engine_calls: int = 0
    audit_events: int = 0
    reply_ids: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if k != "reply_ids"}


def _rows(session: Session, statement: Update | Delete) -> int:
    """How many rows an UPDATE or DELETE touched."""
    return cast(CursorResult[Any], session.execute(statement)).rowcount


def _findings_without_text(findings: Sequence[Any]) -> list[dict[str, Any]]:
    """Findings keep their check and severity (counted in reports); messages may quote the text."""
    return [{k: f.get(k) for k in ("check", "severity", "code") if k in f} for f in findings if isinstance(f, dict)]


def _redact_reply(reply: Reply, now: dt.datetime, *, erase: bool) -> None:
    reply.source_text, reply.mt_text, reply.final_text, reply.back_translation = "", None, None, None
    reply.customer, reply.customer_key, reply.rejection_reason = None, None, None
    # The ticket's context is the customer's own text: it goes with the rest.
    reply.customer_message, reply.customer_message_translation, reply.thread = None, None, None
    reply.findings = _findings_without_text(reply.findings or [])
    reply.reasons = [{k: r.get(k) for k in ("code", "decision")} for r in reply.reasons or []]
    for transition in reply.transitions:
        if transition.actor != "system":
            transition.note = None
    if erase:
        reply.ticket_ref, reply.idempotency_key = ERASED, None
    reply.redacted_at = now


def _redact_item(item: ReviewItem, now: dt.datetime) -> None:
    item.source_text, item.mt_text, item.final_text = "", None, None
    item.findings = _findings_without_text(item.findings or [])
    item.reasons = [{k: r.get(k) for k in ("code", "decision")} for r in item.reasons or []]
    item.redacted_at = now


def _redact_quality_records(session: Session, records: Iterable[QualityRecord]) -> int:
    count = 0
    for record in records:
        # No final text: the record leaves post-edit distance but keeps its outcome, words and annotations.
        record.source_text, record.mt_text, record.final_text = "", "", None
        for annotation in record.annotations:
            annotation.note = annotation.quote = annotation.prefix = annotation.suffix = None
        count += 1
    return count


def _deliveries_of(session: Session, reply_ids: set[int]) -> list[WebhookDelivery]:
    rows = session.scalars(select(WebhookDelivery).where(WebhookDelivery.event_type.like("reply.%"))).all()
    return [r for r in rows if (r.payload or {}).get("data", {}).get("reply_id") in reply_ids]


def _redact_replies(session: Session, replies: Sequence[Reply], now: dt.datetime, *, erase: bool) -> Redacted:
    """Texts of ``replies`` and of everything made from them: review items, quality records, feedback
    comments, webhook payloads (pending ones are cancelled on erasure), and on erasure the memory
    segments approved from them and their engine-call records."""
    done = Redacted(replies=len(replies), reply_ids=[r.id for r in replies])
    if not replies:
        return done
    ids = {r.id for r in replies}
    tickets = {r.ticket_ref for r in replies if r.ticket_ref != ERASED}
    for reply in replies:
        _redact_reply(reply, now, erase=erase)
    items = session.scalars(select(ReviewItem).where(ReviewItem.kind == "reply", ReviewItem.object_id.in_(ids)))
    for item in items:
        _redact_item(item, now)
        done.review_items += 1
    refs = [f"reply:{i}" for i in ids]
    done.quality_records = _redact_quality_records(
        session, session.scalars(select(QualityRecord).where(QualityRecord.object_ref.in_(refs))))
    done.feedback = _rows(session, update(CustomerFeedback).where(
        CustomerFeedback.object_ref.in_(refs), CustomerFeedback.comment.is_not(None)).values(comment=None))
    for delivery in _deliveries_of(session, ids):
        if erase and delivery.status != "delivered":
            session.delete(delivery)  # the job finds no row and sends nothing
            done.webhooks_cancelled += 1
            continue
        data = {**delivery.payload.get("data", {}), "text": None}
        if erase:
            data["ticket_ref"] = ERASED
        delivery.payload = {**delivery.payload, "data": data}
        done.webhook_deliveries += 1
    if erase:
        pairs = [(src, tgt) for src, tgt in session.execute(
            select(TmSegment.source_lang, TmSegment.target_lang).where(TmSegment.context.in_(refs)).distinct())]
        done.tm_segments = _rows(session, delete(TmSegment).where(TmSegment.context.in_(refs)))
        services().memory.forget(session, pairs)  # their index snapshots are written again without them
        if tickets:
            done.engine_calls = _rows(session, update(EngineCall).where(
                EngineCall.ticket_key.in_([ticket_key(t) for t in tickets]))
                .values(egress=None, ticket_key=None))
        # A rejection reason in the audit log may quote the reply: the event stays, the reason goes.
        for event in session.scalars(select(AuditEvent).where(AuditEvent.object_type == "reply",
                                                              AuditEvent.object_id.in_([str(i) for i in ids]))):
            if "reason" in (event.detail or {}):
                event.detail = {k: v for k, v in event.detail.items() if k != "reason"}
                done.audit_events += 1
    return done


# --- retention -----------------------------------------------------------------------------------------


def retention_days(config: Any) -> dict[str, int]:
    """The configured limits in days per content kind (0: kept forever)."""
    return {"replies": int(config["RETENTION_DAYS_REPLIES"]), "reviews": int(config["RETENTION_DAYS_REVIEWS"]),
            "egress": int(config["RETENTION_DAYS_EGRESS"])}


def purge(session: Session, days: dict[str, int], now: dt.datetime | None = None) -> Redacted:
    """Remove the texts of replies, review items and egress records older than their limits; the caller
    commits."""
    now = now or utcnow()
    done = Redacted()
    if days.get("replies"):
        cutoff = now - dt.timedelta(days=days["replies"])
        replies = session.scalars(select(Reply).where(Reply.created_at < cutoff, Reply.redacted_at.is_(None))).all()
        done = _redact_replies(session, replies, now, erase=False)
    if days.get("reviews"):
        cutoff = now - dt.timedelta(days=days["reviews"])
        items = session.scalars(select(ReviewItem).where(
            ReviewItem.kind == "reply", ReviewItem.queued_at < cutoff, ReviewItem.redacted_at.is_(None))).all()
        for item in items:
            _redact_item(item, now)
        done.review_items += len(items)
        done.quality_records += _redact_quality_records(session, session.scalars(select(QualityRecord).where(
            QualityRecord.content_type == "reply", QualityRecord.created_at < cutoff,
            QualityRecord.source_text != "")))
    if days.get("egress"):
        cutoff = now - dt.timedelta(days=days["egress"])
        done.engine_calls += _rows(session, update(EngineCall).where(
            EngineCall.created_at < cutoff, or_(EngineCall.egress.is_not(None), EngineCall.ticket_key.is_not(None)))
            .values(egress=None, ticket_key=None))
    return done


@task
def purge_job() -> dict[str, int]:
    """RQ job: purge by the configured limits, then schedule the next run."""
    done = purge(db.session, retention_days(current_app.config))
    audit("privacy.purged", "retention", None, actor="system", detail=done.to_dict(), sess=db.session)
    db.session.commit()
    schedule_purge(utcnow() + dt.timedelta(hours=current_app.config["RETENTION_PURGE_HOURS"]))
    return done.to_dict()


def schedule_purge(at: dt.datetime | None = None) -> bool:
    """Schedule the purge job (at ``at``, or now unless one is scheduled already); False if Redis is down.

    Each run has its own job id: the running job schedules the next, which must not overwrite itself.
    """
    try:
        q = queue()
        pending = [j for j in q.scheduled_job_registry.get_job_ids() if j.startswith(PURGE_JOB_ID)]
        if pending and at is None:
            return True
        when = at or utcnow()
        q.enqueue_at(when, purge_job, job_id=f"{PURGE_JOB_ID}-{when:%Y%m%dT%H%M%S}")
        return True
    except Exception as exc:  # noqa: BLE001 - Redis down: `tolk privacy purge` (cron) still works
        log.warning("retention purge not scheduled: %s", exc)
        return False


# --- erasure and access ----------------------------------------------------------------------------------


def _customer_replies(session: Session, email: str) -> list[Reply]:
    """Replies of the customer: named by the helpdesk's ``customer`` object, or with the address in a text."""
    needle = email.strip().lower()
    if "@" not in needle or len(needle) < 3:
        raise ValidationError("give the customer's e-mail address", details={"field": "customer"})
    texts = [func.lower(c).contains(needle, autoescape=True)
             for c in (Reply.source_text, Reply.mt_text, Reply.final_text, Reply.back_translation,
                       Reply.customer_message, Reply.customer_message_translation)]
    return list(session.scalars(select(Reply).where(or_(Reply.customer_key == customer_key(email), *texts))
                                .order_by(Reply.id)))


def _select(session: Session, *, customer: str | None, ticket: str | None) -> list[Reply]:
    if (customer is None) == (ticket is None):
        raise ValidationError("give exactly one of a customer e-mail or a ticket reference")
    if customer is not None:
        return _customer_replies(session, customer)
    ref = (ticket or "").strip()
    if not ref or ref == ERASED:
        raise ValidationError("give the ticket reference", details={"field": "ticket"})
    return list(session.scalars(select(Reply).where(Reply.ticket_ref == ref).order_by(Reply.id)))


def erase(session: Session, *, customer: str | None = None, ticket: str | None = None,
          actor: str = "system") -> Redacted:
    """Remove everything stored of a customer (by e-mail) or a ticket; audited without the values. The
    caller commits."""
    replies = _select(session, customer=customer, ticket=ticket)
    done = _redact_replies(session, replies, utcnow(), erase=True)
    if ticket is not None:
        # Inbound messages of the ticket were never stored, but their engine calls name the ticket.
        done.engine_calls += _rows(session, update(EngineCall).where(EngineCall.ticket_key == ticket_key(ticket))
                                             .values(egress=None, ticket_key=None))
    audit("privacy.erased", "customer" if customer is not None else "ticket", None, actor=actor,
          detail=done.to_dict(), sess=session)
    return done


def _when(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def export(session: Session, *, customer: str | None = None, ticket: str | None = None) -> dict[str, Any]:
    """Everything stored about a customer (by e-mail) or a ticket, as JSON-ready data (an access request)."""
    replies = _select(session, customer=customer, ticket=ticket)
    if not replies:
        raise NotFound("nothing is stored about this customer" if customer else "no reply of this ticket")
    ids = {r.id for r in replies}
    refs = [f"reply:{i}" for i in ids]
    items = session.scalars(select(ReviewItem).where(ReviewItem.kind == "reply", ReviewItem.object_id.in_(ids))
                            .order_by(ReviewItem.id)).all()
    records = session.scalars(select(QualityRecord).where(QualityRecord.object_ref.in_(refs))
                              .order_by(QualityRecord.id)).all()
    feedback = session.scalars(select(CustomerFeedback).where(CustomerFeedback.object_ref.in_(refs))
                               .order_by(CustomerFeedback.id)).all()
    segments = session.scalars(select(TmSegment).where(TmSegment.context.in_(refs)).order_by(TmSegment.id)).all()
    keys = [ticket_key(r.ticket_ref) for r in replies if r.ticket_ref != ERASED]
    calls = session.scalars(select(EngineCall).where(EngineCall.ticket_key.in_(keys)).order_by(EngineCall.id)).all()
    return {
        "subject": {"customer": customer} if customer else {"ticket": ticket},
        "exported_at": utcnow().isoformat(),
        "replies": [{
            "id": r.id, "ticket_ref": r.ticket_ref, "channel": r.channel, "created_at": _when(r.created_at),
            "status": r.status.value, "customer": r.customer, "agent_lang": r.agent_lang,
            "customer_lang": r.customer_lang, "source_text": r.source_text, "translated_text": r.mt_text,
            "final_text": r.final_text, "back_translation": r.back_translation,
            "rejection_reason": r.rejection_reason, "redacted_at": _when(r.redacted_at),
            "customer_message": r.customer_message,
            "customer_message_translation": r.customer_message_translation, "thread": r.thread,
            "sent_at": _when(r.sent_at),
            "transitions": [{"to": t.to_status, "by": t.actor, "at": _when(t.at), "note": t.note}
                            for t in r.transitions],
        } for r in replies],
        "review_items": [{
            "id": i.id, "reply_id": i.object_id, "status": i.status.value, "source_text": i.source_text,
            "mt_text": i.mt_text, "final_text": i.final_text, "decided_by": i.decided_by,
            "decided_at": _when(i.decided_at),
        } for i in items],
        "quality_records": [{
            "id": q.id, "object_ref": q.object_ref, "outcome": q.outcome, "source_text": q.source_text,
            "mt_text": q.mt_text, "final_text": q.final_text, "reviewer": q.reviewer,
            "notes": [a.note for a in q.annotations if a.note],
        } for q in records],
        "feedback": [{"object_ref": f.object_ref, "csat": f.csat, "comment": f.comment,
                      "created_at": _when(f.created_at)} for f in feedback],
        "webhook_deliveries": [{"event_type": d.event_type, "status": d.status, "created_at": _when(d.created_at),
                                "payload": d.payload} for d in _deliveries_of(session, ids)],
        "translation_memory": [{"source": s.source_text, "target": s.target_text, "origin": str(s.origin),
                                "context": s.context} for s in segments],
        "engine_calls": [egress_row(c) for c in calls],
    }


# --- the egress audit -------------------------------------------------------------------------------------


def egress_row(call: EngineCall) -> dict[str, Any]:
    """One engine call as the egress audit shows it: engine, when, and the hashes or masked text sent."""
    sent: Any = None
    if call.egress:
        try:
            sent = json.loads(call.egress)
        except ValueError:
            sent = call.egress
    return {"id": call.id, "engine": call.engine, "at": _when(call.created_at), "source_lang": call.source_lang,
            "target_lang": call.target_lang, "segments": call.segments, "characters": call.characters,
            "billed_characters": call.billed_characters, "ok": call.ok, "error_code": call.error_code,
            "sent": sent}


def egress_page(session: Session, *, engine: str | None = None, before: int | None = None,
                since: dt.datetime | None = None, limit: int = 50) -> tuple[list[dict[str, Any]], int | None]:
    """Engine calls newest first, ``limit`` at a time; the id to pass as ``before`` for the next page."""
    query = select(EngineCall).order_by(EngineCall.id.desc()).limit(limit + 1)
    if engine:
        query = query.where(EngineCall.engine == engine)
    if before is not None:
        query = query.where(EngineCall.id < before)
    if since is not None:
        query = query.where(EngineCall.created_at >= since)
    rows = session.scalars(query).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return [egress_row(c) for c in rows], (rows[-1].id if more and rows else None)
