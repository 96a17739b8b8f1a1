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
