"""Matching an improvement buyer to new-build units, and old homes to would-be buyers.

Units and applicants are held as column arrays (numpy), so one request filters and scores
every candidate with a few vector operations instead of a Python loop per pair. Hard
constraints decide who is a candidate; a transparent weighted score orders them, and every
result carries its reasons in plain Chinese, computed from the same numbers.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np

from .districts import DISTRICTS_BY_CODE, ZHENGZHOU_DISTRICTS
from .eligibility import minimum_new_home_price
from .finance import affordable_mask
from .geo import distance_km_array
from .rules import ProgramRules

DISTRICT_INDEX = {d.code: index for index, d in enumerate(ZHENGZHOU_DISTRICTS)}

# Score weights (sum 1). Documented in docs/matching.md; change them there too.
WEIGHTS = {"budget": 0.20, "area": 0.20, "district": 0.20, "distance": 0.10,
           "value": 0.15, "delivery": 0.10, "offer": 0.05}
AREA_GAIN_FOR_FULL_MARKS = 50.0      # m²
DISTANCE_FOR_ZERO_MARKS = 20.0       # km
DELIVERY_MONTHS_FOR_ZERO_MARKS = 36.0
IDEAL_BUDGET_SHARE = 0.85            # a unit using about 85% of the budget leaves a margin
# A household shown twenty near-identical rooms of one building has been shown one choice: the
# top list keeps the best few of each project and building, the rest stay one click away.
MAX_PER_PROJECT = 3
MAX_PER_BUILDING = 2


@dataclass(frozen=True)
class Needs:
    wanted_districts: tuple[str, ...] = ()
    min_area_m2: Decimal | None = None
    min_bedrooms: int | None = None
    budget_max: int | None = None
    move_in_by: date | None = None
    needs_elevator: bool = False


@dataclass(frozen=True)
class MatchRequest:
    """One application, ready for matching; prices in yuan, the old home at its valuation."""

    channel: str                  # the channel whose rules apply: "city_group" or "market"
    old_district_code: str
    old_area_m2: Decimal
    old_bedrooms: int
    old_lat: float
    old_lon: float
    old_price: int                # what the old home is expected to fetch
    cash: int                     # available cash after the sale (see finance.available_cash)
    max_loan: int
    needs: Needs
    today: date


class UnitTable:
    """Available units of participating projects, as columns sorted by total price."""

    def __init__(self, rows: list[dict]):
        rows = sorted(rows, key=lambda row: (row["price"], row["unit_id"]))
        column = lambda name, dtype: np.array([row[name] for row in rows], dtype=dtype)  # noqa: E731
        self.unit_id = column("unit_id", np.int64)
        self.project_id = column("project_id", np.int64)
        self.building_id = column("building_id", np.int64)
        self.district = np.array([DISTRICT_INDEX[row["district_code"]] for row in rows], dtype=np.int16)
        self.price = column("price", np.float64)
        self.area = column("area_m2", np.float64)
        self.bedrooms = column("bedrooms", np.int16)
        self.unit_price = column("unit_price", np.float64)
        self.elevator = column("has_elevator", bool)
        self.delivery = np.array([row["delivery_date"].toordinal() for row in rows], dtype=np.int64)
        self.lat = column("lat", np.float64)
        self.lon = column("lon", np.float64)
        self.offer = column("has_offer", bool)
        self.labels = {row["unit_id"]: row["label"] for row in rows}
        self.project_names = {row["project_id"]: row["project_name"] for row in rows}
        self.district_median = np.zeros(len(ZHENGZHOU_DISTRICTS))
        for index in range(len(ZHENGZHOU_DISTRICTS)):
            prices = self.unit_price[self.district == index]
            self.district_median[index] = np.median(prices) if prices.size else np.nan

    def __len__(self) -> int:
        return int(self.unit_id.size)


@dataclass(frozen=True)
class UnitMatch:
    unit_id: int
    label: str
    score: float
    price: int
    area_m2: Decimal
    reasons: tuple[str, ...]
    project_id: int = 0
    project_name: str = ""
    in_wanted_district: bool = False
    more_in_project: int = 0      # further matching units of this project left out of the list


class Widening(enum.StrEnum):
    """What was relaxed because the household's wishes, taken strictly, found nothing."""

    DISTRICTS = "districts"      # nothing in the wanted districts: other districts shown
    SIZE = "size"                # nothing of the wanted size: the minimum area and bedrooms dropped


