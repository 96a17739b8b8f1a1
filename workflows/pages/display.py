"""How replies and review items read on pages: highlighted findings, reply states, routing reasons."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from workflows.models import ReplyStatus


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


def reason_text(reason: dict[str, Any]) -> str:
    """A routing reason in the UI language, still quoting the words that held the reply as written."""
    template = reason.get("template")
    if not template:
        return str(reason.get("message", ""))
    return _(template, **reason.get("params", {}))


def labels() -> dict[str, Any]:
    """Template context: the reply-state and routing-reason wording of agent and review pages."""
    return {"reply_statuses": reply_statuses, "reason_text": reason_text}
