"""CLI: `tolk engines`, `tolk translate`, `tolk tm import|export`."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext

from machinery.routing import NoEngineAvailable
from machinery.service import services
from machinery.translator import describe_engines
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
        from glossaries.store import load_termbase

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


commands = [engines_command, translate_command]
