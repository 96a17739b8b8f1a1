"""BCP 47 language tags: validation, canonical spelling (en-US, zh-Hant, pt-BR), subtags and fallbacks.

Every part of Tolk that reads or spells a language tag does it here; vendors' own codes (DeepL's
``PT-BR``, Apertium's ``por``) are mapped in their engine modules, from the subtags given here.
"""

from __future__ import annotations

import functools
import re

from babel import Locale, UnknownLocaleError

from tolk.errors import ValidationError

#: The tags :func:`canonical` reads (language, script, region, variant; ``-`` or ``_`` between them).
TAG_PATTERN = r"^([A-Za-z]{2,3})(?:[-_]([A-Za-z]{4}))?(?:[-_]([A-Za-z]{2}|\d{3}))?(?:[-_]([A-Za-z0-9]{5,8}))?$"
_TAG = re.compile(TAG_PATTERN)


class UnknownLanguage(ValueError):
    """A language tag that is malformed or names no known language."""


@functools.cache
def _territories() -> frozenset[str]:
    return frozenset(Locale("en").territories) - {"ZZ"}


@functools.cache
def canonical(tag: str) -> str:
    """The canonical form of ``tag``; raise UnknownLanguage when it is malformed or unknown."""
    m = _TAG.match((tag or "").strip())
    if not m:
        raise UnknownLanguage(f"{tag!r} is not a BCP 47 language tag")
    lang, script, region, variant = m.groups()
    lang = lang.lower()
    try:
        Locale(lang)
    except (UnknownLocaleError, ValueError) as exc:
        raise UnknownLanguage(f"unknown language {tag!r}") from exc
    parts = [lang]
    if script:
        if script.title() not in {"Hans", "Hant", "Latn", "Cyrl", "Arab", "Deva", "Grek", "Hebr", "Jpan", "Kore"}:
            raise UnknownLanguage(f"unknown script in {tag!r}")
        parts.append(script.title())
    if region:
        if region.upper() not in _territories():
            raise UnknownLanguage(f"unknown region in {tag!r}")
        parts.append(region.upper())
    if variant:
        parts.append(variant.lower())
    return "-".join(parts)


def check(tag: str, field: str | None = None) -> str:
    """The canonical form of ``tag``; a ValidationError (``unknown_language``) when it is malformed or unknown,
    naming the request ``field`` it came from when given."""
    try:
        return canonical(tag)
    except UnknownLanguage as exc:
        if field is None:
            raise ValidationError(str(exc), code="unknown_language") from exc
        raise ValidationError(f"'{field}': {exc}", code="unknown_language", details={"field": field}) from exc


def normalize(code: str) -> str:
    """The tag in canonical case without checking that it exists (``pt_br`` -> ``pt-BR``, ``ZH-hant`` ->
    ``zh-Hant``); ValueError when it is empty."""
    parts = [p for p in code.strip().replace("_", "-").split("-") if p]
    if not parts:
        raise ValueError("empty language code")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) in (2, 3) and (part.isalpha() or part.isdigit()):
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def base(tag: str | None) -> str:
    """The language subtag alone: ``es-MX`` -> ``es``, ``pt_BR`` -> ``pt`` (``""`` for no tag)."""
    return (tag or "").replace("_", "-").split("-")[0].lower()


def same_language(a: str, b: str) -> bool:
    """Whether two tags name the same language, whatever their script or region (``pt-BR``, ``pt-PT``)."""
    return base(a) == base(b)


def subtags(tag: str) -> tuple[str, str | None, str | None]:
    """(language, script, region) of a tag in any spelling: ``zh-hant-tw`` -> ('zh', 'Hant', 'TW')."""
    parts = tag.replace("_", "-").split("-")
    language, script, region = parts[0].lower(), None, None
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha() and script is None and region is None:
            script = part.title()
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            region = part.upper()
    return language, script, region


def underscored(tag: str) -> str:
    """The POSIX spelling gettext and Babel use: ``zh-Hant`` -> ``zh_Hant``, ``de-CH`` -> ``de_CH``."""
    return tag.replace("-", "_")


def fallbacks(tag: str) -> list[str]:
    """The chain from most to least specific: ``de-CH`` -> [``de-CH``, ``de``]."""
    parts = tag.split("-")
    return ["-".join(parts[:i]) for i in range(len(parts), 0, -1)]


def locale_chain(tag: str) -> list[str]:
    """Fallback chain of a locale, most specific first; Chinese never falls back across scripts
    (``zh-TW`` -> ``zh-Hant``, never the bare ``zh`` a Simplified catalog would claim)."""
    tag = canonical(tag)
    script = chinese_script(tag)
    if script is None:
        return fallbacks(tag)
    if tag == "zh":
        return ["zh", "zh-Hans"]
    chain = []
    for step in fallbacks(tag):
        _lang, step_script, step_region = subtags(step)
        if step == "zh" or (step_script is not None and step_region is None and step_script != script):
            step = f"zh-{script}"
        if step not in chain:
            chain.append(step)
    if f"zh-{script}" not in chain:
        chain.append(f"zh-{script}")
    return chain


@functools.cache
def babel_locale(tag: str) -> Locale:
    """The Babel locale for a BCP 47 tag (``zh-Hant`` -> ``zh_Hant``), falling back along the chain."""
    for step in locale_chain(tag):
        try:
            return Locale.parse(step, sep="-")
        except (UnknownLocaleError, ValueError):
            continue
    return Locale("en")


def chinese_script(tag: str) -> str | None:
    """``Hans`` or ``Hant`` for a Chinese tag (zh-TW, zh-HK, zh-MO mean Traditional), else None."""
    parts = tag.split("-")
    if parts[0] != "zh":
        return None
    if "Hant" in parts or any(p in {"TW", "HK", "MO"} for p in parts):
        return "Hant"
    return "Hans"


def _scope_parts(tag: str, *, infer_chinese: bool) -> tuple[str, str | None, str | None]:
    """(language, script, region) of a canonical tag; for Chinese the script follows from the region."""
    m = _TAG.match(tag)
    if not m:
        return tag.lower(), None, None
    lang, script, region, _variant = m.groups()
    lang = lang.lower()
    script = script.title() if script else None
    region = region.upper() if region else None
    if lang == "zh" and script is None and (region or infer_chinese):
        script = chinese_script(tag)
    return lang, script, region


def covers(languages: str | list[str] | tuple[str, ...], tag: str) -> bool:
    """Whether a person with ``languages`` (e.g. a reviewer's) may act on text in ``tag``.

    A language alone covers every variant (``pt`` covers ``pt-BR`` and ``pt-PT``; ``zh`` covers
    Simplified and Traditional); a script or region narrows it to that script or region (``pt-BR`` covers
    ``pt-BR`` only, ``zh-Hant`` covers ``zh-Hant``, ``zh-TW`` and ``zh-HK``, never ``zh-Hans``).
    Chinese without a script or region means Simplified. A tag with no region (``pt``) is covered by any
    variant of the language in the same script: it asks for the language, not a country's usage.
    """
    wanted = [languages] if isinstance(languages, str) else list(languages)
    t_lang, t_script, t_region = _scope_parts(tag, infer_chinese=True)
    for own in wanted:
        o_lang, o_script, o_region = _scope_parts(own, infer_chinese=False)
        if o_lang != t_lang:
            continue
        if o_script and t_script and o_script != t_script:
            continue
        if o_region and t_region and o_region != t_region:
            continue
        return True
    return False
