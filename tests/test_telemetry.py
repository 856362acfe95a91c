"""Operability: probes for the load balancer, request ids, JSON request logs and metrics."""
from __future__ import annotations

import json
import logging

from sqlalchemy import select, text

from housing_swap.db.models import AuditEvent
from housing_swap.extensions import db
from housing_swap.telemetry.logs import JsonFormatter
from tests.conftest import make_test_app

CLOSED_PORT_DATABASE = "postgresql://nobody:nothing@127.0.0.1:1/none"


def test_healthz_answers_without_sign_in(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.get_json() == {"status": "ok"}


def test_readyz_reports_each_dependency(client):
    answer = client.get("/readyz")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "migrations", "storage", "search"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["search"]["required"] is False


def test_readyz_is_unavailable_while_migrations_are_behind(client):
    head = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    db.session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    db.session.commit()
    try:
        answer = client.get("/readyz")
    finally:
        db.session.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})
        db.session.commit()
    assert answer.status_code == 503
    migrations = answer.get_json()["checks"]["migrations"]
    assert migrations["ok"] is False
    assert "flask db upgrade" in migrations["detail"]


def test_readyz_is_unavailable_without_a_database(tmp_path):
    app = make_test_app(CLOSED_PORT_DATABASE, tmp_path)
    with app.app_context():
        answer = app.test_client().get("/readyz")
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is False
    assert "nothing" not in json.dumps(body)  # no credentials or addresses of the database


def test_a_request_id_is_echoed_or_made(client):
    given = client.get("/healthz", headers={"X-Request-ID": "lb-42.abc"})
    assert given.headers["X-Request-ID"] == "lb-42.abc"
    made = client.get("/healthz")
    assert len(made.headers["X-Request-ID"]) == 32
    forged = client.get("/healthz", headers={"X-Request-ID": "x\" level=error fake=1"})
    assert forged.headers["X-Request-ID"] != "x\" level=error fake=1"


def test_each_request_logs_one_json_line_with_its_context(client, make, login, caplog):
    user = make.household(phone="13811114444")
    login("13811114444")
    caplog.set_level(logging.INFO, logger="housing_swap.request")
    caplog.clear()
    client.get("/listings/999999", headers={"X-Request-ID": "trace-7"})
    (record,) = [r for r in caplog.records if r.name == "housing_swap.request"]
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "trace-7"
    assert line["user_id"] == user.id
    assert line["route"] == "/listings/<int:listing_id>"  # the template: no ids or query text
    assert line["status"] == 404
    assert line["duration_ms"] >= 0
    assert line["level"] == "info"


def test_audit_events_carry_the_request_id(client, make, login):
    make.household(phone="13811115555")
    login("13811115555")
    client.post("/auth/logout", headers={"X-Request-ID": "audit-trace-1"})
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.request_id == "audit-trace-1"


def test_metrics_expose_requests_and_ledger_figures_to_loopback_only(client):
    client.get("/healthz")
    answer = client.get("/metrics")
    assert answer.status_code == 200
    exposed = answer.get_data(as_text=True)
    assert 'housing_swap_request_duration_seconds_bucket{le="0.005",method="GET",route="/healthz",status="200"}' \
        in exposed
    assert 'housing_swap_ledger_completed{channel="city_group",program_year="2026"} 0.0' in exposed
    assert "housing_swap_search_outbox_lag_seconds" in exposed
    assert "housing_swap_search_fallbacks_total" in exposed
    stranger = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert stranger.status_code == 404
