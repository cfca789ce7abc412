"""The LCPF formula: a pure computation from a version's parameters and its frozen inputs to whole pounds.

Nothing here reads the database or the clock, so the same parameters and inputs always give the same pounds.

How it works, for each financial year of the version:

1. Each indicator (recorded crime, residents, deprivation) gives every borough a value; its share of London is its
   value over the sum of the 32 boroughs' values. Crime may be all crime or chosen major categories, each with its
   own weight, and may be counted per 1,000 residents.
2. A borough's weighted share is the weighted mean of its indicator shares; the amount before damping is the pot
   for borough funding times that share (an exact Decimal).
3. Damping: no borough below ``floor_percent`` of its previous allocation (rounded up to the pound) and, when a cap
   is set, none above ``cap_percent`` of it (rounded down; where the two roundings cross, as they can for a previous
   allocation of a few pounds, the floor wins). A borough held at its floor or cap keeps that amount;
   what is left is shared among the others in proportion to their weighted shares, again and again until nobody
   else crosses a limit. When the floors add up to more than the pot, or the caps to less, that limit cannot be
   honoured: the result says so and is worked out without it, rather than failing.
4. Whole pounds by the largest-remainder method: every borough gets its amount rounded down, then the pounds left
   over go one each to the boroughs with the largest fractions, ties broken by GSS code (lowest first). So the
   amounts add up exactly to the pot, and the same inputs place the remainder the same way every time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext
from typing import Any

ALL_CRIME = "ALL"
CRIME = "crime"
POPULATION = "population"
DEPRIVATION = "deprivation"
INDICATORS = (CRIME, POPULATION, DEPRIVATION)
DEPRIVATION_MEASURES = {
    "imd_average_score": "IMD average score",
    "imd_extent": "IMD extent (share of residents in the most deprived 30% of areas)",
    "imd_proportion_most_deprived_10": "Share of neighbourhoods in England's most deprived 10%",
}
PRECISION = 40  # digits: enough that shares of a pot of billions are exact to far below a penny


class FormulaError(ValueError):
    """Parameters or inputs that no formula can be worked out from (all weights zero, a missing borough…)."""


@dataclass(frozen=True)
class YearPot:
    """One financial year's LCPF pot, split three ways. Whole pounds."""

    financial_year: int
    boroughs: int
    vru: int = 0
    co_commissioning: int = 0

    @property
    def total(self) -> int:
        return self.boroughs + self.vru + self.co_commissioning


@dataclass(frozen=True)
class Parameters:
    """Everything an officer (or anyone using the calculator) chooses. Weights are relative, not percentages."""

    pots: tuple[YearPot, ...]
    crime_weight: Decimal = Decimal(50)
    population_weight: Decimal = Decimal(25)
    deprivation_weight: Decimal = Decimal(25)
    crime_categories: tuple[tuple[str, Decimal], ...] = ((ALL_CRIME, Decimal(1)),)
    crime_per_resident: bool = False
    deprivation_measure: str = "imd_average_score"
    deprivation_per_resident: bool = True  # a score times residents: deprivation where people live
    crime_from_month: int = 202212
    crime_to_month: int = 202311
    floor_percent: Decimal | None = None
    cap_percent: Decimal | None = None

    def indicator_weights(self) -> dict[str, Decimal]:
        return {CRIME: self.crime_weight, POPULATION: self.population_weight, DEPRIVATION: self.deprivation_weight}

    def problems(self) -> list[str]:
        found = []
        if not self.pots:
            found.append("Give at least one financial year")
        if any(pot.boroughs < 0 or pot.vru < 0 or pot.co_commissioning < 0 for pot in self.pots):
            found.append("Amounts cannot be negative")
        weights = self.indicator_weights()
        if any(weight < 0 for weight in weights.values()):
            found.append("Weights cannot be negative")
        elif sum(weights.values()) == 0:
            found.append("Give at least one indicator a weight above zero")
        if self.crime_weight > 0:
            if not self.crime_categories or any(weight < 0 for _, weight in self.crime_categories):
                found.append("Crime category weights cannot be negative")
            elif sum(weight for _, weight in self.crime_categories) == 0:
                found.append("Give at least one crime category a weight above zero")
        if self.crime_from_month > self.crime_to_month:
            found.append("The crime window must start before it ends")
        if self.deprivation_measure not in DEPRIVATION_MEASURES:
            found.append("Choose a deprivation measure")
        if self.floor_percent is not None and self.floor_percent < 0:
            found.append("The floor cannot be negative")
        if self.cap_percent is not None and self.floor_percent is not None and self.cap_percent < self.floor_percent:
            found.append("The cap cannot be below the floor")
        return found

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = _jsonable(asdict(self))
        return data

    @classmethod
    def from_json(cls, data: dict) -> Parameters:
        def dec(value: str | None) -> Decimal | None:
            return None if value is None else Decimal(value)

        return cls(
            pots=tuple(YearPot(**pot) for pot in data["pots"]),
            crime_weight=Decimal(data["crime_weight"]),
            population_weight=Decimal(data["population_weight"]),
            deprivation_weight=Decimal(data["deprivation_weight"]),
            crime_categories=tuple((name, Decimal(weight)) for name, weight in data["crime_categories"]),
            crime_per_resident=bool(data["crime_per_resident"]),
            deprivation_measure=data["deprivation_measure"],
            deprivation_per_resident=bool(data["deprivation_per_resident"]),
            crime_from_month=int(data["crime_from_month"]),
            crime_to_month=int(data["crime_to_month"]),
            floor_percent=dec(data.get("floor_percent")),
            cap_percent=dec(data.get("cap_percent")),
        )


