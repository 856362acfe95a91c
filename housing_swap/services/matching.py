"""Matching as use cases: one application's new homes and buyers, the cash gap, the batch run."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, insert, select, update

from ..db.base import utcnow
from ..db.models import (
    ApplicationEvent,
    ApplicationMatch,
    ApplicationStatus,
    Building,
    Community,
    District,
    Project,
    SwapApplication,
    Unit,
    UnitStatus,
)
from ..db.models.change_counters import APPLICATIONS, NEW_HOMES
from ..domain.applications import MATCHABLE
from ..domain.finance import CashGap, Finances, available_cash, cash_gap_of_sales
from ..domain.matching import (
    BuyerMatch,
    BuyerTable,
    HomeOnOffer,
    MatchQuality,
    MatchRequest,
    MatchResult,
    Needs,
    UnitTable,
    buyers_for,
    match_units,
    quality_of,
    wanted_units_exist,
)
from ..domain.rules import ProgramRules
from ..domain.timezones import beijing_date, beijing_today
from ..domain.valuation import Valuation
from ..extensions import db
from . import joined_homes
from .audit import record_event
from .errors import Conflict, NotFound
from .exclusive_runs import exclusive
from .rules import latest_rules
from .snapshots import snapshot
from .unit_of_work import unit_of_work
from .valuation import model as valuation_model
from .valuation import subject_of

TOP = 20
PROJECT_LIMIT = 200   # "more in this project": every match of one project, within reason


# ----- snapshots -----------------------------------------------------------------------------

def unit_table() -> UnitTable:
    return snapshot("unit_table", (NEW_HOMES,), _load_unit_table)


def _load_unit_table() -> UnitTable:
    rows = db.session.execute(
        select(Unit.id, Project.id, Project.district_code, Unit.list_price, Unit.area_m2, Unit.bedrooms,
               Unit.unit_price, Building.total_floors, Project.delivery_date, Project.lat, Project.lon,
               Project.swap_offer, Project.name, Building.name, Unit.room, Building.id)
        .join(Building, Building.id == Unit.building_id).join(Project, Project.id == Building.project_id)
        .where(Unit.status == UnitStatus.AVAILABLE, Project.in_swap_program)).all()
    return UnitTable([{
        "unit_id": r[0], "project_id": r[1], "district_code": r[2], "price": r[3], "area_m2": float(r[4]),
        "bedrooms": r[5], "unit_price": r[6], "has_elevator": r[7] > 6, "delivery_date": r[8],
        "lat": float(r[9]), "lon": float(r[10]), "has_offer": bool(r[11]), "label": f"{r[12]} {r[13]} {r[14]}",
        "building_id": r[15], "project_name": r[12],
    } for r in rows])


def buyer_table(rules: ProgramRules) -> BuyerTable:
    return snapshot("buyer_table", (APPLICATIONS,), lambda: _load_buyer_table(rules), also=rules)


def _load_buyer_table(rules: ProgramRules) -> BuyerTable:
    """Households as buyers, one row per lead application (a joined home's money is its lead's)."""
    applications = db.session.scalars(select(SwapApplication).where(
        SwapApplication.status.in_(MATCHABLE), SwapApplication.joined_to_id.is_(None))).all()
    joined = joined_homes.joined_to([a.id for a in applications])
    return BuyerTable([{
        "application_id": a.id, "power": min(resale_buying_power(a, rules, joined.get(a.id, [])),
                                             a.budget_max or 10**12),
        "min_area_m2": a.min_area_m2,
        "old_area_m2": float(a.old_area_m2), "old_bedrooms": a.old_bedrooms, "min_bedrooms": a.min_bedrooms,
        "needs_elevator": a.needs_elevator, "wanted_districts": a.wanted_districts or [],
    } for a in applications])


# ----- one application -----------------------------------------------------------------------

def finances(application: SwapApplication) -> Finances:
    return Finances(application.remaining_mortgage, application.savings, application.max_loan)


def matching_channel(application: SwapApplication) -> str:
    """City group when the household qualifies for it and did not rule it out, else the market."""
    return "city_group" if "city_group" in (application.eligible_channels or []) else "market"


def expected_sale_price(application: SwapApplication, rules: ProgramRules, channel: str) -> int:
    """The valuation, capped as the city group's offer would be; the asking price if not valued."""
    estimate = application.valuation_estimate or application.old_asking_price or 0
    if channel == "city_group":
        return int(Decimal(estimate) * rules.offer_max_ratio_to_appraisal)
    return estimate


