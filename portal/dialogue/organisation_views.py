"""The funded organisation's pages: its follow-ups after an award ends, and its conversations with officers."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.awards.scoped import with_organisation_award
from portal.dialogue.follow_ups import save_follow_up
from portal.dialogue.forms import NewThreadForm, ReplyForm, follow_up_form
from portal.dialogue.threads import organisation_reply, start_thread
from portal.dialogue.views import dialogue, with_award_follow_up, with_award_thread
from portal.errors import DomainError
from portal.models import Award, DialogueThread, FollowUpReturn
from portal.monitoring.review import may_fill_in
from portal.monitoring.review_views import save_from_form
from portal.periods import today_in_london as today
from portal.permissions import Permission, can, check, permission_required

AWARD = "/organisations/<int:organisation_id>/awards/<int:award_id>"


@dialogue.route(f"{AWARD}/follow-ups/<int:follow_up_id>", methods=["GET", "POST"])
@permission_required(Permission.VIEW_AWARD)
@with_organisation_award
@with_award_follow_up
def organisation_follow_up(award: Award, follow_up: FollowUpReturn):
    may_edit = may_fill_in(follow_up, today()) and can(current_user, Permission.EDIT_RETURN, award)
    form = follow_up_form(follow_up, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST":
        check(Permission.EDIT_RETURN, award)
        if saved := save_from_form(
            form,
            lambda actor, submit: save_follow_up(follow_up, form.answers(), actor, submit=submit),
            submitting=bool(form.submit_follow_up.data),
            name=follow_up.label.capitalize(),
            submitted_url=url_for(
                "monitoring.organisation_award", organisation_id=award.organisation_id, award_id=award.id
            ),
        ):
            return saved
    return render_template(
        "dialogue/follow_up_form.html", award=award, follow_up=follow_up, form=form, may_edit=may_edit, today=today()
    )


@dialogue.route(f"{AWARD}/messages/new", methods=["GET", "POST"])
@permission_required(Permission.SEND_FEEDBACK)
@with_organisation_award
def new_thread(award: Award):
    form = NewThreadForm()
    if form.validate_on_submit():
        try:
            thread = start_thread(award, form.details(), current_user._get_current_object())
        except DomainError as error:
            form.show_error(error)
        else:
            flash(f"{thread.kind.label} sent. Your grant officer will reply here.", "success")
            return redirect(
                url_for(
                    ".organisation_thread",
                    organisation_id=award.organisation_id,
                    award_id=award.id,
                    thread_id=thread.id,
                )
            )
    return render_template("dialogue/new_thread.html", award=award, form=form)


@dialogue.route(f"{AWARD}/messages/<int:thread_id>", methods=["GET", "POST"])
@permission_required(Permission.VIEW_AWARD)
@with_organisation_award
@with_award_thread
def organisation_thread(award: Award, thread: DialogueThread):
    form = ReplyForm()
    if request.method == "POST":
        check(Permission.SEND_FEEDBACK, award)
        if form.validate_on_submit():
            try:
                organisation_reply(thread, form.body.data or "", current_user._get_current_object())
            except DomainError as error:
                form.show_error(error)
            else:
                flash("Reply sent.", "success")
                return redirect(request.path)
    return render_template(
        "dialogue/organisation_thread.html",
        award=award,
        thread=thread,
        form=form,
        may_reply=can(current_user, Permission.SEND_FEEDBACK, award),
    )
