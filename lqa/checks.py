"""Automatic QA checks: small classes that each look at one segment and return findings with severities.

Extension point: a check is a subclass of ``Check`` with an ``id``, a ``name``, a default ``severity``,
the MQM ``category`` its findings map to, and ``run(segment) -> list[Finding]``. Register it in
``CHECKS`` (``register`` does that) and ``run_checks`` will run it; a locale profile turns checks off or
changes their severity with a ``CheckConfig``. Checks never call services: whatever needs a glossary,
a language detector or the masking format is computed by the caller and passed in on the ``Segment``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from typing import Any, ClassVar, Literal

from babel import Locale, UnknownLocaleError
from babel.numbers import get_decimal_symbol

from lqa.register import FORMAL, INFORMAL, address_forms


class Severity(StrEnum):
    """How bad a finding or an MQM error is; ordered, so ``severity >= Severity.MAJOR`` reads naturally."""

    NEUTRAL = "neutral"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """Position on the scale, neutral 0 to critical 3."""
        return _SEVERITY_RANK[self]

    # str already defines the comparisons (alphabetical), so all four must be replaced.
    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank

    @classmethod
    def parse(cls, value: str | Severity) -> Severity:
        """Return the severity named by ``value`` (case-insensitive), or raise ValueError naming it."""
        if isinstance(value, Severity):
            return value
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            known = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {value!r}; expected one of {known}") from None


_SEVERITY_RANK = {Severity.NEUTRAL: 0, Severity.MINOR: 1, Severity.MAJOR: 2, Severity.CRITICAL: 3}

TermKind = Literal["translate", "do_not_translate", "forbidden"]


@dataclass(frozen=True)
class TermExpectation:
    """A termbase entry that applies to the segment, with the glossary's verdict already computed.

    ``satisfied`` is False when the expected term is missing (``translate``), the source term was
    translated although it must stay as is (``do_not_translate``), or a forbidden term is present
    (``forbidden``; ``target_span`` then points at it).
    """

    source_term: str
    expected: tuple[str, ...]
    kind: TermKind
    satisfied: bool
    source_span: tuple[int, int] | None = None
    target_span: tuple[int, int] | None = None


@dataclass
class Segment:
    """One source/target pair to check, with whatever context the caller could supply."""

    source: str
    target: str
    source_lang: str
    target_lang: str
    fmt: str = "text"
    terms: list[TermExpectation] = field(default_factory=list)
    pii_token_pattern: str | None = None
    detected_target_lang: str | None = None
    length_ratio_range: tuple[float, float] | None = None
    formality: str | None = None  # the locale profile's register: formal | informal | default (None)

    def __post_init__(self) -> None:
        if self.fmt not in ("text", "html"):
            raise ValueError(f"unknown segment format {self.fmt!r}; expected 'text' or 'html'")


@dataclass
class Finding:
    """One problem a check found; spans are character offsets into the target (empty for an absence)."""

    check: str
    severity: Severity
    message: str
    spans: list[tuple[int, int]] = field(default_factory=list)
    source_spans: list[tuple[int, int]] = field(default_factory=list)
    category: str = "other"
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "check": self.check,
            "severity": self.severity.value,
            "message": self.message,
            "spans": [list(s) for s in self.spans],
            "source_spans": [list(s) for s in self.source_spans],
            "category": self.category,
            "data": self.data,
        }


class Check:
    """Base of every check: subclasses set the class attributes and implement ``run``."""

    id: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    category: ClassVar[str] = "other"  # the MQM category a reviewer would file this under

    def run(self, segment: Segment) -> list[Finding]:
        """Return the problems found in the segment; an empty list when it passes."""
        raise NotImplementedError

    def finding(self, message: str, *, spans: Iterable[tuple[int, int]] = (),
                source_spans: Iterable[tuple[int, int]] = (), severity: Severity | None = None,
                **data: Any) -> Finding:
        """Build a finding of this check at its default severity; extra keywords go to ``data``."""
        return Finding(check=self.id, severity=severity or self.severity, message=message,
                       spans=list(spans), source_spans=list(source_spans), category=self.category,
                       data=data)


CHECKS: dict[str, type[Check]] = {}


def register(cls: type[Check]) -> type[Check]:
    """Class decorator that adds a check to ``CHECKS`` under its id."""
    if cls.id in CHECKS:
        raise ValueError(f"check id {cls.id!r} is already registered")
    CHECKS[cls.id] = cls
    return cls


# --- shared text analysis ------------------------------------------------------------------------

_PLACEHOLDER_RE = re.compile(
    r"\{\{\s*[^{}\s]+(?:\s*\|[^{}]*)?\s*\}\}"          # {{ var }} / {{ var|filter }} (Jinja, Handlebars)
    r"|\$\{[^{}\s]+\}"                                 # ${var}
    r"|\{[A-Za-z0-9_.\[\]]*(?:![rsa])?(?::[^{}]*)?\}"  # {name} {0} {} {x:.2f} (str.format, ICU-ish)
    r"|%(?:\([A-Za-z0-9_]+\)|\d+\$)?[-+#0]*\d*(?:\.\d+)?[sdifFeEgGxXoucr]"  # %s %d %(x)s %1$s
)
# A space flag (``% d``) is left out on purpose: "50 % de réduction" is prose, not a format string.
_TAG_RE = re.compile(r"<(/?)([A-Za-z][\w:.-]*)((?:\s+[^<>]*?)?)\s*(/?)>")
_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
_ENTITY_RE = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")
_URL_RE = re.compile(r"(?:https?://|ftp://|www\.)[^\s<>\"'\u3000]+", re.I)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL_TRAILING = ".,;:!?)]}'\"»”’。，！？"
_VOID_TAGS = frozenset(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                        "source", "track", "wbr"])

# Integer part with optional thousands groups (comma, dot, space, narrow/no-break space, apostrophe),
# then an optional decimal part. Signs are ignored: "5-10" is a range far more often than a negative.
_NUMBER_RE = re.compile(
    r"(?<![\d.,])(?:\d{1,3}(?:[,. \u00a0\u202f'’]\d{3})+|\d+)(?:[.,]\d+)?(?!\d)"
)
_DATE_RE = re.compile(r"(?<![\d.,/-])(\d{1,4})([./-])(\d{1,2})\2(\d{2,4})(?![\d/-]|\.\d)")

_CJK_LANGS = frozenset({"zh", "ja", "ko"})
_NO_SPACE_LANGS = frozenset({"zh", "ja", "th", "lo", "km", "my"})


def base_language(code: str | None) -> str:
    """Return the primary language subtag of a locale code: ``pt_BR`` -> ``pt``, ``zh-Hant`` -> ``zh``."""
    return (code or "").replace("_", "-").split("-")[0].lower()


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[str, tuple[int, int]]]:
    return [(m.group(0), m.span()) for m in pattern.finditer(text)]


def _urls(text: str) -> list[tuple[str, tuple[int, int]]]:
    found = []
    for m in _URL_RE.finditer(text):
        url = m.group(0).rstrip(_URL_TRAILING)
        found.append((url, (m.start(), m.start() + len(url))))
    return found


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Replace the spans with spaces, so later regexes skip them while offsets stay valid."""
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            if chars[i] not in "\n":
                chars[i] = " "
    return "".join(chars)


