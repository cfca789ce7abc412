"""Background jobs and the email outbox: nothing leaves before commit, each message is sent once, failures wait."""

import socket
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from portal import audit, jobs
from portal.email.outbox import MAX_ATTEMPTS, fetch_unsent_message_ids, queue_email, send_message
from portal.extensions import db
from portal.models import AuditEvent, MessageStatus, OutboundMessage, StaffRole, User
from tests.factories import create_organisation, create_user


def _messages() -> list[OutboundMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboundMessage).order_by(OutboundMessage.id)))


def _queue_password_changed(user) -> OutboundMessage:
    return queue_email(user.email, "password_changed", user=user)


@contextmanager
def _config(app, **values):
    """Change the app's configuration for the length of the block, and put it back afterwards."""
    saved = {key: app.config[key] for key in values}
    app.config.update(values)
    try:
        yield
    finally:
        app.config.update(saved)


def _unsent_message(user, **fields) -> OutboundMessage:
    """A message in the outbox with no job queued for it, as after a worker died."""
    message = OutboundMessage(
        to_address=user.email,
        subject="Your password has been changed",
        body="Dear Alex Example,\n",
        template="password_changed",
        **fields,
    )
    db.session.add(message)
    db.session.commit()
    return message


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens here once the socket is closed


def test_an_email_queued_in_a_rolled_back_transaction_is_never_written_or_sent(mailbox, run_jobs):
    user = create_user()
    _queue_password_changed(user)
    db.session.rollback()
    run_jobs()
    assert _messages() == []
    assert mailbox.messages == []


def test_a_rolled_back_email_does_not_ride_along_with_the_next_commit(mailbox, run_jobs):
    user = create_user()
    _queue_password_changed(user)
    db.session.rollback()
    user.full_name = "Renamed"
    db.session.commit()
    run_jobs()
    assert mailbox.messages == []


def test_an_email_is_not_sent_before_its_transaction_commits(app, mailbox, run_jobs):
    user = create_user()
    email_address = user.email
    message = _queue_password_changed(user)
    message_id = message.id
    assert mailbox.messages == []
    assert message.status is MessageStatus.PENDING
    if app.config["REDIS_URL"]:
        assert jobs.queue(jobs.QUEUE_EMAIL).count == 0  # nothing handed to Redis yet either

    db.session.commit()
    run_jobs()  # ids and strings only from here: with Redis, running jobs ends the session

    email = mailbox.last_to(email_address)
    assert email["Subject"] == "Your password has been changed"
    assert "Dear Alex Example" in email.get_content()
    assert f".outbox-{message_id}@" in email["Message-ID"]
    [sent] = _messages()
    assert sent.id == message_id
    assert sent.status is MessageStatus.SENT
    assert sent.attempts == 1
    assert sent.sent_at is not None
    assert sent.last_error is None


def test_sending_the_same_message_twice_sends_one_email(mailbox, run_jobs):
    user = create_user()
    email_address = user.email
    message_id = _queue_password_changed(user).id
    db.session.commit()
    run_jobs()
    send_message(message_id)
    send_message(message_id)
    assert len(mailbox.to(email_address)) == 1
    [sent] = _messages()
    assert sent.status is MessageStatus.SENT
    assert sent.attempts == 1


def test_a_message_that_another_worker_is_already_sending_is_left_alone(mailbox):
    message = _unsent_message(create_user(), status=MessageStatus.SENDING, attempts=1)
    send_message(message.id)
    assert mailbox.messages == []
    [untouched] = _messages()
    assert (untouched.status, untouched.attempts) == (MessageStatus.SENDING, 1)


def test_a_message_a_stopped_worker_left_sending_is_sent_again_by_the_recurring_retry(mailbox):
    from datetime import timedelta

    from portal.database import utcnow
    from workers.email import send_unsent

    user = create_user()
    stuck = _unsent_message(user, status=MessageStatus.SENDING, attempts=1, created_at=utcnow() - timedelta(hours=2))
    in_flight = _unsent_message(user, status=MessageStatus.SENDING, attempts=1)
    send_unsent()
    assert [m["To"] for m in mailbox.messages] == [user.email]
    by_id = {message.id: message for message in _messages()}
    assert (by_id[stuck.id].status, by_id[stuck.id].attempts) == (MessageStatus.SENT, 2)
    assert by_id[in_flight.id].status is MessageStatus.SENDING  # another worker may still be sending it


def test_a_message_left_unsent_is_sent_by_flask_outbox_send(app, mailbox):
    user = create_user()
    _unsent_message(user)
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert "1 sent, 0 failed." in result.output
    assert mailbox.last_to(user.email)["Subject"] == "Your password has been changed"


def test_an_smtp_failure_marks_the_message_failed_and_flask_outbox_send_sends_it_later(app, mailbox, run_jobs):
    user = create_user()
    email_address = user.email
    with _config(app, MAIL_PORT=_closed_port()):
        _queue_password_changed(user)
        db.session.commit()
        run_jobs()
    assert mailbox.messages == []
    [failed] = _messages()
    assert failed.status is MessageStatus.FAILED
    assert failed.attempts == 1
    assert failed.last_error.startswith("ConnectionRefusedError")
    assert failed.sent_at is None
    assert fetch_unsent_message_ids() == [failed.id]

    result = app.test_cli_runner().invoke(args=["outbox", "send"])

    assert result.exit_code == 0, result.output
    assert "1 sent, 0 failed." in result.output
    assert mailbox.last_to(email_address)["Subject"] == "Your password has been changed"
    [sent] = _messages()
    assert sent.status is MessageStatus.SENT
    assert sent.attempts == 2
    assert sent.last_error is None
    assert fetch_unsent_message_ids() == []


