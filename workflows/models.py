"""Tables of workflows: locale profiles, reply templates, replies, review queue, jobs, webhooks (KB articles:
``workflows.kb.models``)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

import tolk.models  # noqa: F401 - replies and review items reference its users table
from tolk.db import Base, UTCDateTime, str_enum, utcnow

# --- locale profiles and reply templates ----------------------------------------------------------


class LocaleProfile(Base):
    """How to serve customers of one locale: tone, greetings, upselling, SLAs, calendar, formatting."""

    __tablename__ = "locale_profiles"

    locale: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    formality: Mapped[str] = mapped_column(String(16), default="default")  # formal | informal | default
    greeting: Mapped[str] = mapped_column(Text, default="")  # e.g. "Dear {customer_name},"
    sign_off: Mapped[str] = mapped_column(Text, default="")
    upsell_allowed: Mapped[bool] = mapped_column(Boolean, default=True)
    sla_minutes: Mapped[dict] = mapped_column(JSON, default=dict)  # channel -> minutes
    preferred_channels: Mapped[list] = mapped_column(JSON, default=list)
    working_days: Mapped[str] = mapped_column(String(32), default="mon,tue,wed,thu,fri")
    holidays: Mapped[list] = mapped_column(JSON, default=list)  # ISO dates
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    text_direction: Mapped[str] = mapped_column(String(3), default="ltr")
    # Routing: recent MQM score below this sends the locale's content to native review.
    quality_threshold: Mapped[float] = mapped_column(Float, default=90.0)
    # Share of released content sampled into the review queue as spot checks.
    sample_rate: Mapped[float] = mapped_column(Float, default=0.05)
    always_review: Mapped[bool] = mapped_column(Boolean, default=False)
    check_config: Mapped[dict] = mapped_column(JSON, default=dict)  # lqa CheckConfig per locale
    critical_terms: Mapped[list] = mapped_column(JSON, default=list)  # extra words that mark content critical
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ReplyTemplate(Base):
    """A canned response ("macro") with named variables and optional plural variants."""

    __tablename__ = "reply_templates"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    source_locale: Mapped[str] = mapped_column(String(16), default="en")
    title: Mapped[str] = mapped_column(String(200), default="")
    source_text: Mapped[str] = mapped_column(Text)
    source_plural: Mapped[str | None] = mapped_column(Text)
    plural_variable: Mapped[str | None] = mapped_column(String(40))  # e.g. "count"
    comment: Mapped[str | None] = mapped_column(Text)  # for translators
    critical: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    translations: Mapped[list[TemplateTranslation]] = relationship(
        back_populates="template", cascade="all, delete-orphan")


class TemplateState(enum.StrEnum):
    """A template translation's state; only reviewed ones reach customers unreviewed."""

    FUZZY = "fuzzy"          # machine pre-filled or outdated: never used without review
    TRANSLATED = "translated"
    REVIEWED = "reviewed"


class TemplateTranslation(Base):
    """A template in one locale: msgstr and plural forms, tracked against the source version."""

    __tablename__ = "template_translations"
    __table_args__ = (UniqueConstraint("template_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[str] = mapped_column(ForeignKey("reply_templates.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(16))
    forms: Mapped[list] = mapped_column(JSON, default=list)  # msgstr, or msgstr[0..n-1] with plurals
    # The gettext plural rule the forms were written and checked with, so they keep their meaning when
    # Babel's rule for the locale changes. None when the template has no plural (or for a row from before
    # migration 0005 whose rule could not be derived from its number of forms).
    nplurals: Mapped[int | None] = mapped_column(Integer)
    plural_expr: Mapped[str | None] = mapped_column(Text)
    state: Mapped[TemplateState] = mapped_column(str_enum(TemplateState), default=TemplateState.FUZZY)
    source_version: Mapped[int] = mapped_column(Integer, default=1)
    translator_comment: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(80))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    template: Mapped[ReplyTemplate] = relationship(back_populates="translations")


# --- replies and the review queue ----------------------------------------------------------------


