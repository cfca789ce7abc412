"""Statuses move only through the transitions declared here, and every move writes an audit event."""

from portal import audit
from portal.errors import DomainError
from portal.models import ApplicationStatus, User

S = ApplicationStatus

APPLICATION_TRANSITIONS: dict[tuple[ApplicationStatus, ApplicationStatus], str] = {
    (S.DRAFT, S.SUBMITTED): "application.submitted",
    (S.DRAFT, S.WITHDRAWN): "application.withdrawn",
    (S.SUBMITTED, S.WITHDRAWN): "application.withdrawn",
    (S.SUBMITTED, S.SCREENING): "application.screening_started",
    (S.SCREENING, S.IN_REVIEW): "application.review_started",
    (S.SCREENING, S.DECIDED): "application.screened_out",
    (S.IN_REVIEW, S.MODERATED): "application.moderated",
    (S.MODERATED, S.DECIDED): "application.decided",
}


def allowed_next(status: ApplicationStatus) -> list[ApplicationStatus]:
    return [to for (start, to) in APPLICATION_TRANSITIONS if start is status]


def move_application(application, to_status: ApplicationStatus, *, actor: User | None, detail: dict | None = None):
    """Move a bid to ``to_status`` if that move is declared, with an audit event. The caller commits."""
    action = APPLICATION_TRANSITIONS.get((application.status, to_status))
    if action is None:
        raise DomainError(f"A bid that is {application.status.label.lower()} cannot become {to_status.label.lower()}")
    before = application.status
    application.status = to_status
    audit.record(
        action,
        application,
        before={"status": before},
        after={"status": to_status, **(detail or {})},
        organisation_id=application.organisation_id,
        actor=actor,
    )
