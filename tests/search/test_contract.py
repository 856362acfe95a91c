"""One meaning, two backends: the same data gives the same ids and facet counts."""
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import select

from housing_swap.db.models import Community, Listing, ListingStatus
from housing_swap.extensions import db
from housing_swap.search.query import Kind, SearchQuery, Sort
from housing_swap.search.sql_backend import SqlSearchBackend
from housing_swap.search.text_terms import full_pinyin, initials

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
    replace(LISTING, q="金水 花园"),
    replace(LISTING, q="花园 金水区"),
    replace(LISTING, q="花园", districts=("410105", "410190"), max_price=2_000_000),
    replace(LISTING, q="jsq", districts=("410105",), sort=Sort.AREA_DESC),
    replace(LISTING, q="jinshui huayuan"),
    replace(LISTING, q="jsq hy"),
    replace(LISTING, q="文化 花园"),
    replace(UNIT, q="zhengdong fu"),
    replace(LISTING, bbox=(113.6, 34.7, 113.75, 34.8)),
    replace(LISTING, polygon=((113.6, 34.7), (113.75, 34.72), (113.7, 34.82)), bedrooms=2),
    replace(UNIT, polygon=((113.8, 34.82), (113.6, 34.82), (113.6, 34.7), (113.8, 34.7))),  # clockwise
]


def all_ids(backend, query: SearchQuery) -> set[int]:
    ids, page = set(), 1
    while True:
        result = backend.search(replace(query, page=page, sort=Sort.PRICE_ASC))
        ids |= {item["id"] for item in result.items}
        if page * query.per_page >= result.total:
            return ids
        page += 1


@pytest.mark.parametrize("query", FILTER_QUERIES,
                         ids=lambda q: f"{q.kind}-{q.q}-{q.districts}-{q.min_price}-{q.radius_km}")
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


def test_several_words_are_all_required_in_any_order(backend):
    both = all_ids(backend, replace(LISTING, q="文化 花园"))
    assert both
    assert both == all_ids(backend, replace(LISTING, q="花园 文化"))
    assert both < all_ids(backend, replace(LISTING, q="花园"))
    assert both <= all_ids(backend, replace(LISTING, q="文化"))


def test_a_district_named_in_the_text_acts_as_the_district(backend):
    first = backend.search(replace(LISTING, q="花园", sort=Sort.PRICE_ASC)).items[0]
    code, name = first["district_code"], first["district_name"]
    in_district = all_ids(backend, replace(LISTING, q="花园", districts=(code,)))
    assert first["id"] in in_district
    short = name.removeprefix("郑州")  # short forms such as 金水 are in test_query_parsing
    for q in (f"{short} 花园", f"花园 {name}", f"花园\u3000{short}"):
        assert all_ids(backend, replace(LISTING, q=q)) == in_district, q
    assert all_ids(backend, replace(LISTING, q=name)) == all_ids(backend, replace(LISTING, districts=(code,)))


def all_items(backend, query: SearchQuery) -> list[dict]:
    return backend.search(replace(query, per_page=100, sort=Sort.PRICE_ASC)).items


def test_full_pinyin_and_initials_find_the_same_names(backend):
    named = {item["id"] for item in all_items(backend, replace(LISTING, q="花园")) if "花园" in item["community"]}
    assert named
    for q in ("huayuan", "HuaYuan", "ｈｕａｙｕａｎ", "hy"):
        assert named <= all_ids(backend, replace(LISTING, q=q)), q
    first = next(item for item in all_items(backend, replace(LISTING, q="花园")) if item["id"] in named)
    district = first["district_name"]
    by_initials = all_ids(backend, replace(LISTING, q=f"{initials(district)} hy"))
    by_full = all_items(backend, replace(LISTING, q=f"{full_pinyin(district)} huayuan"))
    assert first["id"] in by_initials & {item["id"] for item in by_full}
    for item in by_full:
        assert "huayuan" in full_pinyin(item["community"])
        assert item["district_code"] == first["district_code"] or full_pinyin(district) in full_pinyin(item["community"])


def test_a_map_view_and_a_drawn_area_hold_only_what_lies_inside(backend):
    view = (113.6, 34.7, 113.75, 34.8)
    inside_view = all_items(backend, replace(LISTING, bbox=view))
    assert inside_view
    assert all(view[0] <= i["lon"] <= view[2] and view[1] <= i["lat"] <= view[3] for i in inside_view)
    triangle = ((113.6, 34.7), (113.75, 34.72), (113.7, 34.82))
    in_triangle = all_ids(backend, replace(LISTING, polygon=triangle))
    assert 0 < len(in_triangle) < backend.search(LISTING).total
    west, south, east, north = 113.6, 34.7, 113.75, 34.82
    box = ((west, south), (east, south), (east, north), (west, north))
    assert in_triangle <= all_ids(backend, replace(LISTING, polygon=box))
    assert all_ids(backend, replace(LISTING, polygon=box)) == all_ids(backend, replace(LISTING, polygon=box[::-1]))
