"""Officers' pages for funds and rounds. Questions and criteria are in question_views, on the same blueprint."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.database import utcnow
from portal.errors import DomainError
from portal.models.funding import FormVariant, Fund, Round, RoundStatus
from portal.organisations.services import fetch_local_authorities
from portal.permissions import Permission, loads, permission_required
from portal.rounds import criteria as criteria_services
from portal.rounds import questions as question_services
from portal.rounds import services
from portal.rounds.forms import FundForm, PublishRoundForm, RoundForm

rounds = Blueprint("rounds", __name__, url_prefix="/staff/funds")


# The round a URL names (its parameter ``round_id``; the view takes ``round_``), for these pages and the questions'.
with_round = loads("round_", services.fetch_round, parameter="round_id")


def _status_filter() -> RoundStatus | None:
    try:
        return RoundStatus(request.args.get("status", ""))
    except ValueError:
        return None


@rounds.route("/")
@permission_required(Permission.MANAGE_FUNDS)
def index():
    now = utcnow()
    status = _status_filter()
    page = services.fetch_rounds_page(request.args.get("page", 1, type=int), status=status, now=now)
    return render_template(
        "rounds/index.html",
        funds=services.fetch_funds(),
        counts_by_fund=services.fetch_round_counts_by_fund(now),
        counts_by_status=services.count_rounds_by_status(now),
        page=page,
        status=status,
        bids=services.fetch_bid_counts(r.id for r in page.items),
        now=now,
    )


@rounds.route("/new", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_FUNDS)
def new_fund():
    form = FundForm()
    if form.validate_on_submit():
        try:
            fund = services.create_fund(form.details(), actor=current_user)
        except DomainError as error:
            form.show_error(error)
        else:
            flash(f"{fund.name} has been created.", "success")
            return redirect(url_for("rounds.fund", fund_id=fund.id))
    return render_template("rounds/fund_form.html", form=form, fund=None)


@rounds.route("/<int:fund_id>")
@permission_required(Permission.MANAGE_FUNDS)
@loads("fund", services.fetch_fund)
def fund(fund: Fund):
    now = utcnow()
    page = services.fetch_rounds_page(request.args.get("page", 1, type=int), fund_id=fund.id, now=now)
    return render_template(
        "rounds/fund.html", fund=fund, page=page, bids=services.fetch_bid_counts(r.id for r in page.items), now=now
    )


@rounds.route("/<int:fund_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_FUNDS)
@loads("fund", services.fetch_fund)
def edit_fund(fund: Fund):
    form = FundForm(
        data={
            "name": fund.name,
            "code": fund.code,
            "purpose": fund.purpose,
            "service_areas": [area.value for area in fund.service_areas],
        }
        if request.method == "GET"
        else None
    )
    if form.validate_on_submit():
        try:
            services.update_fund(fund, form.details(), actor=current_user)
        except DomainError as error:
            form.show_error(error)
        else:
            flash("The fund has been saved.", "success")
            return redirect(url_for("rounds.fund", fund_id=fund.id))
    return render_template("rounds/fund_form.html", form=form, fund=fund)


@rounds.route("/<int:fund_id>/rounds/new", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_FUNDS)
@loads("fund", services.fetch_fund)
def new_round(fund: Fund):
    form = RoundForm.for_new_round(fund.id) if request.method == "GET" else RoundForm()
    form.set_choices(services.fetch_funds(), fetch_local_authorities())
    if form.validate_on_submit():
        try:
            round_ = services.create_round(form.details(), actor=current_user)
        except DomainError as error:
            form.show_error(error)
        else:
            flash("The round has been saved as a draft. It is not public until you publish it.", "success")
            return redirect(url_for("rounds.overview", round_id=round_.id))
    return render_template("rounds/round_form.html", form=form, fund=fund, round=None)


@rounds.route("/rounds/<int:round_id>")
@permission_required(Permission.MANAGE_FUNDS)
@with_round
def overview(round_: Round):
    now = utcnow()
    criteria = criteria_services.fetch_criteria(round_)
    return render_template(
        "rounds/round.html",
        round=round_,
        status=round_.status(now),
        window=services.window_check_for(round_, now),
        duration_warning=services.duration_warning(round_.min_duration_months),
        questions=question_services.fetch_questions(round_.id),
        criteria=criteria,
        percentages=criteria_services.weight_percentages(criteria),
        bids=services.fetch_bid_counts([round_.id])[round_.id],
    )


@rounds.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_FUNDS)
@with_round
def edit_round(round_: Round):
    form = RoundForm.for_round(round_) if request.method == "GET" else RoundForm()
    form.set_choices(services.fetch_funds(), fetch_local_authorities())
    if form.validate_on_submit():
        try:
            services.update_round(round_, form.details(), actor=current_user)
        except DomainError as error:
            form.show_error(error)
        else:
            flash("The round has been saved.", "success")
            return redirect(url_for("rounds.overview", round_id=round_.id))
    return render_template(
        "rounds/round_form.html",
        form=form,
        fund=round_.fund,
        round=round_,
        status=round_.status(utcnow()),
        has_bids=services.round_has_bids(round_),
    )


@rounds.route("/rounds/<int:round_id>/publish", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_FUNDS)
@with_round
def publish_round(round_: Round):
    if round_.is_published:
        flash("This round has already been published.", "info")
        return redirect(url_for("rounds.overview", round_id=round_.id))
    form = PublishRoundForm()
    if form.validate_on_submit():
        try:
            services.publish_round(round_, form.short_window_reason.data, actor=current_user)
        except DomainError as error:
            form.show_error(error)
        else:
            flash("The round has been published.", "success")
            return redirect(url_for("rounds.overview", round_id=round_.id))
    now = utcnow()
    return render_template(
        "rounds/publish.html",
        form=form,
        round=round_,
        window=services.window_check_for(round_, now),
        duration_warning=services.duration_warning(round_.min_duration_months),
        criteria_count=len(round_.criteria),
    )


@rounds.route("/rounds/<int:round_id>/preview/light")
@permission_required(Permission.MANAGE_FUNDS)
@with_round
def preview_light(round_: Round):
    return _preview(round_, FormVariant.LIGHT)


@rounds.route("/rounds/<int:round_id>/preview/full")
@permission_required(Permission.MANAGE_FUNDS)
@with_round
def preview_full(round_: Round):
    return _preview(round_, FormVariant.FULL)


def _preview(round_: Round, form_variant: FormVariant):

    def asked(questions):
        return [q for q in questions if q.asked_on(form_variant)]

    standard = asked(question_services.fetch_questions(None))
    own = asked(question_services.fetch_questions(round_.id))
    return render_template(
        "rounds/preview.html",
        round=round_,
        variant=form_variant,
        eligibility=[q for q in standard + own if q.is_eligibility],
        standard_sections=question_services.group_by_section([q for q in standard if not q.is_eligibility]),
        round_sections=question_services.group_by_section([q for q in own if not q.is_eligibility]),
    )


from portal.rounds import question_views  # noqa: E402, F401  (registers the question and criteria pages)
