"""Organisations bid: eligibility, the proportionate form, save and return, check answers, submit.

The routes are split by topic: this module starts bids and shows them; ``answer_views`` has the pages of
questions and the autosave; ``submit_views`` has Check your answers, submitting and withdrawing.
"""

from collections.abc import Callable
from functools import wraps

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from portal.applications import drafts, project
from portal.applications.drafts import Ineligible
from portal.applications.forms import (
    ApplyProfileChangesForm,
    ChooseOrganisationForm,
    OrganisationDetailsForm,
    project_form,
    question_page_form,
)
from portal.applications.outcomes import fetch_outcomes
from portal.applications.questions import display_answer, fetch_eligibility_questions
from portal.applications.submission import review_application, withdraw_refusal
from portal.database import utcnow
from portal.errors import DomainError
from portal.forms import choices
from portal.models import Application, ApplicationStatus, Organisation, Round
from portal.organisations.services import fetch_organisation
from portal.periods import LONDON
from portal.permissions import Permission, loads, organisations_with, permission_required

DECIDED = ApplicationStatus.DECIDED

applications = Blueprint("applications", __name__)


@applications.context_processor
def _template_helpers():
    return {"display_answer": display_answer}


with_published_round = loads(
    "round_", drafts.fetch_round, parameter="round_id", permission=None, where=lambda round_: round_.published_at
)

# A bid lives under the organisation that made it, beside that organisation's list of bids. Unknown → 404; another
# organisation's bid, or a bid named under an organisation that is not its own → 404 too, since even its existence
# is private.
BID = "/organisations/<int:organisation_id>/applications/<int:application_id>"
with_application = loads(
    "application",
    drafts.fetch_application,
    within="organisation",
    hidden_unless=Permission.VIEW_APPLICATION,
    checked=True,
)


def bid_url(endpoint: str, application: Application, **values) -> str:
    """The address of one of the bid's pages, under its organisation."""
    return url_for(endpoint, organisation_id=application.organisation_id, application_id=application.id, **values)


def editable(view: Callable) -> Callable:
    """Beneath ``with_application``: a bid the current user may edit now, or the request ends with a page (or JSON)
    saying why not (409)."""

    @wraps(view)
    def wrapped(*args, application: Application, **kwargs):
        refusal = drafts.edit_refusal(application)
        if refusal:
            return cannot_edit(application, refusal)
        return view(*args, application=application, **kwargs)

    return wrapped


def cannot_edit(application: Application, message: str):
    if request.accept_mimetypes.best == "application/json" or request.path.endswith("/autosave"):
        return jsonify(error=message), 409
    return render_template("applications/cannot_edit.html", application=application, message=message), 409


def saved_at_text(moment) -> str:
    return moment.astimezone(LONDON).strftime("%H:%M")


# Starting a bid


@applications.route("/funding/<int:round_id>/apply", methods=["GET", "POST"])
@permission_required(Permission.EDIT_APPLICATION)
@with_published_round
def start(round_: Round):
    refusal = drafts.round_refusal(round_, utcnow())
    if refusal:
        return render_template("applications/round_not_open.html", round=round_, message=refusal)
    organisations = organisations_with(current_user, Permission.EDIT_APPLICATION)
    if len(organisations) == 1:
        return redirect(url_for(".eligibility", round_id=round_.id, organisation_id=organisations[0].id))
    form = ChooseOrganisationForm()
    form.organisation_id.choices = choices((o.id, o.name) for o in sorted(organisations, key=lambda o: o.name))
    if form.validate_on_submit():
        return redirect(url_for(".eligibility", round_id=round_.id, organisation_id=form.organisation_id.data))
    return render_template("applications/choose_organisation.html", round=round_, form=form)


