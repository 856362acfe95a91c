"""The embedded search backend: the live tables, queried with SQL (SQLite or PostgreSQL).

No server and no index to keep in sync: it reads the same rows the Elasticsearch documents
are built from. Each word of the text is required (any order): a substring match (the FTS5
phrase index on SQLite, ``ILIKE`` over trigram indexes on PostgreSQL), so one- and
two-character Chinese words work, or for Latin letters a match inside the pinyin keys.
"""
from __future__ import annotations

from sqlalchemy import Select, and_, bindparam, case, column, func, literal, or_, text
from sqlalchemy.orm import Session

from ..db.base import contains_pattern
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
from .sources import COLUMNS, SELECTS, Columns, document, item
from .text_index import match_expression
from .text_terms import is_pinyin_word, text_terms

FACET_BANDS = {"bedrooms": BEDROOM_BANDS, "price_band": PRICE_BANDS, "area_band": AREA_BANDS}


class SqlSearchBackend:
    name = "sql"

    def __init__(self, session: Session):
        self.session = session

    def search(self, query: SearchQuery) -> SearchResult:
        columns = COLUMNS[query.kind]
        selection = filtered_select(query, columns, self.session.get_bind().dialect.name)
        if query.radius_km is not None or query.polygon or query.effective_sort() == Sort.DISTANCE:
            return self._search_in_python(query, selection)
        facets, total = self._facets(selection, columns)
        rows = self.session.execute(selection.order_by(*order_by(query, columns))
                                    .offset(query.offset).limit(query.per_page)) if total else []
        documents = [document(query.kind, row) for row in rows]
        return SearchResult(items=[_item(query, doc) for doc in documents], total=total, page=query.page,
                            per_page=query.per_page, facets=facets, backend=self.name)

    # ----- facets ---------------------------------------------------------------------------

    def _facets(self, selection: Select, columns: Columns) -> dict[str, list[dict]]:
        """All four facets from one grouped scan (at most 16 × 4 × 6 × 5 groups)."""
        buckets = [_band_case(columns.bedrooms, BEDROOM_BANDS).label("bedrooms"),
                   _band_case(columns.price, PRICE_BANDS).label("price_band"),
                   _band_case(columns.area, AREA_BANDS).label("area_band")]
        grouped = selection.with_only_columns(columns.district.label("district"), *buckets, func.count())
        rows = self.session.execute(grouped.group_by(columns.district, *buckets)).all()
        counts: dict[str, dict[str, int]] = {"district": {}, **{name: {} for name in FACET_BANDS}}
        for district, bedrooms, price_band, area_band, count in rows:
            for name, key in (("district", district), ("bedrooms", bedrooms), ("price_band", price_band),
                              ("area_band", area_band)):
                counts[name][key] = counts[name].get(key, 0) + count
        facets = {"district": district_facet(counts["district"])}
        for name, bands in FACET_BANDS.items():
            facets[name] = band_facet(bands, counts[name])
        return facets, sum(count for *_, count in rows)

    # ----- distance ------------------------------------------------------------------------

    def _search_in_python(self, query: SearchQuery, selection: Select) -> SearchResult:
        """A circle or a drawn area: its bounding box in SQL, the exact test (great-circle distance,
        point in polygon) in Python, then sort and page."""
        columns = COLUMNS[query.kind]
        if query.radius_km is not None:
            min_lat, max_lat, min_lon, max_lon = bounding_box(query.lat, query.lon, query.radius_km)
            selection = selection.where(columns.lat.between(min_lat, max_lat), columns.lon.between(min_lon, max_lon))
        if query.polygon:
            west, south, east, north = polygon_bounds(query.polygon)
            selection = selection.where(columns.lat.between(south, north), columns.lon.between(west, east))
        documents = [document(query.kind, row) for row in self.session.execute(selection)]
        if query.polygon:
            documents = [d for d in documents
                         if point_in_polygon(d["location"]["lon"], d["location"]["lat"], query.polygon)]
        scored = [(distance_km(query.lat, query.lon, d["location"]["lat"], d["location"]["lon"])
                   if query.has_point else 0.0, d) for d in documents]
        if query.radius_km is not None:
            scored = [(km, d) for km, d in scored if km <= query.radius_km]
        scored.sort(key=python_sort_key(query))
        page = scored[query.offset:query.offset + query.per_page]
        return SearchResult(items=[item(query.kind, d, km if query.has_point else None) for km, d in page],
                            total=len(scored),
                            page=query.page, per_page=query.per_page,
                            facets=python_facets([d for _, d in scored]), backend=self.name)


