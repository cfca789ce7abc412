"""Officers' value-for-money pages: the unit values library, the deflator series and cost-benefit analyses."""

from decimal import ROUND_HALF_UP, Decimal

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.errors import DomainError
from portal.models import UnitValue, ValueAnalysis, ValueCost, ValueOutcome
from portal.permissions import Permission, check, loads, permission_required
from portal.scope import Scope
from portal.value import deflators, services
from portal.value.forms import CostForm, DeflatorForm, NewAnalysisForm, OutcomeForm, SettingsForm, UnitValueForm

value_staff = Blueprint("value_staff", __name__, url_prefix="/staff/value")

MAX_DEFLATOR_BYTES = 1024 * 1024
MANAGE = Permission.MANAGE_VALUE_FOR_MONEY


def _actor():
    return current_user._get_current_object()


def _status(form) -> int:
    return 400 if form.errors or form.form_errors else 200


@value_staff.route("")
@permission_required(MANAGE)
def index():
    return render_template(
        "value/staff/index.html",
        analyses=services.fetch_analyses(),
        unit_values=services.fetch_unit_values(),
        series=deflators.fetch_current_series(),
    )


# Unit values ----------------------------------------------------------------------------------------------------


@value_staff.route("/unit-values")
@permission_required(MANAGE)
def unit_values():
    return render_template("value/staff/unit_values.html", unit_values=services.fetch_unit_values())


@value_staff.route("/unit-values/new", methods=["GET", "POST"])
@value_staff.route("/unit-values/<int:unit_value_id>/edit", methods=["GET", "POST"])
@permission_required(MANAGE)
@loads("unit_value", services.fetch_unit_value)
def unit_value_form(unit_value: UnitValue | None):
    form = UnitValueForm(obj=unit_value)
    if form.validate_on_submit():
        try:
            saved = services.save_unit_value(unit_value, form.values(), _actor())
        except DomainError as error:
            form.show_error(error)
        else:
            flash(f"Unit value “{saved.name}” saved.", "success")
            return redirect(url_for(".unit_values"))
    return render_template("value/staff/unit_value_form.html", form=form, unit_value=unit_value), _status(form)


# The deflator series --------------------------------------------------------------------------------------------


def _read_upload(form: DeflatorForm) -> tuple[str, bytes] | None:
    upload = form.data_file.data
    if not upload or not upload.filename:
        form.show_error(DomainError("Select the file to import", "data_file"))
        return None
    content = upload.stream.read(MAX_DEFLATOR_BYTES + 1)
    if not upload.filename.lower().endswith(".csv"):
        form.show_error(DomainError("The file must be a CSV file (.csv): save a spreadsheet as CSV first", "data_file"))
    elif len(content) > MAX_DEFLATOR_BYTES:
        form.show_error(DomainError("The file must be smaller than 1 MB", "data_file"))
    filename = "".join(character for character in upload.filename if character.isprintable())[-255:]
    return None if form.errors else (filename, content)


@value_staff.route("/deflators", methods=["GET", "POST"])
@permission_required(MANAGE)
def deflator_series():
    form = DeflatorForm()
    problems = []
    if form.validate_on_submit():
        upload = _read_upload(form)
        if upload is not None:
            filename, content = upload
            try:
                report = deflators.import_series(content, filename, form.source.data, _actor())
            except deflators.ImportRefused as refused:
                problems = refused.report.problems
                form.show_error(DomainError(refused.message + ". Nothing was imported.", "data_file"))
            else:
                flash(f"{filename} imported: {len(report.indices)} years.", "success")
                return redirect(url_for(".deflator_series"))
    elif request.method == "POST" and not form.data_file.data:
        form.show_error(DomainError("Select the file to import", "data_file"))
    check(MANAGE, Scope())
    return render_template(
        "value/staff/deflators.html",
        form=form,
        problems=problems,
        series=deflators.fetch_current_series(),
        past=deflators.fetch_past_series(),
    ), _status(form)


# Analyses -------------------------------------------------------------------------------------------------------


