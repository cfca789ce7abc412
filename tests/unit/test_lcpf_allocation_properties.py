"""Properties of the allocation that hold for any pot and any weights, checked by hypothesis."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.lcpf.formula import ALL_CRIME, BoroughInputs, Parameters, YearPot, compute

BOROUGH_COUNT = 32


@st.composite
def boroughs(draw):
    count = draw(st.integers(min_value=2, max_value=BOROUGH_COUNT))
    with_previous = draw(st.booleans())
    return [
        BoroughInputs(
            gss_code=f"E09{index:06d}",
            name=f"Borough {index}",
            inner_outer=draw(st.sampled_from(["inner", "outer"])),
            crime={
                "THEFT": draw(st.integers(min_value=0, max_value=200_000)),
                "ROBBERY": draw(st.integers(min_value=0, max_value=20_000)),
            },
            residents=draw(st.integers(min_value=1, max_value=700_000)),
            deprivation={"imd_average_score": Decimal(draw(st.integers(min_value=0, max_value=5_000))) / 100},
            previous={2025: draw(st.integers(min_value=0, max_value=3_000_000))} if with_previous else {},
        )
        for index in range(count)
    ]


weights = st.integers(min_value=0, max_value=100).map(Decimal)


@st.composite
def parameters(draw):
    crime, population, deprivation = draw(weights), draw(weights), draw(weights)
    if crime + population + deprivation == 0:
        population = Decimal(1)
    categories = draw(
        st.sampled_from(
            [
                ((ALL_CRIME, Decimal(1)),),
                (("THEFT", Decimal(1)), ("ROBBERY", Decimal(3))),
                (("ROBBERY", Decimal(1)),),
            ]
        )
    )
    floor = draw(st.none() | st.integers(min_value=0, max_value=120).map(Decimal))
    cap = draw(st.none() | st.integers(min_value=0, max_value=80).map(Decimal))
    return Parameters(
        pots=(YearPot(2026, draw(st.integers(min_value=0, max_value=60_000_000))),),
        crime_weight=crime,
        population_weight=population,
        deprivation_weight=deprivation,
        crime_categories=categories,
        crime_per_resident=draw(st.booleans()),
        deprivation_per_resident=draw(st.booleans()),
        floor_percent=floor,
        cap_percent=None if cap is None or floor is None else floor + cap,
    )


def _with_some_crime(inputs):
    """Give the first borough a robbery and some deprivation, so that no weighting is zero for all of London."""
    first = inputs[0]
    crime = {**first.crime, "ROBBERY": first.crime["ROBBERY"] + 1, "THEFT": first.crime["THEFT"] + 1}
    deprivation = {"imd_average_score": first.deprivation["imd_average_score"] + 1}
    return [BoroughInputs(**{**first.__dict__, "crime": crime, "deprivation": deprivation}), *inputs[1:]]


@settings(max_examples=150, deadline=None)
@given(boroughs(), parameters())
def test_every_borough_gets_a_whole_non_negative_number_of_pounds_adding_up_to_the_pot(inputs, chosen):
    result = compute(chosen, _with_some_crime(inputs)).years[0]
    amounts = result.amounts()
    assert all(isinstance(amount, int) and amount >= 0 for amount in amounts.values())
    assert sum(amounts.values()) == chosen.pots[0].boroughs


@settings(max_examples=150, deadline=None)
@given(boroughs(), parameters())
def test_the_floor_holds_whenever_the_pot_allows_it_and_the_result_says_so_when_it_cannot(inputs, chosen):
    inputs = _with_some_crime(inputs)
    result = compute(chosen, inputs).years[0]
    if chosen.floor_percent is None or not inputs[0].previous:
        assert not result.floor_not_honoured
        return
    floors = {b.gss_code: -(-b.previous[2025] * int(chosen.floor_percent) // 100) for b in inputs}
    if sum(floors.values()) <= chosen.pots[0].boroughs:
        assert not result.floor_not_honoured
        for gss_code, amount in result.amounts().items():
            assert amount >= floors[gss_code]
    else:
        assert result.floor_not_honoured.startswith("The pot cannot honour the floor")


@settings(max_examples=100, deadline=None)
@given(boroughs(), parameters())
def test_a_cap_holds_whenever_the_pot_allows_it(inputs, chosen):
    inputs = _with_some_crime(inputs)
    result = compute(chosen, inputs).years[0]
    if chosen.cap_percent is None or not inputs[0].previous or result.cap_not_honoured or result.floor_not_honoured:
        return
    for borough in inputs:
        cap = borough.previous[2025] * int(chosen.cap_percent) // 100
        floor = -(-borough.previous[2025] * int(chosen.floor_percent) // 100)
        assert result.amounts()[borough.gss_code] <= max(cap, floor)  # where the roundings cross, the floor wins


@settings(max_examples=50, deadline=None)
@given(boroughs(), parameters())
def test_the_same_inputs_give_the_same_pounds_whatever_order_the_boroughs_come_in(inputs, chosen):
    inputs = _with_some_crime(inputs)
    assert compute(chosen, inputs).years[0].amounts() == compute(chosen, list(reversed(inputs))).years[0].amounts()
