"""Per-language quality figures: MQM with confidence intervals, post-edit distance, first-pass acceptance,
check and glossary rates, review turnaround and SLA, engine cost and customer satisfaction.

Figures are computed from ``QualityRecord`` rows (one per reviewed segment) on every call; nothing is
cached between calls. A record's date is its ``created_at``, the moment the review was recorded.

Spot checks are an unbiased sample of released content, while targeted reviews lean to hard content
(refunds, weak languages, failed checks), so their MQM scores are reported separately. The headline
MQM of a group, and the one routing reads through :func:`recent_quality`, is the spot-check score when
spot checks cover at least ``min_words`` evaluated words, else the score over all records. The
fallback is pessimistic (hard content scores lower), which errs towards sending more to review.

Cost figures live in machinery's metering table, which lqa may not import: they come from the
provider registered as ``app.extensions["tolk.cost_figures"]``, a callable
``(session, *, lang, start, end, engine=None) -> list[dict]`` whose dicts carry ``engine``,
``characters``, ``billed_characters``, ``segments``, ``errors`` and ``tm_characters_saved``, and may
carry money (``cost``, ``tm_cost_saved``, in the ``COST_CURRENCY`` setting) split by ``content_types``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from flask import current_app, has_app_context
from sacrebleu.metrics import CHRF, TER
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from lqa.models import CustomerFeedback, QualityRecord, QualityScore
from lqa.mqm import (
    MIN_WORDS_FOR_VERDICT,
    Annotation,
    LinearProfile,
    MQM2Linear,
    WMTSegment,
    confidence_interval,
    count_words,
    validate_severity,
)
from tolk.db import utcnow
from tolk.errors import ValidationError
from tolk.languages import UnknownLanguage, canonical

PROFILE_NAMES = ("mqm2", "wmt")
GROUP_BY = ("engine", "content_type", "channel", "week")
DELIVERIES = ("machine", "reviewed")
# A language's recent score sends its content to native review once this many words were evaluated:
# far below the 1,000 words of a conclusive score, so a few bad reviews are enough to act on.
MIN_WORDS_FOR_ROUTING = 200
MAX_COMMENT_CHARS = 2000
# Written without spaces: TER needs character-level tokens (sacrebleu's asian_support) for these.
_CJK_LANGUAGES = frozenset({"zh", "ja", "yue"})
COST_PROVIDER_KEY = "tolk.cost_figures"

CostFigures = Callable[..., list[dict[str, Any]]]
Profile = LinearProfile | WMTSegment


def profile_named(name: str | None) -> Profile:
    """Return the scoring profile called ``name`` (``mqm2`` by default, or ``wmt``)."""
    if not name or name == "mqm2":
        return MQM2Linear()
    if name == "wmt":
        return WMTSegment()
    raise ValidationError(f"unknown scoring profile {name!r}; expected one of {', '.join(PROFILE_NAMES)}",
                          details={"field": "profile"})


def parse_date(value: str | None, name: str) -> dt.date | None:
    """Return the ISO date (YYYY-MM-DD) in ``value``, None when empty; ValidationError naming ``name``."""
    if value is None or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(f"'{name}' must be an ISO date (YYYY-MM-DD), got {value!r}",
                              details={"field": name}) from None


def parse_language(value: str | None, name: str = "lang") -> str | None:
    """Return the canonical tag in ``value``, None when empty; ValidationError when unknown."""
    if value is None or not value.strip():
        return None
    try:
        return canonical(value)
    except UnknownLanguage as exc:
        raise ValidationError(f"'{name}': {exc}", code="unknown_language", details={"field": name}) from exc


@dataclass(frozen=True)
class QualityFilters:
    """Which quality records a report covers; ``start`` and ``end`` are inclusive UTC dates."""

    lang: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    engine: str | None = None
    content_type: str | None = None
    channel: str | None = None
    reviewer: str | None = None
    # A reviewer's own languages (None: every language), matched as tolk.auth.require_language does.
    visible_languages: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise ValidationError(f"'from' ({self.start}) is after 'to' ({self.end})", details={"field": "from"})

    @property
    def period(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The period as UTC datetimes: start inclusive, end exclusive (the day after ``end``)."""
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=dt.UTC) if self.start else None
        end = (dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
               if self.end else None)
        return start, end

    def visible(self, lang: str) -> bool:
        """Whether ``lang`` may be shown under ``visible_languages``."""
        if self.visible_languages is None:
            return True
        bases = {tag.split("-")[0] for tag in self.visible_languages}
        return lang in self.visible_languages or lang.split("-")[0] in bases

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict of the filters that are set."""
        values: dict[str, Any] = {
            "lang": self.lang, "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None, "engine": self.engine,
            "content_type": self.content_type, "channel": self.channel, "reviewer": self.reviewer}
        if self.visible_languages is not None:
            values["visible_languages"] = list(self.visible_languages)
        return values


# --- MQM ------------------------------------------------------------------------------------------


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
    ci = confidence_interval(values, words=words, min_words=min_words)
    return MqmFigure(score.value, words, n, ci.low, ci.high, ci.inconclusive, signature, profile.lower_is_better,
                     passed=score.passed, errors=score.errors, basis=basis)


def headline_mqm(records: Sequence[QualityRecord], profile: Profile, *,
                 min_words: int = MIN_WORDS_FOR_VERDICT) -> MqmFigure:
    """The spot-check score when spot checks cover ``min_words`` words, else the score over all records."""
    spot = mqm_figure([r for r in records if r.spot_check], profile, min_words=min_words, basis="spot_check")
    return _headline(spot, records, profile, min_words)


def _headline(spot: MqmFigure, records: Sequence[QualityRecord], profile: Profile, min_words: int) -> MqmFigure:
    if spot.score is not None and spot.words >= min_words:
        return spot
    return mqm_figure(records, profile, min_words=min_words)


# --- post-edit distance ---------------------------------------------------------------------------


def ter_metric(lang: str) -> TER:
    """TER as used for ``lang``: CJK targets are split into characters (normalised, asian_support)."""
    if lang.split("-")[0].lower() in _CJK_LANGUAGES:
        return TER(normalized=True, asian_support=True)
    return TER()


class _PostEdit:
    """Segment TER statistics computed once per record and summed per group, as sacrebleu's corpus TER does."""

    def __init__(self, lang: str) -> None:
        self.ter, self.chrf = ter_metric(lang), CHRF()
        self._stats: dict[int, tuple[float, float, float]] = {}

    def _segment(self, record: QualityRecord, final_text: str) -> tuple[float, float, float]:
        key = id(record)
        if key not in self._stats:
            score = self.ter.sentence_score(record.mt_text, [final_text])
            self._stats[key] = (score.num_edits, score.ref_length, score.score)
        return self._stats[key]

    def figures(self, records: Sequence[QualityRecord]) -> dict[str, Any]:
        edited = [(r, r.final_text) for r in records if r.final_text is not None]
        if not edited:
            return {"segments": 0, "ter": None, "chrf": None, "edit_rate_mean": None}
        stats = [self._segment(r, final) for r, final in edited]
        edits, ref_length = sum(s[0] for s in stats), sum(s[1] for s in stats)
        ter = 100.0 * (edits / ref_length if ref_length > 0 else float(edits > 0))
        chrf = self.chrf.corpus_score([r.mt_text for r, _ in edited], [[final for _, final in edited]]).score
        return {"segments": len(edited), "ter": ter, "chrf": chrf,
                "edit_rate_mean": statistics.fmean(s[2] for s in stats),
                "ter_signature": str(self.ter.get_signature()), "chrf_signature": str(self.chrf.get_signature())}


