"""A drafted reply's life: read, confirmed, decided by review or overdue, released to the helpdesk."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from machinery.pii import Customer
from machinery.routing import NoEngineAvailable
from machinery.service import services
from machinery.translator import egress_for_ticket
from tolk.auth import audit, require_language
from tolk.errors import Conflict, Forbidden, NotFound, TolkError
from tolk.models import Role, User
from workflows import notify, webhooks
from workflows.models import Decision, Reply, ReplyStatus, ReplyTransition, ReviewItem
from workflows.routing import Reason


def transition(reply: Reply, to: ReplyStatus, actor: str, note: str | None = None) -> None:
    """Move ``reply`` to status ``to``, recording who moved it and why."""
    reply.transitions.append(ReplyTransition(from_status=reply.status.value if reply.status else None,
                                             to_status=to.value, actor=actor, note=note))
    reply.status = to
    notify.reply_status_changed(reply)


def back_translate(session: Session, text: str, source: str, target: str, customer: Customer | None,
                   ticket_ref: str | None) -> str | None:
    """The customer-language text in the agent's language, so the agent can judge it (not stored in TM)."""
    try:
        with egress_for_ticket(ticket_ref):
            (result,) = services().translator.translate(session, [text], source, target, use_tm=False,
                                                        customer=customer, content_type="back_translation")
    except NoEngineAvailable:
        return None
    return result.text


def translate_message(session: Session, text: str, target: str, source: str | None, *,
                      customer: Customer | None = None, ticket_ref: str | None = None) -> dict[str, Any]:
    """A customer's message in the agent's language (inbound), with the detected language; nothing of the
    message is stored (the engine call's record names the ticket, for erasure)."""
    m = services()
    detection = None
    if source is None:
        detection = m.detector.detect(text)
        if detection.lang is None:
            raise TolkError("could not detect the message's language; pass 'source_lang'",
                            code="undetected_language", status=422)
        source = detection.lang
    if source == target:
        return {"text": text, "source_lang": source, "engine": "none",
                "detection": detection.to_dict() if detection else None}
    with egress_for_ticket(ticket_ref):
        (result,) = m.translator.translate(session, [text], source, target, use_tm=False, customer=customer,
                                           content_type="inbound")
    return {"text": result.text, "source_lang": source, "engine": result.engine,
            "detection": detection.to_dict() if detection else None}


def get_reply(session: Session, user: User, reply_id: int) -> Reply:
    """A reply its agent, an admin, or a reviewer of its language may read."""
    reply = session.get(Reply, reply_id)
    if reply is None:
        raise NotFound(f"no reply {reply_id}")
    if user.role == Role.AGENT and reply.agent_id != user.id:
        raise Forbidden("this reply belongs to another agent")
    if user.role == Role.REVIEWER:
        require_language(user, reply.customer_lang)
    if user.role == Role.EDITOR:
        raise Forbidden("editors do not handle replies")
    return reply


def confirm(session: Session, user: User, reply: Reply) -> Reply:
    """The agent confirms a reply awaiting confirmation: it is released."""
    if reply.agent_id != user.id and user.role != Role.ADMIN:
        raise Forbidden("only the reply's agent confirms it")
    if reply.status != ReplyStatus.AWAITING_AGENT:
        raise Conflict(f"reply {reply.id} is {reply.status.value}, not awaiting confirmation")
    reply.final_text = reply.mt_text
    transition(reply, ReplyStatus.RELEASED, user.name, "confirmed by the agent")
    webhooks.emit(session, "reply.released", reply_event(reply))
    audit("reply.released", "reply", reply.id, actor=user.name, sess=session)
    session.commit()
    return reply


def on_review_decided(session: Session, item: ReviewItem, approved: bool, reviewer: User) -> None:
    """A native reviewer approved or rejected a reply's translation."""
    reply = session.get(Reply, item.object_id)
    if reply is None or reply.status.final or reply.status == ReplyStatus.APPROVED:
        return
    if approved:
        reply.final_text = item.final_text
        if item.final_text != reply.mt_text:
            reply.back_translation = None  # it read the machine's text: the agent asks again for the reviewer's
        transition(reply, ReplyStatus.APPROVED, reviewer.name,
                    "approved with edits" if item.final_text != item.mt_text else "approved")
        webhooks.emit(session, "reply.approved", reply_event(reply), event_id=f"reply-{reply.id}-approved")
    else:
        reply.rejection_reason = item.reasons[-1]["message"] if item.reasons else None
        transition(reply, ReplyStatus.REJECTED, reviewer.name, reply.rejection_reason)
        webhooks.emit(session, "reply.rejected", reply_event(reply), event_id=f"reply-{reply.id}-rejected")