@dataclass(frozen=True)
class MatchResult:
    matches: tuple[UnitMatch, ...]
    widened: tuple[Widening, ...] = ()
    notes: tuple[str, ...] = ()   # what the household should know about the list, in words


def match_units(table: UnitTable, request: MatchRequest, rules: ProgramRules, limit: int = 20,
                project_id: int | None = None) -> MatchResult:
    """The best ``limit`` units for one application.

    Units in the wanted districts come first, then the rest, each by score (ties by unit id);
    the list keeps at most a few units per project and building. ``project_id`` asks instead for
    every matching unit of one project ("more in this project"). When the wishes taken strictly
    find nothing, the size wishes are dropped and the result says so.
    """
    notes: list[str] = []
    widened: list[Widening] = []
    candidates = _candidates(table, request, rules, strict_size=True)
    if candidates.size == 0 and _has_size_wishes(request.needs):
        candidates = _candidates(table, request, rules, strict_size=False)
        if candidates.size:
            widened.append(Widening.SIZE)
            notes.append(f"没有{_size_wish_text(request.needs)}且符合预算的新房，已放宽面积和卧室数要求")
    if project_id is not None:
        candidates = candidates[table.project_id[candidates] == project_id]
    if candidates.size == 0:
        return MatchResult((), tuple(widened), tuple(notes))
    parts = _score_parts(table, candidates, request)
    score = sum(WEIGHTS[name] * values for name, values in parts.items()) * 100
    wanted = parts["district"] == 1.0 if request.needs.wanted_districts else np.zeros(candidates.size, bool)
    order = np.lexsort((table.unit_id[candidates], -score, ~wanted))
    picked, left_out = (order[:limit], {}) if project_id is not None else _diversified(table, candidates, order, limit)
    if request.needs.wanted_districts and project_id is None:
        notes += _district_notes(request.needs.wanted_districts, int(wanted.sum()), int(wanted[picked].sum()),
                                 len(picked))
        if not wanted.any():
            widened.append(Widening.DISTRICTS)
    matches = tuple(_explain(table, int(candidates[i]), float(score[i]), {k: float(v[i]) for k, v in parts.items()},
                             request, left_out.get(int(table.project_id[candidates[i]]), 0)) for i in picked)
    return MatchResult(matches, tuple(widened), tuple(notes))


def _candidates(table: UnitTable, request: MatchRequest, rules: ProgramRules, strict_size: bool) -> np.ndarray:
    low, high = _price_window(table, request, rules)
    if high <= low:
        return np.zeros(0, dtype=np.int64)
    window = slice(low, high)
    return np.flatnonzero(_hard_constraints(table, window, request, rules, strict_size)) + low


def _has_size_wishes(needs: Needs) -> bool:
    return needs.min_area_m2 is not None or needs.min_bedrooms is not None


def _size_wish_text(needs: Needs) -> str:
    wishes = []
    if needs.min_area_m2 is not None:
        wishes.append(f"面积不小于{needs.min_area_m2.normalize():f}㎡")
    if needs.min_bedrooms is not None:
        wishes.append(f"至少{needs.min_bedrooms}个卧室")
    return "、".join(wishes)