def post_edit_distance(records: Sequence[QualityRecord], lang: str) -> dict[str, Any]:
    """Corpus TER and chrF of MT output against the final text, and the mean segment edit rate (HTER)."""
    return _PostEdit(lang).figures(records)


# --- acceptance, checks, review -------------------------------------------------------------------


def first_pass_acceptance(records: Sequence[QualityRecord]) -> float | None:
    """Share of records approved exactly as the machine wrote them."""
    if not records:
        return None
    # "approved" means approved as written (review.approve); a record's texts may have been purged since.
    accepted = sum(1 for r in records if r.outcome == "approved")
    return accepted / len(records)


def check_rates(records: Sequence[QualityRecord]) -> dict[str, float]:
    """Automatic-check findings per 100 segments, by check id, highest first."""
    if not records:
        return {}
    totals: Counter[str] = Counter()
    for record in records:
        for check, count in (record.check_findings or {}).items():
            totals[check] += int(count)
    return {check: 100.0 * count / len(records)
            for check, count in sorted(totals.items(), key=lambda item: (-item[1], item[0]))}


def glossary_adherence(records: Sequence[QualityRecord]) -> float | None:
    """1 - glossary violations / glossary terms checked; None when no term was checked."""
    terms = sum(r.glossary_terms or 0 for r in records)
    if not terms:
        return None
    return 1.0 - sum(r.glossary_violations or 0 for r in records) / terms


