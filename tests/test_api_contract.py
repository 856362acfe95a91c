"""The API document is generated from the response models and holds every answer to them."""
from __future__ import annotations

import json

import pytest
from flask import Response
from pydantic import ValidationError

from housing_swap.api import responses
from housing_swap.api.openapi import openapi_document
from tests.contract import ContractViolation, check_response


def json_response(body: dict, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


TOKEN = {"token": "abc", "expires_at": "2026-12-01T00:00:00+00:00"}


def test_every_object_schema_in_the_document_is_closed():
    schemas = openapi_document()["components"]["schemas"]
    objects = {name: schema for name, schema in schemas.items() if schema.get("type") == "object"}
    assert len(objects) > 40
    assert [name for name, schema in objects.items() if schema.get("additionalProperties") is not False] == []


def test_enums_come_from_the_enum_classes():
    schemas = openapi_document()["components"]["schemas"]
    assert schemas["ListingStatus"]["enum"] == [status.value for status in responses.ListingStatus]


def test_a_documented_answer_passes():
    check_response("POST", "/api/v1/auth/token", json_response(TOKEN, 201))


@pytest.mark.parametrize(("body", "status", "problem"), [
    pytest.param({**TOKEN, "secret": "x"}, 201, "Additional properties", id="undocumented-key"),
    pytest.param({"token": "abc"}, 201, "expires_at", id="missing-key"),
    pytest.param({**TOKEN, "token": 7}, 201, "is not of type", id="wrong-type"),
    pytest.param(TOKEN, 418, "the documented schema", id="undocumented-status-not-an-error-envelope"),
])
def test_drift_from_the_document_is_caught(body, status, problem):
    with pytest.raises(ContractViolation, match=problem):
        check_response("POST", "/api/v1/auth/token", json_response(body, status))


def test_an_undocumented_content_type_is_caught():
    with pytest.raises(ContractViolation, match="content type"):
        check_response("GET", "/api/v1/auth/me", Response("hi", mimetype="text/plain"))


def test_a_handler_cannot_emit_an_undocumented_key():
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        responses.shaped(responses.Token, {**TOKEN, "password_hash": "x"})
