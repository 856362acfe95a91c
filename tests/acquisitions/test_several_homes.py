"""Several homes. Joined homes (一户多套旧房合并换新): a household's second old home joins the
application of its first; the money is pooled for matching and the cash gap; the city group buys
each home in its own case, the new home is bought once on the lead and taken by the joined case;
each old home counts once on the ledger and the new unit is claimed once. And one old home buying
two new ones: a further unit after the first, the rules checking the total."""
import copy
import re

import pytest
from sqlalchemy import select

from housing_swap.db.models import Acquisition, AcquisitionStatus, AuditEvent, Channel, LedgerClaim, Role, UnitStatus
from housing_swap.domain.applications import ApplicationStatus
from housing_swap.domain.joined_homes import CaseFacts, join_problem, leave_problem
from housing_swap.extensions import db
from housing_swap.services import acquisitions, applications, joined_homes, ledger, market_swaps, matching
from housing_swap.services.errors import Conflict, NotFound, ValidationFailed
from housing_swap.services.rules import latest_rules
from tests.matching.helpers import submitted_application, units_on_sale
from tests.reservations.helpers import set_rule
from tests.test_api import bearer, issue

from .helpers import STEP_INPUT, TODAY, Cast, drive_to, swap_fields


def case(application_id=1, household=7, status=ApplicationStatus.ELIGIBLE, joined_to=None, joined=0, bought=False):
    return CaseFacts(application_id, household, status, joined_to, joined, bought)


@pytest.mark.parametrize(("home", "lead", "max_homes", "expected"), [
    (case(1), case(2), 2, None),
    (case(1), case(2), 1, "现行规则不受理多套旧房合并换新"),
    (case(1), case(1), 2, "不能与本申请自身合并"),
    (case(1), case(2, household=8), 2, "只能与本家庭名下的另一份申请合并"),
    (case(1, joined_to=3), case(2), 2, "本申请已与申请3合并，请先解除"),
    (case(1, joined=1), case(2), 3, "已有其他旧房并入本申请，本申请只能作为合并购房的主申请"),
    (case(1), case(2, joined_to=3), 2, "申请2已并入申请3，请选择主申请3"),
    (case(1), case(2, joined=1), 2, "现行规则一户最多2套旧房合并换新"),
    (case(1), case(2, joined=1), 3, None),
    (case(1, status=ApplicationStatus.DRAFT), case(2), 2, "申请1当前为“草稿”，不能合并"),
    (case(1), case(2, status=ApplicationStatus.COMPLETED), 2, "申请2当前为“已完成”，不能合并"),
    (case(1), case(2, bought=True), 2, "申请2已登记购买新房，不能再合并"),
])
def test_who_may_join_whom(home, lead, max_homes, expected):
    assert join_problem(home, lead, max_homes) == expected


def test_a_joined_home_may_leave_until_its_case_took_the_shared_new_home():
    assert leave_problem(case(1, joined_to=2)) is None
    assert leave_problem(case(1)) == "本申请没有与其他申请合并"
    assert leave_problem(case(1, joined_to=2, bought=True)) == "本申请的收购已登记合并购买的新房，不能解除合并"


def two_homes(make, unit_price: int = 2_500_000):
    """A household with two submitted applications (one per old home), each with its own cast."""
    lead = Cast(make, unit_price=unit_price)
    second = copy.copy(lead)
    second.application, _ = submitted_application(make, household=lead.household, channel_preference="城发集团收购")
    db.session.commit()
    return lead, second


def join(lead, second):
    joined = joined_homes.join(second.application.id, {"lead_application_id": f"申请{lead.application.id}"},
                               lead.household)
    db.session.commit()
    return joined


