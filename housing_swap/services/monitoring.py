"""The bureau's dashboard figures: progress and forecast from the goal ledger, the application
funnel with medians, where work stalls, and how much new-build stock the program absorbed.

Counts of completed swaps come only from the ledger (reversals subtract); the funnel and the
stalled list describe applications and acquisitions, which the ledger does not hold.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import String, and_, case, cast, exists, func, or_, select

from ..db.models import (
    Acquisition,
    AcquisitionEvent,
    AcquisitionStatus,
    ApplicationEvent,
    ApplicationMatch,
    ApplicationStatus,
    Channel,
    ChannelPreference,
    GoalLedgerEntry,
    LedgerClaim,
    LedgerEntryType,
    MarketSwap,
    MarketSwapStatus,
    Organization,
    Project,
    Reservation,
    SwapApplication,
    Unit,
    UnitStatus,
    User,
)
from ..db.models.projects import Building
from ..domain import monitoring
from ..domain.acquisitions import MAIN_PATH, STEP_DEADLINE_RULES, WAITING_FOR
from ..domain.districts import ZHENGZHOU_DISTRICTS
from ..domain.reservations import ReservationStatus
from ..domain.rules import Targets
from ..domain.timezones import beijing_date, beijing_midnight, beijing_today
from ..extensions import db
from .pagination import Page, paginate
from .progress import ProgressFilters, ledger_where, progress_report
from .rules import rules_in_force, rules_of_year

DEFAULT_STALL_DAYS = 14


@dataclass(frozen=True)
class Dashboard:
    report: dict                      # the same figures as GET /api/v1/progress
    weekly: list[monitoring.WeekPoint]
    forecast: monitoring.Forecast
    weekly_target: int
    funnel: list[FunnelStage]
    absorption: list[ProjectAbsorption]
    stalled: list[StalledCase]
    stall_days: int
    districts: list[monitoring.DistrictProgress]  # the district map: each against its share
    reservations: ReservationCounts               # protected reservations proposed in the year, by state
    step_timeliness: list[monitoring.Timeliness]  # finished acquisition steps by step: days and on-time share
    district_timeliness: list[monitoring.Timeliness]  # the same by the old home's district


def dashboard(filters: ProgressFilters, stall_days: int = DEFAULT_STALL_DAYS, today: date | None = None) -> Dashboard:
    today = today or beijing_today()
    published = rules_of_year(filters.program_year)
    daily = _daily_net_counts(filters)
    year_start, year_end = date(filters.program_year, 1, 1), date(filters.program_year, 12, 31)
    target = _target_for(filters, published[1].targets) if published else 0
    as_of = max(min(today, year_end), year_start)
    report = progress_report(filters)
    completed = {row["code"]: row["total"] for row in report["by_district"]}
    percents = dict(published[1].district_shares) if published else {}
    return Dashboard(
        report=report,
        weekly=monitoring.weekly_progress(daily, year_start, year_end, target, as_of),
        forecast=monitoring.year_end_forecast(daily, as_of, year_end, target), weekly_target=target,
        funnel=funnel(filters), absorption=absorption(filters), stalled=stalled_cases(filters, stall_days, today),
        stall_days=stall_days,
        districts=monitoring.district_progress(completed, percents, target, [d.code for d in ZHENGZHOU_DISTRICTS]),
        reservations=reservation_counts(filters),
        **_timeliness(step_times(filters)))


def _timeliness(times: list[monitoring.StepTime]) -> dict:
    by_step = {row.key: row for row in monitoring.timeliness(times, lambda t: t.step)}
    return {"step_timeliness": [by_step[step] for step in MAIN_PATH if step in by_step],
            "district_timeliness": sorted(monitoring.timeliness(times, lambda t: t.district), key=lambda r: r.key)}


def step_times(filters: ProgressFilters) -> list[monitoring.StepTime]:
    """Every acquisition step with a service deadline that was finished in the year (the next
    timeline entry, other than a cancellation), in Beijing days, against the deadline of the
    rules in force on the day the step began."""
    query = application_filter(
        select(AcquisitionEvent.acquisition_id, AcquisitionEvent.status, AcquisitionEvent.at,
               SwapApplication.old_district_code)
        .join(Acquisition, Acquisition.id == AcquisitionEvent.acquisition_id)
        .join(SwapApplication, SwapApplication.id == Acquisition.application_id)
        .order_by(AcquisitionEvent.acquisition_id, AcquisitionEvent.id), filters)
    rules_on = rules_in_force()
    times, previous = [], None
    for row in db.session.execute(query):
        if previous is not None and previous.acquisition_id == row.acquisition_id:
            step = previous.status.value
            began_on, finished_on = beijing_date(previous.at), beijing_date(row.at)
            if (step in STEP_DEADLINE_RULES and row.status != AcquisitionStatus.CANCELLED
                    and finished_on.year == filters.program_year):
                times.append(monitoring.StepTime(step, row.old_district_code, (finished_on - began_on).days,
                                                 getattr(rules_on(began_on), STEP_DEADLINE_RULES[step])))
        previous = row
    return times


@dataclass(frozen=True)
class ReservationCounts:
    """Protected reservations proposed in the filters' days of the year, by state: in all, by the
    old home's district, and by channel. A reservation is the city group's while its hold is
    turned to the city group and once a city-group purchase converted it; every other one is
    the market's (the household sells on the market while the unit is held)."""

    total: dict[ReservationStatus, int]
    by_district: list[tuple[str, dict[ReservationStatus, int]]]   # districts with any, in code order
    by_channel: dict[Channel, dict[ReservationStatus, int]]


