"""Glossaries that may hold hundreds of thousands of entries, a page at a time: summaries counted in SQL,
entries paged and searched by term, and editing or deleting without loading the whole termbase."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, and_, delete, exists, func, select
from sqlalchemy.orm import Session, selectinload

from glossaries.models import Glossary, GlossaryConcept, GlossaryTerm, search_form
from glossaries.terms import Concept, Term
from tolk.errors import NotFound, ValidationError
from tolk.languages import UnknownLanguage, canonical
from tolk.pagination import Page, PageRequest, paginate

#: The longest term search the pages and the API accept.
MAX_SEARCH_CHARS = 255
# Greater than any character a term continues with: [prefix, prefix + this) holds every term starting so.
_LAST_CHAR = "\U0010ffff"
#: Up to this many matching terms, a search reads them all from the index; beyond, it walks the entries.
_FEW_MATCHES = 2000


def summaries(session: Session, glossaries: list[Glossary]) -> list[dict[str, Any]]:
    """``glossaries`` as the API lists them (entry counts and languages)."""
    ids = [g.id for g in glossaries]
    counts = dict(session.execute(select(GlossaryConcept.glossary_id, func.count(GlossaryConcept.id))
                                  .where(GlossaryConcept.glossary_id.in_(ids))
                                  .group_by(GlossaryConcept.glossary_id)).all())
    languages = {g.id: _languages(session, g) for g in glossaries}
    return [{"name": g.name, "description": g.description, "source_lang": g.source_lang, "version": g.version,
             "entries_count": counts.get(g.id, 0), "languages": languages[g.id],
             "updated_at": g.updated_at.isoformat()} for g in glossaries]


#: Languages per (database, glossary id, created, version): finding them reads every term (about a second at 200,000
#: entries), and every change to a glossary bumps its version, so a stored answer stays right until then.
_LANGUAGES: dict[tuple[str, int, str, int], list[str]] = {}
_LANGUAGES_KEPT = 1024


def _languages(session: Session, glossary: Glossary) -> list[str]:
    """The glossary's languages: the source language first, then in order of first appearance (as
    ``Termbase.languages()``)."""
    bind = session.get_bind()
    database = str(bind.url if isinstance(bind, Engine) else bind.engine.url)
    key = (database, glossary.id, glossary.created_at.isoformat(), glossary.version)
    found = _LANGUAGES.get(key)
    if found is None:
        first_seen = (select(GlossaryTerm.lang, func.min(GlossaryTerm.id).label("first"))
                      .join(GlossaryTerm.concept).where(GlossaryConcept.glossary_id == glossary.id)
                      .group_by(GlossaryTerm.lang).order_by("first"))
        found = list(dict.fromkeys([glossary.source_lang, *session.scalars(first_seen)]))
        if len(_LANGUAGES) >= _LANGUAGES_KEPT:
            _LANGUAGES.clear()
        _LANGUAGES[key] = found
    return list(found)


def glossary_page(session: Session, wanted: PageRequest) -> Page[dict[str, Any]]:
    """One page of glossary summaries, by name."""
    page = paginate(session, select(Glossary), Glossary.name, wanted)
    return Page(items=summaries(session, page.items), next_cursor=page.next_cursor)


def check_search(term: str | None) -> str | None:
    """A term search, stripped; None when empty; ValidationError when too long."""
    term = (term or "").strip()
    if len(term) > MAX_SEARCH_CHARS:
        raise ValidationError(f"the search is longer than {MAX_SEARCH_CHARS} characters", details={"field": "term"})
    return term or None


def entries_page(session: Session, glossary: Glossary, wanted: PageRequest, *,
                 term: str | None = None) -> Page[GlossaryConcept]:
    """One page of the glossary's entries in the order they were added; ``term``: only entries with a term
    in any language starting with it (any case, white space as typed or not: ``search_form``). A prefix
    is a range of the indexed search form, so a search costs the same at 200,000 entries as at 200."""
    query = (select(GlossaryConcept).where(GlossaryConcept.glossary_id == glossary.id)
             .options(selectinload(GlossaryConcept.terms)))
    if term:
        low = search_form(term)
        in_range = and_(GlossaryTerm.search_text >= low, GlossaryTerm.search_text < low + _LAST_CHAR)
        matching = session.scalar(select(func.count()).select_from(
            select(GlossaryTerm.id).where(in_range).limit(_FEW_MATCHES).subquery()))
        if (matching or 0) < _FEW_MATCHES:
            # Few terms start so (the usual search): read them from the index.
            query = query.where(GlossaryConcept.id.in_(select(GlossaryTerm.concept_id).where(in_range)))
        else:
            # Very many do ("a"): walking the entries in order finds a page of them soon; reading every match
            # to sort it would not.
            query = query.where(exists().where(GlossaryTerm.concept_id == GlossaryConcept.id, in_range))
    return paginate(session, query, GlossaryConcept.id, wanted)


def entry_count(session: Session, glossary: Glossary) -> int:
    """How many entries the glossary holds."""
    return session.scalar(select(func.count(GlossaryConcept.id))
                          .where(GlossaryConcept.glossary_id == glossary.id)) or 0


def entry_from_form(source_lang: str, source_term: str, target_lang: str, target_term: str, *,
                    do_not_translate: bool, note: str | None) -> Concept:
    """An entry typed into the glossary page: a source term, and a target term in a known language unless
    the term is not to be translated. ValidationError names what is missing or wrong."""
    source_term, target_term, target_lang = source_term.strip(), target_term.strip(), target_lang.strip()
    if not source_term:
        raise ValidationError("The source term is empty.", details={"field": "source_term"})
    terms = [Term(lang=source_lang, text=source_term)]
    if target_lang or target_term:
        if not target_lang:
            raise ValidationError("Give the language of the target term (a language code such as es or pt-BR).",
                                  details={"field": "target_lang"})
        try:
            lang = canonical(target_lang)
        except UnknownLanguage as exc:
            raise ValidationError(f"Target language: {exc}; use a language code such as es or pt-BR.",
                                  code="unknown_language", details={"field": "target_lang"}) from exc
        if not target_term:
            if not do_not_translate:
                raise ValidationError("Give the target term, or mark the entry as not to be translated.",
                                      details={"field": "target_term"})
        else:
            terms.append(Term(lang=lang, text=target_term))
    elif not do_not_translate:
        raise ValidationError("Give a target language and term, or mark the entry as not to be translated.",
                              details={"field": "target_term"})
    return Concept(terms=terms, do_not_translate=do_not_translate, note=note or None)


def require_translation(concept: Concept, source_lang: str) -> Concept:
    """``concept`` if it says how to translate its term: a non-empty term in a language other than the
    glossary's source, or the do-not-translate mark (the API's entries, like the page's)."""
    if any(not t.text.strip() for t in concept.terms):
        raise ValidationError("A term's text is empty.", details={"field": "terms"})
    if not concept.do_not_translate and all(t.lang.lower() == source_lang.lower() for t in concept.terms):
        raise ValidationError("Give a term in a target language, or mark the entry as not to be translated "
                              "(do_not_translate).", details={"field": "terms"})
    return concept


