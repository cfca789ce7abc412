"""Pages of questions: one per section of the round's form, saved by the buttons or by the autosave."""

from io import BytesIO

from flask import abort, flash, jsonify, redirect, render_template, request, send_file
from flask_login import current_user

from portal.applications import answers as answer_service
from portal.applications import project
from portal.applications.answers import Loaded, PageSubmission, answer_token
from portal.applications.forms import RemoveFileForm, question_page_form
from portal.applications.questions import (
    Section,
    answer_values,
    fetch_answers,
    fetch_asked_ids,
    visible_questions,
)
from portal.applications.submission import find_section
from portal.applications.views import (
    BID,
    applications,
    bid_url,
    cannot_edit,
    editable,
    saved_at_text,
    with_application,
)
from portal.errors import DomainError
from portal.models import Application, Question, UploadedFile
from portal.permissions import Permission, loads, permission_required


def page_questions(application: Application, questions: list[Question], values: dict) -> list[Question]:
    """The questions the page shows: those asked, whose show-if conditions the answers given so far meet. A
    question revealed by an answer on this same page appears once that answer is saved."""
    return visible_questions(questions, values, fetch_asked_ids(application.round, application.form_variant))


def _section_of(application: Application, section_number: int) -> tuple[Section, list[Question]]:
    section = find_section(application, section_number)
    if section is None:
        abort(404)
    return section, section.asked(application.form_variant)


@applications.route(f"{BID}/sections/<int:section_number>", methods=["GET", "POST"])
@permission_required(Permission.EDIT_APPLICATION)
@with_application
@editable
def section_page(application: Application, section_number: int):
    section, questions = _section_of(application, section_number)
    if not questions or application.total_requested_pence == 0:
        flash(
            "Tell us how much you are asking for first: it decides which questions you answer."
            if application.total_requested_pence == 0
            else f"“{section.title}” is not part of your form.",
            "info",
        )
        return redirect(bid_url(".task_list", application))
    form = question_page_form(questions)
    conflicts, revealed, answers = {}, [], fetch_answers(application)
    if request.method == "GET":
        form.load(answers)
    else:
        form.validate()
        action = request.form.get("action", "continue")
        try:
            result = answer_service.save_section(
                application, section, form.submission(), current_user, check_complete=action == "continue"
            )
        except DomainError as error:
            return cannot_edit(application, error.message)
        answers = fetch_answers(application)
        revealed = result.revealed if action == "continue" else []
        if result.ok and not revealed:
            if action == "continue":
                flash(f"“{section.title}” has been saved.", "success")
            else:
                flash(
                    "Your answers have been saved. You can come back to them at any time before the round closes.",
                    "success",
                )
            return redirect(bid_url(".task_list", application))
        form.show_problems(result.problems)
        form.set_tokens(result.tokens | {qid: conflict.token for qid, conflict in result.conflicts.items()})
        form.set_tokens({q.id: answer_token(answers.get(q.id)) for q in revealed})
        conflicts = result.conflicts
    return render_template(
        "applications/section.html",
        application=application,
        section=section,
        form=form,
        shown=page_questions(application, questions, answer_values(answers)),
        revealed=revealed,
        answers=answers,
        conflicts=conflicts,
        variant_explanation=project.form_variant_explanation(application),
        file_accept=answer_service.FILE_ACCEPT,
    )


@applications.route(
    f"{BID}/sections/<int:section_number>/files/<int:question_id>/remove",
    methods=["GET", "POST"],
)
@permission_required(Permission.EDIT_APPLICATION)
@with_application
@editable
@loads("question", Question, permission=None)
def remove_file(application: Application, section_number: int, question: Question):
    section, questions = _section_of(application, section_number)
    answer = fetch_answers(application).get(question.id)
    if question not in questions or answer is None or not isinstance(answer.value, dict):
        abort(404)
    filename = answer.value["filename"]
    form = RemoveFileForm(token=answer_token(answer))
    if form.validate_on_submit():
        submission = PageSubmission(loaded={question.id: Loaded.parse(form.token.data)}, remove_files={question.id})
        try:
            result = answer_service.save_section(application, section, submission, current_user, check_complete=False)
        except DomainError as error:
            return cannot_edit(application, error.message)
        if result.conflicts:
            flash(f"{result.conflicts[question.id].changed_by} changed this file after you opened the page.", "info")
        else:
            flash(f"{filename} has been removed.", "success")
        return redirect(bid_url(".section_page", application, section_number=section.number))
    return render_template(
        "applications/remove_file.html",
        application=application,
        section=section,
        question=question,
        filename=filename,
        form=form,
    )


@applications.route(f"{BID}/sections/<int:section_number>/autosave", methods=["POST"])
@permission_required(Permission.EDIT_APPLICATION)
@with_application
@editable
def autosave_section(application: Application, section_number: int):
    section, questions = _section_of(application, section_number)
    form = question_page_form(questions)
    form.validate()
    submission = form.submission()
    # Files are uploaded only by pressing a button, never in the background.
    submission.values = {qid: value for qid, value in submission.values.items() if not _is_upload(value)}
    try:
        result = answer_service.save_section(application, section, submission, current_user, check_complete=False)
    except DomainError as error:
        return cannot_edit(application, error.message)
    return jsonify(
        saved_at=saved_at_text(result.saved_at),
        # A conflicting answer keeps the token the page loaded, so the next autosave cannot overwrite it either.
        versions={f"v{qid}": token for qid, token in result.tokens.items()},
        conflicts=[
            f"{c.changed_by} changed “{c.question.text}” after you opened this page. Select “Save and come back "
            "later” to see both answers and choose."
            for c in result.conflicts.values()
        ],
        problems={f"q{qid}": message for qid, message in result.problems.items()},
    )


def _is_upload(value) -> bool:
    return isinstance(value, answer_service.Upload)


@applications.route(f"{BID}/files/<int:file_id>")
@permission_required(Permission.VIEW_APPLICATION)
@with_application
@loads("uploaded", UploadedFile, parameter="file_id", within="application")
def download_file(application: Application, uploaded: UploadedFile):
    return send_file(
        BytesIO(uploaded.content),
        mimetype=uploaded.content_type,
        as_attachment=True,
        download_name=uploaded.filename,
        max_age=0,
    )
