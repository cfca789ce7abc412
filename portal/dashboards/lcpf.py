"""The London Crime Prevention Fund on the public dashboards: each borough's allocation per resident, per recorded
crime and against deprivation, inner and outer London, and whether allocations, plans and returns were on time.

Allocations and the figures they are compared with are the published formula version's own: its per-borough
allocations and the inputs frozen into it (recorded crime in its window, residents, deprivation), so the
dashboards say exactly what the formula page says. Plans and returns are counted only for what
:mod:`portal.directory.borough_projects` makes public (approved plans), and only as counts.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from portal.dashboards.charts import Chart, Column, Kind
from portal.dashboards.data import Filters, per_head, percent
from portal.directory import borough_projects
from portal.extensions import db
from portal.lcpf import formula
from portal.lcpf.versions import fetch_current_published_with_allocations
from portal.models import BoroughAllocation, LcpfVersion, Return
from portal.periods import financial_year_label, london_date, today_in_london

TENTH = Decimal("0.1")


@dataclass(frozen=True)
class BoroughFigures:
    name: str
    inner_outer: str
    allocation_pence: int
    residents: int
    crimes: int
    deprivation: Decimal | None


def _year(version: LcpfVersion | None, filters: Filters) -> int | None:
    """The year chosen, if the published version allocates it; otherwise the version's first year."""
    years = {a.financial_year for a in version.allocations} if version is not None else set()
    if not years:
        return filters.year
    return filters.year if filters.year in years else min(years)


def _title(text: str, year: int | None) -> str:
    return f"{text}, {financial_year_label(year)}" if year is not None else text


def borough_figures(version: LcpfVersion | None, year: int | None) -> list[BoroughFigures]:
    if version is None:
        return []
    parameters = formula.Parameters.from_json(version.parameters)
    inputs = {borough.gss_code: borough for borough in formula.inputs_from_json(version.inputs)}
    figures = []
    for allocation in sorted(
        (a for a in version.allocations if a.financial_year == year), key=lambda a: a.local_authority.name
    ):
        borough = inputs.get(allocation.local_authority.gss_code)
        if borough is None:
            continue
        measure = borough.deprivation.get(parameters.deprivation_measure)
        figures.append(
            BoroughFigures(
                name=allocation.local_authority.name,
                inner_outer=borough.inner_outer.capitalize(),
                allocation_pence=allocation.amount_pounds * 100,
                residents=borough.residents,
                crimes=sum(borough.crime.values()),
                deprivation=None if measure is None else Decimal(measure).quantize(TENTH, rounding=ROUND_HALF_UP),
            )
        )
    return figures


def allocation_by_borough(version: LcpfVersion | None, filters: Filters) -> Chart:
    year = _year(version, filters)
    chosen = formula.Parameters.from_json(version.parameters).deprivation_measure if version else ""
    measure = formula.DEPRIVATION_MEASURES.get(chosen, "Deprivation")
    rows = [
        (
            b.name,
            b.inner_outer,
            b.allocation_pence,
            per_head(b.allocation_pence, b.residents),
            per_head(b.allocation_pence, b.crimes),
            b.deprivation,
        )
        for b in borough_figures(version, year)
    ]
    return Chart(
        "lcpf-by-borough",
        _title("Borough allocations", year),
        f"Each borough's allocation in {version.title if version else 'the published formula'}, per resident, "
        "per recorded crime in the formula's crime "
        f"window and beside its deprivation ({measure}), all from the figures frozen into the published version.",
        (
            Column("Borough"),
            Column("Inner or outer London"),
            Column("Allocation", Kind.PENCE),
            Column("Per resident", Kind.POUNDS),
            Column("Per recorded crime", Kind.POUNDS),
            Column(measure, Kind.RATIO),
        ),
        rows,
        bar_columns=(3,),
    )


