"""When follow-ups open and fall due after an award ends, including at the ends of months and in leap years."""

from datetime import date

import pytest

from portal.dialogue.follow_ups import DAYS_TO_REPORT, follow_up_dates, months_after


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 3, 31), 6, date(2026, 9, 30)),  # the usual end of a financial year: month end to month end
        (date(2026, 3, 31), 12, date(2027, 3, 31)),
        (date(2026, 9, 30), 6, date(2027, 3, 31)),  # the last day of September stays the last day of a month
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # into a leap February
        (date(2028, 2, 29), 12, date(2029, 2, 28)),  # from a leap day to a year without one
        (date(2028, 2, 29), 6, date(2028, 8, 31)),  # a leap day is the end of its month
        (date(2027, 2, 28), 12, date(2028, 2, 29)),  # the end of February stays the end of February
        (date(2026, 1, 30), 6, date(2026, 7, 30)),  # mid-month days keep their day
        (date(2026, 10, 15), 6, date(2027, 4, 15)),  # across the new year
        (date(2026, 12, 31), 12, date(2027, 12, 31)),
    ],
)
def test_months_after(day, months, expected):
    assert months_after(day, months) == expected


def test_an_award_ending_on_31_march_is_followed_up_at_the_end_of_september_and_of_march():
    six, twelve = follow_up_dates(date(2026, 3, 31))
    assert (six.months_after, six.opens_on, six.due_on) == (6, date(2026, 9, 30), date(2026, 10, 30))
    assert (twelve.months_after, twelve.opens_on, twelve.due_on) == (12, date(2027, 3, 31), date(2027, 4, 30))


def test_each_follow_up_is_due_the_set_number_of_days_after_it_opens():
    for dates in follow_up_dates(date(2027, 8, 31)):
        assert (dates.due_on - dates.opens_on).days == DAYS_TO_REPORT
    assert [d.due_on for d in follow_up_dates(date(2027, 8, 31), days_to_report=14)] == [
        date(2028, 3, 14),
        date(2028, 9, 14),
    ]
