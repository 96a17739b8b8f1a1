"""Notifications: who is told what, by webhook and by e-mail, once per occurrence.

Four events: ``review.assigned`` (to the assignee), ``review.sla_at_risk`` (to the assignee, when
``SLA_AT_RISK_PERCENT`` of the time to the deadline is gone), ``review.escalated`` (to the item's owner,
and for an article to its editor) and ``reply.awaiting_agent`` (to the reply's agent).

The webhook is sent for the events named in ``NOTIFY_WEBHOOK_EVENTS`` (none by default: a helpdesk endpoint
gets no new event types unasked). Each occurrence has a key (the event, the object and, for deadlines, the deadline itself): the webhook
event id is made from it, and each e-mail is a ``Notification`` row unique per key and user, so a sweep that
runs twice, or a retried job, tells nobody twice; a fresh deadline is a new occurrence. E-mails go only to
users who chose the event on their account page and gave an address, and are sent by a worker job after
the transaction commits (``workflows.notify.delivery``), never in the request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from tolk.models import User
from workflows import webhooks
from workflows.models import Reply, ReplyStatus, ReviewItem
from workflows.notify.delivery import record_mail
from workflows.notify.models import NotificationPreference
from workflows.review_hooks import ALSO_TOLD

#: Event -> what a user chooses on their account page.
EVENTS: dict[str, str] = {
    "review.assigned": "A review item is assigned to me",
    "review.sla_at_risk": "A review item of mine is close to its deadline",
    "review.escalated": "A review item is escalated to me, or an article I edit is escalated",
    "reply.awaiting_agent": "A reply of mine waits for my confirmation",
}




def wanted(event: str) -> bool:
    """Whether anything would be sent for ``event`` (a webhook for it, or e-mail at all): when not, nothing
    is looked up, so an installation without notifications pays no query for them."""
    config = current_app.config
    hooked = config.get("NOTIFY_WEBHOOK_EVENTS") or []
    return bool(config.get("SMTP_HOST") or (config.get("WEBHOOK_URLS") and (event in hooked or "*" in hooked)))


def _stamp(when: dt.datetime) -> str:
    return f"{when:%Y%m%dT%H%M%S}"


def tell(session: Session, event: str, key: str, data: dict[str, Any], recipients: Iterable[User | None],
         subject: str, body: str) -> None:
    """Emit the webhook ``event`` and owe an e-mail to each recipient who wants it (once per ``key``)."""
    assert event in EVENTS, event
    hooked = current_app.config.get("NOTIFY_WEBHOOK_EVENTS") or []
    if event in hooked or "*" in hooked:
        webhooks.emit(session, event, data, event_id=f"evt_{key.replace(':', '_')}"[:64])
    if not current_app.config.get("SMTP_HOST"):
        return
    seen: set[int] = set()
    for user in recipients:
        if user is None or not user.active or user.id in seen:
            continue
        seen.add(user.id)
        pref = session.get(NotificationPreference, user.id)
        if pref is None or not pref.email or event not in (pref.events or []):
            continue
        record_mail(session, event=event, key=key, user_id=user.id, address=pref.email, subject=subject, body=body)


def _review_data(session: Session, item: ReviewItem) -> dict[str, Any]:
    names = {u.id: u.name for u in session.scalars(select(User).where(
        User.id.in_([i for i in (item.assignee_id, item.owner_id) if i is not None])))}
    return {"review_id": item.id, "kind": str(item.kind),
            "object_id": item.object_id, "target_lang": item.target_lang, "task": str(item.task),
            "spot_check": item.spot_check, "status": str(item.status), "due_at": item.due_at.isoformat(),
            "assignee": names.get(item.assignee_id) if item.assignee_id else None,
            "owner": names.get(item.owner_id) if item.owner_id else None, "escalation": item.escalation}


def _what(item: ReviewItem) -> str:
    kind = "spot check of a reply" if item.spot_check else ("article" if item.kind == "article" else "reply")
    return f"{kind} in {item.target_lang} (review item #{item.id})"


def review_assigned(session: Session, item: ReviewItem) -> None:
    """Tell the assignee an item is theirs (again after a reassignment: the key holds the deadline)."""
    _tell_assignee(session, item, "review.assigned", f"{item.id}:{item.assignee_id}",
                   f"Tolk: a {_what(item)} is assigned to you",
                   f"A {_what(item)} waits for your review.\nDeadline: {item.due_at:%Y-%m-%d %H:%M} UTC.\n")


def review_at_risk(session: Session, item: ReviewItem) -> None:
    """Tell the assignee the deadline is near (once per deadline)."""
    _tell_assignee(session, item, "review.sla_at_risk", f"{item.id}", f"Tolk: the deadline of a {_what(item)} is near",
                   f"The {_what(item)} assigned to you is due at {item.due_at:%Y-%m-%d %H:%M} UTC.\n")


def _tell_assignee(session: Session, item: ReviewItem, event: str, key: str, subject: str, body: str) -> None:
    """``event`` to the item's assignee, once per ``key`` and deadline, with a link to the item."""
    if item.assignee_id is None or not wanted(event):
        return
    tell(session, event, f"{event}:{key}:{_stamp(item.due_at)}", _review_data(session, item),
         [session.get(User, item.assignee_id)], subject, f"{body}Open it at /review/{item.id}.\n")


def review_escalated(session: Session, item: ReviewItem) -> None:
    """Tell the item's owner (and an article's editor) that nobody of the language took it in time."""
    if not wanted("review.escalated"):
        return
    recipients = [session.get(User, item.owner_id) if item.owner_id else None,
                  *(ALSO_TOLD[item.kind](session, item) if item.kind in ALSO_TOLD else [])]
    tell(session, "review.escalated", f"review.escalated:{item.id}:{_stamp(item.due_at)}",
         _review_data(session, item), recipients, f"Tolk: a {_what(item)} is escalated",
         f"The {_what(item)} was escalated: {item.escalation or 'no reviewer took it in time'}.\n"
         f"It is in the review queue of its owner; open it at /review/{item.id}.\n")


def reply_status_changed(reply: Reply) -> None:
    """Called on every transition of a reply: tell its agent when it waits for their confirmation."""
    session = object_session(reply)
    if session is None or reply.status != ReplyStatus.AWAITING_AGENT or not wanted("reply.awaiting_agent"):
        return
    if reply.id is None:
        session.flush()
    agent = session.get(User, reply.agent_id)
    reason = reply.reasons[-1].get("message") if reply.reasons else None
    data = {"reply_id": reply.id, "ticket_ref": reply.ticket_ref, "channel": reply.channel,
            "customer_lang": reply.customer_lang, "agent": agent.name if agent else None, "reason": reason}
    tell(session, "reply.awaiting_agent", f"reply.awaiting_agent:{reply.id}", data, [agent],
         f"Tolk: your reply for ticket {reply.ticket_ref} waits for your confirmation",
         f"Your reply for ticket {reply.ticket_ref} ({reply.customer_lang}) was not released: {reason or 'it needs your confirmation'}.\n"
         f"Confirm it at /agent/replies/{reply.id}.\n")
