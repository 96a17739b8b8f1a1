"""Sign-in sessions with expiry, and the kernel's own pages: sign-in, sign-out, account, UI language.

Sign-in is throttled per account name and per client address (failures counted in Redis, shared by
every web process): past the limit the name or address is locked for the rest of the window and the
form says when to try again. Signing out ends every page session of the user (``end_sessions``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import math
import secrets
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from markupsafe import Markup
from redis.exceptions import RedisError
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from tolk.auth import audit, current_user, end_sessions
from tolk.db import db
from tolk.models import User
from tolk.queue import redis_connection, redis_key
from tolk.web.nav import home_for
from tolk.web.ui_language import ui_locales

bp = Blueprint("web", __name__)
log = logging.getLogger(__name__)


@functools.cache
def _dummy_hash() -> str:
    """A hash to check unknown names against, so they take as long as known ones; made on first sign-in,
    not at import (scrypt costs about 150 ms at every process start)."""
    return generate_password_hash("tolk-no-such-user")


def expire_session() -> None:
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


ACCOUNT_SECTIONS_KEY = "tolk.account_sections"


def register_account_section(app: Flask, render: Callable[[User], str]) -> None:
    """Add a section to the account page: ``render(user)`` returns its HTML (a package's own form)."""
    app.extensions.setdefault(ACCOUNT_SECTIONS_KEY, []).append(render)


def account_page(user: User, status: int = 200) -> tuple[str, int]:
    """The account page of ``user`` with every registered section."""
    sections = [Markup(render(user)) for render in current_app.extensions.get(ACCOUNT_SECTIONS_KEY, [])]
    return render_template("auth/account.html", user=user, sections=sections), status


@bp.get("/account")
def account():
    """The signed-in user's details (the landing page of roles without a page of their own)."""
    user = current_user()
    if user is None:
        return redirect(url_for("web.sign_in_form", next=request.full_path))
    return account_page(user)
