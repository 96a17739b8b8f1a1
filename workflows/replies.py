"""Drafted replies: the agent's text in the customer's language, checked and routed with reasons."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lqa.checks import CheckConfig, Segment, run_checks
from machinery.pii import Customer
from machinery.protection import TOKEN_PATTERN
from machinery.routing import NoEngineAvailable
from machinery.service import services
from machinery.translator import egress_for_ticket
from tolk.auth import audit
from tolk.cache import app_cache
from tolk.errors import Conflict, Forbidden, NotFound, TolkError, ValidationError
from tolk.languages import UnknownLanguage, canonical
from tolk.models import Role, User
from tolk.validation import field
from workflows import review, webhooks
from workflows.customer_language import choose, recall, remember
from workflows.macros import pin_currency
from workflows.models import Decision, Reply, ReplyStatus, ReplyTransition, ReviewItem
from workflows.routing import Reason, RoutingInput, Turn, decide, sampled

CHANNELS = ("email", "chat", "social", "phone", "web")
AUTHORS = ("customer", "agent")
MAX_THREAD = 50
CUSTOMER_FIELDS = {"name": 200, "email": 254, "phone": 40, "address": 500}


def parse_customer(body: dict[str, Any]) -> Customer | None:
    """The optional ``customer`` object of a request: what the helpdesk knows, masked wherever it appears."""
    raw = field(body, "customer", dict)
    if raw is None:
        return None
    unknown = sorted(set(raw) - set(CUSTOMER_FIELDS))
    if unknown:
        raise ValidationError(f"'customer' has unknown field(s): {', '.join(unknown)}", details={"field": "customer"})
    for name, limit in CUSTOMER_FIELDS.items():
        value = raw.get(name)
        if value is not None and not isinstance(value, str):
            raise ValidationError(f"'customer.{name}' must be a string", details={"field": f"customer.{name}"})
        if value is not None and len(value) > limit:
            raise ValidationError(f"'customer.{name}' is longer than {limit} characters",
                                  details={"field": f"customer.{name}"})
    return Customer.from_dict(raw)
#: How long a claimed idempotency key blocks the same key (a crashed request frees it after this).
CLAIM_SECONDS = 120
log = logging.getLogger(__name__)


@dataclass
class DraftRequest:
    """A validated request to draft a reply."""

    text: str
    ticket_ref: str
    channel: str
    customer_lang: str | None
    customer_message: str | None
    agent_lang: str | None
    template_id: str | None
    variables: dict[str, Any]
    vip: bool
    escalated: bool
    idempotency_key: str | None
    glossary: str | None
    thread: list[Turn]
    customer_id: str | None
    customer: Customer | None = None

    @classmethod
    def from_json(cls, body: dict[str, Any], max_chars: int) -> DraftRequest:
        from tolk.validation import field

        def lang(name: str) -> str | None:
            value = field(body, name, str)
            if value is None:
                return None
            try:
                return canonical(value)
            except UnknownLanguage as exc:
                raise ValidationError(f"'{name}': {exc}", code="unknown_language") from exc

        template_id = field(body, "template_id", str, max_length=80)
        text = field(body, "text", str, required=template_id is None, max_length=max_chars) or ""
        if template_id is None and not text.strip():
            raise ValidationError("'text' is empty", code="empty_text")
        customer_lang, message = lang("customer_locale"), field(body, "customer_message", str, max_length=max_chars)
        if customer_lang is None and not (message and message.strip()):
            raise ValidationError("give 'customer_locale' or the customer's last message ('customer_message')")
        variables = field(body, "variables", dict, default={})
        thread = []
        for n, turn in enumerate(field(body, "thread", list, default=[])[-MAX_THREAD:]):
            if not isinstance(turn, dict):
                raise ValidationError(f"'thread[{n}]' must be an object with 'author' and 'text'")
            author = field(turn, "author", str, required=True, choices=AUTHORS)
            turn_lang = field(turn, "lang", str, max_length=35)
            try:
                turn_lang = canonical(turn_lang) if turn_lang else None
            except UnknownLanguage as exc:
                raise ValidationError(f"'thread[{n}].lang': {exc}", code="unknown_language") from exc
            thread.append(Turn(author, field(turn, "text", str, required=True, max_length=max_chars), turn_lang))
        return cls(text=text, ticket_ref=field(body, "ticket_ref", str, required=True, max_length=120),
                   channel=field(body, "channel", str, required=True, choices=CHANNELS), customer_lang=customer_lang,
                   customer_message=message, agent_lang=lang("agent_lang"), template_id=template_id,
                   variables=variables, vip=bool(field(body, "vip", bool, default=False)),
                   escalated=bool(field(body, "escalated", bool, default=False)),
                   idempotency_key=field(body, "idempotency_key", str, max_length=120),
                   glossary=field(body, "glossary", str, max_length=80), thread=thread,
                   customer_id=field(body, "customer_id", str, max_length=120), customer=parse_customer(body))


def _profile(session: Session, locale: str):
    from workflows.locales import effective_profile

    return app_cache("locale_profiles").get(locale, lambda: effective_profile(session, locale))


def _recent_score(session: Session, lang: str, threshold: float) -> float | None:
    """The language's recent MQM score when it counts against ``threshold`` (enough words evaluated)."""
    from lqa.metrics import recent_quality

    recent = app_cache("recent_quality").get(lang, lambda: recent_quality(session, lang))
    return recent.score if recent.below(threshold) else None


