"""The date and time fields officers type a round's window into."""

from datetime import UTC, date, datetime, time

import pytest

from portal.rounds.fields import london_datetime, london_parts, parse_time, time_text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("9am", time(9, 0)),
        ("9:30am", time(9, 30)),
        ("5.30pm", time(17, 30)),
        ("5 PM", time(17, 0)),
        ("12pm", time(12, 0)),
        ("12am", time(0, 0)),
        ("midday", time(12, 0)),
        ("Noon", time(12, 0)),
        ("17:00", time(17, 0)),
        ("0:05", time(0, 5)),
    ],
)
def test_times_are_read_the_way_people_write_them(typed, expected):
    assert parse_time(typed) == expected


@pytest.mark.parametrize("typed", ["", "25:00", "13pm", "9:75", "tea time", "0am"])
def test_things_that_are_not_times_are_refused(typed):
    assert parse_time(typed) is None


def test_times_are_shown_back_in_the_gov_uk_style():
    assert [time_text(t) for t in (time(9, 0), time(17, 30), time(12, 0), time(0, 0))] == [
        "9am",
        "5:30pm",
        "midday",
        "12am",
    ]


def test_a_london_date_and_time_becomes_utc_and_back_across_summer_time():
    summer = london_datetime(date(2027, 6, 1), time(9, 0))
    winter = london_datetime(date(2027, 1, 4), time(9, 0))
    assert summer == datetime(2027, 6, 1, 8, 0, tzinfo=UTC)
    assert winter == datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    assert london_parts(summer) == (date(2027, 6, 1), time(9, 0))
