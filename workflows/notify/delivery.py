"""Notification e-mails: recorded in the transaction that caused them, sent by a worker job after it commits.

The row is the source of truth (like a webhook delivery): it exists once per occurrence and user, its job
is enqueued after the commit, a sent row is never sent again, and rows left pending (Redis was down) are
enqueued again by the SLA sweep.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from tolk import mail
from tolk.db import after_commit, db, utcnow
from tolk.queue import enqueue_each, task
from workflows.notify.models import MailStatus, Notification

log = logging.getLogger(__name__)

#: Attempts after which an e-mail the server keeps refusing is given up (``failed``).
MAX_ATTEMPTS = 4


def record_mail(session: Session, *, event: str, key: str, user_id: int, address: str, subject: str,
                body: str) -> Notification | None:
    """Owe ``user_id`` an e-mail about ``key``; None when one was owed already (never twice)."""
    exists = session.scalar(select(Notification.id).where(Notification.key == key[:120],
                                                          Notification.user_id == user_id))
    if exists is not None:
        return None
    row = Notification(key=key[:120], event=event, user_id=user_id, address=address, subject=subject[:300],
                       body=body)
    session.add(row)
    session.flush()
    after_commit(session, functools.partial(dispatch, [row.id]))
    return row


def dispatch(ids: list[int]) -> None:
    """Enqueue a send job per e-mail; with Redis down the rows stay pending for the sweep."""
    enqueue_each(send_mail, ids, prefix="mail")


def redispatch_stale(session: Session, now: dt.datetime, *, older_than_minutes: int = 15) -> int:
    """Enqueue again the e-mails still pending long after they were recorded (their job was lost)."""
    cutoff = now - dt.timedelta(minutes=older_than_minutes)
    ids = list(session.scalars(select(Notification.id).where(Notification.status == MailStatus.PENDING,
                                                             Notification.created_at <= cutoff)))
    dispatch(ids)
    return len(ids)


@task
def send_mail(notification_id: int) -> str:
    """Send one e-mail; raise on a failure worth retrying so RQ retries it with backoff."""
    row = db.session.get(Notification, notification_id)
    if row is None or row.status != MailStatus.PENDING:
        return "skipped"
    settings = mail.SmtpSettings.from_config(current_app.config)
    if settings is None:
        row.status, row.last_error = MailStatus.FAILED, "no SMTP server configured (TOLK_SMTP_HOST)"
        db.session.commit()
        return "failed"
    row.attempts += 1
    msg = mail.message(settings, row.address, row.subject, row.body, message_id=f"<notification-{row.id}@tolk>")
    try:
        mail.send(settings, msg)
    except mail.MailError as exc:
        row.last_error = str(exc)[:1000]
        give_up = not exc.retryable or row.attempts >= MAX_ATTEMPTS
        row.status = MailStatus.FAILED if give_up else MailStatus.PENDING
        db.session.commit()
        log.warning("e-mail %s (%s) failed, attempt %s: %s", row.id, row.event, row.attempts, exc)
        if give_up:
            return "failed"
        raise
    row.status, row.sent_at, row.last_error = MailStatus.SENT, utcnow(), None
    db.session.commit()
    return "sent"
