"""Protection check: no masking token (PII or protected text) left in the target after restoring."""

from __future__ import annotations

import re

from lqa.checks.base import Check, Finding, Segment, Severity


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
