"""Finding terms in text, per locale: words compared by lemma, shared stem or compound head; unspaced
scripts (Chinese, Japanese, Korean, Thai) by substring. ``Matcher`` is what ``glossaries.verify`` builds
for a termbase's terms in one locale.
"""

from __future__ import annotations

import marshal
import re
import unicodedata
from collections.abc import Hashable, Iterable
from functools import lru_cache
from typing import Any, Generic, NamedTuple, TypeVar

import simplemma
from simplemma.strategies import DefaultStrategy, DictionaryLookupStrategy, StreamDictionaryFactory
from simplemma.strategies.dictionaries.dictionary_factory import SUPPORTED_LANGUAGES

from tolk.languages import base

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
# No cache inside the lemmatizer (``cache_max_size=0``): it would keep every word it saw, customers' names
# among them; ``_analyse`` keeps dictionary words only.
LEMMATIZER = simplemma.Lemmatizer(cache_max_size=0,
                                  lemmatization_strategy=DefaultStrategy(dictionary_factory=_DICTIONARIES))
_LOOKUP = DictionaryLookupStrategy(_DICTIONARIES)


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


class Match(NamedTuple, Generic[P]):
    """Where a term was found, and what it stands for."""

    start: int
    end: int
    payload: P


@lru_cache(maxsize=1)
def _token_pattern() -> re.Pattern[str]:
    # \w misses combining marks (Devanagari vowel signs, Arabic harakat), which would split words apart.
    marks = "".join(chr(c) for c in range(0x300, 0x10000) if unicodedata.category(chr(c)).startswith("M"))
    return re.compile(rf"[\w{re.escape(marks)}]+")


@lru_cache(maxsize=256)
def simplemma_language(lang: str) -> str | None:
    """simplemma's code for a locale, or None where it has no dictionary."""
    language = base(lang)
    language = _SIMPLEMMA_CODES.get(language, language)
    return language if language in SUPPORTED_LANGUAGES else None


# Analyses of dictionary words, kept between calls: the language's own vocabulary. A word the dictionary
# does not know (a customer's name, an order number) is analysed afresh each time and kept nowhere, so
# nothing of an erased reply stays in the process.
_KNOWN_WORDS: dict[tuple[str, str | None], tuple[str, str, str, bool]] = {}
_KNOWN_WORDS_MAX = 200_000


def _analyse(surface: str, lemma_lang: str | None) -> tuple[str, str, str, bool]:
    """(folded, lemma, folded lemma, known to the dictionary) for one word."""
    key = (surface, lemma_lang)
    cached = _KNOWN_WORDS.get(key)
    if cached is not None:
        return cached
    surface = unicodedata.normalize("NFC", surface)
    folded = surface.casefold()
    if lemma_lang is None:
        return folded, surface, folded, False
    if any(c.isdigit() for c in surface):  # numbers, codes: compared exactly, never by stem
        return folded, surface, folded, True
    lemma = LEMMATIZER.lemmatize(surface, lemma_lang)
    analysis = folded, lemma, lemma.casefold(), _LOOKUP.get_lemma(surface, lemma_lang) is not None
    if analysis[3]:
        if len(_KNOWN_WORDS) >= _KNOWN_WORDS_MAX:
            _KNOWN_WORDS.clear()
        _KNOWN_WORDS[key] = analysis
    return analysis


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

    def __init__(self, words: list[_Token], case_sensitive: bool, payload: P, stem_ok: list[bool]):
        self.words = words
        self.case_sensitive = case_sensitive
        self.payload = payload
        self.stem_ok = stem_ok


# A term as plain data (its words as tuples, case rule, payload, where the stem guess applies) and an index
# bucket as plain data (the numbers of the one-word terms; the longer ones by a key of their second word).
# Shared through the store, each is one ``marshal`` string, read back only when a text needs it.
_RawPattern = tuple[tuple[tuple[str, str, str, str, bool], ...], bool, Any, tuple[bool, ...]]
_RawBucket = tuple[list[int], dict[str, list[int]]]


