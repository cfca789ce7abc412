"""Pages after an award and alongside it, in a real browser and checked with axe-core: the follow-up form, sending
feedback and the conversation, the officers' follow-ups, inbox, conversation and lessons log, publishing a case
study, and the public good-practice library."""

from playwright.sync_api import expect

from portal.extensions import db
from portal.models import MembershipRole, ReturnStatus, ThreadKind
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, create_member, create_organisation
from tests.factories_assessment import create_officer
from tests.factories_dialogue import accepted_case_study_return, create_ended_award, create_thread, follow_ups


def sign_in_as(page, user) -> None:
    db.session.commit()
    sign_in(page, user.email, PASSWORD)


def an_ended_award():
    officer = create_officer()
    organisation = create_organisation("Safer Southwark")
    owner = create_member(organisation, MembershipRole.OWNER, email="owner@example.org")
    award = create_ended_award(organisation, officer=officer)  # ended 31 March 2025: both follow-ups are open
    return officer, owner, award


def test_filling_in_a_follow_up_with_mistakes_then_submitting_it_is_accessible(page, assert_accessible):
    _, owner, award = an_ended_award()
    sign_in_as(page, owner)
    page.goto(f"/organisations/{award.organisation_id}/awards/{award.id}")
    assert_accessible(page)
    page.get_by_role("link", name="6-month follow-up").click()
    expect(page.locator("h1")).to_have_text("6-month follow-up")
    assert_accessible(page)
    page.get_by_label("People helped since the award ended").fill("dozens")
    page.get_by_role("button", name="Submit follow-up").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.get_by_label("People helped since the award ended").input_value() == "dozens"
    assert_accessible(page)

    page.get_by_role("group", name="Is the service still running?").get_by_label("Partly").check()
    page.get_by_label("How is the service funded now?").fill("A grant from a local trust.")
    page.get_by_label("People helped since the award ended").fill("60")
    page.get_by_role("group", name="Have the outcomes for people lasted?").get_by_label("Yes").check()
    page.get_by_label("What has changed for the people the service helped?").fill("Most are still in school.")
    page.get_by_role("button", name="Submit follow-up").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("6-month follow-up submitted.")
    assert_accessible(page)
    db.session.commit()
    assert follow_ups(award)[0].status is ReturnStatus.SUBMITTED


def test_sending_feedback_and_reading_the_conversation_are_accessible(page, assert_accessible):
    _, owner, award = an_ended_award()
    sign_in_as(page, owner)
    page.goto(f"/organisations/{award.organisation_id}/awards/{award.id}")
    page.get_by_role("link", name="Send feedback or a lesson learned").click()
    assert_accessible(page)
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("A lesson learned").check()
    page.get_by_label("Subject").fill("Mentors from the same estates")
    page.get_by_label("Your message").fill("Local mentors kept young people engaged for longer.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Lesson learned sent.")
    expect(page.locator("h1")).to_have_text("Mentors from the same estates")
    assert_accessible(page)
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)


def test_the_officers_inbox_conversation_and_lessons_log_are_accessible(page, assert_accessible):
    officer, owner, award = an_ended_award()
    thread = create_thread(award, owner, subject="Peer mentors work", kind=ThreadKind.LESSON)
    sign_in_as(page, officer)
    page.goto("/staff/messages")
    assert_accessible(page)
    page.get_by_role("link", name="Peer mentors work").click()
    assert_accessible(page)
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your reply").fill("Thank you, this is useful.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Reply sent to Safer Southwark.")
    page.get_by_label("Summary for the lessons-learned log (optional)").fill("Peer mentors build trust.")
    page.get_by_role("button", name="Add to lessons-learned log").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Added to the lessons-learned log")
    assert_accessible(page)
    page.get_by_role("link", name=f"See the lessons-learned log for {award.fund.name}").click()
    expect(page.locator("table")).to_contain_text("Peer mentors build trust.")
    assert_accessible(page)
    page.goto(f"/staff/funds/{award.fund_id}/lessons?q=nothing-like-this")
    expect(page.locator("main")).to_contain_text("No lessons match.")
    assert_accessible(page)
    db.session.commit()
    assert db.session.get(type(thread), thread.id).in_lessons_log


def test_reviewing_a_follow_up_is_accessible(page, assert_accessible):
    officer, owner, award = an_ended_award()
    six = follow_ups(award)[0]
    six.status, six.submitted_by, six.what_changed = ReturnStatus.SUBMITTED, owner, "Most are still in school."
    db.session.commit()
    sign_in_as(page, officer)
    page.goto("/staff/monitoring/follow-ups?show=awaiting_review")
    assert_accessible(page)
    page.get_by_role("link", name=f"6-month follow-up for {award.reference}").click()
    page.get_by_role("button", name="Send query").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Accept follow-up").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("6-month follow-up accepted.")
    assert_accessible(page)


def test_publishing_a_case_study_and_the_public_library_are_accessible(page, assert_accessible):
    officer, _, award = an_ended_award()
    accepted_case_study_return(award)
    sign_in_as(page, officer)
    page.goto("/staff/good-practice")
    assert_accessible(page)
    page.get_by_role("link", name="Publish").first.click()
    assert_accessible(page)
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Publish case study").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Title").fill("Back to college")
    page.get_by_role("button", name="Publish case study").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("“Back to college” is published")
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto("/good-practice")
    assert_accessible(page)
    page.get_by_role("link", name="Back to college").click()
    expect(page.locator("h1")).to_have_text("Back to college")
    expect(page.locator("main")).to_contain_text("Safer Southwark")
    assert_accessible(page)
    page.goto("/good-practice?area=hate_crime")
    expect(page.locator("main")).to_contain_text("No case studies match.")
    assert_accessible(page)
