"""OpenAPI paths for acquisitions, market swaps and the ledger (api/acquisitions.py, market_swaps.py, ledger.py), and the
bureau's exports and audit log (api/monitoring.py), and each user's notifications (api/notifications.py)."""
from __future__ import annotations

from ..db.models import AcquisitionStatus, LedgerEntryType, MarketSwapStatus
from ..domain import acquisitions as steps
from ..domain.market_swaps import HOUSEHOLD_FIELD, MARKET_SWAP_FIELDS
from ..domain.rules import PROGRAM_YEARS
from ..domain.viewings import ViewingStatus
from ..services import exports
from ..services.acquisitions import WAITING
from ..services.spreadsheets import MIMETYPES
from .openapi import BEARER, CHANNEL, FILE, ID, PATHS, _body, _error_responses, _input_schema, _json, _query, _ref

IDEMPOTENCY_KEY = {"name": "Idempotency-Key", "in": "header", "required": False, "schema": {
    "type": "string", "maxLength": 100}, "description": "a retry with the same key returns the first answer"}
ACQUISITION = _ref("Acquisition")
MARKET_SWAP = _ref("MarketSwap")
LEDGER_ENTRY = _ref("LedgerEntry")
REVERSAL_REQUEST = _ref("LedgerReversalRequest")
DECISION_NOTE = {"type": "object", "properties": {"note": {"type": "string", "maxLength": 1000}}}


def _post(summary: str, operation: str, response: dict, body: dict | None, status: str = "200",
          with_id: bool = True) -> dict:
    operation_doc = {"summary": summary, "operationId": operation, "security": BEARER,
                     "parameters": ([ID] if with_id else []) + [IDEMPOTENCY_KEY],
                     "responses": {status: _json(response, summary), **_error_responses(401, 403, 404, 409, 422)}}
    if body is not None:
        operation_doc["requestBody"] = body
    return {"post": operation_doc}


def _get(summary: str, operation: str, response: dict, parameters: list | None = None) -> dict:
    return {"get": {"summary": summary, "operationId": operation, "security": BEARER, "parameters": parameters or [],
                    "responses": {"200": _json(response, summary), **_error_responses(401, 403, 404, 422)}}}


def _step_body(fields: tuple, paper: str | None = None) -> dict:
    """JSON, or multipart when a paper (PDF/JPEG/PNG) goes with the step."""
    schema = _input_schema(fields)
    content = {"application/json": {"schema": schema}}
    if paper:
        content["multipart/form-data"] = {"schema": {**schema, "properties": {**schema["properties"], paper: FILE}}}
    return {"required": True, "content": content}


