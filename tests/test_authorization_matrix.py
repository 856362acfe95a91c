"""Every route (pages and API, every method) called as eight personas, with objects owned by one
household, one agency and one developer (a listing, applications, an acquisition, a market swap,
a project and its units).

Cells checked (and, last, every form POST without its CSRF token is refused):
- a persona whose role the route's declared rule does not allow never gets a success: pages answer
  with the sign-in redirect (anonymous) or 403, the API with 401 or 403;
- a second household, agency and developer, whose roles *are* allowed, cannot change the first
  ones' objects: no successful audit event is written by them (every state change is audited,
  see test_audit_coverage.py) and every column of the owned rows is unchanged.
"""
import re

import pytest
from sqlalchemy import func, select

from housing_swap.db.models import (
    Acquisition,
    AuditEvent,
    Listing,
    MarketSwap,
    Organization,
    OrganizationKind,
    Project,
    Role,
    SwapApplication,
    Unit,
)
from housing_swap.extensions import db
from housing_swap.security.access import rule_for_endpoint
from housing_swap.services import acquisitions, market_swaps
from housing_swap.services.listings import create_listing
from tests.acquisitions.helpers import swap_fields
from tests.factories import Factories, valid_id_number
from tests.listings.helpers import listing_fields
from tests.matching.helpers import submitted_application, units_on_sale
from tests.test_api import bearer, issue

PERSONAS = ("anonymous", "household_a", "household_b", "agency_a", "agency_b", "developer", "city_group", "bureau")
# developer_b only takes part in the cross-owner test.
METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
SKIPPED_ENDPOINTS = {"static", "auth.logout"}  # logging out would end the persona's own session


@pytest.fixture
def world(app, make):
    household_a = make.household(id_number=valid_id_number(801))
    agency_org_a = make.organization(OrganizationKind.AGENCY)
    units = units_on_sale(make)
    people = {
        "household_a": household_a,
        "household_b": make.household(id_number=valid_id_number(802)),
        "agency_a": make.staff(Role.AGENCY_STAFF, organization=agency_org_a),
        "agency_b": make.staff(Role.AGENCY_STAFF, organization=make.organization(OrganizationKind.AGENCY)),
        "developer": make.staff(Role.DEVELOPER_STAFF, organization=db.session.get(
            Organization, units[0].building.project.developer_org_id)),
        "developer_b": make.staff(Role.DEVELOPER_STAFF),
        "city_group": make.staff(Role.CITY_GROUP_OFFICER),
        "bureau": make.staff(Role.BUREAU_ADMIN),
    }
    owned_listing = create_listing(listing_fields(), people["agency_a"])
    application, _ = submitted_application(make, household=household_a)
    acquired, _ = submitted_application(make, household=household_a, channel_preference="城发集团收购")
    acquisition = acquisitions.take_in(acquired.id, people["city_group"])
    swap = market_swaps.record_swap({**swap_fields("豫(2015)郑州市不动产权第0880001号", 801),
                                     "household_phone": household_a.phone}, people["agency_a"])
    ids = {"listing_id": owned_listing.id, "application_id": application.id, "acquisition_id": acquisition.id,
           "swap_id": swap.id, "project_id": units[0].building.project_id, "unit_id": units[0].id}
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
    assert checked > 500
    assert mistakes == []


OWNED = {"listing_id": Listing, "application_id": SwapApplication, "acquisition_id": Acquisition,
         "swap_id": MarketSwap, "project_id": Project, "unit_id": Unit}


def snapshot(ids: dict) -> dict:
    """Every column of every owned object, as read from the database now."""
    db.session.expire_all()
    state = {}
    for argument, model in OWNED.items():
        row = db.session.get(model, ids[argument])
        state[argument] = {column.key: getattr(row, column.key) for column in model.__mapper__.column_attrs}
    return state


def test_other_households_agencies_and_developers_cannot_change_what_is_not_theirs(app, world):
    people, ids = world
    app.config["WTF_CSRF_ENABLED"] = False
    before_state = snapshot(ids)
    attempted = 0
    for persona in ("household_b", "agency_b", "developer_b"):
        client, headers = sign_in(app, persona, people)
        before = db.session.scalar(select(func.max(AuditEvent.id)))
        for rule in app.url_map.iter_rules():
            if rule.endpoint in SKIPPED_ENDPOINTS or not (set(OWNED) & set(rule.arguments)):
                continue
            path = concrete_path(rule, ids)
            for method in set(rule.methods) & {"POST", "PATCH", "PUT", "DELETE"}:
                api = rule.rule.startswith("/api/")
                client.open(path, method=method, headers=headers if api else {},
                            json={} if api else None, data=None if api else {"status": "withdrawn", "accept": "1"})
                attempted += 1
        actor = people[persona]
        changes = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.id > (before or 0), AuditEvent.actor_user_id == actor.id,
            AuditEvent.outcome == "success", AuditEvent.action.notin_(("user.login", "api_token.issue")))).all()
        assert changes == [], f"{persona} changed someone else's object: {changes}"
    assert attempted > 60
    assert snapshot(ids) == before_state


def test_every_form_post_is_refused_without_its_csrf_token(app, world):
    """Each page route that takes a POST, called as a persona its rule allows, with CSRF on."""
    people, ids = world
    app.config["WTF_CSRF_ENABLED"] = False  # sign-in itself happens as a browser would, with a token
    clients = {persona: sign_in(app, persona, people)[0] for persona in PERSONAS}
    before = db.session.scalar(select(func.max(AuditEvent.id)))
    app.config["WTF_CSRF_ENABLED"] = True
    accepted, posted = [], 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith("/api/"):
            continue
        declared = rule_for_endpoint(app, rule.endpoint)
        persona = next(p for p in PERSONAS if declared.public or (
            p != "anonymous" and (not declared.roles or people[p].role in declared.roles)))
        response = clients[persona].post(concrete_path(rule, ids), data={"status": "withdrawn"})
        posted += 1
        if response.status_code != 400 or "安全令牌" not in response.get_data(as_text=True):
            accepted.append(f"{persona} POST {rule.rule} -> {response.status_code}")
    assert posted > 40
    assert accepted == []
    changes = db.session.scalars(select(AuditEvent.action).where(AuditEvent.id > (before or 0))).all()
    assert changes == []
