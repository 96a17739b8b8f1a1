"""MQM typology: the MQM-Core categories and severities an annotation may use, and the annotation itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lqa.checks import Severity

# MQM-Core: top-level dimensions and the subcategories used here. A parent alone ("accuracy") is a
# valid category for errors that fit no subcategory. ``non_translation`` (a segment too garbled to
# annotate, Freitag et al. 2021), ``other`` and ``source_error`` (the source itself is wrong; never
# charged to the translation) come from the WMT practice.
TYPOLOGY: dict[str, tuple[str, ...]] = {
    "accuracy": ("mistranslation", "omission", "addition", "untranslated"),
    "fluency": ("grammar", "spelling", "punctuation", "inconsistency"),
    "terminology": (),
    "style": (),
    "locale_convention": (),
    "markup": (),
    "non_translation": (),
    "other": (),
    "source_error": (),
}
CATEGORIES: frozenset[str] = frozenset(
    [*TYPOLOGY, *(f"{parent}/{child}" for parent, children in TYPOLOGY.items() for child in children)]
)
SEVERITIES: tuple[Severity, ...] = (Severity.NEUTRAL, Severity.MINOR, Severity.MAJOR, Severity.CRITICAL)


def validate_category(category: str) -> str:
    """Return the category in canonical form, or raise ValueError naming it and the known ones."""
    canonical = str(category).strip().lower()
    if canonical not in CATEGORIES:
        raise ValueError(f"unknown MQM category {category!r}; expected one of {', '.join(sorted(CATEGORIES))}")
    return canonical


def validate_severity(severity: str | Severity) -> Severity:
    """Return the MQM severity named by ``severity``, or raise ValueError naming it."""
    try:
        return Severity.parse(severity)
    except ValueError:
        raise ValueError(f"unknown MQM severity {severity!r}; expected one of "
                         f"{', '.join(s.value for s in SEVERITIES)}") from None


def parent_category(category: str) -> str:
    """Return the top-level dimension of a category: ``fluency/punctuation`` -> ``fluency``."""
    return category.split("/", 1)[0]


@dataclass(frozen=True)
class Annotation:
    """One error a rater marked in one segment; validated on construction."""

    segment: str
    category: str
    severity: Severity
    span: tuple[int, int] | None = None
    rater: str | None = None
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "category", validate_category(self.category))
        object.__setattr__(self, "severity", validate_severity(self.severity))
        if self.span is not None:
            start, end = self.span
            if not (0 <= start <= end):
                raise ValueError(f"invalid span {self.span!r}: need 0 <= start <= end")
            object.__setattr__(self, "span", (int(start), int(end)))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"segment": self.segment, "category": self.category, "severity": self.severity.value,
                "span": list(self.span) if self.span else None, "rater": self.rater, "note": self.note}
