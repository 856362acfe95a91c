"""Acquisition steps, market swaps and the goal ledger over the API.

Every state-changing call takes an optional ``Idempotency-Key`` header: a retry with the same
key gets the first answer back and writes nothing new.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from flask import Response, g, jsonify, request

from ..db.models import (
    Acquisition,
    GoalLedgerEntry,
    LedgerEntryType,
    LedgerReversalRequest,
    MarketSwap,
    MarketSwapStatus,
    Role,
)
from ..domain.fields import MAX_PAGE, optional_integer
from ..domain.identity import mask_certificate, mask_name
from ..security.access import roles
from ..services import acquisitions, idempotency, ledger, ledger_reversals, market_swaps
from ..services.documents import DocumentUpload
from ..services.errors import ValidationFailed
from ..services.spreadsheets import Upload
from . import api_blueprint
from .schemas import json_id, json_object
from .serializers import iso

ACQUISITION_ROLES = (Role.CITY_GROUP_OFFICER, Role.APPRAISER, Role.HOUSEHOLD, Role.BUREAU_ADMIN)
SWAP_ROLES = (Role.HOUSEHOLD, Role.AGENCY_STAFF, Role.BUREAU_ADMIN)
bureau_only = roles(Role.BUREAU_ADMIN)


def idempotent(operation: str, values: dict, files: dict[str, bytes], call: Callable[[], tuple[int, dict]]) -> Response:
    """Run ``call`` once per Idempotency-Key (when the client sends one)."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        status, body = call()
    else:
        canonical = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str).encode()
        digests = [hashlib.sha256(content).digest() for _, content in sorted(files.items())]
        status, body = idempotency.run_once(g.api_user, key, idempotency.fingerprint(
            operation.encode(), request.path.encode(), canonical, *digests), call)
    return jsonify(body), status


def request_values() -> tuple[dict, dict[str, DocumentUpload]]:
    """Fields from a JSON body, or from a multipart form with its files (for papers)."""
    if request.mimetype == "multipart/form-data":
        files = {name: DocumentUpload(f.filename or "document", f.read()) for name, f in request.files.items()}
        return request.form.to_dict(), files
    return (json_object() if request.get_data() else {}), {}


# ----- acquisitions ------------------------------------------------------------------------------

def acquisition_json(acquisition: Acquisition) -> dict:
    application = acquisition.application
    counted = ledger.live_entry_for(acquisition_id=acquisition.id)
    fields = ("inspection_on", "appraiser_org_id", "appraised_value", "appraised_on", "offer_price", "offered_on",
              "offer_expires_on", "contract_number", "contract_price", "contract_signed_on", "new_unit_id",
              "purchase_contract_number", "new_home_price", "purchased_on", "title_transferred_on", "completed_on",
              "over_quota", "cancelled_reason")
    return {
        "id": acquisition.id, "status": acquisition.status.value, "application_id": application.id,
        "old_home": {"district_code": application.old_district_code, "community": application.old_community_name,
                     "area_m2": str(application.old_area_m2),
                     "certificate_number": mask_certificate(application.old_certificate_number)},
        **{name: iso(getattr(acquisition, name)) for name in fields},
        "ledger_entry_id": counted.id if counted else None,
        "timeline": [{"status": e.status.value, "note": e.note, "at": iso(e.at)} for e in acquisition.events],
        "documents": [{"id": d.id, "kind": d.kind, "filename": d.filename, "content_type": d.content_type,
                       "size_bytes": d.size_bytes, "sha256": d.sha256, "uploaded_at": iso(d.uploaded_at)}
                      for d in acquisition.documents],
    }


@api_blueprint.get("/acquisition-queue")
@roles(Role.CITY_GROUP_OFFICER, Role.BUREAU_ADMIN)
def acquisition_queue():
    page = acquisitions.work_queue(queue_filters(request.args))
    return jsonify({"total": page.total, "page": page.page, "pages": page.pages, "items": [
        {"application_id": row.application.id, "district_code": row.application.old_district_code,
         "pilot": row.application.counts_toward_pilot, "submitted_at": iso(row.application.submitted_at),
         "days_in_queue": row.days_in_queue, "acquisition_id": row.acquisition.id if row.acquisition else None,
         "status": row.acquisition.status.value if row.acquisition else acquisitions.WAITING}
        for row in page.items]})


