"""The public pages of published cost-benefit analyses: the list (and its CSV) and each analysis with its workings.
Drafts are never shown: every read goes through ``services.fetch_published*``."""

from flask import Blueprint, make_response, render_template, url_for

from portal import exports
from portal.models import ValueAnalysis
from portal.permissions import loads, public
from portal.value import services

value = Blueprint("value", __name__)

CSV_MAX_AGE_SECONDS = 300  # a new analysis may be published at any time; published ones never change
CSV_HEADINGS = (
    "Analysis",
    "Service",
    "Award reference",
    "Provider",
    "Year 0 (financial year starting April)",
    "Published",
    "Present value of costs (£)",
    "Present value of benefits (£)",
    "Net present value (£)",
    "Benefit-cost ratio",
    "Low case benefit-cost ratio",
    "High case benefit-cost ratio",
    "Workings",
)


def _rows() -> list:
    rows = []
    for analysis in services.fetch_published():
        workings, _ = services.work_out(analysis)
        rows.append((analysis, workings))
    return rows


@value.route("/value-for-money")
@public
def published_list():
    return render_template("value/list.html", rows=_rows())


@value.route("/value-for-money.csv")
@public
def published_csv():
    def ratio(r):
        return "" if r is None else f"{r:.2f}"

    lines = []
    for analysis, workings in _rows():
        if workings is None:
            continue
        low, central, high = workings.scenarios
        lines.append(
            (
                analysis.title,
                analysis.award.title,
                analysis.award.reference,
                analysis.award.organisation.name,
                analysis.analysis_year,
                analysis.published_at.date().isoformat(),
                f"{central.present_value_costs:.2f}",
                f"{central.present_value_benefits:.2f}",
                f"{central.net_present_value:.2f}",
                ratio(central.benefit_cost_ratio),
                ratio(low.benefit_cost_ratio),
                ratio(high.benefit_cost_ratio),
                url_for(".published_analysis", analysis_id=analysis.id, _external=True),
            )
        )
    response = make_response(exports.csv_text(CSV_HEADINGS, lines))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="cost-benefit-analyses.csv"'
    response.headers["Cache-Control"] = f"public, max-age={CSV_MAX_AGE_SECONDS}"
    return response


@value.route("/value-for-money/<int:analysis_id>")
@public
@loads("analysis", services.fetch_published_analysis, permission=None)
def published_analysis(analysis: ValueAnalysis):
    workings, problems = services.work_out(analysis)
    return render_template(
        "value/analysis.html",
        analysis=analysis,
        workings=workings,
        problems=problems,
        deflator_indices=services.deflators_used(analysis),
    )
