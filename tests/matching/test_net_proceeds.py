"""Net proceeds through the service, the page and the API: the data's time to sell, the rules' lines."""
import itertools
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from housing_swap.db.base import utcnow
from housing_swap.db.models import Acquisition, ListingStatus, ProgramRuleVersion
from housing_swap.domain.timezones import beijing_date
from housing_swap.extensions import db
from housing_swap.services import listings, net_proceeds
from housing_swap.services.listings import StatusChange
from housing_swap.web.formatting import wan_yuan
from tests.factories import valid_id_number
from tests.listings.helpers import listing_fields, register_title
from tests.test_api import assert_envelope, bearer, issue

from .helpers import community, recorded_sales, submitted_application, units_on_sale

_sellers = itertools.count(9_100)


def sold_listing(make, days_on_market: int, area: str = "85.00", district: str = "410105"):
    """A listing taken through the real lifecycle to sold, then dated: on the market for so many days."""
    seller = make.household(id_number=valid_id_number(next(_sellers)))
    fields = listing_fields(area_m2=area, district_code=district)
    register_title(current_app, fields["certificate_number"], seller.id_number, area=area)
    listing = listings.create_listing(fields, seller)
    listings.change_status(listing.id, StatusChange(ListingStatus.SUBMITTED), seller)
    listings.change_status(listing.id, StatusChange(ListingStatus.SOLD), seller)
    listing.sold_at = utcnow() - timedelta(days=3)
    listing.listed_at = listing.sold_at - timedelta(days=days_on_market)
    db.session.commit()
    return listing


def a_market_with_sales(make):
    recorded_sales(community(), unit_price=15_000)
    units_on_sale(make)
    for days in (30, 50, 90):
        sold_listing(make, days)
    sold_listing(make, 400, area="200.00")          # not comparable: far bigger than the home


def test_the_two_routes_side_by_side(make):
    a_market_with_sales(make)
    application, _ = submitted_application(make)
    result = net_proceeds.net_proceeds(application)
    city_group, market = result.routes
    assert (city_group.channel, market.channel) == ("city_group", "market")
    assert city_group.fees.expected == 0
    assert market.fees.expected > 0
    assert market.time_to_sell.days == 50                      # the median of 30, 50, 90; the big home left out
    assert "本区近一年3套" in market.time_to_sell.basis
    assert city_group.time_to_sell.days is None                 # no signed acquisitions yet
    assert result.reference is not None
    assert market.subsidies >= 0
    for route in result.routes:
        assert route.left_for_new_home.expected == (route.price.expected - route.fees.expected
                                                    - route.mortgage_payoff + route.savings + route.subsidies)
        assert route.price.low <= route.price.expected <= route.price.high


def test_a_household_outside_the_city_group_sees_the_market_only(make):
    a_market_with_sales(make)
    application, _ = submitted_application(make, channel_preference="市场交易")
    result = net_proceeds.net_proceeds(application)
    assert [route.channel for route in result.routes] == ["market"]
    assert result.city_group_note == "您的旧房暂不符合城发集团收购条件，仅可在市场出售"


def test_the_page_and_the_api_show_the_same_figures(make, client, login):
    a_market_with_sales(make)
    application, household = submitted_application(make)
    body = client.get(f"/api/v1/applications/{application.id}/net-proceeds",
                      headers=bearer(issue(client, household.phone).get_json()["token"])).get_json()
    assert body["estimate"] is True
    assert [route["channel"] for route in body["routes"]] == ["city_group", "market"]
    assert body["routes"][1]["time_to_sell"]["days"] == 50
    login(household.phone)
    detail = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert f"/applications/{application.id}/net-proceeds" in detail
    page = client.get(f"/applications/{application.id}/net-proceeds").get_data(as_text=True)
    assert "卖给城发集团与市场出售" in page
    assert "约50天" in page
    assert wan_yuan(body["routes"][1]["left_for_new_home"]["expected"]) in page


def test_an_undecided_application_is_told_why_on_the_page_and_refused_by_the_api(make, client, login):
    a_market_with_sales(make)
    application, household = submitted_application(make, build_year="1990", channel_preference="城发集团收购")
    login(household.phone)
    page = client.get(f"/applications/{application.id}/net-proceeds")
    assert page.status_code == 200
    assert "审核通过" in page.get_data(as_text=True)
    refused = client.get(f"/api/v1/applications/{application.id}/net-proceeds",
                         headers=bearer(issue(client, household.phone).get_json()["token"]))
    assert "审核通过" in assert_envelope(refused, 409)["message"]


def test_the_city_groups_time_comes_from_its_signed_cases(make):
    a_market_with_sales(make)
    version = db.session.scalar(select(ProgramRuleVersion))
    today = beijing_date(utcnow())
    for days, signed in ((10, True), (20, True), (40, True), (5, False)):   # an unsigned case does not count
        application, _ = submitted_application(make)
        db.session.add(Acquisition(application_id=application.id, rule_version_id=version.id,
                                   created_at=utcnow() - timedelta(days=days + 2),
                                   contract_signed_on=today - timedelta(days=2) if signed else None))
    db.session.commit()
    found = net_proceeds.city_group_time_to_sell(today)
    assert found.days == 20
    assert "3宗已签约收购" in found.basis