def _diversified(table: UnitTable, candidates: np.ndarray, order: np.ndarray,
                 limit: int) -> tuple[list[int], dict[int, int]]:
    """Walk the ranked candidates, keeping at most a few per project and per building.

    Returns the kept positions and, per project, how many of its matching units were left out.
    """
    picked: list[int] = []
    per_project: dict[int, int] = {}
    per_building: dict[int, int] = {}
    for position in order:
        row = candidates[position]
        project, building = int(table.project_id[row]), int(table.building_id[row])
        if per_project.get(project, 0) < MAX_PER_PROJECT and per_building.get(building, 0) < MAX_PER_BUILDING:
            picked.append(int(position))
            per_project[project] = per_project.get(project, 0) + 1
            per_building[building] = per_building.get(building, 0) + 1
            if len(picked) == limit:
                break
    projects, counts = np.unique(table.project_id[candidates], return_counts=True)
    left_out = {int(p): int(n) - per_project.get(int(p), 0) for p, n in zip(projects, counts, strict=False)}
    return picked, left_out


def _district_notes(wanted_codes: tuple[str, ...], in_wanted: int, shown_in_wanted: int, shown: int) -> list[str]:
    names = "、".join(DISTRICTS_BY_CODE[code].name for code in wanted_codes)
    if in_wanted == 0:
        return [f"您首选的{names}暂无符合条件的新房，以下为其他区县的房源"]
    if shown_in_wanted < shown:
        return [f"您首选的{names}有{in_wanted}套符合条件的新房，排在前面；其后为其他区县的房源"]
    return []


def _price_window(table: UnitTable, request: MatchRequest, rules: ProgramRules) -> tuple[int, int]:
    """Units are sorted by price, so the price bounds cut the table before any other test."""
    lowest = minimum_new_home_price(request.old_price, rules) if request.channel == "city_group" else 0
    highest = request.cash + request.max_loan
    if request.needs.budget_max is not None:
        highest = min(highest, request.needs.budget_max)
    return (int(np.searchsorted(table.price, lowest, side="left")),
            int(np.searchsorted(table.price, highest, side="right")))


def _hard_constraints(table: UnitTable, window: slice, request: MatchRequest, rules: ProgramRules,
                      strict_size: bool = True) -> np.ndarray:
    needs = request.needs
    area, bedrooms = table.area[window], table.bedrooms[window]
    ok = affordable_mask(table.price[window], area, request.cash, request.max_loan, rules)
    ok &= (area > float(request.old_area_m2)) | (bedrooms > request.old_bedrooms)   # a real improvement
    if strict_size and needs.min_area_m2 is not None:
        ok &= area >= float(needs.min_area_m2)
    if strict_size and needs.min_bedrooms is not None:
        ok &= bedrooms >= needs.min_bedrooms
    if needs.needs_elevator:
        ok &= table.elevator[window]
    if needs.move_in_by is not None:
        ok &= table.delivery[window] <= needs.move_in_by.toordinal()
    if request.channel == "city_group" and rules.new_home_main_urban_only:
        main_urban = np.array([DISTRICT_INDEX[code] for code in rules.main_urban_districts], dtype=np.int16)
        ok &= np.isin(table.district[window], main_urban)
    return ok


def _score_parts(table: UnitTable, rows: np.ndarray, request: MatchRequest) -> dict[str, np.ndarray]:
    """Each part in [0, 1]; see WEIGHTS."""
    budget = max(request.cash + request.max_loan, 1)
    share = table.price[rows] / budget
    wanted = np.array([DISTRICT_INDEX[c] for c in request.needs.wanted_districts], dtype=np.int16)
    district = (np.isin(table.district[rows], wanted).astype(float) if wanted.size
                else np.full(rows.size, 0.5))
    distance = distance_km_array(request.old_lat, request.old_lon, table.lat[rows], table.lon[rows])
    median = table.district_median[table.district[rows]]
    months_to_delivery = np.maximum(0, table.delivery[rows] - request.today.toordinal()) / 30.44
    return {
        "budget": np.clip(1 - np.abs(share - IDEAL_BUDGET_SHARE) / IDEAL_BUDGET_SHARE, 0, 1),
        "area": np.clip((table.area[rows] - float(request.old_area_m2)) / AREA_GAIN_FOR_FULL_MARKS, 0, 1),
        "district": district,
        "distance": np.clip(1 - distance / DISTANCE_FOR_ZERO_MARKS, 0, 1),
        "value": np.clip(0.5 + (median - table.unit_price[rows]) / median * 2.5, 0, 1),
        "delivery": np.clip(1 - months_to_delivery / DELIVERY_MONTHS_FOR_ZERO_MARKS, 0, 1),
        "offer": table.offer[rows].astype(float),
    }


