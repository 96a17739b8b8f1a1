"""Read MQM annotation files in the column layout of Google's public WMT MQM data (TSV) or as CSV.

One row per marked error; a ``No-error`` row records a segment the rater found clean. Rows of the same
(system, doc, seg_id, rater) form one rating. A file with any malformed row is rejected whole, with
every bad line listed, so a score is never computed from part of a file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lqa.mqm import TYPOLOGY, Annotation, count_words, validate_category, validate_severity
from tolk.errors import ValidationError

COLUMNS = ("system", "doc", "doc_id", "seg_id", "rater", "source", "target", "category", "severity")
REQUIRED_VALUES = ("system", "doc", "seg_id", "category", "severity")
NO_ERROR = "no-error"

# Google's labels that are not spelled like the MQM-Core category they mean.
CATEGORY_ALIASES = {
    "non-translation": "non_translation",
    "non_translation": "non_translation",
    "accuracy/untranslated_text": "accuracy/untranslated",
    "accuracy/source_language_fragment": "accuracy/untranslated",
    "fluency/inconsistent_use_of_terminology": "terminology",
    "locale_convention": "locale_convention",
    "locale": "locale_convention",
    "design": "markup",
    "design_and_markup": "markup",
    "source_error": "source_error",
}
_SEVERITIES = {"neutral": "neutral", "minor": "minor", "major": "major", "critical": "critical",
               NO_ERROR: NO_ERROR, "no_error": NO_ERROR}


class AnnotationFileError(ValidationError):
    """An annotation file with malformed rows; ``errors`` lists every (line, message)."""

    code = "invalid_annotation_file"

    def __init__(self, source: str, errors: list[tuple[int, str]]):
        self.source = source
        self.errors = errors
        lines = "; ".join(f"line {line}: {message}" for line, message in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(f"{source}: {len(errors)} malformed line(s): {lines}{more}",
                         details={"errors": [{"line": line, "message": m} for line, m in errors]})


@dataclass
class Rating:
    """One rater's judgement of one translated segment: its errors, or none for a clean segment."""

    system: str
    doc: str
    doc_id: str
    seg_id: str
    rater: str
    source: str
    target: str
    line: int
    annotations: list[Annotation] = field(default_factory=list)

    @property
    def segment_key(self) -> str:
        """Identifies the translated segment across raters: system, document and segment id."""
        return f"{self.system}|{self.doc}|{self.seg_id}"

    @property
    def words(self) -> int:
        """Source words evaluated by this rating (see ``lqa.mqm.count_words``)."""
        return count_words(self.source)


def map_category(label: str) -> str | None:
    """Map a file's category label to the MQM typology; None for ``No-error``; ValueError if unknown.

    ``Accuracy/Mistranslation`` -> ``accuracy/mistranslation``; ``Style/Awkward`` -> ``style``;
    ``Non-translation!`` -> ``non_translation``; ``Source error/-`` -> ``source_error``. A subcategory
    the typology lacks falls back to its dimension (``Fluency/Register`` -> ``fluency``).
    """
    key = re.sub(r"[\s_]+", "_", label.strip().lower()).rstrip("!")
    key = re.sub(r"_?/_?", "/", key).removesuffix("/-").rstrip("/")
    if key in (NO_ERROR, "no_error"):
        return None
    if key in CATEGORY_ALIASES:
        return CATEGORY_ALIASES[key]
    try:
        return validate_category(key)
    except ValueError:
        pass
    parent = CATEGORY_ALIASES.get(key.split("/", 1)[0], key.split("/", 1)[0])
    if parent in TYPOLOGY:
        return parent
    raise ValueError(f"unknown MQM category {label!r}")


_MARK_RE = re.compile(r"</?v>")


def _strip_marks(text: str) -> tuple[str, tuple[int, int] | None]:
    """Remove Google's ``<v>...</v>`` error highlight and return the clean text and the span it marked."""
    marks = list(_MARK_RE.finditer(text))
    clean = _MARK_RE.sub("", text)
    if len(marks) == 2 and marks[0].group(0) == "<v>" and marks[1].group(0) == "</v>":
        start = marks[0].start()
        end = marks[1].start() - len(marks[0].group(0))
        return clean, (start, end)
    return clean, None


