"""The schedule of returns: financial-year quarters (or halves for small awards), clipped to the award."""

from datetime import date

from portal.models import ReturnFrequency
from portal.monitoring.schedule import frequency_for, return_periods


def summary(periods):
    return [(p.label, p.start, p.end, p.due_on) for p in periods]


def test_a_two_year_award_from_april_has_eight_quarterly_returns_each_due_30_days_after_the_quarter():
    periods = return_periods(date(2027, 4, 1), date(2029, 3, 31))
    assert [p.label for p in periods] == [
        "Q1 2027/28",
        "Q2 2027/28",
        "Q3 2027/28",
        "Q4 2027/28",
        "Q1 2028/29",
        "Q2 2028/29",
        "Q3 2028/29",
        "Q4 2028/29",
    ]
    assert summary(periods)[0] == ("Q1 2027/28", date(2027, 4, 1), date(2027, 6, 30), date(2027, 7, 30))
    assert summary(periods)[3] == ("Q4 2027/28", date(2028, 1, 1), date(2028, 3, 31), date(2028, 4, 30))
    assert {p.frequency for p in periods} == {ReturnFrequency.QUARTERLY}


def test_periods_are_clipped_to_an_award_that_starts_and_ends_mid_quarter_across_a_leap_year():
    periods = return_periods(date(2027, 2, 15), date(2029, 2, 28))
    assert summary(periods)[0] == ("Q4 2026/27", date(2027, 2, 15), date(2027, 3, 31), date(2027, 4, 30))
    assert summary(periods)[-1] == ("Q4 2028/29", date(2029, 1, 1), date(2029, 2, 28), date(2029, 3, 30))
    assert len(periods) == 1 + 4 + 4
    # Q4 2027/28 runs through 29 February 2028 to the end of March.
    leap_quarter = next(p for p in periods if p.label == "Q4 2027/28")
    assert (leap_quarter.start, leap_quarter.end) == (date(2028, 1, 1), date(2028, 3, 31))


def test_an_award_ending_on_29_february_is_due_30_days_later_in_march():
    periods = return_periods(date(2027, 10, 1), date(2028, 2, 29))
    assert summary(periods) == [
        ("Q3 2027/28", date(2027, 10, 1), date(2027, 12, 31), date(2028, 1, 30)),
        ("Q4 2027/28", date(2028, 1, 1), date(2028, 2, 29), date(2028, 3, 30)),
    ]


def test_six_monthly_returns_follow_the_halves_of_the_financial_year():
    periods = return_periods(date(2027, 2, 15), date(2029, 2, 28), ReturnFrequency.SIX_MONTHLY)
    assert summary(periods) == [
        ("H2 2026/27", date(2027, 2, 15), date(2027, 3, 31), date(2027, 4, 30)),
        ("H1 2027/28", date(2027, 4, 1), date(2027, 9, 30), date(2027, 10, 30)),
        ("H2 2027/28", date(2027, 10, 1), date(2028, 3, 31), date(2028, 4, 30)),
        ("H1 2028/29", date(2028, 4, 1), date(2028, 9, 30), date(2028, 10, 30)),
        ("H2 2028/29", date(2028, 10, 1), date(2029, 2, 28), date(2029, 3, 30)),
    ]


def test_a_one_day_award_has_one_return_and_the_days_to_report_can_be_changed():
    assert summary(return_periods(date(2028, 2, 29), date(2028, 2, 29), days_to_report=10)) == [
        ("Q4 2027/28", date(2028, 2, 29), date(2028, 2, 29), date(2028, 3, 10))
    ]


def test_awards_at_or_under_the_small_bid_threshold_report_every_six_months():
    assert frequency_for(25_000_00, 25_000_00) is ReturnFrequency.SIX_MONTHLY
    assert frequency_for(25_000_01, 25_000_00) is ReturnFrequency.QUARTERLY
    assert frequency_for(10_000_00, 5_000_00) is ReturnFrequency.QUARTERLY
