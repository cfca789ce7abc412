"""Officers plan evaluations, record them as done and publish them. Every change goes through the service layer."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.errors import DomainError
from portal.evaluations import queries, rules, services
from portal.evaluations.forms import KIND_HINTS, ActionForm, EvaluationForm
from portal.evaluations.views import evaluations, send_report
from portal.models import Evaluation
from portal.periods import today_in_london
from portal.permissions import Permission, loads, permission_required


def _actor():
    return current_user._get_current_object()


def _show() -> queries.StaffShow:
    try:
        return queries.StaffShow(request.args.get("show", "all"))
    except ValueError:
        return queries.StaffShow.ALL


@evaluations.route("/staff/evaluations")
@permission_required(Permission.MANAGE_EVALUATIONS)
def staff_list():
    show, page, today = _show(), request.args.get("page", 1, type=int), today_in_london()
    if show is queries.StaffShow.MISSING:
        found = queries.fetch_missing_page(page)
    else:
        found = queries.fetch_staff_page(show, today, page)
    return render_template(
        "evaluations/staff_list.html",
        show=show,
        shows=list(queries.StaffShow),
        page=found,
        today=today,
        funds=queries.fetch_funds(),
        long_years=rules.LONG_AWARD_YEARS,
    )


def _subject() -> services.Subject:
    """The service (``award``, or an award ``reference``) or programme (``fund``, optional ``round``) asked for."""
    reference = request.args.get("reference", "").strip()
    award_id = request.args.get("award", type=int)
    if reference:
        award = queries.find_award_by_reference(reference)
        award_id = award.id if award is not None else None
        if award_id is None:
            abort(404)
    subject = services.subject_for(award_id, request.args.get("fund", type=int), request.args.get("round", type=int))
    return subject or abort(404)


@evaluations.route("/staff/evaluations/new", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_EVALUATIONS)
def plan():
    subject = _subject()
    kind = request.args.get("kind", "")
    form = EvaluationForm() if request.method == "POST" else EvaluationForm(formdata=None, kind=kind or None)
    if request.method == "POST" and form.validate_on_submit():
        try:
            evaluation = services.plan_evaluation(subject, form.details(), _actor())
        except DomainError as error:
            form.show_error(error)
        else:
            flash("Evaluation planned", "success")
            return redirect(url_for(".staff_evaluation", evaluation_id=evaluation.id))
    return render_template(
        "evaluations/form.html",
        form=form,
        subject=subject,
        evaluation=None,
        hints=KIND_HINTS,
        existing=queries.fetch_for_award(subject.award.id) if subject.award else [],
    )


@evaluations.route("/staff/evaluations/<int:evaluation_id>")
@permission_required(Permission.MANAGE_EVALUATIONS)
@loads("evaluation", services.fetch_evaluation)
def staff_evaluation(evaluation: Evaluation):
    return render_template(
        "evaluations/staff_evaluation.html", evaluation=evaluation, form=ActionForm(), today=today_in_london()
    )


@evaluations.route("/staff/evaluations/<int:evaluation_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_EVALUATIONS)
@loads("evaluation", services.fetch_evaluation)
def edit(evaluation: Evaluation):
    if evaluation.is_published:
        flash("This evaluation has been published, so it cannot change", "error")
        return redirect(url_for(".staff_evaluation", evaluation_id=evaluation.id))
    if request.method == "POST":
        form = EvaluationForm()
    else:
        form = EvaluationForm(formdata=None, obj=services.details_of(evaluation))
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.update_evaluation(evaluation.id, form.details(), _actor())
        except DomainError as error:
            form.show_error(error)
        else:
            flash("Evaluation saved", "success")
            return redirect(url_for(".staff_evaluation", evaluation_id=evaluation.id))
    return render_template(
        "evaluations/form.html",
        form=form,
        subject=services.Subject(award=evaluation.award, fund=evaluation.fund, round=evaluation.round),
        evaluation=evaluation,
        hints=KIND_HINTS,
        existing=[],
    )


def _act(evaluation: Evaluation, action, message: str):
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        action(evaluation.id, _actor())
    except DomainError as error:
        form.show_error(error)
        return render_template(
            "evaluations/staff_evaluation.html", evaluation=evaluation, form=form, today=today_in_london()
        ), 422
    flash(message, "success")
    return redirect(url_for(".staff_evaluation", evaluation_id=evaluation.id))


@evaluations.route("/staff/evaluations/<int:evaluation_id>/done", methods=["POST"])
@permission_required(Permission.MANAGE_EVALUATIONS)
@loads("evaluation", services.fetch_evaluation)
def mark_done(evaluation: Evaluation):
    return _act(evaluation, services.mark_done, "Evaluation recorded as done")


@evaluations.route("/staff/evaluations/<int:evaluation_id>/publish", methods=["POST"])
@permission_required(Permission.MANAGE_EVALUATIONS)
@loads("evaluation", services.fetch_evaluation)
def publish(evaluation: Evaluation):
    return _act(evaluation, services.publish_evaluation, "Evaluation published")


@evaluations.route("/staff/evaluations/<int:evaluation_id>/delete", methods=["POST"])
@permission_required(Permission.MANAGE_EVALUATIONS)
@loads("evaluation", services.fetch_evaluation)
def delete(evaluation: Evaluation):
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.delete_evaluation(evaluation.id, _actor())
    except DomainError as error:
        form.show_error(error)
        return render_template(
            "evaluations/staff_evaluation.html", evaluation=evaluation, form=form, today=today_in_london()
        ), 422
    flash("Planned evaluation deleted", "success")
    return redirect(url_for(".staff_list"))


@evaluations.route("/staff/evaluations/<int:evaluation_id>/report")
@permission_required(Permission.MANAGE_EVALUATIONS)
@loads("evaluation", services.fetch_evaluation)
def staff_report(evaluation: Evaluation):
    return send_report(evaluation)
