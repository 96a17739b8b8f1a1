"""Untranslatable content of a segment hidden from machine translation and put back verbatim.

Each element ``lqa.checks.untranslatable_spans`` finds (``code``, ``pre``, ``kbd``, ``samp``,
``translate="no"``, ``class="notranslate"``) is replaced by a ``{kb_keep_N}`` placeholder before the
segment is sent; the engine layer protects placeholders, so the token comes back and the original
element is put in its place. A token the engine lost leaves the element missing, which the
``protected_content`` check then flags as critical.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lqa.checks import untranslatable_spans

_TOKEN = "{{kb_keep_{}}}"
_ANY_TOKEN = re.compile(r"\{kb_keep_(\d+)\}")


def mask(html: str) -> tuple[str, list[str]]:
    """``html`` with each untranslatable element replaced by a placeholder, and the elements in order."""
    parts: list[str] = []
    kept: list[str] = []
    pos = 0
    for start, end in untranslatable_spans(html):
        parts.append(html[pos:start])
        parts.append(_TOKEN.format(len(kept)))
        kept.append(html[start:end])
        pos = end
    parts.append(html[pos:])
    return "".join(parts), kept


def unmask(text: str, kept: Sequence[str]) -> str:
    """Put the kept elements back in place of their placeholders (each once; unknown tokens stay)."""
    used: set[int] = set()

    def back(m: re.Match[str]) -> str:
        i = int(m.group(1))
        if i >= len(kept) or i in used:
            return m.group(0)
        used.add(i)
        return kept[i]

    return _ANY_TOKEN.sub(back, text)
