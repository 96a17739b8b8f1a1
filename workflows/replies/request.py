"""A request to draft a reply, as the API's contract (``workflows.contract.DraftReply``) validated it, with the
checks a schema cannot make."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from machinery.pii import Customer
from tolk.errors import ValidationError
from tolk.languages import UnknownLanguage, canonical
from tolk.validation import optional
from workflows.routing import Turn

CHANNELS = ("email", "chat", "social", "phone", "web")
AUTHORS = ("customer", "agent")
MAX_THREAD = 50
CUSTOMER_FIELDS = {"name": 200, "email": 254, "phone": 40, "address": 500}


def parse_customer(body: dict[str, Any]) -> Customer | None:
    """The optional ``customer`` object of a request its contract has validated (known fields, strings within
    their lengths): what the helpdesk knows, masked wherever it appears."""
    raw = optional(body, "customer")
    return None if raw is None else Customer.from_dict(raw)


def _language(value: str | None, name: str) -> str | None:
    """``value`` as a canonical language tag; the contract checks the shape, this the language itself."""
    if value is None:
        return None
    try:
        return canonical(value)
    except UnknownLanguage as exc:
        raise ValidationError(f"'{name}': {exc}", code="unknown_language") from exc


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
    def from_json(cls, body: dict[str, Any]) -> DraftRequest:
        """The request in ``body``, which its contract (``workflows.contract.DraftReply``) has validated:
        types, required fields, channels and lengths. Checked here is what a schema cannot say: a text or a
        template, a customer language or message to detect it from, and that each language is known."""
        template_id = optional(body, "template_id")
        if template_id is None and body.get("text") is None:
            raise ValidationError("'text' is required", details={"field": "text"})
        text = optional(body, "text", "")
        if template_id is None and not text.strip():
            raise ValidationError("'text' is empty", code="empty_text")
        customer_lang = _language(optional(body, "customer_locale"), "customer_locale")
        message = optional(body, "customer_message")
        if customer_lang is None and not (message and message.strip()):
            raise ValidationError("give 'customer_locale' or the customer's last message ('customer_message')")
        thread = [Turn(turn["author"], turn["text"], _language(turn.get("lang") or None, f"thread[{n}].lang"))
                  for n, turn in enumerate(optional(body, "thread", [])[-MAX_THREAD:])]
        return cls(text=text, ticket_ref=body["ticket_ref"], channel=body["channel"], customer_lang=customer_lang,
                   customer_message=message, agent_lang=_language(optional(body, "agent_lang"), "agent_lang"),
                   template_id=template_id, variables=optional(body, "variables", {}),
                   vip=bool(optional(body, "vip", False)), escalated=bool(optional(body, "escalated", False)),
                   idempotency_key=optional(body, "idempotency_key"), glossary=optional(body, "glossary"),
                   thread=thread, customer_id=optional(body, "customer_id"), customer=parse_customer(body))
