"""What can be asked of search, parsed from URL parameters, and the shared facet bands.

Both backends read the same ``SearchQuery`` and must give the same meaning to it: the same
ids for the same filters, the same facet counts. Bands are half-open: low ≤ value < high.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from ..domain.fields import FieldProblem, optional_integer, parse_district
from ..domain.geo import polygon_problem

MAX_PER_PAGE = 100
MAX_RESULT_WINDOW = 10_000  # deeper than this, ask for narrower filters (Elasticsearch's own cap)
MAX_QUERY_LENGTH = 50


class Kind(StrEnum):
    LISTING = "listing"
    UNIT = "unit"


class Sort(StrEnum):
    RELEVANCE = "relevance"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    UNIT_PRICE_ASC = "unit_price_asc"
    AREA_DESC = "area_desc"
    NEWEST = "newest"
    DISTANCE = "distance"


SORT_LABELS = {
    Sort.RELEVANCE: "综合排序", Sort.PRICE_ASC: "总价从低到高", Sort.PRICE_DESC: "总价从高到低",
    Sort.UNIT_PRICE_ASC: "单价从低到高", Sort.AREA_DESC: "面积从大到小", Sort.NEWEST: "最新发布",
    Sort.DISTANCE: "距离最近",
}


@dataclass(frozen=True)
class Band:
    key: str
    label: str
    low: float | None
    high: float | None

    def contains(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value < self.high)


PRICE_BANDS = (
    Band("0-50", "50万以下", None, 500_000), Band("50-100", "50-100万", 500_000, 1_000_000),
    Band("100-150", "100-150万", 1_000_000, 1_500_000), Band("150-200", "150-200万", 1_500_000, 2_000_000),
    Band("200-300", "200-300万", 2_000_000, 3_000_000), Band("300-", "300万以上", 3_000_000, None),
)
AREA_BANDS = (
    Band("0-60", "60㎡以下", None, 60), Band("60-90", "60-90㎡", 60, 90), Band("90-120", "90-120㎡", 90, 120),
    Band("120-144", "120-144㎡", 120, 144), Band("144-", "144㎡以上", 144, None),
)
BEDROOM_BANDS = (
    Band("1", "1室及以下", None, 2), Band("2", "2室", 2, 3), Band("3", "3室", 3, 4), Band("4+", "4室及以上", 4, None),
)


@dataclass(frozen=True)
class SearchQuery:
    kind: Kind
    q: str = ""
    districts: tuple[str, ...] = ()
    min_price: int | None = None
    max_price: int | None = None
    min_unit_price: int | None = None
    max_unit_price: int | None = None
    min_area: Decimal | None = None
    max_area: Decimal | None = None
    area_below: Decimal | None = None       # strict upper bound (the city group's "under 120 m²")
    bedrooms: int | None = None              # minimum
    min_build_year: int | None = None
    elevator: bool | None = None
    min_floor: int | None = None
    max_floor: int | None = None
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None
    bbox: tuple[float, float, float, float] | None = None   # min_lon, min_lat, max_lon, max_lat (the map's view)
    polygon: tuple[tuple[float, float], ...] | None = None  # (lon, lat) points of an area drawn on the map
    program: bool | None = None              # units: participating projects only
    fits_city_group: bool = False            # listings: resolved into filters by the service
    listed_since: datetime | None = None     # only ones published since (saved-search alerts) …
    listed_before: datetime | None = None    # … and before (the alert window's settled end)
    sort: Sort = Sort.RELEVANCE
    page: int = 1
    per_page: int = 20

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def effective_sort(self) -> Sort:
        if self.sort == Sort.RELEVANCE and not self.q:
            return Sort.NEWEST
        return self.sort

    def with_city_group_rules(self, max_age_years: int, max_area: Decimal, inclusive: bool, year: int) -> SearchQuery:
        """Turn "fits the city-group channel" into the old-home limits of the rule set in force."""
        oldest = year - max_age_years
        changes: dict[str, int | Decimal] = {"min_build_year": max(self.min_build_year or oldest, oldest)}
        if inclusive:
            changes["max_area"] = min(self.max_area, max_area) if self.max_area is not None else max_area
        else:
            changes["area_below"] = max_area
        return replace(self, **changes)  # type: ignore[arg-type]  # each value fits its own field


@dataclass
class SearchResult:
    items: list[dict]
    total: int
    page: int
    per_page: int
    facets: dict[str, list[dict]] = field(default_factory=dict)
    backend: str = "sql"
    degraded: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-min(self.total, MAX_RESULT_WINDOW) // self.per_page))


class QueryProblem(ValueError):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("invalid search parameters")
        self.errors = errors


# ----- parsing URL parameters ----------------------------------------------------------------

def parse_search_args(args: Mapping[str, Sequence[str]], kind: Kind) -> SearchQuery:
    """``args`` maps each parameter to its list of values (a MultiDict's ``to_dict(flat=False)``)."""
    parser = _Parser(args)
    query = SearchQuery(
        kind=kind,
        q=parser.text("q"),
        districts=parser.districts(),
        min_price=parser.integer("min_price", 0, 10**9), max_price=parser.integer("max_price", 0, 10**9),
        min_unit_price=parser.integer("min_unit_price", 0, 10**6),
        max_unit_price=parser.integer("max_unit_price", 0, 10**6),
        min_area=parser.decimal("min_area"), max_area=parser.decimal("max_area"),
        bedrooms=parser.integer("bedrooms", 0, 12),
        min_build_year=parser.integer("min_build_year", 1900, 2100),
        elevator=parser.boolean("elevator"),
        min_floor=parser.integer("min_floor", -3, 120), max_floor=parser.integer("max_floor", -3, 120),
        lat=parser.number("lat", -90, 90), lon=parser.number("lon", -180, 180),
        radius_km=parser.number("radius_km", 0.1, 100),
        bbox=parser.bbox(), polygon=parser.polygon(),
        program=parser.boolean("program") if kind == Kind.UNIT else None,
        fits_city_group=bool(parser.boolean("fits_city_group")) if kind == Kind.LISTING else False,
        sort=parser.sort(),
        page=parser.integer("page", 1, MAX_RESULT_WINDOW) or 1,
        per_page=parser.integer("per_page", 1, MAX_PER_PAGE) or 20,
    )
    parser.check_consistency(query)
    if parser.errors:
        raise QueryProblem(parser.errors)
    return query


def _numbers(parts: list[str]) -> list[float] | None:
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        return None
    return numbers if all(math.isfinite(number) for number in numbers) else None


def _lon_lat(lon: float, lat: float) -> bool:
    return -180 <= lon <= 180 and -90 <= lat <= 90


class _Parser:
    def __init__(self, args: Mapping[str, Sequence[str]]):
        self.args = args
        self.errors: dict[str, list[str]] = {}

    def _one(self, name: str) -> str:
        values = self.args.get(name) or []
        return values[-1].strip() if values else ""

    def _fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def text(self, name: str) -> str:
        value = self._one(name)
        if len(value) > MAX_QUERY_LENGTH:
            self._fail(name, f"搜索词不能超过{MAX_QUERY_LENGTH}个字符")
        return value[:MAX_QUERY_LENGTH]

    def districts(self) -> tuple[str, ...]:
        """Each district by its code or name, however its digits were typed."""
        codes, unknown = [], []
        for value in (value.strip() for value in self.args.get("district", [])):
            if not value:
                continue
            try:
                codes.append(parse_district(value))
            except FieldProblem:
                unknown.append(value)
        if unknown:
            self._fail("district", "没有这个区县：" + "、".join(unknown))
        return tuple(dict.fromkeys(codes))

    def integer(self, name: str, low: int, high: int) -> int | None:
        raw = self._one(name)
        if raw == "":
            return None
        value = optional_integer(raw, low, high)
        if value is None:
            self._fail(name, f"应为{low}到{high}之间的整数")
        return value

    def decimal(self, name: str) -> Decimal | None:
        raw = self._one(name)
        if raw == "":
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or not 0 <= value <= 10_000:
            self._fail(name, "应为0到10000之间的数字")
            return None
        return value

    def number(self, name: str, low: float, high: float) -> float | None:
        raw = self._one(name)
        if raw == "":
            return None
        try:
            value = float(raw)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            self._fail(name, f"应为{low}到{high}之间的数字")
            return None
        return value

    def bbox(self) -> tuple[float, float, float, float] | None:
        """``min_lon,min_lat,max_lon,max_lat``, the west-south and east-north corners."""
        raw = self._one("bbox")
        if raw == "":
            return None
        numbers = _numbers(raw.split(","))
        if numbers is None or len(numbers) != 4 or not (_lon_lat(numbers[0], numbers[1]) and _lon_lat(
                numbers[2], numbers[3])):
            self._fail("bbox", "地图范围应为“西经度,南纬度,东经度,北纬度”四个数字")
            return None
        if numbers[0] >= numbers[2] or numbers[1] >= numbers[3]:
            self._fail("bbox", "地图范围的西南角须在东北角的西南方")
            return None
        return numbers[0], numbers[1], numbers[2], numbers[3]

    def polygon(self) -> tuple[tuple[float, float], ...] | None:
        """``lon,lat;lon,lat;…`` — the corners of an area drawn on the map, in order."""
        raw = self._one("polygon")
        if raw == "":
            return None
        points = [_numbers(pair.split(",")) for pair in raw.split(";") if pair.strip()]
        if not points or any(p is None or len(p) != 2 or not _lon_lat(p[0], p[1]) for p in points):
            self._fail("polygon", "区域应为“经度,纬度;经度,纬度;…”，每个点一对数字")
            return None
        corners = [(p[0], p[1]) for p in points if p is not None]
        # A point repeated at once (a double click) is one corner; a closed ring, as GeoJSON writes it, is read open.
        ring = tuple(point for i, point in enumerate(corners) if i == 0 or point != corners[i - 1])
        if len(ring) > 1 and ring[0] == ring[-1]:
            ring = ring[:-1]
        if problem := polygon_problem(ring):
            self._fail("polygon", problem)
            return None
        return ring

    def boolean(self, name: str) -> bool | None:
        raw = self._one(name).lower()
        if raw == "":
            return None
        if raw in ("true", "1", "yes", "是"):
            return True
        if raw in ("false", "0", "no", "否"):
            return False
        self._fail(name, "应为“是”或“否”")
        return None

    def sort(self) -> Sort:
        raw = self._one("sort") or Sort.RELEVANCE.value
        try:
            return Sort(raw)
        except ValueError:
            self._fail("sort", "排序方式应为以下之一：" + "、".join(SORT_LABELS[s] for s in Sort))
            return Sort.RELEVANCE

    def check_consistency(self, query: SearchQuery) -> None:
        if (query.lat is None) != (query.lon is None):
            self._fail("lat", "位置须同时给出纬度和经度")
        if query.radius_km is not None and not query.has_point:
            self._fail("radius_km", "按距离筛选须先给出位置（纬度和经度）")
        if query.sort == Sort.DISTANCE and not query.has_point:
            self._fail("sort", "按距离排序须先给出位置（纬度和经度）")
        for low, high, name in ((query.min_price, query.max_price, "max_price"),
                                (query.min_area, query.max_area, "max_area"),
                                (query.min_unit_price, query.max_unit_price, "max_unit_price")):
            if low is not None and high is not None and low > high:
                self._fail(name, "上限不能小于下限")
        if query.page * query.per_page > MAX_RESULT_WINDOW:
            self._fail("page", f"最多浏览前{MAX_RESULT_WINDOW}条结果，请增加筛选条件缩小范围")
