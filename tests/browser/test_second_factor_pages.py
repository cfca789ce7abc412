"""The second factor in a real browser: setting it up, the sign-in step with the keyboard alone, recovery codes,
confirming it is you and the sessions page, each checked with axe-core."""

from playwright.sync_api import expect

from portal.auth.second_factor import current_code
from portal.extensions import db
from portal.models import StaffRole
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, create_member, create_organisation, create_user


def test_a_new_reviewer_sets_up_an_authenticator_app_before_anything_else(page, assert_accessible):
    reviewer = create_user(
        "grace@example.org", full_name="Grace Mensah", staff_role=StaffRole.REVIEWER, second_factor=False
    )
    sign_in(page, reviewer.email, PASSWORD)

    expect(page.locator("h1")).to_have_text("Set up your authenticator app")
    assert_accessible(page)
    page.get_by_text("I cannot scan the QR code").click()
    secret = page.locator(".app-secret").inner_text().replace(" ", "")
    page.get_by_role("button", name="Turn on").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Enter the 6-digit code from your app").fill(current_code(secret))
    page.get_by_role("button", name="Turn on").click()
    expect(page.locator("h1")).to_have_text("Save your recovery codes")
    assert page.locator(".app-recovery-codes li").count() == 10
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    assert page.url.endswith("/staff/")


def test_the_security_code_step_works_with_the_keyboard_alone(page, assert_accessible):
    officer = create_user("tom@example.org", full_name="Tom Brennan", staff_role=StaffRole.GRANT_OFFICER)
    secret = officer.totp_secret
    db.session.commit()
    page.goto("/sign-in")
    page.get_by_label("Email address", exact=True).fill(officer.email)
    page.get_by_label("Password", exact=True).and_(page.locator("input")).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator("h1")).to_have_text("Enter your security code")
    assert_accessible(page)
    page.get_by_label("Enter your security code").focus()
    page.keyboard.type("000000")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Enter your security code").fill("")
    page.get_by_label("Enter your security code").focus()
    page.keyboard.type(current_code(secret))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/staff/")


def test_the_recovery_code_confirm_it_is_you_and_sessions_pages_are_accessible(page, assert_accessible):
    officer = create_user("tom@example.org", staff_role=StaffRole.GRANT_OFFICER)
    db.session.commit()
    page.goto("/sign-in")
    page.get_by_label("Email address", exact=True).fill(officer.email)
    page.get_by_label("Password", exact=True).and_(page.locator("input")).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="I cannot use my authenticator app").click()
    expect(page.locator("h1")).to_have_text("Enter a recovery code")
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page)

    member = create_member(create_organisation(), email="owner@example.org")
    db.session.commit()
    page.context.clear_cookies()
    sign_in(page, member.email, PASSWORD)
    page.goto("/account/confirm-it-is-you?next=/account")
    expect(page.locator("h1")).to_have_text("Enter your password")
    assert_accessible(page)
    page.goto("/account/sessions")
    expect(page.locator("h1")).to_have_text("Where you are signed in")
    assert_accessible(page)
