"""The demo data set: deterministic, idempotent, and consistent with the program rules."""
from collections import Counter
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from housing_swap.db.models import (
    Acquisition,
    AcquisitionStatus,
    ApplicationStatus,
    Channel,
    Community,
    GoalLedgerEntry,
    Listing,
    ListingStatus,
    MarketSwap,
    Project,
    SwapApplication,
    TitleRecord,
    Unit,
    UnitStatus,
    User,
)
from housing_swap.demo.seed import SCALES, AlreadySeeded, planned_rows, seed_demo_data
from housing_swap.domain.eligibility import (
    NewHomeFacts,
    OldHomeFacts,
    check_new_home_for_city_group,
    check_old_home_for_city_group,
    counts_toward_pilot,
)
from housing_swap.domain.timezones import beijing_today
from housing_swap.domain.verification import (
    TitleFacts,
    VerificationResult,
    verify_listing,
)
from housing_swap.extensions import db
from housing_swap.search import search_rows
from housing_swap.search.query import Kind
from housing_swap.services.exclusive_runs import exclusive_run
from housing_swap.services.progress import goal_progress, year_progress
from housing_swap.services.reference_data import load_reference_data
from housing_swap.services.rules import current_rules
from tests.conftest import _empty_all_tables

SMALL = SCALES["small"]
# The small story, then two more batches of market stock (as the province scale is seeded).
BATCHED = replace(SMALL, name="batched", listings=1_800, units=1_440, projects=36, batch_listings=600)


def snapshot() -> dict:
    """Plain values that must be equal for equal seeds (ciphertexts differ by nonce)."""
    return {
        "communities": db.session.execute(select(Community.id, Community.name, Community.lat)
                                          .order_by(Community.id)).all(),
        "listings": db.session.execute(select(Listing.id, Listing.asking_price, Listing.area_m2,
                                              Listing.status).order_by(Listing.id)).all(),
        "certificates": [listing.certificate_number for listing in
                         db.session.scalars(select(Listing).order_by(Listing.id))],
        "units": db.session.execute(select(Unit.id, Unit.list_price, Unit.status).order_by(Unit.id)).all(),
        "applications": db.session.execute(select(SwapApplication.id, SwapApplication.status,
                                                  SwapApplication.old_area_m2)
                                           .order_by(SwapApplication.id)).all(),
        "ledger": db.session.execute(select(GoalLedgerEntry.id, GoalLedgerEntry.channel,
                                            GoalLedgerEntry.completed_on, GoalLedgerEntry.pilot)
                                     .order_by(GoalLedgerEntry.id)).all(),
        "phones": sorted(user.phone for user in db.session.scalars(select(User))),
    }


def reseed(seed: int) -> dict:
    _empty_all_tables()
    load_reference_data()
    seed_demo_data(SMALL, seed)
    return snapshot()


def test_same_seed_same_data_other_seed_other_data(app):
    first = reseed(7)
    assert first == reseed(7)
    assert first["listings"] != reseed(8)["listings"]


def test_seed_counts_match_the_scale(app):
    counts = seed_demo_data(SMALL, 2024)
    assert counts["listings"] == SMALL.listings == db.session.scalar(select(func.count(Listing.id)))
    assert db.session.scalar(select(func.count(Unit.id))) == SMALL.units
    assert db.session.scalar(select(func.count(Project.id))) == SMALL.projects
    assert counts["completed_swaps"] == SMALL.completed_swaps
    statuses = set(db.session.scalars(select(SwapApplication.status)))
    assert statuses >= {ApplicationStatus.COMPLETED, ApplicationStatus.INELIGIBLE,
                        ApplicationStatus.IN_PROGRESS}


def test_a_second_seed_is_refused_without_writing(app, runner):
    seed_demo_data(SMALL, 2024)
    before = db.session.scalar(select(func.count(Listing.id)))
    with pytest.raises(AlreadySeeded):
        seed_demo_data(SMALL, 2024)
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0
    assert "already loaded" in result.output
    assert db.session.scalar(select(func.count(Listing.id))) == before


def count(model_or_table) -> int:
    return db.session.scalar(select(func.count()).select_from(model_or_table))


def test_a_batched_seed_ends_with_the_whole_scale_and_the_search_rows_of_every_home(app):
    counts = seed_demo_data(BATCHED, 2024)
    assert (counts["listings"], counts["units"]) == (count(Listing), count(Unit)) == (1_800, 1_440)
    assert count(Project) == 36
    assert counts["completed_swaps"] == SMALL.completed_swaps  # the story is the first batch's
    assert db.session.scalar(select(func.count(func.distinct(Listing.property_key)))) == 1_800
    for kind in Kind:
        source = search_rows.SOURCES[kind]
        assert count(source.table) == count(source.select.subquery()) > 0
    later = db.session.scalars(select(Listing).where(Listing.id > 600)).all()
    assert len({listing.community_id for listing in later}) > 10  # spread over the stored communities
    with pytest.raises(AlreadySeeded):
        seed_demo_data(BATCHED, 2024)


