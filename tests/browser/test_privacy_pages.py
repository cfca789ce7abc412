"""The privacy pages in a real browser, each checked with axe-core."""

from playwright.sync_api import expect

from portal.models import StaffRole
from tests.browser.conftest import sign_in_as
from tests.factories import PASSWORD, create_user
from tests.privacy_support import plant_on_both_sides


def test_an_administrator_reaches_the_retention_report_from_the_staff_home(page, assert_accessible):
    plant_on_both_sides()
    admin = create_user("admin@example.org", full_name="Ada Admin", staff_role=StaffRole.ADMIN)
    sign_in_as(page, admin)
    page.get_by_role("link", name="Retention of personal data").click()
    expect(page.locator("h1")).to_have_text("Retention of personal data")
    row = page.locator("tbody tr").filter(has_text="Emails we send you")
    expect(row.locator("td").last).to_have_text("2")
    assert_accessible(page)


def test_the_privacy_notice_lists_every_period_and_is_accessible(page, assert_accessible):
    page.goto("/privacy")
    expect(page.locator("h1")).to_have_text("Privacy notice")
    expect(page.locator("#funded_bids + .govuk-summary-list")).to_contain_text("7 years after the grant ends")
    assert_accessible(page)


def test_a_member_closes_their_account_from_their_account_page(page, assert_accessible):
    from tests.factories import create_member, create_organisation

    member = create_member(create_organisation("Quorn Street Youth Club"), email="pq@example.org", full_name="Pip Q")
    sign_in_as(page, member)
    page.goto("/account")
    page.get_by_role("link", name="Close your account").click()
    expect(page.locator("h1")).to_have_text("Close your account")
    expect(page.get_by_text("you leave Quorn Street Youth Club")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Close my account").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm that you understand")
    assert_accessible(page)
    page.get_by_label("I understand that I will not be able to sign in again").check()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Close my account").click()
    expect(page.get_by_text("Your account is closed. You have been signed out.")).to_be_visible()
    page.goto("/account")
    expect(page.locator("h1")).to_have_text("Sign in")


def test_an_administrator_records_erasure_requests(page, assert_accessible):
    from tests.factories import create_member, create_organisation

    create_member(create_organisation(), email="asker@example.org", full_name="Ash Asker")
    admin = create_user("admin@example.org", full_name="Ada Admin", staff_role=StaffRole.ADMIN)
    sign_in_as(page, admin)
    page.get_by_role("link", name="Erasure requests").click()
    expect(page.locator("h1")).to_have_text("Erasure requests")
    assert_accessible(page)
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the reason for the decision")
    assert_accessible(page)
    page.get_by_label("Email address of the person's account").fill("asker@example.org")
    page.get_by_label("Refuse the request").check()
    page.get_by_label("Reason").fill("Their grant's records are kept for 7 years")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("The refusal has been recorded.")).to_be_visible()
    expect(page.locator("tbody tr").first).to_contain_text("Ash Asker")
    assert_accessible(page)