REASON = {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string", "maxLength": 500}}}
ACQ = "/api/v1/acquisitions/{id}"

PATHS.update({
    "/api/v1/acquisition-queue": _get(
        "City-group work queue: eligible applications of the channel and their acquisitions, oldest first",
        "acquisitionQueue", _ref("AcquisitionQueue"), [
            _query("district", {"type": "string"}), _query("pilot", {"type": "boolean"}),
            _query("status", {"type": "string", "enum": [WAITING, *(status.value for status in AcquisitionStatus)]}),
            _query("min_days", {"type": "integer", "minimum": 0}, "days since submission, at least"),
            _query("q", {"type": "string", "maxLength": 60}, "an application number (申请123) or part of a name"),
            _query("officer_id", {"type": "integer", "minimum": 1}, "only the cases this officer holds"),
            _query("page", {"type": "integer", "minimum": 1})]),
    "/api/v1/acquisitions": {
        **_get("Acquisitions the caller may see (own, assigned, or all for officers and the bureau)",
               "listAcquisitions", _ref("AcquisitionList")),
        **_post("Take an eligible application in (intake)", "takeInApplication", ACQUISITION, _body({
            "type": "object", "required": ["application_id"], "properties": {"application_id": {"type": "integer"}}}),
            status="201", with_id=False)},
    ACQ: _get("One acquisition with its timeline and papers", "getAcquisition", ACQUISITION, [ID]),
    "/api/v1/acquisition-documents/{id}": {"get": {
        "summary": "Download a paper of an acquisition", "operationId": "downloadAcquisitionDocument",
        "security": BEARER, "parameters": [ID],
        "responses": {"200": {"description": "The file", "content": {
            "application/pdf": {"schema": FILE}, "image/jpeg": {"schema": FILE}, "image/png": {"schema": FILE}}},
            **_error_responses(401, 403, 404)}}},
    f"{ACQ}/inspection": _post("Schedule the inspection and name the appraiser organization", "scheduleInspection",
                               ACQUISITION, _step_body(steps.INSPECTION_FIELDS)),
    f"{ACQ}/appraisal": _post("The assigned appraiser enters the value with the report (multipart)",
                              "appraise", ACQUISITION, _step_body(steps.APPRAISAL_FIELDS, "report")),
    f"{ACQ}/offer": _post("Make an offer (≤ appraisal × the rule's ratio; valid for the rule's days)",
                          "makeOffer", ACQUISITION, _step_body(steps.OFFER_FIELDS)),
    f"{ACQ}/accept": _post("The household accepts the offer before its deadline", "acceptOffer", ACQUISITION, None),
    f"{ACQ}/decline": _post("The household declines the offer", "declineOffer", ACQUISITION, None),
    f"{ACQ}/assignment": _post("Hand the case to another city-group officer (officers, the bureau); audited",
                               "assignAcquisition", ACQUISITION, _body({
                                   "type": "object", "required": ["officer_user_id"],
                                   "properties": {"officer_user_id": {"type": "integer"}}})),
    f"{ACQ}/appeal": _post("The household asks for a second appraisal by another organization, within the rule's "
                           "days after the offer (once); the offer waits for the new one", "appealAppraisal",
                           ACQUISITION, _body(REASON)),
    f"{ACQ}/contract": _post("Record the signed acquisition contract (price = accepted offer)", "signContract",
                             ACQUISITION, _step_body(steps.CONTRACT_FIELDS, "document")),
    f"{ACQ}/purchase": _post("Record the household's new-home purchase (unit on the platform; rules checked)",
                             "recordPurchase", ACQUISITION, _step_body(steps.PURCHASE_FIELDS, "document")),
    f"{ACQ}/additional-unit": _post(
        "Record a further new home bought with the same old home (one old home, two new ones; up to the rule's "
        "number), after the first and before completion; the rules check the new homes' total",
        "recordAdditionalUnit", ACQUISITION, _step_body(steps.PURCHASE_FIELDS, "document")),
    f"{ACQ}/joined-purchase": _post(
        "For a joined home's case: take the lead application's recorded new home as this case's (no unit or "
        "contract of its own; the price must cover the whole bundle under the rules)", "recordJoinedPurchase",
        ACQUISITION, {**_step_body((), "document"), "required": False}),
    f"{ACQ}/title-transfer": _post("Record the old home's title transfer", "transferTitle", ACQUISITION,
                                   _step_body(steps.TITLE_FIELDS, "document")),
    f"{ACQ}/completion": _post("Complete: quotas checked, counted once on the goal ledger", "completeAcquisition",
                               ACQUISITION, _step_body(steps.COMPLETION_FIELDS)),
    f"{ACQ}/cancellation": _post("Cancel with a reason, before the title transfer (later steps answer 409)",
                                 "cancelAcquisition", ACQUISITION, _body(REASON)),
    "/api/v1/market-swaps": {
        **_get("Market swaps the caller may see", "listMarketSwaps", _ref("MarketSwapList"), [
            _query("status", {"type": "string", "enum": [status.value for status in MarketSwapStatus]})]),
        **_post("Record a market swap: the old home's sale and the new home's purchase", "recordMarketSwap",
                MARKET_SWAP, _body(_input_schema(MARKET_SWAP_FIELDS + (HOUSEHOLD_FIELD,))), status="201",
                with_id=False)},
    "/api/v1/market-swaps/{id}": _get("One market swap", "getMarketSwap", MARKET_SWAP, [ID]),
    "/api/v1/market-swaps/{id}/verify": _post("Verify and count (bureau)", "verifyMarketSwap", MARKET_SWAP, None),
    "/api/v1/market-swaps/{id}/reject": _post("Reject with a reason (bureau)", "rejectMarketSwap", MARKET_SWAP,
                                              _body(REASON)),
    "/api/v1/market-swaps/{id}/cancel": _post(
        "Withdraw a record not yet verified (its recorder or the bureau); a verified one answers 409",
        "cancelMarketSwap",
        MARKET_SWAP, _body(REASON)),
    "/api/v1/market-swaps/contract-check": _post(
        "Check every pending record against a CSV/XLSX of registered contracts (合同编号, 成交价格, 签约日期); "
        "matching ones are verified and counted", "checkContractFile", _ref("ContractCheckReport"),
        {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"], "properties": {"file": FILE}}}}}, with_id=False),
    "/api/v1/ledger/entries": _get("Goal-ledger rows, newest first (bureau)", "listLedgerEntries",
                                   _ref("LedgerEntryPage"), [
        _query("channel", CHANNEL), _query("district", {"type": "string"}),
        _query("from", {"type": "string", "format": "date"}), _query("to", {"type": "string", "format": "date"}),
        _query("entry_type", {"type": "string", "enum": [entry_type.value for entry_type in LedgerEntryType]}),
        _query("project", {"type": "integer", "minimum": 1}),
        _query("page", {"type": "integer", "minimum": 1})]),
    "/api/v1/ledger/entries/{id}": _get("One ledger row", "getLedgerEntry", LEDGER_ENTRY, [ID]),
    "/api/v1/ledger/entries/{id}/reversal-requests": _post(
        "Ask for a count to be taken back (bureau): a reason of at least 10 characters and a supporting paper "
        "(PDF/JPEG/PNG); nothing changes on the ledger until a different bureau user approves",
        "requestLedgerReversal", REVERSAL_REQUEST, {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["reason", "document"], "properties": {
                "reason": {"type": "string", "minLength": 10, "maxLength": 1000}, "document": FILE}}}}},
        status="201"),
    "/api/v1/ledger/reversal-requests": _get("Reversal requests, pending first (bureau)", "listReversalRequests",
                                             _ref("LedgerReversalRequestList")),
    "/api/v1/ledger/reversal-requests/{id}/approval": _post(
        "Approve (a bureau user other than the requester): the reversal row is written", "approveLedgerReversal",
        REVERSAL_REQUEST, _body(DECISION_NOTE)),
    "/api/v1/ledger/reversal-requests/{id}/rejection": _post(
        "Reject with a note (a bureau user other than the requester): the count stands", "rejectLedgerReversal",
        REVERSAL_REQUEST, _body(DECISION_NOTE)),
    "/api/v1/ledger/reversal-requests/{id}/unit-settlement": _post(
        "The new unit's developer says whether its sale was undone (true: the unit is for sale again)",
        "settleReversedUnit", REVERSAL_REQUEST, _body({"type": "object", "required": ["sale_undone"],
                                                       "properties": {"sale_undone": {"type": "boolean"}}})),
})

