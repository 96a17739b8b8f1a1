"""BCP 47 language tags: validation and canonical spelling (en-US, zh-Hant, pt-BR)."""

from __future__ import annotations

import functools
import re

from babel import Locale, UnknownLocaleError

_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_]([A-Za-z]{4}))?(?:[-_]([A-Za-z]{2}|\d{3}))?(?:[-_]([A-Za-z0-9]{5,8}))?$")


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


def base(tag: str) -> str:
    """The language subtag alone: ``es-MX`` -> ``es``."""
    return tag.split("-")[0].lower()


def fallbacks(tag: str) -> list[str]:
    """The chain from most to least specific: ``de-CH`` -> [``de-CH``, ``de``]."""
    parts = tag.split("-")
    return ["-".join(parts[:i]) for i in range(len(parts), 0, -1)]


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
