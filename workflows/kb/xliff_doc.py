"""The XLIFF document model shared by the 2.x and 1.2 readers and writers, and safe XML parsing.

A document is files of units of segments; a segment's source and target are *content*: text runs and
inline codes. A code is the opening, closing or standalone part of a piece of original markup (an HTML
tag of the article), with an id (an opening and its closing code share it) and, when the file carries
it, the native markup. Segment states are ordered, as translation tools treat them: initial <
translated < reviewed < final, so "translated or better" is a comparison.

Parsing is safe and strict: no DTD is loaded, no entity is resolved, no network is used, a document
with a DOCTYPE is refused (an XLIFF file needs none; entity declarations are how billion-laughs and
external-entity attacks arrive), and every problem raises ``XliffError`` with the line it is on.
"""

from __future__ import annotations

import enum
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from lxml import etree

#: Largest XLIFF file read (the API's upload limit, TOLK_MAX_UPLOAD_BYTES, is usually smaller).
MAX_BYTES = 20 * 2**20
XML_NS = "http://www.w3.org/XML/1998/namespace"
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b[^>]*?(/?)>", re.S)
# Characters XML 1.0 cannot carry at all: dropped on writing rather than failing the export.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "source", "track", "wbr"})


class XliffError(ValueError):
    """A file that cannot be read or imported; ``line`` is where the problem is (None: the whole file)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(f"line {line}: {message}" if line else message)
        self.reason, self.line = message, line


class SegmentState(enum.IntEnum):
    """XLIFF 2 segment states, ordered (XLIFF 1.2 target states map onto them)."""

    INITIAL = 0
    TRANSLATED = 1
    REVIEWED = 2
    FINAL = 3

    @property
    def label(self) -> str:
        """The XLIFF 2 name of the state."""
        return self.name.lower()


@dataclass(frozen=True)
class Code:
    """An inline code: ``open``, ``close`` or ``standalone``; ``native`` is the original markup if known."""

    kind: str
    id: str
    native: str | None = None


Content = list["str | Code"]


@dataclass
class Segment:
    """A segment: source and target content (None when there is no target), its state and line."""

    id: str | None
    source: Content
    target: Content | None = None
    state: SegmentState = SegmentState.INITIAL
    line: int = 0


@dataclass
class Unit:
    """A unit: its segments and the notes about it."""

    id: str
    segments: list[Segment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    line: int = 0


@dataclass
class File:
    """A ``<file>``: its id, what it was extracted from (``original``) and its units in order."""

    id: str
    original: str | None = None
    units: list[Unit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    line: int = 0


@dataclass
class Document:
    """A whole XLIFF document (``version`` is 2.0, 2.1 or 1.2)."""

    version: str
    source_lang: str
    target_lang: str | None
    files: list[File] = field(default_factory=list)

    def segments(self) -> Iterable[tuple[Unit, Segment]]:
        """Every segment with its unit, in document order."""
        for f in self.files:
            for unit in f.units:
                for seg in unit.segments:
                    yield unit, seg


def parse_xml(data: bytes) -> etree._Element:
    """The root element of ``data``, parsed without DTDs, entities or network; XliffError otherwise."""
    if len(data) > MAX_BYTES:
        raise XliffError(f"the file is larger than {MAX_BYTES} bytes")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise XliffError(f"not well-formed XML: {exc.msg}", exc.lineno or None) from exc
    if root.getroottree().docinfo.doctype:
        raise XliffError("a DOCTYPE is not allowed in an XLIFF file (entities and DTDs are refused)", 1)
    return root


def local(element: etree._Element) -> str:
    """The element's name without its namespace ('' for comments and processing instructions)."""
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def plain(content: Sequence[str | Code]) -> str:
    """The text of ``content``, codes dropped."""
    return "".join(part for part in content if isinstance(part, str))


def xml_text(text: str) -> str:
    """``text`` without the characters XML cannot carry."""
    return _NOT_XML.sub("", text)


def html_to_content(segment_html: str) -> Content:
    """A segment's HTML as content: tags become codes (paired when they nest), entities become text.

    Codes are numbered from 1 in order; an opening tag and its closing tag share an id. A closing tag
    that closes nothing, or an opening tag never closed, becomes a standalone code.
    """
    kinds: list[str] = []  # per piece: "text", or the kind of code the tag becomes
    values: list[str] = []  # per piece: the text, or the tag's markup
    stack: list[tuple[str, int]] = []
    pos = 0
    for m in _TAG.finditer(segment_html):
        if m.start() > pos:
            kinds.append("text")
            values.append(html.unescape(segment_html[pos:m.start()]))
        closing, name, self_closing = m.group(1), m.group(2).lower(), m.group(3)
        kind = "standalone"  # an opening tag becomes "open" when its closing tag is found
        if closing and stack and stack[-1][0] == name:
            kinds[stack.pop()[1]] = "open"
            kind = "close"
        elif not closing and not self_closing and name not in _VOID:
            stack.append((name, len(kinds)))
        kinds.append(kind)
        values.append(m.group(0))
        pos = m.end()
    if pos < len(segment_html):
        kinds.append("text")
        values.append(html.unescape(segment_html[pos:]))
    content: Content = []
    next_id, open_ids = 1, list[str]()
    for kind, value in zip(kinds, values, strict=True):
        if kind == "text":
            last = content[-1] if content else None
            if isinstance(last, str):
                content[-1] = last + value
            elif value:
                content.append(value)
        elif kind == "close":
            content.append(Code("close", open_ids.pop(), value))
        else:
            content.append(Code(kind, str(next_id), value))
            if kind == "open":
                open_ids.append(str(next_id))
            next_id += 1
    return content


def content_to_html(content: Sequence[str | Code], natives: dict[tuple[str, str], str]) -> str:
    """HTML for ``content``: text escaped, each code replaced by the native markup ``natives`` holds for
    its (kind, id); a code without one raises KeyError."""
    out = []
    for part in content:
        if isinstance(part, str):
            out.append(html.escape(part, quote=False))
        else:
            out.append(natives[(part.kind, part.id)])
    return "".join(out)


def natives_of(content: Sequence[str | Code]) -> dict[tuple[str, str], str]:
    """(kind, id) -> native markup of each code in ``content`` that carries it."""
    return {(c.kind, c.id): c.native for c in content if isinstance(c, Code) and c.native is not None}
