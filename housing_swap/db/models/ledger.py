"""The goal ledger: append-only rows that count swaps against the program targets."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...domain.labels import LabelledEnum
from ...domain.rules import Channel
from ..base import Base, UTCDateTime, enum_type, utcnow
from .rules import ProgramRuleVersion


class LedgerEntryType(LabelledEnum):
    COUNT = "count", "计数"
    REVERSAL = "reversal", "撤销"


class GoalLedgerEntry(Base):
    """A counted swap (+1) or the reversal of one (-1). Never updated, never deleted."""

    __tablename__ = "goal_ledger_entry"
    __table_args__ = (
        CheckConstraint(
            "(entry_type = 'reversal') = (reverses_entry_id IS NOT NULL)", name="reversal_link"
        ),
        CheckConstraint(
            "(acquisition_id IS NOT NULL) OR (market_swap_id IS NOT NULL)", name="has_evidence"
        ),
        Index("ix_goal_ledger_entry_property_year", "property_hash", "program_year"),
        # Every progress figure groups a year's rows by these: the index alone answers them.
        Index("ix_goal_ledger_entry_progress", "program_year", "district_code", "channel", "completed_on", "pilot",
              "entry_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_type: Mapped[LedgerEntryType] = mapped_column(enum_type(LedgerEntryType, "ledger_entry_type"))
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, "channel"))
    program_year: Mapped[int]
    property_hash: Mapped[str] = mapped_column(String(64))
    district_code: Mapped[str] = mapped_column(ForeignKey("district.code"), index=True)
    completed_on: Mapped[date] = mapped_column(index=True)
    pilot: Mapped[bool]
    acquisition_id: Mapped[int | None] = mapped_column(ForeignKey("acquisition.id"))
    market_swap_id: Mapped[int | None] = mapped_column(ForeignKey("market_swap.id"))
    new_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    reverses_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("goal_ledger_entry.id"), unique=True
    )
    reason: Mapped[str | None] = mapped_column(Text)
    rule_version_id: Mapped[int] = mapped_column(ForeignKey("program_rule_version.id"))
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    rule_version: Mapped[ProgramRuleVersion] = relationship()


class LedgerClaim(Base):
    """The live counts, one row each: what makes "counted once" hold under concurrency.

    The ledger itself only grows; this index of it is what the database keeps unique. A count
    inserts its claim in the same transaction (a second writer for the same property and year,
    or the same new unit, fails on the unique constraint); a reversal deletes the claim, so the
    property can be counted again.
    """

    __tablename__ = "goal_ledger_claim"
    __table_args__ = (UniqueConstraint("property_hash", "program_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    property_hash: Mapped[str] = mapped_column(String(64))
    program_year: Mapped[int]
    new_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), unique=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("goal_ledger_entry.id"), unique=True)


class ReversalRequestStatus(LabelledEnum):
    PENDING = "pending", "待复核"
    APPROVED = "approved", "已同意撤销"
    REJECTED = "rejected", "已驳回"


class UnitSettlement(LabelledEnum):
    """What became of the new unit's sale after its count was reversed (the developer says)."""
    PENDING = "pending", "待开发企业确认新房销售是否撤销"
    SALE_UNDONE = "sale_undone", "开发企业确认：销售已撤销"
    SALE_STANDS = "sale_stands", "开发企业确认：销售仍有效"


class LedgerReversalRequest(Base):
    """Taking a count back takes two bureau users (双人复核): one asks, with a reason and a
    supporting paper; another approves or rejects. Only an approval writes the reversal row."""

    __tablename__ = "ledger_reversal_request"
    __table_args__ = (
        Index("uq_ledger_reversal_request_open", "entry_id", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
        CheckConstraint("decided_by_user_id IS NULL OR decided_by_user_id != requested_by_user_id",
                        name="two_people"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("goal_ledger_entry.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    document_filename: Mapped[str] = mapped_column(String(200))
    document_content_type: Mapped[str] = mapped_column(String(64))
    document_sha256: Mapped[str] = mapped_column(String(64))
    document_content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    status: Mapped[ReversalRequestStatus] = mapped_column(
        enum_type(ReversalRequestStatus, "reversal_request_status"), default=ReversalRequestStatus.PENDING)
    requested_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(Text)
    reversal_entry_id: Mapped[int | None] = mapped_column(ForeignKey("goal_ledger_entry.id"))
    unit_settlement: Mapped[UnitSettlement | None] = mapped_column(enum_type(UnitSettlement, "unit_settlement"))
    settled_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    entry: Mapped[GoalLedgerEntry] = relationship(foreign_keys=[entry_id])
