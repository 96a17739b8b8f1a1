"""Number checks: numbers, clock times, currency amounts and numeric dates kept whatever the locale writes."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import get_decimal_symbol

from lqa.checks.analysis import blank
from lqa.checks.base import Check, Finding, Segment, Severity
from tolk.languages import underscored

# Integer part with optional thousands groups (comma, dot, space, narrow/no-break space, apostrophe),
# then an optional decimal part. Signs are ignored: "5-10" is a range far more often than a negative.
_NUMBER_RE = re.compile(
    r"(?<![\d.,])(?:\d{1,3}(?:[,. \u00a0\u202f'’]\d{3})+|\d+)(?:[.,]\d+)?(?!\d)"
)
_DATE_RE = re.compile(r"(?<![\d.,/-])(\d{1,4})([./-])(\d{1,2})\2(\d{2,4})(?![\d/-]|\.\d)")


@lru_cache(maxsize=256)
def _decimal_symbol(lang: str) -> str | None:
    try:
        return get_decimal_symbol(Locale.parse(underscored(lang)))
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
    masked = blank(text, skip)
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


class NumberCheck(Check):
    """Numbers in the source reappear in the target, whatever the locale's separators."""

    id = "numbers"
    name = "Numbers kept"
    severity = Severity.CRITICAL
    category = "accuracy/mistranslation"

    def run(self, segment: Segment) -> list[Finding]:
        src_text, tgt_text = segment.prose(segment.source), segment.prose(segment.target)
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


class AmountCheck(Check):
    """An amount keeps its currency: "€20" must not become "$20" or a bare "20"."""

    id = "amounts"
    name = "Currency amounts kept"
    severity = Severity.CRITICAL
    category = "locale_convention"

    def run(self, segment: Segment) -> list[Finding]:
        src_text, tgt_text = segment.prose(segment.source), segment.prose(segment.target)
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


class DateCheck(Check):
    """Numeric dates in the source denote the same day in the target (12/05/2024 = 2024-05-12)."""

    id = "dates"
    name = "Dates kept"
    severity = Severity.CRITICAL
    category = "accuracy/mistranslation"

    def run(self, segment: Segment) -> list[Finding]:
        src_text, tgt_text = segment.prose(segment.source), segment.prose(segment.target)
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
