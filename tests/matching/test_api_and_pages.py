"""Applications, matches and chains over the API, and the rule editor's pages."""

from sqlalchemy import func, select

from housing_swap.db.models import ProgramRuleVersion, Role
from housing_swap.domain.rules import rule_form_values
from housing_swap.domain.timezones import beijing_today
from housing_swap.extensions import db
from housing_swap.services.rules import current_rules
from tests.factories import valid_id_number
from tests.test_api import assert_envelope, bearer, issue

from .helpers import application_fields, community, recorded_sales, units_on_sale


def household_token(client, make, serial: int):
    household = make.household(id_number=valid_id_number(serial))
    return household, issue(client, household.phone).get_json()["token"]


def test_apply_submit_and_read_matches_over_the_api(client, make):
    recorded_sales(community(), unit_price=15_000)
    units = units_on_sale(make)
    _, token = household_token(client, make, 701)
    created = client.post("/api/v1/applications", json=application_fields(), headers=bearer(token))
    assert created.status_code == 201
    body = created.get_json()
    assert body["status"] == "draft"
    assert "*" in body["old_home"]["certificate_number"]
    application_id = body["id"]
    submitted = client.post(f"/api/v1/applications/{application_id}/submit", headers=bearer(token)).get_json()
    assert submitted["status"] == "eligible"
    assert submitted["decision"]["rule_version"] == current_rules()[0].version  # the version covering today
    assert [step["status"] for step in submitted["timeline"]] == ["draft", "submitted", "eligible"]
    valuation = client.get(f"/api/v1/applications/{application_id}/valuation", headers=bearer(token)).get_json()
    assert valuation["low"] <= valuation["estimate"] <= valuation["high"]
    assert valuation["comparables"]
    matches = client.get(f"/api/v1/applications/{application_id}/matches", headers=bearer(token)).get_json()
    assert matches["items"]
    assert all(item["reasons"] for item in matches["items"])
    gap = client.get(f"/api/v1/applications/{application_id}/cash-gap?unit_id={units[0].id}",
                     headers=bearer(token)).get_json()
    assert gap["gap"] == max(0, gap["loan_needed"] - gap["loan_allowed"])
    buyers = client.get(f"/api/v1/applications/{application_id}/buyers", headers=bearer(token))
    assert buyers.status_code == 200
    assert "households" in buyers.get_json()
    withdrawn = client.post(f"/api/v1/applications/{application_id}/withdraw", headers=bearer(token)).get_json()
    assert withdrawn["status"] == "withdrawn"


def test_malformed_application_answers_422_and_writes_nothing(client, make):
    _, token = household_token(client, make, 702)
    response = client.post("/api/v1/applications", json=application_fields(area_m2="abc", max_loan="-1"),
                           headers=bearer(token))
    assert_envelope(response, 422, "validation_failed")
    assert set(response.get_json()["error"]["details"]) == {"area_m2", "max_loan"}
    listed = client.get("/api/v1/applications", headers=bearer(token)).get_json()
    assert listed == {"items": []}


def test_other_households_and_agencies_are_kept_out(client, make):
    _, owner_token = household_token(client, make, 703)
    application_id = client.post("/api/v1/applications", json=application_fields(),
                                 headers=bearer(owner_token)).get_json()["id"]
    _, stranger_token = household_token(client, make, 704)
    assert_envelope(client.get(f"/api/v1/applications/{application_id}", headers=bearer(stranger_token)), 404)
    assert_envelope(client.post(f"/api/v1/applications/{application_id}/submit",
                                headers=bearer(stranger_token)), 404)
    agency = make.staff(Role.AGENCY_STAFF)
    agency_token = issue(client, agency.username).get_json()["token"]
    assert_envelope(client.get(f"/api/v1/applications/{application_id}", headers=bearer(agency_token)), 403)
    cash_gap = client.get(f"/api/v1/applications/{application_id}/cash-gap", headers=bearer(owner_token))
    assert cash_gap.status_code in (409, 422)


def test_bureau_drafts_checks_impact_and_publishes_rules_in_the_browser(client, make, login):
    admin = make.staff(Role.BUREAU_ADMIN)
    login(admin.username)
    form = client.get("/bureau/rules/new")
    assert form.status_code == 200
    assert "旧房面积上限" in form.get_data(as_text=True)
    refused = client.post("/bureau/rules/new", data={"name": "坏", "effective_from": "明天"})
    assert refused.status_code == 200
    assert "生效日期应为日期" in refused.get_data(as_text=True)
    published = db.session.scalar(select(func.count(ProgramRuleVersion.id)))
    assert published == len(range(2024, beijing_today().year + 1))  # nothing written by the refusal
    values = {**rule_form_values(current_rules()[1]), "name": "年中修订", "effective_from": beijing_today().isoformat(),
              "old_home_max_age_years": "25"}
    created = client.post("/bureau/rules/new", data=values)
    assert created.status_code == 302
    detail = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "影响评估" in detail
    assert "发布" in detail
    version_id = int(created.headers["Location"].rstrip("/").split("/")[-1])
    assert client.post(f"/bureau/rules/{version_id}/publish").status_code == 302
    assert "已发布" in client.get(f"/bureau/rules/{version_id}").get_data(as_text=True)
    assert client.post(f"/bureau/rules/{version_id}/edit", data=values).status_code == 409


def test_household_pages_walk_from_listing_to_submitted_application(client, make, login):
    recorded_sales(community(), unit_price=15_000)
    units_on_sale(make)
    household = make.household(id_number=valid_id_number(705))
    login(household.phone)
    assert "还没有申请" in client.get("/applications").get_data(as_text=True)
    created = client.post("/applications/new", data=application_fields())
    assert created.status_code == 302
    detail_url = created.headers["Location"]
    application_id = int(detail_url.split("/")[-1])
    assert client.post(f"/applications/{application_id}/submit").status_code == 302
    page = client.get(detail_url).get_data(as_text=True)
    assert "符合条件" in page
    assert "办理进度" in page
    assert "为您匹配的新房" in page
    bad = client.post("/applications/new", data=application_fields(area_m2="很大"))
    assert bad.status_code == 200
    assert "建筑面积应为数字" in bad.get_data(as_text=True)
