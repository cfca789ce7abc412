"""Drawdowns: Safer Neighbourhood Boards see their allocations and request drawdowns; officers allocate, issue,
decide, record payments and watch turnaround.

Routes live in modules that share this blueprint and its loaders: ``board_views`` (the board) and
``staff_views`` (officers).
"""

from flask import Blueprint

from portal.drawdowns import queries
from portal.models import OrganisationType
from portal.periods import financial_year_label
from portal.permissions import loads

drawdowns = Blueprint("drawdowns", __name__)


@drawdowns.app_template_filter("financial_year")
def financial_year_filter(start_year: int) -> str:
    """``2026`` → ``2026/27``."""
    return financial_year_label(start_year)


# A Safer Neighbourhood Board the user may act for (other organisations have no allocations: 404), this board's
# allocation (another board's is 404: its existence is private) and a drawdown on that allocation.
with_board = loads(
    "board",
    queries.fetch_organisation,
    parameter="organisation_id",
    where=lambda organisation: organisation.organisation_type is OrganisationType.SNB,
)
with_board_allocation = loads("allocation", queries.fetch_allocation, within=("board", "organisation_id"), checked=True)
with_drawdown = loads("drawdown", queries.fetch_drawdown, within="allocation")
# For officers: any allocation.
with_allocation = loads("allocation", queries.fetch_allocation)


from portal.drawdowns import board_views, staff_views  # noqa: E402, F401  (routes on this blueprint)
