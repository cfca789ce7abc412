"""The whole money loop through the pages alone, with axe on every page: a new organisation registers and confirms
its address, bids on a light-touch round, is screened, reviewed and funded, the award is approved, the agreement
accepted, a return submitted and accepted, and the rating shown on the public service page."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Award, QuestionKind, Return
from tests.bids import a_round_to_bid_for, project_start
from tests.browser.conftest import sign_in
from tests.browser.test_organisation_pages import NEW_PASSWORD, link_path
from tests.factories import PASSWORD
from tests.factories_assessment import create_officer, create_reviewer
from tests.factories_funding import create_criterion, create_question

EMAIL = "grace@walworthkitchen.org.uk"


def a_light_touch_round():
    round_ = a_round_to_bid_for()
    create_question(
        round_,
        "Is your organisation based in London?",
        kind=QuestionKind.YES_NO,
        section="Eligibility",
        is_eligibility=True,
        eligible_values=["yes"],
        ineligible_reason="This fund is for organisations based in London.",
    )
    create_question(round_, "What will you do?", section="Your plan", word_limit=50)
    create_criterion(round_, "Need", weight=2, max_score=5)
    create_criterion(round_, "Delivery", weight=1, max_score=5)
    db.session.commit()
    return round_


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def register_and_confirm(page, mailbox, check):
    page.goto("/")
    page.get_by_role("link", name="Register your organisation").first.click()
    check(page)
    page.get_by_label("Organisation name").fill("Walworth Community Kitchen")
    page.get_by_role("group", name="Type of organisation").get_by_label("Registered charity").check()
    page.get_by_label("Charity number").fill("1123456")
    page.get_by_label("Address line 1").fill("12 East Street")
    page.get_by_label("Town or city").fill("London")
    page.get_by_label("Postcode").fill("SE17 2DN")
    page.get_by_role("group", name="Boroughs you work in").get_by_label("Southwark").check()
    page.get_by_label("Full name").fill("Grace Okafor")
    page.get_by_label("Your email address").fill(EMAIL)
    page.get_by_label("Create a password").fill(NEW_PASSWORD)
    page.get_by_label("Confirm password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Register").click()
    expect(page.locator("h1")).to_have_text("Check your email")
    check(page)
    page.goto(link_path(mailbox.last_to(EMAIL)))
    expect(page.get_by_text("Your email address is confirmed. Sign in to continue.")).to_be_visible()
    check(page)
    sign_in(page, EMAIL, NEW_PASSWORD)
    expect(page.locator("h1")).to_have_text("Walworth Community Kitchen")
    check(page)


def bid(page, round_, check):
    page.goto(f"/funding/{round_.id}")
    check(page)
    page.goto(f"/funding/{round_.id}/apply")
    check(page)
    page.get_by_role("group", name="Is your organisation based in London?").get_by_label("Yes").check()
    page.get_by_role("button", name="Check and start my bid").click()
    expect(page.locator("h1")).to_have_text("Your bid to Safer Streets 2027")
    check(page)
    page.get_by_role("link", name="Your organisation's details").click()
    check(page)
    page.get_by_role("button", name="Confirm and continue").click()
    page.get_by_role("link", name="Project, boroughs and funding").click()
    check(page)
    page.get_by_label("Project title").fill("Cooking for safety")
    page.get_by_label("Summary of your project").fill("Cooking sessions that keep young people off the street.")
    page.get_by_role("group", name="Areas of service").get_by_label("Keeping children and young people safe").check()
    page.get_by_role("group", name="Where will your project work?").get_by_label("Southwark", exact=True).check()
    start = project_start(round_)
    dates = page.get_by_role("group", name="When will your project start?")
    dates.get_by_label("Day").fill(str(start.day))
    dates.get_by_label("Month").fill(str(start.month))
    dates.get_by_label("Year").fill(str(start.year))
    page.get_by_label("How many months will it run for?").fill("24")
    page.get_by_role("button", name="Save and continue").click()
    years = page.get_by_role("group", name="Amount for each financial year (April to March)")
    expect(years).to_be_visible()
    check(page)
    for field in years.locator("input").all():
        field.fill("5000")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#form-variant")).to_contain_text("so you have a shorter form")
    page.get_by_role("link", name="Your plan").click()
    check(page)
    page.get_by_label("What will you do?").fill("Weekly cooking evenings for 30 young people.")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Check your answers and submit").click()
    check(page)
    page.get_by_role("button", name="Submit bid").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Bid submitted")
    check(page)
    return page.locator(".govuk-panel__body strong").inner_text()


def screen_and_assign(page, officer, reference, check):
    sign_in(page, officer.email, PASSWORD)
    check(page)
    page.get_by_role("link", name="1 bid to screen").click()
    check(page)
    page.get_by_role("link", name="Safer Streets 2027").click()
    check(page)
    page.get_by_role("link", name=reference).click()
    check(page)
    page.get_by_role("button", name="Start screening").click()
    expect(page.get_by_role("group", name="Eligibility confirmed")).to_be_visible()
    check(page)
    for legend in (
        "Eligibility confirmed",
        "Charity or company registration seen",
        "Latest accounts seen",
        "Safeguarding policy seen",
    ):
        page.get_by_role("group", name=legend).get_by_label("Passed").check()
    page.get_by_role("button", name="Save checks").click()
    expect(page.get_by_text("4 check(s) saved.")).to_be_visible()
    check(page)
    page.get_by_role("button", name="Pass screening").click()
    expect(page.get_by_text("The bid passed screening and is ready for reviewers.")).to_be_visible()
    check(page)
    page.get_by_label("Reviewer").select_option(label="Daniel Kowalski (reviewer)")
    page.get_by_role("button", name="Assign reviewer").click()
    expect(page.get_by_text("Daniel Kowalski has been asked to review this bid and emailed.")).to_be_visible()
    check(page)
    sign_out(page)


def review(page, reviewer, check):
    sign_in(page, reviewer.email, PASSWORD)
    check(page)
    page.get_by_role("link", name="1 bid waiting for your review").click()
    check(page)
    page.get_by_role("link", name="Declare review of Cooking for safety").click()
    check(page)
    page.get_by_label("No").check()
    page.get_by_role("button", name="Confirm declaration").click()
    expect(page.get_by_role("button", name="Score this bid")).to_be_visible()
    check(page)
    page.get_by_role("button", name="Score this bid").click()
    check(page)
    page.get_by_label("Score for \u201cNeed\u201d, from 0 to 5").fill("4")
    page.get_by_label("Why you gave this score for \u201cNeed\u201d").fill("Clear local need.")
    page.get_by_label("Score for \u201cDelivery\u201d, from 0 to 5").fill("4")
    page.get_by_label("Why you gave this score for \u201cDelivery\u201d").fill("A realistic plan.")
    page.get_by_role("button", name="Save and mark as complete").click()
    expect(page.get_by_text("Your review is complete. Thank you.")).to_be_visible()
    check(page)
    sign_out(page)


def decide_and_award(page, officer, reference, check):
    sign_in(page, officer.email, PASSWORD)
    page.get_by_role("link", name="1 bid with reviews outstanding").click()
    page.get_by_role("link", name="Safer Streets 2027").click()
    page.get_by_role("link", name=reference).click()
    page.get_by_role("button", name="Moderate scores").click()
    check(page)
    page.get_by_label("Agreed score (%)").fill("80")
    page.get_by_label("Moderation note").fill("Agreed with the reviewer.")
    page.get_by_role("button", name="Save moderated score").click()
    page.get_by_role("button", name="Record the decision").click()
    check(page)
    page.get_by_label("Fund", exact=True).check()
    page.get_by_label("Feedback for the applicant").fill("A clear, well-costed plan.")
    page.get_by_role("button", name="Record decision and tell the applicant").click()
    expect(page.get_by_text("Decision recorded: fund.")).to_be_visible()
    check(page)
    page.get_by_role("link", name="Your work").click()
    page.get_by_role("link", name="1 funded bid waiting for its award").click()
    check(page)
    page.get_by_role("link", name=f"Set up award for {reference}").click()
    check(page)
    page.get_by_role("button", name="Approve award").click()
    expect(page.get_by_text("is approved", exact=False).first).to_be_visible()
    check(page)
    sign_out(page)


def accept_agreement(page, check):
    sign_in(page, EMAIL, NEW_PASSWORD)
    page.get_by_role("link", name="1 grant agreement to accept").click()
    check(page)
    page.get_by_role("link", name="Cooking for safety").click()
    check(page)
    page.get_by_role("link", name="Accept your grant agreement").first.click()
    check(page)
    page.get_by_label("Full name").fill("Grace Okafor")
    page.get_by_label("Job title").fill("Director")
    page.get_by_label("I have read the agreement").check()
    page.get_by_role("button", name="Accept the grant agreement").click()
    expect(page.locator("h1")).to_have_text("Your grant agreement")
    check(page)
    sign_out(page)


@pytest.mark.long
def test_a_new_charity_goes_from_registering_to_a_rated_return_through_the_pages(
    page, mailbox, run_jobs, assert_accessible
):
    round_ = a_light_touch_round()
    officer = create_officer("Tom Brennan", "tom@example.org")
    reviewer = create_reviewer("Daniel Kowalski", "daniel@example.org")
    db.session.commit()

    register_and_confirm(page, mailbox, assert_accessible)
    reference = bid(page, round_, assert_accessible)
    sign_out(page)
    screen_and_assign(page, officer, reference, assert_accessible)
    review(page, reviewer, assert_accessible)
    decide_and_award(page, officer, reference, assert_accessible)
    accept_agreement(page, assert_accessible)

    run_jobs()  # with Redis, the award's returns are scheduled by a background job
    db.session.rollback()
    award = db.session.scalar(sa.select(Award).where(Award.title == "Cooking for safety"))
    first = db.session.scalar(sa.select(Return).where(Return.award_id == award.id).order_by(Return.period_start))
    award_id, return_id, organisation_id, award_reference = award.id, first.id, award.organisation_id, award.reference
    officer_email = officer.email
    after_the_period = datetime.combine(first.period_end + timedelta(days=3), time(11), tzinfo=UTC)
    db.session.commit()

    with time_machine.travel(after_the_period, tick=True):
        sign_in(page, EMAIL, NEW_PASSWORD)
        page.get_by_role("link", name=re.compile(r"^1 return due")).click()
        assert_accessible(page)
        page.get_by_role("link", name="Cooking for safety").click()
        assert_accessible(page)
        page.goto(f"/organisations/{organisation_id}/awards/{award_id}/returns/{return_id}")
        assert_accessible(page)
        page.get_by_label("Spend in the period").fill("1250")
        page.get_by_label("People helped in the period").fill("28")
        page.get_by_label("Progress").fill("Twelve cooking evenings, 28 young people came.")
        page.get_by_role("button", name="Submit return").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("submitted")
        assert_accessible(page)
        sign_out(page)

        sign_in(page, officer_email, PASSWORD)
        page.get_by_role("link", name="1 award return to review").click()
        assert_accessible(page)
        page.get_by_role("link", name=re.compile("Cooking for safety|" + award_reference)).first.click()
        assert_accessible(page)
        page.get_by_role("button", name="Accept return").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Overall rating:")
        assert_accessible(page)
        sign_out(page)

        page.goto(f"/services/{award_id}")
        expect(page.locator("main")).to_contain_text("Latest rating")
        assert_accessible(page)
