"""Taking a count back takes two people (双人复核).

One bureau user asks, with a reason of at least a sentence and a supporting paper; a different
bureau user approves (the reversal row is written then) or rejects. Nobody else, and no single
person, can take a count back: officers and agencies cannot cancel a completed acquisition or a
verified market swap. What happened stays recorded: the acquisition stays completed and the
market swap keeps its verification; each gets a timeline note saying why its count no longer
stands. If the count had a new unit, its developer settles whether that sale was undone.
"""
from __future__ import annotations

import hashlib
import posixpath

from sqlalchemy import select

from ..db.base import utcnow
from ..db.models import (
    Acquisition,
    AcquisitionEvent,
    ApplicationStatus,
    GoalLedgerEntry,
    LedgerEntryType,
    LedgerReversalRequest,
    MarketSwap,
    MarketSwapStatus,
    Project,
    ReversalRequestStatus,
    Role,
    Unit,
    UnitSettlement,
    UnitStatus,
    User,
)
from ..db.models.projects import Building
from ..extensions import db
from . import ledger, projects
from .applications import add_event, move_application
from .audit import record_event
from .documents import DocumentUpload, checked_content_type
from .errors import Conflict, Forbidden, NotFound, ValidationFailed, flush_or_conflict
from .notifications import notify
from .search_outbox import enqueue
from .unit_of_work import use_case

# An auditor must be able to read why a count no longer stands: "错误" explains nothing.
MIN_REASON_CHARACTERS = 10
MAX_REASON_CHARACTERS = 1000


@use_case
def request_reversal(entry_id: int, reason: str, document: DocumentUpload | None,
                     actor: User) -> LedgerReversalRequest:
    _require_bureau(actor)
    entry = db.session.get(GoalLedgerEntry, entry_id, with_for_update=True)
    if entry is None or entry.entry_type != LedgerEntryType.COUNT:
        raise NotFound("台账计数记录不存在")
    if entry.id in ledger.reversed_among([entry.id]):
        raise Conflict("该计数已被撤销，不能再次申请撤销")
    text = _reason(reason)
    if document is None or not document.content:
        raise ValidationFailed("请上传证明材料", {"document": ["请上传撤销依据的证明材料（PDF、JPEG或PNG）"]})
    content_type = checked_content_type(document, "document")
    name = posixpath.basename(document.filename.replace("\\", "/")).strip() or "document"
    request = LedgerReversalRequest(
        entry_id=entry.id, reason=text, document_filename=name[-200:], document_content_type=content_type,
        document_sha256=hashlib.sha256(document.content).hexdigest(), document_content=document.content,
        requested_by_user_id=actor.id, status=ReversalRequestStatus.PENDING)
    db.session.add(request)
    flush_or_conflict(lambda _: "该计数已有一份待复核的撤销申请")
    record_event("ledger.reversal_request", "goal_ledger_entry", entry.id, actor=actor,
                 after={"request": request.id, "reason": text, "document_sha256": request.document_sha256})
    return request


@use_case
def approve(request_id: int, note: str, actor: User) -> LedgerReversalRequest:
    """The second person: the reversal row is written, the swap's timeline says why."""
    request = _pending_for_decision(request_id, actor)
    reversal = ledger.reverse(request.entry_id, request.reason, actor)
    _decide(request, ReversalRequestStatus.APPROVED, note, actor)
    request.reversal_entry_id = reversal.id
    if request.entry.new_unit_id is not None:
        request.unit_settlement = UnitSettlement.PENDING
    _note_on_the_swap(request.entry, request, actor)
    record_event("ledger.reversal_approve", "goal_ledger_entry", request.entry_id, actor=actor,
                 before={"request": request.id, "requested_by": request.requested_by_user_id},
                 after={"reversal_entry": reversal.id, "note": request.decision_note})
    return request


@use_case
def reject(request_id: int, note: str, actor: User) -> LedgerReversalRequest:
    request = _pending_for_decision(request_id, actor)
    if not (note or "").strip():
        raise ValidationFailed("请填写不同意撤销的理由", {"note": ["不同意撤销时须填写理由"]})
    _decide(request, ReversalRequestStatus.REJECTED, note, actor)
    record_event("ledger.reversal_reject", "goal_ledger_entry", request.entry_id, actor=actor,
                 after={"request": request.id, "note": request.decision_note})
    return request


@use_case
def settle_unit(request_id: int, sale_undone: bool, actor: User) -> LedgerReversalRequest:
    """The unit's developer says whether the new-home sale was undone; only then is it back in stock."""
    request = _locked(request_id)
    if request.entry.new_unit_id is None:
        raise NotFound("没有需要贵公司确认的撤销计数")
    unit = projects.unit_for_changing(request.entry.new_unit_id, actor)  # another company's unit: 404
    if request.unit_settlement != UnitSettlement.PENDING:
        raise Conflict("该新房的销售状态已确认，不能重复确认")
    request.unit_settlement = UnitSettlement.SALE_UNDONE if sale_undone else UnitSettlement.SALE_STANDS
    request.settled_by_user_id, request.settled_at = actor.id, utcnow()
    if sale_undone and unit.status == UnitStatus.SOLD:
        unit.status = UnitStatus.AVAILABLE
        db.session.flush()
        enqueue("unit", unit.id, unit.version)
    record_event("ledger.unit_settle", "unit", unit.id, actor=actor,
                 after={"request": request.id, "settlement": request.unit_settlement.value})
    return request


