"""Pagination of lists that grow, in the API and on pages: a keyset cursor and a maximum page size.

Every paginated list answers the same shape::

    {"<items>": [...], "next_cursor": "eyJrIjogNDJ9" | null}

with a ``Link: <URL of the next page>; rel="next"`` header when there is a next page. A client sends
``limit`` (1 to the list's maximum; the default differs per list) and ``cursor`` (the ``next_cursor`` of
the page before; opaque). The cursor is the sort key of the last row shown, so a page stays right while
rows are added in front of it and a deep page costs what the first one does (no OFFSET). A malformed
cursor or limit is answered 400 ``invalid`` naming the field.

Views call :func:`page_request`, :func:`paginate` and :func:`page_response`; contracts declare the
parameters with :func:`page_params` and the body with :func:`paged`; pages link to :func:`next_page_url`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import Response, jsonify, request, url_for
from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from tolk.errors import ValidationError
from tolk.schema import Schema, array, integer, nullable, query, record, string

T = TypeVar("T")
#: A sort key: one unique column's value, or several columns' values (e.g. a deadline and an id).
Key = int | str | list[int | str]
MAX_CURSOR_CHARS = 200


@dataclass(frozen=True)
class PageRequest:
    """What a client asked for: at most ``limit`` rows after the sort key ``after`` (None: the first page)."""

    limit: int
    after: Key | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of rows and the cursor of the next page (None on the last page)."""

    items: list[T]
    next_cursor: str | None


def encode_cursor(key: Key) -> str:
    """The opaque cursor of a sort key."""
    return base64.urlsafe_b64encode(json.dumps({"k": key}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> Key:
    """The sort key of a cursor; ValidationError (400) when it is not one this module made."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)["k"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise ValidationError("'cursor' is not a cursor this API gave out", details={"field": "cursor"}) from exc
    parts = key if isinstance(key, list) and key else [key]
    if any(isinstance(part, bool) or not isinstance(part, int | str) for part in parts):
        raise ValidationError("'cursor' is not a cursor this API gave out", details={"field": "cursor"})
    return key


def page_request(args: Mapping[str, str] | None = None, *, default: int = 50, maximum: int = 200) -> PageRequest:
    """``limit`` and ``cursor`` of the request's query string (or ``args``), checked."""
    args = request.args if args is None else args
    raw_limit = args.get("limit") or str(default)
    try:
        limit = int(raw_limit)
    except ValueError as exc:
        raise ValidationError("'limit' must be a whole number", details={"field": "limit"}) from exc
    if not 1 <= limit <= maximum:
        raise ValidationError(f"'limit' must be between 1 and {maximum}", details={"field": "limit"})
    cursor = args.get("cursor") or None
    if cursor is not None and len(cursor) > MAX_CURSOR_CHARS:
        raise ValidationError("'cursor' is too long", details={"field": "cursor"})
    return PageRequest(limit=limit, after=None if cursor is None else decode_cursor(cursor))


def paginate(session: Session, query: Select, key: InstrumentedAttribute, wanted: PageRequest, *,
             descending: bool = False) -> Page[Any]:
    """Run ``query`` (without an ORDER BY) for one page, sorted by the unique column ``key``."""
    if isinstance(wanted.after, list):
        raise ValidationError("'cursor' is not a cursor of this list", details={"field": "cursor"})
    if wanted.after is not None:
        query = query.where(key < wanted.after if descending else key > wanted.after)
    query = query.order_by(key.desc() if descending else key.asc()).limit(wanted.limit + 1)
    rows = list(session.scalars(query))
    more = len(rows) > wanted.limit
    rows = rows[:wanted.limit]
    return Page(items=rows, next_cursor=encode_cursor(getattr(rows[-1], key.key)) if more and rows else None)


def more_than(rows: list[T], wanted: PageRequest, key: Callable[[T], Key]) -> Page[T]:
    """A page of ``rows`` fetched with one row more than ``wanted.limit`` (the extra row says there is a next
    page); ``key`` gives a row's sort key. For lists sorted and filtered outside :func:`paginate`."""
    more = len(rows) > wanted.limit
    rows = rows[:wanted.limit]
    return Page(items=rows, next_cursor=encode_cursor(key(rows[-1])) if more and rows else None)


def next_page_url(page: Page[Any], **overrides: Any) -> str | None:
    """The URL of the page after ``page``: this request's endpoint, path and query with the next cursor."""
    if page.next_cursor is None or request.endpoint is None:
        return None
    args: dict[str, Any] = {k: v for k, v in request.args.items(multi=False) if v != ""}
    args.update(overrides)
    args["cursor"] = page.next_cursor
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def first_page_url(**overrides: Any) -> str | None:
    """The URL of the first page with this request's filters, when this is not the first page."""
    if not request.args.get("cursor") or request.endpoint is None:
        return None
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "cursor" and v != ""}
    args.update(overrides)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def page_response(key: str, items: Iterable[Any], page: Page[Any], to_dict: Callable[[Any], Any] | None = None,
                  **extra: Any) -> Response:
    """The JSON answer ``{key: [...], "next_cursor": ...}`` with a ``Link`` header to the next page."""
    body = [to_dict(item) for item in items] if to_dict else list(items)
    response = jsonify({key: body, "next_cursor": page.next_cursor, **extra})
    url = next_page_url(page)
    if url is not None:
        response.headers["Link"] = f'<{url}>; rel="next"'
    return response


# --- the contract -----------------------------------------------------------------------------------


def page_params(default: int = 50, maximum: int = 200) -> list[Schema]:
    """The query parameters of a paginated list."""
    return [query("limit", integer(minimum=1, maximum=maximum), f"rows per page, at most {maximum} (default "
                                                                f"{default})"),
            query("cursor", string(MAX_CURSOR_CHARS), "the next_cursor of the previous page")]


def paged(key: str, item: Schema, extra: Mapping[str, Schema] | None = None) -> Schema:
    """The body of a paginated list: ``key`` holds the rows, ``next_cursor`` the next page's cursor."""
    return record({key: array(item), "next_cursor": nullable(string()), **(extra or {})})


LINK_HEADER: Schema = {"Link": {"description": 'The next page: `<URL>; rel="next"` (absent on the last page)',
                                "schema": string()}}


def with_link(response: Schema) -> Schema:
    """A documented 200 answer with the ``Link`` header of the next page."""
    return {**response, "headers": LINK_HEADER}

