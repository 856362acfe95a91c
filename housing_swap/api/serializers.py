"""API resources as JSON, each through its response model. Personal data is masked unless the caller
is the owner side."""
from __future__ import annotations

import enum
from datetime import date, datetime

from ..db.models import Listing, Project, Unit
from ..domain.identity import mask_certificate, mask_phone
from . import responses
from .responses import shaped


def iso(value):
    """A column value as JSON: dates and times as ISO text, enums as their value."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value.value if isinstance(value, enum.Enum) else value


def listing_json(listing: Listing, owner_view: bool) -> dict:
    community = listing.community
    return shaped(responses.Listing, {
        "id": listing.id, "status": listing.status.value, "agency_reference": listing.agency_reference,
        "community": community.name, "district_code": community.district_code,
        "district_name": community.district.name, "address": community.address,
        "building_no": listing.building_no, "unit_no": listing.unit_no, "room_no": listing.room_no,
        "floor": listing.floor, "total_floors": listing.total_floors,
        "area_m2": str(listing.area_m2),
        "inner_area_m2": None if listing.inner_area_m2 is None else str(listing.inner_area_m2),
        "bedrooms": listing.bedrooms, "living_rooms": listing.living_rooms, "bathrooms": listing.bathrooms,
        "orientation": listing.orientation, "decoration": listing.decoration,
        "build_year": listing.build_year, "has_elevator": listing.has_elevator,
        "property_type": listing.property_type, "total_price": listing.asking_price,
        "unit_price": listing.unit_price, "description": listing.description,
        "contact_name": listing.contact_name,
        "contact_phone": listing.contact_phone if owner_view else mask_phone(listing.contact_phone),
        "certificate_number": listing.certificate_number if owner_view else mask_certificate(listing.certificate_number),
        "verified": listing.verification_code is not None,
        "verification_code": listing.verification_code,
        "verification_note": listing.verification_note if owner_view else None,
        "price_history": [{"old_price": c.old_price, "new_price": c.new_price,
                           "changed_at": c.changed_at.isoformat()} for c in listing.price_changes],
        "updated_at": listing.updated_at.isoformat(),
    })


def project_json(project: Project) -> dict:
    return shaped(responses.Project, {
        "id": project.id, "name": project.name, "district_code": project.district_code,
        "address": project.address, "lat": str(project.lat), "lon": str(project.lon),
        "presale_permit_no": project.presale_permit_no, "delivery_date": project.delivery_date.isoformat(),
        "in_swap_program": project.in_swap_program, "swap_offer": project.swap_offer,
        "buildings": [{"id": b.id, "name": b.name, "total_floors": b.total_floors} for b in project.buildings],
    })


def unit_json(unit: Unit) -> dict:
    project = unit.building.project
    return shaped(responses.Unit, {
        "id": unit.id, "project_id": project.id, "project_name": project.name,
        "district_code": project.district_code, "building": unit.building.name, "floor": unit.floor,
        "room": unit.room, "area_m2": str(unit.area_m2), "bedrooms": unit.bedrooms,
        "living_rooms": unit.living_rooms, "bathrooms": unit.bathrooms, "total_price": unit.list_price,
        "status": unit.status.value,
    })
