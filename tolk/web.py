"""The web interface's kernel: sign-in sessions with expiry, CSRF tokens, UI localisation, the base layout.

Sign-in is throttled per account name and per client address (failures counted in Redis, shared by
every web process): past the limit the name or address is locked for the rest of the window and the
form says when to try again. Signing out ends every page session of the user (``end_sessions``).

Feature packages add their pages as blueprints and call :func:`page_errors` on them, so a page that
raises ``Unauthorized`` sends the browser to the sign-in form and ``Forbidden``/``NotFound`` render an
HTML error page instead of the API's JSON.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hmac
import logging
import math
import os
import secrets
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import Babel, get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape
from redis.exceptions import RedisError
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from tolk.auth import audit, current_user, end_sessions
from tolk.config import PROJECT_ROOT
from tolk.db import db
from tolk.errors import Forbidden, NotFound, TolkError, Unauthorized
from tolk.models import Role, User
from tolk.queue import redis_connection, redis_key

TRANSLATIONS = PROJECT_ROOT / "translations"
SOURCE_LOCALE = "en"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: Blueprints whose responses are Tolk's own pages (they get the strict content security policy).
PAGE_BLUEPRINTS: set[str] = {"web"}


@functools.cache
def _dummy_hash() -> str:
    """A hash to check unknown names against, so they take as long as known ones; made on first sign-in,
    not at import (scrypt costs about 150 ms at every process start)."""
    return generate_password_hash("tolk-no-such-user")


bp = Blueprint("web", __name__)
log = logging.getLogger(__name__)


# --- UI localisation ------------------------------------------------------------------------------


def ui_locales() -> list[str]:
    """UI locales shipped with Tolk: English (the source) and each ``translations/<lang>`` catalog."""
    found = sorted(p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
    return [SOURCE_LOCALE, *[lang for lang in found if lang != SOURCE_LOCALE]]


def compile_catalogs(source: Path, target: Path) -> list[Path]:
    """Compile each ``messages.po`` under ``source`` to a ``.mo`` under ``target`` when missing or older."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(source.glob("*/LC_MESSAGES/messages.po")):
        mo = target / po.relative_to(source).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        # Several gunicorn workers may compile at once: write aside, then rename atomically.
        fd, tmp = tempfile.mkstemp(dir=mo.parent, suffix=".mo.tmp")
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalog)
        os.replace(tmp, mo)
        written.append(mo)
    return written


def _select_locale() -> str:
    shipped = ui_locales()
    chosen = session.get("ui_locale")
    if chosen in shipped:
        return chosen
    return request.accept_languages.best_match(shipped) or SOURCE_LOCALE


# --- CSRF -----------------------------------------------------------------------------------------