def _rows_tsv(text: str) -> Iterator[tuple[int, list[str]]]:
    # Quotes are literal in this layout: a '"' is text, so the csv module must not see these lines.
    # Split on newlines only: str.splitlines() would also break at U+2028 and friends inside a segment.
    for number, line in enumerate(text.split("\n"), start=1):
        yield number, line.removesuffix("\r").split("\t")


def _rows_csv(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        for row in reader:
            yield start, row
            start = reader.line_num + 1
    except csv.Error as exc:
        raise AnnotationFileError("CSV", [(reader.line_num, f"CSV syntax: {exc}")]) from exc


def parse_ratings(rows: Iterable[tuple[int, list[str]]], *, source: str = "<annotations>") -> list[Rating]:
    """Turn numbered rows (the first being the header) into ratings, or raise AnnotationFileError."""
    rows = iter(rows)
    first = next(rows, None)
    while first is not None and not any(cell.strip() for cell in first[1]):
        first = next(rows, None)
    if first is None:
        raise AnnotationFileError(source, [(1, "empty file: expected a header line")])
    header_line, header = first
    names = [cell.strip().lower() for cell in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise AnnotationFileError(source, [(header_line, f"header lacks column(s) {', '.join(missing)}; "
                                                         f"expected {' '.join(COLUMNS)}")])
    index = {c: names.index(c) for c in COLUMNS}
    min_columns = max(index.values()) + 1  # trailing optional columns (comment, metadata) may be absent

    errors: list[tuple[int, str]] = []
    ratings: dict[tuple[str, str, str, str], Rating] = {}
    for line, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        if not min_columns <= len(cells) <= len(names):
            expected = str(len(names)) if min_columns == len(names) else f"{min_columns}-{len(names)}"
            errors.append((line, f"expected {expected} columns, found {len(cells)}"))
            continue
        row = {c: cells[i] for c, i in index.items()}
        empty = [c for c in REQUIRED_VALUES if not row[c].strip()]
        if empty:
            errors.append((line, f"empty {', '.join(empty)}"))
            continue
        severity = _SEVERITIES.get(row["severity"].strip().lower().replace(" ", "-"))
        if severity is None:
            errors.append((line, f"unknown severity {row['severity']!r}; expected Major, Minor, Neutral, "
                                 f"Critical or No-error"))
            continue
        try:
            category = map_category(row["category"])
        except ValueError as exc:
            errors.append((line, str(exc)))
            continue
        if (category is None) != (severity == NO_ERROR):
            errors.append((line, f"category {row['category']!r} with severity {row['severity']!r}: "
                                 f"No-error must appear in both columns or neither"))
            continue
        target, span = _strip_marks(row["target"])
        src, _ = _strip_marks(row["source"])
        system, doc, seg_id, rater = (row[c].strip() for c in ("system", "doc", "seg_id", "rater"))
        key = (system, doc, seg_id, rater)
        rating = ratings.get(key)
        if rating is None:
            rating = ratings[key] = Rating(system, doc, row["doc_id"].strip(), seg_id, rater, src, target, line)
        if category is not None:
            rating.annotations.append(Annotation(rating.segment_key, category, validate_severity(severity), span=span,
                                                 rater=rater or None, note=f"line {line}"))
    if errors:
        raise AnnotationFileError(source, errors)
    return list(ratings.values())


def parse_tsv(text: str, *, source: str = "<tsv>") -> list[Rating]:
    """Parse TSV text in Google's MQM layout (header line, literal quotes)."""
    return parse_ratings(_rows_tsv(text), source=source)


def parse_csv(text: str, *, source: str = "<csv>") -> list[Rating]:
    """Parse CSV text (header row, csv-module quoting) with the same column names."""
    try:
        return parse_ratings(_rows_csv(text), source=source)
    except AnnotationFileError as exc:
        if exc.source == "CSV":
            raise AnnotationFileError(source, exc.errors) from exc
        raise


def read_ratings(path: str | Path) -> list[Rating]:
    """Read an annotation file: ``.csv`` as CSV, anything else as Google-style TSV."""
    path = Path(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise AnnotationFileError(str(path), [(line, "not valid UTF-8")]) from exc
    if path.suffix.lower() == ".csv":
        return parse_csv(text, source=str(path))
    return parse_tsv(text, source=str(path))
