"""Awards made from funded bids, with their approvals."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.agreements.services import today
from portal.assessment.forms import ActionForm
from portal.auth.recent import recent_authentication_required
from portal.awards import services
from portal.awards.forms import WithdrawalForm, award_form, direct_award_form
from portal.awards.withdrawal import preview_withdrawal, withdraw_award, withdrawal_blocker
from portal.errors import DomainError
from portal.evaluations import queries as evaluation_queries
from portal.evaluations import rules as evaluation_rules
from portal.models import Application, Award, AwardStatus
from portal.models.awards import SECOND_APPROVER_ABOVE_PENCE
from portal.permissions import Permission, loads, permission_required

awards = Blueprint("awards", __name__, url_prefix="/staff/awards")


@awards.route("/")
@permission_required(Permission.APPROVE_AWARDS)
def index():
    status = request.args.get("status", "")
    chosen = AwardStatus(status) if status in {s.value for s in AwardStatus} else None
    needs = request.args.get("needs", "")
    needs = needs if needs in services.NEEDS else ""
    page = services.fetch_awards_page(
        request.args.get("page", 1, type=int), status=chosen, needs=needs, officer=current_user._get_current_object()
    )
    return render_template(
        "awards/index.html",
        page=page,
        waiting=services.fetch_funded_bids_without_award(),
        statuses=list(AwardStatus),
        status=chosen.value if chosen else "",
        needs=needs,
        needs_choices=services.NEEDS,
    )


@awards.route("/from-bid/<int:application_id>", methods=["GET", "POST"])
@permission_required(Permission.APPROVE_AWARDS)
@recent_authentication_required()
@loads("application", services.fetch_application)
def create(application: Application):
    form = award_form(
        services.award_years(application),
        services.fetch_local_authorities(),
        services.prefill(application) if request.method == "GET" else None,
        formdata=request.form if request.method == "POST" else None,
    )
    if form.validate_on_submit():
        try:
            award = services.create_award(application, form.details(), current_user._get_current_object())
        except DomainError as error:
            form.show_error(error)
        else:
            if award.status is AwardStatus.APPROVED:
                flash(f"Award {award.reference} is approved.", "success")
            else:
                flash(f"Award {award.reference} is approved by you and now needs a second approver.", "success")
            return redirect(url_for("awards.award", award_id=award.id))
    return render_template(
        "awards/create.html",
        application=application,
        decision=services.fetch_decision(application),
        existing=services.fetch_award_for(application),
        form=form,
        threshold=SECOND_APPROVER_ABOVE_PENCE,
    )


@awards.route("/new", methods=["GET", "POST"])
@permission_required(Permission.APPROVE_AWARDS)
@recent_authentication_required()
def create_direct():
    form = direct_award_form(
        services.direct_award_years(today()),
        services.fetch_local_authorities(),
        services.fetch_funds(),
        services.fetch_organisations(),
        formdata=request.form if request.method == "POST" else None,
    )
    if form.validate_on_submit():
        try:
            award = services.create_direct_award(
                form.fund_id.data, form.organisation_id.data, form.details(), current_user._get_current_object()
            )
        except DomainError as error:
            form.show_error(error)
        else:
            if award.status is AwardStatus.APPROVED:
                flash(f"Direct award {award.reference} is approved.", "success")
            else:
                flash(f"Direct award {award.reference} is approved by you and now needs a second approver.", "success")
            return redirect(url_for("awards.award", award_id=award.id))
    return render_template("awards/create_direct.html", form=form, threshold=SECOND_APPROVER_ABOVE_PENCE)


@awards.route("/<int:award_id>")
@permission_required(Permission.APPROVE_AWARDS)
@loads("award", services.fetch_award)
def award(award: Award):
    evaluations = evaluation_queries.fetch_for_award(award.id)
    return render_template(
        "awards/award.html",
        award=award,
        decision=services.fetch_decision(award.application) if award.application else None,
        blocker=services.second_approval_blocker(award, current_user),
        withdrawal_blocker=withdrawal_blocker(award),
        form=ActionForm(),
        threshold=SECOND_APPROVER_ABOVE_PENCE,
        evaluations=evaluations,
        missing_evaluations=evaluation_rules.missing_kinds(award, evaluations),
    )


@awards.route("/<int:award_id>/second-approval", methods=["POST"])
@permission_required(Permission.APPROVE_AWARDS)
@recent_authentication_required()
@loads("award", services.fetch_award)
def second_approval(award: Award):
    if ActionForm().validate_on_submit():
        try:
            services.approve_second(award, current_user._get_current_object())
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(f"Award {award.reference} is approved.", "success")
    return redirect(url_for("awards.award", award_id=award.id))


@awards.route("/<int:award_id>/withdraw", methods=["GET", "POST"])
@permission_required(Permission.APPROVE_AWARDS)
@loads("award", services.fetch_award)
def withdraw(award: Award):
    if award.status is AwardStatus.WITHDRAWN:
        # Already withdrawn (a second submit, or a colleague first): the award page says when and why.
        return redirect(url_for("awards.award", award_id=award.id))
    form = WithdrawalForm(formdata=request.form if request.method == "POST" else None)
    blocker = withdrawal_blocker(award)
    if form.validate_on_submit() and blocker is None:
        try:
            withdraw_award(award, form.reason.data or "", current_user._get_current_object())
        except DomainError as error:
            form.show_error(error)
        else:
            flash(f"Award {award.reference} is withdrawn. Its organisation's owners have been emailed.", "success")
            return redirect(url_for("awards.award", award_id=award.id))
    return render_template(
        "awards/withdraw.html", award=award, form=form, blocker=blocker, preview=preview_withdrawal(award)
    )
