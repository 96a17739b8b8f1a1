"""Replies, inbound messages and review queues over JSON."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lqa.metrics import record_feedback
from machinery.api import no_engine_error
from machinery.routing import NoEngineAvailable, deadline
from tolk.auth import require, signed_in_user
from tolk.db import db
from tolk.errors import Forbidden, ValidationError
from tolk.models import Role, User
from tolk.pagination import more_than, page_request, page_response, paginate
from tolk.validation import json_object, language, optional_json_object
from workflows import kb, replies, review
from workflows.contract import REPLIES_PAGE, REVIEWS_PAGE
from workflows.models import Reply, ReplyStatus, ReviewStatus

bp = Blueprint("workflows_api", __name__, url_prefix="/api/v1")


@bp.post("/replies")
@require(Role.AGENT)
def draft_reply():
    req = replies.DraftRequest.from_json(json_object())
    # Translation, failover and back-translation share one deadline: a hanging vendor costs at most that.
    with (deadline(current_app.config["ENGINE_DEADLINE"]),
          replies.drafting(db.session, signed_in_user(), req) as drafted):
        db.session.commit()  # inside: the idempotency key stays claimed until the reply is committed
    return (jsonify(replies.reply_to_dict(db.session, drafted.reply, drafted.known)),
            201 if drafted.created else 200)


@bp.get("/replies")
@require(Role.AGENT)
def list_replies():
    """The agent's replies (admins: everyone's), newest first, a page at a time (tolk.pagination)."""
    user = signed_in_user()
    wanted = page_request(default=REPLIES_PAGE[0], maximum=REPLIES_PAGE[1])
    query = select(Reply).options(selectinload(Reply.transitions))
    if user.role != Role.ADMIN:
        query = query.where(Reply.agent_id == user.id)
    status = request.args.get("status")
    if status:
        try:
            query = query.where(Reply.status == ReplyStatus(status))
        except ValueError as exc:
            raise ValidationError(f"unknown status {status!r}") from exc
    page = paginate(db.session, query, Reply.id, wanted, descending=True)
    return page_response("replies", replies.replies_to_dicts(db.session, page.items), page)


@bp.get("/replies/<int:reply_id>")
@require()
def show_reply(reply_id: int):
    return jsonify(replies.reply_to_dict(db.session, replies.get_reply(db.session, signed_in_user(), reply_id)))


@bp.post("/replies/<int:reply_id>/confirm")
@require(Role.AGENT)
def confirm_reply(reply_id: int):
    user = signed_in_user()
    reply = replies.confirm(db.session, user, replies.get_reply(db.session, user, reply_id))
    return jsonify(replies.reply_to_dict(db.session, reply))


def _revise(reply_id: int, *, resend: bool):
    user = signed_in_user()
    reply = replies.get_reply(db.session, user, reply_id)
    body = json_object()
    with deadline(current_app.config["ENGINE_DEADLINE"]):
        replies.revise(db.session, user, reply, text=body.get("text"), translation=body.get("translation"),
                       resend=resend)
    db.session.commit()
    return jsonify(replies.reply_to_dict(db.session, reply))


@bp.post("/replies/<int:reply_id>/edit")
@require(Role.AGENT)
def edit_reply(reply_id: int):
    """A new text or translation for a reply waiting for its agent: checked and routed again."""
    return _revise(reply_id, resend=False)


@bp.post("/replies/<int:reply_id>/resend")
@require(Role.AGENT)
def resend_reply(reply_id: int):
    """A rejected reply, revised, back into checks and routing."""
    return _revise(reply_id, resend=True)


@bp.post("/replies/<int:reply_id>/sent")
@require(Role.AGENT)
def mark_reply_sent(reply_id: int):
    user = signed_in_user()
    reply = replies.mark_sent(db.session, user, replies.get_reply(db.session, user, reply_id))
    db.session.commit()
    return jsonify(replies.reply_to_dict(db.session, reply))


@bp.post("/replies/<int:reply_id>/back-translation")
@require(Role.AGENT)
def back_translate_reply(reply_id: int):
    user = signed_in_user()
    with deadline(current_app.config["ENGINE_DEADLINE"]):
        reply = replies.back_translation_of(db.session, user, replies.get_reply(db.session, user, reply_id))
    db.session.commit()
    return jsonify(replies.reply_to_dict(db.session, reply))


@bp.post("/replies/<int:reply_id>/feedback")
@require(Role.AGENT)
def reply_feedback(reply_id: int):
    """A helpdesk posts the customer's rating (CSAT 1-5, optional comment)."""
    user = signed_in_user()
    reply = replies.get_reply(db.session, user, reply_id)
    if not reply.status.final and reply.status != ReplyStatus.APPROVED:
        raise ValidationError(f"reply {reply.id} has not reached the customer ({reply.status.value})")
    body = json_object()
    delivery = "machine" if reply.status == ReplyStatus.RELEASED and reply.engine not in ("template", "tm") \
        else "reviewed"
    row = record_feedback(db.session, object_ref=f"reply:{reply.id}", target_lang=reply.customer_lang,
                          delivery=delivery, engine=reply.engine, csat=body.get("csat"),
                          comment=body.get("comment"))
    db.session.commit()
    return jsonify({"id": row.id, "reply_id": reply.id, "csat": row.csat, "delivery": delivery}), 201


