"""The OpenAPI 3.1 description of every /api/v1 endpoint. Later features add their paths here."""
from __future__ import annotations

from flask import jsonify

from ..db.models import Channel, ListingStatus, PhotoKind, UnitStatus
from ..domain.applications import APPLICATION_FIELDS
from ..domain.fields import Field
from ..domain.listing_fields import LISTING_FIELDS
from ..domain.project_fields import PROJECT_FIELDS, UNIT_FIELDS
from ..domain.rules import PROGRAM_YEARS
from ..search.query import Sort
from ..security.access import public
from ..services.listing_import import ImportMode
from . import api_blueprint
from .responses import component_schemas

ERROR = {"$ref": "#/components/schemas/Error"}


def _error_responses(*statuses: int) -> dict:
    descriptions = {400: "Bad input", 401: "Missing or invalid token", 403: "Role not allowed",
                    404: "Not found", 409: "Conflict", 422: "Validation failed", 429: "Too many requests"}
    return {str(status): {"description": descriptions[status],
                          "content": {"application/json": {"schema": ERROR}}}
            for status in statuses}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


BEARER = [{"bearerAuth": []}]
OPTIONAL_BEARER = [{}, {"bearerAuth": []}]
ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
SCALAR = {"type": ["string", "number", "integer", "boolean", "null"]}


def _input_schema(fields: tuple[Field, ...], extra: dict | None = None, partial: bool = False) -> dict:
    """Request bodies are described from the domain's own field list, so they cannot drift."""
    properties = {f.name: {**SCALAR, "description": f.label + (f"（{'/'.join(f.choices)}）" if f.choices else "")}
                  for f in fields}
    properties.update(extra or {})
    schema = {"type": "object", "properties": properties}
    if not partial:
        schema["required"] = [f.name for f in fields if f.required]
    return schema


def _body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _multipart(properties: dict, required: list[str]) -> dict:
    return {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "properties": properties, "required": required}}}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _query(name: str, schema: dict, description: str = "") -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


SEARCH_PARAMETERS = [
    _query("q", {"type": "string", "maxLength": 50},
           "words, all required in any order: name, address, district or pinyin (initials or full)"),
    {**_query("district", {"type": "array", "items": {"type": "string"}}, "division code, repeatable"),
     "style": "form", "explode": True},
    _query("min_price", {"type": "integer", "minimum": 0}, "total, yuan"),
    _query("max_price", {"type": "integer", "minimum": 0}, "total, yuan"),
    _query("min_unit_price", {"type": "integer", "minimum": 0}, "yuan per m²"),
    _query("max_unit_price", {"type": "integer", "minimum": 0}, "yuan per m²"),
    _query("min_area", {"type": "number", "minimum": 0}), _query("max_area", {"type": "number", "minimum": 0}),
    _query("bedrooms", {"type": "integer", "minimum": 0, "maximum": 12}, "minimum"),
    _query("min_build_year", {"type": "integer"}), _query("elevator", {"type": "boolean"}),
    _query("min_floor", {"type": "integer"}), _query("max_floor", {"type": "integer"}),
    _query("lat", {"type": "number", "minimum": -90, "maximum": 90}),
    _query("lon", {"type": "number", "minimum": -180, "maximum": 180}),
    _query("radius_km", {"type": "number", "minimum": 0.1, "maximum": 100}),
    _query("bbox", {"type": "string", "pattern": r"^[-+0-9.eE]+(,[-+0-9.eE]+){3}$"},
           "the map's view: min_lon,min_lat,max_lon,max_lat"),
    _query("polygon", {"type": "string", "maxLength": 2000},
           "an area drawn on the map: lon,lat;lon,lat;… (3 to 50 points, edges not crossing)"),
    _query("sort", {"type": "string", "enum": [sort.value for sort in Sort]}),
    _query("page", {"type": "integer", "minimum": 1}),
    _query("per_page", {"type": "integer", "minimum": 1, "maximum": 100}),
]
CHANNEL = {"type": "string", "enum": [channel.value for channel in Channel]}
STATUS_BODY = {"type": "object", "required": ["status"], "properties": {
    "status": {"type": "string"}, "reason": {"type": ["string", "null"]}}}
