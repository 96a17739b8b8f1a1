"""Termbase data: concepts with their terms per locale, language-tag matching and pair entries."""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

from babel import Locale, UnknownLocaleError

from tolk.languages import normalize, subtags, underscored


class TermStatus(enum.StrEnum):
    """How a term may be used (TBX administrative status)."""

    PREFERRED = "preferred"
    ADMITTED = "admitted"
    FORBIDDEN = "forbidden"


STATUSES = tuple(TermStatus)

# Upload limits live with the callers' config; this is only the fallback when none is passed.
MAX_GLOSSARY_BYTES = 20 * 1024 * 1024

# A region implies the script for Chinese; without this, zh-TW would fall back to Simplified terms.
_IMPLIED_SCRIPT = {"zh-TW": "Hant", "zh-HK": "Hant", "zh-MO": "Hant", "zh-CN": "Hans", "zh-SG": "Hans"}
# The script a bare language tag means, so "zh" and "zh-Hans" find each other but "zh-Hant" never does.
_DEFAULT_SCRIPT = {"zh": "Hans", "sr": "Cyrl", "pa": "Guru", "uz": "Latn", "az": "Latn", "bs": "Latn"}


class GlossaryFormatError(ValueError):
    """An imported glossary file is invalid; ``line`` and/or ``element`` say where."""

    def __init__(self, message: str, *, line: int | None = None, element: str | None = None):
        where = []
        if line is not None:
            where.append(f"line {line}")
        if element:
            where.append(f"element <{element}>")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)
        self.reason = message
        self.line = line
        self.element = element


@lru_cache(maxsize=512)
def validate_lang(code: str) -> str:
    """Return the canonical tag if Babel knows the locale, else raise ValueError."""
    try:
        tag = normalize(code)
    except ValueError:
        raise ValueError(f"invalid language code {code!r}") from None
    if tag == "und" or not all(p.isalnum() for p in tag.split("-")):
        raise ValueError(f"unknown language code {code!r}")
    try:
        Locale.parse(underscored(tag))
    except (UnknownLocaleError, ValueError):
        raise ValueError(f"unknown language code {code!r}") from None
    return tag


@lru_cache(maxsize=512)
def lang_fallbacks(code: str) -> tuple[str, ...]:
    """Tags to try, best first, when looking up terms for ``code``: region dropped, script kept."""
    tag = normalize(code)
    lang, script, _region = subtags(tag)
    if script is None:
        script = _IMPLIED_SCRIPT.get(tag)
    out = [tag]
    if script:
        out.append(f"{lang}-{script}")
        if _DEFAULT_SCRIPT.get(lang) == script:
            out.append(lang)
    else:
        out.append(lang)
        if lang in _DEFAULT_SCRIPT:
            out.append(f"{lang}-{_DEFAULT_SCRIPT[lang]}")
    return tuple(dict.fromkeys(out))


# A termbase repeats a handful of tags in every row: parsing one (30-40 us) once per tag, not per term.
_lang_tag = lru_cache(maxsize=1024)(normalize)


@dataclass
class Term:
    """One designation of a concept in one locale."""

    lang: str
    text: str
    part_of_speech: str | None = None
    case_sensitive: bool = False
    status: str = "preferred"
    note: str | None = None

    def __post_init__(self) -> None:
        self.lang = _lang_tag(self.lang)
        self.text = " ".join(self.text.split())
        if not self.text:
            raise ValueError(f"empty {self.lang} term")
        if self.status not in STATUSES:
            raise ValueError(f"term status must be one of {', '.join(STATUSES)}, not {self.status!r}")
        self.part_of_speech = self.part_of_speech or None
        self.note = self.note or None


