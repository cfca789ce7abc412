"""Staff pages and the borough overview in a real browser, each checked with axe-core."""

import re
from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from portal.admin import services as admin_services
from portal.database import utcnow
from portal.extensions import db
from portal.models import AuditEvent, MessageStatus, OrganisationType, OutboundMessage, StaffRole
from portal.organisations import services as organisation_services
from tests.browser.conftest import sign_in_as
from tests.factories import (
    create_borough_user,
    create_member,
    create_organisation,
    create_user,
)


def create_admin():
    return create_user("admin@example.org", full_name="Ada Admin", staff_role=StaffRole.ADMIN)


def test_staff_home_is_accessible_and_lists_registrations_to_check(page, assert_accessible):
    admin = create_admin()
    waiting = create_organisation(
        "Lewisham Safer Neighbourhood Board", organisation_type=OrganisationType.SNB, borough="Lewisham", verified=False
    )
    create_member(waiting, email="chair@lewishamsnb.org.uk")
    sign_in_as(page, admin)
    expect(page.locator("h1")).to_have_text("Your work")
    expect(page.get_by_role("link", name="Lewisham Safer Neighbourhood Board")).to_be_visible()
    assert_accessible(page)


def test_staff_home_is_accessible_to_a_reviewer_with_fewer_tools(page, assert_accessible):
    reviewer = create_user("reviewer@example.org", staff_role=StaffRole.REVIEWER)
    sign_in_as(page, reviewer)
    expect(page.locator("h1")).to_have_text("Your work")
    assert page.get_by_role("heading", name="Registrations to check").count() == 0
    assert_accessible(page)


def test_verifying_an_organisation_is_accessible_and_works(page, assert_accessible):
    admin = create_admin()
    waiting = create_organisation(
        "Lewisham Safer Neighbourhood Board", organisation_type=OrganisationType.SNB, borough="Lewisham", verified=False
    )
    create_member(waiting, email="chair@lewishamsnb.org.uk")
    sign_in_as(page, admin)
    page.get_by_role("link", name="Lewisham Safer Neighbourhood Board").click()
    expect(page.get_by_role("button", name="Verify this organisation")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Verify this organisation").click()
    expect(page.get_by_text("Lewisham Safer Neighbourhood Board is verified.")).to_be_visible()
    assert page.get_by_role("button", name="Verify this organisation").count() == 0
    assert_accessible(page)


def test_staff_accounts_page_is_accessible(page, assert_accessible):
    admin = create_admin()
    create_user("reviewer@example.org", full_name="Rae Reviewer", staff_role=StaffRole.REVIEWER)
    sign_in_as(page, admin)
    page.get_by_role("link", name="Staff accounts").click()
    expect(page.locator("h1")).to_have_text("Staff accounts")
    table = page.get_by_role("table", name="Staff accounts")
    expect(table.get_by_role("link", name="Change Rae Reviewer")).to_be_visible()
    assert "<a" not in table.inner_text()
    assert_accessible(page)


def test_create_a_staff_account_page_is_accessible_and_creates_an_account(mailbox, page, assert_accessible):
    admin = create_admin()
    sign_in_as(page, admin)
    page.goto("/staff/users")
    page.get_by_role("button", name="Create a staff account").click()
    expect(page.locator("h1")).to_have_text("Create a staff account")
    assert_accessible(page)

    page.get_by_label("Full name").fill("Gus Officer")
    page.get_by_label("Email address").fill("gus@example.org")
    page.get_by_role("group", name="Role").get_by_label(
        "Grant officer: runs funds, assesses bids and monitors awards"
    ).check()
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("We have emailed gus@example.org a link to choose a password.")).to_be_visible()
    expect(page.get_by_role("link", name="Change Gus Officer")).to_be_visible()
    assert mailbox.last_to("gus@example.org")
    assert_accessible(page)


def test_create_a_staff_account_errors_are_accessible(page, assert_accessible):
    admin = create_admin()
    sign_in_as(page, admin)
    page.goto("/staff/users/new")
    page.get_by_role("button", name="Create account").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Enter your full name")).to_be_visible()
    expect(summary.get_by_role("link", name="Select a role")).to_be_visible()
    assert_accessible(page)

    summary.get_by_role("link", name="Select a role").click()
    assert page.evaluate("document.activeElement.name") == "role"

    page.get_by_label("Full name").fill("Ada Again")
    page.get_by_label("Email address").fill("admin@example.org")
    page.get_by_label("Reviewer: scores the bids assigned to them").check()
    page.get_by_role("button", name="Create account").click()
    already_exists = re.compile("^An account already exists with this email address")
    expect(summary.get_by_role("link", name=already_exists)).to_be_visible()
    assert_accessible(page)


