"""Text checks: untranslated, empty or truncated targets, length, whitespace, doubled words, end punctuation."""

from __future__ import annotations

import re

from lqa.checks.analysis import (
    CJK_LANGS,
    COMMENT_RE,
    NO_SPACE_LANGS,
    TAG_RE,
    is_cjk_char,
)
from lqa.checks.base import Check, Finding, Segment, Severity
from tolk.languages import base

# --- language-specific data ----------------------------------------------------------------------

# Characters of target text per character of English; CJK scripts pack a word into one or two characters.
_LENGTH_FACTOR = {"zh": 0.3, "ja": 0.45, "ko": 0.5}
LATIN_LENGTH_RANGE = (0.4, 2.5)
CJK_LENGTH_RANGE = (0.25, 3.0)  # relative to the expected ratio: character counts vary more there
_MIN_LENGTH_FOR_RATIO = 20  # shorter segments ("OK", "Danke!") swing too much to judge by length


def expected_length_ratio(source_lang: str, target_lang: str) -> float:
    """Return the typical target/source length ratio in characters for a language pair."""
    return _LENGTH_FACTOR.get(base(target_lang), 1.0) / _LENGTH_FACTOR.get(
        base(source_lang), 1.0)


def default_length_ratio_range(source_lang: str, target_lang: str) -> tuple[float, float]:
    """Return the default acceptable target/source length ratio range for a language pair."""
    expected = expected_length_ratio(source_lang, target_lang)
    involves_cjk = {base(source_lang), base(target_lang)} & CJK_LANGS
    low, high = CJK_LENGTH_RANGE if involves_cjk else LATIN_LENGTH_RANGE
    return (round(low * expected, 4), round(high * expected, 4))


def _visible_length(text: str, fmt: str) -> int:
    if fmt == "html":
        text = TAG_RE.sub(" ", COMMENT_RE.sub(" ", text))
    return len(" ".join(text.split()))


_SENTENCE_END_RE = re.compile(r"[.!?。！？](?=\s|$|[\"'”’»)])|[。！？]")


def _sentence_count(text: str) -> int:
    return len(_SENTENCE_END_RE.findall(text.strip()))


_WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


class UntranslatedCheck(Check):
    """The target is a copy of the source, or is written in another language than the target locale."""

    id = "untranslated"
    name = "Untranslated"
    severity = Severity.MAJOR
    category = "accuracy/untranslated"
    min_words = 3  # "OK", "Netflix Premium": short copies are usually brand names and fine

    def run(self, segment: Segment) -> list[Finding]:
        target = segment.target.strip()
        if not target:
            return []
        if target == segment.source.strip():
            words = _WORD_RE.findall(segment.prose(segment.source))
            cjk = sum(1 for ch in segment.source if is_cjk_char(ch))
            if len(words) >= self.min_words or cjk >= 2 * self.min_words:
                return [self.finding("the target is identical to the source",
                                     spans=[(0, len(segment.target))])]
        detected = base(segment.detected_target_lang)
        if detected and detected != base(segment.target_lang):
            return [self.finding(
                f"the target reads as {segment.detected_target_lang}, not {segment.target_lang}",
                spans=[(0, len(segment.target))], detected=segment.detected_target_lang)]
        return []


class EmptyCheck(Check):
    """A non-empty source has a non-empty target."""

    id = "empty"
    name = "Empty target"
    severity = Severity.CRITICAL
    category = "accuracy/omission"

    def run(self, segment: Segment) -> list[Finding]:
        if segment.source.strip() and not segment.target.strip():
            return [self.finding("the target is empty")]
        return []


_ELLIPSIS_END_RE = re.compile(r"[^\W\d_](?:\.\.\.|…)\s*$")


class TruncatedCheck(Check):
    """The target stops early: cut off mid-word with "...", or sentences of the source are missing."""

    id = "truncated"
    name = "Truncated target"
    severity = Severity.MAJOR
    category = "accuracy/omission"
    shortfall = 0.6  # below 60% of the pair's usual length, a missing sentence is the likely cause

    def run(self, segment: Segment) -> list[Finding]:
        source, target = segment.source.strip(), segment.target.strip()
        if not source or not target:
            return []
        end = len(segment.target.rstrip())
        if _ELLIPSIS_END_RE.search(target) and not re.search(r"(?:\.\.\.|…)$", source):
            tail = len(target) - len(target.rstrip(".…"))
            return [self.finding("the target ends mid-word with an ellipsis",
                                 spans=[(end - tail, end)])]
        src_len = _visible_length(source, segment.fmt)
        if src_len < _MIN_LENGTH_FOR_RATIO:
            return []
        ratio = _visible_length(target, segment.fmt) / src_len
        short = ratio < self.shortfall * expected_length_ratio(segment.source_lang, segment.target_lang)
        src_sentences, tgt_sentences = _sentence_count(source), _sentence_count(target)
        if short and src_sentences >= 2 and tgt_sentences < src_sentences:
            return [self.finding(
                f"the source has {src_sentences} sentences, the target {tgt_sentences} and is much shorter",
                ratio=round(ratio, 3))]
        if short and _END_CLASS.get(_last_char(source)) and target[-1:].isalnum():
            return [self.finding("the target is much shorter and stops without closing punctuation",
                                 spans=[(end - 1, end)], ratio=round(ratio, 3))]
        return []


