"""Funds, rounds, questions and criteria pages for officers, and the public funding pages, in a real browser with
axe-core; and an officer running a round from nothing to published, through labels as a screen reader user would."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models.funding import FormVariant, QuestionKind, ServiceArea
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, local_authority
from tests.factories_funding import create_criterion, create_fund, create_question, create_round
from tests.integration.rounds_support import closed_round, create_officer, draft_round, today, upcoming_round


@pytest.fixture
def funding():
    """A fund with a round in every state, questions of several kinds and weighted criteria."""
    fund = create_fund("Victims' services", code="VS", service_areas=(ServiceArea.VICTIM_SUPPORT, ServiceArea.VAWG))
    opens = today() + timedelta(days=21)
    draft = draft_round(fund, title="Winter support", opens=opens, closes=opens + timedelta(days=20), criteria=False)
    draft.min_duration_months = 24
    policy = create_question(draft, "Do you have a safeguarding policy?", kind=QuestionKind.YES_NO, section="Safety")
    create_question(draft, "When was it reviewed?", kind=QuestionKind.DATE, section="Safety", show_if=(policy, "yes"))
    create_question(
        draft,
        "Is your organisation based in London?",
        kind=QuestionKind.YES_NO,
        section="Eligibility",
        is_eligibility=True,
        eligible_values=["yes"],
        ineligible_reason="This fund is for London.",
    )
    create_question(draft, "Describe your project", word_limit=250, section="Project", form_variant=FormVariant.FULL)
    create_question(
        draft, "Who will you work with?", kind=QuestionKind.MULTIPLE_CHOICE, options=["Adults", "Young people"]
    )
    create_question(draft, "Upload your accounts", kind=QuestionKind.FILE, form_variant=FormVariant.FULL)
    create_question(draft, "How much match funding do you have?", kind=QuestionKind.MONEY, required=False)
    create_question(None, "Tell us about your organisation", word_limit=200, section="About you")
    need = create_criterion(draft, "Need", weight=3)
    create_criterion(draft, "Value for money", weight=1)
    open_round = create_round(fund, title="Domestic abuse casework")
    open_round.short_window_reason = "The grant must be committed by March."
    open_round.boroughs = [local_authority("Lambeth")]
    create_criterion(open_round, "Need", weight=1)
    upcoming = upcoming_round(fund, title="Summer round")
    closed = closed_round(fund, title="Last year's round")
    officer = create_officer(email="officer@example.org")
    db.session.commit()
    return {
        "fund": fund.id,
        "draft": draft.id,
        "question": policy.id,
        "criterion": need.id,
        "open": open_round.id,
        "upcoming": upcoming.id,
        "closed": closed.id,
        "officer": officer.email,
    }


OFFICER_PAGES = [
    ("/staff/funds/", "Funds and rounds"),
    ("/staff/funds/new", "Create a fund"),
    ("/staff/funds/{fund}", "Victims' services"),
    ("/staff/funds/{fund}/edit", "Change the fund's details"),
    ("/staff/funds/{fund}/rounds/new", "Create a round"),
    ("/staff/funds/rounds/{draft}", "Winter support"),
    ("/staff/funds/rounds/{draft}/edit", "Change the round"),
    ("/staff/funds/rounds/{open}/edit", "Change the round"),
    ("/staff/funds/rounds/{draft}/publish", "Publish the round"),
    ("/staff/funds/rounds/{draft}/questions", "This round's questions"),
    ("/staff/funds/rounds/{draft}/questions/new", "Add a question"),
    ("/staff/funds/rounds/{draft}/questions/{question}", "Change the question"),
    ("/staff/funds/rounds/{draft}/questions/{question}/remove", "Remove the question"),
    ("/staff/funds/rounds/{closed}/questions", "This round's questions"),
    ("/staff/funds/questions", "Standard questions"),
    ("/staff/funds/rounds/{draft}/criteria", "Scoring criteria"),
    ("/staff/funds/rounds/{draft}/criteria/new", "Add a criterion"),
    ("/staff/funds/rounds/{draft}/criteria/{criterion}", "Change the criterion"),
    ("/staff/funds/rounds/{draft}/criteria/{criterion}/remove", "Remove the criterion"),
    ("/staff/funds/rounds/{draft}/preview/light", "Preview: light-touch form"),
    ("/staff/funds/rounds/{draft}/preview/full", "Preview: full form"),
]


@pytest.mark.parametrize(("path", "heading"), OFFICER_PAGES)
def test_officer_funding_page_is_accessible(page, assert_accessible, funding, path, heading):
    sign_in(page, funding["officer"], PASSWORD)
    page.goto(path.format(**funding))
    expect(page.locator("h1")).to_have_text(heading)
    assert_accessible(page)


PUBLIC_PAGES = [
    ("/funding/", "Funding opportunities"),
    ("/funding/?area=hate_crime", "Funding opportunities"),
    ("/funding/?area=victim_support&borough=E09000022", "Funding opportunities"),
    ("/funding/closed", "Recently closed funding rounds"),
    ("/funding/{open}", "Domestic abuse casework"),
    ("/funding/{upcoming}", "Summer round"),
    ("/funding/{closed}", "Last year's round"),
]


@pytest.mark.parametrize(("path", "heading"), PUBLIC_PAGES)
def test_public_funding_page_is_accessible(page, assert_accessible, funding, path, heading):
    page.goto(path.format(**funding))
    expect(page.locator("h1")).to_have_text(heading)
    assert_accessible(page)


def test_the_empty_funding_pages_are_accessible(page, assert_accessible):
    create_officer(email="officer@example.org")
    page.goto("/funding/")
    expect(page.locator("main")).to_contain_text("There are no open or upcoming rounds")
    assert_accessible(page)
    sign_in(page, "officer@example.org", PASSWORD)
    page.goto("/staff/funds/")
    expect(page.locator("main")).to_contain_text("There are no funds yet")
    assert_accessible(page)


def test_funding_opportunities_are_in_the_navigation_for_everyone(page, funding):
    page.goto("/")
    page.get_by_role("link", name="Funding opportunities").click()
    expect(page.locator("h1")).to_have_text("Funding opportunities")
    sign_in(page, funding["officer"], PASSWORD)
    expect(page.get_by_role("link", name="Funding opportunities")).to_be_visible()
    page.get_by_role("link", name="Funds and rounds").click()
    expect(page.locator("h1")).to_have_text("Funds and rounds")


def test_filtering_opportunities_works_without_javascript(browser, live_server, funding):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/funding/")
    page.get_by_label("Service area").select_option(label="Hate crime")
    page.get_by_role("button", name="Apply filters").click()
    assert "area=hate_crime" in page.url
    expect(page.locator("main")).to_contain_text("There are no open or upcoming rounds that match your filters")
    context.close()


def test_form_errors_are_accessible_and_keep_what_was_typed(page, assert_accessible, funding):
    sign_in(page, funding["officer"], PASSWORD)
    page.goto(f"/staff/funds/{funding['fund']}/rounds/new")
    page.get_by_label("Title").fill("Spring round")
    page.locator("#opens_on-day").fill("31")
    page.locator("#opens_on-month").fill("2")
    page.locator("#opens_on-year").fill("2027")
    page.get_by_role("button", name="Save round").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Opening date must be a real date")
    assert page.get_by_label("Title").input_value() == "Spring round"
    assert page.locator("#opens_on-day").input_value() == "31"
    assert_accessible(page)

    page.goto(f"/staff/funds/rounds/{funding['draft']}/questions/new")
    page.get_by_label("Question", exact=True).fill("Which boroughs?")
    page.get_by_label("Section").fill("Where you work")
    page.get_by_label("Choose one option").check()
    page.get_by_label("Options (choice questions only)").fill("Only one")
    page.get_by_role("button", name="Save question").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give at least two options")
    assert_accessible(page)

    page.goto(f"/staff/funds/rounds/{funding['draft']}/publish")
    page.get_by_role("button", name="Publish round").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give a reason for the short window")
    assert_accessible(page)

    page.goto("/staff/funds/new")
    page.get_by_role("button", name="Save fund").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the fund's name")
    assert_accessible(page)


def test_an_officer_runs_a_round_from_a_new_fund_to_published(page, assert_accessible):
    officer = create_officer(email="officer@example.org")
    db.session.commit()
    sign_in(page, officer.email, PASSWORD)
    page.get_by_role("link", name="Funds and rounds").click()
    page.get_by_role("button", name="Create a fund").click()
    page.get_by_label("Name").fill("Hate crime small grants")
    page.get_by_label("Short code").fill("HATE")
    page.get_by_label("Purpose").fill("Small grants for community groups that prevent hate crime.")
    page.get_by_label("Hate crime").check()
    page.get_by_role("button", name="Save fund").click()
    expect(page.locator("h1")).to_have_text("Hate crime small grants")

    page.get_by_role("button", name="Create a round in this fund").click()
    opens = today() + timedelta(days=21)
    closes = opens + timedelta(days=14)
    page.get_by_label("Title").fill("Hate crime small grants 2027")
    page.get_by_label("Description").fill("Grants of up to £10,000.")
    page.get_by_label("Budget").fill("200000")
    page.get_by_label("Minimum request").fill("1000")
    page.get_by_label("Maximum request").fill("10000")
    for name, day in (("opens_on", opens), ("closes_on", closes), ("decision_expected_on", closes + timedelta(30))):
        page.locator(f"#{name}-day").fill(str(day.day))
        page.locator(f"#{name}-month").fill(str(day.month))
        page.locator(f"#{name}-year").fill(str(day.year))
    page.get_by_label("Opening time").fill("9am")
    page.get_by_label("Closing time").fill("midday")
    page.get_by_role("button", name="Save round").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The round has been saved as a draft")
    expect(page.locator(".govuk-warning-text").first).to_contain_text("The minimum duration is 24 months")

    page.get_by_role("link", name="Edit scoring criteria").click()
    page.get_by_role("button", name="Add a criterion").click()
    page.get_by_label("Name").fill("Community reach")
    page.get_by_label("Weight").fill("2")
    page.get_by_role("button", name="Save criterion").click()
    expect(page.locator("table")).to_contain_text("100%")
    page.get_by_role("link", name="Back", exact=True).click()

    page.get_by_role("button", name="Publish round").click()
    page.get_by_label("Reason for the short window").fill("The grant must be spent by March.")
    page.get_by_role("button", name="Publish round").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The round has been published.")
    assert_accessible(page)

    page.get_by_role("link", name="See the public page").click()
    expect(page.locator("h1")).to_have_text("Hate crime small grants 2027")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The grant must be spent by March.")
    assert_accessible(page)