PROGRESS_FILTERS = [_query("program_year", {"type": "integer", "enum": list(PROGRAM_YEARS)},
                           "default: the current year"),
                    _query("from", {"type": "string", "format": "date"}), _query("to", {"type": "string", "format": "date"}),
                    _query("district", {"type": "string"}),
                    _query("channel", CHANNEL)]

PATHS.update({
    "/api/v1/exports/progress": {"get": {
        "summary": "The reporting workbook (xlsx) or one table (csv); personal data masked by role; audited",
        "operationId": "exportProgress", "security": BEARER,
        "parameters": PROGRESS_FILTERS + [
            _query("format", {"type": "string", "enum": list(MIMETYPES)}),
            _query("table", {"type": "string", "enum": list(exports.SHEETS)}, "required with format=csv"),
            _query("stall_days", {"type": "integer", "minimum": 1, "maximum": 365})],
        "responses": {"200": {"description": "The file", "content": {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": FILE},
            "text/csv": {"schema": {"type": "string"}}}}, **_error_responses(401, 403, 422)}}},
    "/api/v1/audit-events": _get("The audit log, newest first (bureau)", "listAuditEvents", _ref("AuditEventPage"), [
        _query("actor", {"type": "string"}, "username"), _query("organization_id", {"type": "integer"}),
        _query("entity_type", {"type": "string"}), _query("entity_id", {"type": "string"}),
        _query("action", {"type": "string"}, "prefix, e.g. ledger."),
        _query("from", {"type": "string", "format": "date"}), _query("to", {"type": "string", "format": "date"}),
        _query("page", {"type": "integer", "minimum": 1})]),
    "/api/v1/audit-events/{id}": _get("One audit event with its before and after values", "getAuditEvent",
                                      _ref("AuditEvent"), [ID]),
})