def test_flask_outbox_send_reports_what_still_fails(app, mailbox, run_jobs):
    user = create_user()
    with _config(app, MAIL_PORT=_closed_port()):
        _queue_password_changed(user)
        db.session.commit()
        run_jobs()
        result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert "0 sent, 1 failed." in result.output
    assert mailbox.messages == []
    [failed] = _messages()
    assert failed.status is MessageStatus.FAILED
    assert failed.attempts == 2


def test_a_message_is_given_up_after_the_maximum_number_of_attempts(app, mailbox):
    message = _unsent_message(create_user(), status=MessageStatus.FAILED, attempts=MAX_ATTEMPTS)
    assert fetch_unsent_message_ids() == []
    send_message(message.id)
    assert mailbox.messages == []
    assert "0 sent, 0 failed." in app.test_cli_runner().invoke(args=["outbox", "send"]).output


def test_an_email_template_must_start_with_its_subject_line(monkeypatch):
    from portal.email import outbox

    monkeypatch.setattr(outbox, "render_template", lambda name, **context: "Dear someone,\nHello\n")
    with pytest.raises(ValueError, match="must start with a 'Subject: ' line"):
        queue_email("someone@example.org", "password_changed")


@pytest.fixture
def admin_client(client):
    return client.sign_in(create_user("admin@example.org", staff_role=StaffRole.ADMIN))


def test_the_admin_outbox_lists_messages_without_their_bodies_when_email_is_really_sent(app, admin_client, run_jobs):
    user = create_user("helen@example.org", full_name="Helen Price")
    _queue_password_changed(user)
    db.session.commit()
    run_jobs()
    page = admin_client.get_page("/staff/outbox")
    text = page.get_text(" ", strip=True)
    assert "Your password has been changed" in text
    assert "helen@example.org" in text
    assert "Sent" in text
    assert "Dear Helen Price" not in text


def test_the_admin_outbox_shows_bodies_when_email_is_only_logged(app, admin_client, run_jobs):
    user = create_user("helen@example.org", full_name="Helen Price")
    with _config(app, MAIL_BACKEND="log"):
        _queue_password_changed(user)
        db.session.commit()
        run_jobs()
        page = admin_client.get_page("/staff/outbox")
    assert "Dear Helen Price" in page.get_text(" ", strip=True)
    [logged] = _messages()
    assert logged.status is MessageStatus.SENT
    # Shown line for line as sent, with no indentation the page's markup would add.
    assert page.select_one(".portal-pre").get_text() == logged.body


def test_the_admin_outbox_shows_the_last_error_of_a_failed_message(app, admin_client, run_jobs):
    user = create_user("helen@example.org")
    with _config(app, MAIL_PORT=_closed_port()):
        _queue_password_changed(user)
        db.session.commit()
        run_jobs()
    text = admin_client.get_page("/staff/outbox").get_text(" ", strip=True)
    assert "Failed" in text
    assert "ConnectionRefusedError" in text


def test_the_outbox_page_is_for_admins_only(client):
    client.sign_in(create_user(staff_role=StaffRole.GRANT_OFFICER))
    client.get_page("/staff/outbox", 403)


def test_an_audit_event_is_written_only_if_the_change_it_describes_is_committed():
    organisation = create_organisation("Before")
    organisation.name = "After"
    audit.record(
        "organisation.profile_updated", organisation, before={"name": "Before"}, after={"name": "After"}, actor=None
    )
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0
    assert organisation.name == "Before"

    organisation.name = "After"
    audit.record(
        "organisation.profile_updated", organisation, before={"name": "Before"}, after={"name": "After"}, actor=None
    )
    db.session.commit()
    [event] = db.session.scalars(sa.select(AuditEvent)).all()
    assert (event.action, event.subject_type, event.subject_id) == (
        "organisation.profile_updated",
        "organisation",
        organisation.id,
    )
    assert (event.before, event.after) == ({"name": "Before"}, {"name": "After"})


def test_a_service_that_fails_after_auditing_leaves_neither_change_nor_event(monkeypatch, mailbox, run_jobs):
    """Staff creation audits, then queues an email; if rendering the email fails, the whole change goes."""
    from portal.admin.services import create_staff_user
    from portal.email import outbox

    def broken_template(name, **context):
        raise RuntimeError("broken template")

    monkeypatch.setattr(outbox, "render_template", broken_template)
    with pytest.raises(RuntimeError, match="broken template"):
        create_staff_user("new.officer@example.org", "New Officer", StaffRole.GRANT_OFFICER, created_by=None)
    db.session.rollback()
    run_jobs()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0
    assert db.session.scalar(sa.select(User).where(User.email == "new.officer@example.org")) is None
    assert _messages() == []
    assert mailbox.messages == []


def test_the_outbox_hides_other_peoples_live_links_but_not_the_readers_own(app, admin_client, run_jobs):
    from portal.auth.services import request_password_reset

    create_user("helen@example.org", full_name="Helen Price")
    with _config(app, MAIL_BACKEND="log"):
        request_password_reset("helen@example.org")
        request_password_reset("admin@example.org")
        run_jobs()
        text = admin_client.get_page("/staff/outbox").get_text(" ", strip=True)

    assert text.count("http://portal.test/reset-password/") == 1  # the administrator's own
    assert "[link hidden: only the person it was sent to can use it]" in text
