"""CSV export of a quality report: one row per language and group."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from tolk.spreadsheet import safe_cell

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
    # Group keys come from user data.
    return safe_cell(value)


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
