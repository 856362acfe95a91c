"""Creating the Elasticsearch client from configuration (no network at import or creation)."""
from __future__ import annotations

from elasticsearch import Elasticsearch


def make_client(urls: str | list[str], timeout_s: float = 5.0) -> Elasticsearch:
    """One pooled client over every node given (a comma-separated list or a list): a request to
    a node that fails is retried once on another."""
    hosts = [url.strip() for url in urls.split(",")] if isinstance(urls, str) else urls
    return Elasticsearch(hosts, request_timeout=timeout_s, retry_on_timeout=True, max_retries=1)
