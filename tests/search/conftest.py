"""Search fixtures: a seeded data set, and each backend available in this run."""
import uuid

import pytest
from elasticsearch import Elasticsearch

from housing_swap.demo.seed import SCALES, seed_demo_data
from housing_swap.extensions import db
from housing_swap.search.es_backend import ElasticsearchBackend
from housing_swap.search.es_client import make_client
from housing_swap.search.query import Kind
from housing_swap.search.sql_backend import SqlSearchBackend
from housing_swap.search.sync import reindex
from tests.conftest import rebuild_search_index, server_url


@pytest.fixture
def seeded(app):
    seed_demo_data(SCALES["small"], 7)
    rebuild_search_index()  # the seed writes in bulk, past the outbox
    return app


@pytest.fixture
def es_client() -> Elasticsearch:
    return make_client(server_url("HOUSING_SWAP_TEST_ELASTICSEARCH_URL", "Elasticsearch"))


@pytest.fixture
def es_prefix(es_client):
    """A unique index prefix per test; everything under it is deleted afterwards."""
    prefix = f"hs_test_{uuid.uuid4().hex[:10]}"
    yield prefix
    names = list(es_client.indices.get(index=f"{prefix}_*", allow_no_indices=True))
    if names:  # the server refuses wildcard deletes, so name each index
        es_client.indices.delete(index=",".join(names))


@pytest.fixture
def es_backend(es_client, es_prefix) -> ElasticsearchBackend:
    return ElasticsearchBackend(es_client, es_prefix)


@pytest.fixture(params=["sql", "elasticsearch"])
def backend(request, seeded):
    """Every backend this run can reach, over the same seeded data."""
    if request.param == "sql":
        return SqlSearchBackend(db.session)
    es = request.getfixturevalue("es_backend")
    for kind in Kind:
        reindex(db.session, es, kind)
    return es
