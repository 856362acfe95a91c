"""Counts against the program targets. Every count comes from the goal ledger."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import case, func, select

from ..db.models import Channel, GoalLedgerEntry, LedgerEntryType
from ..domain.districts import DISTRICTS_BY_CODE
from ..domain.fields import Field, parse_choice, parse_date, parse_district, parse_fields, parse_integer
from ..domain.rules import PROGRAM_YEARS, Targets
from ..domain.timezones import beijing_today
from ..extensions import db
from .errors import ValidationFailed
from .rules import rules_of_year


@dataclass(frozen=True)
class YearProgress:
    """One programme year's live counts beside its targets (None: the bureau has not published
    that year's rules, so it has no targets yet)."""
    program_year: int
    rule_version: int | None
    targets: Targets | None
    total: int
    city_group: int
    market: int
    pilot: int

    @property
    def total_percent(self) -> float:
        return 100.0 * self.total / self.targets.total if self.targets and self.targets.total else 0.0

    def as_dict(self) -> dict:
        return {"program_year": self.program_year, "rule_version": self.rule_version,
                "targets": asdict(self.targets) if self.targets else None,
                "completed": {"total": self.total, "city_group": self.city_group, "market": self.market,
                              "pilot": self.pilot}}


def year_progress() -> list[YearProgress]:
    """Every year of the action plan (2024-2027), each from its own ledger rows and its own rules."""
    signed = case((GoalLedgerEntry.entry_type == LedgerEntryType.COUNT, 1), else_=-1)
    rows = {year: (int(total), int(city_group), int(market), int(pilot)) for year, total, city_group, market, pilot
            in db.session.execute(select(
                GoalLedgerEntry.program_year, func.sum(signed),
                func.sum(case((GoalLedgerEntry.channel == Channel.CITY_GROUP, signed), else_=0)),
                func.sum(case((GoalLedgerEntry.channel == Channel.MARKET, signed), else_=0)),
                func.sum(case((GoalLedgerEntry.pilot.is_(True), signed), else_=0)),
            ).group_by(GoalLedgerEntry.program_year))}
    years = []
    for year in PROGRAM_YEARS:
        published = rules_of_year(year)
        version, rules = published if published else (None, None)
        years.append(YearProgress(year, version.version if version else None, rules.targets if rules else None,
                                  *rows.get(year, (0, 0, 0, 0))))
    return years


def goal_progress(program_year: int | None = None) -> YearProgress:
    """The home page's figures: one programme year (this year by default)."""
    year = program_year or default_program_year()
    return next(row for row in year_progress() if row.program_year == year)


def default_program_year(today: date | None = None) -> int:
    """This year while the plan runs; its last year after it ends; its first before it starts."""
    year = (today or beijing_today()).year
    return min(max(year, PROGRAM_YEARS[0]), PROGRAM_YEARS[-1])


@dataclass(frozen=True)
class ProgressFilters:
    program_year: int = field(default_factory=default_program_year)
    date_from: date | None = None
    date_to: date | None = None
    district: str | None = None
    channel: Channel | None = None


PROGRESS_FILTER_FIELDS = (
    Field("program_year", "项目年度", False, parse_integer(PROGRAM_YEARS[0], PROGRAM_YEARS[-1])),
    Field("from", "开始日期", False, parse_date),
    Field("to", "结束日期", False, parse_date),
    Field("district", "区县", False, parse_district),
    Field("channel", "渠道", False, parse_choice(tuple(c.value for c in Channel))),
)


def parse_progress_filters(args: dict[str, str]) -> ProgressFilters:
    values, errors = parse_fields(PROGRESS_FILTER_FIELDS, args, partial=True)
    if values.get("from") and values.get("to") and values["from"] > values["to"]:
        errors["to"] = ["结束日期不能早于开始日期"]
    if errors:
        raise ValidationFailed("统计筛选条件有误", errors)
    return ProgressFilters(program_year=values.get("program_year") or default_program_year(),
                           date_from=values.get("from"), date_to=values.get("to"), district=values.get("district"),
                           channel=Channel(values["channel"]) if values.get("channel") else None)


def progress_report(filters: ProgressFilters) -> dict:
    """One programme year's counts against its targets, by district and by month, all from the
    ledger (reversals subtract), and the 2024-2027 summary beside it."""
    years = year_progress()
    this_year = next(row for row in years if row.program_year == filters.program_year)
    signed = case((GoalLedgerEntry.entry_type == LedgerEntryType.COUNT, 1), else_=-1)
    month = _month_of(GoalLedgerEntry.completed_on)
    query = (select(GoalLedgerEntry.district_code, GoalLedgerEntry.channel, month, GoalLedgerEntry.pilot,
                    func.sum(signed))
             .group_by(GoalLedgerEntry.district_code, GoalLedgerEntry.channel, month, GoalLedgerEntry.pilot))
    completed = {"total": 0, "city_group": 0, "market": 0, "pilot": 0}
    by_district: dict[str, dict] = {}
    by_month: dict[str, dict] = {}
    for district_code, channel, month_text, pilot, count in db.session.execute(ledger_where(query, filters)):
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
        "program_year": filters.program_year,
        "rule_version": this_year.rule_version,
        "as_of": datetime.now(UTC).isoformat(),
        "targets": asdict(this_year.targets) if this_year.targets else None,
        "completed": completed,
        "by_district": sorted(by_district.values(), key=lambda row: (-row["total"], row["code"])),
        "by_month": [by_month[month] for month in sorted(by_month)],
        "years": [row.as_dict() for row in years],
    }


def ledger_where(query, filters: ProgressFilters):
    """The one filter every ledger figure goes through: programme year, completion dates
    (inclusive), district, channel."""
    query = query.where(GoalLedgerEntry.program_year == filters.program_year)
    if filters.date_from:
        query = query.where(GoalLedgerEntry.completed_on >= filters.date_from)
    if filters.date_to:
        query = query.where(GoalLedgerEntry.completed_on <= filters.date_to)
    if filters.district:
        query = query.where(GoalLedgerEntry.district_code == filters.district)
    if filters.channel:
        query = query.where(GoalLedgerEntry.channel == filters.channel)
    return query


def _month_of(column):
    """'YYYY-MM' of a date column, computed by the database so only months come back."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _row(**keys) -> dict:
    return {**keys, "city_group": 0, "market": 0, "total": 0}
