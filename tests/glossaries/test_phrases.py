"""PhraseIndex finds what the whole-word, case-insensitive alternation of its phrases finds."""

from __future__ import annotations

import random
import re

import pytest

from glossaries.phrases import PhraseIndex


def alternation(phrases: list[str], text: str) -> list[tuple[int, int, str]]:
    """The reference: what protection compiled before, one regular expression of every phrase."""
    ordered = sorted({p for p in phrases if p.strip()}, key=len, reverse=True)
    rx = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in ordered) + r")(?!\w)", re.IGNORECASE)
    return [(m.start(), m.end(), m.group(0).lower()) for m in rx.finditer(text)]


TEXT = ("Open the Customer Account page; customer accounts are listed. The e-mail (E-Mail) goes to C++ users "
        "of .NET, not to customer-account holders. Zürich’s ZÜRICH office_hours: sign in, sign-in, signing in.")
PHRASES = ["customer account", "customer", "account page", "e-mail", "c++", ".net", "zürich", "office",
           "sign in", "sign", "in", "  "]


@pytest.mark.parametrize("phrases", [PHRASES, PHRASES[:3], ["customer account page", "account"], ["x"]])
def test_same_occurrences_as_the_alternation(phrases):
    found = [(s, e, p) for s, e, p in PhraseIndex(phrases).find(TEXT)]
    assert found == alternation(phrases, TEXT)


def test_longest_phrase_wins_and_words_stay_whole():
    index = PhraseIndex(["customer", "customer account"])
    assert index.find("a customer account, customers") == [(2, 18, "customer account")]
    assert not PhraseIndex(["", " "])


def test_random_texts_agree_with_the_alternation():
    rng = random.Random(7)
    words = ["sign", "in", "Sign", "IN", "account", "e-mail", "mail", "e", "-", " ", ",", "_", "é", "É"]
    phrases = ["sign in", "in", "e-mail", "mail", "account", "é", "sign in account"]
    index = PhraseIndex(phrases)
    for _ in range(300):
        text = "".join(rng.choice(words) + rng.choice(["", " ", " ", ","]) for _ in range(12))
        assert index.find(text) == alternation(phrases, text), text


def test_letters_that_change_length_or_context_when_lowered_fold_one_by_one():
    # "İ" lowers to two characters and a final sigma to "ς" in str.lower(); the index compares as
    # re.IGNORECASE does, character by character.
    phrases = ["İstanbul office", "ΟΔΟΣ", "straße", "ǅemal"]
    text = "The İSTANBUL office, the İstanbul Office and οδοσ and ΟΔΟΣ, STRASSE, Straße, ǆemal and ǄEMAL."
    assert PhraseIndex(phrases).find(text) == [
        (s, e, next(p for p in phrases if p.lower() == m or p == m or p.casefold() == m.casefold()))
        for s, e, m in alternation(phrases, text)]


def trie_find(phrases: list[str], text: str) -> list[tuple[int, int, str]]:
    """The reference for letters whose case rules re.IGNORECASE and str.lower() disagree on (final sigma, "İ"):
    the character trie PhraseIndex was before, folding each character with str.lower() when that gives one."""
    fold = lambda ch: ch.lower() if len(ch.lower()) == 1 else ch  # noqa: E731
    word = lambda ch: ch.isalnum() or ch == "_"  # noqa: E731
    root: dict = {}
    for phrase in phrases:
        if phrase.strip():
            node = root
            for ch in phrase:
                node = node.setdefault(fold(ch), {})
            node.setdefault("", phrase)
    found, start = [], 0
    while start < len(text):
        if start == 0 or not word(text[start - 1]):
            node, at, best = root, start, None
            while at < len(text) and (child := node.get(fold(text[at]))) is not None:
                node, at = child, at + 1
                if "" in node and (at == len(text) or not word(text[at])):
                    best = (at, node[""])
            if best is not None:
                found.append((start, best[0], best[1]))
                start = best[0]
                continue
        start += 1
    return found


def test_random_unicode_texts_agree_with_the_character_trie():
    rng = random.Random(11)
    words = ["ΣΟΦΟΣ", "σοφος", "σοφοσ", "İ", "i̇", "ß", "SS", "ǅ", "ǆ", "Ǆ", "x", " ", "-", "_", "Σ", "ς"]
    phrases = ["σοφος", "σοφοσ", "İ", "ß", "ǆ x", "i̇", "ΣΟΦΟΣ x"]
    index = PhraseIndex(phrases)
    for _ in range(500):
        text = "".join(rng.choice(words) + rng.choice(["", " "]) for _ in range(10))
        assert index.find(text) == trie_find(phrases, text), text
