"""The notifications section of the account page: the address e-mails go to and the events chosen."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from tolk.auth import signed_in_user
from tolk.db import db
from tolk.models import User
from tolk.web import account_page, page_errors
from workflows.notify import EVENTS
from workflows.notify.models import NotificationPreference

bp = Blueprint("notify_pages", __name__)
page_errors(bp)

_ADDRESS = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\".]+")


def account_section(user: User) -> Markup:
    """The form on the account page (with what was typed, after a refused submission)."""
    pref = db.session.get(NotificationPreference, user.id)
    if request.method == "POST" and request.endpoint == "notify_pages.save_preferences":
        email, chosen = request.form.get("email", ""), request.form.getlist("events")
    else:
        email, chosen = (pref.email or "", list(pref.events or [])) if pref else ("", [])
    return Markup(render_template("auth/_notifications.html", email=email, chosen=chosen, events=EVENTS,
                                  mail_on=bool(current_app.config.get("SMTP_HOST"))))


@bp.post("/account/notifications")
def save_preferences():
    """Save the user's address and chosen events; a bad address or event is refused (400), nothing saved."""
    user = signed_in_user()
    email = request.form.get("email", "").strip()
    chosen = request.form.getlist("events")
    unknown = [e for e in chosen if e not in EVENTS]
    error = None
    if email and (len(email) > 254 or not _ADDRESS.fullmatch(email)):
        error = _("%(email)s is not an e-mail address.", email=email)
    elif unknown:
        error = _("Unknown notification: %(event)s.", event=", ".join(unknown)[:200])
    elif chosen and not email:
        error = _("Give the address the e-mails go to.")
    if error:
        flash(error, "error")
        return account_page(user, 400)
    pref = db.session.get(NotificationPreference, user.id) or NotificationPreference(user_id=user.id)
    pref.email, pref.events = email or None, [e for e in EVENTS if e in chosen]
    db.session.add(pref)
    db.session.commit()
    flash(_("Notification settings saved."), "success")
    return redirect(url_for("web.account"), code=303)