def _markup_spans(text: str, fmt: str) -> list[tuple[int, int]]:
    spans = [s for _, s in _spans(_PLACEHOLDER_RE, text)]
    spans += [s for _, s in _urls(text)]
    spans += [s for _, s in _spans(_EMAIL_RE, text)]
    if fmt == "html":
        spans += [m.span() for m in _COMMENT_RE.finditer(text)]
        spans += [s for _, s in _spans(_TAG_RE, text)]
        spans += [s for _, s in _spans(_ENTITY_RE, text)]
    return spans


def prose(text: str, fmt: str = "text") -> str:
    """Return ``text`` with placeholders, URLs, e-mails and (for html) tags blanked out, same length."""
    return _blank(text, _markup_spans(text, fmt))


def _is_cjk_char(ch: str) -> bool:
    name = unicodedata.name(ch, "")
    return name.startswith(("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH", "HIRAGANA", "KATAKANA",
                            "HANGUL SYLLABLE"))


# --- numbers, amounts, dates ---------------------------------------------------------------------

@lru_cache(maxsize=256)
def _decimal_symbol(lang: str) -> str | None:
    try:
        return get_decimal_symbol(Locale.parse(lang.replace("-", "_")))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def number_values(token: str, lang: str) -> frozenset[Decimal]:
    """Return the values a written number can mean in ``lang``: ``1.234,50`` and ``1,234.50`` agree.

    A lone comma or dot followed by exactly three digits ("1,234") is a thousands separator or a
    decimal mark depending on the locale; without locale data both readings are returned.
    """
    token = token.replace("\u00a0", " ").replace("\u202f", " ").replace("’", "'")
    seps = [(i, ch) for i, ch in enumerate(token) if not ch.isdigit()]
    if not seps:
        return frozenset({Decimal(token)})
    kinds = {ch for _, ch in seps}
    last_i, last = seps[-1]
    digits_after = len(token) - last_i - 1

    def as_decimal(decimal_mark: str | None) -> Decimal:
        text = token
        if decimal_mark is not None:
            head, _, tail = text.rpartition(decimal_mark)
            text = re.sub(r"\D", "", head) + "." + tail
        else:
            text = re.sub(r"\D", "", text)
        return Decimal(text)

    try:
        if last in " '":
            return frozenset({as_decimal(None)})
        if len(kinds) > 1:
            return frozenset({as_decimal(last)})
        if len(seps) > 1:  # 1,234,567 or 1.234.567
            return frozenset({as_decimal(None)})
        if digits_after != 3:
            return frozenset({as_decimal(last)})
        symbol = _decimal_symbol(lang)
        if symbol == last:
            return frozenset({as_decimal(last)})
        if symbol in {",", "."}:
            return frozenset({as_decimal(None)})
        return frozenset({as_decimal(None), as_decimal(last)})
    except InvalidOperation:  # pragma: no cover - the regex only lets digits and separators through
        return frozenset()


