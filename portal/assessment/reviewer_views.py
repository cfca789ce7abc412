"""Reviewers' pages: their own reviews only. Every route loads the assignment through ``with_assignment``, which
refuses anyone but the assigned reviewer and anyone who declared a conflict."""

from flask import abort, flash, redirect, render_template, request, url_for

from portal.assessment import queries, reviewers
from portal.assessment.forms import DeclarationForm, score_form
from portal.assessment.reviews import can_still_score, save_scores
from portal.assessment.views import acting_user, assessment, send_uploaded_file, with_assignment
from portal.errors import DomainError
from portal.models import ReviewAssignment, UploadedFile
from portal.permissions import Permission, loads, permission_required


@assessment.route("/reviews")
@permission_required(Permission.SCORE_APPLICATIONS)
def reviews():
    reviewer = acting_user()
    page = queries.fetch_reviewer_assignments_page(reviewer, request.args.get("page", 1, type=int))
    return render_template(
        "assessment/reviews.html",
        page=page,
        criteria=queries.fetch_criteria_by_round({a.application.round_id for a in page.items}),
        conflicts=queries.count_declared_conflicts(reviewer),
    )


@assessment.route("/reviews/<int:assignment_id>", methods=["GET", "POST"])
@permission_required(Permission.SCORE_APPLICATIONS)
@with_assignment
def review(assignment: ReviewAssignment):
    application = assignment.application
    if assignment.has_conflict is None:
        # Until they declare, a reviewer sees only who is bidding and for what.
        form = DeclarationForm()
        if form.validate_on_submit():
            try:
                replacement = reviewers.declare(
                    assignment, form.declared_conflict, form.conflict_note.data, acting_user()
                )
            except DomainError as error:
                form.show_error(error)
            else:
                if form.declared_conflict:
                    flash(
                        "Thank you. Your conflict of interest is recorded and the bid "
                        + (
                            "has been passed to another reviewer."
                            if replacement
                            else "will be given to another reviewer."
                        ),
                        "success",
                    )
                    return redirect(url_for("assessment.reviews"))
                flash("Thank you. You can now read and score the bid.", "success")
                return redirect(url_for("assessment.review", assignment_id=assignment.id))
        return render_template("assessment/declare.html", assignment=assignment, application=application, form=form)
    if request.method == "POST":
        return redirect(url_for("assessment.review", assignment_id=assignment.id))
    criteria = queries.fetch_criteria(application.round)
    return render_template(
        "assessment/review.html",
        assignment=assignment,
        application=application,
        sections=queries.fetch_answers_by_section(application),
        file_url=lambda file_id: url_for("assessment.review_file", assignment_id=assignment.id, file_id=file_id),
        criteria=criteria,
        own_scores={score.criterion_id: score for score in assignment.scores},
        can_score=can_still_score(assignment),
    )


@assessment.route("/reviews/<int:assignment_id>/files/<int:file_id>")
@permission_required(Permission.SCORE_APPLICATIONS)
@with_assignment
@loads("uploaded", UploadedFile, parameter="file_id", within=("assignment", "application_id", "application_id"))
def review_file(assignment: ReviewAssignment, uploaded: UploadedFile):
    if assignment.has_conflict is not False:
        abort(403)  # nothing of the bid before the declaration
    return send_uploaded_file(uploaded)


@assessment.route("/reviews/<int:assignment_id>/scores", methods=["GET", "POST"])
@permission_required(Permission.SCORE_APPLICATIONS)
@with_assignment
def score(assignment: ReviewAssignment):
    if assignment.has_conflict is None:
        return redirect(url_for("assessment.review", assignment_id=assignment.id))
    application = assignment.application
    criteria = queries.fetch_criteria(application.round)
    form = score_form(
        criteria,
        {s.criterion_id: s for s in assignment.scores},
        formdata=request.form if request.method == "POST" else None,
    )
    if not can_still_score(assignment):
        return redirect(url_for("assessment.review", assignment_id=assignment.id))
    if form.validate_on_submit():
        complete = bool(form.complete.data)
        try:
            save_scores(assignment, form.entries(), complete=complete, actor=acting_user())
        except DomainError as error:
            form.show_error(error)
        else:
            if complete:
                flash("Your review is complete. Thank you.", "success")
                return redirect(url_for("assessment.reviews"))
            flash("Your scores have been saved. You can come back to them at any time.", "success")
            return redirect(url_for("assessment.review", assignment_id=assignment.id))
    return render_template(
        "assessment/score.html", assignment=assignment, application=application, criteria=criteria, form=form
    )