def _item(query: SearchQuery, doc: dict) -> dict:
    if not query.has_point:
        return item(query.kind, doc)
    km = distance_km(query.lat, query.lon, doc["location"]["lat"], doc["location"]["lon"])
    return item(query.kind, doc, km)


def filtered_select(query: SearchQuery, columns: Columns, dialect: str) -> Select:
    selection = SELECTS[query.kind]().where(columns.status == columns.public_status)
    conditions = [condition for condition in _conditions(query, columns, dialect) if condition is not None]
    return selection.where(and_(*conditions)) if conditions else selection


def _conditions(query: SearchQuery, c: Columns, dialect: str):
    terms = text_terms(query.q)
    yield _words_condition(terms.words, c, dialect) if terms.words else None
    yield c.district.in_(terms.district_codes) if terms.district_codes else None
    yield c.district.in_(query.districts) if query.districts else None
    if query.bbox is not None:
        west, south, east, north = query.bbox
        yield and_(c.lon.between(west, east), c.lat.between(south, north))
    yield c.price >= query.min_price if query.min_price is not None else None
    yield c.price <= query.max_price if query.max_price is not None else None
    yield c.unit_price >= query.min_unit_price if query.min_unit_price is not None else None
    yield c.unit_price <= query.max_unit_price if query.max_unit_price is not None else None
    yield c.area >= query.min_area if query.min_area is not None else None
    yield c.area <= query.max_area if query.max_area is not None else None
    yield c.area < query.area_below if query.area_below is not None else None
    yield c.bedrooms >= query.bedrooms if query.bedrooms is not None else None
    yield c.floor >= query.min_floor if query.min_floor is not None else None
    yield c.floor <= query.max_floor if query.max_floor is not None else None
    if query.kind == Kind.LISTING:
        yield c.build_year >= query.min_build_year if query.min_build_year is not None else None
        yield c.elevator.is_(query.elevator) if query.elevator is not None else None
    yield c.listed_at >= query.listed_since if query.listed_since is not None else None
    yield c.listed_at < query.listed_before if query.listed_before is not None else None  # type: ignore[operator]
    if query.kind == Kind.UNIT and query.program is not None:
        yield c.program.is_(query.program)


def _contains(column, pattern: str, dialect: str):
    """SQLite's LIKE already ignores ASCII case; ILIKE there would wrap every row in lower()."""
    if dialect == "sqlite":
        return column.like(pattern, escape="\\")
    return column.ilike(pattern, escape="\\")


def _words_condition(words: tuple[str, ...], c: Columns, dialect: str):
    return and_(*(_word_condition(word, c.texts, c.pinyin, dialect, c.text_index) for word in words))


def _word_condition(word: str, texts: tuple, pinyin, dialect: str, text_index: tuple = ()):
    """One word: in the full-text index where there is one (SQLite), else inside any text column;
    for Latin letters also inside the pinyin keys."""
    phrase = match_expression(word) if dialect == "sqlite" and text_index else None
    if phrase is not None:
        matches = [id_column.in_(text(f"SELECT rowid FROM {table} WHERE {table} MATCH :phrase")
                                 .bindparams(bindparam("phrase", phrase, unique=True))  # one per word
                                 .columns(column("rowid")))
                   for table, id_column in text_index]
    else:
        pattern = contains_pattern(word)
        matches = [_contains(text_column, pattern, dialect) for text_column in texts]
    if is_pinyin_word(word):
        matches.append(pinyin.like(contains_pattern(word)))
    return or_(*matches)


