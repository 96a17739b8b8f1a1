"""CLI: `tolk locales list|show|set|delete`, `tolk templates list|render`,
`tolk catalogs export|import|prefill|check`."""

from __future__ import annotations

import json
from pathlib import Path

import babel
import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from tolk.auth import audit
from tolk.db import db
from tolk.errors import ValidationError
from tolk.models import User
from workflows import catalogs, locales, macros
from workflows.models import LocaleProfile, ReplyTemplate


def _pairs(_ctx, param, values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param=param)
        out[name.strip()] = value
    return out


@click.group("locales")
def locales_group() -> None:
    """Locale profiles: tone, greetings, upselling, SLAs, calendar."""


@locales_group.command("list")
@with_appcontext
def list_command() -> None:
    """List stored locale profiles (effective values)."""
    for p in locales.list_profiles(db.session):
        sla = " ".join(f"{c}={m}" for c, m in p.sla_minutes.items())
        click.echo(f"{p.locale:<9} {p.formality:<9} upsell={'yes' if p.upsell_allowed else 'no ':<3} "
                   f"{p.currency} {p.text_direction}  sla(min): {sla}  {p.name}")


@locales_group.command("show")
@click.argument("locale")
@with_appcontext
def show_command(locale: str) -> None:
    """Print a locale's effective profile as JSON, with the locale each value came from."""
    click.echo(json.dumps(locales.effective_profile(db.session, locale).to_dict(), ensure_ascii=False, indent=2))


@locales_group.command("set")
@click.argument("locale")
@click.option("--name")
@click.option("--formality", type=click.Choice(locales.FORMALITIES))
@click.option("--greeting", help="e.g. 'Dear {customer_name},'")
@click.option("--sign-off")
@click.option("--upsell/--no-upsell", default=None, help="Whether replies may offer upgrades or other products.")
@click.option("--sla", multiple=True, callback=_pairs, help="CHANNEL=MINUTES, repeatable (chat, email, social, phone).")
@click.option("--channels", help="Preferred channels, comma-separated.")
@click.option("--working-days", help="e.g. mon,tue,wed,thu,fri")
@click.option("--holiday", multiple=True, help="ISO date, repeatable; replaces the stored list.")
@click.option("--currency", help="ISO 4217 code.")
@click.option("--direction", type=click.Choice(locales.DIRECTIONS))
@click.option("--quality-threshold", type=float)
@click.option("--sample-rate", type=float)
@click.option("--always-review/--no-always-review", default=None)
@click.option("--critical-term", multiple=True, help="Repeatable; replaces the stored list.")
@with_appcontext
def set_command(locale, name, formality, greeting, sign_off, upsell, sla, channels, working_days, holiday,
                currency, direction, quality_threshold, sample_rate, always_review, critical_term) -> None:
    """Create or update a locale profile; options not given stay as they are."""
    body: dict = {}
    for key, value in (("name", name), ("formality", formality), ("greeting", greeting), ("sign_off", sign_off),
                       ("upsell_allowed", upsell), ("working_days", working_days), ("currency", currency),
                       ("text_direction", direction), ("quality_threshold", quality_threshold),
                       ("sample_rate", sample_rate), ("always_review", always_review)):
        if value is not None:
            body[key] = value
    if sla:
        stored = db.session.get(LocaleProfile, locales.check_locale(locale))
        merged = dict(stored.sla_minutes) if stored is not None else {}
        for channel, minutes in sla.items():
            try:
                merged[channel] = int(minutes)
            except ValueError:
                raise click.BadParameter(f"{channel}={minutes}: minutes must be a whole number",
                                         param_hint="--sla") from None
        body["sla_minutes"] = merged
    if channels is not None:
        body["preferred_channels"] = [c.strip() for c in channels.split(",") if c.strip()]
    if holiday:
        body["holidays"] = list(holiday)
    if critical_term:
        body["critical_terms"] = list(critical_term)
    if not body:
        raise click.UsageError("nothing to set: give at least one option")
    row, created = locales.update_profile(db.session, locale, body)
    audit("locale.created" if created else "locale.updated", "locale", row.locale, actor="cli",
          detail={"fields": sorted(body)})
    db.session.commit()
    click.echo(f"{'created' if created else 'updated'} locale profile {row.locale}")


@locales_group.command("delete")
@click.argument("locale")
@with_appcontext
def delete_command(locale: str) -> None:
    """Delete a stored locale profile (the locale then inherits everything)."""
    locales.delete_profile(db.session, locale)
    audit("locale.deleted", "locale", locale, actor="cli")
    db.session.commit()
    click.echo(f"deleted locale profile {locale}")


@click.group("templates")
def templates_group() -> None:
    """Reply templates ("macros")."""


@templates_group.command("list")
@with_appcontext
def templates_list() -> None:
    """List templates with the state of each translation."""
    for t in db.session.scalars(select(ReplyTemplate).order_by(ReplyTemplate.id)):
        states = macros.template_to_dict(t, translations=False)["locales"]
        shown = " ".join(f"{loc}:{state}" for loc, state in states.items()) or "no translations"
        click.echo(f"{t.id:<24} v{t.version} {'critical ' if t.critical else ''}{shown}")


