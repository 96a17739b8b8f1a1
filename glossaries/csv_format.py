"""CSV/TSV glossary import and export: one column per locale, one row per concept.

Header row: language codes (``en``, ``pt-BR``, ``zh-Hant``), the first being the source locale, plus
optional columns ``note``, ``subject``, ``id``, ``part_of_speech``, ``do_not_translate`` and
``case_sensitive`` (true/false), and ``forbidden:<lang>`` for variants that must not be used. In a
language cell, ``|`` separates variants: the first is preferred, the rest admitted; in a forbidden cell,
every variant is forbidden. ``part_of_speech`` and ``case_sensitive`` apply to every term of the row;
per-term notes exist only in TBX. The delimiter (``,``, ``;`` or tab) is taken from the header line.

Written cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``...) get a leading
apostrophe (``tolk.spreadsheet.safe_cell``); reading drops that apostrophe again, so files round-trip.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from glossaries.terms import MAX_GLOSSARY_BYTES, Concept, GlossaryFormatError, Term, Termbase, validate_lang
from tolk.spreadsheet import FORMULA_STARTS, safe_cell

DELIMITERS = (",", ";", "\t")
VARIANT_SEPARATOR = "|"
CONCEPT_COLUMNS = ("id", "subject", "note", "part_of_speech", "do_not_translate", "case_sensitive")
MAX_TERM_CHARS = 255  # the column's width (glossaries.models.GlossaryTerm.text)
_TRUE = {"true", "yes", "y", "1", "x"}
_FALSE = {"false", "no", "n", "0", ""}


def read_csv(data: bytes, *, max_bytes: int = MAX_GLOSSARY_BYTES, name: str = "", description: str = ""
             ) -> Termbase:
    """Parse a CSV/TSV glossary (UTF-8, BOM optional); raise GlossaryFormatError naming the line."""
    source_lang, _rows, concepts = iter_csv(data, max_bytes=max_bytes)
    return Termbase(name=name, source_lang=source_lang, concepts=list(concepts), description=description)


def iter_csv(data: bytes, *, max_bytes: int = MAX_GLOSSARY_BYTES) -> tuple[str, int, Iterator[Concept]]:
    """(source locale, about how many rows, the concepts row by row): the header is checked at once, each
    row as it is read, so a large file is stored as it is parsed; errors are GlossaryFormatError with a line."""
    if len(data) > max_bytes:
        raise GlossaryFormatError(f"file is {len(data)} bytes, over the limit of {max_bytes}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise GlossaryFormatError("not valid UTF-8 (save the file as CSV UTF-8)", line=line) from None
    if "\x00" in text:
        raise GlossaryFormatError("binary content (NUL byte) in a CSV file",
                                  line=text[: text.index("\x00")].count("\n") + 1)
    header_line = next((line for line in text.splitlines() if line.strip()), None)
    if header_line is None:
        raise GlossaryFormatError("empty file: expected a header row of language codes", line=1)
    delimiter = max(DELIMITERS, key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(row for row in reader if any(cell.strip() for cell in row))
    except csv.Error as exc:
        raise GlossaryFormatError(f"malformed CSV: {exc}", line=reader.line_num) from None
    columns = _Columns(header, reader.line_num)
    return next(iter(columns.languages.values())), text.count("\n"), _concepts(reader, columns)


def _concepts(reader: Any, columns: _Columns) -> Iterator[Concept]:
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            line = reader.line_num
            if len(row) != columns.width:
                raise GlossaryFormatError(
                    f"expected {columns.width} columns as in the header, found {len(row)}", line=line
                )
            yield _concept(row, columns, line)
    except csv.Error as exc:
        raise GlossaryFormatError(f"malformed CSV: {exc}", line=reader.line_num) from None


class _Columns:
    """What each header cell means: a locale's terms, its forbidden variants, or a concept field."""

    def __init__(self, header: list[str], line: int):
        self.width = len(header)
        self.languages: dict[int, str] = {}
        self.forbidden: dict[int, str] = {}
        self.fields: dict[int, str] = {}
        seen: set[str] = set()
        for index, raw in enumerate(header):
            cell = raw.strip()
            key = cell.lower().replace("-", "_").replace(" ", "_")
            where = f"column {index + 1}"
            if not cell:
                raise GlossaryFormatError(f"{where} of the header is empty", line=line)
            if key in CONCEPT_COLUMNS:
                slot, column = self.fields, key
            elif key.startswith("forbidden:"):
                slot, column = self.forbidden, self._lang(cell.split(":", 1)[1], f"{where} ({cell!r})", line)
            else:
                slot, column = self.languages, self._lang(cell, where, line)
            label = ("forbidden:" + column) if slot is self.forbidden else column
            if label in seen:
                raise GlossaryFormatError(f"{where}: duplicate column {cell!r}", line=line)
            seen.add(label)
            slot[index] = column
        if not self.languages:
            raise GlossaryFormatError(
                "no language column in the header: expected language codes such as en,es,de", line=line
            )

    @staticmethod
    def _lang(code: str, where: str, line: int) -> str:
        try:
            return validate_lang(code)
        except ValueError as exc:
            raise GlossaryFormatError(f"{where} of the header: {exc}", line=line) from None


