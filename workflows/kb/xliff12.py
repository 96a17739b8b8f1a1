"""XLIFF 1.2 reading and writing (namespace ``urn:oasis:names:tc:xliff:document:1.2``), for older tools.

Written: one ``<trans-unit>`` per segment; paired tags as ``<bpt>``/``<ept>`` and any other tag as
``<ph>`` (``<it>`` for half a pair), each holding the original markup (escaped), so a tool can show it; the target's ``state``
(needs-translation, translated, signed-off, final) and notes. The output validates against the
OASIS XLIFF 1.2 transitional schema.

Read: ``<g>``/``<bx>``/``<ex>``/``<bpt>``/``<ept>`` are opening and closing codes (paired by ``rid``
or ``id``), ``<x>``/``<ph>``/``<it>`` standalone ones, ``<it pos>`` half of a pair whose other half is elsewhere, ``<mrk>`` keeps its text, ``<sub>`` inside a
code belongs to that code; ``<seg-source>`` segmentation (``<mrk mtype="seg">``) is honoured; groups
nest; ``<bin-unit>`` and ``<alt-trans>`` are skipped.
"""

from __future__ import annotations

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

NS = "urn:oasis:names:tc:xliff:document:1.2"
#: XLIFF 1.2 target states, by the XLIFF 2 state they become.
_READ_STATES = {
    "new": SegmentState.INITIAL, "needs-translation": SegmentState.INITIAL,
    "needs-l10n": SegmentState.TRANSLATED, "needs-adaptation": SegmentState.TRANSLATED,
    "translated": SegmentState.TRANSLATED, "needs-review-translation": SegmentState.TRANSLATED,
    "needs-review-l10n": SegmentState.TRANSLATED, "needs-review-adaptation": SegmentState.TRANSLATED,
    "signed-off": SegmentState.REVIEWED, "final": SegmentState.FINAL,
}
_WRITE_STATES = {SegmentState.INITIAL: "needs-translation", SegmentState.TRANSLATED: "translated",
                 SegmentState.REVIEWED: "signed-off", SegmentState.FINAL: "final"}


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _ours(element: etree._Element) -> bool:
    return isinstance(element.tag, str) and etree.QName(element.tag).namespace in (NS, None)


def read(root: etree._Element) -> Document:
    """The document under an XLIFF 1.2 ``<xliff>`` root."""
    if root.get("version") != "1.2":
        raise XliffError(f"XLIFF version {root.get('version')!r} is not supported (2.0, 2.1 or 1.2)",
                         root.sourceline)
    doc: Document | None = None
    for element in root:
        if not (_ours(element) and local(element) == "file"):
            continue
        source_lang = element.get("source-language")
        if not source_lang:
            raise XliffError("<file> has no source-language", element.sourceline)
        if doc is None:
            doc = Document(version="1.2", source_lang=source_lang, target_lang=element.get("target-language"))
        out = File(id=element.get("original", ""), original=element.get("original"), line=element.sourceline or 0)
        for part in element:
            if _ours(part) and local(part) == "body":
                _container(part, out)
        doc.files.append(out)
    if doc is None:
        raise XliffError("the document has no <file>", root.sourceline)
    return doc


def _container(element: etree._Element, out: File) -> None:
    for child in element:
        if not _ours(child):
            continue
        if local(child) == "group":
            _container(child, out)
        elif local(child) == "trans-unit":
            out.units.append(_unit(child))


def _child(element: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in element if _ours(c) and local(c) == name), None)


def _unit(element: etree._Element) -> Unit:
    unit_id = element.get("id")
    if not unit_id:
        raise XliffError("<trans-unit> has no id", element.sourceline)
    source_el, target_el = _child(element, "source"), _child(element, "target")
    if source_el is None:
        raise XliffError(f"<trans-unit id={unit_id!r}> has no <source>", element.sourceline)
    unit = Unit(id=unit_id, line=element.sourceline or 0,
                notes=["".join(n.itertext()) for n in element if _ours(n) and local(n) == "note"])
    state = SegmentState.INITIAL
    if target_el is not None:
        name = target_el.get("state", "translated")
        if name not in _READ_STATES and not name.startswith("x-"):
            raise XliffError(f"target state {name!r} is not an XLIFF 1.2 state", target_el.sourceline)
        state = _READ_STATES.get(name, SegmentState.TRANSLATED)
    if element.get("approved") == "yes" and target_el is not None:
        state = max(state, SegmentState.REVIEWED)
    seg_source = _child(element, "seg-source")
    if seg_source is not None and _segmented(seg_source):
        sources = _split(seg_source)
        targets = _split(target_el) if target_el is not None else {}
        for mid, content in sources.items():
            target = targets.get(mid)
            unit.segments.append(Segment(id=f"{unit_id}:{mid}", source=content, target=target,
                                         state=state if target is not None else SegmentState.INITIAL,
                                         line=seg_source.sourceline or 0))
        return unit
    unit.segments.append(Segment(id=unit_id, source=_content(source_el),
                                 target=_content(target_el) if target_el is not None else None,
                                 state=state, line=(target_el if target_el is not None else source_el).sourceline
                                 or 0))
    return unit


