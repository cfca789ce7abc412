"""The retention job removes exactly what has been kept for its whole period, and nothing else; twice changes
nothing; a failure part way leaves the failing batch untouched."""

import pytest
import sqlalchemy as sa

from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    AlertSubscription,
    Answer,
    Application,
    AuditEvent,
    Award,
    Decision,
    DialogueMessage,
    DialogueThread,
    FollowUpReturn,
    GrantAgreement,
    Invitation,
    OutboundMessage,
    PersonalDataExport,
    Return,
    ReturnQuery,
    UploadedFile,
    User,
    UserSession,
)
from portal.privacy import enforcement, retention
from tests.privacy_support import plant_on_both_sides

DELETED = {
    "unconfirmed account": User,
    "sign-in": AuditEvent,
    "session": UserSession,
    "alert": AlertSubscription,
    "invitation": Invitation,
    "download": PersonalDataExport,
    "draft": Application,
}


def _counts(lines) -> dict[tuple[str, str], int]:
    return {(line.kind.key, line.what): line.count for line in lines}


def test_every_kind_with_a_period_has_a_rule_and_every_rule_a_kind():
    ruled = {rule.kind for rule in enforcement.RULES}
    declared = {kind.key for kind in retention.KINDS}
    assert ruled <= declared
    # Accounts end when their owner closes them (portal.privacy.accounts), not after a period.
    assert declared - ruled == {"accounts"}


def test_the_job_removes_exactly_what_has_expired_and_a_second_run_changes_nothing():
    now = utcnow()
    planted = plant_on_both_sides(now)
    expected = {
        ("unconfirmed_accounts", "accounts"): 1,
        ("sign_in_events", "sign-in records"): 1,
        ("sign_in_events", "signed-in sessions"): 1,
        ("emails_sent", "emails"): 2,
        ("alert_subscriptions", "subscriptions"): 1,
        ("unconfirmed_alerts", "subscriptions"): 1,
        ("invitations", "invitations"): 1,
        ("data_downloads", "downloads"): 1,
        ("unsuccessful_bids", "bids"): 2,
        ("unsubmitted_bids", "bids"): 1,
        ("funded_bids", "awards"): 1,
        ("audit_trail", "audit events"): 1,
    }
    assert _counts(enforcement.report(now)) == expected
    assert _counts(enforcement.enforce(now, batch_size=1)) == expected
    db.session.expire_all()

    for what, model in DELETED.items():
        for record_id in planted.expired[what]:
            assert db.session.get(model, record_id) is None, what
        for record_id in planted.kept.get(what, []):
            assert db.session.get(model, record_id) is not None, what

    for message_id in planted.expired["email"]:
        message = db.session.get(OutboundMessage, message_id)
        assert (message.to_address, message.body) == ("", "")
        assert "Rita" not in message.subject
    for message_id in planted.kept["email"]:
        assert db.session.get(OutboundMessage, message_id).body == "Dear Rita"

    for bid_id in planted.expired["bid"]:
        bid = db.session.get(Application, bid_id)
        assert bid.reference and bid.years, "the bid's reference and amounts are kept"
        assert (bid.contact_name, bid.contact_email, bid.summary, bid.withdrawal_reason) == (None,) * 4
        assert not db.session.scalars(sa.select(Answer).where(Answer.application_id == bid_id)).all()
        assert not db.session.scalars(sa.select(UploadedFile).where(UploadedFile.application_id == bid_id)).all()
        for decision in db.session.scalars(sa.select(Decision).where(Decision.application_id == bid_id)):
            assert decision.outcome and decision.decided_by_id is None
    for bid_id in planted.kept["bid"]:
        bid = db.session.get(Application, bid_id)
        assert bid.contact_email == "contact@example.org"
        assert db.session.scalars(sa.select(Answer).where(Answer.application_id == bid_id)).all()

    [old_award], [recent_award] = planted.expired["award"], planted.kept["award"]
    award = db.session.get(Award, old_award)
    assert award.years and award.approved_by_id is None
    agreement = db.session.scalar(sa.select(GrantAgreement).where(GrantAgreement.award_id == old_award))
    assert agreement.signatory_name == enforcement.REPLACED_NAME and agreement.accepted_by_id is None
    assert agreement.terms_text, "what was agreed is kept"
    assert not [text for text in _texts_of(old_award) if "Rita" in text]
    assert _texts_of(recent_award) >= {
        "Rita's son joined the group",
        "Rita's story",
        "Rita asked about the dates",
        "Is Rita's son safe?",
    }
    assert "Rita's group carries on" in _texts_of(recent_award)
    assert follow_ups_of(old_award) and all(f.what_changed is None for f in follow_ups_of(old_award))
    assert db.session.get(Award, recent_award).approved_by_id is not None

    [old_event], kept_events = planted.expired["audit"], planted.kept["audit"]
    event = db.session.get(AuditEvent, old_event)
    assert event.actor_id is None and event.after == {"email": enforcement.REMOVED, "role": "x"}
    assert all(db.session.get(AuditEvent, each).actor_id is not None for each in kept_events)

    assert set(_counts(enforcement.report(now)).values()) == {0}
    assert set(_counts(enforcement.enforce(now)).values()) == {0}


