"""How long drawdowns take, in working days (England's bank holidays left out), against a target.

A stage's time is the number of working days after the day it started up to and including the day it ended: a
request made on a Monday and decided on the Tuesday took 1 working day, one decided the same day took 0.
"""

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app

from portal.models import Drawdown, DrawdownStatus
from portal.periods import london_date, today_in_london, working_days_between

DEFAULT_TARGET_WORKING_DAYS = 10


def target_working_days() -> int:
    target: int = current_app.config.get("DRAWDOWN_TARGET_WORKING_DAYS", DEFAULT_TARGET_WORKING_DAYS)
    return target


def working_days_taken(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``; 0 when ``end`` is not after ``start``."""
    return working_days_between(start + timedelta(days=1), end)


@dataclass(frozen=True)
class Turnaround:
    """One drawdown's times. ``finished`` is False while it waits for a decision or payment: then ``overall`` is
    the time so far, up to ``today``."""

    to_decision: int | None
    to_payment: int | None
    overall: int
    finished: bool
    target: int

    @property
    def over_target(self) -> bool:
        return self.overall > self.target

    @property
    def words(self) -> str:
        """The state against the target in words, never by colour alone."""
        if self.over_target:
            return f"Over target by {self.overall - self.target} working days"
        if self.finished:
            return "Within target"
        return f"{self.target - self.overall} working days left"


local_date = london_date


def turnaround(drawdown: Drawdown, today: date, target: int) -> Turnaround:
    requested = local_date(drawdown.requested_at)
    decided = local_date(drawdown.decided_at) if drawdown.decided_at else None
    to_decision = working_days_taken(requested, decided) if decided else None
    to_payment = working_days_taken(decided, drawdown.paid_on) if decided and drawdown.paid_on else None
    end: date | None
    if drawdown.status is DrawdownStatus.PAID:
        end, finished = drawdown.paid_on, True
    elif drawdown.status is DrawdownStatus.REFUSED:
        end, finished = decided, True  # a refusal ends it: nothing is paid
    else:
        end, finished = today, False
    # A paid drawdown has its payment date and a refused one its decision (check constraints); today otherwise.
    return Turnaround(to_decision, to_payment, working_days_taken(requested, end or today), finished, target)


@dataclass(frozen=True)
class TurnaroundSummary:
    """Finished drawdowns (paid or refused): how many, the median overall time and the share within target."""

    count: int
    median_working_days: float | None
    within_target: int
    target: int

    @property
    def percent_within_target(self) -> int | None:
        return round(100 * self.within_target / self.count) if self.count else None

    @property
    def median_words(self) -> str:
        if self.median_working_days is None:
            return "None finished yet"
        value = f"{self.median_working_days:g}"
        return f"{value} working {'day' if value == '1' else 'days'}"


def summarise(turnarounds: Iterable[Turnaround], target: int) -> TurnaroundSummary:
    finished = [t.overall for t in turnarounds if t.finished]
    return TurnaroundSummary(
        count=len(finished),
        median_working_days=statistics.median(finished) if finished else None,
        within_target=sum(1 for days in finished if days <= target),
        target=target,
    )


today = today_in_london
