"""Acquisitions, market swaps and the ledger over the API: the whole path with real tokens,
idempotent retries, and (on PostgreSQL) twenty simultaneous attempts that count once."""
import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from housing_swap.db.models import IdempotencyRecord, OrganizationKind, Role
from housing_swap.extensions import db
from housing_swap.services.search import elasticsearch_backend
from tests.acquisitions.helpers import PDF, TODAY, Cast, contract_file, days_from_today, drive_to, swap_fields
from tests.acquisitions.test_acquisition_steps import net_count
from tests.conftest import SEARCH_BACKEND, rebuild_search_index
from tests.factories import valid_id_number
from tests.matching.helpers import application_fields
from tests.test_api import assert_envelope, bearer, issue


def token_for(client, user) -> dict:
    login_name = user.username or user.phone
    return bearer(issue(client, login_name).get_json()["token"])


def test_the_acquisition_path_over_the_api(client, make):
    cast = Cast(make)
    officer, appraiser, household = (token_for(client, u) for u in (cast.officer, cast.appraiser, cast.household))
    queue = client.get("/api/v1/acquisition-queue?status=waiting", headers=officer).get_json()
    assert [item["application_id"] for item in queue["items"]] == [cast.application.id]
    assert_envelope(client.get("/api/v1/acquisition-queue?pilot=maybe", headers=officer), 422, "validation_failed")
    created = client.post("/api/v1/acquisitions", json={"application_id": cast.application.id}, headers=officer)
    assert created.status_code == 201
    path = f"/api/v1/acquisitions/{created.get_json()['id']}"

    def step(name, headers, **kwargs):
        response = client.post(f"{path}/{name}", headers=headers, **kwargs)
        assert response.status_code == 200, response.get_json()
        return response.get_json()
    step("inspection", officer, json={"inspection_on": TODAY.isoformat(),
                                      "appraiser_org_id": cast.appraiser.organization_id})
    assert_envelope(client.post(f"{path}/appraisal", headers=appraiser, data={
        "appraised_value": "1000000", "appraised_on": TODAY.isoformat()}), 422, "validation_failed")
    appraised = step("appraisal", appraiser, data={"appraised_value": "1000000", "appraised_on": TODAY.isoformat(),
                                                   "report": (io.BytesIO(PDF.content), "报告.pdf")})
    document = appraised["documents"][0]
    assert (document["kind"], document["content_type"]) == ("appraisal_report", "application/pdf")
    assert_envelope(client.post(f"{path}/offer", json={"offer_price": 1_000_001}, headers=officer), 422)
    offered = step("offer", officer, json={"offer_price": 950_000})
    assert offered["offer_expires_on"] == days_from_today(15).isoformat()
    assert_envelope(client.post(f"{path}/accept", headers=officer), 403)
    step("accept", household)
    step("contract", officer, json={"contract_number": "SG-API", "contract_price": 950_000,
                                    "contract_signed_on": TODAY.isoformat()})
    step("purchase", officer, json={"unit_id": cast.unit.id, "purchase_contract_number": "WQ-API",
                                    "new_home_price": cast.unit.list_price, "purchased_on": TODAY.isoformat()})
    step("title-transfer", officer, json={"title_transferred_on": TODAY.isoformat()})
    done = step("completion", officer, json={"completed_on": TODAY.isoformat()})
    assert done["status"] == "completed"
    assert done["ledger_entry_id"] is not None
    mine = client.get(path, headers=household).get_json()
    assert [e["status"] for e in mine["timeline"]][-1] == "completed"
    assert mine["old_home"]["certificate_number"] != cast.application.old_certificate_number
    paper = client.get(f"/api/v1/acquisition-documents/{document['id']}", headers=household)
    assert paper.data == PDF.content
    assert paper.headers["Content-Disposition"].startswith("attachment")
    stranger = make.household()
    assert_envelope(client.get(path, headers=token_for(client, stranger)), 404)
    assert_envelope(client.get(f"/api/v1/acquisition-documents/{document['id']}",
                               headers=token_for(client, stranger)), 404)


