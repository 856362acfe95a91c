"""The search API and pages, saved searches and their alerts (embedded SQL backend)."""
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from housing_swap.db.base import utcnow
from housing_swap.db.models import (
    Listing,
    ListingStatus,
    Notification,
    NotificationDelivery,
    Role,
    SavedSearch,
)
from housing_swap.extensions import db
from housing_swap.search.query import Kind, parse_search_args
from housing_swap.services import search as search_service
from housing_swap.services.alerts import run_alerts
from housing_swap.services.listings import create_listing, update_listing
from tests.conftest import rebuild_search_index
from tests.listings.helpers import listing_fields
from tests.matching.helpers import units_on_sale


def test_api_answers_in_the_documented_shape(seeded, client):
    body = client.get("/api/v1/listings", query_string={"district": ["410105", "410190"], "per_page": 5}).get_json()
    assert set(body) == {"items", "total", "page", "per_page", "facets", "backend", "degraded"}
    assert body["backend"] == seeded.config["SEARCH_BACKEND"]
    assert body["degraded"] is False
    assert len(body["items"]) == 5
    assert set(body["facets"]) == {"district", "bedrooms", "price_band", "area_band"}
    assert {f["key"] for f in body["facets"]["district"]} <= {"410105", "410190"}
    item = body["items"][0]
    assert {"id", "community", "district_code", "district_name", "area_m2", "bedrooms", "total_price",
            "unit_price", "status", "build_year", "verified"} <= set(item)
    unit = client.get("/api/v1/units", query_string={"per_page": 1}).get_json()["items"][0]
    assert {"project_id", "project_name", "building", "floor", "room"} <= set(unit)


@pytest.mark.parametrize(("params", "field"), [
    ({"min_price": "abc"}, "min_price"), ({"district": "999999"}, "district"), ({"per_page": "500"}, "per_page"),
    ({"sort": "cheapest"}, "sort"), ({"sort": "distance"}, "sort"), ({"lat": "34.7"}, "lat"),
    ({"min_price": "2000000", "max_price": "1000000"}, "max_price"), ({"page": "600", "per_page": "20"}, "page"),
    ({"radius_km": "5"}, "radius_km"), ({"elevator": "maybe"}, "elevator"),
])
def test_bad_parameters_answer_422_naming_the_parameter(seeded, client, params, field):
    response = client.get("/api/v1/listings", query_string=params)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["details"]


def test_fits_city_group_applies_the_rules_in_force(seeded, client):
    items = client.get("/api/v1/listings", query_string={"fits_city_group": "true", "per_page": 100}).get_json()["items"]
    assert items
    for item in items:
        assert item["build_year"] >= utcnow().year - 20
        assert float(item["area_m2"]) < 120


def test_search_page_shows_results_facets_and_a_shareable_url(seeded, client):
    page = client.get("/search", query_string={"district": "410105", "sort": "price_asc"}).get_data(as_text=True)
    assert "共找到" in page
    assert "金水区" in page
    assert "checked" in page
    assert "district=410105" in page  # facet and paging links carry the query
    empty = client.get("/search", query_string={"q": "不存在的小区名字"}).get_data(as_text=True)
    assert "没有符合条件的房源" in empty
    assert "去掉关键词" in empty
    bad = client.get("/search", query_string={"min_area": "很大"})
    assert bad.status_code == 422
    assert "搜索条件有误" in bad.get_data(as_text=True)
    units = client.get("/search/units", query_string={"program": "true"}).get_data(as_text=True)
    assert "新房" in units
    assert "以旧换新" in units


def test_community_autocomplete(seeded, client):
    name = db.session.scalar(select(Listing).limit(1)).community.name
    items = client.get("/api/v1/communities", query_string={"q": name[:2]}).get_json()["items"]
    assert any(item["name"] == name for item in items)
    assert client.get("/api/v1/communities", query_string={"q": ""}).get_json()["items"] == []