@dataclass(frozen=True)
class BoroughInputs:
    """One borough's figures, frozen into a version so that it can be worked out again years later."""

    gss_code: str
    name: str
    inner_outer: str
    crime: dict[str, int]  # major category → recorded crimes in the window
    residents: int
    deprivation: dict[str, Decimal]  # measure → value
    previous: dict[int, int] = field(default_factory=dict)  # financial year → previous allocation in pounds

    def previous_amount(self) -> int | None:
        """The allocation damping compares with: the latest year of the previous version."""
        return self.previous[max(self.previous)] if self.previous else None


@dataclass
class Working:
    """How one borough's amount for one year came about."""

    gss_code: str
    name: str
    inner_outer: str
    values: dict[str, Decimal]
    shares: dict[str, Decimal]
    weighted_share: Decimal
    before_damping: Decimal
    limit: str = ""  # "floor", "cap" or ""
    after_damping: Decimal = Decimal(0)
    amount: int = 0
    remainder_pound: bool = False
    previous: int | None = None

    @property
    def damping_effect(self) -> Decimal:
        return self.after_damping - self.before_damping

    @property
    def change(self) -> int | None:
        return None if self.previous is None else self.amount - self.previous

    @property
    def per_resident(self) -> Decimal:
        residents = self.values.get("residents") or Decimal(0)
        return Decimal(self.amount) / residents if residents else Decimal(0)


@dataclass
class YearResult:
    pot: YearPot
    workings: list[Working]
    floor_not_honoured: str = ""  # why, when the pot cannot honour the floor
    cap_not_honoured: str = ""

    def amounts(self) -> dict[str, int]:
        return {working.gss_code: working.amount for working in self.workings}

    def total(self) -> int:
        return sum(working.amount for working in self.workings)

    def totals_by_area(self) -> dict[str, int]:
        totals = {"inner": 0, "outer": 0}
        for working in self.workings:
            totals[working.inner_outer] += working.amount
        return totals

    def per_resident_by_area(self) -> dict[str, Decimal]:
        residents = {"inner": Decimal(0), "outer": Decimal(0)}
        for working in self.workings:
            residents[working.inner_outer] += working.values["residents"]
        totals = self.totals_by_area()
        return {area: (Decimal(totals[area]) / residents[area] if residents[area] else Decimal(0)) for area in totals}


@dataclass
class Result:
    parameters: Parameters
    years: list[YearResult]

    def year(self, financial_year: int) -> YearResult | None:
        return next((year for year in self.years if year.pot.financial_year == financial_year), None)