def household_cash(application: SwapApplication, rules: ProgramRules,
                   joined: list[SwapApplication] | None = None) -> int:
    """Cash towards the new home once the old home is sold and paid off; for a lead application
    also every home joined to it (each sold by its own channel, each mortgage paid off), with the
    savings counted once (the lead's)."""
    if joined is None:
        joined = joined_homes.joined_to([application.id]).get(application.id, [])
    channel = matching_channel(application)
    cash = available_cash(expected_sale_price(application, rules, channel), channel, finances(application), rules)
    for home in joined:
        home_channel = matching_channel(home)
        cash += available_cash(expected_sale_price(home, rules, home_channel), home_channel,
                               Finances(home.remaining_mortgage, 0, 0), rules)
    return cash


def resale_buying_power(application: SwapApplication, rules: ProgramRules,
                        joined: list[SwapApplication] | None = None) -> int:
    cash = household_cash(application, rules, joined)
    if cash <= 0:
        return 0
    return int(min(cash + application.max_loan, cash / float(rules.min_down_payment_ratio + rules.deed_tax_rate_small)))


def match_request(application: SwapApplication, rules: ProgramRules, today: date,
                  joined: list[SwapApplication] | None = None) -> MatchRequest:
    """What the household asks for; the money pooled over the homes joined to it."""
    channel = matching_channel(application)
    old_price = expected_sale_price(application, rules, channel)
    lat, lon = _old_home_point(application)
    return MatchRequest(
        channel=channel, old_district_code=application.old_district_code, old_area_m2=application.old_area_m2,
        old_bedrooms=application.old_bedrooms, old_lat=lat, old_lon=lon, old_price=old_price,
        cash=household_cash(application, rules, joined), max_loan=application.max_loan,
        needs=Needs(tuple(application.wanted_districts or ()), application.min_area_m2, application.min_bedrooms,
                    application.budget_max, application.move_in_by, application.needs_elevator),
        today=today)


def _old_home_point(application: SwapApplication) -> tuple[float, float]:
    """The community's location, else the district seat."""
    if application.old_community_id:
        community = db.session.get(Community, application.old_community_id)
        return float(community.lat), float(community.lon)
    district = db.session.get(District, application.old_district_code)
    return float(district.lat), float(district.lon)


def require_matchable(application: SwapApplication) -> None:
    if application.status not in MATCHABLE:
        raise Conflict("申请审核通过后才能匹配房源")


def new_home_matches(application: SwapApplication, limit: int = TOP, project_id: int | None = None) -> MatchResult:
    """The household's top new homes, or with ``project_id`` every matching unit of one project.
    A joined home's new homes are its lead application's (one purchase for the bundle)."""
    require_matchable(application)
    application = joined_homes.lead_of(application)
    _, rules = latest_rules()
    return match_units(unit_table(), match_request(application, rules, beijing_today()), rules,
                       PROJECT_LIMIT if project_id is not None else limit, project_id)


@dataclass(frozen=True)
class CityGroupOffer:
    low: int
    high: int


@dataclass(frozen=True)
class OldHomeBuyers:
    city_group: CityGroupOffer | None
    households: list[BuyerMatch]


def old_home_buyers(application: SwapApplication, valuation: Valuation | None, limit: int = TOP) -> OldHomeBuyers:
    """The city group (with an indicative range) when the home qualifies, and fitting households."""
    require_matchable(application)
    _, rules = latest_rules()
    offer = None
    if valuation is not None and "city_group" in (application.eligible_channels or []):
        ratio = rules.offer_max_ratio_to_appraisal
        offer = CityGroupOffer(int(valuation.low * ratio), int(valuation.high * ratio))
    home = HomeOnOffer(application.id, application.old_district_code, application.old_area_m2,
                       application.old_bedrooms, application.old_has_elevator,
                       application.valuation_estimate or application.old_asking_price or 0)
    return OldHomeBuyers(offer, buyers_for(buyer_table(rules), home, limit) if home.price else [])


def cash_gap_for_unit(application: SwapApplication, unit_id: int, today: date | None = None) -> CashGap:
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("房源不存在")
    _, rules = latest_rules()
    homes = joined_homes.bundle_of(application)
    lead = homes[0]
    sales = [(expected_sale_price(home, rules, matching_channel(home)), matching_channel(home)) for home in homes]
    pooled = Finances(sum(home.remaining_mortgage for home in homes), lead.savings, lead.max_loan)
    return cash_gap_of_sales(sales, pooled, unit.list_price, unit.area_m2, rules,
                             months_since_approval(lead, today or beijing_today()))


