"""Reminders about follow-ups, on the same days as returns' reminders and with the same guarantee: each is a
``FollowUpReminderSent`` row, unique per follow-up, kind and due date, inserted before its emails are queued in the
same transaction, so two runs (or two workers) never send the same reminder twice."""

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portal.dialogue.follow_ups import NOT_YET_SUBMITTED
from portal.email.outbox import queue_email
from portal.extensions import db
from portal.models import Award, AwardStatus, FollowUpReminderSent, FollowUpReturn, ReminderKind
from portal.monitoring.reminders import REMIND_DAYS_BEFORE, kinds_due
from portal.template_helpers import external_url


def fetch_open_follow_ups_due_by(day: date) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(FollowUpReturn.id)
            .join(FollowUpReturn.award)
            .where(
                Award.status == AwardStatus.APPROVED,
                FollowUpReturn.status.in_(NOT_YET_SUBMITTED),
                FollowUpReturn.due_on <= day,
            )
            .order_by(FollowUpReturn.id)
        )
    )


def _recipients(follow_up: FollowUpReturn, kind: ReminderKind) -> list[str]:
    award = follow_up.award
    if kind is ReminderKind.ESCALATED:
        officer = award.approved_by or award.created_by
        return [officer.email] if officer else []
    return sorted(m.user.email for m in award.organisation.memberships if m.user.email_confirmed_at)


def _link(follow_up: FollowUpReturn, kind: ReminderKind) -> str:
    if kind is ReminderKind.ESCALATED:
        return external_url("dialogue.review_follow_up", follow_up_id=follow_up.id)
    return external_url(
        "dialogue.organisation_follow_up",
        organisation_id=follow_up.award.organisation_id,
        award_id=follow_up.award_id,
        follow_up_id=follow_up.id,
    )


def send_follow_up_reminders(today: date) -> int:
    """Send every follow-up reminder that is due and has not been sent. Returns how many were sent."""
    sent = 0
    for follow_up_id in fetch_open_follow_ups_due_by(today + timedelta(days=REMIND_DAYS_BEFORE)):
        follow_up = db.session.get(FollowUpReturn, follow_up_id)
        for kind in kinds_due(follow_up.due_on, today):
            addresses = _recipients(follow_up, kind)
            if not addresses:
                continue
            try:
                with db.session.begin_nested():
                    db.session.add(FollowUpReminderSent(follow_up_id=follow_up.id, kind=kind, due_on=follow_up.due_on))
            except IntegrityError:
                continue  # already sent for this due date, by an earlier run or by another worker right now
            link = _link(follow_up, kind)
            for address in addresses:
                queue_email(address, f"follow_up_{kind.value}", follow_up=follow_up, award=follow_up.award, link=link)
            sent += 1
        db.session.commit()
    return sent
