"""Fuzz every API operation of the OpenAPI document as every persona with hostile values (control
characters, full-width and zero-width variants, huge and negative numbers, loose dates, wrong
types): no answer is a server error, and afterwards every export still opens."""
import io
import re

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from housing_swap.db.models import OrganizationKind, Role
from tests.acquisitions.helpers import Cast, drive_to
from tests.factories import Factories, valid_id_number
from tests.listings.helpers import listing_fields

HOSTILE_TEXT = ["\x0b", "金水\x00区", "ｆｕｌｌ（宽）１２３", "\u200b\u200d\ufeff", "9" * 40, "-1",
                "12214854572776188018688", "2024-05-01T99:99", "", " ", "'; DROP TABLE listing; --", "%00"]
HOSTILE_JSON = [*HOSTILE_TEXT, 10**30, -(10**20), 1.5e308, True, None, [], {"a": [[["deep"]]]}]
HUGE_ID = "99999999999999999999999"


def personas(client, make) -> dict[str, dict]:
    agency = make.organization(OrganizationKind.AGENCY)
    developer = make.organization(OrganizationKind.DEVELOPER)
    appraiser = make.organization(OrganizationKind.APPRAISER)
    users = {
        "household": make.household(phone="13912340000", id_number=valid_id_number(880)),
        "agency": make.staff(Role.AGENCY_STAFF, organization=agency),
        "developer": make.staff(Role.DEVELOPER_STAFF, organization=developer),
        "officer": make.staff(Role.CITY_GROUP_OFFICER),
        "appraiser": make.staff(Role.APPRAISER, organization=appraiser),
        "bureau": make.staff(Role.BUREAU_ADMIN),
    }
    headers = {"anonymous": {}}
    for name, user in users.items():
        login = user.username or user.phone
        token = client.post("/api/v1/auth/token", json={"username": login, "password": Factories.PASSWORD},
                            environ_base={"REMOTE_ADDR": f"10.77.0.{len(headers)}"}).get_json()["token"]
        headers[name] = {"Authorization": f"Bearer {token}"}
    return headers


def operations(client) -> list[tuple[str, str, dict]]:
    document = client.get("/api/v1/openapi.json").get_json()
    return [(path, method, spec) for path, item in document["paths"].items() for method, spec in item.items()
            if method in ("get", "post", "patch", "put", "delete")]


def body_fields(spec: dict) -> tuple[str | None, list[str]]:
    content = (spec.get("requestBody") or {}).get("content", {})
    for media in ("application/json", "multipart/form-data"):
        if media in content:
            schema = content[media].get("schema", {})
            return media, list(schema.get("properties", {})) or ["field"]
    return None, []


def send(client, path: str, method: str, spec: dict, headers: dict, value, path_id: str):
    url = re.sub(r"\{[^}]+\}", path_id, path)
    query = {p["name"]: str(value) for p in spec.get("parameters", []) if p.get("in") == "query"}
    media, names = body_fields(spec)
    kwargs = {"query_string": query, "headers": {**headers, "Idempotency-Key": f"fuzz-{hash((url, str(value)))}"}}
    if media == "application/json":
        kwargs["json"] = {name: value for name in names}
    elif media == "multipart/form-data":
        kwargs["data"] = {name: (io.BytesIO(str(value).encode()), "x.csv") if name in ("file", "document", "report")
                          else str(value) for name in names}
        kwargs["content_type"] = "multipart/form-data"
    return client.open(url, method=method.upper(), **kwargs)


@pytest.fixture
def world(client, make):
    """Something behind most ids (a listing, units, a completed acquisition) and every persona."""
    headers = personas(client, make)
    client.post("/api/v1/listings", json=listing_fields(), headers=headers["agency"])
    drive_to(Cast(make), "completed")
    return headers


def test_no_operation_answers_a_server_error_to_hostile_input(client, world):
    failures = []
    for path, method, spec in operations(client):
        if path.endswith("/auth/token") and method == "delete":
            continue  # revoking the persona's own token would only make the rest 401
        for persona, headers in world.items():
            for value in HOSTILE_JSON:
                for path_id in ("1", HUGE_ID):
                    response = send(client, path, method, spec, headers, value, path_id)
                    if response.status_code >= 500:
                        failures.append(f"{method.upper()} {path} as {persona} with {value!r}: {response.status_code}")
    assert failures == []
    bureau = world["bureau"]
    workbook = client.get("/api/v1/exports/progress", headers=bureau)
    assert workbook.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(workbook.data)).sheetnames
    for table in ("ledger", "by_month", "stalled"):
        csv = client.get(f"/api/v1/exports/progress?format=csv&table={table}", headers=bureau)
        assert csv.status_code == 200
        assert csv.data.decode("utf-8-sig")


@pytest.fixture
def agent_headers(client, make) -> dict:
    make.staff(Role.AGENCY_STAFF, username="fuzz-agent")
    token = client.post("/api/v1/auth/token", json={"username": "fuzz-agent", "password": Factories.PASSWORD})
    return {"Authorization": f"Bearer {token.get_json()['token']}"}


# The fixtures are made once for all examples: the examples only read, or write one listing each.
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1, max_size=30))
def test_search_and_listing_creation_take_any_text(client, agent_headers, text):
    search = client.get("/api/v1/listings", query_string={"q": text, "district": text, "min_price": text})
    assert search.status_code in (200, 422)
    created = client.post("/api/v1/listings", json=listing_fields(community=text, room_no=text), headers=agent_headers)
    assert created.status_code in (201, 409, 422)
