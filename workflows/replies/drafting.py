"""Drafting a reply in named steps: languages, text, translation, checks, routing, storage, hand-over.

Nothing here commits: the view that drafts owns the transaction (see :func:`drafting`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from glossaries.models import Glossary
from glossaries.store import load_termbase
from glossaries.terms import Termbase
from glossaries.verify import find_terms
from lqa.checks import CheckConfig, Segment, run_checks
from lqa.metrics import recent_quality
from machinery.detection import Detection
from machinery.protection import TOKEN_PATTERN, protection_scope
from machinery.routing import NoEngineAvailable
from machinery.service import services
from machinery.translator import egress_for_ticket
from tolk.auth import audit
from tolk.cache import app_cache
from tolk.db import after_commit, insert_at_once
from tolk.errors import TolkError
from tolk.models import User
from workflows import notify, review, webhooks
from workflows.customer_language import choose, recall, remember
from workflows.locales import ProfileView, effective_profile
from workflows.macros import pin_currency, render
from workflows.models import Decision, Reply, ReplyStatus
from workflows.replies.context import translate_context
from workflows.replies.idempotency import claim, existing_reply, in_progress
from workflows.replies.lifecycle import Drafted, KnownReview, back_translate, reply_event, transition
from workflows.replies.request import DraftRequest
from workflows.routing import Reason, RoutingDecision, RoutingInput, decide, sampled
from workflows.sweep import schedule_deadline_check


def _profile(session: Session, locale: str) -> ProfileView:
    return app_cache("locale_profiles").get(locale, lambda: effective_profile(session, locale))


def _recent_score(session: Session, lang: str, threshold: float) -> float | None:
    """The language's recent MQM score when it counts against ``threshold`` (enough words evaluated)."""
    recent = app_cache("recent_quality").get(lang, lambda: recent_quality(session, lang))
    return recent.score if recent.below(threshold) else None


def _termbase(session: Session, name: str | None) -> Termbase | None:
    if name is None:
        # The default glossary applies when it exists; an explicitly named one must exist.
        name = current_app.config["DEFAULT_GLOSSARY"]
        if not name or not app_cache("glossary_exists").get(
                name, lambda: session.scalar(select(Glossary.id).where(Glossary.name == name)) is not None):
            return None
    return load_termbase(session, name)


@event.listens_for(Glossary, "after_insert")
@event.listens_for(Glossary, "after_delete")
def _forget_glossaries(_mapper: Any, _connection: Any, _target: Glossary) -> None:
    # A glossary created or deleted in this process counts at once; in other processes within CACHE_SECONDS.
    if has_app_context():
        app_cache("glossary_exists").clear()


def tone_rules(profile: Any) -> tuple[str, ...]:
    """The locale profile's writing rules, for engines that take instructions (language models)."""
    if profile.upsell_allowed:
        return ()
    return ("Do not add offers, upgrades, discounts or suggestions to buy anything: upselling is not allowed "
            "for this locale.",)


@contextlib.contextmanager
def drafting(session: Session, agent: User, req: DraftRequest) -> Iterator[Drafted]:
    """Draft a reply (:func:`draft`) under its idempotency key; yields it for the caller to commit.

    The same key sent again gets the first reply; sent while the first is still being drafted, a 409 to retry.
    The key's claim is held until the block ends, so the caller commits inside it.
    """
    key = req.idempotency_key
    if not key:
        yield draft(session, agent, req)
        return
    existing = existing_reply(session, agent, key)
    if existing is not None:
        yield Drafted(existing, created=False)
        return
    release = claim(agent, key)
    if release is None:
        session.rollback()
        existing = existing_reply(session, agent, key)
        if existing is None:  # not committed between our two looks either
            raise in_progress(key)
        yield Drafted(existing, created=False)
        return
    try:
        yield draft(session, agent, req)
    finally:
        release()


@dataclass
class _Languages:
    """Who writes in which language, and how the customer's was found."""

    customer: str
    agent: str
    detection: Detection | None
    how: str


@dataclass
class _Translation:
    """The reply's text on both sides and where the customer's side came from."""

    source_text: str
    mt_text: str | None = None
    engine: str | None = None
    reviewed: bool = False
    failed_over: bool = False
    no_engine: str | None = None
    term_findings: list[dict] = dataclasses.field(default_factory=list)
    terms_checked: int = 0


