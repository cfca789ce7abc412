"""Officers' pages: every drawdown with its turnaround, allocations and issuing them, deciding and paying."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.auth.recent import recent_authentication_required
from portal.drawdowns import queries
from portal.drawdowns.allocations import create_allocation, issue_allocation
from portal.drawdowns.forms import AllocationForm, DecisionForm, IssueForm, PaymentForm
from portal.drawdowns.requests import decide_drawdown, record_payment
from portal.drawdowns.turnaround import summarise, target_working_days, today, turnaround
from portal.drawdowns.views import drawdowns, with_allocation, with_drawdown
from portal.errors import DomainError
from portal.models import Allocation, Drawdown, DrawdownStatus
from portal.moved import redirect_moved
from portal.periods import financial_year_start
from portal.permissions import Permission, loads, permission_required


def _filters() -> queries.DrawdownFilters:
    status = request.args.get("status", "")
    sort = request.args.get("sort", "requested")
    return queries.DrawdownFilters(
        fund_id=request.args.get("fund", type=int),
        organisation_id=request.args.get("board", type=int),
        financial_year=request.args.get("year", type=int),
        status=DrawdownStatus(status) if status in {s.value for s in DrawdownStatus} else None,
        sort=sort if sort in queries.SORTS else "requested",
        order="asc" if request.args.get("order") == "asc" else "desc",
    )


@drawdowns.route("/staff/drawdowns")
@permission_required(Permission.MANAGE_DRAWDOWNS)
def index():
    filters = _filters()
    target, now = target_working_days(), today()
    page = queries.fetch_drawdowns_page(filters, request.args.get("page", 1, type=int))
    everything = queries.fetch_all_drawdowns(filters)
    allocations = [
        a
        for a in queries.fetch_allocations(filters.financial_year, filters.fund_id)
        if not filters.organisation_id or a.organisation_id == filters.organisation_id
    ]
    return render_template(
        "drawdowns/staff_index.html",
        page=page,
        filters=filters,
        turnarounds={d.id: turnaround(d, now, target) for d in page.items},
        summary=summarise((turnaround(d, now, target) for d in everything), target),
        open_over_target=sum(1 for d in everything if not (t := turnaround(d, now, target)).finished and t.over_target),
        issued_on_time=sum(1 for a in allocations if a.is_issued and not a.issued_late),
        issued_late=sum(1 for a in allocations if a.issued_late),
        not_issued=sum(1 for a in allocations if not a.is_issued),
        funds=queries.fetch_funds(),
        boards=queries.fetch_boards(),
        years=queries.fetch_allocation_years(),
        statuses=list(DrawdownStatus),
        target=target,
    )


@drawdowns.route("/staff/drawdowns/allocations")
@permission_required(Permission.MANAGE_DRAWDOWNS)
def allocations():
    year = request.args.get("year", type=int)
    fund_id = request.args.get("fund", type=int)
    found = queries.fetch_allocations(year, fund_id)
    return render_template(
        "drawdowns/staff_allocations.html",
        allocations=found,
        amounts=queries.fetch_amounts([a.id for a in found]),
        year=year,
        fund_id=fund_id,
        years=queries.fetch_allocation_years(),
        funds=queries.fetch_funds(),
        today=today(),
    )


def _years() -> list[int]:
    current = financial_year_start(today())
    return list(range(current - 1, current + 4))


@drawdowns.route("/staff/drawdowns/allocations/new", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_DRAWDOWNS)
def new_allocation():
    form = AllocationForm.build(
        queries.fetch_funds(),
        queries.fetch_boards(),
        _years(),
        formdata=request.form if request.method == "POST" else None,
    )
    if form.validate_on_submit():
        try:
            allocation = create_allocation(form.details(), current_user._get_current_object())
        except DomainError as error:
            form.show_error(error)
        else:
            flash(f"Allocation to {allocation.organisation.name} created. Record when it is issued.", "success")
            return redirect(url_for(".allocation", allocation_id=allocation.id))
    return render_template("drawdowns/new_allocation.html", form=form)


def _allocation_page(allocation, issue_form):
    target, now = target_working_days(), today()
    return render_template(
        "drawdowns/staff_allocation.html",
        allocation=allocation,
        amounts=queries.fetch_amounts_of(allocation),
        turnarounds={d.id: turnaround(d, now, target) for d in allocation.drawdowns},
        issue_form=issue_form,
        form=issue_form,
        today=now,
    )


@drawdowns.route("/staff/drawdowns/allocations/<int:allocation_id>")
@permission_required(Permission.MANAGE_DRAWDOWNS)
@with_allocation
def allocation(allocation: Allocation):
    return _allocation_page(allocation, IssueForm(formdata=None))


@drawdowns.route("/staff/drawdowns/allocations/<int:allocation_id>/issue", methods=["POST"])
@permission_required(Permission.MANAGE_DRAWDOWNS)
@with_allocation
def issue(allocation: Allocation):
    form = IssueForm()
    if form.validate_on_submit():
        try:
            issue_allocation(allocation, form.issued_on.data, current_user._get_current_object(), today())
        except DomainError as error:
            form.show_error(error)
        else:
            late = f", {allocation.days_late()} days late" if allocation.issued_late else ", on time"
            flash(f"Allocation recorded as issued{late}. The board has been emailed.", "success")
            return redirect(url_for(".allocation", allocation_id=allocation.id))
    return _allocation_page(allocation, form)


def _drawdown_page(drawdown, decision_form, payment_form):
    return render_template(
        "drawdowns/staff_drawdown.html",
        drawdown=drawdown,
        allocation=drawdown.allocation,
        amounts=queries.fetch_amounts_of(drawdown.allocation),
        turnaround=turnaround(drawdown, today(), target_working_days()),
        decision_form=decision_form,
        payment_form=payment_form,
        form=decision_form if decision_form.errors else payment_form,
    )


# A drawdown lives under the allocation it draws on, as the board sees it:
# /staff/drawdowns/allocations/<allocation>/drawdowns/<drawdown>.
ALLOCATION_DRAWDOWN = "/staff/drawdowns/allocations/<int:allocation_id>/drawdowns/<int:drawdown_id>"


@drawdowns.route(ALLOCATION_DRAWDOWN)
@permission_required(Permission.MANAGE_DRAWDOWNS)
@with_allocation
@with_drawdown
def drawdown(allocation: Allocation, drawdown: Drawdown):
    return _drawdown_page(drawdown, DecisionForm(formdata=None), PaymentForm(formdata=None))


@drawdowns.route(f"{ALLOCATION_DRAWDOWN}/decision", methods=["POST"])
@permission_required(Permission.MANAGE_DRAWDOWNS)
@recent_authentication_required()
@with_allocation
@with_drawdown
def decide(allocation: Allocation, drawdown: Drawdown):
    form = DecisionForm()
    if form.validate_on_submit():
        approve = form.decision.data == "approve"
        try:
            decide_drawdown(drawdown.id, approve, form.reason.data or "", current_user._get_current_object())
        except DomainError as error:
            form.show_error(error)
        else:
            flash(f"Drawdown {'approved' if approve else 'refused'}. The board has been emailed.", "success")
            return redirect(url_for(".drawdown", allocation_id=allocation.id, drawdown_id=drawdown.id))
    return _drawdown_page(queries.fetch_drawdown(drawdown.id), form, PaymentForm(formdata=None))


@drawdowns.route(f"{ALLOCATION_DRAWDOWN}/payment", methods=["POST"])
@permission_required(Permission.MANAGE_DRAWDOWNS)
@recent_authentication_required()
@with_allocation
@with_drawdown
def pay(allocation: Allocation, drawdown: Drawdown):
    form = PaymentForm()
    if form.validate_on_submit():
        try:
            record_payment(
                drawdown.id, form.paid_on.data, form.reference.data or "", current_user._get_current_object(), today()
            )
        except DomainError as error:
            form.show_error(error)
        else:
            flash("Payment recorded. The board has been emailed.", "success")
            return redirect(url_for(".drawdown", allocation_id=allocation.id, drawdown_id=drawdown.id))
    return _drawdown_page(queries.fetch_drawdown(drawdown.id), DecisionForm(formdata=None), form)


# The old flat addresses, /staff/drawdowns/<drawdown>[/decision|/payment], redirect to the drawdown's allocation.
for _endpoint, _suffix in (("drawdown", ""), ("decide", "/decision"), ("pay", "/payment")):
    redirect_moved(
        drawdowns,
        f"/staff/drawdowns/<int:drawdown_id>{_suffix}",
        _endpoint,
        permission=Permission.MANAGE_DRAWDOWNS,
        load=loads("drawdown", queries.fetch_drawdown),
        address=lambda drawdown: {"allocation_id": drawdown.allocation_id, "drawdown_id": drawdown.id},
        methods=["POST"] if _suffix else ["GET"],
    )
