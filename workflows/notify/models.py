"""Tables of notifications: what each user chose to receive by e-mail, and every e-mail owed or sent."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

import tolk.models  # noqa: F401 - both tables reference its users table
from tolk.db import Base, UTCDateTime, str_enum, utcnow


class NotificationPreference(Base):
    """A user's choice: the address notifications go to, and the events they want by e-mail."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254))
    events: Mapped[list] = mapped_column(JSON, default=list)  # event names received by e-mail
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class MailStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Notification(Base):
    """One e-mail for one user about one occurrence of an event; the unique key makes a sweep that runs
    twice, or a retried job, send it once."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("key", "user_id"),
                      Index("ix_notifications_status_created", "status", "created_at"))  # each sweep's stale mail

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120))  # the occurrence, e.g. review.sla_at_risk:12:20261124T1200
    event: Mapped[str] = mapped_column(String(48))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[MailStatus] = mapped_column(str_enum(MailStatus, 16), default=MailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
