"""Matching through the services and the pages: valuation, both sides, cash gap, the batch run, chains."""
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from housing_swap.db.models import ApplicationMatch, ApplicationStatus, ChainStatus, ListingStatus, Role
from housing_swap.extensions import db
from housing_swap.services import chains, matching, valuation
from housing_swap.services import listings as listing_service
from housing_swap.services.errors import Conflict
from tests.listings.helpers import listing_fields

from .helpers import community, recorded_sales, submitted_application, units_on_sale


def seeded_market(make):
    recorded_sales(community(), unit_price=15_000)
    return units_on_sale(make)


def test_valuation_uses_the_community_sales(make):
    seeded_market(make)
    application, _ = submitted_application(make)
    estimate = valuation.value_application(application)
    assert estimate.method == "comparables"
    assert len(estimate.comparables) == 8
    assert abs(estimate.estimate - 80 * 15_000) / (80 * 15_000) < 0.05
    assert application.valuation_estimate == estimate.estimate


def test_a_listing_is_evidence_of_the_beijing_day_it_was_listed(make):
    """Listed at 17:30 UTC on 30 June is 01:30 on 1 July in Zhengzhou: the recency of the
    evidence counts from 1 July (the database's date() would say 30 June)."""
    agent = make.staff(Role.AGENCY_STAFF, username="evidence-agent")
    listing = listing_service.create_listing(listing_fields(), agent)
    listing.status, listing.listed_at = ListingStatus.ACTIVE, datetime(2026, 6, 30, 17, 30, tzinfo=UTC)
    db.session.commit()
    frame = valuation.evidence_frame(date(2026, 7, 10))
    listed = frame[frame["kind"] == "listing"]
    assert listed["on"].tolist() == [date(2026, 7, 1).toordinal()]


def test_new_home_matches_and_cash_gap_agree(make):
    units = seeded_market(make)
    application, _ = submitted_application(make)
    found = matching.new_home_matches(application, project_id=units[0].building.project_id).matches
    assert [m.unit_id for m in found]
    assert {m.unit_id for m in found} <= {u.id for u in units}
    for m in found:
        assert matching.cash_gap_for_unit(application, m.unit_id).affordable
    dearest = max(units, key=lambda u: u.list_price)
    if dearest.id not in {m.unit_id for m in found}:
        assert not matching.cash_gap_for_unit(application, dearest.id).affordable


def test_sold_units_leave_the_matches_at_once(make):
    units = seeded_market(make)
    application, _ = submitted_application(make)
    first = matching.new_home_matches(application).matches[0].unit_id
    sold = db.session.get(type(units[0]), first)
    sold.status = type(sold.status)("sold")
    db.session.commit()
    assert first not in {m.unit_id for m in matching.new_home_matches(application).matches}


def test_matches_wait_for_a_decision(make):
    seeded_market(make)
    application, _ = submitted_application(make, build_year="1990", channel_preference="城发集团收购")
    with pytest.raises(Conflict, match="审核通过"):
        matching.new_home_matches(application)


def test_old_home_side_names_the_city_group_and_fitting_households(make):
    seeded_market(make)
    seller, _ = submitted_application(make, area_m2="95.00", bedrooms="3", channel_preference="均可")
    buyer, _ = submitted_application(make, community="远方小区", district_code="410102", area_m2="60.00",
                                     bedrooms="1", savings="900000", wanted_districts="金水区")
    found = matching.old_home_buyers(seller, valuation.valuation_or_none(seller))
    assert found.city_group is not None
    assert found.city_group.low <= found.city_group.high
    assert buyer.id in [b.application_id for b in found.households]


def test_batch_run_stores_top_matches_and_marks_matched(make, runner):
    seeded_market(make)
    application, _ = submitted_application(make)
    result = runner.invoke(args=["match", "run"])
    assert result.exit_code == 0, result.output
    assert "applications 1, with at least one match 1" in result.output
    stored = db.session.scalars(select(ApplicationMatch).where(ApplicationMatch.application_id == application.id)
                                .order_by(ApplicationMatch.rank)).all()
    assert [m.rank for m in stored] == list(range(1, len(stored) + 1))
    assert stored
    assert [float(m.score) for m in stored] == sorted((float(m.score) for m in stored), reverse=True)
    db.session.refresh(application)
    assert application.status == ApplicationStatus.MATCHED
    assert application.events[-1].status == ApplicationStatus.MATCHED


