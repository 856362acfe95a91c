"""Chain milestones (UK chain trackers): each household's steps in an agreed swap chain, each with
an expected day from the rules, in red, amber or green, and the link that holds the chain up.

Expected days count from the day (Beijing) the chain was agreed: rule ``chain_milestone_days``
gives one offset per milestone, in the order below.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .labels import LabelledEnum

AMBER_DAYS = 3   # a milestone due within this many days and not done is amber


class Milestone(LabelledEnum):
    OFFER = "offer", "买方出价"
    CONTRACT = "contract", "签订买卖合同"
    MORTGAGE = "mortgage", "贷款审批"
    ONLINE_CONTRACT = "online_contract", "网签备案"
    TITLE_TRANSFER = "title_transfer", "过户"
    NEW_HOME_CONTRACT = "new_home_contract", "签订新房合同"
    HANDOVER = "handover", "交房"


class Rag(LabelledEnum):
    DONE = "done", "已完成"
    GREEN = "green", "按计划"
    AMBER = "amber", "即将到期"
    RED = "red", "已逾期"


@dataclass(frozen=True)
class MilestoneState:
    milestone: Milestone
    expected_on: date
    done_on: date | None
    rag: Rag


def rag_of(expected_on: date, done_on: date | None, today: date) -> Rag:
    if done_on is not None:
        return Rag.DONE
    if today > expected_on:
        return Rag.RED
    return Rag.AMBER if (expected_on - today).days <= AMBER_DAYS else Rag.GREEN


def link_states(agreed_on: date, offsets: tuple[int, ...], done: dict[str, date], today: date) -> list[MilestoneState]:
    """One household's milestones against the plan."""
    return [MilestoneState(milestone, expected, done.get(milestone.value), rag_of(expected, done.get(milestone.value), today))
            for milestone, offset in zip(Milestone, offsets, strict=True)
            for expected in (agreed_on + timedelta(days=offset),)]


def late_position(links: list[tuple[int, list[MilestoneState]]]) -> int | None:
    """The link holding the chain up: the one whose overdue milestone was due first (its position)."""
    overdue = [(state.expected_on, position) for position, states in links for state in states if state.rag == Rag.RED]
    return min(overdue)[1] if overdue else None
