"""Matching respects every hard constraint, orders by score, and explains with the real numbers."""
from dataclasses import replace
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from housing_swap.domain.districts import ZHENGDONG_LOCAL_CODE
from housing_swap.domain.finance import Finances, available_cash, cash_gap
from housing_swap.domain.matching import (
    BuyerTable,
    HomeOnOffer,
    MatchRequest,
    Needs,
    UnitTable,
    Widening,
    buyers_for,
    match_units,
)
from housing_swap.domain.rules import initial_rules

RULES = initial_rules()
TODAY = date(2024, 6, 1)


def unit(unit_id, price, area, bedrooms=3, district="410105", floors=18, delivery=date(2025, 6, 30), offer=False,
         lat=34.7758, lon=113.6860, project=None, building=None):
    """A unit row; by default each unit is its own project and building."""
    project = unit_id if project is None else project
    return {"unit_id": unit_id, "project_id": project, "building_id": unit_id if building is None else building,
            "project_name": f"项目{project}", "district_code": district, "price": price, "area_m2": area,
            "bedrooms": bedrooms, "unit_price": round(price / area), "has_elevator": floors > 6,
            "delivery_date": delivery, "lat": lat, "lon": lon, "has_offer": offer, "label": f"单元{unit_id}"}


def request(**changes) -> MatchRequest:
    base = MatchRequest(channel="market", old_district_code="410105", old_area_m2=Decimal("80.00"), old_bedrooms=2,
                        old_lat=34.7758, old_lon=113.6860, old_price=1_000_000, cash=600_000, max_loan=1_000_000,
                        needs=Needs(), today=TODAY)
    return replace(base, **changes)


def affordable(price: int, area: float, r: MatchRequest) -> bool:
    """The calculator's own verdict, with the request's cash handed over as savings."""
    gap = cash_gap(0, "city_group", Finances(0, r.cash, r.max_loan), price, Decimal(str(area)), RULES)
    return gap.affordable


UNITS = [
    unit(1, 1_300_000, 100.0), unit(2, 1_600_000, 120.0), unit(3, 900_000, 78.0, bedrooms=2),
    unit(4, 1_000_000, 95.0, district="410122"), unit(5, 1_450_000, 110.0, floors=6),
    unit(6, 5_000_000, 200.0, bedrooms=4), unit(7, 1_200_000, 90.0, delivery=date(2027, 12, 31)),
    unit(8, 1_250_000, 96.0, offer=True),
]
TABLE = UnitTable(UNITS)


def test_only_affordable_improvements_are_offered():
    found = {m.unit_id for m in match_units(TABLE, request(), RULES).matches}
    assert 3 not in found          # smaller and no more bedrooms than the old home
    assert 6 not in found          # far beyond the budget
    for m in match_units(TABLE, request(), RULES).matches:
        assert affordable(m.price, float(m.area_m2), request())


def test_city_group_channel_adds_main_urban_and_minimum_price():
    r = request(channel="city_group", old_price=1_250_000)
    found = {m.unit_id for m in match_units(TABLE, r, RULES).matches}
    assert 4 not in found                       # 中牟县 is outside the main urban area
    assert all(m.price >= 1_250_000 for m in match_units(TABLE, r, RULES).matches)
    assert 4 in {m.unit_id for m in match_units(TABLE, request(), RULES).matches}  # the market allows it


def test_needs_are_hard_constraints():
    needs = Needs(min_area_m2=Decimal("100"), min_bedrooms=3, budget_max=1_500_000, needs_elevator=True,
                  move_in_by=date(2026, 1, 1))
    found = match_units(TABLE, request(needs=needs), RULES).matches
    assert {m.unit_id for m in found} == {1}
    assert [m.unit_id for m in match_units(TABLE, request(needs=replace(needs, needs_elevator=False)), RULES).matches] \
        .count(5) == 1


def test_results_are_ordered_by_score():
    scores = [m.score for m in match_units(TABLE, request(), RULES).matches]
    assert scores == sorted(scores, reverse=True)


