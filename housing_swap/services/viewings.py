"""Viewing requests (预约看房): a household asks to see a listing, the owner side answers.

The owner side is the listing's owning household, or the staff of the agency that manages it
(domain/viewings.py has who may make which move). Each request lives in one row, locked while a
move is made, so two staff answering at once cannot both accept; its history is kept in
``viewing_event`` rows that both sides read. Phone numbers stay masked until a time is agreed;
then each side may ask to see the other's number, and every such reveal is audited.

Limits against spam: a household makes at most ``VIEWING_REQUESTS_PER_DAY`` requests a Beijing
day (counted under a lock on the household's row, so two machines cannot both pass the limit),
has one open request per listing (a partial unique index), and cannot ask an owner side that
blocked it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select

from ..db.base import insert_unless_present, utcnow
from ..db.models import Listing, ListingStatus, Role, User, ViewingBlock, ViewingEvent, ViewingRequest
from ..domain.identity import mask_phone
from ..domain.listing_lifecycle import Actor
from ..domain.text import control_character_problem
from ..domain.timezones import SHANGHAI, beijing_date
from ..domain.viewings import (
    NOTE_LENGTH,
    OPEN_STATES,
    Move,
    MoveRefused,
    Side,
    TimeWindow,
    ViewingStatus,
    after_move,
    all_times_past,
    answer_due,
    checked_times,
    parsed_time,
)
from ..extensions import db
from .audit import record_event
from .errors import Conflict, Forbidden, NotFound, ValidationFailed
from .listings import actor_for
from .notifications import notify
from .pagination import Page, paginate
from .rate_limits import TooManyAttempts
from .unit_of_work import use_case


@dataclass(frozen=True)
class Answer:
    """A move on an open request: the time accepted, or the times proposed instead, and a note."""
    move: Move
    times: tuple[datetime, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str


# ----- asking ------------------------------------------------------------------------------------

@use_case
def request_viewing(listing_id: int, times: list[datetime], note: str, user: User) -> ViewingRequest:
    if user.role != Role.HOUSEHOLD:
        raise Forbidden("只有购房家庭可以预约看房")
    listing = db.session.get(Listing, listing_id)
    if listing is None or not listing.is_public:
        raise NotFound("房源不存在或未公开")
    if listing.status != ListingStatus.ACTIVE:
        raise Conflict("这套房源目前不在售，不能预约看房")
    if actor_for(listing, user) is not None:
        raise Conflict("这是您自己的房源，无需预约看房")
    clean_note = _checked_note(note)
    proposed = _checked(times)
    db.session.refresh(user, with_for_update=True)  # one household's requests are counted one at a time
    _check_not_blocked(listing, user)
    _check_daily_limit(user)
    _check_no_open_request(listing, user)
    now = utcnow()
    viewing = ViewingRequest(listing=listing, requester_user_id=user.id, status=ViewingStatus.AWAITING_OWNER,
                             proposed_times=_iso(proposed), note=clean_note,
                             answer_due_at=answer_due(now, proposed, _answer_time()))
    db.session.add(viewing)
    viewing.events.append(ViewingEvent(actor_user_id=user.id, move=Move.REQUEST.value, times=_iso(proposed),
                                       note=clean_note))
    db.session.flush()
    record_event("viewing.request", "viewing_request", viewing.id, actor=user,
                 after={"listing_id": listing.id, "times": _iso(proposed)})
    _tell(viewing, Side.HOUSEHOLD, Move.REQUEST)
    return viewing


def _check_not_blocked(listing: Listing, user: User) -> None:
    blocked = db.session.scalar(select(ViewingBlock.id).where(
        ViewingBlock.owner_scope == owner_scope(listing), ViewingBlock.blocked_user_id == user.id))
    if blocked is not None:
        raise Forbidden("房源方暂不接受您的看房预约")


def _check_daily_limit(user: User) -> None:
    limit = current_app.config["VIEWING_REQUESTS_PER_DAY"]
    midnight = datetime.combine(beijing_date(utcnow()), time(), SHANGHAI).astimezone(UTC)
    made = db.session.scalar(select(func.count()).select_from(ViewingRequest).where(
        ViewingRequest.requester_user_id == user.id, ViewingRequest.created_at >= midnight))
    if made >= limit:
        raise TooManyAttempts(f"每天最多预约{limit}次看房，请明天再试")


def _check_no_open_request(listing: Listing, user: User) -> None:
    open_one = db.session.scalar(select(ViewingRequest.id).where(
        ViewingRequest.listing_id == listing.id, ViewingRequest.requester_user_id == user.id,
        ViewingRequest.status.in_(OPEN_STATES)))
    if open_one is not None:
        raise Conflict("您已预约过这套房源，请在“看房预约”中查看或撤回后再约", {"viewing_request_id": open_one})


# ----- answering ---------------------------------------------------------------------------------

@use_case
def answer(request_id: int, reply: Answer, user: User) -> ViewingRequest:
    """Accept a time, propose others, decline or withdraw: the move the domain allows this side."""
    viewing, side = _locked_for(request_id, user)
    clean_note = _checked_note(reply.note)
    status = _after(viewing, side, reply.move)
    before = viewing.status
    if reply.move == Move.ACCEPT:
        viewing.agreed_time = _accepted_time(viewing, reply.times)
        viewing.answer_due_at = None
        times = [viewing.agreed_time]
    elif reply.move == Move.PROPOSE:
        proposed = _checked(list(reply.times))
        viewing.proposed_times = _iso(proposed)
        viewing.answer_due_at = answer_due(utcnow(), proposed, _answer_time())
        times = proposed
    else:
        viewing.answer_due_at = None
        times = []
    viewing.status = status
    viewing.events.append(ViewingEvent(actor_user_id=user.id, move=reply.move.value, times=_iso(times),
                                       note=clean_note))
    record_event(f"viewing.{reply.move.value}", "viewing_request", viewing.id, actor=user,
                 before={"status": before.value}, after={"status": status.value, "times": _iso(times)})
    _tell(viewing, side, reply.move)
    return viewing


@use_case
def block_requester(request_id: int, user: User) -> ViewingRequest:
    """The owner side stops taking requests from this household; an open request is declined."""
    viewing, side = _locked_for(request_id, user)
    if side != Side.OWNER_SIDE:
        raise Forbidden("只有房源方可以拒绝某位预约人")
    insert_unless_present(db.session, ViewingBlock, ("owner_scope", "blocked_user_id"), {
        "owner_scope": owner_scope(viewing.listing), "blocked_user_id": viewing.requester_user_id,
        "blocked_by_user_id": user.id, "created_at": utcnow()})
    record_event("viewing.block", "viewing_request", viewing.id, actor=user,
                 after={"blocked_user_id": viewing.requester_user_id})
    if viewing.status in OPEN_STATES:
        before = viewing.status
        viewing.status, viewing.answer_due_at = ViewingStatus.DECLINED, None
        viewing.events.append(ViewingEvent(actor_user_id=user.id, move=Move.DECLINE.value, times=[], note=""))
        record_event("viewing.decline", "viewing_request", viewing.id, actor=user,
                     before={"status": before.value}, after={"status": viewing.status.value})
        _tell(viewing, side, Move.DECLINE)
    return viewing


@use_case
def reveal_contact(request_id: int, user: User) -> Contact:
    """The other side's name and phone, once a time is agreed; every reveal is audited."""
    viewing, side = _locked_for(request_id, user)
    _after(viewing, side, Move.REVEAL)
    contact = _contact_of_other_side(viewing, side)
    viewing.events.append(ViewingEvent(actor_user_id=user.id, move=Move.REVEAL.value, times=[], note=""))
    record_event("viewing.contact_reveal", "viewing_request", viewing.id, actor=user,
                 after={"side": side.value, "phone": mask_phone(contact.phone)})
    return contact


