"""Keeping to the retention periods of :mod:`portal.privacy.retention`: find what has been kept for its whole
period, and delete it or take the personal details out of it.

Each rule says how to find the rows of one kind that have expired and still hold personal data, and what to do with
a batch of them. :func:`enforce` works batch by batch, each in its own transaction, so a failure leaves every batch
either done or untouched. A row that has been dealt with no longer matches its rule, so running twice changes
nothing the second time. :func:`report` counts what a run would handle, changing nothing.
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    AlertSubscription,
    Answer,
    Application,
    ApplicationStatus,
    AuditEvent,
    Award,
    Decision,
    DecisionOutcome,
    DialogueMessage,
    DialogueThread,
    ExportStatus,
    FollowUpReturn,
    GrantAgreement,
    Instalment,
    Invitation,
    Membership,
    MessageStatus,
    Organisation,
    OutboundMessage,
    PersonalDataExport,
    Return,
    ReturnQuery,
    UploadedFile,
    User,
    UserSession,
)
from portal.privacy import retention

log = logging.getLogger(__name__)

BATCH_SIZE = 200
REPLACED_NAME = "Former user"
REMOVED = "(removed)"
# Keys of audit events' before and after values that name or reach a person.
PERSONAL_KEYS = frozenset(
    {"email", "full_name", "name", "contact_name", "contact_email", "signatory_name", "signatory_job_title"}
)


@dataclass(frozen=True)
class Rule:
    kind: str  # a key of retention.KINDS
    what: str  # what one row is, for the report
    expired: Callable[[datetime], sa.Select]  # ids of rows past their period that still hold personal data
    apply: Callable[[list[int]], None]  # deletes or anonymises those rows; the caller commits


def _cutoff(kind: str, now: datetime) -> datetime:
    return retention.kind(kind).period.cutoff(now)


# Accounts whose email address was never confirmed.


def _unconfirmed_accounts(now: datetime) -> sa.Select:
    return sa.select(User.id).where(
        User.email_confirmed_at.is_(None),
        User.staff_role.is_(None),
        User.active.is_(True),
        User.created_at < _cutoff("unconfirmed_accounts", now),
    )


def _delete_accounts(ids: list[int]) -> None:
    """Delete the accounts, the organisations they registered that nobody else joined and nothing refers to, and
    the accounts' names and addresses from the audit trail."""
    registered = set(
        db.session.scalars(
            sa.select(AuditEvent.subject_id).where(
                AuditEvent.action == "organisation.registered", AuditEvent.actor_id.in_(ids)
            )
        )
    )
    db.session.execute(
        sa.update(AuditEvent)
        .where(AuditEvent.subject_type == User.__tablename__, AuditEvent.subject_id.in_(ids))
        .values(before=None, after=None)
    )
    for user in db.session.scalars(sa.select(User).where(User.id.in_(ids))):
        scrub_person_from_audit(user.full_name, user.email)
        db.session.delete(user)
    db.session.flush()
    for organisation in db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(registered))):
        if db.session.scalar(sa.select(Membership.id).where(Membership.organisation_id == organisation.id).limit(1)):
            continue
        try:
            with db.session.begin_nested():
                db.session.delete(organisation)
        except sa.exc.IntegrityError:
            pass  # something refers to it (a bid, say): it stays, as the organisation's record


def scrub_person_from_audit(name: str, email: str) -> None:
    """Replace a person's name and email address wherever audit events' values hold them."""
    for text in (name, email):
        pattern = json.dumps(text)[1:-1]  # as it is written inside the stored JSON
        for event in db.session.scalars(
            sa.select(AuditEvent).where(
                sa.or_(
                    sa.cast(AuditEvent.before, sa.Text).contains(pattern),
                    sa.cast(AuditEvent.after, sa.Text).contains(pattern),
                )
            )
        ):
            event.before = _replace_text(event.before, text)
            event.after = _replace_text(event.after, text)


def _replace_text(values: dict | None, text: str) -> dict | None:
    if values is None:
        return None
    return {key: value.replace(text, REMOVED) if isinstance(value, str) else value for key, value in values.items()}


# Sign-in records: the security events of the audit log and the server sessions.

SIGN_IN_ACTIONS = "auth."


def _sign_in_events(now: datetime) -> sa.Select:
    return sa.select(AuditEvent.id).where(
        AuditEvent.action.startswith(SIGN_IN_ACTIONS), AuditEvent.occurred_at < _cutoff("sign_in_events", now)
    )


def _delete_audit_events(ids: list[int]) -> None:
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id.in_(ids)))