@dataclass(frozen=True)
class _Number:
    text: str
    span: tuple[int, int]
    values: frozenset[Decimal]


def _numbers(text: str, lang: str, skip: Iterable[tuple[int, int]] = ()) -> list[_Number]:
    masked = _blank(text, skip)
    found = []
    for m in _NUMBER_RE.finditer(masked):
        token = m.group(0).rstrip(" '’\u00a0\u202f")
        span = (m.start(), m.start() + len(token))
        found.append(_Number(token, span, number_values(token, lang)))
    return found


def _match_numbers(source: list[_Number], target: list[_Number]) -> tuple[list[_Number], list[_Number]]:
    """Pair numbers with a common reading; return (unmatched source, unmatched target)."""
    remaining = list(target)
    missing = []
    # Unambiguous numbers first, so an ambiguous one cannot steal their partner.
    for number in sorted(source, key=lambda n: len(n.values)):
        partner = next((t for t in remaining if t.values & number.values), None)
        if partner is None:
            missing.append(number)
        else:
            remaining.remove(partner)
    missing.sort(key=lambda n: n.span)
    return missing, remaining


def _date_readings(first: str, middle: str, last: str) -> frozenset[tuple[int, int, int]]:
    a, b, c = int(first), int(middle), int(last)
    readings = set()

    def year(value: str) -> int:
        n = int(value)
        return n + 2000 if len(value) == 2 else n

    if len(first) == 4:  # 2024-05-12: ISO order
        candidates = [(a, b, c)]
    elif len(first) <= 2 and len(last) in (2, 4):
        yr = year(last)
        candidates = [(yr, b, a), (yr, a, b)]  # day-month-year and month-day-year
    else:
        candidates = []
    for y, mo, d in candidates:
        if 1 <= mo <= 12 and 1 <= d <= 31 and 1000 <= y <= 9999:
            readings.add((y, mo, d))
    return frozenset(readings)


@dataclass(frozen=True)
class _Date:
    text: str
    span: tuple[int, int]
    readings: frozenset[tuple[int, int, int]]


def _dates(text: str) -> list[_Date]:
    found = []
    for m in _DATE_RE.finditer(text):
        readings = _date_readings(m.group(1), m.group(3), m.group(4))
        if readings:
            found.append(_Date(m.group(0), m.span(), readings))
    return found


_CURRENCY_SYMBOLS: dict[str, frozenset[str]] = {
    "$": frozenset({"USD", "CAD", "AUD", "NZD", "MXN", "SGD", "HKD"}),
    "US$": frozenset({"USD"}), "C$": frozenset({"CAD"}), "CA$": frozenset({"CAD"}),
    "A$": frozenset({"AUD"}), "AU$": frozenset({"AUD"}), "HK$": frozenset({"HKD"}),
    "R$": frozenset({"BRL"}), "€": frozenset({"EUR"}), "£": frozenset({"GBP"}),
    "¥": frozenset({"JPY", "CNY"}), "￥": frozenset({"JPY", "CNY"}), "円": frozenset({"JPY"}),
    "元": frozenset({"CNY"}), "₹": frozenset({"INR"}), "₽": frozenset({"RUB"}), "₩": frozenset({"KRW"}),
    "₺": frozenset({"TRY"}), "₴": frozenset({"UAH"}), "zł": frozenset({"PLN"}), "Kč": frozenset({"CZK"}),
    "kr": frozenset({"SEK", "NOK", "DKK", "ISK"}), "CHF": frozenset({"CHF"}), "Fr.": frozenset({"CHF"}),
}
_CURRENCY_CODES = ["USD", "EUR", "GBP", "JPY", "CNY", "RMB", "CAD", "AUD", "NZD", "CHF", "SEK", "NOK", "DKK",
                   "PLN", "CZK", "HUF", "RON", "BGN", "TRY", "RUB", "UAH", "INR", "KRW", "BRL", "MXN", "SGD",
                   "HKD", "ZAR", "ILS", "AED", "SAR"]
