"""XLIFF 2.0/2.1 reading and writing (namespace ``urn:oasis:names:tc:xliff:document:2.0``).

Written: one ``<unit>`` per segment; the original markup of each inline code in the unit's
``<originalData>``, a paired tag as ``<pc dataRefStart dataRefEnd>``, any other tag as
``<ph dataRef>``; notes per unit; the segment's ``state``.

Read: every core construct. ``<pc>`` and ``<sc>``/``<ec>`` are opening and closing codes, ``<ph>`` a
standalone one, their ``dataRef*`` resolved through ``<originalData>``; the annotations ``<mrk>``,
``<sm>``, ``<em>`` keep their text; ``<cp hex>`` is the character; ``<ignorable>`` whitespace and
elements of other namespaces (modules, extensions) are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml import etree

from workflows.kb.xliff_doc import (
    XML_NS,
    Code,
    Content,
    Document,
    File,
    Segment,
    SegmentState,
    Unit,
    XliffError,
    local,
    xml_text,
)

NS = "urn:oasis:names:tc:xliff:document:2.0"
VERSIONS = ("2.0", "2.1", "2.2")
_STATES = {s.label: s for s in SegmentState}
_CONTROL = re.compile("([\x00-\x08\x0b\x0c\x0e-\x1f])")


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _ours(element: etree._Element) -> bool:
    return isinstance(element.tag, str) and etree.QName(element.tag).namespace == NS


def read(root: etree._Element) -> Document:
    """The document under an ``<xliff>`` root of the XLIFF 2 namespace."""
    version = root.get("version", "")
    if version not in VERSIONS:
        raise XliffError(f"XLIFF version {version!r} is not supported (2.0, 2.1 or 1.2)", root.sourceline)
    source_lang = root.get("srcLang")
    if not source_lang:
        raise XliffError("<xliff> has no srcLang attribute", root.sourceline)
    doc = Document(version=version, source_lang=source_lang, target_lang=root.get("trgLang"))
    for element in root:
        if _ours(element) and local(element) == "file":
            doc.files.append(_file(element))
    if not doc.files:
        raise XliffError("the document has no <file>", root.sourceline)
    return doc


def _file(element: etree._Element) -> File:
    file_id = element.get("id")
    if not file_id:
        raise XliffError("<file> has no id", element.sourceline)
    out = File(id=file_id, original=element.get("original"), line=element.sourceline or 0)
    _container(element, out)
    return out


def _container(element: etree._Element, out: File) -> None:
    for child in element:
        if not _ours(child):
            continue
        name = local(child)
        if name == "notes":
            out.notes.extend(_notes(child))
        elif name == "group":
            _container(child, out)
        elif name == "unit":
            out.units.append(_unit(child))


def _notes(element: etree._Element) -> list[str]:
    return ["".join(n.itertext()) for n in element if _ours(n) and local(n) == "note"]


def _unit(element: etree._Element) -> Unit:
    unit_id = element.get("id")
    if not unit_id:
        raise XliffError("<unit> has no id", element.sourceline)
    unit = Unit(id=unit_id, line=element.sourceline or 0)
    data: dict[str, str] = {}
    for child in element:
        if _ours(child) and local(child) == "originalData":
            for item in child:
                if _ours(item) and local(item) == "data" and item.get("id"):
                    data[item.get("id", "")] = "".join(item.itertext())
    for child in element:
        if not _ours(child):
            continue
        name = local(child)
        if name == "notes":
            unit.notes.extend(_notes(child))
        elif name == "segment":
            unit.segments.append(_segment(child, data))
    if not unit.segments:
        raise XliffError(f"<unit id={unit_id!r}> has no <segment>", element.sourceline)
    return unit


def _segment(element: etree._Element, data: dict[str, str]) -> Segment:
    state_name = element.get("state", "initial")
    if state_name not in _STATES:
        raise XliffError(f"segment state {state_name!r} is not one of initial, translated, reviewed, final",
                         element.sourceline)
    source = target = None
    for child in element:
        if _ours(child) and local(child) == "source":
            source = _content(child, data)
        elif _ours(child) and local(child) == "target":
            target = _content(child, data)
    if source is None:
        raise XliffError("<segment> has no <source>", element.sourceline)
    return Segment(id=element.get("id"), source=source, target=target, state=_STATES[state_name],
                   line=element.sourceline or 0)


def _content(element: etree._Element, data: dict[str, str]) -> Content:
    out: Content = []

    def text(value: str | None) -> None:
        if not value:
            return
        if out and isinstance(out[-1], str):
            out[-1] += value
        else:
            out.append(value)

    def walk(node: etree._Element) -> None:
        text(node.text)
        for child in node:
            if _ours(child):
                _inline(child, data, out, walk)
            text(child.tail)

    walk(element)
    return out


def _inline(child: etree._Element, data: dict[str, str], out: Content, walk) -> None:
    name = local(child)
    ref = data.get
    if name == "pc":
        out.append(Code("open", _id(child), ref(child.get("dataRefStart", ""))))
        walk(child)
        out.append(Code("close", _id(child), ref(child.get("dataRefEnd", ""))))
    elif name == "ph":
        out.append(Code("standalone", _id(child), ref(child.get("dataRef", ""))))
    elif name == "sc":  # an isolated one opens a span that closes outside the unit
        out.append(Code("open", _id(child), ref(child.get("dataRef", ""))))
    elif name == "ec":  # an isolated one (with its own id) closes a span opened outside the unit
        code_id = child.get("startRef") or _id(child)
        out.append(Code("close", code_id, ref(child.get("dataRef", ""))))
    elif name == "cp":
        try:
            value = chr(int(child.get("hex", ""), 16))
            if out and isinstance(out[-1], str):
                out[-1] += value
            else:
                out.append(value)
        except ValueError as exc:
            raise XliffError(f"<cp hex={child.get('hex')!r}> is not a hexadecimal code point",
                             child.sourceline) from exc
    elif name == "mrk":
        walk(child)
    elif name not in ("sm", "em"):
        raise XliffError(f"<{name}> is not allowed in segment content", child.sourceline)


def _id(element: etree._Element) -> str:
    value = element.get("id")
    if not value:
        raise XliffError(f"<{local(element)}> has no id", element.sourceline)
    return value


def write(doc: Document, version: str = "2.1") -> bytes:
    """``doc`` as an XLIFF ``version`` (2.0 or 2.1) file."""
    root = etree.Element(_q("xliff"), nsmap={None: NS}, version=version, srcLang=doc.source_lang)
    if doc.target_lang:
        root.set("trgLang", doc.target_lang)
    for f in doc.files:
        file_el = etree.SubElement(root, _q("file"), id=f.id)
        if f.original:
            file_el.set("original", f.original)
        _write_notes(file_el, f.notes)
        for unit in f.units:
            _write_unit(file_el, unit)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _write_notes(parent: etree._Element, notes: Sequence[str]) -> None:
    if notes:
        holder = etree.SubElement(parent, _q("notes"))
        for note in notes:
            etree.SubElement(holder, _q("note")).text = xml_text(note)


def _write_unit(parent: etree._Element, unit: Unit) -> None:
    unit_el = etree.SubElement(parent, _q("unit"), id=unit.id)
    _write_notes(unit_el, unit.notes)
    data: dict[str, str] = {}  # native markup -> data id, one entry per distinct tag in the unit
    original = etree.SubElement(unit_el, _q("originalData"))
    for seg in unit.segments:
        seg_el = etree.SubElement(unit_el, _q("segment"), state=seg.state.label)
        if seg.id:
            seg_el.set("id", seg.id)
        _write_content(etree.SubElement(seg_el, _q("source")), seg.source, data, original)
        if seg.target is not None:
            target_el = etree.SubElement(seg_el, _q("target"))
            target_el.set(f"{{{XML_NS}}}space", "preserve")
            _write_content(target_el, seg.target, data, original)
        seg_el[0].set(f"{{{XML_NS}}}space", "preserve")
    if not len(original):
        unit_el.remove(original)


def _data_ref(native: str | None, data: dict[str, str], original: etree._Element) -> str | None:
    if native is None:
        return None
    if native not in data:
        data[native] = f"d{len(data) + 1}"
        etree.SubElement(original, _q("data"), id=data[native]).text = xml_text(native)
    return data[native]


def _pairing(content: Sequence[str | Code]) -> tuple[set[str], set[str]]:
    """(ids of codes whose closing code follows, those of them that nest: closed while innermost)."""
    paired, nested, stack = set(), set(), list[str]()
    for part in content:
        if isinstance(part, Code) and part.kind == "open":
            stack.append(part.id)
        elif isinstance(part, Code) and part.kind == "close" and part.id in stack:
            paired.add(part.id)
            if stack[-1] == part.id:
                nested.add(part.id)
            stack.remove(part.id)
    return paired, nested


def _add_text(parent: etree._Element, last: etree._Element | None, value: str) -> etree._Element | None:
    """Append ``value`` after ``last`` (or inside ``parent``); characters XML cannot carry become <cp>."""
    for i, piece in enumerate(_CONTROL.split(value)):
        if i % 2:
            last = etree.SubElement(parent, _q("cp"), hex=f"{ord(piece):04X}")
        elif last is None:
            parent.text = (parent.text or "") + piece
        else:
            last.tail = (last.tail or "") + piece
    return last


def _write_content(element: etree._Element, content: Sequence[str | Code], data: dict[str, str],
                   original: etree._Element) -> None:
    paired, nested = _pairing(content)
    stack = [element]
    last: etree._Element | None = None  # the element whose tail takes the next text
    for part in content:
        if isinstance(part, str):
            last = _add_text(stack[-1], last, part)
            continue
        ref = _data_ref(part.native, data, original)
        if part.kind == "open" and part.id in nested:
            el = etree.SubElement(stack[-1], _q("pc"), id=part.id)
            if ref:
                el.set("dataRefStart", ref)
            stack.append(el)
            last = None
            continue
        if part.kind == "close" and part.id in nested:
            el = stack.pop()
            if ref:
                el.set("dataRefEnd", ref)
            last = el
            continue
        if part.kind == "open":  # its closing code crosses another pair, or is not in the unit
            el = etree.SubElement(stack[-1], _q("sc"), id=part.id)
            if part.id not in paired:
                el.set("isolated", "yes")
        elif part.kind == "close" and part.id in paired:
            el = etree.SubElement(stack[-1], _q("ec"), startRef=part.id)
        elif part.kind == "close":
            el = etree.SubElement(stack[-1], _q("ec"), id=part.id, isolated="yes")
        else:
            el = etree.SubElement(stack[-1], _q("ph"), id=part.id)
        if ref:
            el.set("dataRef", ref)
        last = el