def _old_sessions(now: datetime) -> sa.Select:
    return sa.select(UserSession.id).where(UserSession.last_seen_at < _cutoff("sign_in_events", now))


def _delete_sessions(ids: list[int]) -> None:
    db.session.execute(sa.delete(UserSession).where(UserSession.id.in_(ids)))


# Emails in the outbox.


def _emails_sent(now: datetime) -> sa.Select:
    return sa.select(OutboundMessage.id).where(
        OutboundMessage.status.in_((MessageStatus.SENT, MessageStatus.FAILED)),
        OutboundMessage.created_at < _cutoff("emails_sent", now),
        OutboundMessage.to_address != "",
    )


def _empty_emails(ids: list[int]) -> None:
    db.session.execute(
        sa.update(OutboundMessage)
        .where(OutboundMessage.id.in_(ids))
        .values(to_address="", subject=REMOVED, body="", last_error=None)
    )


# Funding alerts.


def _unsubscribed_alerts(now: datetime) -> sa.Select:
    return sa.select(AlertSubscription.id).where(
        AlertSubscription.unsubscribed_at.is_not(None),
        AlertSubscription.unsubscribed_at < _cutoff("alert_subscriptions", now),
    )


def _unconfirmed_alerts(now: datetime) -> sa.Select:
    return sa.select(AlertSubscription.id).where(
        AlertSubscription.confirmed_at.is_(None),
        AlertSubscription.unsubscribed_at.is_(None),
        AlertSubscription.created_at < _cutoff("unconfirmed_alerts", now),
    )


def _delete_alerts(ids: list[int]) -> None:
    db.session.execute(sa.delete(AlertSubscription).where(AlertSubscription.id.in_(ids)))


# Invitations.


def _old_invitations(now: datetime) -> sa.Select:
    return sa.select(Invitation.id).where(Invitation.expires_at < _cutoff("invitations", now))


def _delete_invitations(ids: list[int]) -> None:
    db.session.execute(sa.delete(Invitation).where(Invitation.id.in_(ids)))


# Downloads of a person's data: the file goes when the download expires (portal.your_data); the record of the
# request, with the person's name and address, a year after it was asked for.


def _old_data_downloads(now: datetime) -> sa.Select:
    return sa.select(PersonalDataExport.id).where(
        PersonalDataExport.requested_at < _cutoff("data_downloads", now),
        PersonalDataExport.status.not_in((ExportStatus.QUEUED, ExportStatus.PREPARING)),
    )


def _delete_data_downloads(ids: list[int]) -> None:
    db.session.execute(sa.delete(PersonalDataExport).where(PersonalDataExport.id.in_(ids)))


# Bids.


def _bid_holds_personal_data() -> sa.ColumnElement[bool]:
    return sa.or_(
        Application.contact_name.is_not(None),
        Application.contact_email.is_not(None),
        Application.summary.is_not(None),
        Application.withdrawal_reason.is_not(None),
        sa.exists().where(Answer.application_id == Application.id),
        sa.exists().where(UploadedFile.application_id == Application.id),
    )


def _unsuccessful_bids(now: datetime) -> sa.Select:
    cutoff = _cutoff("unsuccessful_bids", now)
    funded = [outcome for outcome in DecisionOutcome if outcome.funds]
    decided_long_ago = sa.and_(
        Application.status == ApplicationStatus.DECIDED,
        ~sa.exists().where(Award.application_id == Application.id),
        ~sa.exists().where(Decision.application_id == Application.id, Decision.outcome.in_(funded)),
        ~sa.exists().where(Decision.application_id == Application.id, Decision.decided_at >= cutoff),
    )
    withdrawn_long_ago = sa.and_(
        Application.status == ApplicationStatus.WITHDRAWN,
        Application.withdrawn_at < cutoff,
        ~sa.exists().where(Award.application_id == Application.id),
    )
    return sa.select(Application.id).where(sa.or_(decided_long_ago, withdrawn_long_ago), _bid_holds_personal_data())


def _empty_bids(ids: list[int]) -> None:
    db.session.execute(sa.delete(Answer).where(Answer.application_id.in_(ids)))
    db.session.execute(sa.delete(UploadedFile).where(UploadedFile.application_id.in_(ids)))
    for application in db.session.scalars(sa.select(Application).where(Application.id.in_(ids))):
        application.contact_name = application.contact_email = None
        application.summary = application.withdrawal_reason = None
    db.session.execute(sa.update(Decision).where(Decision.application_id.in_(ids)).values(decided_by_id=None))