def csrf_token() -> str:
    """This session's CSRF token (created on first use); every page form sends it back."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def _csrf_protect() -> None:
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


# --- sessions -------------------------------------------------------------------------------------


def _expire_session() -> None:
    """Sign out a session older than ``SESSION_HOURS`` (the cookie's own expiry is the browser's word)."""
    if not session.get("user_id"):
        return
    started = session.get("signed_in_at")
    limit = float(current_app.config["SESSION_HOURS"]) * 3600
    if not isinstance(started, int | float) or time.time() - started > limit:
        locale = session.get("ui_locale")
        session.clear()
        if locale:
            session["ui_locale"] = locale
        g.session_expired = True


def sign_in(user: User) -> None:
    """Start a page session for ``user``: a fresh session (and CSRF token) against session fixation."""
    locale = session.get("ui_locale")
    session.clear()
    session.permanent = True
    session["user_id"] = user.id
    session["signed_in_at"] = time.time()
    session["generation"] = user.session_generation or 0
    session["csrf"] = secrets.token_urlsafe(32)
    if locale:
        session["ui_locale"] = locale
    g.tolk_user = user


def home_for(user: User) -> str:
    """Where a user lands after signing in: their role's main page."""
    targets = {Role.AGENT: "pages.agent_home", Role.REVIEWER: "pages.review_queue",
               Role.EDITOR: "pages.kb_articles", Role.ADMIN: "pages.admin_home"}
    endpoint = targets[user.role]
    if endpoint not in current_app.view_functions:
        endpoint = "quality_pages.dashboard" if "quality_pages.dashboard" in current_app.view_functions \
            else "web.account"
    return url_for(endpoint)


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site (never another host: no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


@bp.get("/")
def index():
    user = current_user()
    if user is None:
        return redirect(url_for("web.sign_in_form"))
    return redirect(home_for(user))


@bp.get("/sign-in")
def sign_in_form():
    user = current_user()
    if user is not None:
        return redirect(safe_next(request.args.get("next")) or home_for(user))
    return render_template("auth/sign_in.html", next=safe_next(request.args.get("next")) or "",
                           expired=request.args.get("expired") == "1")


def _throttle_keys(name: str) -> list[tuple[str, int]]:
    cfg = current_app.config
    return [(redis_key("sign-in", "name", name.casefold()), cfg["SIGN_IN_MAX_FAILURES"]),
            (redis_key("sign-in", "address", request.remote_addr or "unknown"), cfg["SIGN_IN_MAX_FAILURES_PER_ADDRESS"])]


def _locked_for(name: str) -> int:
    """Seconds until sign-in is allowed again for this name and address (0: allowed now)."""
    try:
        conn = redis_connection()
        wait = 0
        for key, limit in _throttle_keys(name):
            failures = conn.get(key)
            if limit > 0 and failures is not None and int(failures) >= limit:
                wait = max(wait, conn.ttl(key))
        return max(0, wait)
    except RedisError as exc:  # sign-in must keep working without Redis; the failure is logged
        log.warning("sign-in throttle unavailable (%s): not enforced", type(exc).__name__)
        return 0


def _count_failure(name: str) -> None:
    window = int(current_app.config["SIGN_IN_LOCKOUT_MINUTES"]) * 60
    try:
        pipe = redis_connection().pipeline()
        for key, _limit in _throttle_keys(name):
            pipe.incr(key)
            pipe.expire(key, window, nx=True)  # a fixed window from the first failure
        pipe.execute()
    except RedisError as exc:
        log.warning("sign-in failure not counted (%s)", type(exc).__name__)


def _forget_failures(name: str) -> None:
    with contextlib.suppress(RedisError):  # the address keeps its count
        redis_connection().delete(_throttle_keys(name)[0][0])


@bp.post("/sign-in")
def sign_in_submit():
    name = request.form.get("name", "").strip()[:80]
    password = request.form.get("password", "")
    wait = _locked_for(name)
    if wait:
        minutes = max(1, math.ceil(wait / 60))
        until = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=wait)
        audit("auth.sign_in_locked", "user", actor="anonymous", detail={"name": name, "ip": request.remote_addr})
        db.session.commit()
        message = _("Too many failed sign-ins. Try again in %(minutes)d min (at %(time)s UTC).",
                    minutes=minutes, time=until.strftime("%H:%M"))
        page = render_template("auth/sign_in.html", next=safe_next(request.form.get("next")) or "", error=message,
                               name=name, expired=False)
        return page, 429, {"Retry-After": str(wait)}
    user = db.session.scalar(select(User).where(User.name == name)) if name else None
    valid = check_password_hash(user.password_hash if user is not None and user.password_hash else _dummy_hash(),
                                password)
    if not (valid and user is not None and user.password_hash and user.active):
        _count_failure(name)
        audit("auth.sign_in_failed", "user", actor="anonymous", detail={"name": name, "ip": request.remote_addr})
        db.session.commit()
        # One message for every failure: it must not tell which names exist.
        return render_template("auth/sign_in.html", next=safe_next(request.form.get("next")) or "",
                               error=_("Wrong name or password."), name=name, expired=False), 401
    _forget_failures(name)
    sign_in(user)
    audit("auth.signed_in", "user", user.id, actor=user.name, detail={"ip": request.remote_addr})
    db.session.commit()
    return redirect(safe_next(request.form.get("next")) or home_for(user), code=303)


@bp.post("/sign-out")
def sign_out():
    user = current_user()
    if user is not None:
        end_sessions(user)  # a copy of the cookie (another tab, a stolen one) stops working too
        audit("auth.signed_out", "user", user.id, actor=user.name)
        db.session.commit()
    locale = session.get("ui_locale")
    session.clear()
    if locale:
        session["ui_locale"] = locale
    flash(_("You are signed out."), "info")
    return redirect(url_for("web.sign_in_form"), code=303)


@bp.post("/ui-language")
def choose_ui_language():
    """Remember the UI language chosen in the footer for this browser session."""
    locale = request.form.get("locale", "")
    if locale not in ui_locales():
        abort(400, description=f"unknown interface language {locale!r}")
    session["ui_locale"] = locale
    return redirect(safe_next(request.form.get("next")) or url_for("web.index"), code=303)


