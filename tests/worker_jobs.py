"""Job functions for tests of `tolk worker` itself; the worker imports them (PYTHONPATH is the repository)."""

from __future__ import annotations

import os
import time

from sqlalchemy import func, select

from machinery.service import services
from tolk.db import db
from tolk.models import AuditEvent
from tolk.queue import task


@task
def whoami() -> dict[str, int]:
    """The process that ran the job, and which machinery object it used (built once per process or per job)."""
    return {"pid": os.getpid(), "machinery": id(services())}


@task
def sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


@task
def fail_in_a_transaction(marker: str) -> None:
    """Write an audit row, then fail before committing: the row must not reach the next job."""
    db.session.add(AuditEvent(actor="worker-test", action="left behind", object_type=marker))
    db.session.flush()
    raise RuntimeError("this job fails on purpose")


@task
def session_state(marker: str) -> dict[str, object]:
    rows = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.object_type == marker))
    return {"rows": rows, "pid": os.getpid()}