def _explain(table: UnitTable, row: int, score: float, parts: dict[str, float], request: MatchRequest,
             more_in_project: int) -> UnitMatch:
    price, area = int(table.price[row]), Decimal(str(table.area[row])).quantize(Decimal("0.01"))
    budget = request.cash + request.max_loan
    reasons = [f"总价{price / 10_000:.0f}万元，在可用预算{budget / 10_000:.0f}万元之内"]
    gain = area - request.old_area_m2
    if gain > 0:
        reasons.append(f"面积比现住房大{gain}㎡")
    if table.bedrooms[row] > request.old_bedrooms:
        reasons.append(f"多{int(table.bedrooms[row]) - request.old_bedrooms}个卧室")
    district_name = ZHENGZHOU_DISTRICTS[table.district[row]].name
    if parts["district"] == 1.0:
        reasons.append(f"位于您首选的{district_name}")
    else:
        reasons.append(f"位于{district_name}")
    km = distance_km_array(request.old_lat, request.old_lon, table.lat[row:row + 1], table.lon[row:row + 1])[0]
    reasons.append(f"距现住房{km:.1f}公里")
    median = table.district_median[table.district[row]]
    difference = (median - table.unit_price[row]) / median * 100
    if abs(difference) >= 1:
        reasons.append(f"单价{'低' if difference > 0 else '高'}于本区新房中位数{abs(difference):.0f}%")
    delivery = date.fromordinal(int(table.delivery[row]))
    reasons.append("现房可入住" if delivery <= request.today else f"{delivery.year}年{delivery.month}月交付")
    if table.offer[row]:
        reasons.append("项目提供以旧换新优惠")
    project = int(table.project_id[row])
    return UnitMatch(int(table.unit_id[row]), table.labels[int(table.unit_id[row])], round(score, 2),
                     price, area, tuple(reasons), project, table.project_names[project],
                     bool(request.needs.wanted_districts) and parts["district"] == 1.0, more_in_project)


class BuyerTable:
    """Open applications as would-be buyers of an old home (the old-home side and chains)."""

    def __init__(self, rows: list[dict]):
        column = lambda name, dtype: np.array([row[name] for row in rows], dtype=dtype)  # noqa: E731
        self.application_id = column("application_id", np.int64)
        self.power = column("power", np.float64)          # most they can pay for a resale home
        self.min_area = np.array([float(row["min_area_m2"] or 0) for row in rows])
        self.old_area = column("old_area_m2", np.float64)
        self.old_bedrooms = column("old_bedrooms", np.int16)
        self.min_bedrooms = np.array([row["min_bedrooms"] or 0 for row in rows], dtype=np.int16)
        self.needs_elevator = column("needs_elevator", bool)
        self.wanted_mask = np.array([_district_mask(row["wanted_districts"]) for row in rows], dtype=np.int64)

    def __len__(self) -> int:
        return int(self.application_id.size)


def _district_mask(codes) -> int:
    mask = 0
    for code in codes:
        mask |= 1 << DISTRICT_INDEX[code]
    return mask


@dataclass(frozen=True)
class HomeOnOffer:
    application_id: int | None
    district_code: str
    area_m2: Decimal
    bedrooms: int
    has_elevator: bool
    price: int