def _p90(values: list[float]) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def review_times(records: Sequence[QualityRecord]) -> dict[str, Any]:
    """Turnaround (queued to reviewed, minutes: median and p90) and the share reviewed by the due time."""
    minutes = sorted((r.reviewed_at - r.queued_at).total_seconds() / 60.0
                     for r in records if r.queued_at is not None and r.reviewed_at is not None)
    judged = [r.sla_met for r in records if r.sla_met is not None]
    return {"reviews_timed": len(minutes),
            "turnaround_median_minutes": statistics.median(minutes) if minutes else None,
            "turnaround_p90_minutes": _p90(minutes) if minutes else None,
            "sla_reviews": len(judged),
            "sla_met_rate": sum(judged) / len(judged) if judged else None}


# --- cost and customer feedback -------------------------------------------------------------------


def min_words_setting() -> int:
    """Evaluated words below which a score is inconclusive: ``QUALITY_MIN_WORDS`` if the app sets it."""
    configured = current_app.config.get("QUALITY_MIN_WORDS") if has_app_context() else None
    return int(configured) if configured else MIN_WORDS_FOR_VERDICT


def cost_provider() -> CostFigures | None:
    """The cost-figures callable registered on the current app, or None."""
    return current_app.extensions.get(COST_PROVIDER_KEY) if has_app_context() else None


_MONEY_KEYS = ("characters", "billed_characters", "cost", "tm_characters_saved", "tm_cost_saved")


def cost_summary(session: Session, lang: str, filters: QualityFilters,
                 provider: CostFigures | None) -> dict[str, Any]:
    """Characters billed and money spent per engine and content type, and what translation memory saved.

    ``available`` is false without a provider; money is in the ``COST_CURRENCY`` setting.
    """
    if provider is None:
        return {"available": False, "note": "not available: no cost provider is registered"}
    start, end = filters.period
    engines = provider(session, lang=lang, start=start, end=end, engine=filters.engine)
    content_types: dict[str, dict[str, Any]] = {}
    for engine in engines:
        for content_type, part in (engine.get("content_types") or {}).items():
            total = content_types.setdefault(content_type, dict.fromkeys(_MONEY_KEYS, 0))
            for key in _MONEY_KEYS:
                total[key] += part.get(key, 0)
    currency = current_app.config.get("COST_CURRENCY") if has_app_context() else None
    return {"available": True, "currency": currency, "engines": engines,
            "billed_characters": sum(e["billed_characters"] for e in engines),
            "tm_characters_saved": sum(e["tm_characters_saved"] for e in engines),
            "cost": round(sum(e.get("cost", 0.0) for e in engines), 6),
            "tm_cost_saved": round(sum(e.get("tm_cost_saved", 0.0) for e in engines), 6),
            "content_types": dict(sorted(content_types.items()))}


