"""Officers' pages: rounds and their bids, one bid, its screening and its reviewers."""

from flask import flash, redirect, render_template, request, url_for

from portal.assessment import queries, reviewers, screening
from portal.assessment.forms import (
    ActionForm,
    AssignReviewerForm,
    BulkAssignForm,
    ScreeningChecksForm,
    ScreenOutForm,
    SpreadReviewersForm,
    UnassignReviewerForm,
)
from portal.assessment.views import (
    acting_user,
    assessment,
    send_uploaded_file,
    with_bid,
    with_bid_file,
    with_round,
    with_round_for_list,
)
from portal.errors import DomainError
from portal.forms import choices
from portal.models import Application, ApplicationStatus, ReviewAssignment, Round, ScreeningCheckKind, UploadedFile
from portal.permissions import Permission, has_permission, loads, permission_required


@assessment.route("/rounds")
@permission_required(Permission.SCREEN_APPLICATIONS)
def rounds():
    needs = request.args.get("needs", "")
    needs = needs if needs in queries.NEEDS else ""
    page = queries.fetch_rounds_page(request.args.get("page", 1, type=int), needs=needs)
    return render_template(
        "assessment/rounds.html",
        page=page,
        needs=needs,
        needs_choices=queries.NEEDS,
        counts=queries.fetch_status_counts([r.id for r in page.items]),
        statuses=queries.PIPELINE,
    )


def _list_arguments() -> dict:
    status = request.args.get("status", "")
    sort = request.args.get("sort", "reference")
    return {
        "status": status if status in {s.value for s in queries.PIPELINE} else "",
        "sort": sort if sort in queries.SORTS else "reference",
        "order": "desc" if request.args.get("order") == "desc" else "asc",
    }


def _render_bids(round_, form: BulkAssignForm, status_code: int = 200):
    arguments = _list_arguments()
    page = queries.fetch_bids_page(
        round_,
        status=ApplicationStatus(arguments["status"]) if arguments["status"] else None,
        sort=arguments["sort"],
        descending=arguments["order"] == "desc",
        page=request.args.get("page", 1, type=int),
    )
    return render_template(
        "assessment/bids.html",
        round=round_,
        page=page,
        progress=queries.fetch_bid_progress(page.items),
        statuses=queries.PIPELINE,
        form=form,
        **arguments,
    ), status_code


@assessment.route("/rounds/<int:round_id>/applications")
@permission_required(Permission.SCREEN_APPLICATIONS)
@with_round_for_list
def bids(round_: Round):
    form = BulkAssignForm(formdata=None)
    form.set_reviewers(queries.fetch_eligible_reviewers())
    return _render_bids(round_, form)


@assessment.route("/rounds/<int:round_id>/reviewers", methods=["POST"])
@permission_required(Permission.ASSIGN_REVIEWERS)
@with_round
def bulk_assign(round_: Round):
    form = BulkAssignForm()
    form.set_reviewers(queries.fetch_eligible_reviewers())
    if form.validate_on_submit():
        try:
            result = reviewers.assign_in_bulk(round_, form.application_ids.data, form.reviewer_id.data, acting_user())
        except DomainError as error:
            form.show_error(error)
        else:
            message = f"{len(result.assigned)} bid(s) assigned."
            if result.already_assigned:
                skipped = ", ".join(a.reference for a in result.already_assigned)
                message += f" Left alone because the reviewer already has them or declared a conflict: {skipped}."
            flash(message, "success")
            return redirect(url_for("assessment.bids", round_id=round_.id, **_list_arguments()))
    return _render_bids(round_, form, 400)


