"""``/healthz`` (the process answers), ``/readyz`` (it can serve) and ``/metrics`` (Prometheus).

The first two need no sign-in and say nothing personal; ``/metrics`` answers only to the
addresses in ``HOUSING_SWAP_METRICS_ALLOWED`` (loopback by default), where the scraper runs.
"""
from __future__ import annotations

from ipaddress import ip_address, ip_network

from flask import Blueprint, Response, abort, current_app, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

from ..metrics import scrape_registry
from ..security.access import public
from ..services.jobs import queue_figures as job_queue_figures
from ..services.readiness import is_ready, operational_figures, readiness_checks

probes = Blueprint("probes", __name__)


@probes.get("/healthz")
@public
def healthz():
    return jsonify(status="ok")


@probes.get("/readyz")
@public
def readyz():
    checks = readiness_checks()
    ready = is_ready(checks)
    body = {"status": "ready" if ready else "unavailable",
            "checks": {check.name: {"ok": check.ok, "detail": check.detail, "required": check.required}
                       for check in checks}}
    return jsonify(body), 200 if ready else 503


@probes.get("/metrics")
@public
def metrics():
    if not _scraper_allowed(request.remote_addr):
        abort(404)  # as if there were no such page: a stranger learns nothing
    output = generate_latest(scrape_registry()) + generate_latest(_database_figures())
    return Response(output, content_type=CONTENT_TYPE_LATEST)


def _scraper_allowed(address: str | None) -> bool:
    if not address:
        return False
    try:
        client = ip_address(address)
    except ValueError:
        return False
    return any(client in ip_network(network, strict=False) for network in current_app.config["METRICS_ALLOWED"])


def _database_figures() -> CollectorRegistry:
    """Figures read from the shared database at scrape time (the same on every machine)."""
    figures = operational_figures()
    registry = CollectorRegistry()
    Gauge("housing_swap_search_outbox_pending", "Search changes not yet applied to the index.",
          registry=registry).set(figures.outbox_pending)
    Gauge("housing_swap_search_outbox_lag_seconds", "Age of the oldest unapplied search change.",
          registry=registry).set(figures.outbox_oldest_age_s)
    queue = job_queue_figures()
    Gauge("housing_swap_jobs_queued", "Background jobs waiting for a worker.", registry=registry).set(queue.queued)
    Gauge("housing_swap_jobs_oldest_queued_seconds", "How long the oldest queued job has waited.",
          registry=registry).set(queue.oldest_queued_age_s)
    Gauge("housing_swap_jobs_running", "Background jobs being run now.", registry=registry).set(queue.running)
    Gauge("housing_swap_jobs_failed", "Background jobs that failed for good.", registry=registry).set(queue.failed)
    ledger = Gauge("housing_swap_ledger_completed", "Completed swaps counted on the goal ledger.",
                   ["program_year", "channel"], registry=registry)
    for (year, channel), count in figures.ledger_by_channel.items():
        ledger.labels(str(year), channel).set(count)
    return registry
