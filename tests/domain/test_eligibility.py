"""Rule boundaries of the city-group channel, with the seeded rule set as the baseline."""
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from housing_swap.domain.eligibility import (
    NewHomeFacts,
    OldHomeFacts,
    check_new_home_for_city_group,
    check_old_home_for_city_group,
    counts_toward_pilot,
)
from housing_swap.domain.rules import ProgramRules, initial_rules

RULES = initial_rules()
ON = date(2024, 5, 10)


def old_home(**changes) -> OldHomeFacts:
    base = OldHomeFacts(district_code="410105", build_year=2010, area_m2=Decimal("89.50"), seized=False)
    return replace(base, **changes)


def rules_failed(decision) -> set[str]:
    return {reason.rule for reason in decision.reasons}


def test_age_boundary_20_passes_21_fails():
    assert check_old_home_for_city_group(old_home(build_year=2004), RULES, ON).ok
    decision = check_old_home_for_city_group(old_home(build_year=2003), RULES, ON)
    assert rules_failed(decision) == {"old_home_max_age_years"}
    assert "21年" in decision.reasons[0].message


@pytest.mark.parametrize(("area", "inclusive", "ok"), [
    ("119.99", False, True), ("120.00", False, False), ("120.01", False, False),
    ("119.99", True, True), ("120.00", True, True), ("120.01", True, False),
])
def test_area_boundary_with_both_settings(area, inclusive, ok):
    rules = replace(RULES, old_home_max_area_inclusive=inclusive)
    assert check_old_home_for_city_group(old_home(area_m2=Decimal(area)), rules, ON).ok is ok


def test_every_failure_is_reported_not_just_the_first():
    decision = check_old_home_for_city_group(
        old_home(build_year=1995, area_m2=Decimal("130"), seized=True), RULES, ON)
    assert rules_failed(decision) == {"old_home_max_age_years", "old_home_max_area_m2", "old_home_no_seizure"}


def test_new_home_must_be_main_urban_and_not_cheaper():
    assert check_new_home_for_city_group(NewHomeFacts("410105", 1_200_000), 1_200_000, RULES).ok
    just_below = check_new_home_for_city_group(NewHomeFacts("410105", 1_199_999), 1_200_000, RULES)
    assert rules_failed(just_below) == {"new_to_old_price_ratio"}
    outside = check_new_home_for_city_group(NewHomeFacts("410122", 2_000_000), 1_200_000, RULES)
    assert rules_failed(outside) == {"new_home_main_urban_only"}


def test_pilot_window_edges():
    assert counts_toward_pilot("410105", date(2024, 4, 20), RULES)
    assert counts_toward_pilot("410190", date(2024, 6, 30), RULES)
    assert not counts_toward_pilot("410105", date(2024, 4, 19), RULES)
    assert not counts_toward_pilot("410105", date(2024, 7, 1), RULES)
    assert not counts_toward_pilot("410102", date(2024, 5, 1), RULES)


@given(max_age=st.integers(1, 40), age=st.integers(0, 60))
def test_age_rule_follows_its_parameter(max_age, age):
    rules = replace(RULES, old_home_max_age_years=max_age)
    decision = check_old_home_for_city_group(old_home(build_year=ON.year - age), rules, ON)
    assert decision.ok is (age <= max_age)


@given(ratio=st.decimals(min_value="0.5", max_value="2.0", places=2),
       old=st.integers(100_000, 5_000_000), new=st.integers(100_000, 10_000_000))
def test_price_rule_follows_its_ratio(ratio, old, new):
    rules = replace(RULES, new_to_old_price_ratio=ratio)
    decision = check_new_home_for_city_group(NewHomeFacts("410105", new), old, rules)
    assert decision.ok is (Decimal(new) >= Decimal(old) * ratio)


def test_rule_document_round_trips():
    assert ProgramRules.from_document(RULES.to_document()) == RULES
