"""The window rule: no short application windows, and no rounds sprung on people.

A round must be open for at least its minimum number of working days (30 by default, leaving out weekends and
bank holidays in England) and announced at least 14 days before it opens. An officer can go below either only by
recording a reason, which is then shown publicly beside the round.

Dates are London dates: a round that closes at 5pm on a Friday counts that Friday as a working day.
"""

from dataclasses import dataclass
from datetime import datetime

from portal.errors import DomainError
from portal.models.funding import DEFAULT_MINIMUM_WINDOW_WORKING_DAYS, MINIMUM_NOTICE_DAYS
from portal.periods import london_date, working_days_between


@dataclass(frozen=True)
class WindowCheck:
    """How a round's window measures up against the rule."""

    working_days: int
    notice_days: int
    minimum_working_days: int = DEFAULT_MINIMUM_WINDOW_WORKING_DAYS
    minimum_notice_days: int = MINIMUM_NOTICE_DAYS

    @property
    def too_short(self) -> bool:
        return self.working_days < self.minimum_working_days

    @property
    def short_notice(self) -> bool:
        return self.notice_days < self.minimum_notice_days

    @property
    def needs_reason(self) -> bool:
        return self.too_short or self.short_notice

    def problems(self) -> list[str]:
        """What is wrong, in words an officer (and the public) can read."""
        problems = []
        if self.too_short:
            problems.append(
                f"it is open for {_plural(self.working_days, 'working day')}, fewer than the minimum of "
                f"{self.minimum_working_days}"
            )
        if self.short_notice:
            if self.notice_days <= 0:
                problems.append(f"it opens without the {self.minimum_notice_days} days' notice the rule asks for")
            else:
                problems.append(
                    f"it is announced {_plural(self.notice_days, 'day')} before it opens, less than the "
                    f"{self.minimum_notice_days} days' notice the rule asks for"
                )
        return problems


def check_window(
    opens_at: datetime,
    closes_at: datetime,
    *,
    announced_at: datetime,
    minimum_working_days: int = DEFAULT_MINIMUM_WINDOW_WORKING_DAYS,
) -> WindowCheck:
    """Measure a window. It counts from the opening date, or from the announcement if that is later (people cannot
    apply to a round they have not heard of), to the closing date, both days included."""
    opens_on = london_date(opens_at)
    announced_on = london_date(announced_at)
    starts_on = max(opens_on, announced_on)
    return WindowCheck(
        working_days=working_days_between(starts_on, london_date(closes_at)),
        notice_days=(opens_on - announced_on).days,
        minimum_working_days=minimum_working_days,
    )


def reason_for(check: WindowCheck, reason: str | None) -> str | None:
    """The reason to store with the round: required when the window breaks the rule, dropped when it does not
    (a reason shown publicly beside a round that needs none would only confuse).

    Raises :class:`DomainError` on ``short_window_reason`` when a reason is needed and none was given.
    """
    reason = (reason or "").strip()
    if not check.needs_reason:
        return None
    if not reason:
        raise DomainError(
            "Give a reason for the short window, which will be published with the round: "
            + " and ".join(check.problems()),
            field="short_window_reason",
        )
    return reason


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
