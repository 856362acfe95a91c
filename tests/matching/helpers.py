"""Builders for application and matching tests: units on sale, recorded sales, applications."""
from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from housing_swap.db.models import (
    Building,
    Community,
    OrganizationKind,
    Project,
    RecordedSale,
    TitleRecord,
    Unit,
    UnitStatus,
)
from housing_swap.domain.timezones import beijing_today
from housing_swap.extensions import db
from housing_swap.services import applications
from housing_swap.services.property_identity import property_key
from tests.factories import valid_id_number
from tests.listings.helpers import register_title

_serial = itertools.count(1)


def application_fields(**changes) -> dict:
    serial = next(_serial)
    fields = {"community": "锦绣花园", "district_code": "410105", "area_m2": "80.00", "build_year": "2012",
              "bedrooms": "2", "floor": "6", "total_floors": "18", "has_elevator": "是",
              "certificate_number": f"豫(2016)郑州市不动产权第{serial + 5000:07d}号", "seized": "否",
              "remaining_mortgage": "100000", "savings": "300000", "max_loan": "1000000",
              "wanted_districts": "金水区、郑东新区", "min_area_m2": "", "min_bedrooms": "", "budget_max": "",
              "move_in_by": "", "needs_elevator": "是", "channel_preference": "均可"}
    fields.update(changes)
    return fields


def community(name: str = "锦绣花园", district: str = "410105") -> Community:
    found = db.session.query(Community).filter_by(name=name, district_code=district).one_or_none()
    if found:
        return found
    created = Community(name=name, district_code=district, address="花园路1号", lat=Decimal("34.78"),
                        lon=Decimal("113.68"), build_year=2012)
    db.session.add(created)
    db.session.commit()
    return created


def recorded_sales(target: Community, unit_price: int, count: int = 8) -> None:
    """Sales in one community around a known ¥/m², and a few elsewhere so the model can fit."""
    for index in range(count):
        area = Decimal(70 + index * 5)
        db.session.add(RecordedSale(community_id=target.id, area_m2=area, floor=3 + index, total_floors=18,
                                    build_year=2012, price=int(area * unit_price * (100 + index % 3 - 1) / 100),
                                    sold_on=beijing_today().replace(day=1)))
    for district, price in (("410102", 12000), ("410122", 7000), ("410190", 24000)):
        other = community(f"参照小区{district}", district)
        for index in range(6):
            area = Decimal(60 + index * 10)
            db.session.add(RecordedSale(community_id=other.id, area_m2=area, floor=2 + index, total_floors=11,
                                        build_year=2005 + index, price=int(area * price), sold_on=beijing_today()))
    db.session.commit()


def units_on_sale(make, district: str = "410105", prices=(1_300_000, 1_500_000, 1_900_000),
                  area: str = "110.00", bedrooms: int = 3) -> list[Unit]:
    developer = make.organization(OrganizationKind.DEVELOPER)
    serial = next(_serial)
    project = Project(developer_org_id=developer.id, name=f"测试新城{serial}期", district_code=district,
                      address="测试路", lat=Decimal("34.77"), lon=Decimal("113.69"),
                      presale_permit_no=f"郑房预售字[2024]第T{serial:04d}号", delivery_date=date(2026, 6, 30),
                      in_swap_program=True, swap_offer="总价优惠2%")
    building = Building(project=project, name="1号楼", total_floors=18)
    units = [Unit(building=building, floor=index + 2, room=f"{index + 2}01", area_m2=Decimal(area),
                  bedrooms=bedrooms, living_rooms=2, bathrooms=2, list_price=price, status=UnitStatus.AVAILABLE)
             for index, price in enumerate(prices)]
    db.session.add_all([project, building, *units])
    db.session.commit()
    return units


def submitted_application(make, household=None, registered: bool = True, **changes):
    """A submitted application; with ``registered`` its home is in the title registry, as the
    city group requires before taking a case."""
    household = household or make.household(id_number=valid_id_number(next(_serial)))
    fields = application_fields(**changes)
    if registered and db.session.scalar(select(TitleRecord.id).where(
            TitleRecord.property_key == property_key(fields["certificate_number"]))) is None:
        register_title(current_app, fields["certificate_number"], household.id_number, area=fields["area_m2"])
    created = applications.create_application(fields, household)
    return applications.submit_application(created.id, household), household