_CURRENCY_ALT = "|".join(sorted((re.escape(c) for c in [*_CURRENCY_SYMBOLS, *_CURRENCY_CODES]),
                                key=len, reverse=True))
_NUM = r"\d[\d.,\u00a0\u202f' ]*\d|\d"
_AMOUNT_RE = re.compile(
    rf"(?<![A-Za-z])(?P<pre>{_CURRENCY_ALT})\s?(?P<num1>{_NUM})|(?P<num2>{_NUM})\s?(?P<post>{_CURRENCY_ALT})(?![A-Za-z])"
)


def _currency_codes(token: str) -> frozenset[str]:
    if token == "RMB":
        return frozenset({"CNY"})
    return _CURRENCY_SYMBOLS.get(token, frozenset({token}))


@dataclass(frozen=True)
class _Amount:
    text: str
    span: tuple[int, int]
    currencies: frozenset[str]
    values: frozenset[Decimal]


def _amounts(text: str, lang: str) -> list[_Amount]:
    found = []
    for m in _AMOUNT_RE.finditer(text):
        token = m.group("pre") or m.group("post")
        number = (m.group("num1") or m.group("num2")).strip(" '\u00a0\u202f")
        found.append(_Amount(m.group(0), m.span(), _currency_codes(token), number_values(number, lang)))
    return found


# --- language-specific data ----------------------------------------------------------------------

# Characters of target text per character of English; CJK scripts pack a word into one or two characters.
_LENGTH_FACTOR = {"zh": 0.3, "ja": 0.45, "ko": 0.5}
LATIN_LENGTH_RANGE = (0.4, 2.5)
CJK_LENGTH_RANGE = (0.25, 3.0)  # relative to the expected ratio: character counts vary more there
_MIN_LENGTH_FOR_RATIO = 20  # shorter segments ("OK", "Danke!") swing too much to judge by length


def expected_length_ratio(source_lang: str, target_lang: str) -> float:
    """Return the typical target/source length ratio in characters for a language pair."""
    return _LENGTH_FACTOR.get(base_language(target_lang), 1.0) / _LENGTH_FACTOR.get(
        base_language(source_lang), 1.0)


def default_length_ratio_range(source_lang: str, target_lang: str) -> tuple[float, float]:
    """Return the default acceptable target/source length ratio range for a language pair."""
    expected = expected_length_ratio(source_lang, target_lang)
    involves_cjk = {base_language(source_lang), base_language(target_lang)} & _CJK_LANGS
    low, high = CJK_LENGTH_RANGE if involves_cjk else LATIN_LENGTH_RANGE
    return (round(low * expected, 4), round(high * expected, 4))


def _visible_length(text: str, fmt: str) -> int:
    if fmt == "html":
        text = _TAG_RE.sub(" ", _COMMENT_RE.sub(" ", text))
    return len(" ".join(text.split()))


_SENTENCE_END_RE = re.compile(r"[.!?。！？](?=\s|$|[\"'”’»)])|[。！？]")


def _sentence_count(text: str) -> int:
    return len(_SENTENCE_END_RE.findall(text.strip()))


# --- the checks ----------------------------------------------------------------------------------

def _normalize_placeholder(token: str) -> str:
    return re.sub(r"\s+", "", token)


@register
class PlaceholderCheck(Check):
    """Format strings and template variables must be kept exactly, as many times as in the source."""

    id = "placeholders"
    name = "Placeholders kept"
    severity = Severity.CRITICAL
    category = "markup"

    def run(self, segment: Segment) -> list[Finding]:
        source = _spans(_PLACEHOLDER_RE, segment.source)
        target = _spans(_PLACEHOLDER_RE, segment.target)
        src_count = Counter(_normalize_placeholder(t) for t, _ in source)
        tgt_count = Counter(_normalize_placeholder(t) for t, _ in target)
        findings = []
        for token, n in (src_count - tgt_count).items():
            findings.append(self.finding(
                f"placeholder {token} missing from the target" if tgt_count[token] == 0 else
                f"placeholder {token} appears {tgt_count[token]} time(s) in the target, {src_count[token]} in the source",
                source_spans=[s for t, s in source if _normalize_placeholder(t) == token],
                placeholder=token, missing=n))
        for token, n in (tgt_count - src_count).items():
            findings.append(self.finding(
                f"placeholder {token} is not in the source" if src_count[token] == 0 else
                f"placeholder {token} appears {tgt_count[token]} time(s) in the target, {src_count[token]} in the source",
                spans=[s for t, s in target if _normalize_placeholder(t) == token],
                placeholder=token, extra=n))
        return findings


