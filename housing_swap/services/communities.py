"""Communities (小区): names for autocomplete, and the public community page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..db.base import escape_like
from ..db.models import (
    Building,
    Community,
    District,
    Listing,
    Project,
    RecordedSale,
    Unit,
    UnitStatus,
)
from ..db.models.listings import ON_MARKET_STATES
from ..domain.geo import bounding_box, distance_km
from ..domain.listing_fields import unit_price
from ..extensions import db
from ..search.text_terms import is_pinyin_word
from .errors import NotFound


def suggest_communities(prefix: str, limit: int = 10) -> list[dict]:
    prefix = prefix.strip()[:30]
    if not prefix:
        return []
    escaped = escape_like(prefix)
    conditions = [Community.name.ilike(f"{escaped}%", escape="\\"), Community.name.ilike(f"%{escaped}%", escape="\\")]
    if is_pinyin_word(prefix.lower()):
        conditions.append(Community.search_pinyin.like(f"{prefix.lower()}%"))
        conditions.append(Community.search_pinyin.like(f"% {prefix.lower()}%"))
    rows = db.session.execute(
        select(Community.name, District.name).join(District, Community.district_code == District.code)
        .where(or_(*conditions)).order_by(Community.name.ilike(f"{escaped}%", escape="\\").desc(), Community.name)
        .limit(limit))
    return [{"name": name, "district_name": district} for name, district in rows]


# ----- the public community page -----------------------------------------------------------------

# Recorded sales are shown only as aggregates of at least this many, so no one sale (and no one
# household's price) can be read off the page.
MIN_PUBLIC_SALES = 3
SALES_MONTHS = 12
NEARBY_KM = 5.0
NEARBY_PROJECTS = 5
PAGE_LISTINGS = 20


@dataclass(frozen=True)
class SalesQuarter:
    label: str
    count: int
    average_unit_price: int | None  # None when fewer than MIN_PUBLIC_SALES sales


@dataclass(frozen=True)
class NearbyProject:
    project: Project
    distance_km: float
    available_units: int
    lowest_unit_price: int | None


@dataclass(frozen=True)
class CommunityProfile:
    community: Community
    live_listing_count: int
    listings: list[Listing]
    average_asking_unit_price: int | None
    sales_quarters: list[SalesQuarter]
    nearby_projects: list[NearbyProject]


def community_profile(community_id: int, today: date) -> CommunityProfile:
    """What the public community page shows: live listings, the asking and recorded prices as
    aggregates, and swap projects nearby."""
    community = db.session.get(Community, community_id)
    if community is None:
        raise NotFound("小区不存在")
    live = (Listing.community_id == community.id, Listing.status.in_(ON_MARKET_STATES))
    count, average = db.session.execute(select(func.count(), func.avg(Listing.unit_price)).where(*live)).one()
    listings = list(db.session.scalars(select(Listing).where(*live).options(selectinload(Listing.photos))
                                       .order_by(Listing.listed_at.desc(), Listing.id.desc()).limit(PAGE_LISTINGS)))
    return CommunityProfile(community, count, listings, None if average is None else round(average),
                            _sales_quarters(community.id, today), _nearby_projects(community))


def _sales_quarters(community_id: int, today: date) -> list[SalesQuarter]:
    since = today - timedelta(days=SALES_MONTHS * 31)
    rows = db.session.execute(select(RecordedSale.sold_on, RecordedSale.price, RecordedSale.area_m2).where(
        RecordedSale.community_id == community_id, RecordedSale.sold_on >= since))
    by_quarter: dict[tuple[int, int], list[tuple[int, Decimal]]] = {}
    for sold_on, price, area in rows:
        by_quarter.setdefault((sold_on.year, (sold_on.month - 1) // 3 + 1), []).append((price, area))
    quarters = []
    for (year, quarter), sales in sorted(by_quarter.items(), reverse=True):
        shown = len(sales) >= MIN_PUBLIC_SALES
        total_area = sum((area for _, area in sales), Decimal(0))
        quarters.append(SalesQuarter(f"{year}年第{quarter}季度", len(sales),
                                     unit_price(sum(price for price, _ in sales), total_area) if shown else None))
    return quarters


def _nearby_projects(community: Community) -> list[NearbyProject]:
    lat, lon = float(community.lat), float(community.lon)
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, NEARBY_KM)
    available = (select(Building.project_id, func.count(Unit.id).label("units"),
                        func.min(Unit.unit_price).label("lowest"))
                 .join(Unit, Unit.building_id == Building.id).where(Unit.status == UnitStatus.AVAILABLE)
                 .group_by(Building.project_id).subquery())
    rows = db.session.execute(
        select(Project, available.c.units, available.c.lowest)
        .join(available, available.c.project_id == Project.id)
        .where(Project.in_swap_program, Project.lat.between(min_lat, max_lat), Project.lon.between(min_lon, max_lon)))
    nearby = [NearbyProject(project, round(distance_km(lat, lon, float(project.lat), float(project.lon)), 1),
                            units, lowest) for project, units, lowest in rows]
    return sorted((p for p in nearby if p.distance_km <= NEARBY_KM),
                  key=lambda p: (p.distance_km, p.project.id))[:NEARBY_PROJECTS]
