"""Market swaps: a household's old home sold and new home bought on the open market."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...domain.market_swaps import MarketSwapStatus
from ..base import MONEY, Base, EncryptedString, UTCDateTime, enum_type, utcnow
from .applications import SwapApplication
from .projects import Unit
from .rules import ProgramRuleVersion

# A market swap is live until rejected or cancelled; only live ones hold the property and the unit.
_LIVE_SWAP = "status IN ('recorded', 'verified')"
# A joined home's swap names its lead's new home: the lead's own swap holds the unit and contract.
_LIVE_OWN_PURCHASE = "status IN ('recorded', 'verified') AND NOT joined_purchase"


class MarketSwap(Base):
    """A household's open-market sale of its old home plus its new-home purchase."""

    __tablename__ = "market_swap"
    __table_args__ = (
        Index("uq_market_swap_live_property", "old_property_key", unique=True,
              sqlite_where=text(_LIVE_SWAP), postgresql_where=text(_LIVE_SWAP)),
        Index("uq_market_swap_live_unit", "new_unit_id", unique=True,
              sqlite_where=text(_LIVE_OWN_PURCHASE), postgresql_where=text(_LIVE_OWN_PURCHASE)),
        Index("uq_market_swap_live_sale_contract", "old_sale_contract_number", unique=True,
              sqlite_where=text(_LIVE_SWAP), postgresql_where=text(_LIVE_SWAP)),
        Index("uq_market_swap_live_purchase_contract", "new_purchase_contract_number", unique=True,
              sqlite_where=text(_LIVE_OWN_PURCHASE), postgresql_where=text(_LIVE_OWN_PURCHASE)),
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
    # The new home is the lead application's purchase, bought with this home too (joined homes).
    joined_purchase: Mapped[bool] = mapped_column(default=False, server_default=false())
    # One old home, two new ones: the second purchase of the same sale, if any.
    second_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    second_project_name: Mapped[str | None] = mapped_column(String(80))
    second_district_code: Mapped[str | None] = mapped_column(ForeignKey("district.code"))
    second_purchase_contract_number: Mapped[str | None] = mapped_column(String(64))
    second_home_price: Mapped[int | None] = mapped_column(MONEY)
    second_purchase_on: Mapped[date | None]
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
    new_unit: Mapped[Unit | None] = relationship(foreign_keys=[new_unit_id])
    second_unit: Mapped[Unit | None] = relationship(foreign_keys=[second_unit_id])

    __mapper_args__ = {"version_id_col": version}
