"""The board's pages: its allocations with what remains, each allocation's drawdowns, and the request form."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.drawdowns import queries
from portal.drawdowns.forms import drawdown_form
from portal.drawdowns.requests import request_drawdown
from portal.drawdowns.views import drawdowns, with_board, with_board_allocation, with_drawdown
from portal.errors import DomainError
from portal.models import Allocation, Drawdown, Organisation
from portal.permissions import Permission, can, permission_required


@drawdowns.route("/organisations/<int:organisation_id>/allocations")
@permission_required(Permission.VIEW_ALLOCATION)
@with_board
def board_allocations(board: Organisation):
    allocations = queries.fetch_board_allocations(board)
    return render_template(
        "drawdowns/board_allocations.html",
        board=board,
        allocations=allocations,
        amounts=queries.fetch_amounts([a.id for a in allocations]),
    )


@drawdowns.route("/organisations/<int:organisation_id>/allocations/<int:allocation_id>")
@permission_required(Permission.VIEW_ALLOCATION)
@with_board
@with_board_allocation
def board_allocation(board: Organisation, allocation: Allocation):
    return render_template(
        "drawdowns/board_allocation.html",
        allocation=allocation,
        amounts=queries.fetch_amounts_of(allocation),
        may_request=allocation.is_issued and can(current_user, Permission.REQUEST_DRAWDOWN, allocation),
    )


@drawdowns.route(
    "/organisations/<int:organisation_id>/allocations/<int:allocation_id>/drawdowns/new", methods=["GET", "POST"]
)
@permission_required(Permission.REQUEST_DRAWDOWN)
@with_board
@with_board_allocation
def request_form(board: Organisation, allocation: Allocation):
    form = drawdown_form(formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        try:
            drawdown = request_drawdown(allocation.id, form.details(), current_user._get_current_object())
        except DomainError as error:
            form.show_error(error)
        else:
            flash("Drawdown requested. We will email the board when an officer decides.", "success")
            return redirect(
                url_for(
                    ".board_drawdown",
                    organisation_id=board.id,
                    allocation_id=allocation.id,
                    drawdown_id=drawdown.id,
                )
            )
    allocation = queries.fetch_allocation(allocation.id)
    return render_template(
        "drawdowns/request.html", allocation=allocation, amounts=queries.fetch_amounts_of(allocation), form=form
    )


@drawdowns.route("/organisations/<int:organisation_id>/allocations/<int:allocation_id>/drawdowns/<int:drawdown_id>")
@permission_required(Permission.VIEW_ALLOCATION)
@with_board
@with_board_allocation
@with_drawdown
def board_drawdown(board: Organisation, allocation: Allocation, drawdown: Drawdown):
    return render_template("drawdowns/board_drawdown.html", allocation=allocation, drawdown=drawdown)
