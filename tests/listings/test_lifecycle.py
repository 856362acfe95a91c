"""The listing lifecycle: allowed and refused transitions per role, verification, duplicates."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from housing_swap.db.base import utcnow
from housing_swap.db.models import (
    AuditEvent,
    Listing,
    ListingStatus,
    OrganizationKind,
    Role,
)
from housing_swap.domain.listing_lifecycle import TRANSITIONS, Actor, check_transition
from housing_swap.extensions import db
from housing_swap.services import listings as service
from housing_swap.services.errors import Conflict, NotFound, ValidationFailed
from housing_swap.services.listings import StatusChange
from tests.factories import valid_id_number
from tests.listings.helpers import listing_fields, register_title

ALL_STATES = [status.value for status in ListingStatus]


@pytest.mark.parametrize("current", ALL_STATES)
@pytest.mark.parametrize("target", ALL_STATES)
@pytest.mark.parametrize("actor", list(Actor))
def test_transition_table_is_the_whole_truth(current, target, actor):
    decision = check_transition(current, target, actor, reason="测试原因")
    rule = TRANSITIONS.get((current, target))
    assert decision.ok is bool(rule and actor in rule.actors)


def test_reason_is_required_where_it_matters():
    assert not check_transition("active", "withdrawn", Actor.OWNER_SIDE, None).ok
    assert check_transition("active", "withdrawn", Actor.OWNER_SIDE, "业主不卖了").ok


@pytest.fixture
def household(make):
    return make.household(id_number=valid_id_number(11))


def submit(listing, user):
    return service.change_status(listing.id, StatusChange(ListingStatus.SUBMITTED), user)


def test_registry_match_makes_the_listing_active_with_a_code(app, household):
    fields = listing_fields()
    register_title(app, fields["certificate_number"], household.id_number)
    listing = service.create_listing(fields, household)
    assert listing.status == ListingStatus.DRAFT
    submit(listing, household)
    assert listing.status == ListingStatus.ACTIVE
    assert len(listing.verification_code) == 10
    assert listing.verified_at is not None


def test_registry_mismatch_waits_for_the_bureau(app, household, make):
    fields = listing_fields(area_m2="95.00")
    register_title(app, fields["certificate_number"], household.id_number, area="89.50")
    listing = submit(service.create_listing(fields, household), household)
    assert listing.status == ListingStatus.SUBMITTED
    assert "建筑面积与登记簿不符" in listing.verification_note
    bureau = make.staff(Role.BUREAU_ADMIN)
    service.verify_by_hand(listing.id, bureau, "现场核对产权证原件")
    assert listing.status == ListingStatus.ACTIVE
    assert "人工核验" in listing.verification_note


def test_unregistered_property_waits_and_other_owner_mismatches(app, household, make):
    fields = listing_fields()
    register_title(app, fields["certificate_number"], valid_id_number(99))
    listing = submit(service.create_listing(fields, household), household)
    assert listing.status == ListingStatus.SUBMITTED
    assert "产权人与登记簿不符" in listing.verification_note
    unregistered = submit(service.create_listing(listing_fields(), household), household)
    assert "未找到该不动产权证号" in unregistered.verification_note


def test_seized_property_cannot_be_published(app, household, make):
    fields = listing_fields()
    register_title(app, fields["certificate_number"], household.id_number, seized=True)
    listing = service.create_listing(fields, household)
    with pytest.raises(Conflict, match="查封"):
        submit(listing, household)
    db.session.rollback()
    assert db.session.get(Listing, listing.id).status == ListingStatus.DRAFT
    bureau = make.staff(Role.BUREAU_ADMIN)
    with pytest.raises(Conflict):
        service.verify_by_hand(listing.id, bureau, "")


def test_one_property_one_live_listing_across_agency_and_owner(app, household, make):
    fields = listing_fields()
    register_title(app, fields["certificate_number"], household.id_number)
    submit(service.create_listing(fields, household), household)
    agent = make.staff(Role.AGENCY_STAFF)
    second = service.create_listing({**fields, "owner_id_number": household.id_number}, agent)
    with pytest.raises(Conflict, match="同一房产只能有一条有效房源"):
        submit(second, agent)
    db.session.rollback()
    assert db.session.get(Listing, second.id).status == ListingStatus.DRAFT


def test_owner_moves_through_sale_and_cannot_go_back(app, household):
    fields = listing_fields()
    register_title(app, fields["certificate_number"], household.id_number)
    listing = submit(service.create_listing(fields, household), household)
    service.change_status(listing.id, StatusChange(ListingStatus.RESERVED), household)
    with pytest.raises(Conflict, match="须填写原因"):
        service.change_status(listing.id, StatusChange(ListingStatus.ACTIVE), household)
    service.change_status(listing.id, StatusChange(ListingStatus.ACTIVE, "买方贷款未获批"), household)
    assert listing.sold_at is None
    service.change_status(listing.id, StatusChange(ListingStatus.SOLD), household)
    assert abs(db.session.get(Listing, listing.id).sold_at - utcnow()) < timedelta(minutes=1)  # time to sell
    with pytest.raises(Conflict, match="不能从“已成交”变为“在售”"):
        service.change_status(listing.id, StatusChange(ListingStatus.ACTIVE, "x"), household)
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == str(listing.id))).all()
    assert actions.count("listing.status") == 4


def test_owner_cannot_verify_their_own_listing(app, household):
    listing = submit(service.create_listing(listing_fields(), household), household)
    with pytest.raises(Conflict, match="无权"):
        service.change_status(listing.id, StatusChange(ListingStatus.ACTIVE), household)


def test_other_agency_gets_not_found_and_changes_nothing(app, make):
    agency_a = make.staff(Role.AGENCY_STAFF)
    agency_b = make.staff(Role.AGENCY_STAFF, organization=make.organization(OrganizationKind.AGENCY))
    listing = service.create_listing(listing_fields(), agency_a)
    version = listing.version
    with pytest.raises(NotFound):
        service.update_listing(listing.id, {"asking_price": "1"}, agency_b)
    with pytest.raises(NotFound):
        service.change_status(listing.id, StatusChange(ListingStatus.SUBMITTED), agency_b)
    db.session.rollback()
    fresh = db.session.get(Listing, listing.id)
    assert fresh.version == version
    assert fresh.status == ListingStatus.DRAFT


def test_price_changes_are_recorded_in_order(app, household):
    listing = service.create_listing(listing_fields(), household)
    service.update_listing(listing.id, {"asking_price": "1300000"}, household)
    service.update_listing(listing.id, {"asking_price": "1280000"}, household)
    history = [(c.old_price, c.new_price) for c in db.session.get(Listing, listing.id).price_changes]
    assert history == [(1350000, 1300000), (1300000, 1280000)]
    assert listing.unit_price == round(1280000 / 89.5)


def test_identity_cannot_change_after_submission(app, household):
    listing = submit(service.create_listing(listing_fields(), household), household)
    with pytest.raises(Conflict, match="产权信息"):
        service.update_listing(listing.id, {"area_m2": "100.00"}, household)


def test_bad_fields_are_all_reported(app, household):
    with pytest.raises(ValidationFailed) as refused:
        service.create_listing(listing_fields(floor="20", total_floors="18", area_m2="abc",
                                              orientation="上"), household)
    assert set(refused.value.details) == {"floor", "area_m2", "orientation"}
    assert db.session.scalar(select(func.count(Listing.id))) == 0


def test_bulk_status_reports_each_listing(app, make):
    agent = make.staff(Role.AGENCY_STAFF)
    drafts = [service.create_listing(listing_fields(), agent) for _ in range(3)]
    results = service.bulk_change_status([d.id for d in drafts] + [999999],
                                         StatusChange(ListingStatus.SUBMITTED), agent)
    assert [results[d.id] for d in drafts] == [None, None, None]
    assert "不存在" in results[999999]
    withdrawn = service.bulk_change_status([d.id for d in drafts], StatusChange(ListingStatus.SOLD), agent)
    assert all("不能从" in message for message in withdrawn.values())


def test_stale_listings_expire(app, household):
    fields = listing_fields()
    register_title(app, fields["certificate_number"], household.id_number)
    listing = submit(service.create_listing(fields, household), household)
    listing.renewed_at = utcnow() - timedelta(days=91)
    db.session.commit()
    assert service.expire_stale_listings(90) == 1
    assert db.session.get(Listing, listing.id).status == ListingStatus.EXPIRED
