"""What a quality report covers: its filters, dates and language as given, and the scoring profile by name."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from lqa.mqm import LinearProfile, MQM2Linear, WMTSegment
from tolk.errors import ValidationError
from tolk.languages import base, check

PROFILE_NAMES = ("mqm2", "wmt")

Profile = LinearProfile | WMTSegment


def profile_named(name: str | None) -> Profile:
    """Return the scoring profile called ``name`` (``mqm2`` by default, or ``wmt``)."""
    if not name or name == "mqm2":
        return MQM2Linear()
    if name == "wmt":
        return WMTSegment()
    raise ValidationError(f"unknown scoring profile {name!r}; expected one of {', '.join(PROFILE_NAMES)}",
                          details={"field": "profile"})


def parse_date(value: str | None, name: str) -> dt.date | None:
    """Return the ISO date (YYYY-MM-DD) in ``value``, None when empty; ValidationError naming ``name``."""
    if value is None or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(f"'{name}' must be an ISO date (YYYY-MM-DD), got {value!r}",
                              details={"field": name}) from None


def parse_language(value: str | None, name: str = "lang") -> str | None:
    """Return the canonical tag in ``value``, None when empty; ValidationError when unknown."""
    if value is None or not value.strip():
        return None
    return check(value, name)


@dataclass(frozen=True)
class QualityFilters:
    """Which quality records a report covers; ``start`` and ``end`` are inclusive UTC dates."""

    lang: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    engine: str | None = None
    content_type: str | None = None
    channel: str | None = None
    reviewer: str | None = None
    # A reviewer's own languages (None: every language), matched as tolk.auth.require_language does.
    visible_languages: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise ValidationError(f"'from' ({self.start}) is after 'to' ({self.end})", details={"field": "from"})

    @property
    def period(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The period as UTC datetimes: start inclusive, end exclusive (the day after ``end``)."""
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=dt.UTC) if self.start else None
        end = (dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
               if self.end else None)
        return start, end

    def visible(self, lang: str) -> bool:
        """Whether ``lang`` may be shown under ``visible_languages``."""
        if self.visible_languages is None:
            return True
        bases = {base(tag) for tag in self.visible_languages}
        return lang in self.visible_languages or base(lang) in bases

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict of the filters that are set."""
        values: dict[str, Any] = {
            "lang": self.lang, "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None, "engine": self.engine,
            "content_type": self.content_type, "channel": self.channel, "reviewer": self.reviewer}
        if self.visible_languages is not None:
            values["visible_languages"] = list(self.visible_languages)
        return values
