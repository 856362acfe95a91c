"""City-group acquisitions: their steps, timeline and papers."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...domain.acquisitions import AcquisitionStatus
from ..base import MONEY, Base, UTCDateTime, enum_type, utcnow
from .applications import SwapApplication


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
    # The new home is the lead application's purchase, bought with this home too (joined homes):
    # no unit or contract of its own, so the unit stays claimed once.
    joined_purchase: Mapped[bool] = mapped_column(default=False, server_default=false())
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
    appeal: Mapped[AppraisalAppeal | None] = relationship(back_populates="acquisition")
    additional_units: Mapped[list[AdditionalUnit]] = relationship(
        back_populates="acquisition", order_by="AdditionalUnit.id")

    __mapper_args__ = {"version_id_col": version}

    @property
    def appeal_pending(self) -> bool:
        return self.appeal is not None and self.appeal.decided_at is None


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


class AppraisalAppeal(Base):
    """A household's request for a second appraisal of its old home by another organization, and
    which value stood by the rule (one appeal per acquisition)."""

    __tablename__ = "appraisal_appeal"

    id: Mapped[int] = mapped_column(primary_key=True)
    acquisition_id: Mapped[int] = mapped_column(ForeignKey("acquisition.id"), unique=True)
    requested_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
    value_rule: Mapped[str] = mapped_column(String(20))       # rules' appeal_value_rule when asked
    first_value: Mapped[int] = mapped_column(MONEY)
    first_appraiser_org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    second_appraiser_org_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    second_value: Mapped[int | None] = mapped_column(MONEY)
    standing_value: Mapped[int | None] = mapped_column(MONEY)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    acquisition: Mapped[Acquisition] = relationship(back_populates="appeal")


class AdditionalUnit(Base):
    """A further new home the household bought with the same old home (one old home, two new
    ones): sold like the first, part of the new-home total the rules check, never counted or
    claimed on the ledger by itself."""

    __tablename__ = "acquisition_additional_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    acquisition_id: Mapped[int] = mapped_column(ForeignKey("acquisition.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), unique=True)
    purchase_contract_number: Mapped[str] = mapped_column(String(64), unique=True)
    price: Mapped[int] = mapped_column(MONEY)
    purchased_on: Mapped[date]
    recorded_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    acquisition: Mapped[Acquisition] = relationship(back_populates="additional_units")
