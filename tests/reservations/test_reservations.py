"""Protected reservations through the service: the three acceptances, the hold's end by the
calendar, by a market swap, by the household or by the city group's backstop purchase."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from housing_swap.db.models import AuditEvent, OrganizationKind, ReservationStatus, Role, UnitStatus
from housing_swap.domain.reservations import Move, Party
from housing_swap.extensions import db
from housing_swap.services import acquisitions, applications, market_swaps, projects, reservations
from housing_swap.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from housing_swap.services.valuation import value_application
from tests.acquisitions.helpers import APPRAISED_VALUE, PDF, TODAY, swap_fields
from tests.factories import valid_id_number
from tests.matching.helpers import submitted_application

from .helpers import active_reservation, parties, set_rule


def audit_actions(reservation_id: int) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == "reservation", AuditEvent.entity_id == str(reservation_id)).order_by(AuditEvent.id)))


def test_the_hold_starts_when_all_three_parties_have_accepted(make):
    cast = parties(make)
    reservation = reservations.propose(cast.proposal(), cast.household)
    db.session.refresh(cast.unit)
    assert cast.unit.status == UnitStatus.RESERVED          # out of search from the proposal on
    assert reservations.accepted_parties(reservation) == {Party.HOUSEHOLD}
    reservations.act(reservation.id, Move.ACCEPT, cast.developer)
    assert reservation.status == ReservationStatus.PROPOSED
    with pytest.raises(Conflict, match="已确认过"):
        reservations.act(reservation.id, Move.ACCEPT, cast.developer)
    reservations.act(reservation.id, Move.ACCEPT, cast.agent)
    assert reservation.status == ReservationStatus.ACTIVE
    assert reservation.hold_starts_on == TODAY
    assert reservation.hold_ends_on == TODAY + timedelta(days=59)    # the rule's 60 days, today the first
    assert (reservation.deposit, reservation.refund_percent) == (20_000, 100)
    assert audit_actions(reservation.id) == ["reservation.propose", "reservation.accept", "reservation.accept"]


def test_the_backstop_floor_is_the_rules_share_of_the_valuations_low_end(make):
    cast = parties(make)
    reservation = reservations.propose(cast.proposal(), cast.household)
    low = value_application(cast.application).low
    assert reservation.backstop_floor == low * 90 // 100
    market_only = parties(make, channel_preference="市场交易")
    assert reservations.backstop_offer(market_only.application) is None


def test_the_hold_runs_out_the_deposit_is_refunded_and_the_unit_is_back_in_stock(make):
    set_rule(reservation_refund_percent=80, reservation_hold_days=30)
    cast = parties(make)
    reservation = active_reservation(cast)
    assert reservation.hold_ends_on == TODAY + timedelta(days=29)
    assert reservations.expire_due(reservation.hold_ends_on) == {"refunded": 0, "lapsed": 0}
    assert reservations.expire_due(reservation.hold_ends_on + timedelta(days=1)) == {"refunded": 1, "lapsed": 0}
    db.session.refresh(cast.unit)
    assert (reservation.status, reservation.refund_amount) == (ReservationStatus.REFUNDED, 16_000)
    assert cast.unit.status == UnitStatus.AVAILABLE
    assert audit_actions(reservation.id)[-1] == "reservation.refunded"


def test_the_daily_command_ends_holds_that_ran_out(make, runner):
    reservation = active_reservation(parties(make))
    db.session.commit()
    on_the_last_day = runner.invoke(args=["reservations", "expire", "--today", reservation.hold_ends_on.isoformat()])
    assert (on_the_last_day.exit_code, on_the_last_day.output.split(" ")[0]) == (0, "0")
    after = runner.invoke(args=["reservations", "expire", "--today",
                                (reservation.hold_ends_on + timedelta(days=1)).isoformat()])
    assert after.exit_code == 0
    assert after.output.startswith("1 hold(s) ran out and were refunded, 0 proposal(s) lapsed")
    db.session.refresh(reservation)
    assert reservation.status == ReservationStatus.REFUNDED
    assert runner.invoke(args=["reservations", "expire", "--today", "2026-13-01"]).exit_code == 2


def test_a_proposal_not_accepted_in_time_lapses_with_the_whole_deposit(make):
    cast = parties(make)
    reservation = reservations.propose(cast.proposal(), cast.household)
    reservations.act(reservation.id, Move.ACCEPT, cast.developer)
    assert reservations.expire_due(TODAY + timedelta(days=2)) == {"refunded": 0, "lapsed": 0}
    assert reservations.expire_due(TODAY + timedelta(days=3)) == {"refunded": 0, "lapsed": 1}
    assert (reservation.status, reservation.refund_amount) == (ReservationStatus.LAPSED, 20_000)


def test_the_household_ends_the_hold_early_without_penalty(make):
    cast = parties(make)
    reservation = active_reservation(cast)
    with pytest.raises(Conflict):
        reservations.act(reservation.id, Move.END, cast.agent)       # only the household may end it
    reservations.act(reservation.id, Move.END, cast.household, "找到了更合适的房子")
    assert (reservation.status, reservation.refund_amount) == (ReservationStatus.REFUNDED, 20_000)
    assert "找到了更合适的房子" in reservation.end_note


def test_the_old_home_sells_and_the_recorded_purchase_converts_the_hold(make):
    cast = parties(make)
    reservation = active_reservation(cast)
    raw = {**swap_fields(cast.application.old_certificate_number, 71, cast.unit.id),
           "household_phone": cast.household.phone}
    swap = market_swaps.record_swap(raw, cast.agent)
    assert (reservation.status, reservation.market_swap_id) == (ReservationStatus.CONVERTED, swap.id)
    market_swaps.cancel_swap(swap.id, "合同信息录错", cast.agent)
    assert reservation.status == ReservationStatus.ACTIVE           # the hold resumes
    assert reservation.market_swap_id is None


def test_no_other_household_may_buy_a_held_unit(make):
    cast = parties(make)
    active_reservation(cast)
    other_application, other = submitted_application(make, household=make.household(id_number=valid_id_number(8801)),
                                                     channel_preference="市场交易")
    raw = {**swap_fields(other_application.old_certificate_number, 72, cast.unit.id), "household_phone": other.phone}
    with pytest.raises(Conflict, match="另一户家庭的锁房保留期内"):
        market_swaps.record_swap(raw, cast.agent)
    with pytest.raises(Conflict, match="已预定"):
        reservations.propose({**cast.proposal(), "application_id": str(other_application.id)}, other)
    with pytest.raises(Conflict, match="锁房保留期内"):
        projects.change_unit_status(cast.unit.id, UnitStatus.AVAILABLE, cast.developer)


def test_turning_to_the_city_group_keeps_the_unit_and_binds_the_offer_to_the_floor(make):
    cast = parties(make)
    reservation = active_reservation(cast)
    reservations.act(reservation.id, Move.CITY_GROUP, cast.household)
    assert reservation.status == ReservationStatus.CITY_GROUP
    db.session.refresh(cast.unit)
    assert cast.unit.status == UnitStatus.RESERVED
    officer = make.staff(Role.CITY_GROUP_OFFICER)
    appraiser = make.staff(Role.APPRAISER, organization=make.organization(
        OrganizationKind.APPRAISER))
    acquisition = acquisitions.take_in(cast.application.id, officer)
    acquisitions.schedule_inspection(acquisition.id, {"inspection_on": TODAY.isoformat(),
                                                      "appraiser_org_id": str(appraiser.organization_id)}, officer)
    acquisitions.appraise(acquisition.id, {"appraised_value": str(APPRAISED_VALUE),
                                           "appraised_on": TODAY.isoformat()}, PDF, appraiser)
    least = min(reservation.backstop_floor, APPRAISED_VALUE)
    with pytest.raises(ValidationFailed, match="报价不符合规则") as refused:
        acquisitions.make_offer(acquisition.id, {"offer_price": str(least - 1)}, officer)
    assert "保底收购价" in refused.value.details["offer_price"][0]
    acquisitions.make_offer(acquisition.id, {"offer_price": str(least)}, officer)
    acquisitions.cancel(acquisition.id, "家庭放弃", officer)
    db.session.refresh(cast.unit)
    assert (reservation.status, reservation.refund_amount) == (ReservationStatus.REFUNDED, 20_000)
    assert cast.unit.status == UnitStatus.AVAILABLE


def test_a_household_outside_the_city_group_cannot_turn_to_it(make):
    cast = parties(make, channel_preference="市场交易")
    reservation = active_reservation(cast)
    with pytest.raises(Conflict, match="不符合城发集团收购条件"):
        reservations.act(reservation.id, Move.CITY_GROUP, cast.household)


def test_withdrawing_the_application_ends_its_hold(make):
    cast = parties(make)
    reservation = reservations.propose(cast.proposal(), cast.household)
    applications.withdraw_application(cast.application.id, cast.household)
    assert (reservation.status, reservation.refund_amount) == (ReservationStatus.WITHDRAWN, 20_000)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"deposit": "60000"}, "deposit", "定金不能高于50,000元"),
    ({"deposit": "两万"}, "deposit", "应为金额"),
    ({"accept_terms": "否"}, "accept_terms", "请阅读并同意"),
    ({"agency_org_id": "999999"}, "agency_org_id", "已审核通过的经纪机构"),
    ({"unit_id": "99999999999"}, "unit_id", "应在1到"),
    ({"unit_id": "999999"}, "unit_id", "平台上没有这个房屋"),
])
def test_bad_proposals_are_refused_in_words_and_write_nothing(make, changes, field, message):
    cast = parties(make)
    with pytest.raises(ValidationFailed) as refused:
        reservations.propose(cast.proposal(**changes), cast.household)
    assert message in refused.value.details[field][0]
    db.session.refresh(cast.unit)
    assert cast.unit.status == UnitStatus.AVAILABLE
    assert reservations.holding_of(cast.application.id) is None


def test_only_the_parties_and_the_bureau_see_an_agreement(make):
    cast = parties(make)
    reservation = reservations.propose(cast.proposal(), cast.household)
    stranger = make.staff(Role.AGENCY_STAFF, organization=make.organization(
        OrganizationKind.AGENCY))
    with pytest.raises(NotFound):
        reservations.reservation_for(reservation.id, stranger)
    with pytest.raises(Forbidden):
        reservations.act(reservation.id, Move.ACCEPT, stranger)
    view = reservations.reservation_for(reservation.id, make.staff(Role.BUREAU_ADMIN))
    assert (view.party, view.moves) == (None, ())
    assert reservations.reservation_for(reservation.id, cast.agent).moves == (Move.ACCEPT, Move.WITHDRAW)
    assert [r.id for r in reservations.reservations_for(cast.developer)] == [reservation.id]
    assert reservations.reservations_for(stranger) == []
