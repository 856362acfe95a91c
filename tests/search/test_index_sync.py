"""Keeping the index true, against the real Elasticsearch server: outbox, outage, rebuild, drift."""
import pytest
from sqlalchemy import func, select

from housing_swap.db.models import Listing, ListingStatus, Role, SearchOutboxEntry
from housing_swap.extensions import db
from housing_swap.search.query import Kind, SearchQuery
from housing_swap.search.sync import check, drain_outbox, reindex
from housing_swap.services.listings import StatusChange, change_status, create_listing
from housing_swap.services.search_outbox import enqueue
from tests.conftest import server_url
from tests.factories import Factories
from tests.listings.helpers import listing_fields

pytestmark = pytest.mark.elasticsearch
CLOSED_PORT_URL = "http://127.0.0.1:9"  # nothing listens on the discard port here


def pending() -> int:
    return db.session.scalar(select(func.count(SearchOutboxEntry.id)).where(SearchOutboxEntry.processed_at.is_(None)))


@pytest.fixture
def es_app(app, es_prefix, es_backend):
    """The app configured for Elasticsearch with this test's own indices."""
    app.config.update(SEARCH_BACKEND="elasticsearch", ELASTICSEARCH_INDEX_PREFIX=es_prefix)
    point_at(app, server_url("HOUSING_SWAP_TEST_ELASTICSEARCH_URL", "Elasticsearch"))
    for kind in Kind:
        reindex(db.session, es_backend, kind)
    return app


def point_at(app, url: str) -> None:
    app.config["ELASTICSEARCH_URL"] = url
    app.extensions.pop("search_backend", None)
    app.extensions.pop("search_push", None)


@pytest.fixture
def agent_headers(make, client):
    make.staff(Role.AGENCY_STAFF, username="sync-agent")
    token = client.post("/api/v1/auth/token", json={"username": "sync-agent", "password": Factories.PASSWORD})
    return {"Authorization": f"Bearer {token.get_json()['token']}"}


def test_a_write_reaches_the_index_right_after_commit(es_app, client, make, es_backend):
    bureau = make.staff(Role.BUREAU_ADMIN, username="sync-bureau")
    agent = make.staff(Role.AGENCY_STAFF, username="sync-agent")
    listing = create_listing(listing_fields(), agent)
    change_status(listing.id, StatusChange(ListingStatus.SUBMITTED), agent)
    client.post("/auth/login", data={"login": "sync-bureau", "password": Factories.PASSWORD})
    client.post(f"/bureau/listings/{listing.id}/verify", data={"note": "材料齐全"})
    assert pending() == 0
    es_backend.client.indices.refresh(index=f"{es_backend.prefix}_listing")  # the push leaves refresh to ES
    found = es_backend.search(SearchQuery(kind=Kind.LISTING, q=listing.community.name))
    assert listing.id in {item["id"] for item in found.items}
    assert bureau.id  # the bureau acted through the page, as in production


def test_outage_keeps_writes_degrades_search_and_drains_after(es_app, client, agent_headers, es_backend, runner):
    point_at(es_app, CLOSED_PORT_URL)
    created = client.post("/api/v1/listings", json=listing_fields(), headers=agent_headers)
    assert created.status_code == 201  # the write succeeds while the index is unreachable
    listing_id = created.get_json()["id"]
    listing = db.session.get(Listing, listing_id)
    listing.status = ListingStatus.ACTIVE
    listing.listed_at = listing.created_at
    db.session.commit()
    enqueue("listing", listing_id, listing.version)
    db.session.commit()
    searched = client.get("/api/v1/listings", query_string={"q": listing.community.name}).get_json()
    assert searched["degraded"] is True
    assert searched["backend"] == "sql"
    assert listing_id in {item["id"] for item in searched["items"]}
    page = client.get("/search", query_string={"q": listing.community.name}).get_data(as_text=True)
    assert "搜索服务暂时不可用" in page
    assert pending() >= 1

    point_at(es_app, server_url("HOUSING_SWAP_TEST_ELASTICSEARCH_URL", "Elasticsearch"))
    assert runner.invoke(args=["search", "sync"]).exit_code == 0
    assert pending() == 0
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 0, result.output
    back = client.get("/api/v1/listings", query_string={"q": listing.community.name}).get_json()
    assert back["degraded"] is False
    assert back["backend"] == "elasticsearch"
    assert listing_id in {item["id"] for item in back["items"]}


def test_check_reports_drift_and_reindex_repairs_it(es_app, runner, es_backend, make):
    agent = make.staff(Role.AGENCY_STAFF)
    listing = create_listing(listing_fields(), agent)
    listing.status = ListingStatus.ACTIVE
    db.session.commit()  # changed behind the outbox's back: the index cannot know
    drift = check(db.session, es_backend, Kind.LISTING)
    assert drift.missing == [listing.id]
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert str(listing.id) in result.output
    rebuilt = runner.invoke(args=["search", "reindex"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert check(db.session, es_backend, Kind.LISTING).clean


def test_replaying_the_outbox_is_idempotent(es_app, es_backend, make):
    agent = make.staff(Role.AGENCY_STAFF)
    listing = create_listing(listing_fields(), agent)
    listing.status = ListingStatus.ACTIVE
    db.session.commit()
    enqueue("listing", listing.id, listing.version)
    enqueue("listing", listing.id, listing.version)
    db.session.commit()
    assert drain_outbox(db.session, es_backend) == 3  # the create's row and two replays
    db.session.execute(SearchOutboxEntry.__table__.update().values(processed_at=None))
    db.session.commit()
    assert drain_outbox(db.session, es_backend) == 3  # same versions again: accepted as already applied
    assert check(db.session, es_backend, Kind.LISTING).clean
    listing.status = ListingStatus.WITHDRAWN
    db.session.commit()
    enqueue("listing", listing.id, listing.version)
    db.session.commit()
    drain_outbox(db.session, es_backend)
    assert check(db.session, es_backend, Kind.LISTING).clean
