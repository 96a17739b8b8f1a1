"""Token styles: protected spans become tokens in an engine's own markup and come back restored.

- ``xml``: DeepL, ``<x id="N"/>`` with ``tag_handling`` and ``ignore_tags=["x"]``;
- ``html``: Google, ``<span translate="no" class="tolk-N">N</span>`` with ``mime_type="text/html"``;
- ``apertium``: Apertium's stream format, tokens as superblanks ``[tolkN]``, HTML tags as superblanks;
- ``plain``: ``[[N]]`` for engines with no markup of their own.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from machinery.protection import TAG_PATTERN, Span


@dataclass
class Masked:
    """A text with its spans replaced by tokens: ``payload`` is what the engine receives."""

    payload: str
    fmt: str
    spans: dict[int, Span] = field(default_factory=dict)


class TokenStyle(Protocol):
    def mask(self, text: str, spans: list[Span], fmt: str) -> Masked: ...

    def unmask(self, output: str, masked: Masked) -> tuple[str, list[Span]]: ...


def _pieces(text: str, spans: list[Span]) -> Iterator[str | Span]:
    """The text cut at ``spans``: the stretches between them (str) and the spans themselves, in order."""
    pos = 0
    for span in spans:
        yield text[pos:span.start]
        yield span
        pos = span.end
    yield text[pos:]


class _MarkupStyle:
    """Shared logic of tag-based token styles: escape text, find tokens, restore."""

    payload_fmt = "xml"
    token_re: re.Pattern[str]

    def token(self, n: int, fmt: str) -> str:
        raise NotImplementedError

    def mask(self, text: str, spans: list[Span], fmt: str) -> Masked:
        out: list[str] = []
        table: dict[int, Span] = {}
        for piece in _pieces(text, spans):
            if isinstance(piece, Span):
                n = len(table) + 1
                table[n] = piece
                out.append(self.token(n, fmt))
            else:
                out.append(piece if fmt == "html" else html.escape(piece, quote=False))
        return Masked("".join(out), "html" if fmt == "html" else self.payload_fmt, table)

    def unmask(self, output: str, masked: Masked) -> tuple[str, list[Span]]:
        out, seen, pos = [], set(), 0
        for m in self.token_re.finditer(output):
            n = int(m.group(1))
            span = masked.spans.get(n)
            if span is None or n in seen:
                continue
            out.append(self._text(output[pos:m.start()], masked))
            out.append(span.restore)
            seen.add(n)
            pos = m.end()
        out.append(self._text(output[pos:], masked))
        return _append_lost("".join(out), masked, seen)

    def _text(self, piece: str, masked: Masked) -> str:
        # An HTML payload is returned as HTML; a text payload was escaped for the engine's markup.
        return piece if masked.fmt == "html" else html.unescape(piece)


class XmlTagStyle(_MarkupStyle):
    """DeepL: empty ``<x>`` elements listed in ``ignore_tags``."""

    payload_fmt = "xml"
    token_re = re.compile(r'<x id="(\d+)"\s*/>')

    def token(self, n: int, fmt: str) -> str:
        return f'<x id="{n}"></x>' if fmt == "html" else f'<x id="{n}"/>'

    def unmask(self, output: str, masked: Masked) -> tuple[str, list[Span]]:
        normalized = re.sub(r'<x id="(\d+)"\s*>\s*</x>', r'<x id="\1"/>', output)
        return super().unmask(normalized, masked)


class HtmlSpanStyle(_MarkupStyle):
    """Google: ``translate="no"`` spans in an HTML request."""

    payload_fmt = "html-escaped"
    token_re = re.compile(r'<span translate="no" class="tolk-(\d+)">[^<]*</span>')

    def token(self, n: int, fmt: str) -> str:
        return f'<span translate="no" class="tolk-{n}">{n}</span>'


class PlainStyle(_MarkupStyle):
    """Fallback for engines without markup: bracketed numbers most engines leave alone."""

    payload_fmt = "text"
    token_re = re.compile(r"\[\[(\d+)\]\]")

    def token(self, n: int, fmt: str) -> str:
        return f"[[{n}]]"

    def mask(self, text: str, spans: list[Span], fmt: str) -> Masked:
        out: list[str] = []
        table: dict[int, Span] = {}
        for piece in _pieces(text, spans):
            if isinstance(piece, Span):
                table[len(table) + 1] = piece
                out.append(self.token(len(table), fmt))
            else:
                out.append(piece)
        return Masked("".join(out), fmt, table)

    def _text(self, piece: str, masked: Masked) -> str:
        return piece


_STREAM_SPECIAL = set("[]\\^$/@<>{}")


def stream_escape(text: str) -> str:
    """Escape text for Apertium's stream format."""
    return "".join("\\" + c if c in _STREAM_SPECIAL else c for c in text)


