"""Monitoring pages in a real browser: the published rating rules, an organisation's awards and the return form,
and the officers' returns table, award page, review and rating override, each checked with axe-core."""

from playwright.sync_api import expect

from portal.extensions import db
from portal.models import MembershipRole, ReturnStatus
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, create_member, create_organisation
from tests.factories_assessment import create_officer
from tests.factories_monitoring import create_award, create_measure, first_return


def sign_in_as(page, user) -> None:
    db.session.commit()
    sign_in(page, user.email, PASSWORD)


def an_award():
    officer = create_officer()
    organisation = create_organisation("Safer Southwark")
    owner = create_member(organisation, MembershipRole.OWNER, email="owner@example.org")
    award = create_award(organisation, officer=officer)  # from April 2025: its first quarters have ended
    measure = create_measure(award, "Young people engaged", target=100)
    return officer, owner, award, measure


def test_the_rating_rules_page_is_accessible_to_everyone(page, assert_accessible):
    page.goto("/performance/rules")
    expect(page.locator("h1")).to_have_text("How we rate the services we fund")
    assert_accessible(page)


def test_an_organisations_awards_and_an_awards_returns_are_accessible(page, assert_accessible):
    _, owner, award, _ = an_award()
    sign_in_as(page, owner)
    page.goto(f"/organisations/{award.organisation_id}/awards")
    assert_accessible(page)
    page.get_by_role("link", name="Safer streets after school").click()
    expect(page.locator("h1")).to_have_text("Safer streets after school")
    expect(page.get_by_role("link", name="Q1 2025/26")).to_be_visible()
    assert_accessible(page)


def test_filling_in_a_return_with_mistakes_then_submitting_it_is_accessible(page, assert_accessible):
    _, owner, award, _ = an_award()
    return_id = first_return(award).id
    sign_in_as(page, owner)
    page.goto(f"/organisations/{award.organisation_id}/awards/{award.id}/returns/{return_id}")
    assert_accessible(page)
    page.get_by_label("Spend in the period").fill("ten thousand")
    page.get_by_role("button", name="Submit return").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.get_by_label("Spend in the period").input_value() == "ten thousand"
    assert_accessible(page)

    page.get_by_label("Spend in the period").fill("10000")
    page.get_by_label("People helped in the period").fill("42")
    page.get_by_label("Young people engaged").fill("95")
    page.get_by_label("Progress").fill("Twelve sessions after school.")
    page.get_by_label("Case study (optional)").fill("A young person went back to school.")
    page.get_by_label("We agree that this case study may be published as good practice").check()
    page.get_by_role("button", name="Submit return").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Return Q1 2025/26 submitted.")
    assert_accessible(page)
    db.session.commit()  # end this test's read, to see what the browser wrote
    assert first_return(award).status is ReturnStatus.SUBMITTED


def test_the_officers_returns_table_and_award_page_are_accessible(page, assert_accessible):
    officer, _, award, _ = an_award()
    sign_in_as(page, officer)
    page.goto("/staff/monitoring/returns?show=overdue")
    expect(page.get_by_role("link", name=award.reference).first).to_be_visible()
    assert_accessible(page)
    page.goto(f"/staff/monitoring/awards/{award.id}")
    page.get_by_role("button", name="Add measure").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Change Young people engaged").click()
    page.get_by_label("Target").fill("120")
    page.get_by_role("button", name="Save measure").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Measure “Young people engaged” saved.")
    assert_accessible(page)


def test_reviewing_a_return_and_overriding_a_rating_are_accessible(page, assert_accessible):
    officer, owner, award, _ = an_award()
    return_ = first_return(award)
    return_.status, return_.spend_pence, return_.people_helped = ReturnStatus.SUBMITTED, 10_000_00, 40
    return_.submitted_by = owner
    db.session.commit()
    sign_in_as(page, officer)
    page.goto(f"/staff/monitoring/awards/{return_.award_id}/returns/{return_.id}")
    page.get_by_role("button", name="Send query").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Accept return").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Overall rating:")
    expect(page.get_by_role("link", name="Change spend rating")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Change spend rating").click()
    page.get_by_label("Red").check()
    page.get_by_role("button", name="Change rating").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Reason").fill("Spend moved to the next quarter by agreement.")
    page.get_by_role("button", name="Change rating").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Spend rating changed.")
    assert_accessible(page)
