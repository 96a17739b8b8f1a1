"""GET /api/v1/quality and /api/v1/quality/report.csv: per-language quality figures for staff."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from lqa.metrics import (
    QualityFilters,
    cost_provider,
    min_words_setting,
    parse_date,
    parse_language,
    profile_named,
    quality_report,
    report_csv,
)
from tolk.auth import require, require_language, signed_in_user
from tolk.db import db
from tolk.errors import ValidationError
from tolk.models import Role

bp = Blueprint("lqa_api", __name__, url_prefix="/api/v1")

PARAMETERS = ("lang", "from", "to", "engine", "content_type", "channel", "reviewer", "group_by", "profile")
MAX_FILTER_CHARS = 80


def _text(name: str) -> str | None:
    value = request.args.get(name, "").strip()
    if len(value) > MAX_FILTER_CHARS:
        raise ValidationError(f"'{name}' is longer than {MAX_FILTER_CHARS} characters", details={"field": name})
    return value or None


def _requested_report() -> dict[str, Any]:
    """The report the query string asks for, limited to a reviewer's own languages."""
    unknown = sorted(set(request.args) - set(PARAMETERS))
    if unknown:
        raise ValidationError(f"unknown parameter(s): {', '.join(unknown)}; expected {', '.join(PARAMETERS)}",
                              details={"parameters": unknown})
    user = signed_in_user()
    lang = parse_language(request.args.get("lang"))
    visible = None
    if user.role == Role.REVIEWER:
        visible = tuple(user.language_list)
        if lang is not None:
            require_language(user, lang)
    filters = QualityFilters(lang=lang, start=parse_date(request.args.get("from"), "from"),
                             end=parse_date(request.args.get("to"), "to"), engine=_text("engine"),
                             content_type=_text("content_type"), channel=_text("channel"),
                             reviewer=_text("reviewer"), visible_languages=visible)
    return quality_report(db.session, filters, group_by=_text("group_by"), profile=profile_named(_text("profile")),
                          min_words=min_words_setting(), cost_figures=cost_provider())


@bp.get("/quality")
@require(Role.EDITOR, Role.REVIEWER)
def quality():
    """Quality figures per language (and group): MQM, post-edit distance, SLA, checks, cost, CSAT."""
    return jsonify(_requested_report())


@bp.get("/quality/report.csv")
@require(Role.EDITOR, Role.REVIEWER)
def quality_csv():
    """The same figures as CSV, one row per language and group."""
    return Response(report_csv(_requested_report()), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="quality-report.csv"'})
