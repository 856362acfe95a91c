"""Net proceeds side by side: the city group or the market, from the valuation, the rules and the data."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from statistics import median

from sqlalchemy import select

from ..db.base import utcnow
from ..db.models import Acquisition, Community, Listing, ListingStatus, SwapApplication
from ..domain.net_proceeds import (
    CITY_GROUP,
    MARKET,
    ReferenceHome,
    SaleRoute,
    TimeToSell,
    ValuationRange,
    sale_route,
)
from ..domain.timezones import beijing_date
from ..extensions import db
from . import matching
from .errors import Conflict
from .rules import latest_rules
from .valuation import valuation_or_none

LOOKBACK_DAYS = 365          # sales and acquisitions of the last year speak for the time to sell
MIN_CASES = 3                # fewer cases than this and the figure is not given
AREA_BAND = Decimal("0.3")   # comparable listings: within ±30% of the home's area


@dataclass(frozen=True)
class NetProceeds:
    routes: tuple[SaleRoute, ...]     # the city group first when the household qualifies, then the market
    reference: ReferenceHome | None
    city_group_note: str | None       # why the city group's route is not shown, if it is not
    valuation_method: str
    caveat: str


def net_proceeds(application: SwapApplication, today: date | None = None) -> NetProceeds:
    matching.require_matchable(application)
    valuation = valuation_or_none(application)
    if valuation is None:
        raise Conflict("旧房所在小区和全区的成交数据不足，暂时无法估值，因而无法测算出售所得")
    today = today or beijing_date(utcnow())
    _, rules = latest_rules()
    top = matching.new_home_matches(application).matches
    reference = ReferenceHome(top[0].label, top[0].price, top[0].area_m2) if top else None
    months = matching.months_since_approval(application, today)
    estimate = ValuationRange(valuation.low, valuation.estimate, valuation.high)
    finances = matching.finances(application)
    routes = []
    city_group_note: str | None = "您的旧房暂不符合城发集团收购条件，仅可在市场出售"
    if CITY_GROUP in (application.eligible_channels or []):
        city_group_note = None
        routes.append(sale_route(CITY_GROUP, estimate, finances, rules, reference, months,
                                 city_group_time_to_sell(today)))
    routes.append(sale_route(MARKET, estimate, finances, rules, reference, months,
                             market_time_to_sell(application, today)))
    return NetProceeds(tuple(routes), reference, city_group_note, valuation.method, valuation.caveat)


def market_time_to_sell(application: SwapApplication, today: date) -> TimeToSell:
    """Median days from listing to sale of comparable homes sold in the last year: the district, else the city."""
    since = utcnow() - timedelta(days=LOOKBACK_DAYS)
    low, high = application.old_area_m2 * (1 - AREA_BAND), application.old_area_m2 * (1 + AREA_BAND)
    sold = (select(Listing.listed_at, Listing.sold_at).join(Community, Community.id == Listing.community_id)
            .where(Listing.status == ListingStatus.SOLD, Listing.sold_at >= since, Listing.listed_at.is_not(None),
                   Listing.area_m2.between(low, high)))
    district = db.session.execute(sold.where(Community.district_code == application.old_district_code)).all()
    if len(district) >= MIN_CASES:
        return TimeToSell(_median_days(district), f"本区近一年{len(district)}套面积相近的已成交挂牌房源，从挂牌到成交天数的中位数")
    city = db.session.execute(sold).all()
    if len(city) >= MIN_CASES:
        return TimeToSell(_median_days(city), f"本区成交不足{MIN_CASES}套，按全市近一年{len(city)}套面积相近的已成交挂牌房源估算")
    return TimeToSell(None, "近一年面积相近的成交房源不足，暂无法估计出售所需时间")


def city_group_time_to_sell(today: date) -> TimeToSell:
    """Median days from a case's opening to the signed purchase contract, over the last year's cases."""
    since = today - timedelta(days=LOOKBACK_DAYS)
    cases = db.session.execute(select(Acquisition.created_at, Acquisition.contract_signed_on).where(
        Acquisition.contract_signed_on.is_not(None), Acquisition.contract_signed_on >= since)).all()
    if len(cases) < MIN_CASES:
        return TimeToSell(None, "近一年城发集团签约的收购案例不足，暂无法估计所需时间")
    days = int(median((signed - beijing_date(opened)).days for opened, signed in cases if signed is not None))
    return TimeToSell(days, f"城发集团近一年{len(cases)}宗已签约收购，从受理到签订收购合同天数的中位数")


def _median_days(rows) -> int:
    return int(median((beijing_date(sold) - beijing_date(listed)).days for listed, sold in rows))
