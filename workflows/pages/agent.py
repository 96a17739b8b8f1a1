"""Agent pages: read the customer's message in your language, draft a reply (free text or from a template), see
its checks and routing in plain words, confirm, edit or correct it, resend it after a rejection, copy it and
mark it sent."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from machinery.api import no_engine_error
from machinery.routing import NoEngineAvailable
from tolk.auth import require, signed_in_user
from tolk.db import db
from tolk.errors import Conflict, TolkError, ValidationError
from tolk.models import Role, User
from tolk.openapi import check_body
from tolk.pagination import page_request, paginate
from tolk.validation import language
from tolk.web import form_flag, marked, page_errors
from workflows import replies
from workflows.locales import effective_profile
from workflows.macros import variables_in
from workflows.models import LocaleProfile, Reply, ReplyTemplate, ReviewItem
from workflows.pages.display import finding_spans, reply_statuses
from workflows.pages.workspace import (
    decision_label,
    form_message,
    no_engine_summary,
    reply_state,
    typed_variable,
    variable_hints,
)

bp = Blueprint("agent_pages", __name__)
page_errors(bp)

RECENT_REPLIES = 25


def _agent_lang(user: User) -> str:
    return user.language_list[0] if user.language_list else "en"


def _templates(user: User) -> list[dict[str, Any]]:
    """Templates with their variables: what to type and an example in the agent's format and currency."""
    lang = _agent_lang(user)
    currency = effective_profile(db.session, lang).currency
    rows = db.session.scalars(select(ReplyTemplate).order_by(ReplyTemplate.id))
    return [{"id": t.id, "title": t.title or t.id, "variables": variable_hints(t, lang, currency)} for t in rows]


def _greeting_variables() -> list[str]:
    """Variables the locales' greetings and sign-offs put around every template (``customer_name``)."""
    found: set[str] = set()
    for greeting, sign_off in db.session.execute(select(LocaleProfile.greeting, LocaleProfile.sign_off)):
        found |= variables_in(greeting) | variables_in(sign_off)
    return sorted(found)


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


def _parse_variables(raw: str) -> dict[str, Any]:
    """Template variables typed as ``name=value``, one a line; "49.90 USD" is an amount in that currency."""
    out: dict[str, Any] = {}
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip():
            raise ValidationError(_("Variables, line %(line)d: write name=value.", line=number))
        out[name.strip()] = typed_variable(value.strip())
    return out


