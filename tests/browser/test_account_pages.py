"""Account pages in a real browser: each one checked with axe-core, with its error states where it has them."""

from flask import render_template
from playwright.sync_api import expect

from portal.auth import tokens
from portal.models import StaffRole
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, create_member, create_organisation, create_user


def reset_token_for(user) -> str:
    """A password reset token, made the way the service makes the one it emails."""
    return tokens.make_token(
        tokens.PASSWORD_RESET,
        {"user": user.id, "fingerprint": tokens.password_fingerprint(user.password_hash)},
    )


def test_signing_in_and_out_with_the_keyboard_alone_works(page, assert_accessible):
    organisation = create_organisation("Peckham Women's Aid")
    user = create_member(organisation, email="owner@example.org", full_name="Priya Shah")
    email = user.email
    page.goto("/sign-in")
    page.get_by_label("Email address", exact=True).focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")  # GOV.UK Frontend's "Show" button for the password
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Sign in"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Peckham Women's Aid")
    expect(page.get_by_text("Signed in as Priya Shah")).to_be_visible()

    page.get_by_role("button", name="Sign out").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Sign in")
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    assert page.get_by_role("button", name="Sign out").count() == 0
    assert_accessible(page)


def test_your_account_page_is_accessible(page, assert_accessible):
    organisation = create_organisation("Peckham Women's Aid")
    user = create_member(organisation, email="owner@example.org", full_name="Priya Shah")
    sign_in(page, user.email, PASSWORD)
    page.goto("/account")
    expect(page.locator("h1")).to_have_text("Your account")
    assert page.get_by_role("link", name="Peckham Women's Aid").count() >= 1
    assert_accessible(page)


def test_a_staff_account_page_shows_the_staff_role_and_is_accessible(page, assert_accessible):
    user = create_user("officer@example.org", staff_role=StaffRole.GRANT_OFFICER)
    sign_in(page, user.email, PASSWORD)
    page.goto("/account")
    expect(page.get_by_text("Staff role")).to_be_visible()
    assert_accessible(page)


def test_change_password_page_is_accessible(page, assert_accessible):
    user = create_user("someone@example.org")
    sign_in(page, user.email, PASSWORD)
    page.goto("/account")
    page.get_by_role("link", name="Change password").click()
    expect(page.locator("h1")).to_have_text("Change your password")
    assert_accessible(page)


def test_change_password_errors_are_accessible_and_linked_to_their_fields(page, assert_accessible):
    user = create_user("someone@example.org")
    sign_in(page, user.email, PASSWORD)
    page.goto("/account/password")
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password").fill("short")
    page.get_by_label("Confirm password").fill("different")
    page.get_by_role("button", name="Change password").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert page.title().startswith("Error: ")
    expect(summary.get_by_role("link", name="The passwords do not match")).to_be_visible()
    assert_accessible(page)


def test_a_wrong_current_password_is_shown_beside_its_field_accessibly(page, assert_accessible):
    user = create_user("someone@example.org")
    sign_in(page, user.email, PASSWORD)
    page.goto("/account/password")
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password").fill("violet-harbour-cobble-42")
    page.get_by_label("Confirm password").fill("violet-harbour-cobble-42")
    page.get_by_role("button", name="Change password").click()

    page.locator(".govuk-error-summary").get_by_role("link", name="Your current password is not right").click()
    assert page.evaluate("document.activeElement.id") == "current_password"
    assert_accessible(page)


def test_changing_a_password_with_the_keyboard_alone_works(page, assert_accessible):
    user = create_user("someone@example.org")
    sign_in(page, user.email, PASSWORD)
    page.goto("/account/password")
    page.get_by_label("Current password").focus()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")  # GOV.UK Frontend's "Show" button follows each password input
    page.keyboard.press("Tab")
    page.keyboard.type("violet-harbour-cobble-42")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("violet-harbour-cobble-42")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.locator("h1")).to_have_text("Your account")
    expect(page.get_by_text("Your password has been changed.")).to_be_visible()
    assert_accessible(page)


def test_confirm_your_email_page_is_accessible_for_an_unconfirmed_user(page, assert_accessible):
    user = create_user("new@example.org", confirmed=False)
    sign_in(page, user.email, PASSWORD)
    assert page.url.endswith("/confirm-email")
    expect(page.locator("h1")).to_have_text("Confirm your email address")
    assert_accessible(page)

    page.get_by_role("button", name="Send the link again").click()
    expect(page.get_by_text("We have sent a new link to new@example.org.")).to_be_visible()
    assert_accessible(page)


def test_reset_password_page_is_accessible(page, assert_accessible):
    user = create_user("forgetful@example.org")
    page.goto(f"/reset-password/{reset_token_for(user)}")
    expect(page.locator("h1")).to_have_text("Choose a new password")
    assert_accessible(page)


