"""Review figures: first-pass acceptance, check findings and glossary adherence, turnaround and SLA."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from typing import Any

from lqa.models import QualityRecord


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
