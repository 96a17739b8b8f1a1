"""Shared text analysis of the checks: placeholders, tags, URLs and e-mails found, and prose without them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

PLACEHOLDER_RE = re.compile(
    r"\{\{\s*[^{}\s]+(?:\s*\|[^{}]*)?\s*\}\}"          # {{ var }} / {{ var|filter }} (Jinja, Handlebars)
    r"|\$\{[^{}\s]+\}"                                 # ${var}
    r"|\{[A-Za-z0-9_.\[\]]*(?:![rsa])?(?::[^{}]*)?\}"  # {name} {0} {} {x:.2f} (str.format, ICU-ish)
    r"|%(?:\([A-Za-z0-9_]+\)|\d+\$)?[-+#0]*\d*(?:\.\d+)?[sdifFeEgGxXoucr]"  # %s %d %(x)s %1$s
)
# A space flag (``% d``) is left out on purpose: "50 % de réduction" is prose, not a format string.
TAG_RE = re.compile(r"<(/?)([A-Za-z][\w:.-]*)((?:\s+[^<>]*?)?)\s*(/?)>")
COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
_ENTITY_RE = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")
_URL_RE = re.compile(r"(?:https?://|ftp://|www\.)[^\s<>\"'\u3000]+", re.I)
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL_TRAILING = ".,;:!?)]}'\"»”’。，！？"

CJK_LANGS = frozenset({"zh", "ja", "ko"})
NO_SPACE_LANGS = frozenset({"zh", "ja", "th", "lo", "km", "my"})


def matches(pattern: re.Pattern[str], text: str) -> list[tuple[str, tuple[int, int]]]:
    """Return each match of ``pattern`` in ``text`` with its span."""
    return [(m.group(0), m.span()) for m in pattern.finditer(text)]


def find_urls(text: str) -> list[tuple[str, tuple[int, int]]]:
    """Return the URLs in ``text`` with their spans, without trailing punctuation."""
    found = []
    for m in _URL_RE.finditer(text):
        url = m.group(0).rstrip(_URL_TRAILING)
        found.append((url, (m.start(), m.start() + len(url))))
    return found


def blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Replace the spans with spaces, so later regexes skip them while offsets stay valid."""
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            if chars[i] not in "\n":
                chars[i] = " "
    return "".join(chars)


def _markup_spans(text: str, fmt: str) -> list[tuple[int, int]]:
    spans = [s for _, s in matches(PLACEHOLDER_RE, text)]
    spans += [s for _, s in find_urls(text)]
    spans += [s for _, s in matches(EMAIL_RE, text)]
    if fmt == "html":
        spans += [m.span() for m in COMMENT_RE.finditer(text)]
        spans += [s for _, s in matches(TAG_RE, text)]
        spans += [s for _, s in matches(_ENTITY_RE, text)]
    return spans


def prose(text: str, fmt: str = "text") -> str:
    """Return ``text`` with placeholders, URLs, e-mails and (for html) tags blanked out, same length."""
    return blank(text, _markup_spans(text, fmt))


def is_cjk_char(ch: str) -> bool:
    """Return whether ``ch`` is a Han, kana or Hangul character."""
    name = unicodedata.name(ch, "")
    return name.startswith(("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH", "HIRAGANA", "KATAKANA",
                            "HANGUL SYLLABLE"))
