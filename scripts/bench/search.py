"""Search latency through the service and straight to each engine (SQL and Elasticsearch)."""
from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import event

from housing_swap.extensions import db
from housing_swap.search.es_backend import (
    FACET_AGGREGATIONS,
    ElasticsearchBackend,
    alias_name,
    build_query,
    build_sort,
)
from housing_swap.search.query import Kind, parse_search_args
from housing_swap.search.sync import reindex
from housing_swap.services import (
    search,
)

from .common import QUERY_MIX, REPEATS, bench_app, percentile, timed


def queries():
    return [parse_search_args(mix, Kind.LISTING) for mix in QUERY_MIX]


def search_figures() -> dict:
    service = [sample for query in queries() for sample in timed(lambda q=query: search.search(q))]
    raw = [sample for query in queries() for sample in timed(lambda q=query: raw_sqlite(q))]
    return {"sql": {"p50_ms": percentile(service, 0.5), "p95_ms": percentile(service, 0.95)},
            "raw_sqlite": {"p50_ms": percentile(raw, 0.5), "p95_ms": percentile(raw, 0.95)},
            "queries": len(QUERY_MIX), "repeats": REPEATS}


def raw_sqlite(query) -> None:
    """The floor: the very statements the service sent for this query (captured once), replayed
    straight on the sqlite3 connection with their parameters."""
    connection = db.session.connection().connection.dbapi_connection
    for statement, parameters in _statements_of(query):
        connection.execute(statement, parameters).fetchall()


_CAPTURED: dict = {}


def _statements_of(query) -> list[tuple[str, tuple]]:
    key = repr(query)
    if key not in _CAPTURED:
        captured = []

        def capture(connection, cursor, statement, parameters, context, executemany):
            captured.append((statement, parameters))
        event.listen(db.engine, "before_cursor_execute", capture)
        try:
            search.search(query)
        finally:
            event.remove(db.engine, "before_cursor_execute", capture)
        _CAPTURED[key] = captured
    return _CAPTURED[key]


def elasticsearch_figures(database: Path, workdir: Path) -> dict:
    url = os.environ.get("HOUSING_SWAP_BENCH_ELASTICSEARCH_URL")
    if not url:
        return {"skipped": "HOUSING_SWAP_BENCH_ELASTICSEARCH_URL not set (scripts/services.sh up, then export it)"}
    app = bench_app(f"sqlite:///{database}", workdir, SEARCH_BACKEND="elasticsearch", ELASTICSEARCH_URL=url,
                    ELASTICSEARCH_INDEX_PREFIX="hs_bench")
    with app.app_context():
        backend = search.elasticsearch_backend()
        started = time.perf_counter()
        documents = sum(reindex(db.session, backend, kind) for kind in Kind)
        rate = documents / (time.perf_counter() - started)
        service = [s for q in queries() for s in timed(lambda q=q: search.search(q))]
        raw = [s for q in queries() for s in timed(lambda q=q: raw_es(backend, q))]
    return {"es_docs_per_s": round(rate, 1), "documents": documents,
            "search": {"es": {"p50_ms": percentile(service, 0.5), "p95_ms": percentile(service, 0.95)},
                       "raw_es": {"p50_ms": percentile(raw, 0.5), "p95_ms": percentile(raw, 0.95)}}}


def raw_es(backend: ElasticsearchBackend, query) -> None:
    """The floor: the same request body, sent with the plain client and not mapped to results."""
    backend.client.search(index=alias_name(backend.prefix, query.kind), query=build_query(query),
                          sort=build_sort(query), size=query.per_page, track_total_hits=True,
                          aggs=FACET_AGGREGATIONS)
