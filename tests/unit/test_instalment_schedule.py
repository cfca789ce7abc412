"""The payment schedule: quarterly in advance, each year's amount shared between its quarters to the penny."""

from datetime import date
from fractions import Fraction

import pytest

from portal.agreements.schedule import CommittedInstalment, plan_instalments, quarters_of, split_pence


def summary(plan):
    return [(p.label, p.due_on, p.amount_pence) for p in plan]


def test_a_whole_financial_year_is_paid_in_four_equal_quarters_in_advance():
    plan = plan_instalments(date(2026, 4, 1), date(2027, 3, 31), {2026: 40_000_00})
    assert summary(plan) == [
        ("Q1 2026/27", date(2026, 4, 1), 10_000_00),
        ("Q2 2026/27", date(2026, 7, 1), 10_000_00),
        ("Q3 2026/27", date(2026, 10, 1), 10_000_00),
        ("Q4 2026/27", date(2027, 1, 1), 10_000_00),
    ]


def test_pennies_left_by_rounding_go_to_the_earliest_quarters_and_none_is_lost():
    plan = plan_instalments(date(2026, 4, 1), date(2027, 3, 31), {2026: 10_000_03})
    assert [p.amount_pence for p in plan] == [2_500_01, 2_500_01, 2_500_01, 2_500_00]
    assert sum(p.amount_pence for p in plan) == 10_000_03


def test_each_years_amount_is_paid_in_that_years_quarters_across_several_years():
    plan = plan_instalments(date(2025, 4, 1), date(2028, 3, 31), {2025: 30_000_00, 2026: 40_000_00, 2027: 20_000_01})
    by_year = {}
    for p in plan:
        by_year.setdefault(p.financial_year, []).append(p.amount_pence)
    assert by_year == {
        2025: [7_500_00] * 4,
        2026: [10_000_00] * 4,
        2027: [5_000_01, 5_000_00, 5_000_00, 5_000_00],
    }
    assert plan[0].due_on == date(2025, 4, 1) and plan[-1].due_on == date(2028, 1, 1)


def test_a_start_part_way_through_a_quarter_is_due_on_the_start_date_and_paid_for_the_days_it_covers():
    # 15 May to 30 June is 47 of the quarter's 91 days; the rest of the year is three whole quarters.
    plan = plan_instalments(date(2026, 5, 15), date(2027, 3, 31), {2026: 100_000_00})
    weights = [Fraction(47, 91), 1, 1, 1]
    expected = split_pence(100_000_00, weights)
    assert summary(plan)[0] == ("Q1 2026/27", date(2026, 5, 15), expected[0])
    assert [p.amount_pence for p in plan] == expected
    assert expected[1] == expected[2] == expected[3] > expected[0]
    assert sum(expected) == 100_000_00


def test_an_end_part_way_through_a_quarter_gets_a_smaller_last_instalment():
    plan = plan_instalments(date(2026, 4, 1), date(2026, 11, 15), {2026: 25_000_00})
    assert [p.label for p in plan] == ["Q1 2026/27", "Q2 2026/27", "Q3 2026/27"]
    first, second, third = (p.amount_pence for p in plan)
    assert first == second > third and first + second + third == 25_000_00


def test_an_award_inside_one_quarter_is_one_instalment_on_its_start_date():
    plan = plan_instalments(date(2026, 8, 10), date(2026, 9, 20), {2026: 3_333_33})
    assert summary(plan) == [("Q2 2026/27", date(2026, 8, 10), 3_333_33)]


def test_a_year_with_no_amount_gets_no_instalments():
    plan = plan_instalments(date(2026, 4, 1), date(2028, 3, 31), {2027: 8_000_00})
    assert {p.financial_year for p in plan} == {2027}


def test_quarters_of_a_year_know_how_much_of_each_the_award_covers():
    quarters = quarters_of(2026, date(2026, 6, 1), date(2026, 12, 31))
    assert [(q.label, q.start, q.weight) for q in quarters] == [
        ("Q1 2026/27", date(2026, 6, 1), Fraction(30, 91)),
        ("Q2 2026/27", date(2026, 7, 1), Fraction(1)),
        ("Q3 2026/27", date(2026, 10, 1), Fraction(1)),
    ]


@pytest.mark.parametrize(
    "total, weights",
    [(1, [Fraction(1)] * 4), (7, [Fraction(1, 3), Fraction(1), Fraction(2, 7)]), (99_999_99, [Fraction(1)] * 3)],
)
def test_splitting_never_loses_or_invents_a_penny(total, weights):
    shares = split_pence(total, weights)
    assert sum(shares) == total and all(share >= 0 for share in shares)


def test_after_payments_the_rest_of_a_year_is_shared_between_its_unpaid_quarters():
    committed = [CommittedInstalment(2026, "Q1 2026/27", 10_000_00), CommittedInstalment(2026, "Q2 2026/27", 10_000_00)]
    plan = plan_instalments(date(2026, 4, 1), date(2027, 3, 31), {2026: 50_000_00}, committed)
    assert summary(plan) == [
        ("Q3 2026/27", date(2026, 10, 1), 15_000_00),
        ("Q4 2026/27", date(2027, 1, 1), 15_000_00),
    ]


def test_an_extension_spreads_the_rest_over_the_new_quarters_and_adds_the_new_years():
    committed = [CommittedInstalment(2026, "Q1 2026/27", 5_000_00)]
    plan = plan_instalments(date(2026, 4, 1), date(2027, 6, 30), {2026: 20_000_00, 2027: 6_000_00}, committed)
    assert summary(plan) == [
        ("Q2 2026/27", date(2026, 7, 1), 5_000_00),
        ("Q3 2026/27", date(2026, 10, 1), 5_000_00),
        ("Q4 2026/27", date(2027, 1, 1), 5_000_00),
        ("Q1 2027/28", date(2027, 4, 1), 6_000_00),
    ]


def test_an_increase_to_a_year_already_paid_in_full_is_one_top_up():
    committed = [CommittedInstalment(2026, f"Q{q} 2026/27", 1_000_00) for q in range(1, 5)]
    plan = plan_instalments(
        date(2026, 4, 1), date(2027, 3, 31), {2026: 4_500_00}, committed, top_up_due_on=date(2027, 2, 10)
    )
    assert summary(plan) == [("Top-up 2026/27", date(2027, 2, 10), 500_00)]


def test_a_year_cut_below_what_is_already_paid_is_refused():
    committed = [CommittedInstalment(2026, "Q1 2026/27", 10_000_00)]
    with pytest.raises(ValueError, match="2026/27"):
        plan_instalments(date(2026, 4, 1), date(2027, 3, 31), {2026: 9_999_99}, committed)


def test_a_year_paid_exactly_needs_no_more_instalments():
    committed = [CommittedInstalment(2026, "Q1 2026/27", 10_000_00)]
    assert plan_instalments(date(2026, 4, 1), date(2026, 6, 30), {2026: 10_000_00}, committed) == []