def compute(parameters: Parameters, inputs: list[BoroughInputs]) -> Result:
    """Work out every borough's whole-pound amount for every year of ``parameters``. Raises FormulaError."""
    problems = parameters.problems()
    if problems:
        raise FormulaError("; ".join(problems))
    if not inputs:
        raise FormulaError("There are no boroughs to fund")
    with localcontext() as context:
        context.prec = PRECISION
        ordered = sorted(inputs, key=lambda borough: borough.gss_code)
        values = {borough.gss_code: _indicator_values(parameters, borough) for borough in ordered}
        shares, weighted = _weighted_shares(parameters, values)
        return Result(
            parameters, [_year(parameters, pot, ordered, values, shares, weighted) for pot in parameters.pots]
        )


def _indicator_values(parameters: Parameters, borough: BoroughInputs) -> dict[str, Decimal]:
    residents = Decimal(borough.residents)
    if any(name == ALL_CRIME for name, _ in parameters.crime_categories):
        crimes = Decimal(sum(borough.crime.values()))
    else:
        crimes = sum(
            (Decimal(borough.crime.get(name, 0)) * weight for name, weight in parameters.crime_categories),
            Decimal(0),
        )
    score = Decimal(borough.deprivation.get(parameters.deprivation_measure, 0))
    return {
        "residents": residents,
        "crimes": crimes,
        CRIME: (crimes * 1000 / residents if residents else Decimal(0)) if parameters.crime_per_resident else crimes,
        POPULATION: residents,
        DEPRIVATION: score * residents if parameters.deprivation_per_resident else score,
    }


def _weighted_shares(
    parameters: Parameters, values: dict[str, dict[str, Decimal]]
) -> tuple[dict[str, dict[str, Decimal]], dict[str, Decimal]]:
    weights = {name: weight for name, weight in parameters.indicator_weights().items() if weight > 0}
    totals = {name: sum((row[name] for row in values.values()), Decimal(0)) for name in INDICATORS}
    usable = {name: weight for name, weight in weights.items() if totals[name] > 0}
    if not usable:
        raise FormulaError("Every weighted indicator is zero for every borough")
    weight_sum = sum(usable.values())
    shares = {
        gss: {name: (row[name] / totals[name] if totals[name] else Decimal(0)) for name in INDICATORS}
        for gss, row in values.items()
    }
    weighted = {
        gss: sum((share[name] * weight for name, weight in usable.items()), Decimal(0)) / weight_sum
        for gss, share in shares.items()
    }
    return shares, weighted


def _year(
    parameters: Parameters,
    pot: YearPot,
    boroughs: list[BoroughInputs],
    values: dict[str, dict[str, Decimal]],
    shares: dict[str, dict[str, Decimal]],
    weighted: dict[str, Decimal],
) -> YearResult:
    workings = [
        Working(
            gss_code=borough.gss_code,
            name=borough.name,
            inner_outer=borough.inner_outer,
            values=values[borough.gss_code],
            shares=shares[borough.gss_code],
            weighted_share=weighted[borough.gss_code],
            before_damping=Decimal(pot.boroughs) * weighted[borough.gss_code],
            previous=borough.previous_amount(),
        )
        for borough in boroughs
    ]
    result = YearResult(pot, workings)
    floors, caps = _limits(parameters, workings)
    if floors and sum(floors.values()) > pot.boroughs:
        result.floor_not_honoured = (
            f"The pot cannot honour the floor: the floors add up to £{sum(floors.values()):,}, more than the "
            f"£{pot.boroughs:,} for boroughs, so these amounts are worked out without a floor."
        )
        floors = {}
    if caps and sum(caps.values()) < pot.boroughs:
        result.cap_not_honoured = (
            f"The pot cannot honour the cap: the caps add up to £{sum(caps.values()):,}, less than the "
            f"£{pot.boroughs:,} for boroughs, so these amounts are worked out without a cap."
        )
        caps = {}
    _damp(pot.boroughs, workings, floors, caps)
    _round_to_pounds(pot.boroughs, workings)
    return result


def _limits(parameters: Parameters, workings: list[Working]) -> tuple[dict[str, int], dict[str, int]]:
    """Whole-pound floors and caps for boroughs with a previous allocation (none if any borough lacks one)."""
    if any(working.previous is None for working in workings):
        return {}, {}
    floors, caps = {}, {}
    for working in workings:
        previous = Decimal(working.previous or 0)  # every borough has one (checked above)
        if parameters.floor_percent is not None:
            floors[working.gss_code] = int((previous * parameters.floor_percent / 100).to_integral_value(ROUND_CEILING))
        if parameters.cap_percent is not None:
            caps[working.gss_code] = int((previous * parameters.cap_percent / 100).to_integral_value(ROUND_FLOOR))
    return floors, caps


