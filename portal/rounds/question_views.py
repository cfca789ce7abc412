"""Officers edit questions (a round's own, or the standard ones every bid answers) and a round's scoring criteria.

The standard questions' pages are the round questions' pages without a round: each page is one function taking
``round_id`` (None for the standard questions), reached through two routes, ``/staff/funds/questions/...`` (endpoint
``standard_<name>``) and ``/staff/funds/rounds/<round_id>/questions/...`` (endpoint ``<name>``). Templates build
links with ``scoped_url``.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.database import utcnow
from portal.errors import DomainError
from portal.models.funding import Criterion, Question, Round, RoundStatus
from portal.organisations.forms import ConfirmForm
from portal.permissions import Permission, loads, permission_required
from portal.rounds import criteria as criteria_services
from portal.rounds import questions as question_services
from portal.rounds import services
from portal.rounds.forms import CriterionForm, QuestionForm
from portal.rounds.views import rounds, with_round

DIRECTIONS = (question_services.UP, question_services.DOWN)


# The round named in the URL, a question of that round, and a standard question (one of no round).
with_round_question = loads("question", Question, within="round_")
with_standard_question = loads("question", Question, where=lambda question: question.round_id is None, permission=None)


def scoped_url(name: str, round_id: int | None, **values) -> str:
    """The link to a question page, for a round's questions or (with no round) the standard ones."""
    if round_id is None:
        return url_for(f"rounds.standard_{name}", **values)
    return url_for(f"rounds.{name}", round_id=round_id, **values)


@rounds.context_processor
def _question_links():
    return {"scoped_url": scoped_url}


def questions_url(round_id: int | None, anchor: str | None = None) -> str:
    return scoped_url("questions", round_id, _anchor=anchor)


def _direction() -> str:
    direction = request.form.get("direction", "")
    if direction not in DIRECTIONS:
        abort(400)
    return direction


@rounds.route("/questions")
@permission_required(Permission.MANAGE_FUNDS)
def standard_questions():
    return _questions(None)


@rounds.route("/rounds/<int:round_id>/questions")
@permission_required(Permission.MANAGE_FUNDS)
@with_round
def questions(round_: Round):
    return _questions(round_)


def _questions(round_: Round | None):
    round_id = round_.id if round_ else None
    active = question_services.fetch_questions(round_id)
    return render_template(
        "rounds/questions.html",
        round=round_,
        status=round_.status(utcnow()) if round_ else None,
        sections=question_services.group_by_section(active),
        archived=question_services.fetch_questions(round_id, archived=True),
        by_id={q.id: q for q in active},
        has_bids=services.round_has_bids(round_) if round_ else False,
        form=ConfirmForm(),
    )


@rounds.route("/questions/new", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_FUNDS)
def standard_new_question():
    return _new_question(None)


@rounds.route("/rounds/<int:round_id>/questions/new", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_FUNDS)
@with_round
def new_question(round_: Round):
    return _new_question(round_)


def _new_question(round_: Round | None):
    round_id = round_.id if round_ else None
    form = QuestionForm()
    form.set_show_if_choices(question_services.show_if_candidates(round_id))
    if form.validate_on_submit():
        try:
            question = question_services.create_question(round_, form.details(), actor=current_user)
        except DomainError as error:
            form.show_error(error)
        else:
            flash("The question has been added.", "success")
            return redirect(questions_url(round_id, f"question-{question.id}"))
    return render_template(
        "rounds/question_form.html",
        form=form,
        round=round_,
        question=None,
        sections=question_services.fetch_sections(round_id),
    )


@rounds.route("/questions/<int:question_id>", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_FUNDS)
@with_standard_question
def standard_edit_question(question: Question):
    return _edit_question(None, question)


@rounds.route("/rounds/<int:round_id>/questions/<int:question_id>", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_FUNDS)
@with_round
@with_round_question
def edit_question(round_: Round, question: Question):
    return _edit_question(round_, question)


def _edit_question(round_: Round | None, question: Question):
    round_id = round_.id if round_ else None
    form = QuestionForm.for_question(question) if request.method == "GET" else QuestionForm()
    form.set_show_if_choices(question_services.show_if_candidates(round_id, question))
    if form.validate_on_submit():
        try:
            question_services.update_question(question, form.details(), actor=current_user)
        except DomainError as error:
            form.show_error(error)
        else:
            flash("The question has been saved.", "success")
            return redirect(questions_url(round_id, f"question-{question.id}"))
    return render_template(
        "rounds/question_form.html",
        form=form,
        round=round_,
        question=question,
        sections=question_services.fetch_sections(round_id),
        has_answers=question_services.question_has_answers(question),
    )


@rounds.route("/questions/<int:question_id>/move", methods=["POST"])
@permission_required(Permission.MANAGE_FUNDS)
@with_standard_question
def standard_move_question(question: Question):
    return _move_question(None, question)


@rounds.route("/rounds/<int:round_id>/questions/<int:question_id>/move", methods=["POST"])
@permission_required(Permission.MANAGE_FUNDS)
@with_round
@with_round_question
def move_question(round_: Round, question: Question):
    return _move_question(round_, question)


def _move_question(round_: Round | None, question: Question):
    round_id = round_.id if round_ else None
    if ConfirmForm().validate_on_submit():
        try:
            question_services.move_question(question, _direction())
        except DomainError as error:
            flash(error.message, "error")
    return redirect(questions_url(round_id, f"question-{question.id}"))