def test_joining_pools_the_money_and_the_joined_home_shares_the_leads_matches(make):
    lead, second = two_homes(make)
    _, rules = latest_rules()
    alone = matching.household_cash(lead.application, rules)
    second_alone = matching.household_cash(second.application, rules)
    join(lead, second)
    assert second.application.joined_to_id == lead.application.id
    assert matching.household_cash(lead.application, rules) == alone + second_alone - second.application.savings
    gap_lead = matching.cash_gap_for_unit(lead.application, lead.unit.id)
    assert matching.cash_gap_for_unit(second.application, lead.unit.id) == gap_lead
    assert gap_lead.old_sale_price == sum(matching.expected_sale_price(a, rules, "city_group")
                                          for a in (lead.application, second.application))
    assert gap_lead.mortgage_payoff == lead.application.remaining_mortgage + second.application.remaining_mortgage
    assert gap_lead.savings == lead.application.savings
    assert ([m.unit_id for m in matching.new_home_matches(second.application).matches]
            == [m.unit_id for m in matching.new_home_matches(lead.application).matches])
    notes = [event.note for event in lead.application.events]
    assert f"申请{second.application.id}的旧房并入本申请，合并购买新房" in notes
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.entity_id == str(second.application.id), AuditEvent.action == "application.join")) is not None


def test_joins_are_refused_in_words_and_write_nothing(make):
    lead, second = two_homes(make)
    stranger, _ = submitted_application(make)
    with pytest.raises(NotFound):
        joined_homes.join(second.application.id, {"lead_application_id": str(stranger.id)}, lead.household)
    with pytest.raises(ValidationFailed) as bad:
        joined_homes.join(second.application.id, {"lead_application_id": "１２x"}, lead.household)
    assert bad.value.details == {"lead_application_id": ["请选择要合并到的申请"]}
    with pytest.raises(NotFound):
        joined_homes.join(second.application.id, {"lead_application_id": str(lead.application.id)}, make.household())
    set_rule(joined_homes_max=1)
    with pytest.raises(Conflict, match="现行规则不受理多套旧房合并换新"):
        join(lead, second)
    db.session.refresh(second.application)
    assert second.application.joined_to_id is None


def test_the_city_group_buys_both_homes_for_one_new_home_and_counts_each_once(make):
    lead, second = two_homes(make)
    join(lead, second)
    before = ledger.live_count(Channel.CITY_GROUP, TODAY.year)
    lead_case = drive_to(lead, "new_home_purchased")
    second_case = drive_to(second, "contract_signed")
    with pytest.raises(Conflict, match="请确认合并购买"):
        acquisitions.record_purchase(second_case.id, {}, None, second.officer)
    note = acquisitions.joined_purchase_note(second_case)
    assert f"主申请{lead.application.id}已登记购买新房" in note
    assert "2,500,000元" in note
    taken = acquisitions.record_joined_purchase(second_case.id, None, second.officer)
    assert (taken.status, taken.joined_purchase, taken.new_unit_id, taken.new_home_price) == (
        AcquisitionStatus.NEW_HOME_PURCHASED, True, None, lead.unit.list_price)
    assert "合并购买" in acquisitions.new_home_label(taken).text
    with pytest.raises(Conflict, match="不能解除合并"):
        joined_homes.leave(second.application.id, lead.household)
    for cast, acquisition in ((lead, lead_case), (second, second_case)):
        acquisitions.transfer_title(acquisition.id, {"title_transferred_on": TODAY.isoformat()}, None, cast.officer)
        acquisitions.complete(acquisition.id, {"completed_on": TODAY.isoformat()}, cast.officer)
    db.session.commit()
    assert ledger.live_count(Channel.CITY_GROUP, TODAY.year) == before + 2
    lead_entry = ledger.live_entry_for(acquisition_id=lead_case.id)
    second_entry = ledger.live_entry_for(acquisition_id=second_case.id)
    assert lead_entry.property_hash != second_entry.property_hash
    assert (lead_entry.new_unit_id, second_entry.new_unit_id) == (lead.unit.id, None)
    assert db.session.scalar(select(LedgerClaim.id).where(LedgerClaim.new_unit_id == lead.unit.id)) is not None


