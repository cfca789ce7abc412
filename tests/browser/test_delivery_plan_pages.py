"""Delivery plan pages in a real browser, each checked with axe-core: the council's plans, a plan, the project form
with its errors, submitting; the officers' allocations, creating and confirming one with errors, the plans, a plan
with its decision, and releasing and recording a payment."""

import io
from datetime import date

from openpyxl import load_workbook
from playwright.sync_api import expect

from portal.boroughs.returns import schedule_project_returns
from portal.boroughs.spreadsheet import build_template
from portal.extensions import db
from portal.models import PlanStatus
from tests.browser.conftest import sign_in_as
from tests.factories_assessment import create_officer
from tests.factories_boroughs import create_borough_allocation, create_council, create_plan


def test_a_borough_writes_its_plan_with_mistakes_then_submits_it(page, assert_accessible):
    council, owner = create_council("Lewisham", email="lcpf@lewisham.example.org")
    create_borough_allocation("Lewisham", 2026, 800_000_00)
    sign_in_as(page, owner)
    page.goto(f"/organisations/{council.id}/delivery-plans")
    assert_accessible(page)
    page.get_by_role("button", name="Start your delivery plan").click()
    expect(page.locator("h1")).to_have_text("Delivery plan 2026/27 to 2026/27")
    assert_accessible(page)

    page.get_by_role("button", name="Add a project").click()
    page.get_by_label("Project name").fill("Lewisham youth mentoring")
    page.get_by_label("Amount in 2026/27").fill("900000")
    page.get_by_role("button", name="Save project").click()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Describe what the project does" in summary
    assert "at most £800,000 is left for this project" in summary
    assert page.get_by_label("Project name").input_value() == "Lewisham youth mentoring"
    assert_accessible(page)

    page.get_by_label("What the project does").fill("Mentors for young people at risk of exploitation")
    page.get_by_label("The borough council itself").check()
    page.get_by_label("Children and young people").check()
    page.get_by_label("The whole borough").check()
    page.get_by_label("Amount in 2026/27").fill("300000")
    page.get_by_label("Measure 1: what is counted").fill("Young people mentored")
    page.get_by_label("Measure 1: unit").fill("young people")
    page.get_by_label("Measure 1: target for a quarter").fill("25")
    page.get_by_role("button", name="Save project").click()
    expect(page.locator("table").first).to_contain_text("£500,000")
    assert_accessible(page)

    page.get_by_role("link", name="Lewisham youth mentoring").click()
    assert_accessible(page)
    page.get_by_role("link", name="Delivery plan").click()
    page.get_by_role("button", name="Submit plan").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Delivery plan submitted.")
    assert_accessible(page)


def test_an_officer_allocates_confirms_reviews_and_pays(page, assert_accessible):
    council, _ = create_council("Lewisham")
    create_borough_allocation("Lewisham", 2026, 800_000_00, confirmed_on=date(2026, 1, 10))
    plan = create_plan(council, status=PlanStatus.SUBMITTED)
    sign_in_as(page, create_officer())
    page.goto("/staff/boroughs/allocations")
    assert_accessible(page)
    page.get_by_role("button", name="Create an allocation").click()
    page.get_by_label("Amount allocated").fill("lots")
    page.get_by_role("button", name="Create allocation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter an amount in pounds")
    assert_accessible(page)
    page.get_by_label("Borough").select_option(label="Lambeth")
    page.get_by_label("Financial year").select_option(label="2026/27")
    page.get_by_label("Amount allocated").fill("760000")
    page.get_by_role("button", name="Create allocation").click()
    expect(page.locator("h1")).to_have_text("Lambeth")
    assert_accessible(page)
    page.get_by_role("button", name="Record as confirmed").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the date the allocation was confirmed")
    assert_accessible(page)

    page.goto("/staff/boroughs/plans")
    assert_accessible(page)
    page.get_by_role("link", name="London Borough of Lewisham").click()
    assert_accessible(page)
    page.get_by_role("button", name="Query plan").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what the borough needs to answer")
    assert_accessible(page)
    page.get_by_role("button", name="Approve plan").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("delivery plan approved")
    page.get_by_role("button", name="Release the H1 2026/27 payment").click()
    page.get_by_role("link", name="Record as paid").click()
    assert_accessible(page)
    page.get_by_label("Payment reference").fill("BACS-LEW-1")
    page.get_by_role("button", name="Record as paid").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the date it was paid")
    assert_accessible(page)
    assert plan.id


