"""Value-for-money pages in a real browser, each accessible (axe): the officers' library, deflator import, an
analysis from start to publication, and the public list, analysis and service page."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in_as
from tests.factories_assessment import create_officer
from tests.factories_monitoring import create_award
from tests.value_support import create_unit_value, import_series, published_analysis


@pytest.fixture
def officer():
    return create_officer()


def test_an_officer_keeps_unit_values_and_imports_deflators(page, assert_accessible, officer, tmp_path):
    sign_in_as(page, officer)
    page.get_by_role("link", name="Value for money: cost-benefit analyses, unit values and deflators").click()
    expect(page.get_by_role("heading", name="Value for money", exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Unit values library").click()
    expect(page.get_by_role("heading", name="Unit values library")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Add a unit value").click()
    expect(page.get_by_role("heading", name="Add a unit value")).to_be_visible()
    page.get_by_label("Name").fill("Robbery (personal)")
    page.get_by_label("Value").fill("lots")
    page.get_by_role("button", name="Save unit value").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.get_by_label("Value").input_value() == "lots"
    assert_accessible(page)
    page.get_by_label("Value").fill("11320")
    page.get_by_label("Price year").fill("2015")
    page.get_by_label("Unit", exact=True).fill("offence")
    page.get_by_label("Source", exact=True).fill("Home Office, The economic and social costs of crime (2018)")
    page.get_by_role("button", name="Save unit value").click()
    expect(page.get_by_role("cell", name="£11,320.00")).to_be_visible()

    page.goto("/staff/value/deflators")
    expect(page.get_by_role("heading", name="GDP deflator series")).to_be_visible()
    assert_accessible(page)
    bad = tmp_path / "deflators.csv"
    bad.write_text("year,index\n2024,abc\n")
    page.get_by_label("Where the series comes from").fill("HM Treasury")
    page.get_by_label("The file").set_input_files(str(bad))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("cell", name="'abc' is not an index: a number more than 0, like 101.25")).to_be_visible()
    assert_accessible(page)


def test_an_officer_builds_and_publishes_an_analysis(page, assert_accessible, officer):
    import_series(officer)
    create_unit_value(officer)
    award = create_award(title="Safer streets after school", officer=officer)
    sign_in_as(page, officer)
    page.goto("/staff/value")
    page.get_by_role("button", name="Start an analysis").click()
    expect(page.get_by_role("heading", name="Start a cost-benefit analysis")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Service", exact=True).select_option(str(award.id))
    page.get_by_label("Title").fill("What the after-school service is worth")
    page.get_by_label("Analysis year").fill("2025")
    page.get_by_role("button", name="Start the analysis").click()
    expect(page.get_by_role("heading", name="What the after-school service is worth")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Add an outcome").click()
    expect(page.get_by_role("heading", name="Add an outcome")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Outcome", exact=True).fill("Violent offences avoided")
    page.get_by_label("Unit value").select_option(label="Violence with injury: £14,050.00 per offence (2015/16 prices)")
    page.get_by_label("Number of outcomes (when entered by hand)").fill("10")
    page.get_by_label("Where the number comes from (when entered by hand)").fill("Interim evaluation's estimate")
    page.get_by_label("Deadweight (%)").fill("20")
    page.get_by_role("button", name="Save outcome").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Reason for the deadweight").fill("A fifth would have happened anyway.")
    page.get_by_role("button", name="Save outcome").click()
    expect(page.get_by_text("1.80 (every £1 spent returns £1.80 of benefits)")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Change the title, year 0, summary, optimism bias or sensitivity range").click()
    expect(page.get_by_role("heading", name="Change the analysis")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Summary for the public").fill("Violence avoided by the young people it supported.")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Publish this analysis").click()
    expect(page.get_by_text("Analysis published.")).to_be_visible()
    page.get_by_role("link", name="See it in public").click()
    expect(page.get_by_role("heading", name="What the after-school service is worth")).to_be_visible()
    assert_accessible(page)


def test_the_public_finds_published_analyses_from_the_list_and_the_service(page, assert_accessible, officer):
    import_series(officer)
    award = create_award(title="Safer streets after school", officer=officer)
    published_analysis(award, officer, "What the after-school service is worth")
    page.goto("/value-for-money")
    expect(page.get_by_role("heading", name="Cost-benefit analyses of funded services")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Safer streets after school").click()
    expect(page.get_by_text("a benefit-cost ratio of 1.80")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="What the after-school service is worth").click()
    expect(page.get_by_role("table", name="Costs, step by step")).to_be_visible()
    assert_accessible(page)
