"""Reservations over the API: propose, the other parties accept, the household ends it; refusals
in the error envelope; every answer checked against the OpenAPI document by the test client."""
from datetime import timedelta

from housing_swap.extensions import db
from housing_swap.services import reservations
from tests.acquisitions.helpers import TODAY
from tests.test_api import assert_envelope, bearer, issue

from .helpers import parties


def token_for(client, user) -> dict:
    return bearer(issue(client, user.phone or user.username).get_json()["token"])


def test_three_parties_make_and_end_a_reservation_over_the_api(make, client):
    cast = parties(make)
    household, developer, agent = (token_for(client, user) for user in (cast.household, cast.developer, cast.agent))
    proposal = {"application_id": cast.application.id, "unit_id": cast.unit.id, "agency_org_id": cast.agency.id,
                "deposit": 30000, "accept_terms": True}
    created = client.post("/api/v1/reservations", json=proposal, headers=household)
    assert created.status_code == 201
    body = created.get_json()
    assert (body["status"], body["your_party"], body["moves"]) == ("proposed", "household", ["withdraw"])
    assert body["acceptance_due_on"] == (TODAY + timedelta(days=2)).isoformat()
    assert body["refund_if_unsold"] == 30000
    assert "保留60天" in body["terms"]
    assert body["household_name"].endswith("*")
    reservation_id = body["id"]
    assert client.post(f"/api/v1/reservations/{reservation_id}/accept", headers=developer).get_json()[
        "status"] == "proposed"
    accepted = client.post(f"/api/v1/reservations/{reservation_id}/accept", headers=agent).get_json()
    assert accepted["status"] == "active"
    assert accepted["hold_ends_on"] == (TODAY + timedelta(days=59)).isoformat()
    assert all(item["accepted_at"] for item in accepted["acceptances"])
    listed = client.get("/api/v1/reservations?status=active", headers=agent).get_json()["items"]
    assert [item["id"] for item in listed] == [reservation_id]
    ended = client.post(f"/api/v1/reservations/{reservation_id}/end", json={"note": "不换了"}, headers=household)
    assert (ended.get_json()["status"], ended.get_json()["refund_amount"]) == ("refunded", 30000)


def test_refusals_come_in_the_error_envelope(make, client):
    cast = parties(make)
    household, agent = token_for(client, cast.household), token_for(client, cast.agent)
    bad = client.post("/api/v1/reservations", json={"application_id": cast.application.id, "unit_id": "x",
                                                    "agency_org_id": cast.agency.id, "deposit": "1e9",
                                                    "accept_terms": False}, headers=household)
    details = assert_envelope(bad, 422, "validation_failed")["details"]
    assert set(details) >= {"unit_id", "deposit"}
    assert assert_envelope(client.post("/api/v1/reservations", json=[1], headers=household), 422)
    assert_envelope(client.post("/api/v1/reservations", json={}, headers=agent), 403)
    reservation = reservations.propose(cast.proposal(), cast.household)
    db.session.commit()
    again = client.post("/api/v1/reservations", json={**cast.proposal()}, headers=household)
    assert "已预定" in assert_envelope(again, 409, "conflict")["message"]
    assert_envelope(client.post(f"/api/v1/reservations/{reservation.id}/end", headers=household), 409)
    assert_envelope(client.post(f"/api/v1/reservations/{reservation.id}/accept", data="x",
                                headers={**agent, "Content-Type": "application/json"}), 422)
    assert_envelope(client.get("/api/v1/reservations?status=nope", headers=agent), 422)
    assert_envelope(client.get("/api/v1/reservations/999999", headers=agent), 404)