def _restore_matcher(state: tuple[Any, ...]) -> Matcher[Any]:
    matcher: Matcher[Any] = Matcher.__new__(Matcher)
    matcher.lang, matcher.unspaced, matcher.compounding, matcher.lemma_lang, data, matcher.substrings = state
    matcher.patterns, matcher.index = data
    matcher._built = {}
    return matcher


class Matcher(Generic[P]):
    """Finds the terms of one locale in text: an index on the first two words, then a word-by-word comparison.

    The index keys are necessary conditions of ``_word_matches`` (a shared form, lemma or stem prefix), so
    it only narrows the candidates: a glossary of 10,000 terms beginning "customer ..." is not compared
    term by term at every "customer". Unspaced scripts go through a character trie (``_Substrings``).
    Terms and index are kept as plain tuples, dicts and numbers, and a term becomes objects only when a
    text brings it up as a candidate: a matcher shared through ``glossaries.compiled`` loads in
    milliseconds (unpickling 10,000 terms as objects took most of a second).
    """

    def __init__(self, lang: str, terms: Iterable[tuple[str, bool, P]]):
        language = base(lang)
        self.lang = lang
        self.unspaced = language in _UNSPACED
        self.compounding = language in _COMPOUNDING
        self.lemma_lang = simplemma_language(lang)
        self.patterns: list[_RawPattern | bytes] = []
        self.index: dict[str, _RawBucket | bytes] = {}
        self.substrings: _Substrings[P] = _Substrings()
        self._built: dict[int, _Pattern[P]] = {}
        for text, case_sensitive, payload in terms:
            if self.unspaced:
                self.substrings.add(text, case_sensitive, payload)
            else:
                self._add(text, case_sensitive, payload)

    def __reduce__(self) -> tuple[Any, ...]:
        data: tuple[Any, Any] = (self.patterns, self.index)
        try:
            data = ([p if isinstance(p, bytes) else marshal.dumps(p) for p in self.patterns],
                    {k: b if isinstance(b, bytes) else marshal.dumps(b) for k, b in self.index.items()})
        except ValueError:  # a payload marshal cannot write: pickled as objects
            data = ([_raw(p) for p in self.patterns], {k: _raw(b) for k, b in self.index.items()})
        return _restore_matcher, ((self.lang, self.unspaced, self.compounding, self.lemma_lang, data,
                                   self.substrings),)

    def _add(self, text: str, case_sensitive: bool, payload: P) -> None:
        words = _tokens(text, self.lemma_lang)
        if not words:
            return
        number = len(self.patterns)
        # Lemmas decide when the dictionary knows the words; the stem guess is for when it does not.
        stem_ok = tuple(self.lemma_lang is None or not w.known for w in words)
        self.patterns.append((tuple(_word_data(w) for w in words), case_sensitive, payload, stem_ok))
        first = words[0]
        # The stem key is needed even for known words: the token may be one the dictionary lacks.
        keys = _word_keys(first)
        if self.compounding and len(words) == 1 and len(first.folded) >= _STEM_MIN:
            keys.add("~" + first.folded[-_STEM_MIN:])
            keys.add("~" + first.lemma_folded[-_STEM_MIN:])
        for key in keys:
            bucket = self.index.get(key)
            if bucket is None:
                bucket = self.index[key] = ([], {})
            bucket = _raw(bucket)
            if len(words) == 1:
                bucket[0].append(number)
            else:
                for second in _word_keys(words[1]):
                    bucket[1].setdefault(second, []).append(number)

    def _pattern(self, number: int) -> _Pattern[P]:
        pattern = self._built.get(number)
        if pattern is None:
            words, case_sensitive, payload, stem_ok = _raw(self.patterns[number])
            pattern = _Pattern([_Token(0, 0, *w) for w in words], case_sensitive, payload, list(stem_ok))
            self._built[number] = pattern
        return pattern

    def find(self, text: str) -> list[Match[P]]:
        """Every occurrence of every term, overlaps included."""
        if self.unspaced:
            return self.substrings.find(text)
        tokens = _tokens(text, self.lemma_lang)
        found: list[Match[P]] = []
        for i, token in enumerate(tokens):
            candidates: set[int] = set()
            following = _word_keys(tokens[i + 1]) if i + 1 < len(tokens) else set()
            for key in self._keys(token):
                stored = self.index.get(key)
                if stored is None:
                    continue
                bucket = _raw(stored)
                if stored is not bucket:
                    self.index[key] = bucket  # read once (replacing a key's value is safe between threads)
                candidates.update(bucket[0])
                for second in following:
                    candidates.update(bucket[1].get(second, ()))
            for number in sorted(candidates):
                pattern = self._pattern(number)
                end = self._match_at(tokens, i, pattern, text)
                if end is not None:
                    found.append(Match(token.start, tokens[end].end, pattern.payload))
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


