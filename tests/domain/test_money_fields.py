"""Money typed as people type it becomes integer yuan, once, for every money field."""
from __future__ import annotations

import pytest

from housing_swap.domain.applications import APPLICATION_FIELDS
from housing_swap.domain.fields import FieldProblem, parse_fields, parse_yuan
from housing_swap.domain.listing_fields import LISTING_FIELDS

price = parse_yuan(10_000, 200_000_000)


@pytest.mark.parametrize(("typed", "yuan"), [
    ("1350000", 1_350_000), ("1,350,000", 1_350_000), ("1350000元", 1_350_000), ("135万", 1_350_000),
    ("135万元", 1_350_000), ("135.5万", 1_355_000), ("135.1234万", 1_351_234), ("１３５万", 1_350_000),
    ("１，３５０，０００", 1_350_000), ("135 万", 1_350_000), ("1350000.0", 1_350_000),
])
def test_amounts_in_yuan_or_wan(typed, yuan):
    assert price(typed) == yuan


@pytest.mark.parametrize(("typed", "message"), [
    ("abc", "应为金额"), ("135.12345万", "应为金额"), ("万", "应为金额"), ("1.5", "应为金额"),
    ("0.5万", "应在10000到200000000之间"), ("999999万", "应在10000到200000000之间"), ("-135万", "应为金额"),
])
def test_what_is_not_an_amount_says_how_to_write_one(typed, message):
    with pytest.raises(FieldProblem, match=message):
        price(typed)


def test_every_money_field_takes_wan():
    listing, errors = parse_fields(LISTING_FIELDS, {"asking_price": "135万"}, partial=True)
    assert (listing, errors) == ({"asking_price": 1_350_000}, {})
    application, errors = parse_fields(APPLICATION_FIELDS, {"savings": "30万", "budget_max": "250万"}, partial=True)
    assert application == {"savings": 300_000, "budget_max": 2_500_000}
