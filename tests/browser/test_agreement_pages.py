"""Agreement, payment and variation pages in a real browser, each checked with axe-core, with their error states:
making a direct award, accepting a grant agreement, the payments list, recording a payment, proposing and deciding
a variation."""

from datetime import date

import sqlalchemy as sa
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import GrantAgreement, Instalment, InstalmentStatus, MembershipRole, VariationStatus
from portal.periods import financial_year_label, financial_year_start
from tests.browser.conftest import sign_in_as
from tests.factories import create_member, create_organisation
from tests.factories_agreements import accepted_award
from tests.factories_assessment import create_officer
from tests.factories_funding import create_fund
from tests.factories_monitoring import create_award


def fill_date(page, field_id: str, day, month, year) -> None:
    dates = page.locator(f"#{field_id}")
    dates.get_by_label("Day").fill(str(day))
    dates.get_by_label("Month").fill(str(month))
    dates.get_by_label("Year").fill(str(year))


def test_making_a_direct_award_with_mistakes_then_correctly_is_accessible(page, assert_accessible):
    officer = create_officer()
    create_fund()
    create_organisation("Victim Support")
    sign_in_as(page, officer)
    page.goto("/staff/awards")
    page.get_by_role("button", name="Make a direct award").click()
    expect(page.locator("h1")).to_have_text("Make a direct award")
    assert_accessible(page)
    page.get_by_label("Title").fill("London Victims and Witnesses Service")
    page.locator("input[name^=amount_]").first.fill("lots")
    page.get_by_role("button", name="Approve award").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.get_by_label("Title").input_value() == "London Victims and Witnesses Service"
    assert_accessible(page)

    page.get_by_label("Fund").select_option(index=1)
    page.get_by_label("Organisation").select_option(label="Victim Support")
    page.get_by_label("What the award pays for").fill("Support for victims and witnesses of crime.")
    year = financial_year_start(date.today())
    fill_date(page, "start_date", 1, 4, year)
    fill_date(page, "end_date", 31, 3, year + 1)
    page.get_by_label(f"Amount for {financial_year_label(year)}").fill("30000")
    page.locator("input[name^=amount_]").first.fill("")
    page.get_by_label("The award covers the whole of London").check()
    page.get_by_label("Victim support").check()
    page.get_by_role("button", name="Approve award").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is approved")
    expect(page.locator("main")).to_contain_text("Waiting for Victim Support to accept the grant agreement")
    assert_accessible(page)


def test_accepting_a_grant_agreement_with_mistakes_then_correctly_is_accessible(page, assert_accessible):
    award = create_award()
    owner = create_member(award.organisation, MembershipRole.OWNER, email="owner@example.org")
    sign_in_as(page, owner)
    page.goto(f"/organisations/{award.organisation_id}/awards/{award.id}")
    assert_accessible(page)
    page.get_by_role("link", name="Accept your grant agreement").first.click()
    expect(page.locator("h1")).to_have_text("Accept your grant agreement")
    assert_accessible(page)
    page.get_by_label("Full name").fill("Helen Price")
    page.get_by_role("button", name="Accept the grant agreement").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.get_by_label("Full name").input_value() == "Helen Price"
    assert_accessible(page)
    page.get_by_label("Job title").fill("Chief executive")
    page.get_by_label("I have read the agreement").check()
    page.get_by_role("button", name="Accept the grant agreement").click()
    expect(page.locator("h1")).to_have_text("Your grant agreement")
    assert_accessible(page)
    db.session.commit()
    assert db.session.scalar(sa.select(GrantAgreement.signatory_name)) == "Helen Price"


def test_the_payments_list_releasing_and_recording_a_payment_are_accessible(page, assert_accessible):
    award, _ = accepted_award()  # from April 2025: its first quarters are due
    officer = create_officer()
    sign_in_as(page, officer)
    page.goto("/staff/payments")
    assert_accessible(page)
    page.get_by_role("button", name="Release Q1 2025/26").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is released")
    page.goto("/staff/payments?show=released")
    assert_accessible(page)
    page.get_by_role("link", name="Record as paid Q1 2025/26").click()
    assert_accessible(page)
    page.get_by_role("button", name="Record as paid").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    today = date.today()
    fill_date(page, "paid_on", str(today.day), str(today.month), str(today.year))
    page.get_by_label("Payment reference").fill("BACS-0042")
    page.get_by_role("button", name="Record as paid").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("recorded as paid")
    assert_accessible(page)
    page.goto(f"/staff/awards/{award.id}/agreement")
    assert_accessible(page)
    db.session.commit()
    first = db.session.scalar(sa.select(Instalment).order_by(Instalment.due_on))
    assert first.status is InstalmentStatus.PAID


def test_proposing_and_approving_a_variation_is_accessible(page, assert_accessible, browser, live_server):
    award, _ = accepted_award()
    proposer, approver = create_officer("Tom Brennan"), create_officer("Priya Shah")
    sign_in_as(page, proposer)
    page.goto(f"/staff/awards/{award.id}")
    page.get_by_role("link", name="Extend the award").click()
    assert_accessible(page)
    page.get_by_role("button", name="Propose variation").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    fill_date(page, "end_date", "30", "9", "2027")
    page.get_by_label("Amount for 2027/28").fill("20000")
    page.get_by_label("Reason for the variation").fill("Six more months while the service is re-procured.")
    page.get_by_role("button", name="Propose variation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Variation proposed")
    assert_accessible(page)

    context = browser.new_context(base_url=live_server)
    other = context.new_page()
    other.problems = []
    sign_in_as(other, approver)
    other.goto(page.url)
    other.get_by_label("Reject the variation").check()
    other.get_by_role("button", name="Record decision").click()
    expect(other.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(other)
    other.get_by_label("Approve the variation").check()
    other.get_by_role("button", name="Record decision").click()
    assert "Variation approved" in other.locator(".govuk-notification-banner").inner_text()
    assert_accessible(other)
    other.goto(f"/staff/awards/{award.id}")
    assert "History of variations" in other.locator("main").inner_text()
    assert_accessible(other)
    context.close()
    db.session.commit()
    from portal.models import Variation

    assert db.session.scalar(sa.select(Variation.status)) is VariationStatus.APPROVED
