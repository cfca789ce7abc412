"""Audit events: written in the same transaction as the change they describe."""

from typing import Any

from portal.extensions import db
from portal.models import AuditEvent, User


def record(
    action: str,
    subject: Any,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    organisation_id: int | None = None,
    actor: User | None,
) -> AuditEvent:
    """Add an audit event to the session. The caller's commit writes it together with the change. ``actor`` is
    whoever made the change, always named by the caller: None for the portal's own work (a job, a schedule)."""
    # Views may hand over Flask-Login's ``current_user`` proxy; record the user it stands for.
    subject = getattr(subject, "_get_current_object", lambda: subject)()
    actor = getattr(actor, "_get_current_object", lambda: actor)()
    db.session.flush()  # so that a new subject has its id
    event = AuditEvent(
        action=action,
        subject_type=type(subject).__tablename__,
        subject_id=subject.id,
        organisation_id=organisation_id,
        actor_id=actor.id if actor else None,
        before=_jsonable(before),
        after=_jsonable(after),
    )
    db.session.add(event)
    return event


def _jsonable(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {
        key: value if isinstance(value, int | float | bool | type(None)) else str(value)
        for key, value in values.items()
    }
