"""The public directory, map and alerts pages in a real browser, checked with axe-core."""

import re

import pytest
from playwright.sync_api import expect

from portal.directory import alerts
from portal.extensions import db
from portal.models import AlertSubscription
from tests.directory_support import create_service, rate
from tests.factories import create_organisation


@pytest.fixture
def services():
    provider = create_organisation("Camberwell Safe Spaces", charity_number="1234567")
    rated = create_service("Camberwell safe spaces", organisation=provider, boroughs=("Southwark", "Lambeth"))
    rate(rated, 0, 100)
    create_service("Hackney youth mentoring", boroughs=("Hackney",))
    create_service("London victims helpline", pan_london=True)
    db.session.commit()
    return rated


def test_services_list_filters_without_javascript(browser, live_server, services):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    page.problems = []
    page.goto("/services")
    expect(page.locator("h1")).to_have_text("Funded services in London")
    page.get_by_label("Postcode or postcode district").fill("se5 9rs")
    page.get_by_role("button", name="Apply filters").click()
    assert "postcode=se5" in page.url.lower()
    expect(page.get_by_text("may be in any of these boroughs")).to_be_visible()
    context.close()


def test_services_list_with_a_straddling_district_is_accessible(page, assert_accessible, services):
    page.goto("/services?postcode=SE5")
    expect(page.get_by_text("may be in any of these boroughs")).to_be_visible()
    assert_accessible(page)


def test_services_list_error_state_is_accessible(page, assert_accessible, services):
    page.goto("/services?postcode=ZZ9")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.get_by_label("Postcode or postcode district").input_value() == "ZZ9"
    assert_accessible(page)


def test_service_page_is_accessible(page, assert_accessible, services):
    page.goto(f"/services/{services.id}")
    expect(page.locator("h1")).to_have_text("Camberwell safe spaces")
    expect(page.get_by_text("Better than the period before")).to_be_visible()
    assert_accessible(page)


def test_map_draws_boroughs_that_keyboard_users_can_choose(page, assert_accessible, assert_fits_a_phone, services):
    page.goto("/map")
    map_element = page.locator("#borough-map")
    map_element.wait_for(state="visible")
    boroughs = page.locator("#borough-map path.leaflet-interactive")
    boroughs.first.wait_for()
    assert boroughs.count() == 33
    # Tab reaches the boroughs in name order.
    boroughs.first.focus()
    reached = [page.evaluate("document.activeElement.getAttribute('aria-label').split(':')[0]")]
    for _ in range(2):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.getAttribute('aria-label').split(':')[0]"))
    assert reached == ["Barking and Dagenham", "Barnet", "Bexley"]
    hackney = page.locator('#borough-map path[aria-label^="Hackney:"]')
    hackney.focus()
    page.keyboard.press("Enter")
    detail = page.locator("#borough-detail")
    detail.wait_for(state="visible")
    assert detail.locator("h2").inner_text() == "Hackney"
    # The focus moves to the chosen borough's panel, which names the period.
    assert page.evaluate("document.activeElement.textContent") == "Hackney"
    assert "Financial year" in detail.inner_text()
    expect(detail.get_by_role("link", name="Hackney youth mentoring")).to_be_visible()
    expect(detail.get_by_role("link", name="London victims helpline")).to_be_visible()  # London-wide, counted here too
    # On a phone the panel is directly under the map.
    page.set_viewport_size({"width": 375, "height": 800})
    map_bottom = page.evaluate("document.getElementById('borough-map').getBoundingClientRect().bottom")
    panel_top = page.evaluate("document.getElementById('borough-detail').getBoundingClientRect().top")
    assert 0 <= panel_top - map_bottom < 200
    page.set_viewport_size({"width": 1280, "height": 800})
    assert_fits_a_phone(page)
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("Crown copyright")
    # The table has the same figures, so nothing depends on colour or the map.
    assert page.locator("table caption").inner_text().startswith("Funded services in ")
    page.get_by_role("link", name="Skip the map").click()
    assert page.url.endswith("#borough-table")
    assert_accessible(page)


def test_alerts_pages_are_accessible(page, assert_accessible):
    page.goto("/alerts")
    expect(page.locator("h1")).to_have_text("Get emails about new funding rounds")
    assert_accessible(page)

    page.get_by_label("Email address").fill("not an email")
    page.get_by_role("button", name="Send me alerts").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Email address").fill("ada@example.org")
    page.get_by_label("Service area").select_option("vawg")
    page.get_by_role("button", name="Send me alerts").click()
    expect(page.locator("h1")).to_have_text("Check your email")
    assert_accessible(page)

    db.session.commit()
    subscription = db.session.scalar(db.select(AlertSubscription))
    links = dict(alerts._links(subscription))
    page.goto(re.sub(r"^http://portal\.test", "", links["confirm_url"]))
    expect(page.locator("h1")).to_have_text("Your alerts have started")
    assert_accessible(page)

    page.goto(re.sub(r"^http://portal\.test", "", links["unsubscribe_url"]))
    expect(page.locator("h1")).to_have_text("You have unsubscribed")
    assert_accessible(page)

    response = page.goto("/alerts/confirm/not-a-real-token")
    assert response.status == 400
    expect(page.locator("h1")).to_have_text("This link does not work")
    assert_accessible(page)


@pytest.mark.parametrize("query", ["postcode=SE5", "postcode=ZZ9"])
def test_funding_opportunities_by_postcode_are_accessible(page, assert_accessible, query):
    page.goto(f"/funding/?{query}")
    expect(page.locator("h1")).to_have_text("Funding opportunities")
    assert_accessible(page)
