"""Tables of machinery: engine-call metering and translation-memory segments."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Enum, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tolk.db import Base, UTCDateTime, utcnow


class TmOrigin(enum.StrEnum):
    """Where a translation-memory segment came from; human-approved outranks the rest."""

    HUMAN = "human"
    IMPORTED = "imported"
    MACHINE = "machine"

    @property
    def rank(self) -> int:
        return {"human": 3, "imported": 2, "machine": 1}[self.value]


class EngineCall(Base):
    """One request to a machine-translation engine: what it cost and how it went."""

    __tablename__ = "engine_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    engine: Mapped[str] = mapped_column(String(32), index=True)
    source_lang: Mapped[str] = mapped_column(String(16))
    target_lang: Mapped[str] = mapped_column(String(16), index=True)
    segments: Mapped[int] = mapped_column(Integer, default=0)
    characters: Mapped[int] = mapped_column(Integer, default=0)
    billed_characters: Mapped[int] = mapped_column(Integer, default=0)
    duration_ms: Mapped[float] = mapped_column(Float, default=0.0)
    ok: Mapped[bool] = mapped_column(Boolean, default=True)
    error_code: Mapped[str | None] = mapped_column(String(32))
    egress: Mapped[str | None] = mapped_column(Text)
    # SHA-256 of the ticket the call translated for (replies, messages): erasure finds its egress records.
    ticket_key: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # reply | kb | template | api: what the text was for, so cost can be split by content type.
    content_type: Mapped[str | None] = mapped_column(String(32))
    input_tokens: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    output_tokens: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Money at the prices in force when the call was made (COST_CURRENCY); for a ``tm`` row, the money
    # the translation-memory hit saved at the price of the engine the route would have used.
    cost: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")


class BudgetNotice(Base):
    """An engine's monthly spend crossed a share of its budget (80 or 100%): told once per month."""

    __tablename__ = "budget_notices"
    __table_args__ = (UniqueConstraint("engine", "month", "threshold", name="uq_budget_notices_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engine: Mapped[str] = mapped_column(String(32))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM, UTC
    threshold: Mapped[int] = mapped_column(Integer)  # percent of the budget
    spent: Mapped[float] = mapped_column(Float)
    budget: Mapped[float] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class TmSegment(Base):
    """A translation-memory segment: a source sentence and its translation for one language pair."""

    __tablename__ = "tm_segments"
    # One segment per pair, normalized source and origin: two workers adding the same sentence at once
    # cannot both insert. The index also serves exact lookups (its first three columns).
    # The second reads a pair in id order: the fuzzy index loads the segments added since its snapshot.
    __table_args__ = (
        UniqueConstraint("source_lang", "target_lang", "source_hash", "origin", name="uq_tm_segments_key"),
        Index("ix_tm_segments_pair_id", "source_lang", "target_lang", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_lang: Mapped[str] = mapped_column(String(16))
    target_lang: Mapped[str] = mapped_column(String(16))
    source_text: Mapped[str] = mapped_column(Text)
    target_text: Mapped[str] = mapped_column(Text)
    # SHA-1 of the normalized source (see memory.normalize): exact matches are one index probe.
    source_hash: Mapped[str] = mapped_column(String(40))
    origin: Mapped[TmOrigin] = mapped_column(
        Enum(TmOrigin, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]))
    engine: Mapped[str | None] = mapped_column(String(32))
    context: Mapped[str | None] = mapped_column(String(255))
    approved_by: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
