"""The quality API's contract: per-language figures and the MQM annotations reviewers send."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from lqa.metrics import GROUP_BY, PROFILE_NAMES
from lqa.mqm import CATEGORIES, SEVERITIES
from tolk.schema import (
    Schema,
    component_schemas,
    enum,
    errors,
    language_tag,
    ok,
    op,
    query,
    ref,
    string,
)

TAGS = {"lqa_api": "quality"}


class MqmAnnotation(BaseModel):
    """One MQM error a reviewer marks in a text: category, severity and the span it covers."""

    category: Annotated[str, Field(description="MQM category, e.g. " + ", ".join(sorted(CATEGORIES)[:4]))]
    severity: Annotated[str, Field(description="MQM severity: " + ", ".join(s.value for s in SEVERITIES))]
    start: Annotated[int, Field(ge=0)] | None = None
    end: Annotated[int, Field(ge=0)] | None = None
    note: str | None = None
    on: Annotated[Literal["mt", "final"] | None, Field(
        description="The text the span is in: the machine translation or the approved text (the default "
                    "when approving; rejecting defaults to mt)")] = None
    quote: Annotated[str | None, Field(
        description="The marked words as the reviewer saw them; when given, the annotation is anchored by "
                    "these words and their context (prefix, suffix) rather than by start/end, so later edits "
                    "do not move it")] = None
    prefix: str | None = None
    suffix: str | None = None


class QualityGroup(BaseModel):
    """A language's figures for one group (an engine, a content type, a channel or a week)."""

    key: str | None
    segments: int
    words: int
    mqm: dict[str, Any]


class LanguageQuality(BaseModel):
    """One language's figures: MQM, post-edit distance, SLA, checks, cost and customer feedback."""

    lang: str
    segments: int
    words: int
    groups: list[QualityGroup]
    cost: Any
    customer_feedback: dict[str, Any]


class QualityReport(BaseModel):
    """Per-language quality figures under one MQM scoring profile."""

    languages: list[LanguageQuality]
    profile: str
    lower_is_better: bool
    min_words: int
    group_by: str | None
    filters: dict[str, Any]


def components() -> dict[str, Schema]:
    """The quality report, as answered."""
    return component_schemas(QualityReport)


def operations(config: Mapping[str, Any]) -> dict[tuple[str, str], Schema]:
    """The quality endpoints, keyed by (method, Flask rule)."""
    quality_params = [
        query("lang", language_tag(), "only this language (reviewers: one of their own)"),
        query("from", string(format="date"), "first day, YYYY-MM-DD (UTC)"),
        query("to", string(format="date"), "last day, YYYY-MM-DD (UTC)"),
        *(query(name, string(80)) for name in ("engine", "content_type", "channel", "reviewer")),
        query("group_by", enum(GROUP_BY)), query("profile", enum(PROFILE_NAMES), "MQM scoring profile")]
    return {
        ("GET", "/api/v1/quality"): op(
            "Per-language quality: MQM with 95% CI, post-edit distance, SLA, checks, cost, CSAT",
            {"200": ok(ref("QualityReport")), **errors(400, 403)}, params=quality_params,
            description="Reviewers see only their own languages; other parameters are refused."),
        ("GET", "/api/v1/quality/report.csv"): op("The quality figures as CSV, one row per language and group", {
            "200": ok(string(), "CSV", "text/csv"), **errors(400, 403)}, params=quality_params),
    }
