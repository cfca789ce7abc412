"""UK financial years (April to March), working days in England and Wales, and what day it is in London.

Dates people see and deadlines they meet are London dates; timestamps are stored in UTC. The conversion lives
here once.
"""

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from portal.database import utcnow

LONDON = ZoneInfo("Europe/London")


def london_date(moment: datetime) -> date:
    """The day it was in London at ``moment`` (an aware datetime)."""
    return moment.astimezone(LONDON).date()


def today_in_london() -> date:
    return london_date(utcnow())


def financial_year_start(day: date) -> int:
    """The calendar year in which ``day``'s financial year starts: 2026-03-31 → 2025, 2026-04-01 → 2026."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(start_year: int) -> str:
    """``2026`` → ``'2026/27'``."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def financial_year_bounds(start_year: int) -> tuple[date, date]:
    return date(start_year, 4, 1), date(start_year + 1, 3, 31)


def financial_years_between(start: date, end: date) -> list[int]:
    """Every financial year that ``start``..``end`` (inclusive) touches."""
    return list(range(financial_year_start(start), financial_year_start(end) + 1))


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_days_between(start: date, end: date) -> int:
    """Working days from ``start`` to ``end`` inclusive, leaving out weekends and bank holidays in England."""
    if end < start:
        return 0
    count = 0
    day = start
    while day <= end:
        if is_working_day(day):
            count += 1
        day += timedelta(days=1)
    return count


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start``."""
    day = start
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day
