"""The replies and reviews API's contract: drafted replies, customer messages and the review queue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from lqa.contract import MqmAnnotation
from tolk.pagination import page_params, paged, with_link
from tolk.schema import (
    LanguageTag,
    Schema,
    component_schemas,
    enum,
    errors,
    integer,
    json_body,
    language_tag,
    limited,
    model_schema,
    nullable,
    ok,
    op,
    query,
    record,
    ref,
    shaped,
    string,
)
from workflows.kb import MAX_ARTICLE_CHARS
from workflows.models import Decision, ReplyStatus, ReviewStatus
from workflows.replies import AUTHORS, CHANNELS, CUSTOMER_FIELDS

TAGS = {"workflows_api": "replies and reviews"}
#: Replies per page of GET /replies (default, maximum).
REPLIES_PAGE = (50, 200)
#: Review items per page of GET /reviews (default, maximum).
REVIEWS_PAGE = (100, 200)
Text = Annotated[str, limited("MAX_TEXT_CHARS")]


class Customer(BaseModel):
    """What the helpdesk knows of the customer: each value is masked wherever it appears (names also inflected)."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(max_length=CUSTOMER_FIELDS["name"])] | None = None
    email: Annotated[str, Field(max_length=CUSTOMER_FIELDS["email"])] | None = None
    phone: Annotated[str, Field(max_length=CUSTOMER_FIELDS["phone"])] | None = None
    address: Annotated[str, Field(max_length=CUSTOMER_FIELDS["address"])] | None = None


class Turn(BaseModel):
    """One earlier turn of the conversation."""

    author: Annotated[str, shaped(enum(AUTHORS))]
    text: Text
    lang: LanguageTag | None = None


class DraftReply(BaseModel):
    """POST /replies: the agent's text (or a template) for a customer, to translate, check and route."""

    text: Text | None = None
    ticket_ref: Annotated[str, Field(max_length=120)]
    channel: Annotated[str, shaped(enum(CHANNELS))]
    customer_locale: LanguageTag | None = None
    customer_message: Text | None = None
    agent_lang: LanguageTag | None = None
    template_id: Annotated[str, Field(max_length=80)] | None = None
    variables: dict[str, Any] | None = None
    vip: bool | None = None
    escalated: bool | None = None
    idempotency_key: Annotated[str, Field(max_length=120)] | None = None
    glossary: Annotated[str, Field(max_length=80)] | None = None
    customer_id: Annotated[str, Field(max_length=120)] | None = None
    customer: Customer | None = None
    thread: Annotated[list[Turn], Field(description="Earlier turns of the conversation, oldest first (the last "
                                                    "50 count): a reply is judged with them")] | None = None


class Revision(BaseModel):
    """POST /replies/<id>/edit and /resend: a new text (translated afresh) or a new translation (one of them)."""

    model_config = ConfigDict(extra="forbid")

    text: Text | None = None
    translation: Text | None = None


class Feedback(BaseModel):
    """POST /replies/<id>/feedback: the customer's rating."""

    csat: Annotated[int, Field(ge=1, le=5)]
    comment: Annotated[str, Field(max_length=2000)] | None = None


class CustomerMessage(BaseModel):
    """POST /messages/translate: a customer's message, not stored."""

    text: Text
    target_lang: LanguageTag | None = None
    source_lang: LanguageTag | None = None
    ticket_ref: Annotated[str, Field(max_length=120)] | None = None
    customer: Customer | None = None


class Approval(BaseModel):
    """POST /reviews/<id>/approve: optionally an edited text and MQM annotations."""

    # Replies allow 2 x MAX_TEXT_CHARS, article locales an article's length: the view checks per kind.
    text: str | None = None
    annotations: list[MqmAnnotation] | None = None
    version: int | None = None


class Rejection(BaseModel):
    """POST /reviews/<id>/reject: back to its author with a reason."""

    reason: Annotated[str, Field(max_length=2000)]
    annotations: list[MqmAnnotation] | None = None
    version: int | None = None


class ReviewRef(BaseModel):
    """The review a reply waits for."""

    id: int
    status: ReviewStatus
    task: str
    assigned_reviewer: str | None
    escalation: str | None
    sla_deadline: dt.datetime


class Transition(BaseModel):
    """One change of a reply's status: who, when and why."""

    from_: Annotated[str | None, Field(alias="from")]
    to: str
    by: str
    at: dt.datetime
    note: str | None


class Reply(BaseModel):
    """A drafted reply: its texts, the routing decision with reasons, and its history."""

    id: int
    ticket_ref: str
    channel: str
    status: ReplyStatus
    decision: Decision
    reasons: list[Any]
    agent_lang: str
    customer_lang: str
    detection: dict[str, Any] | None
    source_text: str
    translated_text: str | None
    final_text: str | None
    back_translation: str | None
    engine: str | None
    findings: list[Any]
    template_id: str | None
    rejection_reason: str | None
    review: ReviewRef | None
    assigned_reviewer: str | None
    sla_deadline: dt.datetime | None
    transitions: list[Transition]
    created_at: dt.datetime
    idempotency_key: str | None
    customer_message: str | None = None
    customer_message_translation: str | None = None
    thread: list[Any] | None = None
    sent_at: dt.datetime | None = None
    sent_by: str | None = None