def test_a_joined_purchase_waits_for_the_lead_and_the_new_home_must_cover_every_home(make):
    lead, second = two_homes(make, unit_price=1_500_000)      # two contracts of 950,000 > 1,500,000
    set_rule(new_units_max=1)                                 # no further new home may make it up
    join(lead, second)
    lead_case = drive_to(lead, "contract_signed")
    second_case = drive_to(second, "contract_signed")
    with pytest.raises(Conflict, match=f"主申请{lead.application.id}尚未登记购买新房"):
        acquisitions.record_joined_purchase(second_case.id, None, second.officer)
    with pytest.raises(ValidationFailed, match="低于要求的1900000元"):
        STEP_INPUT["new_home_purchased"](lead, lead_case)
    db.session.rollback()
    for acquisition in (lead_case, second_case):
        db.session.refresh(acquisition)
        assert acquisition.status == AcquisitionStatus.CONTRACT_SIGNED


def test_a_household_joins_and_leaves_on_the_application_page(make, client, login):
    lead, second = two_homes(make)
    login(lead.household.phone)
    page = client.get(f"/applications/{second.application.id}").get_data(as_text=True)
    assert f'<option value="{lead.application.id}">申请{lead.application.id}' in page
    joined = client.post(f"/applications/{second.application.id}/join",
                         data={"lead_application_id": str(lead.application.id)}, follow_redirects=True)
    assert f"已并入申请{lead.application.id}" in joined.get_data(as_text=True)
    lead_page = client.get(f"/applications/{lead.application.id}").get_data(as_text=True)
    section = lead_page[lead_page.index('id="joined-title"'):]
    assert re.search(rf"申请{second.application.id}</a>", section)
    left = client.post(f"/applications/{second.application.id}/leave", follow_redirects=True)
    assert "已解除合并" in left.get_data(as_text=True)
    again = client.post(f"/applications/{second.application.id}/leave", follow_redirects=True)
    assert "本申请没有与其他申请合并" in again.get_data(as_text=True)


def test_the_api_joins_and_shows_the_bundle(make, client):
    lead, second = two_homes(make)
    headers = bearer(issue(client, lead.household.phone).get_json()["token"])
    answer = client.post(f"/api/v1/applications/{second.application.id}/join",
                         json={"lead_application_id": lead.application.id}, headers=headers)
    assert (answer.status_code, answer.get_json()["joined_to_id"]) == (200, lead.application.id)
    shown = client.get(f"/api/v1/applications/{lead.application.id}", headers=headers).get_json()
    assert shown["joined_application_ids"] == [second.application.id]
    assert client.post(f"/api/v1/applications/{second.application.id}/join", json={"lead_application_id": "x"},
                       headers=headers).status_code == 422
    assert client.post(f"/api/v1/applications/{lead.application.id}/join",
                       json={"lead_application_id": second.application.id}, headers=headers).status_code == 409
    officer = bearer(issue(client, make.staff(Role.CITY_GROUP_OFFICER).username).get_json()["token"])
    assert client.post(f"/api/v1/applications/{second.application.id}/leave", headers=officer).status_code == 403
    left = client.post(f"/api/v1/applications/{second.application.id}/leave", headers=headers)
    assert (left.status_code, left.get_json()["joined_to_id"]) == (200, None)


def test_withdrawing_the_lead_lets_the_joined_home_stand_alone(make):
    lead, second = two_homes(make)
    join(lead, second)
    applications.withdraw_application(lead.application.id, lead.household)
    db.session.commit()
    db.session.refresh(second.application)
    assert second.application.joined_to_id is None
    assert f"主申请{lead.application.id}已撤回，本申请不再合并，单独办理" in [e.note for e in second.application.events]
    assert joined_homes.bundle_of(second.application) == [second.application]


