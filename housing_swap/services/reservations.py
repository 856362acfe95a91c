"""Protected reservations (锁房保留期) as use cases: propose, the three acceptances, the household's
early end or turn to the city group, and the daily expiry; and the hooks by which a recorded
market swap or city-group purchase of the held unit converts the reservation.

Each move locks the reservation row first, so two parties acting at once on two machines are
applied one after the other; the unit row is locked while it is taken or released, and partial
unique indexes keep one hold per unit and per application however proposals race. While held,
the unit is "reserved": out of search, and no other household's swap or purchase may name it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select

from ..db.base import utcnow
from ..db.models import (
    Acquisition,
    ApprovalState,
    Channel,
    MarketSwap,
    Organization,
    OrganizationKind,
    Reservation,
    ReservationStatus,
    Role,
    SwapApplication,
    Unit,
    UnitStatus,
    User,
)
from ..domain.applications import MATCHABLE
from ..domain.fields import parse_fields
from ..domain.reservations import (
    ENDED,
    HOLDING,
    NOTE_FIELD,
    RESERVATION_FIELDS,
    Move,
    MoveRefused,
    Party,
    Terms,
    acceptance_due_on,
    backstop_floor,
    check_move,
    deposit_problem,
    hold_ends_on,
    moves_for,
    terms_from,
)
from ..domain.rules import ProgramRules
from ..domain.timezones import beijing_today
from ..domain.valuation import Valuation
from ..extensions import db
from . import applications
from .audit import record_event
from .errors import Conflict, Forbidden, NotFound, ValidationFailed, flush_or_conflict
from .notifications import notify
from .rules import current_rules, latest_rules
from .search_outbox import enqueue
from .unit_of_work import use_case
from .valuation import valuation_or_none

_ACCEPTED_AT = {Party.HOUSEHOLD: "household_accepted_at", Party.DEVELOPER: "developer_accepted_at",
                Party.AGENCY: "agency_accepted_at"}
_ACCEPTED_BY = {Party.HOUSEHOLD: "household_accepted_by", Party.DEVELOPER: "developer_accepted_by",
                Party.AGENCY: "agency_accepted_by"}
READERS = (Role.BUREAU_ADMIN, Role.CITY_GROUP_OFFICER)


# ----- proposing ---------------------------------------------------------------------------------

@use_case
def propose(raw: dict, household: User) -> Reservation:
    """The household proposes the agreement (and so accepts it) and the unit is held at once."""
    if household.role != Role.HOUSEHOLD:
        raise Forbidden("只有购房家庭可以锁房")
    version, rules = current_rules(_today())
    values = _values(raw, rules)
    application = _own_application(values["application_id"], household)
    unit = _available_unit(values["unit_id"])
    agency = _operational_agency(values["agency_org_id"])
    terms = terms_from(rules, values["deposit"])
    reservation = Reservation(
        application_id=application.id, household_user_id=household.id, unit_id=unit.id,
        developer_org_id=unit.building.project.developer_org_id, agency_org_id=agency.id,
        status=ReservationStatus.PROPOSED, rule_version_id=version.id, hold_days=terms.hold_days,
        acceptance_days=terms.acceptance_days, deposit=terms.deposit, refund_percent=terms.refund_percent,
        backstop_floor=backstop_offer(application), proposed_on=_today(),
        household_accepted_at=utcnow(), household_accepted_by=household.id)
    db.session.add(reservation)
    flush_or_conflict(_taken_message)
    _set_unit(unit, UnitStatus.RESERVED)
    applications.add_event(application, application.status, f"锁房保留协议已提出：{unit_label(unit)}，等待开发企业和经纪机构确认",
              household)
    record_event("reservation.propose", "reservation", reservation.id, actor=household,
                 after={"unit_id": unit.id, "agency_org_id": agency.id, "deposit": terms.deposit,
                        "hold_days": terms.hold_days, "refund_percent": terms.refund_percent,
                        "backstop_floor": reservation.backstop_floor})
    _tell(reservation, (Party.DEVELOPER, Party.AGENCY), "收到锁房保留协议，请确认")
    return reservation


def _values(raw: dict, rules: ProgramRules) -> dict:
    """Every field's problem at once, the rule's deposit bounds among them."""
    values, errors = parse_fields(RESERVATION_FIELDS, raw)
    if values.get("accept_terms") is False:
        errors["accept_terms"] = ["请阅读并同意三方协议条款"]
    if "deposit" in values and (problem := deposit_problem(values["deposit"], rules)):
        errors["deposit"] = [problem]
    if errors:
        raise ValidationFailed("锁房信息有误", errors)
    return values


def _own_application(application_id: int, household: User) -> SwapApplication:
    application = db.session.get(SwapApplication, application_id, with_for_update=True)
    if application is None or application.household_user_id != household.id:
        raise ValidationFailed("锁房信息有误", {"application_id": ["申请不存在，或不属于您"]})
    if application.status not in MATCHABLE:
        raise Conflict("申请审核通过后、办理交易前才能锁房")
    if Channel.MARKET.value not in (application.eligible_channels or []):
        raise Conflict("锁房保留期用于在市场出售旧房期间保留新房；您的申请不符合市场交易渠道的条件")
    return application


def _available_unit(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id, with_for_update=True, populate_existing=True)
    if unit is None:
        raise ValidationFailed("锁房信息有误", {"unit_id": ["平台上没有这个房屋"]})
    if not unit.building.project.in_swap_program:
        raise Conflict("该项目未参与以旧换新，不能锁房")
    if unit.status != UnitStatus.AVAILABLE:
        raise Conflict(f"该房屋{unit.status.label}，不能锁房")
    return unit


def _operational_agency(org_id: int) -> Organization:
    agency = db.session.get(Organization, org_id)
    if agency is None or agency.kind != OrganizationKind.AGENCY or not agency.is_operational:
        raise ValidationFailed("锁房信息有误", {"agency_org_id": ["请选择一家已审核通过的经纪机构"]})
    return agency


def _taken_message(error_text: str) -> str:
    if "application" in error_text:
        return "您的这份申请已有一份进行中的锁房协议"
    return "这套房屋刚被其他家庭锁定"


def backstop_offer(application: SwapApplication, valuation: Valuation | None = None) -> int | None:
    """The city group's indicative floor for this household's old home, if it qualifies and can be
    valued (pass the valuation when the caller has it already: valuing is not free)."""
    if Channel.CITY_GROUP.value not in (application.eligible_channels or []):
        return None
    valuation = valuation or valuation_or_none(application)
    return None if valuation is None else backstop_floor(valuation.low, latest_rules()[1])


# ----- the parties' moves ------------------------------------------------------------------------

@use_case
def act(reservation_id: int, move: Move, user: User, note: str = "") -> Reservation:
    reservation = _locked(reservation_id)
    party = party_of(reservation, user)
    if party is None:
        raise Forbidden("您不是这份锁房协议的当事方")
    try:
        check_move(reservation.status, party, accepted_parties(reservation), move, may_turn_to_city_group(reservation))
    except MoveRefused as refused:
        raise Conflict(refused.message) from None
    before = reservation.status
    {Move.ACCEPT: _accept, Move.WITHDRAW: _withdraw, Move.END: _end_early,
     Move.CITY_GROUP: _turn_to_city_group}[move](reservation, party, user, _checked_note(note))
    if reservation.status not in ENDED:   # an ending is audited where it is made (_finish)
        record_event(f"reservation.{move.value}", "reservation", reservation.id, actor=user,
                     before={"status": before.value}, after={"status": reservation.status.value, "party": party.value})
    return reservation


def _accept(reservation: Reservation, party: Party, user: User, note: str) -> None:
    setattr(reservation, _ACCEPTED_AT[party], utcnow())
    setattr(reservation, _ACCEPTED_BY[party], user.id)
    if accepted_parties(reservation) != frozenset(Party):
        _tell(reservation, _others(party), f"{party.label}已确认锁房保留协议")
        return
    today = _today()
    reservation.status = ReservationStatus.ACTIVE
    reservation.hold_starts_on, reservation.hold_ends_on = today, hold_ends_on(today, reservation.hold_days)
    applications.add_event(reservation.application, reservation.application.status,
              f"锁房保留协议三方已确认，保留至{reservation.hold_ends_on.isoformat()}", user)
    _tell(reservation, tuple(Party), f"锁房保留期开始，保留至{reservation.hold_ends_on.isoformat()}")


def _withdraw(reservation: Reservation, party: Party, user: User, note: str) -> None:
    _finish(reservation, ReservationStatus.WITHDRAWN, reservation.deposit, note or f"{party.label}撤回", user)


def _end_early(reservation: Reservation, party: Party, user: User, note: str) -> None:
    _finish(reservation, ReservationStatus.REFUNDED, terms_of(reservation).refund, note or "家庭提前结束保留", user)


def _turn_to_city_group(reservation: Reservation, party: Party, user: User, note: str) -> None:
    """The unit stays held while the city group buys the old home at no less than the floor."""
    reservation.status, reservation.end_note = ReservationStatus.CITY_GROUP, note
    applications.add_event(reservation.application, reservation.application.status,
              f"旧房转由城发集团收购，保底价{reservation.backstop_floor:,}元（以评估为准），新房继续保留", user)
    _tell(reservation, (Party.DEVELOPER, Party.AGENCY), "家庭已转由城发集团收购旧房，新房继续保留")


def _checked_note(note: str) -> str:
    values, errors = parse_fields((NOTE_FIELD,), {"note": note or ""})
    if errors:
        raise ValidationFailed(errors["note"][0], errors)
    return values["note"] or ""


# ----- ending by the calendar --------------------------------------------------------------------

@use_case
def expire_due(today: date | None = None) -> dict[str, int]:
    """Daily: holds past their last day end with the refund; proposals not accepted in time lapse."""
    today = today or _today()
    ended = {"refunded": 0, "lapsed": 0}
    due = db.session.scalars(select(Reservation).where(or_(
        (Reservation.status == ReservationStatus.ACTIVE) & (Reservation.hold_ends_on < today),
        Reservation.status == ReservationStatus.PROPOSED)).order_by(Reservation.id).with_for_update(skip_locked=True))
    for reservation in due:
        if reservation.status == ReservationStatus.ACTIVE:
            _finish(reservation, ReservationStatus.REFUNDED, terms_of(reservation).refund,
                    "保留期满旧房未售出，保留结束", None)
            ended["refunded"] += 1
        elif acceptance_due_on(reservation.proposed_on, reservation.acceptance_days) < today:
            _finish(reservation, ReservationStatus.LAPSED, reservation.deposit, "未在期限内获得三方确认", None)
            ended["lapsed"] += 1
    return ended


def _finish(reservation: Reservation, status: ReservationStatus, refund: int, note: str, actor: User | None) -> None:
    """End the hold: the refund recorded, the unit back in stock."""
    reservation.status, reservation.refund_amount = status, refund
    reservation.ended_at, reservation.end_note = utcnow(), note[:500]
    unit = reservation.unit
    db.session.refresh(unit, with_for_update=True)
    if unit.status == UnitStatus.RESERVED:
        _set_unit(unit, UnitStatus.AVAILABLE)
    applications.add_event(reservation.application, reservation.application.status,
              f"锁房保留{status.label}：{note}；退还定金{refund:,}元", actor)
    record_event(f"reservation.{status.value}", "reservation", reservation.id, actor=actor,
                 after={"status": status.value, "refund_amount": refund, "note": reservation.end_note})
    _tell(reservation, tuple(Party), f"锁房保留{status.label}，退还定金{refund:,}元")


# ----- the deal that converts it -----------------------------------------------------------------

def holding_for(unit_id: int) -> Reservation | None:
    return db.session.scalar(select(Reservation).where(Reservation.unit_id == unit_id,
                                                       Reservation.status.in_(HOLDING)).with_for_update())


def refuse_if_held(unit_id: int, message: str) -> None:
    """For the developer's own status changes: a held unit moves only with its agreement."""
    if holding_for(unit_id) is not None:
        raise Conflict(message)


