"""Worker jobs of the translation memory: a new fuzzy-index snapshot of a language pair.

A process whose in-memory index of recent segments outgrows its snapshot reports the pair once
(``TranslationMemory.on_stale``); :func:`queue_rebuild` queues one rebuild per pair, and the worker writes
the new generation, which every process maps at its next refresh.
"""

from __future__ import annotations

import logging
import secrets

from redis.exceptions import RedisError
from rq.job import JobStatus

from machinery.service import services
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
