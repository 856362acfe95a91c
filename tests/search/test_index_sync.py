"""Keeping the index true, against the real Elasticsearch server: outbox, outage, rebuild, drift."""
import contextlib

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from housing_swap.db.models import JobState, Listing, ListingStatus, Organization, Role, SearchOutboxEntry, Unit
from housing_swap.extensions import db
from housing_swap.search import sync
from housing_swap.search.query import Kind, SearchQuery
from housing_swap.search.sync import check, drain_outbox, reindex
from housing_swap.services import jobs
from housing_swap.services.listings import StatusChange, change_status, create_listing
from housing_swap.services.projects import update_project
from housing_swap.services.search_outbox import enqueue
from tests.conftest import server_url
from tests.factories import Factories
from tests.listings.helpers import listing_fields
from tests.matching.helpers import units_on_sale

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


def indexed_listing(make, es_backend) -> Listing:
    """An active listing, in the index at its current version."""
    listing = create_listing(listing_fields(), make.staff(Role.AGENCY_STAFF))
    listing.status = ListingStatus.ACTIVE
    db.session.commit()
    enqueue("listing", listing.id, listing.version)
    db.session.commit()
    drain_outbox(db.session, es_backend)
    return listing


def test_check_compares_versions_not_only_ids(es_app, runner, es_backend, make):
    listing = indexed_listing(make, es_backend)
    assert check(db.session, es_backend, Kind.LISTING).clean
    # A price change that reached the database but not the index (as during a rebuild):
    db.session.execute(Listing.__table__.update().where(Listing.id == listing.id).values(
        asking_price=Listing.asking_price + 10_000, version=Listing.version + 1))
    db.session.commit()
    assert check(db.session, es_backend, Kind.LISTING).stale == [listing.id]
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert "1 indexed at an older version" in result.output


def test_one_rejected_document_neither_stalls_the_others_nor_retries_for_ever(es_app, runner, es_backend, make):
    agent = make.staff(Role.AGENCY_STAFF)
    good = [create_listing(listing_fields(), agent) for _ in range(2)]
    bad = create_listing(listing_fields(community="坐标有误小区"), agent)
    for listing in (*good, bad):
        listing.status = ListingStatus.ACTIVE
    db.session.commit()
    db.session.execute(SearchOutboxEntry.__table__.update().values(processed_at=None))
    db.session.execute(bad.community.__table__.update().where(
        bad.community.__table__.c.id == bad.community_id).values(lat=95))  # Elasticsearch refuses it
    db.session.commit()
    assert drain_outbox(db.session, es_backend) >= 2  # the good ones went through around the bad one
    indexed = {item["id"] for item in es_backend.search(SearchQuery(kind=Kind.LISTING)).items}
    assert {listing.id for listing in good} <= indexed
    for _ in range(sync.DEAD_LETTER_AFTER):
        with contextlib.suppress(RuntimeError):  # the bad row alone fails: its error is the point
            drain_outbox(db.session, es_backend)
    assert sync.pending_count(db.session) == 0
    assert sync.dead_letter_count(db.session) >= 1
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert "left aside" in result.output


def test_a_renamed_project_reaches_its_units_documents(es_app, es_backend, make, runner):
    units = units_on_sale(make)
    developer = make.staff(Role.DEVELOPER_STAFF, organization=db.session.get(
        Organization, units[0].building.project.developer_org_id))
    drain_outbox(db.session, es_backend)
    versions = {unit.id: unit.version for unit in units}
    update_project(units[0].building.project_id, {"name": "改名后的湖畔新城"}, developer)
    assert all(db.session.get(Unit, unit_id).version == version + 1 for unit_id, version in versions.items())
    drain_outbox(db.session, es_backend)
    found = es_backend.search(SearchQuery(kind=Kind.UNIT, q="改名后的湖畔新城"))
    assert {item["id"] for item in found.items} == set(versions)
    assert check(db.session, es_backend, Kind.UNIT).clean


def test_a_change_made_during_a_rebuild_is_not_lost_with_the_old_index(es_app, es_backend, make, runner):
    listing = indexed_listing(make, es_backend)
    listing_id, old_price = listing.id, listing.asking_price

    def change_while_loading(count: int) -> None:
        # Another machine changes the price after the rebuild read the row, and its outbox is
        # drained through the alias, which still names the old index.
        with Session(db.engine) as other:
            other.execute(Listing.__table__.update().where(Listing.id == listing_id).values(
                asking_price=old_price + 50_000, version=Listing.version + 1))
            other.add(SearchOutboxEntry(entity_type="listing", entity_id=listing_id, entity_version=0))
            other.commit()
            drain_outbox(other, es_backend)

    reindex(db.session, es_backend, Kind.LISTING, progress=change_while_loading)
    assert check(db.session, es_backend, Kind.LISTING).clean
    found = es_backend.search(SearchQuery(kind=Kind.LISTING, min_price=old_price + 50_000))
    assert listing_id in {item["id"] for item in found.items}
    assert runner.invoke(args=["search", "check"]).exit_code == 0


def test_a_rebuild_runs_as_a_job(es_app, es_backend, make, runner):
    agent = make.staff(Role.AGENCY_STAFF)
    listing = create_listing(listing_fields(), agent)
    db.session.execute(Listing.__table__.update().where(Listing.id == listing.id).values(
        status=ListingStatus.ACTIVE, version=Listing.version + 1))  # past the outbox
    db.session.commit()
    assert check(db.session, es_backend, Kind.LISTING).missing == [listing.id]

    result = runner.invoke(args=["jobs", "run", "search_reindex"])

    assert result.exit_code == 0, result.output
    job = jobs.recent_jobs(limit=1)[0]
    assert job.state == JobState.SUCCEEDED
    assert job.result["listing"] >= 1
    assert check(db.session, es_backend, Kind.LISTING).clean
