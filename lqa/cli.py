"""``tolk lqa score``: MQM annotation files; ``tolk quality report``: per-language quality figures."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from lqa.annotations import AnnotationFileError, Rating, read_ratings
from lqa.metrics import (
    QualityFilters,
    cost_provider,
    min_words_setting,
    parse_date,
    parse_language,
    profile_named,
    quality_report,
    recent_quality,
    store_score,
)
from lqa.mqm import (
    MIN_WORDS_FOR_VERDICT,
    Custom,
    LinearProfile,
    MQM2Linear,
    Score,
    WMTSegment,
    confidence_interval,
)
from tolk.db import db
from tolk.errors import TolkError


@click.group("lqa")
def lqa() -> None:
    """Language quality: MQM annotation files and scores."""


def _load_profile(name: str, weights: Path | None) -> LinearProfile | WMTSegment:
    if name != "custom":
        if weights is not None:
            raise click.UsageError("--weights only applies to --profile custom")
        return MQM2Linear() if name == "mqm2" else WMTSegment()
    if weights is None:
        raise click.UsageError("--profile custom needs --weights FILE.json")
    try:
        return Custom.from_dict(json.loads(weights.read_text(encoding="utf-8")))
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"{weights}: line {exc.lineno}: {exc.msg}", param_hint="--weights") from exc
    except ValueError as exc:
        raise click.BadParameter(f"{weights}: {exc}", param_hint="--weights") from exc


def _rating_values(profile: LinearProfile | WMTSegment, ratings: list[Rating], words: int) -> list[float]:
    """Per-rating values whose mean is the group's score, for its confidence interval."""
    if isinstance(profile, WMTSegment):
        return [profile.rating_penalty(r.annotations) for r in ratings]
    # 100 - 100 * n * p_i / W averages to 100 * (1 - P / W): the linear score, with segments as the
    # sampling unit and the evaluated words held fixed.
    n = len(ratings)
    return [100.0 - 100.0 * n * sum(profile.weight(a) for a in r.annotations) / words for r in ratings]


def score_groups(ratings: list[Rating], profile: LinearProfile | WMTSegment, by: str) -> list[dict[str, Any]]:
    """Score ratings grouped by system, rater or doc; best group first."""
    groups: dict[str, list[Rating]] = defaultdict(list)
    for rating in ratings:
        groups[getattr(rating, by)].append(rating)
    rows = []
    for name, members in groups.items():
        # Words are counted once per rating: two raters of one segment each evaluated its words.
        words = sum(r.words for r in members)
        annotations = [a for r in members for a in r.annotations]
        score: Score = profile.score(annotations, words=words, segments=len(members))
        ci = confidence_interval(_rating_values(profile, members, words), words=words) if words else None
        rows.append({"group": name, "by": by, **score.to_dict(),
                     "ci": ci.to_dict() if ci else None,
                     "inconclusive": words < MIN_WORDS_FOR_VERDICT})
    sign = 1 if profile.lower_is_better else -1
    rows.sort(key=lambda row: (sign * row["value"], row["group"]))
    return rows


def _verdict(row: dict[str, Any]) -> str:
    if row["passed"] is None:
        return "inconclusive" if row["inconclusive"] else "-"
    if row["errors_by_severity"]["critical"]:
        return "fail (critical)"
    verdict = "pass" if row["passed"] else "fail"
    return f"{verdict} (inconclusive)" if row["inconclusive"] else verdict


def _table(rows: list[dict[str, Any]], by: str) -> str:
    header = [by, "ratings", "words", "critical", "major", "minor", "neutral", "penalty", "score", "95% CI",
              "verdict"]
    body = []
    for row in rows:
        ci = row["ci"]
        half = f"±{ci['high'] - ci['mean']:.2f}" if ci and ci["high"] is not None else "n/a"
        sev = row["errors_by_severity"]
        body.append([row["group"], str(row["segments"]), str(row["words"]), str(sev["critical"]),
                     str(sev["major"]), str(sev["minor"]), str(sev["neutral"]), f"{row['penalty']:g}",
                     f"{row['value']:.2f}", half, _verdict(row)])
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    numeric = set(range(1, 10))

    def render(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in numeric else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return "\n".join(render(line) for line in [header, *body])


@lqa.command("score")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--profile", "profile_name", type=click.Choice(["mqm2", "wmt", "custom"]), default="mqm2",
              show_default=True, help="Scoring profile.")
