"""The public outcomes framework (the current version with each outcome described, and earlier versions) and the
outcomes dashboard: measures rolled up by outcome, by financial year and by borough, each table with its CSV."""

import sqlalchemy as sa
from flask import abort, make_response, render_template, request

from portal.dashboards import choices as dashboard_choices
from portal.extensions import db
from portal.models import LocalAuthority
from portal.outcomes import frameworks, rollup
from portal.outcomes.views import outcomes
from portal.permissions import public

CSV_MAX_AGE_SECONDS = 300  # as the other dashboards' CSVs


@outcomes.route("/outcomes")
@public
def framework_page():
    versions = frameworks.fetch_public_frameworks()
    current = frameworks.fetch_current()
    return render_template("outcomes/public/framework.html", framework=current, versions=versions, current=current)


@outcomes.route("/outcomes/versions/<int:number>")
@public
def framework_version(number: int):
    version = next((v for v in frameworks.fetch_public_frameworks() if v.number == number), None) or abort(404)
    return render_template(
        "outcomes/public/framework.html",
        framework=version,
        versions=frameworks.fetch_public_frameworks(),
        current=frameworks.fetch_current(),
    )


def _filters() -> rollup.Filters:
    """The year and borough from the query string; anything not on offer is ignored rather than an error."""
    year = request.args.get("year", type=int)
    borough_id = request.args.get("borough", type=int)
    return rollup.Filters(
        year=year if year in dashboard_choices.available_years() else None,
        borough_id=borough_id if borough_id in {la.id for la in _boroughs()} else None,
    )


def _boroughs() -> list[LocalAuthority]:
    return list(db.session.scalars(sa.select(LocalAuthority).order_by(LocalAuthority.name)))


@outcomes.route("/dashboards/outcomes")
@public
def dashboard():
    filters = _filters()
    figures = rollup.Rollup(filters)
    return render_template(
        "outcomes/public/dashboard.html",
        filters=filters,
        framework=frameworks.fetch_current(),
        charts=figures.charts(),
        years=dashboard_choices.available_years(),
        boroughs=_boroughs(),
    )


@outcomes.route(f"/dashboards/outcomes/<any({', '.join(repr(n) for n in rollup.CHART_NAMES)}):name>.csv")
@public
def dashboard_csv(name: str):
    filters = _filters()
    chart = next(c for c in rollup.Rollup(filters).charts() if c.name == name)
    suffix = "".join(f"-{key}-{value}" for key, value in filters.query_args().items())
    response = make_response(chart.csv_text())
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}{suffix}.csv"'
    # Only public figures, the same for everyone and with no cookie: safe for shared caches.
    response.headers["Cache-Control"] = f"public, max-age={CSV_MAX_AGE_SECONDS}"
    return response
