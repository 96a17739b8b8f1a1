"""MQM figures of a set of quality records: the score with its interval, the headline, recent quality, stored scores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from lqa.metrics.filters import Profile
from lqa.models import QualityRecord, QualityScore
from lqa.mqm import (
    MIN_WORDS_FOR_VERDICT,
    Annotation,
    MQM2Linear,
    WMTSegment,
    confidence_interval,
    count_words,
    validate_severity,
)
from tolk.db import utcnow

# A language's recent score sends its content to native review once this many words were evaluated:
# far below the 1,000 words of a conclusive score, so a few bad reviews are enough to act on.
MIN_WORDS_FOR_ROUTING = 200


def min_words_setting() -> int:
    """Evaluated words below which a score is inconclusive: ``QUALITY_MIN_WORDS`` if the app sets it."""
    configured = current_app.config.get("QUALITY_MIN_WORDS") if has_app_context() else None
    return int(configured) if configured else MIN_WORDS_FOR_VERDICT


@dataclass(frozen=True)
class MqmFigure:
    """An MQM score over a set of records with its 95% confidence interval and profile signature.

    ``score`` is None when nothing could be scored (no records, or no evaluated words under a linear
    profile). ``inconclusive`` is true below ``min_words`` evaluated words or with fewer than two records.
    """

    score: float | None
    words: int
    segments: int
    ci_low: float | None
    ci_high: float | None
    inconclusive: bool
    signature: str
    lower_is_better: bool
    passed: bool | None = None
    errors: int = 0
    basis: str = "all"  # "all" or "spot_check": which records the score stands for

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class RecentQuality(MqmFigure):
    """A language's MQM score over its recent records, for the routing rule."""

    days: int = 30

    def below(self, threshold: float, *, min_words: int = MIN_WORDS_FOR_ROUTING) -> bool:
        """Whether the recent score is worse than ``threshold``, counting only from ``min_words`` words.

        The full-confidence rule (1,000 words) would let a weak language release unreviewed content for
        weeks; 200 words is enough to act on a few bad reviews. A score that is None never counts.
        """
        if self.score is None or self.words < min_words:
            return False
        return self.score > threshold if self.lower_is_better else self.score < threshold


def record_words(record: QualityRecord) -> int:
    """Evaluated words of a record: its stored count, else counted from the source text."""
    return record.words or count_words(record.source_text or "")


def _annotations(record: QualityRecord) -> list[Annotation]:
    # One record is one rating: the rater is dropped so WMT scoring counts the record once.
    segment = str(record.id if record.id is not None else id(record))
    return [Annotation(segment=segment, category=row.category, severity=validate_severity(row.severity))
            for row in record.annotations]


def mqm_figure(records: Sequence[QualityRecord], profile: Profile, *, min_words: int = MIN_WORDS_FOR_VERDICT,
               basis: str = "all") -> MqmFigure:
    """Score ``records`` with ``profile``; the interval comes from per-record values whose mean is the score.

    Under a linear profile the score is a ratio (penalty points over words), so each record contributes
    its Taylor-linearised value ``100 * (1 - R) - 100 * (p_i - R * w_i) / mean(w)`` with ``R = P / W``:
    records weigh by their length, and a long record with many errors is not mistaken for an outlier.
    Under WMT scoring (a mean per segment) each record contributes its own penalty.
    """
    signature = str(profile.signature)
    words = sum(record_words(r) for r in records)
    n = len(records)
    empty = MqmFigure(None, words, n, None, None, True, signature, profile.lower_is_better, basis=basis)
    if not records:
        return empty
    per_record = [_annotations(r) for r in records]
    everything = [a for group in per_record for a in group]
    if isinstance(profile, WMTSegment):
        score = profile.score(everything, words=words or None, segments=n)
        values = [profile.rating_penalty(group) for group in per_record]
    else:
        if words <= 0:
            return empty
        score = profile.score(everything, words=words, segments=n)
        ratio, mean_words = score.penalty / words, words / n
        values = [100.0 * (1.0 - ratio)
                  - 100.0 * (sum(profile.weight(a) for a in group) - ratio * record_words(r)) / mean_words
                  for r, group in zip(records, per_record, strict=True)]
    ci = confidence_interval(values, words=words, min_words=min_words, bounds=profile.score_range)
    return MqmFigure(score.value, words, n, ci.low, ci.high, ci.inconclusive, signature, profile.lower_is_better,
                     passed=score.passed, errors=score.errors, basis=basis)


def headline_mqm(records: Sequence[QualityRecord], profile: Profile, *,
                 min_words: int = MIN_WORDS_FOR_VERDICT) -> MqmFigure:
    """The spot-check score when spot checks cover ``min_words`` words, else the score over all records."""
    spot = mqm_figure([r for r in records if r.spot_check], profile, min_words=min_words, basis="spot_check")
    return headline_of(spot, records, profile, min_words)


def headline_of(spot: MqmFigure, records: Sequence[QualityRecord], profile: Profile, min_words: int) -> MqmFigure:
    """``spot`` (the spot-check figure) when it covers ``min_words`` words, else the score over all records."""
    if spot.score is not None and spot.words >= min_words:
        return spot
    return mqm_figure(records, profile, min_words=min_words)


def recent_quality(session: Session, lang: str, *, days: int = 30, profile: Profile | None = None,
                   now: dt.datetime | None = None, min_words: int = MIN_WORDS_FOR_VERDICT) -> RecentQuality:
    """The headline MQM of ``lang`` over the last ``days`` days, for routing.

    Routing sends a language's content to native review when ``result.below(threshold)``: the score is
    worse than the threshold and at least ``MIN_WORDS_FOR_ROUTING`` (200) words were evaluated, even
    though a score under 1,000 words is reported as inconclusive.
    """
    profile = profile or MQM2Linear()
    since = (now or utcnow()) - dt.timedelta(days=days)
    records = list(session.scalars(
        select(QualityRecord).where(QualityRecord.target_lang == lang, QualityRecord.created_at >= since)
        .options(selectinload(QualityRecord.annotations))))
    figure = headline_mqm(records, profile, min_words=min_words)
    return RecentQuality(**asdict(figure), days=days)


def store_score(session: Session, lang: str, scope: str, score: MqmFigure) -> QualityScore:
    """Add a ``QualityScore`` row for ``score`` with its profile signature; the caller commits."""
    if score.score is None:
        raise ValueError(f"no MQM score to store for {lang} ({scope}): no evaluated words")
    row = QualityScore(target_lang=lang, scope=scope, profile_signature=score.signature, score=score.score,
                       words=score.words, ci_low=score.ci_low, ci_high=score.ci_high,
                       inconclusive=score.inconclusive)
    session.add(row)
    session.flush()
    return row
