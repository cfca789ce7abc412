"""Factories for allocations and drawdowns, committed. They write rows directly (no emails, no audit events)."""

from datetime import UTC, date, datetime, time

from portal.extensions import db
from portal.models import Allocation, Drawdown, DrawdownProject, DrawdownStatus, Fund, Organisation, OrganisationType
from tests.factories import create_member, create_organisation
from tests.factories_funding import create_fund


def create_board(borough: str = "Lambeth", **member_fields):
    """A verified Safer Neighbourhood Board for ``borough`` and its owner."""
    board = create_organisation(
        f"{borough} Safer Neighbourhood Board", organisation_type=OrganisationType.SNB, borough=borough
    )
    return board, create_member(board, **member_fields)


def create_allocation(
    board: Organisation,
    *,
    fund: Fund | None = None,
    financial_year: int = 2026,
    amount_pence: int = 50_000_00,
    issue_by: date | None = None,
    issued_on: date | None = date(2026, 3, 20),
) -> Allocation:
    allocation = Allocation(
        fund=fund or create_fund("Safer Neighbourhood Board fund", code="SNB"),
        organisation=board,
        financial_year=financial_year,
        amount_pence=amount_pence,
        issue_by=issue_by or date(financial_year, 3, 31),
        issued_on=issued_on,
    )
    db.session.add(allocation)
    db.session.commit()
    return allocation


def at_noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def create_drawdown(
    allocation: Allocation,
    amount_pence: int = 10_000_00,
    *,
    status: DrawdownStatus = DrawdownStatus.REQUESTED,
    requested_on: date = date(2026, 6, 1),
    decided_on: date | None = None,
    paid_on: date | None = None,
) -> Drawdown:
    drawdown = Drawdown(
        allocation=allocation,
        amount_pence=amount_pence,
        purpose="Street safety audits",
        status=status,
        requested_at=at_noon(requested_on),
        decided_at=at_noon(decided_on) if decided_on else None,
        refusal_reason="Not in the board's plan" if status is DrawdownStatus.REFUSED else None,
        paid_on=paid_on,
        payment_reference="BACS-1" if paid_on else None,
        projects=[DrawdownProject(name="Audits", description="Walkabouts", amount_pence=amount_pence)],
    )
    db.session.add(drawdown)
    db.session.commit()
    return drawdown
