"""Reminders about every kind of return (on awards, on borough plan projects and follow-ups after an award has
ended): a week before the due date, on it, the day after it, and to the responsible officer once it is a week late.

The job may run more than once a day, or on two workers at once. Each reminder is a ``ReminderSent`` row that is
unique per return, kind and due date, inserted before its emails are queued in the same transaction: a second
insert fails, and that reminder is skipped, so nobody gets the same reminder twice. When a due date moves (an
award's end date changes), the reminders for the new date are sent, once each.
"""

from datetime import date, timedelta

from sqlalchemy.exc import IntegrityError

from portal.email.outbox import queue_email
from portal.extensions import db
from portal.models import ReminderKind, ReminderSent
from portal.monitoring.kinds import KINDS, AnyReturn, ReturnKind, fetch_open_due_by
from portal.periods import today_in_london

REMIND_DAYS_BEFORE = 7
ESCALATE_AFTER_DAYS_LATE = 7


def kinds_due(due_on: date, today: date) -> list[ReminderKind]:
    """Which reminders a return not yet submitted should have had by ``today``, most recent only for the
    organisation (a job that missed a day does not send a stale "due in a week")."""
    days_left = (due_on - today).days
    if days_left > REMIND_DAYS_BEFORE:
        return []
    if days_left > 0:
        return [ReminderKind.UPCOMING]
    if days_left == 0:
        return [ReminderKind.DUE_TODAY]
    if -days_left >= ESCALATE_AFTER_DAYS_LATE:
        return [ReminderKind.OVERDUE, ReminderKind.ESCALATED]
    return [ReminderKind.OVERDUE]


def _recipients(record: AnyReturn, kind: ReminderKind) -> list[str]:
    """The organisation's confirmed members; once it is a week late, the responsible officer."""
    if kind is ReminderKind.ESCALATED:
        officer = record.responsible_officer
        return [officer.email] if officer else []
    return sorted(m.user.email for m in record.organisation.memberships if m.user.email_confirmed_at)


def send_return_reminders(today: date | None = None) -> int:
    """Send every reminder that is due and has not been sent, for every kind of return. Returns how many were
    sent."""
    today = today or today_in_london()
    return sum(_send_reminders(kind, today) for kind in KINDS)


def _send_reminders(return_kind: ReturnKind, today: date) -> int:
    sent = 0
    for record_id in fetch_open_due_by(return_kind, today + timedelta(days=REMIND_DAYS_BEFORE)):
        record: AnyReturn | None = db.session.get(return_kind.model, record_id)
        if record is None:
            continue  # gone since the list was made (a schedule that shrank took it): nothing to remind about
        for kind in kinds_due(record.due_on, today):
            addresses = _recipients(record, kind)
            if not addresses:
                continue
            try:
                with db.session.begin_nested():
                    db.session.add(
                        ReminderSent(kind=kind, due_on=record.due_on, **{return_kind.reminder_key: record.id})
                    )
            except IntegrityError:
                continue  # already sent for this due date, by an earlier run or by another worker right now
            if kind is ReminderKind.ESCALATED:
                link = return_kind.review_link(record)
            else:
                link = return_kind.organisation_link(record)
            for address in addresses:
                queue_email(
                    address, f"{return_kind.prefix}_{kind.value}", link=link, **return_kind.email_context(record)
                )
            sent += 1
        db.session.commit()
    return sent
