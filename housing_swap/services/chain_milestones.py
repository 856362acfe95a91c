"""Milestones of agreed swap chains (domain/milestones.py): each household records the day it
finished a step; everyone in the chain (and the bureau) sees every link in red, amber or green and
which link is late; a daily job tells households whose step is overdue, once per step."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..db.base import utcnow
from ..db.models import ChainLink, ChainMilestone, ChainProposal, ChainStatus, Role, SwapApplication, User
from ..domain.fields import parse_date
from ..domain.milestones import Milestone, MilestoneState, Rag, late_position, link_states
from ..domain.rules import ProgramRules
from ..domain.timezones import beijing_date
from ..extensions import db
from .audit import record_event
from .errors import Conflict, NotFound, ValidationFailed
from .exclusive_runs import exclusive
from .notifications import notify
from .rules import rules_in_force
from .unit_of_work import unit_of_work, use_case


@dataclass(frozen=True)
class LinkMilestones:
    position: int
    application_id: int
    states: list[MilestoneState]
    yours: bool


@dataclass(frozen=True)
class ChainMilestones:
    proposal: ChainProposal
    agreed_on: date
    links: list[LinkMilestones]
    late_position: int | None      # the link that holds the chain up, if any


def milestones_of(proposal_id: int, user: User, today: date | None = None) -> ChainMilestones:
    proposal = _visible(proposal_id, user)
    if proposal.status != ChainStatus.AGREED or proposal.decided_at is None:
        raise Conflict("连环单各户均同意后才有进度节点")
    today = today or beijing_date(utcnow())
    agreed_on = beijing_date(proposal.decided_at)
    offsets = rules_in_force()(agreed_on).chain_milestone_days
    done = _done_by_link(proposal)
    households = _households(proposal)
    links = [LinkMilestones(link.position, link.application_id,
                            link_states(agreed_on, offsets, done.get(link.id, {}), today),
                            households[link.application_id] == user.id)
             for link in proposal.links]
    return ChainMilestones(proposal, agreed_on, links, late_position([(lm.position, lm.states) for lm in links]))


@use_case
def record_milestone(proposal_id: int, raw: dict, user: User, today: date | None = None) -> ChainMilestones:
    """The household records the day its own step was done (again: the day is corrected)."""
    proposal = _visible(proposal_id, user)
    db.session.refresh(proposal, with_for_update=True)
    if proposal.status != ChainStatus.AGREED or proposal.decided_at is None:
        raise Conflict("连环单各户均同意后才能登记进度")
    link = next((link for link in proposal.links if _households(proposal)[link.application_id] == user.id), None)
    if link is None:
        raise Conflict("只有连环单中的家庭可以登记自己的进度")
    milestone, done_on = _milestone_values(raw, beijing_date(proposal.decided_at), today or beijing_date(utcnow()))
    found = db.session.scalar(select(ChainMilestone).where(ChainMilestone.link_id == link.id,
                                                           ChainMilestone.milestone == milestone.value))
    before = found.done_on.isoformat() if found else None
    if found is None:
        found = ChainMilestone(link_id=link.id, milestone=milestone.value, recorded_by_user_id=user.id, done_on=done_on)
        db.session.add(found)
    found.done_on, found.recorded_by_user_id, found.recorded_at = done_on, user.id, utcnow()
    db.session.flush()
    record_event("chain.milestone", "chain_proposal", proposal.id, actor=user,
                 before={"done_on": before}, after={"link": link.position, "milestone": milestone.value,
                                                   "done_on": done_on.isoformat()})
    return milestones_of(proposal_id, user, today)


def _milestone_values(raw: dict, agreed_on: date, today: date) -> tuple[Milestone, date]:
    errors: dict[str, list[str]] = {}
    try:
        milestone = Milestone(str(raw.get("milestone", "")))
    except ValueError:
        milestone = None
        errors["milestone"] = ["应为 " + "、".join(m.value for m in Milestone) + " 之一"]
    try:
        done_on = parse_date(str(raw.get("done_on", "")).strip())
    except ValueError as problem:
        done_on = None
        errors["done_on"] = [f"完成日期{problem}"]
    if done_on is not None and not agreed_on <= done_on <= today:
        errors["done_on"] = [f"完成日期应在连环单成立（{agreed_on.isoformat()}）到今天之间"]
    if errors or milestone is None or done_on is None:
        raise ValidationFailed("进度信息有误", errors)
    return milestone, done_on


@exclusive("chains notify-milestones")
def notify_overdue(today: date | None = None) -> int:
    """Daily: each household with an overdue step in an agreed chain is told once per step (one
    chain per transaction, so a busy chain does not hold up the rest)."""
    today = today or beijing_date(utcnow())
    rules_on = rules_in_force()
    told = 0
    for proposal_id in db.session.scalars(select(ChainProposal.id).where(ChainProposal.status == ChainStatus.AGREED)).all():
        with unit_of_work():
            told += _tell_overdue(db.session.get_one(ChainProposal, proposal_id), rules_on, today)
    return told


def _tell_overdue(proposal: ChainProposal, rules_on: Callable[[date], ProgramRules], today: date) -> int:
    if proposal.decided_at is None:
        return 0
    households, done, told = _households(proposal), _done_by_link(proposal), 0
    agreed_on = beijing_date(proposal.decided_at)
    offsets = rules_on(agreed_on).chain_milestone_days
    for link in proposal.links:
        for state in link_states(agreed_on, offsets, done.get(link.id, {}), today):
            if state.rag == Rag.RED:
                told += notify(households[link.application_id], "chain_milestone_overdue",
                               f"连环单{proposal.id}：“{state.milestone.label}”已逾期",
                               f"原计划{state.expected_on.isoformat()}前完成，请尽快办理并在平台登记。",
                               "/chains", once_key=f"chain:{proposal.id}:{link.id}:{state.milestone.value}")
    return told


def _visible(proposal_id: int, user: User) -> ChainProposal:
    proposal = db.session.get(ChainProposal, proposal_id)
    if proposal is None or not (user.role == Role.BUREAU_ADMIN or user.id in _households(proposal).values()):
        raise NotFound("连环单不存在，或与您无关")
    return proposal


def _households(proposal: ChainProposal) -> dict[int, int]:
    ids = [link.application_id for link in proposal.links]
    return dict(db.session.execute(select(SwapApplication.id, SwapApplication.household_user_id)
                                   .where(SwapApplication.id.in_(ids))).all())


def _done_by_link(proposal: ChainProposal) -> dict[int, dict[str, date]]:
    done: dict[int, dict[str, date]] = {}
    rows = db.session.scalars(select(ChainMilestone).join(ChainLink, ChainLink.id == ChainMilestone.link_id)
                              .where(ChainLink.proposal_id == proposal.id))
    for row in rows:
        done.setdefault(row.link_id, {})[row.milestone] = row.done_on
    return done
