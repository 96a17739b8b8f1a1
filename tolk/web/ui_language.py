"""The interface language: catalogs shipped in ``translations/``, compiled at start-up, chosen per session."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import request, session

from tolk.config import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "translations"
SOURCE_LOCALE = "en"


def ui_locales() -> list[str]:
    """UI locales shipped with Tolk: English (the source) and each ``translations/<lang>`` catalog."""
    found = sorted(p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
    return [SOURCE_LOCALE, *[lang for lang in found if lang != SOURCE_LOCALE]]


def compile_catalogs(source: Path, target: Path) -> list[Path]:
    """Compile each ``messages.po`` under ``source`` to a ``.mo`` under ``target`` when missing or older."""
    written = []
    for po in sorted(source.glob("*/LC_MESSAGES/messages.po")):
        mo = target / po.relative_to(source).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        # Several gunicorn workers may compile at once: write aside, then rename atomically.
        fd, tmp = tempfile.mkstemp(dir=mo.parent, suffix=".mo.tmp")
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalog)
        os.replace(tmp, mo)
        written.append(mo)
    return written


def select_locale() -> str:
    """The session's chosen UI locale, else the browser's best shipped match, else English."""
    shipped = ui_locales()
    chosen = session.get("ui_locale")
    if chosen in shipped:
        return chosen
    return request.accept_languages.best_match(shipped) or SOURCE_LOCALE


def locale_name(tag: str) -> str:
    """A locale's name in its own language ("Español", "中文 (繁體)" for ``zh-Hant``), from Babel's data;
    a BCP 47 tag (``es-MX``) and a POSIX one (``es_MX``) alike; the tag itself if Babel knows no name."""
    try:
        locale = Locale.parse(tag.replace("_", "-"), sep="-")
        name = locale.get_display_name(locale)
    except (ValueError, LookupError, TypeError, UnknownLocaleError):
        return tag
    return name[:1].upper() + name[1:] if name else tag
