"""What every assessment service shares: one commit that explains a clash, and the emails it sends."""

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal.email.outbox import queue_email
from portal.errors import DomainError
from portal.extensions import db
from portal.models import Application, Membership, MembershipRole, ReviewAssignment, StaffRole, User
from portal.template_helpers import external_url

CLASH = "Someone else changed this bid at the same moment. Check the page and try again."


def commit(clash_message: str = CLASH) -> None:
    """Commit the request's one transaction. Two officers acting on one bid at once cannot both win: the loser's
    changes are rolled back whole and they are told why."""
    try:
        db.session.commit()
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        raise DomainError(clash_message)


def lock_assignment(assignment: ReviewAssignment) -> None:
    """Hold the assignment's row until the commit and read it afresh, so that an officer taking a reviewer off and
    the reviewer completing their review cannot both succeed."""
    db.session.execute(sa.select(ReviewAssignment.id).where(ReviewAssignment.id == assignment.id).with_for_update())
    db.session.refresh(assignment)


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


def email_applicant(application: Application, template: str, **context) -> None:
    link = external_url("organisations.overview", organisation_id=application.organisation_id)
    for address in applicant_addresses(application):
        queue_email(address, template, application=application, link=link, **context)


def officers_to_tell(assigned_by: User | None) -> list[User]:
    """The officer who made an assignment, or every active grant officer if they have gone."""
    if assigned_by is not None and assigned_by.active and assigned_by.staff_role is StaffRole.GRANT_OFFICER:
        return [assigned_by]
    return list(
        db.session.scalars(
            sa.select(User).where(User.staff_role == StaffRole.GRANT_OFFICER, User.active.is_(True)).order_by(User.id)
        )
    )
