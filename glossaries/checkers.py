"""Term checkers built when a glossary is saved, not in the first request that uses it.

Every commit that creates or changes a glossary (its version is bumped: the API, the admin pages, an
import job, the CLI) queues ``checker_jobs.warm_glossary_job`` for it. The job compiles the glossary's matchers for
each language pair (``glossaries.verify``), which keeps them in the shared store
(``glossaries.compiled``), and keeps there the version's snapshot with what engines need of each pair
(``glossaries.snapshot.share``): a web request or a job in any process then loads them instead of compiling.
A worker queues the job for every glossary when it starts (matchers kept by an earlier worker are
found, not rebuilt). Without a worker or Redis nothing changes: a request still builds what it needs.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from flask import has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from glossaries.models import Glossary
from glossaries.snapshot import load_snapshot, share
from tolk.db import whole_transaction

log = logging.getLogger(__name__)

_CHANGED = "tolk.glossaries_changed"
#: The RQ job, by name: this module stays free of RQ until a glossary changes.
JOB = "glossaries.checker_jobs.warm_glossary_job"


def warm(session: Session, name: str) -> int:
    """Compile (or find kept) the matchers of glossary ``name``: from its source locale to every other, and
    each locale's own; how many there are."""
    from glossaries.verify import checker, matcher  # lazy: simplemma loads only where terms are matched

    termbase = load_snapshot(session, name)
    languages = termbase.languages()
    source = termbase.source_lang
    for target in languages:
        if target != source:
            checker(termbase, source, target)
            # What a translation into ``target`` derives (machinery.translator.engine_glossary).
            termbase.pair_entries(source, target)
            termbase.checksum(source, target)
            termbase.forbidden_terms(target)
        matcher(termbase, target)
    share(termbase)
    return len(languages) * 2 - 1


def enqueue(names: set[str] | list[str]) -> None:
    """Queue ``warm_glossary_job`` for each glossary; with Redis away they are built when first needed."""
    from tolk.queue import queue  # lazy: RQ and Redis load only in processes that use the queue

    for name in sorted(names):
        try:
            queue().enqueue(JOB, name, job_id=f"glossary-warm-{uuid.uuid4().hex}", result_ttl=600,
                            failure_ttl=86400)
        except Exception as exc:  # noqa: BLE001 - any Redis failure: the matchers are built on first use
            log.warning("glossary %r: matchers not queued for building (%s)", name, type(exc).__name__)


def _note_changes(session: Session, _context: Any, _instances: Any) -> None:
    changed = {g.name for g in (*session.new, *session.dirty) if isinstance(g, Glossary)}
    if changed:
        session.info.setdefault(_CHANGED, set()).update(changed)


def _after_commit(session: Session) -> None:
    if not whole_transaction(session):
        return
    names = session.info.pop(_CHANGED, None)
    if names and has_app_context():
        enqueue(names)


def _after_rollback(session: Session) -> None:
    if whole_transaction(session):
        session.info.pop(_CHANGED, None)


def listen() -> None:
    """Queue the build after each commit that changed a glossary (installed once per process)."""
    if not event.contains(Session, "before_flush", _note_changes):
        event.listen(Session, "before_flush", _note_changes)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