@assessment.route("/rounds/<int:round_id>/reviewers/spread", methods=["GET", "POST"])
@permission_required(Permission.ASSIGN_REVIEWERS)
@with_round
def spread(round_: Round):
    in_review = queries.fetch_bids_with_status(round_, ApplicationStatus.IN_REVIEW)
    eligible = queries.fetch_eligible_reviewers()
    workload = queries.fetch_open_workload()
    form = SpreadReviewersForm(data={"application_ids": [a.id for a in in_review]} if request.method == "GET" else None)
    form.application_ids.choices = choices(
        (a.id, f"{a.reference}: {a.organisation.name}, \u201c{a.project_title}\u201d") for a in in_review
    )
    form.reviewer_ids.choices = choices(
        (r.id, f"{r.full_name} ({workload.get(r.id, 0)} open review(s))") for r in eligible
    )
    if form.validate_on_submit():
        try:
            result = reviewers.spread_reviewers(
                round_, form.application_ids.data, form.reviewer_ids.data, form.reviewers_per_bid.data, acting_user()
            )
        except DomainError as error:
            form.show_error(error)
        else:
            message = f"{result.assignments} review(s) assigned."
            if result.short:
                short = ", ".join(f"{a.reference} (needs {n} more)" for a, n in result.short)
                message += f" Not enough free reviewers for: {short}."
            flash(message, "success")
            return redirect(url_for("assessment.bids", round_id=round_.id, status=ApplicationStatus.IN_REVIEW.value))
    return render_template("assessment/spread.html", round=round_, form=form, in_review=in_review)


@assessment.route("/rounds/<int:round_id>/applications/<int:application_id>")
@permission_required(Permission.SCREEN_APPLICATIONS)
@with_bid
def bid(application: Application):
    assignments = queries.fetch_assignments(application)
    return render_template(
        "assessment/bid.html",
        application=application,
        progress=queries.fetch_bid_progress([application])[application.id],
        checks=queries.fetch_screening_checks(application),
        summary=queries.summarise_scores(queries.fetch_criteria(application.round), assignments),
        moderation=queries.fetch_moderation(application),
        decision=queries.fetch_decision(application),
        history=queries.fetch_decision_history(application),
        award=queries.fetch_award_for(application),
        form=ActionForm(),
    )


@assessment.route("/rounds/<int:round_id>/applications/<int:application_id>/answers")
@permission_required(Permission.SCREEN_APPLICATIONS)
@with_bid
def answers(application: Application):
    return render_template(
        "assessment/answers.html",
        application=application,
        sections=queries.fetch_answers_by_section(application),
        file_url=lambda file_id: url_for(
            "assessment.bid_file", round_id=application.round_id, application_id=application.id, file_id=file_id
        ),
    )


@assessment.route("/rounds/<int:round_id>/applications/<int:application_id>/files/<int:file_id>")
@permission_required(Permission.SCREEN_APPLICATIONS)
@with_bid
@with_bid_file
def bid_file(application: Application, uploaded: UploadedFile):
    return send_uploaded_file(uploaded)


# Screening ------------------------------------------------------------------------------------------------------


def _screening_page(application, form, status_code: int = 200):
    checks = queries.fetch_screening_checks(application)
    return render_template(
        "assessment/screening.html",
        application=application,
        checks=checks,
        kinds=list(ScreeningCheckKind),
        form=form,
        action_form=ActionForm(),
    ), status_code


@assessment.route("/rounds/<int:round_id>/applications/<int:application_id>/screening", methods=["GET", "POST"])
@permission_required(Permission.SCREEN_APPLICATIONS)
@with_bid
def screening_checks(application: Application):
    saved = {check.kind: check for check in queries.fetch_screening_checks(application)}
    form = ScreeningChecksForm(
        data={
            **{f"{k.value}_outcome": c.outcome.value for k, c in saved.items()},
            **{f"{k.value}_note": c.note for k, c in saved.items()},
        }
    )
    if form.validate_on_submit():
        try:
            changed = screening.record_checks(application, form.entries(), acting_user())
        except DomainError as error:
            form.show_error(error)
        else:
            flash(f"{changed} check(s) saved." if changed else "Nothing had changed.", "success")
            return redirect(
                url_for("assessment.screening_checks", round_id=application.round_id, application_id=application.id)
            )
    return _screening_page(application, form, 400 if form.errors else 200)


def _screening_action(application: Application, action, done: str, then: str | None = None):
    """Take a screening step and come back to the checks, or, once it is done, go on to ``then`` (an endpoint for
    the bid) if the officer may use it."""
    endpoint = "assessment.screening_checks"
    if ActionForm().validate_on_submit():
        try:
            action(application, acting_user())
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(done, "success")
            endpoint = then or endpoint
    return redirect(url_for(endpoint, round_id=application.round_id, application_id=application.id))


