"""The city-group acquisition path: every step in order, every refused shortcut, deadlines,
the new-home rules and quotas, cancellation and re-counting."""
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from housing_swap.db.models import (
    AcquisitionDocument,
    AcquisitionStatus,
    ApplicationStatus,
    AuditEvent,
    GoalLedgerEntry,
    LedgerEntryType,
    Organization,
    OrganizationKind,
    Role,
    UnitSettlement,
    UnitStatus,
)
from housing_swap.domain.acquisitions import MAIN_PATH
from housing_swap.domain.rules import rule_form_values
from housing_swap.extensions import db
from housing_swap.services import acquisitions, ledger, ledger_reversals, rules
from housing_swap.services.documents import DocumentUpload
from housing_swap.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.acquisitions.helpers import PDF, STEP_INPUT, TODAY, Cast, days_from_today, drive_to, reverse_by_two
from tests.matching.helpers import submitted_application, units_on_sale
from tests.reservations.helpers import set_rule


def net_count() -> int:
    signs = {LedgerEntryType.COUNT: 1, LedgerEntryType.REVERSAL: -1}
    return sum(signs[t] for t in db.session.scalars(select(GoalLedgerEntry.entry_type)))


def test_the_full_path_counts_once_sells_the_unit_and_leaves_a_trail(make):
    cast = Cast(make)
    acquisition = drive_to(cast, "completed")
    assert net_count() == 1
    entry = ledger.live_entry_for(acquisition_id=acquisition.id)
    assert (entry.channel.value, entry.district_code, entry.new_unit_id) == ("city_group", "410105", cast.unit.id)
    db.session.refresh(cast.unit)
    db.session.refresh(cast.application)
    assert cast.unit.status == UnitStatus.SOLD
    assert cast.application.status == ApplicationStatus.COMPLETED
    assert [e.status.value for e in acquisition.events] == [
        "intake", "inspection_scheduled", "appraised", "offer_made", "offer_accepted", "contract_signed",
        "new_home_purchased", "title_transferred", "completed"]
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "acquisition")))
    assert {f"acquisition.{step}" for step in STEP_INPUT} | {"acquisition.intake"} <= actions
    report = db.session.scalars(select(AcquisitionDocument)).one()
    assert (report.kind, report.content_type, report.content) == ("appraisal_report", "application/pdf", PDF.content)
    assert ledger.verify() == []


@pytest.mark.parametrize(("reached", "attempted"), [
    ("appraised", "appraised"), ("inspection_scheduled", "offer_made"), ("offer_made", "contract_signed"),
    ("offer_accepted", "new_home_purchased"), ("contract_signed", "title_transferred"),
    ("new_home_purchased", "completed"),
])
def test_a_step_out_of_order_is_refused_with_the_reason(make, reached, attempted):
    cast = Cast(make)
    acquisition = drive_to(cast, reached)
    with pytest.raises(Conflict, match="当前状态为.*不能办理"):
        STEP_INPUT[attempted](cast, acquisition)
    db.session.rollback()
    db.session.refresh(acquisition)
    assert acquisition.status.value == reached
    assert net_count() == 0


def test_a_completed_acquisition_cannot_be_completed_again(make):
    cast = Cast(make)
    acquisition = drive_to(cast, "completed")
    with pytest.raises(Conflict, match="已完成"):
        STEP_INPUT["completed"](cast, acquisition)
    assert net_count() == 1


def test_each_step_belongs_to_its_role(make):
    cast = Cast(make)
    with pytest.raises(Forbidden):
        acquisitions.take_in(cast.application.id, cast.household)
    acquisition = drive_to(cast, "inspection_scheduled")
    other_appraiser = make.staff(Role.APPRAISER, organization=make.organization(OrganizationKind.APPRAISER))
    with pytest.raises(Forbidden, match="受委托的评估机构"):
        acquisitions.appraise(acquisition.id, {"appraised_value": "1000000", "appraised_on": TODAY.isoformat()},
                              PDF, other_appraiser)
    with pytest.raises(ValidationFailed) as no_report:
        acquisitions.appraise(acquisition.id, {"appraised_value": "1000000", "appraised_on": TODAY.isoformat()},
                              None, cast.appraiser)
    assert no_report.value.details == {"report": ["请上传评估报告（PDF、JPEG或PNG）"]}
    with pytest.raises(ValidationFailed, match="只接受PDF"):
        acquisitions.appraise(acquisition.id, {"appraised_value": "1000000", "appraised_on": TODAY.isoformat()},
                              DocumentUpload("report.pdf", b"MZ not a pdf"), cast.appraiser)
    db.session.rollback()
    acquisition = STEP_INPUT["appraised"](cast, acquisition)
    acquisition = STEP_INPUT["offer_made"](cast, acquisition)
    stranger = make.household()
    with pytest.raises(NotFound):
        acquisitions.answer_offer(acquisition.id, True, stranger)
    with pytest.raises(NotFound):
        acquisitions.answer_offer(acquisition.id, True, cast.officer)
    assert db.session.scalar(select(func.count()).select_from(AcquisitionDocument)) == 1