def draft(session: Session, agent: User, req: DraftRequest) -> Drafted:
    """Translate, check, route and store a reply. The caller commits (written here); the stored reply, not
    created, when another process stored the same idempotency key meanwhile."""
    with protection_scope():  # the reply's texts are searched for customer data once, not per step
        langs = _detect_languages(session, agent, req)
        profile = _profile(session, langs.customer)
        termbase = _termbase(session, req.glossary)
        translation = _pick_text(session, req, langs)
        if translation.mt_text is None:
            _machine_translate(session, req, langs, profile, termbase, translation)
        findings = _check(translation, langs, profile)
        routing = _route(session, req, langs, profile, translation, findings)
        reply = _new_reply(session, agent, req, langs, translation, findings, routing)
        held = _hold(session, req, langs, reply, profile)
        _settle(reply, agent.name, held=held)
        stored = _store(session, agent, req, reply)
        if stored is not reply:
            return Drafted(stored, created=False)
        if reply.status == ReplyStatus.AWAITING_AGENT:
            notify.reply_status_changed(reply)  # it moved there before it was stored, when nobody could be told
        known = _hand_over(session, req, langs, profile, translation, findings, reply, held)
        audit("reply.drafted", "reply", reply.id, actor=agent.name,
              detail={"decision": reply.decision.value, "lang": langs.customer}, sess=session)
        return Drafted(reply, created=True, known=known)


def _detect_languages(session: Session, agent: User, req: DraftRequest) -> _Languages:
    """The customer's language (given, detected, or remembered for the ticket) and the agent's."""
    detector = services().detector
    detection, known = None, None
    if req.customer_lang is None:  # a language given is used as it is: nothing to detect or recall
        detection = detector.detect(req.customer_message or "")
        # A short or uncertain message falls back on the language remembered for the ticket or customer.
        known = recall(session, req.ticket_ref, req.customer_id) or next(
            (t.lang for t in reversed(req.thread) if t.author == "customer" and t.lang), None)
    choice = choose(req.customer_lang, req.customer_message or "", detection, known)
    if choice.lang is None:
        raise TolkError("the customer's language is uncertain: pick it and send 'customer_locale'",
                        code="language_uncertain", status=422,
                        details={"detection": detection.to_dict() if detection else None})
    remember(session, req.ticket_ref, req.customer_id, choice.lang, choice.how)
    agent_lang = req.agent_lang or (agent.language_list[0] if agent.language_list else None)
    if agent_lang is None:
        agent_lang = detector.detect(req.text).lang or "en"
    return _Languages(customer=choice.lang, agent=agent_lang, detection=detection, how=choice.how)


def _pick_text(session: Session, req: DraftRequest, langs: _Languages) -> _Translation:
    """The agent's text, or the template rendered on both sides (a reviewed translation needs no engine)."""
    if not req.template_id:
        return _Translation(source_text=req.text)
    # An amount without a currency is in the agent's currency on both sides, never the customer's.
    variables = pin_currency(req.variables, _profile(session, langs.agent).currency)
    rendered = render(session, req.template_id, langs.customer, variables)
    source_text = req.text or render(session, req.template_id, langs.agent, variables).text
    if rendered.locale_used == "source":
        return _Translation(source_text=source_text)
    return _Translation(source_text=source_text, mt_text=rendered.text, engine="template", reviewed=True)


def _machine_translate(session: Session, req: DraftRequest, langs: _Languages, profile: ProfileView,
                       termbase: Termbase | None, out: _Translation) -> None:
    """Fill ``out`` with the engine's translation (or the text itself when both speak the same language)."""
    if langs.agent == langs.customer:
        out.mt_text, out.engine, out.reviewed = out.source_text, "none", True
        return
    try:
        # Machine output of a reply is not remembered: the memory learns it once a reviewer approved it.
        with egress_for_ticket(req.ticket_ref):
            (result,) = services().translator.translate(
                session, [out.source_text], langs.agent, langs.customer, glossary=termbase,
                formality=profile.formality, context="customer support reply", tm_context=None, remember=False,
                customer=req.customer, tone=tone_rules(profile), content_type="reply")
    except NoEngineAvailable as exc:
        out.no_engine = str(exc)
        return
    out.mt_text, out.engine, out.failed_over = result.text, result.engine, result.failed_over
    out.reviewed = result.engine == "tm" and result.tm_origin == "human"
    out.term_findings = result.term_findings
    if termbase is not None:
        out.terms_checked = len(find_terms(out.source_text, termbase, langs.agent))


