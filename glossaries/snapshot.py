"""Termbases for translation: one read-only snapshot per stored glossary version, kept per process.

Every reply, API translation and KB job loads its glossary by name. Building 10,000 concepts as ORM
objects took seconds per request; here one small query reads the glossary's id and version, and only a
version not seen yet is read, as plain rows, into a :class:`~glossaries.terms.Termbase`. Its ``revision``
(database, id, version, last change) lets everything derived from it (pair entries, checksums, compiled
term matchers) be computed once per version too. Every change of a glossary bumps its version.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from glossaries.models import Glossary, GlossaryConcept, GlossaryTerm
from glossaries.terms import Concept, Term, Termbase
from tolk.errors import NotFound

#: Glossary versions kept per process (each a few MB at 10,000 concepts).
SNAPSHOTS = 8
_ROWS_PER_FETCH = 5000

_snapshots: OrderedDict[Hashable, Termbase] = OrderedDict()
_lock = threading.Lock()


def load_snapshot(session: Session, name: str) -> Termbase:
    """The glossary ``name`` as a read-only Termbase: from the process cache unless its version changed."""
    row = session.execute(
        select(Glossary.id, Glossary.version, Glossary.updated_at, Glossary.source_lang, Glossary.description)
        .where(Glossary.name == name)).first()
    if row is None:
        raise NotFound(f"no glossary named {name!r}")
    revision = (session.get_bind().engine.url.render_as_string(hide_password=True), row.id, row.version,
                row.updated_at.isoformat())
    with _lock:
        found = _snapshots.get(revision)
        if found is not None:
            _snapshots.move_to_end(revision)
            return found
    termbase = Termbase(name=name, source_lang=row.source_lang, description=row.description,
                        concepts=list(_concepts(session, row.id)), revision=revision)
    with _lock:
        _snapshots[revision] = termbase
        while len(_snapshots) > SNAPSHOTS:
            _snapshots.popitem(last=False)
    return termbase


def _concepts(session: Session, glossary_id: int) -> Iterator[Concept]:
    """The glossary's concepts with their terms, in id order, from two streamed queries merged."""
    concepts = session.execute(
        select(GlossaryConcept.id, GlossaryConcept.external_id, GlossaryConcept.do_not_translate,
               GlossaryConcept.note, GlossaryConcept.subject)
        .where(GlossaryConcept.glossary_id == glossary_id).order_by(GlossaryConcept.id)
        .execution_options(yield_per=_ROWS_PER_FETCH))
    terms = iter(session.execute(
        select(GlossaryTerm.concept_id, GlossaryTerm.lang, GlossaryTerm.text, GlossaryTerm.part_of_speech,
               GlossaryTerm.case_sensitive, GlossaryTerm.status, GlossaryTerm.note)
        .join(GlossaryConcept, GlossaryConcept.id == GlossaryTerm.concept_id)
        .where(GlossaryConcept.glossary_id == glossary_id)
        .order_by(GlossaryTerm.concept_id, GlossaryTerm.id)
        .execution_options(yield_per=_ROWS_PER_FETCH)))
    pending = next(terms, None)
    for concept_id, external_id, do_not_translate, note, subject in concepts:
        found: list[Term] = []
        while pending is not None and pending.concept_id <= concept_id:
            if pending.concept_id == concept_id:
                found.append(Term(lang=pending.lang, text=pending.text, part_of_speech=pending.part_of_speech,
                                  case_sensitive=pending.case_sensitive, status=pending.status, note=pending.note))
            pending = next(terms, None)
        yield Concept(terms=found, id=external_id or str(concept_id), do_not_translate=do_not_translate,
                      note=note, subject=subject)


def clear() -> None:
    """Forget every snapshot (tests; a process that changed glossaries behind the ORM's back)."""
    with _lock:
        _snapshots.clear()