def test_an_application_is_taken_in_once_and_only_for_its_channel(make):
    cast = Cast(make)
    acquisitions.take_in(cast.application.id, cast.officer)
    with pytest.raises(Conflict, match="不能重复受理"):
        acquisitions.take_in(cast.application.id, cast.officer)
    market_only, _ = submitted_application(make, channel_preference="市场交易")
    with pytest.raises(Conflict, match="不符合城发集团收购渠道"):
        acquisitions.take_in(market_only.id, cast.officer)


def test_the_offer_is_capped_by_the_appraisal_and_the_contract_follows_it(make):
    cast = Cast(make)
    acquisition = drive_to(cast, "appraised")
    with pytest.raises(ValidationFailed) as too_high:
        acquisitions.make_offer(acquisition.id, {"offer_price": "1000001"}, cast.officer)
    assert too_high.value.details["offer_price"] == ["报价1000001元高于规则允许的上限1000000元（评估价1000000元×1.00）"]
    db.session.rollback()
    acquisition = drive_to_step(cast, acquisition, "offer_accepted")
    with pytest.raises(ValidationFailed, match="合同价格有误"):
        acquisitions.sign_contract(acquisition.id, {"contract_number": "SG-X", "contract_price": "900000",
                                                    "contract_signed_on": TODAY.isoformat()}, None, cast.officer)
    db.session.rollback()
    with pytest.raises(ValidationFailed, match="日期有误"):
        acquisitions.sign_contract(acquisition.id, {"contract_number": "SG-X", "contract_price": "950000",
                                                    "contract_signed_on": days_from_today(1).isoformat()},
                                   None, cast.officer)


def drive_to_step(cast, acquisition, status):
    for step in MAIN_PATH[MAIN_PATH.index(acquisition.status.value) + 1:MAIN_PATH.index(status) + 1]:
        acquisition = STEP_INPUT[step](cast, acquisition)
    return acquisition


def test_an_offer_expires_after_its_deadline_and_a_new_one_can_follow(make):
    cast = Cast(make)
    acquisition = drive_to(cast, "offer_made")
    deadline = acquisition.offer_expires_on
    assert deadline == days_from_today(15)
    with pytest.raises(Conflict, match=f"报价已于{deadline.isoformat()}过期"):
        acquisitions.answer_offer(acquisition.id, True, cast.household, today=deadline + timedelta(days=1))
    db.session.refresh(acquisition)
    assert acquisition.status == AcquisitionStatus.OFFER_EXPIRED
    acquisition = acquisitions.make_offer(acquisition.id, {"offer_price": "960000"}, cast.officer)
    # The deadline itself is still in time.
    accepted = acquisitions.answer_offer(acquisition.id, True, cast.household, today=acquisition.offer_expires_on)
    assert accepted.status == AcquisitionStatus.OFFER_ACCEPTED
    assert accepted.offer_price == 960000


def test_the_daily_command_expires_offers_past_their_deadline(make, runner):
    cast = Cast(make)
    acquisition = drive_to(cast, "offer_made")
    on_time = runner.invoke(args=["acquisitions", "expire-offers", "--today", acquisition.offer_expires_on.isoformat()])
    assert on_time.exit_code == 0
    assert "0" in on_time.output
    late = runner.invoke(args=["acquisitions", "expire-offers", "--today",
                               days_from_today(16).isoformat()])
    assert late.exit_code == 0
    assert "1" in late.output
    db.session.refresh(acquisition)
    assert acquisition.status == AcquisitionStatus.OFFER_EXPIRED


def test_the_new_home_must_meet_the_rules_and_be_for_sale(make):
    outside = Cast(make, district="410122")  # 中牟县: not in the main urban area
    acquisition = drive_to(outside, "contract_signed")
    with pytest.raises(ValidationFailed, match="新房须位于主城区"):
        STEP_INPUT["new_home_purchased"](outside, acquisition)
    db.session.rollback()
    set_rule(new_units_max=1)              # no second new home may make up the difference
    cheap = units_on_sale(make, prices=(949_999,))[0]
    with pytest.raises(ValidationFailed, match="低于要求的950000元"):
        acquisitions.record_purchase(acquisition.id, {
            "unit_id": str(cheap.id), "purchase_contract_number": "WQ-cheap", "new_home_price": "949999",
            "purchased_on": TODAY.isoformat()}, None, outside.officer)
    db.session.rollback()
    first = Cast(make)
    drive_to(first, "new_home_purchased")
    second = Cast(make)
    second.unit = first.unit  # the same unit for another household
    acquisition = drive_to(second, "contract_signed")
    with pytest.raises(Conflict, match="已售出"):
        STEP_INPUT["new_home_purchased"](second, acquisition)


def publish_rules(make, **changes) -> None:
    admin = make.staff(Role.BUREAU_ADMIN)
    _, current = rules.current_rules()
    values = rule_form_values(replace(current, **changes))
    values.update(name="额度测试", effective_from=TODAY.replace(month=1, day=1).isoformat())
    rules.publish(rules.create_draft(values, admin).id, admin)