@register
class TagCheck(Check):
    """HTML/XML segments keep the source's tags and leave them properly nested."""

    id = "tags"
    name = "Tags kept and balanced"
    severity = Severity.CRITICAL
    category = "markup"

    @staticmethod
    def _tags(text: str) -> list[tuple[str, tuple[int, int], str]]:
        text = _blank(text, [m.span() for m in _COMMENT_RE.finditer(text)])
        tags = []
        for m in _TAG_RE.finditer(text):
            closing, name, self_closing = m.group(1), m.group(2).lower(), m.group(4)
            kind = "close" if closing else "void" if self_closing or name in _VOID_TAGS else "open"
            tags.append((name, m.span(), kind))
        return tags

    def run(self, segment: Segment) -> list[Finding]:
        if segment.fmt != "html":
            return []
        findings = []
        stack: list[tuple[str, tuple[int, int]]] = []
        target_tags = self._tags(segment.target)
        for name, span, kind in target_tags:
            if kind == "open":
                stack.append((name, span))
            elif kind == "close":
                if stack and stack[-1][0] == name:
                    stack.pop()
                elif any(open_name == name for open_name, _ in stack):
                    while stack[-1][0] != name:
                        inner, inner_span = stack.pop()
                        findings.append(self.finding(f"<{inner}> is not closed before </{name}>",
                                                     spans=[inner_span], tag=inner))
                    stack.pop()
                else:
                    findings.append(self.finding(f"</{name}> closes a tag that is not open",
                                                 spans=[span], tag=name))
        for name, span in stack:
            findings.append(self.finding(f"<{name}> is never closed", spans=[span], tag=name))

        def signature(tags: list[tuple[str, tuple[int, int], str]]) -> Counter[str]:
            return Counter(f"{'/' if kind == 'close' else ''}{name}" for name, _, kind in tags)

        source_tags = self._tags(segment.source)
        src, tgt = signature(source_tags), signature(target_tags)
        for tag, n in sorted((src - tgt).items()):
            findings.append(self.finding(
                f"tag <{tag}> missing from the target",
                source_spans=[s for name, s, kind in source_tags
                              if f"{'/' if kind == 'close' else ''}{name}" == tag],
                tag=tag, missing=n))
        for tag, n in sorted((tgt - src).items()):
            findings.append(self.finding(
                f"tag <{tag}> is not in the source",
                spans=[s for name, s, kind in target_tags
                       if f"{'/' if kind == 'close' else ''}{name}" == tag],
                tag=tag, extra=n))
        return findings


# Clock times: the source writes 10:30 (or 3:30 pm); a target may write 10.30, 10h30 or 15:30.
_TIME_RE = re.compile(r"(?<![\d.,:])(\d{1,2}):(\d{2})(?![\d:])(?:\s?([AaPp])\.?[Mm]\b\.?)?")
_TARGET_TIME_RE = re.compile(r"(?<![\d.,:])(\d{1,2})\s?[:.h]\s?(\d{2})(?![\d:])(?:\s?([AaPp])\.?[Mm]\b\.?)?")


@dataclass(frozen=True)
class _Time:
    text: str
    span: tuple[int, int]
    readings: frozenset[tuple[int, int]]
    colon: bool


def _times(pattern: re.Pattern[str], text: str) -> list[_Time]:
    found = []
    for m in pattern.finditer(text):
        hour, minute, half = int(m.group(1)), int(m.group(2)), (m.group(3) or "").lower()
        if minute > 59 or hour > 24 or (half and not 1 <= hour <= 12):
            continue
        reading = (hour % 12 + (12 if half == "p" else 0), minute) if half else (hour % 24, minute)
        found.append(_Time(m.group(0), m.span(), frozenset({reading}), ":" in m.group(0)))
    return found


def _date_components(dates: list[_Date]) -> set[Decimal]:
    return {Decimal(part) for d in dates for reading in d.readings for part in reading} | {
        Decimal(int(p)) for d in dates for p in re.findall(r"\d+", d.text)}


