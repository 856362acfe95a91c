"""The fields of a second-hand listing, shared by forms, the JSON API and imports."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal

from .fields import (
    Field,
    FieldProblem,
    choice_field,
    parse_area,
    parse_boolean,
    parse_columns,
    parse_district,
    parse_fields,
    parse_integer,
    parse_text,
    parse_yuan,
)
from .identity import (
    canonical_certificate,
    canonical_contract_number,
    canonical_id_number,
    canonical_phone,
    canonical_unit_code,
    id_number_problem,
    phone_problem,
    unit_code_problem,
)
from .timezones import beijing_today

ORIENTATIONS = ("南北", "南", "北", "东", "西", "东南", "西南", "东北", "西北", "东西")
DECORATIONS = ("毛坯", "简装", "精装", "豪装")
PROPERTY_TYPES = ("商品房", "房改房", "经济适用房", "安置房", "集资房")
# After canonicalisation (identity.canonical_certificate) only these characters remain valid.
CERTIFICATE_PATTERN = re.compile(r"^[\u4e00-\u9fa5A-Z0-9()\-]{6,60}$")
MAX_PRICE = 200_000_000


def parse_certificate(raw: str) -> str:
    """The canonical spelling, so that every later hash and comparison sees one identity."""
    value = canonical_certificate(raw)
    if not CERTIFICATE_PATTERN.match(value):
        raise FieldProblem("格式不正确，应如“豫(2015)郑州市不动产权第0012345号”")
    return value


def parse_contract_number(raw: str) -> str:
    """Contract numbers are unique on the platform, so they are compared in one spelling."""
    value = canonical_contract_number(raw)
    if not 1 <= len(value) <= 64:
        raise FieldProblem("应为1到64个字符")
    return value


def parse_unit_code(raw: str) -> str:
    if problem := unit_code_problem(raw):
        raise FieldProblem(problem)
    return canonical_unit_code(raw)


def parse_phone(raw: str) -> str:
    if problem := phone_problem(raw):
        raise FieldProblem(problem)
    return canonical_phone(raw)


def parse_id_number(raw: str) -> str:
    if problem := id_number_problem(raw):
        raise FieldProblem(problem)
    return canonical_id_number(raw)


def parse_build_year(raw: str) -> int:
    """A home is listed or swapped only once it is built: no future years."""
    return parse_integer(1949, beijing_today().year)(raw)


# The fields that describe a home, one meaning and one label wherever a home is described
# (a listing, a swap application, the title registry).
UNIT_CODE_FIELD = Field("unit_code", "不动产单元号", False, parse_unit_code)
COMMUNITY_FIELD = Field("community", "小区名称", True, parse_text(80))
DISTRICT_FIELD = Field("district_code", "所在区县", True, parse_district, former_labels=("区县",))
AREA_FIELD = Field("area_m2", "建筑面积", True, parse_area)
BUILD_YEAR_FIELD = Field("build_year", "建成年份", True, parse_build_year)
BEDROOMS_FIELD = Field("bedrooms", "卧室数", True, parse_integer(0, 12), former_labels=("室",))
FLOOR_FIELD = Field("floor", "所在楼层", True, parse_integer(-3, 120))
TOTAL_FLOORS_FIELD = Field("total_floors", "总楼层", True, parse_integer(1, 120))
HAS_ELEVATOR_FIELD = Field("has_elevator", "有电梯", True, parse_boolean, former_labels=("电梯",))
CERTIFICATE_FIELD = Field("certificate_number", "不动产权证号", True, parse_certificate)

LISTING_FIELDS: tuple[Field, ...] = (
    Field("agency_reference", "机构房源编号", False, parse_text(64)),
    COMMUNITY_FIELD,
    DISTRICT_FIELD,
    Field("address", "小区地址", True, parse_text(200)),
    Field("building_no", "楼栋", True, parse_text(20)),
    Field("unit_no", "单元", False, parse_text(20)),
    Field("room_no", "房号", True, parse_text(20)),
    FLOOR_FIELD,
    TOTAL_FLOORS_FIELD,
    AREA_FIELD,
    Field("inner_area_m2", "套内面积", False, parse_area),
    BEDROOMS_FIELD,
    Field("living_rooms", "厅", True, parse_integer(0, 6)),
    Field("bathrooms", "卫", True, parse_integer(0, 6)),
    choice_field("orientation", "朝向", True, ORIENTATIONS),
    choice_field("decoration", "装修", True, DECORATIONS),
    BUILD_YEAR_FIELD,
    HAS_ELEVATOR_FIELD,
    choice_field("property_type", "房屋性质", True, PROPERTY_TYPES),
    CERTIFICATE_FIELD,
    UNIT_CODE_FIELD,
    Field("owner_id_number", "产权人身份证号", False, parse_id_number),
    Field("asking_price", "挂牌总价（元）", True, parse_yuan(10_000, MAX_PRICE)),
    Field("description", "房源描述", False, parse_text(2000), multiline=True),
    Field("contact_name", "联系人", True, parse_text(30)),
    Field("contact_phone", "联系电话", True, parse_phone),
)


def parse_listing_fields(raw: Mapping[str, object], partial: bool = False) -> tuple[dict, dict[str, list[str]]]:
    values, errors = parse_fields(LISTING_FIELDS, raw, partial)
    _check_cross_field(values, errors)
    return values, errors


def parse_listing_columns(columns: Mapping[str, Sequence[object]], rows: int) -> list[tuple[dict, dict[str, list[str]]]]:
    """``parse_listing_fields`` for every row of a table given column by column."""
    parsed = parse_columns(LISTING_FIELDS, columns, rows)
    for values, errors in parsed:
        _check_cross_field(values, errors)
    return parsed


def _check_cross_field(values: dict, errors: dict[str, list[str]]) -> None:
    floor, total = values.get("floor"), values.get("total_floors")
    if floor is not None and total is not None and floor > total:
        errors.setdefault("floor", []).append("所在楼层不能高于总楼层")
    area, inner = values.get("area_m2"), values.get("inner_area_m2")
    if area is not None and inner is not None and inner > area:
        errors.setdefault("inner_area_m2", []).append("套内面积不能大于建筑面积")


def unit_price(total_price: int, area_m2: Decimal) -> int:
    """Yuan per m², rounded to the nearest yuan."""
    return int((Decimal(total_price) / area_m2).to_integral_value(rounding="ROUND_HALF_UP"))
