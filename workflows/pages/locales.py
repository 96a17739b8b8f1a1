"""Admin pages for locale profiles: formality, greeting and sign-off, SLAs, working days, review policy."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tolk.auth import audit, require
from tolk.db import db
from tolk.errors import ValidationError
from tolk.models import Role
from tolk.web import commit_or_rollback, form_flag, form_list, page_errors
from workflows import locales

bp = Blueprint("locale_pages", __name__)
page_errors(bp)

SLA_CHANNELS = locales.CHANNELS


@bp.get("/admin/locales")
@require(Role.ADMIN)
def admin_locales():
    return render_template("admin/locales.html", profiles=locales.list_profiles(db.session))


@bp.get("/admin/locales/<locale>")
@require(Role.ADMIN)
def admin_locale(locale: str):
    profile = locales.effective_profile(db.session, locale)
    return render_template("admin/locale.html", profile=profile, channels=SLA_CHANNELS,
                           formalities=locales.FORMALITIES, weekdays=locales.WEEKDAYS)


@bp.get("/admin/locales/open")
@require(Role.ADMIN)
def admin_locale_open():
    tag = locales.check_locale(request.args.get("locale", "").strip())
    return redirect(url_for("locale_pages.admin_locale", locale=tag))


def _number(name: str, kind: type) -> Any:
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError:
        raise ValidationError(_("%(field)s must be a number.", field=name)) from None


@bp.post("/admin/locales/<locale>")
@require(Role.ADMIN)
def admin_locale_save(locale: str):
    form = request.form
    sla = {}
    for channel in SLA_CHANNELS:
        minutes = _number(f"sla_{channel}", int)
        if minutes is not None:
            sla[channel] = minutes
    body: dict[str, Any] = {
        "name": form.get("name", "").strip(), "formality": form.get("formality", "default"),
        "greeting": form.get("greeting", "").replace("\r\n", "\n"),
        "sign_off": form.get("sign_off", "").replace("\r\n", "\n"),
        "upsell_allowed": form_flag("upsell_allowed"), "always_review": form_flag("always_review"),
        "sla_minutes": sla, "working_days": form.getlist("working_days") or None,
        "holidays": form_list("holidays"), "currency": form.get("currency", "").strip() or None,
        "quality_threshold": _number("quality_threshold", float), "sample_rate": _number("sample_rate", float),
        "critical_terms": form_list("critical_terms"),
    }

    def save():
        row, created = locales.update_profile(db.session, locale, body)
        audit("locale.created" if created else "locale.updated", "locale", row.locale,
              detail={"fields": sorted(body)})
        return row

    row = commit_or_rollback(save)
    flash(_("Locale profile %(locale)s saved.", locale=row.locale), "success")
    return redirect(url_for("locale_pages.admin_locale", locale=row.locale), code=303)
