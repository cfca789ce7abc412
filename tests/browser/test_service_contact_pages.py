"""A service's public contact details in a real browser: the provider's form with a mistake and then sent, the
officer's queue and approval, and the public service page showing them; each checked with axe-core and at 375 px."""

from playwright.sync_api import expect

from portal.models import MembershipRole
from tests.browser.conftest import sign_in_as
from tests.factories import create_member, create_organisation
from tests.factories_assessment import create_officer
from tests.factories_monitoring import create_award


def test_a_provider_sends_contact_details_an_officer_approves_and_the_public_sees_them(
    page, assert_accessible, assert_fits_a_phone
):
    officer = create_officer()
    organisation = create_organisation("Safer Southwark")
    owner = create_member(organisation, MembershipRole.OWNER, email="owner@example.org")
    award = create_award(organisation, officer=officer, title="Safer streets after school")
    sign_in_as(page, owner)

    page.goto(f"/organisations/{organisation.id}/awards/{award.id}")
    page.get_by_role("link", name="Keep the service's public contact details").click()
    expect(page.locator("h1")).to_have_text("How the public reaches Safer streets after school")
    assert_accessible(page)
    assert_fits_a_phone(page)

    page.get_by_label("Public email address (optional)").fill("owner@example.org")
    page.get_by_label("How to be referred, or to refer someone").fill("Schools refer by phone.")
    page.get_by_role("button", name="Send for approval").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.get_by_label("Who it is for")).to_have_value("")
    expect(page.get_by_label("How to be referred, or to refer someone")).to_have_value("Schools refer by phone.")
    assert_accessible(page)

    page.get_by_label("Public email address (optional)").fill("referrals@safer.example.org")
    page.get_by_label("Public phone number (optional)").fill("020 7946 0000")
    page.get_by_label("Who it is for").fill("Young people at risk of exploitation")
    page.get_by_label("Somali").check()
    page.get_by_label("Southwark").check()
    page.get_by_label("Postcode districts it is delivered in (optional)").fill("SE15")
    page.get_by_role("button", name="Send for approval").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("sent for approval")
    assert_accessible(page)

    page.goto(f"/services/{award.id}")
    expect(page.locator("#contact")).to_contain_text("has not published how to reach this service")

    page.context.clear_cookies()
    sign_in_as(page, officer)
    page.goto("/staff/service-contacts")
    expect(page.locator("h1")).to_have_text("Service contact details to approve")
    assert_accessible(page)
    page.get_by_role("link", name="Safer streets after school").click()
    expect(page.locator("h1")).to_have_text("Contact details of Safer streets after school")
    assert_accessible(page)
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("are published")

    page.context.clear_cookies()
    page.goto(f"/services/{award.id}")
    contact = page.locator("#contact")
    expect(contact).to_contain_text("referrals@safer.example.org")
    expect(contact).to_contain_text("Across Southwark; and in postcode district SE15")
    expect(contact).to_contain_text("Somali")
    assert_accessible(page)
    assert_fits_a_phone(page)
