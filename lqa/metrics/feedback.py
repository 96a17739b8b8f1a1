"""Customer feedback: CSAT ratings of delivered texts, recorded and summed per delivery."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lqa.metrics.filters import QualityFilters, parse_language
from lqa.models import CustomerFeedback
from tolk.errors import ValidationError

DELIVERIES = ("machine", "reviewed")
MAX_COMMENT_CHARS = 2000


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
