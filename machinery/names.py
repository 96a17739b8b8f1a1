"""Person names in text: where a text says a name comes (greetings, titles, introductions, sign-offs),
and a known name with its inflected forms ("Marii Kowalskiej" for "Maria Kowalska").

Deliberately narrow: a name is found only in a context that says "this is a name", because a masked
product name is a broken translation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

PARTICLES = {"van", "de", "der", "den", "del", "la", "las", "los", "da", "di", "von", "ter", "ten", "y", "i"}
# Words that follow "Dear"/"Hi" and are not names.
_NOT_NAMES = {
    "customer", "customers", "client", "sir", "madam", "team", "all", "everyone", "there", "support", "friend",
    "friends", "colleague", "colleagues", "user", "users", "member", "members", "valued", "partner", "partners",
    "klant", "klanten", "heer", "mevrouw", "collega", "allemaal", "iedereen", "klient", "klientko", "kliencie",
    "państwo", "panie", "pani", "pan", "wszystkim", "klienditugi", "klientkonna", "kõigile",
    "cliente", "clientes", "señor", "señora", "equipo", "todos", "amigo", "amiga", "usuario", "usuaria",
    "good", "morning", "afternoon", "evening", "again", "thanks", "thank", "welcome", "hello", "hi", "dear",
    "buenos", "buenas", "días", "tardes", "noches", "goedemorgen", "goedemiddag", "goedenavond", "dzień", "dobry",
    "tere", "hommikust", "päevast", "õhtust", "acme", "tolk", "the", "our", "your", "mr", "mrs", "ms",
}
# A sign-off line naming a team or a department is not a person.
_TEAM_WORDS = {
    "support", "team", "service", "services", "care", "helpdesk", "desk", "department", "customer", "customers",
    "klantenservice", "klantendienst", "zespół", "zespołu", "obsługa", "obsługi", "dział", "klienditugi",
    "meeskond", "tugi", "soporte", "equipo", "atención", "servicio", "departamento", "cliente", "clientes",
}
_GREETING = (
    r"(?:Dear|Hi|Hello|Hey|Good\s+(?:morning|afternoon|evening)|"
    r"Beste|Geachte|Hallo|Hoi|Dag|Goedemorgen|Goedemiddag|"
    r"Szanown[ya]|Drog[ia]|Witaj|Witam|Cześć|Dzień\s+dobry|"
    r"Tere|Hea|Lugupeetud|Armas|"
    r"Estimad[oa]s?|Querid[oa]s?|Hola|Buenos\s+días|Buenas\s+tardes|Apreciad[oa])"
)
_TITLE = (
    r"(?:Mr\.?|Mrs\.?|Ms\.?|Miss|Dr\.?|Mx\.?|"
    r"heer|mevrouw|meneer|mevr\.|dhr\.|"
    r"Pan(?:i|ie|u|a|em|ią|o)?|pan(?:i|ie|u|a|em|ią)|"  # lowercase mid-sentence; not "pan" (Spanish: bread)
    r"härra|proua|pr\.|"
    r"señor(?:a|ita)?|Sr\.|Sra\.|Srta\.|don|doña|D\.ª?)"
)
_SIGN_OFF = (
    r"(?:(?:Kind|Best|Warm|Many\s+thanks\s+and\s+kind)\s+regards|Regards|Best\s+wishes|Sincerely|Yours\s+sincerely"
    r"|Thanks|Thank\s+you|Cheers|Best"
    r"|Met\s+vriendelijke\s+groet(?:en)?|Vriendelijke\s+groet(?:en)?|Groet(?:en|jes)?|Hartelijke\s+groet(?:en)?"
    r"|Pozdrawiam(?:\s+serdecznie)?|Z\s+poważaniem|Z\s+wyrazami\s+szacunku|Serdecznie\s+pozdrawiam"
    r"|Lugupidamisega|Parimate\s+soovidega|Tervitades|Tervitustega|Heade\s+soovidega"
    r"|Saludos(?:\s+cordiales)?|Un\s+saludo|Atentamente|Cordialmente|Gracias"
    r"|此致(?:敬禮)?|敬上|謝謝)"
)
_INTRODUCTION = (
    r"(?:my\s+name\s+is|my\s+name's|I\s+am\s+called|me\s+llamo|mi\s+nombre\s+es|nazywam\s+się|mam\s+na\s+imię"
    r"|mijn\s+naam\s+is|ik\s+heet|minu\s+nimi\s+on|mina\s+olen|mu\s+nimi\s+on)"
)
WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
GREETING_PATTERN = re.compile(rf"(?:^|(?<=\n)|(?<=[.!?]\s))[ \t]*{_GREETING}\b[ \t]*(?:{_TITLE}[ \t]+)?", re.IGNORECASE)
TITLE_PATTERN = re.compile(rf"(?<![\w])(?-i:{_TITLE})[ \t]+(?=[A-ZÀ-ÞĀ-ž])")
INTRODUCTION_PATTERN = re.compile(rf"(?<![\w]){_INTRODUCTION}[ \t]+", re.IGNORECASE)
SIGN_OFF_PATTERN = re.compile(rf"(?:^|(?<=\n))[ \t]*{_SIGN_OFF}[ \t]*[,.!]?[ \t]*\n[ \t]*", re.IGNORECASE)
# zh-Hant: "我叫王小明", "我的名字是林美玲", "親愛的陳先生", "林小姐您好"
_SURNAMES = ("陳林黃張李王吳劉蔡楊許鄭謝洪郭邱曾廖賴徐周葉蘇莊呂江何蕭羅高潘簡朱鍾彭游詹胡施沈余盧梁趙顏柯翁魏孫戴范方宋"
             "鄧杜傅侯曹薛丁卓馬阮董唐溫藍蔣石古紀姚連馮歐程湯田康姜汪白鄒尤巫鐘龔嚴韓袁黎金")
HAN_NAME_PATTERN = re.compile(
    rf"(?:(?:我叫|我的名字是|我是|本人)(?P<intro>[{_SURNAMES}][\u4e00-\u9fff]{{1,2}})(?=[，。,.!！\s]|$))"
    rf"|(?P<titled>[{_SURNAMES}][\u4e00-\u9fff]{{0,2}}?)(?=(?:先生|小姐|女士|太太)(?:您好|你好|，|,|\s|$))")


def _name_run(text: str, pos: int, *, first_lower_ok: bool = False, max_words: int = 3) -> tuple[int, int] | None:
    """The capitalised words (with particles such as "van der") starting at ``pos``: a person's name."""
    end, words, cursor = None, 0, pos
    start = None
    while words < max_words + 2:
        m = WORD.match(text, cursor)
        if not m:
            break
        word = m.group(0)
        if word.lower() in PARTICLES and words:
            nxt = re.match(r"[ \t]+", text[m.end():])
            cursor = m.end() + (nxt.end() if nxt else 0)
            continue
        if not (word[0].isupper() or (first_lower_ok and not words)) or word.lower() in _NOT_NAMES:
            break
        if word.isupper() and len(word) > 1 and words == 0 and len(word) > 3:
            break  # an acronym ("FAQ", "ACME") is not a name
        if start is None:
            start = m.start()
        end, words = m.end(), words + 1
        if words == max_words:
            break
        gap = re.match(r"[ \t]+", text[m.end():])
        if not gap:
            break
        cursor = m.end() + gap.end()
    if start is None or end is None:
        return None
    return start, end