def convert_for(unit_id: int, household_user_id: int, actor: User, *, market_swap: MarketSwap | None = None,
                acquisition: Acquisition | None = None) -> None:
    """A swap or purchase names a unit: refused when another household holds it; the household's
    own hold becomes the deal."""
    reservation = holding_for(unit_id)
    if reservation is None:
        return
    if reservation.household_user_id != household_user_id:
        raise Conflict("该新房在另一户家庭的锁房保留期内，不能用于其他家庭的换房")
    before = reservation.status
    reservation.status, reservation.ended_at = ReservationStatus.CONVERTED, utcnow()
    reservation.market_swap_id = market_swap.id if market_swap else None
    reservation.acquisition_id = acquisition.id if acquisition else None
    reservation.end_note = "旧房已售出并登记购买该新房" if market_swap else "城发集团收购中已登记购买该新房"
    record_event("reservation.convert", "reservation", reservation.id, actor=actor,
                 before={"status": before.value}, after={"status": reservation.status.value,
                                                         "market_swap_id": reservation.market_swap_id,
                                                         "acquisition_id": reservation.acquisition_id})
    _tell(reservation, tuple(Party), "锁房保留已转为成交")


def reopen_after_swap_closed(swap: MarketSwap, actor: User) -> None:
    """A converting swap rejected or withdrawn before it counted: the hold resumes, or ends if it ran out."""
    reservation = db.session.scalar(select(Reservation).where(
        Reservation.market_swap_id == swap.id, Reservation.status == ReservationStatus.CONVERTED).with_for_update())
    if reservation is None:
        return
    reservation.market_swap_id, reservation.ended_at = None, None
    if reservation.hold_ends_on is not None and reservation.hold_ends_on >= _today():
        reservation.status, reservation.end_note = ReservationStatus.ACTIVE, ""
        record_event("reservation.reopen", "reservation", reservation.id, actor=actor,
                     after={"status": reservation.status.value})
        return
    _finish(reservation, ReservationStatus.REFUNDED, terms_of(reservation).refund,
            "市场交易记录未通过且保留期已满，保留结束", actor)