def customer_satisfaction(session: Session, lang: str, filters: QualityFilters) -> dict[str, Any]:
    """CSAT mean and count of a language, split by delivery: released by machine or after review."""
    query = (select(CustomerFeedback.delivery, func.avg(CustomerFeedback.csat), func.count())
             .where(CustomerFeedback.target_lang == lang).group_by(CustomerFeedback.delivery))
    start, end = filters.period
    if start is not None:
        query = query.where(CustomerFeedback.created_at >= start)
    if end is not None:
        query = query.where(CustomerFeedback.created_at < end)
    if filters.engine is not None:
        query = query.where(CustomerFeedback.engine == filters.engine)
    found = {delivery: (float(mean), int(count)) for delivery, mean, count in session.execute(query)}
    return {delivery: {"csat_mean": found[delivery][0] if delivery in found else None,
                       "count": found[delivery][1] if delivery in found else 0} for delivery in DELIVERIES}


def record_feedback(session: Session, *, object_ref: str, target_lang: str, delivery: str,
                    engine: str | None = None, csat: object, comment: object = None) -> CustomerFeedback:
    """Validate and add a customer's rating (CSAT 1-5) of a delivered text; the caller commits.

    ``csat`` and ``comment`` are taken as the helpdesk posted them (any JSON value) and checked here.
    """
    if not isinstance(object_ref, str) or not object_ref.strip() or len(object_ref) > 64:
        raise ValidationError("'object_ref' must be a non-empty string of at most 64 characters",
                              details={"field": "object_ref"})
    lang = parse_language(target_lang if isinstance(target_lang, str) else None, "target_lang")
    if lang is None:
        raise ValidationError("'target_lang' is required", details={"field": "target_lang"})
    if delivery not in DELIVERIES:
        raise ValidationError(f"'delivery' must be one of: {', '.join(DELIVERIES)}", details={"field": "delivery"})
    if engine is not None and (not isinstance(engine, str) or len(engine) > 32):
        raise ValidationError("'engine' must be a string of at most 32 characters", details={"field": "engine"})
    if isinstance(csat, bool) or not isinstance(csat, int) or not 1 <= csat <= 5:
        raise ValidationError(f"'csat' must be an integer from 1 to 5, got {csat!r}", details={"field": "csat"})
    if comment is not None and not isinstance(comment, str):
        raise ValidationError("'comment' must be a string", details={"field": "comment"})
    if comment is not None and len(comment) > MAX_COMMENT_CHARS:
        raise ValidationError(f"'comment' is longer than {MAX_COMMENT_CHARS} characters",
                              details={"field": "comment"})
    row = CustomerFeedback(object_ref=object_ref.strip(), target_lang=lang, delivery=delivery, engine=engine,
                           csat=csat, comment=comment or None)
    session.add(row)
    return row


# --- the report -----------------------------------------------------------------------------------


def _records_query(filters: QualityFilters):
    query = select(QualityRecord)
    start, end = filters.period
    for column, value in ((QualityRecord.engine, filters.engine), (QualityRecord.content_type, filters.content_type),
                          (QualityRecord.channel, filters.channel), (QualityRecord.reviewer, filters.reviewer)):
        if value is not None:
            query = query.where(column == value)
    if start is not None:
        query = query.where(QualityRecord.created_at >= start)
    if end is not None:
        query = query.where(QualityRecord.created_at < end)
    return query


