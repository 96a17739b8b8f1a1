"""How the agent's workspace reads: a reply's state in plain words with its deadline in local times, the
template picker's variables with examples, and the API's answers as messages an agent understands."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime
from flask_babel import get_locale
from flask_babel import gettext as _

from tolk.errors import TolkError
from tolk.models import User
from workflows.macros import format_variable, pin_currency, template_variables
from workflows.models import ReplyStatus, ReplyTemplate

#: An amount typed with its currency, as agents write it: "49.90 EUR", "EUR 49.90", "49,90 €" is not one.
MONEY = re.compile(r"^\s*(?:(?P<c1>[A-Za-z]{3})\s+)?(?P<amount>-?\d+(?:[.,]\d+)?)(?:\s+(?P<c2>[A-Za-z]{3}))?\s*$")
EXAMPLE_DATE = "2026-12-24"


def language_name(tag: str) -> str:
    """A language's name in the UI language ("Polish" on an English page)."""
    try:
        name = Locale.parse(tag.replace("_", "-"), sep="-").get_display_name(str(get_locale() or "en"))
    except (ValueError, LookupError, TypeError, UnknownLocaleError):
        return tag
    return name[:1].upper() + name[1:] if name else tag


def local_time(when: dt.datetime | None, timezone: str | None) -> str:
    """``when`` on the clock of ``timezone`` (UTC when unknown), with the zone's name."""
    if when is None:
        return ""
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return format_datetime(when, "EEE d MMM HH:mm", tzinfo=zone, locale=str(get_locale() or "en")) + \
        f" ({zone.key})"


def reply_state(reply: dict[str, Any], agent: User, reviewer: User | None) -> str:
    """The reply's state as one sentence: who does what next, and by when on both clocks."""
    status, lang = reply["status"], language_name(reply["customer_lang"])
    review = reply.get("review") or {}
    deadline = reply.get("deadline")
    if status == ReplyStatus.IN_REVIEW:
        due = {"lang": lang, "agent_time": local_time(deadline, agent.timezone)}
        translate = review.get("task") == "translate"
        if reviewer is None:
            return (_("A %(lang)s translator will write it, due %(agent_time)s your time.", **due) if translate
                    else _("A %(lang)s reviewer will check it, due %(agent_time)s your time.", **due))
        due.update(name=reviewer.name, their_time=local_time(deadline, reviewer.timezone))
        return (_("%(name)s, a %(lang)s translator, will write it by %(agent_time)s your time "
                  "(%(their_time)s their time).", **due) if translate
                else _("%(name)s, a %(lang)s reviewer, will check it by %(agent_time)s your time "
                       "(%(their_time)s their time).", **due))
    if status == ReplyStatus.AWAITING_AGENT:
        return _("Waiting for you: read the back-translation, then confirm it, edit it or correct the translation.")
    if status == ReplyStatus.REJECTED:
        return _("The reviewer rejected it: revise it and send it again.")
    if reply.get("sent_at"):
        return _("Sent to the ticket by %(name)s, %(when)s.", name=reply["sent_by"],
                 when=local_time(dt.datetime.fromisoformat(reply["sent_at"]), agent.timezone))
    if status == ReplyStatus.APPROVED:
        return _("Approved by the reviewer: copy it into the ticket, then mark it sent.")
    return _("Ready for the customer: copy it into the ticket, then mark it sent.")


def decision_label(decision: str) -> str:
    """The routing decision in words."""
    return {"released": _("released at once"), "agent_confirm": _("you confirm it"),
            "native_review": _("a native reviewer checks it"),
            "human_translation": _("a translator writes it")}.get(decision, decision)


def no_engine_summary(reply: dict[str, Any]) -> str:
    """The no-engine reason without the engines' error details (those are for admins)."""
    target = language_name(reply["customer_lang"])
    return _("No machine translation for %(source)s → %(target)s; a %(target)s translator will write it.",
             source=language_name(reply["agent_lang"]), target=target)


def variable_hints(template: ReplyTemplate, locale: str, currency: str) -> list[dict[str, str]]:
    """Each variable of ``template`` with what to type and an example formatted for ``locale``; money is in
    ``currency`` (the agent's locale profile) unless typed with another ("49.90 USD")."""
    hints = []
    for name in sorted(template_variables(template)):
        if isinstance(pin_currency({name: "49.90"}, currency)[name], dict):
            sample = "49.90"
            kind = _("amount: a number such as 49.90, in %(currency)s unless you add another (49.90 USD)",
                     currency=currency)
        elif format_variable(name, EXAMPLE_DATE, locale, currency) != EXAMPLE_DATE:
            sample, kind = EXAMPLE_DATE, _("date: YYYY-MM-DD")
        elif name == template.plural_variable or name == "count":
            sample, kind = "2", _("whole number")
        else:
            sample, kind = "", _("text")
        example = format_variable(name, sample, locale, currency) if sample else ""
        hints.append({"name": name, "kind": kind, "sample": sample, "example": example})
    return hints


def typed_variable(value: str) -> str | dict[str, str]:
    """A variable as the agent typed it; an amount with a currency code becomes money in that currency."""
    found = MONEY.match(value)
    currency = found and (found["c1"] or found["c2"])
    if not found or not currency:
        return value
    return {"amount": found["amount"].replace(",", "."), "currency": currency.upper()}


def form_message(exc: TolkError) -> str:
    """An answer of the API as the draft form says it; unknown ones as they are."""
    details = exc.details or {}
    field = details.get("field")
    if exc.code == "empty_text" or (field == "text" and "required" in exc.message):
        return _("Write your reply, or pick a template.")
    if "customer_locale" in exc.message and "customer_message" in exc.message:
        return _("Pick the customer's language, or paste their message so that Tolk can recognise it.")
    if exc.code == "unknown_language" or field in ("customer_locale", "source_lang"):
        return _("Pick the customer's language from the list.")
    if exc.code == "language_uncertain":
        return _("Tolk cannot tell the customer's language for sure. Pick it: the likeliest is selected.")
    if exc.code == "undetected_language":
        return _("Tolk cannot tell which language this message is in. Pick the customer's language.")
    if exc.code in ("no_engine_for_pair", "engines_failed"):
        return _("No machine translation for this message right now; ask a colleague who reads it.")
    if details.get("variable"):
        return _("Template variable %(name)s: %(problem)s", name=details["variable"],
                 problem=exc.message.split(": ", 1)[-1])
    if exc.message.startswith("missing variable(s)"):
        return _("Fill in the template's variables: %(names)s.", names=exc.message.rsplit(": ", 1)[-1])
    if exc.status == 404 and "template" in exc.message:
        return _("This template no longer exists: pick another one.")
    if field == "ticket_ref" or "'ticket_ref'" in exc.message:
        return _("Give the ticket's reference (at most 120 characters).")
    return exc.message