def test_saved_search_raises_an_alert_for_new_listings_once(app, make, login, client):
    household = make.household(phone="13700009999")
    household.email = "owner@example.com"
    db.session.commit()
    login("13700009999")
    response = client.post("/search/save", data={"name": "金水区两室", "query": "district=410105&bedrooms=2"})
    assert response.status_code == 302
    saved = db.session.scalar(select(SavedSearch))
    saved.last_checked_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    agent = make.staff(Role.AGENCY_STAFF)
    for district, name in (("410105", "金水新苑"), ("410102", "中原新苑")):
        listing = create_listing(listing_fields(district_code=district, community=name), agent)
        listing.status, listing.listed_at = ListingStatus.ACTIVE, utcnow()
    db.session.commit()
    assert run_alerts() == 1
    notice = db.session.scalar(select(Notification))
    assert "1套新房源" in notice.title
    assert "金水新苑" in notice.body
    assert "中原新苑" not in notice.body
    # By e-mail (the household has an address), not by SMS (off by default for search alerts).
    assert [d.channel for d in db.session.scalars(select(NotificationDelivery))] == ["email"]
    assert run_alerts() == 0  # nothing new since the last check
    assert "1条未读" in client.get("/").get_data(as_text=True)
    page = client.get("/notifications").get_data(as_text=True)
    assert "金水区两室" in page
    assert notice.title in page
    opened = client.post(f"/notifications/{notice.id}/read")
    assert opened.headers["Location"] == notice.link  # opening it goes to the search, and marks it read
    assert "条未读" not in client.get("/").get_data(as_text=True)
    client.post(f"/saved-searches/{saved.id}/unsubscribe")
    assert db.session.get(SavedSearch, saved.id).active is False


def test_alerts_go_out_by_email_to_a_household_with_an_address(app, make):
    household = make.household()
    household.email = "owner@example.com"
    db.session.add(SavedSearch(user_id=household.id, kind="listing", name="全部", query_string="",
                               last_checked_at=utcnow() - timedelta(minutes=5)))
    agent = make.staff(Role.AGENCY_STAFF)
    listing = create_listing(listing_fields(), agent)
    listing.status, listing.listed_at = ListingStatus.ACTIVE, utcnow()
    db.session.commit()
    assert run_alerts() == 1
    delivery = db.session.scalar(select(NotificationDelivery))
    assert delivery.channel == "email"
    assert delivery.notification.user_id == household.id
    assert "新房源" in delivery.notification.title


def test_saving_a_bad_search_is_refused(app, make, login, client):
    make.household(phone="13700008888")
    login("13700008888")
    page = client.post("/search/save", data={"name": "", "query": "min_price=abc"}, follow_redirects=True)
    assert "请填写不超过60个字的名称" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SavedSearch.id))) == 0
    anonymous = app.test_client().post("/search/save", data={"name": "x", "query": ""})
    assert anonymous.status_code == 302
    assert "/auth/login" in anonymous.headers["Location"]


def test_search_commands_on_the_sql_backend(app, runner, make):
    app.config["SEARCH_BACKEND"] = "sql"
    assert "0 saved searches had new listings" in runner.invoke(args=["search", "alerts"]).output
    create_listing(listing_fields(), make.staff(Role.AGENCY_STAFF))
    synced = runner.invoke(args=["search", "sync"])
    assert synced.exit_code == 0
    assert "1 changes applied" in synced.output
    assert runner.invoke(args=["search", "check"]).exit_code == 0
    refused = runner.invoke(args=["search", "reindex"])
    assert refused.exit_code != 0
    assert "no index to rebuild" in refused.output