def _contact_of_other_side(viewing: ViewingRequest, side: Side) -> Contact:
    if side == Side.OWNER_SIDE:
        requester = viewing.requester
        return Contact(requester.real_name, requester.phone or "")
    return Contact(viewing.listing.contact_name, viewing.listing.contact_phone)


@use_case
def expire_past_requests(now: datetime | None = None) -> int:
    """Requests still waiting for an answer when every proposed time has passed; run hourly."""
    moment = now or utcnow()
    waiting = db.session.scalars(select(ViewingRequest).where(
        ViewingRequest.status.in_((ViewingStatus.AWAITING_OWNER, ViewingStatus.AWAITING_HOUSEHOLD)),
        ViewingRequest.answer_due_at <= moment).with_for_update(skip_locked=True))
    expired = 0
    for viewing in waiting:
        if all_times_past(times_of(viewing), moment):
            viewing.status, viewing.answer_due_at = ViewingStatus.EXPIRED, None
            viewing.events.append(ViewingEvent(actor_user_id=None, move=Move.EXPIRE.value, times=[], note=""))
            record_event("viewing.expire", "viewing_request", viewing.id, after={"status": viewing.status.value})
            _tell(viewing, Side.OWNER_SIDE, Move.EXPIRE)
            expired += 1
    return expired