def test_chain_from_the_city_group_is_proposed_and_completes_only_when_all_agree(make, runner):
    units_on_sale(make, district="410102", prices=(2_000_000,), area="130.00", bedrooms=4)
    recorded_sales(community(), unit_price=15_000)
    recorded_sales(community("远方小区", "410102"), unit_price=12_000)
    # A (金水区, 125 m², 4 rooms) buys new; B (95 m² in 金水区) wants A's home; C qualifies for the
    # city group and, with a budget of 1.6 million, can buy B's home but not A's.
    a, household_a = submitted_application(make, area_m2="125.00", bedrooms="4", channel_preference="市场交易",
                                           wanted_districts="中原区", savings="2000000")
    b, household_b = submitted_application(make, area_m2="95.00", bedrooms="3", channel_preference="市场交易",
                                           wanted_districts="金水区", savings="1200000", min_area_m2="120")
    c, household_c = submitted_application(make, community="远方小区", district_code="410102", area_m2="70.00",
                                           bedrooms="2", wanted_districts="金水区", min_area_m2="90",
                                           savings="900000", budget_max="1600000", channel_preference="城发集团收购")
    assert runner.invoke(args=["match", "run"]).exit_code == 0
    result = runner.invoke(args=["match", "chains"])
    assert "new proposals 1" in result.output, result.output
    proposal = chains.proposals_for(household_a)[0]
    assert (proposal.kind, proposal.starter) == ("chain", "city_group")
    assert [link.application_id for link in proposal.links] == [a.id, b.id, c.id]
    assert proposal.links[0].new_unit_id is not None
    chains.decide_link(proposal.id, household_a, accept=True)
    chains.decide_link(proposal.id, household_b, accept=True)
    assert proposal.status == ChainStatus.PROPOSED
    chains.decide_link(proposal.id, household_c, accept=True)
    assert proposal.status == ChainStatus.AGREED
    # Nobody is proposed twice while a proposal stands.
    assert "new proposals 0" in runner.invoke(args=["match", "chains"]).output


def test_one_decline_cancels_the_chain_and_the_next_run_routes_around_it(make, runner):
    units_on_sale(make, district="410102", prices=(2_000_000,), area="130.00", bedrooms=4)
    recorded_sales(community(), unit_price=15_000)
    recorded_sales(community("远方小区", "410102"), unit_price=12_000)
    a, _ = submitted_application(make, area_m2="125.00", bedrooms="4", channel_preference="市场交易",
                                 wanted_districts="中原区", savings="2000000")
    b, household_b = submitted_application(make, area_m2="95.00", bedrooms="3", channel_preference="市场交易",
                                           wanted_districts="金水区", savings="1200000", min_area_m2="120")
    c, _ = submitted_application(make, community="远方小区", district_code="410102", area_m2="70.00",
                                 bedrooms="2", wanted_districts="金水区", min_area_m2="90", savings="900000",
                                 budget_max="1600000", channel_preference="城发集团收购")
    runner.invoke(args=["match", "run"])
    runner.invoke(args=["match", "chains"])
    proposal = chains.proposals_for(household_b)[0]
    chains.decide_link(proposal.id, household_b, accept=False)
    assert proposal.status == ChainStatus.DECLINED
    try:
        chains.decide_link(proposal.id, household_b, accept=True)
    except Conflict:
        pass
    else:
        raise AssertionError("a decided proposal changed")
    # B will not buy A's home; B can still buy new, so the next run proposes B → C without A.
    assert "new proposals 1" in runner.invoke(args=["match", "chains"]).output
    latest = chains.proposals_for(household_b)[0]
    assert latest.id != proposal.id
    assert [link.application_id for link in latest.links] == [b.id, c.id]
    assert a.id not in {link.buys_from_application_id for link in latest.links}


def test_application_page_shows_valuation_matches_and_gap(make, client, login):
    units = seeded_market(make)
    application, household = submitted_application(make)
    login(household.phone)
    page = client.get(f"/applications/{application.id}?unit={units[0].id}").get_data(as_text=True)
    assert "旧房估值" in page
    assert "为您匹配的新房" in page
    assert "资金测算" in page
    assert "面积比现住房大30.00㎡" in page
    assert application.old_certificate_number not in page      # masked
    officer = make.staff(Role.CITY_GROUP_OFFICER)
    client.post("/auth/logout")
    login(officer.username)
    assert client.get(f"/applications/{application.id}").status_code == 200

