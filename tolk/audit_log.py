"""Reading the audit log: filters (actor, action, object, dates), events as JSON, and its CSV export."""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import json
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select

from tolk.errors import ValidationError
from tolk.models import AuditEvent
from tolk.spreadsheet import safe_cell

#: The filters of the API and the page, each an exact match on its column.
EXACT_FILTERS = ("actor", "action", "object_type", "object_id")
CSV_COLUMNS = ("id", "at", "actor", "action", "object_type", "object_id", "detail", "note")
# CPython 3.11's AST constructor keeps its recursion depth per interpreter, not per thread: two threads
# building an AST at once can fail with "SystemError: AST constructor recursion depth mismatch"
# (python/cpython#106905). A web worker serves requests on threads, so old rows are parsed one at a time.
_AST_LOCK = threading.Lock()


@dataclass(frozen=True)
class AuditFilter:
    """Which events to show: exact matches, and a date range in UTC (``until`` inclusive)."""

    exact: Mapping[str, str]
    since: dt.date | None = None
    until: dt.date | None = None

    def to_args(self) -> dict[str, Any]:
        """The filter as query-string arguments (for links and the CSV export)."""
        args: dict[str, Any] = dict(self.exact)
        if self.since:
            args["since"] = self.since.isoformat()
        if self.until:
            args["until"] = self.until.isoformat()
        return args


def _date(args: Mapping[str, str], name: str) -> dt.date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError(f"'{name}' must be a date (YYYY-MM-DD)", details={"field": name}) from exc


def filter_from_args(args: Mapping[str, str]) -> AuditFilter:
    """The filter in a query string; ValidationError on a malformed date or a range that ends before it starts."""
    exact = {name: args[name].strip() for name in EXACT_FILTERS if (args.get(name) or "").strip()}
    found = AuditFilter(exact=exact, since=_date(args, "since"), until=_date(args, "until"))
    if found.since and found.until and found.until < found.since:
        raise ValidationError("'until' is before 'since'", details={"field": "until"})
    return found


def events_query(wanted: AuditFilter) -> Select:
    """The events matching ``wanted`` (unordered: the caller pages or sorts them)."""
    query = select(AuditEvent)
    for name, value in wanted.exact.items():
        query = query.where(getattr(AuditEvent, name) == value)
    if wanted.since:
        query = query.where(AuditEvent.created_at >= dt.datetime.combine(wanted.since, dt.time(), dt.UTC))
    if wanted.until:
        end = dt.datetime.combine(wanted.until + dt.timedelta(days=1), dt.time(), dt.UTC)
        query = query.where(AuditEvent.created_at < end)
    return query


def detail_json(value: Any) -> dict[str, Any]:
    """An event's detail as a JSON object. Rows written as text (a Python repr such as
    ``"{'entries': 3, 'replace': False}"``, or JSON) are read back as the object they describe."""
    if isinstance(value, dict):
        return value
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        for parse in (json.loads, _python_literal):
            try:
                parsed = parse(value)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                continue
            if isinstance(parsed, dict):
                return json.loads(json.dumps(parsed, default=str))
        return {"text": value}
    return {"value": json.loads(json.dumps(value, default=str))}


def _python_literal(text: str) -> Any:
    with _AST_LOCK:
        return ast.literal_eval(text)


def event_to_dict(event: AuditEvent) -> dict[str, Any]:
    """One event as the API answers it."""
    return {"id": event.id, "at": event.created_at.isoformat(), "actor": event.actor, "action": event.action,
            "object_type": event.object_type, "object_id": event.object_id, "detail": detail_json(event.detail),
            "note": event.note}


def csv_lines(events: Iterable[AuditEvent]) -> Iterator[str]:
    """The CSV export, a line at a time: a header, then one row per event, its detail as JSON; every cell
    through :func:`tolk.spreadsheet.safe_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: Iterable[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(cell) for cell in cells])
        return buffer.getvalue()

    yield line(CSV_COLUMNS)
    for event in events:
        row = event_to_dict(event)
        row["detail"] = json.dumps(row["detail"], ensure_ascii=False, sort_keys=True)
        yield line("" if row[name] is None else row[name] for name in CSV_COLUMNS)
