"""Market swaps over the API: recording, the bureau's verification, and the contract-file check."""
from __future__ import annotations

from flask import g, jsonify, request

from ..db.models import (
    MarketSwap,
    MarketSwapStatus,
    Role,
)
from ..domain.identity import mask_certificate, mask_name
from ..security.access import roles
from ..services import ledger, market_swaps
from ..services.errors import ValidationFailed
from ..services.spreadsheets import Upload
from . import api_blueprint, responses
from .idempotent import idempotent
from .responses import respond, shaped
from .schemas import json_object
from .serializers import iso

SWAP_ROLES = (Role.HOUSEHOLD, Role.AGENCY_STAFF, Role.BUREAU_ADMIN)
bureau_only = roles(Role.BUREAU_ADMIN)


def market_swap_json(swap: MarketSwap, viewer_role: Role) -> dict:
    counted = ledger.live_entry_for(market_swap_id=swap.id)
    plain = ("old_district_code", "old_sale_price", "old_sale_contract_number", "old_sale_on", "new_unit_id",
             "new_project_name", "new_district_code", "new_purchase_contract_number", "new_home_price",
             "new_purchase_on", "verified_at", "rejection_reason", "contract_check_note", "application_id",
             "joined_purchase", "second_unit_id", "second_project_name", "second_district_code",
             "second_purchase_contract_number", "second_home_price", "second_purchase_on")
    return shaped(responses.MarketSwap, {
        "id": swap.id, "status": swap.status.value, **{name: iso(getattr(swap, name)) for name in plain},
        "old_certificate_number": mask_certificate(swap.old_certificate_number),
        "buyer_name": swap.buyer_name if viewer_role == Role.BUREAU_ADMIN else mask_name(swap.buyer_name),
        "rule_version": swap.rule_version.version, "ledger_entry_id": counted.id if counted else None,
    })


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
    return respond(responses.MarketSwapList, {"items": [market_swap_json(s, g.api_user.role) for s in swaps]})


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
        return 200, shaped(responses.ContractCheckReport, {
            "summary": {outcome: report.count(outcome) for outcome in ("matched", "mismatched", "missing", "conflict")},
            "items": [{"market_swap_id": row.swap.id, "outcome": row.outcome, "reasons": row.reasons}
                      for row in report.rows]})
    return idempotent("market_swaps.contract_check", {}, {"file": upload.content}, run)