def queue_filters(args) -> acquisitions.QueueFilters:
    """The queue's query parameters, each refused with a reason when malformed."""
    errors: dict[str, list[str]] = {}

    def number(name: str, low: int, high: int) -> int | None:
        raw = args.get(name, "")
        if raw == "":
            return None
        value = optional_integer(raw, low, high)
        if value is None:
            errors[name] = [f"应为{low}到{high}之间的整数"]
        return value
    status = args.get("status") or None
    if status and status != acquisitions.WAITING and status not in acquisitions.STATUS_VALUES:
        errors["status"] = ["取值无效"]
    pilot = {"": None, "true": True, "false": False}.get(args.get("pilot", ""), "bad")
    if pilot == "bad":
        errors["pilot"] = ["应为 true 或 false"]
    filters = acquisitions.QueueFilters(district=args.get("district") or None, pilot=pilot, status=status,
                                        min_days=number("min_days", 0, 36_500),
                                        page=number("page", 1, MAX_PAGE) or 1)
    if errors:
        raise ValidationFailed("查询参数有误", errors)
    return filters


@api_blueprint.get("/acquisitions")
@roles(*ACQUISITION_ROLES)
def list_acquisitions():
    return jsonify({"items": [acquisition_json(a) for a in acquisitions.acquisitions_for(g.api_user)]})


@api_blueprint.post("/acquisitions")
@roles(Role.CITY_GROUP_OFFICER)
def take_in():
    body = json_object()
    application_id = json_id(body, "application_id")
    return idempotent("acquisitions.take_in", body, {},
                      lambda: (201, acquisition_json(acquisitions.take_in(application_id, g.api_user))))


@api_blueprint.get("/acquisitions/<int:acquisition_id>")
@roles(*ACQUISITION_ROLES)
def get_acquisition(acquisition_id: int):
    return jsonify(acquisition_json(acquisitions.acquisition_for_viewing(acquisition_id, g.api_user)))


@api_blueprint.get("/acquisition-documents/<int:document_id>")
@roles(*ACQUISITION_ROLES)
def download_document(document_id: int):
    document = acquisitions.document_for_viewing(document_id, g.api_user)
    return Response(document.content, mimetype=document.content_type, headers={
        "Content-Disposition": f"attachment; filename=document-{document.id}", "Cache-Control": "private, no-store"})


# Each step: the URL's last segment, who may call it, and how it reaches the service.
STEPS: dict[str, tuple[tuple[Role, ...], Callable]] = {
    "inspection": ((Role.CITY_GROUP_OFFICER,),
                   lambda id_, values, files, user: acquisitions.schedule_inspection(id_, values, user)),
    "appraisal": ((Role.APPRAISER,),
                  lambda id_, values, files, user: acquisitions.appraise(id_, values, files.get("report"), user)),
    "offer": ((Role.CITY_GROUP_OFFICER,),
              lambda id_, values, files, user: acquisitions.make_offer(id_, values, user)),
    "accept": ((Role.HOUSEHOLD,), lambda id_, values, files, user: acquisitions.answer_offer(id_, True, user)),
    "decline": ((Role.HOUSEHOLD,), lambda id_, values, files, user: acquisitions.answer_offer(id_, False, user)),
    "contract": ((Role.CITY_GROUP_OFFICER,), lambda id_, values, files, user: acquisitions.sign_contract(
        id_, values, files.get("document"), user)),
    "purchase": ((Role.CITY_GROUP_OFFICER,), lambda id_, values, files, user: acquisitions.record_purchase(
        id_, values, files.get("document"), user)),
    "title-transfer": ((Role.CITY_GROUP_OFFICER,), lambda id_, values, files, user: acquisitions.transfer_title(
        id_, values, files.get("document"), user)),
    "completion": ((Role.CITY_GROUP_OFFICER,),
                   lambda id_, values, files, user: acquisitions.complete(id_, values, user)),
    "cancellation": ((Role.CITY_GROUP_OFFICER, Role.BUREAU_ADMIN),
                     lambda id_, values, files, user: acquisitions.cancel(id_, values.get("reason", ""), user)),
}


def _step_view(step: str, allowed: tuple[Role, ...], run: Callable) -> Callable:
    @roles(*allowed)
    def view(acquisition_id: int):
        values, files = request_values()
        return idempotent(f"acquisitions.{step}", values, {n: f.content for n, f in files.items()},
                          lambda: (200, acquisition_json(run(acquisition_id, values, files, g.api_user))))
    view.__name__ = f"acquisition_{step.replace('-', '_')}"
    return view


for _step, (_allowed, _run) in STEPS.items():
    api_blueprint.add_url_rule(f"/acquisitions/<int:acquisition_id>/{_step}", methods=["POST"],
                               view_func=_step_view(_step, _allowed, _run))


# ----- market swaps ------------------------------------------------------------------------------

def market_swap_json(swap: MarketSwap, viewer_role: Role) -> dict:
    counted = ledger.live_entry_for(market_swap_id=swap.id)
    plain = ("old_district_code", "old_sale_price", "old_sale_contract_number", "old_sale_on", "new_unit_id",
             "new_project_name", "new_district_code", "new_purchase_contract_number", "new_home_price",
             "new_purchase_on", "verified_at", "rejection_reason", "contract_check_note", "application_id")
    return {
        "id": swap.id, "status": swap.status.value, **{name: iso(getattr(swap, name)) for name in plain},
        "old_certificate_number": mask_certificate(swap.old_certificate_number),
        "buyer_name": swap.buyer_name if viewer_role == Role.BUREAU_ADMIN else mask_name(swap.buyer_name),
        "rule_version": swap.rule_version.version, "ledger_entry_id": counted.id if counted else None,
    }


