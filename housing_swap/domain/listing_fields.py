"""Parsing and validating a second-hand listing's fields from text.

Forms, the JSON API and spreadsheet imports all pass their values through here, so a
field means the same everywhere and every message (in Chinese) names the field.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Callable, Mapping

from .districts import DISTRICTS_BY_CODE
from .identity import id_number_problem, normalize_id_number, normalize_phone, phone_problem

ORIENTATIONS = ("南北", "南", "北", "东", "西", "东南", "西南", "东北", "西北", "东西")
DECORATIONS = ("毛坯", "简装", "精装", "豪装")
PROPERTY_TYPES = ("商品房", "房改房", "经济适用房", "安置房", "集资房")
CERTIFICATE_PATTERN = re.compile(r"^[\u4e00-\u9fa5A-Za-z0-9()（）〔〕\[\]【】\-]{6,60}$")
MAX_PRICE = 200_000_000


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    required: bool
    parse: Callable[[str], object]


class FieldProblem(ValueError):
    """The message says what is wrong with one value, in Chinese."""


def _text(max_length: int) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if len(raw) > max_length:
            raise FieldProblem(f"不能超过{max_length}个字符")
        return raw
    return parse


def _integer(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        cleaned = raw.replace(",", "")
        if cleaned.endswith(".0"):
            cleaned = cleaned[:-2]  # spreadsheets turn 6 into 6.0
        if not re.fullmatch(r"-?\d+", cleaned):
            raise FieldProblem("应为整数")
        value = int(cleaned)
        if not low <= value <= high:
            raise FieldProblem(f"应在{low}到{high}之间")
        return value
    return parse


def parse_area(raw: str) -> Decimal:
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        raise FieldProblem("应为数字，单位㎡") from None
    if not value.is_finite() or not Decimal("10") <= value <= Decimal("2000"):
        raise FieldProblem("应在10到2000㎡之间")
    if value != value.quantize(Decimal("0.01")):
        raise FieldProblem("最多保留两位小数")
    return value.quantize(Decimal("0.01"))


def _choice(options: tuple[str, ...]) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in options:
            raise FieldProblem("应为以下之一：" + "、".join(options))
        return raw
    return parse


def parse_boolean(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in ("是", "有", "true", "1", "yes", "y"):
        return True
    if lowered in ("否", "无", "false", "0", "no", "n"):
        return False
    raise FieldProblem("应填“是”或“否”")


def _district(raw: str) -> str:
    if raw in DISTRICTS_BY_CODE:
        return raw
    by_name = {d.name: code for code, d in DISTRICTS_BY_CODE.items()}
    if raw in by_name:
        return by_name[raw]
    raise FieldProblem("不是郑州市的区县代码或名称")


def parse_certificate(raw: str) -> str:
    if not CERTIFICATE_PATTERN.match(raw):
        raise FieldProblem("不动产权证号格式不正确")
    return raw


def _phone(raw: str) -> str:
    if problem := phone_problem(raw):
        raise FieldProblem(problem)
    return normalize_phone(raw)


def parse_id_number(raw: str) -> str:
    if problem := id_number_problem(raw):
        raise FieldProblem(problem)
    return normalize_id_number(raw)


def _build_year(raw: str) -> int:
    return _integer(1949, date.today().year)(raw)


LISTING_FIELDS: tuple[Field, ...] = (
    Field("agency_reference", "机构房源编号", False, _text(64)),
    Field("community", "小区名称", True, _text(80)),
    Field("district_code", "区县", True, _district),
    Field("address", "小区地址", True, _text(200)),
    Field("building_no", "楼栋", True, _text(20)),
    Field("unit_no", "单元", False, _text(20)),
    Field("room_no", "房号", True, _text(20)),
    Field("floor", "所在楼层", True, _integer(-3, 120)),
    Field("total_floors", "总楼层", True, _integer(1, 120)),
    Field("area_m2", "建筑面积", True, parse_area),
    Field("inner_area_m2", "套内面积", False, parse_area),
    Field("bedrooms", "室", True, _integer(0, 12)),
    Field("living_rooms", "厅", True, _integer(0, 6)),
    Field("bathrooms", "卫", True, _integer(0, 6)),
    Field("orientation", "朝向", True, _choice(ORIENTATIONS)),
    Field("decoration", "装修", True, _choice(DECORATIONS)),
    Field("build_year", "建成年份", True, _build_year),
    Field("has_elevator", "电梯", True, parse_boolean),
    Field("property_type", "房屋性质", True, _choice(PROPERTY_TYPES)),
    Field("certificate_number", "不动产权证号", True, parse_certificate),
    Field("owner_id_number", "产权人身份证号", False, parse_id_number),
    Field("asking_price", "挂牌总价（元）", True, _integer(10_000, MAX_PRICE)),
    Field("description", "房源描述", False, _text(2000)),
    Field("contact_name", "联系人", True, _text(30)),
    Field("contact_phone", "联系电话", True, _phone),
)
FIELDS_BY_NAME = {field.name: field for field in LISTING_FIELDS}
HEADER_TO_FIELD = {field.label: field.name for field in LISTING_FIELDS}


def parse_listing_fields(raw: Mapping[str, object], partial: bool = False) -> tuple[dict, dict[str, list[str]]]:
    """Parse text values by field name. Returns (values, errors by field name).

    With ``partial`` (an update), fields that are absent are left out instead of required.
    """
    values: dict = {}
    errors: dict[str, list[str]] = {}
    for field in LISTING_FIELDS:
        if partial and field.name not in raw:
            continue
        text = _as_text(raw.get(field.name))
        if text == "":
            if field.required:
                errors[field.name] = [f"{field.label}为必填项"]
            else:
                values[field.name] = None
            continue
        try:
            values[field.name] = field.parse(text)
        except FieldProblem as problem:
            errors[field.name] = [f"{field.label}{problem}"]
    _check_cross_field(values, errors)
    return values, errors


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value).strip()


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
