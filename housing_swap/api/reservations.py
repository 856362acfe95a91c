"""Protected reservations (锁房保留期) over the API: the same agreement, moves and rules as the pages."""
from __future__ import annotations

from datetime import date, datetime

from flask import g, request

from ..db.models import Reservation, Role
from ..domain.districts import DISTRICTS_BY_CODE
from ..domain.identity import mask_name
from ..domain.reservations import Move, Party, ReservationStatus
from ..domain.rules import PROGRAM_YEARS
from ..security.access import roles
from ..services import monitoring, reservations
from ..services.errors import ValidationFailed
from ..services.progress import parse_progress_filters
from . import api_blueprint, responses
from .responses import respond
from .schemas import json_object

parties_and_readers = roles(Role.HOUSEHOLD, Role.DEVELOPER_STAFF, Role.AGENCY_STAFF, Role.BUREAU_ADMIN,
                            Role.CITY_GROUP_OFFICER)
MOVE_PATHS = {Move.ACCEPT: "accept", Move.WITHDRAW: "withdraw", Move.END: "end", Move.CITY_GROUP: "city-group"}


@api_blueprint.post("/reservations")
@roles(Role.HOUSEHOLD)
def create_reservation():
    reservation = reservations.propose(json_object(), g.api_user)
    return respond(responses.Reservation, reservation_json(reservations.reservation_for(reservation.id, g.api_user)),
                   201)


@api_blueprint.get("/reservations")
@parties_and_readers
def list_reservations():
    status = request.args.get("status")
    if status is not None and status not in ReservationStatus.labels():
        raise ValidationFailed("参数有误", {"status": [f"应为 {', '.join(ReservationStatus.labels())} 之一"]})
    found = reservations.reservations_for(g.api_user, ReservationStatus(status) if status else None)
    return respond(responses.ReservationList, {"items": [
        reservation_json(reservations.reservation_for(item.id, g.api_user)) for item in found]})


@api_blueprint.get("/reservation-counts")
@roles(Role.BUREAU_ADMIN, Role.CITY_GROUP_OFFICER)
def reservation_counts():
    """The dashboard's reservation figures under the dashboard's filters: by state, district and channel."""
    if request.args.get("program_year") is None:
        raise ValidationFailed("参数有误", {"program_year": [f"应为{PROGRAM_YEARS[0]}到{PROGRAM_YEARS[-1]}之间的年份"]})
    filters = parse_progress_filters(request.args.to_dict())
    counts = monitoring.reservation_counts(filters)
    return respond(responses.ReservationCounts, {
        "program_year": filters.program_year, "counts": _labelled(counts.total),
        "by_district": [{"code": code, "name": DISTRICTS_BY_CODE[code].name, "counts": _labelled(by_status)}
                        for code, by_status in counts.by_district],
        "by_channel": {channel.value: _labelled(by_status) for channel, by_status in counts.by_channel.items()}})


def _labelled(by_status: dict[ReservationStatus, int]) -> dict:
    return {status.value: {"label": status.label, "count": count} for status, count in by_status.items()}


@api_blueprint.get("/reservations/<int:reservation_id>")
@parties_and_readers
def get_reservation(reservation_id: int):
    return respond(responses.Reservation, reservation_json(reservations.reservation_for(reservation_id, g.api_user)))


def _move_view(move: Move):
    def view(reservation_id: int):
        body = json_object() if request.get_data() else {}
        note = body.get("note", "")
        if not isinstance(note, str):
            raise ValidationFailed("note 应为字符串", {"note": ["应为字符串"]})
        reservations.act(reservation_id, move, g.api_user, note)
        return respond(responses.Reservation,
                       reservation_json(reservations.reservation_for(reservation_id, g.api_user)))
    view.__name__ = f"reservation_{move.value}"
    return parties_and_readers(view)


for _move, _path in MOVE_PATHS.items():
    api_blueprint.add_url_rule(f"/reservations/<int:reservation_id>/{_path}", methods=["POST"],
                               view_func=_move_view(_move))


def reservation_json(view: reservations.ReservationView) -> dict:
    reservation: Reservation = view.reservation
    return {
        "id": reservation.id, "application_id": reservation.application_id, "unit_id": reservation.unit_id,
        "unit_label": reservations.unit_label(reservation.unit), "unit_price": reservation.unit.list_price,
        "household_name": mask_name(reservation.household.real_name),
        "developer_name": reservation.developer.name, "agency_name": reservation.agency.name,
        "status": reservation.status.value, "status_label": reservation.status.label,
        "deposit": reservation.deposit, "hold_days": reservation.hold_days,
        "refund_percent": reservation.refund_percent, "refund_if_unsold": view.terms.refund,
        "terms": view.terms.text(), "backstop_floor": reservation.backstop_floor,
        "proposed_on": _day(reservation.proposed_on), "acceptance_due_on": _day(view.acceptance_due_on),
        "acceptances": [{"party": party.value, "label": party.label,
                         "accepted_at": _moment(getattr(reservation, f"{party.value}_accepted_at"))}
                        for party in Party],
        "hold_starts_on": _day(reservation.hold_starts_on), "hold_ends_on": _day(reservation.hold_ends_on),
        "ended_at": _moment(reservation.ended_at), "end_note": reservation.end_note,
        "refund_amount": reservation.refund_amount, "market_swap_id": reservation.market_swap_id,
        "acquisition_id": reservation.acquisition_id,
        "your_party": view.party.value if view.party else None,
        "moves": [MOVE_PATHS[move] for move in view.moves],
    }


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _moment(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
