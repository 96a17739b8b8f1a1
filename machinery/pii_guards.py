"""Fast pre-filters for the customer-data detectors (``machinery.pii``): cheap necessary conditions.

Running every detector's regular expression over every segment is what a 200,000-unit TMX import spends
most of its time on, and nearly all segments hold no customer data. Each guard here is a necessary
condition of its detector, derived from the pattern by hand: literal words the pattern cannot match
without (substring tests run in C), and short structural patterns. A guard may let through text that
holds nothing (the detector then decides); it must never turn away text the detector would match. Change
a detector's pattern, change its guard: tests/machinery/test_pii_guards.py checks both agree.
"""

from __future__ import annotations

import re

_DIGIT = re.compile(r"\d")
# re.IGNORECASE also matches these to ASCII letters, which str.lower() does not map to them.
_IGNORECASE_EXTRA = str.maketrans({"İ": "i", "ı": "i", "ſ": "s"})


_last_folded = ("", "")


def folded(text: str) -> str:
    """``text`` lower-cased as re.IGNORECASE compares letters: a keyword matched case-insensitively is in it.
    The guards of one text ask in turn, so the last answer is kept."""
    global _last_folded  # noqa: PLW0603 - a one-entry memo; a tuple is replaced whole, safe across threads
    last = _last_folded
    if last[0] is text:
        return last[1]
    lowered = text.lower() if text.isascii() else text.translate(_IGNORECASE_EXTRA).lower()
    _last_folded = (text, lowered)
    return lowered


def any_word_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern that finds any of ``words``, as a trie (``C(?:alle|amino|t)``): Python's ``re`` tries the
    alternatives of a flat alternation one by one at each position, a trie only those sharing the first
    letters (about twice as fast on the address and name words). Only whether a word occurs matters, so a
    word that extends a shorter one is left out."""
    if not words:
        return None
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return re.compile(_alternation(trie))


def _alternation(node: dict[str, dict]) -> str:
    if "" in node:  # a word ends here: whatever follows is not needed
        return ""
    branches = [re.escape(char) + _alternation(child) for char, child in sorted(node.items())]
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


class Guard:
    """Passes text with at least ``digits`` digits (``\\d``) and one of ``words`` (or of ``folded_words``,
    compared case-insensitively, or a match of ``pattern``); with no words or pattern, the digits are enough."""

    def __init__(self, *, digits: int = 0, words: tuple[str, ...] = (), folded_words: tuple[str, ...] = (),
                 pattern: re.Pattern[str] | None = None) -> None:
        self.digits, self.words, self.folded_words, self.pattern = digits, words, folded_words, pattern
        self._words = any_word_pattern(words)
        self._folded_words = any_word_pattern(tuple(w.lower() for w in folded_words))
        self._any = not (words or folded_words or pattern)

    def __call__(self, text: str) -> bool:
        if self.digits == 1 and _DIGIT.search(text) is None:
            return False
        # \\d is a Unicode decimal digit, as str.isdecimal says
        if self.digits > 1 and sum(map(str.isdecimal, text)) < self.digits:
            return False
        if self._any:
            return True
        if self._words is not None and self._words.search(text) is not None:
            return True
        if self._folded_words is not None and self._folded_words.search(folded(text)) is not None:
            return True
        return self.pattern is not None and self.pattern.search(text) is not None


# E-mail: an "@"; IBAN: a country code and its check digits; a phone number has 9 digits, a card 13.
EMAIL_GUARD = Guard(words=("@",))
IBAN_GUARD = Guard(pattern=re.compile(r"[A-Z]{2}\d{2}"))
PHONE_GUARD = Guard(digits=9)
CARD_GUARD = Guard(digits=13)
# Every national ID form has seven digits in a row; an IPv4 address a digit, a dot, a digit; IPv6 a colon.
NATIONAL_ID_GUARD = Guard(pattern=re.compile(r"\d{7}"))
IPV4_GUARD = Guard(pattern=re.compile(r"\d\.\d"))
IPV6_GUARD = Guard(words=(":",))
# "passport" in each seed language starts with "pas" (or is 護照); the number has a digit.
PASSPORT_GUARD = Guard(digits=1, folded_words=("pas", "護照"))
BIRTH_DATE_GUARD = Guard(digits=1, folded_words=(
    "birth", "dob", "born", "nacimiento", "nacid", "geboorte", "geboren", "urodz", "ur.", "sünni", "sündinud",
    "出生", "生日"))
# Addresses: a street word of one of the patterns, or a number followed by a postcode's letters or a city.
ADDRESS_GUARD = Guard(
    digits=1,
    words=(
        # en street types (case-sensitive in the pattern)
        "St", "Road", "Rd", "Av", "Lane", "Ln", "Dr", "Way", "Close", "Court", "Ct", "Pl", "Square", "Boulevard",
        "Blvd", "Terrace", "Gardens", "Crescent", "Row",
        # es
        "Calle", "Plaza", "Pza.", "Paseo", "Pº", "Camino", "Carretera", "Ronda", "Travesía", "Rambla", "Glorieta",
        "C/",
        # nl
        "straat", "laan", "weg", "plein", "gracht", "kade", "singel", "dijk", "hof", "pad", "steeg", "dreef",
        "markt", "plantsoen", "Laan", "Plein", "Burgemeester", "Koningin", "Prins",
        # pl
        "ul.", "ulica", "al.", "aleja", "pl.", "plac", "os.", "osiedle",
        # et
        "tn", "tänav", "mnt", "pst", "puiestee", "põik", "tee", "väljak", "allee",
    ),
    # UK and Dutch postcodes ("6XE", "1012 PH"), a postcode then its city ("00-950 Warszawa"), 號 (zh-Hant)
    pattern=re.compile(r"\d(?:\s?[A-Z]{2}|\s+[A-ZÁÉÍÓÚÑÀÈÌÒÙÇÄÖÜÕŁŚŻŹĆŃ]|號)"),
)
# Names: a greeting or introduction (any case), a title, a sign-off (a line break follows it), or zh-Hant.
NAME_GUARD = Guard(
    words=("\n", "Mr", "Ms", "Miss", "Dr", "Mx", "heer", "mevrouw", "meneer", "mevr.", "dhr.", "Pan", "pan",
           "härra", "proua", "pr.", "señor", "Sr.", "Sra.", "Srta.", "don", "doña", "D.",
           "我叫", "我的", "我是", "本人", "先生", "小姐", "女士", "太太"),
    folded_words=("dear", "hi", "hello", "hey", "good", "beste", "geachte", "hallo", "hoi", "dag", "szanown",
                  "drog", "witaj", "witam", "cześć", "dzień", "tere", "hea", "lugupeetud", "armas", "estimad",
                  "querid", "hola", "buenos", "buenas", "apreciad",
                  "name", "called", "llamo", "nombre", "nazywam", "imię", "naam", "heet", "nimi", "olen"),
)
