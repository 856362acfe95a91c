"""The OpenAPI 3.1 description of every /api/v1 endpoint. Later features add their paths here."""
from __future__ import annotations

from flask import jsonify

from ..security.access import public
from . import api_blueprint

ERROR = {"$ref": "#/components/schemas/Error"}


def _error_responses(*statuses: int) -> dict:
    descriptions = {400: "Bad input", 401: "Missing or invalid token", 403: "Role not allowed",
                    404: "Not found", 409: "Conflict", 422: "Validation failed"}
    return {str(status): {"description": descriptions[status],
                          "content": {"application/json": {"schema": ERROR}}}
            for status in statuses}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


BEARER = [{"bearerAuth": []}]

PATHS = {
    "/api/v1/auth/token": {
        "post": {
            "summary": "Issue a bearer token",
            "operationId": "issueToken",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["username", "password"],
                "properties": {"username": {"type": "string", "minLength": 1},
                               "password": {"type": "string", "minLength": 1}},
            }}}},
            "responses": {
                "201": _json({"$ref": "#/components/schemas/Token"}, "Token issued"),
                **_error_responses(401, 422),
            },
        },
        "delete": {
            "summary": "Revoke the token used for this request",
            "operationId": "revokeToken",
            "security": BEARER,
            "responses": {"204": {"description": "Revoked"}, **_error_responses(401, 404)},
        },
    },
    "/api/v1/auth/me": {
        "get": {
            "summary": "The account behind the token (personal data masked)",
            "operationId": "whoAmI",
            "security": BEARER,
            "responses": {"200": _json({"$ref": "#/components/schemas/Me"}, "The account"),
                          **_error_responses(401)},
        },
    },
    "/api/v1/organizations": {
        "get": {
            "summary": "Organizations on the platform (bureau only)",
            "operationId": "listOrganizations",
            "security": BEARER,
            "responses": {
                "200": _json({"type": "object", "required": ["items"], "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Organization"}},
                }}, "Organizations"),
                **_error_responses(401, 403),
            },
        },
    },
    "/api/v1/openapi.json": {
        "get": {
            "summary": "This document",
            "operationId": "openapi",
            "responses": {"200": _json({"type": "object"}, "The OpenAPI document")},
        },
    },
}

COMPONENTS = {
    "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
    "schemas": {
        "Error": {
            "type": "object", "required": ["error"],
            "properties": {"error": {
                "type": "object", "required": ["code", "message", "details"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                               "details": {"type": "object"}},
            }},
        },
        "Token": {
            "type": "object", "required": ["token", "expires_at"],
            "properties": {"token": {"type": "string"},
                           "expires_at": {"type": "string", "format": "date-time"}},
        },
        "Me": {
            "type": "object", "required": ["id", "role"],
            "properties": {
                "id": {"type": "integer"}, "username": {"type": ["string", "null"]},
                "role": {"type": "string", "enum": ["household", "agency_staff", "developer_staff",
                                                   "city_group_officer", "appraiser", "bureau_admin"]},
                "organization_id": {"type": ["integer", "null"]},
                "phone": {"type": ["string", "null"], "description": "masked, e.g. 138****5678"},
            },
        },
        "Organization": {
            "type": "object",
            "required": ["id", "kind", "name", "licence_number", "approval_state"],
            "properties": {
                "id": {"type": "integer"},
                "kind": {"type": "string", "enum": ["agency", "developer", "city_group", "appraiser", "bureau"]},
                "name": {"type": "string"}, "licence_number": {"type": "string"},
                "approval_state": {"type": "string", "enum": ["pending", "approved", "rejected", "suspended"]},
            },
        },
    },
}


def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "housing_swap API", "version": "1.0.0",
                 "description": "Zhengzhou 卖旧买新 platform. Money in integer yuan; areas in m² as decimal strings; times in UTC."},
        "servers": [{"url": "/"}],
        "paths": PATHS,
        "components": COMPONENTS,
    }


@api_blueprint.get("/openapi.json")
@public
def openapi_json():
    return jsonify(openapi_document())