class ReplyStatus(enum.StrEnum):
    """Reply states in order: drafted < in_review < approved/released; rejected ends a draft."""

    DRAFTED = "drafted"
    AWAITING_AGENT = "awaiting_agent"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    RELEASED = "released"
    REJECTED = "rejected"

    @property
    def rank(self) -> int:
        return {"drafted": 0, "awaiting_agent": 1, "in_review": 1, "approved": 2, "released": 3,
                "rejected": 3}[self.value]

    # All four comparisons by rank: ``total_ordering`` fills in only what a class lacks, and ``str`` has them
    # all, so it would leave ``>``, ``<=`` and ``>=`` comparing the names alphabetically.
    def __lt__(self, other: object) -> bool:
        return self.rank < other.rank if isinstance(other, ReplyStatus) else NotImplemented

    def __le__(self, other: object) -> bool:
        return self.rank <= other.rank if isinstance(other, ReplyStatus) else NotImplemented

    def __gt__(self, other: object) -> bool:
        return self.rank > other.rank if isinstance(other, ReplyStatus) else NotImplemented

    def __ge__(self, other: object) -> bool:
        return self.rank >= other.rank if isinstance(other, ReplyStatus) else NotImplemented

    @property
    def final(self) -> bool:
        return self in (ReplyStatus.RELEASED, ReplyStatus.REJECTED)


class Decision(enum.StrEnum):
    """The routing decision for translated content."""

    RELEASED = "released"
    AGENT_CONFIRM = "agent_confirm"
    NATIVE_REVIEW = "native_review"
    HUMAN_TRANSLATION = "human_translation"