# ----- reading -----------------------------------------------------------------------------------

def requests_for_review(limit: int = 200) -> list[LedgerReversalRequest]:
    """Pending requests first (oldest first), then the latest decided ones."""
    pending = db.session.scalars(select(LedgerReversalRequest).where(
        LedgerReversalRequest.status == ReversalRequestStatus.PENDING).order_by(LedgerReversalRequest.id))
    decided = db.session.scalars(select(LedgerReversalRequest).where(
        LedgerReversalRequest.status != ReversalRequestStatus.PENDING)
        .order_by(LedgerReversalRequest.id.desc()).limit(limit))
    return [*pending, *decided]


def pending_by_entry(entry_ids: list[int]) -> dict[int, LedgerReversalRequest]:
    found = db.session.scalars(select(LedgerReversalRequest).where(
        LedgerReversalRequest.entry_id.in_(entry_ids), LedgerReversalRequest.status == ReversalRequestStatus.PENDING))
    return {request.entry_id: request for request in found}


def settlements_for(developer: User) -> list[LedgerReversalRequest]:
    """Reversed counts whose new unit belongs to the developer and awaits its word."""
    return list(db.session.scalars(
        select(LedgerReversalRequest).join(GoalLedgerEntry, GoalLedgerEntry.id == LedgerReversalRequest.entry_id)
        .join(Unit, Unit.id == GoalLedgerEntry.new_unit_id).join(Building, Building.id == Unit.building_id)
        .join(Project, Project.id == Building.project_id)
        .where(Project.developer_org_id == developer.organization_id,
               LedgerReversalRequest.unit_settlement == UnitSettlement.PENDING)
        .order_by(LedgerReversalRequest.id)))


def request_for_viewing(request_id: int, user: User) -> LedgerReversalRequest:
    _require_bureau(user)
    return _locked(request_id, for_update=False)


# ----- helpers -----------------------------------------------------------------------------------

def _pending_for_decision(request_id: int, actor: User) -> LedgerReversalRequest:
    _require_bureau(actor)
    request = _locked(request_id)
    if request.status != ReversalRequestStatus.PENDING:
        raise Conflict("该撤销申请已处理")
    if request.requested_by_user_id == actor.id:
        raise Forbidden("申请人不能复核自己的撤销申请，须由另一位住房保障局工作人员复核")
    return request


def _decide(request: LedgerReversalRequest, status: ReversalRequestStatus, note: str, actor: User) -> None:
    request.status, request.decided_by_user_id, request.decided_at = status, actor.id, utcnow()
    request.decision_note = (note or "").strip()[:MAX_REASON_CHARACTERS] or None


def _note_on_the_swap(entry: GoalLedgerEntry, request: LedgerReversalRequest, actor: User) -> None:
    note = f"目标计数已撤销（经住房保障局双人复核）：{request.reason}"
    notify(request.requested_by_user_id, "ledger_reversed", "您申请的目标计数撤销已同意", note,
           "/bureau/ledger/reversal-requests")
    if entry.acquisition_id is not None:
        acquisition = db.session.get_one(Acquisition, entry.acquisition_id)
        db.session.add(AcquisitionEvent(acquisition=acquisition, status=acquisition.status, note=note,
                                        actor_user_id=actor.id, at=utcnow()))
        add_event(acquisition.application, acquisition.application.status, note, actor)
        notify(acquisition.application.household_user_id, "ledger_reversed", "您的换房记录已被撤销计数", note,
               f"/applications/{acquisition.application_id}")
        return
    swap = db.session.get_one(MarketSwap, entry.market_swap_id, with_for_update=True)
    swap.status = MarketSwapStatus.REVERSED
    if swap.application is not None:
        notify(swap.application.household_user_id, "ledger_reversed", "您的换房记录已被撤销计数",
               note + "。如有更正后的成交，请重新登记。", f"/applications/{swap.application_id}")
        if swap.application.status == ApplicationStatus.COMPLETED:
            # The household may record the corrected sale again; its application waits for it.
            move_application(swap.application, ApplicationStatus.ELIGIBLE, note, actor)


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if len(text) < MIN_REASON_CHARACTERS:
        message = f"撤销原因须写清楚事实与依据，不少于{MIN_REASON_CHARACTERS}个字"
        raise ValidationFailed(message, {"reason": [message]})
    if len(text) > MAX_REASON_CHARACTERS:
        message = f"撤销原因不能超过{MAX_REASON_CHARACTERS}个字"
        raise ValidationFailed(message, {"reason": [message]})
    return text


def _require_bureau(user: User) -> None:
    if user.role != Role.BUREAU_ADMIN:
        raise Forbidden("只有住房保障局可以办理计数撤销")


def _locked(request_id: int, for_update: bool = True) -> LedgerReversalRequest:
    request = db.session.get(LedgerReversalRequest, request_id, with_for_update=for_update, populate_existing=True)
    if request is None:
        raise NotFound("撤销申请不存在")
    return request
