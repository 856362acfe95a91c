"""Counts against the program targets. Every count comes from the goal ledger."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timezone

from sqlalchemy import case, func, select

from ..db.models import Channel, GoalLedgerEntry, LedgerEntryType
from ..domain.districts import DISTRICTS_BY_CODE
from ..domain.rules import Targets
from ..extensions import db
from .errors import ValidationFailed
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


@dataclass(frozen=True)
class ProgressFilters:
    date_from: date | None = None
    date_to: date | None = None
    district: str | None = None
    channel: Channel | None = None


def parse_progress_filters(args: dict[str, str]) -> ProgressFilters:
    errors: dict[str, list[str]] = {}

    def day(name: str) -> date | None:
        raw = (args.get(name) or "").strip()
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            errors[name] = ["应为日期，如 2024-05-01"]
            return None

    district = (args.get("district") or "").strip() or None
    if district and district not in DISTRICTS_BY_CODE:
        errors["district"] = ["未知的区县代码"]
    channel_raw = (args.get("channel") or "").strip() or None
    if channel_raw and channel_raw not in tuple(Channel):
        errors["channel"] = ["应为 city_group 或 market"]
    filters = ProgressFilters(day("from"), day("to"), district, Channel(channel_raw) if channel_raw and
                              channel_raw in tuple(Channel) else None)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        errors["to"] = ["结束日期不能早于开始日期"]
    if errors:
        raise ValidationFailed("统计筛选条件有误", errors)
    return filters


def progress_report(filters: ProgressFilters) -> dict:
    """Counts against the targets, by district and by month, all from the ledger (reversals subtract)."""
    version, rules = current_rules()
    signed = case((GoalLedgerEntry.entry_type == LedgerEntryType.COUNT, 1), else_=-1)
    month = _month_of(GoalLedgerEntry.completed_on)
    query = (select(GoalLedgerEntry.district_code, GoalLedgerEntry.channel, month, GoalLedgerEntry.pilot,
                    func.sum(signed))
             .where(GoalLedgerEntry.program_year == rules.program_year)
             .group_by(GoalLedgerEntry.district_code, GoalLedgerEntry.channel, month, GoalLedgerEntry.pilot))
    if filters.date_from:
        query = query.where(GoalLedgerEntry.completed_on >= filters.date_from)
    if filters.date_to:
        query = query.where(GoalLedgerEntry.completed_on <= filters.date_to)
    if filters.district:
        query = query.where(GoalLedgerEntry.district_code == filters.district)
    if filters.channel:
        query = query.where(GoalLedgerEntry.channel == filters.channel)
    completed = {"total": 0, "city_group": 0, "market": 0, "pilot": 0}
    by_district: dict[str, dict] = {}
    by_month: dict[str, dict] = {}
    for district_code, channel, month_text, pilot, count in db.session.execute(query):
        count = int(count)
        completed["total"] += count
        completed[channel.value] += count
        completed["pilot"] += count if pilot else 0
        if district_code not in by_district:
            by_district[district_code] = _row(code=district_code, name=DISTRICTS_BY_CODE[district_code].name)
        if month_text not in by_month:
            by_month[month_text] = _row(month=month_text)
        for bucket in (by_district[district_code], by_month[month_text]):
            bucket[channel.value] += count
            bucket["total"] += count
    return {
        "rule_version": version.version,
        "as_of": datetime.now(timezone.utc).isoformat(),
        "targets": asdict(rules.targets),
        "completed": completed,
        "by_district": sorted(by_district.values(), key=lambda row: (-row["total"], row["code"])),
        "by_month": [by_month[month] for month in sorted(by_month)],
    }


def _month_of(column):
    """'YYYY-MM' of a date column, computed by the database so only months come back."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _row(**keys) -> dict:
    return {**keys, "city_group": 0, "market": 0, "total": 0}
