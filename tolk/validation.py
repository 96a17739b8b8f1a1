"""Request-body validation shared by every JSON endpoint: one place, one error format."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Literal, overload

from flask import Request, current_app, request

from tolk.errors import BadRequest, PayloadTooLarge, ValidationError
from tolk.languages import check

#: Deepest JSON nesting accepted (objects and arrays); the API's own documents nest at most 6 levels.
MAX_JSON_DEPTH = 32
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _text_problem(text: str) -> str | None:
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return f"contains a NUL character (at {found.start()}), which text may not hold"
    return (f"contains a lone surrogate \\u{ord(found.group()):04x} (at {found.start()}), which is not valid "
            "Unicode: send each character outside the Basic Multilingual Plane as a surrogate pair")


def check_json_body(raw: bytes) -> None:
    """Refuse, with a 400 naming the field, a JSON body nested deeper than MAX_JSON_DEPTH or holding a string
    (value or key) with a NUL character or a lone surrogate; malformed JSON is left to the views."""
    try:
        body = json.loads(raw)
    except RecursionError:
        raise BadRequest(f"the JSON body is nested deeper than {MAX_JSON_DEPTH} levels",
                         code="too_deeply_nested") from None
    except ValueError:
        return
    stack: list[tuple[Any, str, int]] = [(body, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            problem = _text_problem(value)
            if problem:
                raise ValidationError(f"'{path or 'body'}' {problem}", code="invalid_text",
                                      details={"field": path or "body"})
            continue
        if isinstance(value, (dict, list)) and depth >= MAX_JSON_DEPTH:
            raise BadRequest(f"the JSON body is nested deeper than {MAX_JSON_DEPTH} levels",
                             code="too_deeply_nested", details={"field": path or "body"})
        if isinstance(value, dict):
            for key, item in value.items():
                name = f"{path}.{key}" if path else key
                problem = _text_problem(key)
                if problem:
                    shown = _UNSTORABLE.sub("?", name)
                    raise ValidationError(f"the key '{shown}' {problem}", code="invalid_text", details={"field": shown})
                stack.append((item, name, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value))


def check_form_text(fields: Mapping[str, Any]) -> None:
    """Refuse query, path and form values holding a NUL character or a lone surrogate (400 naming them)."""
    for name, value in fields.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            problem = _text_problem(item) if isinstance(item, str) else None
            if problem:
                raise ValidationError(f"'{name}' {problem}", code="invalid_text", details={"field": name})


def check_input(req: Request) -> None:
    """The request boundary's text checks: parameters, form fields and the JSON body (one parse)."""
    check_form_text({k: req.args.getlist(k) for k in req.args})
    check_form_text(req.view_args or {})
    if req.mimetype == "application/x-www-form-urlencoded":
        check_form_text({k: req.form.getlist(k) for k in req.form})
    if req.is_json:
        raw = req.get_data(cache=True)
        if raw.strip():
            check_json_body(raw)


def json_object() -> dict[str, Any]:
    """The request's JSON body, which must be an object."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object", code="invalid_json")
    return body


def optional_json_object() -> dict[str, Any]:
    """An optional JSON object body: ``{}`` when the request has no body, else as :func:`json_object` (so
    bytes that are not a JSON object are refused, never read as "no body")."""
    return json_object() if request.get_data(cache=True).strip() else {}


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


def optional(body: Mapping[str, Any], name: str, default: Any = None) -> Any:
    """An optional field of a body the contract has already validated; ``None`` counts as absent."""
    value = body.get(name)
    return default if value is None else value


@overload
def language(body: dict[str, Any], name: str, *, required: Literal[True]) -> str: ...
@overload
def language(body: dict[str, Any], name: str, *, required: bool = False) -> str | None: ...


def language(body: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    """The canonical BCP 47 tag in a field the contract has checked (a missing required one is a ValidationError)."""
    value = body.get(name)
    if value is None:
        if required:
            raise ValidationError(f"'{name}' is required", details={"field": name})
        return None
    return check(value, name)