FILE = {"type": "string", "format": "binary"}

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
                "201": _json(_ref("Token"), "Token issued"),
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
            "responses": {"200": _json(_ref("Me"), "The account"),
                          **_error_responses(401)},
        },
    },
    "/api/v1/organizations": {
        "get": {
            "summary": "Organizations on the platform (bureau only)",
            "operationId": "listOrganizations",
            "security": BEARER,
            "responses": {"200": _json(_ref("OrganizationList"), "Organizations"), **_error_responses(401, 403)},
        },
    },
    "/api/v1/listings": {"get": {
        "summary": "Search active second-hand listings", "operationId": "searchListings",
        "parameters": SEARCH_PARAMETERS + [_query("fits_city_group", {"type": "boolean"},
                                                  "only old homes the city group may buy under the rules in force")],
        "responses": {"200": _json(_ref("SearchResult"), "One page of results"), **_error_responses(422)}},
        "post": {
        "summary": "Create a draft second-hand listing (household or agency)", "operationId": "createListing",
        "security": BEARER, "requestBody": _body(_input_schema(LISTING_FIELDS)),
        "responses": {"201": _json(_ref("Listing"), "Created"), **_error_responses(401, 403, 409, 422)}}},
    "/api/v1/listings/{id}": {
        "get": {"summary": "One listing: public when active, reserved or sold; otherwise its owner side",
                "operationId": "getListing", "security": OPTIONAL_BEARER, "parameters": [ID],
                "responses": {"200": _json(_ref("Listing"), "The listing"), **_error_responses(404)}},
        "patch": {"summary": "Change some fields; a price change is recorded", "operationId": "updateListing",
                  "security": BEARER, "parameters": [ID],
                  "requestBody": _body(_input_schema(LISTING_FIELDS, partial=True)),
                  "responses": {"200": _json(_ref("Listing"), "Updated"), **_error_responses(401, 403, 404, 409, 422)}},
    },
    "/api/v1/listings/{id}/status": {"post": {
        "summary": "Move a listing through its lifecycle (submitted runs registry verification)",
        "operationId": "changeListingStatus", "security": BEARER, "parameters": [ID],
        "requestBody": _body({**STATUS_BODY, "properties": {**STATUS_BODY["properties"], "status": {
            "type": "string", "enum": [status.value for status in ListingStatus]}}}),
        "responses": {"200": _json(_ref("Listing"), "Moved"), **_error_responses(401, 403, 404, 409, 422)}}},
    "/api/v1/listings/{id}/photos": {"post": {
        "summary": "Add one or more photos (field photos, repeated) of one kind; all are checked before any is kept",
        "operationId": "addListingPhotos", "security": BEARER, "parameters": [ID],
        "requestBody": _multipart({"photos": {"type": "array", "items": FILE},
                                   "kind": {"type": "string", "enum": [kind.value for kind in PhotoKind]}},
                                  ["photos"]),
        "responses": {"201": _json(_ref("Listing"), "The listing with its photos"),
                      **_error_responses(401, 403, 404, 422)}}},
    "/api/v1/listings/{id}/photos/order": {"put": {
        "summary": "Put the listing's photos in this order; the first is the cover",
        "operationId": "orderListingPhotos", "security": BEARER, "parameters": [ID],
        "requestBody": _body({"type": "object", "required": ["photo_ids"], "additionalProperties": False,
                              "properties": {"photo_ids": {"type": "array", "maxItems": 20,
                                                           "items": {"type": "integer"}}}}),
        "responses": {"200": _json(_ref("Listing"), "Reordered"), **_error_responses(401, 403, 404, 409, 422)}}},
    "/api/v1/listings/{id}/photos/{photo_id}": {"delete": {
        "summary": "Remove one photo from the listing", "operationId": "deleteListingPhoto", "security": BEARER,
        "parameters": [ID, {"name": "photo_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": _json(_ref("Listing"), "The listing without the photo"),
                      **_error_responses(401, 403, 404, 409)}}},
    "/api/v1/listings/import": {"post": {
        "summary": "Bulk import an agency's listings (CSV or XLSX); retries with the same Idempotency-Key replay the first answer",
        "operationId": "importListings", "security": BEARER,
        "parameters": [{"name": "Idempotency-Key", "in": "header", "required": True,
                        "schema": {"type": "string", "maxLength": 100}}],
        "requestBody": _multipart({"file": FILE, "mode": {"type": "string", "enum": [mode.value for mode in ImportMode]}},
                                  ["file"]),
        "responses": {"200": _json(_ref("ImportResult"), "Imported"), **_error_responses(401, 403, 409, 422)}}},
    "/api/v1/projects": {"post": {
        "summary": "Create a new-build project (developer)", "operationId": "createProject", "security": BEARER,
        "requestBody": _body(_input_schema(PROJECT_FIELDS)),
        "responses": {"201": _json(_ref("Project"), "Created"), **_error_responses(401, 403, 409, 422)}}},
    "/api/v1/projects/{id}": {
        "get": {"summary": "One project", "operationId": "getProject", "parameters": [ID],
                "responses": {"200": _json(_ref("Project"), "The project"), **_error_responses(404)}},
        "patch": {"summary": "Change some project fields", "operationId": "updateProject", "security": BEARER,
                  "parameters": [ID], "requestBody": _body(_input_schema(PROJECT_FIELDS, partial=True)),
                  "responses": {"200": _json(_ref("Project"), "Updated"), **_error_responses(401, 403, 404, 409, 422)}},
    },
    "/api/v1/projects/{id}/price-list": {"post": {
        "summary": "Load a building's price list (all rows or none)", "operationId": "importPriceList",
        "security": BEARER, "parameters": [ID],
        "requestBody": _multipart({"file": FILE, "building": {"type": "string", "maxLength": 40}}, ["file", "building"]),
        "responses": {"200": _json(_ref("PriceListResult"), "Imported"), **_error_responses(401, 403, 404, 422)}}},
    "/api/v1/units": {"get": {
        "summary": "Search available new-build units", "operationId": "searchUnits",
        "parameters": SEARCH_PARAMETERS + [_query("program", {"type": "boolean"}, "participating projects only")],
        "responses": {"200": _json(_ref("SearchResult"), "One page of results"), **_error_responses(422)}},
        "post": {
        "summary": "Add one unit to a project's building", "operationId": "createUnit", "security": BEARER,
        "requestBody": _body(_input_schema(UNIT_FIELDS, {"project_id": {"type": "integer"},
                                                          "building": {"type": "string", "maxLength": 40}})),
        "responses": {"201": _json(_ref("Unit"), "Created"), **_error_responses(401, 403, 404, 409, 422)}}},
    "/api/v1/units/{id}": {
        "get": {"summary": "One unit: public while available; any state for its developer",
                "operationId": "getUnit", "security": OPTIONAL_BEARER, "parameters": [ID],
                "responses": {"200": _json(_ref("Unit"), "The unit"), **_error_responses(404)}},
        "patch": {"summary": "Change a unit's facts or price", "operationId": "updateUnit", "security": BEARER,
                  "parameters": [ID], "requestBody": _body(_input_schema(UNIT_FIELDS, partial=True)),
                  "responses": {"200": _json(_ref("Unit"), "Updated"), **_error_responses(401, 403, 404, 409, 422)}},
    },
    "/api/v1/units/{id}/status": {"post": {
        "summary": "Change a unit's sale status", "operationId": "changeUnitStatus", "security": BEARER,
        "parameters": [ID], "requestBody": _body({**STATUS_BODY, "properties": {
            "status": {"type": "string", "enum": [status.value for status in UnitStatus]}}}),
        "responses": {"200": _json(_ref("Unit"), "Changed"), **_error_responses(401, 403, 404, 409, 422)}}},
    "/api/v1/buildings/{id}/unit-statuses": {"post": {
        "summary": "Several of the building's units to one status, all or none (every refusal named by room); "
                   "the units that changed", "operationId": "changeUnitStatuses", "security": BEARER,
        "parameters": [ID],
        "requestBody": _body({"type": "object", "required": ["unit_ids", "status"], "properties": {
            "unit_ids": {"type": "array", "items": {"type": "integer"}, "minItems": 1},
            "status": {"type": "string", "enum": [status.value for status in UnitStatus]}}}),
        "responses": {"200": _json({"type": "object", "required": ["items"], "properties": {
            "items": {"type": "array", "items": _ref("Unit")}}}, "Changed"),
            **_error_responses(401, 403, 404, 409, 422)}}},
    "/api/v1/buildings/{id}": {"delete": {
        "summary": "Delete a building and its units while none is sold, reserved or named by a swap, "
                   "reservation, chain or count; the project as it is now", "operationId": "deleteBuilding",
        "security": BEARER, "parameters": [ID],
        "responses": {"200": _json(_ref("Project"), "Deleted"), **_error_responses(401, 403, 404, 409)}}},
    "/api/v1/units/{id}/undo-sale": {"post": {
        "summary": "Undo a mistaken 'sold' within the rule's grace period (unit_sale_undo_hours), back to the "
                   "state before; refused once a recorded swap names the unit", "operationId": "undoUnitSale",
        "security": BEARER, "parameters": [ID],
        "responses": {"200": _json(_ref("Unit"), "Restored"), **_error_responses(401, 403, 404, 409)}}},
    "/api/v1/communities": {"get": {
        "summary": "Community names for autocomplete (name, pinyin initials)", "operationId": "suggestCommunities",
        "parameters": [_query("q", {"type": "string", "maxLength": 30}, "what the user has typed")],
        "responses": {"200": _json(_ref("CommunitySuggestions"), "Suggestions")}}},
    "/api/v1/eligibility": {"post": {
        "summary": "Check a household's swap eligibility under the rules in force on decision_date (no login)",
        "operationId": "checkEligibility",
        "requestBody": _body({"type": "object", "required": ["channel", "old_home"], "properties": {
            "channel": CHANNEL,
            "decision_date": {"type": "string", "format": "date"},
            "old_home": {"type": "object", "required": ["district_code", "build_year", "area_m2"], "properties": {
                "district_code": {"type": "string"}, "build_year": {"type": "integer"},
                "area_m2": {"type": ["string", "number"]}, "seized": {"type": "boolean"},
                "price": {"type": "integer", "description": "yuan"}}},
            "new_home": {"type": "object", "required": ["district_code", "total_price"], "properties": {
                "district_code": {"type": "string"}, "total_price": {"type": "integer"}}},
        }}),
        "responses": {"200": _json(_ref("EligibilityAnswer"), "The decision"), **_error_responses(404, 422)}}},
    "/api/v1/progress": {"get": {
        "summary": "Progress against the program targets, from the goal ledger (public aggregates only)",
        "operationId": "progress",
        "parameters": [_query("program_year", {"type": "integer", "enum": list(PROGRAM_YEARS)},
                              "the programme year (default: the current year); each count belongs to the year "
                              "whose rules covered its completion date"),
                       _query("from", {"type": "string", "format": "date"}, "completed on or after"),
                       _query("to", {"type": "string", "format": "date"}, "completed on or before"),
                       _query("district", {"type": "string"}, "division code"),
                       _query("channel", CHANNEL)],
        "responses": {"200": _json(_ref("Progress"), "Progress"), **_error_responses(422)}}},
    "/api/v1/openapi.json": {
        "get": {
            "summary": "This document",
            "operationId": "openapi",
            "responses": {"200": _json({"type": "object"}, "The OpenAPI document")},
        },
    },
}