class NameDetector:
    """Person names where the text says a name comes: greetings, titles, introductions and sign-offs."""

    kind = "pii:name"

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        for m in GREETING_PATTERN.finditer(text):
            found = _name_run(text, m.end())
            # A greeting is followed by the name and then a comma, "!" or the end of the line.
            if found and re.match(r"[ \t]*(?:[,!:;]|\n|$)", text[found[1]:]):
                yield found
        for m in TITLE_PATTERN.finditer(text):
            found = _name_run(text, m.end(), max_words=2)
            if found:
                yield found
        for m in INTRODUCTION_PATTERN.finditer(text):
            found = _name_run(text, m.end())
            if found:
                yield found
        for m in SIGN_OFF_PATTERN.finditer(text):
            found = _name_run(text, m.end())
            # The sign-off name is the whole line, and not a team's ("Zespół Obsługi Klienta").
            if (found and re.match(r"[ \t]*(?:\n|$)", text[found[1]:])
                    and not {w.lower() for w in WORD.findall(text[found[0]:found[1]])} & _TEAM_WORDS):
                yield found
        for m in HAN_NAME_PATTERN.finditer(text):
            group = "intro" if m.group("intro") else "titled"
            yield m.span(group)


# Endings of inflected forms of a name (Polish cases, Estonian cases, Dutch/English genitives): "Maria" ->
# "Marii", "Marię", "Marią"; "Kowalska" -> "Kowalskiej"; "Nowak" -> "Nowakowi"; "Tamm" -> "Tammele".
_INFLECTIONS = ("", "a", "e", "i", "o", "u", "y", "ę", "ą", "ie", "ii", "ią", "ię", "iu", "io", "ji", "ję", "ją", "iej", "ej", "em", "om", "owi",
                "ami", "ach", "ego", "emu", "ym", "im", "ą", "'s", "’s", "s", "'", "’", "le", "lt", "ga", "ks",
                "st", "sse", "l", "d", "t", "de", "te", "ni", "na", "ta", "iga", "ile", "ilt", "ist", "isse", "ele", "elt",
                "es", "est", "esse", "ega", "eni", "ena")


def _stem(word: str) -> str:
    """A name without its final vowel(s), so the inflected forms share it ("Maria" -> "Mar")."""
    stem = word
    while len(stem) > 3 and stem[-1].lower() in "aeiouyąęó":
        stem = stem[:-1]
    return stem


def inflected(word: str) -> str:
    """A regular expression for ``word`` and its inflected forms, as a whole word (a Han name: the characters
    as written, wherever they stand, since Chinese has no spaces between words)."""
    if all("\u4e00" <= c <= "\u9fff" for c in word):
        return re.escape(word)
    stem = _stem(word)
    rest = re.escape(word[len(stem):])
    endings = "|".join(sorted({re.escape(e) for e in _INFLECTIONS}, key=len, reverse=True))
    forms = rf"(?i:{re.escape(stem)})(?:{rest}|{endings})?" if rest else rf"(?i:{re.escape(stem)})(?:{endings})?"
    return rf"(?<![\w]){forms}(?![\w])"


def whole_name_pattern(name: str) -> re.Pattern[str] | None:
    """The whole name, each word possibly inflected ("Marii Kowalskiej" for "Maria Kowalska"), or None."""
    words = [w for w in WORD.findall(name) if len(w) >= 2 or not w.isascii()]
    if not words:
        return None
    return re.compile(r"\s*".join(inflected(w) for w in words))
