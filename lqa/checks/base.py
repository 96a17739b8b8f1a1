"""The check framework: severities, the segment a check reads, findings, the registry and ``run_checks``.

Extension point: a check is a subclass of ``Check`` with an ``id``, a ``name``, a default ``severity``,
the MQM ``category`` its findings map to, and ``run(segment) -> list[Finding]``. Register it in
``CHECKS`` (``register`` does that; ``lqa/checks/__init__.py`` registers the built-in checks in their
order) and ``run_checks`` will run it; a locale profile turns checks off or changes their severity with a
``CheckConfig``. Checks never call services: whatever needs a glossary,
a language detector, the masking format or the locale profile is computed by the caller and passed in
on the ``Segment``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, Literal

from lqa.checks.analysis import prose


class Severity(StrEnum):
    """How bad a finding or an MQM error is; ordered, so ``severity >= Severity.MAJOR`` reads naturally."""

    NEUTRAL = "neutral"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """Position on the scale, neutral 0 to critical 3."""
        return _SEVERITY_RANK[self]

    # str already defines the comparisons (alphabetical), so all four must be replaced.
    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank

    @classmethod
    def parse(cls, value: str | Severity) -> Severity:
        """Return the severity named by ``value`` (case-insensitive), or raise ValueError naming it."""
        if isinstance(value, Severity):
            return value
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            known = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {value!r}; expected one of {known}") from None


_SEVERITY_RANK = {Severity.NEUTRAL: 0, Severity.MINOR: 1, Severity.MAJOR: 2, Severity.CRITICAL: 3}

TermKind = Literal["translate", "do_not_translate", "forbidden"]


@dataclass(frozen=True)
class TermExpectation:
    """A termbase entry that applies to the segment, with the glossary's verdict already computed.

    ``satisfied`` is False when the expected term is missing (``translate``), the source term was
    translated although it must stay as is (``do_not_translate``), or a forbidden term is present
    (``forbidden``; ``target_span`` then points at it).
    """

    source_term: str
    expected: tuple[str, ...]
    kind: TermKind
    satisfied: bool
    source_span: tuple[int, int] | None = None
    target_span: tuple[int, int] | None = None


@dataclass
class Segment:
    """One source/target pair to check, with whatever context the caller could supply."""

    source: str
    target: str
    source_lang: str
    target_lang: str
    fmt: str = "text"
    terms: list[TermExpectation] = field(default_factory=list)
    pii_token_pattern: str | None = None
    detected_target_lang: str | None = None
    length_ratio_range: tuple[float, float] | None = None
    formality: str | None = None  # the locale profile's register: formal | informal | default (None)
    upsell_allowed: bool = True  # the locale profile's upselling rule; False has offers flagged
    _prose: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.fmt not in ("text", "html"):
            raise ValueError(f"unknown segment format {self.fmt!r}; expected 'text' or 'html'")

    def prose(self, text: str) -> str:
        """``analysis.prose`` of the source or the target, worked out once for all the checks that read it."""
        if text not in self._prose:
            self._prose[text] = prose(text, self.fmt)
        return self._prose[text]


@dataclass
class Finding:
    """One problem a check found; spans are character offsets into the target (empty for an absence)."""

    check: str
    severity: Severity
    message: str
    spans: list[tuple[int, int]] = field(default_factory=list)
    source_spans: list[tuple[int, int]] = field(default_factory=list)
    category: str = "other"
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "check": self.check,
            "severity": self.severity.value,
            "message": self.message,
            "spans": [list(s) for s in self.spans],
            "source_spans": [list(s) for s in self.source_spans],
            "category": self.category,
            "data": self.data,
        }


class Check:
    """Base of every check: subclasses set the class attributes and implement ``run``."""

    id: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    category: ClassVar[str] = "other"  # the MQM category a reviewer would file this under

    def run(self, segment: Segment) -> list[Finding]:
        """Return the problems found in the segment; an empty list when it passes."""
        raise NotImplementedError

    def finding(self, message: str, *, spans: Iterable[tuple[int, int]] = (),
                source_spans: Iterable[tuple[int, int]] = (), severity: Severity | None = None,
                **data: Any) -> Finding:
        """Build a finding of this check at its default severity; extra keywords go to ``data``."""
        return Finding(check=self.id, severity=severity or self.severity, message=message,
                       spans=list(spans), source_spans=list(source_spans), category=self.category,
                       data=data)


CHECKS: dict[str, type[Check]] = {}


def register(cls: type[Check]) -> type[Check]:
    """Class decorator that adds a check to ``CHECKS`` under its id."""
    if cls.id in CHECKS:
        raise ValueError(f"check id {cls.id!r} is already registered")
    CHECKS[cls.id] = cls
    return cls


@dataclass(frozen=True)
class CheckConfig:
    """Which checks run for a locale and at which severity; unknown ids are an error, not a no-op."""

    disabled: frozenset[str] = frozenset()
    enabled: frozenset[str] | None = None  # when set, only these run
    severity: Mapping[str, Severity] = field(default_factory=dict)

    def __post_init__(self) -> None:
        named = set(self.disabled) | set(self.enabled or ()) | set(self.severity)
        unknown = sorted(named - CHECKS.keys())
        if unknown:
            raise ValueError(f"unknown check id(s): {', '.join(unknown)}; known: {', '.join(sorted(CHECKS))}")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> CheckConfig:
        """Build a config from ``{"disabled": [...], "enabled": [...], "severity": {id: name}}``."""
        data = dict(data or {})
        extra = sorted(set(data) - {"disabled", "enabled", "severity"})
        if extra:
            raise ValueError(f"unknown check config key(s): {', '.join(extra)}")
        severity = {}
        for check_id, name in dict(data.get("severity") or {}).items():
            try:
                severity[check_id] = Severity.parse(name)
            except ValueError as exc:
                raise ValueError(f"severity of check {check_id!r}: {exc}") from None
        enabled = data.get("enabled")
        return cls(disabled=frozenset(data.get("disabled") or ()),
                   enabled=frozenset(enabled) if enabled is not None else None,
                   severity=severity)

    def is_enabled(self, check_id: str) -> bool:
        """Return whether the check runs under this config."""
        if check_id in self.disabled:
            return False
        return self.enabled is None or check_id in self.enabled


def run_checks(segment: Segment, *, config: CheckConfig | None = None) -> list[Finding]:
    """Run every enabled check on the segment; findings come worst first, then in check order."""
    config = config or CheckConfig()
    findings: list[Finding] = []
    for check_id, cls in CHECKS.items():
        if not config.is_enabled(check_id):
            continue
        for finding in cls().run(segment):
            if check_id in config.severity:
                finding.severity = config.severity[check_id]
            findings.append(finding)
    order = {check_id: i for i, check_id in enumerate(CHECKS)}
    findings.sort(key=lambda f: (-f.severity.rank, order[f.check]))
    return findings


def has_critical(findings: Iterable[Finding]) -> bool:
    """Return whether any finding is critical."""
    return any(f.severity >= Severity.CRITICAL for f in findings)


def worst_severity(findings: Iterable[Finding]) -> Severity | None:
    """Return the highest severity among the findings, or None when there are none."""
    return max((f.severity for f in findings), default=None)
