import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, create_member, create_organisation

PUBLIC_PAGES = [
    ("/", "Funding for crime prevention and victim services in London"),
    ("/sign-in", "Sign in"),
    ("/register", "Register your organisation"),
    ("/forgotten-password", "Reset your password"),
    ("/accessibility", "Accessibility statement"),
    ("/cookies", "Cookies"),
    ("/privacy", "Privacy notice"),
    ("/no-such-page", "Page not found"),
]


@pytest.mark.parametrize(("path", "heading"), PUBLIC_PAGES)
def test_public_page_is_accessible(page, assert_accessible, assert_fits_a_phone, path, heading):
    page.goto(path)
    expect(page.locator("h1")).to_have_text(heading)
    assert_accessible(page)
    assert_fits_a_phone(page)


# Public pages made from the funding data, measured on a phone with some of it in place.
DATA_PAGES = ["/services", "/map", "/boroughs", "/boroughs/E09000012", "/dashboards", "/data", "/funding/", "/reports"]


@pytest.mark.parametrize("path", DATA_PAGES)
def test_public_data_pages_need_no_sideways_scrolling_on_a_phone(page, assert_fits_a_phone, path):
    from tests.directory_support import create_service

    create_service("Hackney youth mentoring with a long name to wrap on a phone", boroughs=("Hackney",))
    create_service("London victims helpline", pan_london=True)
    page.goto(path)
    assert_fits_a_phone(page)


def test_the_home_page_leads_the_public_to_their_borough(page, assert_accessible):
    page.goto("/")
    page.get_by_label("Postcode or postcode district").fill("BR2")
    page.get_by_role("button", name="Find your borough").click()
    page.wait_for_url("**/boroughs/E09000006")
    assert page.locator("h1").inner_text().startswith("Bromley")
    assert page.get_by_role("link", name="Map", exact=True).get_attribute("aria-current") in ("page", "true")
    assert_accessible(page)


def test_registration_errors_are_accessible_and_keep_what_was_typed(page, assert_accessible):
    page.goto("/register")
    page.get_by_label("Organisation name").fill("Brixton Youth Forum")
    page.get_by_label("Postcode").fill("not a postcode")
    page.get_by_role("button", name="Register").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.get_by_label("Organisation name").input_value() == "Brixton Youth Forum"
    assert_accessible(page)


def test_forbidden_page_is_accessible(page, assert_accessible):
    mine = create_organisation("Mine")
    theirs = create_organisation("Theirs")
    user = create_member(mine, email="owner@example.org")
    sign_in(page, user.email, PASSWORD)
    response = page.goto(f"/organisations/{theirs.id}")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("You do not have permission to see this page")
    assert_accessible(page)


def test_skip_link_is_the_first_thing_a_keyboard_reaches(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"


def _every_other_public_page() -> list[str]:
    """A record of each kind the public pages show, and the address of every public page not measured above."""
    from portal.dialogue.good_practice import Publication, publish_case_study
    from portal.models import EvaluationStatus
    from tests.borough_projects_support import plan_in
    from tests.directory_support import create_service
    from tests.factories_assessment import create_officer
    from tests.factories_contacts import create_contact
    from tests.factories_dialogue import accepted_case_study_return
    from tests.factories_evaluations import create_evaluation
    from tests.factories_funding import create_round
    from tests.value_support import import_series, published_analysis

    officer = create_officer()
    service = create_service("Hackney youth mentoring with a long name to wrap on a phone", boroughs=("Hackney",))
    create_contact(
        service,
        website="https://a-very-long-address-for-a-youth-service.example.org/referrals/young-people/hackney",
        email="referrals.for.young.people.in.hackney@a-long-domain-name.example.org",
        districts=("E8", "E9", "N16"),
    )
    round_ = create_round(title="Safer streets round with a long title that must wrap on a narrow phone screen")
    case_study = publish_case_study(
        accepted_case_study_return(service), Publication("A story of a young man", "He went back to college."), officer
    )
    evaluation = create_evaluation(service, status=EvaluationStatus.PUBLISHED)
    import_series(officer)
    analysis = published_analysis(service, officer)
    project = plan_in("Lewisham", names=("Lewisham estates outreach",)).projects[0]
    return [
        f"/services/{service.id}",
        f"/services/borough-projects/{project.id}",
        "/services?postcode=E8",
        "/performance/rules",
        "/good-practice",
        f"/good-practice/{case_study.id}",
        "/funding/closed",
        f"/funding/{round_.id}",
        "/alerts",
        "/alerts/check-your-email",
        "/alerts/confirm/not-a-real-token",
        "/register/check-your-email",
        "/invitations/not-a-real-token",
        "/confirm-email/not-a-real-token",
        "/reset-password/not-a-real-token",
        "/evaluations",
        f"/evaluations/{evaluation.id}",
        "/value-for-money",
        f"/value-for-money/{analysis.id}",
        "/funding-formula",
        "/funding-formula/calculator",
    ]


def test_every_other_public_page_needs_no_sideways_scrolling_on_a_phone(page, assert_fits_a_phone):
    paths = _every_other_public_page()
    from portal.extensions import db

    db.session.commit()
    for path in paths:
        page.goto(path)
        expect(page.locator("h1").first).to_be_visible()
        assert_fits_a_phone(page)