def test_a_retried_completion_with_the_same_key_answers_the_same_and_counts_once(client, make):
    cast = Cast(make)
    acquisition = drive_to(cast, "title_transferred")
    officer = {**token_for(client, cast.officer), "Idempotency-Key": "complete-once"}
    url = f"/api/v1/acquisitions/{acquisition.id}/completion"
    first = client.post(url, json={"completed_on": TODAY.isoformat()}, headers=officer)
    retry = client.post(url, json={"completed_on": TODAY.isoformat()}, headers=officer)
    assert first.status_code == retry.status_code == 200
    assert first.get_json() == retry.get_json()
    assert net_count() == 1
    other_body = client.post(url, json={"completed_on": days_from_today(-1).isoformat()}, headers=officer)
    assert_envelope(other_body, 409, "conflict")
    assert net_count() == 1


def test_market_swaps_contract_check_and_reversal_over_the_api(client, make):
    agency_user = make.staff(Role.AGENCY_STAFF, organization=make.organization(OrganizationKind.AGENCY))
    household = make.household(id_number=valid_id_number(950))
    bureau_user = make.staff(Role.BUREAU_ADMIN)
    agency, bureau = token_for(client, agency_user), token_for(client, bureau_user)
    raw = {**swap_fields(application_fields()["certificate_number"], 30), "household_phone": household.phone}
    recorded = client.post("/api/v1/market-swaps", json=raw, headers=agency)
    assert recorded.status_code == 201
    swap = recorded.get_json()
    assert swap["buyer_name"] == "王*"
    assert "*" in swap["old_certificate_number"]
    assert client.get(f"/api/v1/market-swaps/{swap['id']}", headers=bureau).get_json()["buyer_name"] == "王五"
    assert_envelope(client.post("/api/v1/market-swaps", json={**raw, "old_sale_contract_number": "ESF-other",
                                                              "new_purchase_contract_number": "WQ-other"},
                                headers=agency), 409, "conflict")
    upload = contract_file([("ESF-30", "900000", days_from_today(-30).isoformat()),
                            ("WQ-30", "1500000", days_from_today(-10).isoformat())])
    checked = client.post("/api/v1/market-swaps/contract-check", headers=bureau,
                          data={"file": (io.BytesIO(upload.content), upload.filename)})
    assert checked.get_json()["summary"] == {"matched": 1, "mismatched": 0, "missing": 0, "conflict": 0}
    entries = client.get("/api/v1/ledger/entries?channel=market", headers=bureau).get_json()
    assert entries["total"] == 1
    assert entries["items"][0]["market_swap_id"] == swap["id"]
    assert_envelope(client.get("/api/v1/ledger/entries?from=yesterday", headers=bureau), 422)
    assert_envelope(client.get("/api/v1/ledger/entries", headers=agency), 403)
    entry_id = entries["items"][0]["id"]
    assert entries["items"][0]["reversible"] is True
    assert_envelope(client.post(f"/api/v1/market-swaps/{swap['id']}/cancel", json={"reason": "买方违约"},
                                headers=bureau), 409)
    pdf = (io.BytesIO(PDF.content), "依据.pdf")
    asked = client.post(f"/api/v1/ledger/entries/{entry_id}/reversal-requests", headers=bureau,
                        data={"reason": "买卖合同已解除，网签备案已注销", "document": pdf})
    assert asked.status_code == 201
    assert asked.get_json()["status"] == "pending"
    request_id = asked.get_json()["id"]
    assert_envelope(client.post(f"/api/v1/ledger/reversal-requests/{request_id}/approval", json={},
                                headers=bureau), 403)
    assert net_count() == 1
    reviewer = token_for(client, make.staff(Role.BUREAU_ADMIN))
    approved = client.post(f"/api/v1/ledger/reversal-requests/{request_id}/approval", json={"note": "核实"},
                           headers=reviewer)
    assert approved.status_code == 200
    assert approved.get_json()["reversal_entry_id"] is not None
    assert net_count() == 0
    counted = client.get(f"/api/v1/ledger/entries/{entry_id}", headers=bureau).get_json()
    assert counted["reversible"] is False
    assert_envelope(client.post(f"/api/v1/ledger/entries/{entry_id}/reversal-requests", headers=bureau,
                                data={"reason": "再一次申请撤销这条计数", "document": (io.BytesIO(PDF.content), "a.pdf")}),
                    409)
    assert client.get(f"/api/v1/market-swaps/{swap['id']}", headers=agency).get_json()["status"] == "reversed"


