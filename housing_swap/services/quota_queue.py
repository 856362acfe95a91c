"""The queue for city-group places as use cases: each household's position and expected wait, the
bureau's whole queue, and the published lottery (commit, then draw; domain/quota_queue.py).

Waiting means: eligible for the city-group channel, approved (eligible or matched) and not taken
in by an officer (no acquisition other than a cancelled one).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import String, and_, cast, exists, func, select

from ..db.base import utcnow
from ..db.models import Acquisition, AcquisitionStatus, Channel, QueueDraw, Role, SwapApplication, User
from ..domain.quota_queue import PACE_WINDOW_DAYS, Pace, commitment_of, lottery_order, queue_order
from ..extensions import db
from .acquisitions import TAKEABLE
from .audit import record_event
from .errors import Conflict, Forbidden, NotFound, flush_or_conflict
from .rules import latest_rules
from .unit_of_work import use_case

BY_SUBMISSION = "按完整提交时间排序（先提交先受理）"
BY_LOTTERY = "按公开摇号排序，摇号后新进入的家庭按提交时间排在其后"


@dataclass(frozen=True)
class QueueState:
    order: list[int]                # application numbers, next to be taken in first
    basis: str                      # the order in words
    draw: QueueDraw | None          # the drawn lottery the order follows, if any
    pace: Pace


@dataclass(frozen=True)
class QueuePosition:
    position: int
    total: int
    basis: str
    draw_id: int | None
    expected_wait_days: int | None
    pace_note: str


def _waiting_clause():
    taken_in = exists().where(Acquisition.application_id == SwapApplication.id,
                              Acquisition.status != AcquisitionStatus.CANCELLED)
    return and_(cast(SwapApplication.eligible_channels, String).contains(Channel.CITY_GROUP.value),
                SwapApplication.status.in_(TAKEABLE), ~taken_in)


def waiting_by_submission() -> list[int]:
    return list(db.session.scalars(select(SwapApplication.id).where(_waiting_clause())
                                   .order_by(SwapApplication.submitted_at, SwapApplication.id)))


def queue_state() -> QueueState:
    _, rules = latest_rules()
    draw = latest_draw(rules.program_year) if rules.queue_by_lottery else None
    order = queue_order(waiting_by_submission(), draw.drawn_order if draw else None)
    return QueueState(order, BY_LOTTERY if draw else BY_SUBMISSION, draw, recent_pace())


def queued_applications(order: list[int], limit: int = 500) -> list[SwapApplication]:
    """The first ``limit`` waiting applications, in queue order, for the bureau's page."""
    shown = order[:limit]
    found = {a.id: a for a in db.session.scalars(select(SwapApplication).where(SwapApplication.id.in_(shown)))}
    return [found[number] for number in shown]


def recent_pace() -> Pace:
    since = utcnow() - timedelta(days=PACE_WINDOW_DAYS)
    intakes = db.session.scalar(select(func.count()).select_from(Acquisition).where(Acquisition.created_at >= since))
    return Pace(intakes or 0)


def position_of(application: SwapApplication) -> QueuePosition:
    """Where this household stands; refused in words when it is not waiting for a place."""
    if Channel.CITY_GROUP.value not in (application.eligible_channels or []):
        raise Conflict("该申请不符合城发集团收购渠道的条件，不参与收购名额排队")
    state = queue_state()
    if application.id not in state.order:
        raise Conflict("该申请已由城发集团受理或不在待受理状态，不在排队中")
    position = state.order.index(application.id) + 1
    return QueuePosition(position, len(state.order), state.basis, state.draw.id if state.draw else None,
                         state.pace.expected_wait_days(position), state.pace.text())


def waiting_position(application: SwapApplication) -> QueuePosition | None:
    """For the application page: the position, or None when the household is not in the queue."""
    try:
        return position_of(application)
    except Conflict:
        return None


# ----- the lottery -------------------------------------------------------------------------------

def latest_draw(program_year: int) -> QueueDraw | None:
    return db.session.scalar(select(QueueDraw).where(QueueDraw.program_year == program_year,
                                                     QueueDraw.drawn_at.is_not(None))
                             .order_by(QueueDraw.drawn_at.desc(), QueueDraw.id.desc()).limit(1))


def draws() -> list[QueueDraw]:
    return list(db.session.scalars(select(QueueDraw).order_by(QueueDraw.id.desc()).limit(50)))


def draw_for_public(draw_id: int) -> QueueDraw:
    draw = db.session.get(QueueDraw, draw_id)
    if draw is None:
        raise NotFound("摇号记录不存在")
    return draw


@use_case
def commit_draw(bureau: User) -> QueueDraw:
    """Publish the commitment to a secret seed; the entrants are the households waiting now."""
    _require_bureau(bureau)
    _, rules = latest_rules()
    if not rules.queue_by_lottery:
        raise Conflict("现行项目规则按完整提交时间排序，不需要摇号；如需摇号请先在项目规则中启用")
    entrants = waiting_by_submission()
    if not entrants:
        raise Conflict("目前没有等待城发集团受理的家庭，无需摇号")
    seed = secrets.token_hex(32)
    draw = QueueDraw(program_year=rules.program_year, commitment=commitment_of(seed), seed=seed,
                     entrants=entrants, committed_by=bureau.id, committed_at=utcnow())
    db.session.add(draw)
    flush_or_conflict(lambda _: "已有一次公布了承诺值但尚未抽签的摇号，请先完成抽签")
    record_event("queue.commit", "queue_draw", draw.id, actor=bureau,
                 after={"commitment": draw.commitment, "entrants": len(entrants)})
    return draw


@use_case
def draw_lottery(draw_id: int, bureau: User) -> QueueDraw:
    """Publish the seed and the order it gives; anyone can re-run it."""
    _require_bureau(bureau)
    draw = db.session.get(QueueDraw, draw_id, with_for_update=True, populate_existing=True)
    if draw is None:
        raise NotFound("摇号记录不存在")
    if draw.drawn_at is not None:
        raise Conflict("这次摇号已经抽签，结果不能改变")
    draw.drawn_order = lottery_order(draw.seed, list(draw.entrants))
    draw.drawn_at, draw.drawn_by = utcnow(), bureau.id
    record_event("queue.draw", "queue_draw", draw.id, actor=bureau,
                 after={"seed": draw.seed, "commitment": draw.commitment, "entrants": len(draw.entrants)})
    return draw


def _require_bureau(user: User) -> None:
    if user.role != Role.BUREAU_ADMIN:
        raise Forbidden("只有住房保障局可以组织摇号")