def add_entry(session: Session, glossary: Glossary, concept: Concept) -> GlossaryConcept:
    """Store a new entry without loading the glossary's others."""
    row = GlossaryConcept(glossary_id=glossary.id, external_id=concept.id, do_not_translate=concept.do_not_translate,
                          note=concept.note, subject=concept.subject,
                          terms=[GlossaryTerm(lang=t.lang, text=t.text, part_of_speech=t.part_of_speech,
                                              case_sensitive=t.case_sensitive, status=t.status, note=t.note)
                                 for t in concept.terms])
    session.add(row)
    glossary.version += 1
    session.flush()
    return row


def find_entry(session: Session, glossary: Glossary, entry_id: int) -> GlossaryConcept:
    """One entry of the glossary; NotFound otherwise."""
    row = session.scalar(select(GlossaryConcept).where(GlossaryConcept.id == entry_id,
                                                       GlossaryConcept.glossary_id == glossary.id)
                         .options(selectinload(GlossaryConcept.terms)))
    if row is None:
        raise NotFound(f"glossary {glossary.name!r} has no entry {entry_id}")
    return row


def delete_entry(session: Session, glossary: Glossary, entry_id: int) -> None:
    """Delete one entry and its terms."""
    session.delete(find_entry(session, glossary, entry_id))
    glossary.version += 1
    session.flush()


def delete_glossary(session: Session, glossary: Glossary) -> int:
    """Delete the glossary with its entries and terms in three statements; returns how many entries it had."""
    concepts = select(GlossaryConcept.id).where(GlossaryConcept.glossary_id == glossary.id)
    count = entry_count(session, glossary)
    session.execute(delete(GlossaryTerm).where(GlossaryTerm.concept_id.in_(concepts)))
    session.execute(delete(GlossaryConcept).where(GlossaryConcept.glossary_id == glossary.id))
    session.delete(glossary)
    session.flush()
    return count
