"""Quarterly returns on plan projects: the council fills them in; officers accept or query them. The forms, the
saving, the states and the ratings are the award returns' own (``portal.monitoring``)."""

from flask import render_template, request, url_for
from flask_login import current_user

from portal.boroughs import queries
from portal.boroughs import returns as plan_returns
from portal.boroughs.plan_views import plans, with_council, with_council_plan
from portal.models import DeliveryPlan, Organisation, PlanStatus, Return, ReturnStatus
from portal.monitoring.forms import ActionForm, QueryForm, return_form
from portal.monitoring.performance import profile_pence
from portal.monitoring.returns import today
from portal.monitoring.review import may_fill_in
from portal.monitoring.review_views import accept_return_from_form, query_return_from_form, save_return_from_form
from portal.moved import redirect_moved
from portal.permissions import Permission, can, check, loads, permission_required


def plan_of(return_: Return) -> int | None:
    """The delivery plan a return is on (through its project), or None for an award's return."""
    return return_.plan_project.plan_id if return_.plan_project is not None else None


@plans.route("/organisations/<int:organisation_id>/delivery-plans/<int:plan_id>/returns")
@permission_required(Permission.VIEW_DELIVERY_PLAN)
@with_council
@with_council_plan
def borough_returns(council: Organisation, plan: DeliveryPlan):
    return render_template(
        "boroughs/borough_returns.html", plan=plan, returns=plan_returns.fetch_plan_returns(plan), today=today()
    )


@plans.route(
    "/organisations/<int:organisation_id>/delivery-plans/<int:plan_id>/returns/<int:return_id>",
    methods=["GET", "POST"],
)
@permission_required(Permission.VIEW_DELIVERY_PLAN)
@with_council
@with_council_plan
@loads("return_", Return, parameter="return_id", within=("plan", plan_of))
def borough_return(council: Organisation, plan: DeliveryPlan, return_: Return):
    project = return_.plan_project
    measures = list(project.measures)
    may_edit = (
        plan.approved_at is not None
        and may_fill_in(return_, today())
        and can(current_user, Permission.EDIT_DELIVERY_PLAN, plan)
    )
    form = return_form(return_, measures, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST":
        check(Permission.EDIT_DELIVERY_PLAN, plan)
        done = url_for(".borough_returns", organisation_id=council.id, plan_id=plan.id)
        if saved := save_return_from_form(
            return_, form, measures, name=f"Return {return_.label} for {project.name}", submitted_url=done
        ):
            return saved
    return render_template(
        "boroughs/return_form.html",
        plan=plan,
        project=project,
        return_=return_,
        measures=measures,
        form=form,
        may_edit=may_edit,
        record=plan_returns.fetch_record(return_),
        today=today(),
    )


@plans.route("/staff/boroughs/returns")
@permission_required(Permission.REVIEW_RETURNS)
def staff_returns():
    show = request.args.get("show", "open")
    show = show if show in plan_returns.SHOW else "open"
    return render_template(
        "boroughs/staff_returns.html",
        page=plan_returns.fetch_borough_returns(show, request.args.get("page", 1, type=int), today()),
        show=show,
        shows=plan_returns.SHOW,
        today=today(),
    )


# A borough's plan project return lives under its delivery plan, as the council sees it:
# /staff/boroughs/plans/<plan>/returns/<return>. An award's return is not one of these (404).
PLAN_RETURN = "/staff/boroughs/plans/<int:plan_id>/returns/<int:return_id>"
with_plan = loads("plan", queries.fetch_plan)
with_plan_return = loads("return_", Return, parameter="return_id", within=("plan", plan_of))


def _review_page(return_, query_form):
    plan = return_.plan_project.plan
    return render_template(
        "boroughs/staff_return.html",
        return_=return_,
        project=return_.plan_project,
        plan=plan,
        measures=list(return_.plan_project.measures),
        record=plan_returns.fetch_record(return_),
        profile=profile_pence(return_),
        action_form=ActionForm(),
        query_form=query_form,
        can_review=return_.status is ReturnStatus.SUBMITTED and plan.status is not PlanStatus.DRAFT,
    )


@plans.route(PLAN_RETURN)
@permission_required(Permission.REVIEW_RETURNS)
@with_plan
@with_plan_return
def staff_return(plan: DeliveryPlan, return_: Return):
    return _review_page(return_, QueryForm(formdata=None))


@plans.route(f"{PLAN_RETURN}/accept", methods=["POST"])
@permission_required(Permission.REVIEW_RETURNS)
@with_plan
@with_plan_return
def accept(plan: DeliveryPlan, return_: Return):
    return accept_return_from_form(return_, back=url_for(".staff_return", plan_id=plan.id, return_id=return_.id))


@plans.route(f"{PLAN_RETURN}/query", methods=["POST"])
@permission_required(Permission.REVIEW_RETURNS)
@with_plan
@with_plan_return
def query(plan: DeliveryPlan, return_: Return):
    return query_return_from_form(
        return_,
        to="the borough",
        back=url_for(".staff_return", plan_id=plan.id, return_id=return_.id),
        page=lambda form: _review_page(return_, form),
    )


# The old flat addresses, /staff/boroughs/returns/<return>[/accept|/query], redirect to the return's plan.
for _endpoint, _suffix in (("staff_return", ""), ("accept", "/accept"), ("query", "/query")):
    redirect_moved(
        plans,
        f"/staff/boroughs/returns/<int:return_id>{_suffix}",
        _endpoint,
        permission=Permission.REVIEW_RETURNS,
        load=loads("return_", Return, parameter="return_id", where=lambda return_: return_.plan_project is not None),
        address=lambda return_: {"plan_id": plan_of(return_), "return_id": return_.id},
        methods=["POST"] if _suffix else ["GET"],
    )