def allocation_inner_outer(version: LcpfVersion | None, filters: Filters) -> Chart:
    year = _year(version, filters)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for b in borough_figures(version, year):
        totals[b.inner_outer][0] += b.allocation_pence
        totals[b.inner_outer][1] += b.residents
        totals[b.inner_outer][2] += b.crimes
    rows = [
        (f"{side} London", pence, residents, per_head(pence, residents), per_head(pence, crimes))
        for side, (pence, residents, crimes) in sorted(totals.items())
    ]
    return Chart(
        "lcpf-inner-outer",
        _title("Inner and outer London allocations", year),
        "The boroughs' allocations added up for inner and outer London (ONS definitions), per resident and per "
        "recorded crime.",
        (
            Column("Area"),
            Column("Allocation", Kind.PENCE),
            Column("Residents", Kind.COUNT),
            Column("Per resident", Kind.POUNDS),
            Column("Per recorded crime", Kind.POUNDS),
        ),
        rows,
        bar_columns=(3,),
    )


def on_time(filters: Filters) -> Chart:
    """By financial year: allocations confirmed before the year started, plans approved, returns sent on time."""
    today = today_in_london()
    allocations: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])  # on time, late, not confirmed
    for confirm_by, confirmed_on, year in db.session.execute(
        sa.select(BoroughAllocation.confirm_by, BoroughAllocation.confirmed_on, BoroughAllocation.financial_year)
    ):
        allocations[year][0 if confirmed_on and confirmed_on <= confirm_by else 1 if confirmed_on else 2] += 1
    plans: dict[int, set[int]] = defaultdict(set)
    for project in borough_projects.all_public_projects():
        for year in range(project.plan_first_year, project.plan_last_year + 1):
            plans[year].add(project.plan_id)
    approved = {year: len(plan_ids) for year, plan_ids in plans.items()}
    returns: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # due so far, sent by the due date
    query = sa.select(Return.financial_year, Return.due_on, Return.first_submitted_at).where(
        Return.plan_project_id.in_(borough_projects.public_project_ids()), Return.due_on < today
    )
    for year, due_on, submitted_at in db.session.execute(query):
        returns[year][0] += 1
        if submitted_at is not None and london_date(submitted_at) <= due_on:
            returns[year][1] += 1
    years = sorted(set(allocations) | set(approved) | set(returns))
    if filters.year is not None:
        years = [year for year in years if year == filters.year]
    rows = [
        (
            financial_year_label(year),
            allocations[year][0],
            allocations[year][1],
            allocations[year][2],
            approved.get(year, 0),
            returns[year][0],
            returns[year][1],
            percent(returns[year][1], returns[year][0]),
        )
        for year in years
    ]
    return Chart(
        "lcpf-on-time",
        "Allocations, plans and returns on time",
        "For each financial year: boroughs' allocations confirmed before the date they were due (or late, or not "
        "yet), approved delivery plans covering the year, and quarterly returns on their projects that have fallen "
        "due, with how many were sent by the due date.",
        (
            Column("Financial year"),
            Column("Allocations confirmed on time", Kind.COUNT),
            Column("Confirmed late", Kind.COUNT),
            Column("Not confirmed yet", Kind.COUNT),
            Column("Approved plans", Kind.COUNT),
            Column("Returns due", Kind.COUNT),
            Column("Sent on time", Kind.COUNT),
            Column("Returns on time", Kind.PERCENT),
        ),
        rows,
        bar_columns=(7,),
    )


NO_VERSION = (
    "There are no borough allocations to show yet. When a funding formula is published, this shows each borough's "
    "allocation against its residents, recorded crime and deprivation."
)
OTHER_FUND = "The boroughs' allocations belong to no single fund, so they are shown when all funds are chosen."


def _empty(chart: Chart, message: str) -> Chart:
    chart.rows, chart.empty_message = [], message
    return chart


def lcpf_charts(filters: Filters) -> list[Chart]:
    """The LCPF charts for these filters. Without a published formula version the allocation charts are empty; a
    choice of fund leaves every row out, since the allocations belong to no round's fund."""
    version = fetch_current_published_with_allocations()
    if version is not None and version.allocations:
        charts = [allocation_by_borough(version, filters), allocation_inner_outer(version, filters)]
    else:
        charts = [
            _empty(allocation_by_borough(None, filters), NO_VERSION),
            _empty(allocation_inner_outer(None, filters), NO_VERSION),
        ]
    charts.append(on_time(filters))
    if filters.fund_id:
        charts = [_empty(chart, OTHER_FUND) for chart in charts]
    return charts
