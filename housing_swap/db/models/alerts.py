"""Saved searches, notifications, each user's delivery choices and the delivery outbox."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...domain.labels import LabelledEnum
from ..base import Base, UTCDateTime, enum_type, utcnow


class SavedSearch(Base):
    __tablename__ = "saved_search"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))             # "listing" or "unit"
    name: Mapped[str] = mapped_column(String(60))
    query_string: Mapped[str] = mapped_column(String(1000))  # the search page's own URL query
    active: Mapped[bool] = mapped_column(default=True)
    # Only things newer than this are news for the alert job.
    last_checked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Notification(Base):
    """One thing a user was told, shown on the site; deliveries carry it by e-mail or SMS."""

    __tablename__ = "notification"
    __table_args__ = (
        # A reminder about one thing (an offer due soon) is sent once, however often the job runs.
        Index("uq_notification_once", "user_id", "kind", "once_key", unique=True,
              sqlite_where=text("once_key IS NOT NULL"), postgresql_where=text("once_key IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40), default="saved_search", server_default="saved_search")
    once_key: Mapped[str | None] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(300))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class NotificationPreference(Base):
    """A user's own choice for one kind on one channel; without a row the kind's default holds."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    enabled: Mapped[bool]


class DeliveryState(LabelledEnum):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"       # gave up after the last attempt
    SKIPPED = "skipped", "未发送"       # no address, or the channel is not configured when it came due


class NotificationDelivery(Base):
    """A notification waiting to go out by e-mail or SMS (the outbox the delivery job drains)."""

    __tablename__ = "notification_delivery"
    __table_args__ = (Index("ix_notification_delivery_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    state: Mapped[DeliveryState] = mapped_column(
        enum_type(DeliveryState, "delivery_state"), default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    notification: Mapped[Notification] = relationship()