def _check(translation: _Translation, langs: _Languages, profile: ProfileView) -> list[dict]:
    """Automatic QA findings of the customer's text, the termbase's and the locale's upselling rule."""
    if translation.mt_text is None or translation.engine == "none":
        return []
    config = CheckConfig.from_dict(profile.check_config) if profile.check_config else None
    segment = Segment(source=translation.source_text, target=translation.mt_text, source_lang=langs.agent,
                      target_lang=langs.customer, pii_token_pattern=TOKEN_PATTERN, formality=profile.formality,
                      upsell_allowed=profile.upsell_allowed)
    return [f.to_dict() for f in run_checks(segment, config=config)] + translation.term_findings


def _route(session: Session, req: DraftRequest, langs: _Languages, profile: ProfileView,
           translation: _Translation, findings: list[dict]) -> RoutingDecision:
    """Release, agent confirmation or native review, with reasons (``workflows.routing``)."""
    return decide(RoutingInput(
        source_text=translation.source_text, source_lang=langs.agent, target_lang=langs.customer,
        channel=req.channel, engine=translation.engine if translation.mt_text is not None else None,
        no_engine_message=translation.no_engine, reviewed_translation=translation.reviewed, findings=findings,
        failed_over=translation.failed_over, vip=req.vip, escalated=req.escalated, detection_uncertain=False,
        recent_score=_recent_score(session, langs.customer, profile.quality_threshold),
        quality_threshold=profile.quality_threshold, always_review=profile.always_review,
        critical_terms=profile.critical_terms, target_text=translation.mt_text,
        customer_message=req.customer_message, thread=req.thread))


def _new_reply(session: Session, agent: User, req: DraftRequest, langs: _Languages, translation: _Translation,
               findings: list[dict], routing: RoutingDecision) -> Reply:
    """The reply row, with a back-translation for the agent when a person will have to judge it."""
    # Engine calls before the first write: the reply's rows are then written in one short burst.
    message_translation, thread = translate_context(session, req.customer_message, req.thread, langs.customer,
                                                    langs.agent, req.customer, req.ticket_ref)
    back_translation = None
    if routing.decision in (Decision.AGENT_CONFIRM, Decision.NATIVE_REVIEW) and translation.mt_text \
            and not translation.reviewed:
        back_translation = back_translate(session, translation.mt_text, langs.customer, langs.agent,
                                           req.customer, req.ticket_ref)
    return Reply(ticket_ref=req.ticket_ref, channel=req.channel, agent_id=agent.id,
                 idempotency_key=req.idempotency_key, agent_lang=langs.agent, customer_lang=langs.customer,
                 detection={**langs.detection.to_dict(), "used": langs.how} if langs.detection else None,
                 template_id=req.template_id, source_text=translation.source_text, mt_text=translation.mt_text,
                 engine=translation.engine, decision=routing.decision,
                 reasons=[r.to_dict() for r in routing.reasons], findings=findings, vip=req.vip,
                 escalated=req.escalated, back_translation=back_translation,
                 customer=req.customer.to_dict() if req.customer else None,
                 customer_key=req.customer.key if req.customer else None, customer_message=req.customer_message,
                 customer_message_translation=message_translation, thread=thread or None)


@dataclass
class _Held:
    """A reply held for native review (or human translation): where its review item goes, the reasons the item
    records, and whether nobody reviews the language (``escalated``: its agent confirms it instead)."""

    placement: review.Placement
    reasons: list[dict]
    escalated: bool


