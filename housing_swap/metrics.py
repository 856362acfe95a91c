"""Prometheus instruments, importable from every layer (this module imports nothing of ours).

Under gunicorn, ``gunicorn.conf.py`` points ``PROMETHEUS_MULTIPROC_DIR`` at a shared folder
before any worker starts, so each worker's counters are files that ``GET /metrics`` adds up
(prometheus_client's multiprocess mode); without it (one process: ``flask run``, the tests)
the default registry is used.
"""
from __future__ import annotations

import os

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

REQUEST_SECONDS = Histogram(
    "housing_swap_request_duration_seconds", "Time to answer a request, by route template.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0))
SEARCH_FALLBACKS = Counter(
    "housing_swap_search_fallbacks_total", "Searches answered from SQL because Elasticsearch failed.")


def scrape_registry() -> CollectorRegistry:
    """Every process's instruments: the multiprocess files under gunicorn, else this process's."""
    if not os.environ.get(MULTIPROCESS_DIR_VARIABLE):
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return registry
