"""The fields of new-build projects and units, and the unit status rules."""
from __future__ import annotations

import re

from .fields import (
    Field,
    FieldProblem,
    parse_area,
    parse_boolean,
    parse_date,
    parse_decimal_between,
    parse_district,
    parse_integer,
    parse_text,
    parse_yuan,
)
from .labels import LabelledEnum


class UnitStatus(LabelledEnum):
    AVAILABLE = "available", "可售"
    RESERVED = "reserved", "已预定"
    SOLD = "sold", "已售"


UNIT_STATUS_LABELS = UnitStatus.labels()
UNIT_TRANSITIONS = {
    ("available", "reserved"), ("reserved", "available"), ("available", "sold"), ("reserved", "sold"),
}
PERMIT_PATTERN = re.compile(r"^[\u4e00-\u9fa5A-Za-z0-9()（）〔〕\[\]【】\-]{4,64}$")


def parse_permit(raw: str) -> str:
    if not PERMIT_PATTERN.match(raw):
        raise FieldProblem("格式不正确")
    return raw


PROJECT_FIELDS: tuple[Field, ...] = (
    Field("name", "项目名称", True, parse_text(80)),
    Field("district_code", "区县", True, parse_district),
    Field("address", "项目地址", True, parse_text(200)),
    # Zhengzhou's bounding box, so a swapped latitude and longitude is caught.
    Field("lat", "纬度", True, parse_decimal_between("34.2", "35.1", 6)),
    Field("lon", "经度", True, parse_decimal_between("112.6", "114.3", 6)),
    Field("presale_permit_no", "预售许可证号", True, parse_permit),
    Field("delivery_date", "交付日期", True, parse_date),
    Field("in_swap_program", "参与以旧换新", True, parse_boolean),
    Field("swap_offer", "以旧换新优惠", False, parse_text(500)),
)

UNIT_FIELDS: tuple[Field, ...] = (
    Field("floor", "楼层", True, parse_integer(-3, 120)),
    Field("room", "房号", True, parse_text(20)),
    Field("area_m2", "建筑面积", True, parse_area),
    Field("bedrooms", "室", True, parse_integer(0, 12)),
    Field("living_rooms", "厅", True, parse_integer(0, 6)),
    Field("bathrooms", "卫", True, parse_integer(0, 6)),
    Field("list_price", "总价（元）", True, parse_yuan(10_000, 200_000_000)),
)


def unit_status_problem(current: str, target: str) -> str | None:
    if current == target or (current, target) in UNIT_TRANSITIONS:
        return None
    return f"房屋状态不能从“{UNIT_STATUS_LABELS[current]}”变为“{UNIT_STATUS_LABELS[target]}”"
