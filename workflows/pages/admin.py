"""Admin pages: the overview (users, glossaries, reviews waiting) and users with their shifts."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from glossaries.models import Glossary
from tolk.accounts import create_user
from tolk.auth import audit, require
from tolk.db import db, utcnow
from tolk.errors import TolkError
from tolk.models import Role, User
from tolk.web import page_errors
from workflows.models import ReviewItem, ReviewStatus
from workflows.sla import on_shift

bp = Blueprint("admin_pages", __name__)
page_errors(bp)


@bp.get("/admin")
@require(Role.ADMIN)
def admin_home():
    counts = {"users": db.session.scalar(select(func.count(User.id))),
              "glossaries": db.session.scalar(select(func.count(Glossary.id))),
              "pending_reviews": db.session.scalar(select(func.count(ReviewItem.id)).where(
                  ReviewItem.status == ReviewStatus.PENDING))}
    return render_template("admin/home.html", counts=counts)


def _users_page(form: dict[str, Any], error: str | None = None, status: int = 200):
    now = utcnow()
    users = [{"user": u, "on_shift": on_shift(u, now)} for u in db.session.scalars(select(User).order_by(User.name))]
    return render_template("admin/users.html", users=users, roles=[r.value for r in Role], form=form,
                           error=error), status


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
