"""The window rule: at least 30 working days open (bank holidays in England do not count) and 14 days' notice,
unless a reason is recorded. Checked at each boundary."""

from datetime import UTC, date, datetime, time

import pytest

from portal.errors import DomainError
from portal.rounds.fields import london_datetime
from portal.rounds.windows import check_window, london_date, reason_for


def at(day: date, hour: int = 12) -> datetime:
    return london_datetime(day, time(hour, 0))


def window(opens: date, closes: date, announced: date, minimum: int = 30):
    return check_window(at(opens, 9), at(closes, 12), announced_at=at(announced, 10), minimum_working_days=minimum)


ANNOUNCED_EARLY = date(2026, 10, 1)


def test_a_window_of_exactly_30_working_days_needs_no_reason():
    check = window(date(2027, 1, 4), date(2027, 2, 12), ANNOUNCED_EARLY)
    assert check.working_days == 30
    assert not check.too_short
    assert not check.needs_reason
    assert reason_for(check, "") is None


def test_a_window_of_29_working_days_needs_a_reason():
    check = window(date(2027, 1, 4), date(2027, 2, 11), ANNOUNCED_EARLY)
    assert check.working_days == 29
    assert check.too_short
    with pytest.raises(DomainError) as refused:
        reason_for(check, "   ")
    assert refused.value.field == "short_window_reason"
    assert "open for 29 working days, fewer than the minimum of 30" in refused.value.message


def test_christmas_bank_holidays_inside_the_window_do_not_count():
    # 7 December 2026 to 19 January 2027 is 32 weekdays, but 25 and 28 December and 1 January are bank holidays.
    assert window(date(2026, 12, 7), date(2027, 1, 19), ANNOUNCED_EARLY).working_days == 29
    assert window(date(2026, 12, 7), date(2027, 1, 19), ANNOUNCED_EARLY).needs_reason
    assert window(date(2026, 12, 7), date(2027, 1, 20), ANNOUNCED_EARLY).working_days == 30
    assert not window(date(2026, 12, 7), date(2027, 1, 20), ANNOUNCED_EARLY).needs_reason


def test_easter_bank_holidays_inside_the_window_do_not_count():
    # Good Friday (26 March 2027) and Easter Monday (29 March 2027) fall inside.
    assert window(date(2027, 3, 1), date(2027, 4, 12), ANNOUNCED_EARLY).working_days == 29
    assert window(date(2027, 3, 1), date(2027, 4, 13), ANNOUNCED_EARLY).working_days == 30


def test_fourteen_days_notice_is_enough_and_thirteen_is_not():
    opens = date(2027, 1, 4)
    fourteen = window(opens, date(2027, 3, 1), announced=date(2026, 12, 21))
    thirteen = window(opens, date(2027, 3, 1), announced=date(2026, 12, 22))
    assert (fourteen.notice_days, fourteen.needs_reason) == (14, False)
    assert (thirteen.notice_days, thirteen.needs_reason) == (13, True)
    assert thirteen.short_notice and not thirteen.too_short
    assert thirteen.problems() == [
        "it is announced 13 days before it opens, less than the 14 days' notice the rule asks for"
    ]


def test_a_round_announced_after_it_opens_counts_its_window_from_the_announcement():
    check = window(date(2027, 1, 4), date(2027, 2, 12), announced=date(2027, 1, 11))
    assert check.notice_days == -7
    assert check.working_days == 25
    assert check.too_short and check.short_notice
    assert check.problems()[1] == "it opens without the 14 days' notice the rule asks for"


def test_a_round_can_ask_for_a_longer_minimum_window():
    assert window(date(2027, 1, 4), date(2027, 2, 12), ANNOUNCED_EARLY, minimum=40).needs_reason


def test_the_reason_given_is_kept_trimmed_when_the_window_needs_one():
    check = window(date(2027, 1, 4), date(2027, 2, 11), ANNOUNCED_EARLY)
    assert reason_for(check, "  The grant must be spent by March.  ") == "The grant must be spent by March."


def test_a_reason_is_dropped_when_the_window_meets_the_rule():
    check = window(date(2027, 1, 4), date(2027, 2, 12), ANNOUNCED_EARLY)
    assert reason_for(check, "No reason needed") is None


def test_days_are_counted_in_london_time():
    # 11:30pm UTC on 1 June is already 2 June in London (British Summer Time).
    assert london_date(datetime(2027, 6, 1, 23, 30, tzinfo=UTC)) == date(2027, 6, 2)
    assert london_date(datetime(2027, 1, 1, 23, 30, tzinfo=UTC)) == date(2027, 1, 1)
