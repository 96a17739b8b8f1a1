"""What the agent does with a reply after drafting: edit its text or its translation (checks and routing run
again), revise and resend it after a rejection, ask for its back-translation, mark it sent to the ticket."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from machinery.pii import Customer
from tolk.auth import audit
from tolk.db import utcnow
from tolk.errors import Conflict, Forbidden, ValidationError
from tolk.models import Role, User
from workflows.models import Decision, Reply, ReplyStatus, ReviewItem, ReviewStatus
from workflows.replies.drafting import (
    _check,
    _hand_over,
    _hold,
    _Languages,
    _machine_translate,
    _profile,
    _route,
    _settle,
    _termbase,
    _Translation,
)
from workflows.replies.lifecycle import back_translate, transition
from workflows.replies.request import DraftRequest
from workflows.routing import Turn

#: The engine name of a translation the agent wrote or corrected by hand.
AGENT_EDIT = "agent"


def _own(user: User, reply: Reply) -> None:
    if reply.agent_id != user.id and user.role != Role.ADMIN:
        raise Forbidden("only the reply's agent changes it")


def _request(reply: Reply, text: str) -> DraftRequest:
    """The reply's stored request with a new text: the same ticket, languages, flags, context and customer."""
    thread = [Turn(t["author"], t["text"], t.get("lang")) for t in reply.thread or []]
    return DraftRequest(text=text, ticket_ref=reply.ticket_ref, channel=reply.channel,
                        customer_lang=reply.customer_lang, customer_message=reply.customer_message,
                        agent_lang=reply.agent_lang, template_id=None, variables={}, vip=reply.vip,
                        escalated=reply.escalated, idempotency_key=None, glossary=None, thread=thread,
                        customer_id=None, customer=Customer.from_dict(reply.customer))


def _edited(name: str, value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValidationError(f"'{name}' is empty", code="empty_text", details={"field": name})
    return value


def revise(session: Session, user: User, reply: Reply, *, text: str | None = None,
           translation: str | None = None, resend: bool = False) -> Reply:
    """Edit a reply waiting for its agent (``resend``: one the reviewer rejected) and route it again.

    A new ``text`` is translated afresh; a new ``translation`` (the agent's own words for the customer) is
    checked and routed as it is, so routing may still hold it for native review. Open review items of the
    reply are withdrawn: they hold the old text. The caller commits.
    """
    _own(user, reply)
    wanted = ReplyStatus.REJECTED if resend else ReplyStatus.AWAITING_AGENT
    if reply.status != wanted:
        raise Conflict(f"reply {reply.id} is {reply.status.value}, not {wanted.value}")
    if reply.redacted_at is not None:
        raise Conflict(f"reply {reply.id} was redacted")
    if (text is None) == (translation is None):
        raise ValidationError("give the new 'text' or the new 'translation' (one of them)")
    text, translation = _edited("text", text), _edited("translation", translation)
    req = _request(reply, text if text is not None else reply.source_text)
    langs = _Languages(customer=reply.customer_lang, agent=reply.agent_lang, detection=None, how="given")
    profile = _profile(session, langs.customer)
    if translation is not None:
        out = _Translation(source_text=reply.source_text, mt_text=translation, engine=AGENT_EDIT)
    else:
        out = _Translation(source_text=req.text)
        _machine_translate(session, req, langs, profile, _termbase(session, None), out)
    findings = _check(out, langs, profile)
    routing = _route(session, req, langs, profile, out, findings)
    back = None
    if routing.decision in (Decision.AGENT_CONFIRM, Decision.NATIVE_REVIEW) and out.mt_text:
        back = back_translate(session, out.mt_text, langs.customer, langs.agent, req.customer, req.ticket_ref)
    session.execute(delete(ReviewItem).where(
        ReviewItem.kind == "reply", ReviewItem.object_id == reply.id, ReviewItem.spot_check.is_(False),
        ReviewItem.status.in_((ReviewStatus.PENDING, ReviewStatus.ESCALATED))))
    reply.source_text, reply.mt_text, reply.engine = out.source_text, out.mt_text, out.engine
    reply.decision, reply.reasons, reply.findings = routing.decision, [r.to_dict() for r in routing.reasons], findings
    reply.back_translation, reply.final_text, reply.template_id = back, None, None
    edit = "translation" if translation is not None else "text"
    held = _hold(session, req, langs, reply, profile)
    _settle(reply, user.name, f"resent after rejection: {edit} revised" if resend else f"{edit} edited", held)
    session.flush()
    _hand_over(session, req, langs, profile, out, findings, reply, held)
    audit("reply.resent" if resend else "reply.edited", "reply", reply.id, actor=user.name,
          detail={"edited": edit, "decision": reply.decision.value}, sess=session)
    return reply


def mark_sent(session: Session, user: User, reply: Reply) -> Reply:
    """The agent pasted the released (or approved) reply into the helpdesk ticket; recorded once. The caller
    commits."""
    _own(user, reply)
    if reply.status not in (ReplyStatus.RELEASED, ReplyStatus.APPROVED):
        raise Conflict(f"reply {reply.id} is {reply.status.value}: only a released reply is sent")
    if reply.sent_at is not None:
        raise Conflict(f"reply {reply.id} was marked sent at {reply.sent_at:%Y-%m-%d %H:%M} UTC")
    reply.sent_at, reply.sent_by = utcnow(), user.name
    transition(reply, reply.status, user.name, "sent to the ticket")
    audit("reply.sent", "reply", reply.id, actor=user.name, sess=session)
    return reply


def back_translation_of(session: Session, user: User, reply: Reply) -> Reply:
    """Back-translate the reply's customer-language text into the agent's language on demand (kept with the
    reply); unchanged when there is one already or no text yet. The caller commits."""
    _own(user, reply)
    text = reply.final_text if reply.final_text is not None else reply.mt_text
    if reply.back_translation is None and text and reply.customer_lang != reply.agent_lang:
        reply.back_translation = back_translate(session, text, reply.customer_lang, reply.agent_lang,
                                                Customer.from_dict(reply.customer), reply.ticket_ref)
    return reply
