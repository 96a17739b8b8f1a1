"""CLI: `tolk privacy purge|erase|export|egress|protect-tm`."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from machinery.memory import normalize, source_hash
from machinery.models import TmSegment
from machinery.protection import memory_form, memory_translation
from machinery.service import services
from tolk.auth import audit
from tolk.db import db
from workflows import privacy


@click.group("privacy")
def privacy_group() -> None:
    """Customer data: retention, erasure, access requests and the egress audit."""


def _subject(customer: str | None, ticket: str | None) -> dict[str, str | None]:
    if (customer is None) == (ticket is None):
        raise click.UsageError("give exactly one of --customer EMAIL or --ticket REF")
    return {"customer": customer, "ticket": ticket}


@privacy_group.command("purge")
@click.option("--schedule", is_flag=True, help="Also schedule the worker's regular purge (if Redis answers).")
@with_appcontext
def purge_command(schedule: bool) -> None:
    """Remove customer texts older than the TOLK_RETENTION_DAYS_* limits (figures stay)."""
    days = privacy.retention_days(current_app.config)
    done = privacy.purge(db.session, days)
    audit("privacy.purged", "retention", None, actor="cli", detail=done.to_dict(), sess=db.session)
    db.session.commit()
    kept = ", ".join(f"{k} {v or 'forever'}{' days' if v else ''}" for k, v in days.items())
    click.echo(f"retention ({kept}): " + ", ".join(f"{k} {v}" for k, v in done.to_dict().items()))
    if schedule:
        click.echo("purge scheduled" if privacy.schedule_purge() else "Redis did not answer: nothing scheduled")


@privacy_group.command("erase")
@click.option("--customer", metavar="EMAIL", help="The customer's e-mail address.")
@click.option("--ticket", metavar="REF", help="A helpdesk ticket reference.")
@with_appcontext
def erase_command(customer: str | None, ticket: str | None) -> None:
    """Erase everything stored of a customer or a ticket (audited without the values)."""
    done = privacy.erase(db.session, **_subject(customer, ticket), actor="cli")
    db.session.commit()
    click.echo("erased: " + ", ".join(f"{k} {v}" for k, v in done.to_dict().items()))


@privacy_group.command("export")
@click.option("--customer", metavar="EMAIL", help="The customer's e-mail address.")
@click.option("--ticket", metavar="REF", help="A helpdesk ticket reference.")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-", show_default=True,
              help="Where to write the JSON.")
@with_appcontext
def export_command(customer: str | None, ticket: str | None, output) -> None:
    """Write everything stored about a customer (or a ticket) as JSON: the answer to an access request."""
    data = privacy.export(db.session, **_subject(customer, ticket))
    audit("privacy.exported", "customer" if customer else "ticket", None, actor="cli",
          detail={"replies": len(data["replies"])}, sess=db.session)
    db.session.commit()
    json.dump(data, output, ensure_ascii=False, indent=2)
    output.write("\n")


@privacy_group.command("egress")
@click.option("--engine", help="Only this engine.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@with_appcontext
def egress_command(engine: str | None, limit: int, as_json: bool) -> None:
    """What left the process, per engine call, newest first (TOLK_EGRESS_LOG says hashes or masked text)."""
    calls, _next = privacy.egress_page(db.session, engine=engine, limit=limit)
    for call in calls:
        if as_json:
            click.echo(json.dumps(call, ensure_ascii=False))
            continue
        sent = call["sent"]
        shown = "(not recorded)" if sent is None else " | ".join(str(s) for s in sent)
        click.echo(f"#{call['id']:<6} {call['at'][:19]}  {call['engine']:<9} {call['source_lang']}->"
                   f"{call['target_lang']:<8} {call['characters']:>6} chars  {'ok' if call['ok'] else call['error_code']}"
                   f"  {shown}")


@privacy_group.command("protect-tm")
@with_appcontext
def protect_tm_command() -> None:
    """Put segments stored before customer data became tokens into memory form (once, after upgrading);
    a segment whose translation holds data its source does not is deleted."""
    protector = services().memory.protector
    changed = dropped = 0
    for segment in db.session.scalars(select(TmSegment).order_by(TmSegment.id)):
        source, spans = memory_form(protector, segment.source_text)
        target = memory_translation(protector, segment.target_text, spans)
        if target is None:
            db.session.delete(segment)
            dropped += 1
        elif (source, target) != (segment.source_text, segment.target_text):
            taken = db.session.scalar(select(TmSegment.id).where(
                TmSegment.source_lang == segment.source_lang, TmSegment.target_lang == segment.target_lang,
                TmSegment.source_hash == source_hash(source), TmSegment.origin == segment.origin,
                TmSegment.id != segment.id))
            if taken is not None:
                db.session.delete(segment)  # the same sentence is stored in memory form already
                dropped += 1
                continue
            segment.source_text, segment.target_text = source, target
            segment.source_hash = source_hash(normalize(source))
            changed += 1
        db.session.flush()
    audit("privacy.tm_protected", "tm", None, actor="cli", detail={"changed": changed, "deleted": dropped},
          sess=db.session)
    db.session.commit()
    click.echo(f"{changed} segment(s) put in memory form, {dropped} deleted")
