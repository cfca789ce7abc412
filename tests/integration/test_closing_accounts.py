"""Closing an account, by its owner or on an erasure request: the person can no longer sign in, their sessions end,
and their name and email address appear nowhere, while their organisation keeps its records."""

import sqlalchemy as sa

from portal import audit
from portal.agreements.services import Acceptance, accept_agreement
from portal.email.outbox import queue_email
from portal.extensions import db
from portal.models import (
    AlertSubscription,
    Application,
    AuditEvent,
    Invitation,
    MembershipRole,
    OutboundMessage,
    StaffRole,
    User,
)
from portal.privacy.enforcement import REPLACED_NAME
from tests.client import error_messages
from tests.factories import PASSWORD, create_member, create_organisation, create_user
from tests.factories_assessment import create_assessed_round, create_officer
from tests.factories_dialogue import create_thread
from tests.factories_funding import create_application
from tests.factories_monitoring import create_award

NAME, EMAIL = "Philippa Quorndon", "philippa.quorndon@example.org"


def plant_a_person_everywhere() -> tuple[User, Application]:
    organisation = create_organisation("Quorn Street Youth Club")
    person = create_member(organisation, MembershipRole.OWNER, email=EMAIL, full_name=NAME)
    colleague = create_member(organisation, MembershipRole.EDITOR, email="colleague@example.org", full_name="Col Lee")
    application = create_application(create_assessed_round(), organisation, title="Evening football")
    application.contact_name, application.contact_email, application.created_by = NAME, EMAIL, person
    award = create_award(organisation)
    accept_agreement(award, Acceptance(NAME, "Chair", True), person)
    create_thread(award, person, body="We would like to move the start date.")
    queue_email(EMAIL, "password_changed", user=person)
    db.session.add(
        OutboundMessage(to_address=colleague.email, subject=f"{NAME} invited you", body=f"{NAME} asked", template="t")
    )
    db.session.add(AlertSubscription(email=EMAIL))
    db.session.add(
        Invitation(
            organisation=create_organisation("Another club"),
            email=EMAIL,
            role=MembershipRole.EDITOR,
            token_hash="0" * 64,
            expires_at=application.created_at,
        )
    )
    audit.record("user.email_confirmed", person, after={"email": EMAIL, "name": NAME}, actor=person)
    db.session.commit()
    return person, application


def everything_stored() -> str:
    """Every row of every table, as text."""
    return "\n".join(
        repr(row) for table in db.metadata.sorted_tables for row in db.session.execute(sa.select(table)).all()
    )


def test_a_person_closes_their_account_and_their_name_appears_nowhere(client, app):
    person, application = plant_a_person_everywhere()
    assert NAME in everything_stored() and EMAIL in everything_stored()
    other_browser = app.test_client().sign_in(person)
    client.sign_in(person)

    page = client.get_page("/account")
    assert page.find("a", string="Close your account")["href"] == "/account/close"
    response = client.post_form("/account/close", {"understood": "y", "password": PASSWORD})
    assert response.headers["Location"] == "/"

    db.session.expire_all()
    stored = everything_stored()
    assert NAME not in stored and EMAIL not in stored
    assert NAME.split()[1] not in stored  # not even in part
    closed = db.session.get(User, person.id)
    assert closed.full_name == REPLACED_NAME and closed.is_closed and not closed.memberships
    # The organisation keeps its records.
    assert db.session.get(Application, application.id).created_by_id == person.id
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "privacy.account_closed"))

    # Signed out here and in every other browser, and cannot sign in again.
    assert client.get("/account").status_code == 302
    assert other_browser.get("/account").status_code == 302
    client.sign_out()
    page = client.post_form("/sign-in", {"email": EMAIL, "password": PASSWORD}, expected_status=200)
    assert "Enter a correct email address and password" in error_messages(page).values()

    admin = create_user(staff_role=StaffRole.ADMIN)
    audit_log = client.sign_in(admin).get_page("/staff/audit").get_text()
    assert NAME not in audit_log and REPLACED_NAME in audit_log


def test_closing_needs_the_password_and_the_confirmation_and_changes_nothing_without_them(client):
    person, _ = plant_a_person_everywhere()
    client.sign_in(person)
    page = client.post_form("/account/close", {"password": "not-my-password"}, expected_status=200)
    assert error_messages(page) == {
        "understood": "Confirm that you understand closing your account cannot be undone",
    }
    page = client.post_form("/account/close", {"understood": "y", "password": "not-my-password"}, expected_status=200)
    assert error_messages(page) == {"password": "Your password is not right"}
    db.session.expire_all()
    assert db.session.get(User, person.id).full_name == NAME
    assert client.get("/account").status_code == 200


def test_staff_ask_an_administrator_to_close_their_account(client):
    officer = create_officer()
    page = client.sign_in(officer).get_page("/account/close")
    assert "An administrator closes staff accounts" in page.get_text()
    assert page.find("input", attrs={"name": "password"}) is None
    page = client.post_form("/account/close", {"understood": "y", "password": PASSWORD}, expected_status=200)
    assert db.session.get(User, officer.id).full_name == "Tom Brennan"


