"""The figures behind the public dashboards, read only through ``portal.directory.published``.

Definitions, also written on the page:

- **Awarded**: the amounts of approved awards by financial year (each award's ``AwardYear`` rows).
- **Reported spend**, **people helped** and **measure results**: from accepted returns only.
- Funding and spend by borough follow :mod:`portal.directory.borough_funding`, the definition the map and the
  borough pages use: each award's amount is shared among the boroughs it serves by their residents (a London-wide
  award among the 32 LCPF boroughs, and the City where it serves it), so a borough's figure for a year is the same
  on the map, its own page and here. The boroughs' own LCPF projects (of approved delivery plans, read through
  ``portal.directory.borough_projects``) count wholly in their borough, with their accepted returns' spend.
- An award in several service areas is split evenly between them in the same way.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

import sqlalchemy as sa

from portal.dashboards import performance
from portal.dashboards.charts import Chart, Column, Kind
from portal.dashboards.performance import percent
from portal.directory import borough_funding, borough_projects, published
from portal.extensions import db
from portal.models import (
    Award,
    AwardServiceArea,
    AwardYear,
    Fund,
    InnerOuter,
    LocalAuthority,
    Measure,
    MeasureActual,
    Organisation,
    PerformanceRecord,
    Rag,
    Return,
    ReturnFrequency,
    ServiceArea,
)
from portal.periods import financial_year_label

SERVICES_ON_PAGE = 50  # a chart with a row per service shows this many; its CSV has them all
NOT_RECORDED = "Not recorded"
NOT_RATED = "Not rated yet"
PENNY = Decimal("0.01")
TENTH = Decimal("0.1")
RAG_CLASSES = {Rag.RED: "portal-bar--red", Rag.AMBER: "portal-bar--amber", Rag.GREEN: "portal-bar--green"}


@dataclass(frozen=True)
class Filters:
    year: int | None = None  # the financial year starting in April of this year
    fund_id: int | None = None

    def query_args(self) -> dict:
        return {key: value for key, value in (("year", self.year), ("fund", self.fund_id)) if value is not None}


@dataclass(frozen=True)
class AwardFacts:
    id: int
    title: str
    provider: str
    fund_id: int
    pan_london: bool
    fund: str


def split_evenly(pence: int, keys: list) -> dict:
    """Share ``pence`` between ``keys`` in whole pence; the first ``pence % len(keys)`` keys get a penny more."""
    share, odd = divmod(pence, len(keys))
    return {key: share + (1 if index < odd else 0) for index, key in enumerate(keys)}


def per_head(pence: int, people: int) -> Decimal | None:
    """Pounds per person, to the penny (half up)."""
    if not people:
        return None
    return (Decimal(pence) / 100 / people).quantize(PENNY, rounding=ROUND_HALF_UP)


class Dashboard:
    """Every chart for one choice of filters. Each base query runs once, when a chart first needs it, and reads the
    facts for every chart that needs them (by award and by year at once), so that the page's statements are few
    and the same at any number of services."""

    def __init__(self, filters: Filters, *, page_only: bool = False) -> None:
        self.filters = filters
        # Made for the page rather than a CSV: a chart of every service needs only the rows the page shows.
        self.page_only = page_only

    # The base facts -------------------------------------------------------------------------------------------

    def _by_fund(self, query: sa.Select) -> sa.Select:
        return query.where(Award.fund_id == self.filters.fund_id) if self.filters.fund_id else query

    @cached_property
    def _awards_and_areas(self) -> tuple[dict[int, AwardFacts], dict[int, list[str]]]:
        """Each published award's facts, and its service areas' labels in the order of :class:`ServiceArea`, read
        by one statement."""
        query = self._by_fund(
            published.published_awards()
            .with_only_columns(
                Award.id,
                Award.title,
                Organisation.name,
                Award.fund_id,
                Award.works_pan_london,
                Fund.name,
                AwardServiceArea.service_area,
            )
            .join(Organisation, Organisation.id == Award.organisation_id)
            .join(Fund, Fund.id == Award.fund_id)
            .outerjoin(AwardServiceArea, AwardServiceArea.award_id == Award.id)
        )
        awards: dict[int, AwardFacts] = {}
        areas: dict[int, list[ServiceArea]] = defaultdict(list)
        for *facts, area in db.session.execute(query):
            if facts[0] not in awards:
                awards[facts[0]] = AwardFacts(*facts)
            if area is not None:
                areas[facts[0]].append(area)
        order = list(ServiceArea)
        labels = {award_id: [a.label for a in sorted(found, key=order.index)] for award_id, found in areas.items()}
        return awards, labels

    @property
    def awards(self) -> dict[int, AwardFacts]:
        return self._awards_and_areas[0]

    @cached_property
    def award_years(self) -> list[tuple[int, int, int]]:
        """(award, financial year, pence awarded) for every year of every award, whichever year is chosen."""
        query = self._by_fund(
            published.published_award_years()
            .with_only_columns(AwardYear.award_id, AwardYear.financial_year, sa.func.sum(AwardYear.amount_pence))
            .group_by(AwardYear.award_id, AwardYear.financial_year)
        )
        return [(award_id, year, int(total)) for award_id, year, total in db.session.execute(query)]

    @cached_property
    def awarded(self) -> dict[int, int]:
        """Pence awarded to each award in the chosen year (or all years)."""
        awarded: dict[int, int] = defaultdict(int)
        for award_id, year, pence in self.award_years:
            if self.filters.year is None or year == self.filters.year:
                awarded[award_id] += pence
        return dict(awarded)

    @cached_property
    def _accepted_by_year(self) -> list[tuple[int | None, int | None, int, int, int]]:
        """(award, borough project, financial year, spend in pence, people helped) from accepted returns in any year:
        of published awards and, unless a fund is chosen, of the boroughs' public projects, in one statement."""
        sums = (Return.financial_year, sa.func.sum(Return.spend_pence), sa.func.sum(Return.people_helped))
        none = sa.cast(sa.null(), sa.Integer)
        query: Any = self._by_fund(
            published.accepted_returns().with_only_columns(Return.award_id, none, *sums)
        ).group_by(Return.award_id, Return.financial_year)
        if not self.filters.fund_id:
            projects = borough_projects.accepted_returns().with_only_columns(none, Return.plan_project_id, *sums)
            query = sa.union_all(query, projects.group_by(Return.plan_project_id, Return.financial_year))
        rows = db.session.execute(query)
        return [
            (award, project, year, int(spend or 0), int(people or 0)) for award, project, year, spend, people in rows
        ]

    @cached_property
    def accepted_years(self) -> list[tuple[int, int, int, int]]:
        """(award, financial year, spend in pence, people helped) from accepted returns, whichever year is chosen."""
        rows = self._accepted_by_year
        return [(award, year, spend, people) for award, _, year, spend, people in rows if award is not None]

    def _project_spend(self) -> dict[int, int]:
        """Spend in each borough project's accepted returns in the chosen year (or all years)."""
        spend: dict[int, int] = defaultdict(int)
        for _, project, year, pence, _people in self._accepted_by_year:
            if project is not None and self.filters.year in (None, year):
                spend[project] += pence
        return spend

    @cached_property
    def reported(self) -> dict[int, tuple[int, int]]:
        """(spend in pence, people helped) from each award's accepted returns in the chosen year."""
        totals: dict[int, list[int]] = {}
        for award_id, year, spend, people in self.accepted_years:
            if self.filters.year is None or year == self.filters.year:
                found = totals.setdefault(award_id, [0, 0])
                found[0] += spend
                found[1] += people
        return {award_id: (spend, people) for award_id, (spend, people) in totals.items()}

    @cached_property
    def measure_results(self) -> list[tuple[int, int, int, int, int]]:
        """(award, financial year, measure results, targets met, sum of what was achieved) from accepted returns in
        the chosen year: each measure in each return counts once, met when it reached that period's target."""
        expected = Measure.target_for_sql(Measure.target, Measure.basis, ReturnFrequency.quarters_sql(Return.frequency))
        query = self._by_fund(
            published.accepted_measure_actuals()
            .with_only_columns(
                Return.award_id,
                Return.financial_year,
                sa.func.count(),
                sa.func.sum(sa.case((MeasureActual.actual >= expected, 1), else_=0)),
                sa.func.sum(MeasureActual.actual),
            )
            .join(Measure, Measure.id == MeasureActual.measure_id)
            .group_by(Return.award_id, Return.financial_year)
        )
        if self.filters.year is not None:
            query = query.where(Return.financial_year == self.filters.year)
        return [
            (award_id, year, int(count), int(met or 0), int(achieved or 0))
            for award_id, year, count, met, achieved in db.session.execute(query)
        ]

    @cached_property
    def ratings(self) -> list[tuple[date, int, Rag, int, int, int, int]]:
        """Accepted returns' performance records in the chosen year, counted in SQL by (period end, financial year,
        overall rating): (period end, year, rating, records, on time, each award's latest, latest of an award
        with funding in the chosen year). An award's latest is its record for the last period."""
        latest = sa.func.row_number().over(
            partition_by=PerformanceRecord.award_id,
            order_by=(Return.period_start.desc(), PerformanceRecord.id.desc()),
        )
        funded: Any = sa.true()
        if self.filters.year is not None:
            funded = sa.exists().where(
                AwardYear.award_id == PerformanceRecord.award_id, AwardYear.financial_year == self.filters.year
            )
        records = self._records(
            Return.period_end,
            Return.financial_year,
            PerformanceRecord.overall,
            sa.case((PerformanceRecord.days_late == 0, 1), else_=0).label("on_time"),
            sa.case((latest == 1, 1), else_=0).label("latest"),
            sa.case((funded, 1), else_=0).label("funded"),
        ).subquery()
        counted = sa.select(
            records.c.period_end,
            records.c.financial_year,
            records.c.overall,
            sa.func.count(),
            sa.func.sum(records.c.on_time),
            sa.func.sum(records.c.latest),
            sa.func.sum(records.c.latest * records.c.funded),
        ).group_by(records.c.period_end, records.c.financial_year, records.c.overall)
        return [
            (period_end, year, overall, int(count), int(on_time), int(latest), int(funded))
            for period_end, year, overall, count, on_time, latest, funded in db.session.execute(counted)
        ]

    @cached_property
    def local_authorities(self) -> list[LocalAuthority]:
        return list(db.session.scalars(sa.select(LocalAuthority).order_by(LocalAuthority.name)))

    @cached_property
    def sharing(self) -> borough_funding.Sharing:
        """How each award is shared among boroughs, from the local authorities and awards already read."""
        return borough_funding.Sharing(
            boroughs=[
                borough_funding.Borough(la.id, la.gss_code, la.name, la.residents_2021, la.in_lcpf)
                for la in self.local_authorities
            ],
            london_wide={award_id for award_id, facts in self.awards.items() if facts.pan_london},
        )

    @property
    def award_areas(self) -> dict[int, list[str]]:
        return self._awards_and_areas[1]

    @cached_property
    def borough_money(self) -> dict[int, tuple[int, int]]:
        """Awarded and reported pence for each local authority, shared as :mod:`portal.directory.borough_funding`
        shares them."""
        sharing = self.sharing
        awarded = sharing.apportion({award_id: self.awarded.get(award_id, 0) for award_id in self.awards})
        reported = sharing.apportion({award_id: self.reported.get(award_id, (0, 0))[0] for award_id in self.awards})
        for project, project_awarded, project_reported in self.borough_projects:
            la_id = project.local_authority_id
            awarded[la_id] = awarded.get(la_id, 0) + project_awarded
            reported[la_id] = reported.get(la_id, 0) + project_reported
        return {la.id: (awarded.get(la.id, 0), reported.get(la.id, 0)) for la in self.local_authorities}

    @cached_property
    def borough_projects(self) -> list[tuple[borough_projects.PublicProject, int, int]]:
        """The boroughs' public LCPF projects with their funding and accepted spend in the chosen year (or all years).
        They are paid from the boroughs' allocations, not a round's fund, so a choice of fund leaves them out."""
        if self.filters.fund_id:
            return []
        projects = borough_projects.all_public_projects()
        spend = self._project_spend()
        year = self.filters.year
        return [
            (p, p.amount_for(year) if year is not None else p.total_pence, spend.get(p.id, 0))
            for p in projects
            if (p.amount_for(year) if year is not None else p.total_pence) or spend.get(p.id)
        ]

    # Spend ----------------------------------------------------------------------------------------------------

    def spend_by_borough(self) -> Chart:
        by_borough = self.borough_money
        rows = []
        for la in self.local_authorities:
            awarded, reported = by_borough.get(la.id, (0, 0))
            rows.append(
                (
                    la.name,
                    la.inner_outer.value.capitalize(),
                    awarded,
                    reported,
                    la.residents_2021,
                    per_head(awarded, la.residents_2021),
                )
            )
        return Chart(
            "spend-by-borough",
            "Funding by borough",
            "Awarded funding and reported spend in each of London's 33 local authorities, with the amount awarded "
            "per resident (2021 census). A service serving several boroughs, or all of London, is shared among them "
            "by their residents, as on the map and the borough pages; a borough's own LCPF projects count in full in "
            "their borough.",
            (
                Column("Local authority"),
                Column("Inner or outer London"),
                Column("Awarded", Kind.PENCE),
                Column("Reported spend", Kind.PENCE),
                Column("Residents", Kind.COUNT),
                Column("Awarded per resident", Kind.POUNDS),
            ),
            rows,
            bar_columns=(2,),
        )

    def spend_inner_outer(self) -> Chart:
        by_borough = self.borough_money
        rows = []
        for side in InnerOuter:
            members = [la for la in self.local_authorities if la.inner_outer is side]
            awarded = sum(by_borough.get(la.id, (0, 0))[0] for la in members)
            reported = sum(by_borough.get(la.id, (0, 0))[1] for la in members)
            residents = sum(la.residents_2021 for la in members)
            rows.append(
                (f"{side.value.capitalize()} London", awarded, reported, residents, per_head(awarded, residents))
            )
        return Chart(
            "spend-inner-outer",
            "Inner and outer London",
            "Awarded funding per resident in inner and outer London (ONS definitions), with London-wide services "
            "shared among the boroughs by their residents.",
            (
                Column("Area"),
                Column("Awarded", Kind.PENCE),
                Column("Reported spend", Kind.PENCE),
                Column("Residents", Kind.COUNT),
                Column("Awarded per resident", Kind.POUNDS),
            ),
            rows,
            bar_columns=(4,),
        )

    def spend_by_service_area(self) -> Chart:
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for award_id in self.awards:
            areas = self.award_areas.get(award_id) or [NOT_RECORDED]
            amounts = (self.awarded.get(award_id, 0), self.reported.get(award_id, (0, 0))[0])
            for position, amount in enumerate(amounts):
                for area, share in split_evenly(amount, areas).items():
                    totals[area][position] += share
        order = [area.label for area in ServiceArea] + [NOT_RECORDED]
        rows = [(area, *totals[area]) for area in order if area in totals]
        return Chart(
            "spend-by-service-area",
            "Funding by service area",
            "Awarded funding and reported spend by area of service. An award in several areas is split evenly "
            "between them.",
            (Column("Service area"), Column("Awarded", Kind.PENCE), Column("Reported spend", Kind.PENCE)),
            rows,
        )

    def spend_by_fund(self) -> Chart:
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for award_id, facts in self.awards.items():
            totals[facts.fund][0] += self.awarded.get(award_id, 0)
            totals[facts.fund][1] += self.reported.get(award_id, (0, 0))[0]
        rows = sorted(((name, *money) for name, money in totals.items()), key=lambda row: str(row[0]))
        return Chart(
            "spend-by-fund",
            "Funding by fund",
            "Awarded funding and reported spend in each fund.",
            (Column("Fund"), Column("Awarded", Kind.PENCE), Column("Reported spend", Kind.PENCE)),
            rows,
        )

    def spend_by_year(self) -> Chart:
        """Every financial year, whichever year is chosen: this chart is the trend over years."""
        by_year: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for _award_id, year, pence in self.award_years:
            by_year[year][0] += pence
        for _award_id, year, spend, _people in self.accepted_years:
            by_year[year][1] += spend
        rows = [(financial_year_label(year), *by_year[year]) for year in sorted(by_year)]
        return Chart(
            "spend-by-year",
            "Funding by financial year",
            "Awarded funding and reported spend in each financial year (April to March). This chart always shows "
            "every year.",
            (Column("Financial year"), Column("Awarded", Kind.PENCE), Column("Reported spend", Kind.PENCE)),
            rows,
        )

    # Performance ----------------------------------------------------------------------------------------------

    def _records(self, *columns: Any) -> sa.Select[Any]:
        query = self._by_fund(published.accepted_records().with_only_columns(*columns))
        if self.filters.year is not None:
            query = query.where(Return.financial_year == self.filters.year)
        return query

    def rag_latest(self) -> Chart:
        latest: dict[Rag, int] = defaultdict(int)
        rated_in_scope = 0
        for _period_end, _year, overall, _count, _on_time, latest_here, funded in self.ratings:
            latest[overall] += latest_here
            rated_in_scope += funded
        in_scope = len(self.awarded) if self.filters.year is not None else len(self.awards)
        ratings = (Rag.GREEN, Rag.AMBER, Rag.RED)
        rows = [(rag.label, latest[rag]) for rag in ratings]
        rows.append((NOT_RATED, in_scope - rated_in_scope))
        return Chart(
            "rag-latest",
            "Latest performance rating of each service",
            "Each funded service's overall rating for its most recent accepted return: red, amber or green by "
            "the published rules.",
            (Column("Rating"), Column("Services", Kind.COUNT)),
            rows,
            row_classes=[*(RAG_CLASSES[rag] for rag in ratings), "portal-bar--grey"],
        )

    def rag_trend(self) -> Chart:
        return performance.rag_trend(self.ratings)

    def returns_on_time(self) -> Chart:
        return performance.returns_on_time(self.ratings)

    # Outcomes -------------------------------------------------------------------------------------------------

    def people_helped(self) -> Chart:
        by_year: dict[int, int] = defaultdict(int)
        for _award_id, year, _spend, people in self.accepted_years:
            if self.filters.year is None or year == self.filters.year:
                by_year[year] += people
        rows = sorted((financial_year_label(year), people) for year, people in by_year.items())
        return Chart(
            "people-helped",
            "People helped",
            "The number of people that services helped, as reported in accepted returns, by financial year.",
            (Column("Financial year"), Column("People helped", Kind.COUNT)),
            rows,
        )

    def measures_achieved(self) -> Chart:
        results: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for _award_id, year, reported, met, _achieved in self.measure_results:
            results[year][0] += reported
            results[year][1] += met
        rows = [
            (financial_year_label(year), reported, met, percent(met, reported))
            for year, (reported, met) in sorted(results.items())
        ]
        return Chart(
            "measures-achieved",
            "Measures achieved against targets",
            "Each measure in each accepted return counts once: met when what was achieved reached the target for "
            "that period.",
            (
                Column("Financial year"),
                Column("Measure results", Kind.COUNT),
                Column("Target met", Kind.COUNT),
                Column("Met", Kind.PERCENT),
            ),
            rows,
            bar_columns=(3,),
        )

    # Value for money ------------------------------------------------------------------------------------------

    @cached_property
    def costs(self) -> list[tuple]:
        """(area, service, provider, spend, people, cost per person) for each service in each of its areas."""
        rows = []
        for award_id, (spend, people) in self.reported.items():
            if award_id not in self.awards or not people:
                continue
            facts = self.awards[award_id]
            for area in self.award_areas.get(award_id) or [NOT_RECORDED]:
                rows.append((area, facts.title, facts.provider, spend, people, per_head(spend, people)))
        return rows

    @cached_property
    def medians(self) -> dict[str, Decimal]:
        by_area: dict[str, list[Decimal]] = defaultdict(list)
        for area, *_, cost in self.costs:
            by_area[area].append(cost)
        return {
            area: statistics.median(costs).quantize(PENNY, rounding=ROUND_HALF_UP) for area, costs in by_area.items()
        }

    def value_by_area(self) -> Chart:
        order = [area.label for area in ServiceArea] + [NOT_RECORDED]
        counts: dict[str, int] = defaultdict(int)
        for area, *_ in self.costs:
            counts[area] += 1
        rows = [(area, counts[area], self.medians[area]) for area in order if area in self.medians]
        return Chart(
            "value-by-area",
            "Median cost per person helped, by service area",
            "For each service: reported spend divided by people helped, both from accepted returns. The middle "
            "value of the services in each area. Services that have reported no one helped are left out.",
            (
                Column("Service area"),
                Column("Services compared", Kind.COUNT),
                Column("Median cost per person", Kind.POUNDS),
            ),
            rows,
            bar_columns=(2,),
        )

    def snb_allocations_on_time(self) -> Chart:
        from portal.dashboards import snb

        return snb.allocations_on_time(self.filters)

    def snb_drawdown_turnaround(self) -> Chart:
        from portal.dashboards import snb

        return snb.drawdown_turnaround(self.filters)

    def value_by_service(self) -> Chart:
        from portal.value import dashboard

        return dashboard.by_service(self)

    def value_by_borough(self) -> Chart:
        from portal.value import dashboard

        return dashboard.by_borough(self)


# The CSV names and the section each chart is shown in, in page order.
SECTIONS = {
    "Spending": ("spend_by_borough", "spend_inner_outer", "spend_by_service_area", "spend_by_fund", "spend_by_year"),
    "Performance": ("rag_latest", "rag_trend", "returns_on_time"),
    "Outcomes": ("people_helped", "measures_achieved"),
    "Value for money": ("value_by_area", "value_by_service", "value_by_borough"),
}
# Shown in a section of their own, after the others.
SNB_CHARTS = ("snb_allocations_on_time", "snb_drawdown_turnaround")
# The London Crime Prevention Fund's charts, also in a section of their own (portal/dashboards/lcpf.py).
LCPF_CHARTS = ("lcpf_by_borough", "lcpf_inner_outer", "lcpf_on_time")
CHART_NAMES = {
    method.replace("_", "-"): method for methods in (*SECTIONS.values(), SNB_CHARTS, LCPF_CHARTS) for method in methods
}


def chart(dashboard: Dashboard, name: str) -> Chart:
    made: Chart = getattr(dashboard, CHART_NAMES[name])()
    return made
