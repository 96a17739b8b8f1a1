"""Customer-data detectors beyond the simple patterns: names, postal addresses, dates of birth, national
ID numbers (with their check digits), passport numbers in context, IP addresses, and the values the
helpdesk already knows about the customer (``Customer``).

Each detector has a ``kind`` (``pii:...``) and ``spans(text)`` yielding ``(start, end)`` of what must not
leave the process. Detectors for words (names, in ``machinery.names``) are deliberately narrow: they fire
only in a context that says "this is a name" (a greeting line, a sign-off, "my name is", a title such as
"Pani" or "señora"), because a masked product name is a broken translation. Detectors for numbers may
be generous: a masked number comes back byte-identical, so a false positive costs nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import ipaddress
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from machinery.names import PARTICLES, WORD, NameDetector, inflected
from machinery.pii_guards import (
    ADDRESS_GUARD,
    BIRTH_DATE_GUARD,
    IPV4_GUARD,
    IPV6_GUARD,
    NAME_GUARD,
    NATIONAL_ID_GUARD,
    PASSPORT_GUARD,
)

# --- national identification numbers, each with its check digit -------------------------------------


def pesel_valid(value: str) -> bool:
    """Polish PESEL: 11 digits, a real birth date (month carries the century) and the weighted check digit."""
    if not re.fullmatch(r"\d{11}", value):
        return False
    d = [int(c) for c in value]
    check = (10 - sum(w * x for w, x in zip((1, 3, 7, 9, 1, 3, 7, 9, 1, 3), d, strict=False)) % 10) % 10
    month = int(value[2:4]) % 20
    return check == d[10] and 1 <= month <= 12 and 1 <= int(value[4:6]) <= 31


def bsn_valid(value: str) -> bool:
    """Dutch BSN: 9 digits passing the "elfproef" (weights 9..2, the last digit weighted -1)."""
    if not re.fullmatch(r"\d{9}", value) or value == "000000000":
        return False
    d = [int(c) for c in value]
    return (sum((9 - i) * x for i, x in enumerate(d[:8])) - d[8]) % 11 == 0


def isikukood_valid(value: str) -> bool:
    """Estonian isikukood: sex/century digit 1-6, a birth date, and the two-stage mod-11 check digit."""
    if not re.fullmatch(r"[1-6]\d{10}", value):
        return False
    if not (1 <= int(value[3:5]) <= 12 and 1 <= int(value[5:7]) <= 31):
        return False
    d = [int(c) for c in value]
    for weights in ((1, 2, 3, 4, 5, 6, 7, 8, 9, 1), (3, 4, 5, 6, 7, 8, 9, 1, 2, 3)):
        check = sum(w * x for w, x in zip(weights, d, strict=False)) % 11
        if check != 10:
            return check == d[10]
    return d[10] == 0


_TW_LETTERS = {c: n for n, c in enumerate("ABCDEFGHJKLMNPQRSTUVXYWZIO", start=10)}


def taiwan_id_valid(value: str) -> bool:
    """Taiwanese national ID (and the new resident certificate): a letter, 1/2 (8/9), 8 digits, mod-10 check."""
    if not re.fullmatch(r"[A-Z][1289]\d{8}", value):
        return False
    code = _TW_LETTERS[value[0]]
    digits = [code // 10, code % 10, *(int(c) for c in value[1:])]
    weights = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1)
    return sum(w * x for w, x in zip(weights, digits, strict=True)) % 10 == 0


_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def dni_valid(value: str) -> bool:
    """Spanish DNI (8 digits + letter) or NIE (X/Y/Z + 7 digits + letter): the letter is the number mod 23."""
    s = value.replace("-", "").replace(" ", "").upper()
    m = re.fullmatch(r"([XYZ]?)(\d{7,8})([A-Z])", s)
    if not m or (m.group(1) and len(m.group(2)) != 7) or (not m.group(1) and len(m.group(2)) != 8):
        return False
    number = int(str("XYZ".index(m.group(1))) + m.group(2)) if m.group(1) else int(m.group(2))
    return _DNI_LETTERS[number % 23] == m.group(3)


NATIONAL_ID_CHECKS = (pesel_valid, bsn_valid, isikukood_valid, taiwan_id_valid, dni_valid)


def national_id_valid(value: str) -> bool:
    """Whether ``value`` is a PESEL, BSN, isikukood, Taiwanese ID or DNI/NIE with a correct check digit."""
    return any(check(value) for check in NATIONAL_ID_CHECKS)


# --- the detectors --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PatternDetector:
    """A regular expression whose match (or ``group``) is kept when ``valid`` accepts it."""

    kind: str
    pattern: re.Pattern[str]
    valid: Any = None  # optional callable(str) -> bool
    group: int | str = 0
    # A cheap test that every text the pattern can match passes (see ``Guard``): most segments fail it.
    guard: Callable[[str], bool] | None = None

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        if self.guard is not None and not self.guard(text):
            return
        for m in self.pattern.finditer(text):
            start, end = m.span(self.group)
            if start < 0 or end <= start:
                continue
            if self.valid is None or self.valid(text[start:end]):
                yield start, end


def _ip_valid(value: str) -> bool:
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    # "1.0.0.1" could be a version number; still masked, since it comes back unchanged.
    return not (isinstance(address, ipaddress.IPv6Address) and value.count(":") < 2)


NATIONAL_ID_PATTERN = re.compile(
    r"(?<![A-Za-z0-9-])(?:\d{11}|\d{9}|[A-Z][1289]\d{8}|\d{8}-?[A-Z]|[XYZ]-?\d{7}-?[A-Z])(?![A-Za-z0-9-])")
IPV4_PATTERN = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?!\w|\.\d)")
IPV6_PATTERN = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:|:)(?::|[0-9A-Fa-f]{1,4}:){1,7}"
                          r"(?:\d{1,3}(?:\.\d{1,3}){3}|:|[0-9A-Fa-f]{1,4})(?![\w:]|\.\d)")

# Passport numbers: only after the word "passport" in a seed language (a bare letter-digit code is a
# product or an order reference far more often).
PASSPORT_PATTERN = re.compile(
    r"(?i:passport|pasaporte|paspoort|paszport|paszportu|passi|護照)"
    r"(?:\s*(?i:number|no\.?|nr\.?|nummer|número|núm\.?|numer|numbrit?|號碼|号码|號))?\s*[:#]?\s*"
    r"(?:(?i:is|es|to|on|ist|jest)\s+)?"
    r"(?P<value>(?=[A-Z0-9]*\d)[A-Z0-9]{6,10})(?![\w])")

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr"
    "|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre"
    "|octubre|noviembre|diciembre|januari|februari|maart|april|mei|juni|juli|augustus|oktober"
    "|stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada|grudnia"
    "|jaanuar|veebruar|märts|aprill|mai|juuni|juuli|august|oktoober|detsember")
_DATE = (rf"(?:\d{{1,2}}[./-]\d{{1,2}}[./-](?:\d{{4}}|\d{{2}})|\d{{4}}-\d{{2}}-\d{{2}}"
         rf"|\d{{1,2}}(?:st|nd|rd|th)?\.?\s+(?:de\s+)?(?i:{_MONTHS})\.?,?\s+(?:de\s+)?\d{{4}}"
         rf"|(?i:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
         rf"|(?:民國)?\d{{2,4}}\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日)")
# A date of birth is a date in the context of birth: the words, then at most a short link (": ", "is ").
BIRTH_DATE_PATTERN = re.compile(
    r"(?i:date\s+of\s+birth|birth\s*date|birthday|\bDOB|born\s+on|born|fecha\s+de\s+nacimiento|nacid[oa]\s+el"
    r"|geboortedatum|geboren\s+op|geboren|data\s+urodzenia|urodzon[ya]|\bur\.|sünniaeg|sünnikuupäev|sündinud"
    r"|出生日期|生日|出生於|出生)"
    r"[\s:,]*(?:(?i:is|was|es|el|de|on|op|dnia|on)\s+)?(?:(?i:the)\s+)?"
    rf"(?P<value>{_DATE})")

# Postal addresses of the shipped locales: the street with its number, and the postcode with its city.
_CAP = r"[A-ZÁÉÍÓÚÑÀÈÌÒÙÇÄÖÜÕŁŚŻŹĆŃ][\wÀ-ž'’-]+"
_STREET_NUMBER = r"\d{1,5}(?:\s?[a-zA-Z])?(?:[/-]\d{1,4}[a-zA-Z]?)?"
ADDRESS_PATTERNS = (
    # en: "221B Baker Street", "10 Downing St"; postcodes "SW1A 2AA", US "CA 94103" left to context.
    rf"\b\d{{1,5}}[A-Za-z]?\s+(?:{_CAP}\s+){{1,3}}(?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Ln\.?|Drive|Dr\.?"
    rf"|Way|Close|Court|Ct\.?|Place|Pl\.?|Square|Boulevard|Blvd\.?|Terrace|Gardens|Crescent|Row)\b",
    r"\b(?:GIR 0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b",
    # es: "Calle Mayor 5", "C/ de Alcalá, 42, 3º B", "Avda. de la Constitución 12"; "28013 Madrid"
    rf"(?:\b(?:Calle|Avenida|Avda\.|Av\.|Plaza|Pza\.|Paseo|Pº|Camino|Carretera|Ronda|Travesía|Rambla|Glorieta)"
    rf"|C/)\s*(?:(?:de|del|de\s+la|de\s+los|de\s+las)\s+)?{_CAP}(?:\s+(?:de\s+|del\s+)?{_CAP}){{0,3}},?\s+"
    rf"(?:n\.?º\s*)?\d{{1,4}}(?:,?\s*\d{{1,2}}\s*º\s*[A-Z]?)?",
    # nl: "Kalverstraat 92", "Laan van Meerdervoort 12a"; "1012 PH Amsterdam"
    rf"\b[A-Z][a-z]+(?:straat|laan|weg|plein|gracht|kade|singel|dijk|hof|pad|steeg|dreef|markt|plantsoen)"
    rf"\s+{_STREET_NUMBER}\b",
    rf"\b(?:Laan|Plein|Burgemeester|Koningin|Prins)\s+(?:{_CAP}|van|der|de)(?:\s+(?:{_CAP}|van|der|de)){{0,3}}"
    rf"\s+{_STREET_NUMBER}\b",
    rf"\b[1-9]\d{{3}}\s?[A-Z]{{2}}\s+{_CAP}",
    # pl: "ul. Marszałkowska 10/12", "al. Jerozolimskie 44"; "00-950 Warszawa"
    rf"\b(?:ul\.|ulica|al\.|aleja|pl\.|plac|os\.|osiedle)\s+{_CAP}(?:\s+{_CAP}){{0,2}}\s+{_STREET_NUMBER}\b",
    rf"\b\d{{2}}-\d{{3}}\s+{_CAP}",
    # et: "Narva mnt 7", "Pikk tn 12-3", "Tartu maantee 2"; "10115 Tallinn"
    rf"\b{_CAP}(?:\s+{_CAP})?\s+(?:tn|tänav|mnt|maantee|pst|puiestee|põik|tee|väljak|allee)\.?\s+{_STREET_NUMBER}\b",
    # a five-digit postcode then a city (es, et; also de/fr): the city is capitalised
    rf"\b\d{{5}}\s+{_CAP}(?:\s+(?:de\s+)?{_CAP})?",
    # zh-Hant (Taiwan): "臺北市信義區信義路五段7號89樓"
    r"(?:\d{3,6}\s*)?(?:[臺台新][北中南東]市|桃園市|高雄市|基隆市|新竹[市縣]|嘉義[市縣]|苗栗縣|彰化縣|南投縣|雲林縣"
    r"|屏東縣|宜蘭縣|花蓮縣|臺東縣|澎湖縣|金門縣|連江縣)?(?:[\u4e00-\u9fff]{2}[區鄉鎮市])?[\u4e00-\u9fff]{1,6}[路街道]"
    r"(?:[一二三四五六七八九十\d]+段)?(?:\d+巷)?(?:\d+弄)?\d+(?:之\d+)?號(?:\d+樓)?(?:之\d+)?",
)
ADDRESS_PATTERN = re.compile("|".join(f"(?:{p})" for p in ADDRESS_PATTERNS))
# A five-digit number followed by a capitalised word is also "12345 Items" in a product text: a city
# is not one of these.
_NOT_CITY = {"Items", "Euro", "Euros", "EUR", "USD", "Users", "Orders", "Points", "Punkte", "Punkten", "Words",
             "Characters", "Customers", "Klanten", "Klientów", "Kliendid", "Clientes", "Pedidos", "Bestellingen"}


def _address_valid(value: str) -> bool:
    last = value.split()[-1] if value.split() else ""
    if re.fullmatch(r"\d{5}\s+\S+", value) and last in _NOT_CITY:
        return False
    return last not in _NOT_CITY


# --- the customer the helpdesk knows ------------------------------------------------------------------


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


@dataclass(frozen=True)
class Customer:
    """What the helpdesk knows about the customer of a ticket; each value is masked wherever it appears."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Customer | None:
        if not data:
            return None
        found = cls(**{k: (str(data[k]).strip() or None) if data.get(k) is not None else None
                       for k in ("name", "email", "phone", "address")})
        return found if any((found.name, found.email, found.phone, found.address)) else None

    def to_dict(self) -> dict[str, str | None]:
        return {"name": self.name, "email": self.email, "phone": self.phone, "address": self.address}

    @property
    def key(self) -> str | None:
        """SHA-256 of the normalized e-mail: how stored records name this customer."""
        return customer_key(self.email) if self.email else None


