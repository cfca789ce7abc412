"""Officers' pages: the boroughs' allocations and confirming them, reviewing delivery plans, and paying them."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.agreements.forms import PaymentForm
from portal.auth.recent import recent_authentication_required
from portal.boroughs import queries
from portal.boroughs.allocations import confirm_allocation, create_allocation, take_from_published_version
from portal.boroughs.forms import ActionForm, AllocationForm, ConfirmForm, DecisionForm
from portal.boroughs.payments import record_payment, release_blocker, release_instalment
from portal.boroughs.plan_views import plans
from portal.boroughs.plans import approve_plan, query_plan
from portal.errors import DomainError
from portal.models import BoroughAllocation, DeliveryPlan, PlanInstalment, PlanStatus
from portal.monitoring.returns import today
from portal.periods import financial_year_start
from portal.permissions import Permission, can, loads, permission_required


def _actor():
    return current_user._get_current_object()


@plans.route("/staff/boroughs/allocations")
@permission_required(Permission.MANAGE_BOROUGH_ALLOCATIONS)
def allocations():
    year = request.args.get("year", type=int)
    found = queries.fetch_allocations(year)
    now = today()
    return render_template(
        "boroughs/staff_allocations.html",
        allocations=found,
        year=year,
        years=queries.fetch_allocation_years(),
        confirmed_late=sum(1 for a in found if a.issued_late),
        action_form=ActionForm(),
        overdue=sum(1 for a in found if not a.is_issued and now > a.confirm_by),
        today=now,
    )


@plans.route("/staff/boroughs/allocations/from-formula", methods=["POST"])
@permission_required(Permission.MANAGE_BOROUGH_ALLOCATIONS)
def from_formula():
    if ActionForm().validate_on_submit():
        try:
            taken = take_from_published_version(_actor())
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(
                f"{taken.added} allocations taken from “{taken.version_title}”; "
                f"{taken.kept} that already existed were kept as they were.",
                "success",
            )
    return redirect(url_for(".allocations"))


def _years() -> list[int]:
    current = financial_year_start(today())
    return list(range(current - 1, current + 4))


@plans.route("/staff/boroughs/allocations/new", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_BOROUGH_ALLOCATIONS)
def new_allocation():
    form = AllocationForm.build(
        queries.fetch_lcpf_boroughs(), _years(), formdata=request.form if request.method == "POST" else None
    )
    if form.validate_on_submit():
        try:
            allocation = create_allocation(form.details(), _actor())
        except DomainError as error:
            form.show_error(error)
        else:
            flash(f"Allocation to {allocation.local_authority.name} created. Record when it is confirmed.", "success")
            return redirect(url_for(".allocation", allocation_id=allocation.id))
    return render_template("boroughs/new_allocation.html", form=form)


@plans.route("/staff/boroughs/allocations/<int:allocation_id>")
@permission_required(Permission.MANAGE_BOROUGH_ALLOCATIONS)
@loads("allocation", queries.fetch_allocation)
def allocation(allocation: BoroughAllocation):
    return _allocation_page(allocation, ConfirmForm(formdata=None))


def _allocation_page(allocation, form):
    return render_template(
        "boroughs/staff_allocation.html",
        allocation=allocation,
        council=queries.fetch_council_for(allocation.local_authority_id),
        form=form,
        today=today(),
    )


@plans.route("/staff/boroughs/allocations/<int:allocation_id>/confirm", methods=["POST"])
@permission_required(Permission.MANAGE_BOROUGH_ALLOCATIONS)
@loads("allocation", queries.fetch_allocation)
def confirm(allocation: BoroughAllocation):
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            confirm_allocation(allocation, form.confirmed_on.data, _actor(), today())
        except DomainError as error:
            form.show_error(error)
        else:
            flash(f"Allocation to {allocation.local_authority.name} recorded as confirmed.", "success")
            return redirect(url_for(".allocation", allocation_id=allocation.id))
    return _allocation_page(allocation, form)


@plans.route("/staff/boroughs/plans")
@permission_required(Permission.REVIEW_DELIVERY_PLANS)
def staff_plans():
    status = request.args.get("status", "")
    chosen = PlanStatus(status) if status in {s.value for s in PlanStatus} else None
    return render_template(
        "boroughs/staff_plans.html", plans=queries.fetch_plans(chosen), status=chosen, statuses=list(PlanStatus)
    )


def _review_page(plan, form):
    instalments = queries.fetch_plan_instalments(plan)
    return render_template(
        "boroughs/staff_plan.html",
        plan=plan,
        allocations=queries.allocations_by_year(plan),
        instalments=instalments,
        blockers={i.id: release_blocker(i) for i in instalments},
        may_pay=can(current_user, Permission.MANAGE_PAYMENTS, plan),
        form=form,
        action_form=ActionForm(),
    )


@plans.route("/staff/boroughs/plans/<int:plan_id>", methods=["GET", "POST"])
@permission_required(Permission.REVIEW_DELIVERY_PLANS)
@loads("plan", queries.fetch_plan)
def staff_plan(plan: DeliveryPlan):
    form = DecisionForm(formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        try:
            if form.approve.data:
                approve_plan(plan, form.comment.data or "", _actor(), today())
                flash(f"{plan.organisation.name}'s delivery plan approved.", "success")
            else:
                query_plan(plan, form.comment.data or "", _actor())
                flash(f"{plan.organisation.name}'s delivery plan sent back with your comments.", "success")
        except DomainError as error:
            form.show_error(error)
        else:
            return redirect(url_for(".staff_plan", plan_id=plan.id))
    return _review_page(plan, form)


@plans.route("/staff/boroughs/plans/<int:plan_id>/payments/<int:instalment_id>/release", methods=["POST"])
@permission_required(Permission.MANAGE_PAYMENTS)
@recent_authentication_required()
@loads("plan", queries.fetch_plan)
@loads("instalment", queries.fetch_instalment, within="plan")
def release(plan: DeliveryPlan, instalment: PlanInstalment):
    if ActionForm().validate_on_submit():
        try:
            released = release_instalment(instalment, _actor())
        except DomainError as error:
            flash(error.message, "error")
        else:
            what = f"{instalment.label} payment to {plan.organisation.name}"
            flash(f"The {what} is released." if released else f"The {what} was already released.", "success")
    return redirect(url_for(".staff_plan", plan_id=plan.id))


@plans.route("/staff/boroughs/plans/<int:plan_id>/payments/<int:instalment_id>/paid", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_PAYMENTS)
@recent_authentication_required()
@loads("plan", queries.fetch_plan)
@loads("instalment", queries.fetch_instalment, within="plan")
def record_paid(plan: DeliveryPlan, instalment: PlanInstalment):
    form = PaymentForm(formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        try:
            recorded = record_payment(instalment, form.payment(), _actor())
        except DomainError as error:
            form.show_error(error)
        else:
            what = f"{instalment.label} payment to {plan.organisation.name}"
            flash(f"The {what} is recorded as paid." if recorded else f"The {what} was already paid.", "success")
            return redirect(url_for(".staff_plan", plan_id=plan.id))
    return render_template("boroughs/record_paid.html", plan=plan, instalment=instalment, form=form)
