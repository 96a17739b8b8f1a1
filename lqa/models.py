"""Tables of quality data: one record per reviewed segment, its MQM annotations, customer feedback.

Workflows write these when a reviewer approves or rejects and when a helpdesk posts a rating; lqa
reads them for per-language figures. lqa never imports workflows: the records carry what it needs.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tolk.db import Base, UTCDateTime, str_enum, utcnow


class ReviewOutcome(enum.StrEnum):
    """What the reviewer did with the machine output."""

    APPROVED = "approved"
    APPROVED_EDITED = "approved_edited"
    REJECTED = "rejected"


class QualityRecord(Base):
    """A machine translation and what a reviewer made of it."""

    __tablename__ = "quality_records"
    __table_args__ = (Index("ix_quality_records_lang_created", "target_lang", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_lang: Mapped[str] = mapped_column(String(16))
    target_lang: Mapped[str] = mapped_column(String(16))
    engine: Mapped[str] = mapped_column(String(32))  # engine name, "tm" or "human"
    content_type: Mapped[str] = mapped_column(String(32))  # reply | article | template
    channel: Mapped[str | None] = mapped_column(String(32))
    reviewer: Mapped[str | None] = mapped_column(String(80))
    # Spot checks are an unbiased sample of released content; targeted reviews lean to hard content.
    spot_check: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[ReviewOutcome] = mapped_column(str_enum(ReviewOutcome, 16))
    source_text: Mapped[str] = mapped_column(Text)
    mt_text: Mapped[str] = mapped_column(Text)
    final_text: Mapped[str | None] = mapped_column(Text)
    words: Mapped[int] = mapped_column(Integer, default=0)
    check_findings: Mapped[dict] = mapped_column(JSON, default=dict)  # check id -> count
    glossary_terms: Mapped[int] = mapped_column(Integer, default=0)
    glossary_violations: Mapped[int] = mapped_column(Integer, default=0)
    queued_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # e.g. "reply:17", "article:3:es"; indexed: a review page shows the object's earlier decisions
    object_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    review_item_id: Mapped[int | None] = mapped_column(Integer, index=True)  # the decided item (workflows)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    annotations: Mapped[list[MqmAnnotationRow]] = relationship(
        back_populates="record", cascade="all, delete-orphan", order_by="MqmAnnotationRow.id")

    @property
    def sla_met(self) -> bool | None:
        if self.due_at is None or self.reviewed_at is None:
            return None
        return self.reviewed_at <= self.due_at


class MqmAnnotationRow(Base):
    """One MQM error a reviewer marked: category, severity and span in the final text (or the machine
    translation, when the reviewer rejected it).

    The span alone goes stale when the text is edited after marking, so the marked words are kept as a
    W3C Web Annotation TextQuoteSelector: ``quote`` with a little ``prefix``/``suffix`` context, and
    ``anchored_on`` the text the reviewer marked ("mt" or "final"). ``text_changed``: the words were
    edited away, and the annotation points at none (see ``lqa.anchors``).
    """

    __tablename__ = "mqm_annotations"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("quality_records.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(48))
    severity: Mapped[str] = mapped_column(String(16))
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    rater: Mapped[str | None] = mapped_column(String(80))
    quote: Mapped[str | None] = mapped_column(Text)
    prefix: Mapped[str | None] = mapped_column(Text)
    suffix: Mapped[str | None] = mapped_column(Text)
    anchored_on: Mapped[str | None] = mapped_column(String(8))  # "mt" | "final"
    text_changed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    record: Mapped[QualityRecord] = relationship(back_populates="annotations")


class CustomerFeedback(Base):
    """A customer's rating of a reply, posted by the helpdesk."""

    __tablename__ = "customer_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    object_ref: Mapped[str] = mapped_column(String(64), index=True)
    target_lang: Mapped[str] = mapped_column(String(16), index=True)
    # How the rated text reached the customer: "machine" (released unreviewed) or "reviewed".
    delivery: Mapped[str] = mapped_column(String(16))
    engine: Mapped[str | None] = mapped_column(String(32))
    csat: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class QualityScore(Base):
    """A computed MQM score, stored with the profile signature (weights, version) that produced it."""

    __tablename__ = "quality_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_lang: Mapped[str] = mapped_column(String(16), index=True)
    scope: Mapped[str] = mapped_column(String(64))  # e.g. "recent", "week:2026-W47", "engine:deepl"
    profile_signature: Mapped[str] = mapped_column(String(255))
    score: Mapped[float] = mapped_column(Float)
    words: Mapped[int] = mapped_column(Integer)
    ci_low: Mapped[float | None] = mapped_column(Float)
    ci_high: Mapped[float | None] = mapped_column(Float)
    inconclusive: Mapped[bool] = mapped_column(Boolean, default=True)
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
