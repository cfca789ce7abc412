"""The public pages of the LCPF formula: the published version, earlier versions, their CSV and the calculator."""

from flask import Blueprint, make_response, render_template, request

from portal.lcpf import formula, public, versions
from portal.models import LcpfVersion
from portal.permissions import loads
from portal.permissions import public as public_route

lcpf = Blueprint("lcpf", __name__, url_prefix="/funding-formula")

CSV_MAX_AGE_SECONDS = 3600  # a published version never changes


def _version_page(version):
    result = versions.recompute(version)
    return render_template(
        "lcpf/version.html",
        version=version,
        result=result,
        parameters=result.parameters,
        current=versions.fetch_current_published(),
        earlier=public.fetch_public_versions(),
        imports=public.imports_used(version),
        consultation=public.consultation_summary(version),
        deprivation_label=formula.DEPRIVATION_MEASURES[result.parameters.deprivation_measure],
    )


@lcpf.route("")
@public_route
def index():
    version = versions.fetch_current_published()
    if version is None:
        return render_template("lcpf/none_published.html")
    return _version_page(version)


@lcpf.route("/versions/<int:version_id>")
@public_route
@loads("version", public.fetch_public_version, permission=None)
def version(version: LcpfVersion):
    return _version_page(version)


@lcpf.route("/versions/<int:version_id>.csv")
@public_route
@loads("version", public.fetch_public_version, permission=None)
def version_csv(version: LcpfVersion):
    response = make_response(public.version_csv(version, versions.recompute(version)))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="lcpf-formula-version-{version.id}.csv"'
    response.headers["Cache-Control"] = f"public, max-age={CSV_MAX_AGE_SECONDS}"
    return response


@lcpf.route("/calculator")
@public_route
def calculator():
    published = versions.fetch_current_published()
    if published is None:
        return render_template("lcpf/none_published.html")
    published_parameters = formula.Parameters.from_json(published.parameters)
    categories = public.categories_in(published)
    choices = public.CalculatorChoices.from_args(
        request.args, public.CalculatorChoices.from_published(published_parameters)
    )
    parameters = choices.parameters(published_parameters, categories)
    result = public.calculate(parameters, published) if parameters is not None else None
    return render_template(
        "lcpf/calculator.html",
        published=published,
        choices=choices,
        categories=categories,
        result=result,
        year=result.years[0] if result else None,
    )