def test_changing_a_staff_account_is_accessible_and_works(page, assert_accessible):
    admin = create_admin()
    reviewer = create_user("reviewer@example.org", full_name="Rae Reviewer", staff_role=StaffRole.REVIEWER)
    path = f"/staff/users/{reviewer.id}"
    sign_in_as(page, admin)
    page.goto(path)
    expect(page.locator("h1")).to_have_text("Rae Reviewer")
    assert page.get_by_label("Reviewer: scores the bids assigned to them").is_checked()
    assert page.get_by_label("This account can sign in").is_checked()
    assert_accessible(page)

    page.get_by_label("This account can sign in").uncheck()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Rae Reviewer's account has been updated.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Rae Reviewer")
    expect(row.get_by_role("cell", name="Deactivated")).to_be_visible()


def test_an_administrator_cannot_remove_their_own_access_and_the_error_is_accessible(page, assert_accessible):
    admin = create_admin()
    path = f"/staff/users/{admin.id}"
    sign_in_as(page, admin)
    page.goto(path)
    page.get_by_label("Reviewer: scores the bids assigned to them").check()
    page.get_by_role("button", name="Save changes").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="You cannot remove your own administrator access")).to_be_visible()
    assert_accessible(page)


def test_organisations_page_with_a_search_is_accessible(page, assert_accessible):
    admin = create_admin()
    create_organisation("Brixton Youth Forum")
    create_organisation("Croydon Mediation & Advice")
    create_organisation(
        "Lewisham Safer Neighbourhood Board", organisation_type=OrganisationType.SNB, borough="Lewisham", verified=False
    )
    sign_in_as(page, admin)
    page.get_by_role("link", name="Organisations").first.click()
    expect(page.locator("h1")).to_have_text("Organisations")
    assert page.get_by_role("table").get_by_role("row").count() == 4
    assert_accessible(page)

    page.get_by_label("Search by name").fill("mediation")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    table = page.get_by_role("table", name="Showing 1 to 1 of 1 organisations")
    expect(table.get_by_role("link", name="Croydon Mediation & Advice")).to_be_visible()
    assert "<a" not in table.inner_text()
    assert page.get_by_label("Search by name").input_value() == "mediation"
    assert_accessible(page)

    page.get_by_label("Search by name").fill("nothing like this")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No organisations match your search.")).to_be_visible()
    assert_accessible(page)


def add_outbox_messages() -> None:
    now = utcnow()
    db.session.add_all(
        [
            OutboundMessage(
                to_address="grace@example.org",
                subject="Confirm your email address",
                body="Hello Grace,\n\nConfirm your address: http://portal.test/confirm-email/abc123\n",
                template="confirm_email",
                status=MessageStatus.SENT,
                attempts=1,
                created_at=now - timedelta(minutes=5),
                sent_at=now - timedelta(minutes=5),
            ),
            OutboundMessage(
                to_address="sam@example.org",
                subject="You have been invited to join Brixton Youth Forum",
                body="Hello,\n\nJoin here: http://portal.test/invitations/xyz789\n",
                template="invitation",
                status=MessageStatus.FAILED,
                attempts=3,
                last_error="SMTPServerDisconnected: Connection unexpectedly closed",
                created_at=now,
            ),
        ]
    )
    db.session.commit()


def test_email_outbox_with_messages_is_accessible(page, assert_accessible):
    admin = create_admin()
    add_outbox_messages()
    sign_in_as(page, admin)
    page.goto("/staff/")
    page.get_by_role("link", name="Email outbox").click()
    expect(page.locator("h1")).to_have_text("Email outbox")
    expect(page.get_by_role("heading", name="Confirm your email address", level=2)).to_be_visible()
    expect(page.get_by_text("Failed (3 attempts)")).to_be_visible()
    expect(page.get_by_text("SMTPServerDisconnected: Connection unexpectedly closed")).to_be_visible()
    assert_accessible(page)


