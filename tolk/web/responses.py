"""How page responses differ from the API's: HTML error answers and a strict content security policy.

Feature packages call :func:`page_errors` on their page blueprints, so a page that raises
``Unauthorized`` sends the browser to the sign-in form and ``Forbidden``/``NotFound`` render an HTML
error page instead of the API's JSON.
"""

from __future__ import annotations

import contextlib
from urllib.parse import urlsplit

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for

from tolk.db import db
from tolk.errors import Forbidden, NotFound, TolkError, Unauthorized
from tolk.web.csrf import SAFE_METHODS
from tolk.web.signin import safe_next

#: Blueprints whose responses are Tolk's own pages (they get the strict content security policy).
PAGE_BLUEPRINTS: set[str] = {"web"}


def page_errors(blueprint: Blueprint) -> None:
    """HTML answers for errors raised by ``blueprint``'s pages: sign-in redirect, error page, form error."""

    @blueprint.errorhandler(Unauthorized)
    def _unauthorized(exc: Unauthorized):
        # url_for leaves out arguments that are None.
        expired = "1" if g.get("session_expired") else None
        return redirect(url_for("web.sign_in_form", next=request.full_path.rstrip("?"), expired=expired))

    @blueprint.errorhandler(Forbidden)
    @blueprint.errorhandler(NotFound)
    def _refused(exc: TolkError):
        return render_template("auth/error.html", status=exc.status, message=exc.message), exc.status

    @blueprint.errorhandler(TolkError)
    def _invalid(exc: TolkError):
        if request.method in SAFE_METHODS:
            return render_template("auth/error.html", status=exc.status, message=exc.message), exc.status
        # A refused form goes back where it came from with the reason on top.
        flash(exc.message, "error")
        back = request.referrer or ""
        parts = urlsplit(back)
        back = (parts.path + ("?" + parts.query if parts.query else "")) if parts.netloc == request.host else ""
        return redirect(safe_next(back) or url_for("web.index"), code=303)

    PAGE_BLUEPRINTS.add(blueprint.name)


def error_page(status: int, message: str) -> str:
    """An error page in the app's look (403, 404, 405, 500...), for any request outside the API."""
    # A crash may have left the session unusable, and the page reads the signed-in user; with the database
    # gone the page renders signed out.
    with contextlib.suppress(Exception):
        db.session.rollback()
    g.tolk_page = True
    return render_template("auth/error.html", status=status, message=message)


def security_headers(response: Response) -> Response:
    """The strict content security policy (and no caching) on every page and static file."""
    if request.blueprint in PAGE_BLUEPRINTS or g.get("tolk_page") or (request.blueprint is None
                                                                       and request.endpoint == "static"):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.blueprint is not None:
            response.headers.setdefault("Cache-Control", "no-store")
    return response
