"""The ticket's context on a reply: the customer's message and the earlier turns, in the agent's language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from machinery.pii import Customer
from machinery.routing import NoEngineAvailable
from machinery.service import services
from machinery.translator import egress_for_ticket
from tolk.models import User
from workflows import review
from workflows.models import Reply, ReviewItem
from workflows.routing import Turn


def translate_context(session: Session, message: str | None, thread: Sequence[Turn], customer_lang: str,
                      agent_lang: str, customer: Customer | None, ticket_ref: str) -> tuple[str | None, list[dict]]:
    """The customer's message in the agent's language and the thread as stored (customer turns translated),
    in one engine call through the PII layer; without an engine for the pair, no translations (the texts stay)."""
    turns = [{"author": t.author, "text": t.text, "lang": t.lang, "translation": None} for t in thread]
    if customer_lang == agent_lang:
        return None, turns
    # Only what is in the customer's language goes out: one batch, one source language.
    wanted = [n for n, t in enumerate(turns) if t["author"] == "customer" and t["lang"] in (None, customer_lang)]
    texts: list[str] = ([message] if message else []) + [str(turns[n]["text"]) for n in wanted]
    if not texts:
        return None, turns
    try:
        with egress_for_ticket(ticket_ref):
            results = services().translator.translate(session, texts, customer_lang, agent_lang, use_tm=False,
                                                      customer=customer, content_type="inbound")
    except NoEngineAvailable:
        return None, turns
    translated = [r.text for r in results]
    message_translation = translated.pop(0) if message else None
    for n, text in zip(wanted, translated, strict=True):
        turns[n]["translation"] = text
    return message_translation, turns


def ticket_context(session: Session, item: ReviewItem, reader: User | None) -> dict[str, Any] | None:
    """What a reviewer sees of a review item's ticket: the customer's message and thread, the agent, the
    channel and the ticket reference; the agent-language translation only when the reader does not read the
    customer's language but reads the agent's. No engine call: what was translated at draft time."""
    reply = session.get(Reply, item.object_id) if item.kind == "reply" else None
    # The customer's own words carry their data in clear: only for who may see it (not as tokens).
    if reply is None or reply.redacted_at is not None or not review.sees_customer_data(reader, item):
        return None
    agent = session.get(User, reply.agent_id)
    reads = set(reader.language_list) if reader is not None else set()
    show_translation = reply.customer_lang not in reads and reply.agent_lang in reads
    thread = [{**turn, "translation": turn.get("translation") if show_translation else None}
              for turn in reply.thread or []]
    return {"ticket_ref": reply.ticket_ref, "channel": reply.channel, "agent": agent.name if agent else None,
            "customer_lang": reply.customer_lang, "agent_lang": reply.agent_lang,
            "message": reply.customer_message,
            "message_translation": reply.customer_message_translation if show_translation else None,
            "thread": thread}
