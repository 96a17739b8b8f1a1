"""Protection checks: no masking token left after restoring, and untranslatable content kept verbatim.

Untranslatable content in HTML is ``code``, ``pre``, ``kbd`` and ``samp`` elements and any element marked
``translate="no"`` or ``class="notranslate"``: commands, keys, sample output and product names that a
reader copies or types. ``untranslatable_spans`` finds them; machine translation never sees them (the KB
masks them) and ``ProtectedContentCheck`` flags any change to them, whoever made it.
"""

from __future__ import annotations

import re
from collections import Counter

from lqa.checks.base import Check, Finding, Segment, Severity

#: Elements whose whole content is never translated.
UNTRANSLATABLE_TAGS = frozenset({"code", "pre", "kbd", "samp"})
_VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "source", "track", "wbr"})
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b([^>]*)>")
_MARKED = re.compile(r"""\btranslate\s*=\s*["']?no\b|\bclass\s*=\s*["'][^"']*\bnotranslate\b""", re.I)


def _close_of(html: str, name: str, start: int) -> int:
    """The end of the tag closing the ``name`` element whose content starts at ``start`` (the text's end if none)."""
    depth = 1
    for m in _TAG.finditer(html, start):
        if m.group(2).lower() != name:
            continue
        depth += -1 if m.group(1) else (0 if m.group(0).endswith("/>") else 1)
        if depth == 0:
            return m.end()
    return len(html)


def untranslatable_spans(html: str) -> list[tuple[int, int]]:
    """(start, end) of each outermost untranslatable element in an HTML fragment, in order."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for m in _TAG.finditer(html):
        if m.start() < cursor or m.group(1):
            continue
        name = m.group(2).lower()
        if name in _VOID or m.group(0).endswith("/>"):
            continue
        if name in UNTRANSLATABLE_TAGS or _MARKED.search(m.group(3)):
            end = _close_of(html, name, m.end())
            spans.append((m.start(), end))
            cursor = end
    return spans


class LeftoverTokenCheck(Check):
    """No masking token (PII or protected text) is left in the target after restoring."""

    id = "leftover_token"
    name = "Leftover protection token"
    severity = Severity.CRITICAL
    category = "markup"

    def run(self, segment: Segment) -> list[Finding]:
        if not segment.pii_token_pattern:
            return []
        pattern = re.compile(segment.pii_token_pattern)
        return [self.finding(f"masking token {m.group(0)} left in the target", spans=[m.span()],
                             token=m.group(0)) for m in pattern.finditer(segment.target)]


class ProtectedContentCheck(Check):
    """Untranslatable elements (code, pre, kbd, samp, translate="no", class="notranslate") are kept verbatim."""

    id = "protected_content"
    name = "Untranslatable content kept"
    severity = Severity.CRITICAL
    category = "markup"

    def run(self, segment: Segment) -> list[Finding]:
        if segment.fmt != "html":
            return []
        source = [(segment.source[a:b], (a, b)) for a, b in untranslatable_spans(segment.source)]
        if not source:
            return []
        kept = Counter(segment.target[a:b] for a, b in untranslatable_spans(segment.target))
        findings = []
        for element, span in source:
            if kept[element] > 0:
                kept[element] -= 1
                continue
            findings.append(self.finding(f"untranslatable content changed or missing: {element}",
                                         source_spans=[span], element=element))
        return findings
