"""CSRF protection: a token per session that every unsafe page request must send back."""

from __future__ import annotations

import hmac
import secrets

from flask import abort, request, session

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def csrf_token() -> str:
    """This session's CSRF token (created on first use); every page form sends it back."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_protect() -> None:
    """Refuse an unsafe request whose token does not match the session's (400).

    API requests with a bearer token carry no ambient authority and are exempt; an API request riding
    on the page session (no Authorization header) must send the token in ``X-CSRF-Token``.
    """
    if request.method in SAFE_METHODS:
        return
    api = request.path.startswith("/api/") or request.path == "/healthz"
    if api and (request.headers.get("Authorization") or not session.get("user_id")):
        return
    sent = request.headers.get(CSRF_HEADER) if api else (request.form.get(CSRF_FIELD)
                                                         or request.headers.get(CSRF_HEADER))
    expected = session.get("csrf")
    if not sent or not expected or not hmac.compare_digest(str(sent), str(expected)):
        abort(400, description="The form has expired or did not come from this site (CSRF token missing or "
                               "wrong). Reload the page and try again.")
