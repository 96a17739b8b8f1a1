"""Locale profile changes: every field validated, then stored; ``None`` resets a field to inherited."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from babel.numbers import list_currencies
from sqlalchemy.orm import Session

from lqa.checks import CheckConfig
from tolk.cache import app_cache
from tolk.errors import NotFound, ValidationError
from tolk.languages import check
from workflows.locales.profiles import (
    CHANNELS,
    DIRECTIONS,
    FORMALITIES,
    FRAME_VARIABLES,
    INHERIT,
    WEEKDAYS,
)
from workflows.models import LocaleProfile

_VARIABLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
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


def check_currency(value: Any) -> str:
    """The ISO 4217 code in upper case; ValidationError when Babel does not know it."""
    if not isinstance(value, str) or value.upper() not in list_currencies():
        raise _fail("currency", f"must be an ISO 4217 currency code known to Babel, not {value!r}")
    return value.upper()


def _check_config(value: Any) -> dict:
    if not isinstance(value, dict):
        raise _fail("check_config", "must be an object")
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
                out[name] = check_currency(value)
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
    app_cache("locale_profiles").clear()


def update_profile(session: Session, locale: str, body: Mapping[str, Any]) -> tuple[LocaleProfile, bool]:
    """Create or update the stored profile of ``locale``; returns (row, created). Unnamed fields stay as
    they are (on a new row: inherited)."""
    tag = check(locale)
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
    tag = check(locale)
    row = session.get(LocaleProfile, tag)
    if row is None:
        raise NotFound(f"no stored profile for locale {tag}")
    session.delete(row)
    _forget_cached_profiles()
