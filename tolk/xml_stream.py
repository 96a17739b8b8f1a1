"""Reading an uploaded XML file (TMX, TBX) as a stream of elements, safely, with lines in every error.

lxml's ``iterparse`` parses in C and hands over the elements asked for as they end; the caller clears each
one it is done with, so memory holds about one entry at a time. Refused for safety: entity declarations
(billion laughs; also external entities, so no file is read), loading a DTD and any network access;
libxml2's own limits on entity amplification and tree depth stay on (no ``huge_tree``). A DOCTYPE without
declarations (TMX and TBX 2 files name their DTD) is allowed and ignored.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from typing import Literal

from lxml import etree

# Element names of the document's first start tag: the internal DTD subset, if any, comes before it.
_FIRST_ELEMENT = re.compile(rb"<[^?!]")
_SAFETY_CODES = frozenset(int(code) for code in (
    etree.ErrorTypes.ERR_RESOURCE_LIMIT, etree.ErrorTypes.ERR_ENTITY_LOOP, etree.ErrorTypes.ERR_ENTITY_IS_EXTERNAL,
    etree.ErrorTypes.ERR_ENTITY_PROCESSING))
# libxml2's wording where expat's (which earlier messages used) is shorter.
_REASONS: dict[int, str] = {int(etree.ErrorTypes.ERR_TAG_NAME_MISMATCH): "mismatched tag",
                             int(etree.ErrorTypes.ERR_DOCUMENT_EMPTY): "no element found"}
_WHERE_SUFFIX = re.compile(r",? line \d+, column \d+$")
_ENTITY_NAME = re.compile(r"Entity '([^']+)' not defined")


class XmlRefused(ValueError):
    """The document declares entities (or trips libxml2's limits): refused unread. ``line`` where known."""

    def __init__(self, reason: str, line: int | None) -> None:
        super().__init__(reason)
        self.reason, self.line = reason, line


class XmlMalformed(ValueError):
    """The document is not well-formed XML at ``line``, ``column``."""

    def __init__(self, reason: str, line: int | None, column: int | None) -> None:
        super().__init__(reason)
        self.reason, self.line, self.column = reason, line, column


def entity_declaration_line(data: bytes) -> int | None:
    """The line of the first ``<!ENTITY`` in the DOCTYPE before the root element, or None."""
    first = _FIRST_ELEMENT.search(data)
    end = first.start() if first else len(data)
    doctype = data.find(b"<!DOCTYPE", 0, end)
    if doctype < 0:
        return None
    found = data.find(b"<!ENTITY", doctype, end)
    return None if found < 0 else data.count(b"\n", 0, found) + 1


class XmlStream:
    """The ``(event, element)`` pairs of the elements named ``tags`` (``{*}name`` for any namespace).

    ``root`` is the document element once the first pair is out (and after the last). Errors are
    XmlRefused or XmlMalformed, possibly after some pairs were handed out.
    """

    def __init__(self, data: bytes, tags: Sequence[str], events: Sequence[Literal["start", "end"]] = ("end",)
                 ) -> None:
        self.data, self.tags, self.events = data, tuple(tags), tuple(events)
        self.root: etree._Element | None = None

    def __iter__(self) -> Iterator[tuple[str, etree._Element]]:
        declared = entity_declaration_line(self.data)
        if declared is not None:
            raise XmlRefused("entity declarations are not allowed", declared)
        etree.clear_error_log()  # the log is per thread: an earlier document's errors must not be taken for ours
        parser = etree.iterparse(io.BytesIO(self.data), events=self.events, tag=self.tags, resolve_entities=False,
                                 no_network=True, load_dtd=False, huge_tree=False, remove_comments=True,
                                 remove_pis=True)
        try:
            for event, element in parser:
                if self.root is None:
                    self.root = element.getroottree().getroot()
                    _refuse_declarations(self.root)
                # A DOCTYPE naming an outside DTD makes libxml2 keep an undeclared ``&name;`` as a node: expat
                # (and XML without that DTD) call it an error, and so does this.
                entity = next(element.iter(etree.Entity), None)
                if entity is not None:
                    raise XmlMalformed(f"undefined entity {entity.text}", entity.sourceline or element.sourceline,
                                       None)
                yield event, element
            self.root = parser.root
        except etree.XMLSyntaxError as exc:
            raise _translated(exc) from None
        if self.root is not None:
            _refuse_declarations(self.root)
        # The same where no element handed out holds it (between entries, in an attribute).
        for entry in parser.error_log:
            if entry.type == etree.ErrorTypes.WAR_UNDECLARED_ENTITY:
                name = _ENTITY_NAME.search(entry.message)
                reason = f"undefined entity &{name.group(1)};" if name else "undefined entity"
                raise XmlMalformed(reason, entry.line or None, entry.column or None)


def _refuse_declarations(root: etree._Element) -> None:
    """Entity declarations the byte scan missed (another encoding, a comment before the DOCTYPE)."""
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _entity in dtd.iterentities()):
        raise XmlRefused("entity declarations are not allowed", None)


def _translated(exc: etree.XMLSyntaxError) -> XmlRefused | XmlMalformed:
    line, column = exc.position if exc.position and exc.position[0] else (None, None)
    code, message = exc.code, exc.msg or ""
    last = exc.error_log.last_error
    if line is None and last is not None and last.line:
        # Some errors surface as a generic "no element found" at (0, 0); the log has the real one.
        line, column, code, message = last.line, last.column, last.type, last.message
    if code in _SAFETY_CODES:
        return XmlRefused(_WHERE_SUFFIX.sub("", message).strip(), line)
    return XmlMalformed(_REASONS.get(code) or _WHERE_SUFFIX.sub("", message).strip(), line, column)