def on_review_overdue(session: Session, item: ReviewItem) -> None:
    """Nobody reviewed in time: the agent confirms instead (with the back-translation), never silent expiry."""
    reply = session.get(Reply, item.object_id)
    if reply is None or reply.status != ReplyStatus.IN_REVIEW or not reply.mt_text:
        return
    reply.decision = Decision.AGENT_CONFIRM
    reply.reasons = [*reply.reasons, Reason("review:sla_missed", Decision.AGENT_CONFIRM,
                                            f"no native review before {item.due_at:%Y-%m-%d %H:%M} UTC; "
                                            "the agent must confirm").to_dict()]
    if reply.back_translation is None:
        reply.back_translation = back_translate(session, reply.mt_text, reply.customer_lang, reply.agent_lang,
                                                 Customer.from_dict(reply.customer), reply.ticket_ref)
    transition(reply, ReplyStatus.AWAITING_AGENT, "system", "review SLA missed")


def customer_of(session: Session, item: ReviewItem) -> Customer | None:
    """The customer of a reply's review item (its known values are masked in the memory too)."""
    reply = session.get(Reply, item.object_id)
    return Customer.from_dict(reply.customer) if reply is not None else None


def reply_event(reply: Reply) -> dict[str, Any]:
    """What a helpdesk needs to send the reply."""
    return {"reply_id": reply.id, "ticket_ref": reply.ticket_ref, "channel": reply.channel,
            "customer_lang": reply.customer_lang, "text": reply.final_text, "status": reply.status.value}


@dataclass(frozen=True)
class KnownReview:
    """A reply's open review item (None: it has none) and its reviewer's name, as the request that drafted the
    reply left them: its answer then reads nothing back after the commit."""

    item: ReviewItem | None
    reviewer: str | None = None


@dataclass
class Drafted:
    """A drafting request's outcome: the reply, whether this request created it, and (when it did) its open
    review item as drafting left it, for the answer (``reply_to_dict(session, reply, known)``)."""

    reply: Reply
    created: bool
    known: KnownReview | None = None


def reply_to_dict(session: Session, reply: Reply, known: KnownReview | None = None) -> dict[str, Any]:
    """A JSON-ready dict of ``reply`` with its open review item, if any (``known``: without a query)."""
    if known is not None:
        item = known.item
        names = {item.assignee_id: known.reviewer} if item and item.assignee_id and known.reviewer else {}
        return _reply_dict(reply, item, names)
    (data,) = replies_to_dicts(session, [reply])
    return data


# Built once: building a statement per call cost more CPU than running it.
_OPEN_ITEMS = (select(ReviewItem)
               .where(ReviewItem.kind == "reply", ReviewItem.object_id.in_(bindparam("held", expanding=True)),
                      ReviewItem.spot_check.is_(False))
               .order_by(ReviewItem.id.desc()))
_NAMES = select(User.id, User.name).where(User.id.in_(bindparam("ids", expanding=True)))


def replies_to_dicts(session: Session, rows: Sequence[Reply]) -> list[dict[str, Any]]:
    """JSON-ready dicts of ``rows`` with their open review items, in a constant number of queries (review
    items in one, their reviewers in one; load the rows with ``selectinload(Reply.transitions)``)."""
    # Released replies have spot checks at most, never shown here.
    held = [r.id for r in rows if r.decision != Decision.RELEASED]
    items: dict[int, ReviewItem] = {}
    if held:
        for item in session.scalars(_OPEN_ITEMS, {"held": held}):
            items.setdefault(item.object_id, item)  # the latest item of each reply
    assignee_ids = sorted({i.assignee_id for i in items.values() if i.assignee_id})
    names: dict[int, str] = ({user_id: name for user_id, name in session.execute(_NAMES, {"ids": assignee_ids})}
                             if assignee_ids else {})
    return [_reply_dict(r, items.get(r.id), names) for r in rows]


def _reply_dict(reply: Reply, item: ReviewItem | None, names: dict[int, str]) -> dict[str, Any]:
    """``reply`` as JSON, with its open review ``item`` and reviewer ``names`` by user id."""
    assignee = names.get(item.assignee_id) if item and item.assignee_id else None
    return {
        "id": reply.id, "ticket_ref": reply.ticket_ref, "channel": reply.channel, "status": reply.status.value,
        "decision": reply.decision.value, "reasons": reply.reasons, "agent_lang": reply.agent_lang,
        "customer_lang": reply.customer_lang, "detection": reply.detection, "source_text": reply.source_text,
        "translated_text": reply.mt_text, "final_text": reply.final_text, "back_translation": reply.back_translation,
        "engine": reply.engine, "findings": reply.findings, "template_id": reply.template_id,
        "rejection_reason": reply.rejection_reason,
        "review": {"id": item.id, "status": item.status.value, "task": item.task,
                   "assigned_reviewer": assignee, "escalation": item.escalation,
                   "sla_deadline": item.due_at.isoformat()} if item else None,
        "assigned_reviewer": assignee,
        "sla_deadline": item.due_at.isoformat() if item else None,
        "transitions": [{"from": t.from_status, "to": t.to_status, "by": t.actor, "at": t.at.isoformat(),
                         "note": t.note} for t in reply.transitions],
        "created_at": reply.created_at.isoformat(), "idempotency_key": reply.idempotency_key,
        "customer_message": reply.customer_message,
        "customer_message_translation": reply.customer_message_translation, "thread": reply.thread,
        "sent_at": reply.sent_at.isoformat() if reply.sent_at else None, "sent_by": reply.sent_by,
    }
