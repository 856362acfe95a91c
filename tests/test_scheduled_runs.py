"""Scheduled batch work run by two machines at once: each run's lock keeps a second one out, and
saved-search alerts cover every publication exactly once, late commits included."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from housing_swap.db.base import utcnow
from housing_swap.db.models import ListingStatus, Notification, Role, SavedSearch
from housing_swap.extensions import db
from housing_swap.services import alerts
from housing_swap.services.exclusive_runs import AlreadyRunning, exclusive_run
from housing_swap.services.listings import create_listing
from housing_swap.services.matching import run_matching
from tests.listings.helpers import listing_fields
from tests.matching.helpers import community, recorded_sales, submitted_application, units_on_sale


def publish(make, at, **fields):
    listing = create_listing(listing_fields(**fields), make.staff(Role.AGENCY_STAFF))
    listing.status, listing.listed_at = ListingStatus.ACTIVE, at
    db.session.commit()
    return listing


def saved_search(make, since) -> SavedSearch:
    saved = SavedSearch(user_id=make.household().id, kind="listing", name="全部", query_string="",
                        last_checked_at=since)
    db.session.add(saved)
    db.session.commit()
    return saved


def notifications() -> int:
    return db.session.scalar(select(func.count(Notification.id)))


def on_two_machines_at_once(app, run) -> list[str]:
    """``run`` started at the same moment by two workers with their own sessions."""
    barrier = threading.Barrier(2)

    def machine(_) -> str:
        with app.app_context():
            barrier.wait()
            try:
                return run()
            except AlreadyRunning:
                return "skipped"
            finally:
                db.session.remove()
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(machine, range(2)))


def test_a_second_run_of_a_job_stops_at_once_while_the_first_holds_its_lock(app):
    with exclusive_run("match run"), pytest.raises(AlreadyRunning, match="match run"):
        run_matching()
    assert run_matching().applications == 0  # released: the next run goes ahead


def test_the_command_says_another_run_is_going_and_succeeds(app, runner):
    with exclusive_run("search alerts"):
        result = runner.invoke(args=["search", "alerts"])
    assert result.exit_code == 0
    assert "another `search alerts` is running; this one did nothing" in result.output


def test_a_listing_committed_late_is_alerted_once_in_the_next_window(app, make, monkeypatch):
    """Published (listed_at set) before a run's moment but committed after it: the window ends
    ALERT_SETTLE_SECONDS back, so the listing falls in the next window instead of between two."""
    app.config["ALERT_SETTLE_SECONDS"] = 120
    now = utcnow()
    saved_search(make, since=now - timedelta(minutes=10))
    publish(make, at=now - timedelta(seconds=30))  # its transaction began 30 s ago
    assert alerts.run_alerts() == 0  # not settled yet: left for the next window
    monkeypatch.setattr(alerts, "utcnow", lambda: now + timedelta(minutes=5))
    assert alerts.run_alerts() == 1
    assert alerts.run_alerts() == 0
    assert notifications() == 1


def test_alert_runs_on_two_machines_at_once_notify_each_search_once(app, make):
    start = utcnow() - timedelta(minutes=10)
    searches = [saved_search(make, since=start) for _ in range(4)]
    publish(make, at=start + timedelta(minutes=1))
    outcomes = on_two_machines_at_once(app, lambda: f"notified {alerts.run_alerts()}")
    assert notifications() == len(searches), outcomes


def test_match_runs_on_two_machines_at_once_never_clash(app, make):
    recorded_sales(community(), unit_price=15_000)
    units_on_sale(make)
    for _ in range(3):
        submitted_application(make)
    outcomes = sorted(on_two_machines_at_once(app, lambda: f"matched {run_matching().applications}"))
    assert outcomes in (["matched 3", "skipped"], ["matched 3", "matched 3"]), outcomes
