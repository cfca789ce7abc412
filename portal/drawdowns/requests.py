"""A board requests drawdowns against an issued allocation; officers approve or refuse them, then record payment.

Never beyond what remains: the allocation's row is locked before what remains is worked out, so two requests
made at the same moment are taken one after the other and the second sees the first.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from portal import audit
from portal.database import lock_row, utcnow
from portal.drawdowns import queries
from portal.drawdowns.turnaround import local_date
from portal.drawdowns.workflow import move_drawdown
from portal.email.outbox import queue_email
from portal.errors import DomainError, raise_if_any
from portal.extensions import db
from portal.models import Allocation, Drawdown, DrawdownProject, DrawdownStatus, User
from portal.periods import financial_year_label
from portal.template_helpers import external_url, format_date, format_pence


@dataclass
class ProjectDetails:
    name: str = ""
    description: str = ""
    amount_pence: int | None = None

    @property
    def is_blank(self) -> bool:
        return not self.name.strip() and not self.description.strip() and self.amount_pence is None


@dataclass
class DrawdownDetails:
    amount_pence: int | None
    purpose: str
    projects: list[ProjectDetails] = field(default_factory=list)
    submission_key: str | None = None


@contextmanager
def _locked(allocation_id: int) -> Iterator[Allocation | None]:
    """Hold the allocation's lock; a rule broken while holding it ends the transaction, which frees the lock."""
    allocation = lock_row(Allocation, allocation_id)
    try:
        yield allocation
    except DomainError:
        db.session.rollback()
        raise


def _check_details(details: DrawdownDetails) -> list[ProjectDetails]:
    errors = []
    if details.amount_pence is None:
        errors.append(DomainError("Enter the amount you are asking for", "amount"))
    elif details.amount_pence <= 0:
        errors.append(DomainError("The amount you are asking for must be more than £0", "amount"))
    if not details.purpose.strip():
        errors.append(DomainError("Describe what the money is for", "purpose"))
    projects = [(number, p) for number, p in enumerate(details.projects, start=1) if not p.is_blank]
    if not projects:
        errors.append(DomainError("Give at least one local project the money will fund", "project_1_name"))
    for number, project in projects:
        amount_field = f"project_{number}_amount"
        if not project.name.strip():
            errors.append(DomainError(f"Enter the name of project {number}", f"project_{number}_name"))
        if not project.description.strip():
            errors.append(DomainError(f"Describe project {number}", f"project_{number}_description"))
        if project.amount_pence is None:
            errors.append(DomainError(f"Enter how much of the money goes to project {number}", amount_field))
        elif project.amount_pence <= 0:
            errors.append(DomainError(f"The amount for project {number} must be more than £0", amount_field))
    amounts = [p.amount_pence or 0 for _, p in projects]
    if not errors and sum(amounts) != details.amount_pence:
        errors.append(
            DomainError(
                f"The projects' amounts add up to {format_pence(sum(amounts))}: they must add up to the amount you "
                f"are asking for, {format_pence(details.amount_pence)}",
                "amount",
            )
        )
    raise_if_any(errors)
    return [p for _, p in projects]


def request_drawdown(allocation_id: int, details: DrawdownDetails, actor: User) -> Drawdown:
    """Ask for part of an issued allocation, never more than remains. Sending the same form twice makes one request."""
    if details.submission_key:
        already = queries.fetch_drawdown_by_submission_key(details.submission_key)
        if already is not None and already.allocation_id == allocation_id:
            return already
    projects = _check_details(details)

    with _locked(allocation_id) as allocation:
        if allocation is None:
            raise DomainError("This allocation no longer exists")
        if not allocation.is_issued:
            raise DomainError("You can ask for money from this allocation once it has been issued to you")
        remaining = queries.fetch_amounts_of(allocation).remaining
        assert details.amount_pence is not None  # _check_details refused a missing amount
        if details.amount_pence > remaining:
            message = (
                f"You can ask for at most {format_pence(remaining)}, what remains of this allocation"
                if remaining > 0
                else "Nothing remains of this allocation to ask for"
            )
            raise DomainError(message, "amount")

        drawdown = Drawdown(
            allocation=allocation,
            amount_pence=details.amount_pence,
            purpose=details.purpose.strip(),
            status=DrawdownStatus.REQUESTED,
            submission_key=details.submission_key or None,
            requested_by=actor,
            requested_at=utcnow(),
            projects=[
                DrawdownProject(name=p.name.strip(), description=p.description.strip(), amount_pence=p.amount_pence)
                for p in projects
            ],
        )
        db.session.add(drawdown)
        audit.record(
            "drawdown.requested",
            drawdown,
            after={
                "status": DrawdownStatus.REQUESTED,
                "amount_pence": drawdown.amount_pence,
                "remaining_pence": remaining,
            },
            organisation_id=allocation.organisation_id,
            actor=actor,
        )
        db.session.commit()
    return drawdown