def test_explanations_match_the_numbers():
    r = request(needs=Needs(wanted_districts=("410105",)))
    for m in match_units(TABLE, r, RULES).matches:
        text = "，".join(m.reasons)
        gain = m.area_m2 - r.old_area_m2
        if gain > 0:
            assert f"面积比现住房大{gain}㎡" in text
        assert f"总价{m.price / 10_000:.0f}万元" in text
        source = next(u for u in UNITS if u["unit_id"] == m.unit_id)
        assert ("位于您首选的金水区" in text) is (source["district_code"] == "410105")
        assert ("项目提供以旧换新优惠" in text) is source["has_offer"]


@settings(max_examples=60, deadline=None)
@given(cash=st.integers(0, 2_000_000), loan=st.integers(0, 3_000_000), min_area=st.integers(60, 160),
       channel=st.sampled_from(["market", "city_group"]), old_price=st.integers(300_000, 2_000_000))
def test_every_result_satisfies_every_hard_constraint(cash, loan, min_area, channel, old_price):
    r = request(cash=cash, max_loan=loan, channel=channel, old_price=old_price,
                needs=Needs(min_area_m2=Decimal(min_area)))
    result = match_units(TABLE, r, RULES)

    def fits(u, area_floor):
        """A brute-force reading of the same constraints, one unit at a time."""
        return (u["area_m2"] >= area_floor and (u["area_m2"] > 80 or u["bedrooms"] > 2)
                and affordable(u["price"], u["area_m2"], r)
                and (channel == "market" or (u["district_code"] != "410122" and u["price"] >= old_price)))

    strict = {u["unit_id"] for u in UNITS if fits(u, min_area)}
    relaxed = {u["unit_id"] for u in UNITS if fits(u, 0)}
    # The size wish is dropped exactly when, taken strictly, it leaves nothing; the result says so.
    expected = strict or relaxed
    assert {m.unit_id for m in result.matches} == expected
    assert (Widening.SIZE in result.widened) is (not strict and bool(relaxed))
    for m in result.matches:
        assert m.price <= cash + loan
        if channel == "city_group":
            assert m.price >= old_price


def test_cash_gap_lines_add_up():
    rules = replace(RULES, deed_tax_subsidy_percent=50, voucher_bonus_percents=(20, 16, 12))
    gap = cash_gap(1_000_000, "market", Finances(200_000, 100_000, 800_000), 1_500_000, Decimal("120"), rules,
                   months_since_approval=4)
    assert (gap.agency_fee, gap.seller_taxes, gap.sale_fees) == (10_000, 10_000, 20_000)
    assert gap.deed_tax == 15_000
    assert gap.subsidies == 7_500 + 240_000          # half the deed tax + the 16% voucher of months 4-6
    assert gap.down_payment_available == 1_000_000 - 20_000 - 200_000 + 100_000 + 247_500
    assert gap.loan_needed == 1_500_000 + 15_000 - gap.down_payment_available
    assert gap.gap == max(0, gap.loan_needed - min(800_000, 1_275_000))
    assert available_cash(1_000_000, "city_group", Finances(0, 0, 0), rules) == 1_000_000


def test_voucher_bonus_falls_by_quarter_then_stops():
    rules = replace(RULES, voucher_bonus_percents=(20, 16, 12))
    assert [rules.voucher_bonus_percent(m) for m in (0, 2, 3, 6, 8, 9, 30)] == [20, 20, 16, 12, 12, 0, 0]


