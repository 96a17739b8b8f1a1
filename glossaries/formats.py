"""Reading a glossary file in whichever supported format it is: TBX or CSV/TSV."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from glossaries import csv_format, tbx
from glossaries.terms import MAX_GLOSSARY_BYTES, Concept, GlossaryFormatError, Termbase


class GlossaryFile(NamedTuple):
    """A glossary file opened for storing as it is read: CSV row by row, TBX entry by entry."""

    source_lang: str
    description: str
    total: int
    concepts: Iterator[Concept]


def open_glossary(data: bytes, filename: str, *, max_bytes: int = MAX_GLOSSARY_BYTES) -> GlossaryFile:
    """The file's source locale, description and (about how many) concepts, read lazily where the format
    allows; the header is checked at once, each row's errors come as GlossaryFormatError while iterating."""
    if _is_tbx(data, filename):
        opened = tbx.open_tbx(data, max_bytes=max_bytes)
        return GlossaryFile(opened.source_lang, opened.description, opened.total, opened.concepts)
    source_lang, total, concepts = csv_format.iter_csv(data, max_bytes=max_bytes)
    return GlossaryFile(source_lang, "", total, concepts)


def _is_tbx(data: bytes, filename: str) -> bool:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext in ("tbx", "xml"):
        return True
    if ext in ("csv", "tsv", "txt"):
        return False
    return data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def read_glossary(data: bytes, filename: str, *, max_bytes: int = MAX_GLOSSARY_BYTES, name: str | None = None
                  ) -> Termbase:
    """Read a TBX or CSV/TSV glossary, choosing the format by file extension, else by content."""
    if len(data) > max_bytes:
        raise GlossaryFormatError(f"file is {len(data)} bytes, over the limit of {max_bytes}")
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    stem = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0] if filename else ""
    if ext in ("tbx", "xml"):
        termbase = tbx.read_tbx(data, max_bytes=max_bytes)
    elif ext in ("csv", "tsv", "txt"):
        termbase = csv_format.read_csv(data, max_bytes=max_bytes, name=name or stem)
    elif data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        termbase = tbx.read_tbx(data, max_bytes=max_bytes)
    else:
        termbase = csv_format.read_csv(data, max_bytes=max_bytes, name=name or stem)
    if name:
        termbase.name = name
    elif not termbase.name:
        termbase.name = stem
    return termbase

