"""Import jobs: a large glossary or TMX file read and stored by a worker, with progress, all or nothing.

A web request keeps the file in an ``ImportJob`` row and queues the job (``start``); it answers 202 with
the job, which the client polls at ``GET /api/v1/imports/<id>``. The worker (``run``) reads the file as
a stream and stores rows in batches inside one transaction; the job's ``done`` status is committed with
them, so a refused file or a failure stores nothing. While it runs, progress (``done`` of about
``total``) goes to Redis, which the database transaction cannot hold back. Each kind of import brings
its own ``work`` function; glossaries' is here, the TMX one lives with the translation memory.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from flask import current_app
from redis.exceptions import RedisError
from rq.callbacks import Callback
from sqlalchemy import select
from sqlalchemy.orm import Session, defer
from sqlalchemy.orm.attributes import set_committed_value

from glossaries.models import ImportJob, ImportStatus
from tolk.db import db
from tolk.errors import ServiceUnavailable, TolkError
from tolk.queue import queue, redis_connection, redis_key, task

log = logging.getLogger(__name__)

#: Files up to this many bytes are imported inside the request (a worker's queue round trip is slower).
SYNC_BYTES = 256 * 1024
#: Seconds a job may run; 200,000 rows take well under a minute.
JOB_TIMEOUT = 1800
_LINE = re.compile(r"\bline (\d+)")
_PROGRESS_TTL = 86400


class Progress:
    """Records how far a job is, in Redis, every ``step`` units; a Redis hiccup never fails the import."""

    def __init__(self, job_id: str, total: int, step: int = 1000):
        self.key = redis_key("import", job_id)
        self.total, self.step, self._last = max(total, 0), step, 0

    def __call__(self, done: int) -> None:
        if done - self._last < self.step and done < self.total:
            return
        self._last = done
        try:
            redis_connection().hset(self.key, mapping={"done": done, "total": max(self.total, done)})
            redis_connection().expire(self.key, _PROGRESS_TTL)
        except RedisError:
            log.warning("import %s: progress not recorded (Redis unavailable)", self.key)


#: What a kind of import does: store the job's file in the session (not committed), reporting progress;
#: returns (units stored, the result shown with the job). Errors are ValueError (a bad file) or TolkError.
Work = Callable[[Session, ImportJob, Callable[[int], None]], tuple[int, dict[str, Any]]]


def sync_bytes() -> int:
    """The size up to which a file is imported in the request (``IMPORT_SYNC_BYTES`` overrides it)."""
    return int(current_app.config.get("IMPORT_SYNC_BYTES", SYNC_BYTES))


def start(session: Session, kind: str, data: bytes, filename: str, options: dict[str, Any], actor: str | None,
          task: Callable[[str], Any], total: int = 0) -> ImportJob:
    """Keep the file in a new job, commit, and queue ``task(job id)``; 503 (job marked failed) without Redis."""
    job = ImportJob(id=f"import-{uuid.uuid4().hex}", kind=kind, filename=filename[:255], options=options,
                    data=data, total=total, actor=actor, status=ImportStatus.QUEUED)
    session.add(job)
    session.commit()
    try:
        queue().enqueue(task, job.id, job_id=job.id, job_timeout=JOB_TIMEOUT, result_ttl=86400,
                        failure_ttl=7 * 86400, on_failure=Callback(on_failure))
    except Exception as exc:  # noqa: BLE001 - Redis unreachable: nothing will run, say so
        job.status, job.error, job.data = ImportStatus.FAILED, "could not queue the import", None
        session.commit()
        raise ServiceUnavailable("the job queue is unavailable; nothing was imported",
                                 code="queue_unavailable") from exc
    return job


def run(session: Session, job_id: str, work: Work) -> str:
    """The worker's side: ``work`` in one transaction, committed with the job's ``done`` status."""
    job = session.get(ImportJob, job_id, options=[defer(ImportJob.data)])
    if job is None:
        return "missing"
    if job.status in (ImportStatus.DONE, ImportStatus.FAILED):
        return job.status.value
    job.status = ImportStatus.RUNNING
    session.commit()
    # The file is read once, by itself: loaded with the row it was held twice for a while (the row before the
    # commit above, then again after it), which was the import's peak memory for a large file.
    set_committed_value(job, "data", session.scalar(select(ImportJob.data).where(ImportJob.id == job_id)))
    try:
        stored, result = work(session, job, Progress(job.id, job.total))
    except (ValueError, TolkError) as exc:
        session.rollback()
        fail(session, job_id, str(exc), getattr(exc, "line", None) or _line(str(exc)))
        return "failed"
    except Exception as exc:
        session.rollback()
        log.exception("import %s failed", job_id)
        fail(session, job_id, f"the import failed ({type(exc).__name__}); nothing was stored", None)
        raise
    job.status, job.done, job.total, job.result, job.data = ImportStatus.DONE, stored, stored, result, None
    session.commit()
    return "done"


def run_inline(session: Session, job: ImportJob, work: Work) -> tuple[int, dict[str, Any]]:
    """A small file imported in the request (or the CLI) by the same ``work``; the caller commits."""
    return work(session, job, lambda _done: None)


def fail(session: Session, job_id: str, error: str, line: int | None) -> None:
    """Mark the job failed (nothing was stored) and drop its file."""
    job = session.get(ImportJob, job_id, options=[defer(ImportJob.data)])
    if job is None or job.status == ImportStatus.DONE:
        return
    job.status, job.error, job.line, job.data = ImportStatus.FAILED, error[:4000], line, None
    session.commit()


def on_failure(rq_job: Any, _connection: Any, exc_type: type | None, exc_value: BaseException | None,
               _traceback: Any) -> None:
    """RQ failure callback (a crash, a timeout, a worker that died): the job is failed, not left running."""
    name = exc_type.__name__ if exc_type else "Error"
    _record_failure(rq_job.id, f"the import failed ({name}); nothing was stored")


@task
def _record_failure(job_id: str, message: str) -> None:
    fail(db.session, job_id, message, None)


def _line(message: str) -> int | None:
    found = _LINE.search(message)
    return int(found.group(1)) if found else None


def progress_of(job: ImportJob) -> tuple[int, int]:
    """(done, total) of a job: live from Redis while it runs, else as recorded."""
    if job.status == ImportStatus.RUNNING:
        try:
            values = redis_connection().hgetall(redis_key("import", job.id))
        except RedisError:
            values = {}
        if values:
            return int(values.get(b"done", 0)), int(values.get(b"total", job.total))
    return job.done, job.total


def job_to_dict(job: ImportJob) -> dict[str, Any]:
    """The job resource of ``GET /api/v1/imports/<id>``."""
    done, total = progress_of(job)
    return {"id": job.id, "kind": job.kind, "filename": job.filename, "status": job.status.value, "done": done,
            "total": total, "error": job.error, "line": job.line, "result": job.result,
            "created_at": job.created_at.isoformat(), "updated_at": job.updated_at.isoformat()}
