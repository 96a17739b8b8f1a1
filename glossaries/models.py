"""Tables of termbases: glossaries, their concepts, and each concept's terms per language."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
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


class GlossaryTerm(Base):
    """A term of a concept in one language: preferred, admitted, or a forbidden variant."""

    __tablename__ = "glossary_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    concept_id: Mapped[int] = mapped_column(ForeignKey("glossary_concepts.id", ondelete="CASCADE"), index=True)
    lang: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(String(255))
    part_of_speech: Mapped[str | None] = mapped_column(String(32))
    case_sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[TermStatus] = mapped_column(str_enum(TermStatus, 16), default=TermStatus.PREFERRED)
    note: Mapped[str | None] = mapped_column(Text)

    concept: Mapped[GlossaryConcept] = relationship(back_populates="terms")
