"""Tables of the knowledge base: articles, their revisions and their locales."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tolk.db import Base, UTCDateTime, str_enum, utcnow


class PublishingPolicy(enum.StrEnum):
    """How a machine-translated locale goes live.

    ``review``: a native reviewer approves it (the default of critical articles); ``manual``: the editor
    publishes it after looking (the default of machine output); ``auto``: published at once by the system,
    then spot-checked at the locale's sample rate.
    """

    REVIEW = "review"
    MANUAL = "manual"
    AUTO = "auto"


class LocaleState(enum.StrEnum):
    MISSING = "missing"
    TRANSLATING = "translating"
    READY = "ready"  # a checked draft waits for the editor to publish it (policy manual)
    OUTDATED = "outdated"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    FAILED = "failed"


class Article(Base):
    """A knowledge-base article in its source locale, with the locales it is published in."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    source_locale: Mapped[str] = mapped_column(String(16))
    critical: Mapped[bool] = mapped_column(Boolean, default=False)
    #: None: the default (``review`` for critical articles, ``manual`` otherwise); see ``PublishingPolicy``.
    publishing_policy: Mapped[PublishingPolicy | None] = mapped_column(str_enum(PublishingPolicy, 16))
    target_locales: Mapped[list] = mapped_column(JSON, default=list)
    current_revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    revisions: Mapped[list[ArticleRevision]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="ArticleRevision.number")
    locales: Mapped[list[ArticleLocale]] = relationship(back_populates="article", cascade="all, delete-orphan")


class ArticleRevision(Base):
    """One saved version of an article's source: sanitized HTML body and its segments."""

    __tablename__ = "article_revisions"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    body_html: Mapped[str] = mapped_column(Text)
    #: What the editor wrote: ``html`` (then ``body_html`` is it, sanitized) or ``markdown`` (in ``source_text``).
    source_format: Mapped[str] = mapped_column(String(16), default="html", server_default="html")
    source_text: Mapped[str | None] = mapped_column(Text)
    segments: Mapped[list] = mapped_column(JSON, default=list)  # source segments in order
    author: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    article: Mapped[Article] = relationship(back_populates="revisions")


class ArticleLocale(Base):
    """An article in one target locale: its state, draft translation and the version that is live."""

    __tablename__ = "article_locales"
    __table_args__ = (UniqueConstraint("article_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    locale: Mapped[str] = mapped_column(String(16))
    state: Mapped[LocaleState] = mapped_column(str_enum(LocaleState), default=LocaleState.MISSING)
    #: None: the article's policy.
    publishing_policy: Mapped[PublishingPolicy | None] = mapped_column(str_enum(PublishingPolicy, 16))
    draft_revision: Mapped[int | None] = mapped_column(Integer)
    draft_title: Mapped[str | None] = mapped_column(String(300))
    draft_html: Mapped[str | None] = mapped_column(Text)
    draft_segments: Mapped[list] = mapped_column(JSON, default=list)
    #: The engine's translation of each segment of the draft's revision (None: no machine translation).
    machine_segments: Mapped[list | None] = mapped_column(JSON)
    findings: Mapped[list] = mapped_column(JSON, default=list)
    outdated_segments: Mapped[list] = mapped_column(JSON, default=list)  # indexes changed since publishing
    published_revision: Mapped[int | None] = mapped_column(Integer)
    published_title: Mapped[str | None] = mapped_column(String(300))
    published_html: Mapped[str | None] = mapped_column(Text)
    published_segments: Mapped[list] = mapped_column(JSON, default=list)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    job_id: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    article: Mapped[Article] = relationship(back_populates="locales")
