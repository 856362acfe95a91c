"""Reference data: districts and communities (小区)."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..base import Base

COORDINATE = Numeric(9, 6)


class District(Base):
    __tablename__ = "district"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(20), unique=True)
    main_urban: Mapped[bool]
    pilot: Mapped[bool]
    lat: Mapped[Decimal] = mapped_column(COORDINATE)
    lon: Mapped[Decimal] = mapped_column(COORDINATE)
    approximate_centre: Mapped[bool] = mapped_column(default=False)


class Community(Base):
    __tablename__ = "community"
    __table_args__ = (UniqueConstraint("district_code", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), index=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("district.code"), index=True)
    address: Mapped[str] = mapped_column(String(200))
    lat: Mapped[Decimal] = mapped_column(COORDINATE)
    lon: Mapped[Decimal] = mapped_column(COORDINATE)
    build_year: Mapped[int | None]
    # Pinyin keys of the community and its district ("jxhy jsq jinxiuhuayuan jinshuiqu"),
    # so "jsq hy" and "jinshui" find it (search.text_terms.pinyin_keys).
    search_pinyin: Mapped[str] = mapped_column(String(600), default="", server_default="")

    district: Mapped[District] = relationship()
