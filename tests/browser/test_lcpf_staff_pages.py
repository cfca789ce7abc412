"""The officers' formula pages in a real browser: each accessible (axe) and reached from the staff home."""

import pytest
from playwright.sync_api import expect

from portal.lcpf import versions
from tests.browser.conftest import sign_in_as
from tests.factories_assessment import create_officer
from tests.lcpf_support import import_real_files, parameters


@pytest.fixture
def formula_versions():
    import_real_files()
    published = versions.publish(versions.create_draft("Published formula", parameters(13_000_000), None), None)
    draft = versions.create_draft("Outer London draft", parameters(13_500_000, years=(2026, 2027)), None)
    return published, draft


def test_an_officer_finds_the_versions_and_a_drafts_workings(page, assert_accessible, formula_versions):
    _published, draft = formula_versions
    sign_in_as(page, create_officer())
    page.get_by_role("link", name="Funding formula versions (London Crime Prevention Fund)").click()
    expect(page.get_by_role("heading", name="Formula versions")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Outer London draft").click()
    expect(page.get_by_role("heading", name="Outer London draft")).to_be_visible()
    expect(page.get_by_role("row", name="Lambeth").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Show 2027/28").click()
    expect(page.get_by_role("heading", name="Every borough's workings, 2027/28")).to_be_visible()
    assert page.url.endswith(f"/staff/lcpf/versions/{draft.id}?year=2027#allocations")


def test_an_officer_drafts_a_version_fixing_a_mistake_on_the_way(page, assert_accessible, formula_versions):
    sign_in_as(page, create_officer())
    page.goto("/staff/lcpf/versions")
    page.get_by_role("button", name="Draft a new version").click()
    expect(page.get_by_role("heading", name="Draft a new formula version")).to_be_visible()
    assert page.get_by_label("Title").input_value() == "Copy of Published formula"
    assert_accessible(page)
    page.get_by_label("Title").fill("")
    page.get_by_label("Chosen major categories, each with its own weight").check()
    page.get_by_label("Robbery").fill("1")
    page.get_by_label("Floor (optional)").fill("98")
    page.get_by_role("button", name="Work out the draft").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.get_by_label("Robbery").input_value() == "1"
    assert_accessible(page)
    page.get_by_role("link", name="Enter a title for the version").click()
    page.keyboard.type("Robbery only")
    page.get_by_role("button", name="Work out the draft").click()
    expect(page.get_by_role("heading", name="Robbery only")).to_be_visible()
    expect(page.get_by_text("Robbery (weight 1)")).to_be_visible()
    page.get_by_role("link", name="Change this draft").click()
    expect(page.get_by_role("heading", name="Change draft: Robbery only")).to_be_visible()
    assert_accessible(page)


def test_an_officer_publishes_a_draft_after_confirming(page, assert_accessible, formula_versions):
    _published, draft = formula_versions
    sign_in_as(page, create_officer())
    page.goto(f"/staff/lcpf/versions/{draft.id}")
    page.get_by_role("link", name="Publish this version").click()
    expect(page.get_by_role("heading", name="Publish “Outer London draft”?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Publish this version").click()
    expect(page.get_by_text("“Outer London draft” is published on the public formula page.")).to_be_visible()
    expect(page.locator("main .govuk-tag", has_text="Published")).to_be_visible()


def test_an_officer_imports_a_file_after_one_is_refused(page, assert_accessible, tmp_path):
    from portal.lcpf.shipped import POPULATION_FILE

    broken = tmp_path / "broken.csv"
    broken.write_text("MajorText,MinorText,BoroughName,202301\nTHEFT,Shoplifting,Atlantis,4\n")
    sign_in_as(page, create_officer())
    page.goto("/staff/lcpf/versions")
    page.get_by_role("link", name="Import crime, population or deprivation data").click()
    expect(page.get_by_role("heading", name="Import the formula's data")).to_be_visible()
    expect(page.get_by_text("Nothing has been imported yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Recorded crime").check()
    page.get_by_label("The file", exact=True).set_input_files(str(broken))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("table", name="Problems in the file")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Population").check()
    page.get_by_label("The file", exact=True).set_input_files(str(POPULATION_FILE))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("heading", name=POPULATION_FILE.name)).to_be_visible()
    expect(page.get_by_text("Rows left out")).to_be_visible()
    assert_accessible(page)


def test_an_officer_compares_two_versions(page, assert_accessible, formula_versions):
    sign_in_as(page, create_officer())
    page.goto("/staff/lcpf/versions")
    page.get_by_role("link", name="Compare versions side by side").click()
    expect(page.get_by_role("heading", name="Compare formula versions")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Published formula").check()
    page.get_by_role("button", name="Compare").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Outer London draft").check()
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("table", name="Every borough, 2026/27")).to_be_visible()
    expect(
        page.get_by_role("table", name="Inner and outer London, 2026/27").get_by_role("row", name="Outer London £")
    ).to_be_visible()
    assert_accessible(page)
