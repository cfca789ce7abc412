"""The public formula pages in a real browser: accessible (axe), fit a phone, and the calculator works by keyboard
alone (and without JavaScript: it is a GET form the server answers)."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from portal.lcpf import versions
from tests.lcpf_support import import_real_files, parameters


@pytest.fixture
def published():
    import_real_files()
    first = versions.publish(versions.create_draft("First formula", parameters(13_000_000), None), None)
    second = versions.create_draft("Second formula", parameters(13_500_000, floor_percent=Decimal(98)), None)
    return first, versions.publish(second, None)


def test_the_published_formula_and_an_earlier_version_are_accessible(
    page, assert_accessible, assert_fits_a_phone, published
):
    first, _second = published
    page.goto("/funding-formula")
    expect(page.locator("h1")).to_have_text("Second formula")
    expect(page.get_by_role("row", name="Lambeth").first).to_be_visible()
    assert_accessible(page)
    assert_fits_a_phone(page)
    page.get_by_role("link", name="First formula").click()
    page.wait_for_url(f"**/funding-formula/versions/{first.id}")
    expect(page.locator("main")).to_contain_text("Superseded")
    assert_accessible(page)


def test_the_calculator_works_by_keyboard_alone_and_its_address_reproduces_it(
    page, assert_accessible, assert_fits_a_phone, published
):
    page.goto("/funding-formula/calculator")
    assert_accessible(page)
    assert_fits_a_phone(page)
    page.get_by_label("Recorded crime").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("100")
    page.keyboard.press("Tab")  # residents
    page.keyboard.press("Control+A")
    page.keyboard.type("0")
    page.keyboard.press("Tab")  # deprivation
    page.keyboard.press("Control+A")
    page.keyboard.type("0")
    page.get_by_label("Robbery").focus()
    page.keyboard.press("Space")
    page.get_by_label("Floor (optional)").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("99")
    page.keyboard.press("Enter")
    page.wait_for_url("**/funding-formula/calculator?*crime_weight=100*")
    assert "category=ROBBERY" in page.url
    assert not page.locator(".govuk-error-summary").count(), page.locator("main").inner_text()[:800]
    results = page.locator("#results").inner_text()
    assert results.startswith("Your choices for")
    table = page.get_by_role("table", name="Every borough: your choices next to the published allocation")
    westminster = table.get_by_role("row", name="Westminster").inner_text()
    assert_accessible(page)
    again = page.context.new_page()
    again.goto(page.url)
    assert (
        again.get_by_role("table", name="Every borough: your choices next to the published allocation")
        .get_by_role("row", name="Westminster")
        .inner_text()
        == westminster
    )


def test_the_calculator_shows_mistakes_beside_the_fields(page, assert_accessible, published):
    page.goto("/funding-formula/calculator?crime_weight=lots&population_weight=25&deprivation_weight=25&floor_percent=")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.get_by_label("Recorded crime").input_value() == "lots"
    assert_accessible(page)
