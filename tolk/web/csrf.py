"""CSRF protection: a token per session that every unsafe page request must send back.

A page form refused for its token (it was open longer than the session, or the user signed in again
elsewhere) loses nothing: the answer is the expired-form page with what was typed, in a fresh form with a
new token when the user is still signed in, else as text to copy (passwords are never shown back).
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from flask import abort, g, render_template, request, session

from tolk.auth import current_user
from tolk.errors import TolkError
from tolk.web.signin import safe_next

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: Form fields never shown back on the expired-form page.
SECRET_FIELDS = ("password", "secret", "token")


def csrf_token() -> str:
    """This session's CSRF token (created on first use); every page form sends it back."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_protect():
    """Refuse an unsafe request whose token does not match the session's (400).

    API requests with a bearer token carry no ambient authority and are exempt; an API request riding
    on the page session (no Authorization header) must send the token in ``X-CSRF-Token``.
    """
    if request.method in SAFE_METHODS:
        return None
    api = request.path.startswith("/api/") or request.path == "/healthz"
    if api and (request.headers.get("Authorization") or not session.get("user_id")):
        return None
    sent = request.headers.get(CSRF_HEADER) if api else (request.form.get(CSRF_FIELD)
                                                         or request.headers.get(CSRF_HEADER))
    expected = session.get("csrf")
    if not sent or not expected or not hmac.compare_digest(str(sent), str(expected)):
        if api:
            abort(400, description="The form has expired or did not come from this site (CSRF token missing or "
                                   "wrong). Reload the page and try again.")
        return expired_form()
    return None


def kept_fields() -> list[tuple[str, str]]:
    """The submitted form fields worth keeping: every text value but the token and secrets, in order."""
    return [(name, value) for name, value in request.form.items(multi=True)
            if name != CSRF_FIELD and not any(s in name.lower() for s in SECRET_FIELDS) and value.strip()]


def expired_form():
    """The expired-form page (400): what was typed, to send again or to copy."""
    try:
        user = current_user()
    except TolkError:
        user = None
    if request.endpoint == "web.sign_in_submit":  # the sign-in form itself: show it again, name kept
        return render_template("auth/sign_in.html", next=safe_next(request.form.get("next")) or "",
                               name=request.form.get("name", ""), expired=True), 400
    referrer = urlsplit(request.referrer or "")
    back = referrer.path if referrer.netloc == request.host and referrer.path.startswith("/") else request.path
    g.session_expired = g.get("session_expired", False) or user is None
    g.tolk_page = True
    return render_template("auth/expired_form.html", fields=kept_fields(), action=request.path, back=back), 400
