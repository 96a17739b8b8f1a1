"""The replies and reviews API's contract: drafted replies, customer messages and the review queue."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lqa.contract import mqm_annotations
from tolk.schema import (
    MAX_ID,
    Schema,
    array,
    boolean,
    enum,
    errors,
    integer,
    json_body,
    language_tag,
    nullable,
    obj,
    ok,
    op,
    query,
    record,
    ref,
    string,
    timestamp,
)
from workflows.kb import MAX_ARTICLE_CHARS
from workflows.models import Decision, ReplyStatus, ReviewStatus
from workflows.replies import CHANNELS

TAGS = {"workflows_api": "replies and reviews"}


def components() -> dict[str, Schema]:
    """Replies and review items, as answered."""
    s, n = string(), nullable(string())
    any_list = array({})
    review_ref = record({"id": integer(), "status": enum(ReviewStatus), "task": s, "assigned_reviewer": n,
                         "escalation": n, "sla_deadline": timestamp()})
    reply = record({
        "id": integer(), "ticket_ref": s, "channel": s, "status": enum(ReplyStatus), "decision": enum(Decision),
        "reasons": any_list, "agent_lang": s, "customer_lang": s, "detection": nullable(obj()), "source_text": s,
        "translated_text": n, "final_text": n, "back_translation": n, "engine": n, "findings": any_list,
        "template_id": n, "rejection_reason": n, "review": nullable(review_ref), "assigned_reviewer": n,
        "sla_deadline": nullable(timestamp()),
        "transitions": array(record({"from": n, "to": s, "by": s, "at": timestamp(), "note": n})),
        "created_at": timestamp(), "idempotency_key": n})
    review_item = record({
        "id": integer(), "kind": s, "object_id": integer(), "task": s, "spot_check": boolean(), "source_lang": s,
        "target_lang": s, "channel": n, "content_type": s, "status": enum(ReviewStatus), "reasons": any_list,
        "source_text": s, "mt_text": n, "engine": n, "findings": any_list, "final_text": n, "assignee": n,
        "escalation": n, "queued_at": timestamp(), "due_at": timestamp(), "decided_at": nullable(timestamp()),
        "decided_by": n, "version": integer(),
        # "tokens": the viewer is neither the assignee nor a reviewer of the language: [[card:1]] for data.
        "customer_data": enum(("shown", "tokens"))})
    return {"Reply": reply, "ReviewItem": review_item}


def operations(config: Mapping[str, Any]) -> dict[tuple[str, str], Schema]:
    """The replies, messages and reviews endpoints, keyed by (method, Flask rule)."""
    max_text = config["MAX_TEXT_CHARS"]
    lang, n_lang = language_tag(), nullable(language_tag())
    review_decision = {"annotations": mqm_annotations(), "version": nullable(integer())}
    # What the helpdesk knows of the customer: each value is masked wherever it appears (names also inflected).
    customer = obj({"name": nullable(string(200)), "email": nullable(string(254)), "phone": nullable(string(40)),
                    "address": nullable(string(500))}, closed=True)
    return {
        ("POST", "/api/v1/replies"): op(
            "Draft a reply: translate, check and route it (released, agent confirms, or native review)",
            {"200": ok(ref("Reply"), "The reply drafted earlier under this idempotency key"),
             "201": ok(ref("Reply"), "Drafted"), **errors(400, 404, 409, 422)},
            description="Give `text` (or a `template_id`) and `customer_locale` or the customer's last "
                        "message (`customer_message`) to detect it from. Routing reads the reply with the "
                        "customer's message and the optional `thread`: \"Yes, done.\" after a request to cancel "
                        "is held for review. The same `idempotency_key` sent again returns the first reply (200); "
                        "sent while that reply is still being drafted, 409 `idempotency_in_progress` with "
                        "`Retry-After`.",
            body=json_body(obj({
                "text": nullable(string(max_text)), "ticket_ref": string(120), "channel": enum(CHANNELS),
                "customer_locale": n_lang, "customer_message": nullable(string(max_text)), "agent_lang": n_lang,
                "template_id": nullable(string(80)), "variables": nullable(obj()), "vip": nullable(boolean()),
                "escalated": nullable(boolean()), "idempotency_key": nullable(string(120)),
                "glossary": nullable(string(80)), "customer_id": nullable(string(120)), "customer": nullable(customer),
                "thread": nullable(array(record({"author": enum(("customer", "agent")), "text": string(max_text)},
                                                {"lang": n_lang}),
                                         description="Earlier turns of the conversation, oldest first (the last "
                                                     "50 count): a reply is judged with them"))},
                required=["ticket_ref", "channel"]),
                {"text": "Thanks for waiting, Maria.", "ticket_ref": "T-1", "channel": "email", "customer_locale": "es",
                 "customer": {"name": "Maria Garcia", "email": "maria@example.com"}})),
        ("GET", "/api/v1/replies"): op("The agent's recent replies (admins: everyone's), newest first", {
            "200": ok(record({"replies": array(ref("Reply"))})), **errors(400)},
            params=[query("status", enum(ReplyStatus)),
                    query("limit", integer(minimum=0, maximum=MAX_ID), "at most 200 (default 50)")]),
        ("GET", "/api/v1/replies/<int:reply_id>"): op("A reply (its agent, admins, reviewers of its language)", {
            "200": ok(ref("Reply")), **errors(403, 404)}),
        ("POST", "/api/v1/replies/<int:reply_id>/confirm"): op("The agent confirms a reply: it is released", {
            "200": ok(ref("Reply")), **errors(403, 404, 409)}),
        ("POST", "/api/v1/replies/<int:reply_id>/feedback"): op("Record the customer's rating (CSAT 1-5)", {
            "201": ok(record({"id": integer(), "reply_id": integer(), "csat": integer(),
                              "delivery": enum(("machine", "reviewed"))}), "Recorded"), **errors(400, 403, 404)},
            body=json_body(obj({"csat": integer(minimum=1, maximum=5), "comment": nullable(string(2000))},
                               required=["csat"]), {"csat": 5, "comment": "Quick and clear"})),
        ("POST", "/api/v1/messages/translate"): op("A customer's message in the agent's language", {
            "200": ok(record({"text": string(), "source_lang": string(), "engine": string(),
                             "detection": nullable(ref("Detection"))})),
            **errors(400, 422, 503)},
            body=json_body(obj({"text": string(max_text), "target_lang": n_lang, "source_lang": n_lang,
                                "ticket_ref": nullable(string(120)), "customer": nullable(customer)},
                               required=["text"]), {"text": "Gracias por su ayuda.", "target_lang": "en"}),
            description="Nothing of the message is stored; `customer` values are masked before any engine sees "
                        "them, and `ticket_ref` names the engine call's egress record for erasure."),
        ("GET", "/api/v1/reviews"): op("The review queue by SLA deadline (reviewers: their languages only)", {
            "200": ok(record({"reviews": array(ref("ReviewItem"))})), **errors(400, 403)},
            params=[query("status", enum([*ReviewStatus, "all"]), "default pending"), query("lang", lang)]),
        ("GET", "/api/v1/reviews/<int:item_id>"): op("A review item", {
            "200": ok(ref("ReviewItem")), **errors(403, 404)}),
        ("POST", "/api/v1/reviews/<int:item_id>/approve"): op(
            "Approve, optionally with an edited text and MQM annotations", {
                "200": ok(ref("ReviewItem")), **errors(400, 403, 404, 409)},
            # Replies allow 2 x MAX_TEXT_CHARS, article locales an article's length: the view checks per kind.
            body=json_body(obj({"text": nullable(string(max(max_text * 2, MAX_ARTICLE_CHARS))), **review_decision}),
                           {"annotations": [{"category": "fluency/grammar", "severity": "minor"}]},
                           required=False)),
        ("POST", "/api/v1/reviews/<int:item_id>/reject"): op("Reject with a reason: back to its author", {
            "200": ok(ref("ReviewItem")), **errors(400, 403, 404, 409)},
            body=json_body(obj({"reason": string(2000), **review_decision}, required=["reason"]),
                           {"reason": "Too informal for a refund."})),
    }
