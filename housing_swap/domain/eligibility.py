"""Eligibility of an old home and a new home for the city-group channel."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .decisions import Decision, Reason
from .rules import ProgramRules


@dataclass(frozen=True)
class OldHomeFacts:
    district_code: str
    build_year: int
    area_m2: Decimal
    seized: bool
    mortgaged: bool = False


@dataclass(frozen=True)
class NewHomeFacts:
    district_code: str
    total_price: int


def check_old_home_for_city_group(
    home: OldHomeFacts, rules: ProgramRules, on: date
) -> Decision:
    failures: list[Reason] = []
    age = on.year - home.build_year
    # Program facts, old home age: built within the last N years.
    if age > rules.old_home_max_age_years:
        failures.append(Reason("old_home_max_age_years",
                               f"房龄{age}年，超过{rules.old_home_max_age_years}年的上限"))
    # Program facts, old home area: under 120 m² (inclusive or exclusive by rule).
    if not _area_within(home.area_m2, rules):
        bound = "不超过" if rules.old_home_max_area_inclusive else "小于"
        failures.append(Reason("old_home_max_area_m2",
                               f"建筑面积{home.area_m2}㎡，需{bound}{rules.old_home_max_area_m2}㎡"))
    # Program facts, old home title: no court seizure.
    if rules.old_home_no_seizure and home.seized:
        failures.append(Reason("old_home_no_seizure", "房屋处于司法查封状态"))
    if rules.old_home_no_mortgage and home.mortgaged:
        failures.append(Reason("old_home_no_mortgage", "房屋存在未解除的抵押"))
    return Decision.from_failures(failures)


def check_new_home_for_city_group(
    new_home: NewHomeFacts, old_sale_price: int, rules: ProgramRules
) -> Decision:
    failures: list[Reason] = []
    # Program facts, new home location: main urban area.
    if rules.new_home_main_urban_only and new_home.district_code not in rules.main_urban_districts:
        failures.append(Reason("new_home_main_urban_only", "新房须位于主城区"))
    # Program facts, new home price: total ≥ price the group paid × ratio.
    minimum = minimum_new_home_price(old_sale_price, rules)
    if new_home.total_price < minimum:
        failures.append(Reason("new_to_old_price_ratio",
                               f"新房总价{new_home.total_price}元，低于要求的{minimum}元"))
    return Decision.from_failures(failures)


def minimum_new_home_price(old_sale_price: int, rules: ProgramRules) -> int:
    exact = Decimal(old_sale_price) * rules.new_to_old_price_ratio
    return int(exact.to_integral_value(rounding="ROUND_CEILING"))


def counts_toward_pilot(district_code: str, completed_on: date, rules: ProgramRules) -> bool:
    return (district_code in rules.pilot_districts
            and rules.pilot_start <= completed_on <= rules.pilot_end)


def _area_within(area: Decimal, rules: ProgramRules) -> bool:
    if rules.old_home_max_area_inclusive:
        return area <= rules.old_home_max_area_m2
    return area < rules.old_home_max_area_m2


CHANNELS = ("city_group", "market")


@dataclass(frozen=True)
class EligibilityFacts:
    channel: str
    decision_date: date
    old_home: OldHomeFacts
    old_price: int | None = None
    new_home: NewHomeFacts | None = None


@dataclass(frozen=True)
class EligibilityDecision:
    decision: Decision
    counts_toward_pilot: bool


def check_eligibility(facts: EligibilityFacts, rules: ProgramRules) -> EligibilityDecision:
    """Every reason, for the chosen channel. The market channel only needs a sellable home."""
    if facts.channel == "city_group":
        failures = list(check_old_home_for_city_group(facts.old_home, rules, facts.decision_date).reasons)
        if facts.new_home is not None and facts.old_price is not None:
            failures += check_new_home_for_city_group(facts.new_home, facts.old_price, rules).reasons
        pilot = counts_toward_pilot(facts.old_home.district_code, facts.decision_date, rules)
    else:
        # Program facts: a seized home cannot be sold on the market either.
        failures = [Reason("old_home_no_seizure", "房屋处于司法查封状态，不能交易")] if facts.old_home.seized else []
        pilot = False
    decision = Decision.from_failures(failures)
    return EligibilityDecision(decision, pilot and decision.ok)
