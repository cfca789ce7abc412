"""What every assessment service shares: one commit that explains a clash, and the emails it sends."""

from typing import Any

import sqlalchemy as sa

from portal.database import commit_or_refuse, lock_row
from portal.email.outbox import queue_email
from portal.errors import DomainError
from portal.extensions import db
from portal.models import Application, Membership, MembershipRole, ReviewAssignment, StaffRole, User
from portal.permissions import Permission, roles_granting
from portal.template_helpers import external_url

CLASH = "Someone else changed this bid at the same moment. Check the page and try again."


def commit(clash_message: str = CLASH) -> None:
    """Commit the request's one transaction. Two officers acting on one bid at once cannot both win: the loser's
    changes are rolled back whole and they are told why."""
    with commit_or_refuse(clash_message):
        pass


def lock_assignment(assignment: ReviewAssignment) -> None:
    """Hold the assignment's row until the commit and read it afresh, so that an officer taking a reviewer off and
    the reviewer completing their review cannot both succeed."""
    lock_row(ReviewAssignment, assignment.id)


def require_text(value: str | None, message: str, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(message, field=field)
    return text


def applicant_addresses(application: Application) -> list[str]:
    """The bid's contact and the organisation's owners, each once."""
    addresses = []
    if application.contact_email:
        addresses.append(application.contact_email)
    owners = db.session.scalars(
        sa.select(User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organisation_id == application.organisation_id,
            Membership.role == MembershipRole.OWNER,
            User.active.is_(True),
        )
        .order_by(User.email)
    )
    addresses.extend(owners)
    seen: set[str] = set()
    unique = []
    for address in addresses:
        if address.lower() not in seen:
            seen.add(address.lower())
            unique.append(address)
    return unique


def email_applicant(application: Application, template: str, **context: Any) -> None:
    link = external_url("organisations.overview", organisation_id=application.organisation_id)
    for address in applicant_addresses(application):
        queue_email(address, template, application=application, link=link, **context)


def officers_to_tell(assigned_by: User | None) -> list[User]:
    """The officer who made an assignment, or every active officer who may assign reviewers if they have gone."""
    assigners = roles_granting(Permission.ASSIGN_REVIEWERS, StaffRole)
    if assigned_by is not None and assigned_by.active and assigned_by.staff_role in assigners:
        return [assigned_by]
    return list(
        db.session.scalars(
            sa.select(User).where(User.staff_role.in_(assigners), User.active.is_(True)).order_by(User.id)
        )
    )
