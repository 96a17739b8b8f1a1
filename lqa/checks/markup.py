"""Markup checks: placeholders and template variables kept, HTML/XML tags kept and balanced."""

from __future__ import annotations

import re
from collections import Counter

from lqa.checks.analysis import COMMENT_RE, PLACEHOLDER_RE, TAG_RE, blank, matches
from lqa.checks.base import Check, Finding, Segment, Severity

_VOID_TAGS = frozenset(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                        "source", "track", "wbr"])


def _normalize_placeholder(token: str) -> str:
    return re.sub(r"\s+", "", token)


class PlaceholderCheck(Check):
    """Format strings and template variables must be kept exactly, as many times as in the source."""

    id = "placeholders"
    name = "Placeholders kept"
    severity = Severity.CRITICAL
    category = "markup"

    def run(self, segment: Segment) -> list[Finding]:
        source = matches(PLACEHOLDER_RE, segment.source)
        target = matches(PLACEHOLDER_RE, segment.target)
        src_count = Counter(_normalize_placeholder(t) for t, _ in source)
        tgt_count = Counter(_normalize_placeholder(t) for t, _ in target)
        findings = []
        for token, n in (src_count - tgt_count).items():
            findings.append(self.finding(
                f"placeholder {token} missing from the target" if tgt_count[token] == 0 else
                f"placeholder {token} appears {tgt_count[token]} time(s) in the target, {src_count[token]} in the source",
                source_spans=[s for t, s in source if _normalize_placeholder(t) == token],
                placeholder=token, missing=n))
        for token, n in (tgt_count - src_count).items():
            findings.append(self.finding(
                f"placeholder {token} is not in the source" if src_count[token] == 0 else
                f"placeholder {token} appears {tgt_count[token]} time(s) in the target, {src_count[token]} in the source",
                spans=[s for t, s in target if _normalize_placeholder(t) == token],
                placeholder=token, extra=n))
        return findings


class TagCheck(Check):
    """HTML/XML segments keep the source's tags and leave them properly nested."""

    id = "tags"
    name = "Tags kept and balanced"
    severity = Severity.CRITICAL
    category = "markup"

    @staticmethod
    def _tags(text: str) -> list[tuple[str, tuple[int, int], str]]:
        text = blank(text, [m.span() for m in COMMENT_RE.finditer(text)])
        tags = []
        for m in TAG_RE.finditer(text):
            closing, name, self_closing = m.group(1), m.group(2).lower(), m.group(4)
            kind = "close" if closing else "void" if self_closing or name in _VOID_TAGS else "open"
            tags.append((name, m.span(), kind))
        return tags

    def run(self, segment: Segment) -> list[Finding]:
        if segment.fmt != "html":
            return []
        findings = []
        stack: list[tuple[str, tuple[int, int]]] = []
        target_tags = self._tags(segment.target)
        for name, span, kind in target_tags:
            if kind == "open":
                stack.append((name, span))
            elif kind == "close":
                if stack and stack[-1][0] == name:
                    stack.pop()
                elif any(open_name == name for open_name, _ in stack):
                    while stack[-1][0] != name:
                        inner, inner_span = stack.pop()
                        findings.append(self.finding(f"<{inner}> is not closed before </{name}>",
                                                     spans=[inner_span], tag=inner))
                    stack.pop()
                else:
                    findings.append(self.finding(f"</{name}> closes a tag that is not open",
                                                 spans=[span], tag=name))
        for name, span in stack:
            findings.append(self.finding(f"<{name}> is never closed", spans=[span], tag=name))

        def signature(tags: list[tuple[str, tuple[int, int], str]]) -> Counter[str]:
            return Counter(f"{'/' if kind == 'close' else ''}{name}" for name, _, kind in tags)

        source_tags = self._tags(segment.source)
        src, tgt = signature(source_tags), signature(target_tags)
        for tag, n in sorted((src - tgt).items()):
            findings.append(self.finding(
                f"tag <{tag}> missing from the target",
                source_spans=[s for name, s, kind in source_tags
                              if f"{'/' if kind == 'close' else ''}{name}" == tag],
                tag=tag, missing=n))
        for tag, n in sorted((tgt - src).items()):
            findings.append(self.finding(
                f"tag <{tag}> is not in the source",
                spans=[s for name, s, kind in target_tags
                       if f"{'/' if kind == 'close' else ''}{name}" == tag],
                tag=tag, extra=n))
        return findings