@dataclass(frozen=True)
class BuyerMatch:
    application_id: int
    score: float
    reasons: tuple[str, ...]


def buyers_for(table: BuyerTable, home: HomeOnOffer, limit: int = 20) -> list[BuyerMatch]:
    """Applicants whose wants this old home fits, best first: budget room, then size margin."""
    district_bit = 1 << DISTRICT_INDEX[home.district_code]
    area = float(home.area_m2)
    ok = ((table.power >= home.price) & (table.min_area <= area) & (table.min_bedrooms <= home.bedrooms)
          & ((table.old_area < area) | (table.old_bedrooms < home.bedrooms))
          & (home.has_elevator | ~table.needs_elevator)
          & ((table.wanted_mask == 0) | ((table.wanted_mask & district_bit) != 0))
          & (table.application_id != (home.application_id or -1)))
    rows = np.flatnonzero(ok)
    if rows.size == 0:
        return []
    preferred = (table.wanted_mask[rows] & district_bit) != 0
    room = np.clip(1 - (home.price / table.power[rows] - IDEAL_BUDGET_SHARE) ** 2, 0, 1)
    score = 100 * (0.5 * room + 0.3 * preferred + 0.2 * np.clip((area - table.old_area[rows]) / 30, 0, 1))
    order = np.lexsort((table.application_id[rows], -score))[:limit]
    district = DISTRICTS_BY_CODE[home.district_code].name
    return [BuyerMatch(int(table.application_id[rows[i]]), round(float(score[i]), 2), tuple(filter(None, (
        f"对方购房能力约{table.power[rows[i]] / 10_000:.0f}万元，可承担本房约{home.price / 10_000:.0f}万元的价格",
        f"对方首选{district}" if preferred[i] else "",
        f"面积比对方现住房大{area - table.old_area[rows[i]]:.2f}㎡" if area > table.old_area[rows[i]] else
        "卧室多于对方现住房"))))
            for i in order]


# ----- how useful the lists are (docs/matching.md reports these on the demo data) ------------

SPREAD_PROJECTS = 5   # a list "spans" the market when its matches come from at least this many projects


@dataclass(frozen=True)
class MatchQuality:
    applications: int
    with_matches: int
    spanning: int               # lists with matches from at least SPREAD_PROJECTS projects
    wanted_available: int       # named districts, and matching units exist there
    wanted_honoured: int        # ... and the list puts those units first

    def share(self, part: int, whole: int) -> float:
        return part / whole if whole else 0.0


def wanted_units_exist(table: UnitTable, request: MatchRequest, rules: ProgramRules) -> bool:
    """Whether any unit passing the hard constraints lies in a wanted district, found directly."""
    if not request.needs.wanted_districts:
        return False
    wanted = np.array([DISTRICT_INDEX[c] for c in request.needs.wanted_districts], dtype=np.int16)
    rows = _candidates(table, request, rules, strict_size=True)
    if rows.size == 0:
        rows = _candidates(table, request, rules, strict_size=False)
    return bool(np.isin(table.district[rows], wanted).any())


def honours_wanted_districts(result: MatchResult) -> bool:
    """The first match is in a wanted district and none after a match elsewhere is."""
    flags = [m.in_wanted_district for m in result.matches]
    return bool(flags) and flags[0] and flags == sorted(flags, reverse=True)


def quality_of(outcomes: list[tuple[MatchResult, bool]]) -> MatchQuality:
    """``outcomes``: each application's result and whether wanted-district units exist for it."""
    return MatchQuality(
        applications=len(outcomes),
        with_matches=sum(bool(result.matches) for result, _ in outcomes),
        spanning=sum(len({m.project_id for m in result.matches}) >= SPREAD_PROJECTS for result, _ in outcomes),
        wanted_available=sum(exists for _, exists in outcomes),
        wanted_honoured=sum(exists and honours_wanted_districts(result) for result, exists in outcomes))
