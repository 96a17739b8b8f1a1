"""Request-body validation shared by every JSON endpoint: one place, one error format."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, overload

from flask import current_app, request

from tolk.errors import BadRequest, PayloadTooLarge, ValidationError

_MISSING = object()


def json_object() -> dict[str, Any]:
    """The request's JSON body, which must be an object."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object", code="invalid_json")
    return body


def uploaded_file() -> tuple[bytes, str]:
    """An import file: multipart ``file``, or the raw body (name from ``?filename=``), within the size limit."""
    max_bytes = current_app.config["MAX_UPLOAD_BYTES"]
    upload = request.files.get("file")
    if upload is not None:
        data, filename = upload.read(max_bytes + 1), upload.filename or ""
    else:
        data, filename = request.get_data(), request.args.get("filename", "")
    if not data:
        raise BadRequest("no file: send multipart 'file' or the file as the request body", code="no_file")
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"the file is larger than {max_bytes} bytes")
    return data, filename


def field(body: dict[str, Any], name: str, kind: type | tuple[type, ...], *, required: bool = False,
          default: Any = None, choices: Iterable[Any] | None = None, max_length: int | None = None) -> Any:
    """One validated field of ``body``; ``None`` counts as absent."""
    value = body.get(name, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise ValidationError(f"'{name}' is required", details={"field": name})
        return default
    if isinstance(value, bool) and kind in (int, float):
        raise ValidationError(f"'{name}' must be a number", details={"field": name})
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ValidationError(f"'{name}' must be of type {names}", details={"field": name})
    if choices is not None and value not in set(choices):
        raise ValidationError(f"'{name}' must be one of: {', '.join(map(str, choices))}", details={"field": name})
    if max_length is not None and isinstance(value, str) and len(value) > max_length:
        raise ValidationError(f"'{name}' is longer than {max_length} characters", details={"field": name})
    return value


@overload
def language(body: dict[str, Any], name: str, *, required: Literal[True]) -> str: ...
@overload
def language(body: dict[str, Any], name: str, *, required: bool = False) -> str | None: ...


def language(body: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    """A validated, canonical BCP 47 tag from ``body`` (a missing required one is a ValidationError)."""
    from tolk.languages import UnknownLanguage, canonical

    value = field(body, name, str, required=required)
    if value is None:
        return None
    try:
        return canonical(value)
    except UnknownLanguage as exc:
        raise ValidationError(f"'{name}': {exc}", code="unknown_language", details={"field": name}) from exc
