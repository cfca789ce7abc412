"""Taking a reviewer off a bid and funding a bid from the reserve list, in a real browser and checked with axe-core,
including the pages' error states."""

from playwright.sync_api import expect

from portal.extensions import db
from portal.models import DecisionOutcome
from tests.browser.conftest import sign_in_as
from tests.factories_assessment import (
    assign,
    bid_in_review,
    create_assessed_round,
    create_officer,
    create_reviewer,
    decided_bid,
    score,
)


def bid_path(application, suffix: str = "") -> str:
    return f"/staff/rounds/{application.round_id}/applications/{application.id}{suffix}"


def test_an_officer_takes_a_reviewer_off_a_bid_accessibly(page, assert_accessible):
    officer = create_officer("Tom Brennan", "officer@example.org")
    application = bid_in_review(create_assessed_round(), officer)
    score(assign(application, create_reviewer("Grace Mensah"), officer), {"Need": 3}, complete=False)
    done = score(assign(application, create_reviewer("Daniel Kowalski"), officer), {"Need": 4, "Delivery": 4})
    db.session.commit()
    sign_in_as(page, officer)

    page.goto(bid_path(application, "/reviewers"))
    page.get_by_role("link", name="Take off this bid (Grace Mensah)").click()
    expect(page.get_by_role("heading", name="Take Grace Mensah off this bid")).to_be_visible()
    expect(page.get_by_text("1 of 2 criteria scored")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Take the reviewer off this bid").click()
    expect(page.get_by_text("Grace Mensah is no longer reviewing this bid")).to_be_visible()
    expect(page.get_by_text("Taken off the bid", exact=False)).to_be_visible()
    assert_accessible(page)

    # A completed review cannot be taken away: the page explains instead of offering the button.
    page.goto(bid_path(application, f"/reviewers/{done.id}/remove"))
    expect(page.get_by_text("Daniel Kowalski has completed their review", exact=False)).to_be_visible()
    assert page.get_by_role("button", name="Take the reviewer off this bid").count() == 0
    assert_accessible(page)


def test_the_error_when_someone_else_took_the_reviewer_off_first_is_accessible(page, assert_accessible):
    officer = create_officer("Tom Brennan", "officer@example.org")
    application = bid_in_review(create_assessed_round(), officer)
    assignment = assign(application, create_reviewer("Grace Mensah"), officer)
    db.session.commit()
    sign_in_as(page, officer)
    page.goto(bid_path(application, f"/reviewers/{assignment.id}/remove"))

    # Another officer takes her off while this page is open.
    other = page.context.new_page()
    other.goto(bid_path(application, f"/reviewers/{assignment.id}/remove"))
    other.get_by_role("button", name="Take the reviewer off this bid").click()
    # Closing a page while the navigation a click started is still under way can leave Chromium never answering.
    expect(other.get_by_text("Grace Mensah is no longer reviewing this bid")).to_be_visible()
    other.close()

    page.get_by_role("button", name="Take the reviewer off this bid").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_text("Grace Mensah has already been taken off this bid")).to_be_visible()
    assert page.title().startswith("Error:")
    assert_accessible(page)


def test_a_lead_officer_funds_a_bid_from_the_reserve_list_accessibly(page, assert_accessible):
    officer = create_officer("Tom Brennan", "officer@example.org")
    round_ = create_assessed_round()
    application = decided_bid(round_, officer, [create_reviewer()], outcome=DecisionOutcome.RESERVE)
    db.session.commit()
    sign_in_as(page, officer)

    page.goto(f"/staff/rounds/{round_.id}/applications")
    page.get_by_role("link", name="Reserve list: fund a bid from it").click()
    expect(page.get_by_role("heading", name=f"Reserve list: {round_.title}")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=f"Fund from the reserve list ({application.reference})").click()
    assert_accessible(page)

    page.get_by_label("Fund with changes").check()
    page.get_by_role("button", name="Fund the bid and tell the applicant").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Set out the changes the applicant must make to be funded")).to_be_visible()
    expect(summary.get_by_role("link", name="Write feedback for the applicant")).to_be_visible()
    assert page.get_by_label("Fund with changes").is_checked()
    assert_accessible(page)

    page.get_by_label("Changes the applicant must make (if funding with changes)").fill("Name a safeguarding lead.")
    page.get_by_label("Feedback for the applicant").fill("Money has become available after another bid withdrew.")
    page.get_by_role("button", name="Fund the bid and tell the applicant").click()
    expect(page.get_by_text("is funded from the reserve list: fund with changes", exact=False)).to_be_visible()
    expect(page.get_by_role("table", name="Decision history")).to_be_visible()
    expect(page.get_by_role("button", name="Set up the award")).to_be_visible()
    assert_accessible(page)

    page.goto(f"/staff/rounds/{round_.id}/reserve-list")
    expect(page.get_by_text("No bid in this round is on the reserve list.")).to_be_visible()
    assert_accessible(page)


def test_a_bid_not_on_the_reserve_list_explains_why_it_cannot_be_funded_from_it(page, assert_accessible):
    officer = create_officer("Tom Brennan", "officer@example.org")
    application = decided_bid(create_assessed_round(), officer, [create_reviewer()], outcome=DecisionOutcome.DECLINE)
    db.session.commit()
    sign_in_as(page, officer)

    page.goto(bid_path(application, "/fund-from-reserve"))
    expect(
        page.get_by_text(f"{application.reference} is not on the reserve list: its decision is decline")
    ).to_be_visible()
    assert page.get_by_role("button", name="Fund the bid and tell the applicant").count() == 0
    assert_accessible(page)
