"""Drafted replies: the agent's text in the customer's language, checked and routed with reasons.

``request`` is what an agent asks for (validated); ``drafting`` turns it into a stored reply in named steps (languages, text, translation, checks,
routing, storage, hand-over); ``idempotency`` keeps a repeated request from drafting twice; ``lifecycle``
covers what happens to a reply afterwards (confirmation, review decisions, release); ``revision`` the agent's
edits, resending after a rejection, back-translation on demand and marking it sent; ``context`` the ticket's
customer message and thread.
"""

from __future__ import annotations

from workflows.replies.context import ticket_context
from workflows.replies.drafting import draft, drafting, tone_rules
from workflows.replies.idempotency import CLAIM_SECONDS
from workflows.replies.lifecycle import (
    Drafted,
    KnownReview,
    back_translate,
    confirm,
    customer_of,
    get_reply,
    on_review_decided,
    on_review_overdue,
    replies_to_dicts,
    reply_event,
    reply_to_dict,
    transition,
    translate_message,
)
from workflows.replies.request import (
    AUTHORS,
    CHANNELS,
    CUSTOMER_FIELDS,
    MAX_THREAD,
    DraftRequest,
    parse_customer,
)
from workflows.replies.revision import AGENT_EDIT, back_translation_of, mark_sent, revise

__all__ = [
    "AGENT_EDIT",
    "AUTHORS",
    "CHANNELS",
    "CLAIM_SECONDS",
    "CUSTOMER_FIELDS",
    "MAX_THREAD",
    "DraftRequest",
    "Drafted",
    "KnownReview",
    "back_translate",
    "back_translation_of",
    "confirm",
    "customer_of",
    "draft",
    "drafting",
    "get_reply",
    "mark_sent",
    "on_review_decided",
    "on_review_overdue",
    "parse_customer",
    "replies_to_dicts",
    "reply_event",
    "reply_to_dict",
    "revise",
    "ticket_context",
    "tone_rules",
    "transition",
    "translate_message",
]