def _transition(reply: Reply, to: ReplyStatus, actor: str, note: str | None = None) -> None:
    reply.transitions.append(ReplyTransition(from_status=reply.status.value if reply.status else None,
                                             to_status=to.value, actor=actor, note=note))
    reply.status = to


def _termbase(session: Session, name: str | None):
    from glossaries.models import Glossary
    from glossaries.store import load_termbase

    if name is None:
        # The default glossary applies when it exists; an explicitly named one must exist.
        name = current_app.config["DEFAULT_GLOSSARY"]
        if not name or session.scalar(select(Glossary.id).where(Glossary.name == name)) is None:
            return None
    return load_termbase(session, name)


def tone_rules(profile: Any) -> tuple[str, ...]:
    """The locale profile's writing rules, for engines that take instructions (language models)."""
    if profile.upsell_allowed:
        return ()
    return ("Do not add offers, upgrades, discounts or suggestions to buy anything: upselling is not allowed "
            "for this locale.",)


def _existing(session: Session, agent: User, key: str) -> Reply | None:
    return session.scalar(select(Reply).where(Reply.agent_id == agent.id, Reply.idempotency_key == key))


def _in_progress(key: str) -> Conflict:
    return Conflict(f"a request with idempotency key {key!r} is still being drafted; retry it shortly to get "
                    "its reply", code="idempotency_in_progress", retry_after=1)


def _claim(agent: User, key: str) -> Callable[[], None] | None:
    """Claim ``key`` for this request across processes (Redis SET NX); returns its release, or None when
    another request holds it. With Redis down the database's unique constraint is the only guard."""
    from tolk.queue import redis_connection, redis_key

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


def draft(session: Session, agent: User, req: DraftRequest) -> tuple[Reply, bool]:
    """Translate, check and route a reply; returns (reply, created). Idempotent per agent and key: the same
    key sent again returns the first reply; sent while the first is still being drafted, a 409 to retry."""
    if not req.idempotency_key:
        return _draft(session, agent, req)
    existing = _existing(session, agent, req.idempotency_key)
    if existing is not None:
        return existing, False
    release = _claim(agent, req.idempotency_key)
    if release is None:
        session.rollback()
        existing = _existing(session, agent, req.idempotency_key)
        if existing is not None:  # it was committed between our two looks
            return existing, False
        raise _in_progress(req.idempotency_key)
    try:
        return _draft(session, agent, req)
    finally:
        release()


