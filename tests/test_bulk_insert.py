"""``db.base.insert_rows``: many rows in one go (COPY on PostgreSQL, INSERT … RETURNING elsewhere),
read back through the ORM exactly as if each had been added one by one."""
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from housing_swap.db.base import insert_rows
from housing_swap.db.models import Community, Listing, ListingStatus, Role, SearchOutboxEntry
from housing_swap.extensions import db
from housing_swap.services.errors import Conflict
from housing_swap.services.listings import resolve_community
from housing_swap.services.unit_of_work import use_case


def _a_community() -> Community:
    community = resolve_community("批量小区", "410105", "金水区花园路1号", 2010)
    db.session.commit()
    return community


def test_rows_come_back_with_their_ids_and_the_column_defaults(app):
    before = datetime.now(UTC)
    ids = insert_rows(db.session, SearchOutboxEntry,
                      [{"entity_type": "listing", "entity_id": n, "entity_version": 1} for n in (7, 8, 9)])
    db.session.commit()
    rows = db.session.scalars(select(SearchOutboxEntry).where(SearchOutboxEntry.id.in_(ids))).all()
    assert sorted(row.entity_id for row in rows) == [7, 8, 9]
    assert all(row.attempts == 0 and row.processed_at is None for row in rows)
    assert all(before - timedelta(seconds=1) <= row.created_at <= datetime.now(UTC) for row in rows)
    assert insert_rows(db.session, SearchOutboxEntry, []) == []


def test_encrypted_and_typed_columns_read_back_as_written(app, make):
    community = _a_community()
    agency = make.staff(Role.AGENCY_STAFF)
    row = {"community_id": community.id, "organization_id": agency.organization_id, "agent_user_id": agency.id,
           "agency_reference": "BULK-1", "building_no": "3号楼", "unit_no": None, "room_no": "602", "floor": 6,
           "total_floors": 18, "area_m2": Decimal("89.50"), "inner_area_m2": None, "bedrooms": 2, "living_rooms": 1,
           "bathrooms": 1, "orientation": "南北", "decoration": "精装", "build_year": 2012, "has_elevator": True,
           "property_type": "商品房", "certificate_number": "豫(2016)郑州市不动产权第0099999号", "unit_code": None,
           "property_key": "k" * 64, "asking_price": 1_350_000, "unit_price": 15_084, "description": "",
           "contact_name": "王经理", "contact_phone": "13800001234", "status": ListingStatus.DRAFT}
    [listing_id] = insert_rows(db.session, Listing, [row])
    db.session.commit()
    db.session.expire_all()
    listing = db.session.get(Listing, listing_id)
    assert listing.certificate_number == row["certificate_number"]
    assert listing.contact_phone == "13800001234"
    assert listing.status == ListingStatus.DRAFT
    assert listing.version == 1
    assert listing.area_m2 == Decimal("89.50")
    stored = db.session.execute(text("SELECT certificate_number FROM listing WHERE id = :id"),
                                {"id": listing_id}).scalar_one()
    assert "0099999" not in str(stored)  # encrypted at rest, as the ORM writes it


def test_a_duplicate_key_is_the_integrity_error_the_transaction_boundary_answers(app):
    community = _a_community()
    twin = {"name": community.name, "district_code": community.district_code, "address": "地址",
            "lat": Decimal("34.7"), "lon": Decimal("113.6"), "build_year": None}

    @use_case
    def insert_twin():
        insert_rows(db.session, Community, [twin])

    with pytest.raises(IntegrityError):
        insert_rows(db.session, Community, [twin])
    db.session.rollback()
    with pytest.raises(Conflict):
        insert_twin()
    assert db.session.scalar(select(Community.id).where(Community.name == community.name,
                                                        Community.district_code == community.district_code)) \
        == community.id
