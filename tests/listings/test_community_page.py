"""The public community page: live listings, asking and recorded prices as aggregates only,
swap projects nearby; and the listing page's listed date and days on market."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from housing_swap.db.base import utcnow
from housing_swap.db.models import Listing, ListingStatus, RecordedSale, Role
from housing_swap.domain.timezones import beijing_today
from housing_swap.extensions import db
from housing_swap.services import communities
from housing_swap.services import listings as listing_service
from housing_swap.services import projects as project_service
from tests.listings.helpers import listing_fields
from tests.listings.test_projects import PROJECT, building_rows, price_list

TODAY = date(2026, 12, 2)


def on_market(listing: Listing, days_ago: int) -> Listing:
    listing.status, listing.listed_at = ListingStatus.ACTIVE, utcnow() - timedelta(days=days_ago)
    db.session.commit()
    return listing


@pytest.fixture
def community_with_listings(app, make):
    owner = make.household()
    first = on_market(listing_service.create_listing(listing_fields(asking_price="1000000", area_m2="100"), owner), 5)
    on_market(listing_service.create_listing(listing_fields(asking_price="1500000", area_m2="100"), owner), 1)
    listing_service.create_listing(listing_fields(), owner)  # a draft: not on the market
    return first.community


def sale(community, sold_on: date, price: int, area: str = "100") -> None:
    db.session.add(RecordedSale(community_id=community.id, area_m2=Decimal(area), floor=3, total_floors=18,
                                build_year=2012, price=price, sold_on=sold_on))
    db.session.commit()


def test_asking_figures_count_live_listings_only(community_with_listings):
    profile = communities.community_profile(community_with_listings.id, TODAY)
    assert profile.live_listing_count == 2
    assert profile.average_asking_unit_price == 12_500
    assert len(profile.listings) == 2
    assert profile.listings[0].asking_price == 1_500_000  # newest first


def test_recorded_sales_are_shown_only_as_aggregates_of_three_or_more(community_with_listings):
    community = community_with_listings
    for price in (1_000_000, 1_100_000, 1_200_000):
        sale(community, date(2026, 10, 5), price)
    sale(community, date(2026, 8, 1), 900_000)             # alone in its quarter
    sale(community, date(2025, 6, 1), 800_000)             # older than twelve months
    quarters = communities.community_profile(community.id, TODAY).sales_quarters
    assert [(q.label, q.count, q.average_unit_price) for q in quarters] == [
        ("2026年第4季度", 3, 11_000), ("2026年第3季度", 1, None)]


def test_nearby_projects_are_swap_projects_with_available_units_within_reach(app, make, community_with_listings):
    community = community_with_listings
    developer = make.staff(Role.DEVELOPER_STAFF)
    near = project_service.create_project({**PROJECT, "lat": str(community.lat + Decimal("0.01")),
                                           "lon": str(community.lon)}, developer)
    project_service.import_price_list(near.id, "1号楼", price_list(building_rows(floors=2, rooms=1)), developer)
    far = project_service.create_project({**PROJECT, "name": "远方项目", "presale_permit_no": "郑房预售字[2024]第0100号",
                                          "lat": str(community.lat + Decimal("0.2")), "lon": str(community.lon)}, developer)
    project_service.import_price_list(far.id, "1号楼", price_list(building_rows()), developer)
    empty = project_service.create_project({**PROJECT, "name": "未上房源", "presale_permit_no": "郑房预售字[2024]第0101号",
                                            "lat": str(community.lat), "lon": str(community.lon)}, developer)
    nearby = communities.community_profile(community.id, TODAY).nearby_projects
    assert [(n.project.id, n.available_units, n.distance_km) for n in nearby] == [(near.id, 2, 1.1)]
    assert empty.id not in [n.project.id for n in nearby]


def test_the_community_page_reads_as_a_household_would(client, community_with_listings):
    community = community_with_listings
    for price in (1_000_000, 1_100_000, 1_200_000):
        sale(community, beijing_today() - timedelta(days=20), price)
    page = client.get(f"/communities/{community.id}").get_data(as_text=True)
    assert "在售二手房</dt><dd>2套" in page
    assert "12,500元/㎡" in page
    assert "11,000元/㎡" in page
    assert "以保护交易双方隐私" in page
    assert client.get("/communities/999999").status_code == 404


def test_the_listing_page_shows_listed_date_days_on_market_and_links_the_community(client, community_with_listings):
    listing = db.session.scalar(db.select(Listing).where(Listing.status == ListingStatus.ACTIVE)
                                .order_by(Listing.listed_at))
    page = client.get(f"/listings/{listing.id}").get_data(as_text=True)
    assert "（已挂牌5天）" in page
    assert f'href="/communities/{listing.community_id}"' in page