def _agent_form(form: dict[str, Any] | None = None, error: str | None = None, status: int = 200, **extra: Any):
    user = signed_in_user()
    values = {"channel": "email", "idempotency_key": uuid.uuid4().hex, **(form or {})}
    recent, pages = _recent(user)
    return render_template("agent/home.html", form=values, error=error, templates=_templates(user),
                           greeting_variables=_greeting_variables(),
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
    if form.get("action") == "translate_message":
        return _translate_message(user, form)
    try:
        if body["template_id"]:
            body["variables"] = _parse_variables(form.get("variables", ""))
            if not body["text"].strip():
                body["text"] = None
        # The form is no API request: it meets the API's contract here, with the same answers.
        check_body("POST", "/api/v1/replies", body)
        req = replies.DraftRequest.from_json(body)
        with replies.drafting(db.session, user, req) as drafted:
            db.session.commit()
    except TolkError as exc:
        db.session.rollback()
        return _agent_form(_likeliest(form, exc), error=form_message(exc), status=exc.status,
                           detection=(exc.details or {}).get("detection"))
    return redirect(url_for("agent_pages.agent_reply", reply_id=drafted.reply.id), code=303)


def _likeliest(form: dict[str, Any], exc: TolkError) -> dict[str, Any]:
    """The form with the detector's likeliest language preselected when it was not sure."""
    candidates = ((exc.details or {}).get("detection") or {}).get("candidates") or []
    if candidates and not form.get("customer_locale"):
        return {**form, "customer_locale": candidates[0]["lang"]}
    return form


def _translate_message(user: User, form: dict[str, Any]):
    """The draft form again, with the customer's message translated into the agent's language above it."""
    text = (form.get("customer_message") or "").strip()
    if not text:
        return _agent_form(form, error=_("Paste the customer's message to translate it."), status=400)
    try:
        body = {"text": text, "source_lang": form.get("customer_locale") or None,
                "ticket_ref": (form.get("ticket_ref") or "").strip() or None}
        check_body("POST", "/api/v1/messages/translate", body)
        try:
            result = replies.translate_message(db.session, text, _agent_lang(user), language(body, "source_lang"),
                                               ticket_ref=body["ticket_ref"])
        except NoEngineAvailable as exc:
            raise no_engine_error(exc) from exc
        db.session.commit()  # the engine call's record
    except TolkError as exc:
        db.session.rollback()
        return _agent_form(_likeliest(form, exc), error=form_message(exc), status=exc.status,
                           detection=(exc.details or {}).get("detection"))
    if not form.get("customer_locale"):
        form = {**form, "customer_locale": result["source_lang"]}
    return _agent_form(form, message_translation=result)


def _reviewer_of(data: dict[str, Any]) -> User | None:
    review = data.get("review")
    item = db.session.get(ReviewItem, review["id"]) if review else None
    return db.session.get(User, item.assignee_id) if item is not None and item.assignee_id else None


def _reply_page(reply: Reply, error: str | None = None, status: int = 200, **form: Any):
    user = signed_in_user()
    data = _with_deadline(replies.reply_to_dict(db.session, reply))
    shown = reply.final_text if reply.final_text is not None else reply.mt_text
    highlighted = marked(shown, finding_spans(reply.findings) if shown == reply.mt_text else [])
    return render_template("agent/reply.html", reply=data, highlighted=highlighted, shown=shown, error=error,
                           state=reply_state(data, user, _reviewer_of(data)), form=form,
                           decision=decision_label(data["decision"]), no_engine=no_engine_summary(data),
                           admin=user.role == Role.ADMIN), status


@bp.get("/agent/replies/<int:reply_id>")
@require(Role.AGENT)
def agent_reply(reply_id: int):
    return _reply_page(replies.get_reply(db.session, signed_in_user(), reply_id))


@bp.post("/agent/replies/<int:reply_id>/confirm")
@require(Role.AGENT)
def agent_confirm(reply_id: int):
    user = signed_in_user()
    reply = replies.get_reply(db.session, user, reply_id)
    replies.confirm(db.session, user, reply)
    flash(_("Reply released to the customer."), "success")
    return redirect(url_for("agent_pages.agent_reply", reply_id=reply.id), code=303)


def _revise(reply_id: int, *, resend: bool):
    """An edit of the text or the translation (``field``), checked and routed again; resent after a rejection."""
    user = signed_in_user()
    reply = replies.get_reply(db.session, user, reply_id)
    field = request.form.get("field", "")
    value = request.form.get("value", "").replace("\r\n", "\n")
    try:
        if field not in ("text", "translation"):
            raise ValidationError(_("Choose what to change: your text or the translation."))
        body = {field: value}
        check_body("POST", f"/api/v1/replies/<int:reply_id>/{'resend' if resend else 'edit'}", body)
        replies.revise(db.session, user, reply, resend=resend, **body)
        db.session.commit()
    except TolkError as exc:
        db.session.rollback()
        reply = replies.get_reply(db.session, user, reply_id)
        message = _("The new text is empty: write it, or leave the reply as it is.") \
            if exc.code == "empty_text" else form_message(exc)
        if isinstance(exc, Conflict):
            message = _("This reply cannot be changed this way now: it is %(state)s.",
                        state=reply_statuses().get(reply.status, reply.status.value))
        return _reply_page(reply, error=message, status=exc.status, field=field, value=value)
    flash(_("Sent again: checked and routed anew.") if resend else _("Changed: checked and routed anew."), "success")
    return redirect(url_for("agent_pages.agent_reply", reply_id=reply_id), code=303)


@bp.post("/agent/replies/<int:reply_id>/edit")
@require(Role.AGENT)
def agent_edit(reply_id: int):
    return _revise(reply_id, resend=False)


@bp.post("/agent/replies/<int:reply_id>/resend")
@require(Role.AGENT)
def agent_resend(reply_id: int):
    return _revise(reply_id, resend=True)


@bp.post("/agent/replies/<int:reply_id>/sent")
@require(Role.AGENT)
def agent_sent(reply_id: int):
    user = signed_in_user()
    try:
        replies.mark_sent(db.session, user, replies.get_reply(db.session, user, reply_id))
    except Conflict:
        db.session.rollback()
        flash(_("Only a released reply can be marked as sent, and only once."), "error")
        return redirect(url_for("agent_pages.agent_reply", reply_id=reply_id), code=303)
    db.session.commit()
    flash(_("Marked as sent to the ticket."), "success")
    return redirect(url_for("agent_pages.agent_reply", reply_id=reply_id), code=303)


@bp.post("/agent/replies/<int:reply_id>/back-translation")
@require(Role.AGENT)
def agent_back_translation(reply_id: int):
    user = signed_in_user()
    reply = replies.back_translation_of(db.session, user, replies.get_reply(db.session, user, reply_id))
    db.session.commit()
    if reply.back_translation is None:
        flash(_("No engine can translate it back right now."), "error")
    return redirect(url_for("agent_pages.agent_reply", reply_id=reply_id, _anchor="back-translation"), code=303)
