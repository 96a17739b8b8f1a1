"""TBX import and export: TBX v3 (ISO 30042:2019, DCA or DCT style) and TBX 2 ``martif`` in, TBX-Basic out.

Mapping between TBX and :mod:`glossaries.terms`:

- ``conceptEntry``/``termEntry`` -> ``Concept`` (``id``); ``descrip type="subjectField"`` -> ``subject``;
  concept-level ``note`` -> ``note`` (a ``definition`` is used when there is no note).
- ``langSec``/``langSet`` + ``termSec``/``tig``/``ntig`` -> ``Term``; ``termNote type="partOfSpeech"``
  -> ``part_of_speech``; ``administrativeStatus`` (or TBX 2 ``normativeAuthorization``):
  preferred/standardized/legal/regulated -> ``preferred``, admitted -> ``admitted``,
  deprecated/superseded -> ``forbidden``; no status -> ``preferred``; term-level ``note`` -> ``note``.
- DCT files name the data category by element (``<min:partOfSpeech>``, ``<basic:administrativeStatus>``)
  and are read the same way.

TBX has no standard data category for these two, so Tolk uses (and reads back) its own convention,
written on every ``termSec`` of the concept or term concerned:

- do not translate: ``<termNote type="transferComment">do not translate</termNote>``
  (also read from a ``descrip``/``admin`` of that type, at any level of the entry);
- case-sensitive matching: ``<termNote type="usageNote">case sensitive</termNote>``.

Concepts without an ``id`` are exported as ``c1``, ``c2``, ... because TBX requires one.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from typing import NamedTuple

from lxml.etree import _Element as Element

from glossaries.terms import MAX_GLOSSARY_BYTES, Concept, GlossaryFormatError, Term, Termbase, validate_lang
from tolk.xml_stream import XmlMalformed, XmlRefused, XmlStream

NS_TBX3 = "urn:iso:std:iso:30042:ed-2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

DO_NOT_TRANSLATE = "do not translate"
CASE_SENSITIVE = "case sensitive"

_STATUS_OUT = {
    "preferred": "preferredTerm-admn-sts",
    "admitted": "admittedTerm-admn-sts",
    "forbidden": "deprecatedTerm-admn-sts",
}
_STATUS_IN = {
    "preferredterm": "preferred",
    "standardizedterm": "preferred",
    "legalterm": "preferred",
    "regulatedterm": "preferred",
    "admittedterm": "admitted",
    "deprecatedterm": "forbidden",
    "supersededterm": "forbidden",
}
_DNT_MARKS = {"do not translate", "do-not-translate", "donottranslate", "dnt", "untranslatable"}
_CASE_MARKS = {"case sensitive", "case-sensitive", "casesensitive", "match case"}
_CONCEPTS = {"conceptEntry", "termEntry"}
_LANG_SECTIONS = {"langSec", "langSet"}
_TERM_SECTIONS = {"termSec", "tig", "ntig"}
_CATEGORY_ELEMENTS = {"termNote", "descrip", "admin"}


class TbxFile(NamedTuple):
    """A TBX file opened for storing as it is read: its header and source language, then entry by entry."""

    name: str
    source_lang: str
    description: str
    total: int
    concepts: Iterator[Concept]


def read_tbx(data: bytes, *, max_bytes: int = MAX_GLOSSARY_BYTES) -> Termbase:
    """Parse a TBX v3 or TBX 2 file into a termbase; raise GlossaryFormatError on any invalid input."""
    opened = open_tbx(data, max_bytes=max_bytes)
    return Termbase(name=opened.name, source_lang=opened.source_lang, concepts=list(opened.concepts),
                    description=opened.description)


def open_tbx(data: bytes, *, max_bytes: int = MAX_GLOSSARY_BYTES) -> TbxFile:
    """The file's header and source language (read up to its first entry), and its entries as they are parsed,
    one in memory at a time: an entry's error (GlossaryFormatError, with its line) comes while iterating, so
    store them in one transaction. ``total`` is about how many entries there are (for progress)."""
    if len(data) > max_bytes:
        raise GlossaryFormatError(f"file is {len(data)} bytes, over the limit of {max_bytes}")
    state = _State()
    concepts = _walk(data, state)
    first = next(concepts, None)
    source_lang = state.source_lang or (first.terms[0].lang if first is not None else None)
    if source_lang is None:
        raise _fail(state.root, "missing xml:lang on the root element")
    total = sum(1 for _match in _ENTRY_START.finditer(data))  # no list of 200,000 matches
    return TbxFile(state.name, source_lang, state.description, total,
                   chain([first], concepts) if first is not None else concepts)


def write_tbx(termbase: Termbase) -> bytes:
    """Serialize a termbase as TBX v3, TBX-Basic dialect, DCA style, UTF-8."""
    # Unprefixed names plus an explicit xmlns: ElementTree's default_namespace rejects unqualified attributes.
    root = ET.Element(
        "tbx", {"type": "TBX-Basic", "style": "dca", XML_LANG: termbase.source_lang, "xmlns": NS_TBX3}
    )
    file_desc = ET.SubElement(ET.SubElement(root, "tbxHeader"), "fileDesc")
    if termbase.name:
        ET.SubElement(ET.SubElement(file_desc, "titleStmt"), "title").text = termbase.name
    if termbase.description:
        ET.SubElement(ET.SubElement(file_desc, "sourceDesc"), "p").text = termbase.description
    body = ET.SubElement(ET.SubElement(root, "text"), "body")
    for number, concept in enumerate(termbase.concepts, start=1):
        entry = ET.SubElement(body, "conceptEntry", {"id": concept.id or f"c{number}"})
        if concept.subject:
            ET.SubElement(entry, "descrip", {"type": "subjectField"}).text = concept.subject
        if concept.note:
            ET.SubElement(entry, "note").text = concept.note
        for lang in concept.languages():
            lang_sec = ET.SubElement(entry, "langSec", {XML_LANG: lang})
            for term in (t for t in concept.terms if t.lang == lang):
                _write_term(ET.SubElement(lang_sec, "termSec"), term, concept.do_not_translate)
    ET.indent(root, space="  ")
    xml = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + xml + "\n").encode("utf-8")


def _write_term(term_sec: ET.Element, term: Term, do_not_translate: bool) -> None:
    ET.SubElement(term_sec, "term").text = term.text
    if term.part_of_speech:
        ET.SubElement(term_sec, "termNote", {"type": "partOfSpeech"}).text = term.part_of_speech
    ET.SubElement(term_sec, "termNote", {"type": "administrativeStatus"}).text = _STATUS_OUT[term.status]
    if do_not_translate:
        ET.SubElement(term_sec, "termNote", {"type": "transferComment"}).text = DO_NOT_TRANSLATE
    if term.case_sensitive:
        ET.SubElement(term_sec, "termNote", {"type": "usageNote"}).text = CASE_SENSITIVE
    if term.note:
        ET.SubElement(term_sec, "note").text = term.note


# A file repeats a few dozen element names: each split once (it was a sixth of reading 200,000 entries).
_LOCAL_NAMES: dict[object, str] = {}


def _local(tag: object) -> str:
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        # Comments and processing instructions have a function as tag; they never match an element name.
        name = tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
        if len(_LOCAL_NAMES) < 4096:
            _LOCAL_NAMES[tag] = name
    return name


def _all_text(element: Element) -> str:
    return "".join(element.itertext()) if len(element) else (element.text or "")


def _text(element: Element) -> str:
    return " ".join(_all_text(element).split())


def _prose(element: Element) -> str:
    # Notes keep their line breaks; only the indentation around them goes.
    return _all_text(element).strip()


_HEADERS = {"tbxHeader", "martifHeader"}
_STREAMED = ("{*}tbxHeader", "{*}martifHeader", "{*}body", "{*}conceptEntry", "{*}termEntry")
# An entry's start tag, any prefix: counted for progress only.
_ENTRY_START = re.compile(rb"<(?:[\w.-]+:)?(?:conceptEntry|termEntry)[\s/>]")


@dataclass
class _State:
    """What the walk has learnt of the document so far."""

    root: Element | None = None
    kind: str = ""
    source_lang: str | None = None
    name: str = ""
    description: str = ""
    body_seen: bool = False


def _fail(element: Element | None, message: str) -> GlossaryFormatError:
    if element is None:
        return GlossaryFormatError(message)
    return GlossaryFormatError(message, line=element.sourceline, element=_local(element.tag))


def _is_body(element: Element, root: Element) -> bool:
    """Whether ``element`` is the ``<text><body>`` of the document."""
    text = element.getparent()
    return _local(element.tag) == "body" and text is not None and _local(text.tag) == "text" \
        and text.getparent() is root


def _walk(data: bytes, state: _State) -> Iterator[Concept]:
    """The concepts of the document as they are parsed; fills ``state`` (root, header) on the way."""
    stream = XmlStream(data, _STREAMED)
    reader = _Reader()
    try:
        for _event, element in stream:
            root = stream.root
            if state.root is None and root is not None:
                _start(state, reader, root)
            name, parent = _local(element.tag), element.getparent()
            if name in _HEADERS:
                if parent is root and name == ("tbxHeader" if state.kind == "tbx" else "martifHeader"):
                    state.name, state.description = reader.header(element)
            elif name == "body":
                state.body_seen = state.body_seen or (root is not None and _is_body(element, root))
            elif parent is not None and root is not None and _is_body(parent, root):
                state.body_seen = True
                concept = reader.concept(element)
                # Bounded memory: the entry's subtree goes, and so does everything before it in <body>.
                element.clear()
                while element.getprevious() is not None:
                    del parent[0]
                yield concept
    except XmlMalformed as exc:
        raise GlossaryFormatError(f"malformed XML: {exc.reason}", line=exc.line) from None
    except XmlRefused as exc:
        # DOCTYPE stays allowed (TBX 2 files carry one); entity declarations and external references do not.
        raise GlossaryFormatError(f"{exc.reason} in a glossary (entities and external references are refused)",
                                  line=exc.line, element="!ENTITY") from None
    if state.root is None and stream.root is not None:
        _start(state, reader, stream.root)
    if not state.body_seen:
        raise _fail(state.root, "missing <text><body>")


def _start(state: _State, reader: _Reader, root: Element) -> None:
    state.root, state.kind = root, _local(root.tag)
    if state.kind not in ("tbx", "martif"):
        raise _fail(root, "not a TBX file: the root element must be <tbx> (TBX v3) or <martif> (TBX 2)")
    state.source_lang = reader.lang_of(root)


class _Reader:
    """Reads the parts of a TBX document; the v3 and v2 structures differ only in element names."""

    @staticmethod
    def fail(element: Element, message: str) -> GlossaryFormatError:
        return _fail(element, message)

    def lang_of(self, element: Element) -> str | None:
        """The element's language (validated), or None when it names none."""
        code = element.get(XML_LANG) or element.get("lang")
        if not code:
            return None
        try:
            return validate_lang(code)
        except ValueError as exc:
            raise self.fail(element, str(exc)) from None

    def required_lang(self, element: Element) -> str:
        """The element's language (validated); an element without one is an error."""
        lang = self.lang_of(element)
        if lang is None:
            raise self.fail(element, "missing xml:lang")
        return lang

    @staticmethod
    def child(parent: Element, name: str) -> Element | None:
        return next((c for c in parent if _local(c.tag) == name), None)

    def header(self, header: Element) -> tuple[str, str]:
        name = description = ""
        file_desc = self.child(header, "fileDesc")
        if file_desc is None:
            return name, description
        title_stmt = self.child(file_desc, "titleStmt")
        title = self.child(title_stmt, "title") if title_stmt is not None else None
        if title is not None:
            name = _text(title)
        source_desc = self.child(file_desc, "sourceDesc")
        if source_desc is not None:
            description = "\n".join(_prose(p) for p in source_desc if _local(p.tag) == "p")
        return name, description

    def concept(self, entry: Element) -> Concept:
        notes: list[str] = []
        definitions: list[str] = []
        subject = None
        do_not_translate = False
        terms: list[Term] = []
        for element, category in self.categories(entry, stop=_LANG_SECTIONS):
            value = _text(element)
            if category == "subjectField":
                subject = subject or value or None
            elif category == "definition":
                definitions.append(_prose(element))
            elif category == "note":
                notes.append(_prose(element))
            elif category == "transferComment" and value.lower() in _DNT_MARKS:
                do_not_translate = True
        for lang_sec in entry:
            if _local(lang_sec.tag) not in _LANG_SECTIONS:
                continue
            lang = self.required_lang(lang_sec)
            for element, category in self.categories(lang_sec, stop=_TERM_SECTIONS):
                if category == "definition":
                    definitions.append(_prose(element))
                elif category == "transferComment" and _text(element).lower() in _DNT_MARKS:
                    do_not_translate = True
            for section in lang_sec:
                if _local(section.tag) in _TERM_SECTIONS:
                    term, marked = self.term(section, lang)
                    terms.append(term)
                    do_not_translate = do_not_translate or marked
        if not terms:
            raise self.fail(entry, f"entry {entry.get('id') or '(no id)'} has no terms")
        return Concept(
            terms=terms,
            id=entry.get("id"),
            do_not_translate=do_not_translate,
            note="\n".join(n for n in notes if n) or "\n".join(d for d in definitions if d) or None,
            subject=subject,
        )

    def categories(self, parent: Element, *, stop: set[str]):
        """Yield (element, data category) below ``parent``, not descending into ``stop`` elements."""
        for element in parent:
            name = _local(element.tag)
            if not name or name in stop:
                continue
            if name in _CATEGORY_ELEMENTS:
                yield element, element.get("type", "")
            elif name.endswith("Grp"):
                # descripGrp/termNoteGrp/termGrp: the category is inside; admin/note there qualify it.
                first = next(iter(element), None)
                if first is not None and _local(first.tag) in _CATEGORY_ELEMENTS:
                    yield first, first.get("type", "")
                else:
                    yield from self.categories(element, stop=stop)
            elif name != "term":
                # DCA ``note`` and DCT elements such as <min:partOfSpeech> name the category themselves.
                yield element, name

    def term(self, section: Element, lang: str) -> tuple[Term, bool]:
        term_elements = list(section.iter("{*}term"))
        if not term_elements:
            raise self.fail(section, "no <term> in this term section")
        if len(term_elements) > 1:
            raise self.fail(term_elements[1], "more than one <term> in one term section")
        text = _text(term_elements[0])
        if not text:
            raise self.fail(term_elements[0], "empty term")
        part_of_speech = None
        status = "preferred"
        case_sensitive = False
        do_not_translate = False
        notes: list[str] = []
        for element, category in self.categories(section, stop=set()):
            value = _text(element)
            if category == "partOfSpeech":
                part_of_speech = value or None
            elif category in ("administrativeStatus", "normativeAuthorization"):
                key = value.removesuffix("-admn-sts").lower()
                if key not in _STATUS_IN:
                    raise self.fail(element, f"unknown {category} {value!r}")
                status = _STATUS_IN[key]
            elif category == "transferComment" and value.lower() in _DNT_MARKS:
                do_not_translate = True
            elif category == "usageNote" and value.lower() in _CASE_MARKS:
                case_sensitive = True
            elif category == "note" and value:
                notes.append(_prose(element))
        term = Term(
            lang=lang,
            text=text,
            part_of_speech=part_of_speech,
            case_sensitive=case_sensitive,
            status=status,
            note="\n".join(notes) or None,
        )
        return term, do_not_translate
