"""Text protection: placeholders, URLs, customer data and glossary terms survive machine translation.

``Protector.find`` locates the spans that must not be translated (or must come back as a glossary
term); a token style then replaces each span by a token in the engine's own markup, so customer data
never leaves the process, and puts the original (or the target term) back afterwards. The token
styles are in ``machinery.tokens``; the translation memory's form of a text (customer data as numbered
tokens) is here.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

from glossaries.phrases import PhraseIndex
from machinery.names import whole_name_pattern
from machinery.pii import Customer, CustomerDetector, default_detectors
from machinery.pii_guards import CARD_GUARD, EMAIL_GUARD, IBAN_GUARD, PHONE_GUARD

PLACEHOLDER_PATTERNS = (
    r"\{\{\s*[\w.\[\]]+\s*\}\}",                                     # {{var}}
    r"\$\{[\w.]+\}",                                                  # ${var}
    r"%\([\w.]+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]",             # %(name)s
    r"%(?:\d+\$)?[-#0 +]*\d*(?:\.\d+)?[sdifuxXeEgGc@]",               # %s %d %1$s
    r"\{[A-Za-z_][\w.]*(?:![rsa])?(?::[^{}\s]*)?\}|\{\d+\}",          # {name} {0}
)
URL_PATTERN = r"\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]]"
EMAIL_PATTERN = r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"
IBAN_PATTERN = r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b"
CARD_PATTERN = r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])"
PHONE_PATTERN = r"(?<![\w+])(?:\+|00)?\(?\d[\d ().-]{6,}\d(?![\w])"
TAG_PATTERN = re.compile(r"<[^<>]+>")
#: Any token style's token, for checks that no token was left in a translation.
TOKEN_PATTERN = r"\[\[\d+\]\]|\[\[[a-z0-9_]+:\d+\]\]|<x id=\"\d+\"\s*/?>|<span translate=\"no\" class=\"tolk-\d+\">|\btolk\d+\b"


def luhn_valid(number: str) -> bool:
    """Whether a card number passes the Luhn checksum."""
    digits = [int(c) for c in number if c.isdigit()]
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_valid(value: str) -> bool:
    """Whether an IBAN passes its ISO 13616 mod-97 check."""
    s = value.replace(" ", "")
    if not 15 <= len(s) <= 34:
        return False
    rotated = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in rotated)) % 97 == 1


def _phone_valid(value: str) -> bool:
    digits = sum(c.isdigit() for c in value)
    # Dates (2024-01-15) and amounts have fewer digits or no phone-like grouping.
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return False
    return 9 <= digits <= 15 and (value.startswith(("+", "00", "(")) or re.search(r"[ ().-]", value) is not None)


def _longest_valid(value: str, valid: Callable[[str], bool]) -> str | None:
    """The longest prefix of ``value``, cut at a space or dash, that ``valid`` accepts (None if none does).

    A greedy number pattern also swallows a number that follows ("4111 1111 1111 1111 12/27", an IBAN
    then a year); the checksum then fails on the whole, but the customer data is still in there.
    """
    while not valid(value):
        cut = max(value.rfind(" "), value.rfind("-"))
        if cut <= 0:
            return None
        value = value[:cut].rstrip(" -")
    return value


@dataclass(frozen=True)
class Span:
    """A stretch of source text an engine must not translate; ``restore`` is what comes back."""

    start: int
    end: int
    kind: str
    original: str
    restore: str

    @property
    def is_pii(self) -> bool:
        return self.kind.startswith("pii:")


@dataclass(frozen=True)
class Rule:
    kind: str
    pattern: re.Pattern[str]
    valid: Callable[[str], bool] | None = None
    # Try shorter prefixes when the greedy match fails ``valid``: a card number followed by its expiry.
    shrink: bool = False
    # A cheap necessary condition of a span (machinery.pii_guards): text failing it is not searched.
    guard: Callable[[str], bool] | None = None

    def spans(self, text: str) -> Iterable[tuple[int, int]]:
        """(start, end) of each match that passes ``valid`` (shrunk to its longest valid prefix if asked)."""
        if self.guard is not None and not self.guard(text):
            return
        valid: Any = self.valid
        for m in self.pattern.finditer(text):
            value: str | None = m.group(0)
            if value and valid and self.shrink:
                value = _longest_valid(value, valid)
            elif value and valid and not valid(value):
                value = None
            if value:
                yield m.start(), m.start() + len(value)


class Detector(Protocol):
    """Finds one kind of protected span: ``kind`` ("pii:name", "url"...) and ``spans(text)``."""

    @property
    def kind(self) -> str: ...

    def spans(self, text: str) -> Iterable[tuple[int, int]]: ...


#: Where the helpdesk's known customer values rank among the default detectors (after placeholders).
_KNOWN_PRIORITY = 2 + len(PLACEHOLDER_PATTERNS)
DEFAULT_RULES: tuple[Detector, ...] = (
    Rule("url", re.compile(URL_PATTERN)),
    Rule("pii:email", re.compile(EMAIL_PATTERN), guard=EMAIL_GUARD),
    *(Rule("placeholder", re.compile(p)) for p in PLACEHOLDER_PATTERNS),
    Rule("pii:iban", re.compile(IBAN_PATTERN), iban_valid, shrink=True, guard=IBAN_GUARD),
    Rule("pii:card", re.compile(CARD_PATTERN), luhn_valid, shrink=True, guard=CARD_GUARD),
    *default_detectors()[:4],  # national IDs, IPv4, IPv6, passports: before phones, which look alike
    Rule("pii:phone", re.compile(PHONE_PATTERN), _phone_valid, guard=PHONE_GUARD),
    *default_detectors()[4:],  # dates of birth, addresses, names
)


def parse_pii_patterns(spec: str) -> list[Rule]:
    """Rules from ``name=regex;name=regex`` (the TOLK_PII_PATTERNS setting)."""
    rules = []
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        name, sep, regex = part.partition("=")
        if not sep or not name.strip() or not regex:
            raise ValueError(f"PII pattern {part!r} is not name=regex")
        try:
            rules.append(Rule(f"pii:{name.strip()}", re.compile(regex)))
        except re.error as exc:
            raise ValueError(f"PII pattern {name!r}: {exc}") from exc
    return rules


def _text_ranges(text: str, fmt: str) -> list[tuple[int, int]]:
    """Character ranges outside markup: protection never rewrites inside an HTML tag."""
    if fmt != "html":
        return [(0, len(text))]
    ranges, pos = [], 0
    for m in TAG_PATTERN.finditer(text):
        if m.start() > pos:
            ranges.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        ranges.append((pos, len(text)))
    return ranges


_TermIndex = tuple[dict[str, str], set[str], PhraseIndex]
# Compiled term indexes by the identity of the glossary's entries: a stored glossary version hands out the
# same entries mapping every time (glossaries.snapshot); compiling 10,000 terms takes about 50 ms.
_term_indexes: OrderedDict[tuple[int, tuple[str, ...]], tuple[object, _TermIndex]] = OrderedDict()
_term_lock = threading.Lock()


def _term_index(terms: Mapping[str, str] | None, keep: Iterable[str]) -> _TermIndex:
    key = (id(terms), tuple(keep))
    with _term_lock:
        found = _term_indexes.get(key)
        # The entry holds the mapping itself, so its id cannot be reused by another while it is cached.
        if found is not None and found[0] is terms:
            _term_indexes.move_to_end(key)
            return found[1]
    lowered = {k.lower(): v for k, v in (terms or {}).items()}
    kept = {k.lower() for k in key[1]}
    index = (lowered, kept, PhraseIndex([*lowered, *kept]))
    with _term_lock:
        _term_indexes[key] = (terms, index)
        while len(_term_indexes) > 16:
            _term_indexes.popitem(last=False)
    return index


#: Texts without customer data a Protector remembers (by digest).
PII_CACHE_SIZE = 16384

#: What the rules found in each text searched inside :func:`protection_scope` (None outside one).
_RULE_HITS: ContextVar[dict[tuple[object, str], list[tuple[int, str, int, int]]] | None] = ContextVar(
    "tolk_rule_hits", default=None)


@contextlib.contextmanager
def protection_scope() -> Iterator[None]:
    """Within the block each text is searched by the rules once: a reply's text is searched for its memory
    lookup, its engine call and again for customer data, each time with the same result. What was found is
    forgotten when the block ends, so no customer's text outlives it."""
    token = _RULE_HITS.set({})
    try:
        yield
    finally:
        _RULE_HITS.reset(token)


