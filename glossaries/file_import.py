"""Importing a glossary file (CSV, TBX): in the request when small, else as an import job for a worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from glossaries import import_jobs
from glossaries.bulk import glossary_free, store_glossary
from glossaries.formats import open_glossary
from glossaries.models import ImportJob
from tolk.auth import audit
from tolk.db import db
from tolk.queue import task

#: The id of the job record describing an import done inside the request (never stored).
INLINE = "inline"


def default_name(filename: str) -> str:
    """The glossary name a file gives when none is chosen: its name without folder and extension."""
    return filename.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def glossary_work(session: Session, job: ImportJob, progress: Callable[[int], None]) -> tuple[int, dict[str, Any]]:
    """Read the job's file and store it as the glossary its options name (the caller commits)."""
    options = job.options
    opened = open_glossary(job.data or b"", job.filename, max_bytes=current_app.config["MAX_UPLOAD_BYTES"])
    if isinstance(progress, import_jobs.Progress):
        progress.total = opened.total
    glossary, stored = store_glossary(session, name=options["name"], source_lang=opened.source_lang,
                                      description=opened.description, concepts=opened.concepts,
                                      replace=bool(options.get("replace")), progress=progress)
    audit("glossary.imported", "glossary", glossary.name, actor=job.actor or "system",
          detail={"entries": stored, "replace": bool(options.get("replace")), "job": job.id}, sess=session)
    return stored, {"glossary": glossary.name, "entries": stored}


@task
def import_glossary_job(job_id: str) -> str:
    """RQ job: import the glossary file kept in the job."""
    with current_app.app_context():  # a session of its own, whatever ran before
        return import_jobs.run(db.session, job_id, glossary_work)


def import_glossary(session: Session, data: bytes, filename: str, *, name: str | None, replace: bool,
                    actor: str | None, background: bool | None = None) -> tuple[ImportJob, int]:
    """Import ``data``: above ``IMPORT_SYNC_BYTES`` (or with ``background``) queued, returning the queued job
    and 0; else stored now, returning the (unsaved) job describing it and the entries stored (uncommitted)."""
    name = glossary_free(session, name or default_name(filename), replace)
    options = {"name": name, "replace": replace}
    if background if background is not None else len(data) > import_jobs.sync_bytes():
        return import_jobs.start(session, "glossary", data, filename, options, actor, import_glossary_job), 0
    job = ImportJob(id=INLINE, kind="glossary", filename=filename, options=options, data=data, actor=actor)
    stored, _result = import_jobs.run_inline(session, job, glossary_work)
    return job, stored
