"""The embedded search backend: SQL over the search rows (SQLite or PostgreSQL).

No server and no index to keep in sync: the search rows (``db/models/search_rows``) are
rewritten in the same transaction as each change, one narrow row per home on public offer
with every filter column and facet band. A query filters those rows, counts the facets in one
grouped scan of them, and reads the full documents of the one page it shows. Each word of the
text is required (any order): a substring match (the FTS5 phrase index on SQLite, ``ILIKE``
over a trigram index on PostgreSQL), so one- and two-character Chinese words work, or for
Latin letters a match inside the pinyin keys of the community or project.
"""
from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy import and_, case, column, func, literal_column, or_, select, table, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from ..db.base import contains_pattern
from ..db.models import Community, ListingSearchRow, Project, UnitSearchRow
from ..domain.districts import DISTRICTS_BY_CODE
from ..domain.geo import bounding_box, distance_km, point_in_polygon, polygon_bounds
from .query import (
    AREA_BANDS,
    BEDROOM_BANDS,
    PRICE_BANDS,
    Band,
    Kind,
    SearchQuery,
    SearchResult,
    Sort,
)
from .search_rows import SOURCES, match_expression
from .sources import COLUMNS, SELECTS, document, item
from .text_terms import is_pinyin_word, text_terms

FACET_BANDS = {"bedrooms": BEDROOM_BANDS, "price_band": PRICE_BANDS, "area_band": AREA_BANDS}
FACET_COLUMNS = {"bedrooms": "bedroom_band", "price_band": "price_band", "area_band": "area_band"}
ROWS = {Kind.LISTING: ListingSearchRow.__table__, Kind.UNIT: UnitSearchRow.__table__}
# Pinyin keys belong to the community or project: (its table, the row column naming it).
PINYIN_PARENTS = {Kind.LISTING: (Community.__table__, "community_id"), Kind.UNIT: (Project.__table__, "project_id")}
# The sort orders with an index of their own that carries every filter column (db/models/search_rows),
# and how many matches make walking that index cheaper than sorting the matches.
SORT_INDEXED = frozenset({Sort.PRICE_ASC, Sort.PRICE_DESC, Sort.UNIT_PRICE_ASC, Sort.AREA_DESC, Sort.NEWEST})
WALK_FROM_MATCHES = 2_000


class SqlSearchBackend:
    name = "sql"

    def __init__(self, session: Session):
        self.session = session

    def search(self, query: SearchQuery) -> SearchResult:
        rows = ROWS[query.kind]
        dialect = self.session.get_bind().dialect.name
        condition = and_(true(), *filter_conditions(query, dialect))
        if query.radius_km is not None or query.polygon or query.effective_sort() == Sort.DISTANCE:
            return self._search_in_python(query, condition)
        facets, total = self._facets(rows, condition)
        ids = self._page_ids(query, dialect, total) if total else []
        return SearchResult(items=[_item(query, doc) for doc in self._documents(query.kind, ids)], total=total,
                            page=query.page, per_page=query.per_page, facets=facets, backend=self.name)

    def _page_ids(self, query: SearchQuery, dialect: str, total: int) -> list[int]:
        """The ids of one page, in the query's order.

        With many matches, the page is read by walking the index of its sort order, checking each
        entry against the filters inside the index, and stopping after the page: about
        ``page end × rows ÷ matches`` entries, where sorting every match would visit them all
        (SQLite cannot tell a wide price range from a narrow one, so it is told: the filter columns
        are marked unindexable). With few matches, sorting them is cheaper.
        """
        rows = ROWS[query.kind]
        walk = dialect == "sqlite" and total >= WALK_FROM_MATCHES and query.effective_sort() in SORT_INDEXED
        columns = UnindexedColumns(rows.c) if walk else rows.c
        condition = and_(true(), *_filters(query, columns, dialect))
        return list(self.session.scalars(select(rows.c.id).where(condition).order_by(*order_by(query, rows, dialect))
                                         .offset(query.offset).limit(query.per_page)))

    def _documents(self, kind: Kind, ids: list[int]) -> list[dict]:
        """The full documents of one page, in the page's order."""
        if not ids:
            return []
        found = {row.id: document(kind, row)
                 for row in self.session.execute(SELECTS[kind]().where(COLUMNS[kind].id.in_(ids)))}
        return [found[row_id] for row_id in ids if row_id in found]

    # ----- facets ---------------------------------------------------------------------------

    def _facets(self, rows, condition) -> tuple[dict[str, list[dict]], int]:
        """All four facets from one grouped scan (at most 16 × 4 × 6 × 5 groups)."""
        bands = [rows.c[FACET_COLUMNS[name]] for name in FACET_BANDS]
        grouped = (select(rows.c.district_code, *bands, func.count()).where(condition)
                   .group_by(rows.c.district_code, *bands))
        return _facets_of(self.session.execute(grouped).all())

    # ----- distance ------------------------------------------------------------------------

    def _search_in_python(self, query: SearchQuery, condition) -> SearchResult:
        """A circle or a drawn area: its bounding box in SQL, the exact test (great-circle distance,
        point in polygon) in Python, then sort and page."""
        rows = ROWS[query.kind]
        if query.radius_km is not None:
            min_lat, max_lat, min_lon, max_lon = bounding_box(query.lat, query.lon, query.radius_km)
            condition = and_(condition, rows.c.lat.between(min_lat, max_lat), rows.c.lon.between(min_lon, max_lon))
        if query.polygon:
            west, south, east, north = polygon_bounds(query.polygon)
            condition = and_(condition, rows.c.lat.between(south, north), rows.c.lon.between(west, east))
        candidates = self.session.execute(select(rows).where(condition)).all()
        if query.polygon:
            candidates = [row for row in candidates if point_in_polygon(row.lon, row.lat, query.polygon)]
        scored = [(distance_km(query.lat, query.lon, row.lat, row.lon) if query.has_point else 0.0, row)
                  for row in candidates]
        if query.radius_km is not None:
            scored = [(km, row) for km, row in scored if km <= query.radius_km]
        scored.sort(key=python_sort_key(query))
        page = scored[query.offset:query.offset + query.per_page]
        documents = self._documents(query.kind, [row.id for _, row in page])
        distances = {row.id: km for km, row in page}
        facets, _ = _facets_of([(row.district_code, row.bedroom_band, row.price_band, row.area_band, 1)
                                for _, row in scored])
        return SearchResult(items=[item(query.kind, doc, distances[doc["id"]] if query.has_point else None)
                                   for doc in documents],
                            total=len(scored), page=query.page, per_page=query.per_page, facets=facets,
                            backend=self.name)