def release_for_acquisition(acquisition: Acquisition, actor: User) -> None:
    """A cancelled city-group acquisition ends the hold it was carrying, with the refund."""
    reservation = db.session.scalar(select(Reservation).where(
        Reservation.application_id == acquisition.application_id,
        Reservation.status == ReservationStatus.CITY_GROUP).with_for_update())
    if reservation is not None:
        _finish(reservation, ReservationStatus.REFUNDED, terms_of(reservation).refund, "城发集团收购已取消", actor)


def release_for_application(application: SwapApplication, actor: User) -> None:
    """An application withdrawn while its hold is on ends the hold, with the refund its state allows."""
    reservation = db.session.scalar(select(Reservation).where(
        Reservation.application_id == application.id, Reservation.status.in_(HOLDING)).with_for_update())
    if reservation is None:
        return
    if reservation.status == ReservationStatus.PROPOSED:
        _finish(reservation, ReservationStatus.WITHDRAWN, reservation.deposit, "申请已撤回", actor)
    else:
        _finish(reservation, ReservationStatus.REFUNDED, terms_of(reservation).refund, "申请已撤回", actor)


def floor_for(application_id: int) -> int | None:
    """The backstop floor the city group's offer must meet, when the household turned to it from a hold."""
    return db.session.scalar(select(Reservation.backstop_floor).where(
        Reservation.application_id == application_id, Reservation.status == ReservationStatus.CITY_GROUP))


