"""Worker jobs of the translation memory: a new fuzzy-index snapshot of a language pair.

A process whose in-memory index of recent segments outgrows its snapshot reports the pair once
(``TranslationMemory.on_stale``); :func:`queue_rebuild` queues one rebuild per pair, and the worker writes
the new generation, which every process maps at its next refresh.
"""

from __future__ import annotations

import logging
import secrets

from flask import current_app
from redis.exceptions import RedisError
from rq.job import JobStatus
from sqlalchemy import select

from machinery.memory_index import has_snapshot
from machinery.models import TmSegment
from machinery.service import services, tm_index_dir
from tolk.db import db
from tolk.queue import queue, task

log = logging.getLogger(__name__)

# A rebuild of a million segments takes about a minute on two cores; an hour leaves room for slow disks.
REBUILD_TIMEOUT = 3600
_WAITING = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


@task
def rebuild_snapshot(source_lang: str, target_lang: str) -> str | None:
    """Write a new snapshot of the pair, folding in the segments added since the last one."""
    return services().memory.rebuild(source_lang, target_lang, force=True)


def queue_rebuild(source_lang: str, target_lang: str, *, erasure: bool = False) -> None:
    """Queue a rebuild of the pair unless one is waiting or running; a Redis outage is logged, never raised
    (the lookup that noticed goes on with the snapshot it has). After an ``erasure`` a rebuild is always
    queued: one already running may have read the deleted segments."""
    job_id = f"tm-index-{source_lang}_{target_lang}"  # RQ ids: letters, digits, - and _
    try:
        q = queue()
        job = q.fetch_job(job_id)
        if erasure:
            job_id = f"{job_id}-erasure-{secrets.token_hex(4)}"
        elif job is not None and job.get_status(refresh=True) in _WAITING:
            return
        q.enqueue(rebuild_snapshot, source_lang, target_lang, job_id=job_id, job_timeout=REBUILD_TIMEOUT)
    except RedisError as exc:
        log.warning("translation memory: cannot queue a new index of %s>%s (%s)", source_lang, target_lang, exc)


def queue_missing_snapshots() -> list[tuple[str, str]]:
    """At worker start: queue a build for every language pair of the TM that has no snapshot yet, or one of an
    older format (after an upgrade), so no web request builds one (at a million segments that held the first
    lookup for about 30 s). The pairs queued."""
    directory = tm_index_dir(current_app)
    if directory is None:
        return []
    # Not through services(): this runs before `tolk worker` forks its processes, which build their own.
    pairs = db.session.execute(select(TmSegment.source_lang, TmSegment.target_lang).distinct()).all()
    db.session.close()
    missing = [(s, t) for s, t in pairs if not has_snapshot(directory, (s, t))]
    for source_lang, target_lang in missing:
        queue_rebuild(source_lang, target_lang)
    return missing