class Reply(Base):
    """A drafted reply: the agent's text, its translation for the customer and how it was routed."""

    __tablename__ = "replies"
    __table_args__ = (UniqueConstraint("agent_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_ref: Mapped[str] = mapped_column(String(120), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(120))
    agent_lang: Mapped[str] = mapped_column(String(16))
    customer_lang: Mapped[str] = mapped_column(String(16), index=True)
    detection: Mapped[dict | None] = mapped_column(JSON)
    template_id: Mapped[str | None] = mapped_column(String(80))
    source_text: Mapped[str] = mapped_column(Text)
    mt_text: Mapped[str | None] = mapped_column(Text)
    final_text: Mapped[str | None] = mapped_column(Text)
    back_translation: Mapped[str | None] = mapped_column(Text)
    engine: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[ReplyStatus] = mapped_column(str_enum(ReplyStatus), index=True)
    decision: Mapped[Decision] = mapped_column(str_enum(Decision))
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    findings: Mapped[list] = mapped_column(JSON, default=list)
    vip: Mapped[bool] = mapped_column(Boolean, default=False)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    # What the helpdesk told us of the customer (name, email, phone, address): masked in every engine call.
    customer: Mapped[dict | None] = mapped_column(JSON)
    # SHA-256 of the customer's normalized e-mail: finds their replies for erasure and access requests.
    customer_key: Mapped[str | None] = mapped_column(String(64), index=True)
    # The ticket's context, customer text like the others: redacted by retention and erasure.
    customer_message: Mapped[str | None] = mapped_column(Text)
    customer_message_translation: Mapped[str | None] = mapped_column(Text)  # in the agent's language
    thread: Mapped[list | None] = mapped_column(JSON)  # [{author, text, lang, translation}], oldest first
    # When (and by whom) the released reply was pasted into the helpdesk ticket.
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sent_by: Mapped[str | None] = mapped_column(String(80))
    # When retention or an erasure removed the texts (the routing, engine and figures stay).
    redacted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    transitions: Mapped[list[ReplyTransition]] = relationship(
        back_populates="reply", cascade="all, delete-orphan", order_by="ReplyTransition.id")


class ReplyTransition(Base):
    """A state change of a reply: from, to, who and when."""

    __tablename__ = "reply_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    reply_id: Mapped[int] = mapped_column(ForeignKey("replies.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[ReplyStatus | None] = mapped_column(str_enum(ReplyStatus, 24))
    to_status: Mapped[ReplyStatus] = mapped_column(str_enum(ReplyStatus, 24))
    actor: Mapped[str] = mapped_column(String(80))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    reply: Mapped[Reply] = relationship(back_populates="transitions")


class ReviewKind(enum.StrEnum):
    """What a review item stands for."""

    REPLY = "reply"
    ARTICLE = "article"


class ReviewTask(enum.StrEnum):
    """What the reviewer does: check machine output, or translate when no engine serves the pair."""

    REVIEW = "review"
    TRANSLATE = "translate"


class ReviewStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    ESCALATED = "escalated"


class ReviewItem(Base):
    """An item in a language's review queue: a reply or an article locale, with its SLA deadline."""

    __tablename__ = "review_items"
    __table_args__ = (Index("ix_review_items_queue", "target_lang", "status", "due_at"),
                      # A reply's or article's items, and each reviewer's open load: found by index, not by
                      # reading every item ever queued (tests/workflows/test_reply_query_plans.py).
                      Index("ix_review_items_object", "kind", "object_id"),
                      Index("ix_review_items_status_assignee", "status", "assignee_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReviewKind] = mapped_column(str_enum(ReviewKind, 16))
    object_id: Mapped[int] = mapped_column(Integer)
    source_lang: Mapped[str] = mapped_column(String(16))
    target_lang: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str | None] = mapped_column(String(16))
    content_type: Mapped[str] = mapped_column(String(32), default="reply")
    task: Mapped[ReviewTask] = mapped_column(str_enum(ReviewTask, 16), default=ReviewTask.REVIEW)
    spot_check: Mapped[bool] = mapped_column(Boolean, default=False)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    source_text: Mapped[str] = mapped_column(Text)
    mt_text: Mapped[str | None] = mapped_column(Text)
    engine: Mapped[str | None] = mapped_column(String(32))
    findings: Mapped[list] = mapped_column(JSON, default=list)
    terms_checked: Mapped[int] = mapped_column(Integer, default=0)  # glossary terms found in the source
    status: Mapped[ReviewStatus] = mapped_column(str_enum(ReviewStatus), default=ReviewStatus.PENDING)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    escalation: Mapped[str | None] = mapped_column(Text)
    # Who holds an escalated item (an admin): it stays in their default queue. See workflows.sla.escalation_owner.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # When the assignee is told the deadline is at risk (SLA_AT_RISK_PERCENT of the time to it gone).
    at_risk_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    queued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(80))
    final_text: Mapped[str | None] = mapped_column(Text)
    redacted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Optimistic locking: two reviewers approving at once, one wins and the other gets 409.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


# --- background jobs and webhooks -----------------------------------------------------------------


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class TranslationJob(Base):
    """A background translation job with its progress (segments done of total), kept in the database
    so progress and outcome survive Redis restarts."""

    __tablename__ = "translation_jobs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    object_ref: Mapped[str] = mapped_column(String(64))
    status: Mapped[JobStatus] = mapped_column(str_enum(JobStatus), default=JobStatus.QUEUED)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookDelivery(Base):
    """One event for one endpoint; the unique event id keeps a retried job from sending it twice."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("event_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(48))
    url: Mapped[str] = mapped_column(String(500))
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[DeliveryStatus] = mapped_column(str_enum(DeliveryStatus, 16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    #: The HTTP status of the last attempt (None: no answer at all); 3xx is a failure, never followed.
    last_status: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


# --- the customer's language ------------------------------------------------------------------------


class CustomerLanguage(Base):
    """The language a customer writes in, remembered per ticket and per customer (regional tag kept)."""

    __tablename__ = "customer_languages"

    scope: Mapped[str] = mapped_column(String(16), primary_key=True)  # ticket | customer
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    lang: Mapped[str] = mapped_column(String(35))
    source: Mapped[str] = mapped_column(String(16))  # given (picked by the agent) | detected
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