def months_since_approval(application: SwapApplication, today: date) -> int:
    """Whole 30-day months since the decision: the voucher bonus falls by quarter of these."""
    approved = beijing_date(application.decided_at) if application.decided_at else today
    return max(0, (today - approved).days // 30)


def match_quality(advance: Callable[[int], None] = lambda n: None) -> MatchQuality:
    """How useful every open application's list is: spread over projects, wanted districts first."""
    today = beijing_today()
    _, rules = latest_rules()
    table = unit_table()
    outcomes = []
    leads = db.session.scalars(select(SwapApplication).where(
        SwapApplication.status.in_(MATCHABLE), SwapApplication.joined_to_id.is_(None))
        .order_by(SwapApplication.id)).all()
    joined = joined_homes.joined_to([application.id for application in leads])
    for application in leads:
        request = match_request(application, rules, today, joined.get(application.id, []))
        outcomes.append((match_units(table, request, rules, TOP), wanted_units_exist(table, request, rules)))
        advance(1)
    return quality_of(outcomes)


# ----- the batch run ---------------------------------------------------------------------------

@dataclass(frozen=True)
class RunSummary:
    applications: int
    matched: int
    stored_matches: int


@exclusive("match run")
def run_matching(advance: Callable[[int], None] = lambda n: None, batch: int = 500) -> RunSummary:
    """Top matches for every open application, stored; eligible ones with a match become matched.

    Valuations are refreshed first (one model fit for all), then matched in batches that each
    commit, so a long run shows progress and an interruption keeps what was done.
    """
    today = beijing_today()
    _, rules = latest_rules()
    table = unit_table()
    estimator = _estimator()
    ids = db.session.scalars(select(SwapApplication.id).where(SwapApplication.status.in_(MATCHABLE))
                             .order_by(SwapApplication.id)).all()
    matched = stored = 0
    for start in range(0, len(ids), batch):
        with unit_of_work():
            chunk = db.session.scalars(select(SwapApplication).where(
                SwapApplication.id.in_(ids[start:start + batch])).order_by(SwapApplication.id)).all()
            rows, newly_matched = [], []
            joined = joined_homes.joined_to([application.id for application in chunk])
            for application in chunk:
                application.valuation_estimate = estimator(application) or application.valuation_estimate
                if application.joined_to_id is not None:
                    continue        # one purchase for the bundle: its matches are the lead's
                for home in joined.get(application.id, []):
                    home.valuation_estimate = estimator(home) or home.valuation_estimate
                request = match_request(application, rules, today, joined.get(application.id, []))
                found = match_units(table, request, rules, TOP).matches
                rows += [{"application_id": application.id, "unit_id": m.unit_id, "rank": rank,
                          "score": Decimal(str(m.score)), "reasons": list(m.reasons), "computed_at": utcnow()}
                         for rank, m in enumerate(found, start=1)]
                if found and application.status == ApplicationStatus.ELIGIBLE:
                    newly_matched.append(application.id)
                matched += bool(found)
            _store(chunk, rows, newly_matched)
        stored += len(rows)
        advance(len(chunk))
    summary = RunSummary(len(ids), matched, stored)
    with unit_of_work():
        record_event("matching.run", "application_match", None, after=asdict(summary))
    return summary


def _estimator() -> Callable[[SwapApplication], int | None]:
    """One model fit for the whole run; without enough evidence, estimates stay as they were."""
    try:
        fitted = valuation_model()
    except ValueError:
        return lambda application: None
    return lambda application: fitted.value(subject_of(application)).estimate


def _store(chunk: list[SwapApplication], rows: list[dict], newly_matched: list[int]) -> None:
    ids = [application.id for application in chunk]
    db.session.execute(delete(ApplicationMatch).where(ApplicationMatch.application_id.in_(ids)))
    if rows:
        db.session.execute(insert(ApplicationMatch), rows)
    if newly_matched:
        db.session.execute(update(SwapApplication).where(SwapApplication.id.in_(newly_matched))
                           .values(status=ApplicationStatus.MATCHED, version=SwapApplication.version + 1),
                           execution_options={"synchronize_session": False})
        db.session.execute(insert(ApplicationEvent), [
            {"application_id": i, "status": ApplicationStatus.MATCHED, "note": "已为您匹配到符合条件的新房",
             "actor_user_id": None, "at": utcnow()} for i in newly_matched])

