"""Viewing requests (预约看房) between a household and a listing's owner side, their history, and
the requesters an owner side has blocked."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...domain.viewings import ViewingStatus
from ..base import Base, UTCDateTime, enum_type, utcnow
from .accounts import User
from .listings import Listing

_OPEN_SQL = "status IN ('awaiting_owner', 'awaiting_household', 'agreed')"


class ViewingRequest(Base):
    __tablename__ = "viewing_request"
    __table_args__ = (
        # One open request per household and listing: a second is refused, however it races.
        Index("uq_viewing_request_open", "listing_id", "requester_user_id", unique=True,
              sqlite_where=text(_OPEN_SQL), postgresql_where=text(_OPEN_SQL)),
        Index("ix_viewing_request_requester_created", "requester_user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id"), index=True)
    requester_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[ViewingStatus] = mapped_column(enum_type(ViewingStatus, "viewing_status"),
                                                  default=ViewingStatus.AWAITING_OWNER)
    # The times on the table now (ISO 8601, UTC): the household's, or the other side's proposal.
    proposed_times: Mapped[list] = mapped_column(JSON, default=list)
    agreed_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(Text, default="")
    # When the side now asked should answer (None once agreed or ended).
    answer_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    listing: Mapped[Listing] = relationship()
    requester: Mapped[User] = relationship()
    events: Mapped[list[ViewingEvent]] = relationship(back_populates="request", order_by="ViewingEvent.id")

    __mapper_args__ = {"version_id_col": version}


class ViewingEvent(Base):
    """One step of a request's history, as both sides see it."""

    __tablename__ = "viewing_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("viewing_request.id"), index=True)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    move: Mapped[str] = mapped_column(String(20))
    times: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    request: Mapped[ViewingRequest] = relationship(back_populates="events")


class ViewingBlock(Base):
    """A requester an owner side no longer takes requests from. The scope names the owner side:
    ``org:<id>`` for an agency's listings, ``user:<id>`` for a household's own."""

    __tablename__ = "viewing_block"
    __table_args__ = (UniqueConstraint("owner_scope", "blocked_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_scope: Mapped[str] = mapped_column(String(30))
    blocked_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    blocked_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
