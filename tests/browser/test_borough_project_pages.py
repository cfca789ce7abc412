"""A borough's LCPF projects on the public pages, in a real browser, checked with axe-core."""

import pytest
from playwright.sync_api import expect

from tests.borough_projects_support import commissioned, plan_in, report_two_quarters


@pytest.fixture
def lewisham():
    plan = plan_in("Lewisham", names=("Safer Streets mentoring", "Catford night safety patrols"))
    commissioned(plan.projects[0])
    report_two_quarters(plan.projects[0])
    return plan


def test_a_borough_project_found_in_the_directory_has_an_accessible_page_that_fits_a_phone(
    page, assert_accessible, assert_fits_a_phone, lewisham
):
    page.goto("/services?fund=lcpf-boroughs")
    expect(page.get_by_role("link", name="Safer Streets mentoring")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Safer Streets mentoring").click()
    expect(page.locator("h1")).to_have_text("Safer Streets mentoring")
    expect(page.get_by_text("London Crime Prevention Fund via the London Borough of Lewisham").first).to_be_visible()
    expect(page.get_by_role("table", name="Funding by financial year (April to March)")).to_be_visible()
    assert_accessible(page)
    assert_fits_a_phone(page)


def test_a_project_without_an_accepted_return_is_accessible_on_the_borough_page_too(
    page, assert_accessible, assert_fits_a_phone, lewisham
):
    page.goto(f"/services/borough-projects/{lewisham.projects[1].id}")
    expect(page.get_by_text("No quarterly return has been accepted yet")).to_be_visible()
    assert_accessible(page)
    page.goto("/boroughs/E09000023")
    expect(page.get_by_role("link", name="Catford night safety patrols")).to_be_visible()
    assert_accessible(page)
    assert_fits_a_phone(page)


def test_the_dashboards_lcpf_section_is_accessible_has_tables_and_fits_a_phone(
    page, assert_accessible, assert_fits_a_phone, lewisham
):
    from portal.lcpf import versions
    from tests.lcpf_support import import_real_files, parameters

    import_real_files()
    versions.publish(versions.create_draft("Allocations 2026 to 2028", parameters(years=(2026, 2027)), None), None)
    page.goto("/dashboards?year=2026")
    section = page.locator("#lcpf-by-borough")
    expect(section).to_be_visible()
    section.get_by_text("Show the figures as a table").click()
    expect(page.get_by_role("table", name="Borough allocations, 2026/27")).to_be_visible()
    page.locator("#lcpf-on-time").get_by_text("Show the figures as a table").click()
    expect(page.get_by_role("table", name="Allocations, plans and returns on time")).to_be_visible()
    assert_accessible(page)
    assert_fits_a_phone(page)
