"""The outcomes framework, mapping, the commissioning catalogue and the outcomes dashboard in a real browser, every
page checked with axe: officers' pages from a draft to publication, and what the public sees."""

import pytest
from playwright.sync_api import expect

from tests.borough_projects_support import plan_in
from tests.browser.conftest import sign_in_as
from tests.factories_monitoring import create_award, create_measure
from tests.factories_outcomes import catalogue_entry, map_measure, outcomes_officer, published_framework


@pytest.fixture
def officer():
    return outcomes_officer()


def test_an_officer_drafts_and_publishes_the_framework(page, assert_accessible, officer):
    sign_in_as(page, officer)
    page.get_by_role("link", name="Outcomes framework and the commissioning catalogue").click()
    expect(page.get_by_role("heading", name="Outcomes framework", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Start the framework").click()
    expect(page.get_by_role("heading", name="Outcomes framework", exact=True)).to_be_visible()
    page.get_by_label("Title").fill("Police and Crime Plan outcomes")
    page.get_by_role("button", name="Save title and introduction").click()
    expect(page.get_by_role("heading", name="Police and Crime Plan outcomes")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Add an outcome").click()
    expect(page.get_by_role("heading", name="Add an outcome")).to_be_visible()
    page.get_by_label("Outcome", exact=True).fill("Fewer victims of violence")
    page.get_by_role("button", name="Save outcome").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.get_by_label("Outcome", exact=True).input_value() == "Fewer victims of violence"
    assert_accessible(page)
    page.get_by_label("Description").fill("Less violence, and fewer people hurt by it.")
    page.get_by_role("button", name="Save outcome").click()
    expect(page.get_by_text("Less violence, and fewer people hurt by it.")).to_be_visible()

    page.get_by_role("link", name="Change Fewer victims of violence").click()
    expect(page.get_by_role("heading", name="Change outcome")).to_be_visible()
    assert_accessible(page)
    page.go_back()
    page.get_by_role("button", name="Publish version 1").click()
    expect(page.get_by_text("Version 1 is published")).to_be_visible()
    expect(page.get_by_role("link", name="Add an outcome")).to_have_count(0)
    assert_accessible(page)


def test_an_officer_maps_what_is_not_yet_mapped(page, assert_accessible, officer):
    published_framework(officer)
    create_measure(create_award(title="Southwark youth violence"), "Young people engaged")
    plan_in("Lewisham", names=("Lewisham mentoring",))
    sign_in_as(page, officer)
    page.goto("/staff/outcomes/unmapped")
    expect(page.get_by_role("heading", name="Not yet mapped to an outcome")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Choose an outcome for Young people engaged").click()
    expect(page.get_by_role("heading", name="Choose an outcome")).to_be_visible()
    page.get_by_role("button", name="Save outcome").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Fewer victims of violence").check()
    page.get_by_role("button", name="Save outcome").click()
    expect(page.get_by_text("is mapped to an outcome")).to_be_visible()
    page.get_by_role("link", name="Choose an outcome for Lewisham mentoring").click()
    expect(page.get_by_role("heading", name="Choose an outcome")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Reduced reoffending").check()
    page.get_by_role("button", name="Save outcome").click()
    expect(page.get_by_text("Every borough project is mapped.")).to_be_visible()


def test_an_officer_writes_and_publishes_a_catalogue_entry(page, assert_accessible, officer):
    framework = published_framework(officer)
    award = create_award(title="Southwark youth violence")
    map_measure(create_measure(award, "Young people engaged"), framework, "Fewer victims of violence")
    sign_in_as(page, officer)
    page.goto("/staff/outcomes/catalogue")
    expect(page.get_by_role("heading", name="The commissioning catalogue")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Southwark youth violence").click()
    expect(page.get_by_role("heading", name="Southwark youth violence: catalogue entry")).to_be_visible()
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Why the service exists").fill("Young people in Southwark are being drawn into violence.")
    page.get_by_label("Evidence of the need").fill("Serious youth violence rose in 2024 (MPS recorded crime).")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("The draft is saved")).to_be_visible()
    page.get_by_role("button", name="Publish the entry").click()
    expect(page.get_by_text("The entry is published")).to_be_visible()
    assert_accessible(page)


def test_the_public_see_the_framework_the_dashboard_and_a_services_catalogue_entry(page, assert_accessible):
    framework = published_framework()
    award = create_award(title="Southwark youth violence")
    map_measure(create_measure(award, "Young people engaged"), framework, "Fewer victims of violence")
    catalogue_entry(award)
    page.goto("/outcomes")
    expect(page.get_by_role("heading", name="Police and Crime Plan outcomes")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="What funded services achieve for each outcome").click()
    expect(page.get_by_role("heading", name="What funded services achieve for each outcome", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Borough", exact=True).select_option(label="Southwark")
    page.get_by_role("button", name="Show figures").click()
    expect(page.get_by_role("link", name="Clear filters")).to_be_visible()
    assert_accessible(page)
    page.goto(f"/services/{award.id}")
    expect(page.get_by_role("heading", name="Why it is funded")).to_be_visible()
    expect(page.get_by_role("link", name="Fewer victims of violence")).to_be_visible()
    assert_accessible(page)


def test_the_outcomes_pages_before_any_framework_are_accessible(page, assert_accessible):
    page.goto("/outcomes")
    expect(page.get_by_text("No outcomes framework has been published yet.")).to_be_visible()
    assert_accessible(page)
    page.goto("/dashboards/outcomes")
    expect(page.get_by_text("No outcomes framework has been published yet.")).to_be_visible()
    assert_accessible(page)
