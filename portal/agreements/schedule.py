"""The payment schedule of an award, worked out from its dates and amounts alone (no database here).

Awards are paid quarterly in advance, because small charities cannot wait to be paid in arrears: each financial
year's amount is shared between the quarters of the award within that year (Q1 = April to June), and each
instalment is due on the first day of its quarter, or on the award's start date for the first. A quarter the award
only partly covers gets the share of the year's amount that its covered days are of the whole quarter. Shares are
whole pence and always add up to the year's amount exactly: pennies left over by rounding go to the quarters with
the largest remainders, the earliest first.

When an award changes, instalments already released or paid stay as they are; the rest of each year's amount is
shared between that year's quarters that have not been paid yet (or paid as one top-up if there are none).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from portal.monitoring.schedule import QUARTERS
from portal.periods import financial_year_label, financial_years_between


@dataclass(frozen=True)
class PlannedInstalment:
    financial_year: int
    label: str
    period_start: date
    due_on: date
    amount_pence: int


@dataclass(frozen=True)
class CommittedInstalment:
    """An instalment already released or paid: its quarter's label and amount."""

    financial_year: int
    label: str
    amount_pence: int


@dataclass(frozen=True)
class Quarter:
    financial_year: int
    label: str
    start: date  # clipped to the award's start
    weight: Fraction  # how much of the quarter the award covers


def quarters_of(financial_year: int, start: date, end: date) -> list[Quarter]:
    """The quarters of ``financial_year`` that ``start``..``end`` touches, with the share of each it covers."""
    quarters = []
    for first_month, last_month, name in QUARTERS:
        calendar_year = financial_year if first_month >= 4 else financial_year + 1
        quarter_start = date(calendar_year, first_month, 1)
        quarter_end = _month_end(calendar_year, last_month)
        covered_start, covered_end = max(quarter_start, start), min(quarter_end, end)
        if covered_start > covered_end:
            continue
        covered = (covered_end - covered_start).days + 1
        length = (quarter_end - quarter_start).days + 1
        quarters.append(
            Quarter(
                financial_year,
                f"{name} {financial_year_label(financial_year)}",
                covered_start,
                Fraction(covered, length),
            )
        )
    return quarters


def split_pence(total: int, weights: list[Fraction]) -> list[int]:
    """``total`` shared in proportion to ``weights``, in whole pence that add up to ``total`` exactly."""
    if not weights:
        return []
    whole = sum(weights)
    exact = [Fraction(total) * weight / whole for weight in weights]
    shares = [int(share) for share in exact]  # floor: every share is non-negative
    left_over = total - sum(shares)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for index in by_remainder[:left_over]:
        shares[index] += 1
    return shares


def plan_instalments(
    start: date,
    end: date,
    amounts: dict[int, int],
    committed: Sequence[CommittedInstalment] = (),
    *,
    top_up_due_on: date | None = None,
) -> list[PlannedInstalment]:
    """The instalments still to be paid for an award from ``start`` to ``end`` with ``amounts`` (pence) by
    financial year, given those already ``committed``. In order of due date; no instalment is for nothing.

    Raises ``ValueError`` if a year's amount is less than what is already committed in it.
    """
    planned = []
    years = sorted(set(amounts) | {c.financial_year for c in committed})
    covered_years = set(financial_years_between(start, end)) if end >= start else set()
    for year in years:
        already = [c for c in committed if c.financial_year == year]
        remaining = amounts.get(year, 0) - sum(c.amount_pence for c in already)
        if remaining < 0:
            raise ValueError(f"{financial_year_label(year)} is less than has already been paid or released")
        if remaining == 0:
            continue
        paid_labels = {c.label for c in already}
        quarters = (
            [q for q in quarters_of(year, start, end) if q.label not in paid_labels] if year in covered_years else []
        )
        if not quarters:
            # Every quarter of the year is paid already: the increase is paid as one more instalment.
            due = top_up_due_on or max(start, date(year, 4, 1))
            label = f"Top-up {financial_year_label(year)}"
            planned.append(PlannedInstalment(year, label, due, due, remaining))
            continue
        for quarter, share in zip(quarters, split_pence(remaining, [q.weight for q in quarters]), strict=True):
            if share:
                planned.append(PlannedInstalment(year, quarter.label, quarter.start, quarter.start, share))
    return sorted(planned, key=lambda p: (p.due_on, p.label))


def _month_end(year: int, month: int) -> date:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return following - timedelta(days=1)
