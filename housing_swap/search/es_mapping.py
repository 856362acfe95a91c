"""Explicit Elasticsearch mappings that work on the core module set.

The test distribution has no analysis-common or mapper-extras module, so only the
``standard`` analyzer is used: it emits one token per Han character, which makes
``match_phrase`` an indexed substring match for Chinese names and addresses. ``keyword``
subfields serve exact match, sorting and aggregations; pinyin keys (initials and full) are
computed in Python and stored as keywords, matched inside by ``wildcard``; areas are doubles (``scaled_float`` needs mapper-extras).
A production cluster with richer analyzers can add subfields without changing queries.
"""
from __future__ import annotations

from .query import Kind

TEXT_WITH_KEYWORD = {
    "type": "text",
    "analyzer": "standard",
    "fields": {"raw": {"type": "keyword", "ignore_above": 256}},
}
TEXT = {"type": "text", "analyzer": "standard"}

_SHARED = {
    "id": {"type": "long"},
    "address": TEXT,
    "district_code": {"type": "keyword"},
    "district_name": {"type": "keyword"},
    "total_price": {"type": "long"},
    "unit_price": {"type": "long"},
    "area_m2": {"type": "double"},
    "bedrooms": {"type": "integer"},
    "living_rooms": {"type": "integer"},
    "floor": {"type": "integer"},
    "status": {"type": "keyword"},
    "location": {"type": "geo_point"},
}

LISTING_MAPPING = {
    "dynamic": "strict",
    "properties": {
        **_SHARED,
        "community": TEXT_WITH_KEYWORD,
        "community_pinyin": {"type": "keyword"},
        "description": TEXT,
        "build_year": {"type": "integer"},
        "total_floors": {"type": "integer"},
        "elevator": {"type": "boolean"},
        "verified": {"type": "boolean"},
        "listed_at": {"type": "date"},
    },
}

UNIT_MAPPING = {
    "dynamic": "strict",
    "properties": {
        **_SHARED,
        "project_id": {"type": "long"},
        "project_name": TEXT_WITH_KEYWORD,
        "project_pinyin": {"type": "keyword"},
        "building": {"type": "keyword"},
        "room": {"type": "keyword"},
        "in_program": {"type": "boolean"},
        "delivery_date": {"type": "date"},
        "listed_at": {"type": "date"},
    },
}

MAPPINGS = {Kind.LISTING: LISTING_MAPPING, Kind.UNIT: UNIT_MAPPING}
def index_settings(shards: int, replicas: int) -> dict:
    """Shards and replicas come from settings (HOUSING_SWAP_ELASTICSEARCH_SHARDS / _REPLICAS)."""
    return {"number_of_shards": shards, "number_of_replicas": replicas, "max_result_window": 10_000}
