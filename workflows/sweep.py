"""The SLA sweep of the review queues, run by the worker every ``SLA_SWEEP_MINUTES``, at each item's at-risk
time and deadline, and by ``tolk reviews escalate``.

It tells assignees whose deadline is near and hands overdue items on: to a reviewer on shift with a fresh
deadline, else to an owner (``escalation_owner``) in whose default queue the item stays;
``workflows.notify`` tells each of them once.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from tolk.auth import audit
from tolk.db import db, utcnow
from tolk.queue import queue, task
from workflows import notify
from workflows.models import ReviewItem, ReviewStatus
from workflows.notify.delivery import redispatch_stale
from workflows.review_hooks import ON_OVERDUE
from workflows.sla import at_risk_time, escalation_owner, locale_deadline, on_shift, reviewers_for

log = logging.getLogger(__name__)
# The job at an item's at-risk time and deadline, by import path: its name in queued jobs stays stable.
CHECK_DEADLINE = "workflows.review.check_deadline"


def at_risk_percent() -> float:
    return float(current_app.config.get("SLA_AT_RISK_PERCENT", 80))


def schedule_deadline_check(item: ReviewItem, now: dt.datetime | None = None) -> None:
    """Ask the worker to look at the item at its next check: its at-risk time, else its deadline. That job
    schedules the deadline's (:func:`workflows.review.check_deadline`), so an item decided early costs one job;
    each deadline has its own jobs. The SLA sweep is the fallback."""
    now = now or utcnow()
    if item.at_risk_at is not None and item.at_risk_at > now:
        when, name = item.at_risk_at, "at-risk"
    else:
        when, name = item.due_at, "deadline"
    try:
        queue().enqueue_at(when, CHECK_DEADLINE, item.id, job_id=f"{name}-{item.id}-{item.due_at:%Y%m%dT%H%M%S}")
    except Exception as exc:  # noqa: BLE001 - Redis down: the sweep still finds at-risk and overdue items
        log.warning("deadline check for review %s not scheduled: %s", item.id, exc)


def escalate_overdue(session: Session, now: dt.datetime | None = None) -> list[ReviewItem]:
    """Pending items past their deadline: hand to a reviewer of the language on shift now, else escalate
    to the item's owner (replies: the agent confirms). Nothing is left to expire silently."""
    now = now or utcnow()
    overdue = session.scalars(select(ReviewItem).where(ReviewItem.status == ReviewStatus.PENDING,
                                                       ReviewItem.due_at <= now)).all()
    for item in overdue:
        available = [u for u in reviewers_for(session, item.target_lang)
                     if u.id != item.assignee_id and on_shift(u, now)]
        if available:
            # A fresh deadline from the locale's SLA, and so a fresh at-risk check, for the new assignee.
            missed = item.due_at
            item.assignee_id = available[0].id
            item.due_at = locale_deadline(session, now, item.channel or item.content_type, item.target_lang)
            item.at_risk_at = at_risk_time(now, item.due_at, at_risk_percent())
            item.escalation = (f"deadline {missed:%Y-%m-%d %H:%M} UTC missed; reassigned to {available[0].name} "
                               f"(on shift), due {item.due_at:%Y-%m-%d %H:%M} UTC")
            session.flush()
            notify.review_assigned(session, item)
            schedule_deadline_check(item)
            continue
        owner = escalation_owner(session)
        item.status, item.owner_id = ReviewStatus.ESCALATED, owner.id if owner else None
        item.escalation = (f"deadline {item.due_at:%Y-%m-%d %H:%M} UTC missed and no {item.target_lang} reviewer "
                           f"is on shift" + (f"; held by {owner.name}" if owner else ""))
        if not item.spot_check and item.kind in ON_OVERDUE:
            ON_OVERDUE[item.kind](session, item)
        session.flush()
        notify.review_escalated(session, item)
        audit("review.escalated", item.kind, item.object_id, actor="system", detail={"review": item.id},
              sess=session)
    return list(overdue)


def warn_at_risk(session: Session, now: dt.datetime | None = None) -> list[ReviewItem]:
    """Pending items past their at-risk time and not yet due: their assignees are told (once per deadline)."""
    now = now or utcnow()
    items = session.scalars(select(ReviewItem).where(
        ReviewItem.status == ReviewStatus.PENDING, ReviewItem.assignee_id.is_not(None),
        ReviewItem.at_risk_at <= now, ReviewItem.due_at > now)).all()
    for item in items:
        notify.review_at_risk(session, item)
    return list(items)


def sweep(session: Session, now: dt.datetime | None = None) -> dict[str, int]:
    """The SLA sweep: at-risk notices, overdue items handed on, lost e-mail jobs enqueued again."""
    now = now or utcnow()
    at_risk = warn_at_risk(session, now)
    overdue = escalate_overdue(session, now)
    return {"at_risk": len(at_risk), "overdue": len(overdue), "mail_requeued": redispatch_stale(session, now)}


SWEEP_JOB_ID = "sla-sweep"


@task
def sweep_job() -> dict[str, int]:
    """The worker's recurring SLA sweep; it schedules the next run, even when this one fails (a concurrent
    `tolk reviews escalate` that recorded the same notice first makes it roll back; the next run is clean)."""
    try:
        done = sweep(db.session)
        db.session.commit()
        return done
    finally:
        schedule_sweep(utcnow() + dt.timedelta(minutes=current_app.config["SLA_SWEEP_MINUTES"]))


def schedule_sweep(at: dt.datetime | None = None) -> bool:
    """Schedule the sweep (at ``at``, or now unless one is scheduled already); False if Redis is down."""
    try:
        q = queue()
        if at is None and any(j.startswith(SWEEP_JOB_ID) for j in q.scheduled_job_registry.get_job_ids()):
            return True
        when = at or utcnow()
        q.enqueue_at(when, sweep_job, job_id=f"{SWEEP_JOB_ID}-{when:%Y%m%dT%H%M%S}")
        return True
    except Exception as exc:  # noqa: BLE001 - Redis down: `tolk reviews escalate` (cron) still works
        log.warning("SLA sweep not scheduled: %s", exc)
        return False
