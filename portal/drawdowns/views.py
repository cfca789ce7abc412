"""Drawdowns: Safer Neighbourhood Boards see their allocations and request drawdowns; officers allocate, issue,
decide, record payments and watch turnaround.

Routes live in modules that share this blueprint and its loaders: ``board_views`` (the board) and
``staff_views`` (officers).
"""

from flask import Blueprint, abort

from portal.drawdowns import queries
from portal.models import Allocation, Drawdown, Organisation, OrganisationType
from portal.periods import financial_year_label
from portal.permissions import Permission, check

drawdowns = Blueprint("drawdowns", __name__)


@drawdowns.app_template_filter("financial_year")
def financial_year_filter(start_year: int) -> str:
    """``2026`` → ``2026/27``."""
    return financial_year_label(start_year)


def load_board(organisation_id: int, permission: Permission) -> Organisation:
    """A Safer Neighbourhood Board the user may act for. Other organisations have no allocations: 404."""
    organisation = queries.fetch_organisation(organisation_id)
    if organisation is None or organisation.organisation_type is not OrganisationType.SNB:
        abort(404)
    check(permission, organisation)
    return organisation


def load_board_allocation(organisation_id: int, allocation_id: int, permission: Permission) -> Allocation:
    """This board's allocation. Another board's is 404: its existence is private."""
    load_board(organisation_id, permission)
    allocation = queries.fetch_allocation(allocation_id)
    if allocation is None or allocation.organisation_id != organisation_id:
        abort(404)
    check(permission, allocation)
    return allocation


def load_board_drawdown(allocation: Allocation, drawdown_id: int) -> Drawdown:
    drawdown = queries.fetch_drawdown(drawdown_id)
    if drawdown is None or drawdown.allocation_id != allocation.id:
        abort(404)
    return drawdown


from portal.drawdowns import board_views, staff_views  # noqa: E402, F401  (routes on this blueprint)