def test_one_old_home_buys_two_new_ones_and_counts_once(make, client, login):
    cast = Cast(make, unit_price=600_000)          # below the 950,000 contract on its own
    second_unit = units_on_sale(make, prices=(500_000,))[0]
    acquisition = drive_to(cast, "new_home_purchased")
    assert "低于要求的950000元，确认完成前须再登记另一套新房补足" in acquisition.events[-1].note
    acquisitions.transfer_title(acquisition.id, {"title_transferred_on": TODAY.isoformat()}, None, cast.officer)
    with pytest.raises(ValidationFailed, match="低于要求的950000元"):
        acquisitions.complete(acquisition.id, {"completed_on": TODAY.isoformat()}, cast.officer)
    db.session.rollback()
    further = {"unit_id": str(second_unit.id), "purchase_contract_number": f"WQ-{acquisition.id}",
               "new_home_price": "500000", "purchased_on": TODAY.isoformat()}
    with pytest.raises(Conflict, match="该购房合同/网签备案号已被使用"):
        acquisitions.record_additional_purchase(acquisition.id, further, None, cast.officer)
    login(cast.officer.username)
    page = client.get(f"/acquisitions/{acquisition.id}?project={second_unit.building.project_id}")
    assert "登记另一套新房（一套旧房购买两套新房）" in page.get_data(as_text=True)
    answer = client.post(f"/acquisitions/{acquisition.id}/additional-units?project={second_unit.building.project_id}",
                         data={**further, "purchase_contract_number": "WQ-second"}, follow_redirects=True)
    assert "已登记另一套新房" in answer.get_data(as_text=True)
    db.session.refresh(acquisition)
    db.session.refresh(second_unit)
    assert [(u.unit_id, u.price) for u in acquisition.additional_units] == [(second_unit.id, 500_000)]
    assert second_unit.status == UnitStatus.SOLD
    with pytest.raises(Conflict, match="最多购买2套新房"):
        acquisitions.record_additional_purchase(acquisition.id, {**further, "purchase_contract_number": "WQ-3"},
                                                None, cast.officer)
    before = ledger.live_count(Channel.CITY_GROUP, TODAY.year)
    acquisitions.complete(acquisition.id, {"completed_on": TODAY.isoformat()}, cast.officer)
    db.session.commit()
    assert ledger.live_count(Channel.CITY_GROUP, TODAY.year) == before + 1
    assert ledger.live_entry_for(acquisition_id=acquisition.id).new_unit_id == cast.unit.id
    token = bearer(issue(client, cast.officer.username).get_json()["token"])
    shown = client.get(f"/api/v1/acquisitions/{acquisition.id}", headers=token).get_json()
    assert shown["additional_units"] == [{"unit_id": second_unit.id, "purchase_contract_number": "WQ-SECOND",
                                          "price": 500_000, "purchased_on": TODAY.isoformat()}]


def test_a_further_unit_is_refused_before_the_first_and_for_a_sold_unit(make):
    cast = Cast(make)
    acquisition = drive_to(cast, "contract_signed")
    fields = {"unit_id": str(cast.unit.id), "purchase_contract_number": "WQ-early", "new_home_price": "1500000",
              "purchased_on": TODAY.isoformat()}
    with pytest.raises(Conflict, match="登记第一套新房后"):
        acquisitions.record_additional_purchase(acquisition.id, fields, None, cast.officer)
    db.session.rollback()
    acquisition = STEP_INPUT["new_home_purchased"](cast, acquisition)
    with pytest.raises(Conflict, match="已售出"):
        acquisitions.record_additional_purchase(acquisition.id, {**fields, "purchase_contract_number": "WQ-x"}, None,
                                                cast.officer)
    db.session.rollback()
    with pytest.raises(ValidationFailed):
        acquisitions.record_additional_purchase(acquisition.id, {**fields, "new_home_price": "-1"}, None, cast.officer)


def test_two_homes_sold_on_the_market_share_one_new_home_and_each_counts_once(make):
    lead, household = submitted_application(make, channel_preference="均可")
    second, _ = submitted_application(make, household=household, channel_preference="均可")
    unit = units_on_sale(make, prices=(1_500_000,))[0]
    joined_homes.join(second.id, {"lead_application_id": str(lead.id)}, household)
    lead_swap = market_swaps.record_swap(swap_fields(lead.old_certificate_number, 9101, unit.id), household)
    shared = swap_fields(second.old_certificate_number, 9102, unit.id, new_purchase_contract_number="WQ-9101")
    with pytest.raises(ValidationFailed) as differs:
        market_swaps.record_swap({**shared, "new_home_price": "1400000"}, household)
    assert "房屋和总价应与主申请登记的一致" in differs.value.details["new_purchase_contract_number"][0]
    second_swap = market_swaps.record_swap(shared, household)
    assert (lead_swap.joined_purchase, second_swap.joined_purchase) == (False, True)
    bureau = make.staff(Role.BUREAU_ADMIN)
    with pytest.raises(Conflict, match=f"须先核验主申请{lead.id}的市场交易"):
        market_swaps.verify_swap(second_swap.id, bureau)
    before = ledger.live_count(Channel.MARKET, TODAY.year)
    market_swaps.verify_swap(lead_swap.id, bureau)
    market_swaps.verify_swap(second_swap.id, bureau)
    db.session.commit()
    assert ledger.live_count(Channel.MARKET, TODAY.year) == before + 2
    assert (ledger.live_entry_for(market_swap_id=lead_swap.id).new_unit_id,
            ledger.live_entry_for(market_swap_id=second_swap.id).new_unit_id) == (unit.id, None)


