"""One meaning, two backends: the same data gives the same ids and facet counts."""
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import select

from housing_swap.db.models import Community, Listing, ListingStatus
from housing_swap.extensions import db
from housing_swap.search.query import Kind, SearchQuery, Sort
from housing_swap.search.sql_backend import SqlSearchBackend

LISTING = SearchQuery(kind=Kind.LISTING, per_page=100)
UNIT = SearchQuery(kind=Kind.UNIT, per_page=100)

FILTER_QUERIES = [
    LISTING,
    replace(LISTING, districts=("410105", "410190")),
    replace(LISTING, min_price=800_000, max_price=2_000_000),
    replace(LISTING, min_unit_price=10_000, max_unit_price=20_000),
    replace(LISTING, min_area=Decimal("60"), max_area=Decimal("90")),
    replace(LISTING, area_below=Decimal("120"), min_build_year=2004),
    replace(LISTING, bedrooms=3, elevator=True),
    replace(LISTING, min_floor=2, max_floor=6),
    replace(LISTING, lat=34.7758, lon=113.686, radius_km=5),
    UNIT,
    replace(UNIT, program=True, bedrooms=4),
    replace(UNIT, districts=("410102",), max_price=2_500_000),
    replace(UNIT, lat=34.77, lon=113.73, radius_km=8),
]


def all_ids(backend, query: SearchQuery) -> set[int]:
    ids, page = set(), 1
    while True:
        result = backend.search(replace(query, page=page, sort=Sort.PRICE_ASC))
        ids |= {item["id"] for item in result.items}
        if page * query.per_page >= result.total:
            return ids
        page += 1


@pytest.mark.parametrize("query", FILTER_QUERIES, ids=lambda q: f"{q.kind}-{q.districts}-{q.min_price}-{q.radius_km}")
def test_filters_and_facets_mean_the_same_on_every_backend(backend, query):
    reference = SqlSearchBackend(db.session)
    expected = reference.search(query)
    got = backend.search(query)
    assert got.total == expected.total
    assert all_ids(backend, query) == all_ids(reference, query)
    assert got.facets == expected.facets


def test_filters_really_filter(backend):
    everything = backend.search(LISTING).total
    assert 0 < backend.search(replace(LISTING, districts=("410105",))).total < everything
    for item in backend.search(replace(LISTING, min_price=1_000_000, max_price=1_500_000)).items:
        assert 1_000_000 <= item["total_price"] <= 1_500_000
    for item in backend.search(replace(LISTING, lat=34.7758, lon=113.686, radius_km=3)).items:
        assert item["distance_km"] <= 3


def test_an_exact_community_name_comes_first(backend):
    name = db.session.scalar(select(Community.name).join(Listing, Listing.community_id == Community.id)
                             .where(Listing.status == ListingStatus.ACTIVE).order_by(Community.id).limit(1))
    result = backend.search(replace(LISTING, q=name, sort=Sort.RELEVANCE))
    assert result.items
    assert result.items[0]["community"] == name


def test_one_and_two_character_chinese_queries(backend):
    two = backend.search(replace(LISTING, q="金水"))
    assert two.total > 0
    assert all("金水" in (i["community"] + i["address"]) or i["district_code"] for i in two.items)
    one = backend.search(replace(LISTING, q="苑"))
    assert one.total > 0


def test_pinyin_initials_find_a_district_and_communities(backend):
    result = backend.search(replace(LISTING, q="jsq"))
    assert result.total > 0
    assert {item["district_code"] for item in result.items} == {"410105"}


def test_sorting_by_price_and_distance(backend):
    prices = [i["total_price"] for i in backend.search(replace(LISTING, sort=Sort.PRICE_DESC)).items]
    assert prices == sorted(prices, reverse=True)
    near = backend.search(replace(LISTING, lat=34.7758, lon=113.686, sort=Sort.DISTANCE, per_page=20)).items
    distances = [i["distance_km"] for i in near]
    assert distances == sorted(distances)


def test_only_public_rows_are_found(backend):
    statuses = {i["status"] for i in backend.search(LISTING).items} | {i["status"] for i in backend.search(UNIT).items}
    assert statuses <= {"active", "available"}