@bp.post("/messages/translate")
@require(Role.AGENT)
def translate_message():
    body = json_object()
    text = body["text"]
    if not text.strip():
        raise ValidationError("'text' is empty", code="empty_text")
    user = signed_in_user()
    target = language(body, "target_lang") or (user.language_list[0] if user.language_list else "en")
    try:
        with deadline(current_app.config["ENGINE_DEADLINE"]):
            result = replies.translate_message(db.session, text, target, language(body, "source_lang"),
                                               customer=replies.parse_customer(body),
                                               ticket_ref=body.get("ticket_ref"))
    except NoEngineAvailable as exc:
        db.session.commit()
        raise no_engine_error(exc) from exc
    db.session.commit()
    return jsonify(result)


@bp.get("/reviews")
@require(Role.REVIEWER)
def list_reviews():
    status = request.args.get("status", "pending")
    if status not in {s.value for s in ReviewStatus} | {"all"}:
        raise ValidationError(f"unknown status {status!r}")
    lang = request.args.get("lang")
    if lang:
        lang = language({"lang": lang}, "lang")
    user = signed_in_user()
    wanted = page_request(default=REVIEWS_PAGE[0], maximum=REVIEWS_PAGE[1])
    items = review.visible_items(db.session, user, lang=lang, status=None if status == "all" else status,
                                 limit=wanted.limit + 1, after=review.position_from_key(wanted.after))
    page = more_than(items, wanted, review.queue_position)
    ids = {i.assignee_id for i in page.items if i.assignee_id is not None}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    return page_response("reviews", [review.item_to_dict(i, users.get(i.assignee_id) if i.assignee_id is not None
                                                         else None, viewer=user) for i in page.items], page)


@bp.get("/reviews/<int:item_id>")
@require(Role.REVIEWER)
def show_review(item_id: int):
    user = signed_in_user()
    item = review.get_item(db.session, user, item_id)
    return jsonify(review.item_to_dict(item, db.session.get(User, item.assignee_id) if item.assignee_id else None,
                                       viewer=user))


def _reviewer() -> User:
    user = signed_in_user()
    if user.role not in (Role.REVIEWER, Role.ADMIN):
        raise Forbidden("only reviewers decide review items")
    return user


@bp.post("/reviews/<int:item_id>/approve")
@require(Role.REVIEWER)
def approve_review(item_id: int):
    body = optional_json_object()
    user = _reviewer()
    item = review.get_item(db.session, user, item_id)
    # A reply is at most MAX_TEXT_CHARS; an article locale is reviewed whole, up to an article's length.
    limit = kb.MAX_ARTICLE_CHARS if item.kind == "article" else current_app.config["MAX_TEXT_CHARS"] * 2
    text = body.get("text")
    if text is not None and len(text) > limit:  # the contract admits the larger of the two kinds' limits
        raise ValidationError(f"'text' is longer than {limit} characters", details={"field": "text"})
    review.approve(db.session, item, user, text=text, annotations=body.get("annotations"),
                   version=body.get("version"))
    db.session.commit()
    return jsonify(review.item_to_dict(item, viewer=user))


@bp.post("/reviews/<int:item_id>/reject")
@require(Role.REVIEWER)
def reject_review(item_id: int):
    body = json_object()
    user = _reviewer()
    item = review.get_item(db.session, user, item_id)
    review.reject(db.session, item, user, reason=body["reason"], annotations=body.get("annotations"),
                  version=body.get("version"))
    db.session.commit()
    return jsonify(review.item_to_dict(item, viewer=user))
