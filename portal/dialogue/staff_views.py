"""Officers' pages: follow-ups to review, the inbox of conversations with funded organisations, each fund's
lessons-learned log, and publishing case studies as good practice."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.dialogue import good_practice, lessons, queries
from portal.dialogue.follow_ups import accept_follow_up, query_follow_up
from portal.dialogue.forms import ActionForm, LessonForm, PublishForm, ReplyForm
from portal.dialogue.threads import close_thread, log_lesson, officer_reply, remove_lesson
from portal.dialogue.views import dialogue, with_award_follow_up, with_staff_thread
from portal.errors import DomainError
from portal.models import Award, DialogueThread, FollowUpReturn, Fund, PublishedCaseStudy, Return, ThreadKind
from portal.monitoring import queries as monitoring_queries
from portal.monitoring.forms import QueryForm
from portal.monitoring.review import may_review
from portal.monitoring.review_views import accept_from_form, query_from_form
from portal.monitoring.views import approved, with_approved_award
from portal.moved import redirect_moved
from portal.periods import today_in_london as today
from portal.permissions import Permission, loads, permission_required

# Follow-ups ---------------------------------------------------------------------------------------------------------


@dialogue.route("/staff/monitoring/follow-ups")
@permission_required(Permission.REVIEW_RETURNS)
def follow_ups():
    show = request.args.get("show", "open")
    filters = queries.FollowUpFilters(
        show=show if show in queries.FOLLOW_UP_SHOW else "open", fund_id=request.args.get("fund", type=int)
    )
    return render_template(
        "dialogue/follow_ups.html",
        page=queries.fetch_follow_ups_page(filters, request.args.get("page", 1, type=int), today()),
        filters=filters,
        shows=queries.FOLLOW_UP_SHOW,
        funds=queries.fetch_funds(),
        today=today(),
    )


# A follow-up lives under its award, as an award's return does: /staff/monitoring/awards/<award>/follow-ups/<id>.
AWARD_FOLLOW_UP = "/staff/monitoring/awards/<int:award_id>/follow-ups/<int:follow_up_id>"


@dialogue.route(AWARD_FOLLOW_UP)
@permission_required(Permission.REVIEW_RETURNS)
@with_approved_award
@with_award_follow_up
def review_follow_up(award: Award, follow_up: FollowUpReturn):
    return _review_page(follow_up, QueryForm(formdata=None, noun="follow-up"))


def _review_page(follow_up, query_form):
    return render_template(
        "dialogue/review_follow_up.html",
        follow_up=follow_up,
        award=follow_up.award,
        action_form=ActionForm(),
        query_form=query_form,
        can_review=may_review(follow_up),
    )


@dialogue.route(f"{AWARD_FOLLOW_UP}/accept", methods=["POST"])
@permission_required(Permission.REVIEW_RETURNS)
@with_approved_award
@with_award_follow_up
def accept_follow_up_view(award: Award, follow_up: FollowUpReturn):
    return accept_from_form(
        ActionForm(),
        lambda actor: accept_follow_up(follow_up, actor),
        message=lambda _: f"{follow_up.label.capitalize()} accepted.",
        back=url_for(".review_follow_up", award_id=award.id, follow_up_id=follow_up.id),
    )


@dialogue.route(f"{AWARD_FOLLOW_UP}/query", methods=["POST"])
@permission_required(Permission.REVIEW_RETURNS)
@with_approved_award
@with_award_follow_up
def query_follow_up_view(award: Award, follow_up: FollowUpReturn):
    return query_from_form(
        QueryForm(noun="follow-up"),
        lambda question, actor: query_follow_up(follow_up, question, actor),
        message=f"{follow_up.label.capitalize()} sent back to {follow_up.award.organisation.name}.",
        back=url_for(".review_follow_up", award_id=award.id, follow_up_id=follow_up.id),
        page=lambda form: _review_page(follow_up, form),
    )


# The old flat addresses, /staff/monitoring/follow-ups/<follow-up>[/accept|/query], redirect to its award.
for _endpoint, _suffix in (
    ("review_follow_up", ""),
    ("accept_follow_up_view", "/accept"),
    ("query_follow_up_view", "/query"),
):
    redirect_moved(
        dialogue,
        f"/staff/monitoring/follow-ups/<int:follow_up_id>{_suffix}",
        _endpoint,
        permission=Permission.REVIEW_RETURNS,
        load=loads("follow_up", queries.fetch_follow_up),
        address=lambda follow_up: {"award_id": follow_up.award_id, "follow_up_id": follow_up.id},
        methods=["POST"] if _suffix else ["GET"],
    )


# The inbox ----------------------------------------------------------------------------------------------------------


@dialogue.route("/staff/messages")
@permission_required(Permission.ANSWER_FEEDBACK)
def inbox():
    show = request.args.get("show", "open")
    kind = request.args.get("kind", "")
    filters = queries.InboxFilters(
        show=show if show in queries.INBOX_SHOW else "open",
        kind=ThreadKind(kind) if kind in {k.value for k in ThreadKind} else None,
        fund_id=request.args.get("fund", type=int),
        in_log=request.args.get("in_log") == "yes",
    )
    return render_template(
        "dialogue/inbox.html",
        page=queries.fetch_inbox_page(filters, request.args.get("page", 1, type=int)),
        filters=filters,
        shows=queries.INBOX_SHOW,
        kinds=list(ThreadKind),
        funds=queries.fetch_funds(),
    )


@dialogue.route("/staff/messages/<int:thread_id>", methods=["GET", "POST"])
@permission_required(Permission.ANSWER_FEEDBACK)
@with_staff_thread
def staff_thread(thread: DialogueThread):
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            officer_reply(thread, form.body.data or "", current_user._get_current_object())
        except DomainError as error:
            form.show_error(error)
        else:
            flash(f"Reply sent to {thread.award.organisation.name}.", "success")
            return redirect(url_for(".staff_thread", thread_id=thread.id))
    return _thread_page(thread, form, LessonForm(formdata=None, summary=thread.lesson_summary))


def _thread_page(thread, reply_form, lesson_form):
    return render_template(
        "dialogue/staff_thread.html",
        thread=thread,
        award=thread.award,
        form=lesson_form if lesson_form.errors else reply_form,  # the one with errors, for the summary and title
        reply_form=reply_form,
        lesson_form=lesson_form,
        action_form=ActionForm(),
    )


@dialogue.route("/staff/messages/<int:thread_id>/lesson", methods=["POST"])
@permission_required(Permission.ANSWER_FEEDBACK)
@with_staff_thread
def log_lesson_view(thread: DialogueThread):
    form = LessonForm()
    if form.validate_on_submit():
        try:
            log_lesson(thread, form.summary.data or "", current_user._get_current_object())
        except DomainError as error:
            form.show_error(error)
        else:
            flash(f"Added to the lessons-learned log for {thread.award.fund.name}.", "success")
            return redirect(url_for(".staff_thread", thread_id=thread.id))
    return _thread_page(thread, ReplyForm(formdata=None), form)


@dialogue.route("/staff/messages/<int:thread_id>/lesson/remove", methods=["POST"])
@permission_required(Permission.ANSWER_FEEDBACK)
@with_staff_thread
def remove_lesson_view(thread: DialogueThread):
    if ActionForm().validate_on_submit():
        try:
            remove_lesson(thread, current_user._get_current_object())
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash("Removed from the lessons-learned log.", "success")
    return redirect(url_for(".staff_thread", thread_id=thread.id))


@dialogue.route("/staff/messages/<int:thread_id>/close", methods=["POST"])
@permission_required(Permission.ANSWER_FEEDBACK)
@with_staff_thread
def close_thread_view(thread: DialogueThread):
    if ActionForm().validate_on_submit():
        try:
            close_thread(thread, current_user._get_current_object())
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash("Conversation closed. The organisation can still write again, which opens it.", "success")
    return redirect(url_for(".staff_thread", thread_id=thread.id))


# Lessons-learned log ----------------------------------------------------------------------------------------------


def _lesson_filters() -> lessons.LessonFilters:
    source = request.args.get("source", "")
    return lessons.LessonFilters(
        source=lessons.LessonSource(source) if source in {s.value for s in lessons.LessonSource} else None,
        search=(request.args.get("q") or "")[:200],
    )


@dialogue.route("/staff/funds/<int:fund_id>/lessons")
@permission_required(Permission.ANSWER_FEEDBACK)
@loads("fund", lessons.fetch_fund)
def fund_lessons(fund: Fund):
    filters = _lesson_filters()
    found = lessons.fetch_lessons(fund, filters)
    return render_template(
        "dialogue/lessons.html",
        fund=fund,
        filters=filters,
        sources=list(lessons.LessonSource),
        page=lessons.paginate(found, request.args.get("page", 1, type=int)),
    )


@dialogue.route("/staff/funds/<int:fund_id>/lessons.csv")
@permission_required(Permission.ANSWER_FEEDBACK)
@loads("fund", lessons.fetch_fund)
def fund_lessons_csv(fund: Fund):
    body = lessons.lessons_csv(lessons.fetch_lessons(fund, _lesson_filters()))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="lessons-learned-{fund.code.lower()}.csv"'},
    )


# Good practice ------------------------------------------------------------------------------------------------------

GOOD_PRACTICE_SHOW = {"all": "All agreed case studies", "not_published": "Not published", "published": "Published"}


@dialogue.route("/staff/good-practice")
@permission_required(Permission.PUBLISH_CASE_STUDIES)
def case_studies():
    show = request.args.get("show", "all")
    show = show if show in GOOD_PRACTICE_SHOW else "all"
    page = good_practice.fetch_candidates_page(request.args.get("page", 1, type=int), show=show)
    return render_template(
        "dialogue/case_studies.html",
        page=page,
        publications=good_practice.fetch_case_studies_for(page.items),
        show=show,
        shows=GOOD_PRACTICE_SHOW,
        action_form=ActionForm(),
    )


@dialogue.route("/staff/good-practice/returns/<int:return_id>/publish", methods=["GET", "POST"])
@permission_required(Permission.PUBLISH_CASE_STUDIES)
@loads(
    "return_",
    monitoring_queries.fetch_return,
    parameter="return_id",
    where=lambda return_: approved(return_.award) and good_practice.may_be_published(return_),
)
def publish_case_study(return_: Return):
    existing = good_practice.fetch_case_study_for(return_)
    form = PublishForm()
    if request.method == "GET":
        suggestion = existing or good_practice.suggested_publication(return_)
        form.title.data, form.summary.data = suggestion.title, suggestion.summary
    if form.validate_on_submit():
        try:
            case_study = good_practice.publish_case_study(
                return_, form.publication(), current_user._get_current_object()
            )
        except DomainError as error:
            form.show_error(error)
        else:
            flash(f"“{case_study.title}” is published in the good-practice library.", "success")
            return redirect(url_for(".case_studies"))
    return render_template("dialogue/publish.html", return_=return_, award=return_.award, form=form, existing=existing)


@dialogue.route("/staff/good-practice/<int:case_study_id>/unpublish", methods=["POST"])
@permission_required(Permission.PUBLISH_CASE_STUDIES)
@loads("case_study", good_practice.fetch_case_study)
def unpublish_case_study(case_study: PublishedCaseStudy):
    if ActionForm().validate_on_submit():
        try:
            good_practice.unpublish_case_study(case_study, current_user._get_current_object())
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(f"“{case_study.title}” is no longer published.", "success")
    return redirect(url_for(".case_studies"))
