"""OpenAPI paths for protected reservations (api/reservations.py), the queue for city-group places
(api/quota_queue.py) and chain milestones (api/applications.py)."""
from __future__ import annotations

from ..domain.milestones import Milestone
from ..domain.reservations import RESERVATION_FIELDS, ReservationStatus
from ..domain.rules import PROGRAM_YEARS
from .openapi import (
    BEARER,
    CHANNEL,
    ID,
    PATHS,
    _application_get,
    _body,
    _error_responses,
    _input_schema,
    _json,
    _query,
    _ref,
)

RESERVATION = _ref("Reservation")
NOTE_BODY = {"required": False, "content": {"application/json": {"schema": {
    "type": "object", "properties": {"note": {"type": "string", "maxLength": 500}}}}}}


def _move(summary: str, operation: str) -> dict:
    return {"post": {"summary": summary, "operationId": operation, "security": BEARER, "parameters": [ID],
                     "requestBody": NOTE_BODY,
                     "responses": {"200": _json(RESERVATION, summary), **_error_responses(401, 403, 404, 409, 422)}}}


PATHS.update({
    "/api/v1/reservations": {
        "post": {"summary": "Propose a three-party reservation of a unit while the household sells its old home "
                            "(household; the unit is held at once, the terms come from the rules in force)",
                 "operationId": "createReservation", "security": BEARER,
                 "requestBody": _body(_input_schema(RESERVATION_FIELDS)),
                 "responses": {"201": _json(RESERVATION, "Proposed"), **_error_responses(401, 403, 409, 422)}},
        "get": {"summary": "Reservations the caller is a party to (the bureau and the city group: all)",
                "operationId": "listReservations", "security": BEARER,
                "parameters": [_query("status", {"type": "string", "enum": [s.value for s in ReservationStatus]})],
                "responses": {"200": _json(_ref("ReservationList"), "Reservations"),
                              **_error_responses(401, 403, 422)}}},
    "/api/v1/reservation-counts": {"get": {
        "summary": "The year's reservations by state, in all, by the old home's district and by channel "
                   "(the city group's once a hold turned to it), under the dashboard's filters",
        "operationId": "reservationCounts", "security": BEARER,
        "parameters": [{**_query("program_year", {"type": "integer", "minimum": PROGRAM_YEARS[0],
                                                   "maximum": PROGRAM_YEARS[-1]}), "required": True},
                       _query("from", {"type": "string", "format": "date"}, "proposed on or after"),
                       _query("to", {"type": "string", "format": "date"}, "proposed on or before"),
                       _query("district", {"type": "string"}, "the old home's district: division code or name"),
                       _query("channel", CHANNEL)],
        "responses": {"200": _json(_ref("ReservationCounts"), "Counts"), **_error_responses(401, 403, 422)}}},
    "/api/v1/reservations/{id}": {"get": {
        "summary": "One reservation: its terms, each party's acceptance, the hold's dates and how it ended",
        "operationId": "getReservation", "security": BEARER, "parameters": [ID],
        "responses": {"200": _json(RESERVATION, "The reservation"), **_error_responses(401, 403, 404)}}},
    "/api/v1/reservations/{id}/accept": _move(
        "Accept the agreement as the caller's party (developer or agency); the third acceptance starts the hold",
        "acceptReservation"),
    "/api/v1/reservations/{id}/withdraw": _move(
        "Withdraw a proposal not yet accepted by all three (any party); the deposit is returned whole",
        "withdrawReservation"),
    "/api/v1/reservations/{id}/end": _move(
        "End the hold early (household); the deposit is refunded by the terms", "endReservation"),
    "/api/v1/reservations/{id}/city-group": _move(
        "Turn to the city group (household qualifying for it): the unit stays held, the offer meets the floor",
        "reservationToCityGroup"),
    "/api/v1/applications/{id}/queue-position": _application_get(
        "The household's place in the queue for city-group places, the order's basis and the expected wait "
        "at the recent pace (an estimate)", "applicationQueuePosition", _ref("QueuePosition")),
    "/api/v1/queue-draws/{id}": {"get": {
        "summary": "A published lottery for city-group places: commitment, entrants, and once drawn the seed, "
                   "algorithm and order with each key (no login; anyone can re-run it)",
        "operationId": "getQueueDraw", "parameters": [ID],
        "responses": {"200": _json(_ref("QueueDraw"), "The draw"), **_error_responses(404)}}},
    "/api/v1/chains/{id}/milestones": {
        "get": {"summary": "An agreed chain's milestones for every link, red/amber/green against the expected "
                           "days (rule chain_milestone_days), and the link that is late",
                "operationId": "chainMilestones", "security": BEARER, "parameters": [ID],
                "responses": {"200": _json(_ref("ChainMilestones"), "Milestones"),
                              **_error_responses(401, 403, 404, 409)}},
        "post": {"summary": "The household records the day its own milestone was done (a second time corrects it)",
                 "operationId": "recordChainMilestone", "security": BEARER, "parameters": [ID],
                 "requestBody": _body({"type": "object", "required": ["milestone", "done_on"], "properties": {
                     "milestone": {"type": "string", "enum": [m.value for m in Milestone]},
                     "done_on": {"type": "string", "format": "date"}}}),
                 "responses": {"200": _json(_ref("ChainMilestones"), "Recorded"),
                               **_error_responses(401, 403, 404, 409, 422)}}},
})
