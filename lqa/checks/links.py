"""Link checks: URLs and e-mail addresses copied verbatim."""

from __future__ import annotations

from collections import Counter
from typing import ClassVar

from lqa.checks.analysis import EMAIL_RE, find_urls, matches
from lqa.checks.base import Check, Finding, Segment, Severity


class _ExactTokenCheck(Check):
    """Tokens that must be copied verbatim (URLs, e-mail addresses), compared as multisets."""

    label: ClassVar[str]

    def tokens(self, text: str) -> list[tuple[str, tuple[int, int]]]:
        """Return the tokens of ``text`` with their spans."""
        raise NotImplementedError

    def key(self, token: str) -> str:
        """Return what two tokens must share to count as the same."""
        return token

    def run(self, segment: Segment) -> list[Finding]:
        source, target = self.tokens(segment.source), self.tokens(segment.target)
        src = Counter(self.key(t) for t, _ in source)
        tgt = Counter(self.key(t) for t, _ in target)
        findings = []
        for token in src - tgt:
            findings.append(self.finding(
                f"{self.label} {token} missing from the target",
                source_spans=[s for t, s in source if self.key(t) == token], value=token))
        for token in tgt - src:
            findings.append(self.finding(
                f"{self.label} {token} is not in the source",
                spans=[s for t, s in target if self.key(t) == token], value=token))
        return findings


class UrlCheck(_ExactTokenCheck):
    """Links are copied verbatim; a changed character sends the customer somewhere else."""

    id = "urls"
    name = "URLs kept"
    severity = Severity.CRITICAL
    category = "accuracy/mistranslation"
    label = "URL"

    def tokens(self, text: str) -> list[tuple[str, tuple[int, int]]]:
        return find_urls(text)


class EmailCheck(_ExactTokenCheck):
    """E-mail addresses are copied verbatim (compared without regard to case)."""

    id = "emails"
    name = "E-mail addresses kept"
    severity = Severity.CRITICAL
    category = "accuracy/mistranslation"
    label = "e-mail address"

    def tokens(self, text: str) -> list[tuple[str, tuple[int, int]]]:
        spans = [s for _, s in find_urls(text)]
        # user@host inside a URL (mailto: is not matched by the URL pattern) still counts once.
        return [(t, s) for t, s in matches(EMAIL_RE, text)
                if not any(a <= s[0] < b for a, b in spans)]

    def key(self, token: str) -> str:
        return token.lower()
