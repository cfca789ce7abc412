"""The arithmetic of reviewers' scores: weighted totals, averages, spread and disagreement, all in Decimal."""

from decimal import Decimal

import pytest

from portal.assessment.scoring import (
    ReviewerScores,
    WeightedCriterion,
    parse_percentage,
    percentage_to_tenths,
    summarise,
    tenths_to_percentage,
    weighted_percentage,
)

NEED = WeightedCriterion(1, "Need", weight=2, max_score=5)
DELIVERY = WeightedCriterion(2, "Delivery", weight=1, max_score=5)
VALUE = WeightedCriterion(3, "Value for money", weight=3, max_score=10)
CRITERIA = [NEED, DELIVERY]


def review(name: str, need: int, delivery: int, complete: bool = True) -> ReviewerScores:
    return ReviewerScores(name, {NEED.criterion_id: need, DELIVERY.criterion_id: delivery}, complete)


def test_a_weighted_total_is_the_weighted_share_of_the_possible_score_as_a_percentage():
    # (4*2 + 3*1) / (5*2 + 5*1) = 11/15 = 73.333...%
    assert weighted_percentage(CRITERIA, {1: 4, 2: 3}) == Decimal("73.3")


def test_weighted_totals_round_half_up_to_one_decimal_place():
    # 7/80 = 8.75% exactly, which rounds up to 8.8
    criteria = [WeightedCriterion(1, "A", weight=1, max_score=80)]
    assert weighted_percentage(criteria, {1: 7}) == Decimal("8.8")
    assert isinstance(weighted_percentage(criteria, {1: 7}), Decimal)


def test_a_criterion_without_a_score_counts_as_zero():
    assert weighted_percentage(CRITERIA, {1: 5}) == Decimal("66.7")


def test_full_marks_are_one_hundred_percent_and_none_are_zero():
    assert weighted_percentage([NEED, DELIVERY, VALUE], {1: 5, 2: 5, 3: 10}) == Decimal("100.0")
    assert weighted_percentage([NEED, DELIVERY, VALUE], {1: 0, 2: 0, 3: 0}) == Decimal("0.0")


def test_the_average_and_spread_cover_only_completed_reviews():
    summary = summarise(
        CRITERIA,
        [review("Grace", 4, 3), review("Daniel", 5, 4), review("Sam", 0, 0, complete=False)],
    )
    # Grace 11/15 = 73.3, Daniel 14/15 = 93.3; average of the exact values 83.333 → 83.3
    assert [t.percentage for t in summary.reviewers] == [Decimal("73.3"), Decimal("93.3"), None]
    assert summary.completed == 2
    assert summary.average == Decimal("83.3")
    assert summary.spread == Decimal("20.0")


def test_the_average_is_taken_over_exact_totals_and_rounded_once():
    # 0%, 66.666...% and 66.666...% average 44.444...% → 44.4; averaging the rounded 66.7s would give 44.5
    criteria = [WeightedCriterion(1, "Need", weight=1, max_score=3)]
    reviews = [ReviewerScores(name, {1: given}, True) for name, given in (("A", 0), ("B", 2), ("C", 2))]
    summary = summarise(criteria, reviews)
    assert [t.percentage for t in summary.reviewers] == [Decimal("0.0"), Decimal("66.7"), Decimal("66.7")]
    assert summary.average == Decimal("44.4")


def test_a_spread_of_exactly_the_threshold_is_not_a_disagreement_but_more_than_it_is():
    at_threshold = summarise(CRITERIA, [review("Grace", 4, 3), review("Daniel", 5, 4)])
    assert at_threshold.spread == Decimal("20.0")
    assert not at_threshold.disagree

    beyond = summarise(CRITERIA, [review("Grace", 3, 3), review("Daniel", 5, 4)])
    assert beyond.spread == Decimal("33.3")
    assert beyond.disagree
    assert "33.3 percentage points apart, more than 20" in beyond.disagreements[0]


def test_scores_three_or_more_apart_on_one_criterion_are_a_disagreement_in_words():
    summary = summarise(CRITERIA, [review("Grace", 4, 1), review("Daniel", 4, 4)])
    assert summary.spread == Decimal("20.0")
    assert summary.disagree
    assert summary.disagreements == ["Scores for \u201cDelivery\u201d range from 1 to 4 (a gap of 3 points)."]


def test_scores_two_apart_are_not_a_disagreement():
    assert not summarise(CRITERIA, [review("Grace", 4, 2), review("Daniel", 4, 4)]).disagree


def test_an_unfinished_review_does_not_count_towards_disagreement():
    summary = summarise(CRITERIA, [review("Grace", 0, 0, complete=False), review("Daniel", 5, 5)])
    assert summary.completed == 1
    assert summary.spread == Decimal("0.0")
    assert not summary.disagree


def test_with_no_completed_review_there_is_no_average_or_spread():
    summary = summarise(CRITERIA, [review("Grace", 5, 5, complete=False)])
    assert summary.average is None and summary.spread is None and summary.completed == 0
    assert summary.reviewers[0].scored == 2


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("73.5", Decimal("73.5")), (" 73.5% ", Decimal("73.5")), ("100", Decimal("100.0")), ("0", Decimal("0.0"))],
)
def test_an_agreed_score_can_be_typed_as_a_percentage(typed, expected):
    assert parse_percentage(typed) == expected


@pytest.mark.parametrize("typed", ["", "abc", "-1", "100.1", "73.55", "NaN", "Infinity"])
def test_an_agreed_score_outside_0_to_100_or_with_more_than_one_decimal_place_is_refused(typed):
    assert parse_percentage(typed) is None


def test_agreed_scores_are_stored_in_tenths_and_shown_as_percentages():
    assert percentage_to_tenths(Decimal("73.5")) == 735
    assert tenths_to_percentage(735) == Decimal("73.5")
    assert str(tenths_to_percentage(630)) == "63.0"
    assert tenths_to_percentage(None) is None
