"""Counts against the program targets. Every count comes from the goal ledger."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from ..db.models import Channel, GoalLedgerEntry, LedgerEntryType
from ..domain.rules import Targets
from ..extensions import db
from .rules import current_rules


@dataclass(frozen=True)
class GoalProgress:
    rule_version: int
    targets: Targets
    total: int
    city_group: int
    market: int
    pilot: int

    @property
    def total_percent(self) -> float:
        return 100.0 * self.total / self.targets.total if self.targets.total else 0.0


def goal_progress() -> GoalProgress:
    version, rules = current_rules()
    signed = case((GoalLedgerEntry.entry_type == LedgerEntryType.COUNT, 1), else_=-1)
    row = db.session.execute(
        select(
            func.coalesce(func.sum(signed), 0),
            func.coalesce(func.sum(case((GoalLedgerEntry.channel == Channel.CITY_GROUP, signed), else_=0)), 0),
            func.coalesce(func.sum(case((GoalLedgerEntry.channel == Channel.MARKET, signed), else_=0)), 0),
            func.coalesce(func.sum(case((GoalLedgerEntry.pilot.is_(True), signed), else_=0)), 0),
        ).where(GoalLedgerEntry.program_year == rules.program_year)
    ).one()
    total, city_group, market, pilot = (int(value) for value in row)
    return GoalProgress(version.version, rules.targets, total, city_group, market, pilot)
