"""New-build projects (楼盘), buildings and units (one home, one price)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, event, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...domain.listing_fields import unit_price
from ...domain.project_fields import UnitStatus
from ..base import AREA, MONEY, Base, UTCDateTime, enum_type, utcnow
from .reference import COORDINATE


class Project(Base):
    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    developer_org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(String(80), index=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("district.code"), index=True)
    address: Mapped[str] = mapped_column(String(200))
    lat: Mapped[Decimal] = mapped_column(COORDINATE)
    lon: Mapped[Decimal] = mapped_column(COORDINATE)
    presale_permit_no: Mapped[str] = mapped_column(String(64), unique=True)
    delivery_date: Mapped[date]
    in_swap_program: Mapped[bool] = mapped_column(default=False)
    swap_offer: Mapped[str] = mapped_column(Text, default="")
    search_pinyin: Mapped[str] = mapped_column(String(600), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    buildings: Mapped[list[Building]] = relationship(back_populates="project", order_by="Building.id")


class Building(Base):
    __tablename__ = "building"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    total_floors: Mapped[int]

    project: Mapped[Project] = relationship(back_populates="buildings")
    units: Mapped[list[Unit]] = relationship(back_populates="building")


class Unit(Base):
    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("building_id", "floor", "room"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), index=True)
    floor: Mapped[int]
    room: Mapped[str] = mapped_column(String(20))
    area_m2: Mapped[Decimal] = mapped_column(AREA)
    bedrooms: Mapped[int]
    living_rooms: Mapped[int]
    bathrooms: Mapped[int]
    list_price: Mapped[int] = mapped_column(MONEY)
    # Derived from price and area on every ORM write (see below) so search can filter and sort on it.
    unit_price: Mapped[int] = mapped_column(MONEY, default=0, server_default="0")
    status: Mapped[UnitStatus] = mapped_column(
        enum_type(UnitStatus, "unit_status"), default=UnitStatus.AVAILABLE, index=True
    )
    # When the unit was published on the platform: saved unit searches alert on newer ones.
    listed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now(), index=True)
    # When it was marked sold and what it was before: the developer may undo the mark within the
    # rule's grace period (`unit_sale_undo_hours`), back to that state.
    sold_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status_before_sale: Mapped[str | None] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    building: Mapped[Building] = relationship(back_populates="units")

    __mapper_args__ = {"version_id_col": version}


@event.listens_for(Unit, "before_insert")
@event.listens_for(Unit, "before_update")
def _derive_unit_price(mapper, connection, unit: Unit) -> None:
    unit.unit_price = unit_price(unit.list_price, unit.area_m2)
