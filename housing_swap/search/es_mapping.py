"""Explicit Elasticsearch mappings that work on the core module set.

The test distribution has no analysis-common module, so only the ``standard`` analyzer is
used: it emits one token per Han character, which makes ``match_phrase`` an indexed
substring match for Chinese names and addresses. ``keyword`` subfields serve exact match,
sorting and aggregations; pinyin initials are computed in Python and stored as keywords.
"""
from __future__ import annotations

TEXT_WITH_KEYWORD = {
    "type": "text",
    "analyzer": "standard",
    "fields": {"raw": {"type": "keyword", "ignore_above": 256}},
}

LISTING_MAPPING = {
    "dynamic": "strict",
    "properties": {
        "id": {"type": "long"},
        "community": TEXT_WITH_KEYWORD,
        "community_initials": {"type": "keyword"},
        "address": {"type": "text", "analyzer": "standard"},
        "description": {"type": "text", "analyzer": "standard"},
        "district_code": {"type": "keyword"},
        "district_name": {"type": "keyword"},
        "total_price": {"type": "long"},
        "unit_price": {"type": "long"},
        # scaled_float lives in the mapper-extras module, absent from the core set; a double
        # holds two-decimal areas exactly enough for range filters on equal literals.
        "area_m2": {"type": "double"},
        "bedrooms": {"type": "integer"},
        "build_year": {"type": "integer"},
        "floor": {"type": "integer"},
        "elevator": {"type": "boolean"},
        "status": {"type": "keyword"},
        "verified": {"type": "boolean"},
        "location": {"type": "geo_point"},
        "listed_at": {"type": "date"},
    },
}

INDEX_SETTINGS = {"number_of_shards": 1, "number_of_replicas": 0}
