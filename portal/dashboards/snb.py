"""Safer Neighbourhood Board funding on the public dashboards: whether boards' allocations were issued before
their financial year started, and how quickly their drawdowns were turned round. Aggregates only, from
``portal.drawdowns.public``; the year and fund filters apply as they do to every other chart."""

from decimal import Decimal

from portal.dashboards.charts import Chart, Column, Kind
from portal.dashboards.data import Filters
from portal.drawdowns.public import allocations_issued_on_time_by_year, drawdown_turnaround_by_year


def allocations_on_time(filters: Filters) -> Chart:
    years = [y for y in allocations_issued_on_time_by_year(filters.fund_id) if filters.year in (None, y.financial_year)]
    return Chart(
        "snb-allocations-on-time",
        "Allocations issued on time",
        "Each board's allocation for a financial year should be issued before the year starts. "
        "Allocations not issued yet are counted apart.",
        (
            Column("Financial year"),
            Column("Issued on time", Kind.COUNT),
            Column("Issued late", Kind.COUNT),
            Column("Not issued yet", Kind.COUNT),
            Column("Share issued on time", Kind.PERCENT),
        ),
        [(y.label, y.on_time, y.late, y.not_issued, y.percent_on_time) for y in years],
        bar_columns=(1, 2),
        bar_classes=("portal-bar--green", "portal-bar--red"),
    )


def drawdown_turnaround(filters: Filters) -> Chart:
    years = [y for y in drawdown_turnaround_by_year(filters.fund_id) if filters.year in (None, y.financial_year)]
    target = years[0].target_working_days if years else None
    return Chart(
        "snb-drawdown-turnaround",
        "How quickly drawdowns were turned round",
        "Working days from a board's request to payment, or to refusal, for drawdowns that are finished"
        + (f", against a target of {target} working days." if target else "."),
        (
            Column("Financial year"),
            Column("Drawdowns finished", Kind.COUNT),
            Column("Median working days", Kind.DAYS),
            Column("Share within target", Kind.PERCENT),
        ),
        [
            (
                y.label,
                y.count,
                None if y.median_working_days is None else Decimal(str(y.median_working_days)),
                y.percent_within_target,
            )
            for y in years
        ],
        bar_columns=(2,),
    )


def snb_charts(filters: Filters) -> list[Chart]:
    """The Safer Neighbourhood Board charts for these filters, or none when no allocation has been made."""
    charts = [allocations_on_time(filters), drawdown_turnaround(filters)]
    return charts if charts[0].rows else []
