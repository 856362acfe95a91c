"""Protected reservations (锁房保留期): the three-party agreement that holds a new unit for a household
while it sells its old home on the market, and the city group's backstop floor.

The household proposes (and so accepts) the agreement; the unit's developer and the household's
agency each accept it; with the third acceptance the hold starts and runs the rule's number of
days. It ends one of four ways: the old home sells and the purchase is recorded (converted), the
hold runs out or the household ends it early (refunded, by the rule's refund share), the
household turns to the city group (the unit stays held while the group buys at no less than the
backstop floor), or it is withdrawn or lapses before all three accepted.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .fields import Field, parse_boolean, parse_integer, parse_text, parse_yuan
from .labels import LabelledEnum
from .rules import ProgramRules

ID_LIMIT = 2**31 - 1
RESERVATION_FIELDS: tuple[Field, ...] = (
    Field("application_id", "以旧换新申请", True, parse_integer(1, ID_LIMIT)),
    Field("unit_id", "新房房屋", True, parse_integer(1, ID_LIMIT)),
    Field("agency_org_id", "出售旧房的经纪机构", True, parse_integer(1, ID_LIMIT)),
    Field("deposit", "定金（元）", True, parse_yuan(0, 10_000_000)),
    Field("accept_terms", "同意三方协议条款", True, parse_boolean),
)
NOTE_FIELD = Field("note", "说明", False, parse_text(500), multiline=True)


class ReservationStatus(LabelledEnum):
    PROPOSED = "proposed", "待三方确认"
    ACTIVE = "active", "保留中"
    CITY_GROUP = "city_group", "转城发集团收购"
    CONVERTED = "converted", "已成交"
    REFUNDED = "refunded", "已结束并退还定金"
    WITHDRAWN = "withdrawn", "已撤回"
    LAPSED = "lapsed", "未获确认已失效"


class Party(LabelledEnum):
    HOUSEHOLD = "household", "购房家庭"
    DEVELOPER = "developer", "开发企业"
    AGENCY = "agency", "经纪机构"


# The unit is held (out of search, not for sale to anyone else) in these states.
HOLDING = (ReservationStatus.PROPOSED, ReservationStatus.ACTIVE, ReservationStatus.CITY_GROUP)
ENDED = (ReservationStatus.CONVERTED, ReservationStatus.REFUNDED, ReservationStatus.WITHDRAWN,
         ReservationStatus.LAPSED)


class Move(LabelledEnum):
    ACCEPT = "accept", "确认协议"
    WITHDRAW = "withdraw", "撤回"
    END = "end", "提前结束并退还定金"
    CITY_GROUP = "city_group", "转由城发集团收购旧房"


class MoveRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def moves_for(status: ReservationStatus, party: Party, accepted: frozenset[Party],
              may_turn_to_city_group: bool) -> tuple[Move, ...]:
    """What ``party`` may do now on a reservation in ``status`` whose acceptances are ``accepted``."""
    if status == ReservationStatus.PROPOSED:
        moves = [] if party in accepted else [Move.ACCEPT]
        return (*moves, Move.WITHDRAW)
    if status == ReservationStatus.ACTIVE and party == Party.HOUSEHOLD:
        return (Move.END, Move.CITY_GROUP) if may_turn_to_city_group else (Move.END,)
    return ()


def check_move(status: ReservationStatus, party: Party, accepted: frozenset[Party], move: Move,
               may_turn_to_city_group: bool) -> None:
    if move in moves_for(status, party, accepted, may_turn_to_city_group):
        return
    if move == Move.CITY_GROUP and status == ReservationStatus.ACTIVE and party == Party.HOUSEHOLD:
        raise MoveRefused("您的旧房不符合城发集团收购条件，不能转由城发集团收购")
    if move == Move.ACCEPT and party in accepted:
        raise MoveRefused("您已确认过这份协议")
    raise MoveRefused(f"保留协议{status.label}，{party.label}不能{move.label}")


@dataclass(frozen=True)
class Terms:
    """What the three parties agree to, fixed from the rules in force when it was proposed."""

    hold_days: int
    deposit: int
    refund_percent: int
    acceptance_days: int

    @property
    def refund(self) -> int:
        """The deposit returned when the hold ends unsold (whole yuan, rounded down)."""
        return self.deposit * self.refund_percent // 100

    def text(self) -> str:
        return (f"三方确认后保留{self.hold_days}天；保留期内房屋不再对外销售。旧房在保留期内售出并登记购房的，"
                f"定金转为购房款；保留期满旧房未售出或家庭提前结束的，退还定金的{self.refund_percent}%"
                f"（{self.refund:,}元）；提出后{self.acceptance_days}天内未获三方确认的，协议失效并全额退还定金。")


def terms_from(rules: ProgramRules, deposit: int) -> Terms:
    return Terms(rules.reservation_hold_days, deposit, rules.reservation_refund_percent,
                 rules.reservation_acceptance_days)


def deposit_problem(deposit: int, rules: ProgramRules) -> str | None:
    if deposit < rules.reservation_deposit_min:
        return f"定金不能低于{rules.reservation_deposit_min:,}元"
    if deposit > rules.reservation_deposit_max:
        return f"定金不能高于{rules.reservation_deposit_max:,}元"
    return None


def hold_ends_on(starts_on: date, hold_days: int) -> date:
    """The hold's last day (Beijing), counting the start day as day one."""
    return starts_on + timedelta(days=hold_days - 1)


def acceptance_due_on(proposed_on: date, acceptance_days: int) -> date:
    """The last day (Beijing) on which the other parties may still accept."""
    return proposed_on + timedelta(days=acceptance_days - 1)


def backstop_floor(valuation_low: int, rules: ProgramRules) -> int:
    """The city group's indicative floor: the rule's share of the valuation's low end, whole yuan."""
    return valuation_low * rules.backstop_floor_percent // 100

