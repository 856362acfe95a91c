"""Against the real Elasticsearch server: the project's mapping works on the core module set."""
import uuid

import pytest
from elasticsearch import BadRequestError

from housing_swap.search.es_client import make_client
from housing_swap.search.es_mapping import LISTING_MAPPING, index_settings
from tests.conftest import server_url

pytestmark = pytest.mark.elasticsearch

DOCUMENTS = [
    {"id": 1, "community": "金水花园", "community_pinyin": "jshy", "address": "金水区花园路12号",
     "description": "南北通透", "district_code": "410105", "district_name": "金水区",
     "total_price": 1_800_000, "unit_price": 20_000, "area_m2": 90.0, "bedrooms": 2,
     "build_year": 2010, "floor": 6, "elevator": True, "status": "active", "verified": True,
     "location": {"lat": 34.7758, "lon": 113.686}, "listed_at": "2024-05-01T08:00:00Z"},
    {"id": 2, "community": "二七新村", "community_pinyin": "eqxc", "address": "二七区航海路8号",
     "description": "近地铁", "district_code": "410103", "district_name": "二七区",
     "total_price": 900_000, "unit_price": 10_000, "area_m2": 90.0, "bedrooms": 3,
     "build_year": 2001, "floor": 3, "elevator": False, "status": "active", "verified": False,
     "location": {"lat": 34.7309, "lon": 113.6454}, "listed_at": "2024-05-02T08:00:00Z"},
]


@pytest.fixture
def es_index():
    client = make_client(server_url("HOUSING_SWAP_TEST_ELASTICSEARCH_URL", "Elasticsearch"))
    name = f"housing_swap_smoke_{uuid.uuid4().hex[:8]}"
    client.indices.create(index=name, mappings=LISTING_MAPPING, settings=index_settings(shards=1, replicas=0))
    yield client, name
    client.indices.delete(index=name)
    assert not client.indices.exists(index=name)


def test_index_search_and_delete_with_the_project_mapping(es_index):
    client, name = es_index
    for document in DOCUMENTS:
        client.index(index=name, id=str(document["id"]), document=document)
    client.indices.refresh(index=name)

    two_characters = client.search(index=name, query={"match_phrase": {"community": "金水"}})
    assert [hit["_id"] for hit in two_characters["hits"]["hits"]] == ["1"]

    initials = client.search(index=name, query={"term": {"community_pinyin": "eqxc"}})
    assert [hit["_id"] for hit in initials["hits"]["hits"]] == ["2"]

    nearby = client.search(index=name, query={"bool": {"filter": [
        {"geo_distance": {"distance": "3km", "location": {"lat": 34.776, "lon": 113.69}}}]}})
    assert [hit["_id"] for hit in nearby["hits"]["hits"]] == ["1"]

    facets = client.search(index=name, size=0, aggs={"districts": {"terms": {"field": "district_code"}}})
    buckets = {b["key"]: b["doc_count"] for b in facets["aggregations"]["districts"]["buckets"]}
    assert buckets == {"410105": 1, "410103": 1}


def test_strict_mapping_refuses_unknown_fields(es_index):
    client, name = es_index
    with pytest.raises(BadRequestError):
        client.index(index=name, id="9", document={"id": 9, "owner_phone": "13812345678"})
