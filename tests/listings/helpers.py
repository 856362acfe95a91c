"""Shared builders for listing tests."""
from __future__ import annotations

import itertools
from decimal import Decimal

from housing_swap.db.models import TitleRecord
from housing_swap.extensions import db
from housing_swap.services.property_identity import property_key

_serial = itertools.count(1)


def listing_fields(**changes) -> dict:
    """Valid raw listing fields (as text, the way forms and files send them)."""
    serial = next(_serial)
    fields = {
        "agency_reference": f"REF-{serial:05d}", "community": "锦绣花园", "district_code": "410105",
        "address": "金水区花园路100号", "building_no": "3号楼", "unit_no": "2单元", "room_no": f"{600 + serial}",
        "floor": "6", "total_floors": "18", "area_m2": "89.50", "inner_area_m2": "", "bedrooms": "2",
        "living_rooms": "1", "bathrooms": "1", "orientation": "南北", "decoration": "精装",
        "build_year": "2012", "has_elevator": "是", "property_type": "商品房",
        "certificate_number": f"豫(2016)郑州市不动产权第{serial:07d}号", "unit_code": "", "owner_id_number": "",
        "asking_price": "1350000", "description": "南北通透", "contact_name": "王经理",
        "contact_phone": "13800001234",
    }
    fields.update(changes)
    return fields


def register_title(app, certificate: str, owner_id_number: str, area: str = "89.50",
                   seized: bool = False) -> TitleRecord:
    cipher = app.extensions["field_cipher"]
    record = TitleRecord(certificate_number=certificate,
                         property_key=property_key(certificate),
                         address="金水区花园路100号",
                         owner_id_hash=cipher.lookup_hash(owner_id_number, "id_number"),
                         area_m2=Decimal(area), seized=seized)
    db.session.add(record)
    db.session.commit()
    return record
