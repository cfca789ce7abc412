"""Officers' pages for the outcomes framework: its versions, a draft's outcomes, and publishing."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.errors import DomainError
from portal.outcomes import frameworks, mapping
from portal.outcomes.forms import ActionForm, FrameworkForm, OutcomeForm
from portal.permissions import Permission, permission_required

outcomes = Blueprint("outcomes", __name__)


def _posted():
    return request.form if request.method == "POST" else None


def load_framework(framework_id: int):
    return frameworks.fetch_framework(framework_id) or abort(404)


def load_draft_outcome(framework_id: int, outcome_id: int):
    framework = load_framework(framework_id)
    outcome = frameworks.fetch_outcome(outcome_id)
    if outcome is None or outcome.framework_id != framework.id:
        abort(404)
    return framework, outcome


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
def framework(framework_id: int):
    framework = load_framework(framework_id)
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
def add_outcome(framework_id: int):
    framework = load_framework(framework_id)
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
def edit_outcome(framework_id: int, outcome_id: int):
    framework, outcome = load_draft_outcome(framework_id, outcome_id)
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
def remove_outcome(framework_id: int, outcome_id: int):
    framework = load_framework(framework_id)
    outcome = frameworks.fetch_outcome(outcome_id)
    if outcome is None:  # already removed: a second press changes nothing
        return redirect(url_for(".framework", framework_id=framework.id))
    if outcome.framework_id != framework.id or not ActionForm().validate_on_submit():
        abort(404 if outcome.framework_id != framework.id else 400)
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
def publish(framework_id: int):
    framework = load_framework(framework_id)
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
