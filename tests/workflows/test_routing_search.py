"""The fast content-rule search decides exactly as the plain per-rule case-insensitive search did."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest

import workflows.routing as routing
from workflows.content_rules import COMPILED_RULES, CONTENT_RULES, N_
from workflows.models import Decision
from workflows.routing import RoutingInput, Turn, _quote, content_reasons, decide, reason
from workflows.rule_search import (
    DIGIT,
    UNSAFE,
    Prefilter,
    first_matches,
    lower_pattern,
    required_words,
    search_plan,
    split_alternatives,
)

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"


def reference_content_reasons(text: str, critical_terms: Sequence[str] = (), *, target: bool = False) -> list:
    """The content rules as they were searched before (frozen copy): each rule, case-insensitively."""
    reasons = []
    for name, rule in CONTENT_RULES.items():
        if target and not rule.target_side:
            continue
        m = COMPILED_RULES[name].search(text)
        if m:
            code = f"content:{'target_' if target else ''}{name}"
            message = (N_("The translation gives an amount, percentage, date or period (%(words)s)") if target
                       else rule.message)
            reasons.append(reason(code, rule.decision, message, words=_quote(m.group(0))))
    for term in critical_terms:
        if term and re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text, re.IGNORECASE):
            reasons.append(reason("content:target_locale_term" if target else "content:locale_term",
                                  Decision.NATIVE_REVIEW,
                                  N_("Contains %(words)s, which the customer's locale marks as critical"),
                                  words=_quote(term)))
    return reasons


def corpus_texts() -> list[str]:
    """Every turn of the routing sets, and the seed articles whole and line by line."""
    texts = []
    for path in sorted((ROOT / "tests" / "fixtures" / "routing").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line:
                item = json.loads(line)
                texts += [item["text"], item.get("customer_message") or ""]
                texts += [t["text"] for t in item.get("thread", [])]
    for path in sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []:
        article = path.read_text(encoding="utf-8")
        texts += [article, *article.splitlines()]
    return [t for t in texts if t]


#: The rules' own words (stems included), so generated texts fire them, nearly fire them, and mix them.
RULE_WORDS = sorted({w for rule in CONTENT_RULES.values() for w in re.findall(r"[^\W\d_]{2,}", rule.pattern)}
                    - {"w", "s", "d", "b", "W"})
ODD = ["İ", "ı", "ſ", "\u212a", "ß", "ẞ", "É", "Ü", "ñ", "Ñ", "€", "$", "£", "%", "😊", "退款", "Σ", "ς", "ǅ",
       "\u00a0", "\u2009", "٣", "١٢", "\t", "\n", "-", "–", "/", ".", ",", ":", "'", "?", "!", "(", ")"]


def generated_texts(n: int, seed: int = 19) -> list[str]:
    """Random mixtures of rule words, numbers, dates, amounts, punctuation and odd unicode, oddly cased."""
    rng = random.Random(seed)
    cases = [str, str.upper, str.title, str.capitalize,
             lambda w: "".join(c.upper() if rng.random() < 0.5 else c for c in w)]

    def piece() -> str:
        kind = rng.random()
        if kind < 0.5:
            return rng.choice(cases)(rng.choice(RULE_WORDS))
        if kind < 0.7:
            return rng.choice([str(rng.randint(0, 99)), str(rng.randint(1900, 2100)), f"{rng.randint(0, 9999)},{rng.randint(0, 99):02d}",
                               f"{rng.randint(1, 31)}.{rng.randint(1, 12)}.", f"{rng.randint(0, 23)}:{rng.randint(0, 59):02d}",
                               f"{rng.randint(1, 999)}.{rng.randint(0, 999):03d},{rng.randint(0, 99):02d}",
                               f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", f"{rng.randint(1, 12)}pm"])
        if kind < 0.85:
            return rng.choice(ODD)
        return rng.choice(["the", "your", "a", "per", "to", "on", "by", "of", "de", "my", "this", "an", "it", "we"])

    texts = []
    for _ in range(n):
        parts = [piece() for _ in range(rng.randint(1, 14))]
        texts.append("".join(p + rng.choice([" ", " ", " ", "", "  ", ", ", ". ", "\n"]) for p in parts).strip())
    return texts


def as_dicts(reasons: list) -> list[dict]:
    return [r.to_dict() for r in reasons]


@pytest.mark.parametrize("target", [False, True])
def test_same_reasons_on_the_corpora(target):
    texts = corpus_texts()
    assert len(texts) > 1000
    for text in texts:
        assert as_dicts(content_reasons(text, target=target)) == as_dicts(
            reference_content_reasons(text, target=target)), text


@pytest.mark.parametrize("target", [False, True])
def test_same_reasons_on_generated_texts(target):
    texts = generated_texts(3000)
    fired = 0
    for text in texts:
        new = as_dicts(content_reasons(text, ["Rückerstattung", "ıade"], target=target))
        assert new == as_dicts(reference_content_reasons(text, ["Rückerstattung", "ıade"], target=target)), text
        fired += bool(new)
    assert fired > len(texts) // 2  # the generator does exercise the rules


def test_same_decisions_with_thread_and_translation(monkeypatch):
    texts = corpus_texts()[:400] + generated_texts(400, seed=7)
    rng = random.Random(3)
    for text in texts:
        data = {"source_text": text, "source_lang": "en", "target_lang": "es", "channel": "email",
                "engine": "apertium", "target_text": rng.choice(texts), "customer_message": rng.choice(texts),
                "thread": [Turn("agent", rng.choice(texts))]}
        new = decide(RoutingInput(**data))
        with monkeypatch.context() as patched:  # decide with the frozen per-rule search
            patched.setattr(routing, "content_reasons", reference_content_reasons)
            old = decide(RoutingInput(**data))
        assert as_dicts(new.reasons) == as_dicts(old.reasons), text


def test_every_other_code_point_lower_cases_as_the_rules_match_it():
    """Outside ``UNSAFE``, lower-casing keeps length, \\w/\\s/\\d and the case-insensitive equivalences."""
    alphabet = sorted({c for rule in CONTENT_RULES.values()  # the literal characters, escapes (\\W) left out
                       for c in re.sub(r"\\[a-zA-Z]", "", lower_pattern(rule.pattern))})
    assert all(len(c.lower()) == 1 and c.lower() == c for c in alphabet if c.isalpha())
    in_alphabet = re.compile("[" + "".join(re.escape(c) for c in alphabet) + "]", re.IGNORECASE)
    letters = set(alphabet)

    def classes(c: str) -> tuple[bool, bool, bool]:
        return bool(re.match(r"\w", c)), bool(re.match(r"\s", c)), bool(re.match(r"\d", c))

    unsafe = []
    for point in range(0x110000):
        c = chr(point)
        low = c.lower()
        if len(low) != 1 or classes(c) != classes(low):
            unsafe.append(c)
        elif in_alphabet.fullmatch(c):
            if {a for a in alphabet if re.fullmatch(re.escape(a), c, re.IGNORECASE)} != {low}:
                unsafe.append(c)
        elif low in letters:
            unsafe.append(c)
    assert unsafe and all(UNSAFE.fullmatch(c) for c in unsafe)


def test_unsafe_characters_are_searched_with_the_original_patterns():
    assert first_matches("Your prıce went up", ["money"]) == {"money": "prıce"}
    assert first_matches("PLEAſE CANCEL", ["cancellation"]) == {"cancellation": "CANCEL"}
    assert first_matches("İD card attached", ["personal_data"]) == {"personal_data": "İD card"}


def test_quoted_words_keep_the_text_s_own_case():
    assert first_matches("We REFUNDED 20 EUR", ["money", "amount"]) == {"money": "REFUNDED", "amount": "20 EUR"}
    assert set(search_plan().rules) == set(COMPILED_RULES)


def test_rules_use_only_escapes_that_lower_casing_keeps():
    """An escape spelling a letter (``\\x41``, ``\\u00C9``, ``\\N{...}``) would stay upper-case in the
    lower-cased rule and miss the lower-cased text: a rule may escape only classes, anchors and punctuation."""
    escapes = {m for rule in CONTENT_RULES.values() for m in re.findall(r"\\.", rule.pattern, re.DOTALL)}
    assert all(e[1] in "bBdDsSwW" or not e[1].isalnum() for e in escapes), escapes


def test_lower_pattern_keeps_escapes():
    assert lower_pattern(r"\W+EUR\d|[A-Z]\b") == r"\W+eur\d|[a-z]\b"


def test_prefilter_lets_through_every_rule_that_matches_and_skips_most_others():
    texts = [t.lower() for t in corpus_texts() + generated_texts(2000, seed=11) if not UNSAFE.search(t)]
    plan = search_plan()
    tried = 0
    for folded in texts:
        maybe = plan.prefilter.rules(folded)
        tried += len(maybe)
        for i, (name, part) in enumerate(plan.parts):
            if plan.search(i, folded):
                assert i in maybe, (name, part, folded)
    assert not plan.prefilter.always  # every part of every rule has words to look for
    assert tried < len(texts) * len(plan.parts) * 0.1


@pytest.mark.parametrize("pattern, words", [
    (r"\brefund\w*|money(?: back)?", {"refund", "money"}),
    (r"colou?r", {"color", "colour"}),
    (r"(?:a|b)(?:c|d)", {"ac", "ad", "bc", "bd"}),
    (r"(?:ab){2}", {"abab"}),
    (r"pay|payment|repay", {"pay"}),
    (r"(?:pay|paid)(?= you)", {"pay", "paid"}),
    (r"(?<!it )charged?s?\b", {"charge"}),
    (r"\d+\s?(?:years?|h)\b", {DIGIT}),
    (r"\w+\s(?:euros?|quid)\b", {"euro", "quid"}),
    (r"\bstop (?:the|your) (?:order|line)\b",
     {"stop the order", "stop the line", "stop your order", "stop your line"}),
    (r"x*", None),
    (r"\w+", None),
    (r"cat|\w+", None),
    (r"[^a]bc?", {"b"}),
    (r"(?i)refund", None),
    (r"(?:do|did)(?:n't)?", {"do", "did"}),
])
def test_required_words_read_off_a_pattern(pattern, words):
    assert required_words(pattern) == (None if words is None else frozenset(words))


def _random_pattern(rng: random.Random, depth: int = 0) -> str:
    atoms = ["a", "b", "c", " ", "1", "ab", "ba", "[ab]", "[^a]", r"\d", r"\w", r"\s", ".", r"\b", "(?=a)",
             "(?!b)", "(?<=a)", "(?<!c)", "^", "$"]
    parts = []
    for _ in range(rng.randint(1, 4)):
        if depth < 2 and rng.random() < 0.3:  # a group repeats at most twice: no runaway backtracking
            alts = [_random_pattern(rng, depth + 1) for _ in range(rng.randint(1, 3))]
            atom = "(?:" + "|".join(alts) + ")" + rng.choice(["", "", "?", "{2}", "??"])
        else:
            atom = rng.choice(atoms)
            if not atom.startswith(("(?=", "(?!", "(?<", "^", "$", r"\b")):
                atom += rng.choice(["", "", "", "?", "*", "+", "{2}", "{1,3}", "{0,2}", "*?", "+?", "{2,}"])
        parts.append(atom)
    return "".join(parts)


def test_required_words_hold_for_random_patterns_and_texts():
    """Soundness: whatever a pattern matches contains one of its required words."""
    rng = random.Random(5)
    checked = 0
    for _ in range(1500):
        pattern = _random_pattern(rng)
        words = required_words(pattern)
        if words is None:
            continue
        compiled = re.compile(pattern)
        for _ in range(30):
            text = "".join(rng.choice("aabbc 1x") for _ in range(rng.randint(0, 12)))
            m = compiled.search(text)
            if m:
                checked += 1
                found = m.group(0)
                assert any(re.search(r"\d", found) if w == DIGIT else w in found for w in words), (pattern, text)
    assert checked > 2000


def test_prefilter_finds_overlapping_and_prefixed_words():
    prefilter = Prefilter({"r1": frozenset({"ab"}), "r2": frozenset({"bc"}), "r3": frozenset({"abc"}),
                           "r4": frozenset({DIGIT, "911"}), "r5": None})
    assert prefilter.rules("xabcx") == {"r1", "r2", "r3", "r5"}
    assert prefilter.rules("xbcx") == {"r2", "r5"}
    assert prefilter.rules("call 9") == {"r4", "r5"}
    assert prefilter.rules("x") == {"r5"}


@pytest.mark.parametrize("pattern, parts", [
    (r"a|b(?:c|d)|[|]", ["a", "b(?:c|d)", "[|]"]),
    (r"\b(?:refund\w*|pa(?:y|id))\b", [r"\b(?:refund\w*)\b", r"\b(?:pa(?:y|id))\b"]),
    (r"(?<![\d.,])(?:a|[)|]b)(?! ago)", [r"(?<![\d.,])(?:a)(?! ago)", r"(?<![\d.,])(?:[)|]b)(?! ago)"]),
    (r"x(?:a|b)", [r"x(?:a|b)"]),  # 'x' consumes: not split
    (r"(?:a|b)+c", [r"(?:a|b)+c"]),  # a repeated group: not split
    (r"(a|b)", [r"(a|b)"]),  # a capturing group: not split
    (r"[]|]|\|", [r"[]|]", r"\|"]),
])
def test_split_alternatives(pattern, parts):
    assert split_alternatives(pattern) == parts


def test_every_rule_is_split_into_parts_that_compile():
    plan = search_plan()
    parts = Counter(name for name, _ in plan.parts)
    assert list(parts) == list(plan.rules) and min(parts.values()) > 1
    assert all(re.compile(part) for _, part in plan.parts)


def test_first_matches_keeps_the_order_asked_and_the_earliest_alternative():
    assert list(first_matches("On 3 May we refunded 20 euros", ["money", "date", "amount"])) == [
        "money", "date", "amount"]
    # 'payment' (an earlier alternative) and 'refund' (later) both match; the earlier in the text wins
    assert first_matches("refund of the payment", ["money"]) == {"money": "refund"}
    assert first_matches("payment refund", ["money"]) == {"money": "payment"}
