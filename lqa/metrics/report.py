"""The quality report: every figure per language, optionally grouped by engine, content type, channel or week."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from lqa.metrics.cost import CostFigures, cost_summary
from lqa.metrics.feedback import customer_satisfaction
from lqa.metrics.filters import Profile, QualityFilters
from lqa.metrics.post_edit import PostEdit
from lqa.metrics.review import check_rates, first_pass_acceptance, glossary_adherence, review_times
from lqa.metrics.scores import MqmFigure, headline_of, mqm_figure, record_words
from lqa.models import CustomerFeedback, QualityRecord
from lqa.mqm import MIN_WORDS_FOR_VERDICT, MQM2Linear
from tolk.errors import ValidationError

GROUP_BY = ("engine", "content_type", "channel", "week")


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


def _section(records: Sequence[QualityRecord], mqm: MqmFigure, post_edit: PostEdit) -> dict[str, Any]:
    return {"segments": len(records), "words": sum(record_words(r) for r in records), "mqm": mqm.to_dict(),
            "post_edit": post_edit.figures(records), "first_pass_acceptance": first_pass_acceptance(records),
            "check_findings_per_100": check_rates(records), "glossary_adherence": glossary_adherence(records),
            "review": review_times(records)}


def group_figures(records: Sequence[QualityRecord], lang: str, profile: Profile, *,
                  min_words: int = MIN_WORDS_FOR_VERDICT) -> dict[str, Any]:
    """Every record-based figure of one group, with its spot-check and targeted-review sections."""
    post_edit = PostEdit(lang)
    spot = [r for r in records if r.spot_check]
    targeted = [r for r in records if not r.spot_check]
    spot_mqm = mqm_figure(spot, profile, min_words=min_words, basis="spot_check")
    headline = headline_of(spot_mqm, records, profile, min_words)
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
