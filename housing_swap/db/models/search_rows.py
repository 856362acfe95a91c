"""The embedded search backend's own tables: one narrow row per home on public offer.

A listing's filters live on three tables (listing, community, district) and a unit's on four;
joining them and banding prices for every query is what made SQL search slow at city scale.
These rows carry every filter column, the facet bands already worked out and the searchable
text, and hold only homes that search may show (active listings, available units). They are
derived data: ``housing_swap.search.search_rows`` rewrites a home's row in the same flush as any
change to it, and rebuilds them all after bulk loads.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..base import AREA, MONEY, Base, UTCDateTime


class _SearchRow:
    """The columns both kinds share (a mixin: each kind is its own table)."""

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)   # the listing's or unit's id
    district_code: Mapped[str] = mapped_column(String(6))
    name: Mapped[str] = mapped_column(String(120))         # community or project: relevance ranks on it
    body: Mapped[str] = mapped_column(Text)                # name, address, description: what words match
    price: Mapped[int] = mapped_column(MONEY)
    unit_price: Mapped[int] = mapped_column(MONEY)
    area_m2: Mapped[Decimal] = mapped_column(AREA)
    bedrooms: Mapped[int]
    floor: Mapped[int]
    lat: Mapped[float]
    lon: Mapped[float]
    listed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The facet bands of search.query (PRICE_BANDS, AREA_BANDS, BEDROOM_BANDS), by key.
    price_band: Mapped[str] = mapped_column(String(8))
    area_band: Mapped[str] = mapped_column(String(8))
    bedroom_band: Mapped[str] = mapped_column(String(8))


# The facet counts read only this index (never the rows), grouped in its order: the bands lead,
# then every filter column, so any filter is checked inside the index.
_FACET_COLUMNS = ("district_code", "bedroom_band", "price_band", "area_band", "price", "unit_price", "area_m2",
                  "bedrooms", "floor", "listed_at", "name")


# Pinyin initials match a community or project (search.sql_backend): its index also carries the
# facet and filter columns, so its homes are counted and sorted without reading their rows.
# A sorted page walks the index of its sort order and stops after the page, checking each entry
# against the filters inside the index: each sort index leads with its sort key and the id (the
# tie-break), then carries every filter column (search.sql_backend.SORT_INDEXED).
_FILTER_COLUMNS = ("district_code", "price", "unit_price", "area_m2", "bedrooms", "floor", "listed_at", "lat", "lon")
_LISTING_FILTERS = (*_FILTER_COLUMNS, "build_year", "elevator", "community_id")
_UNIT_FILTERS = (*_FILTER_COLUMNS, "in_program", "project_id")


def _sort_index(table: str, key: str, filters: tuple[str, ...]) -> Index:
    return Index(f"ix_{table}_by_{key}", key, "id", *(name for name in filters if name != key))


class ListingSearchRow(_SearchRow, Base):
    __tablename__ = "listing_search"
    __table_args__ = (
        Index("ix_listing_search_facets", *_FACET_COLUMNS, "build_year", "elevator", "community_id"),
        *(_sort_index("listing_search", key, _LISTING_FILTERS) for key in ("listed_at", "price", "unit_price", "area_m2")),
        Index("ix_listing_search_community", "community_id", *_FACET_COLUMNS, "build_year", "elevator"),
    )

    community_id: Mapped[int]
    build_year: Mapped[int]
    elevator: Mapped[bool]


class UnitSearchRow(_SearchRow, Base):
    __tablename__ = "unit_search"
    __table_args__ = (
        Index("ix_unit_search_facets", *_FACET_COLUMNS, "in_program", "project_id"),
        *(_sort_index("unit_search", key, _UNIT_FILTERS) for key in ("price", "unit_price", "area_m2")),
        Index("ix_unit_search_project", "project_id", *_FACET_COLUMNS, "in_program"),
    )

    project_id: Mapped[int]
    in_program: Mapped[bool]