@applications.route("/funding/<int:round_id>/apply/<int:organisation_id>", methods=["GET", "POST"])
@permission_required(Permission.EDIT_APPLICATION)
@with_published_round
@loads("organisation", fetch_organisation)
def eligibility(round_: Round, organisation: Organisation):
    refusal = drafts.round_refusal(round_, utcnow())
    if refusal:
        return render_template("applications/round_not_open.html", round=round_, message=refusal)
    existing = drafts.fetch_active_application(round_, organisation)
    if existing is not None:
        if drafts.edit_refusal(existing) is None:
            flash("Your organisation has already started a bid to this round. Carry on with it here.", "info")
            return redirect(bid_url(".task_list", existing))
        return render_template("applications/already_applied.html", round=round_, application=existing)
    form = question_page_form(fetch_eligibility_questions(round_))
    if form.validate_on_submit():
        form.require_answers()
        if not form.errors:
            try:
                application = drafts.start_application(round_, organisation, current_user, form.values())
            except Ineligible as ineligible:
                return render_template(
                    "applications/ineligible.html", round=round_, organisation=organisation, reasons=ineligible.reasons
                )
            except DomainError as error:
                form.show_error(error)
            else:
                return redirect(bid_url(".task_list", application))
    return render_template("applications/eligibility.html", round=round_, organisation=organisation, form=form)


# The task list and the pages that are not questions


@applications.route(BID)
@permission_required(Permission.EDIT_APPLICATION)
@with_application
def task_list(application: Application):
    if drafts.edit_refusal(application):
        return redirect(bid_url(".view", application))
    return render_template(
        "applications/task_list.html",
        application=application,
        review=review_application(application),
        changes=drafts.profile_changes(application),
        profile_form=ApplyProfileChangesForm(fingerprint=drafts.current_profile_fingerprint(application)),
        variant_explanation=project.form_variant_explanation(application),
        duration_warning=project.duration_warning(application),
    )


