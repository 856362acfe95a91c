"""The goal ledger over the API: its rows and the two-person reversal requests."""
from __future__ import annotations

from flask import Response, g, jsonify, request

from ..db.models import (
    GoalLedgerEntry,
    LedgerEntryType,
    LedgerReversalRequest,
    Role,
)
from ..security.access import roles
from ..services import ledger, ledger_reversals
from ..services.errors import ValidationFailed
from . import api_blueprint, responses
from .idempotent import idempotent
from .responses import respond, shaped
from .schemas import json_object, request_values
from .serializers import iso

bureau_only = roles(Role.BUREAU_ADMIN)


def ledger_entry_json(entry: GoalLedgerEntry, reversed_ids: set[int] | None = None) -> dict:
    names = ("entry_type", "channel", "program_year", "district_code", "completed_on", "pilot", "acquisition_id",
             "market_swap_id", "new_unit_id", "reverses_entry_id", "reason", "created_at")
    if reversed_ids is None:
        reversed_ids = ledger.reversed_among([entry.id])
    return shaped(responses.LedgerEntry, {
        "id": entry.id, **{name: iso(getattr(entry, name)) for name in names},
        "rule_version": entry.rule_version.version,
        # A reversal may be requested only for a count that still stands.
        "reversible": entry.entry_type == LedgerEntryType.COUNT and entry.id not in reversed_ids})


@api_blueprint.get("/ledger/entries")
@bureau_only
def list_ledger_entries():
    page = ledger.entry_page(ledger_filters(request.args))
    reversed_ids = ledger.reversed_among([e.id for e in page.items])
    return respond(responses.LedgerEntryPage, {"total": page.total, "page": page.page, "pages": page.pages,
                                               "items": [ledger_entry_json(e, reversed_ids) for e in page.items]})


def ledger_filters(args) -> ledger.EntryFilters:
    values, errors = ledger.parse_entry_filters(args.to_dict())
    if errors:
        raise ValidationFailed("查询参数有误", errors)
    return values


@api_blueprint.get("/ledger/entries/<int:entry_id>")
@bureau_only
def get_ledger_entry(entry_id: int):
    return jsonify(ledger_entry_json(ledger.entry(entry_id)))


def reversal_request_json(request_: LedgerReversalRequest) -> dict:
    names = ("entry_id", "reason", "document_filename", "document_sha256", "requested_by_user_id", "requested_at",
             "decided_by_user_id", "decided_at", "decision_note", "reversal_entry_id", "settled_at")
    return shaped(responses.LedgerReversalRequest, {
        "id": request_.id, "status": request_.status.value, **{name: iso(getattr(request_, name)) for name in names},
        "unit_settlement": request_.unit_settlement.value if request_.unit_settlement else None})


@api_blueprint.post("/ledger/entries/<int:entry_id>/reversal-requests")
@bureau_only
def request_ledger_reversal(entry_id: int):
    values, files = request_values()
    return idempotent("ledger.reversal_request", values, {n: f.content for n, f in files.items()},
                      lambda: (201, reversal_request_json(ledger_reversals.request_reversal(
                          entry_id, str(values.get("reason") or ""), files.get("document"), g.api_user))))


@api_blueprint.get("/ledger/reversal-requests")
@bureau_only
def list_reversal_requests():
    return respond(responses.LedgerReversalRequestList,
                   {"items": [reversal_request_json(r) for r in ledger_reversals.requests_for_review()]})


@api_blueprint.post("/ledger/reversal-requests/<int:request_id>/approval")
@bureau_only
def approve_ledger_reversal(request_id: int):
    return _decide_reversal("approval", ledger_reversals.approve, request_id)


@api_blueprint.post("/ledger/reversal-requests/<int:request_id>/rejection")
@bureau_only
def reject_ledger_reversal(request_id: int):
    return _decide_reversal("rejection", ledger_reversals.reject, request_id)


def _decide_reversal(decision: str, decide, request_id: int) -> Response:
    body = json_object() if request.get_data() else {}
    return idempotent(f"ledger.reversal_{decision}", body, {}, lambda: (200, reversal_request_json(
        decide(request_id, str(body.get("note") or ""), g.api_user))))


@api_blueprint.post("/ledger/reversal-requests/<int:request_id>/unit-settlement")
@roles(Role.DEVELOPER_STAFF)
def settle_reversed_unit(request_id: int):
    body = json_object()
    if not isinstance(body.get("sale_undone"), bool):
        raise ValidationFailed("请说明新房销售是否已撤销", {"sale_undone": ["应为 true 或 false"]})
    return idempotent("ledger.unit_settlement", body, {}, lambda: (200, reversal_request_json(
        ledger_reversals.settle_unit(request_id, body["sale_undone"], g.api_user))))
