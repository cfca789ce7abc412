"""Each service's cost per person helped and per outcome achieved, compared with the median of the services in its
service area (London-wide, or among those serving the same borough), ordered so that outliers come first.

Pure: it works from the facts it is given, so the dashboards' queries stay in one place.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

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
        distances = [
            Decimal("Infinity") if ratio == 0 else max(ratio, 1 / ratio)
            for ratio in (self.person_ratio, self.outcome_ratio)
            if ratio is not None
        ]
        return max(distances, default=Decimal(0))


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
    groups: dict[tuple[str | None, str], list[ServiceCosts]] = defaultdict(list)
    for service in services:
        if not service.people and not service.outcomes:
            continue
        for area in service.areas:
            for borough in service.boroughs if by_borough else (None,):
                groups[(borough, area)].append(service)
    rows = []
    for (borough, area), members in groups.items():
        person_costs = {s.award_id: per_unit(s.spend_pence, s.people) for s in members}
        outcome_costs = {s.award_id: per_unit(s.spend_pence, s.outcomes) for s in members}
        person_median = _median([c for c in person_costs.values() if c is not None])
        outcome_median = _median([c for c in outcome_costs.values() if c is not None])
        for s in members:
            rows.append(
                Comparison(
                    s,
                    area,
                    borough,
                    person_costs[s.award_id],
                    person_median,
                    _ratio(person_costs[s.award_id], person_median),
                    outcome_costs[s.award_id],
                    outcome_median,
                    _ratio(outcome_costs[s.award_id], outcome_median),
                )
            )
    return sorted(rows, key=lambda r: (-r.distance_from_median, r.borough or "", r.area, r.service.title))
