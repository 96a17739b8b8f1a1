"""Job functions for tests of `tolk worker` itself; the worker imports them (PYTHONPATH is the repository)."""

from __future__ import annotations

import os
import time

from sqlalchemy import text

from machinery.service import services
from tolk.db import db
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
def fail_in_a_transaction(table: str) -> None:
    """Write a row, then fail before committing: the write must not reach the next job."""
    db.session.execute(text(f"INSERT INTO {table} (note) VALUES ('left behind')"))
    raise RuntimeError("this job fails on purpose")


@task
def session_state(table: str) -> dict[str, object]:
    rows = db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    return {"rows": rows, "pid": os.getpid()}