def _twenty_at_once(app, send) -> list[int]:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrency is exercised on PostgreSQL (the CI server run)")

    def attempt(index: int) -> int:
        with app.app_context():  # the thread's own session, as a worker process would have
            try:
                return send(app.test_client(), index).status_code
            finally:
                db.session.remove()
    with ThreadPoolExecutor(max_workers=20) as pool:
        return list(pool.map(attempt, range(20)))


def test_twenty_simultaneous_completions_of_one_acquisition_count_once(app, client, make):
    cast = Cast(make)
    acquisition = drive_to(cast, "title_transferred")
    officer = token_for(client, cast.officer)
    statuses = _twenty_at_once(app, lambda c, i: c.post(
        f"/api/v1/acquisitions/{acquisition.id}/completion", json={"completed_on": TODAY.isoformat()},
        headers=officer))
    assert sorted(statuses) == [200] + [409] * 19
    db.session.expire_all()
    assert net_count() == 1


def test_twenty_simultaneous_completions_with_one_idempotency_key_run_once_and_answer_alike(app, client, make):
    """The key is claimed before the work: every caller gets the first answer, none a 409 or 500."""
    cast = Cast(make)
    acquisition = drive_to(cast, "title_transferred")
    officer = {**token_for(client, cast.officer), "Idempotency-Key": "complete-once-everywhere"}
    bodies = []

    def send(test_client, index):
        response = test_client.post(f"/api/v1/acquisitions/{acquisition.id}/completion",
                                    json={"completed_on": TODAY.isoformat()}, headers=officer)
        bodies.append(response.get_json())
        return response
    statuses = _twenty_at_once(app, send)
    assert statuses == [200] * 20
    assert all(body == bodies[0] for body in bodies)
    db.session.expire_all()
    assert net_count() == 1
    assert db.session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 1


def test_a_refused_call_leaves_its_key_free_for_the_retry(client, make):
    cast = Cast(make)
    acquisition = drive_to(cast, "title_transferred")
    officer = {**token_for(client, cast.officer), "Idempotency-Key": "refused-then-fixed"}
    url = f"/api/v1/acquisitions/{acquisition.id}/completion"
    refused = client.post(url, json={"completed_on": "not-a-date"}, headers=officer)
    assert refused.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0
    fixed = client.post(url, json={"completed_on": TODAY.isoformat()}, headers=officer)
    assert fixed.status_code == 200
    assert net_count() == 1


def test_twenty_simultaneous_records_of_one_property_as_a_market_swap_keep_one(app, client, make):
    household = make.household(id_number=valid_id_number(960))
    headers = token_for(client, household)
    certificate = application_fields()["certificate_number"]
    statuses = _twenty_at_once(app, lambda c, i: c.post(
        "/api/v1/market-swaps", json=swap_fields(certificate, 400 + i), headers=headers))
    assert sorted(statuses) == [201] + [409] * 19



def test_a_unit_bought_for_a_swap_leaves_search(client, make):
    cast = Cast(make)
    rebuild_search_index()
    project_name = cast.unit.building.project.name

    def unit_ids() -> set[int]:
        found = client.get("/api/v1/units", query_string={"q": project_name}).get_json()
        return {item["id"] for item in found["items"]}
    assert cast.unit.id in unit_ids()
    acquisition = drive_to(cast, "contract_signed")
    bought = client.post(f"/api/v1/acquisitions/{acquisition.id}/purchase", headers=token_for(client, cast.officer),
                         json={"unit_id": cast.unit.id, "purchase_contract_number": "WQ-SEARCH",
                               "new_home_price": cast.unit.list_price, "purchased_on": TODAY.isoformat()})
    assert bought.status_code == 200
    if SEARCH_BACKEND == "elasticsearch":  # the request's own push leaves refreshing to the index
        backend = elasticsearch_backend()
        backend.client.indices.refresh(index=f"{backend.prefix}_*")
    assert cast.unit.id not in unit_ids()