# ----- reading -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReservationView:
    reservation: Reservation
    party: Party | None            # the reader's party, None for the bureau and the city group
    moves: tuple[Move, ...]
    terms: Terms
    acceptance_due_on: date


def reservation_for(reservation_id: int, user: User) -> ReservationView:
    reservation = db.session.get(Reservation, reservation_id)
    party = party_of(reservation, user) if reservation else None
    if reservation is None or (party is None and user.role not in READERS):
        raise NotFound("锁房协议不存在，或您无权查看")
    moves = () if party is None else moves_for(reservation.status, party, accepted_parties(reservation),
                                               may_turn_to_city_group(reservation))
    return ReservationView(reservation, party, moves, terms_of(reservation),
                           acceptance_due_on(reservation.proposed_on, reservation.acceptance_days))


def reservations_for(user: User, status: ReservationStatus | None = None, limit: int = 200) -> list[Reservation]:
    query = select(Reservation).order_by(Reservation.id.desc()).limit(limit)
    if user.role == Role.HOUSEHOLD:
        query = query.where(Reservation.household_user_id == user.id)
    elif user.role == Role.DEVELOPER_STAFF:
        query = query.where(Reservation.developer_org_id == user.organization_id)
    elif user.role == Role.AGENCY_STAFF:
        query = query.where(Reservation.agency_org_id == user.organization_id)
    elif user.role not in READERS:
        raise Forbidden("您无权查看锁房协议")
    if status is not None:
        query = query.where(Reservation.status == status)
    return list(db.session.scalars(query))


