"""The quality dashboard: per-language figures, weekly trend charts drawn as inline SVG, CSV download."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from markupsafe import Markup, escape

from lqa.metrics import (
    QualityFilters,
    cost_provider,
    min_words_setting,
    parse_date,
    quality_report,
    report_csv,
)
from tolk.auth import require, signed_in_user
from tolk.db import db
from tolk.errors import ValidationError
from tolk.models import Role
from tolk.web import page_errors, register_home, register_nav

bp = Blueprint("quality_pages", __name__)
page_errors(bp)

FILTERS = ("from", "to", "engine", "content_type")
MAX_FILTER_CHARS = 80


@dataclass(frozen=True)
class Point:
    """One value of a weekly series, with an optional confidence band."""

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None


def line_chart(points: Sequence[Point], *, title: str, unit: str = "", lower: float | None = None,
               upper: float | None = None, width: int = 360, height: int = 160) -> Markup:
    """A small line chart as inline SVG (with a shaded band where points carry low/high), every text escaped."""
    pad_left, pad_right, pad_top, pad_bottom = 40, 10, 20, 28
    known = [p for p in points if p.value is not None]
    label = escape(title)
    if not known:
        return Markup('<p class="chart-empty">{}</p>').format(_("%(title)s: no data yet", title=title))
    values = [v for p in known for v in (p.value, p.low, p.high) if v is not None]
    lo = min(values) if lower is None else lower
    hi = max(values) if upper is None else upper
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    plot_w, plot_h = width - pad_left - pad_right, height - pad_top - pad_bottom
    step = plot_w / max(len(points) - 1, 1)

    def x(i: int) -> float:
        return pad_left + (i * step if len(points) > 1 else plot_w / 2)

    def y(v: float) -> float:
        v = min(max(v, lo), hi)
        return pad_top + plot_h * (1 - (v - lo) / (hi - lo))

    parts = [Markup('<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
                    'aria-label="{label}" xmlns="http://www.w3.org/2000/svg"><title>{label}</title>')
             .format(w=width, h=height, label=label)]
    parts.append(Markup('<text x="{}" y="14" class="chart-title">{}</text>').format(pad_left, label))
    for value in (lo, hi):
        parts.append(Markup('<text x="{}" y="{:.1f}" class="chart-axis" text-anchor="end">{}</text>')
                     .format(pad_left - 4, y(value) + 4, f"{value:.0f}{unit}"))
        parts.append(Markup('<line x1="{}" x2="{}" y1="{:.1f}" y2="{:.1f}" class="chart-grid"/>')
                     .format(pad_left, width - pad_right, y(value), y(value)))
    banded = [(i, p.low, p.high) for i, p in enumerate(points) if p.low is not None and p.high is not None]
    if len(banded) > 1:
        top = " ".join(f"{x(i):.1f},{y(high):.1f}" for i, _low, high in banded)
        bottom = " ".join(f"{x(i):.1f},{y(low):.1f}" for i, low, _high in reversed(banded))
        parts.append(Markup('<polygon class="chart-band" points="{} {}"><title>95% CI</title></polygon>')
                     .format(top, bottom))
    for i, low, high in banded:
        parts.append(Markup('<line class="chart-ci" x1="{x:.1f}" x2="{x:.1f}" y1="{a:.1f}" y2="{b:.1f}"/>')
                     .format(x=x(i), a=y(low), b=y(high)))
    line = " ".join(f"{x(i):.1f},{y(p.value):.1f}" for i, p in enumerate(points) if p.value is not None)
    parts.append(Markup('<polyline class="chart-line" fill="none" points="{}"/>').format(line))
    for i, p in enumerate(points):
        if p.value is not None:
            parts.append(Markup('<circle class="chart-dot" cx="{:.1f}" cy="{:.1f}" r="3"><title>{}: {}</title>'
                                '</circle>').format(x(i), y(p.value), p.label, f"{p.value:.1f}{unit}"))
    for i in sorted({0, len(points) - 1}):
        parts.append(Markup('<text x="{:.1f}" y="{}" class="chart-axis" text-anchor="middle">{}</text>')
                     .format(x(i), height - 8, points[i].label))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def _filters() -> QualityFilters:
    user = signed_in_user()
    values = {}
    for name in ("engine", "content_type"):
        value = request.args.get(name, "").strip()
        if len(value) > MAX_FILTER_CHARS:
            raise ValidationError(f"'{name}' is longer than {MAX_FILTER_CHARS} characters")
        values[name] = value or None
    visible = tuple(user.language_list) if user.role == Role.REVIEWER else None
    return QualityFilters(start=parse_date(request.args.get("from"), "from"), end=parse_date(request.args.get("to"),
                          "to"), engine=values["engine"], content_type=values["content_type"],
                          visible_languages=visible)


def _weekly_charts(weekly: dict[str, Any]) -> dict[str, list[Markup]]:
    """Per language: MQM per week with its confidence band, post-edit distance (TER) and SLA met."""
    charts: dict[str, list[Markup]] = {}
    lower_better = weekly["lower_is_better"]
    for language in weekly["languages"]:
        groups = [g for g in language["groups"] if g["key"] is not None]
        mqm = [Point(g["key"], g["mqm"]["score"], g["mqm"]["ci_low"], g["mqm"]["ci_high"]) for g in groups]
        ter = [Point(g["key"], g["post_edit"]["ter"]) for g in groups]
        sla = [Point(g["key"], None if g["review"]["sla_met_rate"] is None else 100 * g["review"]["sla_met_rate"])
               for g in groups]
        charts[language["lang"]] = [
            line_chart(mqm, title=_("MQM per week (lower is better)") if lower_better
                       else _("MQM per week, 95% CI"),
                       upper=None if lower_better else 100.0),
            line_chart(ter, title=_("Post-edit distance (TER)"), lower=0.0),
            line_chart(sla, title=_("SLA met"), unit="%", lower=0.0, upper=100.0),
        ]
    return charts


@bp.get("/quality")
@require(Role.EDITOR, Role.REVIEWER)
def dashboard():
    filters = _filters()
    report = quality_report(db.session, filters, min_words=min_words_setting(), cost_figures=cost_provider())
    weekly = quality_report(db.session, filters, group_by="week", min_words=min_words_setting())
    query = {k: request.args[k] for k in FILTERS if request.args.get(k)}
    return render_template("quality/dashboard.html", report=report, charts=_weekly_charts(weekly),
                           args=query)


@bp.get("/quality/report.csv")
@require(Role.EDITOR, Role.REVIEWER)
def report_download():
    """The dashboard's figures as CSV, for a signed-in session (the API route wants a token)."""
    report = quality_report(db.session, _filters(), min_words=min_words_setting(), cost_figures=cost_provider())
    return Response(report_csv(report), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="quality-report.csv"'})


def init_app(app: Flask) -> None:
    """Register the quality pages, their menu entry, and the dashboard as a landing page of last resort."""
    app.register_blueprint(bp)
    roles = {Role.EDITOR, Role.REVIEWER, Role.ADMIN}
    register_nav(app, lazy_gettext("Quality"), "quality_pages.dashboard", roles, 40)
    # A low priority: a role lands here only when no page of its own is registered as its home.
    register_home(app, "quality_pages.dashboard", roles, 90)
