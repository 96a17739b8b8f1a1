"""Terminology checks: the termbase's translations used, do-not-translate and forbidden terms respected."""

from __future__ import annotations

from lqa.checks.base import Check, Finding, Segment, Severity


class GlossaryTermCheck(Check):
    """The termbase's translation is used for each term found in the source."""

    id = "glossary_term"
    name = "Glossary term used"
    severity = Severity.MAJOR
    category = "terminology"

    def run(self, segment: Segment) -> list[Finding]:
        findings = []
        for term in segment.terms:
            if term.kind != "translate" or term.satisfied:
                continue
            expected = " / ".join(term.expected)
            findings.append(self.finding(
                f"term {term.source_term!r} should be translated as {expected!r}",
                spans=[term.target_span] if term.target_span else [],
                source_spans=[term.source_span] if term.source_span else [],
                term=term.source_term, expected=list(term.expected)))
        return findings


class ProtectedTermCheck(Check):
    """Do-not-translate terms stay as they are and forbidden terms do not appear."""

    id = "glossary_protected"
    name = "Do-not-translate and forbidden terms"
    severity = Severity.CRITICAL
    category = "terminology"

    def run(self, segment: Segment) -> list[Finding]:
        findings = []
        for term in segment.terms:
            if term.kind == "translate" or term.satisfied:
                continue
            if term.kind == "do_not_translate":
                message = f"{term.source_term!r} must be left untranslated"
            else:
                message = f"forbidden term {' / '.join(term.expected) or term.source_term!r} used"
            findings.append(self.finding(
                message, spans=[term.target_span] if term.target_span else [],
                source_spans=[term.source_span] if term.source_span else [],
                term=term.source_term, kind=term.kind, expected=list(term.expected)))
        return findings
