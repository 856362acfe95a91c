"""Writes that meet on the same new row from two requests at once (two machines, or a double
click): the second waits for the first and then uses its row, never failing on the unique key."""
from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from housing_swap.db.models import Building, Community, District, Favourite, ListingStatus, Organization, Role
from housing_swap.extensions import db
from housing_swap.services.favourites import toggle_favourite
from housing_swap.services.listings import create_listing, resolve_community
from housing_swap.services.projects import create_unit
from tests.listings.helpers import listing_fields
from tests.matching.helpers import units_on_sale


def while_another_inserts(app, row, second_request: Callable[[], object]):
    """The first request has inserted ``row`` and not yet committed; the second runs meanwhile.
    Returns what the second request returned, once the first has committed."""
    first = Session(db.engine)
    first.add(row)
    first.flush()

    def in_its_own_request():
        with app.app_context():
            answer = second_request()
            db.session.commit()
            return answer

    with ThreadPoolExecutor(1) as pool:
        second = pool.submit(in_its_own_request)
        time.sleep(0.5)  # the second looks the row up, finds nothing, inserts it too, and waits
        first.commit()
        answer = second.result(timeout=30)
    first.close()
    return answer


def test_two_requests_creating_the_same_new_community_share_one_row(app):
    district = db.session.get(District, "410105")
    created_id = while_another_inserts(
        app, Community(name="同时新建小区", district_code="410105", address="花园路1号", lat=district.lat,
                       lon=district.lon, search_pinyin="tsxjxq"),
        lambda: resolve_community("同时新建小区", "410105", "花园路1号", None).id)
    assert db.session.scalar(select(func.count(Community.id)).where(Community.name == "同时新建小区")) == 1
    assert created_id == db.session.scalar(select(Community.id).where(Community.name == "同时新建小区"))


def test_two_units_added_at_once_to_a_new_building_share_it(app, make):
    project = units_on_sale(make)[0].building.project
    developer = make.staff(Role.DEVELOPER_STAFF, organization=db.session.get(Organization, project.developer_org_id))
    unit_fields = {"floor": "9", "room": "901", "area_m2": "120.00", "bedrooms": "3", "living_rooms": "2",
                   "bathrooms": "2", "list_price": "1800000"}
    building_id = while_another_inserts(
        app, Building(project_id=project.id, name="9号楼", total_floors=18),
        lambda: create_unit(project.id, "9号楼", unit_fields, developer).building_id)
    buildings = db.session.scalars(select(Building).where(Building.project_id == project.id,
                                                          Building.name == "9号楼")).all()
    assert [building.id for building in buildings] == [building_id]


def test_a_double_clicked_favourite_is_saved_once(app, make):
    household = make.household()
    listing = create_listing(listing_fields(), make.staff(Role.AGENCY_STAFF))
    listing.status, listing.listed_at = ListingStatus.ACTIVE, listing.created_at
    db.session.commit()
    saved = while_another_inserts(app, Favourite(user_id=household.id, listing_id=listing.id),
                                  lambda: toggle_favourite(listing.id, db.session.merge(household)))
    assert saved is True
    assert db.session.scalar(select(func.count(Favourite.id)).where(Favourite.user_id == household.id)) == 1