@rounds.route("/questions/sections/move", methods=["POST"])
@permission_required(Permission.MANAGE_FUNDS)
def standard_move_section():
    return _move_section(None)


@rounds.route("/rounds/<int:round_id>/sections/move", methods=["POST"])
@permission_required(Permission.MANAGE_FUNDS)
@with_round
def move_section(round_: Round):
    return _move_section(round_)


def _move_section(round_: Round | None):
    round_id = round_.id if round_ else None
    if ConfirmForm().validate_on_submit():
        try:
            question_services.move_section(round_id, request.form.get("section", ""), _direction())
        except DomainError as error:
            flash(error.message, "error")
    return redirect(questions_url(round_id))


@rounds.route("/questions/<int:question_id>/remove", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_FUNDS)
@with_standard_question
def standard_remove_question(question: Question):
    return _remove_question(None, question)


@rounds.route("/rounds/<int:round_id>/questions/<int:question_id>/remove", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_FUNDS)
@with_round
@with_round_question
def remove_question(round_: Round, question: Question):
    return _remove_question(round_, question)


def _remove_question(round_: Round | None, question: Question):
    round_id = round_.id if round_ else None
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            outcome = question_services.remove_question(question, actor=current_user)
        except DomainError as error:
            form.show_error(error)
        else:
            if outcome == "archived":
                flash("Bids have answered this question, so it has been archived: their answers are kept.", "success")
            else:
                flash("The question has been deleted.", "success")
            return redirect(questions_url(round_id))
    return render_template(
        "rounds/question_remove.html",
        form=form,
        round=round_,
        question=question,
        has_answers=question_services.question_has_answers(question),
        dependents=question_services.fetch_dependents(question),
    )


@rounds.route("/questions/<int:question_id>/restore", methods=["POST"])
@permission_required(Permission.MANAGE_FUNDS)
@with_standard_question
def standard_restore_question(question: Question):
    return _restore_question(None, question)


@rounds.route("/rounds/<int:round_id>/questions/<int:question_id>/restore", methods=["POST"])
@permission_required(Permission.MANAGE_FUNDS)
@with_round
@with_round_question
def restore_question(round_: Round, question: Question):
    return _restore_question(round_, question)


def _restore_question(round_: Round | None, question: Question):
    round_id = round_.id if round_ else None
    if ConfirmForm().validate_on_submit():
        try:
            question_services.restore_question(question, actor=current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash("The question has been restored.", "success")
    return redirect(questions_url(round_id, f"question-{question.id}"))


# Scoring criteria


@rounds.route("/rounds/<int:round_id>/criteria")
@permission_required(Permission.MANAGE_FUNDS)
@with_round
def criteria(round_: Round):
    criteria = criteria_services.fetch_criteria(round_)
    return render_template(
        "rounds/criteria.html",
        round=round_,
        criteria=criteria,
        percentages=criteria_services.weight_percentages(criteria),
        locked=criteria_services.scoring_has_started(round_),
        published=round_.status(utcnow()) is not RoundStatus.DRAFT,
        form=ConfirmForm(),
    )


@rounds.route("/rounds/<int:round_id>/criteria/new", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_FUNDS)
@with_round
def new_criterion(round_: Round):
    form = CriterionForm()
    if form.validate_on_submit():
        try:
            criteria_services.create_criterion(round_, form.details(), actor=current_user)
        except DomainError as error:
            form.show_error(error)
        else:
            flash("The criterion has been added.", "success")
            return redirect(url_for("rounds.criteria", round_id=round_.id))
    return render_template("rounds/criterion_form.html", form=form, round=round_, criterion=None)


@rounds.route("/rounds/<int:round_id>/criteria/<int:criterion_id>", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_FUNDS)
@with_round
@loads("criterion", Criterion, within="round_")
def edit_criterion(round_: Round, criterion: Criterion):
    form = CriterionForm(obj=criterion) if request.method == "GET" else CriterionForm()
    if form.validate_on_submit():
        try:
            criteria_services.update_criterion(criterion, form.details(), actor=current_user)
        except DomainError as error:
            form.show_error(error)
        else:
            flash("The criterion has been saved.", "success")
            return redirect(url_for("rounds.criteria", round_id=round_.id))
    return render_template("rounds/criterion_form.html", form=form, round=round_, criterion=criterion)


@rounds.route("/rounds/<int:round_id>/criteria/<int:criterion_id>/move", methods=["POST"])
@permission_required(Permission.MANAGE_FUNDS)
@with_round
@loads("criterion", Criterion, within="round_")
def move_criterion(round_: Round, criterion: Criterion):
    if ConfirmForm().validate_on_submit():
        criteria_services.move_criterion(criterion, _direction())
    return redirect(url_for("rounds.criteria", round_id=round_.id))


@rounds.route("/rounds/<int:round_id>/criteria/<int:criterion_id>/remove", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_FUNDS)
@with_round
@loads("criterion", Criterion, within="round_")
def remove_criterion(round_: Round, criterion: Criterion):
    form = ConfirmForm()
    if form.validate_on_submit():
        name = criterion.name
        try:
            criteria_services.remove_criterion(criterion, actor=current_user)
        except DomainError as error:
            form.show_error(error)
        else:
            flash(f"“{name}” has been removed.", "success")
            return redirect(url_for("rounds.criteria", round_id=round_.id))
    return render_template("rounds/criterion_remove.html", form=form, round=round_, criterion=criterion)