# ----- reading -----------------------------------------------------------------------------------

def viewing_for(request_id: int, user: User) -> tuple[ViewingRequest, Side]:
    """A request as one of its two sides sees it; anyone else gets 404."""
    viewing = db.session.get(ViewingRequest, request_id)
    side = side_of(viewing, user) if viewing else None
    if viewing is None or side is None:
        raise NotFound("看房预约不存在")
    return viewing, side


def requests_made_by(user: User, page: int = 1, per_page: int = 20) -> Page[ViewingRequest]:
    query = select(ViewingRequest).where(ViewingRequest.requester_user_id == user.id)
    return paginate(query, page, per_page, ViewingRequest.updated_at.desc(), ViewingRequest.id.desc())


def requests_received_by(user: User, status: ViewingStatus | None = None, page: int = 1,
                         per_page: int = 20) -> Page[ViewingRequest]:
    """Requests on the user's own listings (a household) or its agency's (staff): the waiting ones
    first, soonest due first."""
    query = select(ViewingRequest).join(Listing, ViewingRequest.listing_id == Listing.id)
    if user.role == Role.AGENCY_STAFF:
        query = query.where(Listing.organization_id == user.organization_id)
    elif user.role == Role.HOUSEHOLD:
        query = query.where(Listing.owner_user_id == user.id, Listing.organization_id.is_(None))
    else:
        raise Forbidden("只有房源方可以查看收到的看房预约")
    if status is not None:
        query = query.where(ViewingRequest.status == status)
    return paginate(query, page, per_page, ViewingRequest.answer_due_at.is_(None),
                    ViewingRequest.answer_due_at, ViewingRequest.id.desc())


def open_request_for(listing_id: int, user: User) -> ViewingRequest | None:
    if not user.is_authenticated or user.role != Role.HOUSEHOLD:
        return None
    return db.session.scalar(select(ViewingRequest).where(
        ViewingRequest.listing_id == listing_id, ViewingRequest.requester_user_id == user.id,
        ViewingRequest.status.in_(OPEN_STATES)))


def side_of(viewing: ViewingRequest, user: User | None) -> Side | None:
    if user is None or not user.is_authenticated:
        return None
    if viewing.requester_user_id == user.id:
        return Side.HOUSEHOLD
    return Side.OWNER_SIDE if actor_for(viewing.listing, user) == Actor.OWNER_SIDE else None


def owner_scope(listing: Listing) -> str:
    return f"org:{listing.organization_id}" if listing.organization_id else f"user:{listing.owner_user_id}"


# ----- helpers -----------------------------------------------------------------------------------

def _locked_for(request_id: int, user: User) -> tuple[ViewingRequest, Side]:
    viewing, side = viewing_for(request_id, user)
    db.session.refresh(viewing, with_for_update=True)
    return viewing, side


