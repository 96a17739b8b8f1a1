"""Termbases for translation: one read-only snapshot per stored glossary version, kept per process.

Every reply, API translation and KB job loads its glossary by name. Building 10,000 concepts as ORM
objects took seconds per request; here one small query reads the glossary's id and version, and only a
version not seen yet is read, as plain rows, into a :class:`~glossaries.terms.Termbase`. Its ``revision``
(database, id, version, last change) lets everything derived from it (pair entries, checksums, compiled
term matchers) be computed once per version too. Every change of a glossary bumps its version.

The job that runs when a glossary is saved (``glossaries.checkers``) also keeps the version's rows and the
data derived for each language pair (engine entries, checksum, forbidden variants) in the shared store as
one ``marshal`` string: another process then makes its snapshot from that in milliseconds, without the
queries and without validating every term again (reading 10,000 concepts from the database took a second
or more in the first request after a save).
"""

from __future__ import annotations

import marshal
import threading
from collections import Counter, OrderedDict
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import fields
from typing import overload

from sqlalchemy import select
from sqlalchemy.orm import Session

from glossaries import compiled
from glossaries.models import Glossary, GlossaryConcept, GlossaryTerm
from glossaries.terms import Concept, Term, Termbase
from tolk.errors import NotFound

#: Glossary versions kept per process (each a few MB at 10,000 concepts).
SNAPSHOTS = 8
_ROWS_PER_FETCH = 5000

_TERM_FIELDS = tuple(f.name for f in fields(Term))
_CONCEPT_FIELDS = tuple(f.name for f in fields(Concept) if f.name != "terms")
_SHAPE = (_TERM_FIELDS, _CONCEPT_FIELDS)

#: Glossary versions this process read, by where from ("store", "database"): a test can see which.
LOADS: Counter[str] = Counter()
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
    termbase = _prepared(name, row.source_lang, row.description, revision)
    LOADS["store" if termbase is not None else "database"] += 1
    if termbase is None:
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


def _store_key(revision: Hashable) -> tuple[str, tuple[str, Hashable]]:
    return ("snapshot", ("revision", revision))


def _plain(obj: Term | Concept, names: tuple[str, ...]) -> tuple[str | bool | None, ...]:
    """The fields as values ``marshal`` writes (a status read as an enum member becomes its string)."""
    values = obj.__dict__
    return tuple(str(values[n]) if isinstance(values[n], str) else values[n] for n in names)


def share(termbase: Termbase) -> None:
    """Keep this snapshot's rows and derived data in the shared store, for other processes (best effort)."""
    if termbase.revision is None or not compiled.shareable(_store_key(termbase.revision)):
        return
    rows = [marshal.dumps((_plain(c, _CONCEPT_FIELDS), [_plain(t, _TERM_FIELDS) for t in c.terms]))
            for c in termbase.concepts]
    try:
        data = marshal.dumps((_SHAPE, rows, termbase.derived_items()))
    except ValueError:  # derived data marshal cannot write (not made here): rows only
        data = marshal.dumps((_SHAPE, rows, {}))
    compiled.keep(_store_key(termbase.revision), data)


def _prepared(name: str, source_lang: str, description: str, revision: Hashable) -> Termbase | None:
    """The snapshot of ``revision`` from the shared store, or None (none kept, or the store unavailable)."""
    key = _store_key(revision)
    data = compiled.fetch(key) if compiled.shareable(key) else None
    if not isinstance(data, bytes):
        return None
    shape, rows, derived = marshal.loads(data)
    if shape != _SHAPE:  # written when terms had other fields
        return None
    termbase = Termbase(name=name, source_lang=source_lang, description=description,
                        concepts=StoredConcepts(rows), revision=revision)
    termbase.preset(derived)
    return termbase


class StoredConcepts(Sequence[Concept]):
    """A snapshot's concepts as ``share`` kept them, one ``marshal`` string each, each made into objects the
    first time it is asked for: a translation looks at the few concepts its text has terms of, and making
    10,000 concepts with their terms took a tenth of a second. The rows were written from validated terms,
    so the objects are made without validating them again."""

    def __init__(self, rows: list[bytes]):
        self._rows = rows
        self._made: list[Concept | None] = [None] * len(rows)

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> Concept: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Concept]: ...

    def __getitem__(self, index: int | slice) -> Concept | Sequence[Concept]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self._rows)))]
        made = self._made[index]
        if made is None:
            # Two threads may both make one: equal concepts, and either is kept.
            made = self._made[index] = _concept(self._rows[index])
        return made

    def __iter__(self) -> Iterator[Concept]:
        for i in range(len(self._rows)):
            yield self[i]

    def __eq__(self, other: object) -> bool:
        # As a list of the same concepts is (termbases compare their concepts).
        return isinstance(other, Sequence) and list(self) == list(other)

    def made(self) -> int:
        """How many concepts were made into objects so far."""
        return sum(c is not None for c in self._made)


def _concept(row: bytes) -> Concept:
    concept_row, term_rows = marshal.loads(row)
    terms: list[Term] = []
    for term_row in term_rows:
        term = object.__new__(Term)
        term.__dict__.update(zip(_TERM_FIELDS, term_row, strict=True))
        terms.append(term)
    concept = object.__new__(Concept)
    concept.__dict__.update(zip(_CONCEPT_FIELDS, concept_row, strict=True), terms=terms)
    return concept


def clear() -> None:
    """Forget every snapshot (tests; a process that changed glossaries behind the ORM's back)."""
    with _lock:
        _snapshots.clear()