@api_blueprint.post("/market-swaps")
@roles(Role.HOUSEHOLD, Role.AGENCY_STAFF)
def record_market_swap():
    body = json_object()
    return idempotent("market_swaps.record", body, {}, lambda: (201, market_swap_json(
        market_swaps.record_swap(body, g.api_user), g.api_user.role)))


@api_blueprint.get("/market-swaps")
@roles(*SWAP_ROLES)
def list_market_swaps():
    raw = request.args.get("status", "")
    if raw and raw not in {s.value for s in MarketSwapStatus}:
        raise ValidationFailed("查询参数有误", {"status": ["取值无效"]})
    swaps = market_swaps.swaps_for(g.api_user, MarketSwapStatus(raw) if raw else None)
    return jsonify({"items": [market_swap_json(s, g.api_user.role) for s in swaps]})


@api_blueprint.get("/market-swaps/<int:swap_id>")
@roles(*SWAP_ROLES)
def get_market_swap(swap_id: int):
    return jsonify(market_swap_json(market_swaps.swap_for_viewing(swap_id, g.api_user), g.api_user.role))


@api_blueprint.post("/market-swaps/<int:swap_id>/verify")
@bureau_only
def verify_market_swap(swap_id: int):
    return idempotent("market_swaps.verify", {}, {}, lambda: (200, market_swap_json(
        market_swaps.verify_swap(swap_id, g.api_user), g.api_user.role)))


@api_blueprint.post("/market-swaps/<int:swap_id>/reject")
@bureau_only
def reject_market_swap(swap_id: int):
    body = json_object()
    return idempotent("market_swaps.reject", body, {}, lambda: (200, market_swap_json(
        market_swaps.reject_swap(swap_id, str(body.get("reason") or ""), g.api_user), g.api_user.role)))


@api_blueprint.post("/market-swaps/<int:swap_id>/cancel")
@roles(*SWAP_ROLES)
def cancel_market_swap(swap_id: int):
    body = json_object()
    return idempotent("market_swaps.cancel", body, {}, lambda: (200, market_swap_json(
        market_swaps.cancel_swap(swap_id, str(body.get("reason") or ""), g.api_user), g.api_user.role)))


@api_blueprint.post("/market-swaps/contract-check")
@bureau_only
def check_contract_file():
    uploaded = request.files.get("file")
    if uploaded is None or not uploaded.filename:
        raise ValidationFailed("请以 multipart 字段 file 上传CSV或XLSX文件", {"file": ["必填"]})
    upload = Upload(uploaded.filename, uploaded.read())

    def run() -> tuple[int, dict]:
        report = market_swaps.check_against_contract_file(upload, g.api_user)
        return 200, {"summary": {outcome: report.count(outcome)
                                 for outcome in ("matched", "mismatched", "missing", "conflict")},
                     "items": [{"market_swap_id": row.swap.id, "outcome": row.outcome, "reasons": row.reasons}
                               for row in report.rows]}
    return idempotent("market_swaps.contract_check", {}, {"file": upload.content}, run)


# ----- the ledger --------------------------------------------------------------------------------

def ledger_entry_json(entry: GoalLedgerEntry, reversed_ids: set[int] | None = None) -> dict:
    names = ("entry_type", "channel", "program_year", "district_code", "completed_on", "pilot", "acquisition_id",
             "market_swap_id", "new_unit_id", "reverses_entry_id", "reason", "created_at")
    if reversed_ids is None:
        reversed_ids = ledger.reversed_among([entry.id])
    return {"id": entry.id, **{name: iso(getattr(entry, name)) for name in names},
            "rule_version": entry.rule_version.version,
            # A reversal may be requested only for a count that still stands.
            "reversible": entry.entry_type == LedgerEntryType.COUNT and entry.id not in reversed_ids}


@api_blueprint.get("/ledger/entries")
@bureau_only
def list_ledger_entries():
    page = ledger.entry_page(ledger_filters(request.args))
    reversed_ids = ledger.reversed_among([e.id for e in page.items])
    return jsonify({"total": page.total, "page": page.page, "pages": page.pages,
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
    return {"id": request_.id, "status": request_.status.value, **{name: iso(getattr(request_, name)) for name in names},
            "unit_settlement": request_.unit_settlement.value if request_.unit_settlement else None}


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
    return jsonify({"items": [reversal_request_json(r) for r in ledger_reversals.requests_for_review()]})


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