PATHS.update({
    "/api/v1/notifications": _get("The caller's notifications, newest first, with the unread count",
                                  "listNotifications", _ref("NotificationPage"), [
        _query("page", {"type": "integer", "minimum": 1, "maximum": 100_000}),
        _query("per_page", {"type": "integer", "minimum": 1, "maximum": 100}),
        _query("unread_only", {"type": "string", "enum": ["true", "false"]})]),
    "/api/v1/notifications/{id}/read": {"post": {
        "summary": "Mark one of the caller's notifications read", "operationId": "readNotification",
        "security": BEARER, "parameters": [ID],
        "responses": {"200": _json(_ref("Notification"), "The notification, now read"),
                      **_error_responses(401, 404)}}},
    "/api/v1/notifications/read-all": {"post": {
        "summary": "Mark all the caller's notifications read", "operationId": "readAllNotifications",
        "security": BEARER,
        "responses": {"200": _json(_ref("NotificationsMarked"), "How many were marked"),
                      **_error_responses(401)}}},
})

TIME_TEXT = {"type": "string", "format": "date-time", "description": "ISO 8601 with its offset"}
NOTE = {"type": "string", "maxLength": 200}
VIEWING_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}


def _viewing_move(summary: str, operation: str, body: dict, response: str = "ViewingRequest") -> dict:
    return {"post": {"summary": summary, "operationId": operation, "security": BEARER, "parameters": [VIEWING_ID],
                     "requestBody": _body({"type": "object", **body}),
                     "responses": {"200": _json(_ref(response), summary),
                                   **_error_responses(401, 403, 404, 409, 422)}}}


PATHS.update({
    "/api/v1/listings/{id}/viewing-requests": {"post": {
        "summary": "Ask to view an active listing at one to three times (household; limited per day, one open per listing)",
        "operationId": "createViewingRequest", "security": BEARER, "parameters": [ID],
        "requestBody": _body({"type": "object", "required": ["times"], "properties": {
            "times": {"type": "array", "minItems": 1, "maxItems": 3, "items": TIME_TEXT}, "note": NOTE}}),
        "responses": {"201": _json(_ref("ViewingRequest"), "Requested"),
                      **_error_responses(401, 403, 404, 409, 422, 429)}}},
    "/api/v1/viewing-requests": _get("Viewing requests the caller received (owner side) or made (household)",
                                     "listViewingRequests", _ref("ViewingRequestPage"), [
        _query("side", {"type": "string", "enum": ["received", "made"]}),
        _query("status", {"type": "string", "enum": [status.value for status in ViewingStatus]}),
        _query("page", {"type": "integer", "minimum": 1, "maximum": 100_000}),
        _query("per_page", {"type": "integer", "minimum": 1, "maximum": 100})]),
    "/api/v1/viewing-requests/{id}": {"get": {
        "summary": "One viewing request with its history, as the caller's side sees it",
        "operationId": "getViewingRequest", "security": BEARER, "parameters": [VIEWING_ID],
        "responses": {"200": _json(_ref("ViewingRequest"), "The request"), **_error_responses(401, 403, 404)}}},
    "/api/v1/viewing-requests/{id}/accept": _viewing_move(
        "Accept one of the times the other side proposed", "acceptViewingRequest",
        {"required": ["time"], "properties": {"time": TIME_TEXT, "note": NOTE}}),
    "/api/v1/viewing-requests/{id}/propose": _viewing_move(
        "Propose other times instead (the other side answers next)", "proposeViewingTimes",
        {"required": ["times"], "properties": {"times": {"type": "array", "minItems": 1, "maxItems": 3,
                                                         "items": TIME_TEXT}, "note": NOTE}}),
    "/api/v1/viewing-requests/{id}/decline": _viewing_move(
        "Decline the request (owner side)", "declineViewingRequest", {"properties": {"note": NOTE}}),
    "/api/v1/viewing-requests/{id}/withdraw": _viewing_move(
        "Withdraw the request (the household that made it)", "withdrawViewingRequest", {"properties": {"note": NOTE}}),
    "/api/v1/viewing-requests/{id}/block": {"post": {
        "summary": "Take no more requests from this household (owner side); an open request is declined",
        "operationId": "blockViewingRequester", "security": BEARER, "parameters": [VIEWING_ID],
        "responses": {"200": _json(_ref("ViewingRequest"), "Blocked"), **_error_responses(401, 403, 404, 409)}}},
    "/api/v1/viewing-requests/{id}/contact": {"post": {
        "summary": "The other side's name and full phone, once a time is agreed (audited)",
        "operationId": "revealViewingContact", "security": BEARER, "parameters": [VIEWING_ID],
        "responses": {"200": _json(_ref("ViewingContact"), "The other side's contact"),
                      **_error_responses(401, 403, 404, 409)}}},
})
