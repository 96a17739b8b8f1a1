"""Where a translated reply goes: released at once, confirmed by the agent, or a native reviewer.

``decide`` applies the rules in order and keeps every reason that fired; the strictest decision wins
(human_translation > native_review > agent_confirm > released). The rubric, the signals and how to
re-measure them are in docs/routing.md. The rules, with their defaults:

- no engine serves the pair -> a native translator writes it (human_translation);
- content (``CONTENT_RULES``, read in English, Dutch, German and Spanish): money, cancellations,
  returns and warranties, policy and plan terms, account access and security, personal data, safety
  and medicine, dates and periods -> native_review; each locale profile's ``critical_terms`` and
  amounts, percentages, dates and periods are also read in the translation;
- context: a short confirmation ("Yes, done.") of a customer's critical request -> native_review;
- the critical-content classifier (``workflows/data/critical_classifier.json``): a score at or above
  its threshold -> native_review, in its grey zone -> agent_confirm; text the rules cannot read
  (another language, no words) -> agent_confirm;
- quality: a critical automatic check, a failed-over engine, the language's recent MQM score below the
  locale's threshold, a locale that always wants review -> native_review; major findings and an
  uncertain customer language -> agent_confirm;
- customer and channel: VIP or escalated tickets, public social replies -> native_review;
- a reviewed translation (human template or human-approved TM match) skips the content and quality
  rules only when no automatic check found something critical.

Released content is still sampled into the review queue (``spot_check``) at the locale's sample rate.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tolk.languages import base
from workflows.classifier import CriticalClassifier, load_classifier
from workflows.content_rules import (
    BARE_WORDS,
    COMPLETION,
    CONFIRMATION,
    CONFIRMATION_WORDS,
    CONTENT_RULES,
    CONTEXT_TURNS,
    N_,
    RULE_LANGUAGES,
)
from workflows.models import Decision
from workflows.rule_search import first_matches

STRICTNESS = {Decision.RELEASED: 0, Decision.AGENT_CONFIRM: 1, Decision.NATIVE_REVIEW: 2,
              Decision.HUMAN_TRANSLATION: 3}

@dataclass
class Reason:
    """Why content was routed as it was; ``template`` and ``params`` let the UI show it in its language."""

    code: str
    decision: Decision
    message: str
    template: str | None = None
    params: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "decision": self.decision.value, "message": self.message}
        if self.template:
            out["template"], out["params"] = self.template, self.params
        return out


def reason(code: str, decision: Decision, template: str, **params: str) -> Reason:
    """A reason whose message is ``template`` filled with ``params`` (kept for translation in the UI)."""
    return Reason(code, decision, template % params, template, params)


@dataclass(frozen=True)
class Turn:
    """An earlier turn of the conversation."""

    author: str  # customer | agent
    text: str
    lang: str | None = None


@dataclass
class RoutingInput:
    """Everything the rules look at, gathered by the caller."""

    source_text: str
    source_lang: str
    target_lang: str
    channel: str
    engine: str | None  # None: no engine served the pair
    no_engine_message: str | None = None
    reviewed_translation: bool = False  # human template or human-approved TM
    findings: Sequence[dict[str, Any]] = ()
    failed_over: bool = False
    vip: bool = False
    escalated: bool = False
    detection_uncertain: bool = False
    recent_score: float | None = None
    quality_threshold: float | None = None
    always_review: bool = False
    critical_terms: Sequence[str] = ()
    review_on_failover: bool = True
    target_text: str | None = None  # the translation, read for locale terms, amounts, dates and periods
    customer_message: str | None = None
    thread: Sequence[Turn] = ()  # earlier turns, oldest first
    classifier: CriticalClassifier | None = None  # None: the shipped model


@dataclass
class RoutingDecision:
    decision: Decision
    reasons: list[Reason] = field(default_factory=list)


_TARGET_SIDE = tuple(name for name, rule in CONTENT_RULES.items() if rule.target_side)


def _quote(text: str) -> str:
    return "'" + " ".join(text.split()) + "'"


def content_reasons(text: str, critical_terms: Sequence[str] = (), *, target: bool = False) -> list[Reason]:
    """Content rules that fire on ``text``: the agent's text, or (``target``) the translation."""
    reasons = []
    found = first_matches(text, _TARGET_SIDE if target else CONTENT_RULES)
    for name, words in found.items():
        rule = CONTENT_RULES[name]
        code = f"content:{'target_' if target else ''}{name}"
        message = (N_("The translation gives an amount, percentage, date or period (%(words)s)") if target
                   else rule.message)
        reasons.append(reason(code, rule.decision, message, words=_quote(words)))
    for term in critical_terms:
        if term and re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text, re.IGNORECASE):
            reasons.append(reason("content:target_locale_term" if target else "content:locale_term",
                                  Decision.NATIVE_REVIEW,
                                  N_("Contains %(words)s, which the customer's locale marks as critical"),
                                  words=_quote(term)))
    return reasons


def _critical_request(data: RoutingInput) -> tuple[str, Reason] | None:
    """The critical request this reply answers: the turns back to the customer's last real message."""
    turns = [(t.author, t.text) for t in data.thread]
    if data.customer_message:
        turns.append(("customer", data.customer_message))
    for author, text in reversed(turns[-CONTEXT_TURNS:]):
        found = content_reasons(text)
        if found:
            return text, found[0]
        if author == "customer" and not is_confirmation(text):
            return None  # the customer's own request, and nothing critical in it
    return None


