"""The open-data page, with files to download and before any award is approved."""

from portal.opendata import files
from tests.opendata_support import london_awards


def test_the_open_data_page_is_accessible_and_links_to_each_file(page, assert_accessible):
    london_awards()
    files.regenerate()
    page.goto("/data")
    assert page.locator("h1").inner_text() == "Open data"
    assert page.get_by_role("link", name="Grants as 360Giving JSON").is_visible()
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Grants as CSV").click()
    assert download.value.suggested_filename == "mopac-grants-360giving.csv"


def test_the_open_data_page_before_any_award_is_approved_is_accessible(page, assert_accessible):
    page.goto("/data")
    assert page.get_by_text("No awards have been approved yet").is_visible()
    assert page.get_by_role("link", name="Performance as CSV").is_visible()
    assert_accessible(page)


def test_the_footer_links_to_open_data(page):
    page.goto("/")
    page.get_by_role("link", name="Open data").click()
    assert page.locator("h1").inner_text() == "Open data"