@register
class NumberCheck(Check):
    """Numbers in the source reappear in the target, whatever the locale's separators."""

    id = "numbers"
    name = "Numbers kept"
    severity = Severity.CRITICAL
    category = "accuracy/mistranslation"

    def run(self, segment: Segment) -> list[Finding]:
        src_text, tgt_text = prose(segment.source, segment.fmt), prose(segment.target, segment.fmt)
        src_dates, tgt_dates = _dates(src_text), _dates(tgt_text)
        findings = []
        src_skip, tgt_skip = [d.span for d in src_dates], [d.span for d in tgt_dates]
        # A time is one value: 10:30 kept as 10.30 is fine, and a lost time is one finding, not two.
        tgt_times = [t for t in _times(_TARGET_TIME_RE, tgt_text)
                     if not any(a <= t.span[0] < b for a, b in tgt_skip)]
        for time in _times(_TIME_RE, src_text):
            if any(a <= time.span[0] < b for a, b in src_skip):
                continue
            src_skip.append(time.span)
            partner = next((t for t in tgt_times if t.readings & time.readings), None)
            if partner is None:
                findings.append(self.finding(f"time {time.text} missing from the target",
                                             source_spans=[time.span], number=time.text))
            else:
                tgt_times.remove(partner)
                tgt_skip.append(partner.span)
        for time in tgt_times:
            if time.colon:
                tgt_skip.append(time.span)
                findings.append(self.finding(f"time {time.text} is not in the source", spans=[time.span],
                                             number=time.text))
        # Dates are the date check's business; their parts are not loose numbers.
        source = _numbers(src_text, segment.source_lang, src_skip)
        target = _numbers(tgt_text, segment.target_lang, tgt_skip)
        missing, extra = _match_numbers(source, target)
        date_parts = _date_components(src_dates)
        findings += [self.finding(f"number {n.text} missing from the target", source_spans=[n.span],
                                  number=n.text) for n in missing]
        findings += [self.finding(f"number {n.text} is not in the source", spans=[n.span], number=n.text)
                     for n in extra if not n.values & date_parts]  # "12 May 2024" for 12/05/2024
        return findings


@register
class AmountCheck(Check):
    """An amount keeps its currency: "€20" must not become "$20" or a bare "20"."""

    id = "amounts"
    name = "Currency amounts kept"
    severity = Severity.CRITICAL
    category = "locale_convention"

    def run(self, segment: Segment) -> list[Finding]:
        src_text, tgt_text = prose(segment.source, segment.fmt), prose(segment.target, segment.fmt)
        source = _amounts(src_text, segment.source_lang)
        target = _amounts(tgt_text, segment.target_lang)
        remaining = list(target)
        findings = []
        for amount in source:
            same_value = [t for t in remaining if t.values & amount.values]
            kept = next((t for t in same_value if t.currencies & amount.currencies), None)
            if kept is not None:
                remaining.remove(kept)
            elif same_value:
                other = same_value[0]
                remaining.remove(other)
                findings.append(self.finding(
                    f"amount {amount.text} became {other.text}: the currency changed",
                    spans=[other.span], source_spans=[amount.span], amount=amount.text))
            else:
                bare = next((n for n in _numbers(tgt_text, segment.target_lang,
                                                 [t.span for t in target])
                             if n.values & amount.values), None)
                if bare is not None:
                    findings.append(self.finding(
                        f"amount {amount.text} lost its currency in the target",
                        spans=[bare.span], source_spans=[amount.span], amount=amount.text))
                # A changed value is reported by the numbers check; saying it twice helps nobody.
        return findings


@register
class DateCheck(Check):
    """Numeric dates in the source denote the same day in the target (12/05/2024 = 2024-05-12)."""

    id = "dates"
    name = "Dates kept"
    severity = Severity.CRITICAL
    category = "accuracy/mistranslation"

    def run(self, segment: Segment) -> list[Finding]:
        src_text, tgt_text = prose(segment.source, segment.fmt), prose(segment.target, segment.fmt)
        remaining = _dates(tgt_text)
        target_numbers = {v for n in _numbers(tgt_text, segment.target_lang) for v in n.values}
        findings = []
        for date in _dates(src_text):
            partner = next((t for t in remaining if t.readings & date.readings), None)
            if partner is not None:
                remaining.remove(partner)
                continue
            # A spelled-out month ("12. Mai 2024") keeps the day and the year as numbers.
            if any({Decimal(y), Decimal(d)} <= target_numbers for y, _, d in date.readings):
                continue
            findings.append(self.finding(f"date {date.text} missing from the target",
                                         source_spans=[date.span], date=date.text))
        for date in remaining:
            findings.append(self.finding(f"date {date.text} is not in the source", spans=[date.span],
                                         date=date.text))
        return findings


