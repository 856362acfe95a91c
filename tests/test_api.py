"""The JSON API skeleton: tokens, the error envelope, roles, and the OpenAPI document."""
import re
from datetime import timedelta

import pytest
from openapi_spec_validator import validate
from sqlalchemy import select

from housing_swap.db.base import utcnow
from housing_swap.db.models import ApiToken, Role
from housing_swap.extensions import db
from tests.factories import Factories


def issue(client, username, password=Factories.PASSWORD):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def assert_envelope(response, status: int, code: str | None = None):
    assert response.status_code == status
    assert response.is_json
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "details"}
    if code:
        assert error["code"] == code
    return error


def test_token_issue_and_use(client, make):
    make.household(phone="13700001111")
    response = issue(client, "13700001111")
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"token", "expires_at"}
    stored = db.session.scalar(select(ApiToken.token_hash))
    assert stored != body["token"]  # only a digest is kept
    me = client.get("/api/v1/auth/me", headers=bearer(body["token"]))
    assert me.status_code == 200
    assert me.get_json()["phone"] == "137****1111"


def test_wrong_credentials_answer_401_in_the_envelope(client, make):
    make.household(phone="13700002222")
    assert_envelope(issue(client, "13700002222", "Wrong-pass-2024"), 401, "invalid_credentials")
    assert_envelope(issue(client, "nobody"), 401, "invalid_credentials")


@pytest.mark.parametrize("body", [None, [], {"username": "x"}, {"username": 1, "password": 2}])
def test_malformed_token_requests_answer_422(client, body):
    response = client.post("/api/v1/auth/token", json=body) if body is not None else \
        client.post("/api/v1/auth/token", data="not json", content_type="application/json")
    assert_envelope(response, 422, "validation_failed")


def test_missing_or_bad_token_is_401(client):
    assert_envelope(client.get("/api/v1/auth/me"), 401)
    assert_envelope(client.get("/api/v1/auth/me", headers=bearer("made-up")), 401)
    assert_envelope(client.get("/api/v1/auth/me", headers={"Authorization": "Basic abc"}), 401)


def test_expired_token_is_refused(client, make):
    make.household(phone="13700003333")
    token = issue(client, "13700003333").get_json()["token"]
    stored = db.session.scalar(select(ApiToken))
    stored.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert_envelope(client.get("/api/v1/auth/me", headers=bearer(token)), 401)


def test_revoked_token_is_refused(client, make):
    make.household(phone="13700004444")
    token = issue(client, "13700004444").get_json()["token"]
    assert client.delete("/api/v1/auth/token", headers=bearer(token)).status_code == 204
    assert_envelope(client.get("/api/v1/auth/me", headers=bearer(token)), 401)


def test_token_of_a_disabled_user_stops_working(client, make):
    user = make.household(phone="13700005555")
    token = issue(client, "13700005555").get_json()["token"]
    user.enabled = False
    db.session.commit()
    assert_envelope(client.get("/api/v1/auth/me", headers=bearer(token)), 401)


def test_wrong_role_is_403_json(client, make):
    make.household(phone="13700006666")
    token = issue(client, "13700006666").get_json()["token"]
    assert_envelope(client.get("/api/v1/organizations", headers=bearer(token)), 403)
    admin = make.staff(Role.BUREAU_ADMIN)
    admin_token = issue(client, admin.username).get_json()["token"]
    listed = client.get("/api/v1/organizations", headers=bearer(admin_token))
    assert listed.status_code == 200
    assert [org["kind"] for org in listed.get_json()["items"]] == ["bureau"]


def test_unknown_api_path_is_404_json(client):
    assert_envelope(client.get("/api/v1/nothing-here"), 404)
    assert_envelope(client.put("/api/v1/auth/token"), 405)


def test_api_never_accepts_the_session_cookie(client, make, login):
    make.household(phone="13700007777")
    login("13700007777")
    assert_envelope(client.get("/api/v1/auth/me"), 401)


def test_openapi_document_is_valid_and_covers_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    assert document["openapi"].startswith("3.1")
    documented = {(re.sub(r"\{[a-z_]+\}", "{id}", path), method.upper())
                  for path, ops in document["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:int:)?[a-z_]+>", "{id}", rule.rule)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (path, method) in documented, f"{method} {path} missing from OpenAPI"


def me(client, token: str) -> int:
    return client.get("/api/v1/auth/me", headers=bearer(token)).status_code


def test_tokens_end_with_a_password_change_a_reset_and_a_disable_and_do_not_come_back(client, make):
    from housing_swap.services import accounts
    admin = make.staff(Role.BUREAU_ADMIN)
    user = make.household(phone="13700008888")
    changed = issue(client, "13700008888").get_json()["token"]
    accounts.change_password(user, Factories.PASSWORD, "Another-pass-2025!")
    assert me(client, changed) == 401
    reset = issue(client, "13700008888", "Another-pass-2025!").get_json()["token"]
    _, temporary = accounts.reset_password(user.id, admin)
    assert me(client, reset) == 401
    accounts.change_password(user, temporary, "Third-pass-2026!")  # a reset password must be replaced first
    disabled = issue(client, "13700008888", "Third-pass-2026!").get_json()["token"]
    accounts.set_enabled(user.id, False, admin)
    accounts.set_enabled(user.id, True, admin)
    assert me(client, disabled) == 401  # re-enabling revives nothing
    assert me(client, issue(client, "13700008888", "Third-pass-2026!").get_json()["token"]) == 200


def test_an_organizations_suspension_ends_its_staffs_tokens_for_good(client, make):
    from housing_swap.db.models import OrganizationKind
    from housing_swap.services import organizations
    admin = make.staff(Role.BUREAU_ADMIN)
    agency = make.organization(OrganizationKind.AGENCY)
    staff = make.staff(Role.AGENCY_STAFF, organization=agency)
    token = issue(client, staff.username).get_json()["token"]
    organizations.decide(agency.id, "suspend", "资质到期，暂停使用", admin)
    organizations.decide(agency.id, "reinstate", "", admin)
    assert me(client, token) == 401