def _hold(session: Session, req: DraftRequest, langs: _Languages, reply: Reply, profile: ProfileView) -> _Held | None:
    """A held reply's review item's deadline and reviewer, picked before the reply is written: the reply and all
    its transitions are then written at once. With nobody to review the language its agent confirms it, with
    the back-translation."""
    if reply.decision not in (Decision.NATIVE_REVIEW, Decision.HUMAN_TRANSLATION):
        return None
    placement = review.place(session, target_lang=langs.customer, channel=req.channel, content_type="reply",
                             sla_minutes=profile.sla_minutes, holidays=profile.holidays)
    held = _Held(placement, list(reply.reasons), escalated=placement.assignment.reviewer is None
                 and reply.mt_text is not None)
    if held.escalated and reply.mt_text is not None:
        reply.decision = Decision.AGENT_CONFIRM
        reply.reasons = [*reply.reasons, Reason("review:no_reviewer", Decision.AGENT_CONFIRM,
                                                f"{placement.assignment.escalation}; the agent must confirm").to_dict()]
        reply.back_translation = reply.back_translation or back_translate(
            session, reply.mt_text, langs.customer, langs.agent, req.customer, req.ticket_ref)
    return held


def _settle(reply: Reply, agent_name: str, note: str | None = None, held: _Held | None = None) -> None:
    """The reply's status before it is first written (released, waiting for its agent, or in review as ``held``
    placed it): the reply and its transitions are written at once."""
    transition(reply, ReplyStatus.DRAFTED, agent_name, note)
    if reply.decision == Decision.AGENT_CONFIRM:
        transition(reply, ReplyStatus.AWAITING_AGENT, "system",
                   held.placement.assignment.escalation if held is not None else "agent must confirm")
    elif reply.decision in (Decision.NATIVE_REVIEW, Decision.HUMAN_TRANSLATION):
        transition(reply, ReplyStatus.IN_REVIEW, "system", "queued for native review")
    else:
        reply.final_text = reply.mt_text
        transition(reply, ReplyStatus.RELEASED, "system", "released at once")


def _store(session: Session, agent: User, req: DraftRequest, reply: Reply) -> Reply:
    """Write ``reply`` and its transitions; the reply stored by another process instead when it took the same
    key. Written by Core INSERTs, not the unit of work: the flush cost more CPU than the rest of the write."""
    try:
        insert_at_once(session, reply, "transitions")
    except IntegrityError:
        # Another process drafted the same idempotency key meanwhile (its claim expired, or Redis is down).
        session.rollback()
        if req.idempotency_key is None:
            raise
        existing = existing_reply(session, agent, req.idempotency_key)
        if existing is None:
            raise in_progress(req.idempotency_key) from None
        return existing
    return reply


def _hand_over(session: Session, req: DraftRequest, langs: _Languages, profile: ProfileView,
               translation: _Translation, findings: list[dict], reply: Reply, held: _Held | None) -> KnownReview:
    """Queue the stored reply's review item as ``held`` placed it, or release it (with a random spot check);
    returns the reply's open review item (a spot check is none)."""
    mt_text = translation.mt_text
    # The same item either way: a native review, or a spot check of a released reply.
    enqueue = functools.partial(
        review.enqueue, session, kind="reply", object_id=reply.id, source_lang=langs.agent,
        target_lang=langs.customer, source_text=translation.source_text, mt_text=mt_text,
        engine=translation.engine, channel=req.channel, content_type="reply", findings=findings,
        terms_checked=translation.terms_checked, sla_minutes=profile.sla_minutes, holidays=profile.holidays)
    if held is not None:
        queued = enqueue(reasons=held.reasons, task="translate" if mt_text is None else "review",
                         placement=held.placement,
                         status=review.ReviewStatus.ESCALATED if held.escalated else review.ReviewStatus.PENDING)
        if not held.escalated:
            after_commit(session, functools.partial(schedule_deadline_check, queued.item))
        return KnownReview(queued.item, queued.reviewer.name if queued.reviewer is not None else None)
    if reply.decision != Decision.AGENT_CONFIRM:  # released (_settle)
        webhooks.emit(session, "reply.released", reply_event(reply))
        if translation.engine not in ("none", "template") and sampled(profile.sample_rate):
            enqueue(spot_check=True, reasons=[{"code": "spot_check", "decision": "released",
                                               "message": "random sample of released replies"}])
    return KnownReview(None)
