"""MQM annotation (MQM-Core typology and severities) and the scoring profiles that turn errors into scores.

Extension point: a scoring profile is an object with ``name``, ``version``, ``lower_is_better``,
``signature`` and ``score(annotations, *, words=None, segments=None) -> Score``; add it to ``PROFILES``.
Every score carries its profile's signature (name, version, weights) so a stored score can always be
traced to the arithmetic that produced it, as sacrebleu does for BLEU.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

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


_CJK_CHAR_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_ALNUM_RUN_RE = re.compile(r"[^\W_]+")


def count_words(text: str) -> int:
    """Count the words of a source segment for MQM normalisation.

    Whitespace-separated tokens that contain a letter or digit count once each. Chinese and Japanese
    are written without spaces, so each Han or kana character counts as one word (the usual practice
    of translation vendors for CJK); Latin runs inside such a token ("iPhone手机") count once more.
    Korean separates words with spaces and is counted by tokens.
    """
    total = 0
    for token in text.split():
        cjk = len(_CJK_CHAR_RE.findall(token))
        if cjk:
            total += cjk + len(_ALNUM_RUN_RE.findall(_CJK_CHAR_RE.sub(" ", token)))
        elif _ALNUM_RUN_RE.search(token):
            total += 1
    return total


@dataclass(frozen=True)
class ProfileSignature:
    """The settings that produced a score: stored with every score so old scores stay interpretable."""

    name: str
    version: str
    weights: Mapping[str, Mapping[str, float]]
    threshold: float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        parts = [self.name, f"v:{self.version}"]
        default = self.weights.get("*", {})
        groups = [",".join(f"{sev}={_fmt(w)}" for sev, w in default.items())]
        for category, per_severity in self.weights.items():
            if category == "*":
                continue
            if len(per_severity) == len(SEVERITIES) and len(set(per_severity.values())) == 1:
                groups.append(f"{category}={_fmt(next(iter(per_severity.values())))}")
            else:
                groups.append(",".join(f"{category}.{sev}={_fmt(w)}" for sev, w in per_severity.items()))
        parts.append("w:" + ";".join(groups))
        if self.threshold is not None:
            parts.append(f"t:{_fmt(self.threshold)}")
        parts += [f"{key}:{value}" for key, value in self.extra.items()]
        return "|".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (for storing next to a score)."""
        return {"name": self.name, "version": self.version,
                "weights": {c: dict(w) for c, w in self.weights.items()},
                "threshold": self.threshold, **({"extra": dict(self.extra)} if self.extra else {}),
                "signature": str(self)}


def _fmt(value: float) -> str:
    return f"{value:g}"


@dataclass
class Score:
    """The result of scoring a set of annotations with one profile."""

    value: float
    penalty: float
    words: int | None
    segments: int | None
    errors_by_severity: dict[str, int]
    errors_by_category: dict[str, int]
    passed: bool | None
    profile_signature: str
    lower_is_better: bool
    penalty_per_1000_words: float | None = None

    @property
    def errors(self) -> int:
        """Number of annotated errors, neutral ones included."""
        return sum(self.errors_by_severity.values())

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"value": self.value, "penalty": self.penalty, "words": self.words, "segments": self.segments,
                "penalty_per_1000_words": self.penalty_per_1000_words, "errors": self.errors,
                "errors_by_severity": self.errors_by_severity, "errors_by_category": self.errors_by_category,
                "passed": self.passed, "profile_signature": self.profile_signature,
                "lower_is_better": self.lower_is_better}


class ScoringProfile(Protocol):
    """What every scoring profile offers."""

    name: str
    version: str
    lower_is_better: bool

    @property
    def signature(self) -> ProfileSignature:
        """Name, version and weights, stored with every score."""
        ...

    def score(self, annotations: Iterable[Annotation], *, words: int | None = None,
              segments: int | None = None) -> Score:
        """Score the annotations of one system, rater or document."""
        ...