def reservation_counts(filters: ProgressFilters) -> ReservationCounts:
    to_city_group = or_(Reservation.status == ReservationStatus.CITY_GROUP, Reservation.acquisition_id.is_not(None))
    query = _reservation_filter(
        select(SwapApplication.old_district_code, to_city_group, Reservation.status, func.count())
        .join(SwapApplication, SwapApplication.id == Reservation.application_id)
        .group_by(SwapApplication.old_district_code, to_city_group, Reservation.status), filters, to_city_group)
    zeros = dict.fromkeys(ReservationStatus, 0)
    total, by_channel = dict(zeros), {channel: dict(zeros) for channel in Channel}
    by_district: dict[str, dict[ReservationStatus, int]] = defaultdict(lambda: dict(zeros))
    for district_code, city_group, status, count in db.session.execute(query):
        total[status] += count
        by_district[district_code][status] += count
        by_channel[Channel.CITY_GROUP if city_group else Channel.MARKET][status] += count
    return ReservationCounts(total, sorted(by_district.items()), by_channel)


def _reservation_filter(query, filters: ProgressFilters, to_city_group):
    first, last = date(filters.program_year, 1, 1), date(filters.program_year, 12, 31)
    query = query.where(Reservation.proposed_on.between(max(first, filters.date_from or first),
                                                        min(last, filters.date_to or last)))
    if filters.district:
        query = query.where(SwapApplication.old_district_code == filters.district)
    if filters.channel:
        query = query.where(to_city_group if filters.channel == Channel.CITY_GROUP else ~to_city_group)
    return query


def _target_for(filters: ProgressFilters, targets: Targets) -> int:
    if filters.channel == Channel.CITY_GROUP:
        return targets.city_group
    if filters.channel == Channel.MARKET:
        return targets.market
    return targets.total


def _daily_net_counts(filters: ProgressFilters) -> dict[date, int]:
    signed = case((GoalLedgerEntry.entry_type == LedgerEntryType.COUNT, 1), else_=-1)
    query = ledger_where(select(GoalLedgerEntry.completed_on, func.sum(signed))
                         .group_by(GoalLedgerEntry.completed_on), filters)
    return {day: int(count) for day, count in db.session.execute(query)}


# ----- the funnel --------------------------------------------------------------------------------

@dataclass(frozen=True)
class FunnelStage:
    key: str
    label: str
    count: int
    rate_from_previous: float | None   # percent of the previous stage that reached this one
    median_days: float | None          # median days from the previous stage to this one


FUNNEL_LABELS = (("submitted", "已提交"), ("eligible", "审核符合条件"), ("matched", "已匹配"),
                 ("in_progress", "办理中"), ("completed", "已完成"))
REACHED_MATCHED = (ApplicationStatus.MATCHED, ApplicationStatus.IN_PROGRESS, ApplicationStatus.COMPLETED)
REACHED_IN_PROGRESS = (ApplicationStatus.IN_PROGRESS, ApplicationStatus.COMPLETED)


