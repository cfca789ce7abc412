"""Each service's cost per person helped and per outcome achieved, compared with the median of the services in its
service area (London-wide, or among those serving the same borough), ordered so that outliers come first.

Pure: it works from the facts it is given, so the dashboards' queries stay in one place.
"""

import heapq
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from operator import itemgetter

PENNY = Decimal("0.01")


@dataclass(frozen=True)
class ServiceCosts:
    award_id: int
    title: str
    provider: str
    areas: tuple[str, ...]
    boroughs: tuple[str, ...]  # the boroughs it names; empty for a London-wide service
    spend_pence: int  # reported in accepted returns
    people: int  # helped, reported in accepted returns
    outcomes: int  # what its measures reported achieved in accepted returns
    benefit_cost_ratio: Decimal | None = None  # from its latest published cost-benefit analysis


@dataclass(frozen=True)
class Comparison:
    service: ServiceCosts
    area: str
    borough: str | None
    cost_per_person: Decimal | None
    person_median: Decimal | None
    person_ratio: Decimal | None
    cost_per_outcome: Decimal | None
    outcome_median: Decimal | None
    outcome_ratio: Decimal | None

    @property
    def distance_from_median(self) -> Decimal:
        """How far the service is from its area's median, either way: 2 for twice or half the median."""
        return distance_from_median(self.person_ratio, self.outcome_ratio)


def distance_from_median(*ratios: Decimal | None) -> Decimal:
    distances = [Decimal("Infinity") if ratio == 0 else max(ratio, 1 / ratio) for ratio in ratios if ratio is not None]
    return max(distances, default=Decimal(0))


@dataclass(frozen=True)
class Compared:
    """The first rows of a comparison in order, with what a chart of all of them needs to know."""

    rows: list[Comparison]
    count: int  # rows in the whole comparison
    largest_person_ratio: Decimal | None


def per_unit(pence: int, units: int) -> Decimal | None:
    """Pounds for each unit, to the penny (half up); None when there are no units."""
    if not units:
        return None
    return (Decimal(pence) / 100 / units).quantize(PENNY, rounding=ROUND_HALF_UP)


def _median(values: list[Decimal]) -> Decimal | None:
    return statistics.median(values).quantize(PENNY, rounding=ROUND_HALF_UP) if values else None


def _ratio(cost: Decimal | None, median: Decimal | None) -> Decimal | None:
    if cost is None or not median:
        return None
    return (cost / median).quantize(PENNY, rounding=ROUND_HALF_UP)


def compare(services: list[ServiceCosts], *, by_borough: bool = False) -> list[Comparison]:
    """A row for each service in each of its areas (and, by borough, each borough it names), furthest from its
    group's median first. Services that reported no one helped and no outcomes are left out; London-wide services
    are left out of the comparison by borough, which compares services that chose to work in that borough."""
    return compare_first(services, None, by_borough=by_borough).rows


def compare_first(services: list[ServiceCosts], first: int | None, *, by_borough: bool = False) -> Compared:
    """The first ``first`` rows (every row for None) of :func:`compare`, with the number of rows and the largest
    cost per person against its median among all of them: only the rows kept are made."""
    groups: dict[tuple[str | None, str], list[ServiceCosts]] = defaultdict(list)
    # Each service's costs are worked out once, however many areas and boroughs it is compared in.
    costs: dict[int, tuple[Decimal | None, Decimal | None]] = {}
    for service in services:
        if not service.people and not service.outcomes:
            continue
        costs[service.award_id] = (
            per_unit(service.spend_pence, service.people),
            per_unit(service.spend_pence, service.outcomes),
        )
        for area in service.areas:
            for borough in service.boroughs if by_borough else (None,):
                groups[(borough, area)].append(service)
    distances: dict[tuple[Decimal | None, Decimal | None], Decimal] = {}  # ratios repeat: they are to the penny
    keyed = []
    largest: Decimal | None = None
    for (borough, area), members in groups.items():
        member_costs = [costs[s.award_id] for s in members]
        person_median = _median([person for person, _ in member_costs if person is not None])
        outcome_median = _median([outcome for _, outcome in member_costs if outcome is not None])
        for s, (person_cost, outcome_cost) in zip(members, member_costs, strict=True):
            ratios = (_ratio(person_cost, person_median), _ratio(outcome_cost, outcome_median))
            distance = distances.get(ratios)
            if distance is None:
                distance = distances[ratios] = distance_from_median(*ratios)
            if ratios[0] is not None and (largest is None or ratios[0] > largest):
                largest = ratios[0]
            facts = (s, area, borough, person_cost, person_median, outcome_cost, outcome_median, ratios)
            keyed.append(((-distance, borough or "", area, s.title), facts))
    # Both keep rows alike in all four keys in the order they were made in.
    kept = sorted(keyed, key=itemgetter(0)) if first is None else heapq.nsmallest(first, keyed, key=itemgetter(0))
    rows = [
        Comparison(s, area, borough, person_cost, person_median, ratios[0], outcome_cost, outcome_median, ratios[1])
        for _, (s, area, borough, person_cost, person_median, outcome_cost, outcome_median, ratios) in kept
    ]
    return Compared(rows, len(keyed), largest)
