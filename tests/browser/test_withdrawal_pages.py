"""Withdrawing an award in a real browser, checked with axe-core: the confirmation page, its error state, and the
officer's and the organisation's award pages showing the withdrawal."""

from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Award, AwardStatus, MembershipRole
from tests.browser.conftest import sign_in_as
from tests.factories import create_member
from tests.factories_assessment import create_officer
from tests.factories_monitoring import create_award

REASON = "The charity has merged with another and will not run this service."


def test_withdrawing_an_award_with_no_reason_then_with_one_is_accessible(page, assert_accessible):
    officer = create_officer()
    award = create_award(title="Safer journeys home in Croydon", boroughs=("Croydon",))
    sign_in_as(page, officer)
    page.goto(f"/staff/awards/{award.id}")
    page.get_by_role("button", name="Withdraw this award").click()
    expect(page.locator("h1")).to_have_text("Withdraw this award")
    expect(page.locator("#withdrawal-effects")).to_contain_text("takes the award off the public directory")
    assert_accessible(page)

    page.get_by_role("button", name="Withdraw the award").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert "Enter why the award is being withdrawn" in summary.inner_text()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    summary.get_by_role("link", name="Enter why the award is being withdrawn").click()
    assert page.evaluate("document.activeElement.id") == "reason"

    page.get_by_label("Why is the award being withdrawn?").fill(REASON)
    page.get_by_role("button", name="Withdraw the award").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("is withdrawn")
    banner = page.locator(".govuk-notification-banner", has=page.locator("#withdrawn"))
    assert "Withdrawn on" in banner.inner_text() and REASON in banner.inner_text()
    assert page.get_by_role("button", name="Withdraw this award").count() == 0
    assert_accessible(page)
    db.session.rollback()  # end this session's read snapshot to see what the server wrote
    assert db.session.get(Award, award.id).status is AwardStatus.WITHDRAWN


def test_the_organisations_page_for_a_withdrawn_award_is_accessible(page, assert_accessible):
    from portal.awards.withdrawal import withdraw_award

    award = create_award(title="Safer journeys home in Croydon", boroughs=("Croydon",))
    owner = create_member(award.organisation, MembershipRole.OWNER)
    withdraw_award(award, REASON, create_officer())
    sign_in_as(page, owner)
    page.goto(f"/organisations/{award.organisation_id}/awards/{award.id}")
    banner = page.locator(".govuk-notification-banner", has=page.locator("#withdrawn"))
    assert REASON in banner.inner_text()
    assert page.locator("#accept-agreement").count() == 0
    assert_accessible(page)


def test_the_officers_monitoring_page_for_a_withdrawn_award_is_accessible(page, assert_accessible):
    from portal.awards.withdrawal import withdraw_award

    officer = create_officer()
    award = create_award(title="Safer journeys home in Croydon", boroughs=("Croydon",))
    withdraw_award(award, REASON, officer)
    sign_in_as(page, officer)
    page.goto(f"/staff/monitoring/awards/{award.id}")
    expect(page.locator(".govuk-inset-text")).to_contain_text(f"The reason given: {REASON}")
    assert page.get_by_role("button", name="Add measure").count() == 0
    assert_accessible(page)