def test_a_batched_seed_stopped_part_way_resumes_to_the_rows_of_an_uninterrupted_one(app):
    class Stopped(Exception):
        pass

    def stop_in_the_third_batch(rows: int) -> None:
        if count(Listing) > 1_200:  # the third batch's listings are written, not yet committed
            raise Stopped()

    with pytest.raises(Stopped):
        seed_demo_data(BATCHED, 2024, advance=stop_in_the_third_batch)
    db.session.rollback()
    assert count(Listing) == 1_200  # two batches committed; the third rolled back whole
    resumed_from = []
    seed_demo_data(BATCHED, 2024, advance=resumed_from.append)
    assert resumed_from[0] == planned_rows(BATCHED.first_batch()) + 2 * 600 + 480  # the bar starts past them
    resumed = snapshot()
    _empty_all_tables()
    load_reference_data()
    seed_demo_data(BATCHED, 2024)
    assert snapshot() == resumed


def test_a_seed_while_another_machine_seeds_does_nothing_and_says_so(app, runner):
    with exclusive_run("demo seed"):
        result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0
    assert "another `demo seed` is running; this one did nothing" in result.output
    assert count(Listing) == 0
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0  # released: the next seed goes ahead
    assert count(Listing) == SMALL.listings


def test_demo_logins_can_sign_in(app, login):
    seed_demo_data(SMALL, 2024)
    for username in ("demo-owner", "demo-agency", "demo-developer", "demo-group",
                     "demo-appraiser", "demo-appraiser-2", "demo-bureau"):
        assert login(username, "demo-pass-2024").status_code == 302, username


def test_every_counted_swap_obeys_the_rules(app):
    seed_demo_data(SMALL, 2024)
    ledger = db.session.scalars(select(GoalLedgerEntry)).all()
    completed = db.session.scalar(select(func.count(SwapApplication.id))
                                  .where(SwapApplication.status == ApplicationStatus.COMPLETED))
    assert len(ledger) == completed == SMALL.completed_swaps
    assert max(Counter(entry.property_hash for entry in ledger).values()) == 1
    assert max(Counter(entry.new_unit_id for entry in ledger).values()) == 1
    assert {entry.program_year for entry in ledger} == set(range(2024, beijing_today().year + 1))  # 2024 to today
    for entry in ledger:
        version, rules = current_rules(entry.completed_on)  # each count under its own year's rules
        assert entry.rule_version_id == version.id
        assert entry.program_year == entry.completed_on.year
        assert entry.completed_on < beijing_today()
        assert entry.pilot == (entry.channel == Channel.CITY_GROUP
                               and counts_toward_pilot(entry.district_code, entry.completed_on, rules))
        unit = db.session.get(Unit, entry.new_unit_id)
        assert unit.status == UnitStatus.SOLD
        if entry.channel == Channel.CITY_GROUP:
            _assert_acquisition_obeys_rules(db.session.get(Acquisition, entry.acquisition_id), unit, rules)
        else:
            swap = db.session.get(MarketSwap, entry.market_swap_id)
            assert swap.old_sale_on <= swap.new_purchase_on
            assert (swap.new_purchase_on - swap.old_sale_on).days <= rules.new_home_contract_within_days


def _assert_acquisition_obeys_rules(acquisition, unit, rules):
    application = acquisition.application
    assert acquisition.status == AcquisitionStatus.COMPLETED
    old = OldHomeFacts(application.old_district_code, application.old_build_year,
                       Decimal(application.old_area_m2), application.old_seized)
    assert check_old_home_for_city_group(old, rules, acquisition.contract_signed_on).ok
    district = unit.building.project.district_code
    new = NewHomeFacts(district, acquisition.new_home_price)
    assert check_new_home_for_city_group(new, acquisition.contract_price, rules).ok
    assert acquisition.new_home_price == unit.list_price


def test_home_page_progress_comes_from_the_ledger(app, client):
    seed_demo_data(SMALL, 2024)
    years = year_progress()
    assert sum(year.total for year in years) == SMALL.completed_swaps
    progress = goal_progress()
    assert progress.program_year == beijing_today().year
    assert progress.total > 0
    assert progress.city_group + progress.market == progress.total
    assert f"<strong>{progress.total}</strong> / 10000" in client.get("/").get_data(as_text=True)


def test_demo_listings_agree_with_the_demo_title_registry(app):
    seed_demo_data(SMALL, 2024)
    titles = {t.property_key: t for t in db.session.scalars(select(TitleRecord))}
    for listing in db.session.scalars(select(Listing)):
        title = titles[listing.property_key]
        outcome = verify_listing(listing.area_m2, listing.owner_id_hash,
                                 TitleFacts(title.area_m2, title.owner_id_hash, title.seized))
        expected = (VerificationResult.MISMATCH if listing.status == ListingStatus.SUBMITTED
                    else VerificationResult.VERIFIED)
        assert outcome.result == expected, listing.id
