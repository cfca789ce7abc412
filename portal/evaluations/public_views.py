"""The public evaluations library: published evaluations of services and programmes, their reports and a CSV."""

from flask import make_response, render_template, request, url_for

from portal import exports
from portal.evaluations import queries
from portal.evaluations.views import evaluations, send_report
from portal.models import Evaluation, EvaluationKind, ServiceArea
from portal.permissions import loads, public


def _filters() -> queries.LibraryFilters:
    def pick(enum_class, name, default=None):
        try:
            return enum_class(request.args.get(name, ""))
        except ValueError:
            return default

    return queries.LibraryFilters(
        kind=pick(EvaluationKind, "kind"),
        fund_id=request.args.get("fund", type=int),
        service_area=pick(ServiceArea, "area"),
        sort=pick(queries.Sort, "sort", queries.Sort.NEWEST),
    )


@evaluations.route("/evaluations")
@public
def library():
    filters = _filters()
    return render_template(
        "evaluations/library.html",
        page=queries.fetch_library_page(filters, request.args.get("page", 1, type=int)),
        filters=filters,
        kinds=list(EvaluationKind),
        areas=list(ServiceArea),
        sorts=list(queries.Sort),
        funds=queries.fetch_library_funds(),
    )


def report_url(evaluation: Evaluation) -> str | None:
    if evaluation.report_filename:
        return url_for("evaluations.public_report", evaluation_id=evaluation.id, _external=True)
    return evaluation.report_link


@evaluations.route("/evaluations.csv")
@public
def library_csv():
    rows = [
        queries.csv_row(
            evaluation,
            url_for("evaluations.evaluation", evaluation_id=evaluation.id, _external=True),
            report_url(evaluation),
        )
        for evaluation in queries.fetch_library_all(_filters())
    ]
    response = make_response(exports.csv_text(queries.CSV_HEADINGS, rows))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = "attachment; filename=evaluations.csv"
    return response


@evaluations.route("/evaluations/<int:evaluation_id>")
@public
@loads("found", queries.fetch_public, parameter="evaluation_id", permission=None)
def evaluation(found: Evaluation):
    return render_template("evaluations/evaluation.html", evaluation=found)


@evaluations.route("/evaluations/<int:evaluation_id>/report.pdf")
@public
@loads("found", queries.fetch_public, parameter="evaluation_id", permission=None)
def public_report(found: Evaluation):
    return send_report(found)
