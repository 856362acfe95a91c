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
    failures: list[Reason] = list(build_year_reasons(home, on))
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


def build_year_reasons(home: OldHomeFacts, on: date) -> list[Reason]:
    """A home not built by the decision's year cannot be sold, in either channel."""
    if home.build_year > on.year:
        return [Reason("old_home_build_year", f"建成年份{home.build_year}年晚于{on.year}年，房屋尚未建成")]
    return []


def check_new_home_for_city_group(
    new_home: NewHomeFacts, old_sale_price: int | None, rules: ProgramRules
) -> Decision:
    """Every new-home rule that the known facts allow: the location always, the price when the
    old home's price is known."""
    failures = new_home_location_reasons((new_home.district_code,), rules, wanted=False)
    # Program facts, new home price: total ≥ price the group paid × ratio.
    if old_sale_price is not None:
        minimum = minimum_new_home_price(old_sale_price, rules)
        if new_home.total_price < minimum:
            failures.append(Reason("new_to_old_price_ratio",
                                   f"新房总价{new_home.total_price}元，低于要求的{minimum}元"))
    return Decision.from_failures(failures)


def new_home_location_reasons(districts: tuple[str, ...], rules: ProgramRules, wanted: bool) -> list[Reason]:
    """Program facts, new home location: the main urban area. ``districts`` are where the new
    home is, or (``wanted``) where the household would take one: at least one must qualify."""
    if not rules.new_home_main_urban_only or not districts or set(districts) & set(rules.main_urban_districts):
        return []
    if wanted:
        return [Reason("new_home_main_urban_only", "意向区县均不在主城区，而城发集团收购渠道的新房须位于主城区")]
    return [Reason("new_home_main_urban_only", "新房须位于主城区")]


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
    wanted_districts: tuple[str, ...] = ()


@dataclass(frozen=True)
class EligibilityDecision:
    decision: Decision
    counts_toward_pilot: bool


def check_eligibility(facts: EligibilityFacts, rules: ProgramRules) -> EligibilityDecision:
    """The one decision, for the public self-check and for applications alike: every reason for
    the chosen channel. The market channel only needs a sellable home."""
    if facts.channel == "city_group":
        failures = list(check_old_home_for_city_group(facts.old_home, rules, facts.decision_date).reasons)
        if facts.new_home is not None:
            failures += check_new_home_for_city_group(facts.new_home, facts.old_price, rules).reasons
        else:
            failures += new_home_location_reasons(facts.wanted_districts, rules, wanted=True)
        pilot = counts_toward_pilot(facts.old_home.district_code, facts.decision_date, rules)
    else:
        failures = build_year_reasons(facts.old_home, facts.decision_date)
        # Program facts: a seized home cannot be sold on the market either.
        if facts.old_home.seized:
            failures.append(Reason("old_home_no_seizure", "房屋处于司法查封状态，不能交易"))
        pilot = False
    decision = Decision.from_failures(failures)
    return EligibilityDecision(decision, pilot and decision.ok)