def test_email_outbox_showing_message_bodies_is_accessible(app, monkeypatch, page, assert_accessible):
    # Bodies are shown only where email is written to the log rather than sent.
    admin = create_admin()
    add_outbox_messages()
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "log")
    sign_in_as(page, admin)
    page.goto("/staff/outbox")
    message = page.locator(".govuk-summary-card", has_text="Confirm your email address")
    body = message.locator(".portal-pre")
    expect(body).to_be_visible()
    assert "<div" not in message.inner_text()
    # Grace's confirmation link would act for her, so the administrator sees it hidden.
    assert "[link hidden: only the person it was sent to can use it]" in body.inner_text()
    assert "abc123" not in body.inner_text()
    assert_accessible(page)


def test_empty_email_outbox_is_accessible(page, assert_accessible):
    admin = create_admin()
    sign_in_as(page, admin)
    page.goto("/staff/outbox")
    expect(page.get_by_text("No emails have been sent yet.")).to_be_visible()
    assert_accessible(page)


def test_audit_log_is_accessible_and_shows_changes_readably(app, page, assert_accessible):
    admin = create_admin()
    with app.test_request_context():
        reviewer = admin_services.create_staff_user(
            "reviewer@example.org", "Rae Reviewer", StaffRole.REVIEWER, created_by=admin
        )
        admin_services.update_staff_member(reviewer, StaffRole.GRANT_OFFICER, False, changed_by=admin)
        waiting = create_organisation(
            "Lewisham Safer Neighbourhood Board",
            organisation_type=OrganisationType.SNB,
            borough="Lewisham",
            verified=False,
        )
        organisation_services.verify_organisation(waiting, admin)
    sign_in_as(page, admin)
    page.goto("/staff/")
    page.get_by_role("link", name="Audit log").click()
    expect(page.locator("h1")).to_have_text("Audit log")
    table = page.get_by_role("table", name="Showing 1 to 4 of 4 events")  # and the administrator's sign-in
    updated = table.get_by_role("row").filter(has_text="staff.updated")
    assert updated.get_by_role("listitem").filter(has_text="role:").inner_text() == "role: reviewer to grant_officer"
    assert updated.get_by_role("listitem").filter(has_text="active:").inner_text() == "active: yes to no"
    created = table.get_by_role("row").filter(has_text="staff.created")
    assert created.get_by_role("listitem").filter(has_text="email:").inner_text() == "email: reviewer@example.org"
    assert "{" not in table.inner_text()
    assert_accessible(page)

    page.get_by_label("What happened").select_option("organisation.verified")
    page.get_by_role("button", name="Filter").click()
    table = page.get_by_role("table", name="Showing 1 to 1 of 1 events")
    expect(table.get_by_role("cell", name="organisation.verified")).to_be_visible()
    assert page.get_by_label("What happened").input_value() == "organisation.verified"
    assert_accessible(page)


def test_empty_audit_log_is_accessible(page, assert_accessible):
    admin = create_admin()
    sign_in_as(page, admin)
    db.session.execute(sa.delete(AuditEvent))  # the sign-in's own event
    db.session.commit()
    page.goto("/staff/audit")
    expect(page.get_by_text("Nothing has been recorded yet.")).to_be_visible()
    assert_accessible(page)


def test_borough_overview_is_accessible_to_a_lewisham_borough_user(page, assert_accessible):
    council_member = create_borough_user("Lewisham")
    create_organisation("Deptford Youth Project", boroughs=("Lewisham",))
    create_organisation("Catford Community Kitchen", boroughs=("Lewisham", "Southwark"))
    create_organisation("Brixton Youth Forum", boroughs=("Lambeth",))
    sign_in_as(page, council_member)
    page.get_by_role("link", name="See organisations working in Lewisham").click()
    assert page.url.endswith("/boroughs/E09000023")
    assert page.locator("h1").inner_text().startswith("Lewisham")
    table = page.get_by_role("table", name="Organisations working in Lewisham")
    expect(table.get_by_role("cell", name="Deptford Youth Project")).to_be_visible()
    assert table.get_by_role("cell", name="Brixton Youth Forum").count() == 0
    assert_accessible(page)


def test_another_boroughs_page_shows_a_lewisham_borough_user_only_what_the_public_sees(page, assert_accessible):
    council_member = create_borough_user("Lewisham")
    create_organisation("Brixton Youth Forum", boroughs=("Lambeth",))
    sign_in_as(page, council_member)
    response = page.goto("/boroughs/E09000022")  # Lambeth
    assert response.status == 200
    assert page.get_by_role("heading", name="Organisations working here").count() == 0
    assert page.get_by_text("Brixton Youth Forum").count() == 0
    assert_accessible(page)
