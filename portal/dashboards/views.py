"""The public dashboards: what is funded where, how it performs, what it achieves and what it costs."""

from flask import Blueprint, abort, current_app, make_response, render_template, request

from portal import caching
from portal.dashboards import choices, data, figures
from portal.permissions import public

dashboards = Blueprint("dashboards", __name__)

# Figures change only when an officer accepts a return or approves an award: a few minutes' staleness is fine.
CSV_MAX_AGE_SECONDS = 300


def _filters(years: list[int], funds: list) -> data.Filters:
    """The year and fund from the query string; anything not on offer is ignored rather than an error."""
    year = request.args.get("year", type=int)
    fund_id = request.args.get("fund", type=int)
    return data.Filters(
        year=year if year in years else None,
        fund_id=fund_id if fund_id in {fund.id for fund in funds} else None,
    )


def _csv_text(name: str, filters: data.Filters) -> str:
    """A chart's CSV: from the page's kept figures (:mod:`portal.dashboards.figures`) when they hold every row,
    otherwise worked out in full and kept in the shared cache for a few minutes."""
    found = figures.for_page(filters)
    shown = {chart.name: chart for charts in (*found.sections.values(), found.snb, found.lcpf) for chart in charts}
    chart = shown.get(name)
    if chart is not None and chart.complete:
        return chart.csv_text()
    return caching.get_or_make(
        f"dashboards-csv:{name}:{filters.year}:{filters.fund_id}",
        lambda: data.chart(data.Dashboard(filters), name).csv_text(),
        current_app.config["PUBLIC_CACHE_SECONDS"],
    )


@dashboards.route("/dashboards")
@public
def index():
    years, funds = choices.available_choices()  # once, in one statement: it scans the published data
    filters = _filters(years, funds)
    found = figures.for_page(filters)
    return render_template(
        "dashboards/index.html",
        filters=filters,
        sections=found.sections,
        snb_charts=found.snb,
        lcpf_charts=found.lcpf,
        made_at=found.made_at,
        years=years,
        funds=funds,
    )


@dashboards.route(f"/dashboards/<any({', '.join(repr(name) for name in sorted(data.CHART_NAMES))}):name>.csv")
@public
def csv(name: str):
    if name not in data.CHART_NAMES:
        abort(404)
    filters = _filters(*choices.available_choices())
    suffix = "".join(f"-{key}-{value}" for key, value in filters.query_args().items())
    response = make_response(_csv_text(name, filters))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}{suffix}.csv"'
    # Only public figures, the same for everyone and with no cookie: safe for shared caches.
    response.headers["Cache-Control"] = f"public, max-age={CSV_MAX_AGE_SECONDS}"
    return response