def customer_key(email: str) -> str:
    """SHA-256 of a customer's e-mail address, trimmed and case-folded."""
    return hashlib.sha256(email.strip().casefold().encode()).hexdigest()


class CustomerDetector:
    """The known customer's name (also inflected), e-mail, phone (any spacing) and address (or its lines)."""

    def __init__(self, customer: Customer) -> None:
        self.customer = customer
        self.patterns: list[tuple[str, re.Pattern[str]]] = []
        if customer.email:
            self.patterns.append(("pii:email", re.compile(re.escape(customer.email), re.IGNORECASE)))
        if customer.phone:
            digits = re.sub(r"\D", "", customer.phone)
            if len(digits) >= 6:
                # "+34 612 345 678" is also written "612345678" or "0034 612-345-678".
                core = digits[-9:] if len(digits) > 9 else digits
                sep = r"[\s().-]*"
                self.patterns.append(("pii:phone", re.compile(
                    rf"(?<![\d])(?:(?:\+|00)\d{{1,3}}{sep})?\(?{sep.join(core)}(?!\d)")))
        if customer.address:
            parts = [customer.address, *re.split(r"\s*[,;\n]\s*", customer.address)]
            for part in sorted({p.strip() for p in parts if len(p.strip()) >= 4}, key=len, reverse=True):
                words = [re.escape(w) for w in part.split()]
                self.patterns.append(("pii:address", re.compile(
                    r"(?<!\w)" + r"[\s,]+".join(words) + r"(?!\w)", re.IGNORECASE)))
        if customer.name:
            for word in WORD.findall(customer.name):
                if len(word) >= 2 and word.lower() not in PARTICLES:
                    self.patterns.append(("pii:name", re.compile(inflected(word))))

    def spans(self, text: str) -> Iterator[tuple[str, int, int]]:
        """(kind, start, end) of every known value in ``text``."""
        for kind, pattern in self.patterns:
            for m in pattern.finditer(text):
                if m.end() > m.start():
                    yield kind, m.start(), m.end()