@contextmanager
def _locked_drawdown(drawdown_id: int) -> Iterator[Drawdown]:
    drawdown = queries.fetch_drawdown(drawdown_id)
    if drawdown is None:
        raise DomainError("This drawdown no longer exists")
    with _locked(drawdown.allocation_id):
        drawdown = db.session.get(Drawdown, drawdown_id, populate_existing=True)
        if drawdown is None:
            raise DomainError("This drawdown no longer exists")
        yield drawdown


def decide_drawdown(drawdown_id: int, approve: bool, reason: str, actor: User) -> Drawdown:
    """Approve a requested drawdown, or refuse it with a reason (which frees its amount). The board is told."""
    reason = (reason or "").strip()
    if not approve and not reason:
        raise DomainError("Enter the reason for refusing the drawdown: the board will see it", "reason")
    with _locked_drawdown(drawdown_id) as drawdown:
        # The decision's details first: moving the status writes the audit event, which sends the row to the database.
        drawdown.decided_at, drawdown.decided_by = utcnow(), actor
        drawdown.refusal_reason = None if approve else reason
        move_drawdown(
            drawdown,
            DrawdownStatus.APPROVED if approve else DrawdownStatus.REFUSED,
            actor=actor,
            detail={"amount_pence": drawdown.amount_pence, **({} if approve else {"reason": reason})},
        )
        _tell_the_board(drawdown, "drawdown_decided")
        db.session.commit()
    return drawdown


def record_payment(drawdown_id: int, paid_on: date | None, reference: str, actor: User, today: date) -> Drawdown:
    """Record that an approved drawdown has been paid. The board is told."""
    reference = (reference or "").strip()
    errors = []
    if paid_on is None:
        errors.append(DomainError("Enter the date the drawdown was paid", "paid_on"))
    elif paid_on > today:
        errors.append(DomainError("The date paid must be today or in the past", "paid_on"))
    if not reference:
        errors.append(DomainError("Enter the payment reference", "reference"))
    raise_if_any(errors)
    assert paid_on is not None  # a missing date is one of the errors raised above
    with _locked_drawdown(drawdown_id) as drawdown:
        drawdown.paid_on, drawdown.payment_reference, drawdown.payment_recorded_by = paid_on, reference, actor
        move_drawdown(
            drawdown,
            DrawdownStatus.PAID,
            actor=actor,
            detail={"amount_pence": drawdown.amount_pence, "paid_on": paid_on, "payment_reference": reference},
        )
        assert drawdown.decided_at is not None  # only an approved drawdown can be paid
        if paid_on < local_date(drawdown.decided_at):
            raise DomainError(
                f"The date paid cannot be before the drawdown was approved, on {format_date(drawdown.decided_at)}",
                "paid_on",
            )
        _tell_the_board(drawdown, "drawdown_paid")
        db.session.commit()
    return drawdown


def _tell_the_board(drawdown: Drawdown, template: str) -> None:
    allocation = drawdown.allocation
    link = external_url(
        "drawdowns.board_drawdown",
        organisation_id=allocation.organisation_id,
        allocation_id=allocation.id,
        drawdown_id=drawdown.id,
    )
    for member in queries.board_members(allocation.organisation_id):
        queue_email(
            member.email,
            template,
            drawdown=drawdown,
            allocation=allocation,
            year=financial_year_label(allocation.financial_year),
            amount=format_pence(drawdown.amount_pence),
            link=link,
        )
