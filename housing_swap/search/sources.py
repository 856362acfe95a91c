"""The rows search shows, as SQL selects, and the documents built from them.

The Elasticsearch sync builds its documents from these selects, and the SQL backend builds the
documents of each result page from the very same selects, so both backends show the same facts.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, select

from ..db.models import (
    Building,
    Community,
    District,
    Listing,
    ListingPhoto,
    Project,
    Unit,
)
from .query import Kind

L, C, D = Listing.__table__, Community.__table__, District.__table__
U, B, P = Unit.__table__, Building.__table__, Project.__table__


@dataclass(frozen=True)
class Columns:
    """What the index sync needs of each kind's live rows: identity, version and public state."""

    id: ColumnElement
    version: ColumnElement      # the external version the index holds (the row's own)
    status: ColumnElement
    public_status: str


COLUMNS = {Kind.LISTING: Columns(L.c.id, L.c.version, L.c.status, "active"),
           Kind.UNIT: Columns(U.c.id, U.c.version, U.c.status, "available")}


def listing_select() -> Select:
    return (select(
        L.c.id, L.c.version, L.c.status, C.c.name.label("community"), C.c.search_pinyin, C.c.address,
        L.c.description, C.c.district_code, D.c.name.label("district_name"), L.c.asking_price, L.c.unit_price,
        L.c.area_m2, L.c.bedrooms, L.c.living_rooms, L.c.build_year, L.c.floor, L.c.total_floors,
        L.c.has_elevator, L.c.verification_code, C.c.lat, C.c.lon, L.c.listed_at)
        .select_from(L.join(C, L.c.community_id == C.c.id).join(D, C.c.district_code == D.c.code)))


def unit_select() -> Select:
    return (select(
        U.c.id, U.c.version, U.c.status, P.c.id.label("project_id"), P.c.name.label("project_name"),
        P.c.search_pinyin, P.c.address, P.c.district_code, D.c.name.label("district_name"),
        B.c.name.label("building"), U.c.floor, U.c.room, U.c.list_price, U.c.unit_price, U.c.area_m2,
        U.c.bedrooms, U.c.living_rooms, P.c.in_swap_program, P.c.delivery_date, P.c.lat, P.c.lon, U.c.listed_at)
        .select_from(U.join(B, U.c.building_id == B.c.id).join(P, B.c.project_id == P.c.id)
                     .join(D, P.c.district_code == D.c.code)))


SELECTS = {Kind.LISTING: listing_select, Kind.UNIT: unit_select}


def document(kind: Kind, row) -> dict:
    return listing_document(row) if kind == Kind.LISTING else unit_document(row)


def listing_document(row) -> dict:
    return {
        "id": row.id, "community": row.community, "community_pinyin": row.search_pinyin.split(),
        "address": row.address, "description": row.description or "", "district_code": row.district_code,
        "district_name": row.district_name, "total_price": row.asking_price, "unit_price": row.unit_price,
        "area_m2": float(row.area_m2), "bedrooms": row.bedrooms, "living_rooms": row.living_rooms,
        "build_year": row.build_year, "floor": row.floor, "total_floors": row.total_floors,
        "elevator": row.has_elevator, "status": str(row.status), "verified": row.verification_code is not None,
        "location": {"lat": float(row.lat), "lon": float(row.lon)},
        "listed_at": row.listed_at.isoformat() if row.listed_at else None,
    }


def unit_document(row) -> dict:
    return {
        "id": row.id, "project_id": row.project_id, "project_name": row.project_name,
        "project_pinyin": row.search_pinyin.split(), "address": row.address,
        "district_code": row.district_code, "district_name": row.district_name, "building": row.building,
        "floor": row.floor, "room": row.room, "total_price": row.list_price, "unit_price": row.unit_price,
        "area_m2": float(row.area_m2), "bedrooms": row.bedrooms, "living_rooms": row.living_rooms,
        "status": str(row.status), "in_program": row.in_swap_program,
        "delivery_date": row.delivery_date.isoformat(),
        "location": {"lat": float(row.lat), "lon": float(row.lon)},
        "listed_at": row.listed_at.isoformat(),
    }


def item(kind: Kind, doc: dict, distance_km: float | None = None) -> dict:
    """The API's item shape, from a document (either backend's)."""
    shared = {"id": doc["id"], "district_code": doc["district_code"], "district_name": doc["district_name"],
              "area_m2": f"{doc['area_m2']:.2f}", "bedrooms": doc["bedrooms"], "living_rooms": doc["living_rooms"],
              "total_price": doc["total_price"], "unit_price": doc["unit_price"], "status": doc["status"],
              "address": doc["address"], "lat": doc["location"]["lat"], "lon": doc["location"]["lon"]}
    if distance_km is not None:
        shared["distance_km"] = round(distance_km, 2)
    if kind == Kind.LISTING:
        return {**shared, "community": doc["community"], "build_year": doc["build_year"],
                "verified": doc["verified"], "floor": doc["floor"], "total_floors": doc["total_floors"],
                "elevator": doc["elevator"]}
    return {**shared, "community": doc["project_name"], "project_id": doc["project_id"],
            "project_name": doc["project_name"], "building": doc["building"], "floor": doc["floor"],
            "room": doc["room"], "in_program": doc["in_program"], "delivery_date": doc["delivery_date"]}


def first_photo_ids(listing_ids: list[int], session) -> dict[int, int]:
    """The cover (the photo at position 0) of each listing on a result page, for the cards."""
    if not listing_ids:
        return {}
    rows = session.execute(select(ListingPhoto.listing_id, ListingPhoto.id)
                           .where(ListingPhoto.listing_id.in_(listing_ids), ListingPhoto.position == 0))
    return dict(rows.all())
