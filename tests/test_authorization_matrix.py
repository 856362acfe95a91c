"""Every route (pages and API, every method) called as eight personas, with objects owned by one
household and one agency.

Cells checked:
- a persona whose role the route's declared rule does not allow never gets a success: pages answer
  with the sign-in redirect (anonymous) or 403, the API with 401 or 403;
- the second household and the second agency, whose roles *are* allowed, cannot change the first
  ones' objects: no successful audit event is written by them (every state change is audited,
  see test_audit_coverage.py) and the owners' rows are unchanged.
"""
import re

import pytest
from sqlalchemy import func, select

from housing_swap.db.models import AuditEvent, Listing, OrganizationKind, Role, SwapApplication
from housing_swap.extensions import db
from housing_swap.security.access import rule_for_endpoint
from housing_swap.services.listings import create_listing
from tests.factories import Factories, valid_id_number
from tests.listings.helpers import listing_fields
from tests.matching.helpers import submitted_application
from tests.test_api import bearer, issue

PERSONAS = ("anonymous", "household_a", "household_b", "agency_a", "agency_b", "developer", "city_group", "bureau")
METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
SKIPPED_ENDPOINTS = {"static", "auth.logout"}  # logging out would end the persona's own session


@pytest.fixture
def world(app, make):
    household_a = make.household(id_number=valid_id_number(801))
    agency_org_a = make.organization(OrganizationKind.AGENCY)
    people = {
        "household_a": household_a,
        "household_b": make.household(id_number=valid_id_number(802)),
        "agency_a": make.staff(Role.AGENCY_STAFF, organization=agency_org_a),
        "agency_b": make.staff(Role.AGENCY_STAFF, organization=make.organization(OrganizationKind.AGENCY)),
        "developer": make.staff(Role.DEVELOPER_STAFF),
        "city_group": make.staff(Role.CITY_GROUP_OFFICER),
        "bureau": make.staff(Role.BUREAU_ADMIN),
    }
    owned_listing = create_listing(listing_fields(), people["agency_a"])
    application, _ = submitted_application(make, household=household_a)
    ids = {"listing_id": owned_listing.id, "application_id": application.id}
    return people, ids


def concrete_path(rule, ids: dict) -> str:
    """The rule's path with the owned objects' ids (1 for any other id)."""
    path = rule.rule
    for choices, name in re.findall(r"<any\(([^)]*)\):(\w+)>", path):  # <any(a, b):name>: the first choice
        path = path.replace(f"<any({choices}):{name}>", choices.split(",")[0].strip())
    for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", path):
        value = str(ids.get(name, 1)) if converter == "int" else "x"
        path = path.replace(f"<{converter}:{name}>" if converter else f"<{name}>", value)
    return path


def sign_in(app, persona: str, people: dict):
    client = app.test_client()
    headers = {}
    if persona != "anonymous":
        user = people[persona]
        login_name = user.username or user.phone
        client.post("/auth/login", data={"login": login_name, "password": Factories.PASSWORD})
        headers = bearer(issue(client, login_name).get_json()["token"])
    return client, headers


def test_every_route_answers_each_persona_as_its_declared_rule_says(app, world):
    people, ids = world
    app.config["WTF_CSRF_ENABLED"] = False  # let forms reach the access and ownership checks
    role_of = {name: user.role for name, user in people.items()}
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in SKIPPED_ENDPOINTS]
    assert len(rules) > 140  # the walk covers the whole application
    mistakes, checked = [], 0
    for persona in PERSONAS:
        client, headers = sign_in(app, persona, people)
        for rule in rules:
            declared = rule_for_endpoint(app, rule.endpoint)
            role = role_of.get(persona)
            allowed = declared.public or (role is not None and (not declared.roles or role in declared.roles))
            if allowed:
                continue
            path = concrete_path(rule, ids)
            for method in set(rule.methods) & set(METHODS):
                api = rule.rule.startswith("/api/")
                response = client.open(path, method=method, headers=headers if api else {})
                checked += 1
                refused = response.status_code in ((401, 403) if api else (403,)) or (
                    not api and persona == "anonymous" and response.status_code == 302
                    and "/auth/login" in response.headers["Location"])
                if not refused:
                    mistakes.append(f"{persona} {method} {path} -> {response.status_code}")
    assert checked > 500 and mistakes == []


def test_other_households_and_agencies_cannot_change_what_is_not_theirs(app, world):
    people, ids = world
    app.config["WTF_CSRF_ENABLED"] = False
    listing_before = db.session.get(Listing, ids["listing_id"]).version
    application_before = db.session.get(SwapApplication, ids["application_id"]).status
    for persona in ("household_b", "agency_b"):
        client, headers = sign_in(app, persona, people)
        before = db.session.scalar(select(func.max(AuditEvent.id)))
        for rule in app.url_map.iter_rules():
            if rule.endpoint in SKIPPED_ENDPOINTS or not ({"listing_id", "application_id"} & set(rule.arguments)):
                continue
            path = concrete_path(rule, ids)
            for method in set(rule.methods) & {"POST", "PATCH", "PUT", "DELETE"}:
                api = rule.rule.startswith("/api/")
                client.open(path, method=method, headers=headers if api else {},
                            json={} if api else None, data=None if api else {"status": "withdrawn"})
        actor = people[persona]
        changes = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.id > (before or 0), AuditEvent.actor_user_id == actor.id,
            AuditEvent.outcome == "success", AuditEvent.action.notin_(("user.login", "api_token.issue")))).all()
        assert changes == [], f"{persona} changed someone else's object: {changes}"
    db.session.expire_all()
    assert db.session.get(Listing, ids["listing_id"]).version == listing_before
    assert db.session.get(SwapApplication, ids["application_id"]).status == application_before