class Protector:
    """Finds the spans of a text that must survive translation unchanged (or as a glossary term)."""

    def __init__(self, extra_rules: Iterable[Detector] = ()):
        self.rules: tuple[Detector, ...] = (*DEFAULT_RULES, *extra_rules)
        # Digests of the texts in which find_pii (without a known customer) found nothing: an import repeats
        # segments (one source per target language). Only digests, and only of texts without customer data,
        # so nothing a customer wrote stays in memory.
        self._pii_free: OrderedDict[bytes, None] = OrderedDict()
        self._pii_lock = threading.Lock()

    def find(self, text: str, fmt: str = "text", *, terms: Mapping[str, str] | None = None,
             keep: Iterable[str] = (), customer: Customer | None = None) -> list[Span]:
        """Non-overlapping spans, earliest first; data rules win over terms, longer over shorter.

        ``customer`` adds the values the helpdesk knows (name, e-mail, phone, address), masked exactly.
        """
        candidates: list[tuple[int, int, int, Span]] = []
        known = CustomerDetector(customer) if customer else None
        lowered, kept, pattern = _term_index(terms, keep)
        for lo, hi in _text_ranges(text, fmt):
            chunk = text[lo:hi]
            for priority, kind, start, end in self._rule_hits(chunk):
                value = chunk[start:end]
                span = Span(lo + start, lo + end, kind, value, value)
                candidates.append((priority, -len(value), span.start, span))
            if known is not None:
                for kind, start, end in known.spans(chunk):
                    value = chunk[start:end]
                    span = Span(lo + start, lo + end, kind, value, value)
                    candidates.append((_KNOWN_PRIORITY, -len(value), span.start, span))
            if pattern:
                for start, end, key in pattern.find(chunk):
                    value = chunk[start:end]
                    restore = value if key in kept else lowered[key]
                    kind = "keep" if key in kept else "term"
                    span = Span(lo + start, lo + end, kind, value, restore)
                    candidates.append((len(self.rules), -(end - start), span.start, span))
        taken: list[Span] = []
        for _p, _l, _s, span in sorted(candidates, key=lambda c: (c[0], c[1], c[2])):
            if all(span.end <= t.start or span.start >= t.end for t in taken):
                taken.append(span)
        return sorted(taken, key=lambda s: s.start)

    def find_pii(self, text: str, fmt: str = "text", *, customer: Customer | None = None) -> list[Span]:
        """Only the customer-data spans of ``text``."""
        if customer is not None:
            return [s for s in self.find(text, fmt, customer=customer) if s.is_pii]
        key = hashlib.blake2b(f"{fmt}\x00{text}".encode(errors="surrogatepass"), digest_size=16).digest()
        with self._pii_lock:
            if key in self._pii_free:
                self._pii_free.move_to_end(key)
                return []
        # Other spans only ever take text from customer data: when no customer-data rule fires, there is none.
        if fmt == "text" and not self._any_pii_rule_fires(text):
            found: list[Span] = []
        else:
            found = [s for s in self.find(text, fmt) if s.is_pii]
        if not found:
            with self._pii_lock:
                self._pii_free[key] = None
                if len(self._pii_free) > PII_CACHE_SIZE:
                    self._pii_free.popitem(last=False)
        return found

    def _rule_hits(self, chunk: str) -> list[tuple[int, str, int, int]]:
        """(priority, kind, start, end) of every rule's span in ``chunk``, found once per protection scope."""
        memo = _RULE_HITS.get()
        if memo is not None and (found := memo.get((self, chunk))) is not None:
            return found
        found = [(priority, rule.kind, start, end) for priority, rule in enumerate(self.rules)
                 for start, end in rule.spans(chunk)]
        if memo is not None:
            memo[(self, chunk)] = found
        return found

    def _any_pii_rule_fires(self, text: str) -> bool:
        if _RULE_HITS.get() is not None:  # in a scope: all the rules now, as the engine call will need them
            return any(kind.startswith("pii:") for _p, kind, _s, _e in self._rule_hits(text))
        return any(True for rule in self.rules if rule.kind.startswith("pii:") for _span in rule.spans(text))


