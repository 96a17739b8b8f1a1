"""Termbases in the database: loading them for translation, saving imports, editing entries."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from glossaries.models import Glossary, GlossaryConcept, GlossaryTerm
from glossaries.snapshot import load_snapshot
from glossaries.terms import STATUSES, Concept, Term, Termbase, validate_lang
from tolk.errors import Conflict, NotFound, ValidationError

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")


def get_glossary(session: Session, name: str) -> Glossary:
    """The glossary called ``name``; NotFound otherwise."""
    found = session.scalar(select(Glossary).where(Glossary.name == name).options(
        selectinload(Glossary.concepts).selectinload(GlossaryConcept.terms)))
    if found is None:
        raise NotFound(f"no glossary named {name!r}")
    return found


def to_termbase(glossary: Glossary) -> Termbase:
    """The stored glossary as a Termbase."""
    return Termbase(name=glossary.name, source_lang=glossary.source_lang, description=glossary.description,
                    concepts=[_concept(c) for c in glossary.concepts])


def _concept(row: GlossaryConcept) -> Concept:
    return Concept(id=row.external_id or str(row.id), do_not_translate=row.do_not_translate, note=row.note,
                   subject=row.subject,
                   terms=[Term(lang=t.lang, text=t.text, part_of_speech=t.part_of_speech,
                               case_sensitive=t.case_sensitive, status=t.status, note=t.note) for t in row.terms])


def load_termbase(session: Session, name: str) -> Termbase:
    """The glossary ``name`` as a read-only Termbase, ready for engines and term verification (cached per
    glossary version: do not change it)."""
    return load_snapshot(session, name)


def find_glossary(session: Session, name: str) -> Glossary:
    """The glossary called ``name`` without its entries (loaded only if touched); NotFound otherwise."""
    found = session.scalar(select(Glossary).where(Glossary.name == name))
    if found is None:
        raise NotFound(f"no glossary named {name!r}")
    return found


def check_name(name: str) -> str:
    if not name or not NAME.match(name):
        raise ValidationError("glossary name must be 1-80 letters, digits, '_', '.' or '-'")
    return name


def _term_rows(concept: Concept) -> list[GlossaryTerm]:
    return [GlossaryTerm(lang=t.lang, text=t.text, part_of_speech=t.part_of_speech,
                         case_sensitive=t.case_sensitive, status=t.status, note=t.note) for t in concept.terms]


def _concept_row(concept: Concept) -> GlossaryConcept:
    return GlossaryConcept(external_id=concept.id, do_not_translate=concept.do_not_translate, note=concept.note,
                           subject=concept.subject, terms=_term_rows(concept))


def save_termbase(session: Session, termbase: Termbase, *, name: str | None = None,
                  replace: bool = False) -> Glossary:
    """Store an imported termbase under ``name``; an existing one is replaced only with ``replace``."""
    name = check_name(name or termbase.name)
    existing = session.scalar(select(Glossary).where(Glossary.name == name))
    if existing is not None and not replace:
        raise Conflict(f"glossary {name!r} exists; import with replace to overwrite it")
    if existing is None:
        existing = Glossary(name=name, source_lang=termbase.source_lang, description=termbase.description or "")
        session.add(existing)
    else:
        existing.concepts.clear()
        existing.source_lang = termbase.source_lang
        existing.description = termbase.description or existing.description
        existing.version += 1
    existing.concepts.extend(_concept_row(c) for c in termbase.concepts)
    session.flush()
    return existing


def concept_from_dict(data: Any) -> Concept:
    """Validate an entry from the API: {terms: [{lang, text, status?, ...}], do_not_translate?, note?}."""
    if not isinstance(data, dict):
        raise ValidationError("an entry must be a JSON object")
    raw_terms = data.get("terms")
    if not isinstance(raw_terms, list) or not raw_terms:
        raise ValidationError("'terms' must be a non-empty list of {lang, text}")
    terms = []
    for i, raw in enumerate(raw_terms):
        if not isinstance(raw, dict) or not isinstance(raw.get("lang"), str) or not isinstance(raw.get("text"), str):
            raise ValidationError(f"terms[{i}] needs string 'lang' and 'text'")
        for key in ("part_of_speech", "note"):
            if raw.get(key) is not None and not isinstance(raw[key], str):
                raise ValidationError(f"terms[{i}].{key} must be a string")
        status = raw.get("status", "preferred")
        if status not in STATUSES:
            raise ValidationError(f"terms[{i}].status must be one of {', '.join(STATUSES)}")
        try:
            lang = validate_lang(raw["lang"])
            terms.append(Term(lang=lang, text=raw["text"], part_of_speech=raw.get("part_of_speech"),
                              case_sensitive=bool(raw.get("case_sensitive", False)), status=status,
                              note=raw.get("note")))
        except ValueError as exc:
            raise ValidationError(f"terms[{i}]: {exc}") from exc
    for key in ("note", "subject", "id"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise ValidationError(f"'{key}' must be a string")
    return Concept(terms=terms, id=data.get("id"), do_not_translate=bool(data.get("do_not_translate", False)),
                   note=data.get("note"), subject=data.get("subject"))


def concept_to_dict(row: GlossaryConcept) -> dict[str, Any]:
    return {"id": row.id, "external_id": row.external_id, "do_not_translate": row.do_not_translate,
            "note": row.note, "subject": row.subject,
            "terms": [{"lang": t.lang, "text": t.text, "status": t.status, "part_of_speech": t.part_of_speech,
                       "case_sensitive": t.case_sensitive, "note": t.note} for t in row.terms]}


def glossary_to_dict(glossary: Glossary, *, entries: bool = False) -> dict[str, Any]:
    """The glossary as the API answers it; its entries only with ``entries`` (counted by the database else)."""
    if entries:
        count, languages = len(glossary.concepts), to_termbase(glossary).languages()
    else:
        count, languages = _count_and_languages(glossary)
    body = {"name": glossary.name, "description": glossary.description, "source_lang": glossary.source_lang,
            "version": glossary.version, "entries_count": count,
            "languages": languages, "updated_at": glossary.updated_at.isoformat()}
    if entries:
        body["entries"] = [concept_to_dict(c) for c in glossary.concepts]
    return body


def _count_and_languages(glossary: Glossary) -> tuple[int, list[str]]:
    session = Session.object_session(glossary)
    if session is None or glossary.id is None:
        return len(glossary.concepts), to_termbase(glossary).languages()
    count = session.scalar(select(func.count()).where(GlossaryConcept.glossary_id == glossary.id)) or 0
    # Languages in order of first appearance, as Termbase.languages() lists them: the source first.
    first_seen = session.execute(
        select(GlossaryTerm.lang, func.min(GlossaryTerm.id).label("first"))
        .join(GlossaryConcept, GlossaryConcept.id == GlossaryTerm.concept_id)
        .where(GlossaryConcept.glossary_id == glossary.id).group_by(GlossaryTerm.lang).order_by("first"))
    return count, list(dict.fromkeys([glossary.source_lang, *(lang for lang, _ in first_seen)]))


def add_concept(session: Session, glossary: Glossary, concept: Concept) -> GlossaryConcept:
    row = _concept_row(concept)
    glossary.concepts.append(row)
    glossary.version += 1
    session.flush()
    return row


def replace_concept(session: Session, glossary: Glossary, concept_id: int, concept: Concept) -> GlossaryConcept:
    row = _find_concept(glossary, concept_id)
    row.do_not_translate, row.note, row.subject = concept.do_not_translate, concept.note, concept.subject
    row.external_id = concept.id or row.external_id
    row.terms.clear()
    row.terms.extend(_term_rows(concept))
    glossary.version += 1
    session.flush()
    return row


def delete_concept(session: Session, glossary: Glossary, concept_id: int) -> None:
    glossary.concepts.remove(_find_concept(glossary, concept_id))
    glossary.version += 1
    session.flush()


def _find_concept(glossary: Glossary, concept_id: int) -> GlossaryConcept:
    for row in glossary.concepts:
        if row.id == concept_id:
            return row
    raise NotFound(f"glossary {glossary.name!r} has no entry {concept_id}")
