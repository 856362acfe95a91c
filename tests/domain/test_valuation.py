"""Valuation: comparables adjusted by the fitted model, the model alone without them, held-out error."""
import random
from datetime import date
from decimal import Decimal

import pandas as pd

from housing_swap.domain.valuation import Subject, ValuationModel, holdout_mdape

AS_OF = date(2024, 10, 1)
DISTRICT_PRICE = {"410105": 19000, "410122": 7500, "410102": 12500}


def synthetic_evidence(seed: int = 7, communities: int = 30, per_community: int = 12) -> pd.DataFrame:
    """Prices made from a known rule: district level × community level × age × noise."""
    rng = random.Random(seed)
    rows, next_id = [], 1
    for community in range(1, communities + 1):
        district = list(DISTRICT_PRICE)[community % 3]
        level = rng.lognormvariate(0, 0.10)
        build_year = rng.randint(2000, 2020)
        for _ in range(per_community):
            area = rng.uniform(55, 140)
            price = area * DISTRICT_PRICE[district] * level * (1 - 0.006 * (2024 - build_year)) \
                * rng.lognormvariate(0, 0.05)
            rows.append({"id": next_id, "kind": "sale", "community_id": community, "district_code": district,
                         "area_m2": round(area, 2), "floor": rng.randint(1, 18), "total_floors": 18,
                         "build_year": build_year, "price": int(round(price, -3)),
                         "on": (date(2024, 1, 1).toordinal() + rng.randrange(270))})
            next_id += 1
    return pd.DataFrame(rows)


def test_estimate_uses_comparables_and_brackets_the_value():
    evidence = synthetic_evidence()
    model = ValuationModel(evidence, AS_OF)
    sample = evidence.iloc[5]
    subject = Subject(int(sample.community_id), sample.district_code, Decimal(str(sample.area_m2)),
                      int(sample.floor), 18, int(sample.build_year))
    valuation = model.value(subject)
    assert valuation.method == "comparables"
    assert valuation.low < valuation.estimate < valuation.high
    assert 0 < len(valuation.comparables) <= 12
    assert all(c.kind == "sale" for c in valuation.comparables)
    assert abs(valuation.estimate - sample.price) / sample.price < 0.15
    assert abs(valuation.unit_price * float(subject.area_m2) - valuation.estimate) < 1_000


def test_without_comparables_the_model_speaks_and_says_so():
    model = ValuationModel(synthetic_evidence(), AS_OF)
    valuation = model.value(Subject(None, "410105", Decimal("90.00"), 5, 18, 2012))
    assert valuation.method == "model"
    assert valuation.comparables == ()
    expected = 90 * 19000 * (1 - 0.006 * 12)
    assert abs(valuation.estimate - expected) / expected < 0.15
    assert "仅供参考" in valuation.caveat


def test_bigger_and_newer_homes_value_higher_in_the_same_community():
    model = ValuationModel(synthetic_evidence(), AS_OF)
    base = Subject(3, "410105", Decimal("80.00"), 5, 18, 2010)
    assert model.value(Subject(3, "410105", Decimal("120.00"), 5, 18, 2010)).estimate > model.value(base).estimate


def test_held_out_error_is_small_on_data_with_a_known_rule():
    mdape, count = holdout_mdape(synthetic_evidence(), AS_OF)
    assert count > 50
    assert mdape < 0.08