def _unsubmitted_bids(now: datetime) -> sa.Select:
    return sa.select(Application.id).where(
        Application.status == ApplicationStatus.DRAFT, Application.updated_at < _cutoff("unsubmitted_bids", now)
    )


def _delete_bids(ids: list[int]) -> None:
    for application in db.session.scalars(sa.select(Application).where(Application.id.in_(ids))):
        db.session.delete(application)


# Funded bids and what followed them: agreements, returns, conversations, payments.

AWARD_PEOPLE = (Award.created_by_id, Award.approved_by_id, Award.second_approved_by_id, Award.withdrawn_by_id)
RETURN_NARRATIVE = (Return.progress, Return.risks, Return.issues)
FOLLOW_UP_NARRATIVE = (FollowUpReturn.funded_by, FollowUpReturn.what_changed, FollowUpReturn.lessons)
FOLLOW_UP_PEOPLE = (FollowUpReturn.submitted_by_id, FollowUpReturn.accepted_by_id)


def _funded_bids(now: datetime) -> sa.Select:
    cutoff = _cutoff("funded_bids", now).date()
    bid = aliased(Application)
    holds_personal_data = sa.or_(
        *(column.is_not(None) for column in AWARD_PEOPLE),
        sa.exists()
        .where(bid.id == Award.application_id)
        .where(
            sa.or_(
                bid.contact_name.is_not(None),
                bid.contact_email.is_not(None),
                bid.summary.is_not(None),
                sa.exists().where(Answer.application_id == bid.id),
                sa.exists().where(UploadedFile.application_id == bid.id),
                sa.exists().where(Decision.application_id == bid.id, Decision.decided_by_id.is_not(None)),
            )
        ),
        sa.exists().where(
            GrantAgreement.award_id == Award.id,
            sa.or_(GrantAgreement.signatory_name != REPLACED_NAME, GrantAgreement.accepted_by_id.is_not(None)),
        ),
        sa.exists().where(
            Return.award_id == Award.id,
            sa.or_(
                *(column.is_not(None) for column in RETURN_NARRATIVE),
                sa.and_(Return.case_study.is_not(None), Return.case_study_may_publish.is_(False)),
                Return.submitted_by_id.is_not(None),
                Return.accepted_by_id.is_not(None),
            ),
        ),
        sa.exists().where(
            FollowUpReturn.award_id == Award.id,
            sa.or_(*(column.is_not(None) for column in FOLLOW_UP_NARRATIVE + FOLLOW_UP_PEOPLE)),
        ),
        sa.exists().where(
            ReturnQuery.return_id == Return.id,
            Return.award_id == Award.id,
            sa.or_(ReturnQuery.question != REMOVED, ReturnQuery.asked_by_id.is_not(None)),
        ),
        sa.exists().where(
            ReturnQuery.follow_up_id == FollowUpReturn.id,
            FollowUpReturn.award_id == Award.id,
            sa.or_(ReturnQuery.question != REMOVED, ReturnQuery.asked_by_id.is_not(None)),
        ),
        sa.exists().where(
            Instalment.award_id == Award.id,
            sa.or_(Instalment.released_by_id.is_not(None), Instalment.paid_recorded_by_id.is_not(None)),
        ),
        sa.exists()
        .where(DialogueThread.award_id == Award.id, DialogueMessage.thread_id == DialogueThread.id)
        .where(sa.or_(DialogueMessage.author_id.is_not(None), DialogueMessage.body != REMOVED)),
    )
    return sa.select(Award.id).where(Award.end_date < cutoff, holds_personal_data)


