"""A cost-benefit analysis against a worked example computed by hand: uprating, each adjustment, drop-off,
Green Book discounting (year 0 undiscounted), the results and the sensitivity range."""

from decimal import Decimal as D

import pytest

from portal.value.calculation import (
    CalculationError,
    Cost,
    Inputs,
    Outcome,
    discount_factor,
    problems_with,
    to_penny,
    work_out,
)

# The deflator series of the example: 2022 is 90, 2024 (the analysis year) 100, 2025 102.
DEFLATORS = {2022: D("90"), 2024: D("100"), 2025: D("102")}

ASSAULTS = Outcome(
    name="Assaults prevented",
    count=D(10),
    financial_year=2024,
    unit_value=D("1800"),  # in 2022 prices
    price_year=2022,
    unit="assault",
    deadweight=D(25),
    displacement=D(10),
    attribution=D(20),
    drop_off=D(50),
    years=3,
)
RECOVERED = Outcome(
    name="Victims supported to cope and recover",
    count=D(4),
    financial_year=2025,
    unit_value=D("500"),  # already in 2024 prices
    price_year=2024,
    unit="victim",
)
EXAMPLE = Inputs(
    analysis_year=2024,
    costs=(
        Cost("Grant 2024-25", 2024, 10_000_00),
        Cost("Grant 2025-26", 2025, 10_200_00),  # cash in 2025 prices: £10,000 in 2024's
    ),
    outcomes=(ASSAULTS, RECOVERED),
    deflators=DEFLATORS,
    optimism_bias=D(10),
    sensitivity_low=D(20),
    sensitivity_high=D(10),
)


def test_year_zero_is_not_discounted_and_later_years_at_three_and_a_half_percent():
    assert discount_factor(0) == 1
    assert discount_factor(1).quantize(D("0.000001")) == D("0.966184")  # 1 / 1.035
    assert discount_factor(2).quantize(D("0.000001")) == D("0.933511")  # 1 / 1.071225
    assert discount_factor(10).quantize(D("0.000001")) == D("0.708919")  # 1 / 1.410599


def test_costs_are_put_into_the_analysis_years_prices_raised_by_optimism_bias_and_discounted():
    first, second = work_out(EXAMPLE).costs
    # 2024-25: £10,000 in the analysis year's prices, +10% optimism bias = £11,000, year 0, not discounted.
    assert (first.year, first.deflator_factor, first.real) == (0, 1, D("10000"))
    assert first.with_optimism_bias == D("11000")
    assert first.present_value == D("11000")
    # 2025-26: £10,200 * 100/102 = £10,000; +10% = £11,000; ÷ 1.035 = £10,628.0193…
    assert second.year == 1
    assert to_penny(second.real) == D("10000.00")
    assert to_penny(second.with_optimism_bias) == D("11000.00")
    assert to_penny(second.present_value) == D("10628.02")


def test_a_unit_value_is_uprated_then_deadweight_displacement_and_attribution_are_taken_off_in_turn():
    line = work_out(EXAMPLE).outcomes[0]
    # £1,800 in 2022 prices * 100/90 = £2,000 in 2024's.
    assert to_penny(line.uprated_value) == D("2000.00")
    assert to_penny(line.gross) == D("20000.00")  # 10 assaults * £2,000
    assert to_penny(line.after_deadweight) == D("15000.00")  # 25% would have happened anyway
    assert to_penny(line.after_displacement) == D("13500.00")  # 10% of what is left moved elsewhere
    assert to_penny(line.net) == D("10800.00")  # 20% of what is left is others' doing


def test_the_benefit_drops_off_each_year_and_each_year_is_discounted():
    years = work_out(EXAMPLE).outcomes[0].years
    assert [(y.financial_year, y.year, y.remaining) for y in years] == [
        (2024, 0, D(1)),
        (2025, 1, D("0.5")),
        (2026, 2, D("0.25")),
    ]
    # £10,800, then £5,400 ÷ 1.035 = £5,217.39, then £2,700 ÷ 1.071225 = £2,520.48
    assert [to_penny(y.benefit) for y in years] == [D("10800.00"), D("5400.00"), D("2700.00")]
    assert [to_penny(y.present_value) for y in years] == [D("10800.00"), D("5217.39"), D("2520.48")]


def test_an_outcome_achieved_after_the_analysis_year_is_discounted_from_that_year():
    line = work_out(EXAMPLE).outcomes[1]
    assert line.uprating_factor == 1
    assert to_penny(line.net) == D("2000.00")  # 4 * £500, no adjustments
    assert to_penny(line.present_value) == D("1932.37")  # ÷ 1.035


def test_the_results_are_the_present_values_net_present_value_and_benefit_cost_ratio():
    central = work_out(EXAMPLE).central
    # PVB = 10,800 + 5,217.3913 + 2,520.4789 + 1,932.3671 = 20,470.2374
    # PVC = 11,000 + 10,628.0193 = 21,628.0193
    assert central.present_value_benefits == D("20470.24")
    assert central.present_value_costs == D("21628.02")
    assert central.net_present_value == D("-1157.78")
    assert central.benefit_cost_ratio == D("0.95")  # 20,470.24 / 21,628.02 = 0.9465


def test_the_sensitivity_range_moves_benefits_down_and_up_with_costs_as_in_the_central_case():
    workings = work_out(EXAMPLE)
    low, central, high = workings.scenarios
    assert [s.name for s in workings.scenarios] == ["Low", "Central", "High"]
    assert low.present_value_benefits == D("16376.19")  # 20,470.2374 * 0.8
    assert low.present_value_costs == central.present_value_costs == high.present_value_costs
    assert low.benefit_cost_ratio == D("0.76")
    assert high.present_value_benefits == D("22517.26")  # 20,470.2374 * 1.1
    assert high.net_present_value == D("889.24")
    assert high.benefit_cost_ratio == D("1.04")


def test_an_analysis_with_no_costs_has_no_ratio():
    inputs = Inputs(analysis_year=2024, costs=(), outcomes=(RECOVERED,), deflators=DEFLATORS)
    assert work_out(inputs).central.benefit_cost_ratio is None


def test_every_problem_with_the_inputs_is_listed_together():
    inputs = Inputs(
        analysis_year=2024,
        costs=(Cost("Before", 2023, 100), Cost("Later", 2027, 100)),
        outcomes=(
            Outcome("Too much", D(-1), 2024, D(10), 2019, "x", deadweight=D(120), years=0),
            Outcome("Too long", D(1), 2050, D(10), 2024, "x", years=10),
        ),
        deflators=DEFLATORS,
        optimism_bias=D(-5),
    )
    problems = problems_with(inputs)
    assert problems == [
        "Optimism bias must be between 0% and 200%",
        "The cost 'Before' must fall in the analysis year or the 30 years after it",
        "The deadweight of 'Too much' must be between 0% and 100%",
        "The number of 'Too much' must not be negative",
        "The benefit of 'Too much' must last at least one year",
        "The benefit of 'Too long' must end within 30 years of the analysis year",
        "The deflator series has no index for 2019, 2023, 2027",
    ]
    with pytest.raises(CalculationError) as raised:
        work_out(inputs)
    assert raised.value.problems == problems
