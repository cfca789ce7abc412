"""Turnaround in working days: weekends and England's bank holidays are left out, and the target is in words."""

from datetime import date

import pytest

from portal.drawdowns.turnaround import Turnaround, summarise, turnaround, working_days_taken
from portal.models import Drawdown, DrawdownStatus
from tests.factories_drawdowns import at_noon


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 6, 1), date(2026, 6, 1), 0),  # decided the day it was asked: no time taken
        (date(2026, 6, 1), date(2026, 6, 2), 1),  # Monday to Tuesday
        (date(2026, 6, 5), date(2026, 6, 8), 1),  # Friday to Monday: the weekend is not counted
        (date(2026, 6, 1), date(2026, 6, 15), 10),  # two working weeks
        (date(2026, 12, 24), date(2026, 12, 29), 1),  # Christmas Day, the weekend, Boxing Day moved to Monday
        (date(2026, 4, 2), date(2026, 4, 7), 1),  # Good Friday and Easter Monday 2026 are left out
        (date(2026, 6, 10), date(2026, 6, 1), 0),  # an end before the start takes no time
    ],
)
def test_working_days_taken_leaves_out_weekends_and_bank_holidays(start, end, expected):
    assert working_days_taken(start, end) == expected


def drawdown(status, requested, decided=None, paid=None):
    return Drawdown(
        status=status,
        requested_at=at_noon(requested),
        decided_at=at_noon(decided) if decided else None,
        paid_on=paid,
    )


def test_a_paid_drawdown_is_timed_from_request_to_decision_to_payment():
    t = turnaround(
        drawdown(DrawdownStatus.PAID, date(2026, 6, 1), date(2026, 6, 4), date(2026, 6, 11)), date(2026, 11, 20), 10
    )
    assert (t.to_decision, t.to_payment, t.overall, t.finished) == (3, 5, 8, True)
    assert not t.over_target
    assert t.words == "Within target"


def test_a_refused_drawdown_finishes_at_its_refusal():
    t = turnaround(drawdown(DrawdownStatus.REFUSED, date(2026, 6, 1), date(2026, 6, 22)), date(2026, 11, 20), 10)
    assert (t.to_decision, t.to_payment, t.overall, t.finished) == (15, None, 15, True)
    assert t.words == "Over target by 5 working days"


def test_an_open_drawdown_counts_the_days_so_far_and_shows_what_is_left():
    t = turnaround(drawdown(DrawdownStatus.REQUESTED, date(2026, 11, 16)), date(2026, 11, 20), 10)
    assert (t.to_decision, t.overall, t.finished) == (None, 4, False)
    assert t.words == "6 working days left"
    late = turnaround(drawdown(DrawdownStatus.APPROVED, date(2026, 11, 2), date(2026, 11, 3)), date(2026, 11, 20), 10)
    assert (late.to_decision, late.to_payment, late.overall, late.over_target) == (1, None, 14, True)


def test_exactly_on_the_target_is_within_it():
    t = turnaround(
        drawdown(DrawdownStatus.PAID, date(2026, 6, 1), date(2026, 6, 8), date(2026, 6, 15)), date(2026, 11, 20), 10
    )
    assert t.overall == 10 and not t.over_target


def test_the_summary_takes_the_median_of_finished_drawdowns_only():
    times = [Turnaround(1, 1, days, True, 10) for days in (4, 9, 12, 20)] + [Turnaround(None, None, 30, False, 10)]
    summary = summarise(times, 10)
    assert (summary.count, summary.median_working_days, summary.within_target) == (4, 10.5, 2)
    assert summary.percent_within_target == 50
    assert summary.median_words == "10.5 working days"
    empty = summarise([], 10)
    assert (empty.count, empty.percent_within_target, empty.median_words) == (0, None, "None finished yet")