def _damp(pot: int, workings: list[Working], floors: dict[str, int], caps: dict[str, int]) -> None:
    """Hold boroughs at their floor or cap and share what is left among the rest in proportion to their shares.

    Every borough gets ``clamp(level times weighted share, floor, cap)`` for the one level at which the amounts add up
    to the pot: the same as holding boroughs one by one and sharing out the difference again and again, but
    worked out exactly from the points where a borough meets its floor or cap.
    """
    if not floors and not caps:
        for working in workings:
            working.after_damping = working.before_damping
        return
    lows = {w.gss_code: Decimal(floors.get(w.gss_code, 0)) for w in workings}
    highs = {
        w.gss_code: (max(Decimal(caps[w.gss_code]), lows[w.gss_code]) if w.gss_code in caps else None) for w in workings
    }

    def amount(working: Working, level: Decimal) -> Decimal:
        value = max(level * working.weighted_share, lows[working.gss_code])
        high = highs[working.gss_code]
        return value if high is None else min(value, high)

    def total(level: Decimal) -> Decimal:
        return sum((amount(working, level) for working in workings), Decimal(0))

    target = Decimal(pot)
    breakpoints = sorted(
        {Decimal(0)}
        | {lows[w.gss_code] / w.weighted_share for w in workings if w.weighted_share > 0}
        | {
            high / w.weighted_share
            for w in workings
            if w.weighted_share > 0 and (high := highs[w.gss_code]) is not None
        }
    )
    level = None
    previous_point, previous_total = breakpoints[0], total(breakpoints[0])
    if previous_total >= target:
        level = previous_point
    for point in breakpoints[1:]:
        if level is not None:
            break
        point_total = total(point)
        if point_total >= target:
            slope = (point_total - previous_total) / (point - previous_point)
            level = previous_point + (target - previous_total) / slope if slope else point
        previous_point, previous_total = point, point_total
    if level is None:  # beyond every breakpoint: only uncapped boroughs still grow
        slope = sum((w.weighted_share for w in workings if highs[w.gss_code] is None), Decimal(0))
        level = previous_point + (target - previous_total) / slope if slope else previous_point
    for working in workings:
        working.after_damping = amount(working, level)
        unlimited = level * working.weighted_share
        if working.gss_code in floors and unlimited < lows[working.gss_code]:
            working.limit = "floor"
        elif (high := highs[working.gss_code]) is not None and unlimited > high:
            working.limit = "cap"


def _round_to_pounds(pot: int, workings: list[Working]) -> None:
    for working in workings:
        working.amount = int(working.after_damping.to_integral_value(ROUND_FLOOR))
    left_over = pot - sum(working.amount for working in workings)
    # A borough held at its cap (a whole number of pounds) never takes a remainder pound.
    by_fraction = sorted(workings, key=lambda w: (w.limit == "cap", -(w.after_damping - w.amount), w.gss_code))
    for working in by_fraction[: max(left_over, 0)]:
        working.amount += 1
        working.remainder_pound = True


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def inputs_to_json(inputs: list[BoroughInputs]) -> list[dict]:
    return [_jsonable(asdict(borough)) for borough in sorted(inputs, key=lambda b: b.gss_code)]


def inputs_from_json(data: list[dict]) -> list[BoroughInputs]:
    return [
        BoroughInputs(
            gss_code=row["gss_code"],
            name=row["name"],
            inner_outer=row["inner_outer"],
            crime={name: int(count) for name, count in row["crime"].items()},
            residents=int(row["residents"]),
            deprivation={name: Decimal(value) for name, value in row["deprivation"].items()},
            previous={int(year): int(amount) for year, amount in row.get("previous", {}).items()},
        )
        for row in data
    ]


def percent(share: Decimal) -> str:
    """A share as a percentage to three decimal places, for the workings."""
    return f"{share * 100:.3f}%"
