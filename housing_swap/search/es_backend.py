"""The Elasticsearch backend: queries, and writing documents with external versions.

Reads go through an alias per kind (``<prefix>_listing``, ``<prefix>_unit``) so a rebuild can
switch indices without downtime. Writes carry the database row's version as an external
version: a retry or an out-of-order replay can never overwrite newer data.
"""
from __future__ import annotations

from elasticsearch import Elasticsearch, helpers

from ..domain.geo import counter_clockwise, distance_km
from .query import (
    AREA_BANDS,
    BEDROOM_BANDS,
    PRICE_BANDS,
    Kind,
    SearchQuery,
    SearchResult,
    Sort,
)
from .sources import item
from .sql_backend import band_facet, district_facet
from .text_terms import is_pinyin_word, text_terms

NAME_FIELD = {Kind.LISTING: "community", Kind.UNIT: "project_name"}
PINYIN_FIELD = {Kind.LISTING: "community_pinyin", Kind.UNIT: "project_pinyin"}
TEXT_FIELDS = {Kind.LISTING: ("community", "address", "description"), Kind.UNIT: ("project_name", "address")}
PUBLIC_STATUS = {Kind.LISTING: "active", Kind.UNIT: "available"}
NEWEST_FIELD = {Kind.LISTING: "listed_at", Kind.UNIT: "id"}


def alias_name(prefix: str, kind: Kind) -> str:
    return f"{prefix}_{kind.value}"


def quick_client(client: Elasticsearch, timeout_s: float) -> Elasticsearch:
    """At most ``timeout_s`` on a hung node (a timeout is not retried); a node that refuses the
    connection (stopped) fails at once and that one try is repeated on another node."""
    return client.options(request_timeout=timeout_s, max_retries=1, retry_on_timeout=False)


class ElasticsearchBackend:
    name = "elasticsearch"

    def __init__(self, client: Elasticsearch, prefix: str, shards: int = 1, replicas: int = 1,
                 search_timeout_s: float = 1.0):
        self.client = client
        self.prefix = prefix
        self.shards, self.replicas = shards, replicas
        self.search_timeout_s = search_timeout_s
        self.failed_at: float | None = None  # the circuit breaker: when a search last failed (monotonic)

    def search(self, query: SearchQuery) -> SearchResult:
        # A hung cluster costs at most search_timeout_s: then the service answers from SQL.
        response = quick_client(self.client, self.search_timeout_s).search(
            index=alias_name(self.prefix, query.kind), query=build_query(query), sort=build_sort(query),
            from_=query.offset, size=query.per_page, track_total_hits=True, aggs=FACET_AGGREGATIONS)
        items = []
        for hit in response["hits"]["hits"]:
            doc = hit["_source"]
            km = (distance_km(query.lat, query.lon, doc["location"]["lat"], doc["location"]["lon"])
                  if query.has_point else None)
            items.append(item(query.kind, doc, km))
        return SearchResult(items=items, total=response["hits"]["total"]["value"], page=query.page,
                            per_page=query.per_page, facets=_facets(response["aggregations"]), backend=self.name)

    # ----- writing -----------------------------------------------------------------------

    def write(self, kind: Kind, upserts: list[tuple[int, int, dict]], deletes: list[tuple[int, int]],
              index: str | None = None) -> None:
        """Index (id, version, document) and delete (id, version) with external versions."""
        target = index or alias_name(self.prefix, kind)
        actions = [{"_op_type": "index", "_index": target, "_id": str(doc_id), "version": version,
                    "version_type": "external", "_source": doc} for doc_id, version, doc in upserts]
        actions += [{"_op_type": "delete", "_index": target, "_id": str(doc_id), "version": version,
                     "version_type": "external"} for doc_id, version in deletes]
        if not actions:
            return
        # Through the alias, require that it exists: a missing alias must never make Elasticsearch
        # create a stray index with a guessed mapping.
        options = {} if index else {"require_alias": True}
        _, errors = helpers.bulk(self.client, actions, raise_on_error=False, refresh=False, **options)
        real = [e for e in errors if not _harmless(e)]
        if real:
            raise RuntimeError(f"{len(real)} search index writes failed, first: {real[0]}")


def _harmless(error: dict) -> bool:
    """A version conflict means the index already holds this or a newer version; a delete of
    a missing document has nothing to do. Both are what a retry is allowed to meet."""
    detail = next(iter(error.values()))
    return detail.get("status") == 409 or (next(iter(error)) == "delete" and detail.get("status") == 404)


