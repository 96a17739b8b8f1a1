"""Term verification of a machine translation: glossary terms used, do-not-translate kept, no forbidden variants.

Matching is per locale. Spaced scripts are tokenized and compared word by word, so a term also matches
its inflected forms: lemmas from ``simplemma`` where it covers the locale and knows the word, otherwise a
shared-stem heuristic, and for compounding languages (German, Dutch, Finnish, ...) a term also matches as
the head of a compound (``Konto`` in ``Kundenkontos``). Chinese, Japanese, Korean and Thai are matched
as substrings. Compiled matchers are cached by termbase content; callers that check many segments against
one termbase can also hold a :class:`TermChecker` themselves.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, NamedTuple, TypeVar

import simplemma
from simplemma.strategies import DefaultStrategy, DictionaryLookupStrategy, StreamDictionaryFactory
from simplemma.strategies.dictionaries.dictionary_factory import SUPPORTED_LANGUAGES

from glossaries.terms import Concept, Term, Termbase, normalize_lang

GLOSSARY_TERM = "glossary_term"
DO_NOT_TRANSLATE = "do_not_translate"
FORBIDDEN_TERM = "forbidden_term"

# Scripts written without spaces between words: word boundaries cannot be found by tokenizing.
_UNSPACED = {"zh", "ja", "ko", "th", "lo", "km", "my", "bo"}
# Languages that glue nouns into compounds whose head (last part) carries the meaning and the inflection.
_COMPOUNDING = {"de", "nl", "sv", "da", "nb", "nn", "no", "is", "fo", "fi", "et", "af", "lb"}
_SIMPLEMMA_CODES = {"no": "nb", "sr": "hbs", "hr": "hbs", "bs": "hbs", "fil": "tl", "iw": "he", "in": "id"}
_STEM_MIN = 4
_MAX_ENDING = 5
_MAX_COMPOUND_ENDING = 3
_JOINERS = {"-", "\u2010", "\u2011", "'", "\u2019", "/"}

# Streamed dictionaries: Polish takes about 55 MB instead of 410 MB in memory. Room for 64 languages,
# because simplemma's default keeps 8 and reloading one costs 1-3 s per segment once a worker serves more.
_DICTIONARIES = StreamDictionaryFactory(cache_max_size=64)
_LEMMATIZER = simplemma.Lemmatizer(lemmatization_strategy=DefaultStrategy(dictionary_factory=_DICTIONARIES))
_LOOKUP = DictionaryLookupStrategy(_DICTIONARIES)


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


class _Token(NamedTuple):
    start: int
    end: int
    surface: str
    folded: str
    lemma: str
    lemma_folded: str
    known: bool


# What a matched term stands for: a concept index, or (concept index, forbidden) for target terms.
P = TypeVar("P", bound=Hashable)


class _Match(NamedTuple, Generic[P]):
    start: int
    end: int
    payload: P


@lru_cache(maxsize=1)
def _token_pattern() -> re.Pattern[str]:
    # \w misses combining marks (Devanagari vowel signs, Arabic harakat), which would split words apart.
    marks = "".join(chr(c) for c in range(0x300, 0x10000) if unicodedata.category(chr(c)).startswith("M"))
    return re.compile(rf"[\w{re.escape(marks)}]+")


@lru_cache(maxsize=256)
def _lemma_lang(lang: str) -> str | None:
    base = normalize_lang(lang).split("-")[0]
    base = _SIMPLEMMA_CODES.get(base, base)
    return base if base in SUPPORTED_LANGUAGES else None


@lru_cache(maxsize=200_000)
def _analyse(surface: str, lemma_lang: str | None) -> tuple[str, str, str, bool]:
    """(folded, lemma, folded lemma, known to the dictionary) for one word."""
    surface = unicodedata.normalize("NFC", surface)
    folded = surface.casefold()
    if lemma_lang is None:
        return folded, surface, folded, False
    lemma = _LEMMATIZER.lemmatize(surface, lemma_lang)
    return folded, lemma, lemma.casefold(), _LOOKUP.get_lemma(surface, lemma_lang) is not None


def warm_up(langs: Iterable[str]) -> None:
    """Load the lemmatizer dictionaries of these locales now (1-3 s each) rather than on the first segment."""
    for lang in langs:
        lemma_lang = _lemma_lang(lang)
        if lemma_lang:
            _LEMMATIZER.lemmatize("a", lemma_lang)


def _tokens(text: str, lemma_lang: str | None) -> list[_Token]:
    return [
        _Token(m.start(), m.end(), m.group(), *_analyse(m.group(), lemma_lang))
        for m in _token_pattern().finditer(text)
    ]


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class _Pattern(Generic[P]):
    """A term compiled for one locale: its words, analysed once."""

    __slots__ = ("words", "case_sensitive", "payload", "stem_ok")

    def __init__(self, words: list[_Token], case_sensitive: bool, payload: P, lemma_lang: str | None):
        self.words = words
        self.case_sensitive = case_sensitive
        self.payload = payload
        # Lemmas decide when the dictionary knows the words; the stem guess is for when it does not.
        self.stem_ok = [lemma_lang is None or not w.known for w in words]


class _Matcher(Generic[P]):
    """Finds the terms of one locale in text: an index on first words, then a word-by-word comparison."""

    def __init__(self, lang: str, terms: Iterable[tuple[str, bool, P]]):
        base = normalize_lang(lang).split("-")[0]
        self.unspaced = base in _UNSPACED
        self.compounding = base in _COMPOUNDING
        self.lemma_lang = _lemma_lang(lang)
        self.index: dict[str, list[_Pattern[P]]] = {}
        self.regexes: list[tuple[re.Pattern[str], P]] = []
        for text, case_sensitive, payload in terms:
            if self.unspaced:
                self.regexes.append((_substring_regex(text, case_sensitive), payload))
            else:
                self._add(text, case_sensitive, payload)

    def _add(self, text: str, case_sensitive: bool, payload: P) -> None:
        words = _tokens(text, self.lemma_lang)
        if not words:
            return
        pattern = _Pattern(words, case_sensitive, payload, self.lemma_lang)
        first = words[0]
        # The stem key is needed even for known words: the token may be one the dictionary lacks.
        keys = {first.folded, first.lemma_folded, first.folded[:_STEM_MIN]}
        if self.compounding and len(words) == 1 and len(first.folded) >= _STEM_MIN:
            keys.add("~" + first.folded[-_STEM_MIN:])
            keys.add("~" + first.lemma_folded[-_STEM_MIN:])
        for key in keys:
            self.index.setdefault(key, []).append(pattern)

    def find(self, text: str) -> list[_Match[P]]:
        """Every occurrence of every term, overlaps included."""
        if self.unspaced:
            return [_Match(m.start(), m.end(), payload) for rx, payload in self.regexes for m in rx.finditer(text)]
        tokens = _tokens(text, self.lemma_lang)
        found: list[_Match[P]] = []
        for i, token in enumerate(tokens):
            candidates: dict[int, _Pattern[P]] = {}
            for key in self._keys(token):
                for pattern in self.index.get(key, ()):
                    candidates[id(pattern)] = pattern
            for pattern in candidates.values():
                end = self._match_at(tokens, i, pattern, text)
                if end is not None:
                    found.append(_Match(token.start, tokens[end].end, pattern.payload))
        return found

    def _keys(self, token: _Token) -> set[str]:
        keys = {token.folded, token.lemma_folded, token.folded[:_STEM_MIN]}
        if self.compounding and len(token.folded) > _STEM_MIN:
            word = token.folded
            for cut in range(_MAX_COMPOUND_ENDING + 1):
                tail = word[: len(word) - cut] if cut else word
                keys.add("~" + tail[-_STEM_MIN:])
            keys.add("~" + token.lemma_folded[-_STEM_MIN:])
        return keys

    def _match_at(self, tokens: list[_Token], i: int, pattern: _Pattern[P], text: str) -> int | None:
        words = pattern.words
        if i + len(words) > len(tokens):
            return None
        for k, word in enumerate(words):
            token = tokens[i + k]
            if k and not _joined(text[tokens[i + k - 1].end:token.start]):
                return None
            if not self._word_matches(token, word, pattern, k):
                return None
        return i + len(words) - 1

    def _word_matches(self, token: _Token, word: _Token, pattern: _Pattern[P], k: int) -> bool:
        if pattern.case_sensitive and word.surface not in token.surface and token.lemma != word.surface:
            return False
        if {token.folded, token.lemma_folded} & {word.folded, word.lemma_folded}:
            return True
        if (pattern.stem_ok[k] or not token.known) and _stem_match(token.folded, word.folded):
            return True
        return self.compounding and len(pattern.words) == 1 and _compound_head(token, word)


def _joined(gap: str) -> bool:
    """Whether the text between two words of a multi-word term keeps them one term (no punctuation)."""
    return all(ch.isspace() or ch in _JOINERS for ch in gap)


def _stem_match(token: str, word: str) -> bool:
    if len(word) < _STEM_MIN:
        return False
    shared = _common_prefix(token, word)
    return shared >= max(_STEM_MIN, len(word) - 2) and len(token) - shared <= _MAX_ENDING


def _compound_head(token: _Token, word: _Token) -> bool:
    if len(word.folded) < _STEM_MIN:
        return False
    for form, head in ((token.folded, word.folded), (token.lemma_folded, word.lemma_folded)):
        at = form.rfind(head)
        if at >= 3 and len(form) - at - len(head) <= _MAX_COMPOUND_ENDING:
            return True
    return False


def _substring_regex(text: str, case_sensitive: bool) -> re.Pattern[str]:
    # In unspaced scripts only Latin letters and digits around a term (brand names, codes) mark a boundary.
    before = r"(?<![A-Za-z0-9])" if text[:1].isascii() and text[:1].isalnum() else ""
    after = r"(?![A-Za-z0-9])" if text[-1:].isascii() and text[-1:].isalnum() else ""
    return re.compile(before + re.escape(text) + after, 0 if case_sensitive else re.IGNORECASE)


def _exact_regex(text: str, unspaced: bool) -> re.Pattern[str]:
    if unspaced:
        return _substring_regex(text, case_sensitive=True)
    return re.compile(r"(?<!\w)" + re.escape(text) + r"(?!\w)")


def _longest_first(matches: Iterable[_Match[P]]) -> list[_Match[P]]:
    chosen: list[_Match[P]] = []
    for match in sorted(matches, key=lambda m: (m.start - m.end, m.start)):
        if all(match.end <= c.start or match.start >= c.end for c in chosen):
            chosen.append(match)
    return sorted(chosen)


class TermChecker:
    """A termbase compiled for one language pair; ``check(source, target)`` verifies one segment pair."""

    def __init__(self, termbase_or_entries: Termbase | Mapping[str, str], source_lang: str, target_lang: str):
        termbase = _as_termbase(termbase_or_entries, source_lang, target_lang)
        self.source_lang = normalize_lang(source_lang)
        self.target_lang = normalize_lang(target_lang)
        self.concepts = termbase.concepts
        self.expected: dict[int, Term | None] = {}
        source_terms: list[tuple[str, bool, int]] = []
        target_terms: list[tuple[str, bool, tuple[int, bool]]] = []
        for n, concept in enumerate(self.concepts):
            allowed_source = concept.allowed(self.source_lang)
            if not allowed_source:
                continue
            source_terms += [(t.text, t.case_sensitive, n) for t in allowed_source]
            self.expected[n] = concept.preferred(self.target_lang)
            target_terms += [(t.text, t.case_sensitive, (n, False)) for t in concept.allowed(self.target_lang)]
        for n, concept in enumerate(self.concepts):
            target_terms += [(t.text, t.case_sensitive, (n, True)) for t in concept.forbidden(self.target_lang)]
        self.source = _Matcher(self.source_lang, source_terms)
        self.target = _Matcher(self.target_lang, target_terms)

    def check(self, source: str, target: str) -> list[TermFinding]:
        """Findings for one source segment and its translation, in order of the source terms."""
        source_hits: dict[int, str] = {}
        for match in _longest_first(self.source.find(source)):
            source_hits.setdefault(match.payload, source[match.start:match.end])
        target_matches = self.target.find(target)
        allowed = [m for m in target_matches if not m.payload[1]]
        present = {m.payload[0] for m in allowed}
        findings: list[TermFinding] = []
        for n, surface in source_hits.items():
            concept = self.concepts[n]
            expected = self.expected[n]
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
            concept = self.concepts[n]
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
        if any(_exact_regex(text, self.target.unspaced).search(target) for text in kept):
            return []
        altered = _substring_regex(surface, case_sensitive=False).search(target)
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
    if isinstance(termbase_or_entries, Termbase):
        return tuple([
            (c.do_not_translate, tuple([(t.lang, t.text, t.status, t.case_sensitive) for t in c.terms]))
            for c in termbase_or_entries.concepts
        ])
    return tuple(termbase_or_entries.items())


T = TypeVar("T")
_CACHE_SIZE = 32
# Keys start with what they hold ("pair": a TermChecker, "lang": a _Matcher), so a key always maps to a
# value of the type its ``build`` returns.
_cache: OrderedDict[Hashable, Any] = OrderedDict()
_cache_lock = threading.Lock()


def _cached(key: Hashable, build: Callable[[], T]) -> T:
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    value = build()
    with _cache_lock:
        _cache[key] = value
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return value


def verify_terms(source: str, target: str, termbase_or_entries: Termbase | Mapping[str, str],
                 source_lang: str, target_lang: str) -> list[TermFinding]:
    """Check a translation against a termbase (or plain source->target entries) for one language pair."""
    source_lang, target_lang = normalize_lang(source_lang), normalize_lang(target_lang)
    key = ("pair", source_lang, target_lang, _fingerprint(termbase_or_entries))
    checker = _cached(key, lambda: TermChecker(termbase_or_entries, source_lang, target_lang))
    return checker.check(source, target)


def find_terms(text: str, termbase: Termbase, lang: str) -> list[tuple[int, int, Concept]]:
    """Termbase terms in ``text`` as (start, end, concept): longest match first, no overlaps, in text order."""
    lang = normalize_lang(lang)

    def build() -> _Matcher[int]:
        return _Matcher(lang, [
            (t.text, t.case_sensitive, n) for n, c in enumerate(termbase.concepts) for t in c.allowed(lang)
        ])

    matcher = _cached(("lang", lang, _fingerprint(termbase)), build)
    return [(m.start, m.end, termbase.concepts[m.payload]) for m in _longest_first(matcher.find(text))]