def stage_clause(stage: str):
    """Which applications reached ``stage`` (also used to list them for a drill-down)."""
    has_match = exists().where(ApplicationMatch.application_id == SwapApplication.id)
    return {
        "submitted": SwapApplication.submitted_at.is_not(None),
        "eligible": and_(SwapApplication.submitted_at.is_not(None),  # a non-empty JSON list of channels
                         func.length(cast(SwapApplication.eligible_channels, String)) > 2),
        "matched": SwapApplication.status.in_(REACHED_MATCHED) | has_match,
        "in_progress": SwapApplication.status.in_(REACHED_IN_PROGRESS),
        "completed": SwapApplication.status == ApplicationStatus.COMPLETED,
    }[stage]


def application_filter(query, filters: ProgressFilters):
    """The dashboard filters as they apply to applications: district of the old home, submission
    date, and the channel the household asked for."""
    if filters.district:
        query = query.where(SwapApplication.old_district_code == filters.district)
    if filters.date_from:
        query = query.where(SwapApplication.submitted_at >= beijing_midnight(filters.date_from))
    if filters.date_to:
        query = query.where(SwapApplication.submitted_at < beijing_midnight(filters.date_to + timedelta(days=1)))
    if filters.channel:
        query = query.where(SwapApplication.channel_preference.in_(
            (ChannelPreference(filters.channel.value), ChannelPreference.EITHER)))
    return query


def applications_at_stage(stage: str, filters: ProgressFilters, page: int, per_page: int = 50) -> Page[SwapApplication]:
    """The applications behind one funnel figure, newest submission first."""
    query = application_filter(select(SwapApplication).where(stage_clause(stage)), filters)
    return paginate(query, page, per_page, SwapApplication.submitted_at.desc())


def funnel(filters: ProgressFilters) -> list[FunnelStage]:
    counts = {key: db.session.scalar(application_filter(
        select(func.count()).select_from(SwapApplication).where(stage_clause(key)), filters))
        for key, _ in FUNNEL_LABELS}
    medians = _stage_medians(filters)
    stages, previous = [], None
    for key, label in FUNNEL_LABELS:
        stages.append(FunnelStage(key, label, counts[key],
                                  monitoring.rate(counts[key], counts[previous]) if previous else None,
                                  medians.get(key)))
        previous = key
    return stages


def _stage_medians(filters: ProgressFilters) -> dict[str, float | None]:
    """Median days between the first timeline event of each stage and of the one before it."""
    first_at = (select(ApplicationEvent.application_id, ApplicationEvent.status, func.min(ApplicationEvent.at))
                .join(SwapApplication, SwapApplication.id == ApplicationEvent.application_id)
                .group_by(ApplicationEvent.application_id, ApplicationEvent.status))
    moments: dict[int, dict[str, datetime]] = defaultdict(dict)
    for application_id, status, at in db.session.execute(application_filter(first_at, filters)):
        moments[application_id][status.value] = at
    steps = {"eligible": ("submitted", "eligible"), "matched": ("eligible", "matched"),
             "in_progress": ("eligible", "in_progress"), "completed": ("in_progress", "completed")}
    result = {}
    for stage, (start, end) in steps.items():
        durations = [(m[end] - m[start]).days for m in moments.values() if start in m and end in m]
        result[stage] = monitoring.median_days(durations)
    return result


# ----- where work stalls -------------------------------------------------------------------------

@dataclass(frozen=True)
class StalledCase:
    kind: str            # acquisition, market_swap or application
    record_id: int
    application_id: int | None
    district_code: str
    waiting_for: str
    days: int
    household_name: str
    household_phone: str | None


def stalled_cases(filters: ProgressFilters, stall_days: int, today: date) -> list[StalledCase]:
    """Open work untouched for more than ``stall_days``: acquisitions by their last step, market
    swaps awaiting verification, eligible city-group applications nobody has taken in."""
    cutoff = beijing_midnight(today - timedelta(days=stall_days))
    cases = _stalled_acquisitions(filters, cutoff, today) + _stalled_swaps(filters, cutoff, today)
    cases += _untaken_applications(filters, cutoff, today)
    return sorted(cases, key=lambda case_: -case_.days)[:500]


