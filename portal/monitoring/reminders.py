"""Reminders about returns (on awards and on borough plan projects alike): a week before the due date, on it, the
day after it, and to the approving officer once a return is a week late.

The job may run more than once a day, or on two workers at once. Each reminder is a ``ReminderSent`` row that is
unique per return and kind, inserted before its emails are queued in the same transaction: a second insert fails,
and that reminder is skipped, so nobody gets the same reminder twice.
"""

from datetime import date, timedelta

from sqlalchemy.exc import IntegrityError

from portal.email.outbox import queue_email
from portal.extensions import db
from portal.models import ReminderKind, ReminderSent, Return
from portal.monitoring.queries import fetch_open_returns_due_by
from portal.monitoring.returns import today as london_today
from portal.template_helpers import external_url

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


def _recipients(return_: Return, kind: ReminderKind) -> list[str]:
    """The organisation's members; once a return is a week late, the officer who approved the award (or plan)."""
    if return_.award is not None:
        officer, organisation = return_.award.approved_by or return_.award.created_by, return_.award.organisation
    else:
        officer, organisation = return_.plan_project.plan.approved_by, return_.plan_project.plan.organisation
    if kind is ReminderKind.ESCALATED:
        return [officer.email] if officer else []
    return sorted(m.user.email for m in organisation.memberships if m.user.email_confirmed_at)


def send_return_reminders(today: date | None = None) -> int:
    """Send every reminder that is due and has not been sent, for returns and for follow-ups after an award has
    ended. Returns how many reminders were sent."""
    from portal.dialogue.follow_up_reminders import send_follow_up_reminders

    today = today or london_today()
    sent = 0
    return_ids = [r.id for r in fetch_open_returns_due_by(today + timedelta(days=REMIND_DAYS_BEFORE))]
    for return_id in return_ids:
        return_ = db.session.get(Return, return_id)
        for kind in kinds_due(return_.due_on, today):
            addresses = _recipients(return_, kind)
            if not addresses:
                continue
            try:
                with db.session.begin_nested():
                    db.session.add(ReminderSent(return_id=return_.id, kind=kind))
            except IntegrityError:
                continue  # already sent, by an earlier run or by another worker right now
            link = _link(return_, kind)
            for address in addresses:
                queue_email(
                    address,
                    f"return_{kind.value}",
                    return_=return_,
                    organisation_name=_organisation_name(return_),
                    link=link,
                )
            sent += 1
        db.session.commit()
    return sent + send_follow_up_reminders(today)


def _organisation_name(return_: Return) -> str:
    return (return_.award.organisation if return_.award else return_.plan_project.plan.organisation).name


def _link(return_: Return, kind: ReminderKind) -> str:
    if return_.plan_project is not None:
        if kind is ReminderKind.ESCALATED:
            return external_url("plans.staff_return", return_id=return_.id)
        return external_url(
            "plans.borough_return",
            organisation_id=return_.organisation_id,
            plan_id=return_.plan_project.plan_id,
            return_id=return_.id,
        )
    if kind is ReminderKind.ESCALATED:
        return external_url("monitoring.award", award_id=return_.award_id)
    return external_url(
        "monitoring.organisation_return",
        organisation_id=return_.award.organisation_id,
        award_id=return_.award_id,
        return_id=return_.id,
    )
