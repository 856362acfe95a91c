"""Protected reservations (锁房保留期): a new unit held for a household under a three-party agreement."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...domain.reservations import HOLDING, ReservationStatus
from ..base import MONEY, Base, UTCDateTime, enum_type, utcnow
from .accounts import Organization, User
from .applications import SwapApplication
from .projects import Unit
from .rules import ProgramRuleVersion

_HOLDING_SQL = "status IN (" + ", ".join(f"'{status.value}'" for status in HOLDING) + ")"


class Reservation(Base):
    __tablename__ = "reservation"
    __table_args__ = (
        # One hold per unit and one per application, however two machines race to make them.
        Index("uq_reservation_holding_unit", "unit_id", unique=True,
              sqlite_where=text(_HOLDING_SQL), postgresql_where=text(_HOLDING_SQL)),
        Index("uq_reservation_holding_application", "application_id", unique=True,
              sqlite_where=text(_HOLDING_SQL), postgresql_where=text(_HOLDING_SQL)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("swap_application.id"), index=True)
    household_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    developer_org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    agency_org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    status: Mapped[ReservationStatus] = mapped_column(enum_type(ReservationStatus, "reservation_status"),
                                                      default=ReservationStatus.PROPOSED, index=True)
    # The terms, fixed from the rules in force when proposed.
    rule_version_id: Mapped[int] = mapped_column(ForeignKey("program_rule_version.id"))
    hold_days: Mapped[int]
    acceptance_days: Mapped[int]
    deposit: Mapped[int] = mapped_column(MONEY)
    refund_percent: Mapped[int]
    # The city group's indicative floor (None: the household does not qualify for the city group).
    backstop_floor: Mapped[int | None] = mapped_column(MONEY)
    proposed_on: Mapped[date]                     # Beijing days
    household_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    household_accepted_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    developer_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    developer_accepted_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    agency_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    agency_accepted_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    hold_starts_on: Mapped[date | None]
    hold_ends_on: Mapped[date | None]
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_note: Mapped[str] = mapped_column(String(500), default="")
    refund_amount: Mapped[int | None] = mapped_column(MONEY)
    market_swap_id: Mapped[int | None] = mapped_column(ForeignKey("market_swap.id"))
    acquisition_id: Mapped[int | None] = mapped_column(ForeignKey("acquisition.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    application: Mapped[SwapApplication] = relationship()
    household: Mapped[User] = relationship(foreign_keys=[household_user_id])
    unit: Mapped[Unit] = relationship()
    developer: Mapped[Organization] = relationship(foreign_keys=[developer_org_id])
    agency: Mapped[Organization] = relationship(foreign_keys=[agency_org_id])
    rule_version: Mapped[ProgramRuleVersion] = relationship()

    __mapper_args__ = {"version_id_col": version}
