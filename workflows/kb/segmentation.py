"""Segmentation of sanitized article HTML into sentences that keep their inline markup.

A segment is a sentence (pysbd, per block element, language-aware) with its inline tags (``b``,
``a``, ``code``...) inside it, so an engine sees the whole sentence and the markup survives. Block
tags (``p``, ``li``, ``td``...), line breaks, ``pre`` blocks and the whitespace between sentences stay
in the template: the source HTML itself, in which each segment is a span. ``reassemble`` puts
translations into those spans, so with identity translations it returns the source byte for byte.

The input must be sanitized (``workflows.kb.markup.sanitize``): its tags are then well formed, attribute
values are quoted with ``>`` escaped, and there are no comments.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pysbd
from pysbd.languages import LANGUAGE_CODES

from tolk.languages import base

#: Elements that start a new block: a sentence never spans two of them.
BLOCK_TAGS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "table", "thead", "tbody",
    "tfoot", "tr", "td", "th", "caption", "div", "section", "article", "dl", "dt", "dd", "figure",
    "figcaption", "hr",
})
#: Elements whose content is never translated: kept whole in the template.
OPAQUE_TAGS = frozenset({"pre", "script", "style", "textarea"})
#: Void elements that end a segment (a line break inside a paragraph separates lines, not words).
BREAK_TAGS = frozenset({"br", "hr", "wbr"})
VOID_TAGS = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "source", "track", "wbr"})

_TOKEN = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b[^>]*>|[^<]+|<", re.S)
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


@dataclass(frozen=True)
class Segment:
    """One sentence of an article: its HTML (inline tags included) and where it sits in the source."""

    text_html: str
    block_index: int  # which block element (paragraph, list item, cell...) it belongs to
    start: int  # offsets of the sentence in the sanitized source HTML
    end: int

    @property
    def text(self) -> str:
        """The sentence as plain text (tags dropped, entities decoded)."""
        return html.unescape(re.sub(r"<[^>]*>", "", self.text_html))


@dataclass
class _Token:
    start: int
    end: int
    kind: str  # text | open | close | void | opaque
    name: str = ""
    hard: bool = False  # ends the current run of inline content


def _tokens(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    opaque_until = -1
    for m in _TOKEN.finditer(source):
        if m.start() < opaque_until:
            continue
        closing, name = m.group(1), (m.group(2) or "").lower()
        if not name:
            tokens.append(_Token(m.start(), m.end(), "text"))
        elif name in OPAQUE_TAGS and not closing:
            end = source.lower().find(f"</{name}>", m.end())
            opaque_until = len(source) if end < 0 else end + len(name) + 3
            tokens.append(_Token(m.start(), opaque_until, "opaque", name, hard=True))
        elif name in VOID_TAGS or m.group(0).endswith("/>"):
            tokens.append(_Token(m.start(), m.end(), "void", name, hard=name in BREAK_TAGS or name in BLOCK_TAGS))
        else:
            tokens.append(_Token(m.start(), m.end(), "close" if closing else "open", name,
                                 hard=name in BLOCK_TAGS))
    _mark_structural(tokens)
    return tokens


def _mark_structural(tokens: list[_Token]) -> None:
    """An inline element that contains a block (``<b>x<p>y</p></b>``) or is unmatched acts as a block."""
    hard_before = [0] * (len(tokens) + 1)
    for i, tok in enumerate(tokens):
        hard_before[i + 1] = hard_before[i] + tok.hard
    stack: list[int] = []
    for i, tok in enumerate(tokens):
        if tok.hard:
            continue
        if tok.kind == "open":
            stack.append(i)
        elif tok.kind == "close":
            if stack and tokens[stack[-1]].name == tok.name:
                j = stack.pop()
                if hard_before[i] != hard_before[j + 1]:
                    tokens[i].hard = tokens[j].hard = True
            else:
                tok.hard = True
    for j in stack:
        tokens[j].hard = True


@functools.cache
def _segmenter(lang: str) -> pysbd.Segmenter:
    language = base(lang)
    # pysbd has no rules for some languages (Estonian, Catalan...): English rules split them well enough.
    return pysbd.Segmenter(language=language if language in LANGUAGE_CODES else "en", clean=False)


def _sentences(plain: str, lang: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in ``plain``, trimmed of surrounding whitespace."""
    spans, cursor = [], 0
    for sentence in _segmenter(lang).segment(plain):
        core = sentence.strip()
        if not core:
            continue
        at = plain.find(core, cursor)
        if at < 0:  # pysbd changed the text: do not split this run at all
            stripped = plain.strip()
            first = plain.find(stripped)
            return [(first, first + len(stripped))]
        spans.append((at, at + len(core)))
        cursor = at + len(core)
    return spans