def _unescaped(cell: str) -> str:
    """A cell as written before export escaped it: ``'=SUM(1)`` is read as ``=SUM(1)``."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def _concept(row: list[str], columns: _Columns, line: int) -> Concept:
    row = [_unescaped(cell) for cell in row]
    fields = {column: row[index].strip() for index, column in columns.fields.items()}
    part_of_speech = fields.get("part_of_speech") or None
    case_sensitive = _flag(fields, "case_sensitive", line)
    terms: list[Term] = []
    forbidden = {lang: _variants(row[index]) for index, lang in columns.forbidden.items()}
    for index, lang in columns.languages.items():
        for number, variant in enumerate(_variants(row[index])):
            status = "preferred" if number == 0 else "admitted"
            terms.append(Term(lang, variant, part_of_speech, case_sensitive, status))
        # Forbidden variants follow their language's terms, as in TBX, so both formats order terms alike.
        terms.extend(Term(lang, v, part_of_speech, case_sensitive, "forbidden") for v in forbidden.pop(lang, ()))
    if not terms:
        raise GlossaryFormatError("row has no term in any language column", line=line)
    too_long = next((t.text for t in terms if len(t.text) > MAX_TERM_CHARS), None)
    if too_long is not None:
        raise GlossaryFormatError(f"a term is longer than {MAX_TERM_CHARS} characters: {too_long[:40]!r}...",
                                  line=line)
    for lang, variants in forbidden.items():
        terms.extend(Term(lang, v, part_of_speech, case_sensitive, "forbidden") for v in variants)
    return Concept(
        terms=terms,
        id=fields.get("id") or None,
        do_not_translate=_flag(fields, "do_not_translate", line),
        note=fields.get("note") or None,
        subject=fields.get("subject") or None,
    )


def _variants(cell: str) -> list[str]:
    return [" ".join(v.split()) for v in cell.split(VARIANT_SEPARATOR) if v.strip()]


def _flag(fields: dict[str, str], column: str, line: int) -> bool:
    value = fields.get(column, "").lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise GlossaryFormatError(f"{column} must be true or false, not {fields[column]!r}", line=line)


def write_csv(termbase: Termbase, *, delimiter: str = ",") -> bytes:
    """Serialize a termbase as UTF-8 CSV (with BOM, so spreadsheet programs detect the encoding)."""
    languages = termbase.languages()
    forbidden_langs = [
        lang for lang in languages if any(t.lang == lang and t.status == "forbidden"
                                          for c in termbase.concepts for t in c.terms)
    ]
    used = {
        "id": any(c.id for c in termbase.concepts),
        "subject": any(c.subject for c in termbase.concepts),
        "note": any(c.note for c in termbase.concepts),
        "part_of_speech": any(t.part_of_speech for c in termbase.concepts for t in c.terms),
        "do_not_translate": any(c.do_not_translate for c in termbase.concepts),
        "case_sensitive": any(t.case_sensitive for c in termbase.concepts for t in c.terms),
    }
    extra = [column for column in CONCEPT_COLUMNS if used[column]]
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(languages + [f"forbidden:{lang}" for lang in forbidden_langs] + extra)
    for concept in termbase.concepts:
        row = [_cell(concept, lang, forbidden=False) for lang in languages]
        row += [_cell(concept, lang, forbidden=True) for lang in forbidden_langs]
        for column in extra:
            row.append(_concept_field(concept, column))
        writer.writerow([safe_cell(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(concept: Concept, lang: str, *, forbidden: bool) -> str:
    terms = [t for t in concept.terms if t.lang == lang and (t.status == "forbidden") == forbidden]
    if not forbidden:
        terms.sort(key=lambda t: t.status != "preferred")
    return VARIANT_SEPARATOR.join(t.text for t in terms)


def _concept_field(concept: Concept, column: str) -> str:
    if column == "part_of_speech":
        return next((t.part_of_speech for t in concept.terms if t.part_of_speech), "")
    if column == "case_sensitive":
        return "true" if any(t.case_sensitive for t in concept.terms) else "false"
    if column == "do_not_translate":
        return "true" if concept.do_not_translate else "false"
    return getattr(concept, column) or ""
