"""Listings, projects and units over the JSON API."""
import io

import pandas as pd
import pytest
from sqlalchemy import func, select

from housing_swap.db.models import IdempotencyRecord, Listing, OrganizationKind, Role
from housing_swap.domain.listing_fields import LISTING_FIELDS
from housing_swap.extensions import db
from housing_swap.services import projects
from tests.factories import Factories
from tests.listings.helpers import listing_fields
from tests.listings.test_projects import PROJECT as PROJECT_FOR_BULK


def token_for(client, username) -> dict:
    token = client.post("/api/v1/auth/token", json={"username": username, "password": Factories.PASSWORD}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def agency_headers(make, client):
    make.staff(Role.AGENCY_STAFF, username="api-agent")
    return token_for(client, "api-agent")


def test_create_read_update_and_status(client, agency_headers, app):
    created = client.post("/api/v1/listings", json=listing_fields(area_m2=89.5, has_elevator=True), headers=agency_headers)
    assert created.status_code == 201
    body = created.get_json()
    assert body["status"] == "draft"
    assert body["area_m2"] == "89.50"
    assert body["contact_phone"] == "13800001234"
    listing_id = body["id"]
    assert client.get(f"/api/v1/listings/{listing_id}").status_code == 404  # drafts are not public
    patched = client.patch(f"/api/v1/listings/{listing_id}", json={"asking_price": 1300000}, headers=agency_headers)
    assert patched.get_json()["price_history"][0]["new_price"] == 1300000
    moved = client.post(f"/api/v1/listings/{listing_id}/status", json={"status": "submitted"}, headers=agency_headers)
    assert moved.get_json()["status"] == "submitted"
    refused = client.post(f"/api/v1/listings/{listing_id}/status", json={"status": "sold"}, headers=agency_headers)
    assert refused.status_code == 409
    assert "不能从" in refused.get_json()["error"]["message"]


def test_public_read_masks_personal_data(client, agency_headers):
    listing_id = client.post("/api/v1/listings", json=listing_fields(), headers=agency_headers).get_json()["id"]
    listing = db.session.get(Listing, listing_id)
    listing.status = listing.status.ACTIVE
    db.session.commit()
    public = client.get(f"/api/v1/listings/{listing_id}").get_json()
    assert public["contact_phone"] == "138****1234"
    assert "郑州市不动产权" not in public["certificate_number"]
    assert public["verification_note"] is None


def test_validation_errors_name_every_field(client, agency_headers):
    response = client.post("/api/v1/listings", json=listing_fields(floor=30, total_floors=18, bedrooms="three"),
                           headers=agency_headers)
    assert response.status_code == 422
    assert set(response.get_json()["error"]["details"]) == {"floor", "bedrooms"}
    bad_status = client.post("/api/v1/listings/1/status", json={"status": "gone"}, headers=agency_headers)
    assert bad_status.status_code == 422


def test_other_agency_token_changes_nothing(client, agency_headers, make):
    listing_id = client.post("/api/v1/listings", json=listing_fields(), headers=agency_headers).get_json()["id"]
    make.staff(Role.AGENCY_STAFF, organization=make.organization(OrganizationKind.AGENCY), username="rival")
    rival = token_for(client, "rival")
    assert client.patch(f"/api/v1/listings/{listing_id}", json={"asking_price": 1}, headers=rival).status_code == 404
    assert client.get(f"/api/v1/listings/{listing_id}", headers=rival).status_code == 404
    assert db.session.get(Listing, listing_id).asking_price == 1350000


def test_roles_are_enforced(client, make):
    make.household(phone="13600002222")
    household = token_for(client, "13600002222")
    assert client.post("/api/v1/listings/import", headers=household).status_code == 403
    assert client.post("/api/v1/projects", json={}, headers=household).status_code == 403
    assert client.post("/api/v1/listings", json=listing_fields()).status_code == 401


def import_file(rows) -> bytes:
    frame = pd.DataFrame([[r[f.name] for f in LISTING_FIELDS] for r in rows], columns=[f.label for f in LISTING_FIELDS])
    return frame.to_csv(index=False).encode("utf-8")


def test_bulk_import_over_the_api_is_idempotent(client, agency_headers):
    content = import_file([listing_fields() for _ in range(4)])

    def send(key, data=content):
        return client.post("/api/v1/listings/import", headers={**agency_headers, "Idempotency-Key": key},
                           data={"file": (io.BytesIO(data), "listings.csv"), "mode": "valid_rows"},
                           content_type="multipart/form-data")

    first = send("batch-001")
    assert first.status_code == 200
    assert first.get_json()["created"] == 4
    again = send("batch-001")
    assert again.get_json() == first.get_json()  # the first answer, not "4 unchanged"
    assert db.session.scalar(select(func.count(Listing.id))) == 4
    assert db.session.scalar(select(func.count(IdempotencyRecord.id))) == 1
    other = send("batch-001", import_file([listing_fields()]))
    assert other.status_code == 409
    missing = client.post("/api/v1/listings/import", headers=agency_headers,
                          data={"file": (io.BytesIO(content), "listings.csv")}, content_type="multipart/form-data")
    assert missing.status_code == 422
    assert "Idempotency-Key" in missing.get_json()["error"]["details"]


def test_projects_and_units_over_the_api(client, make):
    make.staff(Role.DEVELOPER_STAFF, username="api-dev")
    headers = token_for(client, "api-dev")
    project = client.post("/api/v1/projects", headers=headers, json={
        "name": "康桥·悦府", "district_code": "410102", "address": "中原区建设路1号", "lat": 34.75, "lon": 113.61,
        "presale_permit_no": "郑房预售字[2024]第0500号", "delivery_date": "2026-10-01", "in_swap_program": True})
    assert project.status_code == 201
    project_id = project.get_json()["id"]
    unit = client.post("/api/v1/units", headers=headers, json={
        "project_id": project_id, "building": "2号楼", "floor": 8, "room": "801", "area_m2": "125.60",
        "bedrooms": 3, "living_rooms": 2, "bathrooms": 2, "list_price": 1880000})
    assert unit.status_code == 201
    unit_id = unit.get_json()["id"]
    assert client.get(f"/api/v1/units/{unit_id}").get_json()["total_price"] == 1880000
    duplicate = client.post("/api/v1/units", headers=headers, json={
        "project_id": project_id, "building": "2号楼", "floor": 8, "room": "801", "area_m2": "125.60",
        "bedrooms": 3, "living_rooms": 2, "bathrooms": 2, "list_price": 1880000})
    assert duplicate.status_code == 409
    sold = client.post(f"/api/v1/units/{unit_id}/status", headers=headers, json={"status": "sold"})
    assert sold.get_json()["status"] == "sold"
    assert client.get(f"/api/v1/units/{unit_id}").status_code == 404  # no longer public
    assert client.get(f"/api/v1/units/{unit_id}", headers=headers).status_code == 200  # its developer still sees it
    assert sold.get_json()["sale_undo_until"]                     # within the grace period
    undone = client.post(f"/api/v1/units/{unit_id}/undo-sale", headers=headers)
    assert (undone.status_code, undone.get_json()["status"], undone.get_json()["sale_undo_until"]) == \
        (200, "available", None)
    assert client.post(f"/api/v1/units/{unit_id}/undo-sale", headers=headers).status_code == 409
    client.post(f"/api/v1/units/{unit_id}/status", headers=headers, json={"status": "sold"})
    assert client.get(f"/api/v1/projects/{project_id}").get_json()["buildings"][0]["name"] == "2号楼"


def test_bulk_status_and_building_deletion_over_the_api(app, client, make):
    developer = make.staff(Role.DEVELOPER_STAFF)
    project = projects.create_project({**PROJECT_FOR_BULK, "presale_permit_no": "郑房预售字[2024]第8801号"}, developer)
    units = [projects.create_unit(project.id, "5号楼", {"floor": "2", "room": room, "area_m2": "100.00",
                                                       "bedrooms": "3", "living_rooms": "2", "bathrooms": "2",
                                                       "list_price": "1200000"}, developer) for room in ("201", "202")]
    db.session.commit()
    token = {"Authorization": "Bearer " + client.post("/api/v1/auth/token", json={
        "username": developer.username, "password": Factories.PASSWORD}).get_json()["token"]}
    building_id = units[0].building_id
    changed = client.post(f"/api/v1/buildings/{building_id}/unit-statuses", headers=token,
                          json={"unit_ids": [u.id for u in units], "status": "reserved"})
    assert [item["status"] for item in changed.get_json()["items"]] == ["reserved", "reserved"]
    bad = client.post(f"/api/v1/buildings/{building_id}/unit-statuses", headers=token,
                      json={"unit_ids": ["1"], "status": "reserved"})
    assert bad.status_code == 422
    assert client.post(f"/api/v1/units/{units[0].id}/status", headers=token, json={"status": "sold"}).status_code == 200
    refused = client.delete(f"/api/v1/buildings/{building_id}", headers=token)
    assert refused.status_code == 409
    assert client.post(f"/api/v1/units/{units[0].id}/undo-sale", headers=token).get_json()["status"] == "reserved"
    assert client.delete(f"/api/v1/buildings/{building_id}", headers=token).status_code == 409   # reserved
    client.post(f"/api/v1/buildings/{building_id}/unit-statuses", headers=token,
                json={"unit_ids": [u.id for u in units], "status": "available"})
    deleted = client.delete(f"/api/v1/buildings/{building_id}", headers=token)
    assert (deleted.status_code, deleted.get_json()["buildings"]) == (200, [])