def test_without_a_join_one_purchase_contract_names_one_market_swap(make):
    first, household = submitted_application(make, channel_preference="均可")
    other, _ = submitted_application(make, household=household, channel_preference="均可")
    market_swaps.record_swap(swap_fields(first.old_certificate_number, 9201), household)
    with pytest.raises(Conflict, match="合同编号已被另一条市场交易记录使用"):
        market_swaps.record_swap(swap_fields(other.old_certificate_number, 9202,
                                             new_purchase_contract_number="WQ-9201"), household)


def test_one_home_sold_on_the_market_buys_two_new_ones(make, client, login):
    application, household = submitted_application(make, channel_preference="均可")
    first, second = units_on_sale(make, prices=(900_000, 700_000))
    fields = swap_fields(application.old_certificate_number, 9301, first.id, second_unit_id=str(second.id),
                         second_purchase_contract_number="WQ-9301-2", second_home_price="700000",
                         second_purchase_on=TODAY.isoformat())
    for changes, field, message in (
            ({"second_purchase_on": ""}, "second_purchase_on", "登记另购新房时须填写签约日期"),
            ({"second_unit_id": str(first.id)}, "second_unit_id", "不能与第一套新房相同"),
            ({"second_purchase_contract_number": "WQ-9301"}, "second_purchase_contract_number", "不能与其他合同编号相同")):
        with pytest.raises(ValidationFailed) as refused:
            market_swaps.record_swap({**fields, **changes}, household)
        assert message in refused.value.details[field]
    swap = market_swaps.record_swap(fields, household)
    assert (swap.second_unit_id, swap.second_project_name) == (second.id, second.building.project.name)
    other, stranger = submitted_application(make, channel_preference="均可")
    with pytest.raises(Conflict, match="合同编号已被另一条市场交易记录使用"):
        market_swaps.record_swap(swap_fields(other.old_certificate_number, 9302,
                                             new_purchase_contract_number="WQ-9301-2"), stranger)
    db.session.rollback()
    before = ledger.live_count(Channel.MARKET, TODAY.year)
    bureau = make.staff(Role.BUREAU_ADMIN)
    market_swaps.verify_swap(swap.id, bureau)
    db.session.commit()
    db.session.refresh(first)
    db.session.refresh(second)
    assert (first.status, second.status) == (UnitStatus.SOLD, UnitStatus.SOLD)
    assert ledger.live_count(Channel.MARKET, TODAY.year) == before + 1
    login(bureau.username)
    page = client.get(f"/market-swaps/{swap.id}").get_data(as_text=True)
    assert "第二套新房" in page
    assert "WQ-9301-2" in page


def test_a_second_new_home_is_refused_when_the_rules_allow_one(make):
    set_rule(new_units_max=1)
    application, household = submitted_application(make, channel_preference="均可")
    with pytest.raises(ValidationFailed) as refused:
        market_swaps.record_swap(swap_fields(application.old_certificate_number, 9401,
                                             second_project_name="平台外二期", second_district_code="410105",
                                             second_purchase_contract_number="WQ-9401-2", second_home_price="500000",
                                             second_purchase_on=TODAY.isoformat()), household)
    assert refused.value.details["second_purchase_contract_number"] == ["现行规则每套旧房只能购买一套新房"]


