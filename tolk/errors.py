"""API error hierarchy and the handlers that turn every error under /api/ into JSON."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class TolkError(Exception):
    """An error a client can act on: it carries an HTTP status and a stable machine-readable code."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None,
                 details: dict | None = None, retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        #: Seconds after which the same request may succeed: sent as a Retry-After header.
        self.retry_after = retry_after
        if code:
            self.code = code
        if status:
            self.status = status
        self.details = details or {}

    def to_dict(self) -> dict:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return {"error": body}


class BadRequest(TolkError):
    status, code = 400, "bad_request"


class ValidationError(BadRequest):
    code = "invalid"


class Unauthorized(TolkError):
    status, code = 401, "unauthorized"


class Forbidden(TolkError):
    status, code = 403, "forbidden"


class NotFound(TolkError):
    status, code = 404, "not_found"


class Conflict(TolkError):
    status, code = 409, "conflict"


class PayloadTooLarge(TolkError):
    status, code = 413, "too_large"


class ServiceUnavailable(TolkError):
    status, code = 503, "unavailable"


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_response(code: str, message: str, status: int, details: dict | None = None):
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return jsonify({"error": body}), status


def init_app(app: Flask) -> None:
    """Register handlers: TolkError always JSON; HTTP errors and crashes JSON under /api/."""

    @app.errorhandler(TolkError)
    def _tolk_error(exc: TolkError):
        if not _wants_json() and exc.status in (401, 403, 404):
            return app.handle_http_exception(_http_for(exc))
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else {}
        return jsonify(exc.to_dict()), exc.status, headers

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if not _wants_json():
            page = app.extensions.get(HTML_ERRORS)
            if page is None or (exc.code or 500) < 400:
                return exc
            return _html(page, exc.code or 500, exc.description or exc.name)
        code = (exc.name or "error").lower().replace(" ", "_")
        return error_response(code, exc.description or exc.name, exc.code or 500)

    @app.errorhandler(Exception)
    def _crash(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        if _wants_json():
            return error_response("internal", "Internal error; it has been logged.", 500)
        page = app.extensions.get(HTML_ERRORS)
        if page is None:
            return "Internal error; it has been logged.", 500
        return _html(page, 500, "Internal error; it has been logged.")


#: app.extensions key of the function rendering an error page: (status, message) -> HTML (set by tolk.web).
HTML_ERRORS = "tolk.html_errors"


def _html(page: Any, status: int, message: str):
    """The styled error page; plain text if rendering it fails too (the database may be what failed)."""
    try:
        return page(status, message), status
    except Exception:  # noqa: BLE001 - an error page must never fail: fall back to plain text
        log.exception("error page %s could not be rendered", status)
        return f"{status}: {message}", status, {"Content-Type": "text/plain; charset=utf-8"}


def _http_for(exc: TolkError) -> HTTPException:
    from werkzeug.exceptions import Forbidden as F
    from werkzeug.exceptions import NotFound as N
    from werkzeug.exceptions import Unauthorized as U

    return {401: U, 403: F, 404: N}[exc.status](exc.message)
