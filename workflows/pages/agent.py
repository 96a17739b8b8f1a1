"""Agent pages: draft a reply (free text or from a template), see its checks and routing, confirm it."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tolk.auth import require, signed_in_user
from tolk.db import db
from tolk.errors import TolkError, ValidationError
from tolk.models import Role, User
from tolk.openapi import check_body
from tolk.pagination import page_request, paginate
from tolk.web import form_flag, marked, page_errors
from workflows import macros, replies
from workflows.models import Reply, ReplyTemplate
from workflows.pages.display import finding_spans

bp = Blueprint("agent_pages", __name__)
page_errors(bp)

RECENT_REPLIES = 25


def _templates() -> list[dict[str, Any]]:
    rows = db.session.scalars(select(ReplyTemplate).order_by(ReplyTemplate.id))
    return [{"id": t.id, "title": t.title or t.id, "variables": sorted(macros.template_variables(t))} for t in rows]


def _recent(user: User) -> tuple[list[dict[str, Any]], dict[str, str | None]]:
    """The agent's replies, newest first, a page at a time; and the links to the next and first page."""
    query = select(Reply).options(selectinload(Reply.transitions)).where(Reply.agent_id == user.id)
    page = paginate(db.session, query, Reply.id, page_request(default=RECENT_REPLIES, maximum=200), descending=True)
    # The agent's home page, also when the list is shown under a submitted form's answer.
    home = "agent_pages.agent_home"
    links = {"next_url": url_for(home, cursor=page.next_cursor, _anchor="recent") if page.next_cursor else None,
             "first_url": url_for(home, _anchor="recent") if request.args.get("cursor") else None}
    return [_with_deadline(d) for d in replies.replies_to_dicts(db.session, page.items)], links


def _with_deadline(data: dict[str, Any]) -> dict[str, Any]:
    deadline = data.get("sla_deadline")
    data["deadline"] = dt.datetime.fromisoformat(deadline) if deadline else None
    return data


def _parse_variables(raw: str) -> dict[str, str]:
    """Template variables typed as ``name=value``, one a line."""
    out: dict[str, str] = {}
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip():
            raise ValidationError(_("Variables, line %(line)d: write name=value.", line=number))
        out[name.strip()] = value.strip()
    return out


def _agent_form(form: dict[str, Any] | None = None, error: str | None = None, status: int = 200, **extra: Any):
    user = signed_in_user()
    values = {"channel": "email", "idempotency_key": uuid.uuid4().hex, **(form or {})}
    recent, pages = _recent(user)
    return render_template("agent/home.html", form=values, error=error, templates=_templates(),
                           recent=recent, pages=pages, channels=replies.CHANNELS,
                           languages=current_app.config["LANGUAGES"], **extra), status


@bp.get("/agent")
@require(Role.AGENT)
def agent_home():
    return _agent_form()


@bp.post("/agent/replies")
@require(Role.AGENT)
def agent_draft():
    user = signed_in_user()
    form = request.form.to_dict()
    body: dict[str, Any] = {
        "text": form.get("text", "").replace("\r\n", "\n"), "ticket_ref": form.get("ticket_ref", "").strip(),
        "channel": form.get("channel", ""), "customer_locale": form.get("customer_locale") or None,
        "customer_message": form.get("customer_message") or None, "vip": form_flag("vip"),
        "escalated": form_flag("escalated"), "idempotency_key": form.get("idempotency_key") or None,
        "template_id": form.get("template_id") or None,
    }
    try:
        if body["template_id"]:
            body["variables"] = _parse_variables(form.get("variables", ""))
            if not body["text"].strip():
                body["text"] = None
        # The form is no API request: it meets the API's contract here, with the same answers.
        check_body("POST", "/api/v1/replies", body)
        req = replies.DraftRequest.from_json(body)
        with replies.drafting(db.session, user, req) as (reply, _created):
            db.session.commit()
    except TolkError as exc:
        db.session.rollback()
        detection = (exc.details or {}).get("detection")
        return _agent_form(form, error=exc.message, status=exc.status, detection=detection)
    return redirect(url_for("agent_pages.agent_reply", reply_id=reply.id), code=303)


@bp.get("/agent/replies/<int:reply_id>")
@require(Role.AGENT)
def agent_reply(reply_id: int):
    reply = replies.get_reply(db.session, signed_in_user(), reply_id)
    data = _with_deadline(replies.reply_to_dict(db.session, reply))
    shown = reply.final_text if reply.final_text is not None else reply.mt_text
    highlighted = marked(shown, finding_spans(reply.findings) if shown == reply.mt_text else [])
    return render_template("agent/reply.html", reply=data, highlighted=highlighted)


@bp.post("/agent/replies/<int:reply_id>/confirm")
@require(Role.AGENT)
def agent_confirm(reply_id: int):
    user = signed_in_user()
    reply = replies.get_reply(db.session, user, reply_id)
    replies.confirm(db.session, user, reply)
    flash(_("Reply released to the customer."), "success")
    return redirect(url_for("agent_pages.agent_reply", reply_id=reply.id), code=303)