def words_condition_like(q: str, texts: tuple, pinyin, district):
    """The same meaning of the text box for a plain table listing (no full-text index)."""
    terms = text_terms(q)
    conditions = [_word_condition(word, texts, pinyin, "") for word in terms.words]
    if terms.district_codes:
        conditions.append(district.in_(terms.district_codes))
    return and_(*conditions)


def order_by(query: SearchQuery, c: Columns) -> list:
    sort = query.effective_sort()
    if sort == Sort.RELEVANCE:
        pattern = contains_pattern(query.q)
        rank = case((c.name == query.q, 0), (c.name.ilike(pattern, escape="\\"), 1), else_=2)
        return [rank, c.newest.desc(), c.id]
    return {
        Sort.PRICE_ASC: [c.price, c.id], Sort.PRICE_DESC: [c.price.desc(), c.id],
        Sort.UNIT_PRICE_ASC: [c.unit_price, c.id], Sort.AREA_DESC: [c.area.desc(), c.id],
        Sort.NEWEST: [c.newest.desc(), c.id],
    }[sort]


def python_sort_key(query: SearchQuery):
    """The same orders as ``order_by``, over (distance, document) pairs."""
    sort = query.effective_sort()
    newest = "listed_at" if query.kind == Kind.LISTING else "id"
    keys = {
        Sort.DISTANCE: lambda p: (p[0], p[1]["id"]),
        Sort.PRICE_ASC: lambda p: (p[1]["total_price"], p[1]["id"]),
        Sort.PRICE_DESC: lambda p: (-p[1]["total_price"], p[1]["id"]),
        Sort.UNIT_PRICE_ASC: lambda p: (p[1]["unit_price"], p[1]["id"]),
        Sort.AREA_DESC: lambda p: (-p[1]["area_m2"], p[1]["id"]),
        Sort.NEWEST: lambda p: (_descending(p[1][newest]), p[1]["id"]),
        Sort.RELEVANCE: lambda p: (_relevance(query.q, p[1]), _descending(p[1][newest]), p[1]["id"]),
    }
    return keys[sort]


def _descending(value):
    if isinstance(value, (int, float)):
        return -value
    return "".join(chr(0x10FFFF - ord(ch)) for ch in (value or ""))


def _relevance(q: str, doc: dict) -> int:
    name = doc.get("community") or doc.get("project_name") or ""
    if name == q:
        return 0
    return 1 if q.lower() in name.lower() else 2


def _band_case(column, bands: tuple[Band, ...]):
    whens = []
    for band in bands:
        conditions = []
        if band.low is not None:
            conditions.append(column >= band.low)
        if band.high is not None:
            conditions.append(column < band.high)
        whens.append((and_(*conditions), literal(band.key)))
    return case(*whens, else_=literal(""))


def district_facet(counts: dict[str, int]) -> list[dict]:
    return [{"key": code, "label": DISTRICTS_BY_CODE[code].name, "count": count}
            for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if count]


def band_facet(bands: tuple[Band, ...], counts: dict[str, int]) -> list[dict]:
    return [{"key": band.key, "label": band.label, "count": int(counts.get(band.key, 0))} for band in bands]


def python_facets(documents: list[dict]) -> dict[str, list[dict]]:
    districts: dict[str, int] = {}
    for doc in documents:
        districts[doc["district_code"]] = districts.get(doc["district_code"], 0) + 1
    facets = {"district": district_facet(districts)}
    for name, field, bands in (("bedrooms", "bedrooms", BEDROOM_BANDS), ("price_band", "total_price", PRICE_BANDS),
                               ("area_band", "area_m2", AREA_BANDS)):
        counts = {band.key: sum(1 for d in documents if band.contains(d[field])) for band in bands}
        facets[name] = band_facet(bands, counts)
    return facets
