"""The second-hand listing lifecycle as data: who may move a listing from one state to another.

draft → submitted (待核验) → active (在售) → reserved (已预定) → sold (已成交);
withdrawn (已下架) and expired (挂牌到期) are side exits that can be renewed.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .decisions import Decision, Reason
from .labels import LabelledEnum


class Actor(StrEnum):
    OWNER_SIDE = "owner_side"  # the household that owns the listing, or its agency's staff
    BUREAU = "bureau"
    SYSTEM = "system"          # verification and expiry jobs


class ListingStatus(LabelledEnum):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待核验"
    ACTIVE = "active", "在售"
    RESERVED = "reserved", "已预定"
    SOLD = "sold", "已成交"
    WITHDRAWN = "withdrawn", "已下架"
    EXPIRED = "expired", "挂牌到期"


STATUS_LABELS = ListingStatus.labels()


@dataclass(frozen=True)
class Transition:
    actors: frozenset[Actor]
    needs_reason: bool = False


def _t(*actors: Actor, needs_reason: bool = False) -> Transition:
    return Transition(frozenset(actors), needs_reason)


OWNER, BUREAU, SYSTEM = Actor.OWNER_SIDE, Actor.BUREAU, Actor.SYSTEM

TRANSITIONS: dict[tuple[str, str], Transition] = {
    ("draft", "submitted"): _t(OWNER),
    ("submitted", "active"): _t(SYSTEM, BUREAU),            # verification passed
    ("submitted", "draft"): _t(BUREAU, needs_reason=True),  # verification refused
    ("submitted", "withdrawn"): _t(OWNER, BUREAU, needs_reason=True),
    ("active", "reserved"): _t(OWNER),
    ("active", "sold"): _t(OWNER),
    ("active", "withdrawn"): _t(OWNER, BUREAU, needs_reason=True),
    ("active", "expired"): _t(SYSTEM),
    ("reserved", "active"): _t(OWNER, needs_reason=True),   # the reservation fell through
    ("reserved", "sold"): _t(OWNER),
    ("reserved", "withdrawn"): _t(OWNER, BUREAU, needs_reason=True),
    ("expired", "submitted"): _t(OWNER),                    # renewal is verified again
    ("withdrawn", "draft"): _t(OWNER),                      # relist: edit, then submit
}


def check_transition(current: str, target: str, actor: Actor, reason: str | None) -> Decision:
    transition = TRANSITIONS.get((current, target))
    if transition is None:
        return Decision(False, (Reason("listing_lifecycle",
                                       f"房源状态不能从“{STATUS_LABELS[current]}”变为“{STATUS_LABELS[target]}”"),))
    failures = []
    if actor not in transition.actors:
        failures.append(Reason("listing_lifecycle", "您无权执行此状态变更"))
    if transition.needs_reason and not (reason and reason.strip()):
        failures.append(Reason("listing_lifecycle", "此状态变更须填写原因"))
    return Decision.from_failures(failures)


def targets_for(current: str, actor: Actor) -> list[str]:
    """States this actor may move a listing to from ``current`` (for buttons and menus)."""
    return [target for (source, target), rule in TRANSITIONS.items()
            if source == current and actor in rule.actors]
