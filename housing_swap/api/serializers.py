"""API resources as JSON, each through its response model. Personal data is masked unless the caller
is the owner side."""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask import url_for

from ..db.base import utcnow
from ..db.models import Listing, ListingPhoto, Project, Unit
from ..db.models.listings import ON_MARKET_STATES
from ..domain.identity import mask_certificate, mask_phone
from ..domain.timezones import days_on_market
from ..services.projects import sale_undo_deadline
from . import responses
from .responses import shaped


def iso(value):
    """A column value as JSON: dates and times as ISO text, enums as their value."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value.value if isinstance(value, enum.Enum) else value


def listing_json(listing: Listing, owner_view: bool) -> dict:
    community = listing.community
    photos = [photo_json(photo) for photo in listing.photos]  # cover first
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
        "photos": photos,
        "cover_photo_url": photos[0]["url"] if photos else None,
        "listed_at": None if listing.listed_at is None else listing.listed_at.isoformat(),
        "days_on_market": (days_on_market(listing.listed_at, utcnow())
                           if listing.status in ON_MARKET_STATES else None),
        "updated_at": listing.updated_at.isoformat(),
    })


def photo_json(photo: ListingPhoto) -> dict:
    return {"id": photo.id, "kind": photo.kind.value, "width": photo.width, "height": photo.height,
            "url": url_for("listings.photo", photo_id=photo.id),
            "thumbnail_url": url_for("listings.photo_thumbnail", photo_id=photo.id)}


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
        "status": unit.status.value, "sale_undo_until": iso(sale_undo_deadline(unit)),
    })
