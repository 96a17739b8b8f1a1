"""CLI: `tolk glossary import|export|list`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from glossaries.api import export_glossary
from glossaries.formats import read_glossary
from glossaries.models import Glossary
from glossaries.store import load_termbase, save_termbase
from glossaries.terms import GlossaryFormatError
from tolk.auth import audit
from tolk.db import db


@click.group("glossary")
def glossary() -> None:
    """Termbases: import, export, list."""


@glossary.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", help="Glossary name (default: the file name).")
@click.option("--replace", is_flag=True, help="Replace an existing glossary of that name.")
@with_appcontext
def import_command(file: Path, name: str | None, replace: bool) -> None:
    """Import a TBX (v3 or v2/martif) or CSV file; a refused file changes nothing."""
    max_bytes = current_app.config["MAX_UPLOAD_BYTES"]
    if file.stat().st_size > max_bytes:
        raise click.ClickException(f"{file}: larger than {max_bytes} bytes")
    try:
        termbase = read_glossary(file.read_bytes(), file.name, max_bytes=max_bytes)
    except GlossaryFormatError as exc:
        raise click.ClickException(f"{file}: {exc}") from exc
    saved = save_termbase(db.session, termbase, name=name or file.stem, replace=replace)
    audit("glossary.imported", "glossary", saved.name, actor="cli", detail={"entries": len(termbase.concepts)})
    db.session.commit()
    click.echo(f"imported {len(termbase.concepts)} entries into glossary {saved.name}")


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
        click.echo(f"{g.name:<20} {g.source_lang:<6} {len(g.concepts):>5} entries  v{g.version}")
