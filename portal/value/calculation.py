"""A cost-benefit analysis worked out from its inputs, step by step, in exact Decimal arithmetic.

Nothing here reads the database or the clock: the same inputs always give the same workings, so a published
analysis can be worked out again years later and shows the same pounds.

How it works (HM Treasury Green Book, in the analysis year's prices):

1. **Costs.** Each cost is cash in a financial year. It is put into the analysis year's prices with the deflator
   series (``cash * index[analysis year] / index[cost's year]``), then raised by the optimism bias percentage
   (the Green Book's allowance for appraisers' tendency to under-estimate costs).
2. **Outcomes.** Each outcome counted is a number of outcomes achieved in a financial year, each worth a unit value
   given in the prices of its own price year. The unit value is uprated to the analysis year
   (``value * index[analysis year] / index[price year]``). The gross benefit is ``count * uprated value``; what
   would have happened anyway (deadweight), what merely moved elsewhere (displacement) and what others brought
   about (attribution) are taken off in turn, each as a percentage of what is left.
3. **Drop-off.** The benefit lasts ``years`` years from the year it is achieved, falling by the drop-off
   percentage each year after the first: year ``k`` (0 the first) keeps ``(1 - drop-off)^k``.
4. **Discounting.** Every amount in year ``t`` after the analysis year (year 0, undiscounted) is multiplied by
   ``1 / 1.035^t``. The Green Book's 3.5% applies to the first 30 years, so nothing may fall later than that.
5. **Results.** Present value of benefits (PVB) and of costs (PVC); net present value ``PVB - PVC`` and the
   benefit-cost ratio ``PVB / PVC``. The sensitivity range takes the low and high percentages off and onto the
   central benefits, with costs as in the central case.

Amounts are kept exact (to 40 significant digits) until the end; the results are rounded to the penny and the
ratio to two decimal places, half up. The workings show each step's figures rounded for reading.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

DISCOUNT_RATE = Decimal("0.035")
LAST_YEAR_AT_GREEN_BOOK_RATE = 30  # 3.5% a year applies to years 0-30; later years would need the lower rate
PRECISION = 40
HUNDRED = Decimal(100)
PENNY = Decimal("0.01")
ONE = Decimal(1)


class CalculationError(ValueError):
    """Inputs no analysis can be worked out from; ``problems`` lists every one, in plain words."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Cost:
    name: str
    financial_year: int  # the year starting in April of this calendar year
    pence: int  # cash, in that year's prices


@dataclass(frozen=True)
class Outcome:
    name: str
    count: Decimal  # outcomes achieved in ``financial_year``
    financial_year: int
    unit_value: Decimal  # pounds per outcome, in ``price_year`` prices
    price_year: int
    unit: str
    deadweight: Decimal = Decimal(0)  # percentages, 0-100
    displacement: Decimal = Decimal(0)
    attribution: Decimal = Decimal(0)
    drop_off: Decimal = Decimal(0)
    years: int = 1  # how many years the benefit lasts, the year achieved included


@dataclass(frozen=True)
class Inputs:
    analysis_year: int  # year 0, and the prices everything is expressed in
    costs: tuple[Cost, ...]
    outcomes: tuple[Outcome, ...]
    deflators: Mapping[int, Decimal]  # GDP deflator index by year
    optimism_bias: Decimal = Decimal(0)  # percentage added to costs
    sensitivity_low: Decimal = Decimal(0)  # percentage taken off benefits in the low case
    sensitivity_high: Decimal = Decimal(0)  # percentage added to benefits in the high case


@dataclass(frozen=True)
class CostLine:
    name: str
    financial_year: int
    year: int  # years after the analysis year
    cash: Decimal  # pounds
    deflator_factor: Decimal
    real: Decimal  # in the analysis year's prices
    with_optimism_bias: Decimal
    discount_factor: Decimal
    present_value: Decimal


@dataclass(frozen=True)
class BenefitYear:
    financial_year: int
    year: int
    remaining: Decimal  # the share left after drop-off, 1 in the first year
    benefit: Decimal
    discount_factor: Decimal
    present_value: Decimal


@dataclass(frozen=True)
class OutcomeLine:
    outcome: Outcome
    uprating_factor: Decimal
    uprated_value: Decimal
    gross: Decimal
    after_deadweight: Decimal
    after_displacement: Decimal
    net: Decimal  # after attribution: the benefit in the year achieved
    years: tuple[BenefitYear, ...]

    @property
    def present_value(self) -> Decimal:
        return sum((year.present_value for year in self.years), Decimal(0))


@dataclass(frozen=True)
class Scenario:
    name: str  # "Low", "Central", "High"
    benefits_factor: Decimal
    present_value_benefits: Decimal  # rounded to the penny
    present_value_costs: Decimal
    net_present_value: Decimal
    benefit_cost_ratio: Decimal | None  # to 2 places; None when there are no costs


@dataclass(frozen=True)
class Workings:
    inputs: Inputs
    costs: tuple[CostLine, ...]
    outcomes: tuple[OutcomeLine, ...]
    present_value_costs_exact: Decimal
    present_value_benefits_exact: Decimal
    low: Scenario
    central: Scenario
    high: Scenario

    @property
    def scenarios(self) -> tuple[Scenario, Scenario, Scenario]:
        return (self.low, self.central, self.high)

    @property
    def cash_costs(self) -> Decimal:
        return sum((line.cash for line in self.costs), Decimal(0))


def discount_factor(year: int) -> Decimal:
    """``1 / 1.035^year``: 1 for year 0, which is not discounted."""
    with localcontext() as context:
        context.prec = PRECISION
        return ONE / (ONE + DISCOUNT_RATE) ** year


