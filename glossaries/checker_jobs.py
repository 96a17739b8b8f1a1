"""RQ jobs that build a glossary's term checkers ahead of use (``glossaries.checkers``)."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from glossaries.checkers import enqueue, warm
from glossaries.models import Glossary
from tolk.db import db
from tolk.errors import NotFound
from tolk.queue import task


@task
def warm_glossary_job(name: str) -> int:
    """RQ job: compile the matchers of glossary ``name`` (gone since: nothing to do)."""
    with current_app.app_context():  # a session of its own, whatever ran before
        try:
            return warm(db.session, name)
        except NotFound:
            return 0


def warm_all() -> None:
    """At worker start: queue the build for every glossary (each finds its kept matchers, if any)."""
    with current_app.app_context():
        enqueue(list(db.session.scalars(select(Glossary.name))))
