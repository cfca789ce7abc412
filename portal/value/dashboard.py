"""The dashboards' value-for-money charts: each service's cost per person helped and per outcome achieved against
its service area's median, London-wide and by borough, with the benefit-cost ratio of its published analysis.

The facts are read once per dashboard, in a fixed number of statements whatever the number of services.
"""

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from portal.dashboards.charts import Chart, Column, Kind
from portal.value import services
from portal.value.comparison import Compared, Comparison, ServiceCosts, compare_first

if TYPE_CHECKING:
    from portal.dashboards.data import Dashboard

SERVICES_ON_PAGE = 50
NOT_RECORDED = "Not recorded"
DEFINITION = (
    "Cost per person: reported spend over people helped; cost per outcome: reported spend over everything the "
    "service's measures reported achieved; both from accepted returns. Each is compared with the median of the "
    "services in the same service area: 1.00 times is the median, 2.00 twice it, 0.50 half. Services furthest "
    "from their median either way come first; a high cost may reflect more intensive support. The benefit-cost "
    "ratio is from the service's published cost-benefit analysis, where there is one."
)


def service_costs(dashboard: "Dashboard") -> list[ServiceCosts]:
    """Every published service the dashboard's filters cover, with its reported spend, people and outcomes."""
    kept: list[ServiceCosts] | None = dashboard.__dict__.get("_value_service_costs")
    if kept is not None:
        return kept
    awards = dashboard.awards
    outcomes: dict[int, int] = defaultdict(int)
    for award_id, _year, _reported, _met, achieved in dashboard.measure_results:
        outcomes[award_id] += achieved
    names = {la.id: la.name for la in dashboard.local_authorities}
    position = {la.id: index for index, la in enumerate(dashboard.local_authorities)}  # they are in name order
    boroughs = {
        award_id: [names[la_id] for la_id in sorted(dashboard.sharing.named(award_id), key=position.__getitem__)]
        for award_id in awards
    }
    ratios = services.latest_ratios()
    found = [
        ServiceCosts(
            award_id=award_id,
            title=facts.title,
            provider=facts.provider,
            areas=tuple(dashboard.award_areas.get(award_id) or [NOT_RECORDED]),
            boroughs=() if facts.pan_london else tuple(boroughs.get(award_id, ())),
            spend_pence=dashboard.reported.get(award_id, (0, 0))[0],
            people=dashboard.reported.get(award_id, (0, 0))[1],
            outcomes=outcomes.get(award_id, 0),
            benefit_cost_ratio=ratios.get(award_id),
        )
        for award_id, facts in awards.items()
        if award_id in dashboard.reported or award_id in outcomes
    ]
    dashboard.__dict__["_value_service_costs"] = found
    return found


COMPARED = (
    Column("Cost per person", Kind.POUNDS),
    Column("Area median", Kind.POUNDS),
    Column("Compared with median", Kind.RATIO),
    Column("Outcomes achieved", Kind.COUNT),
    Column("Cost per outcome", Kind.POUNDS),
    Column("Area median per outcome", Kind.POUNDS),
    Column("Outcome cost compared with median", Kind.RATIO),
    Column("Benefit-cost ratio", Kind.RATIO),
)


def _compared(row: Comparison) -> tuple[Any, ...]:
    s = row.service
    return (
        row.cost_per_person,
        row.person_median,
        row.person_ratio,
        s.outcomes,
        row.cost_per_outcome,
        row.outcome_median,
        row.outcome_ratio,
        s.benefit_cost_ratio,
    )


def _comparison(dashboard: "Dashboard", *, by_borough: bool) -> Compared:
    """Every row of the comparison, or only the page's when the dashboard is made for the page."""
    first = SERVICES_ON_PAGE if dashboard.page_only else None
    return compare_first(service_costs(dashboard), first, by_borough=by_borough)


def _page_form(chart: Chart, comparison: Compared) -> Chart:
    """The chart as :meth:`Chart.for_page` would cut it down from every row, when it was given only the page's."""
    if comparison.count > len(comparison.rows):
        chart.rows_in_full = comparison.count
        chart.largest_in_full = comparison.largest_person_ratio or 0
    return chart


def by_service(dashboard: "Dashboard") -> Chart:
    comparison = _comparison(dashboard, by_borough=False)
    rows = [
        (r.service.title, r.service.provider, r.area, r.service.spend_pence, r.service.people, *_compared(r))
        for r in comparison.rows
    ]
    chart = Chart(
        "value-by-service",
        "Cost per person and per outcome, each service against its area's median",
        DEFINITION + " A service in several areas is compared in each.",
        (
            Column("Service"),
            Column("Provider"),
            Column("Service area"),
            Column("Reported spend", Kind.PENCE),
            Column("People helped", Kind.COUNT),
            *COMPARED,
        ),
        rows,
        bar_columns=(7,),
        page_limit=SERVICES_ON_PAGE,
    )
    return _page_form(chart, comparison)


def by_borough(dashboard: "Dashboard") -> Chart:
    comparison = _comparison(dashboard, by_borough=True)
    rows = [(r.service.title, r.borough, r.service.provider, r.area, *_compared(r)) for r in comparison.rows]
    chart = Chart(
        "value-by-borough",
        "Cost per person and per outcome by borough, each service against its area's median in that borough",
        DEFINITION + " Here the median is of the services in that area that name the borough; London-wide "
        "services are compared London-wide only, above.",
        (Column("Service"), Column("Borough"), Column("Provider"), Column("Service area"), *COMPARED),
        rows,
        bar_columns=(6,),
        page_limit=SERVICES_ON_PAGE,
    )
    return _page_form(chart, comparison)
