"""The schedule of returns for an award, worked out from its dates alone (no database here).

Returns follow the UK financial year: quarterly (Q1 = April to June) by default, or every six months (H1 = April
to September) for small awards, which also get a shorter form. Each period is clipped to the award's own start and
end, and a return is due a set number of days after its period ends.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from portal.models import ReturnFrequency
from portal.periods import financial_year_label, financial_years_between

DEFAULT_DAYS_TO_REPORT = 30

# (first month, last month, name) of each period within a financial year that starts in April.
QUARTERS = ((4, 6, "Q1"), (7, 9, "Q2"), (10, 12, "Q3"), (1, 3, "Q4"))
HALVES = ((4, 9, "H1"), (10, 3, "H2"))


@dataclass(frozen=True)
class ReturnPeriod:
    financial_year: int
    label: str
    start: date
    end: date
    due_on: date
    frequency: ReturnFrequency


def frequency_for(total_pence: int, small_bid_threshold_pence: int) -> ReturnFrequency:
    """Proportionate monitoring: an award at or under the small-bid threshold reports every six months."""
    return ReturnFrequency.SIX_MONTHLY if total_pence <= small_bid_threshold_pence else ReturnFrequency.QUARTERLY


def return_periods(
    start: date,
    end: date,
    frequency: ReturnFrequency = ReturnFrequency.QUARTERLY,
    *,
    days_to_report: int = DEFAULT_DAYS_TO_REPORT,
) -> list[ReturnPeriod]:
    """Every reporting period that ``start``..``end`` (inclusive) touches, clipped to those dates, in order."""
    shape = QUARTERS if frequency is ReturnFrequency.QUARTERLY else HALVES
    periods = []
    for year in financial_years_between(start, end):
        for first_month, last_month, name in shape:
            period_start = date(year if first_month >= 4 else year + 1, first_month, 1)
            period_end = _month_end(year if last_month >= 4 else year + 1, last_month)
            clipped_start, clipped_end = max(period_start, start), min(period_end, end)
            if clipped_start > clipped_end:
                continue
            periods.append(
                ReturnPeriod(
                    financial_year=year,
                    label=f"{name} {financial_year_label(year)}",
                    start=clipped_start,
                    end=clipped_end,
                    due_on=clipped_end + timedelta(days=days_to_report),
                    frequency=frequency,
                )
            )
    return periods


def _month_end(year: int, month: int) -> date:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return following - timedelta(days=1)