def test_a_borough_fills_in_a_quarterly_return_and_an_officer_reviews_it(page, assert_accessible):
    council, owner = create_council("Lewisham", email="returns@lewisham.example.org")
    create_borough_allocation("Lewisham", 2025, 800_000_00)
    plan = create_plan(council, years=(2025,), status=PlanStatus.APPROVED)
    schedule_project_returns(plan)
    db.session.commit()
    officer = create_officer()
    sign_in_as(page, owner)
    page.goto(f"/organisations/{council.id}/delivery-plans/{plan.id}")
    page.get_by_role("link", name="Quarterly returns on the projects").click()
    assert_accessible(page)
    page.get_by_role("link", name="Fill in returns by spreadsheet").click()
    assert_accessible(page)
    page.get_by_label("The filled-in spreadsheet").set_input_files(
        {"name": "returns.csv", "mimeType": "text/csv", "buffer": b"Project,Quarter\n1,Q1\n"}
    )
    page.get_by_role("button", name="Upload returns").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("nothing has been saved")
    expect(page.locator("table")).to_contain_text("The headings must be exactly those of the template")
    assert_accessible(page)
    page.get_by_role("link", name="Quarterly returns").click()
    page.get_by_role("link", name="Project 1").first.click()
    assert_accessible(page)
    page.get_by_label("Spend in the period").fill("lots")
    page.get_by_role("button", name="Submit return").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter an amount in pounds")
    assert_accessible(page)
    page.get_by_label("Spend in the period").fill("24000")
    page.get_by_label("People helped in the period").fill("30")
    page.get_by_label("Young people mentored").fill("18")
    page.get_by_label("Progress").fill("Eighteen young people matched with mentors")
    page.get_by_role("button", name="Submit return").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("submitted")

    page.get_by_role("button", name="Sign out").click()
    sign_in_as(page, officer)
    page.goto("/staff/boroughs/returns?show=awaiting_review")
    assert_accessible(page)
    page.get_by_role("link", name="Project 1").first.click()
    assert_accessible(page)
    page.get_by_role("button", name="Send query").click()
    assert_accessible(page)
    page.get_by_role("button", name="Accept return").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Overall rating")
    assert_accessible(page)


def test_the_on_screen_return_and_the_upload_work_with_the_keyboard_alone(page, assert_accessible, tmp_path):
    council, owner = create_council("Lewisham", email="keyboard@lewisham.example.org")
    create_borough_allocation("Lewisham", 2025, 800_000_00)
    plan = create_plan(council, years=(2025,), status=PlanStatus.APPROVED)
    schedule_project_returns(plan)
    db.session.commit()
    sign_in_as(page, owner)
    page.goto(f"/organisations/{council.id}/delivery-plans/{plan.id}/returns")
    page.get_by_role("link", name="Project 1").first.focus()
    page.keyboard.press("Enter")
    page.get_by_label("Spend in the period").focus()
    page.keyboard.type("24000")
    page.keyboard.press("Tab")
    page.keyboard.type("30")  # people helped
    page.keyboard.press("Tab")
    page.keyboard.type("18")  # the project's measure
    page.keyboard.press("Tab")
    page.keyboard.type("Eighteen young people matched with mentors")  # progress
    page.get_by_role("button", name="Save and come back later").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("saved")
    assert page.get_by_label("People helped in the period").input_value() == "30"

    page.goto(f"/organisations/{council.id}/delivery-plans/{plan.id}/returns/upload")
    bad = tmp_path / "returns.csv"
    bad.write_text("Project,Quarter\n1,Q1\n")
    with page.expect_file_chooser() as chooser:
        page.get_by_label("The filled-in spreadsheet").press("Space")
    chooser.value.set_files(str(bad))
    page.get_by_role("button", name="Upload returns").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-error-summary")).to_contain_text("nothing has been saved")
    assert_accessible(page)


def test_a_large_spreadsheet_is_checked_in_the_background_with_its_progress_shown(
    page, assert_accessible, app, monkeypatch, run_jobs, tmp_path
):
    monkeypatch.setitem(app.config, "SPREADSHEET_BACKGROUND_BYTES", 0)
    council, owner = create_council("Lewisham", email="upload@lewisham.example.org")
    create_borough_allocation("Lewisham", 2025, 800_000_00)
    plan = create_plan(council, years=(2025,), status=PlanStatus.APPROVED)
    schedule_project_returns(plan)
    db.session.commit()
    workbook = load_workbook(io.BytesIO(build_template(plan, date(2025, 4, 1))))
    answers = {"spend": 1000, "people_helped": 5, "progress": "Going well", "case_study_may_publish": "No"}
    for row in workbook["Returns"].iter_rows(min_row=2):
        item = row[3].value
        row[6].value = 4 if item.startswith("measure:") else answers.get(item)
    path = tmp_path / "q1.xlsx"
    workbook.save(path)

    sign_in_as(page, owner)
    page.goto(f"/organisations/{council.id}/delivery-plans/{plan.id}/returns/upload")
    page.get_by_label("Quarter").select_option("2025-04-01")
    page.get_by_label("The filled-in spreadsheet").set_input_files(str(path))
    page.get_by_role("button", name="Upload returns").click()
    expect(page.locator("h1")).to_contain_text("spreadsheet")
    assert_accessible(page)  # the progress bar while it is checked, or the result when jobs run at once
    run_jobs()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("1 return saved from the file")
    assert_accessible(page)
