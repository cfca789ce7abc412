"""The staff home and an organisation's home in a real browser: their counts lead on, the staff navigation fits one
line at desktop width, and every page passes axe."""

from datetime import date

import time_machine
from playwright.sync_api import expect

from portal.models import ApplicationStatus
from tests.browser.conftest import sign_in_as
from tests.factories_agreements import award_with_owner
from tests.factories_assessment import create_assessed_round, create_bid, create_officer
from tests.factories_drawdowns import create_allocation, create_board, create_drawdown

DESKTOP = {"width": 1024, "height": 800}


def test_an_officers_home_fits_its_navigation_on_one_line_and_leads_to_the_bids(page, assert_accessible):
    officer = create_officer("Tom Brennan", "tom@example.org")
    round_ = create_assessed_round()
    create_bid(round_, title="Screen me")
    create_bid(round_, title="Screen me too", status=ApplicationStatus.SCREENING)
    page.set_viewport_size(DESKTOP)
    sign_in_as(page, officer)
    expect(page.locator("h1")).to_have_text("Your work")
    assert_accessible(page)

    links = page.locator(".govuk-service-navigation__list a")
    tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
    assert len(tops) == 1, "the staff navigation wraps onto a second line"

    page.get_by_role("link", name="2 bids to screen").click()
    expect(page.locator("h1")).to_have_text("Bids by round")
    expect(page.get_by_role("link", name="Safer Streets 2027")).to_be_visible()
    assert_accessible(page)


def test_a_charitys_home_shows_what_needs_it_and_leads_to_its_awards(page, assert_accessible):
    award, owner = award_with_owner(start=date(2026, 4, 1), end=date(2028, 3, 31), title="After-school mentoring")
    with time_machine.travel(date(2026, 10, 20), tick=True):
        sign_in_as(page, owner)
        expect(page.get_by_role("heading", name="What needs you")).to_be_visible()
        expect(page.locator("h1")).to_have_text(award.organisation.name)
        assert_accessible(page)
        page.get_by_role("link", name="1 grant agreement to accept").click()
        expect(page.get_by_role("link", name="After-school mentoring")).to_be_visible()
        assert_accessible(page)


def test_a_board_members_home_leads_to_its_drawdowns(page, assert_accessible):
    board, member = create_board("Lambeth")
    create_drawdown(create_allocation(board))
    sign_in_as(page, member)
    page.get_by_role("link", name="1 drawdown request waiting for a decision or payment").click()
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)