def report_languages(session: Session, filters: QualityFilters) -> list[str]:
    """Languages a report covers: the one asked for, else those with records (or feedback) in the period."""
    if filters.lang is not None:
        return [filters.lang] if filters.visible(filters.lang) else []
    langs = set(session.scalars(_records_query(filters).with_only_columns(QualityRecord.target_lang).distinct()))
    # Feedback has no content type, channel or reviewer: with those filters, only reviewed languages count.
    if filters.content_type is None and filters.channel is None and filters.reviewer is None:
        query = select(CustomerFeedback.target_lang).distinct()
        start, end = filters.period
        if start is not None:
            query = query.where(CustomerFeedback.created_at >= start)
        if end is not None:
            query = query.where(CustomerFeedback.created_at < end)
        if filters.engine is not None:
            query = query.where(CustomerFeedback.engine == filters.engine)
        langs |= set(session.scalars(query))
    return sorted(lang for lang in langs if filters.visible(lang))


def load_records(session: Session, filters: QualityFilters, lang: str) -> list[QualityRecord]:
    """The records of ``lang`` matching ``filters``, oldest first, with their annotations."""
    query = (_records_query(filters).where(QualityRecord.target_lang == lang)
             .options(selectinload(QualityRecord.annotations))
             .order_by(QualityRecord.created_at, QualityRecord.id))
    return list(session.scalars(query))


def iso_week(moment: dt.datetime) -> str:
    """The ISO week of a moment (UTC), e.g. ``2026-W07``."""
    year, week, _ = moment.astimezone(dt.UTC).isocalendar()
    return f"{year}-W{week:02d}"


def _group_key(record: QualityRecord, group_by: str) -> str | None:
    if group_by == "week":
        return iso_week(record.created_at)
    return getattr(record, group_by)


def _section(records: Sequence[QualityRecord], mqm: MqmFigure, post_edit: _PostEdit) -> dict[str, Any]:
    return {"segments": len(records), "words": sum(record_words(r) for r in records), "mqm": mqm.to_dict(),
            "post_edit": post_edit.figures(records), "first_pass_acceptance": first_pass_acceptance(records),
            "check_findings_per_100": check_rates(records), "glossary_adherence": glossary_adherence(records),
            "review": review_times(records)}


def group_figures(records: Sequence[QualityRecord], lang: str, profile: Profile, *,
                  min_words: int = MIN_WORDS_FOR_VERDICT) -> dict[str, Any]:
    """Every record-based figure of one group, with its spot-check and targeted-review sections."""
    post_edit = _PostEdit(lang)
    spot = [r for r in records if r.spot_check]
    targeted = [r for r in records if not r.spot_check]
    spot_mqm = mqm_figure(spot, profile, min_words=min_words, basis="spot_check")
    headline = _headline(spot_mqm, records, profile, min_words)
    return {**_section(records, headline, post_edit),
            "spot_check": _section(spot, spot_mqm, post_edit),
            "targeted": _section(targeted, mqm_figure(targeted, profile, min_words=min_words), post_edit)}


def quality_report(session: Session, filters: QualityFilters | None = None, *, group_by: str | None = None,
                   profile: Profile | None = None, min_words: int = MIN_WORDS_FOR_VERDICT,
                   cost_figures: CostFigures | None = None) -> dict[str, Any]:
    """Quality figures per language, optionally grouped by engine, content type, channel or ISO week.

    Without ``group_by`` each language has one group (key None). Cost and CSAT are per language: they
    honour the period and engine filters only (neither table knows content type, channel or reviewer).
    """
    filters = filters or QualityFilters()
    profile = profile or MQM2Linear()
    if group_by is not None and group_by not in GROUP_BY:
        raise ValidationError(f"unknown group_by {group_by!r}; expected one of {', '.join(GROUP_BY)}",
                              details={"field": "group_by"})
    languages = []
    for lang in report_languages(session, filters):
        records = load_records(session, filters, lang)
        buckets: dict[str | None, list[QualityRecord]] = defaultdict(list)
        if group_by is None:
            buckets[None] = records
        else:
            for record in records:
                buckets[_group_key(record, group_by)].append(record)
        groups = [{"key": key, **group_figures(members, lang, profile, min_words=min_words)}
                  for key, members in sorted(buckets.items(), key=lambda item: (item[0] is None, item[0] or ""))]
        languages.append({"lang": lang, "segments": len(records), "words": sum(record_words(r) for r in records),
                          "groups": groups, "cost": cost_summary(session, lang, filters, cost_figures),
                          "customer_feedback": customer_satisfaction(session, lang, filters)})
    return {"languages": languages, "profile": str(profile.signature), "lower_is_better": profile.lower_is_better,
            "min_words": min_words, "group_by": group_by, "filters": filters.to_dict()}


