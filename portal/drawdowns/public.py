"""What the public may see of allocations and drawdowns: aggregates per financial year, never names of people.

Two measures the London Assembly asked for: whether Safer Neighbourhood Boards get their money on time, and how
quickly their drawdowns are turned round.
"""

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from portal.drawdowns.turnaround import summarise, target_working_days, today, turnaround
from portal.extensions import db
from portal.models import Allocation, Drawdown
from portal.periods import financial_year_label


@dataclass(frozen=True)
class IssuingYear:
    financial_year: int
    on_time: int
    late: int
    not_issued: int

    @property
    def label(self) -> str:
        return financial_year_label(self.financial_year)

    @property
    def percent_on_time(self) -> int | None:
        issued = self.on_time + self.late
        return round(100 * self.on_time / issued) if issued else None


@dataclass(frozen=True)
class TurnaroundYear:
    financial_year: int
    count: int
    median_working_days: float | None
    percent_within_target: int | None
    target_working_days: int

    @property
    def label(self) -> str:
        return financial_year_label(self.financial_year)


def allocations_issued_on_time_by_year(fund_id: int | None = None) -> list[IssuingYear]:
    """For each financial year with allocations (from one fund, if given): how many were issued by their issue-by
    date, how many after it, and how many are not issued yet. Earliest year first."""
    issued = Allocation.issued_on.is_not(None)
    rows = db.session.execute(
        sa.select(
            Allocation.financial_year,
            sa.func.sum(sa.case((sa.and_(issued, Allocation.issued_on <= Allocation.issue_by), 1), else_=0)),
            sa.func.sum(sa.case((sa.and_(issued, Allocation.issued_on > Allocation.issue_by), 1), else_=0)),
            sa.func.sum(sa.case((Allocation.issued_on.is_(None), 1), else_=0)),
        )
        .where(Allocation.fund_id == fund_id if fund_id else sa.true())
        .group_by(Allocation.financial_year)
        .order_by(Allocation.financial_year)
    )
    return [IssuingYear(year, int(on_time), int(late), int(waiting)) for year, on_time, late, waiting in rows]


def drawdown_turnaround_by_year(fund_id: int | None = None) -> list[TurnaroundYear]:
    """For each financial year of the allocations drawn on (from one fund, if given): the drawdowns finished (paid,
    or refused), their median working days from request to payment (or refusal), and the share finished within the
    target. Earliest year first; a year whose drawdowns are all still open shows a count of 0."""
    target = target_working_days()
    by_year: dict[int, list] = defaultdict(list)
    rows = db.session.execute(
        sa.select(Allocation.financial_year, Drawdown)
        .join(Drawdown.allocation)
        .where(Allocation.fund_id == fund_id if fund_id else sa.true())
        .order_by(Allocation.financial_year)
    )
    now = today()
    for year, drawdown in rows:
        by_year[year].append(turnaround(drawdown, now, target))
    result = []
    for year in sorted(by_year):
        summary = summarise(by_year[year], target)
        result.append(
            TurnaroundYear(year, summary.count, summary.median_working_days, summary.percent_within_target, target)
        )
    return result
