"""CLI: `tolk xliff export SLUG LOCALE` and `tolk xliff import SLUG LOCALE FILE`, the XLIFF hand-off."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from tolk.db import db
from tolk.errors import TolkError
from tolk.languages import UnknownLanguage, canonical
from workflows import kb
from workflows.kb import xliff


def _locale(value: str) -> str:
    try:
        return canonical(value)
    except UnknownLanguage as exc:
        raise click.BadParameter(str(exc)) from exc


@click.group("xliff")
def xliff_group() -> None:
    """Hand KB article locales to outside translators as XLIFF, and take their files back."""


@xliff_group.command("export")
@click.argument("slug")
@click.argument("locale")
@click.option("--version", "version", type=click.Choice(xliff.VERSIONS), default="2.1", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="file to write (default: SLUG.LOCALE.xlf)")
@with_appcontext
def export_command(slug: str, locale: str, version: str, output: Path | None) -> None:
    """Write the article's current revision in LOCALE as an XLIFF file."""
    tag = _locale(locale)
    try:
        data = xliff.export_locale(kb.get_article(db.session, slug), tag, version)
    except TolkError as exc:
        raise click.ClickException(exc.message) from exc
    target = output or Path(f"{slug}.{tag}.xlf")
    target.write_bytes(data)
    click.echo(f"wrote {target} (XLIFF {version})")


@xliff_group.command("import")
@click.argument("slug")
@click.argument("locale")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(slug: str, locale: str, file: Path) -> None:
    """Make a translated XLIFF FILE the draft of the article in LOCALE (checked; never published)."""
    tag = _locale(locale)
    if file.stat().st_size > xliff.MAX_FILE_BYTES:
        raise click.ClickException(f"{file}: larger than {xliff.MAX_FILE_BYTES} bytes")
    try:
        done = xliff.import_locale(db.session, kb.get_article(db.session, slug), tag, file.read_bytes(), "cli")
    except xliff.XliffError as exc:
        db.session.rollback()
        raise click.ClickException(f"{file}: {exc}") from exc
    except TolkError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    where = "in native review" if done.review_id is not None else "a draft waiting for Publish"
    click.echo(f"imported {done.segments} segments into {slug} {tag}: {where}")