@assessment.route("/rounds/<int:round_id>/applications/<int:application_id>/screening/start", methods=["POST"])
@permission_required(Permission.SCREEN_APPLICATIONS)
@with_bid
def start_screening(application: Application):
    return _screening_action(application, screening.start_screening, "Screening has started.")


@assessment.route("/rounds/<int:round_id>/applications/<int:application_id>/screening/pass", methods=["POST"])
@permission_required(Permission.SCREEN_APPLICATIONS)
@with_bid
def pass_screening(application: Application):
    # On to assigning reviewers, the next step, for an officer who may; otherwise back to the checks.
    then = "assessment.bid_reviewers" if has_permission(acting_user(), Permission.ASSIGN_REVIEWERS) else None
    return _screening_action(
        application,
        screening.pass_screening,
        "The bid passed screening and is ready for reviewers.",
        then,
    )


@assessment.route(
    "/rounds/<int:round_id>/applications/<int:application_id>/screening/screen-out", methods=["GET", "POST"]
)
@permission_required(Permission.SCREEN_APPLICATIONS)
@with_bid
def screen_out(application: Application):
    form = ScreenOutForm()
    if form.validate_on_submit():
        try:
            screening.screen_out(application, form.feedback.data, acting_user())
        except DomainError as error:
            form.show_error(error)
        else:
            flash("The bid was screened out and the applicant has been emailed your feedback.", "success")
            return redirect(url_for("assessment.bid", round_id=application.round_id, application_id=application.id))
    return render_template("assessment/screen_out.html", application=application, form=form)


# Reviewers of one bid -------------------------------------------------------------------------------------------


@assessment.route("/rounds/<int:round_id>/applications/<int:application_id>/reviewers", methods=["GET", "POST"])
@permission_required(Permission.ASSIGN_REVIEWERS)
@with_bid
def bid_reviewers(application: Application):
    assignments = queries.fetch_assignments(application)
    taken = {a.reviewer_id for a in assignments}
    workload = queries.fetch_open_workload()
    form = AssignReviewerForm()
    form.set_reviewers([r for r in queries.fetch_eligible_reviewers() if r.id not in taken])
    if form.validate_on_submit():
        try:
            assignment = reviewers.assign_reviewer(application, form.reviewer_id.data, acting_user())
        except DomainError as error:
            form.show_error(error)
        else:
            flash(f"{assignment.reviewer.full_name} has been asked to review this bid and emailed.", "success")
            return redirect(
                url_for("assessment.bid_reviewers", round_id=application.round_id, application_id=application.id)
            )
    return render_template(
        "assessment/bid_reviewers.html",
        application=application,
        assignments=assignments,
        criteria_count=len(queries.fetch_criteria(application.round)),
        workload=workload,
        form=form,
    )


@assessment.route(
    "/rounds/<int:round_id>/applications/<int:application_id>/reviewers/<int:assignment_id>/remove",
    methods=["GET", "POST"],
)
@permission_required(Permission.ASSIGN_REVIEWERS)
@with_bid
@loads("assignment", queries.fetch_assignment, within="application")
def unassign_reviewer(application: Application, assignment: ReviewAssignment):
    """Confirm, then take a reviewer off a bid they have not finished reviewing."""
    form = UnassignReviewerForm()
    status_code = 200
    if form.validate_on_submit():
        try:
            reviewers.unassign(assignment, acting_user())
        except DomainError as error:
            form.show_error(error)
            status_code = 400
        else:
            flash(
                f"{assignment.reviewer.full_name} is no longer reviewing this bid and has been emailed. "
                "Their draft scores were deleted.",
                "success",
            )
            return redirect(
                url_for("assessment.bid_reviewers", round_id=application.round_id, application_id=application.id)
            )
    if form.errors:
        status_code = 400
    return render_template(
        "assessment/unassign_reviewer.html",
        application=application,
        assignment=assignment,
        blocker=reviewers.unassign_blocker(assignment),
        criteria_count=len(queries.fetch_criteria(application.round)),
        form=form,
    ), status_code
