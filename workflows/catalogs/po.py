"""PO files of reply templates: read strictly (every problem with its line), written with polib."""

from __future__ import annotations

import re
from collections.abc import Sequence

import polib

from tolk.errors import ValidationError
from tolk.languages import canonical, underscored
from workflows.locales import parse_plural_header
from workflows.macros import form_problems

POT_NAME = "messages.pot"
_STRING = r'"(?:[^"\\]|\\.)*"'
_KEYWORD_LINE = re.compile(rf"^\s*(?:msgctxt|msgid|msgid_plural|msgstr|msgstr\[\d+\])\s+{_STRING}\s*$")
_CONTINUATION = re.compile(rf"^\s*{_STRING}\s*$")
_POLIB_LINE = re.compile(r"\(line (\d+)\)")
_MAX_REPORTED = 20


class CatalogError(ValidationError):
    """A refused catalog: every problem found, each with its line number."""

    code = "invalid_catalog"

    def __init__(self, errors: Sequence[tuple[int | None, str]]):
        self.errors = list(errors)[:_MAX_REPORTED]
        self.line = self.errors[0][0] if self.errors else None
        shown = [f"line {line}: {msg}" if line else msg for line, msg in self.errors[:3]]
        more = len(errors) - len(shown)
        message = "; ".join(shown) + (f" (and {more} more problem(s))" if more > 0 else "")
        super().__init__(message, details={"line": self.line,
                                           "errors": [{"line": ln, "message": m} for ln, m in self.errors]})


def catalog_filename(locale: str) -> str:
    """The file name of a locale's catalog, e.g. ``pl.po`` or ``zh_Hant.po``."""
    return f"{underscored(canonical(locale))}.po"




def decode_po(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    m = re.search(rb"charset=([A-Za-z0-9_.:-]+)", data[:8192])
    charset = m.group(1).decode("ascii") if m else "utf-8"
    if charset.upper() == "CHARSET":  # the POT placeholder
        charset = "utf-8"
    try:
        return data.decode(charset)
    except LookupError:
        raise CatalogError([(_line_of(data, m.start()) if m else None, f"unknown charset {charset!r}")]) from None
    except UnicodeDecodeError as exc:
        raise CatalogError([(_line_of(data, exc.start), f"the file is not valid {charset}")]) from None


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _lexical_errors(text: str) -> list[tuple[int, str]]:
    # polib silently skips some malformed lines (``msgid foo`` without quotes); catch them first.
    errors = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not (_KEYWORD_LINE.match(line) or _CONTINUATION.match(line)):
            shown = line.strip()[:40]
            errors.append((number, f"cannot read {shown!r}: expected msgctxt, msgid, msgstr, a quoted string "
                                   "or a comment"))
    return errors


def header_line(text: str, name: str) -> int | None:
    """The line of header field ``name`` (e.g. ``Language``) in a PO file's text."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith(f'"{name}:'):
            return number
    return None


def _structure_errors(po: polib.POFile, text: str) -> list[tuple[int | None, str]]:
    errors: list[tuple[int | None, str]] = []
    nplurals: int | None = None
    if po.metadata.get("Plural-Forms"):
        header = po.metadata["Plural-Forms"]
        if "INTEGER" not in header:  # the untouched POT placeholder is not a claim
            try:
                nplurals = parse_plural_header(header).nplurals
            except ValueError as exc:
                errors.append((header_line(text, "Plural-Forms"), str(exc)))
    seen: dict[tuple[str, str], int | None] = {}
    for entry in po:
        if entry.obsolete:
            continue
        key = (entry.msgctxt or "", entry.msgid)
        if key in seen:
            errors.append((entry.linenum, f"duplicate of the entry on line {seen[key]}"))
            continue
        seen[key] = entry.linenum
        if entry.msgid_plural:
            keys = sorted(entry.msgstr_plural)
            if keys != list(range(len(keys))):
                errors.append((entry.linenum, f"msgstr[] indexes must be 0..n-1, got {keys}"))
            elif nplurals is not None and len(keys) != nplurals:
                errors.append((entry.linenum, f"has {len(keys)} plural form(s), the Plural-Forms header says "
                                              f"nplurals={nplurals}"))
            forms = [entry.msgstr_plural[k] for k in keys]
        else:
            forms = [entry.msgstr]
        errors.extend((entry.linenum, p) for p in form_problems(entry.msgid, entry.msgid_plural or None, forms))
    return errors


def read_po(data: bytes) -> polib.POFile:
    """Parse and check a PO or POT file; CatalogError names the line of every problem.

    Checks syntax, plural-form counts against the ``Plural-Forms`` header, duplicate entries and
    placeholders (``{name}``, ``%(name)s``) kept between msgid and msgstr.
    """
    if not data or not data.strip():
        raise CatalogError([(None, "the file is empty")])
    text = decode_po(data)
    errors: list[tuple[int | None, str]] = list(_lexical_errors(text))
    if errors:
        raise CatalogError(errors)
    try:
        # The trailing newline keeps polib from taking a one-line upload for a path to open.
        po = polib.pofile(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except (OSError, ValueError) as exc:
        m = _POLIB_LINE.search(str(exc))
        raise CatalogError([(int(m.group(1)) if m else None, str(exc))]) from None
    errors = _structure_errors(po, text)
    if errors:
        raise CatalogError(errors)
    return po


def write_po(po: polib.POFile) -> bytes:
    """Serialize a catalog as UTF-8 bytes."""
    po.encoding = "utf-8"
    return str(po).encode("utf-8")