def _stalled_acquisitions(filters, cutoff: datetime, today: date) -> list[StalledCase]:
    last_step = (select(AcquisitionEvent.acquisition_id, func.max(AcquisitionEvent.at).label("at"))
                 .group_by(AcquisitionEvent.acquisition_id).subquery())
    query = (select(Acquisition, SwapApplication, User, last_step.c.at)
             .join(SwapApplication, SwapApplication.id == Acquisition.application_id)
             .join(User, User.id == SwapApplication.household_user_id)
             .join(last_step, last_step.c.acquisition_id == Acquisition.id)
             .where(Acquisition.status.notin_((AcquisitionStatus.COMPLETED, AcquisitionStatus.CANCELLED)),
                    last_step.c.at < cutoff))
    return [StalledCase("acquisition", acquisition.id, application.id, application.old_district_code,
                        WAITING_FOR.get(acquisition.status.value, ""), (today - beijing_date(at)).days, user.real_name,
                        user.phone)
            for acquisition, application, user, at in db.session.execute(application_filter(query, filters))]


def _stalled_swaps(filters, cutoff: datetime, today: date) -> list[StalledCase]:
    query = (select(MarketSwap, User).join(User, User.id == MarketSwap.household_user_id)
             .where(MarketSwap.status == MarketSwapStatus.RECORDED, MarketSwap.created_at < cutoff))
    if filters.district:
        query = query.where(MarketSwap.old_district_code == filters.district)
    if filters.channel == Channel.CITY_GROUP:
        return []
    return [StalledCase("market_swap", swap.id, swap.application_id, swap.old_district_code, "住房保障局核验",
                        (today - beijing_date(swap.created_at)).days, user.real_name, user.phone)
            for swap, user in db.session.execute(query)]


def _untaken_applications(filters, cutoff: datetime, today: date) -> list[StalledCase]:
    if filters.channel == Channel.MARKET:
        return []
    live = exists().where(Acquisition.application_id == SwapApplication.id,
                          Acquisition.status != AcquisitionStatus.CANCELLED)
    query = (select(SwapApplication, User).join(User, User.id == SwapApplication.household_user_id)
             .where(SwapApplication.status.in_((ApplicationStatus.ELIGIBLE, ApplicationStatus.MATCHED)),
                    cast(SwapApplication.eligible_channels, String).contains(Channel.CITY_GROUP.value),
                    SwapApplication.decided_at < cutoff, ~live))
    return [StalledCase("application", application.id, application.id, application.old_district_code,
                        "城发集团受理", (today - beijing_date(application.decided_at)).days, user.real_name, user.phone)
            for application, user in db.session.execute(application_filter(query, filters))]


# ----- new-build absorption ----------------------------------------------------------------------

@dataclass(frozen=True)
class ProjectAbsorption:
    project_id: int
    project_name: str
    developer_name: str
    district_code: str
    sold_through_program: int
    remaining_stock: int


def absorption(filters: ProgressFilters) -> list[ProjectAbsorption]:
    """Units counted on the ledger (live counts) per project, beside the units still for sale in
    projects that take part in the program."""
    sold_query = ledger_where(
        select(Building.project_id, func.count()).select_from(LedgerClaim)
        .join(GoalLedgerEntry, GoalLedgerEntry.id == LedgerClaim.entry_id)
        .join(Unit, Unit.id == LedgerClaim.new_unit_id).join(Building, Building.id == Unit.building_id)
        .group_by(Building.project_id), filters)
    sold = dict(db.session.execute(sold_query).all())
    stock = dict(db.session.execute(
        select(Building.project_id, func.count()).select_from(Unit).join(Building, Building.id == Unit.building_id)
        .where(Unit.status == UnitStatus.AVAILABLE).group_by(Building.project_id)).all())
    projects = db.session.execute(
        select(Project, Organization.name).join(Organization, Organization.id == Project.developer_org_id)
        .where(Project.in_swap_program.is_(True) | Project.id.in_(list(sold) or [0]))).all()
    rows = [ProjectAbsorption(project.id, project.name, developer, project.district_code,
                              sold.get(project.id, 0), stock.get(project.id, 0) if project.in_swap_program else 0)
            for project, developer in projects
            if not filters.district or project.district_code == filters.district or sold.get(project.id)]
    return sorted(rows, key=lambda row: (-row.sold_through_program, row.project_name))