APPLICATION_INPUT = _input_schema(APPLICATION_FIELDS, {"listing_id": {
    "type": ["integer", "string", "null"], "description": "the household's own listing of this home"}})
APPLICATION = _ref("Application")
CHAIN = _ref("ChainProposal")


def _application_get(summary: str, operation: str, schema: dict, extra_parameters: list | None = None,
                     errors: tuple[int, ...] = (401, 403, 404, 409)) -> dict:
    return {"get": {"summary": summary, "operationId": operation, "security": BEARER,
                    "parameters": [ID] + (extra_parameters or []),
                    "responses": {"200": _json(schema, summary), **_error_responses(*errors)}}}


def _household_post(summary: str, operation: str, schema: dict) -> dict:
    return {"post": {"summary": summary, "operationId": operation, "security": BEARER, "parameters": [ID],
                     "responses": {"200": _json(schema, summary), **_error_responses(401, 403, 404, 409)}}}


PATHS.update({
    "/api/v1/applications": {
        "get": {"summary": "The signed-in household's applications", "operationId": "listApplications",
                "security": BEARER,
                "responses": {"200": _json(_ref("ApplicationList"), "Applications"), **_error_responses(401, 403)}},
        "post": {"summary": "Start a swap application as a draft (real-name verified household)",
                 "operationId": "createApplication", "security": BEARER, "requestBody": _body(APPLICATION_INPUT),
                 "responses": {"201": _json(APPLICATION, "Created"), **_error_responses(401, 403, 409, 422)}}},
    "/api/v1/applications/{id}": {
        **_application_get("One application with its decision and timeline", "getApplication", APPLICATION),
        "patch": {"summary": "Change a draft (or an ineligible application before resubmitting)",
                  "operationId": "updateApplication", "security": BEARER, "parameters": [ID],
                  "requestBody": _body(_input_schema(APPLICATION_FIELDS, partial=True)),
                  "responses": {"200": _json(APPLICATION, "Updated"), **_error_responses(401, 403, 404, 409, 422)}}},
    "/api/v1/applications/{id}/submit": _household_post(
        "Submit: decided at once under the rule version in force", "submitApplication", APPLICATION),
    "/api/v1/applications/{id}/withdraw": _household_post("Withdraw the application", "withdrawApplication",
                                                          APPLICATION),
    "/api/v1/applications/{id}/join": {"post": {
        "summary": "Join this old home to another application of the household (many-for-one): each home keeps "
                   "its own case and count; the money is pooled and the new home bought once, on the lead",
        "operationId": "joinApplication", "security": BEARER, "parameters": [ID],
        "requestBody": _body({"type": "object", "required": ["lead_application_id"],
                              "properties": {"lead_application_id": {"type": "integer", "minimum": 1}}}),
        "responses": {"200": _json(APPLICATION, "Joined"), **_error_responses(401, 403, 404, 409, 422)}}},
    "/api/v1/applications/{id}/leave": _household_post(
        "Take this old home out of its lead's purchase again (before its case used the shared new home)",
        "leaveJoinedPurchase", APPLICATION),
    "/api/v1/applications/{id}/valuation": _application_get(
        "Valuation of the old home: estimate, range, comparables, caveat", "applicationValuation",
        _ref("Valuation")),
    "/api/v1/applications/{id}/matches": _application_get(
        "Top new-build units for the application, with reasons: wanted districts first, a few per project "
        "and building; with project_id every matching unit of that project", "applicationMatches",
        _ref("Matches"), [_query("project_id", {"type": "integer", "minimum": 1},
                                 "Every matching unit of this project (the 'more in this project' list)")],
        errors=(401, 403, 404, 409, 422)),
    "/api/v1/applications/{id}/buyers": _application_get(
        "Who could buy the old home: the city group's indicative range and fitting households",
        "applicationBuyers", _ref("Buyers")),
    "/api/v1/applications/{id}/net-proceeds": _application_get(
        "Selling to the city group vs on the market, side by side: price range, fees and taxes, mortgage "
        "payoff, subsidies on the top match, what is left for the new home, expected time to sell; all "
        "estimates with their basis", "applicationNetProceeds", _ref("NetProceeds")),
    "/api/v1/applications/{id}/cash-gap": _application_get(
        "Cash gap for one unit: proceeds − payoff − fees + savings + subsidies, loan needed, gap",
        "applicationCashGap", _ref("CashGap"), [{**_query("unit_id", {"type": "integer"}), "required": True}],
        errors=(401, 403, 404, 409, 422)),
    "/api/v1/chains": {"get": {
        "summary": "Swap-chain proposals that include the signed-in household", "operationId": "listChains",
        "security": BEARER, "responses": {"200": _json(_ref("ChainProposalList"), "Proposals"),
                                          **_error_responses(401, 403)}}},
    "/api/v1/chains/{id}/accept": _household_post("Accept the household's link", "acceptChain", CHAIN),
    "/api/v1/chains/{id}/decline": _household_post("Decline: the whole proposal is cancelled", "declineChain",
                                                   CHAIN),
})

COMPONENTS = {
    "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
    "schemas": component_schemas(),
}


def _with_default_error(operation: dict) -> dict:
    """Any status an operation does not list (429, 413, 500, 503, …) answers with the error envelope."""
    default = {"description": "Any other refusal or failure", "content": {"application/json": {"schema": ERROR}}}
    return {**operation, "responses": {**operation["responses"], "default": default}}


def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "housing_swap API", "version": "1.0.0",
                 "description": "Zhengzhou 卖旧买新 platform. Money in integer yuan; areas in m² as decimal strings; times in UTC."},
        "servers": [{"url": "/"}],
        "paths": {path: {method: _with_default_error(operation) for method, operation in operations.items()}
                  for path, operations in PATHS.items()},
        "components": COMPONENTS,
    }


@api_blueprint.get("/openapi.json")
@public
def openapi_json():
    return jsonify(openapi_document())
