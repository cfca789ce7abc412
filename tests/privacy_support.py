"""Records planted on both sides of every retention period, for the retention tests."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from portal.auth.tokens import new_random_token
from portal.database import utcnow
from portal.dialogue.follow_ups import sync_follow_ups
from portal.extensions import db
from portal.models import (
    AlertSubscription,
    Application,
    ApplicationStatus,
    AuditEvent,
    Decision,
    DecisionOutcome,
    ExportStatus,
    Invitation,
    MembershipRole,
    MessageStatus,
    OutboundMessage,
    PersonalDataExport,
    ReturnQuery,
    UploadedFile,
    User,
    UserSession,
)
from tests.factories import create_organisation, create_user
from tests.factories_agreements import accepted_award
from tests.factories_assessment import create_assessed_round, create_bid, create_officer, decided_bid
from tests.factories_dialogue import create_thread, follow_ups
from tests.factories_monitoring import award_returns

YEAR = timedelta(days=365)
DAY = timedelta(days=1)


@dataclass
class Planted:
    """Ids of what a retention run must handle (``expired``) and of what it must leave alone (``kept``)."""

    expired: dict[str, list[int]] = field(default_factory=dict)
    kept: dict[str, list[int]] = field(default_factory=dict)

    def add(self, expired: bool, what: str, record) -> None:
        (self.expired if expired else self.kept).setdefault(what, []).append(record.id)


def _years_ago(now: datetime, years: int) -> datetime:
    return now.replace(year=now.year - years, day=min(now.day, 28))


def plant_on_both_sides(now: datetime | None = None) -> Planted:
    now = now or utcnow()
    planted = Planted()
    officer = create_officer("Orla Officer")

    for expired, age in ((True, 31 * DAY), (False, 29 * DAY)):
        user = create_user(confirmed=False, full_name="Una Confirmed")
        user.created_at = now - age
        planted.add(expired, "unconfirmed account", user)
    old_confirmed = create_user(full_name="Carl Confirmed")
    old_confirmed.created_at = now - 5 * YEAR
    planted.add(False, "unconfirmed account", old_confirmed)

    for expired, age in ((True, YEAR + DAY), (False, YEAR - DAY)):
        planted.add(expired, "sign-in", _event(old_confirmed, "auth.signed_in", now - age, actor=old_confirmed))
        token_hash = new_random_token()[1]
        user_session = UserSession(token_hash=token_hash, user_id=old_confirmed.id, last_seen_at=now - age)
        db.session.add(user_session)
        db.session.flush()
        planted.add(expired, "session", user_session)
    planted.add(False, "audit", _event(old_confirmed, "user.password_changed", now - 2 * YEAR, actor=old_confirmed))

    for expired, age, status in (
        (True, 91 * DAY, MessageStatus.SENT),
        (True, 200 * DAY, MessageStatus.FAILED),
        (False, 89 * DAY, MessageStatus.SENT),
        (False, 200 * DAY, MessageStatus.PENDING),
    ):
        message = OutboundMessage(
            to_address="reader@example.org", subject="Hello Rita", body="Dear Rita", template="t", status=status
        )
        message.created_at = now - age
        db.session.add(message)
        db.session.flush()
        planted.add(expired, "email", message)

    for expired, created, confirmed, unsubscribed in (
        (True, now - YEAR, now - YEAR, now - DAY),
        (False, now - YEAR, now - YEAR, None),
        (True, now - 31 * DAY, None, None),
        (False, now - 29 * DAY, None, None),
    ):
        subscription = AlertSubscription(
            email="alerts@example.org", created_at=created, confirmed_at=confirmed, unsubscribed_at=unsubscribed
        )
        db.session.add(subscription)
        db.session.flush()
        planted.add(expired, "alert", subscription)

    organisation = create_organisation("Retention Trust")
    for expired, age in ((True, 91 * DAY), (False, 89 * DAY)):
        invitation = Invitation(
            organisation=organisation,
            email="invited@example.org",
            role=MembershipRole.EDITOR,
            token_hash=new_random_token()[1],
            expires_at=now - age,
        )
        db.session.add(invitation)
        db.session.flush()
        planted.add(expired, "invitation", invitation)
    for expired, age in ((True, YEAR + DAY), (False, YEAR - DAY)):
        download = PersonalDataExport(
            subject_email="asked@example.org",
            subject_name="Asha Asked",
            subject_access=True,
            reference="SAR-1",
            requested_by_id=officer.id,
            requested_at=now - age,
            status=ExportStatus.EXPIRED,
        )
        db.session.add(download)
        db.session.flush()
        planted.add(expired, "download", download)
    db.session.commit()

    round_ = create_assessed_round()
    for expired, age in ((True, 2 * YEAR + DAY), (False, 2 * YEAR - DAY)):
        declined = decided_bid(round_, officer, [], DecisionOutcome.DECLINE)
        _attach_file(declined)
        _decided_at(declined, now - age)
        planted.add(expired, "bid", declined)
        withdrawn = create_bid(round_, status=ApplicationStatus.WITHDRAWN)
        withdrawn.withdrawn_at, withdrawn.withdrawal_reason = now - age, "Our director, Wendy, left"
        planted.add(expired, "bid", withdrawn)
    funded_long_ago = decided_bid(round_, officer, [], DecisionOutcome.FUND)
    _decided_at(funded_long_ago, now - 3 * YEAR)
    planted.add(False, "bid", funded_long_ago)
    db.session.commit()

    for expired, age in ((True, 2 * YEAR + DAY), (False, 2 * YEAR - DAY)):
        draft = create_bid(round_, status=ApplicationStatus.DRAFT)
        db.session.execute(sa.update(Application).where(Application.id == draft.id).values(updated_at=now - age))
        planted.add(expired, "draft", draft)

    today = now.date()
    for expired, years, days in ((True, 7, 10), (False, 6, 300)):
        end = date(today.year - years, today.month, min(today.day, 28)) - timedelta(days=days)
        award, owner = accepted_award(start=date(end.year - 1, 4, 1), end=end, officer=officer)
        returns = award_returns(award)
        returns[0].progress, returns[0].case_study = "Rita's son joined the group", "Rita's story"
        returns[0].submitted_by = owner
        create_thread(award, owner, body="Rita asked about the dates")
        db.session.add(ReturnQuery(return_id=returns[0].id, question="Is Rita's son safe?", asked_by_id=officer.id))
        sync_follow_ups(award)
        db.session.flush()
        for follow_up in follow_ups(award):
            follow_up.what_changed = "Rita's group carries on"
        planted.add(expired, "award", award)

    for expired, age in ((True, 7 * YEAR + 10 * DAY), (False, 7 * YEAR - 10 * DAY)):
        planted.add(
            expired,
            "audit",
            _event(officer, "staff.created", now - age, actor=officer, after={"email": "o@example.org", "role": "x"}),
        )
    db.session.commit()
    return planted


def _event(subject, action: str, when: datetime, *, actor: User, after: dict | None = None) -> AuditEvent:
    event = AuditEvent(
        action=action,
        subject_type=type(subject).__tablename__,
        subject_id=subject.id,
        actor_id=actor.id,
        occurred_at=when,
        after=after,
    )
    db.session.add(event)
    db.session.flush()
    return event


def _decided_at(application: Application, when: datetime) -> None:
    db.session.execute(sa.update(Decision).where(Decision.application_id == application.id).values(decided_at=when))


def _attach_file(application: Application) -> None:
    question = application.round.questions[0]
    db.session.add(
        UploadedFile(
            application_id=application.id,
            question_id=question.id,
            filename="safeguarding-case.pdf",
            content_type="application/pdf",
            size_bytes=4,
            content=b"%PDF",
        )
    )