def test_reset_password_errors_are_accessible(page, assert_accessible):
    user = create_user("forgetful@example.org")
    page.goto(f"/reset-password/{reset_token_for(user)}")
    page.get_by_role("button", name="Save new password").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Enter a password")).to_be_visible()
    expect(summary.get_by_role("link", name="Confirm your password")).to_be_visible()
    assert_accessible(page)


def test_a_reset_link_works_once_and_then_shows_an_accessible_invalid_link_page(page, assert_accessible):
    user = create_user("forgetful@example.org")
    link = f"/reset-password/{reset_token_for(user)}"
    page.goto(link)
    page.get_by_label("New password").fill("violet-harbour-cobble-42")
    page.get_by_label("Confirm password").fill("violet-harbour-cobble-42")
    page.get_by_role("button", name="Save new password").click()
    expect(page.get_by_text("Your password has been changed. Sign in with your new password.")).to_be_visible()

    response = page.goto(link)
    assert response.status == 400
    expect(page.locator("h1")).to_have_text("This link does not work")
    expect(page.get_by_text("This link has expired or has already been used.")).to_be_visible()
    assert_accessible(page)


def test_a_forged_confirmation_link_shows_an_accessible_invalid_link_page(page, assert_accessible):
    response = page.goto("/confirm-email/not-a-real-token")
    assert response.status == 400
    expect(page.locator("h1")).to_have_text("This link does not work")
    assert_accessible(page)


def test_reset_link_sent_page_is_accessible(page, assert_accessible):
    page.goto("/forgotten-password")
    page.get_by_label("Email address").fill("anyone@example.org")
    page.get_by_role("button", name="Send me a reset link").click()
    expect(page.locator("h1")).to_have_text("Check your email")
    assert_accessible(page)


def test_too_many_sign_in_attempts_page_is_accessible(page, assert_accessible):
    page.goto("/sign-in")
    csrf_token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    for _ in range(10):  # SIGN_IN_RATE_LIMIT allows 10 a minute
        page.request.post(
            "/sign-in",
            form={"csrf_token": csrf_token, "email": "someone@example.org", "password": "wrong"},
        )
    page.get_by_label("Email address").fill("someone@example.org")
    page.get_by_label("Password", exact=True).and_(page.locator("input")).fill("wrong")
    with page.expect_response(lambda response: response.request.resource_type == "document") as answer:
        page.get_by_role("button", name="Sign in").click()
    assert answer.value.status == 429
    expect(page.locator("h1")).to_have_text("Too many attempts")
    assert_accessible(page)


def test_a_form_sent_without_its_session_shows_an_accessible_csrf_error_page(page, assert_accessible):
    page.goto("/sign-in")
    page.context.clear_cookies()
    page.get_by_label("Email address").fill("someone@example.org")
    page.get_by_label("Password", exact=True).and_(page.locator("input")).fill(PASSWORD)
    with page.expect_response(lambda response: response.request.resource_type == "document") as answer:
        page.get_by_role("button", name="Sign in").click()
    assert answer.value.status == 400
    expect(page.locator("h1")).to_have_text("Your form could not be sent")
    assert_accessible(page)


def test_server_error_page_is_accessible(app, page, live_server, assert_accessible):
    # Under TESTING, Flask re-raises errors instead of rendering errors/500.html, so the page is rendered here
    # as the error handler renders it and served at a live-server address, from where its assets load.
    with app.test_request_context("/"):
        html = render_template("errors/500.html")
    page.route(
        f"{live_server}/something-went-wrong",
        lambda route: route.fulfill(status=500, content_type="text/html; charset=utf-8", body=html),
    )
    response = page.goto("/something-went-wrong")
    assert response.status == 500
    expect(page.locator("h1")).to_have_text("Sorry, there is a problem with the service")
    assert "GDS Transport" in page.locator("h1").evaluate("heading => getComputedStyle(heading).fontFamily")
    assert_accessible(page)


def test_database_unavailable_page_is_accessible(app, page, live_server, assert_accessible):
    # Rendered as the handler for a lost database connection renders it, and served at a live-server address.
    with app.test_request_context("/"):
        html = render_template("errors/503.html")
    page.route(
        f"{live_server}/database-went-away",
        lambda route: route.fulfill(status=503, content_type="text/html; charset=utf-8", body=html),
    )
    response = page.goto("/database-went-away")
    assert response.status == 503
    expect(page.locator("h1")).to_have_text("Sorry, the service is unavailable for a moment")
    expect(page.locator("main")).to_contain_text("nothing from this page was saved")
    assert_accessible(page)
