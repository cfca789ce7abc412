"""The open-data page, with files to download and before any award is approved."""

from playwright.sync_api import expect

from portal.opendata import files
from tests.opendata_support import london_awards


def test_the_open_data_page_is_accessible_and_links_to_each_file(page, assert_accessible):
    london_awards()
    files.regenerate()
    page.goto("/data")
    expect(page.locator("h1")).to_have_text("Open data")
    expect(page.get_by_role("link", name="Grants as 360Giving JSON")).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Grants as CSV").click()
    assert download.value.suggested_filename == "mopac-grants-360giving.csv"


def test_the_open_data_page_before_any_award_is_approved_is_accessible(page, assert_accessible):
    files.regenerate()
    page.goto("/data")
    expect(page.get_by_text("No awards have been approved yet")).to_be_visible()
    expect(page.get_by_role("link", name="Performance as CSV")).to_be_visible()
    assert_accessible(page)


def test_the_footer_links_to_open_data(page):
    page.goto("/")
    page.get_by_role("link", name="Open data").click()
    expect(page.locator("h1")).to_have_text("Open data")


def test_a_file_asked_for_before_any_is_made_says_it_is_being_prepared_accessibly(page, assert_accessible):
    london_awards()
    page.goto("/data/360giving.json")
    expect(page.locator("h1")).to_have_text("The open data files are being prepared")
    assert_accessible(page)
    page.get_by_role("link", name="open data", exact=True).click()
    expect(page.get_by_text("The files are being prepared")).to_be_visible()
    assert_accessible(page)
