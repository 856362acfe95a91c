"""A hung Elasticsearch node costs one search its timeout; the searches after it go straight to
SQL (the breaker is open) until it is time to try the cluster again."""
from __future__ import annotations

import socket
import threading

from housing_swap.search.query import Kind, SearchQuery
from housing_swap.services import search as search_service


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
