"""What an operator and a load balancer ask of a machine: can it serve, and how is it doing.

``readiness_checks`` backs ``GET /readyz``: the database must answer and be at the newest
migration, and the file store must answer (and, once a minute, take and give back a file), or
the machine should get no traffic. The search
backend is reported but never fails readiness, because searches fall back to SQL.

``operational_figures`` backs the database-derived gauges of ``GET /metrics``. None of it holds
personal data.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from ..db.base import utcnow
from ..db.models import SearchOutboxEntry
from ..extensions import db
from ..storage import StorageUnavailable
from .files import file_store

WRITE_PROBE_EVERY_S = 60.0
from .progress import year_progress
from .search import elasticsearch_backend, elasticsearch_configured

SEARCH_PROBE_TIMEOUT_S = 1.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    required: bool = True


def readiness_checks() -> list[Check]:
    database = _database_check()
    checks = [database]
    if database.ok:
        checks.append(_migrations_check())
    checks.append(_storage_check())
    checks.append(_search_check())
    return checks


def is_ready(checks: list[Check]) -> bool:
    return all(check.ok for check in checks if check.required)


def _database_check() -> Check:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        return Check("database", False, f"unreachable: {type(error).__name__}")
    return Check("database", True, db.engine.dialect.name)


def _migrations_check() -> Check:
    script = ScriptDirectory(current_app.extensions["migrate"].directory)
    expected = set(script.get_heads())
    current = set(MigrationContext.configure(db.session.connection()).get_current_heads())
    if current == expected:
        return Check("migrations", True, ",".join(sorted(current)))
    return Check("migrations", False, f"at {','.join(sorted(current)) or 'none'}, "
                                      f"expected {','.join(sorted(expected))}: run flask db upgrade")


def _storage_check() -> Check:
    """The store must answer on every poll; a file is written and read back at most once a
    minute per process (load balancers poll every few seconds, on every machine)."""
    store = file_store()
    probe = current_app.extensions.setdefault("storage_probe", {"written_at": None})
    write = probe["written_at"] is None or time.monotonic() - probe["written_at"] >= WRITE_PROBE_EVERY_S
    try:
        store.check(write=write)
    except StorageUnavailable as error:
        probe["written_at"] = None  # write again on the next poll
        return Check("storage", False, f"{store.description}: unreachable ({type(error).__name__})")
    if write:
        probe["written_at"] = time.monotonic()
    return Check("storage", True, store.description)


def _search_check() -> Check:
    if not elasticsearch_configured():
        return Check("search", True, "sql", required=False)
    client = elasticsearch_backend().client.options(request_timeout=SEARCH_PROBE_TIMEOUT_S, max_retries=0)
    try:
        status = client.cluster.health()["status"]
    except Exception as error:  # noqa: BLE001 - any failure means "answering from SQL"
        return Check("search", False, f"elasticsearch unreachable ({type(error).__name__}): answering from SQL",
                     required=False)
    return Check("search", status != "red", f"elasticsearch {status}", required=False)


@dataclass(frozen=True)
class OperationalFigures:
    outbox_pending: int
    outbox_oldest_age_s: float
    ledger_by_channel: dict[tuple[int, str], int]


def operational_figures(now: datetime | None = None) -> OperationalFigures:
    pending, oldest = db.session.execute(
        select(func.count(), func.min(SearchOutboxEntry.created_at))
        .where(SearchOutboxEntry.processed_at.is_(None))).one()
    oldest_age = ((now or utcnow()) - oldest).total_seconds() if oldest else 0.0
    ledger = {}
    for year in year_progress():
        ledger[(year.program_year, "city_group")] = year.city_group
        ledger[(year.program_year, "market")] = year.market
    return OperationalFigures(pending, max(oldest_age, 0.0), ledger)

