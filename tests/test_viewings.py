"""Viewing requests (预约看房): asked by a household, answered by the listing's owner side, numbers
revealed (and audited) only once a time is agreed; limits, blocking and expiry; pages and API."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from housing_swap.db.base import utcnow
from housing_swap.db.models import AuditEvent, ListingStatus, Notification, Role, ViewingRequest
from housing_swap.domain.viewings import Move, MoveRefused, ViewingStatus, parsed_time
from housing_swap.extensions import db
from housing_swap.services import listings as listing_service
from housing_swap.services import viewings
from housing_swap.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from housing_swap.services.rate_limits import TooManyAttempts
from tests.factories import Factories
from tests.listings.helpers import listing_fields
from tests.listings.test_api import token_for

HOUSEHOLD_PHONE = "13912345678"


def at(hours: int) -> datetime:
    """A whole-minute time this many hours from now."""
    return (utcnow() + timedelta(hours=hours)).replace(second=0, microsecond=0)


@pytest.fixture
def agency_listing(app, make):
    agent = make.staff(Role.AGENCY_STAFF, username="viewing-agent")
    listing = listing_service.create_listing(listing_fields(contact_phone="13800001234"), agent)
    listing.status, listing.listed_at = ListingStatus.ACTIVE, utcnow()
    db.session.commit()
    return listing, agent


@pytest.fixture
def household(make):
    return make.household(phone=HOUSEHOLD_PHONE, real_name="李四")


def ask(listing, household, *hours, note="周末方便"):
    return viewings.request_viewing(listing.id, [at(h) for h in hours or (24, 48)], note, household)


def test_a_time_is_agreed_and_only_then_each_side_sees_the_others_number(agency_listing, household):
    listing, agent = agency_listing
    viewing = ask(listing, household, 24, 48)
    assert viewing.status == ViewingStatus.AWAITING_OWNER
    assert viewing.answer_due_at == min(viewing.created_at + timedelta(hours=24), at(24))
    with pytest.raises(Conflict, match="约定看房时间后"):
        viewings.reveal_contact(viewing.id, household)
    agreed = viewings.answer(viewing.id, viewings.Answer(Move.ACCEPT, (at(48),)), agent)
    assert (agreed.status, agreed.agreed_time, agreed.answer_due_at) == (ViewingStatus.AGREED, at(48), None)
    assert viewings.reveal_contact(viewing.id, household).phone == "13800001234"
    assert viewings.reveal_contact(viewing.id, agent) == viewings.Contact("李四", HOUSEHOLD_PHONE)
    reveals = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "viewing.contact_reveal")).all()
    assert [event.actor_user_id for event in reveals] == [household.id, agent.id]
    assert HOUSEHOLD_PHONE not in str([event.after for event in reveals])  # the log keeps it masked
    moves = [event.move for event in db.session.get(ViewingRequest, viewing.id).events]
    assert moves == ["request", "accept", "reveal", "reveal"]


def test_each_side_is_told_of_the_others_move(agency_listing, household):
    listing, agent = agency_listing
    viewing = ask(listing, household)
    viewings.answer(viewing.id, viewings.Answer(Move.PROPOSE, (at(72),), "那天有事"), agent)
    told = {(n.user_id, n.kind) for n in db.session.scalars(select(Notification))}
    assert told == {(agent.id, "viewing_requested"), (household.id, "viewing_answered")}


def test_a_counter_proposal_waits_for_the_household(agency_listing, household):
    listing, agent = agency_listing
    viewing = ask(listing, household, 24)
    viewings.answer(viewing.id, viewings.Answer(Move.PROPOSE, (at(30), at(31))), agent)
    assert viewing.status == ViewingStatus.AWAITING_HOUSEHOLD
    with pytest.raises(Conflict, match="等待对方答复"):
        viewings.answer(viewing.id, viewings.Answer(Move.ACCEPT, (at(30),)), agent)
    with pytest.raises(ValidationFailed, match="对方提出的时间"):
        viewings.answer(viewing.id, viewings.Answer(Move.ACCEPT, (at(24),)), household)  # its own old time
    assert viewings.answer(viewing.id, viewings.Answer(Move.ACCEPT, (at(31),)), household).agreed_time == at(31)


@pytest.mark.parametrize(("hours", "message"), [
    pytest.param((1,), "2小时以后", id="too-soon"),
    pytest.param((-5,), "2小时以后", id="past"),
    pytest.param((24 * 31,), "30天以内", id="too-far"),
    pytest.param((24, 25, 26, 27), "最多提出3个", id="four-times"),
])
def test_proposed_times_are_checked(agency_listing, household, hours, message):
    listing, _ = agency_listing
    with pytest.raises(ValidationFailed, match=message):
        ask(listing, household, *hours)
    assert db.session.scalar(select(ViewingRequest.id)) is None


def test_the_same_time_twice_counts_once(agency_listing, household):
    listing, _ = agency_listing
    assert ask(listing, household, 24, 24).proposed_times == [at(24).isoformat()]


def test_one_open_request_per_listing_and_a_daily_limit(app, make, agency_listing, household, monkeypatch):
    listing, agent = agency_listing
    first = ask(listing, household)
    with pytest.raises(Conflict, match="已预约过"):
        ask(listing, household)
    viewings.answer(first.id, viewings.Answer(Move.WITHDRAW), household)
    ask(listing, household)  # withdrawn: asking again is fine
    monkeypatch.setitem(app.config, "VIEWING_REQUESTS_PER_DAY", 2)
    other = listing_service.create_listing(listing_fields(), agent)
    other.status = ListingStatus.ACTIVE
    db.session.commit()
    with pytest.raises(TooManyAttempts, match="每天最多预约2次"):
        ask(other, household)


def test_an_owner_side_can_block_a_requester(agency_listing, household, make):
    listing, agent = agency_listing
    viewing = ask(listing, household)
    blocked = viewings.block_requester(viewing.id, agent)
    assert blocked.status == ViewingStatus.DECLINED
    with pytest.raises(Forbidden, match="暂不接受"):
        ask(listing, household)
    ask(listing, make.household())  # others still may
    with pytest.raises(Forbidden):
        viewings.block_requester(viewing.id, household)


def test_only_the_two_sides_see_a_request_and_only_households_ask(agency_listing, household, make):
    listing, agent = agency_listing
    viewing = ask(listing, household)
    for stranger in (make.household(), make.staff(Role.AGENCY_STAFF)):
        with pytest.raises(NotFound):
            viewings.viewing_for(viewing.id, stranger)
    colleague = make.staff(Role.AGENCY_STAFF, organization=agent.organization)
    assert viewings.viewing_for(viewing.id, colleague)[0].id == viewing.id
    with pytest.raises(Forbidden):
        viewings.request_viewing(listing.id, [at(24)], "", colleague)
    with pytest.raises(Conflict, match="只有房源方可以婉拒"):
        viewings.answer(viewing.id, viewings.Answer(Move.DECLINE), household)


def test_a_listing_not_on_sale_or_ones_own_cannot_be_asked_for(app, make, agency_listing, household):
    listing, _ = agency_listing
    listing.status = ListingStatus.RESERVED
    db.session.commit()
    with pytest.raises(Conflict, match="不在售"):
        ask(listing, household)
    own = listing_service.create_listing(listing_fields(), household)
    own.status = ListingStatus.ACTIVE
    db.session.commit()
    with pytest.raises(Conflict, match="自己的房源"):
        ask(own, household)


def test_control_characters_in_a_note_are_refused(agency_listing, household):
    listing, _ = agency_listing
    with pytest.raises(ValidationFailed, match="控制字符"):
        ask(listing, household, note="周末\x07")


def test_requests_whose_times_all_passed_expire(agency_listing, household):
    listing, agent = agency_listing
    viewing = ask(listing, household, 24, 48)
    assert viewings.expire_past_requests(utcnow() + timedelta(hours=30)) == 0  # one time still ahead
    assert viewings.expire_past_requests(utcnow() + timedelta(hours=49)) == 1
    db.session.expire_all()
    assert db.session.get(ViewingRequest, viewing.id).status == ViewingStatus.EXPIRED
    assert viewings.expire_past_requests(utcnow() + timedelta(hours=49)) == 0


def test_the_agency_list_puts_the_soonest_due_first(agency_listing, household, make):
    listing, agent = agency_listing
    later = ask(listing, household, 40)
    sooner = ask(listing, make.household(), 10)
    agreed = ask(listing, make.household(), 30)
    viewings.answer(agreed.id, viewings.Answer(Move.ACCEPT, (at(30),)), agent)
    assert [v.id for v in viewings.requests_received_by(agent).items] == [sooner.id, later.id, agreed.id]


# ----- pages ---------------------------------------------------------------------------------------

def beijing_field(moment: datetime) -> str:
    return (moment + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")


def test_both_sides_through_the_pages_end_with_revealed_numbers(app, agency_listing, household, login, client):
    listing, agent = agency_listing
    login(HOUSEHOLD_PHONE)
    page = client.get(f"/listings/{listing.id}").get_data(as_text=True)
    assert "预约看房" in page
    assert "138****1234" in page
    answer = client.post(f"/listings/{listing.id}/viewing-requests",
                         data={"time_1": beijing_field(at(26)), "time_2": "", "note": "下班后"})
    viewing = db.session.scalar(select(ViewingRequest))
    assert answer.headers["Location"].endswith(f"/viewings/{viewing.id}")
    assert viewing.proposed_times == [at(26).isoformat()]  # the field was read as Beijing time
    agency = app.test_client()
    agency.post("/auth/login", data={"login": "viewing-agent", "password": Factories.PASSWORD})
    listed = agency.get("/viewings").get_data(as_text=True)
    assert "答复期限" in listed
    assert listing.community.name in listed
    agency.post(f"/viewings/{viewing.id}/answer", data={"move": "accept", "time": at(26).isoformat()})
    revealed = agency.post(f"/viewings/{viewing.id}/contact").get_data(as_text=True)
    assert HOUSEHOLD_PHONE in revealed
    mine = client.post(f"/viewings/{viewing.id}/contact").get_data(as_text=True)
    assert "13800001234" in mine
    assert HOUSEHOLD_PHONE not in agency.get(f"/viewings/{viewing.id}").get_data(as_text=True)  # only on the reveal


def test_a_bad_time_on_the_page_is_a_message_not_an_error(agency_listing, household, login, client):
    listing, _ = agency_listing
    login(HOUSEHOLD_PHONE)
    answer = client.post(f"/listings/{listing.id}/viewing-requests", data={"time_1": "明天下午"},
                         follow_redirects=True)
    assert answer.status_code == 200
    assert "格式有误" in answer.get_data(as_text=True)


# ----- API -----------------------------------------------------------------------------------------

def test_the_api_runs_the_same_flow(client, agency_listing, household):
    listing, _ = agency_listing
    mine = token_for(client, HOUSEHOLD_PHONE)
    theirs = token_for(client, "viewing-agent")
    when = at(28).astimezone(UTC).isoformat()
    created = client.post(f"/api/v1/listings/{listing.id}/viewing-requests", headers=mine,
                          json={"times": [when], "note": "看看采光"})
    assert created.status_code == 201
    body = created.get_json()
    assert (body["status"], body["side"], body["other_party_phone"]) == ("awaiting_owner", "household", "138****1234")
    received = client.get("/api/v1/viewing-requests", headers=theirs).get_json()
    assert [item["id"] for item in received["items"]] == [body["id"]]
    assert received["items"][0]["other_party_phone"] == "139****5678"
    assert received["items"][0]["moves"] == ["accept", "propose", "decline"]
    naive = client.post(f"/api/v1/viewing-requests/{body['id']}/accept", headers=theirs,
                        json={"time": when.removesuffix("+00:00")})
    assert naive.status_code == 422
    accepted = client.post(f"/api/v1/viewing-requests/{body['id']}/accept", headers=theirs, json={"time": when})
    assert accepted.get_json()["status"] == "agreed"
    contact = client.post(f"/api/v1/viewing-requests/{body['id']}/contact", headers=mine).get_json()
    assert contact == {"name": "王经理", "phone": "13800001234"}
    history = client.get(f"/api/v1/viewing-requests/{body['id']}", headers=mine).get_json()["history"]
    assert [(step["move"], step["by"]) for step in history] == [
        ("request", "household"), ("accept", "owner_side"), ("reveal", "household")]
    twice = client.post(f"/api/v1/listings/{listing.id}/viewing-requests", headers=mine, json={"times": [when]})
    assert twice.status_code == 409


@pytest.mark.parametrize(("text", "message"), [
    ("9999-12-31T23:59:00-23:59", "超出可预约的范围"), ("0001-01-01T00:00:00+23:59", "超出可预约的范围"),
    ("2026-13-01T10:00:00+08:00", "格式有误"), ("明天", "格式有误"),
])
def test_impossible_times_are_refused_in_words(text, message):
    with pytest.raises(MoveRefused, match=message):
        parsed_time(text, naive_is_beijing=False)


def test_a_time_typed_with_full_width_digits_reads_as_the_same_time():
    typed = parsed_time("２０２６-12-10T14:30:00＋08:00", naive_is_beijing=False)
    assert typed == parsed_time("2026-12-10T14:30:00+08:00", naive_is_beijing=False)
    assert typed.isoformat() == "2026-12-10T06:30:00+00:00"