def test_buyers_for_an_old_home_fit_their_wants():
    table = BuyerTable([
        {"application_id": 1, "power": 1_500_000, "min_area_m2": Decimal("80"), "old_area_m2": 60.0,
         "old_bedrooms": 1, "min_bedrooms": 2, "needs_elevator": False, "wanted_districts": ["410105"]},
        {"application_id": 2, "power": 800_000, "min_area_m2": None, "old_area_m2": 50.0, "old_bedrooms": 1,
         "min_bedrooms": None, "needs_elevator": False, "wanted_districts": []},
        {"application_id": 3, "power": 2_000_000, "min_area_m2": None, "old_area_m2": 60.0, "old_bedrooms": 1,
         "min_bedrooms": None, "needs_elevator": True, "wanted_districts": []},
        {"application_id": 4, "power": 2_000_000, "min_area_m2": None, "old_area_m2": 60.0, "old_bedrooms": 1,
         "min_bedrooms": None, "needs_elevator": False, "wanted_districts": ["410122"]},
        {"application_id": 5, "power": 2_000_000, "min_area_m2": None, "old_area_m2": 60.0, "old_bedrooms": 1,
         "min_bedrooms": None, "needs_elevator": False, "wanted_districts": []},
    ])
    home = HomeOnOffer(5, "410105", Decimal("89.00"), 2, False, 1_000_000)
    found = buyers_for(table, home)
    # 2 cannot afford it, 3 needs a lift, 4 wants another district, 5 is the seller itself.
    assert [b.application_id for b in found] == [1]
    assert "对方首选金水区" in found[0].reasons


def one_building_and_a_few_others():
    """Twelve near-identical rooms of one building in 二七区, and single units in four other projects."""
    rows = [unit(100 + i, 1_500_000 + i * 1_000, 125.0, district="410103", project=50, building=500)
            for i in range(12)]
    rows += [unit(200 + i, 1_700_000 + i * 10_000, 121.0, district=code, project=60 + i, building=600 + i)
             for i, code in enumerate(("410105", "410105", "410103", "410102"))]
    return UnitTable(rows)


def test_wanted_districts_come_first_and_no_building_fills_the_list():
    table = one_building_and_a_few_others()
    wishes = Needs(wanted_districts=("410105", ZHENGDONG_LOCAL_CODE), min_area_m2=Decimal("120"))
    result = match_units(table, request(cash=1_000_000, max_loan=2_000_000, needs=wishes), RULES)
    ids = [m.unit_id for m in result.matches]
    assert ids[:2] == [200, 201]                           # 金水区 first, by score
    assert all(m.in_wanted_district for m in result.matches[:2])
    assert not any(m.in_wanted_district for m in result.matches[2:])
    from_the_building = [m for m in result.matches if m.project_id == 50]
    assert len(from_the_building) == 2                     # at most two per building
    assert from_the_building[0].more_in_project == 10      # the rest one click away
    assert len({m.project_id for m in result.matches}) == 5
    assert result.widened == ()
    assert result.notes == ("您首选的金水区、郑东新区有2套符合条件的新房，排在前面；其后为其他区县的房源",)


def test_more_in_this_project_lists_every_matching_unit_of_it():
    table = one_building_and_a_few_others()
    result = match_units(table, request(cash=1_000_000, max_loan=2_000_000), RULES, project_id=50)
    assert sorted(m.unit_id for m in result.matches) == [100 + i for i in range(12)]
    assert [m.score for m in result.matches] == sorted((m.score for m in result.matches), reverse=True)
    assert {m.project_id for m in result.matches} == {50}


def test_an_empty_wish_is_said_and_widened_not_silently_ignored():
    table = one_building_and_a_few_others()
    nowhere = Needs(wanted_districts=("410122",))
    result = match_units(table, request(cash=1_000_000, max_loan=2_000_000, needs=nowhere), RULES)
    assert result.matches
    assert Widening.DISTRICTS in result.widened
    assert result.notes == ("您首选的中牟县暂无符合条件的新房，以下为其他区县的房源",)

    too_big = Needs(min_area_m2=Decimal("300"), min_bedrooms=5)
    result = match_units(table, request(cash=1_000_000, max_loan=2_000_000, needs=too_big), RULES)
    assert result.matches
    assert result.widened == (Widening.SIZE,)
    assert result.notes == ("没有面积不小于300㎡、至少5个卧室且符合预算的新房，已放宽面积和卧室数要求",)

    unaffordable = match_units(table, request(cash=0, max_loan=0, needs=too_big), RULES)
    assert unaffordable.matches == ()
    assert unaffordable.widened == ()
