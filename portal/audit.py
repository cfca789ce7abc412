"""Audit events: written in the same transaction as the change they describe."""

from typing import Any

from flask_login import current_user

from portal.extensions import db
from portal.models import AuditEvent, User


def record(
    action: str,
    subject: Any,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    organisation_id: int | None = None,
    actor: User | None = None,
) -> AuditEvent:
    """Add an audit event to the session. The caller's commit writes it together with the change."""
    # Views may hand over Flask-Login's ``current_user`` proxy; record the user it stands for.
    subject = getattr(subject, "_get_current_object", lambda: subject)()
    actor = getattr(actor, "_get_current_object", lambda: actor)()
    if actor is None and current_user and getattr(current_user, "is_authenticated", False):
        actor = current_user._get_current_object()
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