def _counts(annotations: list[Annotation]) -> tuple[dict[str, int], dict[str, int]]:
    by_severity = Counter(a.severity.value for a in annotations)
    by_category = Counter(a.category for a in annotations)
    return ({s.value: by_severity.get(s.value, 0) for s in SEVERITIES}, dict(sorted(by_category.items())))


def _validate_weights(weights: Mapping[str, Mapping[str, float]]) -> dict[str, dict[str, float]]:
    clean: dict[str, dict[str, float]] = {}
    for category, per_severity in weights.items():
        key = category if category == "*" else validate_category(category)
        if not isinstance(per_severity, Mapping):
            raise ValueError(f"weights for {category!r} must map severities to numbers")
        clean[key] = {}
        for severity, weight in per_severity.items():
            sev = validate_severity(severity).value
            if isinstance(weight, bool) or not isinstance(weight, int | float) or not math.isfinite(weight) \
                    or weight < 0:
                raise ValueError(f"weight {category}.{severity} must be a non-negative number, got {weight!r}")
            clean[key][sev] = float(weight)
    default = clean.get("*")
    if default is None:
        raise ValueError('weights need a "*" entry with the default weight of each severity')
    missing = [s.value for s in SEVERITIES if s is not Severity.NEUTRAL and s.value not in default]
    if missing:
        raise ValueError(f'the "*" weights lack {", ".join(missing)}')
    default.setdefault(Severity.NEUTRAL.value, 0.0)
    clean["*"] = {s.value: default[s.value] for s in SEVERITIES}
    return clean


class LinearProfile:
    """Sum of per-error weights, normalised by evaluated words: score = 100 * (1 - penalty / words).

    A weight is looked up for the error's category, then its parent dimension, then ``"*"``. ``passed``
    is true when the score reaches the threshold and no critical error was marked (one critical error
    fails a text whatever its length, as in MQM 2.0 practice).
    """

    lower_is_better: ClassVar[bool] = False

    def __init__(self, weights: Mapping[str, Mapping[str, float]], *, name: str, version: str,
                 threshold: float = 95.0) -> None:
        self.weights = _validate_weights(weights)
        self.name, self.version = name, version
        if not isinstance(threshold, int | float) or isinstance(threshold, bool):
            raise ValueError(f"threshold must be a number, got {threshold!r}")
        self.threshold = float(threshold)

    @property
    def signature(self) -> ProfileSignature:
        """Name, version, weights and threshold of this profile."""
        return ProfileSignature(self.name, self.version, self.weights, self.threshold)

    def weight(self, annotation: Annotation) -> float:
        """Return the penalty points of one error."""
        sev = annotation.severity.value
        for key in (annotation.category, parent_category(annotation.category), "*"):
            if sev in self.weights.get(key, {}):
                return self.weights[key][sev]
        raise AssertionError("the '*' weights cover every severity")  # pragma: no cover

    def score(self, annotations: Iterable[Annotation], *, words: int | None = None,
              segments: int | None = None) -> Score:
        """Score annotations over ``words`` evaluated source words (required)."""
        annotations = list(annotations)
        if words is None or isinstance(words, bool) or not isinstance(words, int) or words <= 0:
            raise ValueError(f"{self.name} scoring needs the number of evaluated words (> 0), got {words!r}")
        penalty = sum(self.weight(a) for a in annotations)
        value = 100.0 * (1.0 - penalty / words)
        critical = any(a.severity is Severity.CRITICAL and a.category != "source_error" for a in annotations)
        by_severity, by_category = _counts(annotations)
        return Score(value=value, penalty=penalty, words=words, segments=segments,
                     errors_by_severity=by_severity, errors_by_category=by_category,
                     passed=value >= self.threshold and not critical, profile_signature=str(self.signature),
                     lower_is_better=False, penalty_per_1000_words=penalty * 1000.0 / words)


MQM2_WEIGHTS: dict[str, dict[str, float]] = {
    "*": {"neutral": 0, "minor": 1, "major": 5, "critical": 25},
    "source_error": {"neutral": 0, "minor": 0, "major": 0, "critical": 0},
}
DEFAULT_PASS_THRESHOLD = 95.0  # MQM 2.0 leaves it to the buyer; 95 = at most 1 minor per 20 words