def _facets_of(groups) -> tuple[dict[str, list[dict]], int]:
    """Facets from (district, bedroom band, price band, area band, count) groups, and their total."""
    counts: dict[str, dict[str, int]] = {"district": {}, **{name: {} for name in FACET_BANDS}}
    for district, bedrooms, price_band, area_band, count in groups:
        for name, key in (("district", district), ("bedrooms", bedrooms), ("price_band", price_band),
                          ("area_band", area_band)):
            counts[name][key] = counts[name].get(key, 0) + count
    facets = {"district": district_facet(counts["district"])}
    for name, bands in FACET_BANDS.items():
        facets[name] = band_facet(bands, counts[name])
    return facets, sum(count for *_, count in groups)


def _item(query: SearchQuery, doc: dict) -> dict:
    if not query.has_point:
        return item(query.kind, doc)
    km = distance_km(query.lat, query.lon, doc["location"]["lat"], doc["location"]["lon"])
    return item(query.kind, doc, km)


class UnindexedColumns:
    """A search row's columns marked with SQLite's unary ``+``: the same values, but a condition
    on them can no longer choose the index the statement is read through."""

    def __init__(self, columns):
        self._columns = columns

    def __getitem__(self, name: str):
        return unindexed(self._columns[name])

    def __getattr__(self, name: str):
        return self[name]


def unindexed(column):
    return UnaryExpression(column, operator=custom_op("+"), type_=column.type)


def filter_conditions(query: SearchQuery, dialect: str) -> list:
    """Every filter of ``query`` as conditions on its kind's search rows."""
    return _filters(query, ROWS[query.kind].c, dialect)


def _filters(query: SearchQuery, columns, dialect: str) -> list:
    return [condition for condition in _conditions(query, columns, dialect) if condition is not None]


def _conditions(query: SearchQuery, c, dialect: str):
    terms = text_terms(query.q)
    # Any superset of the districts the rows must lie in narrows the text index's lists.
    districts = query.districts or terms.district_codes
    for word in terms.words:
        yield _word_condition(query.kind, c, word, dialect, districts)
    yield c.district_code.in_(terms.district_codes) if terms.district_codes else None
    yield c.district_code.in_(query.districts) if query.districts else None
    if query.bbox is not None:
        west, south, east, north = query.bbox
        yield and_(c.lon.between(west, east), c.lat.between(south, north))
    yield c.price >= query.min_price if query.min_price is not None else None
    yield c.price <= query.max_price if query.max_price is not None else None
    yield c.unit_price >= query.min_unit_price if query.min_unit_price is not None else None
    yield c.unit_price <= query.max_unit_price if query.max_unit_price is not None else None
    yield c.area_m2 >= query.min_area if query.min_area is not None else None
    yield c.area_m2 <= query.max_area if query.max_area is not None else None
    yield c.area_m2 < query.area_below if query.area_below is not None else None
    yield c.bedrooms >= query.bedrooms if query.bedrooms is not None else None
    yield c.floor >= query.min_floor if query.min_floor is not None else None
    yield c.floor <= query.max_floor if query.max_floor is not None else None
    if query.kind == Kind.LISTING:
        yield c.build_year >= query.min_build_year if query.min_build_year is not None else None
        yield c.elevator.is_(query.elevator) if query.elevator is not None else None
    yield c.listed_at >= query.listed_since if query.listed_since is not None else None
    yield c.listed_at < query.listed_before if query.listed_before is not None else None
    if query.kind == Kind.UNIT and query.program is not None:
        yield c.in_program.is_(query.program)


