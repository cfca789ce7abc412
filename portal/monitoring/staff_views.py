"""Officers' pages: every return in one table, an award's measures and schedule, reviewing a return, and
overriding a rating."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.dialogue import queries as dialogue_queries
from portal.errors import DomainError
from portal.models import Award, Measure, PerformanceRecord, Rag, RatingAspect, Return
from portal.monitoring import queries
from portal.monitoring.forms import ActionForm, MeasureForm, OverrideForm, QueryForm
from portal.monitoring.measures import create_measure, update_measure
from portal.monitoring.performance import override_rating, profile_pence
from portal.monitoring.returns import today
from portal.monitoring.review import may_review
from portal.monitoring.review_views import accept_return_from_form, query_return_from_form
from portal.monitoring.views import (
    approved,
    approved_or_withdrawn,
    monitoring,
    with_approved_award,
    with_award_return,
)
from portal.moved import redirect_moved
from portal.outcomes.mapping import outcomes_of_measures
from portal.permissions import Permission, loads, permission_required


def _filters() -> queries.ReturnFilters:
    show = request.args.get("show", "open")
    sort = request.args.get("sort", "due_on")
    return queries.ReturnFilters(
        show=show if show in queries.SHOW else "open",
        fund_id=request.args.get("fund", type=int),
        sort=sort if sort in queries.SORTS else "due_on",
        order="desc" if request.args.get("order") == "desc" else "asc",
    )


@monitoring.route("/staff/monitoring/returns")
@permission_required(Permission.REVIEW_RETURNS)
def returns():
    filters = _filters()
    return render_template(
        "monitoring/returns.html",
        page=queries.fetch_returns_page(filters, request.args.get("page", 1, type=int), today()),
        filters=filters,
        shows=queries.SHOW,
        funds=queries.fetch_funds(),
        today=today(),
    )


@monitoring.route("/staff/monitoring/awards/<int:award_id>", methods=["GET", "POST"])
@permission_required(Permission.REVIEW_RETURNS)
@loads(
    "award",
    queries.fetch_award,
    where=lambda award: approved_or_withdrawn(award) if request.method == "GET" else approved(award),
)
def award(award: Award):
    form = MeasureForm.for_measure(None, formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        try:
            measure = create_measure(award, form.details(), current_user._get_current_object())
        except DomainError as error:
            form.show_error(error)
        else:
            flash(f"Measure “{measure.name}” added.", "success")
            return redirect(url_for(".award", award_id=award.id))
    return render_template(
        "monitoring/staff_award.html",
        award=award,
        measures=queries.fetch_measures(award),
        measure_outcomes=outcomes_of_measures([m.id for m in queries.fetch_measures(award)]),
        returns=queries.fetch_returns(award),
        records=queries.fetch_records(award),
        follow_ups=dialogue_queries.fetch_award_follow_ups(award),
        threads=dialogue_queries.fetch_award_threads(award),
        form=form,
    )


@monitoring.route("/staff/monitoring/awards/<int:award_id>/measures/<int:measure_id>", methods=["GET", "POST"])
@permission_required(Permission.REVIEW_RETURNS)
@with_approved_award
@loads("measure", queries.fetch_measure, within="award")
def edit_measure(award: Award, measure: Measure):
    form = MeasureForm.for_measure(measure, formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        try:
            update_measure(measure, form.details(), current_user._get_current_object())
        except DomainError as error:
            form.show_error(error)
        else:
            flash(f"Measure “{measure.name}” saved.", "success")
            return redirect(url_for(".award", award_id=award.id))
    return render_template("monitoring/edit_measure.html", award=award, measure=measure, form=form)


# An award's return lives under the award: /staff/monitoring/awards/<award>/returns/<return>. Officers read the
# returns of an approved or withdrawn award and act only on an approved award's.
AWARD_RETURN = "/staff/monitoring/awards/<int:award_id>/returns/<int:return_id>"


@monitoring.route(AWARD_RETURN)
@permission_required(Permission.REVIEW_RETURNS)
@loads("award", queries.fetch_award, where=approved_or_withdrawn)
@with_award_return
def review(award: Award, return_: Return):
    return _review_page(return_, QueryForm(formdata=None))


def _review_page(return_, query_form):
    records = queries.fetch_records(return_.award)
    return render_template(
        "monitoring/review.html",
        return_=return_,
        award=return_.award,
        measures=queries.fetch_measures(return_.award),
        record=records.get(return_.id),
        profile=profile_pence(return_),
        action_form=ActionForm(),
        query_form=query_form,
        can_review=may_review(return_),
    )


@monitoring.route(f"{AWARD_RETURN}/accept", methods=["POST"])
@permission_required(Permission.REVIEW_RETURNS)
@with_approved_award
@with_award_return
def accept(award: Award, return_: Return):
    return accept_return_from_form(return_, back=review_url(return_))


@monitoring.route(f"{AWARD_RETURN}/query", methods=["POST"])
@permission_required(Permission.REVIEW_RETURNS)
@with_approved_award
@with_award_return
def query(award: Award, return_: Return):
    return query_return_from_form(
        return_,
        to=return_.award.organisation.name,
        back=review_url(return_),
        page=lambda form: _review_page(return_, form),
    )


# The old flat addresses, /staff/monitoring/returns/<return>[/accept|/query], redirect to the return's award.
for _name, _methods in (("review", ["GET"]), ("accept", ["POST"]), ("query", ["POST"])):
    redirect_moved(
        monitoring,
        "/staff/monitoring/returns/<int:return_id>" + ("" if _name == "review" else f"/{_name}"),
        _name,
        permission=Permission.REVIEW_RETURNS,
        load=loads("return_", queries.fetch_return, parameter="return_id", where=lambda r: r.award_id is not None),
        address=lambda return_: {"award_id": return_.award_id, "return_id": return_.id},
        methods=_methods,
    )


# An approved award's record, or a borough plan project's record (which has no award).
@monitoring.route("/staff/monitoring/records/<int:record_id>/override", methods=["GET", "POST"])
@permission_required(Permission.RATE_PERFORMANCE)
@loads("record", queries.fetch_record, where=lambda record: record.award_id is None or approved(record.award))
def override(record: PerformanceRecord):
    back = review_url(record.return_)
    form = OverrideForm()
    if request.method == "GET" and request.args.get("aspect") in {a.value for a in RatingAspect}:
        form.aspect.data = request.args["aspect"]
    if form.validate_on_submit():
        try:
            override_rating(
                record,
                RatingAspect(form.aspect.data),
                Rag(form.rating.data),
                form.reason.data or "",
                current_user._get_current_object(),
            )
        except DomainError as error:
            form.show_error(error)
        else:
            flash(f"{RatingAspect(form.aspect.data).label} rating changed.", "success")
            return redirect(back)
    return render_template(
        "monitoring/override.html",
        record=record,
        back=back,
        caption=" · ".join([*_who(record.return_), record.return_.label]),
        form=form,
    )


def _who(return_) -> list[str]:
    if return_.award is not None:
        return [return_.award.reference, return_.award.organisation.name]
    return [return_.plan_project.name, return_.plan_project.plan.organisation.name]


def review_url(return_) -> str:
    """Where an officer reviews this return: award returns here, borough plan project returns with the plans."""
    if return_.plan_project_id is not None:
        return url_for("plans.staff_return", plan_id=return_.plan_project.plan_id, return_id=return_.id)
    return url_for(".review", award_id=return_.award_id, return_id=return_.id)
