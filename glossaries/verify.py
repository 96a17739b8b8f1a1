"""Term verification of a machine translation: glossary terms used, do-not-translate kept, no forbidden variants.

Matching is per locale. Spaced scripts are tokenized and compared word by word, so a term also matches
its inflected forms: lemmas from ``simplemma`` where it covers the locale and knows the word, otherwise a
shared-stem heuristic, and for compounding languages (German, Dutch, Finnish, ...) a term also matches as
the head of a compound (``Konto`` in ``Kundenkontos``). Chinese, Japanese, Korean and Thai are matched
as substrings (the matching itself is ``glossaries.matching``). Compiled matchers are cached by termbase content; callers that check many segments against
one termbase can also hold a :class:`TermChecker` themselves.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from glossaries import compiled
from glossaries.matching import (
    LEMMATIZER,
    Matcher,
    exact_regex,
    longest_first,
    simplemma_language,
    substring_regex,
)
from glossaries.terms import Concept, Term, Termbase
from tolk.languages import normalize

GLOSSARY_TERM = "glossary_term"
DO_NOT_TRANSLATE = "do_not_translate"
FORBIDDEN_TERM = "forbidden_term"


@dataclass(frozen=True)
class TermFinding:
    """One terminology problem in a translated segment."""

    check: str
    term: str
    expected: str
    severity: str
    message: str
    target_span: tuple[int, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict shaped like the automatic-check findings it is reported with (``lqa.checks``)."""
        return {
            "check": self.check,
            "severity": self.severity,
            "message": self.message,
            "spans": [list(self.target_span)] if self.target_span else [],
            "source_spans": [],
            "category": "terminology",
            "data": {"term": self.term, "expected": self.expected},
        }


def warm_up(langs: Iterable[str]) -> None:
    """Load the lemmatizer dictionaries of these locales now (1-3 s each) rather than on the first segment."""
    for lang in langs:
        lemma_lang = simplemma_language(lang)
        if lemma_lang:
            LEMMATIZER.lemmatize("a", lemma_lang)



class TermChecker:
    """A termbase compiled for one language pair; ``check(source, target)`` verifies one segment pair."""

    def __init__(self, termbase_or_entries: Termbase | Mapping[str, str], source_lang: str, target_lang: str):
        termbase = _as_termbase(termbase_or_entries, source_lang, target_lang)
        self.source_lang = normalize(source_lang)
        self.target_lang = normalize(target_lang)
        self.concepts: Sequence[Concept] | None = termbase.concepts
        source_terms: list[tuple[str, bool, int]] = []
        target_terms: list[tuple[str, bool, tuple[int, bool]]] = []
        for n, concept in enumerate(termbase.concepts):
            allowed_source = concept.allowed(self.source_lang)
            if not allowed_source:
                continue
            source_terms += [(t.text, t.case_sensitive, n) for t in allowed_source]
            target_terms += [(t.text, t.case_sensitive, (n, False)) for t in concept.allowed(self.target_lang)]
        for n, concept in enumerate(termbase.concepts):
            target_terms += [(t.text, t.case_sensitive, (n, True)) for t in concept.forbidden(self.target_lang)]
        self.source = Matcher(self.source_lang, source_terms)
        self.target = Matcher(self.target_lang, target_terms)

    def __getstate__(self) -> dict[str, Any]:
        # Shared through glossaries.compiled without the concepts: the loading process has its own
        # snapshot of the same glossary version and attaches its concepts (``checker``).
        return {**self.__dict__, "concepts": None}

    def attach(self, concepts: Sequence[Concept]) -> TermChecker:
        """This checker with the concepts of the termbase it was compiled from (after loading it)."""
        if self.concepts is None:
            self.concepts = concepts
        return self

    def _concept(self, n: int) -> Concept:
        if self.concepts is None:
            raise RuntimeError("a term checker loaded from the store was used before its concepts were attached")
        return self.concepts[n]

    def check(self, source: str, target: str) -> list[TermFinding]:
        """Findings for one source segment and its translation, in order of the source terms."""
        source_hits: dict[int, str] = {}
        for match in longest_first(self.source.find(source)):
            source_hits.setdefault(match.payload, source[match.start:match.end])
        target_matches = self.target.find(target)
        allowed = [m for m in target_matches if not m.payload[1]]
        present = {m.payload[0] for m in allowed}
        findings: list[TermFinding] = []
        for n, surface in source_hits.items():
            concept = self._concept(n)
            expected = concept.preferred(self.target_lang)
            if concept.do_not_translate:
                findings += self._check_kept(concept, surface, target)
            elif expected is not None and n not in present:
                findings.append(TermFinding(
                    GLOSSARY_TERM, surface, expected.text, "major",
                    f"'{surface}' should be translated as '{expected.text}' (glossary)",
                ))
        for forbidden in sorted(m for m in target_matches if m.payload[1]):
            if any(a.start <= forbidden.start and forbidden.end <= a.end for a in allowed):
                # A forbidden variant inside a longer approved term ("e-mail" in "adres e-mail") is fine.
                continue
            n = forbidden.payload[0]
            concept = self._concept(n)
            found = target[forbidden.start:forbidden.end]
            use = concept.preferred(self.target_lang)
            src = concept.preferred(self.source_lang)
            findings.append(TermFinding(
                FORBIDDEN_TERM, src.text if src else found, use.text if use else "", "critical",
                f"'{found}' must not be used" + (f"; use '{use.text}'" if use else ""),
                target_span=(forbidden.start, forbidden.end),
            ))
        return findings

    def _check_kept(self, concept: Concept, surface: str, target: str) -> list[TermFinding]:
        # The source spelling, or the term as listed (the source may inflect a brand name: "Tolka").
        kept = [surface] + [t.text for t in concept.allowed(self.source_lang) + concept.allowed(self.target_lang)]
        if any(exact_regex(text, self.target.unspaced).search(target) for text in kept):
            return []
        altered = substring_regex(surface, case_sensitive=False).search(target)
        return [TermFinding(
            DO_NOT_TRANSLATE, surface, surface, "critical",
            f"'{surface}' must be kept exactly as in the source (do not translate)",
            target_span=altered.span() if altered else None,
        )]


