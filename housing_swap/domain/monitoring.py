"""The arithmetic of the bureau's dashboard: cumulative progress by week, the straight line to
the target, the year-end forecast, and medians. Pure functions over plain numbers and dates."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median

FORECAST_WINDOW_DAYS = 28  # the "recent pace" is the average daily net count over the last four weeks


@dataclass(frozen=True)
class WeekPoint:
    week_start: date      # a Monday
    cumulative: int       # net completions up to the end of that week
    planned: float        # the straight line from 0 at the year's start to the target at its end


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_progress(daily: dict[date, int], year_start: date, year_end: date, target: int,
                    as_of: date) -> list[WeekPoint]:
    """Cumulative net completions at the end of each week up to ``as_of``, beside the plan."""
    points = []
    running = 0
    total_days = (year_end - year_start).days + 1
    days = sorted(daily)
    index = 0
    monday = week_start(year_start)
    last = min(as_of, year_end)
    while monday <= last:
        sunday = monday + timedelta(days=6)
        while index < len(days) and days[index] <= sunday:
            running += daily[days[index]]
            index += 1
        elapsed = min(max((min(sunday, year_end) - year_start).days + 1, 0), total_days)
        points.append(WeekPoint(monday, running, target * elapsed / total_days))
        monday += timedelta(days=7)
    return points


@dataclass(frozen=True)
class Forecast:
    done: int
    pace_per_day: float
    days_left: int
    year_end_total: int
    reaches_target: bool
    method: str


def year_end_forecast(daily: dict[date, int], as_of: date, year_end: date, target: int) -> Forecast:
    """Done so far plus the recent daily pace times the days left in the year."""
    done = sum(count for day, count in daily.items() if day <= as_of)
    window_start = as_of - timedelta(days=FORECAST_WINDOW_DAYS - 1)
    recent = sum(count for day, count in daily.items() if window_start <= day <= as_of)
    pace = max(recent, 0) / FORECAST_WINDOW_DAYS
    days_left = max((year_end - as_of).days, 0)
    total = done + round(pace * days_left)
    method = (f"按最近{FORECAST_WINDOW_DAYS}天的净完成量（{recent}套，日均{pace:.2f}套）"
              f"乘以年底前剩余的{days_left}天，加上已完成的{done}套")
    return Forecast(done, pace, days_left, total, total >= target, method)


def median_days(durations: list[int]) -> float | None:
    return float(median(durations)) if durations else None


def rate(part: int, whole: int) -> float | None:
    """A conversion rate in percent, or None when nothing entered the stage."""
    return round(100.0 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class DistrictProgress:
    code: str
    completed: int
    target: int | None        # None: the year's rules give this district no share
    share: float | None       # completed ÷ target


def district_progress(completed: dict[str, int], percents: dict[str, int], target: int,
                      codes: list[str]) -> list[DistrictProgress]:
    """Each district's completed swaps against its share (percent of ``target``) of the goal."""
    rows = []
    for code in codes:
        percent = percents.get(code)
        district_target = None if percent is None else round(target * percent / 100)
        done = completed.get(code, 0)
        rows.append(DistrictProgress(code, done, district_target,
                                     done / district_target if district_target else None))
    return rows


@dataclass(frozen=True)
class StepTime:
    """One finished acquisition step: whose district, how many days it took and how many it had."""
    step: str
    district: str
    days: int
    allowed: int

    @property
    def on_time(self) -> bool:
        return self.days <= self.allowed


@dataclass(frozen=True)
class Timeliness:
    key: str
    finished: int
    median_days: float | None
    on_time_percent: float | None


def timeliness(times: list[StepTime], key) -> list[Timeliness]:
    """Finished steps grouped by ``key`` (the step, or the district): how many, the median days and
    the share done within the service deadline, in the groups' first-seen order."""
    groups: dict[str, list[StepTime]] = {}
    for time in times:
        groups.setdefault(key(time), []).append(time)
    return [Timeliness(name, len(group), median_days([t.days for t in group]),
                       rate(sum(1 for t in group if t.on_time), len(group)))
            for name, group in groups.items()]
