"""Second-hand listings (二手房源) and their price history."""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...domain.listing_fields import unit_price
from ...domain.listing_lifecycle import ListingStatus
from ..base import AREA, MONEY, Base, EncryptedString, UTCDateTime, enum_type, utcnow
from .reference import Community

# A property may have only one listing in these states at a time (one property, one listing).
LIVE_LISTING_STATES = (ListingStatus.SUBMITTED, ListingStatus.ACTIVE, ListingStatus.RESERVED)
_LIVE_SQL = "status IN ('submitted', 'active', 'reserved')"
# States in which anyone may see a listing's public page.
PUBLIC_LISTING_STATES = (ListingStatus.ACTIVE, ListingStatus.RESERVED, ListingStatus.SOLD)
# States in which a listing is on the market: counted in days on market and community figures.
ON_MARKET_STATES = (ListingStatus.ACTIVE, ListingStatus.RESERVED)


class Listing(Base):
    __tablename__ = "listing"
    __table_args__ = (
        UniqueConstraint("organization_id", "agency_reference"),
        Index("uq_listing_live_property", "property_key", unique=True,
              sqlite_where=text(_LIVE_SQL), postgresql_where=text(_LIVE_SQL)),
        Index("ix_listing_status_price", "status", "asking_price"),
        Index("ix_listing_status_listed_at", "status", "listed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # Looked up through the unique (organization, agency reference) index, which it leads.
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    agent_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    agency_reference: Mapped[str | None] = mapped_column(String(64))
    building_no: Mapped[str] = mapped_column(String(20))
    unit_no: Mapped[str | None] = mapped_column(String(20))
    room_no: Mapped[str] = mapped_column(String(20))
    floor: Mapped[int]
    total_floors: Mapped[int]
    area_m2: Mapped[Decimal] = mapped_column(AREA)
    inner_area_m2: Mapped[Decimal | None] = mapped_column(AREA)
    bedrooms: Mapped[int]
    living_rooms: Mapped[int]
    bathrooms: Mapped[int]
    orientation: Mapped[str] = mapped_column(String(20))
    decoration: Mapped[str] = mapped_column(String(20))
    build_year: Mapped[int]
    has_elevator: Mapped[bool]
    property_type: Mapped[str] = mapped_column(String(20))
    certificate_number: Mapped[str] = mapped_column(EncryptedString("listing.certificate_number"))
    # Names the home (db/models/properties.py); one live listing per property key.
    property_key: Mapped[str] = mapped_column(String(64), index=True)
    unit_code: Mapped[str | None] = mapped_column(String(28))
    # Keyed hash of the owner's ID number, compared with the title registry; never the number.
    owner_id_hash: Mapped[str | None] = mapped_column(String(64))
    asking_price: Mapped[int] = mapped_column(MONEY)
    # Stored (not only derived) so that search can filter and sort on it with an index.
    unit_price: Mapped[int] = mapped_column(MONEY)
    description: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(String(60))
    contact_phone: Mapped[str] = mapped_column(EncryptedString("listing.contact_phone"))
    status: Mapped[ListingStatus] = mapped_column(
        enum_type(ListingStatus, "listing_status"), default=ListingStatus.DRAFT
    )
    seized: Mapped[bool] = mapped_column(default=False)
    verification_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verification_note: Mapped[str | None] = mapped_column(Text)
    listed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sold_at: Mapped[datetime | None] = mapped_column(UTCDateTime())   # set when it becomes sold
    # Listings expire a configurable number of days after this unless renewed.
    renewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    community: Mapped[Community] = relationship()
    price_changes: Mapped[list[ListingPriceChange]] = relationship(
        back_populates="listing", order_by="ListingPriceChange.changed_at"
    )
    photos: Mapped[list[ListingPhoto]] = relationship(
        back_populates="listing", order_by="ListingPhoto.position"
    )

    __mapper_args__ = {"version_id_col": version}

    def set_price(self, total_price: int) -> None:
        self.asking_price = total_price
        self.unit_price = unit_price(total_price, self.area_m2)

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_LISTING_STATES


class ListingPriceChange(Base):
    __tablename__ = "listing_price_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id"), index=True)
    old_price: Mapped[int] = mapped_column(MONEY)
    new_price: Mapped[int] = mapped_column(MONEY)
    changed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    listing: Mapped[Listing] = relationship(back_populates="price_changes")


class PhotoKind(enum.StrEnum):
    PHOTO = "photo"            # 实景照片
    FLOOR_PLAN = "floor_plan"  # 户型图


class ListingPhoto(Base):
    """A re-encoded photo stored under a generated name outside the static folder. The photo at
    position 0 is the listing's cover."""

    __tablename__ = "listing_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id"), index=True)
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    width: Mapped[int]
    height: Mapped[int]
    byte_size: Mapped[int]
    kind: Mapped[PhotoKind] = mapped_column(enum_type(PhotoKind, "photo_kind"), default=PhotoKind.PHOTO)
    position: Mapped[int] = mapped_column(default=0)
    uploaded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    listing: Mapped[Listing] = relationship(back_populates="photos")


class TitleRecord(Base):
    """One row of the bureau's title registry (不动产登记), used to verify listings."""

    __tablename__ = "title_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_number: Mapped[str] = mapped_column(EncryptedString("title_record.certificate_number"))
    property_key: Mapped[str] = mapped_column(String(64), unique=True)
    unit_code: Mapped[str | None] = mapped_column(String(28))
    address: Mapped[str] = mapped_column(String(200))
    owner_id_hash: Mapped[str] = mapped_column(String(64))
    area_m2: Mapped[Decimal] = mapped_column(AREA)
    seized: Mapped[bool] = mapped_column(default=False)
    mortgaged: Mapped[bool] = mapped_column(default=False)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Favourite(Base):
    __tablename__ = "favourite"
    __table_args__ = (UniqueConstraint("user_id", "listing_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    listing: Mapped[Listing] = relationship()
