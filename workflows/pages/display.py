"""How replies and review items read on pages: highlighted findings, reply states, routing reasons."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from workflows.content_rules import N_
from workflows.models import ReplyStatus

#: The one vocabulary of why content is held, for replies and articles alike: reason code -> plain words.
#: A reason's stored ``message`` (engine names, figures, the reviewer's words) stays available as detail.
REASONS: dict[str, str] = {
    "no_engine": N_("No machine translation engine serves this language pair: a person translates it"),
    "customer:vip": N_("The customer is a VIP"),
    "customer:escalated": N_("The ticket is escalated"),
    "channel:public": N_("A public reply on social media"),
    "language:uncertain": N_("The customer's language is uncertain"),
    "quality:critical_check": N_("An automatic check found a critical error in the translation"),
    "quality:major_check": N_("Automatic checks found major errors in the translation"),
    "quality:failover": N_("The preferred engine failed and another one translated it"),
    "quality:language_below_threshold": N_("This language's recent quality score is below its threshold"),
    "locale:always_review": N_("This language's settings ask for review of everything"),
    "critical_article": N_("A critical article: published only after native review"),
    "spot_check": N_("Released without review, then drawn at random for a spot check"),
    "review:no_reviewer": N_("Nobody reviews this language: the agent confirms instead"),
    "review:sla_missed": N_("Not reviewed in time: the agent confirms instead"),
    "xliff_import": N_("Translated outside Tolk (XLIFF import)"),
    "replaces_draft_in_review": N_("Replaces a draft that was waiting for review"),
    "source_changed": N_("The source changed after this was queued"),
}
#: Codes once written for the same cause (still stored in older rows) -> the code of ``REASONS``.
REASON_ALIASES = {"no_engine_for_pair": "no_engine", "critical_finding": "quality:critical_check",
                  "policy_review": "locale:always_review"}


def finding_spans(findings: list[dict[str, Any]]) -> list[tuple[int, int, str]]:
    """(start, end, message) spans in the target text from check findings and term findings."""
    spans = []
    for f in findings or []:
        title = f"{f.get('severity', '')}: {f.get('message') or f.get('check', '')}"
        for span in f.get("spans") or []:
            if isinstance(span, list | tuple) and len(span) == 2:
                spans.append((span[0], span[1], title))
        target = f.get("target_span")
        if isinstance(target, list | tuple) and len(target) == 2:
            spans.append((target[0], target[1], title))
    return spans


def reply_statuses() -> dict[str, str]:
    """Reply states as shown to agents."""
    return {ReplyStatus.DRAFTED: _("drafted"), ReplyStatus.AWAITING_AGENT: _("waiting for your confirmation"),
            ReplyStatus.IN_REVIEW: _("waiting for review"), ReplyStatus.APPROVED: _("approved"),
            ReplyStatus.RELEASED: _("released"), ReplyStatus.REJECTED: _("rejected")}


def reason_code(reason: dict[str, Any]) -> str:
    """A reason's code in the one vocabulary: an older alias becomes the code it now has."""
    code = str(reason.get("code", ""))
    return REASON_ALIASES.get(code, code)


def reason_text(reason: dict[str, Any]) -> str:
    """A reason in plain words in the UI language: the same words for the same cause in replies and articles;
    content rules still quote the words that held the text, and a rejection gives the reviewer's words."""
    code = reason_code(reason)
    if code == "rejected":
        return _("Rejected: %(why)s", why=reason.get("message", ""))
    if code in REASONS:
        return _(REASONS[code])
    template = reason.get("template")
    if template:
        return _(template, **reason.get("params", {}))
    return str(reason.get("message") or _("Another reason"))


def reason_detail(reason: dict[str, Any]) -> str:
    """The code and stored message of a reason, for a title attribute (support and admins quote them)."""
    message = reason.get("message")
    return f"{reason.get('code', '')}: {message}" if message else str(reason.get("code", ""))


def labels() -> dict[str, Any]:
    """Template context: the reply-state and routing-reason wording of agent and review pages."""
    return {"reply_statuses": reply_statuses, "reason_text": reason_text, "reason_detail": reason_detail}
