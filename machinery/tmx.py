"""TMX 1.4 import and export for the translation memory.

Reading is strict and all-or-nothing: any problem raises ``TmxError`` naming the line and element,
and the import stores nothing (one transaction). Parsing is lxml's, in C, streamed one ``<tu>`` at a
time (``tolk.xml_stream``): entity declarations (billion laughs) and external entities are refused, and
no DTD is fetched.

Inline markup inside ``<seg>``: ``<bpt>``, ``<ept>``, ``<it>``, ``<ph>`` and the deprecated ``<ut>``
hold the original document's native codes (escaped, e.g. ``&lt;b&gt;``); their text is kept in place,
so ``Press <bpt>&lt;b&gt;</bpt>OK<ept>&lt;/b&gt;</ept>.`` is stored as ``Press <b>OK</b>.``, the form
in which an HTML source arrives for translation. ``<hi>`` and ``<sub>`` hold translatable text, kept
as text. Written TMX carries plain text in ``<seg>`` (markup in a segment is escaped, not tagged).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from xml.sax.saxutils import escape, quoteattr

from lxml.etree import _Element as Element
from sqlalchemy import select
from sqlalchemy.orm import Session

from machinery.memory import TranslationMemory, language_tag
from machinery.models import TmOrigin, TmSegment
from tolk.languages import normalize, same_language
from tolk.xml_stream import XmlMalformed, XmlRefused, XmlStream

# A TMX repeats a handful of language codes in every unit: each parsed once, not per unit (a third of the
# parsing time of a 200,000-unit file).
_normalize = lru_cache(maxsize=1024)(normalize)
_language_tag = lru_cache(maxsize=1024)(language_tag)
_same_language = lru_cache(maxsize=1024)(same_language)

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
INLINE = frozenset({"bpt", "ept", "it", "ph", "ut", "hi", "sub"})
CONTEXT_PROPS = ("x-context", "context", "x-tolk-context")
MAX_BYTES = 64 * 2**20
DATE_FORMAT = "%Y%m%dT%H%M%SZ"


class TmxError(ValueError):
    """A TMX document that cannot be imported; the message names the line or element."""


@dataclass(frozen=True, slots=True)
class TmxUnit:
    """One source -> target pair from a ``<tu>``, with the metadata TMX carries about it."""

    source_lang: str
    target_lang: str
    source: str
    target: str
    creationid: str | None = None
    creationdate: dt.datetime | None = None
    changedate: dt.datetime | None = None
    context: str | None = None
    note: str | None = None
    tuid: str | None = None


def _where(element: Element | None) -> str:
    if element is None:
        return "line ?"
    return f"line {element.sourceline or '?'}, <{_name(element)}>"


def _name(element: Element) -> str:
    tag = element.tag
    return tag if isinstance(tag, str) else "?"


def _malformed(line: int | None, column: int | None, reason: str) -> TmxError:
    where = f"line {line or '?'}" + (f", column {column}" if column else "")
    return TmxError(f"{where}: not well-formed XML ({reason})")


def _lang(element: Element) -> str | None:
    return element.get(XML_LANG) or element.get("lang")


def _date(value: str | None, where: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return dt.datetime.strptime(value, DATE_FORMAT).replace(tzinfo=dt.UTC)
    except ValueError as exc:
        raise TmxError(f"{where}: date {value!r} is not in TMX form YYYYMMDDThhmmssZ") from exc


def _attr_date(tuv: Element, tu: Element, name: str) -> dt.datetime | None:
    """A date attribute of the ``<tuv>``, else of its ``<tu>``."""
    element = tuv if tuv.get(name) else tu
    value = element.get(name)
    return None if value is None else _date(value, _where(element))


def _segment_text(seg: Element) -> str:
    if len(seg) == 0:  # plain text, the usual case: no walk over the subtree
        return seg.text or ""
    for child in seg.iterdescendants():
        if child.tag not in INLINE:
            raise TmxError(f"{_where(child)}: <{_name(child)}> is not allowed inside <seg>")
    return "".join(seg.itertext())


def read_tmx(data: bytes, *, max_bytes: int = MAX_BYTES) -> list[TmxUnit]:
    """Every source -> target unit of a TMX document (srclang of the ``<tu>``, else of the header).

    With ``srclang="*all*"`` and no ``srclang`` on the ``<tu>``, every language of the unit is taken
    as a source for every other. Pairs with an empty side are skipped.
    """
    return list(iter_tmx(data, max_bytes=max_bytes))


def iter_tmx(data: bytes, *, max_bytes: int = MAX_BYTES) -> Iterator[TmxUnit]:
    """The units of ``read_tmx`` as the document is parsed, one ``<tu>`` in memory at a time; an error
    (TmxError, naming the line) may come after some units: store them in a transaction."""
    if not data or not data.strip():
        raise TmxError("empty TMX document")
    if len(data) > max_bytes:
        raise TmxError(f"TMX document is {len(data)} bytes, more than the limit of {max_bytes}")
    stream = XmlStream(data, ("header", "body", "tu"))
    header: Element | None = None
    body_seen = False
    try:
        for _event, element in stream:
            root = stream.root
            if root is None or root.tag != "tmx":
                raise TmxError(f"{_where(root if root is not None else element)}: the root element must be <tmx>")
            parent = element.getparent()
            if element.tag == "header" and parent is root:
                header = element
            elif element.tag == "body" and parent is root:
                body_seen = True
                for child in element:  # the last <tu> and anything after it
                    if child.tag != "tu":
                        raise TmxError(f"{_where(child)}: only <tu> may appear in <body>")
            elif element.tag == "tu" and parent is not None and parent.tag == "body" and parent.getparent() is root:
                if header is None:
                    raise TmxError(f"{_where(root)}: no <header>")
                default_src = header.get("srclang")
                if not default_src:
                    raise TmxError(f"{_where(header)}: the header has no srclang")
                yield from _units(element, default_src)
                # Bounded memory: the unit's subtree goes, and so does everything before it in <body>.
                element.clear()
                while (previous := element.getprevious()) is not None:
                    if not isinstance(previous.tag, str):  # an undeclared entity under an outside DTD
                        raise _malformed(previous.sourceline, None, f"undefined entity {previous.text}")
                    if previous.tag != "tu":
                        raise TmxError(f"{_where(previous)}: only <tu> may appear in <body>")
                    del parent[0]
    except XmlMalformed as exc:
        raise _malformed(exc.line, exc.column, exc.reason) from None
    except XmlRefused as exc:
        raise TmxError(f"line {exc.line or '?'}: refused for safety: {exc.reason}") from None
    root = stream.root
    if root is None or root.tag != "tmx":
        raise TmxError(f"{_where(root)}: the root element must be <tmx>")
    if header is None:
        raise TmxError(f"{_where(root)}: no <header>")
    if not header.get("srclang"):
        raise TmxError(f"{_where(header)}: the header has no srclang")
    if not body_seen:
        raise TmxError(f"{_where(root)}: no <body>")


def _units(tu: Element, default_src: str) -> list[TmxUnit]:
    """The source -> target pairs of one ``<tu>``."""
    units: list[TmxUnit] = []
    props: dict[str, str] = {}
    notes: list[str] = []
    variants = []
    # One pass over the children (lxml's find/findall cost more than the parsing itself).
    for child in tu:
        tag = child.tag
        if tag == "tuv":
            lang = _lang(child)
            if not lang:
                raise TmxError(f"{_where(child)}: <tuv> without xml:lang")
            seg = next((c for c in child if c.tag == "seg"), None)
            if seg is None:
                raise TmxError(f"{_where(child)}: <tuv xml:lang={lang!r}> has no <seg>")
            variants.append((lang, _segment_text(seg), child))
        elif tag == "prop":
            props[child.get("type", "")] = (child.text or "").strip()
        elif tag == "note" and (note := (child.text or "").strip()):
            notes.append(note)
    if not variants:
        raise TmxError(f"{_where(tu)}: a <tu> without any <tuv>")
    src = tu.get("srclang") or default_src
    if src.lower() == "*all*":
        sources = variants
    else:
        sources = [v for v in variants if _normalize(v[0]) == _normalize(src)]
        if not sources:  # srclang "en" against <tuv xml:lang="en-US">
            sources = [v for v in variants if _same_language(v[0], src)]
        if not sources:
            raise TmxError(f"{_where(tu)}: no <tuv> in the source language {src!r}")
        sources = sources[:1]
    context = next((props[k] for k in CONTEXT_PROPS if props.get(k)), None)
    for s_lang, s_text, s_tuv in sources:
        for t_lang, t_text, t_tuv in variants:
            if t_tuv is s_tuv or _normalize(t_lang) == _normalize(s_lang):
                continue
            if not s_text.strip() or not t_text.strip():
                continue
            units.append(TmxUnit(
                source_lang=_language_tag(s_lang), target_lang=_language_tag(t_lang),
                source=s_text, target=t_text,
                creationid=t_tuv.get("creationid") or tu.get("creationid"),
                creationdate=_attr_date(t_tuv, tu, "creationdate"),
                changedate=_attr_date(t_tuv, tu, "changedate"),
                context=context,
                note="\n".join(notes) or None,
                tuid=tu.get("tuid"),
            ))
    return units


def _xml_char(c: str) -> bool:
    return c >= " " and not ("\ud800" <= c <= "\udfff") and c not in "\ufffe\uffff"


def _xml_text(text: str) -> str:
    # XML 1.0 cannot carry most C0 controls even escaped; U+FFFD keeps the gap visible.
    cleaned = "".join(c if c in "\t\n\r" or _xml_char(c) else "\ufffd" for c in text)
    return escape(cleaned)


def write_tmx(units: Iterable[TmxUnit], srclang: str) -> bytes:
    """A TMX 1.4 document with one ``<tu>`` per unit; ``srclang`` goes in the header (``*all*`` for mixed)."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n<tmx version="1.4">\n',
        f'  <header creationtool="Tolk" creationtoolversion="1" segtype="sentence" o-tmf="tolk" '
        f'adminlang="en" srclang={quoteattr(srclang)} datatype="plaintext"/>\n  <body>\n',
    ]
    for unit in units:
        attrs = ""
        if unit.tuid:
            attrs += f" tuid={quoteattr(unit.tuid)}"
        if normalize(unit.source_lang) != normalize(srclang):
            attrs += f" srclang={quoteattr(unit.source_lang)}"
        if unit.creationid:
            attrs += f" creationid={quoteattr(unit.creationid)}"
        if unit.creationdate:
            attrs += f' creationdate="{unit.creationdate.astimezone(dt.UTC).strftime(DATE_FORMAT)}"'
        if unit.changedate:
            attrs += f' changedate="{unit.changedate.astimezone(dt.UTC).strftime(DATE_FORMAT)}"'
        out.append(f"    <tu{attrs}>\n")
        if unit.note:
            out.append(f"      <note>{_xml_text(unit.note)}</note>\n")
        if unit.context:
            out.append(f'      <prop type="x-context">{_xml_text(unit.context)}</prop>\n')
        for lang, text in ((unit.source_lang, unit.source), (unit.target_lang, unit.target)):
            out.append(f"      <tuv xml:lang={quoteattr(lang)}><seg>{_xml_text(text)}</seg></tuv>\n")
        out.append("    </tu>\n")
    out.append("  </body>\n</tmx>\n")
    return "".join(out).encode("utf-8")