def one_place_targets(current):
    return replace(current.targets, city_group=1, market=1, total=2, pilot=1)


@pytest.mark.parametrize("hard_cap", [True, False])
def test_quota_as_a_hard_cap_refuses_and_as_a_target_flags(make, hard_cap):
    _, current = rules.current_rules()
    publish_rules(make, targets=one_place_targets(current), quota_is_hard_cap=hard_cap,
                  program_year=TODAY.year, pilot_start=TODAY.replace(month=1, day=1),
                  pilot_end=TODAY.replace(month=12, day=31))
    first = drive_to(Cast(make), "completed")
    assert first.over_quota is None
    assert ledger.live_entry_for(acquisition_id=first.id).pilot is True
    second_cast = Cast(make)
    second = drive_to(second_cast, "title_transferred")
    if hard_cap:
        with pytest.raises(Conflict, match="已超出城发集团年度收购额度（1套）、试点额度（1套），按规则不能再完成收购"):
            STEP_INPUT["completed"](second_cast, second)
        db.session.rollback()
        assert net_count() == 1
    else:
        second = STEP_INPUT["completed"](second_cast, second)
        assert second.over_quota == "已超出城发集团年度收购额度（1套）、试点额度（1套）"
        assert net_count() == 2


def test_nobody_cancels_a_completed_acquisition_and_two_people_take_its_count_back(make):
    cast = Cast(make)
    acquisition = drive_to(cast, "completed")
    bureau, officer = make.staff(Role.BUREAU_ADMIN), cast.officer
    for actor in (officer, bureau):
        with pytest.raises(Conflict, match="不能取消"):
            acquisitions.cancel(acquisition.id, "购房合同解除", actor)
        db.session.rollback()
    assert net_count() == 1
    entry = ledger.live_entry_for(acquisition_id=acquisition.id)
    with pytest.raises(ValidationFailed, match="不少于10个字"):
        ledger_reversals.request_reversal(entry.id, "错误", PDF, bureau)
    with pytest.raises(ValidationFailed, match="证明材料"):
        ledger_reversals.request_reversal(entry.id, "购房合同已经解除，网签备案已注销", None, bureau)
    request = ledger_reversals.request_reversal(entry.id, "购房合同已经解除，网签备案已注销", PDF, bureau)
    assert net_count() == 1  # asking changes nothing
    with pytest.raises(Conflict, match="待复核"):
        ledger_reversals.request_reversal(entry.id, "同一计数的第二份撤销申请", PDF, make.staff(Role.BUREAU_ADMIN))
    db.session.rollback()
    with pytest.raises(Forbidden, match="申请人不能复核自己的撤销申请"):
        ledger_reversals.approve(request.id, "", bureau)
    with pytest.raises(Forbidden):
        ledger_reversals.approve(request.id, "", officer)
    assert net_count() == 1
    ledger_reversals.approve(request.id, "核实无误", make.staff(Role.BUREAU_ADMIN))
    assert net_count() == 0
    assert ledger.verify() == []
    db.session.refresh(acquisition)
    db.session.refresh(cast.application)
    # What happened stays recorded: the acquisition is still completed, its timeline says why.
    assert acquisition.status == AcquisitionStatus.COMPLETED
    assert "目标计数已撤销（经住房保障局双人复核）：购房合同已经解除" in acquisition.events[-1].note
    assert cast.application.status == ApplicationStatus.COMPLETED
    assert "目标计数已撤销" in cast.application.events[-1].note
    with pytest.raises(Conflict, match="已被撤销"):
        ledger_reversals.request_reversal(entry.id, "再次申请撤销同一条计数", PDF, bureau)


def test_a_title_transfer_cannot_be_cancelled(make):
    cast = Cast(make)
    acquisition = drive_to(cast, "title_transferred")
    with pytest.raises(Conflict, match="已过户"):
        acquisitions.cancel(acquisition.id, "家庭改变主意", cast.officer)


def test_the_developer_settles_a_reversed_sale_and_the_unit_returns_to_stock(make):
    cast = Cast(make)
    acquisition = drive_to(cast, "completed")
    request = reverse_by_two(make, ledger.live_entry_for(acquisition_id=acquisition.id).id)
    assert request.unit_settlement == UnitSettlement.PENDING
    developer = make.staff(Role.DEVELOPER_STAFF,
                           organization=db.session.get(Organization, cast.unit.building.project.developer_org_id))
    stranger = make.staff(Role.DEVELOPER_STAFF, organization=make.organization(OrganizationKind.DEVELOPER))
    with pytest.raises(NotFound):
        ledger_reversals.settle_unit(request.id, True, stranger)
    assert [r.id for r in ledger_reversals.settlements_for(developer)] == [request.id]
    ledger_reversals.settle_unit(request.id, True, developer)
    db.session.refresh(cast.unit)
    assert cast.unit.status == UnitStatus.AVAILABLE
    assert ledger_reversals.settlements_for(developer) == []
    with pytest.raises(Conflict, match="已确认"):
        ledger_reversals.settle_unit(request.id, False, developer)