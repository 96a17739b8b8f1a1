"""The web interface's kernel: sign-in sessions, CSRF tokens, UI localisation, navigation, the base layout.

Feature packages build their pages on it: a page blueprint calls :func:`page_errors` (HTML error answers
and the strict content security policy), and the package's ``init_app`` registers the blueprint and its
menu entries with :func:`register_nav` and :func:`register_home`. The kernel names no feature page.

- ``signin``: sessions with expiry, throttled sign-in, sign-out, the account and UI-language forms
- ``csrf``: the per-session token every unsafe page request sends back
- ``ui_language``: shipped catalogs, compiled at start-up; the locale chosen per session
- ``nav``: the menu and each role's landing page, as registered by the packages
- ``responses``: HTML error answers and security headers of page blueprints
- ``rendering`` and ``forms``: helpers for templates and for reading page forms
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from flask import Flask, g, has_request_context
from flask_babel import Babel, get_locale

from tolk.auth import current_user
from tolk.errors import HTML_ERRORS, TolkError
from tolk.web.csrf import csrf_protect, csrf_token
from tolk.web.forms import commit_or_rollback, form_flag, form_list
from tolk.web.nav import home_for, nav_items, register_home, register_nav
from tolk.web.rendering import countdown, marked
from tolk.web.responses import error_page, page_errors, security_headers
from tolk.web.signin import account_page, bp, expire_session, register_account_section, safe_next, sign_in
from tolk.web.ui_language import (
    SOURCE_LOCALE,
    TRANSLATIONS,
    compile_catalogs,
    locale_name,
    select_locale,
    ui_locales,
)

__all__ = [
    "TRANSLATIONS", "account_page", "commit_or_rollback", "compile_catalogs", "countdown", "csrf_token", "form_flag",
    "form_list", "home_for", "init_app", "marked", "nav_items", "page_errors", "register_account_section",
    "register_home", "register_nav", "safe_next", "sign_in", "ui_locales",
]


def init_app(app: Flask) -> None:
    """Sessions, CSRF, UI localisation and the sign-in pages; call from ``create_app``."""
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    app.config["SESSION_COOKIE_NAME"] = "tolk_session"
    app.config["SESSION_COOKIE_SECURE"] = bool(app.config["SECURE_COOKIES"])
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(hours=float(app.config["SESSION_HOURS"]))
    compiled = Path(app.instance_path) / "translations"
    compile_catalogs(TRANSLATIONS, compiled)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", SOURCE_LOCALE)
    Babel(app, locale_selector=select_locale)
    app.before_request(expire_session)
    app.before_request(csrf_protect)
    app.after_request(security_headers)
    app.register_blueprint(bp)
    app.extensions[HTML_ERRORS] = error_page

    @app.context_processor
    def _page_context() -> dict[str, Any]:
        try:
            user = current_user() if has_request_context() else None
        except TolkError:  # a malformed Authorization header on a page: render it as signed out
            user = None
        return {"csrf_token": csrf_token, "me": user, "nav_items": nav_items(user),
                "subnav": lambda section: nav_items(user, section), "ui_locales": ui_locales(),
                "ui_locale": str(get_locale() or SOURCE_LOCALE), "locale_name": locale_name,
                "session_expired": g.get("session_expired", False)}

    app.jinja_env.filters["countdown"] = countdown
    app.jinja_env.globals["marked"] = marked
    app.extensions.setdefault("tolk.web_preload", []).append(_compile_templates)


def _compile_templates(app: Flask) -> None:
    """Compile every template before the web workers fork, so that no request thread compiles one. Jinja's
    lexer reads number literals with ``ast.literal_eval``, and CPython 3.11's AST constructor is not
    thread-safe (python/cpython#106905): two first renders at once could fail with a SystemError."""
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)
