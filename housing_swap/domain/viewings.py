"""Viewing requests (预约看房): who may move a request where, and what proposed times are acceptable.

A household proposes one to three times; the listing's owner side (the owning household or the
managing agency) accepts one, proposes another or declines. A proposal from either side puts the
request in the other side's hands. Once both sides agree on a time, each may see the other's
phone number. The requester may withdraw at any point while the request is open.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from .labels import LabelledEnum
from .timezones import SHANGHAI

MAX_TIMES = 3
NOTE_LENGTH = 200


class ViewingStatus(LabelledEnum):
    AWAITING_OWNER = "awaiting_owner", "待房源方答复"
    AWAITING_HOUSEHOLD = "awaiting_household", "待购房人确认"
    AGREED = "agreed", "已约定"
    DECLINED = "declined", "已婉拒"
    WITHDRAWN = "withdrawn", "已撤回"
    EXPIRED = "expired", "已过期"


# A household has at most one request in these states per listing.
OPEN_STATES = (ViewingStatus.AWAITING_OWNER, ViewingStatus.AWAITING_HOUSEHOLD, ViewingStatus.AGREED)
AWAITING = (ViewingStatus.AWAITING_OWNER, ViewingStatus.AWAITING_HOUSEHOLD)


class Side(StrEnum):
    HOUSEHOLD = "household"    # the requester
    OWNER_SIDE = "owner_side"  # the listing's owner, or staff of its agency


class Move(LabelledEnum):
    REQUEST = "request", "提出预约"
    ACCEPT = "accept", "确认看房时间"
    PROPOSE = "propose", "另约时间"
    DECLINE = "decline", "婉拒"
    WITHDRAW = "withdraw", "撤回预约"
    EXPIRE = "expire", "预约过期"
    REVEAL = "reveal", "查看对方电话"


_WAITING_FOR = {ViewingStatus.AWAITING_OWNER: Side.OWNER_SIDE, ViewingStatus.AWAITING_HOUSEHOLD: Side.HOUSEHOLD}
_OTHER = {Side.HOUSEHOLD: ViewingStatus.AWAITING_OWNER, Side.OWNER_SIDE: ViewingStatus.AWAITING_HOUSEHOLD}


class MoveRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def after_move(status: ViewingStatus, side: Side, move: Move) -> ViewingStatus:
    """The status a move leads to, or MoveRefused saying why it cannot be made now."""
    if move == Move.WITHDRAW:
        if side != Side.HOUSEHOLD:
            raise MoveRefused("只有预约人可以撤回预约")
        if status not in OPEN_STATES:
            raise MoveRefused("这条预约已结束，不能撤回")
        return ViewingStatus.WITHDRAWN
    if move == Move.DECLINE:
        if side != Side.OWNER_SIDE:
            raise MoveRefused("只有房源方可以婉拒预约；预约人可以撤回")
        if status not in OPEN_STATES:
            raise MoveRefused("这条预约已结束")
        return ViewingStatus.DECLINED
    if move in (Move.ACCEPT, Move.PROPOSE):
        if status not in AWAITING:
            raise MoveRefused("这条预约已约定或已结束，不能再确认或另约时间")
        if _WAITING_FOR[status] != side:
            raise MoveRefused("正在等待对方答复")
        return ViewingStatus.AGREED if move == Move.ACCEPT else _OTHER[side]
    if move == Move.REVEAL:
        if status != ViewingStatus.AGREED:
            raise MoveRefused("双方约定看房时间后才能查看对方电话")
        return status
    raise MoveRefused("无法进行这项操作")


def moves_for(status: ViewingStatus, side: Side) -> list[Move]:
    """What ``side`` may do now, in the order a page offers them."""
    possible = []
    for move in (Move.ACCEPT, Move.PROPOSE, Move.DECLINE, Move.WITHDRAW, Move.REVEAL):
        try:
            after_move(status, side, move)
        except MoveRefused:
            continue
        possible.append(move)
    return possible


@dataclass(frozen=True)
class TimeWindow:
    """Proposed times must be at least ``lead`` ahead and within ``horizon`` of now."""
    lead: timedelta
    horizon: timedelta


def checked_times(times: list[datetime], now: datetime, window: TimeWindow) -> list[datetime]:
    """Distinct proposed times in order, or MoveRefused naming the first problem (times are aware)."""
    if not times:
        raise MoveRefused("请至少提出一个看房时间")
    distinct = sorted(set(times))
    if len(distinct) > MAX_TIMES:
        raise MoveRefused(f"最多提出{MAX_TIMES}个看房时间")
    for moment in distinct:
        if moment < now + window.lead:
            hours = int(window.lead.total_seconds() // 3600)
            raise MoveRefused(f"看房时间须在{hours}小时以后" if hours else "看房时间须晚于现在")
        if moment > now + window.horizon:
            raise MoveRefused(f"看房时间须在{window.horizon.days}天以内")
    return distinct


def parsed_time(text: str, naive_is_beijing: bool) -> datetime:
    """A proposed time as an aware UTC moment. The page's ``datetime-local`` fields are Beijing
    time; the API's ISO 8601 text must carry its offset unless ``naive_is_beijing``."""
    typed = unicodedata.normalize("NFKC", text).strip()  # full-width digits and ＋ read as typed
    try:
        moment = datetime.fromisoformat(typed)
    except ValueError:
        raise MoveRefused(f"看房时间“{typed[:30]}”格式有误，应为年-月-日 时:分") from None
    if moment.tzinfo is None:
        if not naive_is_beijing:
            raise MoveRefused("看房时间须带时区，例如 2026-12-05T14:30:00+08:00")
        moment = moment.replace(tzinfo=SHANGHAI)
    try:
        return moment.astimezone(UTC).replace(second=0, microsecond=0)
    except OverflowError:  # year 1 or 9999 shifted past the calendar's end
        raise MoveRefused("看房时间超出可预约的范围") from None


def answer_due(asked_at: datetime, times: list[datetime], response: timedelta) -> datetime:
    """When the side asked should answer: within ``response``, and before the earliest time."""
    return min([asked_at + response, *times])


def all_times_past(times: list[datetime], now: datetime) -> bool:
    return bool(times) and max(times) <= now
