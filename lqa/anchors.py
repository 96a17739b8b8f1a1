"""Anchor MQM annotations to the words they mark, so that edits to the text do not move them.

An offset pair goes stale as soon as the text before it changes. An anchor keeps what the W3C Web
Annotation model calls a TextQuoteSelector: the marked words (``quote``) with a little context on
either side (``prefix``, ``suffix``). To find the words again in a later version of the text, every
exact occurrence of the quote is scored by how much of its context still surrounds it, and the best
one wins (ties go to the occurrence nearest the old offset). When the quote no longer occurs at all
the words were edited away: the annotation is then reported as "text changed", never moved onto
other words.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Characters of context kept on each side of the marked words.
CONTEXT_CHARS = 32


@dataclass(frozen=True)
class TextQuote:
    """The marked words and their context (a W3C TextQuoteSelector)."""

    quote: str
    prefix: str = ""
    suffix: str = ""


def quote_of(text: str, start: int, end: int, *, context: int = CONTEXT_CHARS) -> TextQuote:
    """The selector of ``text[start:end]``; ValueError if the span is not within ``text``."""
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span must satisfy 0 <= start <= end <= {len(text)}")
    return TextQuote(text[start:end], text[max(0, start - context):start], text[end:end + context])


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def locate(text: str, selector: TextQuote, *, hint: int | None = None) -> tuple[int, int] | None:
    """Where the quoted words are in ``text`` as (start, end), or None when they were edited away.

    An empty quote (a point between two characters) is found by its context instead.
    """
    if not selector.quote:
        joined = selector.prefix + selector.suffix
        if not joined:
            return None
        found = text.find(joined)
        return None if found < 0 else (found + len(selector.prefix),) * 2
    best: tuple[int, int, int] | None = None  # (context match, -distance to hint, start)
    start = text.find(selector.quote)
    while start >= 0:
        end = start + len(selector.quote)
        match = (_common_suffix(text[max(0, start - len(selector.prefix)):start], selector.prefix)
                 + _common_prefix(text[end:end + len(selector.suffix)], selector.suffix))
        distance = abs(start - hint) if hint is not None else 0
        candidate = (match, -distance, start)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
        start = text.find(selector.quote, start + 1)
    if best is None:
        return None
    return best[2], best[2] + len(selector.quote)


def reanchor(old_text: str, new_text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of ``old_text[start:end]`` in ``new_text``, or None when those words are gone."""
    return locate(new_text, quote_of(old_text, start, end), hint=start)