@value_staff.route("/analyses/new", methods=["GET", "POST"])
@permission_required(MANAGE)
def new_analysis():
    awards = services.fetch_awards_to_analyse()
    form = NewAnalysisForm.build(awards, formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        award = next((a for a in awards if a.id == form.award_id), None)
        if award is None:
            form.show_error(DomainError("Select one of the approved services", "award"))
        else:
            try:
                analysis = services.create_analysis(award, form.title.data, form.analysis_year.data, _actor())
            except DomainError as error:
                form.show_error(DomainError(error.message, "award" if error.field == "award_id" else error.field))
            else:
                flash("Draft analysis started, with a cost for each year of the service's funding.", "success")
                return redirect(url_for(".analysis", analysis_id=analysis.id))
    return render_template("value/staff/new_analysis.html", form=form), _status(form)


@value_staff.route("/analyses/<int:analysis_id>")
@permission_required(MANAGE)
@loads("analysis", services.fetch_analysis)
def analysis(analysis: ValueAnalysis):
    workings, problems = services.work_out(analysis)
    return render_template(
        "value/staff/analysis.html",
        analysis=analysis,
        workings=workings,
        problems=problems,
        cost_form=CostForm(),
        deflator_indices=services.deflators_used(analysis),
    )


def _refuse_if_published(analysis: ValueAnalysis):
    if analysis.is_published:
        flash("This analysis is published and can never be changed. Start a new analysis instead.", "error")
        return redirect(url_for(".analysis", analysis_id=analysis.id))
    return None


@value_staff.route("/analyses/<int:analysis_id>/settings", methods=["GET", "POST"])
@permission_required(MANAGE)
@loads("analysis", services.fetch_analysis)
def settings(analysis: ValueAnalysis):
    if refused := _refuse_if_published(analysis):
        return refused
    form = SettingsForm(obj=analysis)
    if form.validate_on_submit():
        try:
            services.update_settings(analysis, form.values(), _actor())
        except DomainError as error:
            services.discard_changes()
            form.show_error(error)
        else:
            flash("Analysis saved.", "success")
            return redirect(url_for(".analysis", analysis_id=analysis.id))
    return render_template("value/staff/settings.html", form=form, analysis=analysis), _status(form)


@value_staff.route("/analyses/<int:analysis_id>/costs", methods=["POST"])
@permission_required(MANAGE)
@loads("analysis", services.fetch_analysis)
def add_cost(analysis: ValueAnalysis):
    if refused := _refuse_if_published(analysis):
        return refused
    form = CostForm()
    if form.validate_on_submit():
        try:
            services.add_cost(analysis, form.name.data, form.financial_year.data, form.amount.data, _actor())
        except DomainError as error:
            services.discard_changes()
            form.show_error(error)
        else:
            flash(f"Cost “{form.name.data.strip()}” added.", "success")
            return redirect(url_for(".analysis", analysis_id=analysis.id, _anchor="costs"))
    workings, problems = services.work_out(analysis)
    return render_template(
        "value/staff/analysis.html",
        analysis=analysis,
        workings=workings,
        problems=problems,
        cost_form=form,
        deflator_indices=services.deflators_used(analysis),
    ), 400


@value_staff.route("/analyses/<int:analysis_id>/costs/<int:cost_id>/remove", methods=["POST"])
@permission_required(MANAGE)
@loads("analysis", services.fetch_analysis)
@loads("cost", ValueCost, within="analysis", missing_ok=True)
def remove_cost(analysis: ValueAnalysis, cost: ValueCost | None):
    if refused := _refuse_if_published(analysis):
        return refused
    if cost is not None:  # None: already removed, and a second click changes nothing
        services.remove_cost(analysis, cost.id, _actor())
    flash("Cost removed.", "success")
    return redirect(url_for(".analysis", analysis_id=analysis.id, _anchor="costs"))


@value_staff.route("/analyses/<int:analysis_id>/outcomes/new", methods=["GET", "POST"])
@value_staff.route("/analyses/<int:analysis_id>/outcomes/<int:outcome_id>/edit", methods=["GET", "POST"])
@permission_required(MANAGE)
@loads("analysis", services.fetch_analysis)
@loads("outcome", ValueOutcome, within="analysis")
def outcome_form(analysis: ValueAnalysis, outcome: ValueOutcome | None):
    if refused := _refuse_if_published(analysis):
        return refused
    unit_values = services.fetch_unit_values()
    counts = services.measure_counts(analysis.award)
    starting = {}
    if outcome is not None and request.method == "GET":
        starting = {
            "unit_value": str(outcome.unit_value_id or ""),
            "measure": str(outcome.measure_id or ""),
            **({"count_source": ""} if outcome.measure_id else {}),
        }
    form = OutcomeForm.build(
        unit_values,
        counts,
        formdata=request.form if request.method == "POST" else None,
        obj=outcome,
        **({"financial_year": analysis.analysis_year, "years": 1} if outcome is None else {}),
        **starting,
    )
    if form.validate_on_submit():
        unit_value = next((u for u in unit_values if u.id == form.unit_value_id), None)
        if unit_value is None:
            form.show_error(DomainError("Select one of the unit values in the library", "unit_value"))
        else:
            try:
                saved = services.save_outcome(analysis, outcome, form.values(), unit_value, _actor())
            except DomainError as error:
                services.discard_changes()
                form.show_error(error)
            else:
                flash(f"Outcome “{saved.name}” saved.", "success")
                return redirect(url_for(".analysis", analysis_id=analysis.id, _anchor="outcomes"))
    return render_template(
        "value/staff/outcome_form.html",
        form=form,
        analysis=analysis,
        outcome=outcome,
        has_unit_values=bool(unit_values),
    ), _status(form)


@value_staff.route("/analyses/<int:analysis_id>/outcomes/<int:outcome_id>/remove", methods=["POST"])
@permission_required(MANAGE)
@loads("analysis", services.fetch_analysis)
@loads("outcome", ValueOutcome, within="analysis", missing_ok=True)
def remove_outcome(analysis: ValueAnalysis, outcome: ValueOutcome | None):
    if refused := _refuse_if_published(analysis):
        return refused
    if outcome is not None:  # None: already removed, and a second click changes nothing
        services.remove_outcome(analysis, outcome.id, _actor())
    flash("Outcome removed.", "success")
    return redirect(url_for(".analysis", analysis_id=analysis.id, _anchor="outcomes"))


@value_staff.route("/analyses/<int:analysis_id>/publish", methods=["POST"])
@permission_required(MANAGE)
@loads("analysis", services.fetch_analysis)
def publish(analysis: ValueAnalysis):
    if analysis.is_published:
        flash("This analysis is already published.", "success")  # a second click: nothing more to do
        return redirect(url_for(".analysis", analysis_id=analysis.id))
    try:
        services.publish(analysis, _actor())
    except DomainError as error:
        services.discard_changes()
        for problem in getattr(error, "errors", [error]):
            flash(problem.message, "error")
        flash("The analysis was not published.", "error")
    else:
        flash("Analysis published. It will never change; the public can see it now.", "success")
    return redirect(url_for(".analysis", analysis_id=analysis.id))


# How the workings' figures are written -------------------------------------------------------------------------


@value_staff.app_template_filter("value_pounds")
def value_pounds(amount) -> str:
    rounded = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{'-' if rounded < 0 else ''}£{abs(rounded):,.2f}"


@value_staff.app_template_filter("value_factor")
def value_factor(factor) -> str:
    return f"{Decimal(factor).quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP):f}"


@value_staff.app_template_filter("value_percent")
def value_percent(percent) -> str:
    return f"{Decimal(percent).normalize():f}%"


@value_staff.app_template_filter("value_ratio")
def value_ratio(ratio) -> str:
    return "Not applicable (no costs)" if ratio is None else f"{ratio:.2f}"


@value_staff.app_template_filter("value_number")
def value_number(number) -> str:
    number = Decimal(number)
    return f"{number:,.0f}" if number == number.to_integral_value() else f"{number.normalize():,f}"
