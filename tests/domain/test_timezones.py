"""The platform's days are Zhengzhou's (UTC+8): 'today', a day's first instant, a moment's day."""
from datetime import UTC, date, datetime

from housing_swap.domain.timezones import beijing_date, beijing_midnight


def test_a_beijing_day_starts_at_16_00_utc_the_day_before():
    assert beijing_midnight(date(2026, 12, 4)) == datetime(2026, 12, 3, 16, 0, tzinfo=UTC)
    assert beijing_midnight(date(2025, 1, 1)) == datetime(2024, 12, 31, 16, 0, tzinfo=UTC)


def test_a_moment_after_16_00_utc_is_on_the_next_beijing_day():
    assert beijing_date(datetime(2026, 12, 3, 15, 59, 59, tzinfo=UTC)) == date(2026, 12, 3)
    assert beijing_date(datetime(2026, 12, 3, 16, 0, tzinfo=UTC)) == date(2026, 12, 4)
    assert beijing_date(datetime(2024, 12, 31, 17, 0, tzinfo=UTC)) == date(2025, 1, 1)  # next programme year
