"""The platform stores UTC and shows Beijing time (Asia/Shanghai, UTC+8, no daylight saving)."""
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def beijing_today() -> date:
    """Today in Zhengzhou: the day every date rule, deadline and count of the platform is in.
    (The machines' own clock is UTC, so ``date.today()`` is yesterday there until 08:00.)"""
    return datetime.now(SHANGHAI).date()


def beijing_midnight(day: date) -> datetime:
    """The first instant of a Beijing calendar day, as a UTC moment: where a filter "from this day"
    starts and "to the day before" ends (16:00 UTC of the day before)."""
    return datetime.combine(day, time.min, tzinfo=SHANGHAI).astimezone(UTC)


def beijing_date(moment: datetime) -> date:
    """The calendar day in Zhengzhou at a stored UTC moment."""
    return moment.astimezone(SHANGHAI).date()


def days_on_market(listed_at: datetime | None, now: datetime) -> int | None:
    """Whole Beijing days since the listing went on the market (0 on its first day)."""
    if listed_at is None:
        return None
    return (beijing_date(now) - beijing_date(listed_at)).days
