"""Where a translated reply goes: released at once, confirmed by the agent, or a native reviewer.

``decide`` applies the rules in order and keeps every reason that fired; the strictest decision wins
(human_translation > native_review > agent_confirm > released). The rules, with their defaults:

- no engine serves the pair -> a native translator writes it (human_translation);
- content: refunds, compensation, cancellations, legal or contractual wording, security and account
  access, medical or safety wording, money amounts -> native_review; dates -> agent_confirm;
  plus each locale profile's own ``critical_terms``;
- quality: a critical automatic check, a failed-over engine, the language's recent MQM score below the
  locale's threshold, a locale that always wants review -> native_review; major findings and an
  uncertain customer language -> agent_confirm;
- customer and channel: VIP or escalated tickets, public social replies -> native_review;
- a reviewed translation (human template or human-approved TM match) skips the content and quality
  rules: it was already reviewed.

Released content is still sampled into the review queue (``spot_check``) at the locale's sample rate.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from workflows.models import Decision

STRICTNESS = {Decision.RELEASED: 0, Decision.AGENT_CONFIRM: 1, Decision.NATIVE_REVIEW: 2,
              Decision.HUMAN_TRANSLATION: 3}

#: Critical content by domain, in the agent languages Tolk ships (English, Spanish, Dutch, German).
CONTENT_RULES: dict[str, tuple[Decision, str]] = {
    "refund": (Decision.NATIVE_REVIEW,
               r"\b(refund\w*|reimburs\w*|money back|chargeback|reembols\w*|devoluci[oó]n|terugbetal\w*|"
               r"geld terug|erstatt\w*|rückerstatt\w*)"),
    "compensation": (Decision.NATIVE_REVIEW,
                     r"\b(compensat\w*|voucher|credit note|goodwill|indemniz\w*|compensaci[oó]n|"
                     r"vergoeding|entschädig\w*|gutschein)"),
    "cancellation": (Decision.NATIVE_REVIEW,
                     r"\b(cancel\w*|terminat\w*|cancelaci[oó]n|anul\w*|opzeg\w*|annuler\w*|kündig\w*|"
                     r"stornier\w*)"),
    "legal": (Decision.NATIVE_REVIEW,
              r"\b(legal\w*|lawyer|attorney|court|lawsuit|liabilit\w*|contract\w*|terms and conditions|"
              r"warrant\w*|gdpr|data protection|abogado|contrato|juridisch|advocaat|vertrag\w*|"
              r"rechtlich\w*|datenschutz)"),
    "security": (Decision.NATIVE_REVIEW,
                 r"\b(password\w*|passcode|2fa|two-factor|verification code|account access|hack\w*|"
                 r"phishing|fraud\w*|unauthori[sz]ed|contraseña|wachtwoord|passwort|betrug)"),
    "medical_safety": (Decision.NATIVE_REVIEW,
                       r"\b(injur\w*|medical|medicine|doctor|hospital|allerg\w*|recall\w*|hazard\w*|"
                       r"danger\w*|unsafe|fire|burn\w*|choking|poison\w*|lesi[oó]n|alergia|gevaar\w*|"
                       r"verletz\w*|gefahr\w*)"),
    "money": (Decision.NATIVE_REVIEW,
              r"(?:[$€£¥₹]\s?\d[\d.,]*|\d[\d.,]*\s?(?:€|\$|£|EUR|USD|GBP|PLN|zł|CHF|SEK|NOK|DKK|JPY|CNY|TWD)\b|"
              r"\b(?:EUR|USD|GBP|PLN|CHF)\s?\d)"),
    "date": (Decision.AGENT_CONFIRM,
             r"\b(\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}|"
             r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}|"
             r"\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*)\b"),
}
_COMPILED = {name: (decision, re.compile(rx, re.IGNORECASE)) for name, (decision, rx) in CONTENT_RULES.items()}


@dataclass
class Reason:
    """Why content was routed as it was."""

    code: str
    decision: Decision
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "decision": self.decision.value, "message": self.message}


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


@dataclass
class RoutingDecision:
    decision: Decision
    reasons: list[Reason] = field(default_factory=list)


def content_reasons(text: str, critical_terms: Sequence[str] = ()) -> list[Reason]:
    """Content rules that fire on ``text`` (the agent's source text)."""
    reasons = []
    for name, (decision, pattern) in _COMPILED.items():
        m = pattern.search(text)
        if m:
            reasons.append(Reason(f"content:{name}", decision, f"{name.replace('_', ' ')} wording: {m.group(0)!r}"))
    for term in critical_terms:
        if term and re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text, re.IGNORECASE):
            reasons.append(Reason("content:locale_term", Decision.NATIVE_REVIEW,
                                  f"the locale marks {term!r} as critical"))
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
    if not data.reviewed_translation and data.engine is not None:
        reasons += content_reasons(data.source_text, data.critical_terms)
        critical = [f for f in data.findings if f.get("severity") == "critical"]
        major = [f for f in data.findings if f.get("severity") == "major"]
        if critical:
            checks = sorted({f.get("check", "?") for f in critical})
            reasons.append(Reason("quality:critical_check", Decision.NATIVE_REVIEW,
                                  f"critical automatic check failed: {', '.join(checks)}"))
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
