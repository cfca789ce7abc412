"""The applicant's pages in a real browser, each checked with axe-core: the whole journey from the round to the
confirmation through labels alone, the pages with errors, a colleague's conflicting change, the autosave, and one
page filled in with the keyboard only."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from portal.database import utcnow
from portal.extensions import db
from portal.models import Answer, Application, ApplicationStatus, Membership, MembershipRole, QuestionKind
from tests.bids import bidding_setup, project_start
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, create_organisation
from tests.factories_funding import create_application, create_question

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def bidding():
    """A round with an eligibility question and a page of questions of several kinds, one shown only after a yes."""
    setup = bidding_setup()
    schools = create_question(setup.round, "Do you work with schools?", kind=QuestionKind.YES_NO, section="Your plan")
    create_question(setup.round, "Which schools?", section="Your plan", show_if=(schools, "yes"))
    create_question(
        setup.round, "How many young people will you work with?", kind=QuestionKind.NUMBER, section="Your plan"
    )
    create_question(
        setup.round, "Upload your safeguarding policy", kind=QuestionKind.FILE, section="Your plan", required=False
    )
    db.session.commit()
    return setup


def sign_in_as(page, user) -> None:
    """Sign in, ending the test's own read of the database first (SQLite would otherwise find it locked)."""
    email = user.email
    db.session.commit()
    sign_in(page, email, PASSWORD)


def saved_answer(application_id: int, question_id: int):
    """Read what the browser saved, in a new transaction (an older one would not see it on SQLite)."""
    db.session.rollback()
    return db.session.scalar(
        sa.select(Answer.value).where(Answer.application_id == application_id, Answer.question_id == question_id)
    )


def start(page, setup) -> int:
    """Pass the eligibility check in the browser and return the new bid's id."""
    sign_in_as(page, setup.owner)
    page.goto(f"/funding/{setup.round.id}/apply")
    page.get_by_role("group", name="Is your organisation based in London?").get_by_label("Yes").check()
    page.get_by_role("button", name="Check and start my bid").click()
    expect(page.locator("h1")).to_have_text(re.compile("^Your bid to"))
    page.wait_for_load_state("load")
    return int(re.search(r"/organisations/\d+/applications/(\d+)$", page.url).group(1))


def fill_project(page, setup, *, amount="6000") -> None:
    page.get_by_role("link", name="Project, boroughs and funding").click()
    page.get_by_label("Project title").fill("Safer journeys home")
    page.get_by_label("Summary of your project").fill("Mentors walk young people home from school in Peckham.")
    page.get_by_role("group", name="Areas of service").get_by_label("Keeping children and young people safe").check()
    boroughs = page.get_by_role("group", name="Where will your project work?")
    boroughs.get_by_label("Lewisham", exact=True).check()
    start_date = project_start(setup.round)
    dates = page.get_by_role("group", name="When will your project start?")
    dates.get_by_label("Day").fill(str(start_date.day))
    dates.get_by_label("Month").fill(str(start_date.month))
    dates.get_by_label("Year").fill(str(start_date.year))
    page.get_by_label("How many months will it run for?").fill("36")
    page.get_by_role("button", name="Save and continue").click()
    years = page.get_by_role("group", name="Amount for each financial year (April to March)")
    expect(years).to_be_visible()
    for field in years.locator("input").all():
        field.fill(amount)
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("h1")).to_have_text("Your bid to Safer Streets 2027")