def test_an_administrator_erases_an_account_on_request_with_a_reason(client):
    person, _ = plant_a_person_everywhere()
    admin = create_user(staff_role=StaffRole.ADMIN, full_name="Ada Admin")
    client.sign_in(admin)
    client.post_form(
        "/staff/erasure-requests",
        {"email": EMAIL.upper(), "decision": "erase", "reason": "Asked by letter on 1 December"},
    )
    db.session.expire_all()
    stored = everything_stored()
    assert NAME not in stored and EMAIL not in stored
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "privacy.erasure_carried_out"))
    assert (event.actor_id, event.subject_id) == (admin.id, person.id)
    assert event.after == {"reason": "Asked by letter on 1 December"}
    rows = [row.get_text(" | ", strip=True) for row in client.get_page("/staff/erasure-requests").select("tbody tr")]
    assert len(rows) == 1 and "Erased" in rows[0] and "Asked by letter" in rows[0] and "Ada Admin" in rows[0]

    # A second submit finds no open account, and changes nothing.
    page = client.post_form(
        "/staff/erasure-requests", {"email": EMAIL, "decision": "erase", "reason": "Again"}, expected_status=200
    )
    assert error_messages(page) == {"email": "No open account has this email address"}


def test_an_administrator_records_a_refusal_and_the_account_stays(client):
    person, _ = plant_a_person_everywhere()
    admin = create_user(staff_role=StaffRole.ADMIN, full_name="Ada Admin")
    client.sign_in(admin).post_form(
        "/staff/erasure-requests",
        {"email": EMAIL, "decision": "refuse", "reason": "Grant records kept for 7 years (legal obligation)"},
    )
    db.session.expire_all()
    assert db.session.get(User, person.id).full_name == NAME
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "privacy.erasure_refused"))
    assert event.after == {"reason": "Grant records kept for 7 years (legal obligation)"}
    assert event.actor_id == admin.id
    row = client.get_page("/staff/erasure-requests").select_one("tbody tr").get_text(" | ", strip=True)
    assert "Refused" in row and NAME in row


def test_every_problem_with_an_erasure_request_shows_beside_its_field_and_keeps_what_was_typed(client):
    admin = create_user(staff_role=StaffRole.ADMIN, full_name="Ada Admin")
    page = client.sign_in(admin).post_form(
        "/staff/erasure-requests", {"email": "nobody@example.org", "reason": ""}, expected_status=200
    )
    assert error_messages(page) == {
        "email": "No open account has this email address",
        "decision": "Select whether to erase the account or refuse the request",
        "reason": "Enter the reason for the decision",
    }
    assert page.find("input", attrs={"name": "email"})["value"] == "nobody@example.org"


def test_an_administrator_never_erases_their_own_account(client):
    admin = create_user(staff_role=StaffRole.ADMIN, full_name="Ada Admin")
    page = client.sign_in(admin).post_form(
        "/staff/erasure-requests", {"email": admin.email, "decision": "erase", "reason": "Leaving"}, expected_status=200
    )
    assert error_messages(page) == {"decision": "You cannot erase your own account. Ask another administrator"}
    db.session.expire_all()
    assert db.session.get(User, admin.id).full_name == "Ada Admin"
    assert not db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action.startswith("privacy.")))


def test_only_administrators_handle_erasure_requests(client):
    client.sign_in(create_officer()).get_page("/staff/erasure-requests", expected_status=403)


def test_an_erased_staff_account_cannot_be_opened_again(client):
    admin = create_user(staff_role=StaffRole.ADMIN, full_name="Ada Admin")
    officer = create_officer()
    client.sign_in(admin).post_form(
        "/staff/erasure-requests", {"email": officer.email, "decision": "erase", "reason": "Left; asked by email"}
    )
    page = client.post_form(f"/staff/users/{officer.id}", {"role": "grant_officer", "active": "y"}, expected_status=200)
    assert error_messages(page) == {"active": "This account was closed and cannot be opened again. Create a new one"}
    db.session.expire_all()
    assert not db.session.get(User, officer.id).active


def test_someone_else_with_the_same_name_keeps_their_details(client):
    person, _ = plant_a_person_everywhere()
    namesake = create_application(
        create_assessed_round(title="Another round"), create_organisation("Elsewhere Trust"), title="Elsewhere"
    )
    namesake.contact_name, namesake.contact_email = NAME, "the.other.philippa@example.org"
    db.session.commit()
    client.sign_in(person).post_form("/account/close", {"understood": "y", "password": PASSWORD})
    db.session.expire_all()
    kept = db.session.get(Application, namesake.id)
    assert (kept.contact_name, kept.contact_email) == (NAME, "the.other.philippa@example.org")


def test_an_erased_staff_account_is_listed_as_closed(client):
    admin = create_user(staff_role=StaffRole.ADMIN, full_name="Ada Admin")
    officer = create_officer()
    client.sign_in(admin).post_form(
        "/staff/erasure-requests", {"email": officer.email, "decision": "erase", "reason": "Left; asked by email"}
    )
    rows = [row.get_text(" | ", strip=True) for row in client.get_page("/staff/users").select("tbody tr")]
    assert any(REPLACED_NAME in row and "Closed" in row for row in rows)
    assert not any("Tom Brennan" in row for row in rows)
