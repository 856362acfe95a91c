"""Creating the Elasticsearch client from configuration (no network at import or creation)."""
from __future__ import annotations

from elasticsearch import Elasticsearch


def make_client(url: str, timeout_s: float = 5.0) -> Elasticsearch:
    return Elasticsearch(url, request_timeout=timeout_s, retry_on_timeout=False, max_retries=1)