def test_the_api_records_a_joined_purchase_a_further_unit_and_a_second_market_purchase(make, client):
    lead, second = two_homes(make)
    join(lead, second)
    lead_case = drive_to(lead, "new_home_purchased")
    second_case = drive_to(second, "contract_signed")
    db.session.commit()
    officer = bearer(issue(client, lead.officer.username).get_json()["token"])
    household = bearer(issue(client, lead.household.phone).get_json()["token"])
    assert client.post(f"/api/v1/acquisitions/{second_case.id}/joined-purchase", headers=household).status_code == 403
    taken = client.post(f"/api/v1/acquisitions/{second_case.id}/joined-purchase", headers=officer)
    assert (taken.status_code, taken.get_json()["joined_purchase"], taken.get_json()["new_unit_id"]) == (200, True, None)
    again = client.post(f"/api/v1/acquisitions/{second_case.id}/joined-purchase", headers=officer)
    assert again.status_code == 409
    further = units_on_sale(make, prices=(800_000,))[0]
    body = {"unit_id": further.id, "purchase_contract_number": "WQ-API-2", "new_home_price": 800_000,
            "purchased_on": TODAY.isoformat()}
    assert client.post(f"/api/v1/acquisitions/{lead_case.id}/additional-unit", json={**body, "unit_id": "x"},
                       headers=officer).status_code == 422
    added = client.post(f"/api/v1/acquisitions/{lead_case.id}/additional-unit", json=body, headers=officer)
    assert added.status_code == 200
    assert added.get_json()["additional_units"][0]["unit_id"] == further.id
    application, market_household = submitted_application(make, channel_preference="均可")
    first, other = units_on_sale(make, prices=(900_000, 700_000))
    seller = bearer(issue(client, market_household.phone).get_json()["token"])
    swap = client.post("/api/v1/market-swaps", headers=seller, json=swap_fields(
        application.old_certificate_number, 9501, first.id, second_unit_id=str(other.id),
        second_purchase_contract_number="WQ-9501-2", second_home_price="700000",
        second_purchase_on=TODAY.isoformat()))
    assert swap.status_code == 201, swap.get_json()
    assert (swap.get_json()["second_unit_id"], swap.get_json()["second_home_price"]) == (other.id, 700_000)


def test_the_officer_confirms_a_joined_purchase_on_the_case_page(make, client, login):
    lead, second = two_homes(make)
    join(lead, second)
    drive_to(lead, "new_home_purchased")
    second_case = drive_to(second, "contract_signed")
    db.session.commit()
    login(second.officer.username)
    page = client.get(f"/acquisitions/{second_case.id}").get_data(as_text=True)
    assert "下一步：确认合并购买的新房" in page
    assert f"主申请{lead.application.id}已登记购买新房" in page
    assert 'id="pick-project"' not in page                # no unit to pick: the lead's is taken
    answer = client.post(f"/acquisitions/{second_case.id}/steps/new_home_purchased", follow_redirects=True)
    assert "已确认合并购买的新房" in answer.get_data(as_text=True)
    db.session.refresh(second_case)
    assert (second_case.status, second_case.joined_purchase) == (AcquisitionStatus.NEW_HOME_PURCHASED, True)


def test_a_purchase_contract_recorded_by_the_city_group_is_refused_on_the_market_and_back(make):
    """One contract, one purchase, across channels (no index spans the tables)."""
    cast = Cast(make)
    drive_to(cast, "new_home_purchased")                       # its purchase contract: WQ-<acquisition id>
    taken = db.session.scalar(select(Acquisition.purchase_contract_number).where(
        Acquisition.application_id == cast.application.id))
    application, household = submitted_application(make, channel_preference="均可")
    with pytest.raises(Conflict, match="合同编号已被另一条市场交易记录使用"):
        market_swaps.record_swap(swap_fields(application.old_certificate_number, 9601,
                                             new_purchase_contract_number=taken), household)
    market_swaps.record_swap(swap_fields(application.old_certificate_number, 9602), household)
    other = Cast(make)
    acquisition = drive_to(other, "contract_signed")
    with pytest.raises(Conflict, match="该购房合同/网签备案号已被使用"):
        acquisitions.record_purchase(acquisition.id, {
            "unit_id": str(other.unit.id), "purchase_contract_number": "WQ-9602",
            "new_home_price": str(other.unit.list_price), "purchased_on": TODAY.isoformat()}, None, other.officer)
