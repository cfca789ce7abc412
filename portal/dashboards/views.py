"""The public dashboards: what is funded where, how it performs, what it achieves and what it costs."""

from flask import Blueprint, abort, current_app, make_response, render_template, request

from portal import caching
from portal.dashboards import choices, data
from portal.dashboards.lcpf import lcpf_charts
from portal.dashboards.snb import snb_charts
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


def _charts(filters: data.Filters) -> tuple[dict, list, list]:
    """Every chart for these filters as the page shows it, kept in the shared cache for a few minutes: they hold
    only public figures, the same for everyone, and take a while to work out at London's scale. A chart of every
    service keeps only the rows on the page; its CSV is made and kept apart (:func:`csv`)."""
    key = f"dashboards:{filters.year}:{filters.fund_id}"
    found = caching.get(key)
    if found is None:
        dashboard = data.Dashboard(filters, page_only=True)
        sections = {
            title: [getattr(dashboard, name)().for_page() for name in names] for title, names in data.SECTIONS.items()
        }
        found = (sections, snb_charts(filters), lcpf_charts(filters))
        caching.set(key, found, current_app.config["PUBLIC_CACHE_SECONDS"])
    return found


def _csv_text(name: str, filters: data.Filters) -> str:
    """A chart's CSV: from the page's own figures (usually already cached) when they hold every row, otherwise
    worked out in full and kept for as long as the page's figures are."""
    sections, board_charts, fund_charts = _charts(filters)
    shown = {chart.name: chart for charts in (*sections.values(), board_charts, fund_charts) for chart in charts}
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
    sections, board_charts, fund_charts = _charts(filters)
    return render_template(
        "dashboards/index.html",
        filters=filters,
        sections=sections,
        snb_charts=board_charts,
        lcpf_charts=fund_charts,
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