@pytest.mark.long
def test_the_whole_applicant_journey_works_through_labels_and_every_page_is_accessible(
    page, assert_accessible, bidding
):
    setup = bidding
    sign_in_as(page, setup.owner)
    page.goto(f"/funding/{setup.round.id}/apply")
    expect(page.locator("h1")).to_have_text("Check you can apply")
    assert_accessible(page)
    page.get_by_role("group", name="Is your organisation based in London?").get_by_label("Yes").check()
    page.get_by_role("button", name="Check and start my bid").click()

    expect(page.locator("h1")).to_have_text("Your bid to Safer Streets 2027")
    expect(page.locator("#sections-1-status")).to_have_text("Cannot start yet")
    assert_accessible(page)

    page.get_by_role("link", name="Your organisation's details").click()
    expect(page.locator("h1")).to_have_text("Your organisation's details")
    assert page.get_by_label("Name of the person we should contact about this bid").input_value() == "Kwame Asante"
    assert_accessible(page)
    page.get_by_role("button", name="Confirm and continue").click()

    page.get_by_role("link", name="Project, boroughs and funding").click()
    assert_accessible(page)
    page.go_back()
    fill_project(page, setup)
    expect(page.locator("#form-variant")).to_contain_text("which is £25,000 or less, so you have a shorter form")

    page.get_by_role("link", name="Your plan").click()
    expect(page.locator("h1")).to_have_text("Your plan")
    page.get_by_label("What will you do?").fill("Walk pupils home from three schools.")
    page.get_by_role("group", name="Do you work with schools?").get_by_label("Yes").check()
    assert page.get_by_label("Which schools?").count() == 0
    page.get_by_label("How many young people will you work with?").fill("120")
    page.get_by_label("Upload your safeguarding policy").set_input_files(
        {"name": "Safeguarding policy.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    assert_accessible(page)
    page.get_by_role("button", name="Save and continue").click()

    banner = page.locator("#revealed")
    expect(banner).to_contain_text("Your answers mean there is more to answer on this page")
    expect(page.get_by_role("link", name="Safeguarding policy.pdf", exact=True)).to_be_visible()
    assert_accessible(page)
    banner.get_by_role("link", name="Which schools?").click()
    page.get_by_label("Which schools?").fill("Harris Academy Peckham")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("“Your plan” has been saved.")).to_be_visible()

    page.get_by_role("link", name="Check your answers and submit").click()
    expect(page.locator("h1")).to_have_text("Check your answers before submitting your bid")
    expect(page.get_by_role("link", name="Safeguarding policy.pdf", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Submit bid").click()

    expect(page.locator(".govuk-panel__title")).to_have_text("Bid submitted")
    reference = page.locator(".govuk-panel__body strong").inner_text()
    assert re.fullmatch(r"LCPF-\d{4}-0001", reference)
    assert_accessible(page)

    page.get_by_role("link", name="See the bid you submitted").click()
    expect(page.locator("h1")).to_have_text("Safer journeys home")
    expect(page.get_by_text("Harris Academy Peckham")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="All your bids").click()
    expect(page.locator("h1")).to_have_text("Bids")
    expect(page.get_by_role("cell", name=reference)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Safer journeys home").click()
    page.get_by_role("button", name="Withdraw this bid").click()
    expect(page.locator("h1")).to_have_text("Are you sure you want to withdraw this bid?")
    assert_accessible(page)
    page.get_by_label("Why are you withdrawing? (optional)").fill("We found other funding.")
    page.get_by_role("button", name="Withdraw bid").click()
    expect(page.get_by_text("Your bid has been withdrawn.")).to_be_visible()
    assert page.locator("main .govuk-tag").inner_text().strip() == "Withdrawn"
    assert_accessible(page)


def test_choosing_the_organisation_that_bids_is_accessible(page, assert_accessible, bidding):
    other = create_organisation("Croydon Women's Refuge CIO", boroughs=("Croydon",))
    db.session.add(Membership(user_id=bidding.owner.id, organisation=other, role=MembershipRole.OWNER))
    sign_in_as(page, bidding.owner)
    page.goto(f"/funding/{bidding.round.id}/apply")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the organisation that is bidding")
    assert_accessible(page)
    page.get_by_label("Croydon Women's Refuge CIO").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Check you can apply")


def test_eligibility_errors_and_the_cannot_apply_page_are_accessible(page, assert_accessible, bidding):
    sign_in_as(page, bidding.owner)
    page.goto(f"/funding/{bidding.round.id}/apply")
    page.get_by_role("button", name="Check and start my bid").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select yes or no for “Is your organisation based in London?”")
    assert_accessible(page)

    page.get_by_role("group", name="Is your organisation based in London?").get_by_label("No").check()
    page.get_by_role("button", name="Check and start my bid").click()
    expect(page.locator("h1")).to_have_text("Peckham Street Mentors CIC cannot apply to this round")
    expect(page.get_by_text("This fund is for organisations based in London.")).to_be_visible()
    assert_accessible(page)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 0


def test_a_round_that_is_not_open_yet_says_so_accessibly(page, assert_accessible):
    setup = bidding_setup(opens_at=utcnow() + timedelta(days=5))
    sign_in_as(page, setup.owner)
    page.goto(f"/funding/{setup.round.id}/apply")
    expect(page.locator("main")).to_contain_text("This round is not open yet.")
    assert_accessible(page)


def test_an_organisation_that_has_already_bid_is_shown_its_bid_accessibly(page, assert_accessible, bidding):
    create_application(bidding.round, bidding.organisation, status=ApplicationStatus.SUBMITTED)
    sign_in_as(page, bidding.owner)
    page.goto(f"/funding/{bidding.round.id}/apply")
    expect(page.locator("h1")).to_have_text("Peckham Street Mentors CIC has already bid to this round")
    assert_accessible(page)


def test_a_question_page_with_errors_is_accessible_and_each_error_leads_to_its_field(page, assert_accessible, bidding):
    start(page, bidding)
    fill_project(page, bidding)
    page.get_by_role("link", name="Your plan").click()
    page.get_by_label("What will you do?").fill(" ".join(["word"] * 51))
    page.get_by_label("How many young people will you work with?").fill("lots")
    page.get_by_label("Upload your safeguarding policy").set_input_files(
        {"name": "policy.exe", "mimeType": "application/octet-stream", "buffer": b"MZ\x00\x00"}
    )
    page.get_by_role("button", name="Save and continue").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("must be 50 words or fewer (it is 51 words)")
    expect(summary).to_contain_text("Enter a whole number, like 120")
    expect(summary).to_contain_text("Select yes or no for “Do you work with schools?”")
    expect(summary).to_contain_text("The selected file must be a PDF")
    assert page.get_by_label("How many young people will you work with?").input_value() == "lots"
    assert_accessible(page)

    summary.get_by_role("link", name="Enter a whole number, like 120").click()
    assert page.evaluate("document.activeElement.name") == page.get_by_label(
        "How many young people will you work with?"
    ).get_attribute("name")


def test_the_project_page_with_errors_is_accessible(page, assert_accessible, bidding):
    start(page, bidding)
    page.get_by_role("link", name="Project, boroughs and funding").click()
    dates = page.get_by_role("group", name="When will your project start?")
    dates.get_by_label("Day").fill("31")
    dates.get_by_label("Month").fill("2")
    dates.get_by_label("Year").fill("2028")
    page.get_by_label("How many months will it run for?").fill("18")
    page.get_by_role("button", name="Save and continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The date must be a real date, like 1 4 2027")
    expect(summary).to_contain_text("Your project must run for between 24 and 48 months")
    assert page.locator("main").inner_text().count("3 to 4 years") == 1
    assert_accessible(page)
    summary.get_by_role("link", name="The date must be a real date, like 1 4 2027").click()
    assert page.evaluate("document.activeElement.id") == "start_date-day"


def test_the_organisation_details_page_with_an_error_is_accessible(page, assert_accessible, bidding):
    start(page, bidding)
    page.get_by_role("link", name="Your organisation's details").click()
    page.get_by_label("Their email address").fill("not-an-email")
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter an email address in the correct format")
    assert_accessible(page)


def test_a_task_list_offering_the_organisations_new_details_is_accessible(page, assert_accessible, bidding):
    application_id = start(page, bidding)
    organisation_id = bidding.organisation.id
    db.session.rollback()  # a transaction that read before the browser wrote cannot write on SQLite
    organisation = db.session.get(type(bidding.organisation), organisation_id)
    organisation.name = "Peckham Street Mentors"
    db.session.commit()
    page.goto(f"/organisations/{organisation_id}/applications/{application_id}")
    banner = page.locator("#profile-changes")
    expect(banner).to_contain_text("Your organisation's details have changed since you started this bid")
    assert_accessible(page)
    banner.get_by_role("button", name="Update this bid's details").click()
    expect(page.get_by_text("This bid now has your organisation's current details.")).to_be_visible()


def test_a_colleagues_conflicting_change_is_shown_accessibly_and_the_user_chooses(
    browser, live_server, page, assert_accessible, bidding
):
    application_id = start(page, bidding)
    fill_project(page, bidding)
    page.get_by_role("link", name="Your plan").click()
    expect(page.get_by_label("What will you do?")).to_be_visible()

    colleague = browser.new_context(base_url=live_server).new_page()
    sign_in(colleague, bidding.editor.email, PASSWORD)
    colleague.goto(f"/organisations/{bidding.organisation.id}/applications/{application_id}/sections/1")
    colleague.get_by_label("What will you do?").fill("The editor's plan")
    colleague.get_by_role("button", name="Save and come back later").click()
    expect(colleague.get_by_text("Your answers have been saved.")).to_be_visible()
    colleague.context.close()

    # The owner types on the page opened before the colleague saved. Typed only now, so the owner's autosave (three
    # seconds after typing) cannot land while the colleague works, however slowly the machine runs.
    page.get_by_label("What will you do?").fill("The owner's plan")
    page.get_by_role("button", name="Save and come back later").click()
    conflict = page.locator(".portal-conflict")
    expect(conflict).to_contain_text("Sam Taylor changed this answer")
    expect(conflict.locator(".portal-their-answer")).to_have_text("The editor's plan")
    assert page.get_by_label("What will you do?").input_value() == "The owner's plan"
    assert_accessible(page)

    page.get_by_role("button", name="Save and come back later").click()
    expect(page.get_by_text("Your answers have been saved.")).to_be_visible()
    assert saved_answer(application_id, bidding.plan.id) == "The owner's plan"


def test_an_incomplete_bid_at_check_your_answers_lists_what_is_missing_accessibly(page, assert_accessible, bidding):
    application_id = start(page, bidding)
    page.goto(f"/organisations/{bidding.organisation.id}/applications/{application_id}/check-your-answers")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Your bid is not finished yet")
    expect(summary).to_contain_text("Enter a project title")
    assert page.get_by_role("button", name="Submit bid").count() == 0
    assert_accessible(page)
    summary.get_by_role("link", name="Enter a project title").click()
    expect(page.locator("h1")).to_have_text("Project, boroughs and funding")


def test_a_bid_that_can_no_longer_be_changed_says_why_accessibly(page, assert_accessible, bidding):
    application = create_application(bidding.round, bidding.organisation, status=ApplicationStatus.SUBMITTED)
    sign_in_as(page, bidding.owner)
    response = page.goto(f"/organisations/{application.organisation_id}/applications/{application.id}/project")
    assert response.status == 409
    expect(page.locator("#refusal")).to_have_text("This bid has been submitted, so it can no longer be changed.")
    assert_accessible(page)


def test_an_organisation_with_no_bids_sees_an_accessible_empty_list(page, assert_accessible, bidding):
    sign_in_as(page, bidding.editor)
    page.goto(f"/organisations/{bidding.organisation.id}")
    page.get_by_role("link", name="See your organisation's bids for funding").click()
    expect(page.get_by_text("Peckham Street Mentors CIC has not started any bids yet.")).to_be_visible()
    assert_accessible(page)


def test_autosave_saves_what_is_typed_and_says_when(page, bidding):
    application_id = start(page, bidding)
    fill_project(page, bidding)
    page.get_by_role("link", name="Your plan").click()
    page.wait_for_load_state("load")  # the autosave module listens once the page has loaded
    page.get_by_label("What will you do?").fill("Saved without pressing a button")
    status = page.locator("[data-autosave-status]")
    expect(status).to_have_text(re.compile(r"^Saved at \d{2}:\d{2}$"), timeout=10_000)
    assert saved_answer(application_id, bidding.plan.id) == "Saved without pressing a button"

    # The page now carries the version the autosave made, so pressing the button is not a conflict with oneself.
    page.get_by_label("What will you do?").fill("Then saved with the button")
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.get_by_text("Your answers have been saved.")).to_be_visible()
    assert not page.problems


def test_a_page_of_questions_can_be_filled_in_and_saved_with_the_keyboard_alone(page, bidding):
    application_id = start(page, bidding)
    fill_project(page, bidding)
    page.goto(f"/organisations/{bidding.organisation.id}/applications/{application_id}/sections/1")

    def tab_to(name: str, limit: int = 40) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement && document.activeElement.name") == name:
                return
        raise AssertionError(f"could not reach {name} with the Tab key")

    tab_to(f"q{bidding.plan.id}")
    page.keyboard.type("Walk pupils home.")
    schools = page.get_by_role("group", name="Do you work with schools?").get_by_label("Yes")
    tab_to(schools.get_attribute("name"))
    page.keyboard.press("Space")
    assert schools.is_checked()
    number = page.get_by_label("How many young people will you work with?")
    tab_to(number.get_attribute("name"))
    page.keyboard.type("120")
    tab_to("action")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Save and continue"
    page.keyboard.press("Enter")

    # The follow-up question that "Yes" asks for is now on the page: reach it from the banner's link.
    expect(page.locator("#revealed")).to_be_visible()
    which = page.get_by_label("Which schools?")
    tab_to(which.get_attribute("name"), limit=80)
    page.keyboard.type("Harris Academy Peckham")
    tab_to("action")
    page.keyboard.press("Enter")

    expect(page.get_by_text("“Your plan” has been saved.")).to_be_visible()
    expect(page.locator("#sections-1-status")).to_have_text("Completed")


def test_answers_filled_in_from_an_earlier_bid_are_pointed_out_accessibly(page, assert_accessible, bidding):
    from tests.factories_funding import create_round

    standard = create_question(None, "Describe your safeguarding policy", section="Your organisation")
    earlier = create_application(
        create_round(bidding.round.fund, title="Safer Streets 2025"),
        bidding.organisation,
        status=ApplicationStatus.DECIDED,
        title="Walk and talk",
    )
    earlier.answers.append(Answer(question_id=standard.id, value="Every mentor is trained every year."))
    db.session.commit()
    application_id = start(page, bidding)
    expect(page.locator("#prefilled")).to_contain_text(
        "We have filled in 1 answer from your organisation's earlier bids"
    )
    fill_project(page, bidding)
    page.get_by_role("link", name="Your organisation", exact=True).click()
    expect(page.locator(".portal-prefilled")).to_contain_text("We filled this in from your organisation's earlier bid")
    assert page.get_by_label("Describe your safeguarding policy").input_value() == "Every mentor is trained every year."
    assert_accessible(page)
    assert application_id


def test_removing_an_uploaded_file_asks_first_and_is_accessible(page, assert_accessible, bidding):
    start(page, bidding)
    fill_project(page, bidding)
    page.get_by_role("link", name="Your plan").click()
    page.get_by_label("Upload your safeguarding policy").set_input_files(
        {"name": "Policy.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Save and come back later").click()
    page.get_by_role("link", name="Your plan").click()
    page.get_by_role("link", name="Remove Policy.pdf").click()
    expect(page.locator("h1")).to_have_text("Are you sure you want to remove Policy.pdf?")
    assert_accessible(page)
    page.get_by_role("button", name="Remove file").click()
    expect(page.get_by_text("Policy.pdf has been removed.")).to_be_visible()
    assert page.get_by_role("link", name="Policy.pdf").count() == 0


def test_a_page_opened_before_the_bid_moved_still_autosaves_through_its_old_address(page, bidding):
    application_id = start(page, bidding)
    new = f"/organisations/{bidding.organisation.id}/applications/{application_id}/project/autosave"
    old = f"/applications/{application_id}/project/autosave"

    def as_served_before_the_move(route):
        response = route.fetch()
        route.fulfill(response=response, body=response.text().replace(new, old))

    page.route(re.compile(r"/project$"), as_served_before_the_move)
    page.get_by_role("link", name="Project, boroughs and funding").click()
    page.wait_for_load_state("load")  # the autosave module listens once the page has loaded
    assert page.locator("form[data-autosave-url]").get_attribute("data-autosave-url") == old
    page.get_by_label("Project title").fill("Typed before the move")
    # The browser sends the autosave's POST on to the new address (308) with its body, and it is saved there.
    expect(page.locator("[data-autosave-status]")).to_have_text(re.compile(r"^Saved at \d{2}:\d{2}$"), timeout=10_000)
    db.session.rollback()
    assert db.session.get(Application, application_id).project_title == "Typed before the move"
    assert not page.problems
