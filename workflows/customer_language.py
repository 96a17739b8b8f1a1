"""The customer's language, reliably: what the agent picked, what was detected, or what we remember.

Short messages are detected badly ("Non" read as Italian, "ok danke" as Dutch), and detection only
knows base languages and scripts (``pt``, not ``pt-BR``). So the language is remembered per ticket and
per customer, and ``choose`` prefers the remembered tag when the message is short or uncertain, or
when it is the same language (keeping the regional variant).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from machinery.detection import Detection
from tolk.db import defer_insert, utcnow
from tolk.languages import base
from workflows.models import CustomerLanguage

#: A message of at most this many words is too short to overrule what we remember.
SHORT_WORDS = 3


@dataclass(frozen=True)
class LanguageChoice:
    """The customer's language and how it was known: given, detected, remembered, or uncertain (None)."""

    lang: str | None
    how: str


def choose(given: str | None, message: str, detection: Detection | None, remembered: str | None) -> LanguageChoice:
    """The customer's language from what the agent gave, the detection and the remembered tag."""
    if given:
        return LanguageChoice(given, "given")
    if remembered:
        short = len(message.split()) <= SHORT_WORDS
        if detection is None or detection.lang is None or not detection.reliable or short:
            return LanguageChoice(remembered, "remembered")
        if base(detection.lang) == base(remembered):
            return LanguageChoice(remembered, "remembered")  # keeps pt-BR, zh-Hant, es-MX
        return LanguageChoice(detection.lang, "detected")  # a clear message in another language: they switched
    if detection is not None and detection.lang is not None and detection.reliable:
        return LanguageChoice(detection.lang, "detected")
    return LanguageChoice(None, "uncertain")


def _upsert(insert: Callable[[type[CustomerLanguage]], Any]) -> Insert:
    """Insert a remembered language, or update it when it changed (its source and time with it)."""
    stmt = insert(CustomerLanguage)
    return stmt.on_conflict_do_update(
        index_elements=["scope", "key"],
        set_={"lang": stmt.excluded.lang, "source": stmt.excluded.source, "updated_at": stmt.excluded.updated_at},
        where=CustomerLanguage.lang != stmt.excluded.lang)


#: The upsert of ``remember``, built once: on PostgreSQL (True) and SQLite (False).
_UPSERTS = {True: _upsert(postgresql_insert), False: _upsert(sqlite_insert)}


def _keys(ticket_ref: str, customer_id: str | None) -> list[tuple[str, str]]:
    return [("ticket", ticket_ref)] + ([("customer", customer_id)] if customer_id else [])


def recall(session: Session, ticket_ref: str, customer_id: str | None) -> str | None:
    """The remembered language of this ticket, else of this customer."""
    for scope, key in _keys(ticket_ref, customer_id):
        row = session.get(CustomerLanguage, (scope, key))
        if row is not None:
            return row.lang
    return None


def remember(session: Session, ticket_ref: str, customer_id: str | None, lang: str, source: str) -> None:
    """Remember ``lang`` for the ticket and the customer; ``source`` is how it was known (``choose``).

    One upsert per key, written when the transaction commits: two workers remembering the same ticket at
    once cannot fail a request, and an unchanged language is left as it was (its source and time too)."""
    stmt = _UPSERTS[session.get_bind().dialect.name == "postgresql"]
    now = utcnow()
    for scope, key in _keys(ticket_ref, customer_id):
        defer_insert(session, stmt, {"scope": scope, "key": key, "lang": lang, "source": source, "updated_at": now})
