"""The fast pre-filters of the customer-data detectors (``machinery.pii_guards``) change nothing that is found:
guarded and unguarded detectors, and ``Protector.find_pii`` with its gate and cache against the full search,
agree on the PII corpus, on tricky texts (case folding, Unicode digits, line breaks) and on random mixtures
of them; and the pre-filters do spare the work on text without customer data."""

from __future__ import annotations

import random

import pytest

from machinery.pii import GuardedDetector, PatternDetector, default_detectors, without_guards
from machinery.pii_guards import (
    ADDRESS_GUARD,
    BIRTH_DATE_GUARD,
    NAME_GUARD,
    PASSPORT_GUARD,
    any_word_pattern,
    folded,
)
from machinery.protection import Protector, Rule, Span
from tests.machinery.pii_corpus import HARD_PII_FREE, PII_FREE, WITH_DATA

TRICKY = [
    # re.IGNORECASE matches "İ" and "ı" to "i" and "ſ" to "s"; str.lower() alone would not
    "Your bİrth date: 12.03.1985", "DATE OF BIRTH 4 July 1979", "PAſSPORT NUMBER X1234567", "Paſaporte 123456A",
    "dob 1985-03-12", "Born on the 3rd May, 1990", "urodzona 14.05.1944", "ur. 14.05.1944", "SÜNNIAEG: 03.05.1976",
    # Unicode digits are \d too
    "PESEL ４４０５１４０１３５９", "order ١٢٣٤٥٦٧٨٩٠١ is late", "call +34 ６１２ ３４５ ６７８",
    "IBAN ES91 2100 0418 4502 0005 1332", "card 4111 1111 1111 1111 12/27", "mail ANA.Lopez@Example.COM today",
    "IP ::ffff:192.0.2.128 and fe80::1", "10.0.0.17", "v1.2.3.4 released",
    # addresses of every pattern, also in the wrong case
    "221B Baker Street", "221b baker street", "10 Downing St.", "London SW1A 2AA", "GIR 0AA", "1012 PH Amsterdam",
    "Laan van Meerdervoort 12a", "ul. Marszałkowska 10/12", "al. Jerozolimskie 44", "00-950 Warszawa",
    "Narva mnt 7", "Pikk tn 12-3", "10115 Tallinn", "C/ de Alcalá, 42, 3º B", "Avda. de la Constitución 12",
    "臺北市信義區信義路五段7號89樓", "12345 Items shipped", "Pº de Gracia 5",
    # names: greetings, titles, introductions, sign-offs, zh-Hant
    "DEAR MARIA,", "hello Jan!", "Mr O'Neil called", "MY NAME IS Peter Smith", "mijn naam is Eva",
    "Kind regards,\nSarah Miller", "KIND REGARDS,\nSarah", "Met vriendelijke groet,\r\nJan", "我叫林美玲。",
    "林小姐您好", "señora López", "Sr. Gómez", "pani Annie Nowak", "D.ª Carmen",
    # none of it
    "", " ", "\n", "Please check the refund in the app.", "Su reembolso (123) está listo.", "The order 12345 is ready.",
]


def unguarded(protector: Protector) -> Protector:
    """``protector`` with every guard taken off its detectors and rules."""
    protector.rules = without_guards(protector.rules)
    return protector


def corpus() -> list[str]:
    texts = [t for _lang, t, _data in WITH_DATA] + [t for _lang, t in PII_FREE]
    texts += HARD_PII_FREE
    return texts + TRICKY


def mixtures(count: int, seed: int = 16) -> list[str]:
    """Texts spliced from pieces of the corpus, so a keyword meets a number it was never written beside."""
    rng = random.Random(seed)
    pieces = [p for text in corpus() for p in text.replace("\n", " \n ").split(" ") if p] + ["\n", ",", ":"]
    return [" ".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))) for _ in range(count)]


def full_pii(protector: Protector, text: str) -> list[Span]:
    return [s for s in protector.find(text) if s.is_pii]


@pytest.mark.parametrize("text", corpus())
def test_each_guarded_detector_finds_what_the_unguarded_one_does(text: str) -> None:
    for guarded, plain in zip(default_detectors(), default_detectors(guarded=False), strict=True):
        assert list(guarded.spans(text)) == list(plain.spans(text)), (guarded.kind, text)


