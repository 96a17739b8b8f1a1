"""CLI: `tolk glossary import|export|list`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from glossaries.api import export_glossary
from glossaries.file_import import import_glossary
from glossaries.models import Glossary
from glossaries.store import glossary_to_dict, load_termbase
from glossaries.terms import GlossaryFormatError
from tolk.db import db
from tolk.errors import TolkError


@click.group("glossary")
def glossary() -> None:
    """Termbases: import, export, list."""


@glossary.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", help="Glossary name (default: the file name).")
@click.option("--replace", is_flag=True, help="Replace an existing glossary of that name.")
@click.option("--queue", "background", is_flag=True, help="Hand the file to a worker and print the job id.")
@with_appcontext
def import_command(file: Path, name: str | None, replace: bool, background: bool) -> None:
    """Import a TBX (v3 or v2/martif) or CSV file, stored as it is read; a refused file changes nothing."""
    max_bytes = current_app.config["MAX_UPLOAD_BYTES"]
    if file.stat().st_size > max_bytes:
        raise click.ClickException(f"{file}: larger than {max_bytes} bytes")
    try:
        job, stored = import_glossary(db.session, file.read_bytes(), file.name, name=name or file.stem,
                                      replace=replace, actor="cli", background=background)
    except (GlossaryFormatError, TolkError) as exc:
        db.session.rollback()
        raise click.ClickException(f"{file}: {exc}") from exc
    if background:
        click.echo(f"queued import job {job.id}")
        return
    db.session.commit()
    click.echo(f"imported {stored} entries into glossary {job.options['name']}")


@glossary.command("export")
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["tbx", "csv"]), default="tbx", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout.")
@with_appcontext
def export_command(name: str, fmt: str, output: Path | None) -> None:
    """Export a glossary as TBX or CSV."""
    data = export_glossary(load_termbase(db.session, name), fmt)
    if output:
        output.write_bytes(data)
    else:
        click.echo(data, nl=False)  # bytes go to the binary stdout


@glossary.command("list")
@with_appcontext
def list_command() -> None:
    """List glossaries."""
    for g in db.session.scalars(select(Glossary).order_by(Glossary.name)):
        count = glossary_to_dict(g)["entries_count"]
        click.echo(f"{g.name:<20} {g.source_lang:<6} {count:>5} entries  v{g.version}")
