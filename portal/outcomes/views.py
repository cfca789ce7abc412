"""Officers' pages for the outcomes framework: its versions, a draft's outcomes, and publishing."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.errors import DomainError
from portal.models import Outcome, OutcomeFramework
from portal.outcomes import frameworks, mapping
from portal.outcomes.forms import ActionForm, FrameworkForm, OutcomeForm
from portal.permissions import Permission, loads, permission_required

outcomes = Blueprint("outcomes", __name__)


def _posted():
    return request.form if request.method == "POST" else None


@outcomes.route("/staff/outcomes")
@permission_required(Permission.MANAGE_OUTCOMES)
def index():
    return render_template(
        "outcomes/staff/index.html",
        versions=frameworks.fetch_frameworks(),
        current=frameworks.fetch_current(),
        draft=frameworks.fetch_draft(),
        unmapped=mapping.count_unmapped(),
        form=ActionForm(),
    )


@outcomes.route("/staff/outcomes/frameworks/new", methods=["POST"])
@permission_required(Permission.MANAGE_OUTCOMES)
def start_draft():
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        framework = frameworks.start_draft(current_user._get_current_object())
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".index"))
    return redirect(url_for(".framework", framework_id=framework.id))


@outcomes.route("/staff/outcomes/frameworks/<int:framework_id>", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_OUTCOMES)
@loads("framework", frameworks.fetch_framework)
def framework(framework: OutcomeFramework):
    form = FrameworkForm(formdata=_posted(), obj=framework)
    if form.validate_on_submit():
        try:
            frameworks.update_framework(
                framework,
                frameworks.FrameworkDetails(form.title.data or "", form.introduction.data or ""),
                current_user._get_current_object(),
            )
        except DomainError as error:
            form.show_error(error)
        else:
            flash("The framework's title and introduction are saved.", "success")
            return redirect(url_for(".framework", framework_id=framework.id))
    return render_template(
        "outcomes/staff/framework.html", framework=framework, form=form, action_form=ActionForm(formdata=None)
    )


@outcomes.route("/staff/outcomes/frameworks/<int:framework_id>/outcomes/new", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_OUTCOMES)
@loads("framework", frameworks.fetch_framework)
def add_outcome(framework: OutcomeFramework):
    form = OutcomeForm(formdata=_posted())
    if form.validate_on_submit():
        try:
            outcome = frameworks.add_outcome(
                framework,
                frameworks.OutcomeDetails(form.name.data or "", form.description.data or ""),
                current_user._get_current_object(),
            )
        except DomainError as error:
            form.show_error(error)
        else:
            flash(f"“{outcome.name}” added.", "success")
            return redirect(url_for(".framework", framework_id=framework.id))
    return render_template("outcomes/staff/outcome.html", framework=framework, outcome=None, form=form)


@outcomes.route("/staff/outcomes/frameworks/<int:framework_id>/outcomes/<int:outcome_id>", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_OUTCOMES)
@loads("framework", frameworks.fetch_framework)
@loads("outcome", frameworks.fetch_outcome, within="framework")
def edit_outcome(framework: OutcomeFramework, outcome: Outcome):
    form = OutcomeForm(formdata=_posted(), obj=outcome)
    if form.validate_on_submit():
        try:
            frameworks.update_outcome(
                outcome,
                frameworks.OutcomeDetails(form.name.data or "", form.description.data or ""),
                current_user._get_current_object(),
            )
        except DomainError as error:
            form.show_error(error)
        else:
            flash(f"“{outcome.name}” saved.", "success")
            return redirect(url_for(".framework", framework_id=framework.id))
    return render_template(
        "outcomes/staff/outcome.html",
        framework=framework,
        outcome=outcome,
        form=form,
        action_form=ActionForm(formdata=None),
    )


@outcomes.route("/staff/outcomes/frameworks/<int:framework_id>/outcomes/<int:outcome_id>/remove", methods=["POST"])
@permission_required(Permission.MANAGE_OUTCOMES)
@loads("framework", frameworks.fetch_framework)
@loads("outcome", frameworks.fetch_outcome, within="framework", missing_ok=True)
def remove_outcome(framework: OutcomeFramework, outcome: Outcome | None):
    if outcome is None:  # already removed: a second press changes nothing
        return redirect(url_for(".framework", framework_id=framework.id))
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        name = outcome.name
        frameworks.remove_outcome(outcome, current_user._get_current_object())
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(f"“{name}” removed.", "success")
    return redirect(url_for(".framework", framework_id=framework.id))


@outcomes.route("/staff/outcomes/frameworks/<int:framework_id>/publish", methods=["POST"])
@permission_required(Permission.MANAGE_OUTCOMES)
@loads("framework", frameworks.fetch_framework)
def publish(framework: OutcomeFramework):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        frameworks.publish(framework.id, current_user._get_current_object())
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(f"Version {framework.number} is published: it is now the current framework.", "success")
    return redirect(url_for(".framework", framework_id=framework.id))


from portal.outcomes import catalogue_views, mapping_views, public_views  # noqa: E402, F401  (routes on this blueprint)