def build_query(query: SearchQuery) -> dict:
    filters: list[dict] = [{"term": {"status": PUBLIC_STATUS[query.kind]}}]
    if query.districts:
        filters.append({"terms": {"district_code": list(query.districts)}})
    for field, low, high in (("total_price", query.min_price, query.max_price),
                             ("unit_price", query.min_unit_price, query.max_unit_price),
                             ("floor", query.min_floor, query.max_floor)):
        if low is not None or high is not None:
            filters.append({"range": {field: _bounds(gte=low, lte=high)}})
    if query.min_area is not None or query.max_area is not None or query.area_below is not None:
        filters.append({"range": {"area_m2": _bounds(
            gte=_float(query.min_area), lte=_float(query.max_area), lt=_float(query.area_below))}})
    if query.bedrooms is not None:
        filters.append({"range": {"bedrooms": {"gte": query.bedrooms}}})
    if query.kind == Kind.LISTING:
        if query.min_build_year is not None:
            filters.append({"range": {"build_year": {"gte": query.min_build_year}}})
        if query.elevator is not None:
            filters.append({"term": {"elevator": query.elevator}})
    if query.listed_since is not None:
        filters.append({"range": {"listed_at": {"gte": query.listed_since.isoformat()}}})
    if query.listed_before is not None:
        filters.append({"range": {"listed_at": {"lt": query.listed_before.isoformat()}}})
    if query.kind == Kind.UNIT and query.program is not None:
        filters.append({"term": {"in_program": query.program}})
    if query.radius_km is not None:
        filters.append({"geo_distance": {"distance": f"{query.radius_km}km", "distance_type": "arc",
                                         "location": {"lat": query.lat, "lon": query.lon}}})
    if query.bbox is not None:
        west, south, east, north = query.bbox
        filters.append({"geo_bounding_box": {"location": {"top_left": {"lat": north, "lon": west},
                                                          "bottom_right": {"lat": south, "lon": east}}}})
    if query.polygon:
        ring = [list(point) for point in counter_clockwise(query.polygon)]
        filters.append({"geo_shape": {"location": {
            "shape": {"type": "polygon", "coordinates": [ring + [ring[0]]]}, "relation": "intersects"}}})
    terms = text_terms(query.q)
    if terms.district_codes:
        filters.append({"terms": {"district_code": list(terms.district_codes)}})
    body: dict = {"filter": filters}
    if terms.words:
        body["must"] = [_word_query(query.kind, word) for word in terms.words]
        body["should"] = _name_boosts(query)
    return {"bool": body}


def _word_query(kind: Kind, word: str) -> dict:
    """One word, anywhere in the texts or (Latin letters) inside a pinyin key."""
    name = NAME_FIELD[kind]
    should: list[dict] = [{"match_phrase": {field: {"query": word, "boost": 10 if field == name else 1}}}
                          for field in TEXT_FIELDS[kind]]
    if is_pinyin_word(word):
        should.append({"wildcard": {PINYIN_FIELD[kind]: {"value": f"*{word}*", "boost": 5}}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def _name_boosts(query: SearchQuery) -> list[dict]:
    """The whole text as the exact name, or as a phrase in it, ranks first."""
    name = NAME_FIELD[query.kind]
    return [{"term": {f"{name}.raw": {"value": query.q, "boost": 100}}},
            {"match_phrase": {name: {"query": query.q, "boost": 10}}}]


def build_sort(query: SearchQuery) -> list:
    sort = query.effective_sort()
    newest = NEWEST_FIELD[query.kind]
    return {
        Sort.RELEVANCE: ["_score", {newest: "desc"}, {"id": "asc"}],
        Sort.PRICE_ASC: [{"total_price": "asc"}, {"id": "asc"}],
        Sort.PRICE_DESC: [{"total_price": "desc"}, {"id": "asc"}],
        Sort.UNIT_PRICE_ASC: [{"unit_price": "asc"}, {"id": "asc"}],
        Sort.AREA_DESC: [{"area_m2": "desc"}, {"id": "asc"}],
        Sort.NEWEST: [{newest: "desc"}, {"id": "asc"}],
        Sort.DISTANCE: [{"_geo_distance": {"location": {"lat": query.lat, "lon": query.lon}, "order": "asc",
                                           "unit": "km", "distance_type": "arc"}}, {"id": "asc"}],
    }[sort]


def _bounds(**limits) -> dict:
    return {name: value for name, value in limits.items() if value is not None}


def _float(value) -> float | None:
    return None if value is None else float(value)


def _ranges(bands) -> list[dict]:
    return [{"key": band.key, **_bounds(**{"from": band.low, "to": band.high})} for band in bands]


FACET_AGGREGATIONS = {
    "district": {"terms": {"field": "district_code", "size": 50}},
    "bedrooms": {"range": {"field": "bedrooms", "ranges": _ranges(BEDROOM_BANDS)}},
    "price_band": {"range": {"field": "total_price", "ranges": _ranges(PRICE_BANDS)}},
    "area_band": {"range": {"field": "area_m2", "ranges": _ranges(AREA_BANDS)}},
}


def _facets(aggregations: dict) -> dict[str, list[dict]]:
    facets = {"district": district_facet({b["key"]: b["doc_count"] for b in aggregations["district"]["buckets"]})}
    for name, bands in (("bedrooms", BEDROOM_BANDS), ("price_band", PRICE_BANDS), ("area_band", AREA_BANDS)):
        facets[name] = band_facet(bands, {b["key"]: b["doc_count"] for b in aggregations[name]["buckets"]})
    return facets

