"""The red, amber and green rules, at each boundary."""

from datetime import date, timedelta

import pytest

from portal.models import Rag
from portal.monitoring import rag
from portal.monitoring.rag import delivery_rating, overall_rating, spend_rating, timeliness_rating

DUE = date(2027, 7, 30)


@pytest.mark.parametrize(
    ("actual", "target", "expected"),
    [
        (90, 100, Rag.GREEN),
        (89, 100, Rag.AMBER),
        (70, 100, Rag.AMBER),
        (69, 100, Rag.RED),
        (0, 100, Rag.RED),
        (250, 100, Rag.GREEN),
        (0, 0, Rag.GREEN),
        (9, 10, Rag.GREEN),
        (899, 1000, Rag.AMBER),
    ],
)
def test_delivery_is_green_from_90_percent_amber_from_70_and_red_below(actual, target, expected):
    assert delivery_rating([(actual, target)])[0] is expected


def test_delivery_averages_measures_counting_none_above_100_percent():
    # 200% on one measure cannot make up for 40% on another: (100 + 40) / 2 = 70% is amber.
    assert delivery_rating([(200, 100), (40, 100)]) == (Rag.AMBER, 70)
    assert delivery_rating([(100, 100), (80, 100)]) == (Rag.GREEN, 90)
    assert delivery_rating([(100, 100), (79, 100)])[0] is Rag.AMBER


def test_a_service_without_measures_is_not_rated_on_delivery():
    assert delivery_rating([]) == (None, None)


@pytest.mark.parametrize(
    ("spend", "expected"),
    [
        (10_000_00, Rag.GREEN),
        (11_000_00, Rag.GREEN),
        (9_000_00, Rag.GREEN),
        (11_000_01, Rag.AMBER),
        (8_999_99, Rag.AMBER),
        (12_500_00, Rag.AMBER),
        (7_500_00, Rag.AMBER),
        (12_500_01, Rag.RED),
        (7_499_99, Rag.RED),
        (0, Rag.RED),
    ],
)
def test_spend_is_green_within_10_percent_of_profile_either_way_amber_within_25_and_red_beyond(spend, expected):
    assert spend_rating(spend, 10_000_00) is expected


def test_spend_with_nothing_profiled_is_green_only_when_nothing_was_spent():
    assert spend_rating(0, 0) is Rag.GREEN
    assert spend_rating(1, 0) is Rag.RED


@pytest.mark.parametrize(
    ("days_after_due", "expected"),
    [(-5, Rag.GREEN), (0, Rag.GREEN), (1, Rag.AMBER), (14, Rag.AMBER), (15, Rag.RED)],
)
def test_timeliness_is_green_on_or_before_the_due_date_amber_up_to_14_days_late_then_red(days_after_due, expected):
    assert timeliness_rating(DUE, DUE + timedelta(days=days_after_due), DUE + timedelta(days=60)) is expected


def test_a_missing_return_turns_amber_after_its_due_date_and_red_after_14_days():
    assert timeliness_rating(DUE, None, DUE) is Rag.GREEN
    assert timeliness_rating(DUE, None, DUE + timedelta(days=14)) is Rag.AMBER
    assert timeliness_rating(DUE, None, DUE + timedelta(days=15)) is Rag.RED


def test_overall_is_the_worst_of_the_rated_aspects():
    assert overall_rating(Rag.GREEN, Rag.GREEN, Rag.GREEN) is Rag.GREEN
    assert overall_rating(Rag.GREEN, Rag.AMBER, Rag.GREEN) is Rag.AMBER
    assert overall_rating(Rag.AMBER, Rag.GREEN, Rag.RED) is Rag.RED
    assert overall_rating(None, Rag.GREEN, Rag.AMBER) is Rag.AMBER


def test_rate_puts_the_aspects_together_with_days_late():
    ratings = rag.rate([(95, 100)], 10_000_00, 10_000_00, DUE, DUE + timedelta(days=3), DUE + timedelta(days=30))
    assert (ratings.delivery, ratings.spend, ratings.timeliness, ratings.overall) == (
        Rag.GREEN,
        Rag.GREEN,
        Rag.AMBER,
        Rag.AMBER,
    )
    assert (ratings.delivery_percent, ratings.days_late) == (95, 3)