def test_find_pii_agrees_with_the_full_search_on_the_corpus_and_random_mixtures() -> None:
    fast, slow = Protector(), unguarded(Protector())
    texts = corpus() + mixtures(3000)
    for text in texts:
        assert fast.find_pii(text) == full_pii(slow, text), text
    # and again, answered from the cache
    for text in texts[:200]:
        assert fast.find_pii(text) == full_pii(slow, text), text


def test_the_corpus_holds_data_the_guards_let_through() -> None:
    # the agreement above is not vacuous: the guarded detectors find every kind in the corpus
    kinds = {s.kind for text in corpus() for s in Protector().find_pii(text)}
    assert {"pii:name", "pii:address", "pii:birth_date", "pii:passport", "pii:national_id", "pii:ip", "pii:email",
            "pii:phone", "pii:iban", "pii:card"} <= kinds


def test_folded_matches_ignorecase_letters() -> None:
    assert folded("BİRTH") == "birth"
    assert folded("PAſSPORT") == "passport"
    assert folded("Sünniaeg") == "sünniaeg"
    assert BIRTH_DATE_GUARD("bİrthday 12.03.1985") and PASSPORT_GUARD("Paſsport 123456")


@pytest.mark.parametrize("text", ["Please check the refund in the app.", "The refund for order 123 is ready.",
                                  "Su reembolso (123) está listo.", "Votre colis (12345) est prêt."])
def test_guards_turn_away_plain_support_sentences(text: str) -> None:
    assert not ADDRESS_GUARD(text)
    assert not BIRTH_DATE_GUARD(text)
    assert not PASSPORT_GUARD(text)
    assert not NAME_GUARD(text)


class Counting:
    """A detector that finds nothing and counts how often it is asked."""

    def __init__(self, kind: str) -> None:
        self.kind, self.calls = kind, 0

    def spans(self, text: str) -> list[tuple[int, int]]:
        self.calls += 1
        return []


def test_find_pii_skips_the_other_rules_when_no_customer_data_rule_fires() -> None:
    other = Counting("url")
    protector = Protector(extra_rules=[other])
    assert protector.find_pii("Please check the refund in the app.") == []
    assert other.calls == 0
    assert [s.original for s in protector.find_pii("Write to ana@example.com")] == ["ana@example.com"]
    assert other.calls == 1


def test_find_pii_remembers_texts_without_customer_data_only() -> None:
    counting = Counting("pii:custom")
    protector = Protector(extra_rules=[counting])
    assert protector.find_pii("Your parcel is on its way.") == []
    assert counting.calls == 1
    assert protector.find_pii("Your parcel is on its way.") == []
    assert counting.calls == 1  # answered from the digest of a text without customer data
    first = protector.find_pii("Dear Maria,\nyour parcel is on its way.")
    assert [s.original for s in first] == ["Maria"]
    calls = counting.calls
    assert protector.find_pii("Dear Maria,\nyour parcel is on its way.") == first
    assert counting.calls == calls + 1  # customer data is searched again, never kept


def test_without_guards_takes_off_every_guard_of_detectors_and_rules() -> None:
    guarded = Protector().rules
    assert any(isinstance(r, Rule) and r.guard is not None for r in guarded)
    assert any(isinstance(r, GuardedDetector) for r in guarded)
    bare = without_guards(guarded)
    assert len(bare) == len(guarded)
    assert not any(isinstance(r, GuardedDetector) for r in bare)
    assert all(getattr(r, "guard", None) is None for r in bare)
    assert [r.kind for r in bare] == [r.kind for r in guarded]
    # a copy: the rules it was given keep their guards
    assert any(isinstance(r, PatternDetector) and r.guard is not None for r in guarded)
    plain = default_detectors(guarded=False)
    assert [(type(d), d.kind) for d in without_guards(plain)] == [(type(d), d.kind) for d in plain]


def test_a_guards_word_pattern_finds_text_exactly_when_one_of_its_words_is_in_it() -> None:
    # the words are compiled as a trie, with words that extend a shorter one left out
    words = ADDRESS_GUARD.words + NAME_GUARD.words + ("ab", "abc", "abd", "b.", "x")
    pattern = any_word_pattern(words)
    assert pattern is not None
    rng = random.Random(16)
    alphabet = "abcdx. StraeLnhöPlC/\n先生" + "".join(words)
    for text in corpus() + ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(3000)]:
        assert (pattern.search(text) is not None) == any(w in text for w in words), text