class MQM2Linear(LinearProfile):
    """MQM 2.0 linear scoring: neutral 0, minor 1, major 5, critical 25 penalty points per error."""

    def __init__(self, *, threshold: float = DEFAULT_PASS_THRESHOLD) -> None:
        super().__init__(MQM2_WEIGHTS, name="mqm2", version="2.0-linear", threshold=threshold)


class Custom(LinearProfile):
    """Linear scoring with weights chosen per category and severity (``{"*": {...}, category: {...}}``)."""

    def __init__(self, weights: Mapping[str, Mapping[str, float]], *, name: str = "custom",
                 version: str = "1", threshold: float = DEFAULT_PASS_THRESHOLD) -> None:
        super().__init__(weights, name=name, version=version, threshold=threshold)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Custom:
        """Build from ``{"weights": {...}, "name": ..., "version": ..., "threshold": ...}``."""
        if not isinstance(data, Mapping) or "weights" not in data:
            raise ValueError('a custom profile is an object with a "weights" key')
        extra = sorted(set(data) - {"weights", "name", "version", "threshold"})
        if extra:
            raise ValueError(f"unknown key(s) in custom profile: {', '.join(extra)}")
        return cls(data["weights"], name=str(data.get("name", "custom")), version=str(data.get("version", "1")),
                   threshold=data.get("threshold", DEFAULT_PASS_THRESHOLD))


class WMTSegment:
    """Freitag et al. (2021) segment scoring used for WMT MQM: mean penalty per rated segment.

    Major 5, minor 1, minor Fluency/Punctuation 0.1, neutral 0. A Non-translation error makes the
    rating's penalty 25 whatever else was marked (it stands for the whole segment). "Source error"
    annotations count at their severity like any other, as in Google's published MQM tables (their
    zh-en scores are only reproduced that way; MQM 2.0 linear scoring leaves them out). Raters marked at
    most five errors per segment; when a rating holds more, the five heaviest are counted, so a rating
    never exceeds 25. The paper has no critical severity: a critical error counts as major. Each
    (rater, segment) rating counts once, clean ratings included, so ``segments`` is required. Lower is
    better; there is no pass mark.
    """

    name = "wmt"
    version = "freitag2021-google"
    lower_is_better = True
    max_errors = 5
    non_translation_penalty = 25.0
    weights: ClassVar[dict[str, dict[str, float]]] = {
        "*": {"neutral": 0, "minor": 1, "major": 5, "critical": 5},
        "fluency/punctuation": {"minor": 0.1},
    }

    @property
    def signature(self) -> ProfileSignature:
        """Name, version, weights and threshold of this profile."""
        return ProfileSignature(self.name, self.version, self.weights,
                                extra={"non_translation": _fmt(self.non_translation_penalty),
                                       "cap": self.max_errors})

    def weight(self, annotation: Annotation) -> float:
        """Return the penalty of one error, ignoring the per-rating rules."""
        per_category = self.weights.get(annotation.category, {})
        if annotation.severity.value in per_category:
            return per_category[annotation.severity.value]
        if annotation.category == "non_translation" and annotation.severity is not Severity.NEUTRAL:
            return self.non_translation_penalty
        return self.weights["*"][annotation.severity.value]

    def rating_penalty(self, annotations: Iterable[Annotation]) -> float:
        """Return the penalty of one (rater, segment) rating."""
        weights = []
        for annotation in annotations:
            weight = self.weight(annotation)
            if annotation.category == "non_translation" and weight:
                return self.non_translation_penalty
            weights.append(weight)
        return sum(sorted(weights, reverse=True)[: self.max_errors])

    def rating_penalties(self, annotations: Iterable[Annotation]) -> dict[tuple[str, str | None], float]:
        """Return the penalty of each annotated (segment, rater) rating."""
        ratings: dict[tuple[str, str | None], list[Annotation]] = defaultdict(list)
        for annotation in annotations:
            ratings[(annotation.segment, annotation.rater)].append(annotation)
        return {key: self.rating_penalty(group) for key, group in ratings.items()}

    def score(self, annotations: Iterable[Annotation], *, words: int | None = None,
              segments: int | None = None) -> Score:
        """Score annotations over ``segments`` ratings (required; clean ratings count too)."""
        annotations = list(annotations)
        penalties = self.rating_penalties(annotations)
        if segments is None or isinstance(segments, bool) or not isinstance(segments, int) or segments <= 0:
            raise ValueError(f"wmt scoring needs the number of rated segments (> 0), got {segments!r}")
        if segments < len(penalties):
            raise ValueError(f"{len(penalties)} (segment, rater) ratings hold errors but segments={segments}")
        penalty = sum(penalties.values())
        by_severity, by_category = _counts(annotations)
        return Score(value=penalty / segments, penalty=penalty, words=words, segments=segments,
                     errors_by_severity=by_severity, errors_by_category=by_category, passed=None,
                     profile_signature=str(self.signature), lower_is_better=True,
                     penalty_per_1000_words=penalty * 1000.0 / words if words else None)