@click.option("--weights", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='JSON for --profile custom: {"weights": {"*": {"minor": 1, ...}, ...}, "threshold": 95}.')
@click.option("--by", "group_by", type=click.Choice(["system", "rater", "doc"]), default="system",
              show_default=True, help="One row per system, rater or document.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
def score_command(file: Path, profile_name: str, weights: Path | None, group_by: str, as_json: bool) -> None:
    """Score an MQM annotation FILE (Google WMT TSV layout, or CSV with the same columns)."""
    profile = _load_profile(profile_name, weights)
    try:
        ratings = read_ratings(file)
    except AnnotationFileError as exc:
        for line, message in exc.errors:
            click.echo(f"{file}:{line}: {message}", err=True)
        click.echo(f"{file}: rejected, {len(exc.errors)} malformed line(s); nothing was scored", err=True)
        raise click.exceptions.Exit(2) from exc
    if not ratings:
        click.echo(f"{file}: no ratings to score", err=True)
        raise click.exceptions.Exit(2)
    try:
        rows = score_groups(ratings, profile, group_by)
    except ValueError as exc:  # e.g. a group whose sources hold no countable word
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    click.echo(_table(rows, group_by))
    direction = "lower is better" if profile.lower_is_better else "higher is better"
    click.echo(f"profile: {profile.signature} ({direction})")


@click.group("quality")
def quality() -> None:
    """Per-language quality figures from reviewed segments."""


def _date_option(_ctx: click.Context, param: click.Parameter, value: str | None):
    try:
        return parse_date(value, param.opts[0])
    except TolkError as exc:
        raise click.BadParameter(exc.message) from exc


def _lang_option(_ctx: click.Context, _param: click.Parameter, value: str | None):
    try:
        return parse_language(value)
    except TolkError as exc:
        raise click.BadParameter(exc.message) from exc


def _number(value: float | None, fmt: str = "{:.2f}") -> str:
    return "-" if value is None else fmt.format(value)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def _csat(figure: dict[str, Any]) -> str:
    return "-" if figure["csat_mean"] is None else f"{figure['csat_mean']:.2f} ({figure['count']})"


def report_table(report: dict[str, Any]) -> str:
    """Render a quality report as an aligned table; per-language cost and CSAT sit on each language's first row."""
    grouped = report["group_by"] is not None
    header = ["lang", *([report["group_by"]] if grouped else []), "segments", "words", "MQM", "95% CI", "basis", "TER",
              "chrF", "first-pass %", "SLA met %", "glossary %", "top checks /100", "billed chars",
              "TM-saved chars", "CSAT machine", "CSAT reviewed"]
    body = []
    for language in report["languages"]:
        cost, csat = language["cost"], language["customer_feedback"]
        per_language = ([str(cost["billed_characters"]), str(cost["tm_characters_saved"])] if cost["available"]
                        else ["n/a", "n/a"]) + [_csat(csat["machine"]), _csat(csat["reviewed"])]
        for index, group in enumerate(language["groups"] or [None]):
            cells = [language["lang"]]
            if grouped:
                cells.append("-" if group is None or group["key"] is None else str(group["key"]))
            if group is None:
                cells += ["0", "0", *["-"] * 10]
            else:
                mqm, post_edit = group["mqm"], group["post_edit"]
                # The mark sits after the digits, and a blank stands in for it, so decimal points line up.
                score = _number(mqm["score"]) + ("*" if mqm["score"] is not None and mqm["inconclusive"] else " ")
                half = "-" if mqm["ci_high"] is None else f"±{mqm['ci_high'] - mqm['score']:.2f}"
                checks = ", ".join(f"{check} {rate:.1f}"
                                   for check, rate in list(group["check_findings_per_100"].items())[:2]) or "-"
                basis = "spot" if mqm["basis"] == "spot_check" else "all"
                cells += [str(group["segments"]), str(group["words"]), score, half, basis, _number(post_edit["ter"]),
                          _number(post_edit["chrf"]), _percent(group["first_pass_acceptance"]),
                          _percent(group["review"]["sla_met_rate"]), _percent(group["glossary_adherence"]), checks]
            cells += per_language if index == 0 else [""] * len(per_language)
            body.append(cells)
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    text_columns = {0, 1} if grouped else {0}
    text_columns |= {header.index("basis"), header.index("top checks /100")}

    def render(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i in text_columns else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return "\n".join(render(line) for line in [header, *body])


def _store_recent_scores(langs: list[str], profile) -> None:
    stored = 0
    for lang in langs:
        recent = recent_quality(db.session, lang, profile=profile)
        if recent.score is not None:
            store_score(db.session, lang, f"recent:{recent.days}d", recent)
            stored += 1
    db.session.commit()
    click.echo(f"stored {stored} score(s)", err=True)


@quality.command("report")
@click.option("--lang", callback=_lang_option, help="Only this target language (BCP 47).")
@click.option("--from", "start", callback=_date_option, metavar="DATE", help="First day (YYYY-MM-DD), inclusive.")
@click.option("--to", "end", callback=_date_option, metavar="DATE", help="Last day (YYYY-MM-DD), inclusive.")
@click.option("--group-by", type=click.Choice(["engine", "content_type", "channel", "week"]),
              help="One row per engine, content type, channel or ISO week.")
@click.option("--profile", "profile_name", type=click.Choice(["mqm2", "wmt"]), default="mqm2", show_default=True,
              help="MQM scoring profile.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--store", is_flag=True,
              help="Also store each language's score of the last 30 days, with its profile signature (history).")
@with_appcontext
def report_command(lang: str | None, start, end, group_by: str | None, profile_name: str, as_json: bool,
                   store: bool) -> None:
    """Print quality figures per language: MQM, TER, chrF, first-pass acceptance, SLA, checks, cost, CSAT."""
    report = quality_report(db.session, QualityFilters(lang=lang, start=start, end=end), group_by=group_by,
                            profile=profile_named(profile_name), min_words=min_words_setting(),
                            cost_figures=cost_provider())
    if store:
        _store_recent_scores([language["lang"] for language in report["languages"]], profile_named(profile_name))
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    if not report["languages"]:
        click.echo("no quality records in this period")
        return
    click.echo(report_table(report))
    click.echo(f"* inconclusive: fewer than {report['min_words']:,} evaluated words (or a single segment); "
               f"basis: spot checks when they cover {report['min_words']:,} words, else all reviews")
    if not all(language["cost"]["available"] for language in report["languages"]):
        click.echo("cost figures: not available (no cost provider is registered)")
    direction = "lower is better" if report["lower_is_better"] else "higher is better"
    click.echo(f"profile: {report['profile']} ({direction})")
