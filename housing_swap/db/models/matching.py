"""Recorded sales (valuation evidence), stored matches and swap-chain proposals."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..base import AREA, MONEY, Base, UTCDateTime, enum_type, utcnow


class RecordedSale(Base):
    """A registered second-hand sale (网签成交), the valuation's best evidence."""

    __tablename__ = "recorded_sale"
    __table_args__ = (Index("ix_recorded_sale_community_sold", "community_id", "sold_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    area_m2: Mapped[Decimal] = mapped_column(AREA)
    floor: Mapped[int]
    total_floors: Mapped[int]
    build_year: Mapped[int]
    price: Mapped[int] = mapped_column(MONEY)
    sold_on: Mapped[date]
    source: Mapped[str] = mapped_column(String(20), default="registry")


class ApplicationMatch(Base):
    """One of an application's top new-home matches, as of the last `flask match run`."""

    __tablename__ = "application_match"
    __table_args__ = (UniqueConstraint("application_id", "rank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("swap_application.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    rank: Mapped[int]
    score: Mapped[Decimal] = mapped_column(AREA)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ChainStatus(enum.StrEnum):
    PROPOSED = "proposed"
    AGREED = "agreed"
    DECLINED = "declined"


class LinkDecision(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class ChainProposal(Base):
    """A proposed swap chain (连环单) or cycle; it is agreed only when every link accepts."""

    __tablename__ = "chain_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))            # "chain" or "cycle"
    starter: Mapped[str | None] = mapped_column(String(20))  # who buys the last old home
    status: Mapped[ChainStatus] = mapped_column(
        enum_type(ChainStatus, "chain_status"), default=ChainStatus.PROPOSED, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)

    links: Mapped[list[ChainLink]] = relationship(order_by="ChainLink.position", back_populates="proposal")

    __mapper_args__ = {"version_id_col": version}


class ChainLink(Base):
    """One household's part: it buys ``buys_from``'s old home, or ``new_unit`` at the chain's end."""

    __tablename__ = "chain_link"
    __table_args__ = (UniqueConstraint("proposal_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("chain_proposal.id"))
    position: Mapped[int]
    application_id: Mapped[int] = mapped_column(ForeignKey("swap_application.id"), index=True)
    buys_from_application_id: Mapped[int | None] = mapped_column(ForeignKey("swap_application.id"))
    new_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    decision: Mapped[LinkDecision] = mapped_column(
        enum_type(LinkDecision, "link_decision"), default=LinkDecision.PENDING)
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    proposal: Mapped[ChainProposal] = relationship(back_populates="links")


class ChainMilestone(Base):
    """The day one household's milestone in an agreed chain was done, as it recorded it."""

    __tablename__ = "chain_milestone"
    __table_args__ = (UniqueConstraint("link_id", "milestone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("chain_link.id"), index=True)
    milestone: Mapped[str] = mapped_column(String(20))
    done_on: Mapped[date]
    recorded_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
