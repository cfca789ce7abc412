"""Measures rolled up by outcome of the current framework, across every funded service: the figures behind the
outcomes dashboard. Read only through ``portal.directory.published`` and ``portal.directory.borough_projects``, so
it shows nothing the other public pages do not.

Definitions, also written on the page:

- A **service contributes** to an outcome when one of its measures is mapped to it (an award), or the service is
  mapped to it (a borough's LCPF project, whose measures all count under it).
- **Target** and **achieved** add up, over accepted returns, each mapped measure's target for the return's period
  and what the return reported; a measure counts only in returns that report it. A **target is met** when what was
  achieved reached the period's target. The units differ from measure to measure (young people, sessions, …), so
  the sums are a scale of activity, and the share of targets met is the comparable figure.
- **Money behind them**: each contributing service's funding (for the chosen year, or all years) split evenly
  between the outcomes it contributes to, as the other dashboards split a service between its service areas.
- **By borough**, a service counts in every borough it serves, and its money is shared among them by residents
  exactly as on the map and the borough pages (a borough's own LCPF project counts wholly in its borough). Targets
  and results are the whole service's: they are not reported by borough.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

import sqlalchemy as sa

from portal.dashboards.charts import Chart, Column, Kind
from portal.dashboards.data import percent, split_evenly
from portal.directory import borough_funding, borough_projects, published
from portal.extensions import db
from portal.models import (
    Award,
    AwardYear,
    LocalAuthority,
    Measure,
    MeasureActual,
    MeasureBasis,
    Outcome,
    OutcomeMapping,
    Return,
    ReturnStatus,
)
from portal.outcomes.frameworks import fetch_current
from portal.periods import financial_year_label


@dataclass(frozen=True)
class Filters:
    year: int | None = None  # the financial year starting in April of this year
    borough_id: int | None = None  # a local authority

    def query_args(self) -> dict:
        pairs = (("year", self.year), ("borough", self.borough_id))
        return {key: value for key, value in pairs if value is not None}


@dataclass
class Tally:
    services: set = field(default_factory=set)  # ("award", id) or ("project", id)
    measures: set = field(default_factory=set)
    results: int = 0
    target: int = 0
    achieved: int = 0
    met: int = 0
    pence: int = 0


# A service is ("award", award id) or ("project", plan project id).
Service = tuple[str, int]


class Rollup:
    """The roll-up for one choice of filters. Each base query runs once, when a figure first needs it."""

    def __init__(self, filters: Filters) -> None:
        self.filters = filters

    @cached_property
    def outcomes(self) -> list[Outcome]:
        framework = fetch_current()
        return list(framework.outcomes) if framework else []

    @cached_property
    def _outcome_ids(self) -> list[int]:
        return [o.id for o in self.outcomes]

    @cached_property
    def measure_outcomes(self) -> dict[int, tuple[Service, int]]:
        """Measure id → (service, outcome id), for the measures of published awards and public borough projects."""
        if not self._outcome_ids:
            return {}
        found: dict[int, tuple[Service, int]] = {}
        awards = (
            sa.select(Measure.id, Measure.award_id, OutcomeMapping.outcome_id)
            .join(Award, Award.id == Measure.award_id)
            .join(OutcomeMapping, OutcomeMapping.measure_id == Measure.id)
            .where(published.is_published(), OutcomeMapping.outcome_id.in_(self._outcome_ids))
        )
        for measure_id, award_id, outcome_id in db.session.execute(awards):
            found[measure_id] = (("award", award_id), outcome_id)
        projects = sa.select(Measure.id, Measure.plan_project_id).where(
            Measure.plan_project_id.in_(list(self.project_outcomes))
        )
        for measure_id, project_id in db.session.execute(projects) if self.project_outcomes else ():
            found[measure_id] = (("project", project_id), self.project_outcomes[project_id])
        return found

    @cached_property
    def project_outcomes(self) -> dict[int, int]:
        """Public borough project id → outcome id."""
        if not self._outcome_ids:
            return {}
        query = sa.select(OutcomeMapping.plan_project_id, OutcomeMapping.outcome_id).where(
            OutcomeMapping.plan_project_id.in_(borough_projects.public_project_ids()),
            OutcomeMapping.outcome_id.in_(self._outcome_ids),
        )
        return {
            project_id: outcome_id
            for project_id, outcome_id in db.session.execute(query).tuples().all()
            if project_id is not None
        }

    @cached_property
    def service_outcomes(self) -> dict[Service, set[int]]:
        found: dict[Service, set[int]] = defaultdict(set)
        for service, outcome_id in self.measure_outcomes.values():
            found[service].add(outcome_id)
        for project_id, outcome_id in self.project_outcomes.items():
            found[("project", project_id)].add(outcome_id)
        return dict(found)

    @cached_property
    def projects(self) -> dict[int, borough_projects.PublicProject]:
        if not self.project_outcomes:
            return {}
        return {p.id: p for p in borough_projects.fetch_public_projects(project_ids=list(self.project_outcomes))}

    @cached_property
    def award_amounts(self) -> dict[int, dict[int, int]]:
        """Award id → {financial year: pence} for the contributing published awards."""
        award_ids = [id_ for kind, id_ in self.service_outcomes if kind == "award"]
        amounts: dict[int, dict[int, int]] = defaultdict(dict)
        if award_ids:
            query = (
                published.published_award_years()
                .with_only_columns(AwardYear.award_id, AwardYear.financial_year, AwardYear.amount_pence)
                .where(AwardYear.award_id.in_(award_ids))
            )
            for award_id, year, pence in db.session.execute(query):
                amounts[award_id][year] = int(pence)
        return amounts

    @cached_property
    def sharing(self) -> borough_funding.Sharing:
        return borough_funding.Sharing()

    def served(self, service: Service) -> list[int]:
        """The local authorities a service counts in."""
        kind, id_ = service
        if kind == "project":
            project = self.projects.get(id_)
            return [project.local_authority_id] if project else []
        return [b.id for b in self.sharing.served(id_)]

    def money(self, service: Service, year: int | None, borough_id: int | None) -> int:
        """The service's funding in the year (or all years), or a borough's share of it."""
        kind, id_ = service
        if kind == "project":
            project = self.projects.get(id_)
            if project is None or (borough_id is not None and project.local_authority_id != borough_id):
                return 0
            return project.amount_for(year) if year is not None else project.total_pence
        by_year = self.award_amounts.get(id_, {})
        pence = by_year.get(year, 0) if year is not None else sum(by_year.values())
        if borough_id is None:
            return pence
        return borough_funding.share_by_residents(pence, self.sharing.served(id_)).get(borough_id, 0)

    @cached_property
    def results(self) -> list[tuple[int, int, int, int]]:
        """(measure id, financial year, target for the period, achieved) for every result of a mapped measure in an
        accepted return of a published award or public project."""
        if not self.measure_outcomes:
            return []
        query = (
            sa.select(
                MeasureActual.measure_id,
                Return.financial_year,
                Return.frequency,
                MeasureActual.actual,
                Measure.target,
                Measure.basis,
                Return.award_id,
                Return.plan_project_id,
            )
            .join(Return, Return.id == MeasureActual.return_id)
            .join(Measure, Measure.id == MeasureActual.measure_id)
            .where(Return.status == ReturnStatus.ACCEPTED, MeasureActual.measure_id.in_(list(self.measure_outcomes)))
        )
        rows = []
        for measure_id, year, frequency, actual, target, basis, award_id, project_id in db.session.execute(query):
            service = self.measure_outcomes[measure_id][0]
            if service != (("award", award_id) if award_id else ("project", project_id)):
                continue
            expected = Measure(target=target, basis=MeasureBasis(basis)).target_for(frequency.quarters)
            rows.append((measure_id, year, expected, actual))
        return rows

    def _in_scope(self, service: Service, borough_id: int | None) -> bool:
        return borough_id is None or borough_id in self.served(service)

    def tallies(self, year: int | None, borough_id: int | None) -> dict[int, Tally]:
        """Outcome id → its figures for the year (or all years) and the borough (or all London)."""
        tallies = {outcome_id: Tally() for outcome_id in self._outcome_ids}
        for measure_id, y, expected, actual in self.results:
            service, outcome_id = self.measure_outcomes[measure_id]
            if (year is not None and y != year) or not self._in_scope(service, borough_id):
                continue
            tally = tallies[outcome_id]
            tally.results += 1
            tally.target += expected
            tally.achieved += actual
            tally.met += 1 if actual >= expected else 0
            tally.services.add(service)
        for measure_id, (service, outcome_id) in self.measure_outcomes.items():
            if self._in_scope(service, borough_id):
                tallies[outcome_id].measures.add(measure_id)
        for service, outcome_ids in self.service_outcomes.items():
            if not self._in_scope(service, borough_id):
                continue
            pence = self.money(service, year, borough_id)
            if pence:
                for outcome_id in outcome_ids:
                    tallies[outcome_id].services.add(service)
            for outcome_id, share in split_evenly(pence, sorted(outcome_ids, key=self._outcome_ids.index)).items():
                tallies[outcome_id].pence += share
        return tallies

    # Charts ---------------------------------------------------------------------------------------------------

    def by_outcome(self) -> Chart:
        tallies = self.tallies(self.filters.year, self.filters.borough_id)
        rows = [
            (
                outcome.name,
                len(tallies[outcome.id].services),
                len(tallies[outcome.id].measures),
                tallies[outcome.id].target,
                tallies[outcome.id].achieved,
                tallies[outcome.id].results,
                tallies[outcome.id].met,
                percent(tallies[outcome.id].met, tallies[outcome.id].results),
                tallies[outcome.id].pence,
            )
            for outcome in self.outcomes
        ]
        return Chart(
            "outcomes-by-outcome",
            "What funded services achieve for each outcome",
            "For each outcome of the current framework: the services contributing to it, their measures' targets "
            "and what accepted returns reported against them, how many targets were met, and the funding behind "
            "them (a service contributing to several outcomes is split evenly between them).",
            (
                Column("Outcome"),
                Column("Services contributing", Kind.COUNT),
                Column("Measures", Kind.COUNT),
                Column("Target", Kind.COUNT),
                Column("Achieved", Kind.COUNT),
                Column("Results reported", Kind.COUNT),
                Column("Targets met", Kind.COUNT),
                Column("Share of targets met", Kind.PERCENT),
                Column("Money behind them", Kind.PENCE),
            ),
            rows,
            bar_columns=(8,),
        )

    def by_year(self) -> Chart:
        """Every financial year with results or funding, whichever year is chosen: the trend."""
        years = {y for _, y, _, _ in self.results}
        years |= {y for amounts in self.award_amounts.values() for y in amounts}
        years |= {y for p in self.projects.values() for y in p.years}
        rows = []
        for year in sorted(years):
            tallies = self.tallies(year, self.filters.borough_id)
            for outcome in self.outcomes:
                t = tallies[outcome.id]
                if t.services or t.results:
                    rows.append(
                        (
                            financial_year_label(year),
                            outcome.name,
                            len(t.services),
                            t.target,
                            t.achieved,
                            t.met,
                            percent(t.met, t.results),
                            t.pence,
                        )
                    )
        return Chart(
            "outcomes-by-year",
            "Each outcome by financial year",
            "The same figures for each financial year (April to March). This table always shows every year.",
            (
                Column("Financial year"),
                Column("Outcome"),
                Column("Services contributing", Kind.COUNT),
                Column("Target", Kind.COUNT),
                Column("Achieved", Kind.COUNT),
                Column("Targets met", Kind.COUNT),
                Column("Share of targets met", Kind.PERCENT),
                Column("Money behind them", Kind.PENCE),
            ),
            rows,
            bar_columns=(7,),
        )

    @cached_property
    def local_authorities(self) -> list[tuple[int, str]]:
        return list(
            db.session.execute(sa.select(LocalAuthority.id, LocalAuthority.name).order_by(LocalAuthority.name)).tuples()
        )

    def by_borough(self) -> Chart:
        """Each borough's services and share of the money for each outcome, in the chosen year."""
        counts: dict[tuple[int, int], set] = defaultdict(set)
        money: dict[tuple[int, int], int] = defaultdict(int)
        year = self.filters.year
        for service, outcome_ids in self.service_outcomes.items():
            ordered = sorted(outcome_ids, key=self._outcome_ids.index)
            kind, id_ = service
            if kind == "project":
                project = self.projects.get(id_)
                shares = {project.local_authority_id: self.money(service, year, None)} if project else {}
            else:
                shares = borough_funding.share_by_residents(self.money(service, year, None), self.sharing.served(id_))
            for borough_id in self.served(service):
                for outcome_id, share in split_evenly(shares.get(borough_id, 0), ordered).items():
                    counts[(borough_id, outcome_id)].add(service)
                    money[(borough_id, outcome_id)] += share
        rows = [
            (name, outcome.name, len(counts[(la_id, outcome.id)]), money[(la_id, outcome.id)])
            for la_id, name in self.local_authorities
            if self.filters.borough_id in (None, la_id)
            for outcome in self.outcomes
            if counts.get((la_id, outcome.id))
        ]
        return Chart(
            "outcomes-by-borough",
            "Each outcome by borough",
            "The services working in each borough for each outcome, and the borough's share of their funding: a "
            "service serving several boroughs, or all of London, is shared among them by residents, as on the map.",
            (
                Column("Local authority"),
                Column("Outcome"),
                Column("Services working there", Kind.COUNT),
                Column("Money behind them", Kind.PENCE),
            ),
            rows,
            bar_columns=(3,),
            page_limit=200,
        )

    def charts(self) -> list[Chart]:
        return [self.by_outcome(), self.by_year(), self.by_borough()]


CHART_NAMES = ("outcomes-by-outcome", "outcomes-by-year", "outcomes-by-borough")
