"""Check your answers, submitting (once, while the round is open) and withdrawing."""

from flask import flash, redirect, render_template
from flask_login import current_user

from portal.applications import drafts, project, submission
from portal.applications.forms import ConfirmForm, WithdrawForm
from portal.applications.views import (
    BID,
    applications,
    bid_url,
    cannot_edit,
    with_application,
)
from portal.errors import DomainError
from portal.models import Application, ApplicationStatus
from portal.permissions import Permission, permission_required


def _check_answers_page(application, *, problems=None, error=None, status=200):
    review = submission.review_application(application)
    return render_template(
        "applications/check_answers.html",
        application=application,
        review=review,
        problems=review.problems if problems is None else problems,
        error=error,
        years=project.application_years(application),
        rows=drafts.snapshot_rows(application.organisation_snapshot),
        form=ConfirmForm(),
    ), status


@applications.route(f"{BID}/check-your-answers")
@permission_required(Permission.EDIT_APPLICATION)
@with_application
def check_answers(application: Application):
    if application.status is not ApplicationStatus.DRAFT:
        return redirect(bid_url(".view", application))
    refusal = drafts.edit_refusal(application)
    if refusal:
        return cannot_edit(application, refusal)
    return _check_answers_page(application)


@applications.route(f"{BID}/submit", methods=["POST"])
@permission_required(Permission.EDIT_APPLICATION)
@with_application
def submit(application: Application):
    if not ConfirmForm().validate_on_submit():
        return redirect(bid_url(".check_answers", application))
    try:
        application = submission.submit_application(application, current_user)
    except submission.Incomplete as incomplete:
        return _check_answers_page(application, problems=incomplete.problems, status=400)
    except DomainError as error:
        return cannot_edit(application, error.message)
    return redirect(bid_url(".submitted", application))


@applications.route(f"{BID}/submitted")
@permission_required(Permission.VIEW_APPLICATION)
@with_application
def submitted(application: Application):
    if application.submitted_at is None or application.status is ApplicationStatus.WITHDRAWN:
        return redirect(bid_url(".view", application))
    return render_template("applications/submitted.html", application=application)


@applications.route(f"{BID}/withdraw", methods=["GET", "POST"])
@permission_required(Permission.WITHDRAW_APPLICATION)
@with_application
def withdraw(application: Application):
    refusal = submission.withdraw_refusal(application)
    if refusal:
        return cannot_edit(application, refusal)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            submission.withdraw_application(application, form.reason.data, current_user)
        except DomainError as error:
            form.show_error(error)
        else:
            flash("Your bid has been withdrawn. We have emailed you to confirm.", "success")
            return redirect(bid_url(".view", application))
    return render_template("applications/withdraw.html", application=application, form=form)