class _ExactTokenCheck(Check):
    """Tokens that must be copied verbatim (URLs, e-mail addresses), compared as multisets."""

    label: ClassVar[str]

    def tokens(self, text: str) -> list[tuple[str, tuple[int, int]]]:
        """Return the tokens of ``text`` with their spans."""
        raise NotImplementedError

    def key(self, token: str) -> str:
        """Return what two tokens must share to count as the same."""
        return token

    def run(self, segment: Segment) -> list[Finding]:
        source, target = self.tokens(segment.source), self.tokens(segment.target)
        src = Counter(self.key(t) for t, _ in source)
        tgt = Counter(self.key(t) for t, _ in target)
        findings = []
        for token in src - tgt:
            findings.append(self.finding(
                f"{self.label} {token} missing from the target",
                source_spans=[s for t, s in source if self.key(t) == token], value=token))
        for token in tgt - src:
            findings.append(self.finding(
                f"{self.label} {token} is not in the source",
                spans=[s for t, s in target if self.key(t) == token], value=token))
        return findings


@register
class UrlCheck(_ExactTokenCheck):
    """Links are copied verbatim; a changed character sends the customer somewhere else."""

    id = "urls"
    name = "URLs kept"
    severity = Severity.CRITICAL
    category = "accuracy/mistranslation"
    label = "URL"

    def tokens(self, text: str) -> list[tuple[str, tuple[int, int]]]:
        return _urls(text)


@register
class EmailCheck(_ExactTokenCheck):
    """E-mail addresses are copied verbatim (compared without regard to case)."""

    id = "emails"
    name = "E-mail addresses kept"
    severity = Severity.CRITICAL
    category = "accuracy/mistranslation"
    label = "e-mail address"

    def tokens(self, text: str) -> list[tuple[str, tuple[int, int]]]:
        spans = [s for _, s in _urls(text)]
        # user@host inside a URL (mailto: is not matched by the URL pattern) still counts once.
        return [(t, s) for t, s in _spans(_EMAIL_RE, text)
                if not any(a <= s[0] < b for a, b in spans)]

    def key(self, token: str) -> str:
        return token.lower()


@register
class GlossaryTermCheck(Check):
    """The termbase's translation is used for each term found in the source."""

    id = "glossary_term"
    name = "Glossary term used"
    severity = Severity.MAJOR
    category = "terminology"

    def run(self, segment: Segment) -> list[Finding]:
        findings = []
        for term in segment.terms:
            if term.kind != "translate" or term.satisfied:
                continue
            expected = " / ".join(term.expected)
            findings.append(self.finding(
                f"term {term.source_term!r} should be translated as {expected!r}",
                spans=[term.target_span] if term.target_span else [],
                source_spans=[term.source_span] if term.source_span else [],
                term=term.source_term, expected=list(term.expected)))
        return findings


@register
class ProtectedTermCheck(Check):
    """Do-not-translate terms stay as they are and forbidden terms do not appear."""

    id = "glossary_protected"
    name = "Do-not-translate and forbidden terms"
    severity = Severity.CRITICAL
    category = "terminology"

    def run(self, segment: Segment) -> list[Finding]:
        findings = []
        for term in segment.terms:
            if term.kind == "translate" or term.satisfied:
                continue
            if term.kind == "do_not_translate":
                message = f"{term.source_term!r} must be left untranslated"
            else:
                message = f"forbidden term {' / '.join(term.expected) or term.source_term!r} used"
            findings.append(self.finding(
                message, spans=[term.target_span] if term.target_span else [],
                source_spans=[term.source_span] if term.source_span else [],
                term=term.source_term, kind=term.kind, expected=list(term.expected)))
        return findings


_WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


@register
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
            words = _WORD_RE.findall(prose(segment.source, segment.fmt))
            cjk = sum(1 for ch in segment.source if _is_cjk_char(ch))
            if len(words) >= self.min_words or cjk >= 2 * self.min_words:
                return [self.finding("the target is identical to the source",
                                     spans=[(0, len(segment.target))])]
        detected = base_language(segment.detected_target_lang)
        if detected and detected != base_language(segment.target_lang):
            return [self.finding(
                f"the target reads as {segment.detected_target_lang}, not {segment.target_lang}",
                spans=[(0, len(segment.target))], detected=segment.detected_target_lang)]
        return []


@register
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


@register
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


@register
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


@register
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


@register
class DoubledWordCheck(Check):
    """The same word twice in a row ("the the"), unless the source repeats it too."""

    id = "doubled_word"
    name = "Doubled word"
    severity = Severity.MINOR
    category = "fluency/grammar"

    def run(self, segment: Segment) -> list[Finding]:
        lang = base_language(segment.target_lang)
        if lang in _CJK_LANGS or lang in _NO_SPACE_LANGS:
            return []
        allowed = _LEGITIMATE_DOUBLES.get(lang, set())
        source_doubles = {m.group(1).lower() for m in _DOUBLED_RE.finditer(prose(segment.source, segment.fmt))}
        findings = []
        for m in _DOUBLED_RE.finditer(prose(segment.target, segment.fmt)):
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


