"""Admin pages for access and accountability: API tokens (create, shown once; revoke) and the audit log
(filters, a page at a time, CSV export)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from flask import Blueprint, Response, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tolk.accounts import get_user, revoke_token
from tolk.audit_log import EXACT_FILTERS, csv_lines, event_to_dict, events_query, filter_from_args
from tolk.auth import audit, hash_token, issue_token, require
from tolk.db import db
from tolk.errors import ValidationError
from tolk.models import ApiToken, AuditEvent, Role, User
from tolk.pagination import first_page_url, next_page_url, page_request, paginate
from tolk.web import commit_or_rollback, page_errors

bp = Blueprint("access_pages", __name__)
page_errors(bp)

#: Rows per page (default, maximum) of the token list and the audit log.
TOKENS_PAGE = (50, 200)
AUDIT_PAGE = (50, 500)


def _tokens_page(created: dict[str, str] | None = None):
    query = select(ApiToken).options(joinedload(ApiToken.user))
    who = request.values.get("user", "").strip()
    if who:
        query = query.join(ApiToken.user).where(User.name == who)
    page = paginate(db.session, query, ApiToken.id, page_request(default=TOKENS_PAGE[0], maximum=TOKENS_PAGE[1]),
                    descending=True)
    users = db.session.scalars(select(User.name).where(User.active.is_(True)).order_by(User.name).limit(500))
    return render_template("admin/tokens.html", tokens=page.items, who=who, users=list(users), created=created,
                           next_url=next_page_url(page), first_url=first_page_url())


@bp.get("/admin/tokens")
@require(Role.ADMIN)
def admin_tokens():
    return _tokens_page()


@bp.post("/admin/tokens")
@require(Role.ADMIN)
def admin_create_token():
    """Create a token and show it on the answer, this once (the page is not cached; only its hash is kept)."""
    name = request.form.get("user", "").strip()
    if not name:
        raise ValidationError(_("Choose the user the token is for."))

    def create() -> tuple[str, ApiToken]:
        user = get_user(db.session, name)
        if not user.active:
            raise ValidationError(_("%(name)s is deactivated: reactivate them first.", name=name))
        token = issue_token(db.session, user)
        db.session.flush()
        row = db.session.scalars(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).one()
        audit("token.created", "user", user.name, detail={"token": row.id, "prefix": row.prefix})
        return token, row

    token, row = commit_or_rollback(create)
    return _tokens_page(created={"token": token, "user": name, "prefix": row.prefix})


@bp.post("/admin/tokens/<int:token_id>/revoke")
@require(Role.ADMIN)
def admin_revoke_token(token_id: int):
    def revoke() -> ApiToken:
        token = revoke_token(db.session, token_id)
        audit("token.revoked", "user", token.user.name, detail={"token": token.id, "prefix": token.prefix})
        return token

    token = commit_or_rollback(revoke)
    flash(_("Token %(prefix)s… of %(name)s revoked: it no longer works.", prefix=token.prefix,
            name=token.user.name), "success")
    who = request.form.get("user", "").strip() or None  # back to the list the form was on
    return redirect(url_for("access_pages.admin_tokens", user=who), code=303)


@bp.get("/admin/audit")
@require(Role.ADMIN)
def admin_audit():
    wanted = filter_from_args(request.args)
    page = paginate(db.session, events_query(wanted), AuditEvent.id,
                    page_request(default=AUDIT_PAGE[0], maximum=AUDIT_PAGE[1]), descending=True)
    events = [event_to_dict(e) for e in page.items]
    for event in events:
        event["detail_json"] = json.dumps(event["detail"], ensure_ascii=False, sort_keys=True)
    return render_template("admin/audit.html", events=events, filters=wanted.to_args(), names=EXACT_FILTERS,
                           next_url=next_page_url(page), first_url=first_page_url(),
                           csv_url=url_for("access_pages.admin_audit_csv", **wanted.to_args()))


@bp.get("/admin/audit.csv")
@require(Role.ADMIN)
def admin_audit_csv():
    """Every event matching the filters, newest first, as CSV (streamed: the log may be long)."""
    wanted = filter_from_args(request.args)

    def lines() -> Iterator[str]:
        # Queried as the answer streams: the view's session is closed by then.
        query = events_query(wanted).order_by(AuditEvent.id.desc()).execution_options(yield_per=500)
        yield from csv_lines(db.session.scalars(query))

    return Response(stream_with_context(lines()), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'})
