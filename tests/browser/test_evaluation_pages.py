"""Evaluation pages in a real browser, checked with axe-core: the officers' list and the missing list, planning an
evaluation with mistakes then a bad file, its page, recording it as done and publishing it, and the public
library, an evaluation's page and the service's page."""

from datetime import timedelta

from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Evaluation, EvaluationKind, EvaluationStatus
from portal.periods import today_in_london
from tests.browser.conftest import sign_in_as
from tests.factories_assessment import create_officer
from tests.factories_evaluations import PDF_BYTES, create_evaluation
from tests.factories_monitoring import create_award


def three_year_award(title="Street mentoring"):
    start = today_in_london() - timedelta(days=100)
    return create_award(title=title, start=start, end=start.replace(year=start.year + 3) - timedelta(days=1))


def test_planning_recording_and_publishing_an_evaluation_is_accessible(page, assert_accessible, tmp_path):
    officer = create_officer()
    award = three_year_award()
    sign_in_as(page, officer)
    page.goto("/staff/evaluations?show=missing")
    expect(page.locator("h2", has_text="Services missing")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Plan the interim evaluation of Street mentoring").click()
    expect(page.locator("h1")).to_have_text("Plan an evaluation")
    assert_accessible(page)

    page.get_by_label("Evaluator").fill("Cordis Bright")
    page.get_by_role("button", name="Save evaluation").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.get_by_label("Evaluator").input_value() == "Cordis Bright"
    assert_accessible(page)

    planned = today_in_london() + timedelta(days=60)
    page.get_by_role("group", name="Date it is planned to report").get_by_label("Day").fill(str(planned.day))
    page.get_by_role("group", name="Date it is planned to report").get_by_label("Month").fill(str(planned.month))
    page.get_by_role("group", name="Date it is planned to report").get_by_label("Year").fill(str(planned.year))
    page.get_by_label("What question does it answer?").fill("Does mentoring keep young people safer?")
    bad = tmp_path / "report.pdf"
    bad.write_bytes(b"<html>not a pdf</html>")
    page.get_by_label("Upload the report (optional)").set_input_files(str(bad))
    page.get_by_role("button", name="Save evaluation").click()
    expect(page.locator(".govuk-error-message")).to_contain_text("The selected file is not a real PDF file")
    assert_accessible(page)
    good = tmp_path / "interim.pdf"
    good.write_bytes(PDF_BYTES)
    page.get_by_label("Upload the report (optional)").set_input_files(str(good))
    page.get_by_role("button", name="Save evaluation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Evaluation planned")
    assert_accessible(page)

    page.get_by_role("button", name="Record as done").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a summary of the findings")
    assert_accessible(page)
    db.session.commit()
    evaluation = db.session.query(Evaluation).one()
    done = today_in_london() - timedelta(days=1)
    evaluation.done_on, evaluation.findings = done, "Young people felt safer and stayed in school."
    db.session.commit()
    page.goto(f"/staff/evaluations/{evaluation.id}")
    page.get_by_role("button", name="Record as done").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Evaluation recorded as done")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Evaluation published")
    assert_accessible(page)
    page.goto("/staff/evaluations")
    expect(page.locator("h1")).to_have_text("Evaluations")
    assert_accessible(page)
    assert award.id


def test_the_public_library_an_evaluation_and_the_service_page_are_accessible(page, assert_accessible):
    award = three_year_award("Witness care in south London")
    evaluation = create_evaluation(award, kind=EvaluationKind.FINAL, status=EvaluationStatus.PUBLISHED, with_pdf=True)
    db.session.commit()
    page.goto("/evaluations")
    expect(page.locator("h1")).to_have_text("Evaluations of the services and programmes we fund")
    assert_accessible(page)
    page.get_by_label("Kind").select_option("final")
    page.get_by_role("button", name="Show evaluations").click()
    expect(page.get_by_role("link", name="Final evaluation of Witness care in south London")).to_be_visible()
    page.get_by_role("link", name="Final evaluation of Witness care in south London").click()
    expect(page.locator("h1")).to_have_text("Witness care in south London")
    assert_accessible(page)
    page.goto(f"/services/{award.id}")
    expect(page.get_by_role("link", name="Final evaluation by Cordis Bright")).to_be_visible()
    assert_accessible(page)
    assert evaluation.id
