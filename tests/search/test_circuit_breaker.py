"""A hung Elasticsearch node costs one search its timeout; the searches after it go straight to
SQL (the breaker is open) until it is time to try the cluster again."""
from __future__ import annotations

import socket
import threading

import pytest

from housing_swap.extensions import db
from housing_swap.search.query import Kind, SearchQuery
from housing_swap.search.sync import reindex
from housing_swap.services import search as search_service
from tests.conftest import server_url
from tests.search.test_index_sync import CLOSED_PORT_URL


class HungNode:
    """Accepts connections and never answers, counting how many were opened."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def close(self) -> None:
        for connection in self.accepted:
            connection.close()
        self.listener.close()


def test_a_hung_node_opens_the_breaker_and_later_searches_skip_it(app, monkeypatch):
    node = HungNode()
    try:
        app.config.update(SEARCH_BACKEND="elasticsearch", ELASTICSEARCH_URL=node.url,
                          ELASTICSEARCH_SEARCH_TIMEOUT_MS=300)
        app.extensions.pop("search_backend", None)
        first = search_service.search(SearchQuery(kind=Kind.LISTING))
        assert first.degraded is True
        assert first.backend == "sql"
        tried = len(node.accepted)
        assert tried >= 1
        for _ in range(5):
            assert search_service.search(SearchQuery(kind=Kind.LISTING)).degraded is True
        assert len(node.accepted) == tried  # the breaker kept them away from the hung node
        opened = search_service.elasticsearch_backend().failed_at
        monkeypatch.setattr(search_service.time, "monotonic", lambda: opened + search_service.BREAKER_OPEN_S + 1)
        assert search_service.search(SearchQuery(kind=Kind.LISTING)).degraded is True
        assert len(node.accepted) > tried  # time to try the cluster again: it did
    finally:
        app.extensions.pop("search_backend", None)
        node.close()


@pytest.mark.elasticsearch
def test_a_stopped_node_is_stepped_over_to_a_live_one(app, es_prefix, es_backend):
    """A node that refuses connections (stopped) fails at once; that try moves to another node."""
    for kind in Kind:
        reindex(db.session, es_backend, kind)
    live = server_url("HOUSING_SWAP_TEST_ELASTICSEARCH_URL", "Elasticsearch")
    app.config.update(SEARCH_BACKEND="elasticsearch", ELASTICSEARCH_URL=f"{CLOSED_PORT_URL},{live}",
                      ELASTICSEARCH_INDEX_PREFIX=es_prefix)
    app.extensions.pop("search_backend", None)
    try:
        answers = [search_service.search(SearchQuery(kind=Kind.LISTING)) for _ in range(4)]
        assert [answer.backend for answer in answers] == ["elasticsearch"] * 4
        assert not any(answer.degraded for answer in answers)
    finally:
        app.extensions.pop("search_backend", None)
