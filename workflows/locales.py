"""Locale profiles: tone, greetings, upselling, SLAs and calendar per locale, resolved along fallbacks.

A profile row stores only what that locale decides; the rest is inherited along the fallback chain
(``de-CH`` -> ``de`` -> built-in defaults), so a regional profile names only what differs. The table has
no nullable columns, so "not set here" is spelled with an empty value: ``""`` for text, ``{}``/``[]``
for JSON, :data:`INHERIT` (-1) for the two rates. Booleans have no third value, so they combine by the
safer answer along the chain: upselling is allowed only when every locale of the chain allows it, and
``always_review`` holds when any of them asks for it (a regional profile can tighten, never loosen).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import gettext
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.plurals import get_plural
from babel.numbers import format_currency, format_decimal, list_currencies
from sqlalchemy import select
from sqlalchemy.orm import Session

from tolk.errors import NotFound, ValidationError
from tolk.languages import UnknownLanguage, canonical, chinese_script, fallbacks
from workflows.models import LocaleProfile

FORMALITIES = ("default", "formal", "informal")
CHANNELS = ("chat", "email", "social", "phone")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DIRECTIONS = ("ltr", "rtl")
# Variables a greeting or sign-off may use; the caller of render() supplies them.
FRAME_VARIABLES = frozenset({"customer_name", "agent_name", "company_name"})
INHERIT = -1.0

_VARIABLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

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


def locale_chain(tag: str) -> list[str]:
    """Fallback chain of a locale, most specific first; Chinese never falls back across scripts."""
    tag = canonical(tag)
    script = chinese_script(tag)
    if script is None:
        return fallbacks(tag)
    if tag == "zh":
        return ["zh", "zh-Hans"]
    chain = []
    for step in fallbacks(tag):
        parts = step.split("-")
        if step == "zh" or (len(parts) == 2 and len(parts[1]) == 4 and parts[1] != script):
            # zh-TW falls back to zh-Hant, never to the bare "zh" a Simplified catalog would claim.
            step = f"zh-{script}"
        if step not in chain:
            chain.append(step)
    if f"zh-{script}" not in chain:
        chain.append(f"zh-{script}")
    return chain


@functools.cache
def babel_locale(tag: str) -> Locale:
    """The Babel locale for a BCP 47 tag (``zh-Hant`` -> ``zh_Hant``), falling back along the chain."""
    for step in locale_chain(tag):
        try:
            return Locale.parse(step, sep="-")
        except (UnknownLocaleError, ValueError):
            continue
    return Locale("en")


# Counts on which two plural rules are compared and a header's rule is tried: every count below 1000
# (gettext rules look at n % 10, n % 100 and small numbers) and large round ones with small remainders
# (CLDR's "many" of es/fr/it/pt/ca is 10^6, 2*10^6 ...; Cornish looks at n % 100000).
SAMPLE_COUNTS: tuple[int, ...] = tuple(sorted({*range(1000), *(
    m * 10**e + r for e in range(3, 10) for m in range(1, 21) for r in (0, 1, 2, 3, 5, 11, 21, 100000))}))


@dataclass(frozen=True)
class PluralRule:
    """A gettext plural rule: the number of forms (``nplurals``) and the C expression giving the form of ``n``."""

    nplurals: int
    expression: str

    @property
    def header(self) -> str:
        """The ``Plural-Forms`` header value."""
        return f"nplurals={self.nplurals}; plural={self.expression};"

    def index(self, n: int) -> int:
        """The msgstr index to use for the count ``n``."""
        return _compiled(self.expression)(abs(int(n)))

    def same_as(self, other: PluralRule) -> bool:
        """Whether ``other`` picks the same form for every count, however its expression is spelled."""
        return self.nplurals == other.nplurals and _forms_of(self.expression) == _forms_of(other.expression)

    def example(self, index: int) -> int | None:
        """The smallest count that takes form ``index`` (None when no count does)."""
        return next((n for n, i in zip(SAMPLE_COUNTS, _forms_of(self.expression), strict=True) if i == index),
                    None)


@functools.cache
def _compiled(expression: str) -> Callable[[int], int]:
    # gettext.c2py reads only the C operators of plural expressions and the variable n: it is safe to use
    # on an uploaded Plural-Forms header (anything else raises ValueError).
    return gettext.c2py(expression)


@functools.cache
def _forms_of(expression: str) -> tuple[int, ...]:
    evaluate = _compiled(expression)
    return tuple(evaluate(n) for n in SAMPLE_COUNTS)


def plural_rule(tag: str) -> PluralRule:
    """The current plural rule of a locale, from the installed Babel's CLDR data (Polish has 3 forms,
    Chinese 1). New translations are checked with it and store it; stored ones keep their own."""
    found = get_plural(babel_locale(tag))
    return PluralRule(found.num_plurals, found.plural_expr)


def parse_plural_header(header: str) -> PluralRule:
    """A PluralRule from a ``Plural-Forms`` header; ValueError when it is malformed or picks a form
    beyond ``nplurals``."""
    m = re.fullmatch(r"\s*nplurals\s*=\s*(\d+)\s*;\s*plural\s*=\s*(.+?)\s*;?\s*", header or "", re.S)
    if not m:
        raise ValueError(f"malformed Plural-Forms header {header!r}: expected 'nplurals=N; plural=EXPRESSION;'")
    rule = PluralRule(int(m.group(1)), m.group(2).strip())
    if not 1 <= rule.nplurals <= 6:
        raise ValueError(f"Plural-Forms: nplurals={rule.nplurals} is out of range (1-6)")
    try:
        forms = _forms_of(rule.expression)
    except (ValueError, SyntaxError, ArithmeticError, RecursionError) as exc:
        raise ValueError(f"Plural-Forms: cannot read plural expression {rule.expression!r}") from exc
    wrong = next((n for n, i in zip(SAMPLE_COUNTS, forms, strict=True) if not 0 <= i < rule.nplurals), None)
    if wrong is not None:
        raise ValueError(f"Plural-Forms: plural={rule.expression} gives form {rule.index(wrong)} for n={wrong}, "
                         f"but nplurals={rule.nplurals}")
    return rule


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
    from babel.core import get_global
    from babel.numbers import get_territory_currencies

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


def check_locale(tag: str) -> str:
    """The canonical tag; ValidationError when it is malformed or unknown."""
    try:
        return canonical(tag)
    except UnknownLanguage as exc:
        raise ValidationError(str(exc), code="unknown_language") from exc


def effective_profile(session: Session, locale: str) -> ProfileView:
    """The effective profile of ``locale`` (one query for the whole fallback chain)."""
    tag = check_locale(locale)
    chain = locale_chain(tag)
    rows = {r.locale: r for r in session.scalars(select(LocaleProfile).where(LocaleProfile.locale.in_(chain)))}
    return _resolve(tag, rows)


def list_profiles(session: Session) -> list[ProfileView]:
    """Effective profiles of every stored locale, in one query."""
    rows = {r.locale: r for r in session.scalars(select(LocaleProfile))}
    return [_resolve(tag, rows) for tag in sorted(rows)]


# --- validation and updates -----------------------------------------------------------------------

PROFILE_FIELDS = ("name", "formality", "greeting", "sign_off", "upsell_allowed", "sla_minutes",
                  "preferred_channels", "working_days", "holidays", "currency", "text_direction",
                  "quality_threshold", "sample_rate", "always_review", "check_config", "critical_terms")

_UNSET: dict[str, Any] = {"name": "", "formality": "", "greeting": "", "sign_off": "", "upsell_allowed": True,
                          "sla_minutes": {}, "preferred_channels": [], "working_days": "", "holidays": [],
                          "currency": "", "text_direction": "", "quality_threshold": INHERIT,
                          "sample_rate": INHERIT, "always_review": False, "check_config": {},
                          "critical_terms": []}


def _fail(name: str, message: str) -> ValidationError:
    return ValidationError(f"'{name}' {message}", details={"field": name})


def _text(name: str, value: Any, limit: int) -> str:
    if not isinstance(value, str):
        raise _fail(name, "must be a string")
    if len(value) > limit:
        raise _fail(name, f"is longer than {limit} characters")
    return value


def check_frame(name: str, value: Any) -> str:
    """Validate a greeting or sign-off: known variables in ``{braces}`` and no stray braces."""
    text = _text(name, value, 1000)
    stray = _VARIABLE.sub("", text)
    if "{" in stray or "}" in stray:
        raise _fail(name, "has a brace that is not part of a {variable}")
    unknown = sorted(set(_VARIABLE.findall(text)) - FRAME_VARIABLES)
    if unknown:
        raise _fail(name, f"uses unknown variable(s) {', '.join(unknown)}; allowed: "
                          f"{', '.join(sorted(FRAME_VARIABLES))}")
    return text


def _bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _fail(name, "must be true or false")
    return value


def _rate(name: str, value: Any, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(name, "must be a number")
    if not low <= value <= high:
        raise _fail(name, f"must be between {low:g} and {high:g}")
    return float(value)


def _channels(name: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(name, "must be a list of channel names")
    unknown = [v for v in value if v not in CHANNELS]
    if unknown:
        raise _fail(name, f"has unknown channel(s) {', '.join(unknown)}; known: {', '.join(CHANNELS)}")
    return list(dict.fromkeys(value))


def _sla(value: Any) -> dict[str, int]:
    if not isinstance(value, dict):
        raise _fail("sla_minutes", "must be an object of channel -> minutes")
    out = {}
    for channel, minutes in value.items():
        if channel not in CHANNELS:
            raise _fail("sla_minutes", f"has unknown channel {channel!r}; known: {', '.join(CHANNELS)}")
        if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
            raise _fail("sla_minutes", f"for {channel} must be a whole number of minutes above 0")
        if minutes > 60 * 24 * 30:
            raise _fail("sla_minutes", f"for {channel} is more than 30 days")
        out[channel] = minutes
    return out


def _working_days(value: Any) -> str:
    days = value.split(",") if isinstance(value, str) else value
    if not isinstance(days, list) or not days or not all(isinstance(d, str) for d in days):
        raise _fail("working_days", "must be a non-empty list of weekdays (mon ... sun)")
    days = [d.strip().lower() for d in days]
    unknown = [d for d in days if d not in WEEKDAYS]
    if unknown:
        raise _fail("working_days", f"has unknown day(s) {', '.join(unknown)}; use {', '.join(WEEKDAYS)}")
    return ",".join(d for d in WEEKDAYS if d in days)


def _holidays(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise _fail("holidays", "must be a list of ISO dates (YYYY-MM-DD)")
    out = set()
    for i, item in enumerate(value):
        if not isinstance(item, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", item):
            raise _fail("holidays", f"item {i} ({item!r}) is not an ISO date (YYYY-MM-DD)")
        try:
            dt.date.fromisoformat(item)
        except ValueError:
            raise _fail("holidays", f"item {i} ({item!r}) is not a real date") from None
        out.add(item)
    return sorted(out)


def _currency(value: Any) -> str:
    if not isinstance(value, str) or value.upper() not in list_currencies():
        raise _fail("currency", f"must be an ISO 4217 currency code known to Babel, not {value!r}")
    return value.upper()


def _check_config(value: Any) -> dict:
    if not isinstance(value, dict):
        raise _fail("check_config", "must be an object")
    from lqa.checks import CheckConfig

    try:
        CheckConfig.from_dict(value)
    except (ValueError, TypeError) as exc:
        raise _fail("check_config", f"is invalid: {exc}") from None
    return value


def _terms(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(t, str) and t.strip() for t in value):
        raise _fail("critical_terms", "must be a list of non-empty strings")
    if any(len(t) > 100 for t in value):
        raise _fail("critical_terms", "has a term longer than 100 characters")
    return list(dict.fromkeys(t.strip() for t in value))


def validate_changes(body: Mapping[str, Any]) -> dict[str, Any]:
    """Column values from a profile update; ``None`` resets a field to inherited. ValidationError on bad input."""
    unknown = sorted(set(body) - set(PROFILE_FIELDS))
    if unknown:
        raise ValidationError(f"unknown field(s): {', '.join(unknown)}", details={"fields": unknown})
    out: dict[str, Any] = {}
    for name, value in body.items():
        if value is None:
            out[name] = _UNSET[name]
            continue
        match name:
            case "name":
                out[name] = _text(name, value, 80)
            case "formality":
                if value not in FORMALITIES:
                    raise _fail(name, f"must be one of: {', '.join(FORMALITIES)}")
                out[name] = value
            case "greeting" | "sign_off":
                out[name] = check_frame(name, value)
            case "upsell_allowed" | "always_review":
                out[name] = _bool(name, value)
            case "sla_minutes":
                out[name] = _sla(value)
            case "preferred_channels":
                out[name] = _channels(name, value)
            case "working_days":
                out[name] = _working_days(value)
            case "holidays":
                out[name] = _holidays(value)
            case "currency":
                out[name] = _currency(value)
            case "text_direction":
                if value not in DIRECTIONS:
                    raise _fail(name, f"must be one of: {', '.join(DIRECTIONS)}")
                out[name] = value
            case "quality_threshold":
                out[name] = _rate(name, value, 0, 100)
            case "sample_rate":
                out[name] = _rate(name, value, 0, 1)
            case "check_config":
                out[name] = _check_config(value)
            case "critical_terms":
                out[name] = _terms(value)
    return out


def _forget_cached_profiles() -> None:
    from tolk.cache import app_cache

    app_cache("locale_profiles").clear()


def update_profile(session: Session, locale: str, body: Mapping[str, Any]) -> tuple[LocaleProfile, bool]:
    """Create or update the stored profile of ``locale``; returns (row, created). Unnamed fields stay as
    they are (on a new row: inherited)."""
    tag = check_locale(locale)
    changes = validate_changes(body)
    found = session.get(LocaleProfile, tag)
    created = found is None
    row = LocaleProfile(locale=tag, **_UNSET) if found is None else found
    if created:
        session.add(row)
    for name, value in changes.items():
        setattr(row, name, value)
    _forget_cached_profiles()
    return row, created


def delete_profile(session: Session, locale: str) -> None:
    """Delete the stored profile of ``locale``; NotFound when there is none."""
    tag = check_locale(locale)
    row = session.get(LocaleProfile, tag)
    if row is None:
        raise NotFound(f"no stored profile for locale {tag}")
    session.delete(row)
    _forget_cached_profiles()


# --- formatting -----------------------------------------------------------------------------------

FORMAT_KINDS = ("date", "money", "number", "plural")


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text).date()
        except ValueError:
            pass
    raise ValidationError(f"{value!r} is not an ISO date (YYYY-MM-DD)")


def _number(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValidationError(f"{value!r} is not a number")
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(f"{value!r} is not a number") from None


def format_value(kind: str, value: Any, locale: str, currency: str | None = None,
                 *, date_format: str = "long") -> str:
    """Format a value for a locale with Babel: ``date`` (ISO string or date), ``money`` (a number with
    ``currency``, or ``{"amount", "currency"}``), ``number``, or ``plural`` (the CLDR category of n)."""
    loc = babel_locale(locale)
    if kind == "date":
        return format_date(_date(value), date_format, locale=loc)
    if kind == "money":
        if isinstance(value, Mapping):
            currency = value.get("currency") or currency
            value = value.get("amount")
        if not currency:
            raise ValidationError(f"no currency for the amount {value!r}")
        return format_currency(_number(value), _currency(currency), locale=loc)
    if kind == "number":
        return format_decimal(_number(value), locale=loc)
    if kind == "plural":
        return loc.plural_form(_number(value))
    raise ValidationError(f"unknown format kind {kind!r}; known: {', '.join(FORMAT_KINDS)}")


# --- demo profiles --------------------------------------------------------------------------------

# Upselling: support contacts in German-, Dutch-, Polish-, Estonian- and Japanese-speaking markets
# read offers in a complaint or refund reply as pushy (a common finding of CX teams there), so they
# are off. English, Spanish, Catalan, Mexican Spanish, Taiwanese and Gulf-Arabic support commonly
# carry a relevant offer, so they stay on; the check still applies when a locale turns it off.
# Formality: support writes formally (Sie, u, usted, vous-style teie, 您, keigo) unless a brand
# decides otherwise; English has no T-V distinction, so "default".
DEMO_PROFILES: dict[str, dict[str, Any]] = {
    "en": {
        "name": "English", "formality": "default", "greeting": "Hello {customer_name},",
        "sign_off": "Kind regards,\nThe support team", "upsell_allowed": True,
        "sla_minutes": {"chat": 3, "email": 720, "social": 60, "phone": 2},
        "preferred_channels": ["chat", "email"], "working_days": "mon,tue,wed,thu,fri",
        "holidays": ["2026-01-01", "2026-12-25"], "currency": "EUR", "text_direction": "ltr",
        "quality_threshold": 90.0, "sample_rate": 0.02,
        "critical_terms": ["refund", "chargeback", "password", "invoice", "cancellation"],
    },
    "es": {
        "name": "Spanish (Spain)", "formality": "formal", "greeting": "Hola, {customer_name}:",
        "sign_off": "Un saludo,\nEl equipo de atención al cliente", "upsell_allowed": True,
        "sla_minutes": {"chat": 5, "email": 1440, "social": 120, "phone": 3},
        "preferred_channels": ["social", "chat", "phone"], "working_days": "mon,tue,wed,thu,fri",
        # Año Nuevo, Reyes, Viernes Santo, Trabajo, Asunción, Fiesta Nacional, Inmaculada, Navidad.
        "holidays": ["2026-01-01", "2026-01-06", "2026-04-03", "2026-05-01", "2026-08-15", "2026-10-12",
                     "2026-12-08", "2026-12-25"],
        "currency": "EUR", "text_direction": "ltr", "quality_threshold": 88.0, "sample_rate": 0.05,
        "critical_terms": ["reembolso", "devolución", "contraseña", "factura", "cancelación"],
    },
    "es-MX": {
        # Inherits greeting, formality (usted) and checks from es; its own money, calendar and pace.
        "name": "Spanish (Mexico)", "sign_off": "Saludos cordiales,\nEl equipo de atención al cliente",
        "sla_minutes": {"social": 60, "chat": 3}, "preferred_channels": ["social", "chat"],
        # Año Nuevo, Constitución, Natalicio de Benito Juárez, Trabajo, Independencia, Revolución, Navidad.
        "holidays": ["2026-01-01", "2026-02-02", "2026-03-16", "2026-05-01", "2026-09-16", "2026-11-16",
                     "2026-12-25"],
        "currency": "MXN",
    },
    "ca": {
        "name": "Catalan", "formality": "formal", "greeting": "Hola, {customer_name}:",
        "sign_off": "Salutacions cordials,\nL'equip d'atenció al client", "upsell_allowed": True,
        "sla_minutes": {"chat": 5, "email": 1440, "social": 120, "phone": 3},
        "preferred_channels": ["chat", "email"],
        # Cap d'Any, Reis, Divendres Sant, Dilluns de Pasqua, Sant Joan, Diada, Nadal, Sant Esteve.
        "holidays": ["2026-01-01", "2026-01-06", "2026-04-03", "2026-04-06", "2026-06-24", "2026-09-11",
                     "2026-12-25", "2026-12-26"],
        "currency": "EUR", "quality_threshold": 88.0, "sample_rate": 0.08,
        "critical_terms": ["reemborsament", "devolució", "contrasenya", "factura"],
    },
    "de": {
        # "Guten Tag" with the full name avoids the gendered "Sehr geehrte/r Frau/Herr".
        "name": "German", "formality": "formal", "greeting": "Guten Tag {customer_name},",
        "sign_off": "Mit freundlichen Grüßen\nIhr Kundenservice-Team", "upsell_allowed": False,
        "sla_minutes": {"chat": 5, "email": 1440, "social": 240, "phone": 3},
        "preferred_channels": ["email", "phone"],
        # Neujahr, Karfreitag, Ostermontag, Tag der Arbeit, Christi Himmelfahrt, Pfingstmontag,
        # Tag der Deutschen Einheit, 1. und 2. Weihnachtstag.
        "holidays": ["2026-01-01", "2026-04-03", "2026-04-06", "2026-05-01", "2026-05-14", "2026-05-25",
                     "2026-10-03", "2026-12-25", "2026-12-26"],
        "currency": "EUR", "quality_threshold": 90.0, "sample_rate": 0.05,
        "critical_terms": ["Rückerstattung", "Erstattung", "Kündigung", "Widerruf", "Passwort", "Rechnung"],
    },
    "de-CH": {
        # Swiss Standard German writes "ss" for "ß"; the rest comes from de.
        "name": "German (Switzerland)", "sign_off": "Freundliche Grüsse\nIhr Kundendienst-Team",
        # Neujahr, Berchtoldstag, Karfreitag, Ostermontag, Auffahrt, Pfingstmontag, Bundesfeier,
        # Weihnachten, Stephanstag.
        "holidays": ["2026-01-01", "2026-01-02", "2026-04-03", "2026-04-06", "2026-05-14", "2026-05-25",
                     "2026-08-01", "2026-12-25", "2026-12-26"],
        "currency": "CHF",
    },
    "nl": {
        # "Beste" is the usual neutral opening; "Geachte" reads stiff in support mail. Support uses "u".
        "name": "Dutch", "formality": "formal", "greeting": "Beste {customer_name},",
        "sign_off": "Met vriendelijke groet,\nHet klantenserviceteam", "upsell_allowed": False,
        "sla_minutes": {"chat": 2, "email": 480, "social": 60, "phone": 2},
        "preferred_channels": ["chat", "social", "email"],
        # Nieuwjaarsdag, Eerste en Tweede Paasdag, Koningsdag, Hemelvaartsdag, Tweede Pinksterdag, Kerst.
        "holidays": ["2026-01-01", "2026-04-05", "2026-04-06", "2026-04-27", "2026-05-14", "2026-05-25",
                     "2026-12-25", "2026-12-26"],
        "currency": "EUR", "quality_threshold": 90.0, "sample_rate": 0.05,
        "critical_terms": ["terugbetaling", "restitutie", "opzeggen", "wachtwoord", "factuur"],
    },
    "pl": {
        # "Szanowny Panie/Szanowna Pani" needs the customer's gender; "Dzień dobry" does not.
        "name": "Polish", "formality": "formal", "greeting": "Dzień dobry {customer_name},",
        "sign_off": "Z poważaniem\nZespół obsługi klienta", "upsell_allowed": False,
        "sla_minutes": {"chat": 3, "email": 1440, "social": 120, "phone": 2},
        "preferred_channels": ["email", "chat", "phone"],
        # Nowy Rok, Trzech Króli, Poniedziałek Wielkanocny, Święto Pracy, Boże Ciało, Wniebowzięcie,
        # Wszystkich Świętych, Niepodległości, Wigilia (a day off since 2025), Boże Narodzenie.
        "holidays": ["2026-01-01", "2026-01-06", "2026-04-06", "2026-05-01", "2026-06-04", "2026-08-15",
                     "2026-11-01", "2026-11-11", "2026-12-24", "2026-12-25", "2026-12-26"],
        "currency": "PLN", "quality_threshold": 92.0, "sample_rate": 0.15,
        "critical_terms": ["zwrot", "reklamacja", "hasło", "faktura", "odstąpienie"],
    },
    "et": {
        "name": "Estonian", "formality": "formal", "greeting": "Tere, {customer_name}!",
        "sign_off": "Lugupidamisega\nKlienditeeninduse meeskond", "upsell_allowed": False,
        "sla_minutes": {"chat": 3, "email": 480, "social": 240, "phone": 3},
        "preferred_channels": ["email", "chat"],
        # Uusaasta, iseseisvuspäev, suur reede, kevadpüha, võidupüha, jaanipäev, taasiseseisvumispäev,
        # jõululaupäev, jõulupühad.
        "holidays": ["2026-01-01", "2026-02-24", "2026-04-03", "2026-05-01", "2026-06-23", "2026-06-24",
                     "2026-08-20", "2026-12-24", "2026-12-25", "2026-12-26"],
        # Machine translation is weakest here: more spot checks, a higher bar.
        "currency": "EUR", "quality_threshold": 92.0, "sample_rate": 0.2,
        "critical_terms": ["tagasimakse", "raha tagastamine", "parool", "arve"],
    },
    "zh-Hant": {
        "name": "Chinese (Traditional, Taiwan)", "formality": "formal", "greeting": "{customer_name} 您好：",
        "sign_off": "客服團隊 敬上", "upsell_allowed": True,
        "sla_minutes": {"chat": 2, "email": 720, "social": 30, "phone": 2},
        "preferred_channels": ["chat", "social"],
        # 元旦, 春節 (除夕 to 初三), 端午節, 中秋節, 國慶日.
        "holidays": ["2026-01-01", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-06-19",
                     "2026-09-25", "2026-10-10"],
        "currency": "TWD", "quality_threshold": 92.0, "sample_rate": 0.15,
        "critical_terms": ["退款", "密碼", "發票", "解約"],
    },
    "ja": {
        "name": "Japanese", "formality": "formal", "greeting": "{customer_name}様",
        "sign_off": "今後ともよろしくお願い申し上げます。\nカスタマーサポート", "upsell_allowed": False,
        "sla_minutes": {"chat": 3, "email": 1440, "social": 240, "phone": 2},
        "preferred_channels": ["email", "phone"],
        # 元日, 成人の日, 建国記念の日, 天皇誕生日, 春分の日, 昭和の日, 憲法記念日 to 振替休日, 海の日,
        # 敬老の日, 秋分の日, スポーツの日, 文化の日, 勤労感謝の日.
        "holidays": ["2026-01-01", "2026-01-12", "2026-02-11", "2026-02-23", "2026-03-20", "2026-04-29",
                     "2026-05-04", "2026-05-05", "2026-05-06", "2026-07-20", "2026-09-21", "2026-09-23",
                     "2026-10-12", "2026-11-03", "2026-11-23"],
        "currency": "JPY", "quality_threshold": 92.0, "sample_rate": 0.15,
        "critical_terms": ["返金", "パスワード", "請求書", "解約"],
    },
    "ar": {
        # No engine is installed for Arabic by default and RTL layout needs a human eye: always review.
        "name": "Arabic (Saudi Arabia)", "formality": "formal", "greeting": "مرحبًا {customer_name}،",
        "sign_off": "مع أطيب التحيات،\nفريق خدمة العملاء", "upsell_allowed": True,
        "sla_minutes": {"chat": 3, "email": 1440, "social": 60, "phone": 2},
        "preferred_channels": ["social", "chat"], "working_days": "sun,mon,tue,wed,thu",
        # Founding Day and National Day; the two Eids follow the moon sighting (approximate dates).
        "holidays": ["2026-02-22", "2026-03-20", "2026-05-27", "2026-09-23"],
        "currency": "SAR", "text_direction": "rtl", "quality_threshold": 92.0, "sample_rate": 0.2,
        "always_review": True, "critical_terms": ["استرداد", "كلمة المرور", "فاتورة"],
    },
}


def seed_demo_locales(session: Session) -> None:
    """Create the demo locale profiles that do not exist yet (idempotent; edited profiles are kept)."""
    existing = set(session.scalars(select(LocaleProfile.locale)))
    for tag, values in DEMO_PROFILES.items():
        if tag not in existing:
            update_profile(session, tag, values)
    session.flush()