def follow_ups_of(award_id: int) -> list:
    return list(db.session.scalars(sa.select(FollowUpReturn).where(FollowUpReturn.award_id == award_id)))


def _texts_of(award_id: int) -> set[str]:
    returns = db.session.scalars(sa.select(Return).where(Return.award_id == award_id))
    messages = db.session.scalars(
        sa.select(DialogueMessage.body).join(DialogueThread).where(DialogueThread.award_id == award_id)
    )
    queries = db.session.scalars(sa.select(ReturnQuery.question).join(Return).where(Return.award_id == award_id))
    follow_ups = db.session.scalars(sa.select(FollowUpReturn.what_changed).where(FollowUpReturn.award_id == award_id))
    texts = {text for r in returns for text in (r.progress, r.case_study) if text}
    return texts | set(messages) | set(queries) | {text for text in follow_ups if text}


def test_a_failure_part_way_leaves_the_failing_batch_untouched(monkeypatch):
    now = utcnow()
    planted = plant_on_both_sides(now)
    real = enforcement.RULES

    def fail_after_deleting_answers(ids):
        db.session.execute(sa.delete(Answer).where(Answer.application_id.in_(ids)))
        raise RuntimeError("the database went away")

    broken = tuple(
        enforcement.Rule(rule.kind, rule.what, rule.expired, fail_after_deleting_answers)
        if rule.kind == "unsuccessful_bids"
        else rule
        for rule in real
    )
    monkeypatch.setattr(enforcement, "RULES", broken)
    with pytest.raises(RuntimeError):
        enforcement.enforce(now)
    db.session.expire_all()
    for bid_id in planted.expired["bid"]:
        assert db.session.scalars(sa.select(Answer).where(Answer.application_id == bid_id)).all()
    # The rules before it finished their work; a run once the fault is gone does the rest.
    assert db.session.get(User, planted.expired["unconfirmed account"][0]) is None
    monkeypatch.setattr(enforcement, "RULES", real)
    assert _counts(enforcement.enforce(now))[("unsuccessful_bids", "bids")] == 2


