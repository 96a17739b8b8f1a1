"""TMX imports: in the request when small, else as an import job (``glossaries.import_jobs``) for a worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from glossaries import import_jobs
from glossaries.models import ImportJob
from machinery.service import services
from machinery.tmx import count_units, import_tmx
from tolk.auth import audit
from tolk.db import db
from tolk.queue import task


def tmx_work(session: Session, job: ImportJob, progress: Callable[[int], None]) -> tuple[int, dict[str, Any]]:
    """Add the job's TMX file to the translation memory (the caller commits)."""
    data = job.data or b""
    stored = import_tmx(session, services().memory, data, max_bytes=current_app.config["MAX_UPLOAD_BYTES"],
                        progress=progress)
    audit("tm.imported", "tm", None, actor=job.actor or "system",
          detail={"segments": stored, "file": job.filename, "job": job.id}, sess=session)
    return stored, {"imported": stored}


@task
def import_tmx_job(job_id: str) -> str:
    """RQ job: import the TMX file kept in the job."""
    with current_app.app_context():  # a session of its own, whatever ran before
        return import_jobs.run(db.session, job_id, tmx_work)


def start_tmx_import(session: Session, data: bytes, filename: str, actor: str | None) -> ImportJob:
    """Keep the file in a queued import job (committed) for a worker."""
    return import_jobs.start(session, "tmx", data, filename, {}, actor, import_tmx_job, total=count_units(data))