def _empty_funded(ids: list[int]) -> None:
    bids = [
        bid
        for bid in db.session.scalars(
            sa.select(Award.application_id).where(Award.id.in_(ids), Award.application_id.is_not(None))
        )
        if bid is not None
    ]
    if bids:
        _empty_bids(bids)
    db.session.execute(sa.update(Award).where(Award.id.in_(ids)).values(dict.fromkeys(AWARD_PEOPLE)))
    db.session.execute(
        sa.update(GrantAgreement)
        .where(GrantAgreement.award_id.in_(ids))
        .values(signatory_name=REPLACED_NAME, signatory_job_title="", accepted_by_id=None)
    )
    db.session.execute(
        sa.update(Return)
        .where(Return.award_id.in_(ids))
        .values({**dict.fromkeys(RETURN_NARRATIVE), "submitted_by_id": None, "accepted_by_id": None})
    )
    db.session.execute(
        sa.update(Return)
        .where(Return.award_id.in_(ids), Return.case_study_may_publish.is_(False))
        .values(case_study=None)
    )
    db.session.execute(
        sa.update(Instalment).where(Instalment.award_id.in_(ids)).values(released_by_id=None, paid_recorded_by_id=None)
    )
    db.session.execute(
        sa.update(FollowUpReturn)
        .where(FollowUpReturn.award_id.in_(ids))
        .values(dict.fromkeys(FOLLOW_UP_NARRATIVE + FOLLOW_UP_PEOPLE))
    )
    queries = {"question": REMOVED, "answer": None, "asked_by_id": None, "answered_by_id": None}
    returns = sa.select(Return.id).where(Return.award_id.in_(ids))
    follow_ups = sa.select(FollowUpReturn.id).where(FollowUpReturn.award_id.in_(ids))
    db.session.execute(
        sa.update(ReturnQuery)
        .where(sa.or_(ReturnQuery.return_id.in_(returns), ReturnQuery.follow_up_id.in_(follow_ups)))
        .values(queries)
    )
    threads = sa.select(DialogueThread.id).where(DialogueThread.award_id.in_(ids))
    db.session.execute(
        sa.update(DialogueMessage).where(DialogueMessage.thread_id.in_(threads)).values(body=REMOVED, author_id=None)
    )


# The audit trail: kept, with the person taken out.


def _old_audit_events(now: datetime) -> sa.Select:
    return sa.select(AuditEvent.id).where(
        AuditEvent.occurred_at < _cutoff("audit_trail", now),
        AuditEvent.actor_id.is_not(None),
        ~AuditEvent.action.startswith(SIGN_IN_ACTIONS),
    )


def _anonymise_audit_events(ids: list[int]) -> None:
    for event in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.id.in_(ids))):
        event.actor_id = None
        event.before = scrub(event.before)
        event.after = scrub(event.after)


def scrub(values: dict | None) -> dict | None:
    if values is None:
        return None
    return {key: (REMOVED if key in PERSONAL_KEYS and value is not None else value) for key, value in values.items()}


RULES: tuple[Rule, ...] = (
    Rule("unconfirmed_accounts", "accounts", _unconfirmed_accounts, _delete_accounts),
    Rule("sign_in_events", "sign-in records", _sign_in_events, _delete_audit_events),
    Rule("sign_in_events", "signed-in sessions", _old_sessions, _delete_sessions),
    Rule("emails_sent", "emails", _emails_sent, _empty_emails),
    Rule("alert_subscriptions", "subscriptions", _unsubscribed_alerts, _delete_alerts),
    Rule("unconfirmed_alerts", "subscriptions", _unconfirmed_alerts, _delete_alerts),
    Rule("invitations", "invitations", _old_invitations, _delete_invitations),
    Rule("data_downloads", "downloads", _old_data_downloads, _delete_data_downloads),
    Rule("unsuccessful_bids", "bids", _unsuccessful_bids, _empty_bids),
    Rule("unsubmitted_bids", "bids", _unsubmitted_bids, _delete_bids),
    Rule("funded_bids", "awards", _funded_bids, _empty_funded),
    Rule("audit_trail", "audit events", _old_audit_events, _anonymise_audit_events),
)


@dataclass(frozen=True)
class Line:
    kind: retention.Kind
    what: str
    count: int


def report(now: datetime | None = None) -> list[Line]:
    """What a run would delete or anonymise now, per rule. Changes nothing."""
    now = now or utcnow()
    return [Line(retention.kind(rule.kind), rule.what, _count(rule.expired(now))) for rule in RULES]


def enforce(now: datetime | None = None, *, batch_size: int = BATCH_SIZE) -> list[Line]:
    """Delete or anonymise everything past its retention period, committing batch by batch. Cannot be undone.

    Returns how many rows each rule handled. Safe to run twice, and together: a second run finds nothing."""
    now = now or utcnow()
    done = []
    for rule in RULES:
        handled = 0
        while ids := list(db.session.scalars(rule.expired(now).order_by(None).limit(batch_size))):
            try:
                rule.apply(ids)
                db.session.flush()
                if set(db.session.scalars(rule.expired(now).where(_id_column(rule, now).in_(ids)))):
                    raise RuntimeError(f"retention rule {rule.kind} left rows it should have handled")
                db.session.commit()
            except Exception:
                db.session.rollback()
                raise
            handled += len(ids)
        if handled:
            log.info("Retention: %s %s %s", rule.kind, handled, rule.what)
        done.append(Line(retention.kind(rule.kind), rule.what, handled))
    return done


def _count(query: sa.Select[Any]) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0


def _id_column(rule: Rule, now: datetime) -> sa.ColumnElement[Any]:
    return rule.expired(now).selected_columns[0]
