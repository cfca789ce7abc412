"""Officers allocate money to Safer Neighbourhood Boards, one allocation per board per fund per financial year,
and record when each allocation is issued: after its issue-by date it was issued late, for everyone to see."""

from dataclasses import dataclass
from datetime import date, timedelta

from portal import audit
from portal.allocations import check_reached_on, terms_problems
from portal.database import commit_or_refuse
from portal.drawdowns import queries
from portal.email.outbox import queue_email
from portal.errors import DomainError, raise_if_any
from portal.extensions import db
from portal.models import Allocation, Fund, Organisation, OrganisationType, User
from portal.periods import financial_year_bounds, financial_year_label
from portal.template_helpers import external_url, format_pence


def default_issue_by(financial_year: int) -> date:
    """Boards need their money before the year starts: the day before 1 April."""
    return financial_year_bounds(financial_year)[0] - timedelta(days=1)


@dataclass
class AllocationDetails:
    fund_id: int | None
    organisation_id: int | None
    financial_year: int | None
    amount_pence: int | None
    issue_by: date | None = None


def create_allocation(details: AllocationDetails, actor: User) -> Allocation:
    errors: list[DomainError] = []
    fund = db.session.get(queries.Fund, details.fund_id) if details.fund_id else None
    board = queries.fetch_organisation(details.organisation_id) if details.organisation_id else None
    if fund is None:
        errors.append(DomainError("Select the fund the money comes from", "fund"))
    if board is None or board.organisation_type is not OrganisationType.SNB:
        errors.append(DomainError("Select the Safer Neighbourhood Board", "board"))
    errors += terms_problems(
        details.financial_year, details.amount_pence, details.issue_by, deadline_name="issue-by", field="issue_by"
    )
    raise_if_any(errors)
    assert fund is not None and board is not None and details.financial_year is not None  # raised above otherwise
    if queries.fetch_allocation_for(fund.id, board.id, details.financial_year):
        raise_if_any([_duplicate(fund, board, details.financial_year)])

    allocation = Allocation(
        fund=fund,
        organisation=board,
        financial_year=details.financial_year,
        amount_pence=details.amount_pence,
        issue_by=details.issue_by or default_issue_by(details.financial_year),
        created_by=actor,
    )
    # Another officer may have made the same allocation a moment ago: then the unique constraint refuses this one.
    with commit_or_refuse(_duplicate(fund, board, details.financial_year)):
        db.session.add(allocation)
        audit.record(
            "allocation.created",
            allocation,
            after={
                "fund_id": fund.id,
                "financial_year": allocation.financial_year,
                "amount_pence": allocation.amount_pence,
                "issue_by": allocation.issue_by,
            },
            organisation_id=board.id,
            actor=actor,
        )
    return allocation


def _duplicate(fund: Fund, board: Organisation, financial_year: int) -> DomainError:
    return DomainError(
        f"{board.name} already has an allocation from {fund.name} for {financial_year_label(financial_year)}",
        "financial_year",
    )


def issue_allocation(allocation: Allocation, issued_on: date | None, actor: User, today: date) -> Allocation:
    """Record that the allocation was issued to the board, and tell the board. Late if after the issue-by date."""
    issued_on = check_reached_on(allocation.issued_on, issued_on, today, verb="issued", field="issued_on")
    allocation.issued_on, allocation.issued_by = issued_on, actor
    audit.record(
        "allocation.issued",
        allocation,
        before={"issued_on": None},
        after={"issued_on": issued_on, "issue_by": allocation.issue_by, "late": allocation.issued_late},
        organisation_id=allocation.organisation_id,
        actor=actor,
    )
    link = external_url(
        "drawdowns.board_allocation", organisation_id=allocation.organisation_id, allocation_id=allocation.id
    )
    for member in queries.board_members(allocation.organisation_id):
        queue_email(
            member.email,
            "allocation_issued",
            allocation=allocation,
            year=financial_year_label(allocation.financial_year),
            amount=format_pence(allocation.amount_pence),
            link=link,
        )
    db.session.commit()
    return allocation