def _superblank(content: str) -> str:
    return "[" + content.replace("\\", "\\\\").replace("]", "\\]").replace("[", "\\[") + "]"


class ApertiumStyle:
    """Apertium: the payload is stream format; tokens and HTML tags travel as superblanks."""

    token_re = re.compile(r"^tolk(\d+)$")

    def mask(self, text: str, spans: list[Span], fmt: str) -> Masked:
        out: list[str] = []
        table: dict[int, Span] = {}
        for piece in _pieces(text, spans):
            if isinstance(piece, Span):
                table[len(table) + 1] = piece
                out.append(_superblank(f"tolk{len(table)}"))
            elif fmt == "html":
                pos = 0
                for m in TAG_PATTERN.finditer(piece):
                    out.append(stream_escape(html.unescape(piece[pos:m.start()])))
                    out.append(_superblank(m.group(0)))
                    pos = m.end()
                out.append(stream_escape(html.unescape(piece[pos:])))
            else:
                out.append(stream_escape(piece))
        return Masked("".join(out), "html" if fmt == "html" else "text", table)

    def unmask(self, output: str, masked: Masked) -> tuple[str, list[Span]]:
        out: list[str] = []
        seen: set[int] = set()
        text_buf: list[str] = []
        as_html = masked.fmt == "html"
        # A run of the stream at a time (an escaped character, a superblank, plain text), not a character.
        for escaped, blank, plain in _STREAM_PIECE.findall(output):
            if escaped or plain:  # else a superblank, maybe the empty one (all three groups empty)
                text_buf.append(escaped or plain)
                continue
            chunk = "".join(text_buf)
            out.append(html.escape(chunk, quote=False) if as_html else chunk)
            text_buf.clear()
            content = _STREAM_ESCAPE.sub(r"\1", blank) if "\\" in blank else blank
            m = self.token_re.match(content)
            if m and int(m.group(1)) in masked.spans and int(m.group(1)) not in seen:
                seen.add(int(m.group(1)))
                out.append(masked.spans[int(m.group(1))].restore)
            else:
                out.append(content)
        chunk = "".join(text_buf)
        out.append(html.escape(chunk, quote=False) if as_html else chunk)
        return _append_lost("".join(out), masked, seen)


#: A piece of Apertium's stream: an escaped character, a superblank's content (escapes inside; unterminated: to
#: the end, a lone backslash there kept), or plain text (a lone backslash at the very end is plain text).
_STREAM_PIECE = re.compile(r"\\(.)|\[((?:\\.|[^\]\\])*(?:\\\Z)?)(?:\]|\Z)|([^\\\[]+|\\)", re.DOTALL)
_STREAM_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


def _append_lost(text: str, masked: Masked, seen: set[int]) -> tuple[str, list[Span]]:
    """Spans whose token the engine dropped go back at the end so no customer data is lost."""
    lost = [span for n, span in sorted(masked.spans.items()) if n not in seen]
    for span in lost:
        text = f"{text.rstrip()} {span.restore}"
    return text, lost


STYLES: dict[str, TokenStyle] = {
    "xml": XmlTagStyle(),
    "html": HtmlSpanStyle(),
    "apertium": ApertiumStyle(),
    "plain": PlainStyle(),
}
