"""Selling the old home to the city group or on the market, side by side: what is left for the new one.

Pure arithmetic over the same rules as the cash gap (``finance``): prices from the valuation's
range, the city group's offer capped by the offer ratio, the market's agency fee and seller taxes
from their two rates, the mortgage paid off, savings added, and the deed-tax subsidy and voucher
bonus of the quarter for a reference new home. Every figure is an estimate and carries its basis.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .finance import Finances, deed_tax_rate, sale_costs, subsidy_rate, whole_yuan
from .rules import ProgramRules

CITY_GROUP = "city_group"
MARKET = "market"


@dataclass(frozen=True)
class Span:
    """A low / expected / high estimate in yuan."""

    low: int
    expected: int
    high: int


@dataclass(frozen=True)
class ValuationRange:
    low: int
    estimate: int
    high: int


@dataclass(frozen=True)
class ReferenceHome:
    """The new home the subsidies are figured on (the household's top match, or one it chose)."""

    label: str
    price: int
    area_m2: Decimal


@dataclass(frozen=True)
class TimeToSell:
    days: int | None      # median days, None when the data are too thin to say
    basis: str


@dataclass(frozen=True)
class SaleRoute:
    channel: str
    price: Span
    agency_fees: Span          # none when the city group buys
    seller_taxes: Span         # none when the city group buys
    fees: Span                 # agency_fees + seller_taxes
    mortgage_payoff: int
    savings: int
    subsidies: int             # deed-tax subsidy + voucher bonus on the reference home
    left_for_new_home: Span    # price − fees − payoff + savings + subsidies
    time_to_sell: TimeToSell
    basis: tuple[str, ...]


def sale_route(channel: str, valuation: ValuationRange, finances: Finances, rules: ProgramRules,
               reference: ReferenceHome | None, months_since_approval: int, time_to_sell: TimeToSell) -> SaleRoute:
    """One way of selling, every line from the rules in force."""
    ratio = rules.offer_max_ratio_to_appraisal if channel == CITY_GROUP else Decimal(1)
    price = Span(*(whole_yuan(Decimal(value) * ratio) for value in (valuation.low, valuation.estimate, valuation.high)))
    costs = [sale_costs(value, channel, rules) for value in (price.low, price.expected, price.high)]
    agency_fees = Span(*(cost.agency_fee for cost in costs))
    seller_taxes = Span(*(cost.seller_taxes for cost in costs))
    fees = Span(*(cost.total for cost in costs))
    subsidies = 0
    if reference is not None:
        rate = subsidy_rate(deed_tax_rate(reference.area_m2, rules), rules, months_since_approval)
        subsidies = whole_yuan(reference.price * rate)
    fixed = finances.savings + subsidies - finances.remaining_mortgage
    left = Span(price.low - fees.low + fixed, price.expected - fees.expected + fixed, price.high - fees.high + fixed)
    return SaleRoute(channel, price, agency_fees, seller_taxes, fees, finances.remaining_mortgage, finances.savings, subsidies, left,
                     time_to_sell, _basis(channel, rules, reference, months_since_approval))


def _basis(channel: str, rules: ProgramRules, reference: ReferenceHome | None, months: int) -> tuple[str, ...]:
    lines = []
    if channel == CITY_GROUP:
        lines.append(f"收购价按估值区间乘以报价上限比例{_percent(rules.offer_max_ratio_to_appraisal)}估算，"
                     "以评估机构评估和城发集团正式报价为准；城发集团收购不收中介费")
    else:
        lines.append(f"成交价按估值区间估算；中介佣金按成交价的{_percent(rules.market_agency_fee_rate)}、"
                     f"卖方税费按成交价的{_percent(rules.market_seller_tax_rate)}估算，"
                     "实际以中介合同和税务核定为准（满五唯一等可免征部分税费）")
    if reference is None:
        lines.append("暂无匹配新房，未计入购房补贴")
    else:
        lines.append(f"购房补贴以{reference.label}（{reference.price / 10_000:.1f}万元）估算：契税补贴为契税的"
                     f"{rules.deed_tax_subsidy_percent}%，房票奖励为审核通过后第{months // 3 + 1}个季度的"
                     f"{rules.voucher_bonus_percent(months)}%")
    return tuple(lines)


def _percent(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}%"