class ReviewItem(BaseModel):
    """An item of the review queue: a reply or an article locale, with its deadline and decision."""

    id: int
    kind: str
    object_id: int
    task: str
    spot_check: bool
    source_lang: str
    target_lang: str
    channel: str | None
    content_type: str
    status: ReviewStatus
    reasons: list[Any]
    source_text: str
    mt_text: str | None
    engine: str | None
    findings: list[Any]
    final_text: str | None
    assignee: str | None
    escalation: str | None
    # Who holds an escalated item (it stays in their default queue); None while a reviewer has it.
    owner: str | None = None
    queued_at: dt.datetime
    due_at: dt.datetime
    decided_at: dt.datetime | None
    decided_by: str | None
    version: int
    # "tokens": the viewer is neither the assignee nor a reviewer of the language: [[card:1]] for data.
    customer_data: Literal["shown", "tokens"]


def components() -> dict[str, Schema]:
    """Replies and review items, as answered."""
    return component_schemas(Reply, ReviewItem)


def operations(config: Mapping[str, Any]) -> dict[tuple[str, str], Schema]:
    """The replies, messages and reviews endpoints, keyed by (method, Flask rule)."""
    approval = model_schema(Approval)
    approval["properties"]["text"]["maxLength"] = max(config["MAX_TEXT_CHARS"] * 2, MAX_ARTICLE_CHARS)
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
            body=json_body(model_schema(DraftReply, config), {
                "text": "Thanks for waiting, Maria.", "ticket_ref": "T-1", "channel": "email", "customer_locale": "es",
                "customer": {"name": "Maria Garcia", "email": "maria@example.com"}})),
        ("GET", "/api/v1/replies"): op("The agent's replies (admins: everyone's), newest first, a page at a time", {
            "200": with_link(ok(paged("replies", ref("Reply")))), **errors(400)},
            params=[query("status", enum(ReplyStatus)), *page_params(*REPLIES_PAGE)]),
        ("GET", "/api/v1/replies/<int:reply_id>"): op("A reply (its agent, admins, reviewers of its language)", {
            "200": ok(ref("Reply")), **errors(403, 404)}),
        ("POST", "/api/v1/replies/<int:reply_id>/confirm"): op("The agent confirms a reply: it is released", {
            "200": ok(ref("Reply")), **errors(403, 404, 409)}),
        ("POST", "/api/v1/replies/<int:reply_id>/edit"): op(
            "The agent edits a reply waiting for them: checks and routing run again", {
                "200": ok(ref("Reply")), **errors(400, 403, 404, 409, 422)},
            description="Give a new `text` (translated afresh) or a new `translation` (the customer's text as "
                        "the agent wrote it: checked and routed as it is, so it may go to native review).",
            body=json_body(model_schema(Revision, config), {"translation": "Gracias por esperar."})),
        ("POST", "/api/v1/replies/<int:reply_id>/resend"): op(
            "Revise a rejected reply and send it again through checks and routing", {
                "200": ok(ref("Reply")), **errors(400, 403, 404, 409, 422)},
            body=json_body(model_schema(Revision, config), {"text": "Your refund of 20 EUR was processed."})),
        ("POST", "/api/v1/replies/<int:reply_id>/sent"): op(
            "The agent marks a released reply as sent in the helpdesk ticket (once)", {
                "200": ok(ref("Reply")), **errors(403, 404, 409)}),
        ("POST", "/api/v1/replies/<int:reply_id>/back-translation"): op(
            "Back-translate the reply's customer text into the agent's language (kept with the reply)", {
                "200": ok(ref("Reply")), **errors(403, 404)}),
        ("POST", "/api/v1/replies/<int:reply_id>/feedback"): op("Record the customer's rating (CSAT 1-5)", {
            "201": ok(record({"id": integer(), "reply_id": integer(), "csat": integer(),
                              "delivery": enum(("machine", "reviewed"))}), "Recorded"), **errors(400, 403, 404)},
            body=json_body(model_schema(Feedback), {"csat": 5, "comment": "Quick and clear"})),
        ("POST", "/api/v1/messages/translate"): op("A customer's message in the agent's language", {
            "200": ok(record({"text": string(), "source_lang": string(), "engine": string(),
                             "detection": nullable(ref("Detection"))})),
            **errors(400, 422, 503)},
            body=json_body(model_schema(CustomerMessage, config),
                           {"text": "Gracias por su ayuda.", "target_lang": "en"}),
            description="Nothing of the message is stored; `customer` values are masked before any engine sees "
                        "them, and `ticket_ref` names the engine call's egress record for erasure."),
        ("GET", "/api/v1/reviews"): op(
            "The review queue by SLA deadline (reviewers: their languages only), a page at a time", {
                "200": with_link(ok(paged("reviews", ref("ReviewItem")))), **errors(400, 403)},
            params=[query("status", enum([*ReviewStatus, "all"]), "default pending"), query("lang", language_tag()),
                    *page_params(*REVIEWS_PAGE)]),
        ("GET", "/api/v1/reviews/<int:item_id>"): op("A review item", {
            "200": ok(ref("ReviewItem")), **errors(403, 404)}),
        ("POST", "/api/v1/reviews/<int:item_id>/approve"): op(
            "Approve, optionally with an edited text and MQM annotations", {
                "200": ok(ref("ReviewItem")), **errors(400, 403, 404, 409)},
            body=json_body(approval, {"annotations": [{"category": "fluency/grammar", "severity": "minor"}]},
                           required=False)),
        ("POST", "/api/v1/reviews/<int:item_id>/reject"): op("Reject with a reason: back to its author", {
            "200": ok(ref("ReviewItem")), **errors(400, 403, 404, 409)},
            body=json_body(model_schema(Rejection), {"reason": "Too informal for a refund."})),
    }
