"""Households' swap applications and their timelines."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...domain.applications import ApplicationStatus, ChannelPreference
from ..base import AREA, MONEY, Base, EncryptedString, UTCDateTime, enum_type, utcnow
from .reference import Community
from .rules import ProgramRuleVersion


class SwapApplication(Base):
    """A household's application to swap its old home for a new one (以旧换新申请)."""

    __tablename__ = "swap_application"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    old_listing_id: Mapped[int | None] = mapped_column(ForeignKey("listing.id"))
    old_district_code: Mapped[str] = mapped_column(ForeignKey("district.code"), index=True)
    old_community_name: Mapped[str] = mapped_column(String(80))
    old_area_m2: Mapped[Decimal] = mapped_column(AREA)
    old_build_year: Mapped[int]
    old_certificate_number: Mapped[str] = mapped_column(
        EncryptedString("swap_application.old_certificate_number")
    )
    old_property_key: Mapped[str] = mapped_column(String(64), index=True)
    old_unit_code: Mapped[str | None] = mapped_column(String(28))
    old_seized: Mapped[bool] = mapped_column(default=False)
    old_community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"))
    old_bedrooms: Mapped[int] = mapped_column(default=2, server_default="2")
    old_floor: Mapped[int] = mapped_column(default=1, server_default="1")
    old_total_floors: Mapped[int] = mapped_column(default=6, server_default="6")
    old_has_elevator: Mapped[bool] = mapped_column(default=False, server_default=false())
    old_asking_price: Mapped[int | None] = mapped_column(MONEY)
    # The valuation's estimate, kept so that batch matching need not re-value every home.
    valuation_estimate: Mapped[int | None] = mapped_column(MONEY)
    remaining_mortgage: Mapped[int] = mapped_column(MONEY, default=0)
    savings: Mapped[int] = mapped_column(MONEY, default=0)
    max_loan: Mapped[int] = mapped_column(MONEY, default=0)
    wanted_districts: Mapped[list] = mapped_column(JSON, default=list)
    min_area_m2: Mapped[Decimal | None] = mapped_column(AREA)
    min_bedrooms: Mapped[int | None]
    budget_max: Mapped[int | None] = mapped_column(MONEY)
    move_in_by: Mapped[date | None]
    needs_elevator: Mapped[bool] = mapped_column(default=False)
    channel_preference: Mapped[ChannelPreference] = mapped_column(
        enum_type(ChannelPreference, "channel_preference"), default=ChannelPreference.EITHER
    )
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_type(ApplicationStatus, "application_status"), default=ApplicationStatus.DRAFT,
        index=True,
    )
    decision_rule_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("program_rule_version.id")
    )
    decision_reasons: Mapped[list] = mapped_column(JSON, default=list)
    eligible_channels: Mapped[list] = mapped_column(JSON, default=list)
    counts_toward_pilot: Mapped[bool] = mapped_column(default=False, server_default=false())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # A household's second old home joined to its first application (Wuxi's many-for-one): each
    # home keeps its own case and count; the money is pooled and the new home bought once, on
    # the lead application (the one this points to). See services/joined_homes.py.
    joined_to_id: Mapped[int | None] = mapped_column(ForeignKey("swap_application.id"), index=True)

    events: Mapped[list[ApplicationEvent]] = relationship(
        order_by="ApplicationEvent.id", back_populates="application")
    old_community: Mapped[Community | None] = relationship()
    decision_rule_version: Mapped[ProgramRuleVersion | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


class ApplicationEvent(Base):
    """One step of an application's timeline, as the household sees it."""

    __tablename__ = "application_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("swap_application.id"), index=True)
    status: Mapped[ApplicationStatus] = mapped_column(enum_type(ApplicationStatus, "application_status"))
    note: Mapped[str] = mapped_column(Text, default="")
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    application: Mapped[SwapApplication] = relationship(back_populates="events")
