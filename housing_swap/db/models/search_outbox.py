"""The search outbox: written in the same transaction as a searchable change."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, UTCDateTime, utcnow


class SearchOutboxEntry(Base):
    __tablename__ = "search_outbox"
    __table_args__ = (Index("ix_search_outbox_pending", "processed_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int]
    # The entity's version at the time of the change; indexed as an external version.
    entity_version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
