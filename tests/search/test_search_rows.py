"""The embedded backend's search rows are derived data: after any change they equal a rebuild.

Each step below changes the live tables through the ORM the way the services do (a listing's
text, price and state; a community renamed; a project's programme flag; a unit sold and a unit
deleted; a change rolled back) and then compares every search row (and, on SQLite, every text
row) with what ``rebuild`` makes from the live tables at that moment.
"""
from decimal import Decimal

from sqlalchemy import select, text

from housing_swap.db.base import utcnow
from housing_swap.db.models import Community, ListingSearchRow, ListingStatus, Role, UnitSearchRow, UnitStatus
from housing_swap.extensions import db
from housing_swap.search import search_rows
from housing_swap.services.listings import create_listing
from tests.listings.helpers import listing_fields
from tests.matching.helpers import units_on_sale


def _snapshot() -> dict:
    tables = {"listing": ListingSearchRow.__table__, "unit": UnitSearchRow.__table__}
    rows = {name: sorted(tuple(row) for row in db.session.execute(select(table).order_by(table.c.id)))
            for name, table in tables.items()}
    if db.session.get_bind().dialect.name == "sqlite":
        for name in search_rows.TEXT_TABLES:
            rows[name] = db.session.execute(text(f"SELECT rowid, name, address, description, district FROM {name} "
                                                 "ORDER BY rowid")).all()
    return rows


def _equals_a_rebuild() -> bool:
    db.session.flush()
    kept = _snapshot()
    search_rows.rebuild(db.session.connection())
    rebuilt = _snapshot()
    return kept == rebuilt


def _active_listing(agent, **fields):
    listing = create_listing(listing_fields(**fields), agent)
    listing.status, listing.listed_at = ListingStatus.ACTIVE, utcnow()
    db.session.commit()
    return listing


def test_search_rows_follow_every_change_and_forget_a_rollback(app, make):
    agent = make.staff(Role.AGENCY_STAFF)
    first = _active_listing(agent, description="近地铁五号线")
    second = _active_listing(agent, description="学区房", certificate_number="豫(2018)郑州市不动产权第0054321号")
    units = units_on_sale(make, prices=(1_300_000, 1_600_000, 3_100_000))
    assert db.session.get(ListingSearchRow, first.id) is not None
    assert db.session.get(UnitSearchRow, units[0].id).price_band == "100-150"
    assert _equals_a_rebuild()

    first.description, first.asking_price = "南北通透，带车位", 2_400_000
    db.session.commit()
    assert db.session.get(ListingSearchRow, first.id).price_band == "200-300"
    assert _equals_a_rebuild()

    community = db.session.get(Community, first.community_id)
    community.name = "改名后的花园"
    db.session.commit()
    assert {row.name for row in db.session.scalars(select(ListingSearchRow))} == {"改名后的花园"}
    assert _equals_a_rebuild()

    second.status = ListingStatus.SOLD
    units[0].status = UnitStatus.SOLD
    units[1].area_m2 = Decimal("150.00")
    units[0].building.project.in_swap_program = False
    db.session.delete(units[2])
    db.session.commit()
    assert db.session.get(ListingSearchRow, second.id) is None
    assert db.session.get(UnitSearchRow, units[0].id) is None
    assert db.session.get(UnitSearchRow, units[1].id).area_band == "144-"
    assert db.session.get(UnitSearchRow, units[1].id).in_program is False
    assert _equals_a_rebuild()

    moved = units_on_sale(make, district="410102", prices=(1_200_000,))[0]
    moved.building.name, moved.building.project = "2号楼", units[1].building.project
    db.session.commit()
    assert db.session.get(UnitSearchRow, moved.id).district_code == units[1].building.project.district_code
    assert _equals_a_rebuild()

    before = _snapshot()
    first.asking_price = 900_000
    db.session.flush()
    assert db.session.get(ListingSearchRow, first.id).price_band == "50-100"
    db.session.rollback()
    assert _snapshot() == before
    assert _equals_a_rebuild()
