"""Funded organisations write to their officers at any time; officers reply, close conversations and keep lessons.
Every status change has an audit event, and nobody sees another organisation's conversations."""

import sqlalchemy as sa

from portal.extensions import db
from portal.models import AuditEvent, DialogueThread, MembershipRole, StaffRole, ThreadKind, ThreadStatus
from tests.client import error_messages
from tests.factories import create_member, create_organisation, create_user
from tests.factories_dialogue import create_thread
from tests.factories_monitoring import create_award

OWNER = "owner@example.org"
OFFICER = "officer@example.org"


def setup():
    officer = create_user(OFFICER, staff_role=StaffRole.GRANT_OFFICER, full_name="Tom Brennan")
    organisation = create_organisation("Safer Southwark")
    owner = create_member(organisation, MembershipRole.OWNER, email=OWNER, full_name="Ade Bello")
    award = create_award(organisation, officer=officer)
    return officer, owner, award


def award_url(award):
    return f"/organisations/{award.organisation_id}/awards/{award.id}"


def reload(record):
    db.session.expire_all()
    return db.session.get(type(record), record.id)


def actions():
    return list(
        db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.subject_type == "dialogue_thread").order_by(AuditEvent.id)
        )
    )


def test_an_organisation_sends_feedback_its_officer_replies_and_they_write_back_and_forth(client, mailbox):
    officer, owner, award = setup()
    client.sign_in(owner)
    page = client.get_page(award_url(award))
    assert page.find("a", string="Send feedback or a lesson learned")["href"] == f"{award_url(award)}/messages/new"

    page = client.post_form(f"{award_url(award)}/messages/new", {"subject": "", "body": ""}, 200)
    errors = error_messages(page)
    assert errors["kind"] == "Select whether this is feedback or a lesson learned"
    assert errors["subject"] == "Enter a subject"
    assert errors["body"] == "Enter your message"

    response = client.post_form(
        f"{award_url(award)}/messages/new",
        {"kind": "feedback", "subject": "Referrals have dropped", "body": "Schools refer fewer young people."},
    )
    thread = db.session.scalar(sa.select(DialogueThread))
    assert response.location == f"{award_url(award)}/messages/{thread.id}"
    assert (thread.status, thread.kind) == (ThreadStatus.OPEN, ThreadKind.FEEDBACK)
    assert "Schools refer fewer young people." in mailbox.last_to(OFFICER).get_content()

    client.sign_in(officer)
    page = client.get_page("/staff/messages")
    assert page.find("a", string="Referrals have dropped")["href"] == f"/staff/messages/{thread.id}"
    page = client.post_form(f"/staff/messages/{thread.id}", {"body": ""}, 200)
    assert error_messages(page)["body"] == "Enter your message"
    client.post_form(f"/staff/messages/{thread.id}", {"body": "Thank you. We will raise it with the council."})
    assert reload(thread).status is ThreadStatus.REPLIED
    email = mailbox.last_to(OWNER)
    assert email["Subject"] == f'A reply to "Referrals have dropped" ({award.reference})'
    assert f"{award_url(award)}/messages/{thread.id}" in email.get_content()
    assert client.get_page("/staff/messages").find("a", string="Referrals have dropped") is None  # not waiting now

    client.sign_in(owner)
    page = client.get_page(f"{award_url(award)}/messages/{thread.id}")
    assert "Tom Brennan, grant officer" in page.get_text()
    client.post_form(f"{award_url(award)}/messages/{thread.id}", {"body": "Thanks, that would help."})
    assert reload(thread).status is ThreadStatus.OPEN
    assert [m.from_officer for m in reload(thread).messages] == [False, True, False]

    client.sign_in(officer)
    client.post_form(f"/staff/messages/{thread.id}/close")
    assert reload(thread).status is ThreadStatus.CLOSED
    assert actions() == ["dialogue.started", "dialogue.replied", "dialogue.organisation_replied", "dialogue.closed"]


