"""The household's money: what selling the old home yields and what a new home costs in cash.

All amounts are integer yuan. The same arithmetic serves the cash-gap calculator (one unit,
every line shown) and matching (``affordable_mask``, the same test over many units at once).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from .rules import ProgramRules

LARGE_HOME_M2 = Decimal("140")  # the deed-tax rate steps up above 140 m² (2024 national rule)


@dataclass(frozen=True)
class Finances:
    remaining_mortgage: int
    savings: int
    max_loan: int


@dataclass(frozen=True)
class SaleCosts:
    """What selling costs the seller: the agency's commission and the seller's taxes."""

    agency_fee: int
    seller_taxes: int

    @property
    def total(self) -> int:
        return self.agency_fee + self.seller_taxes


@dataclass(frozen=True)
class CashGap:
    old_sale_price: int
    sale_fees: int             # agency_fee + seller_taxes
    agency_fee: int
    seller_taxes: int
    mortgage_payoff: int
    savings: int
    new_home_price: int
    deed_tax: int
    subsidies: int
    down_payment_available: int
    loan_needed: int
    loan_allowed: int
    gap: int

    @property
    def affordable(self) -> bool:
        return self.gap == 0


def whole_yuan(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def sale_costs(old_sale_price: int, channel: str, rules: ProgramRules) -> SaleCosts:
    """Agency fee and seller taxes on an open-market sale; the city group charges neither."""
    if channel == "city_group":
        return SaleCosts(0, 0)
    return SaleCosts(whole_yuan(old_sale_price * rules.market_agency_fee_rate),
                     whole_yuan(old_sale_price * rules.market_seller_tax_rate))


def available_cash(old_sale_price: int, channel: str, finances: Finances, rules: ProgramRules) -> int:
    """Cash for the new home's down payment and taxes once the old home is sold and paid off."""
    costs = sale_costs(old_sale_price, channel, rules).total
    return old_sale_price - costs - finances.remaining_mortgage + finances.savings


def deed_tax_rate(area_m2: Decimal, rules: ProgramRules) -> Decimal:
    return rules.deed_tax_rate_large if area_m2 > LARGE_HOME_M2 else rules.deed_tax_rate_small


def subsidy_rate(deed_rate: Decimal, rules: ProgramRules, months_since_approval: int) -> Decimal:
    """Subsidies as a share of the new home's price: part of the deed tax plus any voucher bonus."""
    return (deed_rate * rules.deed_tax_subsidy_percent / 100
            + Decimal(rules.voucher_bonus_percent(months_since_approval)) / 100)


@dataclass(frozen=True)
class QuarterSubsidy:
    """What a household buying a new home of ``price`` would receive if it bought in the quarter
    ``quarter`` (1 = the first three months after approval; the last row: every later quarter)."""
    quarter: int
    voucher_bonus_percent: int
    deed_tax_subsidy: int
    voucher_bonus: int

    @property
    def total(self) -> int:
        return self.deed_tax_subsidy + self.voucher_bonus


def subsidy_schedule(price: int, area_m2: Decimal, rules: ProgramRules) -> list[QuarterSubsidy]:
    """The subsidies quarter by quarter since approval, falling as the voucher bonus falls."""
    deed_subsidy = whole_yuan(price * deed_tax_rate(area_m2, rules) * rules.deed_tax_subsidy_percent / 100)
    return [QuarterSubsidy(quarter + 1, percent, deed_subsidy, whole_yuan(Decimal(price) * percent / 100))
            for quarter in range(len(rules.voucher_bonus_percents) + 1)
            for percent in (rules.voucher_bonus_percent(quarter * 3),)]


def cash_gap(old_sale_price: int, channel: str, finances: Finances, new_home_price: int,
             new_home_area_m2: Decimal, rules: ProgramRules, months_since_approval: int = 0) -> CashGap:
    """Sale proceeds − payoff − fees + savings + subsidies → down payment; the rest is loan or gap."""
    return cash_gap_of_sales([(old_sale_price, channel)], finances, new_home_price, new_home_area_m2, rules,
                             months_since_approval)


def cash_gap_of_sales(sales: list[tuple[int, str]], finances: Finances, new_home_price: int,
                      new_home_area_m2: Decimal, rules: ProgramRules, months_since_approval: int = 0) -> CashGap:
    """The cash gap when one or more old homes (price, channel: joined homes) pay for one new home;
    ``finances`` carries every mortgage and the savings and loan once."""
    costs = [sale_costs(price, channel, rules) for price, channel in sales]
    old_sale_price = sum(price for price, _ in sales)
    agency_fee, seller_taxes = sum(c.agency_fee for c in costs), sum(c.seller_taxes for c in costs)
    rate = deed_tax_rate(new_home_area_m2, rules)
    deed_tax = whole_yuan(new_home_price * rate)
    subsidies = whole_yuan(new_home_price * subsidy_rate(rate, rules, months_since_approval))
    cash = old_sale_price - agency_fee - seller_taxes - finances.remaining_mortgage + finances.savings + subsidies
    loan_allowed = min(finances.max_loan, whole_yuan(new_home_price * (1 - rules.min_down_payment_ratio)))
    loan_needed = max(0, new_home_price + deed_tax - cash)
    return CashGap(old_sale_price, agency_fee + seller_taxes, agency_fee, seller_taxes, finances.remaining_mortgage,
                   finances.savings, new_home_price,
                   deed_tax, subsidies, cash, loan_needed, loan_allowed, max(0, loan_needed - loan_allowed))


def affordable_mask(prices: np.ndarray, areas: np.ndarray, cash: int, max_loan: int,
                    rules: ProgramRules) -> np.ndarray:
    """``cash_gap(...).gap == 0`` for many units at once (no voucher: it depends on the date)."""
    small, large = (float(r * (1 - Decimal(rules.deed_tax_subsidy_percent) / 100))
                    for r in (rules.deed_tax_rate_small, rules.deed_tax_rate_large))
    net_tax = np.where(areas > float(LARGE_HOME_M2), large, small)
    loan = np.minimum(max_loan, prices * (1 - float(rules.min_down_payment_ratio)))
    # A yuan of slack absorbs the rounding cash_gap does per line.
    return prices * (1 + net_tax) - loan <= cash + 1