@register
class EndPunctuationCheck(Check):
    """The target ends with the same kind of punctuation as the source (?, !, ., :)."""

    id = "end_punctuation"
    name = "End punctuation"
    severity = Severity.MINOR
    category = "fluency/punctuation"

    def run(self, segment: Segment) -> list[Finding]:
        source_lang, target_lang = base_language(segment.source_lang), base_language(segment.target_lang)
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


@register
class LeftoverTokenCheck(Check):
    """No masking token (PII or protected text) is left in the target after restoring."""

    id = "leftover_token"
    name = "Leftover protection token"
    severity = Severity.CRITICAL
    category = "markup"

    def run(self, segment: Segment) -> list[Finding]:
        if not segment.pii_token_pattern:
            return []
        pattern = re.compile(segment.pii_token_pattern)
        return [self.finding(f"masking token {m.group(0)} left in the target", spans=[m.span()],
                             token=m.group(0)) for m in pattern.finditer(segment.target)]


@register
class RegisterCheck(Check):
    """The target addresses the reader in the register of the locale profile (usted, not tú; Sie, not du)."""

    id = "register"
    name = "Register (formal or informal address)"
    severity = Severity.MAJOR
    category = "style"

    def run(self, segment: Segment) -> list[Finding]:
        if segment.formality not in (FORMAL, INFORMAL):
            return []
        wrong = [form for form in address_forms(prose(segment.target, segment.fmt), base_language(segment.target_lang))
                 if form.register != segment.formality]
        if not wrong:
            return []
        words = ", ".join(dict.fromkeys(f"'{segment.target[slice(*form.span)]}'" for form in wrong))
        return [self.finding(f"{wrong[0].register} address ({words}) where the {segment.target_lang} profile "
                             f"is {segment.formality}", spans=[form.span for form in wrong],
                             expected=segment.formality, found=wrong[0].register)]


# --- running ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckConfig:
    """Which checks run for a locale and at which severity; unknown ids are an error, not a no-op."""

    disabled: frozenset[str] = frozenset()
    enabled: frozenset[str] | None = None  # when set, only these run
    severity: Mapping[str, Severity] = field(default_factory=dict)

    def __post_init__(self) -> None:
        named = set(self.disabled) | set(self.enabled or ()) | set(self.severity)
        unknown = sorted(named - CHECKS.keys())
        if unknown:
            raise ValueError(f"unknown check id(s): {', '.join(unknown)}; known: {', '.join(sorted(CHECKS))}")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> CheckConfig:
        """Build a config from ``{"disabled": [...], "enabled": [...], "severity": {id: name}}``."""
        data = dict(data or {})
        extra = sorted(set(data) - {"disabled", "enabled", "severity"})
        if extra:
            raise ValueError(f"unknown check config key(s): {', '.join(extra)}")
        severity = {}
        for check_id, name in dict(data.get("severity") or {}).items():
            try:
                severity[check_id] = Severity.parse(name)
            except ValueError as exc:
                raise ValueError(f"severity of check {check_id!r}: {exc}") from None
        enabled = data.get("enabled")
        return cls(disabled=frozenset(data.get("disabled") or ()),
                   enabled=frozenset(enabled) if enabled is not None else None,
                   severity=severity)

    def is_enabled(self, check_id: str) -> bool:
        """Return whether the check runs under this config."""
        if check_id in self.disabled:
            return False
        return self.enabled is None or check_id in self.enabled


def run_checks(segment: Segment, *, config: CheckConfig | None = None) -> list[Finding]:
    """Run every enabled check on the segment; findings come worst first, then in check order."""
    config = config or CheckConfig()
    findings: list[Finding] = []
    for check_id, cls in CHECKS.items():
        if not config.is_enabled(check_id):
            continue
        for finding in cls().run(segment):
            if check_id in config.severity:
                finding.severity = config.severity[check_id]
            findings.append(finding)
    order = {check_id: i for i, check_id in enumerate(CHECKS)}
    findings.sort(key=lambda f: (-f.severity.rank, order[f.check]))
    return findings


def has_critical(findings: Iterable[Finding]) -> bool:
    """Return whether any finding is critical."""
    return any(f.severity >= Severity.CRITICAL for f in findings)


def worst_severity(findings: Iterable[Finding]) -> Severity | None:
    """Return the highest severity among the findings, or None when there are none."""
    return max((f.severity for f in findings), default=None)
