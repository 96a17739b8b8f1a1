"""How an MQM score is computed: word counts, the scoring profiles that turn errors into scores, signatures.

Extension point: a scoring profile is an object with ``name``, ``version``, ``lower_is_better``,
``signature`` and ``score(annotations, *, words=None, segments=None) -> Score``; add it to ``PROFILES``.
Every score carries its profile's signature (name, version, weights) so a stored score can always be
traced to the arithmetic that produced it, as sacrebleu does for BLEU.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from lqa.checks import Severity
from lqa.mqm.typology import SEVERITIES, Annotation, parent_category, validate_category, validate_severity

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
    #: The values a score can take: at most 100 (no error); penalties beyond the word count go below 0.
    score_range: ClassVar[tuple[float | None, float | None]] = (None, 100.0)

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
    #: A rating's penalty is 0 (clean) to 25 (five majors, or a non-translation), so is their mean.
    score_range: ClassVar[tuple[float | None, float | None]] = (0.0, 25.0)
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