# --- the detectors as shipped ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GuardedDetector:
    """A detector run only on text that passes ``guard``."""

    detector: Any  # kind and spans(text), e.g. NameDetector
    guard: Callable[[str], bool]

    @property
    def kind(self) -> str:
        return str(self.detector.kind)

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        if self.guard(text):
            yield from self.detector.spans(text)


def default_detectors(*, guarded: bool = True) -> tuple[PatternDetector | GuardedDetector | NameDetector, ...]:
    """The shipped detectors beyond e-mail, phone, IBAN and card numbers, in order of precedence; with
    ``guarded`` (the default) each skips text its fast pre-filter proves it cannot match."""
    g = guarded
    return (
        PatternDetector("pii:national_id", NATIONAL_ID_PATTERN, national_id_valid,
                        guard=NATIONAL_ID_GUARD if g else None),
        # IPv6 first: "::ffff:192.0.2.128" holds an IPv4
        PatternDetector("pii:ip", IPV6_PATTERN, _ip_valid, guard=IPV6_GUARD if g else None),
        PatternDetector("pii:ip", IPV4_PATTERN, _ip_valid, guard=IPV4_GUARD if g else None),
        PatternDetector("pii:passport", PASSPORT_PATTERN, group="value", guard=PASSPORT_GUARD if g else None),
        PatternDetector("pii:birth_date", BIRTH_DATE_PATTERN, group="value", guard=BIRTH_DATE_GUARD if g else None),
        PatternDetector("pii:address", ADDRESS_PATTERN, _address_valid, guard=ADDRESS_GUARD if g else None),
        GuardedDetector(NameDetector(), NAME_GUARD) if g else NameDetector(),
    )


def without_guards(detectors: Iterable[Any]) -> tuple[Any, ...]:
    """``detectors`` with every fast pre-filter taken off: a ``GuardedDetector`` gives its detector, a
    dataclass detector with a ``guard`` (``PatternDetector``, ``machinery.protection.Rule``) a copy without.
    The baseline the guards are checked and benchmarked against (tests/machinery/test_pii_guards.py,
    bench/bench_pii.py): one definition, so both take off the same guards."""
    out = []
    for detector in detectors:
        if isinstance(detector, GuardedDetector):
            detector = detector.detector
        elif dataclasses.is_dataclass(detector) and not isinstance(detector, type) and any(
                field.name == "guard" for field in dataclasses.fields(detector)):
            detector = dataclasses.replace(detector, guard=None)
        out.append(detector)
    return tuple(out)


def kinds(detectors: Iterable[Any]) -> list[str]:
    """The distinct kinds of ``detectors``, in order."""
    return list(dict.fromkeys(d.kind for d in detectors))
