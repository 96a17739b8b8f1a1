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

import xml.etree.ElementTree as ET
from xml.parsers import expat

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from glossaries.terms import MAX_GLOSSARY_BYTES, Concept, GlossaryFormatError, Term, Termbase, validate_lang

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


def read_tbx(data: bytes, *, max_bytes: int = MAX_GLOSSARY_BYTES) -> Termbase:
    """Parse a TBX v3 or TBX 2 file into a termbase; raise GlossaryFormatError on any invalid input."""
    if len(data) > max_bytes:
        raise GlossaryFormatError(f"file is {len(data)} bytes, over the limit of {max_bytes}")
    root, lines = _parse_xml(data)
    return _Reader(lines).termbase(root)


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


def _local(tag: object) -> str:
    # Comments and processing instructions have a function as tag; they never match an element name.
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _text(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _prose(element: ET.Element) -> str:
    # Notes keep their line breaks; only the indentation around them goes.
    return "".join(element.itertext()).strip()


class _LineRecorder(ET.TreeBuilder):
    """Remembers the line each element starts on, so content errors can name it."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[ET.Element, int] = {}
        self.expat_parser: expat.XMLParserType | None = None

    def start(self, tag, attrs):
        element = super().start(tag, attrs)
        if self.expat_parser is not None:
            self.lines[element] = self.expat_parser.CurrentLineNumber
        return element


def _parse_xml(data: bytes) -> tuple[ET.Element, dict[ET.Element, int]]:
    recorder = _LineRecorder()
    # DOCTYPE stays allowed (TBX 2 files carry one); entity declarations and external references do not.
    parser = DefusedXMLParser(target=recorder, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    expat_parser = recorder.expat_parser = parser.parser
    try:
        parser.feed(data)
        root = parser.close()
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        reason = expat.ErrorString(exc.code) if getattr(exc, "code", None) else str(exc)
        raise GlossaryFormatError(f"malformed XML: {reason}", line=line) from None
    except EntitiesForbidden as exc:
        raise GlossaryFormatError(
            f"entity declaration {exc.name!r} is not allowed in a glossary",
            line=expat_parser.CurrentLineNumber, element="!ENTITY",
        ) from None
    except (ExternalReferenceForbidden, DTDForbidden, DefusedXmlException) as exc:
        raise GlossaryFormatError(
            f"external references are not allowed in a glossary ({type(exc).__name__})",
            line=expat_parser.CurrentLineNumber,
        ) from None
    return root, recorder.lines


class _Reader:
    """Walks a parsed TBX tree; the v3 and v2 structures differ only in element names."""

    def __init__(self, lines: dict[ET.Element, int]):
        self.lines = lines

    def fail(self, element: ET.Element, message: str) -> GlossaryFormatError:
        return GlossaryFormatError(message, line=self.lines.get(element), element=_local(element.tag))

    def lang_of(self, element: ET.Element) -> str | None:
        """The element's language (validated), or None when it names none."""
        code = element.get(XML_LANG) or element.get("lang")
        if not code:
            return None
        try:
            return validate_lang(code)
        except ValueError as exc:
            raise self.fail(element, str(exc)) from None

    def required_lang(self, element: ET.Element) -> str:
        """The element's language (validated); an element without one is an error."""
        lang = self.lang_of(element)
        if lang is None:
            raise self.fail(element, "missing xml:lang")
        return lang

    def termbase(self, root: ET.Element) -> Termbase:
        kind = _local(root.tag)
        if kind not in ("tbx", "martif"):
            raise self.fail(root, "not a TBX file: the root element must be <tbx> (TBX v3) or <martif> (TBX 2)")
        source_lang = self.lang_of(root)
        header = self.child(root, "tbxHeader" if kind == "tbx" else "martifHeader")
        name, description = self.header(header) if header is not None else ("", "")
        text = self.child(root, "text")
        body = self.child(text, "body") if text is not None else None
        if body is None:
            raise self.fail(root, "missing <text><body>")
        concepts = [self.concept(entry) for entry in body if _local(entry.tag) in _CONCEPTS]
        if source_lang is None:
            first = next((c.terms[0].lang for c in concepts), None)
            if first is None:
                raise self.fail(root, "missing xml:lang on the root element")
            source_lang = first
        return Termbase(name=name, source_lang=source_lang, concepts=concepts, description=description)

    @staticmethod
    def child(parent: ET.Element, name: str) -> ET.Element | None:
        return next((c for c in parent if _local(c.tag) == name), None)

    def header(self, header: ET.Element) -> tuple[str, str]:
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

    def concept(self, entry: ET.Element) -> Concept:
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

    def categories(self, parent: ET.Element, *, stop: set[str]):
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

    def term(self, section: ET.Element, lang: str) -> tuple[Term, bool]:
        term_elements = [e for e in section.iter() if _local(e.tag) == "term"]
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
