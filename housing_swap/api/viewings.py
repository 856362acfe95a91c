"""Viewing requests (预约看房) over the API: the same requests, moves and limits as the pages.
Times are ISO 8601 with their offset; they are answered in UTC."""
from __future__ import annotations

from datetime import datetime

from flask import g, request

from ..db.models import Role, ViewingRequest
from ..domain.identity import mask_name, mask_phone
from ..domain.viewings import Move, Side, ViewingStatus, moves_for
from ..security.access import roles
from ..services import viewings
from ..services.errors import ValidationFailed
from . import api_blueprint, responses
from .responses import respond
from .schemas import json_object, paging_args

both_sides = roles(Role.HOUSEHOLD, Role.AGENCY_STAFF)


@api_blueprint.post("/listings/<int:listing_id>/viewing-requests")
@roles(Role.HOUSEHOLD)
def create_viewing_request(listing_id: int):
    body = json_object()
    viewing = viewings.request_viewing(listing_id, _times(body.get("times")), _note(body), g.api_user)
    return respond(responses.ViewingRequest, viewing_json(viewing, Side.HOUSEHOLD), 201)


@api_blueprint.get("/viewing-requests")
@both_sides
def list_viewing_requests():
    page, per_page = paging_args()
    side = request.args.get("side", "received")
    if side not in ("made", "received") or (side == "made" and g.api_user.role != Role.HOUSEHOLD):
        raise ValidationFailed("参数有误", {"side": ["只能是 received，或（购房家庭）made"]})
    status = request.args.get("status")
    if status is not None and status not in ViewingStatus.labels():
        raise ValidationFailed("参数有误", {"status": [f"应为 {', '.join(ViewingStatus.labels())} 之一"]})
    found = (viewings.requests_made_by(g.api_user, page, per_page) if side == "made" else
             viewings.requests_received_by(g.api_user, ViewingStatus(status) if status else None, page, per_page))
    reader = Side.HOUSEHOLD if side == "made" else Side.OWNER_SIDE
    return respond(responses.ViewingRequestPage, {
        "total": found.total, "page": found.page, "pages": found.pages,
        "items": [viewing_json(item, reader) for item in found.items]})


@api_blueprint.get("/viewing-requests/<int:request_id>")
@both_sides
def get_viewing_request(request_id: int):
    viewing, side = viewings.viewing_for(request_id, g.api_user)
    return respond(responses.ViewingRequest, viewing_json(viewing, side))


def _move_view(move: Move):
    """One endpoint per move (accept, propose, decline, withdraw), each in the OpenAPI document."""
    def view(request_id: int):
        body = json_object()
        if move == Move.ACCEPT:
            if not isinstance(body.get("time"), str):
                raise ValidationFailed("请给出要确认的时间 time（对方提出的时间之一）", {"time": ["必填，带时区的时间文本"]})
            times = _times([body["time"]])
        else:
            times = _times(body.get("times")) if move == Move.PROPOSE else []
        viewing = viewings.answer(request_id, viewings.Answer(move, tuple(times), _note(body)), g.api_user)
        return respond(responses.ViewingRequest, viewing_json(viewing, viewings.side_of(viewing, g.api_user)))
    view.__name__ = f"viewing_{move.value}"
    return both_sides(view)


for _move in (Move.ACCEPT, Move.PROPOSE, Move.DECLINE, Move.WITHDRAW):
    api_blueprint.add_url_rule(f"/viewing-requests/<int:request_id>/{_move.value}", methods=["POST"],
                               view_func=_move_view(_move))


@api_blueprint.post("/viewing-requests/<int:request_id>/block")
@both_sides
def block_viewing_requester(request_id: int):
    viewing = viewings.block_requester(request_id, g.api_user)
    return respond(responses.ViewingRequest, viewing_json(viewing, Side.OWNER_SIDE))


@api_blueprint.post("/viewing-requests/<int:request_id>/contact")
@both_sides
def reveal_viewing_contact(request_id: int):
    contact = viewings.reveal_contact(request_id, g.api_user)
    return respond(responses.ViewingContact, {"name": contact.name, "phone": contact.phone})


def viewing_json(viewing: ViewingRequest, side: Side | None) -> dict:
    listing = viewing.listing
    reader = side or Side.HOUSEHOLD
    if reader == Side.OWNER_SIDE:
        other_name, other_phone = mask_name(viewing.requester.real_name), mask_phone(viewing.requester.phone or "")
    else:
        other_name, other_phone = listing.contact_name, mask_phone(listing.contact_phone)
    return {
        "id": viewing.id, "listing_id": listing.id,
        "listing_title": f"{listing.community.name} {listing.bedrooms}室{listing.living_rooms}厅 {listing.area_m2}㎡",
        "status": viewing.status.value, "status_label": viewing.status.label, "side": reader.value,
        "proposed_times": viewing.proposed_times,
        "agreed_time": _iso(viewing.agreed_time), "answer_due_at": _iso(viewing.answer_due_at),
        "note": viewing.note, "other_party_name": other_name, "other_party_phone": other_phone,
        "moves": [move.value for move in moves_for(viewing.status, reader)],
        "history": [{"move": event.move, "label": Move(event.move).label, "by": _by(viewing, event.actor_user_id),
                     "times": event.times, "note": event.note, "occurred_at": event.occurred_at.isoformat()}
                    for event in viewing.events],
        "created_at": viewing.created_at.isoformat(), "updated_at": viewing.updated_at.isoformat(),
    }


def _by(viewing: ViewingRequest, actor_user_id: int | None) -> str:
    if actor_user_id is None:
        return "system"
    return Side.HOUSEHOLD.value if actor_user_id == viewing.requester_user_id else Side.OWNER_SIDE.value


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _times(raw: object) -> list[datetime]:
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise ValidationFailed("times 应为带时区的时间文本数组", {"times": ["应为字符串数组，例如 [\"2026-12-05T14:30:00+08:00\"]"]})
    return viewings.parsed_times(raw, naive_is_beijing=False)


def _note(body: dict) -> str:
    note = body.get("note", "")
    if not isinstance(note, str):
        raise ValidationFailed("note 应为字符串", {"note": ["应为字符串"]})
    return note