# --- the translation memory's form of a text: customer data as numbered tokens ---------------------------

#: A customer-data token in a translation-memory segment: ``[[email:1]]``, ``[[name:2]]``.
MEMORY_TOKEN = re.compile(r"\[\[([a-z0-9_]+):(\d+)\]\]")


def memory_token(span: Span, n: int) -> str:
    """The token that stands for the ``n``-th customer-data span of a segment in the memory."""
    return f"[[{span.kind.removeprefix('pii:')}:{n}]]"


def memory_form(protector: Protector, text: str, customer: Customer | None = None) -> tuple[str, list[Span]]:
    """``text`` with each customer-data span replaced by its token, and the spans in token order."""
    spans = protector.find_pii(text, customer=customer)
    out, pos = [], 0
    for n, span in enumerate(spans, start=1):
        out.append(text[pos:span.start])
        out.append(memory_token(span, n))
        pos = span.end
    out.append(text[pos:])
    return "".join(out), spans


def memory_translation(protector: Protector, target: str, spans: list[Span],
                       customer: Customer | None = None) -> str | None:
    """The translation of a segment in memory form: the source's values (a name also inflected) become the
    source's tokens. None when customer data the source does not have is left in it: such a pair is not
    stored."""
    out = target
    for n, span in enumerate(spans, start=1):
        token = memory_token(span, n)
        pattern = whole_name_pattern(span.original) if span.kind == "pii:name" else None
        if pattern is not None:
            # "Marii Kowalskiej" for "Maria Kowalska"; the token as a literal replacement string.
            out = pattern.sub(token.replace("\\", "\\\\"), out)
        out = out.replace(span.original, token)
    # Other occurrences of the same values are tokens already; anything still found is data without a token.
    if protector.find_pii(out, customer=customer):
        return None
    return out


def restore_memory_tokens(text: str, spans: list[Span]) -> tuple[str, bool]:
    """Tokens replaced by the values of ``spans`` (a later segment's own data); False if one had no value."""
    complete = True

    def value(m: re.Match[str]) -> str:
        nonlocal complete
        n = int(m.group(2))
        if 1 <= n <= len(spans) and spans[n - 1].kind.removeprefix("pii:") == m.group(1):
            return spans[n - 1].original
        complete = False
        return m.group(0)

    return MEMORY_TOKEN.sub(value, text), complete
