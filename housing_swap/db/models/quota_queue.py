"""Published lotteries for the order of city-group places (see domain/quota_queue.py)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, EncryptedString, UTCDateTime, utcnow


class QueueDraw(Base):
    __tablename__ = "queue_draw"
    __table_args__ = (
        # One committed, not yet drawn lottery at a time.
        Index("uq_queue_draw_open", "program_year", unique=True,
              sqlite_where=text("drawn_at IS NULL"), postgresql_where=text("drawn_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_year: Mapped[int]
    commitment: Mapped[str] = mapped_column(String(64))            # SHA-256 of the seed, published at once
    # The seed stays sealed (like personal identifiers) until the draw publishes it.
    seed: Mapped[str] = mapped_column(EncryptedString("queue_draw.seed"))
    entrants: Mapped[list] = mapped_column(JSON, default=list)      # application numbers waiting at commitment
    drawn_order: Mapped[list | None] = mapped_column(JSON)          # the entrants in drawn order
    committed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    committed_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    drawn_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    @property
    def published_seed(self) -> str | None:
        return self.seed if self.drawn_at is not None else None