def to_penny(amount: Decimal) -> Decimal:
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


def problems_with(inputs: Inputs) -> list[str]:
    """Everything that stops these inputs being worked out, in plain words (empty when they can be)."""
    problems = []
    deflator_years_needed = set()
    last_allowed = inputs.analysis_year + LAST_YEAR_AT_GREEN_BOOK_RATE
    if not 0 <= inputs.optimism_bias <= 200:
        problems.append("Optimism bias must be between 0% and 200%")
    if not 0 <= inputs.sensitivity_low <= 100:
        problems.append("The low case must take off between 0% and 100% of the benefits")
    if not 0 <= inputs.sensitivity_high <= 200:
        problems.append("The high case must add between 0% and 200% to the benefits")
    for cost in inputs.costs:
        if cost.pence < 0:
            problems.append(f"The cost '{cost.name}' must not be negative")
        if not inputs.analysis_year <= cost.financial_year <= last_allowed:
            problems.append(f"The cost '{cost.name}' must fall in the analysis year or the 30 years after it")
        deflator_years_needed.add(cost.financial_year)
    for outcome in inputs.outcomes:
        for label, percent in (
            ("deadweight", outcome.deadweight),
            ("displacement", outcome.displacement),
            ("attribution", outcome.attribution),
            ("drop-off", outcome.drop_off),
        ):
            if not 0 <= percent <= 100:
                problems.append(f"The {label} of '{outcome.name}' must be between 0% and 100%")
        if outcome.count < 0:
            problems.append(f"The number of '{outcome.name}' must not be negative")
        if outcome.unit_value < 0:
            problems.append(f"The unit value of '{outcome.name}' must not be negative")
        if outcome.years < 1:
            problems.append(f"The benefit of '{outcome.name}' must last at least one year")
        if outcome.financial_year < inputs.analysis_year:
            problems.append(f"'{outcome.name}' must be achieved in the analysis year or later")
        elif outcome.financial_year + outcome.years - 1 > last_allowed:
            problems.append(f"The benefit of '{outcome.name}' must end within 30 years of the analysis year")
        deflator_years_needed.add(outcome.price_year)
    if inputs.costs or inputs.outcomes:
        deflator_years_needed.add(inputs.analysis_year)
    missing = sorted(year for year in deflator_years_needed if year not in inputs.deflators)
    if missing:
        problems.append("The deflator series has no index for " + ", ".join(str(year) for year in missing))
    if any(year in inputs.deflators and inputs.deflators[year] <= 0 for year in deflator_years_needed):
        problems.append("Every deflator index used must be more than 0")
    return problems


def work_out(inputs: Inputs) -> Workings:
    """The analysis's workings and results. Raises :class:`CalculationError` listing every problem with the inputs."""
    problems = problems_with(inputs)
    if problems:
        raise CalculationError(problems)
    with localcontext() as context:
        context.prec = PRECISION
        base_index = inputs.deflators[inputs.analysis_year]
        costs = tuple(_cost_line(cost, inputs, base_index) for cost in inputs.costs)
        outcomes = tuple(_outcome_line(outcome, inputs, base_index) for outcome in inputs.outcomes)
        pvc = sum((line.present_value for line in costs), Decimal(0))
        pvb = sum((line.present_value for line in outcomes), Decimal(0))
        low = _scenario("Low", ONE - inputs.sensitivity_low / HUNDRED, pvb, pvc)
        central = _scenario("Central", ONE, pvb, pvc)
        high = _scenario("High", ONE + inputs.sensitivity_high / HUNDRED, pvb, pvc)
    return Workings(inputs, costs, outcomes, pvc, pvb, low, central, high)


def _cost_line(cost: Cost, inputs: Inputs, base_index: Decimal) -> CostLine:
    year = cost.financial_year - inputs.analysis_year
    cash = Decimal(cost.pence) / HUNDRED
    factor = base_index / inputs.deflators[cost.financial_year]
    real = cash * factor
    biased = real * (ONE + inputs.optimism_bias / HUNDRED)
    discount = discount_factor(year)
    return CostLine(cost.name, cost.financial_year, year, cash, factor, real, biased, discount, biased * discount)


def _outcome_line(outcome: Outcome, inputs: Inputs, base_index: Decimal) -> OutcomeLine:
    factor = base_index / inputs.deflators[outcome.price_year]
    uprated = outcome.unit_value * factor
    gross = outcome.count * uprated
    after_deadweight = gross * (ONE - outcome.deadweight / HUNDRED)
    after_displacement = after_deadweight * (ONE - outcome.displacement / HUNDRED)
    net = after_displacement * (ONE - outcome.attribution / HUNDRED)
    years = []
    for k in range(outcome.years):
        remaining = (ONE - outcome.drop_off / HUNDRED) ** k
        financial_year = outcome.financial_year + k
        year = financial_year - inputs.analysis_year
        benefit = net * remaining
        discount = discount_factor(year)
        years.append(BenefitYear(financial_year, year, remaining, benefit, discount, benefit * discount))
    return OutcomeLine(outcome, factor, uprated, gross, after_deadweight, after_displacement, net, tuple(years))


def _scenario(name: str, factor: Decimal, pvb: Decimal, pvc: Decimal) -> Scenario:
    benefits = to_penny(pvb * factor)
    costs = to_penny(pvc)
    ratio = (benefits / costs).quantize(PENNY, rounding=ROUND_HALF_UP) if costs else None
    return Scenario(name, factor, benefits, costs, benefits - costs, ratio)