def test_text_index_follows_every_change(app, make):
    """On SQLite the text index is written in the same transaction as the listing."""
    app.config["SEARCH_BACKEND"] = "sql"
    agent = make.staff(Role.AGENCY_STAFF)
    listing = create_listing(listing_fields(description="近地铁五号线，南北通透"), agent)
    listing.status, listing.listed_at = ListingStatus.ACTIVE, utcnow()
    db.session.commit()

    def found(q: str) -> bool:
        return listing.id in {item["id"] for item in search_service.search(
            parse_search_args({"q": [q]}, Kind.LISTING)).items}

    assert found("五号线")
    assert found("地")
    assert found("锦绣")
    update_listing(listing.id, {"description": "学区房，带车位"}, agent)
    assert found("车位")
    assert not found("五号线")


def test_a_saved_unit_search_alerts_on_units_published_since(app, make, login, client):
    household = make.household(phone="13700008888")
    login(household.phone)
    page = client.get("/search/units", query_string={"district": "410105"}).get_data(as_text=True)
    assert 'name="kind" value="unit"' not in page  # nothing to save while there are no results
    units_on_sale(make, district="410105", prices=(1_500_000,))
    rebuild_search_index()
    page = client.get("/search/units", query_string={"district": "410105"}).get_data(as_text=True)
    assert 'name="kind" value="unit"' in page
    response = client.post("/search/save", data={"name": "金水区新房", "query": "district=410105&bedrooms=3",
                                                 "kind": "unit"})
    assert response.headers["Location"].startswith("/search/units?")
    saved = db.session.scalar(select(SavedSearch))
    assert saved.kind == "unit"
    assert run_alerts() == 0  # the unit on sale before the search was saved is not news
    new_units = units_on_sale(make, district="410105", prices=(1_600_000,)) + units_on_sale(
        make, district="410102", prices=(1_700_000,))
    rebuild_search_index()
    assert all(unit.listed_at > saved.last_checked_at for unit in new_units)
    assert run_alerts() == 1
    notice = db.session.scalar(select(Notification))
    assert "1套新房源" in notice.title
    assert notice.link == "/search/units?district=410105&bedrooms=3"
    assert new_units[0].building.project.name in notice.body
    assert new_units[1].building.project.name not in notice.body


def test_a_unit_search_with_bad_criteria_is_not_saved(app, make, login, client):
    login(make.household().phone)
    client.post("/search/save", data={"name": "错误", "query": "min_price=abc", "kind": "unit"})
    assert db.session.scalar(select(func.count(SavedSearch.id))) == 0


def test_the_search_form_takes_prices_in_wan_and_the_address_keeps_yuan(client):
    moved = client.get("/search", query_string={"min_price_wan": "100", "max_price_wan": "２００万", "q": "花园"})
    assert moved.status_code == 302
    target = parse_qs(urlsplit(moved.headers["Location"]).query)
    assert (target["min_price"], target["max_price"], target["q"]) == (["1000000"], ["2000000"], ["花园"])
    assert "min_price_wan" not in target
    page = client.get(moved.headers["Location"]).get_data(as_text=True)
    assert 'id="min_price_wan" name="min_price_wan" value="100"' in page
    assert "最高总价（万元）" in page
    units = client.get("/search/units", query_string={"max_price_wan": "135.5"})
    assert parse_qs(urlsplit(units.headers["Location"]).query)["max_price"] == ["1355000"]
    refused = client.get("/search", query_string={"min_price_wan": "一百"})
    assert refused.status_code == 422
    assert "最低总价应为金额" in refused.get_data(as_text=True)


def test_a_search_without_results_says_which_filter_to_drop_and_what_it_would_find(seeded, client):
    everything = client.get("/api/v1/listings", query_string={"district": "410105"}).get_json()["total"]
    assert everything > 0
    page = client.get("/search", query_string={"district": "410105", "min_price": "190000000"})
    text = page.get_data(as_text=True)
    assert "没有符合条件的房源" in text
    assert f"不限总价</a>：{everything} 套" in text
    assert "不限区县</a>：0 套" in text
    assert "min_price" not in text.split("不限总价")[0].rsplit('href="', 1)[1]  # its link drops the price
