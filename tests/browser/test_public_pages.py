import pytest

from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, create_member, create_organisation

PUBLIC_PAGES = [
    ("/", "Funding for crime prevention and victim services in London"),
    ("/sign-in", "Sign in"),
    ("/register", "Register your organisation"),
    ("/forgotten-password", "Reset your password"),
    ("/accessibility", "Accessibility statement"),
    ("/cookies", "Cookies"),
    ("/privacy", "Privacy notice"),
    ("/no-such-page", "Page not found"),
]


@pytest.mark.parametrize(("path", "heading"), PUBLIC_PAGES)
def test_public_page_is_accessible(page, assert_accessible, path, heading):
    page.goto(path)
    assert page.locator("h1").inner_text() == heading
    assert_accessible(page)


def test_registration_errors_are_accessible_and_keep_what_was_typed(page, assert_accessible):
    page.goto("/register")
    page.get_by_label("Organisation name").fill("Brixton Youth Forum")
    page.get_by_label("Postcode").fill("not a postcode")
    page.get_by_role("button", name="Register").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert page.get_by_label("Organisation name").input_value() == "Brixton Youth Forum"
    assert_accessible(page)


def test_forbidden_page_is_accessible(page, assert_accessible):
    mine = create_organisation("Mine")
    theirs = create_organisation("Theirs")
    user = create_member(mine, email="owner@example.org")
    sign_in(page, user.email, PASSWORD)
    response = page.goto(f"/organisations/{theirs.id}")
    assert response.status == 403
    assert page.locator("h1").inner_text() == "You do not have permission to see this page"
    assert_accessible(page)


def test_skip_link_is_the_first_thing_a_keyboard_reaches(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
