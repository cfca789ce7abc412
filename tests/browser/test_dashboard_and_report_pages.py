"""The public dashboards, the committee reports pages for officers (with the progress bar) and the public list of
published reports, in a real browser, each checked with axe-core."""

import re
from datetime import date

from playwright.sync_api import expect

from portal.extensions import db
from portal.models import ReportRun, ReportStatus
from portal.reports import runs
from portal.reports.content import HalfYear
from tests.browser.conftest import sign_in_as
from tests.factories_assessment import create_officer
from tests.factories_reports import create_funding


def test_the_dashboards_are_accessible_and_filter_without_javascript(page, assert_accessible):
    create_funding()
    db.session.commit()
    page.goto("/dashboards")
    assert page.locator("h1").inner_text() == "What London funds, and how it performs"
    assert_accessible(page)

    page.locator("#spend-by-borough").get_by_text("Show the figures as a table").click()
    expect(page.get_by_role("table", name="Funding by borough")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Financial year", exact=True).select_option("2026")
    page.get_by_role("button", name="Show figures").click()
    assert "year=2026" in page.url
    bromley = page.locator("#spend-by-borough li", has_text="Bromley")
    assert "£40,000" in bromley.inner_text()
    assert_accessible(page)


def test_the_dashboards_with_nothing_funded_yet_are_accessible(page, assert_accessible):
    page.goto("/dashboards")
    expect(page.get_by_text("There are no Safer Neighbourhood Board allocations")).to_be_visible()
    assert_accessible(page)


def test_requesting_a_committee_report_with_a_mistake_then_building_it_is_accessible(page, assert_accessible, run_jobs):
    funding = create_funding()
    sign_in_as(page, funding.officer)
    page.goto("/staff/reports")
    expect(page.locator("h1")).to_have_text("Committee reports")
    assert_accessible(page)

    page.evaluate(
        "() => document.querySelectorAll('input[name=period]').forEach((radio) => { radio.checked = false; })"
    )
    page.get_by_role("button", name="Build the report").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("April to September 2025").check()
    page.get_by_role("button", name="Build the report").click()
    expect(page).to_have_url(re.compile(r"/staff/reports/\d+$"))
    run_jobs()
    # The page's own script reloads it when the build has finished (a reload from here could cross that one).
    expect(page.get_by_role("link", name="PDF, A4 landscape")).to_be_visible()
    expect(page.locator("h1")).to_have_text("April to September 2025")
    assert_accessible(page)

    page.get_by_role("button", name="Publish this report").click()
    expect(page.locator("h1")).to_have_text("Publish the committee report for April to September 2025?")
    assert_accessible(page)
    page.get_by_role("button", name="Publish the report").click()
    expect(page.get_by_text("is published")).to_be_visible()
    assert_accessible(page)

    page.goto("/staff/reports")
    expect(page.get_by_role("cell", name="Published", exact=False).first).to_be_visible()
    assert_accessible(page)


def test_the_progress_bar_follows_the_build_and_shows_the_report_when_it_is_ready(page, assert_accessible):
    officer = create_officer()
    run = ReportRun(
        period_start=date(2025, 4, 1),
        period_end=date(2025, 9, 30),
        requested_by=officer,
        status=ReportStatus.RUNNING,
        progress=35,
        message="Writing the spreadsheet of 3 services",
    )
    db.session.add(run)
    db.session.commit()
    sign_in_as(page, officer)
    page.goto(f"/staff/reports/{run.id}")
    progress = page.get_by_role("progressbar", name="Progress")
    assert progress.get_attribute("value") == "35"
    expect(page.get_by_text("35% done")).to_be_visible()
    expect(page.get_by_role("link", name="Refresh this page")).to_be_visible()
    assert_accessible(page)

    run.progress, run.message = 65, "Writing the PDF"
    db.session.commit()
    page.wait_for_function("() => document.querySelector('progress').value === 65")
    expect(page.get_by_text("65% done: Writing the PDF")).to_be_visible()

    run.status, run.progress, run.message = ReportStatus.FAILED, 65, "The report could not be built (test)."
    db.session.commit()
    page.get_by_text("Request the report again").wait_for()
    expect(page.get_by_text("The report could not be built (test).")).to_be_visible()
    assert_accessible(page)


def test_published_reports_are_listed_for_everyone(page, assert_accessible, run_jobs):
    funding = create_funding()
    run = runs.request_report(HalfYear.starting(2025, 4), funding.officer)
    run_jobs()
    db.session.expire_all()
    runs.publish_report(db.session.get(ReportRun, run.id), funding.officer)
    page.goto("/reports")
    expect(page.get_by_role("heading", name="April to September 2025")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF for April to September 2025").click()
    assert download.value.suggested_filename == "committee-report-2025-04-to-2025-09.pdf"
    assert_accessible(page)


def test_no_published_reports_yet_is_accessible(page, assert_accessible):
    page.goto("/reports")
    expect(page.get_by_text("No committee reports have been published yet.")).to_be_visible()
    assert_accessible(page)
