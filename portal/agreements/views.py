"""Grant agreements, payments and variations: the organisation accepts its agreement; officers release and record
payments, and propose and decide variations."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.agreements import services, variations
from portal.agreements.forms import AcceptanceForm, ActionForm, DecisionForm, PaymentForm, variation_form
from portal.auth.recent import recent_authentication_required
from portal.awards.scoped import with_organisation_award
from portal.awards.services import fetch_award
from portal.errors import DomainError
from portal.models import Award, Instalment, Variation, VariationKind
from portal.navigation import safe_next_url
from portal.permissions import Permission, can, check, loads, permission_required

agreements = Blueprint("agreements", __name__)


def _actor():
    return current_user._get_current_object()


# The organisation -------------------------------------------------------------------------------------------------


@agreements.route("/organisations/<int:organisation_id>/awards/<int:award_id>/agreement", methods=["GET", "POST"])
@permission_required(Permission.VIEW_AWARD)
@with_organisation_award
def agreement(award: Award):
    form = AcceptanceForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "POST":
        check(Permission.ACCEPT_GRANT_AGREEMENT, award)
        if form.validate_on_submit():
            try:
                services.accept_agreement(award, form.acceptance(), _actor())
            except DomainError as error:
                form.show_error(error)
            else:
                flash("You have accepted the grant agreement.", "success")
                return redirect(request.path)
    accepted = award.agreement
    return render_template(
        "agreements/agreement.html",
        award=award,
        form=form,
        agreement=accepted,
        terms=accepted.terms_text if accepted else services.terms_text(award),
        may_accept=services.acceptance_blocker(award) is None
        and can(current_user, Permission.ACCEPT_GRANT_AGREEMENT, award),
    )


# Officers: payments -----------------------------------------------------------------------------------------------


def _payment_filters() -> services.PaymentFilters:
    show = request.args.get("show", "to_release")
    return services.PaymentFilters(
        show=show if show in services.SHOW else "to_release", fund_id=request.args.get("fund", type=int)
    )


@agreements.route("/staff/payments")
@permission_required(Permission.MANAGE_PAYMENTS)
def payments():
    filters = _payment_filters()
    on = services.today()
    return render_template(
        "agreements/payments.html",
        page=services.fetch_instalments_page(filters, request.args.get("page", 1, type=int), on),
        filters=filters,
        shows=services.SHOW,
        funds=services.fetch_funds(),
        form=ActionForm(),
        today=on,
    )


def _back(award: Award):
    return redirect(safe_next_url(request.form.get("next")) or url_for("awards.award", award_id=award.id))


@agreements.route("/staff/awards/<int:award_id>/payments/<int:instalment_id>/release", methods=["POST"])
@permission_required(Permission.MANAGE_PAYMENTS)
@recent_authentication_required()
@loads("award", fetch_award)
@loads("instalment", services.fetch_instalment, within="award")
def release(award: Award, instalment: Instalment):
    if ActionForm().validate_on_submit():
        try:
            released = services.release_instalment(instalment, _actor())
        except DomainError as error:
            flash(error.message, "error")
        else:
            what = f"{instalment.label} payment of {award.reference}"
            flash(f"The {what} is released." if released else f"The {what} was already released.", "success")
    return _back(award)


@agreements.route("/staff/awards/<int:award_id>/payments/<int:instalment_id>/paid", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_PAYMENTS)
@recent_authentication_required()
@loads("award", fetch_award)
@loads("instalment", services.fetch_instalment, within="award")
def record_paid(award: Award, instalment: Instalment):
    form = PaymentForm(formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        try:
            recorded = services.record_payment(instalment, form.payment(), _actor())
        except DomainError as error:
            form.show_error(error)
        else:
            what = f"{instalment.label} payment of {award.reference}"
            flash(f"The {what} is recorded as paid." if recorded else f"The {what} was already paid.", "success")
            return redirect(url_for("awards.award", award_id=award.id))
    return render_template("agreements/record_paid.html", award=award, instalment=instalment, form=form)


# Officers: the agreement and variations ---------------------------------------------------------------------------


@agreements.route("/staff/awards/<int:award_id>/agreement")
@permission_required(Permission.APPROVE_AWARDS)
@loads("award", fetch_award)
def staff_agreement(award: Award):
    if award.agreement is None:
        abort(404)
    return render_template("agreements/staff_agreement.html", award=award, agreement=award.agreement)


KINDS = {kind.slug: kind for kind in VariationKind}


@agreements.route(
    "/staff/awards/<int:award_id>/variations/new/<any(extend, 'change-amount', 'end-early'):kind>",
    methods=["GET", "POST"],
)
@permission_required(Permission.APPROVE_AWARDS)
@loads("award", fetch_award)
def propose(award: Award, kind: str):
    variation_kind = KINDS[kind]
    form = variation_form(
        award,
        variation_kind,
        variations.years_for(award, variation_kind),
        formdata=request.form if request.method == "POST" else None,
    )
    blocker = variations.proposal_blocker(award)
    if not blocker and form.validate_on_submit():
        try:
            variation = variations.propose_variation(award, form.proposal(), _actor())
        except DomainError as error:
            form.show_error(error)
        else:
            flash("Variation proposed. A different grant officer must now approve or reject it.", "success")
            return redirect(url_for(".variation", award_id=award.id, variation_id=variation.id))
    return render_template(
        "agreements/propose.html",
        award=award,
        form=form,
        kind=variation_kind,
        blocker=blocker,
        committed=services.committed_by_year(award),
    )


@agreements.route("/staff/awards/<int:award_id>/variations/<int:variation_id>", methods=["GET", "POST"])
@permission_required(Permission.APPROVE_AWARDS)
@recent_authentication_required()
@loads("award", fetch_award)
@loads("found", variations.fetch_variation, parameter="variation_id", within="award")
def variation(award: Award, found: Variation):
    form = DecisionForm(formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        try:
            decided = variations.decide_variation(
                found, form.decision.data == "approve", form.decision_reason.data, _actor()
            )
        except DomainError as error:
            form.show_error(error)
        else:
            if decided:
                flash(f"Variation {found.status.label.lower()}.", "success")
            return redirect(url_for(".variation", award_id=award.id, variation_id=found.id))
    return render_template(
        "agreements/variation.html",
        award=award,
        variation=found,
        form=form,
        blocker=variations.decision_blocker(found, current_user),
    )
