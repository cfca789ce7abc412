"""Closing an account, by its owner or by an administrator on an erasure request.

The organisation keeps what the person did for it (bids, returns, messages, decisions, payments), shown under
"Former user"; the person's name and email address are taken out of the account and out of the records that copied
them, and the account can never be signed in to again.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from portal import audit
from portal.auth import sessions
from portal.auth.passwords import verify_password
from portal.auth.services import fetch_user_by_email, record_failure
from portal.database import utcnow
from portal.errors import DomainError, raise_if_any
from portal.extensions import db
from portal.models import (
    AlertSubscription,
    Application,
    AuditEvent,
    GrantAgreement,
    Invitation,
    Membership,
    MessageStatus,
    OutboundMessage,
    RecoveryCode,
    User,
)
from portal.privacy.enforcement import REMOVED, REPLACED_NAME, scrub_person_from_audit
from portal.your_data import services as your_data

ERASURE_ACTIONS = ("privacy.erasure_carried_out", "privacy.erasure_refused")


def close_own_account(user: User, password: str) -> None:
    """Close the signed-in person's own account, once they have given their password. Cannot be undone. Commits."""
    if user.is_staff:
        raise DomainError("An administrator closes staff accounts. Ask one to do it for you", field="password")
    if not verify_password(user.password_hash, password or ""):
        record_failure(user)
        raise DomainError("Your password is not right", field="password")
    _anonymise(user)
    audit.record("privacy.account_closed", user, actor=user)
    db.session.commit()


class Decision:
    ERASE = "erase"
    REFUSE = "refuse"


def handle_erasure_request(email: str, decision: str, reason: str, *, handled_by: User) -> User:
    """Carry out or refuse a person's request to erase their account, recording the reason. Commits.

    Carrying it out cannot be undone. An administrator never erases their own account."""
    reason = (reason or "").strip()
    problems = []
    user = fetch_user_by_email(email or "")
    if user is None or user.is_closed:
        problems.append(DomainError("No open account has this email address", field="email"))
    elif decision == Decision.ERASE and user.id == handled_by.id:
        problems.append(DomainError("You cannot erase your own account. Ask another administrator", field="decision"))
    if decision not in (Decision.ERASE, Decision.REFUSE):
        problems.append(DomainError("Select whether to erase the account or refuse the request", field="decision"))
    if not reason:
        problems.append(DomainError("Enter the reason for the decision", field="reason"))
    raise_if_any(problems)
    assert user is not None  # a missing account is one of the problems raised above
    if decision == Decision.ERASE:
        _anonymise(user)
        audit.record("privacy.erasure_carried_out", user, after={"reason": reason}, actor=handled_by)
    else:
        audit.record("privacy.erasure_refused", user, after={"reason": reason}, actor=handled_by)
    db.session.commit()
    return user


@dataclass(frozen=True)
class ErasureRecord:
    at: datetime
    decision: str
    reason: str
    person: str
    handled_by: str


def fetch_erasure_records(limit: int = 50) -> list[ErasureRecord]:
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action.in_(ERASURE_ACTIONS)).order_by(AuditEvent.id.desc()).limit(limit)
    )
    records = []
    for event in events:
        person = db.session.get(User, event.subject_id)
        records.append(
            ErasureRecord(
                at=event.occurred_at,
                decision="Erased" if event.action == "privacy.erasure_carried_out" else "Refused",
                reason=(event.after or {}).get("reason", ""),
                person=person.full_name if person else REPLACED_NAME,
                handled_by=event.actor.full_name if event.actor else REPLACED_NAME,
            )
        )
    return records


def _anonymise(user: User) -> None:
    """Take the person out of the account and the records that copied their name or address. The caller commits."""
    name, email = user.full_name, user.email
    organisation_ids = [membership.organisation_id for membership in user.memberships]
    user.full_name = REPLACED_NAME
    user.email = f"former-user-{user.id}@closed.invalid"
    user.password_hash = None
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    user.sign_in_locked_until = None
    user.active = False
    user.closed_at = utcnow()
    user.session_version += 1  # signs them out everywhere
    sessions.end_all(user)
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(sa.delete(Membership).where(Membership.user_id == user.id))
    db.session.expire(user, ["memberships"])
    db.session.execute(sa.delete(Invitation).where(Invitation.email == email))
    db.session.execute(sa.delete(AlertSubscription).where(AlertSubscription.email == email))
    db.session.execute(
        sa.delete(OutboundMessage).where(
            OutboundMessage.to_address == email, OutboundMessage.status == MessageStatus.PENDING
        )
    )
    db.session.execute(
        sa.update(OutboundMessage)
        .where(OutboundMessage.to_address == email)
        .values(to_address="", subject=REMOVED, body="", last_error=None)
    )
    mentions = sa.or_(OutboundMessage.body.contains(name), OutboundMessage.subject.contains(name))
    for message in db.session.scalars(sa.select(OutboundMessage).where(mentions)):
        message.subject = message.subject.replace(name, REPLACED_NAME)
        message.body = message.body.replace(name, REPLACED_NAME)
    for application in db.session.scalars(
        sa.select(Application).where(
            sa.or_(
                Application.contact_email == email,
                # The same name in another organisation is another person.
                sa.and_(Application.contact_name == name, Application.organisation_id.in_(organisation_ids)),
            )
        )
    ):
        application.contact_name = application.contact_email = None
    db.session.execute(
        sa.update(GrantAgreement)
        .where(GrantAgreement.accepted_by_id == user.id, GrantAgreement.signatory_name == name)
        .values(signatory_name=REPLACED_NAME)
    )
    scrub_person_from_audit(name, email)
    your_data.forget_exports_about(user, email)