# --- recent quality and stored scores -------------------------------------------------------------


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


# --- CSV ------------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "lang", "group_by", "group", "segments", "words",
    "mqm_score", "mqm_ci_low", "mqm_ci_high", "mqm_inconclusive", "mqm_basis",
    "spot_check_segments", "spot_check_words", "spot_check_mqm",
    "targeted_segments", "targeted_words", "targeted_mqm",
    "ter", "chrf", "edit_rate_mean", "first_pass_acceptance", "glossary_adherence", "check_findings_per_100",
    "turnaround_median_minutes", "turnaround_p90_minutes", "sla_met_rate",
    "billed_characters", "tm_characters_saved", "cost", "tm_cost_saved", "currency",
    "csat_machine_mean", "csat_machine_count", "csat_reviewed_mean", "csat_reviewed_count",
    "profile",
)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return round(value, 4)
    # A spreadsheet runs a cell starting with = + - @ as a formula; group keys come from user data.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def report_rows(report: dict[str, Any]) -> Iterable[dict[str, Any]]:
    """Flatten a :func:`quality_report` into one row per language and group, keyed by ``CSV_COLUMNS``."""
    for language in report["languages"]:
        cost, csat = language["cost"], language["customer_feedback"]
        for group in language["groups"] or [None]:
            row: dict[str, Any] = dict.fromkeys(CSV_COLUMNS)
            row.update(lang=language["lang"], group_by=report["group_by"], profile=report["profile"],
                       billed_characters=cost.get("billed_characters"),
                       tm_characters_saved=cost.get("tm_characters_saved"), cost=cost.get("cost"),
                       tm_cost_saved=cost.get("tm_cost_saved"), currency=cost.get("currency"),
                       csat_machine_mean=csat["machine"]["csat_mean"], csat_machine_count=csat["machine"]["count"],
                       csat_reviewed_mean=csat["reviewed"]["csat_mean"],
                       csat_reviewed_count=csat["reviewed"]["count"])
            if group is not None:
                mqm, post_edit, review = group["mqm"], group["post_edit"], group["review"]
                row.update(
                    group=group["key"], segments=group["segments"], words=group["words"],
                    mqm_score=mqm["score"], mqm_ci_low=mqm["ci_low"], mqm_ci_high=mqm["ci_high"],
                    mqm_inconclusive=mqm["inconclusive"], mqm_basis=mqm["basis"],
                    spot_check_segments=group["spot_check"]["segments"], spot_check_words=group["spot_check"]["words"],
                    spot_check_mqm=group["spot_check"]["mqm"]["score"],
                    targeted_segments=group["targeted"]["segments"], targeted_words=group["targeted"]["words"],
                    targeted_mqm=group["targeted"]["mqm"]["score"],
                    ter=post_edit["ter"], chrf=post_edit["chrf"], edit_rate_mean=post_edit["edit_rate_mean"],
                    first_pass_acceptance=group["first_pass_acceptance"],
                    glossary_adherence=group["glossary_adherence"],
                    check_findings_per_100=";".join(f"{check}={rate:.2f}"
                                                    for check, rate in group["check_findings_per_100"].items()),
                    turnaround_median_minutes=review["turnaround_median_minutes"],
                    turnaround_p90_minutes=review["turnaround_p90_minutes"], sla_met_rate=review["sla_met_rate"])
            yield row


def report_csv(report: dict[str, Any]) -> str:
    """Render a :func:`quality_report` as CSV with a header row of ``CSV_COLUMNS``."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in report_rows(report):
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return out.getvalue()