#: Units stored per batch on import.
IMPORT_BATCH = 1000


def import_tmx(session: Session, tm: TranslationMemory, data: bytes, *, origin: TmOrigin = TmOrigin.IMPORTED,
               max_bytes: int = MAX_BYTES, progress: Callable[[int], None] | None = None) -> int:
    """Add every unit of a TMX document to ``tm`` as it is parsed, in batches; returns how many were stored.

    A bad document raises TmxError, possibly after some batches were added: the caller rolls back, so a
    bad file stores nothing (and commits otherwise). A unit whose translation holds customer data its
    source does not is left out (see ``TranslationMemory.add``).
    """
    stored = 0
    units = iter_tmx(data, max_bytes=max_bytes)
    while batch := list(islice(units, IMPORT_BATCH)):
        stored += tm.add_many(session, [
            (u.source_lang, u.target_lang, u.source, u.target, u.context[:255] if u.context else None,
             u.creationid[:80] if u.creationid else None) for u in batch], origin)
        if progress is not None:
            progress(stored)
    return stored


def count_units(data: bytes) -> int:
    """About how many ``<tu>`` a document has (for progress; comments and CDATA may mislead it)."""
    return data.count(b"<tu>") + data.count(b"<tu ")


def export_tmx(session: Session, *, source_lang: str | None = None, target_lang: str | None = None,
               origins: Iterable[TmOrigin] | None = None) -> bytes:
    """The stored segments (optionally of one source and/or target language, or some origins) as TMX 1.4."""
    stmt = select(TmSegment).order_by(TmSegment.id)
    if source_lang:
        stmt = stmt.where(TmSegment.source_lang == language_tag(source_lang))
    if target_lang:
        stmt = stmt.where(TmSegment.target_lang == language_tag(target_lang))
    if origins is not None:
        stmt = stmt.where(TmSegment.origin.in_(list(origins)))
    segments = session.scalars(stmt).all()
    sources = {s.source_lang for s in segments}
    header_src = language_tag(source_lang) if source_lang else (sources.pop() if len(sources) == 1 else "*all*")
    units = (
        TmxUnit(source_lang=s.source_lang, target_lang=s.target_lang, source=s.source_text,
                target=s.target_text, creationid=s.approved_by or s.engine, creationdate=s.created_at,
                changedate=s.updated_at, context=s.context, tuid=str(s.id))
        for s in segments
    )
    return write_tmx(units, header_src)