def _segmented(element: etree._Element) -> bool:
    return any(_ours(c) and local(c) == "mrk" and c.get("mtype") == "seg" for c in element)


def _split(element: etree._Element) -> dict[str, Content]:
    return {c.get("mid", str(i)): _content(c) for i, c in enumerate(element)
            if _ours(c) and local(c) == "mrk" and c.get("mtype") == "seg"}


def _content(element: etree._Element) -> Content:
    out: Content = []

    def text(value: str | None) -> None:
        if value:
            if out and isinstance(out[-1], str):
                out[-1] += value
            else:
                out.append(value)

    def walk(node: etree._Element) -> None:
        text(node.text)
        for child in node:
            if _ours(child):
                name = local(child)
                code_id = child.get("rid") or child.get("id") or ""
                native = "".join(child.itertext()) or None
                if name == "g":
                    out.append(Code("open", code_id))
                    walk(child)
                    out.append(Code("close", code_id))
                elif name in ("bpt", "bx"):
                    out.append(Code("open", code_id, native))
                elif name in ("ept", "ex"):
                    out.append(Code("close", code_id, native))
                elif name == "it" and child.get("pos") in ("open", "close"):
                    out.append(Code(child.get("pos", ""), code_id, native))
                elif name in ("ph", "x", "it"):
                    out.append(Code("standalone", child.get("id") or "", native))
                elif name == "mrk":
                    walk(child)
                else:
                    raise XliffError(f"<{name}> is not allowed in segment content", child.sourceline)
            text(child.tail)

    walk(element)
    return out


def write(doc: Document) -> bytes:
    """``doc`` as an XLIFF 1.2 file."""
    root = etree.Element(_q("xliff"), nsmap={None: NS}, version="1.2")
    for f in doc.files:
        file_el = etree.SubElement(root, _q("file"), original=f.original or f.id, datatype="html")
        file_el.set("source-language", doc.source_lang)
        if doc.target_lang:
            file_el.set("target-language", doc.target_lang)
        body = etree.SubElement(file_el, _q("body"))
        for unit in f.units:
            for i, seg in enumerate(unit.segments):
                # A trans-unit is one segment: a unit of several is written as several, their ids unique.
                unit_id = unit.id if len(unit.segments) == 1 else f"{unit.id}-{seg.id or i}"
                unit_el = etree.SubElement(body, _q("trans-unit"), id=unit_id)
                unit_el.set(f"{{{XML_NS}}}space", "preserve")
                _write_content(etree.SubElement(unit_el, _q("source")), seg.source)
                if seg.target is not None:
                    target_el = etree.SubElement(unit_el, _q("target"), state=_WRITE_STATES[seg.state])
                    _write_content(target_el, seg.target)
                for note in unit.notes:
                    etree.SubElement(unit_el, _q("note")).text = xml_text(note)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _write_content(element: etree._Element, content: Sequence[str | Code]) -> None:
    opened = {p.id for p in content if isinstance(p, Code) and p.kind == "open"}
    paired = {p.id for p in content if isinstance(p, Code) and p.kind == "close" and p.id in opened}
    last: etree._Element | None = None
    for part in content:
        if isinstance(part, str):
            if last is None:
                element.text = (element.text or "") + xml_text(part)
            else:
                last.tail = (last.tail or "") + xml_text(part)
            continue
        if part.kind == "standalone":
            last = etree.SubElement(element, _q("ph"), id=part.id)
        elif part.id in paired:
            last = etree.SubElement(element, _q("bpt" if part.kind == "open" else "ept"), id=part.id)
            last.set("rid", part.id)  # pairs the opening and closing codes, as the schema's keyref asks
        else:  # an opening or closing code whose partner is outside the segment
            last = etree.SubElement(element, _q("it"), id=part.id, pos=part.kind)
        if part.native:
            last.text = xml_text(part.native)
