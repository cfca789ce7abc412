"""Officers' pages: the scores on a bid, moderation, and decisions on one bid or several."""

from flask import flash, redirect, render_template, request, url_for

from portal.assessment import decisions, queries
from portal.assessment.decisions import BulkDecisionError, DecisionEntry
from portal.assessment.forms import OUTCOME_CHOICES, ActionForm, DecisionForm, ModerationForm, ReserveFundingForm
from portal.assessment.views import acting_user, assessment, with_bid, with_round
from portal.errors import DomainError
from portal.models import Application, ApplicationStatus, Round
from portal.permissions import Permission, permission_required


def _scores_context(application) -> dict:
    criteria = queries.fetch_criteria(application.round)
    assignments = [a for a in queries.fetch_assignments(application) if a.active]
    return {
        "criteria": criteria,
        "assignments": assignments,
        "summary": queries.summarise_scores(criteria, assignments),
    }


@assessment.route("/rounds/<int:round_id>/applications/<int:application_id>/scores")
@permission_required(Permission.SCREEN_APPLICATIONS)
@with_bid
def scores(application: Application):
    return render_template(
        "assessment/scores.html",
        application=application,
        moderation=queries.fetch_moderation(application),
        **_scores_context(application),
    )


@assessment.route("/rounds/<int:round_id>/applications/<int:application_id>/moderation", methods=["GET", "POST"])
@permission_required(Permission.MODERATE_APPLICATIONS)
@with_bid
def moderate(application: Application):
    context = _scores_context(application)
    average = context["summary"].average
    form = ModerationForm(data={"agreed_score": f"{average}" if average is not None else ""})
    if form.validate_on_submit():
        try:
            decisions.moderate(application, form.percentage, form.note.data, acting_user())
        except DomainError as error:
            form.show_error(error)
        else:
            flash("The moderated score has been saved. The bid is ready for a decision.", "success")
            return redirect(url_for("assessment.bid", round_id=application.round_id, application_id=application.id))
    return render_template(
        "assessment/moderate.html",
        application=application,
        moderation=queries.fetch_moderation(application),
        blocker=decisions.moderation_blocker(application, acting_user()),
        form=form,
        **context,
    )


@assessment.route("/rounds/<int:round_id>/applications/<int:application_id>/decision", methods=["GET", "POST"])
@permission_required(Permission.DECIDE_APPLICATIONS)
@with_bid
def decide(application: Application):
    form = DecisionForm()
    if form.validate_on_submit():
        entry = DecisionEntry(application.id, form.outcome.data, form.feedback.data, form.conditions.data)
        try:
            decision = decisions.decide(application, entry, acting_user())
        except DomainError as error:
            form.show_error(error)
        else:
            flash(f"Decision recorded: {decision.outcome.label.lower()}. The applicant has been emailed.", "success")
            return redirect(url_for("assessment.bid", round_id=application.round_id, application_id=application.id))
    return render_template(
        "assessment/decide.html",
        application=application,
        moderation=queries.fetch_moderation(application),
        decision=queries.fetch_decision(application),
        form=form,
    )


def _bulk_entries() -> tuple[list[DecisionEntry], set[int]]:
    selected = {int(value) for value in request.form.getlist("selected") if value.isdecimal()}
    entries = [
        DecisionEntry(
            application_id,
            request.form.get(f"outcome-{application_id}") or None,
            request.form.get(f"feedback-{application_id}"),
            request.form.get(f"conditions-{application_id}"),
        )
        for application_id in sorted(selected)
    ]
    return entries, selected


@assessment.route("/rounds/<int:round_id>/decisions", methods=["GET", "POST"])
@permission_required(Permission.DECIDE_APPLICATIONS)
@with_round
def bulk_decisions(round_: Round):
    form = ActionForm()
    row_errors: dict[int, dict[str, str]] = {}
    form_error = None
    status_code = 200
    if form.validate_on_submit():
        entries, _ = _bulk_entries()
        try:
            made = decisions.decide_in_bulk(
                round_, entries, acting_user(), same_outcome=request.form.get("same_outcome") or None
            )
        except BulkDecisionError as error:
            row_errors, form_error, status_code = error.row_errors, error.message, 400
        except DomainError as error:
            form_error, status_code = error.message, 400
        else:
            flash(f"{len(made)} decision(s) recorded. Each applicant has been emailed their feedback.", "success")
            return redirect(url_for("assessment.bids", round_id=round_.id, status=ApplicationStatus.DECIDED.value))
    moderated = queries.fetch_bids_with_status(round_, ApplicationStatus.MODERATED)
    return render_template(
        "assessment/bulk_decisions.html",
        round=round_,
        bids=moderated,
        moderations=queries.fetch_moderations_for([a.id for a in moderated]),
        outcomes=OUTCOME_CHOICES,
        form=form,
        typed=request.form if request.method == "POST" else {},
        selected={int(v) for v in request.form.getlist("selected") if v.isdecimal()},
        row_errors=row_errors,
        form_error=form_error,
    ), status_code


# The reserve list -------------------------------------------------------------------------------------------------


@assessment.route("/rounds/<int:round_id>/reserve-list")
@permission_required(Permission.SCREEN_APPLICATIONS)
@with_round
def reserve_list(round_: Round):
    page = queries.fetch_reserve_list_page(round_, request.args.get("page", 1, type=int))
    return render_template(
        "assessment/reserve_list.html",
        round=round_,
        page=page,
        moderations=queries.fetch_moderations_for([a.id for a in page.items]),
    )


@assessment.route("/rounds/<int:round_id>/applications/<int:application_id>/fund-from-reserve", methods=["GET", "POST"])
@permission_required(Permission.DECIDE_APPLICATIONS)
@with_bid
def fund_from_reserve(application: Application):
    form = ReserveFundingForm()
    status_code = 200
    if form.validate_on_submit():
        entry = DecisionEntry(application.id, form.outcome.data, form.feedback.data, form.conditions.data)
        try:
            decision = decisions.fund_from_reserve(application, entry, acting_user())
        except DomainError as error:
            form.show_error(error)
            status_code = 400
        else:
            flash(
                f"{application.reference} is funded from the reserve list: {decision.outcome.label.lower()}. "
                "The applicant has been emailed. You can now set up the award.",
                "success",
            )
            return redirect(url_for("assessment.bid", round_id=application.round_id, application_id=application.id))
    if form.errors:
        status_code = 400
    return render_template(
        "assessment/fund_from_reserve.html",
        application=application,
        moderation=queries.fetch_moderation(application),
        history=queries.fetch_decision_history(application),
        blocker=decisions.reserve_blocker(application),
        form=form,
    ), status_code
