"""The content rules searched fast, finding exactly what ``re.IGNORECASE`` finds.

Two steps, each keeping the matches (spans, words) of the plain per-rule search:

- Case: Python's ``re`` cannot skip ahead in a case-insensitive alternation; it tries every alternative
  at every position, and the rules in ``workflows.content_rules`` are long alternations (~0.3 ms a text
  in all). So each rule is also compiled lower-cased and case-sensitive and searched in the lower-cased
  text. The spans are the same: for every character but those in ``UNSAFE``, lower-casing keeps the
  length, the word, space and digit classes, and exactly the case-insensitive equivalences of the rules'
  characters (tests/workflows/test_routing_search.py checks every code point). A text with an ``UNSAFE``
  character is searched with the original patterns. The words quoted are cut from the original text.
- Prefilter: most rules cannot match without one of a few literal words, stems or a digit ("refund",
  "zahl", "\\d"), read off the pattern itself by ``required_words``. One scan of the text for all those
  words tells which rules may match; only those run. A rule whose words cannot be read always runs.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import Any, Generic, TypeVar

from workflows.content_rules import COMPILED_RULES, CONTENT_RULES

#: Characters whose lower case is not what ``re.IGNORECASE`` equates them with: 'İ' lower-cases to two
#: characters; 'ı' and 'ſ' match 'i' and 's' case-insensitively but lower-case to themselves.
UNSAFE = re.compile("[\u0130\u0131\u017f]")
K = TypeVar("K")
DIGIT = "\\d"  # the required "word" that is any decimal digit
_LIMIT = 64  # how many strings a sub-pattern may spell out before only its required words are kept


def lower_pattern(pattern: str) -> str:
    """``pattern`` with its literal characters lower-cased and its escapes (``\\W``, ``\\d``) as written."""
    return re.sub(r"\\.|[^\\]+", lambda m: m.group(0) if m.group(0)[0] == "\\" else m.group(0).lower(),
                  pattern, flags=re.DOTALL)


class _Info:
    """What a sub-pattern can match: every string (``exact``, when few) or words one of which every match
    contains (``words``); None: not known, which is always safe (the rule runs)."""

    __slots__ = ("exact", "words")

    def __init__(self, exact: frozenset[str] | None = None, words: frozenset[str] | None = None) -> None:
        self.exact = exact
        self.words = words if exact is None else (None if "" in exact else exact)


_UNKNOWN = _Info()
_EMPTY = _Info(frozenset({""}))  # anchors and lookarounds: they match, and consume nothing


def _best(candidates: list[frozenset[str]]) -> frozenset[str] | None:
    """The most selective of several sets of required words: longest shortest word, then fewest words."""
    if not candidates:
        return None
    return max(candidates, key=lambda s: (min(2.5 if w == DIGIT else len(w) for w in s), -len(s)))


def _sequence(nodes: Sequence[Any], sre: Any) -> _Info:
    candidates: list[frozenset[str]] = []
    run: frozenset[str] = frozenset({""})  # the strings the current stretch of spelled-out nodes makes
    whole: frozenset[str] | None = frozenset({""})
    for node in nodes:
        info = _node(node, sre)
        if info.exact is not None and whole is not None and len(whole) * len(info.exact) <= _LIMIT:
            whole = frozenset(a + b for a in whole for b in info.exact)
        else:
            whole = None
        if info.exact is not None and len(run) * len(info.exact) <= _LIMIT:
            run = frozenset(a + b for a in run for b in info.exact)
            continue
        if "" not in run:
            candidates.append(run)
        if info.words is not None:
            candidates.append(info.words)
        run = info.exact if info.exact is not None else frozenset({""})
    if whole is not None:
        return _Info(whole)
    if "" not in run:
        candidates.append(run)
    return _Info(None, _best(candidates))


def _node(node: tuple[Any, Any], sre: Any) -> _Info:
    op, av = node
    c = sre.constants
    if op is c.LITERAL:
        return _Info(frozenset({chr(av)}))
    if op is c.IN:
        if all(item is c.LITERAL for item, _ in av) and len(av) <= _LIMIT:
            return _Info(frozenset(chr(v) for _, v in av))
        if list(av) == [(c.CATEGORY, c.CATEGORY_DIGIT)]:
            return _Info(None, frozenset({DIGIT}))
        return _UNKNOWN
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
        return _EMPTY
    if op is c.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        return _sequence(sub, sre) if not add_flags and not del_flags else _UNKNOWN
    if op is c.BRANCH:
        infos = [_sequence(alt, sre) for alt in av[1]]
        exacts = [i.exact for i in infos if i.exact is not None]
        if len(exacts) == len(infos) and len(union := frozenset().union(*exacts)) <= _LIMIT:
            return _Info(union)
        words = [i.words for i in infos if i.words is not None]
        return _Info(None, frozenset().union(*words)) if len(words) == len(infos) else _UNKNOWN
    if op in (c.MAX_REPEAT, c.MIN_REPEAT):
        low, high, sub = av
        info = _sequence(sub, sre)
        if low == 0:
            return _Info(info.exact | {""}) if high == 1 and info.exact is not None else _UNKNOWN
        if low == high and info.exact is not None and len(info.exact) ** low <= _LIMIT:
            return _Info(frozenset(map("".join, itertools.product(sorted(info.exact), repeat=low))))
        return _Info(None, info.words)
    return _UNKNOWN  # anything else (any character, back-references, possessive and atomic groups)


class _Sre:
    """Python's own regular-expression parser (``re._parser``), the one authority on what a pattern means."""

    def __init__(self) -> None:
        self.parser = import_module("re._parser")
        self.constants = import_module("re._constants")


