"""Forms of address per language: which words of a text address the reader formally or informally.

The register check (``lqa.checks.RegisterCheck``) compares what it finds here with the locale
profile's formality. The lists hold only words whose register is unambiguous in customer support:
pronouns and possessives that belong to one register (Spanish "tú", "vuestro"; German "du", "dein"),
and, where that is cheap and safe, second-person verb forms ("eres", "tienes", "podéis"). Words that
are also something else (Spanish "su" is also his/her/their, German "Sie" also she/they at the start
of a sentence, Italian "lei" also she) count only in their unambiguous spelling: capitalised inside a
sentence ("... helfen Sie", "... che Lei ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FORMAL, INFORMAL = "formal", "informal"


@dataclass(frozen=True)
class AddressForm:
    """One word of the text that addresses the reader in one register."""

    text: str
    span: tuple[int, int]
    register: str  # formal | informal


def _words(*words: str) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


# Matched case-insensitively, anywhere in the text. Ustedes is left out: in Latin America it is the
# only plural, used with friends as well.
_ANYWHERE: dict[str, dict[str, str]] = {
    "es": {
        INFORMAL: _words("tú", "ti", "contigo", "te", "tu", "tus", "tuyo", "tuya", "tuyos", "tuyas", "vosotros",
                         "vosotras", "os", "vuestro", "vuestra", "vuestros", "vuestras",
                         # second-person singular and vosotros verb forms of the commonest verbs
                         "eres", "estás", "tienes", "puedes", "quieres", "necesitas", "debes", "sabes", "has",
                         "vas", "haces", "recibiste", "hiciste", "pagaste", "compraste", "sois", "estáis",
                         "tenéis", "podéis", "queréis", "necesitáis", "debéis", "habéis", "vais", "hacéis"),
        FORMAL: _words("usted", "ud", "vd"),
    },
    "ca": {
        INFORMAL: _words("tu", "teu", "teva", "teus", "teves", "vosaltres", "et", "ets", "tens", "pots", "vols",
                         "necessites", "has"),
        FORMAL: _words("vostè", "vostès"),
    },
    "de": {
        INFORMAL: _words("du", "dich", "dir", "dein", "deine", "deinen", "deinem", "deiner", "deines", "euch",
                         "euer", "eure", "euren", "eurem", "eurer", "eures", "bist", "hast", "kannst",
                         "musst", "willst", "brauchst"),
        FORMAL: _words("ihnen"),  # lower case "ihnen" (them) is excluded below
    },
    "nl": {
        INFORMAL: _words("jij", "je", "jou", "jouw", "jullie", "jouwe"),
        FORMAL: _words("u", "uw", "uwe"),
    },
    "fr": {
        INFORMAL: _words("tu", "te", "toi", "ton", "ta", "tes"),
        FORMAL: _words("vous", "votre", "vos", "vôtre", "vôtres"),
    },
    "it": {
        INFORMAL: _words("tu", "ti", "te", "tuo", "tua", "tuoi", "tue", "hai", "puoi", "vuoi", "devi"),
        FORMAL: "",
    },
    "pt": {
        INFORMAL: _words("tu", "te", "ti", "contigo", "teu", "tua", "teus", "tuas", "você", "vocês"),
        FORMAL: _words("o senhor", "a senhora", "os senhores", "as senhoras", "vossa senhoria", "v. sa."),
    },
    "pl": {
        INFORMAL: _words("ty", "ciebie", "cię", "tobie", "tobą", "twój", "twoja", "twoje", "twojego", "twojej",
                         "twoim", "twoich", "twoją", "jesteś", "możesz", "masz", "chcesz", "musisz"),
        FORMAL: _words("pan", "pani", "pana", "panu", "panem", "panią", "państwo", "państwa", "państwu",
                       "państwem"),
    },
    "et": {
        INFORMAL: _words("sina", "sa", "sinu", "sind", "sulle", "sul", "sinuga", "sinul"),
        FORMAL: _words("teie", "teid", "teile", "teil", "teiega"),
    },
    "ru": {
        INFORMAL: _words("ты", "тебя", "тебе", "тобой", "твой", "твоя", "твоё", "твое", "твои", "твоего",
                         "твоей", "твоих"),
        FORMAL: "",
    },
}

# Matched case-sensitively and only inside a sentence, where the capital marks the polite form.
_CAPITALISED: dict[str, str] = {
    "de": _words("Sie", "Ihr", "Ihre", "Ihren", "Ihrem", "Ihrer", "Ihres"),
    "it": _words("Lei", "La", "Le", "Suo", "Sua", "Suoi", "Sue", "Loro"),
    "ru": _words("Вы", "Вас", "Вам", "Вами", "Ваш", "Ваша", "Ваше", "Ваши", "Вашего", "Вашей", "Ваших"),
}

# Scripts without word spaces: the pronoun itself is the marker.
_CHARACTERS: dict[str, dict[str, str]] = {
    "zh": {INFORMAL: "你", FORMAL: "您"},
}

_SENTENCE_START = re.compile(r"(?:^|[.!?¡¿:;…\n]\s*|[\"'“«(]\s*)$")


def _pattern(words: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w'’-])(?:{words})(?![\w'’-])", re.IGNORECASE)


_PATTERNS = {lang: {reg: _pattern(words) for reg, words in forms.items() if words}
             for lang, forms in _ANYWHERE.items()}
_CAPITAL_PATTERNS = {lang: re.compile(rf"(?<![\w'’-])(?:{words})(?![\w'’-])") for lang, words in _CAPITALISED.items()}


def languages() -> frozenset[str]:
    """Base languages whose forms of address are known."""
    return frozenset({*_ANYWHERE, *_CAPITALISED, *_CHARACTERS})


def address_forms(text: str, lang: str) -> list[AddressForm]:
    """The words of ``text`` (in base language ``lang``) that address the reader, in text order."""
    found: list[AddressForm] = []
    for register, pattern in _PATTERNS.get(lang, {}).items():
        for m in pattern.finditer(text):
            if lang == "de" and m.group(0) == "ihnen":
                continue  # "mit ihnen" is "with them"; only "Ihnen" addresses the reader
            found.append(AddressForm(m.group(0), m.span(), register))
    capital = _CAPITAL_PATTERNS.get(lang)
    if capital is not None:
        for m in capital.finditer(text):
            if not _SENTENCE_START.search(text[:m.start()]):
                found.append(AddressForm(m.group(0), m.span(), FORMAL))
    for register, chars in _CHARACTERS.get(lang, {}).items():
        found.extend(AddressForm(m.group(0), m.span(), register) for m in re.finditer(f"[{chars}]", text))
    found.sort(key=lambda form: form.span)
    return found
