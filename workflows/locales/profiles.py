"""Locale profiles resolved along the fallback chain into one effective profile per locale; how fields
inherit and combine is in the package docstring (``workflows.locales``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.numbers import get_territory_currencies
from sqlalchemy import select
from sqlalchemy.orm import Session

from tolk.languages import babel_locale, check, locale_chain
from workflows.models import LocaleProfile

FORMALITIES = ("default", "formal", "informal")
CHANNELS = ("chat", "email", "social", "phone")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DIRECTIONS = ("ltr", "rtl")
# Variables a greeting or sign-off may use; the caller of render() supplies them.
FRAME_VARIABLES = frozenset({"customer_name", "agent_name", "company_name"})
INHERIT = -1.0

# Built-in defaults, the end of every fallback chain. SLAs in minutes: chat answered within
# minutes, email within a business day, social within hours, a phone call picked up at once.
DEFAULTS: dict[str, Any] = {
    "formality": "default",
    "greeting": "",
    "sign_off": "",
    "upsell_allowed": True,
    "sla_minutes": {"chat": 5, "email": 1440, "social": 240, "phone": 3},
    "preferred_channels": ["email", "chat"],
    "working_days": "mon,tue,wed,thu,fri",
    "holidays": [],
    "currency": "EUR",
    "text_direction": "ltr",
    "quality_threshold": 90.0,
    "sample_rate": 0.05,
    "always_review": False,
    "check_config": {},
    "critical_terms": [],
}

# Fields whose "not set" value is empty and which the most specific locale that sets them decides.
_FIRST_SET = ("formality", "greeting", "sign_off", "preferred_channels", "working_days", "holidays",
              "currency", "text_direction", "check_config")
_RATES = ("quality_threshold", "sample_rate")


@dataclass
class ProfileView:
    """A locale's effective profile: every field resolved along the fallback chain.

    ``sources`` names the locale each field came from (``"default"`` for the built-in value;
    SLA channels are reported one by one as ``sla_minutes.chat`` ...).
    """

    locale: str
    name: str
    formality: str
    greeting: str
    sign_off: str
    upsell_allowed: bool
    sla_minutes: dict[str, int]
    preferred_channels: list[str]
    working_days: list[str]
    holidays: list[str]
    currency: str
    text_direction: str
    quality_threshold: float
    sample_rate: float
    always_review: bool
    check_config: dict[str, Any]
    critical_terms: list[str]
    chain: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    stored: bool = False

    def sla_for(self, channel: str) -> int:
        """Minutes allowed for a first answer on ``channel``."""
        return self.sla_minutes.get(channel, DEFAULTS["sla_minutes"].get(channel, DEFAULTS["sla_minutes"]["email"]))

    def is_working_day(self, day: dt.date) -> bool:
        """Whether support in this locale works on ``day`` (working weekday and no public holiday)."""
        return WEEKDAYS[day.weekday()] in self.working_days and day.isoformat() not in self.holidays

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return dataclasses.asdict(self)


def _is_set(name: str, value: Any) -> bool:
    if name in _RATES:
        return value is not None and value >= 0
    return value not in (None, "", [], {})


def _resolve(tag: str, rows: Mapping[str, LocaleProfile]) -> ProfileView:
    chain = locale_chain(tag)
    present = [rows[loc] for loc in chain if loc in rows]
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name in (*_FIRST_SET, *_RATES):
        for row in present:
            if _is_set(name, getattr(row, name)):
                values[name], sources[name] = getattr(row, name), row.locale
                break
        else:
            values[name], sources[name] = DEFAULTS[name], "default"
    if sources["text_direction"] == "default":
        values["text_direction"] = babel_locale(tag).text_direction
    if sources["currency"] == "default":
        values["currency"] = _default_currency(tag)
    # SLAs merge per channel: de-CH may set only chat and keep de's email target.
    sla: dict[str, int] = {}
    for channel in CHANNELS:
        for row in present:
            if channel in (row.sla_minutes or {}):
                sla[channel], sources[f"sla_minutes.{channel}"] = int(row.sla_minutes[channel]), row.locale
                break
        else:
            sla[channel], sources[f"sla_minutes.{channel}"] = DEFAULTS["sla_minutes"][channel], "default"
    # The safer answer wins (see the module docstring).
    blocker = next((row.locale for row in present if not row.upsell_allowed), None)
    sources["upsell_allowed"] = blocker or (present[0].locale if present else "default")
    reviewer = next((row.locale for row in present if row.always_review), None)
    sources["always_review"] = reviewer or (present[0].locale if present else "default")
    terms: list[str] = []
    for row in present:
        terms.extend(t for t in row.critical_terms or [] if t not in terms)
    sources["critical_terms"] = ",".join(r.locale for r in present if r.critical_terms) or "default"
    own = rows.get(chain[0])
    return ProfileView(
        locale=chain[0], name=(own.name if own is not None and own.name else display_name(chain[0])),
        formality=values["formality"], greeting=values["greeting"], sign_off=values["sign_off"],
        upsell_allowed=blocker is None, sla_minutes=sla, preferred_channels=list(values["preferred_channels"]),
        working_days=values["working_days"].split(","), holidays=list(values["holidays"]),
        currency=values["currency"], text_direction=values["text_direction"],
        quality_threshold=float(values["quality_threshold"]), sample_rate=float(values["sample_rate"]),
        always_review=reviewer is not None, check_config=dict(values["check_config"]), critical_terms=terms,
        chain=chain, sources=sources, stored=own is not None)


def display_name(tag: str) -> str:
    """The English name of a locale, e.g. ``German (Switzerland)``."""
    try:
        return Locale.parse(tag, sep="-").get_display_name("en") or tag
    except (UnknownLocaleError, ValueError):
        return tag


@functools.cache
def _default_currency(tag: str) -> str:
    loc = babel_locale(tag)
    territory = loc.territory
    if territory is None:
        likely = get_global("likely_subtags").get(str(loc)) or get_global("likely_subtags").get(loc.language, "")
        territory = likely.split("_")[-1] if likely else None
    if territory:
        found = get_territory_currencies(territory, tender=True)
        if found:
            return found[0]
    return DEFAULTS["currency"]


def effective_profile(session: Session, locale: str) -> ProfileView:
    """The effective profile of ``locale`` (one query for the whole fallback chain)."""
    tag = check(locale)
    chain = locale_chain(tag)
    rows = {r.locale: r for r in session.scalars(select(LocaleProfile).where(LocaleProfile.locale.in_(chain)))}
    return _resolve(tag, rows)


def list_profiles(session: Session) -> list[ProfileView]:
    """Effective profiles of every stored locale, in one query."""
    rows = {r.locale: r for r in session.scalars(select(LocaleProfile))}
    return [_resolve(tag, rows) for tag in sorted(rows)]