def test_the_dry_run_flag_prints_the_counts_and_changes_nothing(app):
    planted = plant_on_both_sides()
    result = app.test_cli_runner().invoke(args=["privacy", "retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Emails we send you (emails, 90 days after the email was sent): 2 would be handled" in result.output
    assert "14 records would be handled (dry run: nothing changed)." in result.output
    db.session.expire_all()
    assert db.session.get(User, planted.expired["unconfirmed account"][0]) is not None

    result = app.test_cli_runner().invoke(args=["privacy", "retention"])
    assert result.exit_code == 0, result.output
    assert "14 records handled." in result.output
    assert "0 records handled." in app.test_cli_runner().invoke(args=["privacy", "retention"]).output


def test_the_nightly_job_is_scheduled_and_enforces_the_periods():
    from werkzeug.utils import import_string

    from portal.schedule import RECURRING

    [nightly] = [r for r in RECURRING if r.function == "workers.privacy.enforce_retention"]
    planted = plant_on_both_sides()
    done = import_string(nightly.function)()
    assert done["emails_sent: emails"] == 2 and sum(done.values()) == 14
    assert db.session.get(Invitation, planted.expired["invitation"][0]) is None
    assert sum(import_string(nightly.function)().values()) == 0


def test_an_administrator_sees_what_the_job_would_remove_and_nothing_changes(client):
    from portal.models import StaffRole
    from tests.factories import create_user

    planted = plant_on_both_sides()
    admin = create_user(staff_role=StaffRole.ADMIN, full_name="Ada Admin")
    page = client.sign_in(admin).get_page("/staff/retention")
    rows = {
        (cells[0].get_text(strip=True), cells[1].get_text(strip=True)): cells[4].get_text(strip=True)
        for cells in (row.select("td") for row in page.select("tbody tr"))
    }
    assert rows[("Emails we send you", "emails")] == "2"
    assert rows[("Funded bids, grant agreements and monitoring returns", "awards")] == "1"
    assert len(rows) == len(enforcement.RULES)
    db.session.expire_all()
    assert db.session.get(User, planted.expired["unconfirmed account"][0]) is not None


def test_officers_cannot_see_the_retention_report(client):
    from tests.factories_assessment import create_officer

    client.sign_in(create_officer()).get_page("/staff/retention", expected_status=403)


def test_an_account_registered_and_never_confirmed_goes_with_its_organisation_and_its_address(client):
    from datetime import timedelta

    from portal.models import Organisation
    from tests.integration.test_closing_accounts import everything_stored
    from tests.integration.test_registration import registration

    client.post_form("/register", registration(email="never.confirmed@example.org", full_name="Nev Erconfirmed"))
    db.session.expire_all()
    [user] = db.session.scalars(sa.select(User).where(User.email == "never.confirmed@example.org"))
    [organisation_id] = db.session.scalars(sa.select(Organisation.id).where(Organisation.name == "Brixton Youth Forum"))
    # Mail to the address is an email like any other: its own period (90 days) takes the address out.
    db.session.execute(sa.delete(OutboundMessage))
    db.session.commit()
    assert "never.confirmed@example.org" in everything_stored()

    later = utcnow() + timedelta(days=31)
    assert _counts(enforcement.enforce(later))[("unconfirmed_accounts", "accounts")] == 1
    db.session.expire_all()
    assert db.session.get(User, user.id) is None
    assert db.session.get(Organisation, organisation_id) is None
    stored = everything_stored()
    assert "never.confirmed@example.org" not in stored and "Nev Erconfirmed" not in stored


def test_an_organisation_that_has_started_a_bid_stays_when_its_unconfirmed_account_goes(client):
    from datetime import timedelta

    from portal.models import Organisation
    from tests.factories_assessment import create_assessed_round
    from tests.factories_funding import create_application
    from tests.integration.test_registration import registration

    client.post_form("/register", registration(email="never.confirmed@example.org"))
    db.session.expire_all()
    organisation = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Brixton Youth Forum"))
    bid = create_application(create_assessed_round(), organisation)

    assert _counts(enforcement.enforce(utcnow() + timedelta(days=31)))[("unconfirmed_accounts", "accounts")] == 1
    db.session.expire_all()
    assert db.session.get(Organisation, organisation.id) is not None
    assert db.session.get(Application, bid.id) is not None
    assert db.session.scalar(sa.select(User).where(User.email == "never.confirmed@example.org")) is None