def _as_termbase(termbase_or_entries: Termbase | Mapping[str, str], source_lang: str, target_lang: str
                 ) -> Termbase:
    if isinstance(termbase_or_entries, Termbase):
        return termbase_or_entries
    # Plain pair entries (as sent to an engine) carry no statuses: every entry is a glossary term.
    concepts = [
        Concept([Term(source_lang, source), Term(target_lang, target)])
        for source, target in termbase_or_entries.items()
    ]
    return Termbase(name="", source_lang=source_lang, concepts=concepts)


def _fingerprint(termbase_or_entries: Termbase | Mapping[str, str]) -> Hashable:
    if isinstance(termbase_or_entries, Termbase) and termbase_or_entries.revision is not None:
        return ("revision", termbase_or_entries.revision)
    if isinstance(termbase_or_entries, Termbase):
        return tuple([
            (c.do_not_translate, tuple([(t.lang, t.text, t.status, t.case_sensitive) for t in c.terms]))
            for c in termbase_or_entries.concepts
        ])
    return tuple(termbase_or_entries.items())


T = TypeVar("T")
_CACHE_SIZE = 32
# Keys start with what they hold ("pair": a TermChecker, "lang": a Matcher), so a key always maps to a
# value of the type its ``build`` returns.
_cache: OrderedDict[Hashable, Any] = OrderedDict()
_cache_lock = threading.Lock()


#: How many matchers or checkers this process compiled, by kind ("pair", "lang"): a test can see a request
#: found them ready.
BUILDS: Counter[str] = Counter()


def _cached(key: Hashable, build: Callable[[], T], loaded: Callable[[T], T] | None = None) -> T:
    """The value for ``key``: from this process, else from the shared store (a stored glossary version, then
    completed by ``loaded``), else built (and shared)."""
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    shared = compiled.shareable(key)
    value = compiled.fetch(key) if shared else None
    if value is not None and loaded is not None:
        value = loaded(value)
    if value is None:
        value = build()
        BUILDS[str(key[0]) if isinstance(key, tuple) else "other"] += 1
        if shared:
            compiled.keep(key, value)
    with _cache_lock:
        _cache[key] = value
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return value


def verify_terms(source: str, target: str, termbase_or_entries: Termbase | Mapping[str, str],
                 source_lang: str, target_lang: str) -> list[TermFinding]:
    """Check a translation against a termbase (or plain source->target entries) for one language pair."""
    return checker(termbase_or_entries, source_lang, target_lang).check(source, target)


def checker(termbase_or_entries: Termbase | Mapping[str, str], source_lang: str, target_lang: str) -> TermChecker:
    """The compiled checker of a termbase for one language pair (built once per glossary version)."""
    source_lang, target_lang = normalize(source_lang), normalize(target_lang)
    key = ("pair", source_lang, target_lang, _fingerprint(termbase_or_entries))
    return _cached(key, lambda: TermChecker(termbase_or_entries, source_lang, target_lang),
                   lambda loaded: loaded.attach(_as_termbase(termbase_or_entries, source_lang, target_lang).concepts))


def matcher(termbase: Termbase, lang: str) -> Matcher[int]:
    """The compiled matcher of a termbase's allowed terms in one locale (payload: the concept's index)."""
    lang = normalize(lang)

    def build() -> Matcher[int]:
        return Matcher(lang, [
            (t.text, t.case_sensitive, n) for n, c in enumerate(termbase.concepts) for t in c.allowed(lang)
        ])

    return _cached(("lang", lang, _fingerprint(termbase)), build)


def find_terms(text: str, termbase: Termbase, lang: str) -> list[tuple[int, int, Concept]]:
    """Termbase terms in ``text`` as (start, end, concept): longest match first, no overlaps, in text order."""
    matcher_ = matcher(termbase, lang)
    return [(m.start, m.end, termbase.concepts[m.payload]) for m in longest_first(matcher_.find(text))]
