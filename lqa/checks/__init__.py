"""Automatic QA checks: small classes that each look at one segment and return findings with severities.

The framework (``Check``, ``Segment``, ``Finding``, the ``CHECKS`` registry, ``run_checks``) is in
``lqa.checks.base``; the checks live in one module per kind, as Weblate's ``weblate/checks/`` does.
Importing this package registers every check, in the order written down below.
"""

from __future__ import annotations

from lqa.checks.analysis import prose
from lqa.checks.base import (
    CHECKS,
    Check,
    CheckConfig,
    Finding,
    Segment,
    Severity,
    TermExpectation,
    TermKind,
    has_critical,
    register,
    run_checks,
    worst_severity,
)
from lqa.checks.formality import RegisterCheck
from lqa.checks.links import EmailCheck, UrlCheck
from lqa.checks.markup import PlaceholderCheck, TagCheck
from lqa.checks.numbers import AmountCheck, DateCheck, NumberCheck, number_values
from lqa.checks.protection import LeftoverTokenCheck, ProtectedContentCheck, untranslatable_spans
from lqa.checks.terminology import GlossaryTermCheck, ProtectedTermCheck
from lqa.checks.text import (
    CJK_LENGTH_RANGE,
    LATIN_LENGTH_RANGE,
    DoubledWordCheck,
    EmptyCheck,
    EndPunctuationCheck,
    LengthRatioCheck,
    TruncatedCheck,
    UntranslatedCheck,
    WhitespaceCheck,
    default_length_ratio_range,
    expected_length_ratio,
)
from lqa.checks.upsell import UPSELL_PATTERNS, UpsellCheck, UpsellPolicy, upsell_findings

# Registered here rather than where each is defined, so that the order is written down once:
# ``run_checks`` runs the checks and lists findings of equal severity in this order.
for _check in (PlaceholderCheck, TagCheck, ProtectedContentCheck, NumberCheck, AmountCheck, DateCheck, UrlCheck, EmailCheck,
               GlossaryTermCheck, ProtectedTermCheck, UntranslatedCheck, EmptyCheck, TruncatedCheck,
               LengthRatioCheck, WhitespaceCheck, DoubledWordCheck, EndPunctuationCheck, LeftoverTokenCheck,
               RegisterCheck, UpsellCheck):
    register(_check)

__all__ = [
    "CHECKS", "CJK_LENGTH_RANGE", "LATIN_LENGTH_RANGE", "UPSELL_PATTERNS",
    "AmountCheck", "Check", "CheckConfig", "DateCheck", "DoubledWordCheck", "EmailCheck", "EmptyCheck",
    "EndPunctuationCheck", "Finding", "GlossaryTermCheck", "LeftoverTokenCheck", "LengthRatioCheck",
    "NumberCheck", "PlaceholderCheck", "ProtectedContentCheck", "ProtectedTermCheck", "RegisterCheck", "Segment", "Severity", "TagCheck",
    "TermExpectation", "TermKind", "TruncatedCheck", "UntranslatedCheck", "UpsellCheck", "UpsellPolicy",
    "UrlCheck", "WhitespaceCheck",
    "default_length_ratio_range", "expected_length_ratio", "has_critical", "number_values",
    "prose", "register", "run_checks", "untranslatable_spans", "upsell_findings", "worst_severity",
]
