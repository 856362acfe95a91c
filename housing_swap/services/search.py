"""Search as a use case: pick the configured backend, fall back to SQL when Elasticsearch fails,
and push fresh changes to the index right after each write (never failing the write)."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace

from elasticsearch import ApiError, TransportError
from flask import Flask, current_app, g

from ..domain.timezones import beijing_today
from ..extensions import db
from ..metrics import SEARCH_FALLBACKS
from ..search import sync
from ..search.es_backend import ElasticsearchBackend, quick_client
from ..search.es_client import make_client
from ..search.query import Kind, SearchQuery, SearchResult
from ..search.sources import first_photo_ids
from ..search.sql_backend import SqlSearchBackend
from ..search.sync import drain_outbox
from .exclusive_runs import exclusive
from .rules import latest_rules

log = logging.getLogger(__name__)
SEARCH_FAILURES = (ApiError, TransportError)
PUSH_COOL_DOWN_S = 30.0  # after a failed push, let writes skip Elasticsearch for a while
BREAKER_OPEN_S = 15.0    # after a failed search, searches skip Elasticsearch for a while


def elasticsearch_configured() -> bool:
    return current_app.config["SEARCH_BACKEND"] == "elasticsearch"


def elasticsearch_backend() -> ElasticsearchBackend:
    """The app's backend object; the client opens no connection until first used."""
    extensions = current_app.extensions
    if "search_backend" not in extensions:
        config = current_app.config
        extensions["search_backend"] = ElasticsearchBackend(
            make_client(config["ELASTICSEARCH_URL"]), config["ELASTICSEARCH_INDEX_PREFIX"],
            shards=config.get("ELASTICSEARCH_SHARDS", 1), replicas=config.get("ELASTICSEARCH_REPLICAS", 1),
            search_timeout_s=config.get("ELASTICSEARCH_SEARCH_TIMEOUT_MS", 1000) / 1000)
    return extensions["search_backend"]


def search(query: SearchQuery) -> SearchResult:
    """From Elasticsearch when configured and well; from SQL (marked degraded) when it fails. After
    a failure the breaker stays open for BREAKER_OPEN_S: searches go straight to SQL instead of
    each waiting on a sick cluster; then one search tries Elasticsearch again."""
    query = _resolve_city_group(query)
    if not elasticsearch_configured():
        return SqlSearchBackend(db.session).search(query)
    backend = elasticsearch_backend()
    if backend.failed_at is not None and time.monotonic() - backend.failed_at < BREAKER_OPEN_S:
        return _degraded(query)
    try:
        result = backend.search(query)
    except SEARCH_FAILURES as error:
        log.warning("Elasticsearch search failed, answering from SQL for %.0f s: %s", BREAKER_OPEN_S, error)
        backend.failed_at = time.monotonic()
        return _degraded(query)
    backend.failed_at = None
    return result


def _degraded(query: SearchQuery) -> SearchResult:
    SEARCH_FALLBACKS.inc()
    result = SqlSearchBackend(db.session).search(query)
    result.degraded = True
    return result


# The map shows at most this many of a search's matches (the best ranked); beyond that it says so.
MAP_POINTS = 500


def map_points(query: SearchQuery) -> SearchResult:
    """The first MAP_POINTS matches of ``query`` in its own order, for the map beside the list."""
    return search(replace(query, page=1, per_page=MAP_POINTS))


def first_photos(result: SearchResult) -> dict[int, int]:
    """The first photo of each listing on a result page, for the cards."""
    return first_photo_ids([item["id"] for item in result.items], db.session)


def _resolve_city_group(query: SearchQuery) -> SearchQuery:
    if query.kind != Kind.LISTING or not query.fits_city_group:
        return query
    _, rules = latest_rules()
    return query.with_city_group_rules(rules.old_home_max_age_years, rules.old_home_max_area_m2,
                                       rules.old_home_max_area_inclusive, beijing_today().year)


# ----- after each write ---------------------------------------------------------------------------

def install_outbox_push(app: Flask) -> None:
    @app.after_request
    def push_search_changes(response):
        if g.get("search_outbox_dirty") and elasticsearch_configured():
            push_pending()
        return response


def drain_outbox_now(advance: Callable[[int], None] = lambda n: None) -> int:
    """Apply every pending outbox row (the periodic job; a no-op marking rows on the SQL backend)."""
    backend = elasticsearch_backend() if elasticsearch_configured() else None
    total = 0
    while processed := drain_outbox(db.session, backend):
        total += processed
        advance(processed)
    return total


def documents_to_index() -> int:
    """How many documents a rebuild writes (for its progress)."""
    total = 0
    for kind in Kind:
        total += sync.public_count(db.session, kind)
    return total


@exclusive("search reindex")
def rebuild_indices(advance: Callable[[int], None] = lambda n: None) -> dict[str, int]:
    """Rebuild every index behind its alias (no downtime), then apply what the outbox holds."""
    backend = elasticsearch_backend()
    counts = {kind.value: sync.reindex(db.session, backend, kind, progress=advance) for kind in Kind}
    drain_outbox_now()
    return counts


def push_pending() -> None:
    """Best effort: on any failure log it and leave the rows for ``flask search sync``."""
    state = current_app.extensions.setdefault("search_push", {"failed_at": 0.0})
    if time.monotonic() - state["failed_at"] < PUSH_COOL_DOWN_S:
        return
    backend = elasticsearch_backend()
    quick = ElasticsearchBackend(quick_client(backend.client, 2), backend.prefix)
    try:
        drain_outbox(db.session, quick, limit=500, refresh=False)
    except Exception as error:  # the write already committed; indexing must never undo or fail it
        state["failed_at"] = time.monotonic()
        log.warning("search outbox push failed; rows stay pending for `flask search sync`: %s", error)