def is_confirmation(text: str, max_words: int = CONFIRMATION_WORDS) -> bool:
    """A short reply that says yes or done, without a question."""
    return ("?" not in text and len(text.split()) <= max_words
            and (CONFIRMATION.search(text) is not None or COMPLETION.search(text) is not None))


def context_reasons(data: RoutingInput) -> list[Reason]:
    """A short confirmation of a critical request is as critical as the request."""
    if not is_confirmation(data.source_text):
        return []
    request = _critical_request(data)
    if request is None:
        return []
    text, found = request
    return [reason("context:confirms_request", Decision.NATIVE_REVIEW,
                   N_("Confirms the customer's request %(request)s, critical because of %(why)s"),
                   request=_quote(text[:120]), why=found.params.get("words", ""))]


def classifier_reasons(data: RoutingInput) -> list[Reason]:
    """The learned signal: critical above the threshold, uncertain in the grey zone, unreadable text."""
    words = re.findall(r"[^\W\d_]{2,}", data.source_text)
    if base(data.source_lang) not in RULE_LANGUAGES or not words:
        return [reason("content:unreadable", Decision.AGENT_CONFIRM,
                       N_("The content rules cannot read this text (%(lang)s): the agent should confirm it"),
                       lang=data.source_lang)]
    if is_confirmation(data.source_text, BARE_WORDS):
        if data.customer_message or data.thread:
            return []  # the context rule judged it: it confirms nothing critical
        return [reason("context:unknown", Decision.AGENT_CONFIRM,
                       N_("Confirms something (%(words)s) but the customer's message was not given"),
                       words=_quote(data.source_text))]
    model = data.classifier or load_classifier()
    score = model.score(data.source_text)
    if score >= model.threshold:
        return [reason("content:classifier", Decision.NATIVE_REVIEW,
                       N_("Reads like critical content (score %(score)s), like the replies reviewers hold"),
                       score=f"{score:.2f}")]
    if score >= model.grey_zone:
        return [reason("content:classifier_uncertain", Decision.AGENT_CONFIRM,
                       N_("Might be critical (score %(score)s): the agent should confirm it"),
                       score=f"{score:.2f}")]
    return []


def critical_content(data: RoutingInput) -> list[Reason]:
    """Every content signal: rules on both sides, the conversation, and the classifier."""
    reasons = content_reasons(data.source_text, data.critical_terms)
    if data.target_text:
        seen = {r.params.get("words") for r in reasons}
        reasons += [r for r in content_reasons(data.target_text, data.critical_terms, target=True)
                    if r.params.get("words") not in seen]
    reasons += context_reasons(data)
    if not reasons:
        reasons += classifier_reasons(data)
    return reasons


def decide(data: RoutingInput) -> RoutingDecision:
    """Apply the rules; the strictest decision wins and every reason is kept."""
    reasons: list[Reason] = []
    if data.engine is None:
        reasons.append(Reason("no_engine", Decision.HUMAN_TRANSLATION,
                              data.no_engine_message or f"no engine serves {data.source_lang} -> {data.target_lang}"))
    if data.vip:
        reasons.append(Reason("customer:vip", Decision.NATIVE_REVIEW, "VIP customer"))
    if data.escalated:
        reasons.append(Reason("customer:escalated", Decision.NATIVE_REVIEW, "escalated ticket"))
    if data.channel == "social":
        reasons.append(Reason("channel:public", Decision.NATIVE_REVIEW, "public social reply"))
    if data.detection_uncertain:
        reasons.append(Reason("language:uncertain", Decision.AGENT_CONFIRM,
                              "the customer's language was detected with low confidence"))
    critical = [f for f in data.findings if f.get("severity") == "critical"]
    if critical:
        # Whatever produced the text (engine, template, reviewed TM): a critical finding holds it.
        checks = sorted({f.get("check", "?") for f in critical})
        reasons.append(reason("quality:critical_check", Decision.NATIVE_REVIEW,
                              N_("Critical automatic check failed: %(checks)s"), checks=", ".join(checks)))
    if (not data.reviewed_translation or critical) and data.engine is not None:
        reasons += critical_content(data)
        major = [f for f in data.findings if f.get("severity") == "major"]
        if major:
            checks = sorted({f.get("check", "?") for f in major})
            reasons.append(Reason("quality:major_check", Decision.AGENT_CONFIRM,
                                  f"automatic check findings: {', '.join(checks)}"))
        if data.failed_over and data.review_on_failover:
            reasons.append(Reason("quality:failover", Decision.NATIVE_REVIEW,
                                  f"the preferred engine failed; {data.engine} translated instead"))
        if (data.recent_score is not None and data.quality_threshold is not None
                and data.recent_score < data.quality_threshold):
            reasons.append(Reason("quality:language_below_threshold", Decision.NATIVE_REVIEW,
                                  f"recent MQM score for {data.target_lang} is {data.recent_score:.1f}, "
                                  f"below {data.quality_threshold:.1f}"))
        if data.always_review:
            reasons.append(Reason("locale:always_review", Decision.NATIVE_REVIEW,
                                  f"{data.target_lang} content is always reviewed"))
    decision = max((r.decision for r in reasons), key=STRICTNESS.__getitem__, default=Decision.RELEASED)
    return RoutingDecision(decision, reasons)


def sampled(rate: float, rng: random.Random | None = None) -> bool:
    """Whether released content is drawn as a spot check (an unbiased sample)."""
    return rate > 0 and (rng or random).random() < rate
