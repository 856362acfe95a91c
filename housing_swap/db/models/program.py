"""Program rule versions, swap applications, city-group acquisitions and market swaps."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..base import AREA, MONEY, Base, EncryptedString, UTCDateTime, enum_type, utcnow
from .reference import Community


class RuleVersionStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Channel(enum.StrEnum):
    CITY_GROUP = "city_group"
    MARKET = "market"


class ChannelPreference(enum.StrEnum):
    CITY_GROUP = "city_group"
    MARKET = "market"
    EITHER = "either"


class ApplicationStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    MATCHED = "matched"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class AcquisitionStatus(enum.StrEnum):
    INTAKE = "intake"
    INSPECTION_SCHEDULED = "inspection_scheduled"
    APPRAISED = "appraised"
    OFFER_MADE = "offer_made"
    OFFER_ACCEPTED = "offer_accepted"
    OFFER_DECLINED = "offer_declined"
    OFFER_EXPIRED = "offer_expired"
    CONTRACT_SIGNED = "contract_signed"
    NEW_HOME_PURCHASED = "new_home_purchased"
    TITLE_TRANSFERRED = "title_transferred"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class MarketSwapStatus(enum.StrEnum):
    RECORDED = "recorded"
    VERIFIED = "verified"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    # Its count was taken back by two bureau users; the sale itself stays on record.
    REVERSED = "reversed"


class ProgramRuleVersion(Base):
    """One immutable version of the program rules; edits make a new version."""

    __tablename__ = "program_rule_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(80))
    effective_from: Mapped[date]
    document: Mapped[dict] = mapped_column(JSON)
    status: Mapped[RuleVersionStatus] = mapped_column(
        enum_type(RuleVersionStatus, "rule_version_status"), default=RuleVersionStatus.DRAFT
    )
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


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


class Acquisition(Base):
    """The city group's purchase of a household's old home (收购)."""

    __tablename__ = "acquisition"
    # One live acquisition per application; a cancelled one leaves the application free to be taken again.
    __table_args__ = (
        Index("uq_acquisition_live_application", "application_id", unique=True,
              sqlite_where=text("status != 'cancelled'"), postgresql_where=text("status != 'cancelled'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("swap_application.id"), index=True)
    status: Mapped[AcquisitionStatus] = mapped_column(
        enum_type(AcquisitionStatus, "acquisition_status"), default=AcquisitionStatus.INTAKE,
        index=True,
    )
    officer_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    inspection_on: Mapped[date | None]
    appraiser_org_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    appraised_value: Mapped[int | None] = mapped_column(MONEY)
    appraised_on: Mapped[date | None]
    offer_price: Mapped[int | None] = mapped_column(MONEY)
    offered_on: Mapped[date | None]
    offer_expires_on: Mapped[date | None]
    contract_number: Mapped[str | None] = mapped_column(String(64), unique=True)
    contract_price: Mapped[int | None] = mapped_column(MONEY)
    contract_signed_on: Mapped[date | None]
    new_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), unique=True)
    purchase_contract_number: Mapped[str | None] = mapped_column(String(64), unique=True)
    new_home_price: Mapped[int | None] = mapped_column(MONEY)
    purchased_on: Mapped[date | None]
    title_transferred_on: Mapped[date | None]
    completed_on: Mapped[date | None]
    # Set when a completion went past a quota that is a target rather than a hard cap.
    over_quota: Mapped[str | None] = mapped_column(Text)
    cancelled_reason: Mapped[str | None] = mapped_column(Text)
    intended_use: Mapped[str | None] = mapped_column(String(40))
    rule_version_id: Mapped[int] = mapped_column(ForeignKey("program_rule_version.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    application: Mapped[SwapApplication] = relationship()
    events: Mapped[list[AcquisitionEvent]] = relationship(
        back_populates="acquisition", order_by="AcquisitionEvent.id")
    documents: Mapped[list[AcquisitionDocument]] = relationship(
        back_populates="acquisition", order_by="AcquisitionDocument.id")

    __mapper_args__ = {"version_id_col": version}


class AcquisitionEvent(Base):
    """One step of an acquisition as the household and the officers see it (the audit log keeps
    the before/after detail)."""

    __tablename__ = "acquisition_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    acquisition_id: Mapped[int] = mapped_column(ForeignKey("acquisition.id"), index=True)
    status: Mapped[AcquisitionStatus] = mapped_column(enum_type(AcquisitionStatus, "acquisition_status"))
    note: Mapped[str] = mapped_column(Text, default="")
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    acquisition: Mapped[Acquisition] = relationship(back_populates="events")


class AcquisitionDocument(Base):
    """A paper behind a step (appraisal report, contract scan). Stored in the database so that
    every stateless worker can serve it and a refused step leaves no stray file behind."""

    __tablename__ = "acquisition_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    acquisition_id: Mapped[int] = mapped_column(ForeignKey("acquisition.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    acquisition: Mapped[Acquisition] = relationship(back_populates="documents")


# A market swap is live until rejected or cancelled; only live ones hold the property and the unit.
_LIVE_SWAP = "status IN ('recorded', 'verified')"


class MarketSwap(Base):
    """A household's open-market sale of its old home plus its new-home purchase."""

    __tablename__ = "market_swap"
    __table_args__ = (
        Index("uq_market_swap_live_property", "old_property_key", unique=True,
              sqlite_where=text(_LIVE_SWAP), postgresql_where=text(_LIVE_SWAP)),
        Index("uq_market_swap_live_unit", "new_unit_id", unique=True,
              sqlite_where=text(_LIVE_SWAP), postgresql_where=text(_LIVE_SWAP)),
        Index("uq_market_swap_live_sale_contract", "old_sale_contract_number", unique=True,
              sqlite_where=text(_LIVE_SWAP), postgresql_where=text(_LIVE_SWAP)),
        Index("uq_market_swap_live_purchase_contract", "new_purchase_contract_number", unique=True,
              sqlite_where=text(_LIVE_SWAP), postgresql_where=text(_LIVE_SWAP)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("swap_application.id"))
    household_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    recorded_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    old_district_code: Mapped[str] = mapped_column(ForeignKey("district.code"))
    old_certificate_number: Mapped[str] = mapped_column(
        EncryptedString("market_swap.old_certificate_number")
    )
    old_property_key: Mapped[str] = mapped_column(String(64))
    old_unit_code: Mapped[str | None] = mapped_column(String(28))
    buyer_name: Mapped[str] = mapped_column(String(60))
    old_sale_price: Mapped[int] = mapped_column(MONEY)
    old_sale_contract_number: Mapped[str] = mapped_column(String(64))
    old_sale_on: Mapped[date]
    new_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    new_project_name: Mapped[str] = mapped_column(String(80))
    new_district_code: Mapped[str] = mapped_column(ForeignKey("district.code"))
    new_purchase_contract_number: Mapped[str] = mapped_column(String(64))
    new_home_price: Mapped[int] = mapped_column(MONEY)
    new_purchase_on: Mapped[date]
    status: Mapped[MarketSwapStatus] = mapped_column(
        enum_type(MarketSwapStatus, "market_swap_status"), default=MarketSwapStatus.RECORDED,
        index=True,
    )
    verified_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    # What the last check against the registered-contracts file found, when it did not match.
    contract_check_note: Mapped[str | None] = mapped_column(Text)
    rule_version_id: Mapped[int] = mapped_column(ForeignKey("program_rule_version.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    application: Mapped[SwapApplication | None] = relationship()
    rule_version: Mapped[ProgramRuleVersion] = relationship()

    __mapper_args__ = {"version_id_col": version}