@dataclass
class Concept:
    """A termbase entry: one meaning with its terms in several locales."""

    terms: list[Term] = field(default_factory=list)
    id: str | None = None
    do_not_translate: bool = False
    note: str | None = None
    subject: str | None = None

    def __post_init__(self) -> None:
        self.id = self.id or None
        self.note = self.note or None
        self.subject = self.subject or None

    def terms_for(self, lang: str) -> list[Term]:
        """The terms of the best-matching locale (``pt-BR`` terms, else ``pt``), any status."""
        for tag in lang_fallbacks(lang):
            found = [t for t in self.terms if t.lang == tag]
            if found:
                return found
        return []

    def preferred(self, lang: str) -> Term | None:
        """The term to use in ``lang``: the first preferred one, else the first admitted one."""
        usable = self.allowed(lang)
        return next((t for t in usable if t.status == "preferred"), usable[0] if usable else None)

    def allowed(self, lang: str) -> list[Term]:
        """Preferred and admitted terms in ``lang``, preferred first."""
        found = [t for t in self.terms_for(lang) if t.status != "forbidden"]
        return sorted(found, key=lambda t: t.status != "preferred")

    def forbidden(self, lang: str) -> list[Term]:
        """Variants that must not appear in ``lang`` (deprecated, superseded, a competitor's name)."""
        return [t for t in self.terms_for(lang) if t.status == "forbidden"]

    def languages(self) -> list[str]:
        """Locales this concept has terms in, in order of first appearance."""
        return list(dict.fromkeys(t.lang for t in self.terms))

    def suggests_do_not_translate(self) -> bool:
        """A hint for the UI only: a proper noun spelled the same in every locale may be a brand name."""
        usable = [t for t in self.terms if t.status != "forbidden"]
        return (
            len({t.lang for t in usable}) > 1
            and len({t.text for t in usable}) == 1
            and any(t.part_of_speech == "properNoun" for t in usable)
        )


_T = TypeVar("_T")


@dataclass
class Termbase:
    """A named collection of concepts, with the locale its source terms are written in.

    ``revision`` is set on a snapshot of a stored glossary version (``glossaries.snapshot``), which nobody
    changes: its pair entries, checksums and compiled matchers are then computed once and kept.
    """

    name: str
    source_lang: str
    concepts: Sequence[Concept] = field(default_factory=list)
    description: str = ""
    revision: Hashable | None = field(default=None, compare=False, repr=False)
    _derived: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.source_lang = normalize(self.source_lang)

    def derived(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """``compute()``, kept on a snapshot (``revision`` set) so it runs once per glossary version."""
        if self.revision is None:
            return compute()
        if key not in self._derived:
            self._derived[key] = compute()
        value: _T = self._derived[key]
        return value

    def derived_items(self) -> dict[Hashable, Any]:
        """What was derived so far (a snapshot's, to share with other processes)."""
        return dict(self._derived)

    def preset(self, derived: dict[Hashable, Any]) -> None:
        """Derived data computed elsewhere from the same glossary version (``glossaries.snapshot``)."""
        if self.revision is not None:
            self._derived.update(derived)

    def languages(self) -> list[str]:
        """Every locale with terms, the source locale first, then in order of first appearance."""
        seen = dict.fromkeys([self.source_lang])
        for concept in self.concepts:
            seen.update(dict.fromkeys(concept.languages()))
        return list(seen)

    def pair_entries(self, source: str, target: str) -> dict[str, str]:
        """Source preferred term -> target preferred term; do-not-translate terms map to themselves."""
        return self.derived(("pair_entries", source, target), lambda: self._pair_entries(source, target))

    def forbidden_terms(self, lang: str) -> tuple[str, ...]:
        """Every variant the termbase forbids in ``lang``, once each, in concept order."""
        return self.derived(("forbidden", lang), lambda: tuple(dict.fromkeys(
            t.text for concept in self.concepts for t in concept.forbidden(lang))))

    def _pair_entries(self, source: str, target: str) -> dict[str, str]:
        entries: dict[str, str] = {}
        for concept in self.concepts:
            src = concept.preferred(source)
            if src is None:
                continue
            if concept.do_not_translate:
                entries.setdefault(src.text, src.text)
                continue
            tgt = concept.preferred(target)
            if tgt is not None:
                # An engine glossary takes one target per source term: the first concept wins.
                entries.setdefault(src.text, tgt.text)
        return entries

    def checksum(self, source: str, target: str) -> str:
        """SHA-256 of the pair's entries, stable across runs: an engine glossary named by it is reusable."""
        return self.derived(("checksum", source, target), lambda: self._checksum(source, target))

    def _checksum(self, source: str, target: str) -> str:
        payload = json.dumps(
            [normalize(source), normalize(target), sorted(self.pair_entries(source, target).items())],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()
