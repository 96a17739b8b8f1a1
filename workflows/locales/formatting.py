"""Dates, money, numbers and plural categories formatted for a locale with Babel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from tolk.errors import ValidationError
from tolk.languages import babel_locale
from workflows.locales.changes import check_currency

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
        return format_currency(_number(value), check_currency(currency), locale=loc)
    if kind == "number":
        return format_decimal(_number(value), locale=loc)
    if kind == "plural":
        return loc.plural_form(_number(value))
    raise ValidationError(f"unknown format kind {kind!r}; known: {', '.join(FORMAT_KINDS)}")