def _word_data(word: _Token) -> tuple[str, str, str, str, bool]:
    """A term's word as plain data: what matching compares (not where it was), an equal string once."""
    seen: dict[str, str] = {}
    once = lambda text: seen.setdefault(text, text)  # noqa: E731 - marshal writes one object once
    return once(word.surface), once(word.folded), once(word.lemma), once(word.lemma_folded), word.known


def _raw(value: Any) -> Any:
    """A term or index bucket as plain data: as it is, or read back from its ``marshal`` string."""
    return marshal.loads(value) if isinstance(value, bytes) else value


def _word_keys(word: _Token) -> set[str]:
    """Keys one of which a word shares with every token it can match: form, lemma, stem prefix."""
    return {word.folded, word.lemma_folded, word.folded[:_STEM_MIN]}


class _Substrings(Generic[P]):
    """Terms of unspaced scripts in a character trie: each found wherever it occurs, as ``substring_regex``
    finds it (bounded only by Latin letters and digits; overlaps of different terms included)."""

    def __init__(self) -> None:
        self.root: dict[str, Any] = {}
        self.count = 0

    def add(self, text: str, case_sensitive: bool, payload: P) -> None:
        if not text:
            return
        node = self.root
        for ch in text:
            node = node.setdefault(_fold(ch), {})
        node.setdefault("", []).append((self.count, text, case_sensitive, payload))
        self.count += 1

    def find(self, text: str) -> list[Match[P]]:
        found: list[Match[P]] = []
        # Like finditer, one term's own occurrences do not overlap each other.
        ends: dict[int, int] = {}
        for start in range(len(text)):
            node = self.root
            at = start
            while at < len(text):
                child = node.get(_fold(text[at]))
                if child is None:
                    break
                node, at = child, at + 1
                for number, term, case_sensitive, payload in node.get("", ()):
                    if ends.get(number, 0) > start or (case_sensitive and text[start:at] != term):
                        continue
                    if _latin_edge(term[0]) and start > 0 and _latin_edge(text[start - 1]):
                        continue
                    if _latin_edge(term[-1]) and at < len(text) and _latin_edge(text[at]):
                        continue
                    ends[number] = at
                    found.append(Match(start, at, payload))
        return found


def _fold(ch: str) -> str:
    low = ch.lower()
    return low if len(low) == 1 else ch


def _latin_edge(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


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


def substring_regex(text: str, case_sensitive: bool) -> re.Pattern[str]:
    """``text`` anywhere, bounded only by Latin letters and digits (for unspaced scripts)."""
    # In unspaced scripts only Latin letters and digits around a term (brand names, codes) mark a boundary.
    before = r"(?<![A-Za-z0-9])" if text[:1].isascii() and text[:1].isalnum() else ""
    after = r"(?![A-Za-z0-9])" if text[-1:].isascii() and text[-1:].isalnum() else ""
    return re.compile(before + re.escape(text) + after, 0 if case_sensitive else re.IGNORECASE)


def exact_regex(text: str, unspaced: bool) -> re.Pattern[str]:
    """``text`` exactly as written, as a whole word where the script has words."""
    if unspaced:
        return substring_regex(text, case_sensitive=True)
    return re.compile(r"(?<!\w)" + re.escape(text) + r"(?!\w)")


def longest_first(matches: Iterable[Match[P]]) -> list[Match[P]]:
    """Non-overlapping matches, longer ones winning, in text order."""
    chosen: list[Match[P]] = []
    for match in sorted(matches, key=lambda m: (m.start - m.end, m.start)):
        if all(match.end <= c.start or match.start >= c.end for c in chosen):
            chosen.append(match)
    return sorted(chosen)