def required_words(pattern: str) -> frozenset[str] | None:
    """Words (lower-case literals, or ``DIGIT``) one of which every match of the case-sensitive ``pattern``
    contains; None if there are none to read. Words containing a shorter one are left out."""
    try:
        sre = _Sre()
        parsed = sre.parser.parse(pattern)
    except (ImportError, AttributeError):  # another Python: no prefilter, every rule runs
        return None
    if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    words = _sequence(parsed.data, sre).words
    if words is None:
        return None
    kept: set[str] = set()
    for word in sorted(words, key=len):
        if word == DIGIT or not any(k != DIGIT and k in word for k in kept):
            kept.add(word)
    return frozenset(kept)


class Prefilter(Generic[K]):
    """Which rules (or parts of rules) may match a lower-cased text: one scan for all their required words."""

    def __init__(self, words_by_rule: dict[K, frozenset[str] | None]) -> None:
        self.always = frozenset(name for name, words in words_by_rule.items() if words is None)
        self.on_digit: set[K] = set()
        by_word: dict[str, set[K]] = {}
        for name, words in words_by_rule.items():
            for word in words or ():
                if word == DIGIT or word[0].isdigit():  # '911' cannot be there without a digit
                    self.on_digit.add(name)
                else:
                    by_word.setdefault(word, set()).add(name)
        # Keep no word that starts with another: then at each position at most one word matches, and a
        # scan that restarts one character after each hit finds every (shortest) word in the text.
        shortest: dict[str, set[K]] = {}
        for word in sorted(by_word, key=len):
            prefix = next((word[:n] for n in range(1, len(word)) if word[:n] in shortest), word)
            shortest.setdefault(prefix, set()).update(by_word[word])
        self.rules_by_word: dict[str, frozenset[K]] = {word: frozenset(rules) for word, rules in shortest.items()}
        self.scan = re.compile(_trie(sorted(shortest))) if shortest else None
        self.digit = re.compile(r"\d")

    def rules(self, folded: str) -> set[K]:
        """The rules that may match ``folded`` (a lower-cased text); the others cannot."""
        found = set(self.always)
        if self.on_digit and self.digit.search(folded):
            found |= self.on_digit
        if self.scan is not None:
            m = self.scan.search(folded)
            while m:
                found |= self.rules_by_word[m.group(0)]
                m = self.scan.search(folded, m.start() + 1)
        return found


def _trie(words: list[str]) -> str:
    """One pattern for prefix-free ``words``, branching a character at a time (``re`` then skips fast)."""
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        alternatives = [re.escape(char) + emit(sub) for char, sub in sorted(node.items()) if char]
        if not alternatives:
            return ""
        return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"

    return emit(tree)


