"""Tables of termbases: glossaries, their concepts, each concept's terms per language; import jobs."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from glossaries.terms import TermStatus
from tolk.db import Base, UTCDateTime, str_enum, utcnow


class Glossary(Base):
    """A termbase, e.g. one per brand or product line."""

    __tablename__ = "glossaries"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    source_lang: Mapped[str] = mapped_column(String(16))
    # Bumped on every change, so caches of the termbase know when to reload.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    concepts: Mapped[list[GlossaryConcept]] = relationship(
        back_populates="glossary", cascade="all, delete-orphan", order_by="GlossaryConcept.id")


class GlossaryConcept(Base):
    """One meaning with its terms in several languages."""

    __tablename__ = "glossary_concepts"

    id: Mapped[int] = mapped_column(primary_key=True)
    glossary_id: Mapped[int] = mapped_column(ForeignKey("glossaries.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(120))
    do_not_translate: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(String(120))

    glossary: Mapped[Glossary] = relationship(back_populates="concepts")
    terms: Mapped[list[GlossaryTerm]] = relationship(
        back_populates="concept", cascade="all, delete-orphan", order_by="GlossaryTerm.id")


#: The longest search form kept (case folding may lengthen a term: "ß" -> "ss").
SEARCH_CHARS = 255
# Compared in code-point order on PostgreSQL too (its default collation orders by language rules, which
# would break a prefix taken as a range of strings).
_SEARCH_TYPE = String(SEARCH_CHARS).with_variant(String(SEARCH_CHARS, collation="C"), "postgresql")


def search_form(text: str) -> str:
    """How a term is searched: case-folded (all of Unicode), runs of white space as one space."""
    return " ".join(text.casefold().split())[:SEARCH_CHARS]


def _search_default(context: DefaultExecutionContext) -> str | None:
    text = context.get_current_parameters().get("text")
    return search_form(text) if isinstance(text, str) else None


class GlossaryTerm(Base):
    """A term of a concept in one language: preferred, admitted, or a forbidden variant."""

    __tablename__ = "glossary_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    concept_id: Mapped[int] = mapped_column(ForeignKey("glossary_concepts.id", ondelete="CASCADE"), index=True)
    lang: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(String(255))
    # ``search_form(text)``, set by every insert (ORM or bulk): the term search is an index range on it.
    search_text: Mapped[str | None] = mapped_column(_SEARCH_TYPE, index=True, default=_search_default)
    part_of_speech: Mapped[str | None] = mapped_column(String(32))
    case_sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[TermStatus] = mapped_column(str_enum(TermStatus, 16), default=TermStatus.PREFERRED)
    note: Mapped[str | None] = mapped_column(Text)

    concept: Mapped[GlossaryConcept] = relationship(back_populates="terms")


class ImportStatus(enum.StrEnum):
    """Where an import job is: waiting for a worker, reading and storing, stored, or refused (nothing stored)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ImportJob(Base):
    """A file imported by a worker: a glossary (CSV, TBX) or a translation memory (TMX).

    The file waits here (``data``, dropped when the job ends) so any worker can read it. The outcome is
    written in the same transaction as the imported rows: a job is ``done`` exactly when they are stored.
    Live progress (``done`` of ``total``) is kept in Redis while the job runs (``glossaries.import_jobs``).
    """

    __tablename__ = "import_jobs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(255), default="")
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[ImportStatus] = mapped_column(str_enum(ImportStatus, 16), default=ImportStatus.QUEUED)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    line: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[dict | None] = mapped_column(JSON)
    actor: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