def _contains(column, pattern: str, dialect: str):
    """SQLite's LIKE already ignores ASCII case; ILIKE there would wrap every row in lower()."""
    if dialect == "sqlite":
        return column.like(pattern, escape="\\")
    return column.ilike(pattern, escape="\\")


def _word_condition(kind: Kind, c, word: str, dialect: str, districts: tuple[str, ...]):
    """One word: in the full-text index on SQLite (LIKE when the word has nothing indexable),
    inside the row's text on PostgreSQL; for Latin letters also inside the pinyin keys."""
    phrase = match_expression(word, districts) if dialect == "sqlite" else None
    if phrase is not None:
        name = SOURCES[kind].text_table
        fts = table(name, column("rowid"))
        # Within districts the facet index holds a short range for them: probing each of its
        # entries for the word (the id kept from the primary key) beats fetching every matching
        # row, and costs at most the districts' size however common the word.
        row_id = unindexed(c.id) if districts else c.id
        matches = [row_id.in_(select(fts.c.rowid).where(literal_column(name).match(phrase)))]
    else:
        matches = [_contains(c.body, contains_pattern(word), dialect)]
    if is_pinyin_word(word):
        parent, parent_column = PINYIN_PARENTS[kind]
        matches.append(c[parent_column].in_(
            select(parent.c.id).where(parent.c.search_pinyin.like(contains_pattern(word)))))
    return or_(*matches)


def words_condition_like(q: str, texts: tuple, pinyin, district):
    """The same meaning of the text box for a plain table listing (no full-text index)."""
    terms = text_terms(q)
    conditions = []
    for word in terms.words:
        pattern = contains_pattern(word)
        matches = [text_column.ilike(pattern, escape="\\") for text_column in texts]
        if is_pinyin_word(word):
            matches.append(pinyin.like(pattern))
        conditions.append(or_(*matches))
    if terms.district_codes:
        conditions.append(district.in_(terms.district_codes))
    return and_(*conditions)


def order_by(query: SearchQuery, rows, dialect: str) -> list:
    c = rows.c
    newest = c.listed_at if query.kind == Kind.LISTING else c.id
    sort = query.effective_sort()
    if sort == Sort.RELEVANCE:
        pattern = contains_pattern(query.q)
        rank = case((c.name == query.q, 0), (_contains(c.name, pattern, dialect), 1), else_=2)
        return [rank, newest.desc(), c.id]
    return {
        Sort.PRICE_ASC: [c.price, c.id], Sort.PRICE_DESC: [c.price.desc(), c.id],
        Sort.UNIT_PRICE_ASC: [c.unit_price, c.id], Sort.AREA_DESC: [c.area_m2.desc(), c.id],
        Sort.NEWEST: [newest.desc(), c.id],
    }[sort]


def python_sort_key(query: SearchQuery):
    """The same orders as ``order_by``, over (distance, search row) pairs."""
    sort = query.effective_sort()
    newest = "listed_at" if query.kind == Kind.LISTING else "id"
    keys = {
        Sort.DISTANCE: lambda p: (p[0], p[1].id),
        Sort.PRICE_ASC: lambda p: (p[1].price, p[1].id),
        Sort.PRICE_DESC: lambda p: (-p[1].price, p[1].id),
        Sort.UNIT_PRICE_ASC: lambda p: (p[1].unit_price, p[1].id),
        Sort.AREA_DESC: lambda p: (-p[1].area_m2, p[1].id),
        Sort.NEWEST: lambda p: (_descending(getattr(p[1], newest)), p[1].id),
        Sort.RELEVANCE: lambda p: (_relevance(query.q, p[1].name), _descending(getattr(p[1], newest)), p[1].id),
    }
    return keys[sort]


def _descending(value) -> float:
    """A key that sorts ids or times newest first, missing times last (as SQL puts NULLs)."""
    if value is None:
        return math.inf
    return -value.timestamp() if isinstance(value, datetime) else -value


def _relevance(q: str, name: str) -> int:
    if name == q:
        return 0
    return 1 if q.lower() in name.lower() else 2


def district_facet(counts: dict[str, int]) -> list[dict]:
    return [{"key": code, "label": DISTRICTS_BY_CODE[code].name, "count": count}
            for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if count]


def band_facet(bands: tuple[Band, ...], counts: dict[str, int]) -> list[dict]:
    return [{"key": band.key, "label": band.label, "count": int(counts.get(band.key, 0))} for band in bands]