PROFILES: dict[str, type] = {"mqm2": MQM2Linear, "wmt": WMTSegment, "custom": Custom}


# --- confidence intervals ----------------------------------------------------------------------------

MIN_WORDS_FOR_VERDICT = 1000  # below this, one error moves an MQM2 score by more than 0.1 points


@dataclass(frozen=True)
class ConfidenceInterval:
    """Mean of per-segment values with a Student-t interval; ``inconclusive`` when too little was rated."""

    mean: float
    low: float | None
    high: float | None
    n: int
    confidence: float
    inconclusive: bool

    @property
    def half_width(self) -> float | None:
        """Distance from the mean to either bound, or None without an interval."""
        return None if self.high is None else self.high - self.mean

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"mean": self.mean, "low": self.low, "high": self.high, "n": self.n,
                "confidence": self.confidence, "inconclusive": self.inconclusive}


def confidence_interval(values: Iterable[float], confidence: float = 0.95, *, words: int | None = None,
                        min_words: int = MIN_WORDS_FOR_VERDICT) -> ConfidenceInterval:
    """Return the mean of per-segment values with a two-sided Student-t confidence interval.

    The result is ``inconclusive`` when fewer than two values are given (no interval: low and high
    are None) or when ``words`` (evaluated words behind the values) is below ``min_words``.
    """
    values = [float(v) for v in values]
    if not values:
        raise ValueError("confidence_interval needs at least one value")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    n, mean = len(values), statistics.fmean(values)
    too_few_words = words is not None and words < min_words
    if n < 2:
        return ConfidenceInterval(mean, None, None, n, confidence, inconclusive=True)
    half = student_t_quantile(0.5 + confidence / 2, n - 1) * statistics.stdev(values) / math.sqrt(n)
    return ConfidenceInterval(mean, mean - half, mean + half, n, confidence, inconclusive=too_few_words)


def _betacf(a: float, b: float, x: float) -> float:
    # Continued fraction of the incomplete beta function (modified Lentz), as in Numerical Recipes.
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-14:
            break
    return h


def _regularized_beta(a: float, b: float, x: float) -> float:
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def student_t_cdf(t: float, df: float) -> float:
    """Return P(T <= t) for Student's t distribution with ``df`` degrees of freedom."""
    tail = 0.5 * _regularized_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def student_t_quantile(p: float, df: float) -> float:
    """Return t such that P(T <= t) = p (bisection on the CDF; no SciPy needed)."""
    if not 0 < p < 1:
        raise ValueError(f"p must be between 0 and 1, got {p!r}")
    if p < 0.5:
        return -student_t_quantile(1 - p, df)
    low, high = 0.0, 1.0
    while student_t_cdf(high, df) < p:
        high *= 2
    for _ in range(200):
        mid = (low + high) / 2
        if student_t_cdf(mid, df) < p:
            low = mid
        else:
            high = mid
        if high - low < 1e-12:
            break
    return (low + high) / 2
