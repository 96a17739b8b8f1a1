"""Admin pages: the overview of what needs attention, and users with their roles, languages and shifts
(list a page at a time, create, edit, deactivate)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from redis.exceptions import RedisError
from sqlalchemy import func, select

from glossaries.models import Glossary
from machinery.engine_status import engine_statuses
from machinery.service import services
from tolk.accounts import DAYS, check_profile, create_user, get_user, update_user
from tolk.auth import audit, require, signed_in_user
from tolk.db import db, utcnow
from tolk.errors import TolkError
from tolk.models import Role, User
from tolk.pagination import first_page_url, next_page_url, page_request, paginate
from tolk.queue import queue
from tolk.web import form_flag, page_errors
from workflows.kb.models import ArticleLocale, LocaleState
from workflows.models import ReviewItem, ReviewStatus
from workflows.sla import on_shift

bp = Blueprint("admin_pages", __name__)
page_errors(bp)

#: Users per page (default, maximum).
USERS_PAGE = (50, 200)


def _attention() -> list[dict[str, Any]]:
    """What an administrator should look at, most urgent first: each with a count, a sentence and a link."""
    now = utcnow()
    items: list[dict[str, Any]] = []
    overdue = db.session.scalar(select(func.count(ReviewItem.id)).where(
        ReviewItem.status == ReviewStatus.PENDING, ReviewItem.due_at < now)) or 0
    if overdue:
        items.append({"id": "overdue-reviews", "count": overdue, "url": url_for("review_pages.review_queue"),
                      "text": _("%(count)d reviews are past their SLA deadline", count=overdue)})
    failed_locales = db.session.scalar(select(func.count(ArticleLocale.id)).where(
        ArticleLocale.state == LocaleState.FAILED)) or 0
    if failed_locales:
        items.append({"id": "failed-translations", "count": failed_locales, "url": url_for("kb_editor_pages.kb_articles"),
                      "text": _("%(count)d KB article translations failed", count=failed_locales)})
    try:
        failed_jobs = queue(current_app).failed_job_registry.count
    except RedisError:
        failed_jobs = None
        items.append({"id": "queue-down", "count": 1, "url": url_for("engine_pages.admin_engines"),
                      "text": _("The job queue (Redis) does not answer: nothing is translated in the background")})
    if failed_jobs:
        items.append({"id": "failed-jobs", "count": failed_jobs, "url": None,
                      "text": _("%(count)d background jobs failed (see `rq info` and the worker's log)",
                                count=failed_jobs)})
    m = services()
    statuses = engine_statuses(m.engines, m.router.breaker, with_health=False)
    for status in statuses:
        if status.needs_attention:
            items.append({"id": f"engine-{status.name}", "count": 1, "text": status.summary,
                          "url": url_for("engine_pages.admin_engines")})
    if not any(s.state == "ready" for s in statuses):
        items.append({"id": "no-engine", "count": 1, "url": url_for("engine_pages.admin_engines"),
                      "text": _("No engine is ready: replies cannot be translated")})
    return items


@bp.get("/admin")
@require(Role.ADMIN)
def admin_home():
    counts = {"users": db.session.scalar(select(func.count(User.id)).where(User.active.is_(True))),
              "glossaries": db.session.scalar(select(func.count(Glossary.id))),
              "pending_reviews": db.session.scalar(select(func.count(ReviewItem.id)).where(
                  ReviewItem.status == ReviewStatus.PENDING))}
    return render_template("admin/home.html", counts=counts, attention=_attention())


def _users_page(form: dict[str, Any], error: str | None = None, status: int = 200):
    now = utcnow()
    page = paginate(db.session, select(User), User.name, page_request(default=USERS_PAGE[0], maximum=USERS_PAGE[1]))
    users = [{"user": u, "on_shift": on_shift(u, now)} for u in page.items]
    return render_template("admin/users.html", users=users, roles=[r.value for r in Role], form=form,
                           error=error, next_url=next_page_url(page), first_url=first_page_url()), status


@bp.get("/admin/users")
@require(Role.ADMIN)
def admin_users():
    return _users_page({})


@bp.post("/admin/users")
@require(Role.ADMIN)
def admin_create_user():
    form = request.form.to_dict()
    form.pop("password", None)
    try:
        user = create_user(db.session, request.form.get("name", "").strip(), role=request.form.get("role", ""),
                           languages=request.form.get("languages", "").strip(),
                           timezone=request.form.get("timezone", "").strip() or "UTC",
                           shift=request.form.get("shift", "").strip() or "09:00-17:00",
                           days=",".join(request.form.getlist("days")) or "mon,tue,wed,thu,fri",
                           password=request.form.get("password") or None)
        db.session.flush()
        audit("user.created", "user", user.id, detail={"name": user.name, "role": user.role.value})
        db.session.commit()
    except TolkError as exc:
        db.session.rollback()
        return _users_page(form, exc.message, exc.status)
    flash(_("User %(name)s created.", name=user.name), "success")
    return redirect(url_for("admin_pages.admin_users"), code=303)


def _user_form(user: User, form: dict[str, Any] | None = None, error: str | None = None, status: int = 200):
    values = form or {"role": user.role.value, "languages": user.languages, "timezone": user.timezone,
                      "shift": f"{user.shift_start}-{user.shift_end}", "days": user.work_days.split(","),
                      "active": user.active}
    return render_template("admin/user.html", user=user, form=values, roles=[r.value for r in Role], days=DAYS,
                           error=error), status


@bp.get("/admin/users/<name>")
@require(Role.ADMIN)
def admin_user(name: str):
    return _user_form(get_user(db.session, name))


@bp.post("/admin/users/<name>")
@require(Role.ADMIN)
def admin_save_user(name: str):
    user = get_user(db.session, name)
    role, languages = request.form.get("role", ""), request.form.get("languages", "").strip()
    timezone, shift = request.form.get("timezone", "").strip() or "UTC", request.form.get("shift", "").strip()
    days, active = request.form.getlist("days"), form_flag("active")
    form: dict[str, Any] = {"role": role, "languages": languages, "timezone": timezone, "shift": shift,
                            "days": days, "active": active}
    try:
        profile = check_profile(role=role, languages=languages, timezone=timezone, shift=shift, days=",".join(days))
        changed = update_user(user, profile, active=active, by=signed_in_user())
        if changed:
            audit("user.updated", "user", user.name, detail={"fields": changed})
        db.session.commit()
    except TolkError as exc:
        db.session.rollback()
        return _user_form(get_user(db.session, name), form, exc.message, exc.status)
    flash(_("User %(name)s saved.", name=user.name) if user.active else
          _("User %(name)s saved; deactivated: they cannot sign in and their API tokens do not work.",
            name=user.name), "success")
    return redirect(url_for("admin_pages.admin_users"), code=303)