@applications.route(f"{BID}/organisation-details/update", methods=["POST"])
@permission_required(Permission.EDIT_APPLICATION)
@with_application
@editable
def apply_profile_changes(application: Application):
    form = ApplyProfileChangesForm()
    if form.validate_on_submit():
        try:
            drafts.apply_profile_changes(application, form.fingerprint.data or "", current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash("This bid now has your organisation's current details.", "success")
    return redirect(bid_url(".task_list", application))


@applications.route(f"{BID}/organisation-details", methods=["GET", "POST"])
@permission_required(Permission.EDIT_APPLICATION)
@with_application
@editable
def organisation_details(application: Application):
    form = OrganisationDetailsForm()
    if request.method == "GET":
        form.contact_name.data = application.contact_name
        form.contact_email.data = application.contact_email
        form.fingerprint.data = drafts.contact_fingerprint(application)
    elif form.validate_on_submit():
        confirm = request.form.get("action") != "later"
        try:
            drafts.save_organisation_details(application, form.details(confirm), current_user)
        except DomainError as error:
            form.show_error(error)
            form.fingerprint.data = drafts.contact_fingerprint(application)
        else:
            flash(
                "Your organisation's details are confirmed." if confirm else "Your changes have been saved.", "success"
            )
            return redirect(bid_url(".task_list", application))
    return render_template(
        "applications/organisation_details.html",
        application=application,
        form=form,
        rows=drafts.snapshot_rows(application.organisation_snapshot),
        changes=drafts.profile_changes(application),
    )


@applications.route(f"{BID}/organisation-details/autosave", methods=["POST"])
@permission_required(Permission.EDIT_APPLICATION)
@with_application
@editable
def autosave_organisation_details(application: Application):
    form = OrganisationDetailsForm()
    form.validate()
    if form.errors:
        return jsonify(problems={name: errors[0] for name, errors in form.errors.items() if name}, versions={})
    try:
        drafts.save_organisation_details(application, form.details(confirm=False), current_user)
    except DomainError as error:
        return jsonify(conflicts=[error.message], versions={})
    return jsonify(
        saved_at=saved_at_text(application.updated_at),
        versions={"fingerprint": drafts.contact_fingerprint(application)},
    )


@applications.route(f"{BID}/project", methods=["GET", "POST"])
@permission_required(Permission.EDIT_APPLICATION)
@with_application
@editable
def project_page(application: Application):
    form = project_form(project.years_on_page(application, request.form))
    if request.method == "GET":
        form.load(application)
        form.fingerprint.data = project.project_fingerprint(application)
    else:
        form.validate()
        action = request.form.get("action", "continue")
        try:
            result = project.save_project(
                application, form.details(), current_user, check_complete=action == "continue"
            )
        except DomainError as error:
            form.show_error(error)
            form = _project_form_again(application, form)
        else:
            if result.variant_changed:
                flash(f"{project.form_variant_explanation(application)} Answers you already gave are kept.", "info")
            finished = not form.errors and not result.problems
            if finished and (action == "later" or not result.years_changed):
                if action == "later":
                    flash(
                        "Your bid has been saved. You can come back to it at any time before the round closes.",
                        "success",
                    )
                return redirect(bid_url(".task_list", application))
            # Boxes the new dates have just added (amounts for each year) were not asked yet: no errors on them.
            asked = set(form._fields)
            form = _project_form_again(application, form)
            form.show_problems({name: message for name, message in result.problems.items() if name in asked})
    return render_template(
        "applications/project.html",
        application=application,
        form=form,
        borough_choices=project.fetch_bid_borough_choices(application.round),
        variant_explanation=project.form_variant_explanation(application),
        earliest_start=project.earliest_start(application.round),
    )


@applications.route(f"{BID}/project/autosave", methods=["POST"])
@permission_required(Permission.EDIT_APPLICATION)
@with_application
@editable
def autosave_project(application: Application):
    form = project_form(project.years_on_page(application, request.form))
    form.validate()
    try:
        result = project.save_project(application, form.details(), current_user, check_complete=False)
    except DomainError as error:
        return jsonify(conflicts=[error.message], versions={})
    return jsonify(
        saved_at=saved_at_text(result.saved_at),
        versions={"fingerprint": result.fingerprint},
        problems={name: field.errors[0] for name, field in form._fields.items() if field.errors},
    )


def _project_form_again(application: Application, typed):
    """The page again after saving: the years the saved dates now give, with what was typed kept in every field
    and the errors found beside their fields. Its fingerprint is what is saved now, so saving again keeps yours."""
    form = project_form(project.application_years(application) or typed.years, formdata=request.form)
    form.validate()
    for name, field in typed._fields.items():
        if name in form and field.errors:
            form[name].errors = list(field.errors)
    form.form_errors = list(typed.form_errors)
    form.fingerprint.data = project.project_fingerprint(application)
    return form


# The organisation's bids and a bid to read


@applications.route("/organisations/<int:organisation_id>/applications")
@permission_required(Permission.VIEW_APPLICATION)
@loads("organisation", fetch_organisation)
def organisation_applications(organisation: Organisation):
    page = drafts.fetch_organisation_applications_page(organisation, request.args.get("page", 1, type=int))
    opportunities = "opportunities.index" in current_app.view_functions
    return render_template(
        "applications/list.html",
        organisation=organisation,
        page=page,
        outcomes=fetch_outcomes([application.id for application in page.items if application.status is DECIDED]),
        now=utcnow(),
        opportunities_url=url_for("opportunities.index") if opportunities else None,
    )


@applications.route(f"{BID}/view")
@permission_required(Permission.VIEW_APPLICATION)
@with_application
def view(application: Application):
    return render_template(
        "applications/view.html",
        application=application,
        review=review_application(application),
        years=project.application_years(application),
        editable=drafts.edit_refusal(application) is None,
        bid_outcome=fetch_outcomes([application.id]).get(application.id),
        withdraw_refusal=withdraw_refusal(application),
        rows=drafts.snapshot_rows(application.organisation_snapshot),
    )


# Their routes join this blueprint.
from portal.applications import answer_views, moved_views, submit_views  # noqa: E402, F401