def _draft(session: Session, agent: User, req: DraftRequest) -> tuple[Reply, bool]:
    m = services()
    detection = None
    if req.customer_lang is None:
        detection = m.detector.detect(req.customer_message or "")
    # A short or uncertain message falls back on the language remembered for the ticket or customer.
    known = recall(session, req.ticket_ref, req.customer_id) or next(
        (t.lang for t in reversed(req.thread) if t.author == "customer" and t.lang), None)
    choice = choose(req.customer_lang, req.customer_message or "", detection, known)
    if choice.lang is None:
        raise TolkError("the customer's language is uncertain: pick it and send 'customer_locale'",
                        code="language_uncertain", status=422,
                        details={"detection": detection.to_dict() if detection else None})
    customer_lang = choice.lang
    remember(session, req.ticket_ref, req.customer_id, customer_lang, choice.how)
    agent_lang = req.agent_lang or (agent.language_list[0] if agent.language_list else None)
    if agent_lang is None:
        agent_lang = m.detector.detect(req.text).lang or "en"
    profile = _profile(session, customer_lang)
    termbase = _termbase(session, req.glossary)

    source_text, mt_text, engine, reviewed, failed_over, no_engine = req.text, None, None, False, False, None
    term_findings: list[dict] = []
    terms_checked = 0
    if req.template_id:
        from workflows.macros import render

        # An amount without a currency is in the agent's currency on both sides, never the customer's.
        variables = pin_currency(req.variables, _profile(session, agent_lang).currency)
        rendered = render(session, req.template_id, customer_lang, variables)
        if rendered.locale_used != "source":
            mt_text, engine, reviewed = rendered.text, "template", True
        source_text = req.text or render(session, req.template_id, agent_lang, variables).text
    if mt_text is None:
        if agent_lang == customer_lang:
            mt_text, engine, reviewed = source_text, "none", True
        else:
            try:
                # Machine output of a reply is not remembered: the memory learns it once a reviewer approved it.
                with egress_for_ticket(req.ticket_ref):
                    (result,) = m.translator.translate(session, [source_text], agent_lang, customer_lang,
                                                       glossary=termbase, formality=profile.formality,
                                                       context="customer support reply", tm_context=None,
                                                       remember=False, customer=req.customer,
                                                       tone=tone_rules(profile), content_type="reply")
                mt_text, engine, failed_over = result.text, result.engine, result.failed_over
                reviewed = result.engine == "tm" and result.tm_origin == "human"
                term_findings = result.term_findings
                if termbase is not None:
                    from glossaries.verify import find_terms

                    terms_checked = len(find_terms(source_text, termbase, agent_lang))
            except NoEngineAvailable as exc:
                no_engine = str(exc)

    findings: list[dict] = []
    if mt_text is not None and engine not in ("none",):
        config = CheckConfig.from_dict(profile.check_config) if profile.check_config else None
        findings = [f.to_dict() for f in run_checks(Segment(source=source_text, target=mt_text,
                                                            source_lang=agent_lang, target_lang=customer_lang,
                                                            pii_token_pattern=TOKEN_PATTERN,
                                                            formality=profile.formality,
                                                            upsell_allowed=profile.upsell_allowed),
                                                    config=config)]
        findings += term_findings

    routing = decide(RoutingInput(
        source_text=source_text, source_lang=agent_lang, target_lang=customer_lang, channel=req.channel,
        engine=engine if mt_text is not None else None, no_engine_message=no_engine, reviewed_translation=reviewed,
        findings=findings, failed_over=failed_over, vip=req.vip, escalated=req.escalated,
        detection_uncertain=False, recent_score=_recent_score(session, customer_lang, profile.quality_threshold),
        quality_threshold=profile.quality_threshold, always_review=profile.always_review,
        critical_terms=profile.critical_terms, target_text=mt_text, customer_message=req.customer_message,
        thread=req.thread))
    # Engine calls before the first write: the reply's rows are then written in one short burst.
    back_translation = None
    if routing.decision in (Decision.AGENT_CONFIRM, Decision.NATIVE_REVIEW) and mt_text and not reviewed:
        back_translation = _back_translate(session, mt_text, customer_lang, agent_lang, req.customer,
                                           req.ticket_ref)
    reply = Reply(ticket_ref=req.ticket_ref, channel=req.channel, agent_id=agent.id,
                  idempotency_key=req.idempotency_key, agent_lang=agent_lang, customer_lang=customer_lang,
                  detection={**detection.to_dict(), "used": choice.how} if detection else None,
                  template_id=req.template_id,
                  source_text=source_text, mt_text=mt_text, engine=engine, decision=routing.decision,
                  reasons=[r.to_dict() for r in routing.reasons], findings=findings, vip=req.vip,
                  escalated=req.escalated, back_translation=back_translation,
                  customer=req.customer.to_dict() if req.customer else None,
                  customer_key=req.customer.key if req.customer else None)
    session.add(reply)
    _transition(reply, ReplyStatus.DRAFTED, agent.name)
    try:
        session.flush()
    except IntegrityError:
        # Another process drafted the same idempotency key meanwhile (its claim expired, or Redis is down).
        session.rollback()
        if req.idempotency_key is None:
            raise
        existing = _existing(session, agent, req.idempotency_key)
        if existing is None:
            raise _in_progress(req.idempotency_key) from None
        return existing, False

    if routing.decision in (Decision.NATIVE_REVIEW, Decision.HUMAN_TRANSLATION):
        item = review.enqueue(
            session, kind="reply", object_id=reply.id, source_lang=agent_lang, target_lang=customer_lang,
            source_text=source_text, mt_text=mt_text, engine=engine, channel=req.channel, content_type="reply",
            reasons=reply.reasons, findings=findings, terms_checked=terms_checked,
            task="translate" if mt_text is None else "review", sla_minutes=profile.sla_minutes,
            holidays=profile.holidays)
        if item.assignee_id is None and mt_text is not None:
            # Nobody reviews this language at all: the agent confirms with the back-translation instead.
            item.status = review.ReviewStatus.ESCALATED
            reply.decision = Decision.AGENT_CONFIRM
            reply.reasons = [*reply.reasons, Reason("review:no_reviewer", Decision.AGENT_CONFIRM,
                                                    f"{item.escalation}; the agent must confirm").to_dict()]
            reply.back_translation = reply.back_translation or _back_translate(
                session, mt_text, customer_lang, agent_lang, req.customer, req.ticket_ref)
            _transition(reply, ReplyStatus.AWAITING_AGENT, "system", item.escalation)
        else:
            _transition(reply, ReplyStatus.IN_REVIEW, "system", "queued for native review")
            review.schedule_deadline_check(item)
    elif routing.decision == Decision.AGENT_CONFIRM:
        _transition(reply, ReplyStatus.AWAITING_AGENT, "system", "agent must confirm")
    else:
        reply.final_text = mt_text
        _transition(reply, ReplyStatus.RELEASED, "system", "released at once")
        webhooks.emit(session, "reply.released", reply_event(reply))
        if engine not in ("none", "template") and sampled(profile.sample_rate):
            review.enqueue(session, kind="reply", object_id=reply.id, source_lang=agent_lang,
                           target_lang=customer_lang, source_text=source_text, mt_text=mt_text, engine=engine,
                           channel=req.channel, content_type="reply", terms_checked=terms_checked,
                           reasons=[{"code": "spot_check", "decision": "released",
                                     "message": "random sample of released replies"}],
                           findings=findings, spot_check=True, sla_minutes=profile.sla_minutes,
                           holidays=profile.holidays)
    audit("reply.drafted", "reply", reply.id, actor=agent.name,
          detail={"decision": reply.decision.value, "lang": customer_lang}, sess=session)
    session.commit()
    return reply, True


