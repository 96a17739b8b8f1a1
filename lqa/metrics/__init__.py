"""Per-language quality figures: MQM with confidence intervals, post-edit distance, first-pass acceptance,
check and glossary rates, review turnaround and SLA, engine cost and customer satisfaction.

Figures are computed from ``QualityRecord`` rows (one per reviewed segment) on every call; nothing is
cached between calls. A record's date is its ``created_at``, the moment the review was recorded.

Spot checks are an unbiased sample of released content, while targeted reviews lean to hard content
(refunds, weak languages, failed checks), so their MQM scores are reported separately. The headline
MQM of a group, and the one routing reads through :func:`recent_quality`, is the spot-check score when
spot checks cover at least ``min_words`` evaluated words, else the score over all records. The
fallback is pessimistic (hard content scores lower), which errs towards sending more to review.

One module per concern: ``filters`` (what a report covers), ``scores`` (MQM figures), ``post_edit``,
``review``, ``cost`` (from machinery's metering, through a registered provider), ``feedback`` (CSAT),
``report`` (all of them per language and group) and ``export`` (CSV).
"""

from __future__ import annotations

from lqa.metrics.cost import COST_PROVIDER_KEY, CostFigures, cost_provider, cost_summary
from lqa.metrics.export import CSV_COLUMNS, report_csv, report_rows
from lqa.metrics.feedback import DELIVERIES, MAX_COMMENT_CHARS, customer_satisfaction, record_feedback
from lqa.metrics.filters import (
    PROFILE_NAMES,
    Profile,
    QualityFilters,
    parse_date,
    parse_language,
    profile_named,
)
from lqa.metrics.post_edit import PostEdit, post_edit_distance, ter_metric
from lqa.metrics.report import (
    GROUP_BY,
    group_figures,
    iso_week,
    load_records,
    quality_report,
    report_languages,
)
from lqa.metrics.review import check_rates, first_pass_acceptance, glossary_adherence, review_times
from lqa.metrics.scores import (
    MIN_WORDS_FOR_ROUTING,
    MqmFigure,
    RecentQuality,
    headline_mqm,
    headline_of,
    min_words_setting,
    mqm_figure,
    recent_quality,
    record_words,
    store_score,
)

__all__ = [
    "COST_PROVIDER_KEY", "CSV_COLUMNS", "DELIVERIES", "GROUP_BY", "MAX_COMMENT_CHARS", "MIN_WORDS_FOR_ROUTING",
    "PROFILE_NAMES",
    "CostFigures", "MqmFigure", "PostEdit", "Profile", "QualityFilters", "RecentQuality",
    "check_rates", "cost_provider", "cost_summary", "customer_satisfaction", "first_pass_acceptance",
    "glossary_adherence", "group_figures", "headline_mqm", "headline_of", "iso_week", "load_records",
    "min_words_setting", "mqm_figure", "parse_date", "parse_language", "post_edit_distance", "profile_named",
    "quality_report", "record_feedback", "record_words", "recent_quality", "report_csv", "report_languages",
    "report_rows", "review_times", "store_score", "ter_metric",
]
