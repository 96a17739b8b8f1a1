"""Rendering aids for page templates: highlighted spans of text, deadlines as time left."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup, escape


def marked(text: str | None, spans: Iterable[tuple[int, int, str]], css: str = "finding") -> Markup:
    """``text`` escaped, with each (start, end, title) span wrapped in ``<mark>``; overlapping spans
    are merged (titles joined) and spans outside the text are ignored."""
    text = text or ""
    clean = sorted((max(0, int(s)), min(len(text), int(e)), str(t)) for s, e, t in spans
                   if isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text))
    merged: list[list[Any]] = []
    for start, end, title in clean:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            if title not in merged[-1][2]:
                merged[-1][2].append(title)
        else:
            merged.append([start, end, [title]])
    out, pos = [], 0
    for start, end, titles in merged:
        out.append(escape(text[pos:start]))
        out.append(Markup('<mark class="{}" title="{}">{}</mark>').format(css, "; ".join(titles), text[start:end]))
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def countdown(deadline: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """A deadline as the time left ("2 h 05 min left") or overdue ("overdue by 12 min")."""
    if deadline is None:
        return ""
    now = now or dt.datetime.now(dt.UTC)
    minutes = int((deadline - now).total_seconds() // 60)
    span = abs(minutes)
    days, rest = divmod(span, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        amount = _("%(days)d d %(hours)d h", days=days, hours=hours)
    elif hours:
        amount = _("%(hours)d h %(minutes)02d min", hours=hours, minutes=mins)
    else:
        amount = _("%(minutes)d min", minutes=mins)
    return _("%(amount)s left", amount=amount) if minutes >= 0 else _("overdue by %(amount)s", amount=amount)