@bp.get("/account")
def account():
    """The signed-in user's details (the landing page of roles without a page of their own)."""
    user = current_user()
    if user is None:
        return redirect(url_for("web.sign_in_form", next=request.full_path))
    return render_template("auth/account.html", user=user)


# --- rendering aids -------------------------------------------------------------------------------


def marked(text: str | None, spans: Iterable[tuple[int, int, str]], css: str = "finding") -> Markup:
    """``text`` escaped, with each (start, end, title) span wrapped in ``<mark>``; overlapping spans
    are merged (titles joined) and spans outside the text are ignored."""
    text = text or ""
    clean = sorted((max(0, int(s)), min(len(text), int(e)), str(t)) for s, e, t in spans
                   if isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text))
    merged: list[list[Any]] = []
    for start, end, title in clean:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            if title not in merged[-1][2]:
                merged[-1][2].append(title)
        else:
            merged.append([start, end, [title]])
    out, pos = [], 0
    for start, end, titles in merged:
        out.append(escape(text[pos:start]))
        out.append(Markup('<mark class="{}" title="{}">{}</mark>').format(css, "; ".join(titles), text[start:end]))
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def countdown(deadline: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """A deadline as the time left ("2 h 05 min left") or overdue ("overdue by 12 min")."""
    if deadline is None:
        return ""
    now = now or dt.datetime.now(dt.UTC)
    minutes = int((deadline - now).total_seconds() // 60)
    span = abs(minutes)
    days, rest = divmod(span, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        amount = _("%(days)d d %(hours)d h", days=days, hours=hours)
    elif hours:
        amount = _("%(hours)d h %(minutes)02d min", hours=hours, minutes=mins)
    else:
        amount = _("%(minutes)d min", minutes=mins)
    return _("%(amount)s left", amount=amount) if minutes >= 0 else _("overdue by %(amount)s", amount=amount)


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


def form_list(name: str) -> list[str]:
    """A comma- or newline-separated form field as a list of stripped, non-empty items."""
    raw = request.form.get(name, "")
    return [part.strip() for part in raw.replace("\n", ",").split(",") if part.strip()]


def form_flag(name: str) -> bool:
    """A checkbox: present and not "0"/"off"."""
    return request.form.get(name, "").lower() not in ("", "0", "off", "false", "no")


def nav_items(user: User | None) -> Sequence[tuple[str, str]]:
    """(label, URL) of the pages ``user`` may open, for the header navigation."""
    if user is None:
        return []
    views = current_app.view_functions
    entries = [
        ("pages.agent_home", _("Replies"), {Role.AGENT, Role.ADMIN}),
        ("pages.review_queue", _("Review queue"), {Role.REVIEWER, Role.ADMIN}),
        ("pages.kb_articles", _("Knowledge base"), {Role.EDITOR, Role.ADMIN}),
        ("quality_pages.dashboard", _("Quality"), {Role.EDITOR, Role.REVIEWER, Role.ADMIN}),
        ("pages.admin_home", _("Administration"), {Role.ADMIN}),
    ]
    return [(label, url_for(endpoint)) for endpoint, label, roles in entries
            if endpoint in views and user.role in roles]


def _security_headers(response: Response) -> Response:
    if request.blueprint in PAGE_BLUEPRINTS or (request.blueprint is None and request.endpoint == "static"):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.blueprint is not None:
            response.headers.setdefault("Cache-Control", "no-store")
    return response


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
    Babel(app, locale_selector=_select_locale)
    app.before_request(_expire_session)
    app.before_request(_csrf_protect)
    app.after_request(_security_headers)
    app.register_blueprint(bp)

    @app.context_processor
    def _page_context() -> dict[str, Any]:
        try:
            user = current_user() if has_request_context() else None
        except TolkError:  # a malformed Authorization header on a page: render it as signed out
            user = None
        return {"csrf_token": csrf_token, "me": user, "nav_items": nav_items(user), "ui_locales": ui_locales(),
                "ui_locale": str(get_locale() or SOURCE_LOCALE), "locale_name": _locale_name,
                "session_expired": g.get("session_expired", False)}

    app.jinja_env.filters["countdown"] = countdown
    app.jinja_env.globals["marked"] = marked


def _locale_name(tag: str) -> str:
    from babel import Locale

    try:
        name = Locale.parse(tag).get_display_name(tag)
    except (ValueError, LookupError):
        return tag
    return name.capitalize() if name else tag
