"""Demonstration personal data: an email sent long enough ago and a funding alert unsubscribed, both past their
retention periods, so that **Staff home → Retention of personal data** has something the nightly job would handle;
and an erasure request from community@ that admin@ refused, with the reason, under **Erasure requests**.

Safe to run again: each record is found by its demo address, and the refusal by its person. Only demo addresses
are touched.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa

from portal import audit
from portal.database import utcnow
from portal.demo.seed import DEMO_DOMAIN
from portal.extensions import db
from portal.models import AlertSubscription, AuditEvent, MessageStatus, OutboundMessage, User

OLD_EMAIL_TO = f"alerts.reader@{DEMO_DOMAIN}"
OLD_EMAIL_SUBJECT = "Your funding alerts are confirmed"
UNSUBSCRIBED = f"former.subscriber@{DEMO_DOMAIN}"
REFUSAL_REASON = (
    "Asked by email on 3 November to erase everything. Refused in part: the records of Tottenham Mothers Against "
    "Violence's grant are kept for 7 years after it ends (legal obligation). Their sign-in records go after a year."
)


def load(now: datetime | None = None) -> str:
    now = now or utcnow()
    admin = db.session.scalar(sa.select(User).where(User.email == f"admin@{DEMO_DOMAIN}"))
    person = db.session.scalar(sa.select(User).where(User.email == f"community@{DEMO_DOMAIN}"))
    if admin is None or person is None:
        return "Privacy demo: skipped (no admin@ or community@)."
    made = 0
    if not db.session.scalar(sa.select(OutboundMessage.id).where(OutboundMessage.to_address == OLD_EMAIL_TO)):
        sent = now - timedelta(days=120)
        db.session.add(
            OutboundMessage(
                to_address=OLD_EMAIL_TO,
                subject=OLD_EMAIL_SUBJECT,
                body="You will get an email when a funding round opens for victim support in Lewisham.",
                template="alerts_confirmed",
                status=MessageStatus.SENT,
                attempts=1,
                created_at=sent,
                sent_at=sent,
            )
        )
        made += 1
    if not db.session.scalar(sa.select(AlertSubscription.id).where(AlertSubscription.email == UNSUBSCRIBED)):
        db.session.add(
            AlertSubscription(
                email=UNSUBSCRIBED,
                created_at=now - timedelta(days=200),
                confirmed_at=now - timedelta(days=200),
                unsubscribed_at=now - timedelta(days=7),
            )
        )
        made += 1
    refused = sa.select(AuditEvent.id).where(
        AuditEvent.action == "privacy.erasure_refused",
        AuditEvent.subject_type == User.__tablename__,
        AuditEvent.subject_id == person.id,
    )
    if not db.session.scalar(refused):
        audit.record("privacy.erasure_refused", person, after={"reason": REFUSAL_REASON}, actor=admin)
        made += 1
    db.session.commit()
    return f"Privacy demo: {made} records made."