def _scan(pattern: str) -> tuple[list[tuple[int, int]], list[int]]:
    """The spans of ``pattern``'s top-level groups and the positions of its top-level '|'."""
    groups: list[tuple[int, int]] = []
    bars: list[int] = []
    depth = i = opened = 0
    in_class = False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            i += 1 + (pattern[i + 1:i + 2] == "^")
            i += pattern[i:i + 1] == "]"  # a ']' just after '[' or '[^' is a member
            continue
        elif char == "(":
            opened = i if depth == 0 else opened
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                groups.append((opened, i + 1))
        elif char == "|" and depth == 0:
            bars.append(i)
        i += 1
    return groups, bars


def _cut(text: str, bars: list[int]) -> list[str]:
    return [text[a:b] for a, b in zip([0, *(b + 1 for b in bars)], [*bars, len(text)], strict=True)]


def split_alternatives(pattern: str) -> list[str]:
    """``pattern`` as alternatives whose earliest match, first alternative winning a tie, is ``pattern``'s
    match: its top-level '|', or those of its first group when only anchors and lookarounds precede it
    (``\\b(?:a|b)\\b`` -> ``\\b(?:a)\\b``, ``\\b(?:b)\\b``); else the pattern whole."""
    groups, bars = _scan(pattern)
    if bars:
        return _cut(pattern, bars)
    start, end = next(((a, b) for a, b in groups if pattern.startswith("(?:", a)), (0, 0))
    inner = _scan(pattern[start + 3:end - 1])[1] if end else []
    if inner and pattern[end:end + 1] not in ("?", "*", "+", "{") and _zero_width(pattern[:start]):
        return [f"{pattern[:start]}(?:{alt}){pattern[end:]}" for alt in _cut(pattern[start + 3:end - 1], inner)]
    return [pattern]


def _zero_width(pattern: str) -> bool:
    """Whether ``pattern`` is only anchors and lookarounds (it matches one way, consuming nothing)."""
    try:
        sre = _Sre()
        return all(op in (sre.constants.AT, sre.constants.ASSERT, sre.constants.ASSERT_NOT)
                   for op, _ in sre.parser.parse(pattern).data)
    except (ImportError, AttributeError):
        return False


@dataclass(frozen=True)
class SearchPlan:
    """Every rule's alternatives in order (rule, lower-cased pattern), and a prefilter over their indexes."""

    rules: dict[str, str]  # each rule whole, lower-cased
    parts: tuple[tuple[str, str], ...]  # (rule, alternative), in the rules' order
    prefilter: Prefilter[int]
    compiled: list[re.Pattern[str] | None]  # each part, compiled when first searched

    def search(self, i: int, folded: str) -> re.Match[str] | None:
        """Part ``i`` searched in ``folded``."""
        rx = self.compiled[i]
        if rx is None:
            rx = self.compiled[i] = re.compile(self.parts[i][1])
        return rx.search(folded)


@cache
def search_plan() -> SearchPlan:
    """Built on first use (~0.1 s: reading the words off a few hundred small patterns), not at import."""
    rules = {name: lower_pattern(rule.pattern) for name, rule in CONTENT_RULES.items()}
    parts = tuple((name, alt) for name, pattern in rules.items() for alt in split_alternatives(pattern))
    return SearchPlan(rules, parts, Prefilter({i: required_words(alt) for i, (_, alt) in enumerate(parts)}),
                      [None] * len(parts))


def first_matches(text: str, names: Iterable[str]) -> dict[str, str]:
    """The words each named rule fires on in ``text`` (its first match), as ``COMPILED_RULES`` finds them."""
    if UNSAFE.search(text):
        return plain_first_matches(text, names)
    folded = text.lower()
    plan = search_plan()
    order = list(names)
    wanted = set(order)
    best: dict[str, re.Match[str]] = {}
    for i in sorted(plan.prefilter.rules(folded)):
        name = plan.parts[i][0]
        # The earliest match wins; at a tie, the first alternative (met first here).
        if name in wanted and (m := plan.search(i, folded)) and (name not in best or m.start() < best[name].start()):
            best[name] = m
    return {name: text[best[name].start():best[name].end()] for name in order if name in best}


def plain_first_matches(text: str, names: Iterable[str]) -> dict[str, str]:
    """The same, searched plainly: each rule case-insensitively (the reference, and for ``UNSAFE`` text)."""
    found: dict[str, str] = {}
    for name in names:
        m = COMPILED_RULES[name].search(text)
        if m:
            found[name] = m.group(0)
    return found
