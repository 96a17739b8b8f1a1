"""CLI: `tolk engines`, `tolk translate`, `tolk tm import|export|index`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from glossaries.store import load_termbase
from machinery.models import TmSegment
from machinery.routing import NoEngineAvailable
from machinery.service import services
from machinery.tmx import TmxError, export_tmx, import_tmx
from machinery.translator import describe_engines
from tolk.auth import audit
from tolk.db import db
from tolk.languages import UnknownLanguage, canonical


def _lang(_ctx, _param, value):
    if value is None:
        return None
    try:
        return canonical(value)
    except UnknownLanguage as exc:
        raise click.BadParameter(str(exc)) from exc


@click.command("engines")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def engines_command(as_json: bool) -> None:
    """List engines, whether each is configured, and the language pairs it can serve now."""
    m = services()
    rows = describe_engines(m.engines)
    if as_json:
        click.echo(json.dumps({"engines": rows, "routes": m.router.routes}, indent=2))
        return
    for row in rows:
        state = "configured" if row["configured"] else "not configured"
        pairs = "any pair the vendor lists" if row["pairs"] is None else (", ".join(row["pairs"]) or "none")
        click.echo(f"{row['engine']:<10} {state:<15} {pairs}")
    click.echo("routes: " + "; ".join(f"{k}={','.join(v)}" for k, v in m.router.routes.items()))


@click.command("translate")
@click.argument("text", required=False)
@click.option("--to", "target", required=True, callback=_lang, help="Target language (BCP 47).")
@click.option("--from", "source", callback=_lang, help="Source language; detected when absent.")
@click.option("--format", "fmt", type=click.Choice(["text", "html"]), default="text")
@click.option("--glossary", help="Glossary name to enforce.")
@click.option("--formality", type=click.Choice(["default", "formal", "informal"]))
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@with_appcontext
def translate_command(text, target, source, fmt, glossary, formality, as_json) -> None:
    """Translate TEXT (or standard input) and print the translation."""
    if text is None:
        text = sys.stdin.read()
    if not text.strip():
        raise click.UsageError("nothing to translate")
    m = services()
    if source is None:
        detection = m.detector.detect(text)
        if detection.lang is None:
            raise click.UsageError("could not detect the source language; pass --from")
        source = detection.lang
    termbase = None
    if glossary:
        termbase = load_termbase(db.session, glossary)
    try:
        (result,) = m.translator.translate(db.session, [text], source, target, fmt=fmt, glossary=termbase,
                                           formality=formality)
    except NoEngineAvailable as exc:
        db.session.commit()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    if as_json:
        click.echo(json.dumps({"source_lang": source, **result.to_dict()}, ensure_ascii=False, indent=2))
    else:
        click.echo(result.text)


@click.group("tm")
def tm_group() -> None:
    """Translation memory: TMX import and export."""


@tm_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def tm_import_command(file: Path) -> None:
    """Import a TMX 1.4 file; a malformed file exits non-zero and stores nothing."""
    max_bytes = current_app.config["MAX_UPLOAD_BYTES"]
    if file.stat().st_size > max_bytes:
        raise click.ClickException(f"{file}: larger than {max_bytes} bytes")
    try:
        count = import_tmx(db.session, services().memory, file.read_bytes())
    except TmxError as exc:
        db.session.rollback()
        raise click.ClickException(f"{file}: {exc}") from exc
    audit("tm.imported", "tm", None, actor="cli", detail={"segments": count, "file": file.name})
    db.session.commit()
    click.echo(f"imported {count} segment(s)")


@tm_group.command("export")
@click.option("--source-lang", callback=_lang)
@click.option("--target-lang", callback=_lang)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout.")
@with_appcontext
def tm_export_command(source_lang: str | None, target_lang: str | None, output: Path | None) -> None:
    """Export the translation memory (optionally one pair) as TMX 1.4."""
    data = export_tmx(db.session, source_lang=source_lang, target_lang=target_lang)
    if output:
        output.write_bytes(data)
    else:
        click.echo(data, nl=False)  # bytes go to the binary stdout


@tm_group.command("index")
@click.option("--source-lang", callback=_lang, help="Only this source language (with --target-lang).")
@click.option("--target-lang", callback=_lang, help="Only this target language (with --source-lang).")
@with_appcontext
def tm_index_command(source_lang: str | None, target_lang: str | None) -> None:
    """Build the fuzzy-index snapshot of every language pair in the memory (or of one pair) now."""
    memory = services().memory
    if memory.index_dir is None:
        raise click.ClickException("TOLK_TM_INDEX_DIR is `memory`: each process keeps its own index, "
                                   "there is no snapshot to build")
    if (source_lang is None) != (target_lang is None):
        raise click.UsageError("give both --source-lang and --target-lang, or neither")
    pairs = ([(source_lang, target_lang)] if source_lang and target_lang
             else db.session.execute(select(TmSegment.source_lang, TmSegment.target_lang).distinct()).all())
    for src, tgt in pairs:
        generation = memory.rebuild(src, tgt, force=True)
        click.echo(f"{src} > {tgt}: snapshot {generation}")
    if not pairs:
        click.echo("the translation memory is empty: nothing to index")
