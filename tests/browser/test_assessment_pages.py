"""Assessment pages in a real browser, each checked with axe-core: officers screen, assign, moderate and decide;
reviewers declare and score; all by label, as a keyboard or screen reader user would."""

from playwright.sync_api import expect

from portal.extensions import db
from portal.models import ApplicationStatus, DecisionOutcome
from tests.browser.conftest import sign_in, sign_in_as
from tests.factories import PASSWORD
from tests.factories_assessment import (
    assign,
    bid_in_review,
    create_assessed_round,
    create_bid,
    create_officer,
    create_reviewer,
    decided_bid,
    moderated_bid,
    score,
)


def bid_path(application, suffix: str = "") -> str:
    return f"/staff/rounds/{application.round_id}/applications/{application.id}{suffix}"


def test_the_rounds_and_bids_lists_are_accessible_and_sortable(page, assert_accessible):
    officer = create_officer("Tom Brennan", "officer@example.org")
    round_ = create_assessed_round("Safer Streets 2027")
    create_bid(round_, organisation_name="Brixton Youth Forum")
    in_review = bid_in_review(round_, officer, organisation_name="Acton Mentors")
    score(assign(in_review, create_reviewer("Grace Mensah"), officer), {"Need": 4, "Delivery": 3})
    create_reviewer("Daniel Kowalski")
    sign_in_as(page, officer)

    page.get_by_role("link", name="Bids", exact=True).click()
    expect(page.locator("h1")).to_have_text("Bids by round")
    assert_accessible(page)

    page.get_by_role("link", name="Safer Streets 2027").click()
    expect(page.locator("h1")).to_have_text("Bids: Safer Streets 2027")
    expect(page.get_by_text("73.3%")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Organisation (sort ascending)").click()
    expect(page.locator("tbody tr").first).to_contain_text("Acton Mentors")
    page.get_by_label("Status").select_option("in_review")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody tr")).to_have_count(1)

    page.get_by_label(f"Select {in_review.reference}").check()
    page.get_by_label("Reviewer for the selected bids").select_option(label="Daniel Kowalski (reviewer)")
    page.get_by_role("button", name="Assign to selected bids").click()
    expect(page.get_by_text("1 bid(s) assigned.")).to_be_visible()
    assert_accessible(page)


def test_bulk_assignment_errors_are_accessible(page, assert_accessible):
    officer = create_officer("Tom Brennan", "officer@example.org")
    round_ = create_assessed_round()
    bid_in_review(round_, officer)
    sign_in_as(page, officer)
    page.goto(f"/staff/rounds/{round_.id}/applications")
    page.get_by_role("button", name="Assign to selected bids").click()
    expect(page.locator(".govuk-error-summary").get_by_role("link", name="Select a reviewer")).to_be_visible()
    assert_accessible(page)


def test_screening_a_bid_is_accessible_and_works(page, assert_accessible):
    officer = create_officer("Tom Brennan", "officer@example.org")
    application = create_bid(create_assessed_round(), title="Knife crime workshops")
    sign_in_as(page, officer)
    page.goto(bid_path(application))
    expect(page.locator("h1")).to_have_text("Knife crime workshops")
    assert_accessible(page)
    page.get_by_role("link", name="Read the answers").click()
    expect(page.get_by_role("heading", name="Safeguarding")).to_be_visible()
    assert_accessible(page)

    page.goto(bid_path(application))
    page.get_by_role("button", name="Start screening").click()
    expect(page.get_by_text("Screening has started.")).to_be_visible()
    page.goto(bid_path(application, "/screening"))
    for legend in (
        "Eligibility confirmed",
        "Charity or company registration seen",
        "Latest accounts seen",
        "Safeguarding policy seen",
    ):
        page.get_by_role("group", name=legend).get_by_label("Passed").check()
    page.get_by_role("group", name="Latest accounts seen").get_by_label("Failed").check()
    page.get_by_role("button", name="Save checks").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Explain why \u201cLatest accounts seen\u201d failed")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("group", name="Latest accounts seen").get_by_label("Not applicable").check()
    page.get_by_role("button", name="Save checks").click()
    expect(page.get_by_text("4 check(s) saved.")).to_be_visible()
    expect(page.get_by_role("cell", name="Tom Brennan", exact=False).first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Pass screening").click()
    expect(page.get_by_text("The bid passed screening and is ready for reviewers.")).to_be_visible()


def test_screening_out_is_accessible(page, assert_accessible):
    officer = create_officer("Tom Brennan", "officer@example.org")
    application = create_bid(create_assessed_round(), status=ApplicationStatus.SCREENING)
    sign_in_as(page, officer)
    page.goto(bid_path(application, "/screening"))
    page.get_by_role("link", name="Screen out").click()
    page.get_by_role("button", name="Screen out and tell the applicant").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Feedback for the applicant").fill("The project is outside London.")
    page.get_by_role("button", name="Screen out and tell the applicant").click()
    expect(page.get_by_text("The bid was screened out")).to_be_visible()
    expect(page.get_by_text("The project is outside London.")).to_be_visible()
    assert_accessible(page)


def test_assigning_reviewers_and_sharing_bids_out_are_accessible(page, assert_accessible):
    officer = create_officer("Tom Brennan", "officer@example.org")
    round_ = create_assessed_round()
    application = bid_in_review(round_, officer)
    bid_in_review(round_, officer)
    grace = create_reviewer("Grace Mensah")
    create_reviewer("Daniel Kowalski")
    assign(application, grace, officer, declared=True).conflict_note = "My sister works there."
    db.session.commit()
    sign_in_as(page, officer)

    page.goto(bid_path(application, "/reviewers"))
    expect(page.get_by_text("Conflict declared")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Reviewer").select_option(label="Daniel Kowalski (reviewer)")
    page.get_by_role("button", name="Assign reviewer").click()
    expect(page.get_by_text("Daniel Kowalski has been asked to review this bid and emailed.")).to_be_visible()

    page.goto(f"/staff/rounds/{round_.id}/reviewers/spread")
    assert_accessible(page)
    page.get_by_label("Reviewers for each bid").fill("9")
    page.get_by_label("Tom Brennan", exact=False).check()
    page.get_by_role("button", name="Share out bids").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)


def test_a_reviewer_declares_reads_and_scores_a_bid_accessibly(page, assert_accessible):
    officer = create_officer("Tom Brennan", "officer@example.org")
    grace = create_reviewer("Grace Mensah", "grace@example.org")
    application = bid_in_review(create_assessed_round(), officer, title="Knife crime workshops")
    assign(application, grace, officer)
    sign_in_as(page, grace)

    page.get_by_role("link", name="Your reviews").click()
    assert_accessible(page)
    page.get_by_role("link", name="Declare review of Knife crime workshops").click()
    expect(page.locator("h1")).to_have_text("Declare any conflict of interest")
    assert_accessible(page)
    page.get_by_role("button", name="Confirm declaration").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("No").check()
    page.get_by_role("button", name="Confirm declaration").click()

    expect(page.get_by_text("Mentoring for 11 to 16 year olds")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Score this bid").click()
    page.get_by_label("Score for \u201cNeed\u201d, from 0 to 5").fill("9")
    page.get_by_role("button", name="Save and mark as complete").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Score for \u201cNeed\u201d, from 0 to 5").fill("4")
    page.get_by_label("Why you gave this score for \u201cNeed\u201d").fill("Strong local evidence.")
    page.get_by_label("Score for \u201cDelivery\u201d, from 0 to 5").fill("3")
    page.get_by_label("Why you gave this score for \u201cDelivery\u201d").fill("A realistic plan.")
    page.get_by_role("button", name="Save and mark as complete").click()
    expect(page.get_by_text("Your review is complete. Thank you.")).to_be_visible()


def test_scores_moderation_and_the_decision_are_accessible(page, assert_accessible):
    officer = create_officer("Tom Brennan", "officer@example.org")
    lead = create_officer("Priya Shah", "lead@example.org")
    application = bid_in_review(create_assessed_round(), officer)
    score(assign(application, create_reviewer("Grace Mensah"), officer), {"Need": 5, "Delivery": 5})
    score(assign(application, create_reviewer("Daniel Kowalski"), officer), {"Need": 1, "Delivery": 4})
    sign_in_as(page, lead)

    page.goto(bid_path(application, "/scores"))
    expect(page.get_by_text("Reviewers disagree on this bid", exact=False)).to_be_visible()
    assert_accessible(page)

    page.goto(bid_path(application))
    page.get_by_role("button", name="Moderate scores").click()
    assert_accessible(page)
    page.get_by_label("Agreed score (%)").fill("72.55")
    page.get_by_role("button", name="Save moderated score").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Agreed score (%)").fill("72.5")
    page.get_by_label("Moderation note").fill("Agreed at panel.")
    page.get_by_role("button", name="Save moderated score").click()

    page.get_by_role("button", name="Record the decision").click()
    page.get_by_role("button", name="Record decision and tell the applicant").click()
    expect(page.locator(".govuk-error-summary").get_by_role("link", name="Select the outcome")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Fund with changes").check()
    page.get_by_label("Changes the applicant must make (if funding with changes)").fill("Name a safeguarding lead.")
    page.get_by_label("Feedback for the applicant").fill("A strong bid.")
    page.get_by_role("button", name="Record decision and tell the applicant").click()
    expect(page.get_by_text("Decision recorded: fund with changes.")).to_be_visible()
    expect(page.get_by_text("What the applicant was told")).to_be_visible()
    assert_accessible(page)


def test_bulk_decisions_and_their_errors_are_accessible(page, assert_accessible):
    officer = create_officer("Tom Brennan", "officer@example.org")
    round_ = create_assessed_round()
    reviewer = create_reviewer()
    first = moderated_bid(round_, officer, [reviewer], title="First")
    moderated_bid(round_, officer, [reviewer], title="Second")
    sign_in_as(page, officer)

    page.goto(f"/staff/rounds/{round_.id}/decisions")
    assert_accessible(page)
    page.get_by_label(f"Decide {first.reference} now").check()
    page.get_by_role("button", name="Record decisions and tell the applicants").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name=f"{first.reference}: Write feedback for the applicant")).to_be_visible()
    assert_accessible(page)
    page.get_by_label(f"Outcome for {first.reference}").select_option("reserve")
    page.get_by_label(f"Feedback for the applicant for {first.reference}").fill("On the reserve list.")
    page.get_by_role("button", name="Record decisions and tell the applicants").click()
    expect(page.get_by_text("1 decision(s) recorded.")).to_be_visible()


def test_awards_pages_are_accessible_and_a_second_officer_approves(page, assert_accessible):
    officer = create_officer("Tom Brennan", "officer@example.org")
    lead = create_officer("Priya Shah", "lead@example.org")
    application = decided_bid(
        create_assessed_round(),
        officer,
        [create_reviewer()],
        outcome=DecisionOutcome.FUND,
        amounts_pence=(60_000_00, 60_000_00),
    )
    sign_in_as(page, officer)

    page.get_by_role("link", name="Awards", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name=f"Set up award for {application.reference}").click()
    assert page.get_by_label("Amount for 2027/28").input_value() == "60000"
    assert_accessible(page)
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Approve award").click()
    expect(page.locator(".govuk-error-summary").get_by_role("link", name="Enter the award's title")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Title").fill("After-school mentoring in Peckham")
    page.get_by_role("button", name="Approve award").click()
    expect(page.get_by_text("now needs a second approver")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, lead.email, PASSWORD)
    page.get_by_role("link", name="Awards", exact=True).click()
    page.get_by_role("link", name="F", exact=False).filter(has_text="-0001").first.click()
    page.get_by_role("button", name="Give second approval").click()
    expect(page.get_by_text("is approved.")).to_be_visible()
    assert_accessible(page)
