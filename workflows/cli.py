"""CLI: `tolk reviews escalate|list`, `tolk webhooks redeliver`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from tolk.db import db
from tolk.models import User
from workflows import webhooks
from workflows.models import ReviewItem, ReviewStatus
from workflows.sweep import sweep


@click.group("reviews")
def reviews() -> None:
    """Review queues."""


@reviews.command("list")
@click.option("--lang", help="Only this target language.")
@with_appcontext
def list_command(lang: str | None) -> None:
    """Pending items by SLA deadline."""
    query = select(ReviewItem).where(ReviewItem.status == ReviewStatus.PENDING).order_by(ReviewItem.due_at)
    if lang:
        query = query.where(ReviewItem.target_lang == lang)
    users = {u.id: u.name for u in db.session.scalars(select(User))}
    for item in db.session.scalars(query):
        kind = "spot check" if item.spot_check else item.task
        assignee = users.get(item.assignee_id, "-") if item.assignee_id is not None else "-"
        click.echo(f"#{item.id:<5} {item.kind:<8} {item.target_lang:<8} {kind:<10} due {item.due_at:%Y-%m-%d %H:%M} "
                   f"UTC  {assignee}")


@reviews.command("escalate")
@with_appcontext
def escalate_command() -> None:
    """The SLA sweep at once: tell assignees of items at risk, reassign or escalate every item past its
    deadline (the worker also runs it every SLA_SWEEP_MINUTES and at each deadline)."""
    done = sweep(db.session)
    db.session.commit()
    click.echo(f"{done['overdue']} overdue item(s) handled, {done['at_risk']} at risk")


@click.group("webhooks")
def webhooks_group() -> None:
    """Webhook deliveries."""


@webhooks_group.command("redeliver")
@with_appcontext
def redeliver_command() -> None:
    """Enqueue every pending delivery again (after Redis was unavailable)."""
    click.echo(f"{webhooks.redeliver(db.session)} pending delivery(ies) enqueued")
