"""The public eligibility self-check: API and page."""
from datetime import date
from decimal import Decimal

import pytest

from housing_swap.domain.finance import subsidy_schedule
from housing_swap.domain.rules import ProgramRules
from housing_swap.extensions import db
from housing_swap.services.rules import current_rules

BASE = {"channel": "city_group", "decision_date": "2024-05-10",
        "old_home": {"district_code": "410105", "build_year": 2008, "area_m2": "89.50", "seized": False,
                     "price": 1200000},
        "new_home": {"district_code": "410105", "total_price": 1500000}}


def check(client, **changes):
    body = {**BASE, **changes}
    return client.post("/api/v1/eligibility", json=body)


def test_a_qualifying_pilot_household(client):
    body = check(client).get_json()
    assert body == {"eligible": True, "reasons": [], "rule_version": 1, "counts_toward_pilot": True,
                    "subsidies": [], "subsidy_note": "现行规则没有契税补贴或房票奖励"}


@pytest.mark.parametrize(("old_home", "new_home", "rules"), [
    ({"build_year": 2003}, None, {"old_home_max_age_years"}),
    ({"area_m2": "120.00"}, None, {"old_home_max_area_m2"}),
    ({"seized": True, "build_year": 1990}, None, {"old_home_no_seizure", "old_home_max_age_years"}),
    ({}, {"district_code": "410122", "total_price": 1500000}, {"new_home_main_urban_only"}),
    ({}, {"district_code": "410105", "total_price": 1199999}, {"new_to_old_price_ratio"}),
])
def test_every_failing_rule_is_named(client, old_home, new_home, rules):
    body = check(client, old_home={**BASE["old_home"], **old_home}, new_home=new_home or BASE["new_home"]).get_json()
    assert body["eligible"] is False
    assert body["counts_toward_pilot"] is False
    assert {reason["rule"] for reason in body["reasons"]} == rules
    assert all(reason["message"] for reason in body["reasons"])


def test_pilot_window_and_market_channel(client):
    assert check(client, decision_date="2024-07-01").get_json()["counts_toward_pilot"] is False
    market = check(client, channel="market", old_home={**BASE["old_home"], "build_year": 1990}).get_json()
    assert market["eligible"] is True
    assert market["counts_toward_pilot"] is False


@pytest.mark.parametrize(("body", "field"), [
    ({"channel": "swap"}, "channel"), ({"decision_date": "yesterday"}, "decision_date"),
    ({"old_home": "big"}, "old_home"), ({"old_home": {**BASE["old_home"], "area_m2": "abc"}}, "old_home.area_m2"),
    ({"old_home": {**BASE["old_home"], "district_code": "999999"}}, "old_home.district_code"),
    ({"old_home": {**BASE["old_home"], "seized": "no"}}, "old_home.seized"),
    ({"new_home": {"district_code": "410105"}}, "new_home.total_price"),
])
def test_malformed_facts_answer_422(client, body, field):
    response = check(client, **body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["details"]


def test_self_check_page(client):
    page = client.post("/eligibility", data={"channel": "city_group", "district_code": "410105", "build_year": "2000",
                                             "area_m2": "125", "decision_date": "2024-05-10"})
    text = page.get_data(as_text=True)
    assert "暂不符合条件" in text
    assert "房龄24年" in text
    assert "建筑面积125.00㎡" in text
    bad = client.post("/eligibility", data={"channel": "city_group", "build_year": "abc"})
    assert bad.status_code == 422
    assert "应为整数" in bad.get_data(as_text=True)


def test_the_subsidies_by_quarter_follow_the_rules():
    rules = ProgramRules(deed_tax_subsidy_percent=50, voucher_bonus_percents=(3, 2))
    rows = subsidy_schedule(1_500_000, Decimal("100"), rules)
    assert [(r.quarter, r.deed_tax_subsidy, r.voucher_bonus, r.total) for r in rows] == [
        (1, 7_500, 45_000, 52_500), (2, 7_500, 30_000, 37_500), (3, 7_500, 0, 7_500)]


def test_the_self_check_shows_the_quarters_subsidies(app, client):
    version, _ = current_rules(date(2024, 5, 10))
    version.document = {**version.document, "deed_tax_subsidy_percent": 50, "voucher_bonus_percents": [3, 2]}
    db.session.commit()
    body = check(client).get_json()
    assert [row["total"] for row in body["subsidies"]] == [52_500, 37_500, 7_500]
    without_price = check(client, new_home=None).get_json()
    assert without_price["subsidies"] == []
    assert "契税补贴50%" in without_price["subsidy_note"]
    page = client.post("/eligibility", data={"channel": "city_group", "decision_date": "2024-05-10",
                                             "district_code": "410105", "build_year": "2008", "area_m2": "89.50",
                                             "new_district_code": "410105", "new_total_price": "1500000"})
    text = page.get_data(as_text=True)
    assert "购房补贴测算（按季度）" in text
    assert "52,500元" in text