def _after(viewing: ViewingRequest, side: Side, move: Move) -> ViewingStatus:
    try:
        return after_move(viewing.status, side, move)
    except MoveRefused as refused:
        raise Conflict(refused.message) from None


def _accepted_time(viewing: ViewingRequest, chosen: tuple[datetime, ...]) -> datetime:
    if len(chosen) != 1 or chosen[0] not in times_of(viewing):
        raise ValidationFailed("请从对方提出的时间中选择一个", {"time": ["须为对方提出的时间之一"]})
    if chosen[0] <= utcnow():
        raise Conflict("这个时间已经过去，请另约时间")
    return chosen[0]


def parsed_times(texts: list[str], naive_is_beijing: bool) -> list[datetime]:
    """Typed times (empty ones skipped) as moments, or ValidationFailed saying what is wrong:
    the pages' Beijing-time fields and the API's offset-bearing text alike."""
    try:
        return [parsed_time(text, naive_is_beijing) for text in texts if text.strip()]
    except MoveRefused as refused:
        raise ValidationFailed(refused.message, {"times": [refused.message]}) from None


def _checked(times: list[datetime]) -> list[datetime]:
    config = current_app.config
    window = TimeWindow(lead=timedelta(hours=config["VIEWING_LEAD_HOURS"]),
                        horizon=timedelta(days=config["VIEWING_HORIZON_DAYS"]))
    try:
        return checked_times(times, utcnow(), window)
    except MoveRefused as refused:
        raise ValidationFailed(refused.message, {"times": [refused.message]}) from None


def _checked_note(note: str) -> str:
    text = (note or "").strip()
    problem = control_character_problem(text, multiline=True)
    if problem is None and len(text) > NOTE_LENGTH:
        problem = f"留言不能超过{NOTE_LENGTH}字"
    if problem:
        raise ValidationFailed(problem, {"note": [problem]})
    return text


def _answer_time() -> timedelta:
    return timedelta(hours=current_app.config["VIEWING_ANSWER_HOURS"])


def _iso(times: list[datetime]) -> list[str]:
    return [moment.astimezone(UTC).isoformat() for moment in times]


def times_of(viewing: ViewingRequest) -> list[datetime]:
    """The times on the table now, as aware UTC moments."""
    return [datetime.fromisoformat(text) for text in viewing.proposed_times]


# ----- telling the other side --------------------------------------------------------------------

_NEWS = {
    Move.REQUEST: "收到新的看房预约", Move.ACCEPT: "看房时间已确认", Move.PROPOSE: "对方另约了看房时间",
    Move.DECLINE: "看房预约被婉拒", Move.WITHDRAW: "看房预约已撤回", Move.EXPIRE: "看房预约已过期",
}


def _tell(viewing: ViewingRequest, by: Side, move: Move) -> None:
    """Notify the side that did not make the move (both sides when a request expires)."""
    listing = viewing.listing
    title = f"{_NEWS[move]}：{listing.community.name}"
    link = f"/viewings/{viewing.id}"
    body = f"{listing.community.name} {listing.bedrooms}室{listing.living_rooms}厅 {listing.area_m2}㎡"
    if by == Side.OWNER_SIDE or move == Move.EXPIRE:
        notify(viewing.requester_user_id, "viewing_answered", title, body, link)
    if by == Side.HOUSEHOLD or move == Move.EXPIRE:
        for user_id in _owner_side_recipients(listing):
            notify(user_id, "viewing_requested" if move == Move.REQUEST else "viewing_answered", title, body, link)


def _owner_side_recipients(listing: Listing) -> list[int]:
    if listing.organization_id is None:
        return [listing.owner_user_id] if listing.owner_user_id else []
    if listing.agent_user_id:
        return [listing.agent_user_id]
    return list(db.session.scalars(select(User.id).where(
        User.organization_id == listing.organization_id, User.role == Role.AGENCY_STAFF, User.enabled)))
