"""The public borough pages in a real browser: accessible (axe), usable with the keyboard alone, and no sideways
scrolling on a phone."""

from datetime import date

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.periods import financial_year_start
from tests.directory_support import create_service, rate, today

HACKNEY = "E09000012"


@pytest.fixture
def services():
    start = date(financial_year_start(today()), 4, 1)
    rated = create_service(
        "East London advocacy", boroughs=("Hackney", "Camden"), start=start, amounts_pence=(100_000_00, 90_000_00)
    )
    rate(rated, 0, 100)
    create_service("Hackney youth mentoring", boroughs=("Hackney",), start=start)
    create_service("London victims helpline", pan_london=True, start=start)
    db.session.commit()
    return rated


def test_the_borough_page_is_accessible_fits_a_phone_and_works_by_keyboard(
    page, assert_accessible, assert_fits_a_phone, services
):
    page.goto(f"/boroughs/{HACKNEY}")
    assert page.locator("h1").inner_text().startswith("Hackney")
    expect(page.get_by_role("link", name="London victims helpline")).to_be_visible()
    assert_accessible(page)
    assert_fits_a_phone(page)

    # By keyboard alone: choose next year and show it, then follow a service's link.
    next_year = financial_year_start(today()) + 1
    page.get_by_label("Financial year").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/boroughs/{HACKNEY}?year={next_year}")
    expect(page.locator("h1")).to_contain_text(f"{next_year}/{(next_year + 1) % 100:02d}")
    link = page.get_by_role("link", name="East London advocacy")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/services/*")
    expect(page.locator("h1")).to_have_text("East London advocacy")


def test_finding_a_borough_by_postcode_is_accessible_and_fits_a_phone(page, assert_accessible, assert_fits_a_phone):
    page.goto("/boroughs")
    assert_accessible(page)
    assert_fits_a_phone(page)
    page.get_by_label("Postcode or postcode district").fill("not a postcode")
    page.get_by_role("button", name="Find the borough").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Postcode or postcode district").fill("SE5")
    page.get_by_role("button", name="Find the borough").click()
    expect(page.get_by_role("link", name="Lambeth").first).to_be_visible()
    assert_accessible(page)
    assert_fits_a_phone(page)
