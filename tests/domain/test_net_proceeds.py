"""Net proceeds: every line from the rules, the two routes differ exactly where the rules say."""
from dataclasses import replace
from decimal import Decimal

from housing_swap.domain.finance import Finances
from housing_swap.domain.net_proceeds import ReferenceHome, TimeToSell, ValuationRange, sale_route
from housing_swap.domain.rules import initial_rules

RULES = replace(initial_rules(), offer_max_ratio_to_appraisal=Decimal("0.95"), market_agency_fee_rate=Decimal("0.02"),
                market_seller_tax_rate=Decimal("0.01"),
                deed_tax_subsidy_percent=50, voucher_bonus_percents=(10, 5))
VALUATION = ValuationRange(1_000_000, 1_100_000, 1_200_000)
MONEY = Finances(remaining_mortgage=200_000, savings=150_000, max_loan=800_000)
HOME = ReferenceHome("测试新城 1号楼 1201", 2_000_000, Decimal("120.00"))
UNKNOWN = TimeToSell(None, "数据不足")


def test_the_city_group_pays_the_capped_offer_and_charges_no_fees():
    route = sale_route("city_group", VALUATION, MONEY, RULES, HOME, 4, UNKNOWN)
    assert (route.price.low, route.price.expected, route.price.high) == (950_000, 1_045_000, 1_140_000)
    assert (route.fees.low, route.fees.expected, route.fees.high) == (0, 0, 0)
    assert route.agency_fees.expected == route.seller_taxes.expected == 0
    subsidies = 2_000_000 * 1 // 100 // 2 + 2_000_000 * 5 // 100     # half the 1% deed tax + the 2nd quarter's 5%
    assert route.subsidies == subsidies
    assert route.left_for_new_home.expected == 1_045_000 - 200_000 + 150_000 + subsidies
    assert any("95%" in line for line in route.basis)
    assert any("第2个季度的5%" in line for line in route.basis)


def test_the_market_keeps_the_valuation_less_its_fees():
    route = sale_route("market", VALUATION, MONEY, RULES, HOME, 0, TimeToSell(45, "依据"))
    assert route.price.expected == 1_100_000
    assert (route.agency_fees.low, route.agency_fees.expected, route.agency_fees.high) == (20_000, 22_000, 24_000)
    assert (route.seller_taxes.low, route.seller_taxes.expected, route.seller_taxes.high) == (10_000, 11_000, 12_000)
    assert (route.fees.low, route.fees.expected, route.fees.high) == (30_000, 33_000, 36_000)
    assert route.left_for_new_home.low == 1_000_000 - 30_000 - 200_000 + 150_000 + route.subsidies
    assert route.left_for_new_home.high == 1_200_000 - 36_000 - 200_000 + 150_000 + route.subsidies
    assert route.subsidies == 10_000 + 200_000                       # first quarter: 10% voucher
    assert route.time_to_sell.days == 45
    assert any("中介佣金按成交价的2%" in line and "卖方税费按成交价的1%" in line for line in route.basis)


def test_without_a_new_home_no_subsidy_is_counted_and_the_basis_says_so():
    route = sale_route("market", VALUATION, MONEY, RULES, None, 0, UNKNOWN)
    assert route.subsidies == 0
    assert "暂无匹配新房，未计入购房补贴" in route.basis