def test_the_inbox_filters_by_status_kind_and_fund(client):
    officer, owner, award = setup()
    other = create_award(create_organisation("Lambeth Youth"), title="Lambeth mentoring")
    create_thread(award, owner, subject="Feedback on the form")
    lesson = create_thread(other, owner, subject="Peer mentors work", kind=ThreadKind.LESSON)
    closed = create_thread(award, owner, subject="All sorted")
    closed.status = ThreadStatus.CLOSED
    db.session.commit()
    client.sign_in(officer)

    def subjects(query):
        page = client.get_page(f"/staff/messages{query}")
        return sorted(a.get_text() for a in page.select("table a"))

    assert subjects("") == ["Feedback on the form", "Peer mentors work"]
    assert subjects("?show=all") == ["All sorted", "Feedback on the form", "Peer mentors work"]
    assert subjects("?show=closed") == ["All sorted"]
    assert subjects("?show=all&kind=lesson") == ["Peer mentors work"]
    assert subjects(f"?show=all&fund={other.fund_id}") == ["Peer mentors work"]
    assert subjects("?show=all&in_log=yes") == []
    client.post_form(f"/staff/messages/{lesson.id}/lesson", {"summary": ""})
    assert subjects("?show=all&in_log=yes") == ["Peer mentors work"]


def test_an_officer_keeps_a_conversation_in_the_funds_lessons_log_and_can_take_it_out(client):
    officer, owner, award = setup()
    thread = create_thread(award, owner, subject="Peer mentors work", kind=ThreadKind.LESSON)
    client.sign_in(officer)
    client.post_form(f"/staff/messages/{thread.id}/lesson", {"summary": "Young people trust mentors near their age."})
    assert reload(thread).in_lessons_log and reload(thread).lesson_logged_by_id == officer.id
    page = client.get_page(f"/staff/funds/{award.fund_id}/lessons")
    assert "Young people trust mentors near their age." in page.get_text()

    client.post_form(f"/staff/messages/{thread.id}/lesson/remove")
    assert not reload(thread).in_lessons_log
    assert "Young people trust mentors" not in client.get_page(f"/staff/funds/{award.fund_id}/lessons").get_text()
    assert actions() == ["dialogue.lesson_logged", "dialogue.lesson_removed"]


def test_an_organisation_never_sees_another_organisations_conversations(client):
    _, owner, award = setup()
    thread = create_thread(award, owner, body="Private to Safer Southwark")
    stranger_organisation = create_organisation("Elsewhere")
    stranger = create_member(stranger_organisation, MembershipRole.OWNER)
    stranger_award = create_award(stranger_organisation)
    client.sign_in(stranger)
    client.get_page(f"{award_url(award)}/messages/{thread.id}", 403)
    client.get_page(f"{award_url(stranger_award)}/messages/{thread.id}", 404)
    client.post_form(f"{award_url(award)}/messages/{thread.id}", {"body": "Hello"}, 403)
    client.post_form(f"{award_url(award)}/messages/new", {"kind": "feedback", "subject": "x", "body": "y"}, 403)
    page = client.get_page(award_url(stranger_award))
    assert "Private to Safer Southwark" not in page.get_text() and thread.subject not in page.get_text()
    for url in ("/staff/messages", f"/staff/messages/{thread.id}", f"/staff/funds/{award.fund_id}/lessons"):
        client.get_page(url, 403)
    assert len(reload(thread).messages) == 1


def test_a_reviewer_cannot_read_the_inbox_and_an_unapproved_awards_conversation_is_not_found(client):
    officer, owner, award = setup()
    thread = create_thread(award, owner)
    client.sign_in(create_user(staff_role=StaffRole.REVIEWER))
    client.get_page("/staff/messages", 403)
    client.get_page(f"/staff/messages/{thread.id}", 403)
    award.status = award.status.AWAITING_APPROVAL
    db.session.commit()
    client.sign_in(officer)
    client.get_page(f"/staff/messages/{thread.id}", 404)


def test_sending_the_same_message_twice_by_double_submitting_adds_it_once(client, mailbox):
    officer, owner, award = setup()
    message = {"kind": "feedback", "subject": "Referrals have dropped", "body": "Schools refer fewer young people."}
    client.sign_in(owner)
    first = client.post_form(f"{award_url(award)}/messages/new", message)
    second = client.post_form(f"{award_url(award)}/messages/new", message)
    assert first.location == second.location
    thread = db.session.scalar(sa.select(DialogueThread))
    assert db.session.scalar(sa.select(sa.func.count(DialogueThread.id))) == 1
    client.sign_in(officer)
    for _ in range(2):
        client.post_form(f"/staff/messages/{thread.id}", {"body": "Thank you."})
    assert len(reload(thread).messages) == 2
    assert len(mailbox.to(OWNER)) == 1 and len(mailbox.to(OFFICER)) == 1
