"""Appraisal appeals: within the rule's days after an offer the household asks once for a second
appraisal by another organization; the rule decides which value stands; the offer waits."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from housing_swap.db.models import AcquisitionStatus, AuditEvent, OrganizationKind, Role
from housing_swap.domain.acquisitions import standing_value
from housing_swap.extensions import db
from housing_swap.services import acquisitions
from housing_swap.services.errors import Conflict, ValidationFailed
from tests.reservations.helpers import set_rule
from tests.test_api import assert_envelope, bearer, issue

from .helpers import APPRAISED_VALUE, PDF, TODAY, Cast, drive_to


@pytest.mark.parametrize(("rule", "expected"), [("higher", 1_100_000), ("average", 1_050_000),
                                                ("second", 1_100_000)])
def test_the_rule_decides_which_value_stands(rule, expected):
    assert standing_value(1_000_000, 1_100_000, rule) == expected
    assert standing_value(1_000_000, 900_001, "average") == 950_000


def second_appraisal(make, cast: Cast, acquisition, value: int):
    other = make.staff(Role.APPRAISER, organization=make.organization(OrganizationKind.APPRAISER))
    with pytest.raises(ValidationFailed, match="评估机构无效") as refused:
        acquisitions.schedule_inspection(acquisition.id, {"inspection_on": TODAY.isoformat(),
                                                          "appraiser_org_id": str(cast.appraiser.organization_id)},
                                         cast.officer)
    assert "另一家评估机构" in refused.value.details["appraiser_org_id"][0]
    acquisitions.schedule_inspection(acquisition.id, {"inspection_on": TODAY.isoformat(),
                                                      "appraiser_org_id": str(other.organization_id)}, cast.officer)
    return acquisitions.appraise(acquisition.id, {"appraised_value": str(value), "appraised_on": TODAY.isoformat()},
                                 PDF, other)


def test_an_appeal_holds_the_offer_and_the_higher_value_stands(make):
    cast = Cast(make)
    acquisition = drive_to(cast, "offer_made")
    acquisitions.request_appeal(acquisition.id, "评估价明显低于同小区成交价", cast.household)
    assert acquisition.appeal_pending
    with pytest.raises(Conflict, match="复评完成并重新报价后"):
        acquisitions.answer_offer(acquisition.id, True, cast.household)
    later = acquisition.offer_expires_on + timedelta(days=5)
    acquisitions.expire_offers(later)
    db.session.refresh(acquisition)
    assert acquisition.status == AcquisitionStatus.OFFER_MADE       # the appeal holds it: not expired
    with pytest.raises(Conflict, match="已申请过复评"):
        acquisitions.request_appeal(acquisition.id, "再来一次", cast.household)
    second_appraisal(make, cast, acquisition, 1_120_000)
    assert acquisition.status == AcquisitionStatus.APPRAISED
    assert (acquisition.appraised_value, acquisition.appeal.standing_value) == (1_120_000, 1_120_000)
    assert acquisition.appeal.first_value == APPRAISED_VALUE
    assert "按规则（取两次评估的较高者）采用1120000元" in acquisition.events[-1].note
    acquisitions.make_offer(acquisition.id, {"offer_price": "1100000"}, cast.officer)
    assert acquisitions.answer_offer(acquisition.id, True, cast.household).status == AcquisitionStatus.OFFER_ACCEPTED


def test_the_appeal_window_and_the_rule_are_rule_parameters(make):
    set_rule(appeal_within_days=3, appeal_value_rule="second")
    cast = Cast(make)
    acquisition = drive_to(cast, "offer_made")
    with pytest.raises(Conflict, match="报价后3天内"):
        acquisitions.request_appeal(acquisition.id, "太低", cast.household, today=TODAY + timedelta(days=4))
    acquisitions.request_appeal(acquisition.id, "太低", cast.household, today=TODAY + timedelta(days=3))
    second_appraisal(make, cast, acquisition, 900_000)
    assert acquisition.appraised_value == 900_000                    # the second stands, even lower
    set_rule(appeal_within_days=0)
    other = Cast(make)
    with pytest.raises(Conflict, match="不受理复评"):
        acquisitions.request_appeal(drive_to(other, "offer_made").id, "太低", other.household)


def test_only_the_household_appeals_with_a_reason_over_the_page_and_the_api(make, client, login):
    cast = Cast(make)
    acquisition = drive_to(cast, "offer_made")
    db.session.commit()
    login(cast.household.phone)
    page = client.get(f"/acquisitions/{acquisition.id}").get_data(as_text=True)
    assert "申请复评" in page
    refused = client.post(f"/acquisitions/{acquisition.id}/appeal", data={"reason": ""}, follow_redirects=True)
    assert "原因为必填项" in refused.get_data(as_text=True)
    token = issue(client, cast.household.phone).get_json()["token"]
    body = client.post(f"/api/v1/acquisitions/{acquisition.id}/appeal", json={"reason": "评估偏低"},
                       headers=bearer(token)).get_json()
    assert body["appeal"]["value_rule_label"] == "取两次评估的较高者"
    assert body["appeal"]["standing_value"] is None
    again = client.post(f"/api/v1/acquisitions/{acquisition.id}/appeal", json={"reason": "再次"}, headers=bearer(token))
    assert "已申请过复评" in assert_envelope(again, 409)["message"]
    officer_token = issue(client, cast.officer.username).get_json()["token"]
    assert_envelope(client.post(f"/api/v1/acquisitions/{acquisition.id}/appeal", json={"reason": "x"},
                                headers=bearer(officer_token)), 403)


def test_officers_open_the_full_address_and_contact_and_each_opening_is_audited(make, client, login):
    cast = Cast(make)
    acquisition = drive_to(cast, "inspection_scheduled")
    db.session.commit()
    login(cast.officer.username)
    page = client.get(f"/acquisitions/{acquisition.id}").get_data(as_text=True)
    assert "查看完整地址和联系方式" in page
    assert cast.household.phone not in page
    shown = client.post(f"/acquisitions/{acquisition.id}/contact").get_data(as_text=True)
    assert cast.household.phone in shown
    assert "本次查看已记录" in shown
    events = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == "acquisition", AuditEvent.entity_id == str(acquisition.id))).all()
    assert "acquisition.contact_reveal" in events
    client.post("/auth/logout")
    login(cast.household.phone)
    assert client.post(f"/acquisitions/{acquisition.id}/contact").status_code == 403


def test_the_new_home_is_picked_by_project_building_and_room(make, client, login):
    cast = Cast(make)
    acquisition = drive_to(cast, "contract_signed")
    db.session.commit()
    login(cast.officer.username)
    page = client.get(f"/acquisitions/{acquisition.id}").get_data(as_text=True)
    assert "请先在上方选择楼盘" in page
    project = cast.unit.building.project
    assert f'<option value="{project.id}"' in page
    page = client.get(f"/acquisitions/{acquisition.id}?project={project.id}").get_data(as_text=True)
    assert f'<optgroup label="{cast.unit.building.name}">' in page
    assert f'<option value="{cast.unit.id}">{cast.unit.room}室' in page
    assert "新房房屋编号" not in page                                   # no internal id to type
