"""The borough council's pages: its allocations and plans, each plan's projects, submitting and varying it."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.boroughs import queries
from portal.boroughs.forms import ActionForm, SubmitForm, VariationForm, project_form
from portal.boroughs.plan_views import plans, with_council, with_council_plan, with_plan_project
from portal.boroughs.plans import remove_project, save_project, start_plan, start_variation, submit_plan
from portal.errors import DomainError
from portal.models import DeliveryPlan, Organisation, PlanProject, PlanStatus
from portal.permissions import Permission, can, check, permission_required


def _actor():
    return current_user._get_current_object()


@plans.route("/organisations/<int:organisation_id>/delivery-plans")
@permission_required(Permission.VIEW_DELIVERY_PLAN)
@with_council
def borough_plans(council: Organisation):
    return render_template(
        "boroughs/borough_plans.html",
        council=council,
        allocations=queries.fetch_borough_allocations(council.local_authority_id),
        plans=queries.fetch_organisation_plans(council),
        may_edit=can(current_user, Permission.EDIT_DELIVERY_PLAN, council),
        form=ActionForm(),
    )


@plans.route("/organisations/<int:organisation_id>/delivery-plans/start", methods=["POST"])
@permission_required(Permission.EDIT_DELIVERY_PLAN)
@with_council
def start(council: Organisation):
    if ActionForm().validate_on_submit():
        try:
            plan = start_plan(council, _actor())
        except DomainError as error:
            flash(error.message, "error")
        else:
            return redirect(url_for(".borough_plan", organisation_id=council.id, plan_id=plan.id))
    return redirect(url_for(".borough_plans", organisation_id=council.id))


def _plan_page(plan, submit_form=None, variation_form=None):
    return render_template(
        "boroughs/borough_plan.html",
        plan=plan,
        allocations=queries.allocations_by_year(plan),
        instalments=queries.fetch_plan_instalments(plan),
        may_edit=plan.status.editable and can(current_user, Permission.EDIT_DELIVERY_PLAN, plan),
        may_vary=plan.status is PlanStatus.APPROVED and can(current_user, Permission.EDIT_DELIVERY_PLAN, plan),
        submit_form=submit_form or SubmitForm(formdata=None),
        variation_form=variation_form or VariationForm(formdata=None),
        action_form=ActionForm(),
    )


@plans.route("/organisations/<int:organisation_id>/delivery-plans/<int:plan_id>")
@permission_required(Permission.VIEW_DELIVERY_PLAN)
@with_council
@with_council_plan
def borough_plan(council: Organisation, plan: DeliveryPlan):
    return _plan_page(plan)


@plans.route("/organisations/<int:organisation_id>/delivery-plans/<int:plan_id>/submit", methods=["POST"])
@permission_required(Permission.EDIT_DELIVERY_PLAN)
@with_council
@with_council_plan
def submit(council: Organisation, plan: DeliveryPlan):
    form = SubmitForm()
    if form.validate_on_submit():
        try:
            version = submit_plan(plan, form.response.data or "", _actor())
        except DomainError as error:
            form.show_error(error)
        else:
            what = "variation" if version.is_variation else "plan"
            flash(f"Delivery {what} submitted. We will email you when an officer has reviewed it.", "success")
            return redirect(url_for(".borough_plan", organisation_id=council.id, plan_id=plan.id))
    return _plan_page(plan, submit_form=form)


@plans.route("/organisations/<int:organisation_id>/delivery-plans/<int:plan_id>/variation", methods=["POST"])
@permission_required(Permission.EDIT_DELIVERY_PLAN)
@with_council
@with_council_plan
def vary(council: Organisation, plan: DeliveryPlan):
    form = VariationForm()
    if form.validate_on_submit():
        try:
            start_variation(plan, form.reason.data or "", _actor())
        except DomainError as error:
            form.show_error(error)
        else:
            flash("Variation started. Change the projects, then submit the plan for an officer to approve.", "success")
            return redirect(url_for(".borough_plan", organisation_id=council.id, plan_id=plan.id))
    return _plan_page(plan, variation_form=form)


@plans.route("/organisations/<int:organisation_id>/delivery-plans/<int:plan_id>/projects/new", methods=["GET", "POST"])
@permission_required(Permission.EDIT_DELIVERY_PLAN)
@with_council
@with_council_plan
def new_project(council: Organisation, plan: DeliveryPlan):
    return _project_page(plan, None)


@plans.route(
    "/organisations/<int:organisation_id>/delivery-plans/<int:plan_id>/projects/<int:project_id>",
    methods=["GET", "POST"],
)
@permission_required(Permission.VIEW_DELIVERY_PLAN)
@with_council
@with_council_plan
@with_plan_project
def project(council: Organisation, plan: DeliveryPlan, project: PlanProject):
    if request.method == "POST":
        check(Permission.EDIT_DELIVERY_PLAN, plan)
    return _project_page(plan, project)


def _project_page(plan, project):
    form = project_form(plan, project, formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        try:
            saved = save_project(plan, project, form.details(), _actor())
        except DomainError as error:
            form.show_error(error)
        else:
            flash(f"Project “{saved.name}” saved.", "success")
            return redirect(url_for(".borough_plan", organisation_id=plan.organisation_id, plan_id=plan.id))
    return render_template(
        "boroughs/project.html",
        plan=plan,
        project=project,
        form=form,
        allocations=queries.allocations_by_year(plan),
        may_edit=plan.status.editable and can(current_user, Permission.EDIT_DELIVERY_PLAN, plan),
    )


@plans.route(
    "/organisations/<int:organisation_id>/delivery-plans/<int:plan_id>/projects/<int:project_id>/remove",
    methods=["POST"],
)
@permission_required(Permission.EDIT_DELIVERY_PLAN)
@with_council
@with_council_plan
@with_plan_project
def remove(council: Organisation, plan: DeliveryPlan, project: PlanProject):
    if ActionForm().validate_on_submit():
        try:
            remove_project(plan, project, _actor())
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(f"Project “{project.name}” removed from the plan.", "success")
    return redirect(url_for(".borough_plan", organisation_id=council.id, plan_id=plan.id))