def _back_translate(session: Session, text: str, source: str, target: str, customer: Customer | None,
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
        from tolk.auth import require_language

        require_language(user, reply.customer_lang)
    if user.role == Role.EDITOR:
        raise Forbidden("editors do not handle replies")
    return reply


def confirm(session: Session, user: User, reply: Reply) -> Reply:
    """The agent confirms a reply awaiting confirmation: it is released."""
    if reply.agent_id != user.id and user.role != Role.ADMIN:
        raise Forbidden("only the reply's agent confirms it")
    if reply.status != ReplyStatus.AWAITING_AGENT:
        from tolk.errors import Conflict

        raise Conflict(f"reply {reply.id} is {reply.status.value}, not awaiting confirmation")
    reply.final_text = reply.mt_text
    _transition(reply, ReplyStatus.RELEASED, user.name, "confirmed by the agent")
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
        _transition(reply, ReplyStatus.APPROVED, reviewer.name,
                    "approved with edits" if item.final_text != item.mt_text else "approved")
        webhooks.emit(session, "reply.approved", reply_event(reply), event_id=f"reply-{reply.id}-approved")
    else:
        reply.rejection_reason = item.reasons[-1]["message"] if item.reasons else None
        _transition(reply, ReplyStatus.REJECTED, reviewer.name, reply.rejection_reason)
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
        reply.back_translation = _back_translate(session, reply.mt_text, reply.customer_lang, reply.agent_lang,
                                                 Customer.from_dict(reply.customer), reply.ticket_ref)
    _transition(reply, ReplyStatus.AWAITING_AGENT, "system", "review SLA missed")


def customer_of(session: Session, item: ReviewItem) -> Customer | None:
    """The customer of a reply's review item (its known values are masked in the memory too)."""
    reply = session.get(Reply, item.object_id)
    return Customer.from_dict(reply.customer) if reply is not None else None


def reply_event(reply: Reply) -> dict[str, Any]:
    """What a helpdesk needs to send the reply."""
    return {"reply_id": reply.id, "ticket_ref": reply.ticket_ref, "channel": reply.channel,
            "customer_lang": reply.customer_lang, "text": reply.final_text, "status": reply.status.value}


def reply_to_dict(session: Session, reply: Reply) -> dict[str, Any]:
    item = None
    if reply.decision != Decision.RELEASED:  # released replies have spot checks at most, never shown here
        item = session.scalar(select(ReviewItem).where(
            ReviewItem.kind == "reply", ReviewItem.object_id == reply.id, ReviewItem.spot_check.is_(False))
            .order_by(ReviewItem.id.desc()))
    assignee = session.get(User, item.assignee_id) if item and item.assignee_id else None
    return {
        "id": reply.id, "ticket_ref": reply.ticket_ref, "channel": reply.channel, "status": reply.status.value,
        "decision": reply.decision.value, "reasons": reply.reasons, "agent_lang": reply.agent_lang,
        "customer_lang": reply.customer_lang, "detection": reply.detection, "source_text": reply.source_text,
        "translated_text": reply.mt_text, "final_text": reply.final_text, "back_translation": reply.back_translation,
        "engine": reply.engine, "findings": reply.findings, "template_id": reply.template_id,
        "rejection_reason": reply.rejection_reason,
        "review": {"id": item.id, "status": item.status.value, "task": item.task,
                   "assigned_reviewer": assignee.name if assignee else None, "escalation": item.escalation,
                   "sla_deadline": item.due_at.isoformat()} if item else None,
        "assigned_reviewer": assignee.name if assignee else None,
        "sla_deadline": item.due_at.isoformat() if item else None,
        "transitions": [{"from": t.from_status, "to": t.to_status, "by": t.actor, "at": t.at.isoformat(),
                         "note": t.note} for t in reply.transitions],
        "created_at": reply.created_at.isoformat(), "idempotency_key": reply.idempotency_key,
    }