def holding_of(application_id: int) -> Reservation | None:
    return db.session.scalar(select(Reservation).where(Reservation.application_id == application_id,
                                                       Reservation.status.in_(HOLDING)))


def party_of(reservation: Reservation, user: User | None) -> Party | None:
    if user is None or not user.is_authenticated:
        return None
    if user.id == reservation.household_user_id:
        return Party.HOUSEHOLD
    if user.role == Role.DEVELOPER_STAFF and user.organization_id == reservation.developer_org_id:
        return Party.DEVELOPER
    if user.role == Role.AGENCY_STAFF and user.organization_id == reservation.agency_org_id:
        return Party.AGENCY
    return None


def accepted_parties(reservation: Reservation) -> frozenset[Party]:
    return frozenset(party for party, name in _ACCEPTED_AT.items() if getattr(reservation, name) is not None)


def may_turn_to_city_group(reservation: Reservation) -> bool:
    return reservation.backstop_floor is not None


def terms_of(reservation: Reservation) -> Terms:
    return Terms(reservation.hold_days, reservation.deposit, reservation.refund_percent, reservation.acceptance_days)


def unit_to_reserve(unit_id: int) -> Unit:
    """For the reservation form: the unit it is about (whether it may be reserved is checked on proposing)."""
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("房屋不存在")
    return unit


def unit_label(unit: Unit) -> str:
    building = unit.building
    return f"{building.project.name}{building.name}{unit.room}"


def operational_agencies() -> list[Organization]:
    return list(db.session.scalars(select(Organization).where(
        Organization.kind == OrganizationKind.AGENCY, Organization.approval_state == ApprovalState.APPROVED)
        .order_by(Organization.name)))


# ----- helpers -----------------------------------------------------------------------------------

def _locked(reservation_id: int) -> Reservation:
    reservation = db.session.get(Reservation, reservation_id, with_for_update=True, populate_existing=True)
    if reservation is None:
        raise NotFound("锁房协议不存在，或您无权查看")
    return reservation


def _set_unit(unit: Unit, status: UnitStatus) -> None:
    unit.status = status
    db.session.flush()
    enqueue("unit", unit.id, unit.version)


def _today() -> date:
    return beijing_today()


def _others(party: Party) -> tuple[Party, ...]:
    return tuple(other for other in Party if other != party)


def _tell(reservation: Reservation, parties: tuple[Party, ...], news: str) -> None:
    title = f"{news}：{unit_label(reservation.unit)}"
    body = f"锁房保留协议（定金{reservation.deposit:,}元），状态：{reservation.status.label}"
    link = f"/reservations/{reservation.id}"
    for user_id in _recipients(reservation, parties):
        notify(user_id, "reservation", title, body, link)


def _recipients(reservation: Reservation, parties: tuple[Party, ...]) -> list[int]:
    found = [reservation.household_user_id] if Party.HOUSEHOLD in parties else []
    orgs = [org for party, org in ((Party.DEVELOPER, reservation.developer_org_id),
                                   (Party.AGENCY, reservation.agency_org_id)) if party in parties]
    if orgs:
        found += db.session.scalars(select(User.id).where(User.organization_id.in_(orgs), User.enabled)
                                    .order_by(User.id)).all()
    return found
