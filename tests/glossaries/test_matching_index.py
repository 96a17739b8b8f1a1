"""The term index: same matches as comparing every term, for spaced and unspaced scripts."""

from __future__ import annotations

import random

from glossaries.matching import Matcher, substring_regex


def test_unspaced_trie_finds_what_each_terms_regex_finds():
    rng = random.Random(3)
    terms = [("退款", False, 0), ("退款单", False, 1), ("款单", False, 2), ("VIP", True, 3), ("app", False, 4),
             ("工单", False, 5), ("单单", False, 6)]
    matcher = Matcher("zh-Hans", terms)
    pieces = ["退", "款", "单", "工", "VIP", "vip", "App", "apps", "x", " ", "。"]
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(10))
        expected = sorted((m.start(), m.end(), payload) for text_, cs, payload in terms
                          for m in substring_regex(text_, cs).finditer(text))
        assert sorted(matcher.find(text)) == expected, text


def test_many_terms_sharing_their_first_words():
    rng = random.Random(5)
    nouns = ["".join(rng.choice("bcdfgklmnprstvz") + rng.choice("aeiou") for _ in range(4)) for _ in range(500)]
    terms = [(f"customer account {noun}", False, n) for n, noun in enumerate(nouns)]
    terms += [("customer", False, -1), ("customer portal", False, -2), ("account", False, -3),
              ("Account Page", True, -4), ("customer accounts", False, -5)]
    matcher = Matcher("en", terms)
    text = (f"Your customer accounts {nouns[499]} and the Customer Portal; customer, account {nouns[7]}. "
            f"The account page, the Account Page, customer account {nouns[3]}s.")
    found = sorted((m.start, m.end, m.payload) for m in matcher.find(text))
    # One matcher per term compares that term alone: the index may only narrow, never change, the result.
    alone = sorted((m.start, m.end, m.payload) for term in terms for m in Matcher("en", [term]).find(text))
    assert found == alone
    assert {payload for _, _, payload in found} == {499, 3, -1, -2, -3, -4, -5}


def test_words_the_dictionary_does_not_know_are_not_kept_and_numbers_match_exactly():
    """Replies carry customers' names: only dictionary words' analyses are kept between calls (and the
    lemmatizer keeps none), so a name is found again by analysis, not from a cache, and leaves no trace."""
    from glossaries import matching

    matcher = Matcher("es", [("Jensenplatz", False, 0), ("reembolso", False, 1), ("Plan 1000", False, 2)])
    text = "Hola Wojciechowskaya, su reembolsos del Plan 10000 y del Plan 1000 para Jensenplatz."
    first = sorted((m.start, m.end, m.payload) for m in matcher.find(text))
    assert first == sorted(((text.index("reembolsos"), text.index(" del Plan 1"), 1),
                            (text.index("Plan 1000 "), text.index(" para"), 2),
                            (text.index("Jensenplatz"), len(text) - 1, 0)))
    assert sorted((m.start, m.end, m.payload) for m in matcher.find(text)) == first
    kept = {surface for surface, _lang in matching._KNOWN_WORDS}
    assert "reembolsos" in kept
    assert not kept & {"Wojciechowskaya", "Jensenplatz", "10000", "1000"}
    assert matching.LEMMATIZER._cached_lemmatize.cache_info().currsize == 0
