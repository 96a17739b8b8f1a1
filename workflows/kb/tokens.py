"""Inline tags of a segment as protected tokens, and article markup checked before it goes live.

A translator edits a segment as text in which each inline tag of the source is a numbered token: ``<1>``
opens and ``</1>`` closes the source's first paired tag, ``<2/>`` stands for a standalone one (a line
break, an image). The numbers are the inline codes of the XLIFF hand-off (``xliff_doc.html_to_content``),
so a segment reads the same in the editor and in an agency's tool. Text typed between the tokens is
escaped: a translator cannot add markup, only move the source's. ``to_html`` refuses a target whose
tokens are not exactly the source's, each once and properly nested, naming the segment.

``markup_problems`` checks a whole article's HTML the way a browser would not: every inline tag closed
where it should be. A sanitizer repairs a missing ``</strong>`` by making the rest of the page bold;
this check refuses it before approval or publishing instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tolk.errors import ValidationError
from workflows.kb.markup import ALLOWED_TAGS
from workflows.kb.segmentation import VOID_TAGS
from workflows.kb.xliff_doc import Code, Content, content_to_html, html_to_content, natives_of

_TOKEN = re.compile(r"<(/?)([0-9]{1,3})(/?)>")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b[^>]*?(/?)>", re.S)
_KINDS = {"open": "<{}>", "close": "</{}>", "standalone": "<{}/>"}


def token(code: Code) -> str:
    """How a code reads in the editor: ``<1>``, ``</1>`` or ``<1/>``."""
    return _KINDS[code.kind].format(code.id)


def source_tokens(source_html: str) -> list[str | Code]:
    """The source segment as content: text and its inline codes numbered from 1."""
    return html_to_content(source_html)


def to_tokens(target_html: str, source_html: str) -> str:
    """A translated segment's HTML as editor text, its tags numbered as the source's same tags.

    A tag the source does not have (an engine may add one) keeps a number the source does not use, so
    saving it is refused until the translator removes it.
    """
    source = [c for c in source_tokens(source_html) if isinstance(c, Code) and c.kind != "close"]
    unused = {c.id: (c.native or "").lower() for c in source}
    ids: dict[str, str] = {}
    spare = len(source) + 1
    out = []
    for part in html_to_content(target_html):
        if isinstance(part, str):
            out.append(part)
            continue
        if part.kind == "close":
            out.append(f"</{ids.get(part.id, part.id)}>")
            continue
        native = (part.native or "").lower()
        found = next((i for i, n in unused.items() if n == native), None)
        if found is None:
            found, spare = str(spare), spare + 1
        else:
            del unused[found]
        ids[part.id] = found
        out.append(token(Code(part.kind, found)))
    return "".join(out)


def _parse(text: str) -> Content:
    content: Content = []
    pos = 0
    for m in _TOKEN.finditer(text):
        if m.start() > pos:
            content.append(text[pos:m.start()])
        closing, number, standalone = m.group(1), m.group(2), m.group(3)
        if closing and standalone:
            content.append(m.group(0))  # "</1/>" is no token: keep it as text
        else:
            content.append(Code("close" if closing else "standalone" if standalone else "open", number))
        pos = m.end()
    if pos < len(text):
        content.append(text[pos:])
    return content


def token_problems(text: str, source_html: str) -> list[str]:
    """What is wrong with the tokens of ``text`` against the source segment's tags (empty: nothing)."""
    expected = [token(c) for c in source_tokens(source_html) if isinstance(c, Code)]
    content = _parse(text)
    problems: list[str] = []
    seen: list[str] = []
    stack: list[str] = []
    for part in content:
        if isinstance(part, str):
            continue
        name = token(part)
        if name not in expected:
            problems.append(f"{name} is not a tag of the source")
            continue
        if name in seen:
            problems.append(f"{name} appears more than once")
            continue
        seen.append(name)
        if part.kind == "open":
            stack.append(part.id)
        elif part.kind == "close":
            if not stack or stack[-1] != part.id:
                where = f"<{part.id}>" if part.id not in stack else f"</{stack[-1]}>"
                problems.append(f"</{part.id}> comes before {where}: tags must open before they close and nest")
                if part.id in stack:
                    stack.remove(part.id)
            else:
                stack.pop()
    problems.extend(f"{name} is missing" for name in expected if name not in seen)
    return problems


def to_html(text: str, source_html: str, number: int) -> str:
    """A segment's editor text as HTML with the source's tags; 400 naming segment ``number`` when its
    tokens are not exactly the source's, each once and properly nested, or when it is empty."""
    if not text.strip():
        raise ValidationError(f"segment {number}: the translation is empty", code="empty_segment",
                              details={"segment": number})
    problems = token_problems(text, source_html)
    if problems:
        raise ValidationError(f"segment {number}: {'; '.join(problems)}", code="invalid_tags",
                              details={"segment": number, "problems": problems})
    natives = natives_of(source_tokens(source_html))
    return content_to_html(_parse(text), natives)


def markup_problems(body_html: str) -> list[str]:
    """Unbalanced markup in an article body: tags of the KB's allow-list never closed, closed out of order,
    or closing nothing. (Other tags and attributes are dropped by ``sanitize``; they make no page bold.)"""
    problems: list[str] = []
    stack: list[tuple[str, int]] = []
    for m in _TAG.finditer(body_html):
        closing, name, self_closing = m.group(1), m.group(2).lower(), m.group(3)
        line = body_html.count("\n", 0, m.start()) + 1
        if name in VOID_TAGS or self_closing or name not in ALLOWED_TAGS:
            continue  # a tag outside the allow-list is dropped by the sanitizer, whatever its balance
        if not closing:
            stack.append((name, line))
        elif stack and stack[-1][0] == name:
            stack.pop()
        elif any(open_name == name for open_name, _ in stack):
            inner, inner_line = stack.pop()
            problems.append(f"<{inner}> (line {inner_line}) is not closed before </{name}>")
            while stack and stack[-1][0] != name:
                stack.pop()
            if stack:
                stack.pop()
        else:
            problems.append(f"</{name}> (line {line}) closes no open tag")
    problems.extend(f"<{name}> (line {line}) is never closed" for name, line in stack)
    return problems


def check_markup(body_html: str, what: str = "the article") -> None:
    """400 when ``body_html`` has unbalanced markup: it must not go live repaired by guesswork."""
    problems = markup_problems(body_html)
    if problems:
        raise ValidationError(f"{what} has broken markup: {'; '.join(problems[:5])}", code="broken_markup",
                              details={"problems": problems[:50]})


def segments_to_html(texts: Sequence[str], sources: Sequence[str]) -> list[str]:
    """Each segment's editor text as HTML (``to_html``), segments numbered from 1."""
    return [to_html(text, source, i) for i, (text, source) in enumerate(zip(texts, sources, strict=True), start=1)]