class LengthRatioCheck(Check):
    """The target's length is within the usual range for the language pair."""

    id = "length_ratio"
    name = "Length ratio"
    severity = Severity.MINOR
    category = "accuracy"

    def run(self, segment: Segment) -> list[Finding]:
        src_len = _visible_length(segment.source, segment.fmt)
        tgt_len = _visible_length(segment.target, segment.fmt)
        if src_len < _MIN_LENGTH_FOR_RATIO or tgt_len == 0:
            return []
        low, high = segment.length_ratio_range or default_length_ratio_range(
            segment.source_lang, segment.target_lang)
        ratio = tgt_len / src_len
        if low <= ratio <= high:
            return []
        side = "shorter" if ratio < low else "longer"
        return [self.finding(
            f"the target is {ratio:.2f}x the source's length, {side} than the usual {low:g}-{high:g}",
            ratio=round(ratio, 3), range=[low, high])]


class WhitespaceCheck(Check):
    """Leading and trailing whitespace match the source; no double spaces the source does not have."""

    id = "whitespace"
    name = "Whitespace"
    severity = Severity.MINOR
    category = "fluency/punctuation"

    def run(self, segment: Segment) -> list[Finding]:
        source, target = segment.source, segment.target
        if not target.strip():
            return []
        findings = []
        src_lead = source[: len(source) - len(source.lstrip())]
        tgt_lead = target[: len(target) - len(target.lstrip())]
        if src_lead != tgt_lead:
            findings.append(self.finding(f"leading whitespace {tgt_lead!r} differs from the source's {src_lead!r}",
                                         spans=[(0, len(tgt_lead))] if tgt_lead else []))
        src_trail = source[len(source.rstrip()):]
        tgt_trail = target[len(target.rstrip()):]
        if src_trail != tgt_trail:
            findings.append(self.finding(
                f"trailing whitespace {tgt_trail!r} differs from the source's {src_trail!r}",
                spans=[(len(target) - len(tgt_trail), len(target))] if tgt_trail else []))
        doubles = [m.span() for m in re.finditer(r"(?<=\S) {2,}(?=\S)", target)]
        if doubles and len(doubles) > len(re.findall(r"(?<=\S) {2,}(?=\S)", source)):
            findings.append(self.finding("double space in the target", spans=doubles))
        return findings


# Repetitions that are grammatical: "nous nous excusons", "had had", "die, die" without the comma.
_LEGITIMATE_DOUBLES = {
    "en": {"that", "had"},
    "fr": {"nous", "vous"},
    "de": {"die", "der", "das", "sie"},
    "nl": {"die", "dat"},
}
_DOUBLED_RE = re.compile(r"(?<![\w-])([^\W\d_]+)(\s+)(\1)(?![\w-])", re.I)


class DoubledWordCheck(Check):
    """The same word twice in a row ("the the"), unless the source repeats it too."""

    id = "doubled_word"
    name = "Doubled word"
    severity = Severity.MINOR
    category = "fluency/grammar"

    def run(self, segment: Segment) -> list[Finding]:
        lang = base(segment.target_lang)
        if lang in CJK_LANGS or lang in NO_SPACE_LANGS:
            return []
        allowed = _LEGITIMATE_DOUBLES.get(lang, set())
        source_doubles = {m.group(1).lower() for m in _DOUBLED_RE.finditer(segment.prose(segment.source))}
        findings = []
        for m in _DOUBLED_RE.finditer(segment.prose(segment.target)):
            word = m.group(1).lower()
            if word in allowed or word in source_doubles:
                continue
            findings.append(self.finding(f"doubled word {m.group(1)!r}", spans=[m.span(3)], word=word))
        return findings


# Which kind of sentence end a character is; CJK full-width marks are the same kinds.
_END_CLASS = {
    ".": "stop", "。": "stop", "．": "stop", "।": "stop", "۔": "stop", "။": "stop",
    "?": "question", "？": "question", "؟": "question", "\u037e": "question",
    "!": "exclamation", "！": "exclamation",
    ":": "colon", "：": "colon",
    "…": "ellipsis",
}
_CLOSERS = "\"'”’“‘»«›‹)]）」』】"  # German closes with “, Danish with «


def _last_char(text: str) -> str:
    text = text.rstrip().rstrip(_CLOSERS).rstrip()
    if text.endswith("..."):
        return "…"
    return text[-1:]


def _end_class(text: str, lang: str) -> str | None:
    char = _last_char(text)
    if char == ";" and lang == "el":  # Greek writes its question mark as a semicolon
        return "question"
    return _END_CLASS.get(char)


class EndPunctuationCheck(Check):
    """The target ends with the same kind of punctuation as the source (?, !, ., :)."""

    id = "end_punctuation"
    name = "End punctuation"
    severity = Severity.MINOR
    category = "fluency/punctuation"

    def run(self, segment: Segment) -> list[Finding]:
        source_lang, target_lang = base(segment.source_lang), base(segment.target_lang)
        if not segment.target.strip():
            return []
        expected = _end_class(segment.source, source_lang)
        if expected is None:
            return []
        actual = _end_class(segment.target, target_lang)
        end = len(segment.target.rstrip())
        span = [(end - 1, end)]
        if expected == "stop" and actual is None and target_lang in {"th", "lo"}:
            return []  # Thai and Lao end sentences with a space, not a full stop
        if target_lang == "ja" and expected == "question" and actual == "stop" and \
                segment.target.rstrip().rstrip(_CLOSERS)[-2:-1] == "か":
            return []  # a polite Japanese question ends "…ですか。"
        if actual != expected:
            wanted = {"stop": "a full stop", "question": "a question mark", "exclamation": "an exclamation mark",
                      "colon": "a colon", "ellipsis": "an ellipsis"}[expected]
            return [self.finding(f"the source ends with {wanted}, the target does not", spans=span,
                                 expected=expected, actual=actual)]
        if target_lang == "es" and expected in {"question", "exclamation"}:
            opener = "¿" if expected == "question" else "¡"
            if opener not in segment.target:
                return [self.finding(f"Spanish {expected} without an opening {opener}", spans=span,
                                     expected=expected, actual=actual)]
        return []
