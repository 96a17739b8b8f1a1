"""Many literal phrases found at once, as whole words and ignoring case: a table of folded phrases.

It finds what ``re.compile(r"(?<!\\w)(?:longest|...|short)(?!\\w)", re.IGNORECASE).finditer`` finds, the
longest phrase at each word start, left to right without overlaps, but its cost grows with the text, not
with the number of phrases: a 10,000-term alternation cost tens of milliseconds per segment to scan. The
phrases are kept in one dict by their case-folded form (a character trie of dicts took a second to build at
10,000 terms, in the first request after a glossary changed); ``find`` looks up, at each word start, the
stretches that end at a word boundary and have the length of some phrase, longest first.
"""

from __future__ import annotations

from collections.abc import Iterable


def _fold_char(ch: str) -> str:
    low = ch.lower()
    return low if len(low) == 1 else ch


def fold(text: str) -> str:
    """``text`` lower-cased character by character, the same length (as ``re.IGNORECASE`` compares)."""
    if text.isascii():
        return text.lower()
    # str.lower() is not per character (a final sigma; "İ" becomes two characters).
    return "".join(map(_fold_char, text))


def _word(ch: str) -> bool:
    """What the regular expression ``\\w`` matches in a str pattern."""
    return ch.isalnum() or ch == "_"


class PhraseIndex:
    """Phrases compiled once; ``find(text)`` gives (start, end, phrase as given) for each occurrence."""

    def __init__(self, phrases: Iterable[str]):
        self._phrases: dict[str, str] = {}
        for phrase in phrases:
            if phrase.strip():
                self._phrases.setdefault(fold(phrase), phrase)
        self.size = len(self._phrases)
        # Phrase lengths, longest first: the only ends worth looking up from a word start.
        self._lengths = sorted({len(p) for p in self._phrases}, reverse=True)

    def __bool__(self) -> bool:
        return self.size > 0

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Non-overlapping whole-word occurrences, longest first at each start, in text order."""
        found: list[tuple[int, int, str]] = []
        if not self._phrases:
            return found
        folded, phrases, lengths = fold(text), self._phrases, self._lengths
        n, start = len(text), 0
        while start < n:
            if start == 0 or not _word(text[start - 1]):
                for length in lengths:
                    end = start + length
                    if end > n or (end < n and _word(text[end])):
                        continue
                    phrase = phrases.get(folded[start:end])
                    if phrase is not None:
                        found.append((start, end, phrase))
                        start = end
                        break
                else:
                    start += 1
                continue
            start += 1
        return found