class _Run:
    """Inline content between two hard tokens: plain text mapped to source offsets, and tag depth."""

    def __init__(self, source: str, tokens: Sequence[_Token]):
        self.start, self.end = tokens[0].start, tokens[-1].end
        self.plain: list[str] = []
        self.where: list[tuple[int, int]] = []  # source span of each plain character
        self.depth_at: dict[int, int] = {self.start: 0}  # depth at each token boundary
        self.text_depth: list[tuple[int, int, int]] = []  # (start, end, depth) of text tokens
        depth = 0
        for tok in tokens:
            if tok.kind == "text":
                self.text_depth.append((tok.start, tok.end, depth))
                pos = tok.start
                for m in _ENTITY.finditer(source, tok.start, tok.end):
                    self._chars(source, pos, m.start())
                    decoded = html.unescape(m.group(0))
                    self.plain.append(decoded[:1] if len(decoded) == 1 else " ")
                    self.where.append((m.start(), m.end()))
                    pos = m.end()
                self._chars(source, pos, tok.end)
            elif tok.kind == "open":
                depth += 1
            elif tok.kind == "close":
                depth -= 1
            self.depth_at[tok.end] = depth

    def _chars(self, source: str, start: int, end: int) -> None:
        for k in range(start, end):
            self.plain.append(source[k])
            self.where.append((k, k + 1))

    def depth(self, pos: int) -> int | None:
        """Tag depth at source offset ``pos`` (None when ``pos`` is inside a tag)."""
        if pos in self.depth_at:
            return self.depth_at[pos]
        for start, end, depth in self.text_depth:
            if start < pos < end:
                return depth
        return None

    def cut(self, lo: int, hi: int, *, first: bool) -> int | None:
        """The first (or last) offset in [lo, hi] outside every inline element, if any."""
        positions = range(lo, hi + 1) if first else range(hi, lo - 1, -1)
        for pos in positions:
            if self.depth(pos) == 0:
                return pos
        return None


def segment(source_html: str, lang: str) -> list[Segment]:
    """Split sanitized HTML into sentence segments (inline markup kept inside), in document order."""
    return list(_segments(source_html, lang))


@functools.lru_cache(maxsize=64)
def _segments(source_html: str, lang: str) -> tuple[Segment, ...]:
    """``segment``, kept for the last articles a process split: a job, its re-run and the editor split the same
    revision, and sentence splitting is the costliest step of a re-run served by the translation memory."""
    tokens = _tokens(source_html)
    segments: list[Segment] = []
    block = -1
    run: list[_Token] = []
    for tok in [*tokens, None]:
        if tok is not None and not tok.hard:
            run.append(tok)
            continue
        if run:
            segments.extend(_split_run(source_html, run, max(block, 0), lang))
            run = []
        if tok is not None and tok.kind in ("open", "void", "opaque") and tok.name in BLOCK_TAGS:
            block += 1
    return tuple(segments)


def _split_run(source: str, tokens: Sequence[_Token], block: int, lang: str) -> list[Segment]:
    run = _Run(source, tokens)
    plain = "".join(run.plain)
    if not plain.strip():
        return []
    spans = _sentences(plain, lang)
    # Source offsets of each sentence's first and last character.
    bounds = [(run.where[s][0], run.where[e - 1][1]) for s, e in spans]
    out: list[Segment] = []
    begin = run.cut(run.start, bounds[0][0], first=False)
    for k in range(len(bounds)):
        last = k == len(bounds) - 1
        if last:
            finish = run.cut(bounds[k][1], run.end, first=True)
        else:
            finish = run.cut(bounds[k][1], bounds[k + 1][0], first=True)
            if finish is None:  # the boundary is inside an inline element: keep the sentences together
                continue
        if begin is None or finish is None:  # cannot happen with well-formed input; keep the run whole
            return [Segment(source[run.start:run.end], block, run.start, run.end)]
        out.append(Segment(source[begin:finish], block, begin, finish))
        if not last:
            begin = run.cut(bounds[k][1], bounds[k + 1][0], first=False)
    return out


def reassemble(template: str, translated: Sequence[Segment]) -> str:
    """The template (the source HTML) with each segment's span replaced by that segment's text."""
    parts, pos = [], 0
    for seg in sorted(translated, key=lambda s: s.start):
        if seg.start < pos or seg.end > len(template):
            raise ValueError(f"segment at {seg.start}-{seg.end} overlaps another or lies outside the template")
        parts.append(template[pos:seg.start])
        parts.append(seg.text_html)
        pos = seg.end
    parts.append(template[pos:])
    return "".join(parts)


def with_texts(segments: Sequence[Segment], texts: Sequence[str]) -> list[Segment]:
    """The segments carrying ``texts`` (their translations) in place of the source sentences."""
    if len(segments) != len(texts):
        raise ValueError(f"{len(texts)} translations for {len(segments)} segments")
    return [replace(s, text_html=t) for s, t in zip(segments, texts, strict=True)]
