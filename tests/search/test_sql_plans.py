"""The embedded backend reads a page either by sorting every match or, with many matches, by
walking the index of its sort order (``sql_backend._page_ids``). The two plans must give the
same pages in the same order; the walk must really read the sort index."""
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import event

from housing_swap.extensions import db
from housing_swap.search import sql_backend
from housing_swap.search.query import Kind, SearchQuery, Sort
from housing_swap.search.sql_backend import SORT_INDEXED, SqlSearchBackend

LISTING = SearchQuery(kind=Kind.LISTING, per_page=7)
UNIT = SearchQuery(kind=Kind.UNIT, per_page=7)
QUERIES = [
    LISTING,
    replace(LISTING, min_price=800_000, max_price=2_000_000),
    replace(LISTING, districts=("410105", "410190"), bedrooms=2, elevator=True),
    replace(LISTING, min_area=Decimal("60"), max_area=Decimal("90"), min_build_year=2004),
    replace(LISTING, q="花园"),
    replace(LISTING, q="jsq"),
    replace(LISTING, bbox=(113.6, 34.7, 113.75, 34.8), min_floor=2),
    UNIT,
    replace(UNIT, program=True, max_price=3_000_000),
    replace(UNIT, q="zhengdong"),
]


def _pages(query: SearchQuery, walk_from: int, monkeypatch) -> list[list[int]]:
    monkeypatch.setattr(sql_backend, "WALK_FROM_MATCHES", walk_from)
    backend = SqlSearchBackend(db.session)
    return [[item["id"] for item in backend.search(replace(query, page=page)).items] for page in (1, 2, 3)]


@pytest.mark.parametrize("sort", sorted(SORT_INDEXED))
@pytest.mark.parametrize("query", QUERIES, ids=lambda q: f"{q.kind}-{q.q}-{q.districts}-{q.min_price}")
def test_walking_the_sort_index_gives_the_pages_sorting_gives(seeded, monkeypatch, query, sort):
    query = replace(query, sort=sort)
    sorted_pages = _pages(query, walk_from=10**9, monkeypatch=monkeypatch)
    walked_pages = _pages(query, walk_from=1, monkeypatch=monkeypatch)
    assert walked_pages == sorted_pages
    assert sorted_pages[0], "each query should find something in the seeded set"


def test_with_many_matches_the_page_walks_its_sort_index(seeded, monkeypatch):
    if db.session.get_bind().dialect.name != "sqlite":
        pytest.skip("the walk is SQLite's plan; PostgreSQL chooses from its own statistics")
    monkeypatch.setattr(sql_backend, "WALK_FROM_MATCHES", 1)
    plans: list[str] = []

    def explain(connection, cursor, statement, parameters, context, executemany):
        if "ORDER BY" in statement and statement.lstrip().startswith("SELECT listing_search.id"):
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            plans.append(" | ".join(row[3] for row in plan))

    event.listen(db.engine, "before_cursor_execute", explain)
    try:
        SqlSearchBackend(db.session).search(replace(LISTING, min_price=800_000, max_price=2_000_000,
                                                    sort=Sort.UNIT_PRICE_ASC))
    finally:
        event.remove(db.engine, "before_cursor_execute", explain)
    assert plans == ["SCAN listing_search USING COVERING INDEX ix_listing_search_by_unit_price"]