@templates_group.command("render")
@click.argument("template_id")
@click.option("--locale", required=True)
@click.option("--var", "variables", multiple=True, callback=_pairs, help="NAME=VALUE, repeatable.")
@click.option("--unreviewed", is_flag=True, help="Preview: allow fuzzy and unreviewed translations.")
@with_appcontext
def templates_render(template_id: str, locale: str, variables: dict[str, str], unreviewed: bool) -> None:
    """Render a template for a locale; says which locale was used and why."""
    parsed = {}
    for name, value in variables.items():
        try:
            parsed[name] = json.loads(value) if value.lstrip().startswith("{") else value
        except json.JSONDecodeError as exc:
            raise click.BadParameter(f"{name}: {exc}", param_hint="--var") from None
    r = macros.render(db.session, template_id, locale, parsed, use_unreviewed=unreviewed)
    skipped = "; ".join(f"{s['locale']}: {s['reason']}" for s in r.fallback)
    click.echo(f"# {r.locale_used} ({r.state}){' after ' + skipped if skipped else ''}", err=True)
    click.echo(r.text)


@click.group("catalogs")
def catalogs_group() -> None:
    """Reply templates as gettext catalogs (POT/PO)."""


@catalogs_group.command("export")
@click.option("--locale", "locale_list", multiple=True, help="Locale to export a PO for, repeatable.")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=Path("catalogs"),
              show_default=True)
@click.option("--current-plural-rules", is_flag=True,
              help="Write each locale's current plural rule; translations stored with another one are set "
                   "out for it and marked fuzzy, to re-translate (see `tolk catalogs check`).")
@with_appcontext
def export_command(locale_list: tuple[str, ...], output: Path, current_plural_rules: bool) -> None:
    """Write messages.pot and one PO file per locale (with the plural rule its translations are stored with)."""
    files = catalogs.export_catalogs(db.session, locale_list, current_rules=current_plural_rules)
    output.mkdir(parents=True, exist_ok=True)
    for filename, data in files.items():
        (output / filename).write_bytes(data)
        click.echo(f"wrote {output / filename}")


@catalogs_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--locale", help="Locale of the file (default: its Language header).")
@click.option("--reviewer", help="Import as this reviewer: entries not marked fuzzy become reviewed.")
@with_appcontext
def import_command(file: Path, locale: str | None, reviewer: str | None) -> None:
    """Import a PO file; a refused file exits non-zero naming the line and stores nothing."""
    max_bytes = current_app.config["MAX_UPLOAD_BYTES"]
    if file.stat().st_size > max_bytes:
        raise click.ClickException(f"{file}: larger than {max_bytes} bytes")
    importer = None
    if reviewer:
        importer = db.session.scalar(select(User).where(User.name == reviewer))
        if importer is None:
            raise click.BadParameter(f"no user {reviewer!r}", param_hint="--reviewer")
    try:
        report = catalogs.import_catalog(db.session, file.read_bytes(), locale=locale, importer=importer)
    except ValidationError as exc:
        db.session.rollback()
        raise click.ClickException(f"{file}: {exc.message}") from exc
    audit("catalog.imported", "catalog", report.locale, actor=reviewer or "cli",
          detail={k: len(v) for k, v in report.to_dict().items() if isinstance(v, list)})
    db.session.commit()
    click.echo(f"{report.locale}: {len(report.created)} created, {len(report.updated)} updated, "
               f"{len(report.unchanged)} unchanged, {len(report.fuzzy)} fuzzy, "
               f"{len(report.untranslated)} untranslated, {len(report.outdated)} outdated (skipped); "
               f"translated entries are {report.state}")


@catalogs_group.command("prefill")
@click.option("--locale", "locale_list", multiple=True, required=True, help="Repeatable.")
@click.option("--glossary", help="Glossary to enforce.")
@with_appcontext
def prefill_command(locale_list: tuple[str, ...], glossary: str | None) -> None:
    """Machine-translate untranslated templates into each locale, stored fuzzy; exits 1 if a locale failed."""
    failed = False
    for locale in locale_list:
        report = catalogs.prefill(db.session, locale, glossary=glossary)
        audit("catalog.prefilled", "catalog", report.locale, actor="cli",
              detail={"filled": report.filled, "error": report.error})
        db.session.commit()
        engines = ", ".join(sorted(set(report.engines.values()))) or "-"
        click.echo(f"{report.locale}: {len(report.filled)} pre-filled (engine: {engines}), "
                   f"{len(report.skipped)} already translated")
        for problem in report.problems:
            click.echo(f"{report.locale}: {problem['template']}: {problem['message']}", err=True)
        if report.error:
            click.echo(f"{report.locale}: {report.error}", err=True)
        failed = failed or not report.ok
    if failed:
        raise SystemExit(1)


@catalogs_group.command("check")
@with_appcontext
def check_command() -> None:
    """List stored translations whose plural rule differs from their locale's current rule (the installed
    Babel's CLDR data), with what to do. Exits 0 when all match, 1 when some differ."""
    changes = catalogs.plural_rule_changes(db.session)
    if not changes:
        click.echo("all catalogs match the current plural rules")
        return
    for change in changes:
        stored = change.stored.header if change.stored is not None else "unknown (stored before Tolk kept rules)"
        click.echo(f"{change.template_id} ({change.locale})\n"
                   f"  stored:  {stored}\n"
                   f"  current: {change.current.header}\n"
                   f"  to do:   {change.advice}")
    click.echo(f"{len(changes)} translation(s) follow a plural rule that differs from the current one "
               f"(Babel {babel.__version__}); they render as written until re-translated", err=True)
    raise SystemExit(1)
